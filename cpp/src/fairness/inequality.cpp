#include "assay/fairness/inequality.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "assay/common/error.hpp"

namespace assay::fairness {

double generalized_entropy(std::span<const double> values, std::span<const double> weights, double alpha) {
  if (values.size() != weights.size()) throw InvalidArgument("weights: one per value");
  if (!std::isfinite(alpha)) throw InvalidArgument("alpha must be finite");
  double n = 0, total = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!(weights[k] >= 0)) throw InvalidArgument("weights must be non-negative");
    n += weights[k];
    total += weights[k] * values[k];
  }
  if (n == 0 || total == 0) return std::numeric_limits<double>::quiet_NaN();
  const double mu = total / n;
  double sum = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (weights[k] == 0) continue;
    const double r = values[k] / mu;
    double term;
    if (alpha == 1.0) {
      term = r > 0 ? r * std::log(r) : 0.0;
    } else if (alpha == 0.0) {
      term = -std::log(r);  // +inf for r = 0
    } else {
      term = (std::pow(r, alpha) - 1) / (alpha * (alpha - 1));
    }
    sum += weights[k] * term;
  }
  return sum / n;
}

double smoothed_edf(std::span<const double> positives, std::span<const double> rows, double concentration) {
  if (positives.size() != rows.size()) throw InvalidArgument("rows: one per group");
  if (!(concentration >= 0) || !std::isfinite(concentration)) {
    throw InvalidArgument("concentration must be a finite non-negative number");
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double min_log = kInf, max_log = -kInf, min_log_not = kInf, max_log_not = -kInf;
  bool any = false;
  for (std::size_t g = 0; g < rows.size(); ++g) {
    if (rows[g] <= 0) continue;
    any = true;
    const double p = (positives[g] + concentration / 2) / (rows[g] + concentration);
    const double lp = std::log(p), lq = std::log(1 - p);
    min_log = std::min(min_log, lp);
    max_log = std::max(max_log, lp);
    min_log_not = std::min(min_log_not, lq);
    max_log_not = std::max(max_log_not, lq);
  }
  if (!any) return std::numeric_limits<double>::quiet_NaN();
  const double a = max_log - min_log, b = max_log_not - min_log_not;
  // inf - inf (every group at rate 0 or 1 without smoothing) is no difference at all.
  const double range_a = std::isnan(a) ? 0.0 : a, range_b = std::isnan(b) ? 0.0 : b;
  return std::max(range_a, range_b);
}

}  // namespace assay::fairness
