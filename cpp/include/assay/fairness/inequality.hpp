#pragma once
// Inequality and intersectional-fairness indices of AIF360, from per-group statistics.
//
// Generalized entropy index (Speicher et al. 2018) of individual benefits
// b_i = y_pred_i - y_true_i + 1 (in {0, 1, 2} for binary labels), with mean mu:
//   GE(alpha) = 1 / (n alpha (alpha - 1)) sum_i ((b_i / mu)^alpha - 1),  alpha not in {0, 1}
//   GE(1) = (1/n) sum_i (b_i / mu) ln(b_i / mu)   (Theil index; 0 ln 0 = 0)
//   GE(0) = -(1/n) sum_i ln(b_i / mu)             (mean log deviation; +inf if some b_i = 0)
// The between-group form replaces every b_i by its group's mean benefit.
//
// Smoothed empirical differential fairness (Foulds et al. 2018): with per-group rates
// p_s = (positives_s + concentration / 2) / (rows_s + concentration) over groups with
// rows, epsilon = max over pairs s, t of max(|ln p_s - ln p_t|, |ln(1 - p_s) - ln(1 - p_t)|),
// computed in O(groups) as the larger of the two log ranges.
#include <span>

namespace assay::fairness {

// GE(alpha) of a discrete distribution: value v[k] held by weight[k] individuals.
// NaN when the total weight is zero or the mean value is zero.
double generalized_entropy(std::span<const double> values, std::span<const double> weights, double alpha);

// positives[g] / rows[g] per group (weighted or not); groups with rows[g] = 0 are skipped.
double smoothed_edf(std::span<const double> positives, std::span<const double> rows, double concentration);

}  // namespace assay::fairness
