"""Group audits beyond MetricFrame: the four-fifths rule with intervals, calibration by
group, AIF360's inequality and intersectional indices, and reweighing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._fairness_checks import INT32_MAX, positive_int, weight_scale
from ._fairness_uncertainty import FourFifths, four_fifths_from_counts
from ._util import json_safe, n_jobs_arg
from .errors import InvalidInputError, InvalidTypeError

_core_fair = _core.fairness


def _grouped(y_true: Any, y_pred: Any, sensitive_features: Any, n_jobs: int | None, missing: str = "error"):
    """(groups, evaluation, group labels) for the functions below: observed groups only."""
    from .fairness import _Evaluation, _features, _Groups, _to_numpy

    y_t = _to_numpy(y_true, "y_true")
    y_p = _to_numpy(y_pred, "y_pred")
    if len(y_t) != len(y_p):
        raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise InvalidInputError("y_true: no rows")
    jobs = n_jobs_arg(n_jobs)
    features = _features(sensitive_features, "sensitive_feature_", len(y_t), "sensitive_features")
    groups = _Groups(features, [], missing, True, jobs)
    evaluation = _Evaluation(groups, y_t, y_p, "strict", jobs)
    labels = []
    for keys in zip(*[k.tolist() for k in groups.keys]):
        names = [groups.level_labels(f)[k] for f, k in zip(features, keys)]
        labels.append(names[0] if len(names) == 1 else tuple(names))
    return groups, evaluation, labels


def _indicator(values: np.ndarray, pos_label: Any, argument: str) -> np.ndarray:
    """1 where values == pos_label, else 0 (int32), with missing labels rejected."""
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise InvalidInputError(f"{argument} contains NaN; labels must not be missing")
    return np.ascontiguousarray(values == pos_label, dtype=np.int32)


def four_fifths(
    y_pred: Any,
    *,
    sensitive_features: Any,
    pos_label: Any = 1,
    reference: Any = None,
    threshold: float = 0.8,
    confidence: float = 0.95,
    min_support: int = 30,
    n_jobs: int | None = None,
) -> FourFifths:
    """The four-fifths rule: each group's selection rate against the reference group's
    (default: the highest rate among groups with at least min_support rows), with Wilson intervals
    for the rates, Katz intervals for the ratios and Newcombe intervals for the differences, and a verdict that says
    whether adverse impact holds with the chosen confidence. Unweighted (the intervals
    are for row counts)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not 0 < threshold <= 1:
        raise InvalidInputError(f"threshold must lie in (0, 1], got {threshold!r}")
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 0:
        raise InvalidInputError(f"min_support must be a non-negative integer, got {min_support!r}")
    groups, evaluation, labels = _grouped(y_pred, y_pred, sensitive_features, n_jobs)
    selected = _indicator(evaluation.y_pred, pos_label, "y_pred")
    stats = _core_fair.accumulate_confusion(
        groups.row_group, groups.n_groups, selected, selected, 2, None, evaluation.n_jobs
    )
    counts = stats.counts
    return four_fifths_from_counts(
        labels, groups.group_rows, counts[:, 1, 1], reference, threshold, confidence, min_support
    )


def disparate_impact_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    reference: Any = None,
    pos_label: Any = 1,
    n_jobs: int | None = None,
) -> float:
    """The smallest ratio of a group's selection rate to the reference group's (default:
    the group with the highest rate, which makes it demographic_parity_ratio). y_true is
    ignored, as in fairlearn's selection_rate."""
    return four_fifths(
        y_pred, sensitive_features=sensitive_features, pos_label=pos_label, reference=reference, n_jobs=n_jobs
    ).disparate_impact


@dataclass
class CalibrationByGroup:
    """Reliability bins and calibration errors per group (see calibration_by_group)."""

    groups: list
    n_bins: int
    weight: np.ndarray  # (groups, bins)
    mean_score: np.ndarray  # (groups, bins), NaN for empty bins
    positive_rate: np.ndarray  # (groups, bins), NaN for empty bins
    ece: np.ndarray
    mce: np.ndarray

    def to_frame(self) -> Any:
        """Long format: one row per (group, non-empty bin)."""
        import pandas as pd

        g, b = np.nonzero(self.weight > 0)
        return pd.DataFrame(
            {
                "group": [self.groups[i] for i in g],
                "bin": b,
                "weight": self.weight[g, b],
                "mean_score": self.mean_score[g, b],
                "positive_rate": self.positive_rate[g, b],
            }
        )

    def to_dict(self) -> dict:
        return json_safe(
            {
                "n_bins": self.n_bins,
                "groups": [
                    {"group": g, "ece": e, "mce": m, "weight": w, "mean_score": s, "positive_rate": r}
                    for g, e, m, w, s, r in zip(
                        self.groups,
                        self.ece.tolist(),
                        self.mce.tolist(),
                        self.weight.tolist(),
                        self.mean_score.tolist(),
                        self.positive_rate.tolist(),
                    )
                ],
            }
        )

    def _repr_html_(self) -> str:
        from ._fairness_html import calibration_html

        return calibration_html(self)


