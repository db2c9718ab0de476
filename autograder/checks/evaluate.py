"""Evaluate a sympy expression at a point in double precision, with a bound on its rounding error.

The symbolic check compares expressions at random points. sympy's `evalf` at 30 digits is precise
but costs milliseconds a point, and on an adversarial expression it can take forever, so it only
runs in a time-boxed child. Most comparisons are decided here instead, in the trusted process: each
whitelisted node is evaluated in floating point together with a first-order bound on the error the
arithmetic made (running error analysis). Where the bound is too wide to decide, or a node is not
one this module knows, it says so and the precise path decides. Every value is a double (nothing
grows into a huge integer) and the work is linear in the size of the tree, which is capped.
"""
from __future__ import annotations

import cmath
import math

EPS = 2.0 ** -52  # twice the unit roundoff: every rounding term below is a little generous
UNDERFLOW = 1e-300  # more than any one operation can lose to gradual underflow
MAX_NODES = 20_000


_I = None  # sympy.I, imported on first use


class Unsupported(Exception):
    """A node this evaluator does not know, or a value it cannot bound: use the precise path."""


class OutsideDomain(Exception):
    """The expression has no finite value at this point (division by zero, overflow, log 0)."""


def evaluate(expr, point: dict) -> tuple[complex | float, float]:
    """(value, bound on its absolute error) of `expr` with each symbol replaced by point[symbol]."""
    budget = [MAX_NODES]
    try:
        return _value(expr, point, budget)
    except (OverflowError, ZeroDivisionError):
        raise OutsideDomain from None
    except (RecursionError, TypeError, ValueError, AttributeError):
        raise Unsupported from None


def _finite(value) -> bool:
    if isinstance(value, complex):
        return math.isfinite(value.real) and math.isfinite(value.imag)
    return math.isfinite(value)


def _checked(value, bound):
    """Every computed node: finite, real when its imaginary part is 0, and an absolute floor on the
    error for results that underflowed (where relative bounds say nothing)."""
    if not _finite(value) or not math.isfinite(bound):
        raise OutsideDomain
    bound += UNDERFLOW
    if isinstance(value, complex) and value.imag == 0.0:
        value = value.real  # keep real values real: a signed zero imaginary part would pick a branch
    return value, bound


def _value(expr, point, budget):
    global _I
    if _I is None:
        import sympy

        _I = sympy.I
    budget[0] -= 1
    if budget[0] < 0:
        raise Unsupported
    if expr.is_Symbol:
        if expr not in point:
            raise Unsupported
        return point[expr], 0.0
    if expr.is_Number:
        if expr.is_Rational:
            value = expr.p / expr.q  # correctly rounded; OverflowError when huge
        elif expr.is_Float:
            value = float(expr)
        else:  # oo, -oo, zoo, nan
            raise OutsideDomain
        return value, EPS * abs(value)
    if expr.is_NumberSymbol:  # pi, E
        value = float(expr)
        return value, EPS * abs(value)
    if expr is _I:
        return 1j, 0.0
    handler = _HANDLERS.get(type(expr).__name__)
    if handler is None or not expr.args:
        raise Unsupported
    return handler(expr, point, budget)


def _args(expr, point, budget, count=None):
    if count is not None and len(expr.args) != count:
        raise Unsupported
    return [_value(arg, point, budget) for arg in expr.args]


def _real(value):
    if isinstance(value, complex):
        raise Unsupported  # no principal value this module is sure of
    return value


# Each handler returns (value, bound). Bounds are rigorous for the perturbation of the arguments
# (interval products, Lipschitz constants over the neighbourhood) plus a few units of rounding.

def _add(expr, point, budget):
    total, bound, magnitude = 0.0, 0.0, 0.0
    for value, error in _args(expr, point, budget):
        total += value
        bound += error
        magnitude += abs(value)
    return _checked(total, bound + len(expr.args) * EPS * magnitude)


