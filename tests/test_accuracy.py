"""Accuracy of the softmax family against two independent oracles: 50-digit mpmath and PyTorch.

Errors are measured in ulps of the result's dtype against the exact value of the floating-point
inputs (``reference.py``). The bound asserted is

    |ours - ref| <= A ulps + (error inherited from rounding the shift z_k - max(z))

with ``A = 4`` in float64 and ``A = 8`` in float32. The second term is not slack for our code: every
implementation that exponentiates ``z - max(z)`` rounds that difference to the working precision
and ``exp`` turns an absolute error ``d`` of its argument into a relative error ``d`` of its result.
The test computes that rounding exactly for each input (``shift_rounding``) and propagates it to
first order (the derivative of each quantity with respect to the shifted logits). It is exactly 0
for ties, integer logits, dyadic values and entries within a factor 2 of the maximum, which covers
most of the adversarial rows below; for those the bound is a plain ``A`` ulps.

``logsumexp = m + log1p(t)`` cancels when ``m < 0`` and ``log1p(t)`` is close to ``-m`` (the row
``[-log 2, -log 2]`` has ``logsumexp = 2.3e-17``); its ulps are counted relative to
``max(|lse|, |lse - m|)``, the size of the terms that are added.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ce_course as cc

from .reference import (
    MP,
    mp_ce_grad_rows,
    mp_ce_rows,
    mp_log_softmax_row,
    mp_softmax_row,
    shift_rounding,
)

ALLOWED_ULPS = {np.float64: 4.0, np.float32: 8.0}
DTYPES = [np.float64, np.float32]


# ----------------------------------------------------------------------------------------------
# Inputs


def adversarial_rows(dtype: type) -> list[tuple[str, list[float]]]:
    """Rows chosen to break a naive implementation, with the dtype's own overflow thresholds."""
    if dtype is np.float64:
        over, under, huge, far = 709.78, -745.0, 1e300, 1e308
    else:
        over, under, huge, far = 88.72, -103.0, 1e30, 3e38
    return [
        ("pm1000", [1000.0, -1000.0, 0.0]),
        ("minus1000-ties", [-1000.0, -1000.0, -1000.0]),
        ("pm1e4", [1e4, -1e4, 1e4 - 30]),
        ("minus1e4-steps", [-1e4, -1e4 + 1, -1e4 + 2]),
        ("ties", [1.0, 1.0, 1.0, 1.0]),
        ("tie-pair", [5.0, 5.0, -3.0]),
        ("single-class", [3.5]),
        ("single-class-huge", [-1e4]),
        ("exp-overflow-tie", [over, over, 0.0]),
        ("exp-overflow-symmetric", [over, 0.0, -over]),
        ("exp-overflow-ladder", [math.ceil(over), math.ceil(over) - 1, math.ceil(over) - 2]),
        ("exp-underflow-ties", [under, under, under]),
        ("exp-underflow-ladder", [under, under + 1, under + 2]),
        ("exp-underflow-mixed", [under, 0.0, 5.0]),
        ("over-and-under", [over, under, 0.0]),
        ("huge-spread", [huge, 0.0, -1.0]),
        ("spread-beyond-float-max", [far, -far]),
        ("confident-1e-17", [0.0, -39.0, -38.5]),
        ("confident-4e-18", [40.0, 0.0]),
        ("confident-1e-30", [0.0, -69.0, -70.0]),
        ("confident-1e-30b", [69.0, 0.0, -1.0]),
        ("confident-underflow", [0.0, -700.0] if dtype is np.float64 else [0.0, -100.0]),
        ("course-example", [2.0, 1.0, 0.1]),
        ("lse-cancels", [-math.log(2.0), -math.log(2.0)]),
        ("tiny-logits", [1e-300, -1e-300, 0.0] if dtype is np.float64 else [1e-30, -1e-30, 0.0]),
    ]


ADVERSARIAL = [
    pytest.param(dtype, np.array(row, dtype=dtype), id=f"{np.dtype(dtype).name}-{name}")
    for dtype in DTYPES
    for name, row in adversarial_rows(dtype)
]


