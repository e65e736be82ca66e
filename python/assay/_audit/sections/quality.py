"""The quality section: :func:`assay.quality.check` on both datasets, and each column's value
of every quality check as measurements.

The engine reports a finding only when a check flags a column, but gates need every
column's value: the engine measures those too, in the same pass
(``QualityReport.measures``: every check's value for every column, flagged or not, and the
leakage scores' bounds), and the section passes them on, counts of rows as shares of the
rows. Mixed types and rule breaks are counted here from the frame and the findings.

``Audit.sections["quality"]``: per dataset (``"reference"``, ``"current"``) the engine's
report (``passed``, ``n_rows``, ``n_columns``, ``counts``, ``findings``, ``inputs``) and the
profile of every column (``columns``: name to the statistics of ``assay.quality.profile``);
``leakage``: per feature ``{feature, score, lower, upper, note}`` (reference and current; the
bounds are one-sided, each at ``confidence_level``);
``thresholds``: the engine thresholds the config set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ... import quality
from .._context import Context, SectionResult, measurement
from .._data import Table
from .._gates import TABLE, Measurement

__all__ = ["run"]

SECTION = "quality"


def engine_thresholds(checks: Mapping[str, Any], confidence_level: float) -> dict[str, Any]:
    """The thresholds :func:`assay.quality.check` takes, from the config's checks."""
    missing = checks["missing"]
    warning = 0.05 if missing.warning_threshold is None else missing.warning_threshold
    leakage = checks["target_leakage"]
    return {
        "missing_error": missing.threshold,
        "missing_warning": min(warning, missing.threshold),
        "near_constant": checks["near_constant"].threshold,
        "high_cardinality": int(checks["high_cardinality"].threshold),
        "high_cardinality_ratio": checks["high_cardinality"].options["ratio"],
        "outlier_iqr_k": checks["outliers_iqr"].options["iqr_k"],
        "outlier_mad_z": checks["outliers_mad"].options["mad_z"],
        "outlier_rate": min(checks["outliers_iqr"].threshold, checks["outliers_mad"].threshold),
        # The engine's findings use one rule: MAD only when the config gates on MAD alone.
        "outlier_method": "mad" if checks["outliers_mad"].enabled and not checks["outliers_iqr"].enabled else "iqr",
        "imbalance_below": checks["class_imbalance"].threshold,
        "leakage": leakage.threshold,
        "leakage_decision": leakage.decision or "bound",
        "leakage_confidence": confidence_level,
        "leakage_bins": int(leakage.options["bins"]),
        # The engine's smallest is 1; 0 and 1 select the same bins (an empty bin counts nothing).
        "leakage_min_support": max(1, int(leakage.options["min_support"])),
    }


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


def _share(count: float, rows: int) -> float:
    return count / rows if rows else math.nan


class _Measurements:
    def __init__(self, dataset: str):
        self.dataset = dataset
        self.items: list[Measurement] = []

    def add(self, metric: str, subject: str, value: Any, note: str = "", interval: Any = None, level: Any = None):
        self.items.append(measurement(SECTION, metric, subject, value, interval, self.dataset, level, note))


# Checks whose engine value is a count of rows: the audit gates on their share of the rows.
_ROW_COUNTS = {"duplicate_rows", "conflicting_labels", "train_test_overlap", "unseen_categories"}
# The engine's measures the audit passes on; "target_leakage" goes through its own path (bounds).
_MEASURED = {
    "missing",
    "constant",
    "near_constant",
    "infinite_values",
    "outliers_iqr",
    "outliers_mad",
    "high_cardinality",
    "label_variants",
    "single_class",
    "class_imbalance",
} | _ROW_COUNTS


def _table_measurements(
    ctx: Context, table: Table, report: quality.QualityReport, columns: list[str], rules: dict
) -> list[Measurement]:
    """The engine's measure of every check for every column (``report.measures``), counts
    of rows as shares, plus what the audit measures itself: mixed types and rule breaks."""
    out = _Measurements(table.which)
    n = table.n_rows
    for m in report.measures:
        check = m["check"]
        if check not in _MEASURED:
            continue
        value = _share(m["value"], n) if check in _ROW_COUNTS else m["value"]
        out.add(check, m["column"] or TABLE, value, m["note"])
    target = [ctx.roles.target] if ctx.roles.target is not None and table.has(ctx.roles.target) else []
    for name in columns + target:
        counts = table.frame.column(name).type_counts
        if counts is not None:
            out.add("mixed_types", name, sum(1 for c in counts.values() if c > 0))
    rule_counts: dict[str, int] = {}
    for finding in report.findings:
        if finding.check.startswith("rule_") and finding.column is not None:
            rule_counts[finding.column] = rule_counts.get(finding.column, 0) + 1
    for name in rules:
        out.add("rules", name, rule_counts.get(name, 0))
    return out.items


def run(ctx: Context) -> SectionResult:
    """Runs the section (see the module docstring).

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    SectionResult
    """
    config = ctx.config.quality
    thresholds = engine_thresholds(config.checks, config.confidence_level)
    leakage_check = config.checks["target_leakage"]
    roles = ctx.roles
    data: dict[str, Any] = {"thresholds": thresholds, "leakage": {}}
    measurements: list[Measurement] = []
    for table in ctx.tables:
        columns = [c for c in roles.features if table.has(c)]
        target = roles.target if table.has(roles.target) else None
        checked = columns + ([target] if target else [])
        other = ctx.current if table.which == "reference" else ctx.reference
        rules = {c: _thawed(r) for c, r in config.rules.items() if table.has(c) or not other.has(c)}
        reference = None
        if table.which == "current":
            reference = ctx.reference.frame.select([c for c in checked if ctx.reference.has(c)])
        report = quality.check(
            table.frame.select(checked),
            target=target,
            reference=reference,
            rules=rules or None,
            # Features the config excludes from the leakage check are not flagged in the report
            # either (their scores are still measured; the gate skips them).
            thresholds={**thresholds, "leakage_exclude": [c for c in leakage_check.exclude if c in checked]},
            n_jobs=ctx.n_jobs,
            progress=False,
        )
        summary = report.to_dict()
        summary.pop("profile")
        summary["columns"] = {name: report.profile[name] for name in checked}
        data[table.which] = summary
        measurements += _table_measurements(ctx, table, report, columns, rules)
        if target is not None and leakage_check.enabled:
            rows = []
            level = config.confidence_level
            for m in report.measures:
                if m["check"] != "target_leakage":
                    continue
                feature, interval = m["column"], (m["lower"], m["upper"])
                rows.append(
                    {
                        "feature": feature,
                        "score": m["value"],
                        "lower": m["lower"],
                        "upper": m["upper"],
                        "note": m["note"],
                    }
                )
                measurements.append(
                    measurement(SECTION, "target_leakage", feature, m["value"], interval, table.which, level, m["note"])
                )
            data["leakage"][table.which] = rows
    return SectionResult(data, measurements)
