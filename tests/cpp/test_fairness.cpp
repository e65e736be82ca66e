#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "assay/common/error.hpp"
#include "assay/fairness/groups.hpp"
#include "assay/fairness/inequality.hpp"
#include "assay/fairness/intervals.hpp"
#include "assay/fairness/metrics.hpp"
#include "assay/fairness/mitigation.hpp"
#include "assay/fairness/resample.hpp"
#include "assay/fairness/scores.hpp"
#include "assay/fairness/stats.hpp"

using namespace assay;
using namespace assay::fairness;

namespace {

struct Data {
  std::vector<std::int32_t> a, b, y, p;
  std::vector<double> w;
};

Data make_rows(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    d.a.push_back(static_cast<std::int32_t>(gen() % 4));
    d.b.push_back(static_cast<std::int32_t>(gen() % 3));
    d.y.push_back(static_cast<std::int32_t>(gen() % 2));
    d.p.push_back(static_cast<std::int32_t>(gen() % 2));
    d.w.push_back(static_cast<double>(gen() % 7) / 2.0);
  }
  return d;
}

GroupIndex index_of(const Data& d, bool observed, int n_jobs = 1) {
  std::vector<GroupFeature> features{{"a", d.a, 4}, {"b", d.b, 3}};
  return build_group_index(features, MissingPolicy::error, observed, n_jobs);
}

}  // namespace

TEST(FairnessGroups, MixedRadixOrderAndCartesianProduct) {
  std::vector<std::int32_t> a{1, 0, 1, 1}, b{0, 1, 1, 0};
  std::vector<GroupFeature> features{{"a", a, 2}, {"b", b, 3}};
  const GroupIndex full = build_group_index(features, MissingPolicy::error, false, 1);
  EXPECT_EQ(full.n_groups, 6);
  EXPECT_EQ(full.row_group, (std::vector<std::int32_t>{3, 1, 4, 3}));
  EXPECT_EQ(full.group_rows, (std::vector<std::int64_t>{0, 1, 0, 2, 1, 0}));
  const GroupIndex observed = build_group_index(features, MissingPolicy::error, true, 1);
  EXPECT_EQ(observed.n_groups, 3);
  EXPECT_EQ(observed.row_group, (std::vector<std::int32_t>{1, 0, 2, 1}));
  EXPECT_EQ(observed.keys[0], (std::vector<std::int32_t>{0, 1, 1}));
  EXPECT_EQ(observed.keys[1], (std::vector<std::int32_t>{1, 0, 1}));
  const GroupOrder order = sort_rows_by_group(observed.row_group, observed.n_groups);
  EXPECT_EQ(order.order, (std::vector<std::int64_t>{1, 0, 3, 2}));
  EXPECT_EQ(order.offsets, (std::vector<std::int64_t>{0, 1, 3, 4}));
}

