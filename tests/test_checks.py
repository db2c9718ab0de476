"""Every check kind accepts a right answer and rejects a wrong one with a message naming the difference."""
import numpy as np
import pytest
import sympy

from autograder.checks.compare import compare
from autograder.checks.gradient import build_forward, check_gradient
from autograder.checks.property import check_property
from autograder.checks.static import missing_requirements, violations
from autograder.checks.symbolic import compare_symbolic
from autograder.spec import GradientSpec, PropertySpec

x, y = sympy.symbols("x y")


# ---------------------------------------------------------------- compare
def test_compare_accepts_equal_within_tolerance():
    assert compare(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])) is None
    assert compare(3.0, np.float64(3.0)) is None
    assert compare([2, 3], (2, 3)) is None
    assert "expected a tuple, got a list" in compare((2, 3), [2, 3]).summary
    assert compare({"a": np.zeros(2)}, {"a": np.zeros(2)}) is None


def test_compare_names_transposed_shape():
    difference = compare(np.zeros((3, 2)), np.zeros((2, 3)))
    assert "expected shape (3, 2), got (2, 3)" in str(difference) and "transpose" in str(difference)


def test_compare_names_dtype_family():
    difference = compare(np.zeros(3), np.zeros(3, dtype=int))
    assert "expected an array of floats (float64), got integers (int64)" in str(difference)


def test_compare_values_in_assert_allclose_style():
    difference = compare(np.array([1.0, 2.33333, np.nan]), np.array([1.0, 2.33339, np.nan]), rtol=1e-7, atol=0)
    text = str(difference)
    assert "Not equal to tolerance rtol=1e-07, atol=0" in text
    assert "Mismatched elements: 1 / 3" in text
    assert "Max absolute difference: 6e-05" in text
    assert "First mismatch at index (1,)" in text
    assert "values differ: 1 of 3 entries" in difference.summary


def test_compare_nan_and_inf_are_explicit():
    assert "got NaN where a number is expected at index (1,)" in str(compare(np.array([1.0, 2.0]), np.array([1.0, np.nan])))
    assert "infinities differ" in str(compare(np.array([np.inf]), np.array([-np.inf])))
    assert compare(np.array([np.inf, np.nan]), np.array([np.inf, np.nan])) is None


def test_compare_rejects_list_for_array_and_wrong_types():
    assert "wrap it with np.asarray" in str(compare(np.zeros(2), [0.0, 0.0]))
    assert "expected a bool" in str(compare(True, 1))
    assert "expected the integer 2, got the float 2.5" in str(compare(2, 2.5))
    assert "expected an integer, got the float 10.0" in compare(10, 10.0).summary
    assert "missing keys ['W2']" in str(compare({"W1": 1, "W2": 2}, {"W1": 1}))
    assert "expected 'minimum', got 'maximum'" in str(compare("minimum", "maximum"))


# ---------------------------------------------------------------- symbolic
@pytest.mark.parametrize("answer", [(x + 1) ** 2, x**2 + 2 * x + 1, sympy.expand((x + 1) ** 2) + sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1])
def test_symbolic_accepts_equivalent_forms(answer):
    assert compare_symbolic((x + 1) ** 2, answer) is None


def test_symbolic_accepts_trig_identity():
    assert compare_symbolic(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x)) is None


def test_symbolic_rejects_non_equivalent_and_names_a_point():
    difference = compare_symbolic(3 * x**2, 3 * x)
    assert "not equivalent" in difference.summary
    assert "expected" in str(difference) and "x = " in str(difference)


def test_symbolic_rejects_floats_for_exact_answers():
    assert "exact answer" in str(compare_symbolic(sympy.sqrt(2), sympy.Float(1.4142135623730951)))


def test_symbolic_is_time_bounded():
    import time

    nasty = (x + 1) ** 300000
    started = time.monotonic()
    difference = compare_symbolic(x, nasty, timeout=1.0)
    assert difference is not None
    assert time.monotonic() - started < 10


