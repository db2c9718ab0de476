"""Cost of one sandboxed run: a child forked from the warmed zygote, per isolation layer, against the
alternative of starting a fresh Python that imports numpy and sympy for each submission.

    python benchmarks/sandbox_cost.py [--runs 30]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np

from autograder import isolation
from autograder.sandbox import Task, Zygote
from autograder.wire import encode

SOURCE = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def per_child(layers, runs: int) -> float:
    original = isolation.probe
    isolation.probe = lambda: layers(original())
    try:
        zygote = Zygote().start()
    finally:
        isolation.probe = original
    blobs: list[bytes] = []
    args, _ = encode([np.array([-1.0, 2.0])], blobs)
    kwargs, _ = encode({}, blobs)
    task = Task("relu", [(args, kwargs)])
    for _ in range(3):
        zygote.run(SOURCE, "s.py", "m", [task], blobs)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = zygote.run(SOURCE, "s.py", "m", [task], blobs)
        times.append(time.perf_counter() - started)
        assert result.tasks[0].calls[0].kind == "value"
    level = zygote.caps.describe()
    zygote.close()
    return statistics.median(times), level


def fresh_interpreter(runs: int) -> float:
    times = []
    for _ in range(max(3, runs // 5)):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, sympy"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    def only(**keep):
        def apply(caps):
            caps.separate_uid = caps.separate_uid and keep.get("uid", False)
            caps.network_namespace = caps.network_namespace and keep.get("net", False)
            caps.landlock_abi = caps.landlock_abi if keep.get("landlock", False) else 0
            caps.seccomp = caps.seccomp and keep.get("seccomp", False)
            return caps
        return apply

    baseline = fresh_interpreter(runs)
    print(f"fresh `python -c 'import numpy, sympy'` per submission: {baseline * 1000:7.1f} ms")
    for label, layers in (("process + rlimits", only()), ("+ separate uid", only(uid=True)),
                          ("+ network namespace", only(uid=True, net=True)),
                          ("+ Landlock", only(uid=True, net=True, landlock=True)),
                          ("+ seccomp (all layers)", only(uid=True, net=True, landlock=True, seccomp=True))):
        cost, level = per_child(layers, runs)
        print(f"zygote child, {label:24s}: {cost * 1000:7.1f} ms  ({baseline / cost:5.1f}x faster)   [{level.split(';')[0]}]")


if __name__ == "__main__":
    main()
