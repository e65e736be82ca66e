"""Drift figures draw what they say, and reject what they cannot draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from assay import drift, plots  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(list("ab"), 500)})
    current = pd.DataFrame({"x": rng.normal(1, size=600), "c": rng.choice(list("abc"), 600)})
    return reference, current


def test_distribution_numeric_and_categorical(data):
    reference, current = data
    ax = plots.drift_distribution(reference, current, "x", bins=20)
    assert len(ax.patches) == 40 and ax.get_title() == "x"
    ax = plots.drift_distribution(reference, current, "c")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="must be in both"):
        plots.drift_distribution(reference, current, "nope")
    with pytest.raises(ValueError, match="bins"):
        plots.drift_distribution(reference, current, "x", bins=0)


def test_over_time_and_reconstruction_figures(data):
    reference, current = data
    result = drift.over_time(reference, current, chunk_size=100)
    ax = plots.drift_over_time(result)
    assert len(ax.get_lines()) == 4  # a score line and a threshold line per column
    ax = plots.drift_over_time(result, "x")
    assert len(ax.get_lines()) == 2
    with pytest.raises(TypeError, match="DriftOverTime"):
        plots.drift_over_time("nope")
    pca = drift.pca_reconstruction(
        reference[["x"]].assign(y=reference["x"] * 2), current[["x"]].assign(y=-current["x"]), chunk_size=200
    )
    ax = plots.reconstruction_error(pca)
    assert len(ax.get_lines()) == 1
