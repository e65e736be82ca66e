// Predictions of a tree ensemble: every row walks every tree, the sums in tree order.
//
// The walk of explain::goes_left, one node at a time with its branches, is the reference
// (and remains the path for trees that cannot be laid out as below). Most trees of a
// boosted or random forest are shallow and numeric, and those are evaluated from a
// layout made for walking rows in bulk:
//
//  * a tree of depth d becomes a complete binary tree: 2^d - 1 split slots in
//    breadth-first order and 2^d leaf slots. A leaf shallower than d fills every leaf
//    slot below it (the splits under it read anything: both sides end in copies of the
//    same leaf). Every row then takes exactly d steps, slot -> 2 * slot + 1 + right,
//    with no test for leaves, and the rows of a block walk a tree in lockstep, so the
//    CPU overlaps their independent loads;
//  * every split becomes `value <= threshold` on a prepared copy of the row. A copy
//    ("view") applies what goes_left does before it compares: the missing-value rule
//    (LightGBM's NaN as zero, its zero as missing, XGBoost's `missing` sentinel), the
//    rounding to float32, and it replaces a missing value by -inf for splits whose
//    default side is left and by +inf for the others: -inf <= t for every threshold,
//    +inf <= t for none but t = +inf (such a split with its default on the right keeps
//    the node walk). `x < t` becomes `x <= t'` with t' the largest double below t. The
//    decision is therefore the same as goes_left's for every double, NaN and
//    infinities included, with no test for NaN in the walk.
//
// Each row's outputs are summed in tree order whichever way a tree is walked, so the
// predictions are bitwise those of the reference walk and do not depend on n_jobs.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "assay/common/parallel.hpp"
#include "assay/explain/tree_shap.hpp"
#include "rows.hpp"

namespace assay::explain {

namespace {

using detail::check_output;
using detail::check_table;
using detail::gather_row;

// Deeper trees keep the node walk: a complete layout of depth d has 2^d leaf slots.
constexpr int kMaxLaidOutDepth = 12;
// Distinct row preparations one ensemble may use in laid-out trees (XGBoost needs two, one
// per default side; LightGBM up to six).
constexpr std::size_t kMaxViews = 8;
// Rows walking a tree in lockstep; rows per parallel block, fewer for wide rows so that a
// block's raw and prepared copies stay within kPredictBlockBytes.
constexpr std::size_t kLockstepRows = 8;
constexpr std::size_t kPredictBlockRows = 256;
constexpr std::size_t kPredictBlockBytes = std::size_t{4} << 20;
constexpr double kInf = std::numeric_limits<double>::infinity();

// What a split does to a value before it compares it with its threshold.
struct View {
  MissingType missing = MissingType::nan_default;
  bool float32_compare = false;
  bool default_left = true;
  float sentinel = 0.0f;  // MissingType::nan_or_value_default only

  bool operator==(const View& other) const {
    if (missing != other.missing || float32_compare != other.float32_compare || default_left != other.default_left) {
      return false;
    }
    if (missing != MissingType::nan_or_value_default) return true;
    // Sentinels compare by their bits (a NaN sentinel is a view of its own).
    return std::bit_cast<std::uint32_t>(sentinel) == std::bit_cast<std::uint32_t>(other.sentinel);
  }

  // The value the split compares: -inf or +inf where it takes its default side.
  double prepare(double value) const {
    const double missing_value = default_left ? -kInf : kInf;
    switch (missing) {
      case MissingType::nan_default:
        if (value != value) return missing_value;
        break;
      case MissingType::none_as_zero:
        if (value != value) value = 0.0;
        break;
      case MissingType::zero_default:
        if (value != value || (value >= -1e-35 && value <= 1e-35)) return missing_value;
        break;
      case MissingType::nan_or_value_default:
        if (value != value || static_cast<float>(value) == sentinel) return missing_value;
        break;
    }
    return float32_compare ? static_cast<double>(static_cast<float>(value)) : value;
  }
};

View view_of(const Node& node) { return {node.missing, node.float32_compare, node.default_left, node.missing_value}; }

struct Split {
  double threshold = kInf;   // goes left when value <= threshold
  std::uint32_t column = 0;  // view * n_features + feature
};

struct LaidOutTree {
  int depth = 0;
  std::size_t first_split = 0;  // into Forest::splits: 2^depth - 1 entries
  std::size_t first_leaf = 0;   // into Forest::leaves: 2^depth * n_outputs entries
};

// The trees in the layout above, and which trees keep the node walk.
class Forest {
 public:
  explicit Forest(const TreeEnsemble& ensemble) : ensemble_(ensemble) {
    const std::size_t n_trees = ensemble.n_trees();
    trees_.resize(n_trees);
    for (std::size_t t = 0; t < n_trees; ++t) trees_[t] = lay_out(t);
  }

