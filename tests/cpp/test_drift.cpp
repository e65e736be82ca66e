// Drift engine: distribution functions at extreme arguments (reference values from
// scipy 1.17), the exact tests on hand-checkable cases, and report invariants.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/drift/multivariate.hpp"
#include "assay/drift/report.hpp"
#include "assay/drift/special.hpp"
#include "assay/drift/univariate.hpp"

using namespace assay;
using namespace assay::drift;

namespace {

void expect_relative(double actual, double expected, double tolerance) {
  if (expected == 0.0) {
    EXPECT_EQ(actual, 0.0);
    return;
  }
  EXPECT_NEAR(actual / expected, 1.0, tolerance) << "actual " << actual << " expected " << expected;
}

}  // namespace

TEST(DriftSpecial, KolmogorovFiniteNAcrossAllMethods) {
  struct Case {
    std::int64_t n;
    double d, sf;
  };
  // Each row exercises one branch: Ruben-Gambino ends, Durbin, Pomeranz, Smirnov, Pelz-Good.
  const Case cases[] = {
      {1, 0.7, 0.6000000000000001},
      {5, 0.1, 1.0},
      {5, 0.95, 6.250000000000028e-07},
      {10, 0.3, 0.27053557479999946},
      {100, 0.05, 0.9532159710635725},
      {100, 0.2, 0.0005551927327988775},
      {100, 0.45, 5.324995419657099e-19},
      {140, 0.6, 1.0052268370224967e-48},
      {1000, 0.02, 0.8108971656895577},
      {1000, 0.05, 0.013012074781090332},
      {1000, 0.1, 3.703687096817711e-09},
      {5000, 0.01, 0.6954557253913853},
      {20000, 0.005, 0.6974088406327613},
      {200000, 0.003, 0.0545369786611305},
      {10, 0.04, 1.0},
      {100, 0.004, 1.0},
  };
  for (const auto& c : cases) expect_relative(kolmogorov_sf(c.n, c.d), c.sf, 1e-9);
  EXPECT_EQ(kolmogorov_sf(50, 1.0), 0.0);
  EXPECT_EQ(kolmogorov_sf(50, 0.0), 1.0);
  EXPECT_TRUE(std::isnan(kolmogorov_sf(0, 0.5)));
  EXPECT_TRUE(std::isnan(kolmogorov_sf(10, std::nan(""))));
}

TEST(DriftSpecial, ChiSquareTailIncludingFarTail) {
  expect_relative(chi2_sf(0.5, 1), 0.47950012218695337, 1e-13);
  expect_relative(chi2_sf(3.84, 1), 0.05004352124870519, 1e-13);
  expect_relative(chi2_sf(100, 1), 1.5239706048320995e-23, 1e-12);
  expect_relative(chi2_sf(10, 3), 0.01856613546304325, 1e-13);
  expect_relative(chi2_sf(1e-10, 2), 0.99999999995, 1e-14);
  expect_relative(chi2_sf(50, 50), 0.47339846855634937, 1e-12);
  expect_relative(chi2_sf(5000, 4000), 1.6633156038804178e-25, 1e-10);
  expect_relative(chi2_sf(200, 10), 1.6139305336977317e-37, 1e-12);
  EXPECT_EQ(chi2_sf(1500, 1), 0.0);  // below the smallest double
  EXPECT_EQ(chi2_sf(0, 3), 1.0);
  EXPECT_EQ(chi2_sf(std::numeric_limits<double>::infinity(), 3), 0.0);
  EXPECT_TRUE(std::isnan(chi2_sf(1, 0)));
}

TEST(DriftSpecial, NormalSmirnovBesselCramerVonMises) {
  expect_relative(normal_sf(8.0), 6.22096057427174e-16, 1e-13);
  expect_relative(normal_sf(30.0), 4.906713927147908e-198, 1e-12);
  expect_relative(normal_sf(-3.0), 0.9986501019683699, 1e-15);
  expect_relative(smirnov_sf(50, 0.3), 8.676630101359369e-05, 1e-12);
  expect_relative(smirnov_sf(1000, 0.08), 2.577094692394912e-06, 1e-10);
  expect_relative(bessel_k(0.25, 0.01), 6.165741264139234, 1e-13);
  expect_relative(bessel_k(0.25, 2.0), 0.11537827684084918, 1e-13);
  expect_relative(bessel_k(0.25, 50.0), 3.412278887574886e-23, 1e-12);
  EXPECT_EQ(bessel_k(0.25, 2000.0), 0.0);  // underflows, and the quadrature terminates
  expect_relative(cramer_von_mises_limit_cdf(0.01), 5.86443281e-06, 1e-8);
  expect_relative(cramer_von_mises_limit_cdf(0.5), 0.96016678, 1e-8);
}

