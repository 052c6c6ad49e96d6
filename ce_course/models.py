r"""The two models of the course: a linear softmax classifier and a two-layer ReLU network.

Shapes: ``X (N, D)`` inputs, ``y (N,)`` labels, ``W (D, C)`` weights, ``b (C,)`` biases,
``scores (N, C)`` logits. The loss is the mean cross-entropy plus ``reg`` times the sum of the
squared weights (biases are not regularized), so each weight gradient gets ``2 * reg * W``.
Every function is complex-safe so that the complex-step check of chapter 7 works on it.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_class_indices
from .losses import softmax_cross_entropy

__all__ = [
    "TwoLayerNet",
    "linear_softmax_loss",
    "linear_softmax_loss_naive",
    "train_linear_softmax",
    "two_layer_loss",
]


def _check_reg(reg: object, fname: str) -> float:
    if isinstance(reg, bool) or not isinstance(reg, numbers.Real) or not (0 <= reg < np.inf):
        raise ValueError(f"{fname}: reg must be a finite number >= 0, got {reg!r}")
    return float(reg)


def _check_linear(
    W: ArrayLike, X: ArrayLike, y: ArrayLike, reg: object, fname: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    W = as_float_array(W, fname, "W")
    X = as_float_array(X, fname, "X")
    if W.ndim != 2:
        raise ValueError(f"{fname}: W must have shape (D, C), got shape {W.shape}")
    if X.ndim != 2:
        raise ValueError(f"{fname}: X must have shape (N, D), got shape {X.shape}")
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"{fname}: X has {X.shape[1]} features per row but W has {W.shape[0]} rows "
            f"(X {X.shape}, W {W.shape})"
        )
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"{fname}: y must have shape ({X.shape[0]},), one label per row of X, got shape {y.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{fname}: X has no rows")
    y = check_class_indices(y, W.shape[1], fname, "y")
    return W, X, y, _check_reg(reg, fname)


def linear_softmax_loss(
    W: ArrayLike, X: ArrayLike, y: ArrayLike, reg: float = 0.0
) -> tuple[float, np.ndarray]:
    r"""Loss and weight gradient of a linear softmax classifier, vectorized.

    Parameters
    ----------
    W : array_like, shape (D, C)
        Weights. (Fold a bias in by appending a column of ones to ``X`` and a row to ``W``.)
    X : array_like, shape (N, D)
        Inputs, one example per row.
    y : array_like of int, shape (N,)
        Labels in ``[0, C)``.
    reg : float, default 0.0
        L2 regularization strength.

    Returns
    -------
    loss : float
        Mean cross-entropy plus ``reg * sum(W**2)``.
    dW : ndarray, shape (D, C)
        Gradient of the loss with respect to ``W``.

    Notes
    -----
    With scores :math:`Z = XW`, probabilities :math:`P = \mathrm{softmax}(Z)` row by row and
    one-hot targets :math:`Y`,

    .. math::

        L = \frac{1}{N}\sum_i -\log P_{i y_i} + \mathrm{reg}\,\sum_{d,c} W_{dc}^2, \qquad
        \frac{\partial L}{\partial W} = \frac{1}{N} X^\top (P - Y) + 2\,\mathrm{reg}\,W.

    The input :math:`X` appears in the gradient: each example's error row :math:`p_i - y_i` is
    weighted by its own features :math:`x_i`.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import linear_softmax_loss
    >>> rng = np.random.default_rng(0)
    >>> W, X, y = 1e-4 * rng.normal(size=(5, 10)), rng.normal(size=(8, 5)), np.arange(8)
    >>> loss, dW = linear_softmax_loss(W, X, y)
    >>> print(round(float(loss), 3), round(float(-np.log(0.1)), 3))  # close to log C at start
    2.303 2.303
    >>> dW.shape
    (5, 10)
    """
    W, X, y, reg = _check_linear(W, X, y, reg, "linear_softmax_loss")
    loss, dscores = softmax_cross_entropy(X @ W, y)
    dW = X.T @ dscores
    if reg:
        loss = loss + reg * np.sum(W * W)
        dW += 2 * reg * W
    return loss, dW


def linear_softmax_loss_naive(
    W: ArrayLike, X: ArrayLike, y: ArrayLike, reg: float = 0.0
) -> tuple[float, np.ndarray]:
    r"""The same loss and gradient as :func:`linear_softmax_loss`, with explicit loops.

    Kept for teaching (each line is one term of the derivation) and for the speed comparison of
    chapter 8; it is far slower. Parameters and Returns are as in :func:`linear_softmax_loss`.

    Parameters
    ----------
    W : array_like, shape (D, C)
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,)
    reg : float, default 0.0

    Returns
    -------
    loss : float
    dW : ndarray, shape (D, C)

    Notes
    -----
    For each example :math:`i` and class :math:`j`,

    .. math:: \frac{\partial L_i}{\partial W_{:, j}} = (p_{ij} - [j = y_i])\, x_i,

    which is the line the first source document gets wrong: it leaves out the input row
    :math:`x_i`.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import linear_softmax_loss, linear_softmax_loss_naive
    >>> rng = np.random.default_rng(1)
    >>> W, X, y = rng.normal(size=(4, 3)), rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    >>> l1, g1 = linear_softmax_loss_naive(W, X, y, reg=0.1)
    >>> l2, g2 = linear_softmax_loss(W, X, y, reg=0.1)
    >>> bool(np.isclose(l1, l2) and np.allclose(g1, g2))
    True
    """
    W, X, y, reg = _check_linear(W, X, y, reg, "linear_softmax_loss_naive")
    N, _ = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X))
    for i in range(N):
        scores = X[i] @ W  # (C,)
        shift = scores[np.argmax(scores.real)]  # subtracting the max changes nothing but overflow
        exps = np.exp(scores - shift)
        total = np.sum(exps)
        loss += np.log(total) - (scores[y[i]] - shift)
        for j in range(C):
            p_ij = exps[j] / total
            indicator = 1.0 if j == y[i] else 0.0
            dW[:, j] += (p_ij - indicator) * X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def train_linear_softmax(
    X: ArrayLike,
    y: ArrayLike,
    *,
    num_classes: int | None = None,
    learning_rate: float = 1.0,
    reg: float = 1e-3,
    num_iters: int = 200,
    std: float = 0.01,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Full-batch gradient descent on :func:`linear_softmax_loss`.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Inputs (append a column of ones for a bias).
    y : array_like of int, shape (N,)
        Labels.
    num_classes : int, optional
        ``C``; defaults to ``max(y) + 1``.
    learning_rate : float, default 1.0
    reg : float, default 1e-3
    num_iters : int, default 200
    std : float, default 0.01
        Standard deviation of the initial weights.
    seed : int, default 0

    Returns
    -------
    W : ndarray, shape (D, C)
        Trained weights.
    loss_history : ndarray, shape (num_iters,)
        Loss before each step.

    Notes
    -----
    .. math:: W \leftarrow W - \eta\,\nabla_W L(W)

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import make_spiral, train_linear_softmax
    >>> X, y = make_spiral()
    >>> W, hist = train_linear_softmax(np.c_[X, np.ones(len(X))], y)
    >>> bool(hist[-1] < hist[0])
    True
    """
    fname = "train_linear_softmax"
    X = as_float_array(X, fname, "X")
    if X.ndim != 2:
        raise ValueError(f"{fname}: X must have shape (N, D), got shape {X.shape}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or X.shape[0] == 0:
        raise ValueError(f"{fname}: y must have shape ({X.shape[0]},), got shape {y.shape}")
    if num_classes is None:
        num_classes = int(np.max(y)) + 1 if y.dtype.kind in "iuf" else 0
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, numbers.Integral)
        or num_classes < 1
    ):
        raise ValueError(f"{fname}: num_classes must be a positive int, got {num_classes!r}")
    C = int(num_classes)
    y = check_class_indices(y, C, fname, "y")
    if isinstance(num_iters, bool) or not isinstance(num_iters, numbers.Integral) or num_iters < 0:
        raise ValueError(f"{fname}: num_iters must be an int >= 0, got {num_iters!r}")
    rng = np.random.default_rng(seed)
    W = std * rng.standard_normal((X.shape[1], C))
    history = np.empty(num_iters)
    for it in range(num_iters):
        loss, dW = linear_softmax_loss(W, X, y, reg)
        history[it] = loss
        W -= learning_rate * dW
    return W, history


