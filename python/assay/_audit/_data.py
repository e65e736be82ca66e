"""The audit's two tables: conversion once, seeded row samples, column roles, fingerprints.

Each table is converted once to assay's column form (:class:`assay._frame.Frame`), which
every engine accepts as it is; the user's own object is kept (row-sampled the same way) for
the model, which must see the types it was trained on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._fingerprint import table_fingerprint
from .._frame import CATEGORICAL, Column, Frame, as_frame
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import NJobs

__all__ = [
    "Roles",
    "Table",
    "class_array",
    "fingerprint",
    "group_values",
    "load_table",
    "resolve_roles",
    "sample",
    "unused_name",
]

MISSING_LEVEL = "(missing)"


@dataclass(frozen=True)
class Table:
    """One dataset of the audit.

    Parameters
    ----------
    which : {"reference", "current"}
    source : Any
        The user's table (pandas, polars, pyarrow, numpy or a mapping), row-sampled like
        ``frame``; what a model is given.
    frame : Frame
        Every column in assay's form.
    n_rows_given : int
        Rows before sampling.
    rows : numpy.ndarray or None
        The sampled rows' positions in the given table (None: every row, in order).
    """

    which: str
    source: Any
    frame: Frame
    n_rows_given: int
    rows: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Rows audited (after sampling)."""
        return self.frame.n_rows

    @property
    def columns(self) -> list[str]:
        """Column names, in the table's order."""
        return self.frame.names

    def has(self, name: str | None) -> bool:
        """Whether the table has this column (False for None)."""
        return name is not None and name in self.frame


def _take(data: Any, rows: np.ndarray) -> Any:
    """The rows of a table, in the table's own type."""
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "iloc"):
        return data.iloc[rows].reset_index(drop=True)
    if module == "polars" and hasattr(data, "gather"):
        return data.gather(rows)
    if module == "pyarrow" and hasattr(data, "take"):
        return data.take(rows)
    if isinstance(data, Mapping):
        return {name: _take_column(values, rows) for name, values in data.items()}
    return np.asarray(data)[rows]


def _take_column(values: Any, rows: np.ndarray) -> Any:
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and hasattr(values, "iloc"):
        return values.iloc[rows].reset_index(drop=True)
    if module in ("polars", "pyarrow") and hasattr(values, "gather" if module == "polars" else "take"):
        return values.gather(rows) if module == "polars" else values.take(rows)
    return np.asarray(values)[rows]


def _frame_rows(frame: Frame, rows: np.ndarray) -> Frame:
    columns = [Column(c.name, c.values[rows], c.labels, c.source_dtype, c.type_counts) for c in frame.columns]
    return Frame(columns, len(rows))


def load_table(data: Any, which: str, sample_size: int | None, seed: int) -> Table:
    """Converts a table and draws its row sample.

    Parameters
    ----------
    data : TableLike
    which : {"reference", "current"}
        Also the argument named in errors.
    sample_size : int or None
        Rows drawn without replacement (seeded, kept in their order); None or at least
        the table's rows: every row.
    seed : int

    Returns
    -------
    Table

    Raises
    ------
    InvalidTypeError, InvalidInputError
        When ``data`` is not a table (the message starts with ``which``) or has no rows.
    """
    if data is None:
        raise InvalidTypeError(f"{which}: expected a table, got None")
    frame = as_frame(data, argument=which)
    if frame.n_rows == 0:
        raise InvalidInputError(f"{which}: the table has no rows")
    if not frame.columns:
        raise InvalidInputError(f"{which}: the table has no columns")
    n_given = frame.n_rows
    if sample_size is None or sample_size >= n_given:
        return Table(which, data, frame, n_given)
    # One generator per dataset, so that the reference sample does not depend on the current's.
    return sample(Table(which, data, frame, n_given), sample_size, seed, 0 if which == "reference" else 1)


def class_array(classes: Sequence[Any]) -> np.ndarray:
    """Class labels as an array whose type matches the target's: int64 for integers, float64 for
    floats, else objects (so that labels compare equal with the target column)."""
    if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in classes):
        return np.asarray(classes, dtype=np.int64)
    if all(isinstance(c, (float, np.floating)) for c in classes):
        return np.asarray(classes, dtype=np.float64)
    return np.asarray(classes, dtype=object)


