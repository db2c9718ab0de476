"""Cold-start latency of `autograder check` inside a student release (a new process each time, as a
student runs it), for one exercise and for a group of exercises; stubs as shipped, then filled with
the reference solutions.

    python benchmarks/check_latency.py [--runs 5] [--every]

Each figure is the median of --runs runs after one run that writes Python's bytecode caches. The
`watch` lines time what `autograder watch` does after each save in its warm process (the release,
numpy and sympy already loaded; one sandbox child per check), not counting its polling interval.
The baseline lines are the floor of a check of a sympy exercise, whose module imports numpy and sympy
(`autograder check` exits without teardown and imports with the garbage collector off).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLICE = ["tensor_summary", "nth_batch", "broadcast_shape", "relu", "naive_matrix_dot", "matmul_shape", "matrix_inverse",
         "is_orthogonal", "numerical_derivative", "differentiate", "critical_points", "gradient_descent",
         "matmul_sigmoid_sum_grads", "softmax_cross_entropy"]


# as on a student's machine, Python keeps compiled modules between runs (some CI images and
# containers set PYTHONDONTWRITEBYTECODE, which makes every run compile the grader's own modules)
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


FLOOR = "import gc; gc.disable(); import numpy, sympy, os; os._exit(0)"


def timed(release: Path, args: list[str], runs: int) -> str:
    return "{:6.2f} s  (floor {:.2f} s)".format(*timings(release, args, runs))


def timings(release: Path, args: list[str], runs: int) -> tuple[float, float]:
    """Median of `autograder check ARGS` and, run alternately with it (this VM's speed drifts by tens
    of percent within minutes), the median of the floor: numpy and sympy imported as check does."""
    times, floors = [], []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "check", *args], cwd=release, capture_output=True,
                       env=ENVIRONMENT)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR], check=True, env=ENVIRONMENT)
        floors.append(time.perf_counter() - started)
    return statistics.median(times[1:]), statistics.median(floors[1:])  # the first run writes the bytecode caches


def baseline(code: str, runs: int) -> float:
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=ENVIRONMENT)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


WATCHED = '''
import io, statistics, sys, time
from pathlib import Path
from rich.console import Console
from autograder import cli
from autograder.release import load_release
release, exercise, runs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
course, oracle = load_release(release)
zygote = cli._local_zygote(True, warm_lambdify=True)
times = []
for _ in range(runs + 1):
    started = time.perf_counter()
    results = cli._check_work(course, oracle, cli._local_work(release, course, [exercise]), zygote)
    cli._show_checks(Console(file=io.StringIO()), release, results, True, started)
    times.append(time.perf_counter() - started)
zygote.close()
print(statistics.median(times[1:]))
'''


def watched(release: Path, exercise: str, runs: int) -> float:
    """What `autograder watch` spends after a save: its process is warm, each check is one child."""
    proc = subprocess.run([sys.executable, "-c", WATCHED, str(release), exercise, str(runs)], cwd=ROOT,
                          capture_output=True, text=True, check=True, env=ENVIRONMENT)
    return float(proc.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--every", action="store_true",
                        help="also time each of the course's exercises alone (reference solutions) and list the slowest")
    options = parser.parse_args()
    runs = options.runs
    with tempfile.TemporaryDirectory() as tmp:
        release = Path(tmp) / "release"
        subprocess.run([sys.executable, "-m", "autograder", "build", "--out", str(release)], cwd=ROOT, check=True,
                       capture_output=True)
        # the floor of a check of a sympy exercise: the student's module imports numpy and sympy
        print(f"baseline: python -c 'import numpy, sympy'      {baseline('import numpy, sympy', runs):6.2f} s")
        print(f"  the same, exiting without teardown          {baseline('import numpy, sympy, os; os._exit(0)', runs):6.2f} s")
        print(f"  and with the garbage collector off          {baseline(FLOOR, runs):6.2f} s  (the floor below)")
        for state in ("stubs", "reference solutions"):
            if state != "stubs":
                for module in (ROOT / "solutions").glob("*.py"):
                    shutil.copy(module, release / module.name)
            print(f"{state}:")
            print(f"  autograder check relu                       {timed(release, ['relu'], runs)}")
            print(f"  autograder check matrix_inverse             {timed(release, ['matrix_inverse'], runs)}")
            print(f"  autograder check differentiate (sympy)      {timed(release, ['differentiate'], runs)}")
            print(f"  autograder check critical_points (sympy)    {timed(release, ['critical_points'], runs)}")
            print(f"  autograder check numerical_derivative       {timed(release, ['numerical_derivative'], runs)}")
            print(f"  autograder check <the 14-exercise slice>    {timed(release, SLICE, runs)}")
            print(f"  autograder check (all 51 exercises)         {timed(release, [], max(1, runs // 2))}")
            for exercise in ("relu", "differentiate", "critical_points"):
                print(f"  watch: re-check {exercise + ' after a save':29s}{watched(release, exercise, runs):6.2f} s")
        if options.every:
            exercises = [path.stem for path in sorted((ROOT / "exercises").glob("*/*.yml"))]
            times = sorted(((timings(release, [e], runs), e) for e in exercises), reverse=True)
            print(f"each exercise alone, reference solutions ({len(times)} exercises, median "
                  f"{statistics.median(seconds for (seconds, _), _ in times):.2f} s), the slowest:")
            for (seconds, floor), exercise in times[:8]:
                print(f"  autograder check {exercise:27s}{seconds:6.2f} s  (floor {floor:.2f} s)")


if __name__ == "__main__":
    main()
