import numpy as np
import sympy


def numerical_derivative(f, x, h=1e-5):
    return float((f(x + h) - f(x)) / h)


def differentiate(expr, x):
    e = sympy.sympify(expr)
    if not e.has(x):
        return sympy.Integer(0)
    if e == x:
        return sympy.Integer(1)
    if e.is_Add:
        return sympy.Add(*[differentiate(a, x) for a in e.args])
    if e.is_Mul:
        total = 0
        for i, factor in enumerate(e.args):
            others = e.args[:i] + e.args[i + 1:]
            total += differentiate(factor, x) * sympy.Mul(*others)
        return total
    if e.is_Pow:
        base, n = e.args
        return n * base ** (n - 1)
    u = e.args[0]
    if e.func == sympy.sin:
        return sympy.cos(u)
    if e.func == sympy.cos:
        return -sympy.sin(u)
    if e.func == sympy.exp:
        return sympy.exp(u)
    if e.func == sympy.log:
        return 1 / u
    raise ValueError("unknown function")


def tangent_line(f, x, a):
    slope = sympy.diff(f, x).subs(x, a)
    return f.subs(x, a) + slope * (x - a)


def critical_points(f, x):
    roots = sympy.solve(sympy.diff(f, x), x)
    return sorted(roots, key=lambda r: (float(sympy.re(r)), float(sympy.im(r))))


def classify_critical_point(f, x, a):
    value = sympy.simplify(sympy.diff(f, x, 2).subs(x, a))
    if value == 0:
        return "inconclusive"
    if value > 0:
        return "maximum"
    return "minimum"


def one_sided_derivatives(f, x, a):
    h = sympy.Symbol("h", positive=True)
    left = sympy.limit((f.subs(x, a) - f.subs(x, a - h)) / h, h, 0, "+")
    right = sympy.limit((f.subs(x, a + h) - f.subs(x, a)) / h, h, 0, "+")
    return (left, right)


def partial_derivatives(f, variables):
    result = []
    g = f
    for v in variables:
        g = sympy.diff(g, v)
        result.append(g)
    return result


def gradient_at(f, variables, point):
    values = []
    for v, p in zip(variables, point):
        values.append(float(sympy.diff(f, v).subs(v, p)))
    return np.array(values)


def jacobian(F, variables):
    return sympy.Matrix([[sympy.diff(Fi, v) for v in variables] for Fi in F])


def hessian(f, variables):
    n = len(variables)
    return sympy.Matrix(n, n, lambda i, j: sympy.diff(f, variables[i], variables[j]))


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + h
        fp = f(x)
        x[k] = old - h
        fm = f(x)
        g[k] = (fp - fm) / (2 * h)
    return g
