"""symbolic: is the student's sympy answer equivalent to the reference?

Random points decide: a disagreement is a proof of difference and names the point; agreement at
every point to 12 digits counts as equivalent; only when too few points can be evaluated (domain
problems) does `simplify(expected - got) == 0` decide. Points are first evaluated in double precision
with a bound on the rounding error (`evaluate`), in this process: that decides almost every answer
in well under a millisecond. What it cannot decide (an ill-conditioned point, a node it does not
know, simplify) runs with sympy at 30 digits in a forked, time-boxed child, because sympy on an
adversarial expression can take forever.
"""
from __future__ import annotations

from typing import Any

from . import Difference
from .compare import show
from .evaluate import OutsideDomain, Unsupported, evaluate
from .timebox import run_batch_timeboxed, run_timeboxed

DEFAULT_TIMEOUT = 2.0
DEFAULT_POINTS = 8
AGREE = 1e-12  # relative agreement that counts as equal at a point
UNDECIDED = object()  # what mode="fast" returns when the precise path must decide


def compare_symbolic(expected: Any, actual: Any, where: str = "", timeout: float = DEFAULT_TIMEOUT,
                     points: int = DEFAULT_POINTS, inline: bool = False, mode: str | None = None):
    """Difference or None. The precise path runs inline (already inside a time-boxed child), in a
    time-boxed child of its own, or not at all with mode="fast", which returns UNDECIDED instead."""
    import sympy

    mode = mode or ("inline" if inline else "timeboxed")

    at = f"{where}: " if where else ""
    if isinstance(expected, sympy.MatrixBase):
        if not isinstance(actual, sympy.MatrixBase):
            return Difference(f"{at}expected a sympy Matrix of shape {expected.shape}, got {type(actual).__name__}")
        if expected.shape != actual.shape:
            hint = " — did you transpose? rows are outputs, columns are inputs" if actual.shape == expected.shape[::-1] else ""
            return Difference(f"{at}expected a matrix of shape {expected.shape}, got {actual.shape}{hint}")
        pairs = list(zip(list(expected), list(actual)))
        labels = [f"{at}entry ({i // expected.shape[1]}, {i % expected.shape[1]})" for i in range(len(pairs))]
    else:
        if isinstance(actual, float) or (isinstance(actual, sympy.Basic) and actual.atoms(sympy.Float)
                                         and isinstance(expected, sympy.Basic) and not expected.atoms(sympy.Float)):
            return Difference(f"{at}expected an exact answer (like sqrt(2) or 1/3), got a floating-point approximation {show(actual)}")
        if isinstance(actual, int) and not isinstance(actual, bool):
            actual = sympy.Integer(actual)
        if not isinstance(actual, sympy.Basic):
            return Difference(f"{at}expected a sympy expression, got {type(actual).__name__}")
        pairs, labels = [(expected, actual)], [at.rstrip(": ")]
    for (e, a), label in zip(pairs, labels):
        approximation = _rational_approximation(e, a)
        if approximation is not None:
            where = f"{label}: " if label else ""
            return Difference(f"{where}expected an exact answer, got a rational approximation of a float ({show(approximation)} "
                              f"in {show(a)}): keep the computation exact instead of converting floats back")
    decided = _fast_equivalent(pairs, labels, points)
    if decided is not None:
        return None if decided["ok"] else Difference(decided["summary"], decided["detail"])
    if mode == "fast":
        return UNDECIDED
    if mode == "inline":
        result = {"final": True, "value": _equivalent_all(pairs, labels, points, lambda value: None)}
    else:
        finished, result = run_timeboxed(lambda report: _equivalent_all(pairs, labels, points, report), timeout)
    if result is None:
        return Difference(f"{at}the expression could not be evaluated within {timeout:g} s")
    if "error" in result:
        return Difference(f"{at}the expression could not be compared: {result['error']}")
    value = result.get("value", result)
    if value.get("ok"):
        return None
    if value.get("ok") is None:  # timed out after agreeing at every point checked so far
        if value.get("agreed", 0) >= points:
            return None
        return Difference(f"{at}the expression could not be checked within {timeout:g} s")
    return Difference(value["summary"], value["detail"])


BIG_DENOMINATOR = 10**9


def _rational_approximation(expected, actual):
    """A rational with a huge denominator in an answer whose expected form has none: what
    `nsimplify(float)` or `Rational(float(r))` makes of an irrational number. Agreement at random
    points to 12 digits cannot tell it from the exact value, so it is looked for by itself."""
    import sympy

    if not isinstance(actual, sympy.Basic) or not isinstance(expected, sympy.Basic):
        return None
    try:
        big = [r for r in actual.atoms(sympy.Rational) if r.q > BIG_DENOMINATOR]
        if not big or any(r.q > BIG_DENOMINATOR for r in expected.atoms(sympy.Rational)):
            return None
    except (AttributeError, TypeError, RecursionError):
        return None
    return big[0]


def _equivalent_all(pairs, labels, points, report):
    agreed_total = 0
    for (expected, actual), label in zip(pairs, labels):
        outcome = _equivalent(expected, actual, label, points, report, agreed_total)
        if not outcome.get("ok"):
            return outcome
        agreed_total += outcome.get("agreed", 0)
    return {"ok": True}


