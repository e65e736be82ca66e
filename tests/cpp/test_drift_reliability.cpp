// Drift engine, issue 19: preconditions a C++ caller cannot violate (SortedSample),
// validated counts, Fisher's exact test in constant memory, and interrupt checks at
// bounded work intervals (counted, never timed).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <type_traits>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/progress.hpp"
#include "assay/drift/multivariate.hpp"
#include "assay/drift/report.hpp"
#include "assay/drift/univariate.hpp"

using namespace assay;
using namespace assay::drift;

// A raw span or vector cannot stand in for a sorted sample: only the factories make one.
static_assert(!std::is_constructible_v<SortedSample, std::span<const double>>);
static_assert(!std::is_convertible_v<std::vector<double>, SortedSample>);
static_assert(!std::is_constructible_v<SortedSample, std::vector<double>>);

namespace {

std::vector<double> normal_sample(std::size_t n, double shift, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::vector<double> out(n);
  for (double& v : out) v = normal(generator);
  return out;
}

// A Progress that records every (done, total) and asks to stop at call `stop_at` (0: never).
struct Recorder {
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  std::size_t stop_at = 0;
  Progress progress() {
    return Progress([this](std::size_t done, std::size_t total) {
      calls.emplace_back(done, total);
      return stop_at == 0 || calls.size() < stop_at;
    });
  }
  std::size_t largest_step() const {
    std::size_t previous = 0, largest = 0;
    for (const auto& [done, total] : calls) {
      largest = std::max(largest, done - std::min(done, previous));
      previous = done;
    }
    return largest;
  }
};

}  // namespace

TEST(DriftReliability, UnsortedInputIsSortedByTheOnlyFactory) {
  // The case: raw unsorted samples gave D = 0.481 instead of the true value.
  std::vector<double> x = normal_sample(300, 0.0, 1), y = normal_sample(200, 0.3, 2);
  std::vector<double> xs = x, ys = y;
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  const auto from_unsorted = ks_2samp(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"));
  const auto from_sorted =
      ks_2samp(SortedSample::from_sorted(std::move(xs), "x"), SortedSample::from_sorted(std::move(ys), "y"));
  EXPECT_EQ(from_unsorted.statistic, from_sorted.statistic);
  EXPECT_EQ(from_unsorted.pvalue, from_sorted.pvalue);
  // D by brute force over every pooled value.
  double d = 0.0;
  for (const auto& v : {x, y})
    for (double t : v) {
      const double fx = static_cast<double>(std::count_if(x.begin(), x.end(), [&](double a) { return a <= t; })) / 300;
      const double fy = static_cast<double>(std::count_if(y.begin(), y.end(), [&](double a) { return a <= t; })) / 200;
      d = std::max(d, std::fabs(fx - fy));
    }
  EXPECT_NEAR(from_unsorted.statistic, d, 1e-15);
  // from_sorted checks the order and finiteness instead of trusting the caller.
  EXPECT_THROW(SortedSample::from_sorted(std::vector<double>{1, 3, 2}, "x"), InvalidArgument);
  EXPECT_THROW(SortedSample::sort(std::vector<double>{1, std::nan(""), 2}, "x"), InvalidArgument);
  EXPECT_THROW(SortedSample::sort(std::vector<double>{1, std::numeric_limits<double>::infinity()}, "x"),
               InvalidArgument);
  EXPECT_EQ(x.size(), 300u);  // sort(span) copies: the caller's vector is untouched
  EXPECT_FALSE(std::is_sorted(x.begin(), x.end()));
}

TEST(DriftReliability, DistancesStayFiniteNearTheLargestDouble) {
  const auto x = SortedSample::sort(std::vector<double>{-1e308, 1e308}, "x");
  const auto y = SortedSample::sort(std::vector<double>{1e308, 1e308}, "y");
  EXPECT_DOUBLE_EQ(wasserstein(x, y), 1e308);           // half the mass moves 2e308
  EXPECT_DOUBLE_EQ(normalized_wasserstein(x, y), 1.0);  // std of x is 1e308
  EXPECT_TRUE(std::isfinite(energy_distance(x, y)));
  const std::vector<double> wx{1e308, 1e308}, wy{1.0, 1.0}, raw_x{-1e308, 1e308}, raw_y{1e308, 1e308};
  EXPECT_DOUBLE_EQ(wasserstein(raw_x, raw_y, wx, wy), 1e308);
  const std::vector<double> negative{1.0, -1.0}, zeros{0.0, 0.0};
  EXPECT_THROW(wasserstein(raw_x, raw_y, negative, wy), InvalidArgument);
  EXPECT_THROW(wasserstein(raw_x, raw_y, wx, zeros), InvalidArgument);
}

TEST(DriftReliability, CountsAreCheckedInTheCore) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(two_proportion_z(nan, 100, 45, 110), InvalidArgument);
  EXPECT_THROW(two_proportion_z(3, inf, 45, 110), InvalidArgument);
  EXPECT_THROW(two_proportion_z(3, 100, 45, 0), InvalidArgument);
  EXPECT_THROW(two_proportion_z(3.5, 100, 45, 110), InvalidArgument);
  EXPECT_THROW(two_proportion_z(120, 100, 45, 110), InvalidArgument);
  try {
    two_proportion_z(3, 100, -1, 110);
    FAIL();
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("count2"), std::string::npos) << error.what();
  }
  const std::vector<double> table{1, nan, 2, 3};
  EXPECT_THROW(chi2_contingency(table, 2, 2), InvalidArgument);
  const std::vector<double> overflow{1e308, 1e308, 1e308, 1e308};
  EXPECT_THROW(chi2_contingency(overflow, 2, 2), InvalidArgument);
  const std::vector<double> a{1, 2, 3}, b{1, -2, 3};
  EXPECT_THROW(chisquare_goodness_of_fit(a, b), InvalidArgument);
  EXPECT_THROW(fisher_exact(std::int64_t{1} << 60, 1, 1, 1), InvalidArgument);
  EXPECT_THROW(total_variation(a, b), InvalidArgument);
  // Distances normalise: counts and proportions agree.
  const std::vector<double> p{2, 3, 5}, q{1, 1, 2};
  EXPECT_NEAR(total_variation(p, q), 0.05, 1e-15);
}

