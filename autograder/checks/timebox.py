"""Run trusted grading code that may be slow on an adversarial value (sympy) in a forked, time-boxed child."""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import time


def run_timeboxed(function, timeout: float, reset_on_report: bool = False, reports: list | None = None):
    """Call function() in a fork; return (finished, its JSON-able result or the last partial result).

    The function receives `report(value)` and may call it with partial results as it goes, so work
    done before a timeout still counts. With reset_on_report, each report starts a new time budget
    (a batch of items, each with its own timeout). Returns (finished, last); every report received
    is also appended to `reports` when given.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            if not reset_on_report:
                resource.setrlimit(resource.RLIMIT_CPU, (int(timeout) + 2, int(timeout) + 3))

            def report(value):
                data = json.dumps(value).encode() + b"\n"
                os.write(write_end, data)

            report({"final": True, "value": function(report)})
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as a failure
            try:
                os.write(write_end, json.dumps({"final": True, "error": f"{type(exc).__name__}: {exc}"[:500]}).encode() + b"\n")
            except BaseException:  # noqa: BLE001
                pass
        finally:
            os._exit(0)
    os.close(write_end)
    buffer, deadline, finished, last = b"", time.monotonic() + timeout, False, None
    reports = [] if reports is None else reports
    while True:
        wait = deadline - time.monotonic()
        if wait <= 0:
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([read_end], [], [], wait)
        if not ready:
            continue
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            if isinstance(message, dict) and message.get("final"):
                finished = True
            else:
                reports.append(message)
                if reset_on_report:
                    deadline = time.monotonic() + timeout
            last = message
    os.close(read_end)
    os.waitpid(pid, 0)
    return finished, last


def run_batch_timeboxed(items: list, timeout: float) -> tuple[list, set[int]]:
    """Run item() for each item in forked children, `timeout` seconds each; a slow item costs only itself.

    Each item returns a JSON-able value. Returns the values and the indices of the items that timed out
    or failed (their value is None); the items after one of those continue in a fresh child.
    """
    results: list = [None] * len(items)
    timed_out: set[int] = set()
    start = 0
    while start < len(items):
        def work(report, first=start):
            for index in range(first, len(items)):
                report({"i": index, "v": items[index]()})
            return None

        reports: list = []
        run_timeboxed(work, timeout, reset_on_report=True, reports=reports)
        done = [r for r in reports if isinstance(r, dict) and "i" in r]
        for report in done:
            results[report["i"]] = report["v"]
        last = max((r["i"] for r in done), default=start - 1)
        if last + 1 < len(items):
            timed_out.add(last + 1)
        start = last + 2
    return results, timed_out
