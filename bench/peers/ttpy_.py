"""ttpy peer (PyPI `ttpy` 1.2.1, the Fortran TT-Toolbox), run in bench/.venvs/ttpy
(numpy 1.25, built from the sdist by setup_peers.sh).

ttpy still uses the aliases np.float/np.int/np.complex/np.bool removed in numpy 1.24;
they are restored below (to the builtins they always meant) before `import tt`.

ttpy stores the dense tensor in Fortran (column-major) order. For TT-SVD it gets the
index-reversed view of our C-ordered tensor, which is its native layout (so its
internal flatten('F') is a plain copy, not a transpose); the resulting cores are
reversed and transposed back outside the timed region. The singular values of the
unfoldings are the same set, so ranks and errors are comparable.
Matrix-vector product: tt.matvec (A * x does not compute a product). No batch
evaluation of many entries in ttpy's API, so batch_eval is not run.

W3 cross: tt.cross.rectcross.rect_cross.cross(f, x0, nswp=20, eps=rtol, kickrank=2, rf=2)
(the plain black-box TT-cross with rectangular maxvol; needs scipy) from a random rank-1
start x0 = tt.rand(shape, d, 1) after np.random.seed(seed) (built before timing), then
y.round(rtol/10, max_rank) inside the timed call. rect_cross has no rank cap: with
max_rank a stop_fun ends the sweeps when a rank reaches it (or on its usual criterion
||x1 - x0|| < eps ||x1||), and the rounding caps the result. Cores and modes are in our
order (no dense tensor involved, so no reversal)."""
import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")   # numpy 1.25 warns on the hasattr of a removed alias
    for _name, _val in (("float", float), ("int", int), ("complex", complex), ("bool", bool)):
        if _name not in np.__dict__:
            setattr(np, _name, _val)
    warnings.simplefilter("ignore", SyntaxWarning)  # ttpy's `is 1` comparisons
    import tt  # noqa: E402

from evalcount import CountingFunction  # noqa: E402

NAME = "ttpy"
CROSS_NSWP = 20


def version():
    try:
        from importlib.metadata import version as v
        return v("ttpy")
    except Exception:
        return "?"


def _vec(cores):
    return tt.vector.from_list([np.asarray(g, dtype=np.float64) for g in cores])


def _np_cores(out):
    return [np.array(g) for g in tt.vector.to_list(out)]


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = np.ascontiguousarray(dense)
    rev = a.transpose(tuple(range(a.ndim - 1, -1, -1)))  # F-contiguous view, no copy
    if max_rank is None:
        run = lambda: tt.vector(rev, eps=rtol)
    else:
        run = lambda: tt.vector(rev, eps=rtol, rmax=int(max_rank))

    def finish(out):
        cores = _np_cores(out)
        return [np.ascontiguousarray(g.transpose(2, 1, 0)) for g in reversed(cores)]
    return run, finish


def round_sum(x_cores, y_cores, rtol, max_rank):
    x, y = _vec(x_cores), _vec(y_cores)
    rmax = 1000000 if max_rank is None else int(max_rank)
    return (lambda: (x + y).round(rtol, rmax)), _np_cores


def matvec(a_cores, x_cores):
    a = tt.matrix.from_list([np.asarray(g, dtype=np.float64) for g in a_cores])
    x = _vec(x_cores)
    return (lambda: tt.matvec(a, x)), _np_cores


def dot(x_cores, y_cores):
    x, y = _vec(x_cores), _vec(y_cores)
    return (lambda: tt.dot(x, y)), float


def norm(x_cores):
    x = _vec(x_cores)
    return (lambda: x.norm()), float


def cross(f, shape, rtol, max_rank, seed=0):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from tt.cross.rectcross import rect_cross
    except ImportError as e:   # scipy missing in the venv
        raise NotImplementedError(f"tt.cross unavailable: {e}")
    cnt = CountingFunction(f, shape)
    d = len(shape)
    np.random.seed(int(seed))
    x0 = tt.rand(np.array(shape, dtype=np.int32), d, 1)
    rmax = 1000000 if max_rank is None else int(max_rank)
    stop_fun = None
    if max_rank is not None:
        def stop_fun(xold, x1):
            return (x1 - xold).norm() < rtol * x1.norm() or max(x1.r) >= rmax

    def run():
        cnt.reset()
        y = rect_cross.cross(cnt, x0, nswp=CROSS_NSWP, eps=rtol, kickrank=2, rf=2.0,
                             verbose=False, stop_fun=stop_fun)
        return y.round(rtol / 10, rmax)

    def finish(y):
        return {"cores": _np_cores(y), "extra": dict(cnt.stats())}
    return run, finish
