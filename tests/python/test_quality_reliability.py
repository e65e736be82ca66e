"""Reliability of the quality engine, its input conversion and the CLI (issue 19).

Statistics on extreme values are compared with exact rational arithmetic (fractions);
bad input must give a documented result or an assay.errors class naming the argument.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import subprocess
import sys
import textwrap
from fractions import Fraction

import assay
import numpy as np
import pytest
from assay import quality
from assay._frame import as_frame
from assay.errors import (
    CorruptedStateError,
    InvalidInputError,
    InvalidTypeError,
    ResourceLimitError,
)

F32 = np.finfo(np.float32)


# --- exact references ----------------------------------------------------------------


def exact_mean(xs) -> float:
    return float(sum(Fraction(x) for x in xs) / len(xs))


def exact_std(xs) -> float:
    """Sample std (ddof=1) computed in rationals, scaled so that the float conversion of
    the variance cannot overflow; inf when the true std exceeds the largest double."""
    fr = [Fraction(x) for x in xs]
    mean = sum(fr) / len(fr)
    var = sum((x - mean) ** 2 for x in fr) / (len(fr) - 1)
    if var == 0:
        return 0.0
    e = math.frexp(max(abs(x) for x in xs))[1]  # var / 4**e is within a few powers of 2**-2200..4
    scaled = math.sqrt(float(var / Fraction(2) ** (2 * e)))
    try:
        return math.ldexp(scaled, e)
    except OverflowError:
        return math.inf


def exact_quantile(sorted_xs, p) -> float:
    n = len(sorted_xs)
    h = Fraction(n - 1) * Fraction(p)
    lo = math.floor(h)
    if lo + 1 >= n:
        return float(sorted_xs[-1])
    a, b = Fraction(sorted_xs[lo]), Fraction(sorted_xs[lo + 1])
    return float(a + (b - a) * (h - lo))


def close(a: float, b: float, rel: float = 4e-16) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) <= 5e-324


EXTREME_COLUMNS = {
    "issue_mixed_signs": np.array([1e308, 1e308, -1e308, 1e308, 5, 1e308, -1e308, 1e307]),
    "issue_all_huge": np.array([1e308] * 10 + [1.7e308] * 5),
    "float32_extremes": np.array([F32.max, -F32.max, F32.tiny, F32.smallest_subnormal, 0, 1], dtype=np.float32),
    "subnormals": np.array([1e-320, 2e-320, 3e-320, 5e-324]),
    "cancellation": np.array([1e308, 1.0, -1e308, 2.0]),
    "huge_and_tiny": np.array([1.7e308, 5e-324, -5e-324, 1e-300, 1.0]),
    "int64_extremes": np.array([2**63 - 1, -(2**63), 0, 1], dtype=np.int64),
    "uint64_max": np.array([2**64 - 1, 0, 2**63], dtype=np.uint64),
    "equal_huge": np.array([1.7976931348623157e308] * 7),
    "equal_tiny": np.array([5e-324] * 5),
    "f64_limits": np.array([np.finfo(np.float64).max, -np.finfo(np.float64).max, 0.0, 1.0]),
    "many_huge": np.tile(np.array([1.5e308, -1.4e308, 1.7e308, 3.0]), 300),
}


def finite_float64(values) -> np.ndarray:
    x = np.asarray(values).astype(np.float64)
    return x[np.isfinite(x)]


@pytest.mark.parametrize("name", sorted(EXTREME_COLUMNS))
def test_profile_statistics_on_extreme_values_match_exact_arithmetic(name):
    values = EXTREME_COLUMNS[name]
    stats = quality.profile({"x": values})["x"]
    x = finite_float64(values)
    xs = sorted(x.tolist())
    assert stats["min"] == xs[0] and stats["max"] == xs[-1]
    assert close(stats["mean"], exact_mean(xs), rel=1e-15), (stats["mean"], exact_mean(xs))
    assert close(stats["std"], exact_std(xs), rel=1e-14), (stats["std"], exact_std(xs))
    for p, q in stats["quantiles"].items():
        assert close(q, exact_quantile(xs, p), rel=1e-15), (p, q, exact_quantile(xs, p))
    edges, counts = np.array(stats["histogram"]["edges"]), np.array(stats["histogram"]["counts"])
    assert np.isfinite(edges).all() and (np.diff(edges) >= 0).all()
    assert edges[0] == xs[0] or xs[0] == xs[-1]
    assert counts.sum() == len(xs) and (counts >= 0).all()
    # Each count agrees with the edges it reports (half-open bins, the last one closed).
    inner = np.searchsorted(x[np.argsort(x)], edges[1:-1], side="left")
    expected = np.diff(np.concatenate([[0], inner, [len(xs)]]))
    np.testing.assert_array_equal(counts, expected)


def test_issue_examples():
    stats = quality.profile({"x": EXTREME_COLUMNS["issue_mixed_signs"]})["x"]
    assert stats["mean"] == pytest.approx(2.625e307, rel=1e-15)
    assert math.isfinite(stats["std"]) and stats["histogram"]["edges"][0] == -1e308
    assert quality.profile({"x": EXTREME_COLUMNS["issue_all_huge"]})["x"]["mean"] == pytest.approx(
        exact_mean(EXTREME_COLUMNS["issue_all_huge"].tolist()), rel=1e-15
    )
    assert quality.profile({"x": EXTREME_COLUMNS["float32_extremes"]})["x"]["mean"] == pytest.approx(1 / 6, rel=1e-12)


def test_std_beyond_the_largest_double_is_inf_and_variance_consistent():
    stats = quality.profile({"x": [1.7e308, -1.7e308]})["x"]
    assert stats["mean"] == 0.0
    assert stats["std"] == math.inf  # the true value, 2.4e308, exceeds the largest double
    stats = quality.profile({"x": [1.2e308, -1.2e308]})["x"]
    assert stats["std"] == pytest.approx(math.sqrt(2) * 1.2e308, rel=1e-15)


def test_infinities_are_counted_and_excluded_next_to_huge_values():
    values = np.array([np.inf, -np.inf, 1e308, -1e308, 1.5e308, np.nan, np.inf])
    stats = quality.profile({"x": values})["x"]
    assert (stats["infinities"], stats["missing"], stats["negatives"]) == (3, 1, 2)
    xs = [1e308, -1e308, 1.5e308]
    assert close(stats["mean"], exact_mean(xs)) and close(stats["std"], exact_std(xs), rel=1e-14)
    assert all(math.isfinite(e) for e in stats["histogram"]["edges"])


@pytest.mark.parametrize(
    "name", ["issue_mixed_signs", "issue_all_huge", "float32_extremes", "f64_limits", "many_huge", "subnormals"]
)
def test_merged_halves_keep_exact_moments(name):
    values = finite_float64(EXTREME_COLUMNS[name])
    for cut in (1, len(values) // 2, len(values) - 1):
        merged = quality.profile({"x": values[:cut]}).merge(quality.profile({"x": values[cut:]}))["x"]
        xs = values.tolist()
        assert close(merged["mean"], exact_mean(xs), rel=1e-14), (cut, merged["mean"], exact_mean(xs))
        assert close(merged["std"], exact_std(xs), rel=1e-13), (cut, merged["std"], exact_std(xs))
        edges = merged["histogram"]["edges"]
        assert all(math.isfinite(e) for e in edges) and sum(merged["histogram"]["counts"]) == len(xs)
        for q in merged["quantiles"].values():
            assert math.isfinite(q) and xs and min(xs) <= q <= max(xs)


def test_merge_of_profiles_of_different_magnitudes():
    small = np.linspace(-1, 1, 101)
    huge = np.array([1.5e308, -1.5e308, 1e300])
    merged = quality.profile({"x": small}).merge(quality.profile({"x": huge}))["x"]
    xs = small.tolist() + huge.tolist()
    assert close(merged["mean"], exact_mean(xs), rel=1e-13) and close(merged["std"], exact_std(xs), rel=1e-13)


def test_outlier_fences_and_median_when_the_iqr_overflows():
    x = np.array([-1.7e308] + [-1e308] * 4 + [1e308] * 4 + [1.7e308])
    assert quality.profile({"x": x})["x"]["quantiles"][0.5] == 0.0  # was +inf
    report = quality.check({"x": x}, thresholds={"outlier_iqr_k": 0.1})
    found = [f for f in report.findings if f.check == "outliers_iqr"]
    # Fences Q1 - 0.1 IQR = -1.2e308 and Q3 + 0.1 IQR = 1.2e308: the two extremes lie outside.
    assert len(found) == 1 and found[0].value == pytest.approx(0.2) and set(found[0].rows) == {0, 9}


def test_regression_target_near_the_largest_double_still_detects_leakage():
    rng = np.random.default_rng(0)
    leak = rng.normal(size=400)
    y = leak * 3e307  # up to about 1e308: sums of squares overflowed
    report = quality.check({"leak": leak, "noise": rng.normal(size=400)}, target=y)
    assert [f.column for f in report.findings if f.check == "target_leakage"] == ["leak"]


# --- accepted nonsense becomes an error naming the key -------------------------------


DATA = {"x": np.arange(20.0), "c": np.array(list("ab") * 10)}


@pytest.mark.parametrize(
    "thresholds, error, key",
    [
        ({"missing_warning": -1}, InvalidInputError, "missing_warning"),
        ({"missing_warning": math.nan}, InvalidInputError, "missing_warning"),
        ({"missing_error": math.inf}, InvalidInputError, "missing_error"),
        ({"missing_warning": 0.6, "missing_error": 0.5}, InvalidInputError, "missing_warning"),
        ({"outlier_mad_z": 0}, InvalidInputError, "outlier_mad_z"),
        ({"outlier_iqr_k": -1.5}, InvalidInputError, "outlier_iqr_k"),
        ({"leakage": 2}, InvalidInputError, "leakage"),
        ({"high_cardinality": 0}, InvalidInputError, "high_cardinality"),
        ({"max_examples": 2.5}, InvalidTypeError, "max_examples"),
        ({"max_examples": -1}, InvalidInputError, "max_examples"),
        ({"high_cardinality": 10**30}, InvalidInputError, "high_cardinality"),
        ({"leakage_bins": 10**9}, ResourceLimitError, "leakage_bins"),
        ({"near_constant": True}, InvalidTypeError, "near_constant"),
        ({"near_constant": "0.9"}, InvalidTypeError, "near_constant"),
        ({"outlier_rate": 10**400}, InvalidInputError, "outlier_rate"),
        ({"bogus": 1}, InvalidInputError, "bogus"),
        ([1, 2], InvalidTypeError, "thresholds"),
        ("missing_warning", InvalidTypeError, "thresholds"),
    ],
)
def test_bad_thresholds_are_errors_naming_the_key(thresholds, error, key):
    with pytest.raises(error, match=key):
        quality.check(DATA, thresholds=thresholds)


def test_valid_thresholds_still_work():
    report = quality.check(
        DATA, thresholds={"missing_warning": np.float64(0.01), "max_examples": np.int64(3), "leakage": 1}
    )
    assert report.passed


@pytest.mark.parametrize(
    "rules, error, where",
    [
        ({"x": {"min": 10**400}}, InvalidInputError, r"rules\['x'\]\['min'\]"),
        ({"x": {"max": -(10**400)}}, InvalidInputError, r"rules\['x'\]\['max'\]"),
        ({"x": {"min": math.nan}}, InvalidInputError, r"rules\['x'\]\['min'\]"),
        ({"x": {"min": "1"}}, InvalidTypeError, r"rules\['x'\]\['min'\]"),
        ({"x": {"min": True}}, InvalidTypeError, r"rules\['x'\]\['min'\]"),
        ({"x": {"min": 5, "max": 1}}, InvalidInputError, r"rules\['x'\]"),
        ({"x": {"max_missing": 2}}, InvalidInputError, "max_missing"),
        ({"x": {"max_missing": math.nan}}, InvalidInputError, "max_missing"),
        ({"x": {"nullable": 1}}, InvalidTypeError, "nullable"),
        ({"x": {"unique": "yes"}}, InvalidTypeError, "unique"),
        ({"x": {"allowed": [1, math.nan]}}, InvalidInputError, "allowed"),
        ({"x": {"allowed": [1, 10**400]}}, InvalidInputError, "allowed"),
        ({"x": {"allowed": "abc"}}, InvalidTypeError, "allowed"),
        ({"x": {"allowed": 3}}, InvalidTypeError, "allowed"),
        ({"x": {"allowed": ["a"]}}, InvalidTypeError, "allowed"),
        ({"x": {"dtype": ["float"]}}, InvalidInputError, "dtype"),
        ({"x": {"dtype": "complex"}}, InvalidInputError, "dtype"),
        ({"x": {"minimum": 1}}, InvalidInputError, "minimum"),
        ({"x": [("min", 1)]}, InvalidTypeError, r"rules\['x'\]"),
        ({3: {"min": 1}}, InvalidTypeError, "rules"),
        ([{"min": 1}], InvalidTypeError, "rules"),
        ({"c": {"min": 1}}, InvalidInputError, "'c'"),
    ],
)
def test_bad_rules_are_errors_naming_the_key(rules, error, where):
    with pytest.raises(error, match=where):
        quality.check(DATA, rules=rules)


def test_infinite_rule_bounds_are_allowed():
    report = quality.check(DATA, rules={"x": {"min": -math.inf, "max": math.inf, "allowed": list(range(20))}})
    assert report.passed


@pytest.mark.parametrize("call", ["profile", "check"])
@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"histogram_bins": 10**9}, ResourceLimitError),
        ({"histogram_bins": 10**30}, ResourceLimitError),
        ({"histogram_bins": 0}, InvalidInputError),
        ({"histogram_bins": -3}, InvalidInputError),
        ({"histogram_bins": 2.5}, InvalidInputError),
        ({"histogram_bins": True}, InvalidInputError),
        ({"histogram_bins": "20"}, InvalidInputError),
    ],
)
def test_size_arguments_are_checked_before_allocating(call, kwargs, error):
    with pytest.raises(error, match="histogram_bins"):
        getattr(quality, call)(DATA, **kwargs)


@pytest.mark.parametrize(
    "value, error",
    [(0, InvalidInputError), (-1, InvalidInputError), (1.5, InvalidInputError), (None, InvalidInputError)],
)
def test_tracked_values_is_a_positive_integer(value, error):
    with pytest.raises(error, match="tracked_values"):
        quality.profile(DATA, tracked_values=value)


def test_huge_tracked_values_means_all_values():
    stats = quality.profile({"x": [1.0, 2.0, 2.0]}, tracked_values=10**30)["x"]
    assert stats["values"] == [(2.0, 2), (1.0, 1)] and stats["values_exact"]


def test_fail_on_and_target_errors():
    with pytest.raises(InvalidInputError, match="fail_on"):
        quality.check(DATA, fail_on="info")
    with pytest.raises(InvalidInputError, match="fail_on"):
        quality.check(DATA, fail_on=["error"])
    with pytest.raises(InvalidInputError, match="target"):
        quality.check(DATA, target="nope")
    with pytest.raises(InvalidInputError, match="target has 3 values"):
        quality.check(DATA, target=[0, 1, 0])


# --- profile states ------------------------------------------------------------------


@pytest.fixture(scope="module")
def state():
    rng = np.random.default_rng(1)
    data = {"x": np.concatenate([rng.normal(size=50), [np.nan, np.inf]]), "c": np.array(list("abcd") * 13)}
    return quality.profile(data).to_dict()


def test_state_round_trips_and_reads_format_1(state):
    again = quality.Profile.from_json(json.dumps(state))
    assert again.to_dict() == state
    assert quality.Profile.from_json(json.dumps(state).encode()).to_dict() == state
    old = copy.deepcopy(state)
    old["format"] = 1
    for column in old["columns"]:
        column.pop("scale", None)
    assert quality.Profile.from_dict(old)["x"]["std"] == quality.Profile.from_dict(state)["x"]["std"]


def _mutations():
    """(label, function changing a copy of the state) for states that must be refused."""

    def column(kind):
        return lambda s: next(c for c in s["columns"] if c["kind"] == kind)

    num, cat = column("numeric"), column("categorical")

    def setter(get, key, value):
        def apply(s):
            get(s)[key] = value

        return apply

    def deleter(get, key):
        def apply(s):
            del get(s)[key]

        return apply

    yield "format 99", lambda s: s.update(format=99)
    yield "format missing", lambda s: s.pop("format")
    yield "format True", lambda s: s.update(format=True)
    yield "columns not a list", lambda s: s.update(columns={"a": 1})
    yield "column not a dict", lambda s: s["columns"].append(5)
    yield "kind unknown", setter(num, "kind", "text")
    yield "options bins huge", lambda s: s["options"].update(histogram_bins=10**12)
    yield "options missing", lambda s: s.pop("options")
    yield "options extra key", lambda s: s["options"].update(foo=1)
    for key in ("count", "missing", "m2", "hll", "summary", "histogram_edges", "quantiles", "values", "scale"):
        yield f"numeric {key} missing", deleter(num, key)
    yield "count negative", setter(num, "count", -1)
    yield "count float", setter(num, "count", 52.5)
    yield "count string", setter(num, "count", "52")
    yield "count huge", setter(num, "count", 2**70)
    yield "missing above count", setter(num, "missing", 10**6)
    yield "infinities above count", setter(num, "infinities", 10**6)
    yield "zeros negative", setter(num, "zeros", -5)
    yield "distinct above count", setter(num, "distinct", 10**6)
    yield "m2 negative", setter(num, "m2", -1.0)
    yield "m2 NaN", setter(num, "m2", math.nan)
    yield "m2 inf", setter(num, "m2", math.inf)
    yield "scale 3", setter(num, "scale", 3.0)
    yield "scale 0", setter(num, "scale", 0.0)
    yield "sum inf", setter(num, "sum", [math.inf, 0.0])
    yield "sum not a pair", setter(num, "sum", 3.0)
    yield "mean text", setter(num, "mean", "0.5")
    yield "mean None with values", setter(num, "mean", None)
    yield "min above max", lambda s: num(s).update(min=10.0, max=-10.0)
    yield "mean beyond max", lambda s: num(s).update(mean=1e6)
    yield "quantile beyond max", lambda s: num(s)["quantiles"].__setitem__(6, 1e6)
    yield "summary beyond max", lambda s: num(s)["summary"]["values"].__setitem__(-1, 1e6)
    yield "edges short of max", lambda s: num(s)["histogram_edges"].__setitem__(-1, num(s)["max"] - 1)
    yield "quantiles short", setter(num, "quantiles", [0.0])
    yield "quantile inf", lambda s: num(s)["quantiles"].__setitem__(0, math.inf)
    yield "histogram counts short", lambda s: num(s)["histogram_counts"].pop()
    yield "histogram edge NaN", lambda s: num(s)["histogram_edges"].__setitem__(3, math.nan)
    yield "histogram edges descending", lambda s: num(s)["histogram_edges"].reverse()
    yield "histogram count negative", lambda s: num(s)["histogram_counts"].__setitem__(0, -1)
    yield "histogram counts sum", lambda s: num(s)["histogram_counts"].__setitem__(0, 10**6)
    yield "hll not base64", setter(num, "hll", "!!!")
    yield "hll wrong size", setter(num, "hll", "AAAA")
    yield "hll not a string", setter(num, "hll", 5)
    yield "summary weights negative", lambda s: num(s)["summary"]["weights"].__setitem__(0, -1.0)
    yield "summary values unsorted", lambda s: num(s)["summary"]["values"].reverse()
    yield "summary total wrong", lambda s: num(s)["summary"]["weights"].__setitem__(0, 1000.0)
    yield "summary capacity 1", lambda s: num(s)["summary"].update(capacity=1)
    yield "summary value inf", lambda s: num(s)["summary"]["values"].__setitem__(-1, math.inf)
    yield "value table NaN", lambda s: num(s)["values"].__setitem__(0, [math.nan, 1])
    yield "value table text", lambda s: num(s)["values"].__setitem__(0, ["abc", 1])
    yield "value count zero", lambda s: num(s)["values"].__setitem__(0, [1.0, 0])
    yield "value table not pairs", setter(num, "values", [[1.0]])
    yield "categorical value not text", lambda s: cat(s)["values"].__setitem__(0, [3, 13])
    yield "categorical counts too big", lambda s: cat(s)["values"].__setitem__(0, ["a", 10**6])
    yield "categorical complete but short", lambda s: cat(s)["values"].pop()
    yield "name not text", setter(cat, "name", 3)
    yield "duplicate column", lambda s: s["columns"].append(copy.deepcopy(s["columns"][0]))


@pytest.mark.parametrize("label, mutate", list(_mutations()), ids=[label for label, _ in _mutations()])
def test_corrupted_states_are_refused(state, label, mutate):
    broken = copy.deepcopy(state)
    mutate(broken)
    with pytest.raises(CorruptedStateError, match="profile"):
        quality.Profile.from_dict(broken)
    with pytest.raises(CorruptedStateError):
        quality.Profile.from_json(json.dumps(broken))


@pytest.mark.parametrize(
    "text", ["", "{", "[]", "null", "5", '"profile"', '{"format": 2}', "\xff", b"\xff\xfe", "[" * 100000]
)
def test_malformed_json_is_a_corrupted_state(text):
    with pytest.raises(CorruptedStateError):
        quality.Profile.from_json(text)


@pytest.mark.parametrize("text", [5, None, {"format": 2}, ["{}"], 1.5])
def test_from_json_of_another_type_is_a_type_error(text):
    with pytest.raises(InvalidTypeError, match="text"):
        quality.Profile.from_json(text)


def test_merge_of_incompatible_profiles_is_a_clear_error():
    a = quality.profile({"x": [1.0, 2.0], "c": ["a", "b"]})
    with pytest.raises(InvalidInputError, match="column"):
        a.merge(quality.profile({"y": [1.0, 2.0], "c": ["a", "b"]}))
    with pytest.raises(InvalidInputError, match="'x'"):
        a.merge(quality.profile({"x": ["1", "2"], "c": ["a", "b"]}))
    with pytest.raises(InvalidTypeError, match="other"):
        a.merge({"x": [1.0]})


def test_core_merge_validates_hand_made_states():
    """A state assembled through the compiled module (not from_dict) cannot crash a merge."""
    good = quality.profile({"x": np.arange(10.0)})
    table = quality.Profile.from_dict(good.to_dict())._table
    broken = quality.Profile.from_dict(good.to_dict())._table
    numeric = broken.numeric
    numeric[0].histogram_counts = [1]  # 21 edges but one count: a merge used to read past it
    broken.numeric = numeric
    with pytest.raises(CorruptedStateError, match="histogram"):
        assay._core.quality.merge_profiles(table, broken, good._options)


# --- input conversion (_frame) --------------------------------------------------------


def test_frame_conversions():
    a = np.arange(24.0).reshape(4, 6)
    frame = as_frame(a[::-1, ::-2])  # negative and non-unit strides
    assert all(c.values.flags.c_contiguous for c in frame.columns)
    np.testing.assert_array_equal(frame.column("x0").values, a[::-1, 5])
    col = np.arange(10.0)
    assert as_frame({"a": col}).column("a").values is col  # zero-copy
    assert as_frame({"a": col[::-1]}).column("a").values.tolist() == col[::-1].tolist()
    big_endian = np.arange(3.0).astype(">f8")
    assert as_frame({"a": big_endian}).column("a").values.tolist() == [0.0, 1.0, 2.0]
    ints = as_frame({"a": np.array([2**63 - 1, -(2**63)])}).column("a").values
    assert ints.tolist() == [2.0**63, -(2.0**63)]  # nearest float64, as documented
    objects = as_frame({"a": np.array([1, 2.5, None, 2**64], dtype=object)}).column("a")
    assert objects.kind == "numeric" and objects.values[3] == 2.0**64 and math.isnan(objects.values[2])
    assert as_frame({"b": [True, False]}).column("b").values.tolist() == [1.0, 0.0]
    masked = np.ma.array([1.0, 99.0, 3.0], mask=[False, True, False])
    assert np.isnan(as_frame({"m": masked}).column("m").values[1])
    masked_dates = np.ma.array(np.array(["1970-01-02", "2000-01-01"], dtype="datetime64[ns]"), mask=[False, True])
    values = as_frame({"m": masked_dates}).column("m").values
    assert values[0] == 86400.0 and np.isnan(values[1])
    assert as_frame({"s": np.ma.array(["a", "b"], mask=[True, False])}).column("s").values.tolist() == [-1, 0]


def test_datetimes_of_any_unit_become_seconds_without_overflow():
    far = np.array(["3000-01-01", "1969-12-31", "NaT"], dtype="datetime64[s]")
    values = as_frame({"d": far}).column("d").values
    assert values[0] == 32503680000.0 and values[1] == -86400.0 and np.isnan(values[2])
    years = as_frame({"y": np.array(["2001"], dtype="datetime64[Y]")}).column("y").values
    assert years[0] == 978307200.0
    objects = as_frame({"o": np.array([dt.datetime(1970, 1, 2), dt.date(1970, 1, 3), None], dtype=object)}).column("o")
    assert objects.source_dtype == "datetime" and objects.values[:2].tolist() == [86400.0, 172800.0]
    aware = dt.datetime(1970, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert as_frame({"o": np.array([aware], dtype=object)}).column("o").values[0] == 0.0
    spans = as_frame({"t": np.array([dt.timedelta(minutes=1)], dtype=object)}).column("t")
    assert spans.source_dtype == "timedelta" and spans.values[0] == 60.0
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {"ts": pa.array([dt.datetime(3000, 1, 1), None], pa.timestamp("s")), "d": pa.array([dt.date(1970, 1, 2), None])}
    )
    frame = as_frame(table)
    assert frame.column("ts").values[0] == 32503680000.0 and np.isnan(frame.column("ts").values[1])
    assert frame.column("d").values[0] == 86400.0


def test_arrow_special_types():
    pa = pytest.importorskip("pyarrow")
    frame = as_frame(pa.table({"n": pa.array([None, None]), "i": pa.array([2**62 + 1, 1], pa.int64())}))
    assert np.isnan(frame.column("n").values).all()
    assert frame.column("i").values[0] == float(2**62)


def test_callers_arrays_are_not_modified():
    x = np.array([3.0, np.nan, 1e308, -np.inf, 2.0])
    d = np.array(["2020-01-01", "NaT", "1900-01-01", "2262-01-01", "2000-02-29"], dtype="datetime64[ns]")
    o = np.array([1, None, 2.5], dtype=object)
    m = np.ma.array([1.0, 2.0, 3.0], mask=[True, False, False])
    before = [x.copy(), d.copy(), o.copy(), m.data.copy(), m.mask.copy()]
    quality.check({"x": x, "d": d}, target=x)
    quality.profile({"o": o, "m": m})
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(d, before[1])
    assert o.tolist() == before[2].tolist()
    np.testing.assert_array_equal(m.data, before[3])
    np.testing.assert_array_equal(m.mask, before[4])


# --- the bad-input policy walk --------------------------------------------------------


def _walk_cases():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(2)
    base = rng.normal(size=30)
    yield "nan column", {"x": np.full(5, np.nan)}, "ok"
    yield "inf column", {"x": np.array([np.inf, -np.inf, np.inf])}, "ok"
    yield "1e308", {"x": np.array([1e308, -1e308, 1e308])}, "ok"
    yield "float32 extremes", {"x": EXTREME_COLUMNS["float32_extremes"]}, "ok"
    yield "int64 extremes", {"x": EXTREME_COLUMNS["int64_extremes"]}, "ok"
    yield "empty dict", {}, "ok"
    yield "empty rows", {"x": np.array([]), "c": np.array([], dtype=str)}, "ok"
    yield "one row", {"x": [1.0], "c": ["a"]}, "ok"
    yield "bool", {"b": [True, False, True]}, "ok"
    yield "datetime", {"d": np.array(["2020-01-01", "NaT", "2262-04-12"], dtype="datetime64[D]")}, "ok"
    yield "timedelta", {"t": np.array([1, 2], dtype="timedelta64[h]")}, "ok"
    yield "object numbers", {"o": np.array([1, None, 3.5], dtype=object)}, "ok"
    yield "object mixed", {"o": np.array([1, "a", None], dtype=object)}, "ok"
    yield "non-contiguous", {"x": base[::2]}, "ok"
    yield "negative stride", base.reshape(10, 3)[::-1], "ok"
    yield "int column names", pd.DataFrame(base.reshape(10, 3)), "ok"
    yield "mismatched lengths", {"a": [1.0, 2.0], "b": [1.0]}, InvalidInputError
    yield "complex", {"z": np.array([1j, 2])}, InvalidTypeError
    yield "complex pandas", pd.DataFrame({"z": [1j, 2]}), InvalidTypeError
    yield "object dicts", {"o": np.array([{}, {}], dtype=object)}, InvalidTypeError
    yield "object lists", {"o": pd.Series([[1], [2]])}, InvalidTypeError
    yield "object huge int", {"o": np.array([10**400], dtype=object)}, InvalidInputError
    yield (
        "object huge decimal",
        {"o": np.array([__import__("decimal").Decimal("1e400")], dtype=object)},
        InvalidInputError,
    )
    yield "object decimals", {"o": np.array([__import__("decimal").Decimal("1.5"), None], dtype=object)}, "ok"
    yield "pandas period", pd.DataFrame({"p": pd.period_range("2020", periods=2, freq="D")}), InvalidTypeError
    yield "0-d", np.float64(3.0), InvalidTypeError
    yield "3-d", np.zeros((2, 2, 2)), InvalidInputError
    yield "2-d column in dict", {"a": np.zeros((2, 2))}, InvalidInputError
    yield "duplicate names", pd.DataFrame([[1, 2]], columns=["a", "a"]), InvalidInputError
    yield "names equal as text", {1: [1.0], "1": [2.0]}, InvalidInputError
    yield "None", None, InvalidTypeError
    yield "ragged", [[1, 2], [3]], InvalidTypeError
    yield (
        "multiindex",
        pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")])),
        InvalidTypeError,
    )


@pytest.mark.parametrize("label, data, expected", list(_walk_cases()), ids=[c[0] for c in _walk_cases()])
def test_bad_input_policy_walk(label, data, expected):
    import warnings as _warnings

    for call in (quality.profile, quality.check):
        if expected == "ok":
            with _warnings.catch_warnings():
                _warnings.simplefilter("error")  # no stray numpy / pandas warnings either
                result = call(data)
            if call is quality.profile:
                # Every statistic is finite or NaN (never a made-up inf where the true value is finite),
                # and the state round-trips.
                for name in result.columns:
                    stats = result[name]
                    if stats["kind"] == "numeric":
                        assert all(math.isfinite(e) for e in stats["histogram"]["edges"])
                        assert not math.isinf(stats["mean"])
                quality.Profile.from_json(result.to_json())
            else:
                assert isinstance(result.passed, bool)
                json.loads(result.to_json())
        else:
            with pytest.raises(expected):
                call(data)


def test_one_class_target_and_single_row_target():
    report = quality.check({"x": np.arange(6.0)}, target=np.zeros(6))
    assert [f.check for f in report.findings if f.severity == "error"] == ["single_class"]
    report = quality.check({"x": [1.0]}, target=[1])
    assert not report.passed  # one row, one class


@pytest.mark.parametrize("n_jobs", [-1, 1, 2, 1000])
def test_n_jobs_values_give_the_same_result(n_jobs):
    rng = np.random.default_rng(3)
    data = {f"x{j}": rng.normal(size=200) for j in range(5)}
    reference = quality.check(data, n_jobs=1).to_dict()
    assert quality.check(data, n_jobs=n_jobs).to_dict() == reference
    assert quality.profile(data, n_jobs=n_jobs).to_dict() == quality.profile(data, n_jobs=1).to_dict()


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, "2"])
def test_bad_n_jobs_is_an_error_naming_it(n_jobs):
    with pytest.raises((ValueError, TypeError), match="n_jobs"):
        quality.profile({"x": [1.0]}, n_jobs=n_jobs)
    with pytest.raises((ValueError, TypeError), match="n_jobs"):
        quality.check({"x": [1.0]}, n_jobs=n_jobs)


# --- the CLI ---------------------------------------------------------------------------


def run_cli(args, cwd, stdin=None, prelude="", **kwargs):
    code = textwrap.dedent(prelude) + "\nimport sys\nfrom assay.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120, **kwargs
    )


@pytest.fixture
def files(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n3,4\n5,6\n")
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    (tmp_path / "data").write_text("a,b\n1,2\n")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "syntax.yaml").write_text("a: [1\n")
    (tmp_path / "evil.yaml").write_text('a: !!python/object/apply:os.system ["echo pwned"]\n')
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "rules.yaml").write_text("a:\n  min: 0\n")
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "fail.json").write_text('{"a": {"max": 2}}')
    return tmp_path


CLI_ERRORS = [
    (["check", "data.txt"], "unsupported file type '.txt'"),
    (["check", "data"], "no extension"),
    (["check", "folder.csv"], "not a file"),
    (["check", "."], "not a file"),
    (["check", "missing.csv"], "no such file"),
    (["check", "data.csv", "--reference", "missing.csv"], "reference missing.csv"),
    (["check", "data.csv", "--rules", "syntax.yaml"], "rules syntax.yaml"),
    (["check", "data.csv", "--rules", "evil.yaml"], "rules evil.yaml"),
    (["check", "data.csv", "--rules", "list.yaml"], "rules list.yaml"),
    (["check", "data.csv", "--rules", "bad.json"], "not valid JSON"),
    (["check", "data.csv", "--rules", "missing.yaml"], "no such file"),
    (["check", "data.csv", "--target", "nope"], "target"),
    (["check", "data.csv", "--n-jobs", "0"], "n_jobs"),
    (["check"], "usage"),
]

# Runs main() over many argument lists in one interpreter (one start-up for all cases)
# and prints each exit status with its stderr.
BATCH = """
import contextlib, io, json, sys
from assay.cli import main
out = []
for args in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as printed:
        try:
            status = main(args)
        except SystemExit as exit:  # argparse usage errors
            status = exit.code
    out.append([status, err.getvalue(), printed.getvalue()])
