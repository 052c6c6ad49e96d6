"""Time and peak memory of a linear layer's cross-entropy with its gradients, at language-model sizes.

The contenders compute the mean loss of ``cross_entropy(H @ W + 0, y)`` and the gradients with
respect to ``H (N, D)`` and ``W (D, V)``, in float32:

* ``ours``: :func:`ce_course.linear_cross_entropy` (vocabulary blocks, online log-sum-exp, the
  blocks recomputed in the backward pass; OpenBLAS threads for the matrix products);
* ``torch chunked``: ``torch.nn.functional.linear_cross_entropy`` with
  ``options=torch.nn.LinearCrossEntropyOptions()`` (PyTorch 2.13 chunks the batch), then
  ``backward()``;
* ``torch textbook``: ``F.linear`` + ``F.cross_entropy`` + ``backward()``, which materialises the
  ``(N, V)`` logits and their gradient.

PyTorch runs on the CPU with ``torch.set_num_threads(2)``.

Time: the contenders take turns, in a new random order every round, one timed call each per turn
(after one warm-up call each); the table gives the median and the spread (min to max) of the rounds,
and the ratios of the medians from the same run.

Peak memory, measured in a fresh child process per contender and shape, so that nothing else
stays allocated:

* ``tracemalloc``: for ours only, the peak of NumPy's traced allocations during the call minus the
  returned gradients (``N*D + D*V`` floats);
* ``RSS``: for every contender, the largest growth of the process's resident set size over the
  call (``/proc/self/statm``, sampled every millisecond by a thread), minus the returned
  gradients; this is the one measure that applies to PyTorch too, whose CPU allocator has no
  peak-memory counter. The child runs with ``MALLOC_MMAP_THRESHOLD_=131072``, so that glibc maps
  every large block afresh and hands it back when it is freed: the resident size then follows what
  is allocated.

Both are compared with one ``(N, V)`` float32 logits array; the target is at most 1/16 of it.

Run ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_linear_ce.py``
(``--quick`` for two rounds). Unsetting those two variables lets OpenBLAS pick its own kernel and
cache sizes, which is much faster on this machine; only benchmark commands do that, never the tests.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import numpy as np
from _machine import BusyMeter  # benchmarks/_machine.py, next to this script

from ce_course import linear_cross_entropy
from ce_course.linear_ce import _threads_for, plan_blocks

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the comparison with PyTorch is optional
    torch = None

SHAPES = [(2048, 512, 32768), (4096, 256, 50257)]
QUICK_SHAPES = [(1024, 256, 16384)]
TORCH_THREADS = 2
CONTENDERS = ["ours", "torch chunked", "torch textbook"]


def make_inputs(N: int, D: int, V: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hidden states, weights scaled like an output layer (logits of unit size), labels."""
    rng = np.random.default_rng(seed)
    H = rng.standard_normal((N, D), dtype=np.float32)
    W = rng.standard_normal((D, V), dtype=np.float32)
    W *= np.float32(1 / np.sqrt(D))
    y = rng.integers(0, V, N)
    return H, W, y


def contender(name: str, H: np.ndarray, W: np.ndarray, y: np.ndarray) -> Callable[[], tuple]:
    """A function computing ``(loss, dH, dW)`` with one implementation."""
    if name == "ours":

        def ours() -> tuple:
            loss, grads = linear_cross_entropy(H, W, y)
            return loss, grads["H"], grads["W"]

        return ours
    Ht = torch.from_numpy(H)
    Wt = torch.from_numpy(np.ascontiguousarray(W.T))  # PyTorch's layout: (V, D)
    yt = torch.from_numpy(y)
    options = torch.nn.LinearCrossEntropyOptions() if name == "torch chunked" else None

    def run_torch() -> tuple:
        h = Ht.detach().requires_grad_(True)
        w = Wt.detach().requires_grad_(True)
        if options is None:
            loss = F.cross_entropy(F.linear(h, w), yt)
        else:
            loss = F.linear_cross_entropy(h, w, yt, options=options)
        loss.backward()
        return loss.detach(), h.grad, w.grad.T

    return run_torch


