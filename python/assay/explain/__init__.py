"""Explanations of models: exact SHAP values of tree ensembles ([`TreeExplainer`][assay.explain.TreeExplainer]),
model-agnostic explainers ([`KernelExplainer`][assay.explain.KernelExplainer],
[`PermutationExplainer`][assay.explain.PermutationExplainer],
[`ExactExplainer`][assay.explain.ExactExplainer],
[`LinearExplainer`][assay.explain.LinearExplainer]) and the
[`Explanation`][assay.explain.Explanation] result
that every explainer returns."""

from __future__ import annotations

from ._agnostic import Background, ExactExplainer, KernelExplainer, LinearExplainer, PermutationExplainer, kmeans
from ._explanation import Explanation
from ._models import TreeModel, tree_model
from ._tree import TreeExplainer

__all__ = [
    "Background",
    "ExactExplainer",
    "Explanation",
    "KernelExplainer",
    "LinearExplainer",
    "PermutationExplainer",
    "TreeExplainer",
    "TreeModel",
    "kmeans",
    "tree_model",
]
