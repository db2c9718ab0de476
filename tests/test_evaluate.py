"""The double-precision evaluator behind fast symbolic verdicts: its error bounds must hold, and its
verdicts must be the ones the precise 30-digit path gives."""
import random

import pytest
import sympy
from hypothesis import given, settings, strategies as st

from autograder.checks.evaluate import OutsideDomain, Unsupported, evaluate
from autograder.checks.symbolic import UNDECIDED, _evaluated, compare_symbolic

x, y = sympy.symbols("x y")
LEAVES = [x, y, sympy.Integer(2), sympy.Rational(-3, 7), sympy.pi, sympy.Float(0.25, 30)]
UNARY = [sympy.sin, sympy.cos, sympy.exp, sympy.log, sympy.sqrt, sympy.tan, sympy.atan, sympy.Abs, sympy.tanh,
         sympy.sinh, sympy.asin, sympy.sign, sympy.Heaviside, sympy.cot]


def expressions():
    leaf = st.sampled_from(LEAVES)

    def extend(children):
        return st.one_of(
            st.builds(lambda f, a: f(a, evaluate=False), st.sampled_from(UNARY), children),
            st.builds(lambda a, b: sympy.Add(a, b, evaluate=False), children, children),
            st.builds(lambda a, b: sympy.Mul(a, b, evaluate=False), children, children),
            st.builds(lambda a, n: sympy.Pow(a, n, evaluate=False), children,
                      st.sampled_from([sympy.Integer(2), sympy.Integer(-1), sympy.Integer(5), sympy.Rational(1, 3),
                                       sympy.Rational(-1, 2)])),
            st.builds(lambda a, b: sympy.Max(a, b, evaluate=False), children, children),
        )
    return st.recursive(leaf, extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(expressions(), st.floats(-2.5, 2.5), st.floats(-2.5, 2.5))
def test_the_bound_contains_the_exact_value(expr, a, b):
    try:
        value, bound = evaluate(expr, {x: a, y: b})
    except (OutsideDomain, Unsupported):
        return
    try:
        exact = complex(_evaluated(expr).evalf(50, subs={x: sympy.Float(a, 60), y: sympy.Float(b, 60)}))
    except (TypeError, ValueError, ZeroDivisionError):
        return  # sympy itself has no number here
    assert abs(value - exact) <= bound + 1e-300, (expr, a, b, value, exact, bound)


def test_known_values_and_domains():
    assert evaluate(sympy.Mul(2, x, evaluate=False), {x: 1.5})[0] == 3.0
    assert evaluate(sympy.log(x, evaluate=False), {x: -1.0})[0] == pytest.approx(complex(0, 3.141592653589793))
    assert evaluate(sympy.Pow(x, sympy.Rational(1, 3), evaluate=False), {x: -8.0})[0] == pytest.approx(1 + 1.7320508075688772j)
    assert evaluate(sympy.Heaviside(x), {x: 0.0})[0] == 0.5
    with pytest.raises(OutsideDomain):
        evaluate(sympy.Pow(x, -1, evaluate=False), {x: 0.0})
    with pytest.raises(OutsideDomain):
        evaluate(sympy.exp(sympy.exp(x, evaluate=False), evaluate=False), {x: 10.0})
    with pytest.raises(Unsupported):
        evaluate(sympy.Piecewise((x, x > 0), (0, True)), {x: 1.0})
    with pytest.raises(Unsupported):
        evaluate(sympy.Function("f")(x), {x: 1.0})


def test_hostile_sizes_stay_cheap():
    huge = sympy.Pow(sympy.Integer(10), sympy.Integer(10**9), evaluate=False)
    with pytest.raises((OutsideDomain, Unsupported)):
        evaluate(huge, {})
    wide = sympy.Add(*[sympy.Mul(i, x, evaluate=False) for i in range(30_000)], evaluate=False)
    with pytest.raises(Unsupported):  # more nodes than the cap
        evaluate(wide, {x: 1.0})


CASES = [
    (sympy.sin(x) ** 2, 1 - sympy.cos(x) ** 2, True),
    (sympy.exp(2 * x) * 2, 2 * sympy.exp(x) ** 2, True),
    (x ** 3 * sympy.exp(x) + 3 * x ** 2 * sympy.exp(x), x ** 2 * (x + 3) * sympy.exp(x), True),
    (sympy.log(x ** 2 + 1), sympy.log(x ** 2 + 1) + x / 1000, False),
    (2 * x / (x ** 2 + 1), 2 * x / (x ** 2 + 1) + sympy.Rational(1, 10**9), False),
    (sympy.sqrt(2), sympy.Rational(99, 70), False),
    (sympy.Matrix([[x, y], [1, 0]]), sympy.Matrix([[x, y], [1, 0]]), True),
    (sympy.Matrix([[2 * x, 0]]), sympy.Matrix([[x + x, 1]]), False),
]


@pytest.mark.parametrize("expected,actual,equivalent", CASES)
def test_fast_verdicts_match_the_precise_path(expected, actual, equivalent):
    fast = compare_symbolic(expected, actual, mode="fast")
    assert fast is not UNDECIDED
    precise = compare_symbolic(expected, actual, mode="inline")
    assert (fast is None) is equivalent
    assert (precise is None) is equivalent
    if not equivalent:
        assert "not equivalent" in fast.detail and "expected" in fast.detail


def test_random_forms_of_derivatives_agree_with_the_precise_path():
    rng = random.Random(7)
    functions = [sympy.sin, sympy.cos, sympy.exp, lambda u: sympy.log(u ** 2 + 1), lambda u: u ** 3]
    decided = 0
    for _ in range(40):
        f, g = rng.choice(functions), rng.choice(functions)
        expr = f(g(x)) * rng.randint(1, 5) + rng.randint(-3, 3) * x
        derivative = sympy.diff(expr, x)
        for candidate, equivalent in ((sympy.expand(derivative), True), (sympy.factor(derivative), True),
                                      (derivative + x / 7, False), (sympy.diff(f(x), x).subs(x, g(x)), None)):
            fast = compare_symbolic(derivative, candidate, mode="fast")
            if fast is UNDECIDED:
                continue
            decided += 1
            precise = compare_symbolic(derivative, candidate, mode="inline")
            assert (fast is None) == (precise is None), (derivative, candidate)
            if equivalent is not None:
                assert (fast is None) is equivalent
    assert decided >= 140  # nearly every comparison is decided without sympy's evalf