TEST(DriftTests, KolmogorovSmirnovExactSmallCases) {
  // x entirely below y: D = 1; the only outside path is the corner path, p = 2 / C(6, 3).
  const auto x = SortedSample::sort(std::vector<double>{1, 2, 3}, "x");
  const auto y = SortedSample::sort(std::vector<double>{4, 5, 6}, "y");
  const auto r = ks_2samp(x, y);
  EXPECT_DOUBLE_EQ(r.statistic, 1.0);
  EXPECT_NEAR(r.pvalue, 2.0 / 20.0, 1e-15);
  EXPECT_EQ(r.method, "exact");
  // Identical samples: D = 0, p = 1.
  EXPECT_EQ(ks_2samp(x, x).pvalue, 1.0);
  EXPECT_THROW(ks_2samp({}, y), InvalidArgument);
}

TEST(DriftTests, EppsSingletonNeedsSpreadAndFiveValues) {
  const auto constant = SortedSample::sort(std::vector<double>(10, 1.0), "constant");
  const auto few = SortedSample::sort(std::vector<double>{1, 2, 3, 4}, "few");
  const auto spread = SortedSample::sort(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}, "spread");
  EXPECT_THROW(epps_singleton_2samp(constant, constant), InvalidArgument);
  EXPECT_THROW(epps_singleton_2samp(few, spread), InvalidArgument);
  const TestResult same = epps_singleton_2samp(spread, spread);
  EXPECT_NEAR(same.statistic, 0.0, 1e-12);
  EXPECT_NEAR(same.pvalue, 1.0, 1e-12);
}

TEST(DriftTests, FisherAndZAndContingency) {
  // Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34 / 70.
  const TestResult f = fisher_exact(3, 1, 1, 3);
  EXPECT_DOUBLE_EQ(f.statistic, 9.0);
  EXPECT_NEAR(f.pvalue, 34.0 / 70.0, 1e-14);
  EXPECT_EQ(fisher_exact(0, 0, 2, 3).pvalue, 1.0);  // an empty row
  EXPECT_THROW(fisher_exact(-1, 0, 2, 3), InvalidArgument);
  const TestResult z = two_proportion_z(5, 10, 5, 10);
  EXPECT_EQ(z.statistic, 0.0);
  EXPECT_EQ(z.pvalue, 1.0);
  const std::vector<double> table{10, 20, 30, 40};
  const auto c = chi2_contingency(table, 2, 2, false);
  // expected = [[12, 18], [28, 42]]: 4/12 + 4/18 + 4/28 + 4/42.
  EXPECT_NEAR(c.statistic, 4.0 / 12 + 4.0 / 18 + 4.0 / 28 + 4.0 / 42, 1e-14);
  EXPECT_EQ(c.dof, 1.0);
  const std::vector<double> empty_column{0, 5, 0, 5};
  EXPECT_THROW(chi2_contingency(empty_column, 2, 2), InvalidArgument);
}

TEST(DriftTests, DistancesOnKnownDistributions) {
  const std::vector<double> p{0.5, 0.5, 0.0}, q{0.0, 0.5, 0.5};
  EXPECT_NEAR(total_variation(p, q), 0.5, 1e-15);
  EXPECT_NEAR(hellinger(p, q), std::sqrt(0.5), 1e-15);
  EXPECT_TRUE(std::isinf(kl_divergence(p, q)));
  EXPECT_NEAR(jensen_shannon(p, p), 0.0, 1e-15);
  std::vector<double> filled{0.5, 0.5, 0.0};
  evidently_fill_zeros(filled);
  EXPECT_EQ(filled[2], 1e-4);
  const auto x = SortedSample::sort(std::vector<double>{0, 1}, "x");
  const auto y = SortedSample::sort(std::vector<double>{1, 2}, "y");
  EXPECT_NEAR(wasserstein(x, y), 1.0, 1e-15);
  EXPECT_THROW(jensen_shannon(p, std::vector<double>{1.0}), InvalidArgument);
}

