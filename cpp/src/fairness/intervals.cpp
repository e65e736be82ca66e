#include "assay/fairness/intervals.hpp"

#include <cmath>
#include <limits>

namespace assay::fairness {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Interval newcombe(double x1, double n1, double x2, double n2, double z) {
  check_proportion(x1, n1, "x1", "n1");
  check_proportion(x2, n2, "x2", "n2");
  check_normal_z(z);
  const Interval a = wilson(x1, n1, z), b = wilson(x2, n2, z);
  if (std::isnan(a.low) || std::isnan(b.low)) return {kNaN, kNaN};
  const double p1 = x1 / n1, p2 = x2 / n2, d = p1 - p2;
  const double lower = d - std::sqrt((p1 - a.low) * (p1 - a.low) + (b.high - p2) * (b.high - p2));
  const double upper = d + std::sqrt((a.high - p1) * (a.high - p1) + (p2 - b.low) * (p2 - b.low));
  return {lower, upper};
}

Interval katz(double x1, double n1, double x2, double n2, double z) {
  check_proportion(x1, n1, "x1", "n1");
  check_proportion(x2, n2, "x2", "n2");
  check_normal_z(z);
  if (x1 == 0 || x2 == 0) return {kNaN, kNaN};  // n > 0 follows from x <= n
  const double p1 = x1 / n1, p2 = x2 / n2;
  const double log_ratio = std::log(p1 / p2);
  const double se = std::sqrt((1 - p1) / x1 + (1 - p2) / x2);
  return {std::exp(log_ratio - z * se), std::exp(log_ratio + z * se)};
}

}  // namespace assay::fairness
