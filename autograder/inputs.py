"""Inputs: literal arguments converted by annotation, and a small vocabulary of seeded generators.

Every random choice comes from one `numpy.random.Generator` whose seed is a hash of
(course seed, student id, exercise id, check name, case number): the same on every machine, for
every regrade. numpy's Generator streams are platform independent.
"""
from __future__ import annotations

import functools
import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .wire import Callable_, RngSeed


def seed_for(*parts: Any) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def rng_for(*parts: Any) -> np.random.Generator:
    return np.random.default_rng(seed_for(*parts))


@dataclass
class CaseInput:
    """The arguments of one call: positional values, then keyword values (names of the signature)."""

    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)

    def by_name(self, parameters: list[str]) -> dict:
        named = dict(zip(parameters, self.args))
        named.update(self.kwargs)
        return named


# ---------------------------------------------------------------- literals

def convert_literal(value: Any, annotation: str | None) -> Any:
    """Turn a YAML literal into the type the signature announces (lists → arrays, tuples, sympy)."""
    if annotation is None or value is None:
        return value
    ann = annotation.replace(" ", "")
    if isinstance(value, dict) and ann.startswith(("dict", "Mapping")):
        inner = _inner(ann)
        value_ann = inner.split(",", 1)[1] if inner and "," in inner else None
        return {k: convert_literal(v, value_ann) for k, v in value.items()}
    if ann.startswith(("list[", "List[", "Sequence[", "Iterable[")) and isinstance(value, list):
        return [convert_literal(v, _inner(ann)) for v in value]
    if ann.startswith(("tuple[", "Tuple[")) and isinstance(value, list):
        inner = _inner(ann)
        parts = _split_top(inner) if inner else []
        if len(parts) == 2 and parts[1] == "...":
            return tuple(convert_literal(v, parts[0]) for v in value)
        if parts and len(parts) == len(value):
            return tuple(convert_literal(v, p) for v, p in zip(value, parts))
        return tuple(value)
    if "ndarray" in ann or ann in ("Array", "ArrayLike"):
        if isinstance(value, (list, int, float, bool)):
            return _array(value)
        return value
    if ann in ("tuple", "Tuple") and isinstance(value, list):
        return tuple(value)
    if ann == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if ("Symbol" in ann or "Expr" in ann or ann.startswith(("sympy", "sp."))) and isinstance(value, (str, int, float)):
        import sympy

        if "Symbol" in ann and isinstance(value, str):
            return sympy.Symbol(value)
        return sympy.sympify(value)  # trusted course text, parsed in the grader
    if "Matrix" in ann and isinstance(value, list):
        import sympy

        return sympy.ImmutableMatrix([[sympy.sympify(v) for v in row] for row in value])
    return value


def _array(value):
    array = np.array(value)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    return array


def _inner(ann: str) -> str:
    start = ann.find("[")
    return ann[start + 1:-1] if start >= 0 and ann.endswith("]") else ""


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


# ---------------------------------------------------------------- generators

