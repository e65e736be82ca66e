"""assay._core.fairness: group index, accumulators, metrics, uncertainty (python/bindings/fairness.cpp).

Arrays are taken as prepared by the Python layer (1-D, contiguous, of the dtype named in
the annotation) and never converted: another dtype is an InvalidTypeError.
"""

import enum
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from . import _NativeEnum, _NotConstructible, _Progress

_Floats = npt.NDArray[np.float64]
_Int32s = npt.NDArray[np.int32]
_Int64s = npt.NDArray[np.int64]
# (values per group, why each is undefined: an index into UNDEFINED_REASONS, 0 when defined).
_MetricValues = tuple[_Floats, npt.NDArray[np.uint8]]

class MissingPolicy(_NativeEnum, enum.Enum):
    error = 0
    own_group = 1
    drop = 2

class Convention(_NativeEnum, enum.Enum):
    strict = 0
    fairlearn = 1

class ClassificationMetric(_NativeEnum, enum.Enum):
    count = 0
    selection_rate = 1
    true_positive_rate = 2
    false_positive_rate = 3
    true_negative_rate = 4
    false_negative_rate = 5
    precision = 6
    f1 = 7
    accuracy = 8
    error_rate = 9
    balanced_accuracy = 10

class RegressionMetric(_NativeEnum, enum.Enum):
    mean_prediction = 0
    mean_error = 1
    mean_absolute_error = 2
    mean_squared_error = 3
    root_mean_squared_error = 4
    r2 = 5

class RateMetric(_NativeEnum, enum.Enum):
    selection_rate = 0
    true_positive_rate = 1
    false_positive_rate = 2
    true_negative_rate = 3
    false_negative_rate = 4
    accuracy_score = 5
    balanced_accuracy_score = 6

class _GroupIndex(TypedDict):
    n_groups: int
    row_group: _Int32s
    keys: list[_Int32s]
    group_rows: _Int64s
    missing_rows: _Int64s
    dropped_rows: int

# group_min, group_max, difference_between_groups, difference_to_overall,
# ratio_between_groups, ratio_to_overall: one value per control level each.
_Aggregates = dict[str, _Floats]
# weight, mean_score, positive_rate: (n_groups, n_bins); ece, mce: per group.
_Calibration = dict[str, _Floats]

class _ThresholdRules(TypedDict):
    x_best: float
    constant: float
    p_ignore: _Floats
    p0: _Floats
    threshold0: _Floats
    p1: _Floats
    threshold1: _Floats
    below0: npt.NDArray[np.bool_]
    below1: npt.NDArray[np.bool_]
    x_group: _Floats
    objective: _Floats

UNDEFINED_REASONS: list[str]

# features: (name, int32 codes with -1 for missing, number of levels) per sensitive feature.
def build_group_index(
    features: Sequence[tuple[str, _Int32s, int]], missing: MissingPolicy, observed: bool, n_jobs: int
) -> _GroupIndex: ...

# (row order grouped by group, offsets of each group's rows in it).
def sort_rows_by_group(row_group: _Int32s, n_groups: int) -> tuple[_Int64s, _Int64s]: ...

class ConfusionStats(_NotConstructible):
    @property
    def n_groups(self) -> int: ...
    @property
    def n_classes(self) -> int: ...
    @property
    def weighted(self) -> bool: ...
    @property
    def counts(self) -> _Int64s: ...
    @property
    def weights(self) -> _Floats: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> ConfusionStats: ...
    def merge(self, other: ConfusionStats) -> ConfusionStats: ...
    def sum_groups(self, target: _Int32s, n_targets: int) -> ConfusionStats: ...

class RegressionStats(_NotConstructible):
    @property
    def n_groups(self) -> int: ...
    @property
    def weighted(self) -> bool: ...
    @property
    def count(self) -> _Int64s: ...
    @property
    def weight(self) -> _Floats: ...
    @property
    def mean_true(self) -> _Floats: ...
    @property
    def m2_true(self) -> _Floats: ...
    @property
    def sum_pred(self) -> _Floats: ...
    @property
    def sum_error(self) -> _Floats: ...
    @property
    def sum_sq_error(self) -> _Floats: ...
    @property
    def sum_abs_error(self) -> _Floats: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> RegressionStats: ...
    def merge(self, other: RegressionStats) -> RegressionStats: ...
    def sum_groups(self, target: _Int32s, n_targets: int) -> RegressionStats: ...

