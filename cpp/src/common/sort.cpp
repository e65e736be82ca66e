#include "assay/common/sort.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <memory>
#include <utility>

#include "assay/common/error.hpp"

namespace assay {
namespace {

constexpr int kDigitBits = 8;
constexpr int kPasses = 8;  // 8 * 8 = 64; 8-bit digits scatter into 256 buckets, which stays in cache
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
using Histograms = std::array<std::array<std::size_t, kBuckets>, kPasses>;

// Maps a double to an unsigned key with the same order (negative numbers have all
// bits flipped, positive numbers only the sign bit).
inline std::uint64_t order_key(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const std::uint64_t mask = (bits >> 63) ? ~std::uint64_t{0} : (std::uint64_t{1} << 63);
  return bits ^ mask;
}

inline std::size_t digit(std::uint64_t key, int pass) {
  return (key >> (pass * kDigitBits)) & (kBuckets - 1);
}

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

}  // namespace

void radix_sort(std::span<double> values, std::span<double> scratch) {
  if (scratch.size() != values.size()) throw InvalidArgument("radix_sort: scratch size differs from values size");
  const std::size_t n = values.size();
  if (n < 256) {
    std::sort(values.begin(), values.end());
    return;
  }
  double* source = values.data();
  double* target = scratch.data();
  lsd_sort(
      n, [&](std::size_t i) { return order_key(values[i]); },
      [&](int pass, auto& offsets) {
        for (std::size_t i = 0; i < n; ++i) {
          const double x = source[i];
          target[offsets[digit(order_key(x), pass)]++] = x;
        }
        std::swap(source, target);
      });
  if (source != values.data()) std::copy(source, source + n, values.data());
}

void radix_sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload,
                      std::span<std::uint64_t> key_scratch, std::span<std::uint64_t> payload_scratch) {
  const std::size_t n = keys.size();
  if (payload.size() != n || key_scratch.size() != n || payload_scratch.size() != n) {
    throw InvalidArgument("radix_sort_pairs: keys, payload and scratch buffers differ in size");
  }
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
