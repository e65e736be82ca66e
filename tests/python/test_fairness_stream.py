"""Streaming accumulators: chunks merged in any grouping equal one pass over all rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assay import fairness as af


def chunks(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "race": rng.choice(["A", "B", "C"], n),
            "sex": rng.choice(["f", "m"], n),
            "y": rng.integers(0, 2, n),
            "p": rng.integers(0, 2, n),
            "w": rng.random(n),
        }
    )
    return data, [data.iloc[i : i + 1200] for i in range(0, n, 1200)]


LEVELS = {"race": ["A", "B", "C"], "sex": ["f", "m"]}


@pytest.mark.parametrize("weighted", [False, True])
def test_chunks_merge_to_the_whole(weighted):
    data, parts = chunks()
    accumulators = []
    for part in parts:
        acc = af.ConfusionAccumulator(levels=LEVELS, labels=[0, 1], weighted=weighted)
        acc.update(part["y"], part["p"], sensitive_features=part, sample_weight=part["w"] if weighted else None)
        accumulators.append(af.ConfusionAccumulator.from_bytes(acc.to_bytes()))
    merged = accumulators[0]
    for other in accumulators[1:]:
        merged = merged.merge(other)
    whole = af.ConfusionAccumulator(levels=LEVELS, labels=[0, 1], weighted=weighted).update(
        data["y"], data["p"], sensitive_features=data, sample_weight=data["w"] if weighted else None
    )
    np.testing.assert_array_equal(merged.counts, whole.counts)
    metrics = ["selection_rate", "true_positive_rate", "accuracy"]
    expected = af.MetricFrame(
        metrics={m: f for m, f in zip(metrics, [af.selection_rate, af.true_positive_rate, af.accuracy_score])},
        y_true=data["y"],
        y_pred=data["p"],
        sensitive_features=data[["race", "sex"]],
        sample_params={m: {"sample_weight": data["w"]} for m in metrics} if weighted else None,
    ).by_group
    pd.testing.assert_frame_equal(merged.by_group(metrics), expected, rtol=1e-12, check_names=True)


def test_bad_input():
    acc = af.ConfusionAccumulator(levels={"g": ["a", "b"]}, labels=[0, 1])
    with pytest.raises(ValueError, match="not declared"):
        acc.update([0, 1], [0, 1], sensitive_features={"g": ["a", "zz"]})
    with pytest.raises(ValueError, match="y_true: values not declared"):
        acc.update([0, 2], [0, 1], sensitive_features={"g": ["a", "b"]})
    with pytest.raises(ValueError, match="missing features"):
        acc.update([0, 1], [0, 1], sensitive_features={"h": ["a", "b"]})
    with pytest.raises(ValueError, match="sample_weight"):
        acc.update([0, 1], [0, 1], sensitive_features={"g": ["a", "b"]}, sample_weight=[1.0, 1.0])
    with pytest.raises(ValueError, match="different levels"):
        acc.merge(af.ConfusionAccumulator(levels={"g": ["a"]}, labels=[0, 1]))
    with pytest.raises(ValueError, match="serialised"):
        af.ConfusionAccumulator.from_bytes(b"xx")
    with pytest.raises(ValueError, match="distinct"):
        af.ConfusionAccumulator(levels={"g": ["a", "a"]}, labels=[0, 1])
    by_group = acc.by_group(["selection_rate"])
    assert by_group["selection_rate"].isna().all()  # no rows yet


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_chunks_merge_to_the_whole(weighted):
    data, parts = chunks(seed=3)
    rng = np.random.default_rng(4)
    data["t"] = rng.normal(3, 2, len(data))
    data["q"] = data["t"] + rng.normal(0.2, 1, len(data))
    parts = [data.iloc[i : i + 1200] for i in range(0, len(data), 1200)]
    merged = None
    for part in parts:
        acc = af.RegressionAccumulator(levels=LEVELS, weighted=weighted)
        acc.update(part["t"], part["q"], sensitive_features=part, sample_weight=part["w"] if weighted else None)
        acc = af.RegressionAccumulator.from_bytes(acc.to_bytes())
        merged = acc if merged is None else merged.merge(acc)
    names = {
        "mean_prediction": af.mean_prediction,
        "mean_error": af.mean_error,
        "mean_absolute_error": af.mean_absolute_error,
        "mean_squared_error": af.mean_squared_error,
        "root_mean_squared_error": af.root_mean_squared_error,
        "r2": af.r2_score,
    }
    weights = {"sample_weight": data["w"].to_numpy()} if weighted else None
    expected = af.MetricFrame(
        metrics=names,
        y_true=data["t"],
        y_pred=data["q"],
        sensitive_features=data[["race", "sex"]],
        sample_params={m: weights for m in names} if weighted else None,
    ).by_group
    result = merged.by_group()
    np.testing.assert_allclose(result.to_numpy(), expected.rename(columns={"r2_score": "r2"}).to_numpy(), rtol=1e-12)
    assert result.index.equals(expected.index)
    np.testing.assert_array_equal(merged.rows, data.groupby(["race", "sex"]).size().to_numpy())


def test_regression_accumulator_bad_input():
    acc = af.RegressionAccumulator(levels={"g": ["a", "b"]})
    with pytest.raises(ValueError, match="y_true contains NaN"):
        acc.update([1.0, np.nan], [1.0, 2.0], sensitive_features={"g": ["a", "b"]})
    with pytest.raises(ValueError, match="not declared"):
        acc.update([1.0, 2.0], [1.0, 2.0], sensitive_features={"g": ["a", "z"]})
    with pytest.raises(ValueError, match="y_pred has 1"):
        acc.update([1.0, 2.0], [1.0], sensitive_features={"g": ["a", "b"]})
    with pytest.raises(ValueError, match="merge"):
        acc.merge(af.ConfusionAccumulator(levels={"g": ["a", "b"]}, labels=[0, 1]))
    with pytest.raises(ValueError, match="serialised RegressionAccumulator"):
        af.RegressionAccumulator.from_bytes(af.ConfusionAccumulator(levels={"g": ["a", "b"]}, labels=[0, 1]).to_bytes())
    empty = acc.by_group()
    assert empty.isna().all().all()  # no rows yet: every metric undefined
