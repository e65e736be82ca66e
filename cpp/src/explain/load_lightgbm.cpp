// LightGBM's text model format (Booster.model_to_string()).
//
// Numeric splits go left when x <= threshold (double, thresholds written with full
// precision). decision_type bits: 1 categorical, 2 default left, bits 2-3 missing_type
// (0 None: NaN counts as 0; 1 Zero: 0 and NaN take the default child; 2 NaN: NaN takes
// the default child). Categorical splits send the categories of their bitset left and
// everything else, including NaN and negative values, right. Covers are the training
// counts (leaf_count, internal_count), as LightGBM's own SHAP uses.
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "model_file.hpp"

namespace assay::explain {

namespace {

[[noreturn]] void bad(const std::string& message) { throw InvalidArgument("LightGBM model: " + message); }

using Block = std::unordered_map<std::string, std::string>;

std::vector<double> numbers(const Block& block, const std::string& key, std::size_t expected,
                            const std::string& where) {
  const auto it = block.find(key);
  if (it == block.end()) bad(where + " has no '" + key + "'");
  std::vector<double> out;
  const char* p = it->second.c_str();
  while (true) {
    while (*p == ' ') ++p;
    char* end = nullptr;
    const double number = std::strtod(p, &end);
    if (end == p) break;  // the end of the text, or something that is not a number
    out.push_back(number);
    p = end;
  }
  if (*p != '\0') bad(where + "." + key + " holds a non-number");
  if (expected != static_cast<std::size_t>(-1) && out.size() != expected) {
    bad(where + "." + key + " has " + std::to_string(out.size()) + " entries, expected " + std::to_string(expected));
  }
  return out;
}

long integer(const Block& block, const std::string& key, const std::string& where) {
  const auto values = numbers(block, key, 1, where);
  if (values[0] != std::floor(values[0]) || std::fabs(values[0]) > 1e9) bad(where + "." + key + " is not an integer");
  return static_cast<long>(values[0]);
}

bool is_index(double value, double size) { return value >= 0 && value < size && value == std::floor(value); }

void add_tree(TreeEnsemble& ensemble, const Block& block, std::size_t index, int output) {
  const std::string where = "Tree=" + std::to_string(index);
  const long n_leaves = integer(block, "num_leaves", where);
  if (n_leaves < 1 || n_leaves > 100000000) bad(where + " has an invalid num_leaves");
  if (const auto it = block.find("is_linear"); it != block.end() && it->second != "0") {
    bad(where + " is a linear tree (linear_tree=true), which assay does not explain");
  }
  const auto n_leaf = static_cast<std::size_t>(n_leaves);
  const auto n_inner = n_leaf - 1;
  const auto leaf_value = numbers(block, "leaf_value", n_leaf, where);
  std::vector<double> leaf_count(n_leaf, 0.0);
  if (n_inner > 0 || block.contains("leaf_count")) leaf_count = numbers(block, "leaf_count", n_leaf, where);
  std::vector<double> feature, threshold, decision, left, right, inner_count, cat_boundaries, cat_threshold;
  if (n_inner > 0) {
    feature = numbers(block, "split_feature", n_inner, where);
    threshold = numbers(block, "threshold", n_inner, where);
    decision = numbers(block, "decision_type", n_inner, where);
    left = numbers(block, "left_child", n_inner, where);
    right = numbers(block, "right_child", n_inner, where);
    inner_count = numbers(block, "internal_count", n_inner, where);
    const long n_cat = block.contains("num_cat") ? integer(block, "num_cat", where) : 0;
    if (n_cat < 0) bad(where + ".num_cat is negative");
    if (n_cat > 0) {
      cat_boundaries = numbers(block, "cat_boundaries", static_cast<std::size_t>(n_cat) + 1, where);
      cat_threshold = numbers(block, "cat_threshold", -1, where);
      for (std::size_t i = 0; i < cat_boundaries.size(); ++i) {
        if (!is_index(cat_boundaries[i], static_cast<double>(cat_threshold.size()) + 1) ||
            (i > 0 && cat_boundaries[i] < cat_boundaries[i - 1])) {
          bad(where + ".cat_boundaries is inconsistent");
        }
      }
    }
  }
  // Node ids: inner nodes keep theirs; leaf j becomes n_inner + j. The root is inner
  // node 0, or leaf 0 for a one-leaf tree.
  auto child_id = [&](double encoded, std::size_t node) -> std::int32_t {
    if (encoded >= 0) {
      if (!is_index(encoded, static_cast<double>(n_inner)))
        bad(where + ", node " + std::to_string(node) + ": child out of range");
      return static_cast<std::int32_t>(encoded);
    }
    const double leaf = -encoded - 1;  // LightGBM stores leaf j as ~j
    if (!is_index(leaf, static_cast<double>(n_leaf)))
      bad(where + ", node " + std::to_string(node) + ": leaf out of range");
    return static_cast<std::int32_t>(n_inner + static_cast<std::size_t>(leaf));
  };
  for (std::size_t i = 0; i < n_inner; ++i) {
    Node node;
    if (!is_index(feature[i], ensemble.n_features))
      bad(where + ", node " + std::to_string(i) + " splits on a feature out of range");
    if (!is_index(decision[i], 256)) bad(where + ".decision_type is invalid");
    const auto type = static_cast<unsigned>(decision[i]);
    node.feature = static_cast<std::int32_t>(feature[i]);
    node.left = child_id(left[i], i);
    node.right = child_id(right[i], i);
    node.cover = inner_count[i];
    node.comparison = Comparison::less_equal;
    if (type & 1u) {
      const double cat_index = threshold[i];
      if (!is_index(cat_index, static_cast<double>(cat_boundaries.empty() ? 0 : cat_boundaries.size() - 1))) {
        bad(where + ", node " + std::to_string(i) + " refers to a missing category set");
      }
      const auto begin = static_cast<std::size_t>(cat_boundaries[static_cast<std::size_t>(cat_index)]);
      const auto end = static_cast<std::size_t>(cat_boundaries[static_cast<std::size_t>(cat_index) + 1]);
      node.categorical = true;
      node.categories_go_left = true;
      node.default_left = false;  // NaN goes right
      node.category_offset = static_cast<std::int32_t>(ensemble.category_bits.size());
      node.category_words = static_cast<std::int32_t>(end - begin);
      for (std::size_t w = begin; w < end; ++w) {
        if (!(cat_threshold[w] >= 0 && cat_threshold[w] <= 4294967295.0)) bad(where + ".cat_threshold is invalid");
        ensemble.category_bits.push_back(static_cast<std::uint32_t>(cat_threshold[w]));
      }
    } else {
      if (std::isnan(threshold[i])) bad(where + ", node " + std::to_string(i) + " has a NaN threshold");
      node.threshold = threshold[i];
      node.default_left = (type & 2u) != 0;
      const unsigned missing = (type >> 2) & 3u;
      if (missing == 3) bad(where + ", node " + std::to_string(i) + " has an unknown missing_type");
      node.missing = missing == 0 ? MissingType::none_as_zero
                                  : (missing == 1 ? MissingType::zero_default : MissingType::nan_default);
    }
    ensemble.nodes.push_back(node);
  }
  for (std::size_t j = 0; j < n_leaf; ++j) {
    Node node;
    node.cover = leaf_count[j];
    ensemble.nodes.push_back(node);
  }
  detail::check_leaf_value_entries(ensemble.nodes.size(), static_cast<std::size_t>(ensemble.n_outputs));
  for (std::size_t i = 0; i < n_inner; ++i) {
    for (int k = 0; k < ensemble.n_outputs; ++k) ensemble.leaf_values.push_back(0.0);
  }
  for (std::size_t j = 0; j < n_leaf; ++j) {
    for (int k = 0; k < ensemble.n_outputs; ++k) ensemble.leaf_values.push_back(k == output ? leaf_value[j] : 0.0);
  }
  ensemble.tree_offsets.push_back(static_cast<std::int64_t>(ensemble.nodes.size()));
}

TreeEnsemble read_lightgbm_text(std::string_view text) {
  TreeEnsemble ensemble;
  ensemble.source = "lightgbm";
  ensemble.cover_kind = CoverKind::count;
  Block header;
  std::vector<Block> trees;
  Block* current = &header;
  bool ended = false;
  std::size_t pos = 0;
  while (pos < text.size() && !ended) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line == "end of trees") {
      ended = true;
    } else if (line.starts_with("Tree=")) {
      trees.emplace_back();
      current = &trees.back();
    } else if (const auto eq = line.find('='); eq != std::string_view::npos) {
      (*current)[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  if (!header.contains("version") || !header.contains("max_feature_idx")) {
    bad("not a LightGBM text model (no version or max_feature_idx)");
  }
  if (!ended) bad("truncated: 'end of trees' is missing");
  const long max_feature = integer(header, "max_feature_idx", "header");
  const long per_iteration =
      header.contains("num_tree_per_iteration") ? integer(header, "num_tree_per_iteration", "header") : 1;
  if (max_feature < 0 || max_feature >= INT32_MAX) bad("max_feature_idx is out of range");
  if (per_iteration < 1 || per_iteration > 100000) bad("num_tree_per_iteration is out of range");
  ensemble.n_features = static_cast<std::int32_t>(max_feature + 1);
  ensemble.n_outputs = static_cast<std::int32_t>(per_iteration);
  ensemble.base_values.assign(ensemble.n_outputs, 0.0);  // LightGBM folds its init score into the trees
  if (const auto it = header.find("objective"); it != header.end()) {
    ensemble.objective = detail::printable(it->second.substr(0, it->second.find(' ')));
  }
  if (trees.size() % static_cast<std::size_t>(per_iteration) != 0) {
    bad("the number of trees is not a multiple of num_tree_per_iteration");
  }
  // Random-forest mode ("average_output") needs no scaling here: its text model's leaf
  // values already include the averaging (checked against LightGBM's raw_score).
  for (std::size_t t = 0; t < trees.size(); ++t) {
    add_tree(ensemble, trees[t], t, static_cast<int>(t % static_cast<std::size_t>(per_iteration)));
  }
  ensemble.finalize();
  ensemble.check_covers();
  return ensemble;
}

}  // namespace

TreeEnsemble load_lightgbm_text(std::string_view text) {
  return detail::load_model_file("LightGBM model", [&] { return read_lightgbm_text(text); });
}

}  // namespace assay::explain
