"""Fairness on Dask: ``MetricFrame`` and the named disparities of dask collections.

Unweighted classification metrics (everything a confusion matrix per group gives, and
``count``) run through states: each partition gives the distinct values of every sensitive
and control feature and of the labels, merged and ordered as the single-machine call orders
them, and the core's ``ConfusionStats`` of every combination of levels (the missing level
included), as bytes, merged in a fixed tree. With labels 0 / 1 (or ``count`` alone) one pass
does both: each partition counts over its own levels, and a merge regroups both sides onto
the union of their levels (exactly: integer counts); other labels need the merged labels
first, so a second pass counts. The frame is then computed from the merged counts by the
single-machine code, count bootstrap included, so every value and interval equals the
single-machine call for any partitioning.

Anything else (weights, regression, scores, metric callables, 2-D labels) gathers the
label, prediction, group and weight columns into one task within the memory budget and runs
the single-machine frame there."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _core, fairness
from .._util import n_jobs_arg
from ..errors import CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError
from ..fairness import _disparities
from ..fairness._groups import Groups
from ..fairness._inputs import Classes, _all_in, encode_classes, factorize, feature_columns
from ..fairness._metrics import recognise
from . import _graph

_COLLECTIONS = (_graph.dd.DataFrame, _graph.dd.Series, _graph.da.Array)
_core_fair = _core.fairness
# The label rules of the built-in metrics whose values (and count bootstrap) are functions
# of the unweighted confusion counts per group (see assay.fairness._evaluation.Builtin).
_STATE_RULES = ("rate", "binary", "selection", "multiclass", "count")


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
    rows = _graph.total_rows(collections, client)
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


# -- the state path ---------------------------------------------------------------------------


def _state_builtins(metrics: Any) -> list[Any] | None:
    """The built-ins behind the metrics when every one is computed from unweighted
    confusion counts, else None."""
    metric_list = list(metrics.values()) if isinstance(metrics, dict) else [metrics]
    builtins = []
    for metric in metric_list:
        recognised = recognise(metric) if callable(metric) else None
        if recognised is None or recognised[0].rule not in _STATE_RULES:
            return None
        builtins.append(recognised[0])
    return builtins


def _aligned(collections: list[Any]) -> bool:
    """Whether the collections' partitions hold the same rows: dask arrays with the same
    row chunks, or dask DataFrames / Series with as many partitions (and the same
    divisions where both are known)."""
    if all(isinstance(c, _graph.da.Array) for c in collections):
        chunks = [c.chunks[0] for c in collections]
        return all(ch == chunks[0] and not any(math.isnan(x) for x in ch) for ch in chunks)
    if all(isinstance(c, (_graph.dd.DataFrame, _graph.dd.Series)) for c in collections):
        first = collections[0]
        if any(c.npartitions != first.npartitions for c in collections):
            return False
        known = [c for c in collections if c.known_divisions]
        return all(tuple(c.divisions) == tuple(known[0].divisions) for c in known)
    return False


def _use_states(arguments: dict[str, Any]) -> bool:
    """Whether a MetricFrame's arguments go through merged states (see the module)."""
    if _state_builtins(arguments["metrics"]) is None or arguments.get("sample_params") is not None:
        return False
    labels = [arguments["y_true"], arguments["y_pred"]]
    if any(not (isinstance(v, _graph.dd.Series) or (isinstance(v, _graph.da.Array) and v.ndim == 1)) for v in labels):
        return False
    features = [arguments["sensitive_features"], arguments["control_features"]]
    if any(v is not None and not isinstance(v, _COLLECTIONS) for v in features):
        return False
    if any(isinstance(v, _graph.da.Array) and v.ndim not in (1, 2) for v in features):
        return False
    return _aligned([v for v in [*labels, *features] if v is not None])


def _distinct(values: Any) -> Any:
    """The distinct values of a column, in the column's type (pandas keeps categoricals)."""
    if hasattr(values, "drop_duplicates"):
        return values.drop_duplicates()
    import pandas as pd

    return pd.unique(np.asarray(values))


