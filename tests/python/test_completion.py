"""als_fit: fitting a train to samples, against held-out entries of known tensors."""
import numpy as np
import pytest

import tensortrain as tt


def _samples(shape, M, seed):
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, n, size=M) for n in shape], axis=1)


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_recovers_random_train_on_held_out_entries():
    shape = (7, 6, 8, 5, 6)
    X = tt.random(shape, 2, seed=3)
    I, It = _samples(shape, 6000, 0), _samples(shape, 2000, 1)
    r = tt.als_fit(I, X[I], shape, 2, n_sweeps=15, init="random")
    assert _rel(r.tt[It], X[It]) < 1e-8
    assert r.tt.ranks == X.ranks
    assert len(r.train_error) == r.n_sweeps and r.n_sweeps <= 30


def test_function_samples_against_dense_values():
    # 1/(1 + sum x^2) on a 16^6 grid: rank 3 from 8000 samples, checked on the whole dense tensor
    n, d = 16, 6
    g = np.linspace(0, 1, n)
    full = 1 / (1 + sum(np.meshgrid(*[g**2] * d, indexing="ij")))
    I = _samples(full.shape, 8000, 2)
    r = tt.als_fit(I, full[tuple(I.T)], full.shape, 3, n_sweeps=10)
    assert _rel(r.tt.full(), full) < 5e-3
    assert r.ranks[0] == 1 and r.tt.max_rank == 3  # rank adaption from the constant start


def test_validation_picks_best_and_stops():
    shape = (5, 5, 5, 5)
    X = tt.random(shape, 1, seed=1)
    I = _samples(shape, 400, 5)
    vals = X[I]
    Iv = _samples(shape, 100, 6)
    r = tt.als_fit(I, vals, shape, 1, n_sweeps=50, validation=(Iv, X[Iv]))
    assert r.stop_reason == "converged" and r.converged
    assert len(r.val_error) == r.n_sweeps
    assert r.val_error[r.best_sweep - 1] == min(r.val_error) < 1e-10
    r2 = tt.als_fit(I, vals, shape, 1, n_sweeps=50, val_fraction=0.2, seed=4)
    assert len(r2.val_error) == r2.n_sweeps and min(r2.val_error) < 1e-10


def test_float32_duplicates_callback_and_inputs_untouched(capsys):
    shape = (4, 5, 6)
    X = tt.random(shape, 2, seed=2)
    I = _samples(shape, 600, 7)
    I = np.concatenate([I, I[:50]])  # duplicates with consistent values are harmless
    vals = X[I].astype(np.float32)
    I0, v0 = I.copy(), vals.copy()
    seen = []
    r = tt.als_fit(I, vals, shape, 2, n_sweeps=10, init="random", callback=lambda info: seen.append(info) or len(seen) == 3, verbose=True)
    assert r.tt.dtype == np.float32
    assert r.stop_reason == "callback" and len(seen) == 3 and r.n_sweeps == 3
    assert set(seen[0]) == {"sweep", "max_rank", "train_error", "val_error"}
    assert "als_fit: half-sweep" in capsys.readouterr().err
    np.testing.assert_array_equal(I, I0)
    np.testing.assert_array_equal(vals, v0)
    full = tt.als_fit(I, vals, shape, 2, n_sweeps=15, init="random")
    assert _rel(full.tt[I].astype(np.float64), X[I]) < 1e-4  # single precision


def test_bad_input():
    shape = (4, 4, 4)
    I = _samples(shape, 100, 0)
    v = np.ones(100)
    with pytest.raises(ValueError, match="not finite"):
        tt.als_fit(I, np.where(np.arange(100) == 3, np.nan, 1.0), shape, 2)
    bad = I.copy()
    bad[5, 2] = 4
    with pytest.raises(IndexError, match="mode 2"):
        tt.als_fit(bad, v, shape, 2)
    with pytest.raises(ValueError, match=r"shape \(M, 3\)"):
        tt.als_fit(I[:, :2], v, shape, 2)
    with pytest.raises(ValueError, match="match the indices"):
        tt.als_fit(I, v[:-1], shape, 2)
    with pytest.raises(TypeError, match="integer array"):
        tt.als_fit(I.astype(float), v, shape, 2)
    with pytest.raises(TypeError, match="real numbers"):
        tt.als_fit(I, v.astype(complex), shape, 2)
    with pytest.raises(ValueError, match="no samples"):
        tt.als_fit(I[:0], v[:0], shape, 2)
    with pytest.raises(ValueError, match="reg"):
        tt.als_fit(I, v, shape, 2, reg=-1)
    with pytest.raises(ValueError, match="either"):
        tt.als_fit(I, v, shape, 2, validation=(I, v), val_fraction=0.1)
    with pytest.raises(ValueError, match="init"):
        tt.als_fit(I, v, shape, 2, init="zeros")
    with pytest.raises(ValueError, match="init has shape"):
        tt.als_fit(I, v, shape, 2, init=tt.random((4, 4), 2))
    with pytest.raises(ValueError, match="ranks"):
        tt.als_fit(I, v, shape, 2, init=tt.random(shape, 3))
    with pytest.raises(ValueError, match="parameters"):
        tt.als_fit(I, v, (4, 10**9, 4), 1000)
    with pytest.raises(ValueError, match="rank must be"):
        tt.als_fit(I, v, shape, [1, 2, 2])
