"""Riemannian optimization on the manifold of tensor trains of fixed rank (engine:
``riemannian.hpp``, ``riemannian_opt.hpp``).

The trains of TT-rank ``r`` form a smooth manifold. Instead of differentiating with respect to
the (over-parametrized) cores, an optimizer takes the Euclidean gradient, projects it onto the
tangent space at the current point, steps along it and maps back to the manifold by rounding
(the retraction). Tangent vectors are stored as one delta core per mode in the gauge where
``X + t xi`` is a train of rank ``2r``; nothing dense is ever formed.

* :class:`TangentSpace` / :class:`TangentVector`: projection of a train, of a sum of trains and
  of a sparse tensor (values at sampled multi-indices), conversion to a train, inner products,
  retraction and vector transport.
* :func:`minimize`: Riemannian gradient descent or conjugate gradients with Armijo
  backtracking, for any objective whose Euclidean gradient is given as a train or as sparse
  values.
* :func:`complete`: tensor (and, for ``d = 2``, matrix) completion by Riemannian CG or GD, or by
  ALS (:func:`als_fit`).
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import _core
from ._validate import check_int, check_shape, with_progress
from .completion import _ranks, _real_arg, _samples, als_fit
from .tt import TensorTrain
from .tt import random as _random_tt
from . import tt as _tt

__all__ = ["TangentSpace", "TangentVector", "minimize", "complete", "RiemannianResult", "CompletionResult"]


def _suffix(dt) -> str:
    return "float32" if np.dtype(dt) == np.float32 else "float64"


class TangentVector:
    """A tangent vector at the point of a :class:`TangentSpace` (delta cores in the gauge
    ``U_k^T delta_k = 0`` for ``k < d - 1``). Supports ``+``, ``-``, scalar ``*``, :meth:`inner`,
    :meth:`norm` and :meth:`to_tt`."""

    __slots__ = ("space", "_c")

    def __init__(self, space: "TangentSpace", c):
        self.space = space
        self._c = c

    @property
    def cores(self) -> list:
        """The delta cores (copies)."""
        return self._c.cores

    def _same(self, other) -> "TangentVector":
        if not isinstance(other, TangentVector):
            raise TypeError(f"expected a TangentVector, got {type(other).__name__}")
        if other.space is not self.space:
            raise ValueError("the tangent vectors belong to different tangent spaces (use TangentSpace.transport)")
        return other

    def inner(self, other: "TangentVector") -> float:
        """The Euclidean inner product of the two tangent vectors (as tensors)."""
        return self._c.inner(self._same(other)._c)

    def norm(self) -> float:
        return self._c.norm()

    def to_tt(self) -> TensorTrain:
        """The tangent vector as a train of rank at most ``2 r``."""
        return self.space.to_tt(self)

    def __add__(self, other):
        return TangentVector(self.space, self._c.lincomb(1.0, self._same(other)._c, 1.0))

    def __sub__(self, other):
        return TangentVector(self.space, self._c.lincomb(1.0, self._same(other)._c, -1.0))

    def __mul__(self, a):
        if isinstance(a, bool) or not isinstance(a, numbers.Real):
            return NotImplemented
        return TangentVector(self.space, self._c.lincomb(float(a), self._c, 0.0))

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __repr__(self):
        return f"TangentVector(shape={self.space.shape}, ranks={self.space.ranks})"


class TangentSpace:
    """The tangent space of the manifold of trains of rank ``x.ranks`` at ``x``.

    Parameters
    ----------
    x : TensorTrain
        The point (real, nonzero). Its ranks define the manifold; round it first if they are
        not minimal.
    """

    def __init__(self, x: TensorTrain):
        if not isinstance(x, TensorTrain):
            raise TypeError(f"x must be a TensorTrain, got {type(x).__name__}")
        if x.dtype.kind == "c":
            raise TypeError("TangentSpace: complex trains are not supported")
        self.dtype = np.dtype(np.float32 if x.dtype == np.float32 else np.float64)
        self.shape = tuple(x.shape)
        self._c = getattr(_core, "TangentSpace_" + _suffix(self.dtype))(x.astype(self.dtype)._c)
        self.ranks = tuple(self._c.ranks())

    @property
    def point(self) -> TensorTrain:
        """The point, in left-orthogonal form."""
        return TensorTrain._wrap(self._c.point())

    def project(self, z, coefs=None) -> TangentVector:
        """Orthogonal projection onto the tangent space of

        * a :class:`TensorTrain` of the same shape,
        * a list of trains (their sum, weighted by ``coefs`` if given) without forming the sum,
        * a sparse tensor given as a pair ``(indices, values)``: ``sum_m values[m] e_{indices[m]}``
          (repeated indices add up), in ``O(M d r^2)`` operations.
        """
        if isinstance(z, TensorTrain):
            return TangentVector(self, self._c.project(self._train(z)._c))
        if isinstance(z, (list, tuple)) and len(z) > 0 and all(isinstance(t, TensorTrain) for t in z):
            c = [1.0] * len(z) if coefs is None else [float(a) for a in coefs]
            if len(c) != len(z):
                raise ValueError(f"{len(z)} trains but {len(c)} coefficients")
            trains = [self._train(t)._c for t in z]
            return TangentVector(self, self._c.project_sum(trains, c))
        if isinstance(z, tuple) and len(z) == 2:
            idx, vals = _samples(z[0], z[1], self.shape, "sample")
            return TangentVector(self, self._c.project_sparse(idx, np.ascontiguousarray(vals, dtype=self.dtype)))
        raise TypeError("project: expected a TensorTrain, a list of TensorTrains or a pair (indices, values)")

    def _train(self, z: TensorTrain) -> TensorTrain:
        if tuple(z.shape) != self.shape:
            raise ValueError(f"the train has shape {tuple(z.shape)}, the tangent space is at shape {self.shape}")
        if z.dtype.kind == "c":
            raise TypeError("complex trains are not supported")
        return z.astype(self.dtype)

    def _own(self, v: TangentVector) -> TangentVector:
        if not isinstance(v, TangentVector):
            raise TypeError(f"expected a TangentVector, got {type(v).__name__}")
        if v.space is not self:
            raise ValueError("the tangent vector belongs to another tangent space (use transport)")
        return v

    def to_tt(self, v: TangentVector) -> TensorTrain:
        """``v`` as a train of rank at most ``2 r``."""
        return TensorTrain._wrap(self._c.to_tt(self._own(v)._c))

    def retract(self, v: TangentVector, t: float = 1.0) -> TensorTrain:
        """``X + t v`` rounded back to the ranks of ``X`` (agrees with ``X + t v`` to ``O(t^2)``)."""
        return TensorTrain._wrap(self._c.retract(self._own(v)._c, _real_arg("t", t, -np.inf)))

    def transport(self, v: TangentVector) -> TangentVector:
        """Vector transport by projection: ``v`` (a tangent vector at another point of the same
        manifold) projected onto this tangent space."""
        if not isinstance(v, TangentVector):
            raise TypeError(f"expected a TangentVector, got {type(v).__name__}")
        if v.space.shape != self.shape or v.space.dtype != self.dtype:
            raise ValueError("transport: the tangent vector lives on trains of another shape or dtype")
        return TangentVector(self, self._c.transport(v.space._c, v._c))

    def values(self, v: TangentVector, indices) -> np.ndarray:
        """Entries of ``v`` (as a tensor) at the given multi-indices, ``O(M d r^2)``."""
        idx, _ = _samples(indices, np.zeros(len(np.asarray(indices))), self.shape, "sample")
        return self._c.tangent_values(self._own(v)._c, idx)

    def __repr__(self):
        return f"TangentSpace(shape={self.shape}, ranks={self.ranks})"


@dataclass
class RiemannianResult:
    """Outcome of :func:`minimize`."""

    tt: TensorTrain
    values: list = field(default_factory=list)
    """Objective at the start and after each iteration."""
    grad_norms: list = field(default_factory=list)
    """Norm of the Riemannian gradient, likewise."""
    steps: list = field(default_factory=list)
    """Accepted step lengths (0 for the start)."""
    n_iter: int = 0
    converged: bool = False
    stop_reason: str = ""
    """``"gtol"``, ``"ftol"``, ``"max_iter"``, ``"line_search"`` (no step passed the Armijo test),
    ``"stalled"`` (the objective stopped decreasing) or ``"callback"``."""


_METHODS = {"rcg": True, "rgd": False}


def _method(method):
    if method not in _METHODS:
        raise ValueError(f"method must be 'rcg' or 'rgd', got {method!r}")
    return _METHODS[method]


def minimize(
    value: Callable[[TensorTrain], float],
    egrad: Callable[[TensorTrain], Any],
    x0: TensorTrain,
    method: str = "rcg",
    *,
    max_iter: int = 200,
    gtol: float = 1e-10,
    ftol: float = 0.0,
    armijo: float = 1e-4,
    max_backtracks: int = 30,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
) -> RiemannianResult:
    """Minimize ``value`` over the trains of the ranks of ``x0``.

    Parameters
    ----------
    value : callable
        ``value(X) -> float`` for a :class:`TensorTrain` ``X``.
    egrad : callable
        ``egrad(X)``: the Euclidean gradient at ``X``, either a :class:`TensorTrain` of the same
        shape or a sparse tensor ``(indices, values)`` (repeated indices add up). It is projected
        onto the tangent space; nothing dense is formed.
    x0 : TensorTrain
        The start; its ranks are the ranks of the manifold.
    method : ``"rcg"`` or ``"rgd"``
        Conjugate gradients (Polak-Ribiere+, restarted along ``-grad`` when the direction does
        not descend; previous gradient and direction moved by projection) or gradient descent.
    max_iter, gtol, ftol
        Stop after ``max_iter`` iterations, at ``||grad|| <= gtol ||grad_0||`` or at
        ``value <= ftol``.
    armijo, max_backtracks
        The step ``t`` along the direction ``eta`` is accepted when
        ``value(R(X, t eta)) <= value(X) + armijo t <grad, eta>``; from the last accepted step
        times 2 (``1 / ||grad||`` at first), halved at most ``max_backtracks`` times.
    callback : callable or None
        Called after each iteration with ``iter``, ``value``, ``grad_norm``, ``step``; true stops.
    verbose : bool
        One line per iteration on stderr.
    """
    if not callable(value) or not callable(egrad):
        raise TypeError("value and egrad must be callables")
    if not isinstance(x0, TensorTrain):
        raise TypeError(f"x0 must be a TensorTrain, got {type(x0).__name__}")
    if x0.dtype.kind == "c":
        raise TypeError("minimize: complex trains are not supported")
    cg = _method(method)
    dt = np.float32 if x0.dtype == np.float32 else np.float64
    shape = tuple(x0.shape)

    def v(c):
        return float(value(TensorTrain._wrap(c)))

    def g(c):
        z = egrad(TensorTrain._wrap(c))
        if isinstance(z, TensorTrain):
            if tuple(z.shape) != shape:
                raise ValueError(f"egrad returned a train of shape {tuple(z.shape)}, expected {shape}")
            return ("tt", z.astype(dt)._c)
        if isinstance(z, tuple) and len(z) == 2:
            idx, vals = _samples(z[0], z[1], shape, "gradient sample")
            return ("sparse", idx, np.ascontiguousarray(vals, dtype=dt))
        raise TypeError("egrad must return a TensorTrain or a pair (indices, values)")

    cb = with_progress(
        callback,
        verbose,
        lambda i: f"minimize: iter {i['iter']:4d}  value {i['value']:.6e}  |grad| {i['grad_norm']:.3e}  step {i['step']:.2e}",
    )
    r = getattr(_core, "riemannian_minimize_" + _suffix(dt))(
        v, g, x0.astype(dt)._c, cg,
        check_int("max_iter", max_iter, 0),
        _real_arg("gtol", gtol, 0.0),
        _real_arg("ftol", ftol, -np.inf),
        _real_arg("armijo", armijo, 0.0, 1.0, lo_open=True),
        check_int("max_backtracks", max_backtracks, 0),
        cb,
    )
    return RiemannianResult(TensorTrain._wrap(r["tt"]), r["values"], r["grad_norms"], r["steps"], r["n_iter"],
                            r["converged"], r["stop_reason"])


@dataclass
class CompletionResult:
    """Outcome of :func:`complete`."""

    tt: TensorTrain
    train_error: list = field(default_factory=list)
    """Relative error ``||X(i) - v|| / ||v||`` on the training samples, at the start and after each
    iteration (ALS: after each half-sweep)."""
    test_error: list = field(default_factory=list)
    """The same on the test samples (NaN without them)."""
    ranks: list = field(default_factory=list)
    """Largest rank after each iteration."""
    grad_norms: list = field(default_factory=list)
    """Riemannian gradient norms (empty for ALS)."""
    n_iter: int = 0
    converged: bool = False
    stop_reason: str = ""
    """``"converged"`` (train error <= ``tol``), ``"validation"`` (rank adaption stopped
    improving the test error), ``"max_iter"``, ``"stalled"``, ``"line_search"``, ``"callback"``;
    ALS: its own reasons."""
    method: str = ""


def _dedup(idx, vals, duplicates):
    if idx.shape[0] < 2:
        return idx, vals
    uniq, inv, counts = np.unique(idx, axis=0, return_inverse=True, return_counts=True)
    if uniq.shape[0] == idx.shape[0]:
        return idx, vals
    if duplicates == "error":
        raise ValueError(f"{idx.shape[0] - uniq.shape[0]} sampled multi-indices are repeated (duplicates='error')")
    sums = np.zeros(uniq.shape[0], dtype=np.float64)
    np.add.at(sums, inv.ravel(), vals.astype(np.float64))
    return np.ascontiguousarray(uniq, dtype=np.int64), (sums / counts).astype(vals.dtype)


def _default_start(idx, vals, shape, ranks, seed, dt):
    """The constant train at the samples' mean plus a 1% random part of rank ``r - 1`` (the
    random part opens every direction of the rank-``r`` manifold while the start keeps the
    data's sign and scale); data of (nearly) zero mean get a Gaussian train scaled to them."""
    mean = float(np.mean(vals))
    rms = float(np.sqrt(np.mean(np.asarray(vals, dtype=np.float64) ** 2)))
    if max(ranks) > 1 and abs(mean) > 1e-3 * rms:
        R = _random_tt(shape, [max(1, r - 1) for r in ranks], seed=seed, dtype=dt)
        scale = 1e-2 * abs(mean) / max(float(np.sqrt(np.mean(R[idx] ** 2))), 1e-300)
        start = _tt.ones(shape, dtype=dt) * mean + R * scale
        if any(a > b for a, b in zip(start.ranks, ranks)):
            start = start.round(0.0, max_rank=max(ranks))
        return start
    if max(ranks) == 1 and abs(mean) > 1e-3 * rms:
        return _tt.ones(shape, dtype=dt) * mean
    start = _random_tt(shape, ranks, seed=seed, dtype=dt)
    return start * (float(np.linalg.norm(vals)) / max(float(np.linalg.norm(start[idx])), 1e-300))


