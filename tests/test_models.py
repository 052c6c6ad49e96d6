"""Tests of :mod:`ce_course.models` and :mod:`ce_course.data`: the linear softmax classifier (vectorized
and naive), the two-layer network, training, and the spiral data set."""

from __future__ import annotations

import numpy as np
import pytest

from ce_course import (
    TwoLayerNet,
    check_gradient,
    linear_softmax_loss,
    linear_softmax_loss_naive,
    log_softmax,
    make_spiral,
    one_hot,
    softmax,
    train_linear_softmax,
    two_layer_loss,
)

LINEAR = [linear_softmax_loss, linear_softmax_loss_naive]


@pytest.fixture
def linear_problem(rng):
    W = 0.5 * rng.normal(size=(5, 4))
    X = rng.normal(size=(10, 5))
    y = rng.integers(0, 4, 10)
    return W, X, y


@pytest.fixture
def net_problem(rng):
    params = {
        "W1": 0.5 * rng.normal(size=(4, 7)),
        "b1": 0.1 * rng.normal(size=7),
        "W2": 0.5 * rng.normal(size=(7, 3)),
        "b2": 0.1 * rng.normal(size=3),
    }
    X = rng.normal(size=(6, 4))
    y = np.array([0, 1, 2, 2, 1, 0])
    return params, X, y


# ----------------------------------------------------------------------------------------------
# Linear softmax classifier


@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_linear_loss_matches_the_formula_and_the_naive_loops(linear_problem, reg):
    W, X, y = linear_problem
    Z = X @ W
    expected_loss = -np.mean(log_softmax(Z)[np.arange(10), y]) + reg * np.sum(W**2)
    expected_dW = X.T @ (softmax(Z) - one_hot(y, 4)) / 10 + 2 * reg * W
    for f in LINEAR:
        loss, dW = f(W, X, y, reg)
        assert loss == pytest.approx(expected_loss, rel=1e-13)
        np.testing.assert_allclose(dW, expected_dW, rtol=1e-12, atol=1e-15)
        assert dW.shape == W.shape


@pytest.mark.parametrize("f", LINEAR, ids=lambda f: f.__name__)
@pytest.mark.parametrize("method", ["central", "complex"])
def test_linear_gradient_passes_the_numerical_check(linear_problem, f, method):
    W, X, y = linear_problem
    _, dW = f(W, X, y, 0.05)
    res = check_gradient(lambda w: f(w, X, y, 0.05)[0], W, dW, method=method)
    assert res.passed, res.report()


def test_regularization_convention(linear_problem):
    W, X, y = linear_problem
    loss0, dW0 = linear_softmax_loss(W, X, y)
    for reg in (1e-3, 0.5, 10.0):
        loss, dW = linear_softmax_loss(W, X, y, reg)
        assert loss - loss0 == pytest.approx(reg * np.sum(W * W), rel=1e-12)
        np.testing.assert_allclose(dW - dW0, 2 * reg * W, rtol=1e-12, atol=1e-14)


def test_small_weights_give_log_c(rng):
    W = 1e-6 * rng.normal(size=(3, 10))
    X = rng.normal(size=(20, 3))
    loss, _ = linear_softmax_loss(W, X, rng.integers(0, 10, 20))
    assert loss == pytest.approx(np.log(10), rel=1e-5)


