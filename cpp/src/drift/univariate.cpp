// Two-sample tests and distances (see univariate.hpp for the definitions).
#include "assay/drift/univariate.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <numbers>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/common/sort.hpp"
#include "assay/drift/special.hpp"
#include "merge_walk.hpp"

namespace assay::drift {

namespace {

// A number for an error message (shortest form that reads back to the same double).
std::string format_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  for (int digits = 1; digits <= 17; ++digits) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", digits, value);
    if (std::strtod(shorter, nullptr) == value) return shorter;
  }
  return buffer;
}

// Compensated (Neumaier) summation: sums of many small terms stay accurate to a few
// ulps whatever the sample size.
class Sum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (!std::isfinite(t)) {  // inf or NaN: no compensation to carry
      sum_ = t;
      return;
    }
    compensation_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return std::isfinite(sum_) ? sum_ + compensation_ : sum_; }

 private:
  double sum_ = 0.0, compensation_ = 0.0;
};

void require_samples(std::size_t nx, std::size_t ny, std::size_t minimum, const char* test) {
  if (nx < minimum || ny < minimum)
    throw InvalidArgument(std::string(test) + " needs at least " + std::to_string(minimum) +
                          " value(s) in each sample, got " + std::to_string(nx) + " and " + std::to_string(ny));
}

// P(D >= h / lcm) for the two-sample KS statistic by counting lattice paths (Hodges
// 1958). A path takes a step in i for each x and in j for each y; it stays inside when
// i b - j a < h and, two-sided, also j a - i b < h, with a = n_x/g, b = n_y/g. The
// recursion carries, for every point, the share of paths reaching it that have already
// left the band; points outside the band have share 1. Working with shares instead of
// counts keeps every number in [0, 1] and gives small p-values without cancellation.
double ks_exact_outside_probability(std::int64_t nx, std::int64_t ny, std::int64_t h, bool two_sided) {
  const std::int64_t g = std::gcd(nx, ny);
  const std::int64_t a = nx / g, b = ny / g;
  std::vector<double> share(static_cast<std::size_t>(ny) + 1, 1.0);
  auto floor_div = [](std::int64_t p, std::int64_t q) { return p >= 0 ? p / q : -((-p + q - 1) / q); };
  auto upper = [&](std::int64_t i) { return two_sided ? std::min(ny, floor_div(i * b + h - 1, a)) : ny; };
  // Row i = 0: points (0, j) are inside while j a < h (always, one-sided).
  std::int64_t low = 0, high = upper(0);
  for (std::int64_t j = low; j <= high; ++j) share[j] = 0.0;
  for (std::int64_t i = 1; i <= nx; ++i) {
    // Inside: i b - h < j a (< i b + h two-sided).
    const std::int64_t new_low = std::max<std::int64_t>(0, floor_div(i * b - h, a) + 1);
    const std::int64_t new_high = upper(i);
    for (std::int64_t j = low; j < std::min(new_low, high + 1); ++j) share[j] = 1.0;
    low = new_low;
    high = new_high;
    const double di = static_cast<double>(i);
    for (std::int64_t j = low; j <= high; ++j) {
      const double left = j == 0 ? 0.0 : share[j - 1];  // share[low - 1] is outside: 1
      share[j] = (share[j] * di + left * static_cast<double>(j)) / (di + static_cast<double>(j));
    }
  }
  return std::clamp(share[ny], 0.0, 1.0);
}

// Frequencies of the Mann-Whitney U statistic (no ties) for u = 0..max_u, by the
// recurrence u f(u) = sum_{i<u} f(i) s(u - i) over divisor sums s (Loeffler 1983).
std::vector<long double> mann_whitney_frequencies(std::int64_t n1, std::int64_t n2, std::int64_t max_u) {
  std::vector<long double> s(static_cast<std::size_t>(max_u) + 1, 0.0L);
  for (std::int64_t d = 1; d <= n1; ++d)
    for (std::int64_t k = d; k <= max_u; k += d) s[k] += d;
  for (std::int64_t d = n2 + 1; d <= n2 + n1; ++d)
    for (std::int64_t k = d; k <= max_u; k += d) s[k] -= d;
  std::vector<long double> f(static_cast<std::size_t>(max_u) + 1, 0.0L);
  f[0] = 1.0L;
  for (std::int64_t u = 1; u <= max_u; ++u) {
    long double total = 0.0L;
    for (std::int64_t i = 0; i < u; ++i) total += f[i] * s[u - i];
    f[u] = total / u;
  }
  return f;
}

long double binomial(std::int64_t n, std::int64_t k) {
  k = std::min(k, n - k);
  long double result = 1.0L;
  for (std::int64_t i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// Exact p-value of the two-sample Cramer-von Mises statistic U (Xiao, Gordon &
// Yakovlev 2006): enumerate, over all orderings of the two samples, the sum of
// (a v - b u)^2 along the lattice path, counting how many orderings give each sum.
double cramer_von_mises_exact_pvalue(double u_statistic, std::int64_t m, std::int64_t n) {
  const std::int64_t lcm = std::lcm(m, n);
  const std::int64_t a = lcm / m, b = lcm / n, mn = m * n;
  const double zeta = std::floor(static_cast<double>(lcm * lcm * (m + n)) *
                                 (6.0 * u_statistic - static_cast<double>(mn) * (4.0 * mn - 1)) /
                                 (6.0 * static_cast<double>(mn) * static_cast<double>(mn)));
  using Counts = std::unordered_map<std::int64_t, double>;
  std::vector<Counts> column(static_cast<std::size_t>(m) + 1);  // column[v] at the current u
  for (std::int64_t u = 0; u <= n; ++u) {
    for (std::int64_t v = 0; v <= m; ++v) {
      Counts next;
      if (u == 0 && v == 0) next[0] = 1.0;
      if (u > 0) next = std::move(column[v]);  // from (u - 1, v)
      if (v > 0)
        for (const auto& [value, count] : column[v - 1]) next[value] += count;  // from (u, v - 1)
      const std::int64_t step = (a * v - b * u) * (a * v - b * u);
      Counts shifted;
      shifted.reserve(next.size());
      for (const auto& [value, count] : next) shifted[value + step] += count;
      column[v] = std::move(shifted);
    }
  }
  double at_least = 0.0;
  for (const auto& [value, count] : column[m])
    if (static_cast<double>(value) >= zeta) at_least += count;
  return static_cast<double>(at_least / binomial(m + n, m));
}

// p and q for a distance: the same length, finite, non-negative, not all zero.
void require_distribution(std::span<const double> p, std::span<const double> q) {
  for (const auto& [values, name] : {std::pair{p, "p"}, std::pair{q, "q"}}) {
    if (values.empty()) throw InvalidArgument(std::string(name) + " is empty");
    bool positive = false;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i]) || std::isinf(values[i]) || values[i] < 0)
        throw InvalidArgument(std::string(name) + " holds " +
                              (std::isnan(values[i])   ? "NaN"
                               : std::isinf(values[i]) ? "an infinity"
                                                       : "a negative value") +
                              " at position " + std::to_string(i) + "; it must hold finite weights >= 0");
      positive = positive || values[i] > 0;
    }
    if (!positive) throw InvalidArgument(std::string(name) + " is all zeros; it needs a positive weight");
  }
  if (p.size() != q.size())
    throw InvalidArgument("p and q have " + std::to_string(p.size()) + " and " + std::to_string(q.size()) +
                          " bins; they must have the same bins");
}

