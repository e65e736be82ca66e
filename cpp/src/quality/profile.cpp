#include "assay/quality/profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <queue>
#include <string>
#include <type_traits>

#include <omp.h>

#include "assay/common/error.hpp"
#include "assay/common/finite_math.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/sort.hpp"
#include "assay/quality/sketch.hpp"
#include "profile_detail.hpp"

namespace assay::quality {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Adds term into a Neumaier-compensated running sum.
inline void compensated_add(double& sum, double& compensation, double term) {
  const double t = sum + term;
  compensation += std::abs(sum) >= std::abs(term) ? (sum - t) + term : (term - t) + sum;
  sum = t;
}

// Sum of non-negative terms term(x[i]): eight independent lanes over short blocks (so
// the compiler can vectorise), block sums added with Neumaier compensation. Without
// cancellation the error stays within a few roundings per block.
template <class Term>
double blocked_sum(const double* x, std::size_t n, Term term) {
  constexpr std::size_t kLanes = 8, kBlock = 256;
  double sum = 0.0, compensation = 0.0;
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t end = std::min(n, start + kBlock);
    double lanes[kLanes] = {};
    std::size_t i = start;
    for (; i + kLanes <= end; i += kLanes) {
      for (std::size_t l = 0; l < kLanes; ++l) lanes[l] += term(x[i + l]);
    }
    double block = 0.0;
    for (; i < end; ++i) block += term(x[i]);
    for (double lane : lanes) block += lane;
    compensated_add(sum, compensation, block);
  }
  return sum + compensation;
}

// Sum of term(x[i]) with a Neumaier compensation in each of eight lanes: terms of mixed
// signs that cancel (1e308, 1, -1e308) keep what plain summation loses; the error is
// within a couple of roundings of the exact sum.
struct DoubleSum {
  double high = 0.0, low = 0.0;  // the sum is high + low, |low| <= ulp(high) / 2
};

// high + low of a running sum and its compensation (Knuth's two-sum).
inline DoubleSum normalise(double sum, double compensation) {
  const double high = sum + compensation;
  const double z = high - sum;
  return {high, (sum - (high - z)) + (compensation - z)};
}

template <class Term>
DoubleSum compensated_sum(const double* x, std::size_t n, Term term) {
  constexpr std::size_t kLanes = 8;
  double sums[kLanes] = {}, compensations[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      // Knuth's two-sum: the rounding error of sums + v, exactly and without a branch.
      const double v = term(x[i + l]);
      const double t = sums[l] + v;
      const double z = t - sums[l];
      compensations[l] += (sums[l] - (t - z)) + (v - z);
      sums[l] = t;
    }
  }
  double sum = 0.0, compensation = 0.0;
  for (; i < n; ++i) compensated_add(sum, compensation, term(x[i]));
  for (std::size_t l = 0; l < kLanes; ++l) {
    compensated_add(sum, compensation, sums[l]);
    compensated_add(sum, compensation, compensations[l]);
  }
  return normalise(sum, compensation);
}

// 1 + the number of positions where a sorted sequence changes value (0 when empty).
[[gnu::target_clones("arch=x86-64-v4", "default")]]
std::int64_t count_runs(const double* sorted, std::size_t n) {
  if (n == 0) return 0;
  std::int64_t changes = 0;
  for (std::size_t i = 1; i < n; ++i) changes += sorted[i] != sorted[i - 1];
  return 1 + changes;
}

// Keeps the `limit` most frequent values (descending count, ties by ascending value)
// among values offered in ascending order.
template <class Value>
class TopValues {
 public:
  explicit TopValues(std::size_t limit) : limit_(limit) {}
  bool full() const { return heap_.size() >= limit_; }
  void offer(const Value& value, std::int64_t count) {
    if (heap_.size() < limit_) {
      heap_.push({value, count});
    } else if (limit_ > 0 && better(ValueCount<Value>{value, count}, heap_.top())) {
      largest_left_out_ = std::max(largest_left_out_, heap_.top().count);
      heap_.pop();
      heap_.push({value, count});
    } else {
      largest_left_out_ = std::max(largest_left_out_, count);
    }
  }
  // The kept entries, most frequent first; complete when all n_values distinct values fit.
  // A value not offered counts 1 at most (see profile_sorted), so an incomplete table's
  // count_error is the largest count left out, and at least 1.
  ValueTable<Value> table(std::int64_t n_values) {
    ValueTable<Value> result;
    result.complete = static_cast<std::size_t>(n_values) <= limit_;
    result.count_error = result.complete ? 0 : std::max<std::int64_t>(largest_left_out_, 1);
    while (!heap_.empty()) {
      result.entries.push_back(heap_.top());
      heap_.pop();
    }
    std::reverse(result.entries.begin(), result.entries.end());
    return result;
  }

