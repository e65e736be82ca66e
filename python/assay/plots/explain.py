"""Plots of an [`Explanation`][assay.explain.Explanation]: bar, beeswarm, waterfall, dependence.

They take an explanation of one output (values of shape (rows, features), or
(features,) for a waterfall); select an output of a multi-output explanation first,
e.g. ``explanation[:, :, 1]`` or ``explanation[:, :, "yes"]``. Every function draws
on ``ax`` (a new figure when None) and returns the axes. matplotlib is imported
lazily.

Bad input is an [`AssayError`][assay.errors.AssayError] that names the problem: SHAP values
that are not finite (NaN or inf; a figure of them would be wrong or empty, so select the
finite rows first), an empty explanation, feature names or data that do not match the
values, a feature that is neither an index in range nor a name. Feature *data* may hold
NaN or inf (missing values): a beeswarm colours those points grey and a dependence plot
leaves them out and says how many in its title.

Examples
--------
>>> import numpy as np
>>> from assay import plots
>>> from assay.explain import Explanation
>>> explanation = Explanation(
...     values=np.array([[0.5, -0.2, 0.1], [0.3, 0.1, -0.4]]),
...     base_values=np.array([1.0, 1.0]),
...     data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
...     feature_names=["age", "income", "tenure"],
... )
>>> [label.get_text() for label in plots.bar(explanation).get_yticklabels()]
['age', 'tenure', 'income']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidInputError, InvalidTypeError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..explain import Explanation

__all__ = ["bar", "beeswarm", "dependence", "waterfall"]

POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"


def _axes(ax: Axes | None, height: float = 4.0) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, height))
    return ax


def _one_output(explanation: Any, ndim: int, function: str) -> np.ndarray:
    """The explanation's values as finite float64 of ``ndim`` dimensions, or a clear error."""
    if not hasattr(explanation, "values") or callable(explanation.values):
        raise InvalidTypeError(f"{function}: expected an assay.explain.Explanation, got {type(explanation).__name__}")
    try:
        values = np.asarray(explanation.values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidTypeError(f"{function}: the explanation's values are not numeric") from error
    if values.ndim != ndim:
        hint = " (select one output first, e.g. explanation[:, :, 0])" if values.ndim == ndim + 1 else ""
        raise InvalidInputError(f"{function}: expected values of {ndim} dimensions, got shape {values.shape}{hint}")
    if values.size == 0:
        raise InvalidInputError(f"{function}: the explanation is empty (values of shape {values.shape})")
    finite = np.isfinite(values)
    if not finite.all():
        select = "explanation[np.isfinite(explanation.values).all(axis=1)]" if ndim == 2 else "a row with finite values"
        raise InvalidInputError(
            f"{function}: {int(np.count_nonzero(~finite))} SHAP values are not finite (NaN or inf) and cannot be "
            f"drawn; plot the finite rows only, e.g. {select}"
        )
    return values


def _names(explanation: Any, n: int) -> list[str]:
    names = getattr(explanation, "feature_names", None)
    if names is None:
        return [f"x{j}" for j in range(n)]
    if isinstance(names, (str, bytes)):
        raise InvalidTypeError("feature_names: expected a sequence of names, got a single string")
    names = [str(name) for name in names]
    if len(names) != n:
        raise InvalidInputError(f"feature_names: {len(names)} names for {n} features")
    return names


def _data(explanation: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The explained rows as float64 of the values' shape (None when the explanation has none)."""
    data = getattr(explanation, "data", None)
    if data is None:
        return None
    try:
        data = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidTypeError("data: the explanation's feature values are not numeric") from error
    if data.shape != shape:
        raise InvalidInputError(f"data: shape {data.shape} does not match the values' {shape}")
    return data


def _max_display(max_display: Any) -> int:
    if isinstance(max_display, (bool, np.bool_)) or not isinstance(max_display, (int, np.integer)):
        raise InvalidTypeError(f"max_display must be a positive integer, got {max_display!r}")
    if max_display < 1:
        raise InvalidInputError(f"max_display must be a positive integer, got {max_display}")
    return int(max_display)


def _mean_abs(values: np.ndarray) -> np.ndarray:
    """Mean |value| per column without overflow (each column scaled by its largest magnitude)."""
    magnitude = np.abs(values)
    scale = magnitude.max(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (magnitude / scale).mean(axis=0) * scale


def _top(importance: np.ndarray, max_display: int) -> tuple[np.ndarray, np.ndarray]:
    """The max_display - 1 most important features (most important first) and the rest,
    or all features when they fit."""
    order = np.argsort(-importance, kind="stable")
    if len(order) <= max_display:
        return order, order[:0]
    return order[: max_display - 1], order[max_display - 1 :]


# Coordinates beyond this magnitude break matplotlib's axes (its tick locators and
# transforms subtract and scale the limits, which overflows near the largest double and
# ends in "Singular matrix" or OverflowError).
DRAWABLE = 1e307


def _finite_drawing(function: str, *quantities: Any) -> None:
    """Everything drawn must be finite and at most DRAWABLE in magnitude: a clear error instead
    of a broken figure."""
    drawn = np.concatenate([np.ravel(np.asarray(q, dtype=np.float64)) for q in quantities])
    if drawn.size and not np.max(np.abs(drawn)) <= DRAWABLE:
        raise InvalidInputError(
            f"{function}: the values are too large to draw (up to {np.max(np.abs(drawn)):.3g}; matplotlib's axes "
            f"hold magnitudes up to about {DRAWABLE:.0e}); scale them down first"
        )


def bar(explanation: Explanation, max_display: int = 10, ax: Axes | None = None) -> Axes:
    """Global importance: mean |SHAP value| per feature, largest on top.

    Parameters
    ----------
    explanation : Explanation
        An explanation of one output: values of shape (rows, features).
    max_display : int, default 10
        The most bars: beyond it, the least important features share one bar
        "sum of k other features".
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``explanation`` is not an Explanation, or ``max_display`` is not an integer.
    InvalidInputError
        The values are not 2-D (several outputs: select one first), are empty or not
        finite; the feature names do not match; ``max_display`` is below 1; a value is
        too large to draw.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     values=np.array([[0.5, -0.2, 0.1], [0.3, 0.1, -0.4]]),
    ...     base_values=np.array([1.0, 1.0]),
    ...     data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ...     feature_names=["age", "income", "tenure"],
    ... )
    >>> ax = plots.bar(explanation, max_display=2)
    >>> [label.get_text() for label in ax.get_yticklabels()], ax.get_xlabel()
    (['age', 'sum of 2 other features'], 'mean(|SHAP value|)')
    """
    values = _one_output(explanation, 2, "bar")
    max_display = _max_display(max_display)
    names = _names(explanation, values.shape[1])
    importance = _mean_abs(values)
    shown, rest = _top(importance, max_display)
    labels = [names[j] for j in shown]
    heights = list(importance[shown])
    if len(rest):
        labels.append(f"sum of {len(rest)} other features")
        with np.errstate(over="ignore"):
            heights.append(float(importance[rest].sum()))
    _finite_drawing("bar", heights)
    ax = _axes(ax, 0.4 * len(labels) + 1)
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, heights, color=POSITIVE)
    ax.set_yticks(positions, labels)
    for y, h in zip(positions, heights):
        ax.text(h, y, f" {h:.3g}", va="center", fontsize=8)
    ax.set_xlabel("mean(|SHAP value|)")
    return ax


def beeswarm(
    explanation: Explanation, max_display: int = 10, ax: Axes | None = None, color_map: str = "coolwarm"
) -> Axes:
    """Every row's SHAP value per feature, coloured by the feature's value (low blue, high red).

    Features are ordered by mean |SHAP value|; missing or infinite feature values are
    drawn grey, and every point is grey when the explanation has no data.

    Parameters
    ----------
    explanation : Explanation
        An explanation of one output: values of shape (rows, features).
    max_display : int, default 10
        The most rows of points: beyond it, the least important features share one row
        (the sum of their SHAP values).
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.
    color_map : str, default 'coolwarm'
        A matplotlib colormap name for the feature values (5th to 95th percentile).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``explanation`` is not an Explanation, its data are not numeric, or
        ``max_display`` is not an integer.
    InvalidInputError
        As for [`bar`][assay.plots.explain.bar]; also data of another shape than the
        values, or an unknown ``color_map``.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     values=np.array([[0.5, -0.2, 0.1], [0.3, 0.1, -0.4]]),
    ...     base_values=np.array([1.0, 1.0]),
    ...     data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ...     feature_names=["age", "income", "tenure"],
    ... )
    >>> ax = plots.beeswarm(explanation)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['age', 'tenure', 'income']
    """
    values = _one_output(explanation, 2, "beeswarm")
    max_display = _max_display(max_display)
    data = _data(explanation, values.shape)
    names = _names(explanation, values.shape[1])
    try:
        import matplotlib

        matplotlib.colormaps[color_map]
    except KeyError as error:
        raise InvalidInputError(f"color_map: {color_map!r} is not a matplotlib colormap") from error
    shown, rest = _top(_mean_abs(values), max_display)
    rows = [(names[j], values[:, j], None if data is None else data[:, j]) for j in shown]
    if len(rest):
        with np.errstate(over="ignore", invalid="ignore"):
            rows.append((f"sum of {len(rest)} other features", values[:, rest].sum(axis=1), None))
    _finite_drawing("beeswarm", *[row[1] for row in rows])
    ax = _axes(ax, 0.45 * (len(shown) + bool(len(rest))) + 1)
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time
    scatter = None
    for position, (_, shap_values, feature_values) in zip(range(len(rows) - 1, -1, -1), rows):
        jitter = _swarm_offsets(shap_values, rng)
        if feature_values is None:
            ax.scatter(shap_values, position + jitter, s=8, color="#777777")
            continue
        missing = ~np.isfinite(feature_values)  # missing or infinite: drawn grey
        low, high = np.percentile(feature_values[~missing], [5, 95]) if (~missing).any() else (0.0, 1.0)
        if not high > low:
            low, high = low - 0.5, high + 0.5
        with np.errstate(over="ignore", invalid="ignore"):
            colour = np.clip((feature_values / 2 - low / 2) / (high / 2 - low / 2), 0, 1)
        ax.scatter(shap_values[missing], position + jitter[missing], s=8, color="#bbbbbb")
        scatter = ax.scatter(
            shap_values[~missing], position + jitter[~missing], s=8, c=colour[~missing], cmap=color_map, vmin=0, vmax=1
        )
    ax.set_yticks(range(len(rows) - 1, -1, -1), [r[0] for r in rows])
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("SHAP value (impact on model output)")
    if scatter is not None:
        colorbar = ax.figure.colorbar(scatter, ax=ax, ticks=[0, 1], aspect=40)
        colorbar.set_ticklabels(["low", "high"])
        colorbar.set_label("feature value")
    return ax


def _swarm_offsets(values: np.ndarray, rng: np.random.Generator, width: float = 0.4) -> np.ndarray:
    """Vertical offsets that grow with the local density of values (a cheap beeswarm)."""
    if len(values) == 0:
        return np.zeros(0)
    # Positions in [0, 1] over the values' range, computed from halves so that a range near
    # the largest double does not overflow; a constant column is all in one bin.
    low, high = values.min() / 2, values.max() / 2
    position = (values / 2 - low) / (high - low) if high > low else np.zeros(len(values))
    bins = np.linspace(0.0, 1.0, 50)
    counts, _ = np.histogram(position, bins=bins)
    density = counts[np.clip(np.digitize(position, bins) - 1, 0, len(counts) - 1)] / max(counts.max(), 1)
    return (rng.random(len(values)) - 0.5) * 2 * width * density


def waterfall(explanation: Explanation, max_display: int = 10, ax: Axes | None = None) -> Axes:
    """One row: from the base value, each feature's SHAP value to the model output.

    Parameters
    ----------
    explanation : Explanation
        The explanation of one row and one output: values of shape (features,) and a
        scalar base value, e.g. ``explanation[0]``.
    max_display : int, default 10
        The most bars: beyond it, the least important features share one bar.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``explanation`` is not an Explanation, its base value is not a number, or
        ``max_display`` is not an integer.
    InvalidInputError
        The values are not 1-D, are empty or not finite; there is no scalar base value or
        it is not finite; the feature names or data do not match; ``max_display`` is
        below 1; a value is too large to draw.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     values=np.array([[0.5, -0.2, 0.1], [0.3, 0.1, -0.4]]),
    ...     base_values=np.array([1.0, 1.0]),
    ...     data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ...     feature_names=["age", "income", "tenure"],
    ... )
    >>> plots.waterfall(explanation[0]).get_xlabel()
    'model output: E[f(X)] = 1 -> f(x) = 1.4'
    """
    values = _one_output(explanation, 1, "waterfall")
    max_display = _max_display(max_display)
    base_values = getattr(explanation, "base_values", None)
    if base_values is None or np.ndim(base_values) != 0:
        raise InvalidInputError("waterfall: expected one row with a scalar base value, e.g. explanation[0]")
    try:
        base = float(base_values)
    except (TypeError, ValueError) as error:
        raise InvalidTypeError("waterfall: the base value is not a number") from error
    if not np.isfinite(base):
        raise InvalidInputError(f"waterfall: the base value is not finite ({base})")
    names = _names(explanation, len(values))
    data = _data(explanation, values.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        _finite_drawing("waterfall", base, base + np.cumsum(values))
    shown, rest = _top(np.abs(values), max_display)
    labels = [f"{names[j]} = {data[j]:.4g}" if data is not None else names[j] for j in shown]
    steps = list(values[shown])
    if len(rest):
        labels.append(f"{len(rest)} other features")
        with np.errstate(over="ignore", invalid="ignore"):
            steps.append(float(values[rest].sum()))
        _finite_drawing("waterfall", steps)
    # Draw from the least to the most important so that the largest ends at the top.
    labels, steps = labels[::-1], steps[::-1]
    ax = _axes(ax, 0.45 * len(labels) + 1.2)
    start = base
    for position, step in enumerate(steps):
        ax.barh(position, step, left=start, color=POSITIVE if step >= 0 else NEGATIVE)
        ax.text(
            start + step,
            position,
            f" {step:+.3g}" if step >= 0 else f"{step:+.3g} ",
            va="center",
            ha="left" if step >= 0 else "right",
            fontsize=8,
        )
        start += step
    ax.set_yticks(range(len(labels)), labels)
    ax.axvline(base, color="#999999", linestyle="--", linewidth=0.8)
    ax.axvline(start, color="#333333", linestyle="--", linewidth=0.8)
    ax.set_xlabel(f"model output: E[f(X)] = {base:.4g} -> f(x) = {start:.4g}")
    return ax


def dependence(
    explanation: Explanation, feature: int | str, color: int | str | None = None, ax: Axes | None = None
) -> Axes:
    """SHAP value of one feature against its value, optionally coloured by another feature.

    Rows whose feature value is missing or infinite are left out (the title says how
    many); a missing or infinite colour value is drawn grey.

    Parameters
    ----------
    explanation : Explanation
        An explanation of one output with data: values and data of shape (rows, features).
    feature : int or str
        The feature: its name or its integer index (0 to M - 1); bools, floats and
        negative indices are errors.
    color : int or str, optional
        A feature, named or indexed the same way, whose values colour the points.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``explanation`` is not an Explanation, its data are not numeric, or ``feature`` or
        ``color`` is neither a name nor an integer.
    InvalidInputError
        As for [`bar`][assay.plots.explain.bar]; also an explanation without data, a
        feature name that is unknown or an index out of range, or a feature without a
        finite value.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     values=np.array([[0.5, -0.2, 0.1], [0.3, 0.1, -0.4]]),
    ...     base_values=np.array([1.0, 1.0]),
    ...     data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ...     feature_names=["age", "income", "tenure"],
    ... )
    >>> ax = plots.dependence(explanation, "age", color="income")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('age', 'SHAP value of age')
    """
    values = _one_output(explanation, 2, "dependence")
    data = _data(explanation, values.shape)
    if data is None:
        raise InvalidInputError("dependence: the explanation has no data")
    names = _names(explanation, values.shape[1])
    j = _feature(feature, names, "feature")
    c = None if color is None else _feature(color, names, "color")
    shown = np.isfinite(data[:, j])
    if not shown.any():
        raise InvalidInputError(f"dependence: feature {names[j]!r} has no finite values to plot")
    _finite_drawing("dependence", values[shown, j])
    _finite_drawing("dependence", data[shown, j])
    ax = _axes(ax)
    if c is None:
        ax.scatter(data[shown, j], values[shown, j], s=10, color=NEGATIVE)
    else:
        colour = data[shown, c]
        finite = np.isfinite(colour)
        low, high = (colour[finite].min(), colour[finite].max()) if finite.any() else (0.0, 1.0)
        points = ax.scatter(
            data[shown, j],
            values[shown, j],
            s=10,
            c=np.where(finite, colour, np.nan),
            cmap="coolwarm",
            vmin=low,
            vmax=high if high > low else low + 1.0,
            plotnonfinite=True,
        )
        ax.figure.colorbar(points, ax=ax).set_label(names[c])
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel(names[j])
    ax.set_ylabel(f"SHAP value of {names[j]}")
    left_out = int(np.count_nonzero(~shown))
    if left_out:
        ax.set_title(f"{left_out} rows with a missing or infinite {names[j]} not shown")
    return ax


def _feature(feature: Any, names: list[str], argument: str) -> int:
    """A feature given by name or by integer index in range, as its index."""
    if isinstance(feature, str):
        if feature not in names:
            raise InvalidInputError(f"{argument}: {feature!r} is not one of {names}")
        return names.index(feature)
    if isinstance(feature, (bool, np.bool_)) or not isinstance(feature, (int, np.integer)):
        raise InvalidTypeError(
            f"{argument}: expected a feature name or an integer index, got {type(feature).__name__} {feature!r}"
        )
    if not 0 <= feature < len(names):
        raise InvalidInputError(
            f"{argument}: index {feature} is out of range for {len(names)} features (0 to {len(names) - 1})"
        )
    return int(feature)
