"""Operators from local terms, QTT operators and the DMRG eigensolver, against exact answers."""
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


def test_heisenberg_mpo_rank_and_dense():
    H = tt.models.heisenberg(8)
    assert max(H.ranks) == 5
    np.testing.assert_allclose(H.full(), heisenberg_dense(8), atol=1e-12)


def test_tfim_mpo_rank_and_dense():
    L, h = 6, 0.7
    H = tt.models.tfim(L, h)
    assert max(H.ranks) == 3
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

    D = -sum(op([(i, Z), (i + 1, Z)]) for i in range(L - 1)) - h * sum(op([(i, X)]) for i in range(L))
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
    e0 = np.linalg.eigvalsh(heisenberg_dense(10))[0]
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
    e0 = np.linalg.eigvalsh(heisenberg_dense(6))[0]
    assert res.energy >= e0 - 1e-9  # variational
    with pytest.raises(ValueError, match="symmetric"):
        tt.eigsh(tt.qtt.shift(3))
    with pytest.raises(ValueError, match="shape"):
        tt.eigsh(H, x0=tt.random([2] * 5, 2, seed=1))
    with pytest.raises(ValueError, match="nonzero"):
        tt.eigsh(H, x0=tt.zeros([2] * 6))
    with pytest.raises(NotImplementedError):
        tt.eigsh(H, k=2)
    with pytest.raises(ValueError):
        tt.eigsh(H, max_rank=0)
    with pytest.raises(TypeError):
        tt.eigsh(np.eye(4))
