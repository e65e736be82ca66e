"""Target-leakage scores of every feature, with bootstrap intervals, vectorised in numpy.

The score is :func:`assay.quality.check`'s predictive-power score, with the engine's
definitions (so a flagged feature's score equals its finding's value): a numeric feature
is cut at its quantiles ``k / bins`` of the finite values (numpy's linear interpolation,
repeated edges dropped, missing values in a bin of their own), a categorical feature by
its categories (missing as one more). For a classification target (categorical, or numeric
with at most 20 integer values) the score is the accuracy of predicting each bin's
majority class, rescaled so that 0 is the accuracy of the overall majority class and 1 is
perfect; for a numeric target it is the correlation ratio eta squared of the bin means.
Bins with fewer than ``min_support`` rows are predicted by the overall majority / mean.

Intervals: bootstrap over rows, the bins held fixed. Both scores are biased upwards under
resampling (a resample fits its bins better, like any in-sample fit: about bins / rows for
eta squared), so the interval is the replicates' percentile interval moved by the
difference between their median and the estimate, clipped to [0, 1]. The replicates:

* classification: the score depends on the data only through the bins x classes table of
  counts, and a row bootstrap draws that table from a multinomial distribution with the
  observed cell shares. Each replicate draws the table directly: exact, and O(cells) per
  replicate whatever the number of rows.
* regression: each replicate draws the bin counts from their multinomial distribution and,
  given a bin's count c, the bin's sum and sum of squares of the (standardised) target from
  their normal approximation (mean c times the bin's moments, covariance c times the
  covariance of y and y^2 in the bin), which the central limit theorem justifies for bins
  of many rows; bins of few rows are predicted by the overall mean anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import _core
from ..._frame import CATEGORICAL, Column

__all__ = ["LeakageScore", "leakage_scores", "target_classes"]

_MAX_INTEGER_CLASSES = 20


@dataclass(frozen=True)
class LeakageScore:
    """The leakage score of one feature, with its interval (NaN without one)."""

    feature: str
    score: float
    lower: float
    upper: float
    note: str = ""


def target_classes(column: Column) -> np.ndarray | None:
    """Class codes (-1 for missing) when the engine treats the target as classes, else None."""
    if column.kind == CATEGORICAL:
        codes = np.asarray(column.values, dtype=np.int64)
        present = codes[codes >= 0]
        used = np.unique(present)
        remap = np.full(len(column.labels or []) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return remap[codes]  # -1 indexes the last entry: missing stays -1
    values = column.values
    present = values[~np.isnan(values)]
    if not np.isfinite(present).all() or (present != np.floor(present)).any():
        return None
    levels = np.unique(present)
    if len(levels) > _MAX_INTEGER_CLASSES:
        return None
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~np.isnan(values)] = np.searchsorted(levels, present)
    return codes


def _bins(column: Column, n_bins: int) -> tuple[np.ndarray, int]:
    """Each row's bin and the number of bins (the engine's binning)."""
    if column.kind == CATEGORICAL:
        codes = np.asarray(column.values, dtype=np.int64)
        n_labels = len(column.labels or [])
        return np.where(codes < 0, n_labels, codes), n_labels + 1
    values = column.values
    finite = values[np.isfinite(values)]
    edges: list[float] = []
    if len(finite):
        for edge in np.quantile(finite, np.arange(1, n_bins) / n_bins).tolist():
            if not edges or edge > edges[-1]:
                edges.append(edge)
    bins = np.searchsorted(np.asarray(edges), values, side="right")
    bins[np.isnan(values)] = len(edges) + 1
    return bins, len(edges) + 2


def _classification_scores(counts: np.ndarray, min_support: int) -> np.ndarray:
    """Scores of tables of counts (..., bins, classes)."""
    totals = counts.sum(axis=-2)  # (..., classes)
    n = totals.sum(axis=-1)
    majority = np.argmax(totals, axis=-1)  # the first of equal counts, as the engine
    of_majority = np.take_along_axis(counts, majority[..., None, None], axis=-1)[..., 0]
    support = counts.sum(axis=-1)
    correct = np.where(support >= min_support, counts.max(axis=-1), of_majority).sum(axis=-1)
    base = np.take_along_axis(totals, majority[..., None], axis=-1)[..., 0] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return (correct / n - base) / (1.0 - base)


def _regression_scores(count: np.ndarray, total: np.ndarray, squares: np.ndarray, min_support: int) -> np.ndarray:
    """Eta squared from per-bin counts, sums and sums of squares (..., bins)."""
    n = count.sum(axis=-1)
    mean = total.sum(axis=-1) / n
    sst = squares.sum(axis=-1) - n * mean**2
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(count >= min_support, total / np.where(count > 0, count, 1), mean[..., None])
        sse = np.maximum(0.0, squares - 2.0 * centre * total + count * centre**2).sum(axis=-1)
        return np.where(sst > 0, np.maximum(0.0, 1.0 - sse / sst), np.nan)


def _interval(score: float, replicates: np.ndarray, confidence_level: float) -> tuple[float, float]:
    """The percentile interval of the replicates, moved by the replicates' median bias."""
    defined = replicates[~np.isnan(replicates)]
    if not len(defined) or math.isnan(score):
        return math.nan, math.nan
    alpha = 1.0 - confidence_level
    low, median, high = np.quantile(defined, [alpha / 2, 0.5, 1 - alpha / 2])
    shift = median - score
    return float(np.clip(low - shift, 0.0, 1.0)), float(np.clip(high - shift, 0.0, 1.0))


