"""Checks inside Jupyter: `check("relu")` for students, `grade_cell("relu")` in nbgrader test cells.

The code graded is what the kernel has run (IPython's input history, check cells left out), and the
grading happens in a separate `python -m autograder` process, never in the kernel that ran the
student's code: the verdicts are the CLI's, shown as HTML in Jupyter and as text elsewhere.
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


def kernel_source() -> str:
    """The code cells this kernel has executed, in order, without check cells and magics."""
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - defined inside IPython
    except NameError:
        shell = None
    if shell is None:
        raise RuntimeError("check() runs inside Jupyter; in a terminal, run `autograder check` instead")
    cells = []
    for cell in shell.user_ns.get("In", [])[1:]:
        if "autograder" in cell and ("check(" in cell or "grade_cell(" in cell):
            continue
        lines = [line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!", "get_ipython()"))]
        cells.append("\n".join(lines))
    return "\n\n".join(cells) + "\n"


def _run(args: list[str], source: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "submission.py"
        path.write_text(source, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade-one", *args, "--source", str(path), "--json"],
                              capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr.strip() or "the checker failed")
    return json.loads(proc.stdout)


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
    result = CheckResult(_run(["--release", ".", *[f"--exercise={e}" for e in exercises]], kernel_source()))
    return result


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
