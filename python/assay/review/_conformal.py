"""Split (and Mondrian) conformal prediction: sets for classifiers, intervals for regressors."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._util import n_jobs_arg, seed_arg
from ..errors import InvalidInputError, InvalidTypeError
from . import _inputs

SCORES = ("lac", "aps", "aps_randomized")
RANKS = ("exact", "mapie", "crepes")


def conformal_rank(n: int, alpha: float, rank: str = "exact") -> int:
    """The rank of the split-conformal threshold among ``n`` calibration scores.

    ``ceil((n + 1) * (1 - alpha))``, the exact finite-sample rank (Lei et al., JASA 2018); a
    rank above ``n`` means no finite threshold gives the guarantee (the set holds every label).
    A product within 1e-9 (relative) of an integer counts as that integer, so ``alpha=0.1``
    and ``n=9`` give 9, as in exact arithmetic.

    Parameters
    ----------
    n : int
        The number of calibration scores (of one group, for Mondrian calibration).
    alpha : float
        The miscoverage level, in (0, 1).
    rank : {"exact", "mapie", "crepes"}, default "exact"
        ``"mapie"`` and ``"crepes"`` reproduce those libraries' floating-point computations,
        which take one order statistic more for some ``n`` (see docs/review.md).

    Returns
    -------
    int
        The 1-based rank.

    Examples
    --------
    >>> from assay.review import conformal_rank
    >>> conformal_rank(9, 0.1), conformal_rank(10, 0.1), conformal_rank(8, 0.1)
    (9, 10, 9)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise InvalidTypeError(f"n: expected an integer count, got {type(n).__name__}")
    return int(_core.review.conformal_rank(int(n), _alpha(alpha), _rank(rank)))


def _rank(rank: Any) -> Any:
    if rank not in RANKS:
        raise InvalidInputError(f"rank: expected one of {', '.join(RANKS)}, got {rank!r}")
    return _core.review.RankRule[rank]


def _alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating, np.integer)):
        raise InvalidTypeError(f"alpha: expected a number in (0, 1), got {type(alpha).__name__}")
    if not 0.0 < float(alpha) < 1.0:
        raise InvalidInputError(f"alpha: expected a number in (0, 1), got {alpha!r}")
    return float(alpha)


def _check_fitted(model: Any) -> Any:
    if model.calibration_ is None:
        raise InvalidInputError(f"{type(model).__name__}: call fit on calibration data first")
    return model.calibration_


class _Conformal:
    """What both conformal predictors share: alpha, n_jobs, the groups and the calibration."""

    def __init__(self, alpha: float, n_jobs: int | None, rank: str) -> None:
        self.alpha = _alpha(alpha)
        _rank(rank)
        self.rank = rank
        self.n_jobs = n_jobs
        n_jobs_arg(n_jobs)
        self.calibration_: Any = None
        self.groups_: _inputs.Groups | None = None

    def _calibrate(self, scores: np.ndarray, groups: Any) -> None:
        self.groups_, codes = _inputs.Groups.fit(groups, len(scores))
        self.calibration_ = _core.review.calibrate(
            scores, codes, self.groups_.n_groups, self.alpha, n_jobs_arg(self.n_jobs), _rank(self.rank)
        )

    def _codes(self, groups: Any, n_rows: int) -> np.ndarray:
        _check_fitted(self)
        assert self.groups_ is not None
        return self.groups_.codes(groups, n_rows)

    def calibration_table(self) -> dict[str, Any]:
        """Each group's calibration: its size, the rank and value of its threshold.

        Returns
        -------
        dict
            ``group`` (labels; None for rows of groups not seen at calibration), ``n``
            (calibration rows), ``rank`` (ceil((n + 1)(1 - alpha))), ``threshold`` (the
            rank-th smallest score; inf when ``infinite``) and ``infinite`` (rank > n: too
            few rows for a finite threshold), each a list or array with one entry per group.
        """
        calibration = _check_fitted(self)
        assert self.groups_ is not None
        return {
            "group": self.groups_.names(),
            "n": np.diff(calibration.offsets),
            "rank": calibration.rank,
            "threshold": calibration.threshold,
            "infinite": calibration.infinite,
        }


