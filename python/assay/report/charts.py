"""Charts for reports: inline SVG drawn from numbers in Python.

Why inline SVG rather than matplotlib or a JavaScript charting library: a card must work offline
and from a single file, print sharply at any size, and stay small; SVG written here needs no
dependency (matplotlib is an optional extra, and its SVG output is several times larger), no
script to draw, and no network. Every chart is bounded in size whatever the input (bins,
categories, bars, points and beeswarm rows have fixed maxima), values that are NaN or infinite
are left out and counted in the caption rather than drawn at a wrong place, labels are escaped,
and every SVG has a ``<title>`` and ``role="img"`` for screen readers.

Each function returns a :class:`~assay.report.Chart`, which a :class:`~assay.report.Section`
holds as a block (or a table holds as a cell, for the small ``compact`` histograms).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidInputError, InvalidTypeError
from ._blocks import Chart
from ._format import format_count, format_number, format_percent
from ._svg import CURRENT, GRID, INK, MUTED, REFERENCE, Canvas, Scale, nice_domain, nice_ticks, num, shorten, text_width

__all__ = [
    "BinnedPair",
    "bar_with_intervals",
    "beeswarm",
    "histogram_pair",
    "importance_bars",
    "line",
    "reliability_curve",
]

WIDTH = 640.0
MAX_BINS = 200
MAX_CATEGORIES = 50
MAX_BARS = 60
MAX_LINE_POINTS = 1000
MAX_BEESWARM_FEATURES = 40
MAX_BEESWARM_ROWS = 2000
# shap's beeswarm colours: blue for low feature values, red for high (nine steps).
_VALUE_COLOURS = ("#1e88e5", "#4d78d8", "#6c66c9", "#8554b7", "#9a43a2", "#ad328b", "#be2372", "#cc1657", "#d80f3a")
_MISSING_COLOUR = "#9aa4ae"


# -- input checks ---------------------------------------------------------------------------


def _vector(values: Any, argument: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"{argument}: expected numbers") from None
    if array.ndim != 1:
        raise InvalidInputError(f"{argument}: expected a one-dimensional sequence, got {array.ndim} dimensions")
    return array


def _optional_vector(values: Any, argument: str, length: int) -> np.ndarray | None:
    if values is None:
        return None
    array = _vector(values, argument)
    if len(array) != length:
        raise InvalidInputError(f"{argument}: expected {length} values, got {len(array)}")
    return array


def _labels(labels: Any, argument: str) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, (Sequence, np.ndarray)):
        raise InvalidTypeError(f"{argument}: expected a sequence of labels, got {type(labels).__name__}")
    return [str(label) for label in labels]


def _title(title: Any) -> str:
    if not isinstance(title, str):
        raise InvalidTypeError(f"title: expected a string, got {type(title).__name__}")
    return title


def _bounded(value: int, argument: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= maximum:
        raise InvalidInputError(f"{argument}: expected an integer from 1 to {maximum}, got {value!r}")
    return int(value)


def _plural(n: int, word: str) -> str:
    return f"{format_count(n)} {word}{'' if n == 1 else 's'}"


def _chart(canvas: Canvas, title: str, notes: Sequence[str]) -> Chart:
    notes = tuple(n for n in notes if n)
    if notes:
        # The caption sits under the chart in a page; <desc> keeps it with the SVG on its own.
        canvas.element("desc", None, " ".join(notes))
    return Chart(canvas.to_string(), title, notes)


# -- histogram pair -------------------------------------------------------------------------


@dataclass(frozen=True)
class BinnedPair:
    """The binned distributions of one column in the reference and the current data.

    The input of :func:`histogram_pair`. Build it from raw values with :meth:`from_values`, or
    directly from counts an engine already has; :meth:`to_dict` / :meth:`from_dict` store it in
    a JSON card so the chart can be drawn again without the data.

    Parameters
    ----------
    kind : {"numeric", "categorical"}
        Numeric bins (``edges``) or categories (``categories``).
    edges : sequence of float
        The bin edges of a numeric column (one more than the counts), increasing.
    categories : sequence of str
        The category labels of a categorical column (one per count).
    reference, current : sequence of float
        The counts per bin or category.
    reference_missing, current_missing : int, default 0
        Values that are in no bin: missing, NaN or infinite (they are not drawn).
    other : int, default 0
        For a categorical column, how many rarer categories the last category (``"(other)"``)
        gathers.

    Raises
    ------
    InvalidInputError
        Counts of the wrong length, negative counts, edges not increasing.

    Examples
    --------
    >>> pair = BinnedPair("categorical", categories=["a", "b"], reference=[5, 5], current=[8, 2])
    >>> pair.reference_total, pair.current_total
    (10.0, 10.0)
    """

    kind: str
    reference: Sequence[float]
    current: Sequence[float]
    edges: Sequence[float] = ()
    categories: Sequence[str] = ()
    reference_missing: int = 0
    current_missing: int = 0
    other: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("numeric", "categorical"):
            raise InvalidInputError(f"kind: expected 'numeric' or 'categorical', got {self.kind!r}")
        reference = tuple(float(v) for v in _vector(self.reference, "reference"))
        current = tuple(float(v) for v in _vector(self.current, "current"))
        if len(reference) != len(current):
            raise InvalidInputError(f"current: expected {len(reference)} counts like reference, got {len(current)}")
        for name, counts in (("reference", reference), ("current", current)):
            if any(not (math.isfinite(c) and c >= 0) for c in counts):
                raise InvalidInputError(f"{name}: counts must be finite and non-negative")
        if self.kind == "numeric":
            edges = tuple(float(v) for v in _vector(self.edges, "edges"))
            if len(edges) != len(reference) + 1:
                raise InvalidInputError(
                    f"edges: expected {len(reference) + 1} edges (one more than the counts), got {len(edges)}"
                )
            if not all(math.isfinite(e) for e in edges) or any(b <= a for a, b in zip(edges, edges[1:])):
                raise InvalidInputError("edges: expected finite, strictly increasing values")
            object.__setattr__(self, "edges", edges)
            object.__setattr__(self, "categories", ())
        else:
            categories = tuple(_labels(self.categories, "categories"))
            if len(categories) != len(reference):
                raise InvalidInputError(
                    f"categories: expected {len(reference)} labels (one per count), got {len(categories)}"
                )
            object.__setattr__(self, "categories", categories)
            object.__setattr__(self, "edges", ())
        for name in ("reference_missing", "current_missing", "other"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise InvalidInputError(f"{name}: expected a non-negative integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        object.__setattr__(self, "reference", reference)
        object.__setattr__(self, "current", current)

    @property
    def reference_total(self) -> float:
        """The number of reference values in the bins."""
        return float(sum(self.reference))

    @property
    def current_total(self) -> float:
        """The number of current values in the bins."""
        return float(sum(self.current))

    @classmethod
    def from_values(
        cls,
        reference: Any,
        current: Any,
        *,
        bins: int | Sequence[float] = 30,
        kind: str | None = None,
        max_categories: int = 20,
    ) -> BinnedPair:
        """Bin the raw values of one column.

        Parameters
        ----------
        reference, current : array-like
            The column's values in each data set (numbers, or labels for a categorical column).
        bins : int or sequence of float, default 30
            The number of equal-width bins over the range of both sets together, or the edges.
        kind : {None, "numeric", "categorical"}
            Numeric when both inputs have a numeric dtype, categorical otherwise, unless given.
        max_categories : int, default 20
            The most frequent categories (over both sets) kept; the others form ``"(other)"``.

        Returns
        -------
        BinnedPair
            The counts. Non-finite numbers and missing labels (None, NaN) are counted as missing.

        Raises
        ------
        InvalidInputError
            ``bins`` or ``max_categories`` out of range.

        Examples
        --------
        >>> import numpy as np
        >>> pair = BinnedPair.from_values(np.arange(100.0), np.arange(50.0, 150.0), bins=10)
        >>> len(pair.edges), pair.reference_total
        (11, 100.0)
        """
        ref, cur = np.asarray(reference), np.asarray(current)
        if ref.ndim != 1 or cur.ndim != 1:
            raise InvalidInputError("reference: expected one-dimensional columns")
        if kind is None:
            numeric = all(a.dtype.kind in "iuf" for a in (ref, cur))
            kind = "numeric" if numeric else "categorical"
        if kind == "numeric":
            return cls._numeric(ref, cur, bins)
        if kind == "categorical":
            return cls._categorical(ref, cur, _bounded(max_categories, "max_categories", MAX_CATEGORIES))
        raise InvalidInputError(f"kind: expected None, 'numeric' or 'categorical', got {kind!r}")

    @classmethod
    def _numeric(cls, ref: np.ndarray, cur: np.ndarray, bins: int | Sequence[float]) -> BinnedPair:
        ref, cur = _vector(ref, "reference"), _vector(cur, "current")
        ref_finite, cur_finite = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
        if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
            n_bins = _bounded(bins, "bins", MAX_BINS)
            both = np.concatenate([ref_finite, cur_finite])
            if both.size == 0:
                edges = np.linspace(0.0, 1.0, n_bins + 1)
            else:
                low, high = float(both.min()), float(both.max())
                if high <= low:  # a constant column: one bin around the value
                    low, high, n_bins = low - 0.5, high + 0.5, 1
                edges = np.linspace(low, high, n_bins + 1)
        else:
            edges = _vector(bins, "bins")
            if len(edges) < 2 or len(edges) > MAX_BINS + 1:
                raise InvalidInputError(f"bins: expected 2 to {MAX_BINS + 1} edges, got {len(edges)}")
        ref_counts = np.histogram(ref_finite, bins=edges)[0]
        cur_counts = np.histogram(cur_finite, bins=edges)[0]
        # Finite values outside explicit edges are in no bin: they count as not drawn.
        return cls(
            "numeric",
            ref_counts.tolist(),
            cur_counts.tolist(),
            edges=edges.tolist(),
            reference_missing=int(ref.size - ref_counts.sum()),
            current_missing=int(cur.size - cur_counts.sum()),
        )

    @classmethod
    def _categorical(cls, ref: np.ndarray, cur: np.ndarray, max_categories: int) -> BinnedPair:
        def labels(values: np.ndarray) -> tuple[np.ndarray, int]:
            if values.dtype.kind == "f":
                present = ~np.isnan(values)
            elif values.dtype.kind == "O":
                # None and NaN are missing; `values != values` is true for NaN only.
                present = ~(np.equal(values, np.array(None)) | (values != values))
            else:
                present = np.ones(values.shape, dtype=bool)
            kept = values[present].astype(str)
            return kept, int(values.size - kept.size)

        ref_labels, ref_missing = labels(ref)
        cur_labels, cur_missing = labels(cur)
        names, inverse = np.unique(np.concatenate([ref_labels, cur_labels]), return_inverse=True)
        inverse = inverse.reshape(-1)
        ref_counts = np.bincount(inverse[: ref_labels.size], minlength=names.size)
        cur_counts = np.bincount(inverse[ref_labels.size :], minlength=names.size)
        # Most frequent first (over both sets), ties by label.
        order = np.lexsort((names, -(ref_counts + cur_counts)))
        keep, rest = order[:max_categories], order[max_categories:]
        categories = [str(n) for n in names[keep]]
        ref_kept, cur_kept = ref_counts[keep].tolist(), cur_counts[keep].tolist()
        if rest.size:
            categories.append("(other)")
            ref_kept.append(int(ref_counts[rest].sum()))
            cur_kept.append(int(cur_counts[rest].sum()))
        return cls(
            "categorical",
            ref_kept,
            cur_kept,
            categories=categories,
            reference_missing=ref_missing,
            current_missing=cur_missing,
            other=int(rest.size),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary (the inverse of :meth:`from_dict`).

        Returns
        -------
        dict
            The fields, with ``edges`` or ``categories`` depending on ``kind``.
        """
        data: dict[str, Any] = {"kind": self.kind, "reference": list(self.reference), "current": list(self.current)}
        if self.kind == "numeric":
            data["edges"] = list(self.edges)
        else:
            data["categories"] = list(self.categories)
            data["other"] = self.other
        data["reference_missing"] = self.reference_missing
        data["current_missing"] = self.current_missing
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BinnedPair:
        """Rebuild a pair from :meth:`to_dict`'s output.

        Parameters
        ----------
        data : mapping
            The dictionary.

        Returns
        -------
        BinnedPair
            The pair.

        Raises
        ------
        InvalidInputError
            A missing key or a field with an invalid value.
        """
        if not isinstance(data, Mapping):
            raise InvalidTypeError(f"data: expected a mapping, got {type(data).__name__}")
        for key in ("kind", "reference", "current"):
            if key not in data:
                raise InvalidInputError(f"data: missing key {key!r}")
        return cls(
            data["kind"],
            data["reference"],
            data["current"],
            edges=data.get("edges", ()),
            categories=data.get("categories", ()),
            reference_missing=data.get("reference_missing", 0),
            current_missing=data.get("current_missing", 0),
            other=data.get("other", 0),
        )