def calibration_by_group(
    y_true: Any,
    y_prob: Any,
    *,
    sensitive_features: Any,
    n_bins: int = 10,
    pos_label: Any = 1,
    sample_weight: Any = None,
    n_jobs: int | None = None,
) -> CalibrationByGroup:
    """Reliability bins (scikit-learn's calibration_curve, strategy="uniform") and the
    expected / maximum calibration error per group."""
    from .fairness import _numeric, _weights

    n_bins = positive_int(n_bins, "n_bins")
    groups, evaluation, labels = _grouped(y_true, y_prob, sensitive_features, n_jobs)
    y = _indicator(evaluation.y_true, pos_label, "y_true")
    scores = _numeric(evaluation.y_pred, "y_prob")
    weights = _weights(sample_weight, len(y))
    c = _core_fair.calibration_by_group(
        groups.row_group, groups.n_groups, scores, y, weights, n_bins, evaluation.n_jobs
    )
    bin_weight = c["weight"]
    if weights is not None:
        with np.errstate(over="ignore"):
            bin_weight = bin_weight * weight_scale(sample_weight)  # back to the caller's scale
    return CalibrationByGroup(labels, n_bins, bin_weight, c["mean_score"], c["positive_rate"], c["ece"], c["mce"])


def roc_auc_by_group(
    y_true: Any, y_score: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None
) -> Any:
    """Exact ROC-AUC per observed group (a pandas Series; NaN for single-class groups)."""
    from .fairness import MetricFrame, roc_auc_score

    params = None if sample_weight is None else {"sample_weight": sample_weight}
    return MetricFrame(
        metrics=roc_auc_score,
        y_true=y_true,
        y_pred=y_score,
        sensitive_features=sensitive_features,
        sample_params=params,
        observed=True,
        n_jobs=n_jobs,
    ).by_group


# --- AIF360's indices ---------------------------------------------------------------------------


def _benefits(y_true: Any, y_pred: Any, pos_label: Any, sensitive_features: Any = None, n_jobs: int | None = None):
    """Per group: row counts of the benefits b = y_pred - y_true + 1 in {0, 1, 2}."""
    from .fairness import _to_numpy

    if sensitive_features is None:
        sensitive_features = np.zeros(len(_to_numpy(y_true, "y_true")), dtype=np.int8)
    groups, evaluation, _ = _grouped(y_true, y_pred, sensitive_features, n_jobs)
    t = _indicator(evaluation.y_true, pos_label, "y_true")
    p = _indicator(evaluation.y_pred, pos_label, "y_pred")
    counts = _core_fair.accumulate_confusion(groups.row_group, groups.n_groups, t, p, 2, None, evaluation.n_jobs).counts
    # b = 0: a missed positive (FN); b = 1: correct; b = 2: a false positive.
    return np.stack([counts[:, 1, 0], counts[:, 0, 0] + counts[:, 1, 1], counts[:, 0, 1]], axis=1).astype(np.float64)


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
        raise InvalidTypeError(f"alpha must be a finite number, got {alpha!r}")
    try:
        value = float(alpha)
    except (OverflowError, TypeError) as error:
        raise InvalidInputError(f"alpha must be a finite number, got {alpha!r}") from error
    if not np.isfinite(value):
        raise InvalidInputError(f"alpha must be a finite number, got {alpha!r}")
    return value


def generalized_entropy_index(y_true: Any, y_pred: Any, *, alpha: float = 2, pos_label: Any = 1) -> float:
    """GE(alpha) of the benefits b_i = y_pred_i - y_true_i + 1 (Speicher et al. 2018),
    unweighted as in AIF360. alpha = 1 is the Theil index; alpha = 0 the mean log
    deviation (textbook formula; AIF360's code divides it by the mean once more)."""
    counts = _benefits(y_true, y_pred, pos_label).sum(axis=0)
    return _core_fair.generalized_entropy(np.array([0.0, 1.0, 2.0]), np.ascontiguousarray(counts), _check_alpha(alpha))


def theil_index(y_true: Any, y_pred: Any, *, pos_label: Any = 1) -> float:
    """GE(1) of the benefits."""
    return generalized_entropy_index(y_true, y_pred, alpha=1, pos_label=pos_label)


