"""Tests of :func:`ce_course.linear_cross_entropy`: the blocked loss and gradients of a linear
layer's cross-entropy against the materialised textbook path and PyTorch, accuracy of float32 on
large logits, the memory bound, the skipping option and every error."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from ce_course import cross_entropy, cross_entropy_grad, linear_cross_entropy
from ce_course.linear_ce import plan_blocks

torch = pytest.importorskip("torch")
F = torch.nn.functional


def textbook(H, W, y, bias=None, reduction="mean", label_smoothing=0.0):
    """Materialise the logits in float64 and use the package's loss and gradient."""
    H, W = np.asarray(H, np.float64), np.asarray(W, np.float64)
    Z = H @ W + (0 if bias is None else np.asarray(bias, np.float64))
    loss = cross_entropy(Z, y, reduction=reduction, label_smoothing=label_smoothing)
    G = cross_entropy_grad(Z, y, reduction=reduction, label_smoothing=label_smoothing)
    grads = {"H": G @ W.T, "W": H.T @ G}
    if bias is not None:
        grads["b"] = G.sum(axis=0)
    return loss, grads


def torch_path(H, W, y, bias=None, reduction="mean", label_smoothing=0.0):
    """PyTorch float64: F.linear + F.cross_entropy + backward (of the sum for "none")."""
    Ht = torch.tensor(np.asarray(H, np.float64), requires_grad=True)
    Wt = torch.tensor(np.asarray(W, np.float64).T.copy(), requires_grad=True)
    bt = None if bias is None else torch.tensor(np.asarray(bias, np.float64), requires_grad=True)
    loss = F.cross_entropy(
        F.linear(Ht, Wt, bt), torch.tensor(y), reduction=reduction, label_smoothing=label_smoothing
    )
    loss.sum().backward()
    grads = {"H": Ht.grad.numpy(), "W": Wt.grad.numpy().T}
    if bias is not None:
        grads["b"] = bt.grad.numpy()
    return loss.detach().numpy(), grads


def problem(rng, N, D, V, scale=2.0, bias=False, dtype=np.float64):
    H = (rng.normal(size=(N, D)) * scale).astype(dtype)
    W = rng.normal(size=(D, V)).astype(dtype)
    y = rng.integers(0, V, N)
    b = rng.normal(size=V).astype(dtype) if bias else None
    return H, W, y, b


def assert_close(got, want, rtol=1e-11, atol=1e-13):
    loss, grads = got
    loss_w, grads_w = want
    np.testing.assert_allclose(loss, loss_w, rtol=rtol, atol=atol)
    assert grads.keys() == grads_w.keys()
    for key in grads:
        assert grads[key].shape == grads_w[key].shape, key
        np.testing.assert_allclose(grads[key], grads_w[key], rtol=rtol, atol=atol, err_msg=key)


# ----------------------------------------------------------------------------------------------
# Values against the materialised path and PyTorch


@pytest.mark.parametrize("block_size", [1, 3, 7, 13, 20, None])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("bias", [False, True])
def test_matches_textbook_and_torch(rng, block_size, reduction, label_smoothing, bias):
    H, W, y, b = problem(rng, 9, 5, 13, bias=bias)
    kw = {"bias": b, "reduction": reduction, "label_smoothing": label_smoothing}
    got = linear_cross_entropy(H, W, y, block_size=block_size, **kw)
    assert_close(got, textbook(H, W, y, **kw))
    assert_close(got, torch_path(H, W, y, **kw))


@pytest.mark.parametrize(
    ("N", "D", "V"), [(1, 4, 9), (6, 3, 1), (1, 1, 1), (5, 1, 8), (40, 16, 300)]
)
@pytest.mark.parametrize("block_size", [1, 2, None])
def test_edge_shapes(rng, N, D, V, block_size):
    H, W, y, b = problem(rng, N, D, V, bias=True)
    for ls in (0.0, 0.25):
        got = linear_cross_entropy(H, W, y, bias=b, label_smoothing=ls, block_size=block_size)
        assert_close(got, torch_path(H, W, y, bias=b, label_smoothing=ls))


