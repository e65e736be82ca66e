"""A pytest plugin that runs scipy's own tests of the two-sample tests against assay.

Loaded with ``-p scipy_swap`` (this directory on ``sys.path``) before scipy's test modules
are collected, it replaces the functions below in ``scipy.stats`` and
``scipy.spatial.distance`` by adapters that call ``assay.drift`` with scipy's signature and
wrap the result in scipy's field names (as a user switching by an import would see it).
The adapters hold no statistics: every number comes from assay.

Each test is logged by swap_log.py as pass, fail, unsupported (n-D input with ``axis``,
``keepdims``, NaN input, a ``method`` object, ...) or n/a.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from assay import drift
from swap_log import DIFFERENCES, differs, pytest_runtest_makereport, pytest_runtest_setup, recorded, unsupported

__all__ = ["pytest_configure", "pytest_runtest_makereport", "pytest_runtest_setup"]


DIFFERENCES.update(
    {
        "float32": "results are float64 whatever the input dtype",
        "test_input_validation": "error messages (and a TypeError for a non-bool flag) are assay's own",
        "test_invalid_input": "error messages are assay's own",
        "test_too_small_input": "too-small samples raise where scipy warns and returns NaN",
        "test_epps_singleton_size": "too-small samples raise where scipy warns and returns NaN",
        "test_warnings_gh_14019": "assay's exact KS count succeeds where scipy's falls back with a warning",
        "test_variant_values": "no deprecation warning for midrank= (assay keeps both names)",
        "test_gh19692_smaller_table": "inspects scipy's private cache of the U distribution",
        "TestFisherExact::test_raises": "error messages are assay's own",
    }
)


class _Result(tuple):
    """scipy's result shape: a tuple of its first fields, every field an attribute."""

    def __new__(cls, fields: dict[str, Any], n_tuple: int) -> _Result:
        self = super().__new__(cls, list(fields.values())[:n_tuple])
        self.__dict__.update(fields)
        return self


def _sample(values: Any, name: str, infinities: bool = True) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        unsupported(f"{name}: {array.ndim}-D input (axis)")
    if array.dtype.kind in "fc" and np.isnan(array).any():
        differs("NaN input: assay raises (drop or impute first; its reports drop and count them)")
    if not infinities and array.dtype.kind in "fc" and np.isinf(array).any():
        differs(f"{name}: infinite input: assay raises where scipy returns NaN")
    if array.size == 0:
        differs("empty input: assay raises where scipy warns and returns NaN")
    return array


def _axis_options(axis: Any = 0, nan_policy: str = "propagate", keepdims: bool = False) -> None:
    if keepdims:
        unsupported("keepdims")
    if axis is None:
        unsupported("axis=None")


def _method_name(method: Any) -> str:
    if not isinstance(method, str):
        unsupported(f"method={type(method).__name__} (resampling)")
    return method


def _float(value: Any) -> np.float64:
    return np.float64(value)


def _options(**options: Any) -> dict[str, Any]:
    """The options that differ from their default (None): passed to assay only then, so
    that an assay without the option still runs the default case."""
    return {name: value for name, value in options.items() if value is not None}


def ks_2samp(
    data1: Any,
    data2: Any,
    alternative: str = "two-sided",
    method: str = "auto",
    *,
    axis: Any = 0,
    mode: Any = None,
    **options: Any,
) -> _Result:
    _axis_options(axis, **options)
    method = method if mode is None else mode  # scipy's older name of the argument
    x, y = _sample(data1, "data1"), _sample(data2, "data2")
    chosen = _method_name(method)
    r = drift.ks_2samp(x, y, method=chosen, **_options(alternative=None if alternative == "two-sided" else alternative))
    if chosen == "exact" and r.method != "exact":  # scipy warns when it falls back
        warnings.warn("ks_2samp: exact calculation unsuccessful; switching to asymp", RuntimeWarning, stacklevel=2)
    fields = {
        "statistic": _float(r.statistic),
        "pvalue": _float(r.pvalue),
        "statistic_location": r.statistic_location,
        "statistic_sign": np.int8(r.statistic_sign),
    }
    return _Result(fields, 2)