class ConformalClassifier(_Conformal):
    """Split conformal prediction sets for a classifier's probabilities (Mondrian with groups).

    Fit on calibration rows the model was not trained on; the set of a new row then holds its
    true label with probability at least ``1 - alpha`` (within each group when groups are
    given), if the new row and the calibration rows are exchangeable. See docs/review.md.

    Parameters
    ----------
    alpha : float, default 0.1
        The miscoverage level: sets hold the true label with probability >= 1 - alpha.
    score : {"lac", "aps", "aps_randomized"}, default "lac"
        The nonconformity score: ``"lac"`` is 1 - p(true label) (smallest sets); ``"aps"``
        the probability mass of the labels ranked at or above the true one; ``"aps_randomized"``
        the same with the true label's own mass multiplied by a uniform draw (exact coverage).
    seed : int, default 0
        Seeds the draws of ``"aps_randomized"`` (keyed by row, so any ``n_jobs`` gives the same
        sets).
    n_jobs : int, optional
        Threads (None: all cores).
    rank : {"exact", "mapie", "crepes"}, default "exact"
        The order statistic taken as the threshold (see :func:`conformal_rank`); the other two
        reproduce MAPIE's and crepes' sets.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.review import ConformalClassifier
    >>> p_cal = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    >>> model = ConformalClassifier(alpha=0.2).fit(p_cal, [0, 0, 1, 1])
    >>> model.predict_set(np.array([[0.95, 0.05], [0.5, 0.5]]))
    array([[ True, False],
           [ True,  True]])
    """

    def __init__(
        self,
        alpha: float = 0.1,
        *,
        score: str = "lac",
        seed: int = 0,
        n_jobs: int | None = None,
        rank: str = "exact",
    ) -> None:
        super().__init__(alpha, n_jobs, rank)
        if score not in SCORES:
            raise InvalidInputError(f"score: expected one of {', '.join(SCORES)}, got {score!r}")
        self.score = score
        self.seed = seed_arg(seed, allow_none=False)

    def fit(self, probabilities: Any, y: Any, groups: Any = None) -> ConformalClassifier:
        """Calibrate on held-out rows.

        Parameters
        ----------
        probabilities : array-like of shape (n, n_classes)
            The model's class probabilities, each in [0, 1].
        y : array-like of int
            The true classes, as column indices of ``probabilities``.
        groups : array-like, optional
            A group per row (any labels): one threshold per group (Mondrian calibration).

        Returns
        -------
        ConformalClassifier
            self.
        """
        p = _inputs.probabilities(probabilities)
        labels = _inputs.class_labels(y, len(p))
        kind = _core.review.ClassScore[self.score]
        scores = _core.review.class_scores(p, labels, kind, self.seed, n_jobs_arg(self.n_jobs))
        self._calibrate(scores, groups)
        self.n_classes_ = p.shape[1]
        return self

    def predict_set(self, probabilities: Any, groups: Any = None) -> np.ndarray:
        """The prediction sets of new rows.

        Parameters
        ----------
        probabilities : array-like of shape (n, n_classes)
            The model's class probabilities.
        groups : array-like, optional
            Each row's group (required when the calibration had groups). A group not seen at
            calibration has no guarantee: its sets hold every label.

        Returns
        -------
        numpy.ndarray of bool, shape (n, n_classes)
            True where the label is in the row's set.
        """
        return self._predict(probabilities, groups)[0]

    def _predict(self, probabilities: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(membership, set sizes, risk, group codes)."""
        calibration = _check_fitted(self)
        p = _inputs.probabilities(probabilities)
        if p.shape[1] != self.n_classes_:
            raise InvalidInputError(f"probabilities: {p.shape[1]} classes, but the calibration had {self.n_classes_}")
        codes = self._codes(groups, len(p))
        kind = _core.review.ClassScore[self.score]
        member, size, risk = _core.review.predict_sets(calibration, p, codes, kind, self.seed, n_jobs_arg(self.n_jobs))
        return member, size, risk, codes


class ConformalRegressor(_Conformal):
    """Split conformal prediction intervals for a regressor (Mondrian with groups).

    With point predictions the score is the absolute residual and the interval
    ``prediction -/+ q``; with lower and upper quantile predictions it is conformalized
    quantile regression (CQR, Romano, Patterson & Candes 2019): ``[lower - q, upper + q]``.

    Parameters
    ----------
    alpha : float, default 0.1
        The miscoverage level: intervals hold the true value with probability >= 1 - alpha.
    n_jobs : int, optional
        Threads (None: all cores).
    rank : {"exact", "mapie", "crepes"}, default "exact"
        The order statistic taken as the threshold (see :func:`conformal_rank`).

    Examples
    --------
    >>> import numpy as np
    >>> from assay.review import ConformalRegressor
    >>> model = ConformalRegressor(alpha=0.2).fit([1.0, 2.0, 3.0, 4.0], y_pred=[1.1, 1.8, 3.3, 4.4])
    >>> model.predict_interval(y_pred=[10.0])
    array([[ 9.6, 10.4]])
    """

    def __init__(self, alpha: float = 0.1, *, n_jobs: int | None = None, rank: str = "exact") -> None:
        super().__init__(alpha, n_jobs, rank)

    def fit(
        self, y: Any, y_pred: Any = None, *, y_lower: Any = None, y_upper: Any = None, groups: Any = None
    ) -> ConformalRegressor:
        """Calibrate on held-out rows.

        Parameters
        ----------
        y : array-like of float
            The true values.
        y_pred : array-like of float, optional
            Point predictions (absolute-residual score).
        y_lower, y_upper : array-like of float, optional
            Lower and upper quantile predictions (CQR); give both, and no ``y_pred``.
        groups : array-like, optional
            A group per row: one threshold per group (Mondrian calibration).

        Returns
        -------
        ConformalRegressor
            self.
        """
        target = _inputs.numbers(y, "y")
        self.cqr_ = self._cqr(y_pred, y_lower, y_upper)
        n_jobs = n_jobs_arg(self.n_jobs)
        if self.cqr_:
            lower = _inputs.numbers(y_lower, "y_lower", len(target))
            upper = _inputs.numbers(y_upper, "y_upper", len(target))
            scores = _core.review.cqr_scores(target, lower, upper, n_jobs)
        else:
            scores = _core.review.residual_scores(target, _inputs.numbers(y_pred, "y_pred", len(target)), n_jobs)
        self._calibrate(scores, groups)
        return self

    @staticmethod
    def _cqr(y_pred: Any, y_lower: Any, y_upper: Any) -> bool:
        if (y_lower is None) != (y_upper is None):
            raise InvalidInputError("y_lower, y_upper: give both quantile predictions (CQR) or neither")
        if (y_pred is None) == (y_lower is None):
            raise InvalidInputError("y_pred: give either point predictions or y_lower and y_upper, not both or none")
        return y_lower is not None

    def predict_interval(
        self, y_pred: Any = None, *, y_lower: Any = None, y_upper: Any = None, groups: Any = None
    ) -> np.ndarray:
        """The prediction intervals of new rows.

        Parameters
        ----------
        y_pred : array-like of float, optional
            Point predictions (when fitted with ``y_pred``).
        y_lower, y_upper : array-like of float, optional
            Quantile predictions (when fitted with them).
        groups : array-like, optional
            Each row's group (required when the calibration had groups). A group not seen at
            calibration has no guarantee: its intervals are (-inf, inf).

        Returns
        -------
        numpy.ndarray of shape (n, 2)
            Lower and upper bounds.
        """
        lower, upper = self._predict(y_pred, y_lower, y_upper, groups)[:2]
        return np.column_stack([lower, upper])

    def _predict(
        self, y_pred: Any, y_lower: Any, y_upper: Any, groups: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lower bounds, upper bounds, group codes)."""
        calibration = _check_fitted(self)
        if self._cqr(y_pred, y_lower, y_upper) != self.cqr_:
            expected = "y_lower and y_upper" if self.cqr_ else "y_pred"
            raise InvalidInputError(f"y_pred: the calibration used {expected}; pass the same kind of predictions")
        if self.cqr_:
            first = _inputs.numbers(y_lower, "y_lower")
            second = _inputs.numbers(y_upper, "y_upper", len(first))
        else:
            first, second = _inputs.numbers(y_pred, "y_pred"), np.empty(0)
        codes = self._codes(groups, len(first))
        lower, upper = _core.review.predict_intervals(calibration, first, second, codes, n_jobs_arg(self.n_jobs))
        return lower, upper, codes
