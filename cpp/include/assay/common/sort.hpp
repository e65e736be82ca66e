#pragma once
// Sorting kernels shared by the engines.
#include <cstdint>
#include <span>

namespace assay {

// Sorts finite or infinite doubles ascending (no NaN allowed) with an LSD radix sort
// over the order-preserving bit pattern; `scratch` must have the same size as
// `values`. Digit passes whose digit is the same for every value are skipped, which
// makes narrow-range data cheaper. -0.0 sorts before 0.0.
void radix_sort(std::span<double> values, std::span<double> scratch);

// Sorts 64-bit keys ascending together with a payload (stable; radix).
void radix_sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload,
                      std::span<std::uint64_t> key_scratch, std::span<std::uint64_t> payload_scratch);

}  // namespace assay
