"""The report layer without a browser: number formatting, block validation, escaping, assets."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import assay
import numpy as np
import pytest
from assay.errors import InvalidInputError, InvalidTypeError
from assay.report import (
    Badge,
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
    format_count,
    format_interval,
    format_number,
    format_percent,
    render_fragment,
    render_page,
    write_page,
)
from assay.report._render import asset

NAN = float("nan")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "1,234,567"),
        (np.int64(-42), "-42"),
        (0.812345, "0.8123"),
        (np.float32(0.5), "0.5"),
        (123456.7, "123,457"),
        (12.0, "12"),
        (1.5e-7, "1.5e-7"),
        (2.5e20, "2.5e+20"),
        (0.0, "0"),
        (-0.0, "0"),
        (NAN, "NaN"),
        (float("inf"), "∞"),
        (-float("inf"), "−∞"),
        (None, ""),
        (True, "true"),
        ("text", "text"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_helpers():
    assert format_number(NAN, reason="no positives") == "NaN (no positives)"
    assert format_number(1 / 3, digits=2) == "0.33"
    assert format_count(1234567.4) == "1,234,567"
    assert format_count(NAN) == "NaN"
    assert format_percent(0.1234) == "12.3%"
    assert format_percent(NAN, reason="empty group") == "NaN (empty group)"
    assert format_interval(0.81, 0.77, 0.85) == "0.81 [0.77, 0.85]"
    assert format_interval(0.8123, NAN, NAN) == "0.8123 [NaN, NaN]"
    assert format_interval(0.5, 0.25, 0.75, percent=True) == "50.0% [25.0%, 75.0%]"
    with pytest.raises(InvalidInputError, match="^digits"):
        format_number(1.0, digits=0)
    with pytest.raises(InvalidInputError, match="^digits"):
        format_percent(1.0, digits=-1)


def test_nan_cells_show_reason_and_sort_last():
    table = Table(["metric", "value"], [["auc", Number(NAN, reason="one class")], ["acc", 0.9], ["f1", NAN]])
    html = render_fragment("t", [Section("s", [table])])
    assert '<td class="num" data-sort=""><span class="nan">NaN (one class)</span></td>' in html
    assert '<td class="num" data-sort="0.9">0.9</td>' in html
    assert '<td class="num" data-sort=""><span class="nan">NaN</span></td>' in html


def test_table_formats_and_numeric_columns():
    table = Table(
        ["name", "share", "rows", "code"],
        [["a", 0.25, 1200.0, 7], ["b", None, 3.0, 8]],
        formats={"share": "percent", "rows": "count", "code": "text"},
    )
    html = render_fragment("t", [Section("s", [table])])
    assert ">25.0%<" in html and ">1,200<" in html
    assert '<th scope="col" class="num" data-type="number">share</th>' in html
    assert '<th scope="col">code</th>' in html and "<td>7</td>" in html  # "text": as given, sorted as text
    assert '<th scope="col">name</th>' in html


def test_escaping_of_every_text():
    hostile = "<script>alert(1)</script>"
    section = Section(
        hostile,
        [
            Table([hostile], [[hostile]], caption=hostile),
            Text(hostile),
            KeyValues({hostile: hostile}),
            Code(hostile, hostile),
            Details(hostile, [Text("x")]),
            Tiles([Tile(hostile, hostile, detail=hostile)]),
            Section("sub", [], verdict="info"),
        ],
    )
    html = render_page(hostile, [section], summary=[Tile(hostile, Badge("info", hostile))], metadata={hostile: 1})
    assert hostile not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 13
    assert html.count("<script>") == 1  # the page's own script


def test_assets_scoped_and_hashed():
    css = asset("style.css")
    # Every selector of every rule starts with .assay-report, so a fragment cannot restyle a notebook.
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    body = re.sub(r"@media[^{]*\{", "", body)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", body) for s in block.split(",")]
    assert selectors and all(s.startswith(".assay-report") for s in selectors), [
        s for s in selectors if not s.startswith(".assay-report")
    ]
    html = render_page("t", [])
    csp = html_module.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert f"<style>{css}</style>" in html and f"<script>{asset('script.js')}</script>" in html


def test_page_structure():
    sections = [Section("Drift", []), Section("Drift", []), Section("Élan 2", [Section("Inner", [])], anchor="e2")]
    moment = dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.timezone.utc)
    html = render_page("Card", sections, subtitle="demo", generated=moment)
    assert re.findall(r'<section class="section level-(\d)" id="([^"]+)"', html) == [
        ("2", "drift"),
        ("2", "drift-2"),
        ("2", "e2"),
        ("3", "inner"),
    ]
    assert re.findall(r'<li><a href="#([^"]+)">', html) == ["drift", "drift-2", "e2"]
    assert f"Generated by assay {assay.__version__} on" in html and "2024-05-06 07:08 UTC" in html
    fragment = render_fragment("Card", sections)
    assert " id=" not in fragment and "<nav" not in fragment and "<html" not in fragment


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Table(["a", "b"], [[1]]), InvalidInputError, r"^rows\[0\]: expected 2 cells"),
        (lambda: Table(["a"], [[object()]]), InvalidTypeError, r"^rows\[0\]\[0\]"),
        (lambda: Table(["a"], [[1]], formats={"b": "percent"}), InvalidInputError, r"^formats\['b'\]"),
        (lambda: Table(["a"], [[1]], formats={"a": "money"}), InvalidInputError, r"^formats\['a'\]"),
        (lambda: Badge("great"), InvalidInputError, "^verdict"),
        (lambda: Tile("x", 1, verdict="ok"), InvalidInputError, "^verdict"),
        (lambda: Section("x", [], anchor="Has Space"), InvalidInputError, "^anchor"),
        (lambda: Section("x", ["text"]), InvalidTypeError, r"^blocks\[0\]"),
        (lambda: Section("x", "text"), InvalidTypeError, "^blocks"),
        (lambda: Section(3, []), InvalidTypeError, "^title"),
        (lambda: Number("1"), InvalidTypeError, "^value"),
        (lambda: Number(1.0, format="money"), InvalidInputError, "^format"),
        (lambda: Interval(1.0, None, 2.0), InvalidTypeError, "^lower"),
        (lambda: Text("x", tone="loud"), InvalidInputError, "^tone"),
        (lambda: KeyValues([("a", 1, 2)]), InvalidInputError, r"^items\[0\]"),
        (lambda: Tiles([1]), InvalidTypeError, r"^tiles\[0\]"),
        (lambda: render_page("t", Section("x", [])), InvalidTypeError, "^sections"),
        (lambda: render_page("t", [Text("x")]), InvalidTypeError, r"^sections\[0\]"),
        (lambda: render_page(None, []), InvalidTypeError, "^title"),
        (
            lambda: render_page("t", [Section("a", [], anchor="a"), Section("b", [], anchor="a")]),
            InvalidInputError,
            "^sections: the anchor 'a'",
        ),
        (lambda: render_fragment("t", [1]), InvalidTypeError, r"^sections\[0\]"),
    ],
)
def test_bad_input_names_the_argument(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_write_page_rejects_a_directory(tmp_path):
    with pytest.raises(InvalidInputError, match="^path"):
        write_page(tmp_path, "<p>x</p>")
    with pytest.raises(InvalidTypeError, match="^html"):
        write_page(tmp_path / "x.html", b"bytes")


def test_chart_cells_and_repr():
    chart = Chart('<svg role="img"><title>t</title></svg>', "t", ("one note.",))
    assert chart._repr_svg_() == chart.svg and chart.caption == "one note."
    html = render_fragment("t", [Section("s", [Table(["c"], [[chart]]), chart])])
    assert html.count('<svg role="img">') == 2
    assert '<th scope="col" data-nosort>c</th>' in html  # nothing to sort a column of charts by
    assert "<figcaption>one note.</figcaption>" in html


def test_empty_table():
    html = render_fragment("t", [Section("s", [Table(["a", "b"], [], caption="Nothing")])])
    assert '<td class="table-empty" colspan="2">No rows.</td>' in html
    assert "<caption>Nothing</caption>" in html
    assert "<table data-sortable>" in html and 'type="search"' not in html  # the script leaves it alone


def test_docstring_examples():
    import doctest
    import importlib

    for name in ("assay.report", "assay.report._blocks", "assay.report._format", "assay.report._render"):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, name
    result = doctest.testmod(importlib.import_module("assay.report.charts"))
    assert result.failed == 0 and result.attempted > 0
