"""assay.audit: every section's numbers against the engines' own calls, planted problems and
the gates they fail, skipped sections, the card's JSON (round trip, schema), lineage."""

import json
import math
import sys

import assay
import jsonschema
import numpy as np
import pandas as pd
import pytest
from assay import drift, explain, fairness, quality
from assay._audit import card_schema
from assay._audit._data import fingerprint
from assay._audit._metrics import log_loss
from assay._frame import as_frame
from assay.errors import CorruptedStateError, InvalidInputError, InvalidTypeError, MissingDependencyError

sklearn = pytest.importorskip("sklearn")
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.metrics import brier_score_loss  # noqa: E402
from sklearn.metrics import log_loss as sklearn_log_loss  # noqa: E402

N_BOOT = 50
CONFIG = {"n_boot": N_BOOT, "seed": 3}
FEATURES = ["x0", "x1", "x2", "plan"]


def _table(n, rng, *, shift=0.0, leak=False, disparity=0.0):
    sex = rng.choice(["F", "M"], n)
    x0 = rng.normal(shift, 1.0, n) + disparity * (sex == "M")
    x1 = rng.normal(size=n)
    x2 = np.where(rng.random(n) < 0.03, np.nan, rng.normal(size=n))
    y = (x0 + 0.7 * x1 + rng.normal(0, 1.0, n) > 0).astype(int)
    data = pd.DataFrame(
        {
            "x0": x0,
            "x1": x1,
            "x2": x2,
            "plan": rng.choice([0.0, 1.0, 2.0], n),
            "sex": sex,
            "region": rng.choice(["n", "s"], n),
        }
    )
    if leak:
        data["leaky"] = y + rng.normal(0, 0.05, n)
    data["y"] = y
    return data


def _model(data, features=FEATURES):
    return HistGradientBoostingClassifier(max_iter=20, max_depth=3, random_state=0).fit(data[features], data["y"])


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(7)
    reference = _table(800, rng)
    current = _table(700, rng, shift=0.3)
    model = _model(reference)
    result = assay.audit(
        reference, current, target="y", model=model, sensitive_features=["sex", "region"], config=CONFIG
    )
    return reference, current, model, result


# --- every number equals the engine's standalone call ------------------------------------------


def test_quality_section_is_the_engines_report(case):
    reference, current, _, result = case
    section = result.sections["quality"]
    columns = [*FEATURES, "sex", "region", "y"]
    expected = quality.check(
        current[columns], target="y", reference=reference[columns], thresholds=section["thresholds"]
    ).to_dict()
    got = dict(section["current"])
    assert got.pop("columns").keys() == set(columns)
    expected.pop("profile")
    assert got == json.loads(json.dumps(expected))


def _measured(result, section, metric, dataset=None):
    return {
        m.subject: m
        for m in result.measurements
        if m.section == section and m.metric == metric and (dataset is None or m.dataset == dataset)
    }


def test_quality_values_of_every_column_equal_the_engine_at_threshold_zero(case):
    """With thresholds that flag everything the engine reports each column's value as a
    finding: the audit's measurements (the engine's measures) equal them."""
    reference, _, _, result = case
    columns = [*FEATURES, "sex", "region", "y"]
    everything = {
        "outlier_rate": 0.0,
        "near_constant": 0.0,
        "leakage": 0.0,
        "leakage_decision": "point",
        "missing_warning": 0.0,
    }
    report = quality.check(reference[columns], target="y", thresholds=everything)
    found = {(f.check, f.column): f.value for f in report.findings}
    by_mad = quality.check(reference[columns], target="y", thresholds={**everything, "outlier_method": "mad"})
    found.update({(f.check, f.column): f.value for f in by_mad.findings if f.check == "outliers_mad"})
    for check in ("outliers_iqr", "outliers_mad", "near_constant", "target_leakage"):
        measured = _measured(result, "quality", check, "reference")
        engine = {column: value for (name, column), value in found.items() if name == check}
        assert engine, check
        for column, value in engine.items():
            assert measured[column].value == pytest.approx(value, rel=1e-12, abs=1e-15), (check, column)
    missing = _measured(result, "quality", "missing", "reference")
    assert missing["x2"].value == found[("missing", "x2")]
    assert missing["x0"].value == 0.0
    # The bounds are the engine's: one-sided bounds of the out-of-sample score (which the
    # in-sample value may exceed: that optimism is why the check decides on the lower bound).
    leakage = _measured(result, "quality", "target_leakage", "reference")
    bounds = {f.column: (f.lower, f.upper) for f in report.findings if f.check == "target_leakage"}
    assert bounds and set(bounds) <= set(leakage)
    for column, (lower, upper) in bounds.items():
        assert (leakage[column].lower, leakage[column].upper) == pytest.approx((lower, upper), rel=1e-12, abs=1e-15)
        assert lower <= upper


