"""Exponential machines: models ``y(x) = sum_{i in {0,1}^d} W[i] prod_k x_k^{i_k}`` with the weight
tensor ``W`` a tensor train (Novikov, Trofimov and Oseledets, "Exponential machines", 2016). The
engine is ``exp_machine.hpp``; the scikit-learn estimators in :mod:`tensortrain.sklearn` are built
on the functions here.

Samples are given as ``values`` of shape ``(M, d)`` and optional integer ``slots`` of the same
shape: the local feature vector of sample ``m`` at mode ``k`` is ``e_0 + values[m, k] *
e_{slots[m, k]}`` with ``1 <= slots[m, k] < W.shape[k]``. For real features every mode has size 2,
``slots`` is ``None`` (slot 1 everywhere) and ``values`` is the feature matrix. A categorical
feature with ``K`` levels is a mode of size ``K + 1`` with ``slots = 1 + level`` and ``values = 1``
(``0`` for an unknown level).

The objective is ``mean_m loss(y(x_m), y_m) + reg / 2 * sum_i exp_reg^{|i|} W[i]^2``, where
``|i|`` is the number of features in the interaction ``i`` (``exp_reg >= 1`` penalizes
higher-order interactions more; ``exp_reg = 1`` is plain L2), ``loss`` is ``"logistic"``
(``log(1 + exp(-y f))``, labels -1/+1) or ``"squared"`` (``(f - y)^2 / 2``).
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _core
from ._validate import check_int
from .tt import TensorTrain

__all__ = ["predict", "objective", "gradient", "train_epochs", "linear_model_tt", "random_start", "default_sigma", "LOSSES", "SOLVERS"]

LOSSES = ("logistic", "squared")
SOLVERS = ("riemannian-sgd", "sgd")


def _check_w(w) -> TensorTrain:
    if not isinstance(w, TensorTrain):
        raise TypeError(f"W must be a TensorTrain, got {type(w).__name__}")
    if w.dtype not in (np.float32, np.float64):
        raise TypeError(f"W must be float32 or float64, got {w.dtype}")
    return w


def _samples(w: TensorTrain, values, slots):
    """values (M, d) in W's dtype (C order, finite) and slots (M, d) int32 or None."""
    v = np.asarray(values)
    if v.ndim != 2 or v.shape[1] != w.ndim:
        raise ValueError(f"values must have shape (M, {w.ndim}), got {v.shape}")
    if v.dtype.kind not in "biuf":
        raise TypeError(f"values must be real numbers, got dtype {v.dtype}")
    v = np.ascontiguousarray(v, dtype=w.dtype)
    if not np.all(np.isfinite(v)):
        raise ValueError("values contain NaN or Inf")
    if slots is None:
        if any(n != 2 for n in w.shape):
            raise ValueError(f"slots are needed when a mode has size other than 2; W has shape {w.shape}")
        return v, None
    s = np.asarray(slots)
    if s.shape != v.shape or s.dtype.kind not in "iu":
        raise ValueError(f"slots must be an integer array of shape {v.shape}, got {s.dtype} {s.shape}")
    n = np.asarray(w.shape)
    if s.size and (np.any(s < 1) or np.any(s >= n[None, :])):
        raise ValueError("slots[m, k] must lie in [1, W.shape[k])")
    return v, np.ascontiguousarray(s, dtype=np.int32)


def _labels(y, m: int, loss: str, dt) -> np.ndarray:
    y = np.ascontiguousarray(np.asarray(y, dtype=dt).reshape(-1))
    if y.shape[0] != m:
        raise ValueError(f"y has {y.shape[0]} entries for {m} samples")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or Inf")
    if loss == "logistic" and not np.all(np.abs(y) == 1):
        raise ValueError("the logistic loss needs labels -1 or +1")
    return y


def _loss(loss) -> str:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    return loss


