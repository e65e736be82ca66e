#pragma once
// Two-sample tests and distances between a reference and a current sample.
//
// Sample-based functions take a SortedSample: the only way to make one is to sort (and
// check) a sample, so the functions cannot be given unsorted or non-finite values (the
// report sorts every column once and reuses it for every test). Each function follows the
// definition that scipy.stats implements, so that statistics and p-values agree with
// it; docs/drift.md states the definitions and every deliberate difference.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "assay/common/exact_sum.hpp"

namespace assay::drift {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// How a p-value is computed: `automatic` follows scipy's rule for the test.
enum class PMethod { automatic, exact, asymptotic };

// The alternative hypothesis of a test, with scipy's meaning for each test: `less` and
// `greater` are one-sided (see each test for what they compare).
enum class Alternative { two_sided, less, greater };

struct TestResult {
  double statistic = kNaN;
  double pvalue = kNaN;
  std::string method;  // how the p-value was computed ("exact", "asymptotic", ...)
  double dof = kNaN;   // degrees of freedom (chi-square family)
};

// A sample sorted ascending, without NaN. Only the factories below make one, so a
// function taking a SortedSample can rely on both properties. By default the values are
// finite too; a sample made with Infinities::ranked may also hold -inf and +inf, which
// only the functions that say so accept (the rank tests, which rank them first and
// last as scipy does, and the Wasserstein and energy distances); the others throw.
class SortedSample {
 public:
  enum class Infinities { refused, ranked };

  SortedSample() = default;  // the empty sample

  // A sorted copy of `values`. Throws InvalidArgument naming `argument` (and the
  // position) when a value is NaN, or infinite unless `infinities` is ranked.
  static SortedSample sort(std::span<const double> values, const std::string& argument,
                           Infinities infinities = Infinities::refused);
  // The same, sorting `values` in place (no copy).
  static SortedSample sort(std::vector<double>&& values, const std::string& argument,
                           Infinities infinities = Infinities::refused);
  // Adopts values the caller has sorted already, after checking in one pass that they
  // are finite and ascending (InvalidArgument naming `argument` otherwise).
  static SortedSample from_sorted(std::vector<double>&& values, const std::string& argument);

