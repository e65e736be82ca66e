"""Uncertainty for assay.fairness: bootstrap intervals of a MetricFrame (drawn in C++)
and analytic intervals with a confidence-aware four-fifths verdict."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._fairness_checks import INT32_MAX, seed_from
from ._progress import progress_callback
from ._util import json_safe, require_fits
from .errors import InvalidInputError, InvalidTypeError
from .warnings import UndefinedMetricWarning

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


class Bootstrap:
    """Replicate values of every built-in metric of a MetricFrame and their quantiles."""

    def __init__(self, frame: MetricFrame, replicates: dict[str, dict[str, np.ndarray]], scheme: str):
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


# Replicates are computed in blocks whose working memory (replicate statistics, their
# sums per control level, metric values) stays near this many bytes; replicate b always
# draws from (seed, b), so the values do not depend on the block size (nor on n_jobs).
BLOCK_BYTES = 64 << 20


def bootstrap_metric_frame(
    frame: MetricFrame,
    user_metrics: list,
    n_boot: int,
    random_state: Any,
    n_jobs: int,
    progress: Any,
    block_bytes: int | None = None,
) -> Bootstrap:
    """Bootstrap replicates of every metric of the frame.

    Unweighted classification metrics alone use the multinomial count bootstrap (a
    replicate costs O(groups x classes^2)). Anything weighted, regression, score
    metrics (ROC-AUC, ECE) or user-defined callables use the Poisson row bootstrap, for
    every metric of the frame: replicate b's row multiplicities are drawn in C++ from
    (seed, b), so the k-th replicate of every metric (and of `overall`) comes from the
    same resampled rows, whatever n_jobs. User callables are then called once per
    replicate and group on that replicate's rows (a Python call each, as fairlearn's
    bootstrap makes); built-in metrics never leave C++.

    Replicates are streamed in blocks: only the replicate values of the result
    (n_boot x (groups + 7 levels) doubles per metric) are kept, never the statistics of
    every replicate at once. The size of the result is checked against the memory limit
    before anything is drawn (ResourceLimitError naming n_boot), and the progress
    callback (and Ctrl-C) is consulted after every replicate and every block.
    """
    evaluation = frame._evaluation
    groups = frame._groups
    seed = seed_from(random_state)
    specs = frame._builtin_specs
    weighted = any(weights is not None for _, _, weights, _ in specs.values())
    regression = any(
        builtin.rule == "regression" and not _prediction_mean_of_labels(builtin, evaluation)
        for builtin, _, _, _ in specs.values()
    )
    scores = any(builtin.rule == "score" for builtin, _, _, _ in specs.values())
    scheme = "poisson" if weighted or regression or scores or user_metrics else "multinomial"
    callback = progress_callback(progress, "bootstrap")
    n_groups, n_levels = groups.n_groups, groups.n_control
    n_metrics = len(frame._results)
    classification = (
        any(b.rule not in ("regression", "score") for b, _, _, _ in specs.values()) or scheme == "multinomial"
    )
    n_classes = len(evaluation.classes.labels) if classification and specs else 1
    # Kept for the result: per metric, by_group, overall and six aggregates per replicate;
    # the quantiles then copy one metric's replicates.
    result_bytes = 8 * n_boot * (n_metrics * (n_groups + 7 * n_levels) + n_groups)
    result_bytes += 8 * n_boot * len(user_metrics) * (n_groups + n_levels)  # user callables' values, gathered first
    # Working memory per replicate of a block: confusion counts and weights of the groups
    # and of their control-level sums (16 bytes a cell), regression sums, metric values.
    per_replicate = 16 * (n_groups + n_levels) * (n_classes * n_classes + 8) + 64 * (n_groups + n_levels)
    budget = BLOCK_BYTES if block_bytes is None else block_bytes
    block = max(1, min(n_boot, budget // per_replicate, INT32_MAX // max(n_groups, 1), INT32_MAX // max(n_levels, 1)))
    require_fits(
        "n_boot",
        result_bytes + block * per_replicate,
        f"bootstrap replicates ({n_boot} replicates x {n_groups} groups x {n_metrics} metrics)",
    )

    kept = frame._aggregate_control() >= 0
    convention = evaluation.convention
    replicates: dict[str, dict[str, np.ndarray]] = {
        r.name: {
            "by_group": np.empty((n_boot, n_groups)),
            "overall": np.empty((n_boot, n_levels)),
            **{key: np.empty((n_boot, n_levels)) for key in AGGREGATE_KEYS},
        }
        for r in frame._results
    }

    def store(name: str, first: int, count: int, values: np.ndarray, overall: np.ndarray) -> None:
        values, overall = (
            np.ascontiguousarray(values.ravel(), dtype=np.float64),
            np.ascontiguousarray(overall.ravel(), dtype=np.float64),
        )
        target = (np.arange(count, dtype=np.int64)[:, None] * n_levels + groups.group_control[None, :]).ravel()
        control = np.where(np.tile(kept, count), target, -1).astype(np.int32)
        aggregates = _core_fair.aggregate(values, control, count * n_levels, overall, _core_fair.Convention[convention])
        out = replicates[name]
        out["by_group"][first : first + count] = values.reshape(count, n_groups)
        out["overall"][first : first + count] = overall.reshape(count, n_levels)
        for key in AGGREGATE_KEYS:
            out[key][first : first + count] = aggregates[key].reshape(count, n_levels)

    for first in range(0, n_boot, block):
        count = min(block, n_boot - first)
        block_callback = None if callback is None else _offset_callback(callback, first, n_boot)
        _bootstrap_block(frame, specs, scheme, first, count, seed, n_jobs, block_callback, convention, store)
    if user_metrics:
        for name, (values, overall) in _user_replicates(frame, user_metrics, n_boot, seed, callback).items():
            for first in range(0, n_boot, block):
                count = min(block, n_boot - first)
                store(name, first, count, values[first : first + count], overall[first : first + count])
    return Bootstrap(frame, replicates, scheme)


def _offset_callback(callback: Any, first: int, n_boot: int) -> Any:
    """The progress callback of a block, reporting replicates done over the whole run."""

    def report(done: int, total: int) -> None:
        callback(first + done, n_boot)

    return report


def _bootstrap_block(
    frame: MetricFrame,
    specs: dict,
    scheme: str,
    first: int,
    count: int,
    seed: int,
    n_jobs: int,
    callback: Any,
    convention: str,
    store: Any,
) -> None:
    """Replicates first .. first + count - 1 of every built-in metric, handed to store."""
    evaluation = frame._evaluation
    groups = frame._groups
    n_groups, n_levels = groups.n_groups, groups.n_control
    boot_confusion: dict[int, Any] = {}
    boot_regression: dict[int, Any] = {}

    def confusion(weights: np.ndarray | None) -> Any:
        key = 0 if weights is None else id(weights)
        if key not in boot_confusion:
            if scheme == "multinomial":
                boot_confusion[key] = _core_fair.bootstrap_counts(
                    evaluation.confusion(None), count, seed, n_jobs, callback, first
                )
            else:
                classes = evaluation.classes
                boot_confusion[key] = _core_fair.bootstrap_rows_confusion(
                    groups.row_group,
                    groups.n_groups,
                    classes.y_true,
                    classes.y_pred,
                    len(classes.labels),
                    weights,
                    count,
                    seed,
                    n_jobs,
                    callback,
                    first,
                )
        return boot_confusion[key]

    def regression_stats(weights: np.ndarray | None, needs_true: bool) -> Any:
        key = 0 if weights is None else id(weights)
        if key not in boot_regression:
            y_true, y_pred = evaluation.regression_inputs(needs_true)
            boot_regression[key] = _core_fair.bootstrap_rows_regression(
                groups.row_group, groups.n_groups, y_true, y_pred, weights, count, seed, n_jobs, callback, first
            )
        return boot_regression[key]

    # Replicate b's group g is b * n_groups + g; its control level is b * n_levels + level.
    target = (
        (np.arange(count, dtype=np.int64)[:, None] * n_levels + groups.group_control[None, :]).ravel().astype(np.int32)
    )
    for name, (builtin, _, weights, positive) in specs.items():
        if builtin.rule == "score":
            scores = (
                groups.row_group,
                n_groups,
                groups.group_control,
                n_levels,
                _numeric_scores(evaluation),
                evaluation.score_labels(),
                weights,
            )
            if builtin.core == "roc_auc":
                values, overall = _core_fair.bootstrap_roc_auc(*scores, count, seed, n_jobs, callback, first)
            else:  # the expected calibration error over 10 bins
                values, overall = _core_fair.bootstrap_calibration_error(
                    *scores, 10, count, seed, n_jobs, callback, first
                )
        elif scheme == "multinomial" and builtin.rule == "regression":
            # The mean of label-valued predictions is a function of the class counts.
            stats = confusion(None)
            labels = evaluation.classes.labels.astype(np.float64)
            predicted = stats.counts.sum(axis=1)  # (groups, classes): rows per predicted class
            values = _mean_label(predicted, labels)
            overall = _mean_label(stats.sum_groups(target, count * n_levels).counts.sum(axis=1), labels)
        elif builtin.rule == "regression":
            stats = regression_stats(weights, builtin.core != "mean_prediction")
            regression, how = _core_fair.RegressionMetric[builtin.core], _core_fair.Convention[convention]
            values, _ = _core_fair.regression_metric(stats, regression, how)
            overall, _ = _core_fair.regression_metric(stats.sum_groups(target, count * n_levels), regression, how)
            values, overall = (_unscale(v, builtin.core, evaluation.regression_exponent) for v in (values, overall))
        else:
            stats = confusion(None if builtin.rule == "count" else weights)
            total = stats.sum_groups(target, count * n_levels)
            if builtin.rule == "count":
                values = stats.counts.reshape(stats.n_groups, -1).sum(axis=1).astype(np.float64)
                values[values == 0] = np.nan
                overall = total.counts.reshape(total.n_groups, -1).sum(axis=1).astype(np.float64)
                overall[overall == 0] = np.nan
            else:
                classification, how = _core_fair.ClassificationMetric[builtin.core], _core_fair.Convention[convention]
                values, _ = _core_fair.classification_metric(stats, classification, positive, how)
                overall, _ = _core_fair.classification_metric(total, classification, positive, how)
        store(name, first, count, np.asarray(values), np.asarray(overall))


def _unscale(values: np.ndarray, core: str, exponent: int | None) -> np.ndarray:
    from .fairness import _unscale as unscale

    return unscale(values, core, exponent)


def _numeric_scores(evaluation: Any) -> np.ndarray:
    from .fairness import _numeric

    return _numeric(evaluation.y_pred, "y_pred")


def _user_replicates(
    frame: MetricFrame, user_metrics: list, n_boot: int, seed: int, callback: Any
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Replicate values of user-defined callables: per replicate, the resampled rows
    (drawn in C++, grouped) are gathered once per column, and each callable is called
    on the contiguous slice of every group and control level."""
    groups = frame._groups
    evaluation = frame._evaluation
    order, offsets = groups.order()
    n_rows = len(evaluation.y_true)
    # Groups of a control level are consecutive (control features lead the group key).
    first_group = np.searchsorted(groups.group_control, np.arange(groups.n_control + 1)).astype(np.int64)
    results = {
        name: (np.full((n_boot, groups.n_groups), np.nan), np.full((n_boot, groups.n_control), np.nan))
        for name, _, _ in user_metrics
    }
    for b in range(n_boot):
        rows, group_start = _core_fair.resample_grouped_rows(order, offsets, n_rows, seed, b)
        level_start = group_start[first_group]
        y_t, y_p = evaluation.y_true[rows], evaluation.y_pred[rows]
        for name, metric, params in user_metrics:
            values, overall = results[name]
            sliced = {key: np.asarray(value)[rows] for key, value in params.items()}
            replicate = (name, metric, b, y_t, y_p, sliced)
            for g in np.nonzero(np.diff(group_start))[0].tolist():
                values[b, g] = _call_on_slice(replicate, group_start[g], group_start[g + 1], f"group {g}")
            for k in np.nonzero(np.diff(level_start))[0].tolist():
                overall[b, k] = _call_on_slice(replicate, level_start[k], level_start[k + 1], "the overall rows")
        if callback is not None:
            callback(b + 1, n_boot)
    return results