_ARGUMENTS = ("y_true", "y_pred", "sensitive_features", "control_features")


def _row_partitions(arguments: dict[str, Any]) -> tuple[list[Any], Any]:
    """(one delayed object per partition holding the rows of every argument, the layout
    that ``_unpack`` splits it with). Dask DataFrames and Series are put side by side in one
    frame, each partition's index reset (the single-machine call pairs rows by position):
    every partition is read once for all of them (Dask's concatenation refuses partitions of
    unequal lengths). Dask arrays give their blocks."""
    values = [arguments[name] for name in _ARGUMENTS]
    if not isinstance(values[0], _graph.dd.Series):
        blocks = [
            [None] * len(_graph.partitions(values[0], "y_true")) if v is None else _graph.partitions(v, n)
            for n, v in zip(_ARGUMENTS, values)
        ]
        return [tuple(rows) for rows in zip(*blocks)], None
    pieces: list[Any] = []
    layout: list[tuple[str, list[str], list[Any]] | None] = []
    for k, value in enumerate(values):
        if value is None:
            layout.append(None)
            continue
        if isinstance(value, _graph.dd.Series):
            columns = [f"__assay_{k}_0"]
            piece = value.to_frame(name=columns[0])
            layout.append(("series", columns, [value.name]))
        else:
            columns = [f"__assay_{k}_{j}" for j in range(len(value.columns))]
            piece = value.rename(columns=dict(zip(value.columns, columns)))
            layout.append(("frame", columns, list(value.columns)))
        pieces.append(piece.reset_index(drop=True))
    with warnings.catch_warnings():
        # Unknown divisions: the partitions are paired by position, as intended.
        warnings.filterwarnings("ignore", "Concatenating dataframes with unknown divisions", UserWarning)
        return list(_graph.dd.concat(pieces, axis=1).to_delayed()), layout


def _unpack(rows: Any, layout: Any) -> tuple[Any, Any, Any, Any]:
    """A partition's (y_true, y_pred, sensitive, control) from ``_row_partitions``."""
    if layout is None:
        return rows
    out: list[Any] = []
    for spec in layout:
        if spec is None:
            out.append(None)
            continue
        kind, columns, names = spec
        if kind == "series":
            out.append(rows[columns[0]].rename(names[0]))
        else:
            out.append(rows[columns].set_axis(names, axis=1))
    return out[0], out[1], out[2], out[3]


def _vocabulary(rows: Any, layout: Any, labels: bool) -> dict[str, Any]:
    """A partition's rows (per argument) and distinct values: of each feature, and of the
    labels when ``labels``. When the classes are known without the other partitions (no
    labels needed, or labels all 0 / 1, which the single-machine call encodes as [0, 1]
    whatever else occurs), also the partition's state over its own levels (``state``: the
    levels and the ConfusionStats bytes), so that one pass suffices."""
    y_true, y_pred, sensitive, control = _unpack(rows, layout)
    features = {
        "sensitive": feature_columns(sensitive, "sensitive_feature_", "sensitive_features"),
        "control": [] if control is None else feature_columns(control, "control_feature_", "control_features"),
    }
    vocabulary: dict[str, Any] = {
        "rows": [(len(y_true), len(y_pred), len(sensitive), None if control is None else len(control))],
        **{kind: [(name, _distinct(values)) for name, values in columns] for kind, columns in features.items()},
        "labels": None,
        "state": None,
    }
    codes = None
    if labels:
        t, p = np.asarray(y_true), np.asarray(y_pred)
        if t.dtype.kind in "biuf" and p.dtype.kind in "biuf" and _all_in(t, (0, 1)) and _all_in(p, (0, 1)):
            # 0 / 1 labels: their codes are final ([0, 1] is what the single-machine call
            # makes of them, whatever else occurs); the distinct values come from counts.
            local = encode_classes(t, p)
            codes = (local.y_true, local.y_pred)
            vocabulary["labels"] = tuple(local.labels[np.array([not c.all(), c.any()])] for c in codes)
        else:
            vocabulary["labels"] = (_distinct(t), _distinct(p))
    if (codes is not None or not labels) and len(y_true) == len(y_pred) == len(sensitive):
        columns = vocabulary["control"] + vocabulary["sensitive"]
        levels = [factorize(values, name).levels for name, values in columns]
        if _state_fits(levels, 2 if labels else 1):
            classes = _ZERO_ONE if labels else None
            state = _state_bytes(y_true, y_pred, sensitive, control, levels, classes, codes)
            vocabulary["state"] = (levels, state)
    return vocabulary


