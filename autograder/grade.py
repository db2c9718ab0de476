"""Grade one submission of one assignment: generate inputs, run the student's code in the sandbox,
check every output in this (trusted) process, award points, match known mistakes, pick a hint.

Expected values come from an oracle: the reference solutions (instructor side) or the expectations
stored in a student release (local checks). The pipeline is the same for both.
"""
from __future__ import annotations

import ast
import hashlib
import sys
import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from .checks import Difference
from .checks.compare import compare, show
from .checks.gradient import build_forward, check_gradient
from .checks.property import check_property
from .checks.static import missing_requirements, violations
from .checks.symbolic import UNDECIDED, compare_batch, compare_symbolic
from .inputs import CaseInput, Generation, rng_for, seed_for
from .sandbox import CallOutcome, Task, TaskOutcome, Zygote, fingerprints
from .course import Course
from .wire import decode, encode

if TYPE_CHECKING:
    from .spec import CheckGroup, Exercise  # or their records read from a release (course.py)

MAX_SOURCE_BYTES = 2 * 2**20
MISTAKE_CASES = 5


# ---------------------------------------------------------------- results

@dataclass
class CaseFailure:
    label: str
    summary: str
    detail: str
    inputs: str = ""


@dataclass
class GroupResult:
    name: str
    kind: str
    visibility: str
    weight: float
    passed: int
    total: int
    failure: Optional[CaseFailure] = None

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class ExerciseResult:
    id: str
    assignment: str
    title: str
    max_score: float
    score: float = 0.0
    groups: list[GroupResult] = field(default_factory=list)
    static: list[str] = field(default_factory=list)
    error: Optional[str] = None
    mistakes: list[dict] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score - 1e-9 and not self.error

    def first_failure(self) -> Optional[tuple[GroupResult, CaseFailure]]:
        for group in self.groups:
            if group.failure is not None:
                return group, group.failure
        return None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["passed"] = self.passed
        return data


# ---------------------------------------------------------------- cases

@dataclass
class PreparedCase:
    exercise: Exercise
    group: CheckGroup
    index: int
    label: str
    args: Any          # encoded (trusted) trees
    kwargs: Any
    blobs: list
    _digest: Optional[str] = None

    def values(self) -> CaseInput:
        """Fresh decoded copies of the inputs, so nothing that ran before can have changed them."""
        return CaseInput(list(decode(self.args, self.blobs, trusted=True)), dict(decode(self.kwargs, self.blobs, trusted=True)))

    def named(self) -> dict:
        return self.values().by_name([p for p, _ in self.exercise.parameters])

    @property
    def digest(self) -> str:
        """Identifies the inputs (trees and the array bytes they refer to), for caching trusted answers."""
        if self._digest is None:
            digest = hashlib.sha256(json.dumps([self.args, self.kwargs], sort_keys=True, default=str).encode())
            for index in _blob_indices([self.args, self.kwargs]):
                digest.update(self.blobs[index])
            self._digest = digest.hexdigest()
        return self._digest

    def describe_inputs(self) -> str:
        values = self.values()
        names = [p for p, _ in self.exercise.parameters]
        parts = [f"{n}={show(v, 200)}" for n, v in zip(names, values.args)]
        parts += [f"{k}={show(v, 200)}" for k, v in values.kwargs.items()]
        return ", ".join(parts)


def _blob_indices(tree) -> list[int]:
    if isinstance(tree, dict):
        if tree.get("$") == "ndarray" and "blob" in tree:
            return [tree["blob"]]
        return [i for value in tree.values() for i in _blob_indices(value)]
    if isinstance(tree, list):
        return [i for value in tree for i in _blob_indices(value)]
    return []


_CASES: dict[tuple, "PreparedCase"] = {}


def _cached_case(key: tuple, exercise: Exercise, make) -> "PreparedCase":
    """Prepared cases are immutable: literal and pooled ones are built once per process."""
    case = _CASES.get(key)
    if case is None or case.exercise is not exercise:
        if len(_CASES) > 100_000:
            _CASES.clear()
        case = _CASES[key] = make()
    return case


