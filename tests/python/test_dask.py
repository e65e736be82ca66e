"""assay.dask: each call on a dask collection equals the single-machine call on the computed
data, for 1, 3 and 17 partitions, partitions in shuffled order and empty partitions, on one
LocalCluster of two worker processes; a worker killed mid-computation changes nothing."""

from __future__ import annotations

import os

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from assay import dask as adask  # noqa: E402
from assay import drift, explain, fairness, quality  # noqa: E402
from assay.errors import CorruptedStateError, InvalidInputError, InvalidTypeError, ResourceLimitError  # noqa: E402
from dask_partitions import layouts, partitioned  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

N_ROWS = 600


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 12, N_ROWS),
            "income": rng.lognormal(10, 1, N_ROWS),
            "visits": rng.integers(0, 6, N_ROWS).astype(np.float64),
            "plan": rng.choice(["basic", "pro", "team"], N_ROWS),
            "region": pd.Categorical(rng.choice(["n", "s", "e", "w"], N_ROWS)),
            "group": rng.choice(["a", "b", "c"], N_ROWS, p=[0.5, 0.3, 0.2]),
            "y": rng.integers(0, 2, N_ROWS),
            "pred": rng.integers(0, 2, N_ROWS),
            "weight": rng.uniform(0.5, 2.0, N_ROWS),
        }
    )
    frame.loc[::11, "age"] = np.nan
    frame.loc[5, "income"] = np.inf
    frame.loc[::13, "plan"] = None
    return frame


LAYOUTS = list(layouts(N_ROWS, seed=3))


def frame_of(table: pd.DataFrame, layout: str) -> dd.DataFrame:
    return partitioned(table, *layouts(len(table), seed=3)[layout])


# -- quality -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_profile_equals_single_machine(client, table, layout):
    frame = frame_of(table, layout)
    assert (
        adask.profile(frame, histogram_bins=7).to_json() == quality.profile(frame.compute(), histogram_bins=7).to_json()
    )


@settings(max_examples=4, deadline=None)
@given(cuts=st.lists(st.integers(0, N_ROWS), max_size=6).map(sorted))
def test_profile_for_any_cuts(client, table, cuts):
    frame = partitioned(table[["age", "plan"]], cuts)
    assert adask.profile(frame).to_json() == quality.profile(table[["age", "plan"]]).to_json()


def test_profile_of_no_rows(client, table):
    empty = table.iloc[:0]
    frame = partitioned(empty, [0, 0])
    assert adask.profile(frame).to_json() == quality.profile(empty).to_json()


def test_profile_beyond_the_budget_merges_partition_profiles(client, table):
    frame = frame_of(table, "17")
    with dask.config.set({adask.MEMORY_BUDGET_KEY: 1000}):
        sketched = adask.profile(frame)
    exact = quality.profile(table)
    for name in ("age", "income", "visits"):
        got, want = sketched[name], exact[name]
        for key in ("count", "missing", "infinities", "zeros", "negatives", "min", "max"):
            assert got[key] == want[key], (name, key)
        assert got["mean"] == pytest.approx(want["mean"], rel=1e-12)
        assert got["std"] == pytest.approx(want["std"], rel=1e-12)
        if got["quantiles_exact"]:  # fewer rows than the summary's capacity: nothing was compacted
            assert got["quantiles"] == want["quantiles"]
        finite = np.sort(table[name].to_numpy()[np.isfinite(table[name].to_numpy())])
        bound = got["quantile_rank_error"] * len(finite) + 1
        for p, value in got["quantiles"].items():
            low, high = np.searchsorted(finite, value, "left"), np.searchsorted(finite, value, "right")
            assert low - bound <= p * (len(finite) - 1) <= high + bound, (name, p)
    assert sketched["plan"]["count"] == exact["plan"]["count"]
    assert sketched["plan"]["values"] == exact["plan"]["values"]  # few categories: complete tables merge exactly


