"""The book's prose claims, checked outside the pages.

Chapters quote numbers through ``glue``, so a number cannot drift from the code. What can drift is
a *claim* about a number ("the optimum lies near eps^(1/3)", "about half", "only the bias block
fails"). These tests recompute each claim with the same data, seeds and settings as the chapter
named in the test, so the pages can show reader code without prose-consistency asserts.
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from ce_course import (
    TwoLayerNet,
    check_gradient,
    cross_entropy,
    cross_entropy_grad,
    linear_softmax_loss,
    make_spiral,
    numerical_gradient,
    relative_error,
    softmax,
    softmax_cross_entropy,
    softmax_jacobian,
    train_linear_softmax,
    two_layer_loss,
)

EPS = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


# ---------------------------------------------------------------------------------------------
# Chapter 1: keeping only the matching path is right for the true class, 0 for the others.


def test_ch01_single_path_slip():
    z = np.array([2.0, 1.0, 0.1])
    y_vec = np.eye(3)[0]
    p = softmax(z)
    J = softmax_jacobian(z)
    dL_dp = -y_vec / p
    only_matching = np.array([dL_dp[i] * J[i, i] for i in range(3)])
    assert np.isclose(only_matching[0], p[0] - 1)
    assert np.all(only_matching[1:] == 0) and np.all(p[1:] > 0)


# ---------------------------------------------------------------------------------------------
# Chapter 2: shift invariance belongs to the exponential, not to softplus.


def test_ch02_shift_invariance_only_for_exp():
    v = np.array([2.0, -1.0, 0.5])

    def normalise(g, t):
        w = g(t)
        return w / w.sum()

    exp_change = np.abs(normalise(np.exp, v + 3) - normalise(np.exp, v)).max()
    sp_change = np.abs(normalise(lambda t: np.log1p(np.exp(t)), v + 3) - normalise(
        lambda t: np.log1p(np.exp(t)), v
    )).max()  # fmt: skip
    assert exp_change < 1e-15 and sp_change > 1e-2


# ---------------------------------------------------------------------------------------------
# Chapter 3: where exp underflows to 0, and fp16's overflow threshold.


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ch03_exp_is_zero_below_log_smallest_subnormal_minus_log2(dtype):
    info = np.finfo(dtype)
    cliff = float(np.log(np.float64(info.smallest_subnormal)) - np.log(2))
    with np.errstate(under="ignore"):
        assert np.exp(dtype(cliff - 1e-3)) == 0
        assert np.exp(dtype(cliff + 1e-3)) > 0
    # the old, wrong threshold log(smallest subnormal) still gives a nonzero result below it
    with np.errstate(under="ignore"):
        assert np.exp(dtype(float(np.log(np.float64(info.smallest_subnormal))) - 0.3)) > 0


def test_ch03_fp16_overflows_above_log_65504():
    limit = float(np.log(np.finfo(np.float16).max))
    assert np.finfo(np.float16).max == 65504 and 11.08 < limit < 11.10
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.float16(11.0))) and np.isinf(np.exp(np.float16(11.2)))


# ---------------------------------------------------------------------------------------------
# Chapter 5: softmax returns an exact 1 long before cross_entropy returns an exact 0.


def test_ch05_exact_one_and_exact_zero():
    with np.errstate(under="ignore"):
        assert softmax(np.array([36.0, 0.0]))[0] < 1.0
        assert softmax(np.array([38.0, 0.0]))[0] == 1.0
        assert cross_entropy(np.array([38.0, 0.0]), 0) > 0.0
        assert cross_entropy(np.array([746.0, 0.0]), 0) == 0.0


# ---------------------------------------------------------------------------------------------
# Chapter 6: distillation's gradient falls like 1/T^2.


def test_ch06_distillation_gradient_scales_like_inverse_T_squared():
    rng = np.random.default_rng(3)
    z, v = rng.normal(size=5), rng.normal(size=5)

    def norm(T):
        return np.linalg.norm(cross_entropy_grad(z / T, softmax(v, temperature=T)) / T)

    assert 3.5 < norm(10.0) / norm(20.0) < 4.5
    scaled = [T**2 * norm(T) for T in (5.0, 10.0, 20.0, 40.0)]
    assert max(scaled) / min(scaled) < 1.3


# ---------------------------------------------------------------------------------------------
# Chapter 7: the V-shaped curve, sampling, kinks and float32.

Z7 = np.array([2.0, 1.0, 0.1, -1.5, 0.7])
HS = np.logspace(-16, -1, 91)


def _loss7(v):
    return cross_entropy(v, 0)


def test_ch07_minima_near_predicted_steps_and_default_step_close_to_best():
    analytic = cross_entropy_grad(Z7, 0)
    err = {
        m: np.array(
            [relative_error(analytic, numerical_gradient(_loss7, Z7, method=m, h=h)) for h in HS]
        )
        for m in ("forward", "central")
    }
    h_fwd, h_ctr = HS[np.argmin(err["forward"])], HS[np.argmin(err["central"])]
    assert abs(np.log10(h_fwd / EPS**0.5)) <= 1.5
    assert abs(np.log10(h_ctr / EPS ** (1 / 3))) <= 1.5
    assert err["central"].min() < err["forward"].min()
    # the prose: the measured optimum lies above 1e-5, and 1e-5 is within a small factor of it
    assert h_ctr > 1e-5
    at_default = err["central"][np.argmin(np.abs(HS - 1e-5))]
    assert at_default / err["central"].min() < 10
    # the complex step's error is below one unit of eps
    cx = numerical_gradient(_loss7, Z7, method="complex", h=1e-20)
    assert relative_error(analytic, cx) < EPS


def _chapter7_rng_draws():
    """The random draws of chapter 7, in the page's order."""
    rng = np.random.default_rng(0)
    N, D, C = 8, 6, 4
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    W = 0.1 * rng.standard_normal((D, C))
    rng.standard_normal((N, C))  # Xsq
    rng.standard_normal((C, C))  # Wsq
    Xb = rng.standard_normal((50, 3073))
    Xb[:, -1] = 1.0  # the folded bias column
    yb = rng.integers(0, 10, size=50)
    Wb = 1e-3 * rng.standard_normal((3073, 10))
    A = rng.standard_normal((6, 8))
    V = rng.standard_normal((8, 3))
    yk = rng.integers(0, 3, size=6)
    return dict(X=X, y=y, W=W, Xb=Xb, yb=yb, Wb=Wb, A=A, V=V, yk=yk)


