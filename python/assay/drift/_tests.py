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
from .._inputs import as_sample, real_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike
from ._inputs import as_counts, flag_arg


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


@dataclass(frozen=True)
class KstestResult(TestResult):
    """Outcome of [`ks_2samp`][assay.drift.ks_2samp]: a [`TestResult`][assay.drift.TestResult]
    that also says where the statistic is reached, as scipy's ``KstestResult``.

    Unpacks as ``statistic, pvalue``.

    Parameters
    ----------
    statistic, pvalue, method, dof
        As [`TestResult`][assay.drift.TestResult].
    statistic_location : float, default nan
        The value at which the (signed) difference of the distribution functions is largest.
    statistic_sign : int, default 0
        +1 when the statistic is max(F1 - F2), -1 when it is max(F2 - F1).
    """

    __test__ = False

    statistic_location: float = math.nan
    statistic_sign: int = 0


@dataclass(frozen=True)
class AndersonKSampResult(TestResult):
    """Outcome of [`anderson_ksamp`][assay.drift.anderson_ksamp], as scipy's
    ``Anderson_ksampResult``: unpacks as ``statistic, critical_values, pvalue``.

    Parameters
    ----------
    statistic, pvalue, method, dof
        As [`TestResult`][assay.drift.TestResult].
    critical_values : tuple of float, default ()
        Critical values of the statistic at the significance levels 25%, 10%, 5%,
        2.5%, 1%, 0.5% and 0.1%.
    """

    __test__ = False

    critical_values: tuple[float, ...] = ()

    @property
    def significance_level(self) -> float:
        """The p-value, under scipy's older name."""
        return self.pvalue

    def __iter__(self) -> Iterator[Any]:
        return iter((self.statistic, np.array(self.critical_values), self.pvalue))


@dataclass(frozen=True)
class Chi2ContingencyResult(TestResult):
    """Outcome of [`chi2_contingency`][assay.drift.chi2_contingency], as scipy's
    ``Chi2ContingencyResult``: unpacks as ``statistic, pvalue, dof, expected_freq``.

    Parameters
    ----------
    statistic, pvalue, method, dof
        As [`TestResult`][assay.drift.TestResult].
    expected_freq : numpy.ndarray or None, default None
        The expected frequencies under independence (row total x column total / N), of
        the table's shape.
    """

    __test__ = False

    expected_freq: np.ndarray | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.statistic, self.pvalue, self.dof, self.expected_freq))


def _fields(values: tuple) -> dict[str, Any]:
    statistic, pvalue, method, dof = values
    return {
        "statistic": float(statistic),
        "pvalue": float(pvalue),
        "method": method,
        "dof": None if math.isnan(dof) else float(dof),
    }


def _result(values: tuple) -> TestResult:
    return TestResult(**_fields(values))


_ALTERNATIVES = {"two-sided": "two_sided", "less": "less", "greater": "greater"}


def _alternative(alternative: Any) -> _core_drift.Alternative:
    if not isinstance(alternative, str) or alternative not in _ALTERNATIVES:
        raise InvalidInputError(f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}")
    return _core_drift.Alternative[_ALTERNATIVES[alternative]]


def _method(method: Any) -> _core_drift.PMethod:
    if not isinstance(method, str) or method not in ("auto", "exact", "asymp", "asymptotic"):
        raise InvalidInputError(f"method must be 'auto', 'exact' or 'asymp', got {method!r}")
    return _core_drift.PMethod["asymptotic" if method == "asymp" else method]