TEST(DriftReport, SameResultForEveryThreadCountAndDegenerateColumns) {
  std::mt19937_64 generator(7);
  std::normal_distribution<double> normal;
  const std::size_t n = 3000;
  std::vector<double> a(n), b(n), c(n, 1.0), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = normal(generator);
    b[i] = normal(generator) + 0.3;
    d[i] = std::nan("");
  }
  TableView reference({ColumnView::numeric("a", a), ColumnView::numeric("c", c), ColumnView::numeric("d", a)});
  TableView current({ColumnView::numeric("a", b), ColumnView::numeric("c", c), ColumnView::numeric("d", d)});
  std::vector<ColumnRequest> requests{{"a", {drift::Test::ks, drift::Test::psi, drift::Test::wasserstein}, {}},
                                      {"c", {drift::Test::anderson}, {}},
                                      {"d", {}, {}}};
  const auto serial = drift_report(reference, current, requests, 1);
  const auto parallel = drift_report(reference, current, requests, 2);
  ASSERT_EQ(serial.size(), 5u);
  for (std::size_t i = 0; i < serial.size(); ++i) {
    EXPECT_EQ(std::isnan(serial[i].score), std::isnan(parallel[i].score));
    if (!std::isnan(serial[i].score)) {
      EXPECT_EQ(serial[i].score, parallel[i].score);
    }
  }
  EXPECT_TRUE(serial[0].drifted);            // a 0.3 sd shift on 3000 rows
  EXPECT_TRUE(std::isnan(serial[3].score));  // a constant column: Anderson-Darling undefined
  EXPECT_FALSE(serial[3].note.empty());
  EXPECT_TRUE(std::isnan(serial[4].score));  // no current values at all
  EXPECT_EQ(serial[4].missing_current, n);
  EXPECT_THROW(drift_report(reference, current, {{"zz", {}, {}}}, 1), InvalidArgument);
}

TEST(DriftReport, AdjustedPvaluesByHand) {
  // p = (0.04, nan, 0.01, 0.03, 0.04): family of m = 4, sorted 0.01, 0.03, 0.04, 0.04.
  const std::vector<double> p{0.04, std::nan(""), 0.01, 0.03, 0.04};
  const auto bonferroni = adjust_pvalues(p, Correction::bonferroni);
  const auto holm = adjust_pvalues(p, Correction::holm);  // 4*0.01, max(3*0.03, .), max(2*0.04, .), ...
  const auto bh = adjust_pvalues(p, Correction::fdr_bh);  // min over j >= k of 4 p_(j) / j
  const std::vector<double> expect_bonferroni{0.16, 0, 0.04, 0.12, 0.16}, expect_holm{0.09, 0, 0.04, 0.09, 0.09},
      expect_bh{0.04, 0, 0.04, 0.04, 0.04};
  for (std::size_t i : {0u, 2u, 3u, 4u}) {
    EXPECT_NEAR(bonferroni[i], expect_bonferroni[i], 1e-15);
    EXPECT_NEAR(holm[i], expect_holm[i], 1e-15);
    EXPECT_NEAR(bh[i], expect_bh[i], 1e-15);
  }
  EXPECT_TRUE(std::isnan(bonferroni[1]) && std::isnan(holm[1]) && std::isnan(bh[1]));
  EXPECT_EQ(adjust_pvalues(std::vector<double>{0.9, 0.8}, Correction::bonferroni), (std::vector<double>{1.0, 1.0}));
  EXPECT_THROW(parse_correction("sidak"), InvalidArgument);
}

TEST(DriftMultivariate, BoostedDomainClassifierSeesAVarianceChange) {
  std::mt19937_64 generator(4);
  std::normal_distribution<double> normal;
  const std::size_t n = 300, d = 2;
  std::vector<double> x(n * d), y(n * d), constant(n * d, 1.0);
  for (std::size_t i = 0; i < n * d; ++i) {
    x[i] = normal(generator);
    y[i] = normal(generator) * (i % d == 0 ? 2.0 : 1.0);
  }
  DomainClassifierOptions options;
  options.model = DomainModel::gradient_boosting;
  options.n_trees = 30;
  const MatrixView xv{x.data(), n, d}, yv{y.data(), n, d};
  const auto serial = domain_classifier(xv, yv, 3, options, 7, 1);
  const auto parallel = domain_classifier(xv, yv, 3, options, 7, 2);
  EXPECT_EQ(serial.scores, parallel.scores);
  EXPECT_GT(serial.lower, 0.55);
  // Constant columns cannot be split: every score is the prior, AUC one half.
  const MatrixView cv{constant.data(), n, d};
  EXPECT_DOUBLE_EQ(domain_classifier(cv, cv, 3, options, 7, 1).auc, 0.5);
  options.max_bins = 300;
  EXPECT_THROW(domain_classifier(xv, yv, 3, options, 7, 1), InvalidArgument);
}