// A copy normalised to sum 1 (divided by its largest value first, so that the sum
// cannot overflow).
std::vector<double> normalised(std::span<const double> values) {
  const double largest = *std::max_element(values.begin(), values.end());
  std::vector<double> out(values.begin(), values.end());
  Sum sum;
  for (double& v : out) {
    v /= largest;
    sum.add(v);
  }
  const double total = sum.value();
  for (double& v : out) v /= total;
  return out;
}

// Copies normalised to sum 1.
std::pair<std::vector<double>, std::vector<double>> normalised(std::span<const double> p, std::span<const double> q) {
  require_distribution(p, q);
  return {normalised(p), normalised(q)};
}

double relative_entropy_term(double p, double q) {  // scipy.special.rel_entr
  if (p > 0 && q > 0) return p * std::log(p / q);
  if (p == 0 && q >= 0) return 0.0;
  return std::numeric_limits<double>::infinity();
}

}  // namespace

void require_finite(std::span<const double> values, const std::string& argument) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw InvalidArgument(argument + " holds " + (std::isnan(values[i]) ? "NaN" : "an infinity") + " at position " +
                            std::to_string(i) + "; drop or replace non-finite values first");
}

namespace {

// NaN is never a sample value; infinities only where the caller asks for ranked ones.
void require_sample_values(std::span<const double> values, const std::string& argument,
                           SortedSample::Infinities infinities) {
  if (infinities == SortedSample::Infinities::refused) {
    require_finite(values, argument);
    return;
  }
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::isnan(values[i]))
      throw InvalidArgument(argument + " holds NaN at position " + std::to_string(i) + "; drop or replace NaN first");
}

// For the functions that compute with the values themselves (not only their order).
void require_no_infinities(const SortedSample& sample, const std::string& argument, const char* what) {
  if (sample.has_infinities()) throw InvalidArgument(argument + " holds an infinity; " + what + " needs finite values");
}

}  // namespace

SortedSample SortedSample::sort(std::span<const double> values, const std::string& argument, Infinities infinities) {
  return sort(std::vector<double>(values.begin(), values.end()), argument, infinities);
}

SortedSample SortedSample::sort(std::vector<double>&& values, const std::string& argument, Infinities infinities) {
  require_sample_values(values, argument, infinities);
  sort_values(values);
  return SortedSample(std::move(values));
}

SortedSample SortedSample::from_sorted(std::vector<double>&& values, const std::string& argument) {
  require_finite(values, argument);
  for (std::size_t i = 1; i < values.size(); ++i)
    if (values[i] < values[i - 1])
      throw InvalidArgument(argument + " is not sorted ascending (position " + std::to_string(i) +
                            "); use SortedSample::sort");
  return SortedSample(std::move(values));
}

KsResult ks_2samp(const SortedSample& x, const SortedSample& y, PMethod method, Alternative alternative) {
  require_samples(x.size(), y.size(), 1, "the Kolmogorov-Smirnov test");
  const auto nx = static_cast<std::int64_t>(x.size()), ny = static_cast<std::int64_t>(y.size());
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny);
  // The largest F_x - F_y and F_y - F_x with where they are reached. scipy evaluates the
  // differences at the values of x, then of y, and reports the first value reaching the
  // extreme in that order: the smallest such value of x, else the smallest of y.
  struct Extreme {
    double difference = -1.0, in_x = kNaN, in_y = kNaN;
    void offer(double diff, double value, bool from_x, bool from_y) {
      if (diff > difference) *this = {diff, kNaN, kNaN};
      if (diff == difference) {
        if (from_x && std::isnan(in_x)) in_x = value;
        if (from_y && std::isnan(in_y)) in_y = value;
      }
    }
    double location() const { return std::isnan(in_x) ? in_y : in_x; }
  } plus, minus;
  std::size_t cum_x = 0, cum_y = 0;
  for_each_distinct(x, y, [&](double value, std::size_t cx, std::size_t cy) {
    cum_x += cx;
    cum_y += cy;
    const double diff = static_cast<double>(cum_x) / dnx - static_cast<double>(cum_y) / dny;
    plus.offer(diff, value, cx > 0, cy > 0);
    minus.offer(-diff, value, cx > 0, cy > 0);
  });
  KsResult result;
  const bool negative =
      alternative == Alternative::less || (alternative == Alternative::two_sided && minus.difference > plus.difference);
  const Extreme& chosen = negative ? minus : plus;
  const double d = std::clamp(chosen.difference, 0.0, 1.0);
  result.sign = negative ? -1 : 1;
  result.location = chosen.location();
  const TestResult p = ks_2samp_from_statistic(d, x.size(), y.size(), method, alternative);
  result.statistic = p.statistic;
  result.pvalue = p.pvalue;
  result.method = p.method;
  return result;
}

TestResult ks_2samp_from_statistic(double d, std::size_t n_x, std::size_t n_y, PMethod method,
                                   Alternative alternative) {
  require_samples(n_x, n_y, 1, "the Kolmogorov-Smirnov test");
  const auto nx = static_cast<std::int64_t>(n_x), ny = static_cast<std::int64_t>(n_y);
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny);
  d = std::clamp(d, 0.0, 1.0);
  TestResult result;
  const bool two_sided = alternative == Alternative::two_sided;
  const std::int64_t g = std::gcd(nx, ny);
  bool exact = method == PMethod::exact || (method == PMethod::automatic && std::max(nx, ny) <= 10000);
  const std::int64_t nx_over_g = nx / g, ny_over_g = ny / g;  // lcm(nx, ny) = nx_over_g * ny
  if (exact && static_cast<double>(nx_over_g) >= 2147483647.0 / static_cast<double>(ny_over_g)) exact = false;
  // The path count visits about n_x * n_y * 2D lattice points (n_x * n_y one-sided):
  // above 1e9 (never the case under `automatic`) the asymptotic p-value is used.
  if (exact && dnx * dny * (two_sided ? std::min(1.0, 2 * d) : 1.0) > 1e9) exact = false;
  // scipy counts one-sided paths in doubles and falls back when C(n_x + n_y, n_x) overflows.
  if (exact && !two_sided && nx != ny &&
      std::lgamma(dnx + dny + 1) - std::lgamma(dnx + 1) - std::lgamma(dny + 1) > std::log(1.7976931348623157e308))
    exact = false;
  if (exact) {
    const double lcm = static_cast<double>(nx_over_g) * dny;
    const auto h = static_cast<std::int64_t>(std::nearbyint(d * lcm));
    result.statistic = static_cast<double>(h) / lcm;
    result.pvalue = h == 0 ? 1.0 : ks_exact_outside_probability(nx, ny, h, two_sided);
    result.method = "exact";
  } else {
    const double m = std::max(dnx, dny), n = std::min(dnx, dny);
    result.statistic = d;
    if (two_sided) {
      result.pvalue = kolmogorov_sf(static_cast<std::int64_t>(std::nearbyint(m * n / (m + n))), d);
    } else {
      const double z = std::sqrt(m * n / (m + n)) * d;
      result.pvalue = std::clamp(std::exp(-2 * z * z - 2 * z * (m + 2 * n) / std::sqrt(m * n * (m + n)) / 3), 0.0, 1.0);
    }
    result.method = "asymptotic";
  }
  return result;
}