def ks_2samp(data1: ArrayLike, data2: ArrayLike, alternative: str = "two-sided", method: str = "auto") -> KstestResult:
    """Two-sample Kolmogorov-Smirnov test (as ``scipy.stats.ks_2samp``).

    The statistic is D = max |F1 - F2| of the two empirical distribution functions
    (two-sided), max(F1 - F2) (``alternative='greater'``: the values of data1 tend to be
    smaller) or max(F2 - F1) (``'less'``).

    Parameters
    ----------
    data1, data2 : ArrayLike
        The two samples: 1-D arrays of real numbers without NaN; -inf and +inf rank
        first and last (as in scipy).
    alternative : str, default 'two-sided'
        ``"two-sided"``, ``"less"`` or ``"greater"``, with scipy's meaning.
    method : str, default 'auto'
        ``"exact"`` (Hodges' lattice-path count), ``"asymp"`` (two-sided: the finite-n
        Kolmogorov distribution at n = round(n1 n2 / (n1 + n2)); one-sided: Hodges'
        approximation) or ``"auto"``: exact when both samples have at most 10,000
        values, as scipy. An exact request too large to count falls back to asymp, and
        ``method`` of the result says so.

    Returns
    -------
    KstestResult
        D, the p-value, the method used, and where and with which sign D is reached.

    Raises
    ------
    InvalidTypeError
        A sample is not an array of real numbers (strings, complex numbers).
    InvalidInputError
        A sample is not 1-D, holds fewer than 1 value(s), or holds NaN or an infinity
        (the message names the argument and the position), ``method`` is not 'auto', 'exact'
        or 'asymp', or ``alternative`` is not one of the three.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.ks_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> result.statistic, round(result.pvalue, 4), result.method
    (0.5, 0.3571, 'exact')
    >>> result.statistic_location, result.statistic_sign
    (5.0, 1)
    >>> round(drift.ks_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "greater").pvalue, 4)
    0.1797
    """
    x, y = as_sample(data1, "data1", infinities=True), as_sample(data2, "data2", infinities=True)
    *values, location, sign = _core_drift.ks_2samp(x, y, _method(method), _alternative(alternative))
    return KstestResult(**_fields(tuple(values)), statistic_location=float(location), statistic_sign=int(sign))


def mannwhitneyu(
    x: ArrayLike, y: ArrayLike, use_continuity: bool = True, alternative: str = "two-sided", *, method: str = "auto"
) -> TestResult:
    """Mann-Whitney U test (as ``scipy.stats.mannwhitneyu``).

    The statistic is U of x, with average ranks for ties.

    Parameters
    ----------
    x, y : ArrayLike
        The two samples: 1-D arrays of real numbers without NaN; -inf and +inf rank
        first and last (as in scipy).
    use_continuity : bool, default True
        Apply the continuity correction (0.5) in the normal approximation.
    alternative : str, default 'two-sided'
        ``"two-sided"``, ``"less"`` (x tends to be smaller than y) or ``"greater"``.
    method : str, default 'auto'
        ``"exact"`` (the distribution of U, without ties), ``"asymp"`` (normal
        approximation with tie correction) or ``"auto"``: exact when there are no ties
        and the smaller sample has at most 8 values. Above n_x n_y = 10**6 the normal
        approximation is used and the result's ``method`` says so.

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
        (the message names the argument and the position), ``method`` is not 'auto', 'exact'
        or 'asymp', or ``alternative`` is not one of the three.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.mannwhitneyu([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    >>> result.statistic, round(result.pvalue, 4), result.method
    (4.5, 0.066, 'asymptotic')
    >>> x, y = [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    >>> round(drift.mannwhitneyu(x, y, alternative="less").pvalue, 4)
    0.033
    """
    continuity = flag_arg(use_continuity, "use_continuity")
    return _result(
        _core_drift.mannwhitneyu(
            as_sample(x, "x", infinities=True),
            as_sample(y, "y", infinities=True),
            _method(method),
            _alternative(alternative),
            continuity,
        )
    )


