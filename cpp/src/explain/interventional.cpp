// Interventional SHAP values and interaction values (see interventional.hpp).
#include "assay/explain/interventional.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <vector>

#include "rows.hpp"

namespace assay::explain {

namespace {

using namespace detail;

enum Side : std::uint8_t { kNeither = 0, kRow = 1, kReference = 2 };

// shapley_weight[a][b] = a! b! / (a + b + 1)!: the Shapley weight of a coalition that
// must contain a given a players and avoid a given b others, among a + b + 1.
std::vector<std::vector<double>> shapley_weights(int max_players) {
  std::vector<std::vector<double>> w(max_players + 1, std::vector<double>(max_players + 1, 0.0));
  for (int a = 0; a <= max_players; ++a) {
    for (int b = 0; a + b <= max_players; ++b) {
      // 1 / ((a + b + 1) * C(a + b, a)), with the binomial built as a product.
      double binomial = 1.0;
      for (int i = 1; i <= a; ++i) binomial = binomial * (b + i) / i;
      w[a][b] = 1.0 / ((a + b + 1) * binomial);
    }
  }
  return w;
}

// Walks one tree for one (row, reference) pair; the leaves reached by some hybrid of
// the two add their closed-form Shapley values (or interaction values).
class PairWalk {
 public:
  PairWalk(const TreeEnsemble& ensemble, const std::vector<std::vector<double>>& weights, bool interactions)
      : ensemble_(ensemble),
        weights_(weights),
        interactions_(interactions),
        side_(ensemble.n_features, kNeither),
        path_(weights.size() + 1) {}

  // Adds scale * (attributions of tree t) to out: (feature, output) for values,
  // (feature, feature, output) off-diagonal for interactions. row_left and
  // reference_left say, per node of the tree, whether the row (the reference) goes left.
  void add_tree(std::size_t t, const std::uint8_t* row_left, const std::uint8_t* reference_left, double scale,
                double* out) {
    nodes_ = ensemble_.tree(t).data();
    tree_ = t;
    row_left_ = row_left;
    reference_left_ = reference_left;
    scale_ = scale;
    out_ = out;
    visit(0, 0, 0, 0);
  }

 private:
  void visit(std::int32_t id, int n_path, int n_row, int n_reference) {
    const Node& node = nodes_[id];
    if (node.left < 0) {
      leaf(id, n_path, n_row, n_reference);
      return;
    }
    const int f = node.feature;
    const bool row_left = row_left_[id] != 0;
    if (side_[f] == kRow) {
      visit(row_left ? node.left : node.right, n_path, n_row, n_reference);
      return;
    }
    const bool reference_left = reference_left_[id] != 0;
    if (side_[f] == kReference || row_left == reference_left) {
      visit(reference_left ? node.left : node.right, n_path, n_row, n_reference);
      return;
    }
    path_[n_path] = f;
    side_[f] = kRow;
    visit(row_left ? node.left : node.right, n_path + 1, n_row + 1, n_reference);
    side_[f] = kReference;
    visit(reference_left ? node.left : node.right, n_path + 1, n_row, n_reference + 1);
    side_[f] = kNeither;
  }

  void leaf(std::int32_t id, int n_path, int n_row, int n_reference) {
    if (n_path == 0) return;  // both rows reach this leaf: no feature matters
    const double* value = ensemble_.leaf_value(tree_, id);
    const int K = ensemble_.n_outputs;
    const std::size_t M = static_cast<std::size_t>(ensemble_.n_features);
    if (!interactions_) {
      // i on the row's side: + (|A|-1)! |B|! / (|A|+|B|)!; on the reference's: - |A|! (|B|-1)! / (|A|+|B|)!.
      const double gain = n_row > 0 ? scale_ * weights_[n_row - 1][n_reference] : 0.0;
      const double loss = n_reference > 0 ? scale_ * weights_[n_row][n_reference - 1] : 0.0;
      for (int p = 0; p < n_path; ++p) {
        const int f = path_[p];
        const double coefficient = side_[f] == kRow ? gain : -loss;
        double* phi = out_ + static_cast<std::size_t>(f) * K;
        for (int k = 0; k < K; ++k) phi[k] += coefficient * value[k];
      }
      return;
    }
    // Interaction index split in half: both on the row's side (|A|-2)! |B|! / (2 (n-1)!),
    // both on the reference's |A|! (|B|-2)! / (2 (n-1)!), one each -(|A|-1)! (|B|-1)! / (2 (n-1)!).
    const double both_row = n_row >= 2 ? 0.5 * scale_ * weights_[n_row - 2][n_reference] : 0.0;
    const double both_reference = n_reference >= 2 ? 0.5 * scale_ * weights_[n_row][n_reference - 2] : 0.0;
    const double mixed = n_row >= 1 && n_reference >= 1 ? -0.5 * scale_ * weights_[n_row - 1][n_reference - 1] : 0.0;
    for (int p = 0; p < n_path; ++p) {
      for (int q = p + 1; q < n_path; ++q) {
        const int a = path_[p], b = path_[q];
        const double coefficient = side_[a] != side_[b] ? mixed : (side_[a] == kRow ? both_row : both_reference);
        double* ab = out_ + (a * M + b) * K;
        double* ba = out_ + (b * M + a) * K;
        for (int k = 0; k < K; ++k) {
          ab[k] += coefficient * value[k];
          ba[k] += coefficient * value[k];
        }
      }
    }
  }

