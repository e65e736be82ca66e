"""assay.explain against the reference libraries (run in the tests): XGBoost's
pred_contribs / pred_interactions, LightGBM's pred_contrib, shap's TreeExplainer, and
additivity against each library's own prediction."""

from __future__ import annotations

import itertools
import math

import assay
import numpy as np
import pytest
from assay.explain import TreeExplainer

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
pd = pytest.importorskip("pandas")
sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
sklearn_tree = pytest.importorskip("sklearn.tree")


def make_data(n=400, m=6, seed=0, missing=0.05):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    X[rng.random(X.shape) < missing] = np.nan
    z = np.nan_to_num(X)
    y_reg = z[:, 0] + 2 * z[:, 1] * z[:, 2] + np.sin(z[:, 3]) + 0.1 * rng.normal(size=n)
    y_bin = (y_reg > 0).astype(int)
    y_multi = np.digitize(y_reg, [-1, 1])
    return X, y_reg, y_bin, y_multi


def as_3d(values):
    return values if values.ndim == 3 else values[..., None]


def scale_of(values, prediction):
    return max(1.0, np.abs(values).max(), np.abs(prediction).max())


def assert_additive(explainer, X, prediction, tolerance):
    values = as_3d(explainer.shap_values(X))
    total = values.sum(axis=1) + np.atleast_1d(explainer.expected_value)
    prediction = np.asarray(prediction, dtype=np.float64).reshape(total.shape)
    assert np.abs(total - prediction).max() <= tolerance * scale_of(values, prediction)


# --- XGBoost ---------------------------------------------------------------------------


def xgb_contribs(booster, X, **kw):
    return booster.predict(xgb.DMatrix(X, enable_categorical=True), **kw)


@pytest.mark.parametrize(
    "params, target",
    [
        ({"objective": "reg:squarederror", "max_depth": 5}, "reg"),
        ({"objective": "binary:logistic", "max_depth": 4, "base_score": 0.3}, "bin"),
        ({"objective": "count:poisson", "max_depth": 3}, "count"),
        ({"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, "multi"),
    ],
)
def test_xgboost_matches_pred_contribs_and_interactions(params, target):
    X, y_reg, y_bin, y_multi = make_data(seed=1)
    y = {"reg": y_reg, "bin": y_bin, "count": np.abs(np.round(y_reg)), "multi": y_multi}[target]
    n_trees = 15
    booster = xgb.train({**params, "nthread": 1}, xgb.DMatrix(X, label=y), n_trees)
    explainer = TreeExplainer(booster)
    ours = as_3d(explainer.shap_values(X))
    contribs = xgb_contribs(booster, X, pred_contribs=True)
    contribs = contribs[..., None] if contribs.ndim == 2 else contribs.transpose(0, 2, 1)  # (n, M+1, K)
    s = scale_of(ours, contribs)
    assert np.abs(ours - contribs[:, :-1]).max() <= 2e-5 * s
    assert np.abs(np.atleast_1d(explainer.expected_value) - contribs[0, -1]).max() <= 1e-6 * s
    margin = xgb_contribs(booster, X, output_margin=True)
    assert_additive(explainer, X, margin, 1e-5 * math.sqrt(n_trees))

    rows = X[:40]
    interactions = explainer.shap_interaction_values(rows)
    theirs = xgb_contribs(booster, rows, pred_interactions=True)
    if theirs.ndim == 4:  # (n, K, M+1, M+1) -> (n, M, M, K)
        theirs = theirs.transpose(0, 2, 3, 1)
        assert np.abs(interactions - theirs[:, :-1, :-1]).max() <= 2e-5 * s
    else:
        assert np.abs(interactions - theirs[:, :-1, :-1]).max() <= 2e-5 * s


def test_xgboost_categorical_and_vector_base_score():
    rng = np.random.default_rng(3)
    n = 600
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "colour": pd.Categorical(rng.integers(0, 50, n)),
            "b": rng.normal(size=n),
        }
    )
    frame.loc[rng.random(n) < 0.05, "a"] = np.nan
    y = frame["a"].fillna(0) + (frame["colour"].cat.codes % 4 == 1) * 2 + rng.normal(size=n) * 0.1
    labels = np.digitize(y, [0, 1])
    booster = xgb.train(
        {"objective": "multi:softprob", "num_class": 3, "max_depth": 4, "max_cat_to_onehot": 1, "nthread": 1},
        xgb.DMatrix(frame, label=labels, enable_categorical=True),
        10,
    )
    explainer = TreeExplainer(booster)
    ours = explainer.shap_values(frame)
    contribs = xgb_contribs(booster, frame, pred_contribs=True).transpose(0, 2, 1)
    assert np.abs(ours - contribs[:, :-1]).max() <= 2e-5 * scale_of(ours, contribs)
    assert_additive(explainer, frame, xgb_contribs(booster, frame, output_margin=True), 1e-5 * math.sqrt(30))


