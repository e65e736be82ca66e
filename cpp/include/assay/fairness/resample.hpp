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
#include <functional>
#include <span>
#include <vector>

#include "assay/common/progress.hpp"
#include "assay/fairness/stats.hpp"

namespace assay::fairness {

// Replicate b of the Poisson row bootstrap: the number of times each row enters it,
// Poisson(1) by inversion, drawn in row order from CounterRng(seed, b). Every Poisson
// row bootstrap here draws exactly these, so all statistics of replicate b (confusion
// cells, regression sums, AUC, calibration, the rows handed to user metrics) come from
// the same resampled rows. `times` has one entry per row.
void poisson_multiplicities(std::uint64_t seed, std::uint64_t replicate, std::span<std::uint8_t> times);

// Runs body(b) for b in [0, n_boot) on the call's threads, reporting progress from the
// calling thread only. Throws InvalidArgument when n_boot < 1.
void for_each_replicate(int n_boot, int n_jobs, const Progress& progress, const std::function<void(std::size_t)>& body);

// Replicate b's rows for metrics computed outside the core (user-defined callables):
// the rows of `order` (grouped as sort_rows_by_group returns them, group g at
// order[group_offsets[g] .. group_offsets[g + 1])) with each row repeated by its
// multiplicity, still grouped; group g holds rows[offsets[g] .. offsets[g + 1]).
// n_rows counts every row of the data, dropped ones included (they draw too).
struct ResampledRows {
  std::vector<std::int64_t> rows;
  std::vector<std::int64_t> offsets;
};
ResampledRows resample_grouped_rows(std::span<const std::int64_t> order, std::span<const std::int64_t> group_offsets,
                                    std::size_t n_rows, std::uint64_t seed, std::uint64_t replicate);

// Each computes the n_boot replicates first_replicate, first_replicate + 1, ...; replicate
// r draws from CounterRng(seed, r) only, so a caller may stream replicates in blocks of
// any size and get the same values as one call. Refuses (ResourceLimit naming n_boot)
// replicate statistics that cannot fit in memory, before allocating them.
ConfusionStats bootstrap_counts(const ConfusionStats& stats, int n_boot, std::uint64_t seed, int n_jobs,
                                const Progress& progress = {}, std::uint64_t first_replicate = 0);

ConfusionStats bootstrap_rows_confusion(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                        std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                        std::int32_t n_classes, std::span<const double> weights, int n_boot,
                                        std::uint64_t seed, int n_jobs, const Progress& progress = {},
                                        std::uint64_t first_replicate = 0);

RegressionStats bootstrap_rows_regression(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                          std::span<const double> y_true, std::span<const double> y_pred,
                                          std::span<const double> weights, int n_boot, std::uint64_t seed, int n_jobs,
                                          const Progress& progress = {}, std::uint64_t first_replicate = 0);

}  // namespace assay::fairness