TEST(FairnessGroups, MissingPoliciesAndErrors) {
  std::vector<std::int32_t> a{0, -1, 1, -1};
  std::vector<GroupFeature> features{{"race", a, 2}};
  try {
    build_group_index(features, MissingPolicy::error, true, 1);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'race' has 2 missing"), std::string::npos);
  }
  const GroupIndex own = build_group_index(features, MissingPolicy::own_group, true, 1);
  EXPECT_EQ(own.n_groups, 3);
  EXPECT_EQ(own.keys[0], (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(own.missing_rows[0], 2);
  const GroupIndex drop = build_group_index(features, MissingPolicy::drop, false, 1);
  EXPECT_EQ(drop.dropped_rows, 2);
  EXPECT_EQ(drop.row_group, (std::vector<std::int32_t>{0, -1, 1, -1}));

  std::vector<std::int32_t> bad{0, 5}, short_column{0};
  std::vector<GroupFeature> out_of_range{{"x", bad, 2}};
  EXPECT_THROW(build_group_index(out_of_range, MissingPolicy::error, true, 1), InvalidArgument);
  std::vector<GroupFeature> mismatched{{"x", a, 2}, {"y", short_column, 1}};
  EXPECT_THROW(build_group_index(mismatched, MissingPolicy::error, true, 1), InvalidArgument);
  EXPECT_THROW(build_group_index({}, MissingPolicy::error, true, 1), InvalidArgument);
}

TEST(FairnessGroups, SameIndexForEveryThreadCount) {
  const Data d = make_rows(200000, 1);
  const GroupIndex one = index_of(d, true, 1), many = index_of(d, true, 3);
  EXPECT_EQ(one.row_group, many.row_group);
  EXPECT_EQ(one.group_rows, many.group_rows);
}

TEST(FairnessStats, ConfusionCountsAndRatesByHand) {
  // Group 0: y = [1, 1, 0, 0], p = [1, 0, 0, 0]; group 1: y = [0, 0], p = [1, 0].
  std::vector<std::int32_t> g{0, 0, 0, 0, 1, 1}, y{1, 1, 0, 0, 0, 0}, p{1, 0, 0, 0, 1, 0};
  const ConfusionStats s = accumulate_confusion(g, 2, y, p, 2, std::nullopt, 1);
  EXPECT_EQ(s.counts[s.cell(0, 1, 1)], 1);
  EXPECT_EQ(s.counts[s.cell(0, 1, 0)], 1);
  EXPECT_EQ(s.counts[s.cell(1, 0, 1)], 1);
  const MetricValues strict = classification_metric(s, ClassificationMetric::true_positive_rate, 1, Convention::strict);
  EXPECT_DOUBLE_EQ(strict.values[0], 0.5);
  EXPECT_TRUE(std::isnan(strict.values[1]));
  EXPECT_EQ(strict.reasons[1], Undefined::no_actual_positives);
  const MetricValues compat =
      classification_metric(s, ClassificationMetric::true_positive_rate, 1, Convention::fairlearn);
  EXPECT_EQ(compat.values[1], 0.0);
  EXPECT_DOUBLE_EQ(classification_metric(s, ClassificationMetric::selection_rate, 1, Convention::strict).values[1],
                   0.5);
  EXPECT_DOUBLE_EQ(classification_metric(s, ClassificationMetric::accuracy, 1, Convention::strict).values[0], 0.75);
  EXPECT_DOUBLE_EQ(classification_metric(s, ClassificationMetric::balanced_accuracy, 1, Convention::strict).values[1],
                   0.5);
  EXPECT_DOUBLE_EQ(classification_metric(s, ClassificationMetric::f1, 1, Convention::strict).values[0], 2.0 / 3.0);
  EXPECT_EQ(classification_metric(s, ClassificationMetric::count, 1, Convention::strict).values[1], 2.0);
}

TEST(FairnessStats, BadInputNamesTheArgument) {
  std::vector<std::int32_t> g{0, 0}, y{0, 1}, p{0}, bad_class{0, 7};
  std::vector<double> w{1.0, -1.0}, short_w{1.0};
  EXPECT_THROW(accumulate_confusion(g, 1, y, p, 2, std::nullopt, 1), InvalidArgument);
  EXPECT_THROW(accumulate_confusion(g, 1, y, bad_class, 2, std::nullopt, 1), InvalidArgument);
  EXPECT_THROW(accumulate_confusion(g, 1, y, y, 2, Weights{w}, 1), InvalidArgument);
  EXPECT_THROW(accumulate_confusion(g, 1, y, y, 2, Weights{short_w}, 1), InvalidArgument);
  std::vector<double> t{0.0, NAN}, q{0.0, 1.0};
  try {
    accumulate_regression(g, 1, t, q, std::nullopt, 1);
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("y_true"), std::string::npos);
  }
}

TEST(FairnessStats, MergeAndBytesRoundTrip) {
  const Data d = make_rows(5000, 2);
  const GroupIndex index = index_of(d, false);
  const std::size_t cut = 1234;
  auto part = [&](std::size_t begin, std::size_t end) {
    return accumulate_confusion(std::span(index.row_group).subspan(begin, end - begin), index.n_groups,
                                std::span(d.y).subspan(begin, end - begin), std::span(d.p).subspan(begin, end - begin),
                                2, Weights{std::span(d.w).subspan(begin, end - begin)}, 1);
  };
  const ConfusionStats whole = part(0, d.y.size());
  const ConfusionStats merged = merge(confusion_from_bytes(to_bytes(part(0, cut))), part(cut, d.y.size()));
  EXPECT_EQ(merged.counts, whole.counts);
  for (std::size_t c = 0; c < whole.weights.size(); ++c) EXPECT_NEAR(merged.weights[c], whole.weights[c], 1e-9);
  EXPECT_THROW(confusion_from_bytes("AFC1"), InvalidArgument);
  EXPECT_THROW(regression_from_bytes(to_bytes(whole)), InvalidArgument);

  std::vector<double> t(d.y.begin(), d.y.end()), q(d.p.begin(), d.p.end());
  for (std::size_t i = 0; i < t.size(); ++i) t[i] += 0.1 * static_cast<double>(i % 17);
  const RegressionStats r = accumulate_regression(index.row_group, index.n_groups, t, q, Weights{d.w}, 1);
  const RegressionStats back = regression_from_bytes(to_bytes(r));
  EXPECT_EQ(back.m2_true, r.m2_true);
  EXPECT_EQ(back.count, r.count);
}

TEST(FairnessStats, ResultsIdenticalForEveryThreadCount) {
  const Data d = make_rows(400000, 3);
  const GroupIndex index = index_of(d, false);
  const ConfusionStats one = accumulate_confusion(index.row_group, index.n_groups, d.y, d.p, 2, Weights{d.w}, 1);
  const ConfusionStats four = accumulate_confusion(index.row_group, index.n_groups, d.y, d.p, 2, Weights{d.w}, 4);
  EXPECT_EQ(one.counts, four.counts);
  EXPECT_EQ(one.weights, four.weights);  // bitwise: fixed blocks, fixed reduction order
  std::vector<double> t(d.w.begin(), d.w.end());
  const RegressionStats r1 = accumulate_regression(index.row_group, index.n_groups, t, t, Weights{d.w}, 1);
  const RegressionStats r4 = accumulate_regression(index.row_group, index.n_groups, t, t, Weights{d.w}, 4);
  EXPECT_EQ(r1.m2_true, r4.m2_true);
  EXPECT_EQ(r1.sum_pred, r4.sum_pred);
}

TEST(FairnessMetrics, RegressionByHand) {
  std::vector<std::int32_t> g{0, 0, 0};
  std::vector<double> t{1, 2, 3}, p{1, 3, 5};
  const RegressionStats s = accumulate_regression(g, 1, t, p, std::nullopt, 1);
  EXPECT_DOUBLE_EQ(regression_metric(s, RegressionMetric::mean_absolute_error, Convention::strict).values[0], 1.0);
  EXPECT_DOUBLE_EQ(regression_metric(s, RegressionMetric::mean_squared_error, Convention::strict).values[0], 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(regression_metric(s, RegressionMetric::mean_error, Convention::strict).values[0], 1.0);
  EXPECT_DOUBLE_EQ(regression_metric(s, RegressionMetric::r2, Convention::strict).values[0], 1.0 - 5.0 / 2.0);
}

TEST(FairnessMetrics, AggregatesFollowFairlearn) {
  const double nan = std::nan("");
  std::vector<double> values{0.2, nan, 0.5, 0.0, 0.0};
  std::vector<std::int32_t> control{0, 0, 0, 1, 1};
  std::vector<double> overall{0.4, 0.0};
  const Aggregates a = aggregate(values, control, 2, overall, Convention::fairlearn);
  EXPECT_DOUBLE_EQ(a.group_min[0], 0.2);
  EXPECT_DOUBLE_EQ(a.difference_between[0], 0.3);
  EXPECT_DOUBLE_EQ(a.ratio_between[0], 0.4);
  EXPECT_DOUBLE_EQ(a.difference_to_overall[0], 0.2);
  EXPECT_DOUBLE_EQ(a.ratio_to_overall[0], 0.5);
  EXPECT_TRUE(std::isnan(a.ratio_between[1]));     // 0 / 0
  EXPECT_TRUE(std::isnan(a.ratio_to_overall[1]));  // every term 0 / 0
  EXPECT_EQ(a.difference_between[1], 0.0);
}

TEST(FairnessResample, MultinomialKeepsTotalsAndIsDeterministic) {
  const Data d = make_rows(3000, 4);
  const GroupIndex index = index_of(d, false);
  const ConfusionStats s = accumulate_confusion(index.row_group, index.n_groups, d.y, d.p, 2, std::nullopt, 1);
  const ConfusionStats one = bootstrap_counts(s, 200, 42, 1);
  const ConfusionStats many = bootstrap_counts(s, 200, 42, 3);
  EXPECT_EQ(one.counts, many.counts);
  const std::size_t cells = s.counts.size();
  std::vector<double> mean(cells, 0.0);
  for (int b = 0; b < 200; ++b) {
    std::int64_t total = 0;
    for (std::size_t c = 0; c < cells; ++c) {
      const std::int64_t x = one.counts[static_cast<std::size_t>(b) * cells + c];
      total += x;
      mean[c] += static_cast<double>(x) / 200.0;
      if (s.counts[c] == 0) {
        EXPECT_EQ(x, 0);
      }
    }
    EXPECT_EQ(total, 3000);
  }
  for (std::size_t c = 0; c < cells; ++c) {
    EXPECT_NEAR(mean[c], static_cast<double>(s.counts[c]),
                4 * std::sqrt(static_cast<double>(s.counts[c]) / 200.0) + 1e-9);
  }
  EXPECT_NE(bootstrap_counts(s, 5, 43, 1).counts, bootstrap_counts(s, 5, 42, 1).counts);
  EXPECT_THROW(bootstrap_counts(s, 0, 1, 1), InvalidArgument);
}

TEST(FairnessResample, PoissonRowsAreDeterministic) {
  const Data d = make_rows(2000, 5);
  const GroupIndex index = index_of(d, true);
  const ConfusionStats a = bootstrap_rows_confusion(index.row_group, index.n_groups, d.y, d.p, 2, d.w, 50, 9, 1);
  const ConfusionStats b = bootstrap_rows_confusion(index.row_group, index.n_groups, d.y, d.p, 2, d.w, 50, 9, 4);
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.weights, b.weights);
  std::int64_t total = 0;
  for (const auto c : a.counts) total += c;
  EXPECT_NEAR(static_cast<double>(total) / 50.0, 2000.0, 150.0);
}

TEST(FairnessIntervals, WilsonNewcombeKatz) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-9);
  const Interval w = wilson(0, 10, 1.959963984540054);
  EXPECT_EQ(w.low, 0.0);
  EXPECT_NEAR(w.high, 0.2775327, 1e-6);
  const Interval n = newcombe(56, 70, 48, 80, 1.959963984540054);
  EXPECT_NEAR(n.low, 0.0524, 5e-5);
  EXPECT_NEAR(n.high, 0.3339, 5e-5);
  EXPECT_TRUE(std::isnan(katz(0, 10, 3, 10, 1.96).low));
  EXPECT_TRUE(std::isnan(wilson(0, 0, 1.96).low));
  EXPECT_THROW(normal_quantile(1.0), InvalidArgument);
}

