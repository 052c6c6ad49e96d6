"""Accuracy of ``log_softmax``, ``logsumexp``, ``cross_entropy`` and its gradient on hard logits.

Every result is compared with a 50-digit mpmath evaluation of the exact value of the float inputs,
and the error is counted in ulps of the dtype: ``|result - exact| / spacing(round(exact))``. The
rows are chosen to break careless implementations: logits of +-1000 and +-1e4, ties, a single
class, values next to the overflow and underflow thresholds of ``exp`` in each dtype, and
confidently classified rows whose true loss is about 1e-17, far below the spacing of the logits.

The same rows go through PyTorch and ``scipy.special`` when they are installed (SciPy has no
cross-entropy; for it the loss is ``-log_softmax(z)[y]`` and the gradient
``softmax(z) - onehot(y)``, the usual ways to write them; PyTorch's gradient comes from autograd).
Results that are exactly 0 where the true value is not (it rounds to a nonzero number in that
dtype) are counted in the column ``zero`` and listed at the end.

Two more tables follow: rows with ``inf`` and ``nan`` (the values each library returns and the
number of warnings it emits), and the per-row loss of :func:`ce_course.linear_cross_entropy`
against the exact loss of its float inputs.

Run ``python benchmarks/bench_accuracy.py`` (``--quick`` leaves out the 50257-class row).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import numpy as np

import ce_course

try:
    import torch
except ImportError:  # optional comparison
    torch = None
try:
    import scipy
    import scipy.special as sps
except ImportError:  # optional comparison
    scipy = sps = None

MP = mpmath.MPContext()
MP.dps = 50

FUNCTIONS = ("log_softmax", "logsumexp", "cross_entropy", "cross_entropy_grad")
# logsumexp again, its error counted in ulps of the larger of the two terms added (see the note)
LSE_TERMS = "logsumexp (*)"
DTYPES = (np.float64, np.float32)


# ---------------------------------------------------------------------------------------------
# The adversarial rows


@dataclass
class Case:
    name: str
    z: np.ndarray
    target: int  # class of the cross-entropy; the arg max unless stated


def make_cases(dtype: type, quick: bool) -> list[Case]:
    """Named rows of logits in ``dtype``; the target is the arg max unless given."""
    fi = np.finfo(dtype)
    over = float(np.log(fi.max))  # exp overflows above this: 709.78 / 88.72
    under = float(np.log(fi.tiny))  # exp is subnormal below this: -708.40 / -87.34
    gone = float(np.log(fi.smallest_subnormal))  # exp is 0 below about this: -744.4 / -103.3
    rng = np.random.default_rng(1)
    rows: list[tuple[str, list[float] | np.ndarray, int | None]] = [
        ("random N(0, 3^2), C=10", 3 * rng.standard_normal(10), None),
        ("random N(0, 3^2), C=10, wrong class", 3 * rng.standard_normal(10), 0),
        ("+-1000", [1000.0, -1000.0, 0.0, 1.0], None),
        ("+-1000, target -1000", [1000.0, -1000.0, 0.0, 1.0], 1),
        ("+-1e4", [1e4, -1e4, 3.0, 0.0], None),
        ("+-1e4, target 0", [1e4, -1e4, 3.0, 0.0], 3),
        ("1e4 +- small", [1e4, 1e4 - 0.5, 1e4 - 3.0], None),
        ("-1e4 +- small", [-1e4, -1e4 - 0.5, -1e4 - 3.0], None),
        ("ties (5, 5, 5, 5)", [5.0] * 4, None),
        ("ties (1e4, 1e4)", [1e4, 1e4], None),
        ("ties (-1e4 x 3)", [-1e4] * 3, None),
        ("ties (-log 2, -log 2)", [-np.log(2.0)] * 2, None),
        ("single class (3.7)", [3.7], None),
        ("single class (-1e4)", [-1e4], None),
        ("near exp overflow", [over, over - 1.0, over - 30.0], None),
        ("above exp overflow", [over + 1.0, over + 1.0, 0.0], None),
        ("near exp underflow", [under, under - 1.0, under - 10.0], None),
        ("all below exp underflow", [gone - 1.0, gone - 2.0, gone - 5.0], None),
        ("p_1 subnormal", [0.0, gone + 2.0], None),
        ("p_1 subnormal, target 1", [0.0, gone + 2.0], 1),
        ("confident (40, 0, 0)", [40.0, 0.0, 0.0], None),
        ("confident (37, 0)", [37.0, 0.0], None),
        ("confident (20, 1, -3)", [20.0, 1.0, -3.0], None),
        ("confident (100, 0)", [100.0, 0.0], None),
        ("confident (60, 0), target 1", [60.0, 0.0], 1),
        ("confident, 1000 classes", np.concatenate([[45.0], rng.standard_normal(999)]), None),
        ("random N(0, 5^2), C=1000", 5 * rng.standard_normal(1000), None),
    ]
    if not quick:
        rows.append(("random N(0, 2^2), C=50257", 2 * rng.standard_normal(50257), None))
    cases = []
    for name, values, target in rows:
        z = np.asarray(values, dtype=np.float64).astype(dtype)
        cases.append(Case(name, z, int(np.argmax(z)) if target is None else target))
    return cases


# ---------------------------------------------------------------------------------------------
# The 50-digit reference (exact algebra on the exact float inputs, no shortcut of the code tested)


def reference(z: np.ndarray, target: int) -> dict[str, list]:
    """mpmath values of log_softmax (every entry), logsumexp, the loss of ``target`` and its
    gradient ``p - y`` (every entry)."""
    x = [MP.mpf(float(v)) for v in z]
    j = max(range(len(x)), key=lambda k: x[k])
    # logsumexp = z_j + log(1 + sum_{k != j} exp(z_k - z_j)): the small sum is kept exactly
    rest = MP.fsum(MP.exp(x[k] - x[j]) for k in range(len(x)) if k != j)
    lse = x[j] + MP.log1p(rest)
    # log p_k = z_k - lse, except at the arg max, where that difference would cancel
    logp = [x[k] - lse for k in range(len(x))]
    logp[j] = -MP.log1p(rest)
    grad = [MP.exp(v) for v in logp]
    # p_y - 1 = -(sum_{k != y} exp(z_k - z_y)) / (1 + that sum): no cancellation when p_y ~ 1
    rest_y = MP.fsum(MP.exp(x[k] - x[target]) for k in range(len(x)) if k != target)
    grad[target] = -rest_y / (1 + rest_y)
    return {
        "log_softmax": logp,
        "logsumexp": [lse],
        "cross_entropy": [-logp[target]],
        "cross_entropy_grad": grad,
        # logsumexp = max + log(sum exp(z - max)) adds two terms; their size, for LSE_TERMS
        "terms": [max(abs(lse), abs(lse - x[j]))],
    }


# ---------------------------------------------------------------------------------------------
# The implementations compared


def impl_ce_course(z: np.ndarray, target: int) -> dict[str, np.ndarray]:
    return {
        "log_softmax": ce_course.log_softmax(z),
        "logsumexp": np.atleast_1d(ce_course.logsumexp(z)),
        "cross_entropy": np.atleast_1d(ce_course.cross_entropy(z, target)),
        "cross_entropy_grad": ce_course.cross_entropy_grad(z, target),
    }


def impl_torch(z: np.ndarray, target: int) -> dict[str, np.ndarray]:
    t = torch.from_numpy(z)
    x = t.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(x[None], torch.tensor([target]), reduction="none")
    loss.sum().backward()
    return {
        "log_softmax": torch.log_softmax(t, dim=-1).numpy(),
        "logsumexp": np.atleast_1d(torch.logsumexp(t, dim=-1).numpy()),
        "cross_entropy": loss.detach().numpy(),
        "cross_entropy_grad": x.grad.numpy(),
    }


def impl_scipy(z: np.ndarray, target: int) -> dict[str, np.ndarray]:
    logp = sps.log_softmax(z)
    grad = sps.softmax(z)
    grad[target] -= 1
    return {
        "log_softmax": logp,
        "logsumexp": np.atleast_1d(sps.logsumexp(z)),
        "cross_entropy": np.atleast_1d(-logp[target]),
        "cross_entropy_grad": grad,
    }


def implementations() -> dict[str, Callable[[np.ndarray, int], dict[str, np.ndarray]]]:
    impls = {"ce_course": impl_ce_course}
    if torch is not None:
        impls["torch"] = impl_torch
    if sps is not None:
        impls["scipy"] = impl_scipy
    return impls


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Tally:
    ulps: list[float] = field(default_factory=list)
    worst: tuple[float, str] = (-1.0, "")
    zeros: list[tuple[str, str]] = field(default_factory=list)  # (case, true value)
    nonfinite: int = 0


def ulp_error(value: float, exact: object, dtype: type) -> float:
    """``|value - exact|`` in units of the spacing of ``dtype`` at the rounded exact value."""
    if not np.isfinite(value):
        return float("inf")
    rounded = dtype(float(exact))
    spacing = MP.mpf(float(np.spacing(np.abs(rounded))))
    return float(abs(MP.mpf(float(value)) - exact) / spacing)


def record(tally: Tally, err: float, case: str) -> None:
    tally.ulps.append(err)
    if err > tally.worst[0]:
        tally.worst = (err, case)


@dataclass
class LossRow:
    dtype: str
    case: str
    exact: object
    values: dict[str, float] = field(default_factory=dict)  # implementation -> loss returned


def measure(quick: bool) -> tuple[dict[tuple[str, str, str], Tally], list[LossRow]]:
    """Tallies keyed by (function, dtype name, implementation), and every row's loss."""
    impls = implementations()
    tallies: dict[tuple[str, str, str], Tally] = {}
    losses = []
    for dtype in DTYPES:
        dname = np.dtype(dtype).name
        for case in make_cases(dtype, quick):
            ref = reference(case.z, case.target)
            row = LossRow(dname, case.name, ref["cross_entropy"][0])
            losses.append(row)
            for iname, impl in impls.items():
                with np.errstate(all="ignore"):
                    got = impl(case.z.copy(), case.target)
                row.values[iname] = float(got["cross_entropy"][0])
                for fname in FUNCTIONS:
                    tally = tallies.setdefault((fname, dname, iname), Tally())
                    for value, exact in zip(np.ravel(got[fname]), ref[fname], strict=True):
                        record(tally, ulp_error(float(value), exact, dtype), case.name)
                        if not np.isfinite(value):
                            tally.nonfinite += 1
                        if value == 0 and dtype(float(exact)) != 0:
                            tally.zeros.append((case.name, MP.nstr(exact, 3)))
                value = float(got["logsumexp"][0])
                size = MP.mpf(float(np.spacing(dtype(float(ref["terms"][0])))))
                err = float(abs(MP.mpf(value) - ref["logsumexp"][0]) / size)
                record(tallies.setdefault((LSE_TERMS, dname, iname), Tally()), err, case.name)
    return tallies, losses