  const TreeEnsemble& ensemble_;
  const std::vector<std::vector<double>>& weights_;
  bool interactions_;
  std::vector<std::uint8_t> side_;
  std::vector<int> path_;
  const Node* nodes_ = nullptr;
  std::size_t tree_ = 0;
  const std::uint8_t *row_left_ = nullptr, *reference_left_ = nullptr;
  double scale_ = 1.0;
  double* out_ = nullptr;
};

// Background weights normalised to sum 1 (uniform when none are given). They are
// divided by the largest first, so that no sum overflows (weights of 1e308 are fine).
std::vector<double> normalised_weights(std::span<const double> weights, std::size_t n_background) {
  if (n_background == 0) throw InvalidArgument("data: the background set has no rows");
  if (weights.empty()) return std::vector<double>(n_background, 1.0 / static_cast<double>(n_background));
  if (weights.size() != n_background) {
    throw InvalidArgument("data_weights: " + std::to_string(weights.size()) + " weights for " +
                          std::to_string(n_background) + " background rows");
  }
  double largest = 0;
  for (std::size_t b = 0; b < weights.size(); ++b) {
    const double w = weights[b];
    if (!(w >= 0) || !std::isfinite(w)) {
      throw InvalidArgument("data_weights: must be finite and non-negative (weight " + std::to_string(b) + " is " +
                            std::to_string(w) + ")");
    }
    largest = std::max(largest, w);
  }
  if (!(largest > 0)) throw InvalidArgument("data_weights: must not all be zero");
  std::vector<double> out(weights.begin(), weights.end());
  double total = 0;
  for (double& w : out) {
    w /= largest;
    total += w;
  }
  for (double& w : out) w /= total;
  return out;
}

double raw_output(const TreeEnsemble& ensemble, const double* x, int k) {
  double total = ensemble.base_values[k];
  const std::uint32_t* bits = ensemble.category_bits.data();
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    const Node* nodes = ensemble.tree(t).data();
    std::int32_t id = 0;
    while (nodes[id].left >= 0)
      id = goes_left(nodes[id], bits, x[nodes[id].feature]) ? nodes[id].left : nodes[id].right;
    total += ensemble.leaf_value(t, id)[k];
  }
  return total;
}

double logistic(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// log(1 + e^m) without overflow.
double softplus(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }

// The transformed output T(m) of a margin m for a row with label y, and its derivative.
double transformed(OutputTransform transform, double m, double y) {
  switch (transform) {
    case OutputTransform::identity:
      return m;
    case OutputTransform::logistic:
      return logistic(m);
    case OutputTransform::logistic_log_loss:
      return softplus(m) - y * m;
    case OutputTransform::squared_loss:
      return (m - y) * (m - y);
  }
  return m;
}

double transformed_slope(OutputTransform transform, double m, double y) {
  switch (transform) {
    case OutputTransform::identity:
      return 1.0;
    case OutputTransform::logistic:
      return logistic(m) * (1 - logistic(m));
    case OutputTransform::logistic_log_loss:
      return logistic(m) - y;
    case OutputTransform::squared_loss:
      return 2 * (m - y);
  }
  return 1.0;
}

bool is_loss(OutputTransform transform) {
  return transform == OutputTransform::logistic_log_loss || transform == OutputTransform::squared_loss;
}

// Labels of the rows explained: one finite value per row for a loss, none otherwise.
void check_labels(OutputTransform transform, std::span<const double> labels, std::size_t n_rows, int n_outputs) {
  if (!is_loss(transform)) {
    if (!labels.empty()) throw InvalidArgument("y: labels are only used with a loss output");
    return;
  }
  if (n_outputs != 1) throw InvalidArgument("model_output: a loss is explained for single-output models only");
  if (labels.size() != n_rows) {
    throw InvalidArgument("y: " + std::to_string(labels.size()) + " labels for " + std::to_string(n_rows) + " rows");
  }
  for (double y : labels) {
    if (!std::isfinite(y)) throw InvalidArgument("y: labels must be finite");
  }
}

// Whether row x goes left at every split node of the ensemble (one byte per node).
void decide(const TreeEnsemble& ensemble, const double* x, std::uint8_t* out) {
  const std::uint32_t* bits = ensemble.category_bits.data();
  for (std::size_t i = 0; i < ensemble.nodes.size(); ++i) {
    const Node& node = ensemble.nodes[i];
    out[i] = node.left >= 0 && goes_left(node, bits, x[node.feature]);
  }
}

struct Setup {
  std::vector<double> references;  // background rows, row-major
  // Decisions of the background rows for the trees walked pairwise: tree t's block
  // starts at decision_offset[t] and holds one run of the tree's nodes per row.
  std::vector<std::uint8_t> reference_left;
  std::vector<std::size_t> decision_offset;
  std::vector<double> weights;
  std::vector<std::vector<double>> shapley;
  std::size_t n_background;
};

// The largest table of background decisions the pairwise walk keeps (bytes).
constexpr std::size_t kMaxDecisionBytes = std::size_t{1} << 32;

// Tree t's decisions of background row b.
const std::uint8_t* reference_decisions(const Setup& setup, const TreeEnsemble& ensemble, std::size_t t,
                                        std::size_t b) {
  return setup.reference_left.data() + setup.decision_offset[t] + b * ensemble.tree(t).size();
}

void check_background(const TreeEnsemble& ensemble, const TableView& background) {
  if (background.n_columns() != static_cast<std::size_t>(ensemble.n_features)) {
    throw InvalidArgument("data has " + std::to_string(background.n_columns()) + " columns but the model uses " +
                          std::to_string(ensemble.n_features) + " features");
  }
}

// The background rows, weights and Shapley weights; the background decisions of the
// trees with pairwise[t] set.
Setup prepare(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
              std::span<const double> weights, const std::vector<bool>& pairwise, StopCheck& stop) {
  check_table(ensemble, X);
  check_background(ensemble, background);
  Setup setup;
  setup.n_background = background.n_rows();
  setup.weights = normalised_weights(weights, setup.n_background);
  setup.references = gather_rows(background);
  // |A| + |B| counts distinct features of a path: at most min(depth, n_features).
  setup.shapley = shapley_weights(std::min(ensemble.max_depth(), ensemble.n_features) + 1);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  setup.decision_offset.assign(ensemble.n_trees(), 0);
  std::size_t total = 0;
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    setup.decision_offset[t] = total;
    if (pairwise[t]) total += ensemble.tree(t).size() * setup.n_background;
  }
  if (total == 0) return setup;
  if (total > kMaxDecisionBytes) {
    throw ResourceLimit(
        "data: the pairwise algorithm stores one byte per (tree node, background row): " + std::to_string(total) +
        " bytes here, more than the limit of " + std::to_string(kMaxDecisionBytes) +
        "; use fewer background rows (a summary such as "
        "assay.explain.kmeans) or algorithm='patterns'");
  }
  setup.reference_left.resize(total);
  std::vector<std::uint8_t> decisions(ensemble.nodes.size());
  std::size_t pending = 0;
  for (std::size_t b = 0; b < setup.n_background; ++b) {
    stop.add(pending, ensemble.nodes.size());
    decide(ensemble, setup.references.data() + b * M, decisions.data());
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
      if (!pairwise[t]) continue;
      const auto first = static_cast<std::size_t>(ensemble.tree_offsets[t]);
      const std::size_t size = ensemble.tree(t).size();
      std::copy_n(decisions.data() + first, size, setup.reference_left.data() + setup.decision_offset[t] + b * size);
    }
  }
  return setup;
}

