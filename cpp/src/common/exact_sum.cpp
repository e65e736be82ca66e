// Exact sums of doubles and of their squares (see exact_sum.hpp).
#include "assay/common/exact_sum.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace assay {

namespace {

using Limbs = std::vector<std::uint64_t>;
using Wide = unsigned __int128;

constexpr int kSumUnit = -1074, kSquareUnit = -2148;

bool is_negative(const Limbs& a) { return (a.back() >> 63) != 0; }

void negate(Limbs& a) {
  bool carry = true;
  for (std::uint64_t& limb : a) {
    limb = ~limb;
    if (carry) carry = ++limb == 0;
  }
}

Limbs magnitude(const Limbs& a) {
  Limbs out = a;
  if (is_negative(out)) negate(out);
  return out;
}

// a += (or -=) magnitude x 2^bit, two's complement; the headroom keeps it from wrapping.
void add_shifted(Limbs& a, Wide magnitude, std::size_t bit, bool subtract) {
  const std::size_t at = bit / 64;
  const unsigned shift = bit % 64;
  const auto low = static_cast<std::uint64_t>(magnitude), high = static_cast<std::uint64_t>(magnitude >> 64);
  const std::uint64_t parts[3] = {low << shift, shift == 0 ? high : (low >> (64 - shift)) | (high << shift),
                                  shift == 0 ? 0 : high >> (64 - shift)};
  bool carry = false;  // a carry when adding, a borrow when subtracting
  for (std::size_t i = at; i < a.size(); ++i) {
    const std::uint64_t part = i - at < 3 ? parts[i - at] : 0;
    if (i - at >= 3 && !carry) break;
    const std::uint64_t before = a[i];
    if (subtract) {
      a[i] = before - part - (carry ? 1 : 0);
      carry = before < part || (before == part && carry);
    } else {
      a[i] = before + part + (carry ? 1 : 0);
      carry = a[i] < before || (a[i] == before && carry);
    }
  }
}

void add_into(Limbs& a, const Limbs& b) {
  bool carry = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::uint64_t before = a[i];
    a[i] = before + b[i] + (carry ? 1 : 0);
    carry = a[i] < before || (a[i] == before && carry);
  }
}

// Unsigned a x b.
Limbs multiply(const Limbs& a, const Limbs& b) {
  Limbs out(a.size() + b.size(), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == 0) continue;
    Wide carry = 0;
    for (std::size_t j = 0; j < b.size(); ++j) {
      const Wide current = static_cast<Wide>(a[i]) * b[j] + out[i + j] + carry;
      out[i + j] = static_cast<std::uint64_t>(current);
      carry = current >> 64;
    }
    out[i + b.size()] = static_cast<std::uint64_t>(carry);
  }
  return out;
}

// Unsigned comparison of equally long a and b: -1, 0 or 1.
int compare(const Limbs& a, const Limbs& b) {
  for (std::size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

// Unsigned a - b (a >= b), equally long.
Limbs subtract(const Limbs& a, const Limbs& b) {
  Limbs out = a;
  bool borrow = false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t before = out[i];
    out[i] = before - b[i] - (borrow ? 1 : 0);
    borrow = before < b[i] || (before == b[i] && borrow);
  }
  return out;
}

Limbs padded(Limbs a, std::size_t size) {
  a.resize(size, 0);
  return a;
}

// The unsigned a x 2^unit rounded to nearest (one rounding), divided by d1 then by d2.
double rounded_quotient(const Limbs& a, int unit, double d1, double d2) {
  std::size_t top = a.size();
  while (top > 0 && a[top - 1] == 0) --top;
  if (top == 0) return 0.0;
  const std::size_t i = top - 1;
  const int zeros = std::countl_zero(a[i]);
  std::uint64_t head = a[i] << zeros;
  bool sticky = false;
  if (i > 0) {
    if (zeros > 0) {
      head |= a[i - 1] >> (64 - zeros);
      sticky = (a[i - 1] << zeros) != 0;
    } else {
      sticky = a[i - 1] != 0;
    }
    for (std::size_t j = 0; j + 1 < i && !sticky; ++j) sticky = a[j] != 0;
  }
  // Bits below the 64 of `head` only decide ties: one set bit below the rounding position
  // (bit 10 of the 64) stands for them all.
  const auto rounded = static_cast<double>(head | (sticky ? 1U : 0U));
  return std::ldexp(rounded / d1 / d2, static_cast<int>(64 * i) - zeros + unit);
}

// The signed two's-complement a x 2^unit to about 64 bits.
long double approximate(const Limbs& a, int unit) {
  const Limbs m = magnitude(a);
  long double value = 0;
  for (std::size_t i = m.size(); i-- > 0;) value = value * 0x1p64L + static_cast<long double>(m[i]);
  value = std::ldexp(value, unit);
  return is_negative(a) ? -value : value;
}

}  // namespace

ExactMomentsAccumulator::ExactMomentsAccumulator() : sums_(4096, 0), squares_low_(4096, 0), squares_high_(4096, 0) {}

