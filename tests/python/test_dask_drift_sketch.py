"""assay.dask.drift.report beyond the memory budget: merged per-partition sketches. The stated
bounds hold against the exact single-machine results on adversarial data, the result does not
depend on the partitions, categorical columns and single-valued bins give the exact result, and
corrupted states are refused."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from assay import dask as adask  # noqa: E402
from assay import drift  # noqa: E402
from assay._core import drift as core_drift  # noqa: E402
from assay.errors import CorruptedStateError, InvalidTypeError, ResourceLimitError  # noqa: E402
from dask_partitions import layouts, partitioned  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TINY = {adask.MEMORY_BUDGET_KEY: "1KiB"}  # every column below exceeds it
RANK_TESTS = ["ks", "cramer_von_mises", "mannwhitneyu", "mannw", "wasserstein", "energy_distance"]


def adversarial() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    ties = np.round(rng.normal(0, 3, 1500) * 20) / 20
    return {
        "normal": (rng.normal(0, 1, 1200), rng.normal(0.3, 1.2, 900)),
        "sorted": (np.sort(rng.normal(5, 2, 1500)), np.sort(rng.normal(5, 3, 400))),
        "far_from_zero": (rng.normal(1e6, 1, 1000), rng.normal(1e6 + 0.2, 1, 800)),
        "all_equal": (np.full(600, 3.5), np.full(700, 3.5)),
        "two_points": (np.where(np.arange(900) % 3 == 0, -1.0, 2.0), np.where(np.arange(800) % 2 == 0, -1.0, 2.0)),
        "heavy_ties": (ties, np.round(rng.normal(1, 3, 1000) * 20) / 20),
        "sizes": (rng.lognormal(0, 2, 2000), rng.lognormal(0.5, 2, 15)),
    }


def frames(x: np.ndarray, y: np.ndarray, n_parts: int, order: list[int] | None = None, cuts: Any = None) -> tuple:
    reference = pd.DataFrame({"v": x})
    cuts = np.linspace(0, len(y), n_parts + 1).astype(int) if cuts is None else cuts
    pieces = [pd.DataFrame({"v": y[a:b]}) for a, b in zip(cuts[:-1], cuts[1:])]
    if order is not None:
        pieces = [pieces[k] for k in order]
    current = dd.from_delayed([dask.delayed(p) for p in pieces], meta=pieces[0].iloc[:0])
    return dd.from_pandas(reference, npartitions=3), current


def close_within(exact: float, estimate: float, bound: float) -> bool:
    return abs(exact - estimate) <= bound + 1e-9 * abs(exact)


@pytest.mark.parametrize("name", list(adversarial()))
def test_rank_tests_hold_their_bounds(client, name):
    x, y = adversarial()[name]
    reference, current = frames(x, y, 3)
    tests = [t for t in RANK_TESTS if not (name == "all_equal" and t in ("cramer_von_mises", "wasserstein"))]
    with dask.config.set(TINY):
        got = adask.drift.report(reference, current, tests=tests)
    exact = drift.report({"v": x}, {"v": y}, tests=tests)
    for g, e in zip(got.columns, exact.columns):
        assert g.test == e.test and not g.exact and e.exact
        assert (g.n_reference, g.n_current) == (e.n_reference, e.n_current)
        assert close_within(e.statistic, g.statistic, g.statistic_bound), (g.test, e.statistic, g.statistic)
        if g.pvalue_interval is not None:
            low, high = g.pvalue_interval
            assert low - 1e-12 <= e.pvalue <= high + 1e-12, (g.test, e.pvalue, g.pvalue_interval)
            assert low - 1e-12 <= g.pvalue <= high + 1e-12
        else:
            assert g.test in ("wasserstein", "energy_distance")
        assert g.statistic_bound < 0.05 * max(1.0, abs(e.statistic))  # tight enough to be useful


def test_all_equal_column_is_degenerate_as_on_one_machine(client):
    x, y = adversarial()["all_equal"]
    reference, current = frames(x, y, 3)
    with dask.config.set(TINY):
        got = adask.drift.report(reference, current, tests=["cramer_von_mises", "wasserstein", "ks"])
    exact = drift.report({"v": x}, {"v": y}, tests=["cramer_von_mises", "wasserstein", "ks"])
    for g, e in zip(got.columns, exact.columns):
        assert close_within(e.statistic, g.statistic, g.statistic_bound) or (
            math.isnan(e.statistic) and math.isnan(g.statistic)
        )


@pytest.mark.parametrize("layout", ["3", "17", "shuffled", "empty"])
def test_result_does_not_depend_on_partitions(client, layout):
    x, y = adversarial()["heavy_ties"]
    n_parts = 1 if layout == "1" else (3 if layout == "3" else 17)
    order = list(np.random.default_rng(5).permutation(17)) if layout == "shuffled" else None
    cuts = [0, 100, 100, 100, 400, len(y)] if layout == "empty" else None
    tests = [*RANK_TESTS, "psi"]
    with dask.config.set(TINY):
        one = adask.drift.report(*frames(x, y, 1), tests=tests)
        got = adask.drift.report(*frames(x, y, n_parts, order, cuts), tests=tests)
    assert got.to_json() == one.to_json()


def test_categorical_and_single_valued_columns_equal_single_machine(client):
    rng = np.random.default_rng(2)
    reference = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "pro", "team", None], 3000, p=[0.5, 0.3, 0.15, 0.05]),
            "region": pd.Categorical(rng.choice(["n", "s", "e"], 3000)),
            "visits": rng.integers(0, 4, 3000).astype(float),
        }
    )
    current = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "pro", "team", "free"], 2000, p=[0.4, 0.3, 0.2, 0.1]),
            "region": pd.Categorical(rng.choice(["n", "s", "e"], 2000, p=[0.2, 0.4, 0.4])),
            "visits": rng.integers(0, 5, 2000).astype(float),
        }
    )
    tests = {"plan": ["chisquare", "psi", "jensenshannon", "TVD"], "region": ["z", "g_test", "hellinger"]}
    options = {"tests": {**tests, "visits": ["chisquare", "psi", "kl_div"]}, "correction": "holm"}
    with dask.config.set(TINY):
        got = adask.drift.report(
            dd.from_pandas(reference, npartitions=4), dd.from_pandas(current, npartitions=5), **options
        )
        auto = adask.drift.report(dd.from_pandas(reference, npartitions=4), dd.from_pandas(current, npartitions=5))
    assert got.to_json() == drift.report(reference, current, **options).to_json()
    assert auto.to_json() == drift.report(reference, current).to_json()
    assert all(r.exact for r in got.columns)


def test_pandas_reference_is_sketched_on_the_client(client):
    x, y = adversarial()["sorted"]
    _, current = frames(x, y, 4)
    with dask.config.set(TINY):
        got = adask.drift.report(pd.DataFrame({"v": x}), current, tests=["ks", "psi"])
        lazy = adask.drift.report(*frames(x, y, 4), tests=["ks", "psi"])
    assert got.to_json() == lazy.to_json()


def test_within_the_budget_nothing_is_sketched(client):
    x, y = adversarial()["normal"]
    reference, current = frames(x, y, 3)
    got = adask.drift.report(reference, current, tests=RANK_TESTS)
    assert got.to_json() == drift.report({"v": x}, {"v": y}, tests=RANK_TESTS).to_json()
    assert all(r.exact and r.pvalue_interval is None for r in got.columns)


def test_result_says_it_is_sketched_and_round_trips(client):
    x, y = adversarial()["normal"]
    with dask.config.set(TINY):
        got = adask.drift.report(*frames(x, y, 3), tests=["ks", "wasserstein"])
    data = json.loads(got.to_json())
    ks = data["columns"][0]
    assert ks["exact"] is False and ks["statistic_bound"] > 0 and len(ks["pvalue_interval"]) == 2
    again = drift.DriftReport.from_json(got.to_json())
    assert again.to_json() == got.to_json() and again.columns[0].pvalue_interval == got.columns[0].pvalue_interval
    html = got.to_html()
    assert "p-value interval" in html and "sketch" in html
    assert "p-value interval" not in drift.report({"v": x}, {"v": y}).to_html()
    # A report written before these fields existed still loads, as exact.
    for column in data["columns"]:
        for key in ("exact", "statistic_bound", "pvalue_interval"):
            del column[key]
    old = drift.DriftReport.from_json(json.dumps(data))
    assert all(r.exact and r.pvalue_interval is None for r in old.columns)


def test_tests_without_a_sketch_are_refused(client):
    x, y = adversarial()["normal"]
    with dask.config.set(TINY):
        for test in ("es", "empirical_mmd"):
            with pytest.raises(ResourceLimitError, match=f"test '{test}' has no sketched form.*assay.memory-budget"):
                adask.drift.report(*frames(x, y, 2), tests=test)
        u = np.random.default_rng(4).uniform(0, 1, 6000)  # bins of several values after both passes
        with pytest.raises(ResourceLimitError, match="cannot be computed from the merged sketches"):
            adask.drift.report(*frames(u[:3000], u[3000:], 2), tests="chisquare")


@pytest.mark.parametrize("name", ["normal", "far_from_zero", "sizes", "heavy_ties", "two_points"])
def test_binned_distances_equal_single_machine(client, name):
    """Sturges bins (edges from the exact extremes and sizes, one more pass) or one bin per
    value: the distances equal the single-machine ones bitwise."""
    x, y = adversarial()[name]
    tests = ["psi", "kl_div", "jensenshannon", "hellinger", "tvd"]
    with dask.config.set(TINY):
        got = adask.drift.report(*frames(x, y, 3), tests=tests)
    assert got.to_json() == drift.report({"v": x}, {"v": y}, tests=tests).to_json()


def test_errors_are_the_single_machine_ones(client):
    reference = pd.DataFrame({"plan": ["a", "b"] * 300, "v": np.arange(600.0)})
    current = dd.from_pandas(pd.DataFrame({"plan": ["a", "c"] * 300, "v": ["x", "y"] * 300}), npartitions=3)
    with dask.config.set(TINY):
        with pytest.raises(InvalidTypeError, match="does not apply to categorical column 'plan'"):
            adask.drift.report(reference, current, columns=["plan"], tests="ks")
        with pytest.raises(InvalidTypeError, match="column 'v' is numeric in the reference but categorical"):
            adask.drift.report(reference, current, columns=["v"])


def test_corrupted_state_bytes_are_refused():
    column = [("v", np.array([1.0, 2.0, 2.0, np.nan]))]
    state = core_drift.sketch_column(column).to_bytes()
    assert core_drift.ColumnSketch.from_bytes(state).size == 3
    with pytest.raises(CorruptedStateError):
        core_drift.ColumnSketch.from_bytes(state[:-3])
    with pytest.raises(CorruptedStateError):
        core_drift.ColumnSketch.from_bytes(b"XXXX" + state[4:])
    flipped = bytearray(state)
    flipped[-1] ^= 0xFF  # the sum of squares turns negative
    with pytest.raises(CorruptedStateError):
        core_drift.ColumnSketch.from_bytes(bytes(flipped))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-30, 30), min_size=2, max_size=80),
    st.lists(st.integers(-30, 30), min_size=2, max_size=80),
    st.sampled_from([0.001, 0.37, 1e5]),
)
def test_bounds_hold_on_small_samples(a, b, scale):
    """The core's bounds against the exact tests, no cluster: two merged partitions each."""
    x = np.asarray(a, float) * scale + np.arange(len(a)) % 3 * 1e-3
    y = np.asarray(b, float) * scale

    def state(values: np.ndarray, edges=None):
        half = len(values) // 2
        parts = [
            core_drift.sketch_column([("v", np.ascontiguousarray(p))], edges) for p in (values[:half], values[half:])
        ]
        return parts[0].merge(parts[1])

    r, c = state(x), state(y)
    if core_drift.needs_refinement(r, c):
        edges = core_drift.refined_edges(r, c)
        r, c = state(x, edges), state(y, edges)
    intervals = core_drift.sketch_intervals(r, c)
    ks = drift.compare(x, y, test="ks").statistic
    assert intervals["ks"][0] - 1e-12 <= ks <= intervals["ks"][1] + 1e-12
    u = drift.compare(x, y, test="mannwhitneyu").statistic
    assert intervals["mann_whitney_u"][0] <= u <= intervals["mann_whitney_u"][1]
    for test in [*RANK_TESTS, "anderson"]:
        t = core_drift.Test[test]
        if not core_drift.sketch_supports(t, r, c):
            continue
        got = core_drift.compare_sketches("v", r, c, t, math.nan)
        exact = drift.compare(x, y, test=test)
        if math.isnan(exact.statistic):
            continue
        if got.exact:  # Anderson-Darling when every bin holds one value
            assert (got.statistic, got.pvalue) == (exact.statistic, exact.pvalue)
            continue
        assert close_within(exact.statistic, got.statistic, got.statistic_bound), (test, exact.statistic, got.statistic)
        if not math.isnan(got.pvalue_low):
            assert got.pvalue_low - 1e-12 <= exact.pvalue <= got.pvalue_high + 1e-12, (test, exact.pvalue)


