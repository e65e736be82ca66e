"""The audit's model card as report-layer sections: what :meth:`Audit.to_html` shows.

Everything is drawn from the audit's own data (``Audit.sections``, ``gates``, ``skipped``,
``lineage``), so a card read back with :meth:`Audit.from_json` renders the same page. No markup
here: :mod:`assay.report` lays the sections out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import report
from ..report import charts
from ..slices import SliceResult
from ..slices._report import slice_table

if TYPE_CHECKING:
    from ._gates import GateResult
    from ._result import Audit

__all__ = ["card_sections", "card_tiles"]

_VERDICT_BADGES = {
    "pass": "passed",
    "fail": "failed",
    "warn": "warning",
    "undefined": "undefined",
    "skipped": "skipped",
}
_VERDICT_ORDER = {"fail": 0, "undefined": 1, "warn": 2, "pass": 3, "skipped": 4}
_SECTION_TITLES = {
    "quality": "Data quality",
    "drift": "Drift",
    "performance": "Performance",
    "fairness": "Fairness",
    "explain": "Explanations",
    "slices": "Worst slices",
    "review": "Human review",
    "monitor": "Performance without labels",
}
# Columns whose distributions are drawn full size (the others get a sparkline in the table).
_MAX_FULL_CHARTS = 12
_MAX_TABLE_ROWS = 500


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _interval(entry: Mapping[str, Any] | None) -> report.Cell:
    """A ``{value, lower, upper}`` entry as an interval cell (a plain number without bounds)."""
    if not entry:
        return report.Number(math.nan, reason="not measured")
    value, lower, upper = (_number(entry.get(key)) for key in ("value", "lower", "upper"))
    if math.isnan(lower) or math.isnan(upper):
        return report.Number(value, reason="undefined") if math.isnan(value) else value
    return report.Interval(value, lower, upper)


def _verdict(passed: bool) -> str:
    return "passed" if passed else "failed"


def card_tiles(audit: Audit) -> list[report.Tile]:
    """The summary tiles: verdict, gates, rows, drifted share, worst fairness ratio, performance change."""
    counts = audit.counts()
    tiles = [
        report.Tile("verdict", report.Badge(_verdict(audit.passed)), verdict=_verdict(audit.passed)),
        report.Tile(
            "gates failed",
            report.Number(counts["failed"], format="count"),
            detail=f"{counts['warn']} warned, {counts['undefined']} undefined, {counts['pass']} passed",
            verdict="failed" if counts["failed"] else "passed",
        ),
    ]
    data = audit.lineage.get("data", {})
    present = [name for name in ("reference", "current") if name in data]
    rows = " / ".join(f"{data[name]['rows']:,}" for name in present)
    tiles.append(report.Tile("rows", rows or "n/a", detail=" / ".join(present)))
    drift = audit.sections.get("drift", {}).get("report")
    if drift:
        share = report.Number(_number(drift.get("share_drifted")), format="percent", reason="no feature column")
        detail = f"{drift['n_drifted']} of {drift['n_columns']} features"
        tiles.append(report.Tile("features drifted", share, detail=detail))
    worst = _worst_four_fifths(audit.sections.get("fairness", {}))
    if worst is not None:
        ratio, where = worst
        tiles.append(report.Tile("lowest selection-rate ratio", ratio, detail=where))
    change = _performance_change(audit.sections.get("performance", {}))
    if change is not None:
        tiles.append(report.Tile(change[0], change[1], detail="current minus reference"))
    return tiles


def _worst_four_fifths(section: Mapping[str, Any]) -> tuple[float, str] | None:
    worst: tuple[float, str] | None = None
    for dataset, data in section.get("datasets", {}).items():
        for name, grouping in data.get("groupings", {}).items():
            for group in grouping.get("four_fifths", {}).get("groups", []):
                ratio = _number(group.get("ratio"))
                if not math.isnan(ratio) and (worst is None or ratio < worst[0]):
                    worst = (ratio, f"{name}={group['group']} ({dataset})")
    return worst


def _performance_change(section: Mapping[str, Any]) -> tuple[str, float] | None:
    datasets = section.get("datasets", {})
    if "reference" not in datasets or "current" not in datasets:
        return None
    for metric in ("roc_auc", "accuracy", "r2", "rmse", "mae"):
        before = datasets["reference"].get("overall", {}).get(metric)
        after = datasets["current"].get("overall", {}).get(metric)
        if before and after:
            return f"{metric} change", _number(after.get("value")) - _number(before.get("value"))
    return None


def card_sections(audit: Audit) -> list[report.Section]:
    """One section for the gates, one per engine section that ran, then skipped sections and lineage."""
    sections = [_gates_section(audit)]
    builders = {
        "quality": _quality_section,
        "drift": _drift_section,
        "performance": _performance_section,
        "fairness": _fairness_section,
        "explain": _explain_section,
        "slices": _slices_section,
        "review": _review_section,
        "monitor": _monitor_section,
    }
    for name, build in builders.items():
        if name in audit.sections:
            verdict = _section_verdict(audit, name)
            sections.append(report.Section(_SECTION_TITLES[name], build(audit.sections[name]), name, verdict))
    if audit.skipped:
        rows: list[list[report.Cell]] = [[_SECTION_TITLES.get(k, k), v] for k, v in audit.skipped.items()]
        sections.append(report.Section("Skipped", [report.Table(["section", "reason"], rows)], "skipped"))
    sections.append(_lineage_section(audit))
    return sections


def _section_verdict(audit: Audit, section: str) -> str:
    results = [g for g in audit.gates if g.section == section]
    if any(g.failed for g in results):
        return "failed"
    if any(g.verdict == "warn" for g in results):
        return "warning"
    return "passed"


def _gates_section(audit: Audit) -> report.Section:
    """Failed, undefined and warned gates in a table; passed and skipped ones collapsed below it."""
    ordered = sorted(audit.gates, key=lambda g: _VERDICT_ORDER.get(g.verdict, 5))
    attention = [g for g in ordered if g.verdict in ("fail", "undefined", "warn")]
    quiet = [g for g in ordered if g.verdict not in ("fail", "undefined", "warn")]
    blocks: list[report.Block] = [
        _gate_table(attention, "Failed, undefined and warned gates") if attention else report.Text("Every gate passed.")
    ]
    if quiet:
        blocks.append(report.Details(f"{len(quiet)} passed or skipped gate results", [_gate_table(quiet, None)]))
    return report.Section("Gates", blocks, "gates", _verdict(audit.passed))


def _gate_table(gates: list[GateResult], caption: str | None) -> report.Block:
    rows: list[list[report.Cell]] = []
    for gate in gates[:_MAX_TABLE_ROWS]:
        value: report.Cell = gate.value
        if gate.interval is not None:
            value = report.Interval(_number(gate.value), _number(gate.interval[0]), _number(gate.interval[1]))
        badge = report.Badge(_VERDICT_BADGES.get(gate.verdict, "info"), gate.verdict)
        where = " ".join(part for part in (gate.subject, f"({gate.dataset})" if gate.dataset else "") if part)
        rows.append([badge, gate.name, where, value, gate.condition, gate.severity, gate.reason])
    if len(gates) > _MAX_TABLE_ROWS:
        caption = f"{caption or 'Gate results'}: the first {_MAX_TABLE_ROWS} of {len(gates)} (all are in the JSON card)"
    columns = ["verdict", "gate", "subject", "value", "condition", "severity", "reason"]
    return report.Table(columns, rows, caption=caption)


def _quality_section(section: Mapping[str, Any]) -> list[report.Block]:
    blocks: list[report.Block] = []
    for dataset in ("reference", "current"):
        data = section.get(dataset)
        if not data:
            continue
        rows: list[list[report.Cell]] = [
            [
                report.Badge({"error": "failed", "warning": "warning"}.get(f["severity"], "info"), f["severity"]),
                f["check"],
                f.get("column") or "(table)",
                _number(f.get("value")),
                f.get("message", ""),
            ]
            for f in data.get("findings", [])[:_MAX_TABLE_ROWS]
        ]
        table: report.Block = (
            report.Table(["severity", "check", "column", "value", "message"], rows)
            if rows
            else report.Text("No findings.")
        )
        title = f"{dataset.capitalize()} data: {data['n_rows']:,} rows, {data['n_columns']} columns"
        blocks.append(report.Section(title, [table], verdict=_verdict(bool(data.get("passed", True)))))
    leakage = section.get("leakage", {})
    if leakage:
        rows = []
        for dataset, scores in leakage.items():
            for score in scores:
                entry = {"value": score.get("score"), "lower": score.get("lower"), "upper": score.get("upper")}
                rows.append([score["feature"], dataset, _interval(entry), score.get("note", "")])
        rows.sort(key=lambda row: -_number(getattr(row[2], "value", row[2])))
        caption = "Predictive power of each feature alone for the target, with its interval"
        blocks.append(
            report.Details(
                "Target leakage scores", [report.Table(["feature", "data", "score", "note"], rows, caption=caption)]
            )
        )
    return blocks


def _pair(distribution: Mapping[str, Any]) -> charts.BinnedPair:
    missing = distribution.get("missing", [0, 0])
    if distribution["kind"] == "numeric":
        return charts.BinnedPair(
            "numeric",
            distribution["reference"],
            distribution["current"],
            edges=distribution["edges"],
            reference_missing=int(missing[0]),
            current_missing=int(missing[1]),
        )
    return charts.BinnedPair(
        "categorical", distribution["reference"], distribution["current"], categories=distribution["labels"]
    )


def _drift_section(section: Mapping[str, Any]) -> list[report.Block]:
    drift = section.get("report", {})
    distributions = section.get("distributions", {})
    results = [*drift.get("target", []), *drift.get("prediction", []), *drift.get("columns", [])]
    results.sort(key=lambda r: not r.get("drifted"))
    rows: list[list[report.Cell]] = []
    for result in results[:_MAX_TABLE_ROWS]:
        name = result["column"]
        sparkline: report.Cell = ""
        if name in distributions:
            sparkline = charts.histogram_pair(_pair(distributions[name]), title=name, compact=True)
        flag = report.Badge("failed", "drift") if result.get("drifted") else "no"
        score = report.Number(_number(result.get("score")), reason=result.get("note") or None)
        rows.append(
            [
                name,
                result.get("role", "feature"),
                sparkline,
                result["test"],
                score,
                _number(result.get("threshold")),
                flag,
            ]
        )
    share = _number(drift.get("share_drifted"))
    summary = report.Text(
        f"{drift.get('n_drifted', 0)} of {drift.get('n_columns', 0)} feature columns drifted "
        f"({report.format_percent(share, reason='no feature column')}; dataset drift from "
        f"{report.format_percent(_number(drift.get('drift_share')))})."
    )
    columns = ["column", "role", "reference vs current", "test", "score", "threshold", "drifted"]
    blocks: list[report.Block] = [summary, report.Table(columns, rows)]
    ranking = section.get("ranking", [])
    if ranking:
        ranked = [
            [
                r["column"],
                r["test"],
                _number(r.get("score")),
                _number(r.get("importance")),
                r.get("importance_rank") or "",
            ]
            for r in ranking
        ]
        caption = f"Drifted features, most important to the model first ({section.get('ranked_by', 'importance')})"
        blocks.append(
            report.Table(["feature", "test", "drift score", "importance", "importance rank"], ranked, caption=caption)
        )
    drifted = [r["column"] for r in results if r.get("drifted") and r["column"] in distributions]
    if drifted:
        full = [charts.histogram_pair(_pair(distributions[name]), title=name) for name in drifted[:_MAX_FULL_CHARTS]]
        blocks.append(report.Details("Distributions of the drifted columns", full, open=True))
    return blocks


def _performance_section(section: Mapping[str, Any]) -> list[report.Block]:
    metrics = list(section.get("metrics", []))
    datasets = section.get("datasets", {})
    level = section.get("confidence_level", 0.95)
    rows: list[list[report.Cell]] = [
        [metric, *(_interval(datasets.get(d, {}).get("overall", {}).get(metric)) for d in ("reference", "current"))]
        for metric in metrics
    ]
    caption = f"Overall, with {level:.0%} bootstrap intervals ({section.get('n_boot', 0)} replicates)"
    blocks: list[report.Block] = [report.Table(["metric", "reference", "current"], rows, caption=caption)]
    for dataset, data in datasets.items():
        for feature, groups in data.get("by_group", {}).items():
            group_rows = [_group_row(g, metrics) for g in groups]
            blocks.append(
                report.Details(
                    f"{dataset.capitalize()} by {feature}", [report.Table(["group", "rows", *metrics], group_rows)]
                )
            )
        calibration = data.get("calibration", {}).get("overall", {}).get("groups", [])
        if calibration:
            curve = calibration[0]
            chart = charts.reliability_curve(
                [_number(v) for v in curve["mean_score"]],
                [_number(v) for v in curve["positive_rate"]],
                title=f"Calibration ({dataset}), ECE {report.format_number(_number(curve.get('ece')))}",
                counts=[_number(v) for v in curve["weight"]],
            )
            blocks.append(chart)
        residuals = data.get("residuals")
        if residuals:
            quantiles = [[k, _number(v)] for k, v in residuals.get("quantiles", {}).items()]
            blocks.append(report.Table(["quantile", "residual"], quantiles, caption=f"Residuals ({dataset})"))
    return blocks


def _group_row(group: Mapping[str, Any], metrics: list[str]) -> list[report.Cell]:
    """A group's label, rows and each metric with its interval."""
    row: list[report.Cell] = [_group_label(group["group"]), report.Number(group["n_rows"], format="count")]
    return row + [_interval(group["metrics"].get(m)) for m in metrics]