// --- the pattern algorithm (cost grows with rows + background) -------------------------
//
// For a leaf L with value v, let U be the distinct features of its root path. A row's
// pattern a ⊆ U is the set of features of U all of whose splits on the path the row
// passes the leaf's way (missing-value and categorical rules included). A hybrid of x
// and a reference z reaches L for coalition S iff S contains U \ a_z and avoids U \ a_x,
// so the pair's game on L is v · [S_x ⊆ S] · [S ∩ S_z = ∅] with S_x = U \ a_z (features
// only x passes) and S_z = U \ a_x (only z passes); it is zero for every S unless
// a_x ∪ a_z = U. Its Shapley values are +v (s-1)! t! / (s+t)! for i ∈ S_x and
// -v s! (t-1)! / (s+t)! for i ∈ S_z (s = |S_x|, t = |S_z|), 0 elsewhere: they depend on
// the pair only through (a_x, a_z). So per leaf the weighted background is reduced to a
// histogram over patterns, and for every x-pattern a the sums over the compatible
// z-patterns b ⊇ U \ a are tabulated (3^|U| (pattern, subset) pairs); a row then adds
// its pattern's entry. This is the pattern-class algorithm of Zern, Broelemann &
// Kasneci 2023 and Nadel & Wettenstein 2026 (Woodelf), derived here from the closed
// form above. Cost per tree: (rows + background) x nodes + sum over leaves 3^|U| |U|.

