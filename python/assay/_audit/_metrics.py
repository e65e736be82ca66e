"""The log loss, which assay's fairness metrics do not provide.

It is the mean of a per-row loss, so the audit computes the per-row loss here (vectorised)
and hands it to :class:`assay.fairness.MetricFrame` as ``mean_prediction``: the values per
group and the bootstrap intervals then come from the core like every other metric. The
definition follows scikit-learn's ``log_loss``: natural logarithm, probabilities clipped to
``[eps, 1 - eps]`` with eps the float64 machine epsilon (rows of a probability matrix are
taken as they are, as scikit-learn 1.9 does). (The Brier score needs nothing here: it is
``assay.fairness.mean_squared_error`` of the 0/1 outcome and the positive-class probability.)
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError

__all__ = ["log_loss", "log_loss_per_row"]

_EPS = np.finfo(np.float64).eps


def log_loss_per_row(y_true: np.ndarray, y_prob: np.ndarray) -> np.ndarray:
    """Each row's log loss, -log p(true class).

    Parameters
    ----------
    y_true : numpy.ndarray
        With a 1-D ``y_prob``: 1 for the positive class, 0 otherwise. With a 2-D ``y_prob``:
        the column index of each row's true class.
    y_prob : numpy.ndarray
        The positive class's probability (1-D), or one column per class (2-D).

    Returns
    -------
    numpy.ndarray
        float64, one loss per row.

    Raises
    ------
    InvalidInputError
        When the shapes disagree, a probability is NaN, or a class index is out of range.
    """
    y = np.asarray(y_true)
    prob = np.asarray(y_prob, dtype=np.float64)
    if prob.ndim not in (1, 2) or prob.shape[0] != len(y):
        raise InvalidInputError(f"y_prob: expected {len(y)} rows of probabilities, got shape {prob.shape}")
    if np.isnan(prob).any():
        raise InvalidInputError("y_prob: contains NaN; every row needs a probability")
    clipped = np.clip(prob, _EPS, 1 - _EPS)
    if prob.ndim == 1:
        return np.where(y == 1, -np.log(clipped), -np.log1p(-clipped))
    index = y.astype(np.int64)
    if len(index) and (index.min() < 0 or index.max() >= prob.shape[1]):
        raise InvalidInputError(f"y_true: class indices must lie in [0, {prob.shape[1]})")
    return -np.log(clipped[np.arange(len(index)), index])


def log_loss(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """The mean log loss (scikit-learn's ``log_loss``); NaN for no rows.

    Parameters
    ----------
    y_true, y_prob : numpy.ndarray
        As :func:`log_loss_per_row`.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(log_loss(np.array([1, 0, 0, 1]), np.array([0.9, 0.1, 0.2, 0.65])), 5)
    0.21616
    """
    losses = log_loss_per_row(y_true, y_prob)
    return float(losses.mean()) if len(losses) else float("nan")
