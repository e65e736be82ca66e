"""assay.spark: the mapInArrow recipe on a local Spark session (local[2]). Merged confusion
counts equal the single-machine accumulator and MetricFrame on the same rows for 1, 3 and 7
partitions and a shuffled partitioning; a merged sketch profile's exact fields equal the
single-machine sketch profile and its quantiles lie within the stated rank error; corrupted
states are refused."""

from __future__ import annotations

import functools
import os
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
# The test command installs PySpark (dev.sh: ASSAY_REQUIRE_SPARK=1); elsewhere the module is skipped without it.
pyspark = __import__("pyspark") if os.environ.get("ASSAY_REQUIRE_SPARK") else pytest.importorskip("pyspark")

from assay import fairness, quality  # noqa: E402
from assay import spark as aspark  # noqa: E402
from assay.errors import CorruptedStateError, InvalidInputError, InvalidTypeError  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

# PySpark 4.3 warns that it does not fully support pandas 3 (the test extra's); the recipe
# itself passes Arrow batches, and these tests check every number they use.
# One worker of pytest-xdist runs them all (./dev.sh test distributes by group): one session.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.xdist_group("spark"),
]

N_ROWS = 3000
LEVELS = {"group": ["a", "b", "c"], "region": ["n", "s"]}
LABELS = [0, 1]
METRICS = ["count", "selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"]
LAYOUTS = ["1", "3", "7", "shuffled", "empty"]


@pytest.fixture(scope="module")
def spark():
    # The Python workers run this interpreter (and its assay); no UI, few shuffle partitions.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("assay-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")  # several batches per partition
        .config("spark.driver.memory", "512m")
        # A short-lived JVM: the client compiler only, which starts faster on a busy machine.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "id": np.arange(N_ROWS, dtype=np.int64),
            "age": rng.normal(40, 12, N_ROWS),
            "visits": rng.integers(0, 6, N_ROWS).astype(np.float64),
            "plan": rng.choice(["basic", "pro", "team"], N_ROWS),
            "group": rng.choice(["a", "b", "c"], N_ROWS, p=[0.6, 0.3, 0.1]),
            "region": rng.choice(["n", "s"], N_ROWS),
            "y": rng.integers(0, 2, N_ROWS),
            "pred": rng.integers(0, 2, N_ROWS),
        }
    )
    frame.loc[::17, "age"] = np.nan
    frame.loc[3, "age"] = np.inf
    frame.loc[::29, "plan"] = None
    return frame


@pytest.fixture(scope="module")
def frames(spark, table):
    """The table on Spark, in each layout: contiguous ranges of rows in 1, 3 or 7 partitions,
    rows spread over 5 partitions by a seeded random key (rows out of their order), or over 8
    partitions by the hash of a column of three values (empty partitions)."""
    df = spark.createDataFrame(table).cache()
    return {
        "1": df.coalesce(1),
        "3": df.repartitionByRange(3, "id"),
        "7": df.repartitionByRange(7, "id"),
        "shuffled": df.repartition(5, F.rand(seed=3)),
        "empty": df.repartition(8, "group"),  # three groups hashed to 8 partitions: most are empty
    }


def states(df, function) -> list[bytes]:
    """The state column collected in partition order."""
    return [row.state for row in df.mapInArrow(function, aspark.STATE_SCHEMA).collect()]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_merged_confusion_counts_equal_one_machine(frames, table, layout):
    function = functools.partial(aspark.confusion_states, y_true="y", y_pred="pred", levels=LEVELS, labels=LABELS)
    collected = states(frames[layout], function)
    assert len(collected) == frames[layout].rdd.getNumPartitions()
    merged = aspark.merge_confusion(collected)
    one = fairness.ConfusionAccumulator(levels=LEVELS, labels=LABELS).update(
        table["y"], table["pred"], sensitive_features={name: table[name] for name in LEVELS}
    )
    assert np.array_equal(merged.counts, one.counts)
    got = merged.by_group(METRICS)
    assert got.equals(one.by_group(METRICS))
    # The single-machine MetricFrame on the same rows: the same rates, bitwise.
    frame = fairness.MetricFrame(
        metrics={
            "selection_rate": fairness.selection_rate,
            "true_positive_rate": fairness.true_positive_rate,
            "false_positive_rate": fairness.false_positive_rate,
        },
        y_true=table["y"],
        y_pred=table["pred"],
        sensitive_features=table[list(LEVELS)],
    )
    want = frame.by_group
    for name in want.columns:
        assert got[name].loc[want.index].tolist() == want[name].tolist(), name


