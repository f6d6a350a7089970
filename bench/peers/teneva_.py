"""teneva peer (pure numpy TT library, PyPI `teneva`). Cores are numpy lists already.

teneva has no TT-matrix times TT product, so matvec is not run."""
import numpy as np
import teneva

NAME = "teneva"


def version():
    return getattr(teneva, "__version__", "?")


def _cores(cores):
    return [np.ascontiguousarray(g, dtype=np.float64) for g in cores]


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = np.ascontiguousarray(dense)
    r = 1e12 if max_rank is None else int(max_rank)
    return (lambda: teneva.svd(a, e=rtol, r=r)), (lambda out: [np.asarray(g) for g in out])


def round_sum(x_cores, y_cores, rtol, max_rank):
    x, y = _cores(x_cores), _cores(y_cores)
    r = 1e12 if max_rank is None else int(max_rank)
    return (lambda: teneva.truncate(teneva.add(x, y), e=rtol, r=r)), \
        (lambda out: [np.asarray(g) for g in out])


def dot(x_cores, y_cores):
    x, y = _cores(x_cores), _cores(y_cores)
    return (lambda: teneva.mul_scalar(x, y)), float


def norm(x_cores):
    x = _cores(x_cores)
    return (lambda: teneva.norm(x)), float


def batch_eval(x_cores, idx):
    x = _cores(x_cores)
    i = np.ascontiguousarray(idx, dtype=np.int64)
    return (lambda: teneva.get_many(x, i)), (lambda out: np.asarray(out, dtype=np.float64))