TEST(FairnessInequality, EntropyAndEdf) {
  // Benefits {1, 1, 2, 0}: mean 1.
  std::vector<double> values{0, 1, 2}, counts{1, 2, 1};
  EXPECT_NEAR(generalized_entropy(values, counts, 2), (1.0 + 0 + 0 + 1.0) / 4 / 2, 1e-15);
  EXPECT_NEAR(generalized_entropy(values, counts, 1), 2 * std::log(2.0) / 4, 1e-15);
  EXPECT_TRUE(std::isinf(generalized_entropy(values, counts, 0)));
  std::vector<double> positives{1, 2}, rows{2, 2};
  const double pa = 1.5 / 3, pb = 2.5 / 3;
  EXPECT_NEAR(smoothed_edf(positives, rows, 1.0),
              std::max(std::log(pb) - std::log(pa), std::log(1 - pa) - std::log(1 - pb)), 1e-15);
  std::vector<double> none{0, 0};
  EXPECT_TRUE(std::isnan(smoothed_edf(none, none, 1.0)));
}

TEST(FairnessScores, AucWithTiesAndCalibration) {
  std::vector<std::int32_t> g{0, 0, 0, 0, 1, 1}, y{0, 1, 0, 1, 1, 1};
  std::vector<double> s{0.1, 0.4, 0.4, 0.8, 0.3, 0.6};
  const MetricValues auc = roc_auc_by_group(g, 2, s, y, {}, 1);
  EXPECT_DOUBLE_EQ(auc.values[0], (1.0 + 0.5 + 1.0 + 1.0) / 4.0);
  EXPECT_TRUE(std::isnan(auc.values[1]));
  EXPECT_EQ(auc.reasons[1], Undefined::no_actual_negatives);
  const Calibration c = calibration_by_group(g, 2, s, y, {}, 2, 1);
  EXPECT_DOUBLE_EQ(c.weight[0], 3.0);  // 0.1, 0.4, 0.4 in (0, 0.5]
  EXPECT_NEAR(c.ece[0], 0.75 * std::abs(1.0 / 3 - 0.3) + 0.25 * std::abs(1.0 - 0.8), 1e-15);
  std::vector<double> bad{0.1, 0.4, 0.4, 1.8, 0.3, 0.6};
  EXPECT_THROW(calibration_by_group(g, 2, bad, y, {}, 2, 1), InvalidArgument);
}

