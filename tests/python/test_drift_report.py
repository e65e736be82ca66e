"""Drift reports, drift over time, Evidently-compatible binned distances, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from assay import drift
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(42)
    n_ref, n_cur = 4000, 3000
    reference = pd.DataFrame(
        {
            "stable": rng.normal(size=n_ref),
            "shifted": rng.normal(size=n_ref),
            "few_values": rng.integers(0, 4, n_ref).astype(float),
            "city": rng.choice(["a", "b", "c"], n_ref),
            "target": rng.integers(0, 2, n_ref),
            "prediction": rng.random(n_ref),
        }
    )
    current = pd.DataFrame(
        {
            "stable": rng.normal(size=n_cur),
            "shifted": rng.normal(0.8, size=n_cur),
            "few_values": rng.integers(0, 4, n_cur).astype(float),
            "city": rng.choice(["a", "b", "c", "d"], n_cur, p=[0.1, 0.3, 0.3, 0.3]),
            "target": rng.integers(0, 2, n_cur),
            "prediction": rng.random(n_cur) ** 2,
        }
    )
    return reference, current


# --- Evidently's binning and defaults, checked against their definitions with numpy ------


def evidently_proportions(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's get_binned_data, restated with numpy (reference notes, section 1.3)."""
    if len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        return np.histogram(ref, edges)[0] / len(ref), np.histogram(cur, edges)[0] / len(cur)
    keys = np.union1d(ref, cur)
    return (
        np.array([(ref == k).sum() for k in keys]) / len(ref),
        np.array([(cur == k).sum() for k in keys]) / len(cur),
    )


def fill_zeros(p: np.ndarray) -> np.ndarray:
    p = p.copy()
    positive = p[p > 0]
    p[p == 0] = positive.min() / 1e6 if positive.min() <= 1e-4 else 1e-4
    return p


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([5, 50, 3000]), st.booleans())
def test_binned_distances_follow_evidentlys_definitions(seed, n, few_values):
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=n)
    cur = rng.normal(0.3, 1.2, size=n + 7)
    if few_values:
        ref, cur = np.round(ref * 2), np.round(cur * 2)
    p, q = evidently_proportions(ref, cur)
    from scipy.spatial.distance import jensenshannon

    expected = {
        "psi": float(np.sum((fill_zeros(p) - fill_zeros(q)) * np.log(fill_zeros(p) / fill_zeros(q)))),
        "kl_div": float(stats.entropy(fill_zeros(p), fill_zeros(q))),
        "jensenshannon": float(jensenshannon(p, q)),
        "wasserstein": stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001),
    }
    for test, value in expected.items():
        np.testing.assert_allclose(drift.compare(ref, cur, test).statistic, value, rtol=1e-12, atol=1e-14)


def test_chisquare_z_and_ks_in_reports_match_evidentlys_formulas(tables):
    reference, current = tables
    result = drift.report(reference, current, columns=["city", "stable"], tests={"city": "chisquare", "stable": "ks"})
    city, stable = result["city"], result["stable"]
    # Category 'd' is new in the current data: the rescaled expectation is 0.
    assert city.statistic == math.inf and city.pvalue == 0.0 and city.drifted
    ks = stats.ks_2samp(reference["stable"], current["stable"])
    assert stable.pvalue == pytest.approx(ks.pvalue, rel=1e-10)
    assert stable.drifted == (ks.pvalue <= 0.05)


# --- 'auto' rules and report structure ----------------------------------------------------


def test_auto_rules_follow_evidentlys_defaults(tables):
    reference, current = tables
    big = drift.report(reference, current, target="target", prediction="prediction")
    tests = {r.column: r.test for r in big.columns}
    assert tests == {
        "stable": "wasserstein",
        "shifted": "wasserstein",
        "few_values": "jensenshannon",
        "city": "jensenshannon",
    }
    assert big.target[0].test == "jensenshannon" and big.prediction[0].test == "wasserstein"
    small = drift.report(reference.iloc[:500], current.iloc[:400], target="target")
    tests = {r.column: r.test for r in [*small.columns, *small.target]}
    assert tests["stable"] == "ks" and tests["few_values"] == "chisquare" and tests["city"] == "chisquare"
    assert tests["target"] == "z"


