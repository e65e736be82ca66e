"""assay on Spark: the functions a ``mapInArrow`` call runs on each partition to reduce it to
one row holding a mergeable state, and the merges of the collected states on the driver
(extra ``assay[spark]``).

Each partition's Arrow record batches are read by assay's own calls (no Python loop over
rows) and reduced to one row of the schema [`STATE_SCHEMA`][assay.spark.STATE_SCHEMA]:

* [`profile_states`][assay.spark.profile_states]: the one-pass sketch profile
  (``quality.profile(batch, exact=False)``) of the partition, as the profile's JSON state;
* [`confusion_states`][assay.spark.confusion_states]: the confusion counts per group of a
  [`ConfusionAccumulator`][assay.fairness.ConfusionAccumulator], as its bytes.

On the driver, [`merge_profiles`][assay.spark.merge_profiles] and
[`merge_confusion`][assay.spark.merge_confusion] merge the collected states in a fixed
balanced tree, in the order given. Confusion counts are integers: the merged counts (and
every metric ``by_group`` computes from them) equal the single-machine call on the same rows
for any partitioning and merge order. A sketch profile's counts, missing values, infinities,
zeros, negatives, minimum and maximum are exact too; its quantiles, histograms, distinct counts
and value tables are estimates within the bounds the merged profile states.

The functions take and give ``pyarrow.RecordBatch`` iterators, so they run without a Spark
session too (as in the examples below); see the Spark guide for the ``mapInArrow`` recipe.

Examples
--------
>>> import pyarrow as pa
>>> from assay import spark as aspark
>>> batches = [pa.record_batch({"x": [1.0, 2.0]}), pa.record_batch({"x": [3.0, None]})]
>>> states = [row for out in aspark.profile_states(iter(batches)) for row in out.column("state").to_pylist()]
>>> merged = aspark.merge_profiles(states)
>>> merged["x"]["count"], merged["x"]["missing"], merged["x"]["max"]
(4, 1, 3.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from . import quality
from .errors import InvalidInputError, InvalidTypeError, MissingDependencyError
from .fairness import ConfusionAccumulator

try:
    import pyarrow as pa
    import pyspark  # noqa: F401  (the extra: the recipe runs inside Spark)
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise MissingDependencyError("assay.spark needs PySpark and pyarrow: pip install 'assay[spark]'") from error

__all__ = ["STATE_SCHEMA", "confusion_states", "merge_confusion", "merge_profiles", "profile_states"]

STATE_SCHEMA = "state binary"
"""The schema (Spark DDL) of the rows the state functions yield: one binary column ``state``,
to pass as ``mapInArrow``'s second argument."""

_T = TypeVar("_T")


def _state_batch(state: bytes) -> Any:
    """One row of STATE_SCHEMA."""
    return pa.record_batch([pa.array([state], type=pa.binary())], names=["state"])


def _tree(items: Iterable[_T], merge: Callable[[_T, _T], _T]) -> _T | None:
    """The items merged in a balanced binary tree fixed by their order and number: a binary
    counter of partial merges (as a mergeable summary's stream), holding O(log n) of them.
    Each item passes through at most log2(n) + 1 merges, so a sketch's bound grows with the
    logarithm of the number of items, not with the number."""
    levels: list[tuple[int, _T]] = []  # (count of items merged, state), counts strictly decreasing
    for item in items:
        count, state = 1, item
        while levels and levels[-1][0] == count:
            older = levels.pop()[1]
            count, state = 2 * count, merge(older, state)
        levels.append((count, state))
    if not levels:
        return None
    state = levels.pop()[1]
    while levels:
        state = merge(levels.pop()[1], state)
    return state


def _batches(batches: Any) -> Iterator[Any]:
    if isinstance(batches, (pa.RecordBatch, pa.Table)) or not isinstance(batches, Iterable):
        raise InvalidTypeError(f"batches: expected an iterator of pyarrow RecordBatches, got {type(batches).__name__}")
    for batch in batches:
        if not isinstance(batch, pa.RecordBatch):
            raise InvalidTypeError(f"batches: expected pyarrow RecordBatches, got {type(batch).__name__}")
        yield batch


def _state_bytes(state: Any, position: int) -> bytes:
    if isinstance(state, (bytearray, memoryview)):
        return bytes(state)
    if not isinstance(state, bytes):
        raise InvalidTypeError(f"states[{position}]: expected bytes, got {type(state).__name__}")
    return state


