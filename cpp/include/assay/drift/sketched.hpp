#pragma once
// Column drift from mergeable per-partition states, for data that do not fit one machine
// (assay.dask.drift.report beyond its memory budget; a C++ or Spark caller merges the same
// states).
//
// A ColumnSketch holds, for one column of one sample, exact counts that merge by addition:
//   - categorical columns: the count of every label (and of missing values). The report's
//     tests on categories read nothing else, so compare_sketches gives the single-machine
//     result bitwise;
//   - numeric columns: the count, the smallest and the largest value of every bin of a
//     binning fixed before the pass, with the missing and infinite values. The binning is
//     either the grid (the top 12 bits of a double's exponent and sign and its first
//     kGridMantissaBits mantissa bits: 2^kGridMantissaBits bins per power of two, the
//     same for every sample and partition), or explicit edges computed from merged grid
//     states (refined_edges) for a second pass; and the exact sums of the finite values and
//     of their squares (ExactMoments), from which the t-test is the single-machine one.
// Merging adds counts and sums and takes minima and maxima: associative, commutative and exact, so
// the merged state, and everything computed from it, is the same bitwise for any number,
// order and sizes of partitions.
//
// From the merged states of both samples, the rank statistics are bounded rigorously: in a
// bin whose smallest and largest values are equal (an "atom") every value is known; in
// another bin only the count is, with the values inside [smallest, largest]. Each statistic
// is reported as the midpoint of the interval it must lie in, statistic_bound is the
// interval's half width, and the p-value interval holds the p-values of the interval's ends
// (the p-value is monotone in the statistic). Where all bins are atoms the statistic is
// exact. The bounds hold for exact arithmetic; a relative slack of kRoundingSlack covers the
// rounding of both computations. The derivations are in sketched.cpp.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "assay/common/exact_sum.hpp"
#include "assay/common/intervals.hpp"
#include "assay/common/table.hpp"
#include "assay/drift/report.hpp"

