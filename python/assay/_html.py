"""Rich HTML for notebooks (``_repr_html_``) and standalone report pages.

Everything user-provided is escaped. The markup is plain tables with a small inline
style sheet so that it renders the same in Jupyter, VS Code and a browser.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .quality import Profile, QualityReport

STYLE = """
<style>
.assay { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 13px; }
.assay table { border-collapse: collapse; margin: 6px 0 14px 0; }
.assay th, .assay td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.assay th { background: #f4f4f4; }
.assay td.num { text-align: right; font-variant-numeric: tabular-nums; }
.assay .error { color: #b00020; font-weight: 600; }
.assay .warning { color: #a15c00; font-weight: 600; }
.assay .info { color: #555; }
.assay .passed { color: #1b7f3b; font-weight: 700; }
.assay .failed { color: #b00020; font-weight: 700; }
</style>
"""


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool] | None = None) -> str:
    """An HTML table; cells are already-escaped HTML."""
    numeric = numeric or [False] * len(headers)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td class='num'>{c}</td>" if n else f"<td>{c}</td>" for c, n in zip(row, numeric)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def findings_table(findings: Sequence[Any]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = [
        (
            f"<span class='{f.severity}'>{escape(f.severity)}</span>",
            escape(f.check),
            escape(f.column or "(table)"),
            number(f.value),
            number(f.threshold),
            escape(f.message),
            escape(", ".join(map(str, f.rows))),
        )
        for f in findings
    ]
    return table(
        ["severity", "check", "column", "value", "threshold", "message", "example rows"],
        rows,
        [False, False, False, True, True, False, False],
    )


def profile_table(profile: Profile) -> str:
    headers = ["column", "kind", "count", "missing", "distinct", "mean", "std", "min", "median", "max", "top value"]
    rows = []
    for name in profile.columns:
        c = profile[name]
        top = f"{escape(c['values'][0][0])} ({c['values'][0][1]:,})" if c["values"] else ""
        numeric = c["kind"] == "numeric"
        rows.append(
            (
                escape(name),
                escape(c["kind"]),
                number(c["count"]),
                number(c["missing"]),
                number(c["distinct"]) + ("" if c["distinct_exact"] else " ≈"),
                number(c["mean"]) if numeric else "",
                number(c["std"]) if numeric else "",
                number(c["min"]) if numeric else "",
                number(c["quantiles"][0.5]) if numeric else "",
                number(c["max"]) if numeric else "",
                top,
            )
        )
    return table(headers, rows, [False, False, True, True, True, True, True, True, True, True, False])


def profile_html(profile: Profile) -> str:
    return f"<div class='assay'>{STYLE}<b>assay profile</b>: {len(profile)} columns{profile_table(profile)}</div>"


def report_html(report: QualityReport) -> str:
    status = "passed" if report.passed else "failed"
    counts = ", ".join(f"{len(report.by_severity(s))} {s}" for s in ("error", "warning", "info"))
    return (
        f"<div class='assay'>{STYLE}<b>assay quality report</b>: <span class='{status}'>{status.upper()}</span> "
        f"({counts}; fails on {escape(report.fail_on)}) on {report.n_rows:,} rows x {len(report.profile)} columns"
        f"{findings_table(report.findings)}<details><summary>Column profile</summary>{profile_table(report.profile)}"
        "</details></div>"
    )


def report_page(report: QualityReport) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>assay quality report</title></head>"
        f"<body>{report_html(report)}</body></html>"
    )
