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

__all__ = ["bar", "beeswarm", "dependence", "scatter", "waterfall"]

POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"


def _axes(ax: Axes | None, height: float = 4.0) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, height))
    return ax


def _one_output(explanation: Any, ndim: int | tuple[int, ...], function: str) -> np.ndarray:
    """The explanation's values as finite float64 of ``ndim`` dimensions, or a clear error."""
    if not hasattr(explanation, "values") or callable(explanation.values):
        raise InvalidTypeError(f"{function}: expected an assay.explain.Explanation, got {type(explanation).__name__}")
    if isinstance(ndim, tuple):
        ndim = int(np.ndim(explanation.values)) if np.ndim(explanation.values) in ndim else ndim[-1]
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
    if isinstance(names, str) and n == 1 and getattr(explanation, "_axes", None) == ("rows",):
        return [names]  # one feature's column: its name
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


def bar(
    shap_values: Any,
    max_display: int = 10,
    order: Any = None,
    clustering: Any = None,
    clustering_cutoff: float = 0.5,
    show_data: Any = "auto",
    ax: Axes | None = None,
    show: bool = False,
) -> Axes:
    """Global importance: mean |SHAP value| per feature, largest on top (shap's ``plots.bar``).

    Several explanations (a dict of name to Explanation, or
    [`Cohorts`][assay.explain.Cohorts]) are drawn side by side per feature; the
    explanation of one row draws its signed values.

    Parameters
    ----------
    shap_values : Explanation, Cohorts or dict of Explanation
        Explanations of one output: values of shape (rows, features), or (features,)
        for one row.
    max_display : int, default 10
        The most bars: beyond it, the least important features share one bar
        "sum of k other features".
    order : optional
        The order of the features: None (by importance), a sequence of feature indices,
        an Explanation or array of one value per feature (largest first), or a function
        of the explanation returning one (e.g. ``Explanation.abs``, as shap).
    clustering : numpy.ndarray, optional
        A partition tree of the features (a scipy linkage matrix, (features - 1) x 4):
        without ``order``, the features are drawn in the tree's leaf order.
    clustering_cutoff : float, default 0.5
        shap's argument: accepted and not used (no dendrogram is drawn).
    show_data : bool or "auto", default "auto"
        Feature values in the labels of one row ("auto": when the explanation has data).
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end (shap's default is True).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``shap_values`` is not an Explanation, Cohorts or dict of them, ``max_display``
        is not an integer, or ``clustering`` is not a partition tree.
    InvalidInputError
        Values that are not 1-D or 2-D (several outputs: select one first), empty or not
        finite; explanations with different numbers of features; feature names that do
        not match; ``max_display`` below 1; a value too large to draw.

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
    cohorts = _cohorts_of(shap_values)
    max_display = _max_display(max_display)
    heights_by_cohort = {}
    local = False
    names: list[str] = []
    for label, explanation in cohorts.items():
        values = _one_output(explanation, (1, 2), "bar")
        local = values.ndim == 1
        heights_by_cohort[label] = values if local else _mean_abs(values)
        names = _names(explanation, values.shape[-1])
    n_features = {len(h) for h in heights_by_cohort.values()}
    if len(n_features) > 1:
        raise InvalidInputError(
            "bar: When passing several Explanation objects, they must all have the same number of feature columns"
        )
    first = next(iter(cohorts.values()))
    importance = np.max(np.abs(np.vstack(list(heights_by_cohort.values()))), axis=0)
    ranking = _ranking(order, first, importance, clustering, "bar")
    shown, rest = _top(ranking, max_display)
    data = _data(first, np.shape(first.values)) if local and show_data in ("auto", True) else None
    labels = [f"{names[j]} = {data[j]:.4g}" if data is not None else names[j] for j in shown]
    if len(rest):
        labels.append(f"sum of {len(rest)} other features")
    ax = _axes(ax, 0.4 * len(labels) * max(1, len(cohorts) * 0.6) + 1)
    positions = np.arange(len(labels))[::-1].astype(float)
    width = 0.8 / len(cohorts)
    for c, (label, values) in enumerate(heights_by_cohort.items()):
        heights = list(values[shown])
        if len(rest):
            with np.errstate(over="ignore"):
                heights.append(float(values[rest].sum()))
        _finite_drawing("bar", heights)
        offset = (c - (len(cohorts) - 1) / 2) * width
        colours = [POSITIVE if h >= 0 else NEGATIVE for h in heights] if local else POSITIVE
        bars = ax.barh(
            positions - offset, heights, height=width, color=colours, label=label if len(cohorts) > 1 else None
        )
        for bar_patch, h in zip(bars, heights):
            y = bar_patch.get_y() + bar_patch.get_height() / 2
            ax.text(
                h, y, f" {h:+.3g}" if local else f" {h:.3g}", va="center", ha="left" if h >= 0 else "right", fontsize=8
            )
    ax.set_yticks(positions, labels)
    if local:
        ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("SHAP value" if local else "mean(|SHAP value|)")
    if len(cohorts) > 1:
        ax.legend(loc="lower right")
    _margin_for_labels(ax)
    _show(show)
    return ax


def beeswarm(
    shap_values: Any,
    max_display: int = 10,
    order: Any = None,
    clustering: Any = None,
    cluster_threshold: float = 0.5,
    color: Any = None,
    axis_color: str = "#333333",
    alpha: float = 1.0,
    ax: Axes | None = None,
    show: bool = False,
    log_scale: bool = False,
    color_bar: bool = True,
    s: float = 16,
    plot_size: Any = "auto",
    color_bar_label: str = "feature value",
    group_remaining_features: bool = True,
    color_map: Any = "coolwarm",
) -> Axes:
    """Every row's SHAP value per feature, coloured by the feature's value (shap's ``plots.beeswarm``).

    Features are ordered by mean |SHAP value|; missing or infinite feature values are
    drawn grey, and every point is grey when the explanation has no data.

    Parameters
    ----------
    shap_values : Explanation
        An explanation of one output: values of shape (rows, features).
    max_display : int, default 10
        The most rows of points: beyond it, the least important features share one row
        (the sum of their SHAP values).
    order : optional
        The order of the features (see [`bar`][assay.plots.explain.bar]).
    clustering : numpy.ndarray, optional
        A partition tree of the features; without ``order``, its leaf order.
    cluster_threshold : float, default 0.5
        shap's argument: accepted and not used.
    color : str, matplotlib colormap or RGB, optional
        A colormap colours the points by the feature's value; a single colour draws
        every point in it. None: ``color_map``.
    axis_color : str, default "#333333"
        The colour of the axis line at 0 and the labels.
    alpha : float, default 1.0
        The points' opacity.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on; by default a new figure.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end (shap's default is True).
    log_scale : bool, default False
        A symmetric-log x axis.
    color_bar : bool, default True
        Draw the colour bar of the feature values.
    s : float, default 16
        The points' size (matplotlib's ``s``).
    plot_size : optional
        shap's argument: accepted; the figure size follows the number of rows.
    color_bar_label : str, default "feature value"
        The colour bar's label.
    group_remaining_features : bool, default True
        Draw the features beyond ``max_display`` as one row of sums (False: leave them out).
    color_map : str, default "coolwarm"
        The colormap when ``color`` is None (5th to 95th percentile of the feature values).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidTypeError
        ``shap_values`` is not an Explanation, its data are not numeric, or
        ``max_display`` is not an integer.
    InvalidInputError
        As for [`bar`][assay.plots.explain.bar]; also data of another shape than the
        values, or an unknown colour.

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
    explanation = shap_values
    values = _one_output(explanation, 2, "beeswarm")
    max_display = _max_display(max_display)
    data = _data(explanation, values.shape)
    names = _names(explanation, values.shape[1])
    cmap, single = _colouring(color, "color") if color is not None else _colouring(color_map, "color_map")
    shown, rest = _top(_ranking(order, explanation, _mean_abs(values), clustering, "beeswarm"), max_display)
    rows = [(names[j], values[:, j], None if data is None else data[:, j]) for j in shown]
    if len(rest) and group_remaining_features:
        with np.errstate(over="ignore", invalid="ignore"):
            rows.append((f"sum of {len(rest)} other features", values[:, rest].sum(axis=1), None))
    _finite_drawing("beeswarm", *[row[1] for row in rows])
    ax = _axes(ax, 0.45 * len(rows) + 1)
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time
    scatter = None
    for position, (_, row_values, feature_values) in zip(range(len(rows) - 1, -1, -1), rows):
        jitter = _swarm_offsets(row_values, rng)
        if feature_values is None or single is not None:
            ax.scatter(row_values, position + jitter, s=s, alpha=alpha, color=single or "#777777")
            continue
        missing = ~np.isfinite(feature_values)  # missing or infinite: drawn grey
        low, high = np.percentile(feature_values[~missing], [5, 95]) if (~missing).any() else (0.0, 1.0)
        if not high > low:
            low, high = low - 0.5, high + 0.5
        with np.errstate(over="ignore", invalid="ignore"):
            colour = np.clip((feature_values / 2 - low / 2) / (high / 2 - low / 2), 0, 1)
        ax.scatter(row_values[missing], position + jitter[missing], s=s, alpha=alpha, color="#bbbbbb")
        scatter = ax.scatter(
            row_values[~missing],
            position + jitter[~missing],
            s=s,
            alpha=alpha,
            c=colour[~missing],
            cmap=cmap,
            vmin=0,
            vmax=1,
        )
    ax.set_yticks(range(len(rows) - 1, -1, -1), [r[0] for r in rows])
    ax.axvline(0, color=axis_color, linewidth=0.8, alpha=0.5)
    ax.set_xlabel("SHAP value (impact on model output)", color=axis_color)
    if log_scale:
        ax.set_xscale("symlog")
    if scatter is not None and color_bar:
        colorbar = ax.figure.colorbar(scatter, ax=ax, ticks=[0, 1], aspect=40)
        colorbar.set_ticklabels(["low", "high"])
        colorbar.set_label(color_bar_label)
    _show(show)
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


