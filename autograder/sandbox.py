"""Run untrusted student code in a confined child process; bring back outputs, never verdicts.

A zygote process is forked at start-up, before any reference answer or hidden expectation is
loaded. It imports and warms numpy and sympy once, then forks one child per job. Each child confines
itself (see `isolation`), loads the student's module, calls the requested functions on the inputs it
was sent and streams each result back as a framed message (JSON + `.npy` bytes). The trusted parent
reads them with deadlines and size caps, decodes them safely, and decides everything itself.

If a child dies (timeout, memory, segfault, `os._exit`), the exercise it was working on is recorded
with the reason and a fresh child carries on with the remaining exercises.
"""
from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field
from typing import Any

from . import isolation
from .wire import MessageReader, WireError, decode, encode, lambdify_numpy, pack_message, unpack_messages

MAX_RESULT_BYTES = 256 * 2**20
OUTPUT_EXCERPT = 4000
OUTPUT_KEEP = 64 * 1024
IMPORT_TIMEOUT = 10.0
TASK_GAP = 2.0  # harness work between two exercises in one child


@dataclass
class Task:
    """Call `function` of the student's module once per entry of `calls`: encoded (args, kwargs), whose
    array references index the job's blobs, or (args, kwargs, start, stop), indexing blobs[start:stop]."""

    function: str
    calls: list[tuple[Any, Any]]
    timeout: float = 10.0
    memory_mb: int = 1024


@dataclass
class CallOutcome:
    kind: str                      # "value", "raised" or "error"
    value: Any = None
    exc_type: str = ""
    exc_mro: list = field(default_factory=list)
    message: str = ""
    mutated: list = field(default_factory=list)
    seconds: float = 0.0
    warnings: list = field(default_factory=list)


@dataclass
class TaskOutcome:
    function: str
    calls: list[CallOutcome]
    error: str | None = None       # why the whole task failed (timeout, crash, import error, missing function)
    seconds: float = 0.0


@dataclass
class SandboxResult:
    tasks: list[TaskOutcome]
    output: str = ""
    import_error: str | None = None
    load_error: str | None = None   # why no task could run at all (the import failed, hung or crashed)
    children: int = 0


# ---------------------------------------------------------------- socket messages

def _send(sock: socket.socket, header: dict, blobs: list[bytes] = (), fds: list[int] = ()) -> None:
    data = pack_message(header, list(blobs))
    prefix = struct.pack("<Q", len(data))
    if fds:
        socket.send_fds(sock, [prefix], list(fds))
    else:
        sock.sendall(prefix)
    sock.sendall(data)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket, with_fds: bool = False):
    if with_fds:
        data, fds, _, _ = socket.recv_fds(sock, 8, 4)
        if not data:
            raise EOFError
        data += _recv_exact(sock, 8 - len(data)) if len(data) < 8 else b""
    else:
        data, fds = _recv_exact(sock, 8), []
    (size,) = struct.unpack("<Q", data)
    reader = MessageReader()
    messages = reader.feed(_recv_exact(sock, size))
    header, blobs = messages[0]
    return header, blobs, fds


# ---------------------------------------------------------------- the zygote

