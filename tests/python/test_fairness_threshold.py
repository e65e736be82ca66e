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
        theirs = postprocessing.ThresholdOptimizer(
            estimator=Scores(),
            constraints=constraints,
            objective=objective,
            prefit=True,
            predict_method="predict",
            grid_size=200,
        )
        theirs.fit(X, y, sensitive_features=groups)
        expected = theirs._pmf_predict(X, sensitive_features=groups)[:, 1]
    ours = af.ThresholdOptimizer(constraints=constraints, objective=objective, grid_size=200).fit(
        score, y, sensitive_features=groups
    )
    assert ours.x_best_ == theirs._x_best
    np.testing.assert_allclose(
        ours.predict_proba(score, sensitive_features=groups)[:, 1], expected, rtol=1e-12, atol=1e-15
    )
    table = ours.to_frame()
    assert list(table.index) == ["a", "b", "c"]


@pytest.mark.parametrize("constraints", ["demographic_parity", "equalized_odds"])
def test_matches_fairlearn_with_two_sensitive_features(constraints):
    score, y, groups = data(2)
    sensitive = pd.DataFrame({"group": groups, "sex": np.random.default_rng(12).choice(["m", "f"], len(y))})
    X = score.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = postprocessing.ThresholdOptimizer(
            estimator=Scores(), constraints=constraints, prefit=True, predict_method="predict", grid_size=200
        )
        theirs.fit(X, y, sensitive_features=sensitive)
        expected = theirs._pmf_predict(X, sensitive_features=sensitive)[:, 1]
    ours = af.ThresholdOptimizer(constraints=constraints, grid_size=200).fit(score, y, sensitive_features=sensitive)
    assert ours.x_best_ == theirs._x_best
    np.testing.assert_allclose(
        ours.predict_proba(score, sensitive_features=sensitive)[:, 1], expected, rtol=1e-12, atol=1e-15
    )
    assert list(ours.to_frame().index)[:3] == [("a", "f"), ("a", "m"), ("b", "f")]


def test_the_constraint_holds_and_predictions_are_seeded():
    score, y, groups = data(3, n=20000)
    opt = af.ThresholdOptimizer(constraints="demographic_parity").fit(score, y, sensitive_features=groups)
    probability = opt.predict_proba(score, sensitive_features=groups)[:, 1]
    rates = pd.Series(probability).groupby(groups).mean()
    np.testing.assert_allclose(rates.to_numpy(), np.full(3, opt.x_best_), atol=2e-3)
    a = opt.predict(score, sensitive_features=groups, random_state=1)
    b = opt.predict(score, sensitive_features=groups, random_state=1)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0, 1}


def test_equalized_odds_equalises_both_rates():
    score, y, groups = data(4, n=30000)
    opt = af.ThresholdOptimizer(constraints="equalized_odds").fit(score, y, sensitive_features=groups)
    probability = opt.predict_proba(score, sensitive_features=groups)[:, 1]
    frame = pd.DataFrame({"p": probability, "y": y, "g": groups})
    tpr = frame[frame.y == 1].groupby("g").p.mean().to_numpy()
    fpr = frame[frame.y == 0].groupby("g").p.mean().to_numpy()
    np.testing.assert_allclose(fpr, np.full(3, opt.x_best_), atol=1e-9)
    assert np.ptp(tpr) < 1e-9


def test_bad_input():
    score, y, groups = data(0, n=200)

    def fit(**params):  # parameters are checked in fit (scikit-learn's convention)
        return af.ThresholdOptimizer(**params).fit(score, y, sensitive_features=groups)

    with pytest.raises(ValueError, match="constraints"):
        fit(constraints="bounded_group_loss")
    with pytest.raises(ValueError, match="equalized_odds supports"):
        fit(constraints="equalized_odds", objective="selection_rate")
    with pytest.raises(ValueError, match="objective"):
        fit(objective="f1")
    with pytest.raises(ValueError, match="not fitted yet"):
        af.ThresholdOptimizer().predict_proba(score, sensitive_features=groups)
    with pytest.raises(ValueError, match="one class"):
        af.ThresholdOptimizer().fit(score, np.where(groups == "c", 0, y), sensitive_features=groups)
    opt = af.ThresholdOptimizer().fit(score, y, sensitive_features=groups)
    with pytest.raises(ValueError, match="not seen in fit"):
        opt.predict_proba(score[:3], sensitive_features=["a", "b", "zz"])
    with pytest.raises(ValueError, match="X contains NaN"):
        af.ThresholdOptimizer().fit(np.full(200, np.nan), y, sensitive_features=groups)
    with pytest.raises(ValueError, match="tol"):
        fit(tol=-0.1)
    with pytest.raises(ValueError, match="tol"):
        fit(constraints="equalized_odds", tol=0.1)
    with pytest.raises(ValueError, match="predict_method"):
        fit(predict_method="score")
    with pytest.raises(ValueError, match="need an estimator"):
        af.ThresholdOptimizer().fit(score, y, sensitive_features=groups, sample_weight=np.ones(200))


