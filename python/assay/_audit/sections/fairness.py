"""The fairness section: group metrics by each sensitive feature and by their intersection,
disparities with intervals, and the four-fifths rule, on each dataset with predictions.

Group metrics are an :class:`assay.fairness.MetricFrame` of the config's ``fairness.metrics``
(``selection_rate``, ``true_positive_rate`` and ``false_positive_rate`` are added when a
disparity needs them) with bootstrap intervals. The disparities are the MetricFrame's
``difference()`` and ``ratio()`` between groups, as assay.fairness's functions compute them:
demographic parity on the selection rate, equal opportunity on the true-positive rate,
equalized odds the worse of the true- and false-positive rates' (largest difference,
smallest ratio). The equalized-odds interval is made of the two rates' intervals at level
1 - alpha/2 each (Bonferroni), so that it covers with probability at least 1 - alpha.
The four-fifths rule is :func:`assay.fairness.four_fifths` with the check's threshold.
For regression, the group metrics are the regression metrics of ``fairness.metrics``, or
else ``mean_prediction``, ``mean_error`` and ``mean_absolute_error``; disparities and the
four-fifths rule are for classification only.

``Audit.sections["fairness"]``: ``sensitive_features``, ``intersection``, ``metrics``,
``skipped_metrics``, ``confidence_level``, ``n_boot``, ``min_support``, ``convention``, and
per dataset (``datasets.<which>``): ``n_rows`` and ``groupings`` (per sensitive feature, and
``"a & b"`` for the intersection): ``features``, ``overall`` and ``groups`` (as the
performance section's), ``disparities`` (name to ``{value, lower, upper}``) and
``four_fifths`` (``FourFifths.to_dict()``), with ``notes`` on what could not be computed.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from ... import fairness
from .._context import Context, SectionResult, Skip, is_missing, measurement
from .._gates import Measurement
from ._frames import FrameSettings, Grouping, frame_values, groupings, metric_frame, require_pandas

__all__ = ["run"]

SECTION = "fairness"
_NEEDS_POSITIVE = {
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "precision_score",
    "recall_score",
    "f1_score",
}
_PREDICTIONS_ONLY = {"count", "selection_rate", "mean_prediction"}
_SCORES = {"roc_auc_score", "expected_calibration_error"}
_REGRESSION = {
    "count",
    "mean_prediction",
    "mean_error",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2_score",
}
# A regression's group metrics when fairness.metrics names none for regression.
_REGRESSION_DEFAULT = ("mean_prediction", "mean_error", "mean_absolute_error")
_DISPARITIES = {
    "demographic_parity": "selection_rate",
    "equal_opportunity": "true_positive_rate",
}


def _function(name: str, pos_label: Any) -> Callable:
    function = getattr(fairness, name)
    if name in _NEEDS_POSITIVE:
        return functools.partial(function, pos_label=pos_label)
    return function


def _chosen(ctx: Context, has_target: bool, skipped: dict[str, str]) -> tuple[list[str], list[str]]:
    """(metrics on the predicted labels or values, metrics on the probability)."""
    labels, scores = [], []
    for name in ctx.config.fairness.metrics:
        if ctx.task == "regression" and name not in _REGRESSION:
            skipped[name] = "a classification metric; the task is regression"
        elif ctx.task == "classification" and name in _REGRESSION - {"count"}:
            skipped[name] = "a regression metric; the task is classification"
        elif not has_target and name not in _PREDICTIONS_ONLY:
            skipped[name] = "needs the target"
        elif name in _NEEDS_POSITIVE and ctx.pos_label is None:
            skipped[name] = "needs a positive class: set columns.pos_label"
        elif name in _SCORES:
            if ctx.score("current") is None:
                skipped[name] = "needs predicted probabilities"
            else:
                scores.append(name)
        else:
            labels.append(name)
    if ctx.task == "regression" and not labels:
        labels = [m for m in _REGRESSION_DEFAULT if has_target or m in _PREDICTIONS_ONLY]
    return labels, scores


def _disparities(frame: fairness.MetricFrame, n_boot: int) -> dict[str, dict[str, float]]:
    """The disparities of a frame holding selection_rate, true_positive_rate and false_positive_rate."""
    names = set(frame.overall.index)
    difference, ratio = frame.difference(), frame.ratio()
    bounds: dict[str, list[Any]] = {}
    if n_boot > 0:
        bounds = {"difference": frame.difference_ci(), "ratio": frame.ratio_ci()}

    def entry(kind: str, metric: str, outer: bool) -> dict[str, float]:
        value = float((difference if kind == "difference" else ratio)[metric])
        if not bounds:
            return {"value": value, "lower": math.nan, "upper": math.nan}
        q = bounds[kind]
        low, high = (q[0], q[3]) if outer else (q[1], q[2])
        return {"value": value, "lower": float(low[metric]), "upper": float(high[metric])}

    out: dict[str, dict[str, float]] = {}
    for prefix, metric in _DISPARITIES.items():
        if metric in names:
            out[f"{prefix}_difference"] = entry("difference", metric, outer=False)
            out[f"{prefix}_ratio"] = entry("ratio", metric, outer=False)
    if {"true_positive_rate", "false_positive_rate"} <= names:
        for kind, worse in (("difference", max), ("ratio", min)):
            tpr = entry(kind, "true_positive_rate", outer=True)
            fpr = entry(kind, "false_positive_rate", outer=True)
            value = (
                math.nan if math.isnan(tpr["value"]) or math.isnan(fpr["value"]) else worse(tpr["value"], fpr["value"])
            )
            out[f"equalized_odds_{kind}"] = {
                "value": value,
                "lower": worse(tpr["lower"], fpr["lower"]),
                "upper": worse(tpr["upper"], fpr["upper"]),
            }
    return out


def _grouping(
    ctx: Context,
    grouping: Grouping,
    y_true: np.ndarray | None,
    y_pred: np.ndarray,
    score: np.ndarray | None,
    labels: list[str],
    scores: list[str],
) -> dict[str, Any]:
    config = ctx.config.fairness
    label, features, sensitive = grouping
    alpha = 1.0 - config.confidence_level
    settings = FrameSettings(
        config.n_boot,
        # alpha/4 bounds too: each rate's interval of the equalized-odds disparities (Bonferroni).
        [alpha / 4, alpha / 2, 1 - alpha / 2, 1 - alpha / 4],
        ctx.config.seed,
        ctx.n_jobs,
        config.min_support,
        config.convention,
    )
    classification = ctx.task == "classification" and ctx.pos_label is not None
    extra = ["selection_rate"] + (["true_positive_rate", "false_positive_rate"] if y_true is not None else [])
    names = list(labels) + ([m for m in extra if m not in labels] if classification else [])
    truth = y_pred if y_true is None else y_true
    frame = metric_frame({n: _function(n, ctx.pos_label) for n in names}, truth, y_pred, sensitive, settings)
    values = frame_values(frame, config.confidence_level)
    notes = []
    n_groups = len(values["groups"])
    result: dict[str, Any] = {"features": list(features), "overall": {}, "groups": [], "disparities": {}}
    shown = set(labels)
    result["overall"] = {m: v for m, v in values["overall"].items() if m in shown}
    result["groups"] = [
        {**g, "metrics": {m: v for m, v in g["metrics"].items() if m in shown}} for g in values["groups"]
    ]
    if classification and n_groups >= 2:
        result["disparities"] = _disparities(frame, config.n_boot)
    elif classification:
        notes.append("one group only: no disparity")
    if scores and score is not None and y_true is not None:
        indicator = (y_true == ctx.pos_label).astype(np.int64)
        frame = metric_frame({n: _function(n, None) for n in scores}, indicator, score, sensitive, settings)
        more = frame_values(frame, config.confidence_level)
        result["overall"].update(more["overall"])
        for entry, extra_entry in zip(result["groups"], more["groups"]):
            entry["metrics"].update(extra_entry["metrics"])
    if classification:
        check = config.checks["four_fifths"]
        result["four_fifths"] = fairness.four_fifths(
            y_pred,
            sensitive_features=sensitive,
            pos_label=ctx.pos_label,
            threshold=float(check.threshold or 0.8),
            confidence=config.confidence_level,
            min_support=config.min_support,
            n_jobs=ctx.n_jobs,
        ).to_dict()
    result["notes"] = notes
    result["label"] = label
    return result


def _measurements(data: dict[str, Any], level: float) -> list[Measurement]:
    out = []
    for which, dataset in data["datasets"].items():
        for label, grouping in dataset["groupings"].items():
            features = grouping["features"]
            for entry in grouping["groups"]:
                subject = " & ".join(f"{f}={g}" for f, g in zip(features, entry["group"]))
                note = "a small group" if entry["small"] else ""
                for metric, v in entry["metrics"].items():
                    out.append(
                        measurement(SECTION, metric, subject, v["value"], (v["lower"], v["upper"]), which, level, note)
                    )
            for name, v in grouping["disparities"].items():
                out.append(measurement(SECTION, name, label, v["value"], (v["lower"], v["upper"]), which, level))
            four_fifths = grouping.get("four_fifths")
            if four_fifths is None:
                continue
            for g in four_fifths["groups"]:
                if g["verdict"] == "reference":
                    continue
                levels = g["group"] if isinstance(g["group"], (list, tuple)) else [g["group"]]
                subject = " & ".join(f"{f}={x}" for f, x in zip(features, levels))
                note = f"reference group {four_fifths['reference']}" + ("; a small group" if g["small"] else "")
                for metric, key in (("selection_rate_ratio", "ratio"), ("selection_rate_difference", "difference")):
                    interval = g[f"{key}_interval"]
                    out.append(measurement(SECTION, metric, subject, g[key], interval, which, level, note))
    return out


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
        Without sensitive features or predictions.
    """
    config = ctx.config.fairness
    features = ctx.roles.sensitive_features
    if not features:
        raise Skip("no sensitive features (columns.sensitive_features or the sensitive_features argument)")
    if all(ctx.outputs[w].y_pred is None for w in ("reference", "current")):
        raise Skip("no predictions: give a model or a prediction column")
    require_pandas(SECTION)
    skipped: dict[str, str] = {}
    has_target = any(ctx.outputs[w].y_true is not None for w in ("reference", "current"))
    labels, scores = _chosen(ctx, has_target, skipped)
    datasets = {}
    for which in ("reference", "current"):
        outputs = ctx.outputs[which]
        if outputs.y_pred is None:
            continue
        rows = ~is_missing(outputs.y_pred)
        if outputs.y_true is not None:
            rows &= ~is_missing(outputs.y_true)
        if not rows.any():
            continue
        y_true = None if outputs.y_true is None else outputs.y_true[rows]
        score = ctx.score(which)
        score = None if score is None else score[rows]
        found = {}
        for grouping in groupings(ctx, which, rows, features, config.intersection):
            found[grouping[0]] = _grouping(ctx, grouping, y_true, outputs.y_pred[rows], score, labels, scores)
        datasets[which] = {"n_rows": int(rows.sum()), "groupings": found}
    if not datasets:
        raise Skip("no row has a prediction")
    data = {
        "sensitive_features": list(features),
        "intersection": config.intersection and len(features) >= 2,
        "metrics": labels + scores,
        "skipped_metrics": skipped,
        "confidence_level": config.confidence_level,
        "n_boot": config.n_boot,
        "min_support": config.min_support,
        "convention": config.convention,
        "datasets": datasets,
    }
    return SectionResult(data, _measurements(data, config.confidence_level))