def test_xgboost_dart_weights():
    X, y_reg, *_ = make_data(seed=2)
    params = {"booster": "dart", "rate_drop": 0.3, "max_depth": 3, "nthread": 1}
    booster = xgb.train(params, xgb.DMatrix(X, label=y_reg), 10)
    explainer = TreeExplainer(booster)
    assert_additive(explainer, X, xgb_contribs(booster, X, output_margin=True), 1e-5 * math.sqrt(10))
    contribs = xgb_contribs(booster, X, pred_contribs=True)
    assert np.abs(explainer.shap_values(X) - contribs[:, :-1]).max() <= 2e-5 * scale_of(contribs, contribs)


def test_xgboost_iteration_range_matches_pred_contribs():
    X, _, _, y_multi = make_data(seed=19)
    params = {"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "num_parallel_tree": 2, "nthread": 1}
    booster = xgb.train(params, xgb.DMatrix(X, label=y_multi), 8)
    rows = X[:60]
    for iteration_range in [(0, 8), (0, 3), (2, 5), (7, 8), (0, 0)]:
        explainer = TreeExplainer(booster, iteration_range=iteration_range)
        ours = explainer.shap_values(rows)
        # XGBoost's pred_contribs takes ranges starting at 0 only (else: slice the model).
        begin, end = iteration_range
        native, native_range = (booster, iteration_range) if begin == 0 else (booster[begin:end], (0, 0))
        theirs = xgb_contribs(native, rows, pred_contribs=True, iteration_range=native_range).transpose(0, 2, 1)
        s = scale_of(ours, theirs)
        assert np.abs(ours - theirs[:, :-1]).max() <= 2e-5 * s
        assert np.abs(explainer.expected_value - theirs[0, -1]).max() <= 1e-6 * s
        margin = xgb_contribs(booster, rows, output_margin=True, iteration_range=iteration_range)
        assert_additive(explainer, rows, margin, 1e-5 * math.sqrt(16))
    for bad in [(3, 2), (0, 9), (-1, 2), "all"]:
        with pytest.raises(ValueError, match="iteration_range"):
            TreeExplainer(booster, iteration_range=bad)


def test_xgboost_ubjson_and_json_give_the_same_model():
    # The adapter reads UBJSON; the JSON loader must give the identical model.
    X, y_reg, *_ = make_data(seed=20)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    frame["f5"] = pd.Categorical(np.random.default_rng(20).integers(0, 12, len(X)))
    booster = xgb.train(
        {"max_depth": 4, "nthread": 1, "max_cat_to_onehot": 1},
        xgb.DMatrix(frame, label=y_reg, enable_categorical=True),
        6,
    )
    from_json = assay.explain.TreeModel(
        assay._core.explain.load_xgboost_json(bytes(booster.save_raw("json"))), None, None, "raw"
    )
    from_ubjson = assay.explain.TreeModel(
        assay._core.explain.load_xgboost_ubjson(bytes(booster.save_raw("ubj"))), None, None, "raw"
    )
    rows = np.column_stack([X[:, :5], frame["f5"].cat.codes.to_numpy(float)])
    a = TreeExplainer(from_json).shap_values(rows)
    assert np.array_equal(a, TreeExplainer(from_ubjson).shap_values(rows))
    assert np.array_equal(a, TreeExplainer(booster).shap_values(frame))
    with pytest.raises(ValueError, match="UBJSON"):
        assay._core.explain.load_xgboost_ubjson(bytes(booster.save_raw("ubj"))[:-3])


def test_lightgbm_iteration_range():
    X, y, *_ = make_data(seed=21)
    model = lgb.train({"verbose": -1, "num_leaves": 8, "num_threads": 1}, lgb.Dataset(X, label=y), 10)
    explainer = TreeExplainer(model, iteration_range=(3, 7))
    ours = explainer.shap_values(X[:50])
    theirs = model.predict(X[:50], pred_contrib=True, start_iteration=3, num_iteration=4)
    assert np.abs(ours - theirs[:, :-1]).max() <= 1e-9 * scale_of(ours, theirs)
    assert_additive(explainer, X[:50], model.predict(X[:50], raw_score=True, start_iteration=3, num_iteration=4), 1e-10)
    with pytest.raises(ValueError, match="iteration_range"):
        TreeExplainer(sklearn_tree.DecisionTreeRegressor(max_depth=2).fit(X, y), iteration_range=(0, 1))


def test_xgboost_sklearn_wrapper_and_output_names():
    X, _, _, y_multi = make_data(seed=4)
    model = xgb.XGBClassifier(n_estimators=5, max_depth=3, n_jobs=1).fit(X, y_multi)
    explanation = TreeExplainer(model)(X[:10])
    assert explanation.values.shape == (10, X.shape[1], 3)
    assert explanation.output_names == ["0", "1", "2"]


# --- LightGBM --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "regression"},
        {"objective": "regression", "zero_as_missing": True},
        {"objective": "regression", "use_missing": False},
        {"objective": "binary"},
        {"objective": "multiclass", "num_class": 3},
        {"objective": "regression", "boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.7},
        {"objective": "regression", "boosting": "dart"},
        {"objective": "regression", "data_sample_strategy": "goss"},
    ],
)
def test_lightgbm_matches_pred_contrib(params):
    X, y_reg, y_bin, y_multi = make_data(seed=5)
    X[::9, 2] = 0.0  # zeros exercise missing_type Zero
    y = {"regression": y_reg, "binary": y_bin, "multiclass": y_multi}[params["objective"]]
    booster = lgb.train({"verbose": -1, "num_leaves": 12, "num_threads": 1, **params}, lgb.Dataset(X, label=y), 12)
    explainer = TreeExplainer(booster)
    ours = as_3d(explainer.shap_values(X))
    contrib = booster.predict(X, pred_contrib=True)
    K = ours.shape[2]
    contrib = contrib.reshape(len(X), K, -1).transpose(0, 2, 1)
    s = scale_of(ours, contrib)
    assert np.abs(ours - contrib[:, :-1]).max() <= 1e-9 * s
    assert np.abs(np.atleast_1d(explainer.expected_value) - contrib[0, -1]).max() <= 1e-9 * s
    assert_additive(explainer, X, booster.predict(X, raw_score=True), 1e-9)


