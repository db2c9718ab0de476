# dev -- derivatives. Results are kept factored (factor_terms / point-slope form).
import numpy as np
import sympy
from sympy import Add, Mul, Pow, cos, exp, log, sin


def numerical_derivative(f, x, h=1e-5):
    return float(f(x + h) - f(x - h)) / (2 * h)


def _rules(e, x):
    if not e.has(x):
        return sympy.Integer(0)
    if e == x:
        return sympy.Integer(1)
    if isinstance(e, Add):
        return Add(*[_rules(t, x) for t in e.args])
    if isinstance(e, Mul):
        first, rest = e.args[0], Mul(*e.args[1:])
        return _rules(first, x) * rest + first * _rules(rest, x)
    if isinstance(e, Pow):
        u, n = e.args
        if n.has(x):
            return e * (_rules(n, x) * log(u) + n * _rules(u, x) / u)
        return n * u ** (n - 1) * _rules(u, x)
    if isinstance(e, sin):
        return cos(e.args[0]) * _rules(e.args[0], x)
    if isinstance(e, cos):
        return -sin(e.args[0]) * _rules(e.args[0], x)
    if isinstance(e, exp):
        return e * _rules(e.args[0], x)
    if isinstance(e, log):
        return _rules(e.args[0], x) / e.args[0]
    raise ValueError(f"unsupported function {e.func}")


def differentiate(expr, x):
    return sympy.factor_terms(_rules(sympy.sympify(expr), x))


def tangent_line(f, x, a):
    f, a = sympy.sympify(f), sympy.sympify(a)
    return f.subs(x, a) + sympy.diff(f, x).subs(x, a) * (x - a)     # point-slope form, not expanded


def critical_points(f, x):
    slope = sympy.factor(sympy.diff(sympy.sympify(f), x))
    found = sympy.solveset(slope, x, domain=sympy.S.Reals)
    if found is sympy.S.EmptySet:
        return []
    return sorted(found, key=lambda r: float(r))


def classify_critical_point(f, x, a):
    c = sympy.simplify(sympy.diff(sympy.sympify(f), x, 2).subs(x, a))
    if c == 0:
        return "inconclusive"
    return "minimum" if c > 0 else "maximum"


def one_sided_derivatives(f, x, a):
    f, a = sympy.sympify(f), sympy.sympify(a)
    h = sympy.Symbol("h", positive=True)
    right = sympy.limit((f.subs(x, a + h) - f.subs(x, a)) / h, h, 0, "+")
    left = sympy.limit((f.subs(x, a) - f.subs(x, a - h)) / h, h, 0, "+")
    return left, right


def partial_derivatives(f, variables):
    return [sympy.factor_terms(sympy.diff(sympy.sympify(f), v)) for v in variables]


def gradient_at(f, variables, point):
    at = dict(zip(variables, np.asarray(point).tolist()))
    return np.array([float(sympy.diff(sympy.sympify(f), v).subs(at)) for v in variables], dtype=np.float64)


def jacobian(F, variables):
    F = [sympy.sympify(Fi) for Fi in F]
    return sympy.Matrix(len(F), len(variables), lambda i, j: sympy.diff(F[i], variables[j]))


def hessian(f, variables):
    f = sympy.sympify(f)
    n = len(variables)
    H = sympy.zeros(n, n)
    for i in range(n):
        for j in range(i, n):                 # mixed partials are equal: fill one triangle, mirror it
            H[i, j] = H[j, i] = sympy.diff(f, variables[i], variables[j])
    return H


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=np.float64)
    grad = np.empty_like(point)
    for flat in range(point.size):
        idx = np.unravel_index(flat, point.shape)
        saved = point[idx]
        point[idx] = saved + h
        fp = f(point)
        point[idx] = saved - h
        fm = f(point)
        point[idx] = saved
        grad[idx] = (fp - fm) / (2 * h)
    return grad
