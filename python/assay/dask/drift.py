"""Drift on Dask: [`report`][assay.dask.drift.report] and
[`over_time`][assay.dask.drift.over_time] of dask DataFrames, one task per column.

Each checked column of the reference and of the current table is gathered into one task
(when it fits the memory budget, [`memory_budget`][assay.dask.memory_budget]) and tested
there by the single-machine engine, so every statistic and p-value, the rank tests' too,
equals the single-machine result bitwise; a multiple-testing ``correction`` is then applied
over all columns' p-values together, as the single-machine call does.

Beyond the budget, ``report`` and ``over_time`` merge per-partition states of the core
instead (``assay._core.drift.ColumnSketch``: exact counts of the categories, or exact counts
with the extremes of value bins and the exact sums of the values and of their squares), in a
fixed tree, one state per sample (``over_time``: per chunk of the current rows); the merge is
exact, so the result does not depend on the partitions. Categorical columns, numeric columns
whose bins each hold one value, and the t-test give the single-machine result; the rank tests
give a sketched result whose bounds the result states (``exact``, ``statistic_bound``,
``pvalue_interval``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .. import drift
from .._chunks import time_seconds
from .._core import drift as _core_drift
from .._frame import as_frame
from .._inputs import count_arg
from ..drift._over_time import MAX_OVER_TIME_RESULTS
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


def _rows(tables: Sequence[Any], client: Any) -> list[int]:
    lazy = [t for t in tables if isinstance(t, _graph.dd.DataFrame)]
    counts = iter(_graph.total_rows(lazy, client))
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


def _budget(
    tables: list[Any], names: list[str], client: Any, extra: list[str] | None = None, *, sketch: bool = False
) -> list[str]:
    """The columns over the memory budget (ResourceLimitError unless ``sketch``)."""
    rows = _rows(tables, client)
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

_NEVER_SKETCHED = ("es", "empirical_mmd")
"""Numeric tests with no sketched form: beyond the budget they raise ResourceLimitError."""


Specs = list[tuple[str, Any]]
"""Which sketches one task computes: (column name, bin edges or None for the fixed grid)."""


def _spec_names(specs: Specs) -> list[str]:
    """The columns the specs read, each once, in order."""
    return list(dict.fromkeys(name for name, _ in specs))


def _sketch_part(part: Any, specs: Specs, argument: str) -> list[bytes]:
    """The states of one partition's rows, one per spec, as bytes (``part`` holds the
    specs' columns only: each is converted once)."""
    frame = as_frame(part, argument=argument)
    return [bytes(_core_drift.sketch_column(frame.core_columns([name]), edges).to_bytes()) for name, edges in specs]


def _merge_sketches(a: list[bytes], b: list[bytes]) -> list[bytes]:
    return [
        bytes(_core_drift.ColumnSketch.from_bytes(x).merge(_core_drift.ColumnSketch.from_bytes(y)).to_bytes())
        for x, y in zip(a, b)
    ]


def _merged(states: list[Any], n_specs: int) -> list[Any]:
    """The partitions' state lists merged in a fixed tree, as one delayed state per spec."""
    merged = _graph.tree_reduce(states, _merge_sketches)
    return [merged[k] for k in range(n_specs)]


def _sketch(table: Any, specs: Specs, argument: str) -> list[Any]:
    """One delayed state (bytes) per spec of the table's rows: one task per partition computes
    every spec, and the partitions' states merge in a fixed tree (a pandas reference, already
    in the client's memory, is sketched there)."""
    if not specs:
        return []
    if not isinstance(table, _graph.dd.DataFrame):
        return [_graph.dask.delayed(state) for state in _sketch_part(table[_spec_names(specs)], specs, argument)]
    parts = table[_spec_names(specs)].to_delayed()
    return _merged([_graph.dask.delayed(_sketch_part, pure=True)(part, specs, argument) for part in parts], len(specs))


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
    """The results of the requested columns from merged sketches (see ``_sketched_samples``)."""
    return _sketched_samples(ref, [lambda specs: _sketch(cur, specs, "current")], requests, roles, client)[0]