 private:
  static bool better(const ValueCount<Value>& a, const ValueCount<Value>& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  }
  struct Worse {
    bool operator()(const ValueCount<Value>& a, const ValueCount<Value>& b) const { return better(a, b); }
  };
  std::size_t limit_;
  std::int64_t largest_left_out_ = 0;
  std::priority_queue<ValueCount<Value>, std::vector<ValueCount<Value>>, Worse> heap_;
};

template <class Value>
ValueTable<Value> merge_tables(const ValueTable<Value>& a, const ValueTable<Value>& b, std::size_t limit) {
  std::map<Value, std::int64_t> counts;
  for (const auto& e : a.entries) counts[e.value] += e.count;
  for (const auto& e : b.entries) counts[e.value] += e.count;
  TopValues<Value> top(limit);
  for (const auto& [value, count] : counts) top.offer(value, count);
  ValueTable<Value> merged = top.table(static_cast<std::int64_t>(counts.size()));
  merged.complete = merged.complete && a.complete && b.complete;
  // A listed count is low by at most a.count_error + b.count_error; a value left out was
  // counted at most the largest count left out on top of that.
  const std::int64_t left_out = merged.entries.size() < counts.size() ? merged.count_error : 0;
  merged.count_error = merged.complete ? 0 : a.count_error + b.count_error + left_out;
  return merged;
}

// Equal-width edges over [lo, hi] as numpy's linspace (lo + k * step), a degenerate range
// widened by 0.5. When hi - lo overflows the step comes from the halves, so the edges stay
// finite and ascending.
void fill_edges(std::vector<double>& edges, double lo, double hi, int bins) {
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  edges.resize(static_cast<std::size_t>(bins) + 1);
  const double step = (hi - lo) / bins;
  if (std::isfinite(step)) {
    for (int k = 0; k < bins; ++k) edges[k] = std::min(hi, lo + k * step);
  } else {
    const double half_step = (hi * 0.5 - lo * 0.5) / bins;
    for (int k = 0; k < bins; ++k) edges[k] = std::min(hi, (lo * 0.5 + k * half_step) * 2.0);
  }
  edges[0] = lo;
  edges[bins] = hi;
}

// Equal-width histogram of ascending finite values over [lo, hi], numpy-style: bins
// are half-open but the last includes hi; a degenerate range is widened by 0.5.
void fill_histogram(NumericProfile& p, const detail::FiniteValues& finite, int bins) {
  p.histogram_edges.clear();
  p.histogram_counts.clear();
  const std::size_t n = finite.size();
  if (n == 0 || bins <= 0) return;
  fill_edges(p.histogram_edges, finite[0], finite[n - 1], bins);
  std::size_t previous = 0;
  for (int k = 1; k <= bins; ++k) {
    const std::size_t below = k == bins ? n : finite.count_below(p.histogram_edges[k]);
    p.histogram_counts.push_back(static_cast<std::int64_t>(below - previous));
    previous = below;
  }
}

// Compensated sum of term(x) x count over the runs of finite values x of v.
template <class Term>
DoubleSum run_sum(const OrderedValues& v, Term term) {
  double sum = 0.0, compensation = 0.0;
  for (std::size_t k = 0; k < v.run_values.size(); ++k) {
    const double x = v.run_values[k];
    if (std::isfinite(x)) compensated_add(sum, compensation, term(x) * static_cast<double>(v.run_count(k)));
  }
  return normalise(sum, compensation);
}

}  // namespace

double NumericProfile::variance() const {
  const std::int64_t n = finite();
  return n > 1 ? m2 / static_cast<double>(n - 1) * scale * scale : kNaN;
}

double NumericProfile::std_dev() const {
  const std::int64_t n = finite();
  return n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) * scale : kNaN;
}

