"""assay._core.drift: two-sample tests, distances, reports, multivariate drift (python/bindings/drift.cpp)."""

import enum
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from . import _ColumnSpec, _NativeEnum, _NotConstructible, _Progress

# (statistic, p-value, how the p-value was computed, degrees of freedom).
_TestTuple = tuple[float, float, str, float]
# One column's request: (column, tests (empty: 'auto'), thresholds (one per test, NaN:
# the default), thresholds by test).
_ColumnRequest = tuple[str, Sequence[Test], Sequence[float], dict[Test, float]]

class PMethod(_NativeEnum, enum.Enum):
    auto = 0
    exact = 1
    asymptotic = 2

class Alternative(_NativeEnum, enum.Enum):
    two_sided = 0
    less = 1
    greater = 2

class Test(_NativeEnum, enum.Enum):
    ks = 0
    wasserstein = 1
    psi = 2
    jensenshannon = 3
    kl_div = 4
    hellinger = 5
    tvd = 6
    chisquare = 7
    g_test = 8
    z = 9
    fisher_exact = 10
    anderson = 11
    cramer_von_mises = 12
    energy_distance = 13
    mannw = 14
    es = 15
    ed = 16
    t_test = 17
    mannwhitneyu = 18
    TVD = 19
    empirical_mmd = 20

class Correction(_NativeEnum, enum.Enum):
    none = 0
    bonferroni = 1
    holm = 2
    fdr_bh = 3

class DomainModel(_NativeEnum, enum.Enum):
    logistic = 0
    gbt = 1

class ColumnDrift(_NotConstructible):
    @property
    def column(self) -> str: ...
    @property
    def test(self) -> str: ...
    @property
    def statistic(self) -> float: ...
    @property
    def pvalue(self) -> float: ...
    @property
    def score(self) -> float: ...
    @property
    def pvalue_adjusted(self) -> float: ...
    @property
    def threshold(self) -> float: ...
    @property
    def drifted(self) -> bool: ...
    @property
    def method(self) -> str: ...
    @property
    def n_reference(self) -> int: ...
    @property
    def n_current(self) -> int: ...
    @property
    def missing_reference(self) -> int: ...
    @property
    def missing_current(self) -> int: ...
    @property
    def infinite_reference(self) -> int: ...
    @property
    def infinite_current(self) -> int: ...
    @property
    def note(self) -> str: ...
    @property
    def exact(self) -> bool: ...
    @property
    def statistic_bound(self) -> float: ...
    @property
    def pvalue_low(self) -> float: ...
    @property
    def pvalue_high(self) -> float: ...

# One column of one sample as a mergeable state (drift/sketched.hpp).
class ColumnSketch(_NotConstructible):
    @property
    def numeric(self) -> bool: ...
    @property
    def missing(self) -> int: ...
    @property
    def infinite(self) -> int: ...
    @property
    def binning(self) -> int: ...
    @property
    def size(self) -> int: ...
    @property
    def n_bins(self) -> int: ...
    @property
    def counts(self) -> npt.NDArray[np.uint64]: ...
    @property
    def low(self) -> npt.NDArray[np.float64]: ...
    @property
    def high(self) -> npt.NDArray[np.float64]: ...
    @property
    def categories(self) -> list[str]: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> ColumnSketch: ...
    def merge(self, other: ColumnSketch) -> ColumnSketch: ...

def sketch_column(column: Sequence[_ColumnSpec], edges: npt.ArrayLike | None = None) -> ColumnSketch: ...
def needs_refinement(reference: ColumnSketch, current: ColumnSketch) -> bool: ...
def refined_edges(
    reference: ColumnSketch, current: ColumnSketch, with_sturges: bool = False
) -> npt.NDArray[np.float64]: ...
def sturges_edges(reference: ColumnSketch, current: ColumnSketch) -> npt.NDArray[np.float64]: ...
def sketch_supports(test: Test, reference: ColumnSketch, current: ColumnSketch) -> bool: ...
def resolve_sketch_test(name: str, reference: ColumnSketch, current: ColumnSketch) -> Test: ...
def compare_sketches(
    name: str, reference: ColumnSketch, current: ColumnSketch, test: Test, threshold: float
) -> ColumnDrift: ...
def sketch_intervals(reference: ColumnSketch, current: ColumnSketch) -> dict[str, tuple[float, float]]: ...

# (gives a p-value, accepts numeric columns, accepts categorical columns, default threshold).
def test_info(test: Test) -> tuple[bool, bool, bool, float]: ...

# The test tuple, then where the statistic is reached and its sign.
def ks_2samp(
    x: npt.ArrayLike, y: npt.ArrayLike, method: PMethod, alternative: Alternative
) -> tuple[float, float, str, float, float, int]: ...
def mannwhitneyu(
    x: npt.ArrayLike, y: npt.ArrayLike, method: PMethod, alternative: Alternative, use_continuity: bool
) -> _TestTuple: ...
def cramervonmises_2samp(x: npt.ArrayLike, y: npt.ArrayLike, method: PMethod) -> _TestTuple: ...
def epps_singleton_2samp(x: npt.ArrayLike, y: npt.ArrayLike) -> _TestTuple: ...

