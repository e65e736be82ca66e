#pragma once
// The one tree-ensemble representation that every explainer algorithm reads.
//
// An ensemble is a list of binary trees of any size (no padding). All nodes of all
// trees live in one node array; tree t owns the nodes [tree_offsets[t],
// tree_offsets[t+1]) and its root is the first of them. Child ids are relative to the
// tree's first node and are int32. A node is a leaf when its left child is -1.
//
// Each split keeps the semantics of the library that trained it, so that a row takes
// exactly the path it takes in that library:
//  * numeric splits compare the feature value with the threshold using `<=` or `<`,
//    after rounding the value to float32 when the library compares in float32;
//  * categorical splits test membership of the (integral) value in a bitset of any
//    cardinality; `categories_go_left` says which side the members take;
//  * missing values (NaN) take the default child, with LightGBM's missing_type rules
//    (None: NaN counts as 0; Zero: 0 and NaN take the default child) and XGBoost's
//    `missing` sentinel (values equal to it in float32 are missing as well).
// Leaves hold a vector of n_outputs values; covers are training counts or hessian sums
// (recorded in `cover_kind`), the weights of the path-dependent expectation.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace assay::explain {

// The deepest tree (splits on its longest root-to-leaf path) that the SHAP algorithms
// explain: they recurse once per level of a tree. Deeper trees are an UnsupportedModel
// error there; predictions, expected values and the model-agnostic explainers take
// trees of any depth.
constexpr int kMaxExplainedDepth = 2048;

enum class Comparison : std::uint8_t { less_equal, less };
// nan_or_value_default: NaN and values equal to the node's missing_value (compared in
// float32, as XGBoost does with a DMatrix's `missing` sentinel) take the default child.
enum class MissingType : std::uint8_t { nan_default, none_as_zero, zero_default, nan_or_value_default };
enum class CoverKind : std::uint8_t { count, hessian };

struct Node {
  std::int32_t left = -1;  // child ids relative to the tree's first node; -1 for a leaf
  std::int32_t right = -1;
  std::int32_t feature = -1;
  float missing_value = 0.0f;  // the sentinel of MissingType::nan_or_value_default
  double threshold = 0.0;      // numeric splits
  double cover = 0.0;
  std::int32_t category_offset = 0;  // categorical splits: bitset words in category_bits
  std::int32_t category_words = 0;
  bool categorical = false;
  bool default_left = true;        // where missing values go
  bool categories_go_left = true;  // categorical splits: members of the set go left
  bool float32_compare = false;    // compare float(x) with the threshold
  Comparison comparison = Comparison::less_equal;
  MissingType missing = MissingType::nan_default;
};

struct TreeEnsemble {
  std::vector<Node> nodes;
  std::vector<std::int64_t> tree_offsets{0};  // size n_trees + 1
  std::vector<double> leaf_values;            // n_outputs per node (zeros for inner nodes)
  std::vector<std::uint32_t> category_bits;   // pool of categorical bitsets
  std::vector<double> base_values;            // n_outputs: constant added to every prediction
  std::int32_t n_features = 0;
  std::int32_t n_outputs = 1;
  CoverKind cover_kind = CoverKind::count;
  std::string source;     // "sklearn", "xgboost", "lightgbm"
  std::string objective;  // the source's objective name when known

  std::size_t n_trees() const { return tree_offsets.size() - 1; }
  std::span<const Node> tree(std::size_t t) const {
    return {nodes.data() + tree_offsets[t], static_cast<std::size_t>(tree_offsets[t + 1] - tree_offsets[t])};
  }
  const double* leaf_value(std::size_t t, std::int32_t node) const {
    return leaf_values.data() + (static_cast<std::size_t>(tree_offsets[t]) + node) * n_outputs;
  }
  // Derived by finalize(), read by the algorithms: per tree its depth (split nodes on
  // its longest root-to-leaf path); per node the weights of its left and right child in
  // the path-dependent expectation, cover(child) / cover(node) (1/2 each when the node's
  // cover is 0).
  std::vector<int> tree_depths;
  std::vector<double> child_fractions;  // 2 per node
  // Whether at every split the children's covers add up to the node's (see check_covers).
  bool covers_add_up = true;

  // Largest tree depth (after finalize()).
  int max_depth() const;

