"""Data quality on Dask: ``profile`` (column tasks, or merged partition profiles beyond the
memory budget) and ``check`` (one task over the gathered table, or merged partition check
states beyond the budget: the one-pass sketch-mode check)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import quality
from .._core import quality as _core_quality
from .._frame import as_frame
from .._util import n_jobs_arg
from ..errors import InvalidInputError
from . import _graph

# Bytes a value of a non-numpy column (strings, objects) is taken to need when gathered.
_OBJECT_VALUE_BYTES = 64


def value_bytes(dtype: Any) -> int:
    """Bytes one value of a column of ``dtype`` takes once gathered (an estimate for objects)."""
    if getattr(dtype, "name", "") == "category":
        return 4
    itemsize = getattr(dtype, "itemsize", 0)
    return int(itemsize) if getattr(dtype, "kind", "O") in "biufcmM" and itemsize else _OBJECT_VALUE_BYTES


def _profile_state(part: Any, histogram_bins: int, tracked_values: int, exact: bool) -> dict[str, Any]:
    """The profile state of a frame's columns: gathered whole, or one partition's rows."""
    result = quality.profile(
        part,
        histogram_bins=histogram_bins,
        tracked_values=tracked_values,
        exact=exact,
        n_jobs=_graph.task_threads(),
    )
    return result.to_dict()


def _merge_profiles(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return quality.Profile.from_dict(a).merge(quality.Profile.from_dict(b)).to_dict()


def profile(
    data: Any,
    *,
    histogram_bins: int = 20,
    tracked_values: int = 64,
    exact: bool | None = None,
    client: Any = None,
) -> quality.Profile:
    """[`assay.quality.profile`][assay.quality.profile] of a dask DataFrame.

    A column that fits the memory budget ([`memory_budget`][assay.dask.memory_budget]) is
    gathered from every partition into one task and profiled there: the result equals the
    single-machine profile of the computed frame, bitwise. The larger columns are profiled
    per partition (one task per partition for all of them) and the partition profiles are
    merged in a fixed tree: counts, extremes and moments stay exact; distinct counts,
    quantiles, histograms and value tables are then sketch estimates, marked by the
    column's ``*_exact`` flags (the quantiles carry their rank-error bound).

    ``exact=False`` profiles every column in the one-pass sketch mode of the single-machine
    ``profile(..., exact=False)`` (no ordering of any column): each partition is reduced to
    its sketches, which merge in the same tree. Counts, missing values, extremes and moments
    equal the single-machine sketch-mode profile; quantiles and distinct counts are
    estimates within their stated error.

    Parameters
    ----------
    data : dask DataFrame
        The table (a dask Series is one column), e.g. ``dd.read_parquet`` of many files.
    histogram_bins : int, default 20
        Equal-width bins of each numeric histogram, at most 2**20.
    tracked_values : int, default 64
        How many of the most frequent values each column keeps.
    exact : bool, optional
        True: gather every column (``ResourceLimitError`` for a column beyond the memory
        budget); False: the one-pass sketch mode from merged partition sketches; None
        (default): gather the columns that fit the budget, merge partition profiles of the
        others.
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    Profile
        The same result class as [`assay.quality.profile`][assay.quality.profile].

    Raises
    ------
    InvalidTypeError
        ``data`` is not a dask DataFrame or Series, or ``client`` is not a client.
    InvalidInputError
        ``data`` has no columns, or an option is out of range (as in the single-machine call).
    ResourceLimitError
        ``exact=True`` and a column exceeds the memory budget.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> frame = dd.from_pandas(pd.DataFrame({"age": [23.0, 35.0, None, 51.0]}), npartitions=2)
    >>> adask.profile(frame)["age"]["missing"]
    1
    """
    frame = _graph.dataframe(data, "data")
    quality._profile_options(histogram_bins, tracked_values)  # a clear error before any work
    if exact not in (None, True, False):
        raise InvalidInputError(f"exact: expected True, False or None, got {exact!r}")
    names = list(frame.columns)
    if not names:
        raise InvalidInputError("data has no columns")
    (n_rows,) = _graph.total_rows([frame], client)
    budget = _graph.memory_budget()
    gathered: list[str] = []  # profiled whole, in one task each
    merged: list[str] = []  # profiled per partition, then merged
    for name in names:
        needed = n_rows * value_bytes(frame[name].dtype)
        if exact is True:
            _graph.require_budget("data", needed, f"profiling column '{name}' ({n_rows} rows)")
        (gathered if exact is not False and needed <= budget else merged).append(name)
    tasks = [
        _graph.gathered(
            _profile_state,
            frame[[name]].to_delayed(),
            histogram_bins=histogram_bins,
            tracked_values=tracked_values,
            exact=True,
        )
        for name in gathered
    ]
    if merged:
        partition_states = [
            _graph.dask.delayed(_profile_state, pure=True)(part, histogram_bins, tracked_values, exact is not False)
            for part in frame[merged].to_delayed()
        ]
        tasks.append(_graph.tree_reduce(partition_states, _merge_profiles))
    states = _graph.compute(tasks, client)
    if exact is False:
        return quality.Profile.from_dict(states[0])
    columns = {column["name"]: column for state in states for column in state["columns"]}
    return quality.Profile.from_dict({**states[0], "columns": [columns[name] for name in names]})


def _check(
    data: Any, reference: Any, target: Any, rules: Any, fail_on: str, thresholds: Any, histogram_bins: int
) -> str:
    result = quality.check(
        data,
        target=target,
        reference=reference,
        rules=rules,
        fail_on=fail_on,
        thresholds=thresholds,
        histogram_bins=histogram_bins,
        n_jobs=_graph.task_threads(),
        progress=False,
    )
    return result.to_json()


def check(
    data: Any,
    target: str | None = None,
    reference: Any = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    fail_on: str = "error",
    thresholds: Mapping[str, Any] | None = None,
    histogram_bins: int = 20,
    exact: bool | None = None,
    client: Any = None,
) -> quality.QualityReport:
    """[`assay.quality.check`][assay.quality.check] of a dask DataFrame.

    The checks that compare rows (duplicates, conflicting labels, train/test overlap, target
    leakage of numeric features) need the rows together: the table (and the reference) is
    gathered into one task on a worker when it fits the memory budget, and the report equals
    the single-machine report of the computed frames.

    A larger table (or ``exact=False``) is checked in the one-pass sketch mode, the
    single-machine ``check(..., exact=False)``: each partition is reduced to the core's
    check state (``CheckState``: the columns' sketches, each label's count, the target's
    classes, the rules' counts, the fingerprint, each with its first example rows), the
    states are merged in a fixed tree of ``SPLIT_EVERY`` and the checks run on the merged
    state; the outlier findings' example rows take a second pass over the fenced columns,
    partition by partition in order until every finding has its rows. The
    report says it came from the sketch mode (``skipped`` findings for the checks that need
    the ordered column or every row's hash; the profile's ``exact`` is False). Its counts,
    missing values, infinities, constant columns, rules, categorical checks and target
    checks equal the single-machine ``check(..., exact=False)`` bitwise; the quantile-based
    values (outlier shares, the profile's quantiles and histograms) are sketch estimates
    within their stated rank error, which can differ from the single-machine run's own
    estimates within that error. A categorical feature's leakage against a regression
    target is not computed from merged states (a ``skipped`` finding says so).

    Parameters
    ----------
    data : dask DataFrame
        The table to check.
    target : str, optional
        The target column of ``data``.
    reference : dask DataFrame or TableLike, optional
        Training data, for the train/test overlap and unseen-category checks.
    rules : Mapping[str, Mapping[str, Any]], optional
        Column rules, as in the single-machine call.
    fail_on : str, default 'error'
        The least severe finding that fails the report: ``"error"`` or ``"warning"``.
    thresholds : Mapping[str, Any], optional
        Overrides of the check thresholds, as in the single-machine call.
    histogram_bins : int, default 20
        Equal-width bins of the profile's histograms.
    exact : bool, optional
        True: gather the table (``ResourceLimitError`` beyond the memory budget); False: the
        sketch mode from merged partition states; None (default): exact within the memory
        budget, the sketch mode beyond it.
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    QualityReport
        The same result class as [`assay.quality.check`][assay.quality.check].

    Raises
    ------
    InvalidTypeError
        ``data`` is not a dask DataFrame, or an option has the wrong type.
    InvalidInputError
        An option is out of range (as in the single-machine call).
    ResourceLimitError
        ``exact=True`` and the gathered tables exceed the memory budget.
    CorruptedStateError
        A partition's state did not read back (never expected between assay's own tasks).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> frame = dd.from_pandas(pd.DataFrame({"age": [23.0, 35.0, 41.0, 70.0]}), npartitions=2)
    >>> adask.check(frame, rules={"age": {"max": 60}}).passed
    False
    """
    frame = _graph.dataframe(data, "data")
    if target is not None and not isinstance(target, str):
        raise InvalidInputError(f"target: name a column of data, got {type(target).__name__}")
    if target is not None and target not in frame.columns:
        raise InvalidInputError(f"target: no column '{target}' in data")
    if exact not in (None, True, False):
        raise InvalidInputError(f"exact: expected True, False or None, got {exact!r}")
    if not isinstance(fail_on, str) or fail_on not in quality.SEVERITIES[1:]:
        raise InvalidInputError(f"fail_on must be 'warning' or 'error', got {fail_on!r}")
    options = quality._check_options(thresholds)  # a clear error before any work
    quality._profile_options(histogram_bins, 64, False)
    tables = [frame] + ([reference] if isinstance(reference, (_graph.dd.DataFrame, _graph.dd.Series)) else [])
    rows = _graph.total_rows(tables, client)
    needed = sum(n * sum(value_bytes(t) for t in table.dtypes) for n, table in zip(rows, tables))
    if exact is False or (exact is None and needed > _graph.memory_budget()):
        return _check_by_states(frame, target, reference, rules, fail_on, thresholds, options, histogram_bins, client)
    _graph.require_budget("data", needed, f"checking {rows[0]} rows x {len(frame.columns)} columns")
    parts = [frame.to_delayed()]
    if len(tables) == 2:
        parts.append(_graph.dataframe(reference, "reference").to_delayed())
        task = _graph.gathered(
            _check_with_reference,
            *parts,
            target=target,
            rules=rules,
            fail_on=fail_on,
            thresholds=thresholds,
            histogram_bins=histogram_bins,
        )
    else:
        task = _graph.gathered(
            _check,
            parts[0],
            reference=reference,
            target=target,
            rules=rules,
            fail_on=fail_on,
            thresholds=thresholds,
            histogram_bins=histogram_bins,
        )
    (text,) = _graph.compute([task], client)
    return quality.QualityReport.from_json(text)


@dataclass
class _ColumnTypes:
    """What the Python side of the check (rules, dtype rules, mixed types) reads of a column."""

    name: str
    kind: Any
    source_dtype: str
    type_counts: dict[str, int] = field(default_factory=dict)


class _TableTypes:
    """The columns' kinds, source dtypes and Python type counts, merged over partitions (what
    ``quality._rules`` and ``quality._mixed_type_findings`` read of a frame)."""

    def __init__(self, columns: list[_ColumnTypes]) -> None:
        self.columns = columns

    def __contains__(self, name: object) -> bool:
        return any(column.name == name for column in self.columns)

    def column(self, name: str) -> _ColumnTypes:
        return next(column for column in self.columns if column.name == name)


def _partition_state(
    part: Any, target: str | None, rules: Any, thresholds: Any, histogram_bins: int
) -> tuple[bytes, list[_ColumnTypes]]:
    """A partition's check state (bytes) and its columns' source dtypes and type counts."""
    frame = as_frame(part)
    core_rules, _ = quality._rules(rules, frame)
    state = _core_quality.check_state(
        frame.core_columns(),
        target or "",
        core_rules,
        quality._check_options(thresholds),
        quality._profile_options(histogram_bins, 64, False),
        n_jobs_arg(_graph.task_threads()),
    )
    types = [_ColumnTypes(c.name, c.kind, c.source_dtype, dict(c.type_counts or {})) for c in frame.columns]
    return state.to_bytes(), types


def _merge_partition_states(
    a: tuple[bytes, list[_ColumnTypes]], b: tuple[bytes, list[_ColumnTypes]]
) -> tuple[bytes, list[_ColumnTypes]]:
    merged = _core_quality.merge_check_states(
        _core_quality.CheckState.from_bytes(a[0]), _core_quality.CheckState.from_bytes(b[0])
    )
    types = []
    for left, right in zip(a[1], b[1]):
        counts = dict(left.type_counts)
        for name, count in right.type_counts.items():
            counts[name] = counts.get(name, 0) + count
        types.append(_ColumnTypes(left.name, left.kind, left.source_dtype, counts))
    return merged.to_bytes(), types


def _rows_outside(part: Any, fences: list[tuple[str, float, float]], limit: int) -> tuple[int, list[list[int]]]:
    """A partition's rows and, per fence, its first ``limit`` rows outside the fence (``part``
    holds the fenced columns)."""
    return len(part), _core_quality.first_rows_outside(as_frame(part).core_columns(), fences, limit)


_FIRST_ROUND = 2
"""Partitions in the first round of the outlier examples' pass (each later round doubles)."""


