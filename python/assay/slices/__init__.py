"""Slice finding: where does a model do worst? SliceLine (Sagadeeva & Boehm, SIGMOD 2021), exact.

:func:`find_slices` enumerates conjunctions of ``feature = value`` predicates (numeric features
binned, see ``assay.slices._inputs``) and returns the top-K by SliceLine's score, each with its
size, mean error, a confidence interval of the mean error and a Benjamini-Hochberg-adjusted
p-value against the other rows. The enumeration runs in the C++ core (``assay._core.slices``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _core
from .._progress import progress_callback
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import Progress
from ._inputs import BINNINGS, METRICS, coded_features, row_errors, support_rows
from ._report import slice_sections, slice_tiles

__all__ = ["BINNINGS", "METRICS", "PRUNINGS", "SliceResult", "find_slices"]

#: "exact" (the top-K of all slices) or "sliceline" (the pruning of SystemDS and the sliceline package).
PRUNINGS = ("exact", "sliceline")

_ARRAYS = (
    "size",
    "error_sum",
    "max_error",
    "average_error",
    "score",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "p_value_adjusted",
)


@dataclass
class SliceResult(Exportable):
    """The worst slices found by :func:`find_slices`, best (highest score) first.

    Attributes
    ----------
    predicates : list of list of str
        Each slice's predicates, readable (``"age in [30, 40)"``, ``"sex = F"``,
        ``"city is missing"``).
    size, error_sum, max_error, average_error, score : numpy.ndarray
        Per slice: rows, sum / maximum / mean of the row errors, SliceLine score.
    ci_low, ci_high : numpy.ndarray
        Confidence interval of the slice's mean error at ``confidence_level``: Wilson's for 0/1
        errors, else the normal interval ``mean +- z s / sqrt(size)`` (NaN below 2 rows).
    statistic, p_value, p_value_adjusted : numpy.ndarray
        One-sided Welch z-test of "the slice's mean error exceeds the other rows' mean error"
        (z statistic and p-value), and the p-value adjusted by Benjamini-Hochberg over the
        ``n_tested`` slices the search evaluated.
    n_rows, overall_error, binary_errors, n_tested : int, float, bool, int
        Rows, mean error of all rows, whether every error is 0 or 1, size of the BH family.
    levels : list of (int, int)
        Per level (1, 2, ...): slices evaluated, and of them valid (min_support rows, errors > 0).
    parameters : dict
        The settings of the search (metric, alpha, k, max_level, min_support, n_bins, binning,
        confidence_level, pruning).
    """

    predicates: list[list[str]]
    size: np.ndarray
    error_sum: np.ndarray
    max_error: np.ndarray
    average_error: np.ndarray
    score: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    p_value_adjusted: np.ndarray
    n_rows: int
    overall_error: float
    binary_errors: bool
    n_tested: int
    levels: list[tuple[int, int]]
    parameters: dict[str, Any] = field(default_factory=dict)

    _kind = "SliceResult"
    _title = "Worst slices"

    def __len__(self) -> int:
        return len(self.predicates)

    @property
    def descriptions(self) -> list[str]:
        """Each slice as one line: its predicates joined by ``" and "``."""
        return [" and ".join(p) for p in self.predicates]

    @property
    def error_ratio(self) -> np.ndarray:
        """Each slice's mean error divided by the mean error of all rows."""
        return self.average_error / self.overall_error

    def to_frame(self) -> Any:
        """The slices as a pandas DataFrame, one row per slice, best first.

        Returns
        -------
        pandas.DataFrame
            Columns ``slice`` (readable), ``n_predicates``, ``size``, ``average_error``,
            ``error_ratio``, ``score``, ``ci_low``, ``ci_high``, ``statistic``, ``p_value``,
            ``p_value_adjusted``.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "slice": self.descriptions,
                "n_predicates": [len(p) for p in self.predicates],
                "size": self.size,
                "average_error": self.average_error,
                "error_ratio": self.error_ratio,
                "score": self.score,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "p_value_adjusted": self.p_value_adjusted,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict (NaN as None); ``from_json`` reads ``to_json`` back."""
        out: dict[str, Any] = {"predicates": [list(p) for p in self.predicates]}
        for name in _ARRAYS:
            out[name] = json_safe(getattr(self, name).tolist())
        out.update(
            n_rows=self.n_rows,
            overall_error=json_safe(self.overall_error),
            binary_errors=self.binary_errors,
            n_tested=self.n_tested,
            levels=[list(level) for level in self.levels],
            parameters=json_safe(self.parameters),
        )
        return out

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SliceResult:
        arrays = {
            name: np.array([nan_if_none(v) for v in data[name]], dtype=np.float64) for name in _ARRAYS if name != "size"
        }
        return cls(
            predicates=[[str(p) for p in slice_] for slice_ in data["predicates"]],
            size=np.asarray(data["size"], dtype=np.int64),
            **arrays,
            n_rows=int(data["n_rows"]),
            overall_error=nan_if_none(data["overall_error"]),
            binary_errors=bool(data["binary_errors"]),
            n_tested=int(data["n_tested"]),
            levels=[(int(a), int(b)) for a, b in data["levels"]],
            parameters=dict(data["parameters"]),
        )

    def _sections(self) -> list[Any]:
        return slice_sections(self)

    def _tiles(self) -> list[Any]:
        return slice_tiles(self)