# --- Anderson-Darling from merged sketches ---------------------------------------------------


def anderson_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(23)
    u = rng.uniform(0, 1, 3000)
    return {
        **adversarial(),
        "one_grid_cell": (1000 + u[:1800], 1000 + u[1800:] * rng.uniform(0, 1, 1200)),
        "heavy_tails": (rng.standard_cauchy(1500), 2 * rng.standard_cauchy(1200)),
        "in_the_other_tail": (u[:2000], 0.99 + 0.01 * u[2000:2300]),
    }


def scipy_anderson(x: np.ndarray, y: np.ndarray) -> Any:
    stats = pytest.importorskip("scipy.stats")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when the p-value is capped or floored
        return stats.anderson_ksamp([x, y], variant="midrank")


@pytest.mark.parametrize("name", list(anderson_cases()))
def test_anderson_darling_holds_its_bound(client, name):
    """The exact statistic (assay on one machine, and scipy) within the stated bound, the
    exact p-value in the interval; exact (the same bits) when every bin holds one value."""
    x, y = anderson_cases()[name]
    with dask.config.set(TINY):
        got = adask.drift.report(*frames(x, y, 3), tests="anderson").columns[0]
    exact = drift.report({"v": x}, {"v": y}, tests="anderson").columns[0]
    assert (got.n_reference, got.n_current) == (len(x), len(y))
    if name == "all_equal":
        assert math.isnan(got.statistic) and got.note == exact.note
        return
    reference = scipy_anderson(x, y)
    assert math.isclose(exact.statistic, reference.statistic, rel_tol=1e-9, abs_tol=1e-9)
    if got.exact:  # every bin holds one value after the second pass
        assert name in ("two_points", "heavy_ties")
        assert (got.statistic, got.pvalue, got.method) == (exact.statistic, exact.pvalue, exact.method)
        return
    assert got.pvalue_interval is not None
    low, high = got.pvalue_interval
    for statistic, pvalue in ((exact.statistic, exact.pvalue), (reference.statistic, reference.pvalue)):
        assert close_within(statistic, got.statistic, got.statistic_bound), (statistic, got.statistic)
        assert low - 1e-12 <= pvalue <= high + 1e-12, (pvalue, got.pvalue_interval)
    assert low <= got.pvalue <= high


