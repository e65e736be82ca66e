"""Small helpers shared by the engines' Python layers."""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import InvalidInputError, InvalidTypeError


def n_jobs_arg(n_jobs: int | None) -> int:
    """n_jobs for the core: None or -1 means all cores (0 in the core), else >= 1.

    Python and numpy integers are accepted; the core runs at most four threads per core
    whatever is asked (results never depend on the thread count).
    """
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise InvalidTypeError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == -1:
        return 0
    if n_jobs < 1:
        raise InvalidInputError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs!r}")
    return min(n_jobs, 2**31 - 1)


def json_safe(value: Any) -> Any:
    """Recursively replaces NaN and infinities by None and numpy scalars by Python ones."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def float_or_nan(value: Any) -> float:
    return math.nan if value is None else float(value)
