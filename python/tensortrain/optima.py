"""Largest entries of a tensor train, and its maximum and minimum, without forming it.

Beam search over prefixes (in the spirit of Chertkov, Ryzhakov, Novikov and Oseledets,
"Optimization of functions given in the tensor train format", 2022): with the train right-
orthogonal from mode k+1 on, the norm of the row vector of a prefix (i1..ik) equals the norm
of the whole sub-tensor with that prefix fixed, so the search keeps the `beam` prefixes whose
sub-tensors are heaviest. Exact for beam >= the number of distinct prefixes; approximate, and
usually exact, for smaller beams.
"""

from __future__ import annotations

import numbers

import numpy as np

from .tt import TensorTrain

__all__ = ["top_k", "argmax", "argmin"]


def top_k(x: TensorTrain, k: int = 1, beam: int | None = None):
    """The ``k`` entries of largest modulus found by beam search, and their multi-indices.

    Returns ``(indices, values)``: an ``(k, d)`` int64 array and the ``k`` values, largest
    modulus first. ``beam`` (default ``max(64, 4k)``) is how many prefixes are kept per mode;
    the cost is ``O(d * beam * n * r^2)``.
    """
    if not isinstance(x, TensorTrain):
        raise TypeError(f"top_k needs a TensorTrain, got {type(x).__name__}")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    beam = max(64, 4 * k) if beam is None else beam
    if isinstance(beam, bool) or not isinstance(beam, numbers.Integral) or beam < k:
        raise ValueError(f"beam must be an integer >= k, got {beam!r}")
    y = x.orthogonalize(0)  # cores 1.. right-orthogonal
    cores = y.cores
    d = len(cores)
    pref = np.zeros((1, 0), dtype=np.int64)
    vec = np.ones((1, 1), dtype=y.dtype)  # row vectors of the prefixes (m x r)
    for j, G in enumerate(cores):
        n = G.shape[1]
        nv = np.einsum("ma,aib->mib", vec, G)  # (m, n, r1)
        score = np.linalg.norm(nv, axis=2).reshape(-1)  # sub-tensor norms (exact values at the end)
        keep = min(beam if j + 1 < d else k, score.size)
        sel = np.argpartition(-score, keep - 1)[:keep] if keep < score.size else np.arange(score.size)
        rows, cols = np.divmod(sel, n)
        pref = np.concatenate([pref[rows], cols[:, None]], axis=1)
        vec = nv[rows, cols, :]
    vals = vec[:, 0]
    order = np.argsort(-np.abs(vals), kind="stable")
    return pref[order], vals[order]


def _shifted_extreme(x: TensorTrain, sign: float, beam):
    if x.dtype.kind == "c":
        raise TypeError("argmax/argmin need a real train")
    idx, vals = top_k(x, 1, beam)
    c = float(abs(vals[0]))
    if c == 0.0:
        return tuple(int(i) for i in idx[0]), 0.0
    from .tt import ones

    # x + c >= 0 (c bounds |x| when the search found the largest modulus), so the largest entry of
    # sign*x + c is the largest-modulus entry of that non-negative train.
    z = (sign * x) + c * ones(x.shape, dtype=x.dtype)
    j, _ = top_k(z, 1, beam)
    best = tuple(int(i) for i in j[0])
    return best, float(x[best])


def argmax(x: TensorTrain, beam: int | None = None):
    """(multi-index, value) of the largest entry of a real train, by beam search."""
    return _shifted_extreme(x, 1.0, beam)


def argmin(x: TensorTrain, beam: int | None = None):
    """(multi-index, value) of the smallest entry of a real train, by beam search."""
    return _shifted_extreme(x, -1.0, beam)