def remember_case(course: Course, exercise: Exercise, group: CheckGroup, index: int, args, kwargs) -> None:
    """A literal case whose encoded inputs are already known (stored in a release): prepare_cases
    then uses them instead of generating the inputs again."""
    key = (id(exercise), course.spec.seed, group.name, "public", index)
    _cached_case(key, exercise, lambda: PreparedCase(exercise, group, index, f"{group.name} #{index + 1}", args, kwargs, []))


def pool_size(course: Course, group: CheckGroup) -> int:
    """How many fixed entries a generated group draws each student's cases from (0: fresh draws)."""
    if group.pool is not None:
        return group.pool
    return course.spec.defaults.pool_factor * (group.count or 0)


def prepare_cases(course: Course, exercise: Exercise, student: str, groups: list[CheckGroup] | None = None,
                  seed: int | None = None) -> list[PreparedCase]:
    """Every case of the chosen groups; generated ones drawn per student.

    Literal cases always use the course seed (their expected values are stored in the release);
    `seed` replaces it for generated groups only (fresh inputs for students' local checks). A generated
    group with a pool gives each student `count` distinct entries out of `pool`, chosen by the
    student's seed, so trusted answers are computed once per entry for a whole class.
    """
    generated_seed = course.spec.seed if seed is None else seed
    params = exercise.parameters
    annotations = dict(params)
    cases = []
    for group in groups if groups is not None else exercise.checks:
        if group.cases is not None:
            for i, case in enumerate(group.cases):
                def make(i=i, case=case, group=group):
                    generation = Generation(rng_for(course.spec.seed, "public", exercise.id, group.name, i))
                    args = [generation.value(v, params[j][1] if j < len(params) else None) for j, v in enumerate(case.args)]
                    kwargs = {k: generation.value(v, annotations.get(k)) for k, v in case.kwargs.items()}
                    return _encoded(exercise, group, i, f"{group.name} #{i + 1}", args, kwargs)
                cases.append(_cached_case((id(exercise), course.spec.seed, group.name, "public", i), exercise, make))
            continue
        pool = pool_size(course, group)
        count = group.count or 0
        if pool:
            chooser = rng_for(generated_seed, student, exercise.id, group.name, "pool")
            entries = chooser.choice(pool, size=count, replace=pool < count)
        for i in range(count):
            def make(i=i, group=group, rng=None):
                generation = Generation(rng)
                generation.draw_dims(group.dims)
                drawn = {}
                for name, spec in (group.args or {}).items():
                    drawn[name] = generation.value(spec, annotations.get(name))
                    generation.drawn[name] = drawn[name]
                args, kwargs = _positional(params, drawn)
                return _encoded(exercise, group, i, f"{group.name} #{i + 1}", args, kwargs)
            if pool:
                entry = int(entries[i])
                base = _cached_case((id(exercise), generated_seed, group.name, "pool", entry), exercise,
                                    lambda entry=entry, group=group: make(0, group, rng_for(generated_seed, "pool", exercise.id, group.name, entry)))
                cases.append(PreparedCase(exercise, group, i, f"{group.name} #{i + 1}", base.args, base.kwargs, base.blobs,
                                          base.digest))
            else:
                cases.append(make(i, group, rng_for(generated_seed, student, exercise.id, group.name, i)))
    return cases


def _positional(params, drawn: dict) -> tuple[list, dict]:
    args = []
    for name, _ in params:
        if name not in drawn:
            break
        args.append(drawn[name])
    rest = {k: v for k, v in drawn.items() if k not in [p for p, _ in params[:len(args)]]}
    return args, rest


def _encoded(exercise, group, index, label, args, kwargs) -> PreparedCase:
    blobs: list[bytes] = []
    args_tree, _ = encode(list(args), blobs)
    kwargs_tree, _ = encode(dict(kwargs), blobs)
    return PreparedCase(exercise, group, index, label, args_tree, kwargs_tree, blobs)


# ---------------------------------------------------------------- oracles

@dataclass
class Outcome:
    """What a trusted function did on a case: returned a value or raised."""

    kind: str                 # "value" or "raised"
    value: Any = None
    exc_mro: list = field(default_factory=list)
    message: str = ""
    warned: bool = False
    mutated: bool = False     # changed an array (or a dict or list of them) it was given


