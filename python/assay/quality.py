"""Data quality: column profiles and checks with pass/fail gates.

[`profile`][assay.quality.profile] describes every column of a table; profiles merge
and round-trip through JSON. [`check`][assay.quality.check] returns a
[`QualityReport`][assay.quality.QualityReport] of findings (missing values, outliers,
constant and high-cardinality columns, duplicates, class imbalance, conflicting labels,
target leakage, train/test overlap, unseen categories and declarative rules). The
statistics and checks run in the C++ core; this module converts inputs, renders results
and evaluates the two rules that need Python type information (``dtype`` and mixed types
in object columns).

Examples
--------
>>> import numpy as np
>>> from assay import quality
>>> data = {"age": np.array([23.0, 35.0, np.nan, 51.0]), "plan": np.array(["basic", "pro", "basic", "pro"])}
>>> quality.profile(data)["age"]["missing"]
1
>>> quality.check(data, rules={"age": {"max": 50}}).passed
False
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import report
from ._core import quality as _core_quality
from ._fingerprint import as_dict as fingerprint_dict
from ._frame import CATEGORICAL, Frame, _object_datetime_seconds, _object_timedelta_seconds, as_column, as_frame
from ._progress import progress_callback
from ._results import Exportable, nan_if_none
from ._util import json_safe, n_jobs_arg
from .errors import AssayError, CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError
from .typing import ArrayLike, NJobs, Progress, TableLike

__all__ = ["profile", "check", "leakage_scores", "Profile", "QualityReport", "Finding", "RULE_KEYS", "SEVERITIES"]

PROFILE_QUANTILES: tuple[float, ...] = tuple(_core_quality.PROFILE_QUANTILES)
"""The probabilities at which a numeric column profile gives quantiles (0.01 to 0.99)."""

SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
"""The severities of a [`Finding`][assay.quality.Finding], least severe first."""

RULE_KEYS: tuple[str, ...] = ("dtype", "nullable", "min", "max", "allowed", "unique", "max_missing")
"""The keys a column rule of [`check`][assay.quality.check] may hold."""

DTYPE_NAMES: dict[str, set[str]] = {
    "numeric": {"float", "integer", "bool"},
    "float": {"float"},
    "integer": {"integer"},
    "bool": {"bool"},
    "datetime": {"datetime"},
    "timedelta": {"timedelta"},
    "categorical": {"category", "string", "object"},
    "category": {"category"},
    "string": {"string"},
    "object": {"object"},
}
"""The values of a rule's ``dtype`` key, each with the column types it accepts."""
# Version 2 stores the power-of-two `scale` of the moments (the sum of squared deviations is
# m2 * scale**2) and the sum of x / scale as a double-double; version 3 adds the profile's mode
# (`exact`), a sketch-mode profile's state (`sketch`, base64 of its bytes) and each value
# table's `values_count_error`. Versions 1 and 2 are still read.
_PROFILE_FORMAT = 3
_PROFILE_FORMATS = (1, 2, 3)
# Value tables never hold more entries than distinct values, so a larger limit means "all".
_MAX_TRACKED_VALUES = 2**62


