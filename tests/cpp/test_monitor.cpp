// Monitor engine (CBPE): isotonic calibration on hand-checked cases, the Poisson-binomial pmf
// and every metric's expectation and quantiles against enumeration of all label vectors, the
// refined normal approximation's error, thread-count invariance and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/monitor/cbpe.hpp"

using namespace assay;
using namespace assay::monitor;

namespace {

std::vector<Metric> all_metrics() {
  return {Metric::accuracy, Metric::precision, Metric::recall, Metric::f1, Metric::specificity, Metric::roc_auc};
}

// The metric of one labelled chunk, NaN where undefined.
double metric_of(Metric metric, const std::vector<int>& y, const std::vector<std::uint8_t>& pred,
                 const std::vector<double>& score) {
  double tp = 0, fp = 0, fn = 0, tn = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (pred[i]) {
      (y[i] ? tp : fp) += 1;
    } else {
      (y[i] ? fn : tn) += 1;
    }
  }
  auto div = [](double a, double b) { return b == 0 ? std::nan("") : a / b; };
  switch (metric) {
    case Metric::accuracy:
      return (tp + tn) / static_cast<double>(y.size());
    case Metric::precision:
      return div(tp, tp + fp);
    case Metric::recall:
      return div(tp, tp + fn);
    case Metric::f1:
      return div(2 * tp, 2 * tp + fp + fn);
    case Metric::specificity:
      return div(tn, tn + fp);
    case Metric::roc_auc: {
      double pairs = 0, wins = 0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        for (std::size_t j = 0; j < y.size(); ++j) {
          if (y[i] == 1 && y[j] == 0) {
            pairs += 1;
            wins += score[i] > score[j] ? 1.0 : (score[i] == score[j] ? 0.5 : 0.0);
          }
        }
      }
      return div(wins, pairs);
    }
  }
  return std::nan("");
}

struct Enumerated {
  double mean, lower, upper, undefined;
};

// E[metric | defined] and its quantiles by enumerating all 2^n label vectors.
Enumerated enumerate(Metric metric, const std::vector<double>& p, const std::vector<std::uint8_t>& pred,
                     const std::vector<double>& score, double level) {
  const std::size_t n = p.size();
  std::map<double, double> distribution;
  double defined = 0, sum = 0;
  for (std::uint32_t bits = 0; bits < (1u << n); ++bits) {
    std::vector<int> y(n);
    double probability = 1;
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = static_cast<int>((bits >> i) & 1u);
      probability *= y[i] ? p[i] : 1 - p[i];
    }
    const double value = metric_of(metric, y, pred, score);
    if (std::isnan(value)) continue;
    defined += probability;
    sum += probability * value;
    distribution[value] += probability;
  }
  auto quantile = [&](double q) {
    double cumulative = 0;
    for (const auto& [value, mass] : distribution) {
      cumulative += mass;
      if (cumulative >= q * defined - 1e-12) return value;
    }
    return distribution.rbegin()->first;
  };
  return {sum / defined, quantile((1 - level) / 2), quantile((1 + level) / 2), 1 - defined};
}

std::vector<double> cdf_of(const Pmf& pmf, std::size_t n) {
  std::vector<double> cdf(n + 1, 0.0);
  double total = 0;
  for (std::size_t k = 0; k <= n; ++k) {
    const auto at = static_cast<std::int64_t>(k) - pmf.offset;
    if (at >= 0 && at < static_cast<std::int64_t>(pmf.mass.size())) total += pmf.mass[static_cast<std::size_t>(at)];
    cdf[k] = total;
  }
  return cdf;
}

}  // namespace