def _with_predictions(data, model):
    proba = model.predict_proba(data[FEATURES])
    return data.assign(prediction=model.classes_[np.argmax(proba, axis=1)], prediction_score=proba[:, 1])


def test_drift_section_is_the_engines_report(case):
    reference, current, model, result = case
    ref, cur = _with_predictions(reference, model), _with_predictions(current, model)
    expected = drift.report(
        ref,
        cur,
        columns=[*FEATURES, "sex", "region"],
        target="y",
        prediction=["prediction", "prediction_score"],
    )
    assert result.sections["drift"]["report"] == expected.to_dict()
    drifted = _measured(result, "drift", "drifted")
    assert {c for c, m in drifted.items() if m.value == 1} == set(expected.drifted_columns)
    distribution = result.sections["drift"]["distributions"]["x1"]
    assert sum(distribution["reference"]) == len(reference) and sum(distribution["current"]) == len(current)
    # numpy's histogram on the shared edges of both samples, bin for bin.
    x_ref, x_cur = reference["x1"].to_numpy(), current["x1"].to_numpy()
    edges = np.histogram_bin_edges(np.concatenate([x_ref, x_cur]), bins=len(distribution["edges"]) - 1)
    assert distribution["edges"] == edges.tolist()
    assert distribution["reference"] == np.histogram(x_ref, bins=edges)[0].tolist()
    assert distribution["current"] == np.histogram(x_cur, bins=edges)[0].tolist()


def test_performance_equals_the_fairness_metrics_and_scikit_learn(case):
    _, current, model, result = case
    performance = result.sections["performance"]
    assert performance["task"] == "classification" and performance["pos_label"] == 1
    overall = performance["datasets"]["current"]["overall"]
    y = current["y"].to_numpy()
    proba = model.predict_proba(current[FEATURES])
    predicted = model.classes_[np.argmax(proba, axis=1)]
    assert overall["accuracy"]["value"] == fairness.accuracy_score(y, predicted)
    assert overall["f1"]["value"] == fairness.f1_score(y, predicted)
    assert overall["roc_auc"]["value"] == fairness.roc_auc_score(y, proba[:, 1])
    assert overall["log_loss"]["value"] == pytest.approx(sklearn_log_loss(y, proba), rel=1e-12)
    assert overall["brier_score"]["value"] == pytest.approx(brier_score_loss(y, proba[:, 1]), rel=1e-12)
    assert overall["ece"]["value"] == fairness.expected_calibration_error(y, proba[:, 1])
    frame = fairness.MetricFrame(
        metrics={"accuracy": fairness.accuracy_score},
        y_true=y,
        y_pred=predicted,
        sensitive_features={"sex": current["sex"].to_numpy()},
        n_boot=N_BOOT,
        ci_quantiles=[0.025, 0.975],
        random_state=CONFIG["seed"],
    )
    low, high = frame.overall_ci
    assert overall["accuracy"]["lower"] == low["accuracy"] and overall["accuracy"]["upper"] == high["accuracy"]
    groups = {tuple(g["group"]): g for g in performance["datasets"]["current"]["by_group"]["sex"]}
    for level, value in frame.by_group["accuracy"].items():
        assert groups[(level,)]["metrics"]["accuracy"]["value"] == value
    by_group = _measured(result, "performance", "accuracy", "current")
    assert by_group["sex=F"].value == frame.by_group["accuracy"]["F"]
    calibration = performance["datasets"]["current"]["calibration"]["by_group"]["sex"]
    expected = fairness.calibration_by_group(y, proba[:, 1], sensitive_features=current["sex"].to_numpy())
    assert calibration == json.loads(json.dumps(expected.to_dict()))


