"""Analytic confidence intervals of proportions from counts: Wilson's score interval for
p, Newcombe's hybrid score interval for p1 - p2 and Katz's log interval for p1 / p2."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _core
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike
from ..warnings import UndefinedMetricWarning

_core_fair = _core.fairness


def z_value(confidence: float) -> float:
    """The normal quantile of a two-sided interval of the given confidence (1.96 for 0.95)."""
    if isinstance(confidence, bool) or not isinstance(confidence, (float, np.floating)) or not 0 < confidence < 1:
        raise InvalidInputError(f"confidence must be a float strictly between 0 and 1, got {confidence!r}")
    return float(_core_fair.normal_quantile(0.5 + float(confidence) / 2))


def _count_arrays(arguments: dict[str, Any]) -> list[np.ndarray]:
    """The counts as broadcast 1-D float64 arrays (a scalar becomes one value). Types
    are checked here; values (finite, whole, non-negative, successes <= trials) in C++,
    whose errors name the argument."""
    arrays = []
    for name, values in arguments.items():
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise InvalidTypeError(f"{name}: expected counts (numbers), got dtype {array.dtype}")
        if array.ndim > 1:
            raise InvalidInputError(f"{name}: expected a number or a 1-D array of counts, got shape {array.shape}")
        arrays.append(np.atleast_1d(array).astype(np.float64))
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError as error:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(arguments, arrays))
        raise InvalidInputError(f"counts of different lengths: {shapes}") from error
    return [np.ascontiguousarray(a) for a in broadcast]


def _warn_undefined(undefined: np.ndarray, what: str) -> None:
    if undefined.any():
        warnings.warn(f"{int(undefined.sum())} interval(s) are NaN: {what}", UndefinedMetricWarning, stacklevel=3)


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``successes / trials``.

    Counts are numbers or 1-D arrays, broadcast together. Where ``trials = 0`` the proportion is
    undefined: the bounds are NaN and an
    [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning] says so.

    Parameters
    ----------
    successes : ArrayLike
        Successes: finite non-negative whole numbers, at most ``trials``.
    trials : ArrayLike
        Trials: finite non-negative whole numbers.
    confidence : float, default 0.95
        The confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of numpy.ndarray
        The lower and upper bounds, one per broadcast count.

    Raises
    ------
    InvalidInputError
        A count that is negative, not whole or not finite, ``successes > trials``, counts
        of different lengths, or ``confidence`` outside (0, 1).
    InvalidTypeError
        Counts that are not numbers.

    Examples
    --------
    >>> from assay.fairness import wilson_interval
    >>> low, high = wilson_interval([30, 5], [100, 10])
    >>> low.round(4), high.round(4)
    (array([0.2189, 0.2366]), array([0.3958, 0.7634]))
    """
    z = z_value(confidence)
    x, n = _count_arrays({"successes": successes, "trials": trials})
    low, high = _core_fair.wilson(x, n, z)
    _warn_undefined(n == 0, "no trials (trials = 0), so the proportion is undefined")
    return low, high


def newcombe_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10) for a difference of proportions p1 - p2.

    p1 = x1 / n1 and p2 = x2 / n2; counts are numbers or 1-D arrays, broadcast together and
    checked as [`wilson_interval`][assay.fairness.wilson_interval]'s. Where ``n1 = 0`` or ``n2 =
    0`` the bounds are NaN with an
    [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning].

    Parameters
    ----------
    x1, n1 : ArrayLike
        Successes and trials of the first proportion.
    x2, n2 : ArrayLike
        Successes and trials of the second proportion.
    confidence : float, default 0.95
        The confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of numpy.ndarray
        The lower and upper bounds of p1 - p2.

    Raises
    ------
    InvalidInputError
        Invalid counts (as [`wilson_interval`][assay.fairness.wilson_interval]) or ``confidence`` outside (0, 1).
    InvalidTypeError
        Counts that are not numbers.

    Examples
    --------
    >>> from assay.fairness import newcombe_interval
    >>> low, high = newcombe_interval(30, 100, 20, 100)
    >>> low.round(4), high.round(4)
    (array([-0.0202]), array([0.2167]))
    """
    z = z_value(confidence)
    arrays = _count_arrays({"x1": x1, "n1": n1, "x2": x2, "n2": n2})
    low, high = _core_fair.newcombe(arrays[0], arrays[1], arrays[2], arrays[3], z)
    _warn_undefined((arrays[1] == 0) | (arrays[3] == 0), "n1 = 0 or n2 = 0, so a proportion is undefined")
    return low, high


def katz_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Katz's log interval for a ratio of proportions p1 / p2.

    p1 = x1 / n1 and p2 = x2 / n2; counts are numbers or 1-D arrays, broadcast together and
    checked as [`wilson_interval`][assay.fairness.wilson_interval]'s. Where ``x1 = 0`` or ``x2 =
    0`` (the log ratio's variance divides by the counts) the bounds are NaN with an
    [`UndefinedMetricWarning`][assay.warnings.UndefinedMetricWarning].

    Parameters
    ----------
    x1, n1 : ArrayLike
        Successes and trials of the numerator proportion.
    x2, n2 : ArrayLike
        Successes and trials of the denominator proportion.
    confidence : float, default 0.95
        The confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of numpy.ndarray
        The lower and upper bounds of p1 / p2.

    Raises
    ------
    InvalidInputError
        Invalid counts (as [`wilson_interval`][assay.fairness.wilson_interval]) or ``confidence`` outside (0, 1).
    InvalidTypeError
        Counts that are not numbers.

    Examples
    --------
    >>> from assay.fairness import katz_interval
    >>> low, high = katz_interval(30, 100, 20, 100)
    >>> low.round(4), high.round(4)
    (array([0.916]), array([2.4564]))
    """
    z = z_value(confidence)
    arrays = _count_arrays({"x1": x1, "n1": n1, "x2": x2, "n2": n2})
    low, high = _core_fair.katz(arrays[0], arrays[1], arrays[2], arrays[3], z)
    _warn_undefined((arrays[0] == 0) | (arrays[2] == 0), "x1 = 0 or x2 = 0, where the Katz interval is undefined")
    return low, high
