"""The wire format decodes student output safely; inputs are seeded and reproducible."""
import io
import pickle

import numpy as np
import pytest
import sympy

from autograder.inputs import Generation, convert_literal, rng_for
from autograder.wire import WireError, decode, encode, read_npy


def roundtrip(value):
    blobs = []
    tree, _ = encode(value, blobs)
    return decode(tree, blobs)


def test_roundtrip_keeps_types():
    x = sympy.Symbol("x")
    value = {"a": np.arange(6.0).reshape(2, 3), "b": (1, 2.5, float("nan")), "c": [True, None, "s"],
             "d": np.float32(1.5), "e": sympy.sin(x) ** 2 + sympy.Rational(1, 3), "f": sympy.Matrix([[x, 1]])}
    back = roundtrip(value)
    assert back["a"].dtype == np.float64 and back["a"].shape == (2, 3)
    assert isinstance(back["b"], tuple) and np.isnan(back["b"][2])
    assert back["d"].dtype == np.float32
    assert sympy.simplify(back["e"] - value["e"]) == 0
    assert back["f"].shape == (1, 2)


def test_object_arrays_and_pickles_are_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(WireError, match="not accepted"):
        read_npy(buffer.getvalue())
    with pytest.raises(WireError):
        read_npy(pickle.dumps([1, 2, 3]))


def test_payload_must_match_header():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(4))
    with pytest.raises(WireError, match="does not match"):
        read_npy(buffer.getvalue()[:-8])


def test_untrusted_trees_cannot_carry_callables_or_unknown_sympy():
    with pytest.raises(WireError):
        decode({"$": "callable", "code": "__import__('os').system('true')"})
    with pytest.raises(WireError):
        decode({"$": "sympy", "tree": ["Function", ["Symbol", "x", {}]]})
    with pytest.raises(WireError):
        decode({"$": "sympy", "tree": ["Integer", "9" * 5000]})


def test_unsupported_objects_come_back_as_text_only():
    class Liar:
        def __eq__(self, other):
            return True

    back = roundtrip(Liar())
    assert type(back).__name__ == "Unsupported" and back.type_name == "Liar"


def test_same_seed_same_inputs_other_student_other_inputs():
    def draw(student):
        g = Generation(rng_for(7, student, "relu", "random", 0))
        g.draw_dims({"n": [1, 6]})
        return g.value({"array": {"shape": ["n", 3]}})

    assert np.array_equal(draw("ann"), draw("ann"))
    assert not np.array_equal(draw("ann"), draw("bob"))


def test_generators_make_what_they_promise():
    g = Generation(np.random.default_rng(3))
    assert np.linalg.cond(g.value({"matrix": {"n": 5, "kind": "well_conditioned"}})) <= 3.0 + 1e-9
    singular = g.value({"matrix": {"n": 4, "kind": "singular"}})
    assert np.linalg.matrix_rank(singular) < 4
    q = g.value({"matrix": {"n": 4, "kind": "orthogonal"}})
    assert np.allclose(q.T @ q, np.eye(4))
    labels = g.value({"labels": {"n": 50, "classes": 3}})
    assert labels.dtype == np.int64 and set(labels) <= {0, 1, 2}
    shape = g.value({"shape": {"rank": [2, 2], "dim": [1, 4]}})
    assert isinstance(shape, tuple) and len(shape) == 2
    expr = g.value({"expr": {"vars": ["x"], "depth": 3}})
    assert expr.free_symbols == {sympy.Symbol("x")}


def test_literals_follow_annotations():
    assert convert_literal([[1, 2]], "np.ndarray").dtype == np.int64
    assert convert_literal([2, 3], "tuple[int, ...]") == (2, 3)
    assert convert_literal("x**2", "sympy.Expr") == sympy.Symbol("x") ** 2
    assert convert_literal(1, "float") == 1.0 and isinstance(convert_literal(1, "float"), float)


def test_rank_zero_and_strided_arrays_keep_their_shape():
    assert roundtrip(np.array(2.0)).shape == ()
    strided = np.arange(12.0).reshape(3, 4)[:, ::2]
    assert np.array_equal(roundtrip(strided), strided)


def test_sympy_sizes_add_up_over_a_whole_value_and_floats_keep_small_exponents():
    from autograder.wire import MAX_SYMPY_NODES, WireError, decode

    wide = ["Add", *[["Integer", str(i)] for i in range(MAX_SYMPY_NODES // 3)]]
    one = {"$": "sympy", "tree": wide}   # a third of the budget each
    assert decode([one, one], trusted=False)
    with pytest.raises(WireError, match="too large"):
        decode([one] * 4, trusted=False)
    with pytest.raises(WireError, match="malformed float"):
        decode({"$": "sympy", "tree": ["Float", "1e" + "9" * 12, 53]}, trusted=False)
    assert float(decode({"$": "sympy", "tree": ["Float", "-2.5e-300", 53]}, trusted=False)) == -2.5e-300


def test_lambdify_modules_match_lambdify_numpy():
    """Callables from expressions read numpy's modules, not lambdify's "numpy" (a star import that
    loads all of numpy's lazy parts): the same code and the same values, scalars and arrays."""
    import inspect

    from autograder.wire import lambdify_numpy

    x, y = sympy.symbols("x y")
    exprs = [sympy.Piecewise((x, x > 0), (x ** 2, True)), sympy.I * x, sympy.Matrix([[x, y], [1, x]]),
             sympy.Matrix([[x, 1], [0, 2]]).inv(), sympy.sqrt(x) + sympy.atan2(y, x),
             sympy.Min(x, y) + sympy.sign(x) + sympy.floor(x), sympy.exp(x) / (1 + sympy.exp(x)), sympy.Heaviside(x),
             x ** sympy.Rational(1, 3), sympy.log(x, 2), sympy.Abs(x) + sympy.Max(x, 1, y), sympy.erf(x),
             sympy.Matrix([[x, 1], [2, y]]).det(), sympy.Mod(x, 3), sympy.And(x > 0, y < 1)]

    def run(f, args):
        try:
            with np.errstate(all="ignore"):
                return f(*args)
        except Exception as exc:  # the same failure both ways counts as agreement
            return type(exc).__name__

    for expr in exprs:
        ours, theirs = sympy.lambdify((x, y), expr, lambdify_numpy()), sympy.lambdify((x, y), expr, "numpy")
        assert inspect.getsource(ours) == inspect.getsource(theirs), expr
        for args in [(np.array([0.5, 1.5, -2.0]), np.array([1.0, -1.0, 2.0])), (0.7, 0.3), (2, 3)]:
            a, b = run(ours, args), run(theirs, args)
            assert type(a) is type(b), (expr, args, a, b)
            if not isinstance(a, str):
                assert np.allclose(np.asarray(a, dtype=complex), np.asarray(b, dtype=complex), equal_nan=True), expr
            else:
                assert a == b