namespace detail {

double quantile(const FiniteValues& sorted, double p) {
  const std::size_t n = sorted.size();
  if (n == 0) return kNaN;
  const double h = static_cast<double>(n - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= n) return sorted[n - 1];
  const double t = h - static_cast<double>(lo);
  // numpy's lerp: the form that is exact at the nearer end (and safe when b - a overflows).
  return lerp_finite(sorted[lo], sorted[lo + 1], t);
}

double mad(const FiniteValues& sorted, double median) {
  const std::size_t n = sorted.size();
  if (n == 0) return kNaN;
  // The deviations below the median, read downward (L), and above it, read upward (R),
  // are two ascending sequences: the MAD needs the middle ranks of their merge, found
  // by binary search on how many of the smallest come from L.
  // When the range overflows, so may deviations: they are then taken in halves (exact
  // scaling of values this large) and doubled at the end.
  const double f = std::isfinite(sorted[n - 1] - sorted[0]) ? 1.0 : 0.5;
  const std::size_t split = sorted.count_below(median);
  const std::size_t n_left = split, n_right = n - split;
  auto left = [&](std::size_t i) { return median * f - sorted[split - 1 - i] * f; };
  auto right = [&](std::size_t j) { return sorted[split + j] * f - median * f; };
  auto kth = [&](std::size_t k) {  // the k-th smallest deviation, 0-based
    std::size_t lo = k + 1 > n_right ? k + 1 - n_right : 0, hi = std::min(k + 1, n_left);
    while (true) {
      const std::size_t i = lo + (hi - lo) / 2, j = k + 1 - i;
      if (i > 0 && j < n_right && left(i - 1) > right(j)) {
        hi = i - 1;
      } else if (j > 0 && i < n_left && right(j - 1) > left(i)) {
        lo = i + 1;
      } else {
        return std::max(i > 0 ? left(i - 1) : -kInf, j > 0 ? right(j - 1) : -kInf);
      }
    }
  };
  const double h = static_cast<double>(n - 1) * 0.5;
  const auto lo = static_cast<std::size_t>(h);
  const double a = kth(lo);
  if (static_cast<double>(lo) == h) return a / f;
  const double b = kth(lo + 1);
  return (a + (b - a) * 0.5) / f;
}

namespace {
// An ascending, finite array held as the ordered values of a column.
OrderedValues ordered_array(const double* sorted, std::size_t n) {
  OrderedValues all;
  all.values = std::span<const double>(sorted, n);
  return all;
}
}  // namespace

double sorted_quantile(const double* sorted, std::size_t n, double p) {
  const OrderedValues all = ordered_array(sorted, n);
  return quantile({&all, 0, n}, p);
}

double sorted_mad(const double* sorted, std::size_t n, double median) {
  const OrderedValues all = ordered_array(sorted, n);
  return mad({&all, 0, n}, median);
}

Moments sorted_moments(const double* sorted, std::size_t n) {
  Moments m;
  m.n = static_cast<std::int64_t>(n);
  if (n == 0) return m;
  m.min = sorted[0];
  m.max = sorted[n - 1];
  // Moments of x / scale (a power of two): sums cannot overflow and squares of tiny
  // deviations cannot all underflow; the mean is clamped into [min, max] against the
  // last rounding.
  m.scale = moment_scale(std::max(std::abs(m.min), std::abs(m.max)));
  const double inv = 1.0 / m.scale;
  const DoubleSum sum = compensated_sum(sorted, n, [inv](double x) { return x * inv; });
  m.sum = sum.high;
  m.sum_low = sum.low;
  const double mean = std::clamp(sum.high / static_cast<double>(n), m.min * inv, m.max * inv);
  m.m2 = blocked_sum(sorted, n, [inv, mean](double x) { return (x * inv - mean) * (x * inv - mean); });
  m.mean = std::clamp(mean * m.scale, m.min, m.max);
  return m;
}

namespace {
using Lanes = double __attribute__((vector_size(64)));  // eight doubles, lowered to what the clone has
}  // namespace

// The sums of sorted_moments over values in any order, in explicit vector lanes: a value
// is finite when v * 0 == 0 (NaN and infinities give NaN), and the others add 0.
[[gnu::target_clones("arch=x86-64-v4", "default")]]
Moments finite_moments(const double* x, std::size_t n, std::int64_t finite, double min, double max) {
  constexpr std::size_t kLanes = sizeof(Lanes) / sizeof(double);
  Moments m;
  m.n = finite;
  if (finite == 0) return m;
  m.min = min;
  m.max = max;
  m.scale = moment_scale(std::max(std::abs(m.min), std::abs(m.max)));
  const double inv = 1.0 / m.scale;
  // Knuth's two-sum in each lane, the lanes added with Neumaier compensation.
  Lanes sums{}, compensations{};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    Lanes v;
    std::memcpy(&v, x + i, sizeof v);
    const Lanes term = v * 0.0 == 0.0 ? v * inv : Lanes{};
    const Lanes t = sums + term;
    const Lanes z = t - sums;
    compensations += (sums - (t - z)) + (term - z);
    sums = t;
  }
  double sum = 0.0, compensation = 0.0;
  for (; i < n; ++i) {
    if (x[i] * 0.0 == 0.0) compensated_add(sum, compensation, x[i] * inv);
  }
  for (std::size_t l = 0; l < kLanes; ++l) {
    compensated_add(sum, compensation, sums[l]);
    compensated_add(sum, compensation, compensations[l]);
  }
  const DoubleSum total = normalise(sum, compensation);
  m.sum = total.high;
  m.sum_low = total.low;
  const double mean = std::clamp(total.high / static_cast<double>(finite), m.min * inv, m.max * inv);
  // Squared deviations: lane sums over chunks of 256 values, chunks added with compensation.
  constexpr std::size_t kChunk = 256;
  double m2 = 0.0, m2_compensation = 0.0;
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t end = std::min(n, start + kChunk);
    Lanes lanes{};
    std::size_t j = start;
    for (; j + kLanes <= end; j += kLanes) {
      Lanes v;
      std::memcpy(&v, x + j, sizeof v);
      const Lanes d = v * inv - mean;
      lanes += v * 0.0 == 0.0 ? d * d : Lanes{};
    }
    double chunk = 0.0;
    for (; j < end; ++j) {
      const double d = x[j] * inv - mean;
      chunk += x[j] * 0.0 == 0.0 ? d * d : 0.0;
    }
    for (std::size_t l = 0; l < kLanes; ++l) chunk += lanes[l];
    compensated_add(m2, m2_compensation, chunk);
  }
  m.m2 = m2 + m2_compensation;
  m.mean = std::clamp(mean * m.scale, m.min, m.max);
  return m;
}

