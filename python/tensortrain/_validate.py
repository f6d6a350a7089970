"""Argument checking shared by the public API: dtypes, tolerances, ranks."""

from __future__ import annotations

import numbers
import sys

import numpy as np

#: dtypes the engine computes in; others are promoted (integers, bool -> float64; complex64 -> complex128)
SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex128))
_MAX_RANK = 2**62


def engine_dtype(dtype) -> np.dtype:
    """The engine dtype an input of `dtype` is computed in."""
    dt = np.dtype(dtype)
    if dt in SUPPORTED_DTYPES:
        return dt
    if dt.kind in "biu":
        return np.dtype(np.float64)
    if dt == np.float16:
        return np.dtype(np.float32)
    if dt.kind == "f":
        return np.dtype(np.float64)
    if dt.kind == "c":
        return np.dtype(np.complex128)
    raise TypeError(f"unsupported dtype {dt}: use float32, float64 or complex128")


def result_dtype(*dtypes) -> np.dtype:
    """Promotion for binary operations: float32+float64 -> float64, real+complex -> complex128."""
    return engine_dtype(np.result_type(*dtypes))


def suffix(dtype) -> str:
    return {"float32": "float32", "float64": "float64", "complex128": "complex128"}[np.dtype(dtype).name]


def check_rtol(rtol) -> float:
    if isinstance(rtol, bool) or not isinstance(rtol, numbers.Real):
        raise TypeError(f"rtol must be a real number, got {type(rtol).__name__}")
    rtol = float(rtol)
    if not np.isfinite(rtol) or rtol < 0:
        raise ValueError(f"rtol must be a finite number >= 0, got {rtol}")
    return rtol


def check_max_rank(max_rank) -> int:
    if max_rank is None:
        return _MAX_RANK
    if isinstance(max_rank, bool) or not isinstance(max_rank, numbers.Integral):
        raise TypeError(f"max_rank must be an integer or None, got {type(max_rank).__name__}")
    if max_rank < 1:
        raise ValueError(f"max_rank must be >= 1, got {max_rank}")
    return int(min(max_rank, _MAX_RANK))


def as_array(a, what: str) -> np.ndarray:
    """A numpy array of an engine dtype; refuses NaN/Inf and object arrays."""
    arr = np.asarray(a)
    if arr.dtype == object:
        raise TypeError(f"{what}: cannot use an object array")
    dt = engine_dtype(arr.dtype)
    if arr.dtype != dt:
        arr = arr.astype(dt)
    if arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{what} contains NaN or Inf")
    return arr


def check_int(name: str, v, lo: int) -> int:
    """An integer (not bool) >= lo."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if v < lo:
        raise ValueError(f"{name} must be >= {lo}, got {v}")
    return int(v)


def check_shape(shape, what: str = "shape") -> tuple:
    try:
        shape = tuple(int(n) for n in shape)
    except TypeError:
        shape = (int(shape),)
    if len(shape) == 0:
        raise ValueError(f"{what} must have at least one mode")
    if any(n < 1 for n in shape):
        raise ValueError(f"every mode size must be >= 1, got {what} {shape}")
    return shape


def with_progress(callback, verbose: bool, line):
    """The callback an engine loop gets: with ``verbose``, ``line(info)`` goes to stderr first."""
    if not verbose:
        return callback

    def cb(info):
        print(line(info), file=sys.stderr, flush=True)
        return callback(info) if callback is not None else False

    return cb
