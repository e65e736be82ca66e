"""The one place where results become HTML: sections of blocks, rendered by Jinja2 templates.

An engine (or the audit) describes what to show as :class:`Section` objects holding blocks —
:class:`Tiles`, :class:`Table`, :class:`Chart` (from :mod:`assay.report.charts`),
:class:`Details`, :class:`Text`, :class:`KeyValues`, :class:`Code` or a nested
:class:`Section` — and calls :func:`render_page` for a standalone page or
:func:`render_fragment` for a notebook's ``_repr_html_``. The look (one stylesheet), the
behaviour (one small script: table sort and search) and the charts (inline SVG) live here, so
engine modules hold no markup.

Examples
--------
>>> from assay.report import Section, Table, Text, Tile, render_fragment
>>> section = Section("Findings", [Text("Two columns have missing values."),
...                                Table(["column", "missing"], [["age", 0.12], ["income", 0.03]],
...                                      formats={"missing": "percent"})])
>>> html = render_fragment("Data quality", [section], summary=[Tile("rows", 1200)])
>>> "12.0%" in html
True
"""

from __future__ import annotations

from . import charts
from ._blocks import (
    FORMATS,
    VERDICTS,
    Badge,
    Block,
    Cell,
    Chart,
    Code,
    Details,
    Interval,
    KeyValues,
    Number,
    Section,
    Table,
    Text,
    Tile,
    Tiles,
)
from ._format import format_count, format_interval, format_number, format_percent
from ._render import render_fragment, render_page, write_page

__all__ = [
    "FORMATS",
    "VERDICTS",
    "Badge",
    "Block",
    "Cell",
    "Chart",
    "Code",
    "Details",
    "Interval",
    "KeyValues",
    "Number",
    "Section",
    "Table",
    "Text",
    "Tile",
    "Tiles",
    "charts",
    "format_count",
    "format_interval",
    "format_number",
    "format_percent",
    "render_fragment",
    "render_page",
    "write_page",
]
