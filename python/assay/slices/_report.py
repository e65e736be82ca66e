"""What the report layer shows of a SliceResult (``assay.report`` renders it; no markup here)."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .. import report


class SliceFields(Protocol):
    """What the sections show of a SliceResult."""

    predicates: list[list[str]]
    size: np.ndarray
    average_error: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    score: np.ndarray
    p_value: np.ndarray
    p_value_adjusted: np.ndarray
    n_rows: int
    overall_error: float
    n_tested: int
    levels: list[tuple[int, int]]
    parameters: dict[str, Any]


def slice_table(result: SliceFields) -> report.Table:
    """One row per slice: predicates, rows, mean error with its interval, ratio, score, p-values."""
    rows: list[list[report.Cell]] = []
    for i, predicates in enumerate(result.predicates):
        rows.append(
            [
                i + 1,
                " and ".join(predicates),
                int(result.size[i]),
                report.Interval(float(result.average_error[i]), float(result.ci_low[i]), float(result.ci_high[i])),
                float(result.average_error[i] / result.overall_error),
                float(result.score[i]),
                float(result.p_value[i]),
                float(result.p_value_adjusted[i]),
            ]
        )
    level = result.parameters.get("confidence_level", 0.95)
    return report.Table(
        ["rank", "slice", "rows", f"mean error [{level:.0%} CI]", "error ratio", "score", "p", "p (BH)"],
        rows,
        formats={"rank": "count", "rows": "count"},
    )


def slice_sections(result: SliceFields) -> list[report.Section]:
    """The slices table and the settings of the search."""
    p = result.parameters
    if len(result.predicates):
        found: list[report.Block] = [slice_table(result)]
    else:
        found = [report.Text("No slice of at least min_support rows has a positive score.")]
    explanation = report.Text(
        "Slices are conjunctions of feature = value predicates, ranked by SliceLine's score "
        "alpha * (slice error / mean error - 1) - (1 - alpha) * (rows / slice rows - 1). "
        "p: one-sided Welch z-test of the slice's mean error against the other rows; "
        f"p (BH): adjusted by Benjamini-Hochberg over the {result.n_tested} slices evaluated."
    )
    settings = report.KeyValues(
        [(name, str(p[name])) for name in p]
        + [("slices evaluated per level", ", ".join(f"{a} ({b} valid)" for a, b in result.levels))]
    )
    return [
        report.Section("Worst slices", [*found, explanation], anchor="slices"),
        report.Section("Search", [settings], anchor="slices-search"),
    ]


def slice_tiles(result: SliceFields) -> list[report.Tile]:
    """Rows, the overall mean error, and the worst slice's error ratio."""
    tiles = [
        report.Tile("rows", report.Number(result.n_rows, format="count")),
        report.Tile("mean error", report.Number(result.overall_error)),
        report.Tile("slices found", report.Number(len(result.predicates), format="count")),
    ]
    if len(result.predicates):
        ratio = float(result.average_error[0] / result.overall_error)
        tiles.append(
            report.Tile("worst slice: error ratio", report.Number(ratio), detail=" and ".join(result.predicates[0]))
        )
    return tiles
