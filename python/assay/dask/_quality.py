"""Data quality on Dask: ``profile`` (column tasks, or merged partition profiles beyond the
memory budget) and ``check`` (one task over the gathered table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import quality
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


def _column_profile(series: Any, histogram_bins: int, tracked_values: int) -> dict[str, Any]:
    """The profile state of one column (or of its rows in one partition)."""
    result = quality.profile(
        series.to_frame(), histogram_bins=histogram_bins, tracked_values=tracked_values, n_jobs=_graph.task_threads()
    )
    return result.to_dict()


def _merge_profiles(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return quality.Profile.from_dict(a).merge(quality.Profile.from_dict(b)).to_dict()


def profile(data: Any, *, histogram_bins: int = 20, tracked_values: int = 64, client: Any = None) -> quality.Profile:
    """[`assay.quality.profile`][assay.quality.profile] of a dask DataFrame.

    A column that fits the memory budget ([`memory_budget`][assay.dask.memory_budget]) is
    gathered from every partition into one task and profiled there: the result equals the
    single-machine profile of the computed frame, bitwise. A larger column is profiled per
    partition and the partition profiles are merged in a fixed tree: counts, extremes and
    moments stay exact; distinct counts, quantiles, histograms and value tables are then
    sketch estimates, marked by the column's ``*_exact`` flags (the quantiles carry their
    rank-error bound).

    Parameters
    ----------
    data : dask DataFrame
        The table (a dask Series is one column), e.g. ``dd.read_parquet`` of many files.
    histogram_bins : int, default 20
        Equal-width bins of each numeric histogram, at most 2**20.
    tracked_values : int, default 64
        How many of the most frequent values each column keeps.
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
    names = list(frame.columns)
    if not names:
        raise InvalidInputError("data has no columns")
    (n_rows,) = _graph.total_rows([frame])
    budget = _graph.memory_budget()
    tasks = []
    for name in names:
        parts = frame[name].to_delayed()
        if n_rows * value_bytes(frame[name].dtype) <= budget:
            tasks.append(
                _graph.gathered(_column_profile, parts, histogram_bins=histogram_bins, tracked_values=tracked_values)
            )
        else:
            states = [
                _graph.dask.delayed(_column_profile, pure=True)(part, histogram_bins, tracked_values) for part in parts
            ]
            tasks.append(_graph.tree_reduce(states, _merge_profiles))
    states = _graph.compute(tasks, client)
    return quality.Profile.from_dict({**states[0], "columns": [state["columns"][0] for state in states]})


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
    client: Any = None,
) -> quality.QualityReport:
    """[`assay.quality.check`][assay.quality.check] of a dask DataFrame.

    The checks that compare rows (duplicates, conflicting labels, train/test overlap, target
    leakage) need the rows together: the table (and the reference) is gathered into one
    task on a worker when it fits the memory budget, and the report equals the
    single-machine report of the computed frames. A larger table is refused with the
    budget to set; [`profile`][assay.dask.profile] has no such limit.

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
        The gathered tables exceed the memory budget.

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
    tables = [frame] + ([reference] if isinstance(reference, (_graph.dd.DataFrame, _graph.dd.Series)) else [])
    rows = _graph.total_rows(tables)
    needed = sum(n * sum(value_bytes(t) for t in table.dtypes) for n, table in zip(rows, tables))
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


def _check_with_reference(data: Any, reference: Any, **options: Any) -> str:
    return _check(data, reference, **options)
