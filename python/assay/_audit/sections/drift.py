"""The drift section: :func:`assay.drift.report` on the features, the target and the prediction.

Tests and thresholds come from the config (``drift.method`` per column type, ``drift.threshold``,
and the ``column_drift`` overrides per column), the dataset-drift share from the
``drifted_share`` check, the correction from ``drift.correction``. A model's predictions (and
positive-class probability) are compared like prediction columns.

``Audit.sections["drift"]``: the engine's report (``report``: ``dataset_drift``,
``share_drifted``, ``n_drifted``, ``n_columns``, ``drift_share``, ``correction``,
``drifted_columns`` and the ``columns``, ``target`` and ``prediction`` results),
``distributions`` (per checked column, reference and current on common bins: numeric
``{kind, edges, reference, current}`` counts of 20 equal-width bins over both datasets'
finite values plus ``missing`` counts; categorical ``{kind, labels, reference, current}`` for
the 20 most frequent labels over both, the others summed as ``"(other)"``, ``"(missing)"``
last) and ``ranking`` (drifted features, the most important to the model first; see
:func:`rank_drifted`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import drift
from ..._core import drift as _core_drift
from ..._frame import CATEGORICAL, Column, Frame, as_column
from ..._util import n_jobs_arg
from ...typing import NJobs
from .._context import Context, SectionResult, Skip, measurement
from .._data import unused_name
from .._gates import Measurement

__all__ = ["rank_drifted", "run"]

SECTION = "drift"
_BINS = 20
_TOP_LABELS = 20


def _with_columns(frame: Frame, extra: dict[str, Any]) -> Frame:
    columns = list(frame.columns)
    for name, values in extra.items():
        columns.append(as_column(values, name=name))
    return Frame(columns, frame.n_rows)


def _model_outputs(ctx: Context, taken: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The prediction columns to compare: the model's outputs, or the data's prediction and
    score columns present in both tables. Returns (extra columns per dataset, names)."""
    extra: dict[str, dict[str, Any]] = {"reference": {}, "current": {}}
    if ctx.model is None:
        names = [c for c in ctx.roles.outputs if ctx.reference.has(c) and ctx.current.has(c)]
        return extra, names
    label = unused_name("prediction", taken)
    score = unused_name("prediction_score", [*taken, label])
    names = [label]
    for which in ("reference", "current"):
        extra[which][label] = ctx.outputs[which].y_pred
        positive = ctx.score(which)
        if positive is not None:
            extra[which][score] = positive
    if ctx.score("current") is not None:
        names.append(score)
    return extra, names


def _numeric_distributions(frames: dict[str, Frame], names: list[str], n_jobs: NJobs) -> dict[str, dict[str, Any]]:
    """Reference-vs-current histograms on shared bins (numpy.histogram's rule), one core
    call over every numeric column, in parallel."""
    if not names:
        return {}
    reference, current = (frames[which].select(names) for which in ("reference", "current"))
    pairs = _core_drift.paired_histograms(reference.core_columns(), current.core_columns(), _BINS, n_jobs_arg(n_jobs))
    return {
        name: {
            "kind": "numeric",
            "edges": h.edges.tolist(),
            "reference": h.reference.tolist(),
            "current": h.current.tolist(),
            "missing": [h.reference_missing, h.current_missing],
        }
        for name, h in zip(names, pairs)
    }


def _label_counts(column: Column) -> tuple[dict[str, int], int]:
    codes = np.asarray(column.values, dtype=np.int64)
    counts = np.bincount(codes[codes >= 0], minlength=len(column.labels or []))
    return dict(zip(column.labels or [], counts.tolist())), int((codes < 0).sum())


def _categorical_distribution(reference: Column, current: Column) -> dict[str, Any]:
    (ref, ref_missing), (cur, cur_missing) = _label_counts(reference), _label_counts(current)
    totals = {label: ref.get(label, 0) + cur.get(label, 0) for label in {*ref, *cur}}
    top = sorted(totals, key=lambda label: (-totals[label], label))[:_TOP_LABELS]
    rest = [label for label in totals if label not in set(top)]
    labels = list(top)
    reference_counts = [ref.get(label, 0) for label in top]
    current_counts = [cur.get(label, 0) for label in top]
    if rest:
        labels.append("(other)")
        reference_counts.append(sum(ref.get(label, 0) for label in rest))
        current_counts.append(sum(cur.get(label, 0) for label in rest))
    labels.append("(missing)")
    reference_counts.append(ref_missing)
    current_counts.append(cur_missing)
    return {"kind": "categorical", "labels": labels, "reference": reference_counts, "current": current_counts}


