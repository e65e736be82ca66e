"""Notebook rendering of fairness results (escaped, plain tables; shared style).

The functions take a result's dictionary or the fields they show (declared below), so that
this module imports none of the modules whose results it renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from .._html import STYLE, escape, number, table

MAX_ROWS = 50


class _FourFifthsFields(Protocol):
    """What four_fifths_html shows of a FourFifths."""

    groups: list[Any]
    rows: np.ndarray
    rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    verdicts: list[str]
    small: np.ndarray
    reference: Any
    threshold: float
    confidence: float

    @property
    def verdict(self) -> str: ...


class _CalibrationFields(Protocol):
    """What calibration_html shows of a CalibrationByGroup."""

    groups: list[Any]
    n_bins: int
    ece: np.ndarray
    mce: np.ndarray


def _group_text(label: Any) -> str:
    return escape(" / ".join(map(str, label)) if isinstance(label, (list, tuple)) else label)


def metric_frame_html(data: Mapping[str, Any]) -> str:
    """A MetricFrame from its ``to_dict()``: values by group (undefined ones with their reason), aggregates."""
    names = list(data["metrics"])
    rows = []
    for i, label in enumerate(data["groups"][:MAX_ROWS]):
        small = " <span class='warning'>small</span>" if data["small"][i] else ""
        cells = [_group_text(label), number(data["group_rows"][i]) + small]
        for name in names:
            metric = data["metrics"][name]
            value, reason = metric["by_group"][i], metric["undefined"][i]
            cells.append(
                f"<span title='{escape(reason)}'>{number(value) if value is not None else 'NaN'}</span>"
                if reason
                else number(value)
            )
        rows.append(cells)
    summary = []
    for key in ("overall", "group_min", "group_max", "difference_between_groups", "ratio_between_groups"):
        summary.append(
            [escape(key)] + [number(data["metrics"][m][key][0] if data["metrics"][m][key] else None) for m in names]
        )
    more = (
        f"<p class='info'>{len(data['groups']) - MAX_ROWS} more groups not shown</p>"
        if len(data["groups"]) > MAX_ROWS
        else ""
    )
    note = (
        f"<p class='info'>convention: {escape(data['convention'])}; dropped rows: {data['dropped_rows']}; "
        f"small: fewer than {data['min_support']} rows ({sum(data['small'])} groups); "
        "hover a value for why it is undefined</p>"
    )
    return (
        f"{STYLE}<div class='assay'><b>MetricFrame</b>{note}"
        + table(["group", "rows", *names], rows, [False, True] + [True] * len(names))
        + more
        + table(["aggregate", *names], summary, [False] + [True] * len(names))
        + "</div>"
    )


def four_fifths_html(result: _FourFifthsFields) -> str:
    css = {"fails": "failed", "passes": "passed"}
    rows = []
    for i, g in enumerate(result.groups[:MAX_ROWS]):
        verdict = result.verdicts[i]
        rows.append(
            [
                _group_text(g),
                number(int(result.rows[i])) + (" <span class='warning'>small</span>" if result.small[i] else ""),
                number(float(result.rate[i])),
                f"[{number(float(result.rate_low[i]))}, {number(float(result.rate_high[i]))}]",
                number(float(result.ratio[i])),
                f"[{number(float(result.ratio_low[i]))}, {number(float(result.ratio_high[i]))}]",
                f"<span class='{css.get(verdict, 'info')}'>{escape(verdict)}</span>",
            ]
        )
    head = (
        f"<b>Four-fifths rule</b> (threshold {result.threshold:g}, confidence {result.confidence:g}, reference "
        f"{_group_text(result.reference)}): "
        f"<span class='{css.get(result.verdict, 'warning')}'>{escape(result.verdict)}</span>"
    )
    return (
        f"{STYLE}<div class='assay'>{head}"
        + table(
            ["group", "rows", "selection rate", "Wilson interval", "ratio", "Katz interval", "verdict"],
            rows,
            [False, True, True, True, True, True, False],
        )
        + "</div>"
    )


def calibration_html(result: _CalibrationFields) -> str:
    rows = [
        [_group_text(g), number(float(e)), number(float(m))] for g, e, m in zip(result.groups, result.ece, result.mce)
    ]
    return (
        f"{STYLE}<div class='assay'><b>Calibration by group</b> ({result.n_bins} bins)"
        + table(["group", "ECE", "MCE"], rows[:MAX_ROWS], [False, True, True])
        + "</div>"
    )
