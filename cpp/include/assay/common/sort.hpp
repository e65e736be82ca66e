#pragma once
// Sorting kernels shared by the engines.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace assay {

// Sorts doubles ascending (-0.0 before 0.0). NaN is not allowed: callers drop missing
// values first. Uses Highway's vectorized quicksort (vqsort; Blacher, Wassenberg et
// al., "Vectorized and performance-portable quicksort", 2022), which picks the widest
// SIMD instructions of the machine at run time.
void sort_values(std::span<double> values);

// Sorts 64-bit keys ascending (vqsort).
void sort_keys(std::span<std::uint64_t> keys);

// The non-missing values of a column in ascending order (-0.0 stored as 0.0, so equal
// values are bitwise equal), held one by one or, for a column with few distinct values,
// as runs of equal values. The spans point into the sorter that made it.
struct OrderedValues {
  std::span<const double> values;           // one by one; empty when held as runs
  std::span<const double> run_values;       // held as runs: the distinct values, ascending,
  std::span<const std::uint64_t> run_ends;  // and run k covering ranks [run_ends[k-1], run_ends[k])
  bool by_runs = false;

  std::size_t size() const { return by_runs ? (run_ends.empty() ? 0 : run_ends.back()) : values.size(); }
  bool empty() const { return size() == 0; }
  // Held as runs: how many values run k holds.
  std::uint64_t run_count(std::size_t k) const { return run_ends[k] - (k == 0 ? 0 : run_ends[k - 1]); }
  // The value of rank `rank` (0-based) in ascending order; rank < size().
  double operator[](std::size_t rank) const;
  // How many values are below x, and how many are at most x.
  std::size_t count_below(double x) const;
  std::size_t count_at_most(double x) const;
};

// Sorts the non-missing values of numeric columns, one column after another, in
// buffers it keeps: after the first column no fresh memory is touched, which matters
// when every column of a wide table is sorted. A long column with few distinct values
// is counted in a small hash table and given as runs instead of sorted.
class NonMissingSorter {
 public:
  // The values of `input` that are not NaN, ascending; valid until the next call.
  OrderedValues sort(std::span<const double> input);

 private:
  // Counts the values into run_values_ / run_ends_; false when the column has more
  // distinct values than the table takes.
  bool count_runs(std::span<const double> input);

  std::vector<std::uint64_t> keys_;
  std::vector<double> values_;
  std::vector<std::uint64_t> table_keys_;  // 0: empty (the key of a NaN, never stored)
  std::vector<std::uint32_t> table_counts_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> runs_;
  std::vector<double> run_values_;
  std::vector<std::uint64_t> run_ends_;
};

// Sorts 64-bit keys ascending together with a payload; stable (equal keys keep their
// input order), by LSD radix sort.
void sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload);

}  // namespace assay
