"""The student release: stub modules, public cases with their expected outputs, hints.

The release holds no reference code and no hidden case. Its `.autograder/release.json` carries what
local checks need: the exercise specs minus hidden groups and mistake code, the public cases'
expected outputs (and known mistakes' outputs on them, so a matched mistake's feedback can be shown
offline), and the self-verifying groups (gradient and property checks run on fresh random inputs).
"""
from __future__ import annotations

import json
from pathlib import Path

from .checks.compare import show
from .grade import PreparedCase, ReferenceOracle, prepare_cases
from .spec import CheckGroup, Course, Exercise
from .wire import encode

RELEASE_DATA = Path(".autograder") / "release.json"
RELEASE_FORMAT = 1


def shipped(group: CheckGroup) -> bool:
    """Groups that go to students: public ones, and self-verifying ones (no answer key needed)."""
    return group.visibility == "public" or (group.self_check and group.kind in ("gradient", "property"))


def stub_source(course: Course, assignment_id: str, oracle: ReferenceOracle | None = None) -> str:
    assignment = course.assignment(assignment_id)
    lines = [
        f'"""{assignment.title}.',
        "",
        f"Assignment `{assignment_id}` of {course.spec.name}. Replace each `raise NotImplementedError`",
        f"with your code, then run `autograder check` (or `autograder check EXERCISE`).",
        '"""',
        "from __future__ import annotations",
        "",
        "from typing import Callable",
        "",
        "import numpy as np",
    ]
    if any(word in e.function for e in course.exercises_of(assignment_id) for word in ("sympy", "Expr", "Symbol", "Matrix")):
        lines.append("import sympy")
    lines.append("")
    for exercise in course.exercises_of(assignment_id):
        lines += ["", stub_function(exercise, examples(course, exercise, oracle) if oracle else []), ""]
    return "\n".join(lines).rstrip() + "\n"


def examples(course: Course, exercise: Exercise, oracle: ReferenceOracle, limit: int = 3) -> list[str]:
    """A few public cases as text, `call  ->  result`, for the stub's docstring."""
    public = [g for g in exercise.checks if g.visibility == "public" and g.cases is not None]
    lines = []
    for case in prepare_cases(course, exercise, "release", public)[:limit]:
        outcome = oracle.expected(case) if case.group.kind != "raises" else None
        call = f"{exercise.id}({case.describe_inputs()})"
        result = f"raises {case.group.raises}" if outcome is None else (
            show(outcome.value, 200) if outcome.kind == "value" else f"raises {outcome.exc_mro[0]}")
        lines.append(" ".join(f"{call}  ->  {result}".split()))
    return lines


def stub_function(exercise: Exercise, example_lines: list[str] = ()) -> str:
    signature = exercise.function.strip().rstrip(":")
    doc = exercise.prompt.strip().replace('"""', '\\"\\"\\"')
    extra = ["", "Examples:", *(f"    {line}" for text in example_lines for line in text.splitlines())] if example_lines else []
    body = "\n".join(("    " + line).rstrip() for line in [f"{exercise.title}.", "", *doc.splitlines(), *extra])
    return f'{signature}:\n    r"""{body.strip()}\n    """\n    raise NotImplementedError("{exercise.id}")'


def release_data(course: Course, oracle: ReferenceOracle) -> dict:
    exercises = {}
    for assignment in course.assignments:
        for exercise in course.exercises_of(assignment.id):
            groups = [g for g in exercise.checks if shipped(g)]
            cases = prepare_cases(course, exercise, "release", [g for g in groups if g.cases is not None])
            expectations = [_expectation(case, exercise, oracle) for case in cases]
            spec = exercise.model_dump(exclude={"mistakes", "path"})
            spec["checks"] = [g.model_dump(exclude_none=True) for g in groups]
            spec["mistakes"] = [{"name": m.name, "feedback": m.feedback, "code": ""} for m in exercise.mistakes]
            exercises[exercise.id] = {"spec": spec, "expectations": expectations}
    return {
        "format": RELEASE_FORMAT,
        "course": {"name": course.spec.name, "seed": course.spec.seed, "defaults": course.spec.defaults.model_dump(),
                   "assignments": [a.model_dump() for a in course.assignments]},
        "exercises": exercises,
    }


def _expectation(case: PreparedCase, exercise: Exercise, oracle: ReferenceOracle) -> dict:
    entry = {"group": case.group.name, "index": case.index}
    if case.group.kind in ("compare", "symbolic"):
        entry["expected"] = _outcome_tree(oracle.expected(case))
    if case.group.kind != "raises":
        entry["mistakes"] = [_outcome_tree(oracle.mistake(case, i)) for i in range(len(exercise.mistakes))]
    return entry


def _outcome_tree(outcome) -> dict:
    if outcome.kind == "raised":
        return {"raised": outcome.exc_mro[:1], "warned": outcome.warned}
    tree, _ = encode(outcome.value)
    return {"value": tree, "warned": outcome.warned}


def build_release(course: Course, out: Path, oracle: ReferenceOracle) -> list[Path]:
    """Write the release folder; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in course.assignments:
        path = out / f"{assignment.id}.py"
        path.write_text(stub_source(course, assignment.id, oracle), encoding="utf-8")
        written.append(path)
    data_path = out / RELEASE_DATA
    data_path.parent.mkdir(exist_ok=True)
    data_path.write_text(json.dumps(release_data(course, oracle)), encoding="utf-8")
    written.append(data_path)
    readme = out / "README.md"
    readme.write_text(_release_readme(course), encoding="utf-8")
    written.append(readme)
    return written


def _release_readme(course: Course) -> str:
    lines = [f"# {course.spec.name}", "", "Fill in the functions of each module, then check your work:", "",
             "```", "autograder check            # every exercise", "autograder check relu       # one exercise",
             "```", "", "| module | exercises |", "|---|---|"]
    for assignment in course.assignments:
        lines.append(f"| `{assignment.id}.py` — {assignment.title} | {', '.join(assignment.exercises)} |")
    return "\n".join(lines) + "\n"