def test_symbolic_matrix_shape():
    assert "did you transpose" in str(compare_symbolic(sympy.Matrix([[1, 2, 3]]), sympy.Matrix([[1], [2], [3]])))


# ---------------------------------------------------------------- property
def test_property_accepts_and_rejects():
    spec = PropertySpec(name="A @ X = I", expr="allclose(A @ out, np.eye(len(A)))")
    A = np.array([[2.0, 0.0], [0.0, 4.0]])
    assert check_property(spec, {"A": A}, np.linalg.inv(A), False) is None
    difference = check_property(spec, {"A": A}, A.T, False)
    assert "property 'A @ X = I' does not hold" in str(difference)


def test_property_survives_a_broken_output():
    spec = PropertySpec(name="square", expr="out.shape == (2, 2)")
    assert "could not be checked" in str(check_property(spec, {}, None, False))


# ---------------------------------------------------------------- gradient
def _sigmoid_sum_grads(X, W):
    s = 1 / (1 + np.exp(-(X @ W)))
    d = s * (1 - s)
    return d @ W.T, X.T @ d


def _grad_spec(**extra):
    return GradientSpec(forward="np.sum(sigmoid(X @ W))", wrt=["X", "W"], grads=["0", "1"], **extra)


def test_gradient_accepts_correct_gradients():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    forward = build_forward("np.sum(sigmoid(X @ W))", ["X", "W"])
    for mode in ("directions", "full"):
        assert check_gradient({"X": X, "W": W}, _sigmoid_sum_grads(X, W), _grad_spec(mode=mode), forward, rng) is None


def test_gradient_rejects_wrong_sign_and_transposed():
    rng = np.random.default_rng(1)
    X, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    forward = build_forward("np.sum(sigmoid(X @ W))", ["X", "W"])
    dX, dW = _sigmoid_sum_grads(X, W)
    flipped = check_gradient({"X": X, "W": W}, (-dX, -dW), _grad_spec(), forward, rng)
    assert "disagree with finite differences" in flipped.summary and "opposite signs" in str(flipped)
    transposed = check_gradient({"X": X, "W": W}, (dX, dW.T), _grad_spec(mode="full"), forward, rng)
    assert "d/dW[" in transposed.summary
    wrong_shape = check_gradient({"X": X, "W": W[:, :2]}, (dX, dW[:, :2].T), _grad_spec(), forward, rng)
    assert "has shape (2, 3), but W has shape (3, 2) — did you transpose?" in wrong_shape.summary


def test_directional_gradient_check_cost_does_not_grow_with_parameters():
    calls = []

    def counted(**args):
        calls.append(1)
        return float(np.sum(args["w"] ** 2))

    spec = GradientSpec(forward="0", wrt=["w"], grads=[""], directions=4)
    for n in (10, 10_000):
        calls.clear()
        w = np.random.default_rng(n).normal(size=n)
        assert check_gradient({"w": w}, 2 * w, spec, counted, np.random.default_rng(0)) is None
        assert len(calls) == 2 * spec.directions


# ---------------------------------------------------------------- static
SOURCE = '''
import numpy as np
import numpy.linalg as la
from numpy.linalg import inv

def helper(a, b):
    return a @ b

def uses_helper(a, b):
    return helper(a, b)

def loops(a):
    total = 0
    for v in a:
        total += v
    return [v for v in a]

def aliased(A):
    return la.inv(A) + inv(A) + np.linalg.solve(A, A)

def method(A, B):
    return A.dot(B) + sum(A)

def clean(A, B):
    diff = A - B
    return diff
'''


def test_static_finds_forbidden_operator_through_helpers():
    found = violations(SOURCE, "uses_helper", ["@"])
    assert found == ["line 7: uses the operator @, which this exercise forbids ('@')"]


def test_static_finds_loops_and_comprehensions():
    found = violations(SOURCE, "loops", ["loops"])
    assert len(found) == 2 and "a for loop" in found[0] and "a list comprehension" in found[1]


