// k-means summaries of background data. See background.hpp.
#include "assay/explain/background.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"

namespace assay::explain {

namespace {

double squared_distance(const double* a, const double* b, std::int64_t M) {
  double sum = 0.0;
  for (std::int64_t j = 0; j < M; ++j) sum += (a[j] - b[j]) * (a[j] - b[j]);
  return sum;
}

}  // namespace

BackgroundSummary kmeans_summary(std::span<const double> data, std::int32_t n_features, std::int32_t k,
                                 std::uint64_t seed, bool round_values, std::int32_t max_iterations, int n_jobs) {
  const std::int64_t M = n_features;
  if (M < 1) throw InvalidArgument("data: needs at least one column");
  const std::int64_t n = static_cast<std::int64_t>(data.size()) / M;
  if (k < 1 || k > n) throw InvalidArgument("k: must be between 1 and the number of rows (" + std::to_string(n) + ")");
  for (double value : data) {
    if (!std::isfinite(value)) throw InvalidArgument("data: k-means needs finite values (no NaN or inf)");
  }
  const int threads = resolve_threads(n_jobs);
  // k-means++ seeding: each next centre is a row drawn with probability proportional
  // to its squared distance to the nearest centre so far.
  CounterRng rng(seed, 0);
  std::vector<double> centers(k * M);
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  std::int64_t chosen = static_cast<std::int64_t>(rng.below(n));
  for (std::int32_t c = 0; c < k; ++c) {
    std::copy(data.begin() + chosen * M, data.begin() + (chosen + 1) * M, centers.begin() + c * M);
    double total = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(data.data() + i * M, centers.data() + c * M, M));
      total += nearest[i];
    }
    if (c + 1 == k) break;
    if (total <= 0.0) {  // every row coincides with a centre: take rows in order
      chosen = (chosen + 1) % n;
      continue;
    }
    double target = rng.uniform() * total;
    chosen = n - 1;
    for (std::int64_t i = 0; i < n; ++i) {
      target -= nearest[i];
      if (target < 0.0) {
        chosen = i;
        break;
      }
    }
  }
  // Lloyd iterations.
  std::vector<std::int32_t> assignment(n, -1);
  constexpr std::int64_t kRowsPerBlock = 1024;
  for (std::int32_t iteration = 0; iteration < max_iterations; ++iteration) {
    std::vector<std::uint8_t> block_changed(n_blocks(n, kRowsPerBlock), 0);
    parallel_for(static_cast<std::ptrdiff_t>(block_changed.size()), threads, [&](std::ptrdiff_t block) {
      for (std::int64_t i = block * kRowsPerBlock; i < std::min(n, (block + 1) * kRowsPerBlock); ++i) {
        std::int32_t best = 0;
        double best_distance = std::numeric_limits<double>::infinity();
        for (std::int32_t c = 0; c < k; ++c) {
          const double distance = squared_distance(data.data() + i * M, centers.data() + c * M, M);
          if (distance < best_distance) {
            best_distance = distance;
            best = c;
          }
        }
        if (assignment[i] != best) block_changed[block] = 1;
        assignment[i] = best;
      }
    });
    if (std::find(block_changed.begin(), block_changed.end(), 1) == block_changed.end()) break;
    std::vector<double> sums(k * M, 0.0);
    std::vector<std::int64_t> counts(k, 0);
    for (std::int64_t i = 0; i < n; ++i) {
      ++counts[assignment[i]];
      for (std::int64_t j = 0; j < M; ++j) sums[assignment[i] * M + j] += data[i * M + j];
    }
    for (std::int32_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      for (std::int64_t j = 0; j < M; ++j) centers[c * M + j] = sums[c * M + j] / counts[c];
    }
  }
  BackgroundSummary summary;
  summary.weights.assign(k, 0.0);
  for (std::int64_t i = 0; i < n; ++i) summary.weights[assignment[i]] += 1.0 / n;
  if (round_values) {
    std::vector<double> column(n);
    for (std::int64_t j = 0; j < M; ++j) {
      for (std::int64_t i = 0; i < n; ++i) column[i] = data[i * M + j];
      std::sort(column.begin(), column.end());
      for (std::int32_t c = 0; c < k; ++c) {
        double& value = centers[c * M + j];
        const auto above = std::lower_bound(column.begin(), column.end(), value);
        if (above == column.end()) value = column.back();
        else if (above == column.begin()) value = *above;
        else value = (value - *(above - 1) <= *above - value) ? *(above - 1) : *above;
      }
    }
  }
  summary.centers = std::move(centers);
  return summary;
}

}  // namespace assay::explain
