"""The built-in metrics: assay's metric functions of one group (the whole data), and the
registry through which MetricFrame recognises them, and fairlearn's and scikit-learn's
functions of the same definition, to compute them in the core from per-group statistics."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np

from ..errors import InvalidInputError
from ._evaluation import CONVENTIONS, Builtin, Evaluation
from ._groups import Groups
from ._inputs import Feature, as_weights, to_numpy

_Function = TypeVar("_Function", bound=Callable[..., Any])


_BUILTINS: dict[Callable[..., Any], Builtin] = {}
# fairlearn's and scikit-learn's functions with the same definitions, recognised by
# (module prefix, name) without importing those packages.
_FOREIGN = {
    ("fairlearn.metrics", "selection_rate"): "selection_rate",
    ("fairlearn.metrics", "true_positive_rate"): "true_positive_rate",
    ("fairlearn.metrics", "false_positive_rate"): "false_positive_rate",
    ("fairlearn.metrics", "true_negative_rate"): "true_negative_rate",
    ("fairlearn.metrics", "false_negative_rate"): "false_negative_rate",
    ("fairlearn.metrics", "count"): "count",
    ("fairlearn.metrics", "mean_prediction"): "mean_prediction",
    ("sklearn.metrics", "accuracy_score"): "accuracy_score",
    ("sklearn.metrics", "balanced_accuracy_score"): "balanced_accuracy_score",
    ("sklearn.metrics", "precision_score"): "precision_score",
    ("sklearn.metrics", "recall_score"): "recall_score",
    ("sklearn.metrics", "f1_score"): "f1_score",
    ("sklearn.metrics", "mean_absolute_error"): "mean_absolute_error",
    ("sklearn.metrics", "mean_squared_error"): "mean_squared_error",
    ("sklearn.metrics", "root_mean_squared_error"): "root_mean_squared_error",
    ("sklearn.metrics", "r2_score"): "r2_score",
    ("sklearn.metrics", "roc_auc_score"): "roc_auc_score",
}
_BY_NAME: dict[str, Callable[..., Any]] = {}


def _builtin(core: str, rule: str, default_pos_label: Any = None) -> Callable[[_Function], _Function]:
    """Registers a metric function as the built-in ``core`` of the given label rule."""

    def register(function: _Function) -> _Function:
        _BUILTINS[function] = Builtin(function.__name__, core, rule, default_pos_label)
        _BY_NAME[function.__name__] = function
        return function

    return register


def recognise(metric: Callable[..., Any]) -> tuple[Builtin, dict[str, Any]] | None:
    """The built-in behind a metric callable, with the keyword arguments bound to it.

    Recognised: assay's functions, fairlearn's and scikit-learn's functions of the same
    definition, and functools.partial of those binding only pos_label (and, for
    regression metrics, nothing).
    """
    bound: dict[str, Any] = {}
    function: Any = metric
    if isinstance(metric, functools.partial):
        if metric.args or set(metric.keywords) - {"pos_label"}:
            return None
        bound = dict(metric.keywords)
        function = metric.func
    builtin = _BUILTINS.get(function)
    if builtin is None:
        module = getattr(function, "__module__", "") or ""
        name = getattr(function, "__name__", "")
        for (prefix, foreign_name), ours in _FOREIGN.items():
            if module.startswith(prefix) and name == foreign_name:
                builtin = _BUILTINS[_BY_NAME[ours]]
                break
    if builtin is None:
        return None
    if bound and builtin.rule not in ("rate", "binary", "selection"):
        return None
    return builtin, bound


def _single(
    builtin_function: Callable[..., Any],
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    convention: str,
    **bound: Any,
) -> float:
    """A built-in metric of all rows (one group)."""
    if convention not in CONVENTIONS:
        raise InvalidInputError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    y_t, y_p = to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred")
    if len(y_t) != len(y_p):
        raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise InvalidInputError("y_true: no rows")
    everyone = Feature("all", np.zeros(len(y_t), dtype=np.int32), ["all"])
    groups = Groups([everyone], [], "error", False, 1)
    evaluation = Evaluation(groups, y_t, y_p, convention, 1)
    builtin = _BUILTINS[builtin_function]
    weights = None if builtin.rule == "count" else as_weights(sample_weight, len(y_t))
    return float(evaluation.builtin(builtin, bound, weights).values[0])


@_builtin("count", "count")
def count(y_true: Any, y_pred: Any) -> int:
    """Number of rows (unweighted)."""
    return int(_single(count, y_true, y_pred, None, "strict"))


@_builtin("selection_rate", "selection", default_pos_label=1)
def selection_rate(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """Weighted fraction of rows with ``y_pred == pos_label``."""
    return _single(selection_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_positive_rate", "rate")
def true_positive_rate(
    y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None, *, convention: str = "strict"
) -> float:
    """TP / (TP + FN), the recall."""
    return _single(true_positive_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("false_positive_rate", "rate")
def false_positive_rate(
    y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None, *, convention: str = "strict"
) -> float:
    """FP / (FP + TN)."""
    return _single(false_positive_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_negative_rate", "rate")
def true_negative_rate(
    y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None, *, convention: str = "strict"
) -> float:
    """TN / (TN + FP), the specificity."""
    return _single(true_negative_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("false_negative_rate", "rate")
def false_negative_rate(
    y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None, *, convention: str = "strict"
) -> float:
    """FN / (FN + TP)."""
    return _single(false_negative_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("accuracy", "multiclass")
def accuracy_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted fraction of rows with ``y_pred == y_true`` (any labels)."""
    return _single(accuracy_score, y_true, y_pred, sample_weight, convention)


