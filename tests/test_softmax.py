"""Unit tests of :mod:`ce_course.softmax`: values, shapes, axes, dtypes, the stability contract of
the module docstring, the Jacobian and its vector product, and every documented error."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest

import ce_course as cc
from ce_course import (
    log_softmax,
    logsumexp,
    numerical_gradient,
    softmax,
    softmax_jacobian,
    softmax_naive,
    softmax_vjp,
)


def py_softmax(row: list[float]) -> list[float]:
    """Textbook softmax in Python floats with an exactly rounded sum (for small logits only)."""
    e = [math.exp(v) for v in row]
    s = math.fsum(e)
    return [v / s for v in e]


# ----------------------------------------------------------------------------------------------
# Values, shapes and axes


def test_softmax_known_values():
    row = [1.0, 2.0, 3.0]
    np.testing.assert_allclose(softmax(row), py_softmax(row), rtol=4e-16)
    np.testing.assert_allclose(log_softmax(row), np.log(py_softmax(row)), rtol=4e-16)
    assert logsumexp(row) == pytest.approx(math.log(math.fsum(math.exp(v) for v in row)), rel=4e-16)


def test_uniform_logits_give_uniform_probabilities():
    for C in (1, 2, 3, 10, 1000):
        p = softmax(np.full(C, 7.25))
        np.testing.assert_allclose(p, 1.0 / C, rtol=2e-16)
        np.testing.assert_allclose(log_softmax(np.zeros(C)), -math.log(C), rtol=2e-16)
        assert logsumexp(np.zeros(C)) == pytest.approx(math.log(C), rel=2e-16, abs=0)


def test_single_class_is_certain():
    for x in ([5.0], [-1e4], [[3.0], [-7.0]]):
        np.testing.assert_array_equal(softmax(x), np.ones_like(np.asarray(x)))
        np.testing.assert_array_equal(log_softmax(x), np.zeros_like(np.asarray(x)))
        np.testing.assert_array_equal(logsumexp(x), np.asarray(x)[..., 0])


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_any_axis_of_a_3d_array(axis, rng):
    x = rng.normal(size=(2, 3, 4)) * 5
    expected = np.apply_along_axis(py_softmax, axis, x)
    np.testing.assert_allclose(softmax(x, axis=axis), expected, rtol=1e-14)
    np.testing.assert_allclose(log_softmax(x, axis=axis), np.log(expected), rtol=1e-13, atol=1e-15)
    lse = np.log(np.sum(np.exp(x), axis=axis))
    np.testing.assert_allclose(logsumexp(x, axis=axis), lse, rtol=1e-14)
    kept = logsumexp(x, axis=axis, keepdims=True)
    assert kept.shape == tuple(1 if d == axis % 3 else n for d, n in enumerate(x.shape))
    np.testing.assert_allclose(np.exp(x - kept).sum(axis=axis), 1.0, rtol=1e-14)


def test_logsumexp_axis_none_and_return_types(rng):
    x = rng.normal(size=(3, 4))
    total = logsumexp(x, axis=None)
    assert np.ndim(total) == 0 and isinstance(total, np.float64)
    assert total == pytest.approx(math.log(math.fsum(math.exp(v) for v in x.ravel())), rel=1e-15)
    assert logsumexp(x, axis=None, keepdims=True).shape == (1, 1)
    assert logsumexp(3.0, axis=None) == 3.0  # a 0-d array is fine without an axis
    assert isinstance(logsumexp([1.0, 2.0]), np.float64)  # a NumPy scalar, not a 0-d array
    assert logsumexp(x).shape == (3,)


def test_dtypes_are_kept_or_promoted():
    for f in (softmax, log_softmax, logsumexp, softmax_naive):
        assert f([1, 2, 3]).dtype == np.float64  # integers become float64
        assert f(np.array([True, False])).dtype == np.float64
        assert f(np.array([1, 2], dtype=np.int8)).dtype == np.float64
        assert f(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32
        assert f(np.array([1.0, 2.0], dtype=np.float64)).dtype == np.float64
        assert f(np.array([1.0, 2.0 + 0.5j])).dtype == np.complex128
    assert softmax_jacobian(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32
    assert softmax_vjp(np.float32([1, 2]), np.float32([1, 0])).dtype == np.float32


def test_complex_input_gives_the_analytic_continuation():
    z = np.array([0.3, -1.2, 2.0])
    h = 1e-7
    for k in range(3):
        zc = z.astype(complex)
        zc[k] += 1j * h
        J = softmax_jacobian(z)
        np.testing.assert_allclose(softmax(zc).imag / h, J[:, k], rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(
            logsumexp(zc).imag / h, softmax(z)[k], rtol=1e-12
        )  # d lse / d z_k = p_k


# ----------------------------------------------------------------------------------------------
# Temperature


@pytest.mark.parametrize("T", [0.01, 0.5, 1.0, 2.0, 1e3])
def test_temperature_divides_the_logits(T, rng):
    x = rng.normal(size=(5, 4))
    # (z - m) / T and z / T - m / T round differently; exp turns an absolute error d of its
    # argument into a relative error d.
    d = 4 * np.finfo(np.float64).eps * (1 + np.max(np.abs(x)) / T)
    np.testing.assert_allclose(softmax(x, temperature=T), softmax(x / T), rtol=2 * d, atol=0)
    np.testing.assert_allclose(log_softmax(x, temperature=T), log_softmax(x / T), rtol=0, atol=d)
    x32 = x.astype(np.float32)
    assert softmax(x32, temperature=T).dtype == np.float32
    assert log_softmax(x32, temperature=T).dtype == np.float32


def test_small_temperature_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax([1e308, 0.0], temperature=0.1), [1.0, 0.0])
        np.testing.assert_array_equal(log_softmax([1e308, 0.0], temperature=0.1), [0.0, -np.inf])
        np.testing.assert_array_equal(softmax([3.0, 1.0], temperature=1e-300), [1.0, 0.0])


def test_temperature_limits(rng):
    x = rng.normal(size=(6, 5))
    cold = softmax(x, temperature=1e-6)
    np.testing.assert_array_equal(cold, np.eye(5)[np.argmax(x, axis=1)])
    hot = softmax(x, temperature=1e8)
    np.testing.assert_allclose(hot, 0.2, rtol=1e-7)
    # Entropy grows with the temperature.
    ents = [-(softmax(x[0], temperature=T) * log_softmax(x[0], temperature=T)).sum()
            for T in (0.1, 0.5, 1, 2, 10)]  # fmt: skip
    assert np.all(np.diff(ents) > 0)


# ----------------------------------------------------------------------------------------------
# The naive formula


def test_softmax_naive_agrees_on_small_logits_and_breaks_on_large_ones(rng):
    x = rng.normal(size=(4, 6))
    np.testing.assert_allclose(softmax_naive(x), softmax(x), rtol=1e-14)
    np.testing.assert_allclose(softmax_naive(x.T, axis=0), softmax(x.T, axis=0), rtol=1e-14)
    with pytest.warns(RuntimeWarning):
        broken = softmax_naive([-10.0, -1.0, 1000.0])
    assert np.isnan(broken[2])
    np.testing.assert_array_equal(softmax([-10.0, -1.0, 1000.0])[2], 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(softmax_naive(np.float32([88.0, 89.0]))).any()
        assert np.all(np.isfinite(softmax_naive(np.float32([88.0, 88.7]))))  # exp(88.7) < 3.4e38
        assert np.isnan(softmax_naive(np.float64([709.0, 710.0]))).any()
        assert np.all(np.isfinite(softmax_naive(np.float64([709.0, 709.7]))))
    with np.errstate(invalid="ignore"):
        assert np.all(np.isnan(softmax_naive([-800.0, -800.0])))  # 0 / 0
    np.testing.assert_array_equal(softmax([-800.0, -800.0]), [0.5, 0.5])


# ----------------------------------------------------------------------------------------------
# The stability contract of the module docstring


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("no_warnings")
def test_finite_extremes_give_finite_results():
    rows = np.array([[1000.0, -1000.0, 0.0], [-1e4, -1e4, -1e4], [710.0, 709.0, 0.0],
                     [-746.0, -800.0, -750.0], [1e300, -1e300, 0.0]])  # fmt: skip
    p = softmax(rows)
    assert np.all(np.isfinite(p)) and np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=4e-16)
    assert np.all(np.isfinite(log_softmax(rows)))
    assert np.all(np.isfinite(logsumexp(rows)))
    np.testing.assert_array_equal(log_softmax([0.0, -800.0]), [0.0, -800.0])  # not -inf


@pytest.mark.usefixtures("no_warnings")
def test_minus_inf_logits_are_masked():
    z = np.array([[0.0, -np.inf, 1.0, -np.inf], [2.0, 1.0, -np.inf, 0.5]])
    p, lp = softmax(z), log_softmax(z)
    assert np.all(p[np.isneginf(z)] == 0.0)
    assert np.all(np.isneginf(lp[np.isneginf(z)]))
    for i in range(2):
        keep = np.isfinite(z[i])
        np.testing.assert_allclose(p[i, keep], softmax(z[i, keep]), rtol=1e-15)
        np.testing.assert_allclose(lp[i, keep], log_softmax(z[i, keep]), rtol=1e-15)
        assert logsumexp(z[i]) == pytest.approx(logsumexp(z[i, keep]), rel=1e-15)
    np.testing.assert_array_equal(softmax_jacobian(z[0])[1], 0.0)  # a masked class is inert


@pytest.mark.usefixtures("no_warnings")
def test_all_minus_inf_row_gives_nan_probabilities_and_minus_inf_lse():
    z = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    assert np.isneginf(logsumexp(z)[0])
    assert np.all(np.isnan(softmax(z)[0])) and np.all(np.isnan(log_softmax(z)[0]))
    # The other row is untouched.
    np.testing.assert_array_equal(softmax(z)[1], softmax(z[1]))
    np.testing.assert_array_equal(log_softmax(z)[1], log_softmax(z[1]))
    assert logsumexp(z)[1] == logsumexp(z[1])


@pytest.mark.usefixtures("no_warnings")
def test_plus_inf_logit_gives_inf_lse_and_nan_where_it_is():
    z = np.array([[np.inf, 0.0, -3.0], [np.inf, np.inf, 1.0], [-np.inf, 0.0, np.inf]])
    assert np.all(np.isposinf(logsumexp(z)))
    p = softmax(z)
    np.testing.assert_array_equal(np.isnan(p), np.isposinf(z))
    np.testing.assert_array_equal(p[~np.isposinf(z)], 0.0)


@pytest.mark.usefixtures("no_warnings")
def test_nan_propagates_to_its_row_only():
    z = np.array([[np.nan, 0.0, 1.0], [0.0, 1.0, 2.0]])
    for f in (softmax, log_softmax):
        out = f(z)
        assert np.all(np.isnan(out[0]))
        np.testing.assert_array_equal(out[1], f(z[1]))
    assert np.isnan(logsumexp(z)[0]) and logsumexp(z)[1] == logsumexp(z[1])


# ----------------------------------------------------------------------------------------------
# Jacobian and vector-Jacobian product


def test_jacobian_formula_example_and_shapes(rng):
    np.testing.assert_array_equal(softmax_jacobian([0.0, 0.0]), [[0.25, -0.25], [-0.25, 0.25]])
    z = rng.normal(size=(3, 5))
    J = softmax_jacobian(z)
    assert J.shape == (3, 5, 5) and softmax_jacobian(z[0]).shape == (5, 5)
    for i in range(3):
        p = np.array(py_softmax(list(z[i])))
        np.testing.assert_allclose(J[i], np.diag(p) - np.outer(p, p), rtol=1e-14, atol=1e-17)
        np.testing.assert_array_equal(J[i], softmax_jacobian(z[i]))


def test_jacobian_equals_complex_step_derivative(rng):
    z = rng.normal(size=6) * 3
    J = softmax_jacobian(z)
    for i in range(6):
        row = numerical_gradient(lambda v, i=i: softmax(v)[i], z, method="complex")
        np.testing.assert_allclose(J[i], row, rtol=1e-13, atol=1e-17)


def test_vjp_equals_v_times_jacobian(rng):
    z, v = rng.normal(size=(4, 7)), rng.normal(size=(4, 7))
    expected = np.einsum("nc,ncd->nd", v, softmax_jacobian(z))
    np.testing.assert_allclose(softmax_vjp(z, v), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(softmax_vjp(z[0], v[0]), v[0] @ softmax_jacobian(z[0]), atol=1e-15)
    # The class axis can be the first one.
    np.testing.assert_allclose(softmax_vjp(z.T, v.T, axis=0), expected.T, rtol=1e-12, atol=1e-15)
    # A constant upstream gradient is annihilated: softmax outputs always sum to one.
    np.testing.assert_allclose(softmax_vjp(z, np.ones_like(z)), 0.0, atol=1e-16)


def test_vjp_of_the_cross_entropy_upstream_gradient_is_p_minus_y(rng):
    # dL/dp = -y/p for L = -sum y log p; pushing it through softmax gives p - y.
    z = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, 5)
    p, Y = softmax(z), cc.one_hot(y, 4)
    np.testing.assert_allclose(softmax_vjp(z, -Y / p), p - Y, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------------------------
# Errors: the function, the argument and the bad value


AXIS_FUNCS = [softmax, log_softmax, softmax_naive]


@pytest.mark.parametrize("f", [*AXIS_FUNCS, logsumexp])
def test_axis_out_of_range(f):
    name = f.__name__
    with pytest.raises(ValueError, match=rf"^{name}: axis 2 is out of range .* 2 dimensions"):
        f(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=rf"^{name}: axis -3 is out of range"):
        f(np.zeros((2, 3)), axis=-3)
    with pytest.raises(ValueError, match=rf"^{name}: axis must be an int, got 1.0"):
        f(np.zeros((2, 3)), axis=1.0)
    with pytest.raises(ValueError, match=rf"^{name}: axis must be an int, got True"):
        f(np.zeros((2, 3)), axis=True)


def test_axis_error_of_softmax_vjp():
    with pytest.raises(ValueError, match=r"^softmax: axis 1 is out of range"):
        softmax_vjp([1.0, 2.0], [1.0, 0.0], axis=1)  # raised by the softmax it calls


@pytest.mark.parametrize("f", [softmax, log_softmax])
@pytest.mark.parametrize("T", [0, 0.0, -1.0, np.inf, np.nan, "2", None, True])
def test_temperature_must_be_positive_and_finite(f, T):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: temperature must be a positive"):
        f([1.0, 2.0], temperature=T)


@pytest.mark.parametrize("f", [*AXIS_FUNCS, softmax_jacobian])
def test_zero_dimensional_input(f):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: x must have .*got shape \(\)"):
        f(3.0)


def test_logsumexp_zero_dimensional_with_an_axis():
    with pytest.raises(ValueError, match=r"^logsumexp: x must have at least 1 dimension"):
        logsumexp(3.0)


@pytest.mark.parametrize("f", [softmax, log_softmax, logsumexp])
def test_no_classes(f):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: x has no .* along axis 1 .*\(2, 0\)"):
        f(np.zeros((2, 0)))


@pytest.mark.parametrize("f", [*AXIS_FUNCS, logsumexp, softmax_jacobian])
@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        (["a", "b"], r"x must hold numbers, got dtype <U1 \(\['a', 'b'\]\)"),
        ([object(), 1.0], r"x must hold numbers, got dtype object"),
        ([[1.0, 2.0], [3.0]], r"x is not an array of numbers"),
        (None, r"x must hold numbers, got dtype object \(None\)"),
    ],
)
def test_non_numeric_input(f, bad, pattern):
    with pytest.raises(ValueError, match=rf"^{f.__name__}: {pattern}"):
        f(bad)


def test_jacobian_needs_one_or_two_dimensions():
    with pytest.raises(ValueError, match=r"^softmax_jacobian: .*\(C,\) or \(N, C\), .*\(2, 2, 2\)"):
        softmax_jacobian(np.zeros((2, 2, 2)))


def test_vjp_shapes_must_match():
    with pytest.raises(
        ValueError, match=r"^softmax_vjp: v of shape \(3,\) does not match x .*\(2,\)"
    ):
        softmax_vjp([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^softmax_vjp: v must hold numbers"):
        softmax_vjp([1.0, 2.0], ["a", "b"])


# ----------------------------------------------------------------------------------------------
# Every IEEE input: exhaustive small grids of special values, no warning under any errstate

REAL_DTYPES = [np.float32, np.float64]
TEMPERATURES = [1.0, 0.5, 3.0]


def special_values(dtype, small: bool = False) -> list[float]:
    """Signed zeros, subnormals, the extremes, a logit whose exp overflows even divided by 3."""
    f = np.finfo(dtype)
    big = 300.0 if dtype == np.float32 else 2500.0  # > log(max) * 3 in this dtype
    if small:
        return [0.0, -1.5, float(f.smallest_subnormal), float(f.max), big, np.inf, -np.inf, np.nan]
    return [0.0, -0.0, 1.0, -1.5, float(f.smallest_subnormal), float(f.tiny), float(f.max),
            -float(f.max), big, -big, np.inf, -np.inf, np.nan]  # fmt: skip


def special_grid(dtype) -> np.ndarray:
    """Every pair of special values, and every triple of a smaller set: rows of length 3
    (pairs padded with -inf, which the rule says changes nothing), plus single values."""
    full, small = special_values(dtype), special_values(dtype, small=True)
    rows = [[a, b, -np.inf] for a in full for b in full]
    rows += [[a, b, c] for a in small for b in small for c in small]
    rows += [[a, -np.inf, -np.inf] for a in full]
    return np.array(rows, dtype=dtype)


def rule_reference(row: np.ndarray, T: float) -> tuple[float, list[float], list[float]]:
    """``(logsumexp, softmax, log_softmax)`` of ``row / T`` by the module's documented rule, in
    50-digit arithmetic for the finite case (floats: the caller rounds to its dtype)."""
    nan, inf = math.nan, math.inf
    r = [float(v) for v in row]
    C = len(r)
    if any(math.isnan(v) for v in r):
        return nan, [nan] * C, [nan] * C
    if any(v == inf for v in r):
        p = [nan if v == inf else 0.0 for v in r]
        return inf, p, [nan if v == inf else -inf for v in r]
    if all(v == -inf for v in r):
        return -inf, [nan] * C, [nan] * C
    MP = mpmath.MPContext()
    MP.dps = 60
    m = max(v for v in r if v != -inf)  # exact differences z - m, whatever their magnitude
    d = [(MP.mpf(v) - MP.mpf(m)) / MP.mpf(T) if v != -inf else None for v in r]
    log_s = MP.log(MP.fsum(MP.exp(v) for v in d if v is not None))
    logp = [float(v - log_s) if v is not None else -inf for v in d]
    p = [float(MP.exp(v - log_s)) if v is not None else 0.0 for v in d]
    return float(MP.mpf(m) / MP.mpf(T) + log_s), p, logp


def strict(f, *args, **kwargs):
    """Call ``f`` where any warning is an error and so is any floating-point exception NumPy
    would report (the assertions run outside: NumPy's own comparisons may underflow)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return f(*args, **kwargs)


def assert_rule(got, want, dtype, what, atol=None):
    """Same nan pattern, same infinities, finite values within a few ulps of the dtype."""
    got = np.asarray(got, dtype=np.float64)
    with np.errstate(all="ignore"):  # rounding the reference may underflow: that is expected
        want = np.asarray(np.asarray(want, dtype=np.float64).astype(dtype), dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{what}: nan pattern")
    fin = np.isfinite(want)
    np.testing.assert_array_equal(got[~fin], want[~fin], err_msg=f"{what}: infinities")
    f = np.finfo(dtype)
    atol = 4 * f.smallest_normal if atol is None else atol
    np.testing.assert_allclose(got[fin], want[fin], rtol=8 * f.eps, atol=atol, err_msg=what)


@pytest.mark.parametrize("dtype", REAL_DTYPES)
@pytest.mark.parametrize("T", TEMPERATURES)
def test_special_value_grid_follows_the_documented_rule(dtype, T):
    import scipy.special

    grid = special_grid(dtype)
    p = strict(softmax, grid, temperature=T)
    lp = strict(log_softmax, grid, temperature=T)
    lse = strict(logsumexp, grid) if T == 1.0 else None
    assert p.dtype == lp.dtype == dtype
    for i, row in enumerate(grid):
        want_lse, want_p, want_lp = rule_reference(row, T)
        assert_rule(p[i], want_p, dtype, f"softmax({row.tolist()}, T={T})")
        assert_rule(lp[i], want_lp, dtype, f"log_softmax({row.tolist()}, T={T})")
        if lse is not None:
            assert_rule(lse[i], want_lse, dtype, f"logsumexp({row.tolist()})")
    # Where SciPy defines the value (not nan), it agrees.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scaled = grid.astype(np.float64) / T
        sp = {"softmax": scipy.special.softmax(scaled, axis=1),
              "log_softmax": scipy.special.log_softmax(scaled, axis=1)}  # fmt: skip
    for name, ours in (("softmax", p), ("log_softmax", lp)):
        defined = ~np.isnan(sp[name])
        with np.errstate(all="ignore"):
            want = sp[name].astype(dtype).astype(np.float64)
        assert defined.sum() > grid.size / 4
        np.testing.assert_allclose(
            ours[defined],
            want[defined],
            rtol=64 * np.finfo(dtype).eps,
            atol=4 * np.finfo(dtype).eps,
            err_msg=name,
        )


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_special_value_grid_of_logsumexp_against_torch(dtype):
    torch = pytest.importorskip("torch")
    grid = special_grid(dtype)
    ours = strict(logsumexp, grid)
    assert np.isnan(strict(logsumexp, grid, axis=None))  # the grid holds nan
    assert strict(logsumexp, grid[~np.isnan(grid).any(axis=1)], axis=None) == np.inf  # and +inf
    want = torch.logsumexp(torch.from_numpy(grid), dim=1).numpy()
    defined = ~np.isnan(want)
    np.testing.assert_allclose(ours[defined], want[defined], rtol=8 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(np.isnan(ours[~defined]), True)


def test_issue_examples_of_the_nonfinite_rule():
    """The cases of issue 10: a +inf or nan maximum next to a logit whose exp overflows."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise"):
            np.testing.assert_array_equal(softmax([np.inf, 1000.0]), [np.nan, 0.0])
            np.testing.assert_array_equal(log_softmax([np.inf, 1000.0]), [np.nan, -np.inf])
            assert logsumexp([np.inf, 1000.0]) == np.inf
            assert np.isnan(logsumexp([np.nan, 1000.0]))
            np.testing.assert_array_equal(softmax(np.float32([np.inf, 89.0])), [np.nan, 0.0])
            np.testing.assert_array_equal(softmax([np.inf, 2000.0], temperature=2.0), [np.nan, 0.0])
            assert np.all(np.isnan(softmax([np.nan, 1000.0])))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_special_values_are_quiet(dtype):
    """Complex infinities and nan parts: no warning; a zero imaginary part changes nothing."""
    real = np.float32 if dtype == np.complex64 else np.float64
    grid = special_grid(real)
    zc = grid.astype(dtype)
    p, lp, lse = strict(softmax, zc), strict(log_softmax, zc), strict(logsumexp, zc)
    rp, rlp, rlse = softmax(grid), log_softmax(grid), logsumexp(grid)
    for got, want in ((p, rp), (lse, rlse)):
        np.testing.assert_array_equal(np.isnan(got.real) | np.isnan(got.imag), np.isnan(want))
        ok = ~np.isnan(want)
        np.testing.assert_allclose(got.real[ok], want[ok], rtol=8 * np.finfo(real).eps)
    ok = np.isfinite(rlp)
    np.testing.assert_allclose(lp.real[ok], rlp[ok], rtol=8 * np.finfo(real).eps)
    # Infinite and nan imaginary parts too.
    inf, nan = np.inf, np.nan
    vals = [0, 1 + 1j, complex(inf, 0), complex(-inf, 1), complex(1, inf), complex(nan, 0),
            complex(0, nan), complex(inf, inf), complex(-inf, -inf), complex(-inf, nan)]  # fmt: skip
    rows = np.array([[a, b] for a in vals for b in vals], dtype=dtype)
    for f in (softmax, log_softmax, logsumexp, softmax_jacobian):
        strict(f, rows)
    strict(softmax_vjp, rows, rows), strict(softmax, rows, temperature=0.5)
    strict(logsumexp, rows, axis=None)
    # A -inf real part with a finite imaginary part is a masked class: probability 0.
    assert strict(softmax, np.array([complex(-inf, 1), 1 + 1j], dtype=dtype))[0] == 0


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_jacobian_and_vjp_are_quiet_on_special_values(dtype):
    grid = special_grid(dtype)
    p = softmax(grid)
    J = strict(softmax_jacobian, grid)
    ok = ~np.isnan(p).any(axis=1)
    expect = np.einsum("ni,ij->nij", p[ok], np.eye(3)) - p[ok, :, None] * p[ok, None, :]
    np.testing.assert_allclose(J[ok], expect, rtol=8 * np.finfo(dtype).eps, atol=1e-37)
    for v in (grid, np.ones_like(grid), grid[::-1]):
        assert strict(softmax_vjp, grid, v).shape == grid.shape
    g = strict(softmax_vjp, grid, np.ones_like(grid))
    fin = np.isfinite(p).all(axis=1)
    np.testing.assert_allclose(g[fin], 0, atol=4 * np.finfo(dtype).eps)
