#include "assay/common/hash.hpp"

#include <bit>
#include <cmath>
#include <cstring>

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

std::vector<std::uint64_t> hash_rows(const TableView& table, std::span<const std::size_t> columns,
                                     int n_jobs) {
  const std::size_t n = table.n_rows();
  std::vector<std::uint64_t> hashes(n, 0x243f6a8885a308d3ULL);
  std::vector<std::vector<std::uint64_t>> label_hashes(columns.size());
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const ColumnView& column = table.column(columns[k]);
    if (!column.is_numeric()) label_hashes[k] = hash_labels(column.labels);
  }
  // Each cell costs one multiply and a shift (a column at a time, so rows pipeline);
  // every row hash gets a full mix at the end. Equal row hashes are verified cell by
  // cell by the callers, so this only has to make accidental collisions rare.
  auto step = [](std::uint64_t h, std::uint64_t cell) {
    h = (h ^ cell) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
  };
  constexpr std::size_t kBlock = 1 << 12;
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(n, kBlock));
  parallel_for(blocks, resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
    const std::size_t end = std::min(n, begin + kBlock);
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const ColumnView& column = table.column(columns[k]);
      if (column.is_numeric()) {
        for (std::size_t i = begin; i < end; ++i) hashes[i] = step(hashes[i], canonical_bits(column.values[i]));
      } else {
        const auto& by_code = label_hashes[k];
        for (std::size_t i = begin; i < end; ++i) {
          const std::int32_t code = column.codes[i];
          hashes[i] = step(hashes[i], code < 0 ? kMissingLabelHash : by_code[static_cast<std::size_t>(code)]);
        }
      }
    }
    for (std::size_t i = begin; i < end; ++i) hashes[i] = mix64(hashes[i]);
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

void HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) {
    throw InvalidArgument("cannot merge HyperLogLog sketches of precision " + std::to_string(precision_) +
                          " and " + std::to_string(other.precision_));
  }
  for (std::size_t i = 0; i < registers_.size(); ++i) {
    if (other.registers_[i] > registers_[i]) registers_[i] = other.registers_[i];
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
