"""The process that runs a submission, started by ``boot.py`` (see :mod:`.runner`).

It runs *inside* the learner-facing view of :mod:`ce_course` (:mod:`.view`): the references the
exercise forbids are stubs there, and none of the grader's case definitions exist. The grader
starts one worker per submission (and a fresh one after a question times out or crashes). The
worker

1. reads a ``load`` request (the submission's code chunks and its limits; no test inputs) from
   the command pipe;
2. limits itself with :mod:`resource`: address space (``RLIMIT_AS``), CPU time, file size, no core
   dumps;
3. installs an audit hook (:func:`sys.addaudithook`) that refuses to read the grader's files, to
   write outside its scratch directory, to start processes, to signal other processes, to open
   network connections, and to change the profile hook while a graded function runs. The hook is
   a second line only: ``ctypes`` bypasses it; the OS sandbox (:mod:`.sandbox`) is the wall;
4. runs the submission's chunks one by one, recording the errors, with ``sys.stdout`` and
   ``sys.stderr`` captured up to a cap;
5. then answers one request at a time: a ``case`` request carries the inputs of ONE case and the
   reply is the raw outcome (the returned value as plain data, or the exception with its type,
   message and line; which arguments were modified; which reference stubs were called; what the
   profile hook saw). A ``variable`` request returns a module-level string.

Nothing is compared or scored here: expected values, mistake models, statuses and "reference
used" are decided in the grader's process from these raw values (see :func:`child_main`).
"""

from __future__ import annotations

import builtins
import io
import linecache
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

import ce_course.grading.learner_check as _check_module

from .guard import ReferenceGuard
from .probes import RecordingProbe
from .serialize import decode, encode, frame, read_frame

__all__ = ["MAX_VARIABLE_CHARS", "child_main"]

_OUTPUT_CAP = 64 * 1024
MAX_VARIABLE_CHARS = 4096
"""Longest string a ``variable`` request returns."""
_write = os.write
_exit = os._exit
_getpid = os.getpid
_realpath = os.path.realpath
_fsdecode = os.fsdecode
_tobytes = np.ndarray.tobytes
_GUARDS: list[ReferenceGuard] = []  # the guard of the case running now, for the audit hook


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = _OUTPUT_CAP) -> None:
        super().__init__()
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        room = self.limit - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"

    def take(self) -> tuple[str, int]:
        text, dropped = "".join(self.parts), self.dropped
        self.parts, self.size, self.dropped = [], 0, 0
        return text, dropped


