"""The scores of each group: reliability bins with the expected and maximum calibration
errors, and the exact ROC-AUC per observed group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core, report
from .._results import Exportable, nan_if_none
from .._util import json_safe
from ..typing import ArrayLike, NJobs, TableLike
from ._checks import positive_int
from ._evaluation import observed_groups
from ._inputs import as_indicator, as_numeric, as_weights, json_label, weight_scale
from ._metric_frame import MetricFrame
from ._metrics import roc_auc_score
from ._report import calibration_sections

_core_fair = _core.fairness


@dataclass
class CalibrationByGroup(Exportable):
    """Reliability bins and calibration errors per group (see ``calibration_by_group``).

    ``to_json()`` / ``CalibrationByGroup.from_json()`` write and read the result,
    ``to_html()`` gives a standalone page (the ECE and MCE table and a reliability curve per
    group), and a notebook shows the same.

    Attributes
    ----------
    groups : list
        The group labels (a level, or a tuple of levels for several features).
    n_bins : int
        The number of equal-width bins on [0, 1].
    weight : numpy.ndarray
        Weight per group and bin (the number of rows without weights), shape (groups, bins).
    mean_score : numpy.ndarray
        Mean predicted probability per group and bin; NaN for empty bins.
    positive_rate : numpy.ndarray
        Weighted share of positives per group and bin; NaN for empty bins.
    ece : numpy.ndarray
        Expected calibration error per group: the sum over bins of the bin's weight share
        times |positive rate - mean score|.
    mce : numpy.ndarray
        Maximum calibration error per group: the largest |positive rate - mean score|.

    Examples
    --------
    >>> from assay.fairness import calibration_by_group
    >>> y_true = [0, 1, 1, 0, 1, 0, 1, 1]
    >>> y_prob = [0.2, 0.7, 0.9, 0.4, 0.6, 0.5, 0.8, 0.4]
    >>> result = calibration_by_group(y_true, y_prob, sensitive_features=list("aaaabbbb"), n_bins=5)
    >>> result.groups, result.ece.round(3).tolist(), result.mce.round(3).tolist()
    (['a', 'b'], [0.25, 0.225], [0.4, 0.6])
    """

    groups: list
    n_bins: int
    weight: np.ndarray  # (groups, bins)
    mean_score: np.ndarray  # (groups, bins), NaN for empty bins
    positive_rate: np.ndarray  # (groups, bins), NaN for empty bins
    ece: np.ndarray
    mce: np.ndarray

    def to_frame(self) -> Any:
        """The reliability bins in long format: one row per group and non-empty bin.

        Returns
        -------
        pandas DataFrame
            Columns ``group``, ``bin``, ``weight``, ``mean_score``, ``positive_rate``.

        Examples
        --------
        >>> from assay.fairness import calibration_by_group
        >>> y_true = [0, 1, 1, 0, 1, 0, 1, 1]
        >>> y_prob = [0.2, 0.7, 0.9, 0.4, 0.6, 0.5, 0.8, 0.4]
        >>> result = calibration_by_group(y_true, y_prob, sensitive_features=list("aaaabbbb"), n_bins=5)
        >>> result.to_frame().query("group == 'b'")
          group  bin  weight  mean_score  positive_rate
        4     b    1     1.0        0.40            1.0
        5     b    2     2.0        0.55            0.5
        6     b    3     1.0        0.80            1.0
        """
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

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dictionary (NaN as None).

        Returns
        -------
        dict
            ``n_bins`` and ``groups``: per group its label, ``ece``, ``mce`` and the
            ``weight``, ``mean_score`` and ``positive_rate`` of every bin.
        """
        return json_safe(
            {
                "n_bins": self.n_bins,
                "groups": [
                    {"group": json_label(g), "ece": e, "mce": m, "weight": w, "mean_score": s, "positive_rate": r}
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

    _kind = "CalibrationByGroup"
    _title = "assay calibration by group"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> CalibrationByGroup:
        rows = data["groups"]
        n_bins = int(data["n_bins"])

        def bins(key: str) -> np.ndarray:
            table = np.array([[nan_if_none(v) for v in r[key]] for r in rows], dtype=np.float64)
            if table.shape != (len(rows), n_bins) and rows:
                raise ValueError(f"{key}: expected {n_bins} bins per group")
            return table.reshape(len(rows), n_bins)

        return cls(
            groups=[tuple(r["group"]) if isinstance(r["group"], list) else r["group"] for r in rows],
            n_bins=n_bins,
            weight=bins("weight"),
            mean_score=bins("mean_score"),
            positive_rate=bins("positive_rate"),
            ece=np.array([nan_if_none(r["ece"]) for r in rows], dtype=np.float64),
            mce=np.array([nan_if_none(r["mce"]) for r in rows], dtype=np.float64),
        )

    def _sections(self) -> list[report.Section]:
        return calibration_sections(self)


def calibration_by_group(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    n_bins: int = 10,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    n_jobs: NJobs = None,
) -> CalibrationByGroup:
    """Reliability bins and the expected and maximum calibration errors of each observed group.

    The bins are equal-width on [0, 1], a probability on an edge going to the lower bin
    (scikit-learn's ``calibration_curve(strategy="uniform")``). Per group and bin: the
    weight, the mean predicted probability and the share of positives; ECE = sum over bins
    of the weight share times |share of positives - mean probability|; MCE = the largest
    such gap.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_prob : ArrayLike
        Predicted probabilities of ``pos_label``, one per row, in [0, 1].
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    n_bins : int, default 10
        Number of bins.
    pos_label : label, default 1
        The positive label of ``y_true``.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row (the bin weights are on their scale).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    CalibrationByGroup
        The bins and errors of each group.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, NaN labels, a missing sensitive value, probabilities that
        are not finite or outside [0, 1], bad weights, or ``n_bins`` below 1.
    InvalidTypeError
        Probabilities or weights that are not numbers, or ``n_bins`` not an integer.
    ResourceLimitError
        ``n_bins`` so large that the bins cannot fit in memory.

    Examples
    --------
    >>> from assay.fairness import calibration_by_group
    >>> y_true = [0, 1, 1, 0, 1, 0, 1, 1]
    >>> y_prob = [0.2, 0.7, 0.9, 0.4, 0.6, 0.5, 0.8, 0.4]
    >>> result = calibration_by_group(y_true, y_prob, sensitive_features=list("aaaabbbb"), n_bins=5)
    >>> result.ece.round(3)
    array([0.25 , 0.225])
    """
    n_bins = positive_int(n_bins, "n_bins")
    groups, evaluation, labels = observed_groups(y_true, y_prob, sensitive_features, n_jobs)
    y = as_indicator(evaluation.y_true, pos_label, "y_true")
    scores = as_numeric(evaluation.y_pred, "y_prob")
    weights = as_weights(sample_weight, len(y))
    c = _core_fair.calibration_by_group(
        groups.row_group, groups.n_groups, scores, y, weights, n_bins, evaluation.n_jobs
    )
    bin_weight = c["weight"]
    if weights is not None:
        with np.errstate(over="ignore"):
            bin_weight = bin_weight * weight_scale(sample_weight)  # back to the caller's scale
    return CalibrationByGroup(labels, n_bins, bin_weight, c["mean_score"], c["positive_rate"], c["ece"], c["mce"])


def roc_auc_by_group(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    sample_weight: ArrayLike | None = None,
    n_jobs: NJobs = None,
) -> Any:
    """Exact ROC-AUC of each observed group (ties count one half), as ``roc_auc_score`` per group.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row: at most two distinct values, the larger positive.
    y_score : ArrayLike
        Scores, one per row (finite numbers).
    sensitive_features : ArrayLike or TableLike
        The groups, as in [`MetricFrame`][assay.fairness.MetricFrame].
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    pandas Series
        The AUC per observed group; NaN for a group with one class only ([`MetricFrame`][assay.fairness.MetricFrame]'s
        ``undefined`` reason).

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, more than two labels, NaN labels, non-finite scores, bad
        weights or a missing sensitive value.
    InvalidTypeError
        Scores or weights that are not numbers.

    Examples
    --------
    >>> from assay.fairness import roc_auc_by_group
    >>> y_true = [0, 1, 1, 0, 1, 0, 1, 1]
    >>> y_score = [0.2, 0.7, 0.9, 0.4, 0.6, 0.5, 0.8, 0.4]
    >>> roc_auc_by_group(y_true, y_score, sensitive_features=list("aaaabbbb")).round(3)
    sensitive_feature_0
    a    1.000
    b    0.667
    Name: roc_auc_score, dtype: float64
    """
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
