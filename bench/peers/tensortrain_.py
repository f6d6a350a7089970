"""tensortrain (this project) adapter, against its Python API:
tt_svd(a, rtol, max_rank) -> TensorTrain; TensorTrain(cores) with .cores;
round(tt, rtol, max_rank); x + y; TTMatrix(cores) @ x; dot(x, y); norm(x); x[idx];
cross(f, shape, rtol, max_rank, method, seed) (W3).
TensorTrain/TTMatrix objects are built before timing; .cores read after.

Cross protocol (W3, all peers): cross(f, shape, rtol, max_rank, seed) gets the black-box
f(idx) -> values of data.W3Function; the adapter wraps it in evalcount.CountingFunction
(reset at the start of every run) and its finish() returns
{"cores": [...], "extra": {unique, total, calls, lib_evals, lib_requests, stop, ...}}."""
import numpy as np
import tensortrain as tt

from evalcount import CountingFunction

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


def _cross(f, shape, rtol, max_rank, seed, method):
    if not hasattr(tt, "cross"):
        raise NotImplementedError("this tensortrain build has no cross")
    cnt = CountingFunction(f, shape)
    shape = [int(v) for v in shape]
    mr = 64 if max_rank is None else int(max_rank)   # 64: tensortrain.cross's default

    def run():
        cnt.reset()
        return tt.cross(cnt, shape, rtol=rtol, max_rank=mr, method=method, seed=int(seed))

    def finish(res):
        return {"cores": _np_cores(res.tt),
                "extra": dict(cnt.stats(), lib_evals=int(res.n_evals),
                              lib_requests=int(res.n_requests), stop=res.stop_reason,
                              converged=bool(res.converged), sweeps=int(res.n_sweeps))}
    return run, finish


def cross(f, shape, rtol, max_rank, seed=0):
    """tensortrain.cross(f, shape, rtol, max_rank, method="amen", seed): the default method;
    other parameters at their defaults (kick=1 for amen, n_sweeps=20, no max_evals)."""
    return _cross(f, shape, rtol, max_rank, seed, "amen")
