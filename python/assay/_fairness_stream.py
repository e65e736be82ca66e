"""Streaming fairness counts: confusion matrices per group accumulated chunk by chunk,
merged across workers and serialised, for data that does not fit in one call."""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np

from . import _core
from ._util import n_jobs_arg

_core_fair = _core.fairness
_FORMAT = 1


class ConfusionAccumulator:
    """Per-group confusion counts over declared levels, updated chunk by chunk.

    ``levels`` maps each sensitive feature name to its possible values (every
    combination is a group, in the order given); ``labels`` lists the class labels of
    y_true and y_pred. ``update`` adds a chunk; ``merge`` combines accumulators built on
    other chunks (or other machines, via ``to_bytes`` / ``from_bytes``); the counts of
    the merged accumulator equal those of one pass over all rows. ``by_group`` computes
    the built-in classification metrics from the counts.
    """

    def __init__(self, *, levels: Mapping[str, Sequence[Any]], labels: Sequence[Any], weighted: bool = False):
        import pandas as pd

        if not levels:
            raise ValueError("levels: at least one sensitive feature is required")
        self.levels = {str(name): list(values) for name, values in levels.items()}
        for name, values in self.levels.items():
            if not values or len(set(map(repr, values))) != len(values):
                raise ValueError(f"levels['{name}'] must list distinct values")
        self.labels = list(labels)
        if len(self.labels) < 1 or len(set(map(repr, self.labels))) != len(self.labels):
            raise ValueError("labels must list distinct class labels")
        self.weighted = bool(weighted)
        self._level_index = {name: pd.Index(values) for name, values in self.levels.items()}
        self._label_index = pd.Index(self.labels)
        sizes = [len(v) for v in self.levels.values()]
        self.n_groups = int(np.prod(sizes))
        empty = np.zeros(0, dtype=np.int32)
        self._stats = _core_fair.accumulate_confusion(
            empty, self.n_groups, empty, empty, len(self.labels), np.zeros(0) if self.weighted else None, 1
        )

    def _codes(self, values: Any, index: Any, argument: str) -> np.ndarray:
        from .fairness import _to_numpy

        array = _to_numpy(values, argument)
        codes = index.get_indexer(array)
        if (codes < 0).any():
            unknown = np.unique(array[codes < 0].astype(str))[:5].tolist()
            raise ValueError(f"{argument}: values not declared: {unknown}")
        return codes.astype(np.int32)

    def update(self, y_true: Any, y_pred: Any, *, sensitive_features: Mapping[str, Any], sample_weight: Any = None,
               n_jobs: int | None = None) -> "ConfusionAccumulator":
        """Adds a chunk of rows (in place) and returns self."""
        from .fairness import _weights

        missing = set(self.levels) - set(sensitive_features)
        if missing:
            raise ValueError(f"sensitive_features: missing features {sorted(missing)}")
        t = self._codes(y_true, self._label_index, "y_true")
        p = self._codes(y_pred, self._label_index, "y_pred")
        if len(p) != len(t):
            raise ValueError(f"y_true has {len(t)} rows but y_pred has {len(p)}")
        if self.weighted != (sample_weight is not None):
            raise ValueError("sample_weight: give it on every update of a weighted accumulator, and only then")
        weights = _weights(sample_weight, len(t))
        specs = []
        for name, index in self._level_index.items():
            codes = self._codes(sensitive_features[name], index, f"sensitive_features['{name}']")
            if len(codes) != len(t):
                raise ValueError(f"sensitive_features['{name}'] has {len(codes)} rows but y_true has {len(t)}")
            specs.append((name, codes, len(index)))
        jobs = n_jobs_arg(n_jobs)
        group = _core_fair.build_group_index(specs, "error", False, jobs)
        chunk = _core_fair.accumulate_confusion(group["row_group"], self.n_groups, t, p, len(self.labels), weights, jobs)
        self._stats = self._stats.merge(chunk)
        return self

    def merge(self, other: "ConfusionAccumulator") -> "ConfusionAccumulator":
        """A new accumulator holding the rows of both."""
        if other.levels != self.levels or other.labels != self.labels or other.weighted != self.weighted:
            raise ValueError("cannot merge accumulators with different levels, labels or weighting")
        merged = ConfusionAccumulator(levels=self.levels, labels=self.labels, weighted=self.weighted)
        merged._stats = self._stats.merge(other._stats)
        return merged

    @property
    def counts(self) -> np.ndarray:
        """Row counts, shape (groups, true class, predicted class)."""
        return self._stats.counts

    def to_bytes(self) -> bytes:
        header = json.dumps({"format": _FORMAT, "levels": self.levels, "labels": self.labels, "weighted": self.weighted})
        encoded = header.encode("utf-8")
        return len(encoded).to_bytes(8, "little") + encoded + self._stats.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ConfusionAccumulator":
        if len(data) < 8:
            raise ValueError("bytes are not a serialised ConfusionAccumulator")
        size = int.from_bytes(data[:8], "little")
        try:
            header = json.loads(data[8 : 8 + size].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError("bytes are not a serialised ConfusionAccumulator") from error
        if header.get("format") != _FORMAT:
            raise ValueError(f"unsupported ConfusionAccumulator format {header.get('format')!r}")
        result = cls(levels=header["levels"], labels=header["labels"], weighted=header["weighted"])
        stats = _core_fair.ConfusionStats.from_bytes(data[8 + size :])
        if stats.n_groups != result.n_groups or stats.n_classes != len(result.labels) or stats.weighted != result.weighted:
            raise ValueError("bytes are not a serialised ConfusionAccumulator of these levels")
        result._stats = stats
        return result

    def by_group(self, metrics: Sequence[str] = ("count", "selection_rate", "true_positive_rate", "false_positive_rate",
                                                 "accuracy"), *, pos_label: Any = 1, convention: str = "strict") -> Any:
        """A DataFrame of built-in metrics (names of the core's classification metrics)
        per group, indexed by every combination of the declared levels."""
        import pandas as pd

        positive = self.labels.index(pos_label) if pos_label in self.labels else -1
        columns = {}
        for name in metrics:
            values, _ = _core_fair.classification_metric(self._stats, name, positive, convention)
            columns[name] = values
        index = pd.MultiIndex.from_product(list(self.levels.values()), names=list(self.levels))
        if len(self.levels) == 1:
            index = index.get_level_values(0)
        return pd.DataFrame(columns, index=index)
