"""Drift on Dask: [`report`][assay.dask.drift.report] and
[`over_time`][assay.dask.drift.over_time] of dask DataFrames, one task per column.

Each checked column of the reference and of the current table is gathered into one task
(when it fits the memory budget, [`memory_budget`][assay.dask.memory_budget]) and tested
there by the single-machine engine, so every statistic and p-value, the rank tests' too,
equals the single-machine result bitwise; a multiple-testing ``correction`` is then applied
over all columns' p-values together, as the single-machine call does.

Beyond the budget, ``report`` merges per-partition states of the core instead
(``assay._core.drift.ColumnSketch``: exact counts of the categories, or exact counts with
the extremes of value bins), in a fixed tree; the merge is exact, so the result does not
depend on the partitions. Categorical columns, and numeric columns whose bins each hold one
value, give the single-machine result; the rank tests give a sketched result whose bounds
the result states (``exact``, ``statistic_bound``, ``pvalue_interval``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .. import drift
from .._core import drift as _core_drift
from .._frame import as_frame
from ..drift._report import TESTS, ColumnResult, _gives_pvalue, column_result, core_requests
from ..errors import InvalidInputError, InvalidTypeError, ResourceLimitError
from . import _graph
from ._quality import value_bytes

__all__ = ["report", "over_time"]


def _table(value: Any, argument: str) -> Any:
    """A dask DataFrame, or a pandas DataFrame (a reference kept in memory)."""
    if isinstance(value, (_graph.dd.DataFrame, _graph.dd.Series)):
        return _graph.dataframe(value, argument)
    if hasattr(value, "columns") and hasattr(value, "iloc"):
        return value
    raise InvalidTypeError(f"{argument}: expected a dask or pandas DataFrame, got {type(value).__name__}")


def _column_parts(table: Any, names: list[str]) -> list[Any]:
    if isinstance(table, _graph.dd.DataFrame):
        return list(table[names].to_delayed())
    return [table[names]]


def _rows(tables: Sequence[Any]) -> list[int]:
    lazy = [t for t in tables if isinstance(t, _graph.dd.DataFrame)]
    counts = iter(_graph.total_rows(lazy))
    return [next(counts) if isinstance(t, _graph.dd.DataFrame) else len(t) for t in tables]


def _column_options(name: str, tests: Any, thresholds: Any) -> tuple[Any, Any]:
    """The ``tests`` and ``thresholds`` arguments of one column's task."""
    column_tests = {name: tests.get(name, "auto")} if isinstance(tests, Mapping) else tests
    if isinstance(thresholds, Mapping):
        thresholds = {k: v for k, v in thresholds.items() if k == name or k in TESTS}
    return column_tests, thresholds


def _is_drift(test: str, score: float, threshold: float) -> bool:
    """The core's drift rule for p-value tests (report.cpp ``is_drift``): KS and
    Cramer-von Mises flag p <= threshold, the other tests p < threshold; NaN never drifts."""
    if math.isnan(score):
        return False
    return score <= threshold if test in ("ks", "cramer_von_mises") else score < threshold


def _corrected(results: list[ColumnResult], correction: str | None) -> list[ColumnResult]:
    """The results with the p-values of all of them adjusted as one family."""
    if correction is None or not results:
        return results
    adjusted = drift.adjust_pvalues([r.pvalue for r in results], correction)
    out = []
    for result, value in zip(results, adjusted.tolist()):
        drifted = _is_drift(result.test, value, result.threshold) if _gives_pvalue(result.test) else result.drifted
        out.append(replace(result, pvalue_adjusted=value, drifted=drifted))
    return out