constexpr int kMaxPatternFeatures = 16;

// The pattern algorithm's tables of one chunk of trees, in doubles (256 MiB).
constexpr std::size_t kTableBudget = std::size_t{1} << 25;

// Per tree: the local index of each split's feature among the distinct features of its
// root path, and per leaf its distinct features and the offset of its table.
struct PatternTree {
  struct Leaf {
    std::int32_t node = 0;
    int n_features = 0;
    std::array<std::int32_t, kMaxPatternFeatures> features{};
    std::size_t table = 0;      // offset of its 2^n_features entries (n_features or n_features^2 each)
    std::size_t histogram = 0;  // offset of its 2^n_features background histogram
  };
  std::vector<std::int8_t> local_bit;  // per node
  std::vector<std::int32_t> leaf_of;   // per node: index in leaves, -1 for splits
  std::vector<Leaf> leaves;
  std::size_t table_size = 0, histogram_size = 0;
  double table_work = 0;  // sum over leaves of 3^|U| (entry width + 1)
  bool feasible = true;   // every leaf has at most kMaxPatternFeatures distinct features
};

// A table entry holds |U| values, or |U|^2 interaction values.
int entry_width(int n_features, bool interactions) { return interactions ? n_features * n_features : n_features; }

PatternTree pattern_layout(const TreeEnsemble& ensemble, std::size_t t, bool interactions) {
  const auto nodes = ensemble.tree(t);
  PatternTree layout;
  layout.local_bit.assign(nodes.size(), 0);
  layout.leaf_of.assign(nodes.size(), -1);
  std::vector<std::int32_t> path;
  // Depth-first over (node, number of distinct path features before it).
  std::vector<std::pair<std::int32_t, int>> stack{{0, 0}};
  while (!stack.empty()) {
    const auto [id, n_path] = stack.back();
    stack.pop_back();
    path.resize(n_path);
    const Node& node = nodes[id];
    if (node.left < 0) {
      if (n_path > kMaxPatternFeatures) {
        layout.feasible = false;
        continue;
      }
      PatternTree::Leaf leaf;
      leaf.node = id;
      leaf.n_features = n_path;
      std::copy(path.begin(), path.end(), leaf.features.begin());
      leaf.table = layout.table_size;
      leaf.histogram = layout.histogram_size;
      const int width = entry_width(n_path, interactions);
      layout.table_size += (std::size_t{1} << n_path) * width;
      layout.histogram_size += std::size_t{1} << n_path;
      layout.table_work += std::pow(3.0, n_path) * (width + 1);
      layout.leaf_of[id] = static_cast<std::int32_t>(layout.leaves.size());
      layout.leaves.push_back(leaf);
      continue;
    }
    int local = static_cast<int>(std::find(path.begin(), path.end(), node.feature) - path.begin());
    if (local == n_path) path.push_back(node.feature);
    const int n_children = static_cast<int>(path.size());
    if (local >= kMaxPatternFeatures) {
      layout.feasible = false;
      local = 0;  // never used: the tree is walked pairwise
    }
    layout.local_bit[id] = static_cast<std::int8_t>(local);
    stack.emplace_back(node.right, n_children);
    stack.emplace_back(node.left, n_children);
  }
  return layout;
}

// Calls at_leaf(leaf index, pattern) for every leaf of tree t, where pattern has bit i
// set when x passes every split of the leaf's i-th distinct feature the leaf's way.
template <class AtLeaf>
void leaf_patterns(const Node* nodes, const PatternTree& layout, const std::uint32_t* bits, const double* x,
                   std::int32_t id, std::uint32_t violated, AtLeaf& at_leaf) {
  while (nodes[id].left >= 0) {
    const Node& node = nodes[id];
    const std::uint32_t bit = 1u << layout.local_bit[id];
    if (goes_left(node, bits, x[node.feature])) {
      leaf_patterns(nodes, layout, bits, x, node.right, violated | bit, at_leaf);
      id = node.left;
    } else {
      leaf_patterns(nodes, layout, bits, x, node.left, violated | bit, at_leaf);
      id = node.right;
    }
  }
  const auto& leaf = layout.leaves[layout.leaf_of[id]];
  at_leaf(layout.leaf_of[id], ~violated & ((1u << leaf.n_features) - 1));
}

// Calls visit(a, c, s, t, h) for every row pattern a and every subset c of a with
// h = hist[b] != 0 for the compatible background pattern b = (U \ a) ∪ c: then
// S_x = a \ c (s features) and S_z = U \ a (t features); pairs with s + t = 0 (both
// rows reach the leaf) are skipped. 3^n pairs (a, c) in all.
template <class Visit>
void for_each_pattern_pair(int n, const double* histogram, std::uint32_t a, Visit&& visit) {
  const std::uint32_t not_a = ((1u << n) - 1) & ~a;
  const int t = n - std::popcount(a);
  for (std::uint32_t c = a;; c = (c - 1) & a) {  // subsets of a, from a down to 0
    const double h = histogram[not_a | c];
    const int s = std::popcount(a) - std::popcount(c);
    if (h != 0 && s + t > 0) visit(c, s, t, h);
    if (c == 0) break;
  }
}

