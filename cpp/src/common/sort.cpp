#include "assay/common/sort.hpp"

#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "assay/common/error.hpp"

namespace assay {
namespace {

constexpr int kDigitBits = 8;
constexpr int kPasses = 8;  // 8 * 8 = 64; 8-bit digits scatter into 256 buckets, which stays in cache
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
using Histograms = std::array<std::array<std::size_t, kBuckets>, kPasses>;

// Maps a double to an unsigned key with the same order: negative numbers have all bits
// flipped, positive numbers only the sign bit. Branch-free (an arithmetic shift spreads
// the sign), as signs are unpredictable in data.
inline std::uint64_t order_key(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto spread_sign = static_cast<std::uint64_t>(static_cast<std::int64_t>(bits) >> 63);
  return bits ^ (spread_sign | (std::uint64_t{1} << 63));
}

inline double from_order_key(std::uint64_t key) {
  const auto spread_negative = static_cast<std::uint64_t>(static_cast<std::int64_t>(~key) >> 63);
  return std::bit_cast<double>(key ^ (spread_negative | (std::uint64_t{1} << 63)));
}

inline std::size_t digit(std::uint64_t key, int pass) { return (key >> (pass * kDigitBits)) & (kBuckets - 1); }

// LSD radix sort of items by key(item); items end sorted in `data`.
template <class KeyOf, class Move>
void lsd_sort(std::size_t n, KeyOf key_of, Move move_pass) {
  static_assert(kPasses * kDigitBits >= 64);
  auto histograms = std::make_unique<Histograms>();
  for (auto& h : *histograms) h.fill(0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t key = key_of(i);
    for (int p = 0; p < kPasses; ++p) ++(*histograms)[p][digit(key, p)];
  }
  for (int p = 0; p < kPasses; ++p) {
    auto& h = (*histograms)[p];
    // A digit shared by every item leaves the order unchanged: skip the pass.
    if (std::any_of(h.begin(), h.end(), [n](std::size_t c) { return c == n; })) continue;
    std::size_t offset = 0;
    for (auto& c : h) {
      const std::size_t count = c;
      c = offset;
      offset += count;
    }
    move_pass(p, h);
  }
}

// The order keys of x[0..n) (-0.0 as 0.0), with every NaN keyed above +inf, so the
// NaNs sort last; returns how many NaNs there were. Integer work in a plain loop, so
// it is also built for x86-64-v4 (AVX-512), chosen at load time.
[[gnu::target_clones("arch=x86-64-v4", "default")]]
std::size_t order_keys_nan_last(const double* __restrict x, std::size_t n, std::uint64_t* __restrict keys) {
  std::size_t missing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool is_nan = std::isnan(x[i]);
    keys[i] = is_nan ? ~std::uint64_t{0} : order_key(x[i] == 0.0 ? 0.0 : x[i]);
    missing += is_nan;
  }
  return missing;
}

[[gnu::target_clones("arch=x86-64-v4", "default")]]
void values_from_order_keys(const std::uint64_t* __restrict keys, std::size_t n, double* __restrict values) {
  for (std::size_t i = 0; i < n; ++i) values[i] = from_order_key(keys[i]);
}

// The slot of `key` in an open-addressing table of mask + 1 slots (linear probing from
// a multiplicative hash), or the empty slot where it belongs.
inline std::size_t probe(const std::uint64_t* keys, std::size_t mask, int shift, std::uint64_t key) {
  std::size_t slot = (key * 0x9e3779b97f4a7c15ULL) >> shift;
  while (keys[slot] != key && keys[slot] != 0) slot = (slot + 1) & mask;
  return slot;
}

}  // namespace

void sort_keys(std::span<std::uint64_t> keys) {
  hwy::Sorter sorter;
  sorter(keys.data(), keys.size(), hwy::SortAscending());
}

void sort_values(std::span<double> values) {
  // Sorting the order-preserving integer keys instead of the doubles: Highway 1.0.3's
  // double sort pads with the largest finite value and turns +inf into it.
  std::vector<std::uint64_t> keys(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) keys[i] = order_key(values[i]);
  sort_keys(keys);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = from_order_key(keys[i]);
}

double OrderedValues::operator[](std::size_t rank) const {
  if (!by_runs) return values[rank];
  return run_values[static_cast<std::size_t>(std::upper_bound(run_ends.begin(), run_ends.end(), rank) -
                                             run_ends.begin())];
}

std::size_t OrderedValues::count_below(double x) const {
  if (!by_runs) return static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), x) - values.begin());
  const auto k =
      static_cast<std::size_t>(std::lower_bound(run_values.begin(), run_values.end(), x) - run_values.begin());
  return k == 0 ? 0 : run_ends[k - 1];
}

std::size_t OrderedValues::count_at_most(double x) const {
  if (!by_runs) return static_cast<std::size_t>(std::upper_bound(values.begin(), values.end(), x) - values.begin());
  const auto k =
      static_cast<std::size_t>(std::upper_bound(run_values.begin(), run_values.end(), x) - run_values.begin());
  return k == 0 ? 0 : run_ends[k - 1];
}

