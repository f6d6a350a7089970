"""tensortrain (this project) adapter, against its Python API:
tt_svd(a, rtol, max_rank) -> TensorTrain; TensorTrain(cores) with .cores;
round(tt, rtol, max_rank); x + y; TTMatrix(cores) @ x; dot(x, y); norm(x); x[idx].
TensorTrain/TTMatrix objects are built before timing; .cores read after."""
import numpy as np
import tensortrain as tt

NAME = "tensortrain"


def version():
    return getattr(tt, "__version__", "?")


def _tt(cores):
    return tt.TensorTrain([np.ascontiguousarray(g, dtype=np.float64) for g in cores])


def _np_cores(out):
    return [np.array(g) for g in out.cores]


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = np.ascontiguousarray(dense, dtype=np.float64)
    return (lambda: tt.tt_svd(a, rtol=rtol, max_rank=max_rank)), _np_cores


def round_sum(x_cores, y_cores, rtol, max_rank):
    x, y = _tt(x_cores), _tt(y_cores)
    return (lambda: tt.round(x + y, rtol=rtol, max_rank=max_rank)), _np_cores


def matvec(a_cores, x_cores):
    a = tt.TTMatrix([np.ascontiguousarray(g, dtype=np.float64) for g in a_cores])
    x = _tt(x_cores)
    return (lambda: a @ x), _np_cores


def dot(x_cores, y_cores):
    x, y = _tt(x_cores), _tt(y_cores)
    return (lambda: tt.dot(x, y)), float


def norm(x_cores):
    x = _tt(x_cores)
    return (lambda: tt.norm(x)), float


def batch_eval(x_cores, idx):
    x = _tt(x_cores)
    i = np.ascontiguousarray(idx, dtype=np.int64)
    return (lambda: x[i]), (lambda out: np.asarray(out, dtype=np.float64))