def call_trusted(function, case: PreparedCase) -> Outcome:
    values = case.values()
    inputs = [*values.args, *values.kwargs.values()]
    before = fingerprints(inputs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = Outcome("value", function(*values.args, **values.kwargs))
        except Exception as exc:  # noqa: BLE001 - a reference may raise on purpose (raises checks)
            outcome = Outcome("raised", exc_mro=[c.__name__ for c in type(exc).__mro__], message=str(exc))
    outcome.warned = bool(caught)
    outcome.mutated = fingerprints(inputs) != before
    return outcome


class ReferenceOracle:
    """Expected outputs from the reference solutions in solutions/<assignment>.py (trusted code)."""

    def __init__(self, course: Course, store=None):
        """store: a refcache.ReferenceStore shared with other workers and later runs (optional)."""
        self.course = course
        self.store = store
        self._modules: dict[str, dict] = {}
        self._mistakes: dict[tuple, Any] = {}
        self._answers: dict[tuple, Outcome] = {}  # (exercise, mistake or -1, input digest) -> outcome

    def namespace(self, assignment: str) -> dict:
        if assignment not in self._modules:
            path = self.course.solution_path(assignment)
            scope = {"__name__": f"solutions.{assignment}", "__file__": str(path)}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), scope)  # trusted course code
            self._modules[assignment] = scope
        return self._modules[assignment]

    def _cached(self, key: tuple, compute) -> Outcome:
        if key not in self._answers:
            if len(self._answers) > 50_000:
                self._answers.clear()
            stored_key = "\0".join(map(str, key))
            outcome = self.store.get(stored_key) if self.store is not None else None
            if outcome is None:
                started = time.perf_counter()
                outcome = compute()
                if self.store is not None:
                    self.store.put(stored_key, outcome, time.perf_counter() - started)
            self._answers[key] = outcome
        return self._answers[key]

    def expected(self, case: PreparedCase) -> Outcome:
        function = self.namespace(case.exercise.assignment)[case.exercise.id]
        return self._cached((case.exercise.id, -1, case.digest), lambda: call_trusted(function, case))

    def mistake_function(self, exercise: Exercise, index: int):
        key = (exercise.id, index)
        if key not in self._mistakes:
            scope = dict(self.namespace(exercise.assignment))
            exec(compile(exercise.mistakes[index].code, f"<mistake {exercise.mistakes[index].name}>", "exec"), scope)
            self._mistakes[key] = scope[exercise.id]
        return self._mistakes[key]

    def mistake(self, case: PreparedCase, index: int) -> Outcome:
        function = self.mistake_function(case.exercise, index)
        return self._cached((case.exercise.id, index, case.digest), lambda: call_trusted(function, case))


# ---------------------------------------------------------------- grading

def needs_reference(group: CheckGroup) -> bool:
    return group.kind in ("compare", "symbolic")


