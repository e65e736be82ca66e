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

from . import _core
from ._fairness_checks import INT32_MAX
from ._util import n_jobs_arg, require_fits
from .errors import CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError

_core_fair = _core.fairness
_FORMAT = 1


class _GroupAccumulator:
    """What both accumulators share: declared levels (every combination is a group, in
    the order given), the group codes of a chunk, merging and the byte format (a JSON
    header, then the core statistics' bytes)."""

    _stats_type: Any  # the core's ConfusionStats or RegressionStats

    def __init__(self, levels: Mapping[str, Sequence[Any]], weighted: bool):
        import pandas as pd

        if not isinstance(levels, Mapping):
            raise InvalidTypeError(f"levels must map each sensitive feature to its values, got {type(levels).__name__}")
        if not levels:
            raise InvalidInputError("levels: at least one sensitive feature is required")
        self.levels = {}
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

    def _header(self) -> dict:
        return {"levels": self.levels, "weighted": self.weighted}

    def _same_kind(self, other: Any) -> bool:
        return type(other) is type(self) and other._header() == self._header()

    @staticmethod
    def _codes(values: Any, index: Any, argument: str) -> np.ndarray:
        from .fairness import _to_numpy

        array = _to_numpy(values, argument)
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
        self, n: int, sensitive_features: Mapping[str, Any], sample_weight: Any, n_jobs: int | None
    ) -> tuple[np.ndarray, np.ndarray | None, int]:
        """(row groups, weights, threads) of a chunk of n rows, checked."""
        from .fairness import _weights

        missing = set(self.levels) - set(sensitive_features)
        if missing:
            raise InvalidInputError(f"sensitive_features: missing features {sorted(missing)}")
        if self.weighted != (sample_weight is not None):
            raise InvalidInputError("sample_weight: give it on every update of a weighted accumulator, and only then")
        weights = _weights(sample_weight, n, normalise=False)  # chunks must share one scale
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
        """A new accumulator holding the rows of both."""
        if not self._same_kind(other):
            raise InvalidInputError("cannot merge accumulators with different levels, labels, weighting or kind")
        merged = type(self)(**self._header())
        merged._stats = self._stats.merge(other._stats)
        return merged

    def to_bytes(self) -> bytes:
        header = json.dumps({"format": _FORMAT, "kind": type(self).__name__, **self._header()})
        encoded = header.encode("utf-8")
        return len(encoded).to_bytes(8, "little") + encoded + self._stats.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        """The accumulator serialised by to_bytes. Bytes that do not decode (truncated,
        another kind, another format version, inconsistent counts) raise
        CorruptedStateError saying why."""
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

    ``levels`` maps each sensitive feature name to its possible values (every
    combination is a group, in the order given); ``labels`` lists the class labels of
    y_true and y_pred. ``update`` adds a chunk; ``merge`` combines accumulators built on
    other chunks (or other machines, via ``to_bytes`` / ``from_bytes``); the counts of
    the merged accumulator equal those of one pass over all rows. ``by_group`` computes
    the built-in classification metrics from the counts.
    """

    _stats_type = _core_fair.ConfusionStats

    def __init__(self, *, levels: Mapping[str, Sequence[Any]], labels: Sequence[Any], weighted: bool = False):
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

    def _header(self) -> dict:
        return {**super()._header(), "labels": self.labels}

    def _fits(self, stats: Any) -> bool:
        return stats.n_classes == len(self.labels)

    def update(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Mapping[str, Any],
        sample_weight: Any = None,
        n_jobs: int | None = None,
    ) -> ConfusionAccumulator:
        """Adds a chunk of rows (in place) and returns self."""
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
        """Row counts, shape (groups, true class, predicted class)."""
        return self._stats.counts

    def by_group(
        self,
        metrics: Sequence[str] = ("count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"),
        *,
        pos_label: Any = 1,
        convention: str = "strict",
    ) -> Any:
        """A DataFrame of built-in metrics (names of the core's classification metrics)
        per group, indexed by every combination of the declared levels."""
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
    """Per-group regression sums over declared levels, updated chunk by chunk: the
    (weighted) row count, mean and sum of squared deviations of y_true (merged with Chan
    et al.'s formula, so R^2 keeps its precision), and sums of y_pred, the error
    y_pred - y_true, its square and its absolute value. ``update``, ``merge``,
    ``to_bytes`` / ``from_bytes`` as ConfusionAccumulator; ``by_group`` computes the
    regression metrics from the sums.
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

    def __init__(self, *, levels: Mapping[str, Sequence[Any]], weighted: bool = False):
        super().__init__(levels, weighted)
        require_fits("levels", 128 * self.n_groups, f"regression sums of {self.n_groups} groups")
        empty = np.zeros(0)
        self._stats = _core_fair.accumulate_regression(
            np.zeros(0, dtype=np.int32), self.n_groups, empty, empty, empty if self.weighted else None, 1
        )

    def update(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Mapping[str, Any],
        sample_weight: Any = None,
        n_jobs: int | None = None,
    ) -> RegressionAccumulator:
        """Adds a chunk of rows (in place) and returns self."""
        from .fairness import _numeric, _to_numpy

        t = _numeric(_to_numpy(y_true, "y_true"), "y_true")
        p = _numeric(_to_numpy(y_pred, "y_pred"), "y_pred")
        if len(p) != len(t):
            raise InvalidInputError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
        row_group, weights, jobs = self._chunk(len(t), sensitive_features, sample_weight, n_jobs)
        self._stats = self._stats.merge(_core_fair.accumulate_regression(row_group, self.n_groups, t, p, weights, jobs))
        return self

    @property
    def rows(self) -> np.ndarray:
        """Rows per group."""
        return self._stats.count

    def by_group(self, metrics: Sequence[str] = METRICS, *, convention: str = "strict") -> Any:
        """A DataFrame of regression metrics per group (r2 is R^2; see docs/fairness.md
        for the undefined cases), indexed by every combination of the declared levels."""
        how = _core_fair.Convention[convention]
        return self._frame(
            {
                name: _core_fair.regression_metric(self._stats, _core_fair.RegressionMetric[name], how)[0]
                for name in metrics
            }
        )
