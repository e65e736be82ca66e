"""Two-sample tests on samples (Kolmogorov-Smirnov, Mann-Whitney, Cramer-von Mises,
Epps-Singleton, Anderson-Darling) and tests on counts (chi-square, Fisher's exact test, the
two-proportion z-test), with scipy's names and results."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._core import drift as _core_drift
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike
from ._inputs import as_counts, as_sample, flag_arg, real_arg


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


def _method(method: Any) -> _core_drift.PMethod:
    if not isinstance(method, str) or method not in ("auto", "exact", "asymp", "asymptotic"):
        raise InvalidInputError(f"method must be 'auto', 'exact' or 'asymp', got {method!r}")
    return _core_drift.PMethod["asymptotic" if method == "asymp" else method]


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
    return _result(_core_drift.ks_2samp(as_sample(data1, "data1"), as_sample(data2, "data2"), _method(method)))


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
    return _result(_core_drift.mannwhitneyu(as_sample(x, "x"), as_sample(y, "y"), _method(method)))


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
    return _result(_core_drift.cramervonmises_2samp(as_sample(x, "x", 2), as_sample(y, "y", 2), _method(method)))


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
    return _result(_core_drift.epps_singleton_2samp(as_sample(x, "x", 5), as_sample(y, "y", 5)))


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
    return _result(_core_drift.anderson_ksamp([as_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]))


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
    table = as_counts(observed, "observed", 2)
    return _result(_core_drift.chi2_contingency(table, flag_arg(correction, "correction"), _log_likelihood(lambda_)))


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
    observed, expected = as_counts(f_obs, "f_obs", 1), as_counts(f_exp, "f_exp", 1)
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
    array = as_counts(table, "table", 2)
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
    values = [real_arg(v, name) for v, name in arguments]
    return _result(_core_drift.two_proportion_z(*values))
