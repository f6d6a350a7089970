"""Largest entries, maximum and minimum of trains against dense numpy."""

import numpy as np
import pytest

import tensortrain as tt


def test_top_k_exact_with_a_full_beam():
    x = tt.random([4, 5, 3, 4, 5], 3, seed=11)
    a = x.full()
    idx, vals = tt.top_k(x, k=6, beam=4 * 5 * 3 * 4 * 5)
    flat = np.argsort(-np.abs(a), axis=None, kind="stable")[:6]
    np.testing.assert_allclose(np.abs(vals), np.abs(a.reshape(-1)[flat]), rtol=1e-12)
    np.testing.assert_allclose(vals, a[tuple(idx.T)], rtol=1e-12)


def test_top_k_rank_one_is_exact_with_any_beam():
    rng = np.random.default_rng(2)
    vs = [rng.standard_normal(7) for _ in range(30)]
    x = tt.rank_one(vs)
    idx, vals = tt.top_k(x, k=1, beam=1)
    best = tuple(int(np.argmax(np.abs(v))) for v in vs)
    assert tuple(idx[0]) == best
    assert vals[0] == pytest.approx(np.prod([v[i] for v, i in zip(vs, best)]), rel=1e-12)


def test_argmax_argmin_against_dense():
    for seed in range(4):
        x = tt.random([6, 5, 4, 6], 2, seed=seed)
        a = x.full()
        (imax, vmax), (imin, vmin) = tt.argmax(x, beam=1000), tt.argmin(x, beam=1000)
        assert vmax == pytest.approx(a.max(), rel=1e-12) and a[imax] == pytest.approx(a.max(), rel=1e-12)
        assert vmin == pytest.approx(a.min(), rel=1e-12) and a[imin] == pytest.approx(a.min(), rel=1e-12)


def test_default_beam_finds_the_peak_of_a_smooth_function():
    # a bump centred at a known grid point, built by cross on a 20^8 grid
    c = np.array([3, 17, 9, 0, 12, 5, 19, 8])
    res = tt.cross(lambda idx: np.exp(-0.05 * ((idx - c) ** 2).sum(axis=1)) - 0.5, [20] * 8, rtol=1e-10)
    i, v = tt.argmax(res.tt)
    assert i == tuple(c) and v == pytest.approx(0.5, rel=1e-8)


def test_bad_input():
    x = tt.random([3, 3], 2)
    with pytest.raises(ValueError):
        tt.top_k(x, k=0)
    with pytest.raises(ValueError):
        tt.top_k(x, k=5, beam=2)
    with pytest.raises(TypeError):
        tt.top_k(np.ones((3, 3)))
    with pytest.raises(TypeError):
        tt.argmax(tt.random([3, 3], 2, dtype=np.complex128))
