"""Bad input: a clear error naming the argument, or a documented result; never a crash."""

import assay
import numpy as np
import pandas as pd
import pytest


def test_empty_inputs_give_empty_profiles():
    assert len(assay.profile(pd.DataFrame())) == 0
    assert assay.check(pd.DataFrame()).passed
    report = assay.check(pd.DataFrame({"x": pd.Series([], dtype=float)}))
    assert report.findings == []
    assert np.isnan(report.profile["x"]["mean"])


def test_one_row():
    report = assay.check({"x": [1.0], "s": np.array(["a"])}, target=np.array([1]))
    assert report.profile["x"]["count"] == 1
    assert np.isnan(report.profile["x"]["std"])
    assert any(f.check == "single_class" for f in report.findings)


# 70,000 rows: long columns with few distinct values are held as runs (here none, or one).
@pytest.mark.parametrize("n", [10, 70_000])
def test_all_nan_and_all_inf_columns(n):
    report = assay.check({"nan": np.full(n, np.nan), "inf": np.full(n, np.inf)})
    by_column = {(f.check, f.column) for f in report.findings}
    assert ("missing", "nan") in by_column
    assert ("infinite_values", "inf") in by_column
    stats = report.profile["inf"]
    assert stats["infinities"] == n and np.isnan(stats["mean"]) and stats["distinct"] == 1
    assert all(np.isnan(q) for q in stats["quantiles"].values())
    empty = report.profile["nan"]
    assert empty["missing"] == n and empty["distinct"] == 0 and np.isnan(empty["min"]) and empty["values"] == []


def test_mismatched_lengths_name_the_argument():
    with pytest.raises(ValueError, match="differ in length"):
        assay.profile({"a": [1.0, 2.0], "b": [1.0]})
    with pytest.raises(ValueError, match="target has 3 values but data has 2 rows"):
        assay.check({"a": [1.0, 2.0]}, target=[0, 1, 1])


def test_unknown_target_column():
    with pytest.raises(ValueError, match="target: no column 'y'"):
        assay.check({"a": [1.0, 2.0]}, target="y")


@pytest.mark.parametrize(
    "data, error, pattern",
    [
        ({"c": np.array([1 + 2j, 3j])}, TypeError, "column 'c': unsupported dtype complex128"),
        ({"o": np.array([{"a": 1}, {"b": 2}], dtype=object)}, TypeError, "column 'o': object values"),
        (None, TypeError, "data: expected a table"),
        (np.zeros((2, 2, 2)), ValueError, "expected a 2-D table"),
        ({"a": np.zeros((2, 2))}, ValueError, "column 'a': expected a 1-D array"),
    ],
)
def test_unsupported_inputs(data, error, pattern):
    with pytest.raises(error, match=pattern):
        assay.profile(data)


def test_repeated_column_names():
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="column names repeat"):
        assay.profile(df)
    with pytest.raises(ValueError, match="feature_names has 1 names"):
        assay._frame.as_frame(np.zeros((3, 2)), feature_names=["a"])


def test_non_contiguous_and_fortran_arrays_give_the_same_result(rng):
    data = rng.normal(size=(300, 4))
    expected = assay.profile(data).to_dict()
    assert assay.profile(np.asfortranarray(data)).to_dict() == expected
    wide = np.zeros((300, 8))
    wide[:, ::2] = data
    assert assay.profile(wide[:, ::2]).to_dict() == expected


@pytest.mark.parametrize(
    "rules, error, pattern",
    [
        ({"a": {"minimum": 1}}, ValueError, r"rules\['a'\]: unknown key"),
        ({"a": {"min": "one"}}, TypeError, r"rules\['a'\]\['min'\]: expected a number"),
        ({"a": {"nullable": "no"}}, TypeError, r"rules\['a'\]\['nullable'\]"),
        ({"a": {"max_missing": 2}}, ValueError, "fraction"),
        ({"a": {"dtype": "complex"}}, ValueError, "unknown dtype"),
        ({"s": {"min": 1}}, ValueError, "rules for column 's': min, max"),
        ({"a": {"allowed": "abc"}}, TypeError, "expected a list"),
        (["a"], TypeError, "rules: expected a mapping"),
    ],
)
def test_bad_rules(rules, error, pattern):
    with pytest.raises(error, match=pattern):
        assay.check({"a": [1.0, 2.0], "s": np.array(["x", "y"])}, rules=rules)


def test_bad_options():
    with pytest.raises(ValueError, match="fail_on"):
        assay.check({"a": [1.0]}, fail_on="fatal")
    with pytest.raises(ValueError, match="thresholds: unknown key 'missing'"):
        assay.check({"a": [1.0]}, thresholds={"missing": 0.1})
    with pytest.raises(TypeError, match=r"thresholds\['leakage'\]"):
        assay.check({"a": [1.0]}, thresholds={"leakage": "high"})
    with pytest.raises(ValueError, match="n_jobs"):
        assay.profile({"a": [1.0]}, n_jobs=0)
    with pytest.raises(ValueError, match="histogram_bins"):
        assay.profile({"a": [1.0]}, histogram_bins=0)


def test_profile_merge_and_load_errors(rng):
    a = assay.profile({"x": rng.normal(size=10)})
    b = assay.profile({"y": rng.normal(size=10)})
    with pytest.raises(ValueError, match="different columns"):
        a.merge(b)
    with pytest.raises(TypeError, match="expected a Profile"):
        a.merge({"x": 1})
    with pytest.raises(ValueError, match="not an assay profile"):
        assay.Profile.from_dict({"format": 99})
    state = a.to_dict()
    state["columns"][0]["hll"] = "AAAA"
    with pytest.raises(ValueError, match="HyperLogLog registers"):
        assay.Profile.from_dict(state)
    with pytest.raises(KeyError, match="no column 'z'"):
        a["z"]