TEST(DriftReliability, FisherExactOnHugeCountsIsQuickAndExact) {
  // Before: a vector of 1e9 doubles (8 GB) and bad_alloc. Now O(1) memory.
  const TestResult huge = fisher_exact(1'000'000'000, 3, 2, 1'000'000'000);
  EXPECT_EQ(huge.pvalue, 0.0);
  // Exact value from integer arithmetic (tests/python/test_drift_reliability.py).
  EXPECT_NEAR(fisher_exact(20000, 20400, 20400, 20000).pvalue / 0.004994719537722515, 1.0, 1e-13);
  EXPECT_NEAR(fisher_exact(200, 7, 8, 300).pvalue / 2.005657880388921e-122, 1.0, 1e-13);
  EXPECT_NEAR(fisher_exact(3, 1, 1, 3).pvalue, 34.0 / 70.0, 1e-15);
}

TEST(DriftReliability, ReportStopsWithinOneBlockOfValues) {
  const std::size_t n = 3'000'000;
  std::vector<double> reference(n), current(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) reference[i] = static_cast<double>(n - i);
  const TableView ref({ColumnView::numeric("a", reference)}), cur({ColumnView::numeric("a", current)});
  const std::vector<ColumnRequest> requests{{"a", {drift::Test::ks}, {}}};
  Recorder all;
  drift_report(ref, cur, requests, 1, all.progress());
  ASSERT_FALSE(all.calls.empty());
  EXPECT_EQ(all.calls.back(), std::make_pair(2 * n, 2 * n));
  EXPECT_LE(all.largest_step(), std::size_t{1} << 20);  // a check at least every 2^20 values
  EXPECT_GE(all.calls.size(), 2 * n / (std::size_t{1} << 20));
  Recorder stop;
  stop.stop_at = 2;
  EXPECT_THROW(drift_report(ref, cur, requests, 1, stop.progress()), Interrupted);
  EXPECT_EQ(stop.calls.size(), 2u);  // no work reported after the request
  EXPECT_LE(stop.calls.back().first, std::size_t{2} << 20);
  // With two threads too, the call stops (the other thread at its next check).
  Recorder parallel;
  parallel.stop_at = 1;
  const std::vector<ColumnRequest> two{{"a", {drift::Test::ks}, {}}, {"a", {drift::Test::wasserstein}, {}}};
  EXPECT_THROW(drift_report(ref, cur, two, 2, parallel.progress()), Interrupted);
  EXPECT_EQ(parallel.calls.size(), 1u);
  // A small and a large column on two threads: whichever thread takes the small one,
  // thread 0 keeps asking while the other works, so a request is always seen.
  const std::vector<double> small(10, 1.0);
  const TableView ref2(
      {ColumnView::numeric("small", small), ColumnView::numeric("big", std::span(reference).first(10))}),
      cur2({ColumnView::numeric("small", small), ColumnView::numeric("big", std::span(current).first(10))});
  const TableView wide_ref({ColumnView::numeric("a", reference), ColumnView::numeric("b", reference)}),
      wide_cur({ColumnView::numeric("a", current), ColumnView::numeric("b", current)});
  for (int stop_at : {1, 3, 6}) {
    Recorder mixed;
    mixed.stop_at = static_cast<std::size_t>(stop_at);
    const std::vector<ColumnRequest> both{{"a", {drift::Test::ks}, {}}, {"b", {drift::Test::ks}, {}}};
    EXPECT_THROW(drift_report(wide_ref, wide_cur, both, 2, mixed.progress()), Interrupted);
    EXPECT_EQ(mixed.calls.size(), static_cast<std::size_t>(stop_at));
  }
  // Without a callback nothing waits or polls: the same results for every n_jobs.
  const std::vector<ColumnRequest> both{{"small", {drift::Test::ks}, {}}, {"big", {drift::Test::ks}, {}}};
  const auto one = drift_report(ref2, cur2, both, 1), many = drift_report(ref2, cur2, both, 4);
  ASSERT_EQ(one.size(), many.size());
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i].statistic, many[i].statistic);
}

