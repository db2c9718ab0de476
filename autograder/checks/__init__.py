"""Check kinds. Each takes what the student returned and decides, in the trusted process, with a message.

compare   — type, shape, dtype family, then values with rtol/atol (`compare.py`)
raises    — the call must raise a given exception (`raises.py`)
property  — a trusted predicate on inputs and output (`property.py`)
gradient  — gradients against central differences of a trusted forward (`gradient.py`)
symbolic  — sympy equivalence by simplify and random points, time-bounded (`symbolic.py`)
static    — forbidden names, operators and loops on the AST (`static.py`)
"""
from __future__ import annotations

from typing import Callable, Union


class Difference:
    """Why a check failed: a one-line summary safe to show for hidden cases, and the full detail.

    The detail may be given as a function: it is only built when someone reads it (most failing
    cases after the first are counted, never shown).
    """

    def __init__(self, summary: str, detail: Union[str, Callable[[], str]] = ""):
        self.summary = summary
        self._detail = detail

    @property
    def detail(self) -> str:
        if callable(self._detail):
            self._detail = self._detail()
        return self._detail

    def __str__(self):
        return self.detail or self.summary

    def __repr__(self):
        return f"Difference({self.summary!r})"
