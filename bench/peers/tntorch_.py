"""tntorch peer (PyPI `tntorch` 1.1, run in bench/.venvs/torch beside torchtt): W3 cross only.

tntorch.cross(g, domain=[arange(n_k)], function_arg="matrix", eps=rtol, rmax, kickrank=3,
max_iter=25, return_info=True) after torch.manual_seed(seed) and np.random.seed(seed) (its
start cores, initial index sets and validation set are random). The domain is the index
grid 0..n-1 per mode, so g receives (P, d) float64 index values; it passes them (zero
copy) to the counted function, which rounds them. tntorch stops when its own validation
error on 1000 random points (counted as evaluations) is below eps; rmax is max_rank, or
tntorch's default 100 without one. Without the optional compiled `maxvolpy` it uses its
pure-Python maxvol (and prints a hint to stdout, which the harness discards)."""
import os

import numpy as np
import torch
import tntorch

from evalcount import CountingFunction

NAME = "tntorch"
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))


def version():
    try:
        from importlib.metadata import version as v
        ver = v("tntorch")
    except Exception:
        ver = "?"
    try:
        import maxvolpy  # noqa: F401
        mv = "maxvolpy"
    except ImportError:
        mv = "pure-Python maxvol"
    return f"{ver} (torch {torch.__version__}, {mv})"


def cross(f, shape, rtol, max_rank, seed=0):
    cnt = CountingFunction(f, shape)
    dom = [torch.arange(int(n), dtype=torch.float64) for n in shape]
    rmax = 100 if max_rank is None else int(max_rank)

    def g(x):
        return torch.from_numpy(np.asarray(cnt(x.detach().numpy()), dtype=np.float64))

    def run():
        cnt.reset()
        torch.manual_seed(int(seed))
        np.random.seed(int(seed))
        return tntorch.cross(g, domain=dom, function_arg="matrix", eps=rtol, rmax=rmax,
                             kickrank=3, max_iter=25, verbose=False, return_info=True,
                             suppress_warnings=True)

    def finish(out):
        t, info = out
        val = info.get("val_epss") or [float("nan")]
        return {"cores": [c.detach().cpu().numpy().astype(np.float64) for c in t.cores],
                "extra": dict(cnt.stats(), lib_evals=int(info.get("nsamples", -1)),
                              sweeps=len(info.get("val_epss", [])),
                              lib_val_error=float(val[-1]))}
    return run, finish
