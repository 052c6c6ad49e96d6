"""Start worker processes for a submission and collect their messages under time limits.

:func:`run_submission` starts ``python -I -m ce_course.grading.worker`` in a new session (its own
process group) with a scratch directory as working directory, a minimal environment and
single-threaded BLAS. It waits for the worker to load the submission (``load_timeout``), then
gives each question ``timeout`` seconds. A question that runs out of time, or during which the
worker dies (segmentation fault, ``os._exit``, memory exhaustion), is recorded as such and a fresh
worker is started for the remaining questions; the cases already received are kept. Loading
failures are not retried.

Workers are forked from a fork server (:class:`_ForkServer`) that has imported NumPy once,
which saves the interpreter's start-up on every submission; without it (or with
``CE_COURSE_GRADER_FORKSERVER=0``) each worker is a fresh interpreter. Either way the worker is a
separate process in its own session, and nothing of the submission ever runs in the grader.

All the worker sends is decoded with :func:`~.serialize.decode`; a malformed message ends the
worker as a crash. The worker's raw stdout and stderr (``os.write`` to fd 1, a fault handler's
trace) are drained by a thread and capped.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .serialize import ProtocolError, decode, read_frame

__all__ = ["QuestionRun", "RunResult", "run_submission"]

_RAW_OUTPUT_CAP = 16 * 1024
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
        One decoded message per case that finished, in order.
    detail : str
        Why the question did not finish (for ``timeout``, ``crashed``, ``not_run``).
    """

    function: str
    status: str = "not_run"
    cases: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""


@dataclass
class RunResult:
    """Everything the workers reported about one submission."""

    questions: dict[str, QuestionRun]
    load_errors: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    output_dropped: int = 0
    functions: dict[str, str] = field(default_factory=dict)
    load_failure: str | None = None
    raw_output: str = ""
    restarts: int = 0
    seconds: float = 0.0