class Zygote:
    """A warmed process that forks sandbox children on request. Start it before loading references."""

    def __init__(self, warm_sympy: bool = True, bubblewrap: bool | None = None, warm_lambdify: bool = True,
                 spawn: bool = True, first_use: set[str] | None = None):
        """bubblewrap: start the zygote inside bubblewrap (None: whenever the machine has it). Local
        checks pass False: a fresh interpreter inside costs ~0.4 s, which grading pays once per worker.
        warm_lambdify: also exercise sympy's printers (worth it for many children, not for one).
        spawn: a fresh interpreter with a clean environment even without bubblewrap, so the zygote
        inherits nothing of the grader's memory (its environment variables above all) and a parent
        with threads (a Dask worker) never forks. Local checks pass False: the student's own
        process has nothing to hide, and forking the warmed process is faster.
        first_use: which of sympy's lazily imported parts to load up front (see `_warm`); local
        checks name those their work can reach, grading loads them all."""
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.caps = isolation.Capabilities()
        self.warm_sympy = warm_sympy
        self.warm_lambdify = warm_lambdify
        self.first_use = first_use
        self.bubblewrap = bubblewrap
        self.spawn = spawn
        self.slot = 0
        self.process = None
        self.problem = ""  # why bubblewrap was wanted but not used

    def start(self) -> "Zygote":
        # PIDs restart in every PID namespace: the grader-side PID and a count of the zygotes it
        # started keep each zygote's uids its own
        _started[0] += 1
        self.slot = os.getpid() * 4 + _started[0]
        _warm(self.warm_sympy, self.warm_lambdify, self.first_use)
        self.caps = isolation.probe(bubblewrap=self.bubblewrap is not False)
        if self.caps.bubblewrap and self.bubblewrap is not False:
            try:
                return self._start_process(wrapped=True)
            except (OSError, EOFError, ConnectionError, ValueError, KeyError, TypeError, socket.timeout) as exc:
                self.problem = f"bubblewrap did not start ({type(exc).__name__}: {exc}); children run without it"
                print(f"warning: {self.problem}", file=sys.stderr)
        self.caps.bubblewrap = ""
        if self.spawn:
            return self._start_process(wrapped=False)
        parent_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the zygote
            parent_end.close()
            code = 0
            try:
                _zygote_main(zygote_end, self.caps)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        zygote_end.close()
        self.pid, self.sock = pid, parent_end
        return self

    def _start_process(self, wrapped: bool) -> "Zygote":
        """A fresh interpreter (in bubblewrap when wrapped) runs the zygote; it reports the layers it reached."""
        import subprocess

        parent_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        package_dir = os.path.dirname(os.path.abspath(__file__))
        prefix = isolation.bubblewrap_command(self.caps.bubblewrap, self.caps.root, package_dir) if wrapped else []
        command = prefix + [
            sys.executable, "-c", "import sys; from autograder.sandbox import zygote_process as z; z(*sys.argv[1:])",
            str(zygote_end.fileno()), "1" if self.warm_sympy else "0", str(self.slot), "1" if wrapped else "0"]
        errors = tempfile.TemporaryFile()
        try:
            # a clean environment (bubblewrap sets its own): none of the grader's variables reach the
            # zygote's memory, which every child inherits
            environment = None if wrapped else isolation.zygote_environment(package_dir)
            process = subprocess.Popen(command, pass_fds=(zygote_end.fileno(),), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
                                       env=environment, cwd="/")
        finally:
            zygote_end.close()
        try:
            parent_end.settimeout(120)
            hello, _, _ = _recv(parent_end)
            parent_end.settimeout(None)
            self.caps = isolation.Capabilities(**hello["caps"])
        except BaseException as exc:
            process.kill()
            process.wait()
            parent_end.close()
            errors.seek(0)
            tail = errors.read()[-500:].decode("utf-8", "replace").strip()
            raise OSError(tail or str(exc)) from None
        finally:
            errors.close()
        self.caps.bubblewrap = isolation.bubblewrap_binary() if wrapped else ""
        self.pid, self.sock, self.process = process.pid, parent_end, process
        return self

    @property
    def alive(self) -> bool:
        return self.pid is not None

    @property
    def fresh(self) -> bool:
        """Started as a fresh interpreter (not forked from this process)."""
        return self.process is not None

    @property
    def uid_range(self) -> range:
        """The uids this zygote's children run under (when they get uids of their own)."""
        if self.caps.bubblewrap:
            return range(*_bubblewrap_uid_range(self.slot))
        return range(200_000, 300_000)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.process is not None:
            self.process.kill()  # bwrap's --die-with-parent takes everything inside with it
            self.process.wait()
            self.process = self.pid = None
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None

    def __enter__(self):
        return self if self.alive else self.start()

    def __exit__(self, *exc):
        self.close()

    # -- running a job
    def run(self, source: str, filename: str, module: str, tasks: list[Task], blobs: list[bytes]) -> SandboxResult:
        """Run tasks against the student's module source. Never raises for anything the student did."""
        outcomes: list[TaskOutcome | None] = [None] * len(tasks)
        result = SandboxResult(tasks=[])
        remaining = list(range(len(tasks)))
        outputs = []
        while remaining:
            result.children += 1
            try:
                events, death, output = self._run_child(source, filename, module, tasks, remaining, blobs)
            except (EOFError, ConnectionError, OSError) as exc:
                # the zygote itself died (a grader bug, or the machine): a fresh one, started as a new
                # interpreter, knows nothing of what this process has loaded since; a forked one would
                if not self.fresh or result.children > len(tasks) + 1:
                    raise
                print(f"warning: the zygote stopped ({type(exc).__name__}); starting a new one", file=sys.stderr)
                self.close()
                self.start()
                continue
            outputs.append(output)
            done_upto = self._collect(events, tasks, remaining, outcomes)
            if "import_error" in events:
                result.import_error = events["import_error"]
                result.load_error = f"your module could not be loaded: {result.import_error}"
                for i in remaining:
                    if outcomes[i] is None:
                        outcomes[i] = _failed(tasks[i], result.load_error)
                break
            if done_upto is None:  # the child finished every task
                break
            reason = death or "the process stopped unexpectedly"
            if not events["tasks"]:
                # it died before the first task (loading the module hung or crashed): it would again
                result.load_error = reason
                for i in remaining:
                    outcomes[i] = _failed(tasks[i], reason)
                break
            # the child died in task `done_upto`: record why, continue after it in a fresh child
            current = done_upto
            partial = events["tasks"].get(current)
            outcomes[current] = _failed(tasks[current], reason, partial)
            remaining = [i for i in remaining if outcomes[i] is None]
        result.tasks = [o if o is not None else _failed(t, "not run") for o, t in zip(outcomes, tasks)]
        result.output = "".join(outputs)[:OUTPUT_EXCERPT]
        return result

    def _collect(self, events, tasks, remaining, outcomes):
        """Fill outcomes of finished tasks; return the index of the task the child died in, or None."""
        for i in remaining:
            record = events["tasks"].get(i)
            if record is not None and record["finished"]:
                outcomes[i] = record["outcome"]
        if events.get("done") or "import_error" in events:
            return None
        for i in remaining:
            if outcomes[i] is None:
                return i
        return None

    def _run_child(self, source, filename, module, tasks, indices, blobs):
        read_end, write_end = os.pipe()  # results: child -> here
        job_read, job_write = os.pipe()  # the job: here -> child, never through the zygote, whose memory
        limits = {                       # every later child inherits
            "op": "run",
            "cpu_seconds": int(IMPORT_TIMEOUT + sum(tasks[i].timeout for i in indices)) + 1,
            "memory_mb": max(tasks[i].memory_mb for i in indices),
        }
        job = {"source": source, "filename": filename, "module": module,
               "tasks": [{"index": i, "function": tasks[i].function, "calls": tasks[i].calls} for i in indices]}
        try:
            _send(self.sock, limits, fds=[write_end, job_read])
        finally:
            os.close(write_end)
            os.close(job_read)
        reply, _, _ = _recv(self.sock)
        pid = reply["pid"]
        _write_job(job_write, pack_message(job, list(blobs)))
        events = {"tasks": {}}
        death = self._read_events(read_end, pid, tasks, indices, events)
        os.close(read_end)
        _send(self.sock, {"op": "wait", "pid": pid})
        status, _, _ = _recv(self.sock)
        if death is None and not events.get("done") and "import_error" not in events:
            death = ("it closed its result channel and kept running (killed)" if status.get("lingered")
                     else _describe_exit(status))
        return events, death, status.get("output", "")

    def _kill_child(self, pid: int) -> None:
        """Kill a child now. Inside bubblewrap its PID is the zygote's, in another PID namespace,
        so the zygote does it; signalling that number here would hit an unrelated process."""
        if self.process is None:
            _kill(pid)
        else:
            _send(self.sock, {"op": "kill", "pid": pid})

    def _read_events(self, fd, pid, tasks, indices, events) -> str | None:
        """Read the child's messages until it closes the pipe; kill it on a deadline or a flood.

        The student's code can write to the same pipe, so nothing it says is trusted for control:
        a task starts only when it is the next one expected, its deadline is armed once, and the
        whole child has a hard wall-clock budget (import + every task's timeout + small gaps).
        """
        reader = MessageReader()
        received = 0
        current = None
        position = 0  # index into `indices` of the next task expected to start
        now = time.monotonic()
        hard_deadline = now + IMPORT_TIMEOUT + sum(tasks[i].timeout + TASK_GAP for i in indices)
        deadline = now + IMPORT_TIMEOUT
        started = now
        while True:
            wait = min(deadline, hard_deadline) - time.monotonic()
            if wait <= 0:
                self._kill_child(pid)
                if current is not None:
                    return f"timed out: still running after {tasks[current].timeout:g} s (an infinite loop, or far too slow)"
                if position == 0:
                    return f"loading your module took longer than {IMPORT_TIMEOUT:g} s (is there a loop at the top level?)"
                return "timed out between two exercises"
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            received += len(chunk)
            if received > MAX_RESULT_BYTES:
                self._kill_child(pid)
                return f"returned more than {MAX_RESULT_BYTES // 2**20} MB of data"
            for header, blobs in reader.feed(chunk):
                event = header.get("event")
                if event == "import_error" and position == 0:
                    events["import_error"] = str(header.get("message", ""))[:2000]
                elif event == "start":
                    if current is None and position < len(indices) and header.get("task") == indices[position]:
                        current = indices[position]
                        position += 1
                        events["tasks"][current] = _Record(tasks[current]).as_dict()
                        started = time.monotonic()
                        deadline = started + tasks[current].timeout
                elif event in ("result", "raised") and current is not None:
                    record = events["tasks"][current]
                    call = header.get("call")
                    if isinstance(call, int) and 0 <= call < len(record["calls"]) and record["calls"][call] is None:
                        record["calls"][call] = _call_outcome(header, blobs)
                elif event == "missing" and current is not None:
                    record = events["tasks"][current]
                    record["error"] = f"your module has no function named {tasks[current].function!r}"
                elif event == "end" and current is not None:
                    record = events["tasks"][current]
                    record["finished"] = True
                    record["outcome"] = TaskOutcome(
                        tasks[current].function,
                        [c or CallOutcome("error", message=record.get("error") or "no result") for c in record["calls"]],
                        record.get("error"), time.monotonic() - started)
                    current = None
                    deadline = time.monotonic() + TASK_GAP
                elif event == "done" and current is None and position == len(indices):
                    events["done"] = True  # believed only once every task has started and ended
            if reader.error is not None:  # what came before the garbage counts; nothing after it
                self._kill_child(pid)
                return f"sent unreadable data ({reader.error})"


