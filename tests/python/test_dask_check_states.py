"""assay.dask.check beyond the memory budget: per-partition check states (the core's
CheckState) merged in a fixed tree equal the single-machine one-pass sketch mode
``quality.check(..., exact=False)`` for 1, 3 and 17 partitions, shuffled partition order and
empty partitions; quantile-based values within their stated rank error; corrupted states
refused."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from assay import dask as adask  # noqa: E402
from assay import quality  # noqa: E402
from assay._core import quality as core_quality  # noqa: E402
from assay._frame import as_frame  # noqa: E402
from assay.errors import CorruptedStateError, InvalidInputError, ResourceLimitError  # noqa: E402
from dask_partitions import even_cuts, layouts, partitioned  # noqa: E402

N_ROWS = 900
TINY = {adask.MEMORY_BUDGET_KEY: "1KiB"}  # every table below exceeds it
FAR = 500.0  # the outliers of "x", far beyond the fences of its bulk 0..39
RULES = {"x": {"min": 0, "max": 45, "nullable": False}, "plan": {"allowed": ["basic", "pro"], "dtype": "string"}}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(17)
    x = rng.integers(0, 40, N_ROWS).astype(float)
    x[rng.choice(N_ROWS, 45, replace=False)] = FAR
    x[::37] = np.nan
    x[7] = np.inf
    frame = pd.DataFrame(
        {
            "x": x,
            "share": rng.uniform(0, 1, N_ROWS),
            "plan": rng.choice(["basic", "pro", "Pro ", "team"], N_ROWS, p=[0.5, 0.3, 0.1, 0.1]),
            "region": pd.Categorical(rng.choice(["n", "s", "e"], N_ROWS), categories=["e", "n", "s", "w"]),
            "city": rng.choice(["oslo", "rome", "lima", "nuuk"], N_ROWS),
            "y": rng.integers(0, 2, N_ROWS),
        }
    )
    frame.loc[::19, "plan"] = None
    return frame


@pytest.fixture(scope="module")
def reference(table) -> pd.DataFrame:
    return table[table["city"] != "nuuk"].iloc[:300]


LAYOUTS = layouts(N_ROWS, seed=5)


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def assert_outlier_share_within_bound(report: quality.QualityReport, data: pd.DataFrame) -> None:
    """The outlier share of "x" lies within its stated rank error of the exact share: the
    fences fall between the bulk and the far values, so exactly the far values are outside."""
    (finding,) = [f for f in report.findings if f.check == "outliers_iqr"]
    low, high = (float(v) for v in re.search(r"outside \[(\S+), (\S+)\]", finding.message).groups())
    x = data["x"].to_numpy()
    finite = x[np.isfinite(x)]
    assert finite[finite != FAR].max() < high < FAR and low < finite.min()
    bound = 2 * report.profile["x"]["quantile_rank_error"]
    assert abs(finding.value - np.mean(finite == FAR)) <= bound + 1e-12
    assert list(finding.rows) == list(np.flatnonzero(x == FAR)[:5])


def assert_equal_to_sketch_mode(got: quality.QualityReport, want: quality.QualityReport, data: pd.DataFrame) -> None:
    assert got.profile.exact is False and want.profile.exact is False
    assert got.passed == want.passed and got.n_rows == want.n_rows
    assert got.fingerprint == want.fingerprint
    assert [(f.check, f.column) for f in got.findings] == [(f.check, f.column) for f in want.findings]
    for f, g in zip(got.findings, want.findings):
        if f.check == "outliers_iqr":
            continue
        assert (f.severity, f.message, list(f.rows)) == (g.severity, g.message, list(g.rows)), f.check
        assert same(f.value, g.value) and same(f.threshold, g.threshold), f.check
    for m, n in zip(got.measures, want.measures, strict=True):
        assert (m["check"], m["column"]) == (n["check"], n["column"])
        if m["check"] == "near_constant" and m["column"] == "share":
            # More distinct values than the tracked 64: the top share is a Misra-Gries lower
            # bound, which depends on how the counters were merged.
            top = data["share"].value_counts().iloc[0] / data["share"].notna().sum()
            assert all(math.isnan(v) or v <= top for v in (m["value"], n["value"]))
        elif m["check"] != "outliers_iqr":
            assert same(m["value"], n["value"]) and m["note"] == n["note"], (m, n)
            assert same(m["lower"], n["lower"]) and same(m["upper"], n["upper"]), m
    for report in (got, want):
        assert_outlier_share_within_bound(report, data)
    for name in data.columns:
        for key in ("count", "missing", "distinct"):
            assert got.profile[name][key] == want.profile[name][key], (name, key)
    assert got.profile["x"]["min"] == want.profile["x"]["min"] and got.profile["x"]["max"] == want.profile["x"]["max"]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_check_beyond_the_budget_equals_the_sketch_mode(client, table, reference, layout):
    frame = partitioned(table, *LAYOUTS[layout])
    computed = frame.compute()  # shuffled partitions: the rows in that order
    with dask.config.set(TINY):
        got = adask.check(frame, target="y", reference=partitioned(reference, [150]), rules=RULES)
    want = quality.check(computed, target="y", reference=reference, rules=RULES, exact=False)
    assert any(f.check == "unseen_categories" for f in got.findings)
    assert any(f.check == "label_variants" for f in got.findings)
    assert any(f.check == "rule_allowed" for f in got.findings)
    assert any(m["check"] == "target_leakage" and not math.isnan(m["value"]) for m in got.measures)
    assert_equal_to_sketch_mode(got, want, computed)


@settings(max_examples=4, deadline=None)
@given(cuts=st.lists(st.integers(0, N_ROWS), max_size=6).map(sorted), seed=st.integers(0, 2**32 - 1))
def test_check_states_for_any_cuts_and_order(client, table, cuts, seed):
    order = list(np.random.default_rng(seed).permutation(len(cuts) + 1))
    frame = partitioned(table, cuts, order)
    computed = frame.compute()
    with dask.config.set(TINY):
        got = adask.check(frame, target="y", rules=RULES)
    assert_equal_to_sketch_mode(got, quality.check(computed, target="y", rules=RULES, exact=False), computed)


def test_sketch_mode_on_request_with_a_pandas_reference(client, table, reference):
    frame = partitioned(table, even_cuts(N_ROWS, 3))
    got = adask.check(frame, target="plan", reference=reference, exact=False, thresholds={"max_examples": 3})
    want = quality.check(table, target="plan", reference=reference, exact=False, thresholds={"max_examples": 3})
    assert [(f.check, f.column, list(f.rows)) for f in got.findings if f.check != "outliers_iqr"] == [
        (f.check, f.column, list(f.rows)) for f in want.findings if f.check != "outliers_iqr"
    ]
    leakage = [[m["value"] for m in r.measures if m["check"] == "target_leakage"] for r in (got, want)]
    assert len(leakage[0]) == len(leakage[1]) == 5
    assert all(same(a, b) for a, b in zip(*leakage))


def test_exact_check_beyond_the_budget_is_refused_and_exact_is_validated(client, table):
    frame = partitioned(table, even_cuts(N_ROWS, 3))
    with dask.config.set(TINY), pytest.raises(ResourceLimitError, match="memory budget"):
        adask.check(frame, exact=True)
    with pytest.raises(InvalidInputError, match="exact"):
        adask.check(frame, exact="yes")
    with pytest.raises(InvalidInputError, match="target"):
        adask.check(frame, target="absent", exact=False)


def test_corrupted_states_are_refused(table):
    columns = as_frame(table).core_columns()
    options, profile_options = core_quality.CheckOptions(), quality._profile_options(20, 64, False)
    state = core_quality.check_state(columns, "y", [], options, profile_options, 1)
    data = state.to_bytes()
    assert core_quality.CheckState.from_bytes(data).to_bytes() == data
    for cut in range(0, len(data), max(1, len(data) // 97)):
        with pytest.raises(CorruptedStateError):
            core_quality.CheckState.from_bytes(data[:cut])
    with pytest.raises(CorruptedStateError, match="marker"):
        core_quality.CheckState.from_bytes(b"ATS1" + data[4:])
    other = core_quality.check_state(columns, "plan", [], options, profile_options, 1)
    with pytest.raises(InvalidInputError, match="target"):
        core_quality.merge_check_states(state, other)


def test_outlier_examples_from_late_partitions(client):
    # The examples' pass reads partitions in order, in growing rounds, until every fence has
    # its rows: "late" has fewer outliers than max_examples, all in the last partition, so
    # every round runs; "early" has its five in the first rounds.
    rng = np.random.default_rng(3)
    early = rng.integers(0, 40, N_ROWS).astype(float)
    early[[3, 60, 61, 100, 500, 800]] = FAR
    late = rng.integers(0, 40, N_ROWS).astype(float)
    late[[880, 890, 899]] = FAR
    data = pd.DataFrame({"early": early, "late": late})
    low_rate = {"outlier_rate": 0.001}  # both columns' outlier shares make findings
    with dask.config.set(TINY):
        got = adask.check(partitioned(data, even_cuts(N_ROWS, 17)), thresholds=low_rate)
    want = quality.check(data, exact=False, thresholds=low_rate)
    rows = {f.column: list(f.rows) for f in got.findings if f.check == "outliers_iqr"}
    assert rows == {"early": [3, 60, 61, 100, 500], "late": [880, 890, 899]}
    assert rows == {f.column: list(f.rows) for f in want.findings if f.check == "outliers_iqr"}