def test_report_flags_shift_and_orders_flagged_first(tables):
    reference, current = tables
    result = drift.report(reference, current, target="target", prediction="prediction")
    assert "shifted" in result.drifted_columns and "stable" not in result.drifted_columns
    assert result.n_columns == 4  # target and prediction are reported apart
    assert result.share_drifted == result.n_drifted / 4
    assert result.dataset_drift == (result.share_drifted >= 0.5)
    frame = result.to_frame()
    flags = frame["drifted"].tolist()
    assert flags == sorted(flags, reverse=True)
    assert set(frame["role"]) == {"feature", "target", "prediction"}
    encoded = json.dumps(result.to_dict())  # JSON-safe (inf, NaN become null)
    assert "shifted" in encoded
    html = result._repr_html_()
    assert html.index("shifted") < html.index("stable")


def test_forced_tests_thresholds_and_several_tests_per_column(tables):
    reference, current = tables
    result = drift.report(
        reference,
        current,
        columns=["stable", "shifted"],
        tests=["ks", "psi", "anderson", "cramer_von_mises", "energy_distance", "mannw", "hellinger", "tvd", "es"],
        thresholds={"psi": 0.2, "stable": 0.5},
    )
    assert len(result.columns) == 18
    by_key = {(r.column, r.test): r for r in result.columns}
    assert by_key[("shifted", "psi")].threshold == 0.2
    assert all(by_key[("stable", t)].threshold == 0.5 for t in ("ks", "psi"))
    assert by_key[("shifted", "ks")].threshold == 0.05
    assert by_key[("stable", "es")].pvalue == pytest.approx(
        stats.epps_singleton_2samp(reference["stable"], current["stable"]).pvalue, rel=1e-10, abs=1e-12
    )
    np.testing.assert_allclose(
        by_key[("shifted", "energy_distance")].statistic,
        stats.energy_distance(reference["shifted"], current["shifted"]),
        rtol=1e-12,
    )


def test_test_thresholds_reach_auto_columns(tables):
    reference, current = tables
    result = drift.report(reference, current, thresholds={"wasserstein": 0.5, "city": 0.01})
    assert result["stable"].test == "wasserstein" and result["stable"].threshold == 0.5
    assert result["city"].threshold == 0.01
    assert result["few_values"].threshold == 0.1  # jensenshannon keeps its default
    assert not result["shifted"].drifted or result["shifted"].score >= 0.5


def test_same_report_for_every_n_jobs_and_row_order(tables):
    reference, current = tables
    one = drift.report(reference, current, tests=["psi", "jensenshannon"], n_jobs=1)
    two = drift.report(reference, current, tests=["psi", "jensenshannon"], n_jobs=2)
    shuffled = drift.report(
        reference.sample(frac=1, random_state=0),
        current.sample(frac=1, random_state=1),
        tests=["psi", "jensenshannon"],
    )
    assert [r.score for r in one.columns] == [r.score for r in two.columns]
    np.testing.assert_allclose([r.score for r in one.columns], [r.score for r in shuffled.columns], rtol=1e-12)


# --- multiple-testing correction -----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.05, 1.0])), min_size=1, max_size=40))
def test_adjusted_pvalues_equal_statsmodels_multipletests(pvalues):
    from statsmodels.stats.multitest import multipletests

    for method in drift.CORRECTIONS:
        expected = multipletests(pvalues, method=method)[1]
        # atol: p-values in the subnormal range (below 2.2e-308) keep only a few significant bits, so
        # p * n / rank and statsmodels' order of operations may round apart there (5e-324 * 9 / 2).
        np.testing.assert_allclose(
            drift.adjust_pvalues(pvalues, method), expected, rtol=1e-14, atol=1e-300, err_msg=method
        )


