"""The review section: split conformal sets (regression: intervals) calibrated on the reference,
their coverage and the review load on the current data, overall and per group of each
sensitive feature (Mondrian calibration, one threshold per group), by
:class:`assay.review.ReviewRouter`.

The coverage guarantee (at least ``1 - alpha`` per group) holds when the current rows are
exchangeable with the reference rows; a coverage below it on the current data is a sign of
drift or of a model that changed, which the ``coverage`` check gates. ``review_load`` gates
the share of current rows sent to a person.

``Audit.sections["review"]``: ``task``, ``alpha``, ``score``, ``budget``, ``tolerance``,
``guarantee`` (what the guarantee is and is not), and ``groupings``: a list of ``{feature,
groups}`` (feature ``"(all)"`` first, without groups), each group a dict of ``group``,
``n_calibration``, ``infinite``, ``rows``, ``coverage``, ``review_share`` and
``max_auto_error``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...review import ReviewRouter
from ...review._router import GUARANTEE
from .._context import Context, SectionResult, Skip, measurement, subject_of
from .._data import group_values
from .._gates import OVERALL, Measurement

__all__ = ["run"]

SECTION = "review"
_ALL = "(all)"


def _inputs(ctx: Context, which: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows used, the model's scores, the labels) of one dataset."""
    outputs = ctx.outputs[which]
    rows = ctx.valid_rows(which)
    if rows is None or outputs.y_true is None:
        raise Skip("needs the target and the model's predictions in both datasets")
    if ctx.task == "classification":
        if outputs.proba is None:
            raise Skip("needs predicted probabilities (a model with predict_proba or columns.prediction_score)")
        labels = ctx.class_index(outputs.y_true)
        rows &= labels >= 0
        return rows, outputs.proba[rows], labels[rows]
    prediction = np.asarray(outputs.y_pred, dtype=np.float64)
    target = np.asarray(outputs.y_true, dtype=np.float64)
    rows &= np.isfinite(prediction) & np.isfinite(target)
    return rows, prediction[rows], target[rows]


def _covered(result: Any, labels: np.ndarray) -> np.ndarray:
    if result.sets is not None:
        return result.sets[np.arange(len(labels)), labels]
    return (result.intervals[:, 0] <= labels) & (labels <= result.intervals[:, 1])


def run(ctx: Context) -> SectionResult:
    settings = ctx.config.review
    if ctx.task is None:
        raise Skip("needs a target and the model's predictions")
    ref_rows, ref_scores, ref_labels = _inputs(ctx, "reference")
    cur_rows, cur_scores, cur_labels = _inputs(ctx, "current")
    if not ref_rows.any() or not cur_rows.any():
        raise Skip("no rows with a target and a prediction in one of the datasets")
    groupings: list[dict[str, Any]] = []
    measurements: list[Measurement] = []
    for feature in (None, *ctx.roles.sensitive_features):
        groups = {}
        if feature is not None:
            for which, used, source in (("reference", ref_rows, ctx.reference), ("current", cur_rows, ctx.current)):
                groups[which] = np.asarray(group_values(source.frame.column(feature)), dtype=object)[used]
        router = ReviewRouter(
            settings.alpha,
            task=ctx.task,
            score=settings.score,
            budget=settings.budget,
            tolerance=settings.tolerance,
            seed=ctx.config.seed,
            n_jobs=ctx.n_jobs,
        ).fit(ref_scores, ref_labels, groups.get("reference"))
        result = router.route(cur_scores, groups.get("current"))
        table = result.groups
        n_groups = len(table["group"])
        covered = np.bincount(result.group, weights=_covered(result, cur_labels), minlength=n_groups)
        rows = np.asarray(table["rows"], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            coverage = np.where(rows > 0, covered / rows, np.nan)
        entries = []
        for i, group in enumerate(table["group"]):
            if feature is not None and group is None and not rows[i]:
                continue  # the bucket of groups unseen at calibration, empty here
            name = _ALL if feature is None else ("(not in reference)" if group is None else str(group))
            entry = {
                "group": name,
                "n_calibration": table["n_calibration"][i],
                "infinite": table["infinite"][i],
                "rows": table["rows"][i],
                "coverage": float(coverage[i]),
                "review_share": table["review_share"][i],
                "max_auto_error": table["max_auto_error"][i],
            }
            entries.append(entry)
            subject = OVERALL if feature is None else subject_of((feature,), name)
            for metric in ("coverage", "review_share"):
                measurements.append(measurement(SECTION, metric, subject, entry[metric], dataset="current"))
        groupings.append({"feature": _ALL if feature is None else feature, "groups": entries})
    data = {
        "task": ctx.task,
        "alpha": settings.alpha,
        "score": settings.score,
        "budget": settings.budget,
        "tolerance": settings.tolerance,
        "guarantee": GUARANTEE,
        "groupings": groupings,
    }
    return SectionResult(data, measurements)
