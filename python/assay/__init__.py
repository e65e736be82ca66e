"""assay: checks for machine-learning data and models.

Engines: ``assay.quality`` (data quality), ``assay.drift`` (drift), ``assay.fairness``
(group metrics), ``assay.explain`` (explanations), ``assay.slices`` (worst slices),
``assay.review`` (conformal routing to a person), ``assay.monitor`` (performance without
labels), with figures in ``assay.plots``;
:func:`assay.audit` runs them all on a reference and a current dataset and applies the gates
of one configuration (:func:`assay.load_audit_config`). The compiled core lives in the private
module ``assay._core``; everything public is re-exported here or in the submodules.
"""

from __future__ import annotations

from . import _core, datasets, drift, explain, fairness, monitor, quality, review, slices
from ._audit import Audit, AuditConfig, Gate, GateResult, Measurement, audit
from ._audit import load_config as load_audit_config
from ._progress import set_progress
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
    "audit",
    "Audit",
    "AuditConfig",
    "check",
    "datasets",
    "drift",
    "ExactExplainer",
    "explain",
    "Explanation",
    "fairness",
    "Gate",
    "GateResult",
    "KernelExplainer",
    "LinearExplainer",
    "load_audit_config",
    "Measurement",
    "MetricFrame",
    "monitor",
    "PermutationExplainer",
    "profile",
    "Profile",
    "QualityReport",
    "quality",
    "set_progress",
    "review",
    "slices",
    "TreeExplainer",
]
