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
#include "rows.hpp"

namespace assay::explain {

NativeModel tree_ensemble_model(const TreeEnsemble& ensemble) {
  detail::check_finalized(ensemble);
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
  parallel_for(static_cast<std::ptrdiff_t>(n_blocks(n_items, items_per_block)), resolve_threads(n_jobs),
               [&](std::ptrdiff_t block) {
                 const std::int64_t begin = block * items_per_block, end = std::min(n_items, begin + items_per_block);
                 std::vector<double> rows((end - begin) * R * M), outputs((end - begin) * R * K);
                 fill_masked_rows(X, background, static_cast<std::int32_t>(M), design.masks, begin, end, rows, 1);
                 model(rows, outputs);
                 coalition_values(outputs, end - begin, static_cast<std::int32_t>(R), static_cast<std::int32_t>(K),
                                  weights, link, out.subspan(begin * K, (end - begin) * K));
               });
}

namespace {

// Leaves whose path reads more distinct features than this (their superset-sum table
// has 2^|U| entries) send the whole ensemble to the walking evaluator.
constexpr std::size_t kMaxLeafFeatures = 16;
// A tree is tabulated over all patterns of its features when there are at most this many
// features and no more patterns than coalitions; otherwise each coalition sums the
// tree's leaves directly.
constexpr std::size_t kMaxTableFeatures = 16;
// Entries of all leaves' superset-sum tables together (8 bytes each).
constexpr double kMaxSupersetSums = double(1 << 24);

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

// Every leaf of an ensemble as the conditions its root-to-leaf path puts on each feature,
// for the leaf decomposition of the coalition values (see tree_coalition_values).
struct LeafPaths {
  struct Step {
    std::int32_t node;  // the split, relative to its tree
    bool left;          // the path takes its left child
    std::uint8_t bit;   // the split's feature as a bit of the leaf's path features U
  };
  struct Leaf {
    std::int32_t tree, node;
    std::int64_t first_step, last_step;  // into steps
    std::int32_t first_feature;          // into features and positions: |U| entries
    std::int32_t n_features;             // |U|
    std::uint32_t span;                  // U as bits over the tree's feature positions
    std::int64_t first_sum;              // into superset_sums: 2^|U| entries
  };
  std::vector<Step> steps;
  std::vector<Leaf> leaves;
  std::vector<std::int32_t> features;     // the features of each leaf's U, in path order
  std::vector<std::uint8_t> positions;    // the same as positions among the tree's features
  std::vector<std::int64_t> tree_leaves;  // tree t's leaves: [tree_leaves[t], tree_leaves[t+1])
  std::vector<double> superset_sums;
  bool fits = true;  // every |U| <= kMaxLeafFeatures

