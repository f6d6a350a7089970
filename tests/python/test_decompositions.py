"""tt_svd and round: the rtol guarantee, exact ranks, max_rank optimality."""

import numpy as np
import pytest
from conftest import dense_from_cores, random_cores

import tensortrain as tt


def test_tt_svd_exact_ranks(rng):
    cores = random_cores((4, 5, 6, 5), (1, 3, 5, 2, 1), rng)
    a = dense_from_cores(cores)
    x, info = tt.tt_svd(a, rtol=1e-12, return_info=True)
    assert x.ranks == (1, 3, 5, 2, 1)
    assert np.linalg.norm(x.full() - a) <= 1e-12 * np.linalg.norm(a)
    assert info.norm == pytest.approx(np.linalg.norm(a), rel=1e-12)


@pytest.mark.parametrize("seed", range(25))
def test_tt_svd_guarantee(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 6))
    shape = tuple(int(n) for n in rng.integers(2, 7, size=d))
    a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3)
    # add structure so truncation has something to keep
    a += dense_from_cores(random_cores(shape, [1] + [2] * (d - 1) + [1], rng))
    rtol = 10.0 ** rng.uniform(-6, -0.5)
    x, info = tt.tt_svd(a, rtol=rtol, return_info=True)
    err = np.linalg.norm(x.full() - a)
    assert err <= rtol * np.linalg.norm(a) * (1 + 1e-10)
    assert err == pytest.approx(info.truncation_error, rel=1e-6, abs=1e-12 * np.linalg.norm(a))


def test_tt_svd_max_rank_matches_exact_svd(rng):
    """With max_rank binding on a 2-way tensor, the error is the Eckart-Young optimum."""
    a = rng.standard_normal((40, 30))
    x = tt.tt_svd(a, rtol=0, max_rank=4)
    s = np.linalg.svd(a, compute_uv=False)
    assert np.linalg.norm(x.full() - a) == pytest.approx(np.sqrt(np.sum(s[4:] ** 2)), rel=1e-10)


def test_tt_svd_max_rank_does_not_hand_off_sqrt_s(rng):
    """Each later unfolding sees the singular values in full: the error at fixed rank matches a
    plain numpy TT-SVD (U, then S V^T passed on) on the 4^10 test function."""
    d, n = 8, 4
    g = np.linspace(0, 1, n)
    a = 1.0 / (1.0 + sum(np.meshgrid(*([g] * d), indexing="ij")))
    x = tt.tt_svd(a, rtol=0, max_rank=3)
    # reference TT-SVD in numpy
    c, r, cores = a.reshape(n, -1), 1, []
    for k in range(d - 1):
        u, s, vt = np.linalg.svd(c.reshape(r * n, -1), full_matrices=False)
        rk = min(3, len(s))
        cores.append(u[:, :rk].reshape(r, n, rk))
        c = s[:rk, None] * vt[:rk]
        r = rk
    cores.append(c.reshape(r, n, 1))
    ref = np.linalg.norm(dense_from_cores(cores) - a)
    assert np.linalg.norm(x.full() - a) == pytest.approx(ref, rel=1e-8)


def test_tt_svd_dtypes(rng):
    a32 = rng.standard_normal((4, 5, 6)).astype(np.float32)
    x = tt.tt_svd(a32, rtol=1e-3)
    assert x.dtype == np.float32
    assert np.linalg.norm(x.full() - a32) <= 1e-3 * np.linalg.norm(a32) * 1.01
    ac = rng.standard_normal((4, 5, 6)) + 1j * rng.standard_normal((4, 5, 6))
    xc = tt.tt_svd(ac, rtol=1e-12)
    assert xc.dtype == np.complex128
    assert np.linalg.norm(xc.full() - ac) <= 1e-12 * np.linalg.norm(ac)
    ai = np.arange(24).reshape(2, 3, 4)
    assert tt.tt_svd(ai).dtype == np.float64


def test_tt_svd_does_not_modify_input(rng):
    a = rng.standard_normal((6, 7, 8))
    keep = a.copy()
    tt.tt_svd(a, rtol=1e-2)
    np.testing.assert_array_equal(a, keep)
    f = np.asfortranarray(a)
    np.testing.assert_allclose(tt.tt_svd(f, rtol=1e-12).full(), a, atol=1e-12)


def test_tt_svd_zero_and_one_dim():
    z = tt.tt_svd(np.zeros((3, 4, 5)))
    assert z.ranks == (1, 1, 1, 1)
    np.testing.assert_array_equal(z.full(), 0)
    v = tt.tt_svd(np.arange(5.0))
    assert v.ndim == 1
    np.testing.assert_array_equal(v.full(), np.arange(5.0))


def test_round_exact_rank_of_x_plus_x():
    x = tt.random((10,) * 12, 8, seed=4)
    s = x + x
    assert s.max_rank == 16
    r = tt.round(s, rtol=1e-8)
    assert r.ranks == x.ranks
    assert tt.norm(r - 2 * x) <= 1e-8 * tt.norm(2 * x)


def test_round_sees_below_sqrt_eps():
    x = tt.random((5,) * 5, 2, seed=1)
    y = tt.random((5,) * 5, 1, seed=2)
    z = x + 1e-10 * y
    assert tt.round(z, rtol=1e-13).ranks == (1, 3, 3, 3, 3, 1)
    assert tt.round(z, rtol=1e-8).ranks == x.ranks


@pytest.mark.parametrize("seed", range(10))
def test_round_guarantee(seed):
    x = tt.random((4, 3, 5, 4, 3), [1, 4, 8, 9, 3, 1], seed=seed)
    rtol = [1e-1, 1e-2, 1e-3, 0.3, 0.05][seed % 5]
    y, info = tt.round(x, rtol=rtol, return_info=True)
    err = np.linalg.norm(y.full() - x.full())
    assert err <= rtol * np.linalg.norm(x.full()) * (1 + 1e-10)
    assert err == pytest.approx(info.truncation_error, rel=1e-6, abs=1e-12 * info.norm)
    assert tt.round(x, rtol=0, max_rank=2).max_rank <= 2


def test_round_zero_train_and_input_untouched():
    z = tt.TensorTrain([np.zeros((1, 3, 2)), np.zeros((2, 3, 2)), np.zeros((2, 3, 1))])
    r = tt.round(z)
    assert r.ranks == (1, 1, 1, 1)
    np.testing.assert_array_equal(r.full(), 0)
    x = tt.random((3, 4, 5), 3, seed=0)
    before = [c.copy() for c in x.cores]
    tt.round(x, rtol=0.5)
    for a, b in zip(x.cores, before):
        np.testing.assert_array_equal(a, b)