def test_lightgbm_categorical_with_many_categories():
    rng = np.random.default_rng(6)
    n = 2000
    frame = pd.DataFrame(
        {"x": rng.normal(size=n), "city": pd.Categorical(rng.integers(0, 120, n)), "z": rng.normal(size=n)}
    )
    frame.loc[rng.random(n) < 0.05, "city"] = np.nan
    effect = rng.normal(size=120)
    y = frame["x"] + np.nan_to_num(effect[frame["city"].cat.codes.clip(0)]) * 3
    booster = lgb.train(
        {
            "verbose": -1,
            "num_leaves": 16,
            "num_threads": 1,
            "max_cat_threshold": 64,
            "min_data_per_group": 5,
            "cat_smooth": 1,
        },
        lgb.Dataset(frame, label=y),
        15,
    )
    assert "num_cat=0" not in booster.model_to_string().split("Tree=1")[0]
    explainer = TreeExplainer(booster)
    ours = explainer.shap_values(frame)
    contrib = booster.predict(frame, pred_contrib=True)
    assert np.abs(ours - contrib[:, :-1]).max() <= 1e-9 * scale_of(ours, contrib)
    assert_additive(explainer, frame, booster.predict(frame, raw_score=True), 1e-9)


# --- scikit-learn ----------------------------------------------------------------------