  // The bits of U whose path conditions row z satisfies.
  std::uint32_t satisfied(const TreeEnsemble& ensemble, const Leaf& leaf, const double* z) const {
    const auto tree = ensemble.tree(leaf.tree);
    std::uint32_t bits = (std::uint32_t{1} << leaf.n_features) - 1;
    for (std::int64_t s = leaf.first_step; s < leaf.last_step; ++s) {
      const Node& split = tree[steps[s].node];
      if (goes_left(split, ensemble.category_bits.data(), z[split.feature]) != steps[s].left) {
        bits &= ~(std::uint32_t{1} << steps[s].bit);
      }
    }
    return bits;
  }
};

// Whether the paths of every leaf are few and short enough to store: trees no deeper
// than 64 and at most 2^24 (split, leaf) steps in all.
bool leaf_paths_fit(const TreeEnsemble& ensemble) {
  constexpr int kMaxDepth = 64;
  constexpr double kMaxSteps = double(1 << 24);
  if (ensemble.max_depth() > kMaxDepth) return false;
  double steps = 0.0;
  std::vector<std::pair<std::int32_t, int>> stack;
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    const auto tree = ensemble.tree(t);
    stack.assign(1, {0, 0});
    while (!stack.empty()) {
      const auto [node, depth] = stack.back();
      stack.pop_back();
      if (tree[node].left < 0) {
        steps += depth;
        continue;
      }
      stack.emplace_back(tree[node].left, depth + 1);
      stack.emplace_back(tree[node].right, depth + 1);
    }
    if (steps > kMaxSteps) return false;
  }
  return true;
}

// Every root-to-leaf path of the ensemble; tree_features[t] are tree t's features, sorted.
LeafPaths leaf_paths(const TreeEnsemble& ensemble, const std::vector<std::vector<std::int32_t>>& tree_features) {
  LeafPaths paths;
  paths.tree_leaves.push_back(0);
  std::vector<std::pair<std::int32_t, bool>> path;  // (split, path goes left) from the root down
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    const auto tree = ensemble.tree(t);
    const auto& F = tree_features[t];
    auto visit = [&](auto&& self, std::int32_t node) -> void {
      if (tree[node].left >= 0) {
        path.emplace_back(node, true);
        self(self, tree[node].left);
        path.back().second = false;
        self(self, tree[node].right);
        path.pop_back();
        return;
      }
      LeafPaths::Leaf leaf{static_cast<std::int32_t>(t),
                           node,
                           static_cast<std::int64_t>(paths.steps.size()),
                           0,
                           static_cast<std::int32_t>(paths.features.size()),
                           0,
                           0,
                           0};
      for (const auto& [split, left] : path) {
        const std::int32_t feature = tree[split].feature;
        const auto first = paths.features.begin() + leaf.first_feature;
        auto bit = std::find(first, paths.features.end(), feature) - first;
        if (bit == leaf.n_features) {
          paths.features.push_back(feature);
          // Positions among the tree's features matter only to tabulated trees (few features).
          const auto position =
              F.size() <= kMaxTableFeatures ? std::lower_bound(F.begin(), F.end(), feature) - F.begin() : 0;
          paths.positions.push_back(static_cast<std::uint8_t>(position));
          leaf.span |= std::uint32_t{1} << position;
          ++leaf.n_features;
        }
        paths.steps.push_back({split, left, static_cast<std::uint8_t>(bit)});
      }
      leaf.last_step = static_cast<std::int64_t>(paths.steps.size());
      if (static_cast<std::size_t>(leaf.n_features) > kMaxLeafFeatures) paths.fits = false;
      paths.leaves.push_back(leaf);
    };
    visit(visit, 0);
    paths.tree_leaves.push_back(static_cast<std::int64_t>(paths.leaves.size()));
  }
  return paths;
}

// For each leaf with path features U and each Q within U, the (normalised) weight of the
// background rows that satisfy the path conditions of every feature in Q: a histogram
// of the rows' satisfied patterns, then the superset-sum (zeta) transform over 2^|U|.
void tabulate_superset_sums(LeafPaths& paths, const TreeEnsemble& ensemble, std::span<const double> background,
                            std::int64_t M, std::span<const double> weights, double weight_sum) {
  std::int64_t total = 0;
  for (auto& leaf : paths.leaves) {
    leaf.first_sum = total;
    total += std::int64_t{1} << leaf.n_features;
  }
  paths.superset_sums.assign(total, 0.0);
  const std::int64_t R = static_cast<std::int64_t>(background.size()) / M;
  for (const auto& leaf : paths.leaves) {
    double* sums = paths.superset_sums.data() + leaf.first_sum;
    for (std::int64_t b = 0; b < R; ++b) {
      sums[paths.satisfied(ensemble, leaf, background.data() + b * M)] +=
          (weights.empty() ? 1.0 : weights[b]) / weight_sum;
    }
    const std::uint32_t count = std::uint32_t{1} << leaf.n_features;
    for (std::int32_t i = 0; i < leaf.n_features; ++i) {
      for (std::uint32_t q = 0; q < count; ++q) {
        if (!(q >> i & 1)) sums[q] += sums[q | std::uint32_t{1} << i];
      }
    }
  }
}

// A tree is tabulated when its 2^|F_t| patterns are no more than the coalitions: its
// values for all patterns are built once per row and each coalition reads the entry at
// its pattern on F_t. The other trees are summed leaf by leaf for each coalition.
bool tabulated_tree(std::size_t n_tree_features, std::int64_t n_coalitions) {
  return n_tree_features <= kMaxTableFeatures && (std::int64_t{1} << n_tree_features) <= n_coalitions;
}