def estimator_data(seed, n=2000):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 3))
    logit = X[:, 0] - 0.5 * X[:, 1] + 0.8 * (groups == "b")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, groups


def flipped_data(seed, n=3000):
    """Group c's scores fall with the label, so flipped rules help there."""
    score, y, groups = data(seed, n)
    score = np.where(groups == "c", np.round(1 - score, 3), score)
    return score, y, groups


@pytest.mark.parametrize(
    "settings",
    [
        dict(predict_method="predict_proba", prefit=True),
        dict(predict_method="auto", prefit=False),
        dict(predict_method="decision_function", prefit=True, constraints="true_positive_rate_parity"),
        dict(predict_method="auto", prefit=True, constraints="equalized_odds", objective="balanced_accuracy_score"),
        dict(predict_method="predict_proba", prefit=True, tol=0.05),
        dict(predict_method="predict_proba", prefit=False, tol=0.2, constraints="false_negative_rate_parity"),
    ],
)
def test_estimator_api_matches_fairlearn(settings):
    from sklearn.linear_model import LogisticRegression

    X, y, groups = estimator_data(5)
    model = LogisticRegression().fit(X, y)
    kwargs = dict(estimator=model if settings["prefit"] else LogisticRegression(), grid_size=300, **settings)
    theirs = postprocessing.ThresholdOptimizer(**kwargs).fit(X, y, sensitive_features=groups)
    ours = af.ThresholdOptimizer(**kwargs).fit(X, y, sensitive_features=groups)
    X_new, _, groups_new = estimator_data(6, n=500)
    expected = theirs._pmf_predict(X_new, sensitive_features=groups_new)
    np.testing.assert_allclose(
        ours.predict_proba(X_new, sensitive_features=groups_new), expected, rtol=1e-12, atol=1e-15
    )
    np.testing.assert_array_equal(
        ours.predict(X_new, sensitive_features=groups_new, random_state=3),
        theirs.predict(X_new, sensitive_features=groups_new, random_state=3),
    )
    if settings.get("tol"):
        np.testing.assert_array_equal(
            ours.to_frame()["x_group"].to_numpy(), [theirs._x_best_per_group[g] for g in ["a", "b", "c"]]
        )
    else:
        assert ours.x_best_ == theirs._x_best
    assert ours.estimator_ is model if settings["prefit"] else ours.estimator_ is not kwargs["estimator"]


@pytest.mark.parametrize(
    "constraints, objective, tol",
    [
        ("demographic_parity", "accuracy_score", None),
        ("true_negative_rate_parity", "balanced_accuracy_score", None),
        ("demographic_parity", "accuracy_score", 0.1),
        ("equalized_odds", "accuracy_score", None),
    ],
)
def test_flip_matches_fairlearn(constraints, objective, tol):
    score, y, groups = flipped_data(2)
    X = score.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = postprocessing.ThresholdOptimizer(
            estimator=Scores(),
            constraints=constraints,
            objective=objective,
            prefit=True,
            predict_method="predict",
            grid_size=200,
            flip=True,
            tol=tol,
        )
        theirs.fit(X, y, sensitive_features=groups)
        expected = theirs._pmf_predict(X, sensitive_features=groups)
    ours = af.ThresholdOptimizer(constraints=constraints, objective=objective, grid_size=200, flip=True, tol=tol).fit(
        score, y, sensitive_features=groups
    )
    np.testing.assert_allclose(ours.predict_proba(score, sensitive_features=groups), expected, rtol=1e-12, atol=1e-15)
    table = ours.to_frame()
    assert table.loc["c", ["below0", "below1"]].any()  # group c uses flipped rules
    unflipped = af.ThresholdOptimizer(constraints=constraints, objective=objective, grid_size=200, tol=tol).fit(
        score, y, sensitive_features=groups
    )
    assert not unflipped.to_frame()[["below0", "below1"]].to_numpy().any()


def test_clone_and_params():
    from sklearn.base import clone

    opt = af.ThresholdOptimizer(constraints="equalized_odds", grid_size=50, flip=True)
    copy = clone(opt)
    assert copy.get_params() == opt.get_params() and copy is not opt
    assert copy.set_params(grid_size=10).grid_size == 10
    with pytest.raises(ValueError, match="unknown"):
        copy.set_params(alpha=1)