def _points(symbols, points: int):
    """The random points both paths use: the same seed, so they look at the same places."""
    import random

    rng = random.Random(12345)
    for _ in range(points * 4):
        yield {s: round(rng.uniform(-2.5, 2.5), 3) for s in symbols}


def _fast_equivalent(pairs, labels, points) -> dict | None:
    """The verdict of the random-point test in double precision, or None when it cannot decide."""
    for (expected, actual), label in zip(pairs, labels):
        outcome = _fast_pair(expected, actual, label, points)
        if outcome is None or not outcome["ok"]:
            return outcome
    return {"ok": True}


def _fast_pair(expected, actual, label, points) -> dict | None:
    try:
        symbols = sorted(expected.free_symbols | actual.free_symbols, key=lambda s: s.name)
    except (AttributeError, TypeError, RecursionError):
        return None
    if expected == actual:  # the same tree: nothing to evaluate
        return {"ok": True}
    agreed = 0
    for subs in _points(symbols, points if symbols else 1):
        if agreed >= points:
            break
        try:
            e, e_error = evaluate(expected, subs)
            a, a_error = evaluate(actual, subs)
        except OutsideDomain:
            continue
        except Unsupported:
            return None
        scale = AGREE * max(1.0, abs(e), abs(a))
        gap, slack = abs(e - a), e_error + a_error
        if gap + slack <= scale:
            agreed += 1
            if not symbols:
                agreed = points  # a constant: one evaluation is the whole test
        elif gap - slack > scale:
            return _disagreement(expected, actual, label, subs, complex(e), complex(a))
        else:
            return None  # too close to call in double precision
    if agreed >= min(points, 3):
        return {"ok": True}
    return None  # too few points: the precise path may still simplify


def _disagreement(expected, actual, label, subs, e: complex, a: complex) -> dict:
    at = f"{label}: " if label else ""
    extra = actual.free_symbols - expected.free_symbols
    point = ", ".join(f"{s} = {float(v):g}" for s, v in subs.items())
    hint = f" (your answer uses {', '.join(sorted(map(str, extra)))}, which the expected one does not)" if extra else ""
    where = f" at {point}:" if point else ""
    return {"ok": False, "summary": f"{at}not equivalent to the expected expression{hint}",
            "detail": f"{at}not equivalent to the expected expression{hint}\n"
                      f"{where} expected {_num(e)}, got {_num(a)}\n expected: {show(expected)}\n got:      {show(actual)}"}


def _equivalent(expected, actual, label, points, report, base):
    import sympy

    at = f"{label}: " if label else ""
    actual = _evaluated(actual)
    if actual == expected:
        return {"ok": True, "agreed": points}
    symbols = sorted(expected.free_symbols | actual.free_symbols, key=lambda s: s.name)
    agreed = 0
    for values in _points(symbols, points):
        if agreed >= points:
            break
        subs = {s: sympy.Float(v, 30) for s, v in values.items()}
        try:
            e = complex(expected.evalf(30, subs=subs))
            a = complex(actual.evalf(30, subs=subs))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(map(_finite, (e, a))):
            continue
        if abs(e - a) <= AGREE * max(1.0, abs(e), abs(a)):
            agreed += 1
            report({"ok": None, "agreed": base + agreed})
            continue
        return _disagreement(expected, actual, label, values, e, a)
    if agreed >= min(points, 3):
        return {"ok": True, "agreed": agreed}  # random points at 30 digits: a coincidence is not plausible
    if sympy.simplify(expected - actual) == 0:
        return {"ok": True, "agreed": agreed}
    return {"ok": False, "summary": f"{at}could not show the expression equivalent to the expected one",
            "detail": f"{at}could not show the expression equivalent to the expected one\n expected: {show(expected)}\n got:      {show(actual)}"}


def _evaluated(expr):
    """Rebuild an expression decoded unevaluated (safe to decode, slow to compare) with evaluation on;
    only ever called inside a time-boxed child."""
    if not getattr(expr, "args", None):
        return expr
    return expr.func(*[_evaluated(arg) for arg in expr.args])


def _finite(z: complex) -> bool:
    import math

    return math.isfinite(z.real) and math.isfinite(z.imag)


def _num(z: complex) -> str:
    return f"{z.real:.10g}" if abs(z.imag) < 1e-15 else f"{z.real:.6g}{z.imag:+.6g}j"


def compare_batch(comparisons: list, timeout: float = DEFAULT_TIMEOUT) -> list[Difference | None]:
    """Run many symbolic comparisons (zero-argument functions returning a Difference or None) in one
    time-boxed child, `timeout` seconds each; one that runs out of time fails alone."""
    def wrap(comparison):
        def run():
            difference = comparison()
            return None if difference is None else [difference.summary, difference.detail]
        return run

    raw, timed_out = run_batch_timeboxed([wrap(c) for c in comparisons], timeout)
    out = []
    for index, value in enumerate(raw):
        if index in timed_out:
            out.append(Difference(f"the expression could not be compared within {timeout:g} s"))
        elif value is None:
            out.append(None)
        else:
            out.append(Difference(value[0], value[1]))
    return out
