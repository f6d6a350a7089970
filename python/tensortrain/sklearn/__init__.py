"""scikit-learn estimators for exponential machines.

An exponential machine (Novikov, Trofimov and Oseledets, "Exponential machines", 2016) models
``f(x) = sum_{i in {0,1}^d} W[i] prod_k x_k^{i_k}``: one weight for every subset of the ``d``
features, all ``2^d`` interactions, with the weight tensor ``W`` kept in the tensor-train format
of a fixed rank. :class:`ExponentialMachineClassifier` (binary, logistic or squared loss) and
:class:`ExponentialMachineRegressor` (squared loss) train it by (Riemannian) mini-batch SGD with
the engine functions of :mod:`tensortrain.exp_machine`.

This subpackage needs scikit-learn (``pip install "tensortrain[sklearn]"``) and is not imported
by ``import tensortrain``::

    from tensortrain.sklearn import ExponentialMachineClassifier
"""

from __future__ import annotations

import numbers
import sys
import time
import warnings

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import exp_machine as _expm
from ..tt import TensorTrain
from ..tt import ones as _ones_tt
from ..tt import round as _round_tt

__all__ = ["ExponentialMachineClassifier", "ExponentialMachineRegressor"]

_INITS = ("linear", "random")
_AUTO_BATCH = 1024  # batch_size="auto": min(1024, max(32, n / 8)); 1024 runs an epoch ~4x faster than 256 (bench)


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_auto(v) -> bool:
    return isinstance(v, str) and v == "auto"


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(v)


