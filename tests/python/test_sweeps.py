"""Operators from local terms, QTT operators and the DMRG eigensolver, against exact answers."""
import functools
import json
import math
import pathlib

import numpy as np
import pytest

import tensortrain as tt

REF = pathlib.Path(__file__).resolve().parents[3] / "shared" / "reference" / "values.json"


def heisenberg_dense(L):
    """Open-chain Heisenberg Hamiltonian by Kronecker products (independent of the engine)."""
    sz = np.diag([0.5, -0.5])
    sp = np.array([[0.0, 1.0], [0.0, 0.0]])
    H = np.zeros((2**L, 2**L))
    for i in range(L - 1):
        for a, b, c in ((sz, sz, 1.0), (sp, sp.T, 0.5), (sp.T, sp, 0.5)):
            ops = [np.eye(2)] * L
            ops[i], ops[i + 1] = a, b
            M = ops[0]
            for o in ops[1:]:
                M = np.kron(M, o)
            H += c * M
    return H


@functools.lru_cache(maxsize=None)
def heisenberg_exact(L):
    """The dense Hamiltonian and its sorted spectrum, built once per L for all tests."""
    D = heisenberg_dense(L)
    return D, np.linalg.eigvalsh(D)


def test_heisenberg_mpo_rank_and_dense():
    H = tt.models.heisenberg(8)
    assert max(H.ranks) == 5
    np.testing.assert_allclose(H.full(), heisenberg_dense(8), atol=1e-12)


def test_tfim_mpo_rank_and_dense():
    L, h = 6, 0.7
    H = tt.models.tfim(L, h)
    assert max(H.ranks) == 3
    D = tfim_dense(L, h)
    np.testing.assert_allclose(H.full(), D, atol=1e-12)


def test_mpo_from_terms_bad_input():
    with pytest.raises(ValueError, match="site"):
        tt.mpo_from_terms([(1.0, [(3, np.eye(2))])], [2, 2])
    with pytest.raises(ValueError, match="2 x 2"):
        tt.mpo_from_terms([(1.0, [(0, np.eye(3))])], [2, 2])
    with pytest.raises(TypeError):
        tt.mpo_from_terms([(1.0, [(0, np.eye(2) * 1j)])], [2, 2])
    with pytest.raises(TypeError):
        tt.mpo_from_terms([1.0], [2, 2])
    with pytest.raises(ValueError, match="non-finite"):
        tt.mpo_from_terms([(1.0, [(0, np.array([[np.nan, 0], [0, 1]]))])], [2, 2])
    assert tt.mpo_from_terms([], [2, 3]).norm() == 0


@pytest.mark.parametrize("n_bits", [1, 2, 5])
def test_qtt_shift_and_laplacian_1d(n_bits):
    n = 2**n_bits
    S = tt.qtt.shift(n_bits)
    np.testing.assert_array_equal(S.full(), np.eye(n, k=-1))
    L = tt.qtt.laplacian(n_bits)
    assert max(L.ranks) <= 3
    np.testing.assert_allclose(L.full(), 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1), atol=1e-12)


def test_qtt_laplacian_2d_is_the_kronecker_sum():
    L2 = tt.qtt.laplacian(3, ndim=2)
    assert max(L2.ranks) <= 4
    T = 2 * np.eye(8) - np.eye(8, k=1) - np.eye(8, k=-1)
    np.testing.assert_allclose(L2.full(), np.kron(T, np.eye(8)) + np.kron(np.eye(8), T), atol=1e-12)


def test_eigsh_heisenberg_l10_exact_diagonalization():
    H = tt.models.heisenberg(10)
    e0 = heisenberg_exact(10)[1][0]
    res = tt.eigsh(H, max_rank=32, rtol=1e-12)
    assert res.converged and res.stop_reason == "converged"
    assert abs(res.energy - e0) <= 1e-9 * abs(e0)
    if REF.exists():  # the shared reference value, from exact diagonalization
        ref = json.loads(REF.read_text())["heisenberg_obc_e0"]["10"]
        assert abs(res.energy - ref) <= 1e-9 * abs(ref)
    x = res.state
    assert abs(x.norm() - 1) < 1e-10
    r = (H @ x) - x * res.energy
    assert r.norm() < 1e-6