def _checked(reference: Any, current: Any, columns: Any, exclude: set[str]) -> list[str]:
    """The columns to check (as the single-machine call picks them), each in both tables."""
    if columns is None:
        checked = [c for c in reference.columns if c not in exclude]
    else:
        if isinstance(columns, str) or not isinstance(columns, Sequence):
            raise InvalidTypeError(f"columns must be a list of column names, got {type(columns).__name__}")
        checked = list(columns)
        if not checked:
            raise InvalidInputError("columns is empty; give None (every column) or at least one name")
        unknown = [c for c in checked if c not in reference.columns]
        if unknown:
            raise InvalidInputError(f"columns {unknown} are not in the reference data")
    missing = [c for c in [*checked, *sorted(exclude)] if c not in current.columns]
    if missing:
        raise InvalidInputError(f"columns {missing} are in the reference but not in the current data")
    return checked


def _budget(tables: list[Any], names: list[str], extra: list[str] | None = None, *, sketch: bool = False) -> list[str]:
    """The columns over the memory budget (ResourceLimitError unless ``sketch``)."""
    rows = _rows(tables)
    over = []
    for name in names:
        needed = sum(n * value_bytes(t[name].dtype) for n, t in zip(rows, tables))
        needed += sum(rows[1] * value_bytes(tables[1][c].dtype) for c in extra or [])
        if sketch and needed > _graph.memory_budget():
            over.append(name)
        else:
            _graph.require_budget("current", needed, f"column '{name}' of both tables")
    return over


# --- beyond the memory budget: merged column sketches -----------------------------------

_NEVER_SKETCHED = ("anderson", "es", "t_test", "empirical_mmd")
"""Numeric tests with no sketched form: beyond the budget they raise ResourceLimitError."""


def _sketch_part(part: Any, name: str, argument: str, edges: Any) -> bytes:
    """The state of one partition's column, as bytes."""
    column = as_frame(part[[name]], argument=argument).core_columns([name])
    return bytes(_core_drift.sketch_column(column, edges).to_bytes())


def _merge_sketches(a: bytes, b: bytes) -> bytes:
    return bytes(_core_drift.ColumnSketch.from_bytes(a).merge(_core_drift.ColumnSketch.from_bytes(b)).to_bytes())


def _sketch(table: Any, name: str, argument: str, edges: Any = None) -> Any:
    """One delayed state (bytes) of a column of every partition, merged in a fixed tree (a
    pandas reference, already in the client's memory, is sketched there)."""
    if not isinstance(table, _graph.dd.DataFrame):
        return _graph.dask.delayed(_sketch_part(table, name, argument, edges))
    parts = list(table[[name]].to_delayed())
    states = [_graph.dask.delayed(_sketch_part, pure=True)(part, name, argument, edges) for part in parts]
    return _graph.tree_reduce(states, _merge_sketches)


def _over_budget(name: str, why: str) -> ResourceLimitError:
    budget = _graph.memory_budget()
    return ResourceLimitError(
        f"current: column '{name}' of both tables exceeds the memory budget of {budget / 2**20:.4g} MiB and {why}; "
        f"raise the budget with dask.config.set({{'{_graph.MEMORY_BUDGET_KEY}': '8GiB'}})"
    )


def _is_numeric(table: Any, name: str) -> bool:
    return table[name].dtype.kind in "biufcmM"


_BINNED = ("psi", "jensenshannon", "kl_div", "hellinger", "tvd")
"""Distances on Evidently's bins: on a numeric column with more than 20 distinct reference
values, Sturges bins whose edges need only the exact extremes and sizes (the second pass
counts on them)."""


def _states(tasks: list[Any], client: Any) -> list[Any]:
    """The merged states of the tasks, as the core's ColumnSketch objects."""
    return [_core_drift.ColumnSketch.from_bytes(b) for b in _graph.compute(tasks, client)] if tasks else []


