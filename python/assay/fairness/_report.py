"""What the report layer shows of the fairness results (``assay.report`` renders it; no markup here).

The functions take a result's dictionary or the fields they show (declared below), so that
this module imports none of the modules whose results it describes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from .. import report
from .._results import nan_if_none

# A page stays readable and bounded whatever the number of groups: the tables list this many
# rows and the charts are drawn for this many metrics or groups; a note counts the rest.
MAX_TABLE_ROWS = 200
MAX_CHARTS = 12

_AGGREGATES = (
    ("overall", "overall"),
    ("group_min", "smallest value"),
    ("group_max", "largest value"),
    ("difference_between_groups", "difference between groups"),
    ("difference_to_overall", "difference to overall"),
    ("ratio_between_groups", "ratio between groups"),
    ("ratio_to_overall", "ratio to overall"),
)
_FOUR_FIFTHS_BADGES = {"fails": "failed", "passes": "passed", "inconclusive": "warning", "reference": "info"}


class FourFifthsFields(Protocol):
    """What the four-fifths sections show of a FourFifths."""

    groups: list[Any]
    rows: np.ndarray
    rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    difference: np.ndarray
    difference_low: np.ndarray
    difference_high: np.ndarray
    verdicts: list[str]
    small: np.ndarray
    reference: Any
    threshold: float
    confidence: float
    min_support: int

    @property
    def verdict(self) -> str: ...

    @property
    def disparate_impact(self) -> float: ...


class CalibrationFields(Protocol):
    """What the calibration sections show of a CalibrationByGroup."""

    groups: list[Any]
    n_bins: int
    weight: np.ndarray
    mean_score: np.ndarray
    positive_rate: np.ndarray
    ece: np.ndarray
    mce: np.ndarray


def group_text(label: Any) -> str:
    """A group's label as text: its levels joined by `` / `` for several features."""
    return " / ".join(map(str, label)) if isinstance(label, (list, tuple)) else str(label)


def _more(total: int, shown: int, what: str) -> list[report.Text]:
    if total <= shown:
        return []
    return [report.Text(f"{total - shown:,} more {what} not shown here (to_frame() has every one).", tone="note")]


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


# -- MetricFrame -------------------------------------------------------------------------------------


def metric_frame_sections(data: Mapping[str, Any]) -> list[report.Section]:
    """A MetricFrame from its ``to_dict()``: values by group (with their intervals and the reason
    a value is undefined), the aggregates, and a chart per metric."""
    names = list(data["metrics"])
    metrics = data["metrics"]
    quantiles = data["ci_quantiles"] or []
    with_ci = len(quantiles) >= 2 and all("ci" in metrics[m] for m in names)
    low, high = (int(np.argmin(quantiles)), int(np.argmax(quantiles))) if with_ci else (0, 0)

    def cell(metric: Mapping[str, Any], key: str, i: int, reason: str = "") -> report.Cell:
        value = metric[key][i]
        if not _is_number(value):  # a user metric's non-scalar value
            text = str(value)
            return text if len(text) <= 80 else text[:79] + "…"
        if with_ci:
            bounds = metric["ci"][key]
            return report.Interval(
                nan_if_none(value), nan_if_none(bounds[low][i]), nan_if_none(bounds[high][i]), reason=reason or None
            )
        return report.Number(nan_if_none(value), reason=reason or None)

    groups = data["groups"]
    small = data["small"]
    rows: list[list[report.Cell]] = []
    for i, label in enumerate(groups[:MAX_TABLE_ROWS]):
        rows.append(
            [
                group_text(label),
                report.Number(data["group_rows"][i], format="count"),
                report.Badge("warning", "small") if small[i] else "",
                *(cell(metrics[m], "by_group", i, metrics[m]["undefined"][i]) for m in names),
            ]
        )
    feature_names = " / ".join(data["features"])
    by_group = report.Table([f"group ({feature_names})", "rows", "small", *names], rows)

    notes = [
        f"Convention: {data['convention']}. Groups with fewer than {data['min_support']} rows are flagged small "
        f"({sum(small)} of {len(groups)} groups)."
    ]
    if with_ci:
        notes.append(
            f"Intervals: the bootstrap quantiles {quantiles[low]:g} and {quantiles[high]:g} of {data['n_boot']:,} "
            "replicates."
        )
    if data["dropped_rows"]:
        notes.append(f"{data['dropped_rows']:,} rows with a missing sensitive or control value were dropped.")
    replaced = sum(1 for m in names for reason in metrics[m]["undefined"] if reason)
    if replaced and data["convention"] == "fairlearn":
        notes.append(
            f"{replaced} values are undefined by their definition and were replaced as fairlearn does "
            "(MetricFrame.undefined says why)."
        )

    sections = [
        report.Section(
            "Metrics by group", [report.Text(" ".join(notes)), by_group, *_more(len(groups), MAX_TABLE_ROWS, "groups")]
        ),
        report.Section("Aggregates", [_aggregates_table(data, names, cell)]),
    ]
    charts = _metric_charts(data, names, with_ci, low, high)
    if charts:
        sections.append(report.Section("Charts", charts))
    return sections


