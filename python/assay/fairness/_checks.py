"""Argument checks shared by the fairness modules: threads, seeds, weights and sizes.

Every check raises a class of :mod:`assay.errors` whose message names the argument.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._util import seed_arg
from ..errors import InvalidInputError, InvalidTypeError, ResourceLimitError

INT32_MAX = 2**31 - 1


def positive_int(value: Any, argument: str, maximum: int = INT32_MAX) -> int:
    """A positive integer (numpy integers accepted) of at most `maximum`; bools, floats and
    strings are refused. Above `maximum`: ResourceLimitError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{argument} must be a positive integer, got {value!r}")
    value = int(value)
    if value < 1:
        raise InvalidInputError(f"{argument} must be a positive integer, got {value}")
    if value > maximum:
        raise ResourceLimitError(f"{argument}: {value} is more than the {maximum} this call can index")
    return value


def seed_from(random_state: Any, argument: str = "random_state") -> int:
    """A 64-bit seed from fairlearn's random_state: an int in [0, 2**64) (numpy integers
    too), a numpy RandomState or Generator, or None (fresh entropy)."""
    if random_state is None:
        return seed_arg(None, argument)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise InvalidTypeError(
            f"{argument} must be an int, a numpy RandomState or None, got {type(random_state).__name__}"
        )
    return seed_arg(random_state, argument)


def weights(values: Any, n: int, argument: str = "sample_weight", normalise: bool = True) -> np.ndarray | None:
    """Checked sample weights as contiguous float64 (a new array, never the caller's):
    numbers, one per row, finite and non-negative.

    normalise=True (metrics that are ratios of weight sums, so scale-invariant): weights
    above 2**64, whose sums (or weight x value products) could overflow, are divided by
    their maximum (1e308 each, say); the values are unchanged (reweighing and calibration
    scale what they report back). normalise=False (a state that merges with other chunks,
    or a statistic that is not scale-invariant): weights whose sum overflows are an error."""
    from ._metric_frame import _to_numpy

    if values is None:
        return None
    array = _to_numpy(values, argument)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers, got dtype {array.dtype}")
    if len(array) != n:
        raise InvalidInputError(f"{argument} has {len(array)} rows but y_true has {n}")
    array = np.array(array, dtype=np.float64, order="C", copy=True)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(f"{argument}: value {array[i]!r} at row {i} is not a finite non-negative number")
    if not len(array):
        return array
    if normalise and _needs_scaling(array):
        array /= array.max()
    elif not normalise:
        with np.errstate(over="ignore"):
            total = array.sum()
        if not np.isfinite(total):
            raise InvalidInputError(
                f"{argument}: the sum of the weights overflows ({array.max():.3g} x {n} rows); scale the weights down"
            )
    return array


def _needs_scaling(array: np.ndarray) -> bool:
    """True when sums of the weights (or of weight x value products) could overflow."""
    with np.errstate(over="ignore"):
        return bool(not np.isfinite(array.sum()) or array.max() > 2.0**64)


def weight_scale(values: Any) -> float:
    """The factor `weights` divided the weights by (1.0 unless their sum overflows)."""
    array = np.asarray(values, dtype=np.float64)
    return float(array.max()) if len(array) and _needs_scaling(array) else 1.0
