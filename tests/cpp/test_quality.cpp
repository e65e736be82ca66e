#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::quality;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool has_finding(const CheckResult& r, const std::string& check, const std::string& column = "") {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.check == check && (column.empty() || f.column == column); });
}

const Finding& finding(const CheckResult& r, const std::string& check) {
  return *std::find_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.check == check; });
}

}  // namespace

TEST(QualityProfile, NumericStatisticsByHand) {
  std::vector<double> x{3.0, -1.0, 0.0, NAN, kInf, 2.0, 2.0, -0.0, -kInf};
  const auto p = profile_numeric(ColumnView::numeric("x", x));
  EXPECT_EQ(p.count, 9);
  EXPECT_EQ(p.missing, 1);
  EXPECT_EQ(p.infinities, 2);
  EXPECT_EQ(p.zeros, 2);
  EXPECT_EQ(p.negatives, 2);  // -1 and -inf
  EXPECT_EQ(p.distinct, 6);   // -inf, -1, 0, 2, 3, inf
  EXPECT_DOUBLE_EQ(p.min, -1.0);
  EXPECT_DOUBLE_EQ(p.max, 3.0);
  // finite: -1, 0, 0, 2, 2, 3
  EXPECT_DOUBLE_EQ(p.mean, 1.0);
  EXPECT_NEAR(p.variance(), (4 + 1 + 1 + 1 + 1 + 4) / 5.0, 1e-15);
  EXPECT_DOUBLE_EQ(p.quantiles[3], 1.0);  // median of finite values
  ASSERT_EQ(p.values.entries.size(), 6u);
  EXPECT_TRUE(p.values.complete);
  EXPECT_EQ(p.values.entries[0].count, 2);
  EXPECT_DOUBLE_EQ(p.values.entries[0].value, 0.0);  // ties broken by value: 0 before 2
  std::int64_t histogram_total = 0;
  for (auto c : p.histogram_counts) histogram_total += c;
  EXPECT_EQ(histogram_total, 6);
}

TEST(QualityProfile, DegenerateColumns) {
  std::vector<double> empty;
  auto p = profile_numeric(ColumnView::numeric("e", empty));
  EXPECT_EQ(p.count, 0);
  EXPECT_TRUE(std::isnan(p.mean));
  EXPECT_TRUE(std::isnan(p.quantiles[0]));
  EXPECT_TRUE(p.histogram_counts.empty());

  std::vector<double> all_nan(5, NAN);
  p = profile_numeric(ColumnView::numeric("n", all_nan));
  EXPECT_EQ(p.missing, 5);
  EXPECT_EQ(p.distinct, 0);
  EXPECT_TRUE(std::isnan(p.min));

  std::vector<double> one{7.0};
  p = profile_numeric(ColumnView::numeric("one", one));
  EXPECT_DOUBLE_EQ(p.mean, 7.0);
  EXPECT_TRUE(std::isnan(p.variance()));
  EXPECT_EQ(p.histogram_counts.size(), 20u);
  EXPECT_DOUBLE_EQ(p.histogram_edges.front(), 6.5);  // numpy widens a zero range by 0.5

  std::vector<double> infinite{kInf, -kInf, kInf};
  p = profile_numeric(ColumnView::numeric("inf", infinite));
  EXPECT_EQ(p.infinities, 3);
  EXPECT_EQ(p.distinct, 2);
  EXPECT_TRUE(std::isnan(p.mean));
}

TEST(QualityProfile, CategoricalCountsAndBadCodes) {
  std::vector<std::int32_t> codes{0, 2, 2, -1, 2, 0};
  std::vector<std::string> labels{"a", "unused", "c"};
  const auto p = profile_categorical(ColumnView::categorical("c", codes, labels));
  EXPECT_EQ(p.missing, 1);
  EXPECT_EQ(p.distinct, 2);
  ASSERT_EQ(p.values.entries.size(), 2u);
  EXPECT_EQ(p.values.entries[0].value, "c");
  EXPECT_EQ(p.values.entries[0].count, 3);
  std::vector<std::int32_t> bad{0, 5};
  EXPECT_THROW(profile_categorical(ColumnView::categorical("c", bad, labels)), InvalidArgument);
  EXPECT_THROW(profile_numeric(ColumnView::categorical("c", codes, labels)), InvalidType);
}

