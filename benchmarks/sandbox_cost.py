"""Cost of one sandboxed run: a child forked from the warmed zygote, per isolation layer, against the
alternative of starting a fresh Python that imports numpy and sympy for each submission.

    python benchmarks/sandbox_cost.py [--runs 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from autograder import isolation
from autograder.sandbox import Task, Zygote
from autograder.wire import encode

SOURCE = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def per_child(disabled: str, runs: int) -> float:
    os.environ["AUTOGRADER_DISABLE"] = disabled  # read by isolation.probe() when the zygote starts
    isolation.bubblewrap_binary.cache_clear()
    zygote = Zygote().start()
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
    """Each line adds one layer; the last has every layer this machine offers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    baseline = fresh_interpreter(runs)
    print(f"fresh `python -c 'import numpy, sympy'` per submission: {baseline * 1000:7.1f} ms")
    layers = ("uid", "network", "landlock", "seccomp", "bubblewrap")
    labels = ("process + rlimits", "+ separate uid", "+ network namespace", "+ Landlock", "+ seccomp",
              "+ bubblewrap (all layers)")
    for count, label in enumerate(labels):
        cost, level = per_child(",".join(layers[count:]), runs)
        print(f"zygote child, {label:26s}: {cost * 1000:7.1f} ms  ({baseline / cost:5.1f}x faster)   [{level.split(';')[0]}]")
    started = time.perf_counter()
    Zygote().start().close()
    print(f"starting a zygote (once per worker; in bubblewrap a fresh interpreter imports numpy and sympy): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
