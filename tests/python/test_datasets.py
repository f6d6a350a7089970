import numpy as np
import pytest

from tensortrain.datasets import make_interactions


def test_make_interactions_shapes_values_and_balance():
    X, y = make_interactions(2000, n_features=12, n_interactions=5, order=3, random_state=0)
    assert X.shape == (2000, 12) and X.dtype == np.float64
    assert y.shape == (2000,) and y.dtype == np.int64
    assert set(np.unique(X)) == {-1.0, 1.0}
    assert set(np.unique(y)) == {-1, 1}
    assert 0.2 < np.mean(y == 1) < 0.8  # both classes well represented
    assert np.all(np.abs(X.mean(axis=0)) < 0.1)  # +-1 uniform


def test_make_interactions_is_deterministic():
    a = make_interactions(300, random_state=7)
    b = make_interactions(300, random_state=7)
    c = make_interactions(300, random_state=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    g = make_interactions(300, random_state=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], g[0])


def test_make_interactions_labels_follow_a_hidden_interaction_model():
    # order 1 with one term: the label is the sign of one feature (times the sign of its weight)
    X, y = make_interactions(500, n_features=5, n_interactions=1, order=1, random_state=3)
    matches = [np.mean(y == X[:, k]) for k in range(5)] + [np.mean(y == -X[:, k]) for k in range(5)]
    assert max(matches) == 1.0
    # order = n_features: the label depends on the product of all features only
    X, y = make_interactions(500, n_features=4, n_interactions=1, order=4, random_state=3)
    p = np.prod(X, axis=1)
    assert np.all(y == p) or np.all(y == -p)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_samples=0), "n_samples must be >= 1"),
        (dict(n_samples=10, n_features=0), "n_features must be >= 1"),
        (dict(n_samples=10, n_interactions=0), "n_interactions must be >= 1"),
        (dict(n_samples=10, order=0), "order must be >= 1"),
        (dict(n_samples=10, n_features=3, order=4), "order must be <= n_features"),
    ],
)
def test_make_interactions_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_interactions(**kwargs)


def test_make_interactions_rejects_bad_types():
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        make_interactions(10.5)
    with pytest.raises(TypeError, match="random_state"):
        make_interactions(10, random_state="seed")
