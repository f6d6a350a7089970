"""A short tour of tensortrain on real problems: ``python -m tensortrain``."""

from __future__ import annotations

import argparse
import time

import numpy as np

import tensortrain as tt


def _timed(f, *args, **kw):
    t = time.perf_counter()
    out = f(*args, **kw)
    return out, time.perf_counter() - t


def tour(d: int = 12, n: int = 4) -> None:
    print("== tensortrain tour ==")
    tt.show_config()

    print(f"\n1. TT-SVD of f(x) = 1/(1 + x1 + ... + x{d}) on a uniform {n}^{d} grid of [0,1]^{d}")
    g = np.linspace(0.0, 1.0, n)
    a = 1.0 / (1.0 + sum(np.meshgrid(*([g] * d), indexing="ij", sparse=True)))
    a = np.ascontiguousarray(np.broadcast_to(a, (n,) * d))
    print(f"   dense tensor: {a.size:,} entries, {a.nbytes / 2**20:.0f} MiB")
    (x, info), secs = _timed(tt.tt_svd, a, rtol=1e-8, return_info=True)
    err = np.linalg.norm(x.full() - a) / np.linalg.norm(a)
    print(f"   tt_svd(rtol=1e-8): {secs:.3f} s, ranks {x.ranks}")
    print(f"   {x.num_params:,} parameters: compression {a.size / x.num_params:,.0f}x")
    print(f"   relative error {err:.2e} (checked densely; bound reported by tt_svd {info.rel_error:.2e})")

    print("\n2. Rounding: x + x has doubled ranks; round() recovers the exact ones")
    s = x + x
    (r, rinfo), secs = _timed(tt.round, s, rtol=1e-10, return_info=True)
    print(f"   ranks of x + x: {s.ranks}")
    print(f"   round(rtol=1e-10): {secs * 1e3:.1f} ms, ranks {r.ranks}, ||r - 2x|| / ||2x|| = {tt.norm(r - 2 * x) / tt.norm(2 * x):.1e}")
    y, secs = _timed(tt.round, x, rtol=1e-3)
    print(f"   round(x, rtol=1e-3): ranks {y.ranks}, error {tt.norm(y - x) / tt.norm(x):.1e}")

    print("\n3. Batch evaluation of 100,000 entries")
    rng = np.random.default_rng(0)
    idx = rng.integers(0, n, size=(100_000, d))
    vals, secs = _timed(x.__getitem__, idx)
    exact = a[tuple(idx.T)]
    print(f"   {secs * 1e3:.1f} ms, max relative deviation from the dense tensor {np.max(np.abs(vals - exact) / np.abs(exact)):.1e}")

    print("\n4. Quadrature in 100 dimensions: integral of sin(x1 + ... + x100) over [0,1]^100")
    dq, nq = 100, 8
    nodes, weights = np.polynomial.legendre.leggauss(nq)
    nodes, weights = 0.5 * (nodes + 1), 0.5 * weights
    e = tt.rank_one([np.exp(1j * nodes)] * dq)  # exp(i * sum x) is a rank-one complex train
    val, secs = _timed(e.sum, [weights] * dq)
    exact = (2 * np.sin(0.5)) ** dq * np.sin(dq / 2)
    print(f"   Gauss-Legendre with {nq} points per axis ({nq}^{dq} nodes): {val.imag:.15e}")
    print(f"   closed form (2 sin(1/2))^d sin(d/2):                  {exact:.15e}  (rel. diff {abs(val.imag - exact) / abs(exact):.1e})")

    print("\n5. A TT-matrix: the 10-dimensional discrete Laplacian (n = 32, rank 2) applied to ones")
    dl, nl = 10, 32
    lap1 = 2 * np.eye(nl) - np.eye(nl, k=1) - np.eye(nl, k=-1)
    I = np.eye(nl)
    cores = [np.stack([lap1, I], axis=-1)[None]]  # (1, n, n, 2)
    mid = np.zeros((2, nl, nl, 2))
    mid[0, :, :, 0] = I
    mid[1, :, :, 0] = lap1
    mid[1, :, :, 1] = I
    cores += [mid] * (dl - 2)
    cores += [np.stack([I, lap1], axis=0)[..., None]]
    L = tt.TTMatrix(cores)
    y = L @ tt.ones([nl] * dl)
    print(f"   {L}: dense it would be {nl ** dl:.1e} x {nl ** dl:.1e}")
    yr = y.round(1e-12)
    # (L 1)[i] = number of boundary neighbours of i: 2*d at corners ... check a few entries
    probe = np.array([[0] * dl, [5] * dl, [0] + [5] * (dl - 1)])
    expected = [(np.asarray(p) == 0).sum() + (np.asarray(p) == nl - 1).sum() for p in probe]
    print(f"   ranks of L @ ones after rounding: {yr.ranks}; entries {yr[probe]} (exact {expected})")

    print("\n6. TT-cross: a black-box function on a 32^10 grid from few samples")
    calls = [0]

    def f(idx):  # 1 / (1 + |x|^2) on a uniform grid of [0, 1]^10
        calls[0] += len(idx)
        x = idx / 31.0
        return 1.0 / (1.0 + (x * x).sum(axis=1))

    res, secs = _timed(tt.cross, f, [32] * 10, rtol=1e-6)
    test = rng.integers(0, 32, size=(10_000, 10))
    err = np.linalg.norm(res.tt[test] - f(test)) / np.linalg.norm(f(test))
    print(f"   {res.stop_reason} after {res.n_sweeps} half-sweeps in {secs:.2f} s: {res.n_evals} evaluations "
          f"(of {32.0 ** 10:.1e} entries), max rank {res.tt.max_rank}, error on 10^4 random entries {err:.1e}")

    print("\n7. Cross quadrature: the same 100-d integral, now treating sin(x1 + ... + x100) as a black box")
    (val, r), secs = _timed(tt.integrate, lambda x: np.sin(x.sum(axis=1)), [(0, 1)] * dq, n=10, rtol=1e-12)
    print(f"   {val:.15e} (rel. diff {abs(val - exact) / abs(exact):.1e}) from {r.n_evals} evaluations in {secs:.2f} s")

    print("\n8. DMRG: ground state of the spin-1/2 Heisenberg chain (L = 20) and the critical Ising chain (L = 100)")
    H = tt.models.heisenberg(20)
    res, secs = _timed(tt.eigsh, H, max_rank=64, rtol=1e-12)
    e_ed = -8.682473334398985  # exact diagonalization (shared/reference/values.json)
    print(f"   {H}: E0 = {res.energy:.12f} (exact {e_ed:.12f}, diff {abs(res.energy - e_ed):.1e}) after "
          f"{res.n_sweeps} half-sweeps, max rank {res.state.max_rank}, {secs:.2f} s")
    Lc = 100
    res, secs = _timed(tt.eigsh, tt.models.tfim(Lc, 1.0), max_rank=32)
    e_cf = 1 - 1 / np.sin(np.pi / (2 * (2 * Lc + 1)))
    print(f"   TFIM L = {Lc}, h = 1: E0 = {res.energy:.10f} (closed form {e_cf:.10f}, rel. diff "
          f"{abs(res.energy - e_cf) / abs(e_cf):.1e}), {secs:.2f} s")

    print("\n9. ALS fit from samples only: 1/(1 + sum x^2) on the 32^10 grid from 2*10^4 random entries, rank 3")
    train = rng.integers(0, 32, size=(20_000, 10))
    fit, secs = _timed(tt.als_fit, train, f(train), [32] * 10, 3)
    err = np.linalg.norm(fit.tt[test] - f(test)) / np.linalg.norm(f(test))
    print(f"   {fit.n_sweeps} half-sweeps in {secs:.2f} s: training error {fit.train_error[-1]:.1e}, error on 10^4 "
          f"other entries {err:.1e} (rank grown from 1 to {fit.tt.max_rank})")

    print("\n10. Completion on the manifold of rank-3 trains: a hidden 8^6 tensor from 20000 of its 262144 entries")
    Xh = tt.random((8,) * 6, 3, seed=13)
    Ic = rng.integers(0, 8, size=(20_000, 6))
    Itc = rng.integers(0, 8, size=(2_000, 6))
    cr, secs = _timed(tt.complete, Ic, Xh[Ic], Xh.shape, 3, "rcg", test=(Itc, Xh[Itc]))
    print(f"   Riemannian CG: {cr.stop_reason} after {cr.n_iter} iterations in {secs:.2f} s, training error "
          f"{cr.train_error[-1]:.1e}, error on 2000 other entries {cr.test_error[-1]:.1e}")

    print("\n11. Exponential machine: labels from the sign of 8 third-order interactions of 20 +-1 features")
    from . import exp_machine as em
    from .datasets import make_interactions

    Xe, ye = make_interactions(40_000, n_features=20, n_interactions=8, order=3, random_state=5)
    Xe, Xte, ye, yte = Xe[:20_000], Xe[20_000:], ye[:20_000].astype(float), ye[20_000:]
    w, step, t0 = em.random_start((2,) * 20, 4, seed=6), 1.0, time.perf_counter()
    for epoch in range(8):
        w, curve, step = em.train_epochs(w, Xe, ye, step=step, seed=epoch)
    secs = time.perf_counter() - t0
    acc = np.mean(np.sign(em.predict(w, Xte)) == yte)
    coef, *_ = np.linalg.lstsq(np.c_[np.ones(len(Xe)), Xe], ye, rcond=None)  # the best linear model
    acc_lin = np.mean(np.sign(np.c_[np.ones(len(Xte)), Xte] @ coef) == yte)
    print(f"   rank-4 train over all 2^20 interactions, 8 epochs of Riemannian SGD in {secs:.2f} s: test accuracy "
          f"{acc:.3f} (a linear model: {acc_lin:.3f})")
    print("\nDone.")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m tensortrain", description=__doc__)
    p.add_argument("--config", action="store_true", help="only print the configuration")
    p.add_argument("--d", type=int, default=12, help="dimension of the tensor compressed in step 1")
    args = p.parse_args(argv)
    if args.config:
        tt.show_config()
        return
    tour(d=args.d)


if __name__ == "__main__":
    main()