Moments merge_moments(const Moments& a, const Moments& b) {
  if (a.n == 0 || b.n == 0) return a.n == 0 ? b : a;
  Moments m;
  m.n = a.n + b.n;
  m.min = std::min(a.min, b.min);
  m.max = std::max(a.max, b.max);
  // Chan et al.'s pairwise update of mean and sum of squared deviations, in units of
  // the larger scale (exact powers of two), so that the difference of the means and
  // its square stay in range.
  m.scale = std::max(a.scale, b.scale);
  const double inv = 1.0 / m.scale;
  const double ra = a.scale * inv, rb = b.scale * inv;
  const double n = static_cast<double>(m.n);
  // The sums add as double-doubles, so that a mean that cancels across the two parts
  // (3.4e38 in one, -3.4e38 + 1 in the other) keeps its low part.
  double high = a.sum * ra, compensation = a.sum_low * ra + b.sum_low * rb;
  compensated_add(high, compensation, b.sum * rb);
  const DoubleSum sum = normalise(high, compensation);
  m.sum = sum.high;
  m.sum_low = sum.low;
  const double mean = std::clamp(sum.high / n, m.min * inv, m.max * inv);
  m.mean = std::clamp(mean * m.scale, m.min, m.max);
  const double delta = b.mean * inv - a.mean * inv;
  m.m2 = a.m2 * ra * ra + b.m2 * rb * rb + delta * delta * static_cast<double>(a.n) * static_cast<double>(b.n) / n;
  return m;
}

Moments moments_of(const NumericProfile& p) {
  return {p.finite(), p.min, p.max, p.mean, p.m2, p.scale, p.sum, p.sum_low};
}

void set_moments(NumericProfile& p, const Moments& m) {
  p.min = m.min;
  p.max = m.max;
  p.mean = m.mean;
  p.m2 = m.m2;
  p.scale = m.scale;
  p.sum = m.sum;
  p.sum_low = m.sum_low;
}

void fill_histogram_from_summary(NumericProfile& p, int bins) {
  p.histogram_edges.clear();
  p.histogram_counts.clear();
  if (p.finite() == 0 || bins <= 0) return;
  fill_edges(p.histogram_edges, p.min, p.max, bins);
  const double total = p.summary.total_weight();
  std::int64_t previous = 0;
  for (int k = 1; k <= bins; ++k) {
    const std::int64_t below = k == bins
                                   ? static_cast<std::int64_t>(total)
                                   : std::llround(p.summary.rank(std::nextafter(p.histogram_edges[k], -INFINITY)));
    p.histogram_counts.push_back(std::max<std::int64_t>(0, below - previous));
    previous = std::max(previous, below);
  }
}

SortedColumn sort_column(const ColumnView& column, NonMissingSorter& sorter) {
  SortedColumn result;
  result.values = sorter.sort(column.values);
  result.missing = static_cast<std::int64_t>(column.values.size() - result.values.size());
  result.finite_begin = result.values.count_at_most(-kInf);
  result.finite_end = result.values.count_below(kInf);
  return result;
}

