"""Small helpers shared by the engines' Python layers."""

from __future__ import annotations

import math
from typing import Any


def n_jobs_arg(n_jobs: int | None) -> int:
    """n_jobs for the core: None or -1 means all cores (0 in the core), else >= 1."""
    if n_jobs is None or n_jobs == -1:
        return 0
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be None, -1 or a positive integer, got {n_jobs!r}")
    return n_jobs


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
