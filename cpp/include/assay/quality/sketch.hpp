#pragma once
// The one-pass sketch mode of column profiles (ProfileOptions::exact = false): mergeable
// states that read each column once, in fixed blocks, without ordering the column.
//
// Exact, also after any merges: counts (rows, missing, infinities, zeros, negatives), min and
// max; mean and variance up to rounding (Chan, Golub & LeVeque 1979, blocks merged in a fixed
// order). A numeric column with at most kSketchExactValues distinct finite values is counted
// exactly (quantiles, histogram and distinct count exact, rank_error 0, until a merge has to
// compact). A column with more is summarised from counts of its values in buckets of their
// magnitude bits (intervals of values, 2^15 per sign, as fine as the column's range allows);
// buckets that hold more than (finite values) / (2 x summary_capacity) values, or too many
// for the value counters' bound, are ordered exactly in one more pass over their values only.
// Estimated, each with its bound carried in the state:
//   - quantiles: a QuantileSummary; a quantile read from it is within
//     summary.rank_error() x (finite values) ranks of the exact one. From one column the
//     bound is at most 1 / (2 x summary_capacity) (the largest light bucket) plus
//     1 / summary_capacity when its points are compacted; each merge adds at most
//     1 / summary_capacity to the weighted mean of the parts' bounds;
//   - distinct counts: HyperLogLog (relative standard error about 1.04 / sqrt(2^precision)),
//     exact while the value counters hold every distinct value;
//   - most frequent values: Misra-Gries counters (FrequentValues) with count_error, at most
//     (non-missing values) / (tracked_values + 1);
//   - histograms: read from the quantile summary, so each bin's count is within
//     2 x rank_error x (finite values).
// The summary, counters and distinct-count sketch of one column do not depend on the order of
// its rows. A state of a few columns is small (O(summary_capacity + tracked_values +
// 2^hll_precision) per column), serialises to versioned bytes (common/bytes.hpp) and merges
// associatively: merging the states of any split of the rows gives the one-pass result within
// these bounds, and exactly for the exact parts (the moments up to rounding).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "assay/common/frequent_values.hpp"
#include "assay/common/hash.hpp"
#include "assay/common/quantile_summary.hpp"
#include "assay/common/table.hpp"
#include "assay/quality/profile.hpp"

namespace assay::quality {

// Count, extremes and moments of finite values as NumericProfile holds them (the sum of
// squared deviations is m2 * scale^2, the sum of x / scale is sum + sum_low).
struct Moments {
  std::int64_t n = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
  double m2 = 0.0, scale = 1.0, sum = 0.0, sum_low = 0.0;
};

struct NumericSketch {
  std::string name;
  std::int64_t count = 0, missing = 0, infinities = 0, zeros = 0, negatives = 0;
  Moments moments;          // finite values
  QuantileSummary summary;  // finite values
  HyperLogLog distinct;     // non-missing values
  FrequentValues<double> values;
};

struct CategoricalSketch {
  std::string name;
  std::int64_t count = 0, missing = 0;
  HyperLogLog distinct;
  FrequentValues<std::string> values;  // by label
};

struct TableSketch {
  std::vector<NumericSketch> numeric;
  std::vector<CategoricalSketch> categorical;
  std::vector<std::string> column_order;  // every column name as in the table
};

// One pass over each column (in blocks of kSketchBlock rows), columns on n_jobs threads; the
// state does not depend on n_jobs.
inline constexpr std::size_t kSketchBlock = 16384;
inline constexpr std::size_t kSketchExactValues = 8192;
NumericSketch sketch_numeric(const ColumnView& column, const ProfileOptions& options = {});
CategoricalSketch sketch_categorical(const ColumnView& column, const ProfileOptions& options = {});
TableSketch sketch_table(const TableView& table, const ProfileOptions& options = {}, int n_jobs = 0);

// The state of the rows of both; columns are matched by name (InvalidArgument when the
// names, kinds or sketch sizes differ). Both inputs are validated first.
NumericSketch merge(const NumericSketch& a, const NumericSketch& b);
CategoricalSketch merge(const CategoricalSketch& a, const CategoricalSketch& b);
TableSketch merge(const TableSketch& a, const TableSketch& b);

// The profile the state gives (TableProfile::exact false; quantiles_exact, distinct_exact,
// histogram_exact and values.complete true only where the state is exact).
NumericProfile to_profile(const NumericSketch& sketch, const ProfileOptions& options = {});
CategoricalProfile to_profile(const CategoricalSketch& sketch, const ProfileOptions& options = {});
TableProfile to_profile(const TableSketch& sketch, const ProfileOptions& options = {});

// Versioned bytes (magic "ATS", version 1). Reading validates everything and throws
// CorruptedState naming the field; validate() checks a state built in memory the same way.
std::string to_bytes(const TableSketch& sketch);
TableSketch table_sketch_from_bytes(const std::string& bytes);
void validate(const TableSketch& sketch);

}  // namespace assay::quality
