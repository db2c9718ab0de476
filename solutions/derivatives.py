"""Reference solutions for the `derivatives` assignment: derivatives, numeric and symbolic."""

import numpy as np
import sympy


# ---------------------------------------------------------------------------
# One variable, numerically
# ---------------------------------------------------------------------------

def numerical_derivative(f, x, h=1e-5):
    """Central-difference estimate (f(x+h) - f(x-h)) / (2h) of f'(x)."""
    # The symmetric quotient cancels the f''(x) term of the Taylor expansion,
    # so its error is O(h**2) instead of the O(h) of a one-sided quotient.
    return float((f(x + h) - f(x - h)) / (2 * h))


# ---------------------------------------------------------------------------
# One variable, symbolically
# ---------------------------------------------------------------------------

# d/du of each elementary outer function, as a function of its argument u.
_OUTER_DERIVATIVES = {
    sympy.sin: lambda u: sympy.cos(u),
    sympy.cos: lambda u: -sympy.sin(u),
    sympy.exp: lambda u: sympy.exp(u),
    sympy.log: lambda u: 1 / u,
}


def differentiate(expr, x):
    """Symbolic d(expr)/dx by the sum, product, power and chain rules (no sympy.diff)."""
    expr = sympy.sympify(expr)
    if not expr.has(x):
        return sympy.Integer(0)              # constant rule: numbers and other symbols
    if expr == x:
        return sympy.Integer(1)
    if expr.is_Add:                          # sum rule
        return sympy.Add(*[differentiate(term, x) for term in expr.args])
    if expr.is_Mul:                          # product rule for any number of factors:
        factors = expr.args                  # (f g h)' = f' g h + f g' h + f g h'
        return sympy.Add(*[
            sympy.Mul(*factors[:i], differentiate(factors[i], x), *factors[i + 1:])
            for i in range(len(factors))
        ])
    if expr.is_Pow:
        base, exponent = expr.args
        if not exponent.has(x):              # power rule, then chain rule into the base
            return exponent * base ** (exponent - 1) * differentiate(base, x)
        # u**v = exp(v log u), so (u**v)' = u**v (v' log u + v u'/u)
        return expr * (differentiate(exponent, x) * sympy.log(base)
                       + exponent * differentiate(base, x) / base)
    if expr.func in _OUTER_DERIVATIVES and len(expr.args) == 1:
        inner = expr.args[0]                 # chain rule: outer'(inner) * inner'
        return _OUTER_DERIVATIVES[expr.func](inner) * differentiate(inner, x)
    raise ValueError(f"differentiate does not know the derivative of {expr.func.__name__}")


def tangent_line(f, x, a):
    """The tangent y = f(a) + f'(a) (x - a) to f at x = a, as an expression in x."""
    a = sympy.sympify(a)
    slope = sympy.diff(f, x).subs(x, a)
    return sympy.expand(f.subs(x, a) + slope * (x - a))


def critical_points(f, x):
    """Sorted, exact real solutions of f'(x) = 0."""
    roots = sympy.solveset(sympy.diff(f, x), x, domain=sympy.S.Reals)
    if roots is sympy.S.EmptySet:
        return []                            # e.g. exp(x): the slope is never 0
    if not isinstance(roots, sympy.FiniteSet):
        # e.g. a constant (every x is critical) or sin(x) (infinitely many)
        raise ValueError(f"the critical points of {f} are not a finite list: {roots}")
    return sorted(roots, key=lambda r: float(r))


def classify_critical_point(f, x, a):
    """'minimum', 'maximum' or 'inconclusive' from the sign of f''(a)."""
    curvature = sympy.simplify(sympy.diff(f, x, 2).subs(x, sympy.sympify(a)))
    if curvature.is_zero:
        return "inconclusive"                # f'' = 0: x**4, -x**4 and x**3 all give 0 at 0
    if curvature.is_positive or (curvature.is_positive is None and float(curvature) > 0):
        return "minimum"                     # curving upwards
    return "maximum"                         # curving downwards


def one_sided_derivatives(f, x, a):
    """(left, right) limits of the difference quotient of f at x = a."""
    a = sympy.sympify(a)
    h = sympy.Symbol("h", positive=True)     # the step shrinks to 0 from above
    left = sympy.limit((f.subs(x, a) - f.subs(x, a - h)) / h, h, 0, "+")
    right = sympy.limit((f.subs(x, a + h) - f.subs(x, a)) / h, h, 0, "+")
    return (left, right)


# ---------------------------------------------------------------------------
# Several variables
# ---------------------------------------------------------------------------

def partial_derivatives(f, variables):
    """[df/dv for v in variables]: each one holds the other variables constant."""
    return [sympy.diff(f, v) for v in variables]


def gradient_at(f, variables, point):
    """The gradient of f evaluated at point, as a float array in the order of variables."""
    values = [float(v) for v in np.asarray(point, dtype=float).ravel()]
    if len(values) != len(variables):
        raise ValueError(f"point has {len(values)} coordinates but there are {len(variables)} variables")
    at = dict(zip(variables, values))
    return np.array([float(sympy.diff(f, v).evalf(subs=at)) for v in variables], dtype=float)


def jacobian(F, variables):
    """Matrix J with J[i, j] = dF_i/dx_j: one row per output, one column per input."""
    return sympy.Matrix([[sympy.diff(fi, v) for v in variables] for fi in F])


def hessian(f, variables):
    """Matrix H with H[i, j] = d2f/(dx_i dx_j): the Jacobian of the gradient."""
    return sympy.Matrix([[sympy.diff(f, vi, vj) for vj in variables] for vi in variables])


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at an array x of any shape."""
    x = np.array(x, dtype=float)             # a float copy: the caller's array stays intact
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):        # () is the single index of a rank-0 array
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old                       # restore before moving to the next entry
        grad[index] = (up - down) / (2 * h)
    return grad
