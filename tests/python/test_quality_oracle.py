"""Profile statistics against pandas / numpy on the same data."""

import math

import assay
import numpy as np
import pandas as pd
import pytest
from assay.quality import PROFILE_QUANTILES


def make_frame(rng, n=5000):
    x = rng.normal(10, 3, n)
    x[rng.random(n) < 0.05] = np.nan
    ints = rng.integers(-5, 6, n)
    skewed = rng.lognormal(0, 1.5, n)
    ties = np.round(rng.normal(0, 1, n), 1)
    return pd.DataFrame(
        {
            "x": x,
            "ints": ints,
            "skewed": skewed,
            "ties": ties,
            "flag": rng.random(n) < 0.3,
            "city": pd.Series(rng.choice(["a", "b", "c", None], n), dtype=object),
            "cat": pd.Categorical(rng.choice(["lo", "mid", "hi"], n)),
        }
    )


# 70,000 rows: columns with few distinct values (ints, ties, flag) are then ordered by
# counting rather than by sorting; both paths must give pandas' numbers.
@pytest.mark.parametrize("n", [5000, 70_000])
@pytest.mark.parametrize("column", ["x", "ints", "skewed", "ties", "flag"])
def test_numeric_profile_matches_pandas(rng, column, n):
    df = make_frame(rng, n)
    series = df[column].astype(float)
    stats = assay.profile(df)[column]
    described = series.describe()
    assert stats["count"] == len(series)
    assert stats["missing"] == series.isna().sum()
    assert stats["distinct"] == series.nunique()
    assert stats["min"] == described["min"]
    assert stats["max"] == described["max"]
    assert stats["mean"] == pytest.approx(described["mean"], rel=1e-13)
    assert stats["std"] == pytest.approx(described["std"], rel=1e-12)
    assert stats["zeros"] == (series == 0).sum()
    assert stats["negatives"] == (series < 0).sum()
    expected_quantiles = series.quantile(list(PROFILE_QUANTILES), interpolation="linear").to_numpy()
    np.testing.assert_allclose(list(stats["quantiles"].values()), expected_quantiles, rtol=1e-14, atol=1e-14)
    counts, edges = np.histogram(series.dropna(), bins=20)
    np.testing.assert_allclose(stats["histogram"]["edges"], edges, rtol=1e-14)
    assert np.abs(np.array(stats["histogram"]["counts"]) - counts).sum() <= 2  # floating edge placement
    assert sum(stats["histogram"]["counts"]) == series.notna().sum()
    top = series.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    assert [c for _, c in stats["values"][:5]] == top.to_numpy()[:5].tolist()


@pytest.mark.parametrize("column", ["city", "cat"])
def test_categorical_profile_matches_pandas(rng, column):
    df = make_frame(rng)
    stats = assay.profile(df)[column]
    assert stats["missing"] == df[column].isna().sum()
    assert stats["distinct"] == df[column].nunique()
    counts = df[column].value_counts()
    assert dict(stats["values"]) == {str(k): v for k, v in counts.items()}


# 70,000 rounded values are held as runs of equal values, 1,000 continuous ones one by one.
@pytest.mark.parametrize("n, decimals", [(1000, None), (70_000, 1)])
def test_infinities_are_counted_and_excluded_from_moments(rng, n, decimals):
    x = rng.normal(size=n)
    if decimals is not None:
        x = np.round(x, decimals)
    x[:3] = np.inf
    x[3] = -np.inf
    stats = assay.profile({"x": x})["x"]
    finite = pd.Series(x).replace([np.inf, -np.inf], np.nan)
    assert stats["infinities"] == 4
    assert stats["distinct"] == pd.Series(x).nunique()
    assert stats["mean"] == pytest.approx(finite.mean(), rel=1e-13)
    assert stats["std"] == pytest.approx(finite.std(), rel=1e-12)
    assert stats["max"] == finite.max()
    assert stats["min"] == finite.min()
    np.testing.assert_allclose(
        list(stats["quantiles"].values()), finite.quantile(list(PROFILE_QUANTILES)).to_numpy(), rtol=1e-14, atol=1e-14
    )


