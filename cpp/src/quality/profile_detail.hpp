#pragma once
// Internal to the quality engine: the sorted form of a numeric column that profiles
// and checks both read, so a column is sorted once per call.
#include <cstdint>
#include <span>

#include "assay/common/sort.hpp"
#include "assay/quality/profile.hpp"

namespace assay::quality::detail {

struct SortedColumn {
  std::span<const double> values;  // non-missing values ascending (-inf first, +inf last), in the sorter's buffer
  std::size_t finite_begin = 0, finite_end = 0;
  std::int64_t missing = 0;
};

SortedColumn sort_column(const ColumnView& column, NonMissingSorter& sorter);
NumericProfile profile_sorted(const ColumnView& column, const SortedColumn& sorted, const ProfileOptions& options);

}  // namespace assay::quality::detail
