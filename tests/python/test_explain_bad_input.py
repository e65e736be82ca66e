"""Bad input to assay.explain gives a clear error naming the argument, never a crash."""

from __future__ import annotations

import json

import numpy as np
import pytest
from assay import _core
from assay.explain import Explanation, TreeExplainer

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
pd = pytest.importorskip("pandas")
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    return X, X[:, 0] + X[:, 1] * X[:, 2]


@pytest.fixture(scope="module")
def forest(data):
    X, y = data
    return RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)


def test_unsupported_and_unfitted_models(data):
    X, y = data
    with pytest.raises(TypeError, match="model: .*LinearRegression is not a supported tree model"):
        TreeExplainer(LinearRegression().fit(X, y))
    with pytest.raises(ValueError, match="model: .* not fitted"):
        TreeExplainer(RandomForestRegressor())
    with pytest.raises(TypeError, match="model"):
        TreeExplainer("not a model")


def test_unsupported_model_kinds(data):
    X, y = data
    vector_leaves = xgb.train(
        {"tree_method": "hist", "multi_strategy": "multi_output_tree", "num_target": 2, "max_depth": 2},
        xgb.DMatrix(X, label=np.column_stack([y, -y])),
        2,
    )
    with pytest.raises(ValueError, match="vector leaves"):
        TreeExplainer(vector_leaves)
    linear = lgb.train({"verbose": -1, "linear_tree": True, "num_leaves": 4}, lgb.Dataset(X, label=y), 2)
    with pytest.raises(ValueError, match="linear tree"):
        TreeExplainer(linear)
    gblinear = xgb.train({"booster": "gblinear"}, xgb.DMatrix(X, label=y), 2)
    with pytest.raises(ValueError, match="not a tree booster"):
        TreeExplainer(gblinear)


