"""Reliability of the tree explainers (issue 19): no crash and no silent wrong number.

One-leaf trees in every model family and algorithm, malformed model files, covers that
do not add up, huge background weights, XGBoost's missing sentinel and early stopping,
interrupts at bounded work, assay.errors classes, and a walk of the bad-input policy.
"""

from __future__ import annotations

import numpy as np
import pytest
from assay import _core
from assay.errors import AssayError, InvalidInputError, InvalidTypeError, UnsupportedModelError
from assay.explain import ExactExplainer, TreeExplainer

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.tree import DecisionTreeRegressor  # noqa: E402

ALGORITHMS = ("auto", "patterns", "pairwise")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    return X, X[:, 0] + X[:, 1] * X[:, 2]


@pytest.fixture(scope="module")
def forest(data):
    X, y = data
    return RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)


def _margin(model, X):
    """The model's own raw output, (n, outputs)."""
    if isinstance(model, (xgb.XGBModel,)):
        return np.asarray(model.predict(X, output_margin=True), dtype=np.float64).reshape(len(X), -1)
    if isinstance(model, lgb.LGBMModel):
        return np.asarray(model.predict(X, raw_score=True), dtype=np.float64).reshape(len(X), -1)
    if hasattr(model, "predict_proba") and type(model).__name__.startswith(("RandomForest", "DecisionTreeClassifier")):
        return model.predict_proba(X)
    if hasattr(model, "decision_function"):
        return np.asarray(model.decision_function(X), dtype=np.float64).reshape(len(X), -1)
    return np.asarray(model.predict(X), dtype=np.float64).reshape(len(X), -1)


def _check_additive(explainer, model, X, atol=1e-5):
    """Values add up to the model's margin (the IR's own prediction when model is None:
    for inputs the library itself refuses, such as inf)."""
    values = explainer.shap_values(X)
    values = values[..., None] if values.ndim == 2 else values
    expected = np.atleast_1d(explainer.expected_value)
    assert np.isfinite(values).all()
    if model is None:
        margin = _core.explain.tree_predict(explainer.tree_model.ensemble, explainer._frame(X, "X").core_columns(), 1)
    else:
        margin = _margin(model, X)
    np.testing.assert_allclose(values.sum(axis=1) + expected, margin, atol=atol)
    interactions = explainer.shap_interaction_values(X)
    interactions = interactions[..., None] if interactions.ndim == 3 else interactions
    np.testing.assert_allclose(interactions.sum(axis=2), values, atol=1e-9)


# --- the crash: one-leaf trees ------------------------------------------------------------------


def _one_leaf_models(data):
    X, y = data
    rare = np.zeros(len(X), dtype=int)
    rare[:2] = 1  # one class has two rows: min_child_weight keeps every tree a leaf
    constant = np.ones(len(X))
    return {
        "xgboost": xgb.XGBClassifier(n_estimators=3, max_depth=3, min_child_weight=5).fit(X, rare),
        "lightgbm": lgb.LGBMRegressor(n_estimators=3, min_child_samples=200, verbose=-1).fit(X, y),
        "tree": DecisionTreeRegressor().fit(X, constant),
        "forest": RandomForestRegressor(n_estimators=3, random_state=0).fit(X, constant),
        "forest_classifier": RandomForestClassifier(
            n_estimators=3, max_depth=1, min_samples_leaf=100, random_state=0
        ).fit(X, np.arange(len(X)) % 2),
        "gradient_boosting": GradientBoostingClassifier(n_estimators=3, max_depth=2, min_samples_leaf=100).fit(
            X, y > 0
        ),
        "hist_gradient_boosting": HistGradientBoostingRegressor(max_iter=3, min_samples_leaf=200).fit(X, y),
    }


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_one_leaf_trees_in_every_family_and_algorithm(data, algorithm):
    X, _ = data
    for model in _one_leaf_models(data).values():
        explainer = TreeExplainer(model, data=X[:20], algorithm=algorithm)
        _check_additive(explainer, model, X[:3])
        if algorithm == "auto":
            _check_additive(TreeExplainer(model), model, X[:3])