print(json.dumps(out))
"""


def test_cli_input_errors_exit_2_with_a_message(files):
    # The real command, as a pipeline runs it.
    for args in (["check", "data.txt"], ["check", "folder.csv"]):
        result = subprocess.run(
            [sys.executable, "-m", "assay.cli", *args], cwd=files, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    cases = [args for args, _ in CLI_ERRORS] + [
        ["check", "data.csv", "--rules", "rules.yaml"],
        ["check", "data.csv", "--rules", "fail.json"],
    ]
    result = subprocess.run(
        [sys.executable, "-c", BATCH, json.dumps(cases)], cwd=files, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    for (args, message), (status, err, printed) in zip(CLI_ERRORS, outcomes):
        assert status == 2, (args, status, err)
        assert message in err and "Traceback" not in err, (args, err)
        assert "pwned" not in printed
    assert [status for status, _, _ in outcomes[-2:]] == [0, 1]  # the gate still passes and fails


BLOCK = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name == {name!r} or name.startswith({name!r} + "."):
            raise ImportError("No module named " + repr(name), name=name)
        return None
sys.meta_path.insert(0, _Block())
"""


@pytest.mark.parametrize(
    "module, args, needle",
    [
        ("yaml", ["check", "data.csv", "--rules", "rules.yaml"], "PyYAML"),
        ("pandas", ["check", "data.csv"], "pandas"),
    ],
)
def test_cli_missing_optional_dependency_exits_2(files, module, args, needle):
    result = run_cli(args, files, prelude=BLOCK.format(name=module))
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "pip install" in result.stderr and "Traceback" not in result.stderr


