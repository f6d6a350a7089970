"""One library on one sweep-solver case, in the library's own Python (worker of bench/sweeps.py).

    <python> bench/sweep_peers.py LIBRARY CASE_JSON OUT_PREFIX [--repeats 3] [--threads 2]

CASE_JSON is a case of bench/sweeps.py: {"id", "kind": "dmrg" | "amen" | "als", its parameters,
"inputs": the shared .npz}. An adapter ``ADAPTERS[(library, kind)](case)`` loads the inputs into
the library's own objects and returns ``(run, finish, settings)``: ``run()`` is the timed call,
``finish(out)`` turns its output into numpy (``cores`` plus extras), ``settings`` says how the
library was called. 1 warm-up run (DMRG: on a small chain, L = 10) and ``repeats`` timed runs.
Writes OUT_PREFIX.json (version, settings, times, extras of the last run, thread pools) and
OUT_PREFIX.npz (the last run's cores). The accuracy is judged by bench/sweeps.py, not here.
Imports of the libraries happen inside the adapters: each venv has only its own libraries.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback

import numpy as np

from peer_worker import _timed  # noqa: E402  (bench/ is on sys.path: this script's folder)


def _load(case):
    with np.load(case["inputs"]) as z:
        return {k: z[k] for k in z.files}


def _cores(z, name):
    """The cores name0, name1, ... of an input .npz."""
    out, k = [], 0
    while f"{name}{k}" in z:
        out.append(np.ascontiguousarray(z[f"{name}{k}"], dtype=np.float64))
        k += 1
    return out


def _dmrg_trace(trace, t0):
    return [(float(t - t0), float(np.real(e))) for t, e in trace]


# ------------------------------------------------------------------ DMRG: Heisenberg chain
def tensortrain_dmrg(case):
    import tensortrain as tt
    L, D = case["L"], case["D"]
    H = tt.models.heisenberg(L)
    kw = dict(max_rank=D, rtol=1e-10, n_sweeps=10, tol=1e-9)

    def run():
        trace, t0 = [], time.perf_counter()
        r = tt.eigsh(H, callback=lambda i: trace.append((time.perf_counter(), i["energy"])), **kw)
        return r, _dmrg_trace(trace, t0)

    def finish(out):
        r, trace = out
        return {"cores": [np.array(g) for g in r.state.cores], "energy": r.energy,
                "half_sweeps": r.n_sweeps, "trace": trace, "stop": r.stop_reason}

    return run, finish, ("eigsh(models.heisenberg(L), " + ", ".join(f"{k}={v}" for k, v in kw.items())
                         + "), random rank-4 start (seed 0)")


def quimb_dmrg(case):
    import quimb
    import quimb.tensor as qtn
    L, D = case["L"], case["D"]
    H = qtn.MPO_ham_heis(L, cyclic=False)
    bond_dims = [b for b in (8, 16, 32, 64) if b < D] + [D]
    tol, cutoff, max_sweeps = 1e-7, 1e-10, 40

    def run():
        quimb.seed_rand(0)
        t0 = time.perf_counter()
        d = qtn.DMRG2(H, bond_dims=bond_dims, cutoffs=cutoff)
        trace, done = [], False
        while not done and len(trace) < max_sweeps:  # = solve(tol, max_sweeps), one sweep a call
            done = d.solve(tol=tol, max_sweeps=1)
            trace.append((time.perf_counter(), d.energy))
        return d, _dmrg_trace(trace, t0), done

    def finish(out):
        d, trace, done = out
        psi = d.state
        cores = []
        for i in range(L):
            inds = ([psi.bond(i - 1, i)] if i > 0 else []) + [psi.site_ind(i)] \
                + ([psi.bond(i, i + 1)] if i < L - 1 else [])
            a = np.asarray(psi[i].transpose(*inds).data)
            cores.append(a.reshape((1,) * (i == 0) + a.shape + (1,) * (i == L - 1)))
        return {"cores": cores, "energy": float(np.real(d.energy)), "half_sweeps": len(d.energies),
                "trace": trace, "stop": "converged" if done else "max_sweeps"}

    return run, finish, (f"DMRG2(MPO_ham_heis(L), bond_dims={bond_dims}, cutoffs={cutoff}).solve("
                         f"tol={tol}) (absolute energy change per sweep; one sweep = one direction, "
                         f"at most {max_sweeps}), random start of bond dimension {bond_dims[0]} (seed 0)")


def _tenpy_dmrg(case, conserve):
    from tenpy.algorithms import dmrg
    from tenpy.models.spins import SpinChain
    from tenpy.networks.mps import MPS
    L, D = case["L"], case["D"]
    M = SpinChain({"L": L, "S": 0.5, "Jx": 1.0, "Jy": 1.0, "Jz": 1.0, "bc_MPS": "finite",
                   "conserve": conserve})
    sites = M.lat.mps_sites()
    opts = {"trunc_params": {"chi_max": D, "svd_min": 1e-10}, "mixer": True, "max_E_err": 1e-9,
            "max_sweeps": 20}

    def run():
        t0, wall0 = time.perf_counter(), time.time()
        psi = MPS.from_product_state(sites, ["up", "down"] * (L // 2) + ["up"] * (L % 2), bc="finite")
        eng = dmrg.TwoSiteDMRGEngine(psi, M, json.loads(json.dumps(opts)))
        eng.run()
        st = eng.sweep_stats
        offset = eng.time0 - wall0      # sweep_stats["time"] counts from engine.time0 (time.time)
        trace = [(t0 + offset + t, e) for t, e in zip(st["time"], st["E"])]
        return eng, _dmrg_trace(trace, t0)

    def finish(out):
        eng, trace = out
        psi, cores = eng.psi, []
        for i in range(L):
            b = psi.get_B(i, "B").itranspose(["vL", "p", "vR"]).to_ndarray()  # (S_0 = 1)
            lab = sites[i].state_labels       # tenpy's basis (down, up); ours (up, down)
            cores.append(b[:, [lab["up"], lab["down"]], :])
        return {"cores": cores, "energy": float(eng.sweep_stats["E"][-1]),
                "half_sweeps": 2 * eng.sweeps, "trace": trace,
                "stop": "converged" if eng.is_converged() else "max_sweeps"}

    return run, finish, (f"TwoSiteDMRGEngine(SpinChain(S=0.5, conserve={conserve!r}), "
                         f"{json.dumps(opts)}) (max_E_err: |dE / E| per sweep; one sweep = both "
                         f"directions), Neel product start")


def tenpy_dmrg(case):
    return _tenpy_dmrg(case, "Sz")


def tenpy_nosym_dmrg(case):
    return _tenpy_dmrg(case, None)


# ------------------------------------------------------------------ AMEn: A x = b
def tensortrain_amen(case):
    import tensortrain as tt
    z = _load(case)
    A, b = tt.TTMatrix(_cores(z, "A")), tt.TensorTrain(_cores(z, "b"))
    rtol = case["rtol"]

    def finish(r):
        return {"cores": [np.array(g) for g in r.x.cores], "sweeps": r.n_sweeps, "stop": r.stop_reason}

    return (lambda: tt.solve(A, b, rtol=rtol, n_sweeps=20)), finish, \
        f"solve(A, b, rtol={rtol}, n_sweeps=20) (defaults: max_rank 64, residual_rank 4, start x0 = b)"


def _ttpy():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, val in (("float", float), ("int", int), ("complex", complex), ("bool", bool)):
            if name not in np.__dict__:
                setattr(np, name, val)   # aliases removed in numpy 1.24 that ttpy still uses
        import tt
        import tt.amen
    return tt


def ttpy_amen(case):
    tt = _ttpy()
    z = _load(case)
    A, b = tt.matrix.from_list(_cores(z, "A")), tt.vector.from_list(_cores(z, "b"))
    rtol = case["rtol"]
    finish = lambda x: {"cores": [np.array(g) for g in tt.vector.to_list(x)]}
    return (lambda: tt.amen.amen_solve(A, b, b.copy(), rtol, nswp=20, verb=0)), finish, \
        f"tt.amen.amen_solve(A, b, x0=b, eps={rtol}, nswp=20) (defaults: kickrank 4, local_iters 2)"


def torchtt_amen(case):
    import torch
    import torchtt
    from torchtt.solvers import amen_solve
    z = _load(case)
    A = torchtt.TT([torch.from_numpy(g) for g in _cores(z, "A")])
    b = torchtt.TT([torch.from_numpy(g) for g in _cores(z, "b")])
    rtol = case["rtol"]
    finish = lambda x: {"cores": [c.detach().cpu().numpy() for c in x.cores]}
    return (lambda: amen_solve(A, b, eps=rtol, nswp=22)), finish, \
        f"torchtt.solvers.amen_solve(A, b, eps={rtol}, nswp=22) (defaults: x0 = ones = b, kickrank 4, " \
        f"C++ {'on' if torchtt.cpp_enabled() else 'OFF'})"


# ------------------------------------------------------------------ ALS fit from samples
def tensortrain_als(case):
    import tensortrain as tt
    if not hasattr(tt, "als_fit"):
        raise NotImplementedError("tt.als_fit not available in this build")
    z = _load(case)
    I, y, shape, r = z["I_train"], z["y_train"], [int(n) for n in z["shape"]], case["rank"]
    nswp = case["sweeps"]

    def finish(res):
        return {"cores": [np.array(g) for g in res.tt.cores], "sweeps": res.n_sweeps,
                "stop": res.stop_reason}

    return (lambda: tt.als_fit(I, y, shape, r, n_sweeps=nswp)), finish, \
        f"als_fit(I, y, shape, rank={r}, n_sweeps={nswp}) (defaults otherwise)"


def teneva_als(case):
    import teneva
    z = _load(case)
    I, y, shape, r = z["I_train"], z["y_train"], [int(n) for n in z["shape"]], case["rank"]
    nswp = case["sweeps"]

    def run():
        info = {}
        Y = teneva.als(I, y, teneva.rand(shape, r, a=0.0, b=1.0, seed=0), nswp=nswp, info=info)
        return Y, info

    finish = lambda out: {"cores": [np.asarray(g) for g in out[0]], "sweeps": out[1].get("nswp"),
                          "stop": out[1].get("stop", "")}
    return run, finish, (f"teneva.als(I, y, teneva.rand(shape, {r}, a=0, b=1, seed=0), nswp={nswp}) "
                         "(defaults: lamb 1e-3, e 1e-16: all sweeps run)")


ADAPTERS = {
    ("tensortrain", "dmrg"): tensortrain_dmrg,
    ("quimb", "dmrg"): quimb_dmrg,
    ("tenpy", "dmrg"): tenpy_dmrg,
    ("tenpy-nosym", "dmrg"): tenpy_nosym_dmrg,
    ("tensortrain", "amen"): tensortrain_amen,
    ("ttpy", "amen"): ttpy_amen,
    ("torchtt", "amen"): torchtt_amen,
    ("tensortrain", "als"): tensortrain_als,
    ("teneva", "als"): teneva_als,
}

# library: (PyPI distribution, module)
PACKAGES = {"tensortrain": ("tensortrain", "tensortrain"), "quimb": ("quimb", "quimb"),
            "tenpy": ("physics-tenpy", "tenpy"), "tenpy-nosym": ("physics-tenpy", "tenpy"),
            "ttpy": ("ttpy", "tt"), "torchtt": ("torchtt", "torchtt"), "teneva": ("teneva", "teneva")}


def version(library):
    from importlib.metadata import PackageNotFoundError, version as v
    dist, module = PACKAGES[library]
    try:
        return v(dist)
    except PackageNotFoundError:   # e.g. tensortrain from PYTHONPATH=python
        return getattr(sys.modules.get(module), "__version__", "?")


def measure(library, case, repeats):
    """Warm-up, then `repeats` timed runs; returns (record, cores of the last run)."""
    make = ADAPTERS[(library, case["kind"])]
    if case["kind"] == "dmrg":
        warm, *_ = make(dict(case, L=10, D=16))
        warm()
    run, finish, settings = make(case)
    if case["kind"] != "dmrg":
        run()
    times, out = [], None
    for _ in range(repeats):
        out, t = _timed(run)
        times.append(t)
    res = finish(out)
    return {"status": "ok", "settings": settings, "times": times,
            "extra": {k: v for k, v in res.items() if k != "cores"}}, res["cores"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", choices=sorted({lib for lib, _ in ADAPTERS}))
    ap.add_argument("case", help="the case as JSON")
    ap.add_argument("out", help="output prefix (.json and .npz are added)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = str(a.threads)
    case = json.loads(a.case)
    cores = []
    try:
        if a.library == "torchtt":
            import torch
            torch.set_num_threads(a.threads)
        elif a.library == "tensortrain":
            import tensortrain
            tensortrain.set_num_threads(a.threads)
        rec, cores = measure(a.library, case, a.repeats)
    except NotImplementedError as e:
        rec = {"status": "not available", "error": str(e)}
    except Exception as e:  # a failure is a result, not a crash of the driver
        rec = {"status": "error", "error": f"{type(e).__name__}: {e}",
               "traceback": traceback.format_exc(limit=6)}
    rec.update(library=a.library, version=version(a.library), python=sys.version.split()[0],
               numpy=np.__version__)
    try:
        from threadpoolctl import threadpool_info
        rec["threadpools"] = [f"{p.get('internal_api')} {p.get('version')} x{p.get('num_threads')}"
                              for p in threadpool_info()]
    except ImportError:
        pass
    np.savez(a.out + ".npz", **{f"x{k}": g for k, g in enumerate(cores)})
    with open(a.out + ".json", "w") as f:
        json.dump(rec, f, indent=1)


if __name__ == "__main__":
    main()
