"""TensorTrain and TTMatrix classes: construction, properties, operators, evaluation."""

import pickle

import numpy as np
import pytest
from conftest import dense_from_cores, random_cores

import tensortrain as tt


def test_cores_roundtrip_and_properties(rng):
    cores = random_cores((3, 4, 5), (1, 2, 3, 1), rng)
    x = tt.TensorTrain(cores)
    assert x.shape == (3, 4, 5)
    assert x.ranks == (1, 2, 3, 1)
    assert x.ndim == 3 and x.dtype == np.float64
    assert x.num_params == sum(c.size for c in cores)
    for a, b in zip(x.cores, cores):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(x.full(), dense_from_cores(cores), rtol=1e-13)
    assert "shape=(3, 4, 5)" in repr(x) and "ranks=(1, 2, 3, 1)" in repr(x)


def test_input_cores_are_copied_and_views_read_only(rng):
    cores = random_cores((3, 4), (1, 2, 1), rng)
    keep = [c.copy() for c in cores]
    x = tt.TensorTrain(cores)
    cores[0][...] = 0
    np.testing.assert_array_equal(x.cores[0], keep[0])
    with pytest.raises(ValueError):
        x.cores[0][0, 0, 0] = 1.0


def test_operators_match_dense(rng):
    x = tt.TensorTrain(random_cores((3, 4, 5), (1, 2, 2, 1), rng))
    y = tt.TensorTrain(random_cores((3, 4, 5), (1, 3, 2, 1), rng))
    X, Y = x.full(), y.full()
    np.testing.assert_allclose((x + y).full(), X + Y, atol=1e-12)
    np.testing.assert_allclose((x - y).full(), X - Y, atol=1e-12)
    np.testing.assert_allclose((2.5 * x).full(), 2.5 * X, atol=1e-12)
    np.testing.assert_allclose((x * 2.5).full(), 2.5 * X, atol=1e-12)
    np.testing.assert_allclose((x / 4).full(), X / 4, atol=1e-12)
    np.testing.assert_allclose((-x).full(), -X, atol=1e-12)
    np.testing.assert_allclose((x * y).full(), X * Y, atol=1e-12)
    assert (x * y).ranks == (1, 6, 4, 1)
    assert x @ y == pytest.approx(np.sum(X * Y), rel=1e-12)
    assert tt.dot(x, y) == pytest.approx(np.vdot(X, Y), rel=1e-12)
    assert x.norm() == pytest.approx(np.linalg.norm(X), rel=1e-13)


def test_complex_dot_conjugates_first(rng):
    x = tt.TensorTrain(random_cores((3, 4), (1, 2, 1), rng, np.complex128))
    y = tt.TensorTrain(random_cores((3, 4), (1, 2, 1), rng, np.complex128))
    assert tt.dot(x, y) == pytest.approx(np.vdot(x.full(), y.full()), rel=1e-12)
    assert x @ y == pytest.approx(np.sum(x.full() * y.full()), rel=1e-12)
    z = 1j * x
    assert z.dtype == np.complex128
    np.testing.assert_allclose(z.full(), 1j * x.full())


def test_dtype_promotion(rng):
    x32 = tt.TensorTrain(random_cores((3, 4), (1, 2, 1), rng, np.float32))
    x64 = tt.TensorTrain(random_cores((3, 4), (1, 2, 1), rng))
    assert x32.dtype == np.float32
    assert (x32 + x64).dtype == np.float64
    assert (x32 * 2.0).dtype == np.float32
    xc = tt.TensorTrain(random_cores((3, 4), (1, 2, 1), rng, np.complex128))
    assert (x64 + xc).dtype == np.complex128
    xi = tt.TensorTrain([np.ones((1, 2, 1), dtype=np.int32)])
    assert xi.dtype == np.float64
    with pytest.raises(TypeError):
        xc.astype(np.float64)
    with pytest.raises(TypeError):
        tt.TensorTrain([np.array([[["a"]]], dtype=object)])


def test_getitem_single_and_batch(rng):
    cores = random_cores((5, 6, 7), (1, 3, 2, 1), rng)
    x = tt.TensorTrain(cores)
    X = dense_from_cores(cores)
    assert x[1, 2, 3] == pytest.approx(X[1, 2, 3], rel=1e-13)
    assert x[-1, 0, -2] == pytest.approx(X[-1, 0, -2], rel=1e-13)
    idx = np.stack([rng.integers(0, n, 1000) for n in (5, 6, 7)], axis=1)
    np.testing.assert_allclose(x[idx], X[tuple(idx.T)], rtol=1e-12, atol=1e-14)
    with pytest.raises(IndexError):
        x[5, 0, 0]
    with pytest.raises(IndexError):
        x[np.array([[0, 0, 7]])]
    with pytest.raises(ValueError):
        x[np.zeros((3, 2), dtype=np.int64)]
    with pytest.raises(TypeError):
        x[np.zeros((3, 3))]


def test_batch_evaluation_is_threaded_and_exact_on_large_batch(rng):
    x = tt.random((4,) * 20, 20, seed=3)
    idx = rng.integers(0, 4, size=(100_000, 20))
    vals = x[idx]
    # reference for a subset by explicit slice products
    cores = x.cores
    for m in range(0, 100_000, 9973):
        v = np.ones(1)
        for k, c in enumerate(cores):
            v = v @ c[:, idx[m, k], :]
        assert vals[m] == pytest.approx(v[0], rel=1e-12, abs=1e-300)