class _Record:
    def __init__(self, task: Task):
        self.task = task

    def as_dict(self):
        return {"calls": [None] * len(self.task.calls), "finished": False, "outcome": None}


def _call_outcome(header: dict, blobs: list[bytes]) -> CallOutcome:
    seconds = float(header.get("seconds", 0.0)) if isinstance(header.get("seconds"), (int, float)) else 0.0
    mutated = [str(m)[:50] for m in header.get("mutated", [])][:20] if isinstance(header.get("mutated"), list) else []
    warned = [str(w)[:200] for w in header.get("warnings", [])][:5] if isinstance(header.get("warnings"), list) else []
    if header["event"] == "raised":
        mro = header.get("mro") if isinstance(header.get("mro"), list) else []
        return CallOutcome("raised", exc_type=str(header.get("type", "?"))[:100],
                           exc_mro=[str(m)[:100] for m in mro[:50]], message=str(header.get("message", ""))[:1000],
                           mutated=mutated, seconds=seconds, warnings=warned)
    try:
        value = decode(header.get("value"), blobs, trusted=False)
    except (WireError, RecursionError, ValueError, TypeError, OverflowError) as exc:
        return CallOutcome("error", message=f"the returned value could not be read: {exc}", seconds=seconds)
    return CallOutcome("value", value=value, mutated=mutated, seconds=seconds, warnings=warned)