def cramervonmises_2samp(x: ArrayLike, y: ArrayLike, method: str = "auto") -> TestResult:
    """Two-sample Cramer-von Mises test (as ``scipy.stats.cramervonmises_2samp``).

    Parameters
    ----------
    x, y : ArrayLike
        The two samples: 1-D arrays of at least two real numbers each, without NaN
        (-inf and +inf rank first and last).
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
    return _result(
        _core_drift.cramervonmises_2samp(
            as_sample(x, "x", 2, infinities=True), as_sample(y, "y", 2, infinities=True), _method(method)
        )
    )


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


def anderson_ksamp(
    samples: Sequence[ArrayLike], midrank: bool = True, *, variant: str | None = None
) -> AndersonKSampResult:
    """k-sample Anderson-Darling test (as ``scipy.stats.anderson_ksamp``).

    The statistic is Scholz & Stephens' (1987) normalised A2akN (midrank variant, the
    default) or A2kN (right-continuous variant, for discrete data).

    Parameters
    ----------
    samples : Sequence[ArrayLike]
        Two or more samples, each a 1-D array of real numbers without NaN, -inf and +inf
        ranked first and last (or a 2-D array, one sample per row). The pooled samples
        need at least two distinct values.
    midrank : bool, default True
        The midrank variant (True) or the right-continuous one (False).
    variant : str, optional
        ``"midrank"`` or ``"right"``, scipy 1.17's name for the same choice; it
        overrides ``midrank`` when given.

    Returns
    -------
    AndersonKSampResult
        The statistic, the critical values and the p-value, which interpolates Scholz &
        Stephens' table and is capped to [0.001, 0.25] (``method`` is then "capped" or
        "floored", where scipy warns; else "interpolated").

    Raises
    ------
    InvalidTypeError
        ``samples`` is not a sequence of samples, or a sample is not an array of real
        numbers.
    InvalidInputError
        There are fewer than two samples, a sample is empty, not 1-D or holds NaN or an
        infinity (the message names it, e.g. ``samples[1]``), all values are equal, or
        ``variant`` is not 'midrank' or 'right'.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.anderson_ksamp([[1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]])
    >>> round(result.statistic, 3), round(result.pvalue, 3), result.method
    (2.054, 0.046, 'interpolated')
    >>> [round(v, 3) for v in result.critical_values[:3]]
    [0.325, 1.226, 1.961]
    """
    if variant is not None:
        if variant not in ("midrank", "right"):
            raise InvalidInputError(f"variant must be 'midrank' or 'right', got {variant!r}")
        midrank = variant == "midrank"
    if isinstance(samples, (str, bytes, Mapping)) or not isinstance(samples, (Sequence, np.ndarray)):
        raise InvalidTypeError(f"samples must be a sequence of samples, got {type(samples).__name__}")
    if isinstance(samples, np.ndarray) and samples.ndim < 2 or len(samples) < 2:
        raise InvalidInputError("samples must be a sequence of at least two samples")
    checked = [as_sample(s, f"samples[{i}]", infinities=True) for i, s in enumerate(samples)]
    values, critical = _core_drift.anderson_ksamp(checked, flag_arg(midrank, "midrank"))
    return AndersonKSampResult(**_fields(values), critical_values=tuple(float(v) for v in critical))


def chi2_contingency(
    observed: ArrayLike, correction: bool = True, lambda_: str | float | None = None
) -> Chi2ContingencyResult:
    """Chi-square test of independence on a table of counts (as ``scipy.stats.chi2_contingency``).

    Expected counts are row total x column total / N. Counts must be finite and >= 0 (they
    need not be whole, as in scipy); a table without degrees of freedom gives statistic 0
    and p = 1.

    Parameters
    ----------
    observed : ArrayLike
        A non-empty 2-D table of counts (a 1-D one is one row: statistic 0, p = 1).
    correction : bool, default True
        Apply Yates' continuity correction when there is one degree of freedom.
    lambda_ : str or float, optional
        The Cressie-Read power-divergence exponent, as ``scipy.stats.power_divergence``:
        a number or one of its names (None or ``"pearson"`` for Pearson's statistic,
        ``"log-likelihood"`` for the G-test, ``"freeman-tukey"``,
        ``"mod-log-likelihood"``, ``"neyman"``, ``"cressie-read"``).

    Returns
    -------
    Chi2ContingencyResult
        The statistic, the p-value (chi-square tail), ``dof`` and the expected
        frequencies; ``method`` is "pearson", "g-test" or "power-divergence".

    Raises
    ------
    InvalidTypeError
        ``observed`` is not an array of real numbers, or ``correction`` is not a bool.
    InvalidInputError
        ``observed`` is not a non-empty 1-D or 2-D table, holds a negative or non-finite count, or
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
    >>> statistic, pvalue, dof, expected = drift.chi2_contingency([[10, 20], [30, 40]])
    >>> expected.tolist()
    [[12.0, 18.0], [28.0, 42.0]]
    """
    if np.ndim(observed) == 1:  # one row (scipy accepts it): no degrees of freedom
        table = as_counts(observed, "observed", 1).reshape(1, -1)
    else:
        table = as_counts(observed, "observed", 2)
    values, expected = _core_drift.chi2_contingency(table, flag_arg(correction, "correction"), _lambda(lambda_))
    return Chi2ContingencyResult(**_fields(values), expected_freq=expected.reshape(np.shape(observed)))


# Cressie & Read's exponents under scipy.stats.power_divergence's names.
_LAMBDAS = {
    "pearson": 1.0,
    "log-likelihood": 0.0,
    "freeman-tukey": -0.5,
    "mod-log-likelihood": -1.0,
    "neyman": -2.0,
    "cressie-read": 2.0 / 3.0,
}


def _lambda(lambda_: Any) -> float:
    """The power-divergence exponent of ``lambda_`` (None, a name or a finite number)."""
    if lambda_ is None:
        return 1.0
    if isinstance(lambda_, str):
        if lambda_ not in _LAMBDAS:
            raise InvalidInputError(f"lambda_ must be a number or one of {sorted(_LAMBDAS)}, got {lambda_!r}")
        return _LAMBDAS[lambda_]
    value = real_arg(lambda_, "lambda_")
    if not math.isfinite(value):
        raise InvalidInputError(f"lambda_ must be a finite number, got {lambda_!r}")
    return value


def _goodness_of_fit(f_obs: Any, f_exp: Any, ddof: Any, lambda_: Any) -> TestResult:
    observed = as_counts(f_obs, "f_obs", 1)
    if f_exp is None:
        expected = np.ones_like(observed)
    elif np.ndim(f_exp) == 0:  # a number, or a 0-d array
        number = f_exp.item() if isinstance(f_exp, np.ndarray) else f_exp
        expected = np.full_like(observed, real_arg(number, "f_exp"))
    else:
        expected = as_counts(f_exp, "f_exp", 1)
    if observed.shape != expected.shape:
        raise InvalidInputError(f"f_obs and f_exp must have the same length, got {observed.size} and {expected.size}")
    return _result(_core_drift.chisquare(expected, observed, _lambda(lambda_), real_arg(ddof, "ddof")))


def chisquare(
    f_obs: ArrayLike, f_exp: ArrayLike | float | None = None, ddof: float = 0, *, lambda_: str | float | None = None
) -> TestResult:
    """Goodness of fit of observed counts to expected counts rescaled to the same total.

    With equal totals this is ``scipy.stats.chisquare`` (``power_divergence`` for another
    ``lambda_``); rescaling is what Evidently's ``chisquare`` test does with reference
    counts (scipy raises instead when the totals differ). An observed category with zero
    expectation gives inf, p = 0.

    Parameters
    ----------
    f_obs : ArrayLike
        Observed counts per category: finite, >= 0, with a positive total.
    f_exp : ArrayLike or float, optional
        Expected counts (or reference counts) of the same categories, finite, >= 0, with a
        positive total; rescaled to the total of ``f_obs``. A number is the same count
        for every category; None (the default) means equally likely categories.
    ddof : float, default 0
        Degrees of freedom taken off the k - 1 of the chi-square tail (scipy's ``ddof``);
        the p-value is NaN when none are left.
    lambda_ : str or float, optional
        The power-divergence exponent, as in
        [`chi2_contingency`][assay.drift.chi2_contingency] (Pearson's by default).

    Returns
    -------
    TestResult
        The statistic, the p-value (chi-square tail with k - 1 - ddof degrees of freedom)
        and ``dof``.

    Raises
    ------
    InvalidTypeError
        A table is not an array of real numbers, or ``ddof`` is not a number.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite count or
        sums to 0; the two have different lengths; ``lambda_`` is unknown.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.chisquare([18, 22, 20], [1, 1, 1])
    >>> round(result.statistic, 4), round(result.pvalue, 4), result.dof
    (0.4, 0.8187, 2.0)
    >>> drift.chisquare([18, 22, 20]) == result
    True
    >>> round(drift.chisquare([18, 22, 20], ddof=1).pvalue, 4)
    0.5271
    """
    return _goodness_of_fit(f_obs, f_exp, ddof, lambda_)


def power_divergence(
    f_obs: ArrayLike, f_exp: ArrayLike | float | None = None, ddof: float = 0, *, lambda_: str | float | None = None
) -> TestResult:
    """Cressie-Read power-divergence goodness-of-fit test (as ``scipy.stats.power_divergence``).

    The statistic is 2 / (l (l + 1)) sum f_obs ((f_obs / f_exp)^l - 1) for l = ``lambda_``
    (Cressie & Read 1984), with its limits at l = 0 (the G-test) and l = -1; expected
    counts are rescaled to the observed total as in [`chisquare`][assay.drift.chisquare].

    Parameters
    ----------
    f_obs : ArrayLike
        Observed counts per category: finite, >= 0, with a positive total.
    f_exp : ArrayLike or float, optional
        Expected counts, as in [`chisquare`][assay.drift.chisquare].
    ddof : float, default 0
        Degrees of freedom taken off the k - 1 of the chi-square tail.
    lambda_ : str or float, optional
        A number or one of scipy's names: None or ``"pearson"`` (1),
        ``"log-likelihood"`` (0), ``"freeman-tukey"`` (-1/2), ``"mod-log-likelihood"``
        (-1), ``"neyman"`` (-2), ``"cressie-read"`` (2/3).

    Returns
    -------
    TestResult
        The statistic, the p-value and ``dof``.

    Raises
    ------
    InvalidTypeError
        A table is not an array of real numbers, or ``ddof`` or ``lambda_`` is not a number.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite count or
        sums to 0; the two have different lengths; ``lambda_`` is an unknown name or not
        finite.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.power_divergence([16, 18, 16, 14, 12, 12], lambda_="log-likelihood")
    >>> round(result.statistic, 4), round(result.pvalue, 4)
    (2.0066, 0.8482)
    """
    return _goodness_of_fit(f_obs, f_exp, ddof, lambda_)


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


def fisher_exact(table: ArrayLike, alternative: str = "two-sided") -> TestResult:
    """Fisher's exact test on a 2x2 table (as ``scipy.stats.fisher_exact``).

    The two-sided p-value sums the hypergeometric probabilities of the tables at most as
    likely as the observed one; ``"less"`` is P(A <= a) and ``"greater"`` P(A >= a) for
    the top-left cell. Time grows with the standard deviation of the table's
    hypergeometric law, memory is constant; an empty row or column gives NaN and p = 1.

    Parameters
    ----------
    table : ArrayLike
        A 2x2 table of whole, finite counts >= 0 with a total of at most 2**53.
    alternative : str, default 'two-sided'
        ``"two-sided"``, ``"less"`` (odds ratio below 1) or ``"greater"``.

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
        2**53 (the message names the cell), or the total is above 2**53, or
        ``alternative`` is not one of the three.

    Examples
    --------
    >>> from assay import drift
    >>> result = drift.fisher_exact([[8, 2], [1, 5]])
    >>> result.statistic, round(result.pvalue, 4)
    (20.0, 0.035)
    >>> round(drift.fisher_exact([[8, 2], [1, 5]], alternative="greater").pvalue, 4)
    0.0245
    """
    side = _alternative(alternative)
    array = as_counts(table, "table", 2)
    if array.shape != (2, 2):
        raise InvalidInputError(f"table must be 2x2, got shape {array.shape}")
    a, b, c, d = _whole_counts(array.ravel(), "table", ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"])
    if float(a + b + c + d) > _MAX_EXACT_COUNT:
        raise InvalidInputError(f"table: the total {a + b + c + d} is above 2**53; counts that large are not exact")
    return _result(_core_drift.fisher_exact(a, b, c, d, side))


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