SKLEARN_MODELS = [
    ("DecisionTreeRegressor", dict(max_depth=6), "reg"),
    ("DecisionTreeClassifier", dict(max_depth=5), "multi"),
    ("RandomForestRegressor", dict(n_estimators=8, max_depth=6), "reg"),
    ("RandomForestClassifier", dict(n_estimators=8, max_depth=6), "bin"),
    ("ExtraTreesClassifier", dict(n_estimators=8, max_depth=6), "multi"),
    ("GradientBoostingRegressor", dict(n_estimators=15, max_depth=3), "reg"),
    ("GradientBoostingClassifier", dict(n_estimators=15, max_depth=3), "bin"),
    ("GradientBoostingClassifier", dict(n_estimators=8, max_depth=3), "multi"),
    ("HistGradientBoostingRegressor", dict(max_iter=15), "reg"),
    ("HistGradientBoostingClassifier", dict(max_iter=10), "multi"),
]


def fit_sklearn(name, params, target, X):
    _, y_reg, y_bin, y_multi = make_data(seed=7)
    y = {"reg": y_reg, "bin": y_bin, "multi": y_multi}[target]
    module = sklearn_tree if name.startswith("Decision") else sklearn_ensemble
    return getattr(module, name)(random_state=0, **params).fit(X, y)


def native_output(model, X):
    if hasattr(model, "predict_proba") and not hasattr(model, "decision_function"):
        return model.predict_proba(X)
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return model.predict(X)


@pytest.mark.parametrize("name, params, target", SKLEARN_MODELS, ids=[f"{m[0]}-{m[2]}" for m in SKLEARN_MODELS])
def test_sklearn_additivity_and_shap(name, params, target):
    shap = pytest.importorskip("shap")
    X, *_ = make_data(seed=7, missing=0.05 if "Hist" in name or "Decision" in name or "Random" in name else 0.0)
    model = fit_sklearn(name, params, target, X)
    explainer = TreeExplainer(model)
    assert_additive(explainer, X, native_output(model, X), 1e-10)
    if "Hist" in name or np.isnan(X).any() or (name == "GradientBoostingClassifier" and target == "multi"):
        return  # outside shap's envelope: NaN routing, HGB, multi-class gradient boosting
    ours = as_3d(explainer.shap_values(X[:60]))
    theirs = shap.TreeExplainer(model).shap_values(X[:60])
    theirs = as_3d(np.asarray(theirs))
    assert np.abs(ours - theirs).max() <= 1e-9 * scale_of(ours, theirs)


def test_hist_gradient_boosting_categorical_features():
    rng = np.random.default_rng(8)
    n = 800
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 30, n).astype(float), rng.normal(size=n)])
    X[rng.random(n) < 0.05, 1] = np.nan
    y = X[:, 0] + (np.nan_to_num(X[:, 1]) % 3 == 0) * 2
    model = sklearn_ensemble.HistGradientBoostingRegressor(max_iter=20, categorical_features=[1]).fit(X, y)
    explainer = TreeExplainer(model)
    assert_additive(explainer, X, model.predict(X), 1e-10)
    unseen = X[:5].copy()
    unseen[:, 1] = [31, 45, 1000, -3, np.nan]  # unknown categories take the missing side, as in scikit-learn
    assert_additive(explainer, unseen, model.predict(unseen), 1e-10)