TEST(QualityProfile, MergeEqualsWholeForExactStatistics) {
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal(5, 3);
  std::vector<double> all(30000);
  for (auto& v : all) v = std::round(normal(gen) * 100) / 100;
  for (std::size_t i = 0; i < all.size(); i += 97) all[i] = NAN;
  std::vector<double> a(all.begin(), all.begin() + 12345), b(all.begin() + 12345, all.end());
  const auto whole = profile_numeric(ColumnView::numeric("x", all));
  const auto merged = merge(profile_numeric(ColumnView::numeric("x", a)), profile_numeric(ColumnView::numeric("x", b)));
  EXPECT_EQ(merged.count, whole.count);
  EXPECT_EQ(merged.missing, whole.missing);
  EXPECT_EQ(merged.zeros, whole.zeros);
  EXPECT_EQ(merged.negatives, whole.negatives);
  EXPECT_EQ(merged.min, whole.min);
  EXPECT_EQ(merged.max, whole.max);
  EXPECT_NEAR(merged.mean, whole.mean, 1e-12 * std::abs(whole.mean));
  EXPECT_NEAR(merged.variance(), whole.variance(), 1e-12 * whole.variance());
  // Sketches: within their stated error.
  EXPECT_FALSE(merged.quantiles_exact);
  std::vector<double> sorted;
  for (double v : all)
    if (!std::isnan(v)) sorted.push_back(v);
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t k = 0; k < kProfileQuantiles.size(); ++k) {
    const double q = merged.quantiles[k];
    const double lo =
        static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), q) - sorted.begin()) / sorted.size();
    const double hi =
        static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), q) - sorted.begin()) / sorted.size();
    EXPECT_LE(lo, kProfileQuantiles[k] + merged.summary.rank_error() + 1e-9);
    EXPECT_GE(hi, kProfileQuantiles[k] - merged.summary.rank_error() - 1e-9);
  }
  EXPECT_NEAR(static_cast<double>(merged.distinct), static_cast<double>(whole.distinct), 0.05 * whole.distinct);
}

TEST(QualityProfile, MergeOfCompleteValueTablesIsExact) {
  std::vector<double> a{1, 1, 2}, b{2, 3, 3, 3};
  const auto m = merge(profile_numeric(ColumnView::numeric("x", a)), profile_numeric(ColumnView::numeric("x", b)));
  EXPECT_TRUE(m.distinct_exact);
  EXPECT_EQ(m.distinct, 3);
  ASSERT_EQ(m.values.entries.size(), 3u);
  EXPECT_DOUBLE_EQ(m.values.entries[0].value, 3.0);
  EXPECT_EQ(m.values.entries[0].count, 3);
  EXPECT_TRUE(m.quantiles_exact);  // small: the summaries hold every value
  EXPECT_DOUBLE_EQ(m.quantiles[3], 2.0);
  std::vector<double> other{1.0};
  EXPECT_THROW(merge(profile_numeric(ColumnView::numeric("x", a)), profile_numeric(ColumnView::numeric("y", other))),
               InvalidArgument);
}

TEST(QualityProfile, SortedHelpersMatchDefinitions) {
  std::vector<double> x{1, 2, 3, 4, 100};
  EXPECT_DOUBLE_EQ(detail::sorted_quantile(x.data(), x.size(), 0.25), 2.0);
  EXPECT_DOUBLE_EQ(detail::sorted_quantile(x.data(), x.size(), 0.1), 1.4);
  // |x - 3| = 2, 1, 0, 1, 97 -> median 1
  EXPECT_DOUBLE_EQ(detail::sorted_mad(x.data(), x.size(), 3.0), 1.0);
  std::vector<double> even{1, 2, 4, 8};
  // median 3; |x - 3| = 2, 1, 1, 5 -> sorted 1, 1, 2, 5 -> 1.5
  EXPECT_DOUBLE_EQ(detail::sorted_mad(even.data(), even.size(), 3.0), 1.5);
}

