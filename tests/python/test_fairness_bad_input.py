"""Bad input to assay.fairness gives a clear error naming the argument, or a documented
NaN with its reason; never a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assay import fairness as af

Y = np.array([0, 1, 1, 0, 1, 0])
P = np.array([0, 1, 0, 0, 1, 1])
G = np.array(["a", "a", "b", "b", "c", "c"])


def frame(**kwargs):
    base = dict(
        metrics={"sel": af.selection_rate, "tpr": af.true_positive_rate}, y_true=Y, y_pred=P, sensitive_features=G
    )
    base.update(kwargs)
    return af.MetricFrame(**base)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(y_pred=P[:5]), ValueError, "y_pred has 5"),
        (dict(sensitive_features=G[:4]), ValueError, "sensitive_features.*4 rows"),
        (dict(sample_params={"sel": {"sample_weight": np.ones(3)}}), ValueError, "sample_weight.*3 rows"),
        (dict(sample_params={"sel": {"sample_weight": np.array([1, 1, np.inf, 1, 1, 1])}}), ValueError, "finite"),
        (dict(sample_params={"sel": {"sample_weight": -np.ones(6)}}), ValueError, "non-negative"),
        (dict(sample_params={"zz": {"sample_weight": np.ones(6)}}), ValueError, "not metric names"),
        (dict(y_true=np.array([0, 1, np.nan, 0, 1, 0])), ValueError, "y_true contains NaN"),
        (dict(y_true=np.array([0, 1, 2, 0, 1, 0])), ValueError, r"\{0, 1\} or \{-1, 1\}"),
        (dict(y_true=np.array(list("nyynyn")), y_pred=np.array(list("nyynyn"))), ValueError, r"\{0, 1\}"),
        (dict(y_true=np.array([]), y_pred=np.array([]), sensitive_features=np.array([])), ValueError, "no rows"),
        (
            dict(sensitive_features=np.array(["a", None, "b", "b", "c", "c"], dtype=object)),
            ValueError,
            "sensitive feature 'sensitive_feature_0' has 1 missing",
        ),
        (dict(convention="aif"), ValueError, "convention"),
        (dict(missing="ignore"), ValueError, "missing"),
        (dict(min_support=-1), ValueError, "min_support"),
        (dict(min_support=2.5), ValueError, "min_support"),
        (dict(n_boot=10), ValueError, "together"),
        (dict(n_boot=0, ci_quantiles=[0.5]), ValueError, "n_boot"),
        (dict(n_boot=10, ci_quantiles=[1.5]), ValueError, "ci_quantiles"),
        (dict(metrics={"x": 3}), TypeError, "not callable"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        (dict(y_pred=np.ones((6, 2))), ValueError, "1-D"),
        (dict(sensitive_features=np.zeros((6, 2, 2))), ValueError, "dimensions"),
        (dict(sensitive_features=pd.DataFrame({0: G})), ValueError, "strings"),
        (dict(sensitive_features={"g": G}, control_features={"g": G}), ValueError, "repeat"),
        (dict(metrics=af.mean_absolute_error, y_pred=np.array(list("abcdef"))), TypeError, "y_pred"),
        (dict(metrics=af.mean_absolute_error, y_pred=np.array([0, 1, np.nan, 0, 1, 0])), ValueError, "y_pred"),
        (dict(y_pred=np.array(list("abcdef")), y_true=Y), TypeError, "both be numbers"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        frame(**kwargs)


def test_bootstrap_needs_scalar_metrics():
    with pytest.raises(ValueError, match="non-scalar"):
        frame(metrics={"m": lambda y, p: np.array([0.0, 1.0])}, n_boot=5, ci_quantiles=[0.5])
    with pytest.raises(ValueError, match="confidence intervals need"):
        _ = frame().overall_ci


def test_accessor_arguments_are_checked():
    f = frame()
    with pytest.raises(ValueError, match="method"):
        f.difference(method="pairwise")
    with pytest.raises(ValueError, match="errors"):
        f.group_min(errors="ignore")


def test_one_group_only():
    kwargs = dict(y_true=Y, y_pred=P, sensitive_features=np.full(6, "a"))
    with pytest.raises(ValueError, match="only one group"):
        af.demographic_parity_difference(**kwargs)
    with pytest.raises(ValueError, match="only one group"):
        af.equalized_odds_ratio(**kwargs)
    assert af.demographic_parity_difference(**kwargs, convention="fairlearn") == 0.0  # as fairlearn


def test_degenerate_but_valid_input_gives_nan_with_reasons():
    # One row, one class, empty intersections, zero weights.
    f = af.MetricFrame(
        metrics={"tpr": af.true_positive_rate, "sel": af.selection_rate, "r2": af.r2_score},
        y_true=np.array([1.0, 0.0, 0.0]),
        y_pred=np.array([1.0, 0.0, 1.0]),
        sensitive_features=pd.DataFrame({"a": ["x", "y", "y"], "b": ["u", "v", "v"]}),
        sample_params={"sel": {"sample_weight": np.array([1.0, 0.0, 0.0])}},
    )
    by_group = f.by_group
    reasons = f.undefined
    assert np.isnan(by_group.loc[("x", "v"), "tpr"]) and reasons.loc[("x", "v"), "tpr"] == "the group has no rows"
    assert np.isnan(by_group.loc[("y", "v"), "tpr"]) and "no actual positives" in reasons.loc[("y", "v"), "tpr"]
    assert np.isnan(by_group.loc[("y", "v"), "sel"]) and "sum to zero" in reasons.loc[("y", "v"), "sel"]
    assert np.isnan(by_group.loc[("x", "u"), "r2"]) and "two rows" in reasons.loc[("x", "u"), "r2"]
    assert np.isnan(by_group.loc[("y", "v"), "r2"]) and "constant" in reasons.loc[("y", "v"), "r2"]
    strict_value = af.r2_score([1.0, 1.0], [1.0, 1.0])
    assert np.isnan(strict_value) and af.r2_score([1.0, 1.0], [1.0, 1.0], convention="fairlearn") == 1.0


def test_missing_policies_are_reported():
    groups = np.array(["a", None, "b", "b", None, "a"], dtype=object)
    own = frame(sensitive_features=groups, missing="own_group")
    assert list(own.by_group.index) == ["a", "b", "(missing)"]
    assert own.missing_rows == {"sensitive_feature_0": 2} and own.dropped_rows == 0
    dropped = frame(sensitive_features=groups, missing="drop")
    assert list(dropped.by_group.index) == ["a", "b"]
    assert dropped.dropped_rows == 2
    kept = np.array([0, 2, 3, 5])
    assert dropped.overall["sel"] == af.selection_rate(Y[kept], P[kept])
    numeric = frame(sensitive_features=np.array([1.0, np.nan, 2.0, 2.0, 1.0, 1.0]), missing="own_group")
    assert numeric.by_group.index.tolist() == [1.0, 2.0, "(missing)"]


def test_inputs_are_not_modified_and_non_contiguous_arrays_work():
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1])
    p = y[::-1].copy()
    g = np.array(list("abcabcabcabc"))
    copies = (y.copy(), p.copy(), g.copy())
    f = af.MetricFrame(metrics=af.selection_rate, y_true=y[::2], y_pred=p[::2], sensitive_features=g[::2])
    expected = af.MetricFrame(
        metrics=af.selection_rate, y_true=y[::2].copy(), y_pred=p[::2].copy(), sensitive_features=g[::2].copy()
    )
    pd.testing.assert_series_equal(f.by_group, expected.by_group)
    for a, b in zip((y, p, g), copies):
        np.testing.assert_array_equal(a, b)


def test_more_than_two_labels():
    y = np.array(["a", "b", "c", "a", "b", "c"])
    p = np.array(["a", "b", "b", "a", "c", "c"])
    with pytest.raises(ValueError, match="no more than two"):
        af.MetricFrame(metrics=lambda_free_tpr("a"), y_true=y, y_pred=p, sensitive_features=G, convention="fairlearn")
    # strict with an explicit pos_label: one class versus the rest.
    f = af.MetricFrame(metrics=lambda_free_tpr("a"), y_true=y, y_pred=p, sensitive_features=G)
    assert f.overall == 1.0
    assert af.MetricFrame(metrics=af.accuracy_score, y_true=y, y_pred=p, sensitive_features=G).overall == 4 / 6
    with pytest.raises(ValueError, match="distinct values"):
        af.selection_rate(np.arange(1000.0), np.arange(1000.0) / 7)


def lambda_free_tpr(pos_label):
    import functools

    return functools.partial(af.true_positive_rate, pos_label=pos_label)


def test_score_inputs():
    with pytest.raises(ValueError, match="probability"):
        af.calibration_by_group([0, 1], [0.5, 1.5], sensitive_features=["a", "b"])
    with pytest.raises(ValueError, match="n_bins"):
        af.calibration_by_group([0, 1], [0.5, 0.5], sensitive_features=["a", "b"], n_bins=0)
    with pytest.raises(ValueError, match="binary"):
        af.roc_auc_score([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="alpha"):
        af.generalized_entropy_index([0, 1], [0, 1], alpha=float("nan"))
    with pytest.raises(ValueError, match="concentration"):
        af.smoothed_edf([0, 1], sensitive_features=["a", "b"], concentration=-1)
    with pytest.raises(ValueError, match="threshold"):
        af.four_fifths([0, 1], sensitive_features=["a", "b"], threshold=2)
    with pytest.raises(ValueError, match="confidence"):
        af.wilson_interval([1], [2], confidence=95)