@pytest.mark.parametrize("L", [10, 40])
def test_eigsh_tfim_critical_closed_form(L):
    e0 = 1 - 1 / math.sin(math.pi / (2 * (2 * L + 1)))
    res = tt.eigsh(tt.models.tfim(L, 1.0), max_rank=24, seed=2)
    assert res.converged
    assert abs(res.energy - e0) <= 1e-9 * abs(e0)


def test_eigsh_laplacian_lowest_eigenvalue_1d():
    b = 8
    n = 2**b
    res = tt.eigsh(tt.qtt.laplacian(b), max_rank=8, n_sweeps=20)
    assert abs(res.energy - 4 * math.sin(math.pi / (2 * (n + 1))) ** 2) <= 1e-9


def test_eigsh_x0_callback_and_bad_input():
    H = tt.models.heisenberg(6)
    seen = []
    res = tt.eigsh(H, x0=tt.random([2] * 6, 3, seed=1), callback=lambda info: seen.append(info) or True)
    assert res.stop_reason == "callback" and len(seen) == 1 and seen[0]["sweep"] == 1
    e0 = heisenberg_exact(6)[1][0]
    assert res.energy >= e0 - 1e-9  # variational
    with pytest.raises(ValueError, match="symmetric"):
        tt.eigsh(tt.qtt.shift(3))
    with pytest.raises(ValueError, match="shape"):
        tt.eigsh(H, x0=tt.random([2] * 5, 2, seed=1))
    with pytest.raises(ValueError, match="nonzero"):
        tt.eigsh(H, x0=tt.zeros([2] * 6))
    with pytest.raises(ValueError, match="exceeds the dimension"):
        tt.eigsh(H, k=2**6 + 1)
    with pytest.raises(ValueError):
        tt.eigsh(H, k=0)
    with pytest.raises(ValueError, match="empty"):
        tt.eigsh(H, max_rank=[])
    with pytest.raises(ValueError):
        tt.eigsh(H, max_rank=[8, 0])
    with pytest.raises(TypeError):
        tt.eigsh(H, max_rank=[8, 2.5])
    with pytest.raises(ValueError):
        tt.eigsh(H, rtol=[1e-8, -1])
    with pytest.raises(ValueError, match="penalty"):
        tt.eigsh(H, k=2, penalty=-1.0)
    with pytest.raises(ValueError):
        tt.eigsh(H, max_rank=0)
    with pytest.raises(TypeError):
        tt.eigsh(np.eye(4))


def tfim_dense(L, h):
    """-sum Z_i Z_{i+1} - h sum X_i on an open chain by Kronecker products."""
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    Z = np.diag([1.0, -1.0])

    def op(site_ops):
        ops = [np.eye(2)] * L
        for s, o in site_ops:
            ops[s] = o
        M = ops[0]
        for o in ops[1:]:
            M = np.kron(M, o)
        return M

    return -sum(op([(i, Z), (i + 1, Z)]) for i in range(L - 1)) - h * sum(op([(i, X)]) for i in range(L))


def check_eigenpairs(res, A, exact, k, tol):
    """Energies against the exact sorted spectrum, each state's Rayleigh quotient (dense, through
    the independent matrix) and mutual orthogonality."""
    assert len(res.energies) == len(res.states) == k
    assert len(res.sweep_energies) == len(res.truncation_errors) == k
    np.testing.assert_allclose(res.energies, exact[:k], rtol=0, atol=tol)
    assert res.energy == res.energies[0] and np.allclose(res.state.full(), res.states[0].full())
    V = np.stack([x.full().ravel() for x in res.states], axis=1)
    np.testing.assert_allclose(V.T @ V, np.eye(k), rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.einsum("ij,ik,kj->j", V, A, V), res.energies, rtol=0, atol=tol)


@pytest.mark.parametrize("d,n,seed", [(4, 3, 1), (5, 2, 2), (6, 2, 3), (6, 3, 4)])
def test_eigsh_k3_random_symmetric_dense(d, n, seed):
    B = tt.random_matrix([n] * d, [n] * d, 2, seed=seed)
    A = B + B.T
    D = A.full()
    exact = np.linalg.eigvalsh(D)
    res = tt.eigsh(A, k=3, rtol=1e-12, n_sweeps=20)
    assert res.converged and res.stop_reason == "converged"
    check_eigenpairs(res, D, exact, 3, 1e-8 * np.abs(exact).max())


