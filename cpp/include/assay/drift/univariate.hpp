#pragma once
// Two-sample tests and distances between a reference and a current sample.
//
// Sample-based functions take a SortedSample: the only way to make one is to sort (and
// check) a sample, so the functions cannot be given unsorted or non-finite values (the
// report sorts every column once and reuses it for every test). Each function follows the
// definition that scipy.stats implements, so that statistics and p-values agree with
// it; docs/drift.md states the definitions and every deliberate difference.
#include <cstdint>
#include <functional>
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

// A sample sorted ascending that holds only finite values. Only the factories below
// make one, so a function taking a SortedSample can rely on both properties.
class SortedSample {
 public:
  SortedSample() = default;  // the empty sample

  // A sorted copy of `values`. Throws InvalidArgument naming `argument` (and the
  // position) when a value is NaN or infinite.
  static SortedSample sort(std::span<const double> values, const std::string& argument);
  // The same, sorting `values` in place (no copy).
  static SortedSample sort(std::vector<double>&& values, const std::string& argument);
  // Adopts values the caller has sorted already, after checking in one pass that they
  // are finite and ascending (InvalidArgument naming `argument` otherwise).
  static SortedSample from_sorted(std::vector<double>&& values, const std::string& argument);

  std::span<const double> values() const { return values_; }
  // Implicit on purpose: a SortedSample goes wherever a read-only span of values does.
  operator std::span<const double>() const { return values_; }
  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  double operator[](std::size_t i) const { return values_[i]; }
  double front() const { return values_.front(); }
  double back() const { return values_.back(); }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }

 private:
  explicit SortedSample(std::vector<double>&& sorted) : values_(std::move(sorted)) {}
  std::vector<double> values_;
};

// Throws InvalidArgument naming `argument` and the position of the first NaN or
// infinite value of `values`.
void require_finite(std::span<const double> values, const std::string& argument);

// --- rank and CDF based tests ---------------------------------------

// Two-sided two-sample Kolmogorov-Smirnov test. D = max |F_x - F_y|. Exact p-value
// from counting lattice paths that stay inside the band |i/n_x - j/n_y| < D; the
// asymptotic p-value is kolmogorov_sf(round(n_x n_y / (n_x + n_y)), D). `automatic`
// is exact when max(n_x, n_y) <= 10000 (scipy's rule). A requested exact p-value whose
// path count would visit more than 1e9 lattice points (n_x n_y 2D) is asymptotic
// instead, and `method` says so.
TestResult ks_2samp(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic);

// Two-sided Mann-Whitney U test with continuity correction; statistic is U of x.
// `automatic`: exact when no ties and min(n_x, n_y) <= 8, else normal approximation
// with tie correction (scipy's rule). The exact distribution costs O((n_x n_y)^2);
// above n_x n_y = 1e6 the asymptotic p-value is used and `method` says so.
TestResult mann_whitney_u(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic);

// Two-sample Cramer-von Mises test (Anderson 1962), statistic T from average ranks.
// `automatic`: exact when max(n_x, n_y) <= 20 (Xiao, Gordon & Yakovlev 2006 path
// enumeration), else the Csorgo-Faraway limit. Needs at least 2 values per sample.
TestResult cramer_von_mises_2samp(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic);

// k-sample Anderson-Darling test, midrank variant for ties (Scholz & Stephens 1987,
// eq. 7), statistic normalised as scipy's. The p-value interpolates the tabulated
// critical values and is capped to [0.001, 0.25] (method "capped"/"floored").
TestResult anderson_ksamp(const std::vector<std::reference_wrapper<const SortedSample>>& samples);

// Epps-Singleton test (Epps & Singleton 1986) with t = (0.4, 0.8) scaled by half the
// pooled interquartile range (numpy's linear percentiles), as scipy: the statistic
// compares the empirical characteristic functions at those points, W = n d' pinv(S) d,
// with Goerg & Kaiser's small-sample correction when max(n_x, n_y) < 25; the p-value is
// the chi-square tail with rank(pinv(S)) degrees of freedom (in `dof`). Needs at least
// 5 values per sample; a pooled IQR of 0 is an InvalidArgument.
TestResult epps_singleton_2samp(const SortedSample& x, const SortedSample& y);

// --- distances between samples ----------------------------------------------------
// Finite whenever the true distance is representable (values up to the largest
// double: the integrals are summed in scaled units).

