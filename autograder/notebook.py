"""Checks inside Jupyter: `check("relu")` for students, `grade_cell("relu")` in nbgrader test cells.

The code graded is what the kernel has run (IPython's input history without the cells that failed and
the check calls), and the grading happens in a separate `python -m autograder` process, never in the
kernel that ran the student's code: the verdicts are the CLI's, shown as HTML in Jupyter and as
text elsewhere.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

COURSE_POINTER = "autograder.json"  # written by `autograder export nbgrader` at the nbgrader course root


_FAILED: set[int] = set()   # execution counts of the cells that raised since autograder was imported
_CALLS = {"check", "grade_cell", "hint"}


def watch_failures(shell) -> None:
    """Remember which cells raise, so that a check does not run them again (registered once)."""
    if shell is None or getattr(shell, "_autograder_watching", False):
        return

    def after(result):
        if not result.success and result.execution_count is not None:
            _FAILED.add(int(result.execution_count))
    shell.events.register("post_run_cell", after)
    shell._autograder_watching = True


def kernel_cells() -> tuple[str, list[tuple[int, int]]]:
    """The code cells this kernel has executed, in order, as `cells_source` makes them a module."""
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - defined inside IPython
    except NameError:
        shell = None
    if shell is None:
        raise RuntimeError("check() runs inside Jupyter; in a terminal, run `autograder check` instead")
    watch_failures(shell)
    return cells_source(list(shell.user_ns.get("In", [])), _FAILED)


def kernel_source() -> str:
    """The code cells this kernel has executed, in order: without cells that failed, magics, and
    the check calls and autograder imports themselves."""
    return kernel_cells()[0]


def cells_source(inputs: list[str], failed: set[int] = frozenset()) -> tuple[str, list[tuple[int, int]]]:
    """The module made of a kernel's inputs (In[0] is empty): (source, [(first line, cell number)]).
    A cell that failed (or does not even parse) is left out; so are magics and shell escapes, and
    statements that call check/grade_cell/hint or import autograder (lines blanked, so that line
    numbers inside each cell stay as the student sees them)."""
    import ast

    parts, starts, line = [], [], 1
    for number, cell in enumerate(inputs[1:], start=1):
        if number in failed:
            continue
        lines = ["" if text.lstrip().startswith(("%", "!", "get_ipython()")) else text for text in cell.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if _is_checking(node):
                for index in range(node.lineno - 1, node.end_lineno):
                    lines[index] = ""
        if not any(text.strip() for text in lines):
            continue
        starts.append((line, number))
        parts.append("\n".join(lines))
        line += len(lines) + 2
    return "\n\n\n".join(parts) + "\n", starts


def _is_checking(node) -> bool:
    import ast

    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "autograder"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "autograder" for alias in node.names)
    value = node.value if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _CALLS
    return False


def cell_lines(text: str, starts: list[tuple[int, int]]) -> str:
    """'line 12' of the joined module as 'line 3 of cell In[7]', as the student sees the code."""
    import re

    def where(match):
        number = int(match.group(1))
        cell = [(first, n) for first, n in starts if first <= number]
        if not cell:
            return match.group(0)
        first, n = cell[-1]
        return f"line {number - first + 1} of cell In[{n}]"
    return re.sub(r"\bline (\d+)", where, text) if starts else text


def _run(args: list[str], source: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submission.py"
        path.write_text(source, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade-one", *args, "--source", str(path), "--json"],
                              capture_output=True, text=True)
    try:
        if proc.returncode in (0, 1):
            return json.loads(proc.stdout)
    except ValueError:
        pass
    # the checker refused (no release here, a release it cannot read) or failed: its own words
    raise RuntimeError(proc.stderr.strip() or f"the checker failed (exit status {proc.returncode})")


class CheckResult:
    """What `check` returns: HTML in Jupyter, text elsewhere."""

    def __init__(self, data: dict):
        self.data = data

    @property
    def score(self) -> float:
        return sum(r["score"] for r in self.data["results"])

    def __repr__(self) -> str:
        return self.data["text"]

    def _repr_html_(self) -> str:
        parts = []
        for result in self.data["results"]:
            colour, mark = ("#14734a", "✓") if result["passed"] else ("#b3261e", "✗")
            parts.append(f"<p style='color:{colour}'><b>{mark} {html.escape(result['id'])}</b> — "
                         f"{result['score']:g}/{result['max_score']:g}</p>")
        parts.append(f"<pre>{html.escape(self.data['text'])}</pre>")
        return "\n".join(parts)


def check(*exercises: str) -> CheckResult:
    """Check the exercises of this notebook against the release's public and self-verifying checks."""
    source, starts = kernel_cells()
    data = _run(["--release", ".", "--record", *[f"--exercise={e}" for e in exercises]], source)
    failing = [r["id"] for r in data["results"] if not r["passed"]]
    data["text"] = cell_lines(data["text"], starts)
    if failing:
        data["text"] += f"stuck? `hint(\"{failing[0]}\")` (from autograder import hint) shows the next hint\n"
    return CheckResult(data)


def hint(exercise: str) -> None:
    """Show the next hint of an exercise (the same as `autograder hint EXERCISE` in a terminal)."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "hint", exercise], capture_output=True, text=True,
                          env=dict(os.environ, NO_COLOR="1", TERM="dumb"))
    print(proc.stdout.strip() or proc.stderr.strip())


def _course_pointer(start: Path) -> dict | None:
    for folder in (start, *start.parents):
        pointer = folder / COURSE_POINTER
        if pointer.exists():
            return json.loads(pointer.read_text())
    return None


def grade_cell(exercise: str) -> float:
    """An nbgrader test cell: grade with the full course (hidden checks included), display the
    feedback and return the points, which nbgrader records as partial credit."""
    here = Path.cwd()
    pointer = _course_pointer(here)
    if pointer is None:
        raise RuntimeError(f"no {COURSE_POINTER} above {here}: export the course with `autograder export nbgrader`")
    student = here.parent.name if here.parent.parent.name == "autograded" else os.environ.get("NBGRADER_STUDENT", "local")
    source = kernel_source()
    cache = here / f".autograder-{hashlib.sha256((student + source).encode()).hexdigest()[:16]}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        data = _run(["--course", pointer["course"], "--student", student, "--assignment", pointer["assignments"][exercise]], source)
        try:
            cache.write_text(json.dumps(data))
        except OSError:
            pass
    result = next(r for r in data["results"] if r["id"] == exercise)
    try:
        from IPython.display import HTML, display

        single = CheckResult({"results": [result], "text": data["texts"].get(exercise, "")})
        display(HTML(single._repr_html_()))
    except ImportError:  # pragma: no cover - outside IPython
        print(data["texts"].get(exercise, ""))
    return float(result["score"])