TEST(DriftMultivariate, MmdIsSeededThreadInvariantAndDetectsShift) {
  std::mt19937_64 generator(3);
  std::normal_distribution<double> normal;
  const std::size_t n = 300, d = 3;
  std::vector<double> x(n * d), same(n * d), shifted(n * d);
  for (std::size_t i = 0; i < n * d; ++i) {
    x[i] = normal(generator);
    same[i] = normal(generator);
    shifted[i] = normal(generator) + 1.0;
  }
  const MatrixView vx{x.data(), n, d}, vsame{same.data(), n, d}, vshift{shifted.data(), n, d};
  const MmdResult one = mmd_test(vx, vshift, 40, 9, 0.0, 1);
  const MmdResult two = mmd_test(vx, vshift, 40, 9, 0.0, 2);
  EXPECT_EQ(one.statistic, two.statistic);
  EXPECT_EQ(one.permuted, two.permuted);
  EXPECT_NEAR(one.pvalue, 1.0 / 41.0, 1e-15);  // no permutation reaches a one-sd shift
  EXPECT_GT(mmd_test(vx, vsame, 40, 9, 0.0, 2).pvalue, 0.01);
  // A permutation is a permutation.
  auto order = mmd_permutation(50, 1, 7);
  std::sort(order.begin(), order.end());
  for (std::uint32_t i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
  const MatrixView one_row{x.data(), 1, d};
  EXPECT_THROW(mmd_test(one_row, vx, 10, 0, 0.0, 1), InvalidArgument);
  std::vector<double> with_nan = x;
  with_nan[4] = std::nan("");
  EXPECT_THROW(mmd_test(MatrixView{with_nan.data(), n, d}, vx, 10, 0, 0.0, 1), InvalidArgument);
}

TEST(DriftMultivariate, PcaReconstructsItsOwnSubspaceAndAucIsExact) {
  // Rows on a line in 2-D: one component explains everything, the error is 0.
  std::vector<double> line;
  for (int i = 0; i < 50; ++i) {
    line.push_back(i);
    line.push_back(2.0 * i);
  }
  const MatrixView view{line.data(), 50, 2};
  const PcaModel model = fit_pca(view, 0.65);
  EXPECT_EQ(model.n_components, 1u);
  std::vector<std::int64_t> chunks(50, 0);
  EXPECT_NEAR(reconstruction_error(model, view, chunks, 1, 2)[0], 0.0, 1e-12);
  std::vector<std::int64_t> wrong(49, 0);
  EXPECT_THROW(reconstruction_error(model, view, wrong, 1, 1), InvalidArgument);
  EXPECT_THROW(fit_pca(view, 0.0), InvalidArgument);
  const std::vector<double> scores{0.1, 0.4, 0.35, 0.8};
  const std::vector<std::uint8_t> labels{0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(roc_auc(scores, labels), 0.75);
  const std::vector<std::uint8_t> one_class{1, 1, 1, 1};
  EXPECT_TRUE(std::isnan(roc_auc(scores, one_class)));
}

// scipy 1.17.1's values for the options added for scipy parity (issue 14).
TEST(DriftTests, ScipyAlternativesAndOptions) {
  const auto x = SortedSample::sort(std::vector<double>{1, 2, 3, 4, 5}, "x");
  const auto y = SortedSample::sort(std::vector<double>{3, 4, 5, 6, 7, 8}, "y");
  const KsResult greater = ks_2samp(x, y, PMethod::automatic, Alternative::greater);
  EXPECT_EQ(greater.statistic, 0.5);
  EXPECT_NEAR(greater.pvalue, 0.17965367965367965, 1e-15);
  EXPECT_EQ(greater.location, 5.0);
  EXPECT_EQ(greater.sign, 1);
  EXPECT_NEAR(mann_whitney_u(x, y, PMethod::automatic, Alternative::less).pvalue, 0.0330077157606155, 1e-15);
  EXPECT_NEAR(fisher_exact(8, 2, 1, 5, Alternative::greater).pvalue, 0.024475524475524483, 1e-15);
  EXPECT_NEAR(student_t_sf(2.5, 7), 0.020496109292876444, 1e-15);
  const std::vector<double> h{38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0};
  const std::vector<double> o{39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8};
  const auto hs = SortedSample::sort(h, "h"), os = SortedSample::sort(o, "o");
  const TestResult t = ttest_ind(hs, os);
  EXPECT_NEAR(t.statistic, 1.8594523396226919, 1e-13);
  EXPECT_NEAR(t.pvalue, 0.08410572024397057, 1e-13);
  EXPECT_NEAR(anderson_ksamp({hs, os}, false).statistic, 1.687460962650454, 1e-12);
  const std::vector<double> counts{16, 18, 16, 14, 12, 12}, uniform(6, 1.0);
  EXPECT_NEAR(chisquare_goodness_of_fit(uniform, counts, kCressieRead).statistic, 2.000849125939156, 1e-13);
  // Identical samples: every permutation's distance is at least the observed 0.
  EXPECT_EQ(tvd_permutation_test(counts, counts, 50).pvalue, 1.0);
}

// -inf and +inf: the rank tests rank them first and last (replacing the extremes of a
// sample by infinities changes nothing); the distances follow scipy's arithmetic (inf,
// or NaN when the same infinity occurs twice); the tests on values refuse them.
TEST(DriftTests, InfinitiesInRankTestsAndDistances) {
  using Infinities = SortedSample::Infinities;
  const std::vector<double> x = {0.5, 1.0, 2.0, 3.5, 7.0}, y = {-3.0, 0.0, 1.5, 2.0, 4.0, 5.0};
  std::vector<double> x_inf = x, y_inf = y;
  x_inf.back() = std::numeric_limits<double>::infinity();
  y_inf.front() = -std::numeric_limits<double>::infinity();
  const auto xs = SortedSample::sort(x, "x"), ys = SortedSample::sort(y, "y");
  const auto xi = SortedSample::sort(x_inf, "x", Infinities::ranked),
             yi = SortedSample::sort(y_inf, "y", Infinities::ranked);
  EXPECT_TRUE(xi.has_infinities());
  EXPECT_FALSE(xs.has_infinities());
  EXPECT_EQ(ks_2samp(xi, yi).statistic, ks_2samp(xs, ys).statistic);
  EXPECT_EQ(ks_2samp(xi, yi).pvalue, ks_2samp(xs, ys).pvalue);
  EXPECT_EQ(mann_whitney_u(xi, yi).statistic, mann_whitney_u(xs, ys).statistic);
  EXPECT_EQ(mann_whitney_u(xi, yi).pvalue, mann_whitney_u(xs, ys).pvalue);
  EXPECT_EQ(cramer_von_mises_2samp(xi, yi).statistic, cramer_von_mises_2samp(xs, ys).statistic);
  EXPECT_EQ(anderson_ksamp({xi, yi}).statistic, anderson_ksamp({xs, ys}).statistic);

  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(wasserstein(xi, ys), inf);
  EXPECT_EQ(energy_distance(xi, yi), inf);  // -inf once and +inf once
  const auto twice = SortedSample::sort(std::vector<double>{1.0, inf}, "y", Infinities::ranked);
  EXPECT_TRUE(std::isnan(wasserstein(xi, twice)));  // +inf in both: inf - inf
  const std::vector<double> ones = {1.0, 1.0}, zero_weight = {1.0, 0.0};
  EXPECT_TRUE(std::isnan(wasserstein(std::vector<double>{1.0, inf}, ones, zero_weight, ones)));
  EXPECT_EQ(energy_distance(std::vector<double>{1.0, inf}, ones, ones, ones), inf);

  EXPECT_THROW(SortedSample::sort(x_inf, "x"), InvalidArgument);  // refused by default
  EXPECT_THROW(SortedSample::sort(std::vector<double>{1.0, std::nan("")}, "x", Infinities::ranked), InvalidArgument);
  EXPECT_THROW(ttest_ind(xi, ys), InvalidArgument);
  EXPECT_THROW(epps_singleton_2samp(xi, ys), InvalidArgument);
  EXPECT_THROW(normalized_wasserstein(xs, yi), InvalidArgument);
}