def _merged_states(
    states: Iterable[Any], load: Callable[[bytes], _T], merge: Callable[[_T, _T], _T], if_none: str
) -> _T:
    """The collected states, each checked to be bytes and loaded, merged by ``_tree``; no
    states at all is an InvalidInputError saying ``if_none``."""
    merged = _tree((load(_state_bytes(state, k)) for k, state in enumerate(states)), merge)
    if merged is None:
        raise InvalidInputError(if_none)
    return merged


def profile_states(batches: Iterable[Any], *, histogram_bins: int = 20, tracked_values: int = 64) -> Iterator[Any]:
    """The ``mapInArrow`` function of a sketch profile: one row holding the partition's state.

    Each record batch is profiled by ``quality.profile(batch, exact=False)``; the batches'
    profiles merge in a balanced tree fixed by their order (a few states held at once, not the
    partition). The row's ``state`` is the merged profile's JSON state
    ([`Profile.to_json`][assay.quality.Profile.to_json], UTF-8), carrying the sketch and the
    options. An empty partition yields no row.

    Parameters
    ----------
    batches : iterator of pyarrow.RecordBatch
        The partition's batches, as ``mapInArrow`` passes them.
    histogram_bins : int, default 20
        Equal-width bins of each numeric histogram (as ``quality.profile``).
    tracked_values : int, default 64
        How many of the most frequent values each column keeps (as ``quality.profile``);
        every partition of one profile must use the same number.

    Yields
    ------
    pyarrow.RecordBatch
        One row of [`STATE_SCHEMA`][assay.spark.STATE_SCHEMA], unless the partition is empty.

    Raises
    ------
    InvalidTypeError
        ``batches`` is not an iterator of record batches, or a column's type is not supported
        (as ``quality.profile``).
    InvalidInputError
        ``histogram_bins`` or ``tracked_values`` is not a positive integer.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from assay import quality, spark as aspark
    >>> batch = pa.record_batch({"x": [1.0, 2.0, 3.0], "city": ["Bern", "Chur", "Bern"]})
    >>> (row,) = aspark.profile_states(iter([batch]))
    >>> quality.Profile.from_json(row.column("state")[0].as_py())["city"]["distinct"]
    2
    """

    def one(batch: Any) -> quality.Profile:
        return quality.profile(batch, histogram_bins=histogram_bins, tracked_values=tracked_values, exact=False)

    merged = _tree((one(batch) for batch in _batches(batches)), quality.Profile.merge)
    if merged is not None:
        yield _state_batch(merged.to_json().encode("utf-8"))


def merge_profiles(states: Iterable[Any]) -> quality.Profile:
    """The profile of every partition's rows, from the states of
    [`profile_states`][assay.spark.profile_states], merged in a balanced tree fixed by their
    order.

    Counts, missing values, infinities, zeros, negatives, minimum and maximum equal the
    single-machine ``quality.profile(..., exact=False)`` of the same rows; mean and standard
    deviation agree to rounding; quantiles lie within ``quantile_rank_error`` x (finite values)
    ranks of the exact ones, histogram bins within twice that, value tables within
    ``values_count_error`` and distinct counts within HyperLogLog's error (exact while the
    value table holds every value).

    Parameters
    ----------
    states : iterable of bytes
        The ``state`` column of the rows ``profile_states`` yielded, e.g. from
        ``collect()`` (which keeps the partitions' order, so the result is reproducible).

    Returns
    -------
    Profile
        The merged sketch profile (``exact`` False).

    Raises
    ------
    CorruptedStateError
        A state that does not decode (truncated, altered, another format).
    InvalidInputError
        No states (every partition empty), or states of different columns.
    InvalidTypeError
        A state that is not bytes.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from assay import spark as aspark
    >>> parts = [pa.record_batch({"x": [float(i) for i in range(k, k + 10)]}) for k in (0, 10, 20)]
    >>> states = [next(aspark.profile_states(iter([part]))).column("state")[0].as_py() for part in parts]
    >>> merged = aspark.merge_profiles(states)
    >>> merged["x"]["count"], merged["x"]["min"], merged["x"]["max"], merged["x"]["mean"]
    (30, 0.0, 29.0, 14.5)
    """
    if_none = "states: no states to merge (every partition was empty)"
    return _merged_states(states, quality.Profile.from_json, quality.Profile.merge, if_none)


