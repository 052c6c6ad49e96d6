"""Run a submission's graded functions in worker processes, under deadlines the grader owns.

The trust boundary
------------------
A worker (:mod:`.worker`) only runs learner code on the inputs it is given and returns raw
values. The grader sends it a ``load`` request (the code, no test inputs), then ONE ``case``
request at a time (the inputs of one case; never the expected value, never the other cases) and
reads exactly one reply per request. Every reply is checked against a strict schema
(:func:`_check_reply`) and size caps (:data:`MAX_MESSAGE_BYTES` per message,
:data:`MAX_SUBMISSION_BYTES` per submission); a worker that sends anything else, or too much,
is stopped and its remaining questions are ``crashed`` with "protocol violation". Expected
values, mistakes, scores, "reference used" and every status are decided by the grader from these
raw values (:mod:`.grader`).

Deadlines
---------
Fixed by the grader with a monotonic clock: ``load_timeout`` for the top-level code, ``timeout``
for all the cases of one question, and a budget for the whole submission
(``load_timeout + timeout * questions + 5`` seconds). No message extends them. All reads and
writes use non-blocking descriptors and :func:`select.select`; nothing waits on a pipe that a
leftover process holds open, and no thread is joined. A question that runs out of time, or
during which the worker dies, is recorded as such and a fresh worker runs the remaining
questions (within the submission's budget).

Processes
---------
Workers are forked from a fork server (``boot.py`` in the view directory, see :mod:`.view`) that
has imported NumPy once. With the sandbox (:mod:`.sandbox`) the server runs inside bubblewrap
and each worker gets namespaces of its own; without it the server is a plain process and each
worker a session of its own, killed as a process group. ``CE_COURSE_GRADER_FORKSERVER=0`` starts
a fresh interpreter per worker instead (plain processes only).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .serialize import MAX_MESSAGE_BYTES, ProtocolError, decode, frame

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MAX_SUBMISSION_BYTES",
    "QuestionRun",
    "RunResult",
    "run_submission",
]

MAX_SUBMISSION_BYTES = 48 * 2**20
"""Most bytes all the workers of one submission may send together."""
_RAW_OUTPUT_CAP = 16 * 1024
_MAX_VALUES = 1_000_000
"""Most ``,`` and ``:`` a reply may hold (an encoded value has at most 200 000 items)."""
_HEADER = struct.Struct(">I")
_SIGNALS = {
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
    signal.SIGBUS: "crashed with a bus error (SIGBUS)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGFPE: "crashed with a floating-point exception (SIGFPE)",
    signal.SIGILL: "crashed with an illegal instruction (SIGILL)",
    signal.SIGKILL: "was killed (SIGKILL), probably for using too much memory",
    signal.SIGXCPU: "used up its CPU time limit (SIGXCPU)",
    signal.SIGXFSZ: "wrote a file larger than the limit (SIGXFSZ)",
}


@dataclass
class QuestionRun:
    """What happened to one graded function in the worker.

    Attributes
    ----------
    function : str
    status : {"done", "timeout", "crashed", "not_run"}
    cases : list of dict
        One checked ``result`` reply per case that finished, in order (``value`` decoded).
    detail : str
        Why the question did not finish (for ``timeout``, ``crashed``, ``not_run``).
    """

    function: str
    status: str = "not_run"
    cases: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""


@dataclass
class RunResult:
    """Everything the workers reported about one submission (raw data, checked)."""

    questions: dict[str, QuestionRun]
    load_errors: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    output_dropped: int = 0
    functions: dict[str, str] = field(default_factory=dict)
    load_failure: str | None = None
    raw_output: str = ""
    restarts: int = 0
    seconds: float = 0.0
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    protocol_violation: str | None = None
    sandboxed: bool = False


class _Violation(Exception):
    """A reply that breaks the protocol."""


def _is_str(v: Any, cap: int) -> bool:
    return type(v) is str and len(v) <= cap


def _check_error(err: Any) -> None:
    if err is None:
        return
    if type(err) is not dict or not set(err) <= {
        "type",
        "message",
        "where",
        "learner_raised",
        "chunk",
    }:
        raise _Violation("malformed error description")
    for key, cap in (("type", 100), ("message", 300), ("where", 300), ("chunk", 100)):
        if key in err and not _is_str(err[key], cap):
            raise _Violation(f"malformed error {key}")
    if "learner_raised" in err and type(err["learner_raised"]) is not bool:
        raise _Violation("malformed error flag")


def _str_list(v: Any, n: int, cap: int, what: str) -> None:
    if type(v) is not list or len(v) > n or not all(_is_str(x, cap) for x in v):
        raise _Violation(f"malformed {what}")


def _check_reply(msg: Any, expected: str, seq: int | None = None) -> dict[str, Any]:
    """``msg`` if it is a well-formed reply of type ``expected``; raises :class:`_Violation`."""
    if type(msg) is not dict or msg.get("type") != expected:
        got = msg.get("type") if type(msg) is dict else type(msg).__name__
        raise _Violation(f"expected a {expected!r} reply, got {str(got)[:40]!r}")
    if seq is not None and msg.get("seq") != seq:
        raise _Violation("a reply to a request that was not made")
    if expected == "loaded":
        if set(msg) != {"type", "errors", "output", "output_dropped", "functions"}:
            raise _Violation("malformed 'loaded' reply")
        if type(msg["errors"]) is not list or len(msg["errors"]) > 20:
            raise _Violation("malformed load errors")
        for err in msg["errors"]:
            _check_error(err)
        if not _is_str(msg["output"], 4000) or type(msg["output_dropped"]) is not int:
            raise _Violation("malformed output")
        fns = msg["functions"]
        if (
            type(fns) is not dict
            or len(fns) > 50
            or not all(_is_str(k, 200) and _is_str(v, 50) for k, v in fns.items())
        ):
            raise _Violation("malformed function table")
    elif expected == "result":
        keys = {
            "type",
            "seq",
            "status",
            "value",
            "error",
            "mutated",
            "violations",
            "tampered",
            "stub_calls",
            "seconds",
        }
        if not keys <= set(msg) <= keys | {"probe_calls"}:
            raise _Violation("malformed 'result' reply")
        if msg["status"] not in ("ok", "error", "not_implemented"):
            raise _Violation("unknown case status")
        if (msg["status"] == "ok") == (msg["error"] is not None) or (
            msg["status"] != "ok" and msg["value"] is not None
        ):
            raise _Violation("inconsistent case status")
        _check_error(msg["error"])
        _str_list(msg["mutated"], 20, 300, "mutation list")
        _str_list(msg["violations"], 10, 100, "violation list")
        if type(msg["tampered"]) is not bool:
            raise _Violation("malformed tamper flag")
        calls = msg["stub_calls"]
        if (
            type(calls) is not list
            or len(calls) > 10
            or not all(
                type(c) is dict
                and set(c) == {"name", "where"}
                and _is_str(c["name"], 100)
                and _is_str(c["where"], 200)
                for c in calls
            )
        ):
            raise _Violation("malformed stub calls")
        if type(msg["seconds"]) not in (int, float) or not 0 <= msg["seconds"] < 1e6:
            raise _Violation("malformed time")
        if "probe_calls" in msg and (type(msg["probe_calls"]) is not int or msg["probe_calls"] < 0):
            raise _Violation("malformed probe count")
        try:
            msg["value"] = decode(msg["value"])
        except (ProtocolError, RecursionError, ValueError) as exc:
            raise _Violation(f"malformed value ({exc})") from None
    elif expected == "variable":
        if set(msg) != {"type", "seq", "name", "status", "value", "length", "type_name"}:
            raise _Violation("malformed 'variable' reply")
        if type(msg["length"]) is not int or msg["length"] < 0 or not _is_str(msg["type_name"], 50):
            raise _Violation("malformed 'variable' reply")
        if msg["status"] not in ("ok", "missing", "not_str") or not _is_str(msg["name"], 100):
            raise _Violation("malformed 'variable' reply")
        if not (msg["value"] is None or _is_str(msg["value"], 4096)) or (
            (msg["status"] == "ok") != (msg["value"] is not None)
        ):
            raise _Violation("malformed variable value")
    return msg


def _answer_record(reply: dict[str, Any]) -> dict[str, Any]:
    """A checked ``variable`` reply as the case record of a derivation question.

    ``{"status": "ok" | "missing", "value": str or None, "answer_length": int,
    "answer_type": str, "mutated": [], "violations": []}`` (what
    :func:`~ce_course.grading.symbolic.grading.grade_derivation` reads).
    """
    return {
        "type": "case",
        "status": "missing" if reply["status"] == "missing" else "ok",
        "value": reply["value"],
        "answer_length": reply["length"],
        "answer_type": reply["type_name"],
        "mutated": [],
        "violations": [],
    }


def _worker_env(tmp: str, mpl_dir: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": tmp,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": mpl_dir,
        "NO_COLOR": "1",
    }


class _Views:
    """The learner-facing views of ce_course for this process (built on first use)."""

    _lock = threading.Lock()
    root: ClassVar[str | None] = None
    _built: ClassVar[set[str]] = set()

    @classmethod
    def get(cls, allowed: Iterable[str], probes: bool = True) -> tuple[str, str]:
        """``(root, view directory)`` for a policy allowing ``allowed`` (with the probes?)."""
        from .view import build_views

        names = sorted(set(allowed))
        key = "v" + hashlib.sha256("\n".join([*names, str(probes)]).encode()).hexdigest()[:12]
        with cls._lock:
            if cls.root is None:
                cls.root = build_views({}, None)
                atexit.register(shutil.rmtree, cls.root, True)
            if key not in cls._built:
                build_views({key: names}, cls.root, probes=probes)
                cls._built.add(key)
            return cls.root, os.path.join(cls.root, key)


class _Keeper:
    """A thread that lives as long as the grader and starts the fork servers.

    ``bwrap --die-with-parent`` uses ``PR_SET_PDEATHSIG``, which fires when the *thread* that
    started it ends; the grading threads of a batch end with the batch, this one never does.
    """

    _lock = threading.Lock()
    _queue: ClassVar[Any] = None

    @classmethod
    def call(cls, fn: Any) -> Any:
        import queue

        with cls._lock:
            if cls._queue is None:
                cls._queue = queue.Queue()
                threading.Thread(target=cls._loop, args=(cls._queue,), daemon=True).start()
        done: queue.Queue = queue.Queue()
        cls._queue.put((fn, done))
        ok, value = done.get()
        if not ok:
            raise value
        return value

    @staticmethod
    def _loop(q: Any) -> None:
        while True:
            fn, done = q.get()
            try:
                done.put((True, fn()))
            except BaseException as exc:
                done.put((False, exc))


class _Server:
    """A fork server (see ``_boot.py``), sandboxed in bubblewrap or not; one per kind."""

    _servers: ClassVar[dict[tuple[str, bool], _Server | None]] = {}
    _class_lock = threading.Lock()

    @classmethod
    def get(cls, python: str, root: str, sandboxed: bool) -> _Server | None:
        if not sandboxed and (
            os.environ.get("CE_COURSE_GRADER_FORKSERVER", "1") == "0"
            or not hasattr(socket, "send_fds")
        ):
            return None
        key = (python, sandboxed)
        with cls._class_lock:
            server = cls._servers.get(key)
            if server is None or not server.alive:
                try:
                    cls._servers[key] = server = cls(python, root, sandboxed)
                except OSError:
                    cls._servers[key] = server = None
            return server

    def __init__(self, python: str, root: str, sandboxed: bool) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sandboxed = sandboxed
        if sandboxed:
            import shutil as _sh

            from .sandbox import bwrap_command

            cmd = bwrap_command(_sh.which("bwrap") or "bwrap", root, theirs.fileno())
            env = {"PATH": "/usr/bin:/bin"}
        else:
            cmd = [python, "-I", os.path.join(root, "boot.py"), "--serve", str(theirs.fileno())]
            env = _worker_env(tempfile.gettempdir(), tempfile.gettempdir())
        try:
            self.proc = _Keeper.call(
                lambda: subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(theirs.fileno(),),
                    env=env,
                    start_new_session=True,
                )
            )
        finally:
            theirs.close()
        self.sock = ours
        self.alive = True
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies: dict[int, Any] = {}
        self._exits: dict[int, int] = {}
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                with self._cond:
                    self.alive = False
                    self._cond.notify_all()
                return
            try:
                msg = json.loads(data)
            except ValueError:
                continue
            with self._cond:
                if "exit" in msg:
                    self._exits[int(msg["exit"])] = int(msg["code"])
                elif "id" in msg:
                    self._replies[int(msg["id"])] = msg
                self._cond.notify_all()

    def spawn(self, request: dict[str, Any], fds: list[int]) -> tuple[int, int]:
        """Fork a worker; ``(request id, pid)``. Raises OSError if the server does not answer."""
        with self._lock:
            self._next_id += 1
            rid = self._next_id
            socket.send_fds(self.sock, [json.dumps({**request, "id": rid}).encode()], fds)
        deadline = time.monotonic() + 20
        with self._cond:
            while rid not in self._replies:
                left = deadline - time.monotonic()
                if not self.alive or left <= 0:
                    self.alive = False
                    raise OSError("the grader's fork server does not answer")
                self._cond.wait(left)
            reply = self._replies.pop(rid)
        if "pid" not in reply:
            raise OSError(f"the fork server could not start a worker: {reply.get('error')}")
        return rid, int(reply["pid"])

    def kill(self, rid: int) -> None:
        try:
            with self._lock:
                self.sock.send(json.dumps({"kill": rid}).encode())
        except OSError:
            pass

    def wait(self, rid: int, timeout: float) -> int | None:
        """The exit code of worker ``rid`` once it has ended, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while rid not in self._exits:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    return None
                self._cond.wait(left)
            return self._exits.pop(rid)

    def close(self) -> None:
        self.alive = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait(timeout=5)


