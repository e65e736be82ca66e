"""Data quality: column profiles and checks with pass/fail gates.

``profile(data)`` describes every column; profiles merge and round-trip through JSON.
``check(data, target=None, reference=None, rules=None)`` returns a
:class:`QualityReport` of findings. The statistics and checks run in the C++ core; this
module converts inputs, renders results and evaluates the two rules that need Python
type information (``dtype`` and mixed types in object columns).
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
from pathlib import Path
from typing import Any

import numpy as np

from . import _html
from ._core import quality as _core_quality
from ._frame import CATEGORICAL, Frame, _object_datetime_seconds, _object_timedelta_seconds, as_column, as_frame
from ._progress import progress_callback
from ._util import json_safe, n_jobs_arg
from .errors import AssayError, CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError

__all__ = ["profile", "check", "Profile", "QualityReport", "Finding", "RULE_KEYS", "SEVERITIES"]

PROFILE_QUANTILES: tuple[float, ...] = tuple(_core_quality.PROFILE_QUANTILES)
SEVERITIES = ("info", "warning", "error")
RULE_KEYS = ("dtype", "nullable", "min", "max", "allowed", "unique", "max_missing")
DTYPE_NAMES = {
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
# Version 2 stores the power-of-two `scale` of the moments (the sum of squared deviations is
# m2 * scale**2) and the sum of x / scale as a double-double; version 1 states are still read.
_PROFILE_FORMAT = 2
_PROFILE_FORMATS = (1, 2)
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


def _profile_options(histogram_bins: Any, tracked_values: Any) -> _core_quality.ProfileOptions:
    histogram_bins = _positive_int(histogram_bins, "histogram_bins")
    tracked_values = _positive_int(tracked_values, "tracked_values")
    limit = _core_quality.MAX_HISTOGRAM_BINS
    if histogram_bins > limit:
        raise ResourceLimitError(f"histogram_bins = {histogram_bins} is beyond the limit of {limit} bins per column")
    options = _core_quality.ProfileOptions()
    options.histogram_bins = histogram_bins
    options.tracked_values = min(tracked_values, _MAX_TRACKED_VALUES)
    return options


# --- profiles ------------------------------------------------------------------------


class Profile:
    """Per-column statistics of a table.

    ``profile[name]`` gives one column's statistics as a dict. Counts, extremes, mean
    and standard deviation are exact, also after :meth:`merge`; distinct counts,
    quantiles, histograms and value tables are exact when computed from data and
    sketch estimates after a merge (see ``*_exact`` flags and ``quantile_rank_error``).
    """

    def __init__(self, table: _core_quality.TableProfile, options: _core_quality.ProfileOptions):
        self._table = table
        self._options = options
        self._columns = {p.name: p for p in [*table.numeric, *table.categorical]}

    @property
    def columns(self) -> list[str]:
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

        Both must profile the same columns with the same kinds (numeric or categorical);
        otherwise :class:`~assay.errors.InvalidInputError` names the column. The merged
        profile keeps this profile's options.
        """
        if not isinstance(other, Profile):
            raise InvalidTypeError(f"other: expected a Profile, got {type(other).__name__}")
        return Profile(_core_quality.merge_profiles(self._table, other._table, self._options), self._options)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN as None) that :meth:`from_dict` reads back exactly."""
        return {
            "format": _PROFILE_FORMAT,
            "options": {
                "histogram_bins": self._options.histogram_bins,
                "tracked_values": self._options.tracked_values,
            },
            "columns": [_column_state(self._columns[name]) for name in self.columns],
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Profile:
        """The profile :meth:`to_dict` wrote. A state that is not such a dict, of another
        format version, or whose fields are missing, mistyped or inconsistent raises
        :class:`~assay.errors.CorruptedStateError`."""
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
            numeric, categorical = [], []
            for k, column in enumerate(columns):
                where = f"column {k}"
                if not isinstance(column, Mapping) or column.get("kind") not in ("numeric", "categorical"):
                    raise CorruptedStateError("expected a dict with kind 'numeric' or 'categorical'")
                where = f"column {k} ({column.get('name')!r})"
                (numeric if column["kind"] == "numeric" else categorical).append(_restore_column(column, version))
            where = "columns"
            table = _core_quality.TableProfile()
            table.numeric = numeric
            table.categorical = categorical
            table.column_order = [c["name"] for c in columns]
            _core_quality.validate_profile(table)
        except CorruptedStateError as error:
            raise CorruptedStateError(f"profile state: {where}: {error}") from None
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError, binascii.Error) as error:
            problem = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            raise CorruptedStateError(f"profile state: {where}: {problem}") from None
        return cls(table, options)

    @classmethod
    def from_json(cls, text: str | bytes | bytearray) -> Profile:
        """The profile :meth:`to_json` wrote (str, bytes or bytearray). Malformed JSON or
        JSON that is not a profile raises :class:`~assay.errors.CorruptedStateError`."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise InvalidTypeError(f"text: expected the JSON text as str or bytes, got {type(text).__name__}")
        try:
            state = json.loads(text)
        except (ValueError, RecursionError) as error:  # JSONDecodeError and bad encodings
            raise CorruptedStateError(f"profile JSON: cannot decode ({error})") from None
        return cls.from_dict(state)

    def to_frame(self):
        """One row per column (pandas DataFrame)."""
        import pandas as pd

        rows = [self[name] for name in self.columns]
        for row in rows:
            for key in ("histogram", "values"):
                row.pop(key, None)
            quantiles = row.pop("quantiles", None) or {}
            row.update({f"q{int(round(100 * p)):02d}": q for p, q in quantiles.items()})
        return pd.DataFrame(rows).set_index("name")

    def _repr_html_(self) -> str:
        return _html.profile_html(self)

    def __repr__(self) -> str:
        return f"<assay Profile: {len(self)} columns, {self._rows()} rows>"

    def _rows(self) -> int:
        return self[self.columns[0]]["count"] if self.columns else 0