ExactMoments ExactMomentsAccumulator::moments() const {
  ExactMoments out;
  for (std::size_t top = 0; top < sums_.size(); ++top) {
    // The significands under these top bits are whole multiples of 2^power (units of 2^-1074).
    const std::size_t exponent = top & 0x7ff, power = exponent == 0 ? 0 : exponent - 1;
    if (sums_[top] != 0) add_shifted(out.sum, sums_[top], power, top > 0x7ff);
    if (squares_low_[top] != 0) add_shifted(out.squares, squares_low_[top], 2 * power, false);
    if (squares_high_[top] != 0) add_shifted(out.squares, squares_high_[top], 2 * power + 64, false);
  }
  return out;
}

std::pair<std::uint64_t, std::vector<std::uint64_t>> trim_limbs(const std::vector<std::uint64_t>& limbs) {
  std::size_t low = 0;
  while (low < limbs.size() && limbs[low] == 0) ++low;
  if (low == limbs.size()) return {0, {}};
  const bool negative = is_negative(limbs);
  const std::uint64_t sign = negative ? ~std::uint64_t{0} : 0;
  std::size_t high = limbs.size() - 1;  // the last kept limb: the one below repeats the sign
  while (high > low && limbs[high] == sign && ((limbs[high - 1] >> 63) != 0) == negative) --high;
  return {low, std::vector<std::uint64_t>(limbs.begin() + static_cast<std::ptrdiff_t>(low),
                                          limbs.begin() + static_cast<std::ptrdiff_t>(high) + 1)};
}

bool untrim_limbs(std::uint64_t first, const std::vector<std::uint64_t>& kept, std::size_t size,
                  std::vector<std::uint64_t>& limbs) {
  if (first > size || kept.size() > size - first) return false;
  limbs.assign(size, 0);
  if (!kept.empty()) {
    std::copy(kept.begin(), kept.end(), limbs.begin() + static_cast<std::ptrdiff_t>(first));
    if ((kept.back() >> 63) != 0)
      std::fill(limbs.begin() + static_cast<std::ptrdiff_t>(first + kept.size()), limbs.end(), ~std::uint64_t{0});
  }
  const auto canonical = trim_limbs(limbs);
  return canonical.first == first && canonical.second == kept;
}

long double ExactMoments::approximate_sum() const { return approximate(sum, kSumUnit); }
long double ExactMoments::approximate_squares() const { return approximate(squares, kSquareUnit); }

ExactMoments::ExactMoments() : sum(kSumLimbs, 0), squares(kSquareLimbs, 0) {}

void ExactMoments::add(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto exponent = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  if (exponent != 0) mantissa |= std::uint64_t{1} << 52;
  if (mantissa == 0) return;
  // x = mantissa x 2^(power - 1074), power >= 0.
  const auto power = static_cast<std::size_t>(exponent == 0 ? 0 : exponent - 1);
  add_shifted(sum, mantissa, power, (bits >> 63) != 0);
  add_shifted(squares, static_cast<Wide>(mantissa) * mantissa, 2 * power, false);
}

void ExactMoments::merge(const ExactMoments& other) {
  add_into(sum, other.sum);
  add_into(squares, other.squares);
}

bool ExactMoments::consistent(std::uint64_t count) const {
  if (sum.size() != kSumLimbs || squares.size() != kSquareLimbs || is_negative(squares)) return false;
  const Limbs total = magnitude(sum);
  const Limbs scaled = multiply(squares, Limbs{count});
  return compare(padded(scaled, 2 * kSumLimbs + 1), padded(multiply(total, total), 2 * kSumLimbs + 1)) >= 0 &&
         (count > 0 || std::all_of(squares.begin(), squares.end(), [](std::uint64_t l) { return l == 0; }));
}

double ExactMoments::squared_deviations(std::uint64_t count) const {
  const Limbs total = magnitude(sum);
  const std::size_t size = kSquareLimbs + 1;
  const Limbs scaled = padded(multiply(squares, Limbs{count}), size);
  Limbs square = multiply(total, total);  // 68 limbs, of which the top ones are 0 by the headroom
  square.resize(size);
  if (compare(scaled, square) < 0) return 0.0;  // never for consistent moments
  return rounded_quotient(subtract(scaled, square), kSquareUnit, static_cast<double>(count), 1.0);
}

double ExactMoments::mean_difference(const ExactMoments& x, std::uint64_t n_x, const ExactMoments& y,
                                     std::uint64_t n_y) {
  // n_y sum_x - n_x sum_y in sign and magnitude.
  const std::size_t size = kSumLimbs + 2;
  const Limbs a = padded(multiply(magnitude(x.sum), Limbs{n_y}), size);
  const Limbs b = padded(multiply(magnitude(y.sum), Limbs{n_x}), size);
  const bool a_negative = is_negative(x.sum), b_negative = is_negative(y.sum);
  Limbs difference;
  bool negative = false;
  if (a_negative != b_negative) {  // |a| + |b|, with a's sign
    difference = a;
    add_into(difference, b);
    negative = a_negative;
  } else if (compare(a, b) >= 0) {
    difference = subtract(a, b);
    negative = a_negative;
  } else {
    difference = subtract(b, a);
    negative = !a_negative;
  }
  const double value = rounded_quotient(difference, kSumUnit, static_cast<double>(n_x), static_cast<double>(n_y));
  return negative ? -value : value;
}

}  // namespace assay
