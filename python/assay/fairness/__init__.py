"""Fairness: metrics by group, their disparities, intervals and mitigation."""

from ._metric_frame import *  # noqa: F403
from ._metric_frame import __all__  # noqa: F401
