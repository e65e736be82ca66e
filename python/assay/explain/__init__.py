"""Explanations of models: exact SHAP values of tree ensembles (``TreeExplainer``),
model-agnostic explainers (``KernelExplainer``, ``PermutationExplainer``,
``ExactExplainer``, ``LinearExplainer``) and the ``Explanation`` result
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
