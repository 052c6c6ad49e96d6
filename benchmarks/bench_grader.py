"""Grading throughput with and without the bubblewrap sandbox: 200 mixed submissions.

Run: ``.venv/bin/python benchmarks/bench_grader.py [--count 200] [--jobs 2]``

The batch cycles through the instructor notebooks (``exercises/source``), the learner notebooks
(``exercises``) and the test suite's correct, alternative and wrong ``.py`` submissions, copied
into a temporary class folder. It is graded twice, ``--sandbox off`` (plain worker processes
forked from the fork server) and ``--sandbox required`` (one bwrap fork server, a namespace set per
submission), with two grading threads, the two modes alternating on chunks of 20 submissions; the
difference divided by the number of submissions is the sandbox's cost per submission.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _machine import BusyMeter

from ce_course.grading.grader import grade_paths

ROOT = Path(__file__).resolve().parent.parent
SUBS = ROOT / "tests" / "grading" / "submissions"


def _sources() -> list[Path]:
    notebooks = sorted((ROOT / "exercises" / "source").glob("*.ipynb"))
    notebooks += sorted((ROOT / "exercises").glob("*.ipynb"))
    py = [
        p for kind in ("good", "alternative", "wrong") for p in sorted((SUBS / kind).glob("*.py"))
    ]
    return notebooks + py


def _batch(directory: Path, count: int) -> list[str]:
    sources = _sources()
    out = []
    for i in range(count):
        src = sources[i % len(sources)]
        dest = directory / f"s{i:03d}_{src.name}"
        shutil.copyfile(src, dest)
        out.append(str(dest))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = _batch(Path(tmp), args.count)
        kinds = sum(f.endswith(".ipynb") for f in files), sum(f.endswith(".py") for f in files)
        # warm up both fork servers and the views, so that the runs compare grading only
        for mode in (False, True):
            grade_paths(files[:2], sandbox=mode, jobs=1)
        # the two modes alternate on chunks of 20 submissions (in alternating order), so that
        # a change of the machine's load during the run does not favour either of them
        times = {False: 0.0, True: 0.0}
        meter = BusyMeter()
        for k in range(0, len(files), 20):
            chunk = files[k : k + 20]
            order = (False, True) if (k // 20) % 2 == 0 else (True, False)
            for mode in order:
                start = time.perf_counter()
                reports = grade_paths(chunk, sandbox=mode, jobs=args.jobs, load_timeout=60)
                times[mode] += time.perf_counter() - start
                bad = [r for r in reports if r.status == "error"]
                assert not bad, bad[0].messages
                expected = "bubblewrap" if mode else "sandbox: off"
                assert all(r.sandbox.startswith(expected) for r in reports)
        import numpy as np

        print(
            f"bench_grader  {time.strftime('%Y-%m-%d')}  numpy {np.__version__}  "
            f"python {sys.version.split()[0]}"
        )
        print(
            f"{len(files)} submissions ({kinds[0]} notebooks, {kinds[1]} .py), "
            f"{args.jobs} grading threads, {os.cpu_count()} CPUs\n"
        )
        print(f"{'mode':<28}{'total':>10}{'per submission':>18}")
        for mode in (False, True):
            label = "--sandbox required (bwrap)" if mode else "--sandbox off"
            print(f"{label:<28}{times[mode]:>9.1f}s{1000 * times[mode] / len(files):>15.0f} ms")
        extra = (times[True] - times[False]) / len(files)
        print(f"\nsandbox cost per submission: {1000 * extra:.0f} ms")
        print(meter.report())


if __name__ == "__main__":
    main()
