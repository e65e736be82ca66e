"""The one place where user data becomes columns for the core.

Every engine calls :func:`as_frame` (tables) or :func:`as_column` (one array, such as a
target) and hands ``Frame.core_columns()`` to the compiled module. The conventions:

* numeric columns become contiguous float64 arrays, NaN for missing. float64 input
  that is already contiguous crosses without a copy; ints, bools, float32, nullable
  pandas types, non-contiguous or negative-stride or byte-swapped arrays are converted
  (copied) once. Integers beyond 2**53 in magnitude (int64 and uint64 extremes) become the
  nearest float64, so they keep 15-16 significant digits.
* datetimes become seconds since the epoch (1970-01-01 UTC, time-zone aware values
  converted to UTC) and timedeltas seconds, as float64: about microsecond resolution for
  present-day dates, whatever the unit; values of any unit convert without overflow.
* strings, objects, pandas Categoricals and Arrow dictionaries become int32 codes with
  -1 for missing; the labels (as strings) stay here and are passed alongside. Object
  columns whose values are all numbers (not bools), all datetimes / dates or all
  timedeltas are numeric columns instead, as the typed arrays would be.
* complex numbers, nested values (lists, dicts) and other types are an
  InvalidTypeError naming the column; arrays that are not 1-D columns / 2-D tables, and
  columns of different lengths, an InvalidInputError.
* column names are strings: other names (ints of a numpy table or a DataFrame) are
  converted with str(); names that repeat, also after that conversion, are an error.
  A table without columns or without rows is allowed (every statistic of an empty column
  is NaN).
* masked numpy arrays: masked entries are missing.
* the caller's data is never modified.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import AssayError, InvalidInputError, InvalidTypeError

__all__ = ["Column", "Frame", "as_frame", "as_column"]

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True)
class Column:
    """One column ready for the core.

    ``values`` is float64 for numeric columns and int32 codes for categorical ones;
    ``labels[code]`` is a code's label. ``source_dtype`` is a coarse name of the input
    type ("float", "integer", "bool", "datetime", "timedelta", "category", "string",
    "object"), used by dtype rules; ``type_counts`` counts Python types of the
    non-missing values of object columns.
    """

    name: str
    values: np.ndarray
    labels: list[str] | None = None
    source_dtype: str = "float"
    type_counts: dict[str, int] | None = None

    @property
    def kind(self) -> str:
        return NUMERIC if self.labels is None else CATEGORICAL

    def core(self) -> tuple:
        if self.labels is None:
            return (self.name, self.values)
        return (self.name, self.values, self.labels)

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class Frame:
    """Named columns of one length."""

    columns: list[Column]
    n_rows: int
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {c.name: i for i, c in enumerate(self.columns)}

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def column(self, name: str) -> Column:
        return self.columns[self._index[name]]

    def select(self, names: Iterable[str]) -> Frame:
        return Frame([self.column(n) for n in names], self.n_rows)

    def with_column(self, column: Column) -> Frame:
        if len(column) != self.n_rows:
            raise InvalidInputError(f"'{column.name}' has {len(column)} rows but the data has {self.n_rows}")
        if column.name in self._index:
            raise InvalidInputError(f"column name '{column.name}' is already in the data")
        return Frame([*self.columns, column], self.n_rows)

    def core_columns(self, names: Iterable[str] | None = None) -> list[tuple]:
        chosen = self.columns if names is None else [self.column(n) for n in names]
        return [c.core() for c in chosen]


def as_frame(data: Any, *, argument: str = "data", feature_names: Sequence[str] | None = None) -> Frame:
    """Turns a table-like object into a :class:`Frame`.

    Accepts numpy 2-D arrays (columns named ``feature_names`` or x0, x1, ...), mappings
    of name to 1-D array, pandas and polars DataFrames and pyarrow Tables. ``argument``
    names the input in error messages: every error starts with it (``X: column 'x0': ...``).
    """
    try:
        return _as_frame(data, argument, feature_names)
    except AssayError as error:
        raise _named(error, argument) from error


def _as_frame(data: Any, argument: str, feature_names: Sequence[str] | None) -> Frame:
    if isinstance(data, Frame):
        return data
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns") and hasattr(data, "dtypes"):
        columns = [_from_pandas(_column_name(name), data[name]) for name in _unique_names(data.columns, argument, data)]
        n_rows = len(data)
    elif module == "polars" and hasattr(data, "to_arrow"):
        return _as_frame(data.to_arrow(), argument, None)
    elif module == "pyarrow" and hasattr(data, "column_names"):
        columns = [_from_arrow(str(name), data.column(i)) for i, name in enumerate(data.column_names)]
        n_rows = data.num_rows
    elif isinstance(data, Mapping):
        columns = [_as_column(values, _column_name(name), argument) for name, values in data.items()]
        n_rows = len(columns[0]) if columns else 0
    else:
        array = _as_ndarray(data, argument)
        if array.ndim == 0:
            raise InvalidTypeError(
                f"{argument}: expected a table (a data frame, an Arrow table, a mapping of columns or a 2-D "
                f"array), got {type(data).__name__}"
            )
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise InvalidInputError(
                f"{argument}: expected a 2-D table (or one column), got an array of shape {array.shape}"
            )
        names = _feature_names(feature_names, array.shape[1], argument)
        if array.dtype.kind in "fiub" and array.dtype != np.float64 or not array.flags.f_contiguous:
            # One conversion to column-major float64 (for numeric input) so that every
            # column is a contiguous view.
            array = np.asfortranarray(array, dtype=np.float64 if array.dtype.kind in "fiub" else None)
        columns = [_from_array(name, array[:, j], argument) for j, name in enumerate(names)]
        n_rows = array.shape[0]
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        detail = ", ".join(f"'{c.name}': {len(c)}" for c in columns[:20])
        raise InvalidInputError(f"{argument}: columns differ in length ({detail})")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise InvalidInputError(f"{argument}: column names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return Frame(columns, n_rows)


def as_column(values: Any, *, name: str, argument: str | None = None) -> Column:
    """Turns one array-like (numpy, list, pandas Series, Arrow or polars array) into a Column.

    Errors name the column, and start with ``argument`` when it is given."""
    if argument is None or argument == name:
        return _as_column(values, name, name)
    try:
        return _as_column(values, name, argument)
    except AssayError as error:
        raise _named(error, argument) from error


def _named(error: AssayError, argument: str) -> AssayError:
    """The same error with its message starting with the argument it is about."""
    if str(error).startswith(f"{argument}:"):
        return error
    return type(error)(f"{argument}: {error}")


def _as_column(values: Any, name: str, argument: str) -> Column:
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and hasattr(values, "dtype"):
        return _from_pandas(name, values)
    if module == "polars" and hasattr(values, "to_arrow"):
        return _from_arrow(name, values.to_arrow())
    if module == "pyarrow":
        return _from_arrow(name, values)
    return _from_array(name, values, argument)


# --- helpers -------------------------------------------------------------------------


def _column_name(name: Any) -> str:
    return name if isinstance(name, str) else str(name)


def _unique_names(columns: Any, argument: str, data: Any) -> list:
    if getattr(columns, "nlevels", 1) > 1:
        raise InvalidTypeError(f"{argument}: columns with a MultiIndex are not supported; flatten them first")
    names = list(columns)
    as_text = [_column_name(n) for n in names]
    if len(set(as_text)) != len(as_text):
        repeated = sorted({n for n in as_text if as_text.count(n) > 1})
        raise InvalidInputError(f"{argument}: column names repeat (after conversion to text): {repeated}")
    return names


def _feature_names(feature_names: Sequence[str] | None, n: int, argument: str) -> list[str]:
    if feature_names is None:
        return [f"x{j}" for j in range(n)]
    if isinstance(feature_names, (str, bytes)):
        raise InvalidTypeError(f"feature_names: expected a list of names, got {type(feature_names).__name__}")
    names = [_column_name(f) for f in feature_names]
    if len(names) != n:
        raise InvalidInputError(f"feature_names has {len(names)} names but {argument} has {n} columns")
    return names


def _as_ndarray(data: Any, argument: str) -> np.ndarray:
    if np.ma.isMaskedArray(data):
        mask = np.ma.getmaskarray(data)
        if not mask.any():
            return np.asarray(data.data)
        if data.dtype.kind in "fiub":  # masked entries become NaN, in a copy
            filled = np.asarray(data.data, dtype=np.float64).copy()
        elif data.dtype.kind in "mM":  # NaT, keeping the unit
            filled = np.array(data.data, copy=True)
            filled[mask] = np.array("NaT", dtype=filled.dtype)
            return filled
        else:
            filled = np.asarray(data.data, dtype=object).copy()
        filled[mask] = np.nan if filled.dtype.kind == "f" else None
        return filled
    if isinstance(data, np.ndarray):
        return data
    if data is None:
        raise InvalidTypeError(f"{argument}: expected a table or an array, got None")
    try:
        return np.asarray(data)
    except Exception as error:  # numpy's message, with the argument named
        raise InvalidTypeError(f"{argument}: cannot read {type(data).__name__} as an array ({error})") from error


def _numeric(name: str, values: np.ndarray, source_dtype: str) -> Column:
    # No copy for native, contiguous float64 (the core only reads it); any other layout or
    # dtype is converted into a new array, never in place.
    array = np.ascontiguousarray(values, dtype=np.float64)
    return Column(name, array, None, source_dtype)


def _categorical(
    name: str, codes: np.ndarray, labels: Sequence[Any], source_dtype: str, type_counts: dict[str, int] | None = None
) -> Column:
    text = [str(label) for label in labels]
    if len(set(text)) != len(text):
        # Different values with the same text (1 and "1"): keep them apart.
        text = [repr(label) for label in labels]
    return Column(name, np.ascontiguousarray(codes, dtype=np.int32), text, source_dtype, type_counts)


def _from_array(name: str, values: Any, argument: str) -> Column:
    array = _as_ndarray(values, argument)
    if array.ndim != 1:
        raise InvalidInputError(f"column '{name}': expected a 1-D array, got shape {array.shape}")
    kind = array.dtype.kind
    if kind == "f":
        return _numeric(name, array, "float")
    if kind in "iu":
        return _numeric(name, array, "integer")
    if kind == "b":
        return _numeric(name, array, "bool")
    if kind == "M":
        return _numeric(name, _datetime_seconds(array), "datetime")
    if kind == "m":
        return _numeric(name, _timedelta_seconds(array), "timedelta")
    if kind in "US":
        uniques, codes = np.unique(array, return_inverse=True)
        return _categorical(name, codes, uniques.tolist(), "string")
    if kind == "O":
        return _factorize_objects(name, array)
    if kind == "c":
        raise InvalidTypeError(
            f"column '{name}': unsupported dtype {array.dtype} (complex values); pass the real part, "
            "the imaginary part or the magnitude as columns"
        )
    raise InvalidTypeError(f"column '{name}': unsupported dtype {array.dtype}")


# Seconds per unit of numpy's linear datetime / timedelta units.
_UNIT_SECONDS = {
    "W": 604800.0,
    "D": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "ns": 1e-9,
    "ps": 1e-12,
    "fs": 1e-15,
    "as": 1e-18,
}


def _time_seconds(array: np.ndarray) -> np.ndarray:
    """datetime64 (seconds since the epoch) or timedelta64 (seconds) as float64, NaT as NaN.

    Reads the integer count of the array's own unit and scales it in floating point, so no
    unit overflows (numpy's casts between units wrap around silently)."""
    unit, count = np.datetime_data(array.dtype)
    if unit == "generic":
        if not np.isnat(array).all():
            raise InvalidTypeError(f"unit-less {array.dtype} values cannot be converted to seconds")
        return np.full(array.shape, np.nan)
    if unit in ("Y", "M"):  # calendar units: through days (exact for any realistic year)
        array = array.astype(array.dtype.str[:3] + "[D]")
        unit, count = "D", 1
    nat = np.isnat(array)
    seconds = array.astype(np.int64).astype(np.float64) * (_UNIT_SECONDS[unit] * count)
    seconds[nat] = np.nan
    return seconds


def _datetime_seconds(array: np.ndarray) -> np.ndarray:
    return _time_seconds(np.asarray(array))


def _timedelta_seconds(array: np.ndarray) -> np.ndarray:
    return _time_seconds(np.asarray(array))


def _is_missing_object(values: np.ndarray) -> np.ndarray:
    """None, float NaN and pandas' NA/NaT count as missing in object columns."""
    try:
        import pandas as pd

        return np.asarray(pd.isna(values), dtype=bool)
    except ImportError:
        return np.fromiter((v is None or (isinstance(v, float) and v != v) for v in values), bool, len(values))


def _factorize_objects(name: str, values: np.ndarray) -> Column:
    missing = _is_missing_object(values)
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError as error:  # unhashable values such as dicts or lists
            raise InvalidTypeError(f"column '{name}': object values that cannot be hashed ({error})") from None
        uniques = list(uniques)
    else:
        present = values[~missing]
        try:
            uniques_array, inverse = np.unique(present, return_inverse=True)
        except (TypeError, ValueError):  # mixed types that do not compare: factorize by (type, text)
            keys = np.array([f"{type(v).__name__}:{v!r}" for v in present])
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            uniques_array = present[first]
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[~missing] = inverse
        uniques = list(uniques_array)
    codes = np.asarray(codes)
    type_names = [type(u).__name__ for u in uniques]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    type_counts: dict[str, int] = {}
    for type_name, count in zip(type_names, counts.tolist()):
        type_counts[type_name] = type_counts.get(type_name, 0) + count
    # Typed values held in an object array: numbers, datetimes and timedeltas are numeric
    # columns, as their typed arrays would be (checked over the distinct values only).
    if uniques and all(_is_real(u) for u in uniques):
        numbers_ = _object_numbers(name, uniques, _to_float)
        source = "integer" if all(isinstance(u, numbers.Integral) for u in uniques) else "float"
        return _from_codes(name, codes, numbers_, source)
    if uniques and all(isinstance(u, (_dt.date, np.datetime64)) for u in uniques):
        return _from_codes(name, codes, _object_numbers(name, uniques, _object_datetime_seconds), "datetime")
    if uniques and all(isinstance(u, (_dt.timedelta, np.timedelta64)) for u in uniques):
        return _from_codes(name, codes, _object_numbers(name, uniques, _object_timedelta_seconds), "timedelta")
    supported = (str, bytes, bool, int, float, np.generic)
    if any(not isinstance(u, supported) or isinstance(u, (np.complexfloating, complex)) for u in uniques):
        unsupported = sorted(
            {
                t
                for t, u in zip(type_names, uniques)
                if not isinstance(u, supported) or isinstance(u, (np.complexfloating, complex))
            }
        )
        raise InvalidTypeError(f"column '{name}': object values of type {', '.join(unsupported)} are not supported")
    return _categorical(name, codes, uniques, "string" if set(type_counts) <= {"str"} else "object", type_counts)


_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _is_real(u: Any) -> bool:
    return isinstance(u, (numbers.Real, decimal.Decimal)) and not isinstance(u, (bool, np.bool_))


def _to_float(u: Any) -> float:
    """float(u), refusing finite numbers beyond float64 (Decimal('1e400') would become inf)."""
    x = float(u)
    if math.isinf(x) and not (
        isinstance(u, (float, np.floating)) or (isinstance(u, decimal.Decimal) and u.is_infinite())
    ):
        raise OverflowError
    return x


def _object_numbers(name: str, uniques: Sequence[Any], convert: Any) -> np.ndarray:
    try:
        return np.array([convert(u) for u in uniques], dtype=np.float64)
    except OverflowError:
        raise InvalidInputError(f"column '{name}': a value is beyond the range of float64") from None
    except (TypeError, ValueError) as error:
        raise InvalidTypeError(f"column '{name}': values that cannot be read as numbers ({error})") from None


def _object_datetime_seconds(u: Any) -> float:
    if isinstance(u, np.datetime64):
        return float(_time_seconds(np.array([u]))[0])
    if not isinstance(u, _dt.datetime):  # a date: midnight
        return float((u - _EPOCH.date()).days) * 86400.0
    if u.tzinfo is None:
        return (u - _EPOCH).total_seconds()
    return (u - _EPOCH_UTC).total_seconds()


def _object_timedelta_seconds(u: Any) -> float:
    if isinstance(u, np.timedelta64):
        return float(_time_seconds(np.array([u]))[0])
    return u.total_seconds()


def _from_codes(name: str, codes: np.ndarray, values: np.ndarray, source: str) -> Column:
    """A numeric column from factorized codes (-1 missing) and the value of each code."""
    out = np.full(len(codes), np.nan)
    present = codes >= 0
    out[present] = values[codes[present]]
    return Column(name, out, None, source)


def _from_pandas(name: str, series: Any) -> Column:
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical(name, series.cat.codes.to_numpy(), dtype.categories.tolist(), "category")
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _numeric(
            name, _datetime_seconds(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()), "datetime"
        )
    if pd.api.types.is_bool_dtype(dtype):
        return _numeric(name, series.to_numpy(dtype=np.float64, na_value=np.nan), "bool")
    if pd.api.types.is_integer_dtype(dtype):
        return _numeric(name, series.to_numpy(dtype=np.float64, na_value=np.nan), "integer")
    if dtype == np.float64:
        return _numeric(name, series.to_numpy(), "float")  # zero-copy when contiguous
    if pd.api.types.is_float_dtype(dtype):
        return _numeric(name, series.to_numpy(dtype=np.float64, na_value=np.nan), "float")
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return _categorical(name, codes, uniques.tolist(), "string")
    if isinstance(dtype, np.dtype):  # complex, datetime64, timedelta64, object: one set of rules
        return _from_array(name, series.to_numpy(), name)
    raise InvalidTypeError(f"column '{name}': unsupported dtype {dtype}")


def _from_arrow(name: str, array: Any) -> Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    kind = array.type
    if pa.types.is_dictionary(kind):
        indices = pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False)
        return _categorical(name, indices, array.dictionary.to_pylist(), "category")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        encoded = pc.dictionary_encode(array)
        indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return _categorical(name, indices, encoded.dictionary.to_pylist(), "string")
    if pa.types.is_null(kind):  # every value missing
        return _numeric(name, np.full(len(array), np.nan), "float")
    # safe=False: integers beyond 2**53 become the nearest float64 (Arrow's safe cast refuses).
    if pa.types.is_boolean(kind):
        return _numeric(name, _arrow_to_float(pc.cast(array, pa.float64(), safe=False)), "bool")
    if pa.types.is_integer(kind):
        return _numeric(name, _arrow_to_float(pc.cast(array, pa.float64(), safe=False)), "integer")
    if pa.types.is_floating(kind):
        return _numeric(name, _arrow_to_float(pc.cast(array, pa.float64())), "float")
    if pa.types.is_decimal(kind):
        return _numeric(name, _arrow_to_float(pc.cast(array, pa.float64(), safe=False)), "float")
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_duration(kind):
        # The integer count of the type's own unit (dates: days or milliseconds), scaled in
        # floating point: no unit overflows; time zones are UTC instants already.
        if pa.types.is_date32(kind):
            unit = "D"
        elif pa.types.is_date64(kind):
            unit = "ms"
        else:
            unit = kind.unit
        integers = array.view(pa.int32() if pa.types.is_date32(kind) else pa.int64())
        counts = pc.fill_null(pc.cast(integers, pa.int64()), np.iinfo(np.int64).min).to_numpy(zero_copy_only=False)
        letter = "m" if pa.types.is_duration(kind) else "M"
        values = counts.astype(np.int64).view(f"{letter}8[{unit}]")
        return _numeric(name, _time_seconds(values), "timedelta" if letter == "m" else "datetime")
    raise InvalidTypeError(f"column '{name}': unsupported Arrow type {kind}")


def _arrow_to_float(array: Any) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.fill_null(array, float("nan")).to_numpy(zero_copy_only=False)