def _positive_int(value: Any, name: str) -> int:
    """A positive integer argument (Python or numpy integer, not bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
    value = int(value)
    if value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value}")
    return value


def _profile_options(histogram_bins: Any, tracked_values: Any, exact: Any = True) -> _core_quality.ProfileOptions:
    if not isinstance(exact, (bool, np.bool_)):
        raise InvalidTypeError(f"exact must be True or False, got {exact!r}")
    histogram_bins = _positive_int(histogram_bins, "histogram_bins")
    tracked_values = _positive_int(tracked_values, "tracked_values")
    limit = _core_quality.MAX_HISTOGRAM_BINS
    if histogram_bins > limit:
        raise ResourceLimitError(f"histogram_bins = {histogram_bins} is beyond the limit of {limit} bins per column")
    options = _core_quality.ProfileOptions()
    options.histogram_bins = histogram_bins
    options.tracked_values = min(tracked_values, _MAX_TRACKED_VALUES)
    options.exact = bool(exact)
    return options


# --- profiles ------------------------------------------------------------------------


class Profile:
    """Per-column statistics of a table, as made by [`profile`][assay.quality.profile].

    ``profile[name]`` gives one column's statistics as a dict (see
    [`profile`][assay.quality.profile] for its keys); a name that is not a column raises
    ``KeyError``. ``len(profile)`` is the number of columns and ``name in profile`` tests
    for one. Counts, extremes, mean and standard deviation are exact, also after
    [`merge`][assay.quality.Profile.merge]; distinct counts, quantiles, histograms and
    value tables are exact when computed from data and sketch estimates after a merge
    (see the ``*_exact`` flags and ``quantile_rank_error``). A profile of the one-pass
    sketch mode (``exact=False``) says so in [`exact`][assay.quality.Profile.exact].

    Parameters
    ----------
    table : assay._core_quality.TableProfile
        The core's statistics of every column (internal: make a profile with
        [`profile`][assay.quality.profile] or [`from_dict`][assay.quality.Profile.from_dict]).
    options : assay._core_quality.ProfileOptions
        The histogram and value-table sizes the statistics were made with.
    sketch : assay._core_quality.TableSketch or None, default None
        The one-pass state of a sketch-mode profile, which merges keeping every bound.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import quality
    >>> p = quality.profile({"x": np.array([1.0, 2.0, 2.0, np.nan])})
    >>> len(p), "x" in p, p["x"]["count"], p["x"]["missing"]
    (1, True, 4, 1)
    """

    def __init__(
        self,
        table: _core_quality.TableProfile,
        options: _core_quality.ProfileOptions,
        sketch: _core_quality.TableSketch | None = None,
    ):
        self._table = table
        self._options = options
        self._sketch = sketch
        profiles: list[_core_quality.NumericProfile | _core_quality.CategoricalProfile] = [
            *table.numeric,
            *table.categorical,
        ]
        self._columns = {p.name: p for p in profiles}

    @property
    def exact(self) -> bool:
        """True for the exact profile; False for the one-pass sketch mode (``exact=False``) or
        a merge with such a profile."""
        return bool(self._table.exact)

    @property
    def columns(self) -> list[str]:
        """The profiled column names, in the table's order."""
        return list(self._table.column_order)

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self._columns:
            raise KeyError(f"no column '{name}' in the profile")
        return _column_dict(self._columns[name])

    def merge(self, other: Profile) -> Profile:
        """Profile of this data and ``other``'s together.

        The merged profile keeps this profile's options. Counts, extremes and moments stay
        exact; distinct counts, quantiles, histograms and value tables become sketch
        estimates (their ``*_exact`` flags say so).

        Parameters
        ----------
        other : Profile
            A profile of the same columns with the same kinds (numeric or categorical),
            e.g. of another batch of rows.

        Returns
        -------
        Profile
            A new profile; neither input changes.

        Raises
        ------
        InvalidTypeError
            ``other`` is not a Profile.
        InvalidInputError
            The profiles differ in their columns or in a column's kind; the message names
            the column.

        Examples
        --------
        >>> import numpy as np
        >>> from assay import quality
        >>> monday = quality.profile({"x": np.array([1.0, 2.0, 3.0])})
        >>> tuesday = quality.profile({"x": np.array([4.0, 5.0])})
        >>> both = monday.merge(tuesday)
        >>> both["x"]["count"], both["x"]["max"], both["x"]["mean"]
        (5, 5.0, 3.0)
        """
        if not isinstance(other, Profile):
            raise InvalidTypeError(f"other: expected a Profile, got {type(other).__name__}")
        if self._sketch is not None and other._sketch is not None:
            sketch = _core_quality.merge_sketches(self._sketch, other._sketch)
            return Profile(_core_quality.sketch_profile(sketch, self._options), self._options, sketch)
        return Profile(_core_quality.merge_profiles(self._table, other._table, self._options), self._options)

    def to_dict(self) -> dict[str, Any]:
        """The whole profile, sketches included, as a JSON-safe dict.

        Returns
        -------
        dict
            ``{"format", "options", "columns"}`` with NaN stored as None;
            [`from_dict`][assay.quality.Profile.from_dict] reads it back exactly.

        Examples
        --------
        >>> import numpy as np
        >>> from assay import quality
        >>> state = quality.profile({"x": np.array([1.0, 2.0])}).to_dict()
        >>> quality.Profile.from_dict(state)["x"]["mean"]
        1.5
        """
        state = {
            "format": _PROFILE_FORMAT,
            "exact": self.exact,
            "options": {
                "histogram_bins": self._options.histogram_bins,
                "tracked_values": self._options.tracked_values,
            },
            "columns": [_column_state(self._columns[name]) for name in self.columns],
        }
        if self._sketch is not None:
            state["sketch"] = base64.b64encode(self._sketch.to_bytes()).decode("ascii")
        return state

    def to_json(self, **kwargs: Any) -> str:
        """The profile as JSON text (the dict of [`to_dict`][assay.quality.Profile.to_dict]).

        Parameters
        ----------
        **kwargs : Any
            Passed to ``json.dumps`` (e.g. ``indent=2``).

        Returns
        -------
        str
            Strict JSON (no NaN or Infinity literals) that
            [`from_json`][assay.quality.Profile.from_json] reads back exactly.

        Examples
        --------
        >>> import numpy as np
        >>> from assay import quality
        >>> text = quality.profile({"x": np.array([1.0, np.nan])}).to_json()
        >>> quality.Profile.from_json(text)["x"]["missing"]
        1
        """
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Profile:
        """The profile that [`to_dict`][assay.quality.Profile.to_dict] wrote.

        Parameters
        ----------
        state : Mapping[str, Any]
            A dict of [`to_dict`][assay.quality.Profile.to_dict], of this format version or
            an earlier one.

        Returns
        -------
        Profile
            The profile, equal to the one that was saved.

        Raises
        ------
        CorruptedStateError
            ``state`` is not such a dict, is of another format version, or has fields that
            are missing, mistyped or inconsistent; the message names the column and field.
        """
        if not isinstance(state, Mapping):
            raise CorruptedStateError(f"profile state: expected a dict, got {type(state).__name__}")
        version = state.get("format")
        if isinstance(version, bool) or version not in _PROFILE_FORMATS:
            raise CorruptedStateError(
                f"profile state: format {version!r} is not an assay profile format "
                f"(this version reads {', '.join(map(str, _PROFILE_FORMATS))})"
            )
        where = "options"
        try:
            stored = state["options"]
            if not isinstance(stored, Mapping) or set(stored) != {"histogram_bins", "tracked_values"}:
                raise CorruptedStateError("expected histogram_bins and tracked_values")
            options = _profile_options(stored["histogram_bins"], stored["tracked_values"])
            columns = state["columns"]
            if not isinstance(columns, list):
                raise CorruptedStateError(f"expected a list, got {type(columns).__name__}")
            numeric: list[_core_quality.NumericProfile] = []
            categorical: list[_core_quality.CategoricalProfile] = []
            for k, column in enumerate(columns):
                where = f"column {k}"
                if not isinstance(column, Mapping) or column.get("kind") not in ("numeric", "categorical"):
                    raise CorruptedStateError("expected a dict with kind 'numeric' or 'categorical'")
                where = f"column {k} ({column.get('name')!r})"
                if column["kind"] == "numeric":
                    numeric.append(_restore_numeric(column, version))
                else:
                    categorical.append(_restore_categorical(column))
            where = "columns"
            table = _core_quality.TableProfile()
            table.numeric = numeric
            table.categorical = categorical
            table.column_order = [c["name"] for c in columns]
            exact = state.get("exact", True)
            if not isinstance(exact, bool):
                raise CorruptedStateError(f"exact: expected true or false, got {exact!r}")
            table.exact = exact
            _core_quality.validate_profile(table)
            sketch = None
            if "sketch" in state:
                where = "sketch"
                sketch = _core_quality.TableSketch.from_bytes(base64.b64decode(state["sketch"], validate=True))
                options.exact = False
                table = _core_quality.sketch_profile(sketch, options)
        except CorruptedStateError as error:
            raise CorruptedStateError(f"profile state: {where}: {error}") from None
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError, binascii.Error) as error:
            problem = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            raise CorruptedStateError(f"profile state: {where}: {problem}") from None
        return cls(table, options, sketch)

    @classmethod
    def from_json(cls, text: str | bytes | bytearray) -> Profile:
        """The profile that [`to_json`][assay.quality.Profile.to_json] wrote.

        Parameters
        ----------
        text : str or bytes or bytearray
            The JSON text (bytes in UTF-8, UTF-16 or UTF-32).

        Returns
        -------
        Profile
            The profile, equal to the one that was saved.

        Raises
        ------
        InvalidTypeError
            ``text`` is not a str, bytes or bytearray.
        CorruptedStateError
            The text is not valid JSON, or is JSON that is not a profile (see
            [`from_dict`][assay.quality.Profile.from_dict]).
        """
        if not isinstance(text, (str, bytes, bytearray)):
            raise InvalidTypeError(f"text: expected the JSON text as str or bytes, got {type(text).__name__}")
        try:
            state = json.loads(text)
        except (ValueError, RecursionError) as error:  # JSONDecodeError and bad encodings
            raise CorruptedStateError(f"profile JSON: cannot decode ({error})") from None
        return cls.from_dict(state)

    def to_frame(self) -> Any:
        """The statistics as a table, one row per column (needs pandas).

        Returns
        -------
        pandas.DataFrame
            Indexed by column name; the scalar statistics of
            [`profile`][assay.quality.profile] as columns, the quantiles as ``q01`` to
            ``q99`` (histograms and value tables are left out).

        Examples
        --------
        >>> import numpy as np
        >>> from assay import quality
        >>> frame = quality.profile({"x": np.array([1.0, 2.0, 3.0])}).to_frame()
        >>> float(frame.loc["x", "q50"])
        2.0
        """
        import pandas as pd

        rows = [self[name] for name in self.columns]
        for row in rows:
            for key in ("histogram", "values"):
                row.pop(key, None)
            quantiles = row.pop("quantiles", None) or {}
            row.update({f"q{int(round(100 * p)):02d}": q for p, q in quantiles.items()})
        return pd.DataFrame(rows).set_index("name")

    def _repr_html_(self) -> str:
        return report.render_fragment("assay profile", [_profile_section(self)])

    def __repr__(self) -> str:
        return f"<assay Profile: {len(self)} columns, {self._rows()} rows>"

    def _rows(self) -> int:
        return self[self.columns[0]]["count"] if self.columns else 0


