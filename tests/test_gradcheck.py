"""Tests of :mod:`ce_course.gradcheck`: the three numerical derivatives and their error orders,
``relative_error``, and ``check_gradient``'s verdicts, diagnoses, sampling and reports."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ce_course import (
    GradientCheckError,
    GradientCheckResult,
    check_gradient,
    cross_entropy,
    cross_entropy_grad,
    linear_softmax_loss,
    numerical_gradient,
    relative_error,
    two_layer_loss,
)
from ce_course.gradcheck import verdict

from .reference import MP, mp_ce_grad_rows


def f_smooth(x):
    """``sum(sin(x) * exp(x / 2))``: complex-safe, with a known gradient."""
    return np.sum(np.sin(x) * np.exp(x / 2))


def df_smooth(x):
    return np.exp(x / 2) * (np.cos(x) + 0.5 * np.sin(x))


METHOD_RTOL = {"forward": 1e-4, "central": 1e-9, "complex": 1e-15}


# ----------------------------------------------------------------------------------------------
# numerical_gradient


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_numerical_gradient_of_a_known_function(method, rng):
    x = rng.normal(size=(3, 4))
    num = numerical_gradient(f_smooth, x, method=method)
    assert num.shape == x.shape and num.dtype == np.float64
    assert relative_error(num, df_smooth(x)) < METHOD_RTOL[method]


def test_chain_rule_example_of_the_course():
    # x = a*b - y, z = 2x + y at a=10, b=1, y=3: dz/da = 2, dz/db = 20, dz/dy = -1.
    def z(v):
        a, b, y = v
        x = a * b - y
        return 2 * x + y

    for method in ("forward", "central", "complex"):
        num = numerical_gradient(z, np.array([10.0, 1.0, 3.0]), method=method)
        np.testing.assert_allclose(num, [2.0, 20.0, -1.0], rtol=1e-9)


def _error(method: str, h: float) -> float:
    x = np.array([1.0])
    return abs(numerical_gradient(lambda v: np.exp(v[0]), x, h=h, method=method)[0] - np.e)


@pytest.mark.parametrize(("method", "order"), [("forward", 1), ("central", 2), ("complex", 2)])
def test_error_orders(method, order):
    # In the truncation-dominated regime halving h divides the error by 2**order.
    ratio = _error(method, 1e-2) / _error(method, 5e-3)
    assert ratio == pytest.approx(2**order, rel=0.05)
    # The central estimate is far better than the forward one at the same step.
    assert _error("central", 1e-4) < 1e-3 * _error("forward", 1e-4)


def test_complex_step_has_no_cancellation():
    # Tiny steps ruin finite differences (eps / h) but not the complex step.
    assert _error("complex", 1e-20) <= 4.5e-16
    assert _error("complex", 1e-100) <= 4.5e-16
    assert _error("central", 1e-12) > 1e-6


def test_complex_step_through_cross_entropy_is_exact_to_rounding(rng):
    z = rng.normal(size=(4, 5)) * 3
    y = np.array([0, 4, 2, 2])
    num = numerical_gradient(lambda v: cross_entropy(v, y), z, method="complex")
    ref = mp_ce_grad_rows(z, y)
    worst = max(
        float(abs(MP.mpf(float(num[i, k])) - r / 4) / abs(r / 4))
        for i, row in enumerate(ref)
        for k, r in enumerate(row)
    )
    assert worst < 2e-15
    assert relative_error(num, cross_entropy_grad(z, y)) < 2e-15


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_x_is_never_modified(method, rng):
    x = rng.normal(size=(3, 2))
    x32 = x.astype(np.float32)
    params = {"W": rng.normal(size=(2, 2)), "b": np.zeros(2)}
    before = (x.copy(), x32.copy(), {k: v.copy() for k, v in params.items()})

    def evil(v):  # even an f that scribbles on its input cannot reach x
        out = np.sum(v**2)
        v *= 2
        return out

    def evil_dict(p):
        out = np.sum(p["W"] ** 2) + np.sum(p["b"])
        for value in p.values():
            value += 1
        return out

    numerical_gradient(evil, x, method=method)
    numerical_gradient(evil, x32, method=method)
    numerical_gradient(evil_dict, params, method=method)
    check_gradient(evil, x, 2 * x, method=method)
    check_gradient(evil_dict, params, {"W": 2 * params["W"], "b": np.ones(2)}, method=method)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(x32, before[1])
    assert x32.dtype == np.float32
    for k in params:
        np.testing.assert_array_equal(params[k], before[2][k])


def test_dict_of_parameters(rng):
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}

    def f(p):
        return np.sum(np.sin(p["W"])) + np.sum(p["b"] ** 3)

    grads = numerical_gradient(f, params, method="complex")
    assert set(grads) == {"W", "b"}
    np.testing.assert_allclose(grads["W"], np.cos(params["W"]), rtol=1e-15)
    np.testing.assert_allclose(grads["b"], 3 * params["b"] ** 2, rtol=1e-15)


def test_integer_and_scalar_points():
    assert numerical_gradient(lambda v: v**2, 3.0, method="complex") == pytest.approx(6.0)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), [1, 2]), [2.0, 4.0])


@pytest.mark.parametrize("f", [numerical_gradient, check_gradient])
def test_f_must_return_a_scalar(f):
    args = (lambda v: v * 2, np.ones(3))
    if f is check_gradient:
        args = (*args, np.ones(3))
    with pytest.raises(ValueError, match=rf"^{f.__name__}: f must return a scalar, got an array"):
        f(*args)


@pytest.mark.parametrize(
    "g",
    [
        lambda v: float(np.sum(v**2).real),
        lambda v: np.sum(np.abs(v) ** 2),
        lambda v: np.sum(np.asarray(v, dtype=float) ** 2),
    ],
)
def test_complex_method_needs_a_complex_safe_f(g):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)  # from the asarray variant
        with pytest.raises(ValueError, match=r"method='complex' needs f to keep complex numbers"):
            numerical_gradient(g, np.ones(2), method="complex")
        with pytest.raises(ValueError, match=r"^check_gradient: method='complex' needs f"):
            check_gradient(g, np.ones(2), 2 * np.ones(2), method="complex")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"method": "backward"}, r"unknown method 'backward'"),
        ({"h": 0.0}, r"step h must be a positive finite number, got 0.0"),
        ({"h": -1e-5}, r"step h must be a positive finite number"),
        ({"h": np.nan}, r"step h must be a positive finite number"),
        ({"h": "1e-5"}, r"step h must be a positive finite number"),
    ],
)
def test_numerical_gradient_option_errors(kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^numerical_gradient: {pattern}"):
        numerical_gradient(np.sum, np.ones(2), **kwargs)
    with pytest.raises(ValueError, match=rf"^check_gradient: {pattern}"):
        check_gradient(np.sum, np.ones(2), np.ones(2), **kwargs)


def test_non_numeric_points():
    with pytest.raises(
        ValueError, match=r"^numerical_gradient: x must hold numbers, got dtype <U1"
    ):
        numerical_gradient(np.sum, ["a", "b"])
    with pytest.raises(ValueError, match=r"^numerical_gradient: x\['W'\] must hold numbers"):
        numerical_gradient(np.sum, {"W": [object()]})
    with pytest.raises(ValueError, match=r"^check_gradient: x must hold numbers"):
        check_gradient(np.sum, ["a"], [1.0])


# ----------------------------------------------------------------------------------------------
# relative_error


def test_relative_error_values_and_zero_guard():
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1, rel=1e-15)
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error(0.0, 1e-300) == 1.0
    assert relative_error(1.0, -1.0) == 2.0
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert isinstance(relative_error([1.0], [2.0]), float)
    np.testing.assert_array_equal(
        relative_error([1.0, 0.0, 2.0], [1.0, 1e-3, 1.0], elementwise=True), [0.0, 1.0, 0.5]
    )
    # Broadcasting, and the largest entry wins.
    assert relative_error(np.array([[1.0, 2.0], [4.0, 8.0]]), 2.0) == 0.75
    assert np.isnan(relative_error([1.0, np.nan], [1.0, 1.0]))
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0


def test_relative_error_errors():
    with pytest.raises(ValueError, match=r"^relative_error: shapes \(2,\) and \(3,\) do not match"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^relative_error: b must hold numbers"):
        relative_error([1.0], ["x"])


def test_verdicts():
    assert verdict(0.5).startswith("wrong")
    assert verdict(np.nan).startswith("wrong")
    assert verdict(1e-3).startswith("uncomfortable")
    assert verdict(1e-5).startswith("okay for objectives with kinks")
    assert verdict(5e-7).startswith("acceptable")
    assert verdict(1e-9).startswith("good")
    assert verdict(1e-5, rtol=1e-4).startswith("acceptable")  # forward differences
    assert verdict(1e-9, rtol=1e-10).startswith("okay for objectives with kinks")  # complex step


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
@pytest.mark.parametrize("rel", [3e-11, 3e-9, 3e-8, 2e-7, 9e-7, 5e-6, 9e-5, 3e-3, 0.5])
def test_verdict_agrees_with_the_tolerance(method, rel):
    # A check that passes is never told its error is too high, and one that fails never "good".
    from ce_course.gradcheck import _DEFAULT_RTOL

    rtol = _DEFAULT_RTOL[method]
    text = verdict(rel, rtol=rtol)
    if rel <= rtol:
        assert text.startswith(("good", "acceptable")) and "too high" not in text
    else:
        assert not text.startswith(("good", "acceptable"))


def test_check_gradient_verdict_between_1e7_and_1e6_passes_and_says_acceptable():
    z = np.array([0.3, -1.2, 2.0])
    exact = cross_entropy_grad(z, 1)
    perturbed = exact * (1 + 5e-7)  # a relative error of 5e-7, inside the default 1e-6
    res = check_gradient(lambda v: cross_entropy(v, 1), z, perturbed)
    assert res.passed and 1e-7 < res.max_rel_error <= 1e-6
    assert res.verdict.startswith("acceptable") and "too high" not in res.verdict


# ----------------------------------------------------------------------------------------------
# check_gradient


@pytest.fixture
def ce_problem(rng):
    z = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 1])
    return (lambda v: cross_entropy(v, y)), z, cross_entropy_grad(z, y)


@pytest.mark.parametrize("method", ["forward", "central", "complex"])
def test_correct_gradient_passes(ce_problem, method):
    f, z, g = ce_problem
    res = check_gradient(f, z, g, method=method)
    assert isinstance(res, GradientCheckResult)
    assert res.passed and res.n_failed == 0 and res.n_checked == 12
    assert res.max_rel_error < {"forward": 1e-4, "central": 1e-7, "complex": 1e-13}[method]
    assert res.diagnosis is None
    assert res.method == method and res.shape == (4, 3)
    assert res.rtol == {"forward": 1e-4, "central": 1e-6, "complex": 1e-10}[method]
    assert "passed" in str(res) and str(res) == res.report()
    assert len(res.worst) == 5


def _diagnosis(f, x, grad, **kw):
    res = check_gradient(f, x, grad, **kw)
    assert not res.passed
    assert res.verdict.startswith("wrong")
    return res.diagnosis or ""


def test_diagnosis_constant_factor_n(ce_problem):
    f, z, g = ce_problem
    d = _diagnosis(f, z, 4 * g)  # forgot to divide by N = 4
    assert "analytic = 4 x numeric" in d and "constant factor of 4" in d and "batch size" in d


def test_diagnosis_factor_two(ce_problem):
    f, z, g = ce_problem
    assert "analytic = 2 x numeric" in _diagnosis(f, z, 2 * g)
    d = _diagnosis(f, z, g / 2)
    assert "analytic = numeric / 2" in d and "factor of 2" in d


def test_diagnosis_sign_flip(ce_problem):
    f, z, g = ce_problem
    assert "sign is flipped" in _diagnosis(f, z, -g)
    assert "analytic = 4 x numeric, and the sign is flipped" in _diagnosis(f, z, -4 * g)


def test_diagnosis_transposed(rng):
    W, X, y = rng.normal(size=(3, 3)), rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    _, dW = linear_softmax_loss(W, X, y)
    assert not np.allclose(dW, dW.T)
    d = _diagnosis(lambda w: linear_softmax_loss(w, X, y)[0], W, dW.T)
    assert "transposed" in d


def test_diagnosis_missing_regularization_gradient(rng):
    W, X, y = rng.normal(size=(4, 3)), rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    reg = 0.1
    _, dW_without = linear_softmax_loss(W, X, y, reg=0.0)  # the 2 * reg * W term is missing
    d = _diagnosis(lambda w: linear_softmax_loss(w, X, y, reg=reg)[0], W, dW_without)
    assert "numeric - analytic = 0.2 x (the input itself)" in d and "2*reg*W" in d
    _, dW_half = linear_softmax_loss(W, X, y, reg=reg / 2)  # reg * W instead of 2 * reg * W
    d = _diagnosis(lambda w: linear_softmax_loss(w, X, y, reg=reg)[0], W, dW_half)
    assert "numeric - analytic = 0.1 x (the input itself)" in d


def test_diagnosis_all_zero_and_constant_function(ce_problem):
    f, z, g = ce_problem
    assert "all zeros" in _diagnosis(f, z, np.zeros_like(z))
    assert "does not change with x" in _diagnosis(lambda v: 3.0, z, g)


def test_diagnosis_isolated_entry(rng):
    x = rng.normal(size=(5, 4))
    grad = 2 * x
    grad[2, 1] += 0.5
    res = check_gradient(lambda v: np.sum(v**2), x, grad)
    assert res.n_failed == 1 and res.worst[0].index == (2, 1)
    assert "only a few isolated entries" in res.diagnosis


def test_num_checks_samples_k_entries_reproducibly(rng):
    x = rng.normal(size=(6, 7))
    seen: list[int] = []

    def f(v):
        changed = np.flatnonzero(v != x)
        seen.extend(changed.tolist())
        return np.sum(np.sin(v))

    def sampled(seed):
        seen.clear()
        res = check_gradient(f, x, np.cos(x), num_checks=5, seed=seed)
        assert res.passed and res.n_checked == 5
        assert {np.ravel_multi_index(e.index, x.shape) for e in res.worst} == set(seen)
        return sorted(set(seen))

    first = sampled(0)
    assert len(first) == 5
    assert sampled(0) == first
    assert sampled(1) != first
    # More checks than entries: all of them.
    assert check_gradient(f, x, np.cos(x), num_checks=1000).n_checked == 42


def test_raise_exception_reports_parameter_shape_counts_and_worst_entries(ce_problem):
    f, z, g = ce_problem
    assert check_gradient(f, z, g, raise_exception=True).passed  # no exception when right
    with pytest.raises(GradientCheckError) as info:
        check_gradient(f, z, 4 * g, raise_exception=True)
    msg = str(info.value)
    assert "gradient of x (shape (4, 3)) FAILED: 12 of 12 checked entries exceed rtol=1e-06" in msg
    assert "worst entries:" in msg and "x[" in msg and "analytic" in msg and "numeric" in msg
    assert "likely cause: analytic = 4 x numeric" in msg
    assert isinstance(info.value, AssertionError)
    res = info.value.result
    assert not res.passed and res.n_failed == 12
    errs = [e.rel_error for e in res.worst]
    assert errs == sorted(errs, reverse=True)  # worst first
    worst = res.worst[0]
    assert worst.analytic == pytest.approx(4 * worst.numeric, rel=1e-6)
    assert f"x{list(worst.index)}" in msg


def test_dict_mode_names_the_failing_parameter(rng):
    params = {
        "W1": 0.5 * rng.normal(size=(4, 6)),
        "b1": 0.1 * rng.normal(size=6),
        "W2": 0.5 * rng.normal(size=(6, 3)),
        "b2": np.zeros(3),
    }
    X, y = rng.normal(size=(5, 4)), np.array([0, 1, 2, 2, 1])

    def f(p):
        return two_layer_loss(p, X, y, reg=0.05)[0]

    _, grads = two_layer_loss(params, X, y, reg=0.05)
    assert check_gradient(f, params, grads).passed
    bad = {**grads, "W2": 2 * grads["W2"]}
    res = check_gradient(f, params, bad)
    assert not res.passed and res.name == "W2"
    assert set(res.parameters) == {"W1", "b1", "W2", "b2"}
    assert [k for k, r in res.parameters.items() if not r.passed] == ["W2"]
    assert res.diagnosis.startswith("W2: analytic = 2 x numeric")
    assert all(e.name == "W2" for e in res.worst)
    report = res.report()
    assert "1 of 4 parameters fail" in report and "gradient of W2 (shape (6, 3)) FAILED" in report
    # The report is printed in the book and in notebooks: it fits in 88 columns.
    widths = [len(line) for line in report.splitlines()]
    assert max(widths) <= 88, report
    assert len(widths) > len(res.parameters) * 3  # one block per parameter, wrapped
    with pytest.raises(GradientCheckError, match=r"gradient of W2 \(shape \(6, 3\)\) FAILED"):
        check_gradient(f, params, bad, raise_exception=True)


@pytest.mark.parametrize(
    ("x", "grad", "kwargs", "pattern"),
    [
        (np.ones((2, 3)), np.ones((3, 2)), {}, r"gradient of x has shape \(3, 2\) .*transposed\?"),
        (np.ones(3), np.ones(2), {}, r"gradient of x has shape \(2,\) but x has shape \(3,\)"),
        ({"W": np.ones(2)}, np.ones(2), {}, r"x is a dict of parameters, so grad must be a dict"),
        ({"W": np.ones(2), "b": 1.0}, {"W": np.ones(2)}, {}, r"grad has no entry .*\['b'\]"),
        (np.ones(2), np.ones(2), {"num_checks": 0}, r"num_checks must be a positive int or None"),
        (np.ones(2), np.ones(2), {"num_checks": 2.0}, r"num_checks must be a positive int"),
        (np.ones(2), np.ones(2), {"rtol": 0.0}, r"rtol must be > 0 and atol >= 0"),
        (np.ones(2), np.ones(2), {"atol": -1.0}, r"rtol must be > 0 and atol >= 0"),
        (np.ones(2), ["a", "b"], {}, r"grad must hold numbers"),
    ],
)
def test_check_gradient_errors(x, grad, kwargs, pattern):
    def f(v):
        return 0.0 if isinstance(v, dict) else np.sum(v)

    with pytest.raises(ValueError, match=rf"^check_gradient: {pattern}"):
        check_gradient(f, x, grad, **kwargs)


def test_relative_error_is_quiet_and_defined_on_infinities() -> None:
    import warnings

    import numpy as np

    from ce_course import relative_error

    a = np.array([np.inf, np.inf, -np.inf, 1.0, np.nan, 0.0])
    b = np.array([np.inf, -np.inf, -np.inf, np.inf, 1.0, 0.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        err = relative_error(a, b, elementwise=True)
        assert np.isnan(relative_error(a, b))
        assert relative_error(np.inf, np.inf) == 0.0
    np.testing.assert_array_equal(err, [0.0, np.inf, 0.0, np.inf, np.nan, 0.0])