def accumulate_confusion(
    row_group: _Int32s,
    n_groups: int,
    y_true: _Int32s,
    y_pred: _Int32s,
    n_classes: int,
    sample_weight: _Floats | None,
    n_jobs: int,
) -> ConfusionStats: ...
def accumulate_regression(
    row_group: _Int32s, n_groups: int, y_true: _Floats, y_pred: _Floats, sample_weight: _Floats | None, n_jobs: int
) -> RegressionStats: ...
def classification_metric(
    stats: ConfusionStats, metric: ClassificationMetric, positive_class: int, convention: Convention
) -> _MetricValues: ...
def regression_metric(stats: RegressionStats, metric: RegressionMetric, convention: Convention) -> _MetricValues: ...

# control[g]: the control level of group g in [0, n_levels); overall: one value per level.
def aggregate(
    values: _Floats, control: _Int32s, n_levels: int, overall: _Floats, convention: Convention = ...
) -> _Aggregates: ...
def bootstrap_counts(
    stats: ConfusionStats, n_boot: int, seed: int, n_jobs: int, progress: _Progress, first_replicate: int = ...
) -> ConfusionStats: ...
def bootstrap_rows_confusion(
    row_group: _Int32s,
    n_groups: int,
    y_true: _Int32s,
    y_pred: _Int32s,
    n_classes: int,
    sample_weight: _Floats | None,
    n_boot: int,
    seed: int,
    n_jobs: int,
    progress: _Progress,
    first_replicate: int = ...,
) -> ConfusionStats: ...
def bootstrap_rows_regression(
    row_group: _Int32s,
    n_groups: int,
    y_true: _Floats,
    y_pred: _Floats,
    sample_weight: _Floats | None,
    n_boot: int,
    seed: int,
    n_jobs: int,
    progress: _Progress,
    first_replicate: int = ...,
) -> RegressionStats: ...
def normal_quantile(p: float) -> float: ...

# Intervals for arrays of counts: (low, high).
def wilson(successes: _Floats, trials: _Floats, z: float) -> tuple[_Floats, _Floats]: ...
def newcombe(x1: _Floats, n1: _Floats, x2: _Floats, n2: _Floats, z: float) -> tuple[_Floats, _Floats]: ...
def katz(x1: _Floats, n1: _Floats, x2: _Floats, n2: _Floats, z: float) -> tuple[_Floats, _Floats]: ...
def generalized_entropy(values: _Floats, weights: _Floats, alpha: float) -> float: ...
def smoothed_edf(positives: _Floats, rows: _Floats, concentration: float) -> float: ...
def roc_auc_by_group(
    row_group: _Int32s, n_groups: int, y_score: _Floats, y_true: _Int32s, sample_weight: _Floats | None, n_jobs: int
) -> _MetricValues: ...
def calibration_by_group(
    row_group: _Int32s,
    n_groups: int,
    y_prob: _Floats,
    y_true: _Int32s,
    sample_weight: _Floats | None,
    n_bins: int,
    n_jobs: int,
) -> _Calibration: ...

# Under the Poisson row bootstrap: (by group (n_boot, n_groups), by level (n_boot, n_levels)).
def bootstrap_roc_auc(
    row_group: _Int32s,
    n_groups: int,
    group_level: _Int32s,
    n_levels: int,
    y_score: _Floats,
    y_true: _Int32s,
    sample_weight: _Floats | None,
    n_boot: int,
    seed: int,
    n_jobs: int,
    progress: _Progress,
    first_replicate: int = ...,
) -> tuple[_Floats, _Floats]: ...
def bootstrap_calibration_error(
    row_group: _Int32s,
    n_groups: int,
    group_level: _Int32s,
    n_levels: int,
    y_prob: _Floats,
    y_true: _Int32s,
    sample_weight: _Floats | None,
    n_bins: int,
    n_boot: int,
    seed: int,
    n_jobs: int,
    progress: _Progress,
    first_replicate: int = ...,
) -> tuple[_Floats, _Floats]: ...

# (rows drawn, offsets of each group's draws), from sort_rows_by_group's order and offsets.
def resample_grouped_rows(
    order: _Int64s, offsets: _Int64s, n_rows: int, seed: int, replicate: int
) -> tuple[_Int64s, _Int64s]: ...

# Kamiran & Calders' weights per (group, class): (n_groups, n_classes).
def reweighing(stats: ConfusionStats) -> _Floats: ...
def optimize_thresholds(
    row_group: _Int32s,
    n_groups: int,
    y_score: _Floats,
    y_true: _Int32s,
    constraint: RateMetric,
    objective: RateMetric,
    grid_size: int,
    flip: bool,
    tol: float,
    n_jobs: int,
) -> _ThresholdRules: ...
def optimize_equalized_odds(
    row_group: _Int32s,
    n_groups: int,
    y_score: _Floats,
    y_true: _Int32s,
    objective: RateMetric,
    grid_size: int,
    flip: bool,
    tol: float,
    n_jobs: int,
) -> _ThresholdRules: ...
