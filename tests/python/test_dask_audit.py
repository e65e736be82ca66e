"""assay.dask.audit: the model's outputs per partition on the workers, then the single-machine
audit on the gathered tables, equal to ``assay.audit`` of the computed frames (card JSON,
gates, sections, measurements; the lineage but for the tables' source) for 1, 3 and 17
partitions, shuffled partition order and empty partitions; beyond the memory budget a
ResourceLimitError; wrong types refused."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import assay  # noqa: E402
from assay import dask as adask  # noqa: E402
from assay.dask import _audit as dask_audit  # noqa: E402
from assay.errors import InvalidInputError, InvalidTypeError, ResourceLimitError  # noqa: E402
from dask_partitions import layouts, partitioned  # noqa: E402

N_ROWS = 2000
FEATURES = ["x1", "x2", "plan"]
# Every section runs (explain on a small sample, few bootstrap replicates, to keep it quick).
CONFIG = {"n_boot": 20, "explain": {"sample_size": 300, "n_boot": 20}, "slices": {"max_level": 1}}
LAYOUTS = layouts(N_ROWS, seed=3)


def _table(shift: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(shift, 1.0, N_ROWS)
    x2 = rng.normal(size=N_ROWS)
    plan = rng.choice([0.0, 1.0, 2.0], N_ROWS)
    sex = rng.choice(["F", "M"], N_ROWS, p=[0.4, 0.6])
    y = (x1 + 0.5 * x2 + 0.3 * plan + rng.normal(size=N_ROWS) > 0.5).astype(int)
    score = 1 / (1 + np.exp(-(x1 + 0.5 * x2)))
    return pd.DataFrame(
        {"x1": x1, "x2": x2, "plan": plan, "sex": sex, "y": y, "score": score, "label": (score > 0.5).astype(int)}
    )


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return _table(0.0, 1)


@pytest.fixture(scope="module")
def current() -> pd.DataFrame:
    return _table(0.4, 2)


@pytest.fixture(scope="module")
def xgb_model(reference):
    xgboost = pytest.importorskip("xgboost")
    return xgboost.XGBClassifier(n_estimators=15, max_depth=3).fit(reference[FEATURES], reference["y"])


@pytest.fixture(scope="module")
def forest(reference):
    ensemble = pytest.importorskip("sklearn.ensemble")
    return ensemble.RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(
        reference[FEATURES], reference["y"]
    )


def _comparable(result: assay.Audit) -> dict:
    """The audit's card JSON without what differs between runs (the time) or by design (the
    tables' source description)."""
    card = json.loads(result.to_json())
    lineage = card["assay"]["lineage"]
    del lineage["created"]
    for which in ("reference", "current"):
        del lineage["data"][which]["source"]
    return card


def _assert_same(distributed: assay.Audit, single: assay.Audit) -> None:
    assert distributed.gates == single.gates
    assert distributed.skipped == single.skipped
    assert distributed.sections == single.sections
    assert _comparable(distributed) == _comparable(single)


def _partitioned(frame: pd.DataFrame, layout: str) -> dd.DataFrame:
    cuts, order = LAYOUTS[layout]
    return partitioned(frame, cuts, order)


@pytest.fixture(scope="module")
def single_machine_audits() -> dict:
    """The single-machine audits of the layouts' computed frames, by row order (every layout
    but "shuffled" gives the rows in their order)."""
    return {}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_model_audit_equals_the_single_machine_audit(
    client, reference, current, xgb_model, single_machine_audits, layout
):
    # XGBoost's scikit-learn wrapper on numeric features: predicted by the core on the workers.
    dref = _partitioned(reference, "3")
    dcur = _partitioned(current, layout)
    arguments = {"target": "y", "model": xgb_model, "sensitive_features": "sex", "config": CONFIG}
    result = adask.audit(dref, dcur, client=client, **arguments)
    order = "shuffled" if layout == "shuffled" else "in order"
    if order not in single_machine_audits:
        single_machine_audits[order] = assay.audit(dref.compute(), dcur.compute(), **arguments)
    _assert_same(result, single_machine_audits[order])
    assert not result.skipped  # every section ran
    partitions = len(LAYOUTS[layout][0]) + 1
    assert result.lineage["data"]["current"]["source"] == f"dask DataFrame, {partitions} partitions"


def _worker_outputs(client, model, frame: dd.DataFrame, evaluation: str = "auto") -> np.ndarray:
    """The probabilities the workers compute for the audit, joined in partition order."""
    shipped = dask.delayed({"model": model, "evaluation": evaluation}, pure=True, traverse=False)
    token = uuid.uuid4().hex
    tasks = [
        dask.delayed(dask_audit._evaluate_partition)(part, "current", token, shipped, tuple(FEATURES))
        for part in frame.to_delayed()
    ]
    return np.concatenate([e.values for e in client.gather(client.compute(tasks)) if e is not None])