def test_cli_into_a_closed_pipe_is_not_a_traceback(files):
    lines = ["a,b"] + [f"{i},{i % 7}" for i in range(3000)] + ["1e308,"] * 400
    (files / "wide.csv").write_text("\n".join(lines) + "\n")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as after `| head -1`
    code = "import sys\nfrom assay.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    try:
        result = subprocess.run(
            [sys.executable, "-c", code, "check", "wide.csv", "--json", "out.json"],
            cwd=files,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode in (0, 1)
    assert json.loads((files / "out.json").read_text())["n_rows"] == 3400  # files are written first


def test_cli_through_head(files):
    """The real thing, when a shell is available: `assay check ... | head -1`."""
    if not os.path.exists("/bin/sh"):
        pytest.skip("no /bin/sh")
    command = f"'{sys.executable}' -m assay.cli check data.csv --rules rules.yaml | head -c 1 >/dev/null"
    result = subprocess.run(["/bin/sh", "-c", command], cwd=files, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr


def test_leakage_with_many_categories_and_many_classes():
    """Categories x classes beyond a dense table (30,000 x 30,000 cells = 7 GB) is counted
    sparsely, with the same score as the definition."""
    n = 30000
    ids = np.array([f"id{i}" for i in range(n)])
    report = quality.check({"feature": ids}, target=np.array([f"t{i}" for i in range(n)]))
    assert not any(f.check == "target_leakage" for f in report.findings)
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    f, y = rng.integers(0, 3000, 6000).astype(str), rng.integers(0, 2000, 6000).astype(str)
    found = [
        x
        for x in quality.check(
            {"f": f}, target=y, thresholds={"leakage": 0, "leakage_min_support": 2, "leakage_decision": "point"}
        ).findings
        if x.check == "target_leakage"
    ]
    table = pd.crosstab(f, y)
    majority = pd.Series(y).value_counts().sort_index(kind="stable")
    majority_class = majority.index[np.argmax(majority.to_numpy())]
    support = table.sum(axis=1)
    correct = np.where(support >= 2, table.max(axis=1), table[majority_class]).sum()
    base = majority.max() / len(y)
    assert len(found) == 1 and found[0].value == pytest.approx((correct / len(y) - base) / (1 - base), rel=1e-12)


def test_histogram_bins_are_also_limited_per_table():
    wide = np.zeros((2, 200))
    with pytest.raises(ResourceLimitError, match="histogram_bins"):
        quality.profile(wide, histogram_bins=2**20)
    with pytest.raises(ResourceLimitError, match="histogram_bins"):
        quality.check(wide, histogram_bins=2**20)
    assert len(quality.profile(wide[:, :2], histogram_bins=2**20)["x0"]["histogram"]["counts"]) == 2**20


def test_merged_states_round_trip_through_json():
    """Merged states (sketch estimates, rebinned histograms) stay valid states: the distinct
    estimate is kept within the counts, so from_json accepts what to_json wrote."""
    rng = np.random.default_rng(0)
    parts = [(5000, 1.0, 0.0), (3000, 10.0, 5.0), (1, 1.0, 1e6), (70000, 1e300, 0.0), (0, 1.0, 0.0)]
    merged = None
    for n, scale, offset in parts:
        part = quality.profile({"x": rng.normal(size=n) * scale + offset, "c": rng.integers(0, 100, n).astype(str)})
        merged = part if merged is None else quality.Profile.from_json(merged.merge(part).to_json())
    stats = merged["x"]
    assert stats["count"] == 78001 and stats["distinct"] <= 78001 and sum(stats["histogram"]["counts"]) == 78001
    assert math.isfinite(stats["std"]) and abs(merged["c"]["distinct"] - 100) <= 5  # HyperLogLog estimate


def test_rules_on_datetime_columns_take_datetimes():
    d = np.array(["2020-01-01", "2021-06-01", "NaT"], dtype="datetime64[ns]")
    report = quality.check({"d": d}, rules={"d": {"min": dt.date(2020, 6, 1), "max": np.datetime64("2030-01-01")}})
    assert [f.rows for f in report.findings if f.check == "rule_min"] == [(0,)]
    assert not any(f.check == "rule_max" for f in report.findings)
    with pytest.raises(InvalidInputError, match="min"):
        quality.check({"d": d}, rules={"d": {"min": np.datetime64("NaT")}})
