"""TT-cross: tensor trains from samples of black-box functions, grids and quadrature.

The engine (``cpp/include/tensortrain/cross.hpp``) runs the sweeps; this module adapts Python
callables to it (batching across a :class:`concurrent.futures.Executor`, progress output,
Ctrl-C), and adds grids, Chebyshev interpolation and quadrature on top.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import _core
from ._validate import check_rtol, check_shape, with_progress
from .tt import TensorTrain

__all__ = [
    "CrossResult",
    "CrossCache",
    "cross",
    "cross_function",
    "maxvol",
    "rect_maxvol",
    "grid",
    "ChebyshevTT",
    "integrate",
    "apply",
]

_METHODS = ("amen", "maxvol", "dmrg")


@dataclass
class CrossResult:
    """What a cross run produced and why it stopped.

    Attributes
    ----------
    tt : TensorTrain
        The approximation (a valid train whatever the stop reason).
    stop_reason : str
        ``"converged"`` (a half-sweep changed the train by less than ``rtol`` and the train it
        started from predicted the blocks sampled in it to ``rtol``), ``"max_evals"``
        (the next step would have exceeded the budget), ``"n_sweeps"``, ``"callback"`` or
        ``"interrupted"`` (Ctrl-C).
    converged : bool
    n_evals : int
        Calls of ``f`` on distinct multi-indices in this run (what the budget counts).
    n_requests : int
        Entries the method needed, cache hits included.
    n_cache_hits : int
    n_sweeps : int
        Half-sweeps completed.
    change_history : list of float
        Relative change of the train over each half-sweep.
    error_history : list of float
        Relative error, per half-sweep, of the train before each step on the entries that step
        sampled (mostly new to it): an error estimate that costs no extra evaluations.
    test_error_history : list of float
        Relative error on the held-out points after each half-sweep (with ``n_test > 0``).
    grids : list of numpy arrays or None
        The grid points per mode (from :func:`cross_function`).
    """

    tt: TensorTrain
    stop_reason: str
    converged: bool
    n_evals: int
    n_requests: int
    n_cache_hits: int
    n_sweeps: int
    change_history: list = field(default_factory=list)
    error_history: list = field(default_factory=list)
    test_error_history: list = field(default_factory=list)
    grids: list | None = None

    @property
    def ranks(self) -> list:
        return self.tt.ranks


class CrossCache:
    """Function values by multi-index, shared by cross runs on the same function and shape.

    No multi-index is passed to the function twice while a cache is in use; pass the same cache
    to a later :func:`cross` call to reuse the values. Picklable.
    """

    def __init__(self, shape, dtype=np.float64):
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"a cross cache holds float32 or float64 values, got {dt}")
        self._dtype = dt
        self._c = getattr(_core, f"CrossCache_{dt.name}")(list(check_shape(shape)))

    @property
    def shape(self) -> tuple:
        return tuple(self._c.shape)

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    def __len__(self) -> int:
        return len(self._c)

    def items(self):
        """All cached entries: an (N, d) int64 index array and the N values."""
        return self._c.items()

    def insert(self, indices, values) -> None:
        """Add known values (for example from an earlier simulation campaign)."""
        self._c.insert(np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=self._dtype))

    def __getstate__(self):
        idx, vals = self.items()
        return {"shape": self.shape, "dtype": self._dtype.name, "idx": idx, "vals": vals}

    def __setstate__(self, st):
        self.__init__(st["shape"], st["dtype"])
        self.insert(st["idx"], st["vals"])

    def __repr__(self) -> str:
        return f"CrossCache(shape={self.shape}, entries={len(self)})"


def maxvol(a, tol: float = 0.05, max_iters: int = 200):
    """Rows of a tall matrix whose square submatrix has (locally) maximal volume.

    Returns ``(rows, coef)``: ``a ~= coef @ a[rows]`` exactly, and every ``|coef[i, j]| <= 1 + tol``.
    Works on an orthonormal basis of the columns, so rank-deficient inputs are safe.
    """
    A = _real_matrix(a, "maxvol")
    tol = check_rtol(tol)
    rows, coef, _ = getattr(_core, f"maxvol_{A.dtype.name}")(A, tol, int(max_iters))
    return rows, coef


def rect_maxvol(a, K: int, tol: float = 0.05):
    """``K >= r`` rows of an ``n x r`` matrix: maxvol's rows plus greedily the worst-represented.

    Returns ``(rows, coef)`` with ``coef = a @ pinv(a[rows])``.
    """
    A = _real_matrix(a, "rect_maxvol")
    if isinstance(K, bool) or not isinstance(K, numbers.Integral):
        raise TypeError(f"K must be an integer, got {type(K).__name__}")
    rows, coef, _ = getattr(_core, f"rect_maxvol_{A.dtype.name}")(A, int(K), check_rtol(tol))
    return rows, coef


def _real_matrix(a, what):
    A = np.asarray(a)
    if A.ndim != 2:
        raise ValueError(f"{what} needs a 2-D array, got shape {A.shape}")
    if A.dtype.kind == "c":
        raise TypeError(f"{what} works on real matrices")
    if A.dtype != np.float32:
        A = A.astype(np.float64)
    if not np.isfinite(A).all():
        raise ValueError(f"{what}: the matrix contains NaN or Inf")
    return A


def _tensor_function(a):
    """Index function and shape for a numpy array or a TensorTrain given instead of f."""
    if isinstance(a, TensorTrain):
        if a.dtype.kind == "c":
            raise TypeError("cross approximates real tensors")
        return (lambda idx: a[idx]), a.shape
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"cross approximates real tensors, got dtype {arr.dtype}")
    if not np.isfinite(arr).all():
        raise ValueError("the tensor contains NaN or Inf")
    return (lambda idx: arr[tuple(idx.T)]), arr.shape


def _executor_plan(executor):
    """How to spread chunks over the executor: (number of chunks per batch, submit function).

    Pools of this process's standard library report ``_max_workers``; they start tasks cheaply,
    so each worker gets 4 chunks (load balance). For a Dask ``Client.get_executor()`` each
    worker thread gets one chunk, placed on that worker explicitly: a Dask task costs
    milliseconds of scheduling, and the scheduler would otherwise queue several chunks on one
    worker before its work stealing spreads them.
    """
    n = getattr(executor, "_max_workers", None)
    if n:
        return 4 * int(n), lambda f, c, i: executor.submit(f, c)
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        try:
            slots = [addr for addr, th in sorted(client.nthreads().items()) for _ in range(max(1, int(th)))]
        except Exception:  # pragma: no cover - scheduler unreachable: plain submission
            slots = []
        if slots:
            def submit(f, c, i):
                return client.submit(f, c, workers=[slots[i % len(slots)]], allow_other_workers=True, pure=False)

            return len(slots), submit
    return 8, lambda f, c, i: executor.submit(f, c)


def _executor_function(f, executor, batch_size):
    """f spread over an executor: each batch is cut into chunks submitted in order."""
    n_chunks, submit = _executor_plan(executor)

    def g(idx):
        M = len(idx)
        bs = batch_size or max(1, -(-M // n_chunks))
        chunks = [idx[s : s + bs] for s in range(0, M, bs)]
        futures = [submit(f, c, i) for i, c in enumerate(chunks)]
        try:
            parts = []
            for c, fu in zip(chunks, futures):
                v = np.asarray(fu.result())
                if v.ndim != 1 or v.shape[0] != len(c):
                    raise ValueError(
                        f"cross: f must return a 1-D array of {len(c)} values for an ({len(c)}, "
                        f"{idx.shape[1]}) index array; got shape {v.shape}"
                    )
                parts.append(v)
        except BaseException:
            for fu in futures:
                fu.cancel()
            raise
        return np.concatenate(parts) if parts else np.zeros(0)

    return g


def cross(
    f,
    shape=None,
    rtol: float = 1e-6,
    max_evals: int | None = None,
    max_rank: int = 64,
    method: str = "amen",
    seed: int = 0,
    cache: CrossCache | None = None,
    callback: Callable[[dict], Any] | None = None,
    verbose: bool = False,
    executor=None,
    batch_size: int | None = None,
    n_sweeps: int = 20,
    kick: int | None = None,
    n_test: int = 0,
    dtype=np.float64,
) -> CrossResult:
    """Approximate a tensor given by a function of its multi-indices (TT-cross).

    Parameters
    ----------
    f : callable, numpy array or TensorTrain
        ``f(idx)`` takes an ``(M, d)`` int64 array of multi-indices and returns ``M`` real
        values. An array or a train is indexed instead (its shape is used).
    shape : sequence of int
        Mode sizes (not needed when ``f`` is an array or a train).
    rtol : float
        Target relative accuracy: the run converges when its error estimate (``"amen"``: on
        the random probe fibers; otherwise on the freshly sampled fibers, with a safety factor)
        stays below ``rtol`` for two half-sweeps, or the train stops changing (and the ``n_test``
        held-out entries, if asked for, agree to ``rtol``). Ranks are chosen by SVD at a fraction
        of ``rtol``.
    max_evals : int or None
        Hard budget of calls of ``f`` on distinct multi-indices. The run stops before a step that
        would exceed it (``stop_reason="max_evals"``) and returns the train it has.
    max_rank : int
    method : {"amen", "maxvol", "dmrg"}
        ``"amen"`` (default): one-site maxvol cross whose index sets grow towards the residual
        ``f - train`` measured on random probe fibers (AMEn-style enrichment). The probes also
        give the error estimate at points away from the pivots, and they find functions that are
        zero on the first fibers (a narrow peak).
        ``"maxvol"``: one-site cross whose index sets grow by random rows; the error estimate
        comes from the freshly sampled fibers.
        ``"dmrg"``: two-site DMRG-cross (rank-adaptive through supercore SVDs; many more
        evaluations).
    seed : int
        The run is deterministic for a seed.
    cache : CrossCache or None
        Values already known; the run adds to it. No multi-index is evaluated twice.
    callback : callable or None
        Called after each half-sweep with a dict (``sweep``, ``change``, ``error``, ``test_error``,
        ``n_evals``, ``max_rank``); a true return value stops the run.
    verbose : bool
        Print one line per half-sweep to stderr.
    executor : concurrent.futures.Executor or None
        Spread each batch of evaluations over it (thread or process pool, Dask
        ``Client.get_executor()``). ``f`` must be picklable for process pools.
    batch_size : int or None
        At most this many multi-indices per call of ``f`` (per task with an executor).
    n_sweeps : int
        At most this many half-sweeps.
    kick : int or None
        Extra index rows per bond and step (residual directions for ``"amen"``, random rows
        otherwise): how fast ranks may grow, and how much the run explores beyond its maxvol
        pivots. Default: 1 for ``"amen"`` (which also spends ``kick`` probe fibers per step),
        2 otherwise.
    n_test : int
        Random held-out multi-indices evaluated once (they count as evaluations) to report a
        test error after each half-sweep.
    dtype : float64 or float32

    Returns
    -------
    CrossResult

    Notes
    -----
    ``f`` must return finite values: NaN or Inf raises ``ValueError`` naming the multi-index.
    An exception raised by ``f`` reaches the caller unchanged; values from batches that
    completed stay in the cache. Ctrl-C stops the run and returns what it has.
    """
    if isinstance(f, (np.ndarray, TensorTrain)):
        if shape is not None and tuple(shape) != tuple(np.shape(f) if isinstance(f, np.ndarray) else f.shape):
            raise ValueError(f"shape {tuple(shape)} does not match the tensor's shape")
        f, shape = _tensor_function(f)
    elif not callable(f):
        raise TypeError(f"f must be a callable, a numpy array or a TensorTrain, got {type(f).__name__}")
    if shape is None:
        raise TypeError("cross needs the shape of the tensor f describes")
    shape = check_shape(shape)
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    rtol = check_rtol(rtol)
    if kick is None:
        kick = 1 if method == "amen" else 2
    ints = {"max_rank": max_rank, "n_sweeps": n_sweeps, "kick": kick, "n_test": n_test, "seed": seed}
    for name, v in ints.items():
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if max_rank < 1 or n_sweeps < 1 or kick < 0 or n_test < 0 or seed < 0:
        raise ValueError(
            f"need max_rank >= 1, n_sweeps >= 1, kick >= 0, n_test >= 0, seed >= 0; got {max_rank}, "
            f"{n_sweeps}, {kick}, {n_test}, {seed}"
        )
    if max_evals is not None:
        if isinstance(max_evals, bool) or not isinstance(max_evals, numbers.Integral) or max_evals < 0:
            raise ValueError(f"max_evals must be an integer >= 0 or None, got {max_evals!r}")
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1 or None, got {batch_size!r}")
    if cache is not None:
        if not isinstance(cache, CrossCache):
            raise TypeError(f"cache must be a CrossCache, got {type(cache).__name__}")
        if cache.shape != shape:
            raise ValueError(f"the cache belongs to shape {cache.shape}, not {shape}")
        if cache.dtype != dt:
            raise TypeError(f"the cache holds {cache.dtype} values, the run computes in {dt}")

    fn = f
    engine_batch = int(batch_size or 0)
    if executor is not None:
        if not hasattr(executor, "submit"):
            raise TypeError("executor must be a concurrent.futures.Executor (something with submit())")
        fn = _executor_function(f, executor, batch_size)
        engine_batch = 0

    cb = with_progress(
        callback,
        verbose,
        lambda info: f"cross: half-sweep {info['sweep']:3d}  change {info['change']:.2e}  error {info['error']:.2e}  "
        f"max rank {info['max_rank']:3d}  evals {info['n_evals']}"
        + ("" if info["test_error"] is None else f"  test error {info['test_error']:.2e}"),
    )

    res = getattr(_core, f"cross_{dt.name}")(
        fn,
        list(shape),
        method,
        rtol,
        int(max_rank),
        int(n_sweeps),
        -1 if max_evals is None else int(max_evals),
        int(kick),
        int(seed),
        engine_batch,
        int(n_test),
        cb,
        None if cache is None else cache._c,
    )
    return CrossResult(
        tt=TensorTrain._wrap(res["tt"]),
        stop_reason=res["stop_reason"],
        converged=bool(res["converged"]),
        n_evals=int(res["n_evals"]),
        n_requests=int(res["n_requests"]),
        n_cache_hits=int(res["n_cache_hits"]),
        n_sweeps=int(res["n_sweeps"]),
        change_history=list(res["change_history"]),
        error_history=list(res["error_history"]),
        test_error_history=list(res["test_error_history"]),
    )


# ------------------------------------------------------------------------------ grids
def _domain(domain, d=None):
    dom = [tuple(float(v) for v in ab) for ab in domain]
    for a, b in dom:
        if not (np.isfinite(a) and np.isfinite(b) and a < b):
            raise ValueError(f"each domain interval needs finite a < b, got ({a}, {b})")
    if d is not None and len(dom) != d:
        raise ValueError(f"{d} intervals needed, got {len(dom)}")
    return dom


def _sizes(n, d):
    ns = [int(n)] * d if isinstance(n, numbers.Integral) else [int(v) for v in n]
    if len(ns) != d or any(v < 2 for v in ns):
        raise ValueError(f"need {d} grid sizes >= 2, got {n!r}")
    return ns


def grid(domain, n=32, kind: str = "chebyshev") -> list:
    """Grid points per mode on a box.

    ``kind="uniform"``: ``n`` equispaced points including both ends. ``kind="chebyshev"``:
    the Chebyshev extrema ``(a+b)/2 + (b-a)/2 cos(pi j/(n-1))`` (the nodes of
    :class:`ChebyshevTT`), in increasing order. ``kind="gauss"``: Gauss-Legendre nodes.
    """
    dom = _domain(domain)
    ns = _sizes(n, len(dom))
    out = []
    for (a, b), m in zip(dom, ns):
        if kind == "uniform":
            t = np.linspace(-1.0, 1.0, m)
        elif kind == "chebyshev":
            t = np.cos(np.pi * np.arange(m) / (m - 1))[::-1].copy()
        elif kind == "gauss":
            t = np.polynomial.legendre.leggauss(m)[0]
        else:
            raise ValueError(f"kind must be 'uniform', 'chebyshev' or 'gauss', got {kind!r}")
        out.append((a + b) / 2 + (b - a) / 2 * t)
    return out


def cross_function(f, domain, n=32, grid: str = "chebyshev", **kwargs) -> CrossResult:
    """Cross approximation of a function of real variables on a grid over a box.

    ``f`` takes an ``(M, d)`` array of points and returns ``M`` values. The result's ``grids``
    holds the points per mode; with ``grid="chebyshev"``, :class:`ChebyshevTT` interpolates the
    train at arbitrary points. Other keyword arguments go to :func:`cross`.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    pts = globals()["grid"](domain, n, grid)
    res = cross(_GridFunction(f, pts), [len(p) for p in pts], **kwargs)
    res.grids = pts
    return res


