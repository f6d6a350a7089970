"""TT-cross against ground truth: known TT ranks, closed-form integrals, dense numpy."""

import concurrent.futures as cf
import pickle
import sys

import numpy as np
import pytest

import tensortrain as tt

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import _cross_funcs as cfn  # noqa: E402


def rel_err_on_random(res_tt, f, n=3000, seed=5):
    rng = np.random.default_rng(seed)
    idx = np.stack([rng.integers(0, s, n) for s in res_tt.shape], axis=1)
    ref = f(idx)
    return np.linalg.norm(res_tt[idx] - ref) / np.linalg.norm(ref)


def on_grid(g, n):
    return lambda idx: g(idx / (n - 1.0))


# ------------------------------------------------------------------------ maxvol
def test_maxvol_interpolates_and_bounds_coefficients():
    a = np.random.default_rng(1).standard_normal((300, 7))
    rows, coef = tt.maxvol(a, tol=0.0, max_iters=1000)
    assert len(set(rows.tolist())) == 7
    np.testing.assert_allclose(coef @ a[rows], a, atol=1e-10)
    assert np.abs(coef).max() <= 1 + 1e-10
    vol = abs(np.linalg.det(a[rows]))
    for i in range(0, 300, 13):  # no single row swap increases the volume
        for j in range(7):
            r = rows.copy()
            r[j] = i
            assert abs(np.linalg.det(a[r])) <= vol * (1 + 1e-9)


def test_rect_maxvol_is_the_pseudo_inverse_on_its_rows():
    a = np.random.default_rng(2).standard_normal((120, 5))
    rows, coef = tt.rect_maxvol(a, 11)
    assert len(set(rows.tolist())) == 11
    np.testing.assert_allclose(coef, a @ np.linalg.pinv(a[rows]), atol=1e-10)


def test_maxvol_bad_input():
    with pytest.raises(ValueError):
        tt.maxvol(np.ones((3, 5)))
    with pytest.raises(ValueError):
        tt.maxvol(np.full((5, 2), np.nan))
    with pytest.raises(ValueError):
        tt.maxvol(np.ones(5))
    with pytest.raises(ValueError):
        tt.rect_maxvol(np.random.default_rng(0).random((6, 3)), 2)


# ------------------------------------------------------------------------ known ranks
@pytest.mark.parametrize("method", ["amen", "maxvol", "dmrg"])
@pytest.mark.parametrize(
    "g, rank",
    [
        (lambda x: 1.0 + x.sum(axis=1), 2),  # sum-separable
        (lambda x: np.sin(x.sum(axis=1)), 2),  # sin of a sum
        (lambda x: np.exp(-x.sum(axis=1) / 3), 1),  # exp of a sum
    ],
)
def test_cross_recovers_known_ranks(method, g, rank):
    n, d = 12, 10
    f = on_grid(g, n)
    res = tt.cross(f, [n] * d, rtol=1e-10, method=method, seed=1)
    assert res.converged and res.stop_reason == "converged"
    assert rel_err_on_random(res.tt, f) <= 1e-10
    assert list(tt.round(res.tt, rtol=1e-9).ranks) == [1] + [rank] * (d - 1) + [1]
    assert res.n_evals < 50_000  # of 12^10 = 6e10 entries
    assert res.n_requests >= res.n_evals


@pytest.mark.parametrize("method", ["amen", "maxvol", "dmrg"])
def test_cross_hilbert_tensor_to_rtol(method):
    res = tt.cross(cfn.inv_sum, [16] * 8, rtol=1e-8, method=method)
    assert res.converged
    assert rel_err_on_random(res.tt, cfn.inv_sum) <= 1e-7


def test_cross_of_array_and_of_train_matches_dense():
    rng = np.random.default_rng(3)
    x = tt.random([5, 6, 4, 5], 3, seed=4)
    a = x.full()
    for src in (a, x):
        res = tt.cross(src, rtol=1e-12)
        np.testing.assert_allclose(res.tt.full(), a, atol=1e-10 * np.abs(a).max())
    with pytest.raises(ValueError):
        tt.cross(a, shape=[5, 6, 4, 4])
    b = rng.random((3, 4))
    res = tt.cross(b, rtol=0, method="dmrg")  # d = 2: one supercore is the whole matrix
    np.testing.assert_allclose(res.tt.full(), b, atol=1e-12)


# ------------------------------------------------------------------------ integrals, grids
@pytest.mark.parametrize("d", [10, 100])
def test_integral_of_sin_of_sum(d):
    exact = (2 * np.sin(0.5)) ** d * np.sin(d / 2)
    value, res = tt.integrate(lambda x: np.sin(x.sum(axis=1)), [(0, 1)] * d, n=12, rtol=1e-12)
    assert res.converged
    assert abs(value - exact) <= 1e-10 * abs(exact)