def random_rows(dtype: type, seed: int = 7) -> list[np.ndarray]:
    """Rows of 1 to 16 classes at scales from 1 to 300 (the shift is rarely exact here)."""
    rng = np.random.default_rng(seed)
    rows = []
    for C in (1, 2, 3, 5, 7, 16):
        for scale in (1.0, 30.0, 300.0):
            for _ in range(2):
                rows.append((scale * rng.standard_normal(C)).astype(dtype))
    return rows


# ----------------------------------------------------------------------------------------------
# Measuring


def _spacing(value: object, dtype: type) -> object:
    with np.errstate(over="ignore"):
        rounded = dtype(float(value))
    return MP.mpf(float(np.spacing(np.abs(rounded))))


def check_close(
    stats,
    function: str,
    dtype: type,
    ours: object,
    ref: object,
    *,
    allowance: object = 0,
    kind: str,
    where: str,
    size: object = None,
) -> None:
    """Assert ``|ours - ref| <= A * spacing(size) + allowance`` and record the ulps measured.

    ``size`` defaults to ``ref``; ``allowance`` is the propagated shift rounding (absolute).
    """
    with np.errstate(over="ignore"):
        ref_rounded = dtype(float(ref))
    ours_f = float(ours)
    if not np.isfinite(ref_rounded) or not np.isfinite(ours_f):
        assert ours_f == float(ref_rounded), f"{function}{where}: {ours_f} vs {ref}"
        return
    spacing = _spacing(ref if size is None else size, dtype)
    err = abs(MP.mpf(ours_f) - ref)
    ulps = float(err / spacing)
    excess = float(max(err - allowance, 0) / spacing)
    stats.record(function, dtype, f"ulps ({kind} rows)", ulps, where)
    stats.record(function, dtype, "ulps beyond shift rounding", excess, where)
    bound = ALLOWED_ULPS[dtype]
    assert excess <= bound, (
        f"{function}{where}: ours {ours_f!r}, reference {MP.nstr(ref, 20)}: {ulps:.2f} ulps, "
        f"{excess:.2f} beyond the shift rounding (allowed {bound})"
    )


def check_abs(stats, function, dtype, ours, ref, *, scale, allowance=0, where) -> None:
    """Assert ``|ours - ref| <= A * eps * scale + allowance`` (for ``p - y`` entries)."""
    unit = MP.mpf(float(np.finfo(dtype).eps)) * MP.mpf(scale)
    err = abs(MP.mpf(float(ours)) - ref)
    units = float(err / unit)
    excess = float(max(err - allowance, 0) / unit)
    stats.record(function, dtype, "|err| / (eps * scale), p - y", units, where)
    assert excess <= ALLOWED_ULPS[dtype], (
        f"{function}{where}: ours {float(ours)!r}, reference {MP.nstr(ref, 20)}: "
        f"{units:.2f} eps (scale {scale})"
    )


class RowReference:
    """The mpmath reference quantities of one row, and the shift rounding of that row."""

    def __init__(self, row: np.ndarray) -> None:
        self.row = row
        self.p = mp_softmax_row(row)
        self.logp = mp_log_softmax_row(row)
        j = int(np.argmax(row))
        self.lse = MP.mpf(float(row[j])) - self.logp[j]  # z_j - log p_j, exact algebra
        self.delta = shift_rounding(row)
        self.spread_term = MP.fsum(pk * dk for pk, dk in zip(self.p, self.delta, strict=True))

    def softmax_allowance(self, k: int, scale: float = 1.0) -> object:
        return MP.mpf(scale) * self.p[k] * (self.delta[k] + self.spread_term)

    def ce_allowance(self, q: list) -> object:
        return MP.fsum((pk + qk) * dk for pk, qk, dk in zip(self.p, q, self.delta, strict=True))


_CACHE: dict[tuple[bytes, str], RowReference] = {}


def reference(row: np.ndarray) -> RowReference:
    key = (row.tobytes(), row.dtype.str)
    if key not in _CACHE:
        _CACHE[key] = RowReference(row)
    return _CACHE[key]


def _where(row: np.ndarray, extra: str = "") -> str:
    text = " ".join(np.array2string(row, precision=4, threshold=6).split())
    return f"{text}{extra}"


