"""matvec(method="fit") and linear_combination: products and sums fitted by sweeps."""
import numpy as np
import pytest

import tensortrain as tt


def _rel(a, b):
    return (a - b).norm() / b.norm()


def test_matvec_fit_matches_exact_product_against_dense():
    dims = (3, 4, 2, 3)
    A = tt.random_matrix(dims, dims, 2, seed=1)
    x = tt.random(dims, 3, seed=2)
    y = tt.matvec(A, x, method="fit", rtol=1e-13)
    dense = A.full() @ x.full().reshape(-1)
    np.testing.assert_allclose(y.full().reshape(-1), dense, rtol=0, atol=1e-11 * np.linalg.norm(dense))
    assert y.max_rank <= (A @ x).max_rank


def test_matvec_fit_at_binding_rank_no_worse_than_rounding():
    dims = (4,) * 8
    A = tt.random_matrix(dims, dims, 3, seed=3)
    x = tt.random(dims, 4, seed=4)
    exact = A @ x
    y = tt.matvec(A, x, method="fit", max_rank=6, n_sweeps=6)
    assert y.max_rank <= 6
    assert _rel(y, exact) <= 1.05 * _rel(exact.round(rtol=0, max_rank=6), exact)


def test_linear_combination_fit_and_round_against_dense():
    dims = (4, 3, 5, 2, 3)
    xs = [tt.random(dims, 2, seed=s) for s in range(8)]
    cs = [0.5 * (-1) ** s + s for s in range(8)]
    dense = sum(c * x.full() for c, x in zip(cs, xs))
    for method in ("fit", "round"):
        y = tt.linear_combination(xs, cs, method=method, rtol=1e-12)
        np.testing.assert_allclose(y.full(), dense, atol=1e-10 * np.linalg.norm(dense))
    # complex: coefficients and trains
    zc = [x.astype(np.complex128) * (1 + 1j * s) for s, x in enumerate(xs[:3])]
    yc = tt.linear_combination(zc, [1j, 2.0, -1.0], method="fit", rtol=1e-12)
    dc = 1j * zc[0].full() + 2 * zc[1].full() - zc[2].full()
    np.testing.assert_allclose(yc.full(), dc, atol=1e-10 * np.linalg.norm(dc))


def test_fit_bad_input():
    x = tt.random((3, 3, 3), 2)
    with pytest.raises(ValueError, match="shape"):
        tt.linear_combination([x, tt.random((3, 3, 4), 2)])
    with pytest.raises(ValueError, match="no trains"):
        tt.linear_combination([])
    with pytest.raises(ValueError, match="coefficients"):
        tt.linear_combination([x, x], [1.0])
    with pytest.raises(ValueError, match="finite"):
        tt.linear_combination([x], [np.nan])
    with pytest.raises(TypeError, match="complex"):
        tt.linear_combination([x], [1j])
    with pytest.raises(ValueError, match="method"):
        tt.linear_combination([x], method="svd")
    A = tt.eye((3, 3, 3))
    with pytest.raises(ValueError, match="method"):
        tt.matvec(A, x, method="dmrg")
    with pytest.raises(ValueError, match="max_rank"):
        tt.matvec(A, x, method="fit", max_rank=0)
    with pytest.raises(ValueError, match="n_sweeps"):
        tt.matvec(A, x, method="fit", n_sweeps=0)
