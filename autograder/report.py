"""Showing results: terminal output for `check` and `validate` (rich on a terminal, plain text otherwise)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from rich.console import Console
from rich.markup import escape

from .grade import ExerciseResult

if TYPE_CHECKING:
    from rich.table import Table  # imported where a table is made: `check` prints none


def console(stderr: bool = False) -> Console:
    # emoji=False: a student's message or printed text with `:x:` in it stays as written
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


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
            if result.error and line.strip() == result.error.strip():
                continue  # already said above (a timeout, a crash)
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
    out.print(f"\n{passed}/{len(results)} exercises pass, {_points(round(score, 4))}/{_points(best)} points")


def validation_table(report, course) -> Table:
    from rich.table import Table

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


class BatchProgress:
    """A rich progress bar with rate and ETA on a terminal; one plain line per submission otherwise."""

    def __init__(self, out: Console):
        self.out = out
        self.progress = None
        self.task = None
        self.done = 0
        self.total = 0

    def start(self, total: int, summary) -> None:
        self.total = total
        if summary.skipped:
            self.out.print(f"{summary.skipped} submissions unchanged since they were graded: skipped (use --regrade to grade them again)")
        if self.out.is_terminal and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=self.out)
            self.progress.start()
            self.task = self.progress.add_task("grading", total=total, rate="")

    def advance(self, outcome: dict) -> None:
        self.done += 1
        score = sum(r["score"] for r in outcome["results"])
        best = sum(r["max_score"] for r in outcome["results"])
        if self.progress is not None:
            elapsed = self.progress.tasks[0].elapsed or 1e-9
            self.progress.update(self.task, advance=1, rate=f"{self.done / elapsed:.1f}/s")
        else:
            self.out.print(f"[{self.done}/{self.total}] {escape(outcome['student'])}/{outcome['assignment']}: "
                           f"{score:g}/{best:g} ({outcome['seconds']:.2f} s)"
                           + (f" — {escape(outcome['problem'])}" if outcome.get("problem") else ""))

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def grade_summary_table(rows: list[dict], course) -> Table:
    from rich.table import Table

    table = Table(title="class summary")
    for column in ("assignment", "submissions", "mean", "max points", "full marks", "zero"):
        table.add_column(column)
    per: dict[str, dict[str, float]] = {}
    for row in rows:
        per.setdefault(row["assignment"], {}).setdefault(row["student"], 0.0)
        per[row["assignment"]][row["student"]] += row["score"]
    for assignment in course.assignments:
        scores = per.get(assignment.id)
        if not scores:
            continue
        best = sum(course.exercises[e].points for e in assignment.exercises)
        values = list(scores.values())
        table.add_row(assignment.id, str(len(values)), f"{sum(values) / len(values):.1f}", f"{best:g}",
                      str(sum(v >= best - 1e-9 for v in values)), str(sum(v == 0 for v in values)))
    return table
