"""The warnings assay emits.

Every warning is an :class:`AssayWarning` (a :class:`UserWarning`), so one filter silences or
escalates all of them::

    warnings.simplefilter("error", assay.warnings.AssayWarning)
"""

from __future__ import annotations

__all__ = ["AssayWarning", "DegenerateInputWarning", "UndefinedMetricWarning"]


class AssayWarning(UserWarning):
    """Base class of every warning assay emits."""


class UndefinedMetricWarning(AssayWarning):
    """A metric is undefined on the data given (no positives, one class, an empty group); its
    value is NaN and the warning says why."""


class DegenerateInputWarning(AssayWarning):
    """Valid input on which a result is degenerate or less reliable than usual (a constant column,
    too few rows for an interval, a fallback the call took)."""