_ZERO_ONE = np.array([0, 1])


def _state_fits(levels: list[list[Any]], n_classes: int) -> bool:
    """Whether the counts of every combination of ``levels`` (and the missing level) fit the memory budget."""
    return 16 * math.prod(len(lv) + 1 for lv in levels) * n_classes**2 <= _graph.memory_budget()


def _remapped(state: tuple[list[list[Any]], bytes], union: list[list[Any]], n_classes: int) -> Any:
    """A one-pass state's ConfusionStats over the combinations of ``union`` (each feature's
    levels a superset of the state's, sorted): the same counts, regrouped exactly."""
    import pandas as pd

    levels, data = state
    radix = tuple(len(lv) + 1 for lv in levels)
    stats = _load(data, math.prod(radix), n_classes)
    if levels == union:
        return stats
    keys = np.unravel_index(np.arange(math.prod(radix)), radix)
    mapped = []
    for key, own, merged in zip(keys, levels, union):  # a loop over features
        remap = pd.Index(merged, dtype=object).get_indexer(pd.Index(own, dtype=object))
        if (remap < 0).any():
            raise CorruptedStateError("fairness state: its levels are not among the merged ones")
        mapped.append(np.append(remap, len(merged))[key])
    union_radix = tuple(len(lv) + 1 for lv in union)
    target = np.ravel_multi_index(tuple(mapped), union_radix).astype(np.int32)
    return stats.sum_groups(target, math.prod(union_radix))


def _merge_vocabulary(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"rows": a["rows"] + b["rows"]}
    for kind in ("sensitive", "control"):
        if [name for name, _ in a[kind]] != [name for name, _ in b[kind]]:
            raise InvalidInputError(f"{kind}_features: the partitions name their features differently")
        merged[kind] = [(name, _distinct(_graph.concat([x, y]))) for (name, x), (_, y) in zip(a[kind], b[kind])]
    merged["labels"] = None
    if a["labels"] is not None:
        merged["labels"] = tuple(_distinct(np.concatenate([x, y])) for x, y in zip(a["labels"], b["labels"]))
    merged["state"] = None
    if a["state"] is not None and b["state"] is not None:
        union = [factorize(values, name).levels for name, values in merged["control"] + merged["sensitive"]]
        n_classes = 1 if a["labels"] is None else 2
        if _state_fits(union, n_classes):
            stats = _remapped(a["state"], union, n_classes).merge(_remapped(b["state"], union, n_classes))
            merged["state"] = (union, bytes(stats.to_bytes()))
    return merged


def _global_codes(values: Any, name: str, levels: list[Any]) -> np.ndarray:
    """A partition's level codes of a feature in the order of the merged ``levels`` (the
    missing level is ``len(levels)``)."""
    import pandas as pd

    local = factorize(values, name)
    remap = np.append(pd.Index(levels, dtype=object).get_indexer(pd.Index(local.levels, dtype=object)), len(levels))
    if (remap[:-1] < 0).any():  # cannot happen: the levels are the union of every partition's
        raise InvalidInputError(f"sensitive feature '{name}': a value of a partition is missing from the levels")
    return remap[local.codes].astype(np.int32)


def _partition_state(rows: Any, layout: Any, levels: list[list[Any]], labels: np.ndarray | None) -> bytes:
    """A partition's ConfusionStats as bytes: one group per combination of levels
    (control features first, each with its missing level last), in mixed-radix order."""
    return _state_bytes(*_unpack(rows, layout), levels, labels)


