"""Every bad input gets a clear Python exception; nothing crashes or allocates a giant array."""

import numpy as np
import pytest

import tensortrain as tt


def test_core_validation_messages():
    with pytest.raises(ValueError, match="rank mismatch between cores 0 and 1.*right rank 2.*left rank 3"):
        tt.TensorTrain([np.ones((1, 3, 2)), np.ones((3, 4, 1))])
    with pytest.raises(ValueError, match="first core must have left rank 1, got 2"):
        tt.TensorTrain([np.ones((2, 3, 1))])
    with pytest.raises(ValueError, match="last core must have right rank 1, got 2"):
        tt.TensorTrain([np.ones((1, 3, 2))])
    with pytest.raises(ValueError, match="3-D"):
        tt.TensorTrain([np.ones((3, 1))])
    with pytest.raises(ValueError, match="at least one core"):
        tt.TensorTrain([])
    with pytest.raises(ValueError, match="empty"):
        tt.TensorTrain([np.ones((1, 0, 1))])
    with pytest.raises(TypeError):
        tt.TensorTrain(np.ones((1, 3, 1)))


def test_nan_inf_refused():
    with pytest.raises(ValueError, match="NaN or Inf"):
        tt.TensorTrain([np.array([[[1.0], [np.nan]]])])
    a = np.ones((3, 4))
    a[1, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or Inf"):
        tt.tt_svd(a)
    with pytest.raises(ValueError):
        tt.ones((2, 2)) * np.nan


def test_bad_tolerances_and_ranks():
    a = np.ones((3, 4))
    x = tt.ones((3, 4))
    for bad in (-1e-3, np.nan, np.inf):
        with pytest.raises(ValueError, match="rtol"):
            tt.tt_svd(a, rtol=bad)
        with pytest.raises(ValueError, match="rtol"):
            tt.round(x, rtol=bad)
    for bad in (0, -3):
        with pytest.raises(ValueError, match="max_rank"):
            tt.tt_svd(a, max_rank=bad)
        with pytest.raises(ValueError, match="max_rank"):
            x.round(max_rank=bad)
    with pytest.raises(TypeError):
        tt.tt_svd(a, max_rank=2.5)
    with pytest.raises(TypeError):
        tt.tt_svd(a, rtol="small")


def test_empty_and_scalar_inputs():
    with pytest.raises(ValueError, match="empty"):
        tt.tt_svd(np.ones((3, 0, 2)))
    with pytest.raises(ValueError, match="scalar"):
        tt.tt_svd(np.float64(3.0))
    with pytest.raises(ValueError):
        tt.zeros(())
    with pytest.raises(ValueError):
        tt.ones((3, 0))


def test_shape_mismatch():
    x, y = tt.ones((3, 4)), tt.ones((3, 5))
    with pytest.raises(ValueError, match="shape"):
        x + y
    with pytest.raises(ValueError, match="shape"):
        tt.dot(x, y)
    with pytest.raises(ValueError, match="shape"):
        x * y
    with pytest.raises(ValueError):
        tt.eye((3, 4)) @ y
    with pytest.raises(TypeError):
        x + 1.0
    with pytest.raises(TypeError):
        tt.dot(x, np.ones((3, 4)))
    with pytest.raises(TypeError):
        x == x


def test_full_of_huge_train_refused_before_allocating():
    x = tt.ones((2,) * 60)
    with pytest.raises(ValueError, match="entries"):
        x.full()
    with pytest.raises(tt.SizeError):
        x.full()
    with pytest.raises(ValueError, match="entries"):
        tt.eye((2,) * 40).full()
    assert x.size == 2**60
    assert x.norm() == pytest.approx(2.0**30)


def test_out_of_range_indices():
    x = tt.ones((3, 4))
    with pytest.raises(IndexError, match="out of range for mode 1 of size 4"):
        x[0, 4]
    with pytest.raises(IndexError):
        x[np.array([[0, 0], [-5, 0]])]


def test_d_equals_one():
    v = np.array([3.0, 4.0])
    x = tt.tt_svd(v)
    assert x.norm() == pytest.approx(5.0)
    assert x[1] == 4.0
    np.testing.assert_array_equal(x[np.array([[0], [1]])], v)
    np.testing.assert_array_equal((x + x).round().full(), 2 * v)
    assert tt.round(x + x).ranks == (1, 1)


def test_random_bad_ranks():
    with pytest.raises(ValueError):
        tt.random((3, 4), [2, 2, 2])
    with pytest.raises(ValueError):
        tt.random((3, 4), 0)
    with pytest.raises(ValueError):
        tt.random((3, -1), 2)