def test_ch07_buggy_gradients_are_all_wrong():
    d = _chapter7_rng_draws()
    X, y, W, reg = d["X"], d["y"], d["W"], 0.1
    P, Y = softmax(X @ W), np.eye(4)[y]
    N = len(X)

    def with_reg(w):
        return linear_softmax_loss(w, X, y, reg)[0]

    def no_reg(w):
        return linear_softmax_loss(w, X, y, 0.0)[0]

    cases = [
        (no_reg, X.T @ (P - Y)),
        (no_reg, X.T @ (Y - P) / N),
        (with_reg, X.T @ (P - Y) / N + reg * W),
        (with_reg, X.T @ (P - Y) / N),
    ]
    for fun, grad in cases:
        res = check_gradient(fun, W, grad)
        assert not res.passed and res.verdict.startswith("wrong")


def test_ch07_whole_matrix_sample_misses_a_bias_only_bug():
    d = _chapter7_rng_draws()
    Xb, yb, Wb = d["Xb"], d["yb"], d["Wb"]
    assert comb(Wb.size - 10, 30) / comb(Wb.size, 30) > 0.98

    def loss(w):
        return linear_softmax_loss(w, Xb, yb, 1e-3)[0]

    dW = linear_softmax_loss(Wb, Xb, yb, 1e-3)[1]
    bad = dW.copy()
    bad[-1] *= 2.0
    caught = sum(not check_gradient(loss, Wb, bad, num_checks=30, seed=s).passed for s in range(20))
    assert caught <= 3  # "rarely"
    blocks = {"W": Wb[:-1], "b": Wb[-1]}
    res = check_gradient(
        lambda q: loss(np.vstack([q["W"], q["b"]])),
        blocks,
        {"W": bad[:-1], "b": bad[-1]},
        num_checks=30,
        seed=0,
    )
    assert res.parameters["W"].passed and not res.parameters["b"].passed


def test_ch07_kink_gives_an_order_one_error_at_one_entry():
    d = _chapter7_rng_draws()
    A, V, yk = d["A"].copy(), d["V"], d["yk"]
    A[2, 5] = 3e-6

    def loss(a):
        return cross_entropy(np.maximum(a, 0) @ V, yk)

    grad = (cross_entropy_grad(np.maximum(A, 0) @ V, yk) @ V.T) * (A > 0)
    big = check_gradient(loss, A, grad, h=1e-5)
    assert not big.passed and big.n_failed == 1 and big.max_rel_error > 0.1
    assert check_gradient(loss, A, grad, h=1e-7).passed


def test_ch07_float32_check_fails_and_best_step_is_near_cube_root_of_eps32():
    z32 = Z7.astype(np.float32)

    def loss32(v):
        return cross_entropy(np.asarray(v, dtype=np.float32), 0)

    assert EPS32 / EPS == 2**29
    assert not check_gradient(loss32, z32, cross_entropy_grad(z32, 0)).passed
    errs = np.array(
        [
            relative_error(cross_entropy_grad(z32, 0), numerical_gradient(loss32, z32, h=h))
            for h in HS
        ]
    )
    best_h = HS[np.nanargmin(errs)]
    assert np.nanmin(errs) > 1e-6
    assert abs(np.log10(best_h / EPS32 ** (1 / 3))) <= 0.5
    assert 0.5 < np.nanmin(errs) / EPS32 ** (2 / 3) < 5


# ---------------------------------------------------------------------------------------------
# Chapter 8: about half of the spiral, and the learning-rate exercise.


