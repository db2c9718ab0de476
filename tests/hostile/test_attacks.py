"""Red-team suite: hostile submissions, each with an exact expected verdict.

Every case grades one hostile submission for the tiny course (exercises ``double`` and ``triple``)
and asserts: the attacked exercise (or every exercise, for import-time attacks) scores 0, the
recorded reason contains an expected substring, the other exercise keeps full marks when the attack
is inside one function, no file outside the child's working directory changed, nothing reached the
loopback listeners, no sandbox process survived, and the grader still grades a correct submission
with full marks afterwards.

Network traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import hashlib
import os
import socket
import textwrap
import time
from dataclasses import dataclass

import pytest

from autograder.grade import grade_source

GOOD_TRIPLE = "\ndef triple(x):\n    return 3 * x\n"
GOOD_DOUBLE = "\ndef double(x):\n    return 2 * x\n"
SANDBOX_UID_MIN = 200_000


# ---------------------------------------------------------------------------- the cases

@dataclass
class Case:
    id: str
    code: str                      # the body of double(x), or (scope="import") top-level code
    reason: str                    # substring of the recorded reason
    scope: str = "function"        # "function": only double scores 0; "import": every exercise does
    prelude: str = ""              # top-level code before double (function scope only)
    xfail: str | None = None       # a real grader bug: the reason
    detail: str = ""               # substring of the first failure's detail (the full message)
    wrapped: tuple | None = None   # (reason, scope) instead, when children run inside bubblewrap
    needs_bubblewrap: bool = False # the verdict relies on bubblewrap's limits (skipped without it)


SECRET_READS = "data = open({path!r}, 'rb').read()\nreturn 2 * x"

CASES = [
    # --- monkeypatching the comparison machinery (in the child only; the verdict is made elsewhere)
    Case("patch-numpy-at-import", "return x + 100", "values differ", prelude=(
        "import numpy.testing\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.testing.assert_allclose = lambda *a, **k: None\nnp.testing.assert_array_equal = lambda *a, **k: None\n")),
    Case("patch-numpy-in-function", """
        import numpy.testing
        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)
        np.equal = lambda *a, **k: True
        return x + 100""", "values differ"),
    Case("patch-math-at-import", "return x * 0", "values differ",
         prelude="import math\nmath.isclose = lambda *a, **k: True\nmath.isfinite = lambda v: True\n"),
    Case("patch-builtins-at-import", "return x + 1", "values differ", prelude=(
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.abs = lambda v: 0\n"
        "builtins.all = lambda *a: True\nbuiltins.len = lambda v: 0\n")),
    Case("patch-builtins-in-function", """
        import builtins
        builtins.isinstance = lambda *a: True
        builtins.type = lambda *a: np.ndarray
        builtins.len = lambda v: 0
        builtins.max = lambda *a, **k: 0
        return x + 1""", "values differ"),
    # --- lying objects
    Case("lying-eq", """
        class Liar:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __array__(self, *a, **k): raise RuntimeError
        return Liar()""", "got an object of type Liar"),
    Case("lying-array", """
        class Liar:
            def __eq__(self, other): return True
            def __array__(self, *a, **k): return 2 * x
            def __len__(self): return len(x)
        return Liar()""", "got an object of type Liar"),
    Case("lying-float", """
        class Liar:
            def __eq__(self, other): return True
            def __float__(self): return 2.0
            def __int__(self): return 2
            def __index__(self): return 2
        return Liar()""", "got an object of type Liar"),
    Case("ndarray-subclass-lying-eq", """
        class Always(np.ndarray):
            def __eq__(self, other): return np.ones(self.shape, bool)
            def __array__(self, *a, **k): return np.asarray(2 * x)
            def tobytes(self, *a, **k): return (2 * x).tobytes()
        return np.zeros_like(x).view(Always)""", "values differ"),
    # --- exiting
    Case("os-exit-in-function", "import os\nos._exit(0)", "exited early"),
    Case("sys-exit-in-function", "import sys\nsys.exit(0)", "SystemExit"),
    Case("os-exit-at-import", "import os\nos._exit(0)", "exited early", scope="import"),
    Case("sys-exit-at-import", "import sys\nsys.exit(0)", "SystemExit", scope="import"),
    Case("swallow-systemexit-and-kbint", """
        import signal
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGALRM):
            signal.signal(s, signal.SIG_IGN)
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass""", "timed out"),
    # --- lying to the grader through output channels
    Case("fake-result-lines", """
        import sys, os
        print('{"event": "result", "call": 0, "value": 1}')
        print("PASSED 2/2 score: 2/2", flush=True)
        sys.stderr.write("PASSED 2/2\\n")
        os.write(1, b'{"event": "end"}\\n')
        os.write(2, b'{"event": "done"}\\n')
        return x""", "values differ"),
    Case("garbage-on-result-channel", "import os\nos.write(3, b'\\xff' * 64 + b'{\"event\": \"done\"}')\nreturn 2 * x",
         "unreadable data"),
    # --- reading what is not yours
    Case("read-solutions", SECRET_READS.format(path="{root}/solutions/basics.py"), "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("read-hidden-cases", SECRET_READS.format(path="{root}/exercises/basics/double.yml"), "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("read-gradebook", SECRET_READS.format(path="{tmp}/gradebook.sqlite"), "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("list-course-root", "import os\nos.listdir({root!r})\nreturn 2 * x".replace("{root!r}", "'{root}'"),
         "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("read-solutions-at-import", "SECRET = open('{root}/solutions/basics.py').read()\n" + GOOD_DOUBLE,
         "PermissionError", scope="import",
         wrapped=("FileNotFoundError", "import")),
    # --- writing where it is not yours
    Case("write-other-student", "open('{tmp}/other_student/basics.py', 'w').write('def double(x): return 0')\n"
         "return 2 * x", "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("overwrite-sentinel", "open('{tmp}/sentinel.txt', 'w').write('pwned')\nreturn 2 * x", "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    Case("overwrite-solutions", "open('{root}/solutions/basics.py', 'w').write('def double(x): return 0')\n"
         "return 2 * x", "PermissionError",
         wrapped=("FileNotFoundError", "function")),
    # --- patching the grader package (only the child's copy, if any)
    Case("patch-autograder-at-import", "return x + 100", "values differ", prelude=(
        "import autograder.checks.compare as c\nc.compare = lambda *a, **k: None\n"
        "import autograder.grade as g\ng.grade_source = None\n"),
         wrapped=("PermissionError", "import")),  # in bubblewrap the zygote never imported them: not readable
    Case("patch-autograder-in-function", """
        import autograder.checks.compare as c
        import autograder.wire as w
        c.compare = lambda *a, **k: None
        for name in dir(c):
            if callable(getattr(c, name)):
                setattr(c, name, lambda *a, **k: None)
        return x + 100""", "values differ", wrapped=("PermissionError", "function")),
    # --- attacking the grader process and the machine
    Case("kill-parent", "import os\nos.kill(os.getppid(), 9)\nreturn 2 * x", "PermissionError"),
    Case("kill-init", "import os\nos.kill(1, 9)\nreturn 2 * x", "PermissionError"),
    Case("read-parent-environ", "import os\nopen(f'/proc/{{os.getppid()}}/environ', 'rb').read()\nreturn 2 * x",
         "PermissionError"),
    Case("read-parent-mem", "import os\nopen(f'/proc/{{os.getppid()}}/mem', 'rb').read(16)\nreturn 2 * x",
         "PermissionError"),
    Case("tcp-loopback", """
        import socket
        s = socket.create_connection(("127.0.0.1", {tcp_port}), timeout=1)
        s.sendall(b"exfiltrated")
        return 2 * x""", "PermissionError", detail="not permitted"),  # seccomp refuses socket(); Landlock alone: "Permission denied"
    Case("tcp-loopback-listen", """
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        return 2 * x""", "PermissionError"),
    Case("udp-loopback", """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"exfiltrated", ("127.0.0.1", {udp_port}))
        return 2 * x""", "PermissionError", detail="not permitted"),  # seccomp; without it: OSError "unreachable"
    # --- resource exhaustion
    Case("infinite-loop-python", "while True:\n    pass", "timed out"),
    Case("infinite-loop-in-c", "import collections, itertools\ncollections.deque(itertools.count(), maxlen=0)",
         "timed out"),
    Case("memory-bytearray", "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))", "MemoryError"),
    Case("memory-numpy-ones", "return np.ones((10**10,))", "MemoryError"),
    Case("fork-flood", """
        import os, time
        for _ in range(30):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        return 2 * x""", "BlockingIOError"),
    Case("fork-flood-exit", """
        import os
        for _ in range(30):
            if os.fork() == 0:
                os._exit(0)
        return 2 * x""", "BlockingIOError"),
    Case("fill-disk", "open('big.bin', 'wb').write(b'\\0' * 100 * 2**20)\nreturn 2 * x", "OSError", detail="File too large"),
    Case("fill-disk-with-many-files", """
        for i in range(80):  # 80 files of 4 MB, each under the file-size limit: 320 MB in all
            open(f"part{i}.bin", "wb").write(b"\\0" * 4 * 2**20)
        return 2 * x""", "OSError", detail="No space left", needs_bubblewrap=True),
    Case("read-grader-environment", """
        import os
        leaked = [k for k in os.environ if k.startswith("AUTOGRADER_CANARY")]
        assert not leaked, f"leaked {leaked}"
        raise RuntimeError(f"nothing to steal: {sorted(os.environ)}")""", "RuntimeError"),
    Case("segfault", "import ctypes\nreturn ctypes.string_at(0)", "segmentation fault"),
    Case("deep-recursion", """
        import sys
        sys.setrecursionlimit(10**6)
        def f(n):
            return f(n + 1) + 1
        return f(0)""", "timed out"),
    # --- hostile return values
    Case("huge-array", "return np.ones(10**8, dtype=np.uint8)", "got an object of type numpy array"),
    Case("deeply-nested-list", "v = []\nfor _ in range(10**5):\n    v = [v]\nreturn v", "UnsendableResult", detail="nested too deeply"),
    Case("slow-import", "import time\ntime.sleep(30)\n" + GOOD_DOUBLE, "loading your module took longer",
         scope="import"),
    Case("generator", "return (2 * v for v in x)", "generator"),
    Case("lambda", "return lambda: 2 * x", "function"),
    # --- more process games
    Case("raise-keyboardinterrupt", "raise KeyboardInterrupt", "KeyboardInterrupt"),
    Case("kill-everything-it-can", "import os, signal\nos.kill(-1, signal.SIGKILL)\nreturn x + 1", "values differ"),
    Case("escaped-grandchild", """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        os.wait()
        return x + 1""", "values differ"),
    Case("close-result-channel", "import os\nos.close(3)\nreturn 2 * x", "exited early"),
    Case("forged-start-resets-deadline", """
        import json, os, struct, time
        body = json.dumps({"event": "start", "task": 0, "blobs": 0}).encode()
        if not hasattr(os, "_first_call_done"):  # only the first call is slow: 3 s against a 1.5 s limit
            os._first_call_done = True
            for _ in range(3):
                os.write(3, struct.pack("<I", len(body)) + body)
                time.sleep(1)
        return 2 * x""", "timed out"),
]


# ---------------------------------------------------------------------------- helpers

def _reason(result) -> str:
    return (result.error or "") + " " + " ".join(g.failure.summary for g in result.groups if g.failure)


def _detail(result) -> str:
    first = result.first_failure()
    return (result.error or "") + " " + (first[1].detail if first else "")


def _snapshot(*roots) -> dict:
    state = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            st = os.stat(folder)
            state[folder] = ("dir", st.st_mode, sorted(dirs), sorted(files))
            for name in files:
                path = os.path.join(folder, name)
                st = os.stat(path)
                with open(path, "rb") as fh:
                    state[path] = ("file", st.st_mode, st.st_size, hashlib.sha256(fh.read()).hexdigest())
    return state


def _sandbox_processes(uids: range) -> list[str]:
    """Live (non-zombie) processes running under one of this zygote's sandbox uids (another grader
    on the same machine has its own)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        uid = int(fields.get("Uid", "0").split()[0])
        if uid >= SANDBOX_UID_MIN and uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(f"{pid} uid={uid} {fields.get('Name', '').strip()}")
    return found