class _Worker:
    """One running worker: three pipes, read and written without blocking."""

    def __init__(
        self,
        *,
        python: str,
        allowed: Iterable[str],
        sandboxed: bool,
        budget: list[int],
        memory_mb: int = 2048,
        probes: bool = True,
    ):
        root, view = _Views.get(allowed, probes)
        self.sandboxed = sandboxed
        self.tmp = "/tmp" if sandboxed else tempfile.mkdtemp(prefix="ce-course-worker-")
        mpl_dir = os.path.join(self.tmp, "mpl")
        if not sandboxed:
            os.makedirs(mpl_dir, exist_ok=True)
        env = _worker_env(self.tmp, mpl_dir)
        cmd_r, cmd_w = os.pipe()
        msg_r, msg_w = os.pipe()
        out_r, out_w = os.pipe()
        self.proc: subprocess.Popen | None = None
        self.server = _Server.get(python, root, sandboxed)
        self.pid = 0
        self.rid = 0
        self.code: int | None = None
        self.cgroups = None
        try:
            if self.server is None and sandboxed:
                raise OSError("the sandbox's fork server could not start")
            if self.server is not None:
                if sandboxed:
                    from .sandbox import VIEW_MOUNT

                    view = f"{VIEW_MOUNT}/{os.path.basename(view)}"
                request = {"view": view, "cwd": self.tmp, "env": env}
                extra: list[int] = []
                if sandboxed:
                    from .sandbox import CgroupLimits

                    self.cgroups = CgroupLimits(memory_mb)
                    extra = self.cgroups.fds
                try:
                    self.rid, self.pid = self.server.spawn(request, [cmd_r, msg_w, out_w, *extra])
                except OSError:
                    if sandboxed:
                        raise
                    self.server = None
            if self.server is None:
                self.proc = subprocess.Popen(
                    [
                        python,
                        "-I",
                        os.path.join(root, "boot.py"),
                        "--worker",
                        view,
                        str(cmd_r),
                        str(msg_w),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=out_w,
                    stderr=out_w,
                    pass_fds=(cmd_r, msg_w),
                    cwd=self.tmp,
                    env=env,
                    start_new_session=True,
                )
                self.pid = self.proc.pid
        except BaseException:
            for fd in (cmd_r, cmd_w, msg_r, msg_w, out_r, out_w):
                os.close(fd)
            if self.cgroups is not None:
                self.cgroups.close()
            raise
        for fd in (cmd_r, msg_w, out_w):
            os.close(fd)
        for fd in (cmd_w, msg_r, out_r):
            os.set_blocking(fd, False)
        self.cmd, self.msg, self.out = cmd_w, msg_r, out_r
        self.inbox = bytearray()
        self.raw = bytearray()
        self.raw_dropped = 0
        self.budget = budget  # bytes the submission may still send, shared by its workers
        self.closed = False
        self.seq = 0

    def _drain_output(self) -> None:
        while True:
            try:
                chunk = os.read(self.out, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                try:
                    os.close(self.out)
                except OSError:
                    pass
                self.out = -1
                return
            room = _RAW_OUTPUT_CAP - len(self.raw)
            self.raw += chunk[: max(room, 0)]
            self.raw_dropped += max(0, len(chunk) - max(room, 0))

    def send(self, message: dict[str, Any], deadline: float) -> str:
        """Write one request: ``"ok"``, ``"timeout"`` or ``"eof"`` (the worker is gone)."""
        data = memoryview(frame(message, max_bytes=2**31))
        while data:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            watch = [self.out] if self.out >= 0 else []
            try:
                readable, writable, _ = select.select(watch, [self.cmd], [], min(left, 1.0))
            except (OSError, ValueError):
                return "eof"
            if readable:
                self._drain_output()
            if writable:
                try:
                    n = os.write(self.cmd, data[: 1 << 16])
                except BlockingIOError:
                    continue
                except OSError:
                    return "eof"
                data = data[n:]
        return "ok"

    def request(self, message: dict[str, Any], deadline: float) -> tuple[str, Any]:
        """Send a request with a fresh ``seq`` and read its reply (see :meth:`read`)."""
        if message.get("type") != "load":
            self.seq += 1
            message = {**message, "seq": self.seq}
        sent = self.send(message, deadline)
        if sent != "ok":
            return (sent, None)
        return self.read(deadline)

    def read(self, deadline: float) -> tuple[str, Any]:
        """The next reply: ``("msg", obj)``, ``("eof", None)``, ``("timeout", None)`` or
        ``("violation", why)``. Never blocks past ``deadline``; memory stays bounded."""
        while True:
            if len(self.inbox) >= _HEADER.size:
                (size,) = _HEADER.unpack(self.inbox[: _HEADER.size])
                if size > MAX_MESSAGE_BYTES:
                    return (
                        "violation",
                        f"a message of {size} bytes (the cap is {MAX_MESSAGE_BYTES})",
                    )
                if size > self.budget[0]:
                    return ("violation", "more data than a submission may send")
                if len(self.inbox) >= _HEADER.size + size:
                    payload = bytes(self.inbox[_HEADER.size : _HEADER.size + size])
                    del self.inbox[: _HEADER.size + size]
                    self.budget[0] -= size
                    # parsed JSON takes up to ~40 times its text ("[1.5,1.5,...]": a float
                    # object per 4 bytes); no honest reply has this many values
                    if payload.count(b",") + payload.count(b":") > _MAX_VALUES:
                        return ("violation", "a message with more values than a reply may hold")
                    try:
                        return ("msg", json.loads(payload.decode("utf-8")))
                    except (UnicodeDecodeError, ValueError, RecursionError):
                        return ("violation", "a message that is not JSON")
                need = _HEADER.size + size - len(self.inbox)
            else:
                need = _HEADER.size - len(self.inbox)
            left = deadline - time.monotonic()
            if left <= 0:
                return ("timeout", None)
            watch = [self.msg] + ([self.out] if self.out >= 0 else [])
            try:
                readable, _, _ = select.select(watch, [], [], min(left, 1.0))
            except (OSError, ValueError):
                return ("eof", None)
            if self.out in readable:
                self._drain_output()
            if self.msg in readable:
                try:
                    chunk = os.read(self.msg, min(need, 1 << 20))
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    if self.inbox:
                        return ("violation", "a truncated message")
                    return ("eof", None)
                self.inbox += chunk

    def wait_exit(self, seconds: float) -> int | None:
        """The return code if the process ends within ``seconds``, else None."""
        if self.code is not None:
            return self.code
        if self.proc is not None:
            try:
                self.code = self.proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                return None
        elif self.server is not None:
            self.code = self.server.wait(self.rid, seconds)
        return self.code

    def stop(self) -> int | None:
        """Kill the worker and everything it started (if still running); its return code."""
        if not self.closed:
            self.closed = True
            try:
                os.write(self.cmd, frame({"type": "exit"}))
            except OSError:
                pass
            if self.wait_exit(0.05) is None:
                if self.server is not None and self.server.sandboxed:
                    self.server.kill(self.rid)
                elif self.pid:
                    for kill in (os.killpg, os.kill):
                        try:
                            kill(self.pid, signal.SIGKILL)
                            break
                        except (ProcessLookupError, PermissionError):
                            continue
            for fd in (self.cmd, self.msg, self.out):
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            if not self.sandboxed:
                shutil.rmtree(self.tmp, ignore_errors=True)
        code = self.wait_exit(5)
        if self.cgroups is not None:
            self.cgroups.close()
            self.cgroups = None
        return code

    def raw_output(self) -> str:
        text = bytes(self.raw).decode("utf-8", "replace")
        if self.raw_dropped:
            text += f"\n[... {self.raw_dropped} more bytes of output dropped]"
        return text


def _death(code: int | None) -> str:
    if code is None:
        return "stopped responding"
    if code < 0:
        try:
            sig = signal.Signals(-code)
        except ValueError:
            return f"was killed by signal {-code}"
        return _SIGNALS.get(sig, f"was killed by {sig.name}")
    return f"exited with code {code} (os._exit() or a fatal error)"


def run_submission(
    chunks: list[dict[str, str]],
    kind: str,
    questions: list[dict[str, Any]],
    *,
    timeout: float = 10.0,
    load_timeout: float | None = None,
    memory_mb: int = 2048,
    blocked_paths: list[str] | None = None,
    python: str | None = None,
    allowed: Iterable[str] = (),
    sandbox: bool = False,
    variables: Iterable[str] = (),
) -> RunResult:
    """Run a submission's graded functions on encoded cases in worker processes.

    Parameters
    ----------
    chunks : list of dict
        ``{"label", "source", "filename"}`` per chunk of code.
    kind : {"notebook", "python"}
    questions : list of dict
        ``{"function", "forbidden": [...], "cases": [{"args", "kwargs"}, ...]}``, arguments
        already encoded with :func:`~.serialize.encode`. The worker gets them one case at a time.
    timeout : float
        Seconds for each question (all its cases together).
    load_timeout : float, optional
        Seconds to run the submission's top-level code; ``max(30, 3 * timeout)`` by default.
    memory_mb : int
        Address-space limit of the worker.
    blocked_paths : list of str
        Files and directories the worker may not read (the audit hook's list).
    python : str, optional
        The interpreter; :data:`sys.executable` by default.
    allowed : iterable of str
        :mod:`ce_course` names the view keeps (every other reference is a stub, see :mod:`.view`).
    sandbox : bool
        Run the workers in the bubblewrap sandbox (:mod:`.sandbox`).
    variables : iterable of str
        Module-level variables of the submission whose raw ``str`` value to return (in
        :attr:`RunResult.variables`: ``{name: {"status": "ok" | "missing" | "not_str",
        "value": str or None}}``).

    Returns
    -------
    RunResult
    """
    start = time.monotonic()
    load_timeout = max(30.0, 3 * timeout) if load_timeout is None else load_timeout
    overall = start + load_timeout + timeout * len(questions) + 5.0
    runs = {q["function"]: QuestionRun(q["function"]) for q in questions}
    result = RunResult(runs, sandboxed=sandbox)
    pending = [q for q in questions]
    budget = [MAX_SUBMISSION_BYTES]
    wanted = list(dict.fromkeys(variables))[:20]
    probes = any(
        isinstance(arg, dict) and "$probe" in arg
        for q in questions
        for case in q["cases"]
        for arg in (case["args"].get("$tuple", []) if isinstance(case["args"], dict) else [])
    )
    first = True
    while pending:
        if time.monotonic() >= overall:
            for q in pending:
                runs[q["function"]].status = "timeout"
                runs[q["function"]].detail = "the submission used up its time budget"
            break
        load = {
            "type": "load",
            "kind": kind,
            "chunks": chunks,
            "functions": [q["function"] for q in questions],
            "memory_mb": int(memory_mb),
            "cpu_seconds": math.ceil(load_timeout + timeout * len(pending) + 10),
            "nproc": 64 if sandbox else None,
            "blocked_paths": [
                p + os.sep if os.path.isdir(p) and not p.endswith(os.sep) else p
                for p in blocked_paths or []
            ],
            "write_roots": [],
        }
        try:
            worker = _Worker(
                python=python or sys.executable,
                allowed=allowed,
                sandboxed=sandbox,
                budget=budget,
                memory_mb=memory_mb,
                probes=probes,
            )
        except OSError as exc:
            reason = f"the grader could not start a worker ({exc})"
            result.load_failure = result.load_failure or reason
            for q in pending:
                runs[q["function"]].detail = reason
            break
        load["write_roots"] = [worker.tmp]
        try:
            kind_, msg = worker.request(load, min(time.monotonic() + load_timeout, overall))
            if kind_ == "msg":
                try:
                    msg = _check_reply(msg, "loaded")
                except _Violation as exc:
                    kind_, msg = "violation", str(exc)
            if kind_ != "msg":
                if kind_ == "timeout":
                    reason = (
                        f"the submission's top-level code did not finish within {load_timeout:g} "
                        "seconds (an infinite loop, or slow code outside the functions?)"
                    )
                elif kind_ == "violation":
                    reason = f"crashed: protocol violation ({msg})"
                    result.protocol_violation = reason
                else:
                    code = worker.wait_exit(2)
                    reason = f"the process running the submission {_death(code)} while loading it"
                if first:
                    result.load_failure = reason
                for q in pending:
                    runs[q["function"]].status = "crashed" if kind_ == "violation" else "not_run"
                    runs[q["function"]].detail = reason if first else f"after a restart: {reason}"
                result.raw_output = worker.raw_output()
                break
            if first:
                result.load_errors = list(msg["errors"])
                result.output = msg["output"]
                result.output_dropped = msg["output_dropped"]
                result.functions = dict(msg["functions"])
                for name in wanted:
                    kind_, reply = worker.request(
                        {"type": "variable", "name": name},
                        min(time.monotonic() + timeout, overall),
                    )
                    if kind_ != "msg":
                        break
                    try:
                        reply = _check_reply(reply, "variable", worker.seq)
                    except _Violation:
                        break
                    if reply["name"] == name[:100]:
                        result.variables[name] = {
                            "status": reply["status"],
                            "value": reply["value"],
                            "length": reply["length"],
                            "type_name": reply["type_name"],
                        }
            first = False
            stopped = False
            while pending and not stopped:
                q = pending[0]
                run = runs[q["function"]]
                answer = q.get("variable")  # a derivation question: one module-level str
                if not answer and result.functions.get(q["function"]) != "callable":
                    run.status = "done"
                    pending.pop(0)
                    continue
                deadline = min(time.monotonic() + timeout, overall)
                for case in [None] if answer else q["cases"][len(run.cases) :]:
                    if case is None:
                        request: dict[str, Any] = {"type": "variable", "name": answer}
                    else:
                        request = {
                            "type": "case",
                            "function": q["function"],
                            "forbidden": q.get("forbidden", []),
                            "args": case["args"],
                            "kwargs": case["kwargs"],
                        }
                    kind_, msg = worker.request(request, deadline)
                    if kind_ == "msg":
                        try:
                            if case is None:
                                reply = _check_reply(msg, "variable", worker.seq)
                                run.cases.append(_answer_record(reply))
                            else:
                                run.cases.append(_check_reply(msg, "result", worker.seq))
                            continue
                        except _Violation as exc:
                            kind_, msg = "violation", str(exc)
                    if kind_ == "timeout":
                        run.status = "timeout"
                        run.detail = (
                            f"timed out after {timeout:g} s (an infinite loop?)"
                            if deadline < overall
                            else "the submission used up its time budget"
                        )
                        victims = [q]
                    elif kind_ == "violation":
                        reason = f"crashed: protocol violation ({msg})"
                        result.protocol_violation = reason
                        victims = list(pending)
                        for v in victims:
                            runs[v["function"]].status = "crashed"
                            runs[v["function"]].detail = reason
                    else:
                        code = worker.wait_exit(2)
                        run.status = "crashed"
                        run.detail = f"the process running the submission {_death(code)}"
                        victims = [q]
                    for v in victims:
                        pending.remove(v)
                    result.raw_output = worker.raw_output()
                    result.restarts += 1 if pending and kind_ != "violation" else 0
                    if kind_ == "violation":
                        pending.clear()
                    stopped = True
                    break
                else:
                    run.status = "done"
                    pending.pop(0)
        finally:
            worker.stop()
    result.seconds = time.monotonic() - start
    return result
