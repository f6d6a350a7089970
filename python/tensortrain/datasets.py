"""Synthetic data sets (numpy only).

:func:`make_interactions` is the benchmark of the exponential machines paper (Novikov, Trofimov
and Oseledets, 2016): binary features whose label is the sign of a sparse sum of high-order
interactions, a problem that linear models cannot solve and that a low-rank weight tensor can.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["make_interactions"]


def _check_count(name: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    return int(value)


def make_interactions(n_samples: int, n_features: int = 30, n_interactions: int = 20, order: int = 6,
                      random_state=None):
    """Binary classification by the sign of a sum of high-order feature interactions.

    Every feature is drawn uniformly from ``{-1, +1}``. The hidden score is
    ``t = sum_j w_j * prod_{k in S_j} x_k`` over ``n_interactions`` terms, each with a weight
    ``w_j`` uniform in ``(-1, 1)`` and a set ``S_j`` of ``order`` distinct features chosen at
    random; the label is ``sign(t)``.

    Parameters
    ----------
    n_samples : int
        Number of samples, ``>= 1``.
    n_features : int, default=30
        Number of features ``d``, ``>= 1``.
    n_interactions : int, default=20
        Number of terms in the hidden score, ``>= 1``.
    order : int, default=6
        Number of features in each term, ``1 <= order <= n_features``.
    random_state : int, numpy.random.Generator or None
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        Entries ``-1.0`` or ``+1.0``.
    y : ndarray of shape (n_samples,), int64
        Labels ``-1`` or ``+1`` (a score of exactly zero counts as ``+1``).

    Examples
    --------
    >>> from tensortrain.datasets import make_interactions
    >>> X, y = make_interactions(1000, n_features=10, n_interactions=4, order=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((1000, 10), [-1, 1])
    """
    n_samples = _check_count("n_samples", n_samples, 1)
    n_features = _check_count("n_features", n_features, 1)
    n_interactions = _check_count("n_interactions", n_interactions, 1)
    order = _check_count("order", order, 1)
    if order > n_features:
        raise ValueError(f"order must be <= n_features: an interaction of {order} distinct features needs at "
                         f"least {order} features, got n_features={n_features}")
    if isinstance(random_state, bool) or not (random_state is None or isinstance(random_state, numbers.Integral)
                                              or isinstance(random_state, np.random.Generator)):
        raise TypeError(f"random_state must be None, an int or a numpy.random.Generator, "
                        f"got {type(random_state).__name__}")
    rng = np.random.default_rng(random_state)

    # The model first, then the samples: for a fixed seed the hidden score does not depend on n_samples.
    weights = rng.uniform(-1.0, 1.0, size=n_interactions)
    terms = [rng.choice(n_features, size=order, replace=False) for _ in range(n_interactions)]
    X = rng.choice(np.array([-1.0, 1.0]), size=(n_samples, n_features))

    t = np.zeros(n_samples)
    for w, s in zip(weights, terms):
        t += w * np.prod(X[:, s], axis=1)
    y = np.where(t >= 0, 1, -1).astype(np.int64)
    return X, y