TestResult mann_whitney_u(const SortedSample& x, const SortedSample& y, PMethod method, Alternative alternative,
                          bool continuity) {
  require_samples(x.size(), y.size(), 1, "the Mann-Whitney U test");
  const double n1 = static_cast<double>(x.size());
  Sum rank_sum_x, tie_term;
  double position = 0.0;
  bool ties = false;
  for_each_distinct(x, y, [&](double, std::size_t cx, std::size_t cy) {
    const double t = static_cast<double>(cx + cy);
    rank_sum_x.add(static_cast<double>(cx) * (position + (t + 1) / 2));
    if (t > 1) {
      ties = true;
      tie_term.add(t * t * t - t);
    }
    position += t;
  });
  return mann_whitney_u_from_statistic(rank_sum_x.value() - n1 * (n1 + 1) / 2, x.size(), y.size(), tie_term.value(),
                                       ties, method, alternative, continuity);
}

TestResult mann_whitney_u_from_statistic(double u1, std::size_t n_x, std::size_t n_y, double tie_term, bool ties,
                                         PMethod method, Alternative alternative, bool continuity) {
  require_samples(n_x, n_y, 1, "the Mann-Whitney U test");
  const double n1 = static_cast<double>(n_x), n2 = static_cast<double>(n_y), n = n1 + n2;
  const double u2 = n1 * n2 - u1;
  // The upper tail P(U >= u) is what every alternative needs (scipy's choice of U).
  const double u = alternative == Alternative::greater ? u1 : alternative == Alternative::less ? u2 : std::max(u1, u2);
  const double sides = alternative == Alternative::two_sided ? 2.0 : 1.0;
  TestResult result;
  result.statistic = u1;
  bool exact = method == PMethod::exact || (method == PMethod::automatic && !(n1 > 8 && n2 > 8) && !ties);
  if (exact && n1 * n2 > 1e6) exact = false;  // the exact recurrence is O((n1 n2)^2)
  if (exact) {
    const auto small = static_cast<std::int64_t>(std::min(n1, n2)), large = static_cast<std::int64_t>(std::max(n1, n2));
    const auto whole_u = static_cast<std::int64_t>(std::floor(u));  // scipy reads U as an integer here
    const auto n_pairs = small * large;
    // P(U >= u) = P(U <= n1 n2 - u); the recurrence runs up to its argument, so past the
    // middle the complement 1 - P(U <= u - 1) is cheaper.
    const bool direct = whole_u <= 0 || n_pairs - whole_u <= whole_u - 1;
    const auto f = mann_whitney_frequencies(small, large, direct ? n_pairs - whole_u : whole_u - 1);
    long double cdf = 0.0L;
    for (long double v : f) cdf += v;
    const long double tail =
        direct ? cdf / binomial(small + large, small) : 1.0L - cdf / binomial(small + large, small);
    result.pvalue = std::clamp(static_cast<double>(sides * tail), 0.0, 1.0);
    result.method = "exact";
  } else {
    const double sigma = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    const double z = (u - n1 * n2 / 2 - (continuity ? 0.5 : 0.0)) / sigma;
    result.pvalue = std::clamp(sides * normal_sf(z), 0.0, 1.0);
    result.method = "asymptotic";
  }
  return result;
}

TestResult ttest_ind(const SortedSample& x, const SortedSample& y) {
  require_samples(x.size(), y.size(), 1, "the t-test");
  require_no_infinities(x, "x", "the t-test");
  require_no_infinities(y, "y", "the t-test");
  ExactMomentsAccumulator moments_x, moments_y;
  for (const double v : x) moments_x.add(v);
  for (const double v : y) moments_y.add(v);
  return ttest_ind_from_moments(moments_x.moments(), x.size(), moments_y.moments(), y.size());
}

TestResult ttest_ind_from_moments(const ExactMoments& x, std::size_t n_x, const ExactMoments& y, std::size_t n_y) {
  require_samples(n_x, n_y, 1, "the t-test");
  const double nx = static_cast<double>(n_x), ny = static_cast<double>(n_y);
  TestResult result;
  result.method = "student";
  result.dof = nx + ny - 2;
  if (!(result.dof > 0)) return result;
  const double pooled = (x.squared_deviations(n_x) + y.squared_deviations(n_y)) / result.dof;
  result.statistic = ExactMoments::mean_difference(x, n_x, y, n_y) / std::sqrt(pooled * (1 / nx + 1 / ny));
  result.pvalue =
      std::isnan(result.statistic) ? kNaN : std::min(1.0, 2 * student_t_sf(std::fabs(result.statistic), result.dof));
  return result;
}

TestResult cramer_von_mises_2samp(const SortedSample& x, const SortedSample& y, PMethod method) {
  require_samples(x.size(), y.size(), 2, "the Cramer-von Mises test");
  const auto nx = static_cast<std::int64_t>(x.size()), ny = static_cast<std::int64_t>(y.size());
  Sum sx, sy;
  double position = 0.0, index_x = 0.0, index_y = 0.0;
  for_each_distinct(x, y, [&](double, std::size_t cx, std::size_t cy) {
    const double rank = position + static_cast<double>(cx + cy + 1) / 2;  // average rank of the tie
    for (std::size_t t = 0; t < cx; ++t) {
      index_x += 1;
      sx.add((rank - index_x) * (rank - index_x));
    }
    for (std::size_t t = 0; t < cy; ++t) {
      index_y += 1;
      sy.add((rank - index_y) * (rank - index_y));
    }
    position += static_cast<double>(cx + cy);
  });
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny);
  return cramer_von_mises_from_u(dnx * sx.value() + dny * sy.value(), x.size(), y.size(), method);
}

TestResult cramer_von_mises_from_u(double u, std::size_t n_x, std::size_t n_y, PMethod method) {
  require_samples(n_x, n_y, 2, "the Cramer-von Mises test");
  const auto nx = static_cast<std::int64_t>(n_x), ny = static_cast<std::int64_t>(n_y);
  const double dnx = static_cast<double>(nx), dny = static_cast<double>(ny);
  const double k = dnx * dny, N = dnx + dny;
  TestResult result;
  result.statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  const bool exact = method == PMethod::exact || (method == PMethod::automatic && std::max(nx, ny) <= 20);
  if (exact) {
    if (std::max(nx, ny) > 60)
      throw InvalidArgument("the exact Cramer-von Mises p-value is limited to samples of at most 60 values");
    result.pvalue = cramer_von_mises_exact_pvalue(u, nx, ny);
    result.method = "exact";
  } else {
    const double et = (1 + 1 / N) / 6;
    const double vt = (N + 1) * (4 * k * N - 3 * (dnx * dnx + dny * dny) - 2 * k) / (45 * N * N * 4 * k);
    const double tn = 1.0 / 6 + (result.statistic - et) / std::sqrt(45 * vt);
    result.pvalue = tn < 0.003 ? 1.0 : std::max(0.0, 1.0 - cramer_von_mises_limit_cdf(tn));
    result.method = "asymptotic";
  }
  return result;
}

