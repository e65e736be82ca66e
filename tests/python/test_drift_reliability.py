"""Drift engine: bad input gets one documented answer (issue 19).

Every public function of ``assay.drift`` is walked with the inputs of the bad-input policy
(docs/drift.md, "Bad input"): each gives a documented result (compared with scipy where
scipy defines it) or an ``AssayError`` subclass naming the argument; none crashes or
returns a silent wrong number. Interrupt checks are tested by counting work between the
progress callbacks, never by wall time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from assay import drift
from assay.drift import _over_time
from assay.errors import AssayError, InvalidInputError, InvalidTypeError, ResourceLimitError
from scipy import stats
from scipy.spatial import distance as scipy_distance

RNG = np.random.default_rng(19)
X = RNG.normal(size=40)
Y = RNG.normal(0.5, 1.0, size=30)

# --- item 1: one validation path for every sample function --------------------------------

SAMPLE_FUNCTIONS = {
    "ks_2samp": (lambda a, b: drift.ks_2samp(a, b), ("data1", "data2")),
    "mannwhitneyu": (lambda a, b: drift.mannwhitneyu(a, b), ("x", "y")),
    "cramervonmises_2samp": (lambda a, b: drift.cramervonmises_2samp(a, b), ("x", "y")),
    "epps_singleton_2samp": (lambda a, b: drift.epps_singleton_2samp(a, b), ("x", "y")),
    "anderson_ksamp": (lambda a, b: drift.anderson_ksamp([a, b]), ("samples[0]", "samples[1]")),
    "wasserstein_distance": (lambda a, b: drift.wasserstein_distance(a, b), ("u_values", "v_values")),
    "energy_distance": (lambda a, b: drift.energy_distance(a, b), ("u_values", "v_values")),
    "normalized_wasserstein": (lambda a, b: drift.normalized_wasserstein(a, b), ("reference", "current")),
}


# The rank tests and the sample distances take -inf and +inf as scipy does
# (test_drift_scipy_parity.py checks their values); the others refuse them.
TAKE_INFINITIES = {
    "ks_2samp",
    "mannwhitneyu",
    "cramervonmises_2samp",
    "anderson_ksamp",
    "wasserstein_distance",
    "energy_distance",
}


def _bad_samples():
    with_nan = X.copy()
    with_nan[3] = np.nan
    with_inf = X.copy()
    with_inf[5] = np.inf
    with_ninf = X.copy()
    with_ninf[0] = -np.inf
    return {
        "nan": (with_nan, InvalidInputError, "NaN"),
        "inf": (with_inf, InvalidInputError, "infinity"),
        "-inf": (with_ninf, InvalidInputError, "infinity"),
        "empty": (np.array([]), InvalidInputError, "empty"),
        "0-d": (np.float64(1.0), InvalidInputError, "1-D"),
        "3-d": (X[:8].reshape(2, 2, 2), InvalidInputError, "1-D"),
        "complex": (X.astype(complex), InvalidTypeError, "real"),
        "strings": (np.array(["a", "b", "c", "d", "e", "f"]), InvalidTypeError, "numeric"),
        "object": (np.array(["a", 1, None, "b", 2, 3], dtype=object), AssayError, ""),
        "none": (None, InvalidTypeError, ""),
        "text": ("abcdef", InvalidTypeError, ""),
    }


@pytest.mark.parametrize("name", sorted(SAMPLE_FUNCTIONS))
@pytest.mark.parametrize("bad", sorted(_bad_samples()))
@pytest.mark.parametrize("side", [0, 1])
def test_every_sample_function_rejects_bad_samples_naming_the_argument(name, bad, side):
    function, arguments = SAMPLE_FUNCTIONS[name]
    values, error, words = _bad_samples()[bad]
    pair = [X, Y]
    pair[side] = values
    if bad in ("inf", "-inf") and name in TAKE_INFINITIES:
        function(*pair)  # accepted; test_drift_scipy_parity.py checks the values against scipy's
        return
    with pytest.raises(error) as raised:
        function(*pair)
    message = str(raised.value)
    assert arguments[side] in message, message
    assert words in message, message


def test_normalized_wasserstein_follows_the_same_path_as_wasserstein():
    # The issue: NaN/inf were dropped silently, and an empty sample gave NaN.
    with pytest.raises(InvalidInputError, match="reference holds NaN"):
        drift.normalized_wasserstein([1.0, np.nan, 3.0], [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="current holds an infinity"):
        drift.normalized_wasserstein([1.0, 2.0, 3.0], [1.0, np.inf])
    with pytest.raises(InvalidInputError, match="current is empty"):
        drift.normalized_wasserstein([1.0, 2.0], [])
    expected = stats.wasserstein_distance(X, Y) / np.std(X)
    assert drift.normalized_wasserstein(X, Y) == pytest.approx(expected, rel=1e-12)
    # One reference value: std 0 is floored at 0.001 (Evidently), documented.
    assert drift.normalized_wasserstein([2.0], [3.0, 5.0]) == pytest.approx(2.0 / 0.001)
    # compare() keeps the report's convention: dropped and counted.
    result = drift.compare([1.0, np.nan, 3.0, np.inf], [1.0, 2.0], test="wasserstein")
    assert result.missing_reference == 1 and result.infinite_reference == 1


def test_one_value_and_all_equal_samples_match_scipy():
    one_a, one_b = np.array([1.0]), np.array([2.0])
    ours, theirs = drift.ks_2samp(one_a, one_b), stats.ks_2samp(one_a, one_b)
    assert (ours.statistic, ours.pvalue) == pytest.approx((theirs.statistic, theirs.pvalue))
    ours, theirs = drift.mannwhitneyu(one_a, one_b), stats.mannwhitneyu(one_a, one_b)
    assert (ours.statistic, ours.pvalue) == pytest.approx((theirs.statistic, theirs.pvalue))
    assert drift.wasserstein_distance(one_a, one_b) == stats.wasserstein_distance(one_a, one_b)
    assert drift.energy_distance(one_a, one_b) == pytest.approx(stats.energy_distance(one_a, one_b))
    equal = np.full(12, 3.5)
    ours, theirs = drift.ks_2samp(equal, equal), stats.ks_2samp(equal, equal)
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)
    ours, theirs = drift.mannwhitneyu(equal, equal), stats.mannwhitneyu(equal, equal)
    assert (ours.statistic, ours.pvalue) == pytest.approx((theirs.statistic, theirs.pvalue))
    assert drift.wasserstein_distance(equal, equal) == 0.0
    with pytest.raises(InvalidInputError, match="x holds 1 value"):
        drift.cramervonmises_2samp([1.0], X)
    with pytest.raises(InvalidInputError, match="y holds 4 value"):
        drift.epps_singleton_2samp(X, X[:4])
    with pytest.raises(InvalidInputError, match="distinct"):
        drift.anderson_ksamp([equal, equal])
    with pytest.raises(InvalidInputError, match="interquartile"):
        drift.epps_singleton_2samp(equal, equal)


def test_extreme_values_give_the_finite_answer():
    big = np.array([1e308, -1e308, 1e308, 5.0, -1e308, 1e307])
    small = np.array([0.0, 1.0])
    # scipy overflows here (inf); the true distance is finite: integrate |F_u - F_v|.
    u = np.sort(big)
    w = drift.wasserstein_distance(big, small)
    # Between -1e308 and 0: F_u = 2/6, F_v = 0; 0..1: F_v = 1/2; 1..5: |2/6 - 1|; 5..1e307: |3/6 - 1|;
    # 1e307..1e308: |4/6 - 1|.
    expected = 1e308 / 6 * 2 + 1 / 6 + 4 * 4 / 6 + (1e307 - 5) * 0.5 + (1e308 - 1e307) / 6 * 2
    assert math.isfinite(w) and w == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(drift.normalized_wasserstein(big, small))
    assert math.isfinite(drift.energy_distance(big, small))
    assert u[0] == -1e308  # the caller's array is unchanged by the calls above
    assert big[0] == 1e308
    f32 = np.array(
        [np.finfo(np.float32).max, -np.finfo(np.float32).max, np.finfo(np.float32).tiny, 1e-45, 0, 1], dtype=np.float32
    )
    assert drift.ks_2samp(f32, f32.astype(np.float64)).statistic == 0.0
    assert drift.wasserstein_distance(f32, f32[::-1]) == 0.0


def test_weights_are_checked_and_huge_weights_work():
    w = np.ones(X.size)
    for bad, words in (
        (np.full(X.size, np.nan), "NaN"),
        (-w, "negative"),
        (0 * w, "all zero"),
        (np.full(X.size, np.inf), "infinity"),
    ):
        with pytest.raises(InvalidInputError, match=words) as raised:
            drift.wasserstein_distance(X, Y, u_weights=bad)
        assert "u_weights" in str(raised.value)
    with pytest.raises(InvalidInputError, match="v_weights"):
        drift.energy_distance(X, Y, v_weights=np.ones(Y.size + 1))
    with pytest.raises(InvalidTypeError, match="u_weights"):
        drift.wasserstein_distance(X, Y, u_weights=w.astype(complex))
    huge = np.full(X.size, 1e308)
    assert drift.wasserstein_distance(X, Y, huge, None) == pytest.approx(stats.wasserstein_distance(X, Y), rel=1e-12)
    vw = RNG.uniform(0, 2, size=Y.size)
    assert drift.energy_distance(X, Y, w, vw) == pytest.approx(stats.energy_distance(X, Y, w, vw), rel=1e-12)


def test_layouts_are_read_as_they_are_and_never_modified():
    base = RNG.normal(size=200)
    strided, reversed_ = base[::3], base[::-1]
    copy = base.copy()
    assert drift.ks_2samp(strided, reversed_).pvalue == pytest.approx(stats.ks_2samp(strided, reversed_).pvalue)
    assert drift.wasserstein_distance(strided, reversed_) == pytest.approx(
        stats.wasserstein_distance(strided, reversed_), rel=1e-12
    )
    np.testing.assert_array_equal(base, copy)


# --- item 2: counts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, argument",
    [
        ((math.nan, 100, 45, 110), "count1"),
        ((3, math.inf, 45, 110), "nobs1"),
        ((3, 100, -1, 110), "count2"),
        ((3, 100, 45, 0), "nobs2"),
        ((120, 100, 45, 110), "count1"),
        ((3.5, 100, 45, 110), "count1"),
        ((3, 100, 45, 110.25), "nobs2"),
        ((3, 100, 45, 1e300), "nobs2"),
    ],
)
def test_two_proportion_ztest_invalid_counts_name_the_argument(args, argument):
    with pytest.raises(InvalidInputError, match=argument):
        drift.two_proportion_ztest(*args)


def test_two_proportion_ztest_types_and_a_valid_case():
    with pytest.raises(InvalidTypeError, match="count1"):
        drift.two_proportion_ztest("3", 100, 45, 110)
    with pytest.raises(InvalidTypeError, match="nobs2"):
        drift.two_proportion_ztest(3, 100, 45, True)
    r = drift.two_proportion_ztest(np.int64(30), 100.0, 45, 110)
    pooled = 75 / 210
    z = (0.3 - 45 / 110) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 110))
    assert r.statistic == pytest.approx(z, rel=1e-13)
    assert r.pvalue == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)


@pytest.mark.parametrize(
    "table, words",
    [
        ([[math.nan, 3], [2, 1]], r"table\[0, 0\] is NaN"),
        ([[1, math.inf], [2, 1]], r"table\[0, 1\] is infinite"),
        ([[1, 3], [-2, 1]], r"table\[1, 0\] is negative"),
        ([[1, 3], [2, 1.5]], r"table\[1, 1\] is 1.5, not a whole number"),
        ([[1e17, 3], [2, 1]], r"table\[0, 0\] .*2\*\*53"),
        ([[2.0**52, 2.0**52], [2.0**52, 1]], r"total"),
        ([[1, 2, 3], [4, 5, 6]], "2x2"),
        ([[1, 2], [3, 4 + 1j]], "real numbers"),
    ],
)
def test_fisher_exact_invalid_tables(table, words):
    with pytest.raises(AssayError, match=words):
        drift.fisher_exact(np.array(table))


@pytest.mark.parametrize(
    "observed, words",
    [
        ([[math.nan, 3], [2, 1]], r"observed\[0, 0\] is NaN"),
        ([[1, 3], [2, -1]], r"observed\[1, 1\] is negative"),
        ([[1, 3], [2, math.inf]], r"observed\[1, 1\] is infinite"),
        ([[1e308, 1e308], [1e308, 1e308]], "overflows"),
        ([[0, 3], [0, 1]], "zero expected"),
        (np.ones((2, 2, 2)), "2-D"),
        ([[]], "non-empty"),
    ],
)
def test_chi2_contingency_invalid_tables(observed, words):
    with pytest.raises(InvalidInputError, match=words):
        drift.chi2_contingency(observed)


def test_chisquare_invalid_counts_and_a_valid_case():
    with pytest.raises(InvalidInputError, match=r"f_obs\[1\] is NaN"):
        drift.chisquare([1, math.nan, 3], [1, 2, 3])
    with pytest.raises(InvalidInputError, match=r"f_exp\[0\] is negative"):
        drift.chisquare([1, 2, 3], [-1, 2, 3])
    with pytest.raises(InvalidInputError, match="f_exp is all zeros"):
        drift.chisquare([1, 2, 3], [0, 0, 0])
    with pytest.raises(InvalidInputError, match="same length"):
        drift.chisquare([1, 2, 3], [1, 2])
    with pytest.raises(InvalidInputError, match=r"f_obs\[0\] is negative"):
        drift.power_divergence([-1, 2, 3], lambda_="neyman")
    with pytest.raises(InvalidInputError, match="lambda_ must be a finite number"):
        drift.power_divergence([1, 2, 3], lambda_=math.inf)
    with pytest.raises(InvalidTypeError, match="ddof"):
        drift.chisquare([1, 2, 3], ddof="1")
    ours, theirs = drift.chisquare([10, 20, 30], [20, 20, 20]), stats.chisquare([10, 20, 30], [20, 20, 20])
    assert (ours.statistic, ours.pvalue) == pytest.approx((theirs.statistic, theirs.pvalue), rel=1e-12)
    # Non-whole frequencies are accepted, as scipy does.
    ours, theirs = drift.chi2_contingency([[10.5, 20], [30, 40]]), stats.chi2_contingency([[10.5, 20], [30, 40]])
    assert (ours.statistic, ours.pvalue) == pytest.approx((theirs.statistic, theirs.pvalue), rel=1e-12)


# --- item 3: distances say what the docs say ----------------------------------------------


def test_total_variation_normalises_as_documented():
    assert drift.total_variation([2, 3, 5], [1, 1, 2]) == pytest.approx(0.05, rel=1e-14)
    p, q = np.array([2.0, 3.0, 5.0]), np.array([1.0, 1.0, 2.0])
    assert drift.total_variation(p, q) == pytest.approx(0.5 * np.abs(p / p.sum() - q / q.sum()).sum(), rel=1e-14)


def test_every_distance_normalises_counts_like_proportions():
    p, q = np.array([5.0, 0.0, 3.0, 2.0]), np.array([1.0, 4.0, 4.0, 1.0])
    pn, qn = p / p.sum(), q / q.sum()
    for function in (drift.psi, drift.kl_divergence, drift.jensenshannon, drift.hellinger, drift.total_variation):
        assert function(p, q) == pytest.approx(function(pn, qn), rel=1e-13), function.__name__
    assert drift.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), rel=1e-13)
    assert drift.jensenshannon(p, q) == pytest.approx(scipy_distance.jensenshannon(p, q), rel=1e-12)
    assert drift.hellinger(p, q) == pytest.approx(np.sqrt(0.5 * ((np.sqrt(pn) - np.sqrt(qn)) ** 2).sum()), rel=1e-13)
    assert drift.psi(p, q) == math.inf  # a bin empty on one side only
    both_empty = [0.5, 0.0, 0.5], [0.25, 0.0, 0.75]
    expected = sum((a - b) * math.log(a / b) for a, b in ((0.5, 0.25), (0.5, 0.75)))
    assert drift.psi(*both_empty) == pytest.approx(expected, rel=1e-14)  # an empty bin on both sides adds 0
    huge = np.array([1e308, 1e308, 0.0])
    assert drift.total_variation(huge, [1.0, 1.0, 0.0]) == 0.0


@pytest.mark.parametrize(
    "function", [drift.psi, drift.kl_divergence, drift.jensenshannon, drift.hellinger, drift.total_variation]
)
@pytest.mark.parametrize(
    "p, q, words",
    [
        ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "p holds a negative value"),
        ([0.5, 0.5, 0.0], [0.3, math.nan, 0.4], "q holds NaN"),
        ([0.5, math.inf, 0.0], [0.3, 0.3, 0.4], "p holds an infinity"),
        ([0.0, 0.0, 0.0], [0.3, 0.3, 0.4], "p is all zeros"),
        ([0.5, 0.5], [0.3, 0.3, 0.4], "same bins"),
        ([], [0.3], "non-empty"),
    ],
)
def test_distances_reject_bad_weight_vectors(function, p, q, words):
    with pytest.raises(InvalidInputError, match=words):
        function(p, q)


@pytest.mark.parametrize(
    "pk, base, words",
    [
        ([0.5, -0.1, 0.6], None, "pk holds a negative value"),
        ([0.5, math.nan], None, "pk holds NaN"),
        ([0.0, 0.0], None, "pk is all zeros"),
        ([0.5, 0.5], 1, "base must be a finite positive number other than 1"),
        ([0.5, 0.5], -2.0, "base must be"),
    ],
)
def test_entropy_rejects_bad_input(pk, base, words):
    with pytest.raises(InvalidInputError, match=words):
        drift.entropy(pk, base=base)


# --- item 5: report options -----------------------------------------------------------------


def _tables(n=60):
    rng = np.random.default_rng(5)
    reference = {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y", "z"], size=n)}
    current = {"a": rng.normal(0.3, 1, size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y"], size=n)}
    return reference, current


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"tests": []}, InvalidInputError, "empty"),
        ({"tests": {"a": []}}, InvalidInputError, "empty"),
        ({"tests": "kss"}, InvalidInputError, "unknown test 'kss'"),
        ({"tests": ["ks", "ks"]}, InvalidInputError, "twice"),
        ({"tests": [1]}, InvalidInputError, "unknown test 1"),
        ({"tests": 3}, InvalidTypeError, "tests"),
        ({"tests": {"zz": "ks"}}, InvalidInputError, "not checked"),
        ({"thresholds": math.nan}, InvalidInputError, "thresholds"),
        ({"thresholds": -0.1}, InvalidInputError, "thresholds"),
        ({"thresholds": math.inf}, InvalidInputError, "thresholds"),
        ({"thresholds": True}, InvalidTypeError, "thresholds"),
        ({"thresholds": "0.05"}, InvalidTypeError, "thresholds"),
        ({"thresholds": [0.05]}, InvalidTypeError, "thresholds"),
        ({"thresholds": {"ks": math.nan}}, InvalidInputError, r"thresholds\['ks'\]"),
        ({"thresholds": {"ks": 5}}, InvalidInputError, "p-value"),
        ({"tests": "ks", "thresholds": 2.0}, InvalidInputError, "p-value"),
        ({"thresholds": {"a": "x"}}, InvalidTypeError, r"thresholds\['a'\]"),
        ({"thresholds": {"zz": 0.1}}, InvalidInputError, "neither"),
        ({"drift_share": math.nan}, InvalidInputError, "drift_share"),
        ({"drift_share": 1.5}, InvalidInputError, "drift_share"),
        ({"drift_share": True}, InvalidTypeError, "drift_share"),
        ({"correction": "sidak"}, InvalidInputError, "correction"),
        ({"correction": ["holm"]}, InvalidInputError, "correction"),
        ({"columns": []}, InvalidInputError, "columns"),
        ({"columns": ["a", "a"]}, InvalidInputError, "twice"),
        ({"columns": [1]}, InvalidTypeError, "columns"),
        ({"columns": ["zz"]}, InvalidInputError, "zz"),
        ({"target": "a", "prediction": "a"}, InvalidInputError, "both"),
        ({"target": "zz"}, InvalidInputError, "zz"),
        ({"n_jobs": 0}, InvalidInputError, "n_jobs"),
        ({"n_jobs": -2}, InvalidInputError, "n_jobs"),
        ({"n_jobs": 1.5}, InvalidTypeError, "n_jobs"),
        ({"progress": "yes"}, InvalidTypeError, "progress"),
    ],
)
def test_report_rejects_nonsense_options(kwargs, error, words):
    reference, current = _tables()
    with pytest.raises(error, match=words):
        drift.report(reference, current, **kwargs)


def test_report_numeric_options_accept_numpy_scalars_and_any_n_jobs():
    reference, current = _tables()
    base = drift.report(reference, current, thresholds=0.25, n_jobs=1).to_dict()
    for n_jobs in (-1, 2, 1000, None, np.int64(3)):
        other = drift.report(reference, current, thresholds=np.float32(0.25), n_jobs=n_jobs).to_dict()
        assert other == base


def test_over_time_options():
    reference, current = _tables()
    for kwargs, error, words in [
        ({"chunk_size": 0}, InvalidInputError, "chunk_size"),
        ({"n_chunks": 2.5}, InvalidTypeError, "n_chunks"),
        ({"n_chunks": True}, InvalidTypeError, "n_chunks"),
        ({"chunk_size": 5, "n_chunks": 3}, InvalidInputError, "at most one"),
        ({"freq": "D"}, InvalidInputError, "freq needs time"),
        ({"time": np.arange(59.0)}, InvalidInputError, "one value per current row"),
        ({"time": np.r_[np.arange(59.0), np.nan]}, InvalidInputError, "time holds a missing"),
        ({"time": np.array(["2024-01-01"] * 59 + ["NaT"], dtype="datetime64[ns]")}, InvalidInputError, "time"),
        ({"time": np.arange(60.0), "freq": 3}, InvalidTypeError, "freq"),
        ({"time": np.arange(60.0) * 1e300, "freq": "D"}, InvalidInputError, "freq"),
        ({"tests": []}, InvalidInputError, "empty"),
        ({"n_jobs": 0}, InvalidInputError, "n_jobs"),
    ]:
        with pytest.raises(error, match=words):
            drift.over_time(reference, current, **kwargs)
    monkey_limit = _over_time.MAX_OVER_TIME_RESULTS  # over_time reads the limit of its own module
    try:
        _over_time.MAX_OVER_TIME_RESULTS = 50
        with pytest.raises(ResourceLimitError, match="chunk_size"):
            drift.over_time(reference, current, chunk_size=1)
    finally:
        _over_time.MAX_OVER_TIME_RESULTS = monkey_limit
    over = drift.over_time(reference, current, n_chunks=10**9)  # clamped to one row per chunk
    assert len(over.chunks) == 60


def test_multivariate_options():
    rng = np.random.default_rng(2)
    ref, cur = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    cases = [
        (drift.mmd, {"n_permutations": 0}, InvalidInputError, "n_permutations"),
        (drift.mmd, {"n_permutations": 10**9}, ResourceLimitError, "n_permutations"),
        (drift.mmd, {"bandwidth": math.inf}, InvalidInputError, "bandwidth"),
        (drift.mmd, {"bandwidth": math.nan}, InvalidInputError, "bandwidth"),
        (drift.mmd, {"bandwidth": True}, InvalidTypeError, "bandwidth"),
        (drift.mmd, {"seed": -1}, InvalidInputError, "seed"),
        (drift.mmd, {"seed": 2**70}, InvalidInputError, "seed"),
        (drift.mmd, {"n_jobs": 0}, InvalidInputError, "n_jobs"),
        (drift.pca_reconstruction, {"variance": 0}, InvalidInputError, "variance"),
        (drift.pca_reconstruction, {"variance": True}, InvalidTypeError, "variance"),
        (drift.pca_reconstruction, {"sigma": math.inf}, InvalidInputError, "sigma"),
        (drift.pca_reconstruction, {"sigma": math.nan}, InvalidInputError, "sigma"),
        (drift.pca_reconstruction, {"chunk_size": -3}, InvalidInputError, "chunk_size"),
        (drift.pca_reconstruction, {"time": np.r_[np.arange(39.0), np.inf]}, InvalidInputError, "time"),
        (drift.domain_classifier, {"classifier": "svm"}, InvalidInputError, "classifier"),
        (drift.domain_classifier, {"n_folds": 1}, InvalidInputError, "n_folds"),
        (drift.domain_classifier, {"n_folds": 41}, InvalidInputError, "n_folds"),
        (drift.domain_classifier, {"l2": -1}, InvalidInputError, "l2"),
        (drift.domain_classifier, {"learning_rate": 0}, InvalidInputError, "learning_rate"),
        (drift.domain_classifier, {"n_trees": 10**9}, InvalidInputError, "n_trees"),
        (drift.domain_classifier, {"max_depth": 0}, InvalidInputError, "max_depth"),
        (drift.domain_classifier, {"threshold": 1.5}, InvalidInputError, "threshold"),
        (drift.domain_classifier, {"threshold": None}, InvalidInputError, "threshold"),
        (drift.domain_classifier, {"seed": 1.5}, InvalidTypeError, "seed"),
    ]
    for function, kwargs, error, words in cases:
        with pytest.raises(error, match=words):
            function(ref, cur, **kwargs)
    for function in (drift.mmd, drift.pca_reconstruction, drift.domain_classifier):
        bad = ref.copy()
        bad[3, 1] = np.nan
        with pytest.raises(InvalidInputError, match="reference"):
            function(bad, cur)
        with pytest.raises(InvalidInputError, match="1e150"):
            function(ref * 1e160, cur)
        with pytest.raises(InvalidTypeError, match="categorical"):
            function({"a": ["x"] * 40}, {"a": ["y"] * 40})


# --- item 6: Fisher's exact test without memory in proportion to the counts ----------------

FISHER_TABLES = [
    [[1, 2], [3, 4]],
    [[100, 2], [1000, 5]],
    [[2, 7], [8, 2]],
    [[5, 1], [10, 10]],
    [[5, 15], [20, 20]],
    [[5, 16], [20, 25]],
    [[10, 5], [10, 1]],
    [[10, 5], [10, 0]],
    [[5, 0], [1, 4]],
    [[0, 5], [1, 4]],
    [[5, 1], [0, 4]],
    [[0, 1], [3, 2]],
    [[200, 7], [8, 300]],
    [[28, 21], [6, 1957]],
    [[190, 800], [200, 900]],
    [[1000, 1000], [1000, 1000]],
    [[3, 1], [1, 3]],
    [[1, 0], [0, 1]],
    [[7, 0], [0, 7]],
    [[0, 0], [2, 3]],
    [[100000, 30000], [40000, 160000]],
    [[1000000, 2000], [2000, 1000000]],
    [[5000, 5001], [5001, 5000]],
    [[10**6, 10**6 + 3000], [10**6 + 2500, 10**6]],
    [[10**9, 3], [2, 10**9]],
    [[12, 10**8], [10**8, 7]],
]


@pytest.mark.parametrize("table", FISHER_TABLES)
def test_fisher_exact_equals_scipy(table):
    ours = drift.fisher_exact(table)
    theirs = stats.fisher_exact(table)
    if math.isnan(theirs.statistic):
        assert math.isnan(ours.statistic)
    else:
        assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-14)
    assert ours.pvalue == pytest.approx(theirs.pvalue, rel=1e-9, abs=1e-300)


def test_fisher_exact_on_huge_counts_runs_in_constant_memory():
    import tracemalloc

    tracemalloc.start()
    result = drift.fisher_exact([[1e9, 3], [2, 1e9]])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1e6  # no array in proportion to the counts (the core allocated 8 GB before)
    assert result.pvalue == 0.0 and result.statistic == pytest.approx(1e18 / 6)
    # scipy's own error grows with the counts (2.6e-11 relative at 1e5, against the exact
    # sum below); assay's stays at a few ulps.
    balanced = drift.fisher_exact([[10**8, 10**8 + 20000], [10**8 + 20000, 10**8]])
    assert balanced.pvalue == pytest.approx(
        stats.fisher_exact([[10**8, 10**8 + 20000], [10**8 + 20000, 10**8]]).pvalue, rel=1e-7
    )
    table = [[20000, 20400], [20400, 20000]]
    assert drift.fisher_exact(table).pvalue == pytest.approx(_fisher_by_integers(table), rel=1e-13)


def _fisher_by_integers(table):
    """The two-sided Fisher p-value from exact integer arithmetic (scipy's rule: tables at
    most (1 + 1e-14) times as likely as the observed one), terms below 1e-25 of it dropped."""
    from fractions import Fraction

    (a, b), (c, d) = table
    r1, r2, col = a + b, c + d, a + c
    low, high = max(0, col - r2), min(col, r1)

    def up(t, k):  # term(k + 1) from term(k)
        return t * (r1 - k) * (col - k) // ((k + 1) * (r2 - col + k + 1))

    def down(t, k):  # term(k - 1) from term(k)
        return t * k * (r2 - col + k) // ((r1 - k + 1) * (col - k + 1))

    observed = math.comb(r1, a) * math.comb(r2, col - a)
    limit = Fraction(observed) * (1 + Fraction(1, 10**14))
    total = 0
    for k in range(low, high + 1) if high - low < 50 else []:
        term = math.comb(r1, k) * math.comb(r2, col - k)
        total += term if term <= limit else 0
    if high - low >= 50:  # walk outward from the observed table and from the mode
        mode = (col + 1) * (r1 + 1) // (r1 + r2 + 2)
        step = -1 if a < mode else 1
        k, term = a, observed
        while low <= k <= high and term * 10**25 >= observed:
            total += term
            term, k = (up(term, k), k + 1) if step > 0 else (down(term, k), k - 1)
        k, term = mode, math.comb(r1, mode) * math.comb(r2, col - mode)
        while low <= k <= high and term > limit:
            term, k = (down(term, k), k - 1) if step > 0 else (up(term, k), k + 1)
        while low <= k <= high and term * 10**25 >= observed:
            total += term
            term, k = (down(term, k), k - 1) if step > 0 else (up(term, k), k + 1)
    return float(Fraction(total, math.comb(r1 + r2, col)))


# --- item 7: interrupts at bounded work intervals ------------------------------------------


class Stop(Exception):
    pass


def _recorder(stop_at=None):
    calls = []

    def callback(done, total):
        calls.append((done, total))
        if stop_at is not None and len(calls) >= stop_at:
            raise Stop

    return calls, callback


def test_report_asks_progress_every_million_values_and_stops_there():
    n = 3_000_000
    reference, current = {"a": np.arange(n, dtype=np.float64)[::-1].copy()}, {"a": np.zeros(n)}
    calls, callback = _recorder()
    drift.report(reference, current, tests="ks", n_jobs=1, progress=callback)
    done = [d for d, _ in calls]
    assert calls[-1] == (2 * n, 2 * n)
    assert max(np.diff([0, *done])) <= 2**20  # never more than 2^20 values between two checks
    calls, callback = _recorder(stop_at=2)
    with pytest.raises(Stop):
        drift.report(reference, current, tests="ks", n_jobs=1, progress=callback)
    assert len(calls) == 2 and calls[-1][0] <= 2 * 2**20  # stopped at the request, after bounded work


def test_pca_fit_and_boosting_stop_at_the_request():
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(size=(70_000, 4)), rng.normal(size=(200, 4))
    calls, callback = _recorder(stop_at=3)
    with pytest.raises(Stop):
        drift.pca_reconstruction(ref, cur, progress=callback)
    assert len(calls) == 3 and calls[-1][0] <= 3  # one block of rows between checks
    ref, cur = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    calls, callback = _recorder()
    drift.domain_classifier(ref, cur, classifier="gbt", n_trees=10, n_folds=2, n_jobs=1, progress=callback)
    assert calls[-1] == (3 + 2 * 10, 3 + 2 * 10)
    assert max(np.diff([d for d, _ in calls])) <= 1  # at most one tree between two checks
    calls, callback = _recorder(stop_at=5)
    with pytest.raises(Stop):
        drift.domain_classifier(ref, cur, classifier="gbt", n_trees=10, n_folds=2, n_jobs=1, progress=callback)
    assert len(calls) == 5


# --- item 9: the walk over every public function -------------------------------------------


def test_every_public_function_is_walked():
    walked = {
        *SAMPLE_FUNCTIONS,
        "chi2_contingency",
        "chisquare",
        "power_divergence",
        "entropy",
        "fisher_exact",
        "two_proportion_ztest",
        "adjust_pvalues",
        "psi",
        "kl_divergence",
        "jensenshannon",
        "hellinger",
        "total_variation",
        "compare",
        "report",
        "over_time",
        "mmd",
        "pca_reconstruction",
        "domain_classifier",
    }
    functions = {name for name in drift.__all__ if callable(getattr(drift, name)) and name[0].islower()}
    assert functions <= walked, functions - walked


def test_adjust_pvalues_and_compare_bad_input():
    with pytest.raises(InvalidInputError, match="pvalues"):
        drift.adjust_pvalues([0.1, 1.5], "holm")
    with pytest.raises(InvalidInputError, match="pvalues"):
        drift.adjust_pvalues(np.zeros((2, 2)), "holm")
    with pytest.raises(InvalidTypeError, match="pvalues"):
        drift.adjust_pvalues(["a"], "holm")
    with pytest.raises(InvalidInputError, match="method"):
        drift.adjust_pvalues([0.1], "sidak")
    np.testing.assert_array_equal(drift.adjust_pvalues([0.1, np.nan], "bonferroni"), [0.1, np.nan])
    with pytest.raises(InvalidInputError, match="test"):
        drift.compare(X, Y, test=[])
    with pytest.raises(InvalidInputError, match="threshold"):
        drift.compare(X, Y, test="ks", threshold=3)
    with pytest.raises(InvalidInputError, match="threshold"):
        drift.compare(X, Y, threshold=math.nan)
    with pytest.raises(AssayError, match="reference"):
        drift.compare(np.zeros((3, 3)), Y)
    empty = drift.compare([np.nan, np.inf], Y, test="ks")
    assert math.isnan(empty.score) and "no values left" in empty.note and not empty.drifted


def test_report_walk_of_bad_columns_gives_nan_with_reasons():
    n = 50
    reference = {
        "nan": np.full(n, np.nan),
        "inf": np.full(n, np.inf),
        "const": np.ones(n),
        "big": np.tile([1e308, -1e308], n // 2),
        "ok": np.arange(n, dtype=float),
    }
    current = {
        "nan": np.arange(n, dtype=float),
        "inf": np.arange(n, dtype=float),
        "const": np.ones(n),
        "big": np.full(n, 1e308),
        "ok": np.arange(n, dtype=float),
    }
    result = drift.report(reference, current, tests=["ks", "wasserstein", "anderson", "psi"])
    by = {(r.column, r.test): r for r in result.columns}
    for column in ("nan", "inf"):
        assert math.isnan(by[(column, "ks")].score) and by[(column, "ks")].note
    assert math.isnan(by[("const", "anderson")].score) and by[("const", "anderson")].note
    assert by[("const", "ks")].pvalue == 1.0
    assert by[("big", "wasserstein")].score == pytest.approx(1.0, rel=1e-14)  # W1 = 1e308, std = 1e308
    assert by[("ok", "ks")].pvalue == 1.0 and not by[("ok", "ks")].drifted
    # Mismatched kinds, 3-d tables and object columns of mixed kinds are errors naming the input.
    with pytest.raises(AssayError, match="'ok'"):
        drift.report({"ok": np.arange(5.0)}, {"ok": np.array(list("abcde"))})
    with pytest.raises(AssayError):
        drift.report(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def _battery():
    """The bad-input battery of issue 19 for a 1-D argument (name -> values)."""
    f32 = np.finfo(np.float32)
    base = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0])
    strided = np.arange(30.0)[::3]
    return {
        "nan": np.r_[base[:-1], np.nan],
        "inf": np.r_[base[:-1], np.inf],
        "-inf": np.r_[-np.inf, base[1:]],
        "1e308": np.r_[base[:-2], 1e308, 1e308],
        "float32 extremes": np.array([f32.max, f32.max, f32.tiny, 1e-45, 0, 1, 2, 3, 4, 5], dtype=np.float32),
        "empty": np.array([]),
        "one value": np.array([2.0]),
        "all equal": np.full(10, 2.0),
        "0-d": np.float64(2.0),
        "3-d": base[:8].reshape(2, 2, 2),
        "complex": base.astype(complex),
        "object": np.array([1, "a", None, 2.0, 3, 4, 5, 6, 7, 8], dtype=object),
        "datetime": np.arange(10).astype("datetime64[D]"),
        "strided": strided,
        "negative stride": strided[::-1],
    }


GOOD = np.array([2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0, 2.0, 8.0])

WALKED = {
    # name: (call with the bad value in the argument named second, argument)
    "chi2_contingency": (
        lambda v: drift.chi2_contingency(np.stack([v, v]) if np.ndim(v) == 1 and np.size(v) else v),
        "observed",
    ),
    "chisquare": (lambda v: drift.chisquare(v, np.ones(np.size(v)) if np.ndim(v) == 1 else v), "f_obs"),
    "fisher_exact": (lambda v: drift.fisher_exact(np.reshape(v, (2, 2)) if np.size(v) == 4 else v), "table"),
    "adjust_pvalues": (lambda v: drift.adjust_pvalues(v, "holm"), "pvalues"),
    "psi": (lambda v: drift.psi(v, np.ones(np.size(v))), "p"),
    "kl_divergence": (lambda v: drift.kl_divergence(v, np.ones(np.size(v))), "p"),
    "jensenshannon": (lambda v: drift.jensenshannon(v, np.ones(np.size(v))), "p"),
    "hellinger": (lambda v: drift.hellinger(v, np.ones(np.size(v))), "p"),
    "total_variation": (lambda v: drift.total_variation(v, np.ones(np.size(v))), "p"),
    "compare": (lambda v: drift.compare(v, GOOD, test="ks"), "reference"),
    "report": (
        lambda v: drift.report({"a": v}, {"a": GOOD[: np.size(v)] if np.ndim(v) == 1 else v}, tests="ks"),
        "reference",
    ),
    "over_time": (lambda v: drift.over_time({"a": GOOD}, {"a": GOOD}, time=v, n_chunks=2), "time"),
    "mmd": (
        lambda v: drift.mmd(np.c_[v, v] if np.ndim(v) == 1 else v, np.c_[GOOD, GOOD], n_permutations=5),
        "reference",
    ),
    "pca_reconstruction": (
        lambda v: drift.pca_reconstruction(np.c_[v, v] if np.ndim(v) == 1 else v, np.c_[GOOD, GOOD]),
        "reference",
    ),
    "domain_classifier": (
        lambda v: drift.domain_classifier(np.c_[v, v] if np.ndim(v) == 1 else v, np.c_[GOOD, GOOD], n_folds=2),
        "reference",
    ),
}


def _numbers(result):
    if isinstance(result, drift.TestResult):
        return [result.pvalue]
    if isinstance(result, drift.ColumnResult):
        return [] if result.note else [result.score]
    if isinstance(result, drift.DriftReport):
        return [n for r in result.columns for n in _numbers(r)]
    if isinstance(result, drift.DriftOverTime):
        return [n for rs in result.results for r in rs for n in _numbers(r)]
    if isinstance(result, (drift.MMDResult, drift.DomainClassifierResult)):
        return [result.pvalue if isinstance(result, drift.MMDResult) else result.auc]
    if isinstance(result, drift.ReconstructionDrift):
        return list(result.errors)
    return list(np.ravel(result))


@pytest.mark.parametrize("name", sorted(WALKED))
@pytest.mark.parametrize("bad", sorted(_battery()))
def test_walk_every_function_with_the_battery(name, bad):
    """Each case ends in an AssayError naming the argument, or in a result whose numbers are
    not NaN (NaN only with a note, in the column reports)."""
    call, argument = WALKED[name]
    values = _battery()[bad]
    kept = np.array(values, copy=True)
    try:
        result = call(values)
    except AssayError as error:
        assert argument in str(error) or name in (
            "report",
            "compare",
            "over_time",
            "mmd",
            "pca_reconstruction",
            "domain_classifier",
        ), str(error)
        return
    finally:
        np.testing.assert_array_equal(values, kept)  # never modified
    numbers = _numbers(result)
    assert not any(isinstance(n, float) and math.isnan(n) for n in numbers if n is not None), (name, bad, result)


def test_n_jobs_policy_for_every_function_that_takes_it():
    rng = np.random.default_rng(8)
    ref, cur = rng.normal(size=(60, 2)), rng.normal(0.5, 1, size=(60, 2))
    tables = _tables()
    calls = {
        "mmd": lambda jobs: drift.mmd(ref, cur, n_permutations=20, n_jobs=jobs).permuted.tolist(),
        "pca_reconstruction": lambda jobs: drift.pca_reconstruction(ref, cur, n_jobs=jobs).errors.tolist(),
        "domain_classifier": lambda jobs: drift.domain_classifier(
            ref, cur, classifier="gbt", n_trees=5, n_jobs=jobs
        ).scores.tolist(),
        "over_time": lambda jobs: drift.over_time(*tables, n_chunks=3, n_jobs=jobs).to_dict(),
    }
    for name, call in calls.items():
        serial = call(1)
        for jobs in (-1, 2, 1000, None):
            assert call(jobs) == serial, (name, jobs)
        for jobs, error in (
            (0, InvalidInputError),
            (-5, InvalidInputError),
            (2.0, InvalidTypeError),
            ("4", InvalidTypeError),
        ):
            with pytest.raises(error, match="n_jobs"):
                call(jobs)


@pytest.mark.parametrize(
    "reference, current",
    [
        ([0.1, 0.2, 0.3, 0.7], [0.3, 0.9, 1.0]),
        ([5.0, 5.0, 5.0], [5.0]),  # one value: numpy widens the range to [4.5, 5.5]
        ([1e308, -1e308, 0.0], [1e308]),  # a span beyond the largest double
        ([np.nan, np.inf, 1.0, 2.0], [-np.inf, 3.0, np.nan]),  # NaN counted apart, infinities in no bin
        (
            np.round(np.random.default_rng(3).normal(size=2000), 1),
            np.round(np.random.default_rng(4).normal(size=999), 1),
        ),
        (np.linspace(-3.0, 4.0, 701), np.linspace(-0.7, 0.7, 15) * 10),  # values on and beside the edges
        (np.random.default_rng(5).normal(size=5000) * 1e-300, [0.0]),  # a tiny span
    ],
)
def test_paired_histograms_match_numpy(reference, current):
    """The card's histograms (one core call for every numeric column) are numpy.histogram's
    on numpy.histogram_bin_edges of both samples' finite values."""
    from assay import _core
    from assay._frame import as_frame

    ref, cur = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    (pair,) = _core.drift.paired_histograms(
        as_frame({"x": ref}).core_columns(), as_frame({"x": cur}).core_columns(), 7, 1
    )
    finite = [v[np.isfinite(v)] for v in (ref, cur)]
    try:  # numpy refuses a range beyond the largest double; assay steps it in halves
        with np.errstate(over="ignore", invalid="ignore"):
            edges = np.histogram_bin_edges(np.concatenate(finite), bins=7)
    except ValueError:
        edges = np.array([np.inf])
    if np.isfinite(edges).all():
        np.testing.assert_array_equal(pair.edges, edges)
        assert pair.reference.tolist() == np.histogram(finite[0], bins=edges)[0].tolist()
        assert pair.current.tolist() == np.histogram(finite[1], bins=edges)[0].tolist()
    assert np.isfinite(pair.edges).all() and (np.diff(pair.edges) > 0).all()
    assert pair.reference.sum() == len(finite[0]) and pair.current.sum() == len(finite[1])
    assert (pair.reference_missing, pair.current_missing) == (int(np.isnan(ref).sum()), int(np.isnan(cur).sum()))


def test_paired_histograms_refuse_bad_bins_and_categorical_columns():
    from assay import _core
    from assay._frame import as_frame
    from assay.errors import InvalidInputError

    numeric = as_frame({"x": np.arange(3.0)}).core_columns()
    with pytest.raises(InvalidInputError, match="bins"):
        _core.drift.paired_histograms(numeric, numeric, 0, 1)
    words = as_frame({"x": np.array(["a", "b", "c"])}).core_columns()
    with pytest.raises(InvalidInputError, match="not numeric"):
        _core.drift.paired_histograms(words, words, 5, 1)