def check_softmax_family(stats, row: np.ndarray, kind: str) -> None:
    dtype = row.dtype.type
    ref = reference(row)
    sm, ls, lse = cc.softmax(row), cc.log_softmax(row), cc.logsumexp(row)
    assert sm.dtype == ls.dtype == lse.dtype == row.dtype
    m = MP.mpf(float(row.max()))
    check_close(
        stats,
        "logsumexp",
        dtype,
        lse,
        ref.lse,
        allowance=ref.spread_term,
        kind=kind,
        where=_where(row),
        size=max(abs(ref.lse), abs(ref.lse - m)),
    )
    for k in range(row.size):
        where = _where(row, f"[{k}]")
        check_close(
            stats,
            "softmax",
            dtype,
            sm[k],
            ref.p[k],
            allowance=ref.softmax_allowance(k),
            kind=kind,
            where=where,
        )
        check_close(
            stats,
            "log_softmax",
            dtype,
            ls[k],
            ref.logp[k],
            allowance=ref.spread_term,
            kind=kind,
            where=where,
        )


def check_cross_entropy_rows(
    stats,
    logits: np.ndarray,
    target: np.ndarray,
    kind: str,
    label_smoothing: float = 0.0,
) -> None:
    """Every reduction of the loss and of the gradient against mpmath, row by row."""
    dtype = logits.dtype.type
    N, C = logits.shape
    tag = "" if not label_smoothing else f", label_smoothing={label_smoothing}"
    soft = target.ndim == 2
    name = "cross_entropy" + (" (soft target)" if soft else "") + tag
    ref_rows = mp_ce_rows(logits, target, label_smoothing)
    ref_grads = mp_ce_grad_rows(logits, target, label_smoothing)
    refs = [reference(row) for row in logits]
    q_rows = [
        [pk - gk for pk, gk in zip(r.p, g, strict=True)]
        for r, g in zip(refs, ref_grads, strict=True)
    ]
    allow = [r.ce_allowance(q) for r, q in zip(refs, q_rows, strict=True)]

    kw = dict(reduction="none", label_smoothing=label_smoothing)
    none = cc.cross_entropy(logits, target, **kw)
    assert none.shape == (N,) and none.dtype == logits.dtype
    for i in range(N):
        where = _where(logits[i], f", target {target[i]}, reduction='none'")
        check_close(
            stats, name, dtype, none[i], ref_rows[i], allowance=allow[i], kind=kind, where=where
        )

    total = MP.fsum(ref_rows)
    finite_rows = all(abs(r) < np.finfo(dtype).max for r in ref_rows)
    for reduction, ref, allowance in (
        ("sum", total, MP.fsum(allow)),
        ("mean", total / N, MP.fsum(allow) / N),
    ):
        if not finite_rows:  # a row loss overflows (spread > max float): so does their sum
            break
        ours = cc.cross_entropy(
            logits, target, reduction=reduction, label_smoothing=label_smoothing
        )
        assert np.ndim(ours) == 0 and ours.dtype == logits.dtype
        where = _where(logits[0], f"... ({N} rows), reduction={reduction!r}")
        check_close(stats, name, dtype, ours, ref, allowance=allowance, kind=kind, where=where)

    gname = name.replace("cross_entropy", "cross_entropy_grad")
    for reduction, scale in (("none", 1.0), ("sum", 1.0), ("mean", 1.0 / N)):
        grad = cc.cross_entropy_grad(
            logits, target, reduction=reduction, label_smoothing=label_smoothing
        )
        assert grad.shape == logits.shape and grad.dtype == logits.dtype
        for i in range(N):
            for k in range(C):
                where = _where(logits[i], f"[{k}], target {target[i]}, reduction={reduction!r}")
                ref = ref_grads[i][k] * MP.mpf(scale)
                allowance = refs[i].softmax_allowance(k, scale)
                if q_rows[i][k] == 0:  # no cancellation: p_k itself, to a few ulps
                    check_close(
                        stats,
                        gname,
                        dtype,
                        grad[i, k],
                        ref,
                        allowance=allowance,
                        kind=kind,
                        where=where,
                    )
                else:  # p_k - q_k may cancel: an absolute bound relative to the scale
                    check_abs(
                        stats,
                        gname,
                        dtype,
                        grad[i, k],
                        ref,
                        scale=scale,
                        allowance=allowance,
                        where=where,
                    )