class _Channel:
    """Framed messages to the grader on a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        try:
            data = frame(message)
        except (ValueError, TypeError):  # too large: the grader would refuse it anyway
            _exit(5)
        try:
            while data:
                n = _write(self.fd, data)
                data = data[n:]
        except OSError:  # the grader is gone, or the submission closed the channel
            _exit(3)


def _set_limits(memory_mb: int, cpu_seconds: int, fsize_mb: int, nproc: int | None = None) -> None:
    import resource

    def lower(which: int, value: int) -> None:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_AS, memory_mb * 2**20)
    lower(resource.RLIMIT_FSIZE, fsize_mb * 2**20)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = cpu_seconds if hard == resource.RLIM_INFINITY else min(cpu_seconds, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    if nproc:  # only in the sandbox: its user namespace counts this submission's processes only
        lower(resource.RLIMIT_NPROC, nproc)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PROCESS_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
        "os.startfile",
    }
)
_NETWORK_EVENTS = frozenset({"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"})
_PATH_WRITE_EVENTS = {
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.rename": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.utime": (0,),
    "os.mkdir": (0,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
    "shutil.copyfile": (1,),
}


def _own_proc(real: str, pid: int) -> bool:
    """Whether ``/proc/...`` is about this process or no process at all (the grader's
    environment, command line and memory are in ``/proc/<its pid>``)."""
    part = real[6:].split(os.sep, 1)[0]
    return not part.isdigit() or int(part) == pid


def _install_audit_hook(
    blocked_read: list[str], write_roots: list[str], guard_active: Callable[[], bool]
) -> None:
    """Refuse dangerous operations; see the module docstring."""

    def is_dir(p: str) -> bool:  # the grader marks directories with a final separator
        return p.endswith(os.sep) or os.path.isdir(p)

    blocked_files = frozenset(_realpath(p) for p in blocked_read if not is_dir(p))
    blocked_dirs = tuple(_realpath(p) + os.sep for p in blocked_read if is_dir(p))
    roots = tuple(_realpath(p) + os.sep for p in write_roots)
    pid = _getpid()
    # the other views beside this one keep references this exercise stubs (the sandbox hides
    # them; without it, this refuses plain reads of them)
    own_view = _realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    views = os.path.dirname(own_view) + os.sep
    if not (
        os.path.basename(own_view).startswith("v") and os.path.isfile(views + "boot.py")
    ):  # not run from a view (a test calling the worker directly)
        views = "\0"
    own_view += os.sep

    def deny(what: str) -> None:
        raise PermissionError(f"ce-course grader: {what} is not allowed during grading")

    def resolve(path: Any) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        try:
            return _realpath(_fsdecode(path))
        except (TypeError, ValueError):
            return None

    def writable(real: str) -> bool:
        return (real + os.sep).startswith(roots)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            real = resolve(args[0])
            if real is None:
                return
            mode, flags = (*args, None, None)[1:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing:
                if not writable(real):
                    deny(f"writing {real}")
            elif (
                real in blocked_files
                or real.startswith(blocked_dirs)
                or (real.startswith(views) and not real.startswith(own_view))
                or (real.startswith("/proc/") and not _own_proc(real, pid))
            ):
                deny(f"reading {real}")
        elif event in _PATH_WRITE_EVENTS:
            for i in _PATH_WRITE_EVENTS[event]:
                if i < len(args):
                    real = resolve(args[i])
                    if real is not None and not writable(real):
                        deny(f"{event} on {real}")
        elif event in _PROCESS_EVENTS:
            deny(f"starting a process ({event})")
        elif event in ("os.kill", "os.killpg"):
            if event == "os.killpg" or args[0] != pid:
                deny("signalling another process")
        elif event in _NETWORK_EVENTS:
            deny(f"network access ({event})")
        elif event in ("sys.setprofile", "sys.settrace"):
            if guard_active():
                deny(f"{event} inside a graded function")
        elif event == "setopencodehook":
            deny("replacing the open_code hook")

    sys.addaudithook(hook)


def _display(*objs: Any, **kwargs: Any) -> None:
    """Stand-in for IPython's ``display``: prints."""
    print(*objs)


def _get_ipython() -> None:
    """Stand-in for IPython's ``get_ipython``: there is no IPython here."""
    return None


def _learner_frames(tb: Any, filenames: frozenset[str]) -> list[traceback.FrameSummary]:
    try:
        return [f for f in traceback.extract_tb(tb, limit=200) if f.filename in filenames]
    except BaseException:
        return []


def _describe_error(exc: BaseException, filenames: frozenset[str], labels: dict[str, str]) -> dict:
    try:
        etype = type(exc).__name__
    except BaseException:
        etype = "Exception"
    try:
        message = str(exc)[:300]
    except BaseException:
        message = ""
    frames = _learner_frames(exc.__traceback__, filenames)
    where = ""
    learner_raised = False
    if frames:
        last = frames[-1]
        code = (last.line or "").strip()[:120]
        where = f"line {last.lineno} of {labels.get(last.filename, last.filename)}"
        if code:
            where += f": {code}"
        try:
            all_frames = traceback.extract_tb(exc.__traceback__, limit=200)
            learner_raised = bool(all_frames) and all_frames[-1].filename in filenames
        except BaseException:
            learner_raised = True
    return {"type": etype, "message": message, "where": where, "learner_raised": learner_raised}


def _arrays(value: Any, path: str, out: list[tuple[str, Any, bytes, tuple]]) -> None:
    if type(value) is np.ndarray:
        out.append((path, value, _tobytes(value), (value.shape, value.dtype.str)))
    elif type(value) in (tuple, list):
        for i, v in enumerate(value):
            _arrays(v, f"{path}[{i}]", out)
    elif type(value) is dict:
        out.append((path, value, b"", (tuple(sorted(value)), "")))
        for k, v in value.items():
            _arrays(v, f"{path}[{k!r}]", out)


