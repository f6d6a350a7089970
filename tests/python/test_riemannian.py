"""Riemannian geometry of fixed-rank trains and completion, against dense projectors and known
low-rank tensors."""
import warnings

import numpy as np
import pytest

import tensortrain as tt
from tensortrain.riemannian import minimize


def _samples(shape, M, seed):
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, n, size=M) for n in shape], axis=1)


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def _dense_projector(S, shape):
    N = int(np.prod(shape))
    P = np.zeros((N, N))
    for j in range(N):
        v = S.project((np.array([np.unravel_index(j, shape)]), np.array([1.0])))
        P[:, j] = v.to_tt().full().ravel()
    return P


def test_projection_is_the_orthogonal_projector_of_the_manifold():
    shape, r = (3, 4, 3), 2
    X = tt.random(shape, r, seed=1)
    S = tt.TangentSpace(X)
    P = _dense_projector(S, shape)
    assert np.allclose(P, P.T, atol=1e-12)
    assert np.allclose(P @ P, P, atol=1e-12)
    ranks = S.ranks
    dim = sum(ranks[k] * shape[k] * ranks[k + 1] for k in range(3)) - sum(ranks[k] ** 2 for k in range(1, 3))
    assert np.linalg.matrix_rank(P, tol=1e-8) == dim
    # X itself and its first-order variations lie in the tangent space
    assert np.allclose(P @ X.full().ravel(), X.full().ravel(), atol=1e-12)
    # projecting a train equals the dense projector applied to it
    Z = tt.random(shape, 3, seed=2)
    assert np.allclose(S.project(Z).to_tt().full().ravel(), P @ Z.full().ravel(), atol=1e-12)
    # sums of trains, without forming them
    Z2 = tt.random(shape, 2, seed=3)
    v = S.project([Z, Z2], coefs=[2.0, -1.0])
    assert np.allclose(v.to_tt().full().ravel(), P @ (2 * Z.full() - Z2.full()).ravel(), atol=1e-12)


def test_sparse_projection_and_values_match_dense():
    shape = (4, 3, 5, 3)
    X = tt.random(shape, 2, seed=4)
    S = tt.TangentSpace(X)
    I = _samples(shape, 40, 5)
    I = np.vstack([I, I[:3]])  # repeated indices add up
    vals = np.random.default_rng(6).standard_normal(len(I))
    dense = np.zeros(shape)
    np.add.at(dense, tuple(I.T), vals)
    v = S.project((I, vals))
    w = S.project(tt.tt_svd(dense, rtol=1e-14))
    assert _rel(v.to_tt().full(), w.to_tt().full()) < 1e-10
    assert np.allclose(S.values(v, I), v.to_tt().full()[tuple(I.T)], atol=1e-12)
    # inner products of tangent vectors are those of the tensors
    u = S.project(tt.random(shape, 2, seed=7))
    assert np.isclose(u.inner(v), np.vdot(u.to_tt().full(), v.to_tt().full()), rtol=1e-10)
    assert np.isclose((u - 2.0 * v).norm(), np.linalg.norm(u.to_tt().full() - 2 * v.to_tt().full()), rtol=1e-10)


def test_retraction_is_second_order_and_transport_projects():
    shape = (4, 5, 4, 3)
    X = tt.random(shape, 3, seed=8)
    S = tt.TangentSpace(X)
    xi = S.project(tt.random(shape, 2, seed=9))
    xi = xi * (1.0 / xi.norm())
    errs = []
    for t in (1e-2, 1e-3):
        Y = S.retract(xi, t)
        assert Y.max_rank <= X.max_rank
        errs.append(np.linalg.norm(Y.full() - X.full() - t * xi.to_tt().full()))
    assert 50 < errs[0] / errs[1] < 200  # O(t^2)
    S2 = tt.TangentSpace(S.retract(xi, 0.3))
    moved = S2.transport(xi)
    P2 = _dense_projector(S2, shape)
    assert np.allclose(moved.to_tt().full().ravel(), P2 @ xi.to_tt().full().ravel(), atol=1e-10)


def test_minimize_finds_a_low_rank_target_and_its_gradient_is_projected():
    shape = (4, 5, 3, 4)
    A = tt.random(shape, 2, seed=10)
    X0 = tt.random(shape, 2, seed=11)

    def value(X):
        return 0.5 * (X - A).norm() ** 2

    def egrad(X):
        return X - A

    # the Riemannian gradient is the dense gradient projected
    S = tt.TangentSpace(X0)
    P = _dense_projector(S, shape)
    g = S.project(egrad(X0))
    assert np.allclose(g.to_tt().full().ravel(), P @ (X0.full() - A.full()).ravel(), atol=1e-10)
    for method in ("rcg", "rgd"):
        r = minimize(value, egrad, X0, method, max_iter=300, gtol=1e-9)
        assert _rel(r.tt.full(), A.full()) < 1e-6, (method, r.stop_reason)
        assert r.values[-1] < r.values[0]
    # a sparse Euclidean gradient: fit to sampled entries
    I = _samples(shape, 200, 12)
    vals = A[I]
    r = minimize(lambda X: 0.5 * np.sum((X[I] - vals) ** 2), lambda X: (I, X[I] - vals), X0, "rcg", max_iter=300)
    assert _rel(r.tt.full(), A.full()) < 1e-6


