"""assay.slices: exact top-K against brute force and the sliceline package, statistics against
statsmodels, thread invariance, exports and bad input."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from assay import _core
from assay.errors import InvalidInputError, InvalidTypeError
from assay.slices import SliceResult, find_slices
from assay.slices._inputs import coded_features


def _planted(n: int, seed: int, binary: bool) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = {
        "a": rng.integers(0, 3, n),
        "b": rng.choice(["x", "y"], n),
        "c": rng.integers(0, 4, n),
        "d": rng.normal(size=n),  # binned into quantiles
    }
    rate = np.where((X["a"] == 1) & (X["b"] == "x"), 0.6, 0.2)
    errors = (rng.random(n) < rate).astype(float) if binary else rng.random(n) * 2 * rate
    return X, errors


def _brute_force(X: dict, errors: np.ndarray, *, max_level: int, min_support: int, alpha: float, k: int, n_bins: int):
    """Every slice of at most max_level predicates over the same codes, scored from the rows."""
    features = coded_features(X, n_bins, "quantile")
    n, average = len(errors), errors.mean()
    found = []
    for level in range(1, max_level + 1):
        for chosen in itertools.combinations(range(len(features)), level):
            codes = [features[j].codes for j in chosen]
            values = [np.unique(c) for c in codes]
            for combo in itertools.product(*values):
                mask = np.logical_and.reduce([c == v for c, v in zip(codes, combo)])
                size = int(mask.sum())
                if size < min_support:
                    continue
                error_sum = float(errors[mask].sum())
                score = alpha * (error_sum / size / average - 1) - (1 - alpha) * (n / size - 1)
                if score > 0:
                    text = " and ".join(features[j].describe(int(v)) for j, v in zip(chosen, combo))
                    found.append((score, text))
    found.sort(key=lambda s: -s[0])
    return found[:k]


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize(("max_level", "alpha"), [(1, 0.9), (2, 0.95), (3, 0.5), (4, 0.99)])
def test_top_k_equals_brute_force(binary, max_level, alpha):
    X, errors = _planted(600, 3, binary)
    settings = {"max_level": max_level, "min_support": 15, "alpha": alpha, "k": 8, "n_bins": 3}
    expected = _brute_force(X, errors, **settings)
    result = find_slices(X, errors, **settings, n_jobs=2)
    np.testing.assert_allclose(result.score, [s for s, _ in expected], rtol=1e-12)
    # Tied scores may list slices in another order than the brute force; untied ones match.
    scores = [s for s, _ in expected]
    for i, (score, text) in enumerate(expected):
        if scores.count(score) == 1:
            assert result.descriptions[i] == text


@pytest.fixture(scope="module")
def sliceline_package():
    package = pytest.importorskip("sliceline")
    # Its NumPy path computes the same numbers as its numba kernels, without their JIT compile
    # time (seconds of CPU per test session).
    mp = pytest.MonkeyPatch()
    mp.setattr("sliceline.slicefinder.NUMBA_AVAILABLE", False)
    yield package
    mp.undo()


def _package_experiment(seed: int, n_small: int) -> tuple[np.ndarray, np.ndarray]:
    """The sliceline package's end-to-end experiments 1 and 3 (tests/conftest.py): two planted
    features and a random one."""
    rng = np.random.RandomState(seed)
    X = np.array(
        [
            [1] * n_small + [2] * (n_small // 2) + [1] * (n_small // 2),
            [1] * n_small + [1] * (n_small // 2) + [2] * (n_small // 2),
            rng.randint(1, 4, size=2 * n_small),
        ]
    ).T
    errors = np.array([1.0] * n_small + [0.0] * n_small)
    return X, errors


@pytest.mark.parametrize(("seed", "n_small"), [(1, 10), (3, 100)])
def test_same_top_k_as_the_sliceline_package_on_its_examples(sliceline_package, seed, n_small):
    X, errors = _package_experiment(seed, n_small)
    model = sliceline_package.Slicefinder(alpha=0.95, k=2, max_l=2, min_sup=1, verbose=False).fit(X, errors)
    theirs = [s["slice_score"] for s in model.top_slices_statistics_][:2]
    for pruning in ("sliceline", "exact"):
        ours = find_slices(X.astype(str), errors, alpha=0.95, k=2, max_level=2, min_support=1, pruning=pruning)
        np.testing.assert_allclose(ours.score, theirs, rtol=1e-12)
    assert ours.descriptions[0] == "x0 = 1 and x1 = 1"
    assert [int(v) if v is not None else None for v in model.top_slices_[0]] == [1, 1, None]


def test_same_top_k_as_the_sliceline_package_on_random_data(sliceline_package):
    rng = np.random.default_rng(7)
    X = rng.integers(0, 4, size=(2000, 6))
    errors = np.where((X[:, 0] == 1) & (X[:, 2] == 3), rng.random(2000), rng.random(2000) * 0.3)
    model = sliceline_package.Slicefinder(alpha=0.9, k=6, max_l=3, min_sup=20, verbose=False).fit(X, errors)
    theirs = np.array([s["slice_score"] for s in model.top_slices_statistics_])[:6]
    for pruning in ("sliceline", "exact"):
        ours = find_slices(X, errors, alpha=0.9, k=6, max_level=3, min_support=20, pruning=pruning, n_bins=4)
        np.testing.assert_allclose(ours.score, theirs, rtol=1e-12)


def test_results_do_not_depend_on_n_jobs():
    X, errors = _planted(3000, 5, False)
    one = find_slices(X, errors, k=15, min_support=10, alpha=0.99, n_jobs=1)
    two = find_slices(X, errors, k=15, min_support=10, alpha=0.99, n_jobs=2)
    assert one.to_dict() == two.to_dict()
    assert len(one) == 15


def test_statistics_match_statsmodels():
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    for binary in (True, False):
        X, errors = _planted(2000, 11, binary)
        result = find_slices(X, errors, k=4, min_support=20, max_level=2, confidence_level=0.9)
        assert result.binary_errors is binary
        features = coded_features(X, 10, "quantile")
        texts = {f.describe(int(v)): f.codes == v for f in features for v in np.unique(f.codes)}
        for i, predicates in enumerate(result.predicates):
            mask = np.logical_and.reduce([texts[p] for p in predicates])
            assert result.size[i] == mask.sum()
            inside, outside = errors[mask], errors[~mask]
            z, p = CompareMeans(DescrStatsW(inside), DescrStatsW(outside)).ztest_ind(
                alternative="larger", usevar="unequal"
            )
            np.testing.assert_allclose([result.statistic[i], result.p_value[i]], [z, p], rtol=1e-9, atol=1e-300)
            if binary:
                low, high = proportion_confint(inside.sum(), len(inside), alpha=0.1, method="wilson")
            else:
                low, high = DescrStatsW(inside).zconfint_mean(alpha=0.1)
                low = max(low, 0.0)
            np.testing.assert_allclose([result.ci_low[i], result.ci_high[i]], [low, high], rtol=1e-9)
            assert result.p_value_adjusted[i] >= result.p_value[i]
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.04, 0.9])
    np.testing.assert_allclose(_core.slices.benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], rtol=1e-15)


def test_metrics_give_the_per_row_errors_of_scikit_learn():
    from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, zero_one_loss

    rng = np.random.default_rng(2)
    X = {"g": rng.integers(0, 3, 300)}
    y = rng.integers(0, 2, 300)
    proba = np.clip(rng.random(300), 0.01, 0.99)
    labels = (proba > 0.5).astype(int)
    cases = [
        ("error", y, labels, zero_one_loss(y, labels)),
        ("squared_error", y.astype(float), proba, mean_squared_error(y, proba)),
        ("absolute_error", y.astype(float), proba, mean_absolute_error(y, proba)),
        ("log_loss", y, proba, log_loss(y, proba)),
        ("log_loss", y, np.column_stack([1 - proba, proba]), log_loss(y, proba)),
    ]
    for metric, truth, predicted, expected in cases:
        result = find_slices(X, y_true=truth, y_pred=predicted, metric=metric, min_support=5)
        assert result.overall_error == pytest.approx(expected, rel=1e-12)
        assert result.parameters["metric"] == metric


def test_binning_rule_and_missing_values():
    values = np.arange(100.0)
    values[[3, 50]] = np.nan
    values[7] = np.inf
    (feature,) = coded_features({"age": values}, 4, "quantile")
    edges = np.quantile(values[np.isfinite(values)], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(feature.edges, edges)
    assert feature.codes[3] == -1 and feature.codes[7] == 3
    assert feature.describe(-1) == "age is missing"
    assert feature.describe(0).startswith("age < ")
    assert feature.describe(1).startswith("age in [")
    (uniform,) = coded_features({"age": values}, 4, "uniform")
    np.testing.assert_allclose(uniform.edges, [24.75, 49.5, 74.25])
    (few,) = coded_features({"k": [1.0, 2.0, 2.0, np.nan]}, 4, "quantile")
    assert [few.describe(int(c)) for c in few.codes] == ["k = 1", "k = 2", "k = 2", "k is missing"]
    errors = np.where(np.isnan(values), 1.0, 0.0)
    result = find_slices({"age": values}, errors, k=1, min_support=2)
    assert result.descriptions == ["age is missing"]


def test_exports_round_trip_and_render():
    X, errors = _planted(800, 4, True)
    result = find_slices(X, errors, k=5, min_support=20)
    back = SliceResult.from_json(result.to_json())
    assert back.to_dict() == json.loads(json.dumps(result.to_dict()))
    assert back.descriptions == result.descriptions
    page = result.to_html()
    assert result.descriptions[0] in page.replace("&amp;", "&")
    assert "Benjamini-Hochberg" in result._repr_html_()
    frame = result.to_frame()
    assert list(frame["slice"]) == result.descriptions
    np.testing.assert_allclose(frame["error_ratio"], result.average_error / result.overall_error)


def test_degenerate_inputs_give_empty_or_clear_results():
    assert len(find_slices({"a": [0, 1, 0, 1]}, [0.0, 0.0, 0.0, 0.0], min_support=1)) == 0
    one = find_slices({"a": [1]}, [1.0], min_support=1)
    assert len(one) == 0  # the only slice is all rows: score 0
    constant = find_slices({"a": [0, 1] * 50}, np.full(100, 0.5), min_support=1)
    assert len(constant) == 0
    all_missing = find_slices({"a": [np.nan] * 4, "b": [0, 1, 0, 1]}, [1.0, 0.0, 1.0, 0.0], min_support=1)
    # "a is missing" holds every row (score 0); with b = 0 it ties b = 0 alone, which goes first.
    assert all_missing.descriptions == ["b = 0", "a is missing and b = 0"]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: find_slices({"a": [0, 1]}, [np.nan, 1.0]), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, [-1.0, 1.0]), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 1.0, 1.0]), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, ["x", "y"]), InvalidTypeError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], y_true=[1, 0]), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, y_true=[0, 1], y_pred=[0], metric="error"), InvalidInputError, "y_pred"),
        (lambda: find_slices({"a": [0, 1]}, y_true=[0, 1], y_pred=[0, 1], metric="f1"), InvalidInputError, "metric"),
        (lambda: find_slices({"a": [0, 1]}, y_true=[0, 2], y_pred=[0.5, 0.5], metric="log_loss"), InvalidInputError,
         "y_true"),
        (lambda: find_slices({"a": [0, 1]}, y_true=[0, 1], y_pred=[0.5, 1.5], metric="log_loss"), InvalidInputError,
         "y_pred"),
        (lambda: find_slices({"a": [0, 1]}, y_true=[np.nan, 1], y_pred=[0, 1]), InvalidInputError, "y_true"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], k=0), InvalidInputError, "k"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], k=2.5), InvalidTypeError, "k"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], max_level=0), InvalidInputError, "max_level"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], alpha=0.0), InvalidInputError, "alpha"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], alpha="x"), InvalidTypeError, "alpha"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], min_support=1.5), InvalidInputError, "min_support"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], min_support=0), InvalidInputError, "min_support"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], n_bins=1), InvalidInputError, "n_bins"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], binning="kmeans"), InvalidInputError, "binning"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], pruning="fast"), InvalidInputError, "pruning"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], confidence_level=1.0), InvalidInputError, "confidence"),
        (lambda: find_slices({}, [1.0, 0.0]), InvalidInputError, "X"),
        (lambda: find_slices({"a": []}, []), InvalidInputError, "errors"),
        (lambda: find_slices({"a": [0, 1]}, [1.0, 0.0], n_jobs=0), InvalidInputError, "n_jobs"),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_audit_section_reports_and_gates_the_worst_slices():
    pd = pytest.importorskip("pandas")
    import assay

    rng = np.random.default_rng(1)

    def table(n):
        data = pd.DataFrame({"plan": rng.choice(["a", "b", "c"], n), "x": rng.normal(size=n)})
        data["y"] = rng.integers(0, 2, n)
        wrong = rng.random(n) < np.where(data["plan"] == "c", 0.5, 0.05)
        data["pred"] = np.where(wrong, 1 - data["y"], data["y"])
        return data

    reference, current = table(500), table(500)
    config = {"n_boot": 0, "explain": {"enabled": False}, "fairness": {"enabled": False}}
    result = assay.audit(reference, current, target="y", prediction="pred", config=config)
    section = result.sections["slices"]
    columns = current[["plan", "x"]]
    alone = find_slices(columns, y_true=current["y"], y_pred=current["pred"], max_level=2, min_support=0.01)
    assert section["result"]["predicates"] == alone.to_dict()["predicates"]
    assert section["result"]["p_value_adjusted"] == alone.to_dict()["p_value_adjusted"]
    assert alone.descriptions[0] == "plan = c"
    gate = next(g for g in result.gates if g.name == "slices.significant_slice")
    assert gate.verdict == "warn"
    assert "Worst slices" in result.to_html()
