"""Uncertainty for assay.fairness: bootstrap intervals of a MetricFrame (drawn in C++)
and analytic intervals with a confidence-aware four-fifths verdict."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._progress import progress_callback
from ._util import json_safe

if TYPE_CHECKING:
    from .fairness import MetricFrame

_core_fair = _core.fairness
AGGREGATE_KEYS = (
    "group_min",
    "group_max",
    "difference_between_groups",
    "difference_to_overall",
    "ratio_between_groups",
    "ratio_to_overall",
)


def seed_from(random_state: Any) -> int:
    """A 64-bit seed from fairlearn's random_state (int, RandomState or None)."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy) & (2**64 - 1)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}")
        return int(random_state)
    raise TypeError(f"random_state must be an int, a numpy RandomState or None, got {type(random_state).__name__}")


class Bootstrap:
    """Replicate values of every built-in metric of a MetricFrame and their quantiles."""

    def __init__(self, frame: "MetricFrame", replicates: dict[str, dict[str, np.ndarray]], scheme: str):
        self.frame = frame
        self.replicates = replicates  # metric -> {"by_group": (B, G), "overall": (B, C), aggregate: (B, C)}
        self.scheme = scheme

    def quantiles(self, key: str) -> list:
        quantiles = self.frame.ci_quantiles
        per_metric = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups give NaN, as intended
            for name, values in self.replicates.items():
                # fairlearn: NaN-skipping quantiles for by_group, plain ones (a NaN
                # replicate makes the bound NaN) for everything else.
                if key == "by_group":
                    per_metric[name] = np.nanquantile(values["by_group"], quantiles, axis=0)
                else:
                    per_metric[name] = np.quantile(values[key], quantiles, axis=0)
        results = []
        for i in range(len(quantiles)):
            columns = {name: q[i] for name, q in per_metric.items()}
            results.append(self.frame._shape_groups(columns) if key == "by_group" else self.frame._per_level(columns))
        return results


