"""The explain section: global importance of the model's features (mean |SHAP| with bootstrap
intervals over the explained rows), the top features and their dependence data.

The rows explained are a seeded sample of the current data: ``explain.sample_size`` rows
for the tree and linear explainers, ``explain.agnostic_sample_size`` for the model-agnostic
ones, whose background is ``explain.background_size`` rows of the reference. With
``explainer: auto``, tree ensembles get :class:`assay.explain.TreeExplainer` (exact,
path-dependent, the model's raw output), linear models
:class:`assay.explain.LinearExplainer`, anything else
:class:`assay.explain.PermutationExplainer` on the positive class's probability (or the
prediction). The interval of a feature's importance is the percentile bootstrap of the
mean over rows (each replicate reweights the rows by multinomial counts, seeded).

``Audit.sections["explain"]``: ``explainer``, ``output`` (what the values explain),
``dataset`` (``"current"``), ``n_rows``, ``background_rows``, ``base_value``,
``confidence_level``, ``n_boot``, ``importance`` (features by decreasing importance:
``{feature, mean_abs_shap, lower, upper, rank}``), ``top_features`` and ``dependence``
(per top feature: ``x`` (feature values; category codes with ``labels``) and ``shap``,
at most 1,000 rows).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import explain
from ..._frame import CATEGORICAL
from ...errors import UnsupportedModelError
from .._context import Context, SectionResult, Skip, interval_quantiles, measurement
from .._data import Table, sample

__all__ = ["run"]

SECTION = "explain"
_DEPENDENCE_POINTS = 1000
_BOOT_BLOCK = 128


def _tree(ctx: Context) -> Any:
    assert ctx.model is not None
    return ctx.model.trees


def _numeric_matrix(table: Any, features: tuple[str, ...]) -> np.ndarray:
    frame = table.frame.select(features)
    categorical = [c.name for c in frame.columns if c.kind == CATEGORICAL]
    if categorical:
        raise Skip(
            f"the model-agnostic explainers need numeric features; {', '.join(map(repr, categorical[:5]))} "
            "are categorical"
        )
    return np.column_stack([c.values for c in frame.columns])


def _explanation(ctx: Context) -> tuple[Any, str, str, Table, int]:
    """(Explanation, explainer name, what it explains, the rows explained, background rows)."""
    config = ctx.config.explain
    model = ctx.model
    assert model is not None
    features = ctx.model_features
    seed = ctx.config.seed
    kind = config.explainer
    trees = _tree(ctx) if kind in ("auto", "tree") else None
    if kind == "tree" and trees is None:
        raise UnsupportedModelError(f"explain.explainer: 'tree', but {model.name} is not a tree model assay reads")
    if trees is not None:
        rows = sample(ctx.current, config.sample_size, seed, 2)
        explainer = explain.TreeExplainer(trees, n_jobs=ctx.n_jobs, progress=False)
        output = {"log_odds": "raw margin (log-odds)", "probability": "class probability"}.get(
            trees.output_kind, "raw prediction"
        )
        return explainer(model.input(rows, features)), "TreeExplainer", output, rows, 0
    linear = hasattr(model.model, "coef_") and hasattr(model.model, "intercept_")
    size = config.sample_size if kind == "linear" or (kind == "auto" and linear) else config.agnostic_sample_size
    rows = sample(ctx.current, size, seed, 2)
    background = sample(ctx.reference, config.background_size, seed, 3)
    X, data = _numeric_matrix(rows, features), _numeric_matrix(background, features)
    if kind == "linear" or (kind == "auto" and linear):
        linear_explainer = explain.LinearExplainer(model.model, data, n_jobs=ctx.n_jobs, feature_names=list(features))
        output = "decision function (log-odds)" if model.is_classifier else "prediction"
        return linear_explainer(X), "LinearExplainer", output, rows, background.n_rows
    function = model.function(ctx.positive_index)
    output = "positive-class probability" if hasattr(model.model, "predict_proba") else "prediction"
    names = list(features)
    if kind == "kernel":
        kernel = explain.KernelExplainer(
            function, data, n_jobs=ctx.n_jobs, seed=seed, feature_names=names, progress=False
        )
        return kernel(X), "KernelExplainer", output, rows, background.n_rows
    if kind == "exact":
        exact = explain.ExactExplainer(function, data, n_jobs=ctx.n_jobs, feature_names=names, progress=False)
        return exact(X), "ExactExplainer", output, rows, background.n_rows
    permutation = explain.PermutationExplainer(
        function, data, n_jobs=ctx.n_jobs, seed=seed, feature_names=names, progress=False
    )
    return permutation(X), "PermutationExplainer", output, rows, background.n_rows


def _magnitudes(ctx: Context, values: np.ndarray) -> tuple[np.ndarray, str]:
    """|SHAP| per row and feature: of the positive class's output, or summed over outputs."""
    if values.ndim == 2:
        return np.abs(values), ""
    index = ctx.positive_index
    if values.shape[-1] == 2 and index is not None:
        return np.abs(values[..., index]), f"the output of class {ctx.pos_label!r}"
    return np.abs(values).sum(axis=-1), "summed over the outputs"


