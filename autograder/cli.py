"""The command line: thin wrappers that parse arguments and call the modules that do the work."""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import click

from . import report as show
from .sandbox import Zygote, collector_on
from .course import SpecError, find_course_root


def _fail_spec(exc: SpecError, where: str = "the course files") -> None:
    out = show.console(stderr=True)
    for problem in exc.problems:
        out.print(show.escape(problem))
    out.print(f"[red]{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in {where}[/red]")
    sys.exit(2)


def _not_in_release(where) -> None:
    click.echo(f"error: {Path(where).resolve()} is not inside a student release (no .autograder/release.json here "
               "or above): run this inside the release folder. An instructor makes a release "
               "with `autograder build --out DIR`.", err=True)
    sys.exit(2)


def _unknown(kind: str, name: str, known) -> None:
    """Exit with a message naming the closest matches, then everything there is."""
    import difflib

    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    guess = f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    click.echo(f"error: unknown {kind} {name!r}{guess}\n{kind}s: {', '.join(known)}", err=True)
    sys.exit(2)


def _course(path: str | None):
    from .spec import load_course

    root = Path(path) if path else find_course_root()
    if root is None:
        _fail_spec(SpecError([f"{Path.cwd()}:1:1: no course.yml here or above (pass --course DIR)"]))
    try:
        return load_course(root)
    except SpecError as exc:
        _fail_spec(exc)


@click.group()
@click.version_option(package_name="dlmath-autograder")
@click.pass_context
def main(ctx) -> None:
    """Auto-graded exercises on the mathematics of deep learning."""
    if ctx.invoked_subcommand not in _IMPORTS_FIRST:
        collector_on()


# commands a student waits for that import numpy and sympy (or their lazily loaded parts) before
# their work starts: each turns the collector on itself once that is done
_IMPORTS_FIRST = ("check", "grade-one")



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


@main.command()
@click.argument("exercises", nargs=-1)
@click.option("--dir", "work_dir", type=click.Path(file_okay=False), default=".", help="The student release folder.")
@click.option("--all-details", is_flag=True, help="Show details for every failing exercise, not just the first few.")
def check(exercises, work_dir, all_details) -> None:
    """Check your work: public and self-verifying checks for the named (or all) exercises."""
    started = time.perf_counter()
    root, course, oracle = _release_or_exit(work_dir)
    exercises = _exercises_named(course, exercises)
    out = show.console()
    work = _local_work(root, course, exercises)
    # the student's own release holds no secrets, so the zygote may start after reading it, and only
    # pays for sympy (and its parts) when the code or the exercises need them; one child: no fresh
    # interpreter in bubblewrap (~0.4 s)
    zygote = _local_zygote(*_local_needs(course, work))
    collector_on()
    printed: list[str] = []
    results = _check_work(course, oracle, work, zygote, printed)
    zygote.close()
    _show_checks(out, root, results, all_details or len(exercises) > 0, started)
    _show_printed(out, printed)
    _exit_now(0 if results and all(r.passed for r in results) else 1)


def _exercises_named(course, names) -> tuple:
    """Exercise ids for command-line names: an assignment stands for all its exercises."""
    chosen = []
    for name in names:
        if name in course.exercises:
            chosen.append(name)
        elif any(a.id == name for a in course.assignments):
            chosen += course.assignment(name).exercises
        else:
            _unknown("exercise", name, [*course.exercises, *(a.id for a in course.assignments)])
    return tuple(dict.fromkeys(chosen))


