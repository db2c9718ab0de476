"""Trusted helpers that property expressions and gradient forwards may use by name."""
from __future__ import annotations

import numpy as np


def sigmoid(x):
    """Numerically stable logistic function."""
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


def relu(x):
    return np.maximum(x, 0)


def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z, axis=-1):
    return np.exp(log_softmax(z, axis=axis))


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of integer labels under softmax(logits)."""
    logp = log_softmax(logits)
    return -np.mean(logp[np.arange(len(labels)), labels])


def allclose(a, b, rtol=1e-7, atol=1e-9):
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol))


def central_difference(f, x, h=1e-5):
    """Central-difference derivative of a scalar function at a float x."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numeric_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function of an array, entry by entry."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad


def expr_derivative_at(expr, var, at, h=1e-6):
    """Central difference of a sympy expression in `var` at the float `at`."""
    return central_difference(_float_function(expr, var), float(at), h)


def _float_function(expr, var):
    """`expr` as a function of a float `var`, in double precision: evaluate's walk of the tree, with
    lambdify's generated code only where that walk does not know a node or leaves the reals
    (lambdify costs ~1 ms a call, and ~10 ms for its first, in every time-boxed child)."""
    from .evaluate import OutsideDomain, Unsupported, evaluate

    compiled = []

    def f(value: float) -> float:
        try:
            result, _ = evaluate(expr, {var: value})
            if isinstance(result, float):
                return result
        except (Unsupported, OutsideDomain):
            pass
        if not compiled:
            import sympy

            compiled.append(sympy.lambdify(var, expr, "math"))
        return compiled[0](value)
    return f


def expr_value(expr, subs):
    """Float value of a sympy expression under a substitution {symbol: value}; a plain number (the
    derivative `0` of a constant, written as a Python int) is its own value."""
    import numbers

    if isinstance(expr, numbers.Number) and not isinstance(expr, bool):
        return complex(expr).real
    if not hasattr(expr, "evalf"):
        raise TypeError(f"expected a sympy expression or a number, got {type(expr).__name__}")
    return complex(expr.evalf(30, subs=subs)).real


def namespace(with_sympy: bool = True) -> dict:
    """What property expressions and gradient forwards can use by name (sympy only when asked for:
    importing it costs a local check more than the check itself)."""
    import math

    names = {name: value for name, value in globals().items() if not name.startswith("_") and callable(value)}
    names.update(np=np, numpy=np, math=math)
    if with_sympy:
        import sympy

        names["sympy"] = sympy
    names.pop("namespace", None)
    names.pop("annotations", None)
    return names
