#include "assay/common/fingerprint.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/hash.hpp"
#include "assay/common/parallel.hpp"

namespace assay {

std::vector<std::size_t> fingerprint_columns(const TableView& table) {
  std::vector<std::size_t> order(table.n_columns());
  for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return table.column(a).name < table.column(b).name; });
  return order;
}

std::uint64_t fingerprint_key(const ColumnView& column) {
  return hash_string((column.is_numeric() ? "numeric:" : "categorical:") + column.name);
}

namespace {

constexpr std::size_t kBlock = 1 << 12;

// Hashes the rows block by block (into `hashes` when it holds one slot per row, else into a
// buffer per block) and folds each block's hashes; the blocks' sums and xors are then
// combined, which gives the same bits whatever the number of threads.
TableFingerprint fold(const TableView& table, int n_jobs, std::vector<std::uint64_t>* hashes) {
  const std::vector<std::size_t> order = fingerprint_columns(table);
  std::vector<std::uint64_t> keys(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) keys[k] = fingerprint_key(table.column(order[k]));
  const RowHasher hasher(table, order, keys);
  const std::size_t n = table.n_rows();
  const std::size_t blocks = n_blocks(n, kBlock);
  std::vector<std::uint64_t> sums(blocks, 0), xors(blocks, 0);
  parallel_for(static_cast<std::ptrdiff_t>(blocks), resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
    const std::size_t length = std::min(n, begin + kBlock) - begin;
    std::array<std::uint64_t, kBlock> buffer;
    const std::span<std::uint64_t> block = hashes != nullptr ? std::span<std::uint64_t>(*hashes).subspan(begin, length)
                                                             : std::span<std::uint64_t>(buffer).first(length);
    hasher.hash(begin, block);
    std::uint64_t sum = 0, folded = 0;
    for (std::uint64_t h : block) {
      sum += h;
      folded ^= h;
    }
    sums[static_cast<std::size_t>(b)] = sum;
    xors[static_cast<std::size_t>(b)] = folded;
  });
  TableFingerprint out{0, 0, static_cast<std::int64_t>(n), static_cast<std::int64_t>(table.n_columns())};
  for (std::size_t b = 0; b < blocks; ++b) {
    out.sum += sums[b];
    out.exclusive_or ^= xors[b];
  }
  return out;
}

}  // namespace

TableFingerprint fingerprint_table(const TableView& table, int n_jobs) { return fold(table, n_jobs, nullptr); }

FingerprintedRows fingerprint_rows(const TableView& table, int n_jobs) {
  FingerprintedRows out;
  out.hashes.resize(table.n_rows());
  out.fingerprint = fold(table, n_jobs, &out.hashes);
  return out;
}

TableFingerprint merge(const TableFingerprint& a, const TableFingerprint& b) {
  if (a.columns != b.columns) {
    throw InvalidArgument("cannot merge fingerprints of tables with " + std::to_string(a.columns) + " and " +
                          std::to_string(b.columns) + " columns");
  }
  return {a.sum + b.sum, a.exclusive_or ^ b.exclusive_or, a.rows + b.rows, a.columns};
}

}  // namespace assay