@pytest.mark.parametrize("k", [2, 3, 4])
def test_eigsh_heisenberg_l10_lowest_k(k):
    D, exact = heisenberg_exact(10)  # E0, then the triplet E1 = E2 = E3
    res = tt.eigsh(tt.models.heisenberg(10), k=k, max_rank=32, rtol=1e-12)
    assert res.converged
    check_eigenpairs(res, D, exact, k, 1e-9)
    assert res.n_sweeps == sum(len(h) for h in res.sweep_energies)


def test_eigsh_tfim_near_degenerate_pair_dense():
    # ordered phase: the two lowest levels are split by about 1e-3, then a gap
    L, h = 8, 0.5
    D = tfim_dense(L, h)
    exact = np.linalg.eigvalsh(D)
    res = tt.eigsh(tt.models.tfim(L, h), k=3, max_rank=16, rtol=1e-12)
    assert res.converged
    check_eigenpairs(res, D, exact, 3, 1e-9)


def test_eigsh_max_rank_schedule():
    H = tt.models.heisenberg(10)
    exact = heisenberg_exact(10)[1][0]
    schedule = [4, 8, 16, 32]
    seen = []
    res = tt.eigsh(H, max_rank=schedule, rtol=[1e-6, 1e-8, 1e-12], callback=seen.append)
    assert res.converged
    assert abs(res.energy - exact) <= 1e-9 * abs(exact)
    for info in seen:  # half-sweeps 1, 2 are full sweep 0, ...; the last value repeats
        assert info["max_rank"] <= schedule[min((info["sweep"] - 1) // 2, len(schedule) - 1)]
    assert [i["max_rank"] for i in seen[:4]] == [4, 4, 8, 8]  # the cap binds in the early sweeps
    assert res.state.max_rank <= 32
    # k > 1: each state runs the schedule anew
    seen2 = []
    res2 = tt.eigsh(tt.models.heisenberg(8), k=2, max_rank=[2, 16], callback=seen2.append)
    assert {i["state"] for i in seen2} == {0, 1}
    for info in seen2:
        assert info["max_rank"] <= (2 if info["sweep"] <= 2 else 16)
    np.testing.assert_allclose(res2.energies, heisenberg_exact(8)[1][:2], atol=1e-9)


def test_eigsh_k_binding_max_rank_keeps_rank_and_orthogonality():
    # rank 4 < 16 (exact): the Ritz combinations are rounded back to rank 4, or the states kept
    exact = heisenberg_exact(8)[1]
    res = tt.eigsh(tt.models.heisenberg(8), k=3, max_rank=4)
    assert all(x.max_rank <= 4 for x in res.states)
    V = np.stack([x.full().ravel() for x in res.states], axis=1)
    assert np.abs(V.T @ V - np.eye(3)).max() < 1e-2
    assert sum(res.energies) >= sum(exact[:3]) - 1e-9  # Ky Fan: variational for the sum
    assert np.all(np.diff(res.energies) >= 0)


def test_eigsh_k_callback_stop_and_x0():
    H = tt.models.heisenberg(6)
    exact = heisenberg_exact(6)[1]
    # a callback that stops during the second state: two states come back, not k
    res = tt.eigsh(H, k=4, callback=lambda info: info["state"] == 1)
    assert res.stop_reason == "callback" and not res.converged
    assert len(res.energies) == len(res.states) == 2
    assert res.energies[0] >= exact[0] - 1e-9
    # x0 starts the lowest state; an explicit penalty; d = 1 (the dense problem) with k = 3
    res = tt.eigsh(H, k=2, x0=tt.random([2] * 6, 2, seed=5), penalty=10.0)
    np.testing.assert_allclose(res.energies, exact[:2], atol=1e-9)
    M = np.array([[2.0, 1, 0], [1, 2, 1], [0, 1, 2]])
    r1 = tt.eigsh(tt.TTMatrix([M.reshape(1, 3, 3, 1)]), k=3)
    np.testing.assert_allclose(r1.energies, np.linalg.eigvalsh(M), atol=1e-12)


def test_solve_qtt_poisson_1d_exact_solution():
    for b, tol in ((6, 1e-12), (12, 2e-8)):  # cond(A) ~ 4^b: the double-precision floor
        n = 2**b
        res = tt.solve(tt.qtt.laplacian(b), tt.ones([2] * b), rtol=1e-10, n_sweeps=8)
        i = np.arange(1, n + 1)
        bits = (((i - 1)[:, None] >> np.arange(b - 1, -1, -1)) & 1).astype(np.int64)
        exact = i * (n + 1 - i) / 2
        assert np.linalg.norm(res.x[bits] - exact) <= tol * np.linalg.norm(exact)


def test_solve_ill_conditioned_qtt_residual_based_truncation():
    # cond(A) ~ 4^16 and a 3-D QTT Laplacian: truncating x by its own singular values left the
    # residual at 0.3 (1-D) and stalled at 2.5e-6 (3-D); the rank now follows the local residual
    b16 = 16
    A = tt.qtt.laplacian(b16)
    res = tt.solve(A, tt.ones([2] * b16), rtol=1e-5, n_sweeps=10)
    assert res.converged and ((A @ res.x) - tt.ones([2] * b16)).norm() <= 1e-5 * 2 ** (b16 / 2)
    i = np.arange(1, 2**b16 + 1, 97)
    bits = (((i - 1)[:, None] >> np.arange(b16 - 1, -1, -1)) & 1).astype(np.int64)
    exact = i * (2**b16 + 1 - i) / 2
    assert np.linalg.norm(res.x[bits] - exact) <= 1e-5 * np.linalg.norm(exact)
    A3 = tt.qtt.laplacian(4, ndim=3)
    b3 = tt.ones([2] * 12)
    res3 = tt.solve(A3, b3, rtol=1e-6, n_sweeps=20)
    assert res3.converged and ((A3 @ res3.x) - b3).norm() <= 1e-6 * b3.norm()


def test_solve_laplacian_10d_w5_case():
    # W5: d = 10, n = 32, h = 1/33, right-hand side ones, rtol 1e-6
    d, n, h = 10, 32, 1 / 33
    T = (2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)) / h**2
    terms = [(1.0, [(k, T)]) for k in range(d)]
    A = tt.mpo_from_terms(terms, [n] * d)
    assert max(A.ranks) == 2
    b = tt.ones([n] * d)
    res = tt.solve(A, b, rtol=1e-6)
    assert res.converged
    r = ((A @ res.x) - b).norm() / b.norm()  # independent residual check
    assert r <= 1e-6
    # the solution is positive and symmetric under reversing every coordinate
    idx = np.random.default_rng(0).integers(0, n, (200, d))
    v, w = res.x[idx], res.x[n - 1 - idx]
    assert (v > 0).all() and np.allclose(v, w, rtol=1e-4)


def test_solve_against_dense_nonsymmetric():
    n = [4, 5, 3]
    mats = [2 * np.eye(m) - 1.5 * np.eye(m, k=-1) - 0.5 * np.eye(m, k=1) for m in n]
    A = tt.mpo_from_terms([(1.0, [(k, mats[k])]) for k in range(3)], n)
    Ad = A.full()
    assert not np.allclose(Ad, Ad.T)
    b = tt.random(n, 2, seed=4)
    for dense_limit in (800, 0):
        res = tt.solve(A, b, rtol=1e-12, dense_limit=dense_limit)
        xd = np.linalg.solve(Ad, b.full().ravel())
        np.testing.assert_allclose(res.x.full().ravel(), xd, rtol=0, atol=1e-10 * np.linalg.norm(xd))


def test_solve_bad_input_and_callback():
    A = tt.qtt.laplacian(4)
    b = tt.ones([2] * 4)
    with pytest.raises(ValueError, match="shape"):
        tt.solve(A, tt.ones([2] * 3))
    with pytest.raises(ValueError, match="zero"):
        tt.solve(A, tt.zeros([2] * 4))
    with pytest.raises(ValueError):
        tt.solve(A, b, rtol=0)
    with pytest.raises(TypeError):
        tt.solve(A.full(), b)
    with pytest.raises(ValueError, match="square"):
        tt.solve(tt.TTMatrix([np.ones((1, 2, 3, 1))]), tt.ones([3]))
    seen = []
    res = tt.solve(tt.qtt.laplacian(10), tt.ones([2] * 10), rtol=1e-14, callback=lambda i: seen.append(i) or True)
    assert res.stop_reason == "callback" and len(seen) == 1 and res.n_sweeps == 1
    small = tt.solve(tt.qtt.laplacian(8), tt.ones([2] * 8), max_rank=1, residual_rank=1, n_sweeps=3)
    assert small.stop_reason == "n_sweeps" and np.isfinite(small.residual)
