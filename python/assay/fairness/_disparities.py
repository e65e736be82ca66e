"""Disparities of one metric between groups as single numbers, as fairlearn's functions:
demographic parity, equal opportunity and equalized odds, as differences or ratios."""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from ..errors import InvalidInputError
from ._metric_frame import MetricFrame, require_two_groups
from ._metrics import false_positive_rate, selection_rate, true_positive_rate


def _disparity(
    metric: Callable[..., Any],
    kind: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    convention: str,
    n_jobs: int | None,
) -> float:
    frame = MetricFrame(
        metrics=metric,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
        sample_params=None if sample_weight is None else {"sample_weight": sample_weight},
        convention=convention,
        n_jobs=n_jobs,
    )
    require_two_groups(frame)
    return float(frame.difference(method=method) if kind == "difference" else frame.ratio(method=method))


def _selection(pos_label: Any) -> Callable[..., Any]:
    return selection_rate if pos_label == 1 else functools.partial(selection_rate, pos_label=pos_label)


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Largest difference in selection rate between groups (or to the overall rate)."""
    return _disparity(
        _selection(pos_label),
        "difference",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Smallest ratio of selection rates between groups (or to the overall rate)."""
    return _disparity(
        _selection(pos_label), "ratio", y_true, y_pred, sensitive_features, method, sample_weight, convention, n_jobs
    )


def _with_pos_label(function: Callable[..., Any], pos_label: Any) -> Callable[..., Any]:
    return function if pos_label is None else functools.partial(function, pos_label=pos_label)


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Largest difference in true-positive rate between groups (or to the overall rate)."""
    return _disparity(
        _with_pos_label(true_positive_rate, pos_label),
        "difference",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Smallest ratio of true-positive rates between groups (or to the overall rate)."""
    return _disparity(
        _with_pos_label(true_positive_rate, pos_label),
        "ratio",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def _equalized_odds(
    kind: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    agg: str,
    pos_label: Any,
    convention: str,
    n_jobs: int | None,
) -> float:
    if agg not in ("worst_case", "mean"):
        raise InvalidInputError(f"agg must be one of 'worst_case' or 'mean', got {agg}")
    weights = None if sample_weight is None else {"sample_weight": sample_weight}
    frame = MetricFrame(
        metrics={
            "tpr": _with_pos_label(true_positive_rate, pos_label),
            "fpr": _with_pos_label(false_positive_rate, pos_label),
        },
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
        sample_params=None if weights is None else {"tpr": weights, "fpr": weights},
        convention=convention,
        n_jobs=n_jobs,
    )
    require_two_groups(frame)
    values = frame.difference(method=method) if kind == "difference" else frame.ratio(method=method)
    tpr, fpr = float(values["tpr"]), float(values["fpr"])
    return _combine_odds(tpr, fpr, kind, agg, convention)


def _combine_odds(tpr: float, fpr: float, kind: str, agg: str, convention: str) -> float:
    """Worst case or mean of the TPR and FPR disparities.

    fairlearn uses Python's built-in max/min over [tpr, fpr] (a NaN first wins, a NaN
    second loses) and pandas' NaN-skipping mean; the strict convention returns NaN when
    either disparity is undefined, since the worst case is then unknown.
    """
    if convention == "fairlearn":
        if agg == "mean":
            present = [v for v in (tpr, fpr) if not math.isnan(v)]
            return sum(present) / len(present) if present else math.nan
        return max([tpr, fpr]) if kind == "difference" else min([tpr, fpr])
    if math.isnan(tpr) or math.isnan(fpr):
        return math.nan
    if agg == "mean":
        return (tpr + fpr) / 2
    return max(tpr, fpr) if kind == "difference" else min(tpr, fpr)


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """The worst (or mean) of the TPR and FPR differences between groups."""
    return _equalized_odds(
        "difference", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """The worst (or mean) of the TPR and FPR ratios between groups."""
    return _equalized_odds(
        "ratio", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )
