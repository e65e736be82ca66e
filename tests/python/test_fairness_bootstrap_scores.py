"""Bootstrap intervals of rank metrics (ROC-AUC, ECE) and user-defined callables: the
Poisson row bootstrap drawn in C++, checked against scikit-learn on the same resampled
rows, for seeding and n_jobs invariance, and by simulated coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from assay import fairness as af

metrics_module = pytest.importorskip("sklearn.metrics")
pytestmark = pytest.mark.filterwarnings("ignore:Only one class is present")


def _data(n=900, seed=0):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south"], n)
    y = (rng.random(n) < 0.4).astype(int)
    score = np.round(np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1), 2)  # ties
    weight = rng.integers(0, 4, n) / 2.0  # zero weights included
    return y, score, groups, region, weight


def sklearn_auc(y_true, y_score, sample_weight=None):
    """scikit-learn's AUC, NaN (as assay's strict convention) when one class is present."""
    if len(np.unique(y_true)) < 2:
        return math.nan
    return metrics_module.roc_auc_score(y_true, y_score, sample_weight=sample_weight)


def numpy_ece(y_true, y_prob, sample_weight=None):
    """ECE over 10 equal-width bins, written out with numpy."""
    weight = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    bins = np.searchsorted(np.linspace(0, 1, 11)[1:-1], y_prob, side="left")
    total = weight.sum()
    if total == 0:
        return math.nan
    w = np.bincount(bins, weights=weight, minlength=10)
    positive = np.bincount(bins, weights=weight * y_true, minlength=10)
    score = np.bincount(bins, weights=weight * y_prob, minlength=10)
    seen = w > 0
    return float(np.sum(w[seen] / total * np.abs(positive[seen] / w[seen] - score[seen] / w[seen])))


@pytest.mark.parametrize("control", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_builtin_replicates_equal_sklearn_on_the_same_resampled_rows(control, weighted):
    """Built-in AUC / ECE replicates (computed in C++) equal a user callable's (called on
    the rows resampled for it), replicate by replicate: the same draws, exact metrics."""
    y, score, groups, region, weight = _data()
    w = {"sample_weight": weight} if weighted else {}
    frame = af.MetricFrame(
        metrics={
            "auc": af.roc_auc_score,
            "auc_user": sklearn_auc,
            "ece": af.expected_calibration_error,
            "ece_user": numpy_ece,
        },
        y_true=y,
        y_pred=score,
        sensitive_features=groups,
        control_features=region if control else None,
        sample_params={name: w for name in ("auc", "auc_user", "ece", "ece_user")} if weighted else None,
        n_boot=40,
        ci_quantiles=[0.05, 0.95],
        random_state=3,
    )
    replicates = frame._bootstrap.replicates
    assert frame._bootstrap.scheme == "poisson"
    for ours, theirs in (("auc", "auc_user"), ("ece", "ece_user")):
        for key in ("by_group", "overall", "difference_to_overall", "ratio_between_groups"):
            np.testing.assert_allclose(replicates[ours][key], replicates[theirs][key], rtol=1e-12, atol=1e-14)
        for a, b in zip(frame.by_group_ci, frame.by_group_ci):
            np.testing.assert_allclose(a[ours].to_numpy(), b[theirs].to_numpy(), rtol=1e-12)
    # The point estimates against scikit-learn, per group, with the weights.
    by_group = frame.by_group
    for key, rows in pd.Series(np.arange(len(y))).groupby([region, groups] if control else groups):
        rows = rows.to_numpy()
        expected = metrics_module.roc_auc_score(y[rows], score[rows], sample_weight=weight[rows] if weighted else None)
        assert by_group.loc[key, "auc"] == pytest.approx(expected, rel=1e-12)
        assert by_group.loc[key, "auc_user"] == pytest.approx(expected, rel=1e-12)


def test_all_metrics_of_a_frame_share_the_resampled_rows():
    """With a score metric in the frame every metric uses the Poisson rows: a callable
    computing the selection rate equals the built-in selection rate replicate by replicate."""
    y, score, groups, _, _ = _data(seed=1)
    predicted = (score > 0.5).astype(int)

    def share_selected(y_true, y_pred):
        return float(np.mean(y_pred > 0.5))

    frame = af.MetricFrame(
        metrics={"sel": af.selection_rate, "mine": share_selected, "auc": af.roc_auc_score},
        y_true=y,
        y_pred=score,
        sensitive_features=groups,
        n_boot=30,
        ci_quantiles=[0.5],
        random_state=2,
    )
    reference = af.MetricFrame(
        metrics={"sel": af.selection_rate},
        y_true=y,
        y_pred=predicted,
        sensitive_features=groups,
        sample_params={"sel": {"sample_weight": np.ones(len(y))}},
        n_boot=30,
        ci_quantiles=[0.5],
        random_state=2,
    )
    del frame._bootstrap.replicates["sel"]  # selection_rate of scores is not defined; only "mine" is compared
    np.testing.assert_allclose(
        frame._bootstrap.replicates["mine"]["by_group"], reference._bootstrap.replicates["sel"]["by_group"], rtol=1e-14
    )


def test_seeded_and_identical_for_every_n_jobs():
    y, score, groups, _, weight = _data(seed=2)
    kwargs = dict(
        metrics={"auc": af.roc_auc_score, "ece": af.expected_calibration_error, "user": numpy_ece},
        y_true=y,
        y_pred=score,
        sensitive_features=groups,
        n_boot=25,
        ci_quantiles=[0.1, 0.9],
        sample_params={"auc": {"sample_weight": weight}},
    )
    frames = [af.MetricFrame(**kwargs, random_state=9, n_jobs=jobs) for jobs in (1, 2, 3)]
    for other in frames[1:]:
        for q in range(2):
            pd.testing.assert_frame_equal(frames[0].by_group_ci[q], other.by_group_ci[q])
            pd.testing.assert_series_equal(frames[0].difference_ci()[q], other.difference_ci()[q])
    different = af.MetricFrame(**kwargs, random_state=10)
    assert not frames[0].by_group_ci[0].equals(different.by_group_ci[0])


def test_auc_interval_coverage_by_simulation():
    """Percentile intervals of a group's AUC cover the true AUC (binormal scores:
    Phi(mu / sqrt 2)) near the nominal 90%."""
    rng = np.random.default_rng(7)
    mu = 1.0
    truth = 0.5 * (1 + math.erf(mu / 2))
    trials, covered = 120, 0
    for t in range(trials):
        y = np.repeat([0, 1], [150, 150])
        score = rng.normal(mu * y, 1.0)
        groups = np.tile(["a", "b"], 150)
        frame = af.MetricFrame(
            metrics=af.roc_auc_score,
            y_true=y,
            y_pred=score,
            sensitive_features=groups,
            n_boot=300,
            ci_quantiles=[0.05, 0.95],
            random_state=t,
        )
        low, high = frame.overall_ci
        covered += low <= truth <= high
    assert 0.82 <= covered / trials <= 0.97


def test_user_callable_errors_say_where():
    y, score, groups, _, _ = _data(n=60, seed=4)

    def strict_auc(y_true, y_score):
        if len(np.unique(y_true)) < 2:
            raise ValueError("one class only")
        return metrics_module.roc_auc_score(y_true, y_score)

    small = np.where(np.arange(60) < 4, "tiny", groups)  # a 4-row group soon misses a class
    with pytest.raises(ValueError) as error:
        af.MetricFrame(
            metrics={"auc": strict_auc},
            y_true=y,
            y_pred=score,
            sensitive_features=small,
            n_boot=200,
            ci_quantiles=[0.5],
            random_state=0,
        )
    assert any("bootstrap replicate" in note for note in error.value.__notes__)