# ----------------------------------------------------------------------------------------------
# mpmath oracle


@pytest.mark.parametrize(("dtype", "row"), ADVERSARIAL)
def test_softmax_family_adversarial_rows(dtype, row, ulp_stats):
    check_softmax_family(ulp_stats, row, "adversarial")


@pytest.mark.parametrize(("dtype", "row"), ADVERSARIAL)
def test_cross_entropy_adversarial_rows_every_label(dtype, row, ulp_stats):
    # One copy of the row per label: confident right answers and confident wrong ones.
    C = row.size
    logits = np.tile(row, (C, 1))
    check_cross_entropy_rows(ulp_stats, logits, np.arange(C), "adversarial")


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family_random_rows(dtype, ulp_stats):
    for row in random_rows(dtype):
        check_softmax_family(ulp_stats, row, "random")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target_kind", ["labels", "soft"])
def test_cross_entropy_random_batches(dtype, label_smoothing, target_kind, ulp_stats):
    rng = np.random.default_rng(11)
    for C, scale in ((2, 3.0), (5, 30.0), (12, 8.0)):
        N = 4
        logits = (scale * rng.standard_normal((N, C))).astype(dtype)
        if target_kind == "labels":
            target = rng.integers(0, C, N)
        else:
            w = rng.random((N, C)) ** 3
            target = w / w.sum(axis=1, keepdims=True)
        check_cross_entropy_rows(ulp_stats, logits, target, "random", label_smoothing)


def _tail(row: list[float]) -> float:
    """``sum_{k>0} exp(z_k - z_0)``: the loss of class 0 to first order, ``log1p(t) ~ t``."""
    return sum(math.exp(v - row[0]) for v in row[1:])


# Rows whose class 0 wins by a mile, with the approximate size of its loss.
TINY_LOSSES = {
    np.float64: [
        (row, _tail(row))
        for row in (
            [40.0, 0.0],
            [0.0, -39.0, -38.5],
            [69.0, 0.0, -1.0],
            [0.0, -69.0, -70.0],
            [0.0, -700.0],
        )
    ],
    np.float32: [
        (row, _tail(row))
        for row in ([40.0, 0.0], [0.0, -39.0, -38.5], [0.0, -69.0, -70.0], [0.0, -100.0])
    ],
}


@pytest.mark.parametrize("dtype", DTYPES)
def test_tiny_losses_keep_their_true_value(dtype, ulp_stats):
    """A confidently right row has a loss of 1e-17 or 1e-30, not 0."""
    for row, approx in TINY_LOSSES[dtype]:
        z = np.array(row, dtype=dtype)
        ref = mp_ce_rows(z[np.newaxis], np.array([0]))[0]
        assert math.isclose(float(ref), approx, rel_tol=1e-9)  # the oracle agrees with t
        with np.errstate(divide="ignore"):
            naive = -np.log(cc.softmax(z)[0])
        assert naive == 0  # the probability rounds to 1, its log to 0: what we must avoid
        for ours in (
            cc.cross_entropy(z, 0),
            cc.cross_entropy(z[np.newaxis], [0], reduction="none")[0],
            cc.softmax_cross_entropy(z, 0)[0],
            -cc.log_softmax(z)[0],
        ):
            assert ours > 0, f"loss of {row} rounded to 0; true value {float(ref):.3e}"
        loss = cc.cross_entropy(z, 0)
        check_close(
            ulp_stats,
            "cross_entropy (tiny loss)",
            dtype,
            loss,
            ref,
            kind="tiny-loss",
            where=_where(z),
        )


def test_spread_beyond_float_range_rounds_like_the_true_value():
    # The true log-probability -2e308 is below -max float: -inf is its correct rounding.
    z = np.array([1e308, -1e308])
    np.testing.assert_array_equal(cc.softmax(z), [1.0, 0.0])
    np.testing.assert_array_equal(cc.log_softmax(z), [0.0, -np.inf])
    assert cc.logsumexp(z) == 1e308
    assert cc.cross_entropy(z, 0) == 0.0
    assert cc.cross_entropy(z, 1) == np.inf
    np.testing.assert_array_equal(cc.cross_entropy_grad(z, 1), [1.0, -1.0])


