"""Chloe -- derivatives. A rule table for the symbolic part, small classes for the numeric part."""
import numpy as np
import sympy


class CentralDifference:
    def __init__(self, h):
        self.h = h

    def slope(self, f, x):
        return (f(x + self.h) - f(x - self.h)) / (2 * self.h)


def numerical_derivative(f, x, h=1e-5):
    return float(CentralDifference(h).slope(f, x))


# outer derivative of each supported function, as a function of its argument
_OUTER = {
    sympy.sin: lambda u: sympy.cos(u),
    sympy.cos: lambda u: -sympy.sin(u),
    sympy.exp: lambda u: sympy.exp(u),
    sympy.log: lambda u: 1 / u,
}


class Differentiator:
    def __init__(self, var):
        self.var = var

    def __call__(self, e):
        if not e.has(self.var):
            return sympy.S.Zero
        if e == self.var:
            return sympy.S.One
        if e.is_Add:
            return sympy.Add(*map(self, e.args))
        if e.is_Mul:
            head, tail = e.args[0], sympy.Mul(*e.args[1:])
            return self(head) * tail + head * self(tail)
        if e.is_Pow:
            u, n = e.args
            if n.has(self.var):
                return e * self(n * sympy.log(u))
            return n * u ** (n - 1) * self(u)
        if e.func in _OUTER:
            (u,) = e.args
            return _OUTER[e.func](u) * self(u)
        raise NotImplementedError(f"no differentiation rule for {e.func}")


def differentiate(expr, x):
    return Differentiator(x)(sympy.sympify(expr))


def tangent_line(f, x, a):
    f, a = sympy.sympify(f), sympy.sympify(a)
    alpha = sympy.diff(f, x).subs(x, a)
    beta = f.subs(x, a) - alpha * a
    return sympy.expand(alpha * x + beta)


def critical_points(f, x):
    roots = sympy.solve(sympy.diff(sympy.sympify(f), x), x)
    real = {sympy.nsimplify(r) if r.has(sympy.Float) else r for r in roots if sympy.im(r) == 0}
    return sorted(real, key=lambda r: float(r))


def classify_critical_point(f, x, a):
    curvature = sympy.simplify(sympy.diff(sympy.sympify(f), x, x).subs(x, a))
    sign = sympy.sign(curvature)
    return {1: "minimum", -1: "maximum", 0: "inconclusive"}[int(sign)]


def one_sided_derivatives(f, x, a):
    f, a = sympy.sympify(f), sympy.sympify(a)
    h = sympy.Symbol("h", positive=True)
    quotient = lambda num: sympy.limit(num / h, h, 0, "+")  # noqa: E731
    return quotient(f.subs(x, a) - f.subs(x, a - h)), quotient(f.subs(x, a + h) - f.subs(x, a))


def partial_derivatives(f, variables):
    f = sympy.sympify(f)
    return [sympy.diff(f, v) for v in variables]


def gradient_at(f, variables, point):
    partials = partial_derivatives(f, variables)
    numeric = sympy.lambdify(list(variables), partials, modules="numpy")
    values = np.asarray(point, dtype=float).tolist()
    return np.asarray(numeric(*values), dtype=np.float64).reshape(len(variables))


def jacobian(F, variables):
    return sympy.Matrix([[sympy.diff(sympy.sympify(Fi), v) for v in variables] for Fi in F])


def hessian(f, variables):
    # the Hessian is the Jacobian of the gradient
    return jacobian(partial_derivatives(f, variables), variables)


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = []
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad.append((f(x + step) - f(x - step)) / (2 * h))
    return np.asarray(grad, dtype=float).reshape(x.shape)
