"""The monitor section: the current data's performance estimated before its labels arrive, by
confidence-based performance estimation (:class:`assay.monitor.CBPE`): calibrated on the
reference's labels and the model's scores, estimated per chunk of the current data from the
scores alone, against the band of the reference's chunks; with current labels, the realised
metrics stand beside the estimates.

Runs for binary classification with predicted probabilities in both datasets and the target
in the reference. ``Audit.sections["monitor"]``: ``metrics``, ``n_chunks``, ``pos_label`` and
``result`` (the :class:`assay.monitor.CBPEResult` as ``to_dict()``: per chunk and metric the
estimate, its interval, the band and the alert). Measurements: ``alert_chunks`` per metric
(dataset current): the chunks whose estimate leaves the reference band.
"""

from __future__ import annotations

import numpy as np

from ...errors import AssayError
from ...monitor import CBPE
from .._context import Context, SectionResult, Skip, measurement
from .._gates import Measurement

__all__ = ["run"]

SECTION = "monitor"


def _positive(ctx: Context, which: str) -> np.ndarray | None:
    """1 for the positive class, 0 for the other, -1 where the label is missing or unknown."""
    y_true = ctx.outputs[which].y_true
    if y_true is None:
        return None
    index = ctx.class_index(y_true)
    return np.where(index < 0, -1, (index == ctx.positive_index).astype(np.int64))


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
        Without a binary classifier's probabilities in both datasets or the reference's target,
        or when the data are too small for the chunks.
    """
    settings = ctx.config.monitor
    if ctx.task != "classification" or ctx.classes is None or len(ctx.classes) != 2:
        raise Skip("needs a binary classifier's predicted probabilities")
    reference_score, current_score = ctx.score("reference"), ctx.score("current")
    if reference_score is None or current_score is None:
        raise Skip("needs predicted probabilities in both datasets")
    reference_labels = _positive(ctx, "reference")
    if reference_labels is None:
        raise Skip("needs the target in the reference data")
    used = (reference_labels >= 0) & np.isfinite(reference_score)
    scored = np.isfinite(current_score)
    current_labels = _positive(ctx, "current")
    labelled = current_labels is not None and bool((current_labels[scored] >= 0).all())
    cbpe = CBPE(
        metrics=settings.metrics,
        n_chunks=settings.n_chunks,
        sigma=settings.sigma,
        seed=ctx.config.seed,
        n_jobs=ctx.n_jobs,
    )
    try:
        cbpe.fit(reference_labels[used], reference_score[used])
        result = cbpe.estimate(
            current_score[scored], y_true=current_labels[scored] if labelled and current_labels is not None else None
        )
    except AssayError as error:  # e.g. fewer rows than chunks, or one class in the reference
        raise Skip(f"performance estimation is not possible on these data: {error}") from None
    alerts = np.asarray(result.alerts)
    measurements: list[Measurement] = [
        measurement(SECTION, "alert_chunks", metric, float(alerts[:, k].sum()), dataset="current")
        for k, metric in enumerate(result.metrics)
    ]
    data = {
        "metrics": list(result.metrics),
        "n_chunks": settings.n_chunks,
        "pos_label": ctx.pos_label,
        "result": result.to_dict(),
    }
    return SectionResult(data, measurements)