def unused_name(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name`` with underscores appended until it is not taken."""
    while name in taken:
        name = f"{name}_"
    return name


@dataclass(frozen=True)
class Roles:
    """Which column plays which role in the audit.

    Parameters
    ----------
    target, prediction : str or None
        Column names in the tables (a model's predictions are not columns).
    prediction_score : tuple of str
        The positive class's probability, or one column per class.
    sensitive_features : tuple of str
    exclude : tuple of str
    features : tuple of str
        The columns the data sections treat as features: every column of the reference
        except the target, the prediction and score columns and the excluded ones
        (sensitive features included).
    """

    target: str | None
    prediction: str | None
    prediction_score: tuple[str, ...]
    sensitive_features: tuple[str, ...]
    exclude: tuple[str, ...]
    features: tuple[str, ...]

    @property
    def outputs(self) -> tuple[str, ...]:
        """The model-output columns (prediction and scores)."""
        return ((self.prediction,) if self.prediction else ()) + self.prediction_score


def resolve_roles(
    reference: Table,
    current: Table,
    *,
    target: str | None,
    prediction: str | None,
    prediction_score: Sequence[str],
    sensitive_features: Sequence[str],
    exclude: Sequence[str],
) -> Roles:
    """Checks that the named columns exist and derives the feature columns.

    Raises
    ------
    InvalidInputError
        A named column absent from both tables (naming the role), a sensitive feature
        absent from a table, or a column named in two roles.
    """
    named: dict[str, str] = {}
    for role, names in (
        ("target", [target] if target else []),
        ("prediction", [prediction] if prediction else []),
        ("prediction_score", list(prediction_score)),
        ("sensitive_features", list(sensitive_features)),
    ):
        for name in names:
            if name in named and named[name] != role:
                raise InvalidInputError(f"{role}: column {name!r} is already the {named[name]}")
            named[name] = role
            if role == "sensitive_features":
                absent = [t.which for t in (reference, current) if not t.has(name)]
                if absent:
                    raise InvalidInputError(
                        f"sensitive_features: no column {name!r} in the {' and '.join(absent)} data"
                    )
            elif not reference.has(name) and not current.has(name):
                raise InvalidInputError(f"{role}: no column {name!r} in the reference or the current data")
            if name in exclude:
                raise InvalidInputError(f"exclude: column {name!r} is also the {role}")
    left_out = set(exclude) | {n for n, role in named.items() if role != "sensitive_features"}
    features = tuple(c for c in reference.columns if c not in left_out)
    return Roles(target, prediction, tuple(prediction_score), tuple(sensitive_features), tuple(exclude), features)


def group_values(column: Column) -> Any:
    """A column as fairness group labels: a pandas Categorical with missing values as their
    own level ``"(missing)"`` (so that every engine sees the same groups)."""
    import pandas as pd

    if column.kind == CATEGORICAL:
        labels = list(column.labels or [])
        codes = np.asarray(column.values, dtype=np.int64)
    else:
        values = column.values
        present = ~np.isnan(values)
        levels = np.unique(values[present])
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[present] = np.searchsorted(levels, values[present])
        labels = [format(v, "g") for v in levels.tolist()]
    if (codes < 0).any():
        name = unused_name(MISSING_LEVEL, labels)
        codes = np.where(codes < 0, len(labels), codes)
        labels = [*labels, name]
    return pd.Categorical.from_codes(codes, categories=labels)


def fingerprint(frame: Frame, n_jobs: NJobs = None) -> dict[str, Any]:
    """An order-independent content fingerprint of a table, computed in the core.

    Each row is hashed over its columns in name order (each keyed by its kind and name;
    a number by its float64 bits with -0.0 as 0.0 and one NaN, a category by its label's
    hash); the row hashes are combined by their sum modulo 2**64 and their exclusive or.
    The quality check folds the same fingerprint from its duplicate-rows hashes.

    Parameters
    ----------
    frame : Frame
    n_jobs : NJobs, default None
        Threads; the result does not depend on it.

    Returns
    -------
    dict
        ``method``, ``rows``, ``columns``, ``sum`` and ``xor`` (16 hexadecimal digits each)
        and ``value`` (the two joined).
    """
    return table_fingerprint(frame, n_jobs)


def sample(table: Table, size: int, seed: int, stream: int) -> Table:
    """At most ``size`` rows of a table, drawn without replacement from ``(seed, stream)``
    and kept in their order (the table itself when it is not larger)."""
    if table.n_rows <= size:
        return table
    rng = np.random.default_rng([seed, stream])
    rows = np.sort(rng.choice(table.n_rows, size=size, replace=False))
    return Table(table.which, _take(table.source, rows), _frame_rows(table.frame, rows), table.n_rows_given, rows)