def _worker_env(tmp: str, mpl_dir: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", tmp),
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


class _ForkServer:
    """A process that has imported NumPy and the worker once, and forks a worker per request.

    Starting Python and importing NumPy costs more than grading most submissions; the fork
    server pays it once per grading run. It never runs submission code itself: each request
    (a job file, a scratch directory, an environment and two pipes passed as file descriptors)
    is served by a forked child that becomes a session leader and runs
    :func:`ce_course.grading.worker.main`, exactly as a freshly started worker would. The server
    reaps its children and reports their exit codes. If it cannot start or stops answering,
    :class:`_Worker` falls back to starting ``python -I -m ce_course.grading.worker`` itself.
    Set ``CE_COURSE_GRADER_FORKSERVER=0`` to always start fresh interpreters.
    """

    _servers: ClassVar[dict[str, _ForkServer | None]] = {}
    _class_lock = threading.Lock()

    @classmethod
    def get(cls, python: str) -> _ForkServer | None:
        if os.environ.get("CE_COURSE_GRADER_FORKSERVER", "1") == "0" or not hasattr(
            socket, "send_fds"
        ):
            return None
        with cls._class_lock:
            if python not in cls._servers:
                try:
                    cls._servers[python] = cls(python)
                except OSError:
                    cls._servers[python] = None
            server = cls._servers[python]
            return server if server is not None and server.alive else None

    def __init__(self, python: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = _worker_env(tempfile.gettempdir(), tempfile.gettempdir())
        try:
            self.proc = subprocess.Popen(
                [python, "-I", "-m", "ce_course.grading.worker", "--serve", str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                env=env,
                start_new_session=True,
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

    def spawn(self, job_path: str, cwd: str, env: dict[str, str], fds: list[int]) -> int:
        """Fork a worker; its pid. Raises OSError if the server does not answer."""
        with self._lock:
            self._next_id += 1
            rid = self._next_id
            request = {"id": rid, "job": job_path, "cwd": cwd, "env": env}
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
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
        return int(reply["pid"])

    def wait(self, pid: int, timeout: float) -> int | None:
        """The exit code of worker ``pid`` once it has ended, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while pid not in self._exits:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive:
                    return None
                self._cond.wait(left)
            return self._exits.pop(pid)

    def close(self) -> None:
        self.alive = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader thread, ends the server
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class _Worker:
    """One running worker process and the threads reading from it."""

    def __init__(self, job: dict[str, Any], *, mpl_dir: str, python: str) -> None:
        self.tmp = tempfile.mkdtemp(prefix="ce-course-worker-")
        job = {**job, "write_roots": [self.tmp, mpl_dir]}
        job_path = os.path.join(self.tmp, "job.json")
        with open(job_path, "w", encoding="utf-8") as fh:
            json.dump(job, fh)
        env = _worker_env(self.tmp, mpl_dir)
        msg_r, msg_w = os.pipe()
        out_r, out_w = os.pipe()
        self.proc: subprocess.Popen | None = None
        self.server = _ForkServer.get(python)
        self.pid = 0
        self.code: int | None = None
        try:
            if self.server is not None:
                try:
                    self.pid = self.server.spawn(job_path, self.tmp, env, [msg_w, out_w])
                except OSError:
                    self.server = None
            if self.server is None:
                cmd = [python, "-I", "-m", "ce_course.grading.worker", "--job", job_path]
                self.proc = subprocess.Popen(
                    [*cmd, "--fd", str(msg_w)],
                    stdin=subprocess.DEVNULL,
                    stdout=out_w,
                    stderr=out_w,
                    pass_fds=(msg_w,),
                    cwd=self.tmp,
                    env=env,
                    start_new_session=True,
                )
                self.pid = self.proc.pid
        finally:
            os.close(msg_w)
            os.close(out_w)
        self.messages: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.raw: list[bytes] = []
        self.raw_size = 0
        self.raw_dropped = 0
        self._msg_stream = os.fdopen(msg_r, "rb")
        self._out_stream = os.fdopen(out_r, "rb")
        self._threads = [
            threading.Thread(target=self._read_messages, daemon=True),
            threading.Thread(target=self._drain_output, daemon=True),
        ]
        for t in self._threads:
            t.start()

    def _read_messages(self) -> None:
        try:
            while True:
                msg = read_frame(self._msg_stream)
                if msg is None:
                    self.messages.put(("eof", None))
                    return
                self.messages.put(("msg", msg))
        except ProtocolError as exc:
            self.messages.put(("error", str(exc)))
        except (OSError, ValueError) as exc:
            self.messages.put(("error", f"cannot read from the worker: {exc}"))

    def _drain_output(self) -> None:
        while True:
            try:
                chunk = self._out_stream.read1(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            room = _RAW_OUTPUT_CAP - self.raw_size
            if room > 0:
                self.raw.append(chunk[:room])
                self.raw_size += min(room, len(chunk))
            self.raw_dropped += max(0, len(chunk) - max(room, 0))

    def next(self, deadline: float) -> tuple[str, Any]:
        """The next event: ``("msg", dict)``, ``("eof", None)``, ``("error", text)`` or
        ``("timeout", None)``."""
        try:
            return self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return ("timeout", None)

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
            self.code = self.server.wait(self.pid, seconds)
        return self.code

    def stop(self) -> int | None:
        """Kill the whole process group (if still running) and clean up; the return code."""
        if self.wait_exit(0) is None and self.pid:
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.pid, signal.SIGKILL)
                    break
                except (ProcessLookupError, PermissionError):
                    continue
        code = self.wait_exit(10)
        for t in self._threads:
            t.join(timeout=2)
        for stream in (self._msg_stream, self._out_stream):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        return code

    def raw_output(self) -> str:
        text = b"".join(self.raw).decode("utf-8", "replace")
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
) -> RunResult:
    """Run a submission's graded functions on encoded cases in worker processes.

    Parameters
    ----------
    chunks : list of dict
        ``{"label", "source", "filename"}`` per chunk of code.
    kind : {"notebook", "python"}
    questions : list of dict
        ``{"function", "forbidden": [...], "cases": [{"args", "kwargs"}, ...]}``, arguments
        already encoded with :func:`~.serialize.encode`.
    timeout : float
        Seconds for each question.
    load_timeout : float, optional
        Seconds to run the submission's top-level code; ``max(30, 3 * timeout)`` by default.
    memory_mb : int
        Address-space limit of the worker.
    blocked_paths : list of str
        Files and directories the worker may not read.
    python : str, optional
        The interpreter; :data:`sys.executable` by default.

    Returns
    -------
    RunResult
    """
    start = time.monotonic()
    load_timeout = max(30.0, 3 * timeout) if load_timeout is None else load_timeout
    mpl_dir = os.path.join(tempfile.gettempdir(), f"ce-course-mpl-{os.getuid()}")
    os.makedirs(mpl_dir, exist_ok=True)
    runs = {q["function"]: QuestionRun(q["function"]) for q in questions}
    result = RunResult(runs)
    pending = [q["function"] for q in questions]
    first = True
    while pending:
        job = {
            "kind": kind,
            "chunks": chunks,
            "questions": [q for q in questions if q["function"] in pending],
            "memory_mb": int(memory_mb),
            "cpu_seconds": math.ceil(load_timeout + timeout * len(pending) + 10),
            "blocked_paths": list(blocked_paths or []),
        }
        worker = _Worker(job, mpl_dir=mpl_dir, python=python or sys.executable)
        try:
            kind_, msg = worker.next(time.monotonic() + load_timeout)
            if kind_ != "msg" or msg.get("type") != "loaded":
                if kind_ == "timeout":
                    reason = (
                        f"the submission's top-level code did not finish within {load_timeout:g} "
                        "seconds (an infinite loop, or slow code outside the functions?)"
                    )
                elif kind_ == "error":
                    reason = f"the submission broke the grader's channel ({msg})"
                else:
                    code = worker.wait_exit(5)
                    reason = f"the process running the submission {_death(code)} while loading it"
                if first:
                    result.load_failure = reason
                for name in pending:
                    runs[name].status = "not_run"
                    runs[name].detail = reason if first else f"after a restart: {reason}"
                result.raw_output = worker.raw_output()
                break
            if first:
                result.load_errors = list(msg.get("errors") or [])
                result.output = str(msg.get("output") or "")
                result.output_dropped = int(msg.get("output_dropped") or 0)
                result.functions = dict(msg.get("functions") or {})
            first = False
            current: str | None = None
            deadline = time.monotonic() + timeout
            while True:
                kind_, msg = worker.next(deadline)
                if kind_ == "msg":
                    mtype = msg.get("type")
                    if mtype == "start" and msg.get("question") in runs:
                        current = msg["question"]
                        deadline = time.monotonic() + timeout
                    elif mtype == "case" and current is not None:
                        try:
                            msg["value"] = decode(msg.get("value"))
                        except ProtocolError as exc:
                            msg["status"] = "error"
                            msg["error"] = {"type": "ProtocolError", "message": str(exc)}
                            msg["value"] = None
                        runs[current].cases.append(msg)
                    elif mtype == "end" and current is not None:
                        runs[current].status = "done"
                        if current in pending:
                            pending.remove(current)
                        current = None
                        deadline = time.monotonic() + timeout
                    elif mtype == "done":
                        pending.clear()
                        break
                    continue
                if kind_ == "timeout":
                    reason = f"timed out after {timeout:g} s (an infinite loop?)"
                    status = "timeout"
                elif kind_ == "error":
                    reason = f"the worker sent malformed data ({msg})"
                    status = "crashed"
                else:
                    code = worker.wait_exit(5)
                    reason = f"the process running the submission {_death(code)}"
                    status = "crashed"
                victims = [current] if current is not None else list(pending)
                for name in victims:
                    runs[name].status = status
                    runs[name].detail = reason
                    pending.remove(name)
                result.raw_output = worker.raw_output()
                result.restarts += 1 if pending else 0
                break
        finally:
            worker.stop()
    result.seconds = time.monotonic() - start
    return result