def _group_label(group: Any) -> str:
    return " & ".join(map(str, group)) if isinstance(group, (list, tuple)) else str(group)


def _fairness_section(section: Mapping[str, Any]) -> list[report.Block]:
    blocks: list[report.Block] = []
    level = section.get("confidence_level", 0.95)
    for dataset, data in section.get("datasets", {}).items():
        for name, grouping in data.get("groupings", {}).items():
            parts: list[report.Block] = []
            disparities = grouping.get("disparities", {})
            rows: list[list[report.Cell]] = [[metric, _interval(entry)] for metric, entry in disparities.items()]
            parts.append(report.Table(["disparity", f"value [{level:.0%} interval]"], rows))
            four_fifths = grouping.get("four_fifths", {})
            groups = four_fifths.get("groups", [])
            if groups:
                parts.append(
                    charts.bar_with_intervals(
                        [str(g["group"]) for g in groups],
                        [_number(g.get("ratio")) for g in groups],
                        [_number((g.get("ratio_interval") or [None, None])[0]) for g in groups],
                        [_number((g.get("ratio_interval") or [None, None])[1]) for g in groups],
                        title=f"Selection-rate ratio to {four_fifths.get('reference')} ({four_fifths.get('verdict')})",
                        value_label="ratio",
                        reference_line=_number(four_fifths.get("threshold")),
                        reference_label="four-fifths",
                    )
                )
            metrics = list(grouping.get("overall", {}))
            group_rows = [_group_row(g, metrics) for g in grouping.get("groups", [])]
            parts.append(report.Details("Metrics by group", [report.Table(["group", "rows", *metrics], group_rows)]))
            parts += [report.Text(note, tone="note") for note in grouping.get("notes", [])]
            blocks.append(report.Section(f"{grouping.get('label', name)} ({dataset})", parts))
    return blocks


