"""Group audits beyond MetricFrame: the four-fifths rule with intervals, calibration by
group, AIF360's inequality and intersectional indices, and reweighing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._fairness_uncertainty import FourFifths, four_fifths_from_counts
from ._util import json_safe, n_jobs_arg

_core_fair = _core.fairness


def _grouped(y_true: Any, y_pred: Any, sensitive_features: Any, n_jobs: int | None, missing: str = "error"):
    """(groups, evaluation, group labels) for the functions below: observed groups only."""
    from .fairness import _Evaluation, _features, _Groups, _to_numpy

    y_t = _to_numpy(y_true, "y_true")
    y_p = _to_numpy(y_pred, "y_pred")
    if len(y_t) != len(y_p):
        raise ValueError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise ValueError("y_true: no rows")
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
        raise ValueError(f"{argument} contains NaN; labels must not be missing")
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
    (default: the highest rate among groups with at least min_support rows), with Wilson intervals for the rates, Katz intervals for
    the ratios and Newcombe intervals for the differences, and a verdict that says
    whether adverse impact holds with the chosen confidence. Unweighted (the intervals
    are for row counts)."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must lie in (0, 1], got {threshold!r}")
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 0:
        raise ValueError(f"min_support must be a non-negative integer, got {min_support!r}")
    groups, evaluation, labels = _grouped(y_pred, y_pred, sensitive_features, n_jobs)
    selected = _indicator(evaluation.y_pred, pos_label, "y_pred")
    stats = _core_fair.accumulate_confusion(groups.row_group, groups.n_groups, selected, selected, 2, None, evaluation.n_jobs)
    counts = stats.counts
    return four_fifths_from_counts(labels, groups.group_rows, counts[:, 1, 1], reference, threshold, confidence, min_support)


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
    return four_fifths(y_pred, sensitive_features=sensitive_features, pos_label=pos_label, reference=reference,
                       n_jobs=n_jobs).disparate_impact


@dataclass
class CalibrationByGroup:
    """Reliability bins and calibration errors per group (see calibration_by_group)."""

    groups: list
    n_bins: int
    weight: np.ndarray         # (groups, bins)
    mean_score: np.ndarray     # (groups, bins), NaN for empty bins
    positive_rate: np.ndarray  # (groups, bins), NaN for empty bins
    ece: np.ndarray
    mce: np.ndarray

    def to_frame(self) -> Any:
        """Long format: one row per (group, non-empty bin)."""
        import pandas as pd

        g, b = np.nonzero(self.weight > 0)
        return pd.DataFrame(
            {
                "group": [self.groups[i] for i in g], "bin": b, "weight": self.weight[g, b],
                "mean_score": self.mean_score[g, b], "positive_rate": self.positive_rate[g, b],
            }
        )

    def to_dict(self) -> dict:
        return json_safe(
            {
                "n_bins": self.n_bins,
                "groups": [
                    {"group": g, "ece": e, "mce": m, "weight": w, "mean_score": s, "positive_rate": r}
                    for g, e, m, w, s, r in zip(self.groups, self.ece.tolist(), self.mce.tolist(), self.weight.tolist(),
                                                self.mean_score.tolist(), self.positive_rate.tolist())
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

    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    groups, evaluation, labels = _grouped(y_true, y_prob, sensitive_features, n_jobs)
    y = _indicator(evaluation.y_true, pos_label, "y_true")
    scores = _numeric(evaluation.y_pred, "y_prob")
    weights = _weights(sample_weight, len(y))
    c = _core_fair.calibration_by_group(groups.row_group, groups.n_groups, scores, y, weights, n_bins, evaluation.n_jobs)
    return CalibrationByGroup(labels, n_bins, c["weight"], c["mean_score"], c["positive_rate"], c["ece"], c["mce"])


def roc_auc_by_group(
    y_true: Any, y_score: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None
) -> Any:
    """Exact ROC-AUC per observed group (a pandas Series; NaN for single-class groups)."""
    from .fairness import MetricFrame, roc_auc_score

    params = None if sample_weight is None else {"sample_weight": sample_weight}
    return MetricFrame(metrics=roc_auc_score, y_true=y_true, y_pred=y_score, sensitive_features=sensitive_features,
                       sample_params=params, observed=True, n_jobs=n_jobs).by_group


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
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not np.isfinite(alpha):
        raise ValueError(f"alpha must be a finite number, got {alpha!r}")
    return float(alpha)


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
    y_true: Any, y_pred: Any, *, sensitive_features: Any, alpha: float = 2, pos_label: Any = 1, n_jobs: int | None = None
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


def between_group_theil_index(y_true: Any, y_pred: Any, *, sensitive_features: Any, pos_label: Any = 1,
                              n_jobs: int | None = None) -> float:
    return between_group_generalized_entropy_index(y_true, y_pred, sensitive_features=sensitive_features, alpha=1,
                                                   pos_label=pos_label, n_jobs=n_jobs)


def smoothed_edf(
    y: Any, *, sensitive_features: Any, concentration: float = 1.0, pos_label: Any = 1, sample_weight: Any = None,
    n_jobs: int | None = None,
) -> float:
    """Smoothed empirical differential fairness epsilon of the outcomes y (labels or
    predictions) over the observed intersections (Foulds et al. 2018, AIF360's classic
    BinaryLabelDatasetMetric): p_s = (positives_s + concentration/2) / (rows_s + concentration)."""
    from .fairness import _weights

    if isinstance(concentration, bool) or not isinstance(concentration, (int, float)) or not concentration >= 0:
        raise ValueError(f"concentration must be a non-negative number, got {concentration!r}")
    groups, evaluation, _ = _grouped(y, y, sensitive_features, n_jobs)
    indicator = _indicator(evaluation.y_true, pos_label, "y")
    weights = _weights(sample_weight, len(indicator))
    stats = _core_fair.accumulate_confusion(groups.row_group, groups.n_groups, indicator, indicator, 2, weights, evaluation.n_jobs)
    positives = np.ascontiguousarray(stats.weights[:, 1, 1])
    rows = np.ascontiguousarray(stats.weights[:, 0, 0] + stats.weights[:, 1, 1])
    return _core_fair.smoothed_edf(positives, rows, float(concentration))


# --- mitigation -----------------------------------------------------------------------------------


def reweighing(y_true: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None) -> np.ndarray:
    """Per-row weights W_g W_y / (W W_gy) that make group and label independent
    (Kamiran & Calders 2012, AIF360's Reweighing), multiplied into sample_weight when
    given (as AIF360 multiplies instance weights)."""
    from .fairness import _encode_classes, _weights

    groups, evaluation, _ = _grouped(y_true, y_true, sensitive_features, n_jobs)
    classes = _encode_classes(evaluation.y_true, evaluation.y_true)
    weights = _weights(sample_weight, len(classes.y_true))
    stats = _core_fair.accumulate_confusion(groups.row_group, groups.n_groups, classes.y_true, classes.y_true,
                                            len(classes.labels), weights, evaluation.n_jobs)
    table = _core_fair.reweighing(stats)
    result = table[groups.row_group, classes.y_true]
    return result if weights is None else result * weights


_CONSTRAINTS = {
    "demographic_parity": "selection_rate",
    "selection_rate_parity": "selection_rate",
    "true_positive_rate_parity": "true_positive_rate",
    "false_positive_rate_parity": "false_positive_rate",
    "true_negative_rate_parity": "true_negative_rate",
    "false_negative_rate_parity": "false_negative_rate",
    "equalized_odds": "equalized_odds",
}
_OBJECTIVES = ("accuracy_score", "balanced_accuracy_score", "selection_rate", "true_positive_rate", "true_negative_rate")


class ThresholdOptimizer:
    """Per-group randomised thresholds on a model's scores that equalise one rate across
    groups while maximising an objective: fairlearn's ThresholdOptimizer for its
    single-rate constraints (same hulls, grid and choice; see docs/fairness.md).

    ``equalized_odds`` (objectives accuracy_score and balanced_accuracy_score) also
    mixes each group's thresholds with a constant prediction, as fairlearn does.
    Unlike fairlearn's, it takes the scores rather than an estimator:
    ``fit(y_score, y_true, sensitive_features=...)``, ``predict_proba(y_score, ...)``.
    Labels are 0/1 (or pass ``pos_label``).
    """

    def __init__(self, *, constraints: str = "demographic_parity", objective: str = "accuracy_score",
                 grid_size: int = 1000, pos_label: Any = 1, n_jobs: int | None = None):
        if constraints not in _CONSTRAINTS:
            raise ValueError(f"constraints must be one of {sorted(_CONSTRAINTS)}, got {constraints!r}")
        if objective not in _OBJECTIVES:
            raise ValueError(f"objective must be one of {list(_OBJECTIVES)}, got {objective!r}")
        if constraints == "equalized_odds" and objective not in _OBJECTIVES[:2]:
            raise ValueError(f"objective: equalized_odds supports {list(_OBJECTIVES[:2])}, got {objective!r}")
        if isinstance(grid_size, bool) or not isinstance(grid_size, int) or grid_size < 1:
            raise ValueError(f"grid_size must be a positive integer, got {grid_size!r}")
        self.constraints, self.objective, self.grid_size = constraints, objective, grid_size
        self.pos_label, self.n_jobs = pos_label, n_jobs

    def fit(self, y_score: Any, y_true: Any, *, sensitive_features: Any) -> "ThresholdOptimizer":
        from .fairness import _Evaluation, _features, _Groups, _numeric, _to_numpy

        scores = _numeric(_to_numpy(y_score, "y_score"), "y_score")
        labels = _to_numpy(y_true, "y_true")
        if len(labels) != len(scores):
            raise ValueError(f"y_true has {len(labels)} rows but y_score has {len(scores)}")
        jobs = n_jobs_arg(self.n_jobs)
        features = _features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
        groups = _Groups(features, [], "error", False, jobs)
        _Evaluation(groups, labels, labels, "strict", jobs)  # same checks as the metrics
        rules = _core_fair.optimize_thresholds(groups.row_group, groups.n_groups, scores,
                                               _indicator(labels, self.pos_label, "y_true"),
                                               _CONSTRAINTS[self.constraints], self.objective, self.grid_size, jobs)
        self.levels_ = [f.levels for f in features]
        self.feature_names_ = [f.name for f in features]
        self.x_best_ = rules["x_best"]
        self.rules_ = {k: rules[k] for k in ("p0", "threshold0", "p1", "threshold1", "p_ignore")}
        self.constant_ = rules["constant"]
        self.objective_curve_ = rules["objective"]
        self._group_index = groups.group_index()
        return self

    def _rows(self, y_score: Any, sensitive_features: Any) -> tuple[np.ndarray, np.ndarray]:
        """Scores and each row's group id in the fitted Cartesian index."""
        import pandas as pd

        from .fairness import _features, _numeric, _to_numpy

        if not hasattr(self, "rules_"):
            raise ValueError("ThresholdOptimizer: call fit first")
        scores = _numeric(_to_numpy(y_score, "y_score"), "y_score")
        features = _features(sensitive_features, "sensitive_feature_", len(scores), "sensitive_features")
        if len(features) != len(self.levels_):
            raise ValueError(f"sensitive_features: expected {len(self.levels_)} features, got {len(features)}")
        group = np.zeros(len(scores), dtype=np.int64)
        for feature, fitted in zip(features, self.levels_):
            position = pd.Index(fitted).get_indexer(pd.Index(feature.levels))
            unknown = [level for level, p in zip(feature.levels, position) if p < 0]
            if unknown or (feature.codes < 0).any():
                raise ValueError(f"sensitive feature '{feature.name}': values not seen in fit: {unknown or ['missing']}")
            group = group * len(fitted) + position[feature.codes]
        return scores, group

    def predict_proba(self, y_score: Any, *, sensitive_features: Any) -> np.ndarray:
        """The probability that each row is predicted positive."""
        scores, group = self._rows(y_score, sensitive_features)
        r = self.rules_
        thresholded = r["p0"][group] * (scores > r["threshold0"][group]) + r["p1"][group] * (scores > r["threshold1"][group])
        p_ignore = r["p_ignore"][group]
        return p_ignore * self.constant_ + (1 - p_ignore) * thresholded

    def predict(self, y_score: Any, *, sensitive_features: Any, random_state: Any = None) -> np.ndarray:
        """0/1 predictions drawn with predict_proba's probabilities."""
        rng = random_state if isinstance(random_state, np.random.RandomState) else np.random.RandomState(random_state)
        probability = self.predict_proba(y_score, sensitive_features=sensitive_features)
        return (rng.rand(len(probability)) < probability).astype(np.int64)

    def to_frame(self) -> Any:
        """One row per group: the two thresholds, the probability of using each, and
        (equalized odds) the probability of the constant prediction instead."""
        import pandas as pd

        return pd.DataFrame(self.rules_, index=self._group_index)