def leakage_scores(
    target: Column,
    features: list[Column],
    *,
    bins: int,
    min_support: int,
    n_boot: int,
    confidence_level: float,
    seed: int,
) -> list[LeakageScore]:
    """The leakage score of each feature for the target, with a percentile interval.

    Parameters
    ----------
    target : Column
    features : list of Column
    bins, min_support : int
        The engine's ``leakage_bins`` and ``leakage_min_support``.
    n_boot : int
        Replicates (0: no interval).
    confidence_level : float
    seed : int
        Each feature's replicates come from ``(seed, hash of the feature's name)``.

    Returns
    -------
    list of LeakageScore
        In the order of ``features``; NaN scores with a note when the target has fewer
        than two values or one class (regression: no spread).
    """
    classes = target_classes(target)
    out = []
    if classes is not None:
        valid = classes >= 0
        k = int(classes.max()) + 1 if valid.any() else 0
    else:
        y = target.values
        valid = np.isfinite(y)
        # Standardised: eta squared does not change, and the sums stay far from overflow.
        spread = float(np.std(y[valid])) if valid.any() else 0.0
        z = (y[valid] - y[valid].mean()) / spread if spread > 0 else np.zeros(int(valid.sum()))
    n_valid = int(valid.sum())
    for column in features:
        if n_valid < 2 or (classes is not None and k < 2):
            note = "the target has fewer than two values" if n_valid < 2 else "the target has one class"
            out.append(LeakageScore(column.name, math.nan, math.nan, math.nan, note))
            continue
        row_bins, n_bins = _bins(column, bins)
        rng = np.random.default_rng([seed, _core.hash_string(column.name)])
        if classes is not None:
            cells = np.bincount(row_bins[valid] * k + classes[valid], minlength=n_bins * k).astype(np.float64)
            score = float(_classification_scores(cells.reshape(n_bins, k), min_support))
            replicates = np.empty(0)
            if n_boot > 0:
                draws = rng.multinomial(n_valid, cells / n_valid, size=n_boot).astype(np.float64)
                replicates = _classification_scores(draws.reshape(n_boot, n_bins, k), min_support)
        else:
            b = row_bins[valid]
            count = np.bincount(b, minlength=n_bins).astype(np.float64)
            moments = [np.bincount(b, weights=z**p, minlength=n_bins) for p in (1, 2, 3, 4)]
            score = float(_regression_scores(count, moments[0], moments[1], min_support))
            replicates = np.empty(0)
            if n_boot > 0:
                replicates = _regression_replicates(count, moments, n_boot, min_support, rng)
        lower, upper = _interval(score, replicates, confidence_level) if n_boot > 0 else (math.nan, math.nan)
        note = "" if not math.isnan(score) else "the score is undefined (no spread of the target)"
        out.append(LeakageScore(column.name, score, lower, upper, note))
    return out


def _regression_replicates(
    count: np.ndarray, moments: list[np.ndarray], n_boot: int, min_support: int, rng: np.random.Generator
) -> np.ndarray:
    n = count.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        m1, m2, m3, m4 = (np.where(count > 0, m / np.where(count > 0, count, 1), 0.0) for m in moments)
    var1 = np.maximum(m2 - m1**2, 0.0)
    var2 = np.maximum(m4 - m2**2, 0.0)
    cov = m3 - m1 * m2
    sd1, sd2 = np.sqrt(var1), np.sqrt(var2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.clip(np.where(sd1 * sd2 > 0, cov / (sd1 * sd2), 0.0), -1.0, 1.0)
    draws = rng.multinomial(int(n), count / n, size=n_boot).astype(np.float64)
    z1 = rng.standard_normal(draws.shape)
    z2 = rng.standard_normal(draws.shape)
    root = np.sqrt(draws)
    total = draws * m1 + root * sd1 * z1
    squares = draws * m2 + root * sd2 * (rho * z1 + np.sqrt(1.0 - rho**2) * z2)
    return _regression_scores(draws, total, np.maximum(squares, 0.0), min_support)