def _call_on_slice(replicate: tuple, start: int, stop: int, where: str) -> float:
    """One user metric on rows start:stop of one bootstrap replicate (name, metric, index, y_true,
    y_pred, sliced parameters); an error says which metric, slice and replicate raised it."""
    name, metric, b, y_t, y_p, sliced = replicate
    try:
        return metric(y_t[start:stop], y_p[start:stop], **{k: v[start:stop] for k, v in sliced.items()})
    except Exception as error:
        error.add_note(f"assay: raised by metric '{name}' on {where} of bootstrap replicate {b}")
        raise


def _prediction_mean_of_labels(builtin: Any, evaluation: Any) -> bool:
    """True for mean_prediction of numeric class labels (at most MAX_CLASSES values)."""
    if builtin.core != "mean_prediction" or evaluation.y_pred.dtype.kind not in "biuf":
        return False
    try:
        return evaluation.classes.labels.dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _mean_label(predicted: np.ndarray, labels: np.ndarray) -> np.ndarray:
    from .fairness import _scale_exponent

    # Labels near the double range are scaled by a power of two (exact) so that the sums
    # cannot overflow, and the means scaled back.
    exponent = _scale_exponent(labels)
    rows = predicted.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(rows > 0, (predicted @ np.ldexp(labels, -exponent)) / np.where(rows > 0, rows, 1), np.nan)
    return np.ldexp(means, exponent)


