"""Argument readers shared by the engines: a user's conversion errors as assay's errors,
samples as float64 arrays, and scalar options. Each error names the argument."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._frame import CATEGORICAL, as_column
from .errors import AssayError, InvalidInputError, InvalidTypeError


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


def count_arg(value: Any, argument: str) -> int:
    """A positive integer option (int or numpy integer; not bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{argument} must be a positive integer, got {type(value).__name__}")
    if value < 1:
        raise InvalidInputError(f"{argument} must be a positive integer, got {value!r}")
    return int(value)