OrderedValues NonMissingSorter::sort(std::span<const double> input) {
  const std::size_t n = input.size();
  // Counting pays off once the column is much longer than the table it fills.
  constexpr std::size_t kCountingMinLength = 1 << 16;
  if (n >= kCountingMinLength && count_runs(input)) {
    OrderedValues runs;
    runs.by_runs = true;
    runs.run_values = run_values_;
    runs.run_ends = run_ends_;
    return runs;
  }
  if (values_.size() < n) values_.resize(n);
  if (keys_.size() < n) keys_.resize(n);
  const std::size_t missing = order_keys_nan_last(input.data(), n, keys_.data());
  sort_keys(std::span<std::uint64_t>(keys_.data(), n));
  const std::size_t kept = n - missing;
  values_from_order_keys(keys_.data(), kept, values_.data());
  OrderedValues sorted;
  sorted.values = std::span<const double>(values_.data(), kept);
  return sorted;
}

bool NonMissingSorter::count_runs(std::span<const double> input) {
  // Open addressing on the order keys. The table doubles whenever it is a quarter full,
  // from 2^12 slots (few distinct values stay in L1) to 2^16 (2^14 distinct values,
  // still in L2): a sparse table keeps probe sequences short, and their lengths, which
  // are branches, predictable.
  constexpr int kFirstBits = 12, kLastBits = 16;
  if (input.size() > std::numeric_limits<std::uint32_t>::max()) return false;  // 32-bit counts
  int bits = kFirstBits;
  table_keys_.assign(std::size_t{1} << bits, 0);
  table_counts_.assign(std::size_t{1} << bits, 0);
  // The hot loop reads the table through local copies of its pointers and shape, renewed
  // when it grows, which the compiler keeps in registers.
  std::uint64_t* keys = table_keys_.data();
  std::uint32_t* counts = table_counts_.data();
  std::size_t mask = table_keys_.size() - 1;
  int shift = 64 - bits;
  std::size_t distinct = 0, capacity = table_keys_.size() / 4;
  for (const double x : input) {
    if (std::isnan(x)) continue;
    const std::uint64_t key = order_key(x == 0.0 ? 0.0 : x);
    std::size_t slot = probe(keys, mask, shift, key);
    if (keys[slot] == 0) {
      if (distinct == capacity) {
        if (bits == kLastBits) return false;
        std::vector<std::uint64_t> old_keys(table_keys_.size() * 2, 0);
        std::vector<std::uint32_t> old_counts(table_keys_.size() * 2, 0);
        old_keys.swap(table_keys_);
        old_counts.swap(table_counts_);
        ++bits;
        keys = table_keys_.data();
        counts = table_counts_.data();
        mask = table_keys_.size() - 1;
        shift = 64 - bits;
        capacity = table_keys_.size() / 4;
        for (std::size_t k = 0; k < old_keys.size(); ++k) {
          if (old_keys[k] == 0) continue;
          const std::size_t target = probe(keys, mask, shift, old_keys[k]);
          keys[target] = old_keys[k];
          counts[target] = old_counts[k];
        }
        slot = probe(keys, mask, shift, key);
      }
      keys[slot] = key;
      ++distinct;
    }
    ++counts[slot];
  }
  runs_.clear();
  for (std::size_t k = 0; k < table_keys_.size(); ++k) {
    if (table_keys_[k] != 0) runs_.emplace_back(table_keys_[k], table_counts_[k]);
  }
  std::sort(runs_.begin(), runs_.end());
  run_values_.resize(runs_.size());
  run_ends_.resize(runs_.size());
  std::uint64_t end = 0;
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    run_values_[k] = from_order_key(runs_[k].first);
    end += runs_[k].second;
    run_ends_[k] = end;
  }
  return true;
}

// LSD radix sort: stable, which vqsort's key-value sort is not (and Highway 1.0.3's
// corrupts payloads).
void sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload) {
  const std::size_t n = keys.size();
  if (payload.size() != n) throw InvalidArgument("sort_pairs: keys and payload differ in size");
  std::vector<std::uint64_t> key_scratch(n), payload_scratch(n);
  std::uint64_t* key_source = keys.data();
  std::uint64_t* key_target = key_scratch.data();
  std::uint64_t* payload_source = payload.data();
  std::uint64_t* payload_target = payload_scratch.data();
  lsd_sort(
      n, [&](std::size_t i) { return keys[i]; },
      [&](int pass, auto& offsets) {
        for (std::size_t i = 0; i < n; ++i) {
          const std::size_t slot = offsets[digit(key_source[i], pass)]++;
          key_target[slot] = key_source[i];
          payload_target[slot] = payload_source[i];
        }
        std::swap(key_source, key_target);
        std::swap(payload_source, payload_target);
      });
  if (key_source != keys.data()) {
    std::copy(key_source, key_source + n, keys.data());
    std::copy(payload_source, payload_source + n, payload.data());
  }
}

}  // namespace assay
