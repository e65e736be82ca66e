"""shap's masker name for background rows: ``assay.explain.maskers.Independent`` (as ``shap.maskers.Independent``)."""

from __future__ import annotations

from ._shap_compat import Independent

__all__ = ["Independent"]
