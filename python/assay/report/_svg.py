"""A small SVG writer for the charts: elements, linear scales, tick positions, label fitting.

Elements are built with :mod:`xml.etree.ElementTree`, which escapes every text and attribute,
so a column named ``<script>`` is drawn as text and never read as markup.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from ._format import format_number, format_percent

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1f2328"
MUTED = "#59636e"
GRID = "#e4e8ec"
REFERENCE = "#4c78a8"  # blue and orange stay apart for the common colour-vision deficiencies
CURRENT = "#f58518"
CHAR_WIDTH = 6.2  # mean advance of an 11px sans-serif character, for laying out labels


def num(value: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0`` (keeps the markup small)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def shorten(label: str, limit: int) -> str:
    """The label cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: max(1, limit - 1)] + "…"


def text_width(label: str) -> float:
    """An estimate of a label's width in pixels at 11px."""
    return CHAR_WIDTH * len(label)


class Scale:
    """A linear map from a data interval onto a pixel interval."""

    def __init__(self, low: float, high: float, start: float, stop: float) -> None:
        if not high > low:
            low, high = low - 0.5, low + 0.5
        self.low, self.high, self.start, self.stop = low, high, start, stop

    def __call__(self, value: Any) -> Any:
        return self.start + (value - self.low) * (self.stop - self.start) / (self.high - self.low)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + len(ticks) * step
    return ticks


def nice_domain(low: float, high: float, count: int = 5) -> tuple[float, float]:
    """``[low, high]`` widened to the enclosing round tick values."""
    if high <= low:
        return (low - 0.5, low + 0.5) if low != 0 else (0.0, 1.0)
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step


def tick_label(value: float, percent: bool = False) -> str:
    """A tick's label: three significant digits, or a whole percentage."""
    if percent:
        return format_percent(value, digits=0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1)
    return format_number(value, digits=3)


class Canvas:
    """An ``<svg>`` element under construction."""

    def __init__(self, width: float, height: float, title: str, *, compact: bool = False) -> None:
        self.width, self.height = width, height
        self.root = ET.Element(
            "svg",
            {
                "viewBox": f"0 0 {num(width)} {num(height)}",
                "width": num(width),
                "height": num(height),
                "role": "img",
                "class": "assay-chart",
                "font-family": FONT,
                "font-size": "11",
                "fill": INK,
            },
        )
        ET.SubElement(self.root, "title").text = title
        if not compact:
            self.text(8, 16, shorten(title, int((width - 16) / 7.2)), size=13, weight="600")

    def element(self, tag: str, parent: ET.Element | None = None, text: str | None = None, **attrs: Any) -> ET.Element:
        """Add an element; keyword names use ``_`` for ``-`` (``stroke_width``)."""
        attrib = {k.replace("_", "-"): (num(v) if isinstance(v, float) else str(v)) for k, v in attrs.items()}
        node = ET.SubElement(self.root if parent is None else parent, tag, attrib)
        if text is not None:
            node.text = text
        return node

    def group(self, **attrs: Any) -> ET.Element:
        return self.element("g", **attrs)

    def text(
        self,
        x: float,
        y: float,
        label: str,
        *,
        anchor: str = "start",
        size: float | None = None,
        weight: str | None = None,
        color: str | None = None,
        parent: ET.Element | None = None,
        tooltip: str | None = None,
        rotate: bool = False,
    ) -> ET.Element:
        attrs: dict[str, Any] = {"x": float(x), "y": float(y)}
        if anchor != "start":
            attrs["text_anchor"] = anchor
        if size is not None:
            attrs["font_size"] = float(size)
        if weight is not None:
            attrs["font_weight"] = weight
        if color is not None:
            attrs["fill"] = color
        if rotate:
            attrs["transform"] = f"rotate(-90 {num(x)} {num(y)})"
        node = self.element("text", parent, label, **attrs)
        if tooltip is not None and tooltip != label:
            ET.SubElement(node, "title").text = tooltip
        return node

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        color: str = INK,
        parent: ET.Element | None = None,
        **attrs: Any,
    ) -> None:
        self.element("line", parent, x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=color, **attrs)

    def rect(
        self, x: float, y: float, width: float, height: float, parent: ET.Element | None = None, **attrs: Any
    ) -> ET.Element:
        return self.element(
            "rect",
            parent,
            x=float(x),
            y=float(y),
            width=float(max(width, 0.0)),
            height=float(max(height, 0.0)),
            **attrs,
        )

    def message(self, text: str) -> None:
        """A centred note in place of the plot (nothing to draw)."""
        self.text(self.width / 2, self.height / 2, text, anchor="middle", color=MUTED, size=12)

    def legend(self, entries: Sequence[tuple[str, str]], right: float, y: float, opacity: float = 1.0) -> None:
        """Colour swatches with labels, laid out right-aligned ending at ``right``."""
        x = right
        for label, color in reversed(entries):
            x -= text_width(label) + 4
            self.text(x, y + 9, label)
            x -= 14
            self.rect(x, y, 10.0, 10.0, fill=color, fill_opacity=opacity)
            x -= 12

    def x_axis(
        self, scale: Scale, ticks: Sequence[float], y: float, top: float, label: str | None, percent: bool = False
    ) -> None:
        axis = self.group(font_size=10.0, fill=MUTED)
        for value in ticks:
            x = float(scale(value))
            self.line(x, top, x, y, GRID, parent=axis)
            self.text(x, y + 13, tick_label(value, percent), anchor="middle", parent=axis)
        self.line(scale.start, y, scale.stop, y, MUTED)
        if label:
            self.text((scale.start + scale.stop) / 2, y + 28, label, anchor="middle", color=MUTED)

    def y_axis(
        self, scale: Scale, ticks: Sequence[float], x: float, right: float, label: str | None, percent: bool = False
    ) -> None:
        axis = self.group(font_size=10.0, fill=MUTED)
        for value in ticks:
            y = float(scale(value))
            self.line(x, y, right, y, GRID, parent=axis)
            self.text(x - 4, y + 3.5, tick_label(value, percent), anchor="end", parent=axis)
        self.line(x, scale.start, x, scale.stop, MUTED)
        if label:
            self.text(12, (scale.start + scale.stop) / 2, label, anchor="middle", color=MUTED, rotate=True)

    def to_string(self) -> str:
        return ET.tostring(self.root, encoding="unicode", short_empty_elements=True)
