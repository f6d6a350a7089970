"""teneva peer (pure numpy TT library, PyPI `teneva`). Cores are numpy lists already.

teneva has no TT-matrix times TT product, so matvec is not run.

W3 cross: teneva.cross(f, Y0, m, e=rtol, nswp, dr_min=1, dr_max=2, cb) from a random
rank-1 start Y0 = teneva.rand(shape, 1, seed) (built before timing), then
teneva.truncate(Y, e=rtol/10, r=max_rank) inside the timed call, as teneva's docstring
advises (its cross overestimates ranks). teneva.cross has no rank cap: with max_rank the
callback stops the sweeps once a rank reaches it, and the truncation caps the result.
teneva hands f float arrays of integral values (the W3 functions round them)."""
import numpy as np
import teneva

from evalcount import CountingFunction

CROSS_NSWP = 50          # sweeps at most (the stop is normally e = rtol)
CROSS_BUDGET = 10 ** 7   # m: calls of f at most (a bound on the run, never reached here)

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


def cross(f, shape, rtol, max_rank, seed=0):
    cnt = CountingFunction(f, shape)
    y0 = teneva.rand([int(v) for v in shape], 1, seed=int(seed))
    rcap = 1e12 if max_rank is None else int(max_rank)
    info = {}
    cb = None
    if max_rank is not None:
        def cb(Y, info, opts):
            return max(g.shape[2] for g in Y) >= rcap

    def run():
        cnt.reset()
        info.clear()
        y = teneva.cross(cnt, y0, m=CROSS_BUDGET, e=rtol, nswp=CROSS_NSWP, dr_min=1, dr_max=2,
                         info=info, cb=cb)
        return teneva.truncate(y, e=rtol / 10, r=rcap)

    def finish(y):
        return {"cores": [np.asarray(g) for g in y],
                "extra": dict(cnt.stats(), lib_evals=int(info.get("m", -1)),
                              stop=str(info.get("stop")), sweeps=int(info.get("nswp", -1)))}
    return run, finish
