#pragma once
// Metrics of scores (probabilities or decision values) by group.
//
// Exact ROC-AUC: the probability that a random positive scores above a random
// negative, ties counting one half (the Mann-Whitney statistic), with sample weights
// weighting pairs by w_i w_j; equal to scikit-learn's roc_auc_score (trapezoids on the
// weighted ROC curve). Undefined (NaN) for a group without positive or negative weight.
//
// Calibration: `n_bins` equal-width bins on [0, 1], bin k holding scores in
// (k / n_bins, (k + 1) / n_bins] (the first bin also holds 0), as scikit-learn's
// calibration_curve(strategy="uniform") assigns them. Per group and bin: weight, mean
// score, observed positive rate. ECE = sum over bins of weight share * |rate - mean
// score|; MCE is the largest such gap over non-empty bins.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/fairness/metrics.hpp"

namespace assay::fairness {

// labels: 1 positive, 0 negative. Scores must be finite (calibration: in [0, 1]).
MetricValues roc_auc_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                              std::span<const double> scores, std::span<const std::int32_t> labels,
                              std::span<const double> weights, int n_jobs);

struct Calibration {
  std::int32_t n_groups = 0, n_bins = 0;
  std::vector<double> weight, mean_score, positive_rate;  // [group][bin]; NaN means for empty bins
  std::vector<double> ece, mce;                           // per group; NaN for empty groups
};

Calibration calibration_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                 std::span<const double> scores, std::span<const std::int32_t> labels,
                                 std::span<const double> weights, std::int32_t n_bins, int n_jobs);

}  // namespace assay::fairness
