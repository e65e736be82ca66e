"""Drift: has the data moved away from the reference?

Two-sample tests with scipy's names and results (``.statistic``, ``.pvalue``), distances
between distributions, and column reports:

* ``report(reference, current)`` checks every column with the test that Evidently's
  defaults would pick (or the tests you name), flags drifted columns and gives the
  share of drifted feature columns; target and prediction columns are reported apart.
* ``over_time(reference, current, ...)`` does the same for every chunk of the current
  data (by time period, by size or by count), for monitoring plots.
* ``mmd``, ``domain_classifier`` and ``pca_reconstruction`` look at all columns
  together (kernel two-sample test; a classifier telling the samples apart; NannyML's
  reconstruction-error drift).

All statistics run in the C++ core; see docs/drift.md for definitions and defaults.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import _html
from ._core import drift as _core_drift
from ._frame import CATEGORICAL, Frame, as_column, as_frame
from ._progress import progress_callback
from ._util import json_safe, n_jobs_arg, seed_arg
from .errors import AssayError, InvalidInputError, InvalidTypeError, ResourceLimitError

__all__ = [
    "TestResult",
    "ks_2samp",
    "mannwhitneyu",
    "cramervonmises_2samp",
    "anderson_ksamp",
    "epps_singleton_2samp",
    "wasserstein_distance",
    "energy_distance",
    "normalized_wasserstein",
    "chi2_contingency",
    "chisquare",
    "fisher_exact",
    "two_proportion_ztest",
    "adjust_pvalues",
    "psi",
    "kl_divergence",
    "jensenshannon",
    "hellinger",
    "total_variation",
    "compare",
    "report",
    "over_time",
    "mmd",
    "pca_reconstruction",
    "domain_classifier",
    "DomainClassifierResult",
    "MMDResult",
    "ReconstructionDrift",
    "ColumnResult",
    "DriftReport",
    "DriftOverTime",
    "TESTS",
    "CORRECTIONS",
]

#: Test keys accepted by ``compare``, ``report`` and ``over_time`` (Evidently's names).
TESTS = (
    "ks",
    "wasserstein",
    "psi",
    "jensenshannon",
    "kl_div",
    "hellinger",
    "tvd",
    "chisquare",
    "g_test",
    "z",
    "fisher_exact",
    "anderson",
    "cramer_von_mises",
    "energy_distance",
    "mannw",
    "es",
)


@dataclass(frozen=True)
class TestResult:
    """Outcome of a two-sample test, shaped like scipy's results.

    ``method`` tells how the p-value was computed ("exact", "asymptotic", ...);
    ``dof`` is set for the chi-square family. Unpacks as ``statistic, pvalue``.
    """

    __test__ = False  # not a pytest test class

    statistic: float
    pvalue: float
    method: str = ""
    dof: float | None = None

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))


def _result(values: tuple) -> TestResult:
    statistic, pvalue, method, dof = values
    return TestResult(float(statistic), float(pvalue), method, None if math.isnan(dof) else float(dof))


# --- argument checks (one path for every function) ---------------------------------------


def _converted(convert: Any, argument: str) -> Any:
    """Runs a conversion of the user's input, turning plain ValueError/TypeError into
    assay's errors that name the argument."""
    try:
        return convert()
    except AssayError:
        raise
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: {error}") from error
    except ValueError as error:
        raise InvalidInputError(f"{argument}: {error}") from error


def _array(values: Any, argument: str) -> np.ndarray:
    """``values`` as a numpy array (not converted), or an error naming the argument."""
    if values is None or isinstance(values, (str, bytes, dict)):
        raise InvalidTypeError(f"{argument} must be an array of numbers, got {type(values).__name__}")
    return _converted(lambda: np.asarray(values), argument)


def _sample(values: Any, argument: str, minimum: int = 1) -> np.ndarray:
    """A 1-D float64 sample for the two-sample functions.

    Every test and distance on samples reads its input through here: a non-numeric or
    complex dtype is an InvalidTypeError; a scalar or a 2-D+ array, fewer than
    ``minimum`` values (empty included), NaN and infinities are InvalidInputErrors
    naming the argument (the column reports drop and count non-finite values instead).
    """
    if isinstance(values, np.ndarray) or not hasattr(values, "dtype"):
        array = _array(values, argument)
        if array.ndim != 1:
            shape = "a scalar" if array.ndim == 0 else f"shape {array.shape}"
            raise InvalidInputError(f"{argument} must be a 1-D sample, got {shape}")
        if array.dtype.kind == "c":
            raise InvalidTypeError(f"{argument} must hold real numbers, got dtype {array.dtype}")
        values = array
    column = _converted(lambda: as_column(values, name=argument, argument=argument), argument)
    if column.kind == CATEGORICAL:
        raise InvalidTypeError(f"{argument} must be numeric, got {column.source_dtype} values")
    array = column.values
    if array.size < minimum:
        what = "is empty" if array.size == 0 else f"holds {array.size} value(s)"
        raise InvalidInputError(f"{argument} {what}; it needs at least {minimum}")
    finite = np.isfinite(array)
    if not finite.all():
        position = int(np.argmin(finite))
        kind = "NaN" if np.isnan(array[position]) else "an infinity"
        raise InvalidInputError(
            f"{argument} holds {kind} at position {position}; drop or replace non-finite values first"
        )
    return array


def _method(method: Any) -> _core_drift.PMethod:
    if not isinstance(method, str) or method not in ("auto", "exact", "asymp", "asymptotic"):
        raise InvalidInputError(f"method must be 'auto', 'exact' or 'asymp', got {method!r}")
    return _core_drift.PMethod["asymptotic" if method == "asymp" else method]


