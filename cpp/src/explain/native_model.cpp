// Natively evaluated models for the model-agnostic explainers. See native_model.hpp.
#include "assay/explain/native_model.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"

namespace assay::explain {

NativeModel tree_ensemble_model(const TreeEnsemble& ensemble) {
  return [&ensemble](std::span<const double> rows, std::span<double> out) {
    const std::int64_t M = ensemble.n_features, K = ensemble.n_outputs;
    const std::int64_t n = static_cast<std::int64_t>(rows.size()) / M;
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t k = 0; k < K; ++k) out[r * K + k] = ensemble.base_values[k];
    }
    // Tree-outer: one tree's nodes stay in cache while all rows of the block walk it.
    const std::uint32_t* bits = ensemble.category_bits.data();
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
      const auto tree = ensemble.tree(t);
      for (std::int64_t r = 0; r < n; ++r) {
        const double* x = rows.data() + r * M;
        std::int32_t node = 0;
        while (tree[node].left >= 0) {
          const Node& split = tree[node];
          node = goes_left(split, bits, x[split.feature]) ? split.left : split.right;
        }
        const double* leaf = ensemble.leaf_value(t, node);
        for (std::int64_t k = 0; k < K; ++k) out[r * K + k] += leaf[k];
      }
    }
  };
}

NativeModel linear_model(std::span<const double> coef, std::span<const double> intercept, std::int32_t n_features) {
  const std::int64_t M = n_features, K = static_cast<std::int64_t>(intercept.size());
  if (M < 1 || K < 1 || static_cast<std::int64_t>(coef.size()) != K * M) {
    throw InvalidArgument("model: expected n_outputs x n_features coefficients and one intercept per output");
  }
  std::vector<double> c(coef.begin(), coef.end()), b(intercept.begin(), intercept.end());
  return [c, b, M, K](std::span<const double> rows, std::span<double> out) {
    const std::int64_t n = static_cast<std::int64_t>(rows.size()) / M;
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t k = 0; k < K; ++k) {
        double margin = b[k];
        for (std::int64_t j = 0; j < M; ++j) margin += c[k * M + j] * rows[r * M + j];
        out[r * K + k] = margin;
      }
    }
  };
}

void native_coalition_values(std::span<const double> X, std::span<const double> background,
                             const CoalitionDesign& design, const NativeModel& model, std::int32_t n_outputs,
                             std::span<const double> weights, Link link, std::span<double> out, int n_jobs) {
  const std::int64_t M = design.n_features, K = n_outputs;
  if (M < 1 || K < 1) throw InvalidArgument("design: needs at least one feature and one output");
  const std::int64_t C = static_cast<std::int64_t>(design.size());
  const std::int64_t n_rows = static_cast<std::int64_t>(X.size()) / M;
  const std::int64_t R = static_cast<std::int64_t>(background.size()) / M;
  if (static_cast<std::int64_t>(out.size()) != n_rows * C * K) throw InvalidArgument("out: wrong size");
  // Blocks of items small enough that their masked rows stay in cache.
  const std::int64_t items_per_block = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(1, R));
  const std::int64_t n_items = n_rows * C;
  parallel_for(static_cast<std::ptrdiff_t>(n_blocks(n_items, items_per_block)), resolve_threads(n_jobs), [&](std::ptrdiff_t block) {
    const std::int64_t begin = block * items_per_block, end = std::min(n_items, begin + items_per_block);
    std::vector<double> rows((end - begin) * R * M), outputs((end - begin) * R * K);
    fill_masked_rows(X, background, static_cast<std::int32_t>(M), design.masks, begin, end, rows, 1);
    model(rows, outputs);
    coalition_values(outputs, end - begin, static_cast<std::int32_t>(R), static_cast<std::int32_t>(K), weights, link,
                     out.subspan(begin * K, (end - begin) * K));
  });
}

namespace {

// The leaf tree t sends row x to.
std::int32_t leaf_of(const TreeEnsemble& ensemble, std::size_t t, const double* x) {
  const auto tree = ensemble.tree(t);
  std::int32_t node = 0;
  while (tree[node].left >= 0) {
    const Node& split = tree[node];
    node = goes_left(split, ensemble.category_bits.data(), x[split.feature]) ? split.left : split.right;
  }
  return node;
}

constexpr std::size_t kMaxTreeFeatures = 12;

struct CoalitionShape {
  std::int64_t coalitions, rows, background_rows;
  double weight_sum;
};

// Sizes shared by the native coalition evaluators, with the checks of their inputs.
CoalitionShape coalition_shape(std::span<const double> X, std::span<const double> background,
                               const CoalitionDesign& design, std::span<const double> weights, std::int64_t M,
                               std::int64_t K, std::span<const double> out) {
  CoalitionShape shape{static_cast<std::int64_t>(design.size()), static_cast<std::int64_t>(X.size()) / M,
                       static_cast<std::int64_t>(background.size()) / M, 0.0};
  if (shape.background_rows < 1) throw InvalidArgument("data: no background rows");
  if (!weights.empty() && static_cast<std::int64_t>(weights.size()) != shape.background_rows) {
    throw InvalidArgument("data_weights: expected one weight per background row");
  }
  if (static_cast<std::int64_t>(out.size()) != shape.rows * shape.coalitions * K) {
    throw InvalidArgument("out: wrong size");
  }
  shape.weight_sum = weights.empty() ? static_cast<double>(shape.background_rows) : 0.0;
  for (double w : weights) shape.weight_sum += w;
  return shape;
}

}  // namespace