def confusion_states(
    batches: Iterable[Any],
    *,
    y_true: str,
    y_pred: str,
    levels: Mapping[str, Sequence[Any]],
    labels: Sequence[Any],
) -> Iterator[Any]:
    """The ``mapInArrow`` function of per-group confusion counts: one row holding the
    partition's [`ConfusionAccumulator`][assay.fairness.ConfusionAccumulator] bytes.

    Each record batch updates one accumulator with its ``y_true``, ``y_pred`` and sensitive
    feature columns (the keys of ``levels``); an empty partition yields the empty
    accumulator's state.

    Parameters
    ----------
    batches : iterator of pyarrow.RecordBatch
        The partition's batches, as ``mapInArrow`` passes them.
    y_true : str
        The column of true labels.
    y_pred : str
        The column of predicted labels.
    levels : mapping of str to sequence
        Each sensitive feature column's name and its possible values (every combination is
        a group, in the order given), as ``ConfusionAccumulator``.
    labels : sequence
        The class labels, as ``ConfusionAccumulator``.

    Yields
    ------
    pyarrow.RecordBatch
        One row of [`STATE_SCHEMA`][assay.spark.STATE_SCHEMA].

    Raises
    ------
    InvalidInputError
        A column missing from the batches, a value or label that was not declared, or
        levels and labels that ``ConfusionAccumulator`` refuses.
    InvalidTypeError
        ``batches`` is not an iterator of record batches, or a column name is not a str.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from assay import spark as aspark
    >>> batch = pa.record_batch({"y": [1, 0, 1], "p": [1, 1, 1], "sex": ["f", "m", "m"]})
    >>> spec = {"y_true": "y", "y_pred": "p", "levels": {"sex": ["f", "m"]}, "labels": [0, 1]}
    >>> (row,) = aspark.confusion_states(iter([batch]), **spec)
    >>> aspark.merge_confusion(row.column("state").to_pylist()).counts.tolist()
    [[[0, 0], [0, 1]], [[0, 1], [0, 1]]]
    """
    for argument, name in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(name, str):
            raise InvalidTypeError(f"{argument}: expected a column name (str), got {type(name).__name__}")
    accumulator = ConfusionAccumulator(levels=levels, labels=labels)
    needed = [y_true, y_pred, *accumulator.levels]
    for batch in _batches(batches):
        missing = [name for name in needed if name not in batch.schema.names]
        if missing:
            raise InvalidInputError(f"batches: columns {missing} not found among {batch.schema.names}")
        columns = {name: batch.column(name).to_numpy(zero_copy_only=False) for name in needed}
        accumulator.update(
            columns[y_true], columns[y_pred], sensitive_features={name: columns[name] for name in accumulator.levels}
        )
    yield _state_batch(accumulator.to_bytes())


def merge_confusion(states: Iterable[Any]) -> ConfusionAccumulator:
    """The confusion counts of every partition's rows, from the states of
    [`confusion_states`][assay.spark.confusion_states]: equal, cell by cell, to one
    accumulator (or ``MetricFrame``) over all rows, in any order of the states.

    Parameters
    ----------
    states : iterable of bytes
        The ``state`` column of the rows ``confusion_states`` yielded.

    Returns
    -------
    ConfusionAccumulator
        The merged accumulator: ``counts``, ``by_group(...)``, ``to_bytes()``.

    Raises
    ------
    CorruptedStateError
        A state that does not decode (truncated, altered, another format).
    InvalidInputError
        No states, or states of different levels or labels.
    InvalidTypeError
        A state that is not bytes.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from assay import spark as aspark
    >>> spec = {"y_true": "y", "y_pred": "p", "levels": {"g": ["a", "b"]}, "labels": [0, 1]}
    >>> first = pa.record_batch({"y": [1, 0], "p": [1, 1], "g": ["a", "b"]})
    >>> second = pa.record_batch({"y": [1], "p": [0], "g": ["a"]})
    >>> parts = [first, second]
    >>> states = [next(aspark.confusion_states(iter([part]), **spec)).column("state")[0].as_py() for part in parts]
    >>> aspark.merge_confusion(states).by_group(["count", "true_positive_rate"])
       count  true_positive_rate
    g
    a    2.0                 0.5
    b    1.0                 NaN
    """
    if_none = "states: no states to merge"
    return _merged_states(states, ConfusionAccumulator.from_bytes, ConfusionAccumulator.merge, if_none)