def _sketched_results(
    ref: Any, cur: Any, requests: list[Any], roles: dict[str, str], client: Any
) -> list[ColumnResult]:
    """The results of the requested columns from merged sketches: one pass on the grid, then
    one more for the numeric columns whose grid bins are coarse (refined edges) or whose
    binned distances need Sturges bins."""
    for name, tests, _, _ in requests:
        if _is_numeric(ref, name):
            never = [t.name for t in tests if t.name in _NEVER_SKETCHED]
            if never:
                raise _over_budget(name, f"test '{never[0]}' has no sketched form")
    grid = _states(
        [t for name, *_ in requests for t in (_sketch(ref, name, "reference"), _sketch(cur, name, "current"))], client
    )
    pairs = [(grid[2 * i], grid[2 * i + 1]) for i in range(len(requests))]
    chosen: list[list[Any]] = []
    for (name, tests, _, _), (r, c) in zip(requests, pairs):
        if not tests:
            try:
                tests = [_core_drift.resolve_sketch_test(name, r, c)]
            except InvalidInputError as error:
                raise _over_budget(name, str(error)) from error
        chosen.append(tests)
    # A second pass for every numeric column at once whose grid bins are coarse or whose
    # binned distances need the Sturges edges (refined_edges adds them).
    second = []
    for i, ((r, c), tests) in enumerate(zip(pairs, chosen)):
        if r.numeric and c.numeric:
            sturges = any(t.name in _BINNED and not _core_drift.sketch_supports(t, r, c) for t in tests)
            if sturges or _core_drift.needs_refinement(r, c):
                second.append((i, _core_drift.refined_edges(r, c, sturges)))
    tasks = [
        task
        for i, edges in second
        for task in (_sketch(ref, requests[i][0], "reference", edges), _sketch(cur, requests[i][0], "current", edges))
    ]
    states = _states(tasks, client)
    for k, (i, _) in enumerate(second):
        pairs[i] = (states[2 * k], states[2 * k + 1])
    results = []
    for i, ((name, _, thresholds, by_test), tests) in enumerate(zip(requests, chosen)):
        for t, test in enumerate(tests):
            state = pairs[i]
            if not _core_drift.sketch_supports(test, *state):
                raise _over_budget(
                    name, f"test '{test.name}' cannot be computed from the merged sketches of its values"
                )
            own = thresholds[t] if t < len(thresholds) else math.nan
            threshold = by_test.get(test, math.nan) if math.isnan(own) else own
            core = _core_drift.compare_sketches(name, *state, test, threshold)
            results.append(column_result(core, roles.get(name, "feature")))
    return results


def _column_report(reference: Any, current: Any, **options: Any) -> drift.DriftReport:
    return drift.report(reference, current, n_jobs=_graph.task_threads(), progress=False, **options)