namespace {

// The sums of the k-sample Anderson-Darling statistic over the distinct pooled values,
// ascending (Scholz & Stephens 1987, eq. 7 with midranks; eq. 6, right-continuous, without:
// there the last value takes no part), fed one distinct value at a time with each sample's
// count of it, so that walks over samples and over counts give the same bits.
class AndersonSums {
 public:
  AndersonSums(std::vector<double> sizes, bool midrank)
      : n_(std::move(sizes)), below_(n_.size(), 0.0), inner_(n_.size()), midrank_(midrank) {
    for (const double ni : n_) total_ += ni;
  }
  void add(std::span<const double> ties, double l) {
    ++n_distinct_;
    const bool last = pooled_below_ + l == total_;
    const double B = pooled_below_ + (midrank_ ? l / 2 : l);
    const double denominator = midrank_ ? B * (total_ - B) - total_ * l / 4 : B * (total_ - B);
    for (std::size_t i = 0; i < n_.size(); ++i) {
      // Count of sample i up to the value: midrank (half the ties) or right-continuous.
      const double M = below_[i] + (midrank_ ? ties[i] / 2 : ties[i]);
      const double diff = total_ * M - B * n_[i];
      if (midrank_ || !last) inner_[i].add(l / total_ * diff * diff / denominator);
      below_[i] += ties[i];
    }
    pooled_below_ += l;
  }
  AndersonResult result() const {
    if (n_distinct_ < 2) throw InvalidArgument("the Anderson-Darling test needs more than one distinct value");
    double a2kn = 0.0;
    for (std::size_t i = 0; i < n_.size(); ++i) a2kn += inner_[i].value() / n_[i];
    if (midrank_) a2kn *= (total_ - 1) / total_;
    return anderson_ksamp_from_a2kn(std::span<const double>(&a2kn, 1), n_).front();
  }

 private:
  std::vector<double> n_, below_;  // below_: values of sample i below the current value
  std::vector<Sum> inner_;
  double total_ = 0.0, pooled_below_ = 0.0;
  std::size_t n_distinct_ = 0;
  bool midrank_;
};

}  // namespace

AndersonResult anderson_ksamp(const std::vector<std::reference_wrapper<const SortedSample>>& sorted_samples,
                              bool midrank) {
  std::vector<std::span<const double>> samples;
  samples.reserve(sorted_samples.size());
  for (const SortedSample& sample : sorted_samples) samples.push_back(sample.values());
  const std::size_t k = samples.size();
  if (k < 2) throw InvalidArgument("the Anderson-Darling test needs at least two samples");
  std::vector<double> n(k);
  for (std::size_t i = 0; i < k; ++i) {
    if (samples[i].empty()) throw InvalidArgument("the Anderson-Darling test got an empty sample");
    n[i] = static_cast<double>(samples[i].size());
  }
  AndersonSums sums(n, midrank);
  // k-way walk over the distinct pooled values.
  std::vector<std::size_t> next(k, 0);
  std::vector<double> ties(k);
  for (;;) {
    double value = std::numeric_limits<double>::infinity();
    bool any = false;
    for (std::size_t i = 0; i < k; ++i)
      if (next[i] < samples[i].size() && (!any || samples[i][next[i]] < value)) {
        value = samples[i][next[i]];
        any = true;
      }
    if (!any) break;
    std::fill(ties.begin(), ties.end(), 0.0);
    double l = 0.0;
    for (std::size_t i = 0; i < k; ++i)
      while (next[i] < samples[i].size() && samples[i][next[i]] == value) ++next[i], ++ties[i], ++l;
    sums.add(ties, l);
  }
  return sums.result();
}

AndersonResult anderson_ksamp_counts(std::span<const double> x_counts, std::span<const double> y_counts) {
  if (x_counts.size() != y_counts.size())
    throw InvalidArgument("the Anderson-Darling test needs counts of both samples at the same values");
  double nx = 0.0, ny = 0.0;
  for (std::size_t j = 0; j < x_counts.size(); ++j) {
    if (!(x_counts[j] >= 0) || !(y_counts[j] >= 0) || x_counts[j] + y_counts[j] == 0)
      throw InvalidArgument("the Anderson-Darling test needs counts >= 0, at least one at each value");
    nx += x_counts[j];
    ny += y_counts[j];
  }
  if (nx == 0 || ny == 0) throw InvalidArgument("the Anderson-Darling test got an empty sample");
  AndersonSums sums({nx, ny}, true);
  for (std::size_t j = 0; j < x_counts.size(); ++j) {
    const double ties[2] = {x_counts[j], y_counts[j]};
    sums.add(ties, x_counts[j] + y_counts[j]);
  }
  return sums.result();
}

std::vector<AndersonResult> anderson_ksamp_from_a2kn(std::span<const double> a2kn, std::span<const double> n) {
  const std::size_t k = n.size();
  if (k < 2) throw InvalidArgument("the Anderson-Darling test needs at least two samples");
  double N = 0;
  for (const double ni : n) N += ni;
  double H = 0.0;
  for (double ni : n) H += 1.0 / ni;
  // h = sum_{i=1}^{N-1} 1/i; g = sum_{i=1}^{N-2} sum_{j=i+1}^{N-1} 1/((N-i) j).
  double cumulative = 0.0, g = 0.0;
  for (std::int64_t i = static_cast<std::int64_t>(N) - 1, idx = 0; i >= 2; --i, ++idx) {
    cumulative += 1.0 / static_cast<double>(i);
    g += cumulative / static_cast<double>(idx + 2);
  }
  const double h = cumulative + 1;
  const double K = static_cast<double>(k);
  const double ca = (4 * g - 6) * (K - 1) + (10 - 6 * g) * H;
  const double cb = (2 * g - 4) * K * K + 8 * h * K + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const double cc = (6 * h + 2 * g - 2) * K * K + (4 * h - 4 * g + 6) * K + (2 * h - 6) * H + 4 * h;
  const double cd = (2 * h + 6) * K * K - 4 * h * K;
  const double sigma2 = (ca * N * N * N + cb * N * N + cc * N + cd) / ((N - 1) * (N - 2) * (N - 3));
  const double m = K - 1;
  AndersonResult table;
  // Critical values of Scholz & Stephens' Table 2 as b0 + b1/sqrt(m) + b2/m (kB0, kB1, kB2).
  static constexpr double kB0[7] = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
  static constexpr double kB1[7] = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
  static constexpr double kB2[7] = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
  Eigen::Matrix<double, 7, 3> design;
  Eigen::Matrix<double, 7, 1> log_significance;
  double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
  for (int i = 0; i < 7; ++i) {
    const double critical = kB0[i] + kB1[i] / std::sqrt(m) + kB2[i] / m;
    table.critical_values.push_back(critical);
    lowest = std::min(lowest, critical);
    highest = std::max(highest, critical);
    design(i, 0) = critical * critical;
    design(i, 1) = critical;
    design(i, 2) = 1.0;
    log_significance(i) = std::log(kAndersonSignificance[i]);
  }
  // Quadratic least-squares fit of log(significance) on the critical values.
  const Eigen::Vector3d fit = design.colPivHouseholderQr().solve(log_significance);
  std::vector<AndersonResult> out;
  out.reserve(a2kn.size());
  for (const double a : a2kn) {
    AndersonResult result = table;
    result.statistic = (a - m) / std::sqrt(sigma2);
    if (result.statistic < lowest) {
      result.pvalue = 0.25;
      result.method = "capped";
    } else if (result.statistic > highest) {
      result.pvalue = 0.001;
      result.method = "floored";
    } else {
      const double s = result.statistic;
      result.pvalue = std::exp((fit(0) * s + fit(1)) * s + fit(2));
      result.method = "interpolated";
    }
    out.push_back(std::move(result));
  }
  return out;
}

namespace {

// numpy.percentile (linear interpolation) of a sorted sample.
double percentile_sorted(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double t = position - static_cast<double>(below);
  const double a = sorted[below], b = sorted[above];
  if (!std::isfinite(b - a)) return a * (1 - t) + b * t;      // neighbours of opposite sign near the largest double
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;  // numpy's _lerp
}

}  // namespace

