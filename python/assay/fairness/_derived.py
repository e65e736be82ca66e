"""One number from a metric disaggregated by group: fairlearn's ``make_derived_metric`` and
the metrics fairlearn generates with it (``accuracy_score_difference``, ...).

A derived metric builds a [`MetricFrame`][assay.fairness.MetricFrame] and returns one of
its aggregates, so assay's built-in metrics are computed in the core's one pass and other
callables once per group.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from ..errors import InvalidInputError, MissingDependencyError
from ..typing import ArrayLike, TableLike
from ._metric_frame import MetricFrame
from ._metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    false_negative_rate,
    false_positive_rate,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
    zero_one_loss,
)

TRANSFORMS = ("difference", "group_min", "group_max", "ratio")
# Keyword arguments of a derived metric that go to the MetricFrame, not to the metric.
_FRAME_ARGUMENTS = ("method", "convention")


class _DerivedMetric:
    """``metric`` disaggregated by group and reduced by ``transform`` (see make_derived_metric)."""

    def __init__(self, metric: Callable[..., Any], transform: str, sample_param_names: list[str]) -> None:
        self._metric = metric
        self._transform = transform
        self._sample_param_names = list(sample_param_names)
        self.__name__ = f"{getattr(metric, '__name__', 'metric')}_{transform}"

    def __call__(
        self, y_true: ArrayLike, y_pred: ArrayLike, *, sensitive_features: ArrayLike | TableLike, **other_params: Any
    ) -> Any:
        sample_params = {k: v for k, v in other_params.items() if k in self._sample_param_names}
        frame_arguments = {k: v for k, v in other_params.items() if k in _FRAME_ARGUMENTS}
        params = {k: v for k, v in other_params.items() if k not in sample_params and k not in frame_arguments}
        metric = functools.partial(self._metric, **params) if params else self._metric
        if params:
            # The name MetricFrame gives its one metric, as fairlearn names it.
            bound = "".join(f"_{k}_{v}" for k, v in sorted(params.items()))
            functools.update_wrapper(metric, self._metric)
            metric.__name__ = f"{getattr(self._metric, '__name__', 'metric')}{bound}"
        frame = MetricFrame(
            metrics=metric,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sensitive_features,
            sample_params=sample_params,
            convention=frame_arguments.get("convention", "strict"),
        )
        method = frame_arguments.get("method", "between_groups")
        if self._transform == "difference":
            return frame.difference(method=method)
        if self._transform == "ratio":
            return frame.ratio(method=method)
        return frame.group_min() if self._transform == "group_min" else frame.group_max()

    def __repr__(self) -> str:
        return f"make_derived_metric(metric={self._metric!r}, transform={self._transform!r})"


def make_derived_metric(
    *,
    metric: Callable[..., Any],
    transform: str,
    sample_param_names: list[str] | None = None,
) -> Callable[..., Any]:
    """A metric function that returns one aggregate of ``metric`` over groups (fairlearn's ``make_derived_metric``).

    The result is called as ``derived(y_true, y_pred, *, sensitive_features, method=...,
    convention=..., **params)``: it builds a [`MetricFrame`][assay.fairness.MetricFrame]
    of ``metric`` and returns its ``difference(method)``, ``ratio(method)``,
    ``group_min()`` or ``group_max()``. Keyword arguments named in
    ``sample_param_names`` are per-row sample parameters; ``method`` and ``convention``
    go to the frame; any other keyword is bound to ``metric``. The result suits
    scikit-learn's scorers and hyper-parameter searches.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, **params)``: an assay metric (computed in the core), a
        scikit-learn or fairlearn metric, or any callable (called once per group). It may
        not take a ``method`` argument (bind it with ``functools.partial``).
    transform : {"difference", "group_min", "group_max", "ratio"}
        The aggregate over groups.
    sample_param_names : list of str, optional
        The keyword arguments that hold one value per row. Default ``["sample_weight"]``;
        an empty list: none.

    Returns
    -------
    callable
        The derived metric.

    Raises
    ------
    InvalidInputError
        ``metric`` is not callable or takes a ``method`` argument, or ``transform`` is
        unknown (ValueErrors, as fairlearn raises).

    Examples
    --------
    >>> from assay.fairness import make_derived_metric, recall_score
    >>> recall_difference = make_derived_metric(metric=recall_score, transform="difference")
    >>> recall_difference([1, 1, 0, 1, 1, 0], [1, 0, 0, 1, 1, 1], sensitive_features=list("aaabbb"))
    0.5
    """
    if not callable(metric):
        raise InvalidInputError(f"metric: expected a callable, got {type(metric).__name__}")
    try:
        parameters = inspect.signature(metric).parameters
    except (TypeError, ValueError):  # builtins without a signature take no `method`
        parameters = {}  # type: ignore[assignment]
    if "method" in parameters:
        raise InvalidInputError(
            "metric: a callable with a 'method' argument cannot be derived (the derived metric's own "
            "'method' chooses the aggregate); bind it with functools.partial"
        )
    if transform not in TRANSFORMS:
        raise InvalidInputError(f"transform must be one of {list(TRANSFORMS)}, got {transform!r}")
    names = ["sample_weight"] if sample_param_names is None else list(sample_param_names)
    return _DerivedMetric(metric, transform, names)


def _log_loss(y_true: Any, y_pred: Any, **params: Any) -> float:
    """scikit-learn's log_loss (assay has no log-loss of its own), imported when called."""
    try:
        from sklearn.metrics import log_loss
    except ImportError as error:  # pragma: no cover - scikit-learn is in every test environment
        raise MissingDependencyError("log_loss_group_max needs scikit-learn (pip install scikit-learn)") from error
    return float(log_loss(y_true, y_pred, **params))


_log_loss.__name__ = "log_loss"

_EXAMPLE = """{summary}

fairlearn's generated metric of the same name: ``MetricFrame(metrics={base},
...).{call}``, through [`make_derived_metric`][assay.fairness.make_derived_metric]
({where}). Called as ``{name}(y_true, y_pred, *, sensitive_features, {method}
sample_weight=None, convention="strict", **params)``; ``params`` go to ``{base}``.

Parameters
----------
y_true : ArrayLike
    True labels or values, one per row.
y_pred : ArrayLike
    Predictions, one per row.
sensitive_features : ArrayLike or TableLike
    The groups, as in [`MetricFrame`][assay.fairness.MetricFrame].
**params
    {method_doc}``sample_weight``, ``convention`` (as MetricFrame's) and keyword arguments of ``{base}``.

Returns
-------
float
    The aggregate.

Raises
------
InvalidInputError
    As [`MetricFrame`][assay.fairness.MetricFrame] and ``{base}`` raise.

Examples
--------
>>> from assay.fairness import MetricFrame, {name}
>>> y_true, y_pred, group = [1, 0, 1, 1, 0, 1], [1, 0, 0, 1, 1, 1], list("aaabbb")
>>> value = {name}(y_true, y_pred, sensitive_features=group)
>>> frame = MetricFrame(metrics={frame_metric}, y_true=y_true, y_pred=y_pred, sensitive_features=group)
>>> bool(value == frame.{call})
True
"""


def _generated(metric: Callable[..., Any], transform: str) -> Callable[..., Any]:
    """fairlearn's generated metric ``<metric>_<transform>`` as a function of this module."""
    derived = make_derived_metric(metric=metric, transform=transform)
    name = f"{metric.__name__}_{transform}"

    def generated(
        y_true: ArrayLike, y_pred: ArrayLike, *, sensitive_features: ArrayLike | TableLike, **params: Any
    ) -> Any:
        if transform.startswith("group_") and params.get("method") is None:
            params.pop("method", None)  # fairlearn ignores `method` for group_min / group_max
        return derived(y_true, y_pred, sensitive_features=sensitive_features, **params)

    builtin = metric is not _log_loss
    call = f"{transform}()"
    generated.__name__ = generated.__qualname__ = name
    generated.__doc__ = _EXAMPLE.format(
        summary=f"The {transform.replace('_', ' ')} of ``{metric.__name__}`` over groups.",
        base=metric.__name__,
        call=call,
        name=name,
        where="computed in the core" if builtin else "scikit-learn's log_loss, called once per group",
        method="method='between_groups', " if not transform.startswith("group_") else "",
        method_doc="" if transform.startswith("group_") else '``method`` (``"between_groups"`` or ``"to_overall"``), ',
        frame_metric=metric.__name__ if builtin else "log_loss",
    ).replace(
        ">>> from assay.fairness import MetricFrame, log_loss_group_max",
        ">>> from sklearn.metrics import log_loss\n>>> from assay.fairness import MetricFrame, log_loss_group_max",
    )
    return generated


true_positive_rate_difference = _generated(true_positive_rate, "difference")
true_positive_rate_ratio = _generated(true_positive_rate, "ratio")
true_negative_rate_difference = _generated(true_negative_rate, "difference")
true_negative_rate_ratio = _generated(true_negative_rate, "ratio")
false_positive_rate_difference = _generated(false_positive_rate, "difference")
false_positive_rate_ratio = _generated(false_positive_rate, "ratio")
false_negative_rate_difference = _generated(false_negative_rate, "difference")
false_negative_rate_ratio = _generated(false_negative_rate, "ratio")
selection_rate_difference = _generated(selection_rate, "difference")
selection_rate_ratio = _generated(selection_rate, "ratio")
accuracy_score_difference = _generated(accuracy_score, "difference")
accuracy_score_ratio = _generated(accuracy_score, "ratio")
accuracy_score_group_min = _generated(accuracy_score, "group_min")
zero_one_loss_difference = _generated(zero_one_loss, "difference")
zero_one_loss_ratio = _generated(zero_one_loss, "ratio")
zero_one_loss_group_max = _generated(zero_one_loss, "group_max")
balanced_accuracy_score_group_min = _generated(balanced_accuracy_score, "group_min")
precision_score_group_min = _generated(precision_score, "group_min")
recall_score_group_min = _generated(recall_score, "group_min")
roc_auc_score_group_min = _generated(roc_auc_score, "group_min")
mean_absolute_error_group_max = _generated(mean_absolute_error, "group_max")
mean_squared_error_group_max = _generated(mean_squared_error, "group_max")
r2_score_group_min = _generated(r2_score, "group_min")
f1_score_group_min = _generated(f1_score, "group_min")
log_loss_group_max = _generated(_log_loss, "group_max")

GENERATED_METRICS = (
    "true_positive_rate_difference",
    "true_positive_rate_ratio",
    "true_negative_rate_difference",
    "true_negative_rate_ratio",
    "false_positive_rate_difference",
    "false_positive_rate_ratio",
    "false_negative_rate_difference",
    "false_negative_rate_ratio",
    "selection_rate_difference",
    "selection_rate_ratio",
    "accuracy_score_difference",
    "accuracy_score_ratio",
    "accuracy_score_group_min",
    "zero_one_loss_difference",
    "zero_one_loss_ratio",
    "zero_one_loss_group_max",
    "balanced_accuracy_score_group_min",
    "precision_score_group_min",
    "recall_score_group_min",
    "roc_auc_score_group_min",
    "mean_absolute_error_group_max",
    "mean_squared_error_group_max",
    "r2_score_group_min",
    "f1_score_group_min",
    "log_loss_group_max",
)
"""The names of fairlearn's generated metrics, each a function of this module."""
