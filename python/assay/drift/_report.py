"""Drift of the data: tests, distances, column reports, drift over time and multivariate detectors."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .. import report as _report
from .._core import drift as _core_drift
from .._frame import CATEGORICAL, Frame, as_column, as_frame
from .._progress import ProgressCallback, progress_callback
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg, seed_arg
from ..errors import AssayError, InvalidInputError, InvalidTypeError, ResourceLimitError
from ..typing import ArrayLike, NJobs, Progress, TableLike

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

TESTS: tuple[str, ...] = (
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
"""Test keys accepted by [`compare`][assay.drift.compare], [`report`][assay.drift.report]
and [`over_time`][assay.drift.over_time] (Evidently's names)."""


@dataclass(frozen=True)
class TestResult:
    """Outcome of a two-sample test, shaped like scipy's results.

    Unpacks as ``statistic, pvalue``. The fields are also the attributes.

    Parameters
    ----------
    statistic : float
        The test statistic (e.g. D of Kolmogorov-Smirnov, U of x for Mann-Whitney).
    pvalue : float
        The p-value.
    method : str, default ''
        How the p-value was computed: "exact", "asymptotic", "interpolated", "capped",
        "floored", "pearson", "g-test", ...
    dof : float or None, default None
        Degrees of freedom of the chi-square family; None for the other tests.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.ks_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> statistic, pvalue = result
    >>> statistic, round(pvalue, 4), result.method
    (0.5, 0.3571, 'exact')
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


def _progress(progress: Progress, description: str) -> ProgressCallback | None:
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise InvalidTypeError(
            f"progress must be None, a bool or a callable(done, total), got {type(progress).__name__}"
        )
    return progress_callback(progress, description)


# --- two-sample tests ------------------------------------------------------------------


def ks_2samp(data1: ArrayLike, data2: ArrayLike, method: str = "auto") -> TestResult:
    """Two-sided two-sample Kolmogorov-Smirnov test (as ``scipy.stats.ks_2samp``).

    The statistic is D = max |F1 - F2| of the two empirical distribution functions.

    Parameters
    ----------
    data1, data2 : ArrayLike
        The two samples: 1-D arrays of finite real numbers.
    method : str, default 'auto'
        ``"exact"`` (Hodges' lattice-path count), ``"asymp"`` (the finite-n Kolmogorov
        distribution at n = round(n1 n2 / (n1 + n2))) or ``"auto"``: exact when both
        samples have at most 10,000 values, as scipy. An exact request too large to
        count falls back to asymp, and ``method`` of the result says so.

    Returns
    -------
    TestResult
        D, the p-value and the method used.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers (strings, complex numbers).
    InvalidInputError
        A sample is not 1-D, holds fewer than 1 value(s), or holds NaN or an infinity
        (the message names the argument and the position), or ``method`` is not 'auto', 'exact' or 'asymp'.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.ks_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> result.statistic, round(result.pvalue, 4), result.method
    (0.5, 0.3571, 'exact')
    """
    return _result(_core_drift.ks_2samp(_sample(data1, "data1"), _sample(data2, "data2"), _method(method)))


def mannwhitneyu(x: ArrayLike, y: ArrayLike, method: str = "auto") -> TestResult:
    """Two-sided Mann-Whitney U test with continuity correction (as ``scipy.stats.mannwhitneyu``).

    The statistic is U of x, with average ranks for ties.

    Parameters
    ----------
    x, y : ArrayLike
        The two samples: 1-D arrays of finite real numbers.
    method : str, default 'auto'
        ``"exact"`` (the distribution of U, without ties), ``"asymp"`` (normal
        approximation with tie and continuity corrections) or ``"auto"``: exact when there
        are no ties and the smaller sample has at most 8 values. Above n_x n_y = 10**6 the
        normal approximation is used and the result's ``method`` says so.

    Returns
    -------
    TestResult
        U of x, the p-value and the method used.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers (strings, complex numbers).
    InvalidInputError
        A sample is not 1-D, holds fewer than 1 value(s), or holds NaN or an infinity
        (the message names the argument and the position), or ``method`` is not 'auto', 'exact' or 'asymp'.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.mannwhitneyu([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> result.statistic, round(result.pvalue, 4), result.method
    (4.5, 0.066, 'asymptotic')
    """
    return _result(_core_drift.mannwhitneyu(_sample(x, "x"), _sample(y, "y"), _method(method)))


def cramervonmises_2samp(x: ArrayLike, y: ArrayLike, method: str = "auto") -> TestResult:
    """Two-sample Cramer-von Mises test (as ``scipy.stats.cramervonmises_2samp``).

    Parameters
    ----------
    x, y : ArrayLike
        The two samples: 1-D arrays of at least two finite real numbers each.
    method : str, default 'auto'
        ``"exact"`` (enumeration; at most 60 values per sample), ``"asymp"`` (the
        limiting distribution) or ``"auto"``: exact when both samples have at most 20
        values.

    Returns
    -------
    TestResult
        T, the p-value and the method used.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers (strings, complex numbers).
    InvalidInputError
        A sample is not 1-D, holds fewer than 2 value(s), or holds NaN or an infinity
        (the message names the argument and the position), or ``method`` is not 'auto', 'exact' or 'asymp'.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.cramervonmises_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> round(result.statistic, 4), round(result.pvalue, 4), result.method
    (0.3977, 0.0779, 'exact')
    """
    return _result(_core_drift.cramervonmises_2samp(_sample(x, "x", 2), _sample(y, "y", 2), _method(method)))


def epps_singleton_2samp(x: ArrayLike, y: ArrayLike) -> TestResult:
    """Epps-Singleton test with t = (0.4, 0.8) (as ``scipy.stats.epps_singleton_2samp``).

    Compares the empirical characteristic functions of the samples (Epps & Singleton 1986).

    Parameters
    ----------
    x, y : ArrayLike
        The two samples: 1-D arrays of at least 5 finite real numbers each.

    Returns
    -------
    TestResult
        W, the p-value, and in ``dof`` the chi-square degrees of freedom used.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers (strings, complex numbers).
    InvalidInputError
        A sample is not 1-D, holds fewer than 5 value(s), or holds NaN or an infinity
        (the message names the argument and the position), or the pooled interquartile range is 0 (scipy returns NaN).

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.epps_singleton_2samp([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    >>> round(result.statistic, 3), round(result.pvalue, 3), result.dof
    (3.015, 0.555, 4.0)
    """
    return _result(_core_drift.epps_singleton_2samp(_sample(x, "x", 5), _sample(y, "y", 5)))


def anderson_ksamp(samples: Sequence[ArrayLike]) -> TestResult:
    """k-sample Anderson-Darling test, midrank variant (scipy's default).

    The statistic is Scholz & Stephens' (1987) normalised A2akN.

    Parameters
    ----------
    samples : Sequence[ArrayLike]
        Two or more samples, each a 1-D array of finite real numbers (or a 2-D array, one
        sample per row). The pooled samples need at least two distinct values.

    Returns
    -------
    TestResult
        The statistic and the p-value, which interpolates Scholz & Stephens' table and is
        capped to [0.001, 0.25] (``method`` is then "capped" or "floored", where scipy
        warns; else "interpolated").

    Raises
    ------
    InvalidTypeError
        ``samples`` is not a sequence of samples, or a sample is not an array of real
        numbers.
    InvalidInputError
        There are fewer than two samples, a sample is empty, not 1-D or holds NaN or an
        infinity (the message names it, e.g. ``samples[1]``), or all values are equal.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.anderson_ksamp([[1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]])
    >>> round(result.statistic, 3), round(result.pvalue, 3), result.method
    (2.054, 0.046, 'interpolated')
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


def wasserstein_distance(
    u_values: ArrayLike, v_values: ArrayLike, u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None
) -> float:
    """First Wasserstein distance between two (weighted) samples (as ``scipy.stats.wasserstein_distance``).

    W1 is the area between the two distribution functions, in data units.

    Parameters
    ----------
    u_values, v_values : ArrayLike
        The two samples: 1-D arrays of finite real numbers.
    u_weights, v_weights : ArrayLike, optional
        A weight per value (finite, >= 0, with a positive sum); when only one side is
        weighted the other has unit weights.

    Returns
    -------
    float
        The distance, >= 0.

    Raises
    ------
    InvalidTypeError
        A sample or weight vector is not an array of real numbers.
    InvalidInputError
        A sample is empty, not 1-D or holds NaN or an infinity; a weight vector does not
        have one weight per value, or holds a negative or non-finite weight, or sums to 0.

    Examples
    --------
    >>> from assay import drift
    >>> drift.wasserstein_distance([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    >>> drift.wasserstein_distance([0.0, 1.0], [0.0, 1.0], [3.0, 1.0], [1.0, 3.0])
    0.5
    """
    return _cdf_distance(u_values, v_values, u_weights, v_weights, 1)


def energy_distance(
    u_values: ArrayLike, v_values: ArrayLike, u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None
) -> float:
    """Energy distance sqrt(2) * ||F_u - F_v||_2 between two (weighted) samples (as ``scipy.stats.energy_distance``).

    In data units, like scipy's.

    Parameters
    ----------
    u_values, v_values : ArrayLike
        The two samples: 1-D arrays of finite real numbers.
    u_weights, v_weights : ArrayLike, optional
        A weight per value (finite, >= 0, with a positive sum); when only one side is
        weighted the other has unit weights.

    Returns
    -------
    float
        The distance, >= 0.

    Raises
    ------
    InvalidTypeError
        A sample or weight vector is not an array of real numbers.
    InvalidInputError
        A sample is empty, not 1-D or holds NaN or an infinity; a weight vector does not
        have one weight per value, or holds a negative or non-finite weight, or sums to 0.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.energy_distance([0.0, 1.0, 3.0], [5.0, 6.0, 8.0]), 4)
    2.708
    """
    return _cdf_distance(u_values, v_values, u_weights, v_weights, 2)


def normalized_wasserstein(reference: ArrayLike, current: ArrayLike) -> float:
    """Evidently's drift score: W1 / max(population std of reference, 0.001).

    Samples are checked as for every test here (NaN and infinities are errors); use
    ``compare(reference, current, test='wasserstein')`` to drop and count them instead.

    Parameters
    ----------
    reference, current : ArrayLike
        The two samples: 1-D arrays of finite real numbers.

    Returns
    -------
    float
        The first Wasserstein distance in units of the reference's standard deviation.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers.
    InvalidInputError
        A sample is empty, not 1-D or holds NaN or an infinity.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.normalized_wasserstein([0.0, 1.0, 3.0], [5.0, 6.0, 8.0]), 4)
    4.0089
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


def chi2_contingency(observed: ArrayLike, correction: bool = True, lambda_: str | None = None) -> TestResult:
    """Chi-square test of independence on a table of counts (as ``scipy.stats.chi2_contingency``).

    Expected counts are row total x column total / N. Counts must be finite and >= 0 (they
    need not be whole, as in scipy); a table without degrees of freedom gives statistic 0
    and p = 1.

    Parameters
    ----------
    observed : ArrayLike
        A non-empty 2-D table of counts.
    correction : bool, default True
        Apply Yates' continuity correction when there is one degree of freedom.
    lambda_ : str, optional
        None or ``"pearson"`` for Pearson's statistic, ``"log-likelihood"`` for the G-test.

    Returns
    -------
    TestResult
        The statistic, the p-value (chi-square tail), the method ("pearson" or "g-test")
        and ``dof``.

    Raises
    ------
    InvalidTypeError
        ``observed`` is not an array of real numbers, or ``correction`` is not a bool.
    InvalidInputError
        ``observed`` is not a non-empty 2-D table, holds a negative or non-finite count, or
        has an empty row or column (a zero expected frequency; the message names it), or
        ``lambda_`` is unknown.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.chi2_contingency([[10, 20], [30, 40]])
    >>> round(result.statistic, 4), round(result.pvalue, 4), result.dof
    (0.4464, 0.504, 1.0)
    >>> drift.chi2_contingency([[10, 20], [30, 40]], lambda_="log-likelihood").method
    'g-test'
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


def chisquare(f_obs: ArrayLike, f_exp: ArrayLike, lambda_: str | None = None) -> TestResult:
    """Goodness of fit of observed counts to expected counts rescaled to the same total.

    With equal totals this is ``scipy.stats.chisquare`` (or ``power_divergence`` with
    ``lambda_='log-likelihood'``); rescaling is what Evidently's ``chisquare`` test does
    with reference counts. An observed category with zero expectation gives inf, p = 0.

    Parameters
    ----------
    f_obs : ArrayLike
        Observed counts per category: finite, >= 0, with a positive total.
    f_exp : ArrayLike
        Expected counts (or reference counts) of the same categories, finite, >= 0, with a
        positive total; rescaled to the total of ``f_obs``.
    lambda_ : str, optional
        None or ``"pearson"`` for Pearson's statistic, ``"log-likelihood"`` for the G-test.

    Returns
    -------
    TestResult
        The statistic, the p-value (chi-square tail with k - 1 degrees of freedom) and
        ``dof``.

    Raises
    ------
    InvalidTypeError
        A table is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite count or
        sums to 0; the two have different lengths; ``lambda_`` is unknown.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.chisquare([18, 22, 20], [1, 1, 1])
    >>> round(result.statistic, 4), round(result.pvalue, 4), result.dof
    (0.4, 0.8187, 2.0)
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


def fisher_exact(table: ArrayLike) -> TestResult:
    """Fisher's exact test on a 2x2 table, two-sided (as ``scipy.stats.fisher_exact``).

    The p-value sums the hypergeometric probabilities of the tables at most as likely as
    the observed one. Time grows with the standard deviation of the table's
    hypergeometric law, memory is constant; an empty row or column gives NaN and p = 1.

    Parameters
    ----------
    table : ArrayLike
        A 2x2 table of whole, finite counts >= 0 with a total of at most 2**53.

    Returns
    -------
    TestResult
        The sample odds ratio (inf when b c = 0) and the p-value.

    Raises
    ------
    InvalidTypeError
        ``table`` is not an array of real numbers.
    InvalidInputError
        ``table`` is not 2x2, or a count is negative, not whole, not finite or above
        2**53 (the message names the cell), or the total is above 2**53.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.fisher_exact([[8, 2], [1, 5]])
    >>> result.statistic, round(result.pvalue, 4)
    (20.0, 0.035)
    """
    array = _table(table, "table", 2)
    if array.shape != (2, 2):
        raise InvalidInputError(f"table must be 2x2, got shape {array.shape}")
    a, b, c, d = _whole_counts(array.ravel(), "table", ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"])
    if float(a + b + c + d) > _MAX_EXACT_COUNT:
        raise InvalidInputError(f"table: the total {a + b + c + d} is above 2**53; counts that large are not exact")
    return _result(_core_drift.fisher_exact(a, b, c, d))


def two_proportion_ztest(count1: float, nobs1: float, count2: float, nobs2: float) -> TestResult:
    """Pooled two-proportion z-test, two-sided (Evidently's ``z`` test).

    z = (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2)) with the pooled proportion P; the
    p-value is 2 (1 - Phi(|z|)), computed from the survival function. When both samples
    hold one and the same value, z = 0 and p = 1.

    Parameters
    ----------
    count1 : float
        Successes in the first sample: a whole number, 0 <= count1 <= nobs1.
    nobs1 : float
        Trials of the first sample: a whole number >= 1.
    count2 : float
        Successes in the second sample: a whole number, 0 <= count2 <= nobs2.
    nobs2 : float
        Trials of the second sample: a whole number >= 1.

    Returns
    -------
    TestResult
        z and the two-sided p-value.

    Raises
    ------
    InvalidTypeError
        An argument is not a real number.
    InvalidInputError
        An argument is not a whole number, a count is negative or exceeds its trials, or
        trials are below 1; the message names the argument.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.two_proportion_ztest(30, 100, 45, 100)
    >>> round(result.statistic, 4), round(result.pvalue, 4)
    (-2.1909, 0.0285)
    """
    arguments = ((count1, "count1"), (nobs1, "nobs1"), (count2, "count2"), (nobs2, "nobs2"))
    values = [_real(v, name) for v, name in arguments]
    return _result(_core_drift.two_proportion_z(*values))


CORRECTIONS: tuple[str, ...] = ("bonferroni", "holm", "fdr_bh")
"""Multiple-testing corrections accepted by [`adjust_pvalues`][assay.drift.adjust_pvalues],
[`report`][assay.drift.report] and [`over_time`][assay.drift.over_time] (statsmodels' names)."""


def _correction(method: Any, argument: str) -> _core_drift.Correction:
    if method is None:
        return _core_drift.Correction.none
    if not isinstance(method, str) or method not in CORRECTIONS:
        raise InvalidInputError(f"{argument} must be None or one of {', '.join(CORRECTIONS)}, got {method!r}")
    return _core_drift.Correction[method]


def adjust_pvalues(pvalues: ArrayLike, method: str) -> np.ndarray:
    """Adjusted p-values for multiple testing, as ``statsmodels``' ``multipletests``.

    Parameters
    ----------
    pvalues : ArrayLike
        A 1-D array of p-values in [0, 1]. NaN entries are not part of the family and stay
        NaN.
    method : str
        ``"bonferroni"`` (min(1, m p)), ``"holm"`` (Holm's step-down) or ``"fdr_bh"``
        (Benjamini-Hochberg); see [`CORRECTIONS`][assay.drift.CORRECTIONS].

    Returns
    -------
    numpy.ndarray
        The adjusted p-values (float64), in the order of ``pvalues``.

    Raises
    ------
    InvalidTypeError
        ``pvalues`` is not an array of real numbers.
    InvalidInputError
        ``pvalues`` is not 1-D or holds a value outside [0, 1], or ``method`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> drift.adjust_pvalues([0.01, 0.04, 0.03, np.nan], "holm").round(4).tolist()
    [0.03, 0.06, 0.06, nan]
    >>> drift.adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(4).tolist()
    [0.03, 0.04, 0.04]
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


def psi(p: ArrayLike, q: ArrayLike) -> float:
    """Population stability index sum (p - q) ln(p / q) between two discrete distributions.

    p and q are normalised to sum 1 first (so counts and proportions give the same value).
    A bin empty in one vector only gives inf: use ``compare(..., test='psi')`` on samples
    for Evidently's binning and zero filling.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.

    Returns
    -------
    float
        The index, >= 0 (inf when a bin is empty in one vector only).

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, or the two have different lengths.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.psi([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0203
    >>> drift.psi([2, 3, 5], [1, 1, 2]) == drift.psi([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    """
    return _distance(_core_drift.psi, p, q)


def kl_divergence(p: ArrayLike, q: ArrayLike) -> float:
    """Kullback-Leibler divergence KL(p || q) in nats (as ``scipy.stats.entropy(p, q)``).

    p and q are normalised to sum 1 first.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.

    Returns
    -------
    float
        The divergence, >= 0 (inf when q is zero where p is not).

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, or the two have different lengths.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.kl_divergence([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0101
    >>> drift.kl_divergence([2, 3, 5], [1, 1, 2]) == drift.kl_divergence([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    """
    return _distance(_core_drift.kl_divergence, p, q)


def jensenshannon(p: ArrayLike, q: ArrayLike) -> float:
    """Jensen-Shannon distance in nats (as ``scipy.spatial.distance.jensenshannon``).

    The square root of the Jensen-Shannon divergence; p and q are normalised to sum 1 first.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.

    Returns
    -------
    float
        The distance, in [0, sqrt(ln 2)].

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, or the two have different lengths.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.jensenshannon([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0503
    >>> drift.jensenshannon([2, 3, 5], [1, 1, 2]) == drift.jensenshannon([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    """
    return _distance(_core_drift.jensenshannon, p, q)


def hellinger(p: ArrayLike, q: ArrayLike) -> float:
    """Hellinger distance ||sqrt(p) - sqrt(q)||_2 / sqrt(2) between two discrete distributions.

    p and q are normalised to sum 1 first.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.

    Returns
    -------
    float
        The distance, in [0, 1].

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, or the two have different lengths.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.hellinger([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0503
    >>> drift.hellinger([2, 3, 5], [1, 1, 2]) == drift.hellinger([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    """
    return _distance(_core_drift.hellinger, p, q)


def total_variation(p: ArrayLike, q: ArrayLike) -> float:
    """Total variation distance ½‖p − q‖₁ between two discrete distributions.

    p and q are normalised to sum 1 first: ``total_variation([2, 3, 5], [1, 1, 2])``
    compares (0.2, 0.3, 0.5) with (0.25, 0.25, 0.5), which gives 0.05.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.

    Returns
    -------
    float
        The distance, in [0, 1].

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, or the two have different lengths.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.total_variation([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.05
    >>> drift.total_variation([2, 3, 5], [1, 1, 2]) == drift.total_variation([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    """
    return _distance(_core_drift.total_variation, p, q)


# --- column drift ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnResult:
    """One drift test on one column, an entry of [`DriftReport`][assay.drift.DriftReport].

    ``score`` is the p-value for tests and the distance for distances; it is compared
    to ``threshold`` to give ``drifted`` (a p-value below, a distance at or above the
    threshold), except that with a report's ``correction`` p-value tests compare
    ``pvalue_adjusted`` instead. ``note`` explains a NaN score. The fields are also the
    attributes.

    Parameters
    ----------
    column : str
        The column's name.
    test : str
        The test's key (one of [`TESTS`][assay.drift.TESTS]).
    statistic : float
        The test statistic, or the distance.
    pvalue : float
        The p-value; NaN for distances.
    pvalue_adjusted : float
        The p-value after the report's multiple-testing correction (the p-value itself
        without one); NaN for distances.
    score : float
        What is compared with the threshold: the p-value (tests) or the distance.
    threshold : float
        The threshold: the user's, or the test's default (Evidently's).
    drifted : bool
        Whether the column drifted by this test.
    method : str
        How the p-value was computed, or how a distance binned the values.
    n_reference, n_current : int
        Values used from the reference and the current sample (missing and infinite
        values dropped).
    missing_reference, missing_current : int
        Missing values dropped from each sample.
    infinite_reference, infinite_current : int
        Infinite values dropped from each sample.
    note : str
        Why the score is NaN (e.g. a sample without values), else empty.
    role : str, default 'feature'
        ``"feature"``, ``"target"`` or ``"prediction"``.
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
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            The fields by name, NaN as None.
        """
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


def compare(
    reference: ArrayLike, current: ArrayLike, test: str = "auto", threshold: float | None = None
) -> ColumnResult:
    """One column-drift test between two 1-D samples (numeric or categorical).

    Missing and infinite values are dropped and counted, and distances bin the samples as
    Evidently does, as in [`report`][assay.drift.report].

    Parameters
    ----------
    reference, current : ArrayLike
        The two samples: 1-D arrays of numbers, datetimes, strings or categories, both
        numeric or both categorical.
    test : str, default 'auto'
        A key of [`TESTS`][assay.drift.TESTS], or ``"auto"`` to pick as
        [`report`][assay.drift.report] does (Evidently's defaults).
    threshold : float, optional
        A finite number >= 0 (at most 1 for a test that compares a p-value); by default
        the test's own (Evidently's).

    Returns
    -------
    ColumnResult
        The result, for a column named "value".

    Raises
    ------
    InvalidTypeError
        A sample is not a 1-D array of a supported type, or the test does not apply to
        the samples' kind (e.g. ``"ks"`` on categories).
    InvalidInputError
        ``test`` is unknown, or ``threshold`` is negative, not finite, or above 1 for a
        p-value test.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference, current = rng.normal(40, 10, 500), rng.normal(45, 10, 500)
    >>> result = drift.compare(reference, current)
    >>> result.test, result.drifted
    ('ks', True)
    >>> result = drift.compare(reference, current, test="psi")
    >>> round(result.score, 3), result.threshold, result.drifted
    (0.263, 0.1, True)
    >>> drift.compare(["a", "b", "b", "a"], ["a", "a", "b", "a"]).test
    'z'
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
    requests: list[_CoreRequest] = []
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
class DriftReport(Exportable):
    """Drift of every checked column between a reference and a current table.

    The result of [`report`][assay.drift.report]. A column counts as drifted when its
    first test flags it. ``report[name]`` is the first result of a column (feature,
    target or prediction; a ``KeyError`` when there is none). In a notebook the report
    shows as an HTML table, drifted columns first. The fields are also the attributes.

    Parameters
    ----------
    columns : list of ColumnResult
        One result per (feature column, test), in column order.
    drift_share : float
        The share of drifted feature columns from which the dataset counts as drifted.
    target : list of ColumnResult, default []
        The results of the target column(s).
    prediction : list of ColumnResult, default []
        The results of the prediction column(s).
    correction : str or None, default None
        The multiple-testing correction applied to the report's p-values.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "score": rng.normal(size=500)}
    >>> current = {"age": rng.normal(45, 10, 500), "score": rng.normal(size=500)}
    >>> result = drift.report(reference, current, target="score")
    >>> result.n_columns, result.n_drifted, result["age"].test, result.target[0].role
    (1, 1, 'ks', 'target')
    >>> result.to_dict()["drifted_columns"]
    ['age']
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
        """The drifted feature columns, in column order."""
        return [r.column for r in self._primary() if r.drifted]

    @property
    def n_columns(self) -> int:
        """The number of feature columns checked."""
        return len(self._primary())

    @property
    def n_drifted(self) -> int:
        """The number of drifted feature columns."""
        return len(self.drifted_columns)

    @property
    def share_drifted(self) -> float:
        """The share of drifted feature columns (NaN when no feature column was checked)."""
        return self.n_drifted / self.n_columns if self.n_columns else math.nan

    @property
    def dataset_drift(self) -> bool:
        """Whether ``share_drifted >= drift_share`` (Evidently's rule); False without feature columns."""
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
        """The results as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per (column, test), with the fields of
            [`ColumnResult`][assay.drift.ColumnResult] as columns; drifted columns first,
            then target, prediction and features in column order.
        """
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self._ordered()])

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-safe dict.

        Returns
        -------
        dict
            The summary (``dataset_drift``, ``share_drifted``, ``n_drifted``,
            ``n_columns``, ``drift_share``, ``correction``, ``drifted_columns``) and the
            results of ``columns``, ``target`` and ``prediction`` as dicts; NaN as None.
        """
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

    _kind = "DriftReport"
    _title = "assay drift report"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DriftReport:
        return cls(
            columns=[_column_result_from_dict(r) for r in data["columns"]],
            drift_share=float(data["drift_share"]),
            target=[_column_result_from_dict(r) for r in data["target"]],
            prediction=[_column_result_from_dict(r) for r in data["prediction"]],
            correction=data["correction"],
        )

    def _tiles(self) -> list[_report.Tile]:
        verdict = "failed" if self.dataset_drift else "passed"
        return [
            _report.Tile(
                "dataset drift", _report.Badge(verdict, "yes" if self.dataset_drift else "no"), verdict=verdict
            ),
            _report.Tile("feature columns", _report.Number(self.n_columns, format="count")),
            _report.Tile("drifted", _report.Number(self.n_drifted, format="count")),
            _report.Tile(
                "share drifted",
                _report.Number(self.share_drifted, format="percent", reason="no feature column"),
                detail=f"limit {self.drift_share:.0%}",
            ),
        ]

    def _sections(self) -> list[_report.Section]:
        note = f"p-values adjusted ({self.correction})." if self.correction else "p-values not adjusted."
        table = _results_table(self._ordered())
        return [_report.Section("Drift by column", [_report.Text(note), table], anchor="drift-columns")]

    def __repr__(self) -> str:
        return (
            f"<assay DriftReport: {self.n_drifted}/{self.n_columns} columns drifted, "
            f"dataset drift {self.dataset_drift}>"
        )


def _results_table(results: Sequence[ColumnResult], extra: Sequence[tuple[str, Sequence[Any]]] = ()) -> _report.Table:
    columns = [name for name, _ in extra] + [
        "column",
        "role",
        "test",
        "score",
        "threshold",
        "drifted",
        "method",
        "note",
    ]
    rows: list[list[_report.Cell]] = []
    for i, r in enumerate(results):
        flag = _report.Badge("failed", "drift") if r.drifted else "no"
        score = _report.Number(r.score, reason=r.note or None)
        row: list[_report.Cell] = [str(values[i]) for _, values in extra]
        rows.append(row + [r.column, r.role, r.test, score, r.threshold, flag, r.method, r.note])
    return _report.Table(columns, rows)


def _column_result_from_dict(data: dict[str, Any]) -> ColumnResult:
    """A ColumnResult from its ``to_dict`` form (null numbers back to NaN)."""
    numbers = {"statistic", "pvalue", "pvalue_adjusted", "score", "threshold"}
    fields: dict[str, Any] = {k: nan_if_none(v) if k in numbers else v for k, v in data.items()}
    return ColumnResult(**fields)


def _role_columns(value: Any, argument: str) -> list[str]:
    if value is None:
        return []
    return _column_list(value, argument)


def report(
    reference: TableLike,
    current: TableLike,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    *,
    target: str | Sequence[str] | None = None,
    prediction: str | Sequence[str] | None = None,
    drift_share: float = 0.5,
    correction: str | None = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DriftReport:
    """Checks every column of ``current`` against ``reference`` for drift.

    Missing values (NaN, None) and infinities are dropped per column and counted; a column
    with no values left gets a NaN score and a note, and is not flagged. ``'auto'`` picks
    Evidently's default test from the reference column's size and number of distinct
    values (the drift guide has the table): ``z``, ``chisquare`` or ``ks`` up to 1,000
    reference values, ``jensenshannon`` or ``wasserstein`` above. Each numeric column is
    sorted once and every test reads the sorted copy.

    Parameters
    ----------
    reference : TableLike
        The reference table (e.g. training data), with at least one row.
    current : TableLike
        The current table; it needs every checked column, of the same kind (numeric or
        categorical) as in the reference.
    columns : Sequence[str], optional
        The feature columns to check; by default every reference column except
        ``target`` and ``prediction``.
    tests : str or Sequence[str] or Mapping, default 'auto'
        ``"auto"``, a key of [`TESTS`][assay.drift.TESTS], a list of keys (every test
        runs; the first decides whether the column counts as drifted), or a mapping of
        column name to any of those (columns not in it get ``"auto"``).
    thresholds : float or Mapping[str, float], optional
        A threshold for every test, or a mapping whose keys are column names or test keys
        (a column entry wins; a test entry also reaches columns whose test ``"auto"``
        picks). Thresholds are finite numbers >= 0, at most 1 where they are compared with
        a p-value; unset thresholds are the tests' defaults (Evidently's).
    target : str or Sequence[str], optional
        Target column(s): checked too but reported apart (``.target``), and not counted in
        the share of drifted columns.
    prediction : str or Sequence[str], optional
        Prediction column(s), reported apart (``.prediction``) like the target.
    drift_share : float, default 0.5
        The share of drifted feature columns, in [0, 1], from which the dataset counts as
        drifted (Evidently's rule).
    correction : str, optional
        ``"bonferroni"``, ``"holm"`` or ``"fdr_bh"`` adjusts the p-values of all the
        report's tests as one family, and p-value tests are then flagged by
        ``pvalue_adjusted`` < threshold; distances are not affected. None (the default,
        as Evidently) applies none.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DriftReport
        One [`ColumnResult`][assay.drift.ColumnResult] per (column, test), and the
        dataset verdict.

    Raises
    ------
    InvalidTypeError
        A table is not a table; a column is numeric in one table and categorical in the
        other, or a test does not apply to a column's kind; ``tests`` or ``thresholds``
        has the wrong type.
    InvalidInputError
        The reference has no rows; a column is missing from a table, listed twice, or
        named both as target and as prediction; a test key is unknown; a threshold is out
        of range; ``drift_share`` is outside [0, 1] or ``correction`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> current = {"age": rng.normal(45, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
    >>> result = drift.report(reference, current)
    >>> [(r.column, r.test, r.drifted) for r in result.columns]
    [('age', 'ks', True), ('plan', 'z', False)]
    >>> result.share_drifted, result.dataset_drift
    (0.5, True)

    Several tests, a threshold for one of them, and a correction of the p-values:

    >>> result = drift.report(
    ...     reference, current, tests={"age": ["ks", "wasserstein"], "plan": "psi"},
    ...     thresholds={"wasserstein": 0.2}, correction="holm",
    ... )
    >>> [(r.column, r.test, r.threshold, r.drifted) for r in result.columns]
    [('age', 'ks', 0.05, True), ('age', 'wasserstein', 0.2, True), ('plan', 'psi', 0.1, False)]
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
class DriftOverTime(Exportable):
    """Drift statistics per chunk of the current data, the result of [`over_time`][assay.drift.over_time].

    The fields are also the attributes; in a notebook the result shows as an HTML table.

    Parameters
    ----------
    chunks : list of dict
        One dict per chunk: ``chunk`` (its index), ``label`` (the period, or the index),
        ``start`` and ``end`` (first and last time in seconds since the epoch; NaN without
        ``time``) and ``rows``.
    results : list of list of ColumnResult
        ``results[i]`` are the column results of chunk i.
    correction : str or None, default None
        The multiple-testing correction applied within each chunk (None: none).
    """

    chunks: list[dict[str, Any]]
    results: list[list[ColumnResult]]
    correction: str | None = None

    def to_frame(self) -> Any:
        """The results as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per (chunk, column, test): ``chunk``, ``label``, ``start``, ``end``
            and the fields of [`ColumnResult`][assay.drift.ColumnResult].
        """
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
        """The results as a JSON-safe dict.

        Returns
        -------
        dict
            ``correction`` and ``chunks``: each chunk's dict with its column results
            under ``columns``; NaN as None.
        """
        return json_safe(
            {
                "correction": self.correction,
                "chunks": [{**c, "columns": [asdict(r) for r in rs]} for c, rs in zip(self.chunks, self.results)],
            }
        )

    def drift_counts(self) -> list[int]:
        """The number of drifted columns per chunk.

        Returns
        -------
        list of int
            For each chunk, the columns whose first test flags drift.
        """
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

    _kind = "DriftOverTime"
    _title = "assay drift over time"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DriftOverTime:
        chunks = [{k: v for k, v in c.items() if k != "columns"} for c in data["chunks"]]
        for chunk in chunks:
            chunk["start"], chunk["end"] = nan_if_none(chunk["start"]), nan_if_none(chunk["end"])
        results = [[_column_result_from_dict(r) for r in c["columns"]] for c in data["chunks"]]
        return cls(chunks=chunks, results=results, correction=data["correction"])

    def _sections(self) -> list[_report.Section]:
        labels = [str(c["label"]) for c in self.chunks]
        counts = _report.charts.line(labels, self.drift_counts(), title="Drifted columns per chunk", y_label="columns")
        flagged = [(c, r) for c, rs in zip(self.chunks, self.results) for r in rs]
        flagged.sort(key=lambda item: not item[1].drifted)
        table = _results_table([r for _, r in flagged], [("chunk", [str(c["label"]) for c, _ in flagged])])
        note = f"p-values adjusted per chunk ({self.correction})." if self.correction else "p-values not adjusted."
        return [_report.Section("Drift over time", [_report.Text(note), counts, table], anchor="drift-over-time")]

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


MAX_OVER_TIME_RESULTS = 10_000_000
"""Most (chunk, column, test) results [`over_time`][assay.drift.over_time] makes in one call."""


def over_time(
    reference: TableLike,
    current: TableLike,
    *,
    time: str | ArrayLike | None = None,
    freq: str | None = None,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    columns: Sequence[str] | None = None,
    tests: str | Sequence[str] | Mapping[str, str | Sequence[str]] = "auto",
    thresholds: float | Mapping[str, float] | None = None,
    correction: str | None = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DriftOverTime:
    """Drift of every column per chunk of ``current``, for monitoring.

    Chunks are calendar periods of ``time`` with ``freq``, consecutive runs of
    ``chunk_size`` rows, or ``n_chunks`` equal parts (default 10, NannyML's default); rows
    are taken in ``time`` order when it is given. Give at most one of ``freq``,
    ``chunk_size`` and ``n_chunks``. ``'auto'`` picks one test per column from the
    reference alone, so every chunk of a column uses the same test.

    Parameters
    ----------
    reference : TableLike
        The reference table, with at least one row.
    current : TableLike
        The current table, with at least one row and every checked column.
    time : str or ArrayLike, optional
        A column name of ``current`` (then not checked for drift) or an array with one
        value per current row: numbers or datetimes, without missing or infinite values.
    freq : str, optional
        A pandas period alias such as ``"D"``, ``"W"`` or ``"M"``: one chunk per calendar
        period of ``time`` (needs ``time`` and pandas).
    chunk_size : int, optional
        Rows per chunk (the last chunk may be smaller).
    n_chunks : int, optional
        The number of (nearly) equal chunks; 10 when none of ``freq``, ``chunk_size``
        and ``n_chunks`` is given.
    columns : Sequence[str], optional
        The columns to check; by default every reference column (but ``time``).
    tests : str or Sequence[str] or Mapping, default 'auto'
        As in [`report`][assay.drift.report].
    thresholds : float or Mapping[str, float], optional
        As in [`report`][assay.drift.report].
    correction : str, optional
        As in [`report`][assay.drift.report], applied to each chunk's tests as one family
        (the chunk's own report).
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DriftOverTime
        The chunks and the column results of each.

    Raises
    ------
    InvalidTypeError
        As in [`report`][assay.drift.report]; also ``time`` holding strings, or ``freq``
        not a string.
    InvalidInputError
        As in [`report`][assay.drift.report]; also more than one of ``freq``,
        ``chunk_size`` and ``n_chunks``, ``freq`` without ``time`` or not a period alias,
        a ``time`` column absent, of the wrong length or with missing values, a chunk
        count or size that is not a positive integer, or no current rows.
    ResourceLimitError
        The chunks would make more than
        [`MAX_OVER_TIME_RESULTS`][assay.drift.MAX_OVER_TIME_RESULTS] results.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 500)}
    >>> current = {"age": np.concatenate([rng.normal(40, 10, 300), rng.normal(55, 10, 300)])}
    >>> drift.over_time(reference, current, n_chunks=3).drift_counts()
    [0, 1, 1]
    >>> days = np.arange("2024-01-01", "2024-01-07", dtype="datetime64[D]").repeat(100)
    >>> result = drift.over_time(reference, current, time=days, freq="D", tests="ks")
    >>> [(chunk["label"], count) for chunk, count in zip(result.chunks, result.drift_counts())]
    [('2024-01-01', 0), ('2024-01-02', 0), ('2024-01-03', 0), ('2024-01-04', 1), ('2024-01-05', 1), ('2024-01-06', 1)]
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
    """The result of [`mmd`][assay.drift.mmd], a kernel two-sample test.

    Unpacks as ``statistic, pvalue``. The fields are also the attributes.

    Parameters
    ----------
    statistic : float
        The unbiased estimate of MMD^2.
    pvalue : float
        The permutation p-value (1 + #{permuted >= observed}) / (1 + n_permutations).
    bandwidth : float
        The RBF kernel's bandwidth used (the median heuristic's, unless given).
    n_permutations : int
        The number of permutations.
    permuted : numpy.ndarray
        The statistic of each permutation.
    """

    statistic: float
    pvalue: float
    bandwidth: float
    n_permutations: int
    permuted: np.ndarray = field(repr=False)

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            ``statistic``, ``pvalue``, ``bandwidth`` and ``n_permutations`` (not the
            permuted statistics); NaN as None.
        """
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


MAX_MMD_CELLS = 2**30
"""Largest permutation matrix [`mmd`][assay.drift.mmd] builds: (rows of both samples) x
(n_permutations + 1) doubles."""


def mmd(
    reference: TableLike,
    current: TableLike,
    *,
    columns: Sequence[str] | None = None,
    n_permutations: int = 100,
    bandwidth: float | None = None,
    seed: int = 0,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> MMDResult:
    """Maximum mean discrepancy with an RBF kernel and a permutation p-value.

    The kernel is exp(-||a - b||^2 / (2 bandwidth^2)); by default the bandwidth comes
    from the median heuristic (half the median squared distance between reference and
    current rows, as alibi-detect). Permutation p of the pooled rows is drawn from
    CounterRng(seed, p), so results are the same for every ``n_jobs``.

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    n_permutations : int, default 100
        Permutations of the pooled rows for the p-value, a positive integer.
    bandwidth : float, optional
        The kernel's bandwidth, a finite number > 0; by default the median heuristic.
    seed : int, default 0
        Seed of the permutations: a non-negative integer below 2**64.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    MMDResult
        The statistic, the p-value and the bandwidth used.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``n_permutations``,
        ``bandwidth`` or ``seed`` is out of range (InvalidTypeError when not a number).
    ResourceLimitError
        The permutation matrix would have more than
        [`MAX_MMD_CELLS`][assay.drift.MAX_MMD_CELLS] cells.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = rng.normal(size=(300, 2))
    >>> current = rng.normal(size=(300, 2)) + [0.5, 0.0]
    >>> result = drift.mmd(reference, current, n_permutations=200, seed=1)
    >>> round(result.statistic, 3), round(result.pvalue, 4)
    (0.029, 0.005)
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
class ReconstructionDrift(Exportable):
    """PCA reconstruction error per chunk (NannyML's data-reconstruction drift).

    The result of [`pca_reconstruction`][assay.drift.pca_reconstruction]. A current chunk
    whose error leaves the band [``lower``, ``upper``] raises an alert. The fields are also
    the attributes.

    Parameters
    ----------
    chunks : list of dict
        One dict per current chunk: ``chunk`` (its index), ``label`` and ``rows``.
    errors : numpy.ndarray
        The mean reconstruction error of each current chunk.
    reference_errors : numpy.ndarray
        The errors of the reference chunks, which set the band.
    lower : float
        Mean minus ``sigma`` standard deviations of ``reference_errors``.
    upper : float
        Mean plus ``sigma`` standard deviations of ``reference_errors``.
    n_components : int
        The principal components kept.
    explained_variance : float
        The share of the reference's variance they explain.
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
        """Per current chunk, whether its error leaves the band (a bool array)."""
        return (self.errors < self.lower) | (self.errors > self.upper)

    def to_frame(self) -> Any:
        """The chunks as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per current chunk: ``chunk``, ``label``, ``rows``, ``error``,
            ``lower``, ``upper`` and ``alert``.
        """
        import pandas as pd

        frame = pd.DataFrame(self.chunks)
        frame["error"] = self.errors
        frame["lower"], frame["upper"], frame["alert"] = self.lower, self.upper, self.alerts
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            The fields and ``alerts``, arrays as lists; NaN as None.
        """
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

    _kind = "ReconstructionDrift"
    _title = "assay PCA reconstruction drift"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> ReconstructionDrift:
        return cls(
            chunks=data["chunks"],
            errors=np.array([nan_if_none(e) for e in data["errors"]]),
            reference_errors=np.array([nan_if_none(e) for e in data["reference_errors"]]),
            lower=nan_if_none(data["lower"]),
            upper=nan_if_none(data["upper"]),
            n_components=int(data["n_components"]),
            explained_variance=nan_if_none(data["explained_variance"]),
        )

    def _sections(self) -> list[_report.Section]:
        labels = [str(c["label"]) for c in self.chunks]
        n = len(labels)
        chart = _report.charts.line(
            labels,
            self.errors,
            title="Reconstruction error per chunk",
            lower=[self.lower] * n,
            upper=[self.upper] * n,
            y_label="mean error",
            band_label="reference band",
        )
        rows: list[list[_report.Cell]] = [
            [label, float(e), _report.Badge("failed", "alert") if a else "no"]
            for label, e, a in zip(labels, self.errors, self.alerts)
        ]
        facts = _report.Text(
            f"{self.n_components} components explain {self.explained_variance:.1%} of the reference's variance; "
            f"band [{_report.format_number(self.lower)}, {_report.format_number(self.upper)}]."
        )
        table = _report.Table(["chunk", "error", "alert"], rows)
        return [_report.Section("PCA reconstruction drift", [facts, chart, table], anchor="reconstruction")]


def pca_reconstruction(
    reference: TableLike,
    current: TableLike,
    *,
    columns: Sequence[str] | None = None,
    variance: float = 0.65,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    time: str | ArrayLike | None = None,
    freq: str | None = None,
    sigma: float = 3.0,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> ReconstructionDrift:
    """Fits a PCA on ``reference`` and reports the mean reconstruction error per chunk.

    Columns are standardised with reference statistics; the fewest components
    explaining more than ``variance`` (NannyML's 0.65) are kept. Current rows are
    chunked as in [`over_time`][assay.drift.over_time]; the reference is cut into chunks
    the same way (``chunk_size`` or ``n_chunks``; 10 by default) to set the alert band
    mean +/- ``sigma`` standard deviations of the reference chunk errors. The error grows
    when the correlations between columns change, even if no column drifts alone.

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    variance : float, default 0.65
        The share of variance, in (0, 1], that the kept components must exceed.
    chunk_size : int, optional
        Rows per chunk.
    n_chunks : int, optional
        The number of (nearly) equal chunks; 10 when neither ``chunk_size`` nor ``freq``
        is given.
    time : str or ArrayLike, optional
        A column name of ``current`` (then not compared) or an array with one value per
        current row, to order the current rows and to chunk them with ``freq``.
    freq : str, optional
        A pandas period alias such as ``"D"``: one current chunk per period of ``time``.
    sigma : float, default 3.0
        The band's half-width in standard deviations, a finite number >= 0.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        As in [`report`][assay.drift.report]; the fit asks it after every block of rows,
        so Ctrl-C stops it promptly.

    Returns
    -------
    ReconstructionDrift
        The error of every current chunk, the reference band and the alerts.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``variance`` or ``sigma``
        is out of range, or the chunking options are invalid (as in
        [`over_time`][assay.drift.over_time]).

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(1000, 1))
    >>> reference = np.hstack([z, z + 0.1 * rng.normal(size=(1000, 1))])  # two correlated columns
    >>> current = rng.normal(size=(400, 2))  # the correlation is gone
    >>> result = drift.pca_reconstruction(reference, current, n_chunks=4)
    >>> result.n_components, result.alerts.tolist()
    (1, [True, True, True, True])
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

    The result of [`domain_classifier`][assay.drift.domain_classifier]. The fields are
    also the attributes.

    Parameters
    ----------
    auc : float
        The out-of-fold ROC AUC; near 0.5 when the samples look alike.
    lower : float
        Lower end of the 95% interval of the AUC (Hanley & McNeil standard error).
    upper : float
        Upper end of that interval.
    fold_auc : list of float
        The AUC of each fold.
    threshold : float
        The AUC above which the interval must lie for drift.
    scores : numpy.ndarray
        The out-of-fold P(current) of every row, reference rows first.
    folds : numpy.ndarray
        The fold of every row, in the same order.
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
        """Whether the AUC's interval lies above ``threshold``."""
        return bool(self.lower > self.threshold)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            ``auc``, ``lower``, ``upper``, ``fold_auc``, ``threshold`` and ``drifted`` (not
            the scores and folds); NaN as None.
        """
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


MAX_TREES = 100_000
"""Largest ``n_trees`` of the boosted [`domain_classifier`][assay.drift.domain_classifier]."""

MAX_DEPTH = 64
"""Largest ``max_depth`` of the boosted [`domain_classifier`][assay.drift.domain_classifier]."""


def _positive_int(value: Any, argument: str, limit: int) -> int:
    number = _count_arg(value, argument)
    if number > limit:
        raise InvalidInputError(f"{argument} is {number}, above the limit of {limit}")
    return number


def domain_classifier(
    reference: TableLike,
    current: TableLike,
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
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DomainClassifierResult:
    """Domain-classifier drift: cross-validated AUC of a model telling current rows from reference rows.

    The model is trained in C++. ``classifier='logistic'``: L2-regularised logistic
    regression on standardised columns (Eigen). ``classifier='gbt'``: gradient-boosted
    trees on the log-loss (histogram splits on at most 255 bins per column, at least 20
    rows per leaf), which also catches non-linear shifts such as a change of variance.
    Drift is flagged when the lower end of the AUC interval exceeds ``threshold``
    (Evidently's 0.55 for its absolute domain-classifier test).

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    classifier : str, default 'logistic'
        ``"logistic"`` or ``"gbt"``.
    n_folds : int, default 5
        Stratified folds of the cross-validation (NannyML uses 5), an integer >= 2; each
        sample needs at least that many rows.
    l2 : float, default 1.0
        L2 penalty, a finite number >= 0: 1/C of scikit-learn's LogisticRegression for
        ``"logistic"``, the penalty on the leaf values for ``"gbt"``.
    n_trees : int, default 100
        Trees of ``"gbt"``, at most [`MAX_TREES`][assay.drift.MAX_TREES].
    max_depth : int, default 3
        Depth limit of each tree of ``"gbt"``, at most [`MAX_DEPTH`][assay.drift.MAX_DEPTH].
    learning_rate : float, default 0.1
        Shrinkage of ``"gbt"``, a finite number > 0.
    threshold : float, default 0.55
        The AUC, in [0, 1], that the interval's lower end must exceed for drift.
    seed : int, default 0
        Seed of the fold assignment: a non-negative integer below 2**64.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DomainClassifierResult
        The AUC, its interval, the verdict and the out-of-fold scores.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``classifier`` is
        unknown; a sample has fewer rows than ``n_folds``; a numeric option is out of range
        (InvalidTypeError when not a number).

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = rng.normal(size=(300, 2))
    >>> current = rng.normal(size=(300, 2)) + [0.5, 0.0]
    >>> result = drift.domain_classifier(reference, current, seed=1)
    >>> round(result.auc, 2), result.drifted
    (0.64, True)
    >>> drift.domain_classifier(reference, current, classifier="gbt", n_trees=20, seed=1).drifted
    True
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