TestResult epps_singleton_2samp(const SortedSample& x, const SortedSample& y) {
  require_samples(x.size(), y.size(), 5, "the Epps-Singleton test");
  require_no_infinities(x, "x", "the Epps-Singleton test");
  require_no_infinities(y, "y", "the Epps-Singleton test");
  std::vector<double> pooled;
  pooled.reserve(x.size() + y.size());
  std::merge(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(pooled));
  // Half the pooled interquartile range, halved before subtracting so that it cannot overflow.
  const double sigma = percentile_sorted(pooled, 0.75) / 2 - percentile_sorted(pooled, 0.25) / 2;
  if (!(sigma > 0)) throw InvalidArgument("the Epps-Singleton test needs a pooled interquartile range above 0");
  const double t[2] = {0.4 / sigma, 0.8 / sigma};
  // Characteristic-function features [cos t1 v, cos t2 v, sin t1 v, sin t2 v]: means and
  // biased covariances per sample.
  auto moments = [&](const SortedSample& v) {
    Eigen::MatrixXd g(static_cast<Eigen::Index>(v.size()), 4);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto r = static_cast<Eigen::Index>(i);
      g(r, 0) = std::cos(t[0] * v[i]);
      g(r, 1) = std::cos(t[1] * v[i]);
      g(r, 2) = std::sin(t[0] * v[i]);
      g(r, 3) = std::sin(t[1] * v[i]);
    }
    const Eigen::RowVector4d mean = g.colwise().mean();
    g.rowwise() -= mean;
    const Eigen::Matrix4d cov = g.transpose() * g / static_cast<double>(v.size());
    return std::make_pair(mean, cov);
  };
  const auto [mean_x, cov_x] = moments(x);
  const auto [mean_y, cov_y] = moments(y);
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size()), n = nx + ny;
  const Eigen::Matrix4d estimate = (n / nx) * cov_x + (n / ny) * cov_y;
  // Pseudo-inverse and its rank with numpy's cut-offs (pinv: 1e-15 * largest singular
  // value; matrix_rank: largest * size * machine epsilon).
  Eigen::JacobiSVD<Eigen::Matrix4d> svd(estimate, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Vector4d& singular = svd.singularValues();
  Eigen::Vector4d inverse_singular = Eigen::Vector4d::Zero();
  for (int i = 0; i < 4; ++i)
    if (singular(i) > 1e-15 * singular(0)) inverse_singular(i) = 1.0 / singular(i);
  const Eigen::Matrix4d pinv = svd.matrixV() * inverse_singular.asDiagonal() * svd.matrixU().transpose();
  const double largest_inverse = inverse_singular.maxCoeff();
  int rank = 0;
  for (int i = 0; i < 4; ++i)
    if (inverse_singular(i) > largest_inverse * 4 * std::numeric_limits<double>::epsilon()) ++rank;
  const Eigen::Vector4d diff = (mean_x - mean_y).transpose();
  double w = n * diff.dot(pinv * diff);
  if (std::max(nx, ny) < 25) w *= 1.0 / (1.0 + std::pow(n, -0.45) + 10.1 * (std::pow(nx, -1.7) + std::pow(ny, -1.7)));
  TestResult result;
  result.statistic = w;
  result.dof = rank;
  result.pvalue = chi2_sf(w, rank);
  result.method = "asymptotic";
  return result;
}

namespace {

// Values are multiplied by this before differences are taken: 1, or 1/2 when a value
// is so large that the difference of two values could overflow although the distance
// is representable. The integrals are divided by it at the end.
double difference_scale(std::span<const double> x, std::span<const double> y) {
  double largest = 0.0;
  for (auto v : {x, y})
    if (!v.empty()) largest = std::max({largest, std::fabs(v.front()), std::fabs(v.back())});
  return largest > std::numeric_limits<double>::max() / 2 ? 0.5 : 1.0;
}

// Integral of |F_x - F_y|^p over the real line for sorted unweighted samples (p = 1
// or 2), times `scale`: the empirical CDFs are step functions, so the integral is a
// sum over the gaps between consecutive distinct values.
double cdf_distance(std::span<const double> x, std::span<const double> y, int p, double scale) {
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  Sum total;
  std::size_t cum_x = 0, cum_y = 0;
  double previous = 0.0, previous_gap = 0.0;
  bool first = true;
  for_each_distinct(x, y, [&](double value, std::size_t cx, std::size_t cy) {
    if (!first) total.add((p == 1 ? previous_gap : previous_gap * previous_gap) * (value * scale - previous * scale));
    first = false;
    cum_x += cx;
    cum_y += cy;
    previous_gap = std::fabs(static_cast<double>(cum_x) / nx - static_cast<double>(cum_y) / ny);
    previous = value;
  });
  return total.value();
}

}  // namespace

namespace {

// The distance of samples holding -inf or +inf, by the arithmetic of scipy's integral
// over the gaps of the pooled values (scipy.stats._stats_py._cdf_distance): a gap
// between two equal infinities has no width (inf - inf), which makes the distance NaN
// (undefined); otherwise an infinite gap next to an infinity carries the CDF
// difference of that value's mass, so the distance is inf, or NaN (0 x inf) when the
// value has weight 0. `weights` are empty for unweighted samples.
double infinite_cdf_distance(std::span<const double> x, std::span<const double> x_weights, std::span<const double> y,
                             std::span<const double> y_weights) {
  std::size_t negative = 0, positive = 0;
  bool weightless = false;
  for (const auto& [values, weights] : {std::pair{x, x_weights}, std::pair{y, y_weights}})
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isinf(values[i])) continue;
      ++(values[i] < 0 ? negative : positive);
      weightless = weightless || (!weights.empty() && weights[i] == 0);
    }
  return negative > 1 || positive > 1 || weightless ? kNaN : std::numeric_limits<double>::infinity();
}

}  // namespace

double wasserstein(const SortedSample& x, const SortedSample& y) {
  require_samples(x.size(), y.size(), 1, "the Wasserstein distance");
  if (x.has_infinities() || y.has_infinities()) return infinite_cdf_distance(x, {}, y, {});
  const double scale = difference_scale(x, y);
  return cdf_distance(x, y, 1, scale) / scale;
}

double energy_distance(const SortedSample& x, const SortedSample& y) {
  require_samples(x.size(), y.size(), 1, "the energy distance");
  if (x.has_infinities() || y.has_infinities()) return infinite_cdf_distance(x, {}, y, {});
  const double scale = difference_scale(x, y);
  return std::numbers::sqrt2 * std::sqrt(cdf_distance(x, y, 2, scale)) / std::sqrt(scale);
}

namespace {

// Weights for a weighted distance: one per value, finite, non-negative, with a
// positive sum. Returns the weights divided by the largest one, so that their sum
// cannot overflow.
std::vector<double> checked_weights(std::span<const double> weights, std::size_t n, const char* argument) {
  if (weights.size() != n)
    throw InvalidArgument(std::string(argument) + " has " + std::to_string(weights.size()) + " weights for " +
                          std::to_string(n) + " values; it needs one weight per value");
  double largest = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    if (std::isnan(w) || std::isinf(w) || w < 0)
      throw InvalidArgument(std::string(argument) + " holds " +
                            (std::isnan(w)   ? "NaN"
                             : std::isinf(w) ? "an infinity"
                                             : "a negative weight") +
                            " at position " + std::to_string(i) + "; weights must be finite and >= 0");
    largest = std::max(largest, w);
  }
  if (!(largest > 0)) throw InvalidArgument(std::string(argument) + " are all zero; they need a positive sum");
  std::vector<double> scaled(weights.begin(), weights.end());
  for (double& w : scaled) w /= largest;
  return scaled;
}

