"""compare: the student's value against the reference's — type, then shape and dtype, then values.

Messages follow numpy.testing.assert_allclose: a verdict, counts, the worst difference, both values.
A tuple must come back as a tuple (shapes are compared with ==, and [2, 3] != (2, 3)); a list may
come back as a tuple. A Python number and a numpy scalar (or 0-d array) of the same kind are the same
answer, but an integer must be an integer. An array and a list are not the same. NaN must meet NaN
and ±inf the same infinity.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import Difference

_FAMILIES = {"b": "booleans", "i": "integers", "u": "integers", "f": "floats", "c": "complex numbers"}


def show(value: Any, limit: int = 300) -> str:
    """A short, numpy-style text of a value for messages. Its cost is bounded by `limit`, not by the
    value: a list of a million items or a huge expression is cut before it is printed."""
    try:
        text = _bounded(value, limit + 1)
    except Exception:  # noqa: BLE001 - values here are already plain data; be safe anyway
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + " ..."


SYMPY_SHOWN_NODES = 400  # a larger expression is described, not printed


def _bounded(value: Any, budget: int) -> str:
    if callable(value) and isinstance(getattr(value, "__autograder_text__", None), str):
        return value.__autograder_text__  # a case's function, by its code (see wire.Callable_)
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=40, edgeitems=3, linewidth=100):
            return repr(value)
    if isinstance(value, (list, tuple, dict)):
        items = value.items() if isinstance(value, dict) else value
        parts, used = [], 2
        for item in items:
            if used > budget:
                parts.append("...")
                break
            piece = (f"{_bounded(item[0], budget - used)}: {_bounded(item[1], budget - used)}"
                     if isinstance(value, dict) else _bounded(item, budget - used))
            parts.append(piece)
            used += len(piece) + 2
        inner = ", ".join(parts) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        brackets = "{}" if isinstance(value, dict) else "()" if isinstance(value, tuple) else "[]"
        return brackets[0] + inner + brackets[1]
    if isinstance(value, str) and len(value) > budget:
        return repr(value[:budget])
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic):
        size = _nodes_up_to(value, SYMPY_SHOWN_NODES)
        if size > SYMPY_SHOWN_NODES:
            return f"<an expression of more than {SYMPY_SHOWN_NODES} nodes>"
    return repr(value)


def _nodes_up_to(expr, cap: int) -> int:
    """How many nodes the expression has, counting no further than cap + 1."""
    count, stack = 0, [expr]
    while stack and count <= cap:
        node = stack.pop()
        count += 1
        stack.extend(getattr(node, "args", ()))
    return count


def type_name(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray of shape {value.shape} ({value.dtype})"
    if isinstance(value, np.generic):
        return f"numpy.{type(value).__name__}"
    from ..wire import Unsupported

    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}" + (f" ({value.text})" if value.text and "bytes, over" in value.text else "")
    return type(value).__name__


def compare(expected: Any, actual: Any, rtol: float = 1e-7, atol: float = 1e-9, where: str = "") -> Difference | None:
    """None when `actual` matches `expected`; otherwise the first difference found."""
    at = f"{where}: " if where else ""
    if _is_sympy(expected):
        from .symbolic import compare_symbolic

        return compare_symbolic(expected, actual, where=where)
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, actual, rtol, atol, at)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(actual, (bool, np.bool_)):
            return Difference(f"{at}expected a bool (True or False), got {type_name(actual)}",
                              f"{at}expected a bool (True or False), got {type_name(actual)}: {show(actual)}")
        if bool(expected) != bool(actual):
            return Difference(f"{at}expected {bool(expected)}, got {bool(actual)}")
        return None
    if isinstance(expected, (int, np.integer)):
        if isinstance(actual, np.ndarray) and actual.ndim == 0:
            actual = actual[()]
        if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, np.integer)):
            kind = f"the float {show(actual)}" if isinstance(actual, (float, np.floating)) else type_name(actual)
            return Difference(f"{at}expected an integer, got {kind}", f"{at}expected the integer {expected}, got {kind}")
        if int(expected) != int(actual):
            return Difference(f"{at}expected a different integer", f"{at}expected {int(expected)}, got {int(actual)}")
        return None
    if isinstance(expected, (float, np.floating, complex, np.complexfloating)):
        if isinstance(actual, np.ndarray) and actual.ndim == 0:
            actual = actual[()]
        if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, float, complex, np.number)):
            return Difference(f"{at}expected a number, got {type_name(actual)}",
                              f"{at}expected the number {show(expected)}, got {type_name(actual)}: {show(actual)}")
        return _compare_arrays(np.asarray(expected), np.asarray(actual), rtol, atol, at, scalar=True)
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return Difference(f"{at}expected a string, got {type_name(actual)}")
        if expected != actual:
            return Difference(f"{at}expected a different string", f"{at}expected {expected!r}, got {show(actual, 120)}")
        return None
    if expected is None:
        if actual is not None:
            return Difference(f"{at}expected None, got {type_name(actual)}")
        return None
    if isinstance(expected, tuple) and isinstance(actual, list):
        return Difference(f"{at}expected a tuple, got a list — convert it with tuple(...)",
                          f"{at}expected the tuple {show(expected)}, got the list {show(actual)} — convert it with tuple(...)")
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return Difference(f"{at}expected a {type(expected).__name__} of {_items(len(expected))}, got {type_name(actual)}",
                              f"{at}expected a {type(expected).__name__} of {_items(len(expected))}, got {type_name(actual)}: {show(actual)}")
        if len(expected) != len(actual):
            return Difference(f"{at}expected {_items(len(expected))}, got {len(actual)}",
                              f"{at}expected {_items(len(expected))}, got {len(actual)}\n expected: {show(expected)}\n got:      {show(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            difference = compare(e, a, rtol, atol, f"{where}[{i}]" if where else f"item {i}")
            if difference:
                return difference
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return Difference(f"{at}expected a dict with keys {sorted(map(str, expected))}, got {type_name(actual)}")
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {extra}"] if extra else [])
            return Difference(f"{at}{'; '.join(parts)}")
        for key in expected:
            difference = compare(expected[key], actual[key], rtol, atol, f"{where}[{key!r}]" if where else f"key {key!r}")
            if difference:
                return difference
        return None
    if type(expected) is not type(actual) or expected != actual:
        return Difference(f"{at}expected {type_name(expected)}, got {type_name(actual)}",
                          f"{at}expected {show(expected)}, got {show(actual)}")
    return None


def _is_sympy(value) -> bool:
    sympy = sys.modules.get("sympy")  # nothing can be a sympy value before sympy is imported
    return sympy is not None and isinstance(value, (sympy.Basic, sympy.MatrixBase))


def _compare_arrays(expected: np.ndarray, actual: Any, rtol, atol, at, scalar=False) -> Difference | None:
    if expected.ndim == 0 and isinstance(actual, (np.generic, int, float, complex)) and not isinstance(actual, bool):
        actual = np.asarray(actual)  # a 0-d array and a numpy scalar are the same answer
    if not scalar:
        if not isinstance(actual, np.ndarray):
            hint = " — wrap it with np.asarray(...)" if isinstance(actual, (list, tuple)) else ""
            return Difference(f"{at}expected a numpy.ndarray of shape {expected.shape}, got {type_name(actual)}{hint}",
                              f"{at}expected a numpy.ndarray of shape {expected.shape}, got {type_name(actual)}{hint}: {show(actual)}")
        if actual.shape != expected.shape:
            hint = ""
            if actual.shape == expected.shape[::-1] and len(expected.shape) > 1:
                hint = " — did you transpose?"
            elif actual.size == expected.size:
                hint = " — same number of entries: check your reshape or the axis order"
            elif actual.ndim == expected.ndim - 1:
                hint = " — an axis is missing (keepdims?)"
            return Difference(f"{at}expected shape {expected.shape}, got {actual.shape}{hint}")
        fe, fa = _FAMILIES.get(expected.dtype.kind), _FAMILIES.get(actual.dtype.kind)
        if fe != fa:
            return Difference(f"{at}expected an array of {fe} ({expected.dtype}), got {fa} ({actual.dtype})")
    if expected.dtype.kind == "b" or (actual.dtype.kind == "b" and not scalar):
        mismatch = expected != actual
        if mismatch.any():
            return _mismatch_message(expected, actual, mismatch, at, "Arrays of booleans differ", None, None)
        return None
    e = expected.astype(np.complex128 if expected.dtype.kind == "c" or actual.dtype.kind == "c" else np.float64)
    a = np.asarray(actual).astype(e.dtype)
    e_nan, a_nan = np.isnan(e), np.isnan(a)
    if (e_nan != a_nan).any():
        index = _first(e_nan != a_nan)
        what = "NaN" if a_nan[index] else "a number"
        should = "NaN" if e_nan[index] else "a number"
        return Difference(f"{at}got {what} where {should} is expected{_index_text(index, scalar)}",
                          f"{at}got {what} where {should} is expected{_index_text(index, scalar)}\n expected: {show(expected)}\n got:      {show(actual)}")
    e_inf, a_inf = np.isinf(e), np.isinf(a)
    if (e_inf != a_inf).any() or (e[e_inf] != a[e_inf]).any():
        index = _first((e_inf != a_inf) | (e_inf & (e != a)))
        return Difference(f"{at}infinities differ{_index_text(index, scalar)}",
                          f"{at}infinities differ{_index_text(index, scalar)}: expected {show(e[index])}, got {show(a[index])}")
    finite = ~(e_nan | e_inf)
    with np.errstate(all="ignore"):
        close = np.ones(e.shape, dtype=bool)
        close[finite] = np.abs(a[finite] - e[finite]) <= atol + rtol * np.abs(e[finite])
    if close.all():
        return None
    return _mismatch_message(expected, actual, ~close, at, f"Not equal to tolerance rtol={rtol:g}, atol={atol:g}", e, a, scalar)


def _first(mask: np.ndarray):
    return tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()


def _index_text(index, scalar):
    return "" if scalar or not index else f" at index {index}"


def _mismatch_message(expected, actual, mismatch, at, verdict, e, a, scalar=False) -> Difference:
    count, total = int(mismatch.sum()), mismatch.size
    lines = [f"{at}{verdict}"]
    if not scalar:
        lines.append(f"Mismatched elements: {count} / {total} ({100 * count / total:.3g}%)")
    summary_extra = ""
    if e is not None:
        with np.errstate(all="ignore"):
            diff = np.abs(a - e)
            rel = diff / np.abs(e)
        worst = np.where(mismatch, diff, -np.inf)
        index = np.unravel_index(int(np.argmax(worst)), diff.shape) if diff.ndim else ()
        max_abs = float(np.max(diff[mismatch]))
        rel_values = rel[mismatch]
        rel_values = rel_values[np.isfinite(rel_values)]
        lines.append(f"Max absolute difference: {max_abs:.3g}")
        if rel_values.size:
            lines.append(f"Max relative difference: {float(np.max(rel_values)):.3g}")
        if not scalar:
            # the entries themselves in full: arrays printed to 8 digits can look equal
            first = tuple(int(i) for i in np.argwhere(mismatch)[0])
            largest = tuple(int(i) for i in index)
            for label, at_index in [("First", first)] + ([("Largest", largest)] if largest != first else []):
                lines.append(f"{label} mismatch at index {at_index}: expected {e[at_index].item()!r}, "
                             f"got {a[at_index].item()!r}")
        summary_extra = f" (max absolute difference {max_abs:.3g})"
    summary = f"{at}values differ: {count} of {total} entries{summary_extra}" if not scalar else f"{at}the value differs{summary_extra}"
    return Difference(summary, lambda: "\n".join(lines + [f" expected: {show(expected)}", f" got:      {show(actual)}"]))


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"
