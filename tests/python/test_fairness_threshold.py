"""The threshold optimizer against fairlearn's ThresholdOptimizer on the same data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from assay import fairness as af

postprocessing = pytest.importorskip("fairlearn.postprocessing")
from sklearn.base import BaseEstimator  # noqa: E402


class Scores(BaseEstimator):
    """A prefit 'estimator' whose prediction is the first column of X (the scores)."""

    def fit(self, X, y, **kwargs):
        return self

    def predict(self, X):
        return np.asarray(X)[:, 0]


def data(seed, n=3000):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(groups == "a", 0.5, 0.3)).astype(int)
    score = np.round(0.3 * y + rng.random(n) * 0.7 + 0.1 * (groups == "b"), 3)  # ties
    return score, y, groups


@pytest.mark.parametrize(
    "constraints, objective",
    [
        ("demographic_parity", "accuracy_score"),
        ("demographic_parity", "balanced_accuracy_score"),
        ("true_positive_rate_parity", "accuracy_score"),
        ("false_positive_rate_parity", "balanced_accuracy_score"),
        ("true_negative_rate_parity", "accuracy_score"),
        ("false_negative_rate_parity", "accuracy_score"),
        ("equalized_odds", "accuracy_score"),
        ("equalized_odds", "balanced_accuracy_score"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_fairlearn(constraints, objective, seed):
    score, y, groups = data(seed)
    X = score.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = postprocessing.ThresholdOptimizer(estimator=Scores(), constraints=constraints, objective=objective,
                                                   prefit=True, predict_method="predict", grid_size=200)
        theirs.fit(X, y, sensitive_features=groups)
        expected = theirs._pmf_predict(X, sensitive_features=groups)[:, 1]
    ours = af.ThresholdOptimizer(constraints=constraints, objective=objective, grid_size=200).fit(
        score, y, sensitive_features=groups)
    assert ours.x_best_ == theirs._x_best
    np.testing.assert_allclose(ours.predict_proba(score, sensitive_features=groups), expected, rtol=1e-12, atol=1e-15)
    table = ours.to_frame()
    assert list(table.index) == ["a", "b", "c"]


def test_the_constraint_holds_and_predictions_are_seeded():
    score, y, groups = data(3, n=20000)
    opt = af.ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=groups)
    probability = opt.predict_proba(score, sensitive_features=groups)
    rates = pd.Series(probability).groupby(groups).mean()
    np.testing.assert_allclose(rates.to_numpy(), np.full(3, opt.x_best_), atol=2e-3)
    a = opt.predict(score, sensitive_features=groups, random_state=1)
    b = opt.predict(score, sensitive_features=groups, random_state=1)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0, 1}


def test_equalized_odds_equalises_both_rates():
    score, y, groups = data(4, n=30000)
    opt = af.ThresholdOptimizer(constraints="equalized_odds").fit(score, y, sensitive_features=groups)
    probability = opt.predict_proba(score, sensitive_features=groups)
    frame = pd.DataFrame({"p": probability, "y": y, "g": groups})
    tpr = frame[frame.y == 1].groupby("g").p.mean().to_numpy()
    fpr = frame[frame.y == 0].groupby("g").p.mean().to_numpy()
    np.testing.assert_allclose(fpr, np.full(3, opt.x_best_), atol=1e-9)
    assert np.ptp(tpr) < 1e-9


def test_bad_input():
    score, y, groups = data(0, n=200)
    with pytest.raises(ValueError, match="constraints"):
        af.ThresholdOptimizer(constraints="bounded_group_loss")
    with pytest.raises(ValueError, match="equalized_odds supports"):
        af.ThresholdOptimizer(constraints="equalized_odds", objective="selection_rate")
    with pytest.raises(ValueError, match="objective"):
        af.ThresholdOptimizer(objective="f1")
    with pytest.raises(ValueError, match="fit first"):
        af.ThresholdOptimizer().predict_proba(score, sensitive_features=groups)
    with pytest.raises(ValueError, match="one class"):
        af.ThresholdOptimizer().fit(score, np.where(groups == "c", 0, y), sensitive_features=groups)
    opt = af.ThresholdOptimizer().fit(score, y, sensitive_features=groups)
    with pytest.raises(ValueError, match="not seen in fit"):
        opt.predict_proba(score[:3], sensitive_features=["a", "b", "zz"])
    with pytest.raises(ValueError, match="y_score"):
        af.ThresholdOptimizer().fit(np.full(200, np.nan), y, sensitive_features=groups)