def waterfall(shap_values: Any, max_display: int = 10, show: bool = False, ax: Axes | None = None) -> Axes:
    """One row: from the base value, each feature's SHAP value to the model output (shap's ``plots.waterfall``).

    Each step's value is written inside its bar when the bar is wide enough, else just
    outside its end, and the axis leaves room for the outside labels, so labels overlap
    neither each other, the axis nor the feature names.

    Parameters
    ----------
    shap_values : Explanation
        The explanation of one row and one output: values of shape (features,) and a
        scalar base value, e.g. ``explanation[0]``.
    max_display : int, default 10
        The most bars: beyond it, the least important features share one bar.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end (shap's default is True).
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
    explanation = shap_values
    values = _one_output(explanation, 1, "waterfall")
    max_display = _max_display(max_display)
    base_values = getattr(explanation, "base_values", None)
    if base_values is not None and np.size(base_values) == 1:  # a row's base value, also as an array of one
        base_values = np.ravel(base_values)[0]
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
    created = ax is None
    ax = _axes(ax, 0.45 * len(labels) + 1.2)
    ends = base + np.cumsum(steps)
    low, high = min(base, float(ends.min())), max(base, float(ends.max()))
    span = high - low if high > low else max(abs(high), 1.0)
    start = base
    for position, step in enumerate(steps):
        ax.barh(position, step, left=start, color=POSITIVE if step >= 0 else NEGATIVE)
        text = f"{step:+.3g}"
        if abs(step) >= 0.12 * span:  # wide enough: the value inside the bar, centred
            ax.text(start + step / 2, position, text, va="center", ha="center", fontsize=8, color="white")
        else:  # beside the bar's far end, on the side away from the bar
            end = start + step
            ax.text(end, position, f" {text} ", va="center", ha="left" if step >= 0 else "right", fontsize=8)
        start += step
    # Room for the labels written beside the bars at both ends of the axis.
    ax.set_xlim(low - 0.15 * span, high + 0.15 * span)
    ax.set_yticks(range(len(labels)), labels)
    ax.axvline(base, color="#999999", linestyle="--", linewidth=0.8)
    ax.axvline(start, color="#333333", linestyle="--", linewidth=0.8)
    ax.set_xlabel(f"model output: E[f(X)] = {base:.4g} -> f(x) = {start:.4g}")
    if created:
        ax.get_figure().tight_layout()  # type: ignore[union-attr]
    _show(show)
    return ax


def dependence(
    explanation: Explanation,
    feature: int | str,
    color: int | str | None = None,
    ax: Axes | None = None,
    show: bool = False,
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
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end.

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
    _show(show)
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


def scatter(
    shap_values: Any,
    color: Any = "#1E88E5",
    hist: bool = True,
    axis_color: str = "#333333",
    cmap: Any = "coolwarm",
    dot_size: float = 16,
    x_jitter: Any = "auto",
    alpha: float = 1.0,
    title: str | None = None,
    xmin: Any = None,
    xmax: Any = None,
    ymin: Any = None,
    ymax: Any = None,
    overlay: dict | None = None,
    ax: Axes | None = None,
    ylabel: str = "SHAP value",
    show: bool = False,
) -> Any:
    """SHAP values of a feature against its values (shap's ``plots.scatter``).

    Parameters
    ----------
    shap_values : Explanation
        One feature's column, e.g. ``explanation[:, "age"]`` (values and data of shape
        (rows,)), or several columns ``explanation[:, ["age", "income"]]``, drawn side by side.
    color : str, RGB or Explanation, default "#1E88E5"
        A colour for every point, or another feature's column
        (``explanation[:, "income"]``) whose data colour the points.
    hist : bool, default True
        A light histogram of the feature's values under the points.
    axis_color : str, default "#333333"
        The colour of the axis line at 0 and the labels.
    cmap : str or matplotlib colormap, default "coolwarm"
        The colormap when ``color`` is a feature.
    dot_size : float, default 16
        The points' size.
    x_jitter : float or "auto", default "auto"
        Horizontal jitter as a share of the distance between distinct values ("auto": 0
        unless the feature has at most 20 distinct values, then 0.2).
    alpha : float, default 1.0
        The points' opacity.
    title : str, optional
        The axes' title.
    xmin, xmax, ymin, ymax : float or Explanation, optional
        Axis limits; an Explanation (e.g. ``column.percentile(5)``) gives its data for x
        and its values for y.
    overlay : dict, optional
        Lines drawn over the points: name to a list of (x, y) pairs, one per column.
    ax : matplotlib.axes.Axes, optional
        The axes to draw on (one column only); by default a new figure.
    ylabel : str, default "SHAP value"
        The y label.
    show : bool, default False
        Call ``matplotlib.pyplot.show()`` at the end (shap's default is True).

    Returns
    -------
    matplotlib.axes.Axes or list of Axes
        The axes drawn on (one per column).

    Raises
    ------
    InvalidTypeError
        ``shap_values`` or ``color`` is not an Explanation where one is needed, or its
        data are not numeric.
    InvalidInputError
        No data, several outputs, values that are not finite, or a ``color`` of other rows.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import plots
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     values=np.array([[0.5, -0.2], [0.3, 0.1], [-0.1, 0.4]]),
    ...     data=np.array([[1.0, 2.0], [4.0, 5.0], [3.0, 1.0]]),
    ...     feature_names=["age", "income"],
    ... )
    >>> plots.scatter(explanation[:, "age"], color=explanation[:, "income"]).get_xlabel()
    'age'
    """
    values = _one_output(shap_values, (1, 2), "scatter")
    columns = values[:, None] if values.ndim == 1 else values
    data = getattr(shap_values, "data", None)
    if data is None:
        raise InvalidInputError("scatter: the explanation has no data (feature values) to draw against")
    data = np.asarray(_data(shap_values, values.shape)).reshape(columns.shape)
    names = _names(shap_values, columns.shape[1])
    if columns.shape[1] > 1 and ax is not None:
        raise InvalidInputError("scatter: several columns need their own axes; pass ax=None")
    if columns.shape[1] > 1:
        import matplotlib.pyplot as plt

        _, grid = plt.subplots(1, columns.shape[1], figsize=(4.5 * columns.shape[1], 4), sharey=True)
        axes = list(np.ravel(np.asarray(grid, dtype=object)))
    else:
        axes = [_axes(ax)]
    colour_values = None
    if hasattr(color, "values") and not callable(color.values):  # another feature's column
        colour_values = np.asarray(getattr(color, "data", None), dtype=np.float64).reshape(-1)
        if colour_values.shape != (len(columns),):
            raise InvalidInputError(f"color: {colour_values.shape[0]} values for {len(columns)} rows")
        colour_name = _names(color, 1)[0]
    for j, axis in enumerate(axes):
        x, y = data[:, j], columns[:, j]
        shown = np.isfinite(x)
        _finite_drawing("scatter", y[shown], x[shown])
        jitter = _jitter(x, x_jitter)
        if hist and shown.any():
            twin = axis.twinx()
            twin.hist(x[shown], bins=min(50, max(1, len(np.unique(x[shown])))), color="#dddddd", zorder=0)
            twin.set_yticks([])
            twin.set_ylim(0, max(twin.get_ylim()[1], 1) * 4)
            axis.set_zorder(twin.get_zorder() + 1)
            axis.patch.set_visible(False)
        if colour_values is not None:
            points = axis.scatter(
                x[shown] + jitter[shown], y[shown], s=dot_size, alpha=alpha, c=colour_values[shown], cmap=cmap
            )
            axis.figure.colorbar(points, ax=axis).set_label(colour_name)
        else:
            _, single = _colouring(color, "color")
            axis.scatter(x[shown] + jitter[shown], y[shown], s=dot_size, alpha=alpha, color=single or "#1E88E5")
        for name, lines in (overlay or {}).items():
            line_x, line_y = lines[j]
            axis.plot(line_x, line_y, label=name)
        axis.axhline(0, color=axis_color, linewidth=0.8, alpha=0.5)
        axis.set_xlabel(names[j], color=axis_color)
        axis.set_ylabel(ylabel if j == 0 else "", color=axis_color)
        axis.set_xlim(_limit(xmin, "data", axis.get_xlim()[0]), _limit(xmax, "data", axis.get_xlim()[1]))
        axis.set_ylim(_limit(ymin, "values", axis.get_ylim()[0]), _limit(ymax, "values", axis.get_ylim()[1]))
        if title is not None:
            axis.set_title(title)
        if overlay:
            axis.legend()
    _show(show)
    return axes[0] if len(axes) == 1 else axes


def _limit(limit: Any, field: str, default: float) -> float:
    """An axis limit: a number, an Explanation's data (x) or values (y) (e.g. ``percentile(5)``), or the default."""
    if limit is None:
        return default
    if hasattr(limit, field) and not isinstance(limit, (int, float)):
        limit = getattr(limit, field)
    return float(np.asarray(limit, dtype=np.float64).reshape(-1)[0])


