"""matplotlib figures (the "plot" extra), one module per engine."""

from __future__ import annotations

from .fairness import plot_metric_by_group

__all__ = ["plot_metric_by_group"]
