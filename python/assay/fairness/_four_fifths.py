"""The four-fifths (80%) rule of adverse impact with intervals: each group's selection rate
against a reference group's, with Wilson, Katz and Newcombe intervals and a verdict that
holds with the chosen confidence."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core, report
from .._results import Exportable, nan_if_none
from .._util import json_safe
from ..errors import InvalidInputError
from ..typing import ArrayLike, NJobs, TableLike
from ..warnings import UndefinedMetricWarning
from ._evaluation import observed_groups
from ._inputs import as_indicator, json_label
from ._intervals import z_value
from ._report import four_fifths_sections, four_fifths_tiles

_core_fair = _core.fairness


@dataclass
class FourFifths(Exportable):
    """The four-fifths (80%) rule with intervals, per group against a reference group (see ``four_fifths``).

    A group "fails" when the upper bound of the Katz interval of its selection-rate
    ratio to the reference is below ``threshold`` (adverse impact with the chosen
    confidence), "passes" when the lower bound is at or above it, and is
    "inconclusive" otherwise (or when the ratio interval is undefined). A group with no
    selections, where Katz's interval is undefined, fails when the Wilson upper bound of
    its rate is below ``threshold`` times the reference rate. ``small`` flags groups with
    fewer than ``min_support`` rows. The arrays hold one value per group, in the order of
    ``groups``. ``to_json()`` / ``FourFifths.from_json()`` write and read the result,
    ``to_html()`` gives a standalone page (the verdict, the ratios charted against the
    threshold, the table), and a notebook shows the same.

    Attributes
    ----------
    groups : list
        The group labels (a level, or a tuple of levels for several features).
    rows : numpy.ndarray
        Rows per group.
    selected : numpy.ndarray
        Rows with ``y_pred == pos_label`` per group.
    rate, rate_low, rate_high : numpy.ndarray
        The selection rate and its Wilson interval.
    ratio, ratio_low, ratio_high : numpy.ndarray
        The rate divided by the reference group's, and its Katz interval.
    difference, difference_low, difference_high : numpy.ndarray
        The rate minus the reference group's, and its Newcombe interval.
    verdicts : list of str
        Per group: "reference", "fails", "passes" or "inconclusive".
    small : numpy.ndarray
        True for groups with fewer than ``min_support`` rows.
    reference : label
        The reference group.
    threshold : float
        The ratio under which a group has adverse impact (0.8).
    confidence : float
        The confidence of the intervals.
    min_support : int
        The rows a group needs to be the default reference and not to be flagged small.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.fairness import four_fifths
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(["a", "b"], 200)
    >>> y_pred = (rng.random(400) < np.where(group == "a", 0.5, 0.3)).astype(int)
    >>> result = four_fifths(y_pred, sensitive_features=group)
    >>> result.verdict, result.verdicts
    ('fails', ['reference', 'fails'])
    >>> result.to_frame()[["group", "selection_rate", "ratio_low", "ratio_high", "verdict"]].round(3)
      group  selection_rate  ratio_low  ratio_high    verdict
    0     a            0.44      0.802       1.247  reference
    1     b            0.26      0.446       0.783      fails
    """

    groups: list
    rows: np.ndarray
    selected: np.ndarray
    rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    difference: np.ndarray
    difference_low: np.ndarray
    difference_high: np.ndarray
    verdicts: list[str]
    small: np.ndarray
    reference: Any
    threshold: float
    confidence: float
    min_support: int

    @property
    def disparate_impact(self) -> float:
        """The smallest selection-rate ratio of a group to the reference.

        Returns
        -------
        float
            The smallest defined ratio; NaN when no ratio is defined.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import four_fifths
        >>> rng = np.random.default_rng(0)
        >>> group = np.repeat(["a", "b"], 200)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.5, 0.3)).astype(int)
        >>> result = four_fifths(y_pred, sensitive_features=group)
        >>> round(result.disparate_impact, 3)
        0.591
        """
        finite = self.ratio[~np.isnan(self.ratio)]
        return float(finite.min()) if len(finite) else float("nan")

    @property
    def holds(self) -> bool:
        """Whether the rule holds on the point estimates: every ratio is at least the threshold.

        Returns
        -------
        bool
            ``disparate_impact >= threshold`` (False when it is NaN).
        """
        return bool(self.disparate_impact >= self.threshold)

    @property
    def verdict(self) -> str:
        """The verdict over all groups, with the chosen confidence.

        Returns
        -------
        str
            "fails" if some group fails, "passes" if every group other than the reference
            passes, else "inconclusive".
        """
        others = [v for g, v in zip(self.groups, self.verdicts) if g != self.reference]
        if "fails" in others:
            return "fails"
        if others and all(v == "passes" for v in others):
            return "passes"
        return "inconclusive"

    def to_frame(self) -> Any:
        """One row per group with its counts, rate, ratio and difference with their intervals, and verdict.

        Returns
        -------
        pandas DataFrame
            Columns ``group``, ``rows``, ``selected``, [`selection_rate`][assay.fairness.selection_rate], ``rate_low``,
            ``rate_high``, ``ratio``, ``ratio_low``, ``ratio_high``, ``difference``,
            ``difference_low``, ``difference_high``, ``verdict``, ``small``.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "group": self.groups,
                "rows": self.rows,
                "selected": self.selected,
                "selection_rate": self.rate,
                "rate_low": self.rate_low,
                "rate_high": self.rate_high,
                "ratio": self.ratio,
                "ratio_low": self.ratio_low,
                "ratio_high": self.ratio_high,
                "difference": self.difference,
                "difference_low": self.difference_low,
                "difference_high": self.difference_high,
                "verdict": self.verdicts,
                "small": self.small,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dictionary (NaN and infinities as None).

        Returns
        -------
        dict
            ``reference``, ``threshold``, ``confidence``, ``min_support``, ``verdict``,
            ``disparate_impact`` and ``groups``: per group its rows, selections, rate, ratio
            and difference with their intervals, verdict and small flag.
        """
        return json_safe(
            {
                "reference": json_label(self.reference),
                "threshold": self.threshold,
                "confidence": self.confidence,
                "min_support": self.min_support,
                "verdict": self.verdict,
                "disparate_impact": self.disparate_impact,
                "groups": [
                    {
                        "group": json_label(g),
                        "rows": int(n),
                        "selected": int(s),
                        "selection_rate": r,
                        "rate_interval": [lo, hi],
                        "ratio": q,
                        "ratio_interval": [qlo, qhi],
                        "difference": d,
                        "difference_interval": [dlo, dhi],
                        "verdict": v,
                        "small": bool(sm),
                    }
                    for g, n, s, r, lo, hi, q, qlo, qhi, d, dlo, dhi, v, sm in zip(
                        self.groups,
                        self.rows,
                        self.selected,
                        self.rate.tolist(),
                        self.rate_low.tolist(),
                        self.rate_high.tolist(),
                        self.ratio.tolist(),
                        self.ratio_low.tolist(),
                        self.ratio_high.tolist(),
                        self.difference.tolist(),
                        self.difference_low.tolist(),
                        self.difference_high.tolist(),
                        self.verdicts,
                        self.small,
                    )
                ],
            }
        )

    _kind = "FourFifths"
    _title = "assay four-fifths rule"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> FourFifths:
        rows = data["groups"]

        def numbers(key: str, index: int | None = None) -> np.ndarray:
            return np.array([nan_if_none(r[key] if index is None else r[key][index]) for r in rows], dtype=np.float64)

        return cls(
            groups=[_label_from_json(r["group"]) for r in rows],
            rows=np.array([int(r["rows"]) for r in rows], dtype=np.int64),
            selected=np.array([int(r["selected"]) for r in rows], dtype=np.int64),
            rate=numbers("selection_rate"),
            rate_low=numbers("rate_interval", 0),
            rate_high=numbers("rate_interval", 1),
            ratio=numbers("ratio"),
            ratio_low=numbers("ratio_interval", 0),
            ratio_high=numbers("ratio_interval", 1),
            difference=numbers("difference"),
            difference_low=numbers("difference_interval", 0),
            difference_high=numbers("difference_interval", 1),
            verdicts=[str(r["verdict"]) for r in rows],
            small=np.array([bool(r["small"]) for r in rows], dtype=bool),
            reference=_label_from_json(data["reference"]),
            threshold=float(data["threshold"]),
            confidence=float(data["confidence"]),
            min_support=int(data["min_support"]),
        )

    def _tiles(self) -> list[report.Tile]:
        return four_fifths_tiles(self)

    def _sections(self) -> list[report.Section]:
        return four_fifths_sections(self)


def _label_from_json(label: Any) -> Any:
    """A group label from JSON: a tuple of levels (several features) comes back from a list."""
    return tuple(label) if isinstance(label, list) else label


def _same_label(group: Any, reference: Any) -> bool:
    try:
        return bool(group == reference)
    except (TypeError, ValueError):
        return False


def four_fifths_from_counts(
    groups: list[Any],
    rows: np.ndarray,
    selected: np.ndarray,
    reference: Any,
    threshold: float,
    confidence: float,
    min_support: int,
) -> FourFifths:
    """The four-fifths rule from each group's rows and selections (see [`four_fifths`][assay.fairness.four_fifths])."""
    rows = rows.astype(np.float64)
    selected = selected.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = selected / rows
    z = z_value(confidence)
    rate_low, rate_high = _core_fair.wilson(np.ascontiguousarray(selected), np.ascontiguousarray(rows), z)
    if reference is None:
        # The highest rate among groups with enough support (all groups if none has).
        supported = rows >= min_support if (rows >= min_support).any() else rows > 0
        candidates = np.where(np.isnan(rate) | ~supported, -np.inf, rate)
        ref = int(np.argmax(candidates))
    else:
        if np.ndim(reference) != 0 and not isinstance(reference, tuple):
            raise InvalidInputError(f"reference: expected one group label, got {type(reference).__name__}")
        matches = [i for i, g in enumerate(groups) if _same_label(g, reference)]
        if not matches:
            raise InvalidInputError(f"reference: {reference!r} is not one of the groups {groups}")
        ref = matches[0]
    if not selected[ref] > 0:
        warnings.warn(
            f"four_fifths: the reference group {groups[ref]!r} has no selections (y_pred == pos_label never "
            "holds there), so the selection-rate ratios to it are undefined (NaN or inf) and no verdict "
            "can pass",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    ref_x = np.full(len(groups), selected[ref])
    ref_n = np.full(len(groups), rows[ref])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = rate / rate[ref]
    x1, n1, x2, n2 = (np.ascontiguousarray(a) for a in (selected, rows, ref_x, ref_n))
    ratio_low, ratio_high = _core_fair.katz(x1, n1, x2, n2, z)
    difference = rate - rate[ref]
    difference_low, difference_high = _core_fair.newcombe(x1, n1, x2, n2, z)
    verdicts = []
    for i in range(len(groups)):
        if i == ref:
            verdicts.append("reference")
        elif ratio_high[i] < threshold:
            verdicts.append("fails")
        elif ratio_low[i] >= threshold:
            verdicts.append("passes")
        elif selected[i] == 0 and rows[i] > 0 and rows[ref] > 0 and selected[ref] > 0:
            # Katz is undefined at zero selections; an empty selection is adverse when the
            # Wilson upper bound of the rate is below threshold x reference rate.
            verdicts.append("fails" if rate_high[i] < threshold * rate[ref] else "inconclusive")
        else:
            verdicts.append("inconclusive")
    return FourFifths(
        groups,
        rows.astype(np.int64),
        selected.astype(np.int64),
        rate,
        rate_low,
        rate_high,
        ratio,
        ratio_low,
        ratio_high,
        difference,
        difference_low,
        difference_high,
        verdicts,
        rows < min_support,
        groups[ref],
        float(threshold),
        confidence,
        int(min_support),
    )


def four_fifths(
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    pos_label: Any = 1,
    reference: Any = None,
    threshold: float = 0.8,
    confidence: float = 0.95,
    min_support: int = 30,
    n_jobs: NJobs = None,
) -> FourFifths:
    """The four-fifths rule of adverse impact, with intervals and a verdict that holds with the chosen confidence.

    Each observed group's selection rate is compared with the reference group's (default:
    the highest rate among groups with at least ``min_support`` rows), with Wilson
    intervals for the rates, Katz intervals for the ratios and Newcombe intervals for the
    differences. Unweighted: the intervals are for row counts.

    Parameters
    ----------
    y_pred : ArrayLike
        Predicted labels (the decisions), one per row.
    sensitive_features : ArrayLike or TableLike
        The groups: one feature or several (their observed intersections), as in
        [`MetricFrame`][assay.fairness.MetricFrame].
    pos_label : label, default 1
        The label that counts as selected.
    reference : label, optional
        The reference group's label (a tuple of levels for several features). Default: the
        highest rate among groups with at least ``min_support`` rows (all groups if none has).
    threshold : float, default 0.8
        The ratio under which a group has adverse impact, in (0, 1].
    confidence : float, default 0.95
        The confidence of the intervals, strictly between 0 and 1.
    min_support : int, default 30
        Groups with fewer rows are not chosen as the default reference and are flagged
        ``small``.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    FourFifths
        Per group the rate, ratio and difference with their intervals and verdicts, and
        the overall ``verdict``.

    Raises
    ------
    InvalidInputError
        No rows, a missing sensitive value, NaN labels, ``threshold``, ``confidence`` or
        ``min_support`` out of range, or a ``reference`` that is not one group label.
    InvalidTypeError
        A sensitive feature of an unsupported type.

    Warns
    -----
    UndefinedMetricWarning
        The reference group has no selections, so the ratios to it are undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.fairness import four_fifths
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(["a", "b"], 200)
    >>> y_pred = (rng.random(400) < np.where(group == "a", 0.5, 0.3)).astype(int)
    >>> result = four_fifths(y_pred, sensitive_features=group)
    >>> result.reference, result.verdict, round(result.disparate_impact, 3)
    ('a', 'fails', 0.591)
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not 0 < threshold <= 1:
        raise InvalidInputError(f"threshold must lie in (0, 1], got {threshold!r}")
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 0:
        raise InvalidInputError(f"min_support must be a non-negative integer, got {min_support!r}")
    groups, evaluation, labels = observed_groups(y_pred, y_pred, sensitive_features, n_jobs)
    selected = as_indicator(evaluation.y_pred, pos_label, "y_pred")
    stats = _core_fair.accumulate_confusion(
        groups.row_group, groups.n_groups, selected, selected, 2, None, evaluation.n_jobs
    )
    counts = stats.counts
    return four_fifths_from_counts(
        labels, groups.group_rows, counts[:, 1, 1], reference, threshold, confidence, min_support
    )


def disparate_impact_ratio(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike | TableLike,
    reference: Any = None,
    pos_label: Any = 1,
    n_jobs: NJobs = None,
) -> float:
    """The smallest ratio of a group's selection rate to the reference group's (AIF360's disparate impact).

    With the default reference, the group with the highest rate (among groups with at least 30
    rows), this is [`demographic_parity_ratio`][assay.fairness.demographic_parity_ratio].
    ``y_true`` is ignored, as in fairlearn's ``selection_rate``.

    Parameters
    ----------
    y_true : ArrayLike or None
        Ignored (kept for the signature of the other disparity functions).
    y_pred : ArrayLike
        Predicted labels (the decisions), one per row.
    sensitive_features : ArrayLike or TableLike
        The groups, as in [`MetricFrame`][assay.fairness.MetricFrame].
    reference : label, optional
        The reference group's label; default: the highest rate.
    pos_label : label, default 1
        The label that counts as selected.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.

    Returns
    -------
    float
        The smallest defined ratio; NaN when none is defined.

    Raises
    ------
    InvalidInputError
        No rows, a missing sensitive value, NaN labels, or a ``reference`` that is not one
        group label.

    Examples
    --------
    >>> from assay.fairness import disparate_impact_ratio
    >>> disparate_impact_ratio(None, [1, 1, 0, 0, 1, 0, 0, 0], sensitive_features=list("aaaabbbb"))
    0.5
    """
    return four_fifths(
        y_pred, sensitive_features=sensitive_features, pos_label=pos_label, reference=reference, n_jobs=n_jobs
    ).disparate_impact
