"""The four-fifths (80%) rule of adverse impact with intervals: each group's selection rate
against a reference group's, with Wilson, Katz and Newcombe intervals and a verdict that
holds with the chosen confidence."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .._util import json_safe
from ..errors import InvalidInputError
from ..warnings import UndefinedMetricWarning
from ._evaluation import observed_groups
from ._html import four_fifths_html
from ._inputs import as_indicator
from ._intervals import z_value

_core_fair = _core.fairness


@dataclass
class FourFifths:
    """The four-fifths (80%) rule with intervals, per group against a reference group.

    A group "fails" when the upper bound of the Katz interval of its selection-rate
    ratio to the reference is below ``threshold`` (adverse impact with the chosen
    confidence), "passes" when the lower bound is at or above it, and is
    "inconclusive" otherwise (or when the ratio interval is undefined). ``small``
    flags groups with fewer than ``min_support`` rows.
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
        """The smallest selection-rate ratio of a group to the reference."""
        finite = self.ratio[~np.isnan(self.ratio)]
        return float(finite.min()) if len(finite) else float("nan")

    @property
    def holds(self) -> bool:
        """The point estimate: every ratio is at least the threshold."""
        return bool(self.disparate_impact >= self.threshold)

    @property
    def verdict(self) -> str:
        """'fails' if some group fails with the chosen confidence, 'passes' if every
        other group passes, else 'inconclusive'."""
        others = [v for g, v in zip(self.groups, self.verdicts) if g != self.reference]
        if "fails" in others:
            return "fails"
        if others and all(v == "passes" for v in others):
            return "passes"
        return "inconclusive"

    def to_frame(self) -> Any:
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

    def to_dict(self) -> dict:
        return json_safe(
            {
                "reference": self.reference,
                "threshold": self.threshold,
                "confidence": self.confidence,
                "min_support": self.min_support,
                "verdict": self.verdict,
                "disparate_impact": self.disparate_impact,
                "groups": [
                    {
                        "group": g,
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

    def _repr_html_(self) -> str:
        return four_fifths_html(self)


def _same_label(group: Any, reference: Any) -> bool:
    try:
        return bool(group == reference)
    except (TypeError, ValueError):
        return False


def four_fifths_from_counts(
    groups: list,
    rows: np.ndarray,
    selected: np.ndarray,
    reference: Any,
    threshold: float,
    confidence: float,
    min_support: int,
) -> FourFifths:
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
    counts = [np.ascontiguousarray(a) for a in (selected, rows, ref_x, ref_n)]
    ratio_low, ratio_high = _core_fair.katz(*counts, z)
    difference = rate - rate[ref]
    difference_low, difference_high = _core_fair.newcombe(*counts, z)
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
    y_pred: Any,
    *,
    sensitive_features: Any,
    pos_label: Any = 1,
    reference: Any = None,
    threshold: float = 0.8,
    confidence: float = 0.95,
    min_support: int = 30,
    n_jobs: int | None = None,
) -> FourFifths:
    """The four-fifths rule: each group's selection rate against the reference group's
    (default: the highest rate among groups with at least min_support rows), with Wilson intervals
    for the rates, Katz intervals for the ratios and Newcombe intervals for the differences, and a verdict that says
    whether adverse impact holds with the chosen confidence. Unweighted (the intervals
    are for row counts)."""
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
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    reference: Any = None,
    pos_label: Any = 1,
    n_jobs: int | None = None,
) -> float:
    """The smallest ratio of a group's selection rate to the reference group's (default:
    the group with the highest rate, which makes it demographic_parity_ratio). y_true is
    ignored, as in fairlearn's selection_rate."""
    return four_fifths(
        y_pred, sensitive_features=sensitive_features, pos_label=pos_label, reference=reference, n_jobs=n_jobs
    ).disparate_impact
