"""Invariants of profiles and checks, on hypothesis-generated data."""

import json
import math

import assay
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

floats = st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e12, max_value=1e12) | st.sampled_from(
    [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0]
)
columns = arrays(np.float64, st.integers(1, 60), elements=floats)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def assert_exact_parts_equal(a, b, rel=1e-12):
    for key in ("count", "missing", "infinities", "zeros", "negatives", "min", "max"):
        assert same(a[key], b[key]), key
    if math.isnan(a["mean"]):
        assert math.isnan(b["mean"])
    else:
        assert b["mean"] == pytest.approx(a["mean"], rel=rel, abs=1e-9 * (abs(a["max"]) + abs(a["min"]) + 1))
    if not math.isnan(a["std"]):
        scale = abs(a["max"]) + abs(a["min"]) + 1
        assert b["std"] == pytest.approx(a["std"], rel=1e-9, abs=1e-9 * scale)


@given(columns, st.integers(0, 60))
def test_merge_equals_whole(values, split):
    split = min(split, len(values))
    whole = assay.profile({"x": values})
    merged = assay.profile({"x": values[:split]}).merge(assay.profile({"x": values[split:]}))
    assert_exact_parts_equal(whole["x"], merged["x"])
    # Small columns: every sketch holds all values, so the merge is exact throughout.
    assert merged["x"]["distinct"] == whole["x"]["distinct"]
    assert merged["x"]["values"] == whole["x"]["values"] or not merged["x"]["values_exact"]
    np.testing.assert_allclose(
        list(merged["x"]["quantiles"].values()), list(whole["x"]["quantiles"].values()), rtol=1e-12, atol=1e-12
    )


@given(columns, st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_profile(values, random):
    order = list(range(len(values)))
    random.shuffle(order)
    a = assay.profile({"x": values})["x"]
    b = assay.profile({"x": values[order]})["x"]
    for key in ("count", "missing", "distinct", "min", "max", "quantiles", "histogram", "values"):
        assert json.dumps(a[key], default=str) == json.dumps(b[key], default=str), key
    assert_exact_parts_equal(a, b)


@given(columns)
def test_profile_round_trips_through_json(values):
    profile = assay.profile({"x": values, "c": np.where(np.isnan(values), None, values.astype(str)).astype(object)})
    text = profile.to_json()
    json.loads(text)  # strict JSON: no NaN tokens
    restored = assay.Profile.from_json(text)
    assert restored.to_dict() == profile.to_dict()
    for name in profile.columns:
        assert json.dumps(restored[name], default=str) == json.dumps(profile[name], default=str)


@given(columns)
def test_check_findings_do_not_depend_on_n_jobs(values):
    data = {"a": values, "b": values[::-1].copy(), "c": np.round(values, 0)}
    one = assay.check(data, n_jobs=1).to_dict()
    two = assay.check(data, n_jobs=2).to_dict()
    assert one == two


def test_large_profile_identical_for_any_n_jobs(rng):
    data = {f"c{j}": rng.normal(size=20000) for j in range(5)}
    assert assay.profile(data, n_jobs=1).to_dict() == assay.profile(data, n_jobs=2).to_dict()


def test_json_round_trip_then_merge_equals_direct_merge(rng):
    a, b = rng.normal(size=3000), rng.normal(1, 2, size=5000)
    pa, pb = assay.profile({"x": a}), assay.profile({"x": b})
    direct = pa.merge(pb)
    via_json = assay.Profile.from_json(pa.to_json()).merge(assay.Profile.from_json(pb.to_json()))
    assert direct.to_dict() == via_json.to_dict()
