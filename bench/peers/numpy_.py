"""numpy peer: a plain-numpy TT-SVD (np.linalg.svd of successive reshapes), the dense
baseline, and np.sum of the input as the "one read pass" lower bound.

Adapter protocol (all peers): an operation function takes the numpy inputs and the
parameters, does every conversion to the library's own format up front, and returns
(run, finish): `run()` is the timed call (the operation only), `finish(out)` converts
its output back to numpy (cores (r0, n, r1), or a number / an array) outside the
timed region.
"""
import numpy as np

NAME = "numpy"


def version():
    return np.__version__


def ttsvd_reference(a, rtol=1e-8, max_rank=None):
    """TT-SVD: left-to-right SVDs of the unfoldings, truncation with the
    per-step threshold rtol * ||a|| / sqrt(d - 1), ranks capped at max_rank."""
    shape = a.shape
    d = len(shape)
    nrm = np.linalg.norm(a.reshape(-1))
    delta = rtol * nrm / np.sqrt(max(d - 1, 1))
    cores = []
    c = a.reshape(shape[0], -1)
    r = 1
    for k in range(d - 1):
        c = c.reshape(r * shape[k], -1)
        u, s, vt = np.linalg.svd(c, full_matrices=False)
        # tail[j] = sqrt(sum_{i >= j} s_i^2); keep the smallest rank with tail <= delta
        tail = np.sqrt(np.cumsum((s * s)[::-1])[::-1])
        keep = int(np.count_nonzero(tail > delta))
        keep = max(keep, 1)
        if max_rank is not None:
            keep = min(keep, int(max_rank))
        cores.append(u[:, :keep].reshape(r, shape[k], keep))
        c = s[:keep, None] * vt[:keep]
        r = keep
    cores.append(c.reshape(r, shape[-1], 1))
    return cores


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = np.ascontiguousarray(dense)
    return (lambda: ttsvd_reference(a, rtol, max_rank)), (lambda out: out)


def read_pass(dense):
    a = np.ascontiguousarray(dense)
    return (lambda: np.sum(a)), (lambda out: float(out))
