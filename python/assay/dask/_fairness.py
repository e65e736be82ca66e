"""Fairness on Dask: ``MetricFrame`` and the named disparities of dask collections, computed
by the single-machine engine in one task over the gathered label, prediction, group and
weight columns (a few numbers per row), so that every value, bootstrap interval included,
equals the single-machine result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import fairness
from ..errors import InvalidTypeError
from . import _graph

_COLLECTIONS = (_graph.dd.DataFrame, _graph.dd.Series, _graph.da.Array)


def _lazy(value: Any, argument: str) -> list[Any]:
    """The dask collections of an argument (nested in dicts), checked for their kind."""
    if isinstance(value, dict):
        return [c for key, v in value.items() for c in _lazy(v, f"{argument}['{key}']")]
    if isinstance(value, _COLLECTIONS):
        return [value]
    if value is not None and argument in ("y_true", "y_pred", "sensitive_features"):
        raise InvalidTypeError(f"{argument}: expected a dask Series, DataFrame or array, got {type(value).__name__}")
    return []


def _run(function: Callable[..., Any], arguments: dict[str, Any], client: Any) -> Any:
    """``function(**arguments)`` in one task, every dask collection gathered into it."""
    collections = [c for name, value in arguments.items() for c in _lazy(value, name)]
    rows = _graph.total_rows(collections)
    width = [1 if c.ndim == 1 else (len(c.columns) if hasattr(c, "columns") else c.shape[1]) for c in collections]
    _graph.require_budget("y_true", sum(8 * n * w for n, w in zip(rows, width)), f"{rows[0]} rows of labels and groups")
    gathered = {name: _gathered(value) for name, value in arguments.items()}
    (result,) = _graph.compute([_graph.dask.delayed(function, pure=True)(**gathered)], client)
    return result


def _gathered(value: Any) -> Any:
    """A dask collection as one delayed object (its partitions concatenated); dicts of them
    likewise; anything else unchanged."""
    if isinstance(value, dict):
        return {key: _gathered(v) for key, v in value.items()}
    if isinstance(value, _COLLECTIONS):
        return _graph.dask.delayed(_graph.concat, pure=True)(_graph.partitions(value, "value"))
    return value


def _metric_frame_json(**arguments: Any) -> str:
    return fairness.MetricFrame(**arguments, n_jobs=_graph.task_threads(), progress=False).to_json()


def MetricFrame(
    *,
    metrics: Callable[..., Any] | dict[str, Callable[..., Any]],
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    control_features: Any = None,
    sample_params: dict[str, Any] | None = None,
    n_boot: int | None = None,
    ci_quantiles: Sequence[float] | None = None,
    random_state: int | None = None,
    convention: str = "strict",
    missing: str = "error",
    observed: bool = False,
    min_support: int = 30,
    client: Any = None,
) -> fairness.MetricFrame:
    """[`assay.fairness.MetricFrame`][assay.fairness.MetricFrame] of dask collections.

    The label, prediction, group and weight columns are gathered into one task (within the
    memory budget, [`memory_budget`][assay.dask.memory_budget]) and the single-machine frame
    is computed there: every value equals the single-machine frame of the computed columns,
    and so do the bootstrap intervals, whose replicates are drawn per global row (row i of
    replicate b from the counter-based generator keyed by (seed, b), the i-th draw), never
    per partition.

    Parameters
    ----------
    metrics, control_features, sample_params, n_boot, ci_quantiles, convention, missing, observed, min_support
        As in [`assay.fairness.MetricFrame`][assay.fairness.MetricFrame]; ``sample_params``
        may hold dask collections.
    y_true, y_pred : dask Series or array
        Labels (or values) and predictions, one per row.
    sensitive_features : dask Series, DataFrame or array
        The groups.
    random_state : int, optional
        Seed of the bootstrap (an integer: the intervals are then reproducible; None draws
        a fresh seed).
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    assay.fairness.MetricFrame
        The frame, as read back from its JSON: every accessor returns the single-machine
        values; the intervals are the stored quantiles.

    Raises
    ------
    InvalidTypeError
        ``y_true``, ``y_pred`` or ``sensitive_features`` is not a dask collection;
        otherwise as in the single-machine call.
    InvalidInputError
        As in the single-machine call.
    ResourceLimitError
        The gathered columns exceed the memory budget.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> from assay.fairness import selection_rate
    >>> rows = dd.from_pandas(pd.DataFrame({"y": [1, 0, 1, 1, 0, 1], "p": [1, 0, 1, 0, 1, 1],
    ...                                     "sex": ["f", "f", "f", "m", "m", "m"]}), npartitions=2)
    >>> adask.MetricFrame(metrics=selection_rate, y_true=rows["y"], y_pred=rows["p"],
    ...                   sensitive_features=rows["sex"]).by_group.tolist()
    [0.6666666666666666, 0.6666666666666666]
    """
    arguments = {
        "metrics": metrics,
        "y_true": y_true,
        "y_pred": y_pred,
        "sensitive_features": sensitive_features,
        "control_features": control_features,
        "sample_params": sample_params,
        "n_boot": n_boot,
        "ci_quantiles": ci_quantiles,
        "random_state": random_state,
        "convention": convention,
        "missing": missing,
        "observed": observed,
        "min_support": min_support,
    }
    return fairness.MetricFrame.from_json(_run(_metric_frame_json, arguments, client))


def _disparity(name: str, arguments: dict[str, Any], client: Any) -> float:
    return float(_run(_named_disparity, {**arguments, "function_name": name}, client))


def _named_disparity(function_name: str, **arguments: Any) -> float:
    return float(getattr(fairness, function_name)(**arguments, n_jobs=_graph.task_threads()))


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.demographic_parity_difference of dask collections (the single-machine value of the computed columns).

    The label, prediction, group and weight columns are gathered into one task within the
    memory budget, and
    [`assay.fairness.demographic_parity_difference`][assay.fairness.demographic_parity_difference]
    runs there.

    Parameters
    ----------
    y_true, y_pred : dask Series or array
        Labels and predicted labels.
    sensitive_features : dask Series, DataFrame or array
        The groups.
    method, sample_weight, pos_label, convention
        As in the single-machine call (``sample_weight`` may be a dask collection).
    client : distributed.Client, optional
        Where to compute: by default the current client.

    Returns
    -------
    float
        The single-machine value of the computed columns.

    Raises
    ------
    InvalidTypeError
        An input is not a dask collection; otherwise as in the single-machine call.
    InvalidInputError
        As in the single-machine call.
    ResourceLimitError
        The gathered columns exceed the memory budget.
    """
    return _disparity("demographic_parity_difference", _named(locals()), client)


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.demographic_parity_ratio of dask collections (the single-machine value of the computed columns).

    As [`demographic_parity_difference`][assay.dask.demographic_parity_difference], for
    [`assay.fairness.demographic_parity_ratio`][assay.fairness.demographic_parity_ratio]
    (the same arguments, and ``client``).
    """
    return _disparity("demographic_parity_ratio", _named(locals()), client)


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.equal_opportunity_difference of dask collections (the single-machine value of the computed columns).

    As [`demographic_parity_difference`][assay.dask.demographic_parity_difference], for
    [`assay.fairness.equal_opportunity_difference`][assay.fairness.equal_opportunity_difference]
    (the same arguments, and ``client``).
    """
    return _disparity("equal_opportunity_difference", _named(locals()), client)


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.equal_opportunity_ratio of dask collections (the single-machine value of the computed columns).

    As [`demographic_parity_difference`][assay.dask.demographic_parity_difference], for
    [`assay.fairness.equal_opportunity_ratio`][assay.fairness.equal_opportunity_ratio]
    (the same arguments, and ``client``).
    """
    return _disparity("equal_opportunity_ratio", _named(locals()), client)


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.equalized_odds_difference of dask collections (the single-machine value of the computed columns).

    As [`demographic_parity_difference`][assay.dask.demographic_parity_difference], for
    [`assay.fairness.equalized_odds_difference`][assay.fairness.equalized_odds_difference]
    (the same arguments, and ``client``).
    """
    return _disparity("equalized_odds_difference", _named(locals()), client)


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    convention: str = "strict",
    client: Any = None,
) -> float:
    """fairness.equalized_odds_ratio of dask collections (the single-machine value of the computed columns).

    As [`demographic_parity_difference`][assay.dask.demographic_parity_difference], for
    [`assay.fairness.equalized_odds_ratio`][assay.fairness.equalized_odds_ratio]
    (the same arguments, and ``client``).
    """
    return _disparity("equalized_odds_ratio", _named(locals()), client)


def _named(arguments: dict[str, Any]) -> dict[str, Any]:
    """A disparity function's arguments for the single-machine call (``client`` removed)."""
    return {k: v for k, v in arguments.items() if k != "client"}