TEST(DriftReliability, PcaFitAndBoostingStopWithinOneUnit) {
  const std::size_t rows = 70'000, d = 4;
  const std::vector<double> data = normal_sample(rows * d, 0.0, 5);
  Recorder all;
  fit_pca(MatrixView{data.data(), rows, d}, 0.65, all.progress());
  EXPECT_LE(all.largest_step(), 1u);  // one block of 16,384 rows between checks
  EXPECT_GE(all.calls.size(), 3 * (rows / 16384));
  Recorder stop;
  stop.stop_at = 3;
  EXPECT_THROW(fit_pca(MatrixView{data.data(), rows, d}, 0.65, stop.progress()), Interrupted);
  EXPECT_EQ(stop.calls.size(), 3u);

  const std::size_t n = 400;
  const std::vector<double> x = normal_sample(n * 3, 0.0, 6), y = normal_sample(n * 3, 0.2, 7);
  DomainClassifierOptions options;
  options.model = DomainModel::gradient_boosting;
  options.n_trees = 12;
  Recorder trees;
  domain_classifier({x.data(), n, 3}, {y.data(), n, 3}, 2, options, 1, 1, trees.progress());
  EXPECT_EQ(trees.calls.back(), std::make_pair(std::size_t{3 + 2 * 12}, std::size_t{3 + 2 * 12}));
  EXPECT_LE(trees.largest_step(), 1u);  // checks within every tree (after each node)
  Recorder stop_trees;
  stop_trees.stop_at = 4;
  EXPECT_THROW(domain_classifier({x.data(), n, 3}, {y.data(), n, 3}, 2, options, 1, 1, stop_trees.progress()),
               Interrupted);
  EXPECT_EQ(stop_trees.calls.size(), 4u);
  options.model = DomainModel::logistic;
  Recorder logistic;
  logistic.stop_at = 1;
  EXPECT_THROW(domain_classifier({x.data(), n, 3}, {y.data(), n, 3}, 2, options, 1, 1, logistic.progress()),
               Interrupted);
  EXPECT_EQ(logistic.calls.size(), 1u);
  // Values whose squares overflow are refused up front.
  std::vector<double> big = x;
  big[5] = 1e200;
  EXPECT_THROW(fit_pca(MatrixView{big.data(), n, 3}, 0.65), InvalidArgument);
}