// Wasserstein-1 distance: integral of |F_x - F_y|.
double wasserstein(const SortedSample& x, const SortedSample& y);
// Energy distance: sqrt(2) * sqrt(integral of (F_x - F_y)^2) (scipy's definition).
double energy_distance(const SortedSample& x, const SortedSample& y);
// Weighted versions on unsorted samples (sorted inside, with their weights): values
// must be finite; weights finite, non-negative, one per value, with a positive sum;
// they are normalised to sum 1 (as scipy). Errors name x, y, x_weights, y_weights.
double wasserstein(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                   std::span<const double> y_weights);
double energy_distance(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                       std::span<const double> y_weights);
// Evidently's normalised Wasserstein: W1 / max(population std of reference, 0.001).
double normalized_wasserstein(const SortedSample& reference, const SortedSample& current);

// --- tests on counts ---------------------------------------------------------------
// Counts are checked here (one path for every caller): NaN, infinite or negative
// counts, a total that overflows, whole counts that are not whole numbers or exceed
// 2^53, a count above its number of trials and zero trials throw InvalidArgument
// naming the argument.

// Chi-square test of independence on an r x c table of counts (row-major; argument
// `observed`; frequencies need not be whole, as scipy), with Yates' correction when
// dof == 1 and `correction` is set; `log_likelihood` gives the G-test. Throws
// InvalidArgument when an expected frequency is zero.
TestResult chi2_contingency(std::span<const double> counts, std::size_t n_rows, std::size_t n_cols,
                            bool correction = true, bool log_likelihood = false);

// Goodness-of-fit chi-square of current counts (`f_obs`) against reference counts
// (`f_exp`) rescaled to the current total (Evidently's `chisquare`;
// scipy.stats.chisquare). A category seen only in the current sample gives statistic
// inf and p-value 0. `log_likelihood` gives the G-test (scipy.stats.power_divergence
// with lambda_='log-likelihood').
TestResult chisquare_goodness_of_fit(std::span<const double> reference_counts, std::span<const double> current_counts,
                                     bool log_likelihood = false);

// Fisher's exact test on the 2x2 table [[a, b], [c, d]] (argument `table`; whole
// counts, total at most 2^53); statistic is the sample odds ratio, two-sided p-value
// sums the hypergeometric probabilities of the tables at most (1 + 1e-14) times as
// likely as the observed one (scipy's rule). The probabilities are evaluated with
// Loader's saddle-point formula and summed outward from the observed table and from
// the first table on the other side of the mode, stopping once the remaining terms
// are below 1e-17 of the sum: time O(standard deviation), memory O(1), whatever the
// counts.
TestResult fisher_exact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d);

// Pooled two-proportion z-test: `k1` successes of `n1` trials against `k2` of `n2`
// (statsmodels' count1, nobs1, count2, nobs2, the names its messages use), two-sided.
// Counts and trials are whole numbers, trials > 0.
TestResult two_proportion_z(double k1, double n1, double k2, double n2);

// --- distances between discrete distributions ---------------------------------------
// p and q are weights over the same bins (proportions, or counts): finite,
// non-negative, not all zero, the same length (else InvalidArgument naming p or q).
// Each is normalised to sum 1 first, so counts and proportions give the same result.

// Population stability index sum (p - q) ln(p / q); a bin empty in one vector only
// gives inf. `normalise = false` uses the vectors as given (the report's
// Evidently-filled proportions, see evidently_fill_zeros).
double population_stability_index(std::span<const double> p, std::span<const double> q, bool normalise = true);
// KL(p || q) in nats (scipy.stats.entropy).
double kl_divergence(std::span<const double> p, std::span<const double> q);
// Jensen-Shannon distance sqrt(JSD) in nats (scipy's jensenshannon).
double jensen_shannon(std::span<const double> p, std::span<const double> q);
// Hellinger distance ||sqrt(p) - sqrt(q)||_2 / sqrt(2).
double hellinger(std::span<const double> p, std::span<const double> q);
// Total variation distance: half the L1 distance, in [0, 1].
double total_variation(std::span<const double> p, std::span<const double> q);

// Evidently's zero filling for PSI and KL: zeros become min_positive / 1e6 when the
// smallest positive proportion is <= 1e-4, else 1e-4; the vector is not renormalised.
void evidently_fill_zeros(std::span<double> proportions);

}  // namespace assay::drift
