"""The course as authored: pydantic models for course.yml and exercise files, and their loading.

What the grader asks of a spec (an exercise's parameters, a group's kind) and the loaded `Course`
live in `course.py`, shared with the records a student release is read into. Loading never raises
a traceback at a user: every problem becomes a `SpecError` whose lines read `path:line:col:
message`, pointing at the YAML node that is wrong.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .course import CheckGroupFacts, Course, ExerciseFacts, SpecError, signature_of

CHECK_KINDS = ("compare", "raises", "property", "gradient", "symbolic")
GENERATORS = (
    "int", "float", "choice", "value", "dim", "shape", "array", "matrix", "labels", "symbol",
    "symbols", "sympy", "expr", "callable", "rng", "list", "tuple", "python",
)
_OPERATOR_RULES = {"@", "*", "**", "+", "-", "/", "//", "%"}


# ---------------------------------------------------------------- YAML with positions

@functools.lru_cache(maxsize=1)
def _course_loader():
    """PyYAML's safe loader, except that 1e-8 and 1.0e11 are numbers (YAML 1.2, as an author expects);
    YAML 1.1 wants a dot and a signed exponent (1.0e-8, 1.0e+11) and reads the rest as strings."""
    import yaml

    class CourseLoader(yaml.SafeLoader):
        pass

    CourseLoader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    CourseLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"), list("-+0123456789."))
    return CourseLoader


def load_yaml(path: Path) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    """Parse YAML into plain data plus a map from each node's path to its (line, col), 1-based."""
    import yaml

    text = path.read_text(encoding="utf-8")
    loader = _course_loader()
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([f"{path}:{line}:{col}: invalid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise SpecError([f"{path}:1:1: invalid YAML: {exc}"]) from None
    marks: dict[tuple, tuple[int, int]] = {}
    if node is None:
        return None, marks
    constructor = loader(text)
    try:
        return _to_data(node, (), marks, constructor), marks
    except SpecError as exc:
        raise SpecError([m.replace("{path}", str(path)) for m in exc.problems]) from None
    except yaml.YAMLError as exc:
        raise SpecError([f"{path}:1:1: invalid YAML: {exc}"]) from None
    finally:
        constructor.dispose()


def _to_data(node, where: tuple, marks: dict, constructor) -> Any:
    import yaml

    marks[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        marks[where] = (node.start_mark.line + 2, node.start_mark.column + 1)  # the first line of the block
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise SpecError([f"{{path}}:{line}:{col}: duplicate key {key!r}"])
            marks[where + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _to_data(value_node, where + (key,), marks, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(child, where + (i,), marks, constructor) for i, child in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _locate(marks: dict, loc: tuple) -> tuple[int, int]:
    loc = tuple(loc)
    while loc and loc not in marks:
        loc = loc[:-1]
    return marks.get(loc, (1, 1))


def _format_validation(path: Path, exc: ValidationError, marks: dict) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line, col = _locate(marks, loc)
        where = ".".join(str(p) for p in loc)
        message = err["msg"].removeprefix("Value error, ")
        snippet = re.search(r"\(line (\d+) of the snippet\)", message)
        if snippet:
            line += int(snippet.group(1)) - 1
        problems.append(f"{path}:{line}:{col}: {where + ': ' if where else ''}{message}")
    return problems


# ---------------------------------------------------------------- models

class Strict(BaseModel):
    # schemas are built on first use, so importing this module stays cheap for `autograder check`
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Tolerance(Strict):
    rtol: float = Field(ge=0)
    atol: float = Field(ge=0)
    reason: str = Field(min_length=3)


class Limits(Strict):
    timeout: Optional[float] = Field(default=None, gt=0, le=600)
    memory_mb: Optional[int] = Field(default=None, ge=64, le=16384)


class Case(Strict):
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    expect: Any = None
    has_expect: bool = False

    @model_validator(mode="before")
    @classmethod
    def _note_expect(cls, data):
        if isinstance(data, dict) and "expect" in data:
            data = dict(data, has_expect=True)
        return data


class PropertySpec(Strict):
    name: str
    expr: str

    @field_validator("expr")
    @classmethod
    def _parses(cls, value):
        _check_python(value, "eval")
        return value


class GradientSpec(Strict):
    forward: str
    wrt: list[str] = Field(min_length=1)
    grads: list[str] = Field(min_length=1)
    mode: Literal["directions", "full"] = "directions"
    directions: int = Field(default=4, ge=1, le=64)
    h: float = Field(default=1e-6, gt=0)
    rtol: float = Field(default=1e-6, gt=0)

    @field_validator("forward")
    @classmethod
    def _parses(cls, value):
        _check_python(value, "exec" if "def forward" in value else "eval")
        return value

    @model_validator(mode="after")
    def _paired(self):
        if len(self.wrt) != len(self.grads):
            raise ValueError(f"gradient: wrt has {len(self.wrt)} entries but grads has {len(self.grads)}")
        return self


class SymbolicSpec(Strict):
    timeout: float = Field(default=2.0, gt=0, le=30)
    points: int = Field(default=8, ge=1, le=100)


class CheckGroup(CheckGroupFacts, Strict):
    name: str = Field(min_length=1)
    visibility: Literal["public", "hidden"] = "hidden"
    weight: float = Field(default=1.0, gt=0)
    cases: Optional[list[Case]] = None
    count: Optional[int] = Field(default=None, ge=1, le=1000)
    pool: Optional[int] = Field(default=None, ge=0, le=100_000)
    dims: dict[str, Any] = {}
    args: Optional[dict[str, Any]] = None
    raises: Optional[str] = None
    property: Optional[PropertySpec] = None
    gradient: Optional[GradientSpec] = None
    symbolic: Optional[SymbolicSpec] = None
    rtol: Optional[float] = Field(default=None, ge=0)
    atol: Optional[float] = Field(default=None, ge=0)
    self_check: bool = True
    no_warnings: bool = False

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data):
        if isinstance(data, dict):
            if data.get("symbolic") is True:
                data = dict(data, symbolic={})
            unknown = set(data) - set(cls.model_fields) - {"kind"}
            if unknown:
                key = sorted(unknown)[0]
                raise ValueError(
                    f"unknown key {key!r} in check group (a check kind is one of {', '.join(CHECK_KINDS)}; "
                    f"other keys: name, visibility, weight, cases, count, pool, dims, args, rtol, atol, self_check, no_warnings)"
                )
            if "kind" in data:
                raise ValueError("write the kind as its own key (raises:, property:, gradient:, symbolic:), not kind:")
        return data

    @model_validator(mode="after")
    def _shape(self):
        kinds = [k for k in ("raises", "property", "gradient", "symbolic") if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"a check group has one kind, this one has {' and '.join(kinds)}")
        if (self.cases is None) == (self.args is None):
            raise ValueError("a check group needs either `cases` or `count` + `args`")
        if self.args is not None and self.count is None:
            raise ValueError("generated checks (`args`) need a `count`")
        if self.raises is not None and not re.fullmatch(r"[A-Z][A-Za-z]*(Error|Exception)", self.raises):
            raise ValueError(f"raises: {self.raises!r} is not an exception name such as ValueError")
        for name, spec in (self.args or {}).items():
            _check_generator(spec, ("args", name))
        for i, case in enumerate(self.cases or []):
            for j, spec in enumerate(case.args):
                _check_generator(spec, ("cases", i, "args", j))
            for name, spec in case.kwargs.items():
                _check_generator(spec, ("cases", i, "kwargs", name))
        return self


class Mistake(Strict):
    name: str
    feedback: str = Field(min_length=10)
    code: str

    @field_validator("code")
    @classmethod
    def _parses(cls, value):
        _check_python(value, "exec")
        return value


class Exercise(ExerciseFacts, Strict):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    title: str
    points: float = Field(gt=0)
    function: str
    prompt: str = Field(min_length=10)
    forbid: list[str] = []
    require: list[Literal["loops"]] = []
    tolerance: Optional[Tolerance] = None
    limits: Limits = Limits()
    checks: list[CheckGroup] = Field(min_length=1)
    hints: list[str] = []
    mistakes: list[Mistake] = []
    # filled by the loader
    assignment: str = ""
    path: str = ""

    @field_validator("function")
    @classmethod
    def _signature(cls, value):
        signature_of(value)
        return value

    @field_validator("forbid")
    @classmethod
    def _rules(cls, rules):
        for rule in rules:
            if not (rule in _OPERATOR_RULES or rule == "loops" or re.fullmatch(r"[A-Za-z_][\w.]*", rule)):
                raise ValueError(f"forbid rule {rule!r} is not `loops`, an operator or a dotted name")
        return rules

    @model_validator(mode="after")
    def _consistent(self):
        name, params, _ = signature_of(self.function)
        if name != self.id:
            raise ValueError(f"function is named {name!r} but the exercise id is {self.id!r}")
        names = [p for p, _ in params]
        for group in self.checks:
            for arg in group.args or {}:
                if arg not in names:
                    raise ValueError(f"check {group.name!r}: argument {arg!r} is not a parameter of {name}{tuple(names)}")
            if group.gradient:
                for target in group.gradient.wrt:
                    if target.split(".")[0] not in names:
                        raise ValueError(f"check {group.name!r}: gradient wrt {target!r} is not an argument")
        seen = set()
        for group in self.checks:
            if group.name in seen:
                raise ValueError(f"two check groups are named {group.name!r}")
            seen.add(group.name)
        return self


class Assignment(Strict):
    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    title: str
    exercises: list[str] = Field(min_length=1)


class Defaults(Strict):
    rtol: float = 1e-7
    atol: float = 1e-9
    timeout: float = 10.0
    memory_mb: int = 1024
    # generated groups draw each student's `count` cases from `pool_factor * count` fixed entries
    # (0: fresh inputs for every student); a group's own `pool` overrides it
    pool_factor: int = Field(default=4, ge=0, le=1000)


class CourseSpec(Strict):
    name: str
    seed: int = 0
    defaults: Defaults = Defaults()
    assignments: list[Assignment] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen: dict[str, str] = {}
        for assignment in self.assignments:
            for ex in assignment.exercises:
                if ex in seen:
                    raise ValueError(f"exercise {ex!r} is listed in both {seen[ex]!r} and {assignment.id!r}")
                seen[ex] = assignment.id
        return self


# ---------------------------------------------------------------- small validators

def _check_python(source: str, mode: str) -> None:
    try:
        ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as exc:
        raise ValueError(f"Python code does not parse: {exc.msg} (line {exc.lineno} of the snippet)") from None


def _check_generator(spec: Any, where: tuple) -> None:
    """Reject mappings that look like generators but name none we know."""
    if isinstance(spec, dict) and len(spec) == 1:
        (key,) = spec
        if key not in GENERATORS and not isinstance(key, int):
            raise ValueError(
                f"{'.'.join(map(str, where))}: unknown input generator {key!r} "
                f"(known: {', '.join(GENERATORS)}); write {{value: ...}} for a literal mapping"
            )
        if key in ("list", "tuple") and isinstance(spec[key], list):
            for i, item in enumerate(spec[key]):
                _check_generator(item, where + (key, i))


# ---------------------------------------------------------------- loading a course

def _validate_file(path: Path, model, extra: Optional[dict] = None):
    data, marks = load_yaml(path)
    if not isinstance(data, dict):
        raise SpecError([f"{path}:1:1: expected a mapping of fields at the top level"])
    try:
        return model.model_validate(dict(data, **(extra or {})))
    except ValidationError as exc:
        raise SpecError(_format_validation(path, exc, marks)) from None
    except SpecError as exc:
        raise SpecError([p.replace("{path}", str(path)) for p in exc.problems]) from None


def load_course(root: Path | str = ".", check_solutions: bool = True) -> Course:
    """Load and validate course.yml and every exercise file; collect all problems before failing."""
    root = Path(root).resolve()
    course_file = root / "course.yml"
    if not course_file.exists():
        raise SpecError([f"{course_file}:1:1: no course.yml here (run inside a course folder or pass --course)"])
    problems: list[str] = []
    try:
        spec = _validate_file(course_file, CourseSpec)
    except SpecError as exc:
        raise SpecError([p.replace("{path}", str(course_file)) for p in exc.problems]) from None
    exercises: dict[str, Exercise] = {}
    for assignment in spec.assignments:
        folder = root / "exercises" / assignment.id
        listed = set(assignment.exercises)
        for ex_id in assignment.exercises:
            path = folder / f"{ex_id}.yml"
            if not path.exists():
                line, col = _course_mark(course_file, ex_id)
                problems.append(f"{course_file}:{line}:{col}: exercise {ex_id!r} of {assignment.id!r} has no file {path.relative_to(root)}")
                continue
            try:
                exercise = _validate_file(path, Exercise, {"assignment": assignment.id, "path": str(path)})
            except SpecError as exc:
                problems.extend(p.replace("{path}", str(path)) for p in exc.problems)
                continue
            if exercise.id != ex_id:
                problems.append(f"{path}:1:1: id is {exercise.id!r} but the file is named {ex_id}.yml")
                continue
            exercises[ex_id] = exercise
        if folder.is_dir():
            for stray in sorted(folder.glob("*.y*ml")):
                if stray.stem not in listed:
                    problems.append(f"{stray}:1:1: exercise file is not listed in course.yml under {assignment.id!r}")
        if check_solutions:
            problems.extend(_check_solution_module(root, assignment, exercises))
    if problems:
        raise SpecError(problems)
    return Course(root, spec, exercises)


def _course_mark(course_file: Path, needle: str) -> tuple[int, int]:
    for number, line in enumerate(course_file.read_text().splitlines(), 1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    return 1, 1


def _check_solution_module(root: Path, assignment: Assignment, exercises: dict[str, Exercise]) -> list[str]:
    """Every exercise needs a reference function of the same name (checked on the AST, not imported)."""
    path = root / "solutions" / f"{assignment.id}.py"
    if not path.exists():
        return [f"{path}:1:1: no reference solutions for assignment {assignment.id!r}"]
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        return [f"{path}:{exc.lineno or 1}:{exc.offset or 1}: reference solutions do not parse: {exc.msg}"]
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    problems = []
    for ex_id in assignment.exercises:
        if ex_id in exercises and ex_id not in defined:
            problems.append(f"{exercises[ex_id].path}:1:1: no reference function {ex_id!r} in {path.relative_to(root)}")
    return problems