def grade_source(course: Course, assignment: str, source: str, filename: str, student: str, zygote: Zygote,
                 oracle, exercises: list[str] | None = None, groups_filter=None, seed: int | None = None,
                 printed: list | None = None) -> list[ExerciseResult]:
    """Grade one module of student code for one assignment; never raises for anything in the submission.
    printed: a list that receives what the code printed (for a local check to show)."""
    chosen = [e for e in course.exercises_of(assignment) if exercises is None or e.id in exercises]
    results = {e.id: ExerciseResult(e.id, assignment, e.title, e.points, hints=list(e.hints)) for e in chosen}
    problem = _source_problem(source)
    if problem:
        for result in results.values():
            result.error = problem
        return list(results.values())
    blobs: list[bytes] = []
    plan: list[tuple[Exercise, list[PreparedCase]]] = []
    for exercise in chosen:
        groups = [g for g in exercise.checks if groups_filter is None or groups_filter(exercise, g)]
        plan.append((exercise, prepare_cases(course, exercise, student, groups, seed)))
    # a function whose name is nowhere in the text cannot be defined: it is missing, and its cases
    # are not sent to the sandbox at all (a notebook with two answers out of six pays for two)
    absent = {e.id for e, _ in plan if e.id not in source}
    calls = {}
    for exercise, cases in plan:
        calls[exercise.id] = []
        if exercise.id in absent:
            continue
        for case in cases:
            offset = len(blobs)
            blobs.extend(case.blobs)
            calls[exercise.id].append((case.args, case.kwargs, offset, len(blobs)))
    defaults = course.spec.defaults
    tasks = [Task(exercise.id, calls[exercise.id],
                  timeout=exercise.limits.timeout or defaults.timeout,
                  memory_mb=exercise.limits.memory_mb or defaults.memory_mb) for exercise, cases in plan
             if exercise.id not in absent]
    run = zygote.run(source, filename, assignment, tasks, blobs) if tasks else None
    if printed is not None and run and run.output.strip():
        printed.append(run.output)
    if run and run.load_error:
        # a module that could not be loaded: that is the reason for every exercise, present or not
        reason = _explain_load_error(course, run.load_error)
        outcomes = [_missing_function(exercise.id, len(cases), reason) for exercise, cases in plan]
    else:
        ran = iter(run.tasks if run else [])
        outcomes = [_missing_function(exercise.id, len(cases)) if exercise.id in absent else next(ran)
                    for exercise, cases in plan]
    checked = []
    for (exercise, cases), task in zip(plan, outcomes):
        result = results[exercise.id]
        result.seconds = task.seconds
        # an untouched stub has no loops yet: "replace the stub" is the message, not "add a loop"
        stub = bool(task.calls) and all(c.kind == "raised" and c.exc_type == "NotImplementedError" for c in task.calls)
        result.static = violations(source, exercise.id, exercise.forbid) + (
            [] if stub else missing_requirements(source, exercise.id, exercise.require))
        checked.append((exercise, cases, task, _differences(course, exercise, cases, task.calls, oracle, student)))
    _resolve_deferred([differences for *_, differences in checked])
    for exercise, cases, task, differences in checked:
        _score_exercise(course, exercise, cases, task.calls, task.error, differences, oracle, results[exercise.id])
    return list(results.values())


def _explain_load_error(course: Course, reason: str) -> str:
    """Why the module could not be loaded; for one that imports another of the student's modules,
    also why that cannot work."""
    import re

    found = re.search(r"No module named '([A-Za-z_][A-Za-z0-9_]*)'", reason)
    if found and found.group(1) in {a.id for a in course.assignments}:
        return (f"{reason} — each module is graded on its own, so it cannot import your "
                f"{found.group(1)}.py: copy the function you need into this module")
    return reason


def _missing_function(name: str, count: int, reason: str | None = None) -> TaskOutcome:
    reason = reason or f"your module has no function named {name!r}"
    return TaskOutcome(name, [CallOutcome("error", message=reason) for _ in range(count)], reason)


def _source_problem(source: str) -> str | None:
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return f"the submission is larger than {MAX_SOURCE_BYTES // 2**20} MB"
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return f"SyntaxError on line {exc.lineno}: {exc.msg}" + (f"\n    {exc.text.rstrip()}" if exc.text else "")
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"the submission could not be parsed: {type(exc).__name__}"
    return None


def _tolerances(course, exercise) -> tuple[float, float]:
    defaults = course.spec.defaults
    if exercise.tolerance:
        return exercise.tolerance.rtol, exercise.tolerance.atol
    return defaults.rtol, defaults.atol


def _differences(course, exercise, cases, calls: list[CallOutcome], oracle, student) -> list:
    """One Difference, None or Deferred per case."""
    rtol, atol = _tolerances(course, exercise)
    return [check_case(case, call, oracle, rtol if case.group.rtol is None else case.group.rtol,
                       atol if case.group.atol is None else case.group.atol, student)
            for case, call in zip(cases, calls)]


def _resolve_deferred(all_differences: list[list]) -> None:
    """Run every deferred comparison of a submission together, in one time-boxed child."""
    deferred = [(d, i) for d in all_differences for i, item in enumerate(d) if isinstance(item, Deferred)]
    if not deferred:
        return
    timeout = max(d[i].timeout for d, i in deferred)
    for (d, i), outcome in zip(deferred, compare_batch([d[i].run for d, i in deferred], timeout)):
        d[i] = outcome