def test_malformed_model_files(data):
    X, y = data
    booster = xgb.train({"max_depth": 3}, xgb.DMatrix(X, label=y), 3)
    raw = bytes(booster.save_raw("json"))
    for broken in (raw[: len(raw) // 2], raw.replace(b'"left_children"', b'"left_childrem"'), b"\x00\xff", b"{}"):
        with pytest.raises(ValueError, match="XGBoost model"):
            _core.explain.load_xgboost_json(broken)
    model = json.loads(raw)
    model["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][0] = 10**6
    with pytest.raises(ValueError, match="child id out of range"):
        _core.explain.load_xgboost_json(json.dumps(model).encode())
    text = lgb.train({"verbose": -1, "num_leaves": 4}, lgb.Dataset(X, label=y), 2).model_to_string()
    truncated = text[: text.index("end of trees") - 30]
    for broken in (truncated, text.replace("split_feature=", "split_feature=99 "), "", "tree\n"):
        with pytest.raises(ValueError, match="LightGBM model"):
            _core.explain.load_lightgbm_text(broken)


def test_bad_X(forest, data):
    X, _ = data
    explainer = TreeExplainer(forest)
    with pytest.raises(ValueError, match="X has 3 columns but the model uses 4 features"):
        explainer.shap_values(X[:, :3])
    with pytest.raises(ValueError, match="X: no rows"):
        explainer.shap_values(X[:0])
    with pytest.raises(TypeError, match="X: column 'c' holds string"):
        explainer.shap_values(pd.DataFrame({"a": [1.0], "b": [2.0], "c": ["x"], "d": [1.0]}))
    with pytest.raises(ValueError, match="X: expected a 2-D table"):
        explainer.shap_values(np.zeros((2, 2, 2)))


def test_nan_and_inf_rows_follow_the_model(data):
    X, y = data
    booster = lgb.train({"verbose": -1, "num_leaves": 6}, lgb.Dataset(X, label=y), 5)
    rows = np.array([[np.nan, 0, 0, 0], [np.inf, -np.inf, 1, 2], [np.nan] * 4])
    explainer = TreeExplainer(booster)
    values = explainer.shap_values(rows)
    assert np.isfinite(values).all()
    np.testing.assert_allclose(
        values.sum(axis=1) + explainer.expected_value, booster.predict(rows, raw_score=True), atol=1e-10
    )
    np.testing.assert_allclose(values, booster.predict(rows, pred_contrib=True)[:, :-1], atol=1e-10)


def test_one_row(forest, data):
    X, _ = data
    explainer = TreeExplainer(forest)
    assert explainer.shap_values(X[:1]).shape == (1, 4)
    assert explainer.shap_values(X[0].reshape(1, -1)).shape == (1, 4)


def test_bad_options(forest, data):
    X, _ = data
    with pytest.raises(ValueError, match="feature_perturbation"):
        TreeExplainer(forest, feature_perturbation="causal")
    with pytest.raises(ValueError, match="model_output"):
        TreeExplainer(forest, model_output="log_loss")  # path-dependent
    with pytest.raises(ValueError, match="model_output"):
        TreeExplainer(forest, model_output="margin")
    with pytest.raises(ValueError, match="algorithm"):
        TreeExplainer(forest, algorithm="fast")
    with pytest.raises(ValueError, match="algorithm"):
        TreeExplainer(forest, algorithm="pairwise")  # an interventional algorithm without data
    with pytest.raises(ValueError, match="n_jobs"):
        TreeExplainer(forest, n_jobs=0)
    with pytest.warns(UserWarning, match="needs background data; without it the values are path-dependent"):
        assert TreeExplainer(forest, feature_perturbation="interventional").feature_perturbation == (
            "tree_path_dependent"
        )  # as shap: a warning and path-dependent values
    with pytest.raises(ValueError, match="data: a background is only used"):
        TreeExplainer(forest, data=X, feature_perturbation="tree_path_dependent")
    with pytest.raises(ValueError, match="data: no rows|background set has no rows"):
        TreeExplainer(forest, data=X[:0])
    with pytest.raises(ValueError, match="data has 3 columns"):
        TreeExplainer(forest, data=X[:, :3])
    with pytest.raises(ValueError, match="data_weights: expected 10 weights"):
        TreeExplainer(forest, data=X[:10], data_weights=np.ones(3))
    with pytest.raises(ValueError, match="weights: must be finite and non-negative"):
        TreeExplainer(forest, data=X[:3], data_weights=[1, -1, 1])
    with pytest.raises(ValueError, match="weights: must not all be zero"):
        TreeExplainer(forest, data=X[:3], data_weights=[0, 0, 0])
    with pytest.raises(ValueError, match="data_weights: given without data"):
        TreeExplainer(forest, data_weights=[1.0])


def test_probability_needs_a_log_odds_model_and_background(data):
    X, y = data
    regressor = GradientBoostingRegressor(n_estimators=3).fit(X, y)
    with pytest.raises(ValueError, match="not log-odds"):
        TreeExplainer(regressor, data=X[:10], model_output="probability")
    classifier = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y > 0), 3)
    with pytest.raises(ValueError, match="needs feature_perturbation='interventional'"):
        TreeExplainer(classifier, model_output="probability")
    explainer = TreeExplainer(classifier, data=X[:10], model_output="probability")
    with pytest.raises(ValueError, match="only model_output='raw' has interaction values"):
        explainer.shap_interaction_values(X[:2])


def test_explanation_rejects_inconsistent_fields():
    with pytest.raises(ValueError, match="data: shape"):
        Explanation(np.zeros((3, 2)), data=np.zeros((4, 2)))
    explanation = Explanation(np.zeros((3, 2)), np.zeros(3), np.zeros((3, 2)), ["a", "b"])
    with pytest.raises(KeyError, match="feature 'c'"):
        explanation[:, "c"]


def test_progress_callback_is_called_and_can_stop_the_work(forest, data):
    X, _ = data
    calls = []
    TreeExplainer(forest, progress=lambda done, total: calls.append((done, total))).shap_values(X)
    assert calls and calls[-1][0] == calls[-1][1]

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TreeExplainer(forest, data=X[:20], progress=stop).shap_values(X)