def _mul(expr, point, budget):
    product, exact, widened = 1.0, 1.0, 1.0
    pairs = _args(expr, point, budget)
    for value, error in pairs:
        product *= value
        exact *= abs(value)
        widened *= abs(value) + error
    return _checked(product, (widened - exact) + 2 * len(pairs) * EPS * widened)


def _log(z):
    """Principal logarithm; the negative real axis is taken from above, as sympy does."""
    if isinstance(z, float):
        if z > 0:
            return math.log(z)
        if z < 0:
            return complex(math.log(-z), math.pi)
        raise ZeroDivisionError
    return cmath.log(z)


def _near_cut(z, error) -> bool:
    """Within its error of the negative real axis, where log and fractional powers jump."""
    return isinstance(z, complex) and z.real < 0 and abs(z.imag) <= error


def _pow(expr, point, budget):
    base_expr, exponent_expr = expr.args
    base, base_error = _value(base_expr, point, budget)
    magnitude = abs(base)
    if exponent_expr.is_Integer:
        n = int(exponent_expr)
        if abs(n) > 10_000:
            raise Unsupported
        if n == 0:
            return 1.0, 0.0
        if n < 0 and magnitude <= 2 * base_error:
            raise ZeroDivisionError if magnitude == 0 else Unsupported
        value = base ** n
        if n > 0:
            spread = (magnitude + base_error) ** n - magnitude ** n
        else:
            spread = (magnitude - base_error) ** n - magnitude ** n
        # pow() on floats is within an ulp or two; complex powers square repeatedly up to 100, then use exp(n log b)
        steps = 2 * math.log2(abs(n) + 1) + (abs(n * math.log(magnitude)) if isinstance(base, complex) and abs(n) > 100 else 0)
        return _checked(value, spread + 2 * (1 + steps) * EPS * (abs(value) + spread))
    exponent, exponent_error = _value(exponent_expr, point, budget)
    if magnitude == 0 or base_error > 1e-6 * magnitude or _near_cut(base, base_error):
        raise (ZeroDivisionError if magnitude == 0 and base_error == 0 else Unsupported)
    if isinstance(base, float) and base > 0 and isinstance(exponent, float):
        value = base ** exponent
    elif exponent == 0.5:
        value = cmath.sqrt(base) if isinstance(base, complex) else (math.sqrt(base) if base > 0 else 1j * math.sqrt(-base))
    else:
        value = cmath.exp(exponent * _log(base))
    log_base = _log(base)
    log_error = base_error / (magnitude - base_error)
    t_error = (abs(exponent) * log_error + abs(log_base) * exponent_error + log_error * exponent_error
               + 4 * EPS * (1 + abs(exponent * log_base)))
    return _checked(value, abs(value) * math.expm1(t_error))


def _log_handler(expr, point, budget):
    (x, error), = _args(expr, point, budget, 1)  # log(x, base) is not supported
    if x == 0:
        raise ZeroDivisionError
    if 2 * error >= abs(x) or _near_cut(x, error):
        raise Unsupported
    value = _log(x)
    return _checked(value, error / (abs(x) - error) + 4 * EPS * (abs(value) + math.pi))


def _entire(real_function, complex_function, lipschitz):
    """f without poles: error <= (sup of |f'| near x) * error(x), plus rounding."""
    def handler(expr, point, budget):
        (x, error), = _args(expr, point, budget, 1)
        value = complex_function(x) if isinstance(x, complex) else real_function(x)
        return _checked(value, lipschitz(x, error, value) * error + 2 * EPS * abs(value))
    return handler


def _exp_spread(x, error, value):
    return abs(value) * (math.expm1(error) / error if error else 1.0)


def _trig_spread(x, error, value):
    return math.cosh(abs(x.imag) + error) if isinstance(x, complex) else 1.0


def _hyperbolic_spread(x, error, value):
    return math.cosh(abs(x.real if isinstance(x, complex) else x) + error)


