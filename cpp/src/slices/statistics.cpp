// The scores, bounds and tests of sliceline.hpp that do not depend on the enumeration.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "assay/slices/sliceline.hpp"

namespace assay::slices {

double score(double error_sum, double size, double average_error, double n_rows, double alpha) {
  if (!(size > 0)) return std::numeric_limits<double>::quiet_NaN();
  return alpha * (error_sum / size / average_error - 1) - (1 - alpha) * (n_rows / size - 1);
}

// Sagadeeva & Boehm, eq. 5: below parents of (smallest) size ss, error sum se and max error
// sm, a slice of s rows has an error sum <= min(s * sm, se). The score with that error sum is
// monotone on [min_support, se / sm] and on [se / sm, ss], so its maximum over the sizes a
// valid child can have is at one of these three points.
double score_upper_bound(double size, double error_sum, double max_error, double average_error, double n,
                         double min_support, double alpha) {
  if (size < min_support) return -std::numeric_limits<double>::infinity();
  const double knee = std::clamp(error_sum / max_error, min_support, size);
  double best = -std::numeric_limits<double>::infinity();
  for (const double s : {min_support, knee, size}) {
    const double bounded_error = std::min(s * max_error, error_sum);
    const double value = score(bounded_error, s, average_error, n, alpha);
    best = std::max(best, value);  // NaN (0/0) never wins
  }
  return best;
}

std::vector<double> benjamini_hochberg(std::span<const double> p_values) {
  std::vector<std::size_t> order;
  order.reserve(p_values.size());
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(p_values.size(), std::numeric_limits<double>::quiet_NaN());
  const double m = static_cast<double>(order.size());
  double running_min = 1.0;
  for (std::size_t rank = order.size(); rank-- > 0;) {
    const double value = p_values[order[rank]] * m / static_cast<double>(rank + 1);
    running_min = std::min(running_min, value);
    adjusted[order[rank]] = running_min;
  }
  return adjusted;
}

}  // namespace assay::slices
