"""Checks of the fairness functions' scalar arguments: counts and seeds.

Every check raises a class of ``assay.errors`` whose message names the argument.
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
        # A ValueError only, as scikit-learn's check_random_state (which fairlearn uses) raises.
        raise InvalidInputError(
            f"{argument} must be an int, a numpy RandomState or None, got {type(random_state).__name__}"
        )
    return seed_arg(random_state, argument)