// The MAD by binary search over the two deviation sequences equals the median of the
// absolute deviations computed directly, with ties and both parities of n.
TEST(QualityProfile, SortedMadMatchesDirectMedian) {
  std::mt19937_64 gen(5);
  for (std::size_t n = 1; n < 60; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> x(n);
      for (auto& v : x) v = static_cast<double>(gen() % 9) * (trial % 2 ? 0.5 : 1.25);
      std::sort(x.begin(), x.end());
      const double median = detail::sorted_quantile(x.data(), n, 0.5);
      std::vector<double> deviations(n);
      for (std::size_t i = 0; i < n; ++i) deviations[i] = std::abs(x[i] - median);
      std::sort(deviations.begin(), deviations.end());
      const double expected = detail::sorted_quantile(deviations.data(), n, 0.5);
      ASSERT_EQ(detail::sorted_mad(x.data(), n, median), expected) << "n=" << n << " trial=" << trial;
    }
  }
}

TEST(QualityProfile, ThreadCountDoesNotChangeResults) {
  std::mt19937_64 gen(2);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> data(6, std::vector<double>(5000));
  std::vector<ColumnView> columns;
  for (std::size_t j = 0; j < data.size(); ++j) {
    for (auto& v : data[j]) v = u(gen);
    columns.push_back(ColumnView::numeric("c" + std::to_string(j), data[j]));
  }
  TableView table(columns);
  const auto one = profile_table(table, {}, 1);
  const auto two = profile_table(table, {}, 2);
  for (std::size_t j = 0; j < data.size(); ++j) {
    EXPECT_EQ(one.numeric[j].mean, two.numeric[j].mean);
    EXPECT_EQ(one.numeric[j].quantiles, two.numeric[j].quantiles);
  }
}

TEST(QualityCheck, FindsPlantedProblems) {
  const std::size_t n = 400;
  std::vector<double> constant(n, 1.0), leak(n), noise(n), target(n), missing(n);
  std::vector<std::int32_t> city(n);
  std::vector<std::string> labels{"Berlin", "berlin ", "Paris"};
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < n; ++i) {
    target[i] = u(gen) < 0.05 ? 1.0 : 0.0;
    leak[i] = target[i] * 10 + u(gen);
    noise[i] = u(gen);
    missing[i] = i % 3 == 0 ? NAN : u(gen);
    city[i] = static_cast<std::int32_t>(i % 3);
  }
  noise[7] = noise[8] = 0.5;  // make rows 7 and 8 identical
  leak[7] = leak[8] = 0.25;
  target[7] = target[8] = 0.0;
  missing[7] = missing[8] = NAN;
  city[7] = city[8] = 2;
  TableView data({ColumnView::numeric("constant", constant), ColumnView::numeric("leak", leak),
                  ColumnView::numeric("noise", noise), ColumnView::numeric("missing", missing),
                  ColumnView::categorical("city", city, labels), ColumnView::numeric("y", target)});
  // About 20 rows of the minority class: too few for the default decision on the lower
  // bound (whose width the rescaling by the minority share multiplies); the in-sample score.
  CheckOptions options;
  options.leakage_decision = LeakageDecision::point;
  const auto r = check(data, "y", nullptr, {}, options);
  EXPECT_TRUE(has_finding(r, "constant", "constant"));
  EXPECT_TRUE(has_finding(r, "target_leakage", "leak"));
  EXPECT_FALSE(has_finding(r, "target_leakage", "noise"));
  EXPECT_TRUE(has_finding(r, "missing", "missing"));
  EXPECT_TRUE(has_finding(r, "label_variants", "city"));
  EXPECT_TRUE(has_finding(r, "class_imbalance", "y"));
  ASSERT_TRUE(has_finding(r, "duplicate_rows"));
  EXPECT_EQ(finding(r, "duplicate_rows").value, 1.0);
  EXPECT_EQ(finding(r, "duplicate_rows").rows, (std::vector<std::int64_t>{7, 8}));
  EXPECT_FALSE(has_finding(r, "conflicting_labels"));
  const auto& m = finding(r, "missing");
  EXPECT_EQ(m.rows.front(), 0);
  EXPECT_EQ(m.severity, Severity::warning);
}

