"""Explanations of models: exact SHAP values of tree ensembles (:class:`TreeExplainer`)
and the :class:`Explanation` result that every explainer returns."""

from __future__ import annotations

from ._agnostic import Background, ExactExplainer, KernelExplainer, LinearExplainer, PermutationExplainer, kmeans
from ._explanation import Explanation
from ._models import TreeModel, tree_model
from ._tree import TreeExplainer

__all__ = ["Explanation", "TreeExplainer", "TreeModel", "tree_model"]
__all__ += ["Background", "ExactExplainer", "KernelExplainer", "LinearExplainer", "PermutationExplainer", "kmeans"]