def _failed(task: Task, reason: str, partial: dict | None = None) -> TaskOutcome:
    calls = list(partial["calls"]) if partial else [None] * len(task.calls)
    return TaskOutcome(task.function, [c or CallOutcome("error", message=reason) for c in calls], reason)


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _describe_exit(status: dict) -> str:
    sig = status.get("signal")
    if sig:
        name = {signal.SIGSEGV: "a segmentation fault", signal.SIGBUS: "a bus error", signal.SIGABRT: "an abort",
                signal.SIGXCPU: "the CPU time limit", signal.SIGKILL: "being killed (CPU or memory limit)",
                signal.SIGFPE: "a floating-point exception", signal.SIGXFSZ: "the file size limit"}.get(sig, f"signal {sig}")
        return f"the process crashed with {name}"
    return f"the process exited early with status {status.get('exit')} (os._exit or sys.exit in your code?)"


# Modules sympy imports only when something first needs them (code, no data): every child of a
# zygote without them pays again, e.g. 0.03 s for the first Add with a number and 0.1-0.15 s for the
# first simplify (lambdify's printers are warmed by calling it). Each use: its modules, and the
# names in a student's code or an input generator that reach it (none: any sympy arithmetic).
# "numpy *": a student's own lambdify reads numpy through `from numpy import *`, which loads all of
# numpy's lazily imported parts (~0.07 s); the grader's callables do not (wire.lambdify_numpy).
SYMPY_FIRST_USE = {
    "arithmetic": (("sympy.tensor.tensor", "sympy.assumptions.wrapper", "sympy.sets.setexpr"), ()),
    "simplify": (("sympy.physics.units",), ("simplify", "equals", "solve")),
    "integrate": (("sympy.integrals.manualintegrate",), ("integrate", "Integral")),
    "lambdify": (("numpy *",), ("lambdify",)),
}