def _bootstrap(magnitudes: np.ndarray, n_boot: int, level: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of the mean over rows, replicates reweighting rows by multinomial counts
    (each replicate's n row draws counted per row: a block of replicates is one bincount)."""
    n = len(magnitudes)
    rng = np.random.default_rng([seed, 4])
    replicates = np.empty((n_boot, magnitudes.shape[1]))
    for first in range(0, n_boot, _BOOT_BLOCK):
        count = min(_BOOT_BLOCK, n_boot - first)
        draws = rng.integers(0, n, size=(count, n)) + (np.arange(count) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=count * n).reshape(count, n).astype(np.float64)
        replicates[first : first + count] = weights @ magnitudes / n
    low, high = np.quantile(replicates, interval_quantiles(level), axis=0)
    return low, high


def run(ctx: Context) -> SectionResult:
    """Runs the section (see the module docstring).

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    SectionResult

    Raises
    ------
    Skip
        Without a model, or when a model-agnostic explainer would need categorical features.
    """
    config = ctx.config.explain
    if ctx.model is None:
        raise Skip("no model (predictions from columns cannot be explained)")
    explanation, name, output, explained, n_background = _explanation(ctx)
    magnitudes, combined = _magnitudes(ctx, np.asarray(explanation.values, dtype=np.float64))
    features = list(ctx.model_features)
    importance = magnitudes.mean(axis=0)
    lower = upper = np.full(len(features), math.nan)
    if config.n_boot > 0 and len(magnitudes):
        lower, upper = _bootstrap(magnitudes, config.n_boot, config.confidence_level, ctx.config.seed)
    order = np.argsort(-importance, kind="stable")
    ranked = [
        {
            "feature": features[j],
            "mean_abs_shap": importance[j],
            "lower": lower[j],
            "upper": upper[j],
            "rank": rank + 1,
        }
        for rank, j in enumerate(order.tolist())
    ]
    top = [features[j] for j in order[: config.top_k].tolist()]
    rng = np.random.default_rng([ctx.config.seed, 5])
    shown = np.arange(len(magnitudes))
    if len(shown) > _DEPENDENCE_POINTS:
        shown = np.sort(rng.choice(len(shown), size=_DEPENDENCE_POINTS, replace=False))
    values = np.asarray(explanation.values, dtype=np.float64)
    if values.ndim == 3:
        two = values.shape[-1] == 2 and ctx.positive_index is not None
        values = values[..., ctx.positive_index] if two else values.sum(axis=-1)
    dependence = {}
    for feature in top:
        j = features.index(feature)
        column = explained.frame.column(feature)
        dependence[feature] = {
            "x": column.values[shown].tolist(),
            "shap": values[shown, j].tolist(),
            "labels": column.labels if column.kind == CATEGORICAL else None,
        }
    base = explanation.base_values
    base_value = None
    if base is not None and np.size(base):
        flat = np.asarray(base, dtype=np.float64).reshape(len(magnitudes), -1)
        base_value = float(flat[0, ctx.positive_index if flat.shape[1] == 2 and ctx.positive_index is not None else 0])
    data = {
        "explainer": name,
        "output": output + (f" ({combined})" if combined else ""),
        "dataset": "current",
        "n_rows": explained.n_rows,
        "background_rows": n_background,
        "base_value": base_value,
        "confidence_level": config.confidence_level,
        "n_boot": config.n_boot,
        "importance": ranked,
        "top_features": top,
        "dependence": dependence,
    }
    measurements = [
        measurement(
            SECTION,
            "mean_abs_shap",
            r["feature"],
            r["mean_abs_shap"],
            (r["lower"], r["upper"]),
            "current",
            config.confidence_level,
        )
        for r in ranked
    ]
    return SectionResult(data, measurements)