def test_sklearn_model_predictions_on_the_workers_are_bitwise_the_single_machine_ones(
    client, reference, current, forest, xgb_model
):
    dcur = _partitioned(current, "shuffled")
    computed = dcur.compute()
    assert np.array_equal(_worker_outputs(client, forest, dcur), forest.predict_proba(computed[FEATURES]))
    # The core's tree predictions (XGBoost, evaluation "auto") and XGBoost's own ("model").
    model = assay._audit._model.Model(xgb_model, 1)
    whole = assay._audit._data.load_table(computed, "current", None, 0)
    assert np.array_equal(_worker_outputs(client, xgb_model, dcur), model.evaluate(whole, tuple(FEATURES)).values)
    assert np.array_equal(
        _worker_outputs(client, xgb_model, dcur, "model"), xgb_model.predict_proba(computed[FEATURES])
    )
    arguments = {"target": "y", "model": forest, "sensitive_features": "sex", "config": CONFIG}
    dref = _partitioned(reference, "17")
    _assert_same(
        adask.audit(dref, dcur, client=client, **arguments), assay.audit(dref.compute(), computed, **arguments)
    )


def test_predictions_from_columns(client, reference, current):
    dref = _partitioned(reference, "17")
    dcur = _partitioned(current, "empty")
    config = {**CONFIG, "columns": {"prediction_score": "score"}}
    arguments = {"target": "y", "prediction": "label", "sensitive_features": "sex", "config": config}
    result = adask.audit(dref, dcur, client=client, **arguments)
    _assert_same(result, assay.audit(dref.compute(), dcur.compute(), **arguments))
    assert "fairness" in result.sections and "explain" in result.skipped


def test_a_regressor_predicted_by_the_core(client, reference, current):
    xgboost = pytest.importorskip("xgboost")
    model = xgboost.XGBRegressor(n_estimators=10, max_depth=3).fit(reference[FEATURES], reference["score"])
    dref, dcur = _partitioned(reference, "17"), _partitioned(current, "shuffled")
    config = {**CONFIG, "explain": {"enabled": False}, "columns": {"exclude": ["y", "label"]}}
    arguments = {"target": "score", "model": model, "sensitive_features": "sex", "config": config}
    result = adask.audit(dref, dcur, client=client, **arguments)
    _assert_same(result, assay.audit(dref.compute(), dcur.compute(), **arguments))
    assert result.card["model_parameters"]["task"] == "regression"


def _positive_score(rows: pd.DataFrame) -> np.ndarray:
    """A callable model: the positive class's probability, 1-D."""
    return 1 / (1 + np.exp(-(rows["x1"].to_numpy() + 0.5 * rows["x2"].to_numpy())))


def test_a_callable_model_whose_output_is_read_over_every_row(client, reference, current):
    # The workers return the callable's 1-D output; whether it is a probability (every value
    # in [0, 1], not all labels) is decided on the client over all the rows, as assay.audit does.
    dref, dcur = _partitioned(reference, "3"), _partitioned(current, "empty")
    config = {**CONFIG, "explain": {"enabled": False}}
    arguments = {"target": "y", "model": _positive_score, "sensitive_features": "sex", "config": config}
    result = adask.audit(dref, dcur, client=client, **arguments)
    _assert_same(result, assay.audit(dref.compute(), dcur.compute(), **arguments))
    assert result.sections["performance"]["datasets"]["current"]["overall"]["roc_auc"]["value"] > 0.7


def _code_reader(rows: pd.DataFrame) -> np.ndarray:
    """A callable model that reads a categorical feature by its codes, as tree models of
    categorical splits do."""
    return (rows["tier"].cat.codes.to_numpy() == 0).astype(np.int64)