def test_duplicates_match_pandas(rng):
    df = pd.DataFrame({"a": rng.integers(0, 4, 3000), "b": rng.choice(["x", "y"], 3000), "c": rng.integers(0, 3, 3000)})
    df.loc[5, "a"] = np.nan
    df.loc[6, "a"] = np.nan
    report = assay.check(df)
    finding = next(f for f in report.findings if f.check == "duplicate_rows")
    assert finding.value == df.duplicated().sum()
    groups = df[df.duplicated(keep=False)]
    assert set(finding.rows) <= set(groups.index)


def test_missing_rate_matches_isna(rng):
    df = make_frame(rng)
    df.loc[df.index[:1500], "ints"] = np.nan
    report = assay.check(df)
    finding = next(f for f in report.findings if f.check == "missing" and f.column == "ints")
    assert finding.value == pytest.approx(df["ints"].isna().mean())
    assert list(finding.rows) == list(range(5))


@pytest.mark.parametrize("n, decimals", [(2000, None), (80_000, 1)])
def test_outlier_counts_match_definitions(rng, n, decimals):
    x = np.concatenate([rng.normal(size=n), rng.normal(20, 1, 3 * n // 100)])
    if decimals is not None:
        x = np.round(x, decimals)
    report = assay.check({"x": x})
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    expected_iqr = np.mean((x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr))
    median = np.median(x)
    mad = np.median(np.abs(x - median))
    expected_mad = np.mean(0.6745 * np.abs(x - median) / mad > 3.5)
    measured = {m["check"]: m["value"] for m in report.measures if m["column"] == "x"}
    assert measured["outliers_iqr"] == pytest.approx(expected_iqr, abs=1e-12)
    assert measured["outliers_mad"] == pytest.approx(expected_mad, abs=1e-12)
    # One outlier finding per column, by the configured rule, carrying the measured share.
    by_check = {f.check: f for f in report.findings}
    assert "outliers_mad" not in by_check
    assert by_check["outliers_iqr"].value == measured["outliers_iqr"]
    by_mad = {f.check: f for f in assay.check({"x": x}, thresholds={"outlier_method": "mad"}).findings}
    assert "outliers_iqr" not in by_mad
    assert by_mad["outliers_mad"].value == measured["outliers_mad"]


def test_demo_finds_every_planted_problem():
    current, reference = assay.datasets.make_quality_demo(5000, seed=1)
    report = assay.check(current, target="churned", reference=reference, rules=assay.datasets.DEMO_RULES)
    found = {(f.check, f.column) for f in report.findings}
    expected = {
        ("missing", "income"),
        ("infinite_values", "spend_per_month_of_tenure"),
        ("constant", "source_system"),
        ("high_cardinality", "customer_id"),
        ("label_variants", "city"),
        ("unseen_categories", "city"),
        ("target_leakage", "refund_requested"),
        ("duplicate_rows", None),
        ("conflicting_labels", "churned"),
        ("train_test_overlap", None),
        ("class_imbalance", "churned"),
        ("rule_max", "age"),
        ("rule_unique", "customer_id"),
    }
    assert expected <= found, expected - found
    leaks = {f.column for f in report.findings if f.check == "target_leakage"}
    assert leaks == {"refund_requested"}
    assert not report.passed
    overlap = next(f for f in report.findings if f.check == "train_test_overlap")
    assert overlap.value == 5000 // 200


def test_merge_equals_whole(rng):
    df = make_frame(rng, 8000)
    whole = assay.profile(df)
    merged = assay.profile(df.iloc[:3000]).merge(assay.profile(df.iloc[3000:]))
    for name in whole.columns:
        w, m = whole[name], merged[name]
        for key in ("count", "missing"):
            assert w[key] == m[key]
        if w["kind"] == "numeric":
            for key in ("min", "max", "zeros", "negatives", "infinities"):
                assert w[key] == m[key] or (math.isnan(w[key]) and math.isnan(m[key]))
            assert m["mean"] == pytest.approx(w["mean"], rel=1e-12)
            assert m["std"] == pytest.approx(w["std"], rel=1e-12)
            values = np.sort(df[name].dropna().astype(float).to_numpy())
            for p, q in m["quantiles"].items():
                lo = np.searchsorted(values, q, "left") / len(values)
                hi = np.searchsorted(values, q, "right") / len(values)
                assert lo - m["quantile_rank_error"] - 1e-9 <= p <= hi + m["quantile_rank_error"] + 1e-9
        assert abs(m["distinct"] - w["distinct"]) <= max(1, 0.05 * w["distinct"])
