"""assay: checks for machine-learning data and models.

Engines: ``assay.quality`` (data quality), ``assay.drift`` (drift), ``assay.fairness``
(group metrics), ``assay.explain`` (explanations), with figures in ``assay.plots``. The
compiled core lives in the private module ``assay._core``; everything public is re-exported
here or in the submodules.
"""

from __future__ import annotations

from . import _core, datasets, drift, explain, fairness, quality
from .explain import (
    ExactExplainer,
    Explanation,
    KernelExplainer,
    LinearExplainer,
    PermutationExplainer,
    TreeExplainer,
)
from .fairness import MetricFrame
from .quality import Profile, QualityReport, check, profile

__version__: str = _core.__version__

__all__ = [
    "__version__",
    "check",
    "datasets",
    "drift",
    "ExactExplainer",
    "explain",
    "Explanation",
    "fairness",
    "KernelExplainer",
    "LinearExplainer",
    "MetricFrame",
    "PermutationExplainer",
    "profile",
    "Profile",
    "QualityReport",
    "quality",
    "TreeExplainer",
]
