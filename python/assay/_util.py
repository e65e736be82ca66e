"""Small helpers shared by the engines' Python layers."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np


def n_jobs_arg(n_jobs: int | None) -> int:
    """n_jobs for the core: None or -1 means all cores (0 in the core), else >= 1.

    Counts above the machine's core count are capped at four times that count (more
    threads only compete for the cores; results never depend on n_jobs).
    """
    from .errors import InvalidInputError, InvalidTypeError

    if n_jobs is None:
        return 0
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)):
        raise InvalidTypeError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs!r}")
    if n_jobs == -1:
        return 0
    if n_jobs < 1:
        raise InvalidInputError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs!r}")
    return int(min(n_jobs, 4 * (os.cpu_count() or 1)))


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
