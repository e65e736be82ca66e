#pragma once
// Summarising a large background set by k weighted rows, so that model-agnostic
// explainers (whose cost grows with the background size) stay fast: k-means (Lloyd's
// algorithm with k-means++ seeding, Arthur & Vassilvitskii 2007), each centre weighted
// by the share of rows in its cluster, as shap.kmeans does.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/common/progress.hpp"

namespace assay::explain {

struct BackgroundSummary {
  std::vector<double> centers;  // k x M, row-major
  std::vector<double> weights;  // k, summing to 1
};

// data is n x M row-major, finite. With `round_values`, each centre coordinate is then
// replaced by the nearest value the feature takes in the data (as shap.kmeans), so the
// summary holds only values the model has seen. Seeding draws from CounterRng(seed, 0);
// assignments run in parallel but every sum is taken in row order, so the result is
// the same for every n_jobs. Empty clusters keep their previous centre.
// `progress` is called from the calling thread with (step, k + max_iterations + 1) after
// at most about 2^22 distance terms (per thread) of work, so that a caller can stop the
// work (Interrupted) within milliseconds; NaN or inf in data, k outside [1, n] are
// InvalidArgument.
BackgroundSummary kmeans_summary(std::span<const double> data, std::int32_t n_features, std::int32_t k,
                                 std::uint64_t seed, bool round_values, std::int32_t max_iterations = 100,
                                 int n_jobs = 0, const Progress& progress = {});

}  // namespace assay::explain