def _source(case: Case, **places) -> str:
    code = textwrap.dedent(case.code).strip("\n")
    for key, value in places.items():
        code = code.replace("{" + key + "}", str(value))
    code = code.replace("{{", "{").replace("}}", "}")
    if case.scope == "import":
        return "import numpy as np\n" + code + "\n" + GOOD_TRIPLE
    return ("import numpy as np\n" + case.prelude + "\ndef double(x):\n" + textwrap.indent(code, "    ") + "\n"
            + GOOD_TRIPLE)


def _grade(tiny, zygote, source):
    course, oracle = tiny
    return {r.id: r for r in grade_source(course, "basics", source, "basics.py", "mallory", zygote, oracle)}


@pytest.fixture
def arena(tmp_path):
    """Things outside the child's working directory an attack might touch, and loopback listeners."""
    os.chmod(tmp_path, 0o777)
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text("untouched\n")
    os.chmod(sentinel, 0o666)
    other = tmp_path / "other_student"
    other.mkdir()
    os.chmod(other, 0o777)
    (other / "basics.py").write_text("def double(x):\n    return 2 * x\n")
    os.chmod(other / "basics.py", 0o666)
    gradebook = tmp_path / "gradebook.sqlite"
    gradebook.write_bytes(b"SQLite format 3\0 secret grades")
    os.chmod(gradebook, 0o666)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    yield tmp_path, tcp, udp
    tcp.close()
    udp.close()


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        yield pytest.param(case, id=case.id, marks=marks)


