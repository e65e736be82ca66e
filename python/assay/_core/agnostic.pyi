"""assay._core.agnostic: coalition designs and Shapley estimators for any model (python/bindings/agnostic.cpp).

Array arguments accept any array-like and are converted to C-contiguous float64 (int32 for
permutations) when needed.
"""

import enum

import numpy as np
import numpy.typing as npt

from . import _NativeEnum, _NotConstructible, _Progress
from .explain import TreeEnsemble

_Floats = npt.NDArray[np.float64]
# (values, standard errors), each (n_rows, n_features, n_outputs).
_Attributions = tuple[_Floats, _Floats]

class Sampling(_NativeEnum, enum.Enum):
    kernel = 0
    leverage = 1

class Link(_NativeEnum, enum.Enum):
    identity = 0
    logit = 1

class Selection(_NativeEnum, enum.Enum):
    none = 0
    num_features = 1
    aic = 2
    bic = 3
    lasso = 4

class CoalitionDesign(_NotConstructible):
    @property
    def n_features(self) -> int: ...
    @property
    def exact(self) -> bool: ...
    @property
    def n_groups(self) -> int: ...
    def __len__(self) -> int: ...
    @property
    def masks(self) -> npt.NDArray[np.uint8]: ...
    @property
    def weights(self) -> _Floats: ...
    @property
    def groups(self) -> npt.NDArray[np.int32]: ...
    @property
    def per_background(self) -> bool: ...
    @property
    def background_of(self) -> npt.NDArray[np.int32]: ...

def gray_code_design(n_features: int) -> CoalitionDesign: ...
def kernel_design(
    n_features: int, budget: int, seed: int, n_groups: int = ..., sampling: Sampling = ...
) -> CoalitionDesign: ...
def kernel_design_per_background(
    n_features: int, budget: int, seed: int, n_background: int, sampling: Sampling = ...
) -> CoalitionDesign: ...
def design_from_arrays(masks: npt.ArrayLike, weights: npt.ArrayLike) -> CoalitionDesign: ...

# The rows X[i] masked by the design's coalitions item_begin..item_end over the background;
# written into `buffer` when given.
def masked_rows(
    X: npt.ArrayLike,
    background: npt.ArrayLike,
    design: CoalitionDesign,
    item_begin: int,
    item_end: int,
    n_jobs: int = ...,
    buffer: _Floats | None = ...,
) -> _Floats: ...
def coalition_values(
    outputs: npt.ArrayLike, n_items: int, n_background: int, weights: npt.ArrayLike, link: Link
) -> _Floats: ...
def exact_values(design: CoalitionDesign, values: npt.ArrayLike, n_jobs: int = ...) -> _Floats: ...
def kernel_values(
    design: CoalitionDesign,
    values: npt.ArrayLike,
    full: npt.ArrayLike,
    empty: npt.ArrayLike,
    n_jobs: int = ...,
    progress: _Progress = ...,
    selection: Selection = ...,
    num_features: int = ...,
    alpha: float = ...,
) -> _Attributions: ...
def kernel_values_per_background(
    design: CoalitionDesign,
    values: npt.ArrayLike,
    full: npt.ArrayLike,
    background_outputs: npt.ArrayLike,
    weights: npt.ArrayLike,
    n_jobs: int = ...,
) -> _Attributions: ...
def random_permutations(n_features: int, n_permutations: int, seed: int) -> npt.NDArray[np.int32]: ...
def permutation_design(permutations: npt.ArrayLike) -> CoalitionDesign: ...
def permutation_values(permutations: npt.ArrayLike, values: npt.ArrayLike, n_jobs: int = ...) -> _Attributions: ...
def linear_values(coef: npt.ArrayLike, X: npt.ArrayLike, mean: npt.ArrayLike, n_jobs: int = ...) -> _Floats: ...

# v(S) of a tree ensemble or a linear model evaluated in the core: (n_rows, n_coalitions, n_outputs).
def tree_values(
    ensemble: TreeEnsemble,
    X: npt.ArrayLike,
    background: npt.ArrayLike,
    design: CoalitionDesign,
    weights: npt.ArrayLike,
    link: Link,
    n_jobs: int = ...,
    progress: _Progress = ...,
) -> _Floats: ...
def linear_model_values(
    coef: npt.ArrayLike,
    intercept: npt.ArrayLike,
    X: npt.ArrayLike,
    background: npt.ArrayLike,
    design: CoalitionDesign,
    weights: npt.ArrayLike,
    link: Link,
    n_jobs: int = ...,
) -> _Floats: ...

# (k centers (k, n_features), their weights summing to 1).
def kmeans(
    data: npt.ArrayLike, k: int, seed: int, round_values: bool, n_jobs: int = ..., progress: _Progress = ...
) -> tuple[_Floats, _Floats]: ...