@pytest.fixture(scope="module")
def spiral():
    return make_spiral()


def test_ch08_linear_classifier_gets_about_half(spiral):
    X_sp, y_sp = spiral
    X1 = np.c_[X_sp, np.ones(len(X_sp))]
    W, history = train_linear_softmax(
        X1, y_sp, learning_rate=1.0, reg=1e-3, num_iters=200, std=0.01, seed=0
    )
    accuracy = np.mean(np.argmax(X1 @ W, axis=1) == y_sp)
    assert 0.4 < accuracy < 0.65
    assert abs(history[0] - np.log(3)) < 0.05
    final = {
        lr: train_linear_softmax(X1, y_sp, learning_rate=lr, reg=1e-3, num_iters=200)[1]
        for lr in (0.01, 1.0, 10.0)
    }
    assert final[0.01][-1] > 1.0 and min(final[10.0][-2:]) > final[1.0][-1] + 0.1


def test_ch08_transpose_has_W_shape_when_D_equals_C():
    rng = np.random.default_rng(0)
    X, G = rng.standard_normal((300, 3)), rng.standard_normal((300, 3))
    assert (G.T @ X).shape == (3, 3) and not np.allclose(G.T @ X, X.T @ G)


# ---------------------------------------------------------------------------------------------
# Chapter 9: the checks, the fit, the sweep, dead units.


def test_ch09_checks():
    N, D, H, C = 5, 4, 10, 3
    X = np.random.default_rng(0).standard_normal((N, D))
    y = np.array([0, 1, 2, 2, 1])
    reg = 0.05
    net = TwoLayerNet(D, H, C, std=1e-1, seed=0)
    _, grads = two_layer_loss(net.params, X, y, reg=reg)

    def loss(p):
        return two_layer_loss(p, X, y, reg=reg)[0]

    pre = X @ net.params["W1"] + net.params["b1"]
    assert check_gradient(loss, net.params, grads).passed
    assert np.abs(pre).min() > 1e-5 * (np.abs(X).max() + 1)
    tiny = TwoLayerNet(D, H, C, std=1e-4, seed=0)
    _, tiny_grads = two_layer_loss(tiny.params, X, y, reg=reg)
    central = check_gradient(loss, tiny.params, tiny_grads)
    assert (
        not central.passed
        and check_gradient(loss, tiny.params, tiny_grads, method="complex").passed
    )
    assert sorted(k for k, r in central.parameters.items() if not r.passed) == ["W1", "b1"]


def _train(spiral, hidden, reg):
    X_sp, y_sp = spiral
    model = TwoLayerNet(2, hidden, 3, std=1e-2, seed=0)
    hist = model.train(
        X_sp, y_sp, learning_rate=1.0, learning_rate_decay=1.0, reg=reg, num_iters=2000,
        batch_size=None,
    )  # fmt: skip
    return model, float(np.mean(model.predict(X_sp) == y_sp)), np.asarray(hist)


@pytest.mark.slow
def test_ch09_fit_sweep_and_dead_units(spiral):
    X_sp, _ = spiral
    net, accuracy, history = _train(spiral, 100, 1e-4)
    assert accuracy >= 0.97
    assert history[100:].max() > 2 * history[-1]
    by_size = [_train(spiral, h, 1e-4)[1] for h in (3, 10)] + [accuracy]
    runs = {r: _train(spiral, 100, r) for r in (1e-3, 1e-2, 1e-1)}
    by_reg = [accuracy] + [runs[r][1] for r in (1e-3, 1e-2, 1e-1)]
    assert by_size == sorted(by_size) and by_reg == sorted(by_reg, reverse=True)
    assert runs[1e-1][1] < 0.4 and abs(runs[1e-1][2][-1] - np.log(3)) < 0.01
    # dead units: the origin is a training point, so their biases are <= 0
    assert np.all(X_sp[[0, 100, 200]] == 0)
    pre = X_sp @ net.params["W1"] + net.params["b1"]
    dead = np.all(pre <= 0, axis=0)
    assert np.all(net.params["b1"][dead] <= 0)


def test_ch09_weight_decay_revives_a_unit_with_positive_bias():
    pts = np.random.default_rng(0).uniform(0.5, 1.0, size=(50, 2))
    w, b = np.array([-3.0, -3.0]), 0.5
    assert np.all(pts @ w + b <= 0)
    for _ in range(1000):
        w = (1 - 2 * 1.0 * 1e-2) * w
        if np.any(pts @ w + b > 0):
            break
    assert np.any(pts @ w + b > 0)
    w, b = np.array([-3.0, -3.0]), -0.01  # a non-positive bias: stays dead
    for _ in range(1000):
        w = (1 - 2e-2) * w
        assert np.all(pts @ w + b <= 0)


def test_ch00_rows_of_the_gradient_sum_to_zero():
    Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    _, grad = softmax_cross_entropy(Z, np.array([0, 2]))
    assert np.allclose(grad.sum(axis=1), 0)