def test_one_class_has_zero_loss_and_gradient():
    loss, grads = linear_cross_entropy(np.ones((3, 2)), np.ones((2, 1)), [0, 0, 0])
    assert loss == 0
    assert not grads["H"].any() and not grads["W"].any()


def test_row_chunks_from_a_small_budget(rng):
    """A budget too small for all rows with a 256-wide block makes it take rows in chunks."""
    H, W, y, b = problem(rng, 64, 8, 600, bias=True)
    rows, block, _ = plan_blocks(64, 8, 600, 8, memory_budget=40_000)
    assert rows < 64 and block >= 256
    for ls in (0.0, 0.2):
        got = linear_cross_entropy(H, W, y, bias=b, label_smoothing=ls, memory_budget=40_000)
        assert_close(got, textbook(H, W, y, bias=b, label_smoothing=ls))
    # the fused path (one block holds every class) with a few rows at a time
    got = linear_cross_entropy(H, W, y, bias=b, block_size=600, memory_budget=50_000)
    assert_close(got, textbook(H, W, y, bias=b))


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_threads_split_the_vocabulary_and_agree(rng, monkeypatch, bias, label_smoothing):
    """Several threads, each with a part of the vocabulary (merged online log-sum-exp states),
    and rows in chunks: the same values as one thread, OpenBLAS's thread count restored."""
    from ce_course import _linear_ce_kernel as kernel
    from ce_course import linear_ce

    H, W, y, b = problem(rng, 96, 8, 1100, bias=bias)
    kw = {"bias": b, "label_smoothing": label_smoothing}
    one = linear_cross_entropy(H, W, y, **kw)
    monkeypatch.setattr(linear_ce, "_MIN_WORK_PER_THREAD", 1)
    monkeypatch.setattr(linear_ce.os, "sched_getaffinity", lambda pid: set(range(3)), raising=False)
    blas = kernel._openblas()
    before = blas[0]() if blas else None
    for budget in (None, 60_000):  # all rows at once; rows in chunks
        assert linear_ce._threads_for(96, 8, 1100) == (3 if blas else 1)
        got = linear_cross_entropy(H, W, y, memory_budget=budget, **kw)
        assert_close(got, one, rtol=1e-12, atol=1e-14)
        assert_close(got, textbook(H, W, y, **kw))
    if blas:
        assert blas[0]() == before
    # A threshold with threads: exact when 0
    got = linear_cross_entropy(H, W, y, skip_threshold=0.0, **kw)
    assert_close(got, one, rtol=1e-12, atol=1e-14)


def test_plan_blocks_respects_the_budget():
    for N, D, V, item in [(2048, 512, 32768, 4), (4096, 256, 50257, 4), (100, 10, 50, 8)]:
        rows, block, budget = plan_blocks(N, D, V, item)
        assert 1 <= rows <= N and 1 <= block <= V
        assert rows * (block + D) * item <= budget or block == V
    assert plan_blocks(10, 4, 100, 8, block_size=7)[1] == 7
    assert plan_blocks(10, 4, 100, 8, block_size=1000)[1] == 100


def test_dtypes_float32_stays_float32(rng):
    H, W, y, b = problem(rng, 8, 4, 30, bias=True, dtype=np.float32)
    loss, grads = linear_cross_entropy(H, W, y, bias=b, block_size=7)
    assert loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    loss64, _ = linear_cross_entropy(H, W.astype(np.float64), y, bias=b)
    assert loss64.dtype == np.float64
    loss_i, _ = linear_cross_entropy(np.ones((2, 3), int), np.ones((3, 4), int), [0, 1])
    assert loss_i.dtype == np.float64
    assert float(loss_i) == pytest.approx(np.log(4))


