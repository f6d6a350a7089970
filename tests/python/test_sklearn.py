import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import tensortrain as tt  # noqa: E402
from tensortrain.datasets import make_interactions  # noqa: E402
from tensortrain.sklearn import ExponentialMachineClassifier, ExponentialMachineRegressor  # noqa: E402

# Small, fast settings for scikit-learn's own estimator checks.
FAST = dict(rank=2, max_iter=5, random_state=0)


@parametrize_with_checks([ExponentialMachineClassifier(**FAST), ExponentialMachineRegressor(**FAST)])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _pm1(n, d, seed):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(n, d))


# ----------------------------------------------------------------------------- ground truth
def test_regressor_recovers_an_exact_low_rank_model():
    X = _pm1(2500, 6, 0)
    y = 0.5 + X[:, 0] - 2 * X[:, 2] + 3 * X[:, 0] * X[:, 1] * X[:, 3]
    reg = ExponentialMachineRegressor(rank=3, max_iter=60, random_state=0).fit(X[:2000], y[:2000])
    assert reg.score(X[2000:], y[2000:]) > 0.99
    assert isinstance(reg.coef_, tt.TensorTrain) and reg.coef_.shape == (2,) * 6
    assert max(reg.coef_.ranks) <= 3


def test_classifier_learns_interactions_a_linear_model_cannot():
    X, y = make_interactions(5000, n_features=8, n_interactions=3, order=2, random_state=0)
    clf = ExponentialMachineClassifier(rank=4, max_iter=40, random_state=0).fit(X[:4000], y[:4000])
    acc = clf.score(X[4000:], y[4000:])
    assert acc > 0.9
    lin = LogisticRegression().fit(X[:4000], y[:4000]).score(X[4000:], y[4000:])
    assert lin < acc - 0.15
    assert clf.n_iter_ == len(clf.loss_curve_) >= 1
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def _categorical_data(n, seed):
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 5, size=n)
    x = rng.uniform(-1, 1, size=(n, 3))
    a = np.array([2.0, -1.0, 0.5, -2.0, 1.0])  # slope of x0 for each level: no polynomial in the level
    b = np.array([0.0, 1.0, -1.0, 0.5, 0.0])
    y = a[level] * x[:, 0] + b[level] + 0.3 * x[:, 1]
    return np.column_stack([level, x]), y


def test_categorical_features_model_each_level():
    X, y = _categorical_data(3000, 1)
    Xt, yt = _categorical_data(1000, 2)
    common = dict(rank=4, max_iter=60, random_state=0)
    cat = ExponentialMachineRegressor(categorical_features=[0], **common).fit(X, y)
    num = ExponentialMachineRegressor(**common).fit(X, y)
    assert cat.coef_.shape == (6, 2, 2, 2)
    np.testing.assert_array_equal(cat.categories_[0], np.arange(5))
    assert cat.score(Xt, yt) > 0.95
    assert cat.score(Xt, yt) > num.score(Xt, yt) + 0.1
    # a level not seen in fit contributes nothing: the same as switching the feature off
    Xu = Xt[:5].copy()
    Xu[:, 0] = 7
    assert np.all(np.isfinite(cat.predict(Xu)))
    with pytest.raises(ValueError, match="non-negative integer levels"):
        cat.predict(np.column_stack([np.full(5, 1.5), Xt[:5, 1:]]))


def _dense_model(W, X, scale, categorical=(), categories=()):
    """Ground truth: sum_i W[i] prod_k phi_k(x)[i_k] from the dense tensor, phi_k = e_0 + x_k e_1 for a
    numeric feature (scaled), e_0 + e_{1 + level position} for a categorical one (e_0 if unseen)."""
    full = np.asarray(W.full(), dtype=np.float64)
    out = []
    for x in X:
        t = full
        for k in range(X.shape[1]):
            phi = np.zeros(W.shape[k])
            phi[0] = 1.0
            if k in categorical:
                levels = list(categories[list(categorical).index(k)])
                if x[k] in levels:
                    phi[1 + levels.index(x[k])] = 1.0
            else:
                phi[1] = x[k] / scale[k]
            t = np.tensordot(phi, t, axes=(0, 0))
        out.append(float(t))
    return np.array(out)