def _shares(counts: Sequence[float]) -> np.ndarray:
    array = np.asarray(counts, dtype=np.float64)
    total = array.sum()
    return array / total if total > 0 else np.zeros_like(array)


def _missing_note(pair: BinnedPair, labels: tuple[str, str]) -> str:
    parts = [
        f"{labels[i]}: {format_count(n)}" for i, n in enumerate((pair.reference_missing, pair.current_missing)) if n
    ]
    if not parts:
        return ""
    what = "missing, NaN or infinite values" if pair.kind == "numeric" else "missing values"
    return f"Not drawn: {what} ({', '.join(parts)})."


def histogram_pair(
    pair: BinnedPair,
    *,
    title: str,
    x_label: str | None = None,
    mode: str | None = None,
    labels: tuple[str, str] = ("reference", "current"),
    compact: bool = False,
) -> Chart:
    """The distributions of one column in the reference and the current data, as shares.

    Numeric columns are drawn as histograms (overlaid by default), categorical columns as
    horizontal bars side by side per category (the most frequent first).

    Parameters
    ----------
    pair : BinnedPair
        The counts (see :meth:`BinnedPair.from_values`).
    title : str
        The chart's title (usually the column's name).
    x_label : str, optional
        The label of the value axis of a numeric column.
    mode : {None, "overlay", "side"}
        Overlaid or side-by-side bars; numeric columns overlay and categorical ones go side by
        side when omitted.
    labels : (str, str), default ("reference", "current")
        The legend's names of the two data sets.
    compact : bool, default False
        A small chart without axes, title or legend, for a table cell.

    Returns
    -------
    Chart
        The chart; its caption counts the values not drawn.

    Raises
    ------
    InvalidInputError
        An unknown ``mode``.
    InvalidTypeError
        ``pair`` is not a :class:`BinnedPair`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pair = BinnedPair.from_values(rng.normal(size=1000), rng.normal(0.5, size=1000))
    >>> chart = histogram_pair(pair, title="age", x_label="years")
    >>> chart.svg.startswith("<svg")
    True
    """
    if not isinstance(pair, BinnedPair):
        raise InvalidTypeError(f"pair: expected a BinnedPair, got {type(pair).__name__}")
    title = _title(title)
    mode = mode or ("overlay" if pair.kind == "numeric" else "side")
    if mode not in ("overlay", "side"):
        raise InvalidInputError(f"mode: expected 'overlay' or 'side', got {mode!r}")
    names = (str(labels[0]), str(labels[1]))
    ref, cur = _shares(pair.reference), _shares(pair.current)
    notes = [_missing_note(pair, names)]
    if pair.other:
        notes.append(f"(other) gathers {_plural(pair.other, 'rarer category')}.")
    if compact:
        canvas = _histogram_compact(pair, ref, cur, title)
        return _chart(canvas, title, notes)
    if pair.kind == "categorical":
        canvas = _categorical_bars(pair, ref, cur, title, names, mode)
    else:
        canvas = _numeric_histogram(pair, ref, cur, title, x_label, names, mode)
    if pair.reference_total == 0 or pair.current_total == 0:
        empty = [names[i] for i, t in enumerate((pair.reference_total, pair.current_total)) if t == 0]
        notes.append(f"No values to draw for {' and '.join(empty)}.")
    return _chart(canvas, title, notes)


