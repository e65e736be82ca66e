#pragma once
// Internal to the quality engine: the sorted form of a numeric column that profiles
// and checks both read, so a column is sorted once per call.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "assay/common/sort.hpp"
#include "assay/quality/profile.hpp"
#include "assay/quality/sketch.hpp"

namespace assay::quality::detail {

// The finite values of a sorted column: ranks [begin, end) of its ordered values.
struct FiniteValues {
  const OrderedValues* all = nullptr;
  std::size_t begin = 0, end = 0;

  std::size_t size() const { return end - begin; }
  double operator[](std::size_t i) const { return (*all)[begin + i]; }
  // Finite values below x, and at most x (x may be infinite).
  std::size_t count_below(double x) const { return std::clamp(all->count_below(x), begin, end) - begin; }
  std::size_t count_at_most(double x) const { return std::clamp(all->count_at_most(x), begin, end) - begin; }
};

struct SortedColumn {
  OrderedValues values;  // non-missing values ascending (-inf first, +inf last), in the sorter's buffers
  std::size_t finite_begin = 0, finite_end = 0;
  std::int64_t missing = 0;

  FiniteValues finite() const { return {&values, finite_begin, finite_end}; }
};

// Throws ResourceLimit when the histograms of all numeric columns together would pass
// kMaxHistogramCells (bins x columns), before anything is allocated.
void check_histogram_budget(const ProfileOptions& options, std::size_t numeric_columns);

SortedColumn sort_column(const ColumnView& column, NonMissingSorter& sorter);
NumericProfile profile_sorted(const ColumnView& column, const SortedColumn& sorted, const ProfileOptions& options);

// The moments of n ascending finite values; of the `finite` finite ones among n values in
// any order (NaN and infinities left out), whose extremes are min and max; and of the union
// of two sets of values.
Moments sorted_moments(const double* sorted, std::size_t n);
Moments finite_moments(const double* x, std::size_t n, std::int64_t finite, double min, double max);
Moments merge_moments(const Moments& a, const Moments& b);
Moments moments_of(const NumericProfile& p);
void set_moments(NumericProfile& p, const Moments& m);

// An equal-width histogram over [p.min, p.max] read from p.summary (p's counts, extremes
// and summary set).
void fill_histogram_from_summary(NumericProfile& p, int bins);

// profile_categorical without validating the codes again: for the columns of a TableView,
// which checked them when it was made.
CategoricalProfile profile_valid_codes(const ColumnView& column, const ProfileOptions& options);
// The same from each label's count (labels distinct; a label counted 0 is not in the column).
CategoricalProfile profile_of_counts(const std::string& name, std::int64_t rows, std::int64_t missing,
                                     std::span<const std::string> labels, const std::vector<std::int64_t>& counts,
                                     const ProfileOptions& options);

// sorted_quantile and sorted_mad (profile.hpp) over the finite values of a sorted column.
double quantile(const FiniteValues& sorted, double p);
double mad(const FiniteValues& sorted, double median);

}  // namespace assay::quality::detail