def test_correction_adjusts_the_reports_pvalues_and_flags_only(tables):
    from statsmodels.stats.multitest import multipletests

    reference, current = tables
    tests = {"stable": ["ks", "psi"], "shifted": ["ks", "mannw"], "few_values": ["chisquare"], "city": ["z"]}
    plain = drift.report(reference, current, tests=tests)
    for method in drift.CORRECTIONS:
        corrected = drift.report(reference, current, tests=tests, correction=method)
        results = corrected.columns
        np.testing.assert_array_equal([r.score for r in results], [r.score for r in plain.columns])
        family = [i for i, r in enumerate(results) if not math.isnan(r.pvalue)]
        assert [results[i].test for i in family] == ["ks", "ks", "mannw", "chisquare"]  # z is NaN: 4 categories
        expected = multipletests([results[i].pvalue for i in family], method=method)[1]
        np.testing.assert_allclose([results[i].pvalue_adjusted for i in family], expected, rtol=1e-14)
        for r in results:
            if r.test == "psi":  # distances keep their flags
                assert math.isnan(r.pvalue_adjusted) and r.drifted == (r.score >= r.threshold)
            elif not math.isnan(r.pvalue):
                assert r.drifted == (
                    r.pvalue_adjusted <= r.threshold if r.test == "ks" else r.pvalue_adjusted < r.threshold
                )
        assert corrected.to_dict()["correction"] == method and f"adjusted ({method})" in corrected._repr_html_()
    # Bonferroni turns a borderline p-value into no drift.
    borderline = drift.report(reference, current, tests={"stable": "ks", "shifted": "ks"}, thresholds={"stable": 0.99})
    assert borderline["stable"].drifted
    bonferroni = drift.report(
        reference,
        current,
        tests={"stable": "ks", "shifted": "ks"},
        thresholds={"stable": 0.99},
        correction="bonferroni",
    )
    assert bonferroni["stable"].pvalue_adjusted == min(1.0, 2 * borderline["stable"].pvalue)
    assert bonferroni["stable"].drifted == (bonferroni["stable"].pvalue_adjusted <= 0.99)
    assert all(r.pvalue_adjusted == r.pvalue or math.isnan(r.pvalue) for r in plain.columns)


def test_correction_bad_input(tables):
    reference, current = tables
    with pytest.raises(ValueError, match="correction must be None or one of bonferroni, holm, fdr_bh"):
        drift.report(reference, current, correction="sidak")
    with pytest.raises(ValueError, match="pvalues must lie in"):
        drift.adjust_pvalues([0.5, 1.5], "holm")
    with pytest.raises(ValueError, match="pvalues must be 1-D"):
        drift.adjust_pvalues([[0.5]], "holm")
    with pytest.raises(ValueError, match="method must be"):
        drift.adjust_pvalues([0.5], "BH")


# --- missing values, degenerate columns, bad input ----------------------------------------


def test_missing_and_infinite_values_are_dropped_and_counted():
    ref = np.array([1.0, 2.0, np.nan, 3.0, np.inf, 4.0, 5.0])
    cur = np.array([2.0, np.nan, np.nan, -np.inf, 6.0, 7.0])
    result = drift.compare(ref, cur, "ks")
    assert (result.n_reference, result.missing_reference, result.infinite_reference) == (5, 1, 1)
    assert (result.n_current, result.missing_current, result.infinite_current) == (3, 2, 1)
    expected = stats.ks_2samp([1.0, 2, 3, 4, 5], [2.0, 6, 7])
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-12)


def test_degenerate_columns_give_nan_with_a_reason():
    empty = drift.compare(np.array([1.0, 2.0]), np.array([np.nan, np.nan]), "ks")
    assert math.isnan(empty.score) and "no values" in empty.note and not empty.drifted
    constant = drift.compare(np.ones(10), np.ones(12), "anderson")
    assert math.isnan(constant.score) and "distinct" in constant.note
    one_row = drift.compare(np.array([1.0]), np.array([2.0]), "cramer_von_mises")
    assert math.isnan(one_row.score) and "at least 2" in one_row.note
    same_constant = drift.compare(np.ones(10), np.ones(12), "z")
    assert same_constant.pvalue == 1.0 and not same_constant.drifted
    many = drift.compare(np.arange(10.0), np.arange(10.0), "fisher_exact")
    assert math.isnan(many.score) and "at most 2" in many.note


