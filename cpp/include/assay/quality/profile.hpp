#pragma once
// Column profiles: the descriptive statistics of a table, mergeable across chunks.
//
// Counts, extremes, mean and variance merge exactly (Chan, Golub & LeVeque 1979 for
// the variance). Distinct counts, quantiles, histograms and value tables are exact
// when computed from data and become sketch estimates after a merge; each carries a
// flag saying which, and the quantile summary carries its rank-error bound.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "assay/common/hash.hpp"
#include "assay/common/quantile_summary.hpp"
#include "assay/common/table.hpp"

namespace assay::quality {

// The quantile probabilities every numeric profile reports.
inline constexpr std::array<double, 7> kProfileQuantiles = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

// The largest histogram a profile keeps per numeric column (bins); larger requests are a
// ResourceLimit error, raised before anything is allocated.
inline constexpr int kMaxHistogramBins = 1 << 20;
inline constexpr std::size_t kMaxSummaryCapacity = std::size_t{1} << 24;
// The most histogram bins of a table's profile, over all its numeric columns (2 GiB of
// edges and counts).
inline constexpr std::size_t kMaxHistogramCells = std::size_t{1} << 27;

struct ProfileOptions {
  int histogram_bins = 20;  // in [1, kMaxHistogramBins]
  // Value tables keep every distinct value up to this many, else the most frequent.
  std::size_t tracked_values = 64;
  std::size_t summary_capacity = QuantileSummary::kDefaultCapacity;
  int hll_precision = HyperLogLog::kDefaultPrecision;
  // false: the one-pass sketch mode of quality/sketch.hpp (nothing is ordered; quantiles,
  // distinct counts, histograms and value tables are estimates with stated bounds).
  bool exact = true;
};

template <class Value>
struct ValueCount {
  Value value;
  std::int64_t count;
};

// Value tables: the most frequent values by descending count (ties by value).
// `complete` means the table lists every distinct value, so counts of a merge are exact.
// `count_error` bounds every count from below: for every value v, listed or not (an unlisted
// value counting 0), table count(v) <= true count(v) <= table count(v) + count_error. It is 0
// for a complete table, the smallest listed count for a truncated exact one, and carries the
// Misra-Gries bound in the sketch mode (see common/frequent_values.hpp).
template <class Value>
struct ValueTable {
  std::vector<ValueCount<Value>> entries;
  bool complete = true;
  std::int64_t count_error = 0;
};

struct NumericProfile {
  std::string name;
  std::int64_t count = 0;       // rows
  std::int64_t missing = 0;     // NaN
  std::int64_t infinities = 0;  // +inf or -inf (counted, excluded from moments and quantiles)
  std::int64_t zeros = 0;
  std::int64_t negatives = 0;  // includes -inf
  // Over finite values (NaN when there are none; std NaN below two values). The sum of
  // squared deviations from the mean is m2 * scale^2: `scale` is a power of two, 1 for
  // ordinary magnitudes and about max |x| beyond 2^400 or below 2^-400, so that m2 stays
  // in range whenever the standard deviation does (see common/finite_math.hpp).
  double min = 0, max = 0, mean = 0, m2 = 0;
  double scale = 1.0;
  // The sum of x / scale over finite values, as a double-double sum + sum_low: merges add
  // these, so that the mean stays right when the parts' sums cancel.
  double sum = 0, sum_low = 0;
  std::int64_t distinct = 0;  // distinct non-missing values, infinities included
  bool distinct_exact = true;
  std::vector<double> quantiles;  // at kProfileQuantiles, finite values
  bool quantiles_exact = true;
  std::vector<double> histogram_edges;  // equal-width over [min, max] of finite values
  std::vector<std::int64_t> histogram_counts;
  bool histogram_exact = true;
  ValueTable<double> values;
  QuantileSummary summary;
  HyperLogLog distinct_sketch;

  std::int64_t finite() const { return count - missing - infinities; }
  double variance() const;  // sample variance (ddof = 1); +inf when beyond the largest double
  double std_dev() const;   // its square root, computed without forming the variance
};

struct CategoricalProfile {
  std::string name;
  std::int64_t count = 0;
  std::int64_t missing = 0;
  std::int64_t distinct = 0;  // observed categories
  bool distinct_exact = true;
  ValueTable<std::string> values;
  HyperLogLog distinct_sketch;
};

struct TableProfile {
  // true when made by the exact profile, false when made in the one-pass sketch mode or
  // merged from a profile that was.
  bool exact = true;
  std::vector<NumericProfile> numeric;
  std::vector<CategoricalProfile> categorical;
  std::vector<std::string> column_order;  // every column name as in the table
};

NumericProfile profile_numeric(const ColumnView& column, const ProfileOptions& options = {});
CategoricalProfile profile_categorical(const ColumnView& column, const ProfileOptions& options = {});
TableProfile profile_table(const TableView& table, const ProfileOptions& options = {}, int n_jobs = 0);

// Checks the options: InvalidArgument for values out of range, ResourceLimit for sizes
// beyond kMaxHistogramBins / kMaxSummaryCapacity.
void validate(const ProfileOptions& options);

// Checks a profile rebuilt from a serialised state (counts consistent, extremes, moments,
// quantiles, histogram and sketches coherent); throws CorruptedState naming the column and
// the field. Every merge validates its inputs.
void validate(const NumericProfile& profile);
void validate(const CategoricalProfile& profile);
void validate(const TableProfile& profile);

// Profile of the concatenated data. Throws InvalidArgument when names differ.
NumericProfile merge(const NumericProfile& a, const NumericProfile& b, const ProfileOptions& options = {});
CategoricalProfile merge(const CategoricalProfile& a, const CategoricalProfile& b, const ProfileOptions& options = {});
// Columns are matched by name; a column present on one side only is an error.
TableProfile merge(const TableProfile& a, const TableProfile& b, const ProfileOptions& options = {});

// Derived from the sorted finite values of a column: used by profiles and checks.
namespace detail {
// Linear-interpolation quantile of ascending values (numpy's default method).
double sorted_quantile(const double* sorted, std::size_t n, double p);
// Median absolute deviation from `median` of ascending values, in O(log n).
double sorted_mad(const double* sorted, std::size_t n, double median);
}  // namespace detail

}  // namespace assay::quality
