"""`autograder validate`: the course proves itself.

For every exercise: the reference obeys its own static rules and pinned `expect:` values, passes
every check at full marks when graded as a submission (in the sandbox, like a student's), the stub
scores zero, every listed mistake loses points and is recognised with its feedback, and inputs are
the same when drawn twice and differ between students.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from .build import stub_source
from .checks.compare import compare
from .checks.static import missing_requirements, violations
from .grade import ReferenceOracle, call_trusted, compare_symbolic_any, grade_source, prepare_cases, _has_sympy
from .inputs import convert_literal
from .sandbox import Zygote
from .spec import Course, Exercise

MIN_HINTS = 2
MIN_MISTAKES = 2


@dataclass
class ExerciseReport:
    id: str
    assignment: str
    checks: int = 0
    cases: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    exercises: list[ExerciseReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(not e.problems for e in self.exercises)

    @property
    def problems(self) -> list[str]:
        return [f"{e.assignment}/{e.id}: {p}" for e in self.exercises for p in e.problems]


def validate_course(course: Course, zygote: Zygote, assignments: list[str] | None = None,
                    exercises: list[str] | None = None, progress=None, seeds: int = 0) -> ValidationReport:
    started = time.perf_counter()
    report = ValidationReport()
    oracle = ReferenceOracle(course)
    for assignment in course.assignments:
        if assignments and assignment.id not in assignments:
            continue
        chosen = [e for e in course.exercises_of(assignment.id) if not exercises or e.id in exercises]
        if not chosen:
            continue
        reports = {e.id: ExerciseReport(e.id, assignment.id, checks=len(e.checks)) for e in chosen}
        try:
            oracle.namespace(assignment.id)
        except Exception as exc:  # noqa: BLE001 - the author's module failed to import
            for r in reports.values():
                r.problems.append(f"solutions/{assignment.id}.py does not import: {type(exc).__name__}: {exc}")
            report.exercises += reports.values()
            continue
        source = course.solution_path(assignment.id).read_text(encoding="utf-8")
        ids = [e.id for e in chosen]
        for exercise in chosen:
            _check_authoring(course, exercise, source, oracle, reports[exercise.id])
            if seeds:
                if progress:
                    progress(f"{assignment.id}: {exercise.id} on {seeds} seeds")
                reports[exercise.id].problems += check_seeds(course, exercise, oracle, seeds)
        if progress:
            progress(f"{assignment.id}: grading the reference solutions")
        for result in grade_source(course, assignment.id, source, f"solutions/{assignment.id}.py", "validate-reference",
                                   zygote, oracle, ids):
            if not result.passed:
                reports[result.id].problems.append(f"the reference scores {result.score:g}/{result.max_score:g}: {_why(result)}")
        if progress:
            progress(f"{assignment.id}: grading the stubs")
        for result in grade_source(course, assignment.id, stub_source(course, assignment.id), f"{assignment.id}.py",
                                   "validate-stub", zygote, oracle, ids):
            if result.score != 0:
                reports[result.id].problems.append(f"the stub scores {result.score:g}/{result.max_score:g}; it must score 0")
        for exercise in chosen:
            for mistake in exercise.mistakes:
                if progress:
                    progress(f"{assignment.id}: mistake {exercise.id} / {mistake.name}")
                mistaken = source + "\n\n" + mistake.code
                (result,) = grade_source(course, assignment.id, mistaken, f"{assignment.id}.py", "validate-mistake",
                                         zygote, oracle, [exercise.id])
                if result.score >= result.max_score:
                    reports[exercise.id].problems.append(f"mistake {mistake.name!r} is not caught: it scores full marks")
                elif mistake.name not in [m["name"] for m in result.mistakes]:
                    first = result.first_failure()
                    reports[exercise.id].problems.append(
                        f"mistake {mistake.name!r} loses points but is not recognised (its outputs differ from the "
                        f"mistake's own on the failing cases); first failure: {first[1].summary if first else result.error}")
        report.exercises += reports.values()
    report.seconds = time.perf_counter() - started
    return report


def _why(result) -> str:
    if result.error:
        return result.error
    if result.static:
        return result.static[0]
    first = result.first_failure()
    return f"{first[0].name}: {first[1].detail}" if first else "?"


def check_seeds(course: Course, exercise: Exercise, oracle: ReferenceOracle, seeds: int) -> list[str]:
    """Draw every generated group for `seeds` students: the reference must pass every case (its output
    sent through the wire format, as from the sandbox) and a stub must fail every case."""
    from .grade import check_case, stub_outcome, as_sent

    defaults = course.spec.defaults
    rtol = exercise.tolerance.rtol if exercise.tolerance else defaults.rtol
    atol = exercise.tolerance.atol if exercise.tolerance else defaults.atol
    problems = []
    for seed in range(seeds):
        student = f"seed-{seed}"
        for case in prepare_cases(course, exercise, student):
            group = case.group
            g_rtol = rtol if group.rtol is None else group.rtol
            g_atol = atol if group.atol is None else group.atol
            difference = check_case(case, as_sent(oracle.expected(case)), oracle, g_rtol, g_atol, student)
            difference = difference.run() if hasattr(difference, "run") else difference
            if difference is not None:
                problems.append(f"{student}, {case.label}: the reference fails: {difference.summary}")
            if check_case(case, stub_outcome(exercise.id), oracle, g_rtol, g_atol, student) is None:
                problems.append(f"{student}, {case.label}: a stub passes")
            if len(problems) >= 5:
                return problems
    return problems


def _check_authoring(course: Course, exercise: Exercise, source: str, oracle: ReferenceOracle, report: ExerciseReport) -> None:
    if exercise.tolerance is None:
        report.problems.append("states no tolerance: give `tolerance: {rtol, atol, reason}`")
    if len(exercise.hints) < MIN_HINTS:
        report.problems.append(f"has {len(exercise.hints)} hints; every exercise needs at least {MIN_HINTS}")
    if len(exercise.mistakes) < MIN_MISTAKES:
        report.problems.append(f"lists {len(exercise.mistakes)} mistakes; every exercise needs at least {MIN_MISTAKES}")
    if not any(g.visibility == "public" for g in exercise.checks):
        report.problems.append("has no public check group")
    for problem in violations(source, exercise.id, exercise.forbid) + missing_requirements(source, exercise.id, exercise.require):
        report.problems.append(f"the reference breaks its own rule: {problem}")
    try:
        first = _fingerprint(course, exercise, "student-a")
        again = _fingerprint(course, exercise, "student-a")
        other = _fingerprint(course, exercise, "student-b")
    except Exception as exc:  # noqa: BLE001 - a generator spec the engine cannot draw
        report.problems.append(f"inputs cannot be generated: {type(exc).__name__}: {exc}")
        return
    if first != again:
        report.problems.append("inputs are not deterministic: the same seed drew different inputs")
    if any(g.cases is None for g in exercise.checks) and first == other:
        report.problems.append("hidden inputs are the same for two different students")
    cases = prepare_cases(course, exercise, "validate-reference")
    report.cases = len(cases)
    for case in cases:
        outcome = call_trusted(oracle.namespace(exercise.assignment)[exercise.id], case)
        group = case.group
        if group.kind == "raises":
            if outcome.kind != "raised" or group.raises not in outcome.exc_mro:
                report.problems.append(f"{case.label}: the reference should raise {group.raises} but "
                                       f"{'raised ' + outcome.exc_mro[0] if outcome.kind == 'raised' else 'returned a value'}")
            continue
        if outcome.kind == "raised":
            report.problems.append(f"{case.label}: the reference raised {outcome.exc_mro[0]}: {outcome.message}")
            continue
        spec_case = group.cases[case.index] if group.cases is not None else None
        if spec_case is not None and spec_case.has_expect:
            expected = convert_literal(spec_case.expect, exercise.return_annotation)
            if _has_sympy(outcome.value) or _has_sympy(expected):
                difference = compare_symbolic_any(_sympify_all(expected), outcome.value, None)
            else:
                tolerance = exercise.tolerance
                difference = compare(expected, outcome.value, max(1e-9, tolerance.rtol if tolerance else 0),
                                     max(1e-12, tolerance.atol if tolerance else 0))
            if difference:
                report.problems.append(f"{case.label}: the reference disagrees with the pinned `expect`: {difference}")


def _sympify_all(value):
    import sympy

    if isinstance(value, (list, tuple)):
        return type(value)(_sympify_all(v) for v in value)
    if isinstance(value, str):
        return sympy.sympify(value)  # trusted course text
    return value


def _fingerprint(course: Course, exercise: Exercise, student: str) -> str:
    digest = hashlib.sha256()
    for case in prepare_cases(course, exercise, student):
        digest.update(case.digest.encode())
    return digest.hexdigest()