def _jitter(x: np.ndarray, x_jitter: Any) -> np.ndarray:
    """Horizontal jitter for features of few distinct values (a fixed seed: the same figure every time)."""
    distinct = np.unique(x[np.isfinite(x)])
    if isinstance(x_jitter, str):
        x_jitter = 0.2 if 1 < len(distinct) <= 20 else 0.0
    if not x_jitter or len(distinct) < 2:
        return np.zeros(len(x))
    step = float(np.min(np.diff(distinct)))
    return (np.random.default_rng(0).random(len(x)) - 0.5) * float(x_jitter) * step


def _show(show: Any) -> None:
    if show:
        import matplotlib.pyplot as plt

        plt.show()


def _margin_for_labels(ax: Axes) -> None:
    """Widens the x axis so that value labels beside the bars stay inside it."""
    low, high = ax.get_xlim()
    span = high - low if high > low else 1.0
    ax.set_xlim(low - (0.12 * span if low < 0 else 0.0), high + 0.12 * span)


def _colouring(color: Any, argument: str) -> tuple[Any, Any]:
    """(colormap, None) for a colormap or its name, (None, colour) for one colour."""
    import matplotlib
    from matplotlib.colors import Colormap, is_color_like

    if isinstance(color, Colormap):
        return color, None
    if isinstance(color, str) and color in matplotlib.colormaps:
        return matplotlib.colormaps[color], None
    if is_color_like(color):  # an RGB(A) array as a tuple, so that it is one colour, not an array of them
        return None, tuple(float(c) for c in np.ravel(color)) if isinstance(color, np.ndarray) else color
    array = np.asarray(color, dtype=object)
    if array.ndim == 1 and len(array) in (3, 4):
        return None, tuple(float(c) for c in array)
    raise InvalidInputError(f"{argument}: {color!r} is neither a matplotlib colormap nor a colour")