  std::size_t n_views() const { return views_.size(); }
  const std::vector<View>& views() const { return views_; }

  // Adds tree t's outputs to the n rows of `prepared` (each row n_views * n_features
  // prepared values) and of `raw` (each n_features values, for the node walk).
  void add_tree(std::size_t t, std::size_t n, const double* prepared, const double* raw, double* out) const {
    const std::size_t K = static_cast<std::size_t>(ensemble_.n_outputs);
    const std::size_t width = static_cast<std::size_t>(ensemble_.n_features);
    const std::optional<LaidOutTree>& laid_out = trees_[t];
    if (!laid_out.has_value()) {
      const Node* nodes = ensemble_.tree(t).data();
      const std::uint32_t* bits = ensemble_.category_bits.data();
      for (std::size_t i = 0; i < n; ++i) {
        const double* x = raw + i * width;
        std::int32_t id = 0;
        while (nodes[id].left >= 0)
          id = goes_left(nodes[id], bits, x[nodes[id].feature]) ? nodes[id].left : nodes[id].right;
        const double* value = ensemble_.leaf_value(t, id);
        for (std::size_t k = 0; k < K; ++k) out[i * K + k] += value[k];
      }
      return;
    }
    const LaidOutTree& tree = laid_out.value();
    const Split* splits = splits_.data() + tree.first_split;
    const double* leaves = leaves_.data() + tree.first_leaf;
    const std::size_t stride = views_.size() * width;
    std::size_t i0 = 0;
    for (; i0 + kLockstepRows <= n; i0 += kLockstepRows) {
      walk<kLockstepRows>(tree, splits, leaves, prepared + i0 * stride, stride, out + i0 * K);
    }
    for (; i0 < n; ++i0) walk<1>(tree, splits, leaves, prepared + i0 * stride, stride, out + i0 * K);
  }

 private:
  // kRows rows (each `stride` prepared values) walk a laid-out tree in lockstep; their
  // leaves' outputs are added to out (kRows rows of n_outputs).
  template <std::size_t kRows>
  void walk(const LaidOutTree& tree, const Split* splits, const double* leaves, const double* rows, std::size_t stride,
            double* out) const {
    const std::size_t K = static_cast<std::size_t>(ensemble_.n_outputs);
    std::array<std::uint32_t, kRows> slot{};
    for (int level = 0; level < tree.depth; ++level) {
      for (std::size_t r = 0; r < kRows; ++r) {
        const Split& split = splits[slot[r]];
        slot[r] = 2 * slot[r] + 2 - static_cast<std::uint32_t>(rows[r * stride + split.column] <= split.threshold);
      }
    }
    const std::uint32_t first_leaf_slot = (std::uint32_t{1} << tree.depth) - 1;
    for (std::size_t r = 0; r < kRows; ++r) {
      const double* value = leaves + static_cast<std::size_t>(slot[r] - first_leaf_slot) * K;
      for (std::size_t k = 0; k < K; ++k) out[r * K + k] += value[k];
    }
  }

  // The view index of a node's preparation, adding it when new; nullopt when the
  // ensemble already has kMaxViews others.
  std::optional<std::uint32_t> view_index(const View& view) {
    for (std::size_t v = 0; v < views_.size(); ++v) {
      if (views_[v] == view) return static_cast<std::uint32_t>(v);
    }
    if (views_.size() == kMaxViews) return std::nullopt;
    views_.push_back(view);
    return static_cast<std::uint32_t>(views_.size() - 1);
  }