def test_shap_interaction_values_match_shap():
    shap = pytest.importorskip("shap")
    X, *_ = make_data(seed=9, missing=0.0)
    model = fit_sklearn("GradientBoostingRegressor", dict(n_estimators=10, max_depth=4), "reg", X)
    ours = TreeExplainer(model).shap_interaction_values(X[:30])
    theirs = shap.TreeExplainer(model).shap_interaction_values(X[:30])
    assert np.abs(ours - theirs).max() <= 1e-9 * scale_of(ours, theirs)
    np.testing.assert_allclose(ours, ours.transpose(0, 2, 1), atol=1e-13)


def test_classic_treeshap_equals_quadrature():
    X, *_ = make_data(seed=10)
    model = fit_sklearn("RandomForestRegressor", dict(n_estimators=5, max_depth=10), "reg", X)
    quadrature = TreeExplainer(model).shap_values(X)
    classic = TreeExplainer(model, algorithm="treeshap").shap_values(X)
    assert np.abs(quadrature - classic).max() <= 1e-12 * scale_of(quadrature, quadrature)


def brute_force_path_dependent(tree, x, scale=1.0):
    """Shapley values over all coalitions of shap's E(S) on one fitted sklearn tree."""
    left, right = tree.children_left, tree.children_right
    cover, value = tree.weighted_n_node_samples, tree.value[:, 0, 0]
    M = len(x)

    def expectation(node, S):
        if left[node] < 0:
            return value[node]
        f = tree.feature[node]
        if f in S:
            return expectation(left[node] if np.float32(x[f]) <= tree.threshold[node] else right[node], S)
        return (
            cover[left[node]] * expectation(left[node], S) + cover[right[node]] * expectation(right[node], S)
        ) / cover[node]

    phi = np.zeros(M)
    for size in range(M):
        weight = math.factorial(size) * math.factorial(M - size - 1) / math.factorial(M)
        for S in itertools.combinations(range(M), size):
            base = expectation(0, set(S))
            for i in set(range(M)) - set(S):
                phi[i] += weight * (expectation(0, set(S) | {i}) - base)
    return phi * scale


def test_brute_force_shapley_on_a_fitted_tree():
    X, y, *_ = make_data(n=300, m=5, seed=11, missing=0.0)
    model = sklearn_tree.DecisionTreeRegressor(max_depth=6, random_state=0).fit(X, y)
    explainer = TreeExplainer(model)
    ours = explainer.shap_values(X[:5])
    for row, x in zip(ours, X[:5]):
        oracle = brute_force_path_dependent(model.tree_, x)
        assert np.abs(row - oracle).max() <= 1e-12 * max(1.0, np.abs(oracle).max())


# --- interventional --------------------------------------------------------------------


def test_interventional_matches_shap():
    shap = pytest.importorskip("shap")
    X, *_ = make_data(seed=12, missing=0.0)
    model = fit_sklearn("GradientBoostingRegressor", dict(n_estimators=10, max_depth=4), "reg", X)
    background = X[:50]
    ours = TreeExplainer(model, data=background)
    theirs = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    a, b = ours.shap_values(X[50:90]), theirs.shap_values(X[50:90])
    # shap's interventional kernel keeps thresholds and values in float32, so it agrees
    # to ~1e-8 only, and its own additivity error is of that size; ours is exact.
    assert np.abs(a - b).max() <= 1e-6 * scale_of(a, b)
    assert abs(ours.expected_value - float(np.ravel(theirs.expected_value)[0])) <= 1e-6
    assert_additive(ours, X[50:90], model.predict(X[50:90]), 1e-13)
    shap_error = np.abs(b.sum(axis=1) + theirs.expected_value - model.predict(X[50:90])).max()
    our_error = np.abs(a.sum(axis=1) + ours.expected_value - model.predict(X[50:90])).max()
    assert our_error <= shap_error


