"""What shap's explainers accept besides tables, read into what assay's explainers take.

shap's maskers and legacy background objects, an ``xgboost.DMatrix`` as the rows to
explain, one row as a pandas Series, and shap's ``save`` / ``load`` file protocol. None of
this imports shap: its objects are recognised by their type names and fields.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidInputError, InvalidTypeError

__all__ = ["Independent"]

_FORMAT = "assay.explain explainer v1"
# Sparse input is densified up to this many cells (1 GiB of float64).
_DENSE_CELLS = 1 << 27


class Independent:
    """Background rows whose features are masked independently (shap's ``maskers.Independent``).

    Explainers take it as their ``data``. Like shap, it keeps at most ``max_samples``
    rows, drawn without replacement by ``sklearn.utils.resample(random_state=0)``, the
    draw shap makes, so both explain against the same rows.

    Parameters
    ----------
    data : TableLike
        The background rows.
    max_samples : int or None, default 100
        The most rows kept (None: all).

    Attributes
    ----------
    data : TableLike
        The rows kept.
    shape : tuple of int
        (rows kept, features).

    Raises
    ------
    InvalidInputError
        A ``max_samples`` below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.explain import Independent
    >>> masker = Independent(np.arange(600.0).reshape(300, 2))
    >>> masker.shape
    (100, 2)
    >>> masker(np.array([True, False]), np.array([-1.0, -2.0]))[:2]
    array([[ -1., 417.],
           [ -1., 377.]])
    """

    clustering = None

    def __init__(self, data: Any, max_samples: int | None = 100) -> None:
        if max_samples is not None and (
            isinstance(max_samples, (bool, np.bool_)) or not isinstance(max_samples, (int, np.integer))
        ):
            raise InvalidTypeError(f"max_samples must be a positive integer or None, got {max_samples!r}")
        if max_samples is not None and max_samples < 1:
            raise InvalidInputError(f"max_samples must be a positive integer or None, got {max_samples}")
        if max_samples is not None and len(data) > max_samples:
            from sklearn.utils import resample

            data = resample(data, n_samples=int(max_samples), random_state=0, replace=False)
        self.data = data
        self.max_samples = max_samples
        self.feature_names = [str(c) for c in data.columns] if hasattr(data, "columns") else None

    @property
    def shape(self) -> tuple[int, int]:
        """(rows kept, features).

        Returns
        -------
        tuple of int
            The background's shape.
        """
        rows, columns = np.shape(self.data)
        return int(rows), int(columns)

    def __call__(self, mask: Any, x: Any) -> np.ndarray:
        """The background rows with the features in ``mask`` taken from the row ``x``.

        Parameters
        ----------
        mask : ArrayLike of bool
            One flag per feature: True takes the feature from ``x``.
        x : ArrayLike
            The row explained.

        Returns
        -------
        numpy.ndarray
            (rows kept, features).
        """
        rows = np.array(self.data, dtype=np.float64)
        mask = np.asarray(mask, dtype=bool)
        rows[:, mask] = np.asarray(x, dtype=np.float64).reshape(-1)[mask]
        return rows


def _background_of(data: Any, data_weights: Any) -> tuple[Any, Any]:
    """shap's maskers and weighted backgrounds as (rows, weights); anything else unchanged."""
    kind = type(data).__name__
    if isinstance(data, Independent):
        return data.data, data_weights
    if kind in {"Independent", "Partition", "Tabular", "Impute"} and hasattr(data, "data"):
        if getattr(data, "clustering", None) is not None or kind == "Partition":
            raise InvalidInputError(
                "data: a Partition masker asks for Owen values, which assay does not compute; pass the rows "
                "(or maskers.Independent) for interventional Shapley values"
            )
        if kind == "Impute":
            raise InvalidInputError("data: the Impute masker (conditional expectations) is not supported")
        return data.data, data_weights
    if kind == "DenseData" and hasattr(data, "data"):  # shap.kmeans, shap.sample's legacy wrapper
        weights = getattr(data, "weights", None)
        if data_weights is not None:
            raise InvalidInputError("data_weights: the background already carries its weights")
        return data.data, weights
    if kind == "Background" and hasattr(data, "weights"):  # assay.explain.kmeans
        if data_weights is not None:
            raise InvalidInputError("data_weights: a Background already carries its weights")
        return data.data, data.weights
    return data, data_weights


def _rows_of(X: Any) -> Any:
    """The rows to explain: an ``xgboost.DMatrix`` as a float array (NaN where it holds no value),
    a 1-D list as a 1-D array; anything else unchanged."""
    if type(X).__name__ == "DMatrix" and type(X).__module__.split(".")[0] == "xgboost":
        sparse = X.get_data().tocoo()
        rows = np.full(sparse.shape, np.nan)
        rows[sparse.row, sparse.col] = sparse.data
        names = X.feature_names
        if names is not None:
            import pandas as pd

            return pd.DataFrame(rows, columns=list(names))
        return rows
    if type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray"):
        rows, columns = X.shape
        if rows * columns > _DENSE_CELLS:
            raise InvalidInputError(
                f"X: a sparse matrix of {rows} x {columns} is too large to explain densely (assay reads dense rows); "
                "select the columns the model uses or explain fewer rows at a time"
            )
        return X.toarray()
    if isinstance(X, (list, tuple)) and len(X) and not any(isinstance(v, (list, tuple, np.ndarray)) for v in X):
        return np.asarray(X)  # one row as a list of values; nested (even ragged) lists are tables
    return X


def _one_row_table(X: Any) -> Any:
    """One row (a 1-D array or a pandas Series) as a table of one row, names kept."""
    if type(X).__name__ == "Series":
        return X.to_frame().T.infer_objects()
    return np.asarray(X).reshape(1, -1)


def _names_arg(names: Sequence[str], n_features: int) -> list[str]:
    if isinstance(names, (str, bytes)):
        raise InvalidTypeError("feature_names: expected a sequence of names, got a single string")
    names = [str(name) for name in names]
    if len(names) != n_features:
        raise InvalidInputError(f"feature_names: {len(names)} names for {n_features} features")
    return names


def _save_explainer(explainer: Any, out_file: Any, model_saver: Any, masker_saver: Any, init: dict) -> None:
    """shap's protocol: a header, then the model and the background, each pickled, written by a
    callable ``saver(object, file)``, or left out (``False``)."""
    model_how = _how(model_saver, "model_saver")
    data_how = _how(masker_saver, "masker_saver")
    background = explainer.data
    weights = getattr(explainer, "data_weights", None)
    init = {**init, "data_weights": None if weights is None or len(weights) == 0 else weights}
    pickle.dump(
        {"format": _FORMAT, "class": type(explainer).__name__, "init": init, "model": model_how, "data": data_how},
        out_file,
    )
    for how, saver, value in ((model_how, model_saver, explainer.model), (data_how, masker_saver, background)):
        if how == "pickle":
            pickle.dump(value, out_file)
        elif how == "custom":
            saver(value, out_file)


def _load_explainer(cls: Any, in_file: Any, model_loader: Any, masker_loader: Any) -> Any:
    try:
        header = pickle.load(in_file)
    except Exception as error:
        raise InvalidInputError(f"in_file: not an explainer written by save() ({type(error).__name__})") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise InvalidInputError("in_file: not an explainer written by assay's save()")
    if header["class"] != cls.__name__:
        raise InvalidInputError(f"in_file: holds a {header['class']}, not a {cls.__name__}")
    values = []
    for how, loader, argument in (
        (header["model"], model_loader, "model_loader"),
        (header["data"], masker_loader, "masker_loader"),
    ):
        if callable(loader):
            values.append(loader(in_file))
        elif how == "pickle":
            values.append(pickle.load(in_file))
        else:
            raise InvalidInputError(f"{argument}: the file does not hold it; pass a callable that returns it")
    model, data = values
    return cls(model, data, **header["init"])


def _how(saver: Any, argument: str) -> str:
    if saver is False or saver is None:
        return "none"
    if isinstance(saver, str) and saver == ".save":
        return "pickle"
    if callable(saver):
        return "custom"
    raise InvalidInputError(f"{argument} must be '.save', a callable or False, got {saver!r}")