def _first_rows_outside(frame: Any, fences: list[tuple[str, float, float]], limit: int, client: Any) -> list[list[int]]:
    """Per fence, the first ``limit`` rows of ``frame`` outside it, in row order: a second pass
    over the fenced columns only (Dask reads no other column of a Parquet file), the fences
    coming from the merged quantile summary. The partitions are read in order, in rounds that
    double in size, until every fence has its rows: usually the first round; all partitions
    when a fence has fewer than ``limit`` rows outside it."""
    fenced = frame[list(dict.fromkeys(name for name, _, _ in fences))].to_delayed()
    found: list[list[int]] = [[] for _ in fences]
    offset, start, size = 0, 0, _FIRST_ROUND
    while start < len(fenced) and any(len(rows) < limit for rows in found):
        passes = _graph.compute(
            [_graph.dask.delayed(_rows_outside, pure=True)(p, fences, limit) for p in fenced[start : start + size]],
            client,
        )
        for n_rows, local in passes:
            for rows, rows_here in zip(found, local):
                rows.extend(offset + row for row in rows_here[: limit - len(rows)])
            offset += n_rows
        start, size = start + size, 2 * size
    return found


def _check_by_states(
    frame: Any,
    target: str | None,
    reference: Any,
    rules: Any,
    fail_on: str,
    thresholds: Any,
    options: Any,
    histogram_bins: int,
    client: Any,
) -> quality.QualityReport:
    """The sketch-mode check from per-partition check states merged in a fixed tree."""
    parts = frame.to_delayed()
    delayed = _graph.dask.delayed
    tasks = [
        _graph.tree_reduce(
            [delayed(_partition_state, pure=True)(p, target, rules, thresholds, histogram_bins) for p in parts],
            _merge_partition_states,
        )
    ]
    if isinstance(reference, (_graph.dd.DataFrame, _graph.dd.Series)):
        reference_parts = _graph.dataframe(reference, "reference").to_delayed()
        states = [delayed(_partition_state, pure=True)(p, None, None, None, histogram_bins) for p in reference_parts]
        tasks.append(_graph.tree_reduce(states, _merge_partition_states))
    (state_bytes, types), *reference_result = _graph.compute(tasks, client)
    state = _core_quality.CheckState.from_bytes(state_bytes)
    profile_options = quality._profile_options(histogram_bins, 64, False)
    reference_state = None
    reference_rows = None
    if reference_result:
        reference_state = _core_quality.CheckState.from_bytes(reference_result[0][0])
        reference_rows = reference_state.rows
    elif reference is not None:
        reference_frame = as_frame(reference, argument="reference")
        reference_state = _core_quality.check_state(
            reference_frame.core_columns(), "", [], quality._check_options(None), profile_options, n_jobs_arg(None)
        )
        reference_rows = reference_frame.n_rows
    fences = _core_quality.outlier_fences(state, options, profile_options)
    outlier_rows: list[list[int]] = []
    if fences and options.max_examples > 0:
        outlier_rows = _first_rows_outside(frame, fences, options.max_examples, client)
    table_types = _TableTypes(types)
    core_rules, python_findings = quality._rules(rules, table_types)  # type: ignore[arg-type]
    python_findings += quality._mixed_type_findings(table_types)  # type: ignore[arg-type]
    result = _core_quality.finish_check(state, reference_state, core_rules, options, profile_options, outlier_rows)
    return quality._report_of(
        result, python_findings, profile_options, state.rows, fail_on, target or "", reference_rows
    )


def _check_with_reference(data: Any, reference: Any, **options: Any) -> str:
    return _check(data, reference, **options)
