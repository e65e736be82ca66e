"""The explanation plots draw what they say and reject explanations they cannot show."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from assay import plots  # noqa: E402
from assay.explain import Explanation  # noqa: E402


@pytest.fixture
def explanation():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(50, 12)) * np.arange(12, 0, -1)
    data = rng.normal(size=(50, 12))
    data[0, 0] = np.nan
    return Explanation(values, np.full(50, 0.5), data, [f"f{j}" for j in range(12)])


def test_bar_orders_by_mean_abs_and_groups_the_rest(explanation):
    ax = plots.bar(explanation, max_display=5)
    ticks = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    assert (
        ticks[4] == f"f{np.argmax(np.abs(explanation.values).mean(axis=0))}" and ticks[0] == "sum of 8 other features"
    )  # most important on top
    importance = np.abs(explanation.values).mean(axis=0)
    widths = [p.get_width() for p in ax.patches]
    order = np.argsort(-importance)
    np.testing.assert_allclose(widths, [*importance[order[:4]], importance[order[4:]].sum()])


def test_beeswarm_and_dependence(explanation):
    ax = plots.beeswarm(explanation, max_display=4)
    assert len([t.get_text() for t in ax.get_yticklabels()]) == 4
    ax = plots.dependence(explanation, "f2", color="f3")
    assert ax.get_xlabel() == "f2"
    with pytest.raises(ValueError, match="feature: 'nope'"):
        plots.dependence(explanation, "nope")


def test_waterfall_ends_at_the_prediction(explanation):
    row = explanation[3]
    ax = plots.waterfall(row, max_display=4)
    expected = 0.5 + explanation.values[3].sum()
    assert f"f(x) = {expected:.4g}" in ax.get_xlabel()
    with pytest.raises(ValueError, match="waterfall: expected values of 1 dimensions"):
        plots.waterfall(explanation)


def test_multi_output_needs_a_selection():
    multi = Explanation(np.zeros((4, 3, 2)), np.zeros((4, 2)), np.zeros((4, 3)), ["a", "b", "c"], ["no", "yes"])
    with pytest.raises(ValueError, match="select one output"):
        plots.bar(multi)
    plots.bar(multi[:, :, "yes"])
    plots.waterfall(multi[0, :, 1])
