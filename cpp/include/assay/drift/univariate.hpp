#pragma once
// Two-sample tests and distances between a reference and a current sample.
//
// Sample-based functions take samples sorted ascending, without NaN (the report sorts
// every column once and reuses it for every test). Each function follows the
// definition that scipy.stats implements, so that statistics and p-values agree with
// it; docs/drift.md states the definitions and every deliberate difference.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace assay::drift {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// How a p-value is computed: `automatic` follows scipy's rule for the test.
enum class PMethod { automatic, exact, asymptotic };

struct TestResult {
  double statistic = kNaN;
  double pvalue = kNaN;
  std::string method;  // how the p-value was computed ("exact", "asymptotic", ...)
  double dof = kNaN;   // degrees of freedom (chi-square family)
};

// A sorted copy of a sample for the functions below. Throws InvalidArgument naming
// `argument` when the sample holds NaN or infinities.
std::vector<double> sorted_sample(std::span<const double> values, const std::string& argument);

// --- rank and CDF based tests (sorted samples) ---------------------------------------

// Two-sided two-sample Kolmogorov-Smirnov test. D = max |F_x - F_y|. Exact p-value
// from counting lattice paths that stay inside the band |i/n_x - j/n_y| < D; the
// asymptotic p-value is kolmogorov_sf(round(n_x n_y / (n_x + n_y)), D). `automatic`
// is exact when max(n_x, n_y) <= 10000 (scipy's rule).
TestResult ks_2samp(std::span<const double> x, std::span<const double> y, PMethod method = PMethod::automatic);

// Two-sided Mann-Whitney U test with continuity correction; statistic is U of x.
// `automatic`: exact when no ties and min(n_x, n_y) <= 8, else normal approximation
// with tie correction (scipy's rule). The exact distribution costs O((n_x n_y)^2);
// above n_x n_y = 1e6 the asymptotic p-value is used and `method` says so.
TestResult mann_whitney_u(std::span<const double> x, std::span<const double> y,
                          PMethod method = PMethod::automatic);

// Two-sample Cramer-von Mises test (Anderson 1962), statistic T from average ranks.
// `automatic`: exact when max(n_x, n_y) <= 20 (Xiao, Gordon & Yakovlev 2006 path
// enumeration), else the Csorgo-Faraway limit. Needs at least 2 values per sample.
TestResult cramer_von_mises_2samp(std::span<const double> x, std::span<const double> y,
                                  PMethod method = PMethod::automatic);

// k-sample Anderson-Darling test, midrank variant for ties (Scholz & Stephens 1987,
// eq. 7), statistic normalised as scipy's. The p-value interpolates the tabulated
// critical values and is capped to [0.001, 0.25] (method "capped"/"floored").
TestResult anderson_ksamp(const std::vector<std::span<const double>>& samples);

// Epps-Singleton test (Epps & Singleton 1986) with t = (0.4, 0.8) scaled by half the
// pooled interquartile range (numpy's linear percentiles), as scipy: the statistic
// compares the empirical characteristic functions at those points, W = n d' pinv(S) d,
// with Goerg & Kaiser's small-sample correction when max(n_x, n_y) < 25; the p-value is
// the chi-square tail with rank(pinv(S)) degrees of freedom (in `dof`). Needs at least
// 5 values per sample; a pooled IQR of 0 is an InvalidArgument.
TestResult epps_singleton_2samp(std::span<const double> x, std::span<const double> y);

// --- distances between samples (sorted) --------------------------------------------

// Wasserstein-1 distance: integral of |F_x - F_y|.
double wasserstein(std::span<const double> x, std::span<const double> y);
// Energy distance: sqrt(2) * sqrt(integral of (F_x - F_y)^2) (scipy's definition).
double energy_distance(std::span<const double> x, std::span<const double> y);
// Weighted versions on unsorted samples; weights are non-negative with positive sums
// and are normalised to sum 1 (as scipy).
double wasserstein(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                   std::span<const double> y_weights);
double energy_distance(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                       std::span<const double> y_weights);
// Evidently's normalised Wasserstein: W1 / max(population std of reference, 0.001).
double normalized_wasserstein(std::span<const double> reference, std::span<const double> current);

// --- tests on counts ---------------------------------------------------------------

// Chi-square test of independence on an r x c table of counts (row-major), with
// Yates' correction when dof == 1 and `correction` is set; `log_likelihood` gives the
// G-test. Throws InvalidArgument when an expected frequency is zero.
TestResult chi2_contingency(std::span<const double> counts, std::size_t n_rows, std::size_t n_cols,
                            bool correction = true, bool log_likelihood = false);

// Goodness-of-fit chi-square of current counts against reference counts rescaled to
// the current total (Evidently's `chisquare`; scipy.stats.chisquare). A category seen
// only in the current sample gives statistic inf and p-value 0. `log_likelihood`
// gives the G-test (scipy.stats.power_divergence with lambda_='log-likelihood').
TestResult chisquare_goodness_of_fit(std::span<const double> reference_counts, std::span<const double> current_counts,
                                     bool log_likelihood = false);

// Fisher's exact test on the 2x2 table [[a, b], [c, d]]; statistic is the sample odds
// ratio, two-sided p-value sums the tables at most as likely as the observed one.
TestResult fisher_exact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d);

// Pooled two-proportion z-test: successes k1 of n1 against k2 of n2, two-sided.
TestResult two_proportion_z(double k1, double n1, double k2, double n2);

// --- distances between discrete distributions ---------------------------------------
// p and q are proportions over the same bins.

// sum (p - q) ln(p / q); bins must be positive (see evidently_fill_zeros).
double population_stability_index(std::span<const double> p, std::span<const double> q);
// KL(p || q) in nats after normalising both to sum 1 (scipy.stats.entropy).
double kl_divergence(std::span<const double> p, std::span<const double> q);
// Jensen-Shannon distance sqrt(JSD) in nats after normalising (scipy's jensenshannon).
double jensen_shannon(std::span<const double> p, std::span<const double> q);
// Hellinger distance sqrt(1 - sum sqrt(p q)), clipped at 0, on normalised vectors.
double hellinger(std::span<const double> p, std::span<const double> q);
// Total variation distance: half the L1 distance of the normalised vectors.
double total_variation(std::span<const double> p, std::span<const double> q);

// Evidently's zero filling for PSI and KL: zeros become min_positive / 1e6 when the
// smallest positive proportion is <= 1e-4, else 1e-4; the vector is not renormalised.
void evidently_fill_zeros(std::span<double> proportions);

}  // namespace assay::drift