def test_clenshaw_curtis_rule():
    value, _ = tt.integrate(lambda x: np.exp(x.sum(axis=1)), [(0, 1)] * 4, n=17, rule="clenshaw-curtis", rtol=1e-13)
    assert value == pytest.approx((np.e - 1) ** 4, rel=1e-12)


def test_grid_kinds():
    u, c, g = (tt.grid([(0, 2)], 5, kind)[0] for kind in ("uniform", "chebyshev", "gauss"))
    np.testing.assert_allclose(u, [0, 0.5, 1, 1.5, 2])
    np.testing.assert_allclose(c, 1 + np.cos(np.pi * np.arange(5) / 4)[::-1], atol=1e-15)
    np.testing.assert_allclose(g, 1 + np.polynomial.legendre.leggauss(5)[0])
    with pytest.raises(ValueError):
        tt.grid([(1, 0)], 5)
    with pytest.raises(ValueError):
        tt.grid([(0, 1)], 5, "random")


def test_chebyshev_interpolation_at_arbitrary_points():
    dom = [(-1, 2), (0, 1), (0.5, 1.5), (-2, -1), (0, 3)]

    def f(x):
        return 1.0 / (3.0 + np.sum(np.sin(x), axis=1))

    res = tt.cross_function(f, dom, n=30, grid="chebyshev", rtol=1e-12)
    interp = tt.ChebyshevTT(res.tt, dom)
    rng = np.random.default_rng(7)
    pts = np.stack([rng.uniform(a, b, 500) for a, b in dom], axis=1)
    err = np.abs(interp(pts) - f(pts)).max()
    assert err <= 1e-9
    # at the nodes themselves the interpolant reproduces the train
    idx = np.stack([rng.integers(0, 30, 50) for _ in dom], axis=1)
    nodes = np.stack([res.grids[k][idx[:, k]] for k in range(5)], axis=1)
    np.testing.assert_allclose(interp(nodes), res.tt[idx], atol=1e-12)
    with pytest.raises(ValueError):
        interp(np.full((1, 5), 10.0))


# ------------------------------------------------------------------------ budget, cache, control
def test_budget_is_hard_and_counts_distinct_calls():
    seen = []

    def f(idx):
        seen.append(len(idx))
        return cfn.smooth(idx)

    res = tt.cross(f, [10] * 8, rtol=1e-12, max_evals=700)
    assert res.stop_reason == "max_evals" and not res.converged
    assert res.n_evals <= 700 and sum(seen) == res.n_evals
    assert res.tt.shape == (10,) * 8
    tiny = tt.cross(f, [10] * 8, max_evals=5)  # not even the first fibers
    assert tiny.stop_reason == "max_evals" and tiny.n_evals == 0


def test_cache_reuse_and_pickle():
    cache = tt.CrossCache([9] * 6)
    a = tt.cross(cfn.smooth, [9] * 6, rtol=1e-9, cache=cache)
    assert len(cache) == a.n_evals
    b = tt.cross(cfn.smooth, [9] * 6, rtol=1e-9, cache=cache)
    assert b.n_evals == 0 and b.n_cache_hits == b.n_requests
    for ca, cb in zip(a.tt.cores, b.tt.cores):
        np.testing.assert_array_equal(ca, cb)
    c2 = pickle.loads(pickle.dumps(cache))
    assert len(c2) == len(cache)
    idx, vals = c2.items()
    np.testing.assert_array_equal(vals, cfn.smooth(idx))
    with pytest.raises(ValueError):
        tt.cross(cfn.smooth, [9] * 5, cache=cache)


def test_callback_verbose_and_interrupt(capsys):
    res = tt.cross(cfn.smooth, [8] * 6, rtol=0, callback=lambda info: info["sweep"] >= 2, verbose=True)
    assert res.stop_reason == "callback" and res.n_sweeps == 2
    assert "half-sweep" in capsys.readouterr().err
    calls = [0]

    def f(idx):
        calls[0] += 1
        if calls[0] > 3:
            raise KeyboardInterrupt
        return cfn.smooth(idx)

    res = tt.cross(f, [8] * 6, rtol=0)
    assert res.stop_reason == "interrupted"
    assert res.tt.ndim == 6


def test_held_out_test_error():
    res = tt.cross(cfn.inv_sum, [10] * 6, rtol=1e-9, n_test=200)
    assert len(res.test_error_history) == res.n_sweeps
    assert res.test_error_history[-1] <= 1e-8


def test_executors_give_the_serial_result():
    shape = [10] * 7
    ref = tt.cross(cfn.inv_sum, shape, rtol=1e-8)
    with cf.ThreadPoolExecutor(3) as ex:
        r1 = tt.cross(cfn.inv_sum, shape, rtol=1e-8, executor=ex, batch_size=50)
    with cf.ProcessPoolExecutor(2) as ex:
        r2 = tt.cross(cfn.inv_sum, shape, rtol=1e-8, executor=ex)
    for r in (r1, r2):
        assert r.n_evals == ref.n_evals
        for a, b in zip(ref.tt.cores, r.tt.cores):
            np.testing.assert_array_equal(a, b)