def sympy_uses(names: set[str]) -> set[str]:
    """The uses of SYMPY_FIRST_USE that code naming `names` can reach."""
    return {use for use, (_, words) in SYMPY_FIRST_USE.items() if names & set(words)}


def _warm(with_sympy: bool = True, with_lambdify: bool = True, first_use: set[str] | None = None) -> None:
    """Import and exercise what every child needs, once, so children start fast. first_use: the
    uses of SYMPY_FIRST_USE the work will need besides arithmetic (None: all of them, and the
    standard modules students' code often imports; a local check, with a set, forks one child per
    module, which imports those itself only if it needs them)."""
    import importlib

    import numpy as np

    np.linalg.inv(np.eye(2))
    if with_sympy:
        import sympy

        for use, (modules, names) in SYMPY_FIRST_USE.items():
            if first_use is None or not names or use in first_use:
                for module in modules:
                    loaded = importlib.import_module(module.removesuffix(" *"))
                    if module.endswith(" *"):  # what a star import does: fetch every public name
                        for name in getattr(loaded, "__all__", ()):
                            getattr(loaded, name, None)
        if with_lambdify:
            x = sympy.Symbol("x")
            sympy.lambdify(x, x ** 2, lambdify_numpy())(np.arange(3.0))  # the printer machinery children use for callables
    if first_use is None:
        for name in ("math", "itertools", "functools", "collections", "fractions", "decimal", "statistics",
                     "random", "operator", "copy", "typing", "dataclasses", "re", "string", "numbers"):
            __import__(name)