// Whether the leaf decomposition costs less per explained row than walking every
// masked row (C coalitions x R background rows x the trees' mean depths), and its
// superset sums fit in memory. Trees with many leaves per background row are cheaper
// to walk.
bool leaves_pay_off(const LeafPaths& paths, const std::vector<std::vector<std::int32_t>>& features, std::int64_t C,
                    std::int64_t R) {
  double leaf_cost = 0.0, walk_cost = 0.0, sums = 0.0;
  for (std::size_t t = 0; t + 1 < paths.tree_leaves.size(); ++t) {
    double steps = 0.0;
    for (std::int64_t l = paths.tree_leaves[t]; l < paths.tree_leaves[t + 1]; ++l) {
      steps += static_cast<double>(paths.leaves[l].last_step - paths.leaves[l].first_step);
      sums += std::ldexp(1.0, paths.leaves[l].n_features);
    }
    const double leaves = static_cast<double>(paths.tree_leaves[t + 1] - paths.tree_leaves[t]);
    leaf_cost +=
        steps + (tabulated_tree(features[t].size(), C) ? leaves * std::ldexp(1.0, int(features[t].size())) + double(C)
                                                       : double(C) * steps);
    walk_cost += double(C) * double(R) * steps / leaves;
  }
  return sums <= kMaxSupersetSums && leaf_cost <= walk_cost;
}

}  // namespace

