"""Matplotlib figures of assay's results (extra "plot": pip install assay[plot]).

Each engine adds its own module here; the explanation plots live in
:mod:`assay.plots.explain` and are re-exported.
"""

from __future__ import annotations

from .explain import bar, beeswarm, dependence, waterfall

__all__ = ["bar", "beeswarm", "dependence", "waterfall"]