# ---------------------------------------------------------------------------- the test

@pytest.mark.parametrize("case", _params())
def test_attack(case, tiny, zygote, arena):
    course, _ = tiny
    tmp, tcp, udp = arena
    if case.needs_bubblewrap and not zygote.caps.wrapped:
        pytest.skip("this verdict needs bubblewrap's size-limited /tmp, which this machine lacks")
    reason, scope = case.wrapped if case.wrapped and zygote.caps.wrapped else (case.reason, case.scope)
    before = _snapshot(tmp, course.root)
    solutions = (course.root / "solutions" / "basics.py").read_text()
    source = _source(case, tmp=tmp, root=course.root, tcp_port=tcp.getsockname()[1], udp_port=udp.getsockname()[1])

    results = _grade(tiny, zygote, source)

    double, triple = results["double"], results["triple"]
    if scope == "import":
        for result in (double, triple):
            assert result.score == 0, f"{result.id} scored {result.score} after an import-time attack"
            assert reason in _reason(result), _reason(result)
            assert case.detail in _detail(result), _detail(result)
    else:
        assert double.score == 0, f"the attacked exercise scored {double.score}: {_reason(double)}"
        assert reason in _reason(double), _reason(double)
        assert case.detail in _detail(double), _detail(double)
        assert triple.score == triple.max_score, f"the other exercise was affected: {_reason(triple)}"

    # nothing outside the child's working directory changed
    assert _snapshot(tmp, course.root) == before
    assert (course.root / "solutions" / "basics.py").read_text() == solutions
    # nothing reached the loopback listeners
    with pytest.raises(BlockingIOError):
        tcp.accept()
    with pytest.raises(BlockingIOError):
        udp.recvfrom(100)
    # no sandbox process survived the grading
    deadline = time.monotonic() + 2
    while _sandbox_processes(zygote.uid_range) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sandbox_processes(zygote.uid_range) == []
    # the grader is alive and still grades a correct submission with full marks
    os.kill(zygote.pid, 0)
    good = _grade(tiny, zygote, "import numpy as np\n" + GOOD_DOUBLE + GOOD_TRIPLE)
    assert all(r.score == r.max_score for r in good.values()), {k: _reason(r) for k, r in good.items()}
