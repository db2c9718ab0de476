"""The command line: thin wrappers that parse arguments and call the modules that do the work."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import report as show
from .sandbox import Zygote
from .spec import SpecError, find_course_root, load_course


def _fail_spec(exc: SpecError) -> None:
    out = show.console(stderr=True)
    for problem in exc.problems:
        out.print(show.escape(problem))
    out.print(f"[red]{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in the course files[/red]")
    sys.exit(2)


def _course(path: str | None):
    root = Path(path) if path else find_course_root()
    if root is None:
        _fail_spec(SpecError([f"{Path.cwd()}:1:1: no course.yml here or above (pass --course DIR)"]))
    try:
        return load_course(root)
    except SpecError as exc:
        _fail_spec(exc)


@click.group()
@click.version_option(package_name="dlmath-autograder")
def main() -> None:
    """Auto-graded exercises on the mathematics of deep learning."""


@main.command()
@click.option("--course", "course_dir", type=click.Path(file_okay=False), help="Course folder (default: the one holding course.yml).")
@click.option("--assignment", "assignments", multiple=True, help="Only this assignment (repeatable).")
@click.option("--seeds", type=int, default=0, help="Also draw every hidden check for this many students (reference passes, stub fails).")
@click.argument("exercises", nargs=-1)
def validate(course_dir, assignments, exercises, seeds) -> None:
    """Prove the course: references pass, stubs score zero, listed mistakes are caught."""
    from .validate import validate_course

    out = show.console()
    zygote = Zygote().start()  # before any reference is loaded
    course = _course(course_dir)
    out.print(zygote.caps.describe())
    unknown = [e for e in exercises if e not in course.exercises]
    if unknown:
        _fail_spec(SpecError([f"{course.root / 'course.yml'}:1:1: unknown exercise {u!r}" for u in unknown]))
    with out.status("validating") as status:
        report = validate_course(course, zygote, list(assignments) or None, list(exercises) or None,
                                 progress=lambda text: status.update(text), seeds=seeds)
    zygote.close()
    out.print(show.validation_table(report, course))
    for problem in report.problems:
        out.print(f"[red]✗[/red] {show.escape(problem)}")
    verdict = "[green]course is valid[/green]" if report.ok else f"[red]{len(report.problems)} problems[/red]"
    out.print(f"{verdict}: {len(report.exercises)} exercises in {report.seconds:.1f} s")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--course", "course_dir", type=click.Path(file_okay=False), help="Course folder.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Where to write the student release.")
def build(course_dir, out_dir) -> None:
    """Write the student release: stubs, public cases with expected outputs, hints."""
    from .build import build_release
    from .grade import ReferenceOracle

    course = _course(course_dir)
    written = build_release(course, Path(out_dir), ReferenceOracle(course))
    out = show.console()
    for path in written:
        out.print(f"wrote {path}")
    out.print(f"student release in {out_dir}: {len(course.exercises)} exercises in {len(course.assignments)} modules")


def _symbolic(exercise) -> bool:
    text = exercise.function + "".join(str(g.args) + str(g.cases) for g in exercise.checks)
    return any(word in text for word in ("sympy", "Expr", "Symbol", "Matrix", "callable", "Callable", "expr"))


@main.command()
@click.argument("exercises", nargs=-1)
@click.option("--dir", "work_dir", type=click.Path(file_okay=False), default=".", help="The student release folder.")
@click.option("--all-details", is_flag=True, help="Show details for every failing exercise, not just the first few.")
def check(exercises, work_dir, all_details) -> None:
    """Check your work: public and self-verifying checks for the named (or all) exercises."""
    from .grade import grade_source
    from .release import find_release, load_release

    started = time.perf_counter()
    root = find_release(work_dir)
    if root is None:
        _fail_spec(SpecError([f"{Path(work_dir).resolve()}:1:1: not inside a student release "
                              "(an instructor makes one with `autograder build --out DIR`)"]))
    try:
        course, oracle = load_release(root)
    except SpecError as exc:
        _fail_spec(exc)
    unknown = [e for e in exercises if e not in course.exercises]
    if unknown:
        click.echo(f"unknown exercise {unknown[0]!r}; exercises: {', '.join(course.exercises)}", err=True)
        sys.exit(2)
    out = show.console()
    work = []
    for assignment in course.assignments:
        wanted = [e for e in assignment.exercises if not exercises or e in exercises]
        if not wanted:
            continue
        path = root / f"{assignment.id}.py"
        if not path.exists():
            click.echo(f"{path}: missing (expected your module for {assignment.id})", err=True)
            continue
        work.append((assignment.id, wanted, path, path.read_text(encoding="utf-8", errors="replace")))
    # the student's own release holds no secrets, so the zygote may start after reading it, and only
    # pays for sympy when the code or the exercises need it
    needs_sympy = any("sympy" in source or any(_symbolic(course.exercises[e]) for e in wanted) for _, wanted, _, source in work)
    zygote = Zygote(warm_sympy=needs_sympy).start()
    results = []
    for assignment_id, wanted, path, source in work:
        results += grade_source(course, assignment_id, source, str(path), "local", zygote, oracle, wanted,
                                seed=int(time.time_ns() % 2**62))
    zygote.close()
    shown = 0
    for result in results:
        verbose = all_details or shown < 3 or len(exercises) > 0
        show.print_exercise(out, result, verbose=verbose)
        shown += 0 if result.passed else 1
    show.print_summary(out, results)
    out.print(f"[dim]checked in {time.perf_counter() - started:.2f} s[/dim]")
    sys.exit(0 if results and all(r.passed for r in results) else 1)


@main.command()
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Where the gradebook and reports go.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False), help="Course folder.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--regrade", is_flag=True, help="Grade again even unchanged submissions (earlier attempts are kept).")
@click.option("--require-sandbox", type=click.Choice(["basic", "medium", "strong"]), default=None,
              help="Refuse to grade below this isolation level.")
def grade(submissions, out_dir, course_dir, jobs, regrade, require_sandbox) -> None:
    """Grade a whole class: one folder (or .zip) per student, or an nbgrader submitted/ tree."""
    from . import isolation
    from .batch import Batch
    from .exports import write_all
    from .gradebook import Gradebook

    out = show.console()
    caps = isolation.probe()
    out.print(caps.describe())
    if require_sandbox and isolation.LEVELS.index(caps.level) < isolation.LEVELS.index(require_sandbox):
        show.console(stderr=True).print(f"[red]refusing to grade: --require-sandbox {require_sandbox}, but this machine "
                                        f"reaches {caps.level}[/red]. Missing: {'; '.join(caps.missing())}")
        sys.exit(3)
    root = Path(course_dir) if course_dir else find_course_root()
    if root is None:
        _fail_spec(SpecError([f"{Path.cwd()}:1:1: no course.yml here or above (pass --course DIR)"]))
    batch = Batch(root, jobs)  # fork the workers before reading the course or any submission
    try:
        course = load_course(root)
    except SpecError as exc:
        batch.close()
        _fail_spec(exc)
    out_path = Path(out_dir)
    gradebook = Gradebook(out_path / "gradebook.db")
    assignments = [a.id for a in course.assignments]
    reporter = show.BatchProgress(out)
    try:
        summary = batch.run(Path(submissions), gradebook, assignments, regrade, caps.level,
                            on_result=reporter.advance, on_start=reporter.start)
    except KeyboardInterrupt:
        reporter.stop()
        batch.close()
        out.print("[yellow]interrupted: every submission graded so far is in the gradebook; run again to resume[/yellow]")
        sys.exit(130)
    reporter.stop()
    batch.close()
    for warning in summary.warnings:
        out.print(f"[yellow]warning:[/yellow] {show.escape(warning)}")
    written = write_all(course, gradebook, out_path)
    out.print(show.grade_summary_table(gradebook.current_results(), course))
    out.print(f"graded {summary.graded}, unchanged and skipped {summary.skipped}, of {summary.discovered} submissions "
              f"in {summary.seconds:.1f} s with {batch.jobs} workers")
    out.print(f"gradebook: {out_path / 'gradebook.db'}\ngrades:    {out_path / 'grades.csv'}\n"
              f"feedback:  {out_path / 'feedback'}/<student>.md|.html\nGradescope: {out_path / 'results'}/<student>.json\n"
              f"report:    {out_path / 'report.html'}  ({len(written)} files written)")
    gradebook.close()