// Integral of |F_x - F_y|^p for weighted samples (p = 1 or 2), times `scale` as above.
double weighted_cdf_distance(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                             std::span<const double> y_weights, int p, double& scale) {
  require_samples(x.size(), y.size(), 1, p == 1 ? "the Wasserstein distance" : "the energy distance");
  require_sample_values(x, "x", SortedSample::Infinities::ranked);
  require_sample_values(y, "y", SortedSample::Infinities::ranked);
  const std::vector<double> wx = checked_weights(x_weights, x.size(), "x_weights");
  const std::vector<double> wy = checked_weights(y_weights, y.size(), "y_weights");
  const auto is_infinite = [](double v) { return std::isinf(v); };
  if (std::ranges::any_of(x, is_infinite) || std::ranges::any_of(y, is_infinite))
    return infinite_cdf_distance(x, wx, y, wy);
  auto sorted_order = [](std::span<const double> v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    return order;
  };
  const auto ox = sorted_order(x), oy = sorted_order(y);
  const double extreme[4] = {x[ox.front()], x[ox.back()], y[oy.front()], y[oy.back()]};
  double largest = 0.0;
  for (double v : extreme) largest = std::max(largest, std::fabs(v));
  scale = largest > std::numeric_limits<double>::max() / 2 ? 0.5 : 1.0;
  Sum sum_x, sum_y;
  for (std::size_t i : ox) sum_x.add(wx[i]);
  for (std::size_t i : oy) sum_y.add(wy[i]);
  const double total_x = sum_x.value(), total_y = sum_y.value();
  std::size_t i = 0, j = 0;
  double cum_x = 0.0, cum_y = 0.0, previous = 0.0, previous_gap = 0.0;
  bool first = true;
  Sum total;
  while (i < ox.size() || j < oy.size()) {
    const double value = (j >= oy.size() || (i < ox.size() && x[ox[i]] <= y[oy[j]])) ? x[ox[i]] : y[oy[j]];
    if (!first)
      total.add((p == 1 ? std::fabs(previous_gap) : previous_gap * previous_gap) * (value * scale - previous * scale));
    first = false;
    while (i < ox.size() && x[ox[i]] == value) cum_x += wx[ox[i++]];
    while (j < oy.size() && y[oy[j]] == value) cum_y += wy[oy[j++]];
    previous_gap = cum_x / total_x - cum_y / total_y;
    previous = value;
  }
  return total.value();
}

// Population standard deviation, computed on values divided by the largest magnitude
// so that neither the sum nor the squares overflow.
double population_std(std::span<const double> values) {
  double largest = 0.0;
  for (double v : values) largest = std::max(largest, std::fabs(v));
  if (!(largest > 0)) return 0.0;
  const double n = static_cast<double>(values.size());
  Sum sum;
  for (double v : values) sum.add(v / largest);
  const double mean = sum.value() / n;
  Sum squares;
  for (double v : values) squares.add((v / largest - mean) * (v / largest - mean));
  return std::sqrt(squares.value() / n) * largest;
}

}  // namespace

double wasserstein(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                   std::span<const double> y_weights) {
  double scale = 1.0;
  const double integral = weighted_cdf_distance(x, y, x_weights, y_weights, 1, scale);
  return integral / scale;
}

double energy_distance(std::span<const double> x, std::span<const double> y, std::span<const double> x_weights,
                       std::span<const double> y_weights) {
  double scale = 1.0;
  const double integral = weighted_cdf_distance(x, y, x_weights, y_weights, 2, scale);
  return std::numbers::sqrt2 * std::sqrt(integral) / std::sqrt(scale);
}

double normalized_wasserstein(const SortedSample& reference, const SortedSample& current) {
  require_no_infinities(reference, "reference", "the normalised Wasserstein distance");
  require_no_infinities(current, "current", "the normalised Wasserstein distance");
  const double w = wasserstein(reference, current);
  return w / std::max(population_std(reference), 0.001);
}

namespace {

constexpr double kMaxExactCount = 9007199254740992.0;  // 2^53

// A count or frequency: finite and >= 0; whole (and at most 2^53) when `whole`.
void require_count(double value, const std::string& argument, bool whole) {
  if (std::isnan(value)) throw InvalidArgument(argument + " is NaN; it must be a count");
  if (std::isinf(value)) throw InvalidArgument(argument + " is infinite; it must be a finite count");
  if (value < 0) throw InvalidArgument(argument + " is negative (" + format_number(value) + "); counts are >= 0");
  if (whole && value != std::floor(value))
    throw InvalidArgument(argument + " is " + format_number(value) + ", not a whole number; it must be a count");
  if (whole && value > kMaxExactCount)
    throw InvalidArgument(argument + " is " + format_number(value) + ", above 2^53; counts that large are not exact");
}

// The sum of non-negative counts; an error naming `argument` when it overflows.
double checked_total(std::span<const double> counts, const std::string& argument) {
  Sum sum;
  for (double v : counts) sum.add(v);
  const double total = sum.value();
  if (std::isinf(total)) throw InvalidArgument(argument + ": the total of the counts overflows; scale the counts down");
  return total;
}

}  // namespace

double power_divergence_term(double observed, double expected, double lambda) {
  if (lambda == kPearson) return (observed - expected) * (observed - expected) / expected;
  auto xlogy = [](double x, double y) { return x == 0 && !std::isnan(y) ? 0.0 : x * std::log(y); };
  if (lambda == kLogLikelihood) return 2 * xlogy(observed, observed / expected);
  if (lambda == kModLogLikelihood) return 2 * xlogy(expected, expected / observed);
  return observed * (std::pow(observed / expected, lambda) - 1) / (0.5 * lambda * (lambda + 1));
}

namespace {

const char* power_divergence_name(double lambda) {
  if (lambda == kPearson) return "pearson";
  if (lambda == kLogLikelihood) return "g-test";
  return "power-divergence";
}

}  // namespace

ContingencyResult chi2_contingency(std::span<const double> counts, std::size_t n_rows, std::size_t n_cols,
                                   bool correction, double lambda) {
  if (n_rows == 0 || n_cols == 0 || counts.size() != n_rows * n_cols)
    throw InvalidArgument("observed must be a table of n_rows * n_cols > 0 counts, got " + std::to_string(n_rows) +
                          " x " + std::to_string(n_cols) + " for " + std::to_string(counts.size()) + " counts");
  for (std::size_t i = 0; i < counts.size(); ++i)
    require_count(counts[i], "observed[" + std::to_string(i / n_cols) + ", " + std::to_string(i % n_cols) + "]", false);
  const double total = checked_total(counts, "observed");
  std::vector<double> row_sum(n_rows, 0.0), col_sum(n_cols, 0.0);
  for (std::size_t r = 0; r < n_rows; ++r)
    for (std::size_t c = 0; c < n_cols; ++c) {
      const double v = counts[r * n_cols + c];
      row_sum[r] += v;
      col_sum[c] += v;
    }
  if (!std::isfinite(lambda)) throw InvalidArgument("lambda_ must be a finite number");
  ContingencyResult result;
  result.dof = static_cast<double>(n_rows * n_cols - n_rows - n_cols + 1);
  result.method = power_divergence_name(lambda);
  std::vector<double>& expected = result.expected;
  expected.resize(counts.size());
  for (std::size_t r = 0; r < n_rows; ++r)
    for (std::size_t c = 0; c < n_cols; ++c) {
      // scipy's order (row x column / total) keeps its rounding; dividing first only when
      // the product would overflow.
      const double product = row_sum[r] * col_sum[c];
      expected[r * n_cols + c] = std::isfinite(product) ? product / total : row_sum[r] / total * col_sum[c];
      if (!(expected[r * n_cols + c] > 0))
        throw InvalidArgument("observed has a zero expected frequency: " +
                              (row_sum[r] > 0 ? "column " + std::to_string(c) : "row " + std::to_string(r)) +
                              " is all zeros; drop empty rows and columns");
    }
  if (result.dof == 0) {
    result.statistic = 0.0;
    result.pvalue = 1.0;
    return result;
  }
  Sum statistic;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    double observed = counts[i];
    if (result.dof == 1 && correction) {  // Yates: move each cell toward expectation by up to 0.5
      const double diff = expected[i] - observed;
      observed += std::copysign(std::min(0.5, std::fabs(diff)), diff) * (diff != 0);
    }
    statistic.add(power_divergence_term(observed, expected[i], lambda));
  }
  result.statistic = statistic.value();
  result.pvalue = chi2_sf(result.statistic, result.dof);
  return result;
}