def zygote_process(fd: str, warm_sympy: str, slot: str, wrapped: str = "1") -> None:
    """Entry point of a zygote started as a fresh interpreter (see Zygote._start_process)."""
    global _UID_BASE, _FRESH
    _FRESH = True
    sock = socket.socket(fileno=int(fd))
    code = 0
    try:
        gc.disable()  # as in `autograder.__main__`: imports build no garbage, collecting costs time
        _warm(warm_sympy == "1")
        caps = isolation.probe()
        if wrapped == "1":
            _UID_BASE = _bubblewrap_uid_range(int(slot))[0]
        else:
            caps.bubblewrap = ""
        _send(sock, {"caps": {k: v for k, v in vars(caps).items()}})
        _zygote_main(sock, caps)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def collector_on() -> None:
    """The imports are done: Python's cyclic garbage collector back on (`autograder.__main__` and a
    fresh zygote import with it off), with the objects built so far frozen out of its scans, which
    also keeps forked children from touching the pages they share. A no-op when it is on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _zygote_main(sock: socket.socket, caps: isolation.Capabilities) -> None:
    # whatever the process it was forked from did, the zygote and the children it forks collect
    # cyclic garbage (a student's loop may build cycles under the memory limit)
    collector_on()
    if isolation._libc is not None and sys.platform.startswith("linux"):
        isolation._libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # die with the grader
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children: dict[int, tuple[str, int]] = {}
    while True:
        try:
            header, blobs, fds = _recv(sock, with_fds=True)
        except (EOFError, OSError, ConnectionError):
            break
        if header.get("op") == "run" and len(fds) == 2:
            workdir = tempfile.mkdtemp(prefix="autograder-")
            out_fd = os.open(os.path.join(workdir, ".output"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            pid = os.fork()
            if pid == 0:
                sock.close()
                _child_main(header, fds[1], fds[0], out_fd, workdir, caps)
            for fd in fds:
                os.close(fd)
            children[pid] = (workdir, out_fd)
            _send(sock, {"pid": pid})
        elif header.get("op") == "kill":
            if header.get("pid") in children:  # only its own children, whatever the message says
                _kill(header["pid"])
        elif header.get("op") == "wait" and header.get("pid") in children:
            # the child has closed its result channel (or was killed): it gets a moment to exit, then
            # is killed, so a child that closes the channel and sleeps cannot block this wait
            pid = header["pid"]
            reaped, lingered = _reap(pid), False
            if reaped is None:
                _kill(pid)
                reaped, lingered = os.wait4(pid, 0), True
            _, status, usage = reaped
            workdir, out_fd = children.pop(pid)
            output = os.pread(out_fd, OUTPUT_EXCERPT, 0).decode("utf-8", "replace")
            os.close(out_fd)
            if not (_FRESH and caps.separate_uid):
                # a child may have left processes (it is never believed about them): kill its uid's. A
                # child of a fresh zygote with a uid of its own cannot fork at all (a one-process limit)
                _sweep(pid, caps)
            _remove(workdir)
            _send(sock, {
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "lingered": lingered,
                "maxrss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime, "output": output,
            })
    for pid in children:
        _kill(pid)


def _reap(pid: int, grace: float = 0.2):
    """wait4 for at most `grace` seconds; None if the child is still running then."""
    done = os.wait4(pid, os.WNOHANG)
    if done[0]:
        return done
    try:
        handle = os.pidfd_open(pid)  # readable the moment the child exits
    except (AttributeError, OSError):
        handle = None
    deadline = time.monotonic() + grace
    try:
        while True:
            left = deadline - time.monotonic()
            if handle is not None:
                select.select([handle], [], [], max(0.0, left))
            else:
                time.sleep(min(0.001, max(0.0, left)))
            done = os.wait4(pid, os.WNOHANG)
            if done[0]:
                return done
            if left <= 0:
                return None
    finally:
        if handle is not None:
            os.close(handle)


def _remove(workdir: str) -> None:
    """Remove a child's working directory whatever it left there (a tree too deep for Python's
    recursion, odd permissions): shutil first, then rm, which has no depth limit."""
    try:
        shutil.rmtree(workdir)
    except BaseException:  # noqa: BLE001 - RecursionError, PermissionError, OSError
        import subprocess

        try:
            subprocess.run(["rm", "-rf", "--one-file-system", "--", workdir], timeout=120,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            pass


_UID_BASE = None  # set in a zygote inside bubblewrap
_FRESH = False     # set in a zygote started as a fresh interpreter


def _bubblewrap_uid_range(slot: int) -> tuple[int, int]:
    base = 300_000 + (slot % 4000) * 1000
    return base, base + 1000


_started = [0]  # zygotes started by this process: each gets uids of its own


def child_uid(pid: int) -> int:
    """A uid of its own for each concurrent child, so children cannot touch each other or the grader."""
    if _UID_BASE is not None:
        return _UID_BASE + pid % 1000  # one zygote's children run one at a time; 1000 PIDs apart is plenty
    return 200_000 + pid % 100_000


def _sweep(pid: int, caps: isolation.Capabilities) -> None:
    """Kill anything the child left behind (a grandchild that escaped its process group)."""
    _kill(pid)
    if not caps.separate_uid:
        return
    sweeper = os.fork()
    if sweeper == 0:
        try:
            os.setuid(child_uid(pid))
            os.kill(-1, signal.SIGKILL)  # every process of that uid, and only those
        finally:
            os._exit(0)
    os.waitpid(sweeper, 0)


# ---------------------------------------------------------------- inside the child

def _write_job(fd: int, data: bytes) -> None:
    """Hand the job to the child through its pipe; a child that dies first simply never reads it."""
    view, deadline = memoryview(data), time.monotonic() + IMPORT_TIMEOUT
    try:
        while view and time.monotonic() < deadline:
            _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
            if ready:
                view = view[os.write(fd, view[:1 << 16]):]
    except OSError:  # EPIPE: the child is gone; its death is reported from its exit status
        pass
    finally:
        os.close(fd)


def _read_job(fd: int) -> tuple[dict, list[bytes]]:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    messages, _ = unpack_messages(b"".join(chunks), max_header=MAX_RESULT_BYTES)
    return messages[0]


def _child_main(limits: dict, job_fd: int, result_fd: int, out_fd: int, workdir: str, caps) -> None:
    """Runs in the sandbox child; never returns."""
    try:
        job, blobs = _read_job(job_fd)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(result_fd, 3)
        os.closerange(4, 1 << 16)
        sys.stdout = _CappedText(1, OUTPUT_KEEP)
        sys.stderr = _CappedText(2, OUTPUT_KEEP)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(workdir)
        _scrub_environment(workdir)
        # in a fresh zygote (one BLAS thread, set by its environment) a child is a single process, so
        # its memory limit is the whole child's; forked from a warmed process BLAS may want threads
        limits = isolation.ChildLimits(cpu_seconds=int(limits["cpu_seconds"]), memory_bytes=int(limits["memory_mb"]) * 2**20,
                                       processes=1 if _FRESH else 8)
        isolation.confine(caps, limits, workdir, child_uid(os.getpid()) if caps.separate_uid else None)
        _run_tasks(job, blobs, _Channel(3))
        if caps.separate_uid:
            os.kill(-1, signal.SIGKILL)  # every process of this child's uid: leftovers, then itself
    finally:
        os._exit(0)


_KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _scrub_environment(workdir: str) -> None:
    """The grader's environment may hold secrets (tokens, passwords): children see only a few
    harmless variables, with HOME and TMPDIR pointing into their working directory."""
    kept = {name: os.environ[name] for name in _KEPT_ENVIRONMENT if name in os.environ}
    os.environ.clear()
    os.environ.update(kept, HOME=workdir, TMPDIR=workdir)
    tempfile.tempdir = workdir  # the zygote's mkdtemp cached its own; the child may only write here


class _CappedText(io.TextIOBase):
    """stdout/stderr for student code: keeps the first bytes, silently drops the rest, so a function
    that prints a flood still returns its answer (and the file-size limit is never reached this way)."""

    def __init__(self, fd: int, cap: int):
        self.fd, self.left = fd, cap

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.left > 0:
            data = text.encode("utf-8", "replace")[: self.left]
            self.left -= len(data)
            try:
                os.write(self.fd, data)
            except OSError:
                self.left = 0
        return len(text)

    def fileno(self):
        return self.fd


class _Channel:
    """The child's side of the result pipe. Results of calls are written in batches (one write for
    many small ones); everything else goes out at once, and so does any batch older than FLUSH_AFTER
    before the next call starts, so a call that hangs loses at most that much of what came before."""

    FLUSH_AFTER = 0.02
    FLUSH_BYTES = 1 << 16

    def __init__(self, fd: int):
        self.fd = fd
        self.before_send = None
        self.pending: list[bytes] = []
        self.size = 0
        self.since = 0.0

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        if self.before_send is not None:
            self.before_send()
        data = pack_message(header, list(blobs))
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append(data)
        self.size += len(data)
        if header.get("event") not in ("result", "raised") or self.size >= self.FLUSH_BYTES:
            self.flush()

    def flush_if_old(self) -> None:
        """Before a call: what waits may not wait longer (the call may never return)."""
        if self.pending and time.monotonic() - self.since >= self.FLUSH_AFTER:
            self.flush()

    def flush(self) -> None:
        view = memoryview(b"".join(self.pending))
        self.pending, self.size = [], 0
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _run_tasks(job: dict, blobs: list[bytes], channel: _Channel) -> None:
    name = job["module"]
    module = types.ModuleType(name)
    module.__file__ = job["filename"]
    sys.modules[name] = module
    # the course folder and the working directory are never importable from the sandbox
    sys.path[:] = [p for p in sys.path if p and ("site-packages" in p or "/lib/python" in p)]
    import linecache

    linecache.cache[job["filename"]] = (len(job["source"]), None, job["source"].splitlines(True), job["filename"])
    import builtins

    saved_builtins = dict(builtins.__dict__)

    def restore_builtins():
        # a submission that patches builtins (isinstance, print, ...) must not break the reporting
        builtins.__dict__.clear()
        builtins.__dict__.update(saved_builtins)

    channel.before_send = restore_builtins
    try:
        exec(compile(job["source"], job["filename"], "exec"), module.__dict__)
    except BaseException as exc:  # noqa: BLE001 - anything at import time, SystemExit included
        channel.send({"event": "import_error", "message": _describe_exception(exc, job["filename"])})
        return
    for task in job["tasks"]:
        channel.send({"event": "start", "task": task["index"]})
        function = module.__dict__.get(task["function"])
        if not callable(function):
            channel.send({"event": "missing"})
        else:
            for number, call in enumerate(task["calls"]):
                channel.flush_if_old()
                # (args, kwargs) refer to all the job's arrays; (args, kwargs, start, stop) to blobs[start:stop]
                start, stop = (call[2], call[3]) if len(call) == 4 else (0, len(blobs))
                channel.send(*_call(function, number, call[0], call[1], blobs[start:stop], job["filename"], restore_builtins))
        channel.send({"event": "end"})
    channel.send({"event": "done"})


_SHA1 = hashlib.sha1  # taken before any student code runs: patching hashlib later changes nothing here


def fingerprints(values) -> list:
    """To see whether a call changed its array arguments. Advisory against hostile code (which can
    forge its own result frames); it catches the honest mistake of writing into an input."""
    import numpy as np

    return [_fingerprint(v, 0, np.ndarray) for v in values]


def _fingerprint(value, depth: int, ndarray: type):
    """A digest of an array, or of the arrays, keys and items inside a list, tuple or dict (a dict
    of parameters that gains a key or has a weight updated in place changed); None for the rest."""
    if isinstance(value, ndarray):
        return _SHA1(value.tobytes()).hexdigest() + str(value.shape) + str(value.dtype)
    if depth >= 4 or not isinstance(value, (list, tuple, dict)):
        return None
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    digest = _SHA1(f"{type(value).__name__}:{len(items)}".encode())
    for key, item in items[:1000]:
        inner = _fingerprint(item, depth + 1, ndarray)
        digest.update(f"{key!r}={inner if inner is not None else _scalar_text(item)};".encode())
    return digest.hexdigest()


def _scalar_text(item) -> str:
    """Plain immutable values count by value (an entry replaced by another number changed)."""
    if item is None or isinstance(item, (bool, int, float, complex, str)):
        return repr(item)[:100]
    return type(item).__name__


def _call(function, number, args_tree, kwargs_tree, blobs, filename, restore):
    restore()
    args = decode(args_tree, blobs, trusted=True)
    kwargs = decode(kwargs_tree, blobs, trusted=True)
    before = fingerprints(list(args) + list(kwargs.values()))
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the student's exception is the result
            restore()
            return {"event": "raised", "call": number, "type": type(exc).__name__,
                    "mro": [c.__name__ for c in type(exc).__mro__],
                    "message": _describe_exception(exc, filename, short=True),
                    "seconds": time.perf_counter() - started, "warnings": _warning_texts(caught)}, []
    seconds = time.perf_counter() - started
    restore()
    try:
        after = fingerprints(list(args) + list(kwargs.values()))
    except BaseException:  # noqa: BLE001 - e.g. a key with a failing __repr__ put into a dict argument
        after = [None if b is None else "unreadable" for b in before]
    names = [f"argument {i + 1}" for i in range(len(args))] + [f"argument {k!r}" for k in kwargs]
    mutated = [n for n, b, a in zip(names, before, after) if b is not None and b != a]
    try:
        out_blobs: list[bytes] = []
        tree, _ = encode(value, out_blobs)
        json.dumps(tree)
    except BaseException as exc:  # noqa: BLE001
        return {"event": "raised", "call": number, "type": "UnsendableResult", "mro": ["UnsendableResult"],
                "message": f"the returned value could not be sent back: {exc}"}, []
    return {"event": "result", "call": number, "value": tree, "mutated": mutated, "seconds": seconds,
            "warnings": _warning_texts(caught)}, out_blobs


def _warning_texts(caught) -> list[str]:
    texts = []
    for record in caught[:5]:
        try:
            texts.append(f"{record.category.__name__}: {record.message}"[:200])
        except BaseException:  # noqa: BLE001
            texts.append("a warning")
    return texts


def _describe_exception(exc: BaseException, filename: str, short: bool = False) -> str:
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        where = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
        text = f"{type(exc).__name__}: {exc}"[:800]
        return text + where
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return type(exc).__name__
