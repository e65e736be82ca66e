"""Drift tests and distances against scipy (the oracle), on generated samples.

Statistics must agree within 1e-12 relative, p-values within 1e-10 relative or 1e-12
absolute (for tiny p-values, where scipy's own rounding dominates).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from assay import drift
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

STAT_RTOL = 1e-12
P_RTOL, P_ATOL = 1e-10, 1e-12

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_stat(actual: float, expected: float) -> None:
    np.testing.assert_allclose(actual, expected, rtol=STAT_RTOL, atol=1e-14)


def assert_p(actual: float, expected: float) -> None:
    np.testing.assert_allclose(actual, expected, rtol=P_RTOL, atol=P_ATOL)


@st.composite
def sample_pairs(draw, min_size: int = 1, max_size: int = 3000):
    """Two samples: sizes from tiny to a few thousand, continuous or heavily tied,
    possibly shifted or scaled against each other."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    small = draw(st.booleans())
    upper = 30 if small else max_size
    n1 = draw(st.integers(min_size, max(min_size, upper)))
    n2 = draw(st.integers(min_size, max(min_size, upper)))
    shift = draw(st.sampled_from([0.0, 0.1, 0.5, 2.0]))
    tied = draw(st.sampled_from([None, 3, 20]))
    x = rng.normal(size=n1)
    y = rng.normal(loc=shift, scale=draw(st.sampled_from([1.0, 1.5])), size=n2)
    if tied is not None:  # round to a coarse grid: many ties within and across samples
        x, y = np.round(x * tied / 4), np.round(y * tied / 4)
    return x, y


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # scipy's kstwo at n = 0 (1 + 1 values)
@SETTINGS
@given(sample_pairs())
def test_ks_2samp_matches_scipy_auto_and_asymptotic(pair):
    x, y = pair
    for method in ("auto", "asymp"):
        ours = drift.ks_2samp(x, y, method=method)
        ref = stats.ks_2samp(x, y, method=method)
        assert_stat(ours.statistic, ref.statistic)
        assert_p(ours.pvalue, ref.pvalue)
    assert drift.ks_2samp(x, y).method == "exact"  # both samples <= 10,000


def test_ks_2samp_switches_to_asymptotic_above_10000():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=10_001), rng.normal(0.02, size=3000)
    ours, ref = drift.ks_2samp(x, y), stats.ks_2samp(x, y)
    assert ours.method == "asymptotic"
    assert_stat(ours.statistic, ref.statistic)
    assert_p(ours.pvalue, ref.pvalue)


def test_ks_2samp_exact_tiny_pvalue_and_equal_sizes():
    x = np.arange(200.0)
    y = x + 150.5
    ours, ref = drift.ks_2samp(x, y), stats.ks_2samp(x, y)
    assert ref.pvalue < 1e-30
    np.testing.assert_allclose(ours.pvalue, ref.pvalue, rtol=1e-9)


@SETTINGS
@given(sample_pairs(max_size=2000))
def test_mannwhitneyu_matches_scipy(pair):
    x, y = pair
    ours, ref = drift.mannwhitneyu(x, y), stats.mannwhitneyu(x, y)
    assert_stat(ours.statistic, ref.statistic)
    assert_p(ours.pvalue, ref.pvalue)


def test_mannwhitneyu_exact_branch():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=6), rng.normal(1, size=40)
    ours, ref = drift.mannwhitneyu(x, y), stats.mannwhitneyu(x, y)
    assert ours.method == "exact"
    assert_stat(ours.statistic, ref.statistic)
    assert_p(ours.pvalue, ref.pvalue)


@SETTINGS
@given(sample_pairs(min_size=2, max_size=2000))
def test_cramervonmises_matches_scipy(pair):
    x, y = pair
    ours, ref = drift.cramervonmises_2samp(x, y), stats.cramervonmises_2samp(x, y)
    assert_stat(ours.statistic, ref.statistic)
    assert_p(ours.pvalue, ref.pvalue)


@SETTINGS
@given(sample_pairs(min_size=2, max_size=2000), st.booleans())
def test_anderson_ksamp_matches_scipy(pair, three_samples):
    x, y = pair
    samples = [x, y, np.concatenate([x[:3], y[:5]])] if three_samples else [x, y]
    if len(np.unique(np.concatenate(samples))) < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when the p-value is capped or floored
        ref = stats.anderson_ksamp(samples, variant="midrank")
    ours = drift.anderson_ksamp(samples)
    np.testing.assert_allclose(ours.statistic, ref.statistic, rtol=1e-11)  # an O(N) harmonic sum
    assert_p(ours.pvalue, ref.pvalue)


@SETTINGS
@given(sample_pairs(), st.booleans())
def test_wasserstein_and_energy_match_scipy(pair, weighted):
    x, y = pair
    weights = {}
    if weighted:
        rng = np.random.default_rng(len(x) * 7 + len(y))
        weights = {"u_weights": rng.random(len(x)) + 0.01, "v_weights": rng.random(len(y)) + 0.01}
    np.testing.assert_allclose(
        drift.wasserstein_distance(x, y, **weights),
        stats.wasserstein_distance(x, y, **weights),
        rtol=STAT_RTOL,
        atol=1e-15,
    )
    np.testing.assert_allclose(
        drift.energy_distance(x, y, **weights), stats.energy_distance(x, y, **weights), rtol=STAT_RTOL, atol=1e-15
    )