TEST(QualityCheck, ConflictsOverlapUnseenAndOutliers) {
  std::vector<double> x{1, 1, 2, 3, 4, 5, 6, 7, 8, 1000}, y{0, 1, 0, 0, 1, 1, 0, 1, 0, 1};
  std::vector<std::int32_t> codes{0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  std::vector<std::string> labels{"a", "b"};
  TableView data(
      {ColumnView::numeric("x", x), ColumnView::categorical("c", codes, labels), ColumnView::numeric("y", y)});
  std::vector<double> rx{2, 9};
  std::vector<std::int32_t> rcodes{0, 0};
  std::vector<std::string> rlabels{"a", "never seen in data"};
  TableView reference({ColumnView::numeric("x", rx), ColumnView::categorical("c", rcodes, rlabels)});
  CheckOptions options;
  options.outlier_rate = 0.05;
  const auto r = check(data, "y", &reference, {}, options);
  ASSERT_TRUE(has_finding(r, "conflicting_labels"));
  EXPECT_EQ(finding(r, "conflicting_labels").rows, (std::vector<std::int64_t>{0, 1}));
  ASSERT_TRUE(has_finding(r, "train_test_overlap"));
  EXPECT_EQ(finding(r, "train_test_overlap").rows, (std::vector<std::int64_t>{2}));  // x=2, c='a'
  ASSERT_TRUE(has_finding(r, "unseen_categories", "c"));
  EXPECT_EQ(finding(r, "unseen_categories").value, 4.0);
  ASSERT_TRUE(has_finding(r, "outliers_iqr", "x"));
  EXPECT_EQ(finding(r, "outliers_iqr").rows, (std::vector<std::int64_t>{9}));
  // One outlier finding per column, by outlier_method; both shares measured regardless.
  EXPECT_FALSE(has_finding(r, "outliers_mad", "x"));
  options.outlier_method = OutlierMethod::mad;
  const auto by_mad = check(data, "y", &reference, {}, options);
  EXPECT_TRUE(has_finding(by_mad, "outliers_mad", "x"));
  EXPECT_FALSE(has_finding(by_mad, "outliers_iqr", "x"));
}

// The value of every check for every column, flagged or not, equals the finding's value
// where there is a finding.
TEST(QualityCheck, MeasuresEveryCheckForEveryColumn) {
  std::vector<double> x{1, 1, 2, 3, 4, 5, 6, 7, 8, 1000}, y{0, 1, 0, 0, 1, 1, 0, 1, 0, 1};
  std::vector<double> flat{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  TableView data({ColumnView::numeric("x", x), ColumnView::numeric("flat", flat), ColumnView::numeric("y", y)});
  CheckOptions options;
  options.outlier_rate = 0.05;
  options.leakage_min_support = 1;
  const auto r = check(data, "y", nullptr, {}, options);
  auto measured = [&](const std::string& check_name, const std::string& column) {
    for (const Measure& m : r.measures) {
      if (m.check == check_name && m.column == column) return m;
    }
    ADD_FAILURE() << "no measure " << check_name << " of '" << column << "'";
    return Measure{};
  };
  EXPECT_EQ(measured("outliers_iqr", "x").value, finding(r, "outliers_iqr").value);
  EXPECT_EQ(measured("outliers_iqr", "flat").value, 0.0);  // not flagged, still measured
  EXPECT_EQ(measured("missing", "flat").value, 0.0);
  EXPECT_EQ(measured("constant", "flat").value, 0.0);
  EXPECT_DOUBLE_EQ(measured("near_constant", "x").value, 0.2);
  EXPECT_EQ(measured("class_imbalance", "y").value, 0.5);
  EXPECT_EQ(measured("single_class", "y").value, 2.0);
  EXPECT_EQ(measured("duplicate_rows", "").value, 0.0);
  const Measure leak = measured("target_leakage", "flat");
  EXPECT_LE(leak.lower, leak.upper);
  EXPECT_FALSE(std::isnan(leak.value));
  // The target is not tested for outliers or leakage.
  for (const Measure& m : r.measures) {
    EXPECT_FALSE(m.column == "y" && (m.check == "outliers_iqr" || m.check == "target_leakage")) << m.check;
  }
}

TEST(QualityCheck, RulesReportViolationsWithRows) {
  std::vector<double> age{20, 35, -1, 130, NAN, 35};
  std::vector<std::int32_t> plan{0, 1, 2, 0, 0, 1};
  std::vector<std::string> labels{"basic", "pro", "enterprise"};
  TableView data({ColumnView::numeric("age", age), ColumnView::categorical("plan", plan, labels)});
  ColumnRule age_rule;
  age_rule.column = "age";
  age_rule.min = 0;
  age_rule.max = 120;
  age_rule.nullable = false;
  age_rule.unique = true;
  ColumnRule plan_rule;
  plan_rule.column = "plan";
  plan_rule.allowed_labels = std::vector<std::string>{"basic", "pro"};
  ColumnRule absent;
  absent.column = "nope";
  const auto r = check(data, "", nullptr, {age_rule, plan_rule, absent});
  EXPECT_EQ(finding(r, "rule_min").rows, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(finding(r, "rule_max").rows, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(finding(r, "rule_nullable").rows, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(finding(r, "rule_unique").value, 1.0);
  EXPECT_EQ(finding(r, "rule_allowed").rows, (std::vector<std::int64_t>{2}));
  EXPECT_NE(finding(r, "rule_allowed").message.find("enterprise"), std::string::npos);
  EXPECT_TRUE(has_finding(r, "rule_column", "nope"));
  for (const auto& f : r.findings) {
    if (f.check.starts_with("rule_")) {
      EXPECT_EQ(f.severity, Severity::error);
    }
  }
  ColumnRule wrong_kind;
  wrong_kind.column = "plan";
  wrong_kind.min = 1;
  EXPECT_THROW(check(data, "", nullptr, {wrong_kind}), InvalidArgument);
  EXPECT_THROW(check(data, "missing_target", nullptr, {}), InvalidArgument);
}

TEST(QualityCheck, SingleRowAndEmptyTablesAreFine) {
  std::vector<double> one{1.0};
  TableView single({ColumnView::numeric("x", one)});
  EXPECT_NO_THROW(check(single, "", nullptr, {}));
  std::vector<double> none;
  TableView empty({ColumnView::numeric("x", none)});
  const auto r = check(empty, "", nullptr, {});
  EXPECT_TRUE(r.findings.empty());
  TableView no_columns;
  EXPECT_NO_THROW(check(no_columns, "", nullptr, {}));
}

TEST(QualityCheck, SingleClassTargetIsAnError) {
  std::vector<double> x{1, 2, 3}, y{1, 1, 1};
  TableView data({ColumnView::numeric("x", x), ColumnView::numeric("y", y)});
  const auto r = check(data, "y", nullptr, {});
  ASSERT_TRUE(has_finding(r, "single_class"));
  EXPECT_EQ(finding(r, "single_class").severity, Severity::error);
}

TEST(QualityCheck, IdenticalRowGroupsSeparateHashEqualButDifferentRows) {
  std::vector<double> x{NAN, 1, NAN, -0.0, 0.0, 2};
  TableView t({ColumnView::numeric("x", x)});
  const auto groups = identical_row_groups(t, {0}, 2);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(groups[1], (std::vector<std::int64_t>{3, 4}));
}

TEST(QualityCheck, LabelVariants) {
  const auto groups = label_variants({"New York", "new  york", " NEW YORK ", "Boston", "boston", "Chicago"});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].size(), 3u);
  EXPECT_EQ(groups[1], (std::vector<std::string>{"Boston", "boston"}));
}

TEST(QualityCheck, ProgressCanInterrupt) {
  std::vector<double> x(100, 1.0);
  TableView t({ColumnView::numeric("a", x), ColumnView::numeric("b", x)});
  Progress stop([](std::size_t, std::size_t) { return false; });
  EXPECT_THROW(check(t, "", nullptr, {}, {}, {}, 1, stop), Interrupted);
}