@pytest.mark.parametrize("f", LINEAR, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("W", "X", "y", "reg", "pattern"),
    [
        (np.ones((5, 3)), np.ones((4, 4)), [0] * 4, 0.0, r"X has 4 features per row but W has 5"),
        (
            np.ones(5),
            np.ones((4, 5)),
            [0] * 4,
            0.0,
            r"W must have shape \(D, C\), got shape \(5,\)",
        ),
        (np.ones((5, 3)), np.ones(5), [0], 0.0, r"X must have shape \(N, D\), got shape \(5,\)"),
        (np.ones((5, 3)), np.ones((4, 5)), [0] * 3, 0.0, r"y must have shape \(4,\), one label"),
        (np.ones((5, 3)), np.ones((4, 5)), [0, 1, 7, 0], 0.0, r"y 7 out of range for 3 classes"),
        (np.ones((5, 3)), np.ones((4, 5)), [0, 1, -2, 0], 0.0, r"y -2 is negative"),
        (np.ones((5, 3)), np.ones((4, 5)), [0] * 4, -0.1, r"reg must be a finite number >= 0"),
        (np.ones((5, 3)), np.ones((4, 5)), [0] * 4, np.inf, r"reg must be a finite number >= 0"),
        (np.ones((5, 3)), np.ones((4, 5)), [0] * 4, "0.1", r"reg must be a finite number >= 0"),
        (np.ones((5, 3)), np.ones((0, 5)), np.zeros(0, int), 0.0, r"X has no rows"),
        ([["a"]], np.ones((4, 1)), [0] * 4, 0.0, r"W must hold numbers"),
    ],
)
def test_linear_errors(f, W, X, y, reg, pattern):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: {pattern}"):
        f(W, X, y, reg)


def test_train_linear_softmax(rng):
    X, y = make_spiral(50, 3)
    Xb = np.c_[X, np.ones(len(X))]
    W, hist = train_linear_softmax(Xb, y, num_iters=100)
    assert W.shape == (3, 3) and hist.shape == (100,)
    assert hist[0] == pytest.approx(np.log(3), rel=1e-2)  # small random start
    assert np.all(np.diff(hist) < 1e-12)  # full-batch descent with a safe step never goes up
    W2, hist2 = train_linear_softmax(Xb, y, num_iters=100)
    np.testing.assert_array_equal(W, W2)  # reproducible
    np.testing.assert_array_equal(hist, hist2)
    W5, _ = train_linear_softmax(Xb, y, num_iters=3, num_classes=5)
    assert W5.shape == (3, 5)
    assert not np.array_equal(train_linear_softmax(Xb, y, num_iters=3, seed=1)[0],
                              train_linear_softmax(Xb, y, num_iters=3, seed=2)[0])  # fmt: skip


def test_linear_classifier_on_the_spiral_is_about_half_right():
    X, y = make_spiral()
    Xb = np.c_[X, np.ones(len(X))]
    W, hist = train_linear_softmax(Xb, y)
    acc = np.mean(np.argmax(Xb @ W, axis=1) == y)
    assert 0.45 <= acc <= 0.6  # CS231n reports 49%: the arms are not linearly separable
    assert hist[-1] < hist[0]


# ----------------------------------------------------------------------------------------------
# Two-layer network


def test_two_layer_scores_are_the_forward_pass(net_problem):
    params, X, _ = net_problem
    hidden = np.maximum(0, X @ params["W1"] + params["b1"])
    expected = hidden @ params["W2"] + params["b2"]
    np.testing.assert_allclose(two_layer_loss(params, X), expected, rtol=1e-14)


@pytest.mark.parametrize("reg", [0.0, 0.05])
@pytest.mark.parametrize("method", ["central", "complex"])
def test_two_layer_gradient_check(net_problem, reg, method):
    params, X, y = net_problem
    _, grads = two_layer_loss(params, X, y, reg)
    assert set(grads) == set(params)
    for k in params:
        assert grads[k].shape == params[k].shape
    res = check_gradient(lambda p: two_layer_loss(p, X, y, reg)[0], params, grads, method=method)
    assert res.passed, res.report()
    assert res.n_checked == sum(v.size for v in params.values())


def test_two_layer_regularization_convention(net_problem):
    params, X, y = net_problem
    loss0, g0 = two_layer_loss(params, X, y)
    reg = 0.3
    loss, g = two_layer_loss(params, X, y, reg)
    penalty = reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert loss - loss0 == pytest.approx(penalty, rel=1e-12)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(g[k] - g0[k], 2 * reg * params[k], rtol=1e-12, atol=1e-15)
    for k in ("b1", "b2"):  # biases are not regularized
        np.testing.assert_array_equal(g[k], g0[k])


