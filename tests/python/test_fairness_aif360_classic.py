"""AIF360's classic API (BinaryLabelDataset, BinaryLabelDatasetMetric,
ClassificationMetric) on the same data as assay: equal within 1e-12."""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from assay import fairness as af


def _classic():
    # AIF360 logs a warning per optional algorithm it cannot import (TensorFlow, ...).
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            datasets = pytest.importorskip("aif360.datasets")
            metrics = pytest.importorskip("aif360.metrics")
    finally:
        root.setLevel(level)
    return datasets, metrics


def _data(seed, n=1200):
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, n).astype(float)
    race = rng.integers(0, 3, n).astype(float)
    y = (rng.random(n) < 0.35 + 0.2 * sex).astype(float)
    p = (rng.random(n) < 0.3 + 0.3 * y + 0.1 * sex).astype(float)
    weight = rng.uniform(0.5, 2.0, n)
    return sex, race, y, p, weight


def _metrics(sex, race, y, p, weight):
    datasets, metrics = _classic()
    frame = pd.DataFrame({"sex": sex, "race": race, "y": y, "w": weight})
    truth = datasets.BinaryLabelDataset(
        df=frame,
        label_names=["y"],
        protected_attribute_names=["sex", "race"],
        instance_weights_name="w",
        favorable_label=1.0,
        unfavorable_label=0.0,
    )
    predicted = truth.copy(deepcopy=True)
    predicted.labels = p.reshape(-1, 1)
    groups = dict(unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
    return (metrics.ClassificationMetric(truth, predicted, **groups), metrics.BinaryLabelDatasetMetric(truth, **groups))


@pytest.mark.parametrize("seed", [0, 1])
def test_classification_metric_matches(seed):
    sex, race, y, p, weight = _data(seed)
    classic, dataset_metric = _metrics(sex, race, y, p, weight)
    w = {"sample_weight": weight}
    by = af.MetricFrame(
        metrics={
            "sel": af.selection_rate,
            "tpr": af.true_positive_rate,
            "fpr": af.false_positive_rate,
            "acc": af.accuracy_score,
        },
        y_true=y,
        y_pred=p,
        sensitive_features=sex,
        sample_params={m: w for m in ("sel", "tpr", "fpr", "acc")},
    ).by_group
    u, v = by.loc[0.0], by.loc[1.0]  # unprivileged, privileged
    expected = {
        "disparate_impact": u.sel / v.sel,
        "statistical_parity_difference": u.sel - v.sel,
        "equal_opportunity_difference": u.tpr - v.tpr,
        "average_odds_difference": 0.5 * ((u.fpr - v.fpr) + (u.tpr - v.tpr)),
        "error_rate_difference": (1 - u.acc) - (1 - v.acc),
    }
    for name, value in expected.items():
        assert getattr(classic, name)() == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert classic.average_abs_odds_difference() == pytest.approx(
        af.equalized_odds_difference(y, p, sensitive_features=sex, sample_weight=weight, agg="mean"), rel=1e-12
    )
    assert abs(classic.statistical_parity_difference()) == pytest.approx(
        af.demographic_parity_difference(y, p, sensitive_features=sex, sample_weight=weight), rel=1e-12
    )
    # The inequality indices are unweighted in AIF360 and in assay.
    for alpha in (0.5, 1, 2, 3):
        assert classic.generalized_entropy_index(alpha) == pytest.approx(
            af.generalized_entropy_index(y, p, alpha=alpha), rel=1e-12
        )
        assert classic.between_group_generalized_entropy_index(alpha) == pytest.approx(
            af.between_group_generalized_entropy_index(y, p, sensitive_features=sex, alpha=alpha), rel=1e-12
        )
        assert classic.between_all_groups_generalized_entropy_index(alpha) == pytest.approx(
            af.between_group_generalized_entropy_index(
                y, p, sensitive_features={"sex": sex, "race": race}, alpha=alpha
            ),
            rel=1e-12,
        )
    assert classic.theil_index() == pytest.approx(af.theil_index(y, p), rel=1e-12)
    assert classic.between_group_theil_index() == pytest.approx(
        af.between_group_theil_index(y, p, sensitive_features=sex), rel=1e-12
    )
    assert classic.between_all_groups_theil_index() == pytest.approx(
        af.between_group_theil_index(y, p, sensitive_features=np.stack([sex, race], axis=1)), rel=1e-12
    )
    # BinaryLabelDatasetMetric reads the (weighted) true labels.
    base = af.MetricFrame(
        metrics=af.selection_rate, y_true=y, y_pred=y, sensitive_features=sex, sample_params={"sample_weight": weight}
    ).by_group
    assert dataset_metric.disparate_impact() == pytest.approx(base.loc[0.0] / base.loc[1.0], rel=1e-12)
    assert dataset_metric.smoothed_empirical_differential_fairness() == pytest.approx(
        af.smoothed_edf(y, sensitive_features={"sex": sex, "race": race}, sample_weight=weight), rel=1e-12
    )
    assert dataset_metric.smoothed_empirical_differential_fairness(concentration=0.3) == pytest.approx(
        af.smoothed_edf(y, sensitive_features={"sex": sex, "race": race}, sample_weight=weight, concentration=0.3),
        rel=1e-12,
    )


def test_undefined_rates_are_nan_in_both():
    """A group without actual positives: AIF360's classic API gives NaN, as assay's
    strict convention does (fairlearn's convention would give 0)."""
    sex, race, y, p, weight = _data(3, n=400)
    y = np.where(sex == 0, 0.0, y)
    classic, _ = _metrics(sex, race, y, p, weight)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = classic.equal_opportunity_difference()
    ours = af.MetricFrame(
        metrics=af.true_positive_rate,
        y_true=y,
        y_pred=p,
        sensitive_features=sex,
        sample_params={"sample_weight": weight},
    )
    assert math.isnan(theirs) and math.isnan(ours.by_group.loc[0.0])
    assert ours.undefined.loc[0.0].iloc[0] != ""
