"""The export set every result shares: JSON out and back, strict JSON, clear errors on foreign
or damaged JSON, escaped notebook HTML, and one standalone page per engine in a real browser.

Every result here carries a hostile label (a group, a column or a feature named like a script)
so that the same results check the escaping.
"""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from assay import drift, fairness, monitor, quality, review
from assay.errors import CorruptedStateError
from assay.explain import Explanation

HOSTILE = "<script>window.__pwned = 1</script>"
ESCAPED = "&lt;script&gt;window.__pwned = 1&lt;/script&gt;"


def _fairness_data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", HOSTILE], size=n)
    y_true = rng.integers(0, 2, size=n)
    y_pred = (rng.random(n) < np.where(group == "a", 0.6, 0.4)).astype(int)
    return group, y_true, y_pred, rng


def _metric_frame(intervals: bool, undefined: bool = False):
    group, y_true, y_pred, _ = _fairness_data()
    if undefined:
        y_true = np.where(group == "b", 0, y_true)  # group b has no positives: its TPR is undefined
    options = {"n_boot": 100, "ci_quantiles": [0.025, 0.975], "random_state": 0} if intervals else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fairness.MetricFrame(
            metrics={"selection_rate": fairness.selection_rate, "tpr": fairness.true_positive_rate},
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=group,
            **options,
        )


def _four_fifths():
    group, _, y_pred, _ = _fairness_data()
    return fairness.four_fifths(y_pred, sensitive_features=group)


def _calibration():
    group, y_true, _, rng = _fairness_data()
    return fairness.calibration_by_group(y_true, rng.random(len(group)), sensitive_features=group, n_bins=5)


def _explanation():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(200, 4))
    data[0, 1] = np.nan
    values = data * [1.0, 0.5, 0.2, 0.05]
    explanation = Explanation(
        values, base_values=np.full(200, 0.25), data=data, feature_names=["age", HOSTILE, "income", "height"]
    )
    explanation.standard_errors = np.abs(values) * 0.01
    explanation.nsamples = 64
    return explanation


def _tables(n=400, seed=2):
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame(
        {"age": rng.normal(40, 10, n), HOSTILE: rng.normal(size=n), "city": rng.choice(list("xyz"), n)}
    )
    current = pd.DataFrame(
        {
            "age": rng.normal(46, 10, n),
            HOSTILE: rng.normal(size=n),
            "city": rng.choice(list("xyz"), n, p=[0.6, 0.2, 0.2]),
        }
    )
    return reference, current


def _drift_report():
    reference, current = _tables()
    return drift.report(reference, current, correction="holm")


def _drift_over_time():
    reference, current = _tables()
    return drift.over_time(reference, current, n_chunks=3)


def _reconstruction():
    reference, current = _tables()
    numeric = [c for c in reference.columns if c != "city"]
    result = drift.pca_reconstruction(reference[numeric], current[numeric], n_chunks=4)
    result.chunks[0]["label"] = HOSTILE  # chunk labels are the text it shows
    return result


def _quality():
    reference, current = _tables()
    current.loc[:20, "age"] = np.nan
    return quality.check(current, rules={HOSTILE: {"max": 1.0}})


def _slices():
    from assay.slices import find_slices

    rng = np.random.default_rng(3)
    group = rng.choice(["a", HOSTILE], size=400)
    errors = (rng.random(400) < np.where(group == HOSTILE, 0.5, 0.1)).astype(float)
    return find_slices({"group": group, "x": rng.normal(size=400)}, errors, k=3, min_support=10)


def _routing():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(3), size=300)
    y = (rng.random(300)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 2)
    groups = rng.choice(["a", HOSTILE], size=300)
    return review.ReviewRouter(alpha=0.2).fit(p, y, groups).route(p, groups)


def _cbpe():
    rng = np.random.default_rng(3)
    p = rng.beta(2, 3, 2000)
    y = (rng.random(p.size) < p).astype(int)
    cbpe = monitor.CBPE(metrics=["f1", "roc_auc"], n_chunks=4, auc_draws=20).fit(y[:1000], p[:1000])
    key = np.repeat([HOSTILE, "later"], 500)  # chunk labels are the text it shows
    return cbpe.estimate(p[1000:], chunk=key, y_true=y[1000:])


RESULTS = {
    "metric_frame": lambda: _metric_frame(intervals=False),
    "metric_frame_intervals": lambda: _metric_frame(intervals=True),
    "metric_frame_undefined": lambda: _metric_frame(intervals=True, undefined=True),
    "four_fifths": _four_fifths,
    "calibration": _calibration,
    "explanation": _explanation,
    "drift_report": _drift_report,
    "drift_over_time": _drift_over_time,
    "reconstruction": _reconstruction,
    "quality": _quality,
    "slices": _slices,
    "routing": _routing,
    "cbpe": _cbpe,
}


@pytest.fixture(scope="module")
def results():
    return {name: make() for name, make in RESULTS.items()}


def _no_constants(name):
    raise AssertionError(f"non-strict JSON constant {name}")


@pytest.mark.parametrize("name", RESULTS)
def test_json_round_trip(results, name, tmp_path):
    result = results[name]
    text = result.to_json()
    data = json.loads(text, parse_constant=_no_constants)  # strict: no NaN or Infinity literal
    assert data["kind"] == type(result).__name__ and data["format"] == 1
    again = type(result).from_json(text)
    assert type(again) is type(result)
    assert again.to_dict() == result.to_dict()
    path = tmp_path / "result.json"
    result.to_json(path, indent=2)
    assert type(result).from_json(path).to_dict() == result.to_dict()