# --- analytic intervals and the four-fifths rule --------------------------------------------


def z_value(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (float, np.floating)) or not 0 < confidence < 1:
        raise InvalidInputError(f"confidence must be a float strictly between 0 and 1, got {confidence!r}")
    return _core_fair.normal_quantile(0.5 + float(confidence) / 2)


def _count_arrays(arguments: dict[str, Any]) -> list[np.ndarray]:
    """The counts as broadcast 1-D float64 arrays (a scalar becomes one value). Types
    are checked here; values (finite, whole, non-negative, successes <= trials) in C++,
    whose errors name the argument."""
    arrays = []
    for name, values in arguments.items():
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise InvalidTypeError(f"{name}: expected counts (numbers), got dtype {array.dtype}")
        if array.ndim > 1:
            raise InvalidInputError(f"{name}: expected a number or a 1-D array of counts, got shape {array.shape}")
        arrays.append(np.atleast_1d(array).astype(np.float64))
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError as error:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(arguments, arrays))
        raise InvalidInputError(f"counts of different lengths: {shapes}") from error
    return [np.ascontiguousarray(a) for a in broadcast]


def _warn_undefined(undefined: np.ndarray, what: str) -> None:
    if undefined.any():
        warnings.warn(f"{int(undefined.sum())} interval(s) are NaN: {what}", UndefinedMetricWarning, stacklevel=3)