def test_static_resolves_import_aliases():
    found = violations(SOURCE, "aliased", ["numpy.linalg"])
    assert any("la.inv" in f for f in found) and any("`inv`" in f or "inv" in f for f in found)
    assert any("np.linalg.solve" in f for f in found)


def test_static_finds_methods_and_builtins():
    assert any("A.dot" in f for f in violations(SOURCE, "method", ["dot"]))
    assert any("calls `sum`" in f for f in violations(SOURCE, "method", ["sum"]))


def test_static_accepts_clean_code_and_local_names():
    assert violations(SOURCE, "clean", ["diff", "@", "loops", "numpy.linalg"]) == []


SCOPES = """
import sympy
import numpy as np
from functools import partial


def _add_loops(x, y):
    out = np.empty_like(x)
    for i in range(len(x)):
        out[i] = x[i] + y[i]
    return out


naive_add = _add_loops                    # defined by assignment: the loop is in _add_loops


def _scaled(x, y, k):
    return k * np.add(x, y)


scaled_add = partial(_scaled, k=1)


def diff(expr, x):                        # the student's own rules, named diff
    return expr.as_coefficients_dict()


def by_own_diff(expr, x):
    return diff(expr, x)


def derivative(f, x):                     # a helper for another exercise, which may use sympy.diff
    return sympy.diff(f, x)


def shadowing(expr, x):
    derivative = by_own_diff(expr, x)     # a local of the same name, not the helper
    return derivative


def via_alias(expr, x):
    d = derivative                        # the helper itself, under another name
    return d(expr, x)


def cheat(expr, x):
    global derivative
    derivative = None
    return sympy.diff(expr, x)
"""


def test_static_follows_bindings_and_scopes_as_python_does():
    assert missing_requirements(SCOPES, "naive_add", ["loops"]) == []
    assert missing_requirements(SCOPES, "scaled_add", ["loops"]) != []        # partial reaches _scaled: no loop
    assert any("numpy.add" in v for v in violations(SCOPES, "scaled_add", ["numpy.add"]))
    assert violations(SCOPES, "by_own_diff", ["diff"]) == []                  # the student's diff is not sympy's
    assert violations(SCOPES, "shadowing", ["diff"]) == []                    # a local is not the module's helper
    assert any("sympy.diff" in v for v in violations(SCOPES, "via_alias", ["diff"]))
    assert any("sympy.diff" in v for v in violations(SCOPES, "cheat", ["diff"]))
    imported = "from sympy import diff\n\ndef f(e, x):\n    return diff(e, x)\n"
    assert violations(imported, "f", ["diff"]) != []                          # sympy's diff, imported by name


REACHED = """
import sympy as sp
from sympy import integrate

RULES = {"simplify": sp.simplify}

def _tidy(e):
    return sp.simplify(e)

def derivative(e, x):
    return _tidy(e.diff(x))

def antiderivative(e, x):
    return integrate(e, x)
"""


def test_names_used_are_those_the_checked_function_can_reach():
    from autograder.checks.static import names_used

    used = names_used(REACHED, ["derivative"])
    assert {"simplify", "diff", "_tidy", "sp", "sympy"} <= used
    assert "antiderivative" not in used
    assert "integrate" in used                         # imported at module level: that runs on import
    assert "integrate" not in names_used("import sympy\n\ndef f(e):\n    return e\n\ndef g(e, x):\n"
                                         "    return sympy.integrate(e, x)\n", ["f"])
    assert names_used("def f(:\n", ["f"]) is None


@pytest.mark.parametrize("body, allowed", [
    ('getattr(expr, "d" + "iff")(x)', False),
    ('type(expr).__dict__["diff"](expr, x)', False),
    ('eval("expr.diff(x)")', False),
    ('operator.methodcaller("d" + "iff", x)(expr)', False),
    ('expr.__getattribute__("diff")(x)', False),
    ('getattr(expr, "func")(*expr.args)', True),        # a literal name that no rule forbids
    ('RULES[expr.func](expr, x)', True),                 # a table of the student's own rules
])
def test_static_rejects_names_built_at_run_time_where_names_are_forbidden(body, allowed):
    source = f"import operator\n\nRULES = {{}}\n\n\ndef differentiate(expr, x):\n    return {body}\n"
    found = violations(source, "differentiate", ["diff", "Derivative"])
    assert (found == []) == allowed, found
    assert violations(source, "differentiate", ["loops"]) == []   # only name rules need names written out


