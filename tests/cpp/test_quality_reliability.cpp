// Reliability of the quality engine on extreme values and corrupted states (issue 19).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "assay/assay.hpp"
#include "assay/common/finite_math.hpp"

using namespace assay;
using namespace assay::quality;

namespace {

constexpr double kMax = std::numeric_limits<double>::max();

void expect_finite_ascending_edges(const NumericProfile& p) {
  for (std::size_t k = 0; k < p.histogram_edges.size(); ++k) {
    EXPECT_TRUE(std::isfinite(p.histogram_edges[k])) << k;
    if (k > 0) {
      EXPECT_LE(p.histogram_edges[k - 1], p.histogram_edges[k]) << k;
    }
  }
  std::int64_t total = 0;
  for (auto c : p.histogram_counts) total += c;
  EXPECT_EQ(total, p.finite());
}

}  // namespace

TEST(QualityReliability, FiniteMathHelpers) {
  EXPECT_EQ(moment_scale(1.0), 1.0);
  EXPECT_EQ(moment_scale(1e300), std::ldexp(1.0, std::ilogb(1e300)));
  EXPECT_EQ(moment_scale(5e-324), std::ldexp(1.0, -1022));
  EXPECT_EQ(lerp_finite(-1e308, 1e308, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(lerp_finite(-kMax, kMax, 0.75), kMax / 2);
  EXPECT_EQ(lerp_finite(2.0, 4.0, 0.25), 2.5);
  EXPECT_EQ(half_difference(-kMax, kMax), kMax);
  EXPECT_DOUBLE_EQ(add_scaled_distance(-1e308, -0.1, 1e308), -1.2e308);  // Q1 - 0.1 IQR with IQR = 2e308
  EXPECT_EQ(add_scaled_distance(-1e308, -2.0, 1e308), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(add_scaled_distance(1.0, 0.0, kMax), 1.0);
}

TEST(QualityReliability, MomentsOfHugeValues) {
  std::vector<double> x{1e308, 1e308, -1e308, 1e308, 5, 1e308, -1e308, 1e307};
  const auto p = profile_numeric(ColumnView::numeric("x", x));
  EXPECT_DOUBLE_EQ(p.mean, 2.625e307);
  // sample std by hand: deviations from 2.625e307, in units of 1e307.
  double ss = 0;
  for (double v : x) ss += (v / 1e307 - 2.625) * (v / 1e307 - 2.625);
  EXPECT_NEAR(p.std_dev() / 1e307, std::sqrt(ss / 7), 1e-12);
  EXPECT_TRUE(std::isinf(p.variance()));  // 7.8e615: beyond the doubles
  expect_finite_ascending_edges(p);

  std::vector<double> equal(9, kMax);
  const auto q = profile_numeric(ColumnView::numeric("x", equal));
  EXPECT_EQ(q.mean, kMax);
  EXPECT_EQ(q.std_dev(), 0.0);
  expect_finite_ascending_edges(q);
}

TEST(QualityReliability, CancellationAndSubnormals) {
  const float f32 = std::numeric_limits<float>::max();
  std::vector<double> x{f32, -static_cast<double>(f32), 1.1754943508222875e-38, 1.401298464324817e-45, 0.0, 1.0};
  EXPECT_NEAR(profile_numeric(ColumnView::numeric("x", x)).mean, 1.0 / 6, 1e-16);
  std::vector<double> tiny{1e-320, 2e-320, 3e-320};
  const auto p = profile_numeric(ColumnView::numeric("x", tiny));
  EXPECT_NEAR(p.std_dev(), 1e-320, 1e-323);  // squares of the deviations used to underflow to 0
}

TEST(QualityReliability, MergedHalvesKeepTheMeanWhenTheirSumsCancel) {
  const float f32 = std::numeric_limits<float>::max();
  std::vector<double> a{f32}, b{-static_cast<double>(f32), 1.0, 0.0, 0.5, 0.5};
  const auto m = merge(profile_numeric(ColumnView::numeric("x", a)), profile_numeric(ColumnView::numeric("x", b)));
  EXPECT_NEAR(m.mean, 2.0 / 6, 1e-16);
  std::vector<double> c{kMax, -kMax}, d{0.0, 1.0};
  const auto n = merge(profile_numeric(ColumnView::numeric("x", c)), profile_numeric(ColumnView::numeric("x", d)));
  EXPECT_DOUBLE_EQ(n.mean, 0.25);
  expect_finite_ascending_edges(n);
}

TEST(QualityReliability, QuantilesMadAndSummaryAcrossTheWholeRange) {
  std::vector<double> x{-1.7e308, -1e308, -1e308, 1e308, 1e308, 1.7e308};
  std::sort(x.begin(), x.end());
  EXPECT_EQ(detail::sorted_quantile(x.data(), x.size(), 0.5), 0.0);
  EXPECT_DOUBLE_EQ(detail::sorted_mad(x.data(), x.size(), 0.0), 1e308);
  const auto summary = QuantileSummary::from_sorted(x);
  EXPECT_EQ(summary.quantile(0.5), 0.0);
}

TEST(QualityReliability, OptionsAreCheckedBeforeAllocating) {
  std::vector<double> x{1.0, 2.0};
  ProfileOptions o;
  o.histogram_bins = 1 << 30;
  EXPECT_THROW(profile_numeric(ColumnView::numeric("x", x), o), ResourceLimit);
  o.histogram_bins = 0;
  EXPECT_THROW(profile_numeric(ColumnView::numeric("x", x), o), InvalidArgument);
  CheckOptions c;
  c.missing_warning = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(validate(c), InvalidArgument);
  c = {};
  c.leakage_bins = 1 << 30;
  EXPECT_THROW(validate(c), ResourceLimit);
}

TEST(QualityReliability, CorruptedStatesAreRefusedByMerge) {
  std::vector<double> x{1.0, 2.0, 3.0};
  const auto good = profile_numeric(ColumnView::numeric("x", x));
  auto bad = good;
  bad.histogram_counts.pop_back();  // one edge too many: merging used to read past the counts
  EXPECT_THROW(merge(good, bad), CorruptedState);
  bad = good;
  bad.missing = 10;
  EXPECT_THROW(merge(good, bad), CorruptedState);
  bad = good;
  bad.scale = 3.0;
  EXPECT_THROW(merge(good, bad), CorruptedState);
  bad = good;
  bad.m2 = std::numeric_limits<double>::infinity();
  EXPECT_THROW(merge(good, bad), CorruptedState);
  bad = good;
  bad.count = std::numeric_limits<std::int64_t>::max();
  bad.missing = bad.count - 3;
  EXPECT_THROW(merge(bad, bad), InvalidArgument);  // the merged count would overflow
  EXPECT_NO_THROW(validate(merge(good, good)));
}