def _exit_now(code: int) -> None:
    """Exit without tearing the interpreter down: with numpy and sympy loaded, freeing every module
    and object costs ~0.1-0.15 s of a check the student waits for, and nothing is left to clean up
    (output flushed, progress saved, the zygote closed). Under click's test runner (the same
    process), raise SystemExit as usual."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    if sys.stdout is not sys.__stdout__:
        sys.exit(code)
    os._exit(code)


def _local_zygote(needs_sympy: bool, warm_lambdify: bool = False, first_use: set[str] | None = None) -> Zygote:
    return Zygote(warm_sympy=needs_sympy, bubblewrap=False, warm_lambdify=warm_lambdify, spawn=False,
                  first_use=first_use).start()


def _local_needs(course, work) -> tuple[bool, bool, set[str]]:
    """What one local check loads before forking, so that the checker and the child pay for it once:
    sympy, its lambdify printers, and those of its lazily imported parts (sandbox.SYMPY_FIRST_USE)
    that the functions checked can reach or the inputs' generators call."""
    from .checks.static import names_used
    from .sandbox import sympy_uses

    exercises = [course.exercises[e] for _, wanted, _, _ in work for e in wanted]
    names = {word for e in exercises for word in re.findall(r"\w+", e.inputs_text)}
    for _, wanted, _, source in work:
        names |= names_used(source, wanted) or set(re.findall(r"\w+", source))
    needs_sympy = any("sympy" in source for *_, source in work) or any(e.uses_sympy for e in exercises)
    lambdify = "lambdify" in names or any(e.makes_callables_from_expressions for e in exercises)
    return needs_sympy, needs_sympy and lambdify, sympy_uses(names)


def _local_work(root: Path, course, exercises, quiet: bool = False) -> list:
    """(assignment, exercises wanted, path, source) for each of the student's files that holds some."""
    from .submissions import read_text

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    work = []
    for assignment in course.assignments:
        wanted = [e for e in assignment.exercises if not exercises or e in exercises]
        if not wanted:
            continue
        path, notebook = root / f"{assignment.id}.py", root / f"{assignment.id}.ipynb"
        # both: the one saved last is the one being worked on (a build or a checkout writes them
        # within moments of each other, and the module wins then)
        if notebook.exists() and (not path.exists() or notebook.stat().st_mtime > path.stat().st_mtime + 2):
            if path.exists():
                say(f"checking {notebook.name}: it was saved after {path.name}")
            path = notebook
        if not path.exists():
            say(f"{root / assignment.id}.py: missing (expected your module or notebook for {assignment.id})")
            continue
        source, problem = read_text(path.read_bytes(), path.name)
        if problem:
            say(f"{path}: {problem}")
            continue
        work.append((assignment.id, wanted, path, source))
    return work


def _check_work(course, oracle, work, zygote, printed: list | None = None) -> list:
    from .grade import grade_source

    results = []
    for assignment_id, wanted, path, source in work:
        results += grade_source(course, assignment_id, source, str(path), "local", zygote, oracle, wanted,
                                seed=int(time.time_ns() % 2**62), printed=printed)
    return results


def _show_printed(out, printed: list, lines: int = 20) -> None:
    """What the student's code printed while checked (prints are how many debug)."""
    text = "\n".join(printed).rstrip("\n").splitlines()
    if text:
        out.print(f"[dim]your code printed ({len(text)} line{'s' if len(text) != 1 else ''}"
                  f"{f', the first {lines}' if len(text) > lines else ''}):[/dim]")
        for line in text[:lines]:
            out.print(f"  {show.escape(line)}", highlight=False)


def _show_checks(out, root: Path, results: list, all_details: bool, started: float) -> None:
    from .progress import Progress

    progress = Progress(root)
    progress.record(results)
    shown = 0
    for result in results:
        verbose = all_details or shown < 3
        show.print_exercise(out, result, hint_index=progress.hint_to_show(result) if verbose else 0, verbose=verbose)
        if not result.passed and verbose:
            more = progress.hints_seen(result.id) < len(result.hints)
            out.print(f"    [dim]stuck? `autograder hint {result.id}` shows the next hint[/dim]" if more else
                      f"    [dim]`autograder hint {result.id}` shows its hints again[/dim]" if result.hints else "")
        shown += 0 if result.passed else 1
    progress.save()
    show.print_summary(out, results)
    if results and all(r.passed for r in results):
        out.print("[dim]these are the public and self-verifying checks; grading adds hidden cases[/dim]")
    out.print(f"[dim]checked in {time.perf_counter() - started:.2f} s after start-up[/dim]")