def rss_bytes() -> int:
    """Resident set size of this process now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:
        return 0


class RssPeak:
    """Largest resident set size seen by a thread sampling it every millisecond."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def measure_memory_child(name: str, N: int, D: int, V: int) -> dict:
    """Run in a child process: one warm-up at a tiny size, then the peak memory of one call."""
    import tracemalloc

    if torch is not None:
        torch.set_num_threads(TORCH_THREADS)
    small = make_inputs(64, 16, 256, seed=1)
    contender(name, *small)()  # lazy initialisation (thread pools, kernels) happens here
    H, W, y = make_inputs(N, D, V)
    f = contender(name, H, W, y)
    returned = (N * D + D * V) * 4
    result = {"tracemalloc": None}
    before = rss_bytes()  # the first call: nothing freed earlier can be reused
    with RssPeak() as rss:
        out = f()
    result["rss"] = rss.peak - before - returned
    del out
    if name == "ours":
        tracemalloc.start()
        out = f()
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del out
        result["tracemalloc"] = traced_peak - returned
    return result


def measure_memory(name: str, N: int, D: int, V: int) -> dict:
    cmd = [sys.executable, __file__, "--memory-child", name, str(N), str(D), str(V)]
    # A fixed mmap threshold: glibc then maps every large block afresh and unmaps it when freed,
    # so that the resident size follows what is allocated (its adaptive threshold would not).
    env = os.environ | {"MALLOC_MMAP_THRESHOLD_": str(1 << 17)}
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def time_rounds(funcs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    for f in funcs.values():  # warm-up
        f()
    times: dict[str, list[float]] = {name: [] for name in funcs}
    order = np.random.default_rng(1)
    for _ in range(rounds):
        for name in order.permutation(list(funcs)):
            t0 = time.perf_counter()
            funcs[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def agreement(outs: dict[str, tuple]) -> str:
    """Largest relative differences of the loss and the gradients against torch textbook."""
    ref = outs.get("torch textbook")
    if ref is None:
        return "-"
    parts = []
    for name, out in outs.items():
        if name == "torch textbook":
            continue
        dl = abs(float(out[0]) - float(ref[0])) / abs(float(ref[0]))
        dg = 0.0
        for a, b in zip(out[1:], ref[1:], strict=True):
            a, b = np.asarray(a), np.asarray(b)
            dg = max(dg, float(np.max(np.abs(a - b))) / float(np.max(np.abs(b))))
        parts.append(f"{name}: loss {dl:.1e}, grads {dg:.1e}")
    return "; ".join(parts)


def skip_table(rounds: int) -> None:
    """Accuracy cost and time of ``skip_threshold`` on peaked distributions (a trained model's:
    the logits' spread makes almost every probability tiny), against the exact default."""
    N, D, V = 1024, 128, 16384
    H, W, y = make_inputs(N, D, V, seed=2)
    y = (H @ W).argmax(axis=1)  # targets the model mostly gets right, as after training
    eps32 = float(np.finfo(np.float32).eps)
    print(
        f"\nskip_threshold at (N, D, V) = ({N}, {D}, {V}) float32, logits of spread ~ 24 (peaked):"
        "\nlargest |error| of dH and dW relative to their largest entry, loss error, median time"
    )
    for scale in (8.0,):
        Ws = W * np.float32(scale)
        exact_loss, exact = linear_cross_entropy(H, Ws, y)
        t_exact = statistics.median(
            _timed(lambda Ws=Ws: linear_cross_entropy(H, Ws, y)) for _ in range(rounds)
        )
        print(f"  {'threshold':>12} | {'dH error':>9} {'dW error':>9} {'loss':>7} | {'time':>7}")
        print(f"  {'None':>12} | {0:9.1e} {0:9.1e} {0:7.0e} | {t_exact:6.3f}s")
        for label, thr in (("eps/32", eps32 / 32), ("1e-6", 1e-6), ("1e-4", 1e-4)):
            loss, grads = linear_cross_entropy(H, Ws, y, skip_threshold=thr)
            errs = [
                float(np.max(np.abs(grads[k] - exact[k])) / np.max(np.abs(exact[k])))
                for k in ("H", "W")
            ]
            t = statistics.median(
                _timed(lambda Ws=Ws, thr=thr: linear_cross_entropy(H, Ws, y, skip_threshold=thr))
                for _ in range(rounds)
            )
            print(
                f"  {label:>12} | {errs[0]:9.1e} {errs[1]:9.1e} "
                f"{abs(float(loss - exact_loss)):7.0e} | {t:6.3f}s"
            )


def _timed(f: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small shape, two rounds")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per shape")
    parser.add_argument("--no-skip", action="store_true", help="leave out the skipping table")
    parser.add_argument("--memory-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        name, *dims = args.memory_child
        print(json.dumps(measure_memory_child(name, *map(int, dims))))
        return 0

    shapes = QUICK_SHAPES if args.quick else SHAPES
    rounds = 2 if args.quick else args.rounds
    names = CONTENDERS if torch is not None else ["ours"]
    if torch is not None:
        torch.set_num_threads(TORCH_THREADS)
    meter = BusyMeter()
    print(f"bench_linear_ce  {datetime.date.today().isoformat()}  {platform.machine()}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        + (f"torch {torch.__version__} ({TORCH_THREADS} threads)" if torch else "torch: none")
        + f", {os.cpu_count()} CPUs, load average {meter.load_start:.2f}; OPENBLAS_CORETYPE="
        + f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, OPENBLAS_L2_SIZE="
        + f"{os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}"
    )
    verdicts = []
    for N, D, V in shapes:
        logits = N * V * 4
        threads = _threads_for(N, D, V)
        rows, block, budget = plan_blocks(N, D, V, 4, threads=threads)
        print(
            f"\n(N, D, V) = ({N}, {D}, {V}) float32: one (N, V) logits array = "
            f"{logits / 2**20:.0f} MiB, 1/16 of it = {logits / 16 / 2**20:.1f} MiB; ours: {threads} "
            f"thread(s), blocks of {rows} rows x {block} classes, budget {budget / 2**20:.1f} MiB"
        )
        H, W, y = make_inputs(N, D, V)
        funcs = {name: contender(name, H, W, y) for name in names}
        outs = {name: f() for name, f in funcs.items()}
        print("agreement with torch textbook (max |diff| / max |value|):", agreement(outs))
        del outs
        times = time_rounds(funcs, rounds)
        mem = {name: measure_memory(name, N, D, V) for name in names}
        med = {name: statistics.median(ts) for name, ts in times.items()}
        print(
            f"{'contender':>15} | {'median':>8} {'min':>8} {'max':>8} | {'ours/it':>7} | "
            f"{'tracemalloc':>11} {'RSS':>9} | {'RSS / logits':>12}"
        )
        for name in names:
            ts = times[name]
            tm = mem[name]["tracemalloc"]
            print(
                f"{name:>15} | {med[name]:8.3f} {min(ts):8.3f} {max(ts):8.3f} | "
                f"{med['ours'] / med[name]:7.2f} | "
                f"{(f'{tm / 2**20:8.1f} MiB') if tm is not None else '-':>11} "
                f"{mem[name]['rss'] / 2**20:5.1f} MiB | {mem[name]['rss'] / logits:12.4f}"
            )
        ours_mem = mem["ours"]["tracemalloc"] / logits
        verdicts.append(
            f"  ({N}, {D}, {V}): peak extra memory of ours (tracemalloc) = {ours_mem:.4f} of "
            f"the logits (target <= 0.0625) -> {'MET' if ours_mem <= 1 / 16 else 'NOT MET'}"
        )
        if "torch chunked" in med:
            ratio = med["ours"] / med["torch chunked"]
            per_round = sorted(
                a / b for a, b in zip(times["ours"], times["torch chunked"], strict=True)
            )
            verdicts.append(
                f"  ({N}, {D}, {V}): time ours / torch chunked = {ratio:.2f} (medians; per "
                f"round {per_round[0]:.2f} to {per_round[-1]:.2f}) -> "
                f"{'MET' if ratio <= 1.0 else 'NOT MET'}"
            )
    print("\ntimes in seconds (one call: loss, dH and dW); ours/it = our median / its median")
    if not args.no_skip:
        skip_table(rounds)
    print(meter.report())
    print("\nTargets:")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
