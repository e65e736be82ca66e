// The tree-ensemble IR: validation, prediction, and the loader from arrays.
#include "assay/explain/tree_ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "assay/common/error.hpp"

namespace assay::explain {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::string where(std::size_t tree, std::int64_t node) {
  return "tree " + std::to_string(tree) + ", node " + std::to_string(node);
}

// Throws unless the children's covers add up to the node's (see check_covers).
// The path-dependent algorithms weight a split's children by cover(child) / cover(node):
// with covers that do not add up (a node cover of 5e-324 or 1.8e308 over children of
// 10 and 20) those weights are no distribution and the values are not finite. So the
// children's covers must add up to their node's (to 1e-3 relative, for covers rounded
// to float32); a node of cover 0 has children of cover 0 (weights 1/2 each).
bool cover_split_adds_up(double cover, double left, double right) {
  if (cover == 0) return left == 0 && right == 0;
  const double left_fraction = left / cover, right_fraction = right / cover;
  return std::isfinite(left_fraction) && std::isfinite(right_fraction) &&
         std::fabs(left_fraction + right_fraction - 1) <= 1e-3;
}

void check_cover_split(std::size_t t, std::int64_t id, double cover, double left, double right) {
  if (cover_split_adds_up(cover, left, right)) return;
  throw InvalidArgument("model: " + where(t, id) + " has cover " + number(cover) + " but its children's covers " +
                        number(left) + " and " + number(right) + " do not add up to it");
}

}  // namespace

void TreeEnsemble::validate() const {
  if (n_outputs < 1) throw InvalidArgument("model: the number of outputs must be at least 1");
  if (n_features < 0) throw InvalidArgument("model: negative number of features");
  if (tree_offsets.empty() || tree_offsets.front() != 0 ||
      tree_offsets.back() != static_cast<std::int64_t>(nodes.size())) {
    throw InvalidArgument("model: tree offsets do not cover the node array");
  }
  for (std::size_t t = 0; t < n_trees(); ++t) {
    if (tree_offsets[t + 1] <= tree_offsets[t]) throw InvalidArgument("model: tree " + std::to_string(t) + " is empty");
  }
  if (leaf_values.size() != nodes.size() * static_cast<std::size_t>(n_outputs)) {
    throw InvalidArgument("model: leaf values do not match the nodes and outputs");
  }
  if (base_values.size() != static_cast<std::size_t>(n_outputs)) {
    throw InvalidArgument("model: base values must have one entry per output");
  }
  for (double b : base_values) {
    if (!std::isfinite(b)) throw InvalidArgument("model: base values must be finite");
  }
  std::vector<std::uint8_t> seen;
  std::vector<std::int32_t> stack;
  for (std::size_t t = 0; t < n_trees(); ++t) {
    const auto tree_nodes = tree(t);
    const auto n = static_cast<std::int64_t>(tree_nodes.size());
    if (n > INT32_MAX) throw InvalidArgument("model: tree " + std::to_string(t) + " has too many nodes");
    seen.assign(tree_nodes.size(), 0);
    stack.assign(1, 0);
    seen[0] = 1;
    std::int64_t reached = 1;
    while (!stack.empty()) {
      const std::int32_t id = stack.back();
      stack.pop_back();
      const Node& node = tree_nodes[id];
      if (!(node.cover >= 0) || !std::isfinite(node.cover)) {
        throw InvalidArgument("model: " + where(t, id) + " has a negative or non-finite cover");
      }
      if (node.left < 0) {
        if (node.right >= 0) throw InvalidArgument("model: " + where(t, id) + " has only one child");
        const double* value = leaf_value(t, id);
        for (int k = 0; k < n_outputs; ++k) {
          if (!std::isfinite(value[k]))
            throw InvalidArgument("model: " + where(t, id) + " has a non-finite leaf value");
        }
        continue;
      }
      for (const std::int32_t child : {node.left, node.right}) {
        if (child < 0 || child >= n) throw InvalidArgument("model: " + where(t, id) + " has a child id out of range");
        if (seen[child]) throw InvalidArgument("model: " + where(t, id) + ": a node is reached twice (not a tree)");
        seen[child] = 1;
        ++reached;
        stack.push_back(child);
      }
      if (node.feature < 0 || node.feature >= n_features) {
        throw InvalidArgument("model: " + where(t, id) + " splits on feature " + std::to_string(node.feature) +
                              " but the model has " + std::to_string(n_features) + " features");
      }
      if (node.categorical) {
        if (node.category_offset < 0 || node.category_words < 0 ||
            static_cast<std::size_t>(node.category_offset) + node.category_words > category_bits.size()) {
          throw InvalidArgument("model: " + where(t, id) + " has a category bitset outside the pool");
        }
      } else if (std::isnan(node.threshold)) {
        throw InvalidArgument("model: " + where(t, id) + " has a NaN threshold");
      }
    }
    if (reached != n)
      throw InvalidArgument("model: tree " + std::to_string(t) + " has nodes unreachable from its root");
  }
}

int TreeEnsemble::max_depth() const {
  int deepest = 0;
  for (int depth : tree_depths) deepest = std::max(deepest, depth);
  return deepest;
}

void TreeEnsemble::check_covers() const {
  for (std::size_t t = 0; t < n_trees(); ++t) {
    const auto tree_nodes = tree(t);
    for (std::size_t id = 0; id < tree_nodes.size(); ++id) {
      const Node& node = tree_nodes[id];
      if (node.left < 0) continue;
      check_cover_split(t, static_cast<std::int64_t>(id), node.cover, tree_nodes[node.left].cover,
                        tree_nodes[node.right].cover);
    }
  }
}