@pytest.mark.parametrize("algorithm", ["patterns", "pairwise"])
def test_interventional_lightgbm_matches_shap(algorithm):
    shap = pytest.importorskip("shap")
    X, y, *_ = make_data(seed=16, missing=0.0)
    model = lgb.train({"verbose": -1, "num_leaves": 20, "max_depth": 6, "num_threads": 1}, lgb.Dataset(X, label=y), 15)
    background = X[:60]
    ours = TreeExplainer(model, data=background, algorithm=algorithm)
    masker = shap.maskers.Independent(background, max_samples=len(background))
    theirs = shap.TreeExplainer(model, data=masker, feature_perturbation="interventional")
    a, b = ours.shap_values(X[60:100]), theirs.shap_values(X[60:100], check_additivity=False)
    assert np.abs(a - b).max() <= 1e-6 * scale_of(a, b)  # shap's kernel is float32 (see above)
    assert_additive(ours, X[60:100], model.predict(X[60:100], raw_score=True), 1e-10)


def test_interventional_patterns_equal_pairwise_with_missing_and_categories():
    # NaN routing, LightGBM categorical splits, several outputs and weights: the pattern
    # algorithm against the pairwise walk (shap has no categorical interventional splits).
    rng = np.random.default_rng(17)
    X, _, _, y_multi = make_data(n=600, seed=17, missing=0.1)
    X[:, 4] = rng.integers(0, 40, size=len(X)).astype(float)
    X[rng.random(len(X)) < 0.05, 4] = np.nan
    y_multi = np.where(X[:, 4] % 3 == 0, 2, y_multi)
    params = {
        "verbose": -1,
        "objective": "multiclass",
        "num_class": 3,
        "num_leaves": 15,
        "num_threads": 1,
        "min_data_per_group": 5,
        "cat_smooth": 1,
    }
    model = lgb.train(params, lgb.Dataset(X, label=y_multi, categorical_feature=[4]), 8)
    background, weights = X[:80], rng.random(80)
    patterns = TreeExplainer(model, data=background, data_weights=weights, algorithm="patterns")
    pairwise = TreeExplainer(model, data=background, data_weights=weights, algorithm="pairwise")
    a, b = patterns.shap_values(X[100:160]), pairwise.shap_values(X[100:160])
    assert np.abs(a - b).max() <= 1e-12 * scale_of(a, b)
    c, d = patterns.shap_interaction_values(X[100:110]), pairwise.shap_interaction_values(X[100:110])
    assert np.abs(c - d).max() <= 1e-12 * scale_of(c, d)
    np.testing.assert_allclose(c.sum(axis=2), a[:10], atol=1e-12 * scale_of(a, b))
    assert_additive(patterns, X[100:160], model.predict(X[100:160], raw_score=True), 1e-10)


