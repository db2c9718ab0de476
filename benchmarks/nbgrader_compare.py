"""nbgrader's `autograde` against `autograder grade` on the same notebooks: a two-exercise nbgrader
assignment (relu, broadcast_shape) with ordinary assert-based test cells, M submissions (half correct,
half wrong), graded by both in the same run. Used by grade_throughput.py; needs the nbgrader extra.

nbgrader runs every notebook in a fresh Jupyter kernel; `autograder grade` reads the code cells and
runs them in a forked sandbox child. The per-submission figures are marginal costs (N against 2N
submissions), so neither tool's start-up is counted as per-submission work.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
# nbgrader and the kernel it starts come from this interpreter's environment, activated or not
_ENVIRONMENT = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
ASSIGNMENT = "broadcasting"

ANSWERS = {
    "relu": ("def relu(x):\n    ### BEGIN SOLUTION\n    return np.maximum(x, 0)\n    ### END SOLUTION\n",
             "def relu(x):\n    return np.abs(x)\n"),
    "broadcast_shape": (
        "def broadcast_shape(a_shape, b_shape):\n    ### BEGIN SOLUTION\n    out = []\n"
        "    for i in range(1, max(len(a_shape), len(b_shape)) + 1):\n"
        "        a = a_shape[-i] if i <= len(a_shape) else 1\n        b = b_shape[-i] if i <= len(b_shape) else 1\n"
        "        if a != b and 1 not in (a, b):\n            raise ValueError(f'{a_shape} and {b_shape} do not broadcast')\n"
        "        out.append(b if a == 1 else a)\n    return tuple(reversed(out))\n    ### END SOLUTION\n",
        "def broadcast_shape(a_shape, b_shape):\n    return tuple(max(a, b) for a, b in zip(a_shape, b_shape))\n"),
}
TESTS = {
    "relu": "x = np.array([-1.0, 0.0, 2.5])\nassert np.allclose(relu(x), [0, 0, 2.5])\nassert relu(np.array([[1, -2]])).shape == (1, 2)\n",
    "broadcast_shape": "assert broadcast_shape((8, 1, 6, 1), (7, 1, 5)) == (8, 7, 6, 5)\nassert broadcast_shape((3,), (4, 3)) == (4, 3)\n"
                       "try:\n    broadcast_shape((2, 3), (4, 3))\n    raise AssertionError('no ValueError')\nexcept ValueError:\n    pass\n",
}
POINTS = {"relu": 3, "broadcast_shape": 5}
REPEAT = 10


def _meta(grade_id, solution, grade, points=None):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    cells = [new_code_cell("import numpy as np")]
    for name, (solution, _) in ANSWERS.items():
        cells.append(new_markdown_cell(f"## {name}"))
        cells.append(new_code_cell(solution, metadata=_meta(name, True, False)))
        cells.append(new_code_cell(TESTS[name], metadata=_meta(f"test_{name}", False, True, POINTS[name])))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def make_course(root: Path, submissions: int) -> None:
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = r'{root}'\n"
                                              "c.CourseDirectory.course_id = 'bench'\n")
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=root, check=True,
                   capture_output=True, env=_ENVIRONMENT)
    released = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for k in range(submissions):
        notebook = nbformat.from_dict(released)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in ANSWERS:
                right, wrong = ANSWERS[grade_id]
                cell.source = right.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "") if k % 2 == 0 else wrong
        target = root / "submitted" / f"student{k:03d}" / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{ASSIGNMENT}.ipynb")


def compare(work: Path, submissions: int, jobs: int) -> None:
    """Per-submission cost of each tool, measured as the difference between grading N and 2N copies
    of the same notebooks (so neither tool's start-up is spread over the submissions), plus the whole
    commands' times."""
    root = work / "nbgrader_course"
    make_course(root, 2 * submissions)
    nbgrader_small = _nbgrader(root, submissions, work / "nb_small")
    nbgrader_large = _nbgrader(root, 2 * submissions, work / "nb_large")
    nbgrader_each = (nbgrader_large - nbgrader_small) / submissions
    # ours is measured on REPEAT times more copies of the same notebooks, for a steadier figure
    ours_small = _ours(_copies(root, submissions * REPEAT, work / "ours_small_in"), work / "ours_small", jobs)
    ours_large = _ours(_copies(root, 2 * submissions * REPEAT, work / "ours_large_in"), work / "ours_large", jobs)
    ours_each = (ours_large - ours_small) / (submissions * REPEAT)
    print(f"two-exercise notebook assignment (relu, broadcast_shape), {jobs} workers for autograder grade:")
    print(f"  nbgrader autograde:  {nbgrader_small:.1f} s for {submissions} submissions, {nbgrader_large:.1f} s for "
          f"{2 * submissions}: {nbgrader_each:.3f} s per additional submission")
    print(f"  autograder grade:    {ours_small:.1f} s for {submissions * REPEAT} submissions, {ours_large:.1f} s for "
          f"{2 * submissions * REPEAT}: {ours_each * 1000:.1f} ms per additional submission")
    print(f"  ratio per submission: {nbgrader_each / ours_each:.0f}x faster; whole commands for {submissions} submissions: "
          f"{nbgrader_small:.1f} s vs {_ours(_copies(root, submissions, work / 'ours_same_in'), work / 'ours_same', jobs):.1f} s")


def _copies(root: Path, count: int, target: Path) -> Path:
    """`count` submissions in nbgrader's submitted/ layout, cycling through the course's notebooks."""
    originals = sorted((root / "submitted").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
    for k in range(count):
        folder = target / "submitted" / f"copy{k:05d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_bytes(originals[k % len(originals)].read_bytes())
    return target


def _nbgrader(root: Path, count: int, scratch: Path) -> float:
    """nbgrader autograde of the first `count` submissions, in a copy of the course (its gradebook knows the
    assignment from generate_assignment and has no submissions yet)."""
    import shutil

    course = scratch / "course"
    shutil.copytree(root, course, ignore=shutil.ignore_patterns("submitted", "autograded"))
    (course / "nbgrader_config.py").write_text((root / "nbgrader_config.py").read_text().replace(str(root), str(course)))
    for k in range(count):
        shutil.copytree(root / "submitted" / f"student{k:03d}", course / "submitted" / f"student{k:03d}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--create", "--force"], cwd=course, check=True,
                   capture_output=True, env=_ENVIRONMENT)
    return time.perf_counter() - started


def _ours(submissions: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    # the assignment nbgrader grades, and only it (nbgrader autograde is also given one assignment)
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--jobs", str(jobs),
                    "--assignment", ASSIGNMENT], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started