def _numeric_histogram(
    pair: BinnedPair,
    ref: np.ndarray,
    cur: np.ndarray,
    title: str,
    x_label: str | None,
    names: tuple[str, str],
    mode: str,
) -> Canvas:
    height, left, right, top, bottom = 260.0, 52.0, 16.0, 40.0, 42.0
    canvas = Canvas(WIDTH, height, title)
    canvas.legend([(names[0], REFERENCE), (names[1], CURRENT)], WIDTH - right, 8.0, opacity=0.7)
    edges = np.asarray(pair.edges)
    x = Scale(float(edges[0]), float(edges[-1]), left, WIDTH - right)
    y_low, y_high = nice_domain(0.0, float(max(ref.max(initial=0.0), cur.max(initial=0.0), 1e-12)))
    y = Scale(0.0, y_high, height - bottom, top)
    canvas.y_axis(y, nice_ticks(0.0, y_high, 4), left, WIDTH - right, "share of rows", percent=True)
    x_ticks = [t for t in nice_ticks(float(edges[0]), float(edges[-1]), 6) if edges[0] <= t <= edges[-1]]
    canvas.x_axis(x, x_ticks, height - bottom, top, x_label)
    lefts, rights = x(edges[:-1]), x(edges[1:])
    widths = np.maximum(rights - lefts - 0.6, 0.4)
    for shares, colour, index in ((ref, REFERENCE, 0), (cur, CURRENT, 1)):
        bars = canvas.group(fill=colour, fill_opacity=0.55 if mode == "overlay" else 0.85)
        for i in np.flatnonzero(shares > 0):
            bar_left, bar_width = float(lefts[i]), float(widths[i])
            if mode == "side":
                bar_width /= 2
                bar_left += index * bar_width
            top_y = float(y(shares[i]))
            canvas.rect(bar_left, top_y, bar_width, height - bottom - top_y, parent=bars)
    return canvas


