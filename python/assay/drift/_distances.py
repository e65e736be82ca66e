"""Distances between two samples (Wasserstein, energy, Evidently's normalised Wasserstein)
and between two discrete distributions given as counts or weights (PSI, Kullback-Leibler,
Jensen-Shannon, Hellinger, total variation)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._core import drift as _core_drift
from .._inputs import as_sample, real_arg
from ..errors import InvalidInputError
from ..typing import ArrayLike
from ..warnings import UndefinedDistanceWarning
from ._inputs import as_counts, as_weights


def _cdf_distance(u_values: Any, v_values: Any, u_weights: Any, v_weights: Any, p: int) -> float:
    u, v = as_sample(u_values, "u_values", infinities=True), as_sample(v_values, "v_values", infinities=True)
    uw, vw = as_weights(u_weights, u.size, "u_weights"), as_weights(v_weights, v.size, "v_weights")
    if (uw is None) != (vw is None):  # one side weighted: the other has unit weights
        uw = np.ones(u.size) if uw is None else uw
        vw = np.ones(v.size) if vw is None else vw
    try:
        distance = float(_core_drift.cdf_distance(u, v, uw, vw, p))
    except InvalidInputError as error:  # the core names x_weights / y_weights
        message = str(error).replace("x_weights", "u_weights").replace("y_weights", "v_weights")
        raise InvalidInputError(message) from None
    if math.isnan(distance):
        warnings.warn(
            "invalid value: the distance is undefined (NaN): an infinity occurs twice among the values of "
            "u_values and v_values (inf - inf), or has weight 0",
            UndefinedDistanceWarning,
            stacklevel=3,
        )
    return distance


def wasserstein_distance(
    u_values: ArrayLike, v_values: ArrayLike, u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None
) -> float:
    """First Wasserstein distance between two (weighted) samples (as ``scipy.stats.wasserstein_distance``).

    W1 is the area between the two distribution functions, in data units.

    Parameters
    ----------
    u_values, v_values : ArrayLike
        The two samples: 1-D arrays of real numbers without NaN. With -inf or +inf the
        distance is inf, or NaN (undefined, as in scipy) when the same infinity occurs
        twice in the pooled values or has weight 0.
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
        The two samples: 1-D arrays of real numbers without NaN. With -inf or +inf the
        distance is inf, or NaN (undefined, as in scipy) when the same infinity occurs
        twice in the pooled values or has weight 0.
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
    return float(_core_drift.normalized_wasserstein(as_sample(reference, "reference"), as_sample(current, "current")))


def _distance(distance: Callable[[np.ndarray, np.ndarray], float], p: Any, q: Any) -> float:
    """Every distance on weight vectors reads p and q through here; the core checks the
    values (finite, >= 0, not all zero, same length) and normalises them to sum 1."""
    return float(distance(as_counts(p, "p", 1), as_counts(q, "q", 1)))


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


def _base(base: Any) -> float | None:
    if base is None:
        return None
    return real_arg(base, "base")  # the core checks that it is finite, positive and not 1


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float:
    """Kullback-Leibler divergence KL(p || q) (as ``scipy.stats.entropy(p, q, base=base)``).

    p and q are normalised to sum 1 first.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.
    base : float, optional
        The logarithm's base (2: bits); natural logarithm (nats) by default.

    Returns
    -------
    float
        The divergence, >= 0 (inf when q is zero where p is not).

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers, or ``base`` is not a number.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, the two have different lengths, or ``base`` is not a finite positive
        number other than 1.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.kl_divergence([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0101
    >>> drift.kl_divergence([2, 3, 5], [1, 1, 2]) == drift.kl_divergence([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    >>> round(drift.kl_divergence([0.2, 0.3, 0.5], [0.25, 0.25, 0.5], base=2), 4)
    0.0145
    """
    divisor = _base(base)
    return _distance(lambda a, b: _core_drift.kl_divergence(a, b, divisor), p, q)


def entropy(pk: ArrayLike, qk: ArrayLike | None = None, base: float | None = None) -> float:
    """Shannon entropy of pk, or KL(pk || qk) when qk is given (as ``scipy.stats.entropy``).

    pk (and qk) are normalised to sum 1 first.

    Parameters
    ----------
    pk : ArrayLike
        A 1-D vector of counts or weights: finite, >= 0, not all zero.
    qk : ArrayLike, optional
        A second vector over the same bins: then the result is
        [`kl_divergence`][assay.drift.kl_divergence] (pk, qk).
    base : float, optional
        The logarithm's base (2: bits); natural logarithm (nats) by default.

    Returns
    -------
    float
        The entropy (or divergence), >= 0.

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers, or ``base`` is not a number.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, the two have different lengths, or ``base`` is not a finite positive
        number other than 1.

    Examples
    --------
    >>> from assay import drift
    >>> drift.entropy([1, 1, 1, 1], base=2)
    2.0
    """
    if qk is not None:
        return kl_divergence(pk, qk, base)
    try:
        return float(_core_drift.shannon_entropy(as_counts(pk, "pk", 1), _base(base)))
    except InvalidInputError as error:  # the core names the vector p
        message = str(error)
        raise InvalidInputError("pk" + message[1:] if message.startswith("p ") else message) from None


def jensenshannon(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float:
    """Jensen-Shannon distance (as ``scipy.spatial.distance.jensenshannon``).

    The square root of the Jensen-Shannon divergence; p and q are normalised to sum 1 first.

    Parameters
    ----------
    p, q : ArrayLike
        Two 1-D vectors of counts or weights over the same bins: finite, >= 0, not all
        zero; each is normalised to sum 1.
    base : float, optional
        The logarithm's base of the divergence (2 gives a distance in [0, 1]); natural
        logarithm by default.

    Returns
    -------
    float
        The distance, in [0, sqrt(ln 2)] (in [0, sqrt(log_base 2)] with ``base``).

    Raises
    ------
    InvalidTypeError
        A vector is not an array of real numbers, or ``base`` is not a number.
    InvalidInputError
        A vector is not a non-empty 1-D array, holds a negative or non-finite value or is
        all zeros, the two have different lengths, or ``base`` is not a finite positive
        number other than 1.

    Examples
    --------
    >>> from assay import drift
    >>> round(drift.jensenshannon([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), 4)
    0.0503
    >>> drift.jensenshannon([2, 3, 5], [1, 1, 2]) == drift.jensenshannon([0.2, 0.3, 0.5], [0.25, 0.25, 0.5])
    True
    >>> drift.jensenshannon([1.0, 0.0], [0.0, 1.0], base=2)
    1.0
    """
    divisor = _base(base)
    return _distance(lambda a, b: _core_drift.jensenshannon(a, b, divisor), p, q)


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
