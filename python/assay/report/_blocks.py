"""The building blocks of a report: sections holding blocks (tiles, tables, charts, text ...).

These are plain immutable values that say *what* to show. The templates decide *how* it looks,
so an engine builds sections from its result and never writes markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from ..errors import InvalidInputError, InvalidTypeError
from ._format import as_float

#: The verdicts a badge, a tile or a section can carry. ``failed`` is a check that failed;
#: ``error`` is a check that could not run; ``undefined`` is a check whose value is NaN.
VERDICTS = ("passed", "failed", "warning", "error", "undefined", "skipped", "info")

#: How the numbers of a table column are shown (see :func:`assay.report.format_number` and friends).
FORMATS = ("number", "count", "percent", "text")

_ANCHOR = re.compile(r"^[a-z][a-z0-9_-]*$")


def _check_verdict(verdict: str | None, argument: str) -> None:
    if verdict is not None and verdict not in VERDICTS:
        raise InvalidInputError(f"{argument}: expected one of {', '.join(VERDICTS)}, got {verdict!r}")


def _check_text(value: Any, argument: str, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str):
        raise InvalidTypeError(f"{argument}: expected a string, got {type(value).__name__}")


@dataclass(frozen=True)
class Number:
    """A number in a table cell, a tile or a key/value list, with the reason when it is NaN.

    Parameters
    ----------
    value : float
        The number.
    reason : str, optional
        Why the value is undefined (shown as ``NaN (reason)``).
    format : {"number", "count", "percent"}, default "number"
        How to show it: four significant digits, an integer count, or a percentage of 1.0.

    Examples
    --------
    >>> Number(float("nan"), reason="no positive labels")
    Number(value=nan, reason='no positive labels', format='number')
    """

    value: float
    reason: str | None = None
    format: str = "number"

    def __post_init__(self) -> None:
        if as_float(self.value) is None:
            raise InvalidTypeError(f"value: expected a real number, got {type(self.value).__name__}")
        _check_text(self.reason, "reason", optional=True)
        if self.format not in FORMATS[:3]:
            raise InvalidInputError(f"format: expected one of number, count, percent, got {self.format!r}")


@dataclass(frozen=True)
class Interval:
    """A value with a confidence interval, shown as ``0.81 [0.77, 0.85]`` and sorted by the value.

    Parameters
    ----------
    value : float
        The point estimate.
    lower, upper : float
        The interval's bounds (NaN when it could not be computed).
    reason : str, optional
        Why the value is undefined.
    percent : bool, default False
        Show the three numbers as percentages.

    Examples
    --------
    >>> Interval(0.81, 0.77, 0.85)
    Interval(value=0.81, lower=0.77, upper=0.85, reason=None, percent=False)
    """

    value: float
    lower: float
    upper: float
    reason: str | None = None
    percent: bool = False

    def __post_init__(self) -> None:
        for name in ("value", "lower", "upper"):
            if as_float(getattr(self, name)) is None:
                raise InvalidTypeError(f"{name}: expected a real number, got {type(getattr(self, name)).__name__}")
        _check_text(self.reason, "reason", optional=True)


@dataclass(frozen=True)
class Badge:
    """A verdict shown as a coloured label with a symbol, readable in black and white too.

    Parameters
    ----------
    verdict : {"passed", "failed", "warning", "error", "undefined", "skipped", "info"}
        The verdict; it sets the colour and the symbol.
    text : str, optional
        The label; the verdict in capitals when omitted.

    Raises
    ------
    InvalidInputError
        An unknown verdict.

    Examples
    --------
    >>> Badge("failed").label
    'FAILED'
    """

    verdict: str
    text: str | None = None

    def __post_init__(self) -> None:
        _check_verdict(self.verdict, "verdict")
        _check_text(self.text, "text", optional=True)

    @property
    def label(self) -> str:
        """The text shown in the badge."""
        return self.text if self.text is not None else self.verdict.upper()


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart with its title and the notes its caption shows.

    Made by the functions of :mod:`assay.report.charts`; the ``svg`` markup is trusted as is, so
    build charts through those functions rather than by hand.

    Parameters
    ----------
    svg : str
        The ``<svg>`` element.
    title : str
        The chart's title (also the SVG's ``<title>``).
    notes : tuple of str
        Sentences for the caption, e.g. how many NaN values were left out.
    """

    svg: str
    title: str
    notes: tuple[str, ...] = ()

    @property
    def caption(self) -> str:
        """The notes as one sentence string (empty when there are none)."""
        return " ".join(self.notes)

    def _repr_svg_(self) -> str:
        return self.svg


