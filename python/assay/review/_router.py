"""Routing to a person: conformal sets or intervals decide which cases a reviewer sees."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .. import _core, report
from .._results import Exportable, nan_if_none
from .._util import json_safe
from ..errors import InvalidInputError, InvalidTypeError
from ._conformal import ConformalClassifier, ConformalRegressor, _check_fitted

TASKS = ("auto", "classification", "regression")

# The columns of RoutingResult.groups, in order.
GROUP_COLUMNS = (
    "group",
    "n_calibration",
    "threshold",
    "infinite",
    "rows",
    "reviewed",
    "review_share",
    "ambiguous",
    "auto_guaranteed",
    "auto_ambiguous",
    "coverage_guarantee",
    "coverage_upper",
    "max_auto_error",
)

GUARANTEE = (
    "Coverage: for rows exchangeable with the calibration rows of their group, the set (interval) "
    "holds the true label (value) with probability at least 1 - alpha, averaged over the calibration "
    "draw and over the rows of the group; it is not a guarantee for each case (conditional on x), nor "
    "for the realised calibration set. Rows decided automatically are selected by their set, so their "
    "own coverage is not guaranteed to reach 1 - alpha; what holds is P(error and decided "
    "automatically with a one-label set or narrow interval) <= alpha, hence an error rate among those "
    "rows of at most alpha / P(decided so), reported as max_auto_error with P estimated by the routed "
    "rows' share. Rows beyond the review budget (auto_ambiguous) have no guarantee."
)


@dataclass
class RoutingResult(Exportable):
    """Which cases go to a person, with the review load and the guarantee per group.

    Parameters
    ----------
    task : str
        ``"classification"`` or ``"regression"``.
    alpha : float
        The miscoverage level of the sets or intervals.
    budget : float or None
        The largest share of rows sent to review (None: no cap).
    tolerance : float or None
        Regression: intervals wider than this go to review (None: only infinite ones).
    review : numpy.ndarray of bool
        Per row: goes to a person.
    risk : numpy.ndarray of float
        Per row: how doubtful the case is; rows with the highest risk go first under a budget.
        Classification: the conformal p-value of the runner-up label; regression: the
        interval's width.
    group : numpy.ndarray of int
        Per row: the index of its group in ``groups["group"]``.
    groups : dict of str to list
        Per group (the last entry, group None, holds rows of groups not seen at calibration):
        see docs/review.md for each column of ``GROUP_COLUMNS``.
    sets : numpy.ndarray of bool, optional
        Classification: the prediction sets (rows x classes); not stored by ``to_json``.
    intervals : numpy.ndarray, optional
        Regression: the intervals (rows x 2); not stored by ``to_json``.
    """

    _kind: ClassVar[str] = "RoutingResult"
    _title: ClassVar[str] = "Review routing"

    task: str
    alpha: float
    budget: float | None
    tolerance: float | None
    review: np.ndarray = field(repr=False)
    risk: np.ndarray = field(repr=False)
    group: np.ndarray = field(repr=False)
    groups: dict[str, list[Any]] = field(repr=False)
    sets: np.ndarray | None = field(default=None, repr=False)
    intervals: np.ndarray | None = field(default=None, repr=False)

    @property
    def review_share(self) -> float:
        """The share of all rows sent to review (NaN without rows)."""
        return float(self.review.mean()) if len(self.review) else math.nan

    @property
    def max_auto_error(self) -> float:
        """Bound on the error rate among all rows decided automatically with the set's guarantee:
        alpha / their share of the rows (capped at 1; NaN when there are none)."""
        guaranteed = int(np.sum(self.groups["auto_guaranteed"]))
        return min(1.0, self.alpha * len(self.review) / guaranteed) if guaranteed else math.nan

    def to_frame(self) -> Any:
        """The per-group table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per group, the columns of ``GROUP_COLUMNS``.
        """
        import pandas as pd

        return pd.DataFrame({name: self.groups[name] for name in GROUP_COLUMNS})

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict (NaN and infinities as None).

        Returns
        -------
        dict
            The parameters, ``review`` and ``risk`` (per row), ``group`` (per row) and the
            ``groups`` table; the sets or intervals are left out.
        """
        return json_safe(
            {
                "task": self.task,
                "alpha": self.alpha,
                "budget": self.budget,
                "tolerance": self.tolerance,
                "review": self.review.tolist(),
                "risk": self.risk.tolist(),
                "group": self.group.tolist(),
                "groups": self.groups,
            }
        )

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> RoutingResult:
        groups = dict(data["groups"])
        for name in ("threshold", "coverage_upper", "max_auto_error"):
            fill = math.inf if name == "threshold" else math.nan
            groups[name] = [fill if v is None else float(v) for v in groups[name]]
        risk = np.array([math.inf if v is None else v for v in data["risk"]], dtype=np.float64)
        return cls(
            task=data["task"],
            alpha=float(data["alpha"]),
            budget=None if data["budget"] is None else float(data["budget"]),
            tolerance=None if data["tolerance"] is None else nan_if_none(data["tolerance"]),
            review=np.array(data["review"], dtype=bool),
            risk=risk,
            group=np.array(data["group"], dtype=np.int64),
            groups=groups,
        )

    def _tiles(self) -> list[report.Tile]:
        return [
            report.Tile("rows", len(self.review)),
            report.Tile("sent to review", report.Number(self.review_share, format="percent")),
            report.Tile("nominal coverage", report.Number(1 - self.alpha, format="percent")),
            report.Tile(
                "max error, auto-decided",
                report.Number(self.max_auto_error, reason="no row decided automatically", format="percent"),
            ),
        ]

    def _sections(self) -> list[report.Section]:
        names = [c for c in GROUP_COLUMNS if c != "infinite"]
        rows = [
            ["(not in calibration)" if g is None else str(g), *(self.groups[c][i] for c in names[1:])]
            for i, g in enumerate(self.groups["group"])
        ]
        formats = {"review_share": "percent", "coverage_guarantee": "percent", "max_auto_error": "percent"}
        return [
            report.Section(
                "Review load and guarantee per group",
                [report.Text(GUARANTEE), report.Table(names, rows, formats=formats)],
            )
        ]