TEST(FairnessResample, ScoreReplicatesEqualThePointMetricsOfTheResampledRows) {
  std::mt19937 gen(11);
  const std::size_t n = 600;
  std::vector<std::int32_t> g(n), y(n);
  std::vector<double> s(n), w(n);
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = static_cast<std::int32_t>(gen() % 4) - 1;  // -1: a dropped row
    y[i] = static_cast<std::int32_t>(gen() % 2);
    s[i] = static_cast<double>(gen() % 20) / 20.0;  // ties
    w[i] = static_cast<double>(gen() % 5) / 2.0;
  }
  // Groups 0 and 1 form level 0, group 2 level 1.
  const std::vector<std::int32_t> level{0, 0, 1};
  const ReplicateValues auc = bootstrap_roc_auc(g, 3, level, 2, s, y, w, 7, 5, 1);
  const ReplicateValues ece = bootstrap_calibration_error(g, 3, level, 2, s, y, w, 10, 7, 5, 1);
  EXPECT_EQ(auc.by_group, bootstrap_roc_auc(g, 3, level, 2, s, y, w, 7, 5, 3).by_group);
  EXPECT_EQ(ece.by_level, bootstrap_calibration_error(g, 3, level, 2, s, y, w, 10, 7, 5, 3).by_level);
  std::vector<std::int32_t> row_level(n);
  for (std::size_t i = 0; i < n; ++i) row_level[i] = g[i] < 0 ? -1 : level[static_cast<std::size_t>(g[i])];
  for (std::size_t b = 0; b < 7; ++b) {
    std::vector<std::uint8_t> times(n);
    poisson_multiplicities(5, b, times);
    std::vector<double> reweighted(n);
    for (std::size_t i = 0; i < n; ++i) reweighted[i] = times[i] * w[i];
    const MetricValues groups = roc_auc_by_group(g, 3, s, y, reweighted, 1);
    const MetricValues levels = roc_auc_by_group(row_level, 2, s, y, reweighted, 1);
    const Calibration cg = calibration_by_group(g, 3, s, y, reweighted, 10, 1);
    const Calibration cl = calibration_by_group(row_level, 2, s, y, reweighted, 10, 1);
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(auc.by_group[b * 3 + k], groups.values[k], 1e-12);
      EXPECT_NEAR(ece.by_group[b * 3 + k], cg.ece[k], 1e-12);
    }
    for (std::size_t k = 0; k < 2; ++k) {
      EXPECT_NEAR(auc.by_level[b * 2 + k], levels.values[k], 1e-12);
      EXPECT_NEAR(ece.by_level[b * 2 + k], cl.ece[k], 1e-12);
    }
  }
  const std::vector<std::int32_t> bad_level{0, 2, 1};
  EXPECT_THROW(bootstrap_roc_auc(g, 3, bad_level, 2, s, y, w, 7, 5, 1), InvalidArgument);
  EXPECT_THROW(bootstrap_roc_auc(g, 3, level, 2, s, y, w, 0, 5, 1), InvalidArgument);
}

