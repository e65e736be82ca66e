// The target-leakage score: the closed-form leave-one-out score against refitting the
// bin-majority / bin-mean predictor without each row, its bounds, and the decision options.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::quality;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A bin per code and one for missing, as the leakage check bins a categorical column.
std::size_t bin_of(std::int32_t code, std::size_t n_labels) {
  return code < 0 ? n_labels : static_cast<std::size_t>(code);
}

// The first class with the most rows (classes are the integer target values 0..k-1).
std::size_t vote(const std::vector<std::int64_t>& counts) {
  return static_cast<std::size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
}

struct BruteForce {
  double point, out_of_sample;
};

// Fits the bin-majority predictor on all rows (point) and on all rows but i for each i
// (out of sample), and returns both rescaled accuracies.
BruteForce brute_force_classes(const std::vector<std::int32_t>& codes, std::size_t n_labels,
                               const std::vector<double>& y, std::size_t k, std::int64_t min_support) {
  // Pooling is decided on all rows; a bin with no other row falls back to the overall vote.
  auto predict = [&](std::size_t left_out, std::size_t row) {
    std::vector<std::int64_t> bin(k, 0), overall(k, 0);
    std::int64_t support = 0, full_support = 0;
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (std::isnan(y[j]) || bin_of(codes[j], n_labels) != bin_of(codes[row], n_labels)) continue;
      ++full_support;
    }
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (j == left_out || std::isnan(y[j])) continue;
      const auto c = static_cast<std::size_t>(y[j]);
      ++overall[c];
      if (bin_of(codes[j], n_labels) == bin_of(codes[row], n_labels)) {
        ++bin[c];
        ++support;
      }
    }
    return full_support >= min_support && support > 0 ? vote(bin) : vote(overall);
  };
  std::vector<std::int64_t> totals(k, 0);
  double n = 0, in_sample = 0, out_of_sample = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) continue;
    const auto c = static_cast<std::size_t>(y[i]);
    ++totals[c];
    ++n;
    in_sample += predict(y.size(), i) == c;
    out_of_sample += predict(i, i) == c;
  }
  const double base = static_cast<double>(totals[vote(totals)]) / n;
  return {(in_sample / n - base) / (1 - base), (out_of_sample / n - base) / (1 - base)};
}

// 1 - PRESS / SST of the bin-mean predictor refit without each row.
double brute_force_regression(const std::vector<std::int32_t>& codes, std::size_t n_labels,
                              const std::vector<double>& y, std::int64_t min_support) {
  double total = 0, n = 0;
  for (double v : y) {
    if (!std::isnan(v)) {
      total += v;
      ++n;
    }
  }
  const double mean = total / n;
  double press = 0, sst = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) continue;
    double bin_sum = 0, all_sum = 0;
    std::int64_t support = 0;  // the bin's other rows
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (j == i || std::isnan(y[j])) continue;
      all_sum += y[j];
      if (bin_of(codes[j], n_labels) == bin_of(codes[i], n_labels)) {
        bin_sum += y[j];
        ++support;
      }
    }
    // Pooling is decided on all rows (the bin's support + 1).
    const bool own_bin = support + 1 >= min_support && support > 0;
    const double prediction = own_bin ? bin_sum / static_cast<double>(support) : all_sum / (n - 1);
    press += (y[i] - prediction) * (y[i] - prediction);
    sst += (y[i] - mean) * (y[i] - mean);
  }
  return 1 - press / sst;
}

CheckOptions with_support(std::int64_t min_support) {
  CheckOptions o;
  o.leakage_min_support = min_support;
  return o;
}

// The leakage finding of a column in r (which must outlive the pointer), or null.
const Finding* leakage_finding(const CheckResult& r, const std::string& column) {
  for (const Finding& f : r.findings) {
    if (f.check == "target_leakage" && f.column == column) return &f;
  }
  return nullptr;
}

}  // namespace

