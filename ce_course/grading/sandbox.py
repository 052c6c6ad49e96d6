"""The OS sandbox of the grader's workers: bubblewrap plus a namespace per submission.

The grader starts one fork server per grading run inside ``bwrap`` (Debian package
``bubblewrap``)::

    bwrap --unshare-all --die-with-parent --new-session --uid 65534 --gid 65534 --cap-drop ALL
          --ro-bind <interpreter and stdlib> --ro-bind <NumPy, matplotlib and their deps>
          --ro-bind <learner-facing views of ce_course> --dev /dev --tmpfs /tmp --clearenv ...

so the server sees a read-only filesystem holding only the interpreter, its standard library, the
few packages the exercises need and the learner-facing :mod:`ce_course` (:mod:`.view`), no
network, and no process of the host. For every submission the server forks a worker that enters
namespaces of its own (see ``_boot.py``): a new user namespace with an unprivileged uid and no
capabilities, a new pid namespace of which the worker is process 1 (so everything the submission
starts dies with it, daemons included), new mount, network, IPC and UTS namespaces, a private
tmpfs as home and working directory and a read-only ``/proc`` showing its own pid namespace
only. Not visible inside: the grader's case definitions and expected values,
``exercises/source``, ``--hidden-tests``, the other submissions, the output path, the grader's
processes.

Limits: ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` and ``RLIMIT_FSIZE`` per process, and
``RLIMIT_NPROC`` = 64, which the kernel counts per user namespace, that is for this submission
alone. For the submission as a whole, where the grader can write cgroups (cgroup v1 ``pids`` and
``memory`` controllers, as on this project's CI machine), at most 64 processes and the memory
limit for all of them together (:class:`CgroupLimits`). Without cgroups the memory limit is per
process only; every process still dies with the submission (the pid namespace). The tmpfs has a size cap. (When the grader runs as root, the sandbox's
unprivileged uid is the host's root seen through a user namespace: no capabilities, a read-only
filesystem and no other process visible, but ``RLIMIT_NPROC`` does not apply to it, hence the
cgroups.)

:func:`sandbox_status` says whether the sandbox works on this machine; ``--sandbox required``
refuses to grade without it, ``auto`` falls back to plain worker processes and says so in every
report, ``off`` never uses it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig

__all__ = [
    "MODES",
    "VIEW_MOUNT",
    "SandboxUnavailable",
    "bwrap_command",
    "resolve_mode",
    "sandbox_status",
]

VIEW_MOUNT = "/opt/ce-course"
"""Where the views of :mod:`ce_course` appear inside the sandbox."""
VENV_MOUNT = "/opt/ce-course-venv"
"""Where the grader's virtual environment (interpreter and chosen packages) appears inside."""

MODES = ("auto", "required", "off")
"""Values of ``--sandbox``."""

_PACKAGES = (
    "numpy",
    "numpy.libs",
    "matplotlib",
    "mpl_toolkits",
    "pylab.py",
    "contourpy",
    "cycler",
    "dateutil",
    "kiwisolver",
    "pyparsing",
    "PIL",
    "pillow.libs",
    "fontTools",
    "packaging",
    "six.py",
)
"""What of site-packages the sandbox shows (when present)."""


class SandboxUnavailable(RuntimeError):
    """``--sandbox required`` on a machine where bubblewrap cannot isolate the workers."""


def _site_packages() -> list[str]:
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(p for p in paths if os.path.isdir(p))


def _system_dirs() -> list[str]:
    out = []
    for d in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        if os.path.islink(d):
            continue
        if os.path.isdir(d):
            out.append(d)
    return out


def bwrap_command(bwrap: str, view_root: str, fd: int) -> list[str]:
    """The ``bwrap`` command line that runs the sandboxed fork server on socket ``fd``."""
    args = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--tmpfs",  # first: an interpreter or a view under /tmp is bound on top of it
        "/tmp",
    ]
    for d in _system_dirs():
        args += ["--ro-bind", d, d]
    for link in ("/bin", "/sbin", "/lib", "/lib64"):
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
    for f in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(f):
            args += ["--ro-bind", f, f]
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        if not prefix.startswith("/usr"):
            args += ["--ro-bind", prefix, prefix]
    python = sys.executable
    if sys.prefix != sys.base_prefix:  # the base interpreter's own packages stay hidden
        base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
        for key in ("purelib", "platlib"):
            if os.path.isdir(base[key]) and f"--tmpfs\0{base[key]}" not in "\0".join(args):
                args += ["--tmpfs", base[key]]
    if sys.prefix != sys.base_prefix:  # a virtual environment: its interpreter and pyvenv.cfg,
        # at a fixed place (so that a venv under /tmp survives the workers' private /tmp)
        exe = f"{VENV_MOUNT}/{os.path.relpath(sys.executable, sys.prefix)}"
        cfg = os.path.join(sys.prefix, "pyvenv.cfg")
        args += ["--ro-bind", cfg, f"{VENV_MOUNT}/pyvenv.cfg", "--ro-bind", sys.executable, exe]
        python = exe
        for site in _site_packages():
            if not site.startswith(sys.prefix + os.sep):
                continue
            inside = f"{VENV_MOUNT}/{os.path.relpath(site, sys.prefix)}"
            args += ["--dir", inside]
            for name in _PACKAGES:
                path = os.path.join(site, name)
                if os.path.exists(path):
                    args += ["--ro-bind", path, f"{inside}/{name}"]
    args += [
        "--ro-bind",
        view_root,
        VIEW_MOUNT,
        "--bind",  # the server writes its workers' uid maps; they get a read-only /proc
        "/proc",
        "/proc",
        "--dev",
        "/dev",
        "--remount-ro",  # nothing but /tmp (private to each worker) is writable
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/tmp",
        python,
        "-I",
        f"{VIEW_MOUNT}/boot.py",
        "--serve",
        str(fd),
        "--isolate",
    ]
    return args