class ReviewRouter:
    """Send the cases a model is unsure of to a person, with a conformal guarantee.

    ``fit`` calibrates split conformal sets (classification) or intervals (regression) on
    held-out rows, one threshold per group when groups are given (Mondrian). ``route`` sends to
    review the rows whose set does not hold exactly one label, or whose interval is wider than
    ``tolerance``; with a ``budget`` at most that share of the rows goes, the riskiest first.

    Parameters
    ----------
    alpha : float, default 0.1
        The miscoverage level of the sets or intervals.
    task : {"auto", "classification", "regression"}, default "auto"
        ``"auto"``: 2-D scores are class probabilities, 1-D scores regression predictions
        (quantile predictions for CQR, shape (n, 2), need ``task="regression"``).
    score : {"lac", "aps", "aps_randomized"}, default "lac"
        The classification score (see ConformalClassifier).
    tolerance : float, optional
        Regression: the widest interval decided automatically (None: only infinite intervals
        go to review).
    budget : float, optional
        The largest share of rows sent to review, in [0, 1] (None: no cap).
    seed : int, default 0
        Seeds ``"aps_randomized"``.
    n_jobs : int, optional
        Threads (None: all cores).
    rank : {"exact", "mapie", "crepes"}, default "exact"
        The order statistic taken as the threshold (see ConformalClassifier).

    Examples
    --------
    >>> import numpy as np
    >>> from assay.review import ReviewRouter
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    >>> router = ReviewRouter(alpha=0.2).fit(p, [0, 0, 1, 1, 1])
    >>> router.route(np.array([[0.97, 0.03], [0.5, 0.5]])).review
    array([False,  True])
    """

    def __init__(
        self,
        alpha: float = 0.1,
        *,
        task: str = "auto",
        score: str = "lac",
        tolerance: float | None = None,
        budget: float | None = None,
        seed: int = 0,
        n_jobs: int | None = None,
        rank: str = "exact",
    ) -> None:
        if task not in TASKS:
            raise InvalidInputError(f"task: expected one of {', '.join(TASKS)}, got {task!r}")
        self.task = task
        self.tolerance = _optional_number(tolerance, "tolerance", 0.0, math.inf)
        self.budget = _optional_number(budget, "budget", 0.0, 1.0)
        self.classifier = ConformalClassifier(alpha, score=score, seed=seed, n_jobs=n_jobs, rank=rank)
        self.regressor = ConformalRegressor(alpha, n_jobs=n_jobs, rank=rank)
        self.task_: str | None = None

    def fit(self, scores: Any, labels: Any, groups: Any = None) -> ReviewRouter:
        """Calibrate on held-out rows.

        Parameters
        ----------
        scores : array-like
            Class probabilities (rows x classes), point predictions (1-D) or lower and upper
            quantile predictions (rows x 2, with ``task="regression"``).
        labels : array-like
            The true classes (column indices of ``scores``) or values.
        groups : array-like, optional
            A group per row: one threshold per group, and the load reported per group.

        Returns
        -------
        ReviewRouter
            self.
        """
        array = _as_array(scores)
        self.task_ = self._task(array)
        if self.task_ == "classification":
            self.classifier.fit(array, labels, groups)
        elif array.ndim == 1:
            self.regressor.fit(labels, array, groups=groups)
        else:
            self.regressor.fit(labels, y_lower=array[:, 0], y_upper=array[:, 1], groups=groups)
        return self

    def _task(self, array: np.ndarray) -> str:
        if array.ndim not in (1, 2):
            raise InvalidInputError(f"scores: expected a 1-D or 2-D array, got shape {array.shape}")
        task = self.task if self.task != "auto" else ("classification" if array.ndim == 2 else "regression")
        if task == "regression" and array.ndim == 2 and array.shape[1] != 2:
            raise InvalidInputError(f"scores: regression takes 1-D predictions or (n, 2) quantiles, got {array.shape}")
        if task == "classification" and array.ndim != 2:
            raise InvalidInputError("scores: classification takes class probabilities, rows x classes")
        return task

    def route(self, scores: Any, groups: Any = None) -> RoutingResult:
        """Decide, for each new row, whether a person reviews it.

        Parameters
        ----------
        scores : array-like
            The model's outputs for the new rows, as given to ``fit``.
        groups : array-like, optional
            Each row's group (required when the calibration had groups).

        Returns
        -------
        RoutingResult
        """
        if self.task_ is None:
            raise InvalidInputError("ReviewRouter: call fit on calibration data first")
        array = _as_array(scores)
        if self._task(array) != self.task_:
            raise InvalidInputError(f"scores: the router was fitted for {self.task_}")
        sets = intervals = None
        if self.task_ == "classification":
            model: ConformalClassifier | ConformalRegressor = self.classifier
            sets, size, risk, codes = self.classifier._predict(array, groups)
            ambiguous = size != 1
        else:
            model = self.regressor
            if array.ndim == 1:
                lower, upper, codes = self.regressor._predict(array, None, None, groups)
            else:
                lower, upper, codes = self.regressor._predict(None, array[:, 0], array[:, 1], groups)
            intervals = np.column_stack([lower, upper])
            risk = upper - lower
            tolerance = math.inf if self.tolerance is None else self.tolerance
            ambiguous = ~(risk <= tolerance) | ~np.isfinite(risk)
        calibration = _check_fitted(model)
        budget = -1.0 if self.budget is None else self.budget
        routed = _core.review.route(ambiguous.astype(np.uint8), risk, codes, calibration.n_groups, budget)
        table = self._group_table(model, calibration, routed)
        return RoutingResult(
            task=self.task_,
            alpha=model.alpha,
            budget=self.budget,
            tolerance=self.tolerance,
            review=routed["review"],
            risk=risk,
            group=codes.astype(np.int64),
            groups=table,
            sets=sets,
            intervals=intervals,
        )

    @staticmethod
    def _group_table(model: Any, calibration: Any, routed: dict[str, np.ndarray]) -> dict[str, list[Any]]:
        """The per-group columns, vectorised over the groups."""
        alpha = model.alpha
        n_cal = np.diff(calibration.offsets)
        rows, reviewed = routed["rows"], routed["reviewed"]
        auto_ambiguous = routed["auto_ambiguous"]
        auto_guaranteed = rows - reviewed - auto_ambiguous
        infinite = calibration.infinite
        with np.errstate(divide="ignore", invalid="ignore"):
            review_share = np.where(rows > 0, reviewed / np.maximum(rows, 1), np.nan)
            # An infinite threshold covers every label: no error is possible on such rows.
            bound = np.where(infinite, 0.0, np.minimum(1.0, alpha * rows / auto_guaranteed))
            max_auto_error = np.where(auto_guaranteed > 0, bound, np.nan)
        coverage_upper = np.where(infinite, np.nan, np.minimum(1.0, 1 - alpha + 1 / (n_cal + 1)))
        columns = {
            "group": model.groups_.names(),
            "n_calibration": n_cal,
            "threshold": calibration.threshold,
            "infinite": infinite,
            "rows": rows,
            "reviewed": reviewed,
            "review_share": review_share,
            "ambiguous": routed["ambiguous"],
            "auto_guaranteed": auto_guaranteed,
            "auto_ambiguous": auto_ambiguous,
            "coverage_guarantee": np.where(infinite, 1.0, 1 - alpha),
            "coverage_upper": coverage_upper,
            "max_auto_error": max_auto_error,
        }
        return {name: value if isinstance(value, list) else value.tolist() for name, value in columns.items()}


def _as_array(scores: Any) -> np.ndarray:
    if scores is None:
        raise InvalidTypeError("scores: expected an array, got None")
    array = np.asarray(scores.to_numpy() if hasattr(scores, "to_numpy") else scores)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"scores: expected numbers, got dtype {array.dtype}")
    return array


def _optional_number(value: Any, argument: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidTypeError(f"{argument}: expected a number, got {type(value).__name__}")
    if not low <= float(value) <= high:
        raise InvalidInputError(f"{argument}: expected a number in [{low}, {high}], got {value!r}")
    return float(value)


__all__ = ["GROUP_COLUMNS", "ReviewRouter", "RoutingResult"]
