"""AIF360's inequality indices of individual benefits (generalized entropy, Theil, between
groups) and the smoothed empirical differential fairness of intersectional groups."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..errors import InvalidInputError, InvalidTypeError
from ._evaluation import observed_groups
from ._inputs import as_indicator, as_weights, to_numpy

_core_fair = _core.fairness


def _benefits(y_true: Any, y_pred: Any, pos_label: Any, sensitive_features: Any = None, n_jobs: int | None = None):
    """Per group: row counts of the benefits b = y_pred - y_true + 1 in {0, 1, 2}."""
    if sensitive_features is None:
        sensitive_features = np.zeros(len(to_numpy(y_true, "y_true")), dtype=np.int8)
    groups, evaluation, _ = observed_groups(y_true, y_pred, sensitive_features, n_jobs)
    t = as_indicator(evaluation.y_true, pos_label, "y_true")
    p = as_indicator(evaluation.y_pred, pos_label, "y_pred")
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
    if isinstance(concentration, bool) or not isinstance(concentration, (int, float)) or not concentration >= 0:
        raise InvalidInputError(f"concentration must be a non-negative number, got {concentration!r}")
    groups, evaluation, _ = observed_groups(y, y, sensitive_features, n_jobs)
    indicator = as_indicator(evaluation.y_true, pos_label, "y")
    weights = as_weights(sample_weight, len(indicator), normalise=False)  # the prior is on the weights' scale
    stats = _core_fair.accumulate_confusion(
        groups.row_group, groups.n_groups, indicator, indicator, 2, weights, evaluation.n_jobs
    )
    positives = np.ascontiguousarray(stats.weights[:, 1, 1])
    rows = np.ascontiguousarray(stats.weights[:, 0, 0] + stats.weights[:, 1, 1])
    return _core_fair.smoothed_edf(positives, rows, float(concentration))