  // Tree t in the complete layout, or nullopt for the node walk: categorical splits, a
  // depth above kMaxLaidOutDepth, a `<` split at -inf (no threshold of `<=` sends nothing
  // left), a `<=` split at +inf whose default side is right, or one preparation too many.
  std::optional<LaidOutTree> lay_out(std::size_t t) {
    const std::span<const Node> nodes = ensemble_.tree(t);
    const int depth = ensemble_.tree_depths[t];
    // A split's column (view * n_features + feature) must fit 32 bits.
    const auto columns = static_cast<std::uint64_t>(kMaxViews) * static_cast<std::uint64_t>(ensemble_.n_features);
    if (depth > kMaxLaidOutDepth || columns > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const std::size_t views_before = views_.size();
    std::vector<Split> splits((std::size_t{1} << depth) - 1);
    std::vector<std::int32_t> leaf_of_slot(std::size_t{1} << depth, -1);
    // The nodes with their slots in the complete layout: (slot, node id, level); a leaf
    // above the last level covers the leaf slots of its whole subtree.
    struct Visit {
      std::size_t slot;
      std::int32_t id;
      int level;
    };
    std::vector<Visit> stack{{0, 0, 0}};
    bool ok = true;
    while (!stack.empty() && ok) {
      const Visit visit = stack.back();
      stack.pop_back();
      const Node& node = nodes[static_cast<std::size_t>(visit.id)];
      if (node.left < 0) {
        const int below = depth - visit.level;
        // The leftmost leaf slot under `slot` after `below` more levels, and how many.
        std::size_t first = visit.slot;
        for (int level = 0; level < below; ++level) first = 2 * first + 1;
        const std::size_t first_leaf = first - ((std::size_t{1} << depth) - 1);
        std::fill_n(leaf_of_slot.begin() + static_cast<std::ptrdiff_t>(first_leaf), std::size_t{1} << below, visit.id);
        continue;
      }
      const bool less = node.comparison == Comparison::less;
      const bool unrepresentable =
          (less && node.threshold == -kInf) || (!less && node.threshold == kInf && !node.default_left);
      const std::optional<std::uint32_t> view =
          node.categorical || unrepresentable ? std::nullopt : view_index(view_of(node));
      if (!view) {
        ok = false;
        break;
      }
      Split& split = splits[visit.slot];
      split.threshold = less ? std::nextafter(node.threshold, -kInf) : node.threshold;
      split.column =
          *view * static_cast<std::uint32_t>(ensemble_.n_features) + static_cast<std::uint32_t>(node.feature);
      stack.push_back({2 * visit.slot + 1, node.left, visit.level + 1});
      stack.push_back({2 * visit.slot + 2, node.right, visit.level + 1});
    }
    if (!ok) {
      views_.resize(views_before);
      return std::nullopt;
    }
    LaidOutTree tree{depth, splits_.size(), leaves_.size()};
    splits_.insert(splits_.end(), splits.begin(), splits.end());
    const std::size_t K = static_cast<std::size_t>(ensemble_.n_outputs);
    for (const std::int32_t id : leaf_of_slot) {
      const double* value = ensemble_.leaf_value(t, id);
      leaves_.insert(leaves_.end(), value, value + K);
    }
    return tree;
  }

  const TreeEnsemble& ensemble_;
  std::vector<View> views_;
  std::vector<Split> splits_;
  std::vector<double> leaves_;
  std::vector<std::optional<LaidOutTree>> trees_;
};

}  // namespace

void predict(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out, int n_jobs) {
  check_table(ensemble, X);
  const std::size_t K = static_cast<std::size_t>(ensemble.n_outputs);
  check_output(out, X.n_rows() * K);
  const Forest forest(ensemble);
  const std::size_t width = X.n_columns();
  const std::size_t n_views = forest.n_views();
  const std::size_t row_bytes = std::max<std::size_t>((1 + n_views) * width * sizeof(double), 1);
  const std::size_t block_rows = std::clamp(kPredictBlockBytes / row_bytes, kLockstepRows, kPredictBlockRows);
  const std::size_t n_rows = X.n_rows();
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(n_rows, block_rows));
  parallel_for(blocks, blocks > 1 ? resolve_threads(n_jobs) : 1, [&](std::ptrdiff_t b) {
    const std::size_t first = static_cast<std::size_t>(b) * block_rows;
    const std::size_t n = std::min(n_rows, first + block_rows) - first;
    std::vector<double> raw(n * width);
    for (std::size_t i = 0; i < n; ++i) gather_row(X, first + i, raw.data() + i * width);
    std::vector<double> prepared(n * n_views * width);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t v = 0; v < n_views; ++v) {
        const View& view = forest.views()[v];
        const double* x = raw.data() + i * width;
        double* p = prepared.data() + (i * n_views + v) * width;
        for (std::size_t j = 0; j < width; ++j) p[j] = view.prepare(x[j]);
      }
    }
    double* y = out.data() + first * K;
    for (std::size_t i = 0; i < n; ++i) std::copy(ensemble.base_values.begin(), ensemble.base_values.end(), y + i * K);
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) forest.add_tree(t, n, prepared.data(), raw.data(), y);
  });
}

}  // namespace assay::explain