NumericProfile profile_sorted(const ColumnView& column, const SortedColumn& sorted, const ProfileOptions& options) {
  NumericProfile p;
  p.name = column.name;
  p.count = static_cast<std::int64_t>(column.values.size());
  p.missing = sorted.missing;
  const OrderedValues& v = sorted.values;
  const FiniteValues finite = sorted.finite();
  const std::size_t nf = finite.size();
  p.infinities = static_cast<std::int64_t>(v.size() - nf);
  p.negatives = static_cast<std::int64_t>(v.count_below(0.0));
  p.zeros = static_cast<std::int64_t>(v.count_at_most(0.0)) - p.negatives;

  if (nf == 0) {
    p.min = p.max = p.mean = kNaN;
    p.m2 = 0.0;
  } else if (!v.by_runs) {
    set_moments(p, sorted_moments(v.values.data() + sorted.finite_begin, nf));
  } else {
    p.min = finite[0];
    p.max = finite[nf - 1];
    // Moments of x / scale (a power of two): sums cannot overflow and squares of tiny
    // deviations cannot all underflow; the mean is clamped into [min, max] against the
    // last rounding.
    p.scale = moment_scale(std::max(std::abs(p.min), std::abs(p.max)));
    const double inv = 1.0 / p.scale;
    const double lo = p.min * inv, hi = p.max * inv;
    const DoubleSum sum = run_sum(v, [inv](double x) { return x * inv; });
    p.sum = sum.high;
    p.sum_low = sum.low;
    const double mean = std::clamp(sum.high / static_cast<double>(nf), lo, hi);
    auto square = [inv, mean](double x) { return (x * inv - mean) * (x * inv - mean); };
    p.m2 = run_sum(v, square).high;
    p.mean = std::clamp(mean * p.scale, p.min, p.max);
  }

  p.quantiles.clear();
  for (double q : kProfileQuantiles) p.quantiles.push_back(quantile(finite, q));
  fill_histogram(p, finite, options.histogram_bins);
  p.summary =
      QuantileSummary::from_ranks(nf, [&finite](std::size_t rank) { return finite[rank]; }, options.summary_capacity);

  p.distinct_sketch = HyperLogLog(options.hll_precision);
  TopValues<double> top(options.tracked_values);
  if (v.by_runs) {
    p.distinct_sketch.add_doubles(v.run_values);
    p.distinct = static_cast<std::int64_t>(v.run_values.size());
    for (std::size_t k = 0; k < v.run_values.size(); ++k) {
      top.offer(v.run_values[k], static_cast<std::int64_t>(v.run_count(k)));
    }
  } else {
    // Equal values set the same register, so the sketch can take every value, runs and all.
    p.distinct_sketch.add_doubles(v.values);
    p.distinct = count_runs(v.values.data(), v.values.size());
    // The value table from the runs of equal values. Once the table is full, a later run
    // needs a larger count than the weakest entry to get in (it loses ties, its value
    // being larger), so it repeats its first value: the walk jumps from repeat to repeat.
    const std::span<const double> x = v.values;
    const std::size_t n = x.size();
    std::size_t i = 0;
    while (i < n) {
      if (top.full()) {
        while (i + 1 < n && x[i] != x[i + 1]) ++i;
        if (i + 1 >= n) break;
      }
      std::size_t j = i + 1;
      while (j < n && x[j] == x[i]) ++j;
      top.offer(x[i], static_cast<std::int64_t>(j - i));
      i = j;
    }
  }
  p.values = top.table(p.distinct);
  return p;
}

}  // namespace detail

void validate(const ProfileOptions& options) {
  if (options.histogram_bins < 1) {
    throw InvalidArgument("histogram_bins must be at least 1, got " + std::to_string(options.histogram_bins));
  }
  if (options.histogram_bins > kMaxHistogramBins) {
    throw ResourceLimit("histogram_bins = " + std::to_string(options.histogram_bins) + " is beyond the limit of " +
                        std::to_string(kMaxHistogramBins) + " bins per column");
  }
  if (options.summary_capacity < 2) throw InvalidArgument("summary_capacity must be at least 2");
  if (options.summary_capacity > kMaxSummaryCapacity) {
    throw ResourceLimit("summary_capacity = " + std::to_string(options.summary_capacity) + " is beyond the limit of " +
                        std::to_string(kMaxSummaryCapacity));
  }
  if (options.hll_precision < 4 || options.hll_precision > 18) {
    throw InvalidArgument("hll_precision must be in [4, 18], got " + std::to_string(options.hll_precision));
  }
}

void detail::check_histogram_budget(const ProfileOptions& options, std::size_t numeric_columns) {
  const auto bins = static_cast<std::size_t>(std::max(options.histogram_bins, 0)) + 1;
  if (numeric_columns > 0 && bins > kMaxHistogramCells / numeric_columns) {
    throw ResourceLimit("histogram_bins = " + std::to_string(options.histogram_bins) + " for " +
                        std::to_string(numeric_columns) + " numeric columns is beyond the limit of " +
                        std::to_string(kMaxHistogramCells) + " histogram bins per table; ask for fewer bins");
  }
}