def test_pickle_copy_and_sum(rng):
    x = tt.TensorTrain(random_cores((3, 4, 5), (1, 2, 2, 1), rng))
    y = pickle.loads(pickle.dumps(x))
    np.testing.assert_array_equal(y.full(), x.full())
    z = x.copy()
    assert z is not x and z.ranks == x.ranks
    X = x.full()
    assert x.sum() == pytest.approx(X.sum(), rel=1e-12)
    w = [rng.random(n) for n in x.shape]
    assert x.sum(w) == pytest.approx(np.einsum("ijk,i,j,k->", X, *w), rel=1e-12)
    assert x.sum([None, w[1], None]) == pytest.approx(np.einsum("ijk,j->", X, w[1]), rel=1e-12)
    with pytest.raises(ValueError):
        x.sum([np.ones(3), np.ones(4)])


def test_constructors():
    np.testing.assert_array_equal(tt.zeros((2, 3)).full(), np.zeros((2, 3)))
    np.testing.assert_array_equal(tt.ones((2, 3)).full(), np.ones((2, 3)))
    v = [np.arange(1.0, 3.0), np.arange(1.0, 4.0), np.array([2.0])]
    np.testing.assert_allclose(tt.rank_one(v).full(), np.einsum("i,j,k->ijk", *v))
    I = tt.eye((2, 3))
    np.testing.assert_array_equal(I.full(), np.eye(6))
    r = tt.random((3, 4, 5), 10, seed=1)
    assert r.ranks == (1, 3, 5, 1)  # capped by the mode sizes
    r2 = tt.random((3, 4, 5), [2, 2], seed=1)
    assert r2.ranks == (1, 2, 2, 1)
    np.testing.assert_array_equal(tt.random((3, 4), 2, seed=5).full(), tt.random((3, 4), 2, seed=5).full())
    assert not np.array_equal(tt.random((3, 4), 2, seed=5).full(), tt.random((3, 4), 2, seed=6).full())
    assert tt.random((3, 4), 2, dtype=np.complex128).dtype == np.complex128


def test_kron_and_orthogonalize(rng):
    x = tt.TensorTrain(random_cores((2, 3), (1, 2, 1), rng))
    y = tt.TensorTrain(random_cores((4,), (1, 1), rng))
    z = tt.kron(x, y)
    np.testing.assert_allclose(z.full(), np.multiply.outer(x.full(), y.full()), rtol=1e-13)
    w = tt.TensorTrain(random_cores((3, 4, 5, 3), (1, 3, 4, 3, 1), rng))
    o = w.orthogonalize(1)
    np.testing.assert_allclose(o.full(), w.full(), atol=1e-12)
    c0 = o.cores[0].reshape(-1, o.ranks[1])
    np.testing.assert_allclose(c0.T @ c0, np.eye(o.ranks[1]), atol=1e-12)
    c3 = o.cores[3].reshape(o.ranks[3], -1)
    np.testing.assert_allclose(c3 @ c3.T, np.eye(o.ranks[3]), atol=1e-12)


class TestTTMatrix:
    def test_dense_roundtrip_and_products(self, rng):
        M = rng.standard_normal((2 * 3 * 4, 3 * 2 * 2))
        A = tt.TTMatrix.from_dense(M, (2, 3, 4), (3, 2, 2), rtol=1e-13)
        np.testing.assert_allclose(A.full(), M, atol=1e-12)
        assert A.shape == (24, 12)
        x = tt.TensorTrain(random_cores((3, 2, 2), (1, 2, 2, 1), rng))
        np.testing.assert_allclose((A @ x).full().ravel(), M @ x.full().ravel(), atol=1e-11)
        v = rng.standard_normal(12)
        np.testing.assert_allclose(A @ v, M @ v, atol=1e-11)
        np.testing.assert_allclose(A @ v.reshape(3, 2, 2), (M @ v).reshape(2, 3, 4), atol=1e-11)
        B = tt.random_matrix((3, 2, 2), (2, 2, 2), 2, seed=3)
        np.testing.assert_allclose((A @ B).full(), M @ B.full(), atol=1e-11)
        np.testing.assert_allclose(A.T.full(), M.T)
        np.testing.assert_allclose((A + A).full(), 2 * M, atol=1e-11)
        np.testing.assert_allclose((A - 0.5 * A).full(), 0.5 * M, atol=1e-11)
        assert A.norm() == pytest.approx(np.linalg.norm(M), rel=1e-12)
        with pytest.raises(ValueError):
            A @ tt.ones((3, 2, 3))
        with pytest.raises(ValueError):
            A @ np.ones(13)
        with pytest.raises(ValueError):
            A @ A

    def test_cores_layout(self, rng):
        cores = [rng.standard_normal((1, 2, 3, 2)), rng.standard_normal((2, 4, 2, 1))]
        A = tt.TTMatrix(cores)
        for a, b in zip(A.cores, cores):
            np.testing.assert_array_equal(a, b)
        full = np.einsum("aijb,bklc->ikjl", *cores).reshape(8, 6)
        np.testing.assert_allclose(A.full(), full, rtol=1e-13)
        assert A.ranks == (1, 2, 1)
        assert "row_dims=(2, 4)" in repr(A)
        with pytest.raises(ValueError):
            tt.TTMatrix([rng.standard_normal((1, 2, 3))])

    def test_round_identity_sum(self):
        I = tt.eye((3, 4, 5))
        S = I + I + I
        assert S.ranks == (1, 3, 3, 1)
        R = S.round(1e-12)
        assert R.ranks == (1, 1, 1, 1)
        np.testing.assert_allclose(R.full(), 3 * np.eye(60), atol=1e-12)