def report(
    reference: Any,
    current: Any,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    *,
    target: str | Sequence[str] | None = None,
    prediction: str | Sequence[str] | None = None,
    drift_share: float = 0.5,
    correction: str | None = None,
    client: Any = None,
) -> drift.DriftReport:
    """[`assay.drift.report`][assay.drift.report] of dask DataFrames.

    One task per checked column gathers that column of both tables and runs the
    single-machine tests on it: the report equals the single-machine report of the computed
    tables, bitwise, for every test (the rank tests KS, Cramer-von Mises, Anderson-Darling,
    Mann-Whitney, Wasserstein and energy included).

    A column whose values in both tables exceed the memory budget
    ([`memory_budget`][assay.dask.memory_budget]) is tested from states merged over the
    partitions instead, and the same for any partitioning: categorical columns, the binned
    distances (``psi``, ``jensenshannon``, ``kl_div``, ``hellinger``, ``tvd``) and, on numeric
    columns whose value bins each hold one distinct value, every test on counts, by the
    single-machine tests on exact counts (the same result); KS, Cramer-von Mises,
    Mann-Whitney (``mannw``, ``mannwhitneyu``), Wasserstein and energy distance on numeric
    columns as sketches, with ``exact`` False, the statistic's ``statistic_bound`` and the
    ``pvalue_interval`` that holds the exact p-value (numeric columns are read twice when
    their bins are coarse or the distances need Sturges bins). The docs' Dask page states the
    bounds.

    Parameters
    ----------
    reference : dask or pandas DataFrame
        The reference table, with at least one row.
    current : dask DataFrame
        The current table.
    columns, tests, thresholds, target, prediction, drift_share, correction
        As in [`assay.drift.report`][assay.drift.report].
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    DriftReport
        The same result class as [`assay.drift.report`][assay.drift.report].

    Raises
    ------
    InvalidTypeError
        A table is not a dask (or, for the reference, pandas) DataFrame; otherwise as in the
        single-machine call.
    InvalidInputError
        As in the single-machine call.
    ResourceLimitError
        A column of both tables exceeds the memory budget and one of its tests has no
        sketched form (Anderson-Darling, Epps-Singleton, t-test, empirical MMD; chisquare,
        g_test, z, fisher_exact and TVD on a numeric column whose bins hold several values;
        Mann-Whitney when a sample has at most 8 values and ties are possible), or 'auto'
        cannot be resolved from the sketches.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> rng = np.random.default_rng(0)
    >>> reference = pd.DataFrame({"age": rng.normal(40, 10, 500)})
    >>> current = dd.from_pandas(pd.DataFrame({"age": rng.normal(45, 10, 500)}), npartitions=4)
    >>> adask.drift.report(reference, current).drifted_columns
    ['age']

    Beyond the memory budget the KS test is sketched, with its bounds:

    >>> import dask
    >>> with dask.config.set({"assay.memory-budget": "4KiB"}):
    ...     result = adask.drift.report(reference, current, tests="ks")["age"]
    >>> result.exact, result.drifted, result.statistic_bound < 0.01
    (False, True, True)
    """
    ref, cur = _table(reference, "reference"), _table(current, "current")
    roles: dict[str, str] = {}
    for role, value in (("target", target), ("prediction", prediction)):
        for name in [value] if isinstance(value, str) else list(value or []):
            roles[name] = role if name not in roles else "both"
    if "both" in roles.values():
        raise InvalidInputError(
            f"columns {sorted(n for n, r in roles.items() if r == 'both')} are named both as target and as prediction"
        )
    missing_roles = [c for c in roles if c not in ref.columns]
    if missing_roles:
        raise InvalidInputError(f"target/prediction columns {missing_roles} are not in the reference data")
    features = _checked(ref, cur, columns, set(roles))
    checked = features + [c for c in roles if c not in features]
    core_requests(checked, tests, thresholds)  # option errors before any work
    if not isinstance(drift_share, (int, float)) or isinstance(drift_share, bool) or not 0 <= drift_share <= 1:
        raise InvalidInputError(f"drift_share must be in [0, 1], got {drift_share!r}")
    if correction is not None:
        drift.adjust_pvalues([0.5], correction)  # an unknown correction fails here
    over = set(_budget([ref, cur], checked, sketch=True))
    requests = [r for r in core_requests(checked, tests, thresholds) if r[0] in over]
    sketched = (
        _sketched_results(ref, cur, requests, {n: roles.get(n, "feature") for n in over if n not in features}, client)
        if requests
        else []
    )
    tasks = []
    for name in [c for c in checked if c not in over]:
        column_tests, column_thresholds = _column_options(name, tests, thresholds)
        role = roles.get(name, "feature") if name not in features else "feature"
        options: dict[str, Any] = {"tests": column_tests, "thresholds": column_thresholds}
        options.update({role: name} if role != "feature" else {"columns": [name]})
        tasks.append(_graph.gathered(_column_report, _column_parts(ref, [name]), _column_parts(cur, [name]), **options))
    reports = _graph.compute(tasks, client) if tasks else []
    gathered = [r for rep in reports for r in [*rep.columns, *rep.target, *rep.prediction]]
    by_column: dict[str, list[ColumnResult]] = {}
    for result in [*gathered, *sketched]:
        by_column.setdefault(result.column, []).append(result)
    every = _corrected([r for name in checked for r in by_column.get(name, [])], correction)
    by_role: dict[str, list[ColumnResult]] = {"feature": [], "target": [], "prediction": []}
    for result in every:
        by_role[result.role].append(result)
    return drift.DriftReport(
        by_role["feature"], float(drift_share), by_role["target"], by_role["prediction"], correction
    )