namespace {

[[noreturn]] void corrupted(const std::string& column, const std::string& problem) {
  throw CorruptedState("profile state of column '" + column + "': " + problem);
}

template <class Profile>
void validate_shared(const Profile& p) {
  if (p.count < 0 || p.missing < 0 || p.missing > p.count) {
    corrupted(p.name, "count " + std::to_string(p.count) + " and missing " + std::to_string(p.missing) +
                          " must satisfy 0 <= missing <= count");
  }
  const std::int64_t present = p.count - p.missing;
  if (p.distinct < 0 || p.distinct > present) corrupted(p.name, "distinct must be in [0, count - missing]");
  if (p.values.count_error < 0 || p.values.count_error > present || (p.values.complete && p.values.count_error != 0)) {
    corrupted(p.name, "count_error must be in [0, count - missing], and 0 for a complete value table");
  }
  std::int64_t total = 0;
  for (const auto& e : p.values.entries) {
    if (e.count <= 0 || e.count > present - total) {
      corrupted(p.name, "value table counts must be positive and add up to at most count - missing");
    }
    total += e.count;
    if constexpr (std::is_floating_point_v<decltype(e.value)>) {
      if (std::isnan(e.value)) corrupted(p.name, "the value table holds a NaN");
    }
  }
  if (p.values.complete && (static_cast<std::int64_t>(p.values.entries.size()) != p.distinct || total != present)) {
    corrupted(p.name, "a complete value table must list every distinct value and every non-missing row");
  }
}

}  // namespace

void validate(const NumericProfile& p) {
  validate_shared(p);
  if (p.infinities < 0 || p.infinities > p.count - p.missing)
    corrupted(p.name, "infinities must be in [0, count - missing]");
  if (p.zeros < 0 || p.negatives < 0 || p.zeros > p.count - p.missing - p.negatives) {
    corrupted(p.name, "zeros and negatives must be non-negative and at most count - missing together");
  }
  const std::int64_t nf = p.finite();
  int exponent = 0;
  if (!(p.scale > 0.0) || !std::isfinite(p.scale) || std::frexp(p.scale, &exponent) != 0.5) {
    corrupted(p.name, "scale must be a positive power of two");
  }
  if (nf > 0) {
    if (!std::isfinite(p.min) || !std::isfinite(p.max) || !std::isfinite(p.mean) || p.min > p.max || p.mean < p.min ||
        p.mean > p.max) {
      corrupted(p.name, "min, max and mean must be finite with min <= mean <= max");
    }
    for (double q : p.quantiles) {
      if (q < p.min || q > p.max) corrupted(p.name, "quantiles must lie in [min, max]");
    }
    for (double x : p.summary.values()) {
      if (x < p.min || x > p.max) corrupted(p.name, "the quantile summary must lie in [min, max]");
    }
    if (!p.histogram_edges.empty() && (p.histogram_edges.front() > p.min || p.histogram_edges.back() < p.max)) {
      corrupted(p.name, "the histogram edges must cover [min, max]");
    }
    if (!(p.m2 >= 0.0) || !std::isfinite(p.m2)) corrupted(p.name, "m2 must be finite and non-negative");
    if (!std::isfinite(p.sum) || !std::isfinite(p.sum_low)) corrupted(p.name, "sum must be finite");
  }
  if (p.quantiles.size() != kProfileQuantiles.size()) {
    corrupted(p.name, "expected " + std::to_string(kProfileQuantiles.size()) + " quantiles");
  }
  for (double q : p.quantiles) {
    if (nf > 0 ? !std::isfinite(q) : !std::isnan(q))
      corrupted(p.name, "quantiles must be finite (NaN without finite values)");
  }
  if (p.histogram_edges.empty() != p.histogram_counts.empty() ||
      (!p.histogram_edges.empty() && p.histogram_edges.size() != p.histogram_counts.size() + 1)) {
    corrupted(p.name, "the histogram needs one edge more than counts");
  }
  if (p.histogram_counts.size() > static_cast<std::size_t>(kMaxHistogramBins)) {
    corrupted(p.name, "the histogram has more than " + std::to_string(kMaxHistogramBins) + " bins");
  }
  for (std::size_t k = 0; k < p.histogram_edges.size(); ++k) {
    if (!std::isfinite(p.histogram_edges[k]) || (k > 0 && p.histogram_edges[k] < p.histogram_edges[k - 1])) {
      corrupted(p.name, "histogram edges must be finite and ascending");
    }
  }
  std::int64_t binned = 0;
  for (std::int64_t c : p.histogram_counts) {
    if (c < 0 || c > nf - binned)
      corrupted(p.name, "histogram counts must be non-negative and add up to the finite values");
    binned += c;
  }
  if (!p.histogram_counts.empty() && binned != nf) {
    corrupted(p.name, "histogram counts must add up to the finite values");
  }
  for (double x : p.summary.values()) {
    if (!std::isfinite(x)) corrupted(p.name, "the quantile summary must hold finite values");
  }
  if (p.summary.total_weight() != static_cast<double>(nf)) {
    corrupted(p.name, "the quantile summary's weights must add up to the finite values");
  }
}

void validate(const CategoricalProfile& p) { validate_shared(p); }