def test_fairness_equals_the_disparity_functions_and_four_fifths(case):
    _, current, model, result = case
    y = current["y"].to_numpy()
    predicted = model.predict(current[FEATURES])
    grouping = result.sections["fairness"]["datasets"]["current"]["groupings"]
    assert set(grouping) == {"sex", "region", "sex & region"}
    for label, features in (("sex", ["sex"]), ("sex & region", ["sex", "region"])):
        sensitive = current[features]
        disparities = grouping[label]["disparities"]
        for name in ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference"):
            value = getattr(fairness, name)(y, predicted, sensitive_features=sensitive)
            assert disparities[name]["value"] == pytest.approx(value, abs=1e-15), (label, name)
            assert disparities[name]["lower"] <= disparities[name]["value"] <= disparities[name]["upper"]
    four_fifths = fairness.four_fifths(predicted, sensitive_features=current[["sex"]])
    assert grouping["sex"]["four_fifths"] == json.loads(json.dumps(four_fifths.to_dict()))
    ratios = _measured(result, "fairness", "selection_rate_ratio", "current")
    other = next(g for g in four_fifths.to_dict()["groups"] if g["verdict"] != "reference")
    assert ratios[f"sex={other['group']}"].upper == other["ratio_interval"][1]


def test_explain_is_the_tree_explainers_mean_abs(case):
    _, current, model, result = case
    section = result.sections["explain"]
    assert section["explainer"] == "TreeExplainer" and section["n_rows"] == len(current)
    expected = explain.TreeExplainer(model)(current[FEATURES]).mean_abs()
    importance = {r["feature"]: r for r in section["importance"]}
    for feature, value in zip(FEATURES, expected):
        assert importance[feature]["mean_abs_shap"] == pytest.approx(value, rel=1e-12)
        assert importance[feature]["lower"] <= importance[feature]["mean_abs_shap"] <= importance[feature]["upper"]
    assert section["top_features"][0] == max(importance, key=lambda f: importance[f]["mean_abs_shap"])
    assert len(section["dependence"][section["top_features"][0]]["shap"]) == len(current)
    ranking = result.sections["drift"]["ranking"]
    ranks = [r["importance_rank"] for r in ranking if r["importance_rank"] is not None]
    assert ranks == sorted(ranks)


def test_log_loss_matches_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = rng.random(200)
    p[:3] = [0.0, 1.0, 1e-20]
    assert log_loss(y, p) == pytest.approx(sklearn_log_loss(y, np.column_stack([1 - p, p])), rel=1e-12)
    proba = rng.dirichlet([1, 1, 1], 200)
    proba[0] = [1.0, 0.0, 0.0]
    classes = rng.integers(0, 3, 200)
    classes[0] = 2
    assert log_loss(classes, proba) == pytest.approx(sklearn_log_loss(classes, proba), rel=1e-12)
    with pytest.raises(InvalidInputError, match="y_prob"):
        log_loss(y, p[:10])


# --- gates on planted problems ----------------------------------------------------------------


def _failed(result):
    return {g.name for g in result.gates if g.failed}


def test_clean_data_passes():
    rng = np.random.default_rng(11)
    reference, current = _table(900, rng), _table(900, rng)
    result = assay.audit(
        reference, current, target="y", model=_model(reference), sensitive_features="sex", config=CONFIG
    )
    assert result.passed, result.summary()
    assert result.skipped == {}


def test_planted_leak_drift_and_disparity_fail_their_gates():
    rng = np.random.default_rng(12)
    reference = _table(900, rng, leak=True, disparity=1.5)
    current = _table(900, rng, leak=True, disparity=1.5, shift=1.5)
    current["x1"] += 2.0
    current["x2"] -= 2.0
    current["plan"] = 2.0
    model = _model(reference)
    result = assay.audit(reference, current, target="y", model=model, sensitive_features="sex", config=CONFIG)
    failed = _failed(result)
    assert {"quality.target_leakage", "drift.drifted_share", "fairness.four_fifths"} <= failed
    leak = [g for g in result.gates if g.name == "quality.target_leakage" and g.failed]
    assert {g.subject for g in leak} == {"leaky"}
    four_fifths = [g for g in result.gates if g.name == "fairness.four_fifths" and g.failed]
    assert {g.subject for g in four_fifths} == {"sex=F"}
    # A leaky feature known to be legitimate: excluded from the check, not a global threshold.
    config = {**CONFIG, "quality": {"checks": {"target_leakage": {"exclude": ["leaky"]}}}}
    again = assay.audit(reference, current, target="y", model=model, sensitive_features="sex", config=config)
    assert "quality.target_leakage" not in _failed(again)