TEST(FairnessResample, ResampledRowsRepeatEachRowByItsMultiplicity) {
  std::vector<std::int32_t> g{1, 0, -1, 1, 0, 1};
  const GroupOrder order = sort_rows_by_group(g, 2);
  const ResampledRows rows = resample_grouped_rows(order.order, order.offsets, g.size(), 3, 4);
  std::vector<std::uint8_t> times(g.size());
  poisson_multiplicities(3, 4, times);
  std::vector<std::int64_t> expected, offsets{0};
  for (std::size_t k = 0; k < 2; ++k) {
    for (auto r = order.offsets[k]; r < order.offsets[k + 1]; ++r) {
      const auto row = order.order[static_cast<std::size_t>(r)];
      expected.insert(expected.end(), times[static_cast<std::size_t>(row)], row);
    }
    offsets.push_back(static_cast<std::int64_t>(expected.size()));
  }
  EXPECT_EQ(rows.rows, expected);
  EXPECT_EQ(rows.offsets, offsets);
  const std::vector<std::int64_t> bad{0, 9, 5};
  EXPECT_THROW(resample_grouped_rows(order.order, bad, g.size(), 3, 4), InvalidArgument);
}

TEST(FairnessMitigation, ReweighingMakesGroupAndLabelIndependent) {
  std::vector<std::int32_t> g{0, 0, 0, 1, 1, 1, 1, 1}, y{1, 1, 0, 0, 0, 0, 0, 1};
  const ConfusionStats s = accumulate_confusion(g, 2, y, y, 2, std::nullopt, 1);
  const std::vector<double> w = reweighing(s);
  // Weighted positive rate per group equals the overall rate 3/8.
  EXPECT_NEAR(2 * w[1] / (2 * w[1] + w[0]), 3.0 / 8, 1e-15);
  EXPECT_NEAR(1 * w[3] / (1 * w[3] + 4 * w[2]), 3.0 / 8, 1e-15);
}

