"""Figures for assay.fairness: a metric by group with its interval."""

from __future__ import annotations

from typing import Any

import numpy as np


def plot_metric_by_group(frame: Any, metric: str | None = None, *, ax: Any = None, show_overall: bool = True) -> Any:
    """Points for a MetricFrame's metric by group, with bootstrap intervals when the
    frame has them (the first and last of ``ci_quantiles``) and the overall value as a
    line. Undefined groups are left out and listed in the title. Returns the Axes."""
    import matplotlib.pyplot as plt

    by_group = frame.by_group
    if frame._user_supplied_callable:
        by_group = by_group.to_frame()
    names = list(by_group.columns)
    if metric is None:
        metric = names[0]
    if metric not in names:
        raise ValueError(f"metric: {metric!r} is not one of {names}")
    if frame.control_levels:
        raise ValueError("plot_metric_by_group: frames with control features are not supported; select a level first")
    values = by_group[metric].to_numpy(dtype=float)
    labels = [" / ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in by_group.index]
    defined = ~np.isnan(values)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.3 * max(len(labels), 4) + 1))
    positions = np.arange(len(labels))[defined]
    if frame.n_boot is not None:
        cis = frame.by_group_ci
        low = cis[0] if not frame._user_supplied_callable else cis[0].to_frame()
        high = cis[-1] if not frame._user_supplied_callable else cis[-1].to_frame()
        low = np.asarray(low[metric], dtype=float)[defined]
        high = np.asarray(high[metric], dtype=float)[defined]
        centre = values[defined]
        errors = np.vstack([np.clip(centre - low, 0, None), np.clip(high - centre, 0, None)])
        ax.errorbar(centre, positions, xerr=errors, fmt="o", capsize=3)
    else:
        ax.plot(values[defined], positions, "o")
    if show_overall:
        overall = frame.overall if frame._user_supplied_callable else frame.overall[metric]
        if np.isfinite(float(overall)):
            ax.axvline(float(overall), color="grey", linestyle="--", linewidth=1, label="overall")
            ax.legend(loc="best")
    ax.set_yticks(positions)
    ax.set_yticklabels([label for label, d in zip(labels, defined) if d])
    ax.set_xlabel(metric)
    missing = [label for label, d in zip(labels, defined) if not d]
    title = f"{metric} by group"
    if missing:
        title += f" ({len(missing)} undefined: {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})"
    ax.set_title(title)
    return ax