def _categorical_bars(
    pair: BinnedPair,
    ref: np.ndarray,
    cur: np.ndarray,
    title: str,
    names: tuple[str, str],
    mode: str,
) -> Canvas:
    labels = [shorten(c, 28) for c in pair.categories]
    left = 12.0 + max((text_width(label) for label in labels), default=20.0)
    right, top, row = 16.0, 40.0, 22.0
    height = top + row * max(len(labels), 1) + 40.0
    canvas = Canvas(WIDTH, height, title)
    canvas.legend([(names[0], REFERENCE), (names[1], CURRENT)], WIDTH - right, 8.0)
    x_high = nice_domain(0.0, float(max(ref.max(initial=0.0), cur.max(initial=0.0), 1e-12)))[1]
    x = Scale(0.0, x_high, left, WIDTH - right)
    plot_bottom = top + row * len(labels)
    canvas.x_axis(x, nice_ticks(0.0, x_high, 5), plot_bottom, top, "share of rows", percent=True)
    bars = canvas.group()
    for i, (label, full) in enumerate(zip(labels, pair.categories)):
        row_top = top + i * row
        canvas.text(left - 6, row_top + row / 2 + 4, label, anchor="end", tooltip=full)
        for index, (shares, colour) in enumerate(((ref, REFERENCE), (cur, CURRENT))):
            if mode == "side":
                bar_y, bar_h = row_top + 3 + index * (row - 6) / 2, (row - 6) / 2
            else:
                bar_y, bar_h = row_top + 3, row - 6
            node = canvas.rect(
                left,
                bar_y,
                float(x(shares[i])) - left,
                bar_h,
                parent=bars,
                fill=colour,
                fill_opacity=0.55 if mode == "overlay" else 0.85,
            )
            count = (pair.reference, pair.current)[index][i]
            canvas.element(
                "title", node, f"{full}, {names[index]}: {format_percent(shares[i])} ({format_count(count)})"
            )
    return canvas


def _histogram_compact(pair: BinnedPair, ref: np.ndarray, cur: np.ndarray, title: str) -> Canvas:
    width, height = 180.0, 44.0
    canvas = Canvas(width, height, title, compact=True)
    n = len(ref)
    if n == 0:
        return canvas
    high = float(max(ref.max(initial=0.0), cur.max(initial=0.0), 1e-12))
    step = (width - 2) / n
    for shares, colour, index in ((ref, REFERENCE, 0), (cur, CURRENT, 1)):
        bars = canvas.group(fill=colour, fill_opacity=0.8)
        for i in np.flatnonzero(shares > 0):
            bar_h = (height - 4) * float(shares[i]) / high
            if pair.kind == "numeric":
                canvas.rect(
                    1 + i * step, height - 2 - bar_h, max(step - 0.4, 0.4), bar_h, parent=bars, fill_opacity=0.5
                )
            else:
                canvas.rect(
                    1 + i * step + index * step / 2, height - 2 - bar_h, max(step / 2 - 0.4, 0.4), bar_h, parent=bars
                )
    canvas.line(1.0, height - 1.5, width - 1, height - 1.5, GRID)
    return canvas


# -- bars with intervals ------------------------------------------------------------------


def _bars(
    labels: list[str],
    values: np.ndarray,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    *,
    title: str,
    value_label: str | None,
    reference_line: float | None,
    reference_label: str | None,
    percent: bool,
    notes: list[str],
) -> Chart:
    shown = [shorten(label, 32) for label in labels]
    left = 14.0 + max((text_width(label) for label in shown), default=20.0)
    right, top, row = 70.0, 40.0, 22.0
    height = top + row * max(len(labels), 1) + 44.0
    canvas = Canvas(WIDTH, height, title)
    finite = np.isfinite(values)
    lo = np.where(np.isfinite(lower), lower, np.nan) if lower is not None else np.full_like(values, np.nan)
    hi = np.where(np.isfinite(upper), upper, np.nan) if upper is not None else np.full_like(values, np.nan)
    extent = [0.0, *values[finite].tolist(), *lo[np.isfinite(lo)].tolist(), *hi[np.isfinite(hi)].tolist()]
    if reference_line is not None and math.isfinite(reference_line):
        extent.append(float(reference_line))
    x_low, x_high = nice_domain(min(extent), max(extent))
    x = Scale(x_low, x_high, left, WIDTH - right)
    plot_bottom = top + row * len(labels)
    canvas.x_axis(x, nice_ticks(x_low, x_high, 5), plot_bottom, top, value_label, percent=percent)
    zero = float(x(0.0))
    bars, whiskers = canvas.group(fill=REFERENCE, fill_opacity=0.8), canvas.group(stroke=INK, stroke_width=1.2)
    undefined, no_interval = [], []
    for i, (label, full) in enumerate(zip(shown, labels)):
        middle = top + i * row + row / 2
        canvas.text(left - 6, middle + 4, label, anchor="end", tooltip=full)
        if not finite[i]:
            undefined.append(full)
            canvas.text(zero + 4, middle + 4, "NaN (not drawn)", color=MUTED)
            continue
        end = float(x(values[i]))
        node = canvas.rect(min(zero, end), middle - 7, abs(end - zero), 14.0, parent=bars)
        has_interval = bool(np.isfinite(lo[i]) and np.isfinite(hi[i]))
        text = format_percent(values[i]) if percent else format_number(values[i], 3)
        if has_interval:
            a, b = float(x(lo[i])), float(x(hi[i]))
            canvas.line(a, middle, b, middle, INK, parent=whiskers)
            canvas.line(a, middle - 4, a, middle + 4, INK, parent=whiskers)
            canvas.line(b, middle - 4, b, middle + 4, INK, parent=whiskers)
            bounds = (
                (format_percent(lo[i]), format_percent(hi[i]))
                if percent
                else (format_number(lo[i], 3), format_number(hi[i], 3))
            )
            text_tip = f"{full}: {text} [{bounds[0]}, {bounds[1]}]"
        else:
            if lower is not None or upper is not None:
                no_interval.append(full)
            text_tip = f"{full}: {text}"
        canvas.element("title", node, text_tip)
        label_x = max(end, float(x(hi[i])) if has_interval else end)
        canvas.text(label_x + 5, middle + 4, text, color=MUTED, size=10)
    if reference_line is not None and math.isfinite(reference_line):
        rx = float(x(reference_line))
        canvas.line(rx, top - 4, rx, plot_bottom, CURRENT, stroke_width=1.5, stroke_dasharray="5 3")
        if reference_label:
            canvas.text(rx, top - 7, reference_label, anchor="middle", color=CURRENT, size=10)
    if undefined:
        notes.append(f"Not drawn (value undefined): {', '.join(undefined[:10])}{' …' if len(undefined) > 10 else ''}.")
    if no_interval:
        notes.append(f"No interval: {', '.join(no_interval[:10])}{' …' if len(no_interval) > 10 else ''}.")
    if lower is not None and upper is not None:
        notes.insert(0, "Whiskers show the interval.")
    return _chart(canvas, title, notes)