@main.command()
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Where the gradebook and reports go.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False), help="Course folder.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--regrade", is_flag=True, help="Grade again even unchanged submissions (earlier attempts are kept).")
@click.option("--require-sandbox", type=click.Choice(["basic", "medium", "strong"]), default=None,
              help="Refuse to grade below this isolation level.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Grade on a dask.distributed cluster (tcp://host:8786), or local:N for a local one with N workers.")
@click.option("--assignment", "only", multiple=True, metavar="ID",
              help="Grade only this assignment (repeatable); the gradebook keeps every other one as it is.")
def grade(submissions, out_dir, course_dir, jobs, regrade, require_sandbox, scheduler, only) -> None:
    """Grade a whole class: one folder (or .zip) per student, or an nbgrader submitted/ tree."""
    from . import isolation
    from .batch import Batch
    from .exports import write_all
    from .gradebook import Gradebook

    out = show.console()
    root = Path(course_dir) if course_dir else find_course_root()
    if root is None:
        _fail_spec(SpecError([f"{Path.cwd()}:1:1: no course.yml here or above (pass --course DIR)"]))
    if scheduler:
        from .distributed import DaskBatch

        batch = DaskBatch(root, scheduler)
        level, missing = batch.level()
        out.print(f"cluster at {batch.address}: {batch.jobs} workers, sandbox {level}"
                  + (f"; missing on some: {'; '.join(missing)}" if missing else ""))
    else:
        caps = isolation.probe()
        out.print(caps.describe())
        level, missing = caps.level, caps.missing()
    if require_sandbox and isolation.LEVELS.index(level) < isolation.LEVELS.index(require_sandbox):
        show.console(stderr=True).print(f"[red]refusing to grade: --require-sandbox {require_sandbox}, but this machine "
                                        f"reaches {level}[/red]. Missing: {'; '.join(missing)}")
        if scheduler:
            batch.close()
        sys.exit(3)
    if not scheduler:
        # fork the workers before reading the course or any submission; they share reference
        # answers through OUT/.cache, which later runs (late submissions, --regrade) reuse
        batch = Batch(root, jobs, reference_cache=Path(out_dir) / ".cache" / "reference.db")
    from .spec import load_course

    try:
        course = load_course(root)
    except SpecError as exc:
        batch.close()
        _fail_spec(exc)
    out_path = Path(out_dir)
    gradebook = Gradebook(out_path / "gradebook.db")
    assignments = [a.id for a in course.assignments]
    unknown = [a for a in only if a not in assignments]
    if unknown:
        batch.close()
        raise click.BadParameter(f"unknown assignment {', '.join(map(repr, unknown))}; the course has "
                                 f"{', '.join(assignments)}", param_hint="--assignment")
    assignments = [a for a in assignments if not only or a in only]
    reporter = show.BatchProgress(out)
    try:
        summary = batch.run(Path(submissions), gradebook, assignments, regrade, level,
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


@main.command(name="grade-one", hidden=True)
@click.option("--source", "source_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--release", "release_dir", type=click.Path(file_okay=False), default=None)
@click.option("--record", is_flag=True, help="Record the results in the release's progress file (notebook checks).")
@click.option("--exercise", "exercises", multiple=True)
@click.option("--course", "course_dir", type=click.Path(file_okay=False), default=None)
@click.option("--assignment", default=None)
@click.option("--student", default="local")
@click.option("--json", "as_json", is_flag=True)
def grade_one(source_file, release_dir, exercises, course_dir, assignment, student, as_json, record) -> None:
    """Grade one module's text (used by notebooks): a release's checks, or a course's full grading."""
    import io
    import json

    from rich.console import Console

    from .grade import ReferenceOracle, grade_source

    if not course_dir:  # a release holds no secrets: read (or refuse) it before the zygote starts
        root, course, oracle = _release_or_exit(release_dir or ".")
    zygote = Zygote(bubblewrap=None if course_dir else False, spawn=bool(course_dir)).start()  # grading, or a local check
    collector_on()
    source = Path(source_file).read_text(encoding="utf-8", errors="replace")
    if course_dir:
        from .spec import load_course

        course = load_course(course_dir)
        oracle, seed = ReferenceOracle(course), None
        assignments = [assignment]
    else:
        seed = int(time.time_ns() % 2**62)
        defined = set(_defined_functions(source))
        assignments = [a.id for a in course.assignments
                       if (exercises and set(exercises) & set(a.exercises)) or (not exercises and defined & set(a.exercises))]
    results = []
    for assignment_id in assignments:
        wanted = [e for e in course.assignment(assignment_id).exercises if not exercises or e in exercises]
        results += grade_source(course, assignment_id, source, f"{assignment_id}.py", student, zygote, oracle, wanted, seed=seed)
    zygote.close()
    progress = None
    if record and not course_dir:  # a notebook's check: remembered like the terminal's
        from .progress import Progress

        progress = Progress(root)
        progress.record(results)
    texts = {}
    for result in results:
        buffer = io.StringIO()
        show.print_exercise(Console(file=buffer, width=100, color_system=None, highlight=False, emoji=False), result,
                            hint_index=progress.hint_to_show(result) if progress else 0)
        texts[result.id] = buffer.getvalue()
    if progress:
        progress.save()
    if as_json:
        click.echo(json.dumps({"results": [r.to_dict() for r in results], "texts": texts, "text": "".join(texts.values())}))
    else:
        click.echo("".join(texts.values()))
    sys.exit(0 if results and all(r.passed for r in results) else 1)


def _defined_functions(source: str) -> list[str]:
    import ast

    try:
        return [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    except SyntaxError:
        return []


@main.group()
def export() -> None:
    """Export the course for other tools."""


@export.command(name="nbgrader")
@click.option("--course", "course_dir", type=click.Path(file_okay=False), help="Course folder.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="The nbgrader course folder to write.")
def export_nbgrader_command(course_dir, out_dir) -> None:
    """Write an nbgrader course: source notebooks whose test cells call this grader, and nbgrader_config.py."""
    from .build import export_nbgrader

    course = _course(course_dir)
    for path in export_nbgrader(course, Path(out_dir)):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {out_dir} && nbgrader generate_assignment <assignment>; after collecting, nbgrader autograde <assignment>")


def _release_or_exit(where: str = "."):
    """(root, course, oracle) of the student release holding `where`, or exit saying why not."""
    from .release import find_release, load_release

    root = find_release(where)
    if root is None:
        _not_in_release(where)
    try:
        course, oracle = load_release(root)
    except SpecError as exc:
        _fail_spec(exc, "the release data (ask for a new release, or rebuild it with `autograder build`)")
    return root, course, oracle


@main.command()
@click.argument("exercise")
def hint(exercise) -> None:
    """Reveal the next hint of an exercise (hints already seen are shown again)."""
    from .progress import Progress

    root, course, _ = _release_or_exit()
    if exercise not in course.exercises:
        _unknown("exercise", exercise, course.exercises)
    hints = course.exercises[exercise].hints
    progress = Progress(root)
    index = progress.reveal_hint(exercise, len(hints))
    progress.save()
    out = show.console()
    shown = len(hints) if index is None else index + 1
    for i in range(shown):
        out.print(f"[cyan]Hint {i + 1}/{len(hints)}[/cyan] for {exercise}: {show.escape(hints[i].strip())}")
    if index is None:
        out.print("[dim]that was the last hint[/dim]")


@main.command()
def status() -> None:
    """Progress per assignment: exercises passed and points, from your last checks."""
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    from .progress import Progress

    root, course, _ = _release_or_exit()
    progress = Progress(root)
    table = Table(title=course.spec.name)
    for column in ("assignment", "passed", "points", ""):
        table.add_column(column)
    for assignment in course.assignments:
        results = [progress.result(e) for e in assignment.exercises]
        best = sum(course.exercises[e].points for e in assignment.exercises)
        score = sum(r["score"] for r in results if r)
        passed = sum(1 for r in results if r and r["passed"])
        table.add_row(assignment.id, f"{passed}/{len(assignment.exercises)}", f"{score:g}/{best:g}",
                      ProgressBar(total=len(assignment.exercises), completed=passed, width=20))
    show.console().print(table)
    todo = next((e for a in course.assignments for e in a.exercises if not (progress.result(e) or {}).get("passed")), None)
    if todo:
        show.console().print(f"next: `autograder check {todo}`")


@main.command()
@click.argument("assignment", required=False)
@click.option("--interval", default=0.25, help="Seconds between looks at the files.")
def watch(assignment, interval) -> None:
    """Re-check on every save, and move on to the next unsolved exercise when one passes."""
    from .progress import Progress

    root, course, oracle = _release_or_exit()
    focus = assignment if assignment in course.exercises else None  # an exercise: start there
    if focus:
        assignment = course.exercises[focus].assignment
    assignments = [a for a in course.assignments if assignment in (None, a.id)]
    if not assignments:
        _unknown("assignment", assignment, [*(a.id for a in course.assignments), *course.exercises])

    def current():
        progress = Progress(root)
        if focus and not (progress.result(focus) or {}).get("passed"):
            return assignment, focus
        for a in assignments:
            for e in a.exercises:
                if not (progress.result(e) or {}).get("passed"):
                    return a.id, e
        return None

    def stamp():
        return {p: p.stat().st_mtime_ns for a in assignments for p in (root / f"{a.id}.py", root / f"{a.id}.ipynb") if p.exists()}

    # one warm process for the whole session: the release, numpy and sympy load once, and each save
    # costs one sandbox child forked from the zygote plus the comparisons
    needs_sympy = any(course.exercises[e].uses_sympy for a in assignments for e in a.exercises)

    def start_zygote():
        return _local_zygote(needs_sympy, warm_lambdify=needs_sympy)

    def definitions():
        """Each watched exercise's function as written now (to see which ones a save changed)."""
        import ast

        texts = {}
        for _, wanted, _, source in _local_work(root, course, [e for a in assignments for e in a.exercises], quiet=True):
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError):
                continue
            texts.update({node.name: ast.get_source_segment(source, node) for node in tree.body
                          if isinstance(node, ast.FunctionDef) and node.name in wanted})
        return texts

    out = show.console()
    zygote = start_zygote()

    def check_and_show(exercises) -> bool:
        """Check and print; False when the zygote itself stopped (another is started)."""
        nonlocal zygote
        started = time.perf_counter()
        try:
            results = _check_work(course, oracle, _local_work(root, course, exercises), zygote)
        except (EOFError, ConnectionError, OSError) as exc:
            out.print(f"[yellow]the checker restarted ({type(exc).__name__}); save again to check[/yellow]")
            zygote.close()
            zygote = start_zygote()
            return False
        _show_checks(out, root, results, True, started)
        return True

    seen, written = None, definitions()
    try:
        while True:
            now = stamp()
            if now != seen:
                seen = now
                before, written = written, definitions()
                target = current()
                # a save that left the watched exercise as it was but changed others: the student is
                # working on those, so check them too
                changed = [e for a in assignments for e in a.exercises if written.get(e) != before.get(e)]
                edited = [] if target and target[1] in changed else changed
                if edited:
                    out.rule(f"changed: {', '.join(edited)}")
                    check_and_show(edited)
                    target = current()
                checked = set()
                while target is not None and target not in checked:  # a pass moves straight on to the next one
                    checked.add(target)
                    out.rule(f"{target[0]}: {target[1]}")
                    if not check_and_show([target[1]]):
                        break
                    target = current()
                if target is None:
                    out.print("[green]every exercise passes — well done![/green]")
                    return
                out.print(f"[dim]watching {', '.join(a.id for a in assignments)} — save to check again, Ctrl-C to stop[/dim]")
            time.sleep(interval)
    except KeyboardInterrupt:
        out.print("stopped watching")
    finally:
        zygote.close()