def test_decision_function_is_the_model_on_scaled_features():
    rng = np.random.default_rng(9)
    X = np.column_stack([rng.integers(0, 3, 200), rng.uniform(-5, 5, (200, 3))])
    y = np.where(X[:, 1] * X[:, 2] > 0, "a", "b")
    clf = ExponentialMachineClassifier(rank=3, max_iter=3, tol=None, categorical_features=[0],
                                       random_state=0).fit(X, y)
    Xt = np.column_stack([rng.integers(0, 4, 30), rng.uniform(-8, 8, (30, 3))])  # level 3 unseen
    want = _dense_model(clf.coef_, Xt, clf.scale_, clf.categorical_features_, clf.categories_)
    np.testing.assert_allclose(clf.decision_function(Xt), want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(clf.predict_proba(Xt)[:, 1], 1 / (1 + np.exp(-want)), rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(Xt), np.where(want > 0, "b", "a"))
    np.testing.assert_allclose(clf.scale_[1:], np.abs(X[:, 1:]).max(axis=0))
    assert clf.scale_[0] == 1.0


# ----------------------------------------------------------------------------- scikit-learn integration
def test_pipeline_and_grid_search():
    X = _pm1(1200, 6, 1)
    # no term dominates, so the sign is no single monomial: a rank-1 model (whose sign is one) fails
    t = X[:, 0] * X[:, 1] + X[:, 2] * X[:, 3] + 0.5 * X[:, 4]
    y = np.where(t > 0, "yes", "no")  # string labels
    pipe = make_pipeline(FunctionTransformer(), ExponentialMachineClassifier(random_state=0))
    grid = GridSearchCV(pipe, {"exponentialmachineclassifier__rank": [1, 3]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X[:900], y[:900])
    assert grid.best_params_["exponentialmachineclassifier__rank"] == 3
    assert grid.score(X[900:], y[900:]) > 0.95
    assert set(grid.predict(X[900:])) <= {"no", "yes"}


def test_pickle_round_trip_gives_identical_predictions():
    X, y = make_interactions(400, n_features=6, n_interactions=2, order=2, random_state=2)
    clf = ExponentialMachineClassifier(rank=3, max_iter=5, tol=None, random_state=0).fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.decision_function(X), clf.decision_function(X))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


def test_float32_input_and_float32_engine():
    X, y = make_interactions(1500, n_features=6, n_interactions=2, order=2, random_state=3)
    X32 = X.astype(np.float32)
    a = ExponentialMachineClassifier(rank=3, max_iter=20, tol=None, random_state=0).fit(X32[:1200], y[:1200])
    assert a.coef_.dtype == np.float64
    b = ExponentialMachineClassifier(rank=3, max_iter=20, tol=None, random_state=0, dtype=np.float32).fit(X[:1200],
                                                                                                      y[:1200])
    assert b.coef_.dtype == np.float32
    for est in (a, b):
        assert est.score(X32[1200:], y[1200:]) > 0.9
        p = est.predict_proba(X32[1200:])
        np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_scaling_makes_the_fit_unit_invariant():
    X, y = make_interactions(800, n_features=6, n_interactions=2, order=2, random_state=4)
    X = X * np.random.default_rng(0).uniform(0.5, 1.0, size=X.shape)
    kw = dict(rank=3, max_iter=10, tol=None, random_state=0)
    a = ExponentialMachineClassifier(**kw).fit(X, y)
    b = ExponentialMachineClassifier(**kw).fit(X * 1000, y)
    np.testing.assert_allclose(b.decision_function(X * 1000), a.decision_function(X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.scale_, 1000 * a.scale_)


def test_partial_fit_and_warm_start():
    X, y = make_interactions(1000, n_features=6, n_interactions=2, order=2, random_state=5)
    clf = ExponentialMachineClassifier(rank=3, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[-1, 1])
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, np.where(y > 0, 2, -1))
    one = ExponentialMachineClassifier(rank=3, random_state=0).partial_fit(X[y > 0], y[y > 0], classes=[-1, 1])
    one.partial_fit(X, y)  # a first batch of one class is fine when classes are given
    np.testing.assert_array_equal(one.classes_, [-1, 1])

    warm = ExponentialMachineRegressor(rank=2, max_iter=3, tol=None, warm_start=True, random_state=0)
    yr = X[:, 0] * X[:, 1]
    warm.fit(X, yr)
    first = warm.loss_curve_[-1]
    warm.fit(X, yr)
    assert warm.loss_curve_[0] <= first * 1.5  # continues instead of restarting from the linear model


def test_early_stopping_keeps_the_best_validation_model():
    X, y = make_interactions(1500, n_features=6, n_interactions=2, order=2, random_state=6)
    clf = ExponentialMachineClassifier(rank=3, max_iter=50, early_stopping=True, n_iter_no_change=3,
                                       random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.n_iter_ < 50


def test_convergence_warning_and_verbose(capsys):
    X, y = make_interactions(300, n_features=4, n_interactions=2, order=2, random_state=7)
    with pytest.warns(ConvergenceWarning, match="Maximum number of epochs"):
        ExponentialMachineClassifier(max_iter=2, tol=0.0, n_iter_no_change=5, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch 1: objective" in out and "epoch 2: objective" in out


def test_random_init_riemannian():
    X = _pm1(1500, 5, 8)
    y = 1.0 + X[:, 0] * X[:, 1] - X[:, 2]
    reg = ExponentialMachineRegressor(init="random", rank=3, max_iter=60, random_state=0).fit(X[:1200], y[:1200])
    assert reg.score(X[1200:], y[1200:]) > 0.99


def test_sgd_solver_on_the_cores():
    X, y = make_interactions(3000, n_features=6, n_interactions=2, order=2, random_state=0)
    clf = ExponentialMachineClassifier(solver="sgd", rank=3, max_iter=60, random_state=0).fit(X[:2000], y[:2000])
    assert clf.score(X[2000:], y[2000:]) > 0.95


def test_dropout_trains_an_unbiased_model():
    X = _pm1(1500, 5, 8)
    y = 1.0 + X[:, 0] * X[:, 1] - X[:, 2]
    reg = ExponentialMachineRegressor(dropout=0.8, rank=3, max_iter=20, random_state=0).fit(X[:1200], y[:1200])
    assert reg.score(X[1200:], y[1200:]) > 0.8  # dropout shrinks the fit; a kept feature is scaled by 1/0.8


# ----------------------------------------------------------------------------- bad input
@pytest.fixture
def data():
    X, y = make_interactions(60, n_features=4, n_interactions=2, order=2, random_state=0)
    return X, y


def test_bad_labels(data):
    X, y = data
    with pytest.raises(ValueError, match="one class"):
        ExponentialMachineClassifier().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        ExponentialMachineClassifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        ExponentialMachineClassifier().fit(X, np.linspace(0, 1, len(y)))


def test_bad_X(data):
    X, y = data
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ExponentialMachineClassifier().fit(Xn, y)
    clf = ExponentialMachineClassifier(max_iter=2, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(Xn)
    with pytest.raises(ValueError, match="X has 3 features, but ExponentialMachineClassifier is expecting 4"):
        clf.predict(X[:, :3])
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="[Ss]parse"):
        ExponentialMachineClassifier().fit(sparse.csr_matrix(X), y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(rank=0), "rank must be an integer >= 1"),
        (dict(rank=2.5), "rank must be an integer >= 1"),
        (dict(batch_size=0), "batch_size must be 'auto' or an integer >= 1"),
        (dict(batch_size="big"), "batch_size must be 'auto' or an integer >= 1"),
        (dict(dropout=0.0), r"dropout .* must lie in \(0, 1\]"),
        (dict(dropout=1.5), r"dropout .* must lie in \(0, 1\]"),
        (dict(loss="hinge"), "supports loss in"),
        (dict(solver="adam"), "solver must be one of"),
        (dict(init="zeros"), "init must be one of"),
        (dict(max_iter=0), "max_iter must be an integer >= 1"),
        (dict(reg=-1.0), "reg must be a finite number >= 0"),
        (dict(exp_reg=0.5), "exp_reg must be a finite number >= 1"),
        (dict(validation_fraction=1.0), r"validation_fraction must lie in \(0, 1\)"),
        (dict(step=0.0), "step must be a finite number > 0"),
        (dict(dtype=np.int32), "dtype must be numpy.float32 or numpy.float64"),
        (dict(categorical_features=[4]), r"column indices in \[0, 4\)"),
        (dict(categorical_features=[1, 1]), "repeated"),
    ],
)
def test_bad_parameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        ExponentialMachineClassifier(**params).fit(X, y)


def test_regressor_loss_must_be_squared():
    X = _pm1(20, 3, 0)
    with pytest.raises(ValueError, match="supports loss in"):
        ExponentialMachineRegressor(loss="logistic").fit(X, X[:, 0])


def test_categorical_levels_must_be_non_negative_integers(data):
    X, y = data
    with pytest.raises(ValueError, match="non-negative integer levels"):
        ExponentialMachineClassifier(categorical_features=[0]).fit(X, y)  # holds -1


@pytest.mark.parametrize("n, expect", [(60, 32), (2000, 250), (9000, 1024)])  # floor 32, n // 8, cap 1024
def test_auto_batch_size_is_an_eighth_of_the_data_within_32_and_1024(n, expect):
    X, y = make_interactions(n, n_features=4, n_interactions=2, order=2, random_state=0)
    kw = dict(rank=3, max_iter=1, tol=None, random_state=0)
    auto = ExponentialMachineClassifier(**kw).fit(X, y)
    fixed = ExponentialMachineClassifier(batch_size=expect, **kw).fit(X, y)
    other = ExponentialMachineClassifier(batch_size=expect + 7, **kw).fit(X, y)
    np.testing.assert_array_equal(auto.decision_function(X), fixed.decision_function(X))
    assert not np.array_equal(auto.decision_function(X), other.decision_function(X))


def test_batch_size_larger_than_the_data_is_clipped(data):
    X, y = data
    clf = ExponentialMachineClassifier(batch_size=10_000, max_iter=2, tol=None).fit(X, y)
    assert clf.n_iter_ == 2
