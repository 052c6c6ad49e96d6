"""The worker sandbox, the modes of ``--sandbox``, the protocol's deadlines and raw values."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from grading_support import SUBMISSIONS

from ce_course.cli import main
from ce_course.grading import sandbox
from ce_course.grading.grader import _encode_input, grade_submission
from ce_course.grading.runner import run_submission
from ce_course.grading.view import stubbed_names

ROOT = Path(__file__).resolve().parents[2]
GOOD = SUBMISSIONS / "good" / "02_softmax.py"
_OK, _WHY = sandbox.sandbox_status()
if not _OK and os.environ.get("CE_REQUIRE_SANDBOX") == "1":
    raise RuntimeError(f"CE_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {_WHY}")
needs_bwrap = pytest.mark.skipif(not _OK, reason=f"bubblewrap sandbox unavailable: {_WHY}")


def _run(source: str, *, sandboxed: bool = True, questions=None, **kw):
    chunks = [{"label": "a.py", "source": source, "filename": "<a.py>"}]
    questions = questions or [{"function": "softmax", "forbidden": [], "cases": []}]
    return run_submission(chunks, "python", questions, sandbox=sandboxed, **kw)


@needs_bwrap
def test_what_a_sandboxed_submission_sees() -> None:
    probe = f"""
import os, socket, sys
print('uid', os.getuid())
print('caps', [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])
print('pids', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
print('source', os.path.exists({str(ROOT / "exercises" / "source")!r}))
print('repo', os.path.exists({str(ROOT)!r}))
import ce_course
here = os.path.dirname(ce_course.__file__)
print('exercises', os.path.exists(os.path.join(here, 'grading', 'exercises')))
print('grader', os.path.exists(os.path.join(here, 'grading', 'grader.py')))
try:
    import scipy
    print('scipy yes')
except ImportError:
    print('scipy no')
try:
    socket.create_connection(('127.0.0.1', 22), timeout=1)
    print('net yes')
except OSError:
    print('net no')
import site
try:
    open(os.path.join(site.getsitepackages()[0], 'x.pth'), 'w')
    print('site writable')
except OSError:
    print('site read-only')
open('scratch.txt', 'w').write('ok')
print('cwd', os.getcwd())
import ctypes
print('earlier', os.path.exists('/tmp/planted.txt'), os.path.exists('/dev/shm/planted.txt'))
libc = ctypes.CDLL(None, use_errno=True)  # bypasses the audit hook: only the OS says no
for d in ('/', '/opt', '/dev', '/etc', sys.prefix, site.getsitepackages()[0], '/tmp', '/dev/shm'):
    fd = libc.open(os.path.join(d, 'planted.txt').encode(), 0o101, 0o644)
    print('writable' if fd >= 0 else 'read-only', d)
"""
    run = _run(probe, timeout=5, load_timeout=20)
    out = run.output
    assert run.load_errors == [], run.load_errors
    assert "uid 1000" in out and "caps 0000000000000000" in out
    assert "pids [1]" in out  # its own pid namespace only
    assert "source False" in out and "repo False" in out
    assert "exercises False" in out and "grader False" in out
    assert "scipy no" in out and "net no" in out and "site read-only" in out
    assert "cwd /tmp" in out
    writable = [line.split()[1] for line in out.splitlines() if line.startswith("writable")]
    assert writable == ["/tmp", "/dev/shm"], out
    assert "earlier False False" in out
    again = _run(probe, timeout=5, load_timeout=20).output
    assert "earlier False False" in again  # each submission has its own /tmp and /dev/shm


@needs_bwrap
def test_processes_are_bounded_and_die_with_the_submission() -> None:
    bomb = (
        "import ctypes, os, time\nlibc = ctypes.CDLL(None)\nn = 0\n"
        "for _ in range(200):\n"
        "    pid = libc.fork()\n"
        "    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n"
        "    if pid < 0:\n        break\n"
        "    n += 1\n"
        "print('forked', n)\n"
    )
    start = time.monotonic()
    run = _run(bomb, timeout=3, load_timeout=10)
    assert time.monotonic() - start < 10
    forked = int(run.output.split("forked")[1].split()[0])
    if sandbox.CgroupLimits.available:
        assert forked < 64
    else:
        assert forked <= 200


def test_the_view_stubs_forbidden_references() -> None:
    stubbed = stubbed_names(["one_hot", "make_spiral"])
    assert "softmax.softmax" in stubbed and "softmax._exp_parts" in stubbed
    assert "losses.cross_entropy" in stubbed and "losses.one_hot" not in stubbed
    later = stubbed_names(["softmax", "one_hot", "make_spiral"])
    assert "softmax.softmax" not in later and "softmax.log_softmax" in later
    # the view's own softmax shares no helper with the forbidden log_softmax and logsumexp
    assert "softmax._exp_parts" in later


@pytest.mark.parametrize("sandboxed", [pytest.param(True, marks=needs_bwrap), False])
def test_raw_values_variables_and_stub_records(sandboxed: bool) -> None:
    source = (
        "import ce_course\nANSWER = 'p - y'\nNUMBER = 3\n"
        "def softmax(x):\n    return ce_course.softmax(x)\n"
    )
    case = {"args": _encode_input((np.ones(3),)), "kwargs": _encode_input({})}
    questions = [{"function": "softmax", "forbidden": ["softmax"], "cases": [case, case]}]
    run = _run(
        source,
        sandboxed=sandboxed,
        questions=questions,
        allowed=["one_hot", "make_spiral"],
        variables=["ANSWER", "NUMBER", "ABSENT"],
        timeout=5,
        load_timeout=20,
    )
    assert run.variables == {
        "ANSWER": {"status": "ok", "value": "p - y", "length": 5, "type_name": "str"},
        "NUMBER": {"status": "not_str", "value": None, "length": 0, "type_name": "int"},
        "ABSENT": {"status": "missing", "value": None, "length": 0, "type_name": ""},
    }
    cases = run.questions["softmax"].cases
    assert len(cases) == 2
    assert cases[0]["status"] == "error" and cases[0]["error"]["type"] == "RuntimeError"
    assert cases[0]["stub_calls"] == [{"name": "ce_course.softmax", "where": "line 5 of a.py"}]


@pytest.mark.parametrize("sandboxed", [pytest.param(True, marks=needs_bwrap), False])
def test_a_derivation_question_gets_the_raw_answer(sandboxed: bool) -> None:
    source = "answer_grad = 'p_i - y_i' + ' ' * 5000\nanswer_int = 3\n"
    questions = [
        {"function": "grad", "forbidden": [], "cases": [], "variable": "answer_grad"},
        {"function": "num", "forbidden": [], "cases": [], "variable": "answer_int"},
        {"function": "none", "forbidden": [], "cases": [], "variable": "answer_none"},
    ]
    run = _run(source, sandboxed=sandboxed, questions=questions, timeout=5, load_timeout=20)
    grad, num, none = (run.questions[k].cases for k in ("grad", "num", "none"))
    assert grad[0]["status"] == "ok" and grad[0]["value"].startswith("p_i - y_i")
    assert len(grad[0]["value"]) == 4096 and grad[0]["answer_length"] == 5009
    assert num[0]["value"] is None and num[0]["answer_type"] == "int"
    assert none[0]["status"] == "missing"
    assert all(run.questions[k].status == "done" for k in ("grad", "num", "none"))


@pytest.mark.parametrize("sandboxed", [pytest.param(True, marks=needs_bwrap), False])
def test_deadlines_hold_against_a_stuck_worker(sandboxed: bool) -> None:
    hang = "import time\nwhile True:\n    time.sleep(0.1)\n"
    start = time.monotonic()
    run = _run(hang, sandboxed=sandboxed, timeout=1, load_timeout=1.5)
    assert time.monotonic() - start < 5
    assert "did not finish within 1.5 seconds" in run.load_failure
    slow = "import time\ndef softmax(x):\n    time.sleep(60)\n"
    case = {"args": _encode_input((np.ones(3),)), "kwargs": _encode_input({})}
    questions = [{"function": "softmax", "forbidden": [], "cases": [case] * 5}]
    start = time.monotonic()
    run = _run(slow, sandboxed=sandboxed, questions=questions, timeout=1, load_timeout=5)
    assert time.monotonic() - start < 5
    assert run.questions["softmax"].status == "timeout"


def test_required_refuses_without_a_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sandbox, "sandbox_status", lambda: (False, "bwrap is not installed"))
    with pytest.raises(sandbox.SandboxUnavailable, match="bwrap is not installed"):
        sandbox.resolve_mode("required")
    assert main(["grade", str(GOOD), "--sandbox", "required"]) == 2
    assert "--sandbox required, but the sandbox is unavailable" in capsys.readouterr().err
    report = grade_submission(str(GOOD), sandbox="auto", timeout=5)
    assert report.score == report.max_score
    assert "unavailable" in report.sandbox and "process isolation only" in report.sandbox
    assert main(["grade", str(GOOD), "--sandbox", "auto", "--format", "csv"]) == 0
    assert "process isolation only" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown sandbox mode"):
        sandbox.resolve_mode("maybe")


def test_off_mode_is_reported() -> None:
    report = grade_submission(str(GOOD), sandbox="off", timeout=5)
    assert report.score == report.max_score and report.sandbox.startswith("sandbox: off")


_RESULT = {
    "type": "result",
    "seq": 1,
    "status": "ok",
    "value": 1.5,
    "error": None,
    "mutated": [],
    "violations": [],
    "tampered": False,
    "stub_calls": [],
    "seconds": 0.1,
}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"type": "start"}, "expected a 'result' reply"),
        ({"seq": 2}, "not made"),
        ({"score": 13}, "malformed 'result'"),
        ({"status": "passed"}, "unknown case status"),
        ({"status": "error"}, "inconsistent"),
        ({"mutated": ["x" * 301]}, "mutation list"),
        ({"stub_calls": [{"name": "softmax"}]}, "stub calls"),
        ({"value": {"$probe": ["poly", None]}}, "malformed value"),
        ({"value": {"$nd": ["<f8", [2], "AAAA"]}}, "malformed value"),
        ({"seconds": -1}, "malformed time"),
        ({"tampered": 0}, "tamper flag"),
    ],
)
def test_replies_are_checked_against_the_schema(change: dict, why: str) -> None:
    from ce_course.grading.runner import _check_reply, _Violation

    assert _check_reply(dict(_RESULT), "result", 1)["value"] == 1.5
    with pytest.raises(_Violation, match=why):
        _check_reply({**_RESULT, **change}, "result", 1)


def test_probes_are_only_in_the_view_of_an_exercise_that_passes_functions() -> None:
    source = (
        "from ce_course.grading.probes import make_probe\n"
        "def cross_entropy(z, y):\n"
        "    return make_probe('softmax_ce', {'y': y, 'shape': z.shape})(z)\n"
    )
    case = {"args": _encode_input((np.ones((2, 3)), np.array([0, 1]))), "kwargs": _encode_input({})}
    questions = [{"function": "cross_entropy", "forbidden": [], "cases": [case]}]
    run = _run(source, sandboxed=_OK, questions=questions, timeout=5, load_timeout=20)
    error = run.questions["cross_entropy"].cases[0]["error"]
    assert "no probes while this exercise is graded" in error["message"]