def mannwhitneyu(
    x: Any,
    y: Any,
    use_continuity: bool = True,
    alternative: str = "two-sided",
    axis: Any = 0,
    method: Any = "auto",
    **options: Any,
) -> _Result:
    _axis_options(axis, **options)
    a, b = _sample(x, "x"), _sample(y, "y")
    chosen = _method_name(method)
    if not isinstance(use_continuity, (bool, np.bool_)):
        raise TypeError("use_continuity must be a bool")
    options = _options(
        use_continuity=None if use_continuity else False,
        alternative=None if alternative == "two-sided" else alternative,
    )
    r = drift.mannwhitneyu(a, b, method=chosen, **options)
    return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)


def cramervonmises_2samp(x: Any, y: Any, method: str = "auto", *, axis: Any = 0, **options: Any) -> _Result:
    _axis_options(axis, **options)
    a, b = _sample(x, "x"), _sample(y, "y")
    r = drift.cramervonmises_2samp(a, b, method=_method_name(method))
    return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)


def epps_singleton_2samp(x: Any, y: Any, t: Any = (0.4, 0.8), *, axis: Any = 0, **options: Any) -> _Result:
    _axis_options(axis, **options)
    if tuple(np.asarray(t, dtype=float).tolist()) != (0.4, 0.8):
        unsupported("epps_singleton_2samp t other than (0.4, 0.8)")
    a, b = _sample(x, "x", infinities=False), _sample(y, "y", infinities=False)
    r = drift.epps_singleton_2samp(a, b)
    return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)


_NO_VALUE = object()


def anderson_ksamp(samples: Any, midrank: Any = _NO_VALUE, *, variant: Any = _NO_VALUE, method: Any = None) -> Any:
    if method is not None:
        unsupported("anderson_ksamp method (permutation)")
    if variant is not _NO_VALUE and variant not in ("midrank", "right"):
        if variant == "continuous":
            unsupported("anderson_ksamp variant='continuous'")
        raise ValueError("`variant` must be one of 'midrank', 'right', or 'continuous'.")
    if len(samples) < 2:
        raise ValueError("anderson_ksamp needs at least two samples")
    checked = [_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]
    if any(s.size == 0 for s in checked):
        raise ValueError("anderson_ksamp encountered sample without observations")
    use_midrank = variant == "midrank" if variant is not _NO_VALUE else midrank is _NO_VALUE or bool(midrank)
    r = drift.anderson_ksamp(checked, **_options(midrank=None if use_midrank else False))
    if r.method in ("capped", "floored"):
        warnings.warn(f"p-value {r.method}", UserWarning, stacklevel=2)
    if variant is not _NO_VALUE:
        return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)
    fields = {
        "statistic": _float(r.statistic),
        "critical_values": np.array(r.critical_values),
        "pvalue": _float(r.pvalue),
        "significance_level": _float(r.pvalue),
    }
    return _Result(fields, 3)


def chi2_contingency(observed: Any, correction: bool = True, lambda_: Any = None, *, method: Any = None) -> _Result:
    if method is not None:
        unsupported("chi2_contingency method (resampling)")
    table = np.asarray(observed)
    if table.ndim > 2:
        unsupported(f"{table.ndim}-D contingency table")
    r = drift.chi2_contingency(table, correction=bool(correction), lambda_=lambda_)
    fields = {
        "statistic": _float(r.statistic),
        "pvalue": _float(r.pvalue),
        "dof": int(r.dof or 0),
        "expected_freq": r.expected_freq,
    }
    return _Result(fields, 4)


def _goodness_of_fit(f_obs: Any, f_exp: Any, ddof: Any, axis: Any, lambda_: Any, sum_check: bool) -> _Result:
    observed = np.asarray(f_obs)
    if observed.ndim != 1 or (f_exp is not None and np.ndim(f_exp) > 1):
        unsupported("n-D counts (axis)")
    if observed.size == 0:
        differs("empty input: assay raises where scipy warns and returns NaN")
    if np.ndim(ddof) != 0:
        unsupported("array ddof")
    if f_exp is not None and np.ndim(f_exp) == 1:
        expected = np.asarray(f_exp, dtype=float)
        totals = observed.sum(), expected.sum()
        if observed.shape == expected.shape and abs(totals[0] - totals[1]) > 1.5e-8 * max(totals):
            unsupported("f_exp with another total (assay rescales it, Evidently's convention)")
    r = drift.power_divergence(observed, f_exp, ddof, lambda_=lambda_)
    return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)