TestResult chisquare_goodness_of_fit(std::span<const double> reference_counts, std::span<const double> current_counts,
                                     double lambda, double ddof) {
  if (reference_counts.size() != current_counts.size() || reference_counts.empty())
    throw InvalidArgument("f_obs and f_exp have " + std::to_string(current_counts.size()) + " and " +
                          std::to_string(reference_counts.size()) +
                          " categories; they need the same number, at least 1");
  for (std::size_t i = 0; i < reference_counts.size(); ++i) {
    require_count(current_counts[i], "f_obs[" + std::to_string(i) + "]", false);
    require_count(reference_counts[i], "f_exp[" + std::to_string(i) + "]", false);
  }
  const double n_ref = checked_total(reference_counts, "f_exp"), n_cur = checked_total(current_counts, "f_obs");
  if (!(n_ref > 0)) throw InvalidArgument("f_exp is all zeros; the expected counts need a positive total");
  if (!(n_cur > 0)) throw InvalidArgument("f_obs is all zeros; the observed counts need a positive total");
  if (!std::isfinite(lambda)) throw InvalidArgument("lambda_ must be a finite number");
  if (!std::isfinite(ddof)) throw InvalidArgument("ddof must be a finite number");
  TestResult result;
  result.method = power_divergence_name(lambda);
  result.dof = static_cast<double>(reference_counts.size()) - 1 - ddof;
  if (reference_counts.size() == 1 && ddof == 0) {  // one category: nothing can differ
    result.statistic = 0.0;
    result.pvalue = 1.0;
    return result;
  }
  Sum statistic;
  for (std::size_t i = 0; i < reference_counts.size(); ++i) {
    const double product = reference_counts[i] * n_cur;  // scipy's order, unless it overflows
    const double expected = std::isfinite(product) ? product / n_ref : reference_counts[i] / n_ref * n_cur;
    const double observed = current_counts[i], diff = observed - expected;
    if (!(expected > 0))
      statistic.add(observed > 0 ? std::numeric_limits<double>::infinity() : 0.0);
    else if (lambda == kPearson)
      statistic.add(diff * diff / expected);
    else
      statistic.add(power_divergence_term(observed, expected, lambda));
  }
  result.statistic = statistic.value();
  if (!(result.dof > 0))  // no degrees of freedom left (ddof too large): scipy's chi2.sf is NaN
    result.pvalue = kNaN;
  else
    result.pvalue = std::isinf(result.statistic) ? 0.0 : chi2_sf(result.statistic, result.dof);
  return result;
}

namespace {

// Loader's saddle-point terms ("Fast and accurate computation of binomial
// probabilities", 2000): the Stirling error log(n!) - log(sqrt(2 pi n) (n/e)^n) and the
// deviance bd0(x, m) = x log(x/m) + m - x, each without cancellation.
double stirling_error(double n) {
  if (n <= 15) return std::lgamma(n + 1) - (n + 0.5) * std::log(n) + n - 0.5 * std::log(2 * std::numbers::pi);
  const double nn = n * n;
  constexpr double kS0 = 1.0 / 12, kS1 = 1.0 / 360, kS2 = 1.0 / 1260, kS3 = 1.0 / 1680, kS4 = 1.0 / 1188;
  if (n > 500) return (kS0 - kS1 / nn) / n;
  if (n > 80) return (kS0 - (kS1 - kS2 / nn) / nn) / n;
  if (n > 35) return (kS0 - (kS1 - (kS2 - kS3 / nn) / nn) / nn) / n;
  return (kS0 - (kS1 - (kS2 - (kS3 - kS4 / nn) / nn) / nn) / nn) / n;
}

double deviance(double x, double m) {
  if (std::fabs(x - m) < 0.1 * (x + m)) {  // series in v = (x - m) / (x + m)
    double v = (x - m) / (x + m), sum = (x - m) * v, term = 2 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      term *= v;
      const double next = sum + term / (2 * j + 1);
      if (next == sum) break;
      sum = next;
    }
    return sum;
  }
  return x * std::log(x / m) + m - x;
}

// log P(X = x) for X binomial(n, p), q = 1 - p given separately.
double log_binomial_pmf(double x, double n, double p, double q) {
  if (x == 0) return n == 0 ? 0.0 : (p < 0.1 ? -deviance(n, n * q) - n * p : n * std::log(q));
  if (x == n) return q < 0.1 ? -deviance(n, n * p) - n * q : n * std::log(p);
  const double lc =
      stirling_error(n) - stirling_error(x) - stirling_error(n - x) - deviance(x, n * p) - deviance(n - x, n * q);
  return lc - 0.5 * (std::log(2 * std::numbers::pi) + std::log(x) + std::log1p(-x / n));
}

// The hypergeometric law of the top-left cell of a 2x2 table with margins row1, row2
// (row sums) and column (first column sum): log P(k) = log C(row1, k) C(row2, column - k)
// / C(row1 + row2, column), as ratios of binomial probabilities (Loader).
struct Hypergeometric {
  double row1, row2, column;
  double log_pmf(double k) const {
    const double total = row1 + row2, p = column / total, q = (total - column) / total;
    return log_binomial_pmf(k, row1, p, q) + log_binomial_pmf(column - k, row2, p, q) -
           log_binomial_pmf(column, total, p, q);
  }
  double ratio(double k) const {  // P(k + 1) / P(k)
    return (row1 - k) * (column - k) / ((k + 1) * (row2 - column + k + 1));
  }
};

// Sum over k = start, start + step, ... (within [low, high]) of P(k) / P(start),
// stopping once the remaining terms, which shrink at least geometrically beyond the
// mode (the law is log-concave), are below 1e-17 of the sum.
double relative_tail(const Hypergeometric& law, double start, int step, double low, double high) {
  double sum = 1.0, term = 1.0;
  // Counted in integers; k stays an integer below 2^53, exact in double.
  const auto n_terms = static_cast<std::int64_t>(step > 0 ? high - start : start - low);
  for (std::int64_t i = 0; i < n_terms; ++i) {
    const double k = start + static_cast<double>(i * step);
    const double r = step > 0 ? law.ratio(k) : 1.0 / law.ratio(k - 1);  // P(k + step) / P(k)
    term *= r;
    sum += term;
    if (r < 1 && term / (1 - r) < 1e-17 * sum) break;
  }
  return sum;
}

}  // namespace