def _pole(real_function, distance):
    """Real tan, cot, sec, csc: |f'| <= 1 / d**2 where d bounds the distance to the nearest pole."""
    def handler(expr, point, budget):
        (x, error), = _args(expr, point, budget, 1)
        x = _real(x)
        d = abs(distance(x))
        if d == 0:
            raise ZeroDivisionError
        if error > 1e-3 * d:
            raise Unsupported
        value = real_function(x)
        return _checked(value, error / (d - error) ** 2 + 4 * EPS * abs(value))
    return handler


def _inverse_sine(real_function):
    def handler(expr, point, budget):
        (x, error), = _args(expr, point, budget, 1)
        x = _real(x)
        if abs(x) + 2 * error >= 1:
            raise Unsupported  # outside [-1, 1] sympy's value is complex, on a branch cut
        value = real_function(x)
        return _checked(value, error / math.sqrt(1 - (abs(x) + error) ** 2) + 4 * EPS * abs(value))
    return handler


def _lipschitz_one(real_function):
    """atan, tanh, Abs (real, or Abs of complex): |f(x + d) - f(x)| <= |d|."""
    def handler(expr, point, budget):
        (x, error), = _args(expr, point, budget, 1)
        if real_function is not abs:
            x = _real(x)
        value = real_function(x)
        return _checked(value, error + 4 * EPS * abs(value))
    return handler


def _sign(expr, point, budget):
    (x, error), = _args(expr, point, budget, 1)
    x = _real(x)
    if x == 0 and error == 0:
        return 0.0, 0.0
    if abs(x) <= error:
        raise Unsupported
    return math.copysign(1.0, x), 0.0


def _heaviside(expr, point, budget):
    pairs = _args(expr, point, budget)
    if not 1 <= len(pairs) <= 2:
        raise Unsupported
    x, error = _real(pairs[0][0]), pairs[0][1]
    if x == 0 and error == 0:
        return pairs[1] if len(pairs) == 2 else (0.5, 0.0)  # sympy's Heaviside(0) is 1/2
    if abs(x) <= error:
        raise Unsupported
    return (1.0 if x > 0 else 0.0), 0.0


def _extremum(pick):
    def handler(expr, point, budget):
        pairs = _args(expr, point, budget)
        return pick(_real(v) for v, _ in pairs), max(e for _, e in pairs)  # max and min are 1-Lipschitz
    return handler


def _atan2(expr, point, budget):
    (y, y_error), (x, x_error) = _args(expr, point, budget, 2)
    y, x = _real(y), _real(x)
    radius, spread = math.hypot(x, y), x_error + y_error
    if radius == 0:
        raise ZeroDivisionError
    if 2 * spread >= radius or (x < 0 and abs(y) <= y_error):
        raise Unsupported  # too close to the origin or on the branch cut
    value = math.atan2(y, x)
    return _checked(value, spread / (radius - spread) + 4 * EPS * abs(value))


_HANDLERS = {
    "Add": _add,
    "Mul": _mul,
    "Pow": _pow,
    "log": _log_handler,
    "exp": _entire(math.exp, cmath.exp, _exp_spread),
    "sin": _entire(math.sin, cmath.sin, _trig_spread),
    "cos": _entire(math.cos, cmath.cos, _trig_spread),
    "sinh": _entire(math.sinh, cmath.sinh, _hyperbolic_spread),
    "cosh": _entire(math.cosh, cmath.cosh, _hyperbolic_spread),
    "tan": _pole(math.tan, math.cos),
    "cot": _pole(lambda x: 1 / math.tan(x), math.sin),
    "sec": _pole(lambda x: 1 / math.cos(x), math.cos),
    "csc": _pole(lambda x: 1 / math.sin(x), math.sin),
    "asin": _inverse_sine(math.asin),
    "acos": _inverse_sine(math.acos),
    "atan": _lipschitz_one(math.atan),
    "tanh": _lipschitz_one(math.tanh),
    "Abs": _lipschitz_one(abs),
    "sign": _sign,
    "Heaviside": _heaviside,
    "Max": _extremum(max),
    "Min": _extremum(min),
    "atan2": _atan2,
}
