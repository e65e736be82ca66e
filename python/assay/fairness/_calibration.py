"""The scores of each group: reliability bins with the expected and maximum calibration
errors, and the exact ROC-AUC per observed group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .._util import json_safe
from ._checks import positive_int
from ._evaluation import observed_groups
from ._html import calibration_html
from ._inputs import as_indicator, as_numeric, as_weights, weight_scale
from ._metric_frame import MetricFrame
from ._metrics import roc_auc_score

_core_fair = _core.fairness


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
    y_true: Any, y_score: Any, *, sensitive_features: Any, sample_weight: Any = None, n_jobs: int | None = None
) -> Any:
    """Exact ROC-AUC per observed group (a pandas Series; NaN for single-class groups)."""
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
