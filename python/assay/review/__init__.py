"""Human review: conformal prediction sets and intervals, and routing uncertain cases to a person.

[`ConformalClassifier`][assay.review.ConformalClassifier] and
[`ConformalRegressor`][assay.review.ConformalRegressor] calibrate split conformal prediction
(Mondrian, one threshold per group, when groups are given) with the exact finite-sample
quantile; [`ReviewRouter`][assay.review.ReviewRouter] sends the cases whose set is ambiguous,
or whose interval is too wide, to a person and reports the review load and the guarantee per
group. The work happens in the C++ core. See docs/review.md for the definitions and the
differences from MAPIE and crepes.
"""

from __future__ import annotations

from ._conformal import ConformalClassifier, ConformalRegressor, conformal_rank
from ._router import GROUP_COLUMNS, ReviewRouter, RoutingResult

__all__ = [
    "ConformalClassifier",
    "ConformalRegressor",
    "GROUP_COLUMNS",
    "ReviewRouter",
    "RoutingResult",
    "conformal_rank",
]