def run(ctx: Context) -> SectionResult:
    """Runs the section (see the module docstring).

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    SectionResult

    Raises
    ------
    Skip
        When the tables share no feature column.
    """
    config = ctx.config.drift
    roles = ctx.roles
    features = [c for c in roles.features if ctx.current.has(c)]
    absent = [c for c in roles.features if not ctx.current.has(c)]
    if not features:
        raise Skip("the reference and current data share no feature column")
    target = roles.target if ctx.reference.has(roles.target) and ctx.current.has(roles.target) else None
    taken = ctx.reference.columns + ctx.current.columns
    extra, predictions = _model_outputs(ctx, taken)
    checked = features + ([target] if target else []) + [p for p in predictions if p not in extra["reference"]]
    frames = {t.which: _with_columns(t.frame.select(checked), extra[t.which]) for t in (ctx.reference, ctx.current)}
    overrides = config.checks["column_drift"].overrides
    tests: dict[str, str] = {}
    thresholds: dict[str, float] = {}
    for name in features + ([target] if target else []) + predictions:
        kind = "categorical" if frames["reference"].column(name).kind == CATEGORICAL else "numeric"
        method = overrides.get(name, {}).get("method", config.method[kind])
        if method != "auto":
            tests[name] = method
        threshold = overrides.get(name, {}).get("threshold", config.threshold)
        if threshold is not None:
            thresholds[name] = threshold
    report = drift.report(
        frames["reference"],
        frames["current"],
        columns=features,
        tests=tests,
        thresholds=thresholds or None,
        target=target,
        prediction=predictions or None,
        drift_share=float(config.checks["drifted_share"].threshold or 0.0),
        correction=config.correction,
        n_jobs=ctx.n_jobs,
        progress=False,
    )
    measurements: list[Measurement] = []
    seen: set[str] = set()
    for result in report.columns:
        if result.column in seen:  # a column's first test decides, as in the report
            continue
        seen.add(result.column)
        note = f"{result.test}: {result.note}" if result.note else result.test
        if result.method and not result.note:
            note += f" ({result.method})"
        measurements.append(measurement(SECTION, "drifted", result.column, float(result.drifted), note=note))
        measurements.append(measurement(SECTION, "drift_score", result.column, result.score, note=note))
    for metric, results in (("target_drifted", report.target), ("prediction_drifted", report.prediction)):
        for result in results:
            note = f"{result.test}: {result.note}" if result.note else result.test
            measurements.append(measurement(SECTION, metric, result.column, float(result.drifted), note=note))
    shown = features + ([target] if target else []) + predictions
    categorical = [n for n in shown if any(frames[w].column(n).kind == CATEGORICAL for w in frames)]
    numeric = _numeric_distributions(frames, [n for n in shown if n not in categorical], ctx.n_jobs)
    distributions = {
        name: numeric[name]
        if name in numeric
        else _categorical_distribution(frames["reference"].column(name), frames["current"].column(name))
        for name in shown
    }
    data = {
        "report": report.to_dict(),
        "distributions": distributions,
        "absent_from_current": absent,
        "ranking": rank_drifted(report, None),
        "ranked_by": "drift score",
    }
    return SectionResult(data, measurements)


def rank_drifted(report: drift.DriftReport | dict[str, Any], importance: dict[str, float] | None) -> list[dict]:
    """The drifted features, those that matter most to the model first.

    Parameters
    ----------
    report : DriftReport or its dict
    importance : dict of str to float or None
        Mean |SHAP| per feature; None ranks by drift score alone (p-values ascending,
        distances descending).

    Returns
    -------
    list of dict
        ``{column, test, score, importance, importance_rank}``; features without an
        importance (not read by the model) come after those with one.
    """
    results = (report if isinstance(report, dict) else report.to_dict())["columns"]
    first: dict[str, dict[str, Any]] = {}
    for result in results:
        first.setdefault(result["column"], result)
    drifted = [r for r in first.values() if r["drifted"]]
    order = sorted(importance or {}, key=lambda f: -(importance or {})[f])
    rank = {feature: i + 1 for i, feature in enumerate(order)}

    def key(result: dict[str, Any]) -> tuple:
        score = result["score"] if result["score"] is not None else float("nan")
        strength = score if result["pvalue"] is not None else -score  # small p-values first, large distances
        known = importance is not None and result["column"] in rank
        return (not known, rank.get(result["column"], 0), strength)

    return [
        {
            "column": r["column"],
            "test": r["test"],
            "score": r["score"],
            "importance": None if importance is None else importance.get(r["column"]),
            "importance_rank": rank.get(r["column"]),
        }
        for r in sorted(drifted, key=key)
    ]
