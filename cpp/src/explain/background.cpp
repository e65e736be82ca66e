// k-means summaries of background data. See background.hpp.
#include "assay/explain/background.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
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

// Work (distance terms, or values sorted) between two checks for an interrupt: a few
// milliseconds on one core.
constexpr std::int64_t kWorkPerCheck = std::int64_t{1} << 22;

// Rows whose work of `work_per_row` each makes about `budget` of work (at least one).
std::int64_t rows_per_check(std::int64_t work_per_row, std::int64_t budget = kWorkPerCheck) {
  return std::max<std::int64_t>(1, budget / std::max<std::int64_t>(1, work_per_row));
}

// Replaces every centre coordinate by the nearest value of its feature in the data;
// `checkpoint` is called before each feature's sort.
void round_to_data(std::span<const double> data, std::int64_t M, std::int32_t k, std::vector<double>& centers,
                   const std::function<void()>& checkpoint = {}) {
  const std::int64_t n = static_cast<std::int64_t>(data.size()) / M;
  std::vector<double> column(n);
  for (std::int64_t j = 0; j < M; ++j) {
    if (checkpoint) checkpoint();
    for (std::int64_t i = 0; i < n; ++i) column[i] = data[i * M + j];
    std::sort(column.begin(), column.end());
    for (std::int32_t c = 0; c < k; ++c) {
      double& value = centers[c * M + j];
      const auto above = std::lower_bound(column.begin(), column.end(), value);
      if (above == column.end())
        value = column.back();
      else if (above == column.begin())
        value = *above;
      // Halves first: the difference of two values near the largest double would overflow.
      else
        value = (value / 2 - *(above - 1) / 2 <= *above / 2 - value / 2) ? *(above - 1) : *above;
    }
  }
}

}  // namespace

BackgroundSummary kmeans_summary(std::span<const double> data, std::int32_t n_features, std::int32_t k,
                                 std::uint64_t seed, bool round_values, std::int32_t max_iterations, int n_jobs,
                                 const Progress& progress) {
  const std::int64_t M = n_features;
  if (M < 1) throw InvalidArgument("data: needs at least one column");
  if (data.size() % static_cast<std::size_t>(M) != 0)
    throw InvalidArgument("data: size is not a multiple of n_features");
  const std::int64_t n = static_cast<std::int64_t>(data.size()) / M;
  if (k < 1 || k > n) throw InvalidArgument("k: must be between 1 and the number of rows (" + std::to_string(n) + ")");
  if (max_iterations < 1) throw InvalidArgument("max_iterations: must be at least 1");
  double largest = 0.0;
  for (double value : data) {
    if (!std::isfinite(value)) throw InvalidArgument("data: k-means needs finite values (no NaN or inf)");
    largest = std::max(largest, std::abs(value));
  }
  if (largest > 0x1p500) {
    // Squared distances and sums would overflow: cluster the data scaled by a power of two
    // (exact, and the same clustering), then scale the centres back and round them on the
    // original values.
    const double scale = std::ldexp(1.0, std::ilogb(largest));  // scaled values lie in (-2, 2)
    std::vector<double> scaled(data.begin(), data.end());
    for (double& value : scaled) value /= scale;
    BackgroundSummary summary = kmeans_summary(scaled, n_features, k, seed, false, max_iterations, n_jobs, progress);
    scaled = {};
    for (double& value : summary.centers) value *= scale;
    if (round_values) round_to_data(data, M, k, summary.centers);
    return summary;
  }
  const int threads = resolve_threads(n_jobs);
  // Progress in steps: k seeding steps, max_iterations Lloyd iterations, one rounding step.
  // Every loop below also reports (the same step again) after about kWorkPerCheck of work,
  // from this thread, so that a caller can interrupt within milliseconds.
  const auto total_steps = static_cast<std::size_t>(k) + static_cast<std::size_t>(max_iterations) + 1;
  auto check = [&](std::size_t step) {
    if (progress.active()) progress.report(step, total_steps);
  };
  // k-means++ seeding: each next centre is a row drawn with probability proportional
  // to its squared distance to the nearest centre so far.
  CounterRng rng(seed, 0);
  std::vector<double> centers(static_cast<std::size_t>(k) * M);
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  std::int64_t chosen = static_cast<std::int64_t>(rng.below(n));
  const std::int64_t seeding_rows = rows_per_check(M);
  for (std::int32_t c = 0; c < k; ++c) {
    std::copy(data.begin() + chosen * M, data.begin() + (chosen + 1) * M, centers.begin() + c * M);
    double total = 0.0;
    for (std::int64_t begin = 0; begin < n; begin += seeding_rows) {
      check(static_cast<std::size_t>(c));
      for (std::int64_t i = begin; i < std::min(n, begin + seeding_rows); ++i) {
        nearest[i] = std::min(nearest[i], squared_distance(data.data() + i * M, centers.data() + c * M, M));
        total += nearest[i];
      }
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
  const auto n_row_blocks = static_cast<std::int64_t>(n_blocks(n, kRowsPerBlock));
  // Blocks per parallel batch: about kWorkPerCheck distance terms per thread, then a check.
  const std::int64_t blocks_per_batch =
      std::max<std::int64_t>(1, rows_per_check(std::int64_t{k} * M, kWorkPerCheck * threads) / kRowsPerBlock);
  for (std::int32_t iteration = 0; iteration < max_iterations; ++iteration) {
    const std::size_t step = static_cast<std::size_t>(k) + static_cast<std::size_t>(iteration);
    std::vector<std::uint8_t> block_changed(n_row_blocks, 0);
    for (std::int64_t first_block = 0; first_block < n_row_blocks; first_block += blocks_per_batch) {
      check(step);
      const std::int64_t batch = std::min(blocks_per_batch, n_row_blocks - first_block);
      parallel_for(static_cast<std::ptrdiff_t>(batch), threads, [&](std::ptrdiff_t offset) {
        const std::int64_t block = first_block + offset;
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
    }
    if (std::find(block_changed.begin(), block_changed.end(), 1) == block_changed.end()) break;
    std::vector<double> sums(static_cast<std::size_t>(k) * M, 0.0);
    std::vector<std::int64_t> counts(k, 0);
    const std::int64_t summing_rows = rows_per_check(M);
    for (std::int64_t begin = 0; begin < n; begin += summing_rows) {
      check(step);
      for (std::int64_t i = begin; i < std::min(n, begin + summing_rows); ++i) {
        ++counts[assignment[i]];
        for (std::int64_t j = 0; j < M; ++j) sums[assignment[i] * M + j] += data[i * M + j];
      }
    }
    for (std::int32_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      for (std::int64_t j = 0; j < M; ++j) centers[c * M + j] = sums[c * M + j] / counts[c];
    }
  }
  BackgroundSummary summary;
  summary.weights.assign(k, 0.0);
  for (std::int64_t i = 0; i < n; ++i) summary.weights[assignment[i]] += 1.0 / n;
  if (round_values) round_to_data(data, M, k, centers, [&] { check(total_steps - 1); });
  summary.centers = std::move(centers);
  check(total_steps);
  return summary;
}

}  // namespace assay::explain
