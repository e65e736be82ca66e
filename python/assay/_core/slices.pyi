"""assay._core.slices: SliceLine over coded features (python/bindings/slices.cpp)."""

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _NativeEnum, _Progress

class Pruning(_NativeEnum, enum.Enum):
    exact = 0
    sliceline = 1

class Binning(_NativeEnum, enum.Enum):
    quantile = 0
    uniform = 1

def bin_columns(
    columns: list[npt.NDArray[np.float64]], n_bins: int, binning: Binning, n_jobs: int
) -> list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], bool]]: ...
def find_slices(
    features: list[tuple[str, npt.NDArray[np.int32], int]],
    errors: npt.NDArray[np.float64],
    alpha: float,
    k: int,
    max_level: int,
    min_support: int,
    confidence_level: float,
    pruning: Pruning,
    n_jobs: int,
    progress: _Progress,
) -> dict[str, Any]: ...
def benjamini_hochberg(p_values: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
