"""assay._core.explain: the tree-ensemble IR, its loaders, TreeSHAP values (python/bindings/explain.cpp)."""

import enum
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from . import _ColumnSpec, _NativeEnum, _NotConstructible, _Progress

_Floats = npt.NDArray[np.float64]

class ShapAlgorithm(_NativeEnum, enum.Enum):
    quadrature = 0
    treeshap = 1
    saabas = 2

class InterventionalAlgorithm(_NativeEnum, enum.Enum):
    auto = 0
    patterns = 1
    pairwise = 2

class OutputTransform(_NativeEnum, enum.Enum):
    identity = 0
    logistic = 1
    logistic_log_loss = 2
    squared_loss = 3

class Comparison(_NativeEnum, enum.Enum):
    less_equal = 0
    less = 1

class CoverKind(_NativeEnum, enum.Enum):
    count = 0
    hessian = 1

class TreeEnsemble(_NotConstructible):
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
    def cover_kind(self) -> CoverKind: ...

# trees: per tree, a dict of node arrays (left, right, feature, threshold, cover, values,
# default_left; optionally is_categorical, category_bits, categories_go_left).
def tree_ensemble_from_arrays(
    trees: Sequence[dict[str, npt.ArrayLike]],
    n_features: int,
    n_outputs: int,
    base_values: Sequence[float],
    comparison: Comparison,
    float32_compare: bool,
    cover_kind: CoverKind,
    source: str,
) -> TreeEnsemble: ...
def load_xgboost_json(raw: bytes, missing: float = ...) -> TreeEnsemble: ...
def load_xgboost_ubjson(raw: bytes, missing: float = ...) -> TreeEnsemble: ...
def load_lightgbm_text(text: str) -> TreeEnsemble: ...
def tree_expected_value(ensemble: TreeEnsemble) -> list[float]: ...

# Values are (n_rows, n_features, n_outputs); interaction values (n_rows, n_features, n_features, n_outputs).
def tree_shap_values(
    ensemble: TreeEnsemble,
    columns: Sequence[_ColumnSpec],
    algorithm: ShapAlgorithm = ...,
    n_jobs: int = ...,
    progress: _Progress = ...,
) -> _Floats: ...
def tree_shap_values_matrix(
    ensemble: TreeEnsemble,
    X: npt.NDArray[np.float64] | npt.NDArray[np.float32],
    algorithm: ShapAlgorithm = ...,
    n_jobs: int = ...,
) -> _Floats: ...
def tree_shap_interaction_values(
    ensemble: TreeEnsemble, columns: Sequence[_ColumnSpec], n_jobs: int = ..., progress: _Progress = ...
) -> _Floats: ...
def interventional_shap_values(
    ensemble: TreeEnsemble,
    columns: Sequence[_ColumnSpec],
    background: Sequence[_ColumnSpec],
    weights: npt.ArrayLike,
    transform: OutputTransform = ...,
    n_jobs: int = ...,
    progress: _Progress = ...,
    algorithm: InterventionalAlgorithm = ...,
    labels: npt.ArrayLike = ...,
) -> _Floats: ...
def interventional_interaction_values(
    ensemble: TreeEnsemble,
    columns: Sequence[_ColumnSpec],
    background: Sequence[_ColumnSpec],
    weights: npt.ArrayLike,
    n_jobs: int = ...,
    progress: _Progress = ...,
    algorithm: InterventionalAlgorithm = ...,
) -> _Floats: ...
def interventional_expected_value(
    ensemble: TreeEnsemble,
    background: Sequence[_ColumnSpec],
    weights: npt.ArrayLike,
    transform: OutputTransform = ...,
    labels: npt.ArrayLike = ...,
) -> list[float]: ...
def tree_predict(ensemble: TreeEnsemble, columns: Sequence[_ColumnSpec], n_jobs: int = ...) -> _Floats: ...
