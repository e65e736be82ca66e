"""Fairness: metrics by group, their disparities, intervals and mitigation.

``MetricFrame`` has fairlearn's signature and accessors, so that switching is an import
change; the named functions (``selection_rate``, ``demographic_parity_difference``,
``equalized_odds_ratio``, ...) take fairlearn's arguments too. The work happens in the
C++ core: the sensitive features become one group index (mixed-radix intersection
codes), one pass accumulates a confusion matrix (or regression sums) per group, and
every built-in metric and aggregate is computed from those statistics. User-defined
metric callables are still accepted: they are called once per group on contiguous
slices of the rows, sorted once by group.

Two conventions (``convention=``):

* ``"strict"`` (default): a value whose definition divides by zero (the true-positive
  rate of a group without positives, say) is NaN, and ``MetricFrame.undefined`` says
  why.
* ``"fairlearn"``: fairlearn's numbers, including its quirks (such a rate is 0, the
  built-in ``max``/``min`` order rule of ``equalized_odds_*``).

See docs/fairness.md for every definition and difference.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import _core
from ._fairness_checks import positive_int, seed_from
from ._fairness_checks import weights as _checked_weights
from ._fairness_uncertainty import bootstrap_metric_frame
from ._frame import as_column
from ._util import json_safe, n_jobs_arg, require_fits
from .errors import AssayError, InvalidInputError, InvalidTypeError, ResourceLimitError
from .warnings import UndefinedMetricWarning

__all__ = [
    "MetricFrame",
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "balanced_accuracy_score",
    "mean_prediction",
    "mean_error",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2_score",
    "roc_auc_score",
    "expected_calibration_error",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "CONVENTIONS",
]

_core_fair = _core.fairness
CONVENTIONS = ("strict", "fairlearn")
MISSING_POLICIES = ("error", "own_group", "drop")
MISSING_LABEL = "(missing)"
# Classification metrics build a K x K confusion matrix per group; more distinct labels
# than this means the predictions are not class labels.
MAX_CLASSES = 256

_RESTRICTED_LABELS = "If pos_label is not specified, values must be from {0, 1} or {-1, 1}"
_TOO_MANY_LABELS = "Must have no more than two unique y values"
_POS_LABEL_ABSENT = "pos_label={!r} is not one of the labels {} of a group; pass the positive label as pos_label"


# --- built-in metrics -------------------------------------------------------------------


@dataclass(frozen=True)
class _Builtin:
    """A metric the core computes from sufficient statistics.

    ``rule`` says how labels are read: "rate" (fairlearn's TPR/FPR/TNR/FNR: without
    pos_label, labels must be {0, 1} or {-1, 1} and 1 is positive), "binary"
    (scikit-learn's precision/recall/F1: pos_label defaults to 1), "selection" (only
    y_pred == pos_label matters), "multiclass" (any labels), "count", "regression".
    """

    name: str
    core: str
    rule: str
    default_pos_label: Any = None


_BUILTINS: dict[Callable, _Builtin] = {}
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
_BY_NAME: dict[str, Callable] = {}


def _builtin(core: str, rule: str, default_pos_label: Any = None) -> Callable[[Callable], Callable]:
    def register(function: Callable) -> Callable:
        _BUILTINS[function] = _Builtin(function.__name__, core, rule, default_pos_label)
        _BY_NAME[function.__name__] = function
        return function

    return register


def _recognise(metric: Callable) -> tuple[_Builtin, dict[str, Any]] | None:
    """The built-in behind a metric callable, with the keyword arguments bound to it.

    Recognised: assay's functions, fairlearn's and scikit-learn's functions of the same
    definition, and functools.partial of those binding only pos_label (and, for
    regression metrics, nothing).
    """
    bound: dict[str, Any] = {}
    function = metric
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


# --- inputs -----------------------------------------------------------------------------


def _to_numpy(values: Any, argument: str) -> np.ndarray:
    """A 1-D numpy view (or conversion) of an array-like, for labels and scores."""
    if values is None:
        raise InvalidTypeError(f"{argument}: expected an array, got None")
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and hasattr(values, "to_numpy"):
        array = values.to_numpy()
    elif module in ("polars", "pyarrow") and hasattr(values, "to_numpy"):
        array = np.asarray(values.to_numpy())
    else:
        array = np.asarray(values)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise InvalidInputError(f"{argument}: expected a 1-D array, got shape {array.shape}")
    return array


def _weights(values: Any, n: int, argument: str = "sample_weight", normalise: bool = True) -> np.ndarray | None:
    return _checked_weights(values, n, argument, normalise)


def _numeric(values: np.ndarray, argument: str) -> np.ndarray:
    if values.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers for this metric, got dtype {values.dtype}")
    array = np.ascontiguousarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InvalidInputError(f"{argument} contains NaN or infinite values")
    return array


@dataclass
class _Classes:
    """y_true and y_pred as codes of the sorted union of their labels."""

    labels: np.ndarray  # the distinct labels (original values), sorted
    y_true: np.ndarray  # int32 codes
    y_pred: np.ndarray

    def code_of(self, label: Any) -> int:
        """The code of a label, or -1 when it does not occur."""
        if self.labels.dtype.kind in "biuf":
            if isinstance(label, (bool, numbers.Number, np.generic)) and not isinstance(label, str):
                hits = np.nonzero(self.labels == label)[0]
                return int(hits[0]) if len(hits) else -1
            return -1
        hits = np.nonzero(self.labels == str(label))[0] if not isinstance(label, (numbers.Number, np.generic)) else []
        return int(hits[0]) if len(hits) else -1


def _all_in(values: np.ndarray, allowed: tuple) -> bool:
    mask = values == allowed[0]
    for a in allowed[1:]:
        mask |= values == a
    return bool(mask.all())


def _encode_classes(y_true: np.ndarray, y_pred: np.ndarray) -> _Classes:
    numeric_true, numeric_pred = y_true.dtype.kind in "biuf", y_pred.dtype.kind in "biuf"
    if numeric_true and numeric_pred:
        for values, argument in ((y_true, "y_true"), (y_pred, "y_pred")):
            if values.dtype.kind == "f" and np.isnan(values).any():
                raise InvalidInputError(f"{argument} contains NaN; labels must not be missing")
        if _all_in(y_true, (0, 1)) and _all_in(y_pred, (0, 1)):  # the common case, without sorting
            labels = np.array([0, 1], dtype=np.result_type(y_true.dtype, y_pred.dtype))
            return _Classes(labels, y_true.astype(np.int32), y_pred.astype(np.int32))
        labels = np.unique(np.concatenate([np.unique(y_true), np.unique(y_pred)]))
        if len(labels) > MAX_CLASSES:
            raise InvalidInputError(
                f"y_true and y_pred hold {len(labels)} distinct values; classification metrics need class labels"
            )
        return _Classes(
            labels,
            np.searchsorted(labels, y_true).astype(np.int32),
            np.searchsorted(labels, y_pred).astype(np.int32),
        )
    if numeric_true != numeric_pred:
        raise InvalidTypeError("y_true and y_pred must both be numbers or both be labels (strings)")
    try:
        true_column = as_column(y_true, name="y_true")
        pred_column = as_column(y_pred, name="y_pred")
    except AssayError:
        raise
    except TypeError as error:
        raise InvalidTypeError(str(error)) from error
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
    for column in (true_column, pred_column):
        if column.labels is None:
            raise InvalidTypeError(f"{column.name}: expected labels")
        if (column.values < 0).any():
            raise InvalidInputError(f"{column.name} contains missing values; labels must not be missing")
    labels = np.array(sorted(set(true_column.labels) | set(pred_column.labels)), dtype=object)
    if len(labels) > MAX_CLASSES:
        raise InvalidInputError(
            f"y_true and y_pred hold {len(labels)} distinct labels; at most {MAX_CLASSES} are supported"
        )
    position = {label: i for i, label in enumerate(labels)}
    remap_true = np.array([position[x] for x in true_column.labels], dtype=np.int32)
    remap_pred = np.array([position[x] for x in pred_column.labels], dtype=np.int32)
    return _Classes(labels.astype(str), remap_true[true_column.values], remap_pred[pred_column.values])


@dataclass
class _Feature:
    name: str
    codes: np.ndarray  # int32, -1 missing, in sorted order of the levels
    levels: list


def _factorize(values: Any, name: str) -> _Feature:
    """Codes in sorted order of the values (pandas' groupby order); missing is -1."""
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and hasattr(values, "cat"):
        codes = values.cat.codes.to_numpy()
        categories = np.asarray(values.cat.categories, dtype=object)
        used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        order = sorted(np.nonzero(used)[0], key=lambda i: categories[i])
        remap = np.full(len(categories) + 1, -1, dtype=np.int32)
        remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
        return _Feature(name, remap[codes], [categories[i] for i in order])
    array = _to_numpy(values, name)
    kind = array.dtype.kind
    if kind in "biu":
        if kind == "b":
            array = array.astype(np.int8)
        low, high = (int(array.min()), int(array.max())) if len(array) else (0, -1)
        if high - low < 1 << 20:  # small integer range: a counting pass, no sort
            shifted = (array - low).astype(np.int64)
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            lookup = (np.cumsum(present) - 1).astype(np.int32)
            levels = (np.nonzero(present)[0] + low).tolist()
            if kind == "b":
                levels = [bool(x) for x in levels]
            return _Feature(name, lookup[shifted], levels)
        levels, codes = np.unique(array, return_inverse=True)
        return _Feature(name, codes.astype(np.int32), levels.tolist())
    if kind == "f":
        missing = np.isnan(array)
        levels, inverse = np.unique(array[~missing], return_inverse=True)
        codes = np.full(len(array), -1, dtype=np.int32)
        codes[~missing] = inverse
        return _Feature(name, codes, levels.tolist())
    if kind in "US":
        levels, codes = np.unique(array, return_inverse=True)
        return _Feature(name, codes.astype(np.int32), levels.tolist())
    if kind == "O":
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - pandas is in every test environment
            raise InvalidTypeError(f"sensitive feature '{name}': object arrays need pandas") from error
        try:
            codes, uniques = pd.factorize(array, sort=True, use_na_sentinel=True)
        except TypeError as error:
            raise InvalidTypeError(
                f"sensitive feature '{name}': values of different types cannot be ordered ({error})"
            ) from error
        return _Feature(name, codes.astype(np.int32), list(uniques))
    raise InvalidTypeError(f"sensitive feature '{name}': unsupported dtype {array.dtype}")


def _features(features: Any, base_name: str, n: int, argument: str) -> list[_Feature]:
    """Splits fairlearn's feature containers into named 1-D features."""
    if features is None:
        raise InvalidTypeError(f"{argument}: expected features, got None")
    module = type(features).__module__.split(".")[0]
    columns: list[tuple[str, Any]] = []
    if module == "pandas" and hasattr(features, "columns"):
        for i, column in enumerate(features.columns):
            if not isinstance(column, str):
                raise InvalidInputError(f"{argument}: column names must be strings, got {column!r}")
            columns.append((column, features.iloc[:, i]))
    elif module == "pandas" and hasattr(features, "dtype"):
        feature_name = getattr(features, "name", None)  # a Categorical has none
        if feature_name is not None and not isinstance(feature_name, str):
            raise InvalidInputError(f"{argument}: the Series name must be a string, got {feature_name!r}")
        columns.append((feature_name if feature_name is not None else f"{base_name}0", features))
    elif isinstance(features, Mapping):
        for name, values in features.items():
            if not isinstance(name, str):
                raise InvalidInputError(f"{argument}: feature names must be strings, got {name!r}")
            columns.append((name, values))
    elif module == "polars" and hasattr(features, "columns"):
        columns.extend((name, features[name].to_numpy()) for name in features.columns)
    else:
        array = np.asarray(features, dtype=object) if isinstance(features, list) else np.asarray(features)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim == 1:
            if array.dtype == object and isinstance(features, list):
                array = _infer_object(array)
            columns.append((f"{base_name}0", array))
        elif array.ndim == 2:
            columns.extend((f"{base_name}{j}", array[:, j]) for j in range(array.shape[1]))
        else:
            raise InvalidInputError(f"{argument}: expected 1-D or 2-D features, got {array.ndim} dimensions")
    result = []
    for name, values in columns:
        feature = _factorize(values, name)
        if len(feature.codes) != n:
            raise InvalidInputError(f"{argument}: feature '{name}' has {len(feature.codes)} rows but y_true has {n}")
        result.append(feature)
    if not result:
        raise InvalidInputError(f"{argument}: no features given")
    return result


def _infer_object(array: np.ndarray) -> np.ndarray:
    """A list of Python scalars as the numpy dtype it would have without missing values."""
    try:
        import pandas as pd

        inferred = pd.Series(array).infer_objects()
        if inferred.dtype.kind in "biuf":
            return inferred.to_numpy()
    except ImportError:  # pragma: no cover
        pass
    return array


# --- the group index and statistics -----------------------------------------------------


class _Groups:
    """Rows split into groups by (control features, sensitive features)."""

    def __init__(
        self,
        sensitive: list[_Feature],
        control: list[_Feature],
        missing: str,
        observed: bool,
        n_jobs: int,
    ):
        self.sensitive, self.control = sensitive, control
        self.features = control + sensitive
        names = [f.name for f in self.features]
        duplicates = sorted({x for x in names if names.count(x) > 1})
        if duplicates:
            raise InvalidInputError(f"feature names repeat: {duplicates}")
        self.missing = missing
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
        specs = [(f.name, f.codes, len(f.levels)) for f in self.features]
        index = _core_fair.build_group_index(specs, _core_fair.MissingPolicy[missing], observed, n_jobs)
        self.n_groups: int = index["n_groups"]
        self.row_group: np.ndarray = index["row_group"]
        self.keys: list[np.ndarray] = index["keys"]
        self.group_rows: np.ndarray = index["group_rows"]
        self.missing_rows = dict(zip(names, index["missing_rows"].tolist()))
        self.dropped_rows: int = index["dropped_rows"]
        if self.dropped_rows and self.dropped_rows == len(self.row_group):
            raise InvalidInputError(
                f"sensitive_features: every one of the {self.dropped_rows} rows has a missing value "
                f"and missing='drop' dropped them all; nothing is left to compare"
            )
        self.observed = observed
        # Control level of each group: the mixed-radix number of its control keys
        # (every combination of control levels, as fairlearn indexes `overall`).
        radices = [len(f.levels) + (missing == "own_group") for f in control]
        n_control = math.prod(radices)
        if n_control > 2**31 - 1:
            raise ResourceLimitError(
                f"control_features: {n_control} combinations of control levels exceed the "
                f"{2**31 - 1} levels an aggregate can index"
            )
        # Every combination of control levels gets the overall value and six aggregates.
        require_fits("control_features", 128 * n_control, f"{n_control} combinations of control levels")
        level = np.zeros(self.n_groups, dtype=np.int64)
        for key, radix in zip(self.keys[: len(control)], radices):
            level = level * radix + key
        self.n_control = math.prod(radices) if control else 1
        self.group_control = level.astype(np.int32)
        self._order: tuple[np.ndarray, np.ndarray] | None = None

    def level_labels(self, feature: _Feature) -> list:
        return feature.levels + [MISSING_LABEL]

    def group_index(self) -> Any:
        import pandas as pd

        arrays = [np.asarray(self.level_labels(f), dtype=object)[key] for f, key in zip(self.features, self.keys)]
        names = [f.name for f in self.features]
        if len(arrays) == 1:
            return pd.Index(_natural(arrays[0]), name=names[0])
        return pd.MultiIndex.from_arrays([_natural(a) for a in arrays], names=names)

    def control_index(self) -> Any:
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


# Regression inputs larger than this are scaled down by a power of two (exact) so that
# sums of w * e * e cannot overflow while the metric itself is finite; the metric is
# scaled back (means by 2**k, squared errors by 4**k, R^2 unchanged).
_SCALE_LIMIT_EXPONENT = 400


def _scale_exponent(*arrays: np.ndarray) -> int:
    largest = max((float(np.max(np.abs(a))) for a in arrays if len(a)), default=0.0)
    exponent = int(np.frexp(largest)[1]) if largest > 0 else 0
    return max(0, exponent - _SCALE_LIMIT_EXPONENT)


def _unscale(values: np.ndarray, core: str, exponent: int | None) -> np.ndarray:
    if not exponent or core == "r2":
        return values
    with np.errstate(over="ignore"):
        return np.ldexp(values, 2 * exponent if core == "mean_squared_error" else exponent)


class _Evaluation:
    """Caches the statistics a set of metrics needs: one pass per distinct weighting."""

    def __init__(self, groups: _Groups, y_true: np.ndarray, y_pred: np.ndarray, convention: str, n_jobs: int):
        self.groups = groups
        self.y_true, self.y_pred = y_true, y_pred
        self.convention = convention
        self.n_jobs = n_jobs
        self._classes: _Classes | None = None
        self._confusion: dict[int, Any] = {}
        self._regression: dict[int, Any] = {}
        # Statistics are cached per weight array by id(); holding the arrays here keeps
        # those ids from being reused by other arrays while the cache lives.
        self._weights: dict[int, np.ndarray | None] = {}
        self._score_labels: np.ndarray | None = None

    @property
    def classes(self) -> _Classes:
        if self._classes is None:
            self._classes = _encode_classes(self.y_true, self.y_pred)
        return self._classes

    def _key(self, weights: np.ndarray | None) -> int:
        key = 0 if weights is None else id(weights)
        self._weights[key] = weights
        return key

    def confusion(self, weights: np.ndarray | None) -> Any:
        key = self._key(weights)
        if key not in self._confusion:
            classes = self.classes
            self._confusion[key] = _core_fair.accumulate_confusion(
                self.groups.row_group,
                self.groups.n_groups,
                classes.y_true,
                classes.y_pred,
                len(classes.labels),
                weights,
                self.n_jobs,
            )
        return self._confusion[key]

    def regression(self, weights: np.ndarray | None, needs_true: bool) -> Any:
        key = self._key(weights)
        if key not in self._regression:
            y_true, y_pred = self.regression_inputs(needs_true)
            self._regression[key] = _core_fair.accumulate_regression(
                self.groups.row_group, self.groups.n_groups, y_true, y_pred, weights, self.n_jobs
            )
        return self._regression[key]

    def overall_target(self) -> np.ndarray:
        return self.groups.group_control

    def regression_inputs(self, needs_true: bool) -> tuple[np.ndarray, np.ndarray]:
        """y_true and y_pred as finite float64, scaled by 2**-regression_exponent (exact)
        when their magnitude could overflow the sums of the metrics."""
        y_pred = _numeric(self.y_pred, "y_pred")
        # mean_prediction ignores y_true, which may then be labels.
        y_true = _numeric(self.y_true, "y_true") if needs_true or self.y_true.dtype.kind in "biuf" else y_pred
        exponent = _scale_exponent(y_true, y_pred)
        if self.regression_exponent is None:
            self.regression_exponent = exponent
        exponent = self.regression_exponent
        if exponent:
            y_true, y_pred = np.ldexp(y_true, -exponent), np.ldexp(y_pred, -exponent)
        return y_true, y_pred

    regression_exponent: int | None = None

    def score_labels(self) -> np.ndarray:
        """y_true as 1 (the larger of its two labels, scikit-learn's positive class) or 0."""
        if self._score_labels is None:
            try:
                labels = np.unique(self.y_true)
            except TypeError as error:
                raise InvalidTypeError(f"y_true: labels of different types cannot be ordered ({error})") from error
            if len(labels) > 2:
                raise InvalidInputError(
                    f"y_true: score metrics need binary labels, found {len(labels)} distinct values"
                )
            if self.y_true.dtype.kind == "f" and np.isnan(labels).any():
                raise InvalidInputError("y_true contains NaN; labels must not be missing")
            self._score_labels = (self.y_true == labels[-1]).astype(np.int32)
        return self._score_labels

    def _scores(self, builtin: _Builtin, weights: np.ndarray | None) -> tuple:
        groups = self.groups
        labels = self.score_labels()
        scores = _numeric(self.y_pred, "y_pred")
        row_level = np.where(groups.row_group >= 0, groups.group_control[np.maximum(groups.row_group, 0)], -1).astype(
            np.int32
        )
        results = []
        for rows, n in ((groups.row_group, groups.n_groups), (row_level, groups.n_control)):
            if builtin.core == "roc_auc":
                values, reasons = _core_fair.roc_auc_by_group(rows, n, scores, labels, weights, self.n_jobs)
                if self.convention == "fairlearn" and np.isin(reasons, [3, 4]).any():
                    # What fairlearn gives with scikit-learn 1.9: a warning and NaN (older releases raised).
                    warnings.warn(
                        "Only one class is present in y_true. ROC AUC score is not defined in that case.",
                        UserWarning,
                        stacklevel=4,
                    )
            else:
                calibration = _core_fair.calibration_by_group(rows, n, scores, labels, weights, 10, self.n_jobs)
                values = calibration["ece"]
                reasons = np.where(np.isnan(values), 1, 0).astype(np.uint8)
            results.extend([values, reasons])
        return (*results, -1)

    def builtin(self, builtin: _Builtin, bound: Mapping[str, Any], weights: np.ndarray | None) -> tuple:
        """(values per group, reasons per group, overall per control level, overall
        reasons, positive class code)."""
        groups = self.groups
        if builtin.rule == "score":
            return self._scores(builtin, weights)
        if builtin.rule == "count":
            rows = groups.group_rows.astype(np.float64)
            reasons = np.where(rows == 0, 1, 0).astype(np.uint8)
            rows[rows == 0] = np.nan
            overall: np.ndarray = np.bincount(
                groups.group_control, weights=groups.group_rows, minlength=groups.n_control
            )
            overall_reasons = np.where(overall == 0, 1, 0).astype(np.uint8)
            overall[overall == 0] = np.nan
            return rows, reasons, overall, overall_reasons, -1
        if builtin.rule == "regression":
            stats = self.regression(weights, needs_true=builtin.core != "mean_prediction")
            total = stats.sum_groups(self.overall_target(), groups.n_control)
            regression, how = _core_fair.RegressionMetric[builtin.core], _core_fair.Convention[self.convention]
            values, reasons = _core_fair.regression_metric(stats, regression, how)
            overall, overall_reasons = _core_fair.regression_metric(total, regression, how)
            values, overall = (_unscale(v, builtin.core, self.regression_exponent) for v in (values, overall))
            return values, reasons, overall, overall_reasons, -1
        stats = self.confusion(weights)
        total = stats.sum_groups(self.overall_target(), groups.n_control)
        positive = -1
        if builtin.rule in ("rate", "binary", "selection"):
            explicit = bound.get("pos_label") is not None
            pos_label = bound.get("pos_label", builtin.default_pos_label)
            positive = self._positive_class(builtin, pos_label, explicit, stats)
            self._positive_class(builtin, pos_label, explicit, total)
        classification, how = _core_fair.ClassificationMetric[builtin.core], _core_fair.Convention[self.convention]
        values, reasons = _core_fair.classification_metric(stats, classification, positive, how)
        overall, overall_reasons = _core_fair.classification_metric(total, classification, positive, how)
        return values, reasons, overall, overall_reasons, positive

    def _positive_class(self, builtin: _Builtin, pos_label: Any, explicit: bool, stats: Any) -> int:
        """The positive class code, after checking the labels of every group as fairlearn
        (rates) and scikit-learn (precision, recall, F1) do. Under the strict convention
        an explicit pos_label also accepts more than two labels (one versus the rest)."""
        classes = self.classes
        if builtin.rule == "selection":
            return classes.code_of(pos_label)
        counts = stats.counts
        present = (counts.sum(axis=2) + counts.sum(axis=1)) > 0  # (groups, classes)
        n_labels = present.sum(axis=1)
        if pos_label is None:  # fairlearn's rate functions
            numeric = classes.labels.dtype.kind in "biuf"
            zero_one = np.isin(classes.labels, [0, 1]) if numeric else np.zeros(len(classes.labels), bool)
            minus_one_one = np.isin(classes.labels, [-1, 1]) if numeric else np.zeros(len(classes.labels), bool)
            fits = ~(present & ~zero_one).any(axis=1) | ~(present & ~minus_one_one).any(axis=1)
            if not fits.all():
                raise InvalidInputError(_RESTRICTED_LABELS)
            pos_label = 1
        positive = classes.code_of(pos_label)
        one_vs_rest = self.convention == "strict" and explicit
        if (n_labels > 2).any() and not one_vs_rest:
            raise InvalidInputError(_TOO_MANY_LABELS)
        two = n_labels == 2
        has_positive = present[:, positive] if positive >= 0 else np.zeros(len(n_labels), bool)
        if (two & ~has_positive).any() and not one_vs_rest:
            group = int(np.nonzero(two & ~has_positive)[0][0])
            raise InvalidInputError(_POS_LABEL_ABSENT.format(pos_label, classes.labels[present[group]].tolist()))
        return positive


# --- MetricFrame --------------------------------------------------------------------------


def _metric_name(metric: Callable) -> str:
    return getattr(metric, "__name__", "metric")


@dataclass
class _MetricResult:
    name: str
    by_group: np.ndarray  # float64, or object for user metrics returning non-scalars
    overall: np.ndarray  # per control level
    reasons: np.ndarray  # uint8 per group (built-ins), zeros for user metrics
    scalar: bool  # every value is a scalar (else only errors='coerce' aggregates)


class MetricFrame:
    """Metrics disaggregated by group, with fairlearn's signature and accessors.

    Parameters follow ``fairlearn.metrics.MetricFrame``; in addition:

    convention : {"strict", "fairlearn"}
        How undefined values are reported (see the module docstring).
    missing : {"error", "own_group", "drop"}
        What a missing sensitive or control value does: raise (default, as fairlearn
        0.15), form its own level "(missing)", or drop the row from every result.
        ``missing_rows`` and ``dropped_rows`` report what happened.
    observed : bool
        False (default): with more than one grouping feature, every combination of
        levels is a row of ``by_group`` (empty ones NaN), as fairlearn does. True: only
        combinations that occur.
    n_jobs : int or None
        Threads for the core (None: all cores); results do not depend on it.
    min_support : int
        Groups with fewer rows than this (unweighted, default 30, as ``four_fifths``)
        are flagged: ``small_groups`` lists them, and ``to_dict()``, ``to_frame()`` and
        the notebook table mark them. Their values are still computed.
    """

    def __init__(
        self,
        *,
        metrics: Callable | dict[str, Callable],
        y_true: Any,
        y_pred: Any,
        sensitive_features: Any,
        control_features: Any = None,
        sample_params: dict | None = None,
        n_boot: int | None = None,
        ci_quantiles: Sequence[float] | None = None,
        random_state: int | np.random.RandomState | None = None,
        convention: str = "strict",
        missing: str = "error",
        observed: bool = False,
        n_jobs: int | None = None,
        progress: Any = None,
        min_support: int = 30,
    ):
        if convention not in CONVENTIONS:
            raise InvalidInputError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        if missing not in MISSING_POLICIES:
            raise InvalidInputError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
        if isinstance(min_support, bool) or not isinstance(min_support, numbers.Integral) or min_support < 0:
            raise InvalidInputError(f"min_support must be a non-negative integer, got {min_support!r}")
        self._convention = convention
        self._min_support = int(min_support)
        jobs = n_jobs_arg(n_jobs)
        if random_state is not None and not isinstance(random_state, (np.random.RandomState, np.random.Generator)):
            seed_from(random_state)  # a clear error now, not after the metrics
        y_t = _to_numpy(y_true, "y_true")
        y_p = _to_numpy(y_pred, "y_pred")
        if len(y_t) != len(y_p):
            raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
        n = len(y_t)
        if n == 0:
            raise InvalidInputError("y_true: no rows")
        self._user_supplied_callable = not isinstance(metrics, dict)
        metric_dict = {_metric_name(metrics): metrics} if self._user_supplied_callable else dict(metrics)
        if not metric_dict:
            raise InvalidInputError("metrics: no metrics given")
        params = _sample_params(sample_params, metric_dict, self._user_supplied_callable, n)

        sensitive = _features(sensitive_features, "sensitive_feature_", n, "sensitive_features")
        control = (
            [] if control_features is None else _features(control_features, "control_feature_", n, "control_features")
        )
        self._groups = _Groups(sensitive, control, missing, bool(observed), jobs)
        self._evaluation = _Evaluation(self._groups, y_t, y_p, convention, jobs)

        self._results: list[_MetricResult] = []
        # name -> (builtin, bound arguments, weights, positive class code), for the bootstrap
        self._builtin_specs: dict[str, tuple] = {}
        user_metrics = []
        for name, metric in metric_dict.items():
            if not callable(metric):
                raise InvalidTypeError(f"metrics: '{name}' is not callable")
            recognised = _recognise(metric)
            metric_params = params.get(name, {})
            if recognised is not None and set(metric_params) <= {"sample_weight"}:
                builtin, bound = recognised
                weights = metric_params.get("sample_weight")
                if builtin.rule == "count":
                    weights = None  # fairlearn's count ignores weights
                values, reasons, overall, _, positive = self._evaluation.builtin(builtin, bound, weights)
                self._results.append(_MetricResult(name, values, overall, reasons, True))
                self._builtin_specs[name] = (builtin, bound, weights, positive)
            else:
                user_metrics.append((name, metric, metric_params))
                self._results.append(None)  # type: ignore[arg-type]
        if user_metrics:
            self._run_user_metrics(user_metrics, y_t, y_p)

        self._bootstrap = None
        if ci_quantiles is not None and (np.ndim(ci_quantiles) != 1 or isinstance(ci_quantiles, (str, bytes))):
            raise InvalidTypeError(
                f"ci_quantiles must be a list of floats strictly between 0 and 1, got {ci_quantiles!r}"
            )
        self._ci_quantiles = None if ci_quantiles is None else list(ci_quantiles)
        self._n_boot = n_boot
        has_quantiles = ci_quantiles is not None and len(ci_quantiles) > 0
        if n_boot is not None and has_quantiles:
            n_boot = positive_int(n_boot, "n_boot")
            self._n_boot = n_boot
            for q in self._ci_quantiles:
                if isinstance(q, bool) or not isinstance(q, (float, np.floating)) or not 0 < q < 1:
                    raise InvalidInputError(f"ci_quantiles must be floats strictly between 0 and 1, got {q!r}")
            non_scalar = [r.name for r in self._results if not r.scalar]
            if non_scalar:
                raise InvalidInputError(
                    f"n_boot: metrics {non_scalar} return non-scalar values; intervals need scalars"
                )
            self._bootstrap = bootstrap_metric_frame(self, user_metrics, int(n_boot), random_state, jobs, progress)
        elif (n_boot is not None) != has_quantiles:
            raise InvalidInputError("n_boot and ci_quantiles must be given together")

    # -- user-defined metrics --------------------------------------------------------------

    def _run_user_metrics(self, user_metrics: list, y_t: np.ndarray, y_p: np.ndarray) -> None:
        """Calls each user metric once per non-empty group on contiguous slices of rows
        sorted once by group (and once per control level for `overall`)."""
        groups = self._groups
        order, offsets = groups.order()
        sorted_true, sorted_pred = y_t[order], y_p[order]
        # Rows of each control level are the rows of its groups, which are adjacent in
        # `order` because control features come first in the group key.
        for name, metric, metric_params in user_metrics:
            sorted_params = {k: np.asarray(v)[order] for k, v in metric_params.items()}
            values = np.empty(groups.n_groups, dtype=object)
            values[:] = np.nan
            for g in np.nonzero(groups.group_rows)[0].tolist():
                a, b = offsets[g], offsets[g + 1]
                values[g] = metric(sorted_true[a:b], sorted_pred[a:b], **{k: v[a:b] for k, v in sorted_params.items()})
            overall = np.empty(groups.n_control, dtype=object)
            overall[:] = np.nan
            level_rows = np.bincount(groups.group_control, weights=groups.group_rows, minlength=groups.n_control)
            level_start = np.concatenate([[0], np.cumsum(level_rows)]).astype(np.int64)
            if groups.control:
                for k in np.nonzero(level_rows)[0].tolist():
                    a, b = level_start[k], level_start[k + 1]
                    overall[k] = metric(
                        sorted_true[a:b], sorted_pred[a:b], **{p: v[a:b] for p, v in sorted_params.items()}
                    )
            else:
                kept = groups.row_group >= 0
                if kept.all():
                    overall[0] = metric(y_t, y_p, **{k: np.asarray(v) for k, v in metric_params.items()})
                else:
                    overall[0] = metric(
                        y_t[kept], y_p[kept], **{k: np.asarray(v)[kept] for k, v in metric_params.items()}
                    )
            scalar = all(np.isscalar(v) or v is None for v in values) and all(np.isscalar(v) for v in overall)
            if scalar:
                values = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
                overall = np.array(list(overall), dtype=np.float64)
            index = next(i for i, r in enumerate(self._results) if r is None)
            self._results[index] = _MetricResult(name, values, overall, np.zeros(groups.n_groups, np.uint8), scalar)

    # -- shapes --------------------------------------------------------------------------------

    def _keep_groups(self) -> np.ndarray:
        if self._groups.observed:
            return self._groups.group_rows > 0
        return np.ones(self._groups.n_groups, dtype=bool)

    def _keep_levels(self) -> np.ndarray:
        groups = self._groups
        rows = np.bincount(groups.group_control, weights=groups.group_rows, minlength=groups.n_control)
        if groups.observed:
            return rows > 0
        return np.ones(groups.n_control, dtype=bool)

    def _per_level(self, columns: dict[str, np.ndarray]) -> Any:
        """fairlearn's return type for one value per metric and control level."""
        import pandas as pd

        keep = self._keep_levels()
        names = list(columns)
        if not self._groups.control:
            if self._user_supplied_callable:
                return _scalar(columns[names[0]][0])
            return pd.Series([_scalar(columns[m][0]) for m in names], index=names, dtype=object).infer_objects()
        index = self._groups.control_index()[keep]
        frame = pd.DataFrame({m: columns[m][keep] for m in names}, index=index)
        if self._user_supplied_callable:
            return frame.iloc[:, 0]
        return frame

    @property
    def overall(self) -> Any:
        return self._per_level({r.name: r.overall for r in self._results})

    def _shape_groups(self, columns: dict[str, np.ndarray]) -> Any:
        """fairlearn's return type for one value per metric and group."""
        import pandas as pd

        keep = self._keep_groups()
        index = self._groups.group_index()[keep]
        frame = pd.DataFrame({name: values[keep] for name, values in columns.items()}, index=index)
        return frame.iloc[:, 0] if self._user_supplied_callable else frame

    @property
    def by_group(self) -> Any:
        return self._shape_groups({r.name: r.by_group for r in self._results})

    @property
    def undefined(self) -> Any:
        """Why a built-in value is NaN (strict) or was replaced (fairlearn), per group."""
        import pandas as pd

        reasons = _core_fair.UNDEFINED_REASONS
        keep = self._keep_groups()
        index = self._groups.group_index()[keep]
        return pd.DataFrame({r.name: [reasons[c] for c in r.reasons[keep]] for r in self._results}, index=index)

    @property
    def min_support(self) -> int:
        return self._min_support

    def _small(self) -> np.ndarray:
        return self._groups.group_rows < self._min_support

    @property
    def small_groups(self) -> Any:
        """True for groups with fewer than ``min_support`` rows (a boolean Series indexed
        like ``by_group``; empty intersections count as small)."""
        import pandas as pd

        keep = self._keep_groups()
        return pd.Series(self._small()[keep], index=self._groups.group_index()[keep], name="small")

    @property
    def sensitive_levels(self) -> list[str]:
        return [f.name for f in self._groups.sensitive]

    @property
    def control_levels(self) -> list[str] | None:
        return [f.name for f in self._groups.control] or None

    @property
    def convention(self) -> str:
        return self._convention

    @property
    def missing_rows(self) -> dict[str, int]:
        """Rows with a missing value, per sensitive or control feature."""
        return dict(self._groups.missing_rows)

    @property
    def dropped_rows(self) -> int:
        return self._groups.dropped_rows

    @property
    def n_boot(self) -> int | None:
        return self._n_boot

    @property
    def ci_quantiles(self) -> list[float] | None:
        return self._ci_quantiles

    # -- aggregates -------------------------------------------------------------------------------

    def _aggregate_control(self) -> np.ndarray:
        """The control level of each group the aggregates compare, -1 for the others:
        groups left out of by_group (observed=True) and, under the strict convention,
        groups without rows (an empty intersection is not a group of the data)."""
        keep = self._keep_groups()
        if self._convention == "strict":
            keep = keep & (self._groups.group_rows > 0)
        return np.where(keep, self._groups.group_control, -1).astype(np.int32)

    def _aggregates(self, result: _MetricResult, errors: str, warn: bool = False) -> dict[str, np.ndarray]:
        if errors not in ("raise", "coerce"):
            raise InvalidInputError(f"errors must be 'raise' or 'coerce', got {errors!r}")
        if not result.scalar and errors == "raise":
            raise InvalidInputError(f"metric '{result.name}' returns non-scalar values; use errors='coerce'")
        values = _as_float(result.by_group)
        overall = _as_float(result.overall)
        control = self._aggregate_control()
        aggregates = _core_fair.aggregate(
            values, control, self._groups.n_control, overall, _core_fair.Convention[self._convention]
        )
        if warn and self._convention == "strict":
            self._warn_undefined(result, values, control)
        return aggregates

    def _warn_undefined(self, result: _MetricResult, values: np.ndarray, control: np.ndarray) -> None:
        """UndefinedMetricWarning naming the groups whose undefined value makes the
        aggregates of their level NaN (strict convention)."""
        undefined = np.nonzero((control >= 0) & np.isnan(values))[0]
        if len(undefined) == 0:
            return
        labels = self._groups.group_index()[undefined[:5]].tolist()
        reasons = _core_fair.UNDEFINED_REASONS
        why = sorted({reasons[c] for c in result.reasons[undefined[:5]].tolist() if c} or {"the metric returned NaN"})
        more = f" and {len(undefined) - 5} more" if len(undefined) > 5 else ""
        warnings.warn(
            f"metric '{result.name}': groups {labels}{more} have an undefined value ({'; '.join(why)}), so the "
            "comparison over groups (group_min, group_max, difference, ratio) is NaN: the disparity is unknown, not "
            "zero. convention='fairlearn' gives fairlearn's numbers (such rates count as 0).",
            UndefinedMetricWarning,
            stacklevel=4,
        )

    def _aggregate(self, key: str, errors: str) -> Any:
        columns = {}
        for r in self._results:
            aggregates = self._aggregates(r, errors, warn=True)
            if key.startswith("ratio") and self._convention == "strict":
                # Defined group values but a NaN ratio: every compared value is 0 (0 / 0).
                zero = np.isnan(aggregates[key]) & ~np.isnan(aggregates["group_max"])
                if zero.any():
                    warnings.warn(
                        f"metric '{r.name}': the ratio is 0 / 0 (the values compared are all 0), so it is "
                        "undefined (NaN)",
                        UndefinedMetricWarning,
                        stacklevel=3,
                    )
            columns[r.name] = aggregates[key]
        return self._per_level(columns)

    def group_min(self, errors: str = "raise") -> Any:
        return self._aggregate("group_min", errors)

    def group_max(self, errors: str = "raise") -> Any:
        return self._aggregate("group_max", errors)

    def difference(self, method: str = "between_groups", errors: str = "coerce") -> Any:
        return self._aggregate(f"difference_{_method(method)}", errors)

    def ratio(self, method: str = "between_groups", errors: str = "coerce") -> Any:
        return self._aggregate(f"ratio_{_method(method)}", errors)

    # -- bootstrap intervals -------------------------------------------------------------------------

    def _ci(self, key: str) -> list:
        if self._bootstrap is None:
            raise InvalidInputError("confidence intervals need n_boot and ci_quantiles")
        return self._bootstrap.quantiles(key)

    @property
    def overall_ci(self) -> list:
        return self._ci("overall")

    @property
    def by_group_ci(self) -> list:
        return self._ci("by_group")

    def group_min_ci(self) -> list:
        return self._ci("group_min")

    def group_max_ci(self) -> list:
        return self._ci("group_max")

    def difference_ci(self, method: str = "between_groups") -> list:
        return self._ci(f"difference_{_method(method)}")

    def ratio_ci(self, method: str = "between_groups") -> list:
        return self._ci(f"ratio_{_method(method)}")

    # -- export --------------------------------------------------------------------------------------

    def to_frame(self) -> Any:
        """Long format: one row per (group, metric) with value and undefined reason."""
        import pandas as pd

        frame = self.by_group if not self._user_supplied_callable else self.by_group.to_frame()
        reasons = self.undefined
        long = frame.stack(future_stack=True).rename("value").to_frame()
        long["undefined"] = reasons.stack(future_stack=True).to_numpy()
        long["small"] = np.repeat(self._small()[self._keep_groups()], len(self._results))
        long.index = long.index.set_names([*long.index.names[:-1], "metric"])
        return long.reset_index() if isinstance(long, pd.DataFrame) else long

    def to_dict(self) -> dict:
        groups = self._groups
        keep = self._keep_groups()
        labels = [
            [groups.level_labels(f)[k] for f, k in zip(groups.features, keys)]
            for keys in zip(*[key.tolist() for key in groups.keys])
        ]
        labels = [lab for lab, k in zip(labels, keep) if k]
        reasons = _core_fair.UNDEFINED_REASONS
        metrics = {}
        for r in self._results:
            aggregates = self._aggregates(r, "coerce")
            metrics[r.name] = {
                "by_group": [_scalar(v) for v in r.by_group[keep]],
                "undefined": [reasons[c] for c in r.reasons[keep]],
                "overall": [_scalar(v) for v in r.overall],
                **{k: v.tolist() for k, v in aggregates.items()},
            }
        return json_safe(
            {
                "convention": self._convention,
                "features": [f.name for f in groups.features],
                "control_features": [f.name for f in groups.control],
                "groups": labels,
                "group_rows": groups.group_rows[keep].tolist(),
                "min_support": self._min_support,
                "small": self._small()[keep].tolist(),
                "missing_rows": groups.missing_rows,
                "dropped_rows": groups.dropped_rows,
                "metrics": metrics,
            }
        )

    def _repr_html_(self) -> str:
        from ._fairness_html import metric_frame_html

        return metric_frame_html(self)

    def __repr__(self) -> str:
        return (
            f"MetricFrame(metrics={[r.name for r in self._results]}, groups={self._groups.n_groups}, "
            f"convention={self._convention!r})"
        )


def _method(method: str) -> str:
    if method not in ("between_groups", "to_overall"):
        raise InvalidInputError(f"method must be 'between_groups' or 'to_overall', got {method!r}")
    return method


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_float(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.float64:
        return np.ascontiguousarray(values)
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):  # only for user metrics returning non-scalars
        if np.isscalar(v) and isinstance(v, (numbers.Number, np.generic)):
            out[i] = float(v)
    return out


def _sample_params(sample_params: Any, metrics: dict, single: bool, n: int) -> dict[str, dict[str, Any]]:
    """Per metric name: its sample parameters (None values skipped), checked for length."""
    if sample_params is None:
        return {}
    if not isinstance(sample_params, dict):
        raise InvalidInputError("sample_params must be a dict")
    if single:
        nested = {next(iter(metrics)): sample_params}
    else:
        unknown = set(sample_params) - set(metrics)
        if unknown:
            raise InvalidInputError(f"sample_params: keys {sorted(unknown)} are not metric names")
        nested = sample_params
    result: dict[str, dict[str, Any]] = {}
    for name, params in nested.items():
        if not isinstance(params, dict):
            raise InvalidInputError(f"sample_params['{name}'] must be a dict of arrays")
        checked = {}
        for key, value in params.items():
            if value is None:
                continue
            if key == "sample_weight":
                checked[key] = _weights(value, n, f"sample_params['{name}']['sample_weight']")
            else:
                array = np.asarray(value)
                if array.ndim != 1 or len(array) != n:
                    rows = len(array) if array.ndim else "no"
                    raise InvalidInputError(f"sample_params['{name}']['{key}'] has {rows} rows but y_true has {n}")
                checked[key] = array
        result[name] = checked
    return result


# --- named metric functions (one group: the whole data) -------------------------------------------


def _single(
    builtin_function: Callable, y_true: Any, y_pred: Any, sample_weight: Any, convention: str, **bound: Any
) -> float:
    if convention not in CONVENTIONS:
        raise InvalidInputError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    y_t, y_p = _to_numpy(y_true, "y_true"), _to_numpy(y_pred, "y_pred")
    if len(y_t) != len(y_p):
        raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise InvalidInputError("y_true: no rows")
    everyone = _Feature("all", np.zeros(len(y_t), dtype=np.int32), ["all"])
    groups = _Groups([everyone], [], "error", False, 1)
    evaluation = _Evaluation(groups, y_t, y_p, convention, 1)
    builtin = _BUILTINS[builtin_function]
    weights = None if builtin.rule == "count" else _weights(sample_weight, len(y_t))
    values, _, _, _, _ = evaluation.builtin(builtin, {k: v for k, v in bound.items() if v is not _UNSET}, weights)
    return float(values[0])


_UNSET = object()


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


def _rate_function(core: str, doc: str) -> Callable:
    def rate(
        y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None, *, convention: str = "strict"
    ) -> float:
        return _single(rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)

    rate.__name__ = rate.__qualname__ = core
    rate.__doc__ = doc + (
        " Without pos_label, labels must be {0, 1} or {-1, 1} and 1 is positive. Undefined"
        " (zero denominator): NaN, or 0 with convention='fairlearn'."
    )
    return _builtin(core, "rate")(rate)


true_positive_rate = _rate_function("true_positive_rate", "TP / (TP + FN), the recall.")
false_positive_rate = _rate_function("false_positive_rate", "FP / (FP + TN).")
true_negative_rate = _rate_function("true_negative_rate", "TN / (TN + FP), the specificity.")
false_negative_rate = _rate_function("false_negative_rate", "FN / (FN + TP).")


def _binary_function(name: str, core: str, doc: str) -> Callable:
    def score(
        y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None, convention: str = "strict"
    ) -> float:
        return _single(score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)

    score.__name__ = score.__qualname__ = name
    score.__doc__ = doc + " Undefined (zero denominator): NaN, or 0 with convention='fairlearn' (scikit-learn)."
    return _builtin(core, "binary", default_pos_label=1)(score)


precision_score = _binary_function("precision_score", "precision", "TP / (TP + FP).")
recall_score = _binary_function("recall_score", "true_positive_rate", "TP / (TP + FN).")
f1_score = _binary_function("f1_score", "f1", "2 TP / (2 TP + FP + FN).")


@_builtin("accuracy", "multiclass")
def accuracy_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
    """Weighted fraction of rows with ``y_pred == y_true`` (any labels)."""
    return _single(accuracy_score, y_true, y_pred, sample_weight, convention)


@_builtin("balanced_accuracy", "multiclass")
def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict"
) -> float:
    """Mean recall over the classes present in y_true (scikit-learn's definition)."""
    return _single(balanced_accuracy_score, y_true, y_pred, sample_weight, convention)


