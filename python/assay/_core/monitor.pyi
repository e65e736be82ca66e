"""assay._core.monitor: performance estimation without labels, CBPE (python/bindings/monitor.cpp)."""

import enum

import numpy as np
import numpy.typing as npt

from . import _NativeEnum, _NotConstructible

class Metric(_NativeEnum, enum.Enum):
    accuracy = 0
    precision = 1
    recall = 2
    f1 = 3
    specificity = 4
    roc_auc = 5

class IsotonicCalibration(_NotConstructible):
    @property
    def knot_score(self) -> npt.NDArray[np.float64]: ...
    @property
    def knot_probability(self) -> npt.NDArray[np.float64]: ...

def fit_isotonic(score: npt.ArrayLike, label: npt.ArrayLike) -> IsotonicCalibration: ...
def calibrate(calibration: IsotonicCalibration, score: npt.ArrayLike, n_jobs: int) -> npt.NDArray[np.float64]: ...
def cross_fitted_probabilities(
    score: npt.ArrayLike, label: npt.ArrayLike, n_folds: int, seed: int, n_jobs: int
) -> npt.NDArray[np.float64]: ...
def poisson_binomial(p: npt.ArrayLike, exact_max_rows: int) -> tuple[int, npt.NDArray[np.float64]]:
    """(offset, mass): P(X = offset + k) = mass[k]."""

def estimate_chunks(
    probability: npt.ArrayLike,
    score: npt.ArrayLike,
    predicted: npt.ArrayLike,
    chunk_of_row: npt.ArrayLike,
    n_chunks: int,
    metrics: list[Metric],
    confidence_level: float,
    exact_max_rows: int,
    auc_draws: int,
    seed: int,
    n_jobs: int,
) -> dict[str, npt.NDArray[np.float64]]: ...
def realized_chunks(
    label: npt.ArrayLike,
    score: npt.ArrayLike,
    predicted: npt.ArrayLike,
    chunk_of_row: npt.ArrayLike,
    n_chunks: int,
    metrics: list[Metric],
    n_jobs: int,
) -> npt.NDArray[np.float64]: ...