_PARAM_SHAPES = ("W1", "b1", "W2", "b2")


def _check_params(params: Mapping[str, ArrayLike], fname: str) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise ValueError(f"{fname}: params must be a dict with W1, b1, W2, b2, got {type(params)}")
    missing = [k for k in _PARAM_SHAPES if k not in params]
    if missing:
        raise ValueError(f"{fname}: params is missing {missing}")
    p = {k: as_float_array(params[k], fname, f"params[{k!r}]") for k in _PARAM_SHAPES}
    W1, b1, W2, b2 = (p[k] for k in _PARAM_SHAPES)
    if W1.ndim != 2 or W2.ndim != 2 or b1.shape != (W1.shape[1],) or W2.shape[0] != W1.shape[1]:
        raise ValueError(
            f"{fname}: inconsistent parameter shapes W1 {W1.shape}, b1 {b1.shape}, "
            f"W2 {W2.shape}, b2 {b2.shape}; expected (D, H), (H,), (H, C), (C,)"
        )
    if b2.shape != (W2.shape[1],):
        raise ValueError(f"{fname}: b2 has shape {b2.shape}, expected ({W2.shape[1]},)")
    return p


def two_layer_loss(
    params: Mapping[str, ArrayLike], X: ArrayLike, y: ArrayLike | None = None, reg: float = 0.0
) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
    r"""Forward and backward pass of the network ``affine - ReLU - affine - softmax``.

    Parameters
    ----------
    params : dict
        ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``.
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,), optional
        Without labels only the scores are computed.
    reg : float, default 0.0
        L2 strength on ``W1`` and ``W2`` (not on the biases).

    Returns
    -------
    scores : ndarray, shape (N, C)
        When ``y`` is None.
    loss, grads : float, dict
        Otherwise: mean cross-entropy plus ``reg * (sum(W1**2) + sum(W2**2))`` and the gradient
        of each parameter, with the parameter's shape.

    Notes
    -----
    Forward: :math:`H = \max(0, XW_1 + b_1)`, :math:`Z = HW_2 + b_2`. Backward, with
    :math:`G = (P - Y)/N`:

    .. math::

        \nabla_{W_2} = H^\top G + 2\,\mathrm{reg}\,W_2, \quad \nabla_{b_2} = \textstyle\sum_i G_i,
        \quad G_H = G W_2^\top \odot [XW_1 + b_1 > 0],

        \nabla_{W_1} = X^\top G_H + 2\,\mathrm{reg}\,W_1, \quad \nabla_{b_1} = \textstyle\sum_i G_{H,i}.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import TwoLayerNet, check_gradient
    >>> from ce_course.models import two_layer_loss
    >>> net = TwoLayerNet(4, 10, 3, std=1e-1)
    >>> X, y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 1, 2, 2, 1])
    >>> loss, grads = two_layer_loss(net.params, X, y, reg=0.05)
    >>> f = lambda p: two_layer_loss(p, X, y, reg=0.05)[0]
    >>> check_gradient(f, net.params, grads).passed
    True
    """
    fname = "two_layer_loss"
    p = _check_params(params, fname)
    X = as_float_array(X, fname, "X")
    if X.ndim != 2 or X.shape[1] != p["W1"].shape[0]:
        raise ValueError(
            f"{fname}: X must have shape (N, {p['W1'].shape[0]}) to match W1 {p['W1'].shape}, "
            f"got shape {X.shape}"
        )
    reg = _check_reg(reg, fname)
    pre = X @ p["W1"] + p["b1"]  # (N, H)
    active = pre.real > 0
    hidden = np.where(active, pre, 0)
    scores = hidden @ p["W2"] + p["b2"]  # (N, C)
    if y is None:
        return scores
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"{fname}: y must have shape ({X.shape[0]},), got shape {y.shape}")
    y = check_class_indices(y, scores.shape[1], fname, "y")
    loss, dscores = softmax_cross_entropy(scores, y)
    loss = loss + reg * (np.sum(p["W1"] * p["W1"]) + np.sum(p["W2"] * p["W2"]))
    grads = {
        "W2": hidden.T @ dscores + 2 * reg * p["W2"],
        "b2": dscores.sum(axis=0),
    }
    dhidden = dscores @ p["W2"].T
    dhidden = np.where(active, dhidden, 0)
    grads["W1"] = X.T @ dhidden + 2 * reg * p["W1"]
    grads["b1"] = dhidden.sum(axis=0)
    return loss, {k: grads[k] for k in _PARAM_SHAPES}


