"""Spin-chain Hamiltonians as TT-matrices (MPOs), built by :func:`tensortrain.mpo_from_terms`.

Sites are spins 1/2 with local basis (up, down); ``S = sigma / 2``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .sweeps import mpo_from_terms

__all__ = ["heisenberg", "tfim", "spin_operators"]

_SZ = np.array([[0.5, 0.0], [0.0, -0.5]])
_SP = np.array([[0.0, 1.0], [0.0, 0.0]])
_SM = _SP.T.copy()
_X = np.array([[0.0, 1.0], [1.0, 0.0]])
_Z = np.array([[1.0, 0.0], [0.0, -1.0]])


def spin_operators() -> dict:
    """Real spin-1/2 operators: ``Sz``, ``S+``, ``S-`` and Pauli ``X``, ``Z`` (copies)."""
    return {"Sz": _SZ.copy(), "S+": _SP.copy(), "S-": _SM.copy(), "X": _X.copy(), "Z": _Z.copy()}


def _length(L) -> int:
    if isinstance(L, bool) or not isinstance(L, numbers.Integral) or L < 2:
        raise ValueError(f"L must be an integer >= 2, got {L!r}")
    return int(L)


def heisenberg(L: int, J: float = 1.0, Jz: float | None = None, h: float = 0.0):
    """Open spin-1/2 XXZ chain ``H = sum_i J (Sx Sx + Sy Sy) + Jz Sz Sz - h sum_i Sz`` (``Jz = J``
    by default: the Heisenberg chain ``J sum S_i . S_{i+1}``). TT rank 5."""
    L = _length(L)
    Jz = J if Jz is None else Jz
    terms = []
    for i in range(L - 1):
        terms.append((float(Jz), [(i, _SZ), (i + 1, _SZ)]))
        terms.append((0.5 * J, [(i, _SP), (i + 1, _SM)]))
        terms.append((0.5 * J, [(i, _SM), (i + 1, _SP)]))
    if h:
        terms += [(-float(h), [(i, _SZ)]) for i in range(L)]
    return mpo_from_terms(terms, [2] * L)


def tfim(L: int, h: float = 1.0, J: float = 1.0):
    """Open transverse-field Ising chain ``H = -J sum Z_i Z_{i+1} - h sum X_i`` (Pauli matrices).
    TT rank 3. At ``h = J = 1`` the ground energy is ``1 - 1 / sin(pi / (2 (2L + 1)))``."""
    L = _length(L)
    terms = [(-float(J), [(i, _Z), (i + 1, _Z)]) for i in range(L - 1)]
    terms += [(-float(h), [(i, _X)]) for i in range(L)]
    return mpo_from_terms(terms, [2] * L)
