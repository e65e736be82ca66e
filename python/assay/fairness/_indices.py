"""AIF360's inequality indices of individual benefits (generalized entropy, Theil, between
groups) and the smoothed empirical differential fairness of intersectional groups."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike, NJobs, TableLike
from ._evaluation import observed_groups
from ._inputs import as_indicator, as_weights, to_numpy

_core_fair = _core.fairness


def _benefits(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    pos_label: Any,
    sensitive_features: ArrayLike | TableLike | None = None,
    n_jobs: NJobs = None,
) -> np.ndarray:
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
    """alpha as a finite float."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
        raise InvalidTypeError(f"alpha must be a finite number, got {alpha!r}")
    try:
        value = float(alpha)
    except (OverflowError, TypeError) as error:
        raise InvalidInputError(f"alpha must be a finite number, got {alpha!r}") from error
    if not np.isfinite(value):
        raise InvalidInputError(f"alpha must be a finite number, got {alpha!r}")
    return value


def generalized_entropy_index(y_true: ArrayLike, y_pred: ArrayLike, *, alpha: float = 2, pos_label: Any = 1) -> float:
    """Generalized entropy index GE(alpha) of the individual benefits b_i = y_pred_i - y_true_i + 1.

    Speicher et al. (2018), unweighted as in AIF360's ``generalized_entropy_error``:
    GE(alpha) = 1 / (n alpha (alpha - 1)) sum_i ((b_i / mu)^alpha - 1), with mu the mean
    benefit. alpha = 1 is the Theil index; alpha = 0 the mean log deviation
    -(1/n) sum ln(b_i / mu), the textbook formula (AIF360's code divides it by mu once
    more), which is +inf when some benefit is 0.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    alpha : float, default 2
        The index's parameter: any finite number.
    pos_label : label, default 1
        The positive label of ``y_true`` and ``y_pred``.

    Returns
    -------
    float
        GE(alpha); 0 when every row has the same benefit.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels, or ``alpha`` not finite.
    InvalidTypeError
        Labels that mix numbers and strings, or ``alpha`` not a number.

    Examples
    --------
    >>> from assay.fairness import generalized_entropy_index
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(generalized_entropy_index(y_true, y_pred), 4)
    0.142
    """
    counts = _benefits(y_true, y_pred, pos_label).sum(axis=0)
    return float(
        _core_fair.generalized_entropy(np.array([0.0, 1.0, 2.0]), np.ascontiguousarray(counts), _check_alpha(alpha))
    )


def theil_index(y_true: ArrayLike, y_pred: ArrayLike, *, pos_label: Any = 1) -> float:
    """Theil index of the individual benefits: ``generalized_entropy_index`` with alpha = 1.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    pos_label : label, default 1
        The positive label of ``y_true`` and ``y_pred``.

    Returns
    -------
    float
        GE(1) = (1/n) sum_i (b_i / mu) ln(b_i / mu).

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels.
    InvalidTypeError
        Labels that mix numbers and strings.

    Examples
    --------
    >>> from assay.fairness import theil_index
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(theil_index(y_true, y_pred), 4)
    0.1903
    """
    return generalized_entropy_index(y_true, y_pred, alpha=1, pos_label=pos_label)


def between_group_generalized_entropy_index(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    alpha: float = 2,
    pos_label: Any = 1,
    n_jobs: NJobs = None,
) -> float:
    """Between-group generalized entropy index: GE(alpha) after replacing every benefit by its group's mean.

    AIF360's ``between_group_generalized_entropy_error`` (with the groups of
    ``sensitive_features``); the unfairness that lies between the groups rather than
    within them.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    alpha : float, default 2
        The index's parameter: any finite number.
    pos_label : label, default 1
        The positive label of ``y_true`` and ``y_pred``.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        GE(alpha) of the group-mean benefits; 0 when every group has the same mean benefit.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels, a missing sensitive value, or ``alpha`` not finite.
    InvalidTypeError
        Labels that mix numbers and strings, or ``alpha`` not a number.

    Examples
    --------
    >>> from assay.fairness import between_group_generalized_entropy_index
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(between_group_generalized_entropy_index(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.0556
    """
    counts = _benefits(y_true, y_pred, pos_label, sensitive_features, n_jobs)
    rows = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_mean = (counts[:, 1] + 2 * counts[:, 2]) / rows
    present = rows > 0
    return float(
        _core_fair.generalized_entropy(
            np.ascontiguousarray(group_mean[present]), np.ascontiguousarray(rows[present]), _check_alpha(alpha)
        )
    )


def between_group_theil_index(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    pos_label: Any = 1,
    n_jobs: NJobs = None,
) -> float:
    """Between-group Theil index: ``between_group_generalized_entropy_index`` with alpha = 1.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    pos_label : label, default 1
        The positive label of ``y_true`` and ``y_pred``.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        GE(1) of the group-mean benefits.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels or a missing sensitive value.
    InvalidTypeError
        Labels that mix numbers and strings.

    Examples
    --------
    >>> from assay.fairness import between_group_theil_index
    >>> y_true = [1, 0, 1, 1, 0, 1, 0, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 1, 0]
    >>> round(between_group_theil_index(y_true, y_pred, sensitive_features=list("ffffmmmm")), 4)
    0.0566
    """
    return between_group_generalized_entropy_index(
        y_true, y_pred, sensitive_features=sensitive_features, alpha=1, pos_label=pos_label, n_jobs=n_jobs
    )


def smoothed_edf(
    y: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    concentration: float = 1.0,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    n_jobs: NJobs = None,
) -> float:
    """Smoothed empirical differential fairness epsilon of outcomes over the observed intersections.

    Foulds et al. (2018), as AIF360's classic ``BinaryLabelDatasetMetric``
    (``smoothed_empirical_differential_fairness``): per intersection s,
    p_s = (positives_s + concentration / 2) / (rows_s + concentration), and epsilon is the
    largest, over pairs of intersections, of |ln p_s - ln p_t| and
    |ln(1 - p_s) - ln(1 - p_t)|. AIF360's scikit-learn API counts the classes inside each
    group instead, which differs for groups with one class only.

    Parameters
    ----------
    y : ArrayLike
        The outcomes (labels or predictions), one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    concentration : float, default 1.0
        The Dirichlet smoothing, a non-negative number (0: no smoothing).
    pos_label : label, default 1
        The positive outcome.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row (the prior is on their scale, so their
        sum must not overflow).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        epsilon; 0 when every intersection has the same smoothed rate.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels, a missing sensitive value, bad weights or a negative ``concentration``.
    InvalidTypeError
        Weights that are not numbers, or a sensitive feature of an unsupported type.

    Examples
    --------
    >>> from assay.fairness import smoothed_edf
    >>> round(smoothed_edf([1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm")), 4)
    0.5108
    """
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
    return float(_core_fair.smoothed_edf(positives, rows, float(concentration)))
