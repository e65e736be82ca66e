#pragma once
// Pre-processing mitigation.
//
// Reweighing (Kamiran & Calders 2012, as AIF360's Reweighing): the weight of every row
// in cell (group g, class y) is W_g * W_y / (W * W_gy), with W the total (sample)
// weight, so that group and class are independent under the new weights. Cells without
// weight get weight 0 (no row holds them).
#include <vector>

#include "assay/fairness/stats.hpp"

namespace assay::fairness {

// One weight per (group, true class), [group][class], from the true-class margins of
// `stats`.
std::vector<double> reweighing(const ConfusionStats& stats);

}  // namespace assay::fairness
