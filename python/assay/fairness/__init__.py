"""Fairness: metrics by group, their disparities, intervals and mitigation.

[`MetricFrame`][assay.fairness.MetricFrame] has fairlearn's signature and accessors, so that
switching is an import change; the named functions
([`selection_rate`][assay.fairness.selection_rate],
[`demographic_parity_difference`][assay.fairness.demographic_parity_difference],
[`equalized_odds_ratio`][assay.fairness.equalized_odds_ratio], ...),
[`make_derived_metric`][assay.fairness.make_derived_metric] and the metrics fairlearn
generates with it (``accuracy_score_difference``, ...) take fairlearn's arguments too.
The work happens in the C++ core: the sensitive features become one group index
(mixed-radix intersection codes), one pass accumulates a confusion matrix (or regression
sums) per group, and every built-in metric and aggregate is computed from those
statistics. User-defined metric callables are still accepted: they are called once per group
on contiguous slices of the rows, sorted once by group.

Two conventions (``convention=``):

* ``"strict"`` (default): a value whose definition divides by zero (the true-positive
  rate of a group without positives, say) is NaN, and
  [`MetricFrame.undefined`][assay.fairness.MetricFrame.undefined] says why.
* ``"fairlearn"``: fairlearn's numbers, including its quirks (such a rate is 0, the
  built-in ``max``/``min`` order rule of ``equalized_odds_*``).

See docs/fairness.md for every definition and difference.
"""

from __future__ import annotations

from ._calibration import CalibrationByGroup, calibration_by_group, roc_auc_by_group
from ._derived import (
    GENERATED_METRICS,
    accuracy_score_difference,
    accuracy_score_group_min,
    accuracy_score_ratio,
    balanced_accuracy_score_group_min,
    f1_score_group_min,
    false_negative_rate_difference,
    false_negative_rate_ratio,
    false_positive_rate_difference,
    false_positive_rate_ratio,
    log_loss_group_max,
    make_derived_metric,
    mean_absolute_error_group_max,
    mean_squared_error_group_max,
    precision_score_group_min,
    r2_score_group_min,
    recall_score_group_min,
    roc_auc_score_group_min,
    selection_rate_difference,
    selection_rate_ratio,
    true_negative_rate_difference,
    true_negative_rate_ratio,
    true_positive_rate_difference,
    true_positive_rate_ratio,
    zero_one_loss_difference,
    zero_one_loss_group_max,
    zero_one_loss_ratio,
)
from ._disparities import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
)
from ._evaluation import CONVENTIONS
from ._four_fifths import FourFifths, disparate_impact_ratio, four_fifths
from ._indices import (
    between_group_generalized_entropy_index,
    between_group_theil_index,
    generalized_entropy_index,
    smoothed_edf,
    theil_index,
)
from ._intervals import katz_interval, newcombe_interval, wilson_interval
from ._metric_frame import MetricFrame
from ._metrics import (
    accuracy_score,
    balanced_accuracy_score,
    count,
    expected_calibration_error,
    f1_score,
    false_negative_rate,
    false_positive_rate,
    mean_absolute_error,
    mean_error,
    mean_prediction,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
    zero_one_loss,
)
from ._mitigation import ThresholdOptimizer, reweighing
from ._stream import ConfusionAccumulator, RegressionAccumulator

__all__ = [
    "MetricFrame",
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "balanced_accuracy_score",
    "mean_prediction",
    "mean_error",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2_score",
    "roc_auc_score",
    "expected_calibration_error",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "zero_one_loss",
    "make_derived_metric",
    "GENERATED_METRICS",
    "true_positive_rate_difference",
    "true_positive_rate_ratio",
    "true_negative_rate_difference",
    "true_negative_rate_ratio",
    "false_positive_rate_difference",
    "false_positive_rate_ratio",
    "false_negative_rate_difference",
    "false_negative_rate_ratio",
    "selection_rate_difference",
    "selection_rate_ratio",
    "accuracy_score_difference",
    "accuracy_score_ratio",
    "accuracy_score_group_min",
    "zero_one_loss_difference",
    "zero_one_loss_ratio",
    "zero_one_loss_group_max",
    "balanced_accuracy_score_group_min",
    "precision_score_group_min",
    "recall_score_group_min",
    "roc_auc_score_group_min",
    "mean_absolute_error_group_max",
    "mean_squared_error_group_max",
    "r2_score_group_min",
    "f1_score_group_min",
    "log_loss_group_max",
    "CONVENTIONS",
    "CalibrationByGroup",
    "ConfusionAccumulator",
    "RegressionAccumulator",
    "ThresholdOptimizer",
    "FourFifths",
    "between_group_generalized_entropy_index",
    "between_group_theil_index",
    "calibration_by_group",
    "disparate_impact_ratio",
    "four_fifths",
    "generalized_entropy_index",
    "katz_interval",
    "newcombe_interval",
    "reweighing",
    "roc_auc_by_group",
    "smoothed_edf",
    "theil_index",
    "wilson_interval",
]