class _GridFunction:
    """Picklable index-to-point adapter (for process pools)."""

    def __init__(self, f, pts):
        self.f, self.pts = f, pts

    def __call__(self, idx):
        x = np.empty(idx.shape, dtype=np.float64)
        for k, p in enumerate(self.pts):
            x[:, k] = p[idx[:, k]]
        return self.f(x)


class ChebyshevTT:
    """Interpolant of a train sampled at the Chebyshev extrema of a box (see :func:`grid`).

    Each core's values at the nodes are turned into Chebyshev coefficients once; evaluating at
    ``M`` arbitrary points costs ``O(M d n r^2)``.
    """

    def __init__(self, tt: TensorTrain, domain):
        self.domain = _domain(domain, tt.ndim)
        self.coef = []
        for G in tt.cores:
            m = G.shape[1]
            # values at x_j = cos(pi j/(m-1)) (increasing order in our grid: reversed)
            V = G[:, ::-1, :]
            j = np.arange(m)
            C = np.cos(np.pi * np.outer(j, j) / (m - 1))  # C[k, j] = T_k(x_j)
            w = np.ones(m)
            w[0] = w[-1] = 0.5
            T = (2.0 / (m - 1)) * C * w[None, :] * w[:, None]  # c_k = sum_j T[k, j] f_j
            self.coef.append(np.einsum("kj,ajb->akb", T, V))

    def __call__(self, points) -> np.ndarray:
        x = np.asarray(points, dtype=np.float64)
        d = len(self.coef)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"points must have shape (M, {d}), got {np.shape(points)}")
        z = np.ones((x.shape[0], 1))
        for k, (C, (a, b)) in enumerate(zip(self.coef, self.domain)):
            t = (2 * x[:, k] - (a + b)) / (b - a)
            if np.any(np.abs(t) > 1 + 1e-12):
                raise ValueError(f"points outside the domain in mode {k}: [{a}, {b}]")
            Tk = np.cos(np.outer(np.arccos(np.clip(t, -1, 1)), np.arange(C.shape[1])))  # (M, m)
            z = np.einsum("ma,akb,mk->mb", z, C, Tk, optimize=True)
        return z[:, 0]