def _column_dict(p: Any) -> dict[str, Any]:
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
    }


def _column_state(p: Any) -> dict[str, Any]:
    """Everything needed to rebuild a column profile (sketches included), JSON-safe."""
    state = {
        "name": p.name,
        "kind": "numeric" if isinstance(p, _core_quality.NumericProfile) else "categorical",
        "count": p.count,
        "missing": p.missing,
        "distinct": p.distinct,
        "distinct_exact": p.distinct_exact,
        "values": [[json_safe(v), c] for v, c in p.values],
        "values_complete": p.values_complete,
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


def _restore_column(state: Mapping[str, Any], version: int) -> Any:
    numeric = state["kind"] == "numeric"
    p = _core_quality.NumericProfile() if numeric else _core_quality.CategoricalProfile()
    p.name = state["name"]
    for key in ("count", "missing", "distinct", "distinct_exact", "values_complete"):
        setattr(p, key, state[key])
    p.distinct_sketch = _core_quality.HyperLogLog.from_registers(base64.b64decode(state["hll"]))
    if not numeric:
        if any(not isinstance(v, str) for v, _ in state["values"]):
            raise CorruptedStateError("value table: categorical values must be strings")
        p.values = [(v, c) for v, c in state["values"]]
        return p
    p.values = [(_state_float(v), c) for v, c in state["values"]]
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
    data: Any,
    *,
    histogram_bins: int = 20,
    tracked_values: int = 64,
    n_jobs: int | None = None,
) -> Profile:
    """Profiles every column of ``data``.

    Numeric columns: count, missing (NaN), distinct, min, max, mean, std (ddof=1),
    zeros, negatives, infinities, quantiles at 1, 5, 25, 50, 75, 95 and 99 % (numpy's
    linear interpolation), an equal-width histogram and the most frequent values.
    Moments, extremes and quantiles are over finite values; infinities are counted.
    Categorical columns: count, missing, distinct and the most frequent values.
    """
    frame = as_frame(data)
    options = _profile_options(histogram_bins, tracked_values)
    return Profile(_core_quality.profile(frame.core_columns(), options, n_jobs_arg(n_jobs)), options)


