"""Speed of the fused ``softmax_cross_entropy`` forward + backward pass.

The contenders compute the mean loss and its gradient ``(P - Y) / N`` for the same logits:

* ``ours``: :func:`ce_course.softmax_cross_entropy`, which splits a large batch among threads
  (one per CPU, NumPy releasing the GIL in its loops); ``ours 1T`` is the same code held to one
  thread, pure single-threaded NumPy;
* ``naive``: the textbook NumPy formula, written plainly (exp, divide by the row sum, a one-hot
  matrix, ``-log``, ``(P - Y) / N``);
* ``torch``: ``torch.nn.functional.cross_entropy`` followed by ``backward()`` on the CPU with two
  threads (skipped when PyTorch is not installed).

They take turns, round after round (a few timed calls each per turn, in a new random order every
round), so that a slow spell of the machine hits all of them alike; the table reports the median of
each and the ratios measured in that same run. The last
columns compare our time with the memory-bandwidth floor: the logits must be read once and the
gradient written once, and the copy bandwidth of this machine is measured at the start with a large
``np.copyto``.

Run ``python benchmarks/bench_softmax_ce.py`` (``--quick`` for a short run). The targets are
checked on the medians; the spread of the per-round ratios (each round runs every contender back
to back) shows how much a busy machine moves them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
from _machine import BusyMeter  # benchmarks/_machine.py, next to this script

from ce_course import losses, softmax_cross_entropy

try:
    import torch
except ImportError:  # the comparison with PyTorch is optional
    torch = None

SHAPES = [(64, 10), (512, 1000), (4096, 1000), (256, 50257)]
DTYPES = [np.float32, np.float64]
TORCH_THREADS = 2
PER_TURN = 3  # timed calls in a row per function and round (after one untimed call)
# (shape, dtype, largest allowed ours/torch ratio)
TARGETS = [
    ((512, 1000), np.float32, 1.0),
    ((4096, 1000), np.float32, 1.0),
    ((256, 50257), np.float32, 0.5),
]
REPORTED = [((64, 10), np.float32)]  # no target: the spread of the ratio is printed as well


def naive_softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[np.generic, np.ndarray]:
    """The formula as written on paper: no shift, a one-hot matrix, the log of every p."""
    N = z.shape[0]
    e = np.exp(z)
    P = e / e.sum(axis=1, keepdims=True)
    Y = np.zeros_like(z)
    Y[np.arange(N), y] = 1
    loss = -np.sum(Y * np.log(P)) / N
    grad = (P - Y) / N
    return loss, grad


def torch_cross_entropy(zt: torch.Tensor, yt: torch.Tensor) -> tuple[float, torch.Tensor]:
    """PyTorch's loss and gradient: a fresh leaf tensor each call, so nothing accumulates."""
    x = zt.detach().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(x, yt)
    loss.backward()
    return loss.detach(), x.grad


