"""Unit tests of :mod:`ce_course.losses`: one-hot, the loss, its gradient, the fused pass, the
clipped loss from probabilities, target forms, reductions, label smoothing and every error."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from ce_course import (
    cross_entropy,
    cross_entropy_from_probs,
    cross_entropy_grad,
    log_softmax,
    one_hot,
    softmax,
    softmax_cross_entropy,
)
from tests.test_softmax import assert_rule, special_grid, strict

LOSS_FUNCS = [cross_entropy, cross_entropy_grad, softmax_cross_entropy]


def py_ce(row: list[float], label: int) -> float:
    """``-log softmax(row)[label]`` in Python floats, for small logits."""
    return math.log(math.fsum(math.exp(v) for v in row)) - row[label]


@pytest.fixture
def batch(rng):
    z = rng.normal(size=(6, 4)) * 2
    y = np.array([0, 3, 1, 1, 2, 0])
    return z, y


# ----------------------------------------------------------------------------------------------
# one_hot


def test_one_hot_values_shapes_and_dtype():
    np.testing.assert_array_equal(one_hot([0, 2], 3), [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(one_hot(1, 3), [0, 1, 0])
    assert one_hot([[0, 1], [2, 2]], 3).shape == (2, 2, 3)
    assert one_hot([0, 1], 2).dtype == np.float64
    assert one_hot([0, 1], 2, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])
    assert one_hot(np.zeros(0, dtype=int), 4).shape == (0, 4)


@pytest.mark.parametrize(
    ("y", "C", "pattern"),
    [
        ([0, 3], 3, r"^one_hot: y 3 out of range for 3 classes"),
        ([0, -1], 3, r"^one_hot: y -1 is negative"),
        ([0.5], 3, r"^one_hot: y 0.5 is not a whole number"),
        ([True], 3, r"^one_hot: y must hold integer class indices, got booleans"),
        (["a"], 3, r"^one_hot: y must hold integer class indices, got dtype <U1"),
        ([0], 0, r"^one_hot: num_classes must be a positive int, got 0"),
        ([0], 2.0, r"^one_hot: num_classes must be a positive int, got 2.0"),
        ([0], True, r"^one_hot: num_classes must be a positive int, got True"),
    ],
)
def test_one_hot_errors(y, C, pattern):
    with pytest.raises(ValueError, match=pattern):
        one_hot(y, C)


# ----------------------------------------------------------------------------------------------
# Values


def test_course_examples():
    assert float(cross_entropy([2.0, 1.0, 0.1], 0)) == pytest.approx(
        py_ce([2.0, 1.0, 0.1], 0), rel=1e-15
    )
    assert round(float(cross_entropy([2.0, 1.0, 0.1], 0)), 6) == 0.417030
    # Uniform scores: the loss is log C whatever the label.
    for C in (2, 10, 1000):
        loss = cross_entropy(np.zeros((3, C)), [0, C - 1, C // 2])
        assert loss == pytest.approx(math.log(C), rel=1e-15)
    # A confident wrong answer costs exactly the margin (no -log(0) = inf).
    assert cross_entropy([0.0, 800.0], 0) == 800.0
    assert cross_entropy([0.0, 800.0], 1) == 0.0


def test_loss_matches_log_softmax_and_python(batch):
    z, y = batch
    rows = cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(rows, -log_softmax(z)[np.arange(6), y], rtol=1e-15)
    np.testing.assert_allclose(rows, [py_ce(list(r), k) for r, k in zip(z, y, strict=True)],
                               rtol=1e-14)  # fmt: skip


def test_reductions_are_consistent(batch):
    z, y = batch
    rows = cross_entropy(z, y, reduction="none")
    assert rows.shape == (6,)
    assert cross_entropy(z, y, reduction="sum") == pytest.approx(rows.sum(), rel=1e-15)
    assert cross_entropy(z, y) == pytest.approx(rows.mean(), rel=1e-15)
    g_sum = cross_entropy_grad(z, y, reduction="sum")
    np.testing.assert_allclose(cross_entropy_grad(z, y), g_sum / 6, rtol=1e-15)
    np.testing.assert_array_equal(cross_entropy_grad(z, y, reduction="none"), g_sum)
    # One example with (C,) logits: a scalar loss for every reduction, a (C,) gradient.
    for reduction in ("mean", "sum", "none"):
        assert np.ndim(cross_entropy(z[0], y[0], reduction=reduction)) == 0
        assert cross_entropy(z[0], y[0], reduction=reduction) == rows[0]
        np.testing.assert_array_equal(cross_entropy_grad(z[0], y[0], reduction=reduction), g_sum[0])


def test_gradient_is_p_minus_y_over_n(batch):
    z, y = batch
    expected = (softmax(z) - one_hot(y, 4)) / 6
    np.testing.assert_allclose(cross_entropy_grad(z, y), expected, rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(cross_entropy_grad(z, y).sum(axis=1), 0.0, atol=1e-16)
    # The docstring example.
    g = cross_entropy_grad(np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), [0, 2])
    np.testing.assert_allclose(g, [[-0.1705, 0.1212, 0.0493], [0.1667, 0.1667, -0.3333]], atol=5e-5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("soft", [False, True])
def test_fused_pass_equals_the_separate_functions(batch, reduction, label_smoothing, soft, rng):
    z, y = batch
    target = rng.dirichlet(np.ones(4), size=6) if soft else y
    kw = dict(reduction=reduction, label_smoothing=label_smoothing)
    loss, grad = softmax_cross_entropy(z, target, **kw)
    np.testing.assert_array_equal(loss, cross_entropy(z, target, **kw))
    np.testing.assert_array_equal(grad, cross_entropy_grad(z, target, **kw))


def test_target_forms_agree(batch):
    z, y = batch
    ref_loss, ref_grad = softmax_cross_entropy(z, y)
    for target in (list(y), y.astype(np.int32), y.astype(np.uint8), y.astype(np.float64),
                   one_hot(y, 4), one_hot(y, 4).astype(bool)):  # fmt: skip
        loss, grad = softmax_cross_entropy(z, target)
        assert loss == pytest.approx(ref_loss, rel=2e-16)
        np.testing.assert_allclose(grad, ref_grad, rtol=2e-16, atol=1e-18)


def test_soft_targets(batch, rng):
    z, _ = batch
    q = rng.dirichlet(np.ones(4), size=6)
    rows = cross_entropy(z, q, reduction="none")
    np.testing.assert_allclose(rows, -(q * log_softmax(z)).sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(cross_entropy_grad(z, q), (softmax(z) - q) / 6, atol=1e-16)
    # For a fixed target the loss is smallest when the prediction equals it: H(q, p) >= H(q).
    np.testing.assert_allclose(cross_entropy(np.log(q), q, reduction="none"),
                               -(q * np.log(q)).sum(axis=1), rtol=1e-13)  # fmt: skip
    assert np.all(rows >= -(q * np.log(q)).sum(axis=1))


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5, 1.0])
def test_label_smoothing_is_ce_against_the_smoothed_target(batch, eps):
    z, y = batch
    q = (1 - eps) * one_hot(y, 4) + eps / 4
    for reduction in ("mean", "sum", "none"):
        kw = dict(reduction=reduction)
        np.testing.assert_allclose(
            cross_entropy(z, y, label_smoothing=eps, **kw), cross_entropy(z, q, **kw), rtol=1e-14
        )
        np.testing.assert_allclose(
            cross_entropy_grad(z, y, label_smoothing=eps, **kw),
            cross_entropy_grad(z, q, **kw),
            rtol=1e-13,
            atol=1e-16,
        )
    # Smoothing a soft target smooths it the same way.
    np.testing.assert_allclose(
        cross_entropy(z, one_hot(y, 4), label_smoothing=eps), cross_entropy(z, q), rtol=1e-14
    )


def test_full_smoothing_is_the_uniform_target(batch):
    z, y = batch
    expected = np.log(np.exp(z).sum(axis=1)) - z.mean(axis=1)
    np.testing.assert_allclose(
        cross_entropy(z, y, label_smoothing=1.0, reduction="none"), expected, rtol=1e-14
    )


def test_dtypes(batch):
    z, y = batch
    z32 = z.astype(np.float32)
    for target in (y, one_hot(y, 4)):  # a float64 target does not promote float32 logits
        loss, grad = softmax_cross_entropy(z32, target)
        assert loss.dtype == np.float32 and grad.dtype == np.float32
        assert cross_entropy(z32, target, reduction="none").dtype == np.float32
    loss, grad = softmax_cross_entropy(np.array([[1, 2, 3]]), [1])
    assert loss.dtype == np.float64 and grad.dtype == np.float64


def test_complex_step_through_the_loss(batch):
    z, y = batch
    g = cross_entropy_grad(z, y)
    h = 1e-20
    for i, k in [(0, 0), (1, 3), (4, 1)]:
        zc = z.astype(complex)
        zc[i, k] += 1j * h
        assert cross_entropy(zc, y).imag / h == pytest.approx(g[i, k], rel=1e-14)


def test_empty_batch():
    z, y = np.zeros((0, 3)), np.zeros(0, dtype=int)
    assert cross_entropy(z, y, reduction="sum") == 0.0
    assert cross_entropy(z, y, reduction="none").shape == (0,)
    assert cross_entropy_grad(z, y, reduction="sum").shape == (0, 3)
    for f in LOSS_FUNCS:
        with pytest.raises(ValueError, match=rf"^{f.__name__}: the mean over an empty batch"):
            f(z, y)


# ----------------------------------------------------------------------------------------------
# Non-finite logits


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("no_warnings")
def test_masked_classes():
    z = np.array([[0.0, -np.inf, 1.0], [3.0, 0.5, -np.inf]])
    y = np.array([0, 1])
    loss, grad = softmax_cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(loss, [py_ce([0.0, 1.0], 0), py_ce([3.0, 0.5], 1)], rtol=1e-15)
    np.testing.assert_array_equal(grad[np.isinf(z)], 0.0)
    # The same target given as one-hot probabilities: 0 * log 0 counts as 0, not nan.
    loss_p, grad_p = softmax_cross_entropy(z, one_hot(y, 3), reduction="none")
    np.testing.assert_allclose(loss_p, loss, rtol=1e-15)
    np.testing.assert_array_equal(grad_p, grad)
    soft = np.array([[0.3, 0.0, 0.7], [0.5, 0.5, 0.0]])
    expected = [-(0.3 * math.log(softmax([0.0, 1.0])[0]) + 0.7 * math.log(softmax([0.0, 1.0])[1])),
                -(0.5 * math.log(softmax([3.0, 0.5])[0]) + 0.5 * math.log(softmax([3.0, 0.5])[1]))]  # fmt: skip
    np.testing.assert_allclose(cross_entropy(z, soft, reduction="none"), expected, rtol=1e-14)


@pytest.mark.usefixtures("no_warnings")
def test_target_on_a_masked_class_costs_inf():
    z = np.array([0.0, -np.inf, 1.0])
    assert cross_entropy(z, 1) == np.inf
    assert cross_entropy(z, np.array([0.5, 0.5, 0.0])) == np.inf
    assert cross_entropy(z, 0, label_smoothing=0.1) == np.inf  # smoothing puts mass there
    np.testing.assert_allclose(cross_entropy_grad(z, 1), softmax(z) - [0, 1, 0], atol=1e-16)


@pytest.mark.usefixtures("no_warnings")
def test_all_minus_inf_row_and_nan_give_nan_without_warnings():
    z = np.array([[-np.inf, -np.inf], [np.nan, 0.0], [1.0, 2.0]])
    for target in ([0, 1, 1], one_hot([0, 1, 1], 2)):
        loss, grad = softmax_cross_entropy(z, target, reduction="none")
        assert np.isnan(loss[0]) and np.isnan(loss[1])
        assert np.all(np.isnan(grad[:2]))
        assert loss[2] == pytest.approx(py_ce([1.0, 2.0], 1), rel=1e-15)


@pytest.mark.usefixtures("no_warnings")
def test_spread_beyond_the_float_range_raises_no_warning():
    for dtype, far in ((np.float64, 1e308), (np.float32, 3e38)):
        z = np.array([[far, -far, 0.0]], dtype=dtype)
        for eps in (0.0, 0.1):
            _, grad = softmax_cross_entropy(z, [0], label_smoothing=eps)
            assert np.isfinite(grad).all()
        assert softmax_cross_entropy(z, [0])[0] == 0.0
        assert cross_entropy(z, [1]) == np.inf  # true value 2 * far: beyond the float range


# ----------------------------------------------------------------------------------------------
# cross_entropy_from_probs


def test_from_probs_matches_the_logit_form_for_moderate_probabilities(batch):
    z, y = batch
    p = softmax(z)
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(
            cross_entropy_from_probs(p, y, reduction=reduction),
            cross_entropy(z, y, reduction=reduction),
            rtol=1e-13,
        )
    q = one_hot(y, 4) * 0.6 + 0.1
    np.testing.assert_allclose(cross_entropy_from_probs(p, q), cross_entropy(z, q), rtol=1e-13)


def test_from_probs_clipping_is_wrong_at_both_ends():
    z = np.array([0.0, 40.0])
    p = softmax(z)
    assert cross_entropy_from_probs(p, 0) == pytest.approx(-math.log(1e-7), rel=1e-12)  # 16.118
    assert cross_entropy(z, 0) == 40.0  # the true loss
    assert cross_entropy_from_probs(p, 1) == pytest.approx(-math.log1p(-1e-7), rel=1e-9)
    assert cross_entropy(z, 1) == pytest.approx(math.exp(-40), rel=1e-15)  # 4e-18, not 1e-7
    assert cross_entropy_from_probs(p, 0, eps=1e-3) == pytest.approx(-math.log(1e-3), rel=1e-12)
    assert cross_entropy_from_probs([0.5, 0.5], 0) == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        (([0.5, 0.5], 0), {"eps": 0.7}, r"eps must be a number in \(0, 0.5\), got 0.7"),
        (([0.5, 0.5], 0), {"eps": 0}, r"eps must be a number in \(0, 0.5\), got 0"),
        (([1.5, -0.5], 0), {}, r"probs must lie in \[0, 1\]"),
        ((np.full((1, 1, 2), 0.5), 0), {}, r"probs must have shape \(C,\) or \(N, C\)"),
        (([0.5, 0.5], 0), {"reduction": "avg"}, r"unknown reduction 'avg'"),
        (([[0.5, 0.5]], [2]), {}, r"target 2 out of range for 2 classes"),
        ((["a", "b"], 0), {}, r"probs must hold numbers"),
    ],
)
def test_from_probs_errors(args, kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^cross_entropy_from_probs: {pattern}"):
        cross_entropy_from_probs(*args, **kwargs)


# ----------------------------------------------------------------------------------------------
# Errors of the three loss functions


Z = np.zeros((3, 10))
ERRORS = [
    # class indices
    ((Z, [0, 12, 1]), {}, r"target 12 out of range for 10 classes"),
    ((Z, [0, -1, 1]), {}, r"target -1 is negative; class indices start at 0"),
    ((Z, [0, 1.5, 1]), {}, r"target 1.5 is not a whole number"),
    ((Z, [0, np.nan, 1]), {}, r"target nan is not a whole number"),
    ((Z, [True, False, True]), {}, r"target must hold integer class indices, got booleans"),
    ((Z[0], 10), {}, r"target 10 out of range for 10 classes"),
    # batch sizes and target shapes
    ((Z, [0, 1]), {}, r"batch sizes differ: logits have 3 rows but target has 2 labels"),
    ((Z, np.full((3, 9), 1 / 9)), {}, r"target must be class indices of shape \(3,\) or proba"),
    ((Z, [[0], [1], [2]]), {}, r"target must be class indices of shape \(3,\)"),
    ((Z[0], [0, 1]), {}, r"for logits of shape \(10,\), target must be one class index or 10"),
    # soft targets that are not distributions
    ((Z, np.full((3, 10), -0.1)), {}, r"target has entry -0.1 outside \[0, 1\]"),
    ((Z, np.full((3, 10), 0.0625)), {}, r"target rows must sum to 1 .* summing to 0.625"),
    ((Z, np.full((3, 10), np.nan)), {}, r"target contains nan or inf"),
    # options
    ((Z, [0, 1, 2]), {"reduction": "avg"}, r"unknown reduction 'avg'"),
    ((Z, [0, 1, 2]), {"reduction": None}, r"unknown reduction None"),
    ((Z, [0, 1, 2]), {"label_smoothing": 1.5}, r"label_smoothing must be in \[0, 1\], got 1.5"),
    ((Z, [0, 1, 2]), {"label_smoothing": -0.1}, r"label_smoothing must be in \[0, 1\], got -0.1"),
    ((Z, [0, 1, 2]), {"label_smoothing": "a"}, r"label_smoothing must be a number in \[0, 1\]"),
    ((Z, [0, 1, 2]), {"label_smoothing": True}, r"label_smoothing must be a number"),
    # logits
    ((np.zeros((2, 3, 4)), [0, 1]), {}, r"logits must have shape \(C,\) or \(N, C\), got .*3, 4"),
    ((3.0, 0), {}, r"logits must have shape \(C,\) or \(N, C\), got shape \(\)"),
    ((np.zeros((2, 0)), [0, 0]), {}, r"logits have no classes"),
    ((["a", "b"], 0), {}, r"logits must hold numbers, got dtype <U1"),
    (([object(), 1.0], 0), {}, r"logits must hold numbers, got dtype object"),
    (([[1.0, 2.0], [3.0]], [0, 0]), {}, r"logits is not an array of numbers"),
    (([1.0, 2.0], "a"), {}, r"target must hold numbers, got dtype <U1"),
    (([1.0, 2.0], None), {}, r"target must hold numbers, got dtype object"),
]


@pytest.mark.parametrize("f", LOSS_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("args", "kwargs", "pattern"), ERRORS)
def test_errors_name_the_function_and_the_value(f, args, kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: {pattern}"):
        f(*args, **kwargs)


def test_cross_entropy_from_probs_rejects_rows_that_are_not_distributions():
    with pytest.raises(ValueError, match="cross_entropy_from_probs: probs rows must sum to 1"):
        cross_entropy_from_probs([0.2, 0.2], 0)
    # a softmax output passes (its rows sum to 1 up to rounding)
    assert np.isfinite(cross_entropy_from_probs(softmax(np.arange(5.0)), 4))


# ----------------------------------------------------------------------------------------------
# Every IEEE input: the special-value grid of test_softmax.py through the losses


def _expected_losses(grid, j, eps):
    """Loss of every row for label ``j`` by the rule: ``-sum_k y_k log p_k`` from log_softmax
    (whose values on this grid test_softmax.py checks against 60-digit arithmetic)."""
    lp = log_softmax(grid).astype(np.longdouble)  # a wider exponent range where it exists
    C = grid.shape[1]
    with np.errstate(all="ignore"):
        if eps == 0:
            return -lp[:, j]
        return -((1 - eps) * lp[:, j] + eps / C * lp.sum(axis=1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_special_value_grid_through_the_losses(dtype, eps):
    torch = pytest.importorskip("torch")
    grid = special_grid(dtype)
    N, C = grid.shape
    p = softmax(grid).astype(np.float64)
    tol = {"rtol": 16 * np.finfo(dtype).eps, "atol": 4 * np.finfo(dtype).smallest_normal}
    for j in range(C):
        y = np.full(N, j)
        kw = {"label_smoothing": eps}
        loss = strict(cross_entropy, grid, y, reduction="none", **kw)
        assert_rule(loss, _expected_losses(grid, j, eps), dtype, f"cross_entropy label {j}")
        for reduction, scale in (("sum", 1.0), ("mean", 1.0 / N)):
            grad = strict(cross_entropy_grad, grid, y, reduction=reduction, **kw)
            Y = (1 - eps) * one_hot(y, C) + eps / C
            with np.errstate(all="ignore"):
                want = scale * (p - Y)
            # p - y cancels: compare with an absolute tolerance of a few ulps of 1 * scale
            atol = 4 * np.finfo(dtype).eps * scale
            assert_rule(grad, want, dtype, f"cross_entropy_grad {reduction} label {j}", atol)
            fused = strict(softmax_cross_entropy, grid, y, reduction=reduction, **kw)
            np.testing.assert_array_equal(fused[1], grad)
            np.testing.assert_array_equal(
                fused[0], strict(cross_entropy, grid, y, reduction=reduction, **kw)
            )
        # Probability targets: the one-hot rows give the same losses and gradients.
        Yh = one_hot(y, C, dtype=dtype)
        np.testing.assert_allclose(
            strict(cross_entropy, grid, Yh, reduction="none", **kw), loss, **tol
        )
        np.testing.assert_allclose(
            strict(cross_entropy_grad, grid, Yh, **kw),
            strict(cross_entropy_grad, grid, y, **kw),
            **tol,
        )
        # Where PyTorch's loss is finite, it agrees (near the float range it overflows to inf).
        want = torch.nn.functional.cross_entropy(
            torch.from_numpy(grid), torch.from_numpy(y), reduction="none", label_smoothing=eps
        ).numpy()
        defined = np.isfinite(want)
        assert defined.sum() > N / 10  # smoothing makes every row with a -inf logit inf
        np.testing.assert_allclose(loss[defined], want[defined], rtol=64 * np.finfo(dtype).eps)


def test_issue_examples_of_the_loss():
    """Issue 10: a +inf maximum next to a logit whose exp overflows."""
    g = strict(cross_entropy_grad, [[np.inf, 1000.0]], [1])
    np.testing.assert_array_equal(g, [[np.nan, -1.0]])
    assert strict(cross_entropy, [[np.inf, 1000.0]], [1]) == np.inf
    assert np.isnan(strict(cross_entropy, [[np.inf, 1000.0]], [0]))
    loss, g = strict(softmax_cross_entropy, np.float32([[np.nan, 100.0], [1.0, 2.0]]), [1, 0])
    assert np.isnan(loss) and np.isnan(g[0]).all() and np.isfinite(g[1]).all()
    np.testing.assert_array_equal(
        strict(cross_entropy_grad, np.float32([[np.inf, 89.0, 0.0]]), [2], reduction="sum"),
        np.float32([[np.nan, 0.0, -1.0]]),
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_rows_in_a_large_threaded_batch(dtype, rng):
    """Blocks of finite rows take the unshifted path and other threads: special rows in between
    change nothing for the others and follow the rule themselves."""
    N, C = 1 << 18, 2
    z = rng.uniform(0, 5, size=(N, C)).astype(dtype)
    y = rng.integers(0, C, N)
    where = [0, 5, N // 2 - 1, N // 2 + 3, N - 1]
    specials = np.array([[np.inf, 1000.0], [np.nan, 1.0], [-np.inf, -np.inf], [np.inf, -np.inf],
                         [300.0, np.inf]], dtype=dtype)  # fmt: skip
    z[where] = specials
    loss, grad = strict(softmax_cross_entropy, z, y, reduction="none")
    rest = np.setdiff1d(np.arange(N), where)
    ref_loss, ref_grad = softmax_cross_entropy(z[rest[:1000]], y[rest[:1000]], reduction="none")
    eps = np.finfo(dtype).eps  # the small batch shifts by the maximum, the large one need not
    np.testing.assert_allclose(loss[rest[:1000]], ref_loss, rtol=8 * eps)
    np.testing.assert_allclose(grad[rest[:1000]], ref_grad, rtol=8 * eps, atol=4 * eps / N)
    assert np.isfinite(loss[rest]).all() and np.isfinite(grad[rest]).all()
    p = softmax(specials).astype(np.float64)
    with np.errstate(all="ignore"):
        want_grad = p - one_hot(y[where], C)
    assert_rule(grad[where], want_grad, dtype, "special rows", 4 * np.finfo(dtype).eps)
    assert_rule(loss[where], -log_softmax(specials)[np.arange(5), y[where]], dtype, "losses")


def test_cross_entropy_from_probs_and_one_hot_are_quiet():
    tiny = float(np.finfo(np.float64).smallest_subnormal)
    probs = np.array([[1 - 2 * tiny, tiny, tiny], [0.5, 0.5, 0.0]])
    for target in ([0, 1], probs, np.array([[tiny, 1 - tiny, 0.0], [0.0, 0.0, 1.0]])):
        loss = strict(cross_entropy_from_probs, probs, target, reduction="none")
        assert np.isfinite(loss).all()
    strict(one_hot, [0, 2], 3)
