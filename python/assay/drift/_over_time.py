"""Drift of every column per chunk of the current data (``over_time``) and its result."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .. import report
from .._chunks import chunk_labels, time_seconds
from .._core import drift as _core_drift
from .._frame import as_frame
from .._inputs import converted
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg
from ..errors import InvalidInputError, ResourceLimitError
from ..typing import ArrayLike, NJobs, Progress, TableLike
from ._corrections import correction_arg
from ._inputs import checked_frames, progress_arg
from ._report import ColumnResult, column_result, column_result_from_dict, core_requests, results_table


@dataclass
class DriftOverTime(Exportable):
    """Drift statistics per chunk of the current data, the result of [`over_time`][assay.drift.over_time].

    The fields are also the attributes; in a notebook the result shows as an HTML table.

    Parameters
    ----------
    chunks : list of dict
        One dict per chunk: ``chunk`` (its index), ``label`` (the period, or the index),
        ``start`` and ``end`` (first and last time in seconds since the epoch; NaN without
        ``time``) and ``rows``.
    results : list of list of ColumnResult
        ``results[i]`` are the column results of chunk i.
    correction : str or None, default None
        The multiple-testing correction applied within each chunk (None: none).
    """

    chunks: list[dict[str, Any]]
    results: list[list[ColumnResult]]
    correction: str | None = None

    def to_frame(self) -> Any:
        """The results as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per (chunk, column, test): ``chunk``, ``label``, ``start``, ``end``
            and the fields of [`ColumnResult`][assay.drift.ColumnResult].
        """
        import pandas as pd

        rows = []
        for chunk, results in zip(self.chunks, self.results):
            for r in results:
                rows.append(
                    {
                        "chunk": chunk["chunk"],
                        "label": chunk["label"],
                        "start": chunk["start"],
                        "end": chunk["end"],
                        **asdict(r),
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The results as a JSON-safe dict.

        Returns
        -------
        dict
            ``correction`` and ``chunks``: each chunk's dict with its column results
            under ``columns``; NaN as None.
        """
        return json_safe(
            {
                "correction": self.correction,
                "chunks": [{**c, "columns": [asdict(r) for r in rs]} for c, rs in zip(self.chunks, self.results)],
            }
        )

    def drift_counts(self) -> list[int]:
        """The number of drifted columns per chunk.

        Returns
        -------
        list of int
            For each chunk, the columns whose first test flags drift.
        """
        counts = []
        for results in self.results:
            seen: set[str] = set()
            count = 0
            for r in results:
                if r.column not in seen:
                    seen.add(r.column)
                    count += r.drifted
            counts.append(count)
        return counts

    _kind = "DriftOverTime"
    _title = "assay drift over time"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DriftOverTime:
        chunks = [{k: v for k, v in c.items() if k != "columns"} for c in data["chunks"]]
        for chunk in chunks:
            chunk["start"], chunk["end"] = nan_if_none(chunk["start"]), nan_if_none(chunk["end"])
        results = [[column_result_from_dict(r) for r in c["columns"]] for c in data["chunks"]]
        return cls(chunks=chunks, results=results, correction=data["correction"])

    def _sections(self) -> list[report.Section]:
        labels = [str(c["label"]) for c in self.chunks]
        counts = report.charts.line(labels, self.drift_counts(), title="Drifted columns per chunk", y_label="columns")
        flagged = [(c, r) for c, rs in zip(self.chunks, self.results) for r in rs]
        flagged.sort(key=lambda item: not item[1].drifted)
        chunk_labels = [("chunk", [str(c["label"]) for c, _ in flagged])]
        table = results_table([r for _, r in flagged], chunk_labels, adjusted=bool(self.correction))
        note = (
            f"p-values adjusted per chunk ({self.correction}): a test's score is its adjusted p-value."
            if self.correction
            else "p-values not adjusted."
        )
        return [report.Section("Drift over time", [report.Text(note), counts, table], anchor="drift-over-time")]

    def __repr__(self) -> str:
        return f"<assay DriftOverTime: {len(self.chunks)} chunks>"


MAX_OVER_TIME_RESULTS = 10_000_000
"""Most (chunk, column, test) results [`over_time`][assay.drift.over_time] makes in one call."""