TEST(QualityLeakage, LeaveOneOutClassesEqualsRefitting) {
  std::mt19937_64 gen(7);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t n = 20 + static_cast<std::size_t>(trial % 5) * 7;
    const std::size_t n_labels = 2 + static_cast<std::size_t>(trial % 4);
    const std::size_t k = 2 + static_cast<std::size_t>(trial % 3);
    const std::int64_t min_support = 1 + trial % 6;
    std::uniform_int_distribution<std::int32_t> code(-1, static_cast<std::int32_t>(n_labels) - 1);
    std::uniform_int_distribution<int> cls(0, static_cast<int>(k) - 1);
    std::vector<std::int32_t> codes(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      codes[i] = code(gen);
      // Classes that follow the code half of the time, so that bins have majorities and ties.
      y[i] = gen() % 2 ? static_cast<double>(std::max(codes[i], 0) % static_cast<int>(k)) : cls(gen);
      if (gen() % 15 == 0) y[i] = kNaN;
    }
    for (std::size_t c = 0; c < k; ++c) y[c] = static_cast<double>(c);  // every class present
    std::vector<std::string> labels(n_labels, "l");
    for (std::size_t l = 0; l < n_labels; ++l) labels[l] += std::to_string(l);
    const LeakageScore s = leakage_score(ColumnView::categorical("x", codes, labels), ColumnView::numeric("y", y),
                                         with_support(min_support));
    const BruteForce expected = brute_force_classes(codes, n_labels, y, k, min_support);
    EXPECT_NEAR(s.point, expected.point, 1e-12) << "trial " << trial;
    EXPECT_NEAR(s.out_of_sample, expected.out_of_sample, 1e-12) << "trial " << trial;
    EXPECT_LE(s.lower, s.out_of_sample);
    EXPECT_GE(s.upper, s.out_of_sample);
    EXPECT_LE(s.lower, s.point);
  }
}

TEST(QualityLeakage, LeaveOneOutOfManyBinsAndClassesEqualsRefitting) {
  // 20 classes and 250000 labels: the sparse (bin, class) path of the score.
  std::mt19937_64 gen(11);
  const std::size_t n = 90, n_labels = 250000, k = 20;
  std::vector<std::string> labels(n_labels);
  std::vector<std::int32_t> codes(n);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    codes[i] = static_cast<std::int32_t>(gen() % 6) * 40000;
    y[i] = static_cast<double>(gen() % 2 ? static_cast<std::uint64_t>(codes[i] / 40000) : gen() % k);
  }
  for (std::size_t c = 0; c < k; ++c) y[c] = static_cast<double>(c);
  for (std::int64_t min_support : {1, 4, 15}) {
    const LeakageScore s = leakage_score(ColumnView::categorical("x", codes, labels), ColumnView::numeric("y", y),
                                         with_support(min_support));
    const BruteForce expected = brute_force_classes(codes, n_labels, y, k, min_support);
    EXPECT_NEAR(s.point, expected.point, 1e-12);
    EXPECT_NEAR(s.out_of_sample, expected.out_of_sample, 1e-12);
  }
}

TEST(QualityLeakage, LeaveOneOutRegressionEqualsRefitting) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t n = 15 + static_cast<std::size_t>(trial % 4) * 9;
    const std::size_t n_labels = 2 + static_cast<std::size_t>(trial % 5);
    const std::int64_t min_support = 1 + trial % 5;
    std::vector<std::int32_t> codes(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      codes[i] = static_cast<std::int32_t>(gen() % (n_labels + 1)) - 1;
      y[i] = 0.7 * codes[i] + noise(gen);
      if (gen() % 12 == 0) y[i] = kNaN;
    }
    std::vector<std::string> labels(n_labels, "l");
    const LeakageScore s = leakage_score(ColumnView::categorical("x", codes, labels), ColumnView::numeric("y", y),
                                         with_support(min_support));
    EXPECT_NEAR(s.out_of_sample, brute_force_regression(codes, n_labels, y, min_support), 1e-10) << "trial " << trial;
    EXPECT_LE(s.lower, s.out_of_sample);
    EXPECT_GE(s.upper, s.out_of_sample);
    EXPECT_LE(s.upper, 1.0);
    EXPECT_LE(s.lower, s.point);
  }
}

