"""Turning sections into HTML: one Jinja2 environment, one stylesheet, one script.

The blocks are first turned into small view dictionaries (formatted text, sort keys, resolved
anchors), then the templates in ``templates/`` lay them out. Every text reaches the page through
Jinja2's autoescaping; only the stylesheet, the script and the SVG of charts (all produced by this
package) are inserted as markup.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..errors import InvalidInputError, InvalidTypeError
from ._blocks import (
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
    slug,
)
from ._format import as_float, format_count, format_interval, format_number, format_percent

# The symbols keep badges readable when printed in black and white.
_SYMBOLS = {
    "passed": "✓",
    "failed": "✗",
    "warning": "!",
    "error": "⚠",
    "undefined": "?",
    "skipped": "–",
    "info": "i",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of the report layer (autoescaping, strict undefined names)."""
    env = Environment(
        loader=PackageLoader("assay.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=format_number,
        count=format_count,
        percent=format_percent,
        interval=format_interval,
    )
    return env


@cache
def asset(name: str) -> str:
    """The text of ``style.css`` or ``script.js``."""
    return resources.files("assay.report").joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _sort_key(number: float | None) -> str:
    # The script sorts on data-sort; an empty key (NaN, missing) always goes last.
    if number is None or math.isnan(number):
        return ""
    return repr(number) if math.isfinite(number) else ("Infinity" if number > 0 else "-Infinity")


def _cell(value: Cell, fmt: str = "number") -> dict[str, Any]:
    """The view of one cell: its kind, its text and its numeric sort key."""
    if isinstance(value, Badge):
        return {"kind": "badge", "verdict": value.verdict, "text": value.label, "symbol": _SYMBOLS[value.verdict]}
    if isinstance(value, Chart):
        return {"kind": "chart", "svg": Markup(value.svg), "caption": value.caption, "sort": ""}
    if isinstance(value, Interval):
        text = format_interval(value.value, value.lower, value.upper, percent=value.percent, reason=value.reason)
        return {"kind": "number", "text": text, "sort": _sort_key(as_float(value.value)), "nan": _nan(value.value)}
    if isinstance(value, Number):
        text = _format(value.value, value.format, value.reason)
        return {"kind": "number", "text": text, "sort": _sort_key(as_float(value.value)), "nan": _nan(value.value)}
    if value is None:
        return {"kind": "empty", "text": "", "sort": ""}
    if isinstance(value, str):
        return {"kind": "text", "text": value}
    if isinstance(value, bool) or fmt == "text":
        return {"kind": "text", "text": format_number(value) if isinstance(value, bool) else str(value)}
    return {"kind": "number", "text": _format(value, fmt), "sort": _sort_key(as_float(value)), "nan": _nan(value)}


def _nan(value: Any) -> bool:
    number = as_float(value)
    return number is not None and math.isnan(number)


def _format(value: Any, fmt: str, reason: str | None = None) -> str:
    if fmt == "percent":
        return format_percent(value, reason=reason)
    if fmt == "count":
        return format_count(value) if not _nan(value) else format_number(value, reason=reason)
    return format_number(value, reason=reason)


def _is_numeric(value: Cell) -> bool:
    return isinstance(value, (Number, Interval)) or (not isinstance(value, bool) and as_float(value) is not None)


class _Anchors:
    """Hands out unique anchors within one page (``drift``, ``drift-2``, ...)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.used: set[str] = set()

    def take(self, section: Section) -> str | None:
        if not self.enabled:
            return None
        base = section.anchor or slug(section.title)
        if section.anchor is not None and base in self.used:
            raise InvalidInputError(f"sections: the anchor {base!r} is used twice")
        anchor, n = base, 2
        while anchor in self.used:
            anchor, n = f"{base}-{n}", n + 1
        self.used.add(anchor)
        return anchor


def _table(table: Table) -> dict[str, Any]:
    formats = dict(table.formats or {})
    columns = []
    for c, name in enumerate(table.columns):
        cells = [row[c] for row in table.rows if row[c] is not None]
        numeric = bool(cells) and formats.get(name) != "text" and all(_is_numeric(v) for v in cells)
        # A column of charts has nothing to sort by.
        sortable = table.sort and not (cells and all(isinstance(v, Chart) for v in cells))
        columns.append({"name": name, "numeric": numeric, "sortable": sortable})
    rows = [
        [_cell(value, formats.get(name, "number")) for value, name in zip(row, table.columns)] for row in table.rows
    ]
    return {
        "kind": "table",
        "caption": table.caption,
        "columns": columns,
        "rows": rows,
        "search": table.search,
        "sort": table.sort,
    }


def _tile(tile: Tile) -> dict[str, Any]:
    return {"label": tile.label, "value": _cell(tile.value), "detail": tile.detail, "verdict": tile.verdict}


def _block(block: Block, anchors: _Anchors, level: int) -> dict[str, Any]:
    if isinstance(block, Section):
        return _section(block, anchors, level)
    if isinstance(block, Tiles):
        return {"kind": "tiles", "tiles": [_tile(t) for t in block.tiles]}
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return {"kind": "chart", "svg": Markup(block.svg), "caption": block.caption}
    if isinstance(block, Details):
        return {
            "kind": "details",
            "summary": block.summary,
            "open": block.open,
            "blocks": [_block(b, anchors, level) for b in block.blocks],
        }
    if isinstance(block, Text):
        return {"kind": "text", "paragraphs": block.paragraphs, "tone": block.tone}
    if isinstance(block, KeyValues):
        return {"kind": "keyvalues", "pairs": [(name, _cell(value)) for name, value in block.pairs]}
    if isinstance(block, Code):
        return {"kind": "code", "code": block.code, "language": block.language}
    raise InvalidTypeError(f"blocks: cannot render a {type(block).__name__}")


def _section(section: Section, anchors: _Anchors, level: int) -> dict[str, Any]:
    anchor = anchors.take(section)
    return {
        "kind": "section",
        "title": section.title,
        "anchor": anchor,
        "level": min(level, 6),
        "verdict": section.verdict,
        "symbol": _SYMBOLS.get(section.verdict or ""),
        "blocks": [_block(b, anchors, level + 1) for b in section.blocks],
    }


def _sections(sections: Iterable[Section], anchors: _Anchors) -> list[dict[str, Any]]:
    if isinstance(sections, Section) or not isinstance(sections, Iterable):
        raise InvalidTypeError(f"sections: expected a sequence of Section, got {type(sections).__name__}")
    views = []
    for i, section in enumerate(sections):
        if not isinstance(section, Section):
            raise InvalidTypeError(f"sections[{i}]: expected a Section, got {type(section).__name__}")
        views.append(_section(section, anchors, 2))
    return views


def _summary(summary: Tiles | Sequence[Tile] | None) -> list[dict[str, Any]]:
    if summary is None:
        return []
    tiles = summary if isinstance(summary, Tiles) else Tiles(summary)
    return [_tile(t) for t in tiles.tiles]


def _metadata(metadata: Mapping[str, Cell] | None) -> list[tuple[str, dict[str, Any]]]:
    if metadata is None:
        return []
    return [(name, _cell(value)) for name, value in KeyValues(metadata).pairs]


def _version() -> str:
    from .._core import __version__

    return str(__version__)


def render_page(
    title: str,
    sections: Sequence[Section],
    *,
    summary: Tiles | Sequence[Tile] | None = None,
    metadata: Mapping[str, Cell] | None = None,
    subtitle: str | None = None,
    generated: _dt.datetime | None = None,
) -> str:
    """Render a standalone HTML page: header, summary tiles, navigation, sections, footer.

    The page works offline and from a file: the stylesheet, the script and the charts are
    inline, and a Content-Security-Policy allows nothing else to load. It prints well (the
    navigation and search boxes are hidden and collapsed details open for printing).

    Parameters
    ----------
    title : str
        The page title (``<title>`` and the heading).
    sections : sequence of Section
        The sections, in order; each appears in the navigation.
    summary : Tiles or sequence of Tile, optional
        The tiles shown under the heading (verdict, counts).
    metadata : mapping of str to Cell, optional
        Facts about the run shown in the header (data, model, rows).
    subtitle : str, optional
        A line under the title.
    generated : datetime, optional
        The time the footer states; now (UTC) when omitted.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InvalidTypeError
        ``sections`` is not a sequence of :class:`Section`, or ``title`` is not a string.
    InvalidInputError
        Two sections with the same explicit anchor.

    Examples
    --------
    >>> from assay.report import Section, Text, Tile, render_page
    >>> html = render_page("Demo", [Section("Notes", [Text("All good.")])], summary=[Tile("rows", 1200)])
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    if not isinstance(title, str):
        raise InvalidTypeError(f"title: expected a string, got {type(title).__name__}")
    if subtitle is not None and not isinstance(subtitle, str):
        raise InvalidTypeError(f"subtitle: expected a string, got {type(subtitle).__name__}")
    moment = generated or _dt.datetime.now(_dt.timezone.utc)
    if not isinstance(moment, _dt.datetime):
        raise InvalidTypeError(f"generated: expected a datetime, got {type(moment).__name__}")
    css, js = asset("style.css"), asset("script.js")
    return (
        environment()
        .get_template("page.html.j2")
        .render(
            title=title,
            subtitle=subtitle,
            sections=_sections(sections, _Anchors(enabled=True)),
            summary=_summary(summary),
            metadata=_metadata(metadata),
            version=_version(),
            generated=moment.strftime("%Y-%m-%d %H:%M %Z").strip(),
            generated_iso=moment.isoformat(timespec="seconds"),
            css=Markup(css),
            js=Markup(js),
            csp=f"default-src 'none'; style-src '{_csp_hash(css)}'; script-src '{_csp_hash(js)}'; img-src data:",
        )
    )


def render_fragment(
    title: str,
    sections: Sequence[Section],
    *,
    summary: Tiles | Sequence[Tile] | None = None,
    metadata: Mapping[str, Cell] | None = None,
    subtitle: str | None = None,
) -> str:
    """Render an HTML fragment for a notebook (what ``_repr_html_`` returns).

    No ``<html>`` or navigation; the styles are the page's, every rule scoped under the
    fragment's ``assay-report`` class so nothing leaks into the notebook. Tables sort and search
    where the notebook runs scripts and stay plain tables where it does not. Sections carry no
    ``id`` (two outputs in one notebook would otherwise clash).

    Parameters
    ----------
    title : str
        The heading of the fragment.
    sections : sequence of Section
        The sections, in order.
    summary : Tiles or sequence of Tile, optional
        The tiles shown under the heading.
    metadata : mapping of str to Cell, optional
        Facts about the run.
    subtitle : str, optional
        A line under the title.

    Returns
    -------
    str
        The fragment (a ``<div>``).

    Raises
    ------
    InvalidTypeError
        ``sections`` is not a sequence of :class:`Section`.

    Examples
    --------
    >>> from assay.report import Section, Text, render_fragment
    >>> render_fragment("Demo", [Section("Notes", [Text("All good.")])]).startswith('<div class="assay-report')
    True
    """
    if not isinstance(title, str):
        raise InvalidTypeError(f"title: expected a string, got {type(title).__name__}")
    if subtitle is not None and not isinstance(subtitle, str):
        raise InvalidTypeError(f"subtitle: expected a string, got {type(subtitle).__name__}")
    return (
        environment()
        .get_template("fragment.html.j2")
        .render(
            title=title,
            subtitle=subtitle,
            sections=_sections(sections, _Anchors(enabled=False)),
            summary=_summary(summary),
            metadata=_metadata(metadata),
            css=Markup(asset("style.css")),
            js=Markup(asset("script.js")),
        )
    )


def write_page(path: str | Path, html: str) -> Path:
    """Write a rendered page to a file (UTF-8), creating its folder.

    Parameters
    ----------
    path : str or Path
        The file to write.
    html : str
        The page, e.g. from :func:`render_page`.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InvalidInputError
        ``path`` is an existing directory.
    InvalidTypeError
        ``html`` is not a string.

    Examples
    --------
    >>> import tempfile, os
    >>> from assay.report import render_page, write_page
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_page(os.path.join(folder, "card.html"), render_page("Demo", []))
    ...     written.stat().st_size > 1000
    True
    """
    if not isinstance(html, str):
        raise InvalidTypeError(f"html: expected a string, got {type(html).__name__}")
    target = Path(path)
    if target.is_dir():
        raise InvalidInputError(f"path: {str(target)!r} is a directory, expected a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
