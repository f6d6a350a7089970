"""Operators from local terms and DMRG-style sweep solvers (engine: ``mpo.hpp``, ``dmrg.hpp``,
``amen.hpp``).

``mpo_from_terms`` builds a TT-matrix (MPO) from a sum of products of local operators and
compresses it to its minimal exact rank; ``eigsh`` finds the lowest eigenpairs of a symmetric
TT-matrix by two-site DMRG; ``solve`` solves ``A x = b`` by AMEn.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import _core
from ._validate import check_int, check_rtol, check_shape, with_progress
from .tt import TensorTrain, TTMatrix

__all__ = ["mpo_from_terms", "eigsh", "EigshResult", "solve", "SolveResult"]


def mpo_from_terms(terms: Sequence, dims, rtol: float = 1e-13) -> TTMatrix:
    """The TT-matrix ``sum_t coef_t * prod_{(site, op)} op`` (identity on the other sites).

    Parameters
    ----------
    terms : sequence of (coef, [(site, op), ...])
        ``op`` is a square ``(dims[site], dims[site])`` array; each site appears at most once
        per term. A term with an empty list is ``coef`` times the identity.
    dims : int sequence
        Local dimension of each site.
    rtol : float
        Relative accuracy of the compression; the default keeps the minimal exact rank.

    Returns
    -------
    TTMatrix
        float64, rank as small as the sum allows (e.g. 5 for the Heisenberg chain).
    """
    dims = check_shape(dims, "dims")
    rtol = check_rtol(rtol)
    out = []
    for t, term in enumerate(terms):
        try:
            coef, ops = term
        except (TypeError, ValueError):
            raise TypeError(f"term {t} must be a pair (coef, [(site, op), ...]), got {term!r}") from None
        if not isinstance(coef, numbers.Real) or isinstance(coef, bool):
            raise TypeError(f"term {t}: the coefficient must be a real number, got {type(coef).__name__}")
        lops = []
        for p in ops:
            try:
                site, op = p
            except (TypeError, ValueError):
                raise TypeError(f"term {t}: each operator must be a pair (site, matrix), got {p!r}") from None
            site = check_int("site", site, 0)
            a = np.asarray(op)
            if a.dtype.kind == "c":
                raise TypeError(f"term {t}: complex local operators are not supported (real float64 only)")
            lops.append((site, np.ascontiguousarray(a, dtype=np.float64)))
        out.append((float(coef), lops))
    return TTMatrix._wrap(_core.mpo_from_terms_float64(list(dims), out, rtol))


def _schedule(name, v, check):
    """A per-sweep value: one number, or a non-empty sequence (one per full sweep, last repeats)."""
    if isinstance(v, (numbers.Number, np.generic)) or isinstance(v, (str, bytes)):
        return [check(v)]
    try:
        vals = list(v)
    except TypeError:
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {type(v).__name__}") from None
    if not vals:
        raise ValueError(f"{name}: the schedule is empty (give a number or at least one value)")
    return [check(x) for x in vals]


@dataclass
class EigshResult:
    """Outcome of :func:`eigsh`."""

    energy: float
    """The lowest eigenvalue found (``energies[0]``)."""
    state: TensorTrain
    """Its eigenvector, unit norm (``states[0]``)."""
    energies: list = field(default_factory=list)
    """The ``k`` eigenvalues found, ascending; ``energies[i]`` is the Rayleigh quotient of
    ``states[i]``. Fewer than ``k`` when a callback stopped the run."""
    states: list = field(default_factory=list)
    """Their eigenvectors (TensorTrain), unit norm and mutually orthogonal."""
    sweep_energies: list = field(default_factory=list)
    """Per state, the energy after each of its half-sweeps."""
    truncation_errors: list = field(default_factory=list)
    """Per state, the largest discarded weight (relative, squared singular values) of each of
    its half-sweeps."""
    n_sweeps: int = 0
    """Half-sweeps done, all states together."""
    converged: bool = False
    """Every state converged."""
    stop_reason: str = ""
    """``"converged"``, ``"n_sweeps"`` (some state used all its sweeps), ``"callback"`` or
    ``"dependent"`` (``k > 1``: states came out nearly parallel; raise ``penalty``)."""

    @property
    def eigenvalue(self) -> float:
        return self.energy


def eigsh(
    A: TTMatrix,
    k: int = 1,
    x0: TensorTrain | None = None,
    max_rank: int | Sequence[int] = 64,
    rtol: float | Sequence[float] = 1e-10,
    n_sweeps: int = 10,
    tol: float = 1e-10,
    krylov: int = 40,
    init_rank: int = 4,
    seed: int = 0,
    penalty: float | None = None,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
) -> EigshResult:
    """The ``k`` lowest eigenpairs of a symmetric TT-matrix by two-site DMRG.

    Each step optimizes two neighbouring cores with the rest of the train fixed: the operator
    restricted to them is applied through the left and right environments (never formed) in a
    Lanczos solver, and the optimized pair is split by a truncated SVD that sets the bond rank.

    For ``k > 1`` the states are found one after another: state ``j`` is the lowest of
    ``A + w sum_{i<j} |psi_i><psi_i|``, the earlier states entering each local problem through
    their overlaps with the current basis. Then a Rayleigh-Ritz step in the span of the ``k``
    states: the returned states are its Ritz vectors (combined in the TT format and rounded to
    the last ``max_rank`` and ``rtol`` of the schedule; within a degenerate level, the rotation
    closest to the computed states), sorted by their Rayleigh quotients ``energies``.

    Parameters
    ----------
    A : TTMatrix
        Symmetric (checked: ``||A - A^T|| <= 1e-10 ||A||``), square mode sizes, float64.
    k : int
        Number of eigenpairs, at most the dimension of the space (the product of the mode sizes).
    x0 : TensorTrain or None
        Start vector of the lowest state (nonzero, shape = ``A.col_dims``); default, and for the
        other states: a random train of rank ``init_rank`` from ``seed + j``.
    max_rank : int or sequence of int
        Largest bond rank of the states: one value, or one per full sweep with the last one
        repeating (``[16, 32, 64]``: cheap first sweeps); each state runs the schedule anew.
    rtol : float or sequence of float
        SVD truncation: singular values whose squares sum below ``rtol**2`` (relative) are cut;
        a schedule like ``max_rank``.
    n_sweeps : int
        At most this many full (left-right-left) sweeps per state.
    tol : float
        Converged when a full sweep changes the energy by less than ``tol`` (relative).
    krylov : int
        Lanczos vectors per local solve.
    penalty : float or None
        The weight ``w`` (``k > 1``); it must exceed the spread of the ``k`` wanted eigenvalues.
        Default: twice the spectral width estimated by a short low-rank run for the largest
        eigenvalue.
    callback : callable or None
        Called after each half-sweep with ``state`` (0: the lowest), ``sweep`` (half-sweeps of
        this state), ``energy``, ``truncation_error``, ``max_rank``; a true return value stops
        the whole run (the states begun so far are returned).
    verbose : bool
        One line per half-sweep on stderr.

    Returns
    -------
    EigshResult
    """
    if not isinstance(A, TTMatrix):
        raise TypeError(f"A must be a TTMatrix, got {type(A).__name__}")
    k = check_int("k", k, 1)
    if A.dtype != np.float64:
        raise TypeError(f"eigsh needs a float64 TT-matrix, got {A.dtype}")
    if x0 is not None:
        if not isinstance(x0, TensorTrain):
            raise TypeError(f"x0 must be a TensorTrain or None, got {type(x0).__name__}")
        if x0.dtype != np.float64:
            x0 = x0.astype(np.float64)
    max_rank = _schedule("max_rank", max_rank, lambda v: check_int("max_rank", v, 1))
    rtol = _schedule("rtol", rtol, check_rtol)
    n_sweeps = check_int("n_sweeps", n_sweeps, 1)
    krylov = check_int("krylov", krylov, 2)
    init_rank = check_int("init_rank", init_rank, 1)
    seed = check_int("seed", seed, 0)
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (0 <= tol < float("inf")):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    tol = float(tol)
    if penalty is None:
        penalty = 0.0  # the engine's "automatic"
    elif isinstance(penalty, bool) or not isinstance(penalty, numbers.Real) or not (0 < penalty < float("inf")):
        raise ValueError(f"penalty must be a finite number > 0 or None, got {penalty!r}")
    cb = with_progress(
        callback,
        verbose,
        lambda info: f"eigsh: state {info['state']}  half-sweep {info['sweep']:3d}  energy {info['energy']:.12g}  "
        f"truncation {info['truncation_error']:.1e}  max rank {info['max_rank']}",
    )

    r = _core.eigsh_float64(
        A._c, k, max_rank, rtol, n_sweeps, tol, krylov, init_rank, float(penalty), seed,
        None if x0 is None else x0._c, cb
    )
    return EigshResult(
        energy=float(r["energy"]),
        state=TensorTrain._wrap(r["state"]),
        energies=[float(e) for e in r["energies"]],
        states=[TensorTrain._wrap(s) for s in r["states"]],
        sweep_energies=[list(h) for h in r["sweep_energies"]],
        truncation_errors=[list(h) for h in r["truncation_errors"]],
        n_sweeps=int(r["n_sweeps"]),
        converged=bool(r["converged"]),
        stop_reason=str(r["stop_reason"]),
    )


@dataclass
class SolveResult:
    """Outcome of :func:`solve`."""

    x: TensorTrain
    residuals: list = field(default_factory=list)
    """``||A x - b|| / ||b||`` after each sweep (computed exactly in the TT format)."""
    n_sweeps: int = 0
    converged: bool = False
    stop_reason: str = ""
    """``"converged"``, ``"n_sweeps"`` or ``"callback"``."""

    @property
    def residual(self) -> float:
        return self.residuals[-1] if self.residuals else float("nan")


def solve(
    A: TTMatrix,
    b: TensorTrain,
    x0: TensorTrain | None = None,
    rtol: float = 1e-8,
    max_rank: int = 64,
    n_sweeps: int = 20,
    residual_rank: int = 4,
    dense_limit: int = 100,
    seed: int = 0,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
) -> SolveResult:
    """Solve ``A x = b`` in the TT format by AMEn (alternating minimal energy with residual
    enrichment; symmetric or not).

    Each step solves the system projected on the current left and right interfaces for one
    core (directly up to ``dense_limit`` unknowns, otherwise iteratively applying the local
    operator through the environments: conjugate gradients when ``A`` is symmetric, restarted
    GMRES otherwise or when CG finds ``A`` indefinite), truncates it, and enriches its basis by the
    residual projected on a rank-``residual_rank`` train that tracks the residual.

    Parameters
    ----------
    A : TTMatrix
        Square mode sizes, float64.
    b : TensorTrain
        Right-hand side of shape ``A.col_dims``, nonzero.
    x0 : TensorTrain or None
        Start (default, or when zero: ``b``).
    rtol : float
        Stop when ``||A x - b|| <= rtol ||b||`` (checked exactly after each sweep). In double
        precision the reachable residual is about ``cond(A) * 1e-16``.
    max_rank, n_sweeps, residual_rank, dense_limit
        See above.
    seed : int
        Seed of the random start of the residual tracker.
    callback : callable or None
        Called after each sweep with ``sweep``, ``residual``, ``max_rank``; true stops.
    verbose : bool
        One line per sweep on stderr.
    """
    if not isinstance(A, TTMatrix):
        raise TypeError(f"A must be a TTMatrix, got {type(A).__name__}")
    if not isinstance(b, TensorTrain):
        raise TypeError(f"b must be a TensorTrain, got {type(b).__name__}")
    if A.dtype != np.float64:
        raise TypeError(f"solve needs a float64 TT-matrix, got {A.dtype}")
    if b.dtype.kind == "c":
        raise TypeError("solve: complex right-hand sides are not supported")
    b = b.astype(np.float64)
    if x0 is not None:
        if not isinstance(x0, TensorTrain):
            raise TypeError(f"x0 must be a TensorTrain or None, got {type(x0).__name__}")
        x0 = x0.astype(np.float64)
    rtol = check_rtol(rtol)
    if rtol <= 0:
        raise ValueError("rtol must be > 0 for solve")
    max_rank = check_int("max_rank", max_rank, 1)
    n_sweeps = check_int("n_sweeps", n_sweeps, 1)
    residual_rank = check_int("residual_rank", residual_rank, 1)
    dense_limit = check_int("dense_limit", dense_limit, 0)
    seed = check_int("seed", seed, 0)
    cb = with_progress(
        callback,
        verbose,
        lambda info: f"solve: sweep {info['sweep']:3d}  residual {info['residual']:.2e}  max rank {info['max_rank']}",
    )

    r = _core.solve_float64(A._c, b._c, rtol, max_rank, n_sweeps, residual_rank, dense_limit, seed,
                            None if x0 is None else x0._c, cb)
    return SolveResult(
        x=TensorTrain._wrap(r["x"]),
        residuals=list(r["residuals"]),
        n_sweeps=int(r["n_sweeps"]),
        converged=bool(r["converged"]),
        stop_reason=str(r["stop_reason"]),
    )