def test_symbolic_rejects_rational_approximations_of_floats():
    """nsimplify(float) agrees with the exact value to 12 digits at every point: it is refused by
    its huge denominator, unless the expected answer has such rationals itself."""
    import sympy

    x = sympy.Symbol("x")
    approximated = sympy.nsimplify(2.718281828459045 * x, rational=True)
    difference = compare_symbolic(sympy.E * x, approximated)
    assert difference is not None and "rational approximation" in difference.summary
    assert compare_symbolic(sympy.sqrt(2), sympy.Rational(float(sympy.sqrt(2)))) is not None
    assert compare_symbolic(x / 2**40, sympy.Rational(1, 2**40) * x) is None
    assert compare_symbolic(sympy.Rational(1, 3) * x, x / 3) is None


def test_symbolic_lists_in_another_order_are_told_so():
    import sympy

    from autograder.grade import compare_symbolic_any

    r = sympy.sqrt(2)
    shuffled = compare_symbolic_any([-r, sympy.Integer(0), r], [sympy.Integer(0), -r, r], None)
    assert shuffled is not None and "in another order" in shuffled.summary
    wrong = compare_symbolic_any([-r, sympy.Integer(0), r], [-r, sympy.Integer(1), r], None)
    assert wrong is not None and "in another order" not in wrong.summary


def test_static_a_nested_helper_named_like_a_forbidden_function_is_the_students_own():
    source = ("import numpy as np\n\n\ndef naive_matrix_dot(A, B):\n    def dot(u, v):\n        s = 0.0\n"
              "        for a, b in zip(u, v):\n            s += a * b\n        return s\n"
              "    inner = lambda u, v: dot(u, v)\n"
              "    return np.array([[inner(r, c) for c in B.T] for r in A])\n")
    assert violations(source, "naive_matrix_dot", ["dot", "inner", "@"]) == []
    cheat = "import numpy as np\n\n\ndef naive_matrix_dot(A, B):\n    return np.dot(A, B)\n"
    assert violations(cheat, "naive_matrix_dot", ["dot"]) != []


def test_static_one_message_per_forbidden_expression():
    """`np.linalg.inv` is one use of numpy.linalg, not two (`np.linalg` inside it)."""
    found = violations("import numpy as np\n\n\ndef f(A):\n    return np.linalg.inv(A)\n", "f", ["numpy.linalg"])
    assert len(found) == 1 and "`np.linalg.inv`" in found[0]


def test_expr_derivative_at_walks_the_tree_as_lambdify_would_compute():
    """Properties take central differences of trusted expressions without generating code; nodes the
    walk does not know, and points outside the reals, go to lambdify and behave as before."""
    import sympy

    from autograder.checks.helpers import central_difference, expr_derivative_at

    x = sympy.Symbol("x")
    for expr in [sympy.sin(2 * x ** 2), sympy.exp(-x) * sympy.log(x ** 2 + 1), sympy.sqrt(x + 3) / (x - 2), x ** x,
                 sympy.erf(x), sympy.Abs(x - 0.1), sympy.Piecewise((x, x > 0), (x ** 2, True)), sympy.gamma(x)]:
        expected = central_difference(sympy.lambdify(x, expr, "math"), 0.7, 1e-6)
        assert expr_derivative_at(expr, x, 0.7) == pytest.approx(expected, rel=1e-9, abs=1e-12), expr
    assert expr_derivative_at(x ** 3, x, 0.5) == pytest.approx(0.75, rel=1e-8)
    with pytest.raises(ValueError):  # math.sqrt of a negative number, as lambdify's code raises
        expr_derivative_at(sympy.sqrt(x - 1), x, 0.7)