def _score_exercise(course, exercise, cases, calls, task_error, differences, oracle, result: ExerciseResult):
    rtol, atol = _tolerances(course, exercise)
    if task_error:
        result.error = task_error
    by_group: dict[str, GroupResult] = {}
    failing: list[tuple[PreparedCase, CallOutcome]] = []
    passed_literal: list[tuple[PreparedCase, CallOutcome]] = []   # every student's: mistakes' answers are shared
    for case, call, difference in zip(cases, calls, differences):
        group = case.group
        record = by_group.setdefault(group.name, GroupResult(group.name, group.kind, group.visibility, group.weight, 0, 0))
        record.total += 1
        if difference is None:
            record.passed += 1
            if group.cases is not None and call.kind in ("value", "raised"):
                passed_literal.append((case, call))
        else:
            if record.failure is None:
                # a local check's generated inputs are fresh draws, not the graded ones: shown too
                public = group.visibility == "public" or (getattr(oracle, "fresh_inputs", False) and group.cases is None)
                # a difference told in one line (a dtype, a type) has no separate detail: show that line
                record.failure = CaseFailure(case.label, difference.summary,
                                             (difference.detail or difference.summary) if public else difference.summary,
                                             case.describe_inputs() if public else "")
            if call.kind in ("value", "raised"):
                failing.append((case, call))
    result.groups = list(by_group.values())
    total_weight = sum(g.weight for g in result.groups)
    fraction = sum(g.weight * g.fraction for g in result.groups) / total_weight if total_weight else 0.0
    result.score = 0.0 if result.static else round(exercise.points * fraction, 4)
    if failing and exercise.mistakes:
        result.mistakes = match_mistakes(exercise, failing, oracle, rtol, atol, passed_literal)


def as_sent(outcome: Outcome) -> CallOutcome:
    """A trusted outcome as the sandbox would report it: the value through the wire format and back."""
    if outcome.kind == "raised":
        return CallOutcome("raised", exc_type=outcome.exc_mro[0], exc_mro=outcome.exc_mro, message=outcome.message)
    blobs: list[bytes] = []
    tree, _ = encode(outcome.value, blobs)
    return CallOutcome("value", value=decode(json.loads(json.dumps(tree)), blobs, trusted=False),
                       warnings=["a warning"] if outcome.warned else [])


def stub_outcome(function: str) -> CallOutcome:
    return CallOutcome("raised", exc_type="NotImplementedError", exc_mro=["NotImplementedError", "RuntimeError", "Exception",
                                                                           "BaseException", "object"], message=function)


def check_case(case: PreparedCase, call: CallOutcome, oracle, rtol: float, atol: float, student: str = "") -> Difference | None:
    group = case.group
    if call.kind == "error":
        return Difference(call.message)
    if group.kind == "raises":
        if call.kind == "raised":
            if group.raises in call.exc_mro:
                return None
            return Difference(f"expected {group.raises}, but the call raised {call.exc_type}",
                              f"expected {group.raises}, but the call raised {call.message or call.exc_type}")
        return Difference(f"expected {group.raises} to be raised, but the call returned {_type_of(call.value)}",
                          f"expected {group.raises} to be raised, but the call returned {show(call.value)}")
    if call.kind == "raised":
        hint = " — replace the stub's `raise NotImplementedError` with your code" if call.exc_type == "NotImplementedError" else ""
        return Difference(f"the call raised {call.exc_type}{hint}", f"the call raised {call.message or call.exc_type}{hint}")
    if call.mutated:
        return Difference(f"your function changed its input ({', '.join(call.mutated)}): work on a copy instead")
    if group.no_warnings and call.warnings:
        return Difference(f"your function emitted a warning ({call.warnings[0]}): this case must run without warnings")
    if group.kind in ("compare", "symbolic"):
        expected = oracle.expected(case)
        if expected is None:
            return Difference("no expected value is available for this case")
        if expected.kind == "raised":
            return Difference(f"the reference raised on this case ({expected.message}); please tell your instructor")
        if group.kind == "symbolic" or _has_sympy(expected.value):
            spec = group.symbolic
            verdict = compare_symbolic_any(expected.value, call.value, spec, mode="fast")
            if verdict is not UNDECIDED:
                return verdict
            return Deferred(lambda: compare_symbolic_any(expected.value, call.value, spec, mode="inline"),
                            spec.timeout if spec else 2.0)
        return compare(expected.value, call.value, rtol, atol)
    if group.kind == "property":
        named = case.named()
        if _has_sympy(call.value) or _has_sympy(named):
            return Deferred(lambda: check_property(group.property, named, call.value, True, inline=True), 5.0)
        return check_property(group.property, named, call.value, False)
    if group.kind == "gradient":
        forward = build_forward(group.gradient.forward, [p for p, _ in case.exercise.parameters])
        rng = np.random.default_rng(seed_for("gradient", student, case.exercise.id, group.name, case.index))
        try:
            return check_gradient(case.named(), call.value, group.gradient, forward, rng)
        except (ValueError, TypeError, FloatingPointError, OverflowError, IndexError, KeyError) as exc:
            return Difference(f"the gradient could not be checked: {type(exc).__name__}: {exc}")
    return Difference(f"unknown check kind {group.kind}")