// The leaf's value table: entry (a, i) = sum over the compatible background patterns of
// hist[b] times feature i's Shapley coefficient for the pair (a, b) (without v):
// (s-1)! t! / (s+t)! for i in S_x, -s! (t-1)! / (s+t)! for i in S_z.
void fill_table(int n, const double* histogram, const std::vector<std::vector<double>>& shapley, double* table) {
  std::array<double, kMaxPatternFeatures> only_x{};
  for (std::uint32_t a = 0; a < (1u << n); ++a) {
    double only_z = 0;  // the coefficient shared by every feature of S_z, before its sign
    std::fill(only_x.begin(), only_x.begin() + n, 0.0);
    for_each_pattern_pair(n, histogram, a, [&](std::uint32_t c, int s, int t, double h) {
      if (t > 0) only_z += h * shapley[s][t - 1];
      if (s > 0) {
        const double gain = h * shapley[s - 1][t];
        for (std::uint32_t rest = a & ~c; rest; rest &= rest - 1) only_x[std::countr_zero(rest)] += gain;
      }
    });
    double* entry = table + static_cast<std::size_t>(a) * n;
    for (int i = 0; i < n; ++i) entry[i] = (a >> i) & 1u ? only_x[i] : -only_z;
  }
}

// The leaf's interaction table: entry (a, i, j), i != j, the pair's interaction index
// split in half (see PairWalk::leaf): (s-2)! t! / (2 (n-1)!) for i, j in S_x,
// s! (t-2)! / (2 (n-1)!) for i, j in S_z, -(s-1)! (t-1)! / (2 (n-1)!) for one in each;
// the diagonal is left 0 (main effects are set from the values).
void fill_interaction_table(int n, const double* histogram, const std::vector<std::vector<double>>& shapley,
                            double* table) {
  std::array<double, std::size_t{kMaxPatternFeatures} * kMaxPatternFeatures> both_x{};
  std::array<double, kMaxPatternFeatures> mixed{};
  for (std::uint32_t a = 0; a < (1u << n); ++a) {
    double both_z = 0;
    std::fill(both_x.begin(), both_x.begin() + static_cast<std::ptrdiff_t>(n) * n, 0.0);
    std::fill(mixed.begin(), mixed.begin() + n, 0.0);
    for_each_pattern_pair(n, histogram, a, [&](std::uint32_t c, int s, int t, double h) {
      if (t >= 2) both_z += 0.5 * h * shapley[s][t - 2];
      const std::uint32_t only_x = a & ~c;
      if (s >= 1 && t >= 1) {
        const double coefficient = -0.5 * h * shapley[s - 1][t - 1];
        for (std::uint32_t rest = only_x; rest; rest &= rest - 1) mixed[std::countr_zero(rest)] += coefficient;
      }
      if (s >= 2) {
        const double coefficient = 0.5 * h * shapley[s - 2][t];
        for (std::uint32_t rest = only_x; rest; rest &= rest - 1) {
          const int i = std::countr_zero(rest);
          for (std::uint32_t other = rest & (rest - 1); other; other &= other - 1) {
            both_x[i * n + std::countr_zero(other)] += coefficient;
          }
        }
      }
    });
    double* entry = table + static_cast<std::size_t>(a) * n * n;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        const bool x_i = (a >> i) & 1u, x_j = (a >> j) & 1u;
        double value = 0;
        if (i == j)
          value = 0;
        else if (x_i && x_j)
          value = both_x[std::min(i, j) * n + std::max(i, j)];
        else if (x_i)
          value = mixed[i];
        else if (x_j)
          value = mixed[j];
        else
          value = both_z;
        entry[i * n + j] = value;
      }
    }
  }
}

