"""Shared benchmark inputs, generated once with fixed seeds and saved to bench/.data/*.npz.

Every peer (in this process or in another virtual environment) reads the same files.
Run `python bench/data.py [--quick] [--force]` to (re)generate them; bench/run.py does
it on demand. Only plain numpy (>= 1.17) is used so that older peer environments can
import this module to load the data.

Contents
  W1 (w1.npz):  f_<n>x<d>  A = 1/(1 + x_1 + ... + x_d) on the grid linspace(0, 1, n)^d
                randtt     dense tensor of a random TT (Gaussian cores) + 1e-10 relative noise
                ranks__<key>__<rtol>  TT-SVD ranks of the numpy reference at that rtol
                (used only by peers that take ranks instead of a tolerance: tensorly)
  W2 (w2.npz):  X__k, Y__k  cores (r_{k-1}, n, r_k) of two random rank-r trains,
                Gaussian entries scaled by 1/sqrt(r)
  W4 (w4.npz):  A__k  TT-matrix cores (r_{k-1}, m, n, r_k); x__k, y__k  TT cores; idx (M, d)
  W3 (w3.npz):  idx__<f>  (M, d) random test multi-indices of black-box function f (uniform
                on the grid), ref__<f>  f at those indices (plain numpy, w3_value)
                The functions themselves are W3Function below (plain numpy on a uniform grid
                including both ends), the same code in every peer's process.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, ".data")

# ------------------------------------------------------------------ sizes
SPECS = {
    False: {  # full sizes (BENCHMARKS.md)
        "W1": {"grids": [(4, 10), (2, 20), (10, 6), (4, 12)],
               "randtt": {"d": 8, "n": 8, "r": 10, "noise": 1e-10},
               "rtols": [1e-8]},
        "W2": {"d": 50, "n": 10, "r": 40},
        "W4": {"d": 20, "m": 4, "n": 4, "rA": 20, "rx": 20, "M": 100_000},
        "W3": {"funcs": {
            "invsq": {"d": 10, "n": 32, "lo": 0.0, "hi": 1.0, "rtol": 1e-6, "max_rank": None},
            "alpine": {"d": 50, "n": 16, "lo": -10.0, "hi": 10.0, "rtol": 1e-6, "max_rank": None},
            "ackley": {"d": 50, "n": 16, "lo": -32.768, "hi": 32.768, "rtol": 1e-4,
                       "max_rank": 12}},
               "M": 10_000, "seeds": [0, 1, 2]},
    },
    True: {  # --quick smoke sizes
        "W1": {"grids": [(4, 8), (2, 14), (10, 4), (4, 9)],
               "randtt": {"d": 6, "n": 6, "r": 5, "noise": 1e-10},
               "rtols": [1e-8]},
        "W2": {"d": 10, "n": 10, "r": 20},
        "W4": {"d": 8, "m": 4, "n": 4, "rA": 10, "rx": 10, "M": 10_000},
        "W3": {"funcs": {
            "invsq": {"d": 6, "n": 16, "lo": 0.0, "hi": 1.0, "rtol": 1e-6, "max_rank": None},
            "alpine": {"d": 10, "n": 16, "lo": -10.0, "hi": 10.0, "rtol": 1e-6, "max_rank": None},
            "ackley": {"d": 10, "n": 16, "lo": -32.768, "hi": 32.768, "rtol": 1e-4,
                       "max_rank": 12}},
               "M": 10_000, "seeds": [0, 1, 2]},
    },
}
SEEDS = {"W1": 20261128, "W2": 20261129, "W4": 20261130, "W3": 20261131}
FORMAT = 1  # bump when the generation code changes


def grid_key(n, d):
    return f"f_{n}x{d}"


def path(workload: str, quick: bool) -> str:
    return os.path.join(DATA_DIR, f"{workload.lower()}{'_quick' if quick else ''}.npz")


def _spec_string(workload, quick):
    return json.dumps({"format": FORMAT, "seed": SEEDS[workload],
                       "spec": SPECS[quick][workload]}, sort_keys=True)


# ------------------------------------------------- W3 black-box functions
W3_LABELS = {
    "invsq": "1/(1 + sum x^2) on [0,1]",
    "alpine": "Alpine sum abs(x sin x + 0.1 x) on [-10,10]",
    "ackley": "Ackley on [-32.768,32.768]",
}


def w3_value(name: str, x: np.ndarray) -> np.ndarray:
    """The W3 function `name` at the points x (M, d), plain numpy."""
    if name == "invsq":
        return 1.0 / (1.0 + np.sum(x * x, axis=1))
    if name == "alpine":
        return np.sum(np.abs(x * np.sin(x) + 0.1 * x), axis=1)
    if name == "ackley":   # the standard Ackley function (a=20, b=0.2, c=2 pi)
        return (-20.0 * np.exp(-0.2 * np.sqrt(np.mean(x * x, axis=1)))
                - np.exp(np.mean(np.cos(2.0 * np.pi * x), axis=1)) + 20.0 + np.e)
    raise ValueError(name)


class W3Function:
    """f(idx): idx (M, d) integer multi-indices (any integer or integral float dtype) ->
    M float64 values of the function `name` at x_k = lo + (hi - lo) i_k / (n - 1)
    (uniform grid including both ends). Picklable, plain numpy."""

    def __init__(self, name: str, spec: dict):
        self.name = name
        self.d, self.n = int(spec["d"]), int(spec["n"])
        self.lo, self.hi = float(spec["lo"]), float(spec["hi"])
        self.grid = self.lo + (self.hi - self.lo) * np.arange(self.n) / (self.n - 1)

    def points(self, idx) -> np.ndarray:
        i = np.asarray(idx)
        if i.dtype.kind == "f":
            i = np.rint(i)
        return self.grid[i.astype(np.intp)]

    def __call__(self, idx) -> np.ndarray:
        return w3_value(self.name, self.points(idx))


def w3_function(name: str, quick: bool) -> W3Function:
    return W3Function(name, SPECS[quick]["W3"]["funcs"][name])


# ------------------------------------------------------------- generators
def inv_sum_grid(n: int, d: int) -> np.ndarray:
    """A[i_1..i_d] = 1 / (1 + x_{i_1} + ... + x_{i_d}), x = linspace(0, 1, n)."""
    x = np.linspace(0.0, 1.0, n)
    s = x.copy()
    for _ in range(d - 1):
        s = (s[..., None] + x).reshape(s.shape + (n,))
    return 1.0 / (1.0 + s)


def random_tt(rng, shape, r, scale=None):
    """Gaussian cores (r_{k-1}, n_k, r_k); entries scaled by `scale` (default 1)."""
    d = len(shape)
    rk = [1] + [r] * (d - 1) + [1]
    s = 1.0 if scale is None else scale
    return [rng.standard_normal((rk[k], shape[k], rk[k + 1])) * s for k in range(d)]


def random_tt_matrix(rng, m, n, d, r, scale=None):
    rk = [1] + [r] * (d - 1) + [1]
    s = 1.0 if scale is None else scale
    return [rng.standard_normal((rk[k], m, n, rk[k + 1])) * s for k in range(d)]


def _dense_of_tt(cores):
    shape = [g.shape[1] for g in cores]
    res = cores[0].reshape(shape[0], -1)
    for g in cores[1:]:
        r, n, r2 = g.shape
        res = res.reshape(-1, r) @ g.reshape(r, n * r2)
    return res.reshape(shape)


def generate(workload: str, quick: bool) -> dict:
    spec = SPECS[quick][workload]
    rng = np.random.default_rng(SEEDS[workload])
    out = {}
    if workload == "W1":
        for n, d in spec["grids"]:
            out[grid_key(n, d)] = inv_sum_grid(n, d)
        rs = spec["randtt"]
        cores = random_tt(rng, [rs["n"]] * rs["d"], rs["r"])
        a = _dense_of_tt(cores)
        noise = rng.standard_normal(a.shape)
        a += rs["noise"] * np.linalg.norm(a) / np.linalg.norm(noise) * noise
        out["randtt"] = a
        del noise
        # ranks hint for rank-only peers (tensorly) from the plain numpy TT-SVD
        sys.path.insert(0, HERE)
        from peers.numpy_ import ttsvd_reference
        for key in list(out):
            for rtol in spec["rtols"]:
                c = ttsvd_reference(out[key], rtol)
                out[f"ranks__{key}__{rtol:g}"] = np.array([1] + [g.shape[2] for g in c])
    elif workload == "W2":
        shape = [spec["n"]] * spec["d"]
        sc = 1.0 / np.sqrt(spec["r"])
        for name in ("X", "Y"):
            for k, g in enumerate(random_tt(rng, shape, spec["r"], sc)):
                out[f"{name}__{k}"] = g
    elif workload == "W4":
        d = spec["d"]
        for k, g in enumerate(random_tt_matrix(rng, spec["m"], spec["n"], d, spec["rA"],
                                               1.0 / np.sqrt(spec["rA"]))):
            out[f"A__{k}"] = g
        for name in ("x", "y"):
            for k, g in enumerate(random_tt(rng, [spec["n"]] * d, spec["rx"],
                                            1.0 / np.sqrt(spec["rx"]))):
                out[f"{name}__{k}"] = g
        out["idx"] = rng.integers(0, spec["n"], size=(spec["M"], d)).astype(np.int64)
    elif workload == "W3":
        for name, fs in spec["funcs"].items():
            idx = rng.integers(0, fs["n"], size=(spec["M"], fs["d"])).astype(np.int64)
            out[f"idx__{name}"] = idx
            out[f"ref__{name}"] = W3Function(name, fs)(idx)
    else:
        raise ValueError(workload)
    out["__spec__"] = np.array(_spec_string(workload, quick))
    return out


def ensure(workload: str, quick: bool, force: bool = False, verbose: bool = True) -> str:
    """Generate the workload's npz unless an up-to-date one exists; return its path."""
    p = path(workload, quick)
    if not force and os.path.exists(p):
        with np.load(p) as z:
            if "__spec__" in z.files and str(z["__spec__"]) == _spec_string(workload, quick):
                return p
    os.makedirs(DATA_DIR, exist_ok=True)
    if verbose:
        print(f"[data] generating {p} ...", file=sys.stderr, flush=True)
    arrays = generate(workload, quick)
    tmp = p + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, p)
    return p


# ---------------------------------------------------------------- loading
class Data:
    """Loaded arrays of one workload; `cores(name)` reassembles a list of cores."""

    def __init__(self, workload: str, quick: bool):
        self.workload = workload
        self.quick = quick
        with np.load(path(workload, quick)) as z:
            self.arrays = {k: z[k] for k in z.files}

    def __getitem__(self, key):
        return self.arrays[key]

    def cores(self, name):
        out, k = [], 0
        while f"{name}__{k}" in self.arrays:
            out.append(self.arrays[f"{name}__{k}"])
            k += 1
        if not out:
            raise KeyError(name)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--only", default="W1,W2,W3,W4")
    a = ap.parse_args()
    for w in a.only.split(","):
        print(ensure(w.strip().upper(), a.quick, a.force))


if __name__ == "__main__":
    main()
