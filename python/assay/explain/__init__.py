"""Explanations of models: exact SHAP values of tree ensembles ([`TreeExplainer`][assay.explain.TreeExplainer]),
model-agnostic explainers ([`KernelExplainer`][assay.explain.KernelExplainer],
[`PermutationExplainer`][assay.explain.PermutationExplainer],
[`ExactExplainer`][assay.explain.ExactExplainer],
[`LinearExplainer`][assay.explain.LinearExplainer]) and the
[`Explanation`][assay.explain.Explanation] result
that every explainer returns."""

from __future__ import annotations

from . import maskers  # noqa: E402  (shap's namespace: maskers.Independent)
from ._agnostic import Background, ExactExplainer, KernelExplainer, LinearExplainer, PermutationExplainer, kmeans
from ._explanation import Cohorts, Explanation
from ._models import TreeModel, tree_model
from ._shap_compat import Independent
from ._tree import TreeExplainer

__all__ = [
    "Background",
    "Cohorts",
    "ExactExplainer",
    "Explanation",
    "Independent",
    "KernelExplainer",
    "LinearExplainer",
    "PermutationExplainer",
    "TreeExplainer",
    "TreeModel",
    "kmeans",
    "maskers",
    "tree_model",
]
