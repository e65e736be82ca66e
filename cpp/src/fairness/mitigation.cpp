#include "assay/fairness/mitigation.hpp"

namespace assay::fairness {

std::vector<double> reweighing(const ConfusionStats& stats) {
  const auto groups = static_cast<std::size_t>(stats.n_groups);
  const auto classes = static_cast<std::size_t>(stats.n_classes);
  std::vector<double> cell(groups * classes, 0.0), group_weight(groups, 0.0), class_weight(classes, 0.0);
  double total = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t y = 0; y < classes; ++y) {
      double w = 0;
      for (std::size_t p = 0; p < classes; ++p) {
        w += stats.weights[stats.cell(static_cast<std::int32_t>(g), static_cast<std::int32_t>(y), static_cast<std::int32_t>(p))];
      }
      cell[g * classes + y] = w;
      group_weight[g] += w;
      class_weight[y] += w;
      total += w;
    }
  }
  std::vector<double> out(groups * classes, 0.0);
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t y = 0; y < classes; ++y) {
      const double w = cell[g * classes + y];
      if (w > 0) out[g * classes + y] = group_weight[g] * class_weight[y] / (total * w);
    }
  }
  return out;
}

}  // namespace assay::fairness
