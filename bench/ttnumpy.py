"""A small, independent numpy tensor-train toolkit used ONLY to check results.

Nothing here is shared with tensortrain or with any peer adapter: every
accuracy number the benchmark reports is computed by this file (or by plain
dense numpy) from the cores a library returned.

Conventions: a TT is a list of numpy arrays ("cores") of shape (r_{k-1}, n_k, r_k)
with r_0 = r_d = 1; a TT-matrix is a list of cores of shape (r_{k-1}, m_k, n_k, r_k),
the entry A[(i_1..i_d), (j_1..j_d)] = G_1[:, i_1, j_1, :] ... G_d[:, i_d, j_d, :].
The dense tensor of a TT is C-ordered with shape (n_1, ..., n_d).
"""
from __future__ import annotations

import numpy as np


# ----------------------------------------------------------------- validation
def check_tt(cores, shape=None) -> str | None:
    """Return None when `cores` is a well-formed TT (of `shape` if given), else a message."""
    if not isinstance(cores, (list, tuple)) or len(cores) == 0:
        return "result is not a non-empty list of cores"
    prev = 1
    for k, g in enumerate(cores):
        g = np.asarray(g)
        if g.ndim != 3:
            return f"core {k} has ndim {g.ndim}, expected 3"
        if g.shape[0] != prev:
            return f"core {k} left rank {g.shape[0]} != previous right rank {prev}"
        if shape is not None and g.shape[1] != shape[k]:
            return f"core {k} mode size {g.shape[1]} != {shape[k]}"
        if not np.all(np.isfinite(g)):
            return f"core {k} has non-finite entries"
        prev = g.shape[2]
    if prev != 1:
        return f"last right rank is {prev}, expected 1"
    if shape is not None and len(cores) != len(shape):
        return f"{len(cores)} cores for a {len(shape)}-dimensional tensor"
    return None


def ranks(cores):
    return [1] + [int(np.asarray(g).shape[-1]) for g in cores]


def max_rank(cores) -> int:
    return max(ranks(cores))


# ---------------------------------------------------------------- dense / add
def full(cores) -> np.ndarray:
    """Dense C-ordered tensor of a TT (left-to-right matrix products)."""
    shape = [g.shape[1] for g in cores]
    res = np.asarray(cores[0], dtype=np.float64).reshape(shape[0], -1)
    for g in cores[1:]:
        r, n, r2 = g.shape
        res = (res.reshape(-1, r) @ g.reshape(r, n * r2))
    return res.reshape(shape)


def add(x, y, alpha=1.0, beta=1.0):
    """Cores of alpha*x + beta*y (block-diagonal construction, no rounding)."""
    d = len(x)
    if d == 1:
        return [alpha * x[0] + beta * y[0]]
    out = []
    for k in range(d):
        a, b = np.asarray(x[k], dtype=np.float64), np.asarray(y[k], dtype=np.float64)
        ra0, n, ra1 = a.shape
        rb0, _, rb1 = b.shape
        if k == 0:
            out.append(np.concatenate([alpha * a, beta * b], axis=2))
        elif k == d - 1:
            out.append(np.concatenate([a, b], axis=0))
        else:
            c = np.zeros((ra0 + rb0, n, ra1 + rb1))
            c[:ra0, :, :ra1] = a
            c[ra0:, :, ra1:] = b
            out.append(c)
    return out


# ------------------------------------------------------------- inner products
def dot(x, y) -> float:
    """<x, y> by left-to-right contraction of the two trains."""
    v = np.ones((1, 1))
    for a, b in zip(x, y):
        # v[p, q] * a[p, i, s] * b[q, i, t] -> w[s, t]
        t = np.tensordot(v, a, axes=(0, 0))             # (q, i, s)
        v = np.tensordot(t, b, axes=([0, 1], [0, 1]))   # (s, t)
    return float(v[0, 0])


def norm(x) -> float:
    """Frobenius norm by a left-to-right QR sweep (stable: no squared cancellation).

    Carries the triangular factor R of the left part; ||x|| = ||R_d||_F.
    """
    r = np.ones((1, 1))
    for g in x:
        g = np.asarray(g, dtype=np.float64)
        r0, n, r1 = g.shape
        m = (r @ g.reshape(r0, n * r1)).reshape(-1, r1)
        r = np.linalg.qr(m, mode="r")   # works for tall and wide m alike
    return float(np.linalg.norm(r))


def diff_norm(x, y) -> float:
    """||x - y|| computed on the explicit TT of the difference (QR-stable)."""
    return norm(add(x, y, 1.0, -1.0))


# --------------------------------------------------------------- TT-matrices
def matvec(a_cores, x_cores):
    """Exact cores of y = A x (ranks multiply)."""
    out = []
    for a, x in zip(a_cores, x_cores):
        ra0, m, n, ra1 = a.shape
        rx0, _, rx1 = x.shape
        # y[(p,q), i, (s,t)] = sum_j a[p, i, j, s] x[q, j, t]
        y = np.einsum("pijs,qjt->pqist", a, x, optimize=True)
        out.append(y.reshape(ra0 * rx0, m, ra1 * rx1))
    return out


def expectation(a_cores, x_cores) -> float:
    """Rayleigh quotient <x, A x> / <x, x> (real part) by left-to-right environments; the
    cores of x may be complex (conjugated on the bra side)."""
    e, n = np.ones((1, 1, 1)), np.ones((1, 1))
    for a, x in zip(a_cores, x_cores):
        xc = np.conj(x)
        # e[p, w, q] conj(x)[p, i, s] a[w, i, j, v] x[q, j, t] -> [s, v, t], one pair at a time
        # (O(D^3) per step; a four-operand einsum may pick an O(D^4) path)
        t = np.tensordot(e, x, axes=([2], [0]))                    # p w j t
        t = np.tensordot(t, a, axes=([1, 2], [0, 2]))              # p t i v
        e = np.tensordot(xc, t, axes=([0, 1], [0, 2])).transpose(0, 2, 1)  # s v t
        n = np.tensordot(xc, np.tensordot(n, x, axes=([1], [0])), axes=([0, 1], [0, 1]))  # s t
    return float(np.real(e[0, 0, 0]) / np.real(n[0, 0]))


# ------------------------------------------------------------------ entries
def evaluate(cores, idx) -> np.ndarray:
    """Entries of the TT at the rows of the integer array idx (M, d).

    Grouped by index value per mode (n small): M x r times r x r' products.
    """
    idx = np.asarray(idx)
    m = idx.shape[0]
    v = np.ones((m, 1))
    for k, g in enumerate(cores):
        g = np.asarray(g, dtype=np.float64)
        r0, n, r1 = g.shape
        nv = np.empty((m, r1))
        col = idx[:, k]
        for j in range(n):
            sel = col == j
            if sel.any():
                nv[sel] = v[sel] @ g[:, j, :]
        v = nv
    return v[:, 0]


def rel_dense_error(cores, dense) -> float:
    """||full(cores) - dense||_F / ||dense||_F, dense numpy."""
    return float(np.linalg.norm((full(cores) - dense).ravel()) / np.linalg.norm(dense.ravel()))