def _column_dict(p: _core_quality.NumericProfile | _core_quality.CategoricalProfile) -> dict[str, Any]:
    """The user-facing statistics of one column profile."""
    if isinstance(p, _core_quality.NumericProfile):
        finite = p.count - p.missing - p.infinities
        return {
            "name": p.name,
            "kind": "numeric",
            "count": p.count,
            "missing": p.missing,
            "distinct": p.distinct,
            "distinct_exact": p.distinct_exact,
            "min": p.min,
            "max": p.max,
            "mean": p.mean,
            "std": p.std if finite > 1 else math.nan,
            "zeros": p.zeros,
            "negatives": p.negatives,
            "infinities": p.infinities,
            "quantiles": dict(zip(PROFILE_QUANTILES, p.quantiles)),
            "quantiles_exact": p.quantiles_exact,
            "quantile_rank_error": p.summary.rank_error,
            "histogram": {
                "edges": list(p.histogram_edges),
                "counts": list(p.histogram_counts),
                "exact": p.histogram_exact,
            },
            "values": [(v, c) for v, c in p.values],
            "values_exact": p.values_complete,
            "values_count_error": p.values_count_error,
        }
    return {
        "name": p.name,
        "kind": "categorical",
        "count": p.count,
        "missing": p.missing,
        "distinct": p.distinct,
        "distinct_exact": p.distinct_exact,
        "values": [(v, c) for v, c in p.values],
        "values_exact": p.values_complete,
        "values_count_error": p.values_count_error,
    }


def _column_state(p: _core_quality.NumericProfile | _core_quality.CategoricalProfile) -> dict[str, Any]:
    """Everything needed to rebuild a column profile (sketches included), JSON-safe."""
    state: dict[str, Any] = {
        "name": p.name,
        "kind": "numeric" if isinstance(p, _core_quality.NumericProfile) else "categorical",
        "count": p.count,
        "missing": p.missing,
        "distinct": p.distinct,
        "distinct_exact": p.distinct_exact,
        "values": [[json_safe(v), c] for v, c in p.values],
        "values_complete": p.values_complete,
        "values_count_error": p.values_count_error,
        "hll": base64.b64encode(p.distinct_sketch.registers).decode("ascii"),
    }
    if isinstance(p, _core_quality.NumericProfile):
        # Infinite values in a value table are stored as strings, which JSON allows.
        state["values"] = [[_encode_float(v), c] for v, c in p.values]
        state.update(
            infinities=p.infinities,
            zeros=p.zeros,
            negatives=p.negatives,
            min=json_safe(p.min),
            max=json_safe(p.max),
            mean=json_safe(p.mean),
            m2=p.m2,
            scale=p.scale,
            sum=[p.sum, p.sum_low],
            quantiles=json_safe(list(p.quantiles)),
            quantiles_exact=p.quantiles_exact,
            histogram_edges=list(p.histogram_edges),
            histogram_counts=list(p.histogram_counts),
            histogram_exact=p.histogram_exact,
            summary={
                "values": list(p.summary.values),
                "weights": list(p.summary.weights),
                "rank_error": p.summary.rank_error,
                "capacity": p.summary.capacity,
            },
        )
    return state


def _state_number(v: Any, key: str) -> float:
    """A statistic of a stored state: a JSON number, or null for NaN."""
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CorruptedStateError(f"{key}: expected a number or null, got {v!r}")
    return float(v)


