"""The warnings assay emits.

Every warning is an [`AssayWarning`][assay.warnings.AssayWarning] (a ``UserWarning``), so
one filter silences or escalates all of them.

Examples
--------
>>> import warnings
>>> import assay.warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("error", assay.warnings.AssayWarning)  # every assay warning raises
...     warnings.simplefilter("ignore", assay.warnings.UndefinedMetricWarning)  # but this one
"""

from __future__ import annotations

__all__ = ["AssayWarning", "DegenerateInputWarning", "UndefinedDistanceWarning", "UndefinedMetricWarning"]


class AssayWarning(UserWarning):
    """Base class of every warning assay emits."""


class UndefinedMetricWarning(AssayWarning):
    """A metric is undefined on the data given (no positives, one class, an empty group).

    Its value is NaN and the warning says why.
    """


class UndefinedDistanceWarning(UndefinedMetricWarning, RuntimeWarning):
    """A sample distance is undefined (NaN): the same infinity in both samples, or an
    infinity of weight 0.

    Also a ``RuntimeWarning``, the class scipy's users catch for the same NaN (numpy's
    "invalid value" of inf - inf).
    """


class DegenerateInputWarning(AssayWarning):
    """Valid input on which a result is degenerate or less reliable than usual.

    A constant column, too few rows for an interval, a fallback the call took.
    """
