"""Figures for assay.drift: a column's reference and current distributions, and drift
statistics over time. matplotlib is imported when a figure is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._frame import CATEGORICAL, Column, as_frame
from ..drift import DriftOverTime, ReconstructionDrift
from ..errors import AssayError, InvalidInputError, InvalidTypeError
from ..typing import TableLike

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# More bins than a figure can show: refused before numpy allocates the edges.
MAX_BINS = 10_000

__all__ = ["drift_distribution", "drift_over_time", "reconstruction_error"]

REFERENCE_COLOR, CURRENT_COLOR, DRIFT_COLOR = "#4c72b0", "#dd8452", "#b00020"


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 3.5))[1]


def _category_shares(column: Column) -> dict[str, float]:
    labels = column.labels
    assert labels is not None  # a categorical column always carries its labels
    codes = column.values[column.values >= 0]
    counts = np.bincount(codes, minlength=len(labels))
    total = max(int(counts.sum()), 1)
    return {label: count / total for label, count in zip(labels, counts.tolist())}


def drift_distribution(
    reference: TableLike, current: TableLike, column: str, *, bins: int = 30, ax: Axes | None = None
) -> Axes:
    """Reference and current distributions of one column on shared axes.

    Numeric columns: density histograms on common bins spanning both samples (missing
    and infinite values left out; values beyond 1e300 in magnitude are drawn divided by a
    power of ten, named on the axis). Categorical columns: the share of each category,
    side by side.

    Parameters
    ----------
    reference : TableLike
        The reference table (see [`assay.drift.report`][assay.drift.report]).
    current : TableLike
        The current table.
    column : str
        The column to draw; it must be in both tables, of the same kind.
    bins : int, default 30
        Histogram bins of a numeric column, from 1 to 10,000.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``column`` is not a string, ``bins`` is not an integer, a table is not a table, or
        the column is numeric in one table and categorical in the other.
    InvalidInputError
        ``bins`` is out of range, the column is missing from a table, or neither sample
        has a finite value.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> current = {"age": rng.normal(45, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> ax = plots.drift_distribution(reference, current, "age", bins=20)
    >>> ax.get_title(), ax.get_ylabel()
    ('age', 'density')
    >>> ax = plots.drift_distribution(reference, current, "plan")
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['basic', 'pro']
    """
    if not isinstance(column, str):
        raise InvalidTypeError(f"column must be a column name (str), got {type(column).__name__} {column!r}")
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)):
        raise InvalidTypeError(f"bins must be a positive integer, got {bins!r}")
    if not 1 <= bins <= MAX_BINS:
        raise InvalidInputError(f"bins must be between 1 and {MAX_BINS}, got {bins}")
    ref_frame, cur_frame = _frame(reference, "reference"), _frame(current, "current")
    if column not in ref_frame or column not in cur_frame:
        raise InvalidInputError(f"column '{column}' must be in both the reference and the current data")
    ref_column, cur_column = ref_frame.column(column), cur_frame.column(column)
    if ref_column.kind != cur_column.kind:
        raise InvalidTypeError(f"column '{column}' is numeric in one table and categorical in the other")
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
            raise InvalidInputError(f"column '{column}' has no finite values")
        magnitude = float(np.max(np.abs(both)))
        if magnitude > 1e300:  # matplotlib's axes overflow near the largest double: draw column / 10^k
            scale = 10.0 ** np.floor(np.log10(magnitude))
            ref_values, cur_values, both = ref_values / scale, cur_values / scale, both / scale
            ax.set_xlabel(f"{column} / {scale:.0e}")
        edges = _edges(both.min(), both.max(), int(bins))
        # Densities from the counts (a histogram's own density divides by widths that may
        # overflow or underflow at the extremes of float64).
        for values, label, colour in (
            (ref_values, "reference", REFERENCE_COLOR),
            (cur_values, "current", CURRENT_COLOR),
        ):
            counts, _ = np.histogram(values, edges)
            total = max(len(values), 1)
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                density = counts / total / (edges[1:] / 2 - edges[:-1] / 2) / 2
            density = np.where(np.isfinite(density), density, 0.0)
            # One point per bin, at its left edge, weighted by the bin's density: bars of that height.
            ax.hist(edges[:-1], edges.tolist(), weights=density, alpha=0.55, label=label, color=colour)
        ax.set_ylabel("density")
    ax.set_title(column)
    ax.legend()
    return ax


def _frame(data: Any, argument: str) -> Any:
    """The input layer's frame, its errors as assay's classes."""
    try:
        return as_frame(data, argument=argument)
    except AssayError:
        raise
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: {error}") from error
    except ValueError as error:
        raise InvalidInputError(str(error) if str(error).startswith(argument) else f"{argument}: {error}") from error


def _edges(low: float, high: float, bins: int) -> np.ndarray:
    """bins + 1 equal-width edges from low to high, finite even when high - low overflows."""
    if not high > low:
        low, high = low - 0.5, high + 0.5
        if not high > low:  # at the largest doubles, +-0.5 is lost
            low, high = low - abs(low) * 1e-9, high + abs(high) * 1e-9
    t = np.linspace(0.0, 1.0, bins + 1)
    edges = low * (1 - t) + high * t
    edges[0], edges[-1] = low, high
    return edges


def drift_over_time(result: DriftOverTime, column: str | None = None, *, ax: Axes | None = None) -> Axes:
    """The score of each column's first test per chunk, with its threshold.

    Drifted chunks are marked in red; non-finite scores and thresholds are not drawn.

    Parameters
    ----------
    result : DriftOverTime
        The result of [`assay.drift.over_time`][assay.drift.over_time].
    column : str, optional
        Draw this column only; by default every column.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``result`` is not a DriftOverTime, or ``column`` is not a string.
    InvalidInputError
        ``column`` is not in the result.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift, plots
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> current = {"age": rng.normal(45, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> result = drift.over_time(reference, current, n_chunks=4)
    >>> ax = plots.drift_over_time(result)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['age (ks)', 'plan (z)']
    """
    if not isinstance(result, DriftOverTime):
        raise InvalidTypeError(
            f"result must be a DriftOverTime from assay.drift.over_time, got {type(result).__name__}"
        )
    frame = result.to_frame()
    if column is not None:
        if not isinstance(column, str):
            raise InvalidTypeError(f"column must be a column name (str) or None, got {type(column).__name__}")
        if column not in set(frame["column"]):
            raise InvalidInputError(f"column '{column}' is not in the result")
        frame = frame[frame["column"] == column]
    frame = frame.groupby(["chunk", "column"], sort=False).head(1)  # the first test of each column
    ax = _axes(ax)
    for name, rows in frame.groupby("column", sort=False):
        scores = rows["score"].astype(float).where(np.isfinite(rows["score"].astype(float)))
        line = ax.plot(rows["chunk"], scores, marker="o", markersize=3, label=f"{name} ({rows['test'].iloc[0]})")
        threshold = float(rows["threshold"].iloc[0])
        if np.isfinite(threshold):
            ax.axhline(threshold, color=line[0].get_color(), linestyle=":", linewidth=1)
        flagged = rows[rows["drifted"].astype(bool) & np.isfinite(rows["score"].astype(float))]
        ax.scatter(flagged["chunk"], flagged["score"], color=DRIFT_COLOR, zorder=3, s=25)
    labels = [str(c["label"]) for c in result.chunks]
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
    ax.set_xlabel("chunk")
    ax.set_ylabel("score (p-value or distance)")
    ax.set_title("drift over time (red: drifted)")
    ax.legend(fontsize="small")
    return ax


def reconstruction_error(result: ReconstructionDrift, *, ax: Axes | None = None) -> Axes:
    """PCA reconstruction error per chunk with the reference band; alerts are marked.

    Parameters
    ----------
    result : ReconstructionDrift
        The result of [`assay.drift.pca_reconstruction`][assay.drift.pca_reconstruction].
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``result`` is not a ReconstructionDrift.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift, plots
    >>> rng = np.random.default_rng(0)
    >>> result = drift.pca_reconstruction(rng.normal(size=(400, 2)), rng.normal(size=(200, 2)), n_chunks=4)
    >>> ax = plots.reconstruction_error(result)
    >>> ax.get_ylabel()
    'mean error'
    """
    if not isinstance(result, ReconstructionDrift):
        raise InvalidTypeError(f"result must be a ReconstructionDrift, got {type(result).__name__}")
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
