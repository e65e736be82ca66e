"""The slices section: the worst slices of the current data (assay.slices.find_slices).

Runs when the current data has a target and predictions: each row's error is the 0/1 error of
the predicted label (classification) or the squared error (regression), over the feature
columns (the model's features when known, else the data's). ``Audit.sections["slices"]``:
``metric``, ``n_rows`` (rows with a target and a prediction), ``significance_level`` and
``result`` (``SliceResult.to_dict()``).

Measurements (dataset ``current``, subject: the slice, e.g. ``"age in [30, 40) and sex = F"``):
``slice_error_ratio`` for every slice found (its mean error over the mean error of all rows,
with the interval of its mean error scaled alike), and ``significant_error_ratio`` for those
whose Benjamini-Hochberg-adjusted p-value is under ``significance_level``; the
``significant_slice`` check gates the latter.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ... import slices
from ..._frame import Frame
from .._context import Context, SectionResult, Skip, is_missing, measurement

__all__ = ["run"]

SECTION = "slices"


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
        Without a target or predictions on the current data, or without feature columns.
    """
    config = ctx.config.slices
    outputs = ctx.outputs["current"]
    if ctx.roles.target is None:
        raise Skip("no target column")
    if outputs.y_true is None or outputs.y_pred is None:
        raise Skip("no predictions on the current data: give a model or a prediction column")
    rows = ~is_missing(outputs.y_true) & ~is_missing(outputs.y_pred)
    if not rows.any():
        raise Skip("no current row has both a target and a prediction")
    names = [n for n in (ctx.model_features or ctx.roles.features) if n in ctx.current.frame]
    if not names:
        raise Skip("no feature column")
    frame = ctx.current.frame.select(names)
    features = Frame([dataclasses.replace(c, values=c.values[rows]) for c in frame.columns], int(rows.sum()))
    metric = "squared_error" if ctx.task == "regression" else "error"
    y_true, y_pred = outputs.y_true[rows], outputs.y_pred[rows]
    if metric == "squared_error":
        y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    support = config.min_support if config.min_support < 1 else int(config.min_support)
    result = slices.find_slices(
        features,
        y_true=y_true,
        y_pred=y_pred,
        metric=metric,
        max_level=config.max_level,
        min_support=support,
        alpha=config.alpha,
        k=config.k,
        n_bins=config.n_bins,
        confidence_level=config.confidence_level,
        n_jobs=ctx.n_jobs,
    )
    measurements = []
    level = config.confidence_level
    for i, subject in enumerate(result.descriptions):
        ratio = float(result.error_ratio[i])
        interval = (result.ci_low[i] / result.overall_error, result.ci_high[i] / result.overall_error)
        note = f"{int(result.size[i])} rows; BH-adjusted p = {result.p_value_adjusted[i]:.3g}"
        measurements.append(measurement(SECTION, "slice_error_ratio", subject, ratio, interval, "current", level, note))
        if result.p_value_adjusted[i] < config.significance_level:
            measurements.append(
                measurement(SECTION, "significant_error_ratio", subject, ratio, interval, "current", level, note)
            )
    data = {
        "metric": metric,
        "n_rows": int(rows.sum()),
        "significance_level": config.significance_level,
        "result": result.to_dict(),
    }
    return SectionResult(data, measurements)