class Generation:
    """Draws the values of one case: dims first, then each argument in order."""

    def __init__(self, rng: np.random.Generator, dims: dict[str, int] | None = None):
        self.rng = rng
        self.dims = dict(dims or {})
        self.drawn: dict[str, Any] = {}

    def draw_dims(self, spec: dict) -> None:
        for name, value in spec.items():
            self.dims[name] = self.integer(value)

    def integer(self, spec) -> int:
        if isinstance(spec, bool):
            raise ValueError(f"expected an integer, got {spec!r}")
        if isinstance(spec, int):
            return spec
        if isinstance(spec, str):
            if spec not in self.dims:
                raise ValueError(f"unknown dimension {spec!r} (declare it under dims:)")
            return self.dims[spec]
        if isinstance(spec, list) and len(spec) == 2:
            low, high = self.integer(spec[0]), self.integer(spec[1])
            return int(self.rng.integers(low, high + 1))
        if isinstance(spec, dict) and "choice" in spec:
            return int(spec["choice"][int(self.rng.integers(len(spec["choice"])))])
        raise ValueError(f"expected an integer, a dimension name or [low, high], got {spec!r}")

    def value(self, spec: Any, annotation: str | None = None) -> Any:
        if isinstance(spec, dict) and len(spec) == 1:
            (key,) = spec
            method = getattr(self, f"gen_{key}", None)
            if method is not None:
                return method(spec[key], annotation)
        return convert_literal(spec, annotation)

    # -- numbers and choices
    def gen_int(self, spec, annotation):
        return self.integer(spec)

    def gen_float(self, spec, annotation):
        low, high = spec
        return float(self.rng.uniform(low, high))

    def gen_choice(self, spec, annotation):
        return self.value(spec[int(self.rng.integers(len(spec)))], annotation)

    def gen_value(self, spec, annotation):
        return convert_literal(spec, annotation)

    def gen_dim(self, spec, annotation):
        return self.integer(spec)

    # -- shapes and arrays
    def gen_shape(self, spec, annotation):
        rank = self.integer(spec.get("rank", [1, 3]))
        dim = spec.get("dim", [1, 5])
        return tuple(self.integer(dim) for _ in range(rank))

    def shape_of(self, spec) -> tuple:
        if isinstance(spec, dict):
            return self.gen_shape(spec.get("shape", spec), None)
        if isinstance(spec, (int, str)):
            return (self.integer(spec),)
        return tuple(self.integer(s) for s in spec)

    def gen_array(self, spec, annotation):
        shape = self.shape_of(spec.get("shape", [3]))
        distribution = spec.get("distribution")
        dtype = np.dtype(spec.get("dtype", "int64" if distribution == "integers" else "float64"))
        distribution = distribution or ("integers" if dtype.kind in "iu" else "uniform")
        low, high = spec.get("low", -1.0), spec.get("high", 1.0)
        if distribution == "uniform":
            data = self.rng.uniform(low, high, size=shape)
        elif distribution == "normal":
            data = self.rng.normal(spec.get("mean", 0.0), spec.get("scale", 1.0), size=shape)
        elif distribution == "integers":
            data = self.rng.integers(int(spec.get("low", -5)), int(spec.get("high", 5)) + 1, size=shape)
        else:
            raise ValueError(f"unknown distribution {distribution!r} (uniform, normal, integers)")
        return np.asarray(data).astype(dtype)

    def gen_matrix(self, spec, annotation):
        n = self.integer(spec.get("n", [2, 5]))
        m = self.integer(spec["m"]) if "m" in spec else n
        kind = spec.get("kind", "general")
        rng = self.rng
        if kind == "general":
            return rng.normal(size=(m, n))
        if kind == "well_conditioned":
            # singular values in [1, 3]: condition number at most 3
            q1, _ = np.linalg.qr(rng.normal(size=(n, n)))
            q2, _ = np.linalg.qr(rng.normal(size=(n, n)))
            return q1 @ np.diag(rng.uniform(1.0, 3.0, size=n)) @ q2
        if kind == "singular":
            # integer entries with one row a sum of two others: singular exactly, even in floating point
            a = rng.integers(-5, 6, size=(n, n)).astype(float)
            if n == 1:
                return np.zeros((1, 1))
            i, j = rng.choice(n, size=2, replace=False)
            k = int(rng.integers(n))
            a[k] = a[i] + a[j] if k not in (i, j) else 2 * a[j if k == i else i]
            return a
        if kind == "orthogonal":
            q, r = np.linalg.qr(rng.normal(size=(n, n)))
            return q * np.sign(np.diag(r))
        if kind == "symmetric":
            a = rng.normal(size=(n, n))
            return (a + a.T) / 2
        if kind == "spd":
            a = rng.normal(size=(n, n))
            return a @ a.T + n * np.eye(n)
        raise ValueError(f"unknown matrix kind {kind!r}")

    def gen_labels(self, spec, annotation):
        n, classes = self.integer(spec.get("n", 4)), self.integer(spec.get("classes", 3))
        return self.rng.integers(0, classes, size=n).astype(np.int64)

    # -- symbols and expressions
    def gen_symbol(self, spec, annotation):
        import sympy

        if isinstance(spec, dict):
            name = spec["name"]
            return sympy.Symbol(name, **{k: v for k, v in spec.items() if k != "name"})
        return sympy.Symbol(spec)

    def gen_symbols(self, spec, annotation):
        symbols = [self.gen_symbol(s, None) for s in spec]
        return tuple(symbols) if annotation and "tuple" in annotation.lower() else symbols

    def gen_sympy(self, spec, annotation):
        import sympy

        return sympy.sympify(spec)  # trusted course text

    def gen_expr(self, spec, annotation):
        variables = spec.get("vars", ["x"])
        depth = int(spec.get("depth", 2))
        ops = spec.get("ops", ["add", "mul", "pow", "sin", "cos", "exp", "log"])
        for _ in range(50):
            expr = random_expression(self.rng, variables, depth, ops)
            if expr.free_symbols:
                return expr
        raise ValueError("could not draw an expression that uses its variables")

    def gen_callable(self, spec, annotation):
        if "code" in spec:
            return Callable_(code=spec["code"])
        import sympy

        expr = spec["expr"]
        expr = self.value(expr) if isinstance(expr, dict) else sympy.sympify(expr)
        return Callable_(expr=expr, variables=spec.get("vars", ["x"]))

    def gen_rng(self, spec, annotation):
        return RngSeed(int(self.rng.integers(2**62)))

    def gen_list(self, spec, annotation):
        return [self.value(s) for s in spec]

    def gen_tuple(self, spec, annotation):
        return tuple(self.value(s) for s in spec)

    def gen_python(self, spec, annotation):
        namespace = {"rng": self.rng, "np": np, "numpy": np, "math": math, "dims": self.dims,
                     "FunctionOf": lambda expr, variables: Callable_(expr=expr, variables=variables),
                     "Code": lambda source: Callable_(code=source), **self.dims, **self.drawn}
        if "sympy" in spec:  # only then: importing sympy costs a local check of a numeric exercise 0.3 s
            import sympy

            namespace["sympy"] = sympy
        return eval(_compiled(spec), namespace)  # trusted course code, run in the grader


