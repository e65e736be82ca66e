"""AIF360 (run here) for GE / Theil / EDF / reweighing, scikit-learn for exact AUC and
calibration by group, and scipy for the Wilson interval; coverage of the intervals and
of the bootstrap checked by simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from assay import fairness as af
from assay.warnings import UndefinedMetricWarning
from scipy import stats

skm = pytest.importorskip("sklearn.metrics")
calibration = pytest.importorskip("sklearn.calibration")


def _aif360_metrics():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("aif360.sklearn.metrics")


def _data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])
    base = {"a": 0.3, "b": 0.45, "c": 0.5, "d": 0.2}
    y = (rng.random(n) < np.vectorize(base.get)(groups)).astype(int)
    score = np.clip(0.35 * y + rng.normal(0.35, 0.2, n), 0, 1)
    p = (score > 0.5).astype(int)
    return y, p, score, groups, rng


@pytest.mark.parametrize("alpha", [0.5, 1, 2, 3])
def test_generalized_entropy_matches_aif360(alpha):
    m = _aif360_metrics()
    y, p, _, groups, _ = _data()
    expected = m.generalized_entropy_error(y, p, alpha=alpha)
    np.testing.assert_allclose(af.generalized_entropy_index(y, p, alpha=alpha), expected, rtol=1e-12)
    if alpha == 1:
        np.testing.assert_allclose(af.theil_index(y, p), m.theil_index(1 + p - y), rtol=1e-12)
    prot = pd.Series(groups)
    y_true = pd.Series(y, index=pd.Index(groups, name="g"))
    expected_between = m.between_group_generalized_entropy_error(y_true, p, prot_attr=prot.to_numpy(), alpha=alpha)
    np.testing.assert_allclose(
        af.between_group_generalized_entropy_index(y, p, sensitive_features=groups, alpha=alpha),
        expected_between,
        rtol=1e-12,
    )


def test_generalized_entropy_alpha_zero_follows_the_textbook_formula():
    y, p, _, _, _ = _data()
    b = (1 + p - y).astype(float)
    b = b[b > 0]  # with a zero benefit GE(0) is +inf
    y_pos, p_pos = y[(1 + p - y) > 0], p[(1 + p - y) > 0]
    expected = -np.mean(np.log(b / b.mean()))
    np.testing.assert_allclose(af.generalized_entropy_index(y_pos, p_pos, alpha=0), expected, rtol=1e-12)
    assert np.isinf(af.generalized_entropy_index([1, 0], [0, 0], alpha=0))


def test_smoothed_edf_matches_aif360_when_every_group_has_both_classes():
    m = _aif360_metrics()
    y, _, _, groups, rng = _data()
    second = rng.choice(["x", "y"], len(y))
    prot = pd.DataFrame({"g": groups, "s": second})
    y_true = pd.Series(y, index=pd.MultiIndex.from_frame(prot))
    expected = m.smoothed_edf(y_true, prot_attr=["g", "s"], concentration=1.0)
    actual = af.smoothed_edf(y, sensitive_features=prot, concentration=1.0)
    np.testing.assert_allclose(actual, expected, rtol=1e-12)
    w = rng.random(len(y))
    expected_weighted = m.smoothed_edf(y_true, prot_attr=["g", "s"], concentration=2.0, sample_weight=w)
    np.testing.assert_allclose(
        af.smoothed_edf(y, sensitive_features=prot, concentration=2.0, sample_weight=w), expected_weighted, rtol=1e-12
    )


def test_smoothed_edf_uses_the_classic_two_class_smoothing_for_one_class_groups():
    # Group b is all positive: the classic formula smooths with alpha/2 per class.
    y = np.array([1, 0, 1, 1])
    groups = np.array(["a", "a", "b", "b"])
    p = {"a": (1 + 0.5) / (2 + 1), "b": (2 + 0.5) / (2 + 1)}
    expected = max(abs(np.log(p["a"]) - np.log(p["b"])), abs(np.log(1 - p["a"]) - np.log(1 - p["b"])))
    assert af.smoothed_edf(y, sensitive_features=groups) == pytest.approx(expected, rel=1e-14)


def test_reweighing_matches_aif360():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        preprocessing = pytest.importorskip("aif360.sklearn.preprocessing")
    y, _, _, groups, rng = _data()
    w = rng.random(len(y)) + 0.5
    X = pd.DataFrame({"x": np.arange(len(y))}, index=pd.Index(groups, name="g"))
    for weights in (None, w):
        _, expected = preprocessing.Reweighing(prot_attr="g").fit_transform(
            X, pd.Series(y, index=X.index), sample_weight=weights
        )
        actual = af.reweighing(y, sensitive_features=groups, sample_weight=weights)
        np.testing.assert_allclose(actual, expected, rtol=1e-12)
    # Under the new weights, label and group are independent.
    new = af.reweighing(y, sensitive_features=groups)
    rates = pd.Series(new * y).groupby(groups).sum() / pd.Series(new).groupby(groups).sum()
    np.testing.assert_allclose(rates.to_numpy(), np.full(4, y.mean()), rtol=1e-12)


def test_roc_auc_by_group_is_exact():
    y, _, score, groups, rng = _data()
    score = np.round(score, 2)  # ties
    w = rng.random(len(y))
    auc = af.roc_auc_by_group(y, score, sensitive_features=groups)
    weighted = af.roc_auc_by_group(y, score, sensitive_features=groups, sample_weight=w)
    for g in "abcd":
        mask = groups == g
        np.testing.assert_allclose(auc[g], skm.roc_auc_score(y[mask], score[mask]), rtol=1e-12)
        np.testing.assert_allclose(
            weighted[g], skm.roc_auc_score(y[mask], score[mask], sample_weight=w[mask]), rtol=1e-12
        )
    assert af.roc_auc_score(y, score) == pytest.approx(skm.roc_auc_score(y, score), rel=1e-12)
    # A single-class group: NaN with a reason (strict); NaN and a warning (fairlearn with the
    # installed scikit-learn, which older scikit-learn releases raised on).
    one_class = np.where(groups == "d", 0, y)
    frame = af.MetricFrame(metrics=skm.roc_auc_score, y_true=one_class, y_pred=score, sensitive_features=groups)
    assert np.isnan(frame.by_group["d"]) and "positives" in frame.undefined.loc["d", "roc_auc_score"]
    from fairlearn.metrics import MetricFrame as FairlearnFrame

    with pytest.warns(UserWarning, match="Only one class"):
        reference = FairlearnFrame(
            metrics=skm.roc_auc_score, y_true=one_class, y_pred=score, sensitive_features=groups
        ).by_group
    with pytest.warns(UserWarning, match="Only one class"):
        ours = af.MetricFrame(
            metrics=skm.roc_auc_score, y_true=one_class, y_pred=score, sensitive_features=groups, convention="fairlearn"
        ).by_group
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(reference, dtype=float), rtol=1e-12)


def test_calibration_by_group_matches_scikit_learn():
    y, _, score, groups, _ = _data()
    score = np.round(score, 1)  # values on bin edges go to the lower bin, as in scikit-learn
    result = af.calibration_by_group(y, score, sensitive_features=groups, n_bins=5)
    for i, g in enumerate(result.groups):
        mask = groups == g
        prob_true, prob_pred = calibration.calibration_curve(y[mask], score[mask], n_bins=5)
        filled = result.weight[i] > 0
        np.testing.assert_allclose(result.positive_rate[i][filled], prob_true, rtol=1e-12)
        np.testing.assert_allclose(result.mean_score[i][filled], prob_pred, rtol=1e-12)
        counts = result.weight[i][filled]
        ece = np.sum(counts / counts.sum() * np.abs(prob_true - prob_pred))
        np.testing.assert_allclose(result.ece[i], ece, rtol=1e-12)
        np.testing.assert_allclose(result.mce[i], np.max(np.abs(prob_true - prob_pred)), rtol=1e-12)
    frame = result.to_frame()
    assert set(frame.columns) == {"group", "bin", "weight", "mean_score", "positive_rate"}
    assert result.to_dict()["n_bins"] == 5
    ece = af.MetricFrame(
        metrics=af.expected_calibration_error, y_true=y, y_pred=score, sensitive_features=groups
    ).by_group
    assert list(ece.index) == list("abcd")


def test_wilson_newcombe_katz_formulas():
    x = np.array([0, 3, 40, 100])
    n = np.array([10, 20, 100, 100])
    low, high = af.wilson_interval(x, n, confidence=0.95)
    for i in range(len(x)):
        ci = stats.binomtest(int(x[i]), int(n[i])).proportion_ci(0.95, method="wilson")
        np.testing.assert_allclose([low[i], high[i]], [ci.low, ci.high], rtol=1e-12, atol=1e-15)
    # Newcombe (1998) worked example, method 10: 56/70 vs 48/80 -> (0.0524, 0.3339).
    lo, hi = af.newcombe_interval([56], [70], [48], [80])
    np.testing.assert_allclose([lo[0], hi[0]], [0.0524, 0.3339], atol=5e-5)
    lo, hi = af.katz_interval([30], [100], [40], [100])
    se = np.sqrt((1 - 0.3) / 30 + (1 - 0.4) / 40)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose([lo[0], hi[0]], np.exp(np.log(0.75) + np.array([-z, z]) * se), rtol=1e-12)
    with pytest.warns(UndefinedMetricWarning, match="Katz interval is undefined"):
        assert np.isnan(af.katz_interval([0], [10], [5], [10])[0][0])
    with pytest.warns(UndefinedMetricWarning, match="no trials"):
        assert np.isnan(af.wilson_interval([0], [0])[0][0])


def _exact_coverage(lower, upper, n, p):
    x = np.arange(n + 1)
    inside = (lower <= p) & (p <= upper)
    return float(np.sum(stats.binom.pmf(x, n, p) * inside))


def test_wilson_coverage_is_near_nominal():
    for n in (20, 100, 500):
        x = np.arange(n + 1)
        low, high = af.wilson_interval(x, np.full(n + 1, n), 0.95)
        coverage = [_exact_coverage(low, high, n, p) for p in np.linspace(0.05, 0.95, 37)]
        assert 0.935 < np.mean(coverage) < 0.965, (n, np.mean(coverage))


def test_katz_and_newcombe_coverage_by_simulation():
    rng = np.random.default_rng(11)
    n1, n2, p1, p2 = 300, 200, 0.35, 0.5
    x1 = rng.binomial(n1, p1, 4000)
    x2 = rng.binomial(n2, p2, 4000)
    lo, hi = af.katz_interval(x1, np.full(4000, n1), x2, np.full(4000, n2))
    assert 0.93 < np.mean((lo <= p1 / p2) & (p1 / p2 <= hi)) < 0.97
    lo, hi = af.newcombe_interval(x1, np.full(4000, n1), x2, np.full(4000, n2))
    assert 0.93 < np.mean((lo <= p1 - p2) & (p1 - p2 <= hi)) < 0.97


def test_bootstrap_interval_coverage_by_simulation():
    """Percentile intervals of the between-group difference of selection rates cover the
    true difference about 95% of the time (multinomial count bootstrap)."""
    rng = np.random.default_rng(5)
    sizes, rates = (400, 300), (0.3, 0.45)
    groups = np.repeat(["a", "b"], sizes)
    covered = 0
    trials = 150
    for t in range(trials):
        y_pred = np.concatenate([rng.random(s) < r for s, r in zip(sizes, rates)]).astype(int)
        frame = af.MetricFrame(
            metrics=af.selection_rate,
            y_true=y_pred,
            y_pred=y_pred,
            sensitive_features=groups,
            n_boot=400,
            ci_quantiles=[0.025, 0.975],
            random_state=t,
        )
        low, high = frame.difference_ci()
        covered += low <= 0.15 <= high
    assert 0.89 <= covered / trials <= 0.99


def test_bootstrap_agrees_in_distribution_with_fairlearn():
    fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
    y, p, _, groups, _ = _data(n=1500)
    metrics = {"sel": af.selection_rate, "tpr": af.true_positive_rate}
    ours = af.MetricFrame(
        metrics=metrics,
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        n_boot=2000,
        ci_quantiles=[0.05, 0.5, 0.95],
        random_state=0,
        convention="fairlearn",
    )
    theirs = fairlearn_metrics.MetricFrame(
        metrics={"sel": fairlearn_metrics.selection_rate, "tpr": fairlearn_metrics.true_positive_rate},
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        n_boot=100,
        ci_quantiles=[0.05, 0.5, 0.95],
        random_state=0,
    )
    for q in range(3):
        np.testing.assert_allclose(ours.by_group_ci[q].to_numpy(), theirs.by_group_ci[q].to_numpy(), atol=0.03)
        np.testing.assert_allclose(ours.difference_ci()[q].to_numpy(), theirs.difference_ci()[q].to_numpy(), atol=0.04)
    assert ours.by_group_ci[0].index.equals(theirs.by_group_ci[0].index)


def test_count_and_row_bootstraps_agree_in_distribution():
    y, p, _, groups, _ = _data(n=1000)
    multinomial = af.MetricFrame(
        metrics={"sel": af.selection_rate},
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        n_boot=3000,
        ci_quantiles=[0.5],
        random_state=1,
    )
    poisson = af.MetricFrame(
        metrics={"sel": af.selection_rate},
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        sample_params={"sel": {"sample_weight": np.ones(len(y))}},
        n_boot=3000,
        ci_quantiles=[0.5],
        random_state=1,
    )
    assert multinomial._bootstrap.scheme == "multinomial" and poisson._bootstrap.scheme == "poisson"
    a = multinomial._bootstrap.replicates["sel"]["difference_between_groups"][:, 0]
    b = poisson._bootstrap.replicates["sel"]["difference_between_groups"][:, 0]
    assert stats.ks_2samp(a, b).pvalue > 0.001
    assert abs(a.std() - b.std()) < 0.15 * a.std()


@pytest.mark.parametrize("weighted", [False, True])
def test_bootstrap_is_identical_for_every_n_jobs(weighted):
    y, p, _, groups, rng = _data(n=3000)
    params = {"sel": {"sample_weight": rng.random(len(y))}} if weighted else None
    frames = [
        af.MetricFrame(
            metrics={"sel": af.selection_rate, "acc": af.accuracy_score},
            y_true=y,
            y_pred=p,
            sensitive_features=groups,
            sample_params=params,
            n_boot=64,
            ci_quantiles=[0.1, 0.9],
            random_state=3,
            n_jobs=jobs,
        )
        for jobs in (1, 2, 3)
    ]
    for other in frames[1:]:
        for q in range(2):
            pd.testing.assert_frame_equal(frames[0].by_group_ci[q], other.by_group_ci[q])
            pd.testing.assert_series_equal(frames[0].ratio_ci()[q], other.ratio_ci()[q])


def test_bootstrap_of_regression_metrics_and_seeds():
    y, _, score, groups, _ = _data(n=800)
    kwargs = dict(
        metrics={"mae": af.mean_absolute_error},
        y_true=score,
        y_pred=score + 0.1 * y,
        sensitive_features=groups,
        n_boot=50,
        ci_quantiles=[0.1, 0.9],
    )
    a = af.MetricFrame(**kwargs, random_state=7)
    b = af.MetricFrame(**kwargs, random_state=np.random.RandomState(7))
    c = af.MetricFrame(**kwargs, random_state=7)
    pd.testing.assert_frame_equal(a.by_group_ci[0], c.by_group_ci[0])
    assert a.by_group_ci[0].shape == b.by_group_ci[0].shape
    assert (a.by_group_ci[0].to_numpy() <= a.by_group_ci[1].to_numpy()).all()


def test_four_fifths_verdicts():
    rng = np.random.default_rng(2)
    groups = np.repeat(["a", "b", "c", "d"], [2000, 2000, 2000, 12])
    rates = np.repeat([0.5, 0.25, 0.48, 0.5], [2000, 2000, 2000, 12])
    y_pred = (rng.random(len(groups)) < rates).astype(int)
    result = af.four_fifths(y_pred, sensitive_features=groups)
    verdict = dict(zip(result.groups, result.verdicts))
    assert verdict["b"] == "fails"  # ratio about 0.5, clearly below 0.8
    assert verdict["c"] == "passes"  # ratio about 0.96 with a tight interval
    assert verdict["a"] == "reference"  # the highest rate among groups with 30 rows or more
    assert verdict["d"] == "inconclusive"  # 12 rows
    assert result.small[result.groups.index("d")]
    assert result.verdict == "fails" and not result.holds
    large = groups != "d"
    assert af.disparate_impact_ratio(y_pred[large], y_pred[large], sensitive_features=groups[large]) == pytest.approx(
        af.demographic_parity_ratio(y_pred[large], y_pred[large], sensitive_features=groups[large]), rel=1e-12
    )
    assert result.to_dict()["verdict"] == "fails"
    assert "Four-fifths" in result._repr_html_()
    fair = af.four_fifths((rng.random(6000) < 0.5).astype(int), sensitive_features=groups[:6000])
    assert fair.verdict == "passes"
    with pytest.raises(ValueError, match="reference"):
        af.four_fifths(y_pred, sensitive_features=groups, reference="zz")


def test_mean_prediction_of_labels_uses_the_count_bootstrap():
    y, p, _, groups, _ = _data(n=2000)
    frame = af.MetricFrame(
        metrics={"mp": af.mean_prediction, "sel": af.selection_rate},
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        n_boot=200,
        ci_quantiles=[0.1, 0.9],
        random_state=4,
    )
    assert frame._bootstrap.scheme == "multinomial"
    # With 0/1 predictions the mean prediction is the selection rate, replicate by replicate.
    np.testing.assert_allclose(
        frame._bootstrap.replicates["mp"]["by_group"], frame._bootstrap.replicates["sel"]["by_group"], rtol=1e-12
    )
    scores = af.MetricFrame(
        metrics={"mp": af.mean_prediction},
        y_true=y,
        y_pred=p + 0.5 * np.sin(np.arange(2000)),
        sensitive_features=groups,
        n_boot=20,
        ci_quantiles=[0.5],
        random_state=4,
    )
    assert scores._bootstrap.scheme == "poisson"


def test_bootstrap_shapes_with_control_features_match_fairlearn():
    fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
    y, p, _, groups, rng = _data(n=600)
    control = pd.Series(rng.choice(["u", "v"], len(y)), name="region")
    kwargs = dict(
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        control_features=control,
        n_boot=20,
        ci_quantiles=[0.1, 0.9],
        random_state=0,
    )
    ours = af.MetricFrame(metrics={"sel": af.selection_rate, "n": af.count}, convention="fairlearn", **kwargs)
    theirs = fairlearn_metrics.MetricFrame(
        metrics={"sel": fairlearn_metrics.selection_rate, "n": fairlearn_metrics.count}, **kwargs
    )
    for accessor in ("by_group_ci", "overall_ci"):
        for a, b in zip(getattr(ours, accessor), getattr(theirs, accessor)):
            assert a.index.equals(b.index) and list(a.columns) == list(b.columns)
    for a, b in zip(ours.difference_ci(), theirs.difference_ci()):
        assert a.index.equals(b.index) and list(a.columns) == list(b.columns)
        np.testing.assert_allclose(a["sel"].to_numpy(), b["sel"].to_numpy(), atol=0.1)


def test_small_groups_are_flagged_everywhere():
    rng = np.random.default_rng(8)
    race = np.repeat(["a", "b", "c"], [500, 300, 12])
    sex = rng.choice(["f", "m"], len(race))
    y = rng.integers(0, 2, len(race))
    frame = af.MetricFrame(
        metrics={"sel": af.selection_rate, "acc": af.accuracy_score},
        y_true=y,
        y_pred=y,
        sensitive_features={"race": race, "sex": sex},
        min_support=20,
    )
    rows = pd.Series(1, index=pd.MultiIndex.from_arrays([race, sex])).groupby(level=[0, 1]).sum()
    small = frame.small_groups
    assert small.index.equals(frame.by_group.index) and frame.min_support == 20
    np.testing.assert_array_equal(small.to_numpy(), (rows < 20).to_numpy())
    assert small.loc[("c", "f")] and not small.loc[("a", "m")]
    exported = frame.to_dict()
    assert exported["min_support"] == 20 and exported["small"] == small.tolist()
    long = frame.to_frame()
    assert long.loc[long.race == "c", "small"].all() and not long.loc[long.race == "a", "small"].any()
    assert "small" in frame._repr_html_() and "fewer than 20 rows" in frame._repr_html_()
    # The default is four_fifths' 30 rows; zero flags nothing but empty groups.
    assert af.MetricFrame(
        metrics=af.selection_rate, y_true=y, y_pred=y, sensitive_features=race
    ).small_groups.tolist() == [False, False, True]
    assert not af.MetricFrame(
        metrics=af.selection_rate, y_true=y, y_pred=y, sensitive_features=race, min_support=0
    ).small_groups.any()