# ----------------------------------------------------------------------------------------------
# PyTorch oracle


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


TORCH_TOL = {np.float64: dict(rtol=1e-12, atol=1e-14), np.float32: dict(rtol=2e-5, atol=2e-6)}
SHAPES = [(1, 1), (4, 3), (17, 10), (8, 300)]


def _logits(shape: tuple[int, int], dtype: type, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape) * rng.choice([0.1, 3.0, 30.0], size=(shape[0], 1))
    return z.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_family_matches_torch(torch, dtype, shape):
    z = _logits(shape, dtype, seed=shape[0] * 1000 + shape[1])
    t = torch.from_numpy(z)
    tol = TORCH_TOL[dtype]
    np.testing.assert_allclose(cc.softmax(z), torch.softmax(t, dim=-1).numpy(), **tol)
    np.testing.assert_allclose(cc.log_softmax(z), torch.log_softmax(t, dim=-1).numpy(), **tol)
    np.testing.assert_allclose(cc.logsumexp(z), torch.logsumexp(t, dim=-1).numpy(), **tol)
    np.testing.assert_allclose(
        cc.softmax(z, axis=0), torch.softmax(t, dim=0).numpy(), **tol
    )  # the other axis too


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("target_kind", ["labels", "soft"])
def test_cross_entropy_and_autograd_gradient_match_torch(
    torch, dtype, shape, reduction, label_smoothing, target_kind
):
    N, C = shape
    seed = N * 1000 + C
    z = _logits(shape, dtype, seed)
    rng = np.random.default_rng(seed + 1)
    if target_kind == "labels":
        target = rng.integers(0, C, N)
        t_target = torch.from_numpy(target)
    else:
        w = rng.random((N, C)) ** 2 + 1e-3
        target = (w / w.sum(axis=1, keepdims=True)).astype(dtype)
        t_target = torch.from_numpy(target)

    t = torch.from_numpy(z.copy()).requires_grad_(True)
    t_loss = torch.nn.functional.cross_entropy(
        t, t_target, reduction=reduction, label_smoothing=label_smoothing
    )
    t_loss.sum().backward()  # for "none", the gradient of the sum is row i's gradient in row i
    kw = dict(reduction=reduction, label_smoothing=label_smoothing)
    loss = cc.cross_entropy(z, target, **kw)
    grad = cc.cross_entropy_grad(z, target, **kw)
    fused_loss, fused_grad = cc.softmax_cross_entropy(z, target, **kw)

    tol = TORCH_TOL[dtype]
    np.testing.assert_allclose(loss, t_loss.detach().numpy(), **tol)
    np.testing.assert_allclose(grad, t.grad.numpy(), **tol)
    np.testing.assert_array_equal(fused_loss, loss)
    np.testing.assert_array_equal(fused_grad, grad)
    assert np.asarray(loss).dtype == grad.dtype == z.dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_tiny_losses_where_torch_returns_zero(torch, dtype, ulp_stats):
    """PyTorch's ``x - max - log(sum(exp(x - max)))`` rounds a 1e-17 loss to exactly 0; we don't.

    Whatever PyTorch returns, ours is at least as close to the mpmath value (or within A ulps).
    """
    zero_rows = 0
    for row, _ in TINY_LOSSES[dtype]:
        z = np.array([row], dtype=dtype)
        ref = mp_ce_rows(z, np.array([0]))[0]
        theirs = float(torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.tensor([0])))
        ours = float(cc.cross_entropy(z, [0]))
        zero_rows += theirs == 0.0
        err_ours = abs(MP.mpf(ours) - ref)
        err_theirs = abs(MP.mpf(theirs) - ref)
        assert ours > 0
        assert err_ours <= max(err_theirs, ALLOWED_ULPS[dtype] * _spacing(ref, dtype))
    ulp_stats.record(
        "torch cross_entropy = 0 on",
        dtype,
        "tiny-loss rows (count)",
        zero_rows,
        f"of {len(TINY_LOSSES[dtype])} rows with true loss 1e-17 to 1e-44",
    )