def test_degradation_compares_current_with_reference_intervals():
    rng = np.random.default_rng(13)
    reference = _table(1500, rng)
    current = _table(1500, rng)
    current["y"] = np.where(rng.random(len(current)) < 0.35, 1 - current["y"], current["y"])  # noisy labels
    result = assay.audit(reference, current, target="y", model=_model(reference), config=CONFIG)
    failed = {(g.name, g.subject) for g in result.gates if g.failed}
    assert ("performance.degradation.accuracy", "overall") in failed


# --- skipped sections, roles, errors -----------------------------------------------------------


def test_sections_without_inputs_are_skipped_with_reasons():
    rng = np.random.default_rng(14)
    reference, current = _table(300, rng), _table(300, rng)
    result = assay.audit(reference, current, config={**CONFIG, "drift": {"enabled": False}})
    assert result.skipped == {
        "drift": "disabled in the config",
        "performance": "no target column",
        "fairness": "no sensitive features (columns.sensitive_features or the sensitive_features argument)",
        "explain": "no model (predictions from columns cannot be explained)",
        "slices": "no target column",
        "review": "needs a target and the model's predictions",
        "monitor": "needs a binary classifier's predicted probabilities",
    }
    skipped_gates = [g for g in result.gates if g.section == "performance"]
    assert skipped_gates and all(g.verdict == "skipped" for g in skipped_gates)
    assert "section performance skipped: no target column" in skipped_gates[0].reason


def test_predictions_from_columns_and_arguments_override_the_config():
    rng = np.random.default_rng(15)
    reference, current = _table(600, rng), _table(600, rng)
    for data in (reference, current):
        data["p"] = 1 / (1 + np.exp(-(data["x0"] + 0.7 * data["x1"])))
        data["label"] = (data["p"] > 0.5).astype(int)
    config = {**CONFIG, "columns": {"target": "nothing_here", "prediction": "label", "prediction_score": "p"}}
    with pytest.raises(InvalidInputError, match="^target: no column 'nothing_here'"):
        assay.audit(reference, current, config=config)
    result = assay.audit(reference, current, target="y", sensitive_features="sex", config=config)
    overall = result.sections["performance"]["datasets"]["current"]["overall"]
    assert overall["roc_auc"]["value"] == fairness.roc_auc_score(current["y"], current["p"])
    assert overall["accuracy"]["value"] == fairness.accuracy_score(current["y"], current["label"])
    assert result.sections["performance"]["datasets"]["current"]["source"] == "columns"
    assert "p" not in result.sections["drift"]["report"]["drifted_columns"] + [
        c["column"] for c in result.sections["drift"]["report"]["columns"]
    ]
    assert result.skipped == {"explain": "no model (predictions from columns cannot be explained)"}


def test_regression_audit():
    rng = np.random.default_rng(16)
    reference, current = _table(600, rng), _table(600, rng)
    for data in (reference, current):
        data["value"] = 2 * data["x0"] - data["x1"] + rng.normal(0, 0.5, len(data))
    features = ["x0", "x1"]
    model = LinearRegression().fit(reference[features], reference["value"])
    result = assay.audit(
        reference.drop(columns="y"), current.drop(columns="y"), target="value", model=model, config=CONFIG
    )
    performance = result.sections["performance"]
    assert performance["task"] == "regression"
    predicted = model.predict(current[features])
    overall = performance["datasets"]["current"]["overall"]
    assert overall["mae"]["value"] == pytest.approx(
        fairness.mean_absolute_error(current["value"], predicted), rel=1e-12
    )
    assert overall["r2"]["value"] == pytest.approx(fairness.r2_score(current["value"], predicted), rel=1e-12)
    residuals = performance["datasets"]["current"]["residuals"]
    assert residuals["quantiles"][4] == pytest.approx(np.median(predicted - current["value"]))
    assert result.sections["explain"]["explainer"] == "LinearExplainer"
    assert result.sections["quality"]["leakage"]["current"]  # eta squared with intervals
    assert "performance.degradation.accuracy" not in _failed(result)


def test_config_errors_name_the_key_path():
    rng = np.random.default_rng(17)
    reference = _table(50, rng)
    with pytest.raises(InvalidInputError, match=r"^fairness\.gates\[0\]\.threshold: expected a number"):
        assay.audit(
            reference, reference, config={"fairness": {"gates": [{"metric": "count", "op": "<", "threshold": "x"}]}}
        )
    with pytest.raises(InvalidInputError, match="^reference: no data"):
        assay.audit(None, reference)
    with pytest.raises(InvalidTypeError, match="^sensitive_features"):
        assay.audit(reference, reference, sensitive_features=3)
    with pytest.raises(InvalidInputError, match="^sensitive_features: no column 'age'"):
        assay.audit(reference, reference, sensitive_features="age")


