"""Statistics per group for the built-in metrics: one pass of the core accumulates a
confusion matrix (classification) or regression sums per group for each distinct weighting,
and every built-in metric, per group and per control level, is computed from them."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from .. import _core
from .._util import n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ._groups import Groups
from ._inputs import Classes, as_numeric, encode_classes, split_features, to_numpy

_core_fair = _core.fairness
CONVENTIONS = ("strict", "fairlearn")
"""The values of ``convention=``: ``"strict"`` (a value whose definition divides by zero is NaN,
with its reason) and ``"fairlearn"`` (fairlearn's numbers, quirks included)."""

_RESTRICTED_LABELS = "If pos_label is not specified, values must be from {0, 1} or {-1, 1}"
_TOO_MANY_LABELS = "Must have no more than two unique y values"
_POS_LABEL_ABSENT = "pos_label={!r} is not one of the labels {} of a group; pass the positive label as pos_label"


@dataclass(frozen=True)
class Builtin:
    """A metric the core computes from sufficient statistics.

    ``rule`` says how labels are read: "rate" (fairlearn's TPR/FPR/TNR/FNR: without
    pos_label, labels must be {0, 1} or {-1, 1} and 1 is positive), "binary"
    (scikit-learn's precision/recall/F1: pos_label defaults to 1), "selection" (only
    y_pred == pos_label matters), "multiclass" (any labels), "count", "regression".
    """

    name: str
    core: str
    rule: str
    default_pos_label: Any = None


class BuiltinSpec(NamedTuple):
    """A built-in metric as a MetricFrame computes it (what its bootstrap redraws)."""

    builtin: Builtin
    bound: dict[str, Any]  # keyword arguments bound by functools.partial (pos_label)
    weights: np.ndarray | None
    positive: int  # the positive class code, -1 when the metric has none


class UserMetric(NamedTuple):
    """A metric callable MetricFrame calls once per group, with its sample parameters."""

    name: str
    metric: Callable[..., Any]
    params: dict[str, np.ndarray]


# Regression inputs larger than this are scaled down by a power of two (exact) so that
# sums of w * e * e cannot overflow while the metric itself is finite; the metric is
# scaled back (means by 2**k, squared errors by 4**k, R^2 unchanged).
_SCALE_LIMIT_EXPONENT = 400


def scale_exponent(*arrays: np.ndarray) -> int:
    """The power of two that brings the largest magnitude of the arrays under 2**400 (0 if it is)."""
    largest = max((float(np.max(np.abs(a))) for a in arrays if len(a)), default=0.0)
    exponent = int(np.frexp(largest)[1]) if largest > 0 else 0
    return max(0, exponent - _SCALE_LIMIT_EXPONENT)


def unscale(values: np.ndarray, core: str, exponent: int | None) -> np.ndarray:
    """A regression metric of inputs scaled by 2**-exponent, back on the inputs' scale."""
    if not exponent or core == "r2":
        return values
    with np.errstate(over="ignore"):
        return np.ldexp(values, 2 * exponent if core == "mean_squared_error" else exponent)


class MetricValues(NamedTuple):
    """A built-in metric per group and per control level, with the codes of why a value is
    undefined (the core's UNDEFINED_REASONS)."""

    values: np.ndarray
    reasons: np.ndarray
    overall: np.ndarray
    overall_reasons: np.ndarray
    positive: int  # the positive class code, -1 when the metric has none


class Evaluation:
    """Caches the statistics a set of metrics needs: one pass per distinct weighting."""

    def __init__(self, groups: Groups, y_true: np.ndarray, y_pred: np.ndarray, convention: str, n_jobs: int) -> None:
        self.groups = groups
        self.y_true, self.y_pred = y_true, y_pred
        self.convention = convention
        self.n_jobs = n_jobs
        self._classes: Classes | None = None
        self._confusion: dict[int, Any] = {}
        self._regression: dict[int, Any] = {}
        # Statistics are cached per weight array by id(); holding the arrays here keeps
        # those ids from being reused by other arrays while the cache lives.
        self._weights: dict[int, np.ndarray | None] = {}
        self._score_labels: np.ndarray | None = None
        # The power of two regression inputs are scaled down by (set by the first regression metric).
        self.regression_exponent: int | None = None

    @classmethod
    def from_confusion(
        cls, groups: Groups, classes: Classes | None, confusion: Any, convention: str, n_jobs: int
    ) -> Evaluation:
        """The evaluation of unweighted confusion counts merged elsewhere (the Dask call's
        per-partition states): only the classification metrics of those counts (and
        ``count``) can be computed from it; ``classes`` holds the labels (None when only
        ``count`` is asked)."""
        no_rows = np.empty(0)
        evaluation = cls(groups, no_rows, no_rows, convention, n_jobs)
        if classes is not None:
            evaluation._classes = classes
        evaluation._confusion[evaluation._key(None)] = confusion
        return evaluation

    @property
    def classes(self) -> Classes:
        if self._classes is None:
            self._classes = encode_classes(self.y_true, self.y_pred)
        return self._classes

    def _key(self, weights: np.ndarray | None) -> int:
        key = 0 if weights is None else id(weights)
        self._weights[key] = weights
        return key

    def confusion(self, weights: np.ndarray | None) -> Any:
        key = self._key(weights)
        if key not in self._confusion:
            classes = self.classes
            self._confusion[key] = _core_fair.accumulate_confusion(
                self.groups.row_group,
                self.groups.n_groups,
                classes.y_true,
                classes.y_pred,
                len(classes.labels),
                weights,
                self.n_jobs,
            )
        return self._confusion[key]

    def regression(self, weights: np.ndarray | None, needs_true: bool) -> Any:
        key = self._key(weights)
        if key not in self._regression:
            y_true, y_pred = self.regression_inputs(needs_true)
            self._regression[key] = _core_fair.accumulate_regression(
                self.groups.row_group, self.groups.n_groups, y_true, y_pred, weights, self.n_jobs
            )
        return self._regression[key]

    def overall_target(self) -> np.ndarray:
        return self.groups.group_control

    def regression_inputs(self, needs_true: bool) -> tuple[np.ndarray, np.ndarray]:
        """y_true and y_pred as finite float64, scaled by 2**-regression_exponent (exact)
        when their magnitude could overflow the sums of the metrics."""
        y_pred = as_numeric(self.y_pred, "y_pred")
        # mean_prediction ignores y_true, which may then be labels.
        y_true = as_numeric(self.y_true, "y_true") if needs_true or self.y_true.dtype.kind in "biuf" else y_pred
        exponent = scale_exponent(y_true, y_pred)
        if self.regression_exponent is None:
            self.regression_exponent = exponent
        exponent = self.regression_exponent
        if exponent:
            y_true, y_pred = np.ldexp(y_true, -exponent), np.ldexp(y_pred, -exponent)
        return y_true, y_pred

    def score_labels(self) -> np.ndarray:
        """y_true as 1 (the larger of its two labels, scikit-learn's positive class) or 0."""
        if self._score_labels is None:
            try:
                labels = np.unique(self.y_true)
            except TypeError as error:
                raise InvalidTypeError(f"y_true: labels of different types cannot be ordered ({error})") from error
            if len(labels) > 2:
                raise InvalidInputError(
                    f"y_true: score metrics need binary labels, found {len(labels)} distinct values"
                )
            if self.y_true.dtype.kind == "f" and np.isnan(labels).any():
                raise InvalidInputError("y_true contains NaN; labels must not be missing")
            self._score_labels = (self.y_true == labels[-1]).astype(np.int32)
        return self._score_labels

    def _scores(self, builtin: Builtin, weights: np.ndarray | None) -> MetricValues:
        groups = self.groups
        labels = self.score_labels()
        scores = as_numeric(self.y_pred, "y_pred")
        row_level = np.where(groups.row_group >= 0, groups.group_control[np.maximum(groups.row_group, 0)], -1).astype(
            np.int32
        )
        results: list[np.ndarray] = []
        for rows, n in ((groups.row_group, groups.n_groups), (row_level, groups.n_control)):
            if builtin.core == "roc_auc":
                values, reasons = _core_fair.roc_auc_by_group(rows, n, scores, labels, weights, self.n_jobs)
                if self.convention == "fairlearn" and np.isin(reasons, [3, 4]).any():
                    # What fairlearn gives with scikit-learn 1.9: a warning and NaN (older releases raised).
                    warnings.warn(
                        "Only one class is present in y_true. ROC AUC score is not defined in that case.",
                        UserWarning,
                        stacklevel=4,
                    )
            else:
                calibration = _core_fair.calibration_by_group(rows, n, scores, labels, weights, 10, self.n_jobs)
                values = calibration["ece"]
                reasons = np.where(np.isnan(values), 1, 0).astype(np.uint8)
            results.extend([values, reasons])
        return MetricValues(results[0], results[1], results[2], results[3], -1)

    def builtin(self, builtin: Builtin, bound: Mapping[str, Any], weights: np.ndarray | None) -> MetricValues:
        """A built-in metric per group and per control level (``bound``: its keyword
        arguments, such as pos_label)."""
        groups = self.groups
        if builtin.rule == "score":
            return self._scores(builtin, weights)
        if builtin.rule == "count":
            rows = groups.group_rows.astype(np.float64)
            reasons = np.where(rows == 0, 1, 0).astype(np.uint8)
            rows[rows == 0] = np.nan
            overall: np.ndarray = np.bincount(
                groups.group_control, weights=groups.group_rows, minlength=groups.n_control
            )
            overall_reasons = np.where(overall == 0, 1, 0).astype(np.uint8)
            overall[overall == 0] = np.nan
            return MetricValues(rows, reasons, overall, overall_reasons, -1)
        if builtin.rule == "regression":
            stats = self.regression(weights, needs_true=builtin.core != "mean_prediction")
            total = stats.sum_groups(self.overall_target(), groups.n_control)
            regression, how = _core_fair.RegressionMetric[builtin.core], _core_fair.Convention[self.convention]
            values, reasons = _core_fair.regression_metric(stats, regression, how)
            overall, overall_reasons = _core_fair.regression_metric(total, regression, how)
            values, overall = (unscale(v, builtin.core, self.regression_exponent) for v in (values, overall))
            return MetricValues(values, reasons, overall, overall_reasons, -1)
        stats = self.confusion(weights)
        total = stats.sum_groups(self.overall_target(), groups.n_control)
        positive = -1
        if builtin.rule in ("rate", "binary", "selection"):
            explicit = bound.get("pos_label") is not None
            pos_label = bound.get("pos_label", builtin.default_pos_label)
            positive = self._positive_class(builtin, pos_label, explicit, stats)
            self._positive_class(builtin, pos_label, explicit, total)
        classification, how = _core_fair.ClassificationMetric[builtin.core], _core_fair.Convention[self.convention]
        values, reasons = _core_fair.classification_metric(stats, classification, positive, how)
        overall, overall_reasons = _core_fair.classification_metric(total, classification, positive, how)
        return MetricValues(values, reasons, overall, overall_reasons, positive)

    def _positive_class(self, builtin: Builtin, pos_label: Any, explicit: bool, stats: Any) -> int:
        """The positive class code, after checking the labels of every group as fairlearn
        (rates) and scikit-learn (precision, recall, F1) do. Under the strict convention
        an explicit pos_label also accepts more than two labels (one versus the rest)."""
        classes = self.classes
        if builtin.rule == "selection":
            return classes.code_of(pos_label)
        counts = stats.counts
        present = (counts.sum(axis=2) + counts.sum(axis=1)) > 0  # (groups, classes)
        n_labels = present.sum(axis=1)
        if pos_label is None:  # fairlearn's rate functions
            numeric = classes.labels.dtype.kind in "biuf"
            zero_one = np.isin(classes.labels, [0, 1]) if numeric else np.zeros(len(classes.labels), bool)
            minus_one_one = np.isin(classes.labels, [-1, 1]) if numeric else np.zeros(len(classes.labels), bool)
            fits = ~(present & ~zero_one).any(axis=1) | ~(present & ~minus_one_one).any(axis=1)
            if not fits.all():
                raise InvalidInputError(_RESTRICTED_LABELS)
            pos_label = 1
        positive = classes.code_of(pos_label)
        one_vs_rest = self.convention == "strict" and explicit
        if (n_labels > 2).any() and not one_vs_rest:
            raise InvalidInputError(_TOO_MANY_LABELS)
        two = n_labels == 2
        has_positive = present[:, positive] if positive >= 0 else np.zeros(len(n_labels), bool)
        if (two & ~has_positive).any() and not one_vs_rest:
            group = int(np.nonzero(two & ~has_positive)[0][0])
            raise InvalidInputError(_POS_LABEL_ABSENT.format(pos_label, classes.labels[present[group]].tolist()))
        return positive


def observed_groups(
    y_true: Any, y_pred: Any, sensitive_features: Any, n_jobs: int | None, missing: str = "error"
) -> tuple[Groups, Evaluation, list[Any]]:
    """(groups, evaluation under the strict convention, group labels) of the observed groups
    only, for the audits outside MetricFrame; a group's label is its level, or a tuple of
    levels for several features."""
    y_t = to_numpy(y_true, "y_true")
    y_p = to_numpy(y_pred, "y_pred")
    if len(y_t) != len(y_p):
        raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise InvalidInputError("y_true: no rows")
    jobs = n_jobs_arg(n_jobs)
    features = split_features(sensitive_features, "sensitive_feature_", len(y_t), "sensitive_features")
    groups = Groups(features, [], missing, True, jobs)
    evaluation = Evaluation(groups, y_t, y_p, "strict", jobs)
    labels: list[Any] = []
    for keys in zip(*[k.tolist() for k in groups.keys]):
        names = [groups.level_labels(f)[k] for f, k in zip(features, keys)]
        labels.append(names[0] if len(names) == 1 else tuple(names))
    return groups, evaluation, labels
