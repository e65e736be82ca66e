"""Tree explanations on Dask: SHAP values per partition (a dask array back) and the mean
|SHAP| importance as a reduction of per-partition sums."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from .. import explain
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import TableLike
from . import _graph

# The explainers a worker process has built, by the token of their dask TreeExplainer: the
# model is converted once per worker, not once per partition. The oldest is dropped beyond
# _KEPT_EXPLAINERS, so a long-lived worker does not keep every model it has seen.
_WORKER_EXPLAINERS: dict[str, explain.TreeExplainer] = {}
_KEPT_EXPLAINERS = 4


def _worker_explainer(token: str, arguments: dict[str, Any]) -> explain.TreeExplainer:
    if token not in _WORKER_EXPLAINERS:
        while len(_WORKER_EXPLAINERS) >= _KEPT_EXPLAINERS:
            del _WORKER_EXPLAINERS[next(iter(_WORKER_EXPLAINERS))]
        _WORKER_EXPLAINERS[token] = explain.TreeExplainer(**arguments, n_jobs=_graph.task_threads(), progress=False)
    return _WORKER_EXPLAINERS[token]


def _partition_values(block: Any, token: str, arguments: dict[str, Any], shape: tuple[int, ...]) -> np.ndarray:
    if len(block) == 0:  # an empty partition explains no rows
        return np.zeros((0, *shape))
    return np.asarray(_worker_explainer(token, arguments).shap_values(block), dtype=np.float64)


def _partition_sums(block: Any, token: str, arguments: dict[str, Any], shape: tuple[int, ...]) -> tuple:
    """(rows, largest |value|, sum of |value| / largest) of a partition, per feature (and output)."""
    magnitude = np.abs(_partition_values(block, token, arguments, shape))
    scale = magnitude.max(axis=0) if len(magnitude) else np.zeros(shape)
    scale = np.where(scale > 0, scale, 1.0)  # NaN stays NaN
    return len(magnitude), scale, (magnitude / scale).sum(axis=0)


class TreeExplainer:
    """[`assay.explain.TreeExplainer`][assay.explain.TreeExplainer] for dask collections.

    The model (and the background ``data``) travel to each worker once, where the
    single-machine explainer is built once per worker process; every partition is then
    explained on its own, so the SHAP values of a row equal the single-machine values.

    Parameters
    ----------
    model : Any
        A tree model the single-machine explainer accepts (XGBoost, LightGBM,
        scikit-learn, ...).
    data : TableLike, optional
        Background rows (in memory), as in the single-machine explainer.
    feature_perturbation : str, default "auto"
        As in the single-machine explainer.
    model_output : str, default "raw"
        As in the single-machine explainer (not ``"log_loss"``, which needs labels).
    algorithm : str, default "auto"
        As in the single-machine explainer.
    iteration_range : tuple of int, optional
        As in the single-machine explainer.

    Raises
    ------
    InvalidInputError
        As in the single-machine explainer; ``model_output="log_loss"``.
    UnsupportedModelError
        The model is not a supported tree model.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.ensemble import GradientBoostingRegressor
    >>> from assay import dask as adask
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> model = GradientBoostingRegressor(n_estimators=10, max_depth=2, random_state=0).fit(X, X[:, 0])
    >>> values = adask.TreeExplainer(model).shap_values(da.from_array(X, chunks=50))
    >>> values.shape, values.compute().shape
    ((200, 3), (200, 3))
    """

    def __init__(
        self,
        model: Any,
        data: TableLike | None = None,
        feature_perturbation: str = "auto",
        model_output: str = "raw",
        *,
        algorithm: str = "auto",
        iteration_range: tuple[int, int] | None = None,
    ) -> None:
        if model_output == "log_loss":
            raise InvalidInputError("model_output='log_loss' needs labels per row; it is not offered on Dask")
        arguments = {
            "model": model,
            "data": data,
            "feature_perturbation": feature_perturbation,
            "model_output": model_output,
            "algorithm": algorithm,
            "iteration_range": iteration_range,
        }
        local = explain.TreeExplainer(**arguments, n_jobs=1, progress=False)  # errors now, on the client
        self._token = uuid.uuid4().hex
        self._arguments = arguments
        self.feature_names: list[str] = list(local.feature_names)
        self.expected_value = local.expected_value
        n_outputs = int(np.size(local.expected_value))
        self._shape: tuple[int, ...] = (len(self.feature_names),) + ((n_outputs,) if n_outputs > 1 else ())

    def _blocks(self, X: Any) -> list[Any]:
        if isinstance(X, _graph.dd.Series) or not isinstance(X, (_graph.dd.DataFrame, _graph.da.Array)):
            raise InvalidTypeError(f"X: expected a dask DataFrame or 2-D dask array, got {type(X).__name__}")
        if isinstance(X, _graph.da.Array) and X.ndim != 2:
            raise InvalidInputError(f"X: expected a 2-D dask array, got {X.ndim} dimensions")
        return _graph.partitions(X, "X")

    def _shared(self) -> Any:
        """The explainer's arguments as one task every partition reads."""
        return _graph.dask.delayed(self._arguments, pure=True, traverse=False)

    def shap_values(self, X: Any) -> Any:
        """The SHAP values of the rows of X, partition by partition.

        Parameters
        ----------
        X : dask DataFrame or 2-D dask array
            The rows to explain, with the model's features.

        Returns
        -------
        dask.array.Array
            Shape (n_rows, n_features) or (n_rows, n_features, n_outputs), chunked by the
            partitions of X (row counts unknown for a DataFrame until computed).

        Raises
        ------
        InvalidTypeError
            X is not a dask DataFrame or array.
        InvalidInputError
            X is not 2-D; a partition has other columns than the model's features (when
            computed).
        """
        self._blocks(X)  # checks X
        shared = self._shared()
        empty = np.zeros((0, *self._shape))
        if isinstance(X, _graph.dd.DataFrame):
            return X.map_partitions(_partition_values, self._token, shared, self._shape, meta=empty)
        X = X.rechunk({1: -1})
        extra = tuple(range(2, 1 + len(self._shape)))
        chunks = (X.chunks[0], *((size,) for size in self._shape))
        return X.map_blocks(
            _partition_values, self._token, shared, self._shape, dtype=np.float64, chunks=chunks, new_axis=extra or None
        )

    def mean_abs_shap(self, X: Any, *, client: Any = None) -> np.ndarray:
        """The mean |SHAP value| of every feature over the rows of X (the global importance).

        Each partition returns its row count, its largest |value| and its sum of
        |value| / largest per feature; the sums are joined on the client in partition
        order, rescaled to the overall largest value (so values near the largest double do
        not overflow). The result equals the single-machine
        ``Explanation.mean_abs()`` up to the rounding of the sums (relative 1e-13).

        Parameters
        ----------
        X : dask DataFrame or 2-D dask array
            The rows to explain.
        client : distributed.Client, optional
            Where to compute: by default the current client (or Dask's default scheduler).

        Returns
        -------
        numpy.ndarray
            Shape (n_features,) or (n_features, n_outputs).

        Raises
        ------
        InvalidTypeError
            X is not a dask DataFrame or array.
        InvalidInputError
            X has no rows, or is not 2-D.
        """
        blocks = self._blocks(X)
        shared = self._shared()
        tasks = [_graph.dask.delayed(_partition_sums, pure=True)(b, self._token, shared, self._shape) for b in blocks]
        parts = _graph.compute(tasks, client)
        rows = sum(n for n, _, _ in parts)
        if rows == 0:
            raise InvalidInputError("X has no rows")
        largest = np.max([scale for n, scale, _ in parts if n], axis=0)
        total = np.zeros(self._shape)
        for n, scale, sums in parts:
            if n:
                total += sums * (scale / largest)
        return total / rows * largest