def _sketched_samples(
    ref: Any, currents: list[Callable[[Specs], list[Any]]], requests: list[Any], roles: dict[str, str], client: Any
) -> list[list[ColumnResult]]:
    """For each current sample (the current table, or ``over_time``'s chunks of it), the
    results of the requested columns from merged sketches: one pass on the grid, then one
    more for the numeric columns whose grid bins are coarse (refined edges) or whose binned
    distances need Sturges bins; each pass is one Dask computation over every sample. A
    sample is given by the delayed merged states of its columns on given edges,
    ``sample([(name, edges), ...])``."""
    for name, tests, _, _ in requests:
        if _is_numeric(ref, name):
            never = [t.name for t in tests if t.name in _NEVER_SKETCHED]
            if never:
                raise _over_budget(name, f"test '{never[0]}' has no sketched form")
    n = len(requests)
    on_grid: Specs = [(name, None) for name, *_ in requests]
    grid = _states(_sketch(ref, on_grid, "reference") + [t for sample in currents for t in sample(on_grid)], client)
    pairs = [[(grid[i], grid[n * (1 + s) + i]) for i in range(n)] for s in range(len(currents))]
    chosen: list[list[list[Any]]] = []
    for sample in pairs:
        chosen.append([])
        for (name, tests, _, _), (r, c) in zip(requests, sample):
            if not tests:
                try:
                    tests = [_core_drift.resolve_sketch_test(name, r, c)]
                except InvalidInputError as error:
                    raise _over_budget(name, str(error)) from error
            chosen[-1].append(tests)
    # A second pass for every numeric column at once whose grid bins are coarse or whose
    # binned distances need the Sturges edges (refined_edges adds them).
    second = []
    for s, (sample, sample_tests) in enumerate(zip(pairs, chosen)):
        for i, ((r, c), tests) in enumerate(zip(sample, sample_tests)):
            if r.numeric and c.numeric:
                sturges = any(t.name in _BINNED and not _core_drift.sketch_supports(t, r, c) for t in tests)
                # The t-test reads the exact moments only: no finer bins help it.
                binned = any(t.name != "t_test" for t in tests)
                if sturges or (binned and _core_drift.needs_refinement(r, c)):
                    second.append((s, i, _core_drift.refined_edges(r, c, sturges)))
    tasks = _sketch(ref, [(requests[i][0], edges) for _, i, edges in second], "reference")
    for s, states_of in enumerate(currents):
        tasks += states_of([(requests[i][0], edges) for t, i, edges in second if t == s])
    states = _states(tasks, client)
    # ``second`` runs sample by sample, so the current states follow the reference ones in its order.
    for k, (s, i, _) in enumerate(second):
        pairs[s][i] = (states[k], states[len(second) + k])
    out = []
    for sample, sample_tests in zip(pairs, chosen):
        results = []
        for (name, _, thresholds, by_test), state, tests in zip(requests, sample, sample_tests):
            for t, test in enumerate(tests):
                if not _core_drift.sketch_supports(test, *state):
                    raise _over_budget(
                        name, f"test '{test.name}' cannot be computed from the merged sketches of its values"
                    )
                own = thresholds[t] if t < len(thresholds) else math.nan
                threshold = by_test.get(test, math.nan) if math.isnan(own) else own
                core = _core_drift.compare_sketches(name, *state, test, threshold)
                results.append(column_result(core, roles.get(name, "feature")))
        out.append(results)
    return out


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
    single-machine tests on exact counts (the same result); ``t_test`` from the exact sums of
    the values and of their squares (the same result); KS, Cramer-von Mises, Anderson-Darling,
    Mann-Whitney (``mannw``, ``mannwhitneyu``), Wasserstein and energy distance on numeric
    columns as sketches, with ``exact`` False, the statistic's ``statistic_bound`` and the
    ``pvalue_interval`` that holds the exact p-value (Anderson-Darling exact when every bin
    holds one value; numeric columns are read twice when their bins are coarse or the
    distances need Sturges bins). The docs' Dask page states the bounds.

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
        sketched form (Epps-Singleton, empirical MMD; chisquare,
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
    over = set(_budget([ref, cur], checked, client, sketch=True))
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


# --- over_time beyond the memory budget: a merged state per chunk ---------------------------


def _periods(part: Any, time: str, freq: str) -> tuple[Any, Any, Any]:
    """A partition's rows' periods (pandas Periods, as the single-machine ``chunk_labels``
    makes them), their ordinals (which order the periods) and the rows' times in seconds."""
    import pandas as pd

    seconds = time_seconds(time, as_frame(part[[time]], argument="current"))
    try:
        periods = pd.to_datetime(pd.Series(seconds), unit="s").dt.to_period(freq)
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidInputError(f"freq={freq!r} on time: {error}") from error
    return periods, np.asarray(periods.array.asi8), seconds


def _period_summary(part: Any, time: str, freq: str) -> dict[int, tuple[str, float, float, int]]:
    """Per period of a partition, by ordinal: its label, first and last time and rows."""
    import pandas as pd

    periods, ordinals, seconds = _periods(part, time, freq)
    grouped = pd.DataFrame({"o": ordinals, "t": seconds}).groupby("o", sort=True)["t"].agg(["min", "max", "size"])
    _, first = np.unique(ordinals, return_index=True)  # ascending ordinals, as the groups
    labels = [str(periods.iloc[i]) for i in first]
    return {
        int(o): (label, float(lo), float(hi), int(n))
        for o, label, lo, hi, n in zip(grouped.index, labels, grouped["min"], grouped["max"], grouped["size"])
    }


def _chunk_of_rows(part: Any, offset: int, plan: dict[str, Any]) -> Any:
    """The chunk index of each row of a partition whose first row is row ``offset``."""
    if plan["freq"] is not None:
        _, ordinals, _ = _periods(part, plan["time"], plan["freq"])
        return np.searchsorted(plan["ordinals"], ordinals)
    positions = offset + np.arange(len(part), dtype=np.int64)
    if plan["size"] is not None:
        return positions // plan["size"]
    return (positions * plan["count"]) // max(plan["rows"], 1)


def _sketch_chunk_part(part: Any, chunk_of_rows: Any, chunk: int, specs: Specs) -> list[bytes]:
    """The states of a partition's rows of one chunk, one per spec, as bytes."""
    return _sketch_part(part.loc[chunk_of_rows == chunk, _spec_names(specs)], specs, "current")


def _chunk_plan(
    cur: Any, time: str | None, freq: str | None, chunk_size: Any, n_chunks: Any, client: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], list[int]]:
    """How the current rows fall into chunks, decided from per-partition summaries (no
    column gathered): the plan each partition task applies, the chunks' descriptions as the
    single-machine call gives them, and each partition's first row."""
    if sum(x is not None for x in (freq, chunk_size, n_chunks)) > 1:
        raise InvalidInputError("give at most one of freq, chunk_size and n_chunks")
    parts = list(cur.to_delayed())
    lengths = _graph.compute([_graph.dask.delayed(len)(p) for p in parts], client)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    n_rows = int(sum(lengths))
    plan: dict[str, Any] = {"time": time, "freq": freq, "size": None, "count": None, "rows": n_rows}
    if freq is not None:
        if not isinstance(freq, str):
            raise InvalidTypeError(f"freq must be a pandas period alias such as 'D', got {type(freq).__name__}")
        if time is None:
            raise InvalidInputError("freq needs time=")
        summaries = _graph.compute(
            [_graph.dask.delayed(_period_summary, pure=True)(p, time, freq) for p in parts], client
        )
        merged: dict[int, list[Any]] = {}
        for summary in summaries:
            for ordinal, (label, start, end, rows) in summary.items():
                if ordinal in merged:
                    seen = merged[ordinal]
                    seen[1], seen[2], seen[3] = min(seen[1], start), max(seen[2], end), seen[3] + rows
                else:
                    merged[ordinal] = [label, start, end, rows]
        plan["ordinals"] = np.array(sorted(merged), dtype=np.int64)
        chunks = [
            {"chunk": i, "label": merged[o][0], "start": merged[o][1], "end": merged[o][2], "rows": merged[o][3]}
            for i, o in enumerate(plan["ordinals"].tolist())
        ]
        return plan, chunks, offsets
    if time is not None:
        raise ResourceLimitError(
            f"current: chunks of a size or count in time order need the rows ordered by '{time}', and the "
            f"columns exceed the memory budget of {_graph.memory_budget() / 2**20:.4g} MiB; chunk by period "
            f"(freq=) or raise the budget with dask.config.set({{'{_graph.MEMORY_BUDGET_KEY}': '8GiB'}})"
        )
    if chunk_size is not None:
        size = plan["size"] = count_arg(chunk_size, "chunk_size")
        n = -(-n_rows // size)
        rows = [min(size, n_rows - k * size) for k in range(n)]
    else:
        count = plan["count"] = min(10 if n_chunks is None else count_arg(n_chunks, "n_chunks"), max(n_rows, 1))
        n = count if n_rows else 0
        # Row p is in chunk p * count // n_rows: chunk k starts at row ceil(k n_rows / count).
        first = [-(-k * n_rows // count) for k in range(n + 1)]
        rows = [first[k + 1] - first[k] for k in range(n)]
    chunks = [{"chunk": k, "label": k, "start": math.nan, "end": math.nan, "rows": rows[k]} for k in range(n)]
    return plan, chunks, offsets


def _sketched_over_time(
    ref: Any,
    cur: Any,
    requests: list[Any],
    plan: dict[str, Any],
    chunks: list[dict[str, Any]],
    offsets: list[int],
    client: Any,
) -> list[list[ColumnResult]]:
    """Per chunk, the results of the requested columns from merged sketches of the
    reference and of the chunk's rows, exactly as ``report`` computes them beyond the budget."""
    parts = list(cur.to_delayed())
    delayed = _graph.dask.delayed
    # Each partition's rows' chunks, one task per partition that every chunk's tasks share.
    labels = [delayed(_chunk_of_rows, pure=True)(part, offset, plan) for part, offset in zip(parts, offsets)]

    def sample(chunk: int) -> Callable[[Specs], list[Any]]:
        def states(specs: Specs) -> list[Any]:
            if not specs:
                return []
            partition_states = [
                delayed(_sketch_chunk_part, pure=True)(part, chunk_of_rows, chunk, specs)
                for part, chunk_of_rows in zip(parts, labels)
            ]
            return _merged(partition_states, len(specs))

        return states

    return _sketched_samples(ref, [sample(chunk["chunk"]) for chunk in chunks], requests, {}, client)


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

    A column whose values in both tables exceed the memory budget is tested, chunk by chunk,
    from merged per-partition states as [`report`][assay.dask.drift.report] tests it beyond the
    budget: the chunks are decided without gathering anything (by period of ``time`` from
    per-partition summaries, or by row position), one ``ColumnSketch`` of the reference and
    one of each chunk's rows are merged in a fixed tree, and each result carries ``exact``,
    ``statistic_bound`` and ``pvalue_interval`` (the count tests, binned distances and
    t-test exact, the rank tests sketched with their bounds). The chunks equal the single-machine call's.

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
        A column of both tables exceeds the memory budget and one of its tests has no
        sketched form (as in [`report`][assay.dask.drift.report]), or the chunks are of a size
        or count in ``time`` order (they would need the rows ordered by time), or the chunks
        would make more than ``MAX_OVER_TIME_RESULTS`` results.

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
    over = set(_budget([ref, cur], checked, client, [time] if time is not None else None, sketch=True))
    sketched: list[list[ColumnResult]] = []
    if over:
        plan, chunks, offsets = _chunk_plan(cur, time, freq, chunk_size, n_chunks, client)
        if not chunks:
            raise InvalidInputError("current has no rows")
        requests = [r for r in core_requests(checked, tests, thresholds) if r[0] in over]
        made = len(chunks) * sum(max(1, len(r[1])) for r in requests)
        if made > MAX_OVER_TIME_RESULTS:
            raise ResourceLimitError(
                f"{len(chunks)} chunks x {len(requests)} columns make {made} results, above the limit of "
                f"{MAX_OVER_TIME_RESULTS}; use fewer, larger chunks"
            )
        sketched = _sketched_over_time(ref, cur, requests, plan, chunks, offsets, client)
    tasks = []
    for name in [c for c in checked if c not in over]:
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
    results = _graph.compute(tasks, client) if tasks else []
    if results:
        chunks = results[0].chunks
    joined = []
    for i in range(len(chunks)):
        by_column: dict[str, list[ColumnResult]] = {}
        for r in [r for result in results for r in result.results[i]] + (sketched[i] if sketched else []):
            by_column.setdefault(r.column, []).append(r)
        joined.append(_corrected([r for name in checked for r in by_column.get(name, [])], correction))
    return drift.DriftOverTime(chunks, joined, correction)