def test_first_tree_a_leaf_then_real_trees(data):
    X, y = data
    # base_score far from the mean: the first trees of a strongly regularised model stay leaves.
    model = xgb.XGBRegressor(n_estimators=6, max_depth=3, min_child_weight=40, base_score=50.0).fit(X, y)
    for algorithm in ALGORITHMS:
        _check_additive(TreeExplainer(model, data=X[:20], algorithm=algorithm), model, X[:4])


# --- model files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"\xff", b"", b"{", b"\xff\xfe\x00", b"[$Z#L\x7f\xff\xff\xff\xff\xff\xff\xff", b"{U\x03\xe9\xe9\xe9Z}"]
)
def test_malformed_ubjson_is_an_unsupported_model(raw):
    with pytest.raises(UnsupportedModelError, match="^XGBoost model: "):
        _core.explain.load_xgboost_ubjson(raw)


def test_malformed_json_and_lightgbm_text_are_unsupported_models():
    for raw in (b"\xff", b'{"learner": 1}', b"[" * 100000):
        with pytest.raises(UnsupportedModelError, match="XGBoost model"):
            _core.explain.load_xgboost_json(raw)
    for text in ("", "tree\n\xff\n", "tree\nversion=v4\nmax_feature_idx=1\n"):
        with pytest.raises(UnsupportedModelError, match="LightGBM model"):
            _core.explain.load_lightgbm_text(text)


def test_mutated_model_files_load_or_raise_unsupported_model(data):
    X, y = data
    booster = xgb.train({"max_depth": 3}, xgb.DMatrix(X, label=y), 3)
    ubj = bytes(booster.save_raw("ubj"))
    text = lgb.LGBMRegressor(n_estimators=3, num_leaves=4, verbose=-1).fit(X, y).booster_.model_to_string()
    rng = np.random.default_rng(3)
    for trial in range(150):
        raw = bytearray(ubj)
        for _ in range(1 + trial % 3):
            raw[rng.integers(len(raw))] = rng.integers(256)
        mutated = bytes(raw[: len(raw) - (trial % 7) * 3])
        try:
            _core.explain.load_xgboost_ubjson(mutated)
        except (UnsupportedModelError, MemoryError):
            pass
        chars = list(text)
        for _ in range(1 + trial % 3):
            chars[rng.integers(len(chars))] = chr(rng.choice([ord(c) for c in "0123456789-.e =\n"]))
        try:
            _core.explain.load_lightgbm_text("".join(chars))
        except (UnsupportedModelError, MemoryError):
            pass


@pytest.mark.parametrize("count", ["5e-324", "1.8e308", "1e300"])
def test_lightgbm_covers_that_do_not_add_up_are_rejected_at_load(data, count):
    X, y = data
    text = lgb.LGBMRegressor(n_estimators=2, num_leaves=4, verbose=-1).fit(X, y).booster_.model_to_string()
    start = text.index("internal_count=") + len("internal_count=")
    first = text[start:].split()[0]
    corrupted = text[:start] + count + text[start + len(first) :]
    with pytest.raises(UnsupportedModelError, match="LightGBM model: .*cover"):
        _core.explain.load_lightgbm_text(corrupted)


# --- background weights ------------------------------------------------------------------------


def test_huge_background_weights_are_scaled(data, forest):
    X, _ = data
    huge = TreeExplainer(forest, data=X[:30], data_weights=np.full(30, 1e308))
    plain = TreeExplainer(forest, data=X[:30])
    assert huge.expected_value == pytest.approx(plain.expected_value, abs=1e-12)
    np.testing.assert_allclose(huge.shap_values(X[:5]), plain.shap_values(X[:5]), atol=1e-12)
    _check_additive(huge, forest, X[:5])


