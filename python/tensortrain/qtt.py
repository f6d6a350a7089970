"""Operators in the quantized TT (QTT) format: a vector of length 2^b is a b-way 2 x ... x 2
tensor, most significant bit first (site 0), so ``x[i]`` is the train's entry at the bits of ``i``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .tt import TTMatrix, eye

__all__ = ["shift", "laplacian", "identity"]

_I = np.eye(2)
_J = np.array([[0.0, 1.0], [0.0, 0.0]])  # bit j = 1 -> i = 0
_JT = _J.T.copy()                          # bit j = 0 -> i = 1


def _bits(n_bits) -> int:
    if isinstance(n_bits, bool) or not isinstance(n_bits, numbers.Integral) or n_bits < 1:
        raise ValueError(f"n_bits must be an integer >= 1, got {n_bits!r}")
    if n_bits > 62:
        raise ValueError(f"n_bits must be <= 62 (2^n_bits indices), got {n_bits}")
    return int(n_bits)


def identity(n_bits: int, ndim: int = 1) -> TTMatrix:
    """The identity on (2^n_bits)^ndim points as a rank-one QTT matrix."""
    return eye([2] * (_bits(n_bits) * _ndim(ndim)))


def _ndim(ndim) -> int:
    if isinstance(ndim, bool) or not isinstance(ndim, numbers.Integral) or ndim < 1:
        raise ValueError(f"ndim must be an integer >= 1, got {ndim!r}")
    return int(ndim)


def shift(n_bits: int) -> TTMatrix:
    """The down-shift ``S`` of size 2^n_bits (``(S x)[i] = x[i - 1]``, ``x[-1] = 0``): QTT rank 2.

    Adding one to the column index is a carry that runs from the last bit to the first; the
    bond between two sites carries it.
    """
    b = _bits(n_bits)
    if b == 1:
        return TTMatrix([_JT.reshape(1, 2, 2, 1)])
    mid = np.zeros((2, 2, 2, 2))  # (carry out, i, j, carry in)
    mid[0, :, :, 0] = _I
    mid[0, :, :, 1] = _JT
    mid[1, :, :, 1] = _J
    first = mid[:1]                          # no carry may leave the first bit
    last = np.stack([_JT, _J])[..., None]    # the +1 enters at the last bit
    return TTMatrix([first] + [mid] * (b - 2) + [last])


def laplacian(n_bits: int, ndim: int = 1) -> TTMatrix:
    """The Dirichlet finite-difference Laplacian ``tridiag(-1, 2, -1)`` of size 2^n_bits (no
    1/h^2 factor), and for ``ndim > 1`` its Kronecker sum on the (2^n_bits)^ndim grid, the
    dimensions one after another (each with n_bits sites). QTT ranks <= 3 in 1D, <= 4 in
    more dimensions.
    """
    b, nd = _bits(n_bits), _ndim(ndim)
    S = shift(b)
    L1 = (identity(b) * 2.0 - S - S.T).round(rtol=1e-14)
    if nd == 1:
        return L1
    from .tt import kron

    I1 = identity(b)
    total = None
    for k in range(nd):
        term = None
        for q in range(nd):
            f = L1 if q == k else I1
            term = f if term is None else kron(term, f)
        total = term if total is None else (total + term).round(rtol=1e-14)
    return total