def _column_over_time(reference: Any, current: Any, **options: Any) -> drift.DriftOverTime:
    return drift.over_time(reference, current, n_jobs=_graph.task_threads(), progress=False, **options)


def over_time(
    reference: Any,
    current: Any,
    *,
    time: str | None = None,
    freq: str | None = None,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    correction: str | None = None,
    client: Any = None,
) -> drift.DriftOverTime:
    """[`assay.drift.over_time`][assay.drift.over_time] of dask DataFrames.

    One task per checked column gathers that column of both tables (and the ``time``
    column) and computes its drift per chunk with the single-machine engine; the chunks'
    results are then joined and a ``correction`` is applied within each chunk over all
    columns, as the single-machine call does. The result equals the single-machine result
    of the computed tables.

    Parameters
    ----------
    reference : dask or pandas DataFrame
        The reference table, with at least one row.
    current : dask DataFrame
        The current table, in row order (chunks by size or count follow it).
    time : str, optional
        A column of ``current`` with the rows' times (then not checked).
    freq, chunk_size, n_chunks, columns, tests, thresholds, correction
        As in [`assay.drift.over_time`][assay.drift.over_time].
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    DriftOverTime
        The same result class as [`assay.drift.over_time`][assay.drift.over_time].

    Raises
    ------
    InvalidTypeError
        A table is not a dask (or, for the reference, pandas) DataFrame, or ``time`` is not
        a column name; otherwise as in the single-machine call.
    InvalidInputError
        As in the single-machine call.
    ResourceLimitError
        A column of both tables exceeds the memory budget.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> rng = np.random.default_rng(0)
    >>> reference = pd.DataFrame({"age": rng.normal(40, 10, 500)})
    >>> shifted = np.concatenate([rng.normal(40, 10, 300), rng.normal(55, 10, 300)])
    >>> current = dd.from_pandas(pd.DataFrame({"age": shifted}), npartitions=4)
    >>> adask.drift.over_time(reference, current, n_chunks=3).drift_counts()
    [0, 1, 1]
    """
    ref, cur = _table(reference, "reference"), _table(current, "current")
    if time is not None and not isinstance(time, str):
        raise InvalidTypeError(f"time: name a column of current, got {type(time).__name__}")
    if time is not None and time not in cur.columns:
        raise InvalidInputError(f"time: column '{time}' is not in the current data")
    checked = _checked(ref, cur, columns, {time} if time is not None else set())
    if not checked:
        raise InvalidInputError("no columns to check")
    core_requests(checked, tests, thresholds)
    if correction is not None:
        drift.adjust_pvalues([0.5], correction)
    _budget([ref, cur], checked, [time] if time is not None else None)
    tasks = []
    for name in checked:
        column_tests, column_thresholds = _column_options(name, tests, thresholds)
        current_names = [name] + ([time] if time is not None else [])
        tasks.append(
            _graph.gathered(
                _column_over_time,
                _column_parts(ref, [name]),
                _column_parts(cur, current_names),
                time=time,
                freq=freq,
                chunk_size=chunk_size,
                n_chunks=n_chunks,
                columns=[name],
                tests=column_tests,
                thresholds=column_thresholds,
            )
        )
    results = _graph.compute(tasks, client)
    chunks = results[0].chunks
    joined = [_corrected([r for result in results for r in result.results[i]], correction) for i in range(len(chunks))]
    return drift.DriftOverTime(chunks, joined, correction)
