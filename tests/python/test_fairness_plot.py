from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from assay import fairness as af  # noqa: E402
from assay.plots import plot_metric_by_group  # noqa: E402


def test_plot_with_intervals_and_undefined_groups():
    rng = np.random.default_rng(0)
    groups = rng.choice(["a", "b", "c"], 600)
    y = np.where(groups == "c", 0, rng.integers(0, 2, 600))
    p = rng.integers(0, 2, 600)
    frame = af.MetricFrame(
        metrics={"tpr": af.true_positive_rate, "sel": af.selection_rate},
        y_true=y,
        y_pred=p,
        sensitive_features=groups,
        n_boot=50,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    ax = plot_metric_by_group(frame, "tpr")
    assert "1 undefined: c" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    ax = plot_metric_by_group(af.MetricFrame(metrics=af.selection_rate, y_true=y, y_pred=p, sensitive_features=groups))
    assert ax.get_xlabel() == "selection_rate"
    with pytest.raises(ValueError, match="metric"):
        plot_metric_by_group(frame, "zz")
    matplotlib.pyplot.close("all")
