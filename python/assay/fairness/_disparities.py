"""Disparities of one metric between groups as single numbers, as fairlearn's functions:
demographic parity, equal opportunity and equalized odds, as differences or ratios."""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from ..errors import InvalidInputError
from ..typing import ArrayLike, NJobs, TableLike
from ._metric_frame import MetricFrame, require_two_groups
from ._metrics import false_positive_rate, selection_rate, true_positive_rate


def _disparity(
    metric: Callable[..., Any],
    kind: str,
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike | TableLike,
    method: str,
    sample_weight: ArrayLike | None,
    convention: str,
    n_jobs: NJobs,
    frame_of: Callable[..., MetricFrame] = MetricFrame,
) -> float:
    """The disparity of one metric; ``frame_of`` builds the frame (``MetricFrame``, or the
    Dask call's frame of merged states)."""
    frame = frame_of(
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
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """Largest difference in selection rate between groups (or to the overall rate).

    fairlearn's ``demographic_parity_difference``: ``MetricFrame(metrics=selection_rate,
    ...).difference(method)``, computed in one pass of the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.difference`][assay.fairness.MetricFrame.difference]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    pos_label : label, default 1
        The label that counts as selected.
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 0).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The difference, 0 when every group is selected at the same rate.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a selection rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import demographic_parity_difference
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> demographic_parity_difference(y_true, y_pred, sensitive_features=list("ffffmmmm"))
    0.25
    """
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
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """Smallest ratio of selection rates between groups (or to the overall rate).

    fairlearn's ``demographic_parity_ratio``: ``MetricFrame(metrics=selection_rate,
    ...).ratio(method)``. The four-fifths rule asks for at least 0.8; ``four_fifths`` adds
    intervals and a verdict.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.ratio`][assay.fairness.MetricFrame.ratio]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    pos_label : label, default 1
        The label that counts as selected.
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 1).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The ratio, 1 when every group is selected at the same rate.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a selection rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import demographic_parity_ratio
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(demographic_parity_ratio(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.6667
    """
    return _disparity(
        _selection(pos_label), "ratio", y_true, y_pred, sensitive_features, method, sample_weight, convention, n_jobs
    )


def _with_pos_label(function: Callable[..., Any], pos_label: Any) -> Callable[..., Any]:
    return function if pos_label is None else functools.partial(function, pos_label=pos_label)


def equal_opportunity_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """Largest difference in true-positive rate between groups (or to the overall rate).

    fairlearn's ``equal_opportunity_difference``: the ``difference`` of
    [`true_positive_rate`][assay.fairness.true_positive_rate] by group. A group without actual
    positives has an undefined rate.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.difference`][assay.fairness.MetricFrame.difference]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    pos_label : label, optional
        The positive label (default: labels {0, 1} or {-1, 1}, 1 positive).
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 0).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The difference, 0 when every group has the same true-positive rate.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a true-positive rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import equal_opportunity_difference
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(equal_opportunity_difference(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.3333
    """
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
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """Smallest ratio of true-positive rates between groups (or to the overall rate).

    fairlearn's ``equal_opportunity_ratio``: the ``ratio`` of
    [`true_positive_rate`][assay.fairness.true_positive_rate] by group.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.ratio`][assay.fairness.MetricFrame.ratio]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    pos_label : label, optional
        The positive label (default: labels {0, 1} or {-1, 1}, 1 positive).
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 1).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The ratio, 1 when every group has the same true-positive rate.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a true-positive rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import equal_opportunity_ratio
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(equal_opportunity_ratio(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.6667
    """
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
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike | TableLike,
    method: str,
    sample_weight: ArrayLike | None,
    agg: str,
    pos_label: Any,
    convention: str,
    n_jobs: NJobs,
    frame_of: Callable[..., MetricFrame] = MetricFrame,
) -> float:
    if agg not in ("worst_case", "mean"):
        raise InvalidInputError(f"agg must be one of 'worst_case' or 'mean', got {agg}")
    weights = None if sample_weight is None else {"sample_weight": sample_weight}
    frame = frame_of(
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
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """The worst (or mean) of the TPR and FPR differences between groups.

    fairlearn's ``equalized_odds_difference``. fairlearn takes Python's built-in ``max``
    over [TPR difference, FPR difference], so a NaN first part wins and a NaN second part
    loses, and a NaN-skipping mean; ``convention="fairlearn"`` reproduces that. Under the
    strict convention the result is NaN when either part is undefined (the worst case is
    then unknown).

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.difference`][assay.fairness.MetricFrame.difference]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    agg : {"worst_case", "mean"}, default "worst_case"
        Combine the TPR and FPR disparities by the worst of the two or their mean.
    pos_label : label, optional
        The positive label (default: labels {0, 1} or {-1, 1}, 1 positive).
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 0).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The worst-case (or mean) difference; 0 when both rates are equal across groups.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import equalized_odds_difference
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(equalized_odds_difference(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.6667
    """
    return _equalized_odds(
        "difference", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )


def equalized_odds_ratio(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    method: str = "between_groups",
    sample_weight: ArrayLike | None = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: NJobs = None,
) -> float:
    """The worst (or mean) of the TPR and FPR ratios between groups.

    fairlearn's ``equalized_odds_ratio``: the smaller (or the mean) of the TPR and FPR
    ratios, with the same NaN rules as [`equalized_odds_difference`][assay.fairness.equalized_odds_difference].

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (a 2-D array, a DataFrame, a dict of name to
        array), as in [`MetricFrame`][assay.fairness.MetricFrame].
    method : {"between_groups", "to_overall"}, default "between_groups"
        Compare the groups with each other, or each group with the overall value (see
        [`MetricFrame.ratio`][assay.fairness.MetricFrame.ratio]).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    agg : {"worst_case", "mean"}, default "worst_case"
        Combine the TPR and FPR disparities by the worst of the two or their mean.
    pos_label : label, optional
        The positive label (default: labels {0, 1} or {-1, 1}, 1 positive).
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a group with an undefined value makes the result NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]), and data with a single group is an error.
        ``"fairlearn"``: fairlearn's numbers (such values count as 0, one group gives 1).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The worst-case (or mean) ratio; 1 when both rates are equal across groups.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, a missing sensitive value, labels or weights a rate
        cannot use, an unknown option, or (strict convention) a single group.
    InvalidTypeError
        Labels that mix numbers and strings, or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import equalized_odds_ratio
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> equalized_odds_ratio(y_true, y_pred, sensitive_features=list("ffffmmmm"))
    0.0
    """
    return _equalized_odds(
        "ratio", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )
