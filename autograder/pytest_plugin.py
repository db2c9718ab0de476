"""`pytest` inside a student release runs the same checks as `autograder check`: one test item per
check group of every exercise, failing with the same message. Outside a release it does nothing."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

_graded: dict = {}
_releases: dict = {}


def _release_root(config) -> Path | None:
    from .release import find_release

    return find_release(config.rootpath)


def _release(root: Path):
    """(course, oracle) of the release at root, read once per run."""
    if str(root) not in _releases:
        from .release import load_release

        _releases[str(root)] = load_release(root)
    return _releases[str(root)]


def pytest_sessionstart(session):
    """A release that cannot be read (edited, damaged, from another version) stops the run with its
    one-line reason, as `autograder check` does, not with a traceback per file."""
    root = _release_root(session.config)
    if root is not None:
        from .course import SpecError

        try:
            _release(root)
        except SpecError as exc:
            raise pytest.UsageError("\n".join(exc.problems)) from None


def pytest_collect_file(parent, file_path):
    root = _release_root(parent.config)
    if root is None or file_path.parent != root or file_path.suffix not in (".py", ".ipynb"):
        return None
    course, _ = _release(root)
    if file_path.stem not in [a.id for a in course.assignments]:
        return None
    if file_path.suffix == ".ipynb" and (root / f"{file_path.stem}.py").exists():
        return None  # the module wins, as in `autograder check`
    return AssignmentFile.from_parent(parent, path=file_path)


class AssignmentFile(pytest.File):
    def collect(self):
        from .build import shipped

        course, _ = _release(self.path.parent)
        for exercise in course.exercises_of(self.path.stem):
            if exercise.forbid or exercise.require:  # the exercise's rules on the code, when it has some
                yield CheckItem.from_parent(self, name=f"{exercise.id}::rules", exercise=exercise.id, group=None)
            for group in exercise.checks:
                if shipped(group):
                    yield CheckItem.from_parent(self, name=f"{exercise.id}::{group.name}", exercise=exercise.id, group=group.name)


class CheckFailed(Exception):
    pass


class CheckItem(pytest.Item):
    def __init__(self, *, exercise: str, group: str | None, **kwargs):
        super().__init__(**kwargs)
        self.exercise, self.group = exercise, group

    def runtest(self):
        result = _result(self.path, self.exercise)
        if self.group is None:
            problems = ([result.error] if result.error else []) + result.static
            if problems:
                raise CheckFailed("\n".join(problems))
            return
        group = next((g for g in result.groups if g.name == self.group), None)
        if group is None:
            raise CheckFailed(result.error or "not run")
        if group.failure is not None:
            lines = [f"{group.passed}/{group.total} passed; first failing case: {group.failure.label}"]
            if group.failure.inputs:
                lines.append(f"inputs: {group.failure.inputs}")
            lines.append(group.failure.detail)
            lines += [f"Looks like a known mistake — {m['name']}: {m['feedback']}" for m in result.mistakes]
            lines.append(f"stuck? `autograder hint {self.exercise}`")
            raise CheckFailed("\n".join(lines))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.exercise}: {self.group or 'rules'}"


def _result(path: Path, exercise: str):
    """Grade the whole module once per run (one sandbox child), then answer every item from it."""
    key = str(path)
    if key not in _graded:
        from .grade import grade_source
        from .sandbox import Zygote
        from .submissions import read_text

        course, oracle = _release(path.parent)
        source, problem = read_text(path.read_bytes(), path.name)
        with Zygote(bubblewrap=False, spawn=False) as zygote:  # local checks: no fresh interpreter to pay for
            results = grade_source(course, path.stem, source if not problem else "raise SystemExit(1)", str(path), "local",
                                   zygote, oracle, seed=int(time.time_ns() % 2**62))
        _graded[key] = {r.id: r for r in results}
    return _graded[key][exercise]