def test_features_coded_per_partition_are_predicted_on_the_client(client, reference, current):
    # A categorical of unknown categories whose first value ("a") only the first rows hold:
    # each later partition codes its own values from 0, so the model's outputs come from the
    # gathered table, coded as a whole.
    tier = np.where(np.arange(N_ROWS) < 300, "a", np.where(np.arange(N_ROWS) % 2, "b", "c"))
    config = {**CONFIG, "explain": {"enabled": False}, "columns": {"exclude": ["score", "label"]}}
    arguments = {"target": "y", "model": _code_reader, "config": config}
    dref = partitioned(reference.assign(tier=tier), [1000]).astype({"tier": "category"})
    dcur = partitioned(current.assign(tier=tier), [150, 1000]).astype({"tier": "category"})
    assert not dask_audit._same_codes_in_every_partition(dcur, ("x1", "tier"))
    result = adask.audit(dref, dcur, client=client, **arguments)
    _assert_same(result, assay.audit(dref.compute(), dcur.compute(), **arguments))
    # Known categories (as after categorize()) code alike everywhere: predicted on the workers.
    known = {"tier": pd.CategoricalDtype(["a", "b", "c"])}
    kref, kcur = dref.astype(known), dcur.astype(known)
    assert dask_audit._same_codes_in_every_partition(kcur, ("x1", "tier"))
    single = assay.audit(kref.compute(), kcur.compute(), **arguments)
    _assert_same(adask.audit(kref, kcur, client=client, **arguments), single)


def test_sampled_tables_and_an_in_memory_reference(client, reference, current, xgb_model):
    # The outputs computed for every row are taken at the rows of the seeded sample.
    config = {**CONFIG, "data": {"reference": {"sample_size": 700}, "current": {"sample_size": 900}}}
    dcur = _partitioned(current, "17")
    arguments = {"target": "y", "model": xgb_model, "sensitive_features": "sex", "config": config}
    result = adask.audit(reference, dcur, client=client, **arguments)
    _assert_same(result, assay.audit(reference, dcur.compute(), **arguments))
    assert result.lineage["data"]["current"]["rows"] == 900
    assert result.lineage["data"]["reference"]["source"] == "pandas.DataFrame"


def test_the_config_data_files_are_read_by_dask(client, reference, current, tmp_path):
    paths = {}
    for which, frame in (("reference", reference), ("current", current)):
        paths[which] = str(tmp_path / f"{which}.parquet")
        frame.to_parquet(paths[which])
    config = {**CONFIG, "data": {w: {"path": p} for w, p in paths.items()}, "columns": {"prediction": "label"}}
    result = adask.audit(target="y", config=config, client=client)
    single = assay.audit(target="y", config=config)
    _assert_same(result, single)
    assert result.lineage["data"] == single.lineage["data"]  # the same source: the files


def test_beyond_the_memory_budget_no_partial_audit(client, reference, current, xgb_model):
    dref, dcur = _partitioned(reference, "3"), _partitioned(current, "3")
    # 2 x 2000 rows x (6 numbers x 8 + a string x 64 + a label and two probabilities x 8 bytes) = 0.52 MiB.
    with dask.config.set({adask.MEMORY_BUDGET_KEY: "512KiB"}), pytest.raises(ResourceLimitError) as caught:
        adask.audit(dref, dcur, target="y", model=xgb_model, config=CONFIG, client=client)
    message = str(caught.value)
    assert message.startswith(
        "reference, current: the audit gathers the reference table (2000 rows x 7 columns), the current table "
        "(2000 rows x 7 columns) and the model's outputs to the client, an estimated 0.5188 MiB, more than the "
        "memory budget of 0.5 MiB"
    )
    assert "assay.memory-budget" in message
    with dask.config.set({adask.MEMORY_BUDGET_KEY: "1MiB"}):
        assert adask.audit(dref, dcur, target="y", model=xgb_model, config=CONFIG, client=client).sections


def test_wrong_arguments(client, reference, current):
    dcur = _partitioned(current, "3")
    with pytest.raises(InvalidTypeError, match="^current: expected a dask DataFrame, got DataFrame"):
        adask.audit(reference, current, target="y")
    with pytest.raises(InvalidTypeError, match="^reference: expected a dask DataFrame or an in-memory table"):
        adask.audit([1, 2, 3], dcur, target="y")
    with pytest.raises(InvalidTypeError, match="^client: expected a distributed.Client, got str"):
        adask.audit(reference, dcur, target="y", client="scheduler:8786")
    with pytest.raises(InvalidInputError, match="^current: no data; pass a dask DataFrame"):
        adask.audit(reference, target="y")
    with pytest.raises(InvalidInputError, match="^target: no column 'nope'"):
        adask.audit(reference, dcur, target="nope")
    with pytest.raises(InvalidInputError, match="format: assay.dask.audit reads parquet or csv files, not json"):
        adask.audit(reference, target="y", config={"data": {"current": {"path": "current.json"}}})


def test_a_model_that_raises_on_a_worker(client, reference, current):
    def broken(rows):
        raise ValueError("no luck")

    with pytest.raises(InvalidInputError, match="^model: raised ValueError on the reference data: no luck"):
        adask.audit(_partitioned(reference, "3"), _partitioned(current, "3"), target="y", model=broken, client=client)