@pytest.mark.parametrize("layout", ["1", "3", "17", "shuffled", "empty"])
def test_anderson_darling_does_not_depend_on_partitions(client, layout):
    x, y = adversarial()["normal"]
    cuts, order = layouts(len(y), 8)[layout]
    reference = dd.from_pandas(pd.DataFrame({"v": x}), npartitions=3)
    with dask.config.set(TINY):
        one = adask.drift.report(reference, partitioned(pd.DataFrame({"v": y}), []), tests="anderson")
        got = adask.drift.report(reference, partitioned(pd.DataFrame({"v": y}), cuts, order), tests="anderson")
    assert got.to_json() == one.to_json()
    assert not got.columns[0].exact and got.columns[0].statistic_bound > 0


# --- the t-test from merged exact moments ----------------------------------------------------


@pytest.mark.parametrize("layout", ["1", "3", "17", "shuffled", "empty"])
def test_t_test_from_merged_moments_equals_single_machine(client, layout):
    """The sums of the values and of their squares merge exactly: the t-test is the
    single-machine one, bitwise, for any partitioning, and agrees with scipy."""
    stats = pytest.importorskip("scipy.stats")
    cases = {k: adversarial()[k] for k in ("far_from_zero", "heavy_ties", "sizes", "all_equal")}
    reference = pd.DataFrame({k: pd.Series(x) for k, (x, _) in cases.items()})
    current = pd.DataFrame({k: pd.Series(y) for k, (_, y) in cases.items()})
    cuts, order = layouts(len(current), 4)[layout]
    with dask.config.set(TINY):
        got = adask.drift.report(
            dd.from_pandas(reference, npartitions=2), partitioned(current, cuts, order), tests="t_test"
        )
    exact = drift.report(reference, current, tests="t_test")
    assert got.to_json() == exact.to_json()
    assert all(r.exact for r in got.columns)
    for r in got.columns[:3]:
        x, y = cases[r.column]
        expected = stats.ttest_ind(x, y)
        # scipy's means of values near 1e6 lose about 1e-10 of their 0.2 difference
        assert math.isclose(r.statistic, expected.statistic, rel_tol=1e-9)
        assert math.isclose(r.pvalue, expected.pvalue, rel_tol=1e-8)
        assert math.isclose(r.statistic, exact_t(x, y), rel_tol=1e-15)


