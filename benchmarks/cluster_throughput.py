"""Throughput of `autograder grade --scheduler local:N` for N = 1, 2 and 4 Dask workers (each a
single-threaded process with its own zygotes), on K generated students, against the local
multiprocessing batch with the same number of workers. Needs the dask extra.

    python benchmarks/cluster_throughput.py [--students 40] [--workers 1 2 4]

The machine's cores bound the scaling: on 2 cores, 4 workers cannot beat 2.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path



ROOT = Path(__file__).resolve().parents[1]


def grade(submissions: Path, out: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *extra],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    from grade_throughput import make_class

    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores; {options.students} generated students x 7 assignments; whole commands, start-up included")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", options.students)
        for workers in options.workers:
            dask = grade(tmp / "class", tmp / f"dask{workers}", "--scheduler", f"local:{workers}")
            local = grade(tmp / "class", tmp / f"local{workers}", "--jobs", str(workers))
            print(f"  {workers} workers: Dask LocalCluster {dask:6.1f} s = {options.students / dask:5.2f} students/s;"
                  f"  local batch {local:6.1f} s = {options.students / local:5.2f} students/s")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