Cell = Union[str, int, float, None, Number, Interval, Badge, Chart]
"""What a table cell, a tile value or a key/value value can be. Plain numbers are formatted with
the column's format; NaN shows as ``NaN``."""


def _check_cell(value: Any, argument: str) -> Any:
    if value is None or isinstance(value, (str, Number, Interval, Badge, Chart)):
        return value
    if as_float(value) is not None or isinstance(value, bool):
        return value
    raise InvalidTypeError(
        f"{argument}: expected text, a number, Number, Interval, Badge or Chart, got {type(value).__name__}"
    )


@dataclass(frozen=True)
class Tile:
    """One summary tile: a label, a big value, an optional detail line and verdict colour.

    Parameters
    ----------
    label : str
        What the value is ("gates failed", "rows", "drifted features").
    value : Cell
        The value (a number, a :class:`Number`, an :class:`Interval`, text or a :class:`Badge`).
    detail : str, optional
        A short line under the value ("of 120 features").
    verdict : str, optional
        Colours the tile (one of :data:`VERDICTS`).

    Examples
    --------
    >>> Tile("drifted features", Number(0.125, format="percent"), detail="15 of 120", verdict="warning").label
    'drifted features'
    """

    label: str
    value: Cell
    detail: str | None = None
    verdict: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.label, "label")
        _check_cell(self.value, "value")
        _check_text(self.detail, "detail", optional=True)
        _check_verdict(self.verdict, "verdict")


@dataclass(frozen=True)
class Tiles:
    """A row of summary tiles.

    Parameters
    ----------
    tiles : sequence of Tile
        The tiles, in order.
    """

    tiles: Sequence[Tile]

    def __post_init__(self) -> None:
        tiles = tuple(self.tiles)
        for i, tile in enumerate(tiles):
            if not isinstance(tile, Tile):
                raise InvalidTypeError(f"tiles[{i}]: expected a Tile, got {type(tile).__name__}")
        object.__setattr__(self, "tiles", tiles)


@dataclass(frozen=True)
class Table:
    """A table; sortable by clicking a header and searchable by a text box when scripts run.

    Parameters
    ----------
    columns : sequence of str
        The column headers.
    rows : iterable of sequences of Cell
        The rows, each with one cell per column. A column whose cells are all numbers
        (or None) is right-aligned and sorts numerically, NaN last.
    caption : str, optional
        A caption above the table.
    formats : mapping of str to str, optional
        ``{column: format}`` for plain numbers: ``"number"`` (default, four significant digits),
        ``"count"``, ``"percent"`` (of 1.0) or ``"text"`` (shown as given).
    search : bool, default True
        Show a search box (rows whose text contains the query stay visible).
    sort : bool, default True
        Make the headers sort buttons.

    Raises
    ------
    InvalidInputError
        A row with the wrong number of cells, a format for an unknown column, an unknown format.
    InvalidTypeError
        A cell of a type a table cannot show.

    Examples
    --------
    >>> table = Table(["group", "rate"], [["a", 0.5], ["b", float("nan")]], formats={"rate": "percent"})
    >>> len(table.rows)
    2
    """

    columns: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    caption: str | None = None
    formats: Mapping[str, str] | None = None
    search: bool = True
    sort: bool = True

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        for i, name in enumerate(columns):
            _check_text(name, f"columns[{i}]")
        rows = []
        for r, row in enumerate(self.rows):
            cells = tuple(row)
            if len(cells) != len(columns):
                raise InvalidInputError(f"rows[{r}]: expected {len(columns)} cells (one per column), got {len(cells)}")
            for c, value in enumerate(cells):
                _check_cell(value, f"rows[{r}][{c}]")
            rows.append(cells)
        formats = dict(self.formats or {})
        for name, kind in formats.items():
            if name not in columns:
                raise InvalidInputError(f"formats[{name!r}]: not a column of the table")
            if kind not in FORMATS:
                raise InvalidInputError(f"formats[{name!r}]: expected one of {', '.join(FORMATS)}, got {kind!r}")
        _check_text(self.caption, "caption", optional=True)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "formats", formats)


