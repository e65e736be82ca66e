#include "assay/common/hash.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"

namespace assay {

// FNV-1a over the bytes, finished with the SplitMix64 mixer for avalanche.
std::uint64_t hash_string(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h ^ s.size());
}

std::vector<std::uint64_t> hash_labels(std::span<const std::string> labels) {
  std::vector<std::uint64_t> hashes(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) hashes[i] = hash_string(labels[i]);
  return hashes;
}

namespace {

// The row hash's per-cell step, h = mix(h ^ cell) with one multiply and a shift; every
// row hash gets a full mix at the end. Equal row hashes are verified cell by cell by
// the callers, so this only has to make accidental collisions rare. The three loops
// below are also compiled for x86-64-v4, where AVX-512 multiplies eight 64-bit lanes at
// once; the loader picks the version the processor runs (integer work only, so both
// versions give the same bits).
constexpr std::uint64_t kRowStep = 0x9e3779b97f4a7c15ULL;

[[gnu::target_clones("arch=x86-64-v4", "default")]]
void fold_numeric(std::uint64_t* __restrict hashes, const double* __restrict values, std::uint64_t key, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t h = (hashes[i] ^ key ^ canonical_bits(values[i])) * kRowStep;
    hashes[i] = h ^ (h >> 29);
  }
}

[[gnu::target_clones("arch=x86-64-v4", "default")]]
void fold_codes(std::uint64_t* __restrict hashes, const std::int32_t* __restrict codes,
                const std::uint64_t* __restrict label_hashes, std::uint64_t missing_hash, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t code = codes[i];
    const std::uint64_t h = (hashes[i] ^ (code < 0 ? missing_hash : label_hashes[code])) * kRowStep;
    hashes[i] = h ^ (h >> 29);
  }
}

[[gnu::target_clones("arch=x86-64-v4", "default")]]
void finish_hashes(std::uint64_t* __restrict hashes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) hashes[i] = mix64(hashes[i]);
}

[[gnu::target_clones("arch=x86-64-v4", "default")]]
void hash_doubles(const double* __restrict values, std::size_t n, std::uint64_t* __restrict hashes) {
  for (std::size_t i = 0; i < n; ++i) hashes[i] = hash_double(values[i]);
}

}  // namespace

RowHasher::RowHasher(const TableView& table, std::vector<std::size_t> columns, std::span<const std::uint64_t> keys)
    : table_(&table),
      columns_(std::move(columns)),
      keys_(columns_.size(), 0),
      label_hashes_(columns_.size()),
      missing_hashes_(columns_.size(), kMissingLabelHash) {
  if (!keys.empty() && keys.size() != columns_.size()) {
    throw InvalidArgument("RowHasher: " + std::to_string(keys.size()) + " keys for " + std::to_string(columns_.size()) +
                          " columns");
  }
  if (!keys.empty()) std::copy(keys.begin(), keys.end(), keys_.begin());
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    const ColumnView& column = table.column(columns_[k]);
    if (column.is_numeric()) continue;
    // The key folded into the label hashes once, rather than into every cell.
    label_hashes_[k] = hash_labels(column.labels);
    for (std::uint64_t& h : label_hashes_[k]) h ^= keys_[k];
    missing_hashes_[k] ^= keys_[k];
  }
}

void RowHasher::hash(std::size_t begin, std::span<std::uint64_t> hashes) const {
  std::uint64_t* block = hashes.data();
  const std::size_t length = hashes.size();
  std::fill(hashes.begin(), hashes.end(), 0x243f6a8885a308d3ULL);
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    const ColumnView& column = table_->column(columns_[k]);
    if (column.is_numeric()) {
      fold_numeric(block, column.values.data() + begin, keys_[k], length);
    } else {
      fold_codes(block, column.codes.data() + begin, label_hashes_[k].data(), missing_hashes_[k], length);
    }
  }
  finish_hashes(block, length);
}

std::vector<std::uint64_t> hash_rows(const TableView& table, std::span<const std::size_t> columns, int n_jobs) {
  const std::size_t n = table.n_rows();
  std::vector<std::uint64_t> hashes(n);
  const RowHasher hasher(table, std::vector<std::size_t>(columns.begin(), columns.end()));
  // A block of rows at a time, a column at a time within it, so the block's hashes stay
  // in cache.
  constexpr std::size_t kBlock = 1 << 12;
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(n, kBlock));
  parallel_for(blocks, resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
    hasher.hash(begin, std::span<std::uint64_t>(hashes).subspan(begin, std::min(n, begin + kBlock) - begin));
  });
  return hashes;
}

HyperLogLog::HyperLogLog(int precision) : precision_(precision) {
  if (precision < 4 || precision > 18) {
    throw InvalidArgument("HyperLogLog precision must be in [4, 18], got " + std::to_string(precision));
  }
  registers_.assign(std::size_t{1} << precision, 0);
}

HyperLogLog HyperLogLog::from_registers(std::vector<std::uint8_t> registers) {
  const std::size_t m = registers.size();
  if (m < 16 || m > (1u << 18) || (m & (m - 1)) != 0) {
    throw InvalidArgument("HyperLogLog registers: count must be a power of two in [16, 262144], got " +
                          std::to_string(m));
  }
  HyperLogLog sketch(std::countr_zero(m));
  const int max_rank = 64 - sketch.precision_ + 1;
  for (std::uint8_t r : registers) {
    if (r > max_rank) throw InvalidArgument("HyperLogLog registers: value " + std::to_string(r) + " is too large");
  }
  sketch.registers_ = std::move(registers);
  return sketch;
}

void HyperLogLog::add_doubles(std::span<const double> values) {
  constexpr std::size_t kBatch = 512;
  std::array<std::uint64_t, kBatch> hashes;
  for (std::size_t start = 0; start < values.size(); start += kBatch) {
    const std::size_t length = std::min(kBatch, values.size() - start);
    hash_doubles(values.data() + start, length, hashes.data());
    for (std::size_t i = 0; i < length; ++i) add_hash(hashes[i]);
  }
}

void HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) {
    throw InvalidArgument("cannot merge HyperLogLog sketches of precision " + std::to_string(precision_) + " and " +
                          std::to_string(other.precision_));
  }
  for (std::size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

double HyperLogLog::estimate() const {
  const double m = static_cast<double>(registers_.size());
  double sum = 0.0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += (r == 0);
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  // Linear counting is more accurate while many registers are still empty.
  if (zeros > 0 && raw <= 2.5 * m) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

}  // namespace assay