@pytest.mark.parametrize("layout", ["17", "shuffled", "empty"])
def test_profile_sketch_mode_merges_partition_sketches(client, table, layout):
    frame = frame_of(table, layout)
    got = adask.profile(frame, exact=False)
    want = quality.profile(table, exact=False)
    assert not got.exact and got.columns == want.columns
    for name in ("age", "income", "visits"):
        for key in ("count", "missing", "infinities", "zeros", "negatives", "min", "max", "distinct"):
            assert got[name][key] == want[name][key], (name, key)
        assert got[name]["mean"] == pytest.approx(want[name]["mean"], rel=1e-12)
        assert got[name]["std"] == pytest.approx(want[name]["std"], rel=1e-12)
        values = table[name].to_numpy()
        finite = np.sort(values[np.isfinite(values)])
        bound = got[name]["quantile_rank_error"] * len(finite) + 1
        for p, value in got[name]["quantiles"].items():
            low, high = np.searchsorted(finite, value, "left"), np.searchsorted(finite, value, "right")
            assert low - bound <= p * (len(finite) - 1) <= high + bound, (name, p)
    for name in ("plan", "region", "group"):
        assert got[name]["values"] == want[name]["values"], name


def test_profile_gathers_the_columns_within_the_budget(client, table):
    frame = frame_of(table, "3")[["age", "region", "plan"]]
    # 600 categorical codes take 2,400 bytes, 600 float64 4,800: the budget keeps only 'region' whole.
    with dask.config.set({adask.MEMORY_BUDGET_KEY: 3000}):
        got = adask.profile(frame)
        with pytest.raises(ResourceLimitError, match="column 'age'"):
            adask.profile(frame, exact=True)
    want = quality.profile(table[["age", "region", "plan"]])
    assert got.columns == ["age", "region", "plan"]
    assert got["region"] == want["region"]
    assert not got["age"]["distinct_exact"]  # merged partition profiles: a sketch estimate
    assert got["age"]["count"] == want["age"]["count"]


def test_check_equals_single_machine(client, table):
    frame = frame_of(table, "shuffled")
    computed = frame.compute()
    rules = {"age": {"min": 0, "max": 70}}
    got = adask.check(frame, target="y", reference=frame_of(table, "3"), rules=rules)
    assert got.to_json() == quality.check(computed, target="y", reference=table, rules=rules).to_json()


def test_exact_check_beyond_the_budget_is_refused(client, table):
    with dask.config.set({adask.MEMORY_BUDGET_KEY: "1KiB"}), pytest.raises(ResourceLimitError, match="memory budget"):
        adask.check(frame_of(table, "3"), exact=True)


# -- drift ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_drift_report_equals_single_machine(client, table, layout):
    reference = table.iloc[:300]
    current = table.iloc[300:].reset_index(drop=True)
    frame = frame_of(current, layout)
    tests = {"age": ["ks", "cramer_von_mises", "anderson", "mannw", "wasserstein", "energy_distance"]}
    options = {"tests": tests, "target": "y", "correction": "holm", "columns": ["age", "income", "plan", "region"]}
    got = adask.drift.report(dd.from_pandas(reference, npartitions=2), frame, **options)
    assert got.to_json() == drift.report(reference, frame.compute(), **options).to_json()


@pytest.mark.parametrize("layout", ["3", "shuffled", "empty"])
def test_drift_over_time_equals_single_machine(client, table, layout):
    reference = table.iloc[:300]
    current = table.iloc[300:].reset_index(drop=True)
    current = current.assign(day=np.repeat(np.arange(6), 50).astype("datetime64[D]"))
    frame = frame_of(current, layout)
    options = {"columns": ["age", "plan"], "correction": "fdr_bh"}
    got = adask.drift.over_time(reference, frame, n_chunks=4, **options)
    assert got.to_json() == drift.over_time(reference, frame.compute(), n_chunks=4, **options).to_json()
    by_day = adask.drift.over_time(reference, frame, time="day", freq="D", tests="psi", columns=["age"])
    computed = frame.compute()
    assert (
        by_day.to_json()
        == drift.over_time(reference, computed, time="day", freq="D", tests="psi", columns=["age"]).to_json()
    )


