"""Streaming fairness statistics: per-group confusion counts or regression sums
accumulated chunk by chunk, merged across workers and serialised, for data that does
not fit in one call."""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._util import n_jobs_arg, require_fits
from ..errors import CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError
from ..typing import ArrayLike, NJobs
from ._checks import INT32_MAX
from ._inputs import as_numeric, as_weights, to_numpy

_core_fair = _core.fairness
_FORMAT = 1


class _GroupAccumulator:
    """What both accumulators share: declared levels (every combination is a group, in
    the order given), the group codes of a chunk, merging and the byte format (a JSON
    header, then the core statistics' bytes)."""

    _stats_type: Any  # the core's ConfusionStats or RegressionStats
    _stats: Any  # the accumulated statistics, an instance of _stats_type

    def __init__(self, levels: Mapping[str, Sequence[Any]], weighted: bool) -> None:
        import pandas as pd

        if not isinstance(levels, Mapping):
            raise InvalidTypeError(f"levels must map each sensitive feature to its values, got {type(levels).__name__}")
        if not levels:
            raise InvalidInputError("levels: at least one sensitive feature is required")
        self.levels: dict[str, list[Any]] = {}
        for name, values in levels.items():
            if isinstance(values, (str, bytes, Mapping)) or np.ndim(values) != 1:
                raise InvalidTypeError(f"levels['{name}'] must be a list of values, got {type(values).__name__}")
            self.levels[str(name)] = list(values)
        for name, values in self.levels.items():
            if not values or len(set(map(repr, values))) != len(values):
                raise InvalidInputError(f"levels['{name}'] must list distinct values")
        self.weighted = bool(weighted)
        self.n_groups = math.prod(len(v) for v in self.levels.values())
        if self.n_groups > INT32_MAX:
            raise ResourceLimitError(
                f"levels: {self.n_groups} combinations of levels exceed the {INT32_MAX} groups an accumulator can index"
            )
        self._level_index = {name: pd.Index(values) for name, values in self.levels.items()}

    def _header(self) -> dict[str, Any]:
        return {"levels": self.levels, "weighted": self.weighted}

    def _same_kind(self, other: Any) -> bool:
        return type(other) is type(self) and other._header() == self._header()

    @staticmethod
    def _codes(values: ArrayLike, index: Any, argument: str) -> np.ndarray:
        array = to_numpy(values, argument)
        if array.dtype.kind == "f":
            array = array.astype(np.float64)  # pandas indexes refuse float16
        elif array.dtype.kind in "cmM":
            raise InvalidTypeError(f"{argument}: unsupported dtype {array.dtype}")
        try:
            codes = index.get_indexer(array)
        except (TypeError, ValueError, NotImplementedError) as error:
            raise InvalidTypeError(f"{argument}: values cannot be matched to the declared ones ({error})") from error
        if (codes < 0).any():
            unknown = np.unique(array[codes < 0].astype(str))[:5].tolist()
            raise InvalidInputError(f"{argument}: values not declared: {unknown}")
        return codes.astype(np.int32)

    def _chunk(
        self, n: int, sensitive_features: Mapping[str, ArrayLike], sample_weight: ArrayLike | None, n_jobs: NJobs
    ) -> tuple[np.ndarray, np.ndarray | None, int]:
        """(row groups, weights, threads) of a chunk of n rows, checked."""
        missing = set(self.levels) - set(sensitive_features)
        if missing:
            raise InvalidInputError(f"sensitive_features: missing features {sorted(missing)}")
        if self.weighted != (sample_weight is not None):
            raise InvalidInputError("sample_weight: give it on every update of a weighted accumulator, and only then")
        weights = as_weights(sample_weight, n, normalise=False)  # chunks must share one scale
        specs = []
        for name, index in self._level_index.items():
            codes = self._codes(sensitive_features[name], index, f"sensitive_features['{name}']")
            if len(codes) != n:
                raise InvalidInputError(f"sensitive_features['{name}'] has {len(codes)} rows but y_true has {n}")
            specs.append((name, codes, len(index)))
        jobs = n_jobs_arg(n_jobs)
        return (
            _core_fair.build_group_index(specs, _core_fair.MissingPolicy.error, False, jobs)["row_group"],
            weights,
            jobs,
        )

    def merge(self, other: Any) -> Any:
        """A new accumulator holding the rows of both: its statistics equal one pass over all rows.

        Parameters
        ----------
        other : accumulator
            An accumulator of the same kind, levels, labels and weighting.

        Returns
        -------
        accumulator
            A new accumulator; neither input changes.

        Raises
        ------
        InvalidInputError
            ``other`` is of another kind, or has other levels, labels or weighting.

        Examples
        --------
        >>> from assay.fairness import ConfusionAccumulator
        >>> first = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> first = first.update([1, 0, 1, 1], [1, 0, 1, 0], sensitive_features={"sex": ["f", "f", "f", "f"]})
        >>> second = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> second = second.update([0, 1, 0, 0], [1, 1, 1, 0], sensitive_features={"sex": ["m", "m", "m", "m"]})
        >>> first.merge(second).counts.sum(axis=(1, 2))
        array([4, 4])
        """
        if not self._same_kind(other):
            raise InvalidInputError("cannot merge accumulators with different levels, labels, weighting or kind")
        merged = type(self)(**self._header())
        merged._stats = self._stats.merge(other._stats)
        return merged

    def to_bytes(self) -> bytes:
        """The accumulator as bytes (a JSON header, then the statistics), read back by ``from_bytes``.

        Returns
        -------
        bytes
            A versioned serialisation, for moving accumulators between processes or machines.

        Examples
        --------
        >>> from assay.fairness import ConfusionAccumulator
        >>> first = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> first = first.update([1, 0, 1, 1], [1, 0, 1, 0], sensitive_features={"sex": ["f", "f", "f", "f"]})
        >>> second = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> second = second.update([0, 1, 0, 0], [1, 1, 1, 0], sensitive_features={"sex": ["m", "m", "m", "m"]})
        >>> restored = ConfusionAccumulator.from_bytes(first.to_bytes())
        >>> bool((restored.counts == first.counts).all())
        True
        """
        header = json.dumps({"format": _FORMAT, "kind": type(self).__name__, **self._header()})
        encoded = header.encode("utf-8")
        return len(encoded).to_bytes(8, "little") + encoded + self._stats.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        """The accumulator that ``to_bytes`` serialised.

        Parameters
        ----------
        data : bytes
            What ``to_bytes`` returned (bytes, bytearray or memoryview).

        Returns
        -------
        accumulator
            An accumulator of this class, equal to the one serialised.

        Raises
        ------
        CorruptedStateError
            Bytes that do not decode: truncated, another kind, another format version, a
            header that does not match, or inconsistent counts; the message says why.
        InvalidTypeError
            ``data`` is not bytes.

        Examples
        --------
        >>> from assay.fairness import RegressionAccumulator
        >>> accumulator = RegressionAccumulator(levels={"region": ["north", "south"]})
        >>> accumulator = accumulator.update([1.0, 2.0], [1.5, 2.0], sensitive_features={"region": ["north", "south"]})
        >>> RegressionAccumulator.from_bytes(accumulator.to_bytes()).rows.tolist()
        [1, 1]
        """
        name = cls.__name__
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidTypeError(f"data: expected bytes, got {type(data).__name__}")
        data = bytes(data)

        def corrupted(why: str) -> CorruptedStateError:
            return CorruptedStateError(f"data: not a serialised {name}: {why}")

        if len(data) < 8:
            raise corrupted(f"{len(data)} bytes, shorter than the 8-byte header length")
        size = int.from_bytes(data[:8], "little")
        if size > len(data) - 8:
            raise corrupted(f"the header length {size} exceeds the {len(data) - 8} bytes that follow (truncated?)")
        try:
            header = json.loads(data[8 : 8 + size].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise corrupted("the header is not JSON") from error
        if not isinstance(header, dict):
            raise corrupted("the header is not a JSON object")
        version = header.pop("format", None)
        if version != _FORMAT:
            raise corrupted(f"format version {version!r} is not supported (this version reads {_FORMAT})")
        kind = header.pop("kind", name)
        if kind != name:
            raise corrupted(f"the bytes hold a {kind!r}")
        expected = set(inspect.signature(cls.__init__).parameters) - {"self"}
        if set(header) != expected:
            raise corrupted(f"header fields {sorted(header)} differ from {sorted(expected)}")
        try:
            result = cls(**header)
        except (InvalidInputError, TypeError, ValueError) as error:
            raise corrupted(f"the header does not describe an accumulator ({error})") from error
        try:
            stats = cls._stats_type.from_bytes(data[8 + size :])
        except CorruptedStateError as error:
            raise corrupted(str(error)) from error
        if stats.n_groups != result.n_groups or stats.weighted != result.weighted or not result._fits(stats):
            raise corrupted("the counts do not match the levels, labels or weighting of the header")
        result._stats = stats
        return result

    def _fits(self, stats: Any) -> bool:
        return True

    def _frame(self, columns: dict[str, np.ndarray]) -> Any:
        """A DataFrame indexed by every combination of the declared levels."""
        import pandas as pd

        index = pd.MultiIndex.from_product(list(self.levels.values()), names=list(self.levels))
        if len(self.levels) == 1:
            index = index.get_level_values(0)
        return pd.DataFrame(columns, index=index)


class ConfusionAccumulator(_GroupAccumulator):
    """Per-group confusion counts over declared levels, updated chunk by chunk.

    For data that does not fit in one call: ``update`` adds a chunk; ``merge`` combines
    accumulators built on other chunks (or other machines, via ``to_bytes`` /
    ``from_bytes``); the counts of the merged accumulator equal those of one pass over all
    rows. ``by_group`` computes the built-in classification metrics from the counts.

    Parameters
    ----------
    levels : mapping of str to sequence
        Each sensitive feature's name and its possible values; every combination is a
        group, in the order given.
    labels : sequence
        The class labels of ``y_true`` and ``y_pred`` (at most 2**15).
    weighted : bool, default False
        Whether every update carries ``sample_weight``.

    Raises
    ------
    InvalidInputError
        No features, repeated levels or labels, or no labels.
    InvalidTypeError
        ``levels`` is not a mapping of lists, or ``labels`` is not a list.
    ResourceLimitError
        Too many combinations of levels, or labels, to index or to hold in memory.

    Examples
    --------
    >>> from assay.fairness import ConfusionAccumulator
    >>> first = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
    >>> first = first.update([1, 0, 1, 1], [1, 0, 1, 0], sensitive_features={"sex": ["f", "f", "f", "f"]})
    >>> second = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
    >>> second = second.update([0, 1, 0, 0], [1, 1, 1, 0], sensitive_features={"sex": ["m", "m", "m", "m"]})
    >>> first.merge(second).by_group(["selection_rate", "true_positive_rate"])
         selection_rate  true_positive_rate
    sex
    f              0.50            0.666667
    m              0.75            1.000000
    """

    _stats_type = _core_fair.ConfusionStats

    def __init__(self, *, levels: Mapping[str, Sequence[Any]], labels: Sequence[Any], weighted: bool = False) -> None:
        import pandas as pd

        super().__init__(levels, weighted)
        if isinstance(labels, (str, bytes)) or np.ndim(labels) != 1:
            raise InvalidTypeError(f"labels must be a list of class labels, got {type(labels).__name__}")
        self.labels = list(labels)
        if len(self.labels) > 2**15:
            raise ResourceLimitError(f"labels: {len(self.labels)} class labels; at most {2**15} are supported")
        if len(self.labels) < 1 or len(set(map(repr, self.labels))) != len(self.labels):
            raise InvalidInputError("labels must list distinct class labels")
        self._label_index = pd.Index(self.labels)
        require_fits(
            "levels",
            32 * self.n_groups * len(self.labels) ** 2,
            f"confusion counts of {self.n_groups} groups x {len(self.labels)} labels",
        )
        empty = np.zeros(0, dtype=np.int32)
        self._stats = _core_fair.accumulate_confusion(
            empty, self.n_groups, empty, empty, len(self.labels), np.zeros(0) if self.weighted else None, 1
        )

    def _header(self) -> dict[str, Any]:
        return {**super()._header(), "labels": self.labels}

    def _fits(self, stats: Any) -> bool:
        return stats.n_classes == len(self.labels)

    def update(
        self,
        y_true: ArrayLike,
        y_pred: ArrayLike,
        *,
        sensitive_features: Mapping[str, ArrayLike],
        sample_weight: ArrayLike | None = None,
        n_jobs: NJobs = None,
    ) -> ConfusionAccumulator:
        """Adds a chunk of rows, in place.

        Parameters
        ----------
        y_true : ArrayLike
            True labels of the chunk, among the declared ``labels``.
        y_pred : ArrayLike
            Predicted labels of the chunk, among the declared ``labels``.
        sensitive_features : mapping of str to ArrayLike
            Each declared feature's values for the rows (only declared values).
        sample_weight : ArrayLike, optional
            Non-negative finite weights, one per row: required on every update of a
            weighted accumulator, and only then (the chunks share one scale, so the sum
            must not overflow).
        n_jobs : NJobs, optional
            Threads for the core (None or -1: all cores); results do not depend on it.

        Returns
        -------
        ConfusionAccumulator
            self.

        Raises
        ------
        InvalidInputError
            Lengths differ, a value or label that was not declared, a declared feature
            missing, or weights given when not declared (or missing when declared).
        InvalidTypeError
            Values that cannot be matched to the declared ones.

        Examples
        --------
        >>> from assay.fairness import ConfusionAccumulator
        >>> first = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> first = first.update([1, 0, 1, 1], [1, 0, 1, 0], sensitive_features={"sex": ["f", "f", "f", "f"]})
        >>> second = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> second = second.update([0, 1, 0, 0], [1, 1, 1, 0], sensitive_features={"sex": ["m", "m", "m", "m"]})
        >>> first.counts[0].tolist()
        [[1, 0], [1, 2]]
        """
        t = self._codes(y_true, self._label_index, "y_true")
        p = self._codes(y_pred, self._label_index, "y_pred")
        if len(p) != len(t):
            raise InvalidInputError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
        row_group, weights, jobs = self._chunk(len(t), sensitive_features, sample_weight, n_jobs)
        chunk = _core_fair.accumulate_confusion(row_group, self.n_groups, t, p, len(self.labels), weights, jobs)
        self._stats = self._stats.merge(chunk)
        return self

    @property
    def counts(self) -> np.ndarray:
        """Row counts per group and cell of the confusion matrix.

        Returns
        -------
        numpy.ndarray
            Shape (groups, true class, predicted class), in the order of the declared
            levels and labels.
        """
        return self._stats.counts

    def by_group(
        self,
        metrics: Sequence[str] = ("count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"),
        *,
        pos_label: Any = 1,
        convention: str = "strict",
    ) -> Any:
        """Built-in classification metrics of each group, from the counts.

        Parameters
        ----------
        metrics : sequence of str, optional
            Names of the core's classification metrics. Default: ``"count"``,
            ``"selection_rate"``, ``"true_positive_rate"``, ``"false_positive_rate"`` and
            ``"accuracy"``; also ``"true_negative_rate"``, ``"false_negative_rate"``,
            ``"precision"``, ``"f1"``, ``"balanced_accuracy"``.
        pos_label : label, default 1
            The positive label.
        convention : {"strict", "fairlearn"}, default "strict"
            An undefined value is NaN (strict) or fairlearn's number.

        Returns
        -------
        pandas DataFrame
            One column per metric, indexed by every combination of the declared levels.

        Raises
        ------
        InvalidInputError
            An unknown metric name or convention.

        Examples
        --------
        >>> from assay.fairness import ConfusionAccumulator
        >>> first = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> first = first.update([1, 0, 1, 1], [1, 0, 1, 0], sensitive_features={"sex": ["f", "f", "f", "f"]})
        >>> second = ConfusionAccumulator(levels={"sex": ["f", "m"]}, labels=[0, 1])
        >>> second = second.update([0, 1, 0, 0], [1, 1, 1, 0], sensitive_features={"sex": ["m", "m", "m", "m"]})
        >>> first.by_group(["accuracy"])
             accuracy
        sex
        f        0.75
        m         NaN
        """
        positive = self.labels.index(pos_label) if pos_label in self.labels else -1
        return self._frame(
            {
                name: _core_fair.classification_metric(
                    self._stats, _core_fair.ClassificationMetric[name], positive, _core_fair.Convention[convention]
                )[0]
                for name in metrics
            }
        )


class RegressionAccumulator(_GroupAccumulator):
    """Per-group regression sums over declared levels, updated chunk by chunk.

    Per group: the (weighted) row count, mean and sum of squared deviations of ``y_true``
    (merged with Chan et al.'s formula, so R^2 keeps its precision), and sums of ``y_pred``, the
    error ``y_pred - y_true``, its square and its absolute value. ``update``, ``merge``,
    ``to_bytes`` / ``from_bytes`` as
    [`ConfusionAccumulator`][assay.fairness.ConfusionAccumulator]; ``by_group`` computes the
    regression metrics from the sums, equal to [`MetricFrame`][assay.fairness.MetricFrame] on
    all rows.

    Parameters
    ----------
    levels : mapping of str to sequence
        Each sensitive feature's name and its possible values; every combination is a
        group, in the order given.
    weighted : bool, default False
        Whether every update carries ``sample_weight``.

    Raises
    ------
    InvalidInputError
        No features or repeated levels.
    InvalidTypeError
        ``levels`` is not a mapping of lists.
    ResourceLimitError
        Too many combinations of levels to index or to hold in memory.

    Examples
    --------
    >>> from assay.fairness import RegressionAccumulator
    >>> accumulator = RegressionAccumulator(levels={"region": ["north", "south"]})
    >>> regions = {"region": ["north", "north", "south", "south"]}
    >>> accumulator = accumulator.update([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.5, 5.0], sensitive_features=regions)
    >>> accumulator.by_group(["mean_error", "mean_absolute_error"])
            mean_error  mean_absolute_error
    region
    north         0.25                 0.25
    south         0.25                 0.75
    """

    _stats_type = _core_fair.RegressionStats
    METRICS = (
        "mean_prediction",
        "mean_error",
        "mean_absolute_error",
        "mean_squared_error",
        "root_mean_squared_error",
        "r2",
    )
    """The regression metrics ``by_group`` computes by default (``r2`` is R^2)."""

    def __init__(self, *, levels: Mapping[str, Sequence[Any]], weighted: bool = False) -> None:
        super().__init__(levels, weighted)
        require_fits("levels", 128 * self.n_groups, f"regression sums of {self.n_groups} groups")
        empty = np.zeros(0)
        self._stats = _core_fair.accumulate_regression(
            np.zeros(0, dtype=np.int32), self.n_groups, empty, empty, empty if self.weighted else None, 1
        )

    def update(
        self,
        y_true: ArrayLike,
        y_pred: ArrayLike,
        *,
        sensitive_features: Mapping[str, ArrayLike],
        sample_weight: ArrayLike | None = None,
        n_jobs: NJobs = None,
    ) -> RegressionAccumulator:
        """Adds a chunk of rows, in place.

        Parameters
        ----------
        y_true : ArrayLike
            True values of the chunk (finite numbers).
        y_pred : ArrayLike
            Predicted values of the chunk (finite numbers).
        sensitive_features : mapping of str to ArrayLike
            Each declared feature's values for the rows (only declared values).
        sample_weight : ArrayLike, optional
            Non-negative finite weights, one per row: required on every update of a
            weighted accumulator, and only then (the chunks share one scale, so the sum
            must not overflow).
        n_jobs : NJobs, optional
            Threads for the core (None or -1: all cores); results do not depend on it.

        Returns
        -------
        RegressionAccumulator
            self.

        Raises
        ------
        InvalidInputError
            Lengths differ, non-finite values, a value of a feature that was not declared,
            weights given when not declared (or missing when declared), or sums that
            overflow.
        InvalidTypeError
            Values that are not numbers.

        Examples
        --------
        >>> from assay.fairness import RegressionAccumulator
        >>> accumulator = RegressionAccumulator(levels={"region": ["north", "south"]})
        >>> accumulator.update([1.0, 2.0], [1.5, 2.0], sensitive_features={"region": ["north", "north"]}).rows
        array([2, 0])
        """
        t = as_numeric(to_numpy(y_true, "y_true"), "y_true")
        p = as_numeric(to_numpy(y_pred, "y_pred"), "y_pred")
        if len(p) != len(t):
            raise InvalidInputError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
        row_group, weights, jobs = self._chunk(len(t), sensitive_features, sample_weight, n_jobs)
        self._stats = self._stats.merge(_core_fair.accumulate_regression(row_group, self.n_groups, t, p, weights, jobs))
        return self

    @property
    def rows(self) -> np.ndarray:
        """Rows per group (their weight for a weighted accumulator).

        Returns
        -------
        numpy.ndarray
            One value per group, in the order of the declared levels.
        """
        return self._stats.count

    def by_group(self, metrics: Sequence[str] = METRICS, *, convention: str = "strict") -> Any:
        """Regression metrics of each group, from the sums.

        Parameters
        ----------
        metrics : sequence of str, default METRICS
            Names among ``"mean_prediction"``, ``"mean_error"``, ``"mean_absolute_error"``,
            ``"mean_squared_error"``, ``"root_mean_squared_error"`` and ``"r2"`` (R^2).
        convention : {"strict", "fairlearn"}, default "strict"
            An undefined value (an empty group, R^2 of a constant ``y_true``) is NaN
            (strict) or fairlearn's number.

        Returns
        -------
        pandas DataFrame
            One column per metric, indexed by every combination of the declared levels.

        Raises
        ------
        InvalidInputError
            An unknown metric name or convention.

        Examples
        --------
        >>> from assay.fairness import RegressionAccumulator
        >>> accumulator = RegressionAccumulator(levels={"region": ["north", "south"]})
        >>> accumulator = accumulator.update(
        ...     [1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.5, 5.0], sensitive_features={"region": ["north"] * 2 + ["south"] * 2}
        ... )
        >>> accumulator.by_group(["r2"])
                 r2
        region
        north   0.5
        south  -1.5
        """
        how = _core_fair.Convention[convention]
        return self._frame(
            {
                name: _core_fair.regression_metric(self._stats, _core_fair.RegressionMetric[name], how)[0]
                for name in metrics
            }
        )