void tree_coalition_values(std::span<const double> X, std::span<const double> background, const CoalitionDesign& design,
                           const TreeEnsemble& ensemble, std::span<const double> weights, Link link,
                           std::span<double> out, int n_jobs, const Progress& progress) {
  detail::check_finalized(ensemble);
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
  }
  // The leaf decomposition stores every root-to-leaf path (recursing once per level):
  // very deep trees, or paths too long in total, go to the walking evaluator.
  if (!leaf_paths_fit(ensemble)) {
    native_coalition_values(X, background, design, tree_ensemble_model(ensemble), static_cast<std::int32_t>(K), weights,
                            link, out, n_jobs);
    return;
  }
  LeafPaths paths = leaf_paths(ensemble, features);
  if (!paths.fits || !leaves_pay_off(paths, features, static_cast<std::int64_t>(design.size()),
                                     static_cast<std::int64_t>(background.size()) / M)) {
    native_coalition_values(X, background, design, tree_ensemble_model(ensemble), static_cast<std::int32_t>(K), weights,
                            link, out, n_jobs);
    return;
  }
  const CoalitionShape shape = coalition_shape(X, background, design, weights, M, K, out);
  const std::int64_t C = shape.coalitions, n_rows = shape.rows;
  tabulate_superset_sums(paths, ensemble, background, M, weights, shape.weight_sum);
  std::vector<std::size_t> tabulated, summed;
  std::int64_t table_size = 0;
  for (std::size_t t = 0; t < T; ++t) {
    if (tabulated_tree(features[t].size(), C)) {
      tabulated.push_back(t);
      table_size = std::max(table_size, (std::int64_t{1} << features[t].size()) * K);
    } else {
      summed.push_back(t);
    }
  }
  const std::size_t n_tabulated = tabulated.size();
  std::vector<std::uint16_t> pattern(C * n_tabulated, 0);  // coalition c's pattern on tabulated tree i
  for (std::int64_t c = 0; c < C; ++c) {
    for (std::size_t i = 0; i < n_tabulated; ++i) {
      const auto& F = features[tabulated[i]];
      for (std::size_t j = 0; j < F.size(); ++j) {
        pattern[c * n_tabulated + i] |= static_cast<std::uint16_t>(design.masks[c * M + F[j]] << j);
      }
    }
  }
  std::atomic<std::size_t> rows_done{0};
  parallel_for(static_cast<std::ptrdiff_t>(n_rows), resolve_threads(n_jobs), [&](std::ptrdiff_t row) {
    const double* x = X.data() + row * M;
    double* v = out.data() + row * C * K;
    // Per leaf L with path features U: a_L, the features of U whose conditions x
    // satisfies. A hybrid row (x_S, b_notS) reaches L iff S n U lies within a_L and b
    // satisfies the conditions of U \ S, so L adds value_L [S n U within a_L] sums_L[U \ S].
    std::vector<std::uint32_t> satisfied(paths.leaves.size());
    for (std::size_t l = 0; l < paths.leaves.size(); ++l) satisfied[l] = paths.satisfied(ensemble, paths.leaves[l], x);
    for (std::int64_t c = 0; c < C; ++c) {
      for (std::int64_t k = 0; k < K; ++k) v[c * K + k] = ensemble.base_values[k];
    }
    std::vector<double> table(table_size);
    for (std::size_t i = 0; i < n_tabulated; ++i) {
      const std::size_t t = tabulated[i];
      const std::uint32_t every_position = (std::uint32_t{1} << features[t].size()) - 1;
      std::fill(table.begin(), table.begin() + ((std::int64_t{1} << features[t].size()) * K), 0.0);
      for (std::int64_t l = paths.tree_leaves[t]; l < paths.tree_leaves[t + 1]; ++l) {
        const auto& leaf = paths.leaves[l];
        const double* value = ensemble.leaf_value(t, leaf.node);
        const double* sums = paths.superset_sums.data() + leaf.first_sum;
        const std::uint32_t all = (std::uint32_t{1} << leaf.n_features) - 1, outside = every_position & ~leaf.span;
        // Every q within a_L (submask enumeration), spread over the patterns of F_t that
        // agree with q on U: q's bits at their positions in F_t, anything outside U.
        for (std::uint32_t q = satisfied[l];; q = (q - 1) & satisfied[l]) {
          std::uint32_t placed = 0;
          for (std::int32_t j = 0; j < leaf.n_features; ++j) {
            placed |= (q >> j & 1) << paths.positions[leaf.first_feature + j];
          }
          const double share = sums[all & ~q];
          for (std::uint32_t rest = outside;; rest = (rest - 1) & outside) {
            double* entry = table.data() + (placed | rest) * K;
            for (std::int64_t k = 0; k < K; ++k) entry[k] += share * value[k];
            if (rest == 0) break;
          }
          if (q == 0) break;
        }
      }
      for (std::int64_t c = 0; c < C; ++c) {
        const double* entry = table.data() + pattern[c * n_tabulated + i] * K;
        for (std::int64_t k = 0; k < K; ++k) v[c * K + k] += entry[k];
      }
    }
    for (std::int64_t c = 0; c < C; ++c) {
      const std::uint8_t* mask = design.masks.data() + c * M;
      for (std::size_t t : summed) {
        for (std::int64_t l = paths.tree_leaves[t]; l < paths.tree_leaves[t + 1]; ++l) {
          const auto& leaf = paths.leaves[l];
          std::uint32_t q = 0;  // S n U as bits of U
          for (std::int32_t j = 0; j < leaf.n_features; ++j) {
            q |= std::uint32_t{mask[paths.features[leaf.first_feature + j]]} << j;
          }
          if (q & ~satisfied[l]) continue;
          const double share = paths.superset_sums[leaf.first_sum + (((std::uint32_t{1} << leaf.n_features) - 1) & ~q)];
          const double* value = ensemble.leaf_value(t, leaf.node);
          for (std::int64_t k = 0; k < K; ++k) v[c * K + k] += share * value[k];
        }
      }
      for (std::int64_t k = 0; k < K; ++k) v[c * K + k] = apply_link(v[c * K + k], link);
    }
    const std::size_t finished = ++rows_done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(finished, static_cast<std::size_t>(n_rows));
  });
  if (progress.active()) progress.report(static_cast<std::size_t>(n_rows), static_cast<std::size_t>(n_rows));
}

void linear_coalition_values(std::span<const double> coef, std::span<const double> intercept, std::span<const double> X,
                             std::span<const double> background, const CoalitionDesign& design,
                             std::span<const double> weights, Link link, std::span<double> out, int n_jobs) {
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
        if (!std::isfinite(sum))
          throw InvalidArgument("model: returned a non-finite output (NaN or inf) for a masked row");
        out[(row * C + c) * K + k] = apply_link(sum, link);
      }
    }
  });
}

}  // namespace assay::explain