class _BaseExponentialMachine(BaseEstimator):
    """The parameters, data encoding and training loop shared by the two estimators."""

    _losses: tuple = ()
    _default_loss: str = ""

    def __init__(
        self,
        rank=4,
        loss=None,
        solver="riemannian-sgd",
        batch_size="auto",
        max_iter=100,
        reg=0.0,
        exp_reg=1.0,
        dropout=1.0,
        init="linear",
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        step=1.0,
        scale=True,
        categorical_features=None,
        dtype=np.float64,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.rank = rank
        self.loss = loss
        self.solver = solver
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.reg = reg
        self.exp_reg = exp_reg
        self.dropout = dropout
        self.init = init
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.step = step
        self.scale = scale
        self.categorical_features = categorical_features
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------ parameters
    def _loss_name(self) -> str:
        return self._default_loss if self.loss is None else self.loss

    def _engine_dtype(self) -> np.dtype:
        try:
            dt = np.dtype(self.dtype)
        except TypeError:
            dt = None
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {self.dtype!r}")
        return dt

    def _check_params(self) -> None:
        """Validate the constructor parameters (at fit time, as scikit-learn asks)."""
        name = type(self).__name__
        if not _is_int(self.rank) or self.rank < 1:
            raise ValueError(f"rank must be an integer >= 1, got {self.rank!r}")
        if self._loss_name() not in self._losses:
            raise ValueError(f"{name} supports loss in {self._losses}, got {self.loss!r}")
        if self.solver not in _expm.SOLVERS:
            raise ValueError(f"solver must be one of {_expm.SOLVERS}, got {self.solver!r}")
        if not (_is_auto(self.batch_size) or (_is_int(self.batch_size) and self.batch_size >= 1)):
            raise ValueError(f"batch_size must be 'auto' or an integer >= 1, got {self.batch_size!r}")
        if not _is_int(self.max_iter) or self.max_iter < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")
        if not _is_real(self.reg) or self.reg < 0:
            raise ValueError(f"reg must be a finite number >= 0, got {self.reg!r}")
        if not _is_real(self.exp_reg) or self.exp_reg < 1:
            raise ValueError(f"exp_reg must be a finite number >= 1, got {self.exp_reg!r}")
        if not _is_real(self.dropout) or not 0 < self.dropout <= 1:
            raise ValueError(f"dropout is the probability of keeping a feature and must lie in (0, 1], "
                             f"got {self.dropout!r}")
        if self.init not in _INITS:
            raise ValueError(f"init must be one of {_INITS}, got {self.init!r}")
        if self.tol is not None and (not _is_real(self.tol) or self.tol < 0):
            raise ValueError(f"tol must be None or a finite number >= 0, got {self.tol!r}")
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}")
        if not _is_real(self.validation_fraction) or not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must lie in (0, 1), got {self.validation_fraction!r}")
        if not _is_int(self.n_iter_no_change) or self.n_iter_no_change < 1:
            raise ValueError(f"n_iter_no_change must be an integer >= 1, got {self.n_iter_no_change!r}")
        if not _is_real(self.step) or self.step <= 0:
            raise ValueError(f"step must be a finite number > 0, got {self.step!r}")
        if not isinstance(self.scale, (bool, np.bool_)):
            raise ValueError(f"scale must be True or False, got {self.scale!r}")
        self._engine_dtype()
        if not (_is_int(self.verbose) or isinstance(self.verbose, (bool, np.bool_))) or self.verbose < 0:
            raise ValueError(f"verbose must be an integer >= 0, got {self.verbose!r}")

    def _categorical_columns(self, n_features: int) -> np.ndarray:
        cf = self.categorical_features
        if cf is None:
            return np.zeros(0, dtype=np.intp)
        if isinstance(cf, (str, bytes)) or not hasattr(cf, "__len__"):
            raise ValueError(f"categorical_features must be None or a list of column indices, got {cf!r}")
        cols = list(cf)
        for c in cols:
            if not _is_int(c) or not 0 <= c < n_features:
                raise ValueError(f"categorical_features must hold column indices in [0, {n_features}), got {cf!r}")
        if len(set(int(c) for c in cols)) != len(cols):
            raise ValueError(f"categorical_features has repeated columns: {cf!r}")
        return np.array(sorted(int(c) for c in cols), dtype=np.intp)

    # ---------------------------------------------------------------- the encoding
    # Each column of X is one mode of W. A numeric column is a mode of size 2 (slot 1 holds the
    # scaled value); a categorical column with K levels seen in fit is a mode of size K + 1 whose
    # slot 1 + k is switched on (value 1) by the k-th level; an unseen level switches nothing on.
    @staticmethod
    def _check_levels(x: np.ndarray, col: int) -> None:
        if np.any(x < 0) or np.any(x != np.floor(x)):
            raise ValueError(f"categorical feature {col} must hold non-negative integer levels")

    def _fit_encoding(self, X: np.ndarray) -> None:
        d = X.shape[1]
        cat = self._categorical_columns(d)
        numeric = np.setdiff1d(np.arange(d), cat)
        scale = np.ones(d)
        if self.scale and numeric.size:
            m = np.max(np.abs(X[:, numeric]), axis=0).astype(np.float64)
            scale[numeric] = np.where(m > 0, m, 1.0)
        categories = []
        for j in cat:
            self._check_levels(X[:, j], int(j))
            categories.append(np.unique(X[:, j]).astype(np.int64))
        self.scale_ = scale
        self.categorical_features_ = cat
        self.categories_ = categories

    def _mode_sizes(self) -> list:
        shape = [2] * self.n_features_in_
        for j, levels in zip(self.categorical_features_, self.categories_):
            shape[j] = levels.size + 1
        return shape

    def _encode(self, X: np.ndarray):
        """(values, slots) of the samples for the engine; slots is None without categorical columns."""
        values = np.asarray(X, dtype=np.float64) / self.scale_
        if self.categorical_features_.size == 0:
            return values, None
        slots = np.ones(values.shape, dtype=np.int32)
        for j, levels in zip(self.categorical_features_, self.categories_):
            x = values[:, j]
            self._check_levels(x, int(j))
            pos = np.searchsorted(levels.astype(np.float64), x)
            seen = (pos < levels.size) & (levels[np.minimum(pos, levels.size - 1)] == x)
            slots[:, j] = np.where(seen, pos + 1, 1)
            values[:, j] = seen
        return values, slots

    # ------------------------------------------------------------- the start point
    def _linear_start(self, values, slots, y, rng) -> TensorTrain:
        """The exact train of a linear model fitted to the encoded data, padded to ``rank``."""
        shape = self._mode_sizes()
        n, d = values.shape
        # Design matrix of the linear part: one column per slot >= 1 of each mode.
        offsets = np.concatenate([[0], np.cumsum([s - 1 for s in shape])])
        Z = np.zeros((n, offsets[-1]))  # (a first partial_fit batch of one class gets Ridge's constant model)
        for k in range(d):
            cols = offsets[k] + (0 if slots is None else slots[:, k] - 1)
            Z[np.arange(n), cols] = values[:, k]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a start point need not be converged
            if self._loss_name() == "logistic" and np.unique(y).size == 2:
                lin = LogisticRegression(C=1.0).fit(Z, y)
            else:
                lin = Ridge(alpha=1.0).fit(Z, y)
        coef = np.ravel(lin.coef_)
        intercept = float(np.ravel(lin.intercept_)[0])
        # linear_model_tt builds modes of size 2; a categorical mode gets coefficient 1 there and
        # its slots are filled below: slot s is slot 1 times the coefficient of level s.
        per_mode = np.array([coef[offsets[k]] if shape[k] == 2 else 1.0 for k in range(d)])
        w = _expm.linear_model_tt(intercept, per_mode, 2, dtype=self._engine_dtype())
        if any(s != 2 for s in shape):
            cores = [np.array(c) for c in w.cores]
            for k in range(d):
                if shape[k] != 2:
                    c = coef[offsets[k]:offsets[k + 1]]
                    g = cores[k]
                    cores[k] = np.concatenate([g[:, :1, :], g[:, 1:2, :] * c[None, :, None]], axis=1)
            w = TensorTrain(cores)
        if max(w.ranks) > self.rank:  # rank 1: a linear model needs rank 2, keep its best rank-1 part
            w = _round_tt(w, rtol=0.0, max_rank=self.rank)
        return w

    def _initial_coef(self, values, slots, y, rng) -> TensorTrain:
        """random: exp_machine.random_start (identity "no feature" slices, small random feature
        slices, norm 1). linear: the same with its constant term replaced by the fitted linear
        model, rounded back to ``rank``."""
        shape = self._mode_sizes()
        w = _expm.random_start(shape, self.rank, seed=int(rng.randint(0, 2**31 - 1)),
                               dtype=self._engine_dtype())
        if self.init == "random":
            return w
        lin = self._linear_start(values, slots, y, rng)
        if self.rank <= 2:  # no room beside the linear model
            return lin
        const = float(w[(0,) * len(shape)])
        return _round_tt(w + lin - const * _ones_tt(shape, dtype=w.dtype), rtol=0.0, max_rank=self.rank)

    # ---------------------------------------------------------------- the training
    def _validate_X(self, X, reset: bool):
        return validate_data(self, X, reset=reset, accept_sparse=False, dtype=(np.float64, np.float32))

    def _decision(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = self._validate_X(X, reset=False)
        values, slots = self._encode(X)
        return np.asarray(_expm.predict(self.coef_, values, slots), dtype=np.float64)

    def _batch_size(self, n: int) -> int:
        if _is_auto(self.batch_size):
            return int(min(_AUTO_BATCH, max(32, n // 8)))
        return int(self.batch_size)

    def _epoch(self, w, values, slots, y, step, rng):
        w, curve, step = _expm.train_epochs(
            w, values, y, slots, loss=self._loss_name(), solver=self.solver,
            batch_size=self._batch_size(values.shape[0]),
            n_epochs=1, reg=float(self.reg), exp_reg=float(self.exp_reg), keep_prob=float(self.dropout),
            step=step, seed=int(rng.randint(0, 2**31 - 1)))
        if not np.isfinite(curve[-1]):
            raise ValueError(f"the training objective became {curve[-1]}; lower step, raise reg, or keep scale=True")
        return w, float(curve[-1]), step

    def _fit(self, X, y):
        self._check_params()
        warm = bool(self.warm_start) and hasattr(self, "coef_")
        X, y = validate_data(self, X, y, reset=not warm, accept_sparse=False, dtype=(np.float64, np.float32),
                             y_numeric=isinstance(self, RegressorMixin))
        target = self._targets(y, reset=not warm)
        if not warm:
            self._fit_encoding(X)
        values, slots = self._encode(X)
        rng = check_random_state(self.random_state)

        if self.early_stopping:
            n = X.shape[0]
            n_val = int(np.ceil(self.validation_fraction * n))
            stratify = None
            if isinstance(self, ClassifierMixin):
                # stratified when every class can give a sample to each side (not so on tiny data sets)
                n_val = max(n_val, 2)
                if min(np.sum(target > 0), np.sum(target < 0)) >= 2:
                    stratify = target
            if n - n_val < 1:
                raise ValueError(f"early_stopping with validation_fraction={self.validation_fraction} leaves no "
                                 f"training samples: n_samples={n}")
            idx_train, idx_val = train_test_split(np.arange(n), test_size=n_val, random_state=rng, stratify=stratify)
            val = (values[idx_val], None if slots is None else slots[idx_val], target[idx_val])
            values, target = values[idx_train], target[idx_train]
            slots = None if slots is None else slots[idx_train]

        if warm:
            w, step = self.coef_.astype(self._engine_dtype()), self.step_
        else:
            w, step = self._initial_coef(values, slots, target, rng), float(self.step)

        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        best_loss, best_score, best_w, no_improvement = np.inf, -np.inf, w, 0
        converged = False
        t0 = time.perf_counter()
        for epoch in range(1, self.max_iter + 1):
            w, loss, step = self._epoch(w, values, slots, target, step, rng)
            self.loss_curve_.append(loss)
            line = f"epoch {epoch}: objective {loss:.6g}"
            # Stopping as in scikit-learn's SGD and MLP: n_iter_no_change epochs in a row without an
            # improvement of at least tol over the best so far (training objective, or validation score).
            if self.early_stopping:
                score = self._score_values(w, *val)
                self.validation_scores_.append(score)
                line += f", validation score {score:.6g}"
                improved = self.tol is None or score >= best_score + self.tol
                if score > best_score:
                    best_score, best_w = score, w
            else:
                improved = self.tol is None or loss <= best_loss - self.tol
                best_loss = min(best_loss, loss)
            no_improvement = 0 if improved else no_improvement + 1
            if self.verbose:
                print(f"{line}, {time.perf_counter() - t0:.2f} s", file=sys.stdout, flush=True)
            if no_improvement >= self.n_iter_no_change:
                converged = True
                break

        if self.early_stopping:
            w = best_w  # the best model on the held-out data, as MLP does
            self.best_validation_score_ = best_score
        elif hasattr(self, "best_validation_score_"):
            del self.best_validation_score_  # from an earlier fit with early_stopping
        if not converged and self.tol is not None:
            warnings.warn(f"Maximum number of epochs ({self.max_iter}) reached and the optimization hasn't "
                          f"converged yet; raise max_iter or tol.", ConvergenceWarning)
        self.coef_ = w
        self.n_iter_ = epoch
        self.step_ = step
        self._rng = rng  # partial_fit after fit continues this stream
        return self

    def _partial_fit(self, X, y, classes=None):
        first = not hasattr(self, "coef_")
        if first:
            self._check_params()
        X, y = validate_data(self, X, y, reset=first, accept_sparse=False, dtype=(np.float64, np.float32),
                             y_numeric=isinstance(self, RegressorMixin))
        target = self._targets(y, reset=first, classes=classes)
        if first:
            self._fit_encoding(X)
            self._rng = check_random_state(self.random_state)
        values, slots = self._encode(X)
        if first:
            w, step = self._initial_coef(values, slots, target, self._rng), float(self.step)
            self.loss_curve_, self.validation_scores_, self.n_iter_ = [], None, 0
        else:
            w, step = self.coef_.astype(self._engine_dtype()), self.step_
        w, loss, step = self._epoch(w, values, slots, target, step, self._rng)
        self.coef_, self.step_ = w, step
        self.loss_curve_.append(loss)
        self.n_iter_ += 1
        if self.verbose:
            print(f"epoch {self.n_iter_}: objective {loss:.6g}", file=sys.stdout, flush=True)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


_PARAMETERS = """
    rank : int, default=4
        Maximal TT rank of the weight tensor ``W`` (capped where the mode sizes force it).
    loss : str or None, default=None
        {loss}
    solver : {{"riemannian-sgd", "sgd"}}, default="riemannian-sgd"
        Riemannian SGD on the manifold of trains of rank ``rank`` (project the mini-batch gradient
        onto the tangent space, Armijo backtracking, retraction), or plain SGD on the cores with
        the same line search.
    batch_size : int or "auto", default="auto"
        Samples per mini-batch (more than the training set means full batches); "auto" is
        ``min(1024, max(32, n_samples // 8))``: large batches amortize the retraction (an epoch
        at rank 8 on 100k samples runs about 4x faster with 1024 than with 256) and the line
        search lengthens the step with the batch, so little is lost per epoch.
    max_iter : int, default=100
        Maximal number of epochs (passes over the training set).
    reg : float, default=0.0
        Strength of the penalty ``reg / 2 * sum_i exp_reg^{{|i|}} W[i]^2``.
    exp_reg : float, default=1.0
        Base ``>= 1`` of the interaction-order weighting of the penalty (``|i|`` features in the
        interaction ``i``): above 1, higher-order interactions are penalized more.
    dropout : float, default=1.0
        Probability of keeping each feature of each sample in a training step (kept ones are
        scaled by ``1 / dropout``); 1 means no dropout.
    init : {{"linear", "random"}}, default="linear"
        Start from ``exp_machine.random_start`` (every interaction of order ``q`` with a random
        weight of about ``sigma^q``, ``sigma = exp_machine.default_sigma(n_modes)``, about 0.28 for
        30 features, so that low orders lead and high orders grow from them) with its
        constant term replaced by a fitted linear model ({linear}), or from ``random_start``
        itself.
    tol : float or None, default=1e-4
        Training stops after ``n_iter_no_change`` epochs in a row without an improvement of at
        least ``tol`` of the training objective (or the validation score with
        ``early_stopping``). ``None``: run ``max_iter`` epochs.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data{stratified}, stop on its score
        ({score}) and keep the ``W`` of the best score.
    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.
    step : float, default=1.0
        First trial step of the Armijo line search; the search carries its step from batch to
        batch and from call to call (``step_``).
    scale : bool, default=True
        Divide each numeric feature by its largest magnitude on the training data (``scale_``).
        The model multiplies features, so values far outside ``[-1, 1]`` make products of many
        features explode or vanish; scaling makes the fit invariant to the units of each feature.
    categorical_features : list of int or None, default=None
        Columns that hold categorical levels as non-negative integers. Each becomes a mode of size
        ``K + 1`` for the ``K`` levels seen in fit (``categories_``), so every level has its own
        interactions; levels not seen in fit contribute nothing (as if the feature were absent).
    dtype : numpy.float32 or numpy.float64, default=numpy.float64
        Precision of the weight tensor and of the training (any float input is converted).
    random_state : int, RandomState instance or None, default=None
        Seeds the start point, the split for early stopping and each epoch's shuffling and dropout.
    verbose : int, default=0
        Print one line per epoch: objective, validation score and elapsed time.
    warm_start : bool, default=False
        ``fit`` continues from the previous ``coef_``, ``step_``, ``scale_`` and ``categories_``.
"""

_ATTRIBUTES = """
    coef_ : tensortrain.TensorTrain
        The weight tensor ``W``, one mode per feature: ``f(x) = sum_i W[i] prod_k x_k^{i_k}`` in the
        scaled features ``x / scale_``.
    n_iter_ : int
        Epochs run (by the last ``fit``, or by all ``partial_fit`` calls).
    loss_curve_ : list of float
        Training objective of each epoch (the mean over its mini-batches, before each step).
    validation_scores_ : list of float or None
        Score on the held-out data after each epoch with ``early_stopping``, else ``None``.
    best_validation_score_ : float
        Best of ``validation_scores_`` (only with ``early_stopping``).
    step_ : float
        The line search's step at the end of training (the next start for ``partial_fit`` and
        ``warm_start``).
    scale_ : ndarray of shape (n_features_in_,)
        Divisor of each feature (1 for categorical columns and with ``scale=False``).
    categorical_features_ : ndarray of int
        Sorted indices of the categorical columns.
    categories_ : list of ndarray of int
        Levels seen in fit for each column of ``categorical_features_``; level
        ``categories_[j][s]`` is slot ``s + 1`` of its mode of ``coef_``.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of str
        Column names, when fit was given a DataFrame with string column names.
"""

_OBJECTIVE = """
    The objective is ``mean_m loss(f(x_m), y_m) + reg / 2 * sum_i exp_reg^{|i|} W[i]^2``.
"""


class ExponentialMachineClassifier(ClassifierMixin, _BaseExponentialMachine):
    _losses = ("logistic", "squared")
    _default_loss = "logistic"

    def _targets(self, y, reset: bool, classes=None) -> np.ndarray:
        """Labels as -1 (``classes_[0]``) / +1 (``classes_[1]``); sets ``classes_`` when ``reset``."""
        check_classification_targets(y)
        if reset:
            labels = np.unique(y if classes is None else np.asarray(classes))
            if labels.size < 2:
                raise ValueError(f"{type(self).__name__} needs samples of two classes to train; got only one "
                                 f"class ({labels[0]!r})" if labels.size else "no class labels given")
            if labels.size > 2:
                raise ValueError(f"Only binary classification is supported. The type of the target is "
                                 f"{type_of_target(labels)} with {labels.size} classes; "
                                 f"{type(self).__name__} is binary only.")
            self.classes_ = labels
        unknown = ~np.isin(y, self.classes_)
        if np.any(unknown):
            raise ValueError(f"y holds labels not in classes_ {self.classes_.tolist()}: "
                             f"{np.unique(np.asarray(y)[unknown]).tolist()[:5]}")
        return np.where(y == self.classes_[1], 1.0, -1.0)

    def _score_values(self, w, values, slots, y) -> float:
        """Accuracy on encoded held-out data (labels -1/+1)."""
        f = _expm.predict(w, values, slots)
        return float(np.mean(np.where(f > 0, 1.0, -1.0) == y))

    def fit(self, X, y):
        """Fit the model to ``X`` of shape (n_samples, n_features) and two-class labels ``y``."""
        return self._fit(X, y)

    def partial_fit(self, X, y, classes=None):
        """One epoch over ``(X, y)``; the first call sets the model up (``scale_``, ``categories_`` and
        the start point from this batch) and needs ``classes``. ``max_iter``, ``tol`` and
        ``early_stopping`` do not apply."""
        first = not hasattr(self, "coef_")
        if first and classes is None:
            raise ValueError("classes must be passed to the first call of partial_fit")
        if not first and classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes {np.unique(classes).tolist()} differ from classes_ "
                             f"{self.classes_.tolist()} of the first call")
        return self._partial_fit(X, y, classes=classes)

    def decision_function(self, X) -> np.ndarray:
        """``f(x)`` of each sample: positive for ``classes_[1]``."""
        return self._decision(X)

    def predict(self, X) -> np.ndarray:
        f = self._decision(X)
        return self.classes_[(f > 0).astype(np.intp)]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2): the logistic sigmoid of ``f`` (logistic loss)
        or ``clip((f + 1) / 2, 0, 1)`` (squared loss on labels -1/+1)."""
        f = self._decision(X)
        p = expit(f) if self._loss_name() == "logistic" else np.clip((f + 1.0) / 2.0, 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class ExponentialMachineRegressor(RegressorMixin, _BaseExponentialMachine):
    _losses = ("squared",)
    _default_loss = "squared"

    def _targets(self, y, reset: bool, classes=None) -> np.ndarray:
        return np.asarray(y, dtype=np.float64)

    def _score_values(self, w, values, slots, y) -> float:
        """R^2 on encoded held-out data."""
        return float(r2_score(y, _expm.predict(w, values, slots)))

    def fit(self, X, y):
        """Fit the model to ``X`` of shape (n_samples, n_features) and real targets ``y``."""
        return self._fit(X, y)

    def partial_fit(self, X, y):
        """One epoch over ``(X, y)``; the first call sets the model up (``scale_``, ``categories_`` and
        the start point from this batch). ``max_iter``, ``tol`` and ``early_stopping`` do not apply."""
        return self._partial_fit(X, y)

    def predict(self, X) -> np.ndarray:
        """``f(x)`` of each sample."""
        return self._decision(X)


ExponentialMachineClassifier.__doc__ = f"""Binary classifier ``sign f(x)`` with an exponential machine.

    ``f(x) = sum_{{i in {{0,1}}^d}} W[i] prod_k x_k^{{i_k}}`` has one weight for each of the ``2^d``
    subsets of the features; ``W`` is a tensor train of rank ``rank``. Labels may be any two
    classes (``classes_``, sorted); ``classes_[1]`` is the positive class.
    {_OBJECTIVE}
    Parameters
    ----------{_PARAMETERS.format(
        loss='"logistic" (``log(1 + exp(-y f))``, the default) or "squared" (``(f - y)^2 / 2`` on labels -1/+1).',
        linear="scikit-learn's ``LogisticRegression(C=1)``; ``Ridge(alpha=1)`` on labels -1/+1 for the squared loss",
        stratified=" (stratified)", score="accuracy")}
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted.{_ATTRIBUTES}
    Examples
    --------
    >>> from tensortrain.datasets import make_interactions
    >>> from tensortrain.sklearn import ExponentialMachineClassifier
    >>> X, y = make_interactions(4000, n_features=8, n_interactions=3, order=2, random_state=0)
    >>> clf = ExponentialMachineClassifier(rank=4, random_state=0).fit(X[:3000], y[:3000])
    >>> clf.score(X[3000:], y[3000:]) > 0.9
    True
"""

ExponentialMachineRegressor.__doc__ = f"""Regression with an exponential machine.

    ``f(x) = sum_{{i in {{0,1}}^d}} W[i] prod_k x_k^{{i_k}}`` has one weight for each of the ``2^d``
    subsets of the features; ``W`` is a tensor train of rank ``rank``.
    {_OBJECTIVE}
    Parameters
    ----------{_PARAMETERS.format(
        loss='"squared" (``(f - y)^2 / 2``), the only loss of the regressor.',
        linear="scikit-learn's ``Ridge(alpha=1)``", stratified="", score="R^2")}
    Attributes
    ----------{_ATTRIBUTES}"""