def _state_float(v: Any) -> float:
    """A value-table number of a stored state: a JSON number or 'inf' / '-inf'."""
    if v in ("inf", "-inf"):
        return float(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CorruptedStateError(f"value table: expected a number, got {v!r}")
    return float(v)


def _encode_float(x: float) -> float | str:
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _restore_common(
    p: _core_quality.NumericProfile | _core_quality.CategoricalProfile, state: Mapping[str, Any]
) -> None:
    """The fields numeric and categorical column profiles share."""
    p.name = state["name"]
    for key in ("count", "missing", "distinct", "distinct_exact", "values_complete"):
        setattr(p, key, state[key])
    p.distinct_sketch = _core_quality.HyperLogLog.from_registers(base64.b64decode(state["hll"]))


def _restore_count_error(
    p: _core_quality.NumericProfile | _core_quality.CategoricalProfile, state: Mapping[str, Any]
) -> None:
    """The value table's count_error; before format 3, the bound a truncated exact table has
    (its smallest count; every row when it lists nothing)."""
    if "values_count_error" in state:
        p.values_count_error = state["values_count_error"]
    elif not p.values_complete:
        counts = [c for _, c in p.values]
        p.values_count_error = min(counts) if counts else p.count - p.missing


def _restore_categorical(state: Mapping[str, Any]) -> _core_quality.CategoricalProfile:
    p = _core_quality.CategoricalProfile()
    _restore_common(p, state)
    if any(not isinstance(v, str) for v, _ in state["values"]):
        raise CorruptedStateError("value table: categorical values must be strings")
    p.values = [(v, c) for v, c in state["values"]]
    _restore_count_error(p, state)
    return p


def _restore_numeric(state: Mapping[str, Any], version: int) -> _core_quality.NumericProfile:
    p = _core_quality.NumericProfile()
    _restore_common(p, state)
    p.values = [(_state_float(v), c) for v, c in state["values"]]
    _restore_count_error(p, state)
    for key in (
        "infinities",
        "zeros",
        "negatives",
        "m2",
        "quantiles_exact",
        "histogram_edges",
        "histogram_counts",
        "histogram_exact",
    ):
        setattr(p, key, state[key])
    for key in ("min", "max", "mean"):
        setattr(p, key, _state_number(state[key], key))
    if version >= 2:
        p.scale = state["scale"]
        p.sum, p.sum_low = state["sum"]
    else:  # format 1: no scale, the sum from the mean (which format 1 did not clamp to [min, max])
        finite = p.count - p.missing - p.infinities
        if finite > 0 and p.min <= p.max:
            p.mean = min(max(p.mean, p.min), p.max)
        p.scale, p.sum, p.sum_low = 1.0, (p.mean * finite if finite > 0 else 0.0), 0.0
    p.quantiles = [_state_number(q, "quantiles") for q in state["quantiles"]]
    summary = state["summary"]
    p.summary = _core_quality.QuantileSummary.from_points(
        summary["values"], summary["weights"], summary["rank_error"], summary["capacity"]
    )
    return p


def profile(
    data: TableLike,
    *,
    histogram_bins: int = 20,
    tracked_values: int = 64,
    exact: bool = True,
    n_jobs: NJobs = None,
) -> Profile:
    """Profiles every column of ``data``.

    Numeric columns: ``count``, ``missing`` (NaN), ``distinct``, ``min``, ``max``,
    ``mean``, ``std`` (ddof=1), ``zeros``, ``negatives``, ``infinities``, ``quantiles`` at
    1, 5, 25, 50, 75, 95 and 99 % (numpy's linear interpolation), an equal-width
    ``histogram`` and the most frequent ``values``. Moments, extremes and quantiles are
    over finite values; infinities are counted. Categorical columns (strings, objects,
    categoricals): ``count``, ``missing``, ``distinct`` and the most frequent ``values``.
    Every statistic computed from data is exact (see the data quality guide), unless
    ``exact=False``.

    Parameters
    ----------
    data : TableLike
        The table: a 2-D numpy array, a mapping of column names to 1-D arrays, a pandas
        or polars DataFrame or a pyarrow Table.
    histogram_bins : int, default 20
        Equal-width bins of each numeric column's histogram, at most 2**20.
    tracked_values : int, default 64
        How many of the most frequent values each column keeps, with their counts.
    exact : bool, default True
        False: the one-pass sketch mode. Each column is read once without being ordered;
        counts, extremes, mean and standard deviation stay exact, quantiles, histograms,
        distinct counts and value tables become estimates with stated bounds
        (``quantile_rank_error``, ``values_count_error``; see the data quality guide), and
        the profile merges keeping those bounds.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.

    Returns
    -------
    Profile
        ``profile[name]`` is a dict of the column's statistics; ``profile.exact`` says which
        mode made it.

    Raises
    ------
    InvalidTypeError
        ``data`` is not a table, or a column holds values of an unsupported type
        (complex numbers, nested lists); the message names the column; ``exact`` is not a
        bool.
    InvalidInputError
        ``histogram_bins`` or ``tracked_values`` is not a positive integer, ``n_jobs`` is
        out of range, or the columns have different lengths.
    ResourceLimitError
        ``histogram_bins`` is above 2**20.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import quality
    >>> p = quality.profile({"age": np.array([23.0, 35.0, np.nan, 51.0, 35.0])})
    >>> p["age"]["count"], p["age"]["missing"], p["age"]["distinct"], p["age"]["mean"]
    (5, 1, 3, 36.0)
    >>> p["age"]["quantiles"][0.5]
    35.0
    >>> q = quality.profile({"x": np.arange(100_000.0)}, exact=False)
    >>> q.exact, q["x"]["mean"], q["x"]["quantiles_exact"], q["x"]["quantile_rank_error"] < 0.01
    (False, 49999.5, False, True)
    """
    frame = as_frame(data)
    options = _profile_options(histogram_bins, tracked_values, exact)
    if exact:
        return Profile(_core_quality.profile(frame.core_columns(), options, n_jobs_arg(n_jobs)), options)
    sketch = _core_quality.sketch(frame.core_columns(), options, n_jobs_arg(n_jobs))
    return Profile(_core_quality.sketch_profile(sketch, options), options, sketch)


# --- checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing a check of [`check`][assay.quality.check] found.

    The fields are also the attributes.

    Parameters
    ----------
    check : str
        The check's name, e.g. ``"missing"``, ``"outliers_iqr"``, ``"target_leakage"`` or
        ``"rule_max"`` (the data quality guide lists them).
    column : str or None
        The column the finding is about; None for the whole table (e.g. duplicate rows).
    severity : str
        One of [`SEVERITIES`][assay.quality.SEVERITIES]: ``"info"``, ``"warning"`` or
        ``"error"``.
    value : float
        The measured value (a rate, a count, a score); NaN when the check measures none.
    threshold : float
        The threshold the value was compared with; NaN when there is none.
    message : str
        A sentence that explains the finding.
    rows : tuple of int, default ()
        Up to ``max_examples`` (5 by default) example rows, as 0-based positions.
    lower, upper : float, default NaN
        One-sided confidence bounds, each at the ``leakage_confidence`` level, of the
        out-of-sample score of a ``target_leakage`` finding (``value`` is the in-sample
        score); NaN for the other checks.
    """

    check: str
    column: str | None
    severity: str
    value: float
    threshold: float
    message: str
    rows: tuple[int, ...] = ()
    lower: float = math.nan
    upper: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-safe dict.

        Returns
        -------
        dict
            The fields by name; NaN as None and ``rows`` as a list.
        """
        return json_safe(
            {
                "check": self.check,
                "column": self.column,
                "severity": self.severity,
                "value": self.value,
                "threshold": self.threshold,
                "message": self.message,
                "rows": list(self.rows),
                "lower": self.lower,
                "upper": self.upper,
            }
        )


@dataclass
class QualityReport(Exportable):
    """The result of [`check`][assay.quality.check]: findings and a pass/fail verdict.

    [`passed`][assay.quality.QualityReport.passed] is False when any finding is at least
    as severe as ``fail_on`` ('error' by default). In a notebook the report shows as an
    HTML table; [`summary`][assay.quality.QualityReport.summary] is a text version for logs;
    ``to_json()`` / ``QualityReport.from_json()`` write and read it and ``to_html()`` gives a
    standalone page. The fields are also the attributes.

    Parameters
    ----------
    findings : list of Finding
        What the checks found, most severe first.
    profile : Profile
        The profile of the checked data (target column included).
    n_rows : int
        Rows of the checked data.
    fail_on : str, default 'error'
        The least severe finding that fails the report: ``"error"`` or ``"warning"``.
    inputs : dict, default {}
        What was checked besides the data: the ``target`` column name and the
        ``reference_rows``.
    fingerprint : dict or None, default None
        The checked data's content fingerprint (target column included), which does not
        depend on the order of the rows: ``method``, ``rows``, ``columns``, ``sum`` and
        ``xor`` (16 hexadecimal digits each) and ``value`` (the two joined). The core folds
        it from the row hashes the duplicate-rows check uses. None for a report read from
        JSON written before reports carried it.
    measures : list of dict, default []
        Every check's value for every column it applies to (and the table's checks, with
        ``column`` None), flagged or not: ``check``, ``column``, ``value`` (the quantity the
        check's finding carries: a rate, a share or a count; NaN when undefined, with the
        reason in ``note``), ``lower`` and ``upper`` (the leakage score's bounds, else NaN).
        What a gate compares for every column (the audit reads them); the core computes
        them in the same pass as the findings. The data quality guide lists them.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import quality
    >>> data = {"age": np.array([23.0, 35.0, np.nan, 51.0, 35.0])}
    >>> report = quality.check(data, rules={"age": {"max": 50}})
    >>> report.passed
    False
    >>> [(f.check, f.severity) for f in report.findings]
    [('rule_max', 'error'), ('missing', 'warning'), ('outliers_iqr', 'warning'), ('duplicate_rows', 'warning')]
    >>> print(report.summary())
    assay quality: FAILED (1 error, 3 warning, 0 info) on 5 rows x 1 columns
      [error  ] rule_max             age: 1 values above the maximum 50
    ...
    """

    findings: list[Finding]
    profile: Profile
    n_rows: int
    fail_on: str = "error"
    inputs: dict[str, Any] = field(default_factory=dict)
    fingerprint: dict[str, Any] | None = None
    measures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """False when a finding is at least as severe as ``fail_on``, else True."""
        level = SEVERITIES.index(self.fail_on)
        return not any(SEVERITIES.index(f.severity) >= level for f in self.findings)

    def by_severity(self, severity: str) -> list[Finding]:
        """The findings of one severity.

        Parameters
        ----------
        severity : str
            ``"info"``, ``"warning"`` or ``"error"``; any other string matches nothing.

        Returns
        -------
        list of Finding
            In the report's order.
        """
        return [f for f in self.findings if f.severity == severity]

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-safe dict (the CLI's ``--json`` output).

        Returns
        -------
        dict
            ``passed``, ``fail_on``, ``n_rows``, ``n_columns``, ``inputs``, ``counts`` by
            severity, ``findings`` (dicts of [`Finding.to_dict`][assay.quality.Finding.to_dict]),
            ``profile`` (the dict of [`Profile.to_dict`][assay.quality.Profile.to_dict]),
            ``fingerprint`` and ``measures`` (NaN written as null).
        """
        return {
            "passed": self.passed,
            "fail_on": self.fail_on,
            "n_rows": self.n_rows,
            "n_columns": len(self.profile),
            "inputs": json_safe(self.inputs),
            "counts": {s: len(self.by_severity(s)) for s in SEVERITIES},
            "findings": [f.to_dict() for f in self.findings],
            "profile": self.profile.to_dict(),
            "fingerprint": None if self.fingerprint is None else dict(self.fingerprint),
            "measures": json_safe(self.measures),
        }

    _kind = "QualityReport"
    _title = "assay quality report"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> QualityReport:
        findings = [
            Finding(
                check=f["check"],
                column=f["column"],
                severity=f["severity"],
                value=nan_if_none(f["value"]),
                threshold=nan_if_none(f["threshold"]),
                message=f["message"],
                rows=tuple(int(r) for r in f["rows"]),
                lower=nan_if_none(f.get("lower")),
                upper=nan_if_none(f.get("upper")),
            )
            for f in data["findings"]
        ]
        if any(f.severity not in SEVERITIES for f in findings) or data["fail_on"] not in SEVERITIES:
            raise ValueError(f"a severity that is not one of {SEVERITIES}")
        return cls(
            findings,
            Profile.from_dict(data["profile"]),
            int(data["n_rows"]),
            data["fail_on"],
            data["inputs"],
            data.get("fingerprint"),
            [{**m, **{k: nan_if_none(m[k]) for k in ("value", "lower", "upper")}} for m in data.get("measures", [])],
        )

    def _tiles(self) -> list[report.Tile]:
        return _report_tiles(self)

    def _sections(self) -> list[report.Section]:
        return _report_sections(self)

    def to_frame(self) -> Any:
        """The findings as a table, one row per finding (needs pandas).

        Returns
        -------
        pandas.DataFrame
            Columns ``check``, ``column``, ``severity``, ``value``, ``threshold``,
            ``message``, ``rows``, ``lower`` and ``upper``.
        """
        import pandas as pd

        columns = ["check", "column", "severity", "value", "threshold", "message", "rows", "lower", "upper"]
        return pd.DataFrame([[getattr(f, c) for c in columns] for f in self.findings], columns=columns)

    def summary(self) -> str:
        """A text summary: the verdict and one line per finding.

        Returns
        -------
        str
            Lines ``[severity] check column: message``, most severe first.
        """
        counts = ", ".join(f"{len(self.by_severity(s))} {s}" for s in reversed(SEVERITIES))
        status = "PASSED" if self.passed else "FAILED"
        mode = "" if self.profile.exact else " (one-pass sketch mode)"
        lines = [f"assay quality: {status} ({counts}) on {self.n_rows} rows x {len(self.profile)} columns{mode}"]
        for f in self.findings:
            where = f.column if f.column else "(table)"
            lines.append(f"  [{f.severity:7}] {f.check:20} {where}: {f.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<assay QualityReport: {'passed' if self.passed else 'failed'}, {len(self.findings)} findings>"


def check(
    data: TableLike,
    target: str | ArrayLike | None = None,
    reference: TableLike | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    fail_on: str = "error",
    thresholds: Mapping[str, Any] | None = None,
    histogram_bins: int = 20,
    exact: bool = True,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> QualityReport:
    """Checks ``data`` for data-quality problems and returns a [`QualityReport`][assay.quality.QualityReport].

    The column checks (missing values, constant and near-constant columns, infinities,
    outliers (by the ``outlier_method`` threshold: Tukey's fences or the robust z-score),
    high cardinality, label variants, mixed types) always run, as
    does the duplicate-rows check; a ``target`` adds class imbalance, single class,
    conflicting labels and target leakage; a ``reference`` adds train/test overlap and
    unseen categories; ``rules`` add one finding per broken rule. The data quality guide
    defines every check and its threshold.

    Parameters
    ----------
    data : TableLike
        The table to check: a 2-D numpy array, a mapping of column names to 1-D arrays, a
        pandas or polars DataFrame or a pyarrow Table.
    target : str or ArrayLike, optional
        The target: a column name of ``data`` (an integer name of a numpy table too), or
        an array of one value per row. Enables the class imbalance, single class,
        conflicting labels and target-leakage checks.
    reference : TableLike, optional
        Training data: enables the train/test overlap and unseen-category checks.
    rules : Mapping[str, Mapping[str, Any]], optional
        A declarative schema, column name to rule; the keys of a rule are
        [`RULE_KEYS`][assay.quality.RULE_KEYS]: ``dtype`` (a key of
        [`DTYPE_NAMES`][assay.quality.DTYPE_NAMES]), ``nullable`` and ``unique`` (bools),
        ``min`` and ``max`` (numbers, datetimes or timedeltas), ``allowed`` (a list of
        values) and ``max_missing`` (a fraction in [0, 1]).
    fail_on : str, default 'error'
        The least severe finding that makes ``passed`` False: ``"error"`` or ``"warning"``.
    thresholds : Mapping[str, Any], optional
        Overrides of the check thresholds and of the target-leakage check's settings
        (``leakage_decision``, ``leakage_confidence``, ``leakage_exclude``), by name (see
        [`default_thresholds`][assay.quality.default_thresholds]); the others keep their
        defaults.
    histogram_bins : int, default 20
        Equal-width bins of the profile's numeric histograms, at most 2**20.
    exact : bool, default True
        False: the one-pass sketch mode. Numeric columns are profiled by
        [`profile`][assay.quality.profile]'s sketch mode; the outlier (IQR) and
        near-constant findings say that they are estimates and state the bound; the checks
        that need ordered columns or all row hashes at once (MAD outliers, target leakage of
        numeric columns, duplicate rows, conflicting labels, train/test overlap, ``unique``
        rules on estimated distinct counts) are not run, each reported by an ``info`` finding
        ``skipped`` that names it and says why.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    QualityReport
        The findings, most severe first, the verdict and the data's profile.

    Raises
    ------
    InvalidTypeError
        ``data`` or ``reference`` is not a table, a column holds values of an unsupported
        type, or ``rules`` or ``thresholds`` is not a mapping of the right types, or
        ``exact`` is not a bool.
    InvalidInputError
        ``fail_on`` is not 'error' or 'warning'; ``target`` names no column or has the
        wrong length; a rule or threshold has an unknown key or a value out of range (the
        message names the key), or ``leakage_exclude`` names a column not in ``data``;
        ``histogram_bins`` or ``n_jobs`` is out of range.
    ResourceLimitError
        ``histogram_bins`` or the ``leakage_bins`` threshold is above 2**20.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import quality
    >>> data = {
    ...     "age": np.array([23.0, 35.0, 41.0, 51.0, 29.0, 62.0]),
    ...     "plan": np.array(["basic", "pro", "basic", "pro", "basic", "pro"]),
    ...     "churned": np.array([0, 1, 0, 1, 0, 1]),
    ... }
    >>> rules = {"age": {"min": 18, "max": 60}}
    >>> thresholds = {"leakage_min_support": 2, "leakage_decision": "point"}  # 6 rows: too few for the bound
    >>> report = quality.check(data, target="churned", rules=rules, thresholds=thresholds)
    >>> report.passed
    False
    >>> [(f.check, f.column) for f in report.by_severity("error")]
    [('target_leakage', 'plan'), ('rule_max', 'age')]
    """
    if not isinstance(fail_on, str) or fail_on not in SEVERITIES[1:]:
        raise InvalidInputError(f"fail_on must be 'warning' or 'error', got {fail_on!r}")
    options = _check_options(thresholds)
    profile_options = _profile_options(histogram_bins, 64, exact)
    frame, target_name = _with_target(as_frame(data), target)
    reference_frame = as_frame(reference, argument="reference") if reference is not None else None
    core_rules, python_findings = _rules(rules, frame)
    python_findings += _mixed_type_findings(frame)
    result = _core_quality.check(
        frame.core_columns(),
        target_name,
        None if reference_frame is None else reference_frame.core_columns(),
        core_rules,
        options,
        profile_options,
        n_jobs_arg(n_jobs),
        progress_callback(progress, "quality"),
    )
    return _report_of(
        result,
        python_findings,
        profile_options,
        frame.n_rows,
        fail_on,
        target_name,
        None if reference_frame is None else reference_frame.n_rows,
    )


def _report_of(
    result: Any,
    python_findings: list[Finding],
    profile_options: _core_quality.ProfileOptions,
    n_rows: int,
    fail_on: str,
    target_name: str,
    reference_rows: int | None,
) -> QualityReport:
    """The report of the core's check result (from ``check`` or a finished check state),
    with the findings the Python layer adds (dtype rules, mixed types)."""
    findings = [_finding(f) for f in result.findings] + python_findings
    measures = [
        {
            "check": m.check,
            "column": m.column or None,
            "value": m.value,
            "lower": m.lower,
            "upper": m.upper,
            "note": m.note,
        }
        for m in result.measures
    ]
    findings.sort(key=lambda f: -SEVERITIES.index(f.severity))
    inputs = {"target": target_name or None, "reference_rows": reference_rows}
    return QualityReport(
        findings,
        Profile(result.profile, profile_options),
        n_rows,
        fail_on,
        inputs,
        fingerprint_dict(result.fingerprint),
        measures,
    )


def default_thresholds() -> dict[str, Any]:
    """The thresholds [`check`][assay.quality.check] uses unless overridden.

    Returns
    -------
    dict
        Threshold name to default value: rates and shares in [0, 1] (``missing_warning``,
        ``missing_error``, ``near_constant``, ``high_cardinality_ratio``, ``outlier_rate``,
        ``imbalance_below``, ``leakage``), the outlier cut-offs ``outlier_iqr_k`` and
        ``outlier_mad_z``, integer counts (``high_cardinality``, ``leakage_min_support``,
        ``leakage_bins``, ``max_examples``), ``outlier_method`` (``"iqr"``: the outlier
        finding uses Tukey's fences; ``"mad"``: the robust z-score; one finding per column
        either way, both shares are in ``QualityReport.measures``), and the target-leakage decision:
        ``leakage_decision`` (``"bound"``: a finding when the lower confidence bound of the
        out-of-sample score reaches ``leakage``; ``"point"``: when the in-sample score
        does), ``leakage_confidence`` (the level of that bound, in (0, 1)) and
        ``leakage_exclude`` (a list of columns the leakage check does not test).

    Examples
    --------
    >>> from assay import quality
    >>> thresholds = quality.default_thresholds()
    >>> thresholds["missing_warning"], thresholds["outlier_iqr_k"]
    (0.05, 1.5)
    >>> thresholds["leakage_decision"], thresholds["leakage_confidence"], thresholds["leakage_exclude"]
    ('bound', 0.95, [])
    """
    options = _core_quality.CheckOptions()
    defaults = {name: getattr(options, name) for name in _threshold_names()}
    defaults["leakage_decision"] = options.leakage_decision.name
    defaults["outlier_method"] = options.outlier_method.name
    return defaults


def _threshold_names() -> list[str]:
    return [n for n in dir(_core_quality.CheckOptions) if not n.startswith("_")]


def _with_target(frame: Frame, target: str | ArrayLike | None) -> tuple[Frame, str]:
    """The frame with the target among its columns, and the target's name ("" without one):
    a column name of ``frame``, or values added as a column under an unused name."""
    if target is None:
        return frame, ""
    if isinstance(target, (int, np.integer)) and not isinstance(target, (bool, np.bool_)) and str(target) in frame:
        return frame, str(target)  # a non-string column name, as the frame names it
    if isinstance(target, str) and target in frame:
        return frame, target
    if isinstance(target, str):
        raise InvalidInputError(f"target: no column '{target}' in data")
    name = _unused_name(frame, getattr(target, "name", None) or "target")
    column = as_column(target, name=name, argument="target")
    if len(column) != frame.n_rows:
        raise InvalidInputError(f"target has {len(column)} values but data has {frame.n_rows} rows")
    return frame.with_column(column), name


def leakage_scores(
    data: TableLike,
    target: str | ArrayLike,
    *,
    thresholds: Mapping[str, Any] | None = None,
    n_jobs: NJobs = None,
) -> dict[str, dict[str, float]]:
    """The target-leakage score of every feature, flagged or not, with its confidence bounds.

    The numbers the ``target_leakage`` check of [`check`][assay.quality.check] compares with
    its threshold (see its definition in the data-quality guide), for every column of
    ``data`` but the target: an audit gates on them, and a user can see how close a feature
    comes to being flagged.

    Parameters
    ----------
    data : TableLike
        The features (and the target, when ``target`` names a column).
    target : str or ArrayLike
        The target: a column name of ``data`` or one value per row.
    thresholds : Mapping[str, Any], optional
        ``leakage_bins``, ``leakage_min_support`` and ``leakage_confidence`` as in
        [`check`][assay.quality.check]; the other keys are accepted and not used.
    n_jobs : NJobs, optional
        Threads (over columns); the scores do not depend on it.

    Returns
    -------
    dict
        Feature name to ``{"score", "out_of_sample", "lower", "upper"}``: the in-sample
        score, the leave-one-out score and its one-sided lower and upper bounds, each at the
        ``leakage_confidence`` level; NaN when undefined (a target of one class).

    Raises
    ------
    InvalidInputError
        ``target`` names no column, has another length than ``data``, or a threshold is
        out of range (the message names the key).
    InvalidTypeError
        ``data`` is not a table, or a threshold has the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import quality
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> data = {"copy": y.astype(float), "noise": rng.normal(size=300), "y": y}
    >>> scores = quality.leakage_scores(data, "y")
    >>> round(scores["copy"]["score"], 3), bool(scores["copy"]["lower"] > 0.9), bool(scores["noise"]["lower"] < 0.2)
    (1.0, True, True)
    """
    frame, target_name = _with_target(as_frame(data), target)
    pairs = _core_quality.leakage_scores(
        frame.core_columns(), target_name, _check_options(thresholds), n_jobs_arg(n_jobs)
    )
    return {
        name: {"score": s.point, "out_of_sample": s.out_of_sample, "lower": s.lower, "upper": s.upper}
        for name, s in pairs
    }


def _check_options(thresholds: Mapping[str, Any] | None) -> _core_quality.CheckOptions:
    """CheckOptions from the user's overrides: known keys only, integers for the counts,
    finite numbers in range for the rest (the core's validate() states the ranges), a
    decision name and a list of column names for the leakage check."""
    options = _core_quality.CheckOptions()
    if thresholds is None:
        return options
    if not isinstance(thresholds, Mapping):
        raise InvalidTypeError(
            f"thresholds: expected a dict of threshold name to value, got {type(thresholds).__name__}"
        )
    known = _threshold_names()
    for key, value in thresholds.items():
        if key not in known:
            raise InvalidInputError(f"thresholds: unknown key {key!r}; known keys: {', '.join(known)}")
        if key == "leakage_decision":
            options.leakage_decision = _enum_value(_core_quality.LeakageDecision, key, value)
            continue
        if key == "outlier_method":
            options.outlier_method = _enum_value(_core_quality.OutlierMethod, key, value)
            continue
        if key == "leakage_exclude":
            options.leakage_exclude = _column_names(value, f"thresholds['{key}']")
            continue
        integer = isinstance(getattr(options, key), int)
        if integer and isinstance(value, float) and value.is_integer():
            value = int(value)  # 50.0 from a config file
        if not _is_threshold_number(value, integer):
            expected = "an integer" if integer else "a number"
            raise InvalidTypeError(f"thresholds['{key}']: expected {expected}, got {value!r}")
        try:
            value = int(value) if integer else float(value)
            if integer and not -(2**63) <= value < 2**63:
                raise OverflowError
        except OverflowError:
            raise InvalidInputError(f"thresholds['{key}']: {_shown(value)} is out of range") from None
        setattr(options, key, value)
    try:
        _core_quality.validate_check_options(options)
    except AssayError as error:
        raise type(error)(f"thresholds: {error}") from None
    return options


def _enum_value(enum: Any, key: str, value: Any) -> Any:
    names = list(enum.__members__)
    if not isinstance(value, str) or value not in names:
        raise InvalidInputError(f"thresholds['{key}']: expected one of {names}, got {_shown(value)}")
    return enum[value]


def _column_names(value: Any, where: str) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidTypeError(f"{where}: expected a list of column names, got {type(value).__name__}")
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        raise InvalidTypeError(f"{where}: column names must be strings, got {_shown(bad[0])}")
    return list(value)


def _is_threshold_number(value: Any, integer: bool) -> bool:
    """An integer (Python or numpy) for a count threshold, any real number otherwise; never a bool."""
    return not isinstance(value, bool) and isinstance(value, numbers.Integral if integer else numbers.Real)


def _unused_name(frame: Frame, name: str) -> str:
    name = str(name)
    while name in frame:
        name = f"{name}_"
    return name


def _finding(f: Any) -> Finding:
    return Finding(
        f.check, f.column or None, f.severity.name, f.value, f.threshold, f.message, tuple(f.rows), f.lower, f.upper
    )


def _rules(
    rules: Mapping[str, Mapping[str, Any]] | None, frame: Frame
) -> tuple[list[_core_quality.ColumnRule], list[Finding]]:
    """Core rules plus the findings of dtype rules, which need the source dtypes."""
    if rules is None:
        return [], []
    if not isinstance(rules, Mapping):
        raise InvalidTypeError(f"rules: expected a mapping of column name to rule, got {type(rules).__name__}")
    core_rules: list[_core_quality.ColumnRule] = []
    findings: list[Finding] = []
    for column, spec in rules.items():
        if not isinstance(column, str):
            raise InvalidTypeError(f"rules: column names must be strings, got {column!r}")
        if not isinstance(spec, Mapping):
            raise InvalidTypeError(f"rules['{column}']: expected a mapping, got {type(spec).__name__}")
        unknown = [k for k in spec if k not in RULE_KEYS]
        if unknown:
            raise InvalidInputError(
                f"rules['{column}']: unknown key(s) {sorted(map(str, unknown))}; known keys: {', '.join(RULE_KEYS)}"
            )
        rule = _core_quality.ColumnRule()
        rule.column = column
        for key in ("nullable", "unique"):
            if key in spec:
                if not isinstance(spec[key], bool):
                    raise InvalidTypeError(f"rules['{column}']['{key}']: expected true or false, got {spec[key]!r}")
                setattr(rule, key, spec[key])
        bounds = {
            key: _rule_number(spec[key], f"rules['{column}']['{key}']")
            for key in ("min", "max", "max_missing")
            if key in spec
        }
        for key, number in bounds.items():
            setattr(rule, key, number)
        if not 0 <= bounds.get("max_missing", 0.0) <= 1:
            raise InvalidInputError(
                f"rules['{column}']['max_missing']: must be a fraction in [0, 1], got {spec['max_missing']!r}"
            )
        if rule.min is not None and rule.max is not None and rule.min > rule.max:
            raise InvalidInputError(f"rules['{column}']: min ({spec['min']!r}) exceeds max ({spec['max']!r})")
        if "allowed" in spec:
            allowed = spec["allowed"]
            if isinstance(allowed, (str, bytes, Mapping)) or not isinstance(allowed, (Sequence, set, frozenset)):
                raise InvalidTypeError(
                    f"rules['{column}']['allowed']: expected a list of values, got {type(allowed).__name__}"
                )
            if column in frame and frame.column(column).kind == CATEGORICAL:
                rule.allowed_labels = [str(v) for v in allowed]
            else:
                where = f"rules['{column}']['allowed']"
                rule.allowed_values = [
                    _rule_number(v, where, f"numeric column '{column}' needs numeric values") for v in allowed
                ]
        if "dtype" in spec:
            findings += _dtype_finding(str(column), spec["dtype"], frame)
        core_rules.append(rule)
    return core_rules, findings


def _shown(value: Any, limit: int = 40) -> str:
    """repr(value), shortened for messages (10**400 has 401 digits)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 12]}...({len(text)} characters)"


def _rule_number(value: Any, where: str, expected: str = "expected a number") -> float:
    """A number of a rule: int or float (numpy too), not bool or NaN, within the doubles
    (+-inf allowed for min and max). Datetimes and dates (Python, numpy, pandas) become
    seconds since the epoch and timedeltas seconds, as datetime columns do."""
    try:
        if isinstance(value, (dt.date, np.datetime64)):
            number = _object_datetime_seconds(value)
        elif isinstance(value, (dt.timedelta, np.timedelta64)):
            number = _object_timedelta_seconds(value)
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidTypeError(f"{where}: {expected}, got {value!r}")
        else:
            number = float(value)
    except OverflowError:
        raise InvalidInputError(f"{where}: {_shown(value)} is beyond the range of a float64") from None
    if math.isnan(number):
        raise InvalidInputError(f"{where}: {expected}, got NaN")
    return number


def _dtype_finding(column: str, dtype: Any, frame: Frame) -> list[Finding]:
    if not isinstance(dtype, str) or dtype not in DTYPE_NAMES:
        raise InvalidInputError(f"rules['{column}']['dtype']: unknown dtype {dtype!r}; known: {', '.join(DTYPE_NAMES)}")
    if column not in frame:
        return []  # the core reports the absent column
    actual = frame.column(column).source_dtype
    if actual in DTYPE_NAMES[dtype]:
        return []
    return [Finding("rule_dtype", column, "error", math.nan, math.nan, f"expected dtype '{dtype}', found '{actual}'")]


def _mixed_type_findings(frame: Frame) -> list[Finding]:
    findings = []
    for column in frame.columns:
        counts = column.type_counts or {}
        present = {t: c for t, c in counts.items() if c > 0}
        if len(present) > 1:
            detail = ", ".join(f"{t}: {c}" for t, c in sorted(present.items(), key=lambda kv: -kv[1]))
            findings.append(
                Finding(
                    "mixed_types",
                    column.name,
                    "warning",
                    float(len(present)),
                    1.0,
                    f"values of {len(present)} Python types ({detail})",
                )
            )
    return findings


# -- What the report layer shows (assay.report renders it; no markup here) ------------------------

_BADGE_OF_SEVERITY = {"error": "failed", "warning": "warning", "info": "info"}


def _report_tiles(result: QualityReport) -> list[report.Tile]:
    verdict = "passed" if result.passed else "failed"
    tiles = [report.Tile("verdict", report.Badge(verdict), detail=f"fails on {result.fail_on}", verdict=verdict)]
    tiles += [report.Tile("rows", report.Number(result.n_rows, format="count"))]
    tiles += [report.Tile("columns", report.Number(len(result.profile), format="count"))]
    for severity in reversed(SEVERITIES):
        count = len(result.by_severity(severity))
        tiles.append(report.Tile(f"{severity} findings", report.Number(count, format="count")))
    return tiles


def _findings_table(findings: Sequence[Finding]) -> report.Block:
    if not findings:
        return report.Text("No findings.")
    rows: list[list[report.Cell]] = [
        [
            report.Badge(_BADGE_OF_SEVERITY[f.severity], f.severity),
            f.check,
            f.column or "(table)",
            f.value,
            f.threshold,
            f.message,
            ", ".join(map(str, f.rows)),
        ]
        for f in findings
    ]
    columns = ["severity", "check", "column", "value", "threshold", "message", "example rows"]
    return report.Table(columns, rows)


def _report_sections(result: QualityReport) -> list[report.Section]:
    verdict = "passed" if result.passed else "failed"
    findings = report.Section("Findings", [_findings_table(result.findings)], anchor="findings", verdict=verdict)
    return [findings, _profile_section(result.profile)]


def _profile_section(profile: Profile) -> report.Section:
    """One row per column: counts, moments, median and most frequent value."""
    rows: list[list[report.Cell]] = []
    for name in profile.columns:
        column = profile[name]
        numeric = column["kind"] == "numeric"
        top_value = f"{column['values'][0][0]} ({column['values'][0][1]:,})" if column["values"] else ""
        distinct = report.Number(column["distinct"], format="count")
        rows.append(
            [
                name,
                column["kind"],
                report.Number(column["count"], format="count"),
                report.Number(column["missing"], format="count"),
                distinct if column["distinct_exact"] else f"≈ {column['distinct']:,}",
                *(
                    [column["mean"], column["std"], column["min"], column["quantiles"][0.5], column["max"]]
                    if numeric
                    else [None] * 5
                ),
                top_value,
            ]
        )
    columns = ["column", "kind", "count", "missing", "distinct", "mean", "std", "min", "median", "max", "top value"]
    table = report.Table(columns, rows, caption=f"{len(profile)} columns")
    return report.Section("Column profile", [table], anchor="profile")