def test_confusion_states_tree_reduce_equals_collect(frames, table):
    function = functools.partial(aspark.confusion_states, y_true="y", y_pred="pred", levels=LEVELS, labels=LABELS)

    def merge(a: bytes, b: bytes) -> bytes:
        return aspark.merge_confusion([a, b]).to_bytes()

    rows = frames["shuffled"].mapInArrow(function, aspark.STATE_SCHEMA).rdd.map(lambda row: row.state)
    reduced = aspark.merge_confusion([rows.treeReduce(merge, depth=2)])
    assert np.array_equal(reduced.counts, aspark.merge_confusion(states(frames["3"], function)).counts)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_merged_sketch_profile_exact_fields_and_bounds(frames, table, layout):
    columns = ["age", "visits", "plan"]
    df = frames[layout].select(*columns)
    merged = aspark.merge_profiles(states(df, aspark.profile_states))
    one = quality.profile(table[columns], exact=False)
    assert not merged.exact and merged.columns == columns
    for name in columns:
        got, want = merged[name], one[name]
        keys = ("count", "missing") + (("min", "max", "infinities", "zeros", "negatives") if "mean" in want else ())
        for key in keys:
            assert got[key] == want[key], (name, key)
    for name in ("age", "visits"):
        got = merged[name]
        values = table[name].to_numpy()
        finite = np.sort(values[np.isfinite(values)])
        assert got["mean"] == pytest.approx(float(finite.mean()), rel=1e-12)
        bound = got["quantile_rank_error"] * len(finite) + 1
        for p, value in got["quantiles"].items():
            low, high = np.searchsorted(finite, value, "left"), np.searchsorted(finite, value, "right")
            assert low - bound <= p * (len(finite) - 1) <= high + bound, (name, p)
    # Three plans and six visit counts: the value tables hold every value, exactly.
    assert merged["plan"]["values"] == one["plan"]["values"]
    assert merged["visits"]["distinct"] == 6


def test_quantile_bound_holds_beyond_the_summary_capacity(spark):
    # More rows than a quantile summary holds, sorted (adversarial for merges): the merged
    # quantiles are estimates, within their stated bound.
    n = 60_000
    df = spark.range(0, n, numPartitions=7).select(F.col("id").cast("double").alias("x"))
    merged = aspark.merge_profiles(states(df, aspark.profile_states))
    got = merged["x"]
    assert got["count"] == n and got["min"] == 0.0 and got["max"] == n - 1
    assert not got["quantiles_exact"] and 0 < got["quantile_rank_error"] < 0.01
    for p, value in got["quantiles"].items():
        assert abs(value - p * (n - 1)) <= got["quantile_rank_error"] * n + 1, p


def test_corrupted_and_wrong_states_are_refused(frames):
    function = functools.partial(aspark.confusion_states, y_true="y", y_pred="pred", levels=LEVELS, labels=LABELS)
    confusion = states(frames["3"], function)
    profile = states(frames["3"].select("age"), aspark.profile_states)
    for good, merge in ((confusion[0], aspark.merge_confusion), (profile[0], aspark.merge_profiles)):
        with pytest.raises(CorruptedStateError):
            merge([good[: len(good) // 2]])
        with pytest.raises(CorruptedStateError):
            merge([b"\x00" * 64])
    with pytest.raises(CorruptedStateError):  # profile bytes are not confusion counts, and back
        aspark.merge_confusion(profile)
    with pytest.raises(CorruptedStateError):
        aspark.merge_profiles(confusion)
    with pytest.raises(InvalidTypeError):
        aspark.merge_confusion(["not bytes"])
    with pytest.raises(InvalidInputError):
        aspark.merge_profiles([])


def test_undeclared_values_fail_the_job_with_the_message(frames):
    function = functools.partial(
        aspark.confusion_states, y_true="y", y_pred="pred", levels={"group": ["a", "b"]}, labels=LABELS
    )
    with pytest.raises(Exception, match="values not declared"):
        states(frames["1"], function)


def test_without_pyspark_the_import_names_the_extra(monkeypatch):
    import importlib

    from assay.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "assay.spark")
    with pytest.raises(MissingDependencyError, match=r"assay\[spark\]"):
        importlib.import_module("assay.spark")