def bootstrap_metric_frame(frame: "MetricFrame", user_metrics: list, n_boot: int, random_state: Any, n_jobs: int,
                           progress: Any) -> Bootstrap:
    """Bootstrap replicates of every metric of the frame.

    Unweighted classification metrics alone use the multinomial count bootstrap (a
    replicate costs O(groups x classes^2)). Anything weighted, regression, score
    metrics (ROC-AUC, ECE) or user-defined callables use the Poisson row bootstrap, for
    every metric of the frame: replicate b's row multiplicities are drawn in C++ from
    (seed, b), so the k-th replicate of every metric (and of `overall`) comes from the
    same resampled rows, whatever n_jobs. User callables are then called once per
    replicate and group on that replicate's rows (a Python call each, as fairlearn's
    bootstrap makes); built-in metrics never leave C++.
    """
    evaluation = frame._evaluation
    groups = frame._groups
    seed = seed_from(random_state)
    specs = frame._builtin_specs
    weighted = any(weights is not None for _, _, weights, _ in specs.values())
    regression = any(
        builtin.rule == "regression" and not _prediction_mean_of_labels(builtin, evaluation) for builtin, _, _, _ in specs.values()
    )
    scores = any(builtin.rule == "score" for builtin, _, _, _ in specs.values())
    scheme = "poisson" if weighted or regression or scores or user_metrics else "multinomial"
    callback = progress_callback(progress, "bootstrap")
    boot_confusion: dict[int, Any] = {}
    boot_regression: dict[int, Any] = {}

    def confusion(weights: np.ndarray | None) -> Any:
        key = 0 if weights is None else id(weights)
        if key not in boot_confusion:
            if scheme == "multinomial":
                boot_confusion[key] = _core_fair.bootstrap_counts(evaluation.confusion(None), n_boot, seed, n_jobs, callback)
            else:
                classes = evaluation.classes
                boot_confusion[key] = _core_fair.bootstrap_rows_confusion(
                    groups.row_group, groups.n_groups, classes.y_true, classes.y_pred, len(classes.labels),
                    weights, n_boot, seed, n_jobs, callback,
                )
        return boot_confusion[key]

    def regression_stats(weights: np.ndarray | None, needs_true: bool) -> Any:
        key = 0 if weights is None else id(weights)
        if key not in boot_regression:
            y_true, y_pred = evaluation.regression_inputs(needs_true)
            boot_regression[key] = _core_fair.bootstrap_rows_regression(
                groups.row_group, groups.n_groups, y_true, y_pred, weights, n_boot, seed, n_jobs, callback
            )
        return boot_regression[key]

    n_groups, n_levels = groups.n_groups, groups.n_control
    # Replicate b's group g is b * n_groups + g; its control level is b * n_levels + level.
    replicate_level = (np.arange(n_boot, dtype=np.int64)[:, None] * n_levels + groups.group_control[None, :]).ravel()
    target = replicate_level.astype(np.int32)
    kept = np.tile(frame._keep_groups(), n_boot)
    aggregate_control = np.where(kept, target, -1).astype(np.int32)

    def entry(values: np.ndarray, overall: np.ndarray) -> dict[str, np.ndarray]:
        values, overall = np.ascontiguousarray(values.ravel()), np.ascontiguousarray(overall.ravel())
        aggregates = _core_fair.aggregate(values, aggregate_control, n_boot * n_levels, overall)
        return {
            "by_group": values.reshape(n_boot, n_groups),
            "overall": overall.reshape(n_boot, n_levels),
            **{key: aggregates[key].reshape(n_boot, n_levels) for key in AGGREGATE_KEYS},
        }

    convention = evaluation.convention
    replicates: dict[str, dict[str, np.ndarray]] = {}
    for name, (builtin, _, weights, positive) in specs.items():
        if builtin.rule == "score":
            values, overall = _core_fair.bootstrap_scores(
                builtin.core, groups.row_group, n_groups, groups.group_control, n_levels,
                _numeric_scores(evaluation), evaluation.score_labels(), weights, 10, n_boot, seed, n_jobs, callback,
            )
        elif scheme == "multinomial" and builtin.rule == "regression":
            # The mean of label-valued predictions is a function of the class counts.
            stats = confusion(None)
            labels = evaluation.classes.labels.astype(np.float64)
            predicted = stats.counts.sum(axis=1)  # (groups, classes): rows per predicted class
            values = _mean_label(predicted, labels)
            overall = _mean_label(stats.sum_groups(target, n_boot * n_levels).counts.sum(axis=1), labels)
        elif builtin.rule == "regression":
            stats = regression_stats(weights, builtin.core != "mean_prediction")
            values, _ = _core_fair.regression_metric(stats, builtin.core, convention)
            overall, _ = _core_fair.regression_metric(stats.sum_groups(target, n_boot * n_levels), builtin.core, convention)
        else:
            stats = confusion(None if builtin.rule == "count" else weights)
            total = stats.sum_groups(target, n_boot * n_levels)
            if builtin.rule == "count":
                values = stats.counts.reshape(stats.n_groups, -1).sum(axis=1).astype(np.float64)
                values[values == 0] = np.nan
                overall = total.counts.reshape(total.n_groups, -1).sum(axis=1).astype(np.float64)
                overall[overall == 0] = np.nan
            else:
                values, _ = _core_fair.classification_metric(stats, builtin.core, positive, convention)
                overall, _ = _core_fair.classification_metric(total, builtin.core, positive, convention)
        replicates[name] = entry(values, overall)
    if user_metrics:
        for name, (values, overall) in _user_replicates(frame, user_metrics, n_boot, seed, callback).items():
            replicates[name] = entry(values, overall)
    ordered = {r.name: replicates[r.name] for r in frame._results}
    return Bootstrap(frame, ordered, scheme)


def _numeric_scores(evaluation: Any) -> np.ndarray:
    from .fairness import _numeric

    return _numeric(evaluation.y_pred, "y_pred")