def _regression_function(name: str, core: str, doc: str) -> Callable:
    def metric(y_true: Any, y_pred: Any, *, sample_weight: Any = None, convention: str = "strict") -> float:
        return _single(metric, y_true, y_pred, sample_weight, convention)

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = doc
    return _builtin(core, "regression")(metric)


mean_prediction = _regression_function("mean_prediction", "mean_prediction", "Weighted mean of y_pred.")
mean_error = _regression_function("mean_error", "mean_error", "Weighted mean of y_pred - y_true (signed bias).")
mean_absolute_error = _regression_function(
    "mean_absolute_error", "mean_absolute_error", "Weighted mean of |y_pred - y_true|."
)
mean_squared_error = _regression_function(
    "mean_squared_error", "mean_squared_error", "Weighted mean of (y_pred - y_true)^2."
)
root_mean_squared_error = _regression_function(
    "root_mean_squared_error", "root_mean_squared_error", "Square root of the mean squared error."
)
r2_score = _regression_function(
    "r2_score",
    "r2",
    "1 - SS_res / SS_tot. Undefined for one row, or constant y_true "
    "(NaN; scikit-learn's 1 or 0 with convention='fairlearn').",
)


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


# --- disparity functions ---------------------------------------------------------------------------


def _disparity(
    metric: Callable,
    kind: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    convention: str,
    n_jobs: int | None,
) -> float:
    frame = MetricFrame(
        metrics=metric,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
        sample_params=None if sample_weight is None else {"sample_weight": sample_weight},
        convention=convention,
        n_jobs=n_jobs,
    )
    _require_two_groups(frame)
    return float(frame.difference(method=method) if kind == "difference" else frame.ratio(method=method))


