"""Save and load trains in a portable ``.npz`` layout that numpy alone can read.

Layout (format version 1), one ``.npz`` archive holding:

- ``format``: the string ``"tensortrain"``;
- ``format_version``: the integer 1;
- ``kind``: ``"TensorTrain"`` or ``"TTMatrix"``;
- ``dtype``: ``"float32"``, ``"float64"`` or ``"complex128"``;
- ``shape``: int64 mode sizes ``(d,)`` (for a TT-matrix: ``row_dims`` and ``col_dims`` too);
- ``ranks``: int64 ``(d+1,)``;
- ``core_0`` ... ``core_{d-1}``: the cores, ``(r_{k-1}, n_k, r_k)`` or ``(r_{k-1}, m_k, n_k, r_k)``.

Reading it without tensortrain: ``z = np.load(path); cores = [z[f"core_{k}"] for k in range(len(z["shape"]))]``.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from .tt import TensorTrain, TTMatrix

FORMAT_VERSION = 1


def save(path, x) -> None:
    """Save a :class:`TensorTrain` or :class:`TTMatrix` to ``path`` (``.npz`` is appended by numpy if missing)."""
    if isinstance(x, TensorTrain):
        extra = {}
        kind = "TensorTrain"
        shape = x.shape
    elif isinstance(x, TTMatrix):
        kind = "TTMatrix"
        shape = tuple(m * n for m, n in zip(x.row_dims, x.col_dims))
        extra = {"row_dims": np.array(x.row_dims, np.int64), "col_dims": np.array(x.col_dims, np.int64)}
    else:
        raise TypeError(f"save expects a TensorTrain or TTMatrix, got {type(x).__name__}")
    arrays = {f"core_{k}": np.ascontiguousarray(c) for k, c in enumerate(x.cores)}
    np.savez(
        os.fspath(path),
        format=np.array("tensortrain"),
        format_version=np.array(FORMAT_VERSION, np.int64),
        kind=np.array(kind),
        dtype=np.array(x.dtype.name),
        shape=np.array(shape, np.int64),
        ranks=np.array(x.ranks, np.int64),
        **extra,
        **arrays,
    )


class FormatError(ValueError):
    """A file that is not a valid tensortrain archive (corrupted, truncated or foreign)."""


def load(path):
    """Load a train or TT-matrix saved by :func:`save`; raises :class:`FormatError` on a bad file."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as z:
            files = set(z.files)
            for key in ("format", "format_version", "kind", "dtype", "shape", "ranks"):
                if key not in files:
                    raise FormatError(f"{path}: not a tensortrain file (missing '{key}')")
            if str(z["format"]) != "tensortrain":
                raise FormatError(f"{path}: not a tensortrain file (format={z['format']!s})")
            version = int(z["format_version"])
            if version > FORMAT_VERSION:
                raise FormatError(f"{path}: format version {version} is newer than this tensortrain reads ({FORMAT_VERSION})")
            kind = str(z["kind"])
            dtype = np.dtype(str(z["dtype"]))
            shape = [int(s) for s in z["shape"]]
            ranks = [int(r) for r in z["ranks"]]
            d = len(shape)
            if d < 1 or len(ranks) != d + 1:
                raise FormatError(f"{path}: inconsistent header (shape {shape}, ranks {ranks})")
            cores = []
            for k in range(d):
                name = f"core_{k}"
                if name not in files:
                    raise FormatError(f"{path}: core {k} is missing")
                c = z[name]
                if c.dtype != dtype:
                    raise FormatError(f"{path}: core {k} has dtype {c.dtype}, header says {dtype}")
                cores.append(c)
            if kind == "TensorTrain":
                for k, c in enumerate(cores):
                    if c.shape != (ranks[k], shape[k], ranks[k + 1]):
                        raise FormatError(
                            f"{path}: core {k} has shape {c.shape}, header says {(ranks[k], shape[k], ranks[k + 1])}"
                        )
                return TensorTrain(cores)
            if kind == "TTMatrix":
                rows = [int(s) for s in z["row_dims"]]
                cols = [int(s) for s in z["col_dims"]]
                for k, c in enumerate(cores):
                    if c.shape != (ranks[k], rows[k], cols[k], ranks[k + 1]):
                        raise FormatError(f"{path}: core {k} has shape {c.shape}, which disagrees with the header")
                return TTMatrix(cores)
            raise FormatError(f"{path}: unknown kind {kind!r}")
    except FormatError:
        raise
    except (zipfile.BadZipFile, EOFError, KeyError, OSError, ValueError, TypeError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise FormatError(f"{path}: corrupted or truncated tensortrain file ({type(e).__name__}: {e})") from e