// Background histograms and tables of the trees in `trees`, in parallel over trees.
std::vector<std::vector<double>> pattern_tables(const TreeEnsemble& ensemble, const std::vector<PatternTree>& layouts,
                                                const std::vector<std::size_t>& trees, const Setup& setup, int n_jobs,
                                                bool interactions, StopCheck& stop) {
  std::vector<std::vector<double>> tables(trees.size());
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const std::uint32_t* bits = ensemble.category_bits.data();
  parallel_for(static_cast<std::ptrdiff_t>(trees.size()), resolve_threads(n_jobs), [&](std::ptrdiff_t i) {
    const std::size_t t = trees[i];
    const PatternTree& layout = layouts[t];
    std::vector<double> histogram(layout.histogram_size, 0.0);
    auto count = [&](std::size_t b) {
      return [&, b](std::int32_t leaf, std::uint32_t pattern) {
        histogram[layout.leaves[leaf].histogram + pattern] += setup.weights[b];
      };
    };
    std::size_t pending = 0;
    for (std::size_t b = 0; b < setup.n_background; ++b) {
      stop.add(pending, ensemble.tree(t).size());
      auto add = count(b);
      leaf_patterns(ensemble.tree(t).data(), layout, bits, setup.references.data() + b * M, 0, 0, add);
    }
    tables[i].resize(layout.table_size);
    for (const auto& leaf : layout.leaves) {
      const double* leaf_histogram = histogram.data() + leaf.histogram;
      double* table = tables[i].data() + leaf.table;
      stop.add(pending, std::size_t{1} << (leaf.n_features + leaf.n_features / 2));  // about 3^n
      if (interactions)
        fill_interaction_table(leaf.n_features, leaf_histogram, setup.shapley, table);
      else
        fill_table(leaf.n_features, leaf_histogram, setup.shapley, table);
    }
  });
  return tables;
}

// Which trees to walk pairwise: the tree-by-tree cost estimate (in node visits) of the
// pairwise walk, rows x background x (nodes on a hybrid's paths, about 2 depth; times
// depth for the pairs of path features of interactions), against the pattern
// algorithm's, (rows + background) x nodes + table work.
std::vector<bool> choose_pairwise(const TreeEnsemble& ensemble, const std::vector<PatternTree>& layouts,
                                  std::size_t n_rows, std::size_t n_background, InterventionalAlgorithm algorithm,
                                  bool interactions) {
  std::vector<bool> pairwise(ensemble.n_trees(), true);
  if (algorithm == InterventionalAlgorithm::pairwise) return pairwise;
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    // Trees with a leaf of more than 16 distinct path features, or whose tables alone
    // would exceed the table budget (many leaves of 14-16 features, more so for
    // interactions), are walked pairwise whatever the algorithm asked: both are exact.
    if (!layouts[t].feasible || layouts[t].table_size + layouts[t].histogram_size > kTableBudget) continue;
    if (algorithm == InterventionalAlgorithm::patterns) {
      pairwise[t] = false;
      continue;
    }
    const double depth = ensemble.tree_depths[t];
    const double pairwise_cost = static_cast<double>(n_rows) * static_cast<double>(n_background) * (2 * depth + 1) *
                                 (interactions ? depth + 1 : 1);
    const double pattern_cost =
        static_cast<double>(n_rows + n_background) * static_cast<double>(ensemble.tree(t).size()) +
        layouts[t].table_work;
    pairwise[t] = pairwise_cost <= pattern_cost;
  }
  return pairwise;
}

// Adds the attributions of the trees not walked pairwise to out (zeroed by the caller),
// laid out (row, feature, output), or (row, feature, feature, output) for interactions.
// Trees are taken in chunks whose tables fit in kTableBudget doubles (a tree whose tables
// alone exceed it is its own chunk); within a block of rows tree by tree, so that the
// tree's tables stay in cache.
void add_pattern_trees(const TreeEnsemble& ensemble, const std::vector<PatternTree>& layouts,
                       const std::vector<bool>& pairwise, const Setup& setup, const TableView& X, int n_jobs,
                       StopCheck& stop, bool interactions, std::span<double> out) {
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const int K = ensemble.n_outputs;
  const std::size_t per_row = (interactions ? M * M : M) * K;
  std::vector<std::vector<std::size_t>> chunks;
  std::size_t chunk_size = 0;
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    if (pairwise[t]) continue;
    // A new chunk for the first tree (whatever its size: a one-leaf tree has no table)
    // and whenever the tables would exceed the budget.
    if (chunks.empty() || chunk_size + layouts[t].table_size > kTableBudget) {
      chunks.emplace_back();
      chunk_size = 0;
    }
    chunks.back().push_back(t);
    chunk_size += layouts[t].table_size;
  }
  const std::uint32_t* bits = ensemble.category_bits.data();
  for (const auto& trees : chunks) {
    const auto tables = pattern_tables(ensemble, layouts, trees, setup, n_jobs, interactions, stop);
    for_each_block(
        X, n_jobs, stop.reporting(), [] { return std::size_t{0}; },
        [&](std::size_t& pending, std::size_t first, std::size_t n_block, const double* rows) {
          for (std::size_t c = 0; c < trees.size(); ++c) {
            const std::size_t t = trees[c];
            const PatternTree& layout = layouts[t];
            const double* table = tables[c].data();
            stop.add(pending, n_block * ensemble.tree(t).size());
            for (std::size_t r = 0; r < n_block; ++r) {
              double* target = out.data() + (first + r) * per_row;
              auto add = [&](std::int32_t index, std::uint32_t pattern) {
                const auto& leaf = layout.leaves[index];
                const int n = leaf.n_features;
                const double* entry =
                    table + leaf.table + static_cast<std::size_t>(pattern) * entry_width(n, interactions);
                const double* value = ensemble.leaf_value(t, leaf.node);
                for (int f = 0; f < n; ++f) {
                  const std::size_t row = static_cast<std::size_t>(leaf.features[f]);
                  if (!interactions) {
                    for (int k = 0; k < K; ++k) target[row * K + k] += entry[f] * value[k];
                    continue;
                  }
                  for (int g = 0; g < n; ++g) {
                    double* cell = target + (row * M + static_cast<std::size_t>(leaf.features[g])) * K;
                    for (int k = 0; k < K; ++k) cell[k] += entry[f * n + g] * value[k];
                  }
                }
              };
              leaf_patterns(ensemble.tree(t).data(), layout, bits, rows + r * M, 0, 0, add);
            }
          }
        });
  }
}

