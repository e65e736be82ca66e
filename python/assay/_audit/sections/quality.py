"""The quality section: :func:`assay.quality.check` on both datasets, and each column's value
of every quality check as measurements.

The engine reports a finding only when a check flags a column, but gates need every
column's value. The values come from the finding where the engine made one, and otherwise
from the report's profile (missing, constant, near-constant, infinite values, high
cardinality, class shares) or from vectorised numpy on the column with the profile's
quartiles (outlier shares), with the engine's definitions, so that a flagged column's value
is its finding's. Leakage scores and their bounds are the engine's
(:func:`assay.quality.leakage_scores`) for every feature, flagged or not.

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

import numpy as np

from ... import quality
from ..._frame import CATEGORICAL, Column
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


def _outlier_shares(
    column: Column, stats: Mapping[str, Any], iqr_k: float, mad_z: float
) -> dict[str, tuple[float, str]]:
    """(share, note) of values outside Tukey's fences and beyond the robust z cut-off."""
    values = column.values
    finite = values[np.isfinite(values)]
    if len(finite) < 4:
        return {name: (math.nan, "fewer than 4 finite values") for name in ("outliers_iqr", "outliers_mad")}
    quantiles = stats["quantiles"]
    q1, median, q3 = quantiles[0.25], quantiles[0.5], quantiles[0.75]
    out: dict[str, tuple[float, str]] = {}
    half_iqr = _half_difference(q1, q3)
    if half_iqr > 0:
        low, high = _scaled(q1, -iqr_k, half_iqr), _scaled(q3, iqr_k, half_iqr)
        out["outliers_iqr"] = (int(np.count_nonzero((finite < low) | (finite > high))) / len(finite), "")
    else:
        out["outliers_iqr"] = (0.0, "the interquartile range is 0: no fences")
    mad = float(np.median(np.abs(finite - median)))
    if mad > 0:
        reach = mad_z / 0.6745  # robust z = 0.6745 |x - median| / MAD (Iglewicz & Hoaglin 1993)
        low, high = _scaled(median, -reach, mad * 0.5), _scaled(median, reach, mad * 0.5)
        out["outliers_mad"] = (int(np.count_nonzero((finite < low) | (finite > high))) / len(finite), "")
    else:
        out["outliers_mad"] = (0.0, "the median absolute deviation is 0: no cut-off")
    return out


def _half_difference(a: float, b: float) -> float:
    with np.errstate(over="ignore"):
        d = b - a
    return d * 0.5 if math.isfinite(d) else b * 0.5 - a * 0.5


def _scaled(a: float, k: float, h: float) -> float:
    """a + k (2h), as the engine's fences (finite when the true value is)."""
    with np.errstate(over="ignore"):
        direct = a + k * (2.0 * h)
        return direct if math.isfinite(direct) else 4.0 * (a * 0.25 + k * (h * 0.5))


def _share(count: float, rows: int) -> float:
    return count / rows if rows else math.nan


class _Measurements:
    def __init__(self, dataset: str):
        self.dataset = dataset
        self.items: list[Measurement] = []

    def add(self, metric: str, subject: str, value: Any, note: str = "", interval: Any = None, level: Any = None):
        self.items.append(measurement(SECTION, metric, subject, value, interval, self.dataset, level, note))


def _column_measurements(
    out: _Measurements, column: Column, stats: Mapping[str, Any], flagged: Mapping[tuple, float], thresholds: dict
) -> None:
    name = column.name
    count, missing = stats["count"], stats["missing"]
    non_missing = count - missing
    out.add("missing", name, _share(missing, count))
    if non_missing == 0:
        out.add("constant", name, math.nan, "no non-missing values")
        out.add("near_constant", name, math.nan, "no non-missing values")
    else:
        out.add("constant", name, 1.0 if stats["distinct"] <= 1 else 0.0)
        out.add("near_constant", name, stats["values"][0][1] / non_missing)
    if column.kind == CATEGORICAL:
        ratio = stats["distinct"] / non_missing if non_missing else 0.0
        out.add("high_cardinality", name, stats["distinct"] if ratio >= thresholds["high_cardinality_ratio"] else 0)
        out.add("label_variants", name, flagged.get(("label_variants", name), 0.0))
    else:
        out.add("infinite_values", name, _share(stats["infinities"], count))