@functools.lru_cache(maxsize=4096)
def _compiled(source: str):
    return compile(source, "<python generator>", "eval")


def random_expression(rng: np.random.Generator, variables: list[str], depth: int, ops: list[str]):
    """An expression from a small grammar that stays real and finite on the whole real line."""
    import sympy

    symbols = [sympy.Symbol(v) for v in variables]
    if depth <= 0 or rng.random() < 0.25:
        if rng.random() < 0.75:
            return symbols[int(rng.integers(len(symbols)))]
        return sympy.Integer(int(rng.integers(1, 6)))
    op = ops[int(rng.integers(len(ops)))]
    sub = lambda: random_expression(rng, variables, depth - 1, ops)  # noqa: E731
    if op == "add":
        return sub() + sub()
    if op == "mul":
        return sub() * sub()
    if op == "pow":
        return sub() ** int(rng.integers(2, 4))
    if op == "log":
        return sympy.log(sub() ** 2 + 1)
    if op == "exp":
        # keep exponents small so values stay moderate
        return sympy.exp(sub() / 4)
    if op in ("sin", "cos", "tan", "tanh", "atan"):
        return getattr(sympy, op)(sub())
    raise ValueError(f"unknown expression operation {op!r}")


_GENERATOR_KEYS = {name[4:] for name in dir(Generation) if name.startswith("gen_")}


def is_generator(spec: Any) -> bool:
    return isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in _GENERATOR_KEYS


def identifier(text: str) -> str:
    return re.sub(r"\W", "_", text)
