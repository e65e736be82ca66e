"""Invariants of the fairness engine (hypothesis): merged accumulators equal the whole,
serialisation round-trips, results do not depend on row order or n_jobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assay import _core
from assay import fairness as af
from hypothesis import given, settings
from hypothesis import strategies as st

core = _core.fairness


@st.composite
def rows(draw):
    n = draw(st.integers(1, 300))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    n_levels = draw(st.integers(1, 5))
    codes = rng.integers(-1, n_levels, n).astype(np.int32)
    y = rng.integers(0, 3, n).astype(np.int32)
    p = rng.integers(0, 3, n).astype(np.int32)
    w = rng.choice([0.0, 0.5, 1.0, 2.0], n)
    return codes, n_levels, y, p, w, rng


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(rows(), st.integers(1, 299))
def test_merged_chunks_equal_the_whole(data, cut):
    codes, n_levels, y, p, w, rng = data
    cut = min(cut, len(y))
    index = core.build_group_index([("g", codes, n_levels)], core.MissingPolicy.own_group, False, 1)
    groups, n_groups = index["row_group"], index["n_groups"]
    whole = core.accumulate_confusion(groups, n_groups, y, p, 3, w, 1)
    a = core.accumulate_confusion(groups[:cut].copy(), n_groups, y[:cut].copy(), p[:cut].copy(), 3, w[:cut].copy(), 1)
    b = core.accumulate_confusion(groups[cut:].copy(), n_groups, y[cut:].copy(), p[cut:].copy(), 3, w[cut:].copy(), 1)
    merged = core.ConfusionStats.from_bytes(a.to_bytes()).merge(core.ConfusionStats.from_bytes(b.to_bytes()))
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.weights, whole.weights, rtol=1e-12)
    t, q = rng.normal(size=len(y)), rng.normal(size=len(y))
    whole_r = core.accumulate_regression(groups, n_groups, t, q, w, 1)
    ra = core.accumulate_regression(groups[:cut].copy(), n_groups, t[:cut].copy(), q[:cut].copy(), w[:cut].copy(), 1)
    rb = core.accumulate_regression(groups[cut:].copy(), n_groups, t[cut:].copy(), q[cut:].copy(), w[cut:].copy(), 1)
    merged_r = core.RegressionStats.from_bytes(ra.to_bytes()).merge(core.RegressionStats.from_bytes(rb.to_bytes()))
    np.testing.assert_array_equal(merged_r.count, whole_r.count)
    for field in ("weight", "mean_true", "m2_true", "sum_pred", "sum_sq_error"):
        np.testing.assert_allclose(getattr(merged_r, field), getattr(whole_r, field), rtol=1e-9, atol=1e-9)


def test_bytes_that_are_not_an_accumulator_are_rejected():
    import pytest

    with pytest.raises(ValueError, match="serialised"):
        core.ConfusionStats.from_bytes(b"nonsense")
    stats = core.accumulate_confusion(
        np.zeros(3, np.int32), 1, np.zeros(3, np.int32), np.zeros(3, np.int32), 2, None, 1
    )
    with pytest.raises(ValueError, match="serialised"):
        core.ConfusionStats.from_bytes(stats.to_bytes()[:-3])
    with pytest.raises(ValueError, match="merge"):
        stats.merge(
            core.accumulate_confusion(
                np.zeros(3, np.int32), 2, np.zeros(3, np.int32), np.zeros(3, np.int32), 2, None, 1
            )
        )


@SETTINGS
@given(rows())
@pytest.mark.filterwarnings("ignore::assay.warnings.UndefinedMetricWarning")  # generated groups may lack positives
def test_row_order_and_n_jobs_do_not_change_results(data):
    codes, n_levels, y, p, w, rng = data
    y2, p2 = (y > 0).astype(int), (p > 0).astype(int)
    groups = np.where(codes < 0, 0, codes)
    metrics = {
        "sel": af.selection_rate,
        "tpr": af.true_positive_rate,
        "acc": af.accuracy_score,
        "mp": af.mean_prediction,
    }
    params = {"sel": {"sample_weight": w}, "mp": {"sample_weight": w}}
    base = af.MetricFrame(
        metrics=metrics, y_true=y2, y_pred=p2, sensitive_features=groups, sample_params=params, n_jobs=1
    )
    order = rng.permutation(len(y))
    shuffled = af.MetricFrame(
        metrics=metrics,
        y_true=y2[order],
        y_pred=p2[order],
        sensitive_features=groups[order],
        sample_params={k: {"sample_weight": w[order]} for k in params},
        n_jobs=2,
    )
    pd.testing.assert_frame_equal(base.by_group, shuffled.by_group, rtol=1e-12)
    pd.testing.assert_series_equal(base.difference(), shuffled.difference(), rtol=1e-12)
    threads = af.MetricFrame(
        metrics=metrics, y_true=y2, y_pred=p2, sensitive_features=groups, sample_params=params, n_jobs=3
    )
    pd.testing.assert_frame_equal(base.by_group, threads.by_group, rtol=0, atol=0)


def test_large_input_is_identical_across_thread_counts():
    rng = np.random.default_rng(0)
    n = 300_000  # several row blocks
    y = rng.integers(0, 2, n)
    p = rng.integers(0, 2, n)
    w = rng.random(n)
    g = pd.DataFrame({"a": rng.integers(0, 7, n), "b": rng.integers(0, 5, n)})
    frames = [
        af.MetricFrame(
            metrics={"sel": af.selection_rate, "fpr": af.false_positive_rate},
            y_true=y,
            y_pred=p,
            sensitive_features=g,
            sample_params={"sel": {"sample_weight": w}},
            n_jobs=jobs,
        )
        for jobs in (1, 2, 4)
    ]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0].by_group, other.by_group, rtol=0, atol=0)


def test_observed_groups_and_group_order():
    g = pd.DataFrame({"a": ["z", "y", "z", "x"], "b": [2, 1, 1, 2]})
    full = af.MetricFrame(metrics=af.count, y_true=[0, 1, 1, 0], y_pred=[0, 1, 0, 0], sensitive_features=g)
    observed = af.MetricFrame(
        metrics=af.count, y_true=[0, 1, 1, 0], y_pred=[0, 1, 0, 0], sensitive_features=g, observed=True
    )
    assert len(full.by_group) == 6 and full.by_group.isna().sum() == 2
    assert observed.by_group.index.tolist() == [("x", 2), ("y", 1), ("z", 1), ("z", 2)]
    assert observed.by_group.tolist() == [1, 1, 1, 1]


def test_exports_are_json_safe():
    import json

    f = af.MetricFrame(
        metrics={"tpr": af.true_positive_rate, "n": af.count},
        y_true=[0, 0, 1, 1],
        y_pred=[0, 1, 1, 0],
        sensitive_features=pd.DataFrame({"a": ["x", "y", "x", "z"], "b": [1, 1, 2, 2]}),
    )
    text = json.dumps(f.to_dict())
    assert "NaN" not in text
    long = f.to_frame()
    assert {"metric", "value", "undefined"} <= set(long.columns)
    assert "MetricFrame" in f._repr_html_() and "no rows" in f._repr_html_()
