"""Mitigation: reweighing (Kamiran & Calders), and the ThresholdOptimizer's per-group
randomised thresholds (fairlearn's post-processing), both computed in the core."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _core
from .._util import n_jobs_arg
from ..errors import InvalidInputError
from ..typing import ArrayLike, NJobs, TableLike
from ._checks import INT32_MAX, positive_int
from ._evaluation import observed_groups
from ._groups import Groups
from ._inputs import as_indicator, as_numeric, as_weights, encode_classes, split_features, to_numpy, weight_scale

_core_fair = _core.fairness


def reweighing(
    y_true: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    sample_weight: ArrayLike | None = None,
    n_jobs: NJobs = None,
) -> np.ndarray:
    """Per-row weights that make group and label independent (Kamiran & Calders 2012).

    A row of group g and label y weighs W_g W_y / (W W_gy), with W the total weight, W_g
    the weight of group g, W_y that of label y and W_gy that of both: AIF360's
    ``Reweighing``. Training on these weights removes the association between the groups
    and the labels. With ``sample_weight`` the result is multiplied into it (as AIF360
    multiplies instance weights).

    Parameters
    ----------
    y_true : ArrayLike
        Labels, one per row (any number of classes).
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    numpy.ndarray
        One weight per row (float64).

    Raises
    ------
    InvalidInputError
        No rows, NaN labels, a missing sensitive value, bad weights, or reweighed weights
        that overflow.
    InvalidTypeError
        Weights that are not numbers, or a sensitive feature of an unsupported type.

    Examples
    --------
    >>> from assay.fairness import reweighing
    >>> reweighing([1, 0, 1, 1, 0, 1, 0, 0], sensitive_features=list("ffffmmmm")).round(3)
    array([0.667, 2.   , 0.667, 0.667, 0.667, 2.   , 0.667, 0.667])
    """
    groups, evaluation, _ = observed_groups(y_true, y_true, sensitive_features, n_jobs)
    classes = encode_classes(evaluation.y_true, evaluation.y_true)
    weights = as_weights(sample_weight, len(classes.y_true))
    stats = _core_fair.accumulate_confusion(
        groups.row_group,
        groups.n_groups,
        classes.y_true,
        classes.y_true,
        len(classes.labels),
        weights,
        evaluation.n_jobs,
    )
    table = _core_fair.reweighing(stats)
    result = table[groups.row_group, classes.y_true]
    if weights is None:
        return result
    with np.errstate(over="ignore"):
        result = result * weights * weight_scale(sample_weight)
    if not np.all(np.isfinite(result)):
        raise InvalidInputError(
            "sample_weight: the reweighed weights overflow (weights near 1e308); scale the weights down"
        )
    return result


_CONSTRAINTS = {
    "demographic_parity": "selection_rate",
    "selection_rate_parity": "selection_rate",
    "true_positive_rate_parity": "true_positive_rate",
    "false_positive_rate_parity": "false_positive_rate",
    "true_negative_rate_parity": "true_negative_rate",
    "false_negative_rate_parity": "false_negative_rate",
    "equalized_odds": "equalized_odds",
}
_OBJECTIVES = (
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
)


_PREDICT_METHODS = ("auto", "predict_proba", "decision_function", "predict")


class ThresholdOptimizer:
    """Per-group randomised thresholds on a model's scores that equalise a rate across groups.

    fairlearn's ``ThresholdOptimizer`` (Hardt, Price & Srebro 2016; the same hulls, grid,
    choice, ``flip`` and ``tol``), computed in the core, parallel over groups. Per group,
    every threshold between distinct scores gives a point (rate, objective); the upper
    convex hull of the points is interpolated on the grid 0, 1/grid_size, ..., 1; the grid
    value maximising the group-size-weighted objective is chosen, and each group gets the
    mixture of two threshold rules that reaches it. See the fairness guide for equalized
    odds, ``tol`` and the differences from fairlearn.

    With fairlearn's estimator API, ``estimator`` (used as is with ``prefit=True``, else a
    clone is fitted in ``fit``) gives the scores through ``predict_method``. Without an
    estimator, X is the scores themselves: ``fit(y_score, y_true, sensitive_features=...)``.
    Labels are 0/1 (or pass ``pos_label``).

    Parameters
    ----------
    estimator : object, optional
        A scikit-learn style model; None: X is the scores.
    constraints : str, default "demographic_parity"
        The rate to equalise: ``"demographic_parity"`` (or ``"selection_rate_parity"``),
        ``"true_positive_rate_parity"`` (equal opportunity), ``"false_positive_rate_parity"``,
        ``"true_negative_rate_parity"``, ``"false_negative_rate_parity"`` or
        ``"equalized_odds"`` (true- and false-positive rates).
    objective : str, default "accuracy_score"
        What to maximise: ``"accuracy_score"``, ``"balanced_accuracy_score"``,
        ``"selection_rate"``, ``"true_positive_rate"`` or ``"true_negative_rate"`` (the
        first two only with equalized odds).
    grid_size : int, default 1000
        Points of the grid of constraint values.
    flip : bool, default False
        Also consider "score < threshold" rules.
    prefit : bool, default False
        Use ``estimator`` as fitted instead of fitting a clone.
    predict_method : {"auto", "predict_proba", "decision_function", "predict"}, default "auto"
        How the estimator gives scores; ``"auto"``: ``predict_proba``'s second column, else
        ``decision_function``, else ``predict`` (fairlearn's rule).
    tol : float, optional
        fairlearn's relaxed constraint: the groups' constraint values may differ by up to
        ``tol`` (not with equalized odds). None or 0: the exact constraint.
    pos_label : label, default 1
        The positive label of ``y``.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Attributes
    ----------
    estimator_ : object or None
        The fitted estimator (None without one).
    x_best_ : float
        The chosen constraint value (NaN with ``tol``, where each group has its own).
    rules_ : dict of str to numpy.ndarray
        Per group: ``x_group``, the probabilities ``p0``, ``p1`` of the two threshold rules,
        their thresholds and directions (``below``: "score < threshold"), and ``p_ignore``.
    constant_ : float
        The constant rate predicted with probability ``p_ignore`` (equalized odds).
    objective_curve_ : numpy.ndarray
        The weighted objective at every grid point.

    Raises
    ------
    InvalidInputError
        In ``fit`` (the constructor only stores its arguments, as scikit-learn's estimators
        do): an unknown ``constraints``, ``objective`` or ``predict_method``, an objective
        that ``"equalized_odds"`` does not support, a negative ``tol`` (or any with
        equalized odds), or ``grid_size`` below 1.
    InvalidTypeError
        In ``fit``: ``grid_size`` not an integer.
    ResourceLimitError
        In ``fit``: ``grid_size`` beyond the int32 index range.
    sklearn.exceptions.NotFittedError
        ``predict`` or ``predict_proba`` before ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.fairness import ThresholdOptimizer
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(["a", "b"], 100)
    >>> y = rng.integers(0, 2, 200)
    >>> score = np.clip(0.5 * y + rng.normal(np.where(group == "a", 0.3, 0.1), 0.2), 0, 1)
    >>> optimizer = ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=group)
    >>> optimizer.to_frame()[["x_group", "p0", "p1"]].round(3)
                         x_group     p0     p1
    sensitive_feature_0
    a                       0.57  0.333  0.667
    b                       0.57  1.000  0.000
    >>> y_pred = optimizer.predict(score, sensitive_features=group, random_state=0)
    >>> [float(y_pred[group == g].mean()) for g in ("a", "b")]
    [0.57, 0.57]
    """

    def __init__(
        self,
        *,
        estimator: Any = None,
        constraints: str = "demographic_parity",
        objective: str = "accuracy_score",
        grid_size: int = 1000,
        flip: bool = False,
        prefit: bool = False,
        predict_method: str = "auto",
        tol: float | None = None,
        pos_label: Any = 1,
        n_jobs: NJobs = None,
    ) -> None:
        # scikit-learn's convention: the constructor stores its arguments, fit checks them.
        self.estimator, self.constraints, self.objective, self.grid_size = estimator, constraints, objective, grid_size
        self.flip, self.prefit, self.predict_method, self.tol = flip, prefit, predict_method, tol
        self.pos_label, self.n_jobs = pos_label, n_jobs

    def _checked_grid_size(self) -> int:
        """The parameters checked (at fit, as scikit-learn estimators do); the grid size."""
        constraints, objective, tol = self.constraints, self.objective, self.tol
        if constraints not in _CONSTRAINTS:
            raise InvalidInputError(f"constraints must be one of {sorted(_CONSTRAINTS)}, got {constraints!r}")
        if objective not in _OBJECTIVES:
            raise InvalidInputError(f"objective must be one of {list(_OBJECTIVES)}, got {objective!r}")
        if constraints == "equalized_odds" and objective not in _OBJECTIVES[:2]:
            raise InvalidInputError(f"objective: equalized_odds supports {list(_OBJECTIVES[:2])}, got {objective!r}")
        grid_size = positive_int(self.grid_size, "grid_size", INT32_MAX - 1)
        if self.predict_method not in _PREDICT_METHODS:
            raise InvalidInputError(
                f"predict_method must be one of {list(_PREDICT_METHODS)}, got {self.predict_method!r}"
            )
        if tol is not None and (isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < np.inf):
            raise InvalidInputError(f"tol must be None or a non-negative number, got {tol!r}")
        if tol is not None and constraints == "equalized_odds":
            raise InvalidInputError("tol: relaxed constraints are not supported for equalized_odds")
        return grid_size

    _PARAMS = (
        "estimator",
        "constraints",
        "objective",
        "grid_size",
        "flip",
        "prefit",
        "predict_method",
        "tol",
        "pos_label",
        "n_jobs",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments (scikit-learn's estimator protocol, so ``clone`` works).

        Parameters
        ----------
        deep : bool, default True
            Accepted for scikit-learn's protocol; the estimator's own parameters are not
            included.

        Returns
        -------
        dict
            Parameter name to value.

        Examples
        --------
        >>> from assay.fairness import ThresholdOptimizer
        >>> ThresholdOptimizer(grid_size=100).get_params()["grid_size"]
        100
        """
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> ThresholdOptimizer:
        """Sets constructor arguments (scikit-learn's estimator protocol); ``fit`` checks them.

        Parameters
        ----------
        **params
            Constructor arguments by name.

        Returns
        -------
        ThresholdOptimizer
            self.

        Raises
        ------
        InvalidInputError
            An unknown parameter name.

        Examples
        --------
        >>> from assay.fairness import ThresholdOptimizer
        >>> ThresholdOptimizer().set_params(flip=True).flip
        True
        """
        unknown = set(params) - set(self._PARAMS)
        if unknown:
            raise InvalidInputError(f"ThresholdOptimizer: unknown parameters {sorted(unknown)}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def _scores(self, X: Any, argument: str) -> np.ndarray:
        """The scores of the rows: X itself without an estimator, else the estimator's
        output through predict_method (fairlearn's rule for 'auto')."""
        if self.estimator_ is None:
            return as_numeric(to_numpy(X, argument), argument)
        method = self.predict_method
        if method == "auto":
            method = next((m for m in _PREDICT_METHODS[1:] if hasattr(self.estimator_, m)), "predict")
        output = np.asarray(getattr(self.estimator_, method)(X))
        if method == "predict_proba":
            if output.ndim != 2 or output.shape[1] < 2:
                raise InvalidInputError(f"estimator.predict_proba returned shape {output.shape}; expected (rows, 2)")
            output = output[:, 1]
        return as_numeric(to_numpy(output, f"estimator.{method}(X)"), f"estimator.{method}(X)")

    def _fitted_estimator(self, X: Any, y: ArrayLike, fit_params: dict[str, Any]) -> Any:
        if self.estimator is None:
            if fit_params:
                raise InvalidInputError(f"fit: parameters {sorted(fit_params)} need an estimator")
            return None
        if self.prefit:
            try:
                from sklearn.exceptions import NotFittedError
                from sklearn.utils.validation import check_is_fitted

                try:
                    check_is_fitted(self.estimator)
                except NotFittedError:
                    warnings.warn("prefit=True, but the estimator does not look fitted", stacklevel=3)
            except ImportError:  # pragma: no cover - scikit-learn is in every test environment
                pass
            return self.estimator
        try:
            from sklearn.base import clone
        except ImportError:  # pragma: no cover
            import copy

            clone = copy.deepcopy
        return clone(self.estimator).fit(X, y, **fit_params)

    def fit(
        self, X: Any, y: ArrayLike, *, sensitive_features: ArrayLike | TableLike, **fit_params: Any
    ) -> ThresholdOptimizer:
        """Fits the estimator (unless ``prefit``) and the per-group thresholds.

        Parameters
        ----------
        X : TableLike or ArrayLike
            The estimator's input rows; without an estimator, the scores (one per row).
        y : ArrayLike
            Binary labels, one per row, one of them ``pos_label``.
        sensitive_features : ArrayLike or TableLike
            The groups: one feature or several, as in [`MetricFrame`][assay.fairness.MetricFrame]; every combination
            of levels is a group.
        **fit_params
            Passed to the estimator's ``fit``.

        Returns
        -------
        ThresholdOptimizer
            self, fitted.

        Raises
        ------
        InvalidInputError
            A parameter the class documents as refused; ``X``, ``y`` or
            ``sensitive_features`` None; lengths differ, more than two labels or none equal
            to ``pos_label``, a missing sensitive value, non-finite scores, a group with one
            class, or ``fit_params`` without an estimator.
        InvalidTypeError
            Scores that are not numbers.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import ThresholdOptimizer
        >>> rng = np.random.default_rng(0)
        >>> group = np.repeat(["a", "b"], 100)
        >>> y = rng.integers(0, 2, 200)
        >>> score = np.clip(0.5 * y + rng.normal(np.where(group == "a", 0.3, 0.1), 0.2), 0, 1)
        >>> optimizer = ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=group)
        >>> round(float(optimizer.x_best_), 3)
        0.57
        """
        grid_size = self._checked_grid_size()
        for value, argument in ((X, "X"), (y, "y"), (sensitive_features, "sensitive_features")):
            if value is None:
                raise InvalidInputError(f"{argument}: expected an array, got None")
        labels = to_numpy(y, "y")
        self.estimator_ = self._fitted_estimator(X, y, fit_params)
        scores = self._scores(X, "X")
        if len(labels) != len(scores):
            raise InvalidInputError(f"y has {len(labels)} rows but the scores have {len(scores)}")
        jobs = n_jobs_arg(self.n_jobs)
        features = split_features(
            sensitive_features, "sensitive_feature_", len(scores), "sensitive_features", any_names=True
        )
        groups = Groups(features, [], "error", False, jobs)
        self._check_labels(labels)
        data = (groups.row_group, groups.n_groups, scores, as_indicator(labels, self.pos_label, "y"))
        options = (grid_size, bool(self.flip), float(self.tol or 0), jobs)
        objective = _core_fair.RateMetric[self.objective]
        if self.constraints == "equalized_odds":
            rules = _core_fair.optimize_equalized_odds(*data, objective, *options)
        else:
            constraint = _core_fair.RateMetric[_CONSTRAINTS[self.constraints]]
            rules = _core_fair.optimize_thresholds(*data, constraint, objective, *options)
        self.levels_ = [f.levels for f in features]
        self.feature_names_ = [f.name for f in features]
        self.x_best_ = rules["x_best"]
        self.rules_ = {
            k: rules[k] for k in ("x_group", "p0", "threshold0", "below0", "p1", "threshold1", "below1", "p_ignore")
        }
        self.constant_ = rules["constant"]
        self.objective_curve_ = rules["objective"]
        self._group_index = groups.group_index()
        return self

    def _check_labels(self, labels: np.ndarray) -> None:
        """y holds at most two classes, one of them pos_label (fairlearn refuses
        non-binary y; a third label must not silently count as negative)."""
        classes = encode_classes(labels, labels)  # NaN and mixed types are errors here
        found = classes.labels.tolist()
        if len(found) > 2:
            raise InvalidInputError(
                f"y: ThresholdOptimizer needs binary labels, found {len(found)} distinct values "
                f"{found[:5]}{' ...' if len(found) > 5 else ''}"
            )
        if classes.code_of(self.pos_label) < 0:
            raise InvalidInputError(
                f"y: pos_label={self.pos_label!r} is not one of the labels {found}; pass the "
                "positive class as pos_label"
            )

    def _require_fitted(self) -> None:
        """scikit-learn's NotFittedError (a ValueError and AttributeError) before fit."""
        if hasattr(self, "rules_"):
            return
        message = (
            f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments "
            "before using this estimator."
        )
        try:
            from sklearn.exceptions import NotFittedError
        except ImportError:  # pragma: no cover - scikit-learn is in every test environment
            raise InvalidInputError(message) from None
        raise NotFittedError(message)

    def _rows(self, X: Any, sensitive_features: Any) -> tuple[np.ndarray, np.ndarray]:
        """Scores and each row's group id in the fitted Cartesian index."""
        import pandas as pd

        self._require_fitted()
        if X is None:
            raise InvalidInputError("X: expected an array, got None")
        scores = self._scores(X, "X")
        features = split_features(
            sensitive_features, "sensitive_feature_", len(scores), "sensitive_features", any_names=True
        )
        if len(features) != len(self.levels_):
            raise InvalidInputError(f"sensitive_features: expected {len(self.levels_)} features, got {len(features)}")
        group = np.zeros(len(scores), dtype=np.int64)
        for feature, fitted in zip(features, self.levels_):
            position = pd.Index(fitted).get_indexer(pd.Index(feature.levels))
            unknown = [level for level, p in zip(feature.levels, position) if p < 0]
            if unknown or (feature.codes < 0).any():
                raise InvalidInputError(
                    f"sensitive feature '{feature.name}': values not seen in fit: {unknown or ['missing']}"
                )
            group = group * len(fitted) + position[feature.codes]
        return scores, group

    def predict_proba(self, X: Any, *, sensitive_features: ArrayLike | TableLike) -> np.ndarray:
        """The probabilities of predicting 0 and 1 for each row (fairlearn's ``_pmf_predict``).

        Parameters
        ----------
        X : TableLike or ArrayLike
            The estimator's input rows; without an estimator, the scores.
        sensitive_features : ArrayLike or TableLike
            The groups of the rows, with the features and levels seen in ``fit``.

        Returns
        -------
        numpy.ndarray
            Shape (rows, 2): P(0) and P(1) per row.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The optimizer is not fitted.
        InvalidInputError
            A feature or level was not seen in ``fit``.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import ThresholdOptimizer
        >>> rng = np.random.default_rng(0)
        >>> group = np.repeat(["a", "b"], 100)
        >>> y = rng.integers(0, 2, 200)
        >>> score = np.clip(0.5 * y + rng.normal(np.where(group == "a", 0.3, 0.1), 0.2), 0, 1)
        >>> optimizer = ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=group)
        >>> optimizer.predict_proba(score[:2], sensitive_features=group[:2]).round(3)
        array([[0.333, 0.667],
               [0.333, 0.667]])
        """
        scores, group = self._rows(X, sensitive_features)
        r = self.rules_

        def rule(k: str) -> np.ndarray:
            threshold, below = r[f"threshold{k}"][group], r[f"below{k}"][group]
            return np.where(below, scores < threshold, scores > threshold)

        thresholded = r["p0"][group] * rule("0") + r["p1"][group] * rule("1")
        p_ignore = r["p_ignore"][group]
        positive = p_ignore * self.constant_ + (1 - p_ignore) * thresholded
        return np.stack([1.0 - positive, positive], axis=1)

    # fairlearn's name for predict_proba (fairlearn has no public one), which its users call.
    _pmf_predict = predict_proba

    def predict(
        self,
        X: Any,
        *,
        sensitive_features: ArrayLike | TableLike,
        random_state: int | np.random.RandomState | None = None,
    ) -> np.ndarray:
        """Randomised 0/1 predictions: 1 where P(1) >= a uniform draw (fairlearn's rule).

        The same ``random_state`` gives the same predictions as fairlearn's.

        Parameters
        ----------
        X : TableLike or ArrayLike
            The estimator's input rows; without an estimator, the scores.
        sensitive_features : ArrayLike or TableLike
            The groups of the rows, with the features and levels seen in ``fit``.
        random_state : int or numpy RandomState, optional
            The uniform draws: an integer in [0, 2**32), a numpy ``RandomState``, or None
            for numpy's global one (scikit-learn's ``check_random_state``).

        Returns
        -------
        numpy.ndarray
            0 or 1 per row (int64).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The optimizer is not fitted.
        InvalidInputError
            A feature or level was not seen in ``fit``, or ``random_state`` is out of range
            or of another type.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import ThresholdOptimizer
        >>> rng = np.random.default_rng(0)
        >>> group = np.repeat(["a", "b"], 100)
        >>> y = rng.integers(0, 2, 200)
        >>> score = np.clip(0.5 * y + rng.normal(np.where(group == "a", 0.3, 0.1), 0.2), 0, 1)
        >>> optimizer = ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=group)
        >>> optimizer.predict(score[:5], sensitive_features=group[:5], random_state=0)
        array([1, 0, 1, 0, 0])
        """
        self._require_fitted()
        if random_state is None:
            rng = np.random.mtrand._rand
        elif isinstance(random_state, np.random.RandomState):
            rng = random_state
        elif isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
            if not 0 <= int(random_state) < 2**32:
                raise InvalidInputError(
                    f"random_state must lie in [0, 2**32) (numpy's RandomState), got {random_state}"
                )
            rng = np.random.RandomState(int(random_state))
        else:  # a ValueError only, as scikit-learn's check_random_state raises
            raise InvalidInputError(
                f"random_state must be an int, a numpy RandomState or None, got {type(random_state).__name__}"
            )
        positive = self.predict_proba(X, sensitive_features=sensitive_features)[:, 1]
        return (positive >= rng.rand(len(positive))).astype(np.int64)

    def to_frame(self) -> Any:
        """The fitted rules: one row per group.

        Returns
        -------
        pandas DataFrame
            Indexed by group: ``x_group`` (its constraint value on the grid), the two
            threshold rules (``threshold0``, ``below0``, ``threshold1``, ``below1``; below
            means "score < threshold"), the probability of using each (``p0``, ``p1``) and,
            for equalized odds, the probability ``p_ignore`` of the constant prediction
            instead.
        """
        import pandas as pd

        return pd.DataFrame(self.rules_, index=self._group_index)
