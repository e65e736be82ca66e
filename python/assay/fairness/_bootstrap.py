"""Bootstrap intervals of a MetricFrame's metrics: replicates drawn in the core (the
multinomial count bootstrap or the Poisson row bootstrap), streamed in blocks, with the
aggregates of every replicate."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .. import _core
from .._progress import progress_callback
from .._util import require_fits
from ._checks import INT32_MAX, seed_from
from ._evaluation import Builtin, BuiltinSpec, Evaluation, UserMetric, scale_exponent, unscale
from ._groups import Groups
from ._inputs import as_numeric

_core_fair = _core.fairness
# Receives replicates of one metric: (name, first replicate, count, values per group, overall per control level).
_Store = Callable[[str, int, int, np.ndarray, np.ndarray], None]
AGGREGATE_KEYS = (
    "group_min",
    "group_max",
    "difference_between_groups",
    "difference_to_overall",
    "ratio_between_groups",
    "ratio_to_overall",
)


class Bootstrap:
    """Replicate values of every metric of a MetricFrame and their quantiles."""

    def __init__(self, replicates: dict[str, dict[str, np.ndarray]], scheme: str) -> None:
        self.replicates = replicates  # metric -> {"by_group": (B, G), "overall": (B, C), aggregate: (B, C)}
        self.scheme = scheme  # "multinomial" or "poisson"

    def quantiles(self, key: str, quantiles: Sequence[float]) -> list[dict[str, np.ndarray]]:
        """Per quantile: each metric's quantile of ``key`` ("by_group", "overall" or an
        aggregate) over the replicates, per group or per control level."""
        per_metric: dict[str, np.ndarray] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups give NaN, as intended
            for name, values in self.replicates.items():
                # fairlearn: NaN-skipping quantiles for by_group, plain ones (a NaN
                # replicate makes the bound NaN) for everything else.
                if key == "by_group":
                    per_metric[name] = np.nanquantile(values["by_group"], quantiles, axis=0)
                else:
                    per_metric[name] = np.quantile(values[key], quantiles, axis=0)
        return [{name: q[i] for name, q in per_metric.items()} for i in range(len(quantiles))]


class StoredQuantiles:
    """The quantiles of a MetricFrame's replicates as ``to_json`` writes them: what a frame
    read from JSON has in place of the replicates (the same ``quantiles`` answers, for the
    frame's own ``ci_quantiles``)."""

    def __init__(self, values: dict[str, dict[str, list[np.ndarray]]]) -> None:
        self.values = values  # metric -> key ("by_group", "overall", aggregate) -> one array per quantile

    def quantiles(self, key: str, quantiles: Sequence[float]) -> list[dict[str, np.ndarray]]:
        """Per quantile: each metric's stored quantile of ``key``."""
        return [{name: per_key[key][i] for name, per_key in self.values.items()} for i in range(len(quantiles))]


# Replicates are computed in blocks whose working memory (replicate statistics, their
# sums per control level, metric values) stays near this many bytes; replicate b always
# draws from (seed, b), so the values do not depend on the block size (nor on n_jobs).
BLOCK_BYTES = 64 << 20


def bootstrap_metric_frame(
    groups: Groups,
    evaluation: Evaluation,
    names: Sequence[str],
    specs: dict[str, BuiltinSpec],
    user_metrics: Sequence[UserMetric],
    aggregate_control: np.ndarray,
    n_boot: int,
    random_state: Any,
    n_jobs: int,
    progress: Any,
    block_bytes: int | None = None,
) -> Bootstrap:
    """Bootstrap replicates of every metric of a MetricFrame: ``names`` in order, the
    built-in ones in ``specs``, the callables in ``user_metrics``; ``aggregate_control`` is
    the control level of each group the aggregates compare (-1 for the others).

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
    seed = seed_from(random_state)
    weighted = any(weights is not None for _, _, weights, _ in specs.values())
    regression = any(
        builtin.rule == "regression" and not _prediction_mean_of_labels(builtin, evaluation)
        for builtin, _, _, _ in specs.values()
    )
    scores = any(builtin.rule == "score" for builtin, _, _, _ in specs.values())
    scheme = "poisson" if weighted or regression or scores or user_metrics else "multinomial"
    callback = progress_callback(progress, "bootstrap")
    n_groups, n_levels = groups.n_groups, groups.n_control
    n_metrics = len(names)
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

    kept = aggregate_control >= 0
    convention = evaluation.convention
    replicates: dict[str, dict[str, np.ndarray]] = {
        name: {
            "by_group": np.empty((n_boot, n_groups)),
            "overall": np.empty((n_boot, n_levels)),
            **{key: np.empty((n_boot, n_levels)) for key in AGGREGATE_KEYS},
        }
        for name in names
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
        _bootstrap_block(groups, evaluation, specs, scheme, first, count, seed, n_jobs, block_callback, store)
    if user_metrics:
        user_values = _user_replicates(groups, evaluation, user_metrics, n_boot, seed, callback)
        for name, (values, overall) in user_values.items():
            for first in range(0, n_boot, block):
                count = min(block, n_boot - first)
                store(name, first, count, values[first : first + count], overall[first : first + count])
    return Bootstrap(replicates, scheme)


def _offset_callback(callback: Callable[[int, int], Any], first: int, n_boot: int) -> Callable[[int, int], None]:
    """The progress callback of a block, reporting replicates done over the whole run."""

    def report(done: int, total: int) -> None:
        callback(first + done, n_boot)

    return report


def _bootstrap_block(
    groups: Groups,
    evaluation: Evaluation,
    specs: dict[str, BuiltinSpec],
    scheme: str,
    first: int,
    count: int,
    seed: int,
    n_jobs: int,
    callback: Callable[[int, int], Any] | None,
    store: _Store,
) -> None:
    """Replicates first .. first + count - 1 of every built-in metric, handed to store."""
    convention = evaluation.convention
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
                as_numeric(evaluation.y_pred, "y_pred"),
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
            values, overall = (unscale(v, builtin.core, evaluation.regression_exponent) for v in (values, overall))
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


def _user_replicates(
    groups: Groups,
    evaluation: Evaluation,
    user_metrics: Sequence[UserMetric],
    n_boot: int,
    seed: int,
    callback: Callable[[int, int], Any] | None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Replicate values of user-defined callables: per replicate, the resampled rows
    (drawn in C++, grouped) are gathered once per column, and each callable is called
    on the contiguous slice of every group and control level."""
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


def _call_on_slice(
    replicate: tuple[str, Callable[..., Any], int, np.ndarray, np.ndarray, dict[str, np.ndarray]],
    start: int,
    stop: int,
    where: str,
) -> float:
    """One user metric on rows start:stop of one bootstrap replicate (name, metric, index, y_true,
    y_pred, sliced parameters); an error says which metric, slice and replicate raised it."""
    name, metric, b, y_t, y_p, sliced = replicate
    try:
        return metric(y_t[start:stop], y_p[start:stop], **{k: v[start:stop] for k, v in sliced.items()})
    except Exception as error:
        if sys.version_info >= (3, 11):  # add_note is new in 3.11; older Pythons raise the error unchanged
            error.add_note(f"assay: raised by metric '{name}' on {where} of bootstrap replicate {b}")
        raise


def _prediction_mean_of_labels(builtin: Builtin, evaluation: Evaluation) -> bool:
    """True for mean_prediction of numeric class labels (at most MAX_CLASSES values)."""
    if builtin.core != "mean_prediction" or evaluation.y_pred.dtype.kind not in "biuf":
        return False
    try:
        return evaluation.classes.labels.dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _mean_label(predicted: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean label of each row of predicted-class counts (rows: groups, columns: classes)."""
    # Labels near the double range are scaled by a power of two (exact) so that the sums
    # cannot overflow, and the means scaled back.
    exponent = scale_exponent(labels)
    rows = predicted.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(rows > 0, (predicted @ np.ldexp(labels, -exponent)) / np.where(rows > 0, rows, 1), np.nan)
    return np.ldexp(means, exponent)