def test_categories_on_one_side_only():
    ref = np.array(["a"] * 50 + ["b"] * 50, dtype=object)
    cur = np.array(["b"] * 60 + ["c"] * 40, dtype=object)
    psi = drift.compare(ref, cur, "psi")
    assert math.isfinite(psi.statistic) and psi.drifted  # zero bins filled as Evidently does
    js = drift.compare(ref, cur, "jensenshannon")
    p, q = np.array([0.5, 0.5, 0]), np.array([0, 0.6, 0.4])
    from scipy.spatial.distance import jensenshannon

    assert js.statistic == pytest.approx(jensenshannon(p, q), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: drift.ks_2samp([1.0, np.nan], [1.0, 2.0]), ValueError, "data1 holds NaN"),
        (
            lambda: drift.epps_singleton_2samp([1.0, 2.0, 3.0, 4.0, 5.0], [np.inf, 2.0, 3.0, 4.0, 5.0]),
            ValueError,
            "y holds an infinity",
        ),
        (lambda: drift.ks_2samp([], [1.0]), ValueError, "data1 is empty"),
        (lambda: drift.ks_2samp(["a", "b"], [1.0]), TypeError, "data1 must be numeric"),
        (lambda: drift.ks_2samp(np.ones((3, 2)), [1.0]), ValueError, "1-D"),
        (lambda: drift.ks_2samp([1.0], [2.0], method="fast"), ValueError, "method"),
        (lambda: drift.cramervonmises_2samp([1.0], [2.0, 3.0]), ValueError, "needs at least 2"),
        (lambda: drift.anderson_ksamp([[1.0, 2.0]]), ValueError, "at least two samples"),
        (lambda: drift.anderson_ksamp([[1.0, 1.0], [1.0]]), ValueError, "more than one distinct"),
        (lambda: drift.wasserstein_distance([1.0, 2.0], [3.0], u_weights=[1.0]), ValueError, "u_weights"),
        (lambda: drift.wasserstein_distance([1.0], [3.0], v_weights=[-1.0]), ValueError, "v_weights"),
        (lambda: drift.chi2_contingency(np.ones((2, 2, 2))), ValueError, "2-D"),
        (lambda: drift.chi2_contingency([[1, -2], [3, 4]]), ValueError, "is negative"),
        (lambda: drift.fisher_exact([[1, 2, 3], [1, 2, 3]]), ValueError, "2x2"),
        (lambda: drift.fisher_exact([[1.5, 2], [3, 4]]), ValueError, "not a whole number"),
        (lambda: drift.chisquare([1, 2], [1, 2, 3]), ValueError, "same length"),
        (lambda: drift.jensenshannon([0.5, 0.5], [1.0]), ValueError, "same bins"),
        (lambda: drift.jensenshannon([0.0, 0.0], [1.0, 0.0]), ValueError, "all zeros"),
        (lambda: drift.two_proportion_ztest(5, 3, 1, 2), ValueError, "count1 .5. exceeds nobs1"),
        (lambda: drift.compare([1.0, 2.0], [1.0, 2.0], "nope"), ValueError, "unknown test"),
        (lambda: drift.compare(["a", "b"], ["a"], "ks"), TypeError, "does not apply"),
        (lambda: drift.compare([1.0, 2.0], ["a"], "psi"), TypeError, "numeric in the reference"),
        (lambda: drift.compare([1.0, 2.0], [1.0], "psi", threshold=-1), ValueError, "threshold"),
    ],
)
def test_bad_input_gives_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_report_bad_input(tables):
    reference, current = tables
    with pytest.raises(ValueError, match="not in the current data"):
        drift.report(reference, current.drop(columns=["city"]))
    with pytest.raises(ValueError, match="not in the reference"):
        drift.report(reference, current, columns=["nope"])
    with pytest.raises(ValueError, match="reference has no rows"):
        drift.report(reference.iloc[:0], current)
    with pytest.raises(ValueError, match="unknown test"):
        drift.report(reference, current, tests={"stable": "welch_t"})
    with pytest.raises(ValueError, match="not checked"):
        drift.report(reference, current, columns=["stable"], tests={"city": "psi"})
    with pytest.raises(ValueError, match="neither checked columns nor test keys"):
        drift.report(reference, current, thresholds={"bogus": 0.1})
    with pytest.raises(ValueError, match="n_jobs"):
        drift.report(reference, current, n_jobs=0)
    with pytest.raises(ValueError, match="drift_share"):
        drift.report(reference, current, drift_share=2)
    with pytest.raises(TypeError, match="does not apply to categorical column 'city'"):
        drift.report(reference, current, tests="ks")


