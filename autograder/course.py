"""The course as the grader reads it: a loaded course, what its exercises' specs say, and the same
specs read back from a student release without pydantic.

`spec.py` validates what authors write (YAML, pydantic models, positioned errors). A student release
carries specs that were validated when it was built; `autograder check` reads them here as plain
records, because importing pydantic and building its schemas costs ~0.07 s of every check a
student waits for. The models in `spec.py` and the records here share the mixins below, so the
grader asks both the same questions; tests/test_spec.py holds their fields equal.
"""
from __future__ import annotations

import ast
import builtins
import functools
from pathlib import Path
from typing import Any, ClassVar, Optional


class SpecError(Exception):
    """One or more problems in course files, each already formatted as `path:line:col: message`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@functools.lru_cache(maxsize=4096)
def signature_of(function: str) -> tuple[str, list[tuple[str, Optional[str]]], Optional[str]]:
    """('relu', [('x', 'np.ndarray')], 'np.ndarray') from 'def relu(x: np.ndarray) -> np.ndarray'."""
    text = function.strip().rstrip(":")
    try:
        tree = ast.parse(text + ":\n    pass")
    except SyntaxError:
        raise ValueError(f"function must be a signature line like 'def name(x: np.ndarray) -> float', got {function!r}") from None
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef):
        raise ValueError("function must start with 'def'")
    args = fn.args.posonlyargs + fn.args.args
    params = [(a.arg, ast.unparse(a.annotation) if a.annotation else None) for a in args]
    returns = ast.unparse(fn.returns) if fn.returns else None
    return fn.name, params, returns


# ---------------------------------------------------------------- what a spec says

class CheckGroupFacts:
    """Derived facts of a check group (fields: see spec.CheckGroup)."""

    @builtins.property  # a check group has a field named `property`
    def kind(self) -> str:
        for k in ("raises", "property", "gradient", "symbolic"):
            if getattr(self, k) is not None:
                return k
        return "compare"


class ExerciseFacts:
    """Derived facts of an exercise (fields: see spec.Exercise)."""

    @property
    def uses_sympy(self) -> bool:
        """Its signature has sympy types, or its inputs are expressions or callables built from them
        (a callable written as code, `{callable: {code: ...}}`, is plain Python)."""
        return (any(word in self.function for word in ("sympy", "Expr", "Symbol", "Matrix"))
                or any(word in self.inputs_text for word in ("'expr'", "'symbol'", "sympy", "FunctionOf")))

    @property
    def inputs_text(self) -> str:
        """The argument specs and literal cases of every check group, as text (to ask what they use)."""
        return "".join(str(g.args) + str([(c.args, c.kwargs, c.expect) for c in g.cases or []]) for g in self.checks)

    @property
    def makes_callables_from_expressions(self) -> bool:
        """Some input is a function built from a sympy expression (`lambdify` in the sandbox)."""
        def walk(value) -> bool:
            if isinstance(value, dict):
                inner = value.get("callable")
                return (isinstance(inner, dict) and "expr" in inner) or any(walk(v) for v in value.values())
            if isinstance(value, (list, tuple)):
                return any(walk(v) for v in value)
            return isinstance(value, str) and "FunctionOf" in value
        return any(walk(g.args) or walk([(c.args, c.kwargs) for c in g.cases or []]) for g in self.checks)

    @property
    def parameters(self) -> list[tuple[str, Optional[str]]]:
        return list(signature_of(self.function)[1])

    @property
    def return_annotation(self) -> Optional[str]:
        return signature_of(self.function)[2]


# ---------------------------------------------------------------- a loaded course

class Course:
    """A loaded course: its spec, exercises by id, and where it lives."""

    def __init__(self, root: Path, spec, exercises: dict):
        self.root = root
        self.spec = spec
        self.exercises = exercises

    @property
    def assignments(self) -> list:
        return self.spec.assignments

    def assignment(self, assignment_id: str):
        for assignment in self.spec.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise KeyError(assignment_id)

    def exercises_of(self, assignment_id: str) -> list:
        return [self.exercises[e] for e in self.assignment(assignment_id).exercises]

    def solution_path(self, assignment_id: str) -> Path:
        return self.root / "solutions" / f"{assignment_id}.py"


def find_course_root(start: Path | str = ".") -> Optional[Path]:
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "course.yml").exists():
            return folder
    return None


# ---------------------------------------------------------------- specs read back from a release

class Record:
    """A spec model's fields as plain attributes, read from the complete dump `autograder build`
    wrote (every field present, None included). FIELDS names them, NESTED the records inside."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    NESTED: ClassVar[dict[str, type]] = {}

    @classmethod
    def read(cls, data: Any, where: str):
        if not isinstance(data, dict):
            raise SpecError([f"{where}: expected a mapping of fields, found {type(data).__name__}"])
        said = []
        missing, unexpected = [k for k in cls.FIELDS if k not in data], sorted(set(data) - set(cls.FIELDS))
        if missing:
            said.append(f"missing {', '.join(missing)}")
        if unexpected:
            said.append(f"unexpected {', '.join(unexpected)}")
        if said:
            raise SpecError([f"{where}: {'; '.join(said)} (rebuild the release with this version of autograder)"])
        record = cls.__new__(cls)
        for name, value in data.items():
            kind = cls.NESTED.get(name)
            if kind is not None and value is not None:
                value = ([kind.read(v, f"{where}.{name}[{i}]") for i, v in enumerate(value)] if isinstance(value, list)
                         else kind.read(value, f"{where}.{name}"))
            setattr(record, name, value)
        return record

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.FIELDS)})"


class ToleranceRecord(Record):
    FIELDS = ("rtol", "atol", "reason")


class LimitsRecord(Record):
    FIELDS = ("timeout", "memory_mb")


class CaseRecord(Record):
    FIELDS = ("args", "kwargs", "expect", "has_expect")


class PropertyRecord(Record):
    FIELDS = ("name", "expr")


class GradientRecord(Record):
    FIELDS = ("forward", "wrt", "grads", "mode", "directions", "h", "rtol")


class SymbolicRecord(Record):
    FIELDS = ("timeout", "points")


class CheckGroupRecord(CheckGroupFacts, Record):
    FIELDS = ("name", "visibility", "weight", "cases", "count", "pool", "dims", "args", "raises", "property",
              "gradient", "symbolic", "rtol", "atol", "self_check", "no_warnings")
    NESTED = {"cases": CaseRecord, "property": PropertyRecord, "gradient": GradientRecord, "symbolic": SymbolicRecord}


class MistakeRecord(Record):
    FIELDS = ("name", "feedback", "code")


class ExerciseRecord(ExerciseFacts, Record):
    FIELDS = ("id", "title", "points", "function", "prompt", "forbid", "require", "tolerance", "limits", "checks",
              "hints", "mistakes", "assignment", "path")
    NESTED = {"tolerance": ToleranceRecord, "limits": LimitsRecord, "checks": CheckGroupRecord, "mistakes": MistakeRecord}


class AssignmentRecord(Record):
    FIELDS = ("id", "title", "exercises")


class DefaultsRecord(Record):
    FIELDS = ("rtol", "atol", "timeout", "memory_mb", "pool_factor")


class CourseRecord(Record):
    FIELDS = ("name", "seed", "defaults", "assignments")
    NESTED = {"defaults": DefaultsRecord, "assignments": AssignmentRecord}
