"""assay._core.quality: profiles, sketches and checks (python/bindings/quality.cpp)."""

import enum
from collections.abc import Sequence

from . import _ColumnSpec, _NativeEnum, _NotConstructible, _Progress, _Pybind11Object

MAX_HISTOGRAM_BINS: int
MAX_INTEGER_CLASSES: int
MAX_LEAKAGE_BINS: int
PROFILE_QUANTILES: list[float]

class QuantileSummary(_NotConstructible):
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

class HyperLogLog(_Pybind11Object):
    def __init__(self, precision: int = ...) -> None: ...
    @staticmethod
    def from_registers(data: bytes) -> HyperLogLog: ...
    @property
    def registers(self) -> bytes: ...
    @property
    def precision(self) -> int: ...
    def estimate(self) -> float: ...

class _Profile(_Pybind11Object):
    """What both profile kinds hold (a stub-only base: the runtime classes share no base)."""

    name: str
    count: int
    missing: int
    distinct: int
    distinct_exact: bool
    distinct_sketch: HyperLogLog
    values_complete: bool
    values_count_error: int

class NumericProfile(_Profile):
    def __init__(self) -> None: ...
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

class CategoricalProfile(_Profile):
    def __init__(self) -> None: ...
    values: list[tuple[str, int]]

class TableProfile(_Pybind11Object):
    def __init__(self) -> None: ...
    exact: bool
    numeric: list[NumericProfile]
    categorical: list[CategoricalProfile]
    column_order: list[str]

class ProfileOptions(_Pybind11Object):
    def __init__(self) -> None: ...
    histogram_bins: int
    tracked_values: int
    summary_capacity: int
    hll_precision: int
    exact: bool

def validate_profile_options(options: ProfileOptions) -> None: ...
def validate_profile(profile: TableProfile) -> None: ...
def profile(columns: Sequence[_ColumnSpec], options: ProfileOptions, n_jobs: int) -> TableProfile: ...
def merge_profiles(a: TableProfile, b: TableProfile, options: ProfileOptions) -> TableProfile: ...

class TableSketch(_NotConstructible):
    @property
    def column_order(self) -> list[str]: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> TableSketch: ...

def sketch(columns: Sequence[_ColumnSpec], options: ProfileOptions, n_jobs: int) -> TableSketch: ...
def merge_sketches(a: TableSketch, b: TableSketch) -> TableSketch: ...
def sketch_profile(sketch: TableSketch, options: ProfileOptions) -> TableProfile: ...

class Severity(_NativeEnum, enum.Enum):
    info = 0
    warning = 1
    error = 2

class Finding(_Pybind11Object):
    def __init__(self) -> None: ...
    check: str
    column: str
    severity: Severity
    value: float
    threshold: float
    message: str
    rows: list[int]
    lower: float
    upper: float

class LeakageDecision(_NativeEnum, enum.Enum):
    bound = 0
    point = 1

class OutlierMethod(_NativeEnum, enum.Enum):
    iqr = 0
    mad = 1

class Measure(_NotConstructible):
    @property
    def check(self) -> str: ...
    @property
    def column(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def lower(self) -> float: ...
    @property
    def upper(self) -> float: ...
    @property
    def note(self) -> str: ...

class CheckOptions(_Pybind11Object):
    def __init__(self) -> None: ...
    missing_warning: float
    missing_error: float
    near_constant: float
    high_cardinality: int
    high_cardinality_ratio: float
    outlier_iqr_k: float
    outlier_mad_z: float
    outlier_rate: float
    outlier_method: OutlierMethod
    imbalance_below: float
    leakage: float
    leakage_min_support: int
    leakage_bins: int
    leakage_decision: LeakageDecision
    leakage_confidence: float
    leakage_exclude: list[str]
    max_examples: int

def validate_check_options(options: CheckOptions) -> None: ...

class ColumnRule(_Pybind11Object):
    def __init__(self) -> None: ...
    column: str
    nullable: bool | None
    min: float | None
    max: float | None
    allowed_labels: list[str] | None
    allowed_values: list[float] | None
    unique: bool | None
    max_missing: float | None

class TableFingerprint(_NotConstructible):
    @property
    def sum(self) -> int: ...
    @property
    def xor(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def columns(self) -> int: ...

def table_fingerprint(columns: Sequence[_ColumnSpec], n_jobs: int) -> TableFingerprint: ...
def merge_fingerprints(a: TableFingerprint, b: TableFingerprint) -> TableFingerprint: ...

class CheckResult(_NotConstructible):
    @property
    def profile(self) -> TableProfile: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def measures(self) -> list[Measure]: ...
    @property
    def fingerprint(self) -> TableFingerprint: ...

def check(
    columns: Sequence[_ColumnSpec],
    target: str,
    reference: Sequence[_ColumnSpec] | None,
    rules: Sequence[ColumnRule],
    options: CheckOptions,
    profile_options: ProfileOptions,
    n_jobs: int,
    progress: _Progress,
) -> CheckResult: ...

class CheckState(_NotConstructible):
    @property
    def rows(self) -> int: ...
    @property
    def column_order(self) -> list[str]: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> CheckState: ...

def check_state(
    columns: Sequence[_ColumnSpec],
    target: str,
    rules: Sequence[ColumnRule],
    options: CheckOptions,
    profile_options: ProfileOptions,
    n_jobs: int,
) -> CheckState: ...
def merge_check_states(a: CheckState, b: CheckState) -> CheckState: ...
def outlier_fences(
    state: CheckState, options: CheckOptions, profile_options: ProfileOptions
) -> list[tuple[str, float, float]]: ...
def first_rows_outside(
    columns: Sequence[_ColumnSpec], fences: Sequence[tuple[str, float, float]], limit: int
) -> list[list[int]]: ...
def finish_check(
    data: CheckState,
    reference: CheckState | None,
    rules: Sequence[ColumnRule],
    options: CheckOptions,
    profile_options: ProfileOptions,
    outlier_rows: Sequence[Sequence[int]],
) -> CheckResult: ...

class LeakageScore(_NotConstructible):
    @property
    def point(self) -> float: ...
    @property
    def out_of_sample(self) -> float: ...
    @property
    def lower(self) -> float: ...
    @property
    def upper(self) -> float: ...

def leakage_scores(
    columns: Sequence[_ColumnSpec], target: str, options: CheckOptions, n_jobs: int
) -> list[tuple[str, LeakageScore]]: ...
def label_variants(labels: Sequence[str]) -> list[list[str]]: ...