TestResult fisher_exact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d, Alternative alternative) {
  const std::int64_t cells[4] = {a, b, c, d};
  const char* names[4] = {"table[0, 0]", "table[0, 1]", "table[1, 0]", "table[1, 1]"};
  double total = 0.0;
  for (int i = 0; i < 4; ++i) {
    require_count(static_cast<double>(cells[i]), names[i], true);
    total += static_cast<double>(cells[i]);
  }
  if (total > kMaxExactCount)
    throw InvalidArgument("table: the total " + format_number(total) +
                          " is above 2^53; counts that large are not exact");
  TestResult result;
  result.method = "exact";
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) {  // only one table has these margins
    result.pvalue = 1.0;
    return result;
  }
  result.statistic = (c > 0 && b > 0) ? static_cast<double>(a) * static_cast<double>(d) /
                                            (static_cast<double>(c) * static_cast<double>(b))
                                      : std::numeric_limits<double>::infinity();
  const Hypergeometric law{static_cast<double>(a + b), static_cast<double>(c + d), static_cast<double>(a + c)};
  const double low = std::max(0.0, law.column - law.row2), high = std::min(law.column, law.row1);
  const double mode = std::floor((law.column + 1) * (law.row1 + 1) / (law.row1 + law.row2 + 2));
  const double observed = static_cast<double>(a);
  if (alternative != Alternative::two_sided) {
    // P(A <= k) (step -1) or P(A >= k) (step +1), summed outward when k is beyond the mode.
    auto tail = [&](double k, int step) {
      if (k < low || k > high) return 0.0;
      return std::exp(law.log_pmf(k)) * relative_tail(law, k, step, low, high);
    };
    const int step = alternative == Alternative::less ? -1 : 1;
    const bool beyond_mode = step < 0 ? observed < mode : observed > mode;
    result.pvalue = std::clamp(beyond_mode ? tail(observed, step) : 1.0 - tail(observed - step, -step), 0.0, 1.0);
    return result;
  }
  const double log_observed = law.log_pmf(observed), log_mode = law.log_pmf(mode);
  constexpr double kSlack = 1e-14;  // scipy's relative tolerance for "as likely"
  if (std::fabs(std::expm1(log_observed - log_mode)) <= kSlack) {
    result.pvalue = 1.0;
    return result;
  }
  // The observed side: every table from the observed one outward.
  const int outward = observed < mode ? -1 : 1;
  double pvalue = std::exp(log_observed) * relative_tail(law, observed, outward, low, high);
  // The other side: the first table beyond the mode at most as likely as the observed
  // one (the law decreases away from the mode), then every table beyond it.
  const double limit = log_observed + std::log1p(kSlack);
  double inside = mode, outside = outward < 0 ? high + 1 : low - 1;  // P(inside) > limit >= P(outside)
  if (law.log_pmf(outward < 0 ? high : low) <= limit) {
    while (std::fabs(outside - inside) > 1) {
      const double middle = std::floor((inside + outside) / 2);
      (law.log_pmf(middle) <= limit ? outside : inside) = middle;
    }
    pvalue += std::exp(law.log_pmf(outside)) * relative_tail(law, outside, -outward, low, high);
  }
  result.pvalue = std::min(1.0, pvalue);
  return result;
}

TestResult two_proportion_z(double k1, double n1, double k2, double n2) {
  require_count(k1, "count1", true);
  require_count(n1, "nobs1", true);
  require_count(k2, "count2", true);
  require_count(n2, "nobs2", true);
  if (n1 == 0) throw InvalidArgument("nobs1 is 0; each sample needs at least one trial");
  if (n2 == 0) throw InvalidArgument("nobs2 is 0; each sample needs at least one trial");
  if (k1 > n1) throw InvalidArgument("count1 (" + format_number(k1) + ") exceeds nobs1 (" + format_number(n1) + ")");
  if (k2 > n2) throw InvalidArgument("count2 (" + format_number(k2) + ") exceeds nobs2 (" + format_number(n2) + ")");
  TestResult result;
  result.method = "asymptotic";
  const double p1 = k1 / n1, p2 = k2 / n2, pooled = (k1 + k2) / (n1 + n2);
  if (pooled == 0 || pooled == 1) {  // both samples hold one and the same value
    result.statistic = 0.0;
    result.pvalue = 1.0;
    return result;
  }
  result.statistic = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  result.pvalue = std::min(1.0, 2 * normal_sf(std::fabs(result.statistic)));
  return result;
}

double population_stability_index(std::span<const double> p, std::span<const double> q, bool normalise) {
  require_distribution(p, q);
  std::vector<double> pn(p.begin(), p.end()), qn(q.begin(), q.end());
  if (normalise) std::tie(pn, qn) = normalised(p, q);
  Sum total;
  for (std::size_t i = 0; i < pn.size(); ++i)
    if (pn[i] != qn[i]) total.add((pn[i] - qn[i]) * std::log(pn[i] / qn[i]));  // equal bins (also 0, 0) add 0
  return total.value();
}

namespace {

// ln(base), the divisor that turns nats into units of log `base` (1 for nats).
double log_of_base(std::optional<double> base) {
  if (!base) return 1.0;
  if (!(std::isfinite(*base) && *base > 0 && *base != 1))
    throw InvalidArgument("base must be a finite positive number other than 1, got " + format_number(*base));
  return std::log(*base);
}

}  // namespace

double kl_divergence(std::span<const double> p, std::span<const double> q, std::optional<double> base) {
  const double divisor = log_of_base(base);
  const auto [pn, qn] = normalised(p, q);
  Sum total;
  for (std::size_t i = 0; i < pn.size(); ++i) total.add(relative_entropy_term(pn[i], qn[i]));
  return total.value() / divisor;
}

double shannon_entropy(std::span<const double> p, std::optional<double> base) {
  const double divisor = log_of_base(base);
  require_distribution(p, p);
  Sum total;
  for (double v : normalised(p)) total.add(v > 0 ? -v * std::log(v) : 0.0);
  return total.value() / divisor;
}

double jensen_shannon(std::span<const double> p, std::span<const double> q, std::optional<double> base) {
  const double divisor = log_of_base(base);
  const auto [pn, qn] = normalised(p, q);
  Sum left, right;
  for (std::size_t i = 0; i < pn.size(); ++i) {
    const double m = (pn[i] + qn[i]) / 2;
    left.add(relative_entropy_term(pn[i], m));
    right.add(relative_entropy_term(qn[i], m));
  }
  // A base below 1 makes the divergence negative: NaN, as scipy's square root gives.
  return std::sqrt(std::max(0.0, (left.value() + right.value()) / 2) / divisor);
}

double hellinger(std::span<const double> p, std::span<const double> q) {
  const auto [pn, qn] = normalised(p, q);
  Sum total;  // ||sqrt(p) - sqrt(q)||^2 / 2 = 1 - sum sqrt(p q), without the cancellation
  for (std::size_t i = 0; i < pn.size(); ++i) {
    const double diff = std::sqrt(pn[i]) - std::sqrt(qn[i]);
    total.add(diff * diff / 2);
  }
  return std::sqrt(std::min(1.0, total.value()));
}

double total_variation(std::span<const double> p, std::span<const double> q) {
  const auto [pn, qn] = normalised(p, q);
  Sum total;
  for (std::size_t i = 0; i < pn.size(); ++i) total.add(std::fabs(pn[i] - qn[i]) / 2);
  return total.value();
}

void evidently_fill_zeros(std::span<double> proportions) {
  double smallest = std::numeric_limits<double>::infinity();
  for (double v : proportions)
    if (v > 0) smallest = std::min(smallest, v);
  const double fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4;
  for (double& v : proportions)
    if (v == 0) v = fill;
}

}  // namespace assay::drift