def test_interventional_probability_matches_shap():
    shap = pytest.importorskip("shap")
    X, _, y_bin, _ = make_data(seed=13, missing=0.0)
    model = sklearn_ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0).fit(X, y_bin)
    background = X[:40]
    ours = TreeExplainer(model, data=background, model_output="probability")
    theirs = shap.TreeExplainer(
        model, data=background, feature_perturbation="interventional", model_output="probability"
    )
    a, b = ours.shap_values(X[40:70]), np.asarray(theirs.shap_values(X[40:70]))
    assert np.abs(a - b).max() <= 1e-6  # shap's interventional kernel is float32 (see above)
    total = a.sum(axis=1) + ours.expected_value
    np.testing.assert_allclose(total, model.predict_proba(X[40:70])[:, 1], atol=1e-10)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_interventional_log_loss_matches_shap(kind):
    shap = pytest.importorskip("shap")
    X, y_reg, y_bin, _ = make_data(seed=18, missing=0.0)
    # shap knows the loss of XGBoost and LightGBM objectives (not of scikit-learn models).
    objective, y = ("binary", y_bin) if kind == "classifier" else ("regression", y_reg)
    model = lgb.train(
        {"verbose": -1, "objective": objective, "num_leaves": 8, "num_threads": 1}, lgb.Dataset(X, label=y), 10
    )
    margin = model.predict(X, raw_score=True)
    loss = np.log1p(np.exp(margin)) - y * margin if kind == "classifier" else (margin - y) ** 2
    background = X[:40]
    ours = TreeExplainer(model, data=background, model_output="log_loss")
    masker = shap.maskers.Independent(background, max_samples=len(background))
    theirs = shap.TreeExplainer(model, data=masker, feature_perturbation="interventional", model_output="log_loss")
    rows = slice(40, 70)
    a = ours.shap_values(X[rows], y[rows])
    b = np.asarray(theirs.shap_values(X[rows], y[rows], check_additivity=False))
    assert np.abs(a - b).max() <= 1e-6 * scale_of(a, loss[rows])  # shap's kernel is float32 (see above)
    base = ours.expected_value(y[rows])
    their_base = [float(np.ravel(theirs.expected_value(label))[0]) for label in y[rows]]  # shap's takes one label
    np.testing.assert_allclose(base, their_base, atol=1e-6 * scale_of(a, loss[rows]))
    np.testing.assert_allclose(a.sum(axis=1) + base, loss[rows], atol=1e-10 * scale_of(a, loss[rows]))
    explanation = ours(X[rows], y[rows])
    np.testing.assert_array_equal(explanation.base_values, base)
    with pytest.raises(ValueError, match="y"):
        ours.shap_values(X[rows])
    with pytest.raises(ValueError, match="y"):
        ours.shap_values(X[rows], y[:3])


def test_interventional_weights_equal_repeated_rows():
    X, y, *_ = make_data(seed=14, missing=0.05)
    model = lgb.train({"verbose": -1, "num_leaves": 8, "num_threads": 1}, lgb.Dataset(X, label=y), 10)
    background = X[:6]
    weights = np.array([1, 3, 1, 2, 1, 1])
    weighted = TreeExplainer(model, data=background, data_weights=weights)
    repeated = TreeExplainer(model, data=np.repeat(background, weights, axis=0))
    np.testing.assert_allclose(weighted.shap_values(X[10:20]), repeated.shap_values(X[10:20]), atol=1e-13)
    assert_additive(weighted, X[10:20], model.predict(X[10:20], raw_score=True), 1e-10)
    interactions = weighted.shap_interaction_values(X[10:14])
    np.testing.assert_allclose(interactions.sum(axis=2), weighted.shap_values(X[10:14]), atol=1e-12)
    assert np.abs(interactions - np.diag(np.ones(X.shape[1]))[None] * interactions).max() > 0  # off-diagonal non-zero


# --- Explanation -----------------------------------------------------------------------


def test_explanation_converts_to_shap():
    shap = pytest.importorskip("shap")
    X, y, *_ = make_data(seed=15)
    model = lgb.train({"verbose": -1, "num_leaves": 8, "num_threads": 1}, lgb.Dataset(X, label=y), 5)
    explanation = TreeExplainer(model)(X[:20])
    converted = explanation.to_shap()
    assert isinstance(converted, shap.Explanation)
    np.testing.assert_array_equal(converted.values, explanation.values)
    assert explanation[0].values.shape == (X.shape[1],)
    assert explanation[:, "Column_1"].values.shape == (20,)
    assert explanation.to_frame().shape == (20, X.shape[1] + 1)
    assert len(explanation.to_dict()["values"]) == 20
    assert "mean |value|" in explanation._repr_html_()
    assert isinstance(assay.Explanation, type)