@_builtin("precision", "binary", default_pos_label=1)
def precision_score(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """TP / (TP + FP)."""
    return _single(precision_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_positive_rate", "binary", default_pos_label=1)
def recall_score(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """TP / (TP + FN)."""
    return _single(recall_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("f1", "binary", default_pos_label=1)
def f1_score(
    y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """2 TP / (2 TP + FP + FN)."""
    return _single(f1_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("balanced_accuracy", "multiclass")
def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """Mean recall over the classes present in y_true (scikit-learn's definition)."""
    return _single(balanced_accuracy_score, y_true, y_pred, sample_weight, convention)


@_builtin("mean_prediction", "regression")
def mean_prediction(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted mean of y_pred."""
    return _single(mean_prediction, y_true, y_pred, sample_weight, convention)


@_builtin("mean_error", "regression")
def mean_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted mean of y_pred - y_true (signed bias)."""
    return _single(mean_error, y_true, y_pred, sample_weight, convention)


@_builtin("mean_absolute_error", "regression")
def mean_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted mean of |y_pred - y_true|."""
    return _single(mean_absolute_error, y_true, y_pred, sample_weight, convention)


@_builtin("mean_squared_error", "regression")
def mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted mean of (y_pred - y_true)^2."""
    return _single(mean_squared_error, y_true, y_pred, sample_weight, convention)


@_builtin("root_mean_squared_error", "regression")
def root_mean_squared_error(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """Square root of the mean squared error."""
    return _single(root_mean_squared_error, y_true, y_pred, sample_weight, convention)


@_builtin("r2", "regression")
def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """1 - SS_res / SS_tot. Undefined for one row, or constant y_true (NaN; scikit-learn's 1
    or 0 with convention='fairlearn')."""
    return _single(r2_score, y_true, y_pred, sample_weight, convention)


@_builtin("roc_auc", "score")
def roc_auc_score(y_true: Any, y_score: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Exact ROC-AUC (ties count one half); the larger of the two labels is positive.
    NaN when only one class is present (convention='fairlearn' also warns, as scikit-learn does)."""
    return _single(roc_auc_score, y_true, y_score, sample_weight, convention)


@_builtin("ece", "score")
def expected_calibration_error(
    y_true: Any, y_prob: Any, *, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """Expected calibration error over 10 equal-width bins of y_prob (see calibration_by_group)."""
    return _single(expected_calibration_error, y_true, y_prob, sample_weight, convention)
