"""Multiple-testing corrections of p-values (statsmodels' names), for ``adjust_pvalues`` and
the ``correction`` of the column reports."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._core import drift as _core_drift
from .._inputs import as_array
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike

CORRECTIONS: tuple[str, ...] = ("bonferroni", "holm", "fdr_bh")
"""Multiple-testing corrections accepted by [`adjust_pvalues`][assay.drift.adjust_pvalues],
[`report`][assay.drift.report] and [`over_time`][assay.drift.over_time] (statsmodels' names)."""


def correction_arg(method: Any, argument: str) -> _core_drift.Correction:
    if method is None:
        return _core_drift.Correction.none
    if not isinstance(method, str) or method not in CORRECTIONS:
        raise InvalidInputError(f"{argument} must be None or one of {', '.join(CORRECTIONS)}, got {method!r}")
    return _core_drift.Correction[method]


def adjust_pvalues(pvalues: ArrayLike, method: str) -> np.ndarray:
    """Adjusted p-values for multiple testing, as ``statsmodels``' ``multipletests``.

    Parameters
    ----------
    pvalues : ArrayLike
        A 1-D array of p-values in [0, 1]. NaN entries are not part of the family and stay
        NaN.
    method : str
        ``"bonferroni"`` (min(1, m p)), ``"holm"`` (Holm's step-down) or ``"fdr_bh"``
        (Benjamini-Hochberg); see [`CORRECTIONS`][assay.drift.CORRECTIONS].

    Returns
    -------
    numpy.ndarray
        The adjusted p-values (float64), in the order of ``pvalues``.

    Raises
    ------
    InvalidTypeError
        ``pvalues`` is not an array of real numbers.
    InvalidInputError
        ``pvalues`` is not 1-D or holds a value outside [0, 1], or ``method`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> drift.adjust_pvalues([0.01, 0.04, 0.03, np.nan], "holm").round(4).tolist()
    [0.03, 0.06, 0.06, nan]
    >>> drift.adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    array = as_array(pvalues, "pvalues")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"pvalues must hold real numbers, got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    if array.ndim != 1:
        raise InvalidInputError(f"pvalues must be 1-D, got shape {array.shape}")
    known = array[~np.isnan(array)]
    if ((known < 0) | (known > 1)).any():
        raise InvalidInputError("pvalues must lie in [0, 1] (or be NaN)")
    if method is None:
        raise InvalidInputError(f"method must be one of {', '.join(CORRECTIONS)}")
    return _core_drift.adjust_pvalues(array, correction_arg(method, "method"))
