"""The result of :func:`assay.audit`: verdict, gate results, sections, lineage, and the model card
as JSON (a superset of the Model Card Toolkit's schema v0.0.2) and markdown."""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .. import report
from .._util import json_safe
from ..errors import CorruptedStateError, InvalidInputError
from ._card import card_sections, card_tiles
from ._config import AuditConfig, load_config
from ._gates import GateResult, Measurement, passed
from ._schema import SECTIONS

__all__ = ["CARD_FORMAT", "Audit", "card_schema"]

#: The version of the card's ``assay`` part (``assay.format``).
CARD_FORMAT = 1
_CARD_SCHEMA = "card.schema.json"
_MCT_VERSION = "0.0.2"


def card_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`Audit.to_dict` / :meth:`Audit.to_json`.

    Returns
    -------
    dict
        A new copy of the packaged ``card.schema.json``.
    """
    text = resources.files(__package__).joinpath(_CARD_SCHEMA).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@dataclass(frozen=True, eq=False)
class Audit:
    """The result of :func:`assay.audit`.

    Parameters
    ----------
    gates : list of GateResult
        Every gate's results, in the configuration's order.
    sections : dict of str to dict
        Each section that ran: its results and tables as plain JSON-safe data (each
        section module documents its keys).
    skipped : dict of str to str
        Sections that did not run, with the reason.
    measurements : list of Measurement
        What the sections measured; the gates test these.
    config : AuditConfig
        The configuration, defaults filled in.
    lineage : dict
        What was audited: ``assay_version``, ``created`` (UTC, ISO 8601), ``config`` (the
        configuration as a dict), ``seed``, ``model`` (``name``, ``library``,
        ``fingerprint``: ``sha256`` and the ``method`` that made it) and ``data`` (per
        dataset: ``fingerprint``, ``rows``, ``rows_given``, ``columns``, ``source``).
    card : dict
        The Model Card Toolkit fields: ``schema_version``, ``model_details``,
        ``model_parameters``, ``quantitative_analysis``, ``considerations``.

    Examples
    --------
    >>> import numpy as np
    >>> import assay
    >>> rng = np.random.default_rng(0)
    >>> reference = {"x": rng.normal(size=500), "y": rng.integers(0, 2, 500)}
    >>> current = {"x": rng.normal(1.0, 1.0, 500), "y": rng.integers(0, 2, 500)}
    >>> result = assay.audit(reference, current, target="y", config={"n_boot": 50})
    >>> result.passed, sorted(result.skipped)
    (False, ['explain', 'fairness', 'monitor', 'performance', 'review', 'slices'])
    >>> [g.name for g in result.gates if g.failed]
    ['drift.drifted_share']
    """

    gates: list[GateResult]
    sections: dict[str, dict[str, Any]]
    skipped: dict[str, str]
    measurements: list[Measurement]
    config: AuditConfig
    lineage: dict[str, Any]
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no gate result failed (warnings, undefined-but-not-failing and skipped pass)."""
        return passed(self.gates)

    @property
    def failed_gates(self) -> list[GateResult]:
        """The results that fail the audit."""
        return [g for g in self.gates if g.failed]

    def counts(self) -> dict[str, int]:
        """Gate results per verdict, plus ``failed`` (those that fail the audit).

        Returns
        -------
        dict
        """
        out = {verdict: 0 for verdict in ("pass", "fail", "warn", "undefined", "skipped")}
        for gate in self.gates:
            out[gate.verdict] += 1
        out["failed"] = len(self.failed_gates)
        return out

    # -- serialisation ----------------------------------------------------------------------

    @staticmethod
    def schema() -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) that :meth:`to_json`'s output follows.

        Returns
        -------
        dict
            The packaged ``card.schema.json``, a new copy on each call.
        """
        return card_schema()

    def to_dict(self) -> dict[str, Any]:
        """The model card as a JSON-safe dict (NaN as None).

        Returns
        -------
        dict
            The Model Card Toolkit v0.0.2 fields (``schema_version``, ``model_details``,
            ``model_parameters``, ``quantitative_analysis`` whose performance metrics carry
            ``slice`` and ``confidence_interval``, ``considerations``) and ``assay``:
            ``format``, ``version``, ``passed``, ``counts``, ``gates``, ``sections``,
            ``skipped``, ``measurements``, ``lineage`` and ``config``.
        """
        lineage = {k: v for k, v in self.lineage.items() if k != "config"}
        return json_safe(
            {
                **self.card,
                "assay": {
                    "format": CARD_FORMAT,
                    "version": self.lineage.get("assay_version"),
                    "passed": self.passed,
                    "counts": self.counts(),
                    "gates": [g.to_dict() for g in self.gates],
                    "sections": self.sections,
                    "skipped": self.skipped,
                    "measurements": [m.to_dict() for m in self.measurements],
                    "lineage": lineage,
                    "config": self.config.to_dict(),
                },
            }
        )

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = 2) -> str:
        """The model card as strict JSON (RFC 8259: no NaN or Infinity literals).

        Parameters
        ----------
        path : str or os.PathLike, optional
            Where to write it (UTF-8); it is returned either way.
        indent : int or None, default 2

        Returns
        -------
        str
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Audit:
        """The audit :meth:`to_dict` wrote.

        Parameters
        ----------
        state : mapping

        Returns
        -------
        Audit

        Raises
        ------
        CorruptedStateError
            When ``state`` is not such a dict (naming what is wrong).
        """
        if not isinstance(state, Mapping) or not isinstance(state.get("assay"), Mapping):
            raise CorruptedStateError("audit: expected a model card dict with an 'assay' part")
        part = state["assay"]
        if part.get("format") != CARD_FORMAT:
            raise CorruptedStateError(f"audit: card format {part.get('format')!r}; this assay reads {CARD_FORMAT}")
        try:
            config = load_config(part["config"])
            lineage = {**part["lineage"], "config": config.to_dict()}
            return cls(
                gates=[GateResult.from_dict(g) for g in part["gates"]],
                sections={k: dict(v) for k, v in part["sections"].items()},
                skipped=dict(part["skipped"]),
                measurements=[Measurement.from_dict(m) for m in part["measurements"]],
                config=config,
                lineage=lineage,
                card={k: v for k, v in state.items() if k != "assay"},
            )
        except (KeyError, TypeError, AttributeError, InvalidInputError) as error:
            raise CorruptedStateError(f"audit: not a card assay wrote ({type(error).__name__}: {error})") from None

    @classmethod
    def from_json(cls, source: str | bytes | os.PathLike[str]) -> Audit:
        """The audit :meth:`to_json` wrote, from its text or its file.

        Parameters
        ----------
        source : str, bytes or os.PathLike
            JSON text, or the path of a file holding it.

        Returns
        -------
        Audit

        Raises
        ------
        CorruptedStateError
            When the text is not JSON or not a card assay wrote.
        InvalidInputError
            When a path names no readable file.
        """
        if isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith("{")):
            try:
                source = Path(source).read_text(encoding="utf-8")
            except OSError as error:
                raise InvalidInputError(f"source: cannot read {source}: {error.strerror or error}") from None
        try:
            state = json.loads(source, parse_constant=_refuse_constant)
        except ValueError as error:
            raise CorruptedStateError(f"audit: not valid JSON ({error})") from None
        return cls.from_dict(state)

    # -- summaries -------------------------------------------------------------------------

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """The model card as one self-contained HTML page (styles, scripts and charts inline).

        It works offline and prints readably: summary tiles (verdict, gates failed, rows, share
        of drifted features, lowest selection-rate ratio, performance change), the gate table,
        a section per engine that ran (reference-vs-current distributions, fairness charts with
        intervals, SHAP importance and beeswarm), skipped sections, and the lineage with the
        configuration that produced the card.

        Parameters
        ----------
        path : str or os.PathLike, optional
            Where to write the page (UTF-8); by default it is only returned.

        Returns
        -------
        str
            The page.
        """
        page = report.render_page(
            "assay model card",
            card_sections(self),
            summary=card_tiles(self),
            subtitle=self._subtitle(),
            generated=self._created(),
        )
        if path is not None:
            report.write_page(Path(path), page)
        return page

    def _repr_html_(self) -> str:
        return report.render_fragment("assay audit", card_sections(self), summary=card_tiles(self))

    def _created(self) -> datetime.datetime | None:
        """When the audit ran (the page shows it rather than the time of rendering)."""
        try:
            return datetime.datetime.fromisoformat(str(self.lineage.get("created", "")).replace("Z", "+00:00"))
        except ValueError:
            return None

    def _subtitle(self) -> str:
        model = (self.lineage.get("model") or {}).get("name")
        return f"{'PASSED' if self.passed else 'FAILED'}" + (f" - {model}" if model else "")

    def summary(self) -> str:
        """The verdict and the gate results that failed, were undefined or warned (in that order), as plain text.

        Returns
        -------
        str
        """
        counts = self.counts()
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"assay audit: {verdict} ({counts['failed']} failed, {counts['warn']} warned, {counts['pass']} passed, "
            f"{counts['undefined']} undefined, {counts['skipped']} skipped)"
        ]
        shown = [g for g in self.gates if g.failed or g.verdict in ("warn", "undefined")]
        # Failures first, so that a pipeline's log shows why it stopped at the top.
        shown.sort(key=lambda g: (not g.failed, g.verdict != "undefined"))
        for gate in shown:
            where = " ".join(x for x in (gate.subject, f"({gate.dataset})" if gate.dataset else None) if x)
            verdict = "FAIL" if gate.failed else gate.verdict
            lines.append(f"  [{verdict:9}] {gate.name} {where}: {gate.reason}")
        for section, reason in self.skipped.items():
            lines.append(f"  [skipped  ] section {section}: {reason}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A summary for a pull-request comment: the verdict, the failed and warned gates, the
        skipped sections.

        Returns
        -------
        str
            GitHub-flavoured markdown.
        """
        counts = self.counts()
        rows = {which: data.get("rows") for which, data in self.lineage.get("data", {}).items()}
        verdict = "passed" if self.passed else "failed"
        lines = [
            f"## assay audit: {verdict.upper()}",
            "",
            f"**{counts['failed']}** failed, **{counts['warn']}** warned, {counts['pass']} passed, "
            f"{counts['undefined']} undefined, {counts['skipped']} skipped gate results"
            + "".join(f"; {which}: {n:,} rows" for which, n in rows.items() if isinstance(n, int)),
            "",
        ]
        shown = [g for g in self.gates if g.failed or g.verdict in ("warn", "undefined")]
        if shown:
            lines += [
                "| verdict | gate | subject | dataset | value | interval | condition | reason |",
                "|---|---|---|---|---:|---|---|---|",
            ]
            for gate in sorted(shown, key=lambda g: (not g.failed, g.verdict != "warn")):
                interval = (
                    "" if gate.interval is None else f"[{_number(gate.interval[0])}, {_number(gate.interval[1])}]"
                )
                cells = [
                    "**fail**" if gate.failed else gate.verdict,
                    f"`{gate.name}`",
                    gate.subject or "",
                    gate.dataset or "",
                    _number(gate.value),
                    interval,
                    gate.condition,
                    gate.reason,
                ]
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
            lines.append("")
        else:
            lines += ["No gate failed or warned.", ""]
        if self.skipped:
            lines += ["**Skipped sections**", ""]
            lines += [f"- {section}: {_cell(reason)}" for section, reason in self.skipped.items()]
            lines.append("")
        version = self.lineage.get("assay_version")
        lines.append(f"<sub>assay {version}, {self.lineage.get('created')}</sub>")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        counts = self.counts()
        ran = [s for s in SECTIONS if s in self.sections]
        return (
            f"<assay Audit: {'passed' if self.passed else 'failed'}, {counts['failed']} failed gate results, "
            f"sections {', '.join(ran) or 'none'}>"
        )


def _refuse_constant(name: str) -> Any:
    raise CorruptedStateError(f"audit: {name} is not JSON (the card stores undefined numbers as null)")


def _number(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NaN"
    return f"{x:.4g}"


def _cell(text: Any) -> str:
    """Text safe in a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