@dataclass
class Deferred:
    """A symbolic comparison to run later, batched with the exercise's others in one time-boxed child."""

    run: Any
    timeout: float


def compare_symbolic_any(expected, actual, spec, inline: bool = False, mode: str | None = None):
    """Symbolic comparison through lists and tuples (e.g. a sorted list of exact roots).

    mode: "fast" (decide in this process or return UNDECIDED), "inline" (already in a time-boxed
    child) or "timeboxed" (the default; inline=True means "inline")."""
    import sympy

    mode = mode or ("inline" if inline else "timeboxed")
    kwargs = {"timeout": spec.timeout, "points": spec.points} if spec else {}
    if isinstance(expected, (sympy.Basic, sympy.MatrixBase)):
        return compare_symbolic(expected, actual, mode=mode, **kwargs)
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return Difference(f"expected a list of {len(expected)} items, got {_type_of(actual)}")
        if len(expected) != len(actual):
            return Difference(f"expected {len(expected)} items, got {len(actual)}",
                              f"expected {len(expected)} items, got {len(actual)}\n expected: {show(expected)}\n got:      {show(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            difference = compare_symbolic_any(e, a, spec, mode=mode)
            if difference is UNDECIDED:
                return UNDECIDED
            if difference:
                if _reordered(expected, actual, spec, mode):
                    text = "the items are right but in another order: see the order the exercise asks for"
                    return Difference(text, f"{text}\n expected: {show(expected)}\n got:      {show(actual)}")
                return Difference(f"item {i}: {difference.summary}", f"item {i}: {difference}")
        return None
    return compare(expected, actual)


def _reordered(expected, actual, spec, mode) -> bool:
    """The same items in another order (each expected item equals a different one of actual)."""
    if len(expected) > 12:
        return False
    quick = "fast" if mode == "timeboxed" else mode
    free = list(range(len(actual)))
    for e in expected:
        # decided in this process where possible: a time-boxed child per pair would cost n² forks
        match = next((j for j in free if compare_symbolic_any(e, actual[j], spec, mode=quick) is None), None)
        if match is None:
            return False
        free.remove(match)
    return True


def _type_of(value) -> str:
    from .checks.compare import type_name

    return type_name(value)


def _has_sympy(value) -> bool:
    sympy = sys.modules.get("sympy")
    if sympy is None:  # nothing can be a sympy value before sympy is imported
        return False
    if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_sympy(v) for v in value)
    if isinstance(value, dict):
        return any(_has_sympy(v) for v in value.values())
    return False


def _same(a: Any, b: Any, rtol: float, atol: float, inline: bool = False) -> bool:
    try:
        if _has_sympy(a):
            return compare_symbolic_any(a, b, None, inline=inline) is None
        return compare(a, b, max(rtol, 1e-6), max(atol, 1e-9)) is None
    except Exception:  # noqa: BLE001 - values of different kinds simply differ
        return False


