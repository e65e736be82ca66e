"""MetricFrame: metrics disaggregated by group, with fairlearn's signature and accessors.

The work happens in the C++ core: the sensitive features become one group index
(mixed-radix intersection codes), one pass accumulates a confusion matrix (or regression
sums) per group, and every built-in metric and aggregate is computed from those statistics.
User-defined metric callables are still accepted: they are called once per group on
contiguous slices of the rows, sorted once by group.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import _core, report
from .._results import Exportable
from .._util import json_safe, n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike, NJobs, Progress, Seed, TableLike
from ..warnings import UndefinedMetricWarning
from ._bootstrap import AGGREGATE_KEYS, Bootstrap, StoredQuantiles, bootstrap_metric_frame
from ._checks import positive_int, seed_from
from ._evaluation import CONVENTIONS, BuiltinSpec, Evaluation, UserMetric
from ._groups import MISSING_POLICIES, Groups
from ._inputs import Classes, Feature, as_weights, json_label, split_features, to_rows
from ._metrics import recognise
from ._report import metric_frame_sections

_core_fair = _core.fairness
# What the ``*_ci`` accessors give quantiles of, as stored by ``to_dict``.
CI_KEYS = ("by_group", "overall", *AGGREGATE_KEYS)


def _metric_name(metric: Callable[..., Any]) -> str:
    return getattr(metric, "__name__", "metric")


@dataclass
class _MetricResult:
    """One metric of a MetricFrame: its values per group and per control level."""

    name: str
    by_group: np.ndarray  # float64, or object for user metrics returning non-scalars
    overall: np.ndarray  # per control level
    reasons: np.ndarray  # uint8 per group (built-ins), zeros for user metrics
    scalar: bool  # every value is a scalar (else only errors='coerce' aggregates)


class MetricFrame(Exportable):
    """Metrics disaggregated by group, with fairlearn's signature and accessors.

    ``fairlearn.metrics.MetricFrame``'s constructor and accessors, so that switching is an
    import change. The sensitive (and control) features become one group index in the
    core; one pass accumulates a confusion matrix (or regression sums) per group for each
    distinct weighting, and every built-in metric and aggregate is computed from those
    statistics. assay's metric functions, fairlearn's and scikit-learn's functions of the
    same definition, and ``functools.partial`` of them binding ``pos_label`` are recognised
    and computed so; any other callable is called once per non-empty group on contiguous
    slices of the rows (and once per control level for ``overall``). See the fairness guide
    (docs/fairness.md) for every definition and each difference from fairlearn.

    The frame exports as the other results of assay do: ``to_dict()`` / ``to_json()``
    (values, undefined reasons, aggregates and the bootstrap quantiles of the ``*_ci``
    accessors), ``to_html()`` (a standalone page with tables and a chart with intervals per
    metric) and its notebook view. ``MetricFrame.from_json`` reads a frame back as results
    only: every accessor returns what the original returned, but it holds no rows, so its
    intervals are the stored quantiles (not the replicates), values of metrics that return
    non-scalars come back as lists, and group levels that are not numbers, text or booleans
    (dates, say) come back as their text.

    Parameters
    ----------
    metrics : callable or dict of str to callable
        One metric ``f(y_true, y_pred, **sample_params) -> value`` or several by name (an
        empty dict gives empty results, as fairlearn). With one callable the accessors
        return fairlearn's single-metric shapes (a Series per group, a scalar overall).
    y_true : ArrayLike
        True labels or values, one per row (for metric callables also a 2-D array of rows,
        such as multi-output targets).
    y_pred : ArrayLike
        Predictions (labels, values or scores), one per row (for metric callables also a
        2-D array of rows, such as class probabilities).
    sensitive_features : ArrayLike or TableLike
        One feature (an array, a list, a pandas Series) or several (a 2-D array, a pandas or
        polars DataFrame, a dict of name to array). A row's group is the combination of its
        levels; levels are in sorted order (pandas' groupby order). Unnamed features are
        called ``sensitive_feature_0``, ``sensitive_feature_1``, ...
    control_features : ArrayLike or TableLike, optional
        Features within whose levels the groups are compared: ``overall`` and every
        aggregate are given per control level (unnamed: ``control_feature_0``, ...).
    sample_params : dict, optional
        Per-row parameters of the metrics: for one metric a dict of parameter name to array
        (``{"sample_weight": w}``), for a dict of metrics a dict of metric name to such a
        dict. None values are skipped.
    n_boot : int, optional
        Bootstrap replicates for the ``*_ci`` accessors (given with ``ci_quantiles``).
        Unweighted classification metrics use the multinomial count bootstrap, anything
        else the Poisson row bootstrap; replicates are drawn in the core.
    ci_quantiles : sequence of float, optional
        Quantiles of the replicates the ``*_ci`` accessors return, each strictly between 0
        and 1 (``[0.025, 0.975]`` for a 95% interval).
    random_state : int, numpy RandomState or Generator, optional
        Seed of the bootstrap: an integer in [0, 2**64), a numpy ``RandomState`` or
        ``Generator`` (one draw seeds the core), or None for fresh entropy.
    convention : {"strict", "fairlearn"}, default "strict"
        ``"strict"``: a value whose definition divides by zero (the true-positive rate of a
        group without positives, say) is NaN, ``undefined`` says why, and an aggregate over
        a group with an undefined value is NaN (with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning]). ``"fairlearn"``:
        fairlearn's numbers, quirks included (such a rate is 0, NaN group values are skipped
        by the aggregates).
    missing : {"error", "own_group", "drop"}, default "error"
        What a missing sensitive or control value does: raise (as fairlearn 0.15), form its
        own level ``"(missing)"``, or drop the row from every result. ``missing_rows`` and
        ``dropped_rows`` report what happened.
    observed : bool, default False
        False: with more than one grouping feature, every combination of levels is a row of
        ``by_group`` (empty ones NaN), as fairlearn does. True: only the combinations that
        occur.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); results do not depend on it.
    progress : Progress, optional
        Progress of the bootstrap: True, False, None (a bar after two seconds of work) or a
        callable ``callback(done, total)``; Ctrl-C stops it.
    min_support : int, default 30
        Groups with fewer rows than this (unweighted) are flagged: ``small_groups`` lists
        them, and ``to_dict()``, ``to_frame()`` and the notebook table mark them. Their
        values are still computed.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty (or 2-D with a built-in
        metric); a feature has another
        length, a missing value (with ``missing="error"``) or repeats a name; an option has
        an unknown value; ``n_boot`` and ``ci_quantiles`` are not given together; a metric
        with intervals returns non-scalars; or the labels, values or weights are invalid for
        a built-in metric (NaN, non-finite, negative weights, ...); ``random_state`` is not
        an int, a numpy ``RandomState`` or ``Generator`` or None (a ValueError, as
        scikit-learn's).
    InvalidTypeError
        A metric is not callable, or an argument has a type the call does not accept (a
        float ``n_boot``, ...).
    ResourceLimitError
        The groups of ``observed=False`` or the bootstrap replicates cannot fit in memory.

    Examples
    --------
    >>> from assay.fairness import MetricFrame, selection_rate, true_positive_rate
    >>> mf = MetricFrame(
    ...     metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
    ...     y_true=[1, 0, 1, 1, 0, 1, 0, 0],
    ...     y_pred=[1, 0, 1, 0, 1, 1, 1, 0],
    ...     sensitive_features=["f", "f", "f", "f", "m", "m", "m", "m"],
    ... )
    >>> mf.by_group
                         selection_rate       tpr
    sensitive_feature_0
    f                              0.50  0.666667
    m                              0.75  1.000000
    >>> mf.difference()
    selection_rate    0.250000
    tpr               0.333333
    dtype: float64
    >>> mf.ratio()
    selection_rate    0.666667
    tpr               0.666667
    dtype: float64
    """

    def __init__(
        self,
        *,
        metrics: Callable[..., Any] | dict[str, Callable[..., Any]],
        y_true: ArrayLike,
        y_pred: ArrayLike,
        sensitive_features: ArrayLike | TableLike,
        control_features: ArrayLike | TableLike | None = None,
        sample_params: dict[str, Any] | None = None,
        n_boot: int | None = None,
        ci_quantiles: Sequence[float] | None = None,
        random_state: Seed | np.random.RandomState | np.random.Generator = None,
        convention: str = "strict",
        missing: str = "error",
        observed: bool = False,
        n_jobs: NJobs = None,
        progress: Progress = None,
        min_support: int = 30,
    ) -> None:
        self._set_options(convention, missing, min_support, random_state)
        jobs = n_jobs_arg(n_jobs)
        # 2-D y (one row per sample: multi-output targets, class probabilities) goes to
        # metric callables as row slices; the built-in metrics take 1-D y.
        y_t = to_rows(y_true, "y_true")
        y_p = to_rows(y_pred, "y_pred")
        if len(y_t) != len(y_p):
            raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
        n = len(y_t)
        if n == 0:
            raise InvalidInputError("y_true: no rows")
        self._user_supplied_callable: bool = not isinstance(metrics, dict)
        metric_dict = dict(metrics) if isinstance(metrics, dict) else {_metric_name(metrics): metrics}
        params = _sample_params(sample_params, metric_dict, self._user_supplied_callable, n)

        sensitive = split_features(sensitive_features, "sensitive_feature_", n, "sensitive_features")
        control = (
            []
            if control_features is None
            else split_features(control_features, "control_feature_", n, "control_features")
        )
        self._groups: Groups = Groups(sensitive, control, missing, bool(observed), jobs)
        self._evaluation: Evaluation = Evaluation(self._groups, y_t, y_p, convention, jobs)
        self._compute(metric_dict, params, y_t, y_p, n_boot, ci_quantiles, random_state, jobs, progress)

    @staticmethod
    def _check_options(convention: str, missing: str, min_support: int, random_state: Any) -> None:
        """The checks of the options every frame has, made before any work (also by the
        Dask call, before its passes over the partitions)."""
        if convention not in CONVENTIONS:
            raise InvalidInputError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        if missing not in MISSING_POLICIES:
            raise InvalidInputError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
        if isinstance(min_support, bool) or not isinstance(min_support, numbers.Integral) or min_support < 0:
            raise InvalidInputError(f"min_support must be a non-negative integer, got {min_support!r}")
        if random_state is not None and not isinstance(random_state, (np.random.RandomState, np.random.Generator)):
            seed_from(random_state)  # a clear error now, not after the metrics

    def _set_options(self, convention: str, missing: str, min_support: int, random_state: Any) -> None:
        """Checks and keeps the options every frame has, before any work."""
        self._check_options(convention, missing, min_support, random_state)
        self._convention: str = convention
        self._min_support: int = int(min_support)

    @classmethod
    def _from_confusion(
        cls,
        *,
        metrics: Callable[..., Any] | dict[str, Callable[..., Any]],
        groups: Groups,
        confusion: Any,
        classes: Classes | None,
        n_boot: int | None,
        ci_quantiles: Sequence[float] | None,
        random_state: Any,
        convention: str,
        min_support: int,
        n_jobs: NJobs = None,
    ) -> MetricFrame:
        """The frame of unweighted confusion counts merged elsewhere (the Dask call's
        per-partition states): ``groups`` without rows, ``confusion`` the core's
        ConfusionStats of those groups, ``classes`` their labels (None when only ``count``
        is asked). Every metric must be a built-in computed from those counts (the caller
        checks, see ``_check_options`` for the options); the values, aggregates and the
        count bootstrap then run exactly as in ``__init__``."""
        frame = cls.__new__(cls)
        frame._set_options(convention, groups.missing, min_support, random_state)
        jobs = n_jobs_arg(n_jobs)
        frame._user_supplied_callable = not isinstance(metrics, dict)
        metric_dict = dict(metrics) if isinstance(metrics, dict) else {_metric_name(metrics): metrics}
        frame._groups = groups
        frame._evaluation = Evaluation.from_confusion(groups, classes, confusion, convention, jobs)
        no_rows = np.empty(0)
        frame._compute(metric_dict, {}, no_rows, no_rows, n_boot, ci_quantiles, random_state, jobs, None)
        return frame

    def _compute(
        self,
        metric_dict: dict[str, Callable[..., Any]],
        params: dict[str, dict[str, Any]],
        y_t: np.ndarray,
        y_p: np.ndarray,
        n_boot: int | None,
        ci_quantiles: Sequence[float] | None,
        random_state: Any,
        jobs: int,
        progress: Progress,
    ) -> None:
        """Every metric's values and the bootstrap, from the groups and the evaluation."""
        results: dict[str, _MetricResult] = {}
        # The built-in metrics as computed, for the bootstrap.
        self._builtin_specs: dict[str, BuiltinSpec] = {}
        user_metrics: list[UserMetric] = []
        for name, metric in metric_dict.items():
            if not callable(metric):
                raise InvalidTypeError(f"metrics: '{name}' is not callable")
            recognised = recognise(metric) if y_t.ndim == y_p.ndim == 1 else None
            metric_params = params.get(name, {})
            if recognised is not None and set(metric_params) <= {"sample_weight"}:
                builtin, bound = recognised
                weights = metric_params.get("sample_weight")
                if builtin.rule == "count":
                    weights = None  # fairlearn's count ignores weights
                computed = self._evaluation.builtin(builtin, bound, weights)
                results[name] = _MetricResult(name, computed.values, computed.overall, computed.reasons, True)
                self._builtin_specs[name] = BuiltinSpec(builtin, bound, weights, computed.positive)
            else:
                user_metrics.append(UserMetric(name, metric, metric_params))
        results.update(self._run_user_metrics(user_metrics, y_t, y_p))
        self._results: list[_MetricResult] = [results[name] for name in metric_dict]

        self._bootstrap: Bootstrap | StoredQuantiles | None = None
        if ci_quantiles is not None and (np.ndim(ci_quantiles) != 1 or isinstance(ci_quantiles, (str, bytes))):
            raise InvalidTypeError(
                f"ci_quantiles must be a list of floats strictly between 0 and 1, got {ci_quantiles!r}"
            )
        self._ci_quantiles: list[float] | None = None if ci_quantiles is None else list(ci_quantiles)
        self._n_boot: int | None = n_boot
        if n_boot is not None and self._ci_quantiles:
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
            self._bootstrap = bootstrap_metric_frame(
                self._groups,
                self._evaluation,
                [r.name for r in self._results],
                self._builtin_specs,
                user_metrics,
                self._aggregate_control(),
                n_boot,
                random_state,
                jobs,
                progress,
            )
        elif (n_boot is not None) != bool(self._ci_quantiles):
            raise InvalidInputError("n_boot and ci_quantiles must be given together")

    # -- user-defined metrics --------------------------------------------------------------

    def _run_user_metrics(
        self, user_metrics: list[UserMetric], y_t: np.ndarray, y_p: np.ndarray
    ) -> dict[str, _MetricResult]:
        """Calls each user metric once per non-empty group on contiguous slices of rows
        sorted once by group (and once per control level for `overall`)."""
        results: dict[str, _MetricResult] = {}
        if not user_metrics:
            return results
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
            results[name] = _MetricResult(name, values, overall, np.zeros(groups.n_groups, np.uint8), scalar)
        return results

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
            values = pd.Series([_scalar(columns[m][0]) for m in names], index=names, dtype=object)
            return values.infer_objects() if names else values.astype(np.float64)  # no metrics: as pandas
        index = self._groups.control_index()[keep]
        frame = pd.DataFrame({m: columns[m][keep] for m in names}, index=index)
        if self._user_supplied_callable:
            return frame.iloc[:, 0]
        return frame

    @property
    def overall(self) -> Any:
        """The metrics on all rows (per control level with control features).

        Returns
        -------
        scalar, pandas Series or DataFrame
            fairlearn's shapes: one metric callable and no control features, a scalar; a
            dict of metrics, a Series by metric name; with control features, a Series (one
            metric) or DataFrame indexed by control level.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.overall
        0.625
        """
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
        """The metrics of each group.

        Returns
        -------
        pandas Series or DataFrame
            Indexed by the groups (a MultiIndex for several features, control features
            first); a Series for one metric callable, else one column per metric. Empty
            groups (``observed=False``) are NaN.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.by_group
        sensitive_feature_0
        f    0.50
        m    0.75
        Name: selection_rate, dtype: float64
        """
        return self._shape_groups({r.name: r.by_group for r in self._results})

    @property
    def undefined(self) -> Any:
        """Why a built-in value is NaN (strict) or was replaced (fairlearn), per group.

        Returns
        -------
        pandas DataFrame
            Indexed like ``by_group``, one column per metric: the reason (such as "the
            group has no actual positives (TP + FN = 0)"), or an empty string where the
            value is defined.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, true_positive_rate
        >>> mf = MetricFrame(metrics={"tpr": true_positive_rate}, y_true=[0, 0, 1, 1],
        ...                  y_pred=[0, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
        >>> mf.by_group
                             tpr
        sensitive_feature_0
        a                    NaN
        b                    0.5
        >>> mf.undefined.loc["a", "tpr"]
        'the group has no actual positives (TP + FN = 0)'
        """
        import pandas as pd

        reasons = _core_fair.UNDEFINED_REASONS
        keep = self._keep_groups()
        index = self._groups.group_index()[keep]
        return pd.DataFrame({r.name: [reasons[c] for c in r.reasons[keep]] for r in self._results}, index=index)

    @property
    def min_support(self) -> int:
        """The number of rows under which a group is flagged as small (the constructor's ``min_support``).

        Returns
        -------
        int
            The threshold, in unweighted rows.
        """
        return self._min_support

    def _small(self) -> np.ndarray:
        return self._groups.group_rows < self._min_support

    @property
    def small_groups(self) -> Any:
        """Which groups have fewer than ``min_support`` rows.

        Returns
        -------
        pandas Series of bool
            Indexed like ``by_group``, named "small"; empty intersections count as small.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.small_groups.tolist()
        [True, True]
        """
        import pandas as pd

        keep = self._keep_groups()
        return pd.Series(self._small()[keep], index=self._groups.group_index()[keep], name="small")

    @property
    def sensitive_levels(self) -> list[str]:
        """The names of the sensitive features (fairlearn's name for them).

        Returns
        -------
        list of str
            In the order of the group index.
        """
        return [f.name for f in self._groups.sensitive]

    @property
    def control_levels(self) -> list[str] | None:
        """The names of the control features, or None without control features.

        Returns
        -------
        list of str or None
            In the order of the group index.
        """
        return [f.name for f in self._groups.control] or None

    @property
    def convention(self) -> str:
        """The convention for undefined values, ``"strict"`` or ``"fairlearn"``.

        Returns
        -------
        str
            The constructor's ``convention``.
        """
        return self._convention

    @property
    def missing_rows(self) -> dict[str, int]:
        """Rows with a missing value, per sensitive or control feature.

        Returns
        -------
        dict of str to int
            Feature name to its number of missing values (0 for every feature unless
            ``missing`` is ``"own_group"`` or ``"drop"``).
        """
        return dict(self._groups.missing_rows)

    @property
    def dropped_rows(self) -> int:
        """Rows left out of every result because of a missing value (``missing="drop"``).

        Returns
        -------
        int
            The number of rows dropped.
        """
        return self._groups.dropped_rows

    @property
    def n_boot(self) -> int | None:
        """The number of bootstrap replicates, or None without intervals.

        Returns
        -------
        int or None
            The constructor's ``n_boot``.
        """
        return self._n_boot

    @property
    def ci_quantiles(self) -> list[float] | None:
        """The quantiles the ``*_ci`` accessors return, or None without intervals.

        Returns
        -------
        list of float or None
            The constructor's ``ci_quantiles``.
        """
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
        _errors(errors)
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
        _errors(errors)
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
        """The smallest value over the groups of each metric (per control level).

        Under the strict convention the result is NaN where a group with rows has an
        undefined value, with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning] naming the groups:
        the disparity is then unknown, not zero.

        Parameters
        ----------
        errors : {"raise", "coerce"}, default "raise"
            What a metric returning non-scalar values does: raise an
            ``InvalidInputError``, or count as NaN.

        Returns
        -------
        scalar, pandas Series or DataFrame
            Shaped like ``overall``: a scalar for one metric callable without control
            features, else per metric (and per control level).

        Raises
        ------
        InvalidInputError
            ``errors`` is not ``"raise"`` or ``"coerce"``, or (``errors="raise"``) a metric
            returns non-scalar values.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.group_min()
        0.5
        """
        return self._aggregate("group_min", errors)

    def group_max(self, errors: str = "raise") -> Any:
        """The largest value over the groups of each metric (per control level).

        Under the strict convention the result is NaN where a group with rows has an
        undefined value, with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning] naming the groups:
        the disparity is then unknown, not zero.

        Parameters
        ----------
        errors : {"raise", "coerce"}, default "raise"
            What a metric returning non-scalar values does: raise an
            ``InvalidInputError``, or count as NaN.

        Returns
        -------
        scalar, pandas Series or DataFrame
            Shaped like ``overall``: a scalar for one metric callable without control
            features, else per metric (and per control level).

        Raises
        ------
        InvalidInputError
            ``errors`` is not ``"raise"`` or ``"coerce"``, or (``errors="raise"``) a metric
            returns non-scalar values.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.group_max()
        0.75
        """
        return self._aggregate("group_max", errors)

    def difference(self, method: str = "between_groups", errors: str = "coerce") -> Any:
        """The largest difference of each metric between groups, or to the overall value.

        Under the strict convention the result is NaN where a group with rows has an
        undefined value, with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning] naming the groups:
        the disparity is then unknown, not zero.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default "between_groups"
            ``"between_groups"``: max - min over the groups. ``"to_overall"``: the
            largest |value - overall| over the groups.
        errors : {"raise", "coerce"}, default "coerce"
            What a metric returning non-scalar values does: raise an
            ``InvalidInputError``, or count as NaN.

        Returns
        -------
        scalar, pandas Series or DataFrame
            Shaped like ``overall``: a scalar for one metric callable without control
            features, else per metric (and per control level).

        Raises
        ------
        InvalidInputError
            ``errors`` is not ``"raise"`` or ``"coerce"`` or ``method`` is unknown, or (``errors="raise"``) a metric
            returns non-scalar values.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.difference()
        0.25
        >>> mf.difference(method="to_overall")
        0.125
        """
        return self._aggregate(f"difference_{_method(method)}", errors)

    def ratio(self, method: str = "between_groups", errors: str = "coerce") -> Any:
        """The smallest ratio of each metric between groups, or to the overall value.

        Under the strict convention the result is NaN where a group with rows has an
        undefined value, with an
        [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning] naming the groups:
        the disparity is then unknown, not zero. A ratio of all-zero values (0 / 0) is NaN
        with an [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning].

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default "between_groups"
            ``"between_groups"``: min / max over the groups. ``"to_overall"``: the
            smallest r(value / overall) over the groups, with r(x) = 1 / x for x > 1, else x.
        errors : {"raise", "coerce"}, default "coerce"
            What a metric returning non-scalar values does: raise an
            ``InvalidInputError``, or count as NaN.

        Returns
        -------
        scalar, pandas Series or DataFrame
            Shaped like ``overall``: a scalar for one metric callable without control
            features, else per metric (and per control level).

        Raises
        ------
        InvalidInputError
            ``errors`` is not ``"raise"`` or ``"coerce"`` or ``method`` is unknown, or (``errors="raise"``) a metric
            returns non-scalar values.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> round(mf.ratio(), 4)
        0.6667
        >>> mf.ratio(method="to_overall")
        0.8
        """
        return self._aggregate(f"ratio_{_method(method)}", errors)

    # -- bootstrap intervals -------------------------------------------------------------------------

    def _ci(self, key: str) -> list[Any]:
        if self._bootstrap is None or self._ci_quantiles is None:
            raise InvalidInputError("confidence intervals need n_boot and ci_quantiles")
        shape = self._shape_groups if key == "by_group" else self._per_level
        return [shape(columns) for columns in self._bootstrap.quantiles(key, self._ci_quantiles)]

    @property
    def overall_ci(self) -> list[Any]:
        """Bootstrap quantiles of ``overall``.

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``overall``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> [round(bound, 3) for bound in mf.overall_ci]
        [0.454, 0.546]
        """
        return self._ci("overall")

    @property
    def by_group_ci(self) -> list[Any]:
        """Bootstrap quantiles of ``by_group`` (replicates where a group's value is NaN are skipped).

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``by_group``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> low, high = mf.by_group_ci
        >>> low.round(3).tolist(), high.round(3).tolist()
        ([0.496, 0.372], [0.639, 0.5])
        """
        return self._ci("by_group")

    def group_min_ci(self) -> list[Any]:
        """Bootstrap quantiles of ``group_min()``.

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``group_min()``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> [round(bound, 3) for bound in mf.group_min_ci()]
        [0.372, 0.5]
        """
        return self._ci("group_min")

    def group_max_ci(self) -> list[Any]:
        """Bootstrap quantiles of ``group_max()``.

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``group_max()``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> [round(bound, 3) for bound in mf.group_max_ci()]
        [0.497, 0.639]
        """
        return self._ci("group_max")

    def difference_ci(self, method: str = "between_groups") -> list[Any]:
        """Bootstrap quantiles of ``difference(method)``.

        A replicate in which a compared group's value is undefined has a NaN difference, so
        such replicates make the bounds NaN (as fairlearn's plain quantiles).

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default "between_groups"
            As in ``difference``.

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``difference()``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given) or ``method`` is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> [round(bound, 3) for bound in mf.difference_ci()]
        [0.034, 0.226]
        """
        return self._ci(f"difference_{_method(method)}")

    def ratio_ci(self, method: str = "between_groups") -> list[Any]:
        """Bootstrap quantiles of ``ratio(method)``.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default "between_groups"
            As in ``ratio``.

        Returns
        -------
        list
            One result per quantile of ``ci_quantiles``, each shaped like ``ratio()``.

        Raises
        ------
        InvalidInputError
            The frame has no intervals (``n_boot`` and ``ci_quantiles`` were not given) or ``method`` is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> rng = np.random.default_rng(0)
        >>> group = rng.choice(["a", "b"], size=400)
        >>> y_true = rng.integers(0, 2, size=400)
        >>> y_pred = (rng.random(400) < np.where(group == "a", 0.6, 0.4)).astype(int)
        >>> mf = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features=group,
        ...                  n_boot=500, ci_quantiles=[0.025, 0.975], random_state=0)
        >>> [round(bound, 3) for bound in mf.ratio_ci()]
        [0.632, 0.936]
        """
        return self._ci(f"ratio_{_method(method)}")

    # -- export --------------------------------------------------------------------------------------

    def to_frame(self) -> Any:
        """The values in long format: one row per (group, metric).

        Returns
        -------
        pandas DataFrame
            Columns: the grouping features, ``metric``, ``value``, ``undefined`` (the reason
            a value is undefined, else empty) and ``small`` (fewer rows than
            ``min_support``).

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> mf.to_frame()[["sensitive_feature_0", "metric", "value"]]
          sensitive_feature_0          metric  value
        0                   f  selection_rate   0.50
        1                   m  selection_rate   0.75
        """
        import pandas as pd

        frame = self.by_group if not self._user_supplied_callable else self.by_group.to_frame()
        reasons = self.undefined
        long = frame.stack(future_stack=True).rename("value").to_frame()
        long["undefined"] = reasons.stack(future_stack=True).to_numpy()
        long["small"] = np.repeat(self._small()[self._keep_groups()], len(self._results))
        long.index = long.index.set_names([*long.index.names[:-1], "metric"])
        return long.reset_index() if isinstance(long, pd.DataFrame) else long

    def to_dict(self) -> dict[str, Any]:
        """Everything the frame computed, as a JSON-safe dictionary (NaN as None).

        ``MetricFrame.from_json`` reads the JSON of this dictionary back (see ``to_json``).

        Returns
        -------
        dict
            ``convention``, ``features``, ``control_features``, ``levels`` (each feature's
            levels), ``missing``, ``observed``, ``single_metric`` (one metric callable was
            given), ``groups`` (the levels of each group), ``group_rows``, ``min_support``,
            ``small``, ``missing_rows``, ``dropped_rows``, ``n_boot``, ``ci_quantiles`` and
            ``metrics``: per metric its values by group, undefined reasons, overall values,
            the six aggregates per control level and, with intervals, ``ci``: for
            ``by_group``, ``overall`` and each aggregate one list per quantile of
            ``ci_quantiles``.

        Examples
        --------
        >>> from assay.fairness import MetricFrame, selection_rate
        >>> mf = MetricFrame(metrics=selection_rate, y_true=[1, 0, 1, 1, 0, 1, 0, 0],
        ...                  y_pred=[1, 0, 1, 0, 1, 1, 1, 0], sensitive_features=list("ffffmmmm"))
        >>> data = mf.to_dict()
        >>> data["groups"], data["metrics"]["selection_rate"]["by_group"]
        ([['f'], ['m']], [0.5, 0.75])
        >>> MetricFrame.from_json(mf.to_json()).difference()
        0.25
        """
        groups = self._groups
        keep = self._keep_groups()
        labels = [
            [json_label(groups.level_labels(f)[k]) for f, k in zip(groups.features, keys)]
            for keys in zip(*[key.tolist() for key in groups.keys])
        ]
        labels = [lab for lab, k in zip(labels, keep) if k]
        reasons = _core_fair.UNDEFINED_REASONS
        intervals = (
            None
            if self._bootstrap is None or self._ci_quantiles is None
            else {key: self._bootstrap.quantiles(key, self._ci_quantiles) for key in CI_KEYS}
        )
        metrics = {}
        for r in self._results:
            aggregates = self._aggregates(r, "coerce")
            metrics[r.name] = {
                "by_group": [_scalar(v) for v in r.by_group[keep]],
                "undefined": [reasons[c] for c in r.reasons[keep]],
                "overall": [_scalar(v) for v in r.overall],
                **{k: v.tolist() for k, v in aggregates.items()},
            }
            if intervals is not None:
                metrics[r.name]["ci"] = {
                    key: [(q[r.name][keep] if key == "by_group" else q[r.name]).tolist() for q in per_quantile]
                    for key, per_quantile in intervals.items()
                }
        return json_safe(
            {
                "convention": self._convention,
                "features": [f.name for f in groups.features],
                "control_features": [f.name for f in groups.control],
                "levels": {f.name: [json_label(level) for level in f.levels] for f in groups.features},
                "missing": groups.missing,
                "observed": groups.observed,
                "single_metric": self._user_supplied_callable,
                "groups": labels,
                "group_rows": groups.group_rows[keep].tolist(),
                "min_support": self._min_support,
                "small": self._small()[keep].tolist(),
                "missing_rows": groups.missing_rows,
                "dropped_rows": groups.dropped_rows,
                "n_boot": self._n_boot,
                "ci_quantiles": self._ci_quantiles,
                "metrics": metrics,
            }
        )

    _kind = "MetricFrame"
    _title = "assay MetricFrame"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> MetricFrame:
        """A results-only frame from ``to_dict``'s form: the groups' labels and counts, the
        values, reasons and stored quantiles; no rows."""
        if data["convention"] not in CONVENTIONS or data["missing"] not in MISSING_POLICIES:
            raise ValueError(f"convention {data['convention']!r} or missing {data['missing']!r} is unknown")
        levels = data["levels"]
        control = [Feature(name, np.empty(0, np.int32), list(levels[name])) for name in data["control_features"]]
        sensitive = [
            Feature(name, np.empty(0, np.int32), list(levels[name])) for name in data["features"][len(control) :]
        ]
        frame = cls.__new__(cls)
        frame._convention = data["convention"]
        frame._min_support = int(data["min_support"])
        frame._user_supplied_callable = bool(data["single_metric"])
        frame._groups = Groups.restored(
            sensitive,
            control,
            data["missing"],
            bool(data["observed"]),
            data["groups"],
            data["group_rows"],
            data["missing_rows"],
            data["dropped_rows"],
        )
        n_groups, n_levels = frame._groups.n_groups, frame._groups.n_control
        reason_code = {reason: code for code, reason in enumerate(_core_fair.UNDEFINED_REASONS)}
        frame._results = []
        stored: dict[str, dict[str, list[np.ndarray]]] = {}
        frame._n_boot = None if data["n_boot"] is None else int(data["n_boot"])
        frame._ci_quantiles = None if data["ci_quantiles"] is None else [float(q) for q in data["ci_quantiles"]]
        for name, metric in data["metrics"].items():
            by_group, scalar = _values_from_json(metric["by_group"], n_groups, f"{name}.by_group")
            overall, scalar_overall = _values_from_json(metric["overall"], n_levels, f"{name}.overall")
            if len(metric["undefined"]) != n_groups:
                raise ValueError(f"{name}.undefined: expected {n_groups} reasons")
            codes = np.array([reason_code[reason] for reason in metric["undefined"]], dtype=np.uint8)
            frame._results.append(_MetricResult(name, by_group, overall, codes, scalar and scalar_overall))
            if "ci" in metric:
                if frame._ci_quantiles is None or any(
                    len(metric["ci"][key]) != len(frame._ci_quantiles) for key in CI_KEYS
                ):
                    raise ValueError(f"{name}.ci: expected one list per quantile of ci_quantiles")
                stored[name] = {
                    key: [
                        _values_from_json(q, n_groups if key == "by_group" else n_levels, f"{name}.ci.{key}")[0]
                        for q in metric["ci"][key]
                    ]
                    for key in CI_KEYS
                }
        if not frame._results or (stored and len(stored) != len(frame._results)):
            raise ValueError("no metrics, or intervals for some metrics only")
        frame._bootstrap = StoredQuantiles(stored) if stored else None
        frame._builtin_specs = {}
        return frame

    def _sections(self) -> list[report.Section]:
        return metric_frame_sections(self.to_dict())

    def __repr__(self) -> str:
        return (
            f"MetricFrame(metrics={[r.name for r in self._results]}, groups={self._groups.n_groups}, "
            f"convention={self._convention!r})"
        )


def _errors(errors: str) -> None:
    if errors not in ("raise", "coerce"):
        raise InvalidInputError(f"errors must be 'raise' or 'coerce', got {errors!r}")


def _method(method: str) -> str:
    if method not in ("between_groups", "to_overall"):
        raise InvalidInputError(f"method must be 'between_groups' or 'to_overall', got {method!r}")
    return method


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):  # a user metric's non-scalar value
        return value.tolist()
    return value


def _values_from_json(values: list[Any], length: int, key: str) -> tuple[np.ndarray, bool]:
    """A metric's values from JSON (None back to NaN), and whether every value is a number."""
    if not isinstance(values, list) or len(values) != length:
        raise ValueError(f"{key}: expected a list of {length} values")
    scalar = all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values)
    if scalar:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64), True
    array = np.empty(length, dtype=object)
    array[:] = [np.nan if v is None else v for v in values]
    return array, False


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
                checked[key] = as_weights(value, n, f"sample_params['{name}']['sample_weight']")
            else:
                array = np.asarray(value)
                if array.ndim != 1 or len(array) != n:
                    rows = len(array) if array.ndim else "no"
                    raise InvalidInputError(f"sample_params['{name}']['{key}'] has {rows} rows but y_true has {n}")
                checked[key] = array
        result[name] = checked
    return result


def require_two_groups(frame: MetricFrame) -> None:
    """A disparity compares groups: under the strict convention one group is an error
    (fairlearn returns 0 difference and ratio 1 there)."""
    if frame.convention == "strict" and int((frame._groups.group_rows > 0).sum()) < 2:
        raise InvalidInputError("sensitive_features: the data hold only one group; a disparity needs at least two")
