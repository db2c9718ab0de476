"""Run trusted grading code that may be slow on an adversarial value (sympy) in a forked, time-boxed child."""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import time


def run_timeboxed(function, timeout: float, memory_mb: int = 2048):
    """Call function() in a fork; return (finished, its JSON-able result or the last partial result).

    The function receives `report(value)` and may call it with partial results as it goes, so work
    done before a timeout still counts.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
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
                last = message
            else:
                last = message
    os.close(read_end)
    os.waitpid(pid, 0)
    return finished, last
