"""Loops against matrix products: the linear softmax classifier's loss and weight gradient.

Times :func:`ce_course.linear_softmax_loss_naive` (a Python loop over the examples and the classes)
and :func:`ce_course.linear_softmax_loss` (two matrix products around the fused cross-entropy) at
CS231n's CIFAR-10 shape, ``N = 500`` examples of ``D = 3073`` features (3072 pixels and a bias
column) and ``C = 10`` classes, then prints both median times, the speed-up, and the largest
differences between their losses and their gradients ``dW``.

Run ``python benchmarks/bench_linear_naive.py`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from _machine import BusyMeter  # benchmarks/_machine.py, next to this script

from ce_course import linear_softmax_loss, linear_softmax_loss_naive

N, D, C = 500, 3073, 10
REG = 5e-6


def median_time(f: Callable[[], object], repeat: int) -> float:
    f()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (fewer repeats)")
    args = parser.parse_args(argv)

    meter = BusyMeter()
    rng = np.random.default_rng(0)
    X = rng.normal(0.0, 64.0, size=(N, D))  # pixel values centred on the mean image
    X[:, -1] = 1.0  # the bias column
    y = rng.integers(0, C, size=N)
    W = 1e-4 * rng.standard_normal((D, C))

    loss_naive, dW_naive = linear_softmax_loss_naive(W, X, y, reg=REG)
    loss_vec, dW_vec = linear_softmax_loss(W, X, y, reg=REG)
    t_naive = median_time(
        lambda: linear_softmax_loss_naive(W, X, y, reg=REG), 3 if args.quick else 7
    )
    t_vec = median_time(lambda: linear_softmax_loss(W, X, y, reg=REG), 20 if args.quick else 200)

    print(f"bench_linear_naive  {datetime.date.today().isoformat()}  numpy {np.__version__}")
    print(f"N = {N}, D = {D}, C = {C}, float64, reg = {REG:g}\n")
    print(f"{'implementation':<28} {'median time':>12}")
    print(f"{'linear_softmax_loss_naive':<28} {t_naive * 1e3:9.2f} ms")
    print(f"{'linear_softmax_loss':<28} {t_vec * 1e3:9.2f} ms")
    print(f"{'speed-up':<28} {t_naive / t_vec:9.0f} x\n")
    print(f"loss: naive {loss_naive:.15f}, vectorized {loss_vec:.15f}")
    print(f"max |loss difference|: {abs(loss_naive - loss_vec):.2e}")
    scale = np.max(np.abs(dW_vec))
    diff = np.max(np.abs(dW_naive - dW_vec))
    print(
        f"max |dW difference|:   {diff:.2e} (max |dW| = {scale:.2e}, relative {diff / scale:.2e})"
    )
    print("\n" + meter.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
