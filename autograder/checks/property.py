"""property: a trusted predicate on the inputs and the student's output (e.g. A @ X ≈ I).

The expression comes from the exercise file (trusted) and sees the arguments by name, `out`, numpy,
sympy and the helpers. It is True when the property holds; a string result is the failure message.
Properties over sympy values run time-boxed, since evaluating an adversarial expression can hang.
"""
from __future__ import annotations

import functools
import sys
from typing import Any

from . import Difference
from .compare import show
from .helpers import namespace
from .timebox import run_timeboxed


@functools.lru_cache(maxsize=1024)
def _compiled(expr: str, name: str):
    return compile(expr, f"<property {name}>", "eval")


def check_property(spec, args: dict, output: Any, involves_sympy: bool, timeout: float = 5.0,
                   inline: bool = False) -> Difference | None:
    """inline: already inside a time-boxed child (or on trusted values), so no child of its own."""
    code = _compiled(spec.expr.strip(), spec.name)

    def evaluate(report=None):
        try:
            scope = namespace(with_sympy="sympy" in spec.expr or "sympy" in sys.modules)
            result = eval(code, dict(scope, out=output, args=args, **args))  # trusted course code
        except Exception as exc:  # noqa: BLE001 - a wrong answer may break the predicate itself
            return f"could not be checked on your output ({type(exc).__name__}: {str(exc)[:200]})"
        if isinstance(result, str):
            return result
        try:
            return True if bool(result) else False
        except Exception:  # noqa: BLE001 - e.g. the truth value of an array
            return "the property could not be decided on your output"

    if involves_sympy and not inline:
        finished, message = run_timeboxed(evaluate, timeout)
        if not finished or message is None:
            return Difference(f"property '{spec.name}' could not be checked within {timeout:g} s")
        result = message.get("value", message.get("error"))
    else:
        result = evaluate()
    if result is True:
        return None
    text = f"property '{spec.name}' does not hold" + (f": {result}" if isinstance(result, str) else "")
    return Difference(text, lambda: f"{text}\n your output: {show(output)}")
