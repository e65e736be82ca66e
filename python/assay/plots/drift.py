"""Figures for assay.drift: a column's reference and current distributions, and drift
statistics over time. matplotlib is imported when a figure is drawn."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._frame import CATEGORICAL, Column, as_frame
from ..drift import DriftOverTime, ReconstructionDrift

__all__ = ["drift_distribution", "drift_over_time", "reconstruction_error"]

REFERENCE_COLOR, CURRENT_COLOR, DRIFT_COLOR = "#4c72b0", "#dd8452", "#b00020"


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 3.5))[1]


def _category_shares(column: Column) -> dict[str, float]:
    codes = column.values[column.values >= 0]
    counts = np.bincount(codes, minlength=len(column.labels))
    total = max(int(counts.sum()), 1)
    return {label: count / total for label, count in zip(column.labels, counts.tolist())}


def drift_distribution(reference: Any, current: Any, column: str, *, bins: int = 30, ax: Any = None) -> Any:
    """Reference and current distributions of one column on shared axes.

    Numeric columns: density histograms on common bins spanning both samples (missing
    and infinite values left out). Categorical columns: the share of each category, side
    by side. Returns the matplotlib Axes.
    """
    ref_frame, cur_frame = as_frame(reference, argument="reference"), as_frame(current, argument="current")
    if column not in ref_frame or column not in cur_frame:
        raise ValueError(f"column '{column}' must be in both the reference and the current data")
    ref_column, cur_column = ref_frame.column(column), cur_frame.column(column)
    if ref_column.kind != cur_column.kind:
        raise TypeError(f"column '{column}' is numeric in one table and categorical in the other")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    ax = _axes(ax)
    if ref_column.kind == CATEGORICAL:
        ref_shares, cur_shares = _category_shares(ref_column), _category_shares(cur_column)
        labels = sorted(set(ref_shares) | set(cur_shares))
        positions = np.arange(len(labels))
        ax.bar(positions - 0.2, [ref_shares.get(k, 0.0) for k in labels], 0.4, label="reference", color=REFERENCE_COLOR)
        ax.bar(positions + 0.2, [cur_shares.get(k, 0.0) for k in labels], 0.4, label="current", color=CURRENT_COLOR)
        ax.set_xticks(positions, labels, rotation=45 if len(labels) > 6 else 0)
        ax.set_ylabel("share")
    else:
        ref_values = ref_column.values[np.isfinite(ref_column.values)]
        cur_values = cur_column.values[np.isfinite(cur_column.values)]
        both = np.concatenate([ref_values, cur_values])
        if both.size == 0:
            raise ValueError(f"column '{column}' has no finite values")
        edges = np.histogram_bin_edges(both, bins=bins)
        ax.hist(ref_values, edges, density=True, alpha=0.55, label="reference", color=REFERENCE_COLOR)
        ax.hist(cur_values, edges, density=True, alpha=0.55, label="current", color=CURRENT_COLOR)
        ax.set_ylabel("density")
    ax.set_title(column)
    ax.legend()
    return ax


def drift_over_time(result: DriftOverTime, column: str | None = None, *, ax: Any = None) -> Any:
    """The score of each column's first test per chunk, with its threshold; drifted
    chunks are marked. ``column`` restricts the figure to one column."""
    if not isinstance(result, DriftOverTime):
        raise TypeError(f"result must be a DriftOverTime from assay.drift.over_time, got {type(result).__name__}")
    frame = result.to_frame()
    if column is not None:
        if column not in set(frame["column"]):
            raise ValueError(f"column '{column}' is not in the result")
        frame = frame[frame["column"] == column]
    frame = frame.groupby(["chunk", "column"], sort=False).head(1)  # the first test of each column
    ax = _axes(ax)
    for name, rows in frame.groupby("column", sort=False):
        line = ax.plot(rows["chunk"], rows["score"], marker="o", markersize=3, label=f"{name} ({rows['test'].iloc[0]})")
        ax.axhline(rows["threshold"].iloc[0], color=line[0].get_color(), linestyle=":", linewidth=1)
        flagged = rows[rows["drifted"]]
        ax.scatter(flagged["chunk"], flagged["score"], color=DRIFT_COLOR, zorder=3, s=25)
    labels = [str(c["label"]) for c in result.chunks]
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
    ax.set_xlabel("chunk")
    ax.set_ylabel("score (p-value or distance)")
    ax.set_title("drift over time (red: drifted)")
    ax.legend(fontsize="small")
    return ax


def reconstruction_error(result: ReconstructionDrift, *, ax: Any = None) -> Any:
    """PCA reconstruction error per chunk with the reference band."""
    if not isinstance(result, ReconstructionDrift):
        raise TypeError(f"result must be a ReconstructionDrift, got {type(result).__name__}")
    ax = _axes(ax)
    chunks = np.arange(len(result.errors))
    ax.plot(chunks, result.errors, marker="o", color=CURRENT_COLOR, label="reconstruction error")
    ax.axhspan(result.lower, result.upper, color=REFERENCE_COLOR, alpha=0.15, label="reference band")
    ax.scatter(chunks[result.alerts], result.errors[result.alerts], color=DRIFT_COLOR, zorder=3, label="alert")
    ax.set_xticks(chunks, [c["label"] for c in result.chunks], rotation=45, ha="right")
    ax.set_xlabel("chunk")
    ax.set_ylabel("mean error")
    ax.legend(fontsize="small")
    return ax
