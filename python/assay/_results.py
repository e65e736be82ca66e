"""The export set every result shares: JSON out and back, a standalone page, notebook HTML.

A result class inherits :class:`Exportable` and provides three things: ``to_dict()`` (JSON-safe
numbers, NaN as None), ``_from_dict(data)`` (the inverse) and ``_sections()`` (what the report
layer shows). The JSON carries the kind of result and a format number, so that reading a file
of another kind, or of a format this version does not know, is a clear error rather than a
wrong object.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from . import report
from .errors import CorruptedStateError, InvalidTypeError

ResultT = TypeVar("ResultT", bound="Exportable")

FORMAT = 1


class Exportable(ABC):
    """Mixin: ``to_json``/``from_json``, ``to_html`` and ``_repr_html_`` from three hooks."""

    #: The name stored in the JSON (``"kind"``) and shown as the page title.
    _kind: ClassVar[str]
    _title: ClassVar[str]

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict (NaN as None)."""

    @classmethod
    @abstractmethod
    def _from_dict(cls: type[ResultT], data: dict[str, Any]) -> ResultT:
        """The inverse of ``to_dict``."""

    @abstractmethod
    def _sections(self) -> list[report.Section]:
        """What the report layer shows."""

    def _tiles(self) -> list[report.Tile] | None:
        return None

    def to_json(self, path: str | Path | None = None, *, indent: int | None = None) -> str:
        """The result as strict JSON (NaN stored as null), optionally written to ``path``.

        Parameters
        ----------
        path : str or pathlib.Path, optional
            Where to write the JSON (UTF-8); by default it is only returned.
        indent : int, optional
            Indentation of the JSON text.

        Returns
        -------
        str
            The JSON text; ``from_json`` reads it back.
        """
        text = json.dumps({"kind": self._kind, "format": FORMAT, **self.to_dict()}, indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls: type[ResultT], source: str | bytes | Path) -> ResultT:
        """Read a result written by ``to_json``.

        Parameters
        ----------
        source : str, bytes or pathlib.Path
            The JSON text, or the path of a file holding it.

        Returns
        -------
        The result, equal to the one written (NaN where the JSON has null).

        Raises
        ------
        CorruptedStateError
            The text is not JSON, is another kind of result, or has a format this version of
            assay does not read.
        InvalidTypeError
            ``source`` is neither text nor a path.
        """
        if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
            source = Path(source).read_text(encoding="utf-8")
        if not isinstance(source, (str, bytes)):
            raise InvalidTypeError(f"source: expected JSON text or a path, got {type(source).__name__}")
        try:
            data = json.loads(source)
        except ValueError as error:
            raise CorruptedStateError(f"source: not valid JSON ({error})") from None
        if not isinstance(data, dict) or data.get("kind") != cls._kind:
            found = data.get("kind") if isinstance(data, dict) else type(data).__name__
            raise CorruptedStateError(f"source: expected a {cls._kind} written by to_json, got {found!r}")
        if data.get("format") != FORMAT:
            raise CorruptedStateError(
                f"source: format {data.get('format')!r} of {cls._kind}; this assay reads {FORMAT}"
            )
        try:
            return cls._from_dict(data)
        except (KeyError, TypeError, ValueError) as error:
            raise CorruptedStateError(f"source: a {cls._kind} with missing or wrong fields ({error})") from None

    def to_html(self, path: str | Path | None = None) -> str:
        """The result as a standalone HTML page (works offline: styles and charts inline).

        Parameters
        ----------
        path : str or pathlib.Path, optional
            Where to write the page (UTF-8); by default it is only returned.

        Returns
        -------
        str
            The page.
        """
        page = report.render_page(self._title, self._sections(), summary=self._tiles())
        if path is not None:
            report.write_page(path, page)
        return page

    def _repr_html_(self) -> str:
        return report.render_fragment(self._title, self._sections(), summary=self._tiles())


def nan_if_none(value: Any) -> float:
    """A JSON number back as a float: null (how NaN is stored) becomes NaN."""
    return math.nan if value is None else float(value)
