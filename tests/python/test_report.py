"""The report layer in a real browser (headless Chromium), and its markup against a stored file.

The browser tests share one Chromium launch (the session fixture ``browser_render`` in
conftest.py) and one page built with every block and chart kind.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from assay.report import (
    Badge,
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
    charts,
    render_fragment,
    render_page,
    write_page,
)

REFERENCE_DIR = Path(__file__).parent / "report_reference"
HOSTILE = "<script>window.__pwned = 1</script>"
FIXED_TIME = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.timezone.utc)


def _sections():
    """One section per block kind, and every chart kind, with NaN and hostile labels."""
    rng = np.random.default_rng(7)
    n_features = 120
    names = [f"feature_{i}" for i in range(n_features - 1)] + [HOSTILE]
    reference = rng.normal(size=(2000, 6))
    current = reference + [0.0, 0.5, 0.0, 1.0, 0.0, 0.0]
    current[:5, 0] = np.nan
    rows = []
    for j in range(6):
        pair = charts.BinnedPair.from_values(reference[:, j], current[:, j], bins=20)
        rows.append([names[j], charts.histogram_pair(pair, title=names[j], compact=True), float(j) / 10])
    rows.append([HOSTILE, None, float("nan")])
    shap_values = rng.normal(size=(3000, n_features)) / (1 + np.arange(n_features))
    gates = Table(
        ["gate", "value", "verdict"],
        [
            ["demographic-parity ratio", Interval(0.81, 0.77, 0.85), Badge("passed")],
            ["ROC-AUC", Number(float("nan"), reason="one class"), Badge("undefined")],
            ["share of drifted features", Number(0.3, format="percent"), Badge("failed")],
        ],
        caption="Gates",
    )
    return [
        Section(
            "Gates",
            [Tiles([Tile("gates failed", 1, verdict="failed"), Tile("rows", 1_000_000)]), gates],
            verdict="failed",
        ),
        Section(
            "Data drift",
            [
                Table(["column", "distribution", "drift score"], rows, caption="Columns"),
                charts.histogram_pair(
                    charts.BinnedPair.from_values(reference[:, 1], current[:, 1]), title="feature_1", x_label="value"
                ),
                charts.histogram_pair(
                    charts.BinnedPair.from_values(rng.choice(["a", "b", HOSTILE], 500), rng.choice(["a", "c"], 500)),
                    title="colour",
                ),
                charts.line(
                    [f"week {i}" for i in range(12)],
                    rng.uniform(0, 0.4, 12),
                    lower=np.full(12, 0.05),
                    upper=np.full(12, 0.2),
                    title="Share of drifted features",
                    threshold=0.3,
                    percent=True,
                ),
            ],
        ),
        Section(
            "Fairness",
            [
                charts.bar_with_intervals(
                    ["group a", "group b", HOSTILE],
                    [0.92, 0.71, float("nan")],
                    [0.88, 0.65, float("nan")],
                    [0.96, 0.78, float("nan")],
                    title="Selection-rate ratio",
                    reference_line=0.8,
                    reference_label="four-fifths",
                )
            ],
            anchor="fairness",
        ),
        Section(
            "Performance",
            [charts.reliability_curve(np.linspace(0.05, 0.95, 10), np.linspace(0.08, 0.9, 10))],
        ),
        Section(
            "Explanations",
            [
                charts.importance_bars(names, np.abs(shap_values).mean(axis=0)),
                charts.beeswarm(shap_values, rng.normal(size=shap_values.shape), names),
                Section("Notes", [Text("First paragraph.\n\nSecond paragraph.", tone="note")]),
            ],
        ),
        Section(
            "Run",
            [
                KeyValues({"seed": 0, "n_boot": 1000, "reference rows": 2000}),
                Details("Configuration", [Code("drift:\n  threshold: 0.1\n", "yaml")]),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def full_page():
    summary = [Tile("verdict", Badge("failed"), verdict="failed"), Tile("rows", 2000), Tile("drift", 0.25)]
    return render_page("Model card", _sections(), summary=summary, metadata={"model": "demo"}, generated=FIXED_TIME)


def _sortable_page():
    table = Table(
        ["name", "score"],
        [["b", 10], ["a", 2], ["c", float("nan")], ["d", 100], ["e", None], ["f", -1.5]],
        caption="Scores",
    )
    return render_page("Sorting", [Section("Scores", [table])], generated=FIXED_TIME)


def test_page_renders_in_browser(browser_render, full_page):
    page = browser_render(full_page)
    assert page.errors == []
    for title, anchor in [
        ("Gates", "gates"),
        ("Data drift", "data-drift"),
        ("Fairness", "fairness"),
        ("Performance", "performance"),
        ("Explanations", "explanations"),
        ("Run", "run"),
    ]:
        assert page.texts(f"section#{anchor} > h2")[0].startswith(title)
        assert page.count(f'nav a[href="#{anchor}"]') == 1
    assert page.count("section#notes > h3") == 1
    # Every chart is an SVG image with an accessible name, and the script has run.
    assert page.count("svg[role=img] > title") == page.count("svg") >= 13
    assert page.count("table[data-ready]") == 2
    assert page.texts("footer")[0] == "Generated by assay {} on 2025-01-02 03:04 UTC.".format(
        page.page.evaluate("document.querySelector('meta[name=generator]').content.split(' ')[1]")
    )


def test_screenshot_is_not_blank(browser_render, full_page):
    from PIL import Image

    page = browser_render(full_page)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    assert image.height > 2000
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200
    # Not a page of one colour with specks: white covers well under 95% of it.
    white = max(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.95 * image.width * image.height


def test_hostile_labels_stay_text(browser_render, full_page):
    page = browser_render(full_page)
    assert page.page.evaluate("window.__pwned === undefined")
    assert HOSTILE in page.texts("section#data-drift table")[0]
    assert page.count("script") == 1


def test_no_external_references(full_page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", full_page, re.IGNORECASE)
    assert "http://" not in full_page and "https://" not in full_page
    assert "@import" not in full_page


def test_table_sorts_numerically_with_nan_last(browser_render):
    page = browser_render(_sortable_page())
    assert page.errors == []
    names = lambda: [t.strip() for t in page.texts("tbody td:first-child")]  # noqa: E731
    page.page.click("th:nth-child(2) button")
    assert names() == ["f", "a", "b", "d", "c", "e"]
    assert page.page.get_attribute("th:nth-child(2)", "aria-sort") == "ascending"
    page.page.click("th:nth-child(2) button")
    assert names() == ["d", "b", "a", "f", "c", "e"]
    # Keyboard: the header is a button, Enter sorts.
    page.page.focus("th:nth-child(1) button")
    page.page.keyboard.press("Enter")
    assert names() == ["a", "b", "c", "d", "e", "f"]
    assert page.page.get_attribute("th:nth-child(2)", "aria-sort") is None


def test_table_search_filters_rows(browser_render):
    page = browser_render(_sortable_page())
    page.page.fill("input[type=search]", "d")
    visible = page.page.evaluate(
        "Array.from(document.querySelectorAll('tbody tr')).filter(r => !r.hidden).map(r => r.cells[0].textContent)"
    )
    assert visible == ["d"]
    assert page.texts(".table-count") == ["1 of 6 rows"]
    page.page.fill("input[type=search]", "")
    assert page.count("tbody tr:not([hidden])") == 6


def test_print_hides_navigation_and_opens_details(browser_render, full_page):
    page = browser_render(full_page)
    page.page.emulate_media(media="print")
    assert page.page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    assert page.page.evaluate("getComputedStyle(document.querySelector('.table-tools')).display") == "none"
    page.page.emulate_media(media="screen")
    # Printing (here to PDF) opens the collapsed details, and closes them again afterwards.
    page.page.evaluate(
        "window.openWhilePrinting = [];"
        "addEventListener('beforeprint', () =>"
        " openWhilePrinting.push(document.querySelectorAll('details[open]').length))"
    )
    assert page.page.pdf()[:4] == b"%PDF"
    assert page.page.evaluate("openWhilePrinting") == [1]
    assert page.count("details[open]") == 0


def test_fragment_is_scoped(browser_render):
    """Two fragments in a host page (as in a notebook): both work, and the host's own table and
    text keep the browser's default style."""
    fragment = render_fragment("Sorting", [Section("Scores", [Table(["x"], [[2], [1]])])])
    host = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>host</title></head><body>"
        "<p id='outside'>outside</p><table id='host-table'><tr><td>1</td></tr></table>"
        f"{fragment}{fragment}</body></html>"
    )
    page = browser_render(host)
    assert page.errors == []
    assert page.count("table[data-ready]") == 2
    assert page.count("th button.sort") == 2  # the script ran twice without wrapping twice
    style = "getComputedStyle(document.querySelector('{}')).{}"
    assert page.page.evaluate(style.format("#host-table", "borderCollapse")) == "separate"
    assert page.page.evaluate(style.format("#outside", "fontFamily")) != page.page.evaluate(
        style.format(".assay-report", "fontFamily")
    )
    assert "<html" not in fragment and "<body" not in fragment