def _reg(reg, exp_reg):
    for name, v, lo in (("reg", reg, 0.0), ("exp_reg", exp_reg, 1.0)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < lo:
            raise ValueError(f"{name} must be a finite number >= {lo}, got {v!r}")
    return float(reg), float(exp_reg)


def _problem(w, values, y, slots, loss, reg, exp_reg):
    """The checked arguments every objective-based call shares: (w, values, slots, y, loss, reg, exp_reg)."""
    w = _check_w(w)
    v, s = _samples(w, values, slots)
    loss = _loss(loss)
    reg, exp_reg = _reg(reg, exp_reg)
    return w, v, s, _labels(y, v.shape[0], loss, w.dtype), loss, reg, exp_reg


def _sfx(w: TensorTrain) -> str:
    return np.dtype(w.dtype).name


def predict(w: TensorTrain, values, slots=None) -> np.ndarray:
    """The model's values at M samples, O(M d r^2), threaded over samples."""
    w = _check_w(w)
    v, s = _samples(w, values, slots)
    return getattr(_core, f"expm_predict_{_sfx(w)}")(w._c, v, s)


def objective(w: TensorTrain, values, y, slots=None, *, loss="logistic", reg=0.0, exp_reg=1.0) -> float:
    """Mean loss over the samples plus the regularization term."""
    w, v, s, y, loss, reg, exp_reg = _problem(w, values, y, slots, loss, reg, exp_reg)
    return float(getattr(_core, f"expm_objective_{_sfx(w)}")(w._c, v, s, y, loss, reg, exp_reg))


def gradient(w: TensorTrain, values, y, slots=None, *, loss="logistic", reg=0.0, exp_reg=1.0, riemannian=True) -> list:
    """The gradient of :func:`objective`: with ``riemannian`` the delta cores of its projection
    onto the tangent space at ``W`` (see :class:`tensortrain.TangentSpace`), else the gradient
    with respect to each core of ``W``."""
    w, v, s, y, loss, reg, exp_reg = _problem(w, values, y, slots, loss, reg, exp_reg)
    return list(getattr(_core, f"expm_gradient_{_sfx(w)}")(w._c, v, s, y, loss, reg, exp_reg, bool(riemannian)))


def train_epochs(w: TensorTrain, values, y, slots=None, *, loss="logistic", solver="riemannian-sgd", batch_size=256,
                 n_epochs=1, reg=0.0, exp_reg=1.0, keep_prob=1.0, step=1.0, seed=0, armijo=0.97, step_growth=1.05):
    """``n_epochs`` passes of mini-batch SGD over the samples (shuffled each epoch by ``seed``).

    ``solver="riemannian-sgd"``: project the mini-batch gradient onto the tangent space, Armijo
    backtracking along it, retraction to the ranks of ``W``. ``solver="sgd"``: the same line
    search on the gradient with respect to the cores. ``step`` is the first trial step; the search
    carries its step from batch to batch: each batch starts at the last accepted step times
    ``step_growth`` and halves it until ``f(W - t g) <= f(W) - armijo t |g|^2`` on the batch. The
    default ``armijo = 0.97`` takes short steps that do not overfit a batch of noisy data (on
    ``make_interactions`` at rank 8 it reaches test AUC 0.74-0.78 in 60 s where 0.9 reaches
    0.72-0.74 and 0.5 learns nothing; bench/README.md); on
    noise-free (realizable) data ``armijo=0.5, step_growth=2`` converges faster. ``keep_prob < 1``
    drops each feature of each sample with probability ``1 - keep_prob`` (kept ones scaled by
    ``1 / keep_prob``).

    Returns ``(W, loss_curve, step)``: the new train (``W`` itself is not modified), the mean
    mini-batch objective of each epoch and the step to start the next call with.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    w, v, s, y, loss, reg, exp_reg = _problem(w, values, y, slots, loss, reg, exp_reg)
    if v.shape[0] == 0:
        raise ValueError("train_epochs needs at least one sample")
    batch_size = check_int("batch_size", batch_size, 1)
    n_epochs = check_int("n_epochs", n_epochs, 0)
    if not (isinstance(keep_prob, numbers.Real) and 0 < keep_prob <= 1):
        raise ValueError(f"keep_prob must lie in (0, 1], got {keep_prob!r}")
    if not (isinstance(step, numbers.Real) and np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    seed = check_int("seed", seed, 0)
    if not (isinstance(armijo, numbers.Real) and 0 < armijo < 1):
        raise ValueError(f"armijo must lie in (0, 1), got {armijo!r}")
    if not (isinstance(step_growth, numbers.Real) and 1 <= step_growth < np.inf):
        raise ValueError(f"step_growth must be a finite number >= 1, got {step_growth!r}")
    out = getattr(_core, f"expm_train_{_sfx(w)}")(w._c, v, s, y, loss, solver == "riemannian-sgd",
                                                  min(batch_size, v.shape[0]), n_epochs, reg, exp_reg,
                                                  float(keep_prob), float(step), seed, float(armijo),
                                                  float(step_growth))
    return TensorTrain._wrap(out["tt"]), list(out["loss_curve"]), float(out["step"])


def linear_model_tt(intercept: float, coef, rank: int = 2, *, noise: float = 0.0, seed: int = 0,
                    dtype=np.float64) -> TensorTrain:
    """The exact rank-2 train of ``intercept + sum_k coef[k] x_k`` (shape ``(2,) * d``), padded to
    ``rank`` (capped by the mode sizes) with random entries of size ``noise`` times the largest
    core entry in the new rows and columns (``noise = 0``: zeros)."""
    coef = np.asarray(coef, dtype=np.float64).reshape(-1)
    d = coef.size
    if d == 0:
        raise ValueError("linear_model_tt needs at least one feature")
    if not (np.all(np.isfinite(coef)) and np.isfinite(intercept)):
        raise ValueError("intercept and coef must be finite")
    rank = check_int("rank", rank, 1)
    rng = np.random.default_rng(seed)
    if d == 1:
        return TensorTrain([np.array([intercept, coef[0]], dtype=dtype).reshape(1, 2, 1)])
    caps = list(_core.capped_ranks([2] * d, max(rank, 2)))
    cores = []
    for k in range(d):
        # state (a, b): a = 1 until a term is emitted, b carries the accumulated sum
        g = np.zeros((2, 2, 2))
        g[:, 0, :] = np.eye(2)
        g[0, 1, 1] = coef[k]
        if k == 0:
            g = g[:1].copy()
            g[0, 0, 1] = intercept
        if k == d - 1:
            g = g[:, :, 1:].copy()
        r0 = 1 if k == 0 else caps[k]
        r1 = 1 if k == d - 1 else caps[k + 1]
        big = np.zeros((r0, 2, r1))
        a0, a1 = min(r0, g.shape[0]), min(r1, g.shape[2])
        big[:a0, :, :a1] = g[:a0, :, :a1]
        if noise > 0:
            scale = noise * max(1.0, np.abs(g).max())
            pad = rng.standard_normal(big.shape) * scale
            pad[:a0, :, :a1] = 0
            big += pad
        cores.append(big.astype(dtype))
    return TensorTrain(cores)


def default_sigma(d: int) -> float:
    """:func:`random_start`'s default feature weight for ``d`` modes: ``sigma`` with
    ``(1 + sigma^2)^d = 10`` (about 0.28 for ``d = 30``), at most 0.5.

    The start's monomials of order ``q`` then carry about ``C(d, q) sigma^(2q)`` of its energy
    against 1 for the constant term: large enough that interactions of order 6 among 30 features
    grow within seconds, small enough that the random part does not drown the data (on
    ``make_interactions``, 0.1 learns an order-6 interaction only after tens of seconds and 0.5
    learns none at rank 4; see bench/README.md)."""
    d = check_int("d", d, 1)
    return float(min(0.5, np.sqrt(10.0 ** (1.0 / d) - 1.0)))


def random_start(shape, rank: int, *, sigma: float | None = None, norm: float = 1.0, seed: int = 0,
                 dtype=np.float64) -> TensorTrain:
    """A start point for training that is dominated by low-order interactions: slice 0 of every
    core is the identity (the "no feature" path), the other slices are Gaussian with standard
    deviation ``sigma / sqrt(rank)`` (``None``: :func:`default_sigma` of the number of modes), and
    the train is scaled to Frobenius norm ``norm`` (for uniform +-1 features the mean of f^2
    equals ||W||^2, the monomials being orthonormal).

    An interaction of order ``q`` then starts with weight about ``sigma^q``: the gradient of a
    mini-batch sees the low orders first and high orders grow from them, instead of drowning in
    the 2^d - 1 monomials that a train with Gaussian cores weights alike (which does not learn
    interactions of order >= 3 in practice; see bench/README.md).
    """
    shape = tuple(int(n) for n in shape)
    if not shape or any(n < 2 for n in shape):
        raise ValueError(f"every mode needs size >= 2 (slot 0 is the constant term), got shape {shape}")
    rank = check_int("rank", rank, 1)
    if sigma is None:
        sigma = default_sigma(len(shape))
    for name, v in (("sigma", sigma), ("norm", norm)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    d = len(shape)
    ranks = list(_core.capped_ranks(list(shape), rank))
    rng = np.random.default_rng(seed)
    cores = []
    for k in range(d):
        r0, n, r1 = ranks[k], shape[k], ranks[k + 1]
        c = np.zeros((r0, n, r1))
        m = min(r0, r1)
        c[np.arange(m), 0, np.arange(m)] = 1.0
        c[:, 1:, :] = sigma / np.sqrt(rank) * rng.standard_normal((r0, n - 1, r1))
        cores.append(c)
    w = TensorTrain(cores)
    w = w * (float(norm) / w.norm())
    return w.astype(dtype)
