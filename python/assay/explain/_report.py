"""What the report layer shows of an Explanation (``assay.report`` renders it; no markup here).

The function takes the arrays it shows, so that this module imports nothing of the
explainers and the Explanation module imports it without a circle.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import report

# Charts per output (an explanation of a 10-class model would otherwise draw 20 charts) and
# rows of the top-features table; notes count what is left out.
MAX_OUTPUTS = 5
MAX_TABLE_ROWS = 200
MAX_TABLE_OUTPUTS = 20


def explanation_sections(
    values: np.ndarray,
    importance: np.ndarray,
    data: np.ndarray | None,
    feature_names: Sequence[str],
    output_names: Sequence[str],
) -> list[report.Section]:
    """Importance bars, a beeswarm per output and the top-features table.

    ``values`` is (rows, features, outputs), ``importance`` (features, outputs) the mean
    |value| over the rows, ``data`` the feature values that colour the beeswarm
    ((rows, features), numbers) or None.
    """
    n_rows, n_features, n_outputs = values.shape
    if n_rows == 0:
        return [report.Section("Feature importance", [report.Text("The explanation has no rows.", tone="warning")])]
    names = list(feature_names)
    several = n_outputs > 1
    shown_outputs = range(min(n_outputs, MAX_OUTPUTS))
    left_out = (
        [report.Text(f"Charts of the first {MAX_OUTPUTS} of {n_outputs} outputs; the table has more.", tone="note")]
        if n_outputs > MAX_OUTPUTS
        else []
    )
    intro = report.Text(
        f"Global importance: the mean |SHAP value| of each feature over the {n_rows:,} explained rows"
        + (f", per output ({n_outputs} outputs)." if several else ".")
    )
    bars = [
        report.charts.importance_bars(
            names, importance[:, o], title="Feature importance" + (f": {output_names[o]}" if several else "")
        )
        for o in shown_outputs
    ]
    swarms = [
        report.charts.beeswarm(
            values[:, :, o], data, names, title="SHAP values" + (f": {output_names[o]}" if several else "")
        )
        for o in shown_outputs
    ]
    sections = [
        report.Section("Feature importance", [intro, *bars, *left_out]),
        report.Section(
            "SHAP values",
            [
                report.Text(
                    "Each dot is a row: its SHAP value for the feature, coloured by the feature's value "
                    "(blue low, red high)."
                ),
                *swarms,
            ],
        ),
        report.Section("Top features", _top_features(importance, names, output_names)),
    ]
    return sections


def _top_features(importance: np.ndarray, names: list[str], output_names: Sequence[str]) -> list[report.Block]:
    n_features, n_outputs = importance.shape
    columns = min(n_outputs, MAX_TABLE_OUTPUTS)
    total = np.nansum(importance, axis=1)
    # Largest first, features whose importance is NaN last, ties in feature order.
    order = np.argsort(np.where(np.isnan(importance).all(axis=1), np.inf, -total), kind="stable")[:MAX_TABLE_ROWS]
    headers = (
        ["mean |value|"]
        if n_outputs == 1
        else [f"mean |value| ({output_names[o]})" for o in range(columns)] + ["mean |value| (sum over outputs)"]
    )
    rows: list[list[report.Cell]] = []
    for rank, j in enumerate(order.tolist(), start=1):
        cells: list[report.Cell] = [float(importance[j, o]) for o in range(columns)]
        if n_outputs > 1:
            cells.append(float(total[j]))
        rows.append([rank, names[j], *cells])
    blocks: list[report.Block] = [report.Table(["rank", "feature", *headers], rows)]
    if n_features > MAX_TABLE_ROWS:
        blocks.append(report.Text(f"{n_features - MAX_TABLE_ROWS:,} less important features not shown.", tone="note"))
    if n_outputs > MAX_TABLE_OUTPUTS:
        blocks.append(report.Text(f"The first {MAX_TABLE_OUTPUTS} of {n_outputs} outputs have a column.", tone="note"))
    return blocks