@pytest.mark.parametrize("weights", [np.full(30, np.nan), np.full(30, -1.0), np.zeros(30), np.full(30, np.inf)])
def test_bad_background_weights_name_data_weights(data, forest, weights):
    X, _ = data
    with pytest.raises(InvalidInputError, match="data_weights"):
        TreeExplainer(forest, data=X[:30], data_weights=weights)


def test_non_numeric_background_weights_are_a_type_error(data, forest):
    X, _ = data
    with pytest.raises(InvalidTypeError, match="data_weights"):
        TreeExplainer(forest, data=X[:3], data_weights=["a", "b", "c"])


# --- XGBoost: missing sentinel and early stopping ------------------------------------------------


@pytest.mark.parametrize("missing", [1e-8, -999.0, 0.0])
def test_xgboost_missing_sentinel_is_honoured_everywhere(data, missing):
    X, y = data
    X = X.copy()
    X[X < -0.7] = missing  # the training data's missing values
    X[5, 1] = np.nan  # NaN stays missing too
    model = xgb.XGBRegressor(n_estimators=8, max_depth=3, missing=missing).fit(X, y)
    rows = X[:12]
    for explainer in (TreeExplainer(model), TreeExplainer(model, data=X[20:40])):
        _check_additive(explainer, model, rows)
    exact = ExactExplainer(model, X[20:40])(rows)
    np.testing.assert_allclose(exact.values.sum(axis=1) + exact.base_values, _margin(model, rows)[:, 0], atol=1e-5)


def test_xgboost_early_stopping_explains_the_best_iteration(data):
    X, y = data
    model = xgb.XGBClassifier(
        n_estimators=200, max_depth=3, learning_rate=0.5, early_stopping_rounds=2, eval_metric="logloss"
    )
    model.fit(X[:80], y[:80] > 0, eval_set=[(X[80:], y[80:] > 0)], verbose=False)
    assert model.best_iteration + 1 < model.get_booster().num_boosted_rounds()
    rows = X[:10]
    for explainer in (TreeExplainer(model), TreeExplainer(model, data=X[20:40])):
        _check_additive(explainer, model, rows)
    exact = ExactExplainer(model, X[20:40])(rows)
    np.testing.assert_allclose(exact.values.sum(axis=1) + exact.base_values, _margin(model, rows)[:, 0], atol=1e-5)
    # An explicit range still wins.
    everything = TreeExplainer(model, iteration_range=(0, model.get_booster().num_boosted_rounds()))
    full = model.get_booster().predict(xgb.DMatrix(rows), output_margin=True)
    np.testing.assert_allclose(everything.shap_values(rows).sum(axis=1) + everything.expected_value, full, atol=1e-5)


# --- interrupts ----------------------------------------------------------------------------------


def test_pairwise_checks_for_interrupts_at_bounded_work(data):
    X, y = data
    model = xgb.XGBRegressor(n_estimators=2, max_depth=4).fit(X, y)
    rng = np.random.default_rng(1)
    background = rng.normal(size=(20000, 4))
    calls = []
    explainer = TreeExplainer(
        model, data=background, algorithm="pairwise", n_jobs=1, progress=lambda done, total: calls.append(done)
    )
    explainer.shap_values(X[:8])  # one block of rows
    n_calls = len(calls)
    # Asked at least once per 2^14 pair walks (8 x 20,000 x 2 here), not once per block of rows.
    assert n_calls >= 8 * 20000 * 2 // (1 << 14)

    def stop_at_third(done, total):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    calls.clear()
    explainer.progress = stop_at_third
    with pytest.raises(KeyboardInterrupt):
        explainer.shap_values(X[:8])
    assert len(calls) == 3  # no work reported after the stop request


# --- errors ----------------------------------------------------------------------------------------