@pytest.mark.parametrize("name", RESULTS)
def test_foreign_or_damaged_json_is_corrupted_state(results, name):
    result = results[name]
    cls = type(result)
    other = results["quality" if cls is not quality.QualityReport else "drift_report"]
    with pytest.raises(CorruptedStateError, match="expected a"):
        cls.from_json(other.to_json())
    text = result.to_json()
    with pytest.raises(CorruptedStateError, match="not valid JSON"):
        cls.from_json(text[: len(text) // 2])
    with pytest.raises(CorruptedStateError, match="format 99"):
        cls.from_json(json.dumps({**json.loads(text), "format": 99}))
    emptied = {"kind": cls.__name__, "format": 1}
    with pytest.raises(CorruptedStateError, match="missing or wrong fields"):
        cls.from_json(json.dumps(emptied))


@pytest.mark.parametrize("name", RESULTS)
def test_notebook_html_escapes_labels(results, name):
    html = results[name]._repr_html_()
    assert HOSTILE not in html
    assert ESCAPED in html


def test_metric_frame_read_back_answers_like_the_original(results):
    original = results["metric_frame_undefined"]
    data = original.to_dict()
    b = data["groups"].index(["b"])
    assert data["metrics"]["tpr"]["by_group"][b] is None  # group b: undefined, stored as null
    assert len(data["metrics"]["tpr"]["ci"]["by_group"]) == 2  # one list per quantile
    restored = fairness.MetricFrame.from_json(original.to_json())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the undefined group warns on both frames alike
        pd.testing.assert_frame_equal(restored.by_group, original.by_group)
        pd.testing.assert_frame_equal(restored.undefined, original.undefined)
        pd.testing.assert_series_equal(restored.small_groups, original.small_groups)
        pd.testing.assert_series_equal(restored.overall, original.overall)
        for accessor in ("group_min", "group_max", "difference", "ratio"):
            pd.testing.assert_series_equal(getattr(restored, accessor)(), getattr(original, accessor)())
        for accessor in ("difference", "ratio"):
            pd.testing.assert_series_equal(
                getattr(restored, accessor)(method="to_overall"), getattr(original, accessor)(method="to_overall")
            )
        for mine, theirs in zip(restored.by_group_ci, original.by_group_ci):
            pd.testing.assert_frame_equal(mine, theirs)
        for mine, theirs in zip(restored.overall_ci, original.overall_ci):
            pd.testing.assert_series_equal(mine, theirs)
        for accessor in ("group_min_ci", "group_max_ci", "difference_ci", "ratio_ci"):
            for mine, theirs in zip(getattr(restored, accessor)(), getattr(original, accessor)()):
                pd.testing.assert_series_equal(mine, theirs)
    assert (restored.n_boot, restored.ci_quantiles, restored.convention) == (100, [0.025, 0.975], "strict")
    # One metric callable keeps fairlearn's single-metric shapes (a scalar overall).
    group, y_true, y_pred, _ = _fairness_data()
    single = fairness.MetricFrame(
        metrics=fairness.selection_rate, y_true=y_true, y_pred=y_pred, sensitive_features={"g": group, "h": y_true}
    )
    back = fairness.MetricFrame.from_json(single.to_json())
    assert back.overall == single.overall and back.difference() == single.difference()
    pd.testing.assert_series_equal(back.by_group, single.by_group)


def test_metric_frame_page_shows_intervals_and_undefined_values(results):
    without = results["metric_frame"]._repr_html_()
    assert "Intervals:" not in without
    html = results["metric_frame_undefined"]._repr_html_()
    assert "Intervals: the bootstrap quantiles 0.025 and 0.975 of 100 replicates" in html
    assert "NaN (the group has no actual positives (TP + FN = 0))" in html
    assert "NaN (a compared group&#39;s value is undefined)" in html  # the aggregates of tpr
    assert "selection_rate by group" in html and "tpr by group" in html  # a chart per metric


def test_explanation_keeps_every_field(results):
    original = results["explanation"]
    restored = Explanation.from_json(original.to_json())
    np.testing.assert_array_equal(restored.values, original.values)
    np.testing.assert_array_equal(restored.data, original.data)  # NaN where it was
    np.testing.assert_array_equal(restored.base_values, original.base_values)
    np.testing.assert_array_equal(restored.standard_errors, original.standard_errors)
    assert restored.feature_names == original.feature_names and restored.nsamples == 64
    # An indexed explanation (one feature over the rows) and an empty one keep their shapes.
    column = original[:, "age"]
    assert Explanation.from_json(column.to_json()).values.shape == (200,)
    empty = Explanation(np.zeros((0, 3)), feature_names=["a", "b", "c"])
    assert Explanation.from_json(empty.to_json()).values.shape == (0, 3)


# -- One standalone page per engine in a real browser ------------------------------------------------

PAGES = {
    "quality": ("quality", ["Findings", "Column profile"]),
    "drift": ("drift_report", ["Drift by column"]),
    "fairness": ("metric_frame_undefined", ["Metrics by group", "Aggregates", "Charts"]),
    "explain": ("explanation", ["Feature importance", "SHAP values", "Top features"]),
}


@pytest.mark.parametrize("engine", PAGES)
def test_standalone_page_in_a_browser(results, engine, browser_render, tmp_path):
    from PIL import Image

    name, titles = PAGES[engine]
    path = tmp_path / f"{engine}.html"
    results[name].to_html(path)
    page = browser_render(path)
    assert page.errors == []
    headings = page.texts("section > h2")
    for title in titles:
        assert any(heading.startswith(title) for heading in headings), (title, headings)
    assert page.page.evaluate("window.__pwned === undefined")
    assert page.count("svg[role=img] > title") == page.count("svg")
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.97 * image.width * image.height
