"""The inputs of find_slices: features as value codes (numeric columns binned), per-row errors.

Binning rule of a numeric column (NaN is missing, its own value; +-inf fall in the end bins):

* at most ``n_bins`` distinct values: each value is its own bin (``x = v``);
* else ``"quantile"``: the inner edges are the distinct quantiles of the finite values at
  ``1/n_bins, ..., (n_bins-1)/n_bins`` (numpy's default linear interpolation), ``"uniform"``:
  ``n_bins`` equal-width bins between the finite minimum and maximum (numpy.linspace's edges).
  Bins are half-open, ``[edge_i, edge_i+1)``; the first is ``x < edge_1`` and the last
  ``x >= edge_last``.

The core computes the codes (cpp/include/assay/slices/binning.hpp), in parallel over columns.

Categorical columns (strings, pandas categoricals, ...) keep their values, as ``assay._frame``
codes them; a missing value is its own value.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .._frame import as_column, as_frame
from ..errors import InvalidInputError, InvalidTypeError

METRICS = ("error", "squared_error", "absolute_error", "log_loss")
BINNINGS = ("quantile", "uniform")


@dataclass(frozen=True)
class CodedFeature:
    """A feature as the core reads it, and the text of each value's predicate."""

    name: str
    codes: np.ndarray  # int32, -1 missing
    descriptions: list[str]  # descriptions[code]: "age in [30, 40)", "sex = F"
    edges: list[float] | None  # inner bin edges of a binned numeric column

    def core(self) -> tuple[str, np.ndarray, int]:
        return (self.name, self.codes, len(self.descriptions))

    def describe(self, code: int) -> str:
        return f"{self.name} is missing" if code < 0 else self.descriptions[code]


def _number(value: float) -> str:
    return f"{value:.6g}"


def _described(name: str, codes: np.ndarray, points: np.ndarray, distinct: bool) -> CodedFeature:
    text = [_number(p) for p in points]
    if distinct:
        return CodedFeature(name, codes, [f"{name} = {t}" for t in text], None)
    descriptions = [f"{name} < {text[0]}"]
    descriptions += [f"{name} in [{a}, {b})" for a, b in zip(text[:-1], text[1:])]
    descriptions.append(f"{name} >= {text[-1]}")
    return CodedFeature(name, codes, descriptions, points.tolist())


def coded_features(X: Any, n_bins: int, binning: str, feature_names: Any = None, n_jobs: int = 0) -> list[CodedFeature]:
    """The columns of ``X`` as value codes (see the module docstring); numeric columns are binned
    in the core, in parallel."""
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral):
        raise InvalidTypeError(f"n_bins: expected an integer, got {type(n_bins).__name__}")
    if not 2 <= n_bins <= 2**20:
        raise InvalidInputError(f"n_bins: must lie in [2, 2**20], got {n_bins}")
    if binning not in BINNINGS:
        raise InvalidInputError(f"binning: expected one of {', '.join(BINNINGS)}, got {binning!r}")
    frame = as_frame(X, argument="X", feature_names=feature_names)
    if not frame.names:
        raise InvalidInputError("X: no column to slice by")
    columns = [frame.column(name) for name in frame.names]
    numeric = [c for c in columns if c.labels is None]
    binned = iter(
        _core.slices.bin_columns([c.values for c in numeric], int(n_bins), _core.slices.Binning[binning], n_jobs)
    )
    out = []
    for column in columns:
        if column.labels is None:
            out.append(_described(column.name, *next(binned)))
        else:
            labels = column.labels
            out.append(CodedFeature(column.name, column.values, [f"{column.name} = {label}" for label in labels], None))
    return out


def _numeric(values: Any, argument: str) -> np.ndarray:
    column = as_column(values, name=argument)
    if column.labels is not None:
        raise InvalidTypeError(f"{argument}: expected numbers, got {column.source_dtype} values")
    if not np.isfinite(column.values).all():
        raise InvalidInputError(f"{argument}: every value must be finite (no NaN or inf)")
    return column.values


