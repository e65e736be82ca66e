"""PermutationExplainer (shap parity with the same permutations, exactness for pairwise
games, additivity) and LinearExplainer (closed form, scikit-learn models, shap parity)."""

from __future__ import annotations

import numpy as np
import pytest
from assay.explain import ExactExplainer, LinearExplainer, PermutationExplainer

rng = np.random.default_rng(11)
M = 6
BACKGROUND = rng.normal(size=(8, M))
X = rng.normal(size=(4, M))
W = rng.normal(size=(2, M))


def nonlinear(Z):
    return np.stack([np.sin(Z @ W[0]) * Z[:, 1], np.exp(0.3 * Z @ W[1]) + Z[:, 0] * Z[:, 2] * Z[:, 3]], axis=1)


def pairwise(Z):
    """Interactions of order 2 only: one antithetic permutation is exact (the game has no higher terms)."""
    return Z @ W[0] + Z[:, 0] * Z[:, 1] - 2 * Z[:, 2] * Z[:, 5] + Z[:, 3] * Z[:, 4]


def test_same_permutations_as_shap_give_shaps_values():
    shap = pytest.importorskip("shap")
    n_permutations, seed = 5, 3
    model = lambda Z: nonlinear(Z)[:, 0]  # noqa: E731
    theirs = shap.PermutationExplainer(
        model, shap.maskers.Independent(BACKGROUND, max_samples=len(BACKGROUND)), seed=seed
    )
    expected = theirs(X[:1], max_evals=n_permutations * (2 * M + 1))
    np.random.seed(seed)  # shap's draws: in-place shuffles of the feature indices
    order = np.arange(M)
    permutations = []
    for _ in range(n_permutations):
        np.random.shuffle(order)
        permutations.append(order.copy())
    ours = PermutationExplainer(model, BACKGROUND)(X[:1], permutations=np.array(permutations))
    np.testing.assert_allclose(ours.values, expected.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.base_values, expected.base_values, rtol=0, atol=1e-12)


def test_one_antithetic_permutation_is_exact_for_pairwise_models():
    truth = ExactExplainer(pairwise, BACKGROUND)(X).values
    one = PermutationExplainer(pairwise, BACKGROUND, seed=5)(X, max_evals=2 * M + 1)
    np.testing.assert_allclose(one.values, truth, rtol=0, atol=1e-12)
    assert np.isnan(one.standard_errors).all()  # one permutation: no spread to estimate from


def test_permutation_values_are_additive_seeded_and_converge():
    fx = nonlinear(X)
    few = PermutationExplainer(nonlinear, BACKGROUND, seed=1, n_jobs=1)(X, max_evals=3 * (2 * M + 1))
    again = PermutationExplainer(nonlinear, BACKGROUND, seed=1, n_jobs=2, batch_size=64)(X, max_evals=3 * (2 * M + 1))
    np.testing.assert_array_equal(few.values, again.values)
    np.testing.assert_allclose(few.base_values + few.values.sum(axis=1), fx, atol=1e-12)
    truth = ExactExplainer(nonlinear, BACKGROUND)(X).values
    many = PermutationExplainer(nonlinear, BACKGROUND, seed=1)(X, max_evals=200 * (2 * M + 1))
    assert np.abs(many.values - truth).max() < np.abs(few.values - truth).max()
    assert np.abs(many.values - truth).max() < 6 * many.standard_errors.max()
    assert np.all(many.standard_errors > 0)


def test_permutation_bad_input():
    explainer = PermutationExplainer(nonlinear, BACKGROUND)
    with pytest.raises(ValueError, match=r"max_evals=12 is too small: one permutation of 6 features takes 13"):
        explainer(X, max_evals=12)
    with pytest.raises(ValueError, match="max_evals must be an integer"):
        explainer(X, max_evals="many")
    with pytest.raises(ValueError, match=r"permutations: expected an integer array of shape \(n_permutations, 6\)"):
        explainer(X, permutations=np.zeros((2, 5), dtype=int))
    with pytest.raises(ValueError, match="permutations: row 1 is not a permutation of 0..5"):
        explainer(X, permutations=np.array([np.arange(6), [0, 0, 1, 2, 3, 4]]))


def test_linear_explainer_on_scikit_learn_models():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    data = rng.normal(size=(60, M))
    target = data @ W[0] + rng.normal(size=60)
    weights = rng.uniform(0.1, 1.0, size=60)
    regression = sklearn_linear.LinearRegression().fit(data, target)
    explanation = LinearExplainer(regression, data, data_weights=weights)(X)
    mean = np.average(data, axis=0, weights=weights)
    np.testing.assert_allclose(explanation.values, regression.coef_ * (X - mean), rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        explanation.base_values + explanation.values.sum(axis=1), regression.predict(X), atol=1e-12
    )

    labels = np.digitize(target, np.quantile(target, [0.33, 0.66]))
    multinomial = sklearn_linear.LogisticRegression(max_iter=500).fit(data, labels)
    multi = LinearExplainer(multinomial, data)(X)
    assert multi.values.shape == (4, M, 3)
    np.testing.assert_allclose(
        multi.base_values + multi.values.sum(axis=1), multinomial.decision_function(X), atol=1e-12
    )

    binary = sklearn_linear.LogisticRegression().fit(data, labels > 0)
    single = LinearExplainer(binary, data)(X)
    assert single.values.shape == (4, M)
    np.testing.assert_allclose(single.base_values + single.values.sum(axis=1), binary.decision_function(X), atol=1e-12)
    # The closed form equals the exact interventional values of the margin.
    exact = ExactExplainer(binary.decision_function, data[:10])(X).values
    closed = LinearExplainer(binary, data[:10])(X).values
    np.testing.assert_allclose(closed, exact, atol=1e-12)


def test_linear_explainer_matches_shap():
    shap = pytest.importorskip("shap")
    coef, intercept = W[0], 0.7
    data = rng.normal(size=(30, M))
    theirs = shap.LinearExplainer((coef, intercept), data)(X)
    ours = LinearExplainer((coef, intercept), data)(X)
    np.testing.assert_allclose(ours.values, theirs.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.base_values, theirs.base_values, rtol=0, atol=1e-12)


def test_linear_explainer_bad_input():
    with pytest.raises(TypeError, match="model: expected a fitted linear model"):
        LinearExplainer(object(), BACKGROUND)
    with pytest.raises(ValueError, match="data has 6 columns but the model has 3 coefficients"):
        LinearExplainer((np.ones(3), 0.0), BACKGROUND)
    with pytest.raises(ValueError, match="model: coefficients must be a finite"):
        LinearExplainer((np.full(M, np.nan), 0.0), BACKGROUND)
    with pytest.raises(ValueError, match="data: the background mean is not finite"):
        LinearExplainer((np.ones(M), 0.0), np.where(np.eye(8, M) > 0, np.nan, BACKGROUND))
    explainer = LinearExplainer((np.ones(M), 0.0), BACKGROUND)
    with pytest.raises(ValueError, match="X has 2 columns but the model has 6 coefficients"):
        explainer(X[:, :2])
    # A missing entry gives NaN for that feature only (documented), not an error or a made-up number.
    values = explainer(np.where(np.eye(4, M) > 0, np.nan, X)).values
    assert np.isnan(values[0, 0]) and np.isfinite(values[0, 1:]).all()
