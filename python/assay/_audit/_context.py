"""What every section of an audit reads: the tables, the roles, the model's outputs, the config.

The runner builds one :class:`Context`; each section is a function of it that returns a
:class:`SectionResult` (plain data and :class:`~assay.Measurement` records) or raises
:class:`Skip` with the reason it could not run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._frame import CATEGORICAL, Column
from .._util import json_safe
from ._config import AuditConfig
from ._data import Roles, Table
from ._gates import Measurement
from ._model import Model

__all__ = ["Context", "Outputs", "SectionResult", "Skip", "interval_quantiles", "measurement", "subject_of"]


class Skip(Exception):
    """A section cannot run; the message says why (it becomes the audit's ``skipped`` entry)."""


@dataclass
class SectionResult:
    """What a section produced.

    Parameters
    ----------
    data : dict
        The section's results and tables as plain JSON-safe data.
    measurements : list of Measurement
    """

    data: dict[str, Any]
    measurements: list[Measurement] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data = json_safe(self.data)


@dataclass(frozen=True)
class Outputs:
    """The labels and the model's outputs on one table (rows aligned with the table).

    Parameters
    ----------
    y_true : numpy.ndarray or None
        The target (missing values as None or NaN).
    y_pred : numpy.ndarray or None
        The predicted label or value.
    proba : numpy.ndarray or None
        Class probabilities, one column per class of the context's ``classes``.
    source : str
        ``"model"`` (assay predicted) or ``"columns"`` (read from the data), or ``"none"``.
    """

    y_true: np.ndarray | None
    y_pred: np.ndarray | None
    proba: np.ndarray | None
    source: str


@dataclass
class Context:
    """Everything the sections read.

    Parameters
    ----------
    config : AuditConfig
    reference, current : Table
    roles : Roles
    model : Model or None
    model_features : tuple of str
        The columns the model reads (the feature columns without a model).
    task : {"classification", "regression"} or None
        None when there is neither a target nor a prediction.
    classes : list or None
        Classification: the sorted classes of the target and the predictions.
    pos_label : Any
        The positive class (None for regression and for several classes without one named).
    outputs : dict of str to Outputs
        Per dataset.
    n_jobs : int or None
    """

    config: AuditConfig
    reference: Table
    current: Table
    roles: Roles
    model: Model | None
    model_features: tuple[str, ...]
    task: str | None
    classes: list[Any] | None
    pos_label: Any
    outputs: dict[str, Outputs]
    n_jobs: int | None
    results: dict[str, SectionResult] = field(default_factory=dict)

    @property
    def tables(self) -> tuple[Table, Table]:
        """(reference, current)."""
        return (self.reference, self.current)

    @property
    def positive_index(self) -> int | None:
        """The column of ``pos_label`` among the classes (None when there is none)."""
        if self.classes is None or self.pos_label is None:
            return None
        matches = [i for i, c in enumerate(self.classes) if c == self.pos_label]
        return matches[0] if matches else None

    def score(self, which: str) -> np.ndarray | None:
        """The positive class's probability on a dataset (None without probabilities)."""
        proba, index = self.outputs[which].proba, self.positive_index
        return None if proba is None or index is None else proba[:, index]

    def valid_rows(self, which: str) -> np.ndarray | None:
        """The rows of a dataset with both a label and a prediction (None without either column)."""
        outputs = self.outputs[which]
        if outputs.y_true is None or outputs.y_pred is None:
            return None
        return ~is_missing(outputs.y_true) & ~is_missing(outputs.y_pred)

    def class_index(self, y: np.ndarray) -> np.ndarray:
        """Each row's class position among ``classes`` (-1 for a class the model does not know)."""
        classes = self.classes or []
        index = np.full(len(y), -1, dtype=np.int64)
        for position, label in enumerate(classes):
            index[y == label] = position
        return index


def column_labels(column: Column) -> np.ndarray:
    """A column's values as labels: category labels (missing as None) or numbers (integers
    as int64 when every value is a finite integer, else float64 with NaN for missing)."""
    if column.kind == CATEGORICAL:
        labels = np.asarray([*(column.labels or []), None], dtype=object)
        return labels[np.asarray(column.values, dtype=np.int64)]
    values = column.values
    if (
        len(values)
        and np.isfinite(values).all()
        and (values == np.round(values)).all()
        and np.abs(values).max() < 2**53
    ):
        return values.astype(np.int64)
    return values


def is_missing(values: np.ndarray) -> np.ndarray:
    """Missing labels: None in object arrays, NaN in float arrays."""
    if values.dtype == object:
        return np.asarray([v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()], bool)
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.zeros(len(values), dtype=bool)


def interval_quantiles(confidence_level: float) -> list[float]:
    """The lower and upper quantiles of a two-sided percentile interval."""
    alpha = 1.0 - confidence_level
    return [alpha / 2, 1.0 - alpha / 2]


def measurement(
    section: str,
    metric: str,
    subject: str,
    value: Any,
    interval: Sequence[Any] | None = None,
    dataset: str | None = None,
    confidence_level: float | None = None,
    note: str = "",
) -> Measurement:
    """A Measurement from values that may be numpy scalars or None (NaN)."""

    def number(x: Any) -> float:
        return math.nan if x is None else float(x)

    lower, upper = (math.nan, math.nan) if interval is None else (number(interval[0]), number(interval[1]))
    level = None if interval is None or (math.isnan(lower) and math.isnan(upper)) else confidence_level
    return Measurement(section, metric, subject, number(value), lower, upper, dataset, level, note)


def subject_of(features: Sequence[str], group: Any) -> str:
    """A group's subject: ``"sex=F"``, or ``"sex=F & race=B"`` for an intersection."""
    levels = group if isinstance(group, tuple) else (group,)
    return " & ".join(f"{name}={level}" for name, level in zip(features, levels))