# -- fairness ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_metric_frame_with_bootstrap_equals_single_machine(client, table, layout):
    frame = frame_of(table, layout)
    computed = frame.compute()
    metrics = {"selection_rate": fairness.selection_rate, "tpr": fairness.true_positive_rate}
    options = {"metrics": metrics, "n_boot": 40, "ci_quantiles": [0.05, 0.95], "random_state": 11}
    got = adask.MetricFrame(
        y_true=frame["y"], y_pred=frame["pred"], sensitive_features=frame[["group", "plan"]].fillna("none"), **options
    )
    want = fairness.MetricFrame(
        y_true=computed["y"],
        y_pred=computed["pred"],
        sensitive_features=computed[["group", "plan"]].fillna("none"),
        **options,
    )
    assert got.to_json() == want.to_json()
    pd.testing.assert_frame_equal(got.by_group, want.by_group)


def test_weighted_metric_frame_equals_single_machine(client, table):
    frame = frame_of(table, "empty")
    metrics = {"accuracy": fairness.accuracy_score}
    params = {"accuracy": {"sample_weight": frame["weight"]}}
    got = adask.MetricFrame(
        metrics=metrics,
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame["group"],
        sample_params=params,
        n_boot=30,
        ci_quantiles=[0.1, 0.9],
        random_state=2,
    )
    want = fairness.MetricFrame(
        metrics=metrics,
        y_true=table["y"],
        y_pred=table["pred"],
        sensitive_features=table["group"],
        sample_params={"accuracy": {"sample_weight": table["weight"]}},
        n_boot=30,
        ci_quantiles=[0.1, 0.9],
        random_state=2,
    )
    assert got.to_json() == want.to_json()


DISPARITIES = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
]


@pytest.mark.parametrize("name", DISPARITIES)
def test_disparities_equal_single_machine(client, table, name):
    frame = frame_of(table, "shuffled")
    computed = frame.compute()
    got = getattr(adask, name)(
        frame["y"], frame["pred"], sensitive_features=frame["group"], sample_weight=frame["weight"]
    )
    want = getattr(fairness, name)(
        computed["y"], computed["pred"], sensitive_features=computed["group"], sample_weight=computed["weight"]
    )
    assert got == want


# -- explanations --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model(table):
    xgboost = pytest.importorskip("xgboost")
    features = table[["age", "income", "visits"]].replace(np.inf, 1e6)
    return xgboost.XGBClassifier(n_estimators=8, max_depth=3, random_state=0).fit(features, table["y"]), features


@pytest.mark.parametrize("layout", ["3", "empty"])
def test_shap_values_equal_single_machine(client, model, layout):
    fitted, features = model
    frame = frame_of(features, layout)
    explainer = adask.TreeExplainer(fitted)
    values = explainer.shap_values(frame)
    assert isinstance(values, da.Array)
    single = explain.TreeExplainer(fitted)
    np.testing.assert_array_equal(values.compute(), single.shap_values(features))
    array_values = explainer.shap_values(da.from_array(features.to_numpy(), chunks=(97, 2)))
    assert array_values.shape == (len(features), 3)
    np.testing.assert_array_equal(array_values.compute(), single.shap_values(features.to_numpy()))
    importance = explainer.mean_abs_shap(frame)
    np.testing.assert_allclose(importance, single(features).mean_abs(), rtol=1e-13)


# -- robustness and bad input --------------------------------------------------------------


