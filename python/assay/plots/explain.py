"""Plots of an :class:`assay.explain.Explanation`: bar, beeswarm, waterfall, dependence.

They take an explanation of one output (values of shape (rows, features), or
(features,) for a waterfall); select an output of a multi-output explanation first,
e.g. ``explanation[:, :, 1]`` or ``explanation[:, :, "yes"]``. Every function draws
on ``ax`` (a new figure when None) and returns the axes. matplotlib is imported
lazily.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["bar", "beeswarm", "dependence", "waterfall"]

POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"


def _axes(ax: Any, height: float = 4.0) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, height))
    return ax


def _one_output(explanation: Any, ndim: int, function: str) -> np.ndarray:
    values = np.asarray(explanation.values)
    if values.ndim != ndim:
        hint = " (select one output first, e.g. explanation[:, :, 0])" if values.ndim == ndim + 1 else ""
        raise ValueError(f"{function}: expected values of {ndim} dimensions, got shape {values.shape}{hint}")
    return values


def _names(explanation: Any, n: int) -> list[str]:
    return list(explanation.feature_names) if explanation.feature_names is not None else [f"x{j}" for j in range(n)]


def _top(importance: np.ndarray, max_display: int) -> tuple[np.ndarray, np.ndarray]:
    """The max_display - 1 most important features (most important first) and the rest,
    or all features when they fit."""
    order = np.argsort(-importance, kind="stable")
    if len(order) <= max_display:
        return order, order[:0]
    return order[: max_display - 1], order[max_display - 1 :]


def bar(explanation: Any, max_display: int = 10, ax: Any = None) -> Any:
    """Global importance: mean |SHAP value| per feature, largest on top."""
    values = _one_output(explanation, 2, "bar")
    names = _names(explanation, values.shape[1])
    importance = np.abs(values).mean(axis=0)
    shown, rest = _top(importance, max_display)
    labels = [names[j] for j in shown]
    heights = list(importance[shown])
    if len(rest):
        labels.append(f"sum of {len(rest)} other features")
        heights.append(float(importance[rest].sum()))
    ax = _axes(ax, 0.4 * len(labels) + 1)
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, heights, color=POSITIVE)
    ax.set_yticks(positions, labels)
    for y, h in zip(positions, heights):
        ax.text(h, y, f" {h:.3g}", va="center", fontsize=8)
    ax.set_xlabel("mean(|SHAP value|)")
    return ax


def beeswarm(explanation: Any, max_display: int = 10, ax: Any = None, color_map: str = "coolwarm") -> Any:
    """Every row's SHAP value per feature, coloured by the feature's value (low blue, high red)."""
    values = _one_output(explanation, 2, "beeswarm")
    data = None if explanation.data is None else np.asarray(explanation.data, dtype=np.float64)
    names = _names(explanation, values.shape[1])
    shown, rest = _top(np.abs(values).mean(axis=0), max_display)
    ax = _axes(ax, 0.45 * (len(shown) + bool(len(rest))) + 1)
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time
    rows = [(names[j], values[:, j], None if data is None else data[:, j]) for j in shown]
    if len(rest):
        rows.append((f"sum of {len(rest)} other features", values[:, rest].sum(axis=1), None))
    scatter = None
    for position, (_, shap_values, feature_values) in zip(range(len(rows) - 1, -1, -1), rows):
        jitter = _swarm_offsets(shap_values, rng)
        if feature_values is None:
            ax.scatter(shap_values, position + jitter, s=8, color="#777777")
            continue
        missing = np.isnan(feature_values)
        low, high = np.nanpercentile(feature_values, [5, 95]) if (~missing).any() else (0.0, 1.0)
        if high <= low:
            low, high = low - 0.5, high + 0.5
        colour = np.clip((feature_values - low) / (high - low), 0, 1)
        ax.scatter(shap_values[missing], position + jitter[missing], s=8, color="#bbbbbb")
        scatter = ax.scatter(shap_values[~missing], position + jitter[~missing], s=8, c=colour[~missing],
                             cmap=color_map, vmin=0, vmax=1)
    ax.set_yticks(range(len(rows) - 1, -1, -1), [r[0] for r in rows])
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("SHAP value (impact on model output)")
    if scatter is not None:
        colorbar = ax.figure.colorbar(scatter, ax=ax, ticks=[0, 1], aspect=40)
        colorbar.set_ticklabels(["low", "high"])
        colorbar.set_label("feature value")
    return ax


def _swarm_offsets(values: np.ndarray, rng: np.random.Generator, width: float = 0.4) -> np.ndarray:
    """Vertical offsets that grow with the local density of values (a cheap beeswarm)."""
    if len(values) == 0:
        return np.zeros(0)
    bins = np.linspace(values.min(), values.max() + 1e-12, 50)
    counts, _ = np.histogram(values, bins=bins)
    density = counts[np.clip(np.digitize(values, bins) - 1, 0, len(counts) - 1)] / max(counts.max(), 1)
    return (rng.random(len(values)) - 0.5) * 2 * width * density


def waterfall(explanation: Any, max_display: int = 10, ax: Any = None) -> Any:
    """One row: from the base value, each feature's SHAP value to the model output."""
    values = _one_output(explanation, 1, "waterfall")
    if explanation.base_values is None or np.ndim(explanation.base_values) != 0:
        raise ValueError("waterfall: expected one row with a scalar base value, e.g. explanation[0]")
    base = float(explanation.base_values)
    names = _names(explanation, len(values))
    data = None if explanation.data is None else np.asarray(explanation.data, dtype=np.float64)
    shown, rest = _top(np.abs(values), max_display)
    labels = [f"{names[j]} = {data[j]:.4g}" if data is not None else names[j] for j in shown]
    steps = list(values[shown])
    if len(rest):
        labels.append(f"{len(rest)} other features")
        steps.append(float(values[rest].sum()))
    # Draw from the least to the most important so that the largest ends at the top.
    labels, steps = labels[::-1], steps[::-1]
    ax = _axes(ax, 0.45 * len(labels) + 1.2)
    start = base
    for position, step in enumerate(steps):
        ax.barh(position, step, left=start, color=POSITIVE if step >= 0 else NEGATIVE)
        ax.text(start + step, position, f" {step:+.3g}" if step >= 0 else f"{step:+.3g} ", va="center",
                ha="left" if step >= 0 else "right", fontsize=8)
        start += step
    ax.set_yticks(range(len(labels)), labels)
    ax.axvline(base, color="#999999", linestyle="--", linewidth=0.8)
    ax.axvline(start, color="#333333", linestyle="--", linewidth=0.8)
    ax.set_xlabel(f"model output: E[f(X)] = {base:.4g} -> f(x) = {start:.4g}")
    return ax


def dependence(explanation: Any, feature: int | str, color: int | str | None = None, ax: Any = None) -> Any:
    """SHAP value of one feature against its value, optionally coloured by another feature."""
    values = _one_output(explanation, 2, "dependence")
    if explanation.data is None:
        raise ValueError("dependence: the explanation has no data")
    names = _names(explanation, values.shape[1])
    j = _feature(feature, names)
    data = np.asarray(explanation.data, dtype=np.float64)
    ax = _axes(ax)
    if color is None:
        ax.scatter(data[:, j], values[:, j], s=10, color=NEGATIVE)
    else:
        c = _feature(color, names)
        points = ax.scatter(data[:, j], values[:, j], s=10, c=data[:, c], cmap="coolwarm")
        ax.figure.colorbar(points, ax=ax).set_label(names[c])
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel(names[j])
    ax.set_ylabel(f"SHAP value of {names[j]}")
    return ax


def _feature(feature: int | str, names: list[str]) -> int:
    if isinstance(feature, str):
        if feature not in names:
            raise ValueError(f"feature: {feature!r} is not one of {names}")
        return names.index(feature)
    if not 0 <= int(feature) < len(names):
        raise ValueError(f"feature: index {feature} is out of range for {len(names)} features")
    return int(feature)
