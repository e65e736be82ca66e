"""Number formatting shared by the templates, the tables and the charts.

One set of rules for every number a report shows: integers with thousands separators, other
numbers with four significant digits, NaN spelled ``NaN`` (with the reason when one is known)
and never shown as a blank or a zero.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..errors import InvalidInputError


def as_float(value: Any) -> float | None:
    """The value as a Python float, or None when it is not a real number (text, None, bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def format_number(value: Any, digits: int = 4, reason: str | None = None) -> str:
    """Format a number for a report.

    Parameters
    ----------
    value : int, float, numpy scalar, None or str
        The value. Integers get thousands separators; other numbers ``digits`` significant
        digits (thousands separators from 10,000 on); NaN is ``NaN``; None is an empty string;
        text is returned unchanged.
    digits : int, default 4
        Significant digits of non-integer values.
    reason : str, optional
        Why the value is undefined; shown after ``NaN`` in parentheses.

    Returns
    -------
    str
        The formatted value (plain text, not yet escaped for HTML).

    Raises
    ------
    InvalidInputError
        ``digits`` is not a positive integer.

    Examples
    --------
    >>> format_number(1234567), format_number(0.812345), format_number(float("nan"), reason="no positives")
    ('1,234,567', '0.8123', 'NaN (no positives)')
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise InvalidInputError(f"digits: expected a positive integer, got {digits!r}")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    number = as_float(value)
    if number is None:
        return str(value)
    if math.isnan(number):
        return f"NaN ({reason})" if reason else "NaN"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if number == 0.0:
        return "0"
    magnitude = abs(number)
    if 1e4 <= magnitude < 1e15:
        # Large values keep their integer digits: 123,457 rather than 1.235e+05.
        return f"{number:,.0f}" if magnitude >= 10 ** (digits - 1) else f"{number:,.{digits}g}"
    text = f"{number:.{digits}g}"
    return text.replace("e+0", "e+").replace("e-0", "e-")


def format_count(value: Any) -> str:
    """Format a count: an integer with thousands separators (``1,234,567``).

    Parameters
    ----------
    value : int or float
        The count; a float is rounded to the nearest integer, NaN gives ``NaN``.

    Returns
    -------
    str
        The formatted count.

    Examples
    --------
    >>> format_count(1234567.0)
    '1,234,567'
    """
    number = as_float(value)
    if number is None or not math.isfinite(number):
        return format_number(value)
    return f"{round(number):,}"


def format_percent(value: Any, digits: int = 1, reason: str | None = None) -> str:
    """Format a share (0.1234) as a percentage (``12.3%``).

    Parameters
    ----------
    value : float
        The share, 1.0 being 100%.
    digits : int, default 1
        Digits after the decimal point.
    reason : str, optional
        Why the value is undefined; shown after ``NaN``.

    Returns
    -------
    str
        The formatted percentage; ``NaN`` (with the reason) for NaN.

    Raises
    ------
    InvalidInputError
        ``digits`` is negative or not an integer.

    Examples
    --------
    >>> format_percent(0.1234), format_percent(1.0)
    ('12.3%', '100.0%')
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise InvalidInputError(f"digits: expected a non-negative integer, got {digits!r}")
    number = as_float(value)
    if number is None or not math.isfinite(number):
        return format_number(value, reason=reason)
    return f"{100.0 * number:,.{digits}f}%"


def format_interval(
    value: Any, lower: Any, upper: Any, *, digits: int = 4, percent: bool = False, reason: str | None = None
) -> str:
    """Format a value with its interval: ``0.8123 [0.7712, 0.8534]``.

    Parameters
    ----------
    value, lower, upper : float
        The point value and the interval's bounds. A NaN bound is shown as ``NaN`` (an interval
        that could not be computed is never hidden).
    digits : int, default 4
        Significant digits (or, with ``percent``, digits after the decimal point are ``digits - 3``
        with a minimum of 1).
    percent : bool, default False
        Format the three numbers as percentages.
    reason : str, optional
        Why the value is undefined; shown after ``NaN``.

    Returns
    -------
    str
        The formatted interval.

    Examples
    --------
    >>> format_interval(0.81, 0.77, 0.85)
    '0.81 [0.77, 0.85]'
    """

    def one(x: Any, why: str | None = None) -> str:
        if percent:
            return format_percent(x, max(1, digits - 3), reason=why)
        return format_number(x, digits, reason=why)

    return f"{one(value, reason)} [{one(lower)}, {one(upper)}]"
