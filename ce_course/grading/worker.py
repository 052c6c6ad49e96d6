"""The process that runs a submission: ``python -I -m ce_course.grading.worker --job F --fd N``.

The grader starts one worker per submission (and a fresh one after a question times out or
crashes). The worker

1. reads its job (the submission's code chunks and the test inputs, as plain data) from the file
   ``F`` and deletes it;
2. limits itself with :mod:`resource`: address space (``RLIMIT_AS``), CPU time, file size, no core
   dumps;
3. installs an audit hook (:func:`sys.addaudithook`, which cannot be removed) that refuses to
   read the grader's test definitions, the instructor's hidden tests and the batch's submission
   files, to write outside its scratch directory, to start processes, to signal other processes,
   to open network connections, and to change the profile hook while a graded function runs;
4. runs the submission's chunks one by one, recording the errors, with ``sys.stdout`` and
   ``sys.stderr`` captured up to a cap;
5. calls each graded function on each case inside a :class:`~.guard.ReferenceGuard`, snapshots
   the array arguments to detect mutation, and sends back plain data (:mod:`.serialize`) on the
   file descriptor ``N``: one message per case, so that a later timeout or crash loses nothing
   already graded.

Nothing is compared here: the grader compares the returned data with the reference in its own
process, so the submission can neither see the expected values nor patch the comparison.
"""

from __future__ import annotations

import argparse
import builtins
import io
import json
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
from .serialize import decode, encode, frame

__all__ = ["main"]

_OUTPUT_CAP = 64 * 1024
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
        data = frame(message)
        try:
            while data:
                n = _write(self.fd, data)
                data = data[n:]
        except OSError:  # the grader is gone, or the submission closed the channel
            _exit(3)


def _set_limits(memory_mb: int, cpu_seconds: int, fsize_mb: int) -> None:
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


def _install_audit_hook(
    blocked_read: list[str], write_roots: list[str], guard_active: Callable[[], bool]
) -> None:
    """Refuse dangerous operations; see the module docstring."""
    blocked_files = frozenset(_realpath(p) for p in blocked_read if not os.path.isdir(p))
    blocked_dirs = tuple(_realpath(p) + os.sep for p in blocked_read if os.path.isdir(p))
    roots = tuple(_realpath(p) + os.sep for p in write_roots)
    pid = _getpid()

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
            elif real in blocked_files or real.startswith(blocked_dirs):
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
            if event == "os.killpg" or args[0] not in (pid, 0):
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


def _run_case(
    fn: Any,
    case: dict[str, Any],
    forbidden: list[str],
    guards: list[ReferenceGuard],
    filenames: frozenset[str],
    labels: dict[str, str],
) -> dict[str, Any]:
    args = decode(case["args"], probe_factory=RecordingProbe)
    kwargs = decode(case["kwargs"], probe_factory=RecordingProbe)
    names = _arg_names(fn, len(args))
    snapshot: list[tuple[str, Any, bytes, tuple]] = []
    for name, value in zip(names, args, strict=True):
        _arrays(value, name, snapshot)
    for key, value in kwargs.items():
        _arrays(value, key, snapshot)
    guard = ReferenceGuard(forbidden)
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
        "type": "case",
        "status": status,
        "value": encode(value) if status == "ok" else None,
        "error": error,
        "mutated": _mutated(snapshot),
        "violations": list(guard.violations),
        "tampered": guard.tampered,
        "seconds": round(seconds, 6),
    }
    if probes:
        result["probe_calls"] = probes[0].calls
    return result


def _answer_case(namespace: dict[str, Any], name: str) -> dict[str, Any]:
    """The module-level answer of a derivation question as a raw value (a str, 4 KB at most)."""
    value = namespace.get(name)
    if type(value) is str:
        return {
            "type": "case",
            "status": "ok",
            "value": encode(value[:4096]),
            "answer_length": len(value),
            "mutated": [],
            "violations": [],
        }
    status = "missing" if name not in namespace else "ok"
    try:
        kind = type(value).__name__
        kind = kind[:40] if type(kind) is str else "object"
    except BaseException:
        kind = "object"
    return {
        "type": "case",
        "status": status,
        "value": None,
        "answer_type": kind,
        "mutated": [],
        "violations": [],
    }