def test_confident_rows_keep_their_tiny_loss_and_gradient():
    """A row classified with margin 40 has loss ~ 4e-18 per competitor: not rounded to 0."""
    H = np.array([[40.0, 0.0], [0.0, 1.0]])
    W = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    y = np.array([0, 1])
    loss, grads = linear_cross_entropy(H, W, y, reduction="none", block_size=1)
    want = cross_entropy(H @ W, y, reduction="none")
    np.testing.assert_allclose(loss, want, rtol=1e-15)
    assert loss[0] == pytest.approx(2 * np.exp(-40.0), rel=1e-12)
    G = cross_entropy_grad(H @ W, y, reduction="sum")
    np.testing.assert_allclose(grads["W"], H.T @ G, rtol=1e-14, atol=0)


# ----------------------------------------------------------------------------------------------
# float32 on large logits, against a float64 truth


@pytest.mark.parametrize("logit_scale", [1.0, 30.0, 1000.0])
def test_float32_large_logits_against_float64_truth(rng, logit_scale):
    """float32 errors stay at the level of rounding the logits themselves (as PyTorch's do)."""
    N, D, V = 64, 16, 500
    H = rng.normal(size=(N, D)).astype(np.float32)
    W = (rng.normal(size=(D, V)) * logit_scale / 4).astype(np.float32)
    b = (rng.normal(size=V) * logit_scale).astype(np.float32)
    y = rng.integers(0, V, N)
    want = torch_path(H, W, y, bias=b, label_smoothing=0.1)  # float64 truth of float32 data
    loss, grads = linear_cross_entropy(H, W, y, bias=b, label_smoothing=0.1, block_size=37)
    assert loss.dtype == np.float32
    # PyTorch's float32 error on the same data is the yardstick of what float32 can do here.
    Ht = torch.tensor(H, requires_grad=True)
    Wt = torch.tensor(W.T.copy(), requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    lt = F.cross_entropy(F.linear(Ht, Wt, bt), torch.tensor(y), label_smoothing=0.1)
    lt.backward()
    torch_grads = {"H": Ht.grad.numpy(), "W": Wt.grad.numpy().T, "b": bt.grad.numpy()}
    eps32 = float(np.finfo(np.float32).eps)
    assert abs(float(loss) - float(want[0])) <= 64 * eps32 * abs(float(want[0]))
    for key in grads:
        scale = np.abs(want[1][key]).max()
        ours = np.abs(grads[key] - want[1][key]).max() / scale
        theirs = np.abs(torch_grads[key] - want[1][key]).max() / scale
        assert ours <= max(4 * theirs, 64 * eps32), (key, ours, theirs)


def test_float32_huge_logits_do_not_overflow(rng):
    """Logits near 1e30 in float32: exp of the naive path overflows, ours stays finite."""
    H = rng.normal(size=(4, 3)).astype(np.float32)
    W = (rng.normal(size=(3, 20)) * 1e30).astype(np.float32)
    y = np.array([0, 5, 10, 19])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            loss, grads = linear_cross_entropy(H, W, y, block_size=6)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
    want = textbook(H, W, y)
    np.testing.assert_allclose(loss, want[0], rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# Memory


def test_peak_memory_is_a_small_fraction_of_the_logits(rng):
    """tracemalloc peak minus the returned gradients: at most 1/16 of one (N, V) logits array."""
    N, D, V = 512, 32, 8192  # float64 logits: 32 MiB
    H, W, y, b = problem(rng, N, D, V, bias=True)
    linear_cross_entropy(H[:4], W, y[:4], bias=b)  # warm up lazy allocations
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        loss, grads = linear_cross_entropy(H, W, y, bias=b, label_smoothing=0.1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    returned = sum(g.nbytes for g in grads.values())
    logits = N * V * 8
    assert peak - returned <= logits / 16, (peak - returned, logits / 16)
    assert_close((loss, grads), textbook(H, W, y, bias=b, label_smoothing=0.1))


# ----------------------------------------------------------------------------------------------
# Skipping small probabilities


def test_skip_threshold_zero_is_exact_and_skipping_is_bounded(rng):
    N, D, V = 32, 8, 400
    H = rng.normal(size=(N, D)) * 6  # peaked distributions: most probabilities are tiny
    W = rng.normal(size=(D, V))
    y = rng.integers(0, V, N)
    exact = linear_cross_entropy(H, W, y, block_size=50)
    assert_close(linear_cross_entropy(H, W, y, block_size=50, skip_threshold=0.0), exact)
    thr = 1e-6
    loss, grads = linear_cross_entropy(H, W, y, block_size=50, skip_threshold=thr)
    assert loss == exact[0]  # the loss is never approximated
    # Each dropped entry of (P - Y)/N is below thr/N; at most V per row.
    G_err_bound = V * thr / N
    err_H = np.abs(grads["H"] - exact[1]["H"]).max()
    assert err_H <= G_err_bound * np.abs(W).max() * V
    err_W = np.abs(grads["W"] - exact[1]["W"]).max()
    assert err_W <= thr / N * np.abs(H).sum(axis=0).max()
    assert err_W > 0 or err_H > 0  # something was skipped with this peaked data


# ----------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        ((np.ones(3), np.ones((3, 2)), [0]), {}, r"H must have shape \(N, D\), got shape \(3,\)"),
        ((np.ones((2, 3)), np.ones(3), [0, 1]), {}, r"W must have shape \(D, V\)"),
        ((np.ones((2, 3)), np.ones((4, 2)), [0, 1]), {}, r"W of shape \(4, 2\) does not match H"),
        ((np.ones((2, 3)), np.ones((3, 0)), [0, 1]), {}, r"W has no classes"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 4]), {}, r"target 4 out of range for 4 classes"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, -1]), {}, r"target -1 is negative"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0.5, 1]), {}, r"target 0.5 is not a whole number"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 1, 2]), {}, r"target must be class indices of"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 1]), {"bias": np.ones(3)}, r"bias must have"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 1]), {"reduction": "avg"}, r"unknown reduction"),
        (
            (np.ones((2, 3)), np.ones((3, 4)), [0, 1]),
            {"label_smoothing": 1.5},
            r"label_smoothing must be in \[0, 1\]",
        ),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 1]), {"block_size": 0}, r"block_size must be"),
        ((np.ones((2, 3)), np.ones((3, 4)), [0, 1]), {"block_size": 2.0}, r"block_size must be"),
        (
            (np.ones((2, 3)), np.ones((3, 4)), [0, 1]),
            {"memory_budget": -1},
            r"memory_budget must be",
        ),
        (
            (np.ones((2, 3)), np.ones((3, 4)), [0, 1]),
            {"skip_threshold": 2.0},
            r"skip_threshold must be",
        ),
        ((np.full((2, 3), np.nan), np.ones((3, 4)), [0, 1]), {}, r"H contains nan or inf"),
        ((np.ones((2, 3)), np.full((3, 4), np.inf), [0, 1]), {}, r"W contains nan or inf"),
        ((np.ones((2, 3)) * 1j, np.ones((3, 4)), [0, 1]), {}, r"H must be real"),
        ((np.ones((2, 3)), np.ones((3, 4)), ["a", "b"]), {}, r"target must hold integer"),
        ((np.ones((0, 3)), np.ones((3, 4)), []), {}, r"mean over an empty batch"),
        ((np.array([["a"]]), np.ones((1, 4)), [0]), {}, r"H must hold numbers"),
    ],
)
def test_errors_name_function_argument_and_value(args, kwargs, pattern):
    with pytest.raises(ValueError, match=r"^linear_cross_entropy: .*" + pattern):
        linear_cross_entropy(*args, **kwargs)


def test_empty_batch_with_sum():
    loss, grads = linear_cross_entropy(np.ones((0, 3)), np.ones((3, 4)), [], reduction="sum")
    assert loss == 0 and grads["H"].shape == (0, 3) and not grads["W"].any()
