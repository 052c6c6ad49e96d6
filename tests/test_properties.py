"""Hypothesis property tests: identities that hold for every input, checked on generated logits.

Tolerances are stated in units of the dtype's machine epsilon (``EPS``) times the size of the
numbers involved, so each assertion says how much rounding it forgives.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ce_course as cc
from ce_course import (
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    logsumexp,
    numerical_gradient,
    one_hot,
    softmax,
    softmax_cross_entropy,
    softmax_jacobian,
    softmax_vjp,
)

SETTINGS = settings(max_examples=100, deadline=None)
EPS64 = np.finfo(np.float64).eps
EPS32 = float(np.finfo(np.float32).eps)


def logits(dtype=np.float64, bound: float = 1e4, max_rows: int = 6, max_classes: int = 8):
    """Finite (N, C) logits, from tiny to +-bound, including ties, zeros and subnormals."""
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)
    shape = st.tuples(st.integers(1, max_rows), st.integers(1, max_classes))
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def logits_and_labels(draw, dtype=np.float64, bound: float = 1e4):
    z = draw(logits(dtype, bound))
    N, C = z.shape
    y = draw(hnp.arrays(np.int64, (N,), elements=st.integers(0, C - 1)))
    return z, y


def scale_of(z: np.ndarray) -> float:
    return float(np.max(np.abs(z))) + 1.0


# ----------------------------------------------------------------------------------------------
# Softmax family


@SETTINGS
@given(z=st.one_of(logits(np.float64), logits(np.float32, bound=1e3)))
def test_softmax_rows_are_distributions(z):
    eps = EPS32 if z.dtype == np.float32 else EPS64
    p = softmax(z)
    assert p.dtype == z.dtype
    assert np.all((p >= 0) & (p <= 1))
    C = z.shape[1]
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=(C + 2) * eps)
    # The arg max keeps the largest probability, and a larger logit never gets a smaller one.
    rows = np.arange(z.shape[0])
    assert np.all(p[rows, np.argmax(z, axis=1)] == p.max(axis=1))
    larger = z[:, :, None] > z[:, None, :]
    for i, j, k in zip(*larger.nonzero(), strict=True):
        assert p[i, j] >= p[i, k]


@SETTINGS
@given(z=logits(), c=st.floats(-1e3, 1e3, allow_nan=False))
def test_shift_invariance(z, c):
    size = scale_of(z) + abs(c)
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=0, atol=4 * EPS64 * size)
    np.testing.assert_allclose(logsumexp(z + c), logsumexp(z) + c, rtol=0, atol=4 * EPS64 * size)
    np.testing.assert_allclose(log_softmax(z + c), log_softmax(z), rtol=0, atol=4 * EPS64 * size)


@SETTINGS
@given(z=logits())
def test_exact_shift_by_a_power_of_two_changes_nothing(z):
    # Integer logits shifted by an integer: z + c is exact, so the results must be identical.
    zi = np.round(z)
    np.testing.assert_array_equal(softmax(zi + 1024.0), softmax(zi))
    np.testing.assert_array_equal(log_softmax(zi - 512.0), log_softmax(zi))


@SETTINGS
@given(z=st.one_of(logits(np.float64), logits(np.float32, bound=1e3)))
def test_log_softmax_is_finite_nonpositive_and_consistent(z):
    lp = log_softmax(z)
    assert lp.dtype == z.dtype
    assert np.all(np.isfinite(lp)) and np.all(lp <= 0)
    assert np.all(np.isfinite(logsumexp(z)))
    assert np.all(logsumexp(z) >= z.max(axis=1))  # the sum contains exp(max)
    eps = EPS32 if z.dtype == np.float32 else EPS64
    # exp turns an absolute error d of its argument into a relative error d.
    p = softmax(z)
    tol = 4 * eps * (1 + np.abs(lp)) * p + np.finfo(z.dtype).tiny
    assert np.all(np.abs(np.exp(lp) - p) <= tol)


@SETTINGS
@given(z=logits(bound=50.0))
def test_jacobian_rows_sum_to_zero_symmetric_psd(z):
    J = softmax_jacobian(z)
    C = z.shape[1]
    np.testing.assert_allclose(J.sum(axis=2), 0.0, atol=4 * C * EPS64)
    np.testing.assert_array_equal(J, np.swapaxes(J, 1, 2))
    assert np.all(np.linalg.eigvalsh(J) >= -4 * C * EPS64)
    p = softmax(z)
    np.testing.assert_array_equal(np.einsum("nii->ni", J), p - p * p)


@SETTINGS
@given(z=logits(bound=50.0), data=st.data())
def test_vjp_equals_v_times_jacobian(z, data):
    v = data.draw(hnp.arrays(np.float64, z.shape, elements=st.floats(-10, 10)))
    expected = np.einsum("nc,ncd->nd", v, softmax_jacobian(z))
    C = z.shape[1]
    atol = 8 * C * EPS64 * (np.max(np.abs(v)) + 1)
    np.testing.assert_allclose(softmax_vjp(z, v), expected, rtol=0, atol=atol)


# ----------------------------------------------------------------------------------------------
# Cross-entropy


@SETTINGS
@given(zy=logits_and_labels())
def test_gradient_rows_sum_to_zero_and_are_bounded(zy):
    z, y = zy
    N, C = z.shape
    g = cross_entropy_grad(z, y)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=(C + 2) * EPS64 / N)
    assert np.all(np.abs(g) <= 1.0 / N)
    assert np.all(g[np.arange(N), y] <= 0)  # the true class is pushed up
    assert cross_entropy(z, y) >= 0


@SETTINGS
@given(zy=logits_and_labels(bound=1e3))
def test_gradient_equals_the_complex_step_derivative(zy):
    z, y = zy
    N = z.shape[0]
    num = numerical_gradient(lambda v: cross_entropy(v, y), z, method="complex")
    # Entries below 1e-15 / N lose relative accuracy in exp(...) * h (h = 1e-20) underflowing.
    np.testing.assert_allclose(num, cross_entropy_grad(z, y), rtol=1e-13, atol=1e-15 / N)


@SETTINGS
@given(zy=logits_and_labels(), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_zero_label_smoothing_is_plain_and_one_hot_is_labels(zy, reduction):
    z, y = zy
    N, C = z.shape
    loss, grad = softmax_cross_entropy(z, y, reduction=reduction)
    loss0, grad0 = softmax_cross_entropy(z, y, reduction=reduction, label_smoothing=0.0)
    np.testing.assert_array_equal(loss0, loss)
    np.testing.assert_array_equal(grad0, grad)
    loss_p, grad_p = softmax_cross_entropy(z, one_hot(y, C), reduction=reduction)
    np.testing.assert_allclose(loss_p, loss, rtol=4 * EPS64, atol=0)
    scale = 1.0 / N if reduction == "mean" else 1.0
    np.testing.assert_allclose(grad_p, grad, rtol=0, atol=2 * EPS64 * scale)


@SETTINGS
@given(zy=logits_and_labels(), eps=st.floats(0.0, 1.0))
def test_label_smoothing_interpolates_linearly(zy, eps):
    # The loss is linear in the target: smoothing mixes the plain loss and the uniform-target loss.
    z, y = zy
    C = z.shape[1]
    plain = cross_entropy(z, y, reduction="none")
    uniform = cross_entropy(z, np.full(z.shape, 1.0 / C), reduction="none")
    smoothed = cross_entropy(z, y, reduction="none", label_smoothing=eps)
    size = np.abs(plain) + np.abs(uniform) + 1
    assert np.all(np.abs(smoothed - ((1 - eps) * plain + eps * uniform)) <= 8 * C * EPS64 * size)


# ----------------------------------------------------------------------------------------------
# Dtypes


@SETTINGS
@given(x=hnp.arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 6)),
                    elements=st.integers(-1000, 1000)))  # fmt: skip
def test_integer_input_is_promoted_to_float64(x):
    xf = x.astype(np.float64)
    for f in (softmax, log_softmax, logsumexp, softmax_jacobian):
        out = f(x)
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, f(xf))
    y = np.zeros(x.shape[0], dtype=int)
    loss, grad = softmax_cross_entropy(x, y)
    assert loss.dtype == grad.dtype == np.float64
    assert loss == cross_entropy(xf, y)


@SETTINGS
@given(zy=logits_and_labels(np.float32, bound=1e3))
def test_float32_is_kept(zy):
    z, y = zy
    for f in (softmax, log_softmax, logsumexp, softmax_jacobian):
        assert f(z).dtype == np.float32
    assert softmax_vjp(z, z).dtype == np.float32
    for reduction in ("mean", "sum", "none"):
        loss, grad = softmax_cross_entropy(z, y, reduction=reduction)
        assert loss.dtype == np.float32 and grad.dtype == np.float32
        assert cross_entropy(z, y, reduction=reduction).dtype == np.float32
    assert np.all(np.isfinite(cross_entropy(z, y, reduction="none")))


# ----------------------------------------------------------------------------------------------
# Inputs are never modified


@settings(max_examples=40, deadline=None)  # each example calls 30 functions
@given(zy=st.one_of(logits_and_labels(), logits_and_labels(np.float32, bound=1e3)))
def test_softmax_and_loss_functions_never_modify_their_inputs(zy):
    z, y = zy
    q = softmax(np.ones_like(z)).astype(np.float64)
    v = z[::-1].copy()
    args = [z, y, q, v]
    before = [a.copy() for a in args]
    softmax(z), log_softmax(z), logsumexp(z), softmax_jacobian(z), softmax_vjp(z, v)
    softmax(z, axis=0, temperature=2.0), log_softmax(z, temperature=0.5)
    for target in (y, q):
        for reduction in ("mean", "sum", "none"):
            kw = dict(reduction=reduction, label_smoothing=0.1)
            cross_entropy(z, target, **kw), cross_entropy_grad(z, target, **kw)
            softmax_cross_entropy(z, target, **kw)
    cc.cross_entropy_from_probs(softmax(z), y), one_hot(y, z.shape[1])
    for a, b in zip(args, before, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def _call_every_public_function(arrays: dict) -> set[str]:
    """Call each public function of ce_course on ``arrays``; return the names called."""
    z, y, W, X, Xy, params = (arrays[k] for k in ("z", "y", "W", "X", "Xy", "params"))
    called = {
        "softmax": lambda: cc.softmax(z),
        "log_softmax": lambda: cc.log_softmax(z),
        "logsumexp": lambda: cc.logsumexp(z),
        "softmax_naive": lambda: cc.softmax_naive(z),
        "softmax_jacobian": lambda: cc.softmax_jacobian(z),
        "softmax_vjp": lambda: cc.softmax_vjp(z, z),
        "one_hot": lambda: cc.one_hot(y, 3),
        "cross_entropy": lambda: cc.cross_entropy(z, y),
        "cross_entropy_grad": lambda: cc.cross_entropy_grad(z, y),
        "softmax_cross_entropy": lambda: cc.softmax_cross_entropy(z, y),
        "cross_entropy_from_probs": lambda: cc.cross_entropy_from_probs(cc.softmax(z), y),
        "numerical_gradient": lambda: (
            cc.numerical_gradient(lambda v: cc.cross_entropy(v, y), z),
            cc.numerical_gradient(lambda p: cc.two_layer_loss(p, X, Xy)[0], params),
        ),
        "relative_error": lambda: cc.relative_error(z, W[:, :3]),
        "check_gradient": lambda: (
            cc.check_gradient(lambda v: cc.cross_entropy(v, y), z, cc.cross_entropy_grad(z, y)),
            cc.check_gradient(
                lambda p: cc.two_layer_loss(p, X, Xy)[0],
                params,
                cc.two_layer_loss(params, X, Xy)[1],
            ),
        ),
        "linear_cross_entropy": lambda: cc.linear_cross_entropy(
            X, W, Xy, bias=W[0], label_smoothing=0.1, block_size=2
        ),
        "linear_softmax_loss": lambda: cc.linear_softmax_loss(W, X, Xy, 0.1),
        "linear_softmax_loss_naive": lambda: cc.linear_softmax_loss_naive(W, X, Xy, 0.1),
        "train_linear_softmax": lambda: cc.train_linear_softmax(X, Xy, num_iters=3),
        "two_layer_loss": lambda: cc.two_layer_loss(params, X, Xy, 0.1),
        "TwoLayerNet": lambda: cc.TwoLayerNet(4, 5, 3).train(X, Xy, num_iters=3, batch_size=2),
        "make_spiral": lambda: cc.make_spiral(3, 2),
    }
    for call in called.values():
        call()
    return set(called)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_public_function_modifies_its_inputs(dtype, rng):
    arrays = {
        "z": rng.normal(size=(4, 3)).astype(dtype),
        "y": np.array([0, 2, 1, 1]),
        "W": rng.normal(size=(4, 3)).astype(dtype),
        "X": rng.normal(size=(6, 4)).astype(dtype),
        "Xy": np.array([0, 1, 2, 0, 1, 2]),
        "params": {
            "W1": rng.normal(size=(4, 5)).astype(dtype),
            "b1": np.zeros(5, dtype),
            "W2": rng.normal(size=(5, 3)).astype(dtype),
            "b2": np.zeros(3, dtype),
        },
    }
    flat = {k: v for k, v in arrays.items() if k != "params"} | arrays["params"]
    before = {k: v.copy() for k, v in flat.items()}
    called = _call_every_public_function(arrays)
    for k, v in flat.items():
        assert v.dtype == before[k].dtype, k
        np.testing.assert_array_equal(v, before[k], err_msg=k)
    # Every public function (and the class) was exercised.
    public = {n for n in cc.__all__ if inspect.isfunction(getattr(cc, n))} | {"TwoLayerNet"}
    assert public <= called, public - called