def test_model_file_is_read_and_fingerprinted(tmp_path):
    xgboost = pytest.importorskip("xgboost")
    rng = np.random.default_rng(18)
    reference, current = _table(500, rng), _table(500, rng)
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=3).fit(reference[FEATURES], reference["y"])
    path = tmp_path / "model.json"
    model.save_model(path)
    result = assay.audit(reference, current, target="y", model=str(path), config=CONFIG)
    import hashlib

    assert result.lineage["model"]["fingerprint"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    overall = result.sections["performance"]["datasets"]["current"]["overall"]
    proba = model.predict_proba(current[FEATURES])[:, 1]
    assert overall["roc_auc"]["value"] == pytest.approx(fairness.roc_auc_score(current["y"], proba), abs=1e-6)
    in_memory = assay.audit(reference, current, target="y", model=model, config=CONFIG)
    assert "UBJSON" in in_memory.lineage["model"]["fingerprint"]["method"]
    (tmp_path / "model.pkl").write_bytes(b"not a model")
    with pytest.raises(InvalidInputError, match="^model: .*unsupported model file type '.pkl'"):
        assay.audit(reference, current, model=str(tmp_path / "model.pkl"))


def test_xgboost_models_are_evaluated_in_the_core_unless_the_config_says_model():
    xgboost = pytest.importorskip("xgboost")
    rng = np.random.default_rng(21)
    reference, current = _table(600, rng), _table(500, rng, shift=0.3)
    current.loc[::7, "x0"] = np.nan  # missing values take the trees' default sides
    current["y3"] = np.digitize(current["x1"], [-0.5, 0.5])
    reference["y3"] = np.digitize(reference["x1"], [-0.5, 0.5])
    config = {"n_boot": 0, "slices": {"enabled": False}, "review": {"enabled": False}, "monitor": {"enabled": False}}
    classifier = xgboost.XGBClassifier(n_estimators=30, max_depth=4).fit(reference[FEATURES], reference["y"])
    multiclass = xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(reference[FEATURES], reference["y3"])
    regressor = xgboost.XGBRegressor(n_estimators=20, max_depth=3).fit(reference[FEATURES], reference["x1"])
    for model, target, metrics in (
        (classifier, "y", ("log_loss", "brier_score", "roc_auc", "accuracy")),
        (multiclass, "y3", ("log_loss", "accuracy")),
        (regressor, "x1", ("mae", "rmse", "r2")),
    ):
        data = [t.drop(columns=[c for c in ("y", "y3") if c != target]) for t in (reference, current)]
        core = assay.audit(*data, target=target, model=model, config=config)
        own = assay.audit(*data, target=target, model=model, config={**config, "model": {"evaluation": "model"}})
        got = core.sections["performance"]["datasets"]["current"]["overall"]
        expected = own.sections["performance"]["datasets"]["current"]["overall"]
        for metric in metrics:
            assert got[metric]["value"] == pytest.approx(expected[metric]["value"], rel=1e-6, abs=1e-7), metric
    # "model" calls the model's own predict_proba: its numbers exactly.
    proba = classifier.predict_proba(current[FEATURES])[:, 1]
    data = [t.drop(columns=["y3"]) for t in (reference, current)]
    own = assay.audit(*data, target="y", model=classifier, config={**config, "model": {"evaluation": "model"}})
    overall = own.sections["performance"]["datasets"]["current"]["overall"]
    expected_brier = brier_score_loss(current["y"], proba.astype(np.float64))
    assert overall["brier_score"]["value"] == pytest.approx(expected_brier, rel=1e-12)
    with pytest.raises(InvalidInputError, match=r"^model\.evaluation: "):
        assay.audit(*data, target="y", model=classifier, config={"model": {"evaluation": "core"}})


# --- the card ------------------------------------------------------------------------------------


def test_json_round_trips_and_validates(case, tmp_path):
    *_, result = case
    text = result.to_json(tmp_path / "card.json")
    state = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    jsonschema.Draft202012Validator(card_schema()).validate(state)
    again = assay.Audit.from_json(tmp_path / "card.json")
    assert again.to_dict() == result.to_dict() == state
    assert assay.Audit.from_json(text).passed == result.passed
    assert again.gates == result.gates and again.measurements[:5] == result.measurements[:5]
    metrics = state["quantitative_analysis"]["performance_metrics"]
    assert {"type", "value", "slice", "confidence_interval"} <= set(metrics[0])
    assert any(m["slice"] == "sex=F" for m in metrics)
    with pytest.raises(CorruptedStateError):
        assay.Audit.from_json('{"assay": {"format": 99}}')
    with pytest.raises(CorruptedStateError, match="NaN"):
        assay.Audit.from_json('{"x": NaN}')


def test_undefined_numbers_are_null_in_the_json():
    rng = np.random.default_rng(19)
    reference, current = _table(300, rng), _table(300, rng)
    current["y"] = 1  # one class: ROC-AUC undefined
    result = assay.audit(reference, current, target="y", model=_model(reference), config=CONFIG)
    roc = result.sections["performance"]["datasets"]["current"]["overall"]["roc_auc"]
    assert roc["value"] is None
    gate = next(g for g in result.gates if g.name == "performance.degradation.roc_auc" and g.subject == "overall")
    assert gate.verdict == "undefined" and math.isnan(gate.value)
    assert "NaN" not in result.to_json()
    assert assay.Audit.from_json(result.to_json()).to_dict() == result.to_dict()


def test_markdown_summary(case):
    *_, result = case
    text = result.to_markdown()
    assert text.startswith(f"## assay audit: {'PASSED' if result.passed else 'FAILED'}")
    for gate in result.gates:
        if gate.failed:
            assert f"`{gate.name}`" in text
    clean = assay.audit(*_two_tables(20), config={"quality": {"enabled": False}, "drift": {"enabled": False}})
    assert "No gate failed or warned." in clean.to_markdown()
    assert "- quality: disabled in the config" in clean.to_markdown()


def _two_tables(seed):
    rng = np.random.default_rng(seed)
    return _table(200, rng), _table(200, rng)


def test_n_jobs_does_not_change_results(case):
    reference, current, model, result = case
    again = assay.audit(
        reference, current, target="y", model=model, sensitive_features=["sex", "region"], config=CONFIG, n_jobs=1
    )
    first, second = result.to_dict(), again.to_dict()
    for state in (first, second):
        state["assay"]["lineage"].pop("created")
        state["model_details"]["version"].pop("date")
    assert first == second


# --- lineage ------------------------------------------------------------------------------------


def test_fingerprint_does_not_depend_on_row_order():
    rng = np.random.default_rng(20)
    data = _table(400, rng)
    base = fingerprint(as_frame(data))
    shuffled = data.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert fingerprint(as_frame(shuffled))["value"] == base["value"]
    as_categories = data.assign(sex=data["sex"].astype("category"))
    assert fingerprint(as_frame(as_categories))["value"] == base["value"]  # content, not codes
    changed = data.copy()
    changed.loc[3, "x1"] += 1e-9
    assert fingerprint(as_frame(changed))["value"] != base["value"]
    doubled = pd.concat([data, data.iloc[:1]])
    assert fingerprint(as_frame(doubled))["value"] != base["value"]


def test_lineage_and_sampling():
    reference, current = _two_tables(21)
    result = assay.audit(
        reference, current, config={**CONFIG, "data": {"current": {"sample_size": 150}}, "quality": {"enabled": False}}
    )
    data = result.lineage["data"]
    assert data["current"]["rows"] == 150 and data["current"]["rows_given"] == 200
    assert data["reference"]["fingerprint"]["value"] == fingerprint(as_frame(reference))["value"]
    assert result.lineage["config"] == result.config.to_dict()
    assert result.lineage["created"].endswith("Z")


def test_quality_rules_and_overrides_from_the_config():
    reference, current = _two_tables(22)
    config = {
        **CONFIG,
        "quality": {
            "rules": {"x0": {"max": 1.0}, "plan": {"allowed": [0, 1, 2]}},
            "checks": {
                "missing": {"threshold": 0.02, "warning_threshold": None, "overrides": {"x1": {"threshold": 0.5}}}
            },
        },
    }
    result = assay.audit(reference, current, config=config)
    rules = _measured(result, "quality", "rules", "current")
    assert rules["x0"].value == 1 and rules["plan"].value == 0
    failed = {(g.name, g.subject) for g in result.gates if g.failed}
    assert ("quality.rules", "x0") in failed and ("quality.rules", "plan") not in failed
    assert ("quality.missing", "x2") in failed  # about 3% missing, over the 2% threshold
    assert result.sections["quality"]["thresholds"]["missing_error"] == 0.02


def test_missing_pandas_is_a_missing_dependency(monkeypatch):
    reference, current = _two_tables(23)
    arrays = {
        name: {c: data[c].to_numpy() for c in ("x0", "x1", "sex", "y")}
        for name, data in (("reference", reference), ("current", current))
    }
    monkeypatch.setitem(sys.modules, "pandas", None)
    config = {**CONFIG, "columns": {"prediction": "x1"}}
    with pytest.raises(MissingDependencyError, match=r"^the performance section needs pandas.*assay\[frames\]"):
        assay.audit(arrays["reference"], arrays["current"], target="y", config=config)
    without = {**config, "performance": {"enabled": False}, "fairness": {"enabled": False}}
    assert assay.audit(arrays["reference"], arrays["current"], target="y", config=without).sections.keys() == {
        "quality",
        "drift",
        "slices",  # needs no pandas
    }


# --- the HTML model card ----------------------------------------------------------------------


def test_model_card_renders_in_a_browser_with_every_section(case, browser_render, tmp_path):
    """The card works offline in a real browser: no console error, every section that ran,
    a chart per drifted column, no external reference, a screenshot that is not blank."""
    import io

    from PIL import Image

    result = case[3]
    path = tmp_path / "card.html"
    page_text = result.to_html(path)
    assert path.read_text(encoding="utf-8") == page_text
    assert "http://" not in page_text and "https://" not in page_text
    page = browser_render(path)
    assert page.errors == []
    headings = page.texts("section > h2")
    expected = ["Gates", "Data quality", "Drift", "Performance", "Fairness", "Explanations", "Lineage"]
    for title in expected:
        assert any(heading.startswith(title) for heading in headings), (title, headings)
    assert page.count("svg[role=img]") >= 1 + len(result.sections["drift"]["report"]["drifted_columns"])
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200


def test_model_card_from_json_renders_the_same_page(case):
    result = case[3]
    again = assay.Audit.from_json(result.to_json())
    assert again.to_html() == result.to_html()  # the page shows when the audit ran, not when it was drawn
    assert "assay-report" in result._repr_html_()


def test_monitor_section_equals_cbpe_and_alerts_on_a_shift():
    """The monitor section is assay.monitor.CBPE fitted on the reference's labels and scores and
    estimated on the current scores; a shifted current period leaves the reference band."""
    from assay import monitor

    rng = np.random.default_rng(21)

    def table(n, shift):
        x = rng.normal(shift, 1.0, n)
        return {"x": x, "y": (x + rng.normal(0, 1, n) > 0).astype(int), "p": 1 / (1 + np.exp(-2 * x))}

    reference, current = table(2000, 0.0), table(2000, 1.0)
    config = {"n_boot": 0, "columns": {"prediction_score": "p"}, "monitor": {"n_chunks": 5}}
    result = assay.audit(reference, current, target="y", config=config)
    section = result.sections["monitor"]
    cbpe = monitor.CBPE(n_chunks=5, seed=result.config.seed).fit(reference["y"], reference["p"])
    expected = cbpe.estimate(current["p"], y_true=current["y"]).to_dict()
    assert section["result"] == expected
    alerts = {g.subject: g.value for g in result.gates if g.name == "monitor.estimated_performance"}
    assert alerts["accuracy"] > 0 and set(alerts) == set(section["metrics"])
    same = assay.audit(reference, table(2000, 0.0), target="y", config=config)
    assert same.sections["monitor"]["result"]["alerts"] != section["result"]["alerts"]


def test_integer_targets_are_classes_up_to_the_quality_engines_limit():
    # The audit reads a numeric target as classes by the quality engine's rule, one constant.
    from assay import _core
    from assay._audit._runner import _is_classes

    limit = _core.quality.MAX_INTEGER_CLASSES
    assert limit == 20  # as docs/quality.md states
    assert _is_classes(np.arange(limit, dtype=np.float64))
    assert not _is_classes(np.arange(limit + 1, dtype=np.float64))
    assert not _is_classes(np.arange(limit, dtype=np.float64) + 0.5)