def between_group_generalized_entropy_index(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    alpha: float = 2,
    pos_label: Any = 1,
    n_jobs: int | None = None,
) -> float:
    """GE(alpha) after replacing every benefit by its group's mean benefit."""
    counts = _benefits(y_true, y_pred, pos_label, sensitive_features, n_jobs)
    rows = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_mean = (counts[:, 1] + 2 * counts[:, 2]) / rows
    present = rows > 0
    return _core_fair.generalized_entropy(
        np.ascontiguousarray(group_mean[present]), np.ascontiguousarray(rows[present]), _check_alpha(alpha)
    )


def between_group_theil_index(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, pos_label: Any = 1, n_jobs: int | None = None
) -> float:
    return between_group_generalized_entropy_index(
        y_true, y_pred, sensitive_features=sensitive_features, alpha=1, pos_label=pos_label, n_jobs=n_jobs
    )


def smoothed_edf(
    y: Any,
    *,
    sensitive_features: Any,
    concentration: float = 1.0,
    pos_label: Any = 1,
    sample_weight: Any = None,
    n_jobs: int | None = None,
) -> float:
    """Smoothed empirical differential fairness epsilon of the outcomes y (labels or
    predictions) over the observed intersections (Foulds et al. 2018, AIF360's classic
    BinaryLabelDatasetMetric): p_s = (positives_s + concentration/2) / (rows_s + concentration)."""
    from .fairness import _weights

    if isinstance(concentration, bool) or not isinstance(concentration, (int, float)) or not concentration >= 0:
        raise InvalidInputError(f"concentration must be a non-negative number, got {concentration!r}")
    groups, evaluation, _ = _grouped(y, y, sensitive_features, n_jobs)
    indicator = _indicator(evaluation.y_true, pos_label, "y")
    weights = _weights(sample_weight, len(indicator), normalise=False)  # the prior is on the weights' scale
    stats = _core_fair.accumulate_confusion(
        groups.row_group, groups.n_groups, indicator, indicator, 2, weights, evaluation.n_jobs
    )
    positives = np.ascontiguousarray(stats.weights[:, 1, 1])
    rows = np.ascontiguousarray(stats.weights[:, 0, 0] + stats.weights[:, 1, 1])
    return _core_fair.smoothed_edf(positives, rows, float(concentration))


# --- mitigation -----------------------------------------------------------------------------------


def reweighing(
    y_true: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None
) -> np.ndarray:
    """Per-row weights W_g W_y / (W W_gy) that make group and label independent
    (Kamiran & Calders 2012, AIF360's Reweighing), multiplied into sample_weight when
    given (as AIF360 multiplies instance weights)."""
    from .fairness import _encode_classes, _weights

    groups, evaluation, _ = _grouped(y_true, y_true, sensitive_features, n_jobs)
    classes = _encode_classes(evaluation.y_true, evaluation.y_true)
    weights = _weights(sample_weight, len(classes.y_true))
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
        from .fairness import _numeric, _to_numpy

        if self.estimator_ is None:
            return _numeric(_to_numpy(X, argument), argument)
        method = self.predict_method
        if method == "auto":
            method = next((m for m in _PREDICT_METHODS[1:] if hasattr(self.estimator_, m)), "predict")
        output = np.asarray(getattr(self.estimator_, method)(X))
        if method == "predict_proba":
            if output.ndim != 2 or output.shape[1] < 2:
                raise InvalidInputError(f"estimator.predict_proba returned shape {output.shape}; expected (rows, 2)")
            output = output[:, 1]
        return _numeric(_to_numpy(output, f"estimator.{method}(X)"), f"estimator.{method}(X)")

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
        from .fairness import _features, _Groups, _to_numpy

        labels = _to_numpy(y, "y")
        self.estimator_ = self._fitted_estimator(X, y, fit_params)
        scores = self._scores(X, "X")
        if len(labels) != len(scores):
            raise InvalidInputError(f"y has {len(labels)} rows but the scores have {len(scores)}")
        jobs = n_jobs_arg(self.n_jobs)
        features = _features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
        groups = _Groups(features, [], "error", False, jobs)
        self._check_labels(labels)
        data = (groups.row_group, groups.n_groups, scores, _indicator(labels, self.pos_label, "y"))
        options = (self.grid_size, self.flip, float(self.tol or 0), jobs)
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
        from .fairness import _encode_classes

        classes = _encode_classes(labels, labels)  # NaN and mixed types are errors here
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

        from .fairness import _features

        if not hasattr(self, "rules_"):
            raise InvalidInputError("ThresholdOptimizer: call fit first")
        scores = self._scores(X, "X")
        features = _features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
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