@pytest.mark.parametrize(
    ("change", "X", "y", "pattern"),
    [
        ({"b2": None}, np.ones((2, 4)), [0, 1], r"params is missing \['b2'\]"),
        ({"b1": np.zeros(6)}, np.ones((2, 4)), [0, 1], r"inconsistent parameter shapes"),
        ({"W2": np.zeros((6, 3))}, np.ones((2, 4)), [0, 1], r"inconsistent parameter shapes"),
        ({"b2": np.zeros(4)}, np.ones((2, 4)), [0, 1], r"b2 has shape \(4,\), expected \(3,\)"),
        ({}, np.ones((2, 5)), [0, 1], r"X must have shape \(N, 4\) to match W1"),
        ({}, np.ones(4), [0], r"X must have shape \(N, 4\)"),
        ({}, np.ones((2, 4)), [0, 1, 2], r"y must have shape \(2,\), got shape \(3,\)"),
        ({}, np.ones((2, 4)), [0, 3], r"y 3 out of range for 3 classes"),
        ({}, np.ones((2, 4)), [0, 0.5], r"y 0.5 is not a whole number"),
    ],
)
def test_two_layer_errors(net_problem, change, X, y, pattern):
    params, _, _ = net_problem
    p = {k: v for k, v in {**params, **change}.items() if v is not None}
    with pytest.raises(ValueError, match=rf"^two_layer_loss: {pattern}"):
        two_layer_loss(p, X, y)
    with pytest.raises(ValueError, match=r"^two_layer_loss: reg must be a finite number >= 0"):
        two_layer_loss(params, np.ones((2, 4)), [0, 1], reg=-1.0)
    with pytest.raises(ValueError, match=r"^two_layer_loss: params must be a dict"):
        two_layer_loss([1, 2], np.ones((2, 4)), [0, 1])


def test_net_initialisation_is_reproducible_by_seed():
    a, b, c = TwoLayerNet(3, 50, 4, seed=5), TwoLayerNet(3, 50, 4, seed=5), TwoLayerNet(3, 50, 4)
    for k in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    assert a.params["W1"].shape == (3, 50) and a.params["W2"].shape == (50, 4)
    np.testing.assert_array_equal(a.params["b1"], 0.0)
    np.testing.assert_array_equal(a.params["b2"], 0.0)
    big = TwoLayerNet(30, 200, 10, std=0.1)
    assert np.std(big.params["W1"]) == pytest.approx(0.1, rel=0.05)
    assert np.std(TwoLayerNet(30, 200, 10).params["W1"]) == pytest.approx(1e-4, rel=0.05)


def test_net_loss_and_predict_use_the_params(net_problem):
    params, X, y = net_problem
    net = TwoLayerNet(4, 7, 3)
    net.params = {k: v.copy() for k, v in params.items()}
    np.testing.assert_array_equal(net.loss(X), two_layer_loss(params, X))
    loss, grads = net.loss(X, y, reg=0.1)
    ref_loss, ref_grads = two_layer_loss(params, X, y, 0.1)
    assert loss == ref_loss
    for k in params:
        np.testing.assert_array_equal(grads[k], ref_grads[k])
    np.testing.assert_array_equal(net.predict(X), np.argmax(two_layer_loss(params, X), axis=1))
    assert net.predict(X).shape == (6,)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [((0, 5, 3), r"input_size must be a positive int, got 0"),
     ((2, 5.0, 3), r"hidden_size must be a positive int, got 5.0"),
     ((2, 5, True), r"output_size must be a positive int, got True")],
)  # fmt: skip
def test_net_size_errors(args, pattern):
    with pytest.raises(ValueError, match=rf"^TwoLayerNet: {pattern}"):
        TwoLayerNet(*args)


def test_train_history_decreases_and_is_reproducible():
    X, y = make_spiral(40, 3)
    kw = dict(learning_rate=1.0, learning_rate_decay=0.95, reg=1e-4, num_iters=150)
    net = TwoLayerNet(2, 30, 3, std=1e-2)
    hist = net.train(X, y, batch_size=32, **kw)
    assert hist.shape == (150,)
    assert np.mean(hist[-10:]) < 0.85 * np.mean(hist[:10])
    again = TwoLayerNet(2, 30, 3, std=1e-2)
    np.testing.assert_array_equal(again.train(X, y, batch_size=32, **kw), hist)
    other = TwoLayerNet(2, 30, 3, std=1e-2)
    assert not np.array_equal(other.train(X, y, batch_size=32, seed=1, **kw), hist)