def test_non_contiguous_and_integer_input_equal_contiguous_float():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(400, 2))
    strided = base[:, 0]  # a non-contiguous view
    assert not strided.flags.c_contiguous
    a = drift.ks_2samp(strided, base[:, 1])
    b = drift.ks_2samp(np.ascontiguousarray(strided), np.ascontiguousarray(base[:, 1]))
    assert a == b
    ints = np.arange(50)
    assert drift.ks_2samp(ints, ints + 3) == drift.ks_2samp(ints.astype(float), ints + 3.0)


# --- over time --------------------------------------------------------------------------


def test_over_time_by_period_size_and_count(tables):
    reference, _ = tables
    rng = np.random.default_rng(9)
    n = 2400
    drift_after = 1200
    values = np.where(np.arange(n) < drift_after, rng.normal(size=n), rng.normal(1.0, size=n))
    current = pd.DataFrame({"stable": values, "ts": pd.date_range("2024-01-01", periods=n, freq="h")})
    by_day = drift.over_time(reference[["stable"]], current, time="ts", freq="D", tests="ks")
    assert len(by_day.chunks) == 100
    frame = by_day.to_frame()
    assert list(frame["test"].unique()) == ["ks"]
    flags = frame["drifted"].to_numpy()
    assert flags[50:].mean() > 0.9 and flags[:50].mean() < 0.2
    # Each chunk equals a report on the chunk's rows.
    first = current.iloc[:24]
    expected = drift.report(reference[["stable"]], first[["stable"]], tests="ks")["stable"]
    assert by_day.results[0][0].pvalue == expected.pvalue
    by_size = drift.over_time(reference[["stable"]], current, time="ts", chunk_size=600)
    assert [c["rows"] for c in by_size.chunks] == [600] * 4
    assert by_size.drift_counts() == [0, 0, 1, 1]
    by_count = drift.over_time(reference[["stable"]], current[["stable"]])
    assert len(by_count.chunks) == 10
    json.dumps(by_count.to_dict())
    assert "Drift over time" in by_count._repr_html_()


def test_over_time_correction_is_each_chunks_report_with_that_correction(tables):
    reference, current = tables
    tests = {"stable": ["ks", "psi"], "shifted": ["ks", "mannw"], "few_values": ["chisquare"]}
    chunk_size = 300
    columns = list(tests)
    plain = drift.over_time(reference, current, chunk_size=chunk_size, columns=columns, tests=tests)
    for method in drift.CORRECTIONS:
        corrected = drift.over_time(
            reference, current, chunk_size=chunk_size, columns=columns, tests=tests, correction=method
        )
        assert corrected.correction == method and corrected.to_dict()["correction"] == method
        assert f"adjusted per chunk ({method})" in corrected._repr_html_()
        for chunk, results in enumerate(corrected.results):
            rows = current.iloc[chunk * chunk_size : (chunk + 1) * chunk_size]
            expected = drift.report(reference, rows, columns=columns, tests=tests, correction=method).columns
            assert [(r.column, r.test) for r in results] == [(r.column, r.test) for r in expected]
            np.testing.assert_array_equal([r.pvalue_adjusted for r in results], [r.pvalue_adjusted for r in expected])
            assert [r.drifted for r in results] == [r.drifted for r in expected]
            assert [r.score for r in results] == [r.score for r in plain.results[chunk]]
    with pytest.raises(ValueError, match="correction must be None or one of"):
        drift.over_time(reference, current, correction="sidak")


def test_over_time_bad_input(tables):
    reference, current = tables
    with pytest.raises(ValueError, match="at most one"):
        drift.over_time(reference, current, chunk_size=10, n_chunks=3)
    with pytest.raises(ValueError, match="freq needs time"):
        drift.over_time(reference, current, freq="D")
    with pytest.raises(ValueError, match="time column 'when'"):
        drift.over_time(reference, current, time="when")
    with pytest.raises(ValueError, match="chunk_size"):
        drift.over_time(reference, current, chunk_size=0)
    with pytest.raises(ValueError, match="one value per current row"):
        drift.over_time(reference, current, time=np.arange(3))
