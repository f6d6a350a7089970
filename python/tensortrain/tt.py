"""TensorTrain and TTMatrix: thin Python classes over the C++ engine."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import _core
from ._validate import as_array, check_int, check_max_rank, check_rtol, check_shape, engine_dtype, result_dtype, suffix

__all__ = [
    "TensorTrain",
    "TTMatrix",
    "TruncationInfo",
    "tt_svd",
    "round",
    "dot",
    "norm",
    "log_norm",
    "hadamard",
    "matvec",
    "kron",
    "random",
    "random_matrix",
    "zeros",
    "ones",
    "eye",
    "rank_one",
    "orthogonalize",
]


@dataclass(frozen=True)
class TruncationInfo:
    """What a truncation committed.

    Attributes
    ----------
    truncation_error : float
        Absolute Frobenius-norm bound ``sqrt(sum of discarded sigma^2)`` on ``||A - result||``.
    norm : float
        Frobenius norm of the input.
    rel_error : float
        ``truncation_error / norm`` (0 for a zero input).
    ranks : tuple of int
        Ranks of the result.
    """

    truncation_error: float
    norm: float
    rel_error: float
    ranks: tuple


def _engine_class(kind: str, dtype):
    return getattr(_core, f"{kind}_{suffix(dtype)}")


def _dtype_of(c) -> np.dtype:
    return np.dtype(type(c).__name__.split("_", 1)[1])


def _cast(c, dtype):
    """Engine train `c` converted to `dtype` (a no-op when it already is)."""
    if _dtype_of(c) == np.dtype(dtype):
        return c
    return getattr(_core, f"cast_{np.dtype(dtype).name}")(c)


def _read_only(views):
    for v in views:
        v.setflags(write=False)
    return views


class TensorTrain:
    """A tensor in the tensor-train format, ``A[i1,...,id] = G1[:, i1, :] @ ... @ Gd[:, id, :]``.

    Parameters
    ----------
    cores : sequence of array_like
        ``d`` three-way arrays of shapes ``(r_{k-1}, n_k, r_k)`` with ``r_0 = r_d = 1``.
        They are copied; the dtype is the common engine dtype of the cores (float32, float64 or
        complex128; integers become float64). NaN or Inf entries are refused.

    Examples
    --------
    >>> import numpy as np, tensortrain as tt
    >>> x = tt.TensorTrain([np.ones((1, 3, 2)), np.ones((2, 4, 1))])
    >>> x.shape, x.ranks
    ((3, 4), (1, 2, 1))
    """

    __slots__ = ("_c",)
    __array_priority__ = 100  # make numpy defer to our operators

    def __init__(self, cores: Sequence):
        if isinstance(cores, TensorTrain):
            self._c = cores._c.copy()
            return
        if isinstance(cores, np.ndarray) or not isinstance(cores, (list, tuple)):
            raise TypeError("cores must be a list or tuple of 3-D arrays")
        if len(cores) == 0:
            raise ValueError("a tensor train needs at least one core, got 0")
        arrays = [np.asarray(c) for c in cores]
        for k, a in enumerate(arrays):
            if a.ndim != 3:
                raise ValueError(f"core {k} must be a 3-D array (r_prev, n, r_next), got shape {a.shape}")
        dt = result_dtype(*[a.dtype for a in arrays])
        arrays = [as_array(a, f"core {k}").astype(dt, copy=False) for k, a in enumerate(arrays)]
        self._c = _engine_class("TensorTrain", dt)(arrays)

    @classmethod
    def _wrap(cls, c) -> "TensorTrain":
        obj = cls.__new__(cls)
        obj._c = c
        return obj

    # ----------------------------------------------------------------- properties
    @property
    def cores(self) -> list:
        """Read-only views of the cores, each of shape ``(r_{k-1}, n_k, r_k)``."""
        return _read_only(self._c.cores())

    @property
    def shape(self) -> tuple:
        return tuple(self._c.shape)

    @property
    def ranks(self) -> tuple:
        """The ``d + 1`` TT ranks, including the boundary ones."""
        return tuple(self._c.ranks)

    @property
    def max_rank(self) -> int:
        return max(self.ranks)

    @property
    def ndim(self) -> int:
        return int(self._c.ndim)

    @property
    def dtype(self) -> np.dtype:
        return _dtype_of(self._c)

    @property
    def size(self) -> int:
        """Number of entries of the full tensor (a Python int: it may be astronomically large)."""
        return int(np.prod([int(n) for n in self.shape], dtype=object))

    @property
    def num_params(self) -> int:
        """Number of stored numbers (sum of the core sizes)."""
        return int(self._c.num_params)

    # ------------------------------------------------------------------- methods
    def full(self) -> np.ndarray:
        """The dense tensor. Refuses (``ValueError``) when it would be too large for memory."""
        return _core.to_full(self._c).reshape(self.shape)

    def __array__(self, dtype=None, copy=None):
        a = self.full()
        return a if dtype is None else a.astype(dtype)

    def copy(self) -> "TensorTrain":
        return TensorTrain._wrap(self._c.copy())

    def astype(self, dtype) -> "TensorTrain":
        """A copy in another engine dtype (complex to real is refused)."""
        dt = engine_dtype(dtype)
        if self.dtype.kind == "c" and dt.kind != "c":
            raise TypeError("cannot cast a complex train to a real dtype; take .real() of the cores explicitly")
        return TensorTrain._wrap(_cast(self._c, dt))

    def conj(self) -> "TensorTrain":
        """Complex conjugate (a copy for real trains)."""
        if self.dtype.kind != "c":
            return self.copy()
        return TensorTrain([np.conj(c) for c in self.cores])

    def round(self, rtol: float = 1e-8, max_rank: int | None = None) -> "TensorTrain":
        """Rounded copy with ``||self - result|| <= rtol * ||self||`` (see :func:`round`)."""
        return round(self, rtol=rtol, max_rank=max_rank)

    def norm(self) -> float:
        """Frobenius norm (see :func:`norm`)."""
        return norm(self)

    def dot(self, other: "TensorTrain") -> complex | float:
        """Inner product ``sum(conj(self) * other)`` (see :func:`dot`)."""
        return dot(self, other)

    def sum(self, weights: Sequence | None = None):
        """Sum of all entries, or the weighted contraction ``sum w1[i1]...wd[id] A[i1..id]``.

        Parameters
        ----------
        weights : sequence of 1-D arrays or None
            One weight vector per mode (``None`` entries mean all ones), e.g. quadrature weights.
        """
        if weights is None:
            ws = []
        else:
            if len(weights) != self.ndim:
                raise ValueError(f"{self.ndim} weight vectors needed, got {len(weights)}")
            ws = []
            for k, w in enumerate(weights):
                if w is None:
                    ws.append(np.ones(self.shape[k], self.dtype))
                    continue
                w = as_array(w, f"weight vector {k}")
                if w.ndim != 1 or w.shape[0] != self.shape[k]:
                    raise ValueError(f"weight vector {k} must have shape ({self.shape[k]},), got {w.shape}")
                ws.append(w)
            dt = result_dtype(self.dtype, *[w.dtype for w in ws])
            if dt != self.dtype:
                return self.astype(dt).sum([w.astype(dt) for w in ws])
            ws = [w.astype(dt, copy=False) for w in ws]
        return _core.contract(self._c, ws)

    def orthogonalize(self, center: int = -1) -> "TensorTrain":
        """A copy whose cores left of ``center`` are left-orthogonal and right of it right-orthogonal."""
        return orthogonalize(self, center)

    def save(self, path) -> None:
        """Save to a ``.npz`` file (see :func:`tensortrain.save`)."""
        from .io import save

        save(path, self)

    @staticmethod
    def load(path) -> "TensorTrain":
        from .io import load

        obj = load(path)
        if not isinstance(obj, TensorTrain):
            raise TypeError(f"{path} holds a {type(obj).__name__}, not a TensorTrain")
        return obj

    # -------------------------------------------------------------- evaluation
    def __getitem__(self, index):
        d = self.ndim
        if isinstance(index, numbers.Integral):
            index = (index,)
        if isinstance(index, tuple) and all(isinstance(i, numbers.Integral) for i in index) and len(index) != d:
            raise IndexError(f"a multi-index of length {d} is needed, got {len(index)}")
        if isinstance(index, tuple) and len(index) == d and all(isinstance(i, numbers.Integral) for i in index):
            idx = np.array([index], dtype=np.int64)
            single = True
        else:
            idx = np.asarray(index)
            single = False
            if idx.dtype.kind not in "iu":
                raise TypeError(
                    f"index with a tuple of {d} integers or an (M, {d}) integer array; got {type(index).__name__}"
                    + (f" of dtype {idx.dtype}" if isinstance(index, np.ndarray) else "")
                )
            if idx.ndim == 1 and idx.shape[0] == d and d != 1:
                idx = idx[None, :]
                single = True
            if idx.ndim == 1 and d == 1:
                idx = idx[:, None]
            if idx.ndim != 2 or idx.shape[1] != d:
                raise ValueError(f"index array must have shape (M, {d}), got {idx.shape}")
            idx = idx.astype(np.int64, copy=True)
        shape = np.asarray(self.shape, dtype=np.int64)
        if idx.size:
            neg = idx < 0
            if neg.any():
                idx = np.where(neg, idx + shape, idx)
            bad = (idx < 0) | (idx >= shape)
            if bad.any():
                m, k = np.argwhere(bad)[0]
                raise IndexError(
                    f"index {int(np.asarray(index).reshape(-1, d)[m, k]) if not single else index[k]} is out of "
                    f"range for mode {k} of size {self.shape[k]}"
                )
        vals = _core.evaluate(self._c, idx)
        return vals[0] if single else vals

    # --------------------------------------------------------------- operators
    def _binary(self, other, alpha, beta):
        if not isinstance(other, TensorTrain):
            return NotImplemented
        dt = result_dtype(self.dtype, other.dtype)
        return TensorTrain._wrap(_core.add(_cast(self._c, dt), _cast(other._c, dt), alpha, beta))

    def __add__(self, other):
        return self._binary(other, 1.0, 1.0)

    def __sub__(self, other):
        return self._binary(other, 1.0, -1.0)

    def __neg__(self):
        return self * -1.0

    def __pos__(self):
        return self.copy()

    def __mul__(self, other):
        if isinstance(other, TensorTrain):
            return hadamard(self, other)
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            if not np.isfinite(other):
                raise ValueError(f"cannot scale by {other}")
            dt = result_dtype(self.dtype, np.complex128) if np.iscomplexobj(other) else self.dtype
            return TensorTrain._wrap(_core.scale(_cast(self._c, dt), other))
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            if other == 0:
                raise ZeroDivisionError("division of a tensor train by zero")
            return self * (1.0 / other)
        return NotImplemented

    def __matmul__(self, other):
        if isinstance(other, TensorTrain):
            return dot(self.conj(), other)  # numpy's a @ b for vectors: no conjugation
        return NotImplemented

    # ------------------------------------------------------------ python protocol
    def __repr__(self) -> str:
        return f"TensorTrain(shape={self.shape}, ranks={self.ranks}, dtype={self.dtype.name})"

    def __reduce__(self):
        return (TensorTrain, ([np.array(c) for c in self.cores],))

    def __eq__(self, other):
        raise TypeError(
            "== is ambiguous for tensor trains; compare (x - y).norm() to a tolerance, or the cores exactly"
        )

    __hash__ = None  # type: ignore[assignment]


class TTMatrix:
    """A matrix (linear operator) in the TT format, with cores of shape ``(r_{k-1}, m_k, n_k, r_k)``.

    Rows are indexed by multi-indices ``(i1..id)`` with ``i_k < m_k`` and columns by ``(j1..jd)``,
    both in C order, so the dense matrix has ``prod(m)`` rows and ``prod(n)`` columns.
    """

    __slots__ = ("_c",)
    __array_priority__ = 100

    def __init__(self, cores: Sequence):
        if isinstance(cores, TTMatrix):
            self._c = _engine_class("TTMatrix", cores.dtype)(cores._c.tt.copy(), cores.row_dims, cores.col_dims)
            return
        if isinstance(cores, np.ndarray) or not isinstance(cores, (list, tuple)):
            raise TypeError("cores must be a list or tuple of 4-D arrays")
        if len(cores) == 0:
            raise ValueError("a TT-matrix needs at least one core, got 0")
        arrays = [np.asarray(c) for c in cores]
        for k, a in enumerate(arrays):
            if a.ndim != 4:
                raise ValueError(f"core {k} must be a 4-D array (r_prev, m, n, r_next), got shape {a.shape}")
        dt = result_dtype(*[a.dtype for a in arrays])
        arrays = [as_array(a, f"core {k}").astype(dt, copy=False) for k, a in enumerate(arrays)]
        self._c = _engine_class("TTMatrix", dt)(arrays)

    @classmethod
    def _wrap(cls, c) -> "TTMatrix":
        obj = cls.__new__(cls)
        obj._c = c
        return obj

    @classmethod
    def from_dense(cls, matrix, row_dims, col_dims, rtol: float = 1e-8, max_rank: int | None = None) -> "TTMatrix":
        """TT-SVD of a dense matrix with ``prod(row_dims)`` rows and ``prod(col_dims)`` columns."""
        row_dims = check_shape(row_dims, "row_dims")
        col_dims = check_shape(col_dims, "col_dims")
        if len(row_dims) != len(col_dims):
            raise ValueError(f"row_dims {row_dims} and col_dims {col_dims} must have the same length")
        m = as_array(matrix, "matrix")
        R, C = int(np.prod(row_dims)), int(np.prod(col_dims))
        if m.shape != (R, C):
            raise ValueError(f"matrix must have shape ({R}, {C}) for row_dims {row_dims}, col_dims {col_dims}; got {m.shape}")
        d = len(row_dims)
        t = m.reshape(row_dims + col_dims)
        # combined mode index i + m*j: axes (j_k, i_k) in C order
        axes = [a for k in range(d) for a in (d + k, k)]
        t = np.ascontiguousarray(t.transpose(axes)).reshape([row_dims[k] * col_dims[k] for k in range(d)])
        x = tt_svd(t, rtol=rtol, max_rank=max_rank)
        return cls._wrap(_engine_class("TTMatrix", x.dtype)(x._c, list(row_dims), list(col_dims)))

    @property
    def cores(self) -> list:
        """Read-only views of the cores, each of shape ``(r_{k-1}, m_k, n_k, r_k)``."""
        return _read_only(self._c.cores())

    @property
    def row_dims(self) -> tuple:
        return tuple(self._c.row_dims)

    @property
    def col_dims(self) -> tuple:
        return tuple(self._c.col_dims)

    @property
    def shape(self) -> tuple:
        """``(prod(row_dims), prod(col_dims))``, the shape of the dense matrix."""
        return (int(np.prod(self.row_dims, dtype=object)), int(np.prod(self.col_dims, dtype=object)))

    @property
    def ranks(self) -> tuple:
        return tuple(self._c.ranks)

    @property
    def ndim(self) -> int:
        return int(self._c.ndim)

    @property
    def dtype(self) -> np.dtype:
        return _dtype_of(self._c)

    def _as_train(self) -> TensorTrain:
        return TensorTrain._wrap(self._c.tt)

    def _from_train(self, x: TensorTrain, row_dims=None, col_dims=None) -> "TTMatrix":
        return TTMatrix._wrap(
            _engine_class("TTMatrix", x.dtype)(x._c, list(row_dims or self.row_dims), list(col_dims or self.col_dims))
        )

    def full(self) -> np.ndarray:
        """The dense matrix, shape ``(prod(row_dims), prod(col_dims))``; refuses when too large."""
        return _core.to_dense(self._c)

    to_dense = full

    def copy(self) -> "TTMatrix":
        return TTMatrix(self)

    def astype(self, dtype) -> "TTMatrix":
        return self._from_train(self._as_train().astype(dtype))

    @property
    def T(self) -> "TTMatrix":
        """The transpose (no conjugation)."""
        return TTMatrix._wrap(_core.transpose(self._c))

    def round(self, rtol: float = 1e-8, max_rank: int | None = None) -> "TTMatrix":
        return self._from_train(round(self._as_train(), rtol=rtol, max_rank=max_rank))

    def norm(self) -> float:
        """Frobenius norm."""
        return norm(self._as_train())

    def __add__(self, other):
        if not isinstance(other, TTMatrix):
            return NotImplemented
        _check_same_dims(self, other)
        return self._from_train(self._as_train() + other._as_train())

    def __sub__(self, other):
        if not isinstance(other, TTMatrix):
            return NotImplemented
        _check_same_dims(self, other)
        return self._from_train(self._as_train() - other._as_train())

    def __neg__(self):
        return self * -1.0

    def __mul__(self, other):
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            return self._from_train(self._as_train() * other)
        return NotImplemented

    __rmul__ = __mul__

    def __matmul__(self, other):
        if isinstance(other, TTMatrix):
            dt = result_dtype(self.dtype, other.dtype)
            return TTMatrix._wrap(_core.matmul(self.astype(dt)._c, other.astype(dt)._c))
        if isinstance(other, TensorTrain):
            return matvec(self, other)
        if isinstance(other, np.ndarray):
            x = as_array(other, "vector")
            ncols = self.shape[1]
            if x.ndim != 1 and x.shape != tuple(self.col_dims):
                raise ValueError(f"a dense vector of length {ncols} or shape {self.col_dims} is needed, got {x.shape}")
            if x.size != ncols:
                raise ValueError(f"a dense vector of length {ncols} is needed, got {x.size} entries")
            dt = result_dtype(self.dtype, x.dtype)
            y = _core.matvec_dense(self.astype(dt)._c, np.ascontiguousarray(x.reshape(-1), dtype=dt))
            return y if x.ndim == 1 else y.reshape(self.row_dims)
        return NotImplemented

    def __repr__(self) -> str:
        return (
            f"TTMatrix(row_dims={self.row_dims}, col_dims={self.col_dims}, ranks={self.ranks}, "
            f"dtype={self.dtype.name})"
        )

    def __reduce__(self):
        return (TTMatrix, ([np.array(c) for c in self.cores],))

    def save(self, path) -> None:
        from .io import save

        save(path, self)

    __hash__ = None  # type: ignore[assignment]


def _check_same_dims(a: TTMatrix, b: TTMatrix) -> None:
    if a.row_dims != b.row_dims or a.col_dims != b.col_dims:
        raise ValueError(
            f"TT-matrix sizes differ: {a.row_dims}x{a.col_dims} and {b.row_dims}x{b.col_dims}"
        )


def _require_tt(x, what="x") -> TensorTrain:
    if not isinstance(x, TensorTrain):
        raise TypeError(f"{what} must be a TensorTrain, got {type(x).__name__}")
    return x


# ------------------------------------------------------------------ functions
def tt_svd(a, rtol: float = 1e-8, max_rank: int | None = None, return_info: bool = False):
    """TT-SVD of a dense tensor.

    Parameters
    ----------
    a : array_like
        The dense tensor (any shape with at least one mode; a C-contiguous float64/float32/
        complex128 array is used without a copy). NaN or Inf are refused.
    rtol : float
        Relative accuracy: ``||a - result||_F <= rtol * ||a||_F`` whenever ``max_rank`` does not bind.
    max_rank : int or None
        Upper bound on every TT rank.
    return_info : bool
        Also return a :class:`TruncationInfo` with the error committed.

    Returns
    -------
    TensorTrain, or (TensorTrain, TruncationInfo)
    """
    rtol = check_rtol(rtol)
    max_rank = check_max_rank(max_rank)
    arr = as_array(a, "tt_svd input")
    if arr.ndim == 0:
        raise ValueError("tt_svd needs an array with at least one dimension, got a scalar")
    if arr.size == 0:
        raise ValueError(f"tt_svd: the array is empty (shape {arr.shape})")
    c, err, nrm = getattr(_core, f"tt_svd_{suffix(arr.dtype)}")(arr, rtol, max_rank)
    x = TensorTrain._wrap(c)
    if return_info:
        return x, TruncationInfo(err, nrm, err / nrm if nrm > 0 else 0.0, x.ranks)
    return x


def round(x: TensorTrain, rtol: float = 1e-8, max_rank: int | None = None, return_info: bool = False):
    """Round a train to lower ranks: ``||x - result||_F <= rtol * ||x||_F`` when ``max_rank`` does not bind.

    Orthogonalizes by QR, then truncates each bond by an SVD of the core itself (no Gram
    matrices, so singular values far below ``sqrt(eps)`` are resolved).
    ``x`` is not modified. A :class:`TTMatrix` is rounded as a train over its combined modes.
    """
    if isinstance(x, TTMatrix):
        if return_info:
            y, info = round(x._as_train(), rtol, max_rank, True)
            return x._from_train(y), info
        return x.round(rtol, max_rank)
    _require_tt(x)
    rtol = check_rtol(rtol)
    max_rank = check_max_rank(max_rank)
    c, err, nrm = _core.round(x._c, rtol, max_rank)
    y = TensorTrain._wrap(c)
    if return_info:
        return y, TruncationInfo(err, nrm, err / nrm if nrm > 0 else 0.0, y.ranks)
    return y


def _common(x: TensorTrain, y: TensorTrain):
    _require_tt(x, "x")
    _require_tt(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} and {y.shape}")
    dt = result_dtype(x.dtype, y.dtype)
    return _cast(x._c, dt), _cast(y._c, dt), dt


def dot(x: TensorTrain, y: TensorTrain):
    """Inner product ``<x, y> = sum(conj(x) * y)`` (like ``numpy.vdot``), in O(d n r^3).

    Intermediate environments are rescaled at every core, so long trains neither overflow nor
    underflow; the result is ``inf`` only when the value itself exceeds the float range.
    """
    a, b, dt = _common(x, y)
    mant, exponent = _core.dot_scaled(a, b)
    mant = complex(mant)
    try:
        val = complex(math.ldexp(mant.real, exponent), math.ldexp(mant.imag, exponent))
    except OverflowError:
        val = complex(mant.real * math.inf if mant.real else 0.0, mant.imag * math.inf if mant.imag else 0.0)
    return val if dt.kind == "c" else val.real


def log_norm(x: TensorTrain) -> float:
    """Natural logarithm of the Frobenius norm (``-inf`` for zero), finite even when the norm overflows."""
    _require_tt(x)
    return float(_core.log_norm(x._c))


def norm(x) -> float:
    """Frobenius norm, stable for long trains (no overflow or underflow of intermediates)."""
    if isinstance(x, TTMatrix):
        return x.norm()
    _require_tt(x)
    return float(_core.norm(x._c))


def hadamard(x: TensorTrain, y: TensorTrain) -> TensorTrain:
    """Elementwise product (ranks multiply); round the result to compress it."""
    a, b, _ = _common(x, y)
    return TensorTrain._wrap(_core.hadamard(a, b))


def matvec(
    a: TTMatrix,
    x: TensorTrain,
    method: str = "exact",
    rtol: float = 1e-10,
    max_rank: int | None = None,
    n_sweeps: int = 4,
    seed: int = 0,
) -> TensorTrain:
    """Product of a TT-matrix and a train.

    ``method="exact"`` (the default, also ``a @ x``): the exact product, whose ranks are the
    products of the ranks (``rtol``, ``max_rank`` are ignored; round it afterwards).
    ``method="fit"``: the product fitted by two-site sweeps at ``rtol``/``max_rank`` without
    forming the exact one (see :func:`linear_combination`): far cheaper when both ranks are large
    and a low-rank result is wanted.
    """
    if not isinstance(a, TTMatrix):
        raise TypeError(f"a must be a TTMatrix, got {type(a).__name__}")
    _require_tt(x)
    if a.col_dims != x.shape:
        raise ValueError(f"matvec: the TT-matrix has column sizes {a.col_dims}, the train has shape {x.shape}")
    dt = result_dtype(a.dtype, x.dtype)
    if method == "fit":
        return _fit_sum([(1.0, a.astype(dt), x.astype(dt))], dt, rtol, max_rank, n_sweeps, seed)
    if method != "exact":
        raise ValueError(f"method must be 'exact' or 'fit', got {method!r}")
    return TensorTrain._wrap(_core.matvec(a.astype(dt)._c, _cast(x._c, dt)))


def _fit_sum(terms, dt, rtol, max_rank, n_sweeps, seed) -> TensorTrain:
    """sum_t c_t A_t x_t (A_t None: identity) fitted by sweeps in the engine (fit.hpp)."""
    rtol = check_rtol(rtol)
    max_rank = min(check_max_rank(max_rank), 2**31 - 1)
    n_sweeps, seed = check_int("n_sweeps", n_sweeps, 1), check_int("seed", seed, 0)
    ct = complex if np.dtype(dt).kind == "c" else float
    cterms = [(ct(c), None if A is None else A._c, x._c) for c, A, x in terms]
    r = getattr(_core, "fit_sum_" + suffix(dt))(cterms, rtol, max_rank, n_sweeps, -1.0, 2, seed, None)
    return TensorTrain._wrap(r["y"])


def linear_combination(
    trains: Sequence,
    coefs: Sequence | None = None,
    method: str = "round",
    rtol: float = 1e-10,
    max_rank: int | None = None,
    n_sweeps: int = 4,
    seed: int = 0,
) -> TensorTrain:
    """``sum_i coefs[i] * trains[i]`` compressed to ``rtol`` / ``max_rank``.

    ``method="round"``: the exact sum (ranks add up) rounded once at the end.
    ``method="fit"``: two-site sweeps fit the result directly: each step projects every term onto
    the current two-site basis through its environments and splits the block by a truncated SVD,
    so the exact sum's rank (the sum of all ranks) is never formed; a few sweeps suffice.
    ``coefs`` default to ones. Complex coefficients need complex trains.
    """
    trains = list(trains)
    if not trains:
        raise ValueError("linear_combination: no trains")
    for i, x in enumerate(trains):
        if not isinstance(x, TensorTrain):
            raise TypeError(f"trains[{i}] must be a TensorTrain, got {type(x).__name__}")
        if x.shape != trains[0].shape:
            raise ValueError(f"trains[{i}] has shape {x.shape}, trains[0] has {trains[0].shape}")
    if coefs is None:
        coefs = [1.0] * len(trains)
    coefs = list(coefs)
    if len(coefs) != len(trains):
        raise ValueError(f"{len(coefs)} coefficients for {len(trains)} trains")
    for i, c in enumerate(coefs):
        if not isinstance(c, numbers.Number) or isinstance(c, bool) or not np.isfinite(c):
            raise ValueError(f"coefs[{i}] must be a finite number, got {c!r}")
    dt = result_dtype(*[x.dtype for x in trains])
    if any(isinstance(c, complex) and c.imag != 0 for c in coefs) and dt.kind != "c":
        raise TypeError("complex coefficients need complex trains (cast them with .astype(complex))")
    if method == "fit":
        return _fit_sum([(c, None, x.astype(dt)) for c, x in zip(coefs, trains)], dt, rtol, max_rank, n_sweeps, seed)
    if method != "round":
        raise ValueError(f"method must be 'round' or 'fit', got {method!r}")
    total = trains[0].astype(dt) * coefs[0]
    for c, x in zip(coefs[1:], trains[1:]):
        total = total + x.astype(dt) * c
    return round(total, rtol=rtol, max_rank=max_rank)


def kron(x, y):
    """Kronecker-style concatenation: ``z[i, j] = x[i] * y[j]`` with ``x.ndim + y.ndim`` modes."""
    if isinstance(x, TTMatrix) and isinstance(y, TTMatrix):
        dt = result_dtype(x.dtype, y.dtype)
        return TTMatrix._wrap(_core.kron(x.astype(dt)._c, y.astype(dt)._c))
    _require_tt(x, "x")
    _require_tt(y, "y")
    dt = result_dtype(x.dtype, y.dtype)
    return TensorTrain._wrap(_core.kron(_cast(x._c, dt), _cast(y._c, dt)))


def orthogonalize(x: TensorTrain, center: int = -1) -> TensorTrain:
    """A copy with cores left of ``center`` left-orthogonal and right of it right-orthogonal."""
    _require_tt(x)
    d = x.ndim
    if not isinstance(center, numbers.Integral):
        raise TypeError("center must be an integer")
    c = center + d if center < 0 else center
    if not 0 <= c < d:
        raise ValueError(f"center must be in [-{d}, {d}), got {center}")
    return TensorTrain._wrap(_core.orthogonalize(x._c, c))


def _ranks_for(shape, ranks) -> list:
    d = len(shape)
    if isinstance(ranks, numbers.Integral):
        if ranks < 1:
            raise ValueError(f"ranks must be >= 1, got {ranks}")
        return list(_core.capped_ranks(list(shape), int(ranks)))
    ranks = [int(r) for r in ranks]
    if len(ranks) == d - 1:
        ranks = [1] + ranks + [1]
    if len(ranks) != d + 1 or ranks[0] != 1 or ranks[-1] != 1 or min(ranks) < 1:
        raise ValueError(f"ranks must be an int, {d - 1} inner ranks, or {d + 1} ranks with ones at the ends; got {ranks}")
    return ranks


def random(shape, ranks, seed: int = 0, dtype=np.float64) -> TensorTrain:
    """A train with Gaussian cores (entries of variance ``1/r_{k-1}``).

    Parameters
    ----------
    shape : sequence of int
    ranks : int or sequence of int
        One maximal rank (capped by the mode sizes), ``d-1`` inner ranks or ``d+1`` ranks.
    seed : int
    dtype : float32, float64 or complex128
    """
    shape = check_shape(shape)
    dt = engine_dtype(dtype)
    r = _ranks_for(shape, ranks)
    return TensorTrain._wrap(getattr(_core, f"random_tt_{suffix(dt)}")(list(shape), r, int(seed) % 2**64))


def random_matrix(row_dims, col_dims, ranks, seed: int = 0, dtype=np.float64) -> TTMatrix:
    """A TT-matrix with Gaussian cores."""
    row_dims = check_shape(row_dims, "row_dims")
    col_dims = check_shape(col_dims, "col_dims")
    if len(row_dims) != len(col_dims):
        raise ValueError("row_dims and col_dims must have the same length")
    comb = [m * n for m, n in zip(row_dims, col_dims)]
    x = random(comb, ranks, seed, dtype)
    return TTMatrix._wrap(_engine_class("TTMatrix", x.dtype)(x._c, list(row_dims), list(col_dims)))


def rank_one(vectors: Sequence) -> TensorTrain:
    """The rank-one train ``v1 ⊗ v2 ⊗ ... ⊗ vd`` from 1-D arrays."""
    if len(vectors) == 0:
        raise ValueError("rank_one needs at least one vector")
    vs = []
    for k, v in enumerate(vectors):
        v = np.asarray(v)
        if v.ndim != 1 or v.size == 0:
            raise ValueError(f"vector {k} must be a non-empty 1-D array, got shape {v.shape}")
        vs.append(v)
    return TensorTrain([v.reshape(1, -1, 1) for v in vs])


def zeros(shape, dtype=np.float64) -> TensorTrain:
    """The zero tensor as a rank-one train."""
    shape = check_shape(shape)
    dt = engine_dtype(dtype)
    return TensorTrain([np.zeros((1, n, 1), dt) for n in shape])


def ones(shape, dtype=np.float64) -> TensorTrain:
    """The all-ones tensor as a rank-one train."""
    shape = check_shape(shape)
    dt = engine_dtype(dtype)
    return TensorTrain([np.ones((1, n, 1), dt) for n in shape])


def eye(shape, dtype=np.float64) -> TTMatrix:
    """The identity as a rank-one TT-matrix with row and column sizes ``shape``."""
    shape = check_shape(shape)
    dt = engine_dtype(dtype)
    return TTMatrix([np.eye(n, dtype=dt).reshape(1, n, n, 1) for n in shape])