def test_error_classes(data, forest):
    X, y = data
    with pytest.raises(UnsupportedModelError, match="not a supported tree model"):
        TreeExplainer(LinearRegression().fit(X, y))
    with pytest.raises(TypeError):  # also a TypeError, for code that falls back on it
        TreeExplainer("not a model")
    with pytest.raises(UnsupportedModelError, match="not fitted"):
        TreeExplainer(RandomForestRegressor())
    with pytest.raises(UnsupportedModelError, match="not fitted"):
        TreeExplainer(xgb.XGBRegressor())
    with pytest.raises(UnsupportedModelError, match="not fitted"):
        TreeExplainer(lgb.LGBMRegressor())
    with pytest.raises(InvalidInputError, match="feature_perturbation"):
        TreeExplainer(forest, feature_perturbation="nope")
    with pytest.raises(InvalidInputError, match="iteration_range"):
        TreeExplainer(forest, iteration_range=(0, 1))
    with pytest.raises(InvalidInputError, match="algorithm"):
        TreeExplainer(forest, algorithm="nope")


# --- the bad-input policy walk ------------------------------------------------------------------------


def test_bad_input_policy_walk(data, forest):
    X, _ = data
    for kwargs in ({}, {"data": X[:10]}):
        explainer = TreeExplainer(forest, **kwargs)
        # NaN is a missing value (default child of each split); inf and 1e308 route by comparison.
        for rows in (
            np.array([[np.nan, 1.0, 2.0, 3.0]]),
            np.array([[np.inf, -np.inf, 1e308, -1e308]]),
            np.full((2, 4), np.nan),
            np.array([[3.4e38, -3.4e38, 1e-45, 0.0]], dtype=np.float32),
        ):
            _check_additive(explainer, None, rows)
        # One row, a 1-D row (values of shape (n_features,), as in shap), non-contiguous and
        # negative-stride arrays: the same values as a plain 2-D array.
        reference = explainer.shap_values(X[:3])
        np.testing.assert_allclose(explainer.shap_values(X[0]), reference[0])
        np.testing.assert_allclose(explainer.shap_interaction_values(X[0]), explainer.shap_interaction_values(X[:1])[0])
        np.testing.assert_allclose(explainer.shap_values(np.asfortranarray(X[:3])), reference)
        np.testing.assert_allclose(explainer.shap_values(X[2::-1])[::-1], reference)
        wide = np.repeat(X[:3], 2, axis=1)
        np.testing.assert_allclose(explainer.shap_values(wide[:, ::2]), reference)
        # Each of these is an AssayError naming X.
        bad = {
            "empty": (X[:0], InvalidInputError),
            "0-d": (np.array(1.0), InvalidInputError),
            "3-d": (X[:2, :, None], InvalidInputError),
            "1-d of the wrong length": (X[0, :3], InvalidInputError),
            "wrong columns": (X[:2, :3], InvalidInputError),
            "object": (np.array([["a", "b", "c", "d"]], dtype=object), InvalidTypeError),
            "complex": (X[:2].astype(complex), InvalidTypeError),
            "ragged": ([[1.0, 2.0], [1.0]], InvalidInputError),
        }
        for name, (rows, error) in bad.items():
            for method in (explainer.shap_values, explainer.shap_interaction_values, explainer):
                with pytest.raises(error, match="^X") as raised:
                    method(rows)
                assert isinstance(raised.value, AssayError), name
    # n_jobs: None, -1 and any positive count (capped at the cores) give the same values; 0,
    # negatives and non-integers are errors naming n_jobs.
    reference = TreeExplainer(forest, data=X[:10]).shap_values(X[:40])
    for n_jobs in (None, -1, 1, 1000):
        np.testing.assert_array_equal(TreeExplainer(forest, data=X[:10], n_jobs=n_jobs).shap_values(X[:40]), reference)
    for n_jobs in (0, -5, 2.5, True):
        with pytest.raises((InvalidInputError, InvalidTypeError), match="n_jobs"):
            TreeExplainer(forest, n_jobs=n_jobs)
    # The caller's arrays are never modified.
    rows = X[:5].copy()
    TreeExplainer(forest, data=X[:10]).shap_interaction_values(rows)
    np.testing.assert_array_equal(rows, X[:5])
