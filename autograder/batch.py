"""Grading a whole class: N worker processes, each with its own zygote, results into the gradebook.

Order matters for isolation. The worker pool is forked first, from a process that has imported
numpy but read nothing of the course or of any submission; each worker starts its zygotes at once
and only then loads the course and its references. So a sandbox child can find neither
reference answers nor other students' code in its memory. Workers send back plain result dicts;
this process writes each submission's results in one transaction, so an interrupted batch resumes
where it stopped.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import Gradebook
from .submissions import Discovery, Submission, discover

_worker: dict = {}


def course_hash(root: Path) -> str:
    """Changes whenever anything that decides a grade changes: course.yml, exercises, solutions."""
    digest = hashlib.sha256()
    for path in sorted([root / "course.yml", *root.glob("exercises/*/*.yml"), *root.glob("solutions/*.py")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _init_worker(course_root: str, reference_cache: str | None = None) -> None:
    from .sandbox import Zygote

    # first the zygotes: nothing of the course or of students is in memory yet. One without sympy
    # for the numeric assignments (a smaller process forks and exits in a third of the time), one
    # with it for the assignments whose exercises use it.
    zygotes = {False: Zygote(warm_sympy=False).start()}
    import sympy  # noqa: F401 - imported once per worker, after the lean zygote exists

    zygotes[True] = Zygote().start()
    from .grade import ReferenceOracle
    from .spec import load_course

    course = load_course(course_root)
    symbolic = {a.id: any(e.uses_sympy for e in course.exercises_of(a.id)) for a in course.assignments}
    store = None
    if reference_cache:
        from .refcache import ReferenceStore

        try:
            store = ReferenceStore(reference_cache, course_hash(Path(course_root)))
        except sqlite3.Error as exc:  # a cache that cannot open costs time, never a grade
            print(f"warning: reference cache {reference_cache} not used: {exc}", file=sys.stderr)
    _worker.update(zygotes=zygotes, course=course, oracle=ReferenceOracle(course, store), symbolic=symbolic)


def grade_one(submission: Submission) -> dict:
    """Grade one submission in a worker; never raises (an internal error is recorded as such)."""
    from .grade import ExerciseResult, grade_source

    course, oracle = _worker["course"], _worker["oracle"]
    zygote = _worker["zygotes"][_worker["symbolic"].get(submission.assignment, True)]
    started = time.perf_counter()
    try:
        if submission.problem:
            results = [ExerciseResult(e.id, submission.assignment, e.title, e.points, error=submission.problem,
                                      hints=list(e.hints)) for e in course.exercises_of(submission.assignment)]
        else:
            results = grade_source(course, submission.assignment, submission.source, f"{submission.assignment}.py",
                                   submission.student, zygote, oracle)
        problem, internal = submission.problem, False
    except Exception as exc:  # noqa: BLE001 - a grader bug must cost one submission, not the batch
        problem, internal = f"internal grader error: {type(exc).__name__}: {exc}", True
        traceback.print_exc(file=sys.stderr)
        results = [ExerciseResult(e.id, submission.assignment, e.title, e.points, error=problem)
                   for e in course.exercises_of(submission.assignment)]
    if oracle.store is not None:
        try:
            oracle.store.flush()
        except sqlite3.Error as exc:
            print(f"warning: reference cache not written: {exc}", file=sys.stderr)
    return {"student": submission.student, "assignment": submission.assignment, "origin": submission.origin,
            "content_hash": submission.content_hash, "problem": problem, "internal": internal,
            "seconds": time.perf_counter() - started,
            "sandbox": zygote.caps.level,  # what this worker's zygote reached, recorded with the grade
            "results": [r.to_dict() for r in results]}


@dataclass
class BatchSummary:
    discovered: int = 0
    graded: int = 0
    skipped: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


class Batch:
    """Grade SUBMISSIONS into OUT with a pool forked before anything sensitive is loaded."""

    def __init__(self, course_root: Path, jobs: int | None = None, reference_cache: Path | None = None):
        """reference_cache: an SQLite file where workers share reference answers, and keep them for
        later runs (see refcache); None computes them in each worker every time."""
        import numpy  # noqa: F401 - imported before the fork so workers share it (sympy is not: see _init_worker)

        self.course_root = Path(course_root).resolve()
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        context = multiprocessing.get_context("fork")
        self.pool = context.Pool(self.jobs, initializer=_init_worker, initargs=(str(self.course_root), str(reference_cache) if reference_cache else None))

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()

    def run(self, submissions_dir: Path, gradebook: Gradebook, assignments: list[str], regrade: bool,
            sandbox_level: str, on_result=None, on_start=None) -> BatchSummary:
        plan = Plan(self.course_root, submissions_dir, gradebook, assignments, regrade, on_start)
        for outcome in self.pool.imap_unordered(grade_one, plan.todo):
            plan.record(outcome, sandbox_level, on_result)
        return plan.finish()


class Plan:
    """What a batch (local or on a cluster) grades, and how each result is written as it arrives."""

    def __init__(self, course_root: Path, submissions_dir: Path, gradebook: Gradebook, assignments: list[str],
                 regrade: bool, on_start=None):
        self.started = time.perf_counter()
        self.gradebook = gradebook
        found: Discovery = discover(submissions_dir, assignments)
        self.summary = BatchSummary(discovered=len(found.submissions), warnings=found.warnings)
        self.version = course_hash(course_root)
        self.todo = [s for s in found.submissions
                     if regrade or not gradebook.already_graded(s.student, s.assignment, s.content_hash, self.version)]
        self.summary.skipped = len(found.submissions) - len(self.todo)
        if on_start:
            on_start(len(self.todo), self.summary)
        self.todo.sort(key=lambda s: -len(s.source))  # the longest first keeps every worker busy until the end

    def record(self, outcome: dict, sandbox_level: str, on_result=None) -> None:
        """One submission's results, in one transaction of the gradebook. A grader failure is not a
        grade: it is reported, not recorded, so the next run grades that submission again."""
        if outcome.get("internal"):
            self.summary.warnings.append(f"{outcome['student']}/{outcome['assignment']}: {outcome['problem']} "
                                         "(not recorded: run again to grade it)")
            if on_result:
                on_result(outcome)
            return
        self.gradebook.record(outcome["student"], outcome["assignment"], outcome["content_hash"], self.version,
                              outcome["origin"], outcome["seconds"], outcome.get("sandbox", sandbox_level),
                              outcome["problem"], outcome["results"])
        self.summary.graded += 1
        if on_result:
            on_result(outcome)

    def finish(self) -> BatchSummary:
        self.summary.seconds = time.perf_counter() - self.started
        return self.summary
