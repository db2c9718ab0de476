"""Assignment 5 (derivatives) -- Ada."""
import numpy as np
import sympy


def numerical_derivative(f, x, h=1e-5):
    forward = f(x + h)
    backward = f(x - h)
    return float((forward - backward) / (2.0 * h))


# ---- symbolic differentiation by the rules --------------------------------------------------

def _d_sum(e, x):
    terms = []
    for t in e.args:
        terms.append(differentiate(t, x))
    return sympy.Add(*terms)


def _d_product(e, x):
    factors = list(e.args)
    terms = []
    for i in range(len(factors)):
        du = differentiate(factors[i], x)
        if du == 0:
            continue
        others = factors[:i] + factors[i + 1:]
        terms.append(sympy.Mul(du, *others))
    return sympy.Add(*terms)


def _d_power(e, x):
    base, exponent = e.args
    if not exponent.has(x):
        return exponent * base ** (exponent - 1) * differentiate(base, x)
    # general case u**v = exp(v log u)
    return e * (differentiate(exponent, x) * sympy.log(base) + exponent * differentiate(base, x) / base)


def differentiate(expr, x):
    e = sympy.sympify(expr)
    if not e.has(x):
        return sympy.Integer(0)
    if e == x:
        return sympy.Integer(1)
    if isinstance(e, sympy.Add):
        return _d_sum(e, x)
    if isinstance(e, sympy.Mul):
        return _d_product(e, x)
    if isinstance(e, sympy.Pow):
        return _d_power(e, x)
    if isinstance(e, sympy.sin):
        u = e.args[0]
        return sympy.cos(u) * differentiate(u, x)
    if isinstance(e, sympy.cos):
        u = e.args[0]
        return -sympy.sin(u) * differentiate(u, x)
    if isinstance(e, sympy.exp):
        u = e.args[0]
        return sympy.exp(u) * differentiate(u, x)
    if isinstance(e, sympy.log):
        u = e.args[0]
        return differentiate(u, x) / u
    raise ValueError(f"no rule for {e.func.__name__}")


# ---- the rest may use sympy.diff -----------------------------------------------------------

def tangent_line(f, x, a):
    f = sympy.sympify(f)
    a = sympy.sympify(a)
    slope = sympy.diff(f, x).subs(x, a)
    value = f.subs(x, a)
    return value + slope * (x - a)


def critical_points(f, x):
    f = sympy.sympify(f)
    solutions = sympy.solveset(sympy.diff(f, x), x, domain=sympy.S.Reals)
    if solutions == sympy.S.EmptySet:
        return []
    if not isinstance(solutions, sympy.FiniteSet):
        raise ValueError(f"could not list the critical points: {solutions}")
    points = []
    for s in solutions:
        points.append(sympy.nsimplify(s) if s.has(sympy.Float) else s)
    points.sort(key=lambda r: float(r))
    return points


def classify_critical_point(f, x, a):
    second = sympy.simplify(sympy.diff(sympy.sympify(f), x, 2).subs(x, a))
    if second.is_zero:
        return "inconclusive"
    if second.is_positive:
        return "minimum"
    if second.is_negative:
        return "maximum"
    value = float(second.evalf(50))
    if value == 0:
        return "inconclusive"
    return "minimum" if value > 0 else "maximum"


def one_sided_derivatives(f, x, a):
    f = sympy.sympify(f)
    a = sympy.sympify(a)
    h = sympy.Symbol("h", positive=True)
    fa = f.subs(x, a)
    left = sympy.limit((fa - f.subs(x, a - h)) / h, h, 0, "+")
    right = sympy.limit((f.subs(x, a + h) - fa) / h, h, 0, "+")
    return (left, right)


def partial_derivatives(f, variables):
    f = sympy.sympify(f)
    out = []
    for v in variables:
        out.append(sympy.diff(f, v))
    return out


def gradient_at(f, variables, point):
    f = sympy.sympify(f)
    values = [float(p) for p in np.asarray(point, dtype=float).reshape(-1)]
    at = {}
    for v, p in zip(variables, values):
        at[v] = p
    grad = np.zeros(len(variables), dtype=np.float64)
    for i, v in enumerate(variables):
        grad[i] = float(sympy.diff(f, v).evalf(subs=at))
    return grad


def jacobian(F, variables):
    rows = []
    for component in F:
        component = sympy.sympify(component)
        row = []
        for v in variables:
            row.append(sympy.diff(component, v))
        rows.append(row)
    return sympy.Matrix(len(rows), len(variables), lambda i, j: rows[i][j])


def hessian(f, variables):
    f = sympy.sympify(f)
    n = len(variables)
    H = sympy.zeros(n, n)
    for i in range(n):
        first = sympy.diff(f, variables[i])
        for j in range(n):
            H[i, j] = sympy.diff(first, variables[j])
    return H


def numerical_gradient(f, x, h=1e-5):
    work = np.array(x, dtype=np.float64)        # a float copy: never touch the caller's x
    grad = np.zeros(work.shape, dtype=np.float64)
    for index in np.ndindex(work.shape):
        original = work[index]
        work[index] = original + h
        up = f(work)
        work[index] = original - h
        down = f(work)
        work[index] = original
        grad[index] = (up - down) / (2.0 * h)
    return grad