def _load_once(piece: pd.DataFrame, marker: str) -> pd.DataFrame:
    """The piece; the first call anywhere kills its worker process (a crash mid-graph)."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return piece


# Beyond the memory budget every call below merges partition states (nothing gathered).
_BEYOND_THE_BUDGET = {adask.MEMORY_BUDGET_KEY: "1KiB"}
_DRIFT_OPTIONS = {
    "columns": ["age", "income", "plan"],
    "tests": {"age": "ks", "income": "wasserstein", "plan": "chisquare"},
}
_KILLED_CALLS = {
    "profile": lambda frame, reference: adask.profile(frame[["age", "plan"]]).to_json(),
    "check from states": lambda frame, reference: adask.check(frame, target="y", exact=False).to_json(),
    "drift report from sketches": lambda frame, reference: adask.drift.report(
        reference, frame, **_DRIFT_OPTIONS
    ).to_json(),
    "drift over time from sketches": lambda frame, reference: adask.drift.over_time(
        reference, frame, n_chunks=3, **_DRIFT_OPTIONS
    ).to_json(),
    "MetricFrame from confusion states": lambda frame, reference: adask.MetricFrame(
        metrics={"selection_rate": fairness.selection_rate, "tpr": fairness.true_positive_rate},
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame["group"],
        n_boot=20,
        ci_quantiles=[0.05, 0.95],
        random_state=1,
    ).to_json(),
}


@pytest.mark.parametrize("call", list(_KILLED_CALLS))
def test_a_killed_worker_is_retried_and_the_result_is_unchanged(client, table, tmp_path, call):
    marker = str(tmp_path / "killed")
    bounds = [0, 150, 300, 450, N_ROWS]
    pieces = [table.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    reference = dd.from_pandas(table.iloc[:200], npartitions=2)
    run = _KILLED_CALLS[call]
    with dask.config.set(_BEYOND_THE_BUDGET):
        want = run(partitioned(table, bounds[1:-1]), reference)
        frame = dd.from_delayed([dask.delayed(_load_once, pure=False)(p, marker) for p in pieces], meta=table.iloc[:0])
        got = run(frame, reference)
    assert os.path.exists(marker)  # a worker did die
    assert got == want


def test_partition_states_round_trip_and_corrupted_ones_are_refused(table):
    from assay.dask._quality import _merge_profiles, _profile_state

    for exact in (True, False):
        first, second = (_profile_state(table[["age"]].iloc[a:b], 20, 64, exact) for a, b in ((0, 200), (200, N_ROWS)))
        merged = _merge_profiles(first, second)
        assert quality.Profile.from_dict(merged).to_dict() == merged
        assert quality.Profile.from_dict(merged)["age"]["count"] == N_ROWS
        assert quality.Profile.from_dict(merged).exact is exact
        corrupted = {**second, "columns": [{**second["columns"][0], "count": -3}]}
        with pytest.raises(CorruptedStateError, match="age"):
            _merge_profiles(first, corrupted)
        with pytest.raises(CorruptedStateError):
            _merge_profiles(first, {"format": 99})
    sketch = first["sketch"]
    with pytest.raises(CorruptedStateError):
        _merge_profiles(first, {**second, "sketch": sketch[: len(sketch) // 2]})


def test_memory_budget_setting():
    assert adask.memory_budget() == dask.utils.parse_bytes(adask.DEFAULT_MEMORY_BUDGET)
    with dask.config.set({adask.MEMORY_BUDGET_KEY: "3MiB"}):
        assert adask.memory_budget() == 3 * 2**20
    for bad in ("lots", -5, 0):
        with dask.config.set({adask.MEMORY_BUDGET_KEY: bad}), pytest.raises(InvalidInputError, match="memory-budget"):
            adask.memory_budget()


def test_bad_inputs_are_named(table):
    frame = dd.from_pandas(table, npartitions=2)
    with pytest.raises(InvalidTypeError, match="data: expected a dask DataFrame"):
        adask.profile(table)
    with pytest.raises(InvalidInputError, match="histogram_bins"):
        adask.profile(frame, histogram_bins=0)
    with pytest.raises(InvalidTypeError, match="client"):
        adask.profile(frame, client="localhost")
    with pytest.raises(InvalidTypeError, match="current"):
        adask.drift.report(table, table.to_numpy())
    with pytest.raises(InvalidInputError, match="not in the current"):
        adask.drift.report(table, frame[["age"]], columns=["age", "plan"])
    with pytest.raises(InvalidInputError, match="unknown test"):
        adask.drift.report(table, frame, tests="nope")
    with pytest.raises(InvalidTypeError, match="y_true"):
        adask.MetricFrame(
            metrics=fairness.selection_rate, y_true=table["y"], y_pred=frame["pred"], sensitive_features=frame["group"]
        )
    with pytest.raises(InvalidTypeError, match="X"):
        adask.TreeExplainer(_stump()).shap_values(table)
    with pytest.raises(InvalidInputError, match="log_loss"):
        adask.TreeExplainer(_stump(), model_output="log_loss")


def _stump():
    from sklearn.tree import DecisionTreeRegressor

    X = np.arange(20.0).reshape(10, 2)
    return DecisionTreeRegressor(max_depth=1).fit(X, X[:, 0])