def _user_replicates(frame: "MetricFrame", user_metrics: list, n_boot: int, seed: int,
                     callback: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Replicate values of user-defined callables: per replicate, the resampled rows
    (drawn in C++, grouped) are gathered once per column, and each callable is called
    on the contiguous slice of every group and control level."""
    groups = frame._groups
    evaluation = frame._evaluation
    order, offsets = groups.order()
    n_rows = len(evaluation.y_true)
    # Groups of a control level are consecutive (control features lead the group key).
    first_group = np.searchsorted(groups.group_control, np.arange(groups.n_control + 1)).astype(np.int64)
    results = {name: (np.full((n_boot, groups.n_groups), np.nan), np.full((n_boot, groups.n_control), np.nan))
               for name, _, _ in user_metrics}
    for b in range(n_boot):
        rows, group_start = _core_fair.resample_grouped_rows(order, offsets, n_rows, seed, b)
        level_start = group_start[first_group]
        y_t, y_p = evaluation.y_true[rows], evaluation.y_pred[rows]
        for name, metric, params in user_metrics:
            values, overall = results[name]
            sliced = {key: np.asarray(value)[rows] for key, value in params.items()}

            def call(start: int, stop: int, where: str) -> float:
                try:
                    return metric(y_t[start:stop], y_p[start:stop], **{k: v[start:stop] for k, v in sliced.items()})
                except Exception as error:
                    error.add_note(f"assay: raised by metric '{name}' on {where} of bootstrap replicate {b}")
                    raise

            for g in np.nonzero(np.diff(group_start))[0].tolist():
                values[b, g] = call(group_start[g], group_start[g + 1], f"group {g}")
            for k in np.nonzero(np.diff(level_start))[0].tolist():
                overall[b, k] = call(level_start[k], level_start[k + 1], "the overall rows")
        if callback is not None:
            callback(b + 1, n_boot)
    return results


def _prediction_mean_of_labels(builtin: Any, evaluation: Any) -> bool:
    """True for mean_prediction of numeric class labels (at most MAX_CLASSES values)."""
    if builtin.core != "mean_prediction" or evaluation.y_pred.dtype.kind not in "biuf":
        return False
    try:
        return evaluation.classes.labels.dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _mean_label(predicted: np.ndarray, labels: np.ndarray) -> np.ndarray:
    rows = predicted.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(rows > 0, (predicted @ labels) / np.where(rows > 0, rows, 1), np.nan)


# --- analytic intervals and the four-fifths rule --------------------------------------------


def z_value(confidence: float) -> float:
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float strictly between 0 and 1, got {confidence!r}")
    return _core_fair.normal_quantile(0.5 + confidence / 2)


def wilson_interval(successes: Any, trials: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions successes / trials (arrays); NaN where trials = 0."""
    x = np.ascontiguousarray(successes, dtype=np.float64)
    n = np.ascontiguousarray(trials, dtype=np.float64)
    return _core_fair.wilson(x, n, z_value(confidence))


def newcombe_interval(x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for p1 - p2."""
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (x1, n1, x2, n2)]
    return _core_fair.newcombe(*arrays, z_value(confidence))


def katz_interval(x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Katz's log interval for p1 / p2; NaN where x1 = 0 or x2 = 0."""
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (x1, n1, x2, n2)]
    return _core_fair.katz(*arrays, z_value(confidence))


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
                "group": self.groups, "rows": self.rows, "selected": self.selected, "selection_rate": self.rate,
                "rate_low": self.rate_low, "rate_high": self.rate_high, "ratio": self.ratio, "ratio_low": self.ratio_low,
                "ratio_high": self.ratio_high, "difference": self.difference, "difference_low": self.difference_low,
                "difference_high": self.difference_high, "verdict": self.verdicts, "small": self.small,
            }
        )

    def to_dict(self) -> dict:
        return json_safe(
            {
                "reference": self.reference, "threshold": self.threshold, "confidence": self.confidence,
                "min_support": self.min_support, "verdict": self.verdict, "disparate_impact": self.disparate_impact,
                "groups": [
                    {
                        "group": g, "rows": int(n), "selected": int(s), "selection_rate": r,
                        "rate_interval": [lo, hi], "ratio": q, "ratio_interval": [qlo, qhi],
                        "difference": d, "difference_interval": [dlo, dhi], "verdict": v, "small": bool(sm),
                    }
                    for g, n, s, r, lo, hi, q, qlo, qhi, d, dlo, dhi, v, sm in zip(
                        self.groups, self.rows, self.selected, self.rate.tolist(), self.rate_low.tolist(),
                        self.rate_high.tolist(), self.ratio.tolist(), self.ratio_low.tolist(), self.ratio_high.tolist(),
                        self.difference.tolist(), self.difference_low.tolist(), self.difference_high.tolist(),
                        self.verdicts, self.small,
                    )
                ],
            }
        )

    def _repr_html_(self) -> str:
        from ._fairness_html import four_fifths_html

        return four_fifths_html(self)


def four_fifths_from_counts(groups: list, rows: np.ndarray, selected: np.ndarray, reference: Any, threshold: float,
                            confidence: float, min_support: int) -> FourFifths:
    rows = rows.astype(np.float64)
    selected = selected.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = selected / rows
    rate_low, rate_high = wilson_interval(selected, rows, confidence)
    if reference is None:
        # The highest rate among groups with enough support (all groups if none has).
        supported = rows >= min_support if (rows >= min_support).any() else rows > 0
        candidates = np.where(np.isnan(rate) | ~supported, -np.inf, rate)
        ref = int(np.argmax(candidates))
    else:
        matches = [i for i, g in enumerate(groups) if g == reference]
        if not matches:
            raise ValueError(f"reference: {reference!r} is not one of the groups {groups}")
        ref = matches[0]
    ref_x = np.full(len(groups), selected[ref])
    ref_n = np.full(len(groups), rows[ref])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = rate / rate[ref]
    ratio_low, ratio_high = katz_interval(selected, rows, ref_x, ref_n, confidence)
    difference = rate - rate[ref]
    difference_low, difference_high = newcombe_interval(selected, rows, ref_x, ref_n, confidence)
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
        groups, rows.astype(np.int64), selected.astype(np.int64), rate, rate_low, rate_high, ratio, ratio_low,
        ratio_high, difference, difference_low, difference_high, verdicts, rows < min_support, groups[ref],
        float(threshold), confidence, int(min_support),
    )
