#pragma once
// Bootstrap replicates of the sufficient statistics, seeded and parallel. Replicate b
// draws from CounterRng(seed, b) only, so results are the same for every n_jobs.
//
// Two schemes:
//  - multinomial count bootstrap (unweighted confusion statistics): resampling the N
//    rows with replacement makes the vector of (group, true class, predicted class)
//    counts Multinomial(N, counts / N); every count metric is a function of that
//    vector, so a replicate costs O(cells), not O(N). Drawn as sequential conditional
//    binomials.
//  - Poisson row bootstrap (weighted data, regression sums): each row enters a
//    replicate Poisson(1) times (Hanley & MacGibbon 2006; the resampling TFMA uses),
//    which needs one pass over the rows per replicate.
// `weights` empty means unweighted. Both return statistics with n_boot * n_groups groups, replicate-major (group g of
// replicate b is group b * n_groups + g).
#include <cstdint>
#include <span>

#include "assay/common/progress.hpp"
#include "assay/fairness/stats.hpp"

namespace assay::fairness {

ConfusionStats bootstrap_counts(const ConfusionStats& stats, int n_boot, std::uint64_t seed, int n_jobs,
                                const Progress& progress = {});

ConfusionStats bootstrap_rows_confusion(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                        std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                        std::int32_t n_classes, std::span<const double> weights, int n_boot,
                                        std::uint64_t seed, int n_jobs, const Progress& progress = {});

RegressionStats bootstrap_rows_regression(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                          std::span<const double> y_true, std::span<const double> y_pred,
                                          std::span<const double> weights, int n_boot, std::uint64_t seed,
                                          int n_jobs, const Progress& progress = {});

}  // namespace assay::fairness
