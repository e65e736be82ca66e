#pragma once
// The sum and the sum of squares of finite doubles, held exactly in fixed point, so that they
// merge by integer addition: the same bits for any order and grouping of the values (a
// mergeable state), rounded only when read. Every finite double is a whole multiple of
// 2^-1074 (its square of 2^-2148); the sums are two's-complement integers in those units,
// with 64 bits of headroom above the largest double (2^64 values of the largest magnitude).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace assay {

class ExactMoments {
 public:
  static constexpr std::size_t kSumLimbs = 34;     // bits 2^-1074 .. 2^1101
  static constexpr std::size_t kSquareLimbs = 67;  // bits 2^-2148 .. 2^2139
  ExactMoments();
  // Adds a finite value (the caller drops NaN and infinities).
  void add(double x);
  void merge(const ExactMoments& other);
  // Whether the limbs can be the moments of `count` values: sizes, a sum of squares >= 0,
  // and count x squares >= sum^2 (Cauchy-Schwarz; both 0 when count is 0).
  bool consistent(std::uint64_t count) const;
  // (count x squares - sum^2) / count, the sum of squared deviations from the mean of
  // `count` values, rounded once to a double (then divided by count, once more).
  double squared_deviations(std::uint64_t count) const;
  // mean(x) - mean(y) of n_x and n_y values: (n_y sum_x - n_x sum_y) exactly, rounded once,
  // then divided by n_x and by n_y.
  static double mean_difference(const ExactMoments& x, std::uint64_t n_x, const ExactMoments& y, std::uint64_t n_y);
  // The sum and the sum of squares to about 64 bits (long double holds their whole range).
  long double approximate_sum() const;
  long double approximate_squares() const;
  bool operator==(const ExactMoments&) const = default;

  // Least significant limb first; written and read by the states that hold them.
  std::vector<std::uint64_t> sum, squares;
};

// Adds many values to ExactMoments fast: per sign and binary exponent (the top 12 bits of the
// double), the sum of the values' significands and of their squares in 128-bit integers
// (exact for 2^64 values), with no branch per value; folded into the limbs once by `moments`.
class ExactMomentsAccumulator {
 public:
  ExactMomentsAccumulator();
  // Adds a finite value (the caller drops NaN and infinities).
  void add(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const std::uint64_t top = bits >> 52, implicit = ((top & 0x7ff) != 0 ? 1U : 0U);
    const std::uint64_t significand = (bits & ((std::uint64_t{1} << 52) - 1)) | (implicit << 52);
    const auto square = static_cast<unsigned __int128>(significand) * significand;
    sums_[top] += significand;
    squares_low_[top] += static_cast<std::uint64_t>(square);
    squares_high_[top] += static_cast<std::uint64_t>(square >> 64);
  }
  ExactMoments moments() const;

 private:
  std::vector<unsigned __int128> sums_, squares_low_, squares_high_;
};

// Limbs for a state's bytes: without the zero limbs below the lowest set bit and the sign
// limbs above the highest significant one, as (index of the first kept limb, kept limbs).
// untrim_limbs gives back the `size` limbs, or false when `kept` is not so trimmed or does
// not fit.
std::pair<std::uint64_t, std::vector<std::uint64_t>> trim_limbs(const std::vector<std::uint64_t>& limbs);
bool untrim_limbs(std::uint64_t first, const std::vector<std::uint64_t>& kept, std::size_t size,
                  std::vector<std::uint64_t>& limbs);

}  // namespace assay
