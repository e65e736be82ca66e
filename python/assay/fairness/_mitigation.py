"""Mitigation: reweighing (Kamiran & Calders), and the ThresholdOptimizer's per-group
randomised thresholds (fairlearn's post-processing), both computed in the core."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._util import n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ._checks import INT32_MAX, positive_int
from ._evaluation import observed_groups
from ._groups import Groups
from ._inputs import as_indicator, as_numeric, as_weights, encode_classes, split_features, to_numpy, weight_scale

_core_fair = _core.fairness


def reweighing(
    y_true: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None
) -> np.ndarray:
    """Per-row weights W_g W_y / (W W_gy) that make group and label independent
    (Kamiran & Calders 2012, AIF360's Reweighing), multiplied into sample_weight when
    given (as AIF360 multiplies instance weights)."""
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
    """Per-group randomised thresholds on a model's scores that equalise a rate across
    groups while maximising an objective: fairlearn's ThresholdOptimizer (same hulls,
    grid, choice, ``flip`` and ``tol``; see docs/fairness.md), computed in C++.

    With fairlearn's estimator API: ``estimator`` (fitted with ``prefit=True``, else a
    clone is fitted in ``fit``) gives the scores through ``predict_method``; then
    ``fit(X, y, sensitive_features=...)``, ``predict(X, sensitive_features=...,
    random_state=...)`` and ``predict_proba(X, sensitive_features=...)`` (the
    probabilities of predicting 0 and 1, fairlearn's ``_pmf_predict``). Without an
    estimator, X is the scores themselves: ``fit(y_score, y_true, sensitive_features=...)``.
    Labels are 0/1 (or pass ``pos_label``).
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
        n_jobs: int | None = None,
    ):
        if constraints not in _CONSTRAINTS:
            raise InvalidInputError(f"constraints must be one of {sorted(_CONSTRAINTS)}, got {constraints!r}")
        if objective not in _OBJECTIVES:
            raise InvalidInputError(f"objective must be one of {list(_OBJECTIVES)}, got {objective!r}")
        if constraints == "equalized_odds" and objective not in _OBJECTIVES[:2]:
            raise InvalidInputError(f"objective: equalized_odds supports {list(_OBJECTIVES[:2])}, got {objective!r}")
        grid_size = positive_int(grid_size, "grid_size", INT32_MAX - 1)
        if predict_method not in _PREDICT_METHODS:
            raise InvalidInputError(f"predict_method must be one of {list(_PREDICT_METHODS)}, got {predict_method!r}")
        if tol is not None and (isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < np.inf):
            raise InvalidInputError(f"tol must be None or a non-negative number, got {tol!r}")
        if tol and constraints == "equalized_odds":
            raise InvalidInputError("tol: relaxed constraints are not supported for equalized_odds")
        self.estimator, self.constraints, self.objective, self.grid_size = estimator, constraints, objective, grid_size
        self.flip, self.prefit, self.predict_method, self.tol = bool(flip), bool(prefit), predict_method, tol
        self.pos_label, self.n_jobs = pos_label, n_jobs

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

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments (scikit-learn's estimator protocol, so clone works)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> ThresholdOptimizer:
        unknown = set(params) - set(self._PARAMS)
        if unknown:
            raise InvalidInputError(f"ThresholdOptimizer: unknown parameters {sorted(unknown)}")
        self.__init__(**{**self.get_params(), **params})  # type: ignore[misc]
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

    def _fitted_estimator(self, X: Any, y: Any, fit_params: dict) -> Any:
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
                    import warnings

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

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, **fit_params: Any) -> ThresholdOptimizer:
        """Fits the estimator (unless prefit) and the per-group thresholds. Without an
        estimator, X is the scores. fit_params go to the estimator's fit."""
        labels = to_numpy(y, "y")
        self.estimator_ = self._fitted_estimator(X, y, fit_params)
        scores = self._scores(X, "X")
        if len(labels) != len(scores):
            raise InvalidInputError(f"y has {len(labels)} rows but the scores have {len(scores)}")
        jobs = n_jobs_arg(self.n_jobs)
        features = split_features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
        groups = Groups(features, [], "error", False, jobs)
        self._check_labels(labels)
        rules = _core_fair.optimize_thresholds(
            groups.row_group,
            groups.n_groups,
            scores,
            as_indicator(labels, self.pos_label, "y"),
            _CONSTRAINTS[self.constraints],
            self.objective,
            self.grid_size,
            self.flip,
            float(self.tol or 0),
            jobs,
        )
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

    def _rows(self, X: Any, sensitive_features: Any) -> tuple[np.ndarray, np.ndarray]:
        """Scores and each row's group id in the fitted Cartesian index."""
        import pandas as pd

        if not hasattr(self, "rules_"):
            raise InvalidInputError("ThresholdOptimizer: call fit first")
        scores = self._scores(X, "X")
        features = split_features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
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

    def predict_proba(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        """The probabilities of predicting 0 and 1 for each row, shape (rows, 2)
        (fairlearn's ``_pmf_predict``)."""
        scores, group = self._rows(X, sensitive_features)
        r = self.rules_

        def rule(k: str) -> np.ndarray:
            threshold, below = r[f"threshold{k}"][group], r[f"below{k}"][group]
            return np.where(below, scores < threshold, scores > threshold)

        thresholded = r["p0"][group] * rule("0") + r["p1"][group] * rule("1")
        p_ignore = r["p_ignore"][group]
        positive = p_ignore * self.constant_ + (1 - p_ignore) * thresholded
        return np.stack([1.0 - positive, positive], axis=1)

    def predict(self, X: Any, *, sensitive_features: Any, random_state: Any = None) -> np.ndarray:
        """0/1 predictions: 1 where P(1) >= a uniform draw of random_state (an int, a
        numpy RandomState, or None for numpy's global one, as scikit-learn's
        check_random_state), fairlearn's rule."""
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
        else:
            raise InvalidTypeError(
                f"random_state must be an int, a numpy RandomState or None, got {type(random_state).__name__}"
            )
        positive = self.predict_proba(X, sensitive_features=sensitive_features)[:, 1]
        return (positive >= rng.rand(len(positive))).astype(np.int64)

    def to_frame(self) -> Any:
        """One row per group: its constraint value on the grid, the two threshold rules
        (below: "score < threshold"), the probability of using each, and (equalized
        odds) the probability of the constant prediction instead."""
        import pandas as pd

        return pd.DataFrame(self.rules_, index=self._group_index)