TEST(QualityLeakage, TiesGoToTheFirstClassInAndOutOfSample) {
  // Bin a: 6 of class 0 and 6 of class 1; b: 7 and 6; c: 6 and 7 (38 rows, 19 per class).
  std::vector<std::int32_t> codes;
  std::vector<double> y;
  auto add = [&](std::int32_t bin, int zeros, int ones) {
    for (int r = 0; r < zeros + ones; ++r) {
      codes.push_back(bin);
      y.push_back(r < zeros ? 0.0 : 1.0);
    }
  };
  add(0, 6, 6);
  add(1, 7, 6);
  add(2, 6, 7);
  const std::vector<std::string> labels{"a", "b", "c"};
  const LeakageScore s =
      leakage_score(ColumnView::categorical("x", codes, labels), ColumnView::numeric("y", y), with_support(1));
  // In sample: a predicts 0 (tie), b 0, c 1: 6 + 7 + 7 = 20 of 38 correct; base 19 / 38.
  EXPECT_NEAR(s.point, (20.0 / 38 - 0.5) / 0.5, 1e-15);
  // Without one row: a's rows all lose the vote; b's zeros win the 6-6 tie and its ones
  // lose; c's ones fall to a 6-6 tie that class 0 wins, c's zeros lose: 7 of 38.
  EXPECT_NEAR(s.out_of_sample, (7.0 / 38 - 0.5) / 0.5, 1e-15);
  const BruteForce expected = brute_force_classes(codes, 3, y, 2, 1);
  EXPECT_NEAR(s.out_of_sample, expected.out_of_sample, 1e-15);
}

