#include "assay/fairness/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>

#include "assay/common/error.hpp"

namespace assay::fairness {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw InvalidArgument("normal_quantile: p must lie in (0, 1)");
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double low = 0.02425, high = 1 - low;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= high) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step: e = Phi(x) - p.
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

namespace {

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

// A count: finite, non-negative and a whole number.
void check_count(double value, const char* name) {
  if (std::isnan(value)) throw InvalidArgument(std::string(name) + ": NaN is not a count");
  if (!std::isfinite(value)) throw InvalidArgument(std::string(name) + ": " + number(value) + " is not a finite count");
  if (value < 0) throw InvalidArgument(std::string(name) + ": " + number(value) + " is negative; counts are >= 0");
  if (value != std::floor(value)) {
    throw InvalidArgument(std::string(name) + ": " + number(value) + " is not a whole number of rows");
  }
}

void check_pair(double x, double n, const char* x_name, const char* n_name) {
  check_count(x, x_name);
  check_count(n, n_name);
  if (x > n) {
    throw InvalidArgument(std::string(x_name) + ": " + number(x) + " successes exceed the " + number(n) +
                          " trials of " + n_name);
  }
}

void check_z(double z) {
  if (!(z > 0) || !std::isfinite(z)) throw InvalidArgument("z: the normal quantile must be a finite positive number");
}

Interval wilson_checked(double x, double n, double z) {
  if (n == 0) return {kNaN, kNaN};
  const double p = x / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace

Interval wilson(double successes, double trials, double z) {
  check_pair(successes, trials, "successes", "trials");
  check_z(z);
  return wilson_checked(successes, trials, z);
}

Interval newcombe(double x1, double n1, double x2, double n2, double z) {
  check_pair(x1, n1, "x1", "n1");
  check_pair(x2, n2, "x2", "n2");
  check_z(z);
  const Interval a = wilson_checked(x1, n1, z), b = wilson_checked(x2, n2, z);
  if (std::isnan(a.low) || std::isnan(b.low)) return {kNaN, kNaN};
  const double p1 = x1 / n1, p2 = x2 / n2, d = p1 - p2;
  const double lower = d - std::sqrt((p1 - a.low) * (p1 - a.low) + (b.high - p2) * (b.high - p2));
  const double upper = d + std::sqrt((a.high - p1) * (a.high - p1) + (p2 - b.low) * (p2 - b.low));
  return {lower, upper};
}

Interval katz(double x1, double n1, double x2, double n2, double z) {
  check_pair(x1, n1, "x1", "n1");
  check_pair(x2, n2, "x2", "n2");
  check_z(z);
  if (x1 == 0 || x2 == 0) return {kNaN, kNaN};  // n > 0 follows from x <= n
  const double p1 = x1 / n1, p2 = x2 / n2;
  const double log_ratio = std::log(p1 / p2);
  const double se = std::sqrt((1 - p1) / x1 + (1 - p2) / x2);
  return {std::exp(log_ratio - z * se), std::exp(log_ratio + z * se)};
}

}  // namespace assay::fairness
