"""assay.dask's MetricFrame and named disparities through per-partition confusion counts:
equal (``==``, values and bootstrap intervals) to the single-machine call for 1, 3 and 17
partitions, shuffled partition order, empty partitions and many groups; nothing gathered,
so a tiny memory budget does not refuse them; corrupted state bytes are an error."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from assay import dask as adask  # noqa: E402
from assay import fairness  # noqa: E402
from assay.dask import _fairness as dask_fairness  # noqa: E402
from assay.errors import CorruptedStateError, InvalidInputError, ResourceLimitError  # noqa: E402
from dask_partitions import layouts, partitioned  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

N_ROWS = 900
METRICS = {
    "selection_rate": fairness.selection_rate,
    "tpr": fairness.true_positive_rate,
    "fpr": fairness.false_positive_rate,
    "precision": fairness.precision_score,
    "accuracy": fairness.accuracy_score,
    "balanced_accuracy": fairness.balanced_accuracy_score,
    "count": fairness.count,
}
BOOT = {"n_boot": 50, "ci_quantiles": [0.05, 0.5, 0.95], "random_state": 5}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    frame = pd.DataFrame(
        {
            "group": rng.choice(["a", "b", "c", "d"], N_ROWS, p=[0.4, 0.3, 0.2, 0.1]),
            "region": pd.Categorical(rng.choice(["n", "s", "e"], N_ROWS)),
            "age": rng.integers(0, 3, N_ROWS),
            "many": rng.integers(0, 1000, N_ROWS),
            "y": rng.integers(0, 2, N_ROWS),
            "pred": rng.integers(0, 2, N_ROWS),
            "label": rng.choice(["cat", "dog", "eel"], N_ROWS),
            "guess": rng.choice(["cat", "dog", "eel"], N_ROWS),
        }
    )
    frame.loc[::17, "group"] = None
    return frame


def frame_of(table: pd.DataFrame, layout: str) -> dd.DataFrame:
    n = len(table)
    if layout == "empty":  # one more empty partition at the end
        return partitioned(table, [0, 100, 100, 100, 400, n, n])
    return partitioned(table, *layouts(n, seed=3)[layout])


def equal(got, want) -> None:
    """pandas results (or scalars) equal exactly, NaN in the same places."""
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, check_exact=True)
    else:
        assert got == want or (np.isnan(got) and np.isnan(want))


def same(got: fairness.MetricFrame, want: fairness.MetricFrame) -> None:
    """Every value, aggregate and interval equal (``==``, NaN in the same places)."""
    assert got.to_json() == want.to_json()
    equal(got.by_group, want.by_group)
    equal(got.overall, want.overall)
    for method in ("between_groups", "to_overall"):
        equal(got.difference(method=method), want.difference(method=method))
        equal(got.ratio(method=method), want.ratio(method=method))
    if want.n_boot is not None:
        for g, w in zip(got.by_group_ci, want.by_group_ci):
            equal(g, w)
        for g, w in zip(got.difference_ci(), want.difference_ci()):
            equal(g, w)


@pytest.mark.parametrize("layout", ["1", "3", "17", "shuffled", "empty"])
def test_count_metrics_with_bootstrap_equal_single_machine(client, table, layout):
    frame = frame_of(table, layout)
    computed = frame.compute()
    options = {"metrics": METRICS, "missing": "own_group", "convention": "fairlearn", **BOOT}
    got = adask.MetricFrame(
        y_true=frame["y"], y_pred=frame["pred"], sensitive_features=frame[["group", "region"]], **options
    )
    want = fairness.MetricFrame(
        y_true=computed["y"], y_pred=computed["pred"], sensitive_features=computed[["group", "region"]], **options
    )
    assert got._bootstrap.scheme == "multinomial"  # merged states, not gathered rows
    same(got, want)


@settings(max_examples=4, deadline=None)
@given(cuts=st.lists(st.integers(0, N_ROWS), max_size=5).map(sorted), seed=st.integers(0, 2**32 - 1))
def test_any_cuts_and_seed(client, table, cuts, seed):
    frame = partitioned(table, cuts)
    options = {"metrics": METRICS, "missing": "drop", "n_boot": 20, "ci_quantiles": [0.1, 0.9], "random_state": seed}
    got = adask.MetricFrame(y_true=frame["y"], y_pred=frame["pred"], sensitive_features=frame["group"], **options)
    want = fairness.MetricFrame(y_true=table["y"], y_pred=table["pred"], sensitive_features=table["group"], **options)
    same(got, want)


@pytest.mark.parametrize(("missing", "observed"), [("drop", False), ("own_group", True)])
def test_control_features_missing_and_observed(client, table, missing, observed):
    frame = frame_of(table, "empty")
    computed = frame.compute()
    options = {"metrics": {"tpr": fairness.true_positive_rate}, "missing": missing, "observed": observed}
    got = adask.MetricFrame(
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame[["group", "age"]],
        control_features=frame["region"],
        **options,
    )
    want = fairness.MetricFrame(
        y_true=computed["y"],
        y_pred=computed["pred"],
        sensitive_features=computed[["group", "age"]],
        control_features=computed["region"],
        **options,
    )
    assert got.missing_rows == want.missing_rows and got.dropped_rows == want.dropped_rows
    same(got, want)


def test_string_labels_and_pos_label(client, table):
    frame = frame_of(table, "3")
    computed = frame.compute()
    import functools

    metrics = {
        "accuracy": fairness.accuracy_score,
        "recall_dog": functools.partial(fairness.recall_score, pos_label="dog"),
        "selected_cat": functools.partial(fairness.selection_rate, pos_label="cat"),
    }
    got = adask.MetricFrame(
        metrics=metrics, y_true=frame["label"], y_pred=frame["guess"], sensitive_features=frame["age"], **BOOT
    )
    want = fairness.MetricFrame(
        metrics=metrics, y_true=computed["label"], y_pred=computed["guess"], sensitive_features=computed["age"], **BOOT
    )
    same(got, want)


def test_a_thousand_groups_on_dask_arrays(client, table):
    columns = table[["many", "y", "pred"]].to_numpy()
    arrays = da.from_array(columns, chunks=(N_ROWS // 7 + 1, 3))
    got = adask.MetricFrame(
        metrics=fairness.selection_rate,
        y_true=arrays[:, 1],
        y_pred=arrays[:, 2],
        sensitive_features=arrays[:, 0],
        **BOOT,
    )
    want = fairness.MetricFrame(
        metrics=fairness.selection_rate,
        y_true=columns[:, 1],
        y_pred=columns[:, 2],
        sensitive_features=columns[:, 0],
        **BOOT,
    )
    assert len(want.by_group) > 550  # most of the 1,000 values occur
    same(got, want)


def test_disparities_through_states(client, table):
    frame = frame_of(table, "3")
    computed = frame.compute()
    features = ["group", "region"]
    # One of each family (the difference and ratio of a family share their frame).
    names = ["demographic_parity_ratio", "equal_opportunity_difference", "equalized_odds_difference"]
    with dask.config.set({adask.MEMORY_BUDGET_KEY: 64}):  # nothing is gathered
        got = [
            getattr(adask, name)(frame["y"], frame["pred"], sensitive_features=frame[features].fillna("none"))
            for name in names
        ]
    want = [
        getattr(fairness, name)(computed["y"], computed["pred"], sensitive_features=computed[features].fillna("none"))
        for name in names
    ]
    assert np.isfinite(want).all() and got == want


def test_a_tiny_budget_refuses_only_what_is_gathered(client, table):
    frame = frame_of(table, "17")
    computed = frame.compute()
    with dask.config.set({adask.MEMORY_BUDGET_KEY: 1000}):
        got = adask.MetricFrame(
            metrics=METRICS, y_true=frame["y"], y_pred=frame["pred"], sensitive_features=frame["region"], **BOOT
        )
        with pytest.raises(ResourceLimitError, match="memory budget"):  # weights are gathered
            adask.MetricFrame(
                metrics=fairness.selection_rate,
                y_true=frame["y"],
                y_pred=frame["pred"],
                sensitive_features=frame["region"],
                sample_params={"sample_weight": frame["age"]},
            )
    want = fairness.MetricFrame(
        metrics=METRICS, y_true=computed["y"], y_pred=computed["pred"], sensitive_features=computed["region"], **BOOT
    )
    same(got, want)


def test_errors_as_the_single_machine_call(client, table):
    frame = frame_of(table, "3")
    with pytest.raises(InvalidInputError, match="missing values"):  # missing="error" is the default
        adask.MetricFrame(
            metrics=fairness.selection_rate, y_true=frame["y"], y_pred=frame["pred"], sensitive_features=frame["group"]
        )
    with pytest.raises(InvalidInputError, match="convention"):
        adask.MetricFrame(
            metrics=fairness.selection_rate,
            y_true=frame["y"],
            y_pred=frame["pred"],
            sensitive_features=frame["age"],
            convention="nope",
        )
    empty = partitioned(table.iloc[:0], [0])
    with pytest.raises(InvalidInputError, match="no rows"):
        adask.MetricFrame(
            metrics=fairness.selection_rate, y_true=empty["y"], y_pred=empty["pred"], sensitive_features=empty["age"]
        )
    with pytest.raises(InvalidInputError, match="must be from"):  # fairlearn's rule for rates without pos_label
        adask.MetricFrame(
            metrics=fairness.true_positive_rate,
            y_true=frame["age"],
            y_pred=frame["pred"],
            sensitive_features=frame["region"],
        )


def test_partitions_of_unequal_lengths_are_refused(client, table):
    frame = frame_of(table, "3")
    other = partitioned(table, [100, 700])  # three partitions too, cut elsewhere
    with pytest.raises(InvalidInputError, match="partitioned alike"):
        adask.MetricFrame(
            metrics=fairness.selection_rate, y_true=frame["y"], y_pred=frame["pred"], sensitive_features=other["age"]
        )


@pytest.mark.parametrize(("y", "pred", "passes"), [("y", "pred", 1), ("label", "guess", 2)])
def test_zero_one_labels_take_one_pass(client, table, monkeypatch, y, pred, passes):
    calls = []
    compute = dask_fairness._graph.compute

    def counted(tasks, where):
        calls.append(len(tasks))
        return compute(tasks, where)

    monkeypatch.setattr(dask_fairness._graph, "compute", counted)
    frame = frame_of(table, "empty")
    options = {"metrics": {"accuracy": fairness.accuracy_score}, "missing": "own_group", **BOOT}
    got = adask.MetricFrame(y_true=frame[y], y_pred=frame[pred], sensitive_features=frame["group"], **options)
    assert len(calls) == passes  # labels other than 0 / 1 need the merged labels before the counts
    same(got, fairness.MetricFrame(y_true=table[y], y_pred=table[pred], sensitive_features=table["group"], **options))


def test_labels_are_those_that_occur(client):
    # 0 / 1 labels in one partition, 0 / 2 in the other: the labels are [0, 2], as on one machine.
    rows = pd.DataFrame({"y": [0, 0, 1, 2, 2, 0], "p": [0, 0, 1, 2, 0, 2], "g": list("aabbab")})
    frame = partitioned(rows, [3])
    options = {"metrics": {"accuracy": fairness.accuracy_score}, "n_boot": 10, "ci_quantiles": [0.5], "random_state": 0}
    got = adask.MetricFrame(y_true=frame["y"], y_pred=frame["p"], sensitive_features=frame["g"], **options)
    same(got, fairness.MetricFrame(y_true=rows["y"], y_pred=rows["p"], sensitive_features=rows["g"], **options))
    only_zero = partitioned(rows.assign(y=[0, 0, 0, 2, 2, 0], p=[0, 0, 0, 2, 0, 2]), [3])
    got = adask.MetricFrame(y_true=only_zero["y"], y_pred=only_zero["p"], sensitive_features=only_zero["g"], **options)
    want = fairness.MetricFrame(
        y_true=[0, 0, 0, 2, 2, 0], y_pred=[0, 0, 0, 2, 0, 2], sensitive_features=rows["g"], **options
    )
    same(got, want)


def test_corrupted_state_bytes(client, table):
    rows = (table["y"], table["pred"], table[["region"]], None)
    state = dask_fairness._partition_state(rows, None, [["e", "n", "s"]], np.array([0, 1]))
    merged = dask_fairness._merge_states(state, state, n_groups=4, n_classes=2)
    assert dask_fairness._load(merged, 4, 2).counts.sum() == 2 * N_ROWS
    with pytest.raises(CorruptedStateError):
        dask_fairness._merge_states(state[: len(state) // 2], state, n_groups=4, n_classes=2)
    with pytest.raises(CorruptedStateError):
        dask_fairness._load(b"\x00" * 40, 4, 2)
    with pytest.raises(CorruptedStateError, match="expected 5 x 2"):  # decodes, but not the groups expected
        dask_fairness._load(state, 5, 2)
    with pytest.raises(CorruptedStateError, match="levels"):  # a one-pass state whose levels are not merged ones
        dask_fairness._remapped(([["e", "n", "x"]], state), [["e", "n", "s"]], 2)