TEST(FairnessMitigation, ThresholdsEqualiseSelectionRates) {
  // Two groups of four rows with distinct scores; demographic parity at the best grid value.
  std::vector<std::int32_t> g{0, 0, 0, 0, 1, 1, 1, 1}, y{1, 1, 0, 0, 1, 0, 0, 0};
  std::vector<double> s{0.9, 0.8, 0.3, 0.1, 0.7, 0.6, 0.2, 0.1};
  const ThresholdRules rules =
      optimize_thresholds(g, 2, s, y, RateMetric::selection_rate, RateMetric::accuracy, {4}, 1);
  for (std::size_t group = 0; group < 2; ++group) {
    double selected = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (static_cast<std::size_t>(g[i]) != group) continue;
      selected +=
          rules.p0[group] * (s[i] > rules.threshold0[group]) + rules.p1[group] * (s[i] > rules.threshold1[group]);
    }
    EXPECT_NEAR(selected / 4.0, rules.x_best, 1e-12);
  }
  EXPECT_EQ(rules.objective.size(), 5u);
  std::vector<std::int32_t> one_class{1, 1, 1, 1, 1, 0, 0, 0};
  EXPECT_THROW(optimize_thresholds(g, 2, s, one_class, RateMetric::selection_rate, RateMetric::accuracy, {4}, 1),
               InvalidArgument);
}

