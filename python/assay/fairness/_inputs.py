"""Conversion of the fairness functions' per-row inputs into checked numpy arrays: labels
and scores, sample weights, class labels as codes, and sensitive features as sorted codes.

Every error is a class of ``assay.errors`` whose message names the argument.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._frame import as_column
from ..errors import AssayError, InvalidInputError, InvalidTypeError

# Classification metrics build a K x K confusion matrix per group; more distinct labels
# than this means the predictions are not class labels.
MAX_CLASSES = 256


def to_numpy(values: Any, argument: str) -> np.ndarray:
    """A 1-D numpy view (or conversion) of an array-like, for labels and scores."""
    if values is None:
        raise InvalidTypeError(f"{argument}: expected an array, got None")
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and hasattr(values, "to_numpy"):
        array = values.to_numpy()
    elif module in ("polars", "pyarrow") and hasattr(values, "to_numpy"):
        array = np.asarray(values.to_numpy())
    else:
        array = np.asarray(values)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise InvalidInputError(f"{argument}: expected a 1-D array, got shape {array.shape}")
    return array


def to_rows(values: Any, argument: str) -> np.ndarray:
    """One entry per row: a 1-D array, or a 2-D array of rows (multi-output targets, class
    probabilities), for MetricFrame's y_true and y_pred."""
    if values is not None and type(values).__module__.split(".")[0] == "pandas" and hasattr(values, "columns"):
        values = values.to_numpy()
    if values is not None and np.ndim(values) == 2 and 1 not in np.shape(values):
        return np.asarray(values)
    return to_numpy(values, argument)


def as_numeric(values: np.ndarray, argument: str) -> np.ndarray:
    """Finite numbers as contiguous float64 (scores, regression targets)."""
    if values.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers for this metric, got dtype {values.dtype}")
    array = np.ascontiguousarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InvalidInputError(f"{argument} contains NaN or infinite values")
    return array


def as_indicator(values: np.ndarray, pos_label: Any, argument: str) -> np.ndarray:
    """1 where values == pos_label, else 0 (int32), with missing labels rejected."""
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise InvalidInputError(f"{argument} contains NaN; labels must not be missing")
    return np.ascontiguousarray(values == pos_label, dtype=np.int32)