def test_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(cfn)  # worker processes cannot import the test folder
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        res = tt.cross(cfn.inv_sum, [10] * 6, rtol=1e-8, executor=client.get_executor())
    ref = tt.cross(cfn.inv_sum, [10] * 6, rtol=1e-8)
    assert res.n_evals == ref.n_evals
    assert rel_err_on_random(res.tt, cfn.inv_sum) <= 1e-7


# ------------------------------------------------------------------------ bad input and edge cases
def test_bad_functions():
    with pytest.raises(ValueError, match="1-D array of"):
        tt.cross(lambda idx: np.ones(len(idx) + 1), [4, 4, 4])
    with pytest.raises(ValueError, match="1-D array of"):
        tt.cross(lambda idx: np.ones((len(idx), 2)), [4, 4, 4])
    with pytest.raises(ValueError, match="multi-index"):
        tt.cross(lambda idx: np.where(idx[:, 0] == 2, np.nan, 1.0), [4, 4, 4])
    with pytest.raises(ValueError, match="multi-index"):
        tt.cross(lambda idx: np.full(len(idx), np.inf), [4, 4, 4])

    class Boom(Exception):
        pass

    def boom(idx):
        raise Boom("simulation crashed")

    with pytest.raises(Boom, match="simulation crashed"):
        tt.cross(boom, [4, 4, 4])
    with pytest.raises(TypeError):
        tt.cross(42, [4, 4])
    with pytest.raises(TypeError):
        tt.cross(cfn.smooth)


def test_bad_arguments():
    for kw in (
        {"rtol": -1},
        {"max_rank": 0},
        {"method": "random"},
        {"max_evals": -5},
        {"n_sweeps": 0},
        {"batch_size": 0},
    ):
        with pytest.raises(ValueError):
            tt.cross(cfn.smooth, [4, 4, 4], **kw)
    with pytest.raises(ValueError):
        tt.cross(cfn.smooth, [4, 0, 4])
    with pytest.raises(TypeError):
        tt.cross(cfn.smooth, [4, 4], dtype=np.complex128)


def test_edge_cases():
    z = tt.cross(lambda idx: np.zeros(len(idx)), [5, 6, 7])
    assert z.tt.norm() == 0.0 and z.converged
    c = tt.cross(lambda idx: np.full(len(idx), 3.5), [5, 6, 7], rtol=1e-12)
    assert list(tt.round(c.tt, rtol=1e-12).ranks) == [1, 1, 1, 1]
    np.testing.assert_allclose(c.tt.full(), 3.5)
    v = tt.cross(lambda idx: np.cos(idx[:, 0]), [13], rtol=1e-12)  # d = 1
    np.testing.assert_allclose(v.tt.full(), np.cos(np.arange(13)), atol=1e-14)
    one = tt.cross(lambda idx: 1.0 + idx[:, 0] * idx[:, 2], [4, 1, 5], rtol=1e-12)  # a mode of size 1
    np.testing.assert_allclose(one.tt.full()[:, 0, :], 1.0 + np.outer(np.arange(4), np.arange(5)), atol=1e-12)
    f32 = tt.cross(cfn.inv_sum, [8] * 5, rtol=1e-5, dtype=np.float32)
    assert f32.tt.dtype == np.float32
    assert rel_err_on_random(f32.tt, cfn.inv_sum) <= 1e-4


# ------------------------------------------------------------------------ elementwise functions
def test_apply_elementwise_functions_against_dense():
    x = tt.random([4, 5, 4, 3, 5], 2, seed=8) * 0.3
    a = x.full()
    e = tt.apply(np.exp, x, rtol=1e-10)
    np.testing.assert_allclose(e.full(), np.exp(a), rtol=1e-8)
    p = tt.cross(lambda idx: 2.0 + idx.sum(axis=1), [4, 5, 4, 3, 5], rtol=1e-12).tt
    inv = tt.apply(lambda v: 1.0 / v, p, rtol=1e-10)
    np.testing.assert_allclose(inv.full(), 1.0 / p.full(), rtol=1e-8)
    y = tt.random([4, 5, 4, 3, 5], 3, seed=9)
    prod = tt.apply(np.multiply, x, y, rtol=1e-12)
    np.testing.assert_allclose(prod.full(), a * y.full(), atol=1e-10 * np.abs(a * y.full()).max())
    assert prod.max_rank <= 6  # the Hadamard product's rank, not more
    with pytest.raises(ValueError):
        tt.apply(np.multiply, x, tt.random([4, 5, 4, 3, 4], 2))
    with pytest.raises(TypeError):
        tt.apply(np.exp, a)
