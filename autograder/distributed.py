"""Grading on a Dask cluster: the same sandbox on every worker, the gradebook on this machine.

`autograder grade SUBMISSIONS --scheduler tcp://host:8786` (an existing dask.distributed cluster) or
`--scheduler local:N` (a LocalCluster of N single-threaded worker processes). Each worker process
starts its zygotes first, from a fresh interpreter (a Dask worker has threads, so it never forks
one) and only then receives the course: course.yml, the exercise files and the reference solutions,
sent once as a bundle and written to a private folder. Student code runs in the zygotes' children;
the comparison with the references runs in the worker process, which returns plain result dicts.
Results stream back as they finish and are written here, one transaction per submission, so an
interrupted batch resumes like a local one. A task lost with its worker is run again elsewhere
(grading is a pure function of the submission and the course), and nothing is written twice.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from .batch import BatchSummary, Plan, grade_one
from .gradebook import Gradebook
from .submissions import Submission

try:
    from distributed import WorkerPlugin
except ImportError:  # the dask extra is not installed: DaskBatch says so
    WorkerPlugin = object

_state: dict = {}          # per worker process: the graders set up for each course hash
_lock = threading.Lock()   # one submission at a time per worker process (one zygote socket)


def course_bundle(root: Path) -> dict[str, bytes]:
    """The files that decide grades, by path relative to the course root."""
    root = Path(root)
    paths = [root / "course.yml", *root.glob("exercises/*/*.yml"), *root.glob("solutions/*.py")]
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(paths)}


def _start_zygotes() -> dict:
    """On a worker, before any course data is there: the same two zygotes as local grading."""
    from .sandbox import Zygote

    return {False: Zygote(warm_sympy=False).start(), True: Zygote().start()}


def _setup(version: str, bundle) -> dict:
    from .grade import ReferenceOracle
    from .spec import load_course

    if "zygotes" not in _state:
        _state["zygotes"] = _start_zygotes()
    if version not in _state:
        folder = Path(tempfile.mkdtemp(prefix="autograder-course-"))  # 0700: only this process's user
        for relative, data in bundle.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        course = load_course(folder)
        symbolic = {a.id: any(e.uses_sympy for e in course.exercises_of(a.id)) for a in course.assignments}
        _state[version] = {"course": course, "oracle": ReferenceOracle(course), "symbolic": symbolic}
    return _state[version]


def _zygote_report(dask_worker=None) -> dict:
    with _lock:
        if "zygotes" not in _state:
            _state["zygotes"] = _start_zygotes()
        caps = _state["zygotes"][True].caps
    return {"level": caps.level, "missing": caps.missing()}


class StartZygotes(WorkerPlugin):
    """A Dask worker plugin: each worker starts its zygotes as soon as it joins, before any task."""

    name = "autograder-zygotes"

    def setup(self, worker=None):
        with _lock:
            if "zygotes" not in _state:
                _state["zygotes"] = _start_zygotes()

    def teardown(self, worker=None):
        for zygote in _state.pop("zygotes", {}).values():
            zygote.close()


def grade_remote(submission: Submission, version: str, bundle) -> dict:
    """A Dask task: grade one submission on this worker (see batch.grade_one)."""
    with _lock:
        graders = _setup(version, bundle)
        from . import batch

        batch._worker.update(zygotes=_state["zygotes"], **graders)
        outcome = grade_one(submission)
    outcome["worker"] = f"{os.uname().nodename}:{os.getpid()}"
    return outcome


class DaskBatch:
    """Like batch.Batch, but the work goes to a dask.distributed scheduler."""

    def __init__(self, course_root: Path, scheduler: str):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SystemExit("--scheduler needs dask.distributed: pip install 'dlmath-autograder[dask]'") from None
        self.course_root = Path(course_root).resolve()
        self.cluster = None
        if scheduler.startswith("local:"):
            workers = int(scheduler.split(":", 1)[1] or os.cpu_count() or 1)
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None, silence_logs=50)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler, timeout=30)
        self.address = self.client.scheduler.address
        self.client.register_plugin(StartZygotes())
        self.jobs = len(self.client.scheduler_info().get("workers", {}))
        self._futures = []

    def level(self) -> tuple[str, list[str]]:
        """The lowest sandbox level among the workers' zygotes, and what some of them miss."""
        from .isolation import LEVELS

        reports = self.client.run(_zygote_report)
        levels = [r["level"] for r in reports.values()] or ["basic"]
        missing = sorted({m for r in reports.values() for m in r["missing"]})
        return min(levels, key=LEVELS.index), missing

    def close(self) -> None:
        for future in self._futures:
            future.cancel()
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, submissions_dir: Path, gradebook: Gradebook, assignments: list[str], regrade: bool,
            sandbox_level: str, on_result=None, on_start=None) -> BatchSummary:
        from distributed import as_completed

        plan = Plan(self.course_root, submissions_dir, gradebook, assignments, regrade, on_start)
        if not plan.todo:
            return plan.finish()
        bundle = self.client.scatter(course_bundle(self.course_root), broadcast=True)
        self._futures = self.client.map(grade_remote, plan.todo, version=plan.version, bundle=bundle, pure=False,
                                        key=[f"grade-{s.student}-{s.assignment}-{s.content_hash[:12]}" for s in plan.todo])
        failed = []
        for future in as_completed(self._futures):
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the cluster's failure, not the student's
                failed.append(f"{future.key}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            plan.record(outcome, sandbox_level, on_result)
        self._futures = []
        if failed:
            plan.summary.warnings.append(f"{len(failed)} submissions could not be graded on the cluster and were not "
                                         f"recorded (run again to retry them): " + "; ".join(failed[:5]))
        return plan.finish()