// The layouts and the choice of algorithm per tree.
std::pair<std::vector<PatternTree>, std::vector<bool>> plan(const TreeEnsemble& ensemble, std::size_t n_rows,
                                                            std::size_t n_background, InterventionalAlgorithm algorithm,
                                                            bool interactions) {
  std::vector<PatternTree> layouts;
  if (algorithm != InterventionalAlgorithm::pairwise) {
    for (std::size_t t = 0; t < ensemble.n_trees(); ++t) layouts.push_back(pattern_layout(ensemble, t, interactions));
  }
  auto pairwise = choose_pairwise(ensemble, layouts, n_rows, n_background, algorithm, interactions);
  return {std::move(layouts), std::move(pairwise)};
}

}  // namespace

void interventional_shap_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                std::span<const double> weights, std::span<double> out,
                                const InterventionalOptions& options, const Progress& progress) {
  check_table(ensemble, X);
  check_depth(ensemble);
  check_background(ensemble, background);
  check_labels(options.transform, options.labels, X.n_rows(), ensemble.n_outputs);
  const bool rescale = options.transform != OutputTransform::identity;
  // The rescaling is per reference, so it needs the pairwise walk.
  const auto algorithm = rescale ? InterventionalAlgorithm::pairwise : options.algorithm;
  const auto [layouts, pairwise] = plan(ensemble, X.n_rows(), background.n_rows(), algorithm, false);
  StopCheck stop(progress, n_blocks(X.n_rows(), kRowsPerBlock));
  const Setup setup = prepare(ensemble, X, background, weights, pairwise, stop);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const int K = ensemble.n_outputs;
  const std::size_t per_row = M * K;
  check_output(out, X.n_rows() * per_row);
  std::fill(out.begin(), out.end(), 0.0);

  add_pattern_trees(ensemble, layouts, pairwise, setup, X, options.n_jobs, stop, false, out);
  if (std::none_of(pairwise.begin(), pairwise.end(), [](bool p) { return p; })) return;

  // Trees walked pairwise.
  std::vector<double> reference_margin(rescale ? setup.n_background * K : 0);
  for (std::size_t b = 0; rescale && b < setup.n_background; ++b) {
    for (int k = 0; k < K; ++k) reference_margin[b * K + k] = raw_output(ensemble, setup.references.data() + b * M, k);
  }
  struct State {
    PairWalk walk;
    std::vector<double> pair;
    std::vector<std::uint8_t> row_left;
    std::size_t pending = 0;  // pair walks since the last interrupt check
  };
  auto make_state = [&] {
    return State{PairWalk(ensemble, setup.shapley, false), std::vector<double>(per_row),
                 std::vector<std::uint8_t>(ensemble.nodes.size())};
  };
  for_each_row(X, options.n_jobs, stop.reporting(), make_state, [&](State& state, std::size_t i, const double* x) {
    double* phi = out.data() + i * per_row;
    decide(ensemble, x, state.row_left.data());
    auto row_left = [&](std::size_t t) { return state.row_left.data() + ensemble.tree_offsets[t]; };
    if (!rescale) {
      // Tree by tree, so that a tree and its background decisions stay in cache.
      for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
        if (!pairwise[t]) continue;
        for (std::size_t b = 0; b < setup.n_background; ++b) {
          stop.add(state.pending, 1);
          state.walk.add_tree(t, row_left(t), reference_decisions(setup, ensemble, t, b), setup.weights[b], phi);
        }
      }
      return;
    }
    const double label = options.labels.empty() ? 0.0 : options.labels[i];
    std::vector<double> row_margin(K);
    for (int k = 0; k < K; ++k) row_margin[k] = raw_output(ensemble, x, k);
    for (std::size_t b = 0; b < setup.n_background; ++b) {
      stop.add(state.pending, ensemble.n_trees());
      std::fill(state.pair.begin(), state.pair.end(), 0.0);
      for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
        state.walk.add_tree(t, row_left(t), reference_decisions(setup, ensemble, t, b), 1.0, state.pair.data());
      }
      for (int k = 0; k < K; ++k) {
        const double m_x = row_margin[k], m_r = reference_margin[b * K + k];
        // (T(m_x) - T(m_r)) / (m_x - m_r), and T'(m_x) when the margins coincide (then
        // the attributions are zero up to rounding anyway).
        const double factor =
            m_x != m_r ? (transformed(options.transform, m_x, label) - transformed(options.transform, m_r, label)) /
                             (m_x - m_r)
                       : transformed_slope(options.transform, m_x, label);
        for (std::size_t j = 0; j < M; ++j) phi[j * K + k] += setup.weights[b] * factor * state.pair[j * K + k];
      }
    }
  });
}