def _cohorts_of(shap_values: Any) -> dict[str, Any]:
    """An Explanation, Cohorts or dict of Explanations as named explanations."""
    from ..explain import Cohorts, Explanation

    if isinstance(shap_values, Cohorts):
        shap_values = shap_values.cohorts
    if isinstance(shap_values, Explanation):
        return {"": shap_values}
    if isinstance(shap_values, dict) and shap_values and all(isinstance(v, Explanation) for v in shap_values.values()):
        return {str(k): v for k, v in shap_values.items()}
    raise InvalidTypeError(
        "bar: expected an assay.explain.Explanation, Cohorts or a dict of Explanations, "
        f"got {type(shap_values).__name__}"
    )


def _ranking(order: Any, explanation: Any, importance: np.ndarray, clustering: Any, function: str) -> np.ndarray:
    """An importance per feature whose descending order is the drawing order."""
    n = len(importance)
    if clustering is not None:
        tree = np.asarray(clustering)
        if tree.ndim != 2 or tree.shape != (n - 1, 4):
            raise InvalidTypeError(
                f"{function}: the clustering does not seem to be a partition tree (a linkage matrix of shape "
                f"({n - 1}, 4)), got shape {tree.shape}"
            )
        if order is None:
            from scipy.cluster.hierarchy import leaves_list

            leaves = leaves_list(tree)
            ranking = np.empty(n)
            ranking[leaves] = -np.arange(n, dtype=np.float64)
            return ranking
    if order is None:
        return importance
    if isinstance(order, property):  # shap's OpChain spelling: order=Explanation.abs
        order = order.fget
    if callable(order) and not hasattr(order, "values"):
        order = order(explanation)
    if hasattr(order, "values") and not callable(order.values):
        order = order.values
    ranking = np.asarray(order, dtype=np.float64)
    if ranking.ndim == 2:  # per row (e.g. Explanation.abs): their mean
        ranking = ranking.mean(axis=0)
    if ranking.shape != (n,):
        raise InvalidInputError(f"order: expected one value per feature ({n}), got shape {ranking.shape}")
    if np.issubdtype(np.asarray(order).dtype, np.integer) and sorted(np.asarray(order).tolist()) == list(range(n)):
        positions = np.empty(n)
        positions[np.asarray(order)] = -np.arange(n, dtype=np.float64)  # a permutation: that order
        return positions
    return ranking