def _table_measurements(
    ctx: Context, table: Table, report: quality.QualityReport, columns: list[str], thresholds: dict, rules: dict
) -> list[Measurement]:
    out = _Measurements(table.which)
    flagged: dict[tuple, float] = {}
    rule_counts: dict[str, int] = {}
    for finding in report.findings:
        flagged[(finding.check, finding.column)] = finding.value
        if finding.check.startswith("rule_") and finding.column is not None:
            rule_counts[finding.column] = rule_counts.get(finding.column, 0) + 1
    target = ctx.roles.target if table.has(ctx.roles.target) else None
    n = table.n_rows
    for name in columns + ([target] if target is not None else []):
        column = table.frame.column(name)
        stats = report.profile[name]
        _column_measurements(out, column, stats, flagged, thresholds)
        counts = column.type_counts
        if counts is not None:
            out.add("mixed_types", name, sum(1 for c in counts.values() if c > 0))
        if column.kind != CATEGORICAL and name != target:
            shares = _outlier_shares(column, stats, thresholds["outlier_iqr_k"], thresholds["outlier_mad_z"])
            for check, (share, note) in shares.items():
                out.add(check, name, flagged.get((check, name), share), note)
    for name in rules:
        out.add("rules", name, rule_counts.get(name, 0))
    out.add("duplicate_rows", TABLE, _share(flagged.get(("duplicate_rows", None), 0.0), n))
    if target is not None:
        _target_measurements(out, table.frame.column(target), report.profile[target], flagged, n)
    if table.which == "current":
        out.add("train_test_overlap", TABLE, _share(flagged.get(("train_test_overlap", None), 0.0), n))
        for name in columns:
            column = table.frame.column(name)
            if column.kind != CATEGORICAL or not ctx.reference.has(name):
                continue
            if ctx.reference.frame.column(name).kind != CATEGORICAL:
                continue
            stats = report.profile[name]
            non_missing = stats["count"] - stats["missing"]
            identifier = (
                non_missing > 0
                and stats["distinct"] >= thresholds["high_cardinality"]
                and stats["distinct"] / non_missing >= thresholds["high_cardinality_ratio"]
            )
            if identifier:  # the engine does not test identifier-like columns
                continue
            out.add("unseen_categories", name, _share(flagged.get(("unseen_categories", name), 0.0), n))
    return out.items


# The engine's rule: a numeric target with at most this many distinct integer values is classes.
_MAX_INTEGER_CLASSES = 20


def target_classes(column: Column) -> np.ndarray | None:
    """Class codes (-1 for missing) when the engine treats the target as classes, else None."""
    if column.kind == CATEGORICAL:
        codes = np.asarray(column.values, dtype=np.int64)
        present = codes[codes >= 0]
        used = np.unique(present)
        remap = np.full(len(column.labels or []) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return remap[codes]  # -1 indexes the last entry: missing stays -1
    values = column.values
    present = values[~np.isnan(values)]
    if not np.isfinite(present).all() or (present != np.floor(present)).any():
        return None
    levels = np.unique(present)
    if len(levels) > _MAX_INTEGER_CLASSES:
        return None
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~np.isnan(values)] = np.searchsorted(levels, present)
    return codes


def _target_measurements(
    out: _Measurements, column: Column, stats: Mapping[str, Any], flagged: Mapping[tuple, float], n: int
) -> None:
    name = column.name
    out.add("conflicting_labels", name, _share(flagged.get(("conflicting_labels", name), 0.0), n))
    classes = target_classes(column)
    if classes is None:
        return
    counts = np.bincount(classes[classes >= 0])
    counts = counts[counts > 0]
    out.add("single_class", name, len(counts))
    if len(counts) >= 2:
        out.add("class_imbalance", name, counts.min() / counts.sum())
    else:
        out.add("class_imbalance", name, math.nan, "the target has fewer than two classes")


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
        measurements += _table_measurements(ctx, table, report, columns, thresholds, rules)
        if target is not None and leakage_check.enabled:
            scores = quality.leakage_scores(
                table.frame.select(checked), target, thresholds=thresholds, n_jobs=ctx.n_jobs
            )
            rows = []
            for feature, s in scores.items():
                note = "" if math.isfinite(s["score"]) else "undefined: the target has one class or no variance"
                rows.append(
                    {"feature": feature, "score": s["score"], "lower": s["lower"], "upper": s["upper"], "note": note}
                )
                interval = (s["lower"], s["upper"])
                level = config.confidence_level
                measurements.append(
                    measurement(SECTION, "target_leakage", feature, s["score"], interval, table.which, level, note)
                )
            data["leakage"][table.which] = rows
    return SectionResult(data, measurements)