def match_mistakes(exercise: Exercise, failing, oracle, rtol, atol, passed=()) -> list[dict]:
    """Known mistakes that the student's outputs reproduce.

    Only failing cases where the mistake behaves differently from the reference count as evidence
    (elsewhere agreeing with the mistake proves nothing); a mistake matches when there is such a case
    among those examined and the student agrees with it on every one. A case the student passed
    where the mistake fails rules the mistake out (`passed`: literal cases, whose answers every
    student shares). A match on returned values outranks a match on exception types alone, and
    of those, the ones with evidence on the most cases are returned.
    Comparisons of trusted values (reference, mistakes) run inline; those involving the student's
    sympy values run together in one time-boxed child.
    """
    examined = failing[:MISTAKE_CASES]
    evidence: dict[int, list] = {}   # mistake -> [(call, mistake outcome)] on discriminating cases

    def discriminating(case, index, call=None):
        """The mistake's outcome where it differs from the reference's, else None. With the call of
        a case the student passed: where it differs from the student's too (a warning that the
        student's code also emitted is no difference)."""
        outcome, reference = oracle.mistake(case, index), oracle.expected(case)
        if outcome is None or reference is None:
            return None
        warned = outcome.warned and not reference.warned and (call is None or not call.warnings)
        mutated = outcome.mutated and not reference.mutated and (call is None or not call.mutated)
        differs = (outcome.kind != reference.kind or warned or mutated
                   or (outcome.kind == "raised" and outcome.exc_mro[:1] != reference.exc_mro[:1])
                   or (outcome.kind == "value" and not _same(reference.value, outcome.value, rtol, atol, inline=True)))
        return outcome if differs else None

    for index in range(len(exercise.mistakes)):
        evidence[index] = [(call, outcome) for case, call in examined
                           if (outcome := discriminating(case, index)) is not None]
        if evidence[index] and any(discriminating(case, index, call) is not None for case, call in passed[:2 * MISTAKE_CASES]):
            evidence[index] = []  # the student got right a case this mistake gets wrong: not this mistake
    verdicts = {}
    symbolic = []
    for i, items in evidence.items():
        for k, (call, outcome) in enumerate(items):
            if call.kind == outcome.kind == "value" and _has_sympy(outcome.value):
                verdict = compare_symbolic_any(outcome.value, call.value, None, mode="fast")
                if verdict is UNDECIDED:
                    symbolic.append((i, k))
                else:
                    verdicts[(i, k)] = verdict is None
    if symbolic:
        runs = [lambda i=i, k=k: compare_symbolic_any(evidence[i][k][1].value, evidence[i][k][0].value, None, inline=True)
                for i, k in symbolic]
        verdicts.update({key: difference is None for key, difference in zip(symbolic, compare_batch(runs))})
    by_values, by_exceptions = [], []
    for index, items in evidence.items():
        agrees, values_seen = bool(items), False
        for k, (call, outcome) in enumerate(items):
            if call.kind != outcome.kind:
                agrees = False
            elif call.kind == "raised":
                agrees = agrees and outcome.exc_mro[:1] == [call.exc_type]
            else:
                values_seen = True
                same = verdicts[(index, k)] if (index, k) in verdicts else _same(outcome.value, call.value, rtol, atol)
                # a mistake that writes into its input is not what a student did who does not
                agrees = agrees and same and (not outcome.warned or bool(call.warnings)) and (not outcome.mutated or bool(call.mutated))
            if not agrees:
                break
        if agrees:
            mistake = exercise.mistakes[index]
            # also writing into the input, or also not: a closer match
            alike = all(outcome.mutated == bool(call.mutated) for call, outcome in items)
            (by_values if values_seen else by_exceptions).append(
                ((len(items), alike), {"name": mistake.name, "feedback": mistake.feedback}))
    matched = by_values or by_exceptions
    # the mistakes that explain the most of the student's failing cases (one that explains one of
    # two while the student also fails where it is right is a weaker explanation)
    best = max((rank for rank, _ in matched), default=None)
    return [mistake for rank, mistake in matched if rank == best]