TEST(MonitorIsotonic, PoolsViolatorsAndInterpolatesBetweenKnots) {
  const std::vector<double> score = {1, 2, 3, 4};
  const std::vector<std::uint8_t> label = {0, 1, 0, 1};
  const auto fit = fit_isotonic(score, label);
  EXPECT_EQ(fit.knot_score, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(fit.knot_probability, (std::vector<double>{0, 0.5, 0.5, 1}));
  EXPECT_DOUBLE_EQ(fit(1.5), 0.25);
  EXPECT_DOUBLE_EQ(fit(2.7), 0.5);
  EXPECT_DOUBLE_EQ(fit(-10), 0.0);  // clipped to the first knot
  EXPECT_DOUBLE_EQ(fit(10), 1.0);
  // Tied scores are averaged first; one distinct score gives a constant map.
  const auto flat = fit_isotonic(std::vector<double>{5, 5, 5}, std::vector<std::uint8_t>{1, 0, 0});
  EXPECT_EQ(flat.knot_score.size(), 1u);
  EXPECT_DOUBLE_EQ(flat(-3), 1.0 / 3.0);
  // Knots a distance beyond the largest double apart still interpolate.
  const auto wide = fit_isotonic(std::vector<double>{-1.5e308, 1.5e308}, std::vector<std::uint8_t>{0, 1});
  EXPECT_DOUBLE_EQ(wide(0.0), 0.5);
  EXPECT_DOUBLE_EQ(wide(1.5e308), 1.0);
}

TEST(MonitorIsotonic, FittedValuesAreMonotoneAndKeepTheMean) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> score(2000);
  std::vector<std::uint8_t> label(2000);
  double positives = 0;
  for (std::size_t i = 0; i < score.size(); ++i) {
    score[i] = std::round(u(gen) * 200) / 200;  // ties
    label[i] = u(gen) < score[i] * score[i] ? 1 : 0;
    positives += label[i];
  }
  const auto fit = fit_isotonic(score, label);
  EXPECT_TRUE(std::is_sorted(fit.knot_probability.begin(), fit.knot_probability.end()));
  const auto fitted = calibrate(fit, score, 2);
  double total = 0;
  for (const double v : fitted) total += v;
  EXPECT_NEAR(total, positives, 1e-8);  // PAV preserves the sum of the labels
}

TEST(MonitorIsotonic, CrossFittingIsDeterministicAndOutOfSample) {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> score(500);
  std::vector<std::uint8_t> label(500);
  for (std::size_t i = 0; i < score.size(); ++i) {
    score[i] = u(gen);
    label[i] = u(gen) < score[i] ? 1 : 0;
  }
  const auto one = cross_fitted_probabilities(score, label, 5, 11, 1);
  EXPECT_EQ(one, cross_fitted_probabilities(score, label, 5, 11, 2));
  EXPECT_NE(one, calibrate(fit_isotonic(score, label), score, 1));
  // A single positive at the top: in sample it calibrates to 1, out of sample it cannot.
  std::vector<double> s = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<std::uint8_t> y = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_DOUBLE_EQ(calibrate(fit_isotonic(s, y), s, 1)[9], 1.0);
  EXPECT_DOUBLE_EQ(cross_fitted_probabilities(s, y, 2, 0, 1)[9], 0.0);
  EXPECT_THROW(cross_fitted_probabilities(s, y, 1, 0, 1), InvalidArgument);
  EXPECT_THROW(cross_fitted_probabilities(s, y, 11, 0, 1), InvalidArgument);
}

TEST(MonitorPoissonBinomial, ExactMatchesEnumeration) {
  const std::vector<double> p = {0.1, 0.9, 0.5, 0.33, 0.0, 1.0, 0.7, 0.25};
  std::vector<double> expected(p.size() + 1, 0.0);
  for (std::uint32_t bits = 0; bits < (1u << p.size()); ++bits) {
    double probability = 1;
    int count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const bool one = (bits >> i) & 1u;
      probability *= one ? p[i] : 1 - p[i];
      count += one;
    }
    expected[static_cast<std::size_t>(count)] += probability;
  }
  const auto pmf = poisson_binomial(p, 100);
  for (std::size_t k = 0; k <= p.size(); ++k) {
    const auto at = static_cast<std::int64_t>(k) - pmf.offset;
    const double got =
        at >= 0 && at < static_cast<std::int64_t>(pmf.mass.size()) ? pmf.mass[static_cast<std::size_t>(at)] : 0.0;
    EXPECT_NEAR(got, expected[k], 1e-15) << k;
  }
  EXPECT_THROW(poisson_binomial(std::vector<double>{0.5, 1.5}, 10), InvalidArgument);
  EXPECT_THROW(poisson_binomial(std::vector<double>{std::nan("")}, 10), InvalidArgument);
}