def copy_bandwidth(nbytes: int, repeat: int, threads: int) -> float:
    """Bytes per second moved by ``np.copyto`` (read ``nbytes`` + write ``nbytes``).

    With several threads, each copies its own slice (NumPy releases the GIL while copying).
    """
    src = np.ones(nbytes // 8)
    dst = np.zeros_like(src)
    np.copyto(dst, src)  # touch every page first
    cuts = np.linspace(0, src.size, threads + 1).astype(int)
    pieces = [(dst[a:b], src[a:b]) for a, b in pairwise(cuts)]
    times = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in range(repeat):
            start = time.perf_counter()
            list(pool.map(lambda piece: np.copyto(*piece), pieces))
            times.append(time.perf_counter() - start)
    return 2 * src.nbytes / statistics.median(times)


def ours_one_thread(z: np.ndarray, y: np.ndarray) -> tuple[np.generic, np.ndarray]:
    """Our fused pass held to one thread (a private switch of ce_course.losses)."""
    saved = losses._MAX_THREADS
    losses._MAX_THREADS = 1
    try:
        return softmax_cross_entropy(z, y)
    finally:
        losses._MAX_THREADS = saved


def time_round_robin(
    funcs: dict[str, Callable[[], object]], budget: float, min_rounds: int, max_rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median and best wall time of each function, taken in turns so noise hits all alike.

    Each round gives every function a turn, in a new random order: one untimed call (it pays for
    what the previous function left behind: PyTorch's OpenMP threads still spinning, memory just
    handed back to the system), then ``PER_TURN`` timed calls.
    """
    for f in funcs.values():  # warm-up: caches, allocator, lazy imports
        f()
        f()
    start = time.perf_counter()
    for f in funcs.values():
        f()
    one_call_each = time.perf_counter() - start
    rounds = budget / max(one_call_each * (PER_TURN + 1), 1e-9)
    rounds = int(min(max_rounds, max(min_rounds, rounds)))
    times: dict[str, list[float]] = {name: [] for name in funcs}
    order = np.random.default_rng(1)
    for _ in range(rounds):
        for name in order.permutation(list(funcs)):
            f = funcs[name]
            f()
            for _ in range(PER_TURN):
                t0 = time.perf_counter()
                f()
                times[name].append(time.perf_counter() - t0)
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    global LAST_TIMES
    LAST_TIMES = times
    return medians, {name: min(ts) for name, ts in times.items()}


LAST_TIMES: dict[str, list[float]] = {}


def round_ratios(times: dict[str, list[float]], a: str, b: str) -> list[float]:
    """Ratio of the medians of ``a`` and ``b`` within each round (they ran back to back)."""
    ta, tb = times[a], times[b]
    return sorted(
        statistics.median(ta[i : i + PER_TURN]) / statistics.median(tb[i : i + PER_TURN])
        for i in range(0, len(ta), PER_TURN)
    )


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:7.1f} us"
    return f"{seconds * 1e3:7.2f} ms"


def check_agreement(z: np.ndarray, y: np.ndarray, zt: object, yt: object) -> float:
    """Largest difference between our gradient and the others', relative to max |grad|."""
    _, g = softmax_cross_entropy(z, y)
    _, gn = naive_softmax_cross_entropy(z, y)
    diffs = [np.max(np.abs(g - gn))]
    if torch is not None:
        _, gt = torch_cross_entropy(zt, yt)
        diffs.append(np.max(np.abs(g - gt.numpy())))
    return float(max(diffs) / np.max(np.abs(g)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (fewer repeats)")
    parser.add_argument(
        "--shapes", help="only these shapes, e.g. 64x10,512x1000 (default: all of SHAPES)"
    )
    args = parser.parse_args(argv)
    budget, min_rounds, max_rounds = (0.3, 3, 20) if args.quick else (3.0, 7, 200)

    if torch is not None:
        torch.set_num_threads(TORCH_THREADS)
    ncpu = os.cpu_count() or 1
    meter = BusyMeter()
    print(f"bench_softmax_ce  {datetime.date.today().isoformat()}  {platform.machine()}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        + (
            f"torch {torch.__version__} ({TORCH_THREADS} threads)"
            if torch
            else "torch: not installed"
        )
        + f", {ncpu} CPUs, load average {meter.load_start:.2f}"
    )
    nbytes, repeat = (64 if args.quick else 256) * 2**20, 5 if args.quick else 15
    bws = {n: copy_bandwidth(nbytes, repeat, n) for n in sorted({1, min(ncpu, 2)})}
    bw = max(bws.values())
    print(
        "copy bandwidth (np.copyto of "
        + f"{nbytes >> 20} MiB, read + write): "
        + ", ".join(f"{v / 1e9:.1f} GB/s with {n} thread{'s' * (n > 1)}" for n, v in bws.items())
        + f"; the limit below is {bw / 1e9:.1f} GB/s\n"
    )

    header = (
        f"{'shape':>12} {'dtype':>7} | {'ours':>10} {'ours 1T':>10} {'naive':>10} {'torch':>10} | "
        f"{'ours/torch':>10} {'ours/naive':>10} | {'achieved':>9} {'limit':>7} {'of limit':>8} "
        f"| {'max diff':>8}"
    )
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(0)
    ratios: dict[tuple[tuple[int, int], type], float] = {}
    bests: dict[tuple[tuple[int, int], type], dict[str, float]] = {}
    spreads: dict[tuple[tuple[int, int], type], list[float]] = {}
    shapes = SHAPES
    if args.shapes:
        shapes = [tuple(int(v) for v in item.split("x")) for item in args.shapes.split(",")]
    for shape in shapes:
        N, C = shape
        for dtype in DTYPES:
            z = (2 * rng.standard_normal(shape)).astype(dtype)
            y = rng.integers(0, C, size=N)
            funcs: dict[str, Callable[[], object]] = {
                "ours": lambda z=z, y=y: softmax_cross_entropy(z, y),
                "ours 1T": lambda z=z, y=y: ours_one_thread(z, y),
                "naive": lambda z=z, y=y: naive_softmax_cross_entropy(z, y),
            }
            zt = yt = None
            if torch is not None:
                zt, yt = torch.from_numpy(z), torch.from_numpy(y)
                funcs["torch"] = lambda zt=zt, yt=yt: torch_cross_entropy(zt, yt)
            diff = check_agreement(z, y, zt, yt)
            med, best = time_round_robin(funcs, budget, min_rounds, max_rounds)
            moved = 2 * z.nbytes  # read the logits once, write the gradient once
            achieved = moved / med["ours"]
            t_torch = med.get("torch")
            if t_torch is not None:
                ratios[(shape, dtype)] = med["ours"] / t_torch
                bests[(shape, dtype)] = best
                spreads[(shape, dtype)] = round_ratios(LAST_TIMES, "ours", "torch")
            ratio_torch = f"{med['ours'] / t_torch:10.2f}" if t_torch else f"{'-':>10}"
            print(
                f"{shape!s:>12} {np.dtype(dtype).name:>7} | {fmt_time(med['ours']):>10} "
                f"{fmt_time(med['ours 1T']):>10} {fmt_time(med['naive']):>10} "
                f"{fmt_time(t_torch) if t_torch else '-':>10} | {ratio_torch} "
                f"{med['ours'] / med['naive']:10.2f} | {achieved / 1e9:5.1f} GB/s "
                f"{bw / 1e9:5.1f}  {achieved / bw:7.0%} | {diff:8.1e}",
                flush=True,
            )

    print(
        "\nours 1T = ours held to one thread; achieved = (logits read once + gradient written once)"
        " / our median time;\nlimit = copy bandwidth; max diff = largest |grad difference| "
        "against naive and torch, relative to max |grad|.\n"
    )
    print(meter.report())
    print("\nTargets (float32; the verdict uses the medians, the best times are for reference):")
    for shape, dtype, limit in TARGETS:
        if (shape, dtype) not in ratios:
            why = "not measured in this run" if torch is not None else "PyTorch not installed"
            print(f"  {shape} {np.dtype(dtype).name}: no verdict ({why})")
            continue
        ratio, best = ratios[(shape, dtype)], bests[(shape, dtype)]
        met = ratio <= limit
        goal = "no slower than PyTorch" if limit == 1.0 else f"at most {limit:g} x PyTorch's time"
        print(
            f"  {shape} {np.dtype(dtype).name}: {goal}: ours/torch = {ratio:.2f} (medians) -> "
            f"{'MET' if met else 'NOT MET'}"
        )
        print(f"      {spread_text(spreads[(shape, dtype)])}")
        print(
            f"      best times: ours {fmt_time(best['ours']).strip()}, ours 1T "
            f"{fmt_time(best['ours 1T']).strip()}, torch {fmt_time(best['torch']).strip()}; "
            f"ours/torch {best['ours'] / best['torch']:.2f}, "
            f"ours 1T/torch {best['ours 1T'] / best['torch']:.2f}"
        )
    for shape, dtype in REPORTED:
        if (shape, dtype) in ratios:
            best = bests[(shape, dtype)]
            print(
                f"  {shape} {np.dtype(dtype).name} (no target): ours/torch = "
                f"{ratios[(shape, dtype)]:.2f} (medians); {spread_text(spreads[(shape, dtype)])}; "
                f"best times ours {fmt_time(best['ours']).strip()}, torch "
                f"{fmt_time(best['torch']).strip()}"
            )
    return 0


def spread_text(per_round: list[float]) -> str:
    q = np.quantile(per_round, [0.1, 0.5, 0.9])
    return (
        f"per-round ratio ours/torch over {len(per_round)} rounds: 10% {q[0]:.2f}, median "
        f"{q[1]:.2f}, 90% {q[2]:.2f} (min {per_round[0]:.2f}, max {per_round[-1]:.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())
