#pragma once
// Sorting kernels shared by the engines.
#include <cstdint>
#include <span>

namespace assay {

// Sorts doubles ascending (-0.0 before 0.0). NaN is not allowed: callers drop missing
// values first. Uses Highway's vectorized quicksort (vqsort; Blacher, Wassenberg et
// al., "Vectorized and performance-portable quicksort", 2022), which picks the widest
// SIMD instructions of the machine at run time.
void sort_values(std::span<double> values);

// Sorts 64-bit keys ascending together with a payload; stable (equal keys keep their
// input order), by LSD radix sort.
void sort_pairs(std::span<std::uint64_t> keys, std::span<std::uint64_t> payload);

}  // namespace assay