def _control_levels(data: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The control levels the aggregates are given for, as (index, label): every combination of
    the control features' levels (the missing level included with ``missing="own_group"``)
    that holds a group of the frame, in the order of ``overall``."""
    control = data["control_features"]
    if not control:
        return [(0, "")]
    extra = ["(missing)"] if data["missing"] == "own_group" else []
    present = {tuple(map(str, label[: len(control)])) for label in data["groups"]}
    levels = []
    for index, combination in enumerate(itertools.product(*[[*data["levels"][f], *extra] for f in control])):
        key = tuple(map(str, combination))
        if key in present:
            levels.append((index, " / ".join(key)))
    return levels


def _aggregates_table(data: Mapping[str, Any], names: list[str], cell: Any) -> report.Block:
    control = _control_levels(data)
    with_control = bool(data["control_features"])
    rows: list[list[report.Cell]] = []
    reasons = {m: _aggregate_reasons(data, m) for m in names}
    for index, label in control:
        for key, title in _AGGREGATES:
            cells = [cell(data["metrics"][m], key, index, reasons[m].get(key, "")) for m in names]
            rows.append([title, *([label] if with_control else []), *cells])
    columns = ["aggregate", *([" / ".join(data["control_features"])] if with_control else []), *names]
    shown = rows[:MAX_TABLE_ROWS]
    table = report.Table(columns, shown, search=with_control)
    if len(rows) > len(shown):
        return report.Details("Aggregates", [table, *_more(len(rows), len(shown), "aggregate rows")], open=True)
    return table


def _aggregate_reasons(data: Mapping[str, Any], name: str) -> dict[str, str]:
    """Why an aggregate of a metric may be NaN (a reason is shown only where the value is NaN)."""
    metric = data["metrics"][name]
    undefined_group = any(value is None and rows > 0 for value, rows in zip(metric["by_group"], data["group_rows"]))
    compared = "a compared group's value is undefined" if undefined_group else "no group to compare"
    reasons = {key: compared for key, _ in _AGGREGATES[1:]}
    if not undefined_group:
        reasons["ratio_between_groups"] = "0 / 0: the values compared are all 0"
    if any(value is None for value in metric["overall"]):
        reasons["difference_to_overall"] = reasons["ratio_to_overall"] = "the overall value is undefined"
    elif not undefined_group:
        reasons["ratio_to_overall"] = "0 / 0: the values compared are all 0"
    reasons["overall"] = "undefined on the rows of the frame"
    return reasons


def _metric_charts(data: Mapping[str, Any], names: list[str], with_ci: bool, low: int, high: int) -> list[report.Block]:
    labels = [group_text(label) for label in data["groups"]]
    charts: list[report.Block] = []
    drawable = [m for m in names if all(_is_number(v) for v in data["metrics"][m]["by_group"])]
    for name in drawable[:MAX_CHARTS]:
        metric = data["metrics"][name]
        values = [nan_if_none(v) for v in metric["by_group"]]
        lower = upper = None
        if with_ci:
            lower = [nan_if_none(v) for v in metric["ci"]["by_group"][low]]
            upper = [nan_if_none(v) for v in metric["ci"]["by_group"][high]]
        overall = nan_if_none(metric["overall"][0]) if not data["control_features"] else math.nan
        charts.append(
            report.charts.bar_with_intervals(
                labels,
                values,
                lower,
                upper,
                title=f"{name} by group",
                value_label=name,
                reference_line=overall if math.isfinite(overall) else None,
                reference_label="overall" if math.isfinite(overall) else None,
            )
        )
    if len(drawable) > MAX_CHARTS:
        charts.append(report.Text(f"{len(drawable) - MAX_CHARTS} more metrics are in the tables only.", tone="note"))
    return charts


# -- four-fifths ---------------------------------------------------------------------------------------


def four_fifths_tiles(result: FourFifthsFields) -> list[report.Tile]:
    """The verdict, the disparate impact and the groups of a FourFifths."""
    badge = _FOUR_FIFTHS_BADGES.get(result.verdict, "warning")
    return [
        report.Tile(
            "verdict", report.Badge(badge, result.verdict), detail=f"threshold {result.threshold:g}", verdict=badge
        ),
        report.Tile(
            "disparate impact",
            report.Number(result.disparate_impact, reason="no ratio is defined"),
            detail="smallest ratio to the reference",
        ),
        report.Tile("reference group", group_text(result.reference)),
        report.Tile(
            "groups",
            report.Number(len(result.groups), format="count"),
            detail=f"{int(np.sum(result.small))} with fewer than {result.min_support} rows",
        ),
    ]


def four_fifths_sections(result: FourFifthsFields) -> list[report.Section]:
    """The ratio of each group's selection rate to the reference's, charted against the threshold, and the table."""
    labels = [group_text(g) for g in result.groups]
    note = report.Text(
        f"A group fails when the upper bound of its {result.confidence:.0%} Katz interval of the selection-rate ratio "
        f"to the reference group ({group_text(result.reference)}) is below {result.threshold:g}, passes when the lower "
        "bound is at or above it, and is inconclusive otherwise. Rates have Wilson intervals, differences Newcombe's."
    )
    chart = report.charts.bar_with_intervals(
        labels,
        result.ratio,
        result.ratio_low,
        result.ratio_high,
        title="Selection-rate ratio to the reference group",
        value_label="ratio",
        reference_line=result.threshold,
        reference_label=f"threshold {result.threshold:g}",
    )
    rows: list[list[report.Cell]] = []
    for i, label in enumerate(labels[:MAX_TABLE_ROWS]):
        verdict = result.verdicts[i]
        rows.append(
            [
                label,
                report.Number(int(result.rows[i]), format="count"),
                report.Badge("warning", "small") if result.small[i] else "",
                report.Interval(float(result.rate[i]), float(result.rate_low[i]), float(result.rate_high[i])),
                report.Interval(float(result.ratio[i]), float(result.ratio_low[i]), float(result.ratio_high[i])),
                report.Interval(
                    float(result.difference[i]), float(result.difference_low[i]), float(result.difference_high[i])
                ),
                report.Badge(_FOUR_FIFTHS_BADGES.get(verdict, "info"), verdict),
            ]
        )
    table = report.Table(
        ["group", "rows", "small", "selection rate", "ratio to reference", "difference to reference", "verdict"], rows
    )
    blocks: list[report.Block] = [note, chart, table, *_more(len(labels), MAX_TABLE_ROWS, "groups")]
    return [report.Section("Four-fifths rule", blocks, verdict=_FOUR_FIFTHS_BADGES.get(result.verdict, "warning"))]


# -- calibration ------------------------------------------------------------------------------------


def calibration_sections(result: CalibrationFields) -> list[report.Section]:
    """The ECE and MCE of each group, and a reliability curve per group."""
    labels = [group_text(g) for g in result.groups]
    weight = np.asarray(result.weight, dtype=np.float64)
    rows: list[list[report.Cell]] = [
        [
            label,
            float(weight[i].sum()),
            report.Number(float(result.ece[i]), reason="the group has no rows"),
            report.Number(float(result.mce[i]), reason="the group has no rows"),
        ]
        for i, label in enumerate(labels[:MAX_TABLE_ROWS])
    ]
    note = report.Text(
        f"{result.n_bins} equal-width bins on [0, 1]. ECE: the sum over bins of the bin's share of the group's weight "
        "times |share of positives - mean predicted probability|; MCE: the largest such gap."
    )
    table = report.Table(["group", "weight (rows when unweighted)", "ECE", "MCE"], rows)
    curves: list[report.Block] = [
        report.charts.reliability_curve(
            # Means of values in [0, 1]; the clip guards against a last-bit rounding above 1.
            np.clip(result.mean_score[i], 0.0, 1.0),
            np.clip(result.positive_rate[i], 0.0, 1.0),
            counts=weight[i],
            title=f"Calibration: {label}",
            label=label,
        )
        for i, label in enumerate(labels[:MAX_CHARTS])
    ]
    blocks: list[report.Block] = [note, table, *_more(len(labels), MAX_TABLE_ROWS, "groups")]
    sections = [report.Section("Calibration by group", blocks)]
    more_curves = _more(len(labels), MAX_CHARTS, "reliability curves")
    sections.append(report.Section("Reliability curves", [*curves, *more_curves]))
    return sections
