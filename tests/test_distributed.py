"""`autograder grade --scheduler`: a real scheduler and two workers on loopback grade the sample class
exactly as local grading does; a worker killed mid-batch loses nothing."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from test_batch import EXAMPLES, ROOT, _light_class, read_grades, run_grade, wait_for_attempts

pytest.importorskip("distributed")


def _start(args, log):
    return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers, each its own process, on 127.0.0.1."""
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")
    processes = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                         "--scheduler-file", str(scheduler_file)], log)]
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    import json

    address = json.loads(scheduler_file.read_text())["address"]
    workers = [_start(["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                       "--host", "127.0.0.1", "--name", f"w{i}"], log) for i in range(2)]
    processes += workers
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    yield address, workers
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    log.close()


def test_cluster_grades_like_local(cluster, tmp_path, sample_class_graded):
    address, _ = cluster
    local_out, _ = sample_class_graded
    out = tmp_path / "out"
    proc = run_grade(EXAMPLES, out, "--scheduler", address)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"cluster at {address}: 2 workers" in proc.stdout
    assert read_grades(out) == read_grades(local_out)
    workers = {w for (w,) in sqlite3.connect(out / "gradebook.db").execute("SELECT DISTINCT sandbox FROM attempts")}
    assert workers == {"strong"}  # every grade records the level its worker reached
    again = run_grade(EXAMPLES, out, "--scheduler", address)  # resumes like a local batch
    assert "140 submissions unchanged since they were graded: skipped" in again.stdout


def test_killing_a_worker_mid_batch_loses_nothing(cluster, tmp_path):
    address, workers = cluster
    subs = _light_class(tmp_path)
    clean = tmp_path / "clean"
    assert run_grade(subs, clean, "--jobs", "2").returncode == 0
    out = tmp_path / "out"
    grading = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
                                "--scheduler", address], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    database = out / "gradebook.db"
    wait_for_attempts(database, 2, grading)
    assert grading.poll() is None, "the batch finished before a worker could be killed"
    os.killpg(workers[0].pid, signal.SIGKILL)  # the worker and its zygotes, in the middle of the batch
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output
    assert read_grades(out) == read_grades(clean)
    db = sqlite3.connect(database)
    attempts = db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    assert attempts == db.execute("SELECT COUNT(DISTINCT student || '/' || assignment) FROM attempts").fetchone()[0]
    assert attempts == len({(s, a) for s, a, _ in read_grades(clean)})  # every submission once, none lost
