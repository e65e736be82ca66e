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

// Sorts the non-missing values of numeric columns, one column after another, in
// buffers it keeps: after the first column no fresh memory is touched, which matters
// when every column of a wide table is sorted. A long column with few distinct values
// is counted in a small hash table and written out run by run instead of sorted.
class NonMissingSorter {
 public:
  // The values of `input` that are not NaN, ascending, with -0.0 stored as 0.0 (so
  // equal values are bitwise equal). The span is valid until the next call.
  std::span<const double> sort(std::span<const double> input);

 private:
  // Fills values_ by counting; false (values_ unspecified) when the column has more
  // distinct values than the table takes.
  bool sort_by_counting(std::span<const double> input, std::size_t& kept);

  std::vector<std::uint64_t> keys_;
  std::vector<double> values_;
  std::vector<std::uint64_t> table_keys_;
  std::vector<std::uint32_t> table_counts_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> runs_;
};

// Sorts 64-bit keys ascending together with a payload; stable (equal keys keep their
// input order), by LSD radix sort.
void sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload);

}  // namespace assay