namespace assay::drift {

inline constexpr int kGridMantissaBits = 7;
// A second pass refines a non-atom grid bin holding more than 1 / kRefineTarget of either
// sample into equal-width bins, about ceil(share x kRefineTarget) of them.
inline constexpr double kRefineTarget = 4096.0;
inline constexpr double kRoundingSlack = 1e-9;

struct ColumnSketch {
  bool numeric = true;
  // numeric: 0 for the grid, else a fingerprint of the edges (never 0)
  std::uint64_t binning = 0;
  // numeric: ascending bin keys (grid: the top bits of the value's order key; edges: the
  // number of edges <= the value); categorical: unused
  std::vector<std::uint64_t> keys;
  std::vector<double> low, high;        // numeric: smallest and largest value of each bin
  std::vector<std::string> categories;  // categorical: labels, ascending
  std::vector<std::uint64_t> counts;    // one per bin or label, each > 0
  std::uint64_t missing = 0;            // NaN (numeric) or missing codes (categorical)
  std::uint64_t infinite = 0;           // +-inf (numeric)
  ExactMoments moments;                 // numeric: of the finite values; categorical: 0
  std::uint64_t size() const;           // values that take part in the tests
};

// The state of one column (one partition of one sample). `edges`: empty for the grid,
// else strictly ascending finite edges (from refined_edges); ignored for categorical columns.
ColumnSketch sketch_column(const ColumnView& column, std::span<const double> edges = {});
// The state of the values of both; InvalidArgument when the kinds or binnings differ.
// Both are validated first.
ColumnSketch merge(const ColumnSketch& a, const ColumnSketch& b);
// Versioned bytes (magic "ADS", version 2: version 1 had no moments). Reading validates everything and throws
// CorruptedState naming the field; validate() checks a state built in memory the same way.
std::string to_bytes(const ColumnSketch& sketch);
ColumnSketch column_sketch_from_bytes(const std::string& bytes);
void validate(const ColumnSketch& sketch);

// The fingerprint that sketch_column records for `edges` (never 0).
std::uint64_t edges_fingerprint(std::span<const double> edges);
// Whether merged grid states of the two samples of a numeric column have a non-atom bin
// holding more than 1 / kRefineTarget of either sample (then a pass on refined_edges
// tightens the bounds).
bool needs_refinement(const ColumnSketch& reference, const ColumnSketch& current);
// Edges for a second pass from merged grid states: the smallest value of every non-empty
// grid bin of either sample, and equal-width cuts of the heavy non-atom bins; with
// `with_sturges`, also sturges_edges (when the samples hold two values or more), so that the
// pass's states give the Sturges-binned distances exactly.
std::vector<double> refined_edges(const ColumnSketch& reference, const ColumnSketch& current,
                                  bool with_sturges = false);

// The Sturges edges of evidently_bins (report.hpp) for the values the states hold (their
// exact extremes and sizes): states whose bins do not straddle them give psi, kl_div,
// jensenshannon, hellinger and tvd exactly when the reference certainly has more than 20
// distinct values. InvalidArgument when a sample is empty or all values are equal.
std::vector<double> sturges_edges(const ColumnSketch& reference, const ColumnSketch& current);

// Two samples of a numeric column on the same bins, ascending: the values of bin k lie in
// [low[k], high[k]] (the smallest and largest of either sample), high[k] < low[k + 1].
struct AlignedBins {
  std::vector<double> low, high;
  std::vector<double> reference, current;             // counts (whole numbers)
  std::vector<double> reference_low, reference_high;  // the reference's own extremes (NaN when empty)
  double n_reference = 0, n_current = 0;
  bool all_atoms() const;
};
AlignedBins align(const ColumnSketch& reference, const ColumnSketch& current);

// Intervals (assay::Interval, closed) holding the exact statistics of the two samples the bins summarise (x the
// reference, y the current sample); each function's comment in sketched.cpp derives it.
Interval ks_statistic_interval(const AlignedBins& bins);           // sup |F_x - F_y|
Interval wasserstein_interval(const AlignedBins& bins);            // integral |F_x - F_y|
Interval energy_distance_interval(const AlignedBins& bins);        // sqrt(2 integral (F_x - F_y)^2)
Interval reference_std_interval(const AlignedBins& bins);          // population std of x
Interval mann_whitney_u_interval(const AlignedBins& bins);         // U of x (ties count 1/2)
Interval mann_whitney_tie_term_interval(const AlignedBins& bins);  // sum (t^3 - t) over pooled distinct values
Interval cramer_von_mises_u_interval(const AlignedBins& bins);     // n_x sum (r_i - i)^2 + n_y sum (s_j - j)^2
Interval anderson_darling_a2kn_interval(const AlignedBins& bins);  // A2akN of anderson_ksamp (midranks)

// Whether compare_sketches runs `test` on numeric sketches (ks, wasserstein,
// energy_distance, ed, mannw, mannwhitneyu, cramer_von_mises, anderson, t_test; when every bin of both
// samples is an atom, the tests on counts; when no bin straddles sturges_edges, psi,
// kl_div, jensenshannon, hellinger and tvd, exactly). Always true for categorical sketches:
// compare_sketches then gives compare_columns' result, or its InvalidType for a test that
// does not apply to categories (or for a column numeric in one sample only).
bool sketch_supports(Test test, const ColumnSketch& reference, const ColumnSketch& current);
// The test `test` ('auto' resolved by the caller, see resolve_sketch_test) from merged
// states, as compare_columns on the full samples: categorical columns and numeric columns
// whose bins are all atoms give compare_columns' result for the count-based tests and for
// Anderson-Darling (its midrank statistic needs only the counts at each value), the t-test
// gives it from the exact moments always; the rank
// tests give their bounds (ColumnDrift::exact false: statistic_bound and the p-value
// interval say how far the exact result can be).
// InvalidArgument when sketch_supports is false.
ColumnDrift compare_sketches(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current,
                             Test test, double threshold);
// The 'auto' test (auto_test) of column `name`; InvalidArgument when the states cannot tell
// the number of distinct values it depends on, InvalidType when the kinds differ.
Test resolve_sketch_test(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current);

}  // namespace assay::drift
