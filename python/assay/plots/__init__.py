"""matplotlib figures for assay results (needs the ``plot`` extra: matplotlib).

One module per engine; import the figures from here, e.g.
``assay.plots.drift_distribution(reference, current, "age")``.
"""

from __future__ import annotations

from . import drift, fairness
from .drift import drift_distribution, drift_over_time, reconstruction_error
from .fairness import plot_metric_by_group

__all__ = ["drift", "fairness", "drift_distribution", "drift_over_time", "reconstruction_error", "plot_metric_by_group"]
