"""Shared by the performance and fairness sections: MetricFrames and their values as plain data."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ... import fairness
from ...errors import MissingDependencyError
from .._context import Context, interval_quantiles
from .._data import group_values

__all__ = ["FrameSettings", "Grouping", "frame_values", "groupings", "metric_frame", "require_pandas"]


def require_pandas(section: str) -> None:
    """MissingDependencyError when pandas, which MetricFrame's results need, is not installed."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            f"the {section} section needs pandas, which is not installed: pip install 'assay[frames]' "
            f"(or disable the section: {section}: {{enabled: false}})"
        ) from None


#: One way of splitting rows into groups: (subject label, feature names, {name: group labels}).
Grouping = tuple[str, tuple[str, ...], dict[str, Any]]


def groupings(
    ctx: Context, which: str, rows: np.ndarray, features: Sequence[str], intersection: bool
) -> list[Grouping]:
    """Each sensitive feature alone, then (with ``intersection`` and two or more) all of them.

    Parameters
    ----------
    ctx : Context
    which : {"reference", "current"}
    rows : numpy.ndarray
        The rows used (a boolean mask).
    features : sequence of str
    intersection : bool

    Returns
    -------
    list of Grouping
    """
    table = ctx.reference if which == "reference" else ctx.current
    values = {f: group_values(table.frame.column(f))[rows] for f in features}
    out: list[Grouping] = [(f, (f,), {f: values[f]}) for f in features]
    if intersection and len(features) >= 2:
        out.append((" & ".join(features), tuple(features), dict(values)))
    return out


@dataclass(frozen=True)
class FrameSettings:
    """A section's MetricFrame settings: bootstrap replicates (0: no intervals), the interval
    quantiles, the seed, threads, the small-group size and the convention."""

    n_boot: int
    quantiles: Sequence[float]
    seed: int
    n_jobs: int | None
    min_support: int
    convention: str = "strict"


def metric_frame(
    metrics: Mapping[str, Callable],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sensitive: Mapping[str, Any],
    settings: FrameSettings,
) -> fairness.MetricFrame:
    """A MetricFrame with the section's settings, observed groups only."""
    boot = settings.n_boot > 0
    return fairness.MetricFrame(
        metrics=dict(metrics),
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=dict(sensitive),
        n_boot=settings.n_boot if boot else None,
        ci_quantiles=list(settings.quantiles) if boot else None,
        random_state=settings.seed,
        n_jobs=settings.n_jobs,
        min_support=settings.min_support,
        convention=settings.convention,
        observed=True,
        progress=False,
    )


def _number(x: Any) -> float:
    value = float(x)
    return value if math.isfinite(value) else math.nan


def frame_values(frame: fairness.MetricFrame, confidence_level: float) -> dict[str, Any]:
    """A MetricFrame's overall and per-group values with their intervals, as plain data.

    Returns
    -------
    dict
        ``overall``: metric to ``{value, lower, upper}``; ``groups``: per group
        ``{group (tuple of levels), n_rows, small, metrics: {metric: {value, lower, upper}}}``.
        Intervals are the two-sided ``confidence_level`` percentile bounds (NaN without).
    """
    low_q, high_q = interval_quantiles(confidence_level)
    overall, by_group = frame.overall, frame.by_group
    has_ci = frame.n_boot is not None
    if has_ci:
        quantiles = frame.ci_quantiles or []
        low_i, high_i = quantiles.index(low_q), quantiles.index(high_q)
        overall_ci, group_ci = frame.overall_ci, frame.by_group_ci
    state = frame.to_dict()
    names = list(overall.index)
    out: dict[str, Any] = {"overall": {}, "groups": []}
    for name in names:
        lower = _number(overall_ci[low_i][name]) if has_ci else math.nan
        upper = _number(overall_ci[high_i][name]) if has_ci else math.nan
        out["overall"][name] = {"value": _number(overall[name]), "lower": lower, "upper": upper}
    for i, (labels, rows, small) in enumerate(zip(state["groups"], state["group_rows"], state["small"])):
        metrics = {}
        for name in names:
            metrics[name] = {
                "value": _number(by_group[name].iloc[i]),
                "lower": _number(group_ci[low_i][name].iloc[i]) if has_ci else math.nan,
                "upper": _number(group_ci[high_i][name].iloc[i]) if has_ci else math.nan,
            }
        out["groups"].append({"group": tuple(labels), "n_rows": rows, "small": small, "metrics": metrics})
    return out