void TreeEnsemble::finalize() {
  // Until validated, the ensemble counts as not finalized (the algorithms refuse it),
  // also when it was finalized before and then changed.
  tree_depths.clear();
  child_fractions.clear();
  validate();
  covers_add_up = true;
  tree_depths.assign(n_trees(), 0);
  child_fractions.assign(2 * nodes.size(), 0.0);
  std::vector<std::pair<std::int32_t, int>> stack;
  for (std::size_t t = 0; t < n_trees(); ++t) {
    const auto tree_nodes = tree(t);
    const auto first = static_cast<std::size_t>(tree_offsets[t]);
    stack.assign(1, {0, 0});
    while (!stack.empty()) {
      const auto [id, depth] = stack.back();
      stack.pop_back();
      const Node& node = tree_nodes[id];
      if (node.left < 0) {
        tree_depths[t] = std::max(tree_depths[t], depth);
        continue;
      }
      covers_add_up =
          covers_add_up && cover_split_adds_up(node.cover, tree_nodes[node.left].cover, tree_nodes[node.right].cover);
      const bool covered = node.cover > 0;
      child_fractions[2 * (first + id)] = covered ? tree_nodes[node.left].cover / node.cover : 0.5;
      child_fractions[2 * (first + id) + 1] = covered ? tree_nodes[node.right].cover / node.cover : 0.5;
      stack.emplace_back(node.left, depth + 1);
      stack.emplace_back(node.right, depth + 1);
    }
  }
}

TreeEnsemble from_arrays(const std::vector<ArrayTree>& trees, std::int32_t n_features, std::int32_t n_outputs,
                         std::span<const double> base_values, const ArrayTreeOptions& options,
                         const std::string& source) {
  TreeEnsemble ensemble;
  ensemble.n_features = n_features;
  ensemble.n_outputs = n_outputs;
  ensemble.cover_kind = options.cover_kind;
  ensemble.source = source;
  ensemble.base_values.assign(base_values.begin(), base_values.end());
  if (n_outputs < 1) throw InvalidArgument("model: the number of outputs must be at least 1");
  for (std::size_t t = 0; t < trees.size(); ++t) {
    const ArrayTree& in = trees[t];
    const std::size_t n = in.left.size();
    const std::string name = "model: tree " + std::to_string(t);
    if (n == 0) throw InvalidArgument(name + " is empty");
    if (in.right.size() != n || in.feature.size() != n || in.threshold.size() != n || in.cover.size() != n ||
        in.default_left.size() != n || in.values.size() != n * static_cast<std::size_t>(n_outputs)) {
      throw InvalidArgument(name + ": node arrays differ in length");
    }
    const bool has_categories = !in.is_categorical.empty();
    if (has_categories && (in.is_categorical.size() != n || in.category_words < 0 ||
                           in.category_bits.size() != n * static_cast<std::size_t>(in.category_words) ||
                           (!in.categories_go_left.empty() && in.categories_go_left.size() != n))) {
      throw InvalidArgument(name + ": categorical arrays do not match the nodes");
    }
    if (n > static_cast<std::size_t>(INT32_MAX)) throw InvalidArgument(name + " has too many nodes");
    for (std::size_t i = 0; i < n; ++i) {
      Node node;
      const bool leaf = in.left[i] < 0;
      if (!leaf && (in.left[i] >= static_cast<std::int64_t>(n) || in.right[i] < 0 ||
                    in.right[i] >= static_cast<std::int64_t>(n))) {
        throw InvalidArgument(name + ", node " + std::to_string(i) + " has a child id out of range");
      }
      if (!leaf && (in.feature[i] < 0 || in.feature[i] >= n_features)) {
        throw InvalidArgument(name + ", node " + std::to_string(i) + " splits on a feature out of range");
      }
      node.left = leaf ? -1 : static_cast<std::int32_t>(in.left[i]);
      node.right = leaf ? -1 : static_cast<std::int32_t>(in.right[i]);
      node.feature = leaf ? -1 : static_cast<std::int32_t>(in.feature[i]);
      node.threshold = in.threshold[i];
      node.cover = in.cover[i];
      node.default_left = in.default_left[i] != 0;
      node.comparison = options.comparison;
      node.float32_compare = options.float32_compare;
      if (!leaf && has_categories && in.is_categorical[i]) {
        node.categorical = true;
        node.categories_go_left = in.categories_go_left.empty() || in.categories_go_left[i] != 0;
        node.category_offset = static_cast<std::int32_t>(ensemble.category_bits.size());
        node.category_words = in.category_words;
        const auto* first = in.category_bits.data() + i * in.category_words;
        ensemble.category_bits.insert(ensemble.category_bits.end(), first, first + in.category_words);
      }
      ensemble.nodes.push_back(node);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const bool leaf = in.left[i] < 0;
      for (std::int32_t k = 0; k < n_outputs; ++k) {
        ensemble.leaf_values.push_back(leaf ? in.values[i * n_outputs + k] : 0.0);
      }
    }
    ensemble.tree_offsets.push_back(static_cast<std::int64_t>(ensemble.nodes.size()));
  }
  ensemble.finalize();
  return ensemble;
}

}  // namespace assay::explain
