"""The spiral data set of CS231n's neural-network case study (chapters 8 and 9)."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["make_spiral"]


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, *, seed: int = 0, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    r"""Points on interleaved spiral arms, one arm per class: not linearly separable.

    Parameters
    ----------
    n_per_class : int, default 100
        Points per class.
    n_classes : int, default 3
        Number of arms (classes).
    seed : int, default 0
        Seed of the angular noise; the same seed gives the same data.
    noise : float, default 0.2
        Standard deviation of the noise added to the angle, in radians.

    Returns
    -------
    X : ndarray, shape (N, 2), float64
        Points, ``N = n_per_class * n_classes``, inside the unit disc.
    y : ndarray, shape (N,), int
        Class of each point, ``n_per_class`` of each class in order.

    Notes
    -----
    Class :math:`k` has radii :math:`r` evenly spaced in :math:`[0, 1]` and angles
    :math:`\theta = 4(k + r) + \varepsilon`, :math:`\varepsilon \sim \mathcal{N}(0, \text{noise}^2)`;
    the point is :math:`(r \sin\theta, r\cos\theta)`.

    Examples
    --------
    >>> from ce_course import make_spiral
    >>> X, y = make_spiral(50, 3)
    >>> X.shape, y.shape, int(y.max())
    ((150, 2), (150,), 2)
    """
    for name, value in (("n_per_class", n_per_class), ("n_classes", n_classes)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"make_spiral: {name} must be a positive int, got {value!r}")
    if isinstance(noise, bool) or not (isinstance(noise, numbers.Real) and 0 <= noise < np.inf):
        raise ValueError(f"make_spiral: noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.repeat(np.arange(n_classes), n_per_class)
    for k in range(n_classes):
        theta = 4.0 * (k + radius) + noise * rng.standard_normal(n_per_class)
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        X[rows, 0] = radius * np.sin(theta)
        X[rows, 1] = radius * np.cos(theta)
    return X, y