def _integer(value: Any, argument: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"{argument}: expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidInputError(f"{argument}: must lie in [{low}, {high}], got {value}")
    return int(value)


def _real(value: Any, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidTypeError(f"{argument}: expected a number, got {type(value).__name__}")
    return float(value)


def find_slices(
    X: Any,
    errors: Any = None,
    *,
    y_true: Any = None,
    y_pred: Any = None,
    metric: str | None = None,
    max_level: int = 3,
    min_support: int | float | None = None,
    alpha: float = 0.95,
    k: int = 10,
    n_bins: int = 10,
    binning: str = "quantile",
    confidence_level: float = 0.95,
    pruning: str = "exact",
    feature_names: Any = None,
    n_jobs: int | None = None,
    progress: Progress = None,
) -> SliceResult:
    """The K slices of highest SliceLine score: where the model's errors concentrate.

    A slice is a conjunction of predicates ``feature = value`` over distinct features; its score
    is ``alpha * (slice_error / average_error - 1) - (1 - alpha) * (n_rows / slice_size - 1)``
    (Sagadeeva & Boehm, SIGMOD 2021). The search is SliceLine's level-wise enumeration with its
    size and score upper bounds; with ``pruning="exact"`` the result is the top-K of all slices
    of at most ``max_level`` predicates, ``min_support`` rows and a positive score.

    Parameters
    ----------
    X : table
        The features (numpy 2-D array, pandas / polars DataFrame, pyarrow Table, mapping of
        columns). Numeric columns with more than ``n_bins`` distinct values are binned
        (``binning``); categorical columns keep their values; a missing value is a value of its own.
    errors : array-like of float, optional
        Each row's error (finite, >= 0). Or give ``y_true`` and ``y_pred`` with a ``metric``.
    y_true, y_pred : array-like, optional
        Targets and predictions (labels for ``"error"``, numbers for ``"squared_error"`` and
        ``"absolute_error"``, probabilities for ``"log_loss"``: 1-D of the positive class with
        0/1 targets, or 2-D with class indices as targets).
    metric : {"error", "squared_error", "absolute_error", "log_loss"}, optional
        The per-row error computed from ``y_true`` and ``y_pred`` (default ``"error"``: 1 when
        the predicted label is wrong). Log loss clips probabilities to [eps, 1 - eps] as
        scikit-learn does.
    max_level : int, default 3
        Predicates per slice at most.
    min_support : int or float, optional
        Rows a slice must hold: a count, or a fraction of the rows in (0, 1) (rounded up).
        Default: ``max(32, ceil(0.01 * n_rows))``.
    alpha : float, default 0.95
        In (0, 1]: the weight of the error ratio against the slice size in the score.
    k : int, default 10
        Slices returned.
    n_bins : int, default 10
        Bins of a numeric column with more distinct values.
    binning : {"quantile", "uniform"}, default "quantile"
        Bin edges at quantiles of the finite values, or of equal width between their extremes.
    confidence_level : float, default 0.95
        Of the interval of each slice's mean error.
    pruning : {"exact", "sliceline"}, default "exact"
        ``"sliceline"`` prunes as SystemDS and the ``sliceline`` package do (with the lowest
        score of a top-K that is not yet full, and an upper bound using the number of one-hot
        columns): faster on some data, but it can miss slices that belong to the top K.
    feature_names : sequence of str, optional
        Names of the columns of a numpy ``X``.
    n_jobs : int, optional
        Threads (None or -1: all cores). Results are the same for every value.
    progress : bool or callable, optional
        A progress bar (True / False / None: after 2 s) or a callback ``(done, total)``.

    Returns
    -------
    SliceResult

    Raises
    ------
    InvalidInputError
        Errors that are NaN, infinite or negative; lengths that differ; a setting out of range;
        both ``errors`` and ``y_true``/``y_pred`` (or neither).
    InvalidTypeError
        A setting of the wrong type, or non-numeric errors.
    ResourceLimitError
        A search whose bitmaps or candidates would need more than half the memory.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.slices import find_slices
    >>> rng = np.random.default_rng(0)
    >>> X = {"color": rng.choice(["red", "blue"], 400), "size": rng.integers(0, 3, 400)}
    >>> errors = ((X["color"] == "red") & (X["size"] == 2)).astype(float)
    >>> result = find_slices(X, errors, k=1, min_support=10)
    >>> result.descriptions
    ['color = red and size = 2']
    """
    error_values, metric_name = row_errors(errors, y_true, y_pred, metric)
    threads = n_jobs_arg(n_jobs)
    features = coded_features(X, n_bins, binning, feature_names, threads)
    n_rows = len(error_values)
    if len(features[0].codes) != n_rows:
        raise InvalidInputError(f"errors: {n_rows} rows, X {len(features[0].codes)}")
    if pruning not in PRUNINGS:
        raise InvalidInputError(f"pruning: expected one of {', '.join(PRUNINGS)}, got {pruning!r}")
    support = support_rows(min_support, n_rows)
    raw = _core.slices.find_slices(
        [f.core() for f in features],
        np.ascontiguousarray(error_values, dtype=np.float64),
        _real(alpha, "alpha"),
        _integer(k, "k", 1, 2**31 - 1),
        _integer(max_level, "max_level", 1, 2**31 - 1),
        support,
        _real(confidence_level, "confidence_level"),
        _core.slices.Pruning[pruning],
        threads,
        progress_callback(progress, "slices"),
    )
    offsets = raw["offsets"]
    predicates = [
        [features[f].describe(int(v)) for f, v in zip(raw["feature"][a:b], raw["value"][a:b])]
        for a, b in zip(offsets[:-1], offsets[1:])
    ]
    return SliceResult(
        predicates=predicates,
        **{name: raw[name] for name in _ARRAYS},
        n_rows=int(raw["n_rows"]),
        overall_error=float(raw["overall_error"]),
        binary_errors=bool(raw["binary_errors"]),
        n_tested=int(raw["n_tested"]),
        levels=[(int(a), int(b)) for a, b in raw["levels"]],
        parameters={
            "metric": metric_name,
            "alpha": float(alpha),
            "k": int(k),
            "max_level": int(max_level),
            "min_support": support,
            "n_bins": int(n_bins),
            "binning": binning,
            "confidence_level": float(confidence_level),
            "pruning": pruning,
        },
    )
