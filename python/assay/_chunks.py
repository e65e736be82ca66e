"""Chunks of the current rows for monitoring: by calendar period of a time column, by size
or by count, in time order."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._frame import CATEGORICAL, Frame, as_column
from ._inputs import as_array, converted, count_arg
from .errors import InvalidInputError, InvalidTypeError


def time_seconds(time: Any, frame: Frame | int) -> np.ndarray | None:
    """``time`` (a column name of ``frame`` or an array with one value per row; ``frame``
    may be just the number of rows then) as float64 seconds; datetimes are seconds since
    the epoch. Missing or infinite times are errors."""
    if time is None:
        return None
    n_rows = frame if isinstance(frame, int) else frame.n_rows
    if isinstance(time, str):
        if isinstance(frame, int) or time not in frame:
            raise InvalidInputError(f"time column '{time}' is not in the current data")
        column = frame.column(time)
    else:
        column = converted(
            lambda: as_column(
                as_array(time, "time") if not hasattr(time, "dtype") else time, name="time", argument="time"
            ),
            "time",
        )
        if len(column) != n_rows:
            raise InvalidInputError(f"time must have one value per current row ({n_rows}), got {len(column)}")
    if column.kind == CATEGORICAL:
        raise InvalidTypeError(f"time must hold numbers or datetimes, got {column.source_dtype} values")
    values = np.asarray(column.values, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        raise InvalidInputError(f"time holds a missing or infinite value at row {int(np.argmin(finite))}")
    return values


def chunk_labels(
    n_rows: int, time: np.ndarray | None, freq: str | None, chunk_size: int | None, n_chunks: int | None
) -> tuple[np.ndarray, list[Any]]:
    """Chunk index of every row, and a label per chunk. ``time`` is float64 seconds."""
    chosen = sum(x is not None for x in (freq, chunk_size, n_chunks))
    if chosen > 1:
        raise InvalidInputError("give at most one of freq, chunk_size and n_chunks")
    if freq is not None:
        if not isinstance(freq, str):
            raise InvalidTypeError(f"freq must be a pandas period alias such as 'D', got {type(freq).__name__}")
        if time is None:
            raise InvalidInputError("freq needs time=")
        import pandas as pd

        try:
            periods = pd.to_datetime(pd.Series(time), unit="s").dt.to_period(freq)
        except (ValueError, TypeError, OverflowError) as error:
            raise InvalidInputError(f"freq={freq!r} on time: {error}") from error
        codes, uniques = pd.factorize(periods, sort=True)
        return codes.astype(np.int64), [str(u) for u in uniques]
    order = np.arange(n_rows) if time is None else np.argsort(time, kind="stable")
    if chunk_size is not None:
        size = count_arg(chunk_size, "chunk_size")
        per_position = np.arange(n_rows, dtype=np.int64) // size
    else:
        count = 10 if n_chunks is None else count_arg(n_chunks, "n_chunks")
        count = min(count, max(n_rows, 1))
        per_position = (np.arange(n_rows, dtype=np.int64) * count) // max(n_rows, 1)
    labels = np.empty(n_rows, dtype=np.int64)
    labels[order] = per_position
    n = int(per_position[-1]) + 1 if n_rows else 0
    return labels, list(range(n))