void validate(const TableProfile& profile) {
  std::vector<std::string> names;
  for (const auto& p : profile.numeric) {
    validate(p);
    names.push_back(p.name);
  }
  for (const auto& p : profile.categorical) {
    validate(p);
    names.push_back(p.name);
  }
  std::vector<std::string> order = profile.column_order;
  std::sort(names.begin(), names.end());
  std::sort(order.begin(), order.end());
  if (names != order || std::adjacent_find(names.begin(), names.end()) != names.end()) {
    throw CorruptedState("profile state: column_order must list each profiled column once");
  }
}

NumericProfile profile_numeric(const ColumnView& column, const ProfileOptions& options) {
  validate(options);
  if (!column.is_numeric()) throw InvalidType("column '" + column.name + "' is not numeric");
  if (!options.exact) return to_profile(sketch_numeric(column, options), options);
  NonMissingSorter sorter;
  return detail::profile_sorted(column, detail::sort_column(column, sorter), options);
}

CategoricalProfile profile_categorical(const ColumnView& column, const ProfileOptions& options) {
  validate(options);
  if (column.is_numeric()) throw InvalidType("column '" + column.name + "' is not categorical");
  validate_codes(column);
  if (!options.exact) return to_profile(sketch_categorical(column, options), options);
  return detail::profile_valid_codes(column, options);
}

CategoricalProfile detail::profile_valid_codes(const ColumnView& column, const ProfileOptions& options) {
  std::vector<std::int64_t> counts(column.labels.size(), 0);
  std::int64_t missing = 0;
  for (std::int32_t code : column.codes) {
    if (code < 0) {
      ++missing;
    } else {
      ++counts[static_cast<std::size_t>(code)];
    }
  }
  return profile_of_counts(column.name, static_cast<std::int64_t>(column.codes.size()), missing, column.labels, counts,
                           options);
}

CategoricalProfile detail::profile_of_counts(const std::string& name, std::int64_t rows, std::int64_t missing,
                                             std::span<const std::string> labels,
                                             const std::vector<std::int64_t>& counts, const ProfileOptions& options) {
  CategoricalProfile p;
  p.name = name;
  p.count = rows;
  p.missing = missing;
  p.distinct_sketch = HyperLogLog(options.hll_precision);
  // Offer labels in ascending label order so that ties break by label.
  std::vector<std::size_t> order(counts.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return labels[a] < labels[b]; });
  TopValues<std::string> top(options.tracked_values);
  for (std::size_t k : order) {
    if (counts[k] == 0) continue;
    ++p.distinct;
    top.offer(labels[k], counts[k]);
    p.distinct_sketch.add_hash(hash_string(labels[k]));
  }
  p.values = top.table(p.distinct);
  return p;
}

TableProfile profile_table(const TableView& table, const ProfileOptions& options, int n_jobs) {
  validate(options);
  if (!options.exact) return to_profile(sketch_table(table, options, n_jobs), options);
  TableProfile result;
  std::vector<std::size_t> numeric, categorical;
  for (std::size_t j = 0; j < table.n_columns(); ++j) {
    result.column_order.push_back(table.column(j).name);
    (table.column(j).is_numeric() ? numeric : categorical).push_back(j);
  }
  detail::check_histogram_budget(options, numeric.size());
  result.numeric.resize(numeric.size());
  result.categorical.resize(categorical.size());
  const auto tasks = static_cast<std::ptrdiff_t>(numeric.size() + categorical.size());
  const int threads = resolve_threads(n_jobs);
  std::vector<NonMissingSorter> sorters(static_cast<std::size_t>(threads));
  parallel_for(tasks, threads, [&](std::ptrdiff_t t) {
    const auto k = static_cast<std::size_t>(t);
    if (k < numeric.size()) {
      const ColumnView& column = table.column(numeric[k]);
      NonMissingSorter& sorter = sorters[static_cast<std::size_t>(omp_get_thread_num())];
      result.numeric[k] = detail::profile_sorted(column, detail::sort_column(column, sorter), options);
    } else {
      const std::size_t c = k - numeric.size();
      result.categorical[c] =
          detail::profile_valid_codes(table.column(categorical[c]), options);  // TableView validated them
    }
  });
  return result;
}