def _real(value: Any, argument: str) -> float:
    """A real number (int, float or numpy scalar; not bool), or InvalidTypeError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{argument} must be a number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError as error:  # an int beyond the double range
        raise InvalidInputError(f"{argument} is too large for a double ({value!r})") from error


def _progress(progress: Any, description: str) -> Any:
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise InvalidTypeError(
            f"progress must be None, a bool or a callable(done, total), got {type(progress).__name__}"
        )
    return progress_callback(progress, description)


# --- two-sample tests ------------------------------------------------------------------


def ks_2samp(data1: Any, data2: Any, method: str = "auto") -> TestResult:
    """Two-sided two-sample Kolmogorov-Smirnov test (as ``scipy.stats.ks_2samp``).

    ``method='auto'`` is exact when both samples have at most 10,000 values, else the
    finite-n Kolmogorov distribution at n = round(n1 n2 / (n1 + n2)).
    """
    return _result(_core_drift.ks_2samp(_sample(data1, "data1"), _sample(data2, "data2"), _method(method)))


def mannwhitneyu(x: Any, y: Any, method: str = "auto") -> TestResult:
    """Two-sided Mann-Whitney U test with continuity correction; statistic is U of x."""
    return _result(_core_drift.mannwhitneyu(_sample(x, "x"), _sample(y, "y"), _method(method)))


def cramervonmises_2samp(x: Any, y: Any, method: str = "auto") -> TestResult:
    """Two-sample Cramer-von Mises test (as ``scipy.stats.cramervonmises_2samp``).

    Needs at least two values per sample."""
    return _result(_core_drift.cramervonmises_2samp(_sample(x, "x", 2), _sample(y, "y", 2), _method(method)))


def epps_singleton_2samp(x: Any, y: Any) -> TestResult:
    """Epps-Singleton test with t = (0.4, 0.8) (as ``scipy.stats.epps_singleton_2samp``).

    Needs at least 5 values per sample; a pooled interquartile range of 0 is an error
    (scipy returns NaN). ``dof`` is the chi-square degrees of freedom used.
    """
    return _result(_core_drift.epps_singleton_2samp(_sample(x, "x", 5), _sample(y, "y", 5)))


def anderson_ksamp(samples: Sequence[Any]) -> TestResult:
    """k-sample Anderson-Darling test, midrank variant (scipy's default).

    The p-value interpolates Scholz & Stephens' table and is capped to [0.001, 0.25]
    (``method`` is then "capped" or "floored"). The pooled samples need at least two
    distinct values.
    """
    if isinstance(samples, (str, bytes, Mapping)) or not isinstance(samples, (Sequence, np.ndarray)):
        raise InvalidTypeError(f"samples must be a sequence of samples, got {type(samples).__name__}")
    if isinstance(samples, np.ndarray) and samples.ndim < 2 or len(samples) < 2:
        raise InvalidInputError("samples must be a sequence of at least two samples")
    return _result(_core_drift.anderson_ksamp([_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]))


def _weights(weights: Any, n: int, argument: str) -> np.ndarray | None:
    """Weights as float64 (values checked by the core: finite, >= 0, positive sum)."""
    if weights is None:
        return None
    array = _array(weights, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument} must hold real numbers, got dtype {array.dtype}")
    if array.shape != (n,):
        raise InvalidInputError(f"{argument} must have one weight per value ({n}), got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def _cdf_distance(u_values: Any, v_values: Any, u_weights: Any, v_weights: Any, p: int) -> float:
    u, v = _sample(u_values, "u_values"), _sample(v_values, "v_values")
    uw, vw = _weights(u_weights, u.size, "u_weights"), _weights(v_weights, v.size, "v_weights")
    if (uw is None) != (vw is None):  # one side weighted: the other has unit weights
        uw = np.ones(u.size) if uw is None else uw
        vw = np.ones(v.size) if vw is None else vw
    if uw is None:
        return float(_core_drift.cdf_distance(u, v, None, None, p))
    try:
        return float(_core_drift.cdf_distance(u, v, uw, vw, p))
    except InvalidInputError as error:  # the core names x_weights / y_weights
        message = str(error).replace("x_weights", "u_weights").replace("y_weights", "v_weights")
        raise InvalidInputError(message) from None


def wasserstein_distance(u_values: Any, v_values: Any, u_weights: Any = None, v_weights: Any = None) -> float:
    """First Wasserstein distance between two (weighted) samples, as scipy's."""
    return _cdf_distance(u_values, v_values, u_weights, v_weights, 1)


def energy_distance(u_values: Any, v_values: Any, u_weights: Any = None, v_weights: Any = None) -> float:
    """Energy distance sqrt(2) * ||F_u - F_v||_2, as scipy's (in data units)."""
    return _cdf_distance(u_values, v_values, u_weights, v_weights, 2)


def normalized_wasserstein(reference: Any, current: Any) -> float:
    """Evidently's drift score: W1 / max(population std of reference, 0.001).

    Samples are checked as for every test here (NaN and infinities are errors); use
    ``compare(reference, current, test='wasserstein')`` to drop and count them instead.
    """
    return float(_core_drift.normalized_wasserstein(_sample(reference, "reference"), _sample(current, "current")))


def _table(values: Any, argument: str, ndim: int) -> np.ndarray:
    """A float64 array of counts of ``ndim`` dimensions (values checked by the core)."""
    array = _array(values, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument} must hold counts (real numbers), got dtype {array.dtype}")
    if array.ndim != ndim or array.size == 0:
        raise InvalidInputError(f"{argument} must be a non-empty {ndim}-D array of counts, got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


def chi2_contingency(observed: Any, correction: bool = True, lambda_: str | None = None) -> TestResult:
    """Chi-square test of independence on a table of counts (scipy's definition).

    Yates' correction applies when there is one degree of freedom and ``correction``
    is true; ``lambda_='log-likelihood'`` gives the G-test. Counts must be finite and
    >= 0 (they need not be whole, as in scipy); an empty row or column is an error.
    """
    table = _table(observed, "observed", 2)
    return _result(_core_drift.chi2_contingency(table, _flag(correction, "correction"), _log_likelihood(lambda_)))


def _flag(value: Any, argument: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{argument} must be True or False, got {value!r}")
    return bool(value)


def _log_likelihood(lambda_: str | None) -> bool:
    if lambda_ is not None and (not isinstance(lambda_, str) or lambda_ not in ("pearson", "log-likelihood")):
        raise InvalidInputError(f"lambda_ must be None, 'pearson' or 'log-likelihood', got {lambda_!r}")
    return lambda_ == "log-likelihood"


def chisquare(f_obs: Any, f_exp: Any, lambda_: str | None = None) -> TestResult:
    """Goodness of fit of observed counts to expected counts rescaled to the same total.

    With equal totals this is ``scipy.stats.chisquare`` (or ``power_divergence`` with
    ``lambda_='log-likelihood'``); rescaling is what Evidently's ``chisquare`` test does
    with reference counts. An observed category with zero expectation gives inf, p = 0.
    Counts must be finite and >= 0, each vector with a positive total.
    """
    observed, expected = _table(f_obs, "f_obs", 1), _table(f_exp, "f_exp", 1)
    if observed.shape != expected.shape:
        raise InvalidInputError(f"f_obs and f_exp must have the same length, got {observed.size} and {expected.size}")
    return _result(_core_drift.chisquare(expected, observed, _log_likelihood(lambda_)))


_MAX_EXACT_COUNT = 2.0**53


def _whole_counts(values: np.ndarray, argument: str, names: Sequence[str]) -> list[int]:
    """Whole, finite, non-negative counts of at most 2**53, as ints."""
    for name, value in zip(names, values.tolist()):
        if math.isnan(value):
            raise InvalidInputError(f"{argument}{name} is NaN; it must be a count")
        if math.isinf(value):
            raise InvalidInputError(f"{argument}{name} is infinite; it must be a finite count")
        if value < 0:
            raise InvalidInputError(f"{argument}{name} is negative ({value:g}); counts are >= 0")
        if value != math.floor(value):
            raise InvalidInputError(f"{argument}{name} is {value!r}, not a whole number; it must be a count")
        if value > _MAX_EXACT_COUNT:
            raise InvalidInputError(f"{argument}{name} is {value:g}, above 2**53; counts that large are not exact")
    return [int(v) for v in values.tolist()]


def fisher_exact(table: Any) -> TestResult:
    """Fisher's exact test on a 2x2 table, two-sided; statistic is the odds ratio.

    Counts must be whole, finite, >= 0 and total at most 2**53. Time grows with the
    standard deviation of the table's hypergeometric law, memory is constant."""
    array = _table(table, "table", 2)
    if array.shape != (2, 2):
        raise InvalidInputError(f"table must be 2x2, got shape {array.shape}")
    a, b, c, d = _whole_counts(array.ravel(), "table", ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"])
    if float(a + b + c + d) > _MAX_EXACT_COUNT:
        raise InvalidInputError(f"table: the total {a + b + c + d} is above 2**53; counts that large are not exact")
    return _result(_core_drift.fisher_exact(a, b, c, d))


def two_proportion_ztest(count1: float, nobs1: float, count2: float, nobs2: float) -> TestResult:
    """Pooled two-proportion z-test, two-sided (Evidently's ``z`` test).

    ``count1`` successes of ``nobs1`` trials against ``count2`` of ``nobs2``: whole
    numbers with 0 <= count <= nobs and nobs >= 1 (else InvalidInputError naming the
    argument). When both samples hold one and the same value, z = 0 and p = 1."""
    arguments = ((count1, "count1"), (nobs1, "nobs1"), (count2, "count2"), (nobs2, "nobs2"))
    values = [_real(v, name) for v, name in arguments]
    return _result(_core_drift.two_proportion_z(*values))


#: Multiple-testing corrections accepted by ``adjust_pvalues`` and ``report`` (statsmodels' names).
CORRECTIONS = ("bonferroni", "holm", "fdr_bh")


def _correction(method: Any, argument: str) -> _core_drift.Correction:
    if method is None:
        return _core_drift.Correction.none
    if not isinstance(method, str) or method not in CORRECTIONS:
        raise InvalidInputError(f"{argument} must be None or one of {', '.join(CORRECTIONS)}, got {method!r}")
    return _core_drift.Correction[method]


def adjust_pvalues(pvalues: Any, method: str) -> np.ndarray:
    """Adjusted p-values for multiple testing, as ``statsmodels``' ``multipletests``.

    ``method``: 'bonferroni' (min(1, m p)), 'holm' (Holm's step-down) or 'fdr_bh'
    (Benjamini-Hochberg). NaN entries are not part of the family and stay NaN.
    """
    array = _array(pvalues, "pvalues")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"pvalues must hold real numbers, got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    if array.ndim != 1:
        raise InvalidInputError(f"pvalues must be 1-D, got shape {array.shape}")
    known = array[~np.isnan(array)]
    if ((known < 0) | (known > 1)).any():
        raise InvalidInputError("pvalues must lie in [0, 1] (or be NaN)")
    if method is None:
        raise InvalidInputError(f"method must be one of {', '.join(CORRECTIONS)}")
    return _core_drift.adjust_pvalues(array, _correction(method, "method"))


# --- distances between discrete distributions --------------------------------------------


def _distance(distance: Callable[[np.ndarray, np.ndarray], float], p: Any, q: Any) -> float:
    """Every distance on weight vectors reads p and q through here; the core checks the
    values (finite, >= 0, not all zero, same length) and normalises them to sum 1."""
    return float(distance(_table(p, "p", 1), _table(q, "q", 1)))


def psi(p: Any, q: Any) -> float:
    """Population stability index sum (p - q) ln(p / q) after normalising p and q to
    sum 1 (so counts and proportions give the same value).

    A bin empty in one vector only gives inf: use ``compare(..., test='psi')`` on samples
    for Evidently's binning and zero filling.
    """
    return _distance(_core_drift.psi, p, q)


def kl_divergence(p: Any, q: Any) -> float:
    """KL(p || q) in nats after normalising p and q to sum 1 (``scipy.stats.entropy(p, q)``)."""
    return _distance(_core_drift.kl_divergence, p, q)


def jensenshannon(p: Any, q: Any) -> float:
    """Jensen-Shannon distance in nats after normalising p and q to sum 1
    (``scipy.spatial.distance.jensenshannon``)."""
    return _distance(_core_drift.jensenshannon, p, q)


def hellinger(p: Any, q: Any) -> float:
    """Hellinger distance ||sqrt(p) - sqrt(q)||_2 / sqrt(2) after normalising p and q to sum 1."""
    return _distance(_core_drift.hellinger, p, q)


def total_variation(p: Any, q: Any) -> float:
    """Total variation distance ½‖p − q‖₁ after normalising p and q to sum 1 (in [0, 1]).

    ``total_variation([2, 3, 5], [1, 1, 2])`` compares (0.2, 0.3, 0.5) with (0.25, 0.25, 0.5): 0.05.
    """
    return _distance(_core_drift.total_variation, p, q)


# --- column drift ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnResult:
    """One test on one column.

    ``score`` is the p-value for tests and the distance for distances; it is compared
    to ``threshold`` to give ``drifted``, except that with a report's ``correction``
    p-value tests compare ``pvalue_adjusted`` instead. ``note`` explains a NaN score.
    """

    column: str
    test: str
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    score: float
    threshold: float
    drifted: bool
    method: str
    n_reference: int
    n_current: int
    missing_reference: int
    missing_current: int
    infinite_reference: int
    infinite_current: int
    note: str
    role: str = "feature"

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


def _column_result(core: Any, role: str = "feature") -> ColumnResult:
    return ColumnResult(
        column=core.column,
        test=core.test,
        statistic=core.statistic,
        pvalue=core.pvalue,
        pvalue_adjusted=core.pvalue_adjusted,
        score=core.score,
        threshold=core.threshold,
        drifted=bool(core.drifted),
        method=core.method,
        n_reference=core.n_reference,
        n_current=core.n_current,
        missing_reference=core.missing_reference,
        missing_current=core.missing_current,
        infinite_reference=core.infinite_reference,
        infinite_current=core.infinite_current,
        note=core.note,
        role=role,
    )


def _test_names(tests: Any, argument: str) -> list[str]:
    """'auto' -> [] (the core picks); a key or a non-empty list of keys -> validated list."""
    if isinstance(tests, str):
        tests = "auto" if tests == "auto" else [tests]
    if tests == "auto":
        return []
    if not isinstance(tests, (list, tuple)):
        raise InvalidTypeError(f"{argument}: expected 'auto', a test key or a list of keys, got {type(tests).__name__}")
    names = list(tests)
    if not names:
        raise InvalidInputError(f"{argument}: the list of tests is empty; give 'auto', a test key or a list of keys")
    for name in names:
        if not isinstance(name, str) or name not in TESTS:
            raise InvalidInputError(f"{argument}: unknown test {name!r}; valid tests: {', '.join(TESTS)}")
    if len(set(names)) != len(names):
        raise InvalidInputError(f"{argument}: a test is listed twice in {names}")
    return names


def _gives_pvalue(test: str) -> bool:
    return _core_drift.test_info(_core_drift.Test[test])[0]


# One column's request to the core: (column, tests, thresholds, thresholds by test).
_CoreRequest = tuple[str, list[_core_drift.Test], list[float], dict[_core_drift.Test, float]]


def _core_request(column: str, tests: list[str], thresholds: list[float], by_test: dict[str, float]) -> _CoreRequest:
    """One column's request for the core, test keys as the core's Test members."""
    Test = _core_drift.Test
    return column, [Test[t] for t in tests], thresholds, {Test[t]: value for t, value in by_test.items()}


def compare(reference: Any, current: Any, test: str = "auto", threshold: float | None = None) -> ColumnResult:
    """One column-drift test between two 1-D samples (numeric or categorical).

    Missing and infinite values are dropped and counted (as in ``report``). ``test='auto'``
    picks as ``report`` does.
    """
    ref_column = _converted(lambda: as_column(reference, name="value", argument="reference"), "reference")
    cur_column = _converted(lambda: as_column(current, name="value", argument="current"), "current")
    frame_ref, frame_cur = Frame([ref_column], len(ref_column)), Frame([cur_column], len(cur_column))
    names = _test_names(test, "test")
    own = _threshold_value(threshold, "threshold")
    if names and _gives_pvalue(names[0]) and own > 1:
        raise InvalidInputError(
            f"threshold is {own:g} but test '{names[0]}' compares a p-value; give a number in [0, 1]"
        )
    requests = [_core_request("value", names, [own], {})]
    results = _core_drift.report(frame_ref.core_columns(), frame_cur.core_columns(), requests, 1, None)
    return _column_result(results[0])


def _threshold_value(value: Any, argument: str) -> float:
    """A threshold: None (the test's default, NaN for the core) or a finite number >= 0."""
    if value is None:
        return math.nan
    number = _real(value, argument)
    if not math.isfinite(number) or number < 0:
        raise InvalidInputError(f"{argument} must be a finite number >= 0, got {value!r}")
    return number


def _requests(columns: Sequence[str], tests: Any, thresholds: Any) -> list[_CoreRequest]:
    """(column, tests, thresholds, thresholds by test) for the core.

    ``tests``: 'auto', a key, a non-empty list of keys, or a mapping column -> any of
    those (columns not in the mapping get 'auto'). ``thresholds``: None, a number for
    every test, or a mapping whose keys are column names or test keys (a column entry
    wins; a test entry also reaches columns whose test 'auto' picks). Thresholds are
    finite numbers >= 0, at most 1 where they are compared with a p-value.
    """
    if isinstance(tests, Mapping):
        unknown = sorted(str(c) for c in set(tests) - set(columns))
        if unknown:
            raise InvalidInputError(f"tests: columns {unknown} are not checked")
    elif not isinstance(tests, (str, list, tuple)):
        raise InvalidTypeError(
            f"tests must be 'auto', a test key, a list of keys or a mapping, got {type(tests).__name__}"
        )
    if thresholds is not None and not isinstance(thresholds, Mapping):
        if isinstance(thresholds, (bool, np.bool_)) or not isinstance(thresholds, numbers.Real):
            raise InvalidTypeError(f"thresholds must be None, a number or a mapping, got {type(thresholds).__name__}")
    by_test: dict[str, float] = {}
    if isinstance(thresholds, Mapping):
        unknown = sorted(str(k) for k in thresholds if k not in TESTS and k not in columns)
        if unknown:
            raise InvalidInputError(f"thresholds: {unknown} are neither checked columns nor test keys")
        by_test = {k: _threshold_value(v, f"thresholds['{k}']") for k, v in thresholds.items() if k in TESTS}
        for key, value in by_test.items():
            if _gives_pvalue(key) and value > 1:
                raise InvalidInputError(
                    f"thresholds['{key}'] is {value:g} but '{key}' compares a p-value; give a number in [0, 1]"
                )
    requests = []
    for name in columns:
        chosen = tests.get(name, "auto") if isinstance(tests, Mapping) else tests
        names = _test_names(chosen, f"tests for column '{name}'" if isinstance(tests, Mapping) else "tests")
        if isinstance(thresholds, Mapping):
            argument = f"thresholds['{name}']"
            own = _threshold_value(thresholds.get(name), argument)
        else:
            argument = "thresholds"
            own = _threshold_value(thresholds, argument)
        pvalue_tests = [t for t in names if _gives_pvalue(t)]
        if own > 1 and pvalue_tests:
            raise InvalidInputError(
                f"{argument} is {own:g} but test '{pvalue_tests[0]}' of column '{name}' compares a "
                "p-value; give a number in [0, 1]"
            )
        requests.append(_core_request(name, names, [own] * max(1, len(names)), by_test))
    return requests


def _column_list(columns: Any, argument: str) -> list[Any]:
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, (list, tuple, np.ndarray)) and not hasattr(names, "__iter__"):
        raise InvalidTypeError(f"{argument} must be a column name or a list of names, got {type(columns).__name__}")
    names = list(names)
    seen: set[Any] = set()
    for name in names:
        if not isinstance(name, str):
            raise InvalidTypeError(f"{argument}: column names are strings, got {name!r}")
        if name in seen:
            raise InvalidInputError(f"{argument}: column {name!r} is listed twice")
        seen.add(name)
    return names


def _frames(
    reference: Any, current: Any, columns: Sequence[str] | None, exclude: set[str]
) -> tuple[Frame, Frame, list[str]]:
    ref = _converted(lambda: as_frame(reference, argument="reference"), "reference")
    cur = _converted(lambda: as_frame(current, argument="current"), "current")
    if ref.n_rows == 0:
        raise InvalidInputError("reference has no rows")
    if columns is None:
        columns = [c for c in ref.names if c not in exclude]
    else:
        columns = _column_list(columns, "columns")
        if not columns:
            raise InvalidInputError("columns is empty; give None (every column) or at least one name")
        unknown = [c for c in columns if c not in ref]
        if unknown:
            raise InvalidInputError(f"columns {unknown} are not in the reference data")
    missing = [c for c in [*columns, *sorted(exclude)] if c not in cur]
    if missing:
        raise InvalidInputError(f"columns {missing} are in the reference but not in the current data")
    return ref, cur, list(columns)


@dataclass
class DriftReport:
    """Drift of every checked column between a reference and a current table.

    ``columns`` holds one :class:`ColumnResult` per (column, test); a column counts
    as drifted when its first test flags it. ``share_drifted`` is the share of drifted
    feature columns (target and prediction are reported apart) and
    ``dataset_drift`` is ``share_drifted >= drift_share`` (Evidently's rule).
    """

    columns: list[ColumnResult]
    drift_share: float
    target: list[ColumnResult] = field(default_factory=list)
    prediction: list[ColumnResult] = field(default_factory=list)
    correction: str | None = None

    def _primary(self) -> list[ColumnResult]:
        seen: set[str] = set()
        primary = []
        for result in self.columns:
            if result.column not in seen:
                seen.add(result.column)
                primary.append(result)
        return primary

    @property
    def drifted_columns(self) -> list[str]:
        return [r.column for r in self._primary() if r.drifted]

    @property
    def n_columns(self) -> int:
        return len(self._primary())

    @property
    def n_drifted(self) -> int:
        return len(self.drifted_columns)

    @property
    def share_drifted(self) -> float:
        return self.n_drifted / self.n_columns if self.n_columns else math.nan

    @property
    def dataset_drift(self) -> bool:
        return self.n_columns > 0 and self.share_drifted >= self.drift_share

    def __getitem__(self, column: str) -> ColumnResult:
        for result in [*self.columns, *self.target, *self.prediction]:
            if result.column == column:
                return result
        raise KeyError(f"no column '{column}' in the report")

    def _ordered(self) -> list[ColumnResult]:
        """Every result, drifted columns first, then in column order."""
        everything = [*self.target, *self.prediction, *self.columns]
        drifted = {r.column for r in everything if r.drifted}
        return sorted(everything, key=lambda r: r.column not in drifted)

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per (column, test), drifted columns first."""
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self._ordered()])

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "dataset_drift": self.dataset_drift,
                "share_drifted": self.share_drifted,
                "n_drifted": self.n_drifted,
                "n_columns": self.n_columns,
                "drift_share": self.drift_share,
                "correction": self.correction,
                "drifted_columns": self.drifted_columns,
                "columns": [asdict(r) for r in self.columns],
                "target": [asdict(r) for r in self.target],
                "prediction": [asdict(r) for r in self.prediction],
            }
        )

    def _repr_html_(self) -> str:
        verdict = "failed" if self.dataset_drift else "passed"
        summary = (
            f"<p><span class='{verdict}'>{'Dataset drift' if self.dataset_drift else 'No dataset drift'}</span>: "
            f"{self.n_drifted} of {self.n_columns} feature columns drifted "
            f"(share {_html.number(self.share_drifted)}, limit {_html.number(self.drift_share)})"
            f"{'' if self.correction is None else f'; p-values adjusted ({_html.escape(self.correction)})'}</p>"
        )
        return f"<div class='assay'>{_html.STYLE}<h3>Drift report</h3>{summary}{_results_table(self._ordered())}</div>"

    def __repr__(self) -> str:
        return (
            f"<assay DriftReport: {self.n_drifted}/{self.n_columns} columns drifted, "
            f"dataset drift {self.dataset_drift}>"
        )


def _results_table(results: Sequence[ColumnResult], extra: Sequence[tuple[str, Sequence[Any]]] = ()) -> str:
    headers = [name for name, _ in extra] + [
        "column",
        "role",
        "test",
        "score",
        "threshold",
        "drifted",
        "method",
        "note",
    ]
    rows = []
    for i, r in enumerate(results):
        flag = "<span class='failed'>drift</span>" if r.drifted else "no"
        rows.append(
            [_html.escape(values[i]) for _, values in extra]
            + [
                _html.escape(r.column),
                _html.escape(r.role),
                _html.escape(r.test),
                _html.number(r.score),
                _html.number(r.threshold),
                flag,
                _html.escape(r.method),
                _html.escape(r.note),
            ]
        )
    numeric = [False] * len(extra) + [False, False, False, True, True, False, False, False]
    return _html.table(headers, rows, numeric)


def _role_columns(value: Any, argument: str) -> list[str]:
    if value is None:
        return []
    return _column_list(value, argument)


def report(
    reference: Any,
    current: Any,
    columns: Sequence[str] | None = None,
    tests: Any = "auto",
    thresholds: Any = None,
    *,
    target: str | Sequence[str] | None = None,
    prediction: str | Sequence[str] | None = None,
    drift_share: float = 0.5,
    correction: str | None = None,
    n_jobs: int | None = None,
    progress: Any = None,
) -> DriftReport:
    """Checks every column of ``current`` against ``reference`` for drift.

    ``columns`` defaults to every reference column except ``target`` and
    ``prediction``, which are checked too but reported apart. ``tests`` is 'auto'
    (Evidently's defaults: see docs/drift.md), a test key from :data:`TESTS`, a list of
    keys, or a mapping column -> key(s). ``thresholds`` is a number, or a mapping of
    column names or test keys to numbers; unset thresholds are Evidently's defaults.
    Each numeric column is sorted once and every test reads the sorted copy.

    ``correction`` ('bonferroni', 'holm' or 'fdr_bh'; None: none, as Evidently) adjusts
    the p-values of all the report's tests as one family; p-value tests are then flagged
    by ``pvalue_adjusted`` < threshold. Distances are not affected.
    """
    method = _correction(correction, "correction")
    share = _real(drift_share, "drift_share")
    if not 0 <= share <= 1:
        raise InvalidInputError(f"drift_share must be in [0, 1], got {drift_share!r}")
    targets, predictions = _role_columns(target, "target"), _role_columns(prediction, "prediction")
    both = sorted(set(targets) & set(predictions))
    if both:
        raise InvalidInputError(f"columns {both} are named both as target and as prediction")
    roles = {name: "target" for name in targets}
    roles.update({name: "prediction" for name in predictions})
    ref, cur, features = _frames(reference, current, columns, set(roles))
    missing_roles = [c for c in roles if c not in ref]
    if missing_roles:
        raise InvalidInputError(f"target/prediction columns {missing_roles} are not in the reference data")
    checked = features + [c for c in roles if c not in features]
    requests = _requests(checked, tests, thresholds)
    jobs, callback = n_jobs_arg(n_jobs), _progress(progress, "drift report")
    results = _core_drift.report(ref.core_columns(checked), cur.core_columns(checked), requests, jobs, callback, method)
    by_role: dict[str, list[ColumnResult]] = {"feature": [], "target": [], "prediction": []}
    for core in results:
        role = roles.get(core.column, "feature")
        by_role[role].append(_column_result(core, role))
    return DriftReport(by_role["feature"], share, by_role["target"], by_role["prediction"], correction)


# --- over time ---------------------------------------------------------------------------


@dataclass
class DriftOverTime:
    """Drift statistics per chunk of the current data.

    ``chunks`` describes each chunk (index, label, first and last time, rows);
    ``results[i]`` are the column results of chunk i. ``correction`` is the
    multiple-testing correction applied within each chunk (None: none).
    """

    chunks: list[dict[str, Any]]
    results: list[list[ColumnResult]]
    correction: str | None = None

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per (chunk, column, test)."""
        import pandas as pd

        rows = []
        for chunk, results in zip(self.chunks, self.results):
            for r in results:
                rows.append(
                    {
                        "chunk": chunk["chunk"],
                        "label": chunk["label"],
                        "start": chunk["start"],
                        "end": chunk["end"],
                        **asdict(r),
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "correction": self.correction,
                "chunks": [{**c, "columns": [asdict(r) for r in rs]} for c, rs in zip(self.chunks, self.results)],
            }
        )

    def drift_counts(self) -> list[int]:
        """Drifted columns (first test of each) per chunk."""
        counts = []
        for results in self.results:
            seen: set[str] = set()
            count = 0
            for r in results:
                if r.column not in seen:
                    seen.add(r.column)
                    count += r.drifted
            counts.append(count)
        return counts

    def _repr_html_(self) -> str:
        flagged = [(c, r) for c, rs in zip(self.chunks, self.results) for r in rs]
        flagged.sort(key=lambda item: not item[1].drifted)
        body = _results_table([r for _, r in flagged], [("chunk", [str(c["label"]) for c, _ in flagged])])
        counts = ", ".join(f"{c['label']}: {n}" for c, n in zip(self.chunks, self.drift_counts()))
        return (
            f"<div class='assay'>{_html.STYLE}<h3>Drift over time</h3>"
            f"<p>{len(self.chunks)} chunks; drifted columns per chunk: {_html.escape(counts)}"
            f"{'' if self.correction is None else f'; p-values adjusted per chunk ({_html.escape(self.correction)})'}"
            "</p>"
            f"{body}</div>"
        )

    def __repr__(self) -> str:
        return f"<assay DriftOverTime: {len(self.chunks)} chunks>"


def _time_values(time: Any, frame: Frame | int) -> np.ndarray | None:
    """``time`` (a column name of ``frame`` or an array with one value per row; ``frame``
    may be just the number of rows then) as float64 seconds; datetimes are seconds since
    the epoch. Missing or infinite times are errors."""
    if time is None:
        return None
    n_rows = frame if isinstance(frame, int) else frame.n_rows
    if isinstance(time, str):
        if isinstance(frame, int) or time not in frame:
            raise InvalidInputError(f"time column '{time}' is not in the current data")
        column = frame.column(time)
    else:
        column = _converted(
            lambda: as_column(
                _array(time, "time") if not hasattr(time, "dtype") else time, name="time", argument="time"
            ),
            "time",
        )
        if len(column) != n_rows:
            raise InvalidInputError(f"time must have one value per current row ({n_rows}), got {len(column)}")
    if column.kind == CATEGORICAL:
        raise InvalidTypeError(f"time must hold numbers or datetimes, got {column.source_dtype} values")
    values = np.asarray(column.values, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        raise InvalidInputError(f"time holds a missing or infinite value at row {int(np.argmin(finite))}")
    return values


def _chunk_labels(
    n_rows: int, time: np.ndarray | None, freq: str | None, chunk_size: int | None, n_chunks: int | None
) -> tuple[np.ndarray, list[Any]]:
    """Chunk index of every row, and a label per chunk. ``time`` is float64 seconds."""
    chosen = sum(x is not None for x in (freq, chunk_size, n_chunks))
    if chosen > 1:
        raise InvalidInputError("give at most one of freq, chunk_size and n_chunks")
    if freq is not None:
        if not isinstance(freq, str):
            raise InvalidTypeError(f"freq must be a pandas period alias such as 'D', got {type(freq).__name__}")
        if time is None:
            raise InvalidInputError("freq needs time=")
        import pandas as pd

        try:
            periods = pd.to_datetime(pd.Series(time), unit="s").dt.to_period(freq)
        except (ValueError, TypeError, OverflowError) as error:
            raise InvalidInputError(f"freq={freq!r} on time: {error}") from error
        codes, uniques = pd.factorize(periods, sort=True)
        return codes.astype(np.int64), [str(u) for u in uniques]
    order = np.arange(n_rows) if time is None else np.argsort(time, kind="stable")
    if chunk_size is not None:
        size = _count_arg(chunk_size, "chunk_size")
        per_position = np.arange(n_rows, dtype=np.int64) // size
    else:
        count = 10 if n_chunks is None else _count_arg(n_chunks, "n_chunks")
        count = min(count, max(n_rows, 1))
        per_position = (np.arange(n_rows, dtype=np.int64) * count) // max(n_rows, 1)
    labels = np.empty(n_rows, dtype=np.int64)
    labels[order] = per_position
    n = int(per_position[-1]) + 1 if n_rows else 0
    return labels, list(range(n))


def _count_arg(value: Any, argument: str) -> int:
    """A positive integer option (int or numpy integer; not bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{argument} must be a positive integer, got {type(value).__name__}")
    if value < 1:
        raise InvalidInputError(f"{argument} must be a positive integer, got {value!r}")
    return int(value)


#: Most (chunk, column, test) results ``over_time`` makes in one call.
MAX_OVER_TIME_RESULTS = 10_000_000


def over_time(
    reference: Any,
    current: Any,
    *,
    time: str | Any = None,
    freq: str | None = None,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    columns: Sequence[str] | None = None,
    tests: Any = "auto",
    thresholds: Any = None,
    correction: str | None = None,
    n_jobs: int | None = None,
    progress: Any = None,
) -> DriftOverTime:
    """Drift of every column per chunk of ``current``.

    Chunks are calendar periods of ``time`` (a column name of ``current`` or an array)
    with ``freq`` (a pandas period alias such as 'D', 'W', 'M'), consecutive runs of
    ``chunk_size`` rows, or ``n_chunks`` equal parts (default 10, NannyML's default);
    rows are taken in ``time`` order when it is given. 'auto' picks one test per column
    from the reference alone, so every chunk of a column uses the same test.
    ``correction`` is as in :func:`report`, applied to each chunk's tests as one family
    (the chunk's own report).
    """
    method = _correction(correction, "correction")
    cur_frame = _converted(lambda: as_frame(current, argument="current"), "current")
    time_values = _time_values(time, cur_frame)
    exclude = {time} if isinstance(time, str) else set()
    ref, cur, checked = _frames(reference, cur_frame, columns, exclude)
    labels, names = _chunk_labels(cur.n_rows, time_values, freq, chunk_size, n_chunks)
    if not names:
        raise InvalidInputError("current has no rows")
    requests = _requests(checked, tests, thresholds)
    results_made = len(names) * sum(max(1, len(r[1])) for r in requests)
    if results_made > MAX_OVER_TIME_RESULTS:
        chosen = "freq" if freq is not None else "chunk_size" if chunk_size is not None else "n_chunks"
        raise ResourceLimitError(
            f"{chosen}: {len(names)} chunks x {len(requests)} columns make {results_made} "
            "results, "
            f"above the limit of {MAX_OVER_TIME_RESULTS}; use fewer, larger chunks"
        )
    jobs, callback = n_jobs_arg(n_jobs), _progress(progress, "drift over time")
    pairs = _core_drift.over_time(
        ref.core_columns(checked),
        cur.core_columns(checked),
        labels,
        len(names),
        requests,
        jobs,
        callback,
        method,
    )
    results: list[list[ColumnResult]] = [[] for _ in names]
    for chunk, core in pairs:
        results[chunk].append(_column_result(core))
    counts = np.bincount(labels[labels >= 0], minlength=len(names))
    if time_values is not None:  # every chunk holds at least one row
        sorted_time = time_values[np.argsort(labels, kind="stable")]
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        starts = np.minimum.reduceat(sorted_time, offsets).tolist()
        ends = np.maximum.reduceat(sorted_time, offsets).tolist()
    else:
        starts = ends = [math.nan] * len(names)
    chunks = [
        {"chunk": i, "label": name, "start": start, "end": end, "rows": int(n)}
        for i, (name, start, end, n) in enumerate(zip(names, starts, ends, counts))
    ]
    return DriftOverTime(chunks, results, correction)


# --- multivariate ------------------------------------------------------------------------


def _matrix(frame: Frame, columns: Sequence[str], argument: str) -> np.ndarray:
    """Row-major float64 matrix of numeric columns; non-finite values are an error.

    Filled in blocks of rows: cache-friendly, and each step is short enough for Ctrl-C.
    """
    categorical = [c for c in columns if frame.column(c).kind == CATEGORICAL]
    if categorical:
        raise InvalidTypeError(f"{argument}: multivariate drift needs numeric columns; {categorical} are categorical")
    if not columns:
        raise InvalidInputError(f"{argument}: no columns to compare")
    values = [frame.column(c).values for c in columns]
    matrix = np.empty((frame.n_rows, len(columns)))
    for begin in range(0, frame.n_rows, _ROW_BLOCK):
        end = min(frame.n_rows, begin + _ROW_BLOCK)
        matrix[begin:end] = np.column_stack([v[begin:end] for v in values])
    _require_finite(matrix, argument, columns)
    return matrix


_ROW_BLOCK = 16384


def _require_finite(matrix: np.ndarray, argument: str, columns: Sequence[Any]) -> None:
    bad = ~np.isfinite(matrix)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InvalidInputError(
            f"{argument}: column '{columns[col]}' holds NaN or infinite values (row {row}); drop or impute them first"
        )


def _plain_matrix(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype.kind in "biuf"


def _matrices(
    reference: Any, current: Any, columns: Any, exclude: set[str], cur_frame: Frame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The reference and current rows as row-major float64 matrices for the multivariate
    detectors. Two 2-D numeric arrays (no ``columns``) are used as they are (no copy when
    already C-ordered float64); tables go through the column checks of ``report``."""
    if columns is None and not exclude and _plain_matrix(reference) and _plain_matrix(current) and cur_frame is None:
        if reference.shape[0] == 0:
            raise InvalidInputError("reference has no rows")
        if reference.shape[1] != current.shape[1]:
            raise InvalidInputError(
                f"reference and current have {reference.shape[1]} and {current.shape[1]} columns; "
                "they must have the same columns"
            )
        if reference.shape[1] == 0:
            raise InvalidInputError("reference: no columns to compare")
        names = [f"x{j}" for j in range(reference.shape[1])]
        x, y = (np.ascontiguousarray(m, dtype=np.float64) for m in (reference, current))
        _require_finite(x, "reference", names)
        _require_finite(y, "current", names)
        return x, y
    ref, cur, names = _frames(reference, current if cur_frame is None else cur_frame, columns, exclude)
    return _matrix(ref, names, "reference"), _matrix(cur, names, "current")


@dataclass(frozen=True)
class MMDResult:
    """Kernel two-sample test: ``statistic`` is the unbiased MMD^2, ``pvalue`` the
    permutation p-value (1 + #{permuted >= observed}) / (1 + n_permutations)."""

    statistic: float
    pvalue: float
    bandwidth: float
    n_permutations: int
    permuted: np.ndarray = field(repr=False)

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "bandwidth": self.bandwidth,
                "n_permutations": self.n_permutations,
            }
        )


def _positive_real(value: Any, argument: str) -> float:
    number = _real(value, argument)
    if not (0 < number < math.inf):
        raise InvalidInputError(f"{argument} must be a finite number > 0, got {value!r}")
    return number


#: Largest permutation matrix ``mmd`` builds: (rows of both samples) x (n_permutations + 1) doubles.
MAX_MMD_CELLS = 2**30


def mmd(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    n_permutations: int = 100,
    bandwidth: float | None = None,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: Any = None,
) -> MMDResult:
    """Maximum mean discrepancy with an RBF kernel and a permutation p-value.

    The kernel is exp(-||a - b||^2 / (2 bandwidth^2)); by default the bandwidth comes
    from the median heuristic (half the median squared distance between reference and
    current rows, as alibi-detect). Permutation p of the pooled rows is drawn from
    CounterRng(seed, p), so results are the same for every ``n_jobs``.
    """
    n_permutations = _count_arg(n_permutations, "n_permutations")
    width = 0.0 if bandwidth is None else _positive_real(bandwidth, "bandwidth")
    seed, jobs, callback = seed_arg(seed, allow_none=False), n_jobs_arg(n_jobs), _progress(progress, "MMD permutations")
    x, y = _matrices(reference, current, columns, set())
    rows = x.shape[0] + y.shape[0]
    cells = rows * (n_permutations + 1)
    if cells > MAX_MMD_CELLS:
        raise ResourceLimitError(
            f"n_permutations: {rows} rows x {n_permutations + 1} permutations "
            f"need {cells * 8 / 2**30:.1f} GiB, above the limit of "
            f"{MAX_MMD_CELLS * 8 / 2**30:.0f} GiB; "
            "use fewer permutations or a sample of the rows"
        )
    statistic, pvalue, used, permuted = _core_drift.mmd_test(x, y, n_permutations, seed, width, jobs, callback)
    return MMDResult(float(statistic), float(pvalue), float(used), n_permutations, permuted)


@dataclass
class ReconstructionDrift:
    """PCA reconstruction error per chunk (NannyML's data-reconstruction drift).

    ``reference_errors`` are the errors of the reference chunks, which set the band
    ``lower``/``upper`` = mean -/+ ``sigma`` standard deviations; a current chunk whose
    error leaves the band raises an alert.
    """

    chunks: list[dict[str, Any]]
    errors: np.ndarray
    reference_errors: np.ndarray
    lower: float
    upper: float
    n_components: int
    explained_variance: float

    @property
    def alerts(self) -> np.ndarray:
        return (self.errors < self.lower) | (self.errors > self.upper)

    def to_frame(self) -> Any:
        import pandas as pd

        frame = pd.DataFrame(self.chunks)
        frame["error"] = self.errors
        frame["lower"], frame["upper"], frame["alert"] = self.lower, self.upper, self.alerts
        return frame

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "chunks": self.chunks,
                "errors": self.errors.tolist(),
                "reference_errors": self.reference_errors.tolist(),
                "lower": self.lower,
                "upper": self.upper,
                "alerts": self.alerts.tolist(),
                "n_components": self.n_components,
                "explained_variance": self.explained_variance,
            }
        )

    def _repr_html_(self) -> str:
        rows = [
            [_html.escape(c["label"]), _html.number(float(e)), "<span class='failed'>alert</span>" if a else "no"]
            for c, e, a in zip(self.chunks, self.errors, self.alerts)
        ]
        band = f"band [{_html.number(self.lower)}, {_html.number(self.upper)}]"
        return (
            f"<div class='assay'>{_html.STYLE}<h3>PCA reconstruction drift</h3><p>{self.n_components} components, "
            f"{band}</p>{_html.table(['chunk', 'error', 'alert'], rows, [False, True, False])}</div>"
        )


def pca_reconstruction(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    variance: float = 0.65,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    time: Any = None,
    freq: str | None = None,
    sigma: float = 3.0,
    n_jobs: int | None = None,
    progress: Any = None,
) -> ReconstructionDrift:
    """Fits a PCA on ``reference`` and reports the mean reconstruction error per chunk.

    Columns are standardised with reference statistics; the fewest components
    explaining more than ``variance`` (NannyML's 0.65) are kept. The reference is cut
    into chunks the same way (``chunk_size`` or ``n_chunks``; 10 by default) to set the
    alert band mean +/- ``sigma`` standard deviations of the reference chunk errors.
    The fit asks ``progress`` (as in :func:`report`) after every block of rows, so
    Ctrl-C stops it promptly.
    """
    spread_factor = _real(sigma, "sigma")
    if not 0 <= spread_factor < math.inf:
        raise InvalidInputError(f"sigma must be a finite number >= 0, got {sigma!r}")
    share = _real(variance, "variance")
    if not 0 < share <= 1:
        raise InvalidInputError(f"variance must be in (0, 1], got {variance!r}")
    jobs, callback = n_jobs_arg(n_jobs), _progress(progress, "PCA fit")
    if isinstance(time, str):  # a column of current: excluded from the columns compared
        cur_frame = _converted(lambda: as_frame(current, argument="current"), "current")
        time_values = _time_values(time, cur_frame)
        x, y = _matrices(reference, current, columns, {time}, cur_frame)
    else:
        x, y = _matrices(reference, current, columns, set())
        time_values = _time_values(time, y.shape[0])
    if y.shape[0] == 0:
        raise InvalidInputError("current has no rows")
    labels, names_of_chunks = _chunk_labels(y.shape[0], time_values, freq, chunk_size, n_chunks)
    ref_labels, ref_names = _chunk_labels(x.shape[0], None, None, chunk_size, n_chunks)
    model = _core_drift.fit_pca(x, share, callback)
    errors = np.asarray(_core_drift.reconstruction_error(model, y, labels, len(names_of_chunks), jobs, callback))
    reference_errors = np.asarray(
        _core_drift.reconstruction_error(model, x, ref_labels, len(ref_names), jobs, callback)
    )
    centre = float(np.mean(reference_errors))
    spread = float(np.std(reference_errors)) if len(reference_errors) > 1 else math.nan
    counts = np.bincount(labels, minlength=len(names_of_chunks))
    chunks = [{"chunk": i, "label": str(n), "rows": int(c)} for i, (n, c) in enumerate(zip(names_of_chunks, counts))]
    return ReconstructionDrift(
        chunks,
        errors,
        reference_errors,
        centre - spread_factor * spread,
        centre + spread_factor * spread,
        int(model.n_components),
        float(model.explained_variance),
    )


@dataclass(frozen=True)
class DomainClassifierResult:
    """Cross-validated ROC AUC of a classifier telling current rows from reference rows.

    ``auc`` near 0.5: the samples look alike; ``lower``/``upper``: 95% interval
    (Hanley & McNeil standard error); ``drifted``: the interval lies above ``threshold``.
    ``scores`` are the out-of-fold P(current) (reference rows first), ``folds`` the fold
    of each row.
    """

    auc: float
    lower: float
    upper: float
    fold_auc: list[float]
    threshold: float
    scores: np.ndarray = field(repr=False)
    folds: np.ndarray = field(repr=False)

    @property
    def drifted(self) -> bool:
        return bool(self.lower > self.threshold)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "auc": self.auc,
                "lower": self.lower,
                "upper": self.upper,
                "fold_auc": self.fold_auc,
                "threshold": self.threshold,
                "drifted": self.drifted,
            }
        )


#: Largest ``n_trees`` and ``max_depth`` of the boosted domain classifier.
MAX_TREES = 100_000
MAX_DEPTH = 64


def _positive_int(value: Any, argument: str, limit: int) -> int:
    number = _count_arg(value, argument)
    if number > limit:
        raise InvalidInputError(f"{argument} is {number}, above the limit of {limit}")
    return number


def domain_classifier(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    classifier: str = "logistic",
    n_folds: int = 5,
    l2: float = 1.0,
    n_trees: int = 100,
    max_depth: int = 3,
    learning_rate: float = 0.1,
    threshold: float = 0.55,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: Any = None,
) -> DomainClassifierResult:
    """Domain-classifier drift: cross-validated AUC of a model telling current rows from
    reference rows, trained in C++.

    ``classifier='logistic'``: L2-regularised logistic regression on standardised
    columns (Eigen); ``l2`` equals 1/C of scikit-learn's LogisticRegression.
    ``classifier='gbt'``: gradient-boosted trees on the log-loss (``n_trees`` trees of
    depth <= ``max_depth``, ``learning_rate``, histogram splits on at most 255 bins per
    column, at least 20 rows per leaf, ``l2`` on the leaf values), which also catches
    non-linear shifts such as a change of variance. ``n_folds`` stratified folds
    (NannyML uses 5). Drift is flagged when the lower end of the AUC interval exceeds
    ``threshold`` (Evidently's 0.55 for its absolute domain-classifier test).
    """
    if not isinstance(classifier, str) or classifier not in ("logistic", "gbt"):
        raise InvalidInputError(f"classifier must be 'logistic' or 'gbt', got {classifier!r}")
    folds_wanted = _count_arg(n_folds, "n_folds")
    if folds_wanted < 2:
        raise InvalidInputError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    penalty = _real(l2, "l2")
    if not 0 <= penalty < math.inf:
        raise InvalidInputError(f"l2 must be a finite number >= 0, got {l2!r}")
    rate = _positive_real(learning_rate, "learning_rate")
    trees, depth = _positive_int(n_trees, "n_trees", MAX_TREES), _positive_int(max_depth, "max_depth", MAX_DEPTH)
    limit = _threshold_value(threshold, "threshold")
    if math.isnan(limit) or limit > 1:
        raise InvalidInputError(f"threshold must be an AUC in [0, 1], got {threshold!r}")
    seed, jobs, callback = (
        seed_arg(seed, allow_none=False),
        n_jobs_arg(n_jobs),
        _progress(progress, "domain classifier"),
    )
    x, y = _matrices(reference, current, columns, set())
    for matrix, argument in ((x, "reference"), (y, "current")):
        if matrix.shape[0] < folds_wanted:
            raise InvalidInputError(
                f"{argument} has {matrix.shape[0]} rows; each sample needs at least n_folds = {folds_wanted} rows"
            )
    auc, lower, upper, fold_auc, scores, folds = _core_drift.domain_classifier(
        x, y, folds_wanted, _core_drift.DomainModel[classifier], penalty, trees, depth, rate, seed, jobs, callback
    )
    return DomainClassifierResult(
        float(auc), float(lower), float(upper), [float(a) for a in fold_auc], limit, scores, folds
    )