def _mutated(snapshot: list[tuple[str, Any, bytes, tuple]]) -> list[str]:
    changed = []
    for path, obj, data, meta in snapshot:
        try:
            if type(obj) is dict:
                same = tuple(sorted(obj)) == meta[0]
            else:
                same = (obj.shape, obj.dtype.str) == meta and _tobytes(obj) == data
        except BaseException:
            same = False
        if not same:
            changed.append(f"the keys of {path}" if type(obj) is dict else path)
    return changed


def _arg_names(fn: Any, n: int) -> list[str]:
    try:
        code = fn.__code__
        names = list(code.co_varnames[: code.co_argcount])
    except BaseException:
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(n)]


def _stub_calls(labels: dict[str, str]) -> list[dict[str, str]]:
    """The calls of reference stubs since the last look (see :mod:`.view`), then forget them."""
    stub = sys.modules.get("ce_course._stub")
    calls = getattr(stub, "CALLS", None)
    if type(calls) is not list:
        return []
    out = []
    for item in list(calls)[:10]:
        try:
            name, filename, line = item
            where = f"line {int(line)} of {labels.get(str(filename), str(filename))}"
            out.append({"name": str(name)[:100], "where": where[:200]})
        except BaseException:
            continue
    calls.clear()
    return out


def _run_case(
    fn: Any,
    case: dict[str, Any],
    guards: list[ReferenceGuard],
    filenames: frozenset[str],
    labels: dict[str, str],
) -> dict[str, Any]:
    args = decode(case["args"], probe_factory=RecordingProbe)
    kwargs = decode(case["kwargs"], probe_factory=RecordingProbe)
    if type(args) is not tuple or type(kwargs) is not dict:
        raise ValueError("malformed case")
    names = _arg_names(fn, len(args))
    snapshot: list[tuple[str, Any, bytes, tuple]] = []
    for name, value in zip(names, args, strict=True):
        _arrays(value, name, snapshot)
    for key, value in kwargs.items():
        _arrays(value, key, snapshot)
    _stub_calls(labels)
    guard = ReferenceGuard(case.get("forbidden") or [])
    guards.append(guard)
    status, value, error = "ok", None, None
    start = time.perf_counter()
    try:
        with guard:
            value = fn(*args, **kwargs)
    except NotImplementedError as exc:
        status, error = "not_implemented", _describe_error(exc, filenames, labels)
    except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError included
        status, error = "error", _describe_error(exc, filenames, labels)
    finally:
        guards.pop()
    seconds = time.perf_counter() - start
    probes = [a for a in (*args, *kwargs.values()) if type(a) is RecordingProbe]
    result = {
        "type": "result",
        "seq": case["seq"],
        "status": status,
        "value": encode(value) if status == "ok" else None,
        "error": error,
        "mutated": _mutated(snapshot)[:20],
        "violations": list(guard.violations)[:10],
        "tampered": bool(guard.tampered),
        "stub_calls": _stub_calls(labels),
        "seconds": round(seconds, 6),
    }
    if probes:
        result["probe_calls"] = int(probes[0].calls)
    return result


