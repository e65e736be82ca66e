#pragma once
// Slice finding: SliceLine (Sagadeeva & Boehm, "SliceLine: Fast, Linear-Algebra-based Slice
// Finding for ML Model Debugging", SIGMOD 2021), exact.
//
// A slice is a conjunction of predicates `feature = value` over distinct features. Its score
// (paper, eq. 1) is
//     sc(S) = alpha * (e(S) / e - 1) - (1 - alpha) * (n / |S| - 1),
// with e(S) the slice's mean error, e the mean error of all n rows and |S| its row count.
// find_slices returns the K slices of highest score among those with at most max_level
// predicates, at least min_support rows and a positive score (ties: fewer predicates first,
// then the predicates' (feature, value) in ascending order), i.e. exactly what a brute-force
// enumeration returns.
//
// Enumeration is level-wise as in the paper: level 1 holds the predicates with at least
// min_support rows and a positive error sum; level L joins two valid (L-1)-slices that share
// L-2 predicates, drops joins that hold two values of one feature, and keeps a candidate only
// when all of its L parents are valid ("missing parents"), the smallest parent size is
// >= min_support, and the paper's score upper bound (eq. 5; the maximum of the score over
// sizes s in [min_support, min parent size] given error sum <= min parent error sum and
// <= s * min parent max error) beats the current K-th score. Every pruned slice has a
// score that cannot enter the top K, so the result is exact.
//
// Differences from SystemDS's sliceLine() and the `sliceline` Python package, both of which
// Pruning::sliceline reproduces: they prune with the lowest score of the top K even while it
// holds fewer than K slices (so a slice that belongs to the top K can be lost), and their
// upper bound uses the number of one-hot columns where the score uses the number of rows.
//
// Data layout and memory: each level-1 predicate is a bitmap of n bits; evaluating a slice is
// the AND of its predicates' bitmaps with popcount (for 0/1 errors the error sum is a
// popcount too; otherwise the set bits' errors are summed in row order). Peak memory is
//     P * ceil(n / 64) * 8 bytes (bitmaps, P = valid predicates)
//   + C * (4 L + 40) bytes (the C candidates of the largest level L)
//   + T * 32 bytes (the p-values of the T tested slices and their adjustment)
//   + a scratch bitmap per thread; the first two terms are checked against assay::memory_limit() before allocation
//   (ResourceLimit).
//
// Per reported slice: size, error sum, mean and max error, score; a confidence interval of
// the slice's mean error (Wilson's for 0/1 errors, else the normal interval mean +- z s /
// sqrt(|S|) with the sample standard deviation s); and a one-sided Welch z-test (unequal
// variances, normal reference: the large-sample test) of "the slice's mean error exceeds the
// mean error of the other rows", with its p-value adjusted by Benjamini-Hochberg over every
// slice the search evaluated that has at least min_support rows, a positive error sum and a
// defined p-value (at least 2 rows in it and outside it).
//
// Determinism: candidates are generated and evaluated in fixed blocks, every sum runs in row
// order, and the top K is a total order: results are identical for every n_jobs.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "assay/common/progress.hpp"

namespace assay::slices {

// One feature: a value code per row, in [0, n_values), or -1 for missing (its own value).
struct Feature {
  std::string name;
  std::span<const std::int32_t> codes;
  std::int32_t n_values = 0;
};

// How candidates are pruned (see above).
enum class Pruning { exact, sliceline };

struct Options {
  double alpha = 0.95;             // (0, 1]: weight of the error ratio against the size
  std::int32_t k = 10;             // >= 1: slices returned
  std::int32_t max_level = 3;      // >= 1: predicates per slice at most
  std::int64_t min_support = 32;   // >= 1: rows a slice must hold
  double confidence_level = 0.95;  // (0, 1): of the interval of each slice's mean error
  Pruning pruning = Pruning::exact;
  int n_jobs = 0;  // <= 0: all cores
};

// The value -1 is the missing value.
struct Predicate {
  std::int32_t feature = 0;
  std::int32_t value = 0;
};

struct Slice {
  std::vector<Predicate> predicates;  // by ascending feature
  std::int64_t size = 0;
  double error_sum = 0;
  double max_error = 0;
  double average_error = 0;
  double score = 0;
  double ci_low = 0, ci_high = 0;  // of the mean error at options.confidence_level
  double statistic = 0;            // Welch z of slice mean minus the other rows' mean
  double p_value = 0;              // one-sided, slice worse than the rest
  double p_value_adjusted = 0;     // Benjamini-Hochberg over the tested slices
};

struct Level {
  std::int64_t candidates = 0;  // evaluated at this level (after pruning)
  std::int64_t valid = 0;       // of them, with >= min_support rows and a positive error sum
};

struct Result {
  std::vector<Slice> slices;  // best first, at most k
  std::int64_t n_rows = 0;
  double average_error = 0;
  bool binary_errors = false;  // every error is 0 or 1: Wilson intervals, popcount sums
  std::int64_t n_tested = 0;   // the Benjamini-Hochberg family
  std::vector<Level> levels;   // levels[0] is level 1
};

// Errors must be finite and >= 0, one per row; every feature's codes as many. All errors 0:
// no slice has a positive score (empty result). Throws InvalidArgument naming the input.
Result find_slices(std::span<const Feature> features, std::span<const double> errors, const Options& options,
                   const Progress& progress = Progress());

// The SliceLine score of a slice of `size` rows and `error_sum`, in a table of n_rows rows
// of mean error `average_error` (NaN for size 0).
double score(double error_sum, double size, double average_error, double n_rows, double alpha);

// The paper's upper bound of the score of any slice below parents whose smallest size, error
// sum and max error are given; n is the number of rows (or one-hot columns in the sliceline
// package's variant).
double score_upper_bound(double size, double error_sum, double max_error, double average_error, double n,
                         double min_support, double alpha);

// Benjamini-Hochberg adjusted p-values (statsmodels' fdr_bh): NaN entries are left out of
// the family and stay NaN.
std::vector<double> benjamini_hochberg(std::span<const double> p_values);

}  // namespace assay::slices