def _require_two_groups(frame: MetricFrame) -> None:
    """A disparity compares groups: under the strict convention one group is an error
    (fairlearn returns 0 difference and ratio 1 there)."""
    if frame.convention == "strict" and int((frame._groups.group_rows > 0).sum()) < 2:
        raise InvalidInputError("sensitive_features: the data hold only one group; a disparity needs at least two")


def _selection(pos_label: Any) -> Callable:
    return selection_rate if pos_label == 1 else functools.partial(selection_rate, pos_label=pos_label)


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Largest difference in selection rate between groups (or to the overall rate)."""
    return _disparity(
        _selection(pos_label),
        "difference",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = 1,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Smallest ratio of selection rates between groups (or to the overall rate)."""
    return _disparity(
        _selection(pos_label), "ratio", y_true, y_pred, sensitive_features, method, sample_weight, convention, n_jobs
    )


def _with_pos_label(function: Callable, pos_label: Any) -> Callable:
    return function if pos_label is None else functools.partial(function, pos_label=pos_label)


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Largest difference in true-positive rate between groups (or to the overall rate)."""
    return _disparity(
        _with_pos_label(true_positive_rate, pos_label),
        "difference",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    convention: str = "strict",
    n_jobs: int | None = None,
) -> float:
    """Smallest ratio of true-positive rates between groups (or to the overall rate)."""
    return _disparity(
        _with_pos_label(true_positive_rate, pos_label),
        "ratio",
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        convention,
        n_jobs,
    )


def _equalized_odds(
    kind: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    agg: str,
    pos_label: Any,
    convention: str,
    n_jobs: int | None,
) -> float:
    if agg not in ("worst_case", "mean"):
        raise InvalidInputError(f"agg must be one of 'worst_case' or 'mean', got {agg}")
    weights = None if sample_weight is None else {"sample_weight": sample_weight}
    frame = MetricFrame(
        metrics={
            "tpr": _with_pos_label(true_positive_rate, pos_label),
            "fpr": _with_pos_label(false_positive_rate, pos_label),
        },
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
        sample_params=None if weights is None else {"tpr": weights, "fpr": weights},
        convention=convention,
        n_jobs=n_jobs,
    )
    _require_two_groups(frame)
    values = frame.difference(method=method) if kind == "difference" else frame.ratio(method=method)
    tpr, fpr = float(values["tpr"]), float(values["fpr"])
    return _combine_odds(tpr, fpr, kind, agg, convention)


def _combine_odds(tpr: float, fpr: float, kind: str, agg: str, convention: str) -> float:
    """Worst case or mean of the TPR and FPR disparities.

    fairlearn uses Python's built-in max/min over [tpr, fpr] (a NaN first wins, a NaN
    second loses) and pandas' NaN-skipping mean; the strict convention returns NaN when
    either disparity is undefined, since the worst case is then unknown.
    """
    if convention == "fairlearn":
        if agg == "mean":
            present = [v for v in (tpr, fpr) if not math.isnan(v)]
            return sum(present) / len(present) if present else math.nan
        return max([tpr, fpr]) if kind == "difference" else min([tpr, fpr])
    if math.isnan(tpr) or math.isnan(fpr):
        return math.nan
    if agg == "mean":
        return (tpr + fpr) / 2
    return max(tpr, fpr) if kind == "difference" else min(tpr, fpr)


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
    n_jobs: int | None = None,
) -> float:
    """The worst (or mean) of the TPR and FPR differences between groups."""
    return _equalized_odds(
        "difference", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )


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
    n_jobs: int | None = None,
) -> float:
    """The worst (or mean) of the TPR and FPR ratios between groups."""
    return _equalized_odds(
        "ratio", y_true, y_pred, sensitive_features, method, sample_weight, agg, pos_label, convention, n_jobs
    )


# --- audits, intervals, inequality indices, mitigation (defined in private modules) -----------------

from ._fairness_audit import (  # noqa: E402
    CalibrationByGroup,
    ThresholdOptimizer,
    between_group_generalized_entropy_index,
    between_group_theil_index,
    calibration_by_group,
    disparate_impact_ratio,
    four_fifths,
    generalized_entropy_index,
    reweighing,
    roc_auc_by_group,
    smoothed_edf,
    theil_index,
)
from ._fairness_stream import ConfusionAccumulator, RegressionAccumulator  # noqa: E402
from ._fairness_uncertainty import FourFifths, katz_interval, newcombe_interval, wilson_interval  # noqa: E402

__all__ += [
    "CalibrationByGroup",
    "ConfusionAccumulator",
    "RegressionAccumulator",
    "ThresholdOptimizer",
    "FourFifths",
    "between_group_generalized_entropy_index",
    "between_group_theil_index",
    "calibration_by_group",
    "disparate_impact_ratio",
    "four_fifths",
    "generalized_entropy_index",
    "katz_interval",
    "newcombe_interval",
    "reweighing",
    "roc_auc_by_group",
    "smoothed_edf",
    "theil_index",
    "wilson_interval",
]
