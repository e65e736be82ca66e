"""The performance section: the model's metrics overall and per group, on both datasets, with
bootstrap intervals.

Every metric is an :class:`assay.fairness.MetricFrame` built-in, so the values per group
and the intervals come from the core (the bootstrap draws rows from the config's seed, the
same rows for every metric of a dataset): accuracy, balanced accuracy, precision, recall
and F1 on the predicted labels (precision, recall and F1 of ``pos_label`` against the
rest); ROC-AUC, the expected calibration error and the Brier score (the mean squared error
of the 0/1 outcome) on the positive class's probability; the log loss as the mean of each
row's loss (:mod:`.._metrics`); MAE, RMSE, R² and the mean error (prediction minus target)
for regression. The reliability curve is :func:`assay.fairness.calibration_by_group`.

``Audit.sections["performance"]``: ``task``, ``classes``, ``pos_label``, ``metrics``,
``skipped_metrics`` (metric to reason), ``confidence_level``, ``n_boot``, and per dataset
(``datasets.reference``, ``datasets.current``): ``n_rows``, ``dropped_rows`` (missing target
or prediction), ``source`` of the predictions, ``overall`` (metric to ``{value, lower,
upper}``), ``by_group`` (sensitive feature to a list of ``{group, n_rows, small, metrics}``),
``calibration`` (classification with probabilities: ``overall`` and ``by_group`` as
``CalibrationByGroup.to_dict()``) and ``residuals`` (regression: ``quantiles`` of prediction
minus target at ``probabilities``, a 30-bin ``histogram`` with ``edges`` and ``counts``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ... import fairness
from .._context import Context, SectionResult, Skip, interval_quantiles, measurement
from .._gates import OVERALL, Measurement
from .._metrics import log_loss_per_row
from .._schema import PERFORMANCE_TASK_METRICS
from ._frames import FrameSettings, frame_values, groupings, metric_frame, require_pandas

__all__ = ["run"]

SECTION = "performance"
_RESIDUAL_PROBABILITIES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
_ALL = "(all)"


def _label_metrics(pos_label: Any) -> dict[str, Callable]:
    with_positive = {} if pos_label is None else {"pos_label": pos_label}
    return {
        "accuracy": fairness.accuracy_score,
        "balanced_accuracy": fairness.balanced_accuracy_score,
        "precision": functools.partial(fairness.precision_score, **with_positive),
        "recall": functools.partial(fairness.recall_score, **with_positive),
        "f1": functools.partial(fairness.f1_score, **with_positive),
    }


_SCORE_METRICS: dict[str, Callable] = {
    "roc_auc": fairness.roc_auc_score,
    "ece": fairness.expected_calibration_error,
    "brier_score": fairness.mean_squared_error,
}
_REGRESSION_METRICS: dict[str, Callable] = {
    "mae": fairness.mean_absolute_error,
    "rmse": fairness.root_mean_squared_error,
    "r2": fairness.r2_score,
    "mean_error": fairness.mean_error,
}


def _families(ctx: Context, metrics: list[str], skipped: dict[str, str]) -> dict[str, list[str]]:
    """The metrics by the inputs they need: labels, probabilities, per-row losses, values."""
    families: dict[str, list[str]] = {"labels": [], "scores": [], "log_loss": [], "regression": []}
    has_scores = ctx.outputs["current"].proba is not None
    binary_only = {"precision", "recall", "f1"}
    for metric in metrics:
        if ctx.task == "regression":
            if metric in _REGRESSION_METRICS:
                families["regression"].append(metric)
            else:
                skipped[metric] = "a classification metric; the task is regression"
        elif metric in _REGRESSION_METRICS:
            skipped[metric] = "a regression metric; the task is classification"
        elif metric in binary_only and ctx.pos_label is None:
            skipped[metric] = "needs a positive class: set columns.pos_label"
        elif metric in _SCORE_METRICS or metric == "log_loss":
            if not has_scores:
                skipped[metric] = (
                    "needs predicted probabilities (a model with predict_proba or columns.prediction_score)"
                )
            elif metric != "log_loss" and ctx.positive_index is None:
                skipped[metric] = "needs a positive class: set columns.pos_label"
            else:
                families["log_loss" if metric == "log_loss" else "scores"].append(metric)
        else:
            families["labels"].append(metric)
    return families


def _residuals(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    residual = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    residual = residual[np.isfinite(residual)]
    if not len(residual):
        return {"probabilities": list(_RESIDUAL_PROBABILITIES), "quantiles": [], "histogram": None}
    counts, edges = np.histogram(residual, bins=30)
    return {
        "probabilities": list(_RESIDUAL_PROBABILITIES),
        "quantiles": np.quantile(residual, _RESIDUAL_PROBABILITIES).tolist(),
        "mean": float(residual.mean()),
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
    }


def _calibration(ctx: Context, which: str, rows: np.ndarray, groups: list, bins: int) -> dict[str, Any]:
    y_true = ctx.outputs[which].y_true
    assert y_true is not None
    y = (y_true[rows] == ctx.pos_label).astype(np.int64)
    score = ctx.score(which)
    assert score is not None
    score = score[rows]
    everyone = np.zeros(len(y), dtype=np.int64)
    out = {
        "overall": fairness.calibration_by_group(
            y, score, sensitive_features={_ALL: everyone}, n_bins=bins, n_jobs=ctx.n_jobs
        ).to_dict(),
        "by_group": {},
    }
    for label, _, sensitive in groups:
        result = fairness.calibration_by_group(y, score, sensitive_features=sensitive, n_bins=bins, n_jobs=ctx.n_jobs)
        out["by_group"][label] = result.to_dict()
    return out


def _dataset(ctx: Context, which: str, families: dict[str, list[str]], notes: dict[str, str]) -> dict[str, Any] | None:
    config = ctx.config.performance
    rows = ctx.valid_rows(which)
    if rows is None or not rows.any():
        return None
    outputs = ctx.outputs[which]
    assert outputs.y_true is not None and outputs.y_pred is not None  # else no valid rows
    y_true, y_pred = outputs.y_true[rows], outputs.y_pred[rows]
    features = ctx.roles.sensitive_features if config.by_group else ()
    groups = groupings(ctx, which, rows, features, intersection=False)
    everyone = (_ALL, (_ALL,), {_ALL: np.zeros(len(y_true), dtype=np.int64)})
    settings = FrameSettings(
        config.n_boot,
        interval_quantiles(config.confidence_level),
        ctx.config.seed,
        ctx.n_jobs,
        ctx.config.fairness.min_support,
    )
    inputs: dict[str, tuple[dict[str, Callable], Any, Any]] = {}
    if families["labels"]:
        available = _label_metrics(ctx.pos_label)
        inputs["labels"] = ({m: available[m] for m in families["labels"]}, y_true, y_pred)
    if families["regression"]:
        truth_values, predicted_values = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
        chosen_metrics = {m: _REGRESSION_METRICS[m] for m in families["regression"]}
        inputs["regression"] = (chosen_metrics, truth_values, predicted_values)
    if families["scores"]:
        indicator = (y_true == ctx.pos_label).astype(np.int64)
        score = ctx.score(which)
        assert score is not None
        chosen = [m for m in families["scores"] if m != "ece" or config.calibration_bins == 10]
        if chosen:
            inputs["scores"] = ({m: _SCORE_METRICS[m] for m in chosen}, indicator, score[rows])
    if families["log_loss"]:
        proba = outputs.proba
        assert proba is not None
        index = ctx.class_index(y_true)
        known = index >= 0
        losses = np.full(len(y_true), -np.log(np.finfo(np.float64).eps))
        losses[known] = log_loss_per_row(index[known], proba[rows][known])
        if not known.all():
            notes["log_loss"] = (
                f"{int((~known).sum())} rows of a class the model does not predict count with probability 0 "
                "(clipped to the machine epsilon)"
            )
        inputs["log_loss"] = ({"log_loss": fairness.mean_prediction}, np.zeros(len(losses)), losses)
    result: dict[str, Any] = {
        "n_rows": int(rows.sum()),
        "dropped_rows": int((~rows).sum()),
        "source": outputs.source,
        "overall": {},
        "by_group": {label: [] for label, _, _ in groups},
    }
    for metrics, truth, predicted in inputs.values():
        for i, (label, names, sensitive) in enumerate(groups or [everyone]):
            frame = metric_frame(metrics, truth, predicted, sensitive, settings)
            found = frame_values(frame, config.confidence_level)
            if i == 0:  # every grouping's overall values are the same (the bootstrap draws the same rows)
                result["overall"].update(found["overall"])
            if label == _ALL:
                continue
            merged = {tuple(g["group"]): g for g in result["by_group"][label]}
            for group in found["groups"]:
                key = tuple(group["group"])
                if key in merged:
                    merged[key]["metrics"].update(group["metrics"])
                else:
                    result["by_group"][label].append({**group, "features": list(names)})
    if families["scores"] and "ece" in families["scores"] and config.calibration_bins != 10:
        notes["ece"] = f"{config.calibration_bins} bins (calibration_bins): no interval (the bootstrap's ECE uses 10)"
    if ctx.task == "classification" and ctx.score(which) is not None and ctx.pos_label is not None:
        result["calibration"] = _calibration(ctx, which, rows, groups, config.calibration_bins)
        if "ece" in families["scores"] and config.calibration_bins != 10:
            curve = result["calibration"]
            result["overall"]["ece"] = {"value": curve["overall"]["groups"][0]["ece"], "lower": None, "upper": None}
            for label, entries in result["by_group"].items():
                by_level = {g["group"]: g["ece"] for g in curve["by_group"][label]["groups"]}
                for entry in entries:
                    level = entry["group"][0]
                    entry["metrics"]["ece"] = {"value": by_level.get(level), "lower": None, "upper": None}
    if ctx.task == "regression":
        result["residuals"] = _residuals(y_true, y_pred)
    return result


def _measurements(data: dict[str, Any], level: float, notes: dict[str, str]) -> list[Measurement]:
    out = []
    for which, result in data["datasets"].items():
        for metric, v in result["overall"].items():
            interval = (v["lower"], v["upper"])
            out.append(measurement(SECTION, metric, OVERALL, v["value"], interval, which, level, notes.get(metric, "")))
        for entries in result["by_group"].values():
            for entry in entries:
                subject = " & ".join(f"{f}={g}" for f, g in zip(entry["features"], entry["group"]))
                small = "a small group" if entry["small"] else ""
                for metric, v in entry["metrics"].items():
                    note = "; ".join(x for x in (notes.get(metric, ""), small) if x)
                    out.append(
                        measurement(SECTION, metric, subject, v["value"], (v["lower"], v["upper"]), which, level, note)
                    )
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
        Without a target, without predictions (no model and no prediction column), or
        when no row has both.
    """
    config = ctx.config.performance
    if ctx.roles.target is None:
        raise Skip("no target column")
    if all(ctx.outputs[w].y_pred is None for w in ("reference", "current")):
        raise Skip("no predictions: give a model or a prediction column")
    if ctx.task is None:
        raise Skip("the task (classification or regression) is unknown")
    require_pandas(SECTION)
    metrics = list(config.metrics or PERFORMANCE_TASK_METRICS[ctx.task])
    skipped: dict[str, str] = {}
    families = _families(ctx, metrics, skipped)
    notes: dict[str, str] = {}
    datasets = {}
    for which in ("reference", "current"):
        result = _dataset(ctx, which, families, notes)
        if result is not None:
            datasets[which] = result
    if not datasets:
        raise Skip("no row has both a target and a prediction")
    data = {
        "task": ctx.task,
        "classes": ctx.classes,
        "pos_label": ctx.pos_label,
        "metrics": [m for m in metrics if m not in skipped],
        "skipped_metrics": skipped,
        "confidence_level": config.confidence_level,
        "n_boot": config.n_boot,
        "datasets": datasets,
    }
    measurements = _measurements(data, config.confidence_level, notes)
    return SectionResult(data, measurements)