# --- checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing a check found: which check, on which column (None: the whole table),
    how severe, the measured value against its threshold, and example rows."""

    check: str
    column: str | None
    severity: str
    value: float
    threshold: float
    message: str
    rows: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "check": self.check,
                "column": self.column,
                "severity": self.severity,
                "value": self.value,
                "threshold": self.threshold,
                "message": self.message,
                "rows": list(self.rows),
            }
        )


@dataclass
class QualityReport:
    """The result of :func:`check`.

    ``passed`` is False when any finding is at least as severe as ``fail_on``
    ('error' by default); ``findings`` lists them most severe first.
    """

    findings: list[Finding]
    profile: Profile
    n_rows: int
    fail_on: str = "error"
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        level = SEVERITIES.index(self.fail_on)
        return not any(SEVERITIES.index(f.severity) >= level for f in self.findings)

    def by_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "fail_on": self.fail_on,
            "n_rows": self.n_rows,
            "n_columns": len(self.profile),
            "inputs": json_safe(self.inputs),
            "counts": {s: len(self.by_severity(s)) for s in SEVERITIES},
            "findings": [f.to_dict() for f in self.findings],
            "profile": self.profile.to_dict(),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def to_frame(self):
        """One row per finding (pandas DataFrame)."""
        import pandas as pd

        columns = ["check", "column", "severity", "value", "threshold", "message", "rows"]
        return pd.DataFrame([[getattr(f, c) for c in columns] for f in self.findings], columns=columns)

    def to_html(self, path: str | Path | None = None) -> str:
        """A standalone HTML page; written to ``path`` when given."""
        page = _html.report_page(self)
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.by_severity(s))} {s}" for s in reversed(SEVERITIES))
        status = "PASSED" if self.passed else "FAILED"
        lines = [f"assay quality: {status} ({counts}) on {self.n_rows} rows x {len(self.profile)} columns"]
        for f in self.findings:
            where = f.column if f.column else "(table)"
            lines.append(f"  [{f.severity:7}] {f.check:20} {where}: {f.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html.report_html(self)

    def __repr__(self) -> str:
        return f"<assay QualityReport: {'passed' if self.passed else 'failed'}, {len(self.findings)} findings>"


def check(
    data: Any,
    target: Any = None,
    reference: Any = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    fail_on: str = "error",
    thresholds: Mapping[str, Any] | None = None,
    histogram_bins: int = 20,
    n_jobs: int | None = None,
    progress: Any = None,
) -> QualityReport:
    """Checks ``data`` and returns a :class:`QualityReport`.

    Parameters
    ----------
    data : table (numpy 2-D array, pandas / polars DataFrame, pyarrow Table, dict of arrays)
    target : column name in ``data``, or an array of one value per row
        Enables class imbalance, conflicting labels and target-leakage checks.
    reference : table, optional
        Training data: enables the train/test overlap and unseen-category checks.
    rules : {column: {key: value}}, optional
        Declarative schema; keys: dtype, nullable, min, max, allowed, unique, max_missing.
    fail_on : 'error' or 'warning'
        The least severe finding that makes ``passed`` False.
    thresholds : dict, optional
        Overrides of the check thresholds (see ``assay.quality.default_thresholds()``).
    """
    if not isinstance(fail_on, str) or fail_on not in SEVERITIES[1:]:
        raise InvalidInputError(f"fail_on must be 'warning' or 'error', got {fail_on!r}")
    options = _check_options(thresholds)
    profile_options = _profile_options(histogram_bins, 64)
    frame = as_frame(data)
    target_name = ""
    if target is not None:
        if isinstance(target, (int, np.integer)) and not isinstance(target, (bool, np.bool_)) and str(target) in frame:
            target_name = str(target)  # a non-string column name, as the frame names it
        elif isinstance(target, str) and target in frame:
            target_name = target
        elif isinstance(target, str):
            raise InvalidInputError(f"target: no column '{target}' in data")
        else:
            target_name = _unused_name(frame, getattr(target, "name", None) or "target")
            column = as_column(target, name=target_name, argument="target")
            if len(column) != frame.n_rows:
                raise InvalidInputError(f"target has {len(column)} values but data has {frame.n_rows} rows")
            frame = frame.with_column(column)
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
    findings = [_finding(f) for f in result.findings] + python_findings
    findings.sort(key=lambda f: -SEVERITIES.index(f.severity))
    inputs = {
        "target": target_name or None,
        "reference_rows": None if reference_frame is None else reference_frame.n_rows,
    }
    return QualityReport(findings, Profile(result.profile, profile_options), frame.n_rows, fail_on, inputs)


def default_thresholds() -> dict[str, Any]:
    """The thresholds :func:`check` uses unless overridden."""
    options = _core_quality.CheckOptions()
    return {name: getattr(options, name) for name in _threshold_names()}


def _threshold_names() -> list[str]:
    return [n for n in dir(_core_quality.CheckOptions) if not n.startswith("_")]


def _check_options(thresholds: Mapping[str, Any] | None) -> _core_quality.CheckOptions:
    """CheckOptions from the user's overrides: known keys only, integers for the counts,
    finite numbers in range for the rest (the core's validate() states the ranges)."""
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
        integer = isinstance(getattr(options, key), int)
        if integer and isinstance(value, float) and value.is_integer():
            value = int(value)  # 50.0 from a config file
        if isinstance(value, bool) or not isinstance(value, numbers.Integral if integer else numbers.Real):
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


def _unused_name(frame: Frame, name: str) -> str:
    name = str(name)
    while name in frame:
        name = f"{name}_"
    return name


def _finding(f: Any) -> Finding:
    return Finding(f.check, f.column or None, f.severity.name, f.value, f.threshold, f.message, tuple(f.rows))


def _rules(rules: Mapping[str, Mapping[str, Any]] | None, frame: Frame) -> tuple[list, list[Finding]]:
    """Core rules plus the findings of dtype rules, which need the source dtypes."""
    if rules is None:
        return [], []
    if not isinstance(rules, Mapping):
        raise InvalidTypeError(f"rules: expected a mapping of column name to rule, got {type(rules).__name__}")
    core_rules, findings = [], []
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
        for key in ("min", "max", "max_missing"):
            if key in spec:
                setattr(rule, key, _rule_number(spec[key], f"rules['{column}']['{key}']"))
        if "max_missing" in spec and not 0 <= rule.max_missing <= 1:
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