def _state_bytes(
    y_true: Any,
    y_pred: Any,
    sensitive: Any,
    control: Any,
    levels: list[list[Any]],
    labels: np.ndarray | None,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> bytes:
    """``_partition_state`` of the unpacked rows (``codes``: their class codes, when known)."""
    n_classes = 1 if labels is None else len(labels)
    n_combinations = math.prod(len(lv) + 1 for lv in levels)
    columns = [] if control is None else feature_columns(control, "control_feature_", "control_features")
    columns += feature_columns(sensitive, "sensitive_feature_", "sensitive_features")
    n = len(y_true)
    if not (len(y_pred) == len(sensitive) == n and (control is None or len(control) == n)):
        raise InvalidInputError(
            "y_true, y_pred and the features are not partitioned alike (a partition holds "
            f"{n}, {len(y_pred)} and {len(sensitive)} rows); repartition them alike"
        )
    threads = n_jobs_arg(_graph.task_threads())
    specs = [(name, _global_codes(values, name, lv), len(lv) + 1) for (name, values), lv in zip(columns, levels)]
    if n:
        row_group = _core_fair.build_group_index(specs, _core_fair.MissingPolicy.error, False, threads)["row_group"]
    else:
        row_group = np.zeros(0, dtype=np.int32)
    if labels is None or not n:
        t = p = np.zeros(n, dtype=np.int32)
    elif codes is not None:
        t, p = codes
    else:
        t, p = _label_codes(y_true, y_pred, labels)
    stats = _core_fair.accumulate_confusion(row_group, n_combinations, t, p, n_classes, None, threads)
    return bytes(stats.to_bytes())


def _label_codes(y_true: Any, y_pred: Any, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A partition's class codes in the order of the merged ``labels``."""
    import pandas as pd

    local = encode_classes(np.asarray(y_true), np.asarray(y_pred))
    if len(local.labels) == len(labels) and np.array_equal(local.labels, labels):
        return local.y_true, local.y_pred  # the same labels ([0, 1] for 0 / 1 labels of any dtype)
    remap = pd.Index(labels).get_indexer(local.labels)
    t, p = remap[local.y_true], remap[local.y_pred]
    if len(t) and (min(t.min(), p.min()) < 0):  # cannot happen: the labels are the union of every partition's
        raise InvalidInputError("y_true: a label of a partition is missing from the merged labels")
    return t.astype(np.int32), p.astype(np.int32)


def _load(data: bytes, n_groups: int, n_classes: int) -> Any:
    """ConfusionStats from a state's bytes, checked against the groups and classes expected."""
    if not isinstance(data, (bytes, bytearray)):
        raise CorruptedStateError(f"fairness state: expected bytes, got {type(data).__name__}")
    stats = _core_fair.ConfusionStats.from_bytes(bytes(data))
    if stats.n_groups != n_groups or stats.n_classes != n_classes or stats.weighted:
        raise CorruptedStateError(
            f"fairness state: {stats.n_groups} groups x {stats.n_classes} classes"
            f"{' (weighted)' if stats.weighted else ''}, expected {n_groups} x {n_classes} unweighted"
        )
    return stats


def _merge_states(a: bytes, b: bytes, n_groups: int, n_classes: int) -> bytes:
    return bytes(_load(a, n_groups, n_classes).merge(_load(b, n_groups, n_classes)).to_bytes())


def _state_frame(arguments: dict[str, Any], client: Any) -> fairness.MetricFrame:
    """The MetricFrame of unweighted count metrics, through per-partition states."""
    # The options' own checks first, as the single-machine call makes them, before any pass.
    fairness.MetricFrame._check_options(
        arguments["convention"], arguments["missing"], arguments["min_support"], arguments["random_state"]
    )
    builtins = _state_builtins(arguments["metrics"]) or []
    # As the single-machine call: the labels are encoded for a classification metric, or
    # for the count bootstrap (which draws confusion cells); count alone needs none.
    needs_labels = any(b.rule != "count" for b in builtins) or (bool(builtins) and arguments["n_boot"] is not None)
    control = arguments["control_features"]
    partitions, layout = _row_partitions(arguments)
    delayed = _graph.dask.delayed
    vocabularies = [delayed(_vocabulary, pure=True)(rows, layout, needs_labels) for rows in partitions]
    try:
        (vocabulary,) = _graph.compute([_graph.tree_reduce(vocabularies, _merge_vocabulary)], client)
    except ValueError as error:
        if "different lengths" not in str(error):  # Dask's check of the side-by-side partitions
            raise
        raise InvalidInputError(
            "y_true, y_pred and the features are not partitioned alike (a partition holds more rows of one "
            "than of another); repartition them alike"
        ) from error

    rows = np.array([[-1 if r is None else r for r in row] for row in vocabulary["rows"]], dtype=np.int64)
    n = int(rows[:, 0].sum())
    if int(rows[:, 1].sum()) != n:
        raise InvalidInputError(f"y_true has {n} rows but y_pred has {int(rows[:, 1].sum())}")
    if n == 0:
        raise InvalidInputError("y_true: no rows")
    for column, kind in ((2, "sensitive"), (3, "control")):
        if kind == "control" and control is None:
            continue
        if int(rows[:, column].sum()) != n:
            name = vocabulary[kind][0][0]
            raise InvalidInputError(
                f"{kind}_features: feature '{name}' has {int(rows[:, column].sum())} rows but y_true has {n}"
            )
    sensitive = [factorize(values, name) for name, values in vocabulary["sensitive"]]
    controls = [factorize(values, name) for name, values in vocabulary["control"]]
    classes: Classes | None = None
    if needs_labels:
        classes = encode_classes(*vocabulary["labels"])
    n_classes = 1 if classes is None else len(classes.labels)
    features = controls + sensitive
    n_combinations = math.prod(len(f.levels) + 1 for f in features)
    state_bytes = 16 * n_combinations * n_classes**2
    gathered_bytes = 8 * n * (2 + len(features))
    if n_combinations > 2**31 - 1 or state_bytes > max(_graph.memory_budget(), gathered_bytes):
        # A state holding more than the budget, and more than the rows themselves: the rows
        # are gathered instead (within the budget, or refused).
        return _gathered_frame(arguments, client)

    one_pass = vocabulary["state"]
    if one_pass is not None and (classes is None or np.array_equal(classes.labels, _ZERO_ONE)):
        # Labels all 0 / 1 (or none needed): the first pass's merged state over the levels
        # every partition saw, sorted as the single-machine call sorts them, is the state.
        stats = _remapped(one_pass, [f.levels for f in features], n_classes)
    else:
        # The levels and labels travel once, as one key each, not embedded in every task.
        levels = delayed([f.levels for f in features], pure=True, traverse=False)
        labels = delayed(None if classes is None else classes.labels, pure=True, traverse=False)
        states = [delayed(_partition_state, pure=True)(rows, layout, levels, labels) for rows in partitions]
        merge = functools.partial(_merge_states, n_groups=n_combinations, n_classes=n_classes)
        (merged,) = _graph.compute([_graph.tree_reduce(states, merge)], client)
        stats = _load(merged, n_combinations, n_classes)
    groups, grouped = _groups_of(stats, sensitive, controls, arguments["missing"], bool(arguments["observed"]))
    return fairness.MetricFrame._from_confusion(
        metrics=arguments["metrics"],
        groups=groups,
        confusion=grouped,
        classes=classes,
        n_boot=arguments["n_boot"],
        ci_quantiles=arguments["ci_quantiles"],
        random_state=arguments["random_state"],
        convention=arguments["convention"],
        min_support=arguments["min_support"],
    )


def _groups_of(stats: Any, sensitive: list[Any], control: list[Any], missing: str, observed: bool) -> tuple[Any, Any]:
    """(Groups, their ConfusionStats) from the merged counts of every combination of levels
    (each feature's missing level last), as the single-machine group index makes them."""
    features = control + sensitive
    n_levels = np.array([len(f.levels) for f in features], dtype=np.int64)
    rows = stats.counts.sum(axis=(1, 2))
    keys = np.unravel_index(np.arange(len(rows)), tuple(n_levels + 1)) if len(features) else ()
    is_missing = [k == m for k, m in zip(keys, n_levels)]
    missing_rows = [int(rows[flag].sum()) for flag in is_missing]
    if missing == "error":
        for feature, count in zip(features, missing_rows):
            if count:
                raise InvalidInputError(
                    f"sensitive feature '{feature.name}' has {count} missing values; "
                    "choose missing='own_group' or missing='drop'"
                )
    any_missing = np.logical_or.reduce(is_missing) if missing != "own_group" else np.zeros(len(rows), bool)
    dropped_rows = int(rows[any_missing].sum())
    # The single-machine radix of each feature: its levels (and the missing level with
    # own_group); a feature without levels keeps one (its rows are all dropped).
    radix = n_levels + 1 if missing == "own_group" else np.maximum(n_levels, 1)
    n_target = math.prod(int(r) for r in radix)
    if not observed and n_target > 2**31 - 1:
        raise ResourceLimitError(
            f"sensitive_features: the Cartesian product of the levels has {n_target} combinations; use observed groups"
        )
    code = np.zeros(len(rows), dtype=np.int64)
    for key, r in zip(keys, radix):  # a loop over features
        code = code * int(r) + np.minimum(key, int(r) - 1)
    code[any_missing] = -1
    if observed:
        kept = np.unique(code[(rows > 0) & (code >= 0)])
        target = np.full(len(rows), -1, dtype=np.int64)
        target[code >= 0] = np.searchsorted(kept, code[code >= 0])
        target[(code >= 0) & ~np.isin(code, kept)] = -1
        group_codes = kept
    else:
        target = code
        group_codes = np.arange(n_target, dtype=np.int64)
    grouped = stats.sum_groups(target.astype(np.int32), len(group_codes))
    group_keys = list(np.unravel_index(group_codes, tuple(int(r) for r in radix))) if len(features) else []
    groups = Groups.from_counts(
        sensitive,
        control,
        missing,
        observed,
        group_keys,
        grouped.counts.sum(axis=(1, 2)),
        missing_rows,
        dropped_rows,
    )
    return groups, grouped


def _gathered_frame(arguments: dict[str, Any], client: Any) -> fairness.MetricFrame:
    return fairness.MetricFrame.from_json(_run(_metric_frame_json, arguments, client))


def _frame(arguments: dict[str, Any], client: Any) -> fairness.MetricFrame:
    """A MetricFrame of dask collections: through states when its metrics allow, else gathered."""
    for name in ("y_true", "y_pred", "sensitive_features", "control_features", "sample_params"):
        _lazy(arguments.get(name), name)
    if _use_states(arguments):
        return _state_frame(arguments, client)
    return _gathered_frame(arguments, client)


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

    Unweighted classification metrics (assay's, fairlearn's and scikit-learn's built-ins
    that a confusion matrix per group gives: selection rate, true/false positive and
    negative rates, precision, recall, F1, accuracy, error rate, balanced accuracy, and
    ``count``) go through states: each partition is reduced to the core's confusion counts
    per combination of levels, merged in a tree of ``split_every`` = 8 (one pass with labels
    0 / 1; other labels take a first pass for the merged labels); the frame is computed from
    the merged counts by the single-machine code, so it equals the single-machine frame for
    any partitioning, bootstrap intervals included (the multinomial count bootstrap draws
    from the merged counts). Nothing is gathered, so the memory budget does not limit the
    rows.

    Anything else (``sample_params`` such as weights, regression and score metrics, metric
    callables, 2-D labels, collections that are not partitioned alike) gathers the label,
    prediction, group and weight columns into one task within the memory budget
    ([`memory_budget`][assay.dask.memory_budget]) and computes the single-machine frame
    there: its values equal the single-machine frame of the computed columns, and so do the
    Poisson bootstrap intervals (row i of replicate b is the i-th draw of the generator
    keyed by (seed, b), never per partition).

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
        The frame: every accessor returns the single-machine values (a gathered frame is
        read back from its JSON, its intervals are then the stored quantiles).

    Raises
    ------
    InvalidTypeError
        ``y_true``, ``y_pred`` or ``sensitive_features`` is not a dask collection;
        otherwise as in the single-machine call.
    InvalidInputError
        As in the single-machine call; also collections with as many partitions whose
        partitions hold different numbers of rows.
    ResourceLimitError
        A gathered frame's columns exceed the memory budget.
    CorruptedStateError
        A partition's state does not decode.

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
    return _frame(arguments, client)


def _frame_of(client: Any) -> Callable[..., fairness.MetricFrame]:
    """What the named disparities build their frame with: this module's MetricFrame."""

    def frame_of(*, n_jobs: Any = None, **arguments: Any) -> fairness.MetricFrame:
        return MetricFrame(**arguments, client=client)

    return frame_of


# The arguments of the single-machine disparities, passed on by name.
_DISPARITY_ARGUMENTS = ("y_true", "y_pred", "sensitive_features", "method", "sample_weight", "convention")
_ODDS_ARGUMENTS = (*_DISPARITY_ARGUMENTS, "agg", "pos_label")


def _on_frames(
    disparity: Callable[..., float],
    leading: tuple[Any, ...],
    names: tuple[str, ...],
    arguments: dict[str, Any],
    client: Any,
) -> float:
    """A single-machine disparity (of ``fairness._disparities``) of the call's ``arguments``
    named ``names``, after ``leading``, its frame built by this module's MetricFrame."""
    named = {name: arguments[name] for name in names}
    return disparity(*leading, **named, n_jobs=None, frame_of=_frame_of(client))


def _disparity(metric: Callable[..., Any], kind: str, arguments: dict[str, Any], client: Any) -> float:
    """A disparity of one metric, as the single-machine function computes it from its frame."""
    return _on_frames(_disparities._disparity, (metric, kind), _DISPARITY_ARGUMENTS, arguments, client)


def _odds(kind: str, arguments: dict[str, Any], client: Any) -> float:
    """Equalized odds (worst case or mean of the TPR and FPR disparities) from one frame."""
    return _on_frames(_disparities._equalized_odds, (kind,), _ODDS_ARGUMENTS, arguments, client)


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

    [`assay.fairness.demographic_parity_difference`][assay.fairness.demographic_parity_difference]
    from this module's [`MetricFrame`][assay.dask.MetricFrame]: without ``sample_weight``
    through merged per-partition confusion counts (nothing gathered, equal to the
    single-machine value for any partitioning); with it, the columns are gathered into one
    task within the memory budget.

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
        Weighted: the gathered columns exceed the memory budget.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> rows = dd.from_pandas(pd.DataFrame({"y": [1, 0, 1, 1, 0, 1, 0, 0], "p": [1, 0, 1, 0, 1, 1, 1, 0],
    ...                                     "sex": list("ffffmmmm")}), npartitions=3)
    >>> adask.demographic_parity_difference(rows["y"], rows["p"], sensitive_features=rows["sex"])
    0.25
    """
    return _disparity(_disparities._selection(pos_label), "difference", locals(), client)


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
    return _disparity(_disparities._selection(pos_label), "ratio", locals(), client)


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
    tpr = _disparities._with_pos_label(fairness.true_positive_rate, pos_label)
    return _disparity(tpr, "difference", locals(), client)


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
    tpr = _disparities._with_pos_label(fairness.true_positive_rate, pos_label)
    return _disparity(tpr, "ratio", locals(), client)


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
    return _odds("difference", locals(), client)


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
    return _odds("ratio", locals(), client)
