"""Fitting a tensor train to samples (engine: ``als.hpp``).

``als_fit`` finds a train of given rank whose values at sampled multi-indices match the sampled
values, by ALS sweeps: one core at a time is the solution of a ridge-regularized least-squares
problem with the others fixed. It serves tensor completion (values of an unknown tensor at a
few entries) and regression on a grid (samples of a function).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import _core
from ._validate import check_int, check_shape, with_progress
from .tt import TensorTrain

__all__ = ["als_fit", "FitResult"]


@dataclass
class FitResult:
    """Outcome of :func:`als_fit`."""

    tt: TensorTrain
    """The fitted train: the one with the smallest validation error (training error without
    validation samples) over the run."""
    train_error: list = field(default_factory=list)
    """Relative 2-norm error on the training samples after each half-sweep."""
    val_error: list = field(default_factory=list)
    """The same on the validation samples (empty without them)."""
    ranks: list = field(default_factory=list)
    """Largest bond rank after each half-sweep (rank adaption grows it to the target)."""
    n_sweeps: int = 0
    """Half-sweeps done (a sweep is one pass left to right and one back)."""
    best_sweep: int = 0
    """Half-sweep (1-based) after which ``tt`` was taken."""
    converged: bool = False
    stop_reason: str = ""
    """``"converged"`` (the monitored error stopped improving), ``"n_sweeps"`` or ``"callback"``."""


def _real_arg(name, v, lo, hi=np.inf, lo_open=False):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}")
    v = float(v)
    if not np.isfinite(v) or v < lo or (lo_open and v == lo) or v > hi:
        raise ValueError(f"{name} must be a finite number in {'(' if lo_open else '['}{lo}, {hi}], got {v}")
    return v


def _samples(indices, values, shape, what):
    """(M, d) int64 indices in range and M finite real values, both C-contiguous copies."""
    d = len(shape)
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{what} indices must be an integer array, got dtype {idx.dtype}")
    if idx.ndim == 1 and d == 1:
        idx = idx[:, None]
    if idx.ndim != 2 or idx.shape[1] != d:
        raise ValueError(f"{what} indices must have shape (M, {d}), got {idx.shape}")
    vals = np.asarray(values)
    if vals.dtype == object or vals.dtype.kind not in "biuf":
        raise TypeError(f"{what} values must be real numbers, got dtype {vals.dtype}")
    if vals.ndim != 1 or vals.shape[0] != idx.shape[0]:
        raise ValueError(f"{what} values must have shape ({idx.shape[0]},) to match the indices, got {vals.shape}")
    if vals.size and not np.isfinite(vals).all():
        m = int(np.flatnonzero(~np.isfinite(vals))[0])
        raise ValueError(f"{what} value {m} is not finite ({vals[m]})")
    if idx.size:
        bad = (idx < 0) | (idx >= np.asarray(shape))
        if bad.any():
            m, k = np.argwhere(bad)[0]
            raise IndexError(f"{what} {m} has index {idx[m, k]} in mode {k} of size {shape[k]}")
    return np.ascontiguousarray(idx, dtype=np.int64), vals


def _ranks(rank, d):
    if isinstance(rank, numbers.Integral) and not isinstance(rank, bool):
        r = check_int("rank", rank, 1)
        return [1] + [r] * (d - 1) + [1]
    try:
        rs = [int(r) for r in rank]
    except TypeError:
        raise TypeError(f"rank must be an integer or a sequence of integers, got {type(rank).__name__}") from None
    if len(rs) == d - 1:
        rs = [1] + rs + [1]
    if len(rs) != d + 1 or rs[0] != 1 or rs[-1] != 1 or min(rs) < 1:
        raise ValueError(f"rank must be an integer, {d - 1} inner ranks or {d + 1} ranks with ones at the ends; got {rank!r}")
    return rs


def als_fit(
    indices,
    values,
    shape,
    rank,
    *,
    n_sweeps: int = 10,
    reg: float = 1e-4,
    reg_decay: float = 0.5,
    tol: float = 1e-4,
    patience: int = 3,
    init="constant",
    init_rank: int = 1,
    validation=None,
    val_fraction: float = 0.0,
    seed: int = 0,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
) -> FitResult:
    """A train of the given rank fitted to samples by ALS sweeps.

    Minimizes ``sum_m (x[i^m] - f_m)^2`` plus a ridge on the cores that fades during the run:
    each step solves, for one core with the others fixed, one small least-squares system per
    slice of the core (the samples with that index in that mode).

    Parameters
    ----------
    indices : (M, d) integer array
        Sampled multi-indices. Duplicates are allowed; their values are averaged in the least
        squares sense.
    values : (M,) real array
        Sampled values (finite). float32 values give a float32 train, all others float64.
    shape : int sequence
        Mode sizes of the tensor.
    rank : int or int sequence
        Target TT-rank: one number for every bond (capped where the shape allows less), the
        ``d - 1`` inner ranks, or all ``d + 1`` ranks.
    n_sweeps : int
        At most this many sweeps (a pass left to right and one back).
    reg : float
        Ridge ``reg * (samples in the slice) * rms(values)^(2 - 2/d)`` on every local system; it
        lifts ALS off the plateaus it crawls along on sampled data. 0 switches it off.
    reg_decay : float in (0, 1]
        Factor on the ridge after each half-sweep at the target rank (the default halves it, so
        exact low-rank data are still fitted to round-off).
    tol, patience : float, int
        Stop when the monitored error (validation error if there are validation samples,
        otherwise training error) has not improved by a factor ``1 - tol`` for ``patience``
        sweeps at the target rank, once the ridge has faded.
    init : ``"constant"``, ``"random"`` or TensorTrain
        ``"constant"``: start from the constant train at the samples' mean and grow every bond by
        one per half-sweep up to the target (rank adaption; best for samples of functions).
        ``"random"``: a Gaussian train at the target rank (for data with no dominant low-rank
        part, e.g. a random train). A TensorTrain of the target ranks: start there.
    init_rank : int
        Rank of the ``"constant"`` start before growing (1: the constant itself).
    validation : (indices, values) or None
        Held-out samples: they choose the returned train and stop the run.
    val_fraction : float in [0, 1)
        Without ``validation``: hold out this fraction of the samples (chosen with ``seed``).
    seed : int
        Seeds the random directions, the random start and the held-out split.
    callback : callable or None
        Called after each half-sweep with ``sweep``, ``max_rank``, ``train_error``,
        ``val_error`` (-1 without validation); a true return value stops the run.
    verbose : bool
        One line per half-sweep on stderr.

    Returns
    -------
    FitResult
    """
    shape = check_shape(shape)
    d = len(shape)
    idx, vals = _samples(indices, values, shape, "sample")
    if idx.shape[0] == 0:
        raise ValueError("als_fit: no samples")
    dt = np.float32 if vals.dtype == np.float32 else np.float64
    val_fraction = _real_arg("val_fraction", val_fraction, 0.0, 1.0)
    if val_fraction >= 1.0:
        raise ValueError(f"val_fraction must be < 1, got {val_fraction}")
    seed = check_int("seed", seed, 0)
    if validation is not None:
        if val_fraction > 0:
            raise ValueError("give either validation samples or val_fraction, not both")
        try:
            vi, vv = validation
        except (TypeError, ValueError):
            raise TypeError("validation must be a pair (indices, values)") from None
        vidx, vvals = _samples(vi, vv, shape, "validation sample")
    elif val_fraction > 0:
        perm = np.random.default_rng(seed).permutation(idx.shape[0])
        nv = int(round(val_fraction * idx.shape[0]))
        if nv == 0 or nv == idx.shape[0]:
            raise ValueError(f"val_fraction {val_fraction} of {idx.shape[0]} samples leaves no training or validation samples")
        vidx, vvals = idx[perm[:nv]], vals[perm[:nv]]
        idx, vals = idx[perm[nv:]], vals[perm[nv:]]
    else:
        vidx, vvals = np.zeros((0, d), dtype=np.int64), np.zeros(0)
    ranks = _ranks(rank, d)
    cap = _core.capped_ranks(list(shape), max(ranks))
    n_params = sum(shape[k] * min(ranks[k], cap[k]) * min(ranks[k + 1], cap[k + 1]) for k in range(d))
    if n_params > 2**31:
        raise ValueError(f"als_fit: a train of shape {shape} and rank {max(ranks)} has {n_params:.3e} parameters (limit 2^31)")
    x0 = None
    random_init = False
    if isinstance(init, TensorTrain):
        if init.shape != shape:
            raise ValueError(f"init has shape {init.shape}, expected {shape}")
        x0 = init.astype(dt)._c
    elif init == "random":
        random_init = True
    elif init != "constant":
        raise ValueError(f"init must be 'constant', 'random' or a TensorTrain, got {init!r}")
    cb = with_progress(
        callback,
        verbose,
        lambda i: f"als_fit: half-sweep {i['sweep']:3d}  rank {i['max_rank']:3d}  train {i['train_error']:.3e}"
        + (f"  validation {i['val_error']:.3e}" if i["val_error"] >= 0 else ""),
    )
    fit = getattr(_core, "als_fit_float32" if dt == np.float32 else "als_fit_float64")
    r = fit(
        idx,
        np.ascontiguousarray(vals, dtype=dt),
        list(shape),
        ranks,
        check_int("n_sweeps", n_sweeps, 1),
        _real_arg("reg", reg, 0.0),
        _real_arg("reg_decay", reg_decay, 0.0, 1.0, lo_open=True),
        _real_arg("tol", tol, 0.0),
        check_int("patience", patience, 1),
        check_int("init_rank", init_rank, 1),
        random_init,
        seed,
        x0,
        np.ascontiguousarray(vidx, dtype=np.int64),
        np.ascontiguousarray(vvals, dtype=dt),
        cb,
    )
    return FitResult(
        tt=TensorTrain._wrap(r["tt"]),
        train_error=list(r["train_error"]),
        val_error=list(r["val_error"]),
        ranks=list(r["ranks"]),
        n_sweeps=int(r["n_sweeps"]),
        best_sweep=int(r["best_sweep"]),
        converged=bool(r["converged"]),
        stop_reason=str(r["stop_reason"]),
    )