class TwoLayerNet:
    r"""A two-layer fully connected ReLU network with a softmax cross-entropy loss.

    Architecture: ``input (D) - affine - ReLU - affine - softmax (C)``.

    Parameters
    ----------
    input_size : int
        ``D``.
    hidden_size : int
        ``H``.
    output_size : int
        ``C``.
    std : float, default 1e-4
        Standard deviation of the initial weights; biases start at 0.
    seed : int, default 0

    Attributes
    ----------
    params : dict
        ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import TwoLayerNet, make_spiral
    >>> X, y = make_spiral()
    >>> net = TwoLayerNet(2, 100, 3, std=1e-2)
    >>> hist = net.train(X, y, learning_rate=1.0, learning_rate_decay=1.0, reg=1e-4,
    ...                  num_iters=2000, batch_size=None)
    >>> float(np.mean(net.predict(X) == y)) >= 0.97
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        std: float = 1e-4,
        seed: int = 0,
    ) -> None:
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("output_size", output_size),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"TwoLayerNet: {name} must be a positive int, got {value!r}")
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "W1": std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }

    def loss(
        self, X: ArrayLike, y: ArrayLike | None = None, reg: float = 0.0
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Scores ``(N, C)`` without ``y``; ``(loss, grads)`` with it. See :func:`two_layer_loss`."""
        return two_layer_loss(self.params, X, y, reg)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted class of each row of ``X (N, D)``: the arg max of the scores, shape ``(N,)``."""
        return np.argmax(np.real(self.loss(X)), axis=1)

    def train(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 0.95,
        reg: float = 5e-6,
        num_iters: int = 100,
        batch_size: int | None = 200,
        seed: int = 0,
    ) -> np.ndarray:
        """Stochastic gradient descent; returns the loss history, one entry per iteration.

        Each iteration samples ``batch_size`` rows with replacement (``None`` uses the whole
        set), takes one step of size ``learning_rate``, and the step is multiplied by
        ``learning_rate_decay`` after every epoch.
        """
        X = as_float_array(X, "TwoLayerNet.train", "X")
        y = check_class_indices(y, self.params["W2"].shape[1], "TwoLayerNet.train", "y")
        N = X.shape[0]
        rng = np.random.default_rng(seed)
        full = batch_size is None or batch_size >= N
        per_epoch = 1 if full else max(N // batch_size, 1)
        history = np.empty(num_iters)
        for it in range(num_iters):
            if full:
                Xb, yb = X, y
            else:
                idx = rng.integers(0, N, size=batch_size)
                Xb, yb = X[idx], y[idx]
            loss, grads = self.loss(Xb, yb, reg)
            history[it] = loss
            for key, grad in grads.items():
                self.params[key] -= learning_rate * grad
            if (it + 1) % per_epoch == 0:
                learning_rate *= learning_rate_decay
        return history
