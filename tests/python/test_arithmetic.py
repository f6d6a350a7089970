"""norm/dot stability, matvec against dense, Hadamard and sums of TT-matrices."""

import numpy as np
import pytest
from conftest import random_cores

import tensortrain as tt


@pytest.mark.parametrize("c", [3.0, 0.25, 1.01])
def test_norm_d1000_no_overflow(c):
    """Rank-one train of unit-direction vectors scaled by c: ||x|| = c**1000 in closed form."""
    d = 1000
    th = np.linspace(0, 1, d)
    x = tt.rank_one([c * np.array([np.cos(t), np.sin(t)]) for t in th])
    exact_log = d * np.log(c)
    assert tt.log_norm(x) == pytest.approx(exact_log, rel=1e-12, abs=1e-12)
    if abs(exact_log) < 700:
        assert tt.norm(x) == pytest.approx(np.exp(exact_log), rel=1e-12)
    else:
        assert tt.norm(x) == (np.inf if exact_log > 0 else 0.0)


def test_norm_d1000_rank3():
    """A d=1000 rank-3 train whose norm is known exactly after doubling and scaling."""
    x = tt.random((2,) * 1000, 3, seed=11)
    ln = tt.log_norm(x)
    assert np.isfinite(ln)
    assert tt.log_norm(x + x) == pytest.approx(ln + np.log(2), rel=1e-12)
    assert tt.log_norm(x * 1e-5) == pytest.approx(ln + np.log(1e-5), rel=1e-12)
    assert np.isfinite(2 * ln) and 2 * ln < 700  # a random train of this size has a moderate norm
    assert tt.dot(x, x) == pytest.approx(np.exp(2 * ln), rel=1e-10)


def test_norm_of_small_difference_has_no_sqrt_eps_floor():
    """||(x + 1e-12 y) - x|| is 1e-12 ||y|| up to rounding of x's size; a sqrt(<d, d>) norm
    would return ~1e-8 ||x|| here."""
    x = tt.random((4,) * 12, 6, seed=1)
    y = tt.random((4,) * 12, 3, seed=2)
    d = (x + 1e-12 * y) - x
    assert tt.norm(d) == pytest.approx(1e-12 * tt.norm(y), rel=1e-3)


def test_dot_large_d_matches_product_formula():
    vs = [np.array([1.0, 2.0, 0.5]) for _ in range(300)]
    ws = [np.array([0.5, 1.0, 3.0]) for _ in range(300)]
    x, y = tt.rank_one(vs), tt.rank_one(ws)
    assert tt.dot(x, y) == pytest.approx(4.0**300, rel=1e-12)


def test_hadamard_and_sub_to_zero(rng):
    x = tt.TensorTrain(random_cores((3, 4, 5), (1, 2, 2, 1), rng))
    z = (x - x).round(1e-12)
    assert z.norm() <= 1e-14 * x.norm()
    assert (x - x).norm() <= 1e-14 * x.norm()
    assert (x - x).round(max_rank=1).norm() <= 1e-14 * x.norm()
    np.testing.assert_allclose(tt.hadamard(x, x).full(), x.full() ** 2, atol=1e-12)


def test_matvec_functions_and_exact_ranks(rng):
    A = tt.random_matrix((2, 3, 4), (4, 3, 2), [1, 3, 2, 1], seed=2)
    x = tt.TensorTrain(random_cores((4, 3, 2), (1, 2, 3, 1), rng))
    y = tt.matvec(A, x)
    assert y.ranks == (1, 6, 6, 1)
    np.testing.assert_allclose(y.full().ravel(), A.full() @ x.full().ravel(), atol=1e-11)
    Ac = A.astype(np.complex128) * (1 + 2j)
    yc = Ac @ x
    assert yc.dtype == np.complex128
    np.testing.assert_allclose(yc.full().ravel(), (1 + 2j) * (A.full() @ x.full().ravel()), atol=1e-10)


def test_matvec_float32(rng):
    A = tt.random_matrix((3, 3), (3, 3), 2, seed=1, dtype=np.float32)
    x = tt.random((3, 3), 2, seed=2, dtype=np.float32)
    y = A @ x
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.full().ravel(), A.full() @ x.full().ravel(), rtol=1e-4, atol=1e-5)