def _run(job: dict[str, Any], channel: _Channel) -> None:
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
    text, dropped = capture.take()
    functions = {}
    for q in job["questions"]:
        fn = namespace.get(q["function"])
        functions[q["function"]] = (
            "missing" if fn is None else "callable" if callable(fn) else type(fn).__name__
        )
    channel.send(
        {
            "type": "loaded",
            "errors": load_errors,
            "output": text[:4000],
            "output_dropped": dropped + max(0, len(text) - 4000),
            "functions": functions,
        }
    )
    for q in job["questions"]:
        channel.send({"type": "start", "question": q["function"]})
        if q.get("variable"):  # a derivation question: return the raw answer string (issue 11)
            channel.send(_answer_case(namespace, q["variable"]))
            channel.send({"type": "end", "question": q["function"]})
            continue
        fn = namespace.get(q["function"])
        if fn is not None and callable(fn):
            for case in q["cases"]:
                channel.send(_run_case(fn, case, q["forbidden"], _GUARDS, filenames, labels))
                capture.take()
        channel.send({"type": "end", "question": q["function"]})
    channel.send({"type": "done"})


def serve(fd: int) -> None:
    """The fork server (see :class:`ce_course.grading.runner._ForkServer`).

    Reads requests (JSON plus two file descriptors) from the UNIX socket ``fd``; for each, forks a
    child that becomes a session leader, takes the second descriptor as stdout and stderr, moves
    to the request's scratch directory and environment, and runs :func:`main` on the request's job
    with the first descriptor as its message channel. Reports each child's pid, and its exit code
    (negative for a signal) once reaped. Ends when the grader closes the socket.
    """
    import select
    import socket
    import tempfile

    sock = socket.socket(fileno=fd)
    children: set[int] = set()

    def report(message: dict[str, Any]) -> None:
        try:
            sock.send(json.dumps(message).encode())
        except OSError:
            pass

    while True:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                break
            if pid == 0:
                break
            children.discard(pid)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            report({"exit": pid, "code": code})
        ready, _, _ = select.select([sock], [], [], 0.05)
        if not ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 65536, 4)
        except OSError:
            break
        if not data:
            break
        try:
            request = json.loads(data)
            msg_fd, out_fd = fds
        except (ValueError, TypeError):
            for f in fds:
                os.close(f)
            continue
        pid = os.fork()
        if pid == 0:  # the child: becomes a worker
            code = 70
            try:
                sock.close()
                os.setsid()
                os.dup2(out_fd, 1)
                os.dup2(out_fd, 2)
                os.close(out_fd)
                os.chdir(request["cwd"])
                os.environ.clear()
                os.environ.update(request["env"])
                tempfile.tempdir = None
                main(["--job", request["job"], "--fd", str(msg_fd)])
                code = 0
            finally:
                _exit(code)
        for f in fds:
            os.close(f)
        children.add(pid)
        report({"id": request.get("id"), "pid": pid})
    _exit(0)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the worker process (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m ce_course.grading.worker")
    parser.add_argument("--job")
    parser.add_argument("--fd", type=int)
    parser.add_argument("--serve", type=int, metavar="FD", help="run the fork server")
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve)
    if args.job is None or args.fd is None:
        parser.error("--job and --fd are required")
    with open(args.job, "rb") as fh:
        job = json.loads(fh.read().decode("utf-8"))
    os.unlink(args.job)
    _set_limits(job["memory_mb"], job["cpu_seconds"], job.get("fsize_mb", 64))
    channel = _Channel(args.fd)
    sys.dont_write_bytecode = True
    _check_module._UNDER_GRADER = True
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    def guard_active() -> bool:
        return bool(_GUARDS) and _GUARDS[-1].active

    _install_audit_hook(job["blocked_paths"], job["write_roots"], guard_active)
    _run(job, channel)
    _exit(0)


if __name__ == "__main__":
    main()