  // Checks every invariant the algorithms rely on (ids in range, each node reached once
  // from its root, finite thresholds or +-inf, non-negative covers, bitsets in the pool,
  // features in range; throws InvalidArgument naming the tree and node otherwise), then
  // computes the derived fields. Every loader ends with it.
  void finalize();

  // The path-dependent algorithms weight a split's children by cover(child) / cover(node),
  // so they need covers that add up: at every split the children's covers sum to the
  // node's (to 1e-3 relative, for covers rounded to float32), and a node of cover 0 has
  // children of cover 0. Throws InvalidArgument naming the first split where they do not
  // (covers of 5e-324 or 1.8e308 over children of 10 and 20 would give non-finite
  // values). The loaders check it; the interventional and model-agnostic algorithms do
  // not read covers and do not need it.
  void check_covers() const;

 private:
  void validate() const;
};

// --- loaders -------------------------------------------------------------------------

// Arrays of one tree as the scikit-learn adapter extracts them (node-major, n_nodes
// entries; values has n_nodes * n_outputs entries). Leaves have left == right == -1.
struct ArrayTree {
  std::span<const std::int64_t> left, right, feature;
  std::span<const double> threshold, cover, values;
  std::span<const std::uint8_t> default_left;
  // Optional categorical splits: per node a flag, and for flagged nodes
  // `category_words` words from `category_bits` starting at node * category_words,
  // and which side the members take (all left when categories_go_left is empty).
  std::span<const std::uint8_t> is_categorical;
  std::span<const std::uint32_t> category_bits;
  std::span<const std::uint8_t> categories_go_left;
  std::int32_t category_words = 0;
};

struct ArrayTreeOptions {
  Comparison comparison = Comparison::less_equal;
  bool float32_compare = false;
  CoverKind cover_kind = CoverKind::count;
};

TreeEnsemble from_arrays(const std::vector<ArrayTree>& trees, std::int32_t n_features, std::int32_t n_outputs,
                         std::span<const double> base_values, const ArrayTreeOptions& options,
                         const std::string& source);

// XGBoost's JSON model (Booster.save_raw("json")). Throws UnsupportedModel on a
// malformed or unsupported model, naming the field.
// `missing` is the value that the model's training data used for missing values
// (XGBoost's DMatrix / scikit-learn wrapper parameter; not recorded in the file): when
// it is not NaN, values equal to it (in float32) take the default child, as NaN does.
TreeEnsemble load_xgboost_json(std::string_view text, double missing = std::numeric_limits<double>::quiet_NaN());

// The same model in UBJSON (Booster.save_raw("ubj"), .ubj files); same errors.
TreeEnsemble load_xgboost_ubjson(std::string_view bytes, double missing = std::numeric_limits<double>::quiet_NaN());

// LightGBM's text model (Booster.model_to_string()); same errors.
TreeEnsemble load_lightgbm_text(std::string_view text);

// --- definitions ---------------------------------------------------------------------

inline bool category_member(const Node& node, const std::uint32_t* category_bits, double value) {
  if (value < 0 || value >= static_cast<double>(node.category_words) * 32) return false;
  const auto category = static_cast<std::uint64_t>(value);
  return (category_bits[node.category_offset + category / 32] >> (category % 32)) & 1u;
}

inline bool goes_left(const Node& node, const std::uint32_t* category_bits, double value) {
  if (node.categorical) {
    if (value != value) return node.default_left;
    if (node.missing == MissingType::nan_or_value_default && static_cast<float>(value) == node.missing_value) {
      return node.default_left;
    }
    return category_member(node, category_bits, value) == node.categories_go_left;
  }
  switch (node.missing) {
    case MissingType::nan_default:
      if (value != value) return node.default_left;
      break;
    case MissingType::none_as_zero:
      if (value != value) value = 0.0;
      break;
    case MissingType::zero_default:
      // LightGBM treats |x| <= 1e-35 as zero and NaN as zero here.
      if (value != value || (value >= -1e-35 && value <= 1e-35)) return node.default_left;
      break;
    case MissingType::nan_or_value_default:
      if (value != value || static_cast<float>(value) == node.missing_value) return node.default_left;
      break;
  }
  const double compared = node.float32_compare ? static_cast<double>(static_cast<float>(value)) : value;
  return node.comparison == Comparison::less_equal ? compared <= node.threshold : compared < node.threshold;
}

}  // namespace assay::explain
