"""Check kinds. Each takes what the student returned and decides, in the trusted process, with a message.

compare   — type, shape, dtype family, then values with rtol/atol (`compare.py`)
raises    — the call must raise a given exception (`raises.py`)
property  — a trusted predicate on inputs and output (`property.py`)
gradient  — gradients against central differences of a trusted forward (`gradient.py`)
symbolic  — sympy equivalence by simplify and random points, time-bounded (`symbolic.py`)
static    — forbidden names, operators and loops on the AST (`static.py`)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Difference:
    """Why a check failed: a one-line summary safe to show for hidden cases, and the full detail."""

    summary: str
    detail: str = ""

    def __str__(self):
        return self.detail or self.summary
