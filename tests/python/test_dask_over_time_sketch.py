"""assay.dask.drift.over_time beyond the memory budget: one merged ColumnSketch state per
chunk of the current rows (by period of a time column, by size or by count, as the
single-machine call defines the chunks). The chunks equal the single-machine call's; tests on
counts equal it bitwise; sketched rank tests hold the exact statistic within
``statistic_bound`` and the exact p-value inside ``pvalue_interval``; for 1, 3 and 17
partitions, shuffled partition order and empty partitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

from assay import dask as adask  # noqa: E402
from assay import drift  # noqa: E402
from assay.errors import ResourceLimitError  # noqa: E402
from dask_partitions import layouts, partitioned  # noqa: E402

N_ROWS = 720
TINY = {adask.MEMORY_BUDGET_KEY: "1KiB"}  # every column below exceeds it
TESTS = {"age": ["ks", "wasserstein", "psi"], "plan": "chisquare"}


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(23)
    reference = pd.DataFrame(
        {
            "age": rng.normal(40, 10, 600),
            "plan": rng.choice(["a", "b", "c"], 600),
        }
    )
    current = pd.DataFrame(
        {
            "age": np.concatenate([rng.normal(40, 10, N_ROWS // 2), rng.normal(47, 10, N_ROWS // 2)]),
            "plan": rng.choice(["a", "b", "c", "d"], N_ROWS, p=[0.3, 0.3, 0.3, 0.1]),
            "when": pd.Timestamp("2024-03-01") + pd.to_timedelta(np.sort(rng.uniform(0, 3 * 86400, N_ROWS)), unit="s"),
        }
    )
    return reference, current


LAYOUTS = layouts(N_ROWS, seed=9)
BY_COUNT, BY_SIZE, BY_DAY = {"n_chunks": 4}, {"chunk_size": 250}, {"time": "when", "freq": "D"}
CHUNKS_OF_LAYOUT = {
    "1": [BY_COUNT],
    "3": [BY_DAY],
    "17": [BY_COUNT, BY_DAY],
    "shuffled": [BY_DAY],
    "empty": [BY_SIZE],
}


def assert_matches(got: drift.DriftOverTime, want: drift.DriftOverTime) -> None:
    assert got.chunks == want.chunks
    for mine, theirs in zip(got.results, want.results, strict=True):
        assert [(r.column, r.test) for r in mine] == [(r.column, r.test) for r in theirs]
        for r, s in zip(mine, theirs):
            if r.test in ("ks", "wasserstein"):
                assert not r.exact
                assert abs(r.statistic - s.statistic) <= r.statistic_bound + 1e-12, (r, s)
                if r.test == "ks":
                    low, high = r.pvalue_interval
                    assert low - 1e-12 <= s.pvalue <= high + 1e-12, (r, s)
            else:
                assert r.exact and (r.statistic, r.drifted) == (s.statistic, s.drifted), (r, s)
                assert r.pvalue == s.pvalue or (math.isnan(r.pvalue) and math.isnan(s.pvalue))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_over_time_beyond_the_budget_matches_the_single_machine_call(client, tables, layout):
    reference, current = tables
    frame = partitioned(current, *LAYOUTS[layout])
    computed = frame.compute()  # shuffled partitions: the rows in that order
    for chunks in CHUNKS_OF_LAYOUT[layout]:
        data = computed if "time" in chunks else computed.drop(columns="when")
        lazy = frame if "time" in chunks else frame.drop(columns="when")
        with dask.config.set(TINY):
            got = adask.drift.over_time(reference, lazy, tests=TESTS, correction="holm", **chunks)
        want = drift.over_time(reference, data, tests=TESTS, correction="holm", **chunks)
        assert_matches(got, want)
        assert sum(got.drift_counts()) > 0


@settings(max_examples=4, deadline=None)
@given(cuts=st.lists(st.integers(0, N_ROWS), max_size=6).map(sorted), by_day=st.booleans())
def test_over_time_for_any_cuts(client, tables, cuts, by_day):
    reference, current = tables
    chunks = BY_DAY if by_day else BY_COUNT
    data = current if by_day else current.drop(columns="when")
    with dask.config.set(TINY):
        got = adask.drift.over_time(reference, partitioned(data, cuts), tests=TESTS, **chunks)
    assert_matches(got, drift.over_time(reference, data, tests=TESTS, **chunks))


def test_time_ordered_chunks_of_a_size_beyond_the_budget_are_refused(client, tables):
    reference, current = tables
    with dask.config.set(TINY), pytest.raises(ResourceLimitError, match="freq="):
        adask.drift.over_time(reference, partitioned(current, [300]), time="when", n_chunks=3, tests=TESTS)