TEST(MonitorPoissonBinomial, RefinedNormalApproximationError) {
  // The documented error of the approximation used above exact_max_rows: the largest CDF
  // difference at variance ~400 (its smallest), for symmetric and skewed probabilities.
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> u(0, 1);
  for (const double skew_power : {1.0, 4.0}) {
    std::vector<double> p;
    double variance = 0;
    while (variance < 400) {
      const double v = std::pow(u(gen), skew_power);
      p.push_back(v);
      variance += v * (1 - v);
    }
    const auto exact = cdf_of(poisson_binomial(p, p.size()), p.size());
    const auto approximate = cdf_of(poisson_binomial(p, 1), p.size());
    double worst = 0;
    for (std::size_t k = 0; k <= p.size(); ++k) worst = std::max(worst, std::abs(exact[k] - approximate[k]));
    std::printf("refined normal approximation, %zu rows, variance %.0f: max CDF error %.2e\n", p.size(), variance,
                worst);
    EXPECT_LT(worst, 3e-5);
  }
}

TEST(MonitorEstimate, MatchesEnumerationOfAllLabelVectors) {
  const auto all = all_metrics();
  const std::vector<double> p = {0.9, 0.8, 0.35, 0.6, 0.2, 0.05, 0.45, 0.7, 0.1, 0.5, 0.3};
  const std::vector<double> score = {0.95, 0.81, 0.4, 0.62, 0.3, 0.01, 0.5, 0.77, 0.2, 0.55, 0.4};
  const std::vector<std::uint8_t> pred = {1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0};
  const std::vector<std::int64_t> chunk(p.size(), 0);
  EstimateOptions options;
  options.metrics = all;
  options.confidence_level = 0.8;
  options.auc_draws = 200'000;
  const auto got = estimate_chunks(p, score, pred, chunk, 1, options, 2);
  ASSERT_EQ(got.rows[0], 11);
  for (std::size_t m = 0; m < all.size(); ++m) {
    const auto expected = enumerate(all[m], p, pred, score, options.confidence_level);
    SCOPED_TRACE(metric_name(all[m]));
    if (all[m] == Metric::roc_auc) {  // drawn: within 4 Monte Carlo standard errors
      EXPECT_NEAR(got.estimate[m], expected.mean, 4 * 0.2 / std::sqrt(200'000.0));
      EXPECT_NEAR(got.undefined_probability[m], expected.undefined, 2e-3);
      continue;
    }
    EXPECT_NEAR(got.estimate[m], expected.mean, 1e-12);
    EXPECT_DOUBLE_EQ(got.lower[m], expected.lower);
    EXPECT_DOUBLE_EQ(got.upper[m], expected.upper);
    EXPECT_NEAR(got.undefined_probability[m], expected.undefined, 1e-12);
  }
  // The plug-in estimates are NannyML's ratios of expected counts.
  double etp = 0, efn = 0, npos = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    (pred[i] ? etp : efn) += p[i];
    npos += pred[i];
  }
  const double efp = npos - etp;
  const double etn = static_cast<double>(p.size()) - npos - efn;
  EXPECT_NEAR(got.plug_in[0], (etp + etn) / 11.0, 1e-15);
  EXPECT_NEAR(got.plug_in[3], etp / (etp + 0.5 * (efp + efn)), 1e-15);
  EXPECT_NEAR(got.plug_in[4], etn / (etn + efp), 1e-15);
  // E[F1] differs from the plug-in ratio on a chunk this small.
  EXPECT_GT(std::abs(got.estimate[3] - got.plug_in[3]), 1e-3);
}

TEST(MonitorEstimate, ChunksAreIndependentOfThreadsAndOrder) {
  const auto all = all_metrics();
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(0, 1);
  const std::size_t n = 3000;
  std::vector<double> p(n), score(n);
  std::vector<std::uint8_t> pred(n), label(n);
  std::vector<std::int64_t> chunk(n);
  for (std::size_t i = 0; i < n; ++i) {
    score[i] = u(gen);
    p[i] = score[i];
    pred[i] = score[i] > 0.5;
    label[i] = u(gen) < p[i];
    chunk[i] = static_cast<std::int64_t>(i % 7) - 1;  // chunk -1: left out
  }
  EstimateOptions options;
  options.metrics = all;
  options.auc_draws = 50;
  const auto one = estimate_chunks(p, score, pred, chunk, 6, options, 1);
  const auto two = estimate_chunks(p, score, pred, chunk, 6, options, 2);
  EXPECT_EQ(one.estimate, two.estimate);
  EXPECT_EQ(one.lower, two.lower);
  EXPECT_EQ(one.upper, two.upper);
  EXPECT_EQ(one.rows, (std::vector<std::int64_t>{429, 429, 429, 428, 428, 428}));  // 3000 rows, residue 0 left out
  const auto realized = realized_chunks(label, score, pred, chunk, 6, all, 2);
  EXPECT_EQ(realized, realized_chunks(label, score, pred, chunk, 6, all, 1));
  for (std::size_t c = 0; c < 6; ++c) {
    for (std::size_t m = 0; m < all.size(); ++m) {
      const std::size_t at = c * all.size() + m;
      EXPECT_GE(one.upper[at], one.lower[at]);
      EXPECT_GE(realized[at], 0.0);
      EXPECT_LE(realized[at], 1.0);
    }
  }
  // A chunk of no rows is NaN; a chunk with no predicted positive has no precision.
  const std::vector<std::int64_t> one_chunk(n, 0);
  std::vector<std::uint8_t> none(n, 0);
  const auto empty = estimate_chunks(p, score, none, one_chunk, 2, options, 1);
  EXPECT_TRUE(std::isnan(empty.estimate[1]));  // precision of chunk 0
  EXPECT_DOUBLE_EQ(empty.undefined_probability[1], 1.0);
  EXPECT_TRUE(std::isnan(empty.estimate[all.size()]));  // chunk 1 has no rows
  EXPECT_EQ(empty.rows[1], 0);
}

TEST(MonitorEstimate, BadInputIsRefused) {
  const auto all = all_metrics();
  const std::vector<double> p = {0.2, 0.7};
  const std::vector<double> score = {0.1, 0.9};
  const std::vector<std::uint8_t> pred = {0, 1};
  const std::vector<std::int64_t> chunk = {0, 0};
  EstimateOptions options;
  options.metrics = all;
  EXPECT_THROW(estimate_chunks(p, std::vector<double>{0.1}, pred, chunk, 1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(p, std::vector<double>{0.1, std::nan("")}, pred, chunk, 1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(std::vector<double>{0.2, 1.5}, score, pred, chunk, 1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(p, score, std::vector<std::uint8_t>{0, 2}, chunk, 1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(p, score, pred, std::vector<std::int64_t>{0, 3}, 1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(p, score, pred, chunk, -1, options, 1), InvalidArgument);
  EXPECT_THROW(estimate_chunks(p, score, pred, chunk, std::int64_t{1} << 60, options, 1), ResourceLimit);
  options.confidence_level = 1.0;
  EXPECT_THROW(estimate_chunks(p, score, pred, chunk, 1, options, 1), InvalidArgument);
  options.confidence_level = 0.9;
  options.auc_draws = 0;
  EXPECT_THROW(estimate_chunks(p, score, pred, chunk, 1, options, 1), InvalidArgument);
  EXPECT_THROW(fit_isotonic(std::vector<double>{}, std::vector<std::uint8_t>{}), InvalidArgument);
  EXPECT_THROW(fit_isotonic(std::vector<double>{1.0}, std::vector<std::uint8_t>{2}), InvalidArgument);
  EXPECT_THROW(fit_isotonic(std::vector<double>{INFINITY}, std::vector<std::uint8_t>{1}), InvalidArgument);
  EXPECT_THROW(realized_chunks(std::vector<std::uint8_t>{0, 3}, score, pred, chunk, 1, all, 1), InvalidArgument);
}