def fmt_ulps(x: float) -> str:
    if not np.isfinite(x):
        return "inf"
    if x >= 1e4:
        return f"{x:.1e}"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="leave out the 50257-class row")
    args = parser.parse_args(argv)

    print(f"bench_accuracy  {datetime.date.today().isoformat()}")
    versions = [f"numpy {np.__version__}", f"mpmath {mpmath.__version__} (50 digits)"]
    versions.append(f"torch {torch.__version__}" if torch else "torch: not installed")
    versions.append(f"scipy {scipy.__version__}" if scipy else "scipy: not installed")
    print(", ".join(versions))
    ncases = len(make_cases(np.float64, args.quick))
    print(f"{ncases} adversarial rows per dtype; errors in ulps of the dtype\n")

    tallies, losses = measure(args.quick)
    header = (
        f"{'function':<18} {'dtype':<8} {'implementation':<14} | {'max ulp':>8} {'median':>7} "
        f"{'zero':>5} {'inf/nan':>7} | worst row"
    )
    print(header)
    print("-" * (len(header) + 24))
    for fname in (*FUNCTIONS, LSE_TERMS):
        for dtype in DTYPES:
            dname = np.dtype(dtype).name
            for iname in implementations():
                tally = tallies[(fname, dname, iname)]
                worst, where = tally.worst
                zeros = "" if fname == LSE_TERMS else len(tally.zeros)
                nonfinite = "" if fname == LSE_TERMS else tally.nonfinite
                print(
                    f"{fname:<18} {dname:<8} {iname:<14} | {fmt_ulps(worst):>8} "
                    f"{fmt_ulps(statistics.median(tally.ulps)):>7} {zeros:>5} "
                    f"{nonfinite:>7} | {where if worst > 0 else ''}"
                )
        print()
    print(
        "zero = results that are exactly 0 where the true value rounds to a nonzero number;\n"
        "inf/nan = non-finite results (the true values are all finite).\n"
        "(*) logsumexp = m + log(sum_k exp(z_k - m)) cancels when m < 0 and the logarithm is\n"
        "    close to -m: for the row (-log 2, -log 2) the exact value is 2.3e-17 (float64), the\n"
        "    difference of two terms of size 0.69. The rows marked (*) count the error in ulps\n"
        "    of the larger term instead of the tiny result: there the cancellation costs less\n"
        "    than one ulp, and an error above one ulp has another cause.\n"
    )
    names = list(implementations())
    print("Rows whose loss comes out exactly 0 although the true loss is not (marked <<):\n")
    print(f"{'row':<34} {'dtype':<8} {'true loss':>10} " + " ".join(f"{n:>11}" for n in names))
    listed = False
    for row in losses:
        dtype = np.float32 if row.dtype == "float32" else np.float64
        if dtype(float(row.exact)) == 0 or all(v != 0 for v in row.values.values()):
            continue
        listed = True
        cells = " ".join(
            f"{'0 <<' if row.values[n] == 0 else f'{row.values[n]:.3g}':>11}" for n in names
        )
        print(f"{row.case:<34} {row.dtype:<8} {MP.nstr(row.exact, 3):>10} {cells}")
    if not listed:
        print("  none")
    print("\nEvery function's results that are exactly 0 for a nonzero true value, by row:")
    for (fname, dname, iname), tally in tallies.items():
        if not tally.zeros:
            continue
        lines = [f"  {iname:<10} {fname:<18} {dname:<8}"]
        indent = " " * len(lines[0])
        items = [f"[{case}]" for case in sorted({case for case, _ in tally.zeros})]
        for k, item in enumerate(items):
            if len(lines[-1]) + len(item) > 98:  # wrap between items, never inside one
                lines.append(indent)
            lines[-1] += " " + item + (";" if k < len(items) - 1 else "")
        print("\n".join(lines))
    print()
    nonfinite_table()
    print()
    linear_ce_table(args.quick)
    return 0