def _slices_section(section: Mapping[str, Any]) -> list[report.Block]:
    result = SliceResult._from_dict(dict(section["result"]))
    text = (
        f"SliceLine on {section.get('n_rows', 0):,} rows of the current data ({section.get('metric')} per row; "
        f"mean {report.format_number(result.overall_error)}); significant: BH-adjusted p under "
        f"{section.get('significance_level')}."
    )
    if not len(result):
        return [report.Text(text), report.Text("No slice has a positive score.")]
    return [report.Text(text), slice_table(result)]


def _explain_section(section: Mapping[str, Any]) -> list[report.Block]:
    importance = section.get("importance", [])
    blocks: list[report.Block] = [
        report.Text(
            f"{section.get('explainer', 'explainer')} on {section.get('n_rows', 0):,} rows of the "
            f"{section.get('dataset', 'current')} data; "
            f"base value {report.format_number(_number(section.get('base_value')))}."
        )
    ]
    if importance:
        blocks.append(
            charts.importance_bars(
                [i["feature"] for i in importance],
                [_number(i["mean_abs_shap"]) for i in importance],
                [_number(i.get("lower")) for i in importance],
                [_number(i.get("upper")) for i in importance],
            )
        )
    dependence = section.get("dependence", {})
    lengths = {len(d["shap"]) for d in dependence.values()}
    numeric = [name for name, d in dependence.items() if d.get("labels") is None]
    if dependence and len(lengths) == 1 and numeric:
        # The dependence data of the top features share their rows: together they draw a beeswarm.
        values = [[_number(v) for v in dependence[name]["shap"]] for name in numeric]
        features = [[_number(v) for v in dependence[name]["x"]] for name in numeric]
        blocks.append(
            charts.beeswarm(
                list(map(list, zip(*values))),
                list(map(list, zip(*features))),
                numeric,
                title="SHAP values of the top features (colour: feature value)",
            )
        )
    return blocks


