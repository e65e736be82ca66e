"""The drift functions' reading of their arguments: weights and count tables as float64
arrays, flags and thresholds, progress, and tables as frames of the checked columns (the
readers other engines share, of samples and scalar options, are in ``assay._inputs``).

Every check raises a class of ``assay.errors`` whose message names the argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._frame import Frame, as_frame
from .._inputs import as_array, converted, real_arg
from .._progress import ProgressCallback, progress_callback
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import Progress


def progress_arg(progress: Progress, description: str) -> ProgressCallback | None:
    """The progress callback of ``progress`` (None, a bool or a callable(done, total))."""
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise InvalidTypeError(
            f"progress must be None, a bool or a callable(done, total), got {type(progress).__name__}"
        )
    return progress_callback(progress, description)


def as_weights(weights: Any, n: int, argument: str) -> np.ndarray | None:
    """Weights as float64 (values checked by the core: finite, >= 0, positive sum)."""
    if weights is None:
        return None
    array = as_array(weights, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument} must hold real numbers, got dtype {array.dtype}")
    if array.shape != (n,):
        raise InvalidInputError(f"{argument} must have one weight per value ({n}), got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def as_counts(values: Any, argument: str, ndim: int) -> np.ndarray:
    """A float64 array of counts of ``ndim`` dimensions (values checked by the core)."""
    array = as_array(values, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument} must hold counts (real numbers), got dtype {array.dtype}")
    if array.ndim != ndim or array.size == 0:
        raise InvalidInputError(f"{argument} must be a non-empty {ndim}-D array of counts, got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def flag_arg(value: Any, argument: str) -> bool:
    """A bool (or numpy bool); anything else is an InvalidTypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{argument} must be True or False, got {value!r}")
    return bool(value)


def threshold_arg(value: Any, argument: str) -> float:
    """A threshold: None (the test's default, NaN for the core) or a finite number >= 0."""
    if value is None:
        return math.nan
    number = real_arg(value, argument)
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError(f"{argument} must be a finite number >= 0, got {value!r}")
    return number


def column_list(columns: Any, argument: str) -> list[Any]:
    """A column name or a list of distinct names, as a list."""
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, (list, tuple, np.ndarray)) and not hasattr(names, "__iter__"):
        raise InvalidTypeError(f"{argument} must be a column name or a list of names, got {type(columns).__name__}")
    names = list(names)
    seen: set[Any] = set()
    for name in names:
        if not isinstance(name, str):
            raise InvalidTypeError(f"{argument}: column names are strings, got {name!r}")
        if name in seen:
            raise InvalidInputError(f"{argument}: column {name!r} is listed twice")
        seen.add(name)
    return names


def checked_frames(
    reference: Any, current: Any, columns: Sequence[str] | None, exclude: set[str]
) -> tuple[Frame, Frame, list[str]]:
    """The reference and current tables as frames, and the columns to check: ``columns``
    (every reference column but ``exclude`` when None), each in both tables."""
    ref = converted(lambda: as_frame(reference, argument="reference"), "reference")
    cur = converted(lambda: as_frame(current, argument="current"), "current")
    if ref.n_rows == 0:
        raise InvalidInputError("reference has no rows")
    if columns is None:
        columns = [c for c in ref.names if c not in exclude]
    else:
        columns = column_list(columns, "columns")
        if not columns:
            raise InvalidInputError("columns is empty; give None (every column) or at least one name")
        unknown = [c for c in columns if c not in ref]
        if unknown:
            raise InvalidInputError(f"columns {unknown} are not in the reference data")
    missing = [c for c in [*columns, *sorted(exclude)] if c not in cur]
    if missing:
        raise InvalidInputError(f"columns {missing} are in the reference but not in the current data")
    return ref, cur, list(columns)