# (the test tuple, the critical values at 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%).
def anderson_ksamp(samples: Sequence[npt.ArrayLike], midrank: bool) -> tuple[_TestTuple, npt.NDArray[np.float64]]: ...

# p = 1: the Wasserstein distance, p = 2: the energy distance (weighted when both weights are given).
def cdf_distance(
    x: npt.ArrayLike, y: npt.ArrayLike, x_weights: npt.ArrayLike | None, y_weights: npt.ArrayLike | None, p: int
) -> float: ...

# (the test tuple, the expected frequencies); lambda_: the power-divergence exponent.
def chi2_contingency(
    observed: npt.ArrayLike, correction: bool, lambda_: float
) -> tuple[_TestTuple, npt.NDArray[np.float64]]: ...
def chisquare(
    reference_counts: npt.ArrayLike, current_counts: npt.ArrayLike, lambda_: float, ddof: float
) -> _TestTuple: ...
def fisher_exact(a: int, b: int, c: int, d: int, alternative: Alternative) -> _TestTuple: ...
def two_proportion_z(k1: float, n1: float, k2: float, n2: float) -> _TestTuple: ...
def normalized_wasserstein(reference: npt.ArrayLike, current: npt.ArrayLike) -> float: ...
def psi(p: npt.ArrayLike, q: npt.ArrayLike) -> float: ...
def kl_divergence(p: npt.ArrayLike, q: npt.ArrayLike, base: float | None) -> float: ...
def shannon_entropy(p: npt.ArrayLike, base: float | None) -> float: ...
def jensenshannon(p: npt.ArrayLike, q: npt.ArrayLike, base: float | None) -> float: ...
def hellinger(p: npt.ArrayLike, q: npt.ArrayLike) -> float: ...
def total_variation(p: npt.ArrayLike, q: npt.ArrayLike) -> float: ...
def report(
    reference: Sequence[_ColumnSpec],
    current: Sequence[_ColumnSpec],
    requests: Sequence[_ColumnRequest],
    n_jobs: int,
    progress: _Progress,
    correction: Correction = ...,
) -> list[ColumnDrift]: ...

class PairedHistogram(_NotConstructible):
    @property
    def edges(self) -> npt.NDArray[np.float64]: ...
    @property
    def reference(self) -> npt.NDArray[np.int64]: ...
    @property
    def current(self) -> npt.NDArray[np.int64]: ...
    @property
    def reference_missing(self) -> int: ...
    @property
    def current_missing(self) -> int: ...

def paired_histograms(
    reference: Sequence[_ColumnSpec], current: Sequence[_ColumnSpec], bins: int, n_jobs: int
) -> list[PairedHistogram]: ...
def adjust_pvalues(pvalues: npt.ArrayLike, method: Correction) -> npt.NDArray[np.float64]: ...

# chunk_of_row[i]: the chunk of current row i in [0, n_chunks), -1 for none; (chunk, its columns' drift).
def over_time(
    reference: Sequence[_ColumnSpec],
    current: Sequence[_ColumnSpec],
    chunk_of_row: npt.ArrayLike,
    n_chunks: int,
    requests: Sequence[_ColumnRequest],
    n_jobs: int,
    progress: _Progress,
    correction: Correction = ...,
) -> list[tuple[int, list[ColumnDrift]]]: ...

# (statistic, p-value, bandwidth used, the statistic under each permutation).
def mmd_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    n_permutations: int,
    seed: int,
    bandwidth: float,
    n_jobs: int,
    progress: _Progress,
    standardize: bool = ...,
) -> tuple[float, float, float, npt.NDArray[np.float64]]: ...
def mmd_permutation(n_pooled: int, seed: int, p: int) -> npt.NDArray[np.uint32]: ...
def median_heuristic_bandwidth(x: npt.ArrayLike, y: npt.ArrayLike, seed: int) -> float: ...

# (AUC, its lower and upper bound, AUC per fold, out-of-fold scores, fold of each row).
def domain_classifier(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    n_folds: int,
    classifier: DomainModel,
    l2: float,
    n_trees: int,
    max_depth: int,
    learning_rate: float,
    seed: int,
    n_jobs: int,
    progress: _Progress = ...,
) -> tuple[float, float, float, list[float], npt.NDArray[np.float64], npt.NDArray[np.int32]]: ...

class PcaModel(_NotConstructible):
    @property
    def mean(self) -> list[float]: ...
    @property
    def scale(self) -> list[float]: ...
    @property
    def components(self) -> npt.NDArray[np.float64]: ...
    @property
    def n_components(self) -> int: ...
    @property
    def explained_variance(self) -> float: ...

def fit_pca(reference: npt.ArrayLike, variance: float, progress: _Progress = ...) -> PcaModel: ...
def reconstruction_error(
    model: PcaModel,
    data: npt.ArrayLike,
    chunk_of_row: npt.ArrayLike,
    n_chunks: int,
    n_jobs: int,
    progress: _Progress = ...,
) -> list[float]: ...
