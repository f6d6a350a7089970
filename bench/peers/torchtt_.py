"""torchtt peer (PyPI `torchtt` built with its C++ extension against torch 2.13.0 CPU),
run in bench/.venvs/torch. Inputs become torch float64 tensors (zero-copy
torch.from_numpy where possible) before timing; outputs go back to numpy after.

W3 cross: torchtt.interpolate.dmrg_cross(g, shape, eps=rtol, nswp=10, kick=2, rmax) after
torch.manual_seed(seed) (its start and rank kicks are random); g turns the int64 index
tensor into numpy (zero copy) for the counted function and the values back to torch.
dmrg_cross pads every rank by `kick` after the truncation, so rmax = max_rank - kick keeps
the result within max_rank (no cap without max_rank)."""
import os
import sys

import numpy as np
import torch
import torchtt

from evalcount import CountingFunction  # noqa: E402

NAME = "torchtt"
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))


def version():
    cpp = "C++ extension" if torchtt.cpp_enabled() else "pure Python (no C++ extension)"
    try:
        from importlib.metadata import version as v
        ver = v("torchtt")
    except Exception:
        ver = "?"
    return f"{ver} (torch {torch.__version__}, {cpp})"


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))


def _tt(cores):
    return torchtt.TT([_t(g) for g in cores])


def _np_cores(out):
    return [c.detach().cpu().numpy() for c in out.cores]


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = _t(dense)
    rmax = sys.maxsize if max_rank is None else int(max_rank)
    return (lambda: torchtt.TT(a, eps=rtol, rmax=rmax)), _np_cores


def round_sum(x_cores, y_cores, rtol, max_rank):
    x, y = _tt(x_cores), _tt(y_cores)
    rmax = sys.maxsize if max_rank is None else int(max_rank)
    return (lambda: (x + y).round(eps=rtol, rmax=rmax)), _np_cores


def matvec(a_cores, x_cores):
    a, x = _tt(a_cores), _tt(x_cores)   # 4-d cores -> TT-matrix
    return (lambda: a @ x), _np_cores


def dot(x_cores, y_cores):
    x, y = _tt(x_cores), _tt(y_cores)
    return (lambda: torchtt.dot(x, y)), (lambda out: float(out))


def norm(x_cores):
    x = _tt(x_cores)
    return (lambda: x.norm()), (lambda out: float(out))


def batch_eval(x_cores, idx):
    x = _tt(x_cores)
    i = torch.from_numpy(np.ascontiguousarray(idx, dtype=np.int64))
    return (lambda: x.apply_mask(i)), (lambda out: out.detach().cpu().numpy())


def cross(f, shape, rtol, max_rank, seed=0):
    from torchtt.interpolate import dmrg_cross
    cnt = CountingFunction(f, shape)
    kick = 2
    rmax = sys.maxsize if max_rank is None else max(1, int(max_rank) - kick)
    n = [int(v) for v in shape]

    def g(idx):
        return torch.from_numpy(np.asarray(cnt(idx.numpy()), dtype=np.float64))

    def run():
        cnt.reset()
        torch.manual_seed(int(seed))
        return dmrg_cross(g, n, eps=rtol, nswp=10, kick=kick, rmax=rmax)

    def finish(out):
        return {"cores": _np_cores(out), "extra": dict(cnt.stats())}
    return run, finish