def _monitor_section(section: Mapping[str, Any]) -> list[report.Block]:
    result = section.get("result", {})
    metrics = list(section.get("metrics", []))
    columns = ["chunk", "metric", "estimate", "lower", "upper", "band_lower", "band_upper", "alert"]
    formats = {c: "number" for c in columns[2:7]}
    rows = []
    for i, chunk in enumerate(result.get("chunks", [])):
        for k, metric in enumerate(metrics):
            values = [_number(result[name][i][k]) for name in ("estimate", "lower", "upper")]
            band = [_number(result[name][k]) for name in ("band_lower", "band_upper")]
            rows.append([str(chunk.get("label", i)), metric, *values, *band, "yes" if result["alerts"][i][k] else ""])
    return [
        report.Text(
            f"Estimated from the model's scores before the labels arrive (CBPE), in {section.get('n_chunks')} chunks "
            "of each dataset; an alert is a current chunk whose estimate leaves the band of the reference's chunks."
        ),
        report.Table(columns, rows, caption="estimates per chunk", formats=formats),
    ]


def _review_section(section: Mapping[str, Any]) -> list[report.Block]:
    columns = ["group", "n_calibration", "rows", "coverage", "review_share", "max_auto_error"]
    formats = {
        "n_calibration": "count",
        "rows": "count",
        "coverage": "percent",
        "review_share": "percent",
        "max_auto_error": "percent",
    }
    blocks: list[report.Block] = [
        report.Text(
            f"Conformal {section.get('task')} calibrated on the reference at alpha = {section.get('alpha')} "
            f"(nominal coverage {1 - float(section.get('alpha', 0.1)):.0%}), measured on the current data. "
            + str(section.get("guarantee", ""))
        )
    ]
    for grouping in section.get("groupings", []):
        rows = [[g[c] if c == "group" else _number(g[c]) for c in columns] for g in grouping["groups"]]
        blocks.append(report.Table(columns, rows, caption=f"by {grouping['feature']}", formats=formats))
    return blocks


def _lineage_section(audit: Audit) -> report.Section:
    lineage = audit.lineage
    items: list[tuple[str, report.Cell]] = [
        ("assay version", str(lineage.get("assay_version", ""))),
        ("created (UTC)", str(lineage.get("created", ""))),
        ("seed", str(lineage.get("seed", ""))),
    ]
    model = lineage.get("model") or {}
    if model:
        fingerprint = model.get("fingerprint") or {}
        items.append(("model", f"{model.get('name', '')} ({model.get('library', '')})"))
        items.append(("model fingerprint", f"{fingerprint.get('sha256', '')} ({fingerprint.get('method', '')})"))
    for name, data in (lineage.get("data") or {}).items():
        fingerprint = (data.get("fingerprint") or {}).get("value", "")
        items.append((f"{name} data", f"{data.get('rows', 0):,} rows x {data.get('columns', 0)} columns"))
        items.append((f"{name} fingerprint", str(fingerprint)))
    config = json.dumps(lineage.get("config", {}), indent=2, sort_keys=False)
    blocks: list[report.Block] = [
        report.KeyValues(items),
        report.Details("The configuration that produced this card", [report.Code(config, language="json")]),
    ]
    return report.Section("Lineage", blocks, "lineage")
