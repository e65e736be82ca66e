"""shap's own calls, run on shap and on assay with the same inputs: values, shapes, types, exceptions.

The offline counterpart of tools/peer_suites/shap.py (which runs shap's own test suite with
the import swapped): the cases of that suite that apply, on small data.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

shap = pytest.importorskip("shap")
pd = pytest.importorskip("pandas")
xgboost = pytest.importorskip("xgboost")

from assay import errors, explain, plots  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    y = X["a"] - 2 * X["b"] * (X["c"] > 0) + 0.5 * X["d"]
    return X, y.to_numpy()


@pytest.fixture(scope="module")
def boosted(table):
    X, y = table
    return GradientBoostingRegressor(n_estimators=15, max_depth=3, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def xgb_classifier(table):
    X, y = table
    return xgboost.XGBClassifier(n_estimators=10, max_depth=3, base_score=0.5, tree_method="exact").fit(X, y > 0)


# -- TreeExplainer ----------------------------------------------------------------------


def test_tree_values_and_explanation_match_shap(boosted, table):
    X, _ = table
    ours, theirs = explain.TreeExplainer(boosted), shap.TreeExplainer(boosted)
    np.testing.assert_allclose(ours.shap_values(X[:10]), theirs.shap_values(X[:10]), atol=1e-8)
    assert ours.expected_value == pytest.approx(theirs.expected_value)
    a, b = ours(X[:10], silent=True), theirs(X[:10])
    assert a.shape == b.shape and a.feature_names == b.feature_names
    np.testing.assert_allclose(a.base_values, b.base_values)
    np.testing.assert_allclose(a.data, b.data)


def test_one_row_as_array_or_series_is_one_row(boosted, table):
    X, _ = table
    ours, theirs = explain.TreeExplainer(boosted), shap.TreeExplainer(boosted)
    for row in (X.iloc[3], X.to_numpy()[3]):
        a, b = ours.shap_values(row), theirs.shap_values(row)
        assert a.shape == b.shape == (4,)
        np.testing.assert_allclose(a, b, atol=1e-8)
    a, b = ours(X.iloc[3], interactions=True), theirs(X.iloc[3], interactions=True)
    assert a.values.shape == b.values.shape == (4, 4)
    assert a.values.sum() + a.base_values[0] == pytest.approx(b.values.sum() + b.base_values[0])


def test_saabas_values_match_shap_approximate(table):
    X, y = table
    forest = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(X, y)
    a = explain.TreeExplainer(forest).shap_values(X[:8], approximate=True)
    b = shap.TreeExplainer(forest).shap_values(X[:8], approximate=True)
    np.testing.assert_allclose(a, b, atol=1e-8)
    assert not np.allclose(a, explain.TreeExplainer(forest).shap_values(X[:8]))  # not the SHAP values


def test_predict_proba_dmatrix_and_tree_limit_match_shap(xgb_classifier, table):
    X, _ = table
    background = X[:30]
    ours = explain.TreeExplainer(xgb_classifier, background, model_output="predict_proba")
    theirs = shap.TreeExplainer(xgb_classifier, background, model_output="predict_proba")
    a, b = ours.shap_values(X[:5]), theirs.shap_values(X[:5])
    assert a.shape == b.shape == (5, 4, 2)
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(ours.expected_value, theirs.expected_value, atol=1e-6)
    path = explain.TreeExplainer(xgb_classifier)
    dmatrix = xgboost.DMatrix(X[:5])
    np.testing.assert_allclose(path.shap_values(dmatrix), path.shap_values(X[:5]))
    np.testing.assert_allclose(
        path.shap_values(X[:5], tree_limit=4),
        shap.TreeExplainer(xgb_classifier).shap_values(X[:5], tree_limit=4),
        atol=1e-5,
    )


def test_independent_masker_and_missing_background_as_shap(boosted, table):
    X, _ = table
    masker = shap.maskers.Independent(X, max_samples=40)
    np.testing.assert_allclose(
        explain.TreeExplainer(boosted, masker).shap_values(X[:5]),
        shap.TreeExplainer(boosted, masker).shap_values(X[:5]),
        atol=1e-7,
    )
    ours = explain.maskers.Independent(X, max_samples=40)
    np.testing.assert_array_equal(np.asarray(ours.data), masker.data)
    with pytest.warns(UserWarning, match="path-dependent"):
        fallback = explain.TreeExplainer(boosted, feature_perturbation="interventional")
    assert fallback.feature_perturbation == "tree_path_dependent"
    with pytest.raises(errors.InvalidInputError, match="Owen values"):
        explain.TreeExplainer(boosted, shap.maskers.Partition(X[:20]))


def test_save_and_load_round_trip(boosted, table):
    X, _ = table
    explainer = explain.TreeExplainer(boosted, X[:20])
    with io.BytesIO() as file:
        explainer.save(file)
        file.seek(0)
        loaded = explain.TreeExplainer.load(file)
    np.testing.assert_allclose(loaded.shap_values(X[:3]), explainer.shap_values(X[:3]))
    model = LinearRegression().fit(X.to_numpy(), X["a"])
    kernel = explain.KernelExplainer(model.predict, X[:10].to_numpy(), nsamples=50, keep_index=True, random_state=3)
    with io.BytesIO() as file:
        kernel.save(file, model_saver=False)
        file.seek(0)
        with pytest.raises(errors.InvalidInputError, match="model_loader"):
            explain.KernelExplainer.load(file)
        file.seek(0)
        loaded = explain.KernelExplainer.load(file, model_loader=lambda _: model.predict)
    np.testing.assert_allclose(loaded.shap_values(X[:2].to_numpy()), kernel.shap_values(X[:2].to_numpy()))
    assert loaded.masker.shape == (10, 4) and loaded.data.shape == (10, 4)


def test_kernel_matches_shap_when_every_coalition_is_evaluated(table):
    X, _ = table
    model = LinearRegression().fit(X.to_numpy(), X["a"] * 2 - X["c"])
    data = X[:8].to_numpy()
    a = explain.KernelExplainer(model.predict, data, nsamples=14).shap_values(data[:3], silent=True)
    b = shap.KernelExplainer(model.predict, data).shap_values(data[:3], nsamples=14, l1_reg=False, silent=True)
    np.testing.assert_allclose(a, b, atol=1e-8)


def test_permutation_and_exact_take_shaps_call_arguments(table):
    # shap's test_exact_second_order: a second-order game with a zero background has a closed form.
    data = np.random.default_rng(42).integers(0, 2, size=(20, 5)).astype(float)

    def model(rows):
        return rows[:, 0] * rows[:, 2] + rows[:, 1] + rows[:, 2] + rows[:, 2] * rows[:, 3]

    expected = np.zeros(data.shape)
    expected[:, [0, 2]] += (data[:, 0] * data[:, 2] / 2)[:, None]
    expected[:, 1] += data[:, 1]
    expected[:, 2] += data[:, 2]
    expected[:, [2, 3]] += (data[:, 2] * data[:, 3] / 2)[:, None]
    zeros = np.zeros((1, 5))
    exact = explain.ExactExplainer(model, zeros)(data, max_evals="auto", batch_size=64, silent=True)
    np.testing.assert_allclose(exact.values, expected, atol=1e-12)
    permutation = explain.PermutationExplainer(model, zeros, seed=0)(data, max_evals="auto", silent=True)
    np.testing.assert_allclose(permutation.values, expected, atol=1e-12)  # exact for second-order games
    with pytest.raises(errors.InvalidInputError, match="main_effects"):
        explain.PermutationExplainer(model, zeros)(data, main_effects=True)
    with pytest.raises(errors.InvalidInputError, match="max_evals"):
        explain.ExactExplainer(model, zeros)(data, max_evals=8)


# -- Explanation ------------------------------------------------------------------------


def _pair(values, **fields):
    return explain.Explanation(values, **fields), shap.Explanation(values, **fields)


def test_explanation_operations_match_shap():
    rng = np.random.default_rng(1)
    values, data = rng.normal(size=(20, 5)), rng.normal(size=(20, 5))
    ours, theirs = _pair(values, base_values=np.full(20, 0.5), data=data, feature_names=list("abcde"))
    for operation in (
        lambda e: e.abs.mean(0),
        lambda e: e.max(0),
        lambda e: e.min(1),
        lambda e: e.sum(1),
        lambda e: e.flip,
        lambda e: e.sample(5, random_state=0),
        lambda e: e[..., 2],
        lambda e: e[:, "c"],
        lambda e: e[3],
        lambda e: e[e[:, "a"].data > 0],
        lambda e: e.abs.sample(5, random_state=0).flip[..., :3].mean(axis=0) + 2,
        lambda e: e.percentile(20, axis=0),
    ):
        a, b = operation(ours), operation(theirs)
        np.testing.assert_allclose(a.values, b.values)
        assert a.feature_names == (
            list(b.feature_names) if isinstance(b.feature_names, np.ndarray) else b.feature_names
        )
        if b.base_values is not None and np.ndim(b.base_values):
            np.testing.assert_allclose(a.base_values, b.base_values)
    assert repr(ours[:2, :2]) == repr(theirs[:2, :2])
    assert repr(explain.Explanation(np.arange(5))) == repr(shap.Explanation(np.arange(5)))


def test_explanation_multi_output_slicing_and_cohorts_match_shap():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(30, 3, 2))
    ours, theirs = _pair(
        values,
        base_values=np.zeros((30, 2)),
        data=rng.normal(size=(30, 3)),
        feature_names=["x", "y", "z"],
        output_names=["no", "yes"],
    )
    for index in ((..., 0), (slice(None), "y"), (0,), (slice(None), slice(None), "yes")):
        np.testing.assert_allclose(ours[index].values, theirs[index].values)
        np.testing.assert_allclose(ours[index].base_values, theirs[index].base_values)
    with pytest.raises(ValueError, match="multiple outputs"):
        theirs.cohorts(2)
    with pytest.raises(ValueError, match="multiple outputs"):
        ours.cohorts(2)
    groups = np.where(values[:, 0, 0] > 0, "up", "down")
    a, b = ours[..., 0].cohorts(groups), theirs[..., 0].cohorts(groups)
    assert sorted(a.cohorts) == sorted(b.cohorts)
    for name in b.cohorts:
        np.testing.assert_allclose(a.cohorts[name].abs.mean(0).values, b.cohorts[name].abs.mean(0).values)
    assert len(ours[..., 0].cohorts(3).cohorts) == len(theirs[..., 0].cohorts(3).cohorts)


def test_explanation_errors_have_shaps_types():
    base = np.ones(6) * 0.1
    ours, theirs = _pair(np.ones((6, 2)), base_values=base)
    for explanation, cls in ((ours, explain.Explanation), (theirs, shap.Explanation)):
        stacked = explanation.hstack(cls(np.zeros((6, 3)), base_values=base))
        assert stacked.shape == (6, 5)
        with pytest.raises(ValueError, match="different base values"):
            explanation.hstack(cls(np.zeros((6, 3)), base_values=base + 1))
    for cohorts in (explain.Cohorts, shap.Cohorts):
        with pytest.raises(TypeError):
            cohorts(group=[1, 2, 3])
        with pytest.raises(ValueError):
            cohorts()(axis=0)


# -- plots ------------------------------------------------------------------------------


def test_plots_take_shaps_arguments(boosted, table):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, _ = table
    explanation = explain.TreeExplainer(boosted)(X[:40])
    plots.bar(explanation, max_display=3, order=explain.Explanation.abs, show=False)
    plots.bar({"low": explanation[:20], "high": explanation[20:]}, show=False)
    plots.bar(explanation[0], show=False)
    plots.beeswarm(explanation, show=False, color=plt.get_cmap("cool"), group_remaining_features=False, s=4)
    plots.scatter(explanation[:, "a"], color=explanation[:, "b"], show=False)
    plots.scatter(explanation[:, explanation.abs.mean(0).argsort[-1]], xmin=explanation[:, "a"].percentile(5))
    ax = plots.waterfall(explanation[0], max_display=3, show=False)
    with pytest.raises(TypeError, match="Explanation"):
        plots.bar([1, 2, 3], show=False)
    with pytest.raises(TypeError, match="partition tree"):
        plots.bar(explanation, clustering=np.array([1, 2, 3]), show=False)
    with pytest.raises(ValueError, match="single|1 dimensions"):
        plots.waterfall(explanation, show=False)
    # Waterfall labels stay inside the axis: none starts beyond the x limits.
    low, high = ax.get_xlim()
    assert all(low <= text.get_position()[0] <= high for text in ax.texts)
    shap.plots.bar(explanation.to_shap(), show=False)  # shap's own plots take the converted explanation
    shap.plots.heatmap(explanation, show=False)  # ... and these read assay's as it is
    shap.plots.force(explanation[0])
    shap.plots.violin(explanation, show=False)
    plt.close("all")
