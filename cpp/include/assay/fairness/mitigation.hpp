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

#include <cstdint>
#include <span>

namespace assay::fairness {

// Post-processing by per-group thresholds (Hardt, Price & Srebro 2016), for the
// constraints that equalise one rate across groups, as fairlearn's ThresholdOptimizer
// computes them:
//  1. per group, every threshold between distinct scores (scores sorted descending;
//     the first point selects nothing) gives a point (x = the constrained rate,
//     y = the objective) for "score > threshold" and, with `flip`, a second point for
//     "score < threshold"; the points are sorted by (x, y) (stable) and their upper
//     convex hull kept (Andrew's monotone chain);
//  2. each hull is interpolated linearly on the grid x = 0, 1/grid_size, ..., 1, so a
//     grid value is a mixture of two thresholds (p0 of one, p1 = 1 - p0 of the other);
//  3. without `tol`: the grid value maximising sum over groups of (rows_g / n) * y_g(x)
//     (the first one on ties) is chosen for every group. With tol > 0 (fairlearn's
//     relaxed constraint) each group gets its own grid value, the values spanning at
//     most tol: a sliding window over the grid keeps, per group, a queue of the best
//     weighted y in the window, and the window whose sum is largest wins (on equal
//     sums, the later window if its spread of x is not larger).
// A row of group g is predicted positive with probability
//   p_ignore[g] * constant + (1 - p_ignore[g]) * (p0[g] * op0(score) + p1[g] * op1(score)),
// op_k(score) = score > threshold_k[g], or score < threshold_k[g] where below_k[g];
// p_ignore is 0 for these constraints.
// Unweighted. Throws InvalidArgument if a non-empty group lacks positives or negatives.
enum class RateMetric {
  selection_rate,
  true_positive_rate,
  false_positive_rate,
  true_negative_rate,
  false_negative_rate,
  accuracy,
  balanced_accuracy,
};

struct ThresholdOptions {
  std::int32_t grid_size = 1000;
  bool flip = false;  // also consider predicting positive below a threshold
  double tol = 0;     // > 0: relax the constraint to a spread of at most tol (simple constraints only)
};

struct ThresholdRules {
  double x_best = 0;                                             // the common constraint value (NaN with tol)
  double constant = 0;                                           // equalized odds: the random classifier's rate
  std::vector<double> x_group;                                   // per group: its constraint value on the grid
  std::vector<double> p0, threshold0, p1, threshold1, p_ignore;  // per group; empty groups: all 0
  std::vector<std::uint8_t> below0, below1;                      // per group: 1 for "score < threshold"
  std::vector<double> objective;                                 // the overall objective on the grid (not with tol)
};

ThresholdRules optimize_thresholds(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                   std::span<const double> scores, std::span<const std::int32_t> labels,
                                   RateMetric constraint, RateMetric objective, const ThresholdOptions& options,
                                   int n_jobs);

// Equalized odds, as fairlearn: each group's ROC hull (x = FPR, y = TPR) on the grid;
// for every FPR x the common TPR is the lowest over groups, y_min(x); the objective
// (accuracy or balanced accuracy) of the overall counts FP = N x, TP = P y_min(x) is
// rounded to 15 decimals and maximised (first on ties). A group whose hull lies above
// (x_best, y_best) mixes its thresholds with the constant prediction x_best with
// probability p_ignore = (y_g - y_best) / (y_g - x_best), which moves it down to the
// common point along the line to the diagonal. `tol` must be 0.
ThresholdRules optimize_equalized_odds(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                       std::span<const double> scores, std::span<const std::int32_t> labels,
                                       RateMetric objective, const ThresholdOptions& options, int n_jobs);

}  // namespace assay::fairness
