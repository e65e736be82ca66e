#pragma once
// Hashing of values, labels and rows, and a HyperLogLog distinct-count sketch.
//
// Hashes are stable across runs and machines (no per-process salt), so row hashes of
// two tables can be compared and sketches can be stored and merged later. Equal
// values hash equally: -0.0 and 0.0 hash the same, every NaN hashes the same, and a
// categorical value hashes by its label, not by its code.
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "assay/common/rng.hpp"
#include "assay/common/table.hpp"

namespace assay {

// The bits that identify a double as a value: every NaN alike, -0.0 as 0.0.
inline std::uint64_t canonical_bits(double x) {
  return std::isnan(x) ? 0x7ff8dead0000beefULL : std::bit_cast<std::uint64_t>(x == 0.0 ? 0.0 : x);
}

inline std::uint64_t hash_double(double x) {
  return std::isnan(x) ? 0x7ff8dead0000beefULL : mix64(canonical_bits(x) ^ 0x2545f4914f6cdd1dULL);
}
std::uint64_t hash_string(std::string_view s);
// Hash of a missing categorical value (distinct from every label's hash in practice).
inline constexpr std::uint64_t kMissingLabelHash = 0x6d697373696e6721ULL;

// One hash per label of a categorical column.
std::vector<std::uint64_t> hash_labels(std::span<const std::string> labels);

// A row hash over chosen columns, a block of rows at a time: each row's cells are folded in
// the columns' order, each cell combined with its column's key first (zero when no keys are
// given), and the result fully mixed. Equal rows hash equally; the callers that group rows
// verify equal hashes cell by cell. Keeps a pointer to the table, which must outlive it.
class RowHasher {
 public:
  // `keys` is empty or holds one key per column.
  RowHasher(const TableView& table, std::vector<std::size_t> columns, std::span<const std::uint64_t> keys = {});
  // The hashes of rows [begin, begin + hashes.size()).
  void hash(std::size_t begin, std::span<std::uint64_t> hashes) const;

 private:
  const TableView* table_;
  std::vector<std::size_t> columns_;
  std::vector<std::uint64_t> keys_;                       // numeric columns
  std::vector<std::vector<std::uint64_t>> label_hashes_;  // categorical columns: label hash ^ key
  std::vector<std::uint64_t> missing_hashes_;             // categorical columns: missing hash ^ key
};

// One 64-bit hash per row over the given columns (in the given order), without keys.
std::vector<std::uint64_t> hash_rows(const TableView& table, std::span<const std::size_t> columns, int n_jobs);

// HyperLogLog with 2^precision registers (Flajolet et al. 2007), with the small-range
// correction (linear counting) of Heule, Nunkesser & Hall 2013. Relative standard
// error is about 1.04 / sqrt(2^precision): 1.6% at the default precision 12.
class HyperLogLog {
 public:
  static constexpr int kDefaultPrecision = 12;
  explicit HyperLogLog(int precision = kDefaultPrecision);
  // Rebuilds a sketch from stored registers; throws InvalidArgument when their count
  // is not a power of two in [2^4, 2^18] or a register exceeds 64 - precision + 1.
  static HyperLogLog from_registers(std::vector<std::uint8_t> registers);

  void add_hash(std::uint64_t hash) {
    const std::size_t index = hash >> (64 - precision_);
    const std::uint64_t rest = hash << precision_;
    const int rank = rest == 0 ? 64 - precision_ + 1 : std::countl_zero(rest) + 1;
    if (registers_[index] < rank) registers_[index] = static_cast<std::uint8_t>(rank);
  }
  // add_hash(hash_double(x)) for every x, the hashes computed in vectorised batches.
  void add_doubles(std::span<const double> values);
  // Throws InvalidArgument when the precisions differ.
  void merge(const HyperLogLog& other);
  double estimate() const;
  int precision() const { return precision_; }
  const std::vector<std::uint8_t>& registers() const { return registers_; }

 private:
  int precision_;
  std::vector<std::uint8_t> registers_;
};

}  // namespace assay
