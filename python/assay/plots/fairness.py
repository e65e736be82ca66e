"""Figures for assay.fairness: a metric by group with its interval. matplotlib is imported when a
figure is drawn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..fairness import MetricFrame

__all__ = ["plot_metric_by_group"]


def plot_metric_by_group(
    frame: MetricFrame | Mapping[Any, float],
    metric: str | None = None,
    *,
    ax: Axes | None = None,
    show_overall: bool = True,
) -> Axes:
    """Points for a metric by group, with intervals when the frame has them.

    Groups whose value is NaN (undefined) or infinite are left out and listed in the
    title.

    Parameters
    ----------
    frame : MetricFrame or Mapping or pandas.Series
        A [`MetricFrame`][assay.fairness.MetricFrame]: its metric ``metric`` by group, with
        bootstrap intervals when the frame has them (the first and last of
        ``ci_quantiles``) and the overall value as a line. Or a mapping of group to value
        (a dict or a pandas Series, e.g. ``frame.by_group["tpr"].to_dict()``): points
        without intervals.
    metric : str, optional
        The metric to draw, by name; by default the frame's first metric. For a mapping,
        the name of the axis (default "value").
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.
    show_overall : bool, default True
        Draw the frame's overall value as a dashed line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``frame`` is neither a MetricFrame nor a mapping of group to number, or
        ``metric`` is not a string.
    InvalidInputError
        ``metric`` is not a metric of the frame, the frame has control features, the
        mapping is empty, or a value is too large to draw.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import fairness, plots
    >>> frame = fairness.MetricFrame(
    ...     metrics={"accuracy": fairness.accuracy_score, "selection_rate": fairness.selection_rate},
    ...     y_true=np.array([1, 0, 1, 1, 0, 1, 0, 0]),
    ...     y_pred=np.array([1, 0, 0, 1, 0, 1, 1, 0]),
    ...     sensitive_features=np.array(["a", "a", "a", "a", "b", "b", "b", "b"]),
    ... )
    >>> ax = plots.plot_metric_by_group(frame, "accuracy")
    >>> ax.get_title(), [label.get_text() for label in ax.get_yticklabels()]
    ('accuracy by group', ['a', 'b'])
    >>> plots.plot_metric_by_group({"a": 0.8, "b": 0.6, "c": float("nan")}, "tpr").get_title()
    'tpr by group (1 undefined: c)'
    """
    if metric is not None and not isinstance(metric, str):
        raise InvalidTypeError(f"metric must be a metric name (str) or None, got {type(metric).__name__} {metric!r}")
    if isinstance(frame, Mapping) or _is_series(frame):
        labels, values = _mapping_values(frame)
        return _draw(labels, values, None, metric or "value", None, ax)
    from ..fairness import MetricFrame

    if not isinstance(frame, MetricFrame):
        raise InvalidTypeError(
            f"frame: expected an assay.fairness.MetricFrame or a mapping of group to value, got {type(frame).__name__}"
        )
    by_group = frame.by_group
    if frame._user_supplied_callable:
        by_group = by_group.to_frame()
    names = list(by_group.columns)
    if metric is None:
        metric = names[0]
    if metric not in names:
        raise InvalidInputError(f"metric: {metric!r} is not one of {names}")
    if frame.control_levels:
        raise InvalidInputError(
            "plot_metric_by_group: frames with control features are not supported; select a level first"
        )
    values = by_group[metric].to_numpy(dtype=float)
    labels = [_label(k) for k in by_group.index]
    interval = None
    if frame.n_boot is not None:
        cis = frame.by_group_ci
        low = cis[0] if not frame._user_supplied_callable else cis[0].to_frame()
        high = cis[-1] if not frame._user_supplied_callable else cis[-1].to_frame()
        interval = (np.asarray(low[metric], dtype=float), np.asarray(high[metric], dtype=float))
    overall = None
    if show_overall:
        overall = float(frame.overall if frame._user_supplied_callable else frame.overall[metric])
    return _draw(labels, values, interval, metric, overall, ax)


def _is_series(value: Any) -> bool:
    return (
        type(value).__module__.split(".")[0] == "pandas"
        and hasattr(value, "index")
        and hasattr(value, "to_dict")
        and getattr(value, "ndim", 0) == 1
    )


def _label(key: Any) -> str:
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _mapping_values(mapping: Any) -> tuple[list[str], np.ndarray]:
    items = list(mapping.items())
    if not items:
        raise InvalidInputError("frame: the mapping of group to value is empty")
    labels = [_label(key) for key, _ in items]
    values = []
    for label, (_, value) in zip(labels, items):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InvalidTypeError(f"frame: the value of group {label!r} is not a number ({type(value).__name__})")
        values.append(float(value))
    return labels, np.asarray(values)


def _draw(
    labels: list[str],
    values: np.ndarray,
    interval: tuple[np.ndarray, np.ndarray] | None,
    metric: str,
    overall: float | None,
    ax: Axes | None,
) -> Axes:
    import matplotlib.pyplot as plt

    defined = np.isfinite(values)
    if np.any(np.abs(values[defined]) > 1e307):
        raise InvalidInputError(
            f"{metric}: values beyond 1e307 in magnitude cannot be drawn (matplotlib's axes overflow)"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.3 * max(len(labels), 4) + 1))
    positions = np.arange(len(labels))[defined]
    if interval is not None:
        centre = values[defined]
        low, high = interval[0][defined], interval[1][defined]
        with np.errstate(invalid="ignore"):
            errors = np.vstack([np.clip(centre - low, 0, None), np.clip(high - centre, 0, None)])
        errors = np.where(np.isfinite(errors), errors, np.nan)  # an unknown or unbounded interval is not drawn
        ax.errorbar(centre, positions, xerr=errors, fmt="o", capsize=3)
    else:
        ax.plot(values[defined], positions, "o")
    if overall is not None and np.isfinite(overall):
        ax.axvline(overall, color="grey", linestyle="--", linewidth=1, label="overall")
        ax.legend(loc="best")
    ax.set_yticks(positions)
    ax.set_yticklabels([label for label, d in zip(labels, defined) if d])
    ax.set_xlabel(metric)
    title = f"{metric} by group"
    for name, left_out in (("undefined", np.isnan(values)), ("infinite", np.isinf(values))):
        missing = [label for label, m in zip(labels, left_out) if m]
        if missing:
            title += f" ({len(missing)} {name}: {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})"
    ax.set_title(title)
    return ax