def test_completion_recovers_a_random_rank4_train():
    # the case: a random rank-4 train (cores uniform in [0, 1]), d = 10, n = 20, from
    # 10 d n r^2 samples to a test error < 1e-8 within 60 RCG iterations
    d, n, rk = 10, 20, 4
    shape = (n,) * d
    rng = np.random.default_rng(3)
    ranks = [1] + [rk] * (d - 1) + [1]
    X = tt.TensorTrain([rng.uniform(0, 1, size=(ranks[k], n, ranks[k + 1])) for k in range(d)])
    I = _samples(shape, 10 * d * n * rk**2, 14)
    It = _samples(shape, 2000, 15)
    r = tt.complete(I, X[I], shape, rk, "rcg", test=(It, X[It]), max_iter=60, tol=1e-12)
    assert r.test_error[-1] < 1e-8, (r.stop_reason, r.test_error[-5:])
    assert r.n_iter <= 60 and len(r.test_error) == r.n_iter + 1
    assert r.tt.ranks == X.ranks


def test_completion_of_a_gaussian_train_with_more_samples():
    # Gaussian cores (zero mean: a random start) at d = 6 from 46 d n r^2 samples
    d, n, rk = 6, 8, 3
    shape = (n,) * d
    X = tt.random(shape, rk, seed=13)
    I = _samples(shape, 46 * d * n * rk**2, 14)
    It = _samples(shape, 2000, 15)
    r = tt.complete(I, X[I], shape, rk, "rcg", test=(It, X[It]), max_iter=80, tol=1e-12)
    assert r.test_error[-1] < 1e-8, (r.stop_reason, r.test_error[-5:])
    assert r.stop_reason == "converged" and r.train_error[-1] <= 1e-12


def test_matrix_completion():
    m, n, rk = 150, 120, 5
    rng = np.random.default_rng(16)
    A = rng.standard_normal((m, rk)) @ rng.standard_normal((rk, n))
    M = 3 * rk * (m + n - rk)
    flat = rng.choice(m * n, size=M + 1000, replace=False)
    I = np.stack(np.unravel_index(flat, (m, n)), axis=1)
    r = tt.complete(I[:M], A[tuple(I[:M].T)], (m, n), rk, test=(I[M:], A[tuple(I[M:].T)]), max_iter=300, tol=1e-13)
    assert _rel(r.tt.full(), A) < 1e-9, r.stop_reason


def test_rank_adaptive_function_completion():
    n, d = 12, 4
    g = np.linspace(0, 1, n)
    full = np.exp(-np.sqrt(sum(np.meshgrid(*[g**2] * d, indexing="ij"))))
    I = _samples(full.shape, 4000, 17)
    It = _samples(full.shape, 1000, 18)
    r = tt.complete(I, full[tuple(I.T)], full.shape, 5, rank_adaptive=True, test=(It, full[tuple(It.T)]),
                    max_iter_stage=40)
    assert r.ranks[0] == 1 and max(r.ranks) > 1
    assert _rel(r.tt.full(), full) < 1e-3


def test_als_method_and_float32():
    shape = (6, 5, 6, 5)
    X = tt.random(shape, 2, seed=19)
    I, It = _samples(shape, 3000, 20), _samples(shape, 500, 21)
    r = tt.complete(I, X[I], shape, 2, "als", test=(It, X[It]), max_iter=15)
    assert r.method == "als" and _rel(r.tt[It], X[It]) < 1e-8
    r32 = tt.complete(I, X[I].astype(np.float32), shape, 2, max_iter=100, tol=1e-6)
    assert r32.tt.dtype == np.float32 and _rel(r32.tt[It], X[It]) < 1e-4


def test_too_few_samples_shows_overfitting_in_the_test_history():
    shape = (8, 8, 8)
    X = tt.random(shape, 3, seed=22)
    I, It = _samples(shape, 40, 23), _samples(shape, 300, 24)
    r = tt.complete(I, X[I], shape, 3, test=(It, X[It]), max_iter=100)
    assert r.train_error[-1] < 1e-3 and r.test_error[-1] > 1e-2


def test_bad_input():
    shape = (4, 4, 4)
    I = _samples(shape, 50, 25)
    v = np.ones(50)
    with pytest.raises(ValueError, match="empty"):
        tt.complete(np.zeros((0, 3), dtype=int), np.zeros(0), shape, 2)
    bad = I.copy()
    bad[3, 1] = 4
    with pytest.raises(IndexError):
        tt.complete(bad, v, shape, 2)
    nan = v.copy()
    nan[5] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        tt.complete(I, nan, shape, 2)
    dup = np.vstack([I, I[:1]])
    with pytest.raises(ValueError, match="repeated"):
        tt.complete(dup, np.ones(51), shape, 2, duplicates="error")
    with pytest.raises(ValueError, match="method"):
        tt.complete(I, v, shape, 2, "newton")
    with pytest.warns(UserWarning, match="capped"):
        r = tt.complete(I, v, shape, 9, max_iter=5)
    assert r.tt.max_rank <= 4
    with pytest.raises(ValueError, match="zero"):
        tt.complete(I, np.zeros(50), shape, 2)
    X = tt.random(shape, 2, seed=0)
    S = tt.TangentSpace(X)
    with pytest.raises(ValueError, match="shape"):
        S.project(tt.random((4, 4, 5), 2))
    other = tt.TangentSpace(tt.random(shape, 2, seed=1))
    with pytest.raises(ValueError, match="another tangent space"):
        S.to_tt(other.project(X))
    with pytest.raises(ValueError):
        tt.TangentSpace(tt.zeros(shape))


def test_duplicates_are_averaged():
    shape = (5, 5)
    A = np.outer(np.arange(1, 6.0), np.arange(1, 6.0))
    I = np.array([(i, j) for i in range(5) for j in range(5)])
    vals = A[tuple(I.T)]
    # the same entries again with +1 and -1 noise: averaging restores the exact values
    I2 = np.vstack([I, I, I])
    v2 = np.concatenate([vals, vals + 1, vals - 1])
    r = tt.complete(I2, v2, shape, 1, max_iter=100, tol=1e-13)
    assert _rel(r.tt.full(), A) < 1e-10
