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

#include "assay/common/progress.hpp"
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

// Bootstrap replicates of score metrics under the Poisson row bootstrap (replicate b
// reweights row i by its multiplicity from poisson_multiplicities(seed, b), the same
// resampled rows as every other Poisson bootstrap of the engine). Values per group and,
// with group_level[g] in [0, n_levels) naming the control level of group g (-1: left
// out), per level over the rows of its groups (fairlearn's `overall`).
//  - AUC: the rows of each group (and level) are sorted by score once; a replicate
//    is then one O(n) walk of that order with the replicate's weights, exact with
//    ties, so each replicate value is the exact weighted AUC of the resampled rows.
//  - ECE: every row's bin is found once; a replicate sums (group, bin) cells in one
//    pass; a level's cells are the sums of its groups' cells.
// Parallel over replicates; identical for every n_jobs. The n_boot replicates computed
// are first_replicate, first_replicate + 1, ... (so a caller can stream them in blocks:
// the values do not depend on how the replicates are split into calls).
struct ReplicateValues {
  std::vector<double> by_group;  // [replicate][group]
  std::vector<double> by_level;  // [replicate][level]
};

ReplicateValues bootstrap_roc_auc(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                  std::span<const std::int32_t> group_level, std::int32_t n_levels,
                                  std::span<const double> scores, std::span<const std::int32_t> labels,
                                  std::span<const double> weights, int n_boot, std::uint64_t seed, int n_jobs,
                                  const Progress& progress = {}, std::uint64_t first_replicate = 0);

ReplicateValues bootstrap_calibration_error(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                            std::span<const std::int32_t> group_level, std::int32_t n_levels,
                                            std::span<const double> scores, std::span<const std::int32_t> labels,
                                            std::span<const double> weights, std::int32_t n_bins, int n_boot,
                                            std::uint64_t seed, int n_jobs, const Progress& progress = {},
                                            std::uint64_t first_replicate = 0);

}  // namespace assay::fairness
