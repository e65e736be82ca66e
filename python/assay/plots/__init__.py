"""matplotlib figures for assay results (needs the ``plot`` extra: matplotlib).

One module per engine, its figures re-exported here, e.g.
``assay.plots.drift_distribution(reference, current, "age")`` or ``assay.plots.beeswarm(explanation)``.
"""

from __future__ import annotations

from . import drift, explain, fairness
from .drift import drift_distribution, drift_over_time, reconstruction_error
from .explain import bar, beeswarm, dependence, scatter, waterfall
from .fairness import plot_metric_by_group

__all__ = [
    "drift",
    "explain",
    "fairness",
    "bar",
    "beeswarm",
    "dependence",
    "drift_distribution",
    "drift_over_time",
    "plot_metric_by_group",
    "reconstruction_error",
    "scatter",
    "waterfall",
]