@functools.lru_cache(maxsize=1)
def sandbox_status() -> tuple[bool, str]:
    """``(True, "")`` if bubblewrap isolates workers here, else ``(False, why not)``."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap"
    probe = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/",
        "/",
        "--ro-bind",
        "/proc",
        "/proc",
        "--dev",
        "/dev",
        sys.executable,
        "-I",
        "-c",
        "import ctypes; l = ctypes.CDLL(None, use_errno=True); "
        "raise SystemExit(0 if l.unshare(0x10000000 | 0x20000000 | 0x20000) == 0 else 3)",
    ]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap could not run: {exc}"
    if done.returncode == 3:
        return False, "bwrap runs but nested user namespaces are blocked here"
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, "bwrap cannot create namespaces here" + (f" ({err[-1]})" if err else "")
    return True, ""


def resolve_mode(mode: str) -> tuple[bool, str]:
    """Whether to sandbox for ``--sandbox MODE``, and the note every report then carries.

    Raises
    ------
    SandboxUnavailable
        For ``required`` when the sandbox does not work here.
    ValueError
        For an unknown mode.
    """
    if mode not in MODES:
        raise ValueError(f"resolve_mode: unknown sandbox mode {mode!r}; expected one of {MODES}")
    if mode == "off":
        return False, "sandbox: off (workers are plain processes; see the README's threat model)"
    ok, why = sandbox_status()
    if ok:
        return True, ""
    if mode == "required":
        raise SandboxUnavailable(f"--sandbox required, but the sandbox is unavailable: {why}")
    return False, f"sandbox: unavailable ({why}); graded with process isolation only"


_PIDS_MAX = 64
_V1 = "/sys/fs/cgroup"


def _own_v1_path(controller: str) -> str | None:
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as fh:
            for line in fh:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(","):
                    return path
    except OSError:
        return None
    return None


class CgroupLimits:
    """Process and memory limits for one sandboxed submission as a whole (cgroup v1).

    The grader creates a ``pids`` cgroup (at most 64 processes) and a ``memory`` cgroup (the
    submission's memory limit, all its processes together) and passes their ``cgroup.procs``
    opened for writing to the worker, which moves itself in before any learner code runs; its
    children inherit them. Where cgroups are not writable (no root, cgroup v2 without delegation),
    :attr:`fds` is empty and only the rlimits and the pid namespace apply.
    """

    available: bool | None = None

    def __init__(self, memory_mb: int) -> None:
        self.dirs: list[str] = []
        self.fds: list[int] = []
        if CgroupLimits.available is False:
            return
        name = f"ce-course-{os.getpid()}-{id(self):x}"
        for controller, setting, value in (
            ("pids", "pids.max", str(_PIDS_MAX)),
            ("memory", "memory.limit_in_bytes", str(int(memory_mb) * 2**20)),
        ):
            own = _own_v1_path(controller)
            base = os.path.join(_V1, controller)
            if own is None or not os.path.isdir(base):
                continue
            path = os.path.join(base, own.lstrip("/"), name)
            try:
                os.mkdir(path)
                self.dirs.append(path)
                with open(os.path.join(path, setting), "w", encoding="ascii") as fh:
                    fh.write(value)
                self.fds.append(os.open(os.path.join(path, "cgroup.procs"), os.O_WRONLY))
            except OSError:
                continue
        CgroupLimits.available = bool(self.fds)

    def close(self) -> None:
        """Close the descriptors, kill what is left in the cgroups, remove them."""
        import signal
        import time

        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []
        for path in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    try:
                        with open(os.path.join(path, "cgroup.procs"), encoding="ascii") as fh:
                            for pid in fh.read().split():
                                try:
                                    os.kill(int(pid), signal.SIGKILL)
                                except OSError:
                                    pass
                    except OSError:
                        pass
                    time.sleep(0.02)
        self.dirs = []
