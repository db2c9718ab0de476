"""Throughput of `autograder grade`: K generated students on the whole course, and a two-exercise
notebook assignment graded by nbgrader's `autograde` and by `autograder grade` in the same run.

    python benchmarks/grade_throughput.py [--students 200] [--jobs 2] [--nbgrader-submissions 10]

Students are assembled from the sample class (examples/submissions): for each assignment a student
gets the module of a randomly chosen sample student who submitted it (correct, partly wrong, broken
or hostile alike, except the ones that deliberately run into the time limit). The nbgrader part needs
the `nbgrader` extra (pip install -e '.[nbgrader]'); without it, it is skipped with a note.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "examples" / "submissions"
SLOW_ON_PURPOSE = {"nico", "olga"}  # an infinite loop and a memory grab: they cost their timeout by design


def make_class(target: Path, students: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    by_assignment: dict[str, list[Path]] = {}
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir() and folder.name not in SLOW_ON_PURPOSE:
            for module in folder.glob("*.py"):
                by_assignment.setdefault(module.stem, []).append(module)
    for index in range(students):
        folder = target / f"student{index:04d}"
        folder.mkdir(parents=True)
        for assignment, modules in sorted(by_assignment.items()):
            # a line of its own makes every file unique, as a real class's files are
            text = rng.choice(modules).read_text(encoding="utf-8")
            (folder / f"{assignment}.py").write_text(f"{text}\n# submitted by {folder.name}\n", encoding="utf-8")


def grade(submissions: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--jobs", str(jobs)],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--nbgrader-submissions", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", options.students)
        seconds = grade(tmp / "class", tmp / "out", options.jobs)
        print(f"whole course (7 assignments, 51 exercises), {options.students} students, {options.jobs} workers: "
              f"{seconds:.1f} s = {options.students / seconds:.2f} students/s "
              f"({seconds / (options.students * 7) * 1000:.0f} ms per assignment submission)")
        if options.nbgrader_submissions <= 0:
            return
        try:
            from nbgrader_compare import compare  # noqa: PLC0415 - optional part
        except ImportError as exc:
            print(f"nbgrader comparison skipped: {exc}")
            return
        compare(tmp / "nb", options.nbgrader_submissions, options.jobs)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