def test_write_page(tmp_path, browser_render):
    path = write_page(tmp_path / "cards" / "card.html", _sortable_page())
    assert path.exists()
    page = browser_render(path)
    assert page.errors == []
    assert page.texts("h1") == ["Sorting"]


def _reference_fragment():
    pair = charts.BinnedPair("numeric", [1, 3, 2], [2, 2, 3], edges=[0.0, 1.0, 2.0, 3.0])
    return render_fragment(
        "Reference <report>",
        [
            Section(
                "Results",
                [
                    Tiles([Tile("rows", 1234), Tile("drift", Number(0.125, format="percent"), verdict="warning")]),
                    Table(
                        ["metric", "value", "verdict"],
                        [["accuracy", Interval(0.81, 0.77, 0.85), Badge("passed")], ["auc", float("nan"), None]],
                        caption="Metrics",
                    ),
                    charts.histogram_pair(pair, title="x", compact=True),
                    KeyValues([("seed", 0)]),
                    Details("Config", [Code("a: 1", "yaml")]),
                    Text("Done & dusted."),
                ],
                verdict="warning",
            )
        ],
        summary=[Tile("verdict", Badge("passed"))],
        subtitle="small",
    )


def test_fragment_matches_reference_file():
    """A markup change is a reviewed diff: regenerate with ASSAY_UPDATE_REFERENCE=1."""
    stored = REFERENCE_DIR / "fragment.html"
    html = _reference_fragment()
    if os.environ.get("ASSAY_UPDATE_REFERENCE"):
        stored.parent.mkdir(exist_ok=True)
        stored.write_text(html, encoding="utf-8")
    expected = stored.read_text(encoding="utf-8")
    if html != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), html.splitlines(), "stored", "now", lineterm=""))
        pytest.fail(f"the fragment differs from {stored.name} (ASSAY_UPDATE_REFERENCE=1 rewrites it):\n{diff[:4000]}")
