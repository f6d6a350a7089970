"""Sweep solvers, tensortrain alone (peers for W5 and DMRG are not in bench/run.py yet).

    PYTHONPATH=python python bench/sweeps.py [--repeats 3] [--heisenberg 20,50]

W5 AMEn: the d = 10, n = 32 Laplacian (h = 1/33) with right-hand side ones at rtol 1e-6; DMRG:
the open spin-1/2 Heisenberg chain at bond dimension 64 against shared/reference/values.json.
Prints the median time, sweeps, residual or energy error.
"""
import argparse
import json
import pathlib
import statistics
import time

import numpy as np

import tensortrain as tt

REF = pathlib.Path(__file__).resolve().parents[2] / "shared" / "reference" / "values.json"


def timed(f, repeats):
    ts, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--heisenberg", default="20,50", help="chain lengths (comma-separated)")
    a = p.parse_args()
    d, n, h = 10, 32, 1 / 33
    T = (2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)) / h**2
    A = tt.mpo_from_terms([(1.0, [(k, T)]) for k in range(d)], [n] * d)
    b = tt.ones([n] * d)
    t, r = timed(lambda: tt.solve(A, b, rtol=1e-6), a.repeats)
    print(f"W5 AMEn: {t * 1e3:.1f} ms, {r.n_sweeps} sweeps, residual {r.residual:.2e}, max rank {r.x.max_rank}")
    ref = json.loads(REF.read_text())["heisenberg_obc_e0"] if REF.exists() else {}
    for L in (int(x) for x in a.heisenberg.split(",") if x):
        t, e = timed(lambda: tt.eigsh(tt.models.heisenberg(L), max_rank=64, rtol=1e-10), 1)
        rv = ref.get(str(L))
        rv = rv["value"] if isinstance(rv, dict) else rv
        diff = f", |E - E_ref| {abs(e.energy - rv):.1e}" if rv is not None else ""
        print(f"Heisenberg L = {L}, D = 64: E0 {e.energy:.10f} in {t:.2f} s, {e.n_sweeps} half-sweeps{diff}")


if __name__ == "__main__":
    main()