TEST(QualityLeakage, WilsonBoundsOfTheOutOfSampleAccuracy) {
  // A perfect copy of a balanced target at n = 50: leave-one-out accuracy 1, whose one-sided
  // 95% Wilson lower bound is 1 / (1 + z^2 / n).
  std::vector<double> y(50), x(50);
  for (std::size_t i = 0; i < 50; ++i) x[i] = y[i] = static_cast<double>(i % 2);
  const LeakageScore s = leakage_score(ColumnView::numeric("x", x), ColumnView::numeric("y", y));
  const double z = normal_quantile(0.95);
  EXPECT_DOUBLE_EQ(s.point, 1.0);
  EXPECT_DOUBLE_EQ(s.out_of_sample, 1.0);
  EXPECT_NEAR(s.lower, (1 / (1 + z * z / 50) - 0.5) / 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(s.upper, 1.0);

  TableView data({ColumnView::numeric("copy", x), ColumnView::numeric("y", y)});
  const CheckResult result = check(data, "y", nullptr, {});
  const Finding* f = leakage_finding(result, "copy");
  ASSERT_NE(f, nullptr);  // flagged under the default decision (bound) at n = 50
  EXPECT_DOUBLE_EQ(f->value, 1.0);
  EXPECT_DOUBLE_EQ(f->lower, s.lower);
  EXPECT_NE(f->message.find("95% lower bound"), std::string::npos);
}

TEST(QualityLeakage, BoundDecisionSparesStrongFeaturesOfSmallSamples) {
  // A feature right on 38 of 40 rows: in-sample score 0.9; the 95% Wilson lower bound of
  // its leave-one-out accuracy (also 38 / 40) is 0.86, a score of 0.72.
  std::vector<double> y(40), x(40);
  for (std::size_t i = 0; i < 40; ++i) {
    y[i] = static_cast<double>(i % 2);
    x[i] = i % 20 == 0 ? 1.0 - y[i] : y[i];
  }
  TableView data({ColumnView::numeric("strong", x), ColumnView::numeric("y", y)});
  CheckOptions point;
  point.leakage_decision = LeakageDecision::point;
  const CheckResult by_point_result = check(data, "y", nullptr, {}, point);
  const Finding* by_point = leakage_finding(by_point_result, "strong");
  ASSERT_NE(by_point, nullptr);
  EXPECT_NEAR(by_point->value, 0.9, 1e-12);
  EXPECT_NEAR(by_point->lower, 0.719, 1e-3);
  EXPECT_EQ(leakage_finding(check(data, "y", nullptr, {}), "strong"), nullptr);
  // A lower confidence, a narrower interval: the bound rises towards the point score.
  CheckOptions loose;
  loose.leakage_confidence = 0.6;
  loose.leakage = 0.0;
  const CheckResult loose_result = check(data, "y", nullptr, {}, loose);
  const Finding* f = leakage_finding(loose_result, "strong");
  ASSERT_NE(f, nullptr);
  EXPECT_GT(f->lower, by_point->lower);
}

TEST(QualityLeakage, ExcludedColumnsAreNotTested) {
  std::vector<double> y(30), x(30);
  for (std::size_t i = 0; i < 30; ++i) x[i] = y[i] = static_cast<double>(i % 2);
  TableView data({ColumnView::numeric("copy", x), ColumnView::numeric("y", y)});
  CheckOptions o;
  o.leakage_decision = LeakageDecision::point;
  ASSERT_NE(leakage_finding(check(data, "y", nullptr, {}, o), "copy"), nullptr);
  o.leakage_exclude = {"copy"};
  EXPECT_EQ(leakage_finding(check(data, "y", nullptr, {}, o), "copy"), nullptr);
  o.leakage_exclude = {"absent"};
  EXPECT_THROW(check(data, "y", nullptr, {}, o), InvalidArgument);
}

TEST(QualityLeakage, OptionsAreValidated) {
  for (double level : {0.0, 1.0, kNaN, -0.5}) {
    CheckOptions o;
    o.leakage_confidence = level;
    EXPECT_THROW(validate(o), InvalidArgument);
  }
  CheckOptions o;
  o.leakage_decision = static_cast<LeakageDecision>(7);
  EXPECT_THROW(validate(o), InvalidArgument);
  std::vector<double> a(3, 0.0), b(4, 0.0);
  EXPECT_THROW(leakage_score(ColumnView::numeric("a", a), ColumnView::numeric("b", b)), InvalidArgument);
}

TEST(QualityLeakage, OtherFindingsHaveNoBounds) {
  std::vector<double> x{1, 1, 1, 1, NAN};
  TableView data({ColumnView::numeric("x", x)});
  for (const Finding& f : check(data, "", nullptr, {}).findings) {
    EXPECT_TRUE(std::isnan(f.lower)) << f.check;
    EXPECT_TRUE(std::isnan(f.upper)) << f.check;
  }
}

TEST(QualityLeakage, UndefinedScoresAreNaN) {
  std::vector<double> x{1, 2, 3, 4}, one_class{1, 1, 1, 1}, flat{0.5, 0.5, 0.5, 0.5};
  const LeakageScore classes = leakage_score(ColumnView::numeric("x", x), ColumnView::numeric("y", one_class));
  EXPECT_TRUE(std::isnan(classes.point) && std::isnan(classes.lower));
  const LeakageScore regression = leakage_score(ColumnView::numeric("x", x), ColumnView::numeric("y", flat));
  EXPECT_TRUE(std::isnan(regression.out_of_sample) && std::isnan(regression.upper));
}

TEST(QualityLeakage, BinsOfExactlyMinSupportRowsStayUnpooledOutOfSample) {
  // 200 distinct values in 20 quantile bins of 10 rows (= leakage_min_support): leaving a
  // row out does not pool its bin, so a feature that splits the classes scores 1.
  std::vector<double> x(200), y(200);
  for (std::size_t i = 0; i < 200; ++i) {
    x[i] = static_cast<double>(i);
    y[i] = i < 100 ? 0.0 : 1.0;
  }
  const LeakageScore s = leakage_score(ColumnView::numeric("x", x), ColumnView::numeric("y", y));
  EXPECT_DOUBLE_EQ(s.out_of_sample, 1.0);
  EXPECT_GE(s.lower, 0.8);
}
