"""Multivariate drift: MMD against a plain numpy implementation with the same
permutations, PCA reconstruction error against numpy's SVD, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assay import _core, drift


def numpy_mmd(x: np.ndarray, y: np.ndarray, n_permutations: int, seed: int):
    """Unbiased RBF MMD^2 with the median heuristic, written directly from the definition."""
    cross = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    bandwidth = np.sqrt(np.median(cross) / 2)
    pooled = np.vstack([x, y])
    squared = ((pooled[:, None, :] - pooled[None, :, :]) ** 2).sum(-1)
    kernel = np.exp(-squared / (2 * bandwidth**2))
    nx, ny = len(x), len(y)

    def statistic(in_x: np.ndarray) -> float:
        in_y = np.setdiff1d(np.arange(len(pooled)), in_x)
        kxx, kyy, kxy = kernel[np.ix_(in_x, in_x)], kernel[np.ix_(in_y, in_y)], kernel[np.ix_(in_x, in_y)]
        return (
            (kxx.sum() - np.trace(kxx)) / (nx * (nx - 1))
            + (kyy.sum() - np.trace(kyy)) / (ny * (ny - 1))
            - 2 * kxy.mean()
        )

    observed = statistic(np.arange(nx))
    permuted = np.array(
        [statistic(_core.drift.mmd_permutation(nx + ny, seed, p)[:nx].astype(np.int64)) for p in range(n_permutations)]
    )
    pvalue = (1 + (permuted >= observed).sum()) / (1 + n_permutations)
    return bandwidth, observed, permuted, pvalue


@pytest.mark.parametrize(("shift", "nx", "ny"), [(0.0, 70, 50), (0.7, 40, 90), (0.2, 300, 260)])
def test_mmd_matches_numpy_with_the_same_permutations(shift, nx, ny):
    rng = np.random.default_rng(int(shift * 10) + nx)
    x, y = rng.normal(size=(nx, 3)), rng.normal(shift, size=(ny, 3))
    bandwidth, observed, permuted, pvalue = numpy_mmd(x, y, 60, seed=11)
    result = drift.mmd(x, y, n_permutations=60, seed=11)
    np.testing.assert_allclose(result.bandwidth, bandwidth, rtol=1e-12)
    np.testing.assert_allclose(result.statistic, observed, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(result.permuted, permuted, rtol=1e-9, atol=1e-13)
    assert result.pvalue == pvalue
    if shift >= 0.7:
        assert result.pvalue < 0.05


def test_mmd_is_the_same_for_every_n_jobs_and_seeded():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(700, 4)), rng.normal(0.05, size=(650, 4))
    one = drift.mmd(x, y, n_permutations=50, seed=3, n_jobs=1)
    two = drift.mmd(x, y, n_permutations=50, seed=3, n_jobs=2)
    assert one.statistic == two.statistic and (one.permuted == two.permuted).all()
    other = drift.mmd(x, y, n_permutations=50, seed=4)
    assert not (other.permuted == one.permuted).all()
    fixed = drift.mmd(x, y, n_permutations=10, bandwidth=2.0)
    assert fixed.bandwidth == 2.0


def test_pca_reconstruction_matches_numpy_svd():
    rng = np.random.default_rng(1)
    latent = rng.normal(size=(2000, 2))
    mixing = rng.normal(size=(2, 6))
    reference = latent @ mixing + 0.1 * rng.normal(size=(2000, 6))
    current = np.vstack(
        [latent[:1000] @ mixing + 0.1 * rng.normal(size=(1000, 6)), rng.normal(size=(1000, 6))]
    )  # the correlation breaks in the second half
    result = drift.pca_reconstruction(reference, current, chunk_size=500)
    mean, std = reference.mean(0), reference.std(0)
    z = (reference - mean) / std
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    ratio = np.cumsum(s**2) / (s**2).sum()
    k = int(np.searchsorted(ratio, 0.65, side="right") + 1)
    assert result.n_components == k
    components = vt[:k]
    zc = (current - mean) / std
    errors = np.linalg.norm(zc - zc @ components.T @ components, axis=1)
    np.testing.assert_allclose(result.errors, errors.reshape(4, 500).mean(1), rtol=1e-10)
    assert list(result.alerts) == [False, False, True, True]
    assert result.to_frame()["alert"].tolist() == [False, False, True, True]


def test_multivariate_bad_input():
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match="column 'x1' holds NaN"):
        drift.mmd(x, np.array([[0.0, np.nan]] * 5))
    with pytest.raises(TypeError, match="categorical"):
        drift.mmd(pd.DataFrame({"a": ["u", "v"]}), pd.DataFrame({"a": ["u", "v"]}))
    with pytest.raises(ValueError, match="same columns"):
        drift.mmd(x, np.zeros((10, 3))[:, :1])
    with pytest.raises(ValueError, match="n_permutations"):
        drift.mmd(x, x, n_permutations=0)
    with pytest.raises(ValueError, match="at least 2 rows"):
        drift.mmd(x, x[:1])
    with pytest.raises(ValueError, match="seed"):
        drift.mmd(x, x, seed=-1)
    with pytest.raises(ValueError, match="variance"):
        drift.pca_reconstruction(x, x, variance=1.5)


def test_domain_classifier_matches_sklearn_on_the_same_folds():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(600, 4)), rng.normal(size=(500, 4))
    y[:, 1] += 0.6
    result = drift.domain_classifier(x, y, n_folds=4, l2=0.5, seed=1)
    pooled = np.vstack([x, y])
    pooled = (pooled - pooled.mean(0)) / pooled.std(0)
    labels = np.r_[np.zeros(600), np.ones(500)]
    expected = np.empty(len(labels))
    for fold in range(4):
        test = result.folds == fold
        model = LogisticRegression(C=1 / 0.5, tol=1e-12, max_iter=10_000).fit(pooled[~test], labels[~test])
        expected[test] = model.predict_proba(pooled[test])[:, 1]
    np.testing.assert_allclose(result.scores, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(result.auc, roc_auc_score(labels, result.scores), rtol=1e-12)
    assert np.bincount(result.folds[:600]).tolist() == [150] * 4  # stratified
    assert result.drifted and result.lower < result.auc < result.upper
    same = drift.domain_classifier(x, rng.normal(size=(500, 4)), seed=1)
    assert not same.drifted and abs(same.auc - 0.5) < 0.07
    assert drift.domain_classifier(x, y, n_folds=4, l2=0.5, seed=1, n_jobs=1).auc == result.auc
    with pytest.raises(ValueError, match="n_folds"):
        drift.domain_classifier(x, y, n_folds=1)


def variance_shift(seed: int, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Current rows whose first column has 1.6 times the spread: same means, so a linear
    model cannot separate them."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, 4)), rng.normal(size=(n, 4))
    y[:, 0] *= 1.6
    return x, y


def test_gradient_boosting_catches_a_variance_change_that_logistic_misses():
    x, y = variance_shift(5)
    logistic = drift.domain_classifier(x, y, seed=3)
    boosted = drift.domain_classifier(x, y, classifier="gbt", seed=3)
    assert not logistic.drifted and abs(logistic.auc - 0.5) < 0.05
    assert boosted.drifted and boosted.auc > 0.58
    assert boosted.lower < boosted.auc < boosted.upper
    np.testing.assert_allclose(
        boosted.fold_auc,
        [
            roc_auc(boosted.scores[boosted.folds == f], np.r_[np.zeros(1000), np.ones(1000)][boosted.folds == f])
            for f in range(5)
        ],
        rtol=1e-12,
    )
    rng = np.random.default_rng(6)
    same = drift.domain_classifier(x, rng.normal(size=(1000, 4)), classifier="gbt", seed=3)
    assert not same.drifted and abs(same.auc - 0.5) < 0.05


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def test_gradient_boosting_is_seeded_and_the_same_for_every_n_jobs():
    x, y = variance_shift(7, n=400)
    one = drift.domain_classifier(x, y, classifier="gbt", seed=11, n_jobs=1)
    two = drift.domain_classifier(x, y, classifier="gbt", seed=11, n_jobs=2)
    again = drift.domain_classifier(x, y, classifier="gbt", seed=11)
    np.testing.assert_array_equal(one.scores, two.scores)
    np.testing.assert_array_equal(one.scores, again.scores)
    assert one.auc == two.auc == again.auc
    other = drift.domain_classifier(x, y, classifier="gbt", seed=12)
    assert not np.array_equal(one.folds, other.folds)


def test_gradient_boosting_auc_is_close_to_sklearns_on_the_same_folds():
    """scikit-learn's HistGradientBoostingClassifier with the same settings on the same
    folds. It bins each fold's training rows (assay bins all rows once) and grows trees
    best-first, so scores differ slightly: the AUCs agree within 0.02."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y = variance_shift(8)
    y[:, 2] = np.abs(y[:, 2])  # a second, non-linear difference
    result = drift.domain_classifier(x, y, classifier="gbt", n_trees=50, max_depth=3, learning_rate=0.1, l2=1.0)
    pooled, labels = np.vstack([x, y]), np.r_[np.zeros(len(x)), np.ones(len(y))]
    expected = np.empty(len(labels))
    for fold in range(5):
        test = result.folds == fold
        model = HistGradientBoostingClassifier(
            max_iter=50,
            learning_rate=0.1,
            max_depth=3,
            max_leaf_nodes=8,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping=False,
        )
        expected[test] = model.fit(pooled[~test], labels[~test]).predict_proba(pooled[test])[:, 1]
    assert abs(result.auc - roc_auc(expected, labels)) < 0.02
    assert np.corrcoef(result.scores, expected)[0, 1] > 0.95


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"classifier": "forest"}, "classifier must be"),
        ({"n_trees": 0}, "n_trees"),
        ({"max_depth": 0}, "max_depth"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"l2": -1.0}, "l2"),
    ],
)
def test_gradient_boosting_bad_input(options, match):
    x, y = variance_shift(9, n=50)
    with pytest.raises(ValueError, match=match):
        drift.domain_classifier(x, y, **{"classifier": "gbt", **options})
