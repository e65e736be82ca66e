"""assay.review: the exact conformal quantile, coverage by simulation, MAPIE's sets and
intervals, thread-count invariance, routing and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from assay.errors import AssayError, InvalidInputError, InvalidTypeError
from assay.review import ConformalClassifier, ConformalRegressor, ReviewRouter, RoutingResult, conformal_rank
from hypothesis import given, settings
from hypothesis import strategies as st


def _probabilities(rng: np.random.Generator, n: int, n_classes: int) -> np.ndarray:
    logits = rng.normal(size=(n, n_classes)) * 2.0
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def _draw_labels(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """Labels drawn from the probabilities (a calibrated model), vectorised."""
    return (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, p.shape[1] - 1)


# --- the exact quantile ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "alpha", "rank"),
    [(9, 0.1, 9), (10, 0.1, 10), (8, 0.1, 9), (19, 0.05, 19), (99, 0.01, 99), (9, 0.7, 3), (99, 0.45, 55), (4, 0.2, 4)],
)
def test_conformal_rank_by_hand(n, alpha, rank):
    # ceil((n + 1)(1 - alpha)) in exact arithmetic: 10 * 0.3 = 3 although 10 * (1 - 0.7) is 3.0000000000000004.
    assert conformal_rank(n, alpha) == rank


def test_threshold_is_the_order_statistic_and_infinite_when_the_rank_exceeds_n():
    p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])  # LAC scores 0.1, 0.2, 0.3, 0.6
    model = ConformalClassifier(alpha=0.2).fit(p, [0, 0, 1, 1])
    table = model.calibration_table()
    assert table["rank"][0] == 4  # ceil(5 * 0.8)
    assert table["threshold"][0] == pytest.approx(0.6)
    assert not table["infinite"][0]
    # alpha = 0.1: rank ceil(5 * 0.9) = 5 > 4: no finite threshold, every label is in the set.
    wide = ConformalClassifier(alpha=0.1).fit(p, [0, 0, 1, 1])
    assert wide.calibration_table()["infinite"][0]
    assert wide.predict_set(np.array([[0.99, 0.01]])).all()
    assert (
        ConformalRegressor(alpha=0.1).fit([1.0, 2.0], y_pred=[1.0, 2.5]).predict_interval(y_pred=[0.0])[0, 1]
        == math.inf
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=0, max_size=40),
    st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.45, 0.7]),
    st.randoms(use_true_random=False),
)
def test_threshold_is_the_exact_order_statistic_whatever_the_row_order(values, alpha, random):
    from fractions import Fraction

    scores = np.array(values)
    y = np.zeros(len(scores), dtype=int)
    p = np.column_stack([1 - scores, scores])  # LAC score of label 0 is the value itself
    k = math.ceil((len(scores) + 1) * (1 - Fraction(str(alpha))))
    order = list(range(len(scores)))
    random.shuffle(order)
    for rows in (slice(None), order):
        table = ConformalClassifier(alpha=alpha).fit(p[rows], y).calibration_table()
        assert table["rank"][0] == k
        expected = np.sort(1 - (1 - scores))[k - 1] if k <= len(scores) else math.inf
        assert table["threshold"][0] == expected


# --- coverage by simulation --------------------------------------------------------------
# Many independent experiments in one call: each (trial, group) pair is its own Mondrian group
# with its own calibration rows. With continuous scores the coverage averaged over calibration
# draws is exactly k / (n + 1), k = ceil((n + 1)(1 - alpha)): for n = 19, alpha = 0.1, 18 / 20.

N_CAL, N_TEST, TRIALS = 19, 4, 1500


def _trials(rng: np.random.Generator, n_classes: int = 3):
    """Calibration and test rows of TRIALS trials x 2 kinds (kind 1: labels ignore the model)."""
    n_groups = 2 * TRIALS
    groups_cal = np.repeat(np.arange(n_groups), N_CAL)
    groups_test = np.repeat(np.arange(n_groups), N_TEST)
    data = []
    for groups in (groups_cal, groups_test):
        p = _probabilities(rng, len(groups), n_classes)
        y = _draw_labels(rng, p)
        hard = groups % 2 == 1
        y[hard] = rng.integers(0, n_classes, hard.sum())
        data.append((p, y, groups))
    return data


@pytest.mark.parametrize("score", ["lac", "aps", "aps_randomized"])
def test_mondrian_coverage_is_exactly_nominal_in_every_kind_of_group(score):
    rng = np.random.default_rng(1)
    (p_cal, y_cal, g_cal), (p_test, y_test, g_test) = _trials(rng)
    model = ConformalClassifier(alpha=0.1, score=score, seed=5).fit(p_cal, y_cal, groups=g_cal)
    covered = model.predict_set(p_test, groups=g_test)[np.arange(len(y_test)), y_test]
    expected = 18 / 20
    for kind in (0, 1):
        rate = covered[g_test % 2 == kind].mean()
        # Standard error: the Beta(18, 2) spread of one trial's coverage over TRIALS trials,
        # plus the binomial spread of N_TEST rows: about 0.0025; five of them.
        if score == "aps":  # the score is 1 whenever the true label ranks last: ties, so only >=
            assert rate > expected - 0.013, (score, kind, rate)
        else:
            assert abs(rate - expected) < 0.013, (score, kind, rate)


def test_marginal_calibration_undercovers_the_hard_group_and_mondrian_does_not():
    rng = np.random.default_rng(2)
    (p_cal, y_cal, g_cal), (p_test, y_test, g_test) = _trials(rng)
    trial_cal, trial_test = g_cal // 2, g_test // 2  # one threshold per trial, both kinds pooled
    pooled = ConformalClassifier(alpha=0.1).fit(p_cal, y_cal, groups=trial_cal)
    covered = pooled.predict_set(p_test, groups=trial_test)[np.arange(len(y_test)), y_test]
    assert abs(covered.mean() - conformal_rank(2 * N_CAL, 0.1) / (2 * N_CAL + 1)) < 0.013  # marginal holds
    assert covered[g_test % 2 == 1].mean() < 0.85  # but not within the hard kind


def test_regression_coverage_residual_and_cqr():
    rng = np.random.default_rng(3)
    n_groups = TRIALS
    g_cal, g_test = np.repeat(np.arange(n_groups), N_CAL), np.repeat(np.arange(n_groups), N_TEST)
    x_cal, x_test = rng.random(len(g_cal)), rng.random(len(g_test))
    y_cal = x_cal + rng.normal(size=len(x_cal)) * (0.1 + x_cal)
    y_test = x_test + rng.normal(size=len(x_test)) * (0.1 + x_test)
    point = ConformalRegressor(alpha=0.1).fit(y_cal, y_pred=x_cal, groups=g_cal)
    interval = point.predict_interval(y_pred=x_test, groups=g_test)
    inside = (interval[:, 0] <= y_test) & (y_test <= interval[:, 1])
    assert abs(inside.mean() - 18 / 20) < 0.013
    cqr = ConformalRegressor(alpha=0.1).fit(y_cal, y_lower=x_cal - x_cal, y_upper=x_cal + x_cal, groups=g_cal)
    interval = cqr.predict_interval(y_lower=x_test - x_test, y_upper=x_test + x_test, groups=g_test)
    inside = (interval[:, 0] <= y_test) & (y_test <= interval[:, 1])
    assert abs(inside.mean() - 18 / 20) < 0.013


# --- the same sets and intervals as MAPIE ---------------------------------------------


class _Given:
    """A prefit 'model' whose input is its output, so that MAPIE sees our probabilities."""

    def __init__(self, n_classes: int | None = None) -> None:
        if n_classes is not None:
            self.classes_ = np.arange(n_classes)
        self.fitted_ = True
        self.n_features_in_ = n_classes or 1

    def fit(self, X, y):  # noqa: N803 - scikit-learn's names
        return self

    def predict_proba(self, X):  # noqa: N803
        return np.asarray(X)

    def predict(self, X):  # noqa: N803
        X = np.asarray(X)
        return X.argmax(axis=1) if hasattr(self, "classes_") else X[:, 0]


@pytest.fixture(scope="module")
def mapie():
    return pytest.importorskip("mapie")


def _mapie_rank(n: int, alpha: float) -> int:
    """The order statistic MAPIE 1.6 takes: np.quantile(level ceil((n + 1)(1 - alpha)) / n, "lower")."""
    level = np.ceil((n + 1) * (1 - alpha)) / n
    return int(np.floor(level * (n - 1))) + 1 if level <= 1 else n + 1


@pytest.mark.parametrize("n", [50, 99, 200, 1000])
def test_lac_sets_equal_mapies(mapie, n):
    from mapie.classification import SplitConformalClassifier
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Given(ClassifierMixin, BaseEstimator, _Given):
        pass

    assert _mapie_rank(n, 0.1) == conformal_rank(n, 0.1)  # n where MAPIE takes the exact order statistic
    rng = np.random.default_rng(n)
    p_cal, p_test = _probabilities(rng, n, 4), _probabilities(rng, 500, 4)
    y_cal = _draw_labels(rng, p_cal)
    reference = SplitConformalClassifier(Given(4), confidence_level=0.9, conformity_score="lac", prefit=True)
    reference.conformalize(p_cal, y_cal)
    expected = reference.predict_set(p_test)[1][:, :, 0]
    ours = ConformalClassifier(alpha=0.1).fit(p_cal, y_cal).predict_set(p_test)
    np.testing.assert_array_equal(ours, expected)


def test_rank_rules_reproduce_mapie_and_crepes_where_they_differ(mapie):
    from mapie.classification import SplitConformalClassifier
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Given(ClassifierMixin, BaseEstimator, _Given):
        pass

    # MAPIE: alpha = 0.45, n = 99 takes rank 56 (100 * 0.55 = 55.000000000000007 in binary), exact is 55.
    n, alpha = 99, 0.45
    assert (conformal_rank(n, alpha), conformal_rank(n, alpha, "mapie"), _mapie_rank(n, alpha)) == (55, 56, 56)
    rng = np.random.default_rng(11)
    p_cal, p_test = _probabilities(rng, n, 4), _probabilities(rng, 2000, 4)
    y_cal = _draw_labels(rng, p_cal)
    reference = SplitConformalClassifier(Given(4), confidence_level=1 - alpha, conformity_score="lac", prefit=True)
    expected = reference.conformalize(p_cal, y_cal).predict_set(p_test)[1][:, :, 0]
    mapie_like = ConformalClassifier(alpha=alpha, rank="mapie").fit(p_cal, y_cal).predict_set(p_test)
    np.testing.assert_array_equal(mapie_like, expected)
    exact = ConformalClassifier(alpha=alpha).fit(p_cal, y_cal).predict_set(p_test)
    assert exact.sum() < expected.sum()  # the exact sets are smaller, and still valid


def test_rank_rule_crepes_reproduces_its_mondrian_sets():
    crepes = pytest.importorskip("crepes")
    rng = np.random.default_rng(12)
    groups_cal = np.repeat(np.arange(20), 99)  # alpha (n + 1) = 10: crepes keeps p-value == alpha
    p_cal, p_test = _probabilities(rng, len(groups_cal), 3), _probabilities(rng, 3000, 3)
    y_cal, groups_test = _draw_labels(rng, p_cal), rng.integers(0, 20, 3000)
    model = crepes.ConformalClassifier().fit(1 - p_cal[np.arange(len(y_cal)), y_cal], bins=groups_cal)
    expected = model.predict_set(1 - p_test, bins=groups_test, confidence=0.9, smoothing=False).astype(bool)
    ours = ConformalClassifier(alpha=0.1, rank="crepes").fit(p_cal, y_cal, groups_cal)
    np.testing.assert_array_equal(ours.predict_set(p_test, groups_test), expected)
    exact = ConformalClassifier(alpha=0.1).fit(p_cal, y_cal, groups_cal).predict_set(p_test, groups_test)
    assert exact.sum() < expected.sum()


@pytest.mark.parametrize("n", [50, 99, 1000])
def test_absolute_residual_intervals_equal_mapies(mapie, n):
    from mapie.regression import SplitConformalRegressor
    from sklearn.base import BaseEstimator, RegressorMixin

    class Given(RegressorMixin, BaseEstimator, _Given):
        pass

    rng = np.random.default_rng(n)
    f_cal, f_test = rng.normal(size=n), rng.normal(size=300)
    y_cal = f_cal + rng.normal(size=n)
    reference = SplitConformalRegressor(Given(), confidence_level=0.9, conformity_score="absolute", prefit=True)
    reference.conformalize(f_cal[:, None], y_cal)
    expected = reference.predict_interval(f_test[:, None])[1][:, :, 0]
    ours = ConformalRegressor(alpha=0.1).fit(y_cal, y_pred=f_cal).predict_interval(y_pred=f_test)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


# --- determinism, routing, export ----------------------------------------------------------


def test_results_do_not_depend_on_n_jobs():
    rng = np.random.default_rng(4)
    p, groups = _probabilities(rng, 30000, 5), rng.integers(0, 300, 30000)
    y = _draw_labels(rng, p)
    results = [
        ReviewRouter(score="aps_randomized", budget=0.2, seed=9, n_jobs=n_jobs).fit(p, y, groups).route(p, groups)
        for n_jobs in (1, 2, 3)
    ]
    for other in results[1:]:
        np.testing.assert_array_equal(other.sets, results[0].sets)
        np.testing.assert_array_equal(other.review, results[0].review)
        np.testing.assert_array_equal(other.risk, results[0].risk)


@pytest.fixture(scope="module")
def routed() -> RoutingResult:
    rng = np.random.default_rng(5)
    p_cal, p_new = _probabilities(rng, 4000, 3), _probabilities(rng, 2000, 3)
    y_cal = _draw_labels(rng, p_cal)
    g_cal, g_new = rng.choice(["a", "b"], 4000), rng.choice(["a", "b", "c"], 2000)
    return ReviewRouter(alpha=0.1).fit(p_cal, y_cal, g_cal).route(p_new, g_new)


def test_routing_sends_ambiguous_sets_and_unseen_groups_to_review(routed):
    size = routed.sets.sum(axis=1)
    np.testing.assert_array_equal(routed.review, size != 1)
    assert routed.groups["group"] == ["a", "b", None]
    frame = routed.to_frame()
    unseen = frame.iloc[2]  # group "c" had no calibration rows: every label, everyone reviewed
    assert unseen["infinite"] and unseen["reviewed"] == unseen["rows"] > 0
    assert frame["rows"].sum() == len(routed.review)
    seen = frame.iloc[:2]
    share = seen["auto_guaranteed"] / seen["rows"]
    np.testing.assert_allclose(seen["max_auto_error"], np.minimum(1, 0.1 / share))


def test_budget_caps_the_load_and_takes_the_riskiest():
    rng = np.random.default_rng(6)
    p_cal, p_new = _probabilities(rng, 3000, 3), _probabilities(rng, 1000, 3)
    router = ReviewRouter(alpha=0.05, budget=0.1).fit(p_cal, _draw_labels(rng, p_cal))
    result = router.route(p_new)
    assert result.review.sum() == 100
    ambiguous = result.sets.sum(axis=1) != 1
    assert ambiguous.sum() > 100
    assert result.risk[result.review].min() >= result.risk[ambiguous & ~result.review].max()
    assert result.groups["auto_ambiguous"][0] == ambiguous.sum() - 100


def test_regression_router_uses_the_tolerance():
    rng = np.random.default_rng(7)
    f = rng.normal(size=500)
    y = f + rng.normal(size=500)
    g = np.where(np.arange(500) < 250, "narrow", "wide")
    y[g == "wide"] += rng.normal(size=250) * 3
    result = ReviewRouter(alpha=0.1, tolerance=5.0).fit(f, y, g).route(f, g)
    width = result.intervals[:, 1] - result.intervals[:, 0]
    np.testing.assert_array_equal(result.review, width > 5.0)
    assert result.groups["review_share"][0] == 0.0 and result.groups["review_share"][1] == 1.0


def test_export_round_trip_and_html(routed):
    again = RoutingResult.from_json(routed.to_json())
    np.testing.assert_array_equal(again.review, routed.review)
    assert again.groups["threshold"][2] == math.inf
    assert again.to_dict() == routed.to_dict()
    assert "Review load" in routed.to_html() and "max error" in routed._repr_html_()


# --- bad input --------------------------------------------------------------------------


def test_bad_input_names_the_argument():
    p = np.array([[0.5, 0.5], [0.2, 0.8]])
    cases = [
        (lambda: ConformalClassifier().fit(p, [0, 2]), InvalidInputError, "y"),
        (lambda: ConformalClassifier().fit(p, [0.5, 1]), InvalidInputError, "y"),
        (lambda: ConformalClassifier().fit(p, ["a", "b"]), InvalidTypeError, "y"),
        (lambda: ConformalClassifier().fit(p * 2, [0, 1]), InvalidInputError, "probabilities"),
        (lambda: ConformalClassifier().fit(p[:, 0], [0, 1]), InvalidInputError, "probabilities"),
        (lambda: ConformalClassifier().fit(p, [0, 1], groups=["a"]), InvalidInputError, "groups"),
        (lambda: ConformalClassifier().fit(p, [0, 1], groups=[None, "a"]), InvalidInputError, "groups"),
        (lambda: ConformalClassifier(alpha=1.0), InvalidInputError, "alpha"),
        (lambda: ConformalClassifier(seed=-1), InvalidInputError, "seed"),
        (lambda: ConformalClassifier(n_jobs=0), InvalidInputError, "n_jobs"),
        (
            lambda: ConformalClassifier().fit(p, [0, 1]).predict_set(np.ones((1, 3)) / 3),
            InvalidInputError,
            "probabilities",
        ),
        (lambda: ConformalClassifier().fit(p, [0, 1], groups=["a", "b"]).predict_set(p), InvalidInputError, "groups"),
        (lambda: ConformalRegressor().fit([1.0, 1e308], y_pred=[0.0, -1e308]), InvalidInputError, "y - y_pred"),
        (lambda: ConformalRegressor().fit([1.0, np.inf], y_pred=[0.0, 0.0]), InvalidInputError, "y"),
        (lambda: ConformalRegressor().fit([1.0, 2.0], y_pred=[0.0]), InvalidInputError, "y_pred"),
        (lambda: ConformalRegressor().fit([1.0], y_lower=[0.0]), InvalidInputError, "y_lower"),
        (
            lambda: ConformalRegressor().fit([1.0], y_pred=[0.0]).predict_interval(y_lower=[0], y_upper=[1]),
            InvalidInputError,
            "y_pred",
        ),
        (lambda: ReviewRouter(task="ranking"), InvalidInputError, "task"),
        (lambda: ConformalRegressor(rank="higher"), InvalidInputError, "rank"),
        (lambda: ReviewRouter(tolerance=-1), InvalidInputError, "tolerance"),
        (lambda: ReviewRouter(budget="all"), InvalidTypeError, "budget"),
        (lambda: ReviewRouter().fit(np.ones((2, 2, 2)), [0, 1]), InvalidInputError, "scores"),
        (lambda: ReviewRouter(task="regression").fit(np.ones((2, 3)), [0, 1]), InvalidInputError, "scores"),
        (lambda: ReviewRouter().fit(p, [0, 1]).route(np.array([["a", "b"]])), InvalidTypeError, "scores"),
    ]
    for call, error, argument in cases:
        with pytest.raises(error, match=argument):
            call()


def test_degenerate_input_is_handled():
    empty = ConformalClassifier().fit(np.empty((0, 3)), np.empty(0, dtype=int))
    assert empty.predict_set(np.full((2, 3), 1 / 3)).all()  # no calibration rows: every label
    one_class = ReviewRouter().fit(np.ones((20, 1)), np.zeros(20, dtype=int)).route(np.ones((5, 1)))
    assert not one_class.review.any()  # one label, always a singleton
    assert math.isnan(ReviewRouter().fit(np.ones((20, 1)), np.zeros(20, dtype=int)).route(np.ones((0, 1))).review_share)
    non_contiguous = np.asfortranarray(_probabilities(np.random.default_rng(0), 50, 3))[::2]
    sets = ConformalClassifier().fit(non_contiguous, np.zeros(25, dtype=int)).predict_set(non_contiguous)
    assert sets.shape == (25, 3)
    with pytest.raises(AssayError):
        RoutingResult.from_json('{"kind": "routing", "format": 1}')


# --- the audit's review section -----------------------------------------------------------


def test_audit_section_gates_current_coverage_per_group():
    import assay

    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(8)

    def table(n, noisy_group):
        p = _probabilities(rng, n, 3)
        y = _draw_labels(rng, p)
        g = rng.choice(["a", "b"], n)
        if noisy_group:
            flip = (g == noisy_group) & (rng.random(n) < 0.6)
            y[flip] = rng.integers(0, 3, flip.sum())
        return pd.DataFrame({"p0": p[:, 0], "p1": p[:, 1], "p2": p[:, 2], "y": y, "g": g})

    off = {"enabled": False}
    config = {
        "columns": {"prediction_score": ["p0", "p1", "p2"], "sensitive_features": ["g"]},
        **{name: off for name in ("quality", "drift", "performance", "fairness", "explain")},
    }
    result = assay.audit(table(2000, None), table(2000, "b"), target="y", config=config)
    section = result.sections["review"]
    by_group = {g["group"]: g for g in section["groupings"][1]["groups"]}
    assert by_group["a"]["coverage"] > 0.87 and by_group["b"]["coverage"] < 0.8
    verdicts = {(g.name, g.subject): g.verdict for g in result.gates if g.section == "review"}
    assert verdicts[("review.coverage", "g=b")] == "fail" and verdicts[("review.coverage", "g=a")] == "pass"
    assert "Human review" in result.to_html()
