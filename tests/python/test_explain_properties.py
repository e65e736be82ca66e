"""Properties of assay.explain (hypothesis): dummy features get 0, symmetric features
get equal values, per-tree values add up to the ensemble's, and results do not depend
on n_jobs, input precision or memory order."""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from assay import _core  # noqa: E402
from assay.explain import TreeExplainer, TreeModel  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

sklearn_tree = pytest.importorskip("sklearn.tree")
sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
pd = pytest.importorskip("pandas")

SETTINGS = settings(max_examples=25, deadline=None)


def stump_tree(first, second, thresholds, covers, values):
    """A depth-2 tree splitting on `first` then on `second` in both branches."""
    a, b, c = thresholds
    return {
        "left": np.array([1, 3, 5, -1, -1, -1, -1]),
        "right": np.array([2, 4, 6, -1, -1, -1, -1]),
        "feature": np.array([first, second, second, -1, -1, -1, -1]),
        "threshold": np.array([a, b, c, 0, 0, 0, 0], dtype=float),
        "cover": np.asarray(covers, dtype=float),
        "values": np.asarray([0, 0, 0, *values], dtype=float).reshape(-1, 1),
        "default_left": np.ones(7, dtype=np.uint8),
    }


def model_of(trees, n_features):
    ensemble = _core.explain.tree_ensemble_from_arrays(
        trees, n_features, 1, [0.0], _core.explain.Comparison.less_equal, False, _core.explain.CoverKind.count, "test"
    )
    return TreeModel(ensemble, None, None, "raw")


covers = st.tuples(*[st.floats(1, 100) for _ in range(4)]).map(
    lambda leaves: [sum(leaves), leaves[0] + leaves[1], leaves[2] + leaves[3], *leaves]
)
finite = st.floats(-10, 10, allow_nan=False)


@SETTINGS
@given(threshold=finite, leaf_covers=covers, values=st.tuples(*[finite] * 4), x=finite, dummy=finite)
def test_symmetric_features_get_equal_values_and_dummy_gets_zero(threshold, leaf_covers, values, x, dummy):
    # Tree B is tree A with x0 and x1 exchanged, so f(x0, x1) = A(x0, x1) + A(x1, x0)
    # and its path-dependent game are symmetric in (x0, x1). Feature 2 is never used.
    thresholds = (threshold, threshold, threshold)
    trees = [stump_tree(0, 1, thresholds, leaf_covers, values), stump_tree(1, 0, thresholds, leaf_covers, values)]
    explainer = TreeExplainer(model_of(trees, 3))
    phi = explainer.shap_values(np.array([[x, x, dummy]]))[0]
    assert phi[2] == 0.0
    assert abs(phi[0] - phi[1]) <= 1e-12 * max(1.0, abs(phi[0]))


@SETTINGS
@given(seed=st.integers(0, 10_000), n_jobs=st.sampled_from([1, 2]))
def test_per_tree_values_add_up_and_n_jobs_invariance(seed, n_jobs):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 4))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    forest = sklearn_ensemble.RandomForestRegressor(n_estimators=3, max_depth=5, random_state=seed).fit(X, y)
    whole = TreeExplainer(forest, n_jobs=n_jobs).shap_values(X)
    parts = sum(TreeExplainer(tree).shap_values(X) for tree in forest.estimators_) / 3
    assert np.abs(whole - parts).max() <= 1e-12
    assert np.array_equal(whole, TreeExplainer(forest, n_jobs=1).shap_values(X))
    assert np.array_equal(whole, TreeExplainer(forest, n_jobs=2).shap_values(X))


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_precision_and_memory_order_do_not_matter(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 5)).astype(np.float32)
    y = X[:, 0] - X[:, 3] ** 2
    model = sklearn_tree.DecisionTreeRegressor(max_depth=6, random_state=0).fit(X, y)
    explainer = TreeExplainer(model)
    reference = explainer.shap_values(np.ascontiguousarray(X, dtype=np.float64))
    for variant in (X, np.asfortranarray(X), np.asfortranarray(X.astype(np.float64)), X.astype(np.float64)[:, ::1]):
        assert np.array_equal(explainer.shap_values(variant), reference)
    wide = np.zeros((80, 10))
    wide[:, ::2] = X
    assert np.array_equal(explainer.shap_values(wide[:, ::2]), reference)  # a non-contiguous view
    # A few rows take the lean array path; a frame always takes the input layer.
    frame_values = explainer(pd.DataFrame(X.astype(np.float64))).values
    for rows in (slice(0, 1), slice(3, 67), slice(10, 11)):
        for variant in (X[rows], np.asfortranarray(X[rows]), X[rows].astype(np.float64), wide[rows, ::2]):
            assert np.array_equal(explainer.shap_values(variant), frame_values[rows])


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_interventional_is_additive_and_thread_invariant(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 4))
    y = X[:, 0] * X[:, 1] + (X[:, 2] > 0)
    model = sklearn_ensemble.GradientBoostingRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    one = TreeExplainer(model, data=X[:20], n_jobs=1)
    two = TreeExplainer(model, data=X[:20], n_jobs=2)
    phi = one.shap_values(X[20:])
    assert np.array_equal(phi, two.shap_values(X[20:]))
    for algorithm in ("patterns", "pairwise"):
        forced = [TreeExplainer(model, data=X[:20], n_jobs=n, algorithm=algorithm).shap_values(X[20:]) for n in (1, 2)]
        assert np.array_equal(forced[0], forced[1])
        assert np.abs(forced[0] - phi).max() <= 1e-12
    assert np.abs(phi.sum(axis=1) + one.expected_value - model.predict(X[20:])).max() <= 1e-12