  // True when the sample holds -inf or +inf (then they are its first or last values).
  bool has_infinities() const {
    return !values_.empty() && (std::isinf(values_.front()) || std::isinf(values_.back()));
  }
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

// The Kolmogorov-Smirnov result also says where the statistic is reached and its sign
// (scipy's statistic_location and statistic_sign).
struct KsResult : TestResult {
  double location = kNaN;  // the value at which |F_x - F_y| (or the one-sided difference) is largest
  int sign = 0;            // +1 when F_x - F_y is the largest difference there, -1 when F_y - F_x
};

// Two-sample Kolmogorov-Smirnov test. Two-sided: D = max |F_x - F_y|; `greater`:
// D+ = max(F_x - F_y) (the alternative that x tends to be smaller); `less`:
// D- = max(F_y - F_x). Exact p-value from counting lattice paths that stay inside the
// band (|i/n_x - j/n_y| < D two-sided, i/n_x - j/n_y < D one-sided); the asymptotic
// p-value is kolmogorov_sf(round(n_x n_y / (n_x + n_y)), D) two-sided and Hodges'
// approximation exp(-2z^2 - 2z(m + 2n)/sqrt(mn(m + n))/3), z = sqrt(mn/(m + n)) D,
// m >= n, one-sided (scipy's). `automatic` is exact when max(n_x, n_y) <= 10000
// (scipy's rule). A requested exact p-value whose path count would visit more than 1e9
// lattice points is asymptotic instead, and so is a one-sided one where scipy's path
// count overflows a double (C(n_x + n_y, n_x) > 1.8e308); `method` says so.
KsResult ks_2samp(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic,
                  Alternative alternative = Alternative::two_sided);

// The p-value (and statistic, rounded to the lattice of an exact p-value) of a KS
// statistic `d` of samples of n_x and n_y values, by the rules of ks_2samp (which calls it).
TestResult ks_2samp_from_statistic(double d, std::size_t n_x, std::size_t n_y, PMethod method = PMethod::automatic,
                                   Alternative alternative = Alternative::two_sided);

// Mann-Whitney U test; statistic is U of x. `greater`: x tends to be larger than y
// (p = P(U >= U_x)); `less`: smaller (p = P(U >= U_y)); two-sided doubles the tail of
// max(U_x, U_y). `continuity` subtracts 0.5 in the normal approximation (scipy's
// use_continuity). `automatic`: exact when no ties and min(n_x, n_y) <= 8, else normal
// approximation with tie correction (scipy's rule). The exact distribution costs
// O((n_x n_y)^2); above n_x n_y = 1e6 the asymptotic p-value is used and `method` says so.
TestResult mann_whitney_u(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic,
                          Alternative alternative = Alternative::two_sided, bool continuity = true);

// The result of mann_whitney_u (which calls it) from U of x (`u1`), the sample sizes, the
// tie term sum (t^3 - t) over the pooled distinct values and whether any value is tied.
TestResult mann_whitney_u_from_statistic(double u1, std::size_t n_x, std::size_t n_y, double tie_term, bool ties,
                                         PMethod method = PMethod::automatic,
                                         Alternative alternative = Alternative::two_sided, bool continuity = true);

// Two-sample Cramer-von Mises test (Anderson 1962), statistic T from average ranks.
// `automatic`: exact when max(n_x, n_y) <= 20 (Xiao, Gordon & Yakovlev 2006 path
// enumeration), else the Csorgo-Faraway limit. Needs at least 2 values per sample.
TestResult cramer_von_mises_2samp(const SortedSample& x, const SortedSample& y, PMethod method = PMethod::automatic);
// The same from U = n_x sum (r_i - i)^2 + n_y sum (s_j - j)^2 (average ranks r, s in the
// pooled sample): T = U / (n_x n_y N) - (4 n_x n_y - 1) / (6 N), N = n_x + n_y, and its p-value.
TestResult cramer_von_mises_from_u(double u, std::size_t n_x, std::size_t n_y, PMethod method = PMethod::automatic);

// The Anderson-Darling result also carries the critical values of the statistic at the
// significance levels kAndersonSignificance (scipy's critical_values).
inline constexpr double kAndersonSignificance[7] = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
struct AndersonResult : TestResult {
  std::vector<double> critical_values;  // one per entry of kAndersonSignificance
};

// k-sample Anderson-Darling test (Scholz & Stephens 1987): `midrank` uses the midrank
// variant for ties (eq. 7, A2akN, scipy's default), else the right-continuous one
// (eq. 6, A2kN); statistic normalised as scipy's. The p-value interpolates the
// tabulated critical values and is capped to [0.001, 0.25] (method "capped"/"floored").
AndersonResult anderson_ksamp(const std::vector<std::reference_wrapper<const SortedSample>>& samples,
                              bool midrank = true);
// The results of anderson_ksamp (which calls it) from values of A2akN (A2kN without midranks)
// for samples of the given sizes (the normalisation, O(N), computed once): the statistic is an
// increasing affine function of A2akN, and for two samples the p-value does not increase with
// the statistic.
std::vector<AndersonResult> anderson_ksamp_from_a2kn(std::span<const double> a2kn, std::span<const double> n);
// anderson_ksamp (midranks) of two samples given by their counts at each of their pooled
// distinct values, ascending: the same arithmetic, so the same bits.
AndersonResult anderson_ksamp_counts(std::span<const double> x_counts, std::span<const double> y_counts);

// Epps-Singleton test (Epps & Singleton 1986) with t = (0.4, 0.8) scaled by half the
// pooled interquartile range (numpy's linear percentiles), as scipy: the statistic
// compares the empirical characteristic functions at those points, W = n d' pinv(S) d,
// with Goerg & Kaiser's small-sample correction when max(n_x, n_y) < 25; the p-value is
// the chi-square tail with rank(pinv(S)) degrees of freedom (in `dof`). Needs at least
// 5 values per sample; a pooled IQR of 0 is an InvalidArgument.
TestResult epps_singleton_2samp(const SortedSample& x, const SortedSample& y);

// Student's two-sample t-test with pooled variance (scipy.stats.ttest_ind,
// equal_var=True; Evidently's `t_test`), two-sided; statistic t of mean(x) - mean(y),
// `dof` n_x + n_y - 2. NaN when the pooled variance is 0 or there are no degrees of freedom.
// The means' difference and the sums of squared deviations come from the exact sums of the
// values and their squares (ExactMoments), each rounded once: the result does not depend on
// the order of the values, and ttest_ind_from_moments gives the same bits from merged states.
TestResult ttest_ind(const SortedSample& x, const SortedSample& y);
// ttest_ind from the exact moments of samples of n_x and n_y finite values.
TestResult ttest_ind_from_moments(const ExactMoments& x, std::size_t n_x, const ExactMoments& y, std::size_t n_y);

// --- distances between samples ----------------------------------------------------
// Finite whenever the true distance is representable (values up to the largest
// double: the integrals are summed in scaled units). With -inf or +inf among the values
// they follow scipy's arithmetic: inf, or NaN (undefined) when the same infinity occurs
// twice among the pooled values or has weight 0.

// Wasserstein-1 distance: integral of |F_x - F_y|.
double wasserstein(const SortedSample& x, const SortedSample& y);
// Energy distance: sqrt(2) * sqrt(integral of (F_x - F_y)^2) (scipy's definition).
double energy_distance(const SortedSample& x, const SortedSample& y);
// Weighted versions on unsorted samples (sorted inside, with their weights): values
// must not be NaN; weights finite, non-negative, one per value, with a positive sum;
// they are normalised to sum 1 (as scipy). Errors name x, y, x_weights, y_weights.
double wasserstein(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                   std::span<const double> y_weights);
double energy_distance(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                       std::span<const double> y_weights);
// Evidently's normalised Wasserstein: W1 / max(population std of reference, 0.001);
// infinities are an InvalidArgument (as for the t-test and the Epps-Singleton test).
double normalized_wasserstein(const SortedSample& reference, const SortedSample& current);

// --- tests on counts ---------------------------------------------------------------
// Counts are checked here (one path for every caller): NaN, infinite or negative
// counts, a total that overflows, whole counts that are not whole numbers or exceed
// 2^53, a count above its number of trials and zero trials throw InvalidArgument
// naming the argument.

// Cressie & Read's (1984) power-divergence exponents under scipy's names.
inline constexpr double kPearson = 1.0, kLogLikelihood = 0.0, kFreemanTukey = -0.5, kModLogLikelihood = -1.0,
                        kNeyman = -2.0, kCressieRead = 2.0 / 3.0;

// One cell's term of the power-divergence statistic 2/(l(l+1)) sum obs((obs/exp)^l - 1)
// (Cressie & Read 1984) with the limits l = 0 (2 obs ln(obs/exp), the G-test) and l = -1
// (2 exp ln(exp/obs)); l = 1 is Pearson's (obs - exp)^2 / exp. As scipy.stats.power_divergence.
double power_divergence_term(double observed, double expected, double lambda);

// The chi-square test of independence also gives the expected frequencies.
struct ContingencyResult : TestResult {
  std::vector<double> expected;  // row total x column total / N, row-major like the table
};

// Chi-square test of independence on an r x c table of counts (row-major; argument
// `observed`; frequencies need not be whole, as scipy), with Yates' correction when
// dof == 1 and `correction` is set; `lambda` is the power-divergence exponent (kPearson,
// kLogLikelihood for the G-test, ...). Throws InvalidArgument when an expected frequency
// is zero.
ContingencyResult chi2_contingency(std::span<const double> counts, std::size_t n_rows, std::size_t n_cols,
                                   bool correction = true, double lambda = kPearson);

// Goodness-of-fit chi-square of current counts (`f_obs`) against reference counts
// (`f_exp`) rescaled to the current total (Evidently's `chisquare`;
// scipy.stats.chisquare). A category seen only in the current sample gives statistic
// inf and p-value 0. `lambda` is the power-divergence exponent (kLogLikelihood gives the
// G-test, scipy.stats.power_divergence's lambda_); the chi-square tail has
// k - 1 - `ddof` degrees of freedom (NaN p-value when that is not positive, as scipy).
TestResult chisquare_goodness_of_fit(std::span<const double> reference_counts, std::span<const double> current_counts,
                                     double lambda = kPearson, double ddof = 0.0);

// Fisher's exact test on the 2x2 table [[a, b], [c, d]] (argument `table`; whole
// counts, total at most 2^53); statistic is the sample odds ratio, two-sided p-value
// sums the hypergeometric probabilities of the tables at most (1 + 1e-14) times as
// likely as the observed one (scipy's rule); `less` is P(A <= a) and `greater`
// P(A >= a) for the top-left cell A under the hypergeometric law of the margins. The
// probabilities are evaluated with Loader's saddle-point formula and summed outward
// from the observed table and from the first table on the other side of the mode
// (a one-sided tail that holds the mode is 1 minus the opposite tail), stopping once
// the remaining terms are below 1e-17 of the sum: time O(standard deviation), memory
// O(1), whatever the counts.
TestResult fisher_exact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d,
                        Alternative alternative = Alternative::two_sided);

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
// KL(p || q) (scipy.stats.entropy(p, q)), in nats, or in units of log `base` when given.
double kl_divergence(std::span<const double> p, std::span<const double> q, std::optional<double> base = {});
// Shannon entropy -sum p ln p of p normalised to sum 1 (scipy.stats.entropy(p)), in nats
// or in units of log `base`.
double shannon_entropy(std::span<const double> p, std::optional<double> base = {});
// Jensen-Shannon distance sqrt(JSD) (scipy's jensenshannon), the divergence in nats or
// in units of log `base`.
double jensen_shannon(std::span<const double> p, std::span<const double> q, std::optional<double> base = {});
// Hellinger distance ||sqrt(p) - sqrt(q)||_2 / sqrt(2).
double hellinger(std::span<const double> p, std::span<const double> q);
// Total variation distance: half the L1 distance, in [0, 1].
double total_variation(std::span<const double> p, std::span<const double> q);

// Evidently's zero filling for PSI and KL: zeros become min_positive / 1e6 when the
// smallest positive proportion is <= 1e-4, else 1e-4; the vector is not renormalised.
void evidently_fill_zeros(std::span<double> proportions);

}  // namespace assay::drift
