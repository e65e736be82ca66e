"""scipy's options on assay's tests: alternatives, continuity, power divergences, the
Anderson-Darling variants and critical values, expected frequencies, ddof, log bases;
Evidently's test names (t_test, mannw, ed, TVD, empirical_mmd); MMD standardisation; the
drift page's adjusted p-values.

Tolerances as test_drift.py: statistics 1e-12 relative, p-values 1e-10 relative (1e-12
absolute) except where a comment says why.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from assay import drift
from assay.errors import InvalidInputError
from assay.warnings import UndefinedDistanceWarning
from scipy import stats
from scipy.spatial.distance import jensenshannon

ALTERNATIVES = ("two-sided", "less", "greater")


def assert_close(ours: float, ref: float, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol)


def _pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    return [
        (rng.normal(size=5), rng.normal(0.8, size=7)),
        (rng.normal(size=30), rng.normal(0.3, size=40)),
        (np.round(rng.normal(size=60) * 2), np.round(rng.normal(0.4, size=45) * 2)),  # ties
        (rng.normal(size=300), rng.normal(-0.1, 1.2, size=250)),
        (rng.normal(size=12_000), rng.normal(0.02, size=400)),  # asymptotic under 'auto'
    ]


PAIRS = _pairs()


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_ks_2samp_alternatives_match_scipy(pair, alternative):
    x, y = PAIRS[pair]
    for method in ("auto", "asymp"):
        ref = stats.ks_2samp(x, y, alternative=alternative, method=method)
        ours = drift.ks_2samp(x, y, alternative, method)
        assert_close(ours.statistic, ref.statistic, rtol=1e-12)
        assert_close(ours.pvalue, ref.pvalue)
        assert ours.statistic_location == ref.statistic_location
        assert ours.statistic_sign == ref.statistic_sign


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("continuity", [True, False])
def test_mannwhitneyu_alternatives_and_continuity_match_scipy(alternative, continuity):
    for x, y in PAIRS[:4]:
        for method in ("auto", "asymptotic"):
            ref = stats.mannwhitneyu(x, y, continuity, alternative, method=method)
            ours = drift.mannwhitneyu(x, y, continuity, alternative, method=method)
            assert ours.statistic == ref.statistic
            assert_close(ours.pvalue, ref.pvalue)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_fisher_exact_alternatives_match_scipy(alternative):
    for table in ([[8, 2], [1, 5]], [[3, 1], [1, 3]], [[0, 5], [7, 2]], [[200, 7], [8, 300]], [[20, 25], [30, 18]]):
        ref = stats.fisher_exact(table, alternative=alternative)
        ours = drift.fisher_exact(table, alternative=alternative)
        assert_close(ours.pvalue, ref.pvalue, rtol=1e-9)


LAMBDAS = [
    None,
    "pearson",
    "log-likelihood",
    "freeman-tukey",
    "mod-log-likelihood",
    "neyman",
    "cressie-read",
    0.3,
    -1.7,
]


@pytest.mark.parametrize("lambda_", LAMBDAS)
def test_power_divergence_and_chi2_contingency_match_scipy(lambda_):
    observed = np.array([16, 18, 16, 14, 12, 12], dtype=float)
    expected = np.array([15, 15, 15, 15, 15, 15], dtype=float) * observed.sum() / 90
    for ddof in (0, 2):
        ref = stats.power_divergence(observed, expected, ddof=ddof, lambda_=lambda_)
        ours = drift.power_divergence(observed, expected, ddof, lambda_=lambda_)
        assert_close(ours.statistic, ref.statistic, rtol=1e-12)
        assert_close(ours.pvalue, ref.pvalue)
    one_row = drift.chi2_contingency([3, 5, 7], lambda_=lambda_)
    assert (one_row.statistic, one_row.pvalue, one_row.dof) == (0.0, 1.0, 0.0)
    np.testing.assert_array_equal(one_row.expected_freq, [3.0, 5.0, 7.0])
    table = np.array([[12, 30, 7], [25, 11, 9]])
    for correction in (True, False):
        statistic, pvalue, dof, expected_freq = drift.chi2_contingency(table, correction, lambda_)
        ref = stats.chi2_contingency(table, correction, lambda_)
        assert_close(statistic, ref.statistic, rtol=1e-12)
        assert_close(pvalue, ref.pvalue)
        assert dof == ref.dof
        np.testing.assert_array_equal(expected_freq, ref.expected_freq)


def test_chisquare_defaults_scalar_expectation_and_ddof_match_scipy():
    observed = [18, 22, 20, 31]
    for f_exp, ddof in ((None, 0), (None, 1), (22.75, 0), ([20, 20, 25, 26], 2)):
        ref = stats.chisquare(observed, f_exp, ddof)
        ours = drift.chisquare(observed, f_exp, ddof)
        assert_close(ours.statistic, ref.statistic, rtol=1e-12)
        assert_close(ours.pvalue, ref.pvalue)
    assert math.isnan(drift.chisquare(observed, ddof=3).pvalue)  # no degrees of freedom left
    with pytest.raises(ValueError, match="lambda_"):
        drift.power_divergence(observed, lambda_="bogus")


@pytest.mark.parametrize("midrank", [True, False])
def test_anderson_ksamp_variants_and_critical_values_match_scipy(midrank):
    for x, y in PAIRS[:4]:
        samples = [x, y, np.concatenate([x[:3], y[:4]])]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns when the p-value is capped or floored
            ref = stats.anderson_ksamp(samples, midrank=midrank)
        statistic, critical_values, pvalue = drift.anderson_ksamp(samples, midrank)
        assert_close(statistic, ref.statistic, rtol=1e-11)  # an O(N) harmonic sum
        np.testing.assert_allclose(critical_values, ref.critical_values, rtol=1e-14)
        assert_close(pvalue, ref.pvalue, rtol=1e-9)
        variant = drift.anderson_ksamp(samples, variant="midrank" if midrank else "right")
        assert variant.significance_level == pvalue


@pytest.mark.parametrize("base", [None, 2, 10, 0.5])
def test_entropy_kl_and_js_with_base_match_scipy(base):
    p, q = np.array([0.1, 0.4, 0.0, 0.5]), np.array([0.3, 0.3, 0.2, 0.2])
    assert_close(drift.entropy(p, base=base), stats.entropy(p, base=base), rtol=1e-13)
    assert_close(drift.entropy(p, q, base=base), stats.entropy(p, q, base=base), rtol=1e-13)
    assert_close(drift.kl_divergence(p, q, base=base), stats.entropy(p, q, base=base), rtol=1e-13)
    # A base below 1 makes the divergence negative: NaN for the distance, as scipy.
    assert_close(drift.jensenshannon(p, q, base=base), jensenshannon(p, q, base=base), rtol=1e-13)
    with pytest.raises(ValueError, match="base"):
        drift.entropy(p, base=1)


def test_evidently_named_tests_in_compare():
    x, y = PAIRS[1]
    t_test = drift.compare(x, y, test="t_test")
    assert_close(t_test.pvalue, stats.ttest_ind(x, y).pvalue, rtol=1e-9)  # a continued fraction
    assert_close(t_test.statistic, stats.ttest_ind(x, y).statistic, rtol=1e-12)
    # Evidently's mannw: one-sided, reference smaller; assay's mannwhitneyu: two-sided.
    assert_close(drift.compare(x, y, test="mannw").score, stats.mannwhitneyu(x, y, alternative="less").pvalue)
    assert_close(drift.compare(x, y, test="mannwhitneyu").score, stats.mannwhitneyu(x, y).pvalue)
    ed = drift.compare(x, y, test="ed")
    assert_close(ed.score, stats.energy_distance(x, y), rtol=1e-12)
    assert ed.drifted == (ed.score > 0.1)
    tvd = drift.compare(np.array(["a"] * 30 + ["b"] * 10), np.array(["a"] * 10 + ["b"] * 30), test="TVD")
    assert tvd.statistic == pytest.approx(0.5) and tvd.score < 0.01 and tvd.drifted
    same = drift.compare(x, x, test="empirical_mmd")
    assert same.score > 0.5 and not same.drifted


def test_mmd_standardize_equals_mmd_of_reference_standardised_data():
    rng = np.random.default_rng(5)
    reference = np.column_stack([rng.normal(0, 1000, 150), rng.normal(0, 0.01, 150)])
    current = np.column_stack([rng.normal(0, 1000, 150), rng.normal(0.01, 0.01, 150)])
    mean, scale = reference.mean(axis=0), reference.std(axis=0)
    by_hand = drift.mmd((reference - mean) / scale, (current - mean) / scale, n_permutations=50)
    standardised = drift.mmd(reference, current, n_permutations=50, standardize=True)
    assert_close(standardised.statistic, by_hand.statistic, rtol=1e-9)
    assert standardised.pvalue == by_hand.pvalue < 0.05
    assert drift.mmd(reference, current, n_permutations=50).pvalue > 0.05  # the raw scale hides the shift


def test_report_page_shows_the_adjusted_pvalue():
    rng = np.random.default_rng(3)
    reference = {f"c{i}": rng.normal(size=200) for i in range(5)}
    current = {f"c{i}": rng.normal(0.25 if i == 0 else 0.0, size=200) for i in range(5)}
    result = drift.report(reference, current, tests="ks", correction="bonferroni")
    first = next(r for r in result.columns if r.column == "c0")
    assert first.pvalue_adjusted != first.pvalue
    page = result.to_html()
    assert "adjusted p-value" in page
    assert f"{first.pvalue_adjusted:.3g}"[:4] in page


INF = np.inf
INFINITE_PAIRS = [
    ([1.0, 2.0, 3.0, 4.0], [3, 6, 7, 8, INF, 3, 2, 1, 4, 4, 5]),  # scipy's gh-11355 case
    ([-INF, 0.5, 1.0, 2.5, INF], [0.0, 0.7, 1.5, 3.0, 4.0, -INF]),
    ([INF, INF, 1.0], [-INF, 2.0, 3.0, 0.5]),
]


@pytest.mark.parametrize("pair", range(len(INFINITE_PAIRS)))
def test_rank_tests_accept_infinities_as_scipy(pair):
    x, y = (np.asarray(v, dtype=float) for v in INFINITE_PAIRS[pair])
    for alternative in ALTERNATIVES:
        ours, ref = drift.ks_2samp(x, y, alternative=alternative), stats.ks_2samp(x, y, alternative=alternative)
        assert_close(ours.statistic, ref.statistic)
        assert_close(ours.pvalue, ref.pvalue)
        assert ours.statistic_location == ref.statistic_location
        ours, ref = drift.mannwhitneyu(x, y, alternative=alternative), stats.mannwhitneyu(x, y, alternative=alternative)
        assert_close(ours.statistic, ref.statistic)
        assert_close(ours.pvalue, ref.pvalue)
    ours, ref = drift.cramervonmises_2samp(x, y), stats.cramervonmises_2samp(x, y)
    assert_close(ours.statistic, ref.statistic)
    assert_close(ours.pvalue, ref.pvalue)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's p-value capping warning
        ref_ad = stats.anderson_ksamp([x, y])
    assert_close(drift.anderson_ksamp([x, y]).statistic, ref_ad.statistic)


@pytest.mark.parametrize(
    ("u", "v"),
    [
        ([1, 2, INF], [1, 1]),
        ([1, 2, INF], [-INF, 1]),
        ([1, -INF, INF], [1, 1]),
        ([1, 2, INF], [INF, 1]),  # the same infinity twice: undefined
        ([INF, INF, 0.0], [1.0]),
    ],
)
def test_distances_with_infinities_match_scipy(u, v):
    weights = np.ones(len(u)), np.ones(len(v))
    cases = [
        (lambda: drift.wasserstein_distance(u, v), lambda: stats.wasserstein_distance(u, v)),
        (lambda: drift.energy_distance(u, v), lambda: stats.energy_distance(u, v)),
        (lambda: drift.wasserstein_distance(u, v, *weights), lambda: stats.wasserstein_distance(u, v)),
    ]
    for ours_call, ref_call in cases:
        with np.errstate(invalid="ignore"):
            ref = ref_call()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = ours_call()
        if math.isnan(ref):  # undefined: NaN with a warning scipy's users catch (RuntimeWarning)
            assert math.isnan(ours)
            assert [w.category for w in caught] == [UndefinedDistanceWarning]
            assert issubclass(UndefinedDistanceWarning, RuntimeWarning)
        else:
            assert ours == ref
            assert not caught


def test_tests_on_values_refuse_infinities():
    x, y = [0.0, 1.0, 2.0, 3.0, INF], [0.5, 1.5, 2.5, 3.5, 4.5]
    for call in (drift.epps_singleton_2samp, drift.normalized_wasserstein):
        with pytest.raises(InvalidInputError, match="infinity"):
            call(x, y)
    with pytest.raises(ValueError, match="NaN"):
        drift.ks_2samp([0.0, np.nan], y)