def over_time(
    reference: TableLike,
    current: TableLike,
    *,
    time: str | ArrayLike | None = None,
    freq: str | None = None,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    correction: str | None = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DriftOverTime:
    """Drift of every column per chunk of ``current``, for monitoring.

    Chunks are calendar periods of ``time`` with ``freq``, consecutive runs of
    ``chunk_size`` rows, or ``n_chunks`` equal parts (default 10, NannyML's default); rows
    are taken in ``time`` order when it is given. Give at most one of ``freq``,
    ``chunk_size`` and ``n_chunks``. ``'auto'`` picks one test per column from the
    reference alone, so every chunk of a column uses the same test.

    Parameters
    ----------
    reference : TableLike
        The reference table, with at least one row.
    current : TableLike
        The current table, with at least one row and every checked column.
    time : str or ArrayLike, optional
        A column name of ``current`` (then not checked for drift) or an array with one
        value per current row: numbers or datetimes, without missing or infinite values.
    freq : str, optional
        A pandas period alias such as ``"D"``, ``"W"`` or ``"M"``: one chunk per calendar
        period of ``time`` (needs ``time`` and pandas).
    chunk_size : int, optional
        Rows per chunk (the last chunk may be smaller).
    n_chunks : int, optional
        The number of (nearly) equal chunks; 10 when none of ``freq``, ``chunk_size``
        and ``n_chunks`` is given.
    columns : Sequence[str], optional
        The columns to check; by default every reference column (but ``time``).
    tests : str or Sequence[str] or Mapping, default 'auto'
        As in [`report`][assay.drift.report].
    thresholds : float or Mapping[str, float], optional
        As in [`report`][assay.drift.report].
    correction : str, optional
        As in [`report`][assay.drift.report], applied to each chunk's tests as one family
        (the chunk's own report).
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DriftOverTime
        The chunks and the column results of each.

    Raises
    ------
    InvalidTypeError
        As in [`report`][assay.drift.report]; also ``time`` holding strings, or ``freq``
        not a string.
    InvalidInputError
        As in [`report`][assay.drift.report]; also more than one of ``freq``,
        ``chunk_size`` and ``n_chunks``, ``freq`` without ``time`` or not a period alias,
        a ``time`` column absent, of the wrong length or with missing values, a chunk
        count or size that is not a positive integer, or no current rows.
    ResourceLimitError
        The chunks would make more than
        [`MAX_OVER_TIME_RESULTS`][assay.drift.MAX_OVER_TIME_RESULTS] results.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500)}
    >>> current = {"age": np.concatenate([rng.normal(40, 10, 300), rng.normal(55, 10, 300)])}
    >>> drift.over_time(reference, current, n_chunks=3).drift_counts()
    [0, 1, 1]
    >>> days = np.arange("2024-01-01", "2024-01-07", dtype="datetime64[D]").repeat(100)
    >>> result = drift.over_time(reference, current, time=days, freq="D", tests="ks")
    >>> [(chunk["label"], count) for chunk, count in zip(result.chunks, result.drift_counts())]
    [('2024-01-01', 0), ('2024-01-02', 0), ('2024-01-03', 0), ('2024-01-04', 1), ('2024-01-05', 1), ('2024-01-06', 1)]
    """
    method = correction_arg(correction, "correction")
    cur_frame = converted(lambda: as_frame(current, argument="current"), "current")
    time_values = time_seconds(time, cur_frame)
    exclude = {time} if isinstance(time, str) else set()
    ref, cur, checked = checked_frames(reference, cur_frame, columns, exclude)
    labels, names = chunk_labels(cur.n_rows, time_values, freq, chunk_size, n_chunks)
    if not names:
        raise InvalidInputError("current has no rows")
    requests = core_requests(checked, tests, thresholds)
    results_made = len(names) * sum(max(1, len(r[1])) for r in requests)
    if results_made > MAX_OVER_TIME_RESULTS:
        chosen = "freq" if freq is not None else "chunk_size" if chunk_size is not None else "n_chunks"
        raise ResourceLimitError(
            f"{chosen}: {len(names)} chunks x {len(requests)} columns make {results_made} "
            "results, "
            f"above the limit of {MAX_OVER_TIME_RESULTS}; use fewer, larger chunks"
        )
    jobs, callback = n_jobs_arg(n_jobs), progress_arg(progress, "drift over time")
    pairs = _core_drift.over_time(
        ref.core_columns(checked),
        cur.core_columns(checked),
        labels,
        len(names),
        requests,
        jobs,
        callback,
        method,
    )
    results: list[list[ColumnResult]] = [[] for _ in names]
    for chunk, core in pairs:
        results[chunk].append(column_result(core))
    counts = np.bincount(labels[labels >= 0], minlength=len(names))
    if time_values is not None:  # every chunk holds at least one row
        sorted_time = time_values[np.argsort(labels, kind="stable")]
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        starts = np.minimum.reduceat(sorted_time, offsets).tolist()
        ends = np.maximum.reduceat(sorted_time, offsets).tolist()
    else:
        starts = ends = [math.nan] * len(names)
    chunks = [
        {"chunk": i, "label": name, "start": start, "end": end, "rows": int(n)}
        for i, (name, start, end, n) in enumerate(zip(names, starts, ends, counts))
    ]
    return DriftOverTime(chunks, results, correction)