def power_divergence(f_obs: Any, f_exp: Any = None, ddof: Any = 0, axis: Any = 0, lambda_: Any = None) -> _Result:
    return _goodness_of_fit(f_obs, f_exp, ddof, axis, lambda_, True)


def chisquare(f_obs: Any, f_exp: Any = None, ddof: Any = 0, axis: Any = 0, *, sum_check: bool = True) -> _Result:
    if not sum_check:
        unsupported("chisquare sum_check=False")
    return _goodness_of_fit(f_obs, f_exp, ddof, axis, None, sum_check)


def fisher_exact(table: Any, alternative: Any = None, *, method: Any = None) -> _Result:
    if method is not None:
        unsupported("fisher_exact method (r x c tables)")
    array = np.asarray(table)
    if array.ndim == 2 and array.shape != (2, 2):
        unsupported(f"fisher_exact table of shape {array.shape}")
    r = drift.fisher_exact(array, **_options(alternative=None if alternative in (None, "two-sided") else alternative))
    return _Result({"statistic": _float(r.statistic), "pvalue": _float(r.pvalue)}, 2)


def _weights(weights: Any, name: str) -> Any:
    return None if weights is None else _sample(weights, name, infinities=False)


def wasserstein_distance(u_values: Any, v_values: Any, u_weights: Any = None, v_weights: Any = None) -> np.float64:
    u, v = _sample(u_values, "u_values"), _sample(v_values, "v_values")
    return _float(drift.wasserstein_distance(u, v, _weights(u_weights, "u_weights"), _weights(v_weights, "v_weights")))


def energy_distance(u_values: Any, v_values: Any, u_weights: Any = None, v_weights: Any = None) -> np.float64:
    u, v = _sample(u_values, "u_values"), _sample(v_values, "v_values")
    return _float(drift.energy_distance(u, v, _weights(u_weights, "u_weights"), _weights(v_weights, "v_weights")))


def entropy(pk: Any, qk: Any = None, base: Any = None, axis: Any = 0, **options: Any) -> np.float64:
    _axis_options(axis, **options)
    p = _sample(pk, "pk", infinities=False)
    q = None if qk is None else _sample(qk, "qk", infinities=False)
    return _float(drift.entropy(p, q, base=base))


def jensenshannon(p: Any, q: Any, base: Any = None, *, axis: Any = 0, keepdims: bool = False) -> np.float64:
    _axis_options(axis, keepdims=keepdims)
    return _float(drift.jensenshannon(_sample(p, "p"), _sample(q, "q"), **_options(base=base)))


SWAPPED: dict[str, Callable[..., Any]] = {
    "ks_2samp": ks_2samp,
    "mannwhitneyu": mannwhitneyu,
    "cramervonmises_2samp": cramervonmises_2samp,
    "epps_singleton_2samp": epps_singleton_2samp,
    "anderson_ksamp": anderson_ksamp,
    "chi2_contingency": chi2_contingency,
    "power_divergence": power_divergence,
    "chisquare": chisquare,
    "fisher_exact": fisher_exact,
    "wasserstein_distance": wasserstein_distance,
    "energy_distance": energy_distance,
    "entropy": entropy,
}


def pytest_configure(config: pytest.Config) -> None:
    """Swaps every reference to scipy's functions in scipy's (public and private)
    modules: the tests import them from both."""
    import importlib
    import sys

    import scipy.spatial.distance
    import scipy.stats

    for module in ("_hypotests", "_mannwhitneyu", "_morestats", "_stats_py", "_entropy", "contingency"):
        importlib.import_module(f"scipy.stats.{module}")
    originals = {name: getattr(scipy.stats, name) for name in SWAPPED}
    originals["jensenshannon"] = scipy.spatial.distance.jensenshannon
    adapters = {name: recorded(function) for name, function in {**SWAPPED, "jensenshannon": jensenshannon}.items()}
    # scipy's tests read their array-API marks from a table keyed by the function.
    from scipy._lib._array_api import xp_capabilities_table

    for name, original in originals.items():
        if original in xp_capabilities_table:
            xp_capabilities_table[adapters[name]] = xp_capabilities_table[original]
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("scipy.") or module is None:
            continue
        for name, original in originals.items():
            if getattr(module, name, None) is original:
                setattr(module, name, adapters[name])
