"""Column drift: one test between two samples (``compare``) and the report of every column of
two tables (``report``), with its results and what the report layer shows of them."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .. import report as report_layer  # assay.report; `report` here is the drift report
from .._core import drift as _core_drift
from .._frame import Frame, as_column
from .._inputs import converted, real_arg
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike, NJobs, Progress, TableLike
from ._corrections import correction_arg
from ._inputs import checked_frames, column_list, progress_arg, threshold_arg

TESTS: tuple[str, ...] = (
    "ks",
    "wasserstein",
    "psi",
    "jensenshannon",
    "kl_div",
    "hellinger",
    "tvd",
    "chisquare",
    "g_test",
    "z",
    "fisher_exact",
    "anderson",
    "cramer_von_mises",
    "energy_distance",
    "mannw",
    "es",
    "ed",
    "t_test",
    "mannwhitneyu",
    "TVD",
    "empirical_mmd",
)
"""Test keys accepted by [`compare`][assay.drift.compare], [`report`][assay.drift.report]
and [`over_time`][assay.drift.over_time] (Evidently's names)."""


@dataclass(frozen=True)
class ColumnResult:
    """One drift test on one column, an entry of [`DriftReport`][assay.drift.DriftReport].

    ``score`` is the p-value for tests and the distance for distances; it is compared
    to ``threshold`` to give ``drifted`` (a p-value below, a distance at or above the
    threshold), except that with a report's ``correction`` p-value tests compare
    ``pvalue_adjusted`` instead. ``note`` explains a NaN score. The fields are also the
    attributes.

    Parameters
    ----------
    column : str
        The column's name.
    test : str
        The test's key (one of [`TESTS`][assay.drift.TESTS]).
    statistic : float
        The test statistic, or the distance.
    pvalue : float
        The p-value; NaN for distances.
    pvalue_adjusted : float
        The p-value after the report's multiple-testing correction (the p-value itself
        without one); NaN for distances.
    score : float
        What is compared with the threshold: the p-value (tests) or the distance.
    threshold : float
        The threshold: the user's, or the test's default (Evidently's).
    drifted : bool
        Whether the column drifted by this test.
    method : str
        How the p-value was computed, or how a distance binned the values.
    n_reference, n_current : int
        Values used from the reference and the current sample (missing and infinite
        values dropped).
    missing_reference, missing_current : int
        Missing values dropped from each sample.
    infinite_reference, infinite_current : int
        Infinite values dropped from each sample.
    note : str
        Why the score is NaN (e.g. a sample without values), else empty.
    role : str, default 'feature'
        ``"feature"``, ``"target"`` or ``"prediction"``.
    exact : bool, default True
        Whether the result is the exact one. False for a rank test that
        [`assay.dask.drift.report`][assay.dask.drift.report] computed from merged sketches
        beyond its memory budget: then ``statistic_bound`` and ``pvalue_interval`` bound it.
    statistic_bound : float, default 0.0
        The exact statistic lies within this distance of ``statistic`` (0 when exact).
    pvalue_interval : tuple of float, optional
        ``(low, high)``, an interval that holds the exact p-value of a sketched p-value test;
        None otherwise. ``pvalue`` (what ``drifted`` compares) is the p-value of ``statistic``.
    """

    column: str
    test: str
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    score: float
    threshold: float
    drifted: bool
    method: str
    n_reference: int
    n_current: int
    missing_reference: int
    missing_current: int
    infinite_reference: int
    infinite_current: int
    note: str
    role: str = "feature"
    exact: bool = True
    statistic_bound: float = 0.0
    pvalue_interval: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            The fields by name, NaN as None.
        """
        return json_safe(asdict(self))


def column_result(core: Any, role: str = "feature") -> ColumnResult:
    return ColumnResult(
        column=core.column,
        test=core.test,
        statistic=core.statistic,
        pvalue=core.pvalue,
        pvalue_adjusted=core.pvalue_adjusted,
        score=core.score,
        threshold=core.threshold,
        drifted=bool(core.drifted),
        method=core.method,
        n_reference=core.n_reference,
        n_current=core.n_current,
        missing_reference=core.missing_reference,
        missing_current=core.missing_current,
        infinite_reference=core.infinite_reference,
        infinite_current=core.infinite_current,
        note=core.note,
        role=role,
        exact=bool(core.exact),
        statistic_bound=core.statistic_bound,
        pvalue_interval=None if math.isnan(core.pvalue_low) else (core.pvalue_low, core.pvalue_high),
    )


def _test_names(tests: Any, argument: str) -> list[str]:
    """'auto' -> [] (the core picks); a key or a non-empty list of keys -> validated list."""
    if isinstance(tests, str):
        tests = "auto" if tests == "auto" else [tests]
    if tests == "auto":
        return []
    if not isinstance(tests, (list, tuple)):
        raise InvalidTypeError(f"{argument}: expected 'auto', a test key or a list of keys, got {type(tests).__name__}")
    names = list(tests)
    if not names:
        raise InvalidInputError(f"{argument}: the list of tests is empty; give 'auto', a test key or a list of keys")
    for name in names:
        if not isinstance(name, str) or name not in TESTS:
            raise InvalidInputError(f"{argument}: unknown test {name!r}; valid tests: {', '.join(TESTS)}")
    if len(set(names)) != len(names):
        raise InvalidInputError(f"{argument}: a test is listed twice in {names}")
    return names


def _gives_pvalue(test: str) -> bool:
    return _core_drift.test_info(_core_drift.Test[test])[0]


# One column's request to the core: (column, tests, thresholds, thresholds by test).
_CoreRequest = tuple[str, list[_core_drift.Test], list[float], dict[_core_drift.Test, float]]


def _core_request(column: str, tests: list[str], thresholds: list[float], by_test: dict[str, float]) -> _CoreRequest:
    """One column's request for the core, test keys as the core's Test members."""
    Test = _core_drift.Test
    return column, [Test[t] for t in tests], thresholds, {Test[t]: value for t, value in by_test.items()}


def compare(
    reference: ArrayLike, current: ArrayLike, test: str = "auto", threshold: float | None = None
) -> ColumnResult:
    """One column-drift test between two 1-D samples (numeric or categorical).

    Missing and infinite values are dropped and counted, and distances bin the samples as
    Evidently does, as in [`report`][assay.drift.report].

    Parameters
    ----------
    reference, current : ArrayLike
        The two samples: 1-D arrays of numbers, datetimes, strings or categories, both
        numeric or both categorical.
    test : str, default 'auto'
        A key of [`TESTS`][assay.drift.TESTS], or ``"auto"`` to pick as
        [`report`][assay.drift.report] does (Evidently's defaults).
    threshold : float, optional
        A finite number >= 0 (at most 1 for a test that compares a p-value); by default
        the test's own (Evidently's).

    Returns
    -------
    ColumnResult
        The result, for a column named "value".

    Raises
    ------
    InvalidTypeError
        A sample is not a 1-D array of a supported type, or the test does not apply to
        the samples' kind (e.g. ``"ks"`` on categories).
    InvalidInputError
        ``test`` is unknown, or ``threshold`` is negative, not finite, or above 1 for a
        p-value test.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference, current = rng.normal(40, 10, 500), rng.normal(45, 10, 500)
    >>> result = drift.compare(reference, current)
    >>> result.test, result.drifted
    ('ks', True)
    >>> result = drift.compare(reference, current, test="psi")
    >>> round(result.score, 3), result.threshold, result.drifted
    (0.263, 0.1, True)
    >>> drift.compare(["a", "b", "b", "a"], ["a", "a", "b", "a"]).test
    'z'
    """
    ref_column = converted(lambda: as_column(reference, name="value", argument="reference"), "reference")
    cur_column = converted(lambda: as_column(current, name="value", argument="current"), "current")
    frame_ref, frame_cur = Frame([ref_column], len(ref_column)), Frame([cur_column], len(cur_column))
    names = _test_names(test, "test")
    own = threshold_arg(threshold, "threshold")
    if names and _gives_pvalue(names[0]) and own > 1:
        raise InvalidInputError(
            f"threshold is {own:g} but test '{names[0]}' compares a p-value; give a number in [0, 1]"
        )
    requests = [_core_request("value", names, [own], {})]
    results = _core_drift.report(frame_ref.core_columns(), frame_cur.core_columns(), requests, 1, None)
    return column_result(results[0])


def core_requests(columns: Sequence[str], tests: Any, thresholds: Any) -> list[_CoreRequest]:
    """(column, tests, thresholds, thresholds by test) for the core.

    ``tests``: 'auto', a key, a non-empty list of keys, or a mapping column -> any of
    those (columns not in the mapping get 'auto'). ``thresholds``: None, a number for
    every test, or a mapping whose keys are column names or test keys (a column entry
    wins; a test entry also reaches columns whose test 'auto' picks). Thresholds are
    finite numbers >= 0, at most 1 where they are compared with a p-value.
    """
    if isinstance(tests, Mapping):
        unknown = sorted(str(c) for c in set(tests) - set(columns))
        if unknown:
            raise InvalidInputError(f"tests: columns {unknown} are not checked")
    elif not isinstance(tests, (str, list, tuple)):
        raise InvalidTypeError(
            f"tests must be 'auto', a test key, a list of keys or a mapping, got {type(tests).__name__}"
        )
    if thresholds is not None and not isinstance(thresholds, Mapping):
        if isinstance(thresholds, (bool, np.bool_)) or not isinstance(thresholds, numbers.Real):
            raise InvalidTypeError(f"thresholds must be None, a number or a mapping, got {type(thresholds).__name__}")
    by_test: dict[str, float] = {}
    if isinstance(thresholds, Mapping):
        unknown = sorted(str(k) for k in thresholds if k not in TESTS and k not in columns)
        if unknown:
            raise InvalidInputError(f"thresholds: {unknown} are neither checked columns nor test keys")
        by_test = {k: threshold_arg(v, f"thresholds['{k}']") for k, v in thresholds.items() if k in TESTS}
        for key, value in by_test.items():
            if _gives_pvalue(key) and value > 1:
                raise InvalidInputError(
                    f"thresholds['{key}'] is {value:g} but '{key}' compares a p-value; give a number in [0, 1]"
                )
    requests: list[_CoreRequest] = []
    for name in columns:
        chosen = tests.get(name, "auto") if isinstance(tests, Mapping) else tests
        names = _test_names(chosen, f"tests for column '{name}'" if isinstance(tests, Mapping) else "tests")
        if isinstance(thresholds, Mapping):
            argument = f"thresholds['{name}']"
            own = threshold_arg(thresholds.get(name), argument)
        else:
            argument = "thresholds"
            own = threshold_arg(thresholds, argument)
        pvalue_tests = [t for t in names if _gives_pvalue(t)]
        if own > 1 and pvalue_tests:
            raise InvalidInputError(
                f"{argument} is {own:g} but test '{pvalue_tests[0]}' of column '{name}' compares a "
                "p-value; give a number in [0, 1]"
            )
        requests.append(_core_request(name, names, [own] * max(1, len(names)), by_test))
    return requests


@dataclass
class DriftReport(Exportable):
    """Drift of every checked column between a reference and a current table.

    The result of [`report`][assay.drift.report]. A column counts as drifted when its
    first test flags it. ``report[name]`` is the first result of a column (feature,
    target or prediction; a ``KeyError`` when there is none). In a notebook the report
    shows as an HTML table, drifted columns first. The fields are also the attributes.

    Parameters
    ----------
    columns : list of ColumnResult
        One result per (feature column, test), in column order.
    drift_share : float
        The share of drifted feature columns from which the dataset counts as drifted.
    target : list of ColumnResult, default []
        The results of the target column(s).
    prediction : list of ColumnResult, default []
        The results of the prediction column(s).
    correction : str or None, default None
        The multiple-testing correction applied to the report's p-values.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "score": rng.normal(size=500)}
    >>> current = {"age": rng.normal(45, 10, 500), "score": rng.normal(size=500)}
    >>> result = drift.report(reference, current, target="score")
    >>> result.n_columns, result.n_drifted, result["age"].test, result.target[0].role
    (1, 1, 'ks', 'target')
    >>> result.to_dict()["drifted_columns"]
    ['age']
    """

    columns: list[ColumnResult]
    drift_share: float
    target: list[ColumnResult] = field(default_factory=list)
    prediction: list[ColumnResult] = field(default_factory=list)
    correction: str | None = None

    def _primary(self) -> list[ColumnResult]:
        seen: set[str] = set()
        primary = []
        for result in self.columns:
            if result.column not in seen:
                seen.add(result.column)
                primary.append(result)
        return primary

    @property
    def drifted_columns(self) -> list[str]:
        """The drifted feature columns, in column order."""
        return [r.column for r in self._primary() if r.drifted]

    @property
    def n_columns(self) -> int:
        """The number of feature columns checked."""
        return len(self._primary())

    @property
    def n_drifted(self) -> int:
        """The number of drifted feature columns."""
        return len(self.drifted_columns)

    @property
    def share_drifted(self) -> float:
        """The share of drifted feature columns (NaN when no feature column was checked)."""
        return self.n_drifted / self.n_columns if self.n_columns else math.nan

    @property
    def dataset_drift(self) -> bool:
        """Whether ``share_drifted >= drift_share`` (Evidently's rule); False without feature columns."""
        return self.n_columns > 0 and self.share_drifted >= self.drift_share

    def __getitem__(self, column: str) -> ColumnResult:
        for result in [*self.columns, *self.target, *self.prediction]:
            if result.column == column:
                return result
        raise KeyError(f"no column '{column}' in the report")

    def _ordered(self) -> list[ColumnResult]:
        """Every result, drifted columns first, then in column order."""
        everything = [*self.target, *self.prediction, *self.columns]
        drifted = {r.column for r in everything if r.drifted}
        return sorted(everything, key=lambda r: r.column not in drifted)

    def to_frame(self) -> Any:
        """The results as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per (column, test), with the fields of
            [`ColumnResult`][assay.drift.ColumnResult] as columns; drifted columns first,
            then target, prediction and features in column order.
        """
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self._ordered()])

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-safe dict.

        Returns
        -------
        dict
            The summary (``dataset_drift``, ``share_drifted``, ``n_drifted``,
            ``n_columns``, ``drift_share``, ``correction``, ``drifted_columns``) and the
            results of ``columns``, ``target`` and ``prediction`` as dicts; NaN as None.
        """
        return json_safe(
            {
                "dataset_drift": self.dataset_drift,
                "share_drifted": self.share_drifted,
                "n_drifted": self.n_drifted,
                "n_columns": self.n_columns,
                "drift_share": self.drift_share,
                "correction": self.correction,
                "drifted_columns": self.drifted_columns,
                "columns": [asdict(r) for r in self.columns],
                "target": [asdict(r) for r in self.target],
                "prediction": [asdict(r) for r in self.prediction],
            }
        )

    _kind = "DriftReport"
    _title = "assay drift report"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DriftReport:
        return cls(
            columns=[column_result_from_dict(r) for r in data["columns"]],
            drift_share=float(data["drift_share"]),
            target=[column_result_from_dict(r) for r in data["target"]],
            prediction=[column_result_from_dict(r) for r in data["prediction"]],
            correction=data["correction"],
        )

    def _tiles(self) -> list[report_layer.Tile]:
        verdict = "failed" if self.dataset_drift else "passed"
        return [
            report_layer.Tile(
                "dataset drift", report_layer.Badge(verdict, "yes" if self.dataset_drift else "no"), verdict=verdict
            ),
            report_layer.Tile("feature columns", report_layer.Number(self.n_columns, format="count")),
            report_layer.Tile("drifted", report_layer.Number(self.n_drifted, format="count")),
            report_layer.Tile(
                "share drifted",
                report_layer.Number(self.share_drifted, format="percent", reason="no feature column"),
                detail=f"limit {self.drift_share:.0%}",
            ),
        ]

    def _sections(self) -> list[report_layer.Section]:
        note = (
            f"p-values adjusted ({self.correction}): a test's score is its adjusted p-value."
            if self.correction
            else "p-values not adjusted."
        )
        table = results_table(self._ordered(), adjusted=bool(self.correction))
        blocks: list[report_layer.Block] = [report_layer.Text(note)]
        if any(not r.exact for r in self._ordered()):
            blocks.append(
                report_layer.Text(
                    "Results marked 'sketch' come from states merged beyond the memory budget (assay.dask): "
                    "the exact statistic is within '± bound' of the statistic shown and the exact p-value "
                    "inside the p-value interval; the verdict compares the statistic's own p-value or distance."
                )
            )
        return [report_layer.Section("Drift by column", [*blocks, table], anchor="drift-columns")]

    def __repr__(self) -> str:
        return (
            f"<assay DriftReport: {self.n_drifted}/{self.n_columns} columns drifted, "
            f"dataset drift {self.dataset_drift}>"
        )


def results_table(
    results: Sequence[ColumnResult], extra: Sequence[tuple[str, Sequence[Any]]] = (), adjusted: bool = False
) -> report_layer.Table:
    """The results as a page table; ``adjusted``: the score of a p-value test is its
    adjusted p-value, the one its drift flag compares with the threshold."""
    sketched = any(not r.exact for r in results)
    columns = [name for name, _ in extra] + [
        "column",
        "role",
        "test",
        "score",
        "threshold",
        "drifted",
        "method",
        "note",
    ]
    if sketched:  # results of merged sketches (assay.dask beyond its memory budget) carry bounds
        columns[-1:-1] = ["exact", "statistic", "± bound", "p-value interval"]
    rows: list[list[report_layer.Cell]] = []
    for i, r in enumerate(results):
        flag = report_layer.Badge("failed", "drift") if r.drifted else "no"
        shown = r.pvalue_adjusted if adjusted and _gives_pvalue(r.test) else r.score
        score = report_layer.Number(shown, reason=r.note or None)
        row: list[report_layer.Cell] = [str(values[i]) for _, values in extra]
        row += [r.column, r.role, r.test, score, r.threshold, flag, r.method]
        if sketched:
            interval = "" if r.pvalue_interval is None else f"[{r.pvalue_interval[0]:.4g}, {r.pvalue_interval[1]:.4g}]"
            exact = "yes" if r.exact else report_layer.Badge("info", "sketch")
            bound = report_layer.Number(r.statistic_bound) if not r.exact else ""
            row += [exact, report_layer.Number(r.statistic, reason=r.note or None), bound, interval]
        rows.append(row + [r.note])
    return report_layer.Table(columns, rows)


def column_result_from_dict(data: dict[str, Any]) -> ColumnResult:
    """A ColumnResult from its ``to_dict`` form (null numbers back to NaN)."""
    numbers = {"statistic", "pvalue", "pvalue_adjusted", "score", "threshold", "statistic_bound"}
    fields: dict[str, Any] = {k: nan_if_none(v) if k in numbers else v for k, v in data.items()}
    if fields.get("pvalue_interval") is not None:
        fields["pvalue_interval"] = tuple(nan_if_none(v) for v in fields["pvalue_interval"])
    return ColumnResult(**fields)


def _role_columns(value: Any, argument: str) -> list[str]:
    if value is None:
        return []
    return column_list(value, argument)


def report(
    reference: TableLike,
    current: TableLike,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    *,
    target: str | Sequence[str] | None = None,
    prediction: str | Sequence[str] | None = None,
    drift_share: float = 0.5,
    correction: str | None = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DriftReport:
    """Checks every column of ``current`` against ``reference`` for drift.

    Missing values (NaN, None) and infinities are dropped per column and counted; a column
    with no values left gets a NaN score and a note, and is not flagged. ``'auto'`` picks
    Evidently's default test from the reference column's size and number of distinct
    values (the drift guide has the table): ``z``, ``chisquare`` or ``ks`` up to 1,000
    reference values, ``jensenshannon`` or ``wasserstein`` above. Each numeric column is
    sorted once and every test reads the sorted copy.

    Parameters
    ----------
    reference : TableLike
        The reference table (e.g. training data), with at least one row.
    current : TableLike
        The current table; it needs every checked column, of the same kind (numeric or
        categorical) as in the reference.
    columns : Sequence[str], optional
        The feature columns to check; by default every reference column except
        ``target`` and ``prediction``.
    tests : str or Sequence[str] or Mapping, default 'auto'
        ``"auto"``, a key of [`TESTS`][assay.drift.TESTS], a list of keys (every test
        runs; the first decides whether the column counts as drifted), or a mapping of
        column name to any of those (columns not in it get ``"auto"``).
    thresholds : float or Mapping[str, float], optional
        A threshold for every test, or a mapping whose keys are column names or test keys
        (a column entry wins; a test entry also reaches columns whose test ``"auto"``
        picks). Thresholds are finite numbers >= 0, at most 1 where they are compared with
        a p-value; unset thresholds are the tests' defaults (Evidently's).
    target : str or Sequence[str], optional
        Target column(s): checked too but reported apart (``.target``), and not counted in
        the share of drifted columns.
    prediction : str or Sequence[str], optional
        Prediction column(s), reported apart (``.prediction``) like the target.
    drift_share : float, default 0.5
        The share of drifted feature columns, in [0, 1], from which the dataset counts as
        drifted (Evidently's rule).
    correction : str, optional
        ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"`` adjusts the p-values of all the
        report's tests as one family, and p-value tests are then flagged by
        ``pvalue_adjusted`` < threshold; distances are not affected. None (the default,
        as Evidently) applies none.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DriftReport
        One [`ColumnResult`][assay.drift.ColumnResult] per (column, test), and the
        dataset verdict.

    Raises
    ------
    InvalidTypeError
        A table is not a table; a column is numeric in one table and categorical in the
        other, or a test does not apply to a column's kind; ``tests`` or ``thresholds``
        has the wrong type.
    InvalidInputError
        The reference has no rows; a column is missing from a table, listed twice, or
        named both as target and as prediction; a test key is unknown; a threshold is out
        of range; ``drift_share`` is outside [0, 1] or ``correction`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> current = {"age": rng.normal(45, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> result = drift.report(reference, current)
    >>> [(r.column, r.test, r.drifted) for r in result.columns]
    [('age', 'ks', True), ('plan', 'z', False)]
    >>> result.share_drifted, result.dataset_drift
    (0.5, True)

    Several tests, a threshold for one of them, and a correction of the p-values:

    >>> result = drift.report(
    ...     reference, current, tests={"age": ["ks", "wasserstein"], "plan": "psi"},
    ...     thresholds={"wasserstein": 0.2}, correction="holm",
    ... )
    >>> [(r.column, r.test, r.threshold, r.drifted) for r in result.columns]
    [('age', 'ks', 0.05, True), ('age', 'wasserstein', 0.2, True), ('plan', 'psi', 0.1, False)]
    """
    method = correction_arg(correction, "correction")
    share = real_arg(drift_share, "drift_share")
    if not 0 <= share <= 1:
        raise InvalidInputError(f"drift_share must be in [0, 1], got {drift_share!r}")
    targets, predictions = _role_columns(target, "target"), _role_columns(prediction, "prediction")
    both = sorted(set(targets) & set(predictions))
    if both:
        raise InvalidInputError(f"columns {both} are named both as target and as prediction")
    roles = {name: "target" for name in targets}
    roles.update({name: "prediction" for name in predictions})
    ref, cur, features = checked_frames(reference, current, columns, set(roles))
    missing_roles = [c for c in roles if c not in ref]
    if missing_roles:
        raise InvalidInputError(f"target/prediction columns {missing_roles} are not in the reference data")
    checked = features + [c for c in roles if c not in features]
    requests = core_requests(checked, tests, thresholds)
    jobs, callback = n_jobs_arg(n_jobs), progress_arg(progress, "drift report")
    results = _core_drift.report(ref.core_columns(checked), cur.core_columns(checked), requests, jobs, callback, method)
    by_role: dict[str, list[ColumnResult]] = {"feature": [], "target": [], "prediction": []}
    for core in results:
        role = roles.get(core.column, "feature")
        by_role[role].append(column_result(core, role))
    return DriftReport(by_role["feature"], share, by_role["target"], by_role["prediction"], correction)
