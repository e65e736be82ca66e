"""Conversion of the review engine's inputs into checked numpy arrays: class probabilities,
class labels, regression targets and predictions, and groups as codes.

The range checks (probabilities in [0, 1], labels in range, finite numbers) happen in the core,
whose messages name the argument; here arrays get their shape and dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._frame import CATEGORICAL, as_column
from ..errors import InvalidInputError, InvalidTypeError


def probabilities(values: Any, argument: str = "probabilities") -> np.ndarray:
    """Class probabilities as a C-contiguous float64 matrix, one row per case."""
    if values is None:
        raise InvalidTypeError(f"{argument}: expected a 2-D array of class probabilities, got None")
    array = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if array.ndim != 2:
        raise InvalidInputError(f"{argument}: expected a 2-D array (rows x classes), got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers, got dtype {array.dtype}")
    if array.shape[1] < 1:
        raise InvalidInputError(f"{argument}: expected at least one class column")
    return np.ascontiguousarray(array, dtype=np.float64)


def class_labels(values: Any, n_rows: int, argument: str = "y") -> np.ndarray:
    """Class labels as int32 column indices of the probabilities (range checked in the core)."""
    array = numbers(values, argument)
    if not np.all(array == np.round(array)):
        raise InvalidInputError(f"{argument}: expected integer class indices (columns of the probabilities)")
    if len(array) != n_rows:
        raise InvalidInputError(f"{argument} has {len(array)} rows but the probabilities have {n_rows}")
    if len(array) and not (array.min() >= 0 and array.max() <= 2**31 - 1):
        raise InvalidInputError(
            f"{argument}: class index {array.min() if array.min() < 0 else array.max()} out of range"
        )
    return np.ascontiguousarray(array, dtype=np.int32)


def numbers(values: Any, argument: str, n_rows: int | None = None) -> np.ndarray:
    """A 1-D float64 array, through assay._frame (finiteness is checked in the core)."""
    if values is None:
        raise InvalidTypeError(f"{argument}: expected an array of numbers, got None")
    column = as_column(values, name=argument)
    if column.kind == CATEGORICAL:
        raise InvalidTypeError(f"{argument}: expected numbers, got {column.source_dtype} values")
    if n_rows is not None and len(column) != n_rows:
        raise InvalidInputError(f"{argument} has {len(column)} rows, expected {n_rows}")
    return np.ascontiguousarray(column.values, dtype=np.float64)


@dataclass(frozen=True)
class Groups:
    """The groups seen at calibration, sorted; codes index them. Rows of a group not seen at
    calibration get the code ``len(labels)``: a group without calibration rows, whose threshold
    is infinite (every label, every value), so they go to review."""

    labels: np.ndarray  # sorted distinct keys (numbers or strings)

    @property
    def n_groups(self) -> int:
        return len(self.labels) + 1  # the last one: groups not seen at calibration

    @classmethod
    def fit(cls, values: Any, n_rows: int) -> tuple[Groups, np.ndarray]:
        keys = _keys(values, n_rows)
        if keys is None:
            return cls(np.array([], dtype=np.float64)), np.zeros(n_rows, dtype=np.int32)
        labels, codes = _factorize(keys)
        if len(labels) > 2**31 - 2:
            raise InvalidInputError("groups: too many distinct groups")
        return cls(labels), np.ascontiguousarray(codes.reshape(-1), dtype=np.int32)

    def codes(self, values: Any, n_rows: int) -> np.ndarray:
        keys = _keys(values, n_rows)
        if keys is None:
            if len(self.labels):
                raise InvalidInputError("groups: the calibration had groups; pass the groups of these rows too")
            return np.zeros(n_rows, dtype=np.int32)
        if not len(self.labels):
            raise InvalidInputError("groups: the calibration had no groups; pass groups=None")
        if (keys.dtype.kind == "U") != (self.labels.dtype.kind == "U"):  # text vs numbers
            raise InvalidTypeError("groups: the calibration groups and these differ in kind (text vs numbers)")
        position = np.minimum(np.searchsorted(self.labels, keys), len(self.labels) - 1)
        found = self.labels[position] == keys
        return np.ascontiguousarray(np.where(found, position, len(self.labels)), dtype=np.int32)

    def names(self) -> list[Any]:
        """The group labels as Python values, then None for the unseen-group bucket; without
        groups, ``["(all)"]``."""
        return [*self.labels.tolist(), None] if len(self.labels) else ["(all)"]


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct keys, each row's index among them); small integer keys by counting, O(n)."""
    if keys.dtype.kind in "if" and len(keys):
        low, high = keys.min(), keys.max()
        if high - low < 2**24 and (keys.dtype.kind == "i" or np.array_equal(keys, np.round(keys))):
            offsets = (keys - low).astype(np.int64)
            present = np.bincount(offsets, minlength=1) > 0
            index = np.cumsum(present) - 1
            return np.flatnonzero(present) + low, index[offsets]
    labels, codes = np.unique(keys, return_inverse=True)
    return labels, codes


def _keys(values: Any, n_rows: int) -> np.ndarray | None:
    """Each row's group as a number or a string; missing groups are an error."""
    if values is None:
        return None
    column = as_column(values, name="groups")
    if len(column) != n_rows:
        raise InvalidInputError(f"groups has {len(column)} rows, expected {n_rows}")
    if column.kind == CATEGORICAL:
        if np.any(column.values < 0):
            raise InvalidInputError("groups: missing values; give them a group of their own")
        return np.asarray(column.labels, dtype=str)[column.values]
    if np.isnan(column.values).any():
        raise InvalidInputError("groups: missing values; give them a group of their own")
    if column.source_dtype in ("integer", "bool") and np.all(np.abs(column.values) < 2**53):
        return column.values.astype(np.int64)  # labels shown as the integers they were
    return column.values