def complete(
    indices,
    values,
    shape,
    rank,
    method: str = "rcg",
    *,
    x0: TensorTrain | None = None,
    test=None,
    max_iter: int = 200,
    tol: float = 1e-12,
    rank_adaptive: bool = False,
    max_iter_stage: int = 50,
    duplicates: str = "average",
    seed: int = 0,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
    **als_options,
) -> CompletionResult:
    """Complete a tensor from its values at a few multi-indices by a train of rank ``rank``.

    Minimizes ``1/2 sum_m (X[i^m] - v_m)^2`` over the trains of the given rank. With ``d = 2``
    this is low-rank matrix completion.

    Parameters
    ----------
    indices : (M, d) integer array
        The sampled multi-indices (M >= 1).
    values : (M,) real array
        The sampled values (finite). float32 values give float32 arithmetic.
    shape : int sequence
        Mode sizes of the tensor.
    rank : int or int sequence
        TT-rank: one number for every bond, the ``d - 1`` inner ranks or all ``d + 1``. Bonds
        where the shape allows less are capped (with a warning when the requested rank exceeds
        the largest possible one).
    method : ``"rcg"``, ``"rgd"`` or ``"als"``
        Riemannian conjugate gradients, Riemannian gradient descent (both with the exact step of
        the quadratic model as first trial and Armijo backtracking), or ALS sweeps
        (:func:`als_fit` from the same start; ``max_iter`` is its ``n_sweeps``, ``als_options``
        go to it).
    x0 : TensorTrain or None
        Start (its ranks are used). Default: the constant train at the samples' mean plus a 1%
        random part of rank ``r - 1`` (``seed``), or, for data of zero mean, a Gaussian train
        scaled to the samples. (From a purely random start RCG often stalls in a poor region when
        ``d`` is large; this start recovers random rank-4 trains with cores in [0, 1],
        ``d = 10``, ``n = 20`` from ``10 d n r^2`` samples.)
    test : (indices, values) or None
        Held-out samples: their relative error is reported after every iteration, and with
        ``rank_adaptive`` they decide when to stop raising the rank (and which train to return).
    max_iter : int
        Iterations (``rank_adaptive``: ``max_iter_stage`` per rank instead).
    tol : float
        Stop when the relative training error falls to ``tol``.
    rank_adaptive : bool
        Start at rank 1 and raise every bond by one after ``max_iter_stage`` iterations (or
        convergence) until ``rank``, while the test error (training error without ``test``)
        improves; the best train is returned.
    duplicates : ``"average"`` or ``"error"``
        Repeated multi-indices are replaced by one sample with the mean value, or rejected.
    seed : int
        Seeds the random start.
    callback : callable or None
        Called after each iteration with ``iter``, ``train_error``, ``test_error``,
        ``grad_norm``, ``step``; a true return value stops the run (RCG/RGD).
    verbose : bool
        One line per iteration on stderr.
    """
    shape = check_shape(shape)
    d = len(shape)
    idx, vals = _samples(indices, values, shape, "sample")
    if idx.shape[0] == 0:
        raise ValueError("complete: the sample set is empty")
    if duplicates not in ("average", "error"):
        raise ValueError(f"duplicates must be 'average' or 'error', got {duplicates!r}")
    idx, vals = _dedup(idx, vals, duplicates)
    dt = np.float32 if vals.dtype == np.float32 else np.float64
    seed = check_int("seed", seed, 0)
    max_iter = check_int("max_iter", max_iter, 0)
    tol = _real_arg("tol", tol, 0.0)
    if test is not None:
        try:
            ti, tv = test
        except (TypeError, ValueError):
            raise TypeError("test must be a pair (indices, values)") from None
        tidx, tvals = _samples(ti, tv, shape, "test sample")
    else:
        tidx, tvals = np.zeros((0, d), dtype=np.int64), np.zeros(0)
    ranks = _ranks(rank, d)
    cap = _core.capped_ranks(list(shape), max(ranks))
    if max(ranks) > max(cap):
        warnings.warn(f"complete: rank {max(ranks)} exceeds the largest rank {max(cap)} possible for shape {shape}; capped",
                      stacklevel=2)
    ranks = [min(a, b) for a, b in zip(ranks, cap)]
    n_params = sum(shape[k] * ranks[k] * ranks[k + 1] for k in range(d))
    if n_params > 2**31:
        raise ValueError(f"complete: a train of shape {shape} and rank {max(ranks)} has {n_params:.3e} parameters (limit 2^31)")
    if method == "als":
        if rank_adaptive:
            raise ValueError("rank_adaptive is for method 'rcg'/'rgd'; ALS grows the rank with init='constant'")
        if x0 is not None:
            if not isinstance(x0, TensorTrain) or tuple(x0.shape) != shape:
                raise ValueError(f"x0 must be a TensorTrain of shape {shape}")
            init = x0.astype(dt)
        else:  # the same start as RCG/RGD
            init = _default_start(idx, vals, shape, ranks, seed, dt)
        opts = dict(init=init, seed=seed)
        opts.update(als_options)
        r = als_fit(idx, vals, shape, ranks, n_sweeps=max(1, max_iter), validation=test, callback=callback,
                    verbose=verbose, **opts)
        return CompletionResult(r.tt, r.train_error, r.val_error or [float("nan")] * len(r.train_error), r.ranks, [],
                                r.n_sweeps, r.converged, r.stop_reason, "als")
    if als_options:
        raise TypeError(f"complete: unexpected keyword arguments {sorted(als_options)} for method {method!r}")
    cg = _method(method)
    if x0 is not None:
        if not isinstance(x0, TensorTrain):
            raise TypeError(f"x0 must be a TensorTrain or None, got {type(x0).__name__}")
        if tuple(x0.shape) != shape:
            raise ValueError(f"x0 has shape {tuple(x0.shape)}, expected {shape}")
        start = x0.astype(dt)
    else:
        start = _default_start(idx, vals, shape, ranks, seed, dt)
    cb = with_progress(
        callback,
        verbose,
        lambda i: f"complete: iter {i['iter']:4d}  train {i['train_error']:.3e}"
        + ("" if np.isnan(i["test_error"]) else f"  test {i['test_error']:.3e}") + f"  step {i['step']:.2e}",
    )
    r = getattr(_core, "complete_riemannian_" + _suffix(dt))(
        idx, np.ascontiguousarray(vals, dtype=dt), start._c, cg, max_iter, tol, 1e-4, 30, bool(rank_adaptive),
        check_int("max_iter_stage", max_iter_stage, 1), seed, np.ascontiguousarray(tidx, dtype=np.int64),
        np.ascontiguousarray(tvals, dtype=dt), cb)
    return CompletionResult(TensorTrain._wrap(r["tt"]), r["train_error"], r["test_error"], r["ranks"], r["grad_norms"],
                            r["n_iter"], r["converged"], r["stop_reason"], method)