def _nodes_weights(m: int, rule: str):
    if rule == "gauss":
        return np.polynomial.legendre.leggauss(m)
    if rule == "clenshaw-curtis":
        # Nodes cos(pi j/(m-1)), weights from the cosine series of 1 on [-1, 1].
        n = m - 1
        theta = np.pi * np.arange(m) / n
        x = np.cos(theta)
        w = np.zeros(m)
        for j in range(m):
            s = 0.0
            for k in range(0, n // 2 + 1):
                bk = 1.0 if k in (0, n / 2) else 2.0
                s += bk / (1 - 4 * k * k) * np.cos(2 * k * theta[j])
            w[j] = s / n * (1.0 if j in (0, n) else 2.0)
        return x[::-1].copy(), w[::-1].copy()
    raise ValueError(f"rule must be 'gauss' or 'clenshaw-curtis', got {rule!r}")


def integrate(f, domain, n=16, rule: str = "gauss", **kwargs):
    """Integral of a function over a box by cross approximation on quadrature nodes.

    ``f`` takes an ``(M, d)`` array of points and returns ``M`` values. The train is built on
    the Gauss-Legendre (or Clenshaw-Curtis) nodes and contracted with the weights.
    Returns ``(value, result)`` with the :class:`CrossResult`. Keyword arguments go to
    :func:`cross` (``rtol``, ``max_evals``, ...).
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    dom = _domain(domain)
    ns = _sizes(n, len(dom))
    pts, wts = [], []
    for (a, b), m in zip(dom, ns):
        t, w = _nodes_weights(m, rule)
        pts.append((a + b) / 2 + (b - a) / 2 * t)
        wts.append((b - a) / 2 * w)
    g = _GridFunction(f, pts)
    res = cross(g, ns, **kwargs)
    res.grids = pts
    return float(res.tt.sum(wts)), res


def apply(func, *xs, rtol: float = 1e-8, max_rank: int = 64, **kwargs) -> TensorTrain:
    """Elementwise function of trains by cross, without forming any full tensor.

    ``func`` takes one numpy array of values per input train (all of the same shape) and returns
    the values of the result, e.g. ``apply(np.exp, x)``, ``apply(lambda a: 1 / a, x)`` or
    ``apply(np.multiply, x, y)``. Entries of the inputs are read by batch evaluation. Keyword
    arguments go to :func:`cross`; the result is rounded to ``rtol``.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    if not xs or not all(isinstance(x, TensorTrain) for x in xs):
        raise TypeError("apply needs one or more TensorTrain inputs")
    shape = xs[0].shape
    for x in xs[1:]:
        if x.shape != shape:
            raise ValueError(f"all inputs must have the same shape: {shape} and {x.shape}")
    if any(x.dtype.kind == "c" for x in xs):
        raise TypeError("apply works on real trains")

    def f(idx):
        return np.asarray(func(*(x[idx] for x in xs)), dtype=np.float64)

    res = cross(f, shape, rtol=rtol, max_rank=max_rank, **kwargs)
    if res.stop_reason not in ("converged",):
        import warnings

        warnings.warn(f"apply: cross stopped with {res.stop_reason!r} before converging", RuntimeWarning, stacklevel=2)
    return res.tt.round(rtol=rtol)
