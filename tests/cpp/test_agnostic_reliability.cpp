// Reliability of the model-agnostic core (issue 19): k-means stops when asked to within
// bounded work, sizes that cannot fit or overflow are ResourceLimit before allocating,
// and extreme but finite values give finite means and centres.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/progress.hpp"
#include "assay/explain/agnostic.hpp"
#include "assay/explain/background.hpp"

namespace ex = assay::explain;

namespace {

std::vector<double> grid_rows(std::int64_t n, std::int64_t M) {
  std::vector<double> data(n * M);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < M; ++j) data[i * M + j] = static_cast<double>((i * 7919 + j * 104729) % 1000);
  }
  return data;
}

}  // namespace

TEST(AgnosticReliability, KMeansStopsAtTheFirstReportThatAsksTo) {
  const auto data = grid_rows(3000, 4);
  int calls = 0;
  const assay::Progress stop([&](std::size_t, std::size_t) {
    ++calls;
    return false;
  });
  EXPECT_THROW(ex::kmeans_summary(data, 4, 20, 0, true, 100, 1, stop), assay::Interrupted);
  EXPECT_EQ(calls, 1);  // the work stopped at the first check
}

TEST(AgnosticReliability, KMeansChecksWithinOneSeedingStepAndWithinLloydIterations) {
  // One seeding step over 70,000 rows x 64 features is 4.5M distance terms: it must be
  // split by checks (at most 2^22 terms apart), not checked only once per centre.
  const std::int64_t n = 70000, M = 64;
  const auto data = grid_rows(n, M);
  int first_step_reports = 0;
  const assay::Progress count([&](std::size_t done, std::size_t) {
    if (done == 0) ++first_step_reports;
    return true;
  });
  ex::kmeans_summary(data, M, 1, 0, false, 3, 1, count);
  EXPECT_GE(first_step_reports, 2);

  // A Lloyd iteration is interrupted too: stop at the first report after seeding.
  const auto small = grid_rows(20000, 10);
  const std::int32_t k = 100;
  std::size_t stopped_at = 0;
  const assay::Progress stop_in_lloyd([&](std::size_t done, std::size_t) {
    stopped_at = done;
    return done < static_cast<std::size_t>(k);
  });
  EXPECT_THROW(ex::kmeans_summary(small, 10, k, 0, true, 100, 1, stop_in_lloyd), assay::Interrupted);
  EXPECT_EQ(stopped_at, static_cast<std::size_t>(k));
}

TEST(AgnosticReliability, KMeansOfValuesNearTheLargestDoubleIsFinite) {
  const double big = 1e308;
  std::vector<double> data = {big, -big, big, -big, -big, big, -big, big, 5, 1e307, 0, 0};  // 6 rows x 2
  for (const bool round : {false, true}) {
    const auto summary = ex::kmeans_summary(data, 2, 3, 0, round, 100, 1);
    for (const double c : summary.centers) EXPECT_TRUE(std::isfinite(c));
    double total = 0.0;
    for (const double w : summary.weights) total += w;
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
  // Rounded centres hold values of the data.
  const auto rounded = ex::kmeans_summary(data, 2, 3, 7, true, 100, 1);
  for (std::size_t c = 0; c < rounded.centers.size(); ++c) {
    bool found = false;
    for (std::size_t i = c % 2; i < data.size(); i += 2) found = found || data[i] == rounded.centers[c];
    EXPECT_TRUE(found);
  }
}

TEST(AgnosticReliability, KMeansNeedsAnIteration) {
  const auto data = grid_rows(10, 2);
  EXPECT_THROW(ex::kmeans_summary(data, 2, 3, 0, true, 0, 1), assay::InvalidArgument);
}

TEST(AgnosticReliability, KernelDesignsThatCannotFitAreRefusedBeforeDrawing) {
  // 10^12 coalitions of 40 features: terabytes; refused at once (no drawing, no allocation).
  EXPECT_THROW(ex::kernel_coalitions(40, 1'000'000'000'000, 0), assay::ResourceLimit);
  // A budget whose draw count (4 x budget) overflows int64.
  EXPECT_THROW(ex::kernel_coalitions(40, std::numeric_limits<std::int64_t>::max() / 2, 0), assay::ResourceLimit);
  // Few features: a huge budget is the full (small) enumeration.
  EXPECT_EQ(ex::kernel_coalitions(4, std::numeric_limits<std::int64_t>::max() / 8, 0).size(), 14u);
}

TEST(AgnosticReliability, SizeProductsThatOverflowAreResourceLimits) {
  EXPECT_THROW(ex::random_permutations(16, std::numeric_limits<std::int64_t>::max() / 8, 0), assay::ResourceLimit);
  const std::vector<double> values(4, 0.0);
  std::vector<double> out(4), errors(4);
  const std::vector<std::int32_t> permutation = {0, 1};
  // n_rows x P x (2M+1) x K overflows: an error, not a wrapped size that might match.
  EXPECT_THROW(ex::permutation_shapley_values(permutation, 2, values, std::int64_t{1} << 62, 3, out, errors, 1),
               assay::ResourceLimit);
  std::vector<double> coalition_out(1);
  EXPECT_THROW(ex::coalition_values(values, std::int64_t{1} << 62, 1 << 30, 4, {}, ex::Link::identity, coalition_out),
               assay::ResourceLimit);
}

TEST(AgnosticReliability, BackgroundMeansOfHugeOutputsAndWeightsAreFinite) {
  // Weights of 1e308 (their sum overflows) and outputs of 1e308 (so does theirs): the
  // weighted mean is 1e308, not NaN.
  const std::vector<double> outputs = {1e308, 1e308, 1e308, -1e308, 1e308, 1e308};  // 2 items x 3 rows
  const std::vector<double> weights = {1e308, 1e308, 1e308};
  std::vector<double> out(2);
  ex::coalition_values(outputs, 2, 3, 1, weights, ex::Link::identity, out);
  EXPECT_DOUBLE_EQ(out[0], 1e308);
  EXPECT_NEAR(out[1], 1e308 / 3, 1e293);
  ex::coalition_values(outputs, 2, 3, 1, {}, ex::Link::identity, out);
  EXPECT_DOUBLE_EQ(out[0], 1e308);
  const std::vector<double> bad_weights = {1.0, std::nan(""), 1.0};
  EXPECT_THROW(ex::coalition_values(outputs, 2, 3, 1, bad_weights, ex::Link::identity, out), assay::InvalidArgument);
}

TEST(AgnosticReliability, KernelDesignStopsWhileDrawingWhenAsked) {
  int calls = 0;
  const assay::Progress stop([&](std::size_t done, std::size_t total) {
    ++calls;
    EXPECT_LE(done, total);
    return false;
  });
  // 200,000 coalitions of 30 features: the first report, after 2^16 coalitions, stops it.
  EXPECT_THROW(ex::kernel_coalitions(30, 200'000, 0, 16, ex::Sampling::kernel, stop), assay::Interrupted);
  EXPECT_EQ(calls, 1);
  int reports = 0;
  const assay::Progress count([&](std::size_t, std::size_t) { return ++reports > 0; });
  const auto design = ex::kernel_coalitions(30, 200'000, 0, 16, ex::Sampling::kernel, count);
  EXPECT_GE(reports, 2);
  EXPECT_EQ(design.size(), ex::kernel_coalitions(30, 200'000, 0).size());  // reporting changes nothing
}
