"""tensortrain.exp_machine: the engine calls behind the exponential-machine estimators, checked
against dense numpy contractions on small cases."""
import numpy as np
import pytest

import tensortrain as tt
from tensortrain import exp_machine as em


def local_vectors(values, slots, shape):
    """phi[m][k] = e_0 + values[m, k] e_{slots[m, k]}."""
    M, d = values.shape
    out = []
    for m in range(M):
        row = []
        for k in range(d):
            v = np.zeros(shape[k])
            v[0] = 1.0
            v[1 if slots is None else slots[m, k]] += values[m, k]
            row.append(v)
        out.append(row)
    return out


def dense_model(full, phi):
    cur = full
    for v in phi:
        cur = np.tensordot(v, cur, axes=(0, 0))
    return float(cur)


def order_weights(shape, exp_reg):
    """exp_reg^{number of nonzero indices} as a dense tensor."""
    w = np.ones(())
    for n in shape:
        f = np.full(n, exp_reg)
        f[0] = 1.0
        w = np.multiply.outer(w, f)
    return w


@pytest.mark.parametrize("categorical", [False, True])
def test_predict_matches_dense(categorical):
    rng = np.random.default_rng(0)
    shape = (2, 4, 2, 3, 2) if categorical else (2,) * 6
    w = tt.random(shape, 3, seed=1)
    M = 200
    vals = rng.standard_normal((M, len(shape)))
    slots = None
    if categorical:
        slots = np.stack([rng.integers(1, n, M) if n > 2 else np.ones(M, int) for n in shape], axis=1)
        vals[:, [1, 3]] = 1.0
    f = em.predict(w, vals, slots)
    full = w.full()
    ref = [dense_model(full, phi) for phi in local_vectors(vals, slots, shape)]
    np.testing.assert_allclose(f, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    assert em.predict(w.astype(np.float32), vals, slots).dtype == np.float32


@pytest.mark.parametrize("loss", ["logistic", "squared"])
def test_objective_and_core_gradient_match_dense(loss):
    rng = np.random.default_rng(1)
    shape = (2, 2, 2, 2)
    w = tt.random(shape, 2, seed=2)
    X = rng.standard_normal((60, 4))
    y = np.where(rng.standard_normal(60) > 0, 1.0, -1.0) if loss == "logistic" else rng.standard_normal(60)
    reg, exp_reg = 0.3, 1.6
    full = w.full()
    phis = local_vectors(X, None, shape)
    f = np.array([dense_model(full, p) for p in phis])
    data = np.log1p(np.exp(-y * f)) if loss == "logistic" else 0.5 * (f - y) ** 2
    pen = 0.5 * reg * np.sum(order_weights(shape, exp_reg) * full**2)
    obj = em.objective(w, X, y, loss=loss, reg=reg, exp_reg=exp_reg)
    assert obj == pytest.approx(data.mean() + pen, rel=1e-12)
    # Riemannian gradient = projection of the dense Euclidean gradient onto the tangent space at w
    dl = -y / (1 + np.exp(y * f)) if loss == "logistic" else f - y
    egrad = sum(c * np.einsum("i,j,k,l->ijkl", *p) for c, p in zip(dl / len(y), phis))
    egrad = egrad + reg * order_weights(shape, exp_reg) * full
    space = tt.TangentSpace(w)
    delta_ref = space.project(tt.tt_svd(egrad, rtol=1e-14)).cores
    got = em.gradient(w, X, y, loss=loss, reg=reg, exp_reg=exp_reg, riemannian=True)
    assert len(got) == len(delta_ref)
    for a, b in zip(got, delta_ref):  # the same tangent space, so the same gauge: compare the deltas
        np.testing.assert_allclose(a, b, atol=1e-11 * max(1.0, np.abs(b).max()))
    # core gradient: first-order change of the objective along a random direction of the cores
    cg = em.gradient(w, X, y, loss=loss, reg=reg, exp_reg=exp_reg, riemannian=False)
    dirs = [rng.standard_normal(c.shape) for c in w.cores]
    h = 1e-6
    plus = tt.TensorTrain([c + h * e for c, e in zip(w.cores, dirs)])
    minus = tt.TensorTrain([c - h * e for c, e in zip(w.cores, dirs)])
    fd = (em.objective(plus, X, y, loss=loss, reg=reg, exp_reg=exp_reg)
          - em.objective(minus, X, y, loss=loss, reg=reg, exp_reg=exp_reg)) / (2 * h)
    assert fd == pytest.approx(sum(np.sum(g * e) for g, e in zip(cg, dirs)), rel=1e-6)


def test_linear_model_tt_is_exact_and_padded():
    rng = np.random.default_rng(3)
    coef = rng.standard_normal(7)
    w = em.linear_model_tt(0.25, coef, rank=4)
    assert max(w.ranks) == 4
    X = rng.standard_normal((50, 7))
    np.testing.assert_allclose(em.predict(w, X), 0.25 + X @ coef, rtol=1e-12, atol=1e-12)
    noisy = em.linear_model_tt(0.25, coef, rank=4, noise=1e-3, seed=1)
    assert np.abs(em.predict(noisy, X) - (0.25 + X @ coef)).max() > 0


@pytest.mark.parametrize("solver", ["riemannian-sgd", "sgd"])
def test_train_epochs_fits_a_realizable_model_and_leaves_the_input(solver):
    rng = np.random.default_rng(4)
    d = 6
    truth = em.linear_model_tt(0.5, rng.standard_normal(d), rank=2)
    X = rng.choice([-1.0, 1.0], size=(1500, d))
    y = em.predict(truth, X) + 0.8 * X[:, 0] * X[:, 2] * X[:, 3]  # a third-order interaction on top
    w0 = tt.random((2,) * d, 3, seed=5) * 0.1
    before = [c.copy() for c in w0.cores]
    # noise-free data: the long steps of armijo=0.5, step_growth=2 pay (see train_epochs)
    w, curve, step = em.train_epochs(w0, X, y, loss="squared", solver=solver, batch_size=50, n_epochs=15, seed=1,
                                     armijo=0.5, step_growth=2.0)
    assert all(np.array_equal(a, b) for a, b in zip(before, w0.cores))
    assert len(curve) == 15 and step > 0
    assert w.ranks == w0.ranks
    r2 = 1 - np.mean((em.predict(w, X) - y) ** 2) / np.var(y)
    assert r2 > (0.999 if solver == "riemannian-sgd" else 0.9)


def test_bad_input():
    w = tt.random((2, 2, 2), 2, seed=0)
    X = np.ones((4, 3))
    y = np.array([1.0, -1.0, 1.0, -1.0])
    with pytest.raises(ValueError, match="shape"):
        em.predict(w, np.ones((4, 2)))
    bad = X.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        em.predict(w, bad)
    with pytest.raises(TypeError):
        em.predict(w.full(), X)
    with pytest.raises(ValueError, match="labels"):
        em.objective(w, X, np.array([1.0, 0.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="reg"):
        em.objective(w, X, y, reg=-1.0)
    with pytest.raises(ValueError, match="exp_reg"):
        em.objective(w, X, y, exp_reg=0.5)
    with pytest.raises(ValueError, match="keep_prob"):
        em.train_epochs(w, X, y, keep_prob=0.0)
    with pytest.raises(ValueError, match="solver"):
        em.train_epochs(w, X, y, solver="adam")
    with pytest.raises(ValueError, match="entries"):
        em.objective(w, X, y[:3])
    wc = tt.random((2, 3, 2), 2, seed=0)
    with pytest.raises(ValueError, match="slots"):
        em.predict(wc, X)  # a mode of size 3 needs slots
    with pytest.raises(ValueError, match="slots"):
        em.predict(wc, X, np.full((4, 3), 3))


@pytest.mark.parametrize("d", [1, 3, 8, 30, 200])
def test_default_sigma_puts_a_tenth_of_the_energy_on_the_constant_or_caps_at_one_half(d):
    s = em.default_sigma(d)
    if d <= 10:  # (1 + 0.5^2)^d < 10 up to d = 10: the cap binds
        assert s == 0.5
    else:
        assert (1 + s * s) ** d == pytest.approx(10.0, rel=1e-12)
    shape = (2,) * d
    a = em.random_start(shape, 3, seed=4)
    b = em.random_start(shape, 3, sigma=s, seed=4)
    for ca, cb in zip(a.cores, b.cores):
        np.testing.assert_array_equal(ca, cb)
    with pytest.raises(ValueError):
        em.default_sigma(0)