def _labels(values: Any, argument: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise InvalidInputError(f"{argument}: expected a 1-D array of labels")
    column = as_column(array, name=argument)
    missing = np.isnan(column.values) if column.labels is None else column.values < 0
    if missing.any():
        raise InvalidInputError(f"{argument}: {int(missing.sum())} missing labels")
    return array


def _log_loss(y_true: Any, y_pred: Any) -> np.ndarray:
    proba = np.asarray(y_pred, dtype=np.float64) if not isinstance(y_pred, np.ndarray) else y_pred
    if proba.dtype.kind not in "fiub":
        raise InvalidTypeError("y_pred: log_loss needs probabilities (numbers)")
    proba = proba.astype(np.float64)
    if not np.isfinite(proba).all() or (proba < 0).any() or (proba > 1).any():
        raise InvalidInputError("y_pred: probabilities must be finite and lie in [0, 1]")
    truth = _numeric(y_true, "y_true")
    if proba.ndim == 1:
        if not np.isin(truth, (0.0, 1.0)).all():
            raise InvalidInputError("y_true: log_loss with 1-D probabilities needs 0/1 labels")
        if len(truth) != len(proba):
            raise InvalidInputError(f"y_pred: {len(proba)} rows, y_true {len(truth)}")
        p_true = np.where(truth == 1, proba, 1 - proba)
    elif proba.ndim == 2:
        n_classes = proba.shape[1]
        if len(truth) != len(proba):
            raise InvalidInputError(f"y_pred: {len(proba)} rows, y_true {len(truth)}")
        if (truth != np.floor(truth)).any() or (truth < 0).any() or (truth >= n_classes).any():
            raise InvalidInputError(f"y_true: log_loss with 2-D probabilities needs class indices in [0, {n_classes})")
        p_true = proba[np.arange(len(truth)), truth.astype(np.int64)]
    else:
        raise InvalidInputError("y_pred: log_loss needs 1-D or 2-D probabilities")
    eps = np.finfo(np.float64).eps  # scikit-learn's clipping
    return -np.log(np.clip(p_true, eps, 1 - eps))


def row_errors(errors: Any, y_true: Any, y_pred: Any, metric: str | None) -> tuple[np.ndarray, str]:
    """Each row's error and the name of the metric that gave it."""
    if errors is not None:
        if y_true is not None or y_pred is not None or metric is not None:
            raise InvalidInputError("errors: give either errors, or y_true and y_pred with a metric, not both")
        values = _numeric(errors, "errors")
        if (values < 0).any():
            raise InvalidInputError("errors: every error must be >= 0")
        return values, "errors"
    if y_true is None or y_pred is None:
        raise InvalidInputError("errors: give per-row errors, or y_true and y_pred")
    metric = "error" if metric is None else metric
    if metric not in METRICS:
        raise InvalidInputError(f"metric: expected one of {', '.join(METRICS)}, got {metric!r}")
    if metric == "log_loss":
        return _log_loss(y_true, y_pred), metric
    if metric == "error":
        truth, predicted = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
        if len(truth) != len(predicted):
            raise InvalidInputError(f"y_pred: {len(predicted)} rows, y_true {len(truth)}")
        return (truth != predicted).astype(np.float64), metric
    truth, predicted = _numeric(y_true, "y_true"), _numeric(y_pred, "y_pred")
    if len(truth) != len(predicted):
        raise InvalidInputError(f"y_pred: {len(predicted)} rows, y_true {len(truth)}")
    difference = truth - predicted
    with np.errstate(over="ignore"):
        values = difference * difference if metric == "squared_error" else np.abs(difference)
    if not np.isfinite(values).all():
        raise InvalidInputError(f"y_pred: the {metric} overflows float64")
    return values, metric


def support_rows(min_support: Any, n_rows: int) -> int:
    """min_support as a row count: a count >= 1, or a fraction in (0, 1) of the rows (rounded up);
    None: max(32, 1% of the rows)."""
    if min_support is None:
        return max(32, math.ceil(0.01 * n_rows))
    if isinstance(min_support, bool) or not isinstance(min_support, numbers.Real):
        raise InvalidTypeError(f"min_support: expected a number, got {type(min_support).__name__}")
    if isinstance(min_support, numbers.Integral):
        count = int(min_support)
        if count < 1:
            raise InvalidInputError(f"min_support: a row count must be >= 1, got {count}")
        return min(count, 2**62)
    fraction = float(min_support)
    if not 0 < fraction < 1:
        raise InvalidInputError(f"min_support: a fraction must lie in (0, 1), got {fraction}")
    return max(1, math.ceil(fraction * n_rows))
