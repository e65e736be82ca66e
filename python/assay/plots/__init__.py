"""matplotlib figures for assay results (needs the ``plot`` extra: matplotlib).

One module per engine; import the figures from here, e.g.
``assay.plots.drift_distribution(reference, current, "age")``.
"""

from __future__ import annotations

from . import drift
from .drift import drift_distribution, drift_over_time, reconstruction_error

__all__ = ["drift", "drift_distribution", "drift_over_time", "reconstruction_error"]