TEST(FairnessMitigation, EqualizedOddsMixesTowardsTheCommonPoint) {
  std::mt19937 gen(7);
  std::vector<std::int32_t> g, y;
  std::vector<double> s;
  for (int i = 0; i < 4000; ++i) {
    const std::int32_t group = i % 2;
    const std::int32_t label = static_cast<std::int32_t>(gen() % 2);
    g.push_back(group);
    y.push_back(label);
    // Integer scores: midpoints between distinct scores are never scores themselves.
    s.push_back(static_cast<double>(gen() % 1000) + (group == 0 ? 600.0 : 200.0) * label);
  }
  const ThresholdRules rules = optimize_equalized_odds(g, 2, s, y, RateMetric::accuracy, {100}, 1);
  double tpr[2] = {0, 0}, fpr[2] = {0, 0}, pos[2] = {0, 0}, neg[2] = {0, 0};
  for (std::size_t i = 0; i < g.size(); ++i) {
    const auto k = static_cast<std::size_t>(g[i]);
    const double thresholded = rules.p0[k] * (s[i] > rules.threshold0[k]) + rules.p1[k] * (s[i] > rules.threshold1[k]);
    const double p = rules.p_ignore[k] * rules.constant + (1 - rules.p_ignore[k]) * thresholded;
    (y[i] ? tpr[k] : fpr[k]) += p;
    (y[i] ? pos[k] : neg[k]) += 1;
  }
  EXPECT_NEAR(tpr[0] / pos[0], tpr[1] / pos[1], 1e-9);
  EXPECT_NEAR(fpr[0] / neg[0], rules.x_best, 1e-9);
  EXPECT_NEAR(fpr[1] / neg[1], rules.x_best, 1e-9);
  EXPECT_THROW(optimize_equalized_odds(g, 2, s, y, RateMetric::selection_rate, {100}, 1), InvalidArgument);
}

TEST(FairnessMitigation, ToleranceAndFlip) {
  std::mt19937 gen(3);
  std::vector<std::int32_t> g, y;
  std::vector<double> s;
  for (int i = 0; i < 3000; ++i) {
    const std::int32_t group = i % 3;
    const std::int32_t label = static_cast<std::int32_t>(gen() % 2);
    g.push_back(group);
    y.push_back(label);
    // Group 2's scores fall with the label: only flipped rules use them well.
    const double signal = group == 2 ? -300.0 * label : (group == 0 ? 500.0 : 150.0) * label;
    s.push_back(static_cast<double>(gen() % 1000) + signal);
  }
  // Overall accuracy of rules, each group's rows counted by their selection probability.
  auto accuracy = [&](const ThresholdRules& r) {
    double correct = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      const auto k = static_cast<std::size_t>(g[i]);
      auto op = [&](double t, bool below) { return below ? s[i] < t : s[i] > t; };
      const double p = r.p0[k] * op(r.threshold0[k], r.below0[k]) + r.p1[k] * op(r.threshold1[k], r.below1[k]);
      correct += y[i] ? p : 1 - p;
    }
    return correct / static_cast<double>(g.size());
  };
  const ThresholdRules strict =
      optimize_thresholds(g, 3, s, y, RateMetric::selection_rate, RateMetric::accuracy, {100}, 1);
  const ThresholdOptions relaxed_options{100, false, 0.1};
  const ThresholdRules relaxed =
      optimize_thresholds(g, 3, s, y, RateMetric::selection_rate, RateMetric::accuracy, relaxed_options, 2);
  EXPECT_TRUE(std::isnan(relaxed.x_best));
  const auto [low, high] = std::minmax_element(relaxed.x_group.begin(), relaxed.x_group.end());
  EXPECT_LE(*high - *low, 0.1 + 1e-12);
  EXPECT_GE(accuracy(relaxed), accuracy(strict) - 1e-12);
  const ThresholdOptions flip_options{100, true, 0.0};
  const ThresholdRules flipped =
      optimize_thresholds(g, 3, s, y, RateMetric::selection_rate, RateMetric::accuracy, flip_options, 1);
  EXPECT_TRUE(flipped.below0[2] || flipped.below1[2]);
  EXPECT_GT(accuracy(flipped), accuracy(strict));
  EXPECT_THROW(optimize_equalized_odds(g, 3, s, y, RateMetric::accuracy, relaxed_options, 1), InvalidArgument);
  const ThresholdOptions negative{100, false, -1.0};
  EXPECT_THROW(optimize_thresholds(g, 3, s, y, RateMetric::selection_rate, RateMetric::accuracy, negative, 1),
               InvalidArgument);
}