def wilson_interval(successes: Any, trials: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions successes / trials (numbers or 1-D arrays).

    Counts must be finite non-negative whole numbers with successes <= trials
    (InvalidInputError naming the argument otherwise). Where trials = 0 the proportion is
    undefined: the bounds are NaN and an UndefinedMetricWarning says so."""
    z = z_value(confidence)
    x, n = _count_arrays({"successes": successes, "trials": trials})
    low, high = _core_fair.wilson(x, n, z)
    _warn_undefined(n == 0, "no trials (trials = 0), so the proportion is undefined")
    return low, high


def newcombe_interval(x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for p1 - p2 (counts checked as wilson_interval's;
    NaN with an UndefinedMetricWarning where n1 = 0 or n2 = 0)."""
    z = z_value(confidence)
    arrays = _count_arrays({"x1": x1, "n1": n1, "x2": x2, "n2": n2})
    low, high = _core_fair.newcombe(arrays[0], arrays[1], arrays[2], arrays[3], z)
    _warn_undefined((arrays[1] == 0) | (arrays[3] == 0), "n1 = 0 or n2 = 0, so a proportion is undefined")
    return low, high


def katz_interval(x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Katz's log interval for p1 / p2 (counts checked as wilson_interval's); NaN with an
    UndefinedMetricWarning where x1 = 0 or x2 = 0 (the log ratio's variance divides by the
    counts)."""
    z = z_value(confidence)
    arrays = _count_arrays({"x1": x1, "n1": n1, "x2": x2, "n2": n2})
    low, high = _core_fair.katz(arrays[0], arrays[1], arrays[2], arrays[3], z)
    _warn_undefined((arrays[0] == 0) | (arrays[2] == 0), "x1 = 0 or x2 = 0, where the Katz interval is undefined")
    return low, high


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
        from ._fairness_html import four_fifths_html

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