# ---------------------------------------------------------------------------------------------
# Non-finite rows: the documented rule, and whether anything warns


NONFINITE_ROWS = [
    ("+inf next to 1000", [np.inf, 1000.0], 1),
    ("+inf next to 1000, target +inf", [np.inf, 1000.0], 0),
    ("nan next to 1000", [np.nan, 1000.0], 1),
    ("+inf and -inf", [np.inf, -np.inf], 0),
    ("all -inf", [-np.inf, -np.inf], 0),
    ("masked -inf, target finite", [-np.inf, 0.0, 1.0], 2),
    ("masked -inf, target masked", [-np.inf, 0.0, 1.0], 0),
    ("+-max (spread beyond range)", [1.7e308, -1.7e308], 0),
]


def _quiet_call(f: Callable[[], object]) -> tuple[object, int]:
    """``f()`` and the number of warnings it emitted (FloatingPointError counts as one)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="warn"):
                out = f()
        except FloatingPointError:
            return None, 1
    return out, len(caught)


def nonfinite_table() -> None:
    """softmax, logsumexp and the loss of rows with inf and nan (float64), and warnings."""
    print("Non-finite rows (float64): softmax | logsumexp | cross_entropy | warnings emitted")
    print("(ce_course's documented rule: shift by the largest finite entry, IEEE from there)\n")
    impls: dict[str, Callable[[np.ndarray, int], tuple]] = {
        "ce_course": lambda z, y: (
            ce_course.softmax(z),
            ce_course.logsumexp(z),
            ce_course.cross_entropy(z, y),
        ),
    }
    if torch is not None:

        def torch_row(z: np.ndarray, y: int) -> tuple:
            t = torch.from_numpy(z)
            loss = torch.nn.functional.cross_entropy(t[None], torch.tensor([y]))
            return torch.softmax(t, 0).numpy(), float(torch.logsumexp(t, 0)), float(loss)

        impls["torch"] = torch_row
    if sps is not None:
        impls["scipy"] = lambda z, y: (
            sps.softmax(z),
            sps.logsumexp(z),
            -sps.log_softmax(z)[y],
        )
    for name, row, y in NONFINITE_ROWS:
        z = np.array(row)
        print(f"  {name} {row}, target {y}:")
        for iname, impl in impls.items():
            out, nwarn = _quiet_call(lambda impl=impl, z=z, y=y: impl(z.copy(), y))
            if out is None:
                print(f"    {iname:<10} FloatingPointError")
                continue
            p, lse, loss = out
            p_text = np.array2string(np.asarray(p), precision=3)
            print(f"    {iname:<10} {p_text:<22} {float(lse):<10.4g} {float(loss):<10.4g} {nwarn}")


# ---------------------------------------------------------------------------------------------
# linear_cross_entropy: the loss per row against mpmath, logits computed exactly


def linear_ce_table(quick: bool) -> None:
    """Per-row loss of linear_cross_entropy (blocks of 37 classes) and of PyTorch's
    F.linear + F.cross_entropy, in ulps of the dtype, against the exact loss of the float
    inputs (the logits h . w_k summed exactly by mpmath)."""
    N, D, V = (4, 8, 200) if quick else (6, 16, 1000)
    print(
        f"linear_cross_entropy: loss per row, (N, D, V) = ({N}, {D}, {V}), ulps of the dtype "
        "against the exact value of the float inputs\n"
    )
    print(f"{'logit size':>10} {'dtype':<8} | {'ce_course':>10} {'torch':>10}")
    rng = np.random.default_rng(3)
    for size in (1.0, 30.0, 1000.0):
        for dtype in DTYPES:
            H = rng.standard_normal((N, D)).astype(dtype)
            W = (rng.standard_normal((D, V)) * size / np.sqrt(D)).astype(dtype)
            y = rng.integers(0, V, N)
            ours, _ = ce_course.linear_cross_entropy(H, W, y, reduction="none", block_size=37)
            theirs = None
            if torch is not None:
                theirs = torch.nn.functional.cross_entropy(
                    torch.from_numpy(H) @ torch.from_numpy(W), torch.from_numpy(y), reduction="none"
                ).numpy()
            worst = {"ce_course": 0.0, "torch": 0.0}
            for i in range(N):
                h = [MP.mpf(float(v)) for v in H[i]]
                z = [MP.fsum(h[d] * MP.mpf(float(W[d, k])) for d in range(D)) for k in range(V)]
                m = max(z)
                exact = m + MP.log(MP.fsum(MP.exp(v - m) for v in z)) - z[y[i]]
                worst["ce_course"] = max(worst["ce_course"], ulp_error(ours[i], exact, dtype))
                if theirs is not None:
                    worst["torch"] = max(worst["torch"], ulp_error(theirs[i], exact, dtype))
            tcol = fmt_ulps(worst["torch"]) if theirs is not None else "-"
            print(
                f"{size:>10g} {np.dtype(dtype).name:<8} | {fmt_ulps(worst['ce_course']):>10} "
                f"{tcol:>10}"
            )
    print(
        "\nThe logits themselves are rounded by the matrix product (about sqrt(D) ulps of the\n"
        "largest terms h_d w_dk), which dominates both columns for large logits in float32."
    )


if __name__ == "__main__":
    sys.exit(main())
