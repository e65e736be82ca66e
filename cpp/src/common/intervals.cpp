#include "assay/common/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>

#include "assay/common/error.hpp"

namespace assay {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

}  // namespace

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

void check_proportion(double successes, double trials, const char* x_name, const char* n_name) {
  check_count(successes, x_name);
  check_count(trials, n_name);
  if (successes > trials) {
    throw InvalidArgument(std::string(x_name) + ": " + number(successes) + " successes exceed the " + number(trials) +
                          " trials of " + n_name);
  }
}

void check_normal_z(double z) {
  if (!(z > 0) || !std::isfinite(z)) throw InvalidArgument("z: the normal quantile must be a finite positive number");
}

Interval wilson(double successes, double trials, double z) {
  check_proportion(successes, trials, "successes", "trials");
  check_normal_z(z);
  if (trials == 0) return {kNaN, kNaN};
  const double p = successes / trials, z2 = z * z;
  const double centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const double half = z / (1 + z2 / trials) * std::sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace assay
