"""Small helpers shared by the engines' Python layers."""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import InvalidInputError, InvalidTypeError, ResourceLimitError


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


def seed_arg(seed: Any, argument: str = "seed", *, allow_none: bool = True) -> int:
    """A seed for the core's counter-based generator: an integer in [0, 2**64), numpy integers
    included; None (where allowed) draws a fresh one from the operating system (then the
    results vary from call to call)."""
    expected = f"{argument} must be a non-negative integer below 2**64" + (" (or None)" if allow_none else "")
    if seed is None and allow_none:
        import numpy as np

        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidTypeError(f"{expected}, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise InvalidInputError(f"{expected}, got {seed!r}")
    return int(seed)


def memory_limit() -> int:
    """The most bytes one call may allocate for sizes the caller chose: half the physical
    memory (the core's ``assay::memory_limit``, which its own checks use too)."""
    from . import _core

    return int(_core.memory_limit())


def require_fits(argument: str, n_bytes: int, what: str, hint: str | None = None) -> None:
    """ResourceLimitError naming ``argument`` when ``what`` needs more than :func:`memory_limit`
    bytes; called before allocating. ``n_bytes`` is a Python int, so products cannot overflow."""
    limit = memory_limit()
    if n_bytes > limit:
        raise ResourceLimitError(
            f"{argument}: {what} needs {_gib(n_bytes)}, more than the limit of {_gib(limit)} "
            f"(half the physical memory); {hint or f'lower {argument}'}"
        )


def _gib(n_bytes: int) -> str:
    return f"{n_bytes / 2**30:.3g} GiB"


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