@dataclass(frozen=True)
class Text:
    """One or more paragraphs of plain text (paragraphs are separated by a blank line).

    Parameters
    ----------
    text : str
        The text; it is escaped, never interpreted as markup.
    tone : {None, "note", "warning"}
        ``note`` and ``warning`` put the text in a coloured box.
    """

    text: str
    tone: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.text, "text")
        if self.tone not in (None, "note", "warning"):
            raise InvalidInputError(f"tone: expected None, 'note' or 'warning', got {self.tone!r}")

    @property
    def paragraphs(self) -> list[str]:
        """The paragraphs of the text."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


@dataclass(frozen=True)
class KeyValues:
    """A list of names and values (a ``<dl>``), e.g. the inputs of a run.

    Parameters
    ----------
    items : mapping of str to Cell, or sequence of (str, Cell) pairs
        The names and values, in order.
    """

    items: Mapping[str, Cell] | Sequence[tuple[str, Cell]]

    def __post_init__(self) -> None:
        pairs = tuple(self.items.items() if isinstance(self.items, Mapping) else (tuple(p) for p in self.items))
        for i, pair in enumerate(pairs):
            if len(pair) != 2:
                raise InvalidInputError(f"items[{i}]: expected a (name, value) pair")
            _check_text(pair[0], f"items[{i}] name")
            _check_cell(pair[1], f"items[{i}] value")
        object.__setattr__(self, "items", pairs)

    @property
    def pairs(self) -> tuple[tuple[str, Cell], ...]:
        """The (name, value) pairs, in order."""
        return tuple(self.items)  # type: ignore[arg-type]  # a tuple of pairs since __post_init__


@dataclass(frozen=True)
class Code:
    """A block of code or configuration, shown verbatim (e.g. the config that produced a card).

    Parameters
    ----------
    code : str
        The text.
    language : str, optional
        Its language ("yaml", "json", "python"), shown as a label.
    """

    code: str
    language: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.code, "code")
        _check_text(self.language, "language", optional=True)


@dataclass(frozen=True)
class Details:
    """Collapsible content (``<details>``): closed until the reader opens it, open when printed.

    Parameters
    ----------
    summary : str
        The line shown while it is closed.
    blocks : sequence of Block
        The content.
    open : bool, default False
        Start open.
    """

    summary: str
    blocks: Sequence[Block]
    open: bool = False

    def __post_init__(self) -> None:
        _check_text(self.summary, "summary")
        object.__setattr__(self, "blocks", _check_blocks(self.blocks, "blocks"))


@dataclass(frozen=True)
class Section:
    """A titled part of a report, listed in the page's navigation.

    Parameters
    ----------
    title : str
        The heading.
    blocks : sequence of Block
        The content, in order; a :class:`Section` among them is a subsection.
    anchor : str, optional
        The id used in links (``#drift``): lower-case letters, digits, ``-`` and ``_``, starting
        with a letter. Made from the title when omitted (and made unique within a page).
    verdict : str, optional
        A badge next to the heading (one of :data:`VERDICTS`).

    Raises
    ------
    InvalidInputError
        A malformed anchor or an unknown verdict.

    Examples
    --------
    >>> Section("Data drift", [Text("3 of 20 features drifted.")]).title
    'Data drift'
    """

    title: str
    blocks: Sequence[Block] = field(default_factory=tuple)
    anchor: str | None = None
    verdict: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.title, "title")
        if self.anchor is not None and (not isinstance(self.anchor, str) or not _ANCHOR.match(self.anchor)):
            raise InvalidInputError(
                f"anchor: expected lower-case letters, digits, '-' or '_' starting with a letter, got {self.anchor!r}"
            )
        _check_verdict(self.verdict, "verdict")
        object.__setattr__(self, "blocks", _check_blocks(self.blocks, "blocks"))


Block = Union[Tiles, Table, Chart, Details, Text, KeyValues, Code, Section]
"""What a section holds."""

_BLOCK_TYPES = (Tiles, Table, Chart, Details, Text, KeyValues, Code, Section)


def _check_blocks(blocks: Any, argument: str) -> tuple[Any, ...]:
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Iterable):
        raise InvalidTypeError(f"{argument}: expected a sequence of blocks, got {type(blocks).__name__}")
    checked = tuple(blocks)
    for i, block in enumerate(checked):
        if not isinstance(block, _BLOCK_TYPES):
            raise InvalidTypeError(
                f"{argument}[{i}]: expected Tiles, Table, Chart, Details, Text, KeyValues, Code or Section, "
                f"got {type(block).__name__}"
            )
    return checked


def slug(title: str) -> str:
    """An anchor made from a title: lower-case ASCII words joined by ``-`` (``section`` when empty)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    text = "-".join(words)[:60].strip("-")
    if not text or not text[0].isalpha():
        text = "s-" + text if text else "section"
    return text