def bar_with_intervals(
    labels: Sequence[Any],
    values: Any,
    lower: Any = None,
    upper: Any = None,
    *,
    title: str,
    value_label: str | None = None,
    reference_line: float | None = None,
    reference_label: str | None = None,
    percent: bool = False,
    max_bars: int = 40,
) -> Chart:
    """A metric per group as horizontal bars with interval whiskers and an optional reference line.

    Parameters
    ----------
    labels : sequence
        The group names, one per bar.
    values : array-like of float
        The metric per group; NaN groups are listed as not drawn.
    lower, upper : array-like of float, optional
        The interval per group (whiskers); NaN bounds draw no whisker.
    title : str
        The chart's title.
    value_label : str, optional
        The label of the value axis.
    reference_line : float, optional
        A dashed vertical line, e.g. 0.8 for the four-fifths rule.
    reference_label : str, optional
        The reference line's label.
    percent : bool, default False
        Show values as percentages.
    max_bars : int, default 40
        The first ``max_bars`` groups are drawn (at most 60); the caption counts the rest.

    Returns
    -------
    Chart
        The chart.

    Raises
    ------
    InvalidInputError
        Inputs of different lengths, ``max_bars`` out of range.

    Examples
    --------
    >>> chart = bar_with_intervals(["a", "b"], [0.9, 0.7], [0.85, 0.6], [0.95, 0.8], title="ratio",
    ...                            reference_line=0.8, reference_label="four-fifths")
    >>> "four-fifths" in chart.svg
    True
    """
    title = _title(title)
    names = _labels(labels, "labels")
    array = _vector(values, "values")
    if len(array) != len(names):
        raise InvalidInputError(f"values: expected {len(names)} values (one per label), got {len(array)}")
    low, high = _optional_vector(lower, "lower", len(names)), _optional_vector(upper, "upper", len(names))
    limit = _bounded(max_bars, "max_bars", MAX_BARS)
    notes = []
    if len(names) > limit:
        notes.append(f"{_plural(len(names) - limit, 'more group')} not shown.")
    return _bars(
        names[:limit],
        array[:limit],
        None if low is None else low[:limit],
        None if high is None else high[:limit],
        title=title,
        value_label=value_label,
        reference_line=None if reference_line is None else float(reference_line),
        reference_label=reference_label,
        percent=percent,
        notes=notes,
    )


def importance_bars(
    features: Sequence[Any],
    importance: Any,
    lower: Any = None,
    upper: Any = None,
    *,
    title: str = "Feature importance",
    value_label: str | None = "mean |SHAP value|",
    max_features: int = 20,
) -> Chart:
    """Global importance per feature (mean |SHAP|), largest first, with interval whiskers.

    Parameters
    ----------
    features : sequence
        The feature names.
    importance : array-like of float
        The importance per feature; NaN features are listed as not drawn.
    lower, upper : array-like of float, optional
        The interval per feature.
    title : str, default "Feature importance"
        The chart's title.
    value_label : str, default "mean |SHAP value|"
        The label of the value axis.
    max_features : int, default 20
        The most important features drawn (at most 60); the caption counts the rest.

    Returns
    -------
    Chart
        The chart.

    Raises
    ------
    InvalidInputError
        Inputs of different lengths, ``max_features`` out of range.

    Examples
    --------
    >>> chart = importance_bars(["age", "income", "height"], [0.1, 0.5, 0.2])
    >>> chart.svg.index(">income<") < chart.svg.index(">height<") < chart.svg.index(">age<")
    True
    """
    title = _title(title)
    names = _labels(features, "features")
    array = _vector(importance, "importance")
    if len(array) != len(names):
        raise InvalidInputError(f"importance: expected {len(names)} values (one per feature), got {len(array)}")
    low, high = _optional_vector(lower, "lower", len(names)), _optional_vector(upper, "upper", len(names))
    limit = _bounded(max_features, "max_features", MAX_BARS)
    # Largest first, NaN last, ties in the given order.
    key = np.where(np.isfinite(array), -array, np.inf)
    order = np.argsort(key, kind="stable")[:limit]
    notes = []
    if len(names) > limit:
        rest = np.argsort(key, kind="stable")[limit:]
        rest_total = float(np.sum(array[rest][np.isfinite(array[rest])]))
        notes.append(
            f"{_plural(len(names) - limit, 'more feature')} not shown (their total: {format_number(rest_total, 3)})."
        )
    return _bars(
        [names[i] for i in order],
        array[order],
        None if low is None else low[order],
        None if high is None else high[order],
        title=title,
        value_label=value_label,
        reference_line=None,
        reference_label=None,
        percent=False,
        notes=notes,
    )


# -- line -----------------------------------------------------------------------------------