void interventional_interaction_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                       std::span<const double> weights, std::span<double> out,
                                       const InterventionalOptions& options, const Progress& progress) {
  check_table(ensemble, X);
  check_depth(ensemble);
  if (options.transform != OutputTransform::identity) {
    throw InvalidArgument("interaction values: only the raw output has interaction values");
  }
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const std::size_t K = static_cast<std::size_t>(ensemble.n_outputs);
  const std::size_t per_row = M * M * K;
  check_output(out, X.n_rows() * per_row);
  // The values first: the diagonal holds the main effects phi_i - sum_{j != i} Phi_ij.
  std::vector<double> phi(X.n_rows() * M * K);
  interventional_shap_values(ensemble, X, background, weights, phi, options, progress);
  const auto [layouts, pairwise] = plan(ensemble, X.n_rows(), background.n_rows(), options.algorithm, true);
  StopCheck stop(progress, n_blocks(X.n_rows(), kRowsPerBlock));
  const Setup setup = prepare(ensemble, X, background, weights, pairwise, stop);
  std::fill(out.begin(), out.end(), 0.0);
  add_pattern_trees(ensemble, layouts, pairwise, setup, X, options.n_jobs, stop, true, out);
  struct State {
    PairWalk interactions;
    std::vector<std::uint8_t> row_left;
    std::size_t pending = 0;
  };
  auto make_state = [&] {
    return State{PairWalk(ensemble, setup.shapley, true), std::vector<std::uint8_t>(ensemble.nodes.size())};
  };
  const bool any_pairwise = std::any_of(pairwise.begin(), pairwise.end(), [](bool p) { return p; });
  for_each_row(X, options.n_jobs, stop.reporting(), make_state, [&](State& state, std::size_t i, const double* x) {
    double* matrix = out.data() + i * per_row;
    if (any_pairwise) {
      decide(ensemble, x, state.row_left.data());
      for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
        if (!pairwise[t]) continue;
        const std::uint8_t* row_left = state.row_left.data() + ensemble.tree_offsets[t];
        for (std::size_t b = 0; b < setup.n_background; ++b) {
          stop.add(state.pending, 1);
          state.interactions.add_tree(t, row_left, reference_decisions(setup, ensemble, t, b), setup.weights[b],
                                      matrix);
        }
      }
    }
    set_main_effects(matrix, phi.data() + i * M * K, M, K);
  });
}

std::vector<double> interventional_expected_value(const TreeEnsemble& ensemble, const TableView& background,
                                                  std::span<const double> weights, OutputTransform transform,
                                                  std::span<const double> labels) {
  check_background(ensemble, background);
  const auto w = normalised_weights(weights, background.n_rows());
  const auto rows = gather_rows(background);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  if (!is_loss(transform)) {
    check_labels(transform, labels, 0, ensemble.n_outputs);
    std::vector<double> expected(ensemble.n_outputs, 0.0);
    for (std::size_t b = 0; b < background.n_rows(); ++b) {
      for (int k = 0; k < ensemble.n_outputs; ++k) {
        expected[k] += w[b] * transformed(transform, raw_output(ensemble, rows.data() + b * M, k), 0.0);
      }
    }
    return expected;
  }
  // A loss: per label y, sum_r w_r T(m_r, y); both losses are polynomials in y of degree
  // <= 2 with coefficients that are background means of functions of m_r.
  check_labels(transform, labels, labels.size(), ensemble.n_outputs);
  double mean_margin = 0, mean_square = 0, mean_softplus = 0;
  for (std::size_t b = 0; b < background.n_rows(); ++b) {
    const double m = raw_output(ensemble, rows.data() + b * M, 0);
    mean_margin += w[b] * m;
    mean_square += w[b] * m * m;
    mean_softplus += w[b] * softplus(m);
  }
  std::vector<double> expected(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double y = labels[i];
    expected[i] = transform == OutputTransform::logistic_log_loss ? mean_softplus - y * mean_margin
                                                                  : mean_square - 2 * y * mean_margin + y * y;
  }
  return expected;
}

}  // namespace assay::explain
