"""kmeans background summaries: weights, rounding to data values, determinism, use in explainers."""

from __future__ import annotations

import numpy as np
import pytest
from assay.explain import ExactExplainer, KernelExplainer, LinearExplainer, kmeans

rng = np.random.default_rng(2)
DATA = np.concatenate([rng.normal(loc=center, scale=0.3, size=(100, 3)) for center in (-3.0, 0.0, 4.0)])


def test_summary_finds_the_clusters_and_weights_them():
    summary = kmeans(DATA, 3, round_values=False)
    assert len(summary) == 3
    np.testing.assert_allclose(summary.weights.sum(), 1.0)
    np.testing.assert_allclose(np.sort(summary.weights), [1 / 3] * 3)
    centres = np.sort(summary.data[:, 0])
    np.testing.assert_allclose(centres, [-3.0, 0.0, 4.0], atol=0.15)
    # within the inertia of scikit-learn's k-means on the same data
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    reference = sklearn_cluster.KMeans(3, n_init=3, random_state=0).fit(DATA)
    inertia = ((DATA[:, None, :] - summary.data[None]) ** 2).sum(axis=2).min(axis=1).sum()
    assert inertia <= 1.01 * reference.inertia_


def test_rounded_centres_hold_data_values_and_results_are_thread_invariant():
    one = kmeans(DATA, 5, seed=4, n_jobs=1)
    two = kmeans(DATA, 5, seed=4, n_jobs=2)
    np.testing.assert_array_equal(one.data, two.data)
    np.testing.assert_array_equal(one.weights, two.weights)
    for j in range(3):
        assert np.isin(one.data[:, j], DATA[:, j]).all()


def test_explainers_take_the_summary_as_weighted_background():
    def model(Z):
        return np.sin(Z[:, 0]) * Z[:, 1] + Z[:, 2]

    summary = kmeans(DATA, 4)
    explicit = ExactExplainer(model, summary.data, data_weights=summary.weights)(DATA[:3]).values
    np.testing.assert_array_equal(ExactExplainer(model, summary)(DATA[:3]).values, explicit)
    kernel = KernelExplainer(model, summary)(DATA[:3])
    np.testing.assert_allclose(kernel.values, explicit, atol=1e-12)
    linear = LinearExplainer((np.ones(3), 0.0), summary)
    np.testing.assert_allclose(linear.mean, summary.weights @ summary.data)
    with pytest.raises(ValueError, match="data_weights: a Background already carries its weights"):
        KernelExplainer(model, summary, data_weights=np.ones(4))


def test_kmeans_bad_input():
    with pytest.raises(ValueError, match=r"k must be an integer between 1 and the number of rows \(300\)"):
        kmeans(DATA, 0)
    with pytest.raises(ValueError, match="k must be an integer"):
        kmeans(DATA, 301)
    with pytest.raises(ValueError, match="data: k-means needs finite values"):
        kmeans(np.where(np.eye(300, 3) > 0, np.nan, DATA), 3)
    with pytest.raises(ValueError, match="data: no rows"):
        kmeans(np.empty((0, 3)), 1)
    one = kmeans(DATA[:1], 1)
    np.testing.assert_array_equal(one.data, DATA[:1])
    same = kmeans(np.ones((10, 2)), 3)  # identical rows: no crash, weights still sum to 1
    np.testing.assert_allclose(same.weights.sum(), 1.0)