def _bucket_means(values: np.ndarray, size: int) -> np.ndarray:
    """Means of consecutive buckets of ``size`` values, ignoring NaN (NaN for an all-NaN bucket)."""
    n_buckets = -(-len(values) // size)
    padded = np.full(n_buckets * size, np.nan)
    padded[: len(values)] = values
    blocks = padded.reshape(n_buckets, size)
    finite = np.isfinite(blocks)
    counts = finite.sum(axis=1)
    sums = np.where(finite, blocks, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(n_buckets, np.nan), where=counts > 0)


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    """A polyline through the finite points, broken where a value is missing."""
    parts, pen_down = [], False
    for px, py, ok in zip(xs.tolist(), ys.tolist(), np.isfinite(ys).tolist()):
        if not ok:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{num(px)} {num(py)}")
        pen_down = True
    return "".join(parts)


def line(
    x: Sequence[Any],
    y: Any,
    *,
    title: str,
    lower: Any = None,
    upper: Any = None,
    x_label: str | None = None,
    y_label: str | None = None,
    label: str = "value",
    band_label: str = "interval",
    threshold: float | None = None,
    threshold_label: str | None = None,
    percent: bool = False,
) -> Chart:
    """A series over chunks (or time), with an optional band and threshold line.

    Parameters
    ----------
    x : sequence
        The positions: numbers, or labels (chunk names, dates as text) placed evenly.
    y : array-like of float
        The series; NaN breaks the line and is counted in the caption.
    title : str
        The chart's title.
    lower, upper : array-like of float, optional
        A band around the series (e.g. the reference's interval).
    x_label, y_label : str, optional
        The axis labels.
    label, band_label : str
        The legend's names of the series and the band.
    threshold : float, optional
        A dashed horizontal line (e.g. the alert threshold).
    threshold_label : str, optional
        The threshold's label.
    percent : bool, default False
        Show the values as percentages.

    Returns
    -------
    Chart
        The chart. More than 1,000 points are drawn as the means of equal consecutive buckets,
        which the caption says.

    Raises
    ------
    InvalidInputError
        Inputs of different lengths.

    Examples
    --------
    >>> chart = line(["2024-01", "2024-02", "2024-03"], [0.1, 0.3, float("nan")], title="drift share",
    ...              threshold=0.25)
    >>> chart.notes
    ('1 value not drawn (NaN or infinite).',)
    """
    title = _title(title)
    values = _vector(y, "y")
    n = len(values)
    positions: np.ndarray
    tick_names: list[str] | None = None
    x_array = np.asarray(x)
    if x_array.ndim != 1 or len(x_array) != n:
        raise InvalidInputError(f"x: expected {n} positions (one per value), got {x_array.size}")
    if x_array.dtype.kind in "iuf":
        positions = x_array.astype(np.float64)
        if not np.all(np.isfinite(positions)):
            raise InvalidInputError("x: expected finite positions")
    else:
        positions, tick_names = np.arange(n, dtype=np.float64), [str(v) for v in x_array.tolist()]
    low, high = _optional_vector(lower, "lower", n), _optional_vector(upper, "upper", n)
    notes = []
    bad = int(np.count_nonzero(~np.isfinite(values)))
    if bad:
        notes.append(f"{_plural(bad, 'value')} not drawn (NaN or infinite).")
    if n > MAX_LINE_POINTS:
        size = -(-n // MAX_LINE_POINTS)
        values = _bucket_means(values, size)
        positions = _bucket_means(positions, size)
        low = None if low is None else _bucket_means(low, size)
        high = None if high is None else _bucket_means(high, size)
        if tick_names is not None:
            tick_names = tick_names[::size]
        notes.append(f"Each point is the mean of {format_count(size)} consecutive values ({format_count(n)} in all).")
    height, left, right, top, bottom = 260.0, 56.0, 16.0, 40.0, 42.0
    canvas = Canvas(WIDTH, height, title)
    legend = [(label, CURRENT)]
    if low is not None and high is not None:
        legend.insert(0, (band_label, REFERENCE))
    canvas.legend(legend, WIDTH - right, 8.0, opacity=0.8)
    extent = [float(v) for arr in (values, low, high) if arr is not None for v in arr[np.isfinite(arr)]]
    if threshold is not None and math.isfinite(threshold):
        extent.append(float(threshold))
    if not extent or len(positions) == 0:
        canvas.message("no finite values to draw")
        return _chart(canvas, title, notes)
    y_low, y_high = nice_domain(min(extent), max(extent), 4)
    y_scale = Scale(y_low, y_high, height - bottom, top)
    x_scale = Scale(float(positions.min()), float(positions.max()), left + 6, WIDTH - right - 6)
    canvas.y_axis(y_scale, nice_ticks(y_low, y_high, 4), left, WIDTH - right, y_label, percent=percent)
    if tick_names is None:
        canvas.x_axis(
            x_scale, nice_ticks(float(positions.min()), float(positions.max()), 6), height - bottom, top, x_label
        )
    else:
        every = max(1, math.ceil(len(tick_names) * 60 / (WIDTH - left - right)))
        axis = canvas.group(font_size=10.0, fill=MUTED)
        for i in range(0, len(tick_names), every):
            canvas.text(
                float(x_scale(positions[i])),
                height - bottom + 13,
                shorten(tick_names[i], 10),
                anchor="middle",
                parent=axis,
                tooltip=tick_names[i],
            )
        canvas.line(left, height - bottom, WIDTH - right, height - bottom, MUTED)
        if x_label:
            canvas.text((left + WIDTH - right) / 2, height - bottom + 28, x_label, anchor="middle", color=MUTED)
    xs = x_scale(positions)
    if low is not None and high is not None:
        ok = np.isfinite(low) & np.isfinite(high)
        # One polygon per run of points where both bounds are known.
        runs = np.split(np.arange(len(ok)), np.flatnonzero(np.diff(ok.astype(np.int8))) + 1)
        band = canvas.group(fill=REFERENCE, fill_opacity=0.18)
        for run in runs:
            if run.size and ok[run[0]]:
                top_edge = " ".join(f"{num(a)},{num(b)}" for a, b in zip(xs[run], y_scale(high[run])))
                bottom_edge = " ".join(f"{num(a)},{num(b)}" for a, b in zip(xs[run][::-1], y_scale(low[run][::-1])))
                canvas.element("polygon", band, points=f"{top_edge} {bottom_edge}")
    if threshold is not None and math.isfinite(threshold):
        ty = float(y_scale(threshold))
        canvas.line(left, ty, WIDTH - right, ty, "#c4122f", stroke_width=1.2, stroke_dasharray="5 3")
        if threshold_label:
            canvas.text(WIDTH - right - 4, ty - 4, threshold_label, anchor="end", color="#c4122f", size=10)
    ys = y_scale(values)
    canvas.element(
        "path", None, d=_path(xs, ys), fill="none", stroke=CURRENT, stroke_width=2.0, stroke_linejoin="round"
    )
    if len(values) <= 60:
        dots = canvas.group(fill=CURRENT)
        for px, py, v in zip(xs.tolist(), ys.tolist(), values.tolist()):
            if math.isfinite(v):
                dot = canvas.element("circle", dots, cx=float(px), cy=float(py), r=3.0)
                canvas.element("title", dot, format_percent(v) if percent else format_number(v))
    return _chart(canvas, title, notes)


# -- reliability curve ----------------------------------------------------------------------


def reliability_curve(
    mean_predicted: Any,
    observed: Any,
    *,
    title: str = "Calibration",
    lower: Any = None,
    upper: Any = None,
    counts: Any = None,
    label: str = "model",
) -> Chart:
    """A reliability diagram: the observed rate against the mean predicted probability per bin.

    Parameters
    ----------
    mean_predicted : array-like of float
        The mean predicted probability per bin, in [0, 1].
    observed : array-like of float
        The observed share of positives per bin, in [0, 1].
    title : str, default "Calibration"
        The chart's title.
    lower, upper : array-like of float, optional
        An interval of the observed share per bin (whiskers).
    counts : array-like of float, optional
        Rows per bin (shown when hovering a point).
    label : str, default "model"
        The legend's name of the curve.

    Returns
    -------
    Chart
        The chart with the diagonal of perfect calibration; empty (NaN) bins are not drawn.

    Raises
    ------
    InvalidInputError
        Inputs of different lengths, or finite values outside [0, 1].

    Examples
    --------
    >>> chart = reliability_curve([0.1, 0.5, 0.9], [0.12, 0.45, float("nan")])
    >>> chart.notes
    ('1 bin not drawn (NaN or infinite).',)
    """
    title = _title(title)
    predicted = _vector(mean_predicted, "mean_predicted")
    rate = _vector(observed, "observed")
    if len(rate) != len(predicted):
        raise InvalidInputError(f"observed: expected {len(predicted)} values like mean_predicted, got {len(rate)}")
    low, high = _optional_vector(lower, "lower", len(predicted)), _optional_vector(upper, "upper", len(predicted))
    sizes = _optional_vector(counts, "counts", len(predicted))
    for name, arr in (("mean_predicted", predicted), ("observed", rate), ("lower", low), ("upper", high)):
        if arr is not None and np.any((arr < 0) | (arr > 1)):
            raise InvalidInputError(f"{name}: expected values in [0, 1] (probabilities)")
    size, left, top = 300.0, 52.0, 40.0
    width, height = left + size + 140.0, top + size + 44.0
    canvas = Canvas(width, height, title)
    canvas.legend([(label, CURRENT), ("perfectly calibrated", MUTED)], width - 8, 8.0)
    x = Scale(0.0, 1.0, left, left + size)
    y = Scale(0.0, 1.0, top + size, top)
    ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    canvas.x_axis(x, ticks, top + size, top, "mean predicted probability")
    canvas.y_axis(y, ticks, left, left + size, "observed share of positives")
    canvas.line(x(0.0), y(0.0), x(1.0), y(1.0), MUTED, stroke_dasharray="4 3")
    ok = np.isfinite(predicted) & np.isfinite(rate)
    notes = []
    if np.count_nonzero(~ok):
        notes.append(f"{_plural(int(np.count_nonzero(~ok)), 'bin')} not drawn (NaN or infinite).")
    if low is not None and high is not None:
        whiskers = canvas.group(stroke=CURRENT, stroke_width=1.2)
        for i in np.flatnonzero(ok & np.isfinite(low) & np.isfinite(high)):
            px = float(x(predicted[i]))
            canvas.line(px, float(y(low[i])), px, float(y(high[i])), CURRENT, parent=whiskers)
        notes.insert(0, "Whiskers show the interval of the observed share.")
    xs, ys = x(predicted), y(np.where(ok, rate, np.nan))
    canvas.element("path", None, d=_path(xs, ys), fill="none", stroke=CURRENT, stroke_width=2.0)
    dots = canvas.group(fill=CURRENT)
    for i in np.flatnonzero(ok)[:MAX_LINE_POINTS]:
        dot = canvas.element("circle", dots, cx=float(xs[i]), cy=float(ys[i]), r=3.5)
        tip = f"mean predicted {format_number(predicted[i], 3)}, observed {format_number(rate[i], 3)}"
        if sizes is not None:
            tip += f", {format_count(sizes[i])} rows"
        canvas.element("title", dot, tip)
    return _chart(canvas, title, notes)


# -- beeswarm -------------------------------------------------------------------------------


def _colour_levels(data: np.ndarray) -> np.ndarray:
    """Per column, the colour level (0..8) of each value between the column's 5th and 95th
    percentiles, -1 for a missing value. Clipping to the percentiles follows shap's beeswarm, so
    that one outlier does not wash out the colours."""
    finite = np.isfinite(data)
    masked = np.where(finite, data, np.nan)
    masked[:, ~finite.any(axis=0)] = 0.0  # no finite value: every level stays -1; avoids a warning
    low, high = np.nanpercentile(masked, [5.0, 95.0], axis=0)
    span = np.where(high > low, high - low, 1.0)
    scaled = np.where(high > low, np.clip((np.where(finite, data, 0.0) - low) / span, 0.0, 1.0), 0.5)
    return np.where(finite, np.rint(scaled * (len(_VALUE_COLOURS) - 1)).astype(np.int64), -1)


def beeswarm(
    values: Any,
    feature_values: Any = None,
    feature_names: Sequence[Any] | None = None,
    *,
    title: str = "SHAP values",
    value_label: str | None = "SHAP value (impact on the model's output)",
    max_features: int = 20,
    max_rows: int = 300,
    seed: int = 0,
) -> Chart:
    """SHAP values per feature as dots, coloured by the feature's value (shap's beeswarm).

    Features are ordered by mean |SHAP| (largest on top). At most ``max_rows`` rows are drawn,
    a uniform random sample with a fixed seed, so the chart's size is bounded whatever the
    number of rows; the caption says how many were drawn.

    Parameters
    ----------
    values : array-like of shape (n_rows, n_features)
        The SHAP values.
    feature_values : array-like of shape (n_rows, n_features), optional
        The feature values that colour the dots (low blue, high red, clipped to each feature's
        5th–95th percentiles; missing values grey). One colour when omitted.
    feature_names : sequence, optional
        The feature names (``feature 0``, ... when omitted).
    title : str, default "SHAP values"
        The chart's title.
    value_label : str, optional
        The label of the value axis.
    max_features : int, default 20
        The most important features drawn (at most 40).
    max_rows : int, default 300
        The most rows drawn per feature (at most 2,000).
    seed : int, default 0
        The seed of the row sample.

    Returns
    -------
    Chart
        The chart.

    Raises
    ------
    InvalidInputError
        Shapes that do not match, limits out of range.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> data = rng.normal(size=(1000, 3))
    >>> chart = beeswarm(data * [1.0, 0.2, 0.5], data, ["a", "b", "c"], max_rows=200)
    >>> chart.notes[0]
    'Showing 200 of 1,000 rows (a random sample, seed 0).'
    """
    title = _title(title)
    try:
        shap_values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidTypeError("values: expected numbers") from None
    if shap_values.ndim != 2:
        raise InvalidInputError(
            f"values: expected a two-dimensional array (rows x features), got {shap_values.ndim} dimensions"
        )
    n_rows, n_features = shap_values.shape
    data = None
    if feature_values is not None:
        try:
            data = np.asarray(feature_values, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidTypeError("feature_values: expected numbers (encode categories as codes)") from None
        if data.shape != shap_values.shape:
            raise InvalidInputError(f"feature_values: expected shape {shap_values.shape} like values, got {data.shape}")
    names = (
        _labels(feature_names, "feature_names")
        if feature_names is not None
        else [f"feature {j}" for j in range(n_features)]
    )
    if len(names) != n_features:
        raise InvalidInputError(
            f"feature_names: expected {n_features} names (one per column of values), got {len(names)}"
        )
    feature_limit = _bounded(max_features, "max_features", MAX_BEESWARM_FEATURES)
    row_limit = _bounded(max_rows, "max_rows", MAX_BEESWARM_ROWS)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidTypeError(f"seed: expected an integer, got {type(seed).__name__}")
    notes = []
    if n_rows > row_limit:
        rows = np.sort(np.random.default_rng(int(seed)).choice(n_rows, size=row_limit, replace=False))
        shap_values = shap_values[rows]
        data = None if data is None else data[rows]
        notes.append(
            f"Showing {format_count(row_limit)} of {format_count(n_rows)} rows (a random sample, seed {seed})."
        )
    finite = np.isfinite(shap_values)
    magnitude = np.where(finite, np.abs(shap_values), 0.0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
    order = np.argsort(-magnitude, kind="stable")[:feature_limit]
    if n_features > feature_limit:
        notes.append(f"{_plural(n_features - feature_limit, 'less important feature')} not shown.")
    shown = shap_values[:, order]
    ok = np.isfinite(shown)
    if np.count_nonzero(~ok):
        notes.append(f"{_plural(int(np.count_nonzero(~ok)), 'value')} not drawn (NaN or infinite).")
    labels = [shorten(names[j], 28) for j in order]
    left = 14.0 + max((text_width(label) for label in labels), default=20.0)
    legend_width = 70.0 if data is not None else 16.0
    right, top, row = legend_width, 34.0, 26.0
    height = top + row * max(len(order), 1) + 44.0
    canvas = Canvas(WIDTH, height, title)
    if n_rows == 0 or n_features == 0 or not ok.any():
        canvas.message("no finite values to draw")
        return _chart(canvas, title, notes)
    extent = float(np.max(np.abs(shown[ok])))
    x_low, x_high = nice_domain(-extent, extent) if extent > 0 else (-1.0, 1.0)
    x = Scale(x_low, x_high, left, WIDTH - right)
    plot_bottom = top + row * len(order)
    canvas.x_axis(x, nice_ticks(x_low, x_high, 6), plot_bottom, top, value_label)
    canvas.line(x(0.0), top, x(0.0), plot_bottom, MUTED)
    for i, j in enumerate(order):
        canvas.text(left - 6, top + i * row + row / 2 + 4, labels[i], anchor="end", tooltip=names[j])
    # Dot positions, all features at once: x from the value; y jittered so that dots in the
    # same 3px column of a feature's row stack outwards from the row's middle (shap's layout).
    feature_index = np.broadcast_to(np.arange(len(order)), shown.shape)[ok]
    px = x(shown[ok])
    column = np.floor((px - left) / 3.0).astype(np.int64)
    key = feature_index * 100_000 + column
    sort = np.argsort(key, kind="stable")
    sorted_key = key[sort]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    rank = np.empty_like(sort)
    rank[sort] = np.arange(sort.size) - np.repeat(starts, np.diff(np.r_[starts, sort.size]))
    offset = np.minimum((rank + 1) // 2 * 2.2, row * 0.42) * np.where(rank % 2 == 1, -1.0, 1.0)
    py = top + feature_index * row + row / 2 + offset
    levels = _colour_levels(data[:, order])[ok] if data is not None else np.full(px.shape, len(_VALUE_COLOURS) // 2)
    # One path per colour: each dot is a zero-length segment with a round cap, far smaller
    # than one <circle> per dot.
    palette = _VALUE_COLOURS if data is not None else (CURRENT,) * len(_VALUE_COLOURS)
    for level in range(-1, len(_VALUE_COLOURS)):
        chosen = levels == level
        if not chosen.any():
            continue
        colour = _MISSING_COLOUR if level < 0 else palette[level]
        d = "".join(f"M{num(a)} {num(b)}h0" for a, b in zip(px[chosen].tolist(), py[chosen].tolist()))
        canvas.element(
            "path", None, d=d, stroke=colour, stroke_width=4.0, stroke_linecap="round", stroke_opacity=0.85, fill="none"
        )
    if data is not None:
        bar_x, bar_top, step = WIDTH - right + 22, top + 10, 12.0
        for k, colour in enumerate(reversed(_VALUE_COLOURS)):
            canvas.rect(bar_x, bar_top + k * step, 10.0, step, fill=colour)
        bar_bottom = bar_top + step * len(_VALUE_COLOURS)
        canvas.text(bar_x + 14, bar_top + 8, "high", color=MUTED, size=10)
        canvas.text(bar_x + 14, bar_bottom, "low", color=MUTED, size=10)
        canvas.text(bar_x + 5, bar_bottom + 16, "feature value", anchor="middle", color=MUTED, size=10)
        if np.any(levels < 0):
            notes.append("Grey dots: the feature value is missing.")
    return _chart(canvas, title, notes)