namespace {

void require_same_name(const std::string& a, const std::string& b) {
  if (a != b) throw InvalidArgument("cannot merge profiles of different columns '" + a + "' and '" + b + "'");
}

// The fields numeric and categorical profiles share: name, counts, distinct count and
// value table.
template <class Profile>
void merge_shared(const Profile& a, const Profile& b, const ProfileOptions& options, Profile& m) {
  validate(options);
  validate(a);
  validate(b);
  require_same_name(a.name, b.name);
  if (a.count > std::numeric_limits<std::int64_t>::max() - b.count) {
    throw InvalidArgument("cannot merge profiles of column '" + a.name + "': the row count overflows");
  }
  if (a.distinct_sketch.precision() != b.distinct_sketch.precision()) {
    throw InvalidArgument("cannot merge profiles of column '" + a.name + "': distinct-count sketches of precision " +
                          std::to_string(a.distinct_sketch.precision()) + " and " +
                          std::to_string(b.distinct_sketch.precision()));
  }
  m.name = a.name;
  m.count = a.count + b.count;
  m.missing = a.missing + b.missing;
  m.distinct_sketch = a.distinct_sketch;
  m.distinct_sketch.merge(b.distinct_sketch);
  // Complete value tables list every distinct value: their union is exact.
  m.distinct_exact = a.values.complete && b.values.complete;
  m.values = merge_tables(a.values, b.values, options.tracked_values);
  // The sketch's estimate, kept within what the counts allow: at least the values seen on
  // either side, at most the non-missing rows.
  const std::int64_t at_least = std::max({static_cast<std::int64_t>(m.values.entries.size()), a.distinct, b.distinct});
  m.distinct =
      m.distinct_exact
          ? static_cast<std::int64_t>(
                merge_tables(a.values, b.values, std::numeric_limits<std::size_t>::max()).entries.size())
          : std::clamp<std::int64_t>(std::llround(m.distinct_sketch.estimate()), at_least, m.count - m.missing);
}

}  // namespace

NumericProfile merge(const NumericProfile& a, const NumericProfile& b, const ProfileOptions& options) {
  NumericProfile m;
  merge_shared(a, b, options, m);
  m.infinities = a.infinities + b.infinities;
  m.zeros = a.zeros + b.zeros;
  m.negatives = a.negatives + b.negatives;
  const std::int64_t na = a.finite(), nb = b.finite();
  detail::set_moments(m, detail::merge_moments(detail::moments_of(a), detail::moments_of(b)));
  m.summary = a.summary.merged(b.summary);
  m.quantiles_exact = m.summary.rank_error() == 0.0;
  m.quantiles.clear();
  for (double q : kProfileQuantiles) m.quantiles.push_back(m.summary.quantile(q));

  if (a.histogram_edges == b.histogram_edges) {
    m.histogram_edges = a.histogram_edges;
    m.histogram_counts = a.histogram_counts;
    for (std::size_t k = 0; k < m.histogram_counts.size(); ++k) m.histogram_counts[k] += b.histogram_counts[k];
    m.histogram_exact = a.histogram_exact && b.histogram_exact;
  } else if (na == 0 || nb == 0) {
    const NumericProfile& only = na == 0 ? b : a;
    m.histogram_edges = only.histogram_edges;
    m.histogram_counts = only.histogram_counts;
    m.histogram_exact = only.histogram_exact;
  } else {
    // Different edges: re-bin over the merged range from the quantile summary.
    detail::fill_histogram_from_summary(
        m, static_cast<int>(std::max(a.histogram_counts.size(), b.histogram_counts.size())));
    m.histogram_exact = false;
  }
  return m;
}

CategoricalProfile merge(const CategoricalProfile& a, const CategoricalProfile& b, const ProfileOptions& options) {
  CategoricalProfile m;
  merge_shared(a, b, options, m);
  return m;
}

TableProfile merge(const TableProfile& a, const TableProfile& b, const ProfileOptions& options) {
  auto same_names = [](const TableProfile& x, const TableProfile& y) {
    std::vector<std::string> nx = x.column_order, ny = y.column_order;
    std::sort(nx.begin(), nx.end());
    std::sort(ny.begin(), ny.end());
    return nx == ny;
  };
  validate(a);
  validate(b);
  if (!same_names(a, b)) {
    for (const auto& pair : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      for (const std::string& name : pair.first->column_order) {
        if (std::find(pair.second->column_order.begin(), pair.second->column_order.end(), name) ==
            pair.second->column_order.end()) {
          throw InvalidArgument("cannot merge profiles of different columns: column '" + name +
                                "' is in one profile only");
        }
      }
    }
    throw InvalidArgument("cannot merge profiles of different columns");
  }
  TableProfile m;
  m.exact = a.exact && b.exact;
  m.column_order = a.column_order;
  for (const auto& pa : a.numeric) {
    auto it = std::find_if(b.numeric.begin(), b.numeric.end(), [&](const auto& pb) { return pb.name == pa.name; });
    if (it == b.numeric.end()) throw InvalidArgument("column '" + pa.name + "' is numeric in one profile only");
    m.numeric.push_back(merge(pa, *it, options));
  }
  for (const auto& pa : a.categorical) {
    auto it =
        std::find_if(b.categorical.begin(), b.categorical.end(), [&](const auto& pb) { return pb.name == pa.name; });
    if (it == b.categorical.end()) throw InvalidArgument("column '" + pa.name + "' is categorical in one profile only");
    m.categorical.push_back(merge(pa, *it, options));
  }
  return m;
}

}  // namespace assay::quality