def as_weights(values: Any, n: int, argument: str = "sample_weight", normalise: bool = True) -> np.ndarray | None:
    """Checked sample weights as contiguous float64 (a new array, never the caller's):
    numbers, one per row, finite and non-negative.

    normalise=True (metrics that are ratios of weight sums, so scale-invariant): weights
    above 2**64, whose sums (or weight x value products) could overflow, are divided by
    their maximum (1e308 each, say); the values are unchanged (reweighing and calibration
    scale what they report back). normalise=False (a state that merges with other chunks,
    or a statistic that is not scale-invariant): weights whose sum overflows are an error."""
    if values is None:
        return None
    array = to_numpy(values, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers, got dtype {array.dtype}")
    if len(array) != n:
        raise InvalidInputError(f"{argument} has {len(array)} rows but y_true has {n}")
    array = np.array(array, dtype=np.float64, order="C", copy=True)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(f"{argument}: value {array[i]!r} at row {i} is not a finite non-negative number")
    if not len(array):
        return array
    if normalise and _needs_scaling(array):
        array /= array.max()
    elif not normalise:
        with np.errstate(over="ignore"):
            total = array.sum()
        if not np.isfinite(total):
            raise InvalidInputError(
                f"{argument}: the sum of the weights overflows ({array.max():.3g} x {n} rows); scale the weights down"
            )
    return array


def _needs_scaling(array: np.ndarray) -> bool:
    """True when sums of the weights (or of weight x value products) could overflow."""
    with np.errstate(over="ignore"):
        return bool(not np.isfinite(array.sum()) or array.max() > 2.0**64)


def weight_scale(values: Any) -> float:
    """The factor ``as_weights`` divided the weights by (1.0 unless their sum overflows)."""
    array = np.asarray(values, dtype=np.float64)
    return float(array.max()) if len(array) and _needs_scaling(array) else 1.0


@dataclass
class Classes:
    """y_true and y_pred as codes of the sorted union of their labels."""

    labels: np.ndarray  # the distinct labels (original values), sorted
    y_true: np.ndarray  # int32 codes
    y_pred: np.ndarray

    def code_of(self, label: Any) -> int:
        """The code of a label, or -1 when it does not occur."""
        if self.labels.dtype.kind in "biuf":
            if isinstance(label, (bool, numbers.Number, np.generic)) and not isinstance(label, str):
                hits = np.nonzero(self.labels == label)[0]
                return int(hits[0]) if len(hits) else -1
            return -1
        if isinstance(label, (numbers.Number, np.generic)):
            return -1
        hits = np.nonzero(self.labels == str(label))[0]
        return int(hits[0]) if len(hits) else -1


def _all_in(values: np.ndarray, allowed: tuple) -> bool:
    mask = values == allowed[0]
    for a in allowed[1:]:
        mask |= values == a
    return bool(mask.all())


def encode_classes(y_true: np.ndarray, y_pred: np.ndarray) -> Classes:
    """y_true and y_pred as int32 codes of the sorted union of their labels (numbers, or
    labels compared as strings); missing labels and more than MAX_CLASSES labels are errors."""
    numeric_true, numeric_pred = y_true.dtype.kind in "biuf", y_pred.dtype.kind in "biuf"
    if numeric_true and numeric_pred:
        for values, argument in ((y_true, "y_true"), (y_pred, "y_pred")):
            if values.dtype.kind == "f" and np.isnan(values).any():
                raise InvalidInputError(f"{argument} contains NaN; labels must not be missing")
        if _all_in(y_true, (0, 1)) and _all_in(y_pred, (0, 1)):  # the common case, without sorting
            labels = np.array([0, 1], dtype=np.result_type(y_true.dtype, y_pred.dtype))
            return Classes(labels, y_true.astype(np.int32), y_pred.astype(np.int32))
        labels = np.unique(np.concatenate([np.unique(y_true), np.unique(y_pred)]))
        if len(labels) > MAX_CLASSES:
            raise InvalidInputError(
                f"y_true and y_pred hold {len(labels)} distinct values; classification metrics need class labels"
            )
        return Classes(
            labels,
            np.searchsorted(labels, y_true).astype(np.int32),
            np.searchsorted(labels, y_pred).astype(np.int32),
        )
    if numeric_true != numeric_pred:
        raise InvalidTypeError("y_true and y_pred must both be numbers or both be labels (strings)")
    try:
        true_column = as_column(y_true, name="y_true")
        pred_column = as_column(y_pred, name="y_pred")
    except AssayError:
        raise
    except TypeError as error:
        raise InvalidTypeError(str(error)) from error
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
    column_labels = []
    for column in (true_column, pred_column):
        if column.labels is None:
            raise InvalidTypeError(f"{column.name}: expected labels")
        if (column.values < 0).any():
            raise InvalidInputError(f"{column.name} contains missing values; labels must not be missing")
        column_labels.append(column.labels)
    true_labels, pred_labels = column_labels
    labels = np.array(sorted(set(true_labels) | set(pred_labels)), dtype=object)
    if len(labels) > MAX_CLASSES:
        raise InvalidInputError(
            f"y_true and y_pred hold {len(labels)} distinct labels; at most {MAX_CLASSES} are supported"
        )
    position = {label: i for i, label in enumerate(labels)}
    remap_true = np.array([position[x] for x in true_labels], dtype=np.int32)
    remap_pred = np.array([position[x] for x in pred_labels], dtype=np.int32)
    return Classes(labels.astype(str), remap_true[true_column.values], remap_pred[pred_column.values])


@dataclass
class Feature:
    """One grouping feature: its name, each row's level code and the levels in sorted order."""

    name: str
    codes: np.ndarray  # int32, -1 missing, in sorted order of the levels
    levels: list


def factorize(values: Any, name: str) -> Feature:
    """Codes in sorted order of the values (pandas' groupby order); missing is -1."""
    module = type(values).__module__.split(".")[0]
    # A categorical Series or a bare Categorical: its codes, with no pass over the values.
    categorical = values.cat if module == "pandas" and hasattr(values, "cat") else values
    if module == "pandas" and hasattr(categorical, "codes") and hasattr(categorical, "categories"):
        codes = np.asarray(categorical.codes)
        categories = np.asarray(categorical.categories, dtype=object)
        used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        order = sorted(np.nonzero(used)[0], key=lambda i: categories[i])
        remap = np.full(len(categories) + 1, -1, dtype=np.int32)
        remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
        return Feature(name, remap[codes], [categories[i] for i in order])
    array = to_numpy(values, name)
    kind = array.dtype.kind
    if kind in "biu":
        if kind == "b":
            array = array.astype(np.int8)
        low, high = (int(array.min()), int(array.max())) if len(array) else (0, -1)
        if high - low < 1 << 20:  # small integer range: a counting pass, no sort
            shifted = (array - low).astype(np.int64)
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            lookup = (np.cumsum(present) - 1).astype(np.int32)
            levels = (np.nonzero(present)[0] + low).tolist()
            if kind == "b":
                levels = [bool(x) for x in levels]
            return Feature(name, lookup[shifted], levels)
        levels, codes = np.unique(array, return_inverse=True)
        return Feature(name, codes.astype(np.int32), levels.tolist())
    if kind == "f":
        missing = np.isnan(array)
        levels, inverse = np.unique(array[~missing], return_inverse=True)
        codes = np.full(len(array), -1, dtype=np.int32)
        codes[~missing] = inverse
        return Feature(name, codes, levels.tolist())
    if kind in "US":
        levels, codes = np.unique(array, return_inverse=True)
        return Feature(name, codes.astype(np.int32), levels.tolist())
    if kind == "O":
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - pandas is in every test environment
            raise InvalidTypeError(f"sensitive feature '{name}': object arrays need pandas") from error
        try:
            codes, uniques = pd.factorize(array, sort=True, use_na_sentinel=True)
        except TypeError as error:
            raise InvalidTypeError(
                f"sensitive feature '{name}': values of different types cannot be ordered ({error})"
            ) from error
        return Feature(name, codes.astype(np.int32), list(uniques))
    raise InvalidTypeError(f"sensitive feature '{name}': unsupported dtype {array.dtype}")


def json_label(label: Any) -> Any:
    """A group label as JSON holds it: numbers, text and booleans as they are, a tuple of
    levels as a list, anything else (a date, say) as its text."""
    if isinstance(label, tuple):
        return [json_label(level) for level in label]
    if isinstance(label, np.generic):
        label = label.item()
    return label if label is None or isinstance(label, (str, bool, int, float)) else str(label)


def split_features(features: Any, base_name: str, n: int, argument: str, any_names: bool = False) -> list[Feature]:
    """Splits fairlearn's feature containers into named 1-D features. Names must be strings
    (MetricFrame's rule), unless ``any_names``: then others become their text (as
    fairlearn's ThresholdOptimizer accepts a DataFrame with integer column names)."""
    result = []
    for name, values in feature_columns(features, base_name, argument, any_names):
        feature = factorize(values, name)
        if len(feature.codes) != n:
            raise InvalidInputError(f"{argument}: feature '{name}' has {len(feature.codes)} rows but y_true has {n}")
        result.append(feature)
    return result


def feature_columns(features: Any, base_name: str, argument: str, any_names: bool = False) -> list[tuple[str, Any]]:
    """The named columns of fairlearn's feature containers, not yet factorized (as
    ``split_features`` names them): what the Dask call reads per partition."""
    if features is None:
        raise InvalidInputError(f"{argument}: expected features, got None")
    module = type(features).__module__.split(".")[0]
    columns: list[tuple[str, Any]] = []
    if module == "pandas" and hasattr(features, "columns"):
        for i, column in enumerate(features.columns):
            if not isinstance(column, str) and not any_names:
                raise InvalidInputError(f"{argument}: column names must be strings, got {column!r}")
            columns.append((str(column), features.iloc[:, i]))
    elif module == "pandas" and hasattr(features, "dtype"):
        feature_name = getattr(features, "name", None)  # a Categorical has none
        if feature_name is not None and any_names:
            feature_name = str(feature_name)
        if feature_name is not None and not isinstance(feature_name, str):
            raise InvalidInputError(f"{argument}: the Series name must be a string, got {feature_name!r}")
        columns.append((feature_name if feature_name is not None else f"{base_name}0", features))
    elif isinstance(features, Mapping):
        for name, values in features.items():
            if not isinstance(name, str):
                raise InvalidInputError(f"{argument}: feature names must be strings, got {name!r}")
            columns.append((name, values))
    elif module == "polars" and hasattr(features, "columns"):
        columns.extend((name, features[name].to_numpy()) for name in features.columns)
    else:
        array = np.asarray(features, dtype=object) if isinstance(features, list) else np.asarray(features)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim == 1:
            if array.dtype == object and isinstance(features, list):
                array = _infer_object(array)
            columns.append((f"{base_name}0", array))
        elif array.ndim == 2:
            columns.extend((f"{base_name}{j}", array[:, j]) for j in range(array.shape[1]))
        else:
            raise InvalidInputError(f"{argument}: expected 1-D or 2-D features, got {array.ndim} dimensions")
    if not columns:
        raise InvalidInputError(f"{argument}: no features given")
    return columns


def _infer_object(array: np.ndarray) -> np.ndarray:
    """A list of Python scalars as the numpy dtype it would have without missing values."""
    try:
        import pandas as pd

        inferred = pd.Series(array).infer_objects()
        if inferred.dtype.kind in "biuf":
            return inferred.to_numpy()
    except ImportError:  # pragma: no cover
        pass
    return array
