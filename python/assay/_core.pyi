"""Type annotations of assay's compiled module (private: use the assay package)."""

from collections.abc import Sequence
from typing import Callable

import numpy as np
import numpy.typing as npt

__version__: str
PROFILE_QUANTILES: list[float]
MAX_HISTOGRAM_BINS: int
MAX_LEAKAGE_BINS: int

ColumnSpec = tuple[str, npt.NDArray[np.float64]] | tuple[str, npt.NDArray[np.int32], list[str]]
ProgressCallback = Callable[[int, int], None] | None

def resolve_threads(n_jobs: int) -> int: ...
def hash_string(text: str) -> int: ...

class QuantileSummary:
    @staticmethod
    def from_points(
        values: Sequence[float], weights: Sequence[float], rank_error: float, capacity: int = ...
    ) -> QuantileSummary: ...
    @property
    def values(self) -> list[float]: ...
    @property
    def weights(self) -> list[float]: ...
    @property
    def rank_error(self) -> float: ...
    @property
    def capacity(self) -> int: ...
    def quantile(self, p: float) -> float: ...

class HyperLogLog:
    def __init__(self, precision: int = ...) -> None: ...
    @staticmethod
    def from_registers(data: bytes) -> HyperLogLog: ...
    @property
    def registers(self) -> bytes: ...
    @property
    def precision(self) -> int: ...
    def estimate(self) -> float: ...

class _ProfileBase:
    name: str
    count: int
    missing: int
    distinct: int
    distinct_exact: bool
    distinct_sketch: HyperLogLog
    values_complete: bool

class NumericProfile(_ProfileBase):
    values: list[tuple[float, int]]
    infinities: int
    zeros: int
    negatives: int
    min: float
    max: float
    mean: float
    m2: float
    scale: float
    sum: float
    sum_low: float
    @property
    def variance(self) -> float: ...
    @property
    def std(self) -> float: ...
    quantiles: list[float]
    quantiles_exact: bool
    histogram_edges: list[float]
    histogram_counts: list[int]
    histogram_exact: bool
    summary: QuantileSummary

class CategoricalProfile(_ProfileBase):
    values: list[tuple[str, int]]

class TableProfile:
    numeric: list[NumericProfile]
    categorical: list[CategoricalProfile]
    column_order: list[str]

class ProfileOptions:
    histogram_bins: int
    tracked_values: int
    summary_capacity: int
    hll_precision: int

def profile(columns: list[ColumnSpec], options: ProfileOptions, n_jobs: int) -> TableProfile: ...
def merge_profiles(a: TableProfile, b: TableProfile, options: ProfileOptions) -> TableProfile: ...
def validate_profile_options(options: ProfileOptions) -> None: ...
def validate_profile(profile: TableProfile) -> None: ...
def validate_check_options(options: CheckOptions) -> None: ...

class Severity:
    info: Severity
    warning: Severity
    error: Severity
    name: str

class Finding:
    check: str
    column: str
    severity: Severity
    value: float
    threshold: float
    message: str
    rows: list[int]

class CheckOptions:
    missing_warning: float
    missing_error: float
    near_constant: float
    high_cardinality: int
    high_cardinality_ratio: float
    outlier_iqr_k: float
    outlier_mad_z: float
    outlier_rate: float
    imbalance_below: float
    leakage: float
    leakage_min_support: int
    leakage_bins: int
    max_examples: int

class ColumnRule:
    column: str
    nullable: bool | None
    min: float | None
    max: float | None
    allowed_labels: list[str] | None
    allowed_values: list[float] | None
    unique: bool | None
    max_missing: float | None

class CheckResult:
    @property
    def profile(self) -> TableProfile: ...
    @property
    def findings(self) -> list[Finding]: ...

def check(
    columns: list[ColumnSpec],
    target: str,
    reference: list[ColumnSpec] | None,
    rules: list[ColumnRule],
    options: CheckOptions,
    profile_options: ProfileOptions,
    n_jobs: int,
    progress: ProgressCallback,
) -> CheckResult: ...
def label_variants(labels: list[str]) -> list[list[str]]: ...

# --- explain: tree ensembles (python/bindings/explain.cpp) ---------------------------

FloatArray = npt.NDArray[np.float64]

class TreeEnsemble:
    """assay's tree-ensemble IR (cpp/include/assay/explain/tree_ensemble.hpp)."""

    @property
    def n_features(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def base_values(self) -> list[float]: ...
    @property
    def source(self) -> str: ...
    @property
    def objective(self) -> str: ...
    @property
    def n_trees(self) -> int: ...
    @property
    def n_nodes(self) -> int: ...
    @property
    def max_depth(self) -> int: ...
    @property
    def cover_kind(self) -> str: ...

def tree_ensemble_from_arrays(
    trees: list[dict[str, npt.ArrayLike]],
    n_features: int,
    n_outputs: int,
    base_values: Sequence[float],
    comparison: str,
    float32_compare: bool,
    cover_kind: str,
    source: str,
) -> TreeEnsemble: ...
def load_xgboost_json(raw: bytes) -> TreeEnsemble: ...
def load_xgboost_ubjson(raw: bytes) -> TreeEnsemble: ...
def load_lightgbm_text(text: str) -> TreeEnsemble: ...
def tree_expected_value(ensemble: TreeEnsemble) -> list[float]: ...
def tree_shap_values(
    ensemble: TreeEnsemble,
    columns: list[ColumnSpec],
    algorithm: str = ...,
    n_jobs: int = ...,
    progress: ProgressCallback = ...,
) -> FloatArray: ...
def tree_shap_values_matrix(
    ensemble: TreeEnsemble,
    X: npt.NDArray[np.float64] | npt.NDArray[np.float32],
    algorithm: str = ...,
    n_jobs: int = ...,
) -> FloatArray: ...
def tree_shap_interaction_values(
    ensemble: TreeEnsemble, columns: list[ColumnSpec], n_jobs: int = ..., progress: ProgressCallback = ...
) -> FloatArray: ...
def interventional_shap_values(
    ensemble: TreeEnsemble,
    columns: list[ColumnSpec],
    background: list[ColumnSpec],
    weights: FloatArray,
    transform: str = ...,
    n_jobs: int = ...,
    progress: ProgressCallback = ...,
    algorithm: str = ...,
    labels: FloatArray = ...,
) -> FloatArray: ...
def interventional_interaction_values(
    ensemble: TreeEnsemble,
    columns: list[ColumnSpec],
    background: list[ColumnSpec],
    weights: FloatArray,
    n_jobs: int = ...,
    progress: ProgressCallback = ...,
    algorithm: str = ...,
) -> FloatArray: ...
def interventional_expected_value(
    ensemble: TreeEnsemble,
    background: list[ColumnSpec],
    weights: FloatArray,
    transform: str = ...,
    labels: FloatArray = ...,
) -> list[float]: ...
def tree_predict(ensemble: TreeEnsemble, columns: list[ColumnSpec], n_jobs: int = ...) -> FloatArray: ...
