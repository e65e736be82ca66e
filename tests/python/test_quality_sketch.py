"""The one-pass sketch mode of profile and check (exact=False): its stated bounds, merges of
any split, state round trips, corrupted states, thread-count invariance."""

from __future__ import annotations

import base64
import functools

import numpy as np
import pytest
from assay import quality
from assay.errors import CorruptedStateError, InvalidTypeError

N = 20_000


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=N)
    x[::50] = np.nan
    x[1], x[2] = np.inf, -np.inf
    return {
        "x": x,
        "ties": rng.integers(0, 5, N).astype(float),
        "sorted": np.arange(N, dtype=float),
        "two_point": np.where(rng.random(N) < 0.3, -1e300, 1e300),
        "city": rng.choice(["Basel", "Bern", "Chur"], N),
    }


@pytest.fixture(scope="module")
def sketched(data: dict[str, np.ndarray]) -> quality.Profile:
    return quality.profile(data, exact=False)


def _within_rank_error(column: dict, values: np.ndarray) -> None:
    """Each reported quantile lies within quantile_rank_error x n ranks of the exact one."""
    finite = np.sort(values[np.isfinite(values)])
    n = len(finite)
    slack = column["quantile_rank_error"] * n + 1
    for p, q in column["quantiles"].items():
        h = p * (n - 1)
        assert np.searchsorted(finite, q, "left") <= h + slack
        assert np.searchsorted(finite, q, "right") >= h - slack


def _counts_within_bound(column: dict, values: np.ndarray) -> None:
    """Every value's count is at most values_count_error above the table's count."""
    present = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    uniques, counts = np.unique(present, return_counts=True)
    listed = dict(column["values"])
    error = column["values_count_error"]
    assert error <= len(present) / 65
    for value, count in zip(uniques.tolist(), counts.tolist()):
        assert listed.get(value, 0) <= count <= listed.get(value, 0) + error


def test_exact_parts_match_the_exact_profile(data, sketched):
    exact = quality.profile(data)
    assert not sketched.exact and exact.exact
    for name in data:
        s, e = sketched[name], exact[name]
        for key in ("count", "missing") + (("min", "max", "infinities", "zeros", "negatives") if "mean" in e else ()):
            assert s[key] == e[key], (name, key)
        if "mean" in e:
            assert s["mean"] == pytest.approx(e["mean"], rel=1e-12, abs=1e-12)
            assert s["std"] == pytest.approx(e["std"], rel=1e-9)
        else:  # a categorical column of three labels: every count fits the table
            assert s["values"] == e["values"] and s["distinct_exact"]


def test_estimates_stay_within_their_stated_bounds(data, sketched):
    exact = quality.profile(data)
    for name in ("x", "sorted", "two_point", "ties"):
        column = sketched[name]
        if name in ("x", "sorted"):  # many distinct values: summarised
            assert not column["quantiles_exact"] and 0 < column["quantile_rank_error"] < 0.01
        else:  # few distinct values: counted exactly
            assert column["quantiles_exact"] and column["quantile_rank_error"] == 0
            assert column["quantiles"] == exact[name]["quantiles"]
        _within_rank_error(column, data[name])
        _counts_within_bound(column, data[name])
    # 20,000 distinct values: HyperLogLog within four standard errors (1.6% each).
    assert not sketched["sorted"]["distinct_exact"]
    assert abs(sketched["sorted"]["distinct"] - N) < 4 * 0.0163 * N
    assert sketched["ties"]["distinct"] == 5 and sketched["ties"]["distinct_exact"]


@pytest.mark.parametrize("cuts", [(0, N), (0, 0, 7_000, 13_001, N, N), (0, 1, 2, 9_999, N)])
def test_merge_of_any_split_keeps_the_bounds(data, sketched, cuts):
    parts = [quality.profile({k: v[a:b] for k, v in data.items()}, exact=False) for a, b in zip(cuts, cuts[1:])]
    merged = functools.reduce(quality.Profile.merge, parts[::-1])
    assert not merged.exact
    for name in data:
        for key in ("count", "missing", "min", "max", "infinities", "zeros", "negatives"):
            assert merged[name].get(key) == sketched[name].get(key)
    for name in ("x", "sorted", "two_point"):
        _within_rank_error(merged[name], data[name])
        _counts_within_bound(merged[name], data[name])
    _counts_within_bound(merged["city"], data["city"])


def test_state_round_trips_and_thread_count_does_not_matter(data, sketched):
    again = quality.Profile.from_json(sketched.to_json())
    assert again.to_dict() == sketched.to_dict() and not again.exact
    assert quality.profile(data, exact=False, n_jobs=1).to_dict() == sketched.to_dict()
    # The restored state merges like the original.
    assert again.merge(sketched).to_dict() == sketched.merge(sketched).to_dict()


def test_corrupted_sketch_state_is_an_error(sketched):
    state = sketched.to_dict()
    raw = base64.b64decode(state["sketch"])
    for bad in (raw[: len(raw) // 2], raw[:3] + b"9" + raw[4:], raw + b"\0"):
        state["sketch"] = base64.b64encode(bad).decode()
        with pytest.raises(CorruptedStateError, match="sketch"):
            quality.Profile.from_dict(state)
    with pytest.raises(InvalidTypeError, match="exact"):
        quality.profile({"x": np.ones(3)}, exact="no")


def test_check_says_what_it_estimates_and_what_it_skips(data):
    frame = dict(data, x_copy=data["x"].copy(), y=(data["ties"] > 2).astype(int))
    report = quality.check(frame, target="y", reference=frame, exact=False)
    assert not report.profile.exact and "one-pass sketch mode" in report.summary()
    skipped = {f.message.split(":")[0] for f in report.findings if f.check == "skipped"}
    assert skipped == {"outliers_mad", "target_leakage", "duplicate_rows", "conflicting_labels", "train_test_overlap"}
    assert all(f.severity == "info" for f in report.findings if f.check == "skipped")
    assert not any(f.check in {"duplicate_rows", "outliers_mad", "train_test_overlap"} for f in report.findings)
    exact = quality.check(frame, target="y", exact=True)
    assert exact.profile.exact and not any(f.check == "skipped" for f in exact.findings)
    # The counted checks agree with the exact mode.
    for check in ("missing", "infinite_values"):
        assert {(f.column, f.value) for f in report.findings if f.check == check} == {
            (f.column, f.value) for f in exact.findings if f.check == check
        }
