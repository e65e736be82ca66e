#pragma once
// Arithmetic on finite doubles that does not overflow in an intermediate step when the
// true result is finite: interpolation between two values, a value plus a multiple of a
// distance, and the power-of-two scale that keeps sums and squares of a column in range.
//
// Scaling by a power of two is exact (barring underflow to subnormals), so a computation
// done on x / 2^k and multiplied back by 2^k rounds exactly as the unscaled one whenever
// that one does not overflow or underflow.
#include <algorithm>
#include <cmath>

namespace assay {

// The power of two 2^k that a column whose largest magnitude is max_abs is divided by
// before sums and squares: 1 for magnitudes in [2^-400, 2^400] (where n * x^2 stays in
// range for any n that fits in memory), else about max_abs, so that scaled values lie in
// [1, 2) at the top and squares of scaled deviations cannot overflow or all underflow.
inline double moment_scale(double max_abs) {
  if (!(max_abs > 0.0) || !std::isfinite(max_abs)) return 1.0;
  const int e = std::ilogb(max_abs);
  if (e >= -400 && e <= 400) return 1.0;
  return std::ldexp(1.0, std::clamp(e, -1022, 1023));
}

// numpy's linear interpolation a + (b - a) t for t in [0, 1] (the form exact at the
// nearer end), also when b - a overflows: then from the halves, whose difference cannot.
inline double lerp_finite(double a, double b, double t) {
  const double d = b - a;
  if (std::isfinite(d) || !std::isfinite(a) || !std::isfinite(b)) {
    return t < 0.5 ? a + d * t : b - d * (1.0 - t);
  }
  const double h = b * 0.5 - a * 0.5;  // finite: |h| <= DBL_MAX
  const double r = t < 0.5 ? a + (h * t) * 2.0 : b - (h * (1.0 - t)) * 2.0;
  return std::clamp(r, std::min(a, b), std::max(a, b));
}

// b - a for finite a, b given as its half, (b - a) / 2, which never overflows.
inline double half_difference(double a, double b) {
  const double d = b - a;
  return std::isfinite(d) ? d * 0.5 : b * 0.5 - a * 0.5;
}

// a + k * (2 h) for finite a and half-distance h: the exact value when it is finite, else
// +-inf (the true value is then beyond the largest double). Used for fences such as
// Q1 - k * IQR where IQR itself may exceed the largest double.
inline double add_scaled_distance(double a, double k, double h) {
  const double direct = a + k * (2.0 * h);
  if (std::isfinite(direct) || !std::isfinite(a) || !std::isfinite(k) || !std::isfinite(h)) return direct;
  // Quarter everything: |a / 4| <= DBL_MAX / 4; if k h / 2 overflows, |k (2h)| exceeds
  // 4 DBL_MAX and the true result cannot be finite.
  return 4.0 * (a * 0.25 + k * (h * 0.5));
}

}  // namespace assay