def _variable(namespace: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The raw value of a module-level string variable of the submission (a derivation answer)."""
    name = str(request.get("name", ""))
    value = namespace.get(name, _variable)
    reply: dict[str, Any] = {"type": "variable", "seq": request["seq"], "name": name[:100]}
    try:
        kind = type(value).__name__
        kind = kind[:50] if type(kind) is str else "object"
    except BaseException:
        kind = "object"
    if value is _variable:
        reply.update(status="missing", value=None, length=0, type_name="")
    elif type(value) is not str:
        reply.update(status="not_str", value=None, length=0, type_name=kind)
    else:
        reply.update(
            status="ok", value=value[:MAX_VARIABLE_CHARS], length=len(value), type_name="str"
        )
    return reply


def _load(job: dict[str, Any], namespace: dict[str, Any], capture: _Capture) -> dict[str, Any]:
    filenames = frozenset(c["filename"] for c in job["chunks"])
    labels = {c["filename"]: c["label"] for c in job["chunks"]}
    load_errors = []
    for chunk in job["chunks"]:
        source = chunk["source"]
        linecache.cache[chunk["filename"]] = (
            len(source),
            None,
            source.splitlines(True),
            chunk["filename"],
        )
        try:
            code = compile(source, chunk["filename"], "exec", dont_inherit=True)
            exec(code, namespace)
        except BaseException as exc:
            err = _describe_error(exc, filenames, labels)
            if isinstance(exc, SyntaxError):
                err["where"] = f"line {exc.lineno} of {chunk['label']}"
                err["message"] = str(exc.msg)[:200]
            err["chunk"] = chunk["label"]
            if len(load_errors) < 20:
                load_errors.append(err)
    _stub_calls(labels)  # reference calls at the top level are not graded
    text, dropped = capture.take()
    functions = {}
    for name in job["functions"][:50]:
        fn = namespace.get(name)
        functions[name] = (
            "missing" if fn is None else "callable" if callable(fn) else type(fn).__name__[:50]
        )
    return {
        "type": "loaded",
        "errors": load_errors,
        "output": text[:4000],
        "output_dropped": dropped + max(0, len(text) - 4000),
        "functions": functions,
    }


class _Commands:
    """Framed requests from the grader on a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.stream = os.fdopen(fd, "rb", buffering=0)

    def next(self) -> dict[str, Any]:
        try:
            msg = read_frame(self.stream)
        except (OSError, ValueError):
            msg = None
        if type(msg) is not dict:
            _exit(0)  # the grader is done with us, or is gone
        return msg


def child_main(cmd_fd: int, msg_fd: int) -> None:
    """Run one worker: a ``load`` request, then ``case``/``variable`` requests until ``exit``.

    The protocol (each message a frame of :mod:`.serialize`; the grader checks every reply
    against a strict schema, see :mod:`.runner`):

    * ``{"type": "load", "kind", "chunks", "functions", "blocked_paths", "write_roots",
      "memory_mb", "cpu_seconds", "fsize_mb", "nproc"}``: runs the submission's code, replies
      ``loaded``;
    * ``{"type": "case", "seq", "function", "forbidden", "args", "kwargs"}``: one call of a graded
      function on one case's inputs, replies ``result``;
    * ``{"type": "variable", "seq", "name"}``: replies ``{"type": "variable", "seq", "name",
      "status": "ok" | "missing" | "not_str", "value": str or None, "length", "type_name"}``, the
      raw value of a module-level ``str`` of the submission (at most
      :data:`MAX_VARIABLE_CHARS` characters; ``length`` is the full length);
    * ``{"type": "exit"}`` (or the end of the pipe): exits.
    """
    commands = _Commands(cmd_fd)
    channel = _Channel(msg_fd)
    job = commands.next()
    if job.get("type") != "load":
        _exit(0)
    _set_limits(job["memory_mb"], job["cpu_seconds"], job.get("fsize_mb", 64), job.get("nproc"))
    sys.dont_write_bytecode = True
    _check_module._UNDER_GRADER = True
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    def guard_active() -> bool:
        return bool(_GUARDS) and _GUARDS[-1].active

    _install_audit_hook(job["blocked_paths"], job["write_roots"], guard_active)
    filenames = frozenset(c["filename"] for c in job["chunks"])
    labels = {c["filename"]: c["label"] for c in job["chunks"]}
    capture = _Capture()
    sys.stdout = sys.stderr = capture
    namespace: dict[str, Any] = {
        "__name__": "__main__" if job["kind"] == "notebook" else "__submission__",
        "__builtins__": builtins,
        "display": _display,
        "get_ipython": _get_ipython,
    }
    channel.send(_load(job, namespace, capture))
    del job
    while True:
        request = commands.next()
        kind = request.get("type")
        if kind == "case":
            fn = namespace.get(str(request.get("function")))
            if fn is None or not callable(fn):
                _exit(4)
            channel.send(_run_case(fn, request, _GUARDS, filenames, labels))
            del request
            capture.take()
        elif kind == "variable":
            channel.send(_variable(namespace, request))
        else:
            _exit(0)