@st.composite
def count_tables(draw):
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 5))
    table = np.array(draw(st.lists(st.integers(0, 500), min_size=rows * cols, max_size=rows * cols)), dtype=float)
    return table.reshape(rows, cols)


@SETTINGS
@given(count_tables(), st.booleans(), st.sampled_from([None, "log-likelihood"]))
def test_chi2_contingency_matches_scipy(table, correction, lambda_):
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        with pytest.raises(ValueError, match="zero expected"):
            drift.chi2_contingency(table, correction, lambda_)
        return
    ours = drift.chi2_contingency(table, correction, lambda_)
    ref = stats.chi2_contingency(table, correction=correction, lambda_=lambda_)
    assert_stat(ours.statistic, ref.statistic)
    assert_p(ours.pvalue, ref.pvalue)
    assert ours.dof == ref.dof


@SETTINGS
@given(st.lists(st.integers(0, 300), min_size=4, max_size=4))
def test_fisher_exact_matches_scipy(cells):
    table = np.array(cells).reshape(2, 2)
    ours, ref = drift.fisher_exact(table), stats.fisher_exact(table)
    np.testing.assert_allclose(ours.statistic, ref.statistic, rtol=STAT_RTOL)
    assert_p(ours.pvalue, ref.pvalue)


@SETTINGS
@given(st.lists(st.integers(1, 400), min_size=2, max_size=12), st.integers(0, 2**32 - 1))
def test_chisquare_and_g_test_match_scipy_with_equal_totals(expected, seed):
    expected = np.array(expected, dtype=float)
    rng = np.random.default_rng(seed)
    observed = rng.multinomial(int(expected.sum()), expected / expected.sum()).astype(float)
    for lambda_ in (None, "log-likelihood"):
        ours = drift.chisquare(observed, expected, lambda_=lambda_)
        ref = stats.power_divergence(observed, expected, lambda_=lambda_ or "pearson")
        assert_stat(ours.statistic, ref.statistic)
        assert_p(ours.pvalue, ref.pvalue)


@SETTINGS
@given(st.lists(st.floats(0, 10), min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_distribution_distances_match_scipy(p, seed):
    p = np.array(p)
    q = np.random.default_rng(seed).random(len(p))
    if p.sum() == 0:
        return
    np.testing.assert_allclose(drift.jensenshannon(p, q), jensenshannon(p, q), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(drift.kl_divergence(p, q), stats.entropy(p, q), rtol=1e-12, atol=1e-14)
    pn, qn = p / p.sum(), q / q.sum()
    np.testing.assert_allclose(drift.total_variation(p, q), 0.5 * np.abs(pn - qn).sum(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        drift.hellinger(p, q), np.sqrt(max(0.0, 1 - np.sqrt(pn * qn).sum())), rtol=1e-7, atol=1e-7
    )


def test_two_proportion_z_matches_its_formula():
    k1, n1, k2, n2 = 30, 100, 45, 120
    p1, p2, pooled = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    result = drift.two_proportion_ztest(k1, n1, k2, n2)
    np.testing.assert_allclose(result.statistic, z, rtol=1e-14)
    np.testing.assert_allclose(result.pvalue, 2 * stats.norm.sf(abs(z)), rtol=1e-13)


def test_results_unpack_like_scipy():
    statistic, pvalue = drift.ks_2samp([1.0, 2.0, 3.0], [2.5, 4.0])
    assert 0 <= pvalue <= 1 and statistic > 0


def epps_covariance_condition(x, y):
    """Condition number of the 4x4 covariance estimate that Epps-Singleton's W pseudo-inverts,
    over the singular values the pseudo-inverse keeps (numpy's cutoff)."""
    pooled = np.concatenate([x, y])
    t = np.array([0.4, 0.8]) / (np.subtract(*np.percentile(pooled, [75, 25])) / 2)

    def features(sample):
        angles = np.outer(sample, t)
        return np.hstack([np.cos(angles), np.sin(angles)])

    n = len(pooled)
    covariance = n / len(x) * np.cov(features(x).T, bias=True) + n / len(y) * np.cov(features(y).T, bias=True)
    singular = np.linalg.svd(covariance, compute_uv=False)
    kept = singular[singular > singular[0] * len(singular) * np.finfo(float).eps]
    return kept[0] / kept[-1] if kept.size else 1.0  # a zero covariance: W is 0 in both


@SETTINGS
@given(sample_pairs(min_size=5, max_size=2000))
def test_epps_singleton_matches_scipy(pair):
    x, y = pair
    pooled = np.concatenate([x, y])
    if np.subtract(*np.percentile(pooled, [75, 25])) == 0:
        with pytest.raises(ValueError, match="interquartile"):
            drift.epps_singleton_2samp(x, y)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when the covariance is rank-deficient
        ref = stats.epps_singleton_2samp(x, y)
    ours = drift.epps_singleton_2samp(x, y)
    # W goes through the pseudo-inverse of an estimated 4x4 covariance, whose condition
    # number amplifies last-bit differences of the two SVDs (a 5+5 sample with condition
    # 2.4e6 differs by 1.2e-10 relative): the tolerance scales with the condition number.
    rtol = max(1e-12, 1e-14 * epps_covariance_condition(x, y))
    np.testing.assert_allclose(ours.statistic, ref.statistic, rtol=rtol, atol=1e-12)
    assert_p(ours.pvalue, ref.pvalue)
