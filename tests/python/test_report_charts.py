"""The inline SVG charts: well-formed, accessible, escaped, bounded in size, honest about NaN."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from assay.errors import InvalidInputError, InvalidTypeError
from assay.report import charts
from assay.report.charts import BinnedPair

NAN = float("nan")
HOSTILE = "<script>alert('x')</script> & co"


def _parse(chart):
    """The SVG parsed as XML (so it is well-formed), after the accessibility checks."""
    root = ET.fromstring(chart.svg)
    assert root.tag == "svg" and root.get("role") == "img"
    assert root[0].tag == "title" and root[0].text == chart.title
    assert "http" not in chart.svg
    return root


def _texts(root):
    return ["".join(node.itertext()) for node in root.iter("text")]


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(3)
    return rng.normal(size=1_000_000), rng.normal(0.3, 1.1, size=1_000_000)


def test_binned_pair_from_values_counts_everything(big):
    reference, current = big
    current = current.copy()
    current[:7] = np.nan
    current[7] = np.inf
    pair = BinnedPair.from_values(reference, current, bins=25)
    assert len(pair.edges) == 26 and len(pair.reference) == 25
    assert pair.reference_total == 1_000_000 and pair.reference_missing == 0
    assert pair.current_total == 1_000_000 - 8 and pair.current_missing == 8
    assert BinnedPair.from_dict(pair.to_dict()) == pair


def test_binned_pair_categorical():
    reference = np.array(["a", "b", "b", None, float("nan"), "c"], dtype=object)
    current = np.array(["b", "d", "d", "d"], dtype=object)
    pair = BinnedPair.from_values(reference, current, max_categories=2)
    assert pair.kind == "categorical"
    assert pair.categories == ("b", "d", "(other)") and pair.other == 2
    assert pair.reference == (2.0, 0.0, 2.0) and pair.current == (1.0, 3.0, 0.0)
    assert pair.reference_missing == 2 and pair.current_missing == 0
    assert BinnedPair.from_dict(pair.to_dict()) == pair


def test_constant_and_empty_columns():
    pair = BinnedPair.from_values(np.full(10, 3.0), np.full(5, 3.0))
    assert pair.edges == (2.5, 3.5) and pair.reference == (10.0,)
    empty = BinnedPair.from_values(np.array([np.nan]), np.array([], dtype=float))
    chart = charts.histogram_pair(empty, title="empty")
    _parse(chart)
    assert "No values to draw for reference and current." in chart.notes


def test_histogram_pair_draws_shares_and_notes_missing(big):
    reference, current = big
    current = current.copy()
    current[:3] = np.nan
    pair = BinnedPair.from_values(reference, current, bins=30)
    chart = charts.histogram_pair(pair, title="age", x_label="years")
    root = _parse(chart)
    assert {"age", "years", "share of rows", "reference", "current"} <= set(_texts(root))
    assert chart.notes == ("Not drawn: missing, NaN or infinite values (current: 3).",)
    assert len(chart.svg) < 12_000
    side = charts.histogram_pair(pair, title="age", mode="side")
    assert len(list(ET.fromstring(side.svg).iter("rect"))) > 2 * 25
    compact = charts.histogram_pair(pair, title="age", compact=True)
    assert len(compact.svg) < 5_000 and not _texts(_parse(compact))


def test_categorical_histogram_escapes_labels():
    pair = BinnedPair.from_values(np.array([HOSTILE, "b", "b"]), np.array(["b", "c"]))
    chart = charts.histogram_pair(pair, title=HOSTILE)
    root = _parse(chart)
    assert HOSTILE not in chart.svg
    assert HOSTILE in _texts(root)
    assert root[0].text == HOSTILE


def test_bar_with_intervals_skips_nan_and_draws_reference_line():
    chart = charts.bar_with_intervals(
        ["a", "b", HOSTILE, "d"],
        [0.9, 0.7, NAN, 0.85],
        [0.85, 0.6, NAN, NAN],
        [0.95, 0.8, NAN, NAN],
        title="ratio",
        reference_line=0.8,
        reference_label="four-fifths",
    )
    root = _parse(chart)
    texts = _texts(root)
    assert "four-fifths" in texts and "NaN (not drawn)" in texts and HOSTILE in texts
    # Three bars drawn (NaN is not), one of them without whiskers.
    assert len([r for r in root.iter("rect")]) == 3
    assert chart.notes == (
        "Whiskers show the interval.",
        f"Not drawn (value undefined): {HOSTILE}.",
        "No interval: d.",
    )


def test_bar_limits():
    chart = charts.bar_with_intervals([f"g{i}" for i in range(1000)], np.linspace(0, 1, 1000), title="many")
    assert chart.notes == ("960 more groups not shown.",)
    assert len(chart.svg) < 25_000
    with pytest.raises(InvalidInputError, match="^values"):
        charts.bar_with_intervals(["a"], [1.0, 2.0], title="t")
    with pytest.raises(InvalidInputError, match="^max_bars"):
        charts.bar_with_intervals(["a"], [1.0], title="t", max_bars=0)
    with pytest.raises(InvalidInputError, match="^upper"):
        charts.bar_with_intervals(["a"], [1.0], [0.5], [1.5, 2.0], title="t")


def test_importance_bars_order_and_bound():
    rng = np.random.default_rng(1)
    importance = rng.uniform(size=120)
    importance[5] = NAN
    names = [f"feature_{i}" for i in range(120)]
    chart = charts.importance_bars(names, importance, importance * 0.9, importance * 1.1)
    labels = [t for t in _texts(_parse(chart)) if t.startswith("feature_")]
    expected = [names[i] for i in np.argsort(-np.nan_to_num(importance, nan=-1))[:20]]
    assert labels == expected
    assert chart.notes[1].startswith("100 more features not shown")
    assert len(chart.svg) < 15_000


def test_line_gaps_band_and_downsampling(big):
    values = big[0][:1_000_000].copy()
    values[10] = NAN
    chart = charts.line(np.arange(values.size), values, title="error", lower=values - 1, upper=values + 1)
    _parse(chart)
    assert chart.notes == (
        "1 value not drawn (NaN or infinite).",
        "Each point is the mean of 1,000 consecutive values (1,000,000 in all).",
    )
    assert len(chart.svg) < 60_000
    small = charts.line(["a", "b", "c", "d"], [1.0, NAN, 2.0, 3.0], title="t", threshold=2.5, threshold_label="alert")
    root = _parse(small)
    path = [p.get("d") for p in root.iter("path")][0]
    assert path.count("M") == 2  # the NaN breaks the line in two
    assert "alert" in _texts(root)
    with pytest.raises(InvalidInputError, match="^x"):
        charts.line([1.0, NAN], [1.0, 2.0], title="t")
    nothing = charts.line(["a"], [NAN], title="t")
    assert "no finite values to draw" in _texts(_parse(nothing))


def test_reliability_curve():
    chart = charts.reliability_curve([0.1, 0.3, 0.5, 0.7], [0.12, NAN, 0.5, 0.6], counts=[10, 0, 30, 40])
    root = _parse(chart)
    assert len(list(root.iter("circle"))) == 3
    assert chart.notes == ("1 bin not drawn (NaN or infinite).",)
    with pytest.raises(InvalidInputError, match="^observed: expected values in"):
        charts.reliability_curve([0.1], [1.5])


def test_beeswarm_bounded_and_seeded():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(10_000, 120)) / (1 + np.arange(120))
    data = rng.normal(size=values.shape)
    data[:, 0] = np.nan
    names = [f"f{i}" for i in range(119)] + [HOSTILE]
    chart = charts.beeswarm(values, data, names, max_rows=300)
    root = _parse(chart)
    assert len(chart.svg) < 120_000
    assert chart.notes == (
        "Showing 300 of 10,000 rows (a random sample, seed 0).",
        "100 less important features not shown.",
        "Grey dots: the feature value is missing.",
    )
    dots = sum(p.get("d").count("h0") for p in root.iter("path"))
    assert dots == 300 * 20
    assert [t for t in _texts(root) if t.startswith("f")][:3] == ["f0", "f1", "f2"]
    assert charts.beeswarm(values, data, names).svg == chart.svg  # the same seed, the same chart
    assert charts.beeswarm(values, data, names, seed=1).svg != chart.svg


def test_beeswarm_nan_values_and_errors():
    values = np.array([[1.0, NAN], [np.inf, 0.5], [0.2, 0.1]])
    chart = charts.beeswarm(values, None, ["a", "b"])
    _parse(chart)
    assert chart.notes == ("2 values not drawn (NaN or infinite).",)
    all_nan = charts.beeswarm(np.full((3, 2), NAN), np.full((3, 2), NAN), ["a", "b"])
    assert "no finite values to draw" in _texts(_parse(all_nan))
    with pytest.raises(InvalidInputError, match="^values"):
        charts.beeswarm(np.zeros(3))
    with pytest.raises(InvalidInputError, match="^feature_values"):
        charts.beeswarm(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(InvalidInputError, match="^feature_names"):
        charts.beeswarm(np.zeros((3, 2)), None, ["a"])
    with pytest.raises(InvalidInputError, match="^max_rows"):
        charts.beeswarm(np.zeros((3, 2)), max_rows=10**6)
    with pytest.raises(InvalidTypeError, match="^feature_values"):
        charts.beeswarm(np.zeros((1, 1)), [["x"]])


def test_binned_pair_validation():
    with pytest.raises(InvalidInputError, match="^kind"):
        BinnedPair("ordinal", [1], [1])
    with pytest.raises(InvalidInputError, match="^edges"):
        BinnedPair("numeric", [1, 2], [1, 2], edges=[0, 1])
    with pytest.raises(InvalidInputError, match="^edges"):
        BinnedPair("numeric", [1], [1], edges=[1, 0])
    with pytest.raises(InvalidInputError, match="^current"):
        BinnedPair("categorical", [1, 2], [1], categories=["a", "b"])
    with pytest.raises(InvalidInputError, match="^reference"):
        BinnedPair("categorical", [-1], [1], categories=["a"])
    with pytest.raises(InvalidInputError, match="^bins"):
        BinnedPair.from_values([1.0], [2.0], bins=0)
    with pytest.raises(InvalidInputError, match="^data: missing key"):
        BinnedPair.from_dict({"kind": "numeric"})
    with pytest.raises(InvalidTypeError, match="^pair"):
        charts.histogram_pair([1, 2], title="t")
    with pytest.raises(InvalidTypeError, match="^title"):
        charts.histogram_pair(BinnedPair("categorical", [1], [1], categories=["a"]), title=None)


def test_coordinates_are_compact():
    """Coordinates carry at most one decimal (the markup stays small)."""
    pair = BinnedPair.from_values(np.linspace(0, 1, 1000), np.linspace(0.2, 1.3, 1000))
    svg = charts.histogram_pair(pair, title="x").svg
    assert not re.search(r'="-?\d+\.\d\d', svg)