def exact_t(x: np.ndarray, y: np.ndarray) -> float:
    """Student's t in rational arithmetic, rounded once at the end (but for the square root)."""
    from fractions import Fraction

    fx, fy = [Fraction(v) for v in x.tolist()], [Fraction(v) for v in y.tolist()]
    mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
    squares = sum((v - mx) ** 2 for v in fx) + sum((v - my) ** 2 for v in fy)
    t2 = (mx - my) ** 2 / (squares / (len(fx) + len(fy) - 2) * (Fraction(1, len(fx)) + Fraction(1, len(fy))))
    return math.copysign(math.sqrt(float(t2)), float(mx - my))


def test_over_time_tests_anderson_darling_and_t_test_per_chunk(client):
    """over_time beyond the budget: per chunk, the t-test equals the single-machine one
    bitwise and Anderson-Darling holds its bound."""
    x, y = adversarial()["normal"]
    current = pd.DataFrame({"v": y})
    with dask.config.set(TINY):
        got = adask.drift.over_time(
            dd.from_pandas(pd.DataFrame({"v": x}), npartitions=2),
            partitioned(current, [100, 450, 451]),
            n_chunks=3,
            tests=["anderson", "t_test"],
        )
    exact = drift.over_time(pd.DataFrame({"v": x}), current, n_chunks=3, tests=["anderson", "t_test"])
    assert len(got.results) == len(exact.results) == 3
    for chunk, want in zip(got.results, exact.results):
        anderson, t_test = chunk
        assert t_test.to_dict() == want[1].to_dict()
        assert not anderson.exact and close_within(want[0].statistic, anderson.statistic, anderson.statistic_bound)
        assert anderson.pvalue_interval[0] - 1e-12 <= want[0].pvalue <= anderson.pvalue_interval[1] + 1e-12