def test_learning_rate_decay_applies_after_each_epoch():
    X, y = make_spiral(20, 3)
    net = TwoLayerNet(2, 10, 3, std=1e-1)
    # Full batch: one iteration per epoch, so a decay of 0 stops training after the first step.
    hist = net.train(X, y, learning_rate=1.0, learning_rate_decay=0.0, reg=0.0, num_iters=5,
                     batch_size=None)  # fmt: skip
    assert hist[1] < hist[0]
    np.testing.assert_array_equal(hist[1:], hist[1])


def test_train_validates_labels():
    X, _ = make_spiral(5, 3)
    with pytest.raises(ValueError, match=r"^TwoLayerNet.train: y 3 out of range for 3 classes"):
        TwoLayerNet(2, 4, 3).train(X, np.full(15, 3), num_iters=1)


@pytest.mark.slow
def test_two_layer_net_fits_the_spiral():
    X, y = make_spiral()
    net = TwoLayerNet(2, 100, 3, std=1e-2)
    hist = net.train(X, y, learning_rate=1.0, learning_rate_decay=1.0, reg=1e-4, num_iters=2000,
                     batch_size=None)  # fmt: skip
    assert np.mean(net.predict(X) == y) >= 0.97
    assert hist[-1] < 0.2 * hist[0]


# ----------------------------------------------------------------------------------------------
# make_spiral


def test_make_spiral_shapes_balance_and_geometry():
    X, y = make_spiral(50, 4)
    assert X.shape == (200, 2) and y.shape == (200,)
    assert X.dtype == np.float64 and y.dtype.kind == "i"
    np.testing.assert_array_equal(np.bincount(y), [50] * 4)
    np.testing.assert_array_equal(y, np.repeat(np.arange(4), 50))
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 50), 4), atol=1e-15)
    assert make_spiral()[0].shape == (300, 2)


def test_make_spiral_is_reproducible_by_seed():
    a, b, c = make_spiral(seed=3), make_spiral(seed=3), make_spiral(seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    np.testing.assert_array_equal(a[1], c[1])
    # Without noise the seed does not matter.
    np.testing.assert_array_equal(
        make_spiral(seed=1, noise=0.0)[0], make_spiral(seed=2, noise=0.0)[0]
    )


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_per_class": 0}, r"n_per_class must be a positive int, got 0"),
        ({"n_per_class": 2.5}, r"n_per_class must be a positive int, got 2.5"),
        ({"n_classes": True}, r"n_classes must be a positive int, got True"),
        ({"n_classes": -1}, r"n_classes must be a positive int, got -1"),
        ({"noise": -0.1}, r"noise must be a finite number >= 0, got -0.1"),
        ({"noise": np.inf}, r"noise must be a finite number >= 0, got inf"),
        ({"noise": np.nan}, r"noise must be a finite number >= 0, got nan"),
        ({"noise": "0.2"}, r"noise must be a finite number >= 0, got '0.2'"),
    ],
)
def test_make_spiral_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^make_spiral: {pattern}"):
        make_spiral(**kwargs)


@pytest.mark.parametrize(
    ("y_change", "kwargs", "message"),
    [
        (lambda y: np.r_[y[:-1], 7], {"num_classes": 3}, "train_linear_softmax: y 7 out of range"),
        (lambda y: y[:5], {}, r"train_linear_softmax: y must have shape \(300,\)"),
        (lambda y: y, {"num_classes": 0}, "train_linear_softmax: num_classes must be"),
        (lambda y: y, {"num_iters": -1}, "train_linear_softmax: num_iters must be"),
    ],
)
def test_train_linear_softmax_names_itself_in_errors(y_change, kwargs, message):
    X, y = make_spiral()
    with pytest.raises(ValueError, match=message):
        train_linear_softmax(X, y_change(y), **kwargs)
