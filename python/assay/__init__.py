"""assay: checks for machine-learning data and models.

Engines: :mod:`assay.quality` (data quality). The compiled core lives in the private
module ``assay._core``; everything public is re-exported here or in the submodules.
"""

from __future__ import annotations

from . import _core, datasets, quality
from .quality import Profile, QualityReport, check, profile
from . import explain
from .explain import Explanation, TreeExplainer
from .explain import ExactExplainer, KernelExplainer, LinearExplainer, PermutationExplainer

__version__: str = _core.__version__

__all__ = ["__version__", "check", "datasets", "profile", "Profile", "QualityReport", "quality", "explain", "Explanation", "TreeExplainer"]
__all__ += ["ExactExplainer", "KernelExplainer", "LinearExplainer", "PermutationExplainer"]
