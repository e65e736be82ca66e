"""The drift functions' reading of their arguments: samples, weights and count tables as
float64 arrays, scalar options, progress, and tables as frames of the checked columns.

Every check raises a class of ``assay.errors`` whose message names the argument.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._frame import CATEGORICAL, Frame, as_column, as_frame
from .._progress import ProgressCallback, progress_callback
from ..errors import AssayError, InvalidInputError, InvalidTypeError
from ..typing import Progress


def converted(convert: Any, argument: str) -> Any:
    """Runs a conversion of the user's input, turning plain ValueError/TypeError into
    assay's errors that name the argument."""
    try:
        return convert()
    except AssayError:
        raise
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: {error}") from error
    except ValueError as error:
        raise InvalidInputError(f"{argument}: {error}") from error


def as_array(values: Any, argument: str) -> np.ndarray:
    """``values`` as a numpy array (not converted), or an error naming the argument."""
    if values is None or isinstance(values, (str, bytes, dict)):
        raise InvalidTypeError(f"{argument} must be an array of numbers, got {type(values).__name__}")
    return converted(lambda: np.asarray(values), argument)


def as_sample(values: Any, argument: str, minimum: int = 1, *, infinities: bool = False) -> np.ndarray:
    """A 1-D float64 sample for the two-sample functions.

    Every test and distance on samples reads its input through here: a non-numeric or
    complex dtype is an InvalidTypeError; a scalar or a 2-D+ array, fewer than
    ``minimum`` values (empty included), NaN, and infinities unless ``infinities`` (the
    rank tests and the Wasserstein and energy distances take them, as scipy's) are
    InvalidInputErrors naming the argument (the column reports drop and count non-finite
    values instead).
    """
    if isinstance(values, np.ndarray) or not hasattr(values, "dtype"):
        array = as_array(values, argument)
        if array.ndim != 1:
            shape = "a scalar" if array.ndim == 0 else f"shape {array.shape}"
            raise InvalidInputError(f"{argument} must be a 1-D sample, got {shape}")
        if array.dtype.kind == "c":
            raise InvalidTypeError(f"{argument} must hold real numbers, got dtype {array.dtype}")
        values = array
    column = converted(lambda: as_column(values, name=argument, argument=argument), argument)
    if column.kind == CATEGORICAL:
        raise InvalidTypeError(f"{argument} must be numeric, got {column.source_dtype} values")
    array = column.values
    if array.size < minimum:
        what = "is empty" if array.size == 0 else f"holds {array.size} value(s)"
        raise InvalidInputError(f"{argument} {what}; it needs at least {minimum}")
    finite = ~np.isnan(array) if infinities else np.isfinite(array)
    if not finite.all():
        position = int(np.argmin(finite))
        kind = "NaN" if np.isnan(array[position]) else "an infinity"
        raise InvalidInputError(
            f"{argument} holds {kind} at position {position}; drop or replace non-finite values first"
        )
    return array


def real_arg(value: Any, argument: str) -> float:
    """A real number (int, float or numpy scalar; not bool), or InvalidTypeError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{argument} must be a number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError as error:  # an int beyond the double range
        raise InvalidInputError(f"{argument} is too large for a double ({value!r})") from error


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


def count_arg(value: Any, argument: str) -> int:
    """A positive integer option (int or numpy integer; not bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{argument} must be a positive integer, got {type(value).__name__}")
    if value < 1:
        raise InvalidInputError(f"{argument} must be a positive integer, got {value!r}")
    return int(value)
