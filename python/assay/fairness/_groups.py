"""The group index of the fairness functions: rows split into groups by (control features,
sensitive features), built in the core as mixed-radix codes of the features' levels, with
the pandas indexes that label results by group and by control level."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _core
from .._util import require_fits
from ..errors import InvalidInputError, ResourceLimitError
from ._inputs import Feature

_core_fair = _core.fairness
MISSING_POLICIES = ("error", "own_group", "drop")
MISSING_LABEL = "(missing)"


class Groups:
    """Rows split into groups by (control features, sensitive features)."""

    def __init__(
        self,
        sensitive: list[Feature],
        control: list[Feature],
        missing: str,
        observed: bool,
        n_jobs: int,
    ) -> None:
        self._set_features(sensitive, control, missing, observed)
        specs = [(f.name, f.codes, len(f.levels)) for f in self.features]
        index = _core_fair.build_group_index(specs, _core_fair.MissingPolicy[missing], observed, n_jobs)
        self.n_groups: int = index["n_groups"]
        self.row_group: np.ndarray = index["row_group"]
        self.keys: list[np.ndarray] = index["keys"]
        self.group_rows: np.ndarray = index["group_rows"]
        self.missing_rows: dict[str, int] = dict(zip([f.name for f in self.features], index["missing_rows"].tolist()))
        self.dropped_rows: int = index["dropped_rows"]
        self._check_dropped(len(self.row_group))
        self._set_control_levels()
        self._order: tuple[np.ndarray, np.ndarray] | None = None

    def _set_features(self, sensitive: list[Feature], control: list[Feature], missing: str, observed: bool) -> None:
        """The features and options, checked before the rows are indexed."""
        self.sensitive, self.control = sensitive, control
        self.features = control + sensitive
        names = [f.name for f in self.features]
        duplicates = sorted({x for x in names if names.count(x) > 1})
        if duplicates:
            raise InvalidInputError(f"feature names repeat: {duplicates}")
        self.missing = missing
        self.observed = observed
        if not observed and len(self.features) > 1:
            combinations = math.prod(len(f.levels) + (missing == "own_group") for f in self.features)
            # Every combination is a row of by_group: its keys, statistics, values and
            # labels of the pandas index (about 256 bytes each, before any metric).
            require_fits(
                "sensitive_features",
                256 * combinations,
                f"the full Cartesian product of the levels ({combinations} combinations, observed=False)",
                "pass observed=True to keep only the combinations that occur",
            )

    def _check_dropped(self, n_rows: int) -> None:
        if self.dropped_rows and self.dropped_rows == n_rows:
            raise InvalidInputError(
                f"sensitive_features: every one of the {self.dropped_rows} rows has a missing value "
                f"and missing='drop' dropped them all; nothing is left to compare"
            )

    @classmethod
    def from_counts(
        cls,
        sensitive: list[Feature],
        control: list[Feature],
        missing: str,
        observed: bool,
        keys: list[np.ndarray],
        group_rows: np.ndarray,
        missing_rows: list[int],
        dropped_rows: int,
    ) -> Groups:
        """The groups of rows indexed elsewhere (the Dask call's merged per-partition
        counts): ``keys[f][g]`` is group g's level code of feature f (control features
        first; the missing level is ``len(levels)``), ``group_rows`` its rows, as
        ``build_group_index`` gives them. The features' codes are not used; the checks
        are those of the constructor. The frame holds no rows (``row_group`` is empty)."""
        groups = cls.__new__(cls)
        groups._set_features(sensitive, control, missing, observed)
        groups.keys = [np.ascontiguousarray(k, dtype=np.int32) for k in keys]
        groups.group_rows = np.ascontiguousarray(group_rows, dtype=np.int64)
        groups.n_groups = len(groups.group_rows)
        groups.row_group = np.empty(0, dtype=np.int32)
        groups.missing_rows = {f.name: int(m) for f, m in zip(groups.features, missing_rows)}
        groups.dropped_rows = int(dropped_rows)
        groups._check_dropped(int(groups.group_rows.sum()) + groups.dropped_rows)
        groups._set_control_levels()
        groups._order = None
        return groups

    @classmethod
    def restored(
        cls,
        sensitive: list[Feature],
        control: list[Feature],
        missing: str,
        observed: bool,
        labels: list[list[Any]],
        group_rows: list[int],
        missing_rows: dict[str, int],
        dropped_rows: int,
    ) -> Groups:
        """The groups of a MetricFrame read from JSON: each group's levels (``labels``, one
        per feature, control features first) and row count, without the rows themselves.

        Raises ValueError when a label is not a level of its feature or the counts disagree.
        """
        groups = cls.__new__(cls)
        groups.sensitive, groups.control = sensitive, control
        groups.features = control + sensitive
        groups.missing, groups.observed = missing, observed
        if len(group_rows) != len(labels):
            raise ValueError(f"{len(labels)} groups but {len(group_rows)} row counts")
        keys = []
        for j, feature in enumerate(groups.features):
            code = {label: k for k, label in enumerate(groups.level_labels(feature))}
            try:
                keys.append(np.array([code[levels[j]] for levels in labels], dtype=np.int32))
            except (KeyError, IndexError, TypeError):
                raise ValueError(f"a group's level of '{feature.name}' is not one of its levels") from None
        groups.keys = keys
        groups.n_groups = len(labels)
        groups.group_rows = np.asarray(group_rows, dtype=np.int64)
        groups.row_group = np.empty(0, dtype=np.int32)  # the rows are not part of the JSON
        groups.missing_rows = {str(name): int(count) for name, count in missing_rows.items()}
        groups.dropped_rows = int(dropped_rows)
        groups._set_control_levels()
        groups._order = None
        return groups

    def _set_control_levels(self) -> None:
        # Control level of each group: the mixed-radix number of its control keys
        # (every combination of control levels, as fairlearn indexes `overall`).
        radices = [len(f.levels) + (self.missing == "own_group") for f in self.control]
        n_control = math.prod(radices)
        if n_control > 2**31 - 1:
            raise ResourceLimitError(
                f"control_features: {n_control} combinations of control levels exceed the "
                f"{2**31 - 1} levels an aggregate can index"
            )
        # Every combination of control levels gets the overall value and six aggregates.
        require_fits("control_features", 128 * n_control, f"{n_control} combinations of control levels")
        level = np.zeros(self.n_groups, dtype=np.int64)
        for key, radix in zip(self.keys[: len(self.control)], radices):
            level = level * radix + key
        self.n_control: int = n_control if self.control else 1
        self.group_control: np.ndarray = level.astype(np.int32)

    def level_labels(self, feature: Feature) -> list[Any]:
        """The labels of a feature's level codes: its levels, then the missing level."""
        return feature.levels + [MISSING_LABEL]

    def group_index(self) -> Any:
        """The pandas Index (one feature) or MultiIndex of the groups, in group order."""
        import pandas as pd

        arrays = [np.asarray(self.level_labels(f), dtype=object)[key] for f, key in zip(self.features, self.keys)]
        names = [f.name for f in self.features]
        if len(arrays) == 1:
            return pd.Index(_natural(arrays[0]), name=names[0])
        return pd.MultiIndex.from_arrays([_natural(a) for a in arrays], names=names)

    def control_index(self) -> Any:
        """The pandas index of every combination of control levels (None without control features)."""
        import pandas as pd

        if not self.control:
            return None
        lists = [
            _natural(np.asarray(self.level_labels(f)[: len(f.levels) + (self.missing == "own_group")], dtype=object))
            for f in self.control
        ]
        if len(lists) == 1:
            return pd.Index(lists[0], name=self.control[0].name)
        return pd.MultiIndex.from_product(lists, names=[f.name for f in self.control])

    def order(self) -> tuple[np.ndarray, np.ndarray]:
        """Row order sorted by group (stable) and the group offsets into it."""
        if self._order is None:
            self._order = _core_fair.sort_rows_by_group(self.row_group, self.n_groups)
        return self._order


def _natural(values: np.ndarray) -> np.ndarray:
    """An object array of levels as the dtype pandas would infer (ints stay ints)."""
    try:
        import pandas as pd

        return pd.Series(values, dtype=object).infer_objects().to_numpy()
    except ImportError:  # pragma: no cover
        return values
