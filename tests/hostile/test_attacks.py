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
from autograder.sandbox import Zygote

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
    fresh: tuple | None = None     # (reason, scope) instead, when the zygote is a fresh interpreter (it never
                                   # imported the grader's modules, so the child cannot either)
    forked: bool = False           # run against a zygote forked from this process, as local checks use:
                                   # there a child may fork (up to 8 processes), so leftovers must be swept
    needs_bubblewrap: bool = False # the verdict relies on bubblewrap's limits (skipped without it)
    xfail_wrapped: str | None = None    # a real hole only when children run inside bubblewrap
    xfail_unwrapped: str | None = None  # a real hole only when children run without bubblewrap
    before: object = ""                 # a submission by another student ("alice"), graded just before (or a
                                        # function that makes it)
    own_zygote: bool = False            # the attack may kill or hang the zygote: give it a private one
    then: str = ""                      # an honest submission by another student ("bob"), graded just after: full marks


# the start of two attacks that search the memory a child inherited from its zygote
HEAP = r"""
        import ctypes
        libc = ctypes.CDLL(None)
        libc.sbrk.restype = ctypes.c_void_p
        libc.sbrk.argtypes = [ctypes.c_long]
        class Info(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
        libc.mallinfo2.restype = Info
        top, size = libc.sbrk(0), libc.mallinfo2().arena
        heap = ctypes.string_at(top - size, size)                 # the heap, as inherited from the zygote
"""

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
         fresh=("PermissionError", "import")),  # a fresh zygote never imported them, and the child cannot read them
    Case("patch-autograder-in-function", """
        import autograder.checks.compare as c
        import autograder.wire as w
        c.compare = lambda *a, **k: None
        for name in dir(c):
            if callable(getattr(c, name)):
                setattr(c, name, lambda *a, **k: None)
        return x + 100""", "values differ", fresh=("PermissionError", "function")),
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
        return x + 1""", "values differ", forked=True),
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
    # ==== red-team additions =======================================================================
    # --- /proc inside the bubblewrap PID namespace, the zygote's fds and its control socket
    Case("read-bwrap-init-environ", "open('/proc/1/environ', 'rb').read()\nreturn 2 * x", "PermissionError"),
    Case("list-zygote-fds", "import os\nos.listdir(f'/proc/{{os.getppid()}}/fd')\nreturn 2 * x", "PermissionError"),
    Case("open-zygote-socket-via-proc", """
        import os
        refused = None
        for fd in range(3, 16):   # the zygote's control socket is one of its low descriptors
            try:
                os.open(f"/proc/{os.getppid()}/fd/{fd}", os.O_RDWR)
                raise AssertionError(f"opened the zygote's fd {fd}")
            except PermissionError as exc:
                refused = exc
            except FileNotFoundError:
                pass
        raise refused or FileNotFoundError("no descriptor found")""", "PermissionError"),
    Case("write-zygote-mem", "import os\nopen(f'/proc/{{os.getppid()}}/mem', 'r+b').write(b'\\xcc')\nreturn 2 * x",
         "PermissionError"),
    Case("list-shared-tmp", "import os\nos.listdir('/tmp')\nreturn 2 * x", "PermissionError"),
    Case("pidfd-getfd-zygote", """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        pidfd = libc.syscall(434, os.getppid(), 0)            # pidfd_open: not in the seccomp list
        if pidfd < 0:
            raise OSError(ctypes.get_errno(), "pidfd_open failed")
        for fd in range(16):
            if libc.syscall(438, pidfd, fd, 0) >= 0:          # pidfd_getfd: the zygote's socket would be here
                raise AssertionError(f"took the zygote's fd {fd}")
        if libc.syscall(424, pidfd, 9, None, 0) == 0:         # pidfd_send_signal
            raise AssertionError("signalled the zygote")
        raise PermissionError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))""", "PermissionError"),
    Case("only-stdio-and-channel-inherited", """
        import os
        fds = []
        for fd in range(4096):
            try:
                os.fstat(fd)
                fds.append(fd)
            except OSError:
                pass
        assert fds == [0, 1, 2, 3], f"inherited {fds}"
        raise RuntimeError("only stdin, stdout, stderr and the result channel")""", "RuntimeError"),
    Case("raise-rlimits", "import resource\nresource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
         "return 2 * x", "ValueError"),
    # --- processes that try to outlive the child
    Case("sigstop-self", "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\nreturn 2 * x", "timed out"),
    Case("thread-outlives-call", """
        import threading, time
        threading.Thread(target=lambda: time.sleep(30), daemon=False).start()
        return x + 1""", "values differ", forked=True),
    Case("posix-spawn-setsid", """
        import os, sys
        os.posix_spawn(sys.executable, [sys.executable, "-c", "import time; time.sleep(30)"], {}, setsid=True)
        return x + 1""", "values differ", forked=True),
    Case("clone-new-namespaces-grandchild", """
        import ctypes, os, platform, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        # clone(CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD): seccomp denies unshare() but not clone() with namespace flags
        if libc.syscall({"x86_64": 56, "aarch64": 220}[platform.machine()], 0x10000000 | 0x20000000 | 17, 0, 0, 0, 0) == 0:
            os.setsid()
            for fd in (0, 1, 2, 3):
                os.close(fd)
            time.sleep(3)
            os._exit(0)
        return x + 1""", "values differ"),
    Case("clone-new-namespaces-then-hang", """
        import ctypes, os, platform, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        if libc.syscall({"x86_64": 56, "aarch64": 220}[platform.machine()], 0x10000000 | 0x20000000 | 17, 0, 0, 0, 0) == 0:
            os.setsid()
            time.sleep(3)
            os._exit(0)
        while True:
            pass""", "timed out"),
    # --- the zygote's clean-up of the working directory
    Case("odd-files-in-workdir", """
        import os
        try:
            os.mkfifo("pipe")
            os.makedirs("a/b/c")
            open("a/b/c/f", "w").write("x")
            for path in ("a/b/c/f", "a/b/c", "a/b", "a", "."):
                os.chmod(path, 0)
        except OSError:
            pass
        return x + 1""", "values differ"),
    Case("many-tiny-files-at-import", "return x + 1", "values differ", prelude=(
        "import os, time\n_t = time.monotonic()\n_n = 0\nwhile time.monotonic() - _t < 3:  # ~350 000 empty files\n"
        "    for _i in range(1000):\n        os.close(os.open(f'f{_n}', os.O_CREAT | os.O_WRONLY, 0o600))\n        _n += 1\n")),
    # --- the seccomp filter's other doors (the network stays closed by the namespace and Landlock)
    Case("ptrace-zygote-via-i386-abi", """
        import ctypes, mmap, os, platform
        if platform.machine() != "x86_64":
            raise PermissionError(1, "Operation not permitted")
        # ptrace(PTRACE_ATTACH, pid) through int 0x80 (the seccomp filter lets it through): the uid still stops it
        code = bytes.fromhex("53" "b81a000000" "bb10000000" "89f9" "31d2" "31f6" "cd80" "5b" "c3")
        page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(code)
        result = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))(os.getppid())
        if result < 0:
            raise PermissionError(-result, os.strerror(-result))
        raise AssertionError("attached to the zygote")""", "PermissionError"),
    Case("udp-loopback-via-i386-socket", """
        import ctypes, mmap, platform, socket
        if platform.machine() != "x86_64":
            raise OSError(101, "Network is unreachable")
        code = bytes.fromhex("53" "b867010000" "bb02000000" "b902000000" "31d2" "cd80" "5b" "c3")  # socket(AF_INET, SOCK_DGRAM, 0)
        page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(code)
        fd = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()
        if fd < 0:  # the seccomp filter refuses every syscall of another ABI
            raise PermissionError(-fd, "Operation not permitted")
        s = socket.socket(fileno=fd)
        s.sendto(b"exfiltrated", ("127.0.0.1", {udp_port}))
        return 2 * x""", "PermissionError", detail="not permitted"),

    # ---- real holes (strict xfail: each fails today for the reason given) ----------------------------
    Case("read-host-files-by-handle", """
        import ctypes, errno, os, platform
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        class Handle(ctypes.Structure):
            _fields_ = [("size", ctypes.c_uint32), ("type", ctypes.c_int32), ("data", ctypes.c_uint32 * 2)]
        open_by_handle_at = {"x86_64": 304, "aarch64": 265}[platform.machine()]
        mount_fd = os.open("/usr/lib", os.O_RDONLY | os.O_DIRECTORY)     # readable, on the host's root file system
        handle = Handle(8, 1, (ctypes.c_uint32 * 2)(2, 0))                # ext4's root directory: inode 2, generation 0
        root = libc.syscall(open_by_handle_at, mount_fd, ctypes.byref(handle), os.O_RDONLY | os.O_DIRECTORY)
        if root < 0:
            code = ctypes.get_errno()
            raise (PermissionError if code in (errno.EPERM, errno.EACCES) else OSError)(code, os.strerror(code))
        secret = open(os.open("{root}/solutions/basics.py".lstrip("/"), os.O_RDONLY, dir_fd=root)).read()
        raise AssertionError("read the reference solutions: " + secret)""", "PermissionError"),
    Case("previous-student-source-in-memory", HEAP + r"""
        marker = b"ALICE_PRIVATE_" + b"SOLUTION"
        if marker in heap:
            at = heap.find(marker)
            raise AssertionError("another student's code: " + repr(heap[at - 20:at + 60]))
        raise RuntimeError("no other student's code in memory")""", "RuntimeError",
         # built when the test runs, after the zygote started: in the test module's own text it would be
         # in the grader's memory before the fork, which no real submission is
         before=lambda: ("import numpy as np\n# " + "_".join(["ALICE", "PRIVATE", "SOLUTION"]) + ": my own approach\n"
                         + "\n".join(f"_pad{i} = {i}" for i in range(60)) + GOOD_DOUBLE + GOOD_TRIPLE)),
    Case("grader-environment-in-memory", HEAP + r"""
        import os, re
        memory = heap                                             # setenv() copies live on the heap
        # argv and the environment the kernel put on the stack at exec, up to the end of the stack
        start = address = ctypes.c_void_p.in_dll(libc, "program_invocation_name").value
        probe = os.open("probe", os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            chunk = 4096 - address % 4096
            try:
                os.write(probe, (ctypes.c_char * chunk).from_address(address))   # EFAULT past the end, not a crash
            except OSError:
                break
            address += chunk
        os.lseek(probe, 0, 0)
        memory += os.read(probe, address - start)
        leaked = sorted(set(re.findall(rb"AUTOGRADER_CANARY\w*=\S*", memory)))
        if leaked:
            raise AssertionError(f"the grader's environment: {leaked}")
        raise RuntimeError("nothing of the grader's environment in memory")""", "RuntimeError"),
    Case("survivor-patched-os-kill", "return x + 1", "values differ", prelude=(
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        for fd in (0, 1, 2, 3):\n            os.close(fd)\n        time.sleep(3)\n    os._exit(0)\n"
        "os.wait()\n"
        "os.kill = lambda *a: None  # the harness's final kill(-1) is os.kill too; the child then reports done: no sweep\n"), forked=True),
    Case("survivor-fills-tmpfs-for-next-student", "return x + 1", "values differ", needs_bubblewrap=True, prelude=(
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    for fd in (0, 1, 2, 3):\n        os.close(fd)\n    held = []\n    try:\n"
        "        for i in range(64):  # 4 MB files (the file-size limit) until the 256 MB tmpfs is full, all kept open\n"
        "            held.append(os.open(f'hold{i}', os.O_CREAT | os.O_RDWR, 0o600))\n"
        "            for _ in range(4):\n                os.write(held[-1], bytes(2**20))\n"
        "    except OSError:\n        pass\n    time.sleep(2.5)  # rmtree unlinks them; the space stays taken while they are open\n"
        "    os._exit(0)\n"
        "time.sleep(1)\nos.kill = lambda *a: None\n"),
         then="import numpy as np\ndef double(x):\n    with open('scratch.bin', 'wb') as f:  # an honest scratch file\n"
              "        f.write(bytes(3 * 2**20))\n    return 2 * x\n" + GOOD_TRIPLE, fresh=("BlockingIOError", "import")),
    Case("survivor-forged-done", """
        import json, os, struct, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                for fd in (0, 1, 2, 3):
                    os.close(fd)
                time.sleep(3)
            os._exit(0)
        os.wait()
        body = json.dumps({"event": "done", "blobs": 0}).encode()
        os.write(3, struct.pack("<I", len(body)) + body)   # the grader then skips the sweep and the remaining tasks
        os._exit(0)""", "exited early", forked=True),
    Case("close-channel-then-sleep", "import os, time\nos.close(3)\ntime.sleep(5)\nreturn 2 * x", "closed its result channel",
         own_zygote=True),
    Case("close-channel-then-sigstop", """
        import os, signal, time
        parent = os.getpid()
        if os.fork() == 0:   # only so that the test ends: without this helper the zygote waits for ever
            for fd in (0, 1, 2, 3):
                os.close(fd)
            time.sleep(5)
            os.kill(parent, signal.SIGCONT)
            os._exit(0)
        os.close(3)
        os.kill(parent, signal.SIGSTOP)   # uses no CPU: the CPU limit never fires either
        return 2 * x""", "closed its result channel", own_zygote=True, forked=True),
    Case("deep-directory-tree", """
        import os
        if not os.path.exists("d"):
            home = os.getcwd()
            for _ in range(1200):   # deeper than the recursion limit of shutil.rmtree in the zygote
                os.mkdir("d")
                os.chdir("d")
            os.chdir(home)
        return x + 1""", "values differ", own_zygote=True),
    Case("sympy-float-exponent-bomb", """
        import json, os, struct
        node = {"$": "sympy", "tree": ["Float", "1e" + "9" * 390, 2000]}    # 400 characters: under every cap
        body = json.dumps({"event": "result", "call": 0, "value": [node] * 30, "blobs": 0}).encode()   # 13 KB
        os.write(3, struct.pack("<I", len(body)) + body)
        return x + 1""", "could not be read"),
    Case("sympy-repr-bomb", """
        import os, struct
        def tree(depth):
            return '["pi"]' if depth == 0 else '["Add",' + tree(depth - 1) + ',' + tree(depth - 1) + ']'
        node = '{"$":"sympy","tree":' + tree(12) + '}'     # 8191 Adds: under the 20000-node cap of one expression
        body = ('{"event":"result","call":0,"value":[' + ','.join([node] * 2) + '],"blobs":0}').encode()
        os.write(3, struct.pack("<I", len(body)) + body)
        return x + 1""", "got list"),  # 16 000 nodes in all: read, judged, never printed whole
    Case("mutate-input-and-hide-it", "x *= 2\nreturn x", "changed its input",
         prelude="import hashlib\n_md5 = hashlib.md5\nhashlib.sha1 = lambda data=b'': _md5(b'')\n"),  # (forging its own result frames could still hide it: SECURITY.md says the check is advisory)
    Case("memory-across-forks", """
        import os
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        for _ in range(2):
            if os.fork() == 0:
                os.close(go_w)
                block = b"\\x01" * (120 * 2**20)   # 120 MB of touched pages in this process
                os.write(ready_w, b"+")
                os.read(go_r, 1)
                os._exit(0)
        got = b""
        while len(got) < 2:
            got += os.read(ready_r, 2)
        mine = b"\\x01" * (120 * 2**20)
        os.close(go_w)
        raise RuntimeError("three processes held 120 MB each (360 MB) under a 300 MB limit")""", "BlockingIOError"),  # a child is one process: its memory limit is the whole child's
    Case("seccomp-i386-abi", """
        import ctypes, mmap, platform
        if platform.machine() != "x86_64":
            raise PermissionError(1, "Operation not permitted")
        # socket(AF_INET, SOCK_STREAM, 0) through int 0x80: the filter allows every syscall of another architecture
        code = bytes.fromhex("53" "b867010000" "bb02000000" "b901000000" "31d2" "cd80" "5b" "c3")
        page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(code)
        fd = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()
        if fd < 0:
            raise PermissionError(-fd, "Operation not permitted")
        import socket
        socket.socket(fileno=fd).connect(("127.0.0.1", {tcp_port}))   # Landlock refuses the connect itself
        return 2 * x""", "PermissionError", detail="not permitted"),
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

@pytest.fixture
def case_zygote(request, zygote):
    """The session's zygote, or a private one for attacks that may kill or hang it."""
    case = request.node.callspec.params["case"]
    if not (case.own_zygote or case.forked):
        yield zygote
        return
    private = Zygote(spawn=False, bubblewrap=False).start() if case.forked else Zygote().start()
    try:
        yield private
    finally:
        private.close()


@pytest.mark.parametrize("case", list(_params()))
def test_attack(case, tiny, case_zygote, arena, request):
    zygote = case_zygote
    course, oracle = tiny
    tmp, tcp, udp = arena
    if case.needs_bubblewrap and not zygote.caps.wrapped:
        pytest.skip("this verdict needs bubblewrap's size-limited /tmp, which this machine lacks")
    for hole, applies in ((case.xfail_wrapped, zygote.caps.wrapped), (case.xfail_unwrapped, not zygote.caps.wrapped)):
        if hole and applies:
            request.applymarker(pytest.mark.xfail(strict=True, reason=hole))
    reason, scope = (case.wrapped if case.wrapped and zygote.caps.wrapped else
                     case.fresh if case.fresh and zygote.fresh else (case.reason, case.scope))
    before = _snapshot(tmp, course.root)
    solutions = (course.root / "solutions" / "basics.py").read_text()
    source = _source(case, tmp=tmp, root=course.root, tcp_port=tcp.getsockname()[1], udp_port=udp.getsockname()[1])
    if case.before:
        earlier = case.before() if callable(case.before) else case.before
        grade_source(course, "basics", earlier, "basics.py", "alice", zygote, oracle)

    results = _grade(tiny, zygote, source)

    if case.then:
        honest = {r.id: r for r in grade_source(course, "basics", case.then, "basics.py", "bob", zygote, oracle)}
        assert all(r.score == r.max_score for r in honest.values()), {k: _reason(r) for k, r in honest.items()}

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
