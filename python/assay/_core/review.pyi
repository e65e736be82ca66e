"""assay._core.review: conformal scores, calibration, sets, intervals, routing (python/bindings/review.cpp)."""

import enum

import numpy as np
import numpy.typing as npt

from . import _NativeEnum, _NotConstructible

class ClassScore(_NativeEnum, enum.Enum):
    lac = 0
    aps = 1
    aps_randomized = 2

class RankRule(_NativeEnum, enum.Enum):
    exact = 0
    mapie = 1
    crepes = 2

class Calibration(_NotConstructible):
    @property
    def alpha(self) -> float: ...
    @property
    def rule(self) -> RankRule: ...
    @property
    def n_groups(self) -> int: ...
    @property
    def offsets(self) -> npt.NDArray[np.int64]: ...
    @property
    def sorted_scores(self) -> npt.NDArray[np.float64]: ...
    @property
    def rank(self) -> npt.NDArray[np.int64]: ...
    @property
    def threshold(self) -> npt.NDArray[np.float64]: ...
    @property
    def infinite(self) -> npt.NDArray[np.bool_]: ...
    @staticmethod
    def from_sorted(sorted_scores: object, offsets: object, alpha: float, rule: RankRule) -> Calibration: ...

def conformal_rank(n: int, alpha: float, rule: RankRule) -> int: ...
def class_scores(
    probabilities: object, labels: object, score: ClassScore, seed: int, n_jobs: int
) -> npt.NDArray[np.float64]: ...
def residual_scores(y: object, prediction: object, n_jobs: int) -> npt.NDArray[np.float64]: ...
def cqr_scores(y: object, lower: object, upper: object, n_jobs: int) -> npt.NDArray[np.float64]: ...
def calibrate(
    scores: object, groups: object, n_groups: int, alpha: float, n_jobs: int, rule: RankRule
) -> Calibration: ...
def predict_sets(
    calibration: Calibration, probabilities: object, groups: object, score: ClassScore, seed: int, n_jobs: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32], npt.NDArray[np.float64]]: ...
def predict_intervals(
    calibration: Calibration, prediction: object, upper: object, groups: object, n_jobs: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def route(
    ambiguous: object, risk: object, groups: object, n_groups: int, budget: float
) -> dict[str, npt.NDArray[np.generic]]: ...