void tree_coalition_values(std::span<const double> X, std::span<const double> background,
                           const CoalitionDesign& design, const TreeEnsemble& ensemble,
                           std::span<const double> weights, Link link, std::span<double> out, int n_jobs,
                           const Progress& progress) {
  const std::int64_t M = design.n_features, K = ensemble.n_outputs;
  if (M != ensemble.n_features) throw InvalidArgument("X: one column per feature of the model expected");
  const std::size_t T = ensemble.n_trees();
  std::vector<std::vector<std::int32_t>> features(T);
  for (std::size_t t = 0; t < T; ++t) {
    for (const Node& node : ensemble.tree(t)) {
      if (node.left >= 0) features[t].push_back(node.feature);
    }
    std::sort(features[t].begin(), features[t].end());
    features[t].erase(std::unique(features[t].begin(), features[t].end()), features[t].end());
    if (features[t].size() > kMaxTreeFeatures) {
      native_coalition_values(X, background, design, tree_ensemble_model(ensemble), static_cast<std::int32_t>(K),
                              weights, link, out, n_jobs);
      return;
    }
  }
  const CoalitionShape shape = coalition_shape(X, background, design, weights, M, K, out);
  const std::int64_t C = shape.coalitions, n_rows = shape.rows, R = shape.background_rows;
  const double weight_sum = shape.weight_sum;
  // Each coalition's pattern on each tree's features, and where each tree's table starts.
  std::vector<std::uint32_t> pattern(C * T, 0);
  std::vector<std::int64_t> table_start(T + 1, 0);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::int64_t c = 0; c < C; ++c) {
      for (std::size_t i = 0; i < features[t].size(); ++i) {
        pattern[c * T + t] |= std::uint32_t{design.masks[c * M + features[t][i]]} << i;
      }
    }
    table_start[t + 1] = table_start[t] + (std::int64_t{1} << features[t].size()) * K;
  }
  std::atomic<std::size_t> rows_done{0};
  parallel_for(static_cast<std::ptrdiff_t>(n_rows), resolve_threads(n_jobs), [&](std::ptrdiff_t row) {
    const double* x = X.data() + row * M;
    std::vector<double> table(table_start[T], 0.0), z(M);
    for (std::int64_t b = 0; b < R; ++b) {
      const double* reference = background.data() + b * M;
      const double w = (weights.empty() ? 1.0 : weights[b]) / weight_sum;
      std::copy(reference, reference + M, z.begin());
      for (std::size_t t = 0; t < T; ++t) {
        const auto& F = features[t];
        for (std::uint32_t p = 0; p < (1u << F.size()); ++p) {
          for (std::size_t i = 0; i < F.size(); ++i) z[F[i]] = (p >> i & 1) ? x[F[i]] : reference[F[i]];
          const double* leaf = ensemble.leaf_value(t, leaf_of(ensemble, t, z.data()));
          for (std::int64_t k = 0; k < K; ++k) table[table_start[t] + p * K + k] += w * leaf[k];
        }
        for (std::int32_t f : F) z[f] = reference[f];
      }
    }
    for (std::int64_t c = 0; c < C; ++c) {
      for (std::int64_t k = 0; k < K; ++k) {
        double sum = ensemble.base_values[k];
        for (std::size_t t = 0; t < T; ++t) sum += table[table_start[t] + pattern[c * T + t] * K + k];
        out[(row * C + c) * K + k] = apply_link(sum, link);
      }
    }
    const std::size_t finished = ++rows_done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(finished, static_cast<std::size_t>(n_rows));
  });
  if (progress.active()) progress.report(static_cast<std::size_t>(n_rows), static_cast<std::size_t>(n_rows));
}

void linear_coalition_values(std::span<const double> coef, std::span<const double> intercept,
                             std::span<const double> X, std::span<const double> background,
                             const CoalitionDesign& design, std::span<const double> weights, Link link,
                             std::span<double> out, int n_jobs) {
  const std::int64_t M = design.n_features, K = static_cast<std::int64_t>(intercept.size());
  if (M < 1 || K < 1 || static_cast<std::int64_t>(coef.size()) != K * M) {
    throw InvalidArgument("model: expected n_outputs x n_features coefficients and one intercept per output");
  }
  const CoalitionShape shape = coalition_shape(X, background, design, weights, M, K, out);
  const std::int64_t C = shape.coalitions, n_rows = shape.rows, R = shape.background_rows;
  const double weight_sum = shape.weight_sum;
  std::vector<double> mean(M, 0.0);
  for (std::int64_t b = 0; b < R; ++b) {
    const double w = (weights.empty() ? 1.0 : weights[b]) / weight_sum;
    for (std::int64_t j = 0; j < M; ++j) mean[j] += w * background[b * M + j];
  }
  parallel_for(static_cast<std::ptrdiff_t>(n_rows), resolve_threads(n_jobs), [&](std::ptrdiff_t row) {
    const double* x = X.data() + row * M;
    for (std::int64_t c = 0; c < C; ++c) {
      const std::uint8_t* mask = design.masks.data() + c * M;
      for (std::int64_t k = 0; k < K; ++k) {
        double sum = intercept[k];
        for (std::int64_t j = 0; j < M; ++j) sum += coef[k * M + j] * (mask[j] ? x[j] : mean[j]);
        if (!std::isfinite(sum)) throw InvalidArgument("model: returned a non-finite output (NaN or inf) for a masked row");
        out[(row * C + c) * K + k] = apply_link(sum, link);
      }
    }
  });
}

}  // namespace assay::explain
