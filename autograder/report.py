"""Showing results: terminal output for `check` and `validate` (rich on a terminal, plain text otherwise)."""
from __future__ import annotations

from typing import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .grade import ExerciseResult


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _points(x: float) -> str:
    return f"{x:g}"


def print_exercise(out: Console, result: ExerciseResult, hint_index: int = 0, verbose: bool = True) -> None:
    mark = "[green]✓[/green]" if result.passed else "[red]✗[/red]"
    out.print(f"{mark} [bold]{result.id}[/bold] — {escape(result.title)}  "
              f"{_points(result.score)}/{_points(result.max_score)}")
    if result.passed or not verbose:
        return
    if result.error:
        out.print(f"    [red]{escape(result.error)}[/red]")
    for message in result.static:
        out.print(f"    [red]{escape(message)}[/red]")
    first = result.first_failure()
    if first:
        group, failure = first
        out.print(f"    [yellow]{escape(group.name)}[/yellow]: {group.passed}/{group.total} passed; first failing case: {escape(failure.label)}")
        if failure.inputs:
            out.print(f"    inputs: {escape(failure.inputs)}")
        for line in failure.detail.splitlines():
            out.print(f"      {escape(line)}")
    for mistake in result.mistakes:
        out.print(f"    [magenta]Looks like a known mistake — {escape(mistake['name'])}:[/magenta] {escape(mistake['feedback'])}")
    if result.hints and hint_index < len(result.hints):
        out.print(f"    [cyan]Hint {hint_index + 1}/{len(result.hints)}:[/cyan] {escape(result.hints[hint_index].strip())}")


def print_summary(out: Console, results: Iterable[ExerciseResult]) -> None:
    results = list(results)
    score = sum(r.score for r in results)
    best = sum(r.max_score for r in results)
    passed = sum(r.passed for r in results)
    out.print(f"\n{passed}/{len(results)} exercises pass, {_points(round(score, 2))}/{_points(best)} points")


def validation_table(report, course) -> Table:
    table = Table(title="autograder validate")
    for column in ("assignment", "exercises", "check groups", "cases", "problems"):
        table.add_column(column)
    by_assignment: dict[str, list] = {}
    for entry in report.exercises:
        by_assignment.setdefault(entry.assignment, []).append(entry)
    for assignment, entries in by_assignment.items():
        problems = sum(len(e.problems) for e in entries)
        table.add_row(assignment, str(len(entries)), str(sum(e.checks for e in entries)), str(sum(e.cases for e in entries)),
                      "[green]0[/green]" if not problems else f"[red]{problems}[/red]")
    return table
