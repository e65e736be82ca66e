// Path-dependent SHAP values and interaction values (see tree_shap.hpp for the
// definitions). Rows are explained independently, in fixed blocks, so results do not
// depend on the number of threads.
#include "assay/explain/tree_shap.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "assay/common/error.hpp"
#include "rows.hpp"

namespace assay::explain {

namespace {

using namespace detail;

// A feature's merged cover fraction z on a path below 1e-200 is taken as 0. The
// algorithms divide by factors t o + (1 - t) z (and the classic one by z), which for
// o = 0 and a z near the bottom of the float range (covers of 1e-310, or a path of
// many tiny fractions) overflow, and 0 * inf would give NaN values. Branches of
// weight below 1e-200 change no value by more than 1e-200 times a leaf value.
inline double negligible_to_zero(double z) { return z < 1e-200 ? 0.0 : z; }

// Per-tree quadrature rules: ceil(depth / 2) Gauss-Legendre points integrate the
// leaf polynomials (degree < number of distinct features on a path <= depth) exactly.
struct QuadratureRules {
  std::vector<int> points_of_tree;
  std::vector<std::vector<double>> nodes, weights;  // indexed by number of points
  std::vector<std::vector<double>> cold;            // -weight / (1 - node)
  int max_points = 1;
  int max_depth = 0;

  explicit QuadratureRules(const TreeEnsemble& ensemble) {
    // A path's polynomial has one factor per distinct feature, so its degree is at most
    // min(depth, n_features).
    for (int depth : ensemble.tree_depths) {
      const int points = std::max(1, (std::min(depth, ensemble.n_features) + 1) / 2);
      points_of_tree.push_back(points);
      max_points = std::max(max_points, points);
      max_depth = std::max(max_depth, depth);
    }
    nodes.resize(max_points + 1);
    weights.resize(max_points + 1);
    cold.resize(max_points + 1);
    for (int q : points_of_tree) {
      if (!nodes[q].empty()) continue;
      gauss_legendre_unit(q, nodes[q], weights[q]);
      for (int i = 0; i < q; ++i) cold[q].push_back(-weights[q][i] / (1 - nodes[q][i]));
    }
  }
};

// State shared by the quadrature walks: the row, the tree, its quadrature rule, the
// merged fractions (o_j, z_j) of each feature on the current path, and the products
// P_q = prod_j (t_q o_j + (1 - t_q) z_j) at every depth of the path.
class QuadraturePath {
 protected:
  QuadraturePath(const TreeEnsemble& ensemble, const QuadratureRules& rules)
      : ensemble_(ensemble),
        rules_(rules),
        one_(ensemble.n_features, 1.0),
        zero_(ensemble.n_features, 1.0),
        products_(static_cast<std::size_t>(rules.max_depth + 2) * rules.max_points) {}

  void start_tree(std::size_t t, const double* x) {
    nodes_ = ensemble_.tree(t).data();
    first_node_ = static_cast<std::size_t>(ensemble_.tree_offsets[t]);
    tree_ = t;
    x_ = x;
    points_ = rules_.points_of_tree[t];
    t_ = rules_.nodes[points_].data();
    w_ = rules_.weights[points_].data();
    cold_ = rules_.cold[points_].data();
    std::fill(products_.begin(), products_.begin() + points_, 1.0);
  }

  const TreeEnsemble& ensemble_;
  const QuadratureRules& rules_;
  std::vector<double> one_, zero_;  // per feature: merged fractions on the current path
  std::vector<double> products_;
  const Node* nodes_ = nullptr;
  std::size_t first_node_ = 0;  // the tree's first node in the ensemble
  std::size_t tree_ = 0;
  const double* x_ = nullptr;
  int points_ = 1;
  const double* t_ = nullptr;
  const double* w_ = nullptr;
  const double* cold_ = nullptr;  // -w_q / (1 - t_q)
};

// Quadrature path-dependent SHAP for one row and one tree (see tree_shap.hpp).
// kOutputs is the number of outputs when known at compile time (1, the common case,
// lets the compiler drop the output loops), or 0 for any number.
template <int kOutputs>
class QuadratureShap : QuadraturePath {
 public:
  QuadratureShap(const TreeEnsemble& ensemble, const QuadratureRules& rules)
      : QuadraturePath(ensemble, rules),
        n_outputs_(ensemble.n_outputs),
        sums_(static_cast<std::size_t>(rules.max_depth + 2) * rules.max_points * ensemble.n_outputs),
        coefficients_(static_cast<std::size_t>(rules.max_depth + 2) * rules.max_points),
        inverses_(static_cast<std::size_t>(rules.max_depth + 2) * rules.max_points) {}

  // Adds the tree's SHAP values for row x to phi (n_features * n_outputs).
  void add_tree(std::size_t t, const double* x, double* phi) {
    start_tree(t, x);
    phi_ = phi;
    // A fixed number of quadrature points lets the compiler unroll the loops over them.
    switch (points_) {
      case 1:
        descend<1>(0, 0);
        break;
      case 2:
        descend<2>(0, 0);
        break;
      case 3:
        descend<3>(0, 0);
        break;
      case 4:
        descend<4>(0, 0);
        break;
      default:
        descend<0>(0, 0);
        break;
    }
  }

 private:
  // Fills sums_[depth] with G_q = sum over the subtree's leaves of value * P_q(leaf),
  // P_q being the product over the leaf's path features of t_q o_j + (1 - t_q) z_j, and
  // adds the contributions of the subtree's edges to phi.
  template <int kPoints>
  void descend(std::int32_t id, int depth) {
    const int Q = kPoints > 0 ? kPoints : points_, K = kOutputs > 0 ? kOutputs : n_outputs_;
    double* sums = sums_.data() + static_cast<std::size_t>(depth) * Q * K;
    const double* products = products_.data() + static_cast<std::size_t>(depth) * Q;
    const Node& node = nodes_[id];
    if (node.left < 0) {
      const double* value = ensemble_.leaf_value(tree_, id);
      for (int q = 0; q < Q; ++q) {
        for (int k = 0; k < K; ++k) sums[q * K + k] = products[q] * value[k];
      }
      return;
    }
    std::fill(sums, sums + static_cast<std::ptrdiff_t>(Q) * K, 0.0);
    const bool left = goes_left(node, ensemble_.category_bits.data(), x_[node.feature]);
    const int f = node.feature;
    const double one_before = one_[f], zero_before = zero_[f];
    // (1, 1): f is new on the path (or neutral so far): its factor is 1 for every t.
    const bool neutral_before = one_before == 1.0 && zero_before == 1.0;
    double* inverse_before = inverses_.data() + static_cast<std::size_t>(depth) * Q;
    if (!neutral_before) {
      for (int q = 0; q < Q; ++q) inverse_before[q] = 1.0 / (t_[q] * one_before + (1 - t_[q]) * zero_before);
    }
    const double difference_before = one_before - zero_before;
    double* child_products = products_.data() + static_cast<std::size_t>(depth + 1) * Q;
    double* coefficients = coefficients_.data() + static_cast<std::size_t>(depth) * Q;
    const double* child_sums = sums + static_cast<std::ptrdiff_t>(Q) * K;
    const double* fractions = ensemble_.child_fractions.data() + 2 * (first_node_ + id);
    for (int side = 0; side < 2; ++side) {
      const std::int32_t child = side == 0 ? node.left : node.right;
      // Merged fractions of feature f on the path: a repeated feature multiplies in.
      const double one = (side == 0) == left ? one_before : 0.0;
      const double zero = negligible_to_zero(zero_before * fractions[side]);
      if (one == 0.0 && zero == 0.0) continue;  // every leaf below has value 0 in every coalition
      // The leaves below credit f with w (o - z) / F(t) times their product P (F is f's
      // factor t o + (1 - t) z); an ancestor's edge on f already credited them with its
      // own (o - z) / F(t), which is taken back here. With o = 0, (o - z) / F(t) is
      // -1 / (1 - t) whatever z is. The cases are separate loops so that they vectorise.
      if (one == 0.0) {
        for (int q = 0; q < Q; ++q) {
          child_products[q] = products[q] * (1 - t_[q]) * zero;
          coefficients[q] = cold_[q];
        }
      } else {
        const double difference = one - zero;
        for (int q = 0; q < Q; ++q) {
          const double after = t_[q] * one + (1 - t_[q]) * zero;
          child_products[q] = products[q] * after;
          coefficients[q] = w_[q] * difference / after;
        }
      }
      if (!neutral_before) {
        for (int q = 0; q < Q; ++q) {
          child_products[q] *= inverse_before[q];
          coefficients[q] -= w_[q] * difference_before * inverse_before[q];
        }
      }
      if (nodes_[child].left < 0) {
        // A leaf child: its sums directly (what descend would do, without the call).
        const double* value = ensemble_.leaf_value(tree_, child);
        double* leaf_sums = sums + static_cast<std::ptrdiff_t>(Q) * K;
        for (int q = 0; q < Q; ++q) {
          for (int k = 0; k < K; ++k) leaf_sums[q * K + k] = child_products[q] * value[k];
        }
      } else {
        one_[f] = one;
        zero_[f] = zero;
        descend<kPoints>(child, depth + 1);
        one_[f] = one_before;
        zero_[f] = zero_before;
      }
      double* phi = phi_ + static_cast<std::size_t>(f) * K;
      for (int k = 0; k < K; ++k) {
        double sum = 0.0;
        for (int q = 0; q < Q; ++q) sum += coefficients[q] * child_sums[q * K + k];
        phi[k] += sum;
      }
      for (int i = 0; i < Q * K; ++i) sums[i] += child_sums[i];
    }
  }

  int n_outputs_;
  std::vector<double> sums_, coefficients_, inverses_;
  double* phi_ = nullptr;
};

// Classic TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): the path of distinct
// features with the weights of all coalition sizes, extended at each split and
// unwound at the leaves.
class ClassicTreeShap {
 public:
  // Each recursion level (at most max_depth + 1) copies the path of distinct features
  // (at most min(max_depth, n_features) + 1 elements) after its parent's.
  explicit ClassicTreeShap(const TreeEnsemble& ensemble, int max_depth)
      : ensemble_(ensemble),
        path_(static_cast<std::size_t>(max_depth + 3) * (std::min(max_depth, ensemble.n_features) + 3)) {}

  void add_tree(std::size_t t, const double* x, double* phi) {
    nodes_ = ensemble_.tree(t).data();
    first_node_ = static_cast<std::size_t>(ensemble_.tree_offsets[t]);
    tree_ = t;
    x_ = x;
    phi_ = phi;
    recurse(0, path_.data(), 0, 1.0, 1.0, -1);
  }

 private:
  struct Element {
    int feature;
    double zero, one, weight;
  };

  static void extend(Element* path, int depth, double zero, double one, int feature) {
    path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
    for (int i = depth - 1; i >= 0; --i) {
      path[i + 1].weight += one * path[i].weight * (i + 1) / static_cast<double>(depth + 1);
      path[i].weight = zero * path[i].weight * (depth - i) / static_cast<double>(depth + 1);
    }
  }

  static void unwind(Element* path, int depth, int index) {
    const double one = path[index].one, zero = path[index].zero;
    double next = path[depth].weight;
    for (int i = depth - 1; i >= 0; --i) {
      if (one != 0) {
        const double previous = path[i].weight;
        path[i].weight = next * (depth + 1) / ((i + 1) * one);
        next = previous - path[i].weight * zero * (depth - i) / static_cast<double>(depth + 1);
      } else {
        path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
      }
    }
    for (int i = index; i < depth; ++i) {
      path[i].feature = path[i + 1].feature;
      path[i].zero = path[i + 1].zero;
      path[i].one = path[i + 1].one;
    }
  }

  // Total weight of the path with element `index` removed.
  static double unwound_sum(const Element* path, int depth, int index) {
    const double one = path[index].one, zero = path[index].zero;
    double next = path[depth].weight, total = 0;
    for (int i = depth - 1; i >= 0; --i) {
      if (one != 0) {
        const double weight = next * (depth + 1) / ((i + 1) * one);
        total += weight;
        next = path[i].weight - weight * zero * (depth - i) / static_cast<double>(depth + 1);
      } else {
        total += path[i].weight / zero * (depth + 1) / static_cast<double>(depth - i);
      }
    }
    return total;
  }

  void recurse(std::int32_t id, Element* parent, int depth, double zero, double one, int feature) {
    Element* path = parent + depth + 1;
    std::copy(parent, parent + depth + 1, path);
    extend(path, depth, zero, one, feature);
    const Node& node = nodes_[id];
    const int K = ensemble_.n_outputs;
    if (node.left < 0) {
      const double* value = ensemble_.leaf_value(tree_, id);
      for (int i = 1; i <= depth; ++i) {
        const double scale = unwound_sum(path, depth, i) * (path[i].one - path[i].zero);
        double* phi = phi_ + static_cast<std::size_t>(path[i].feature) * K;
        for (int k = 0; k < K; ++k) phi[k] += scale * value[k];
      }
      return;
    }
    const bool left = goes_left(node, ensemble_.category_bits.data(), x_[node.feature]);
    const std::int32_t hot = left ? node.left : node.right;
    const std::int32_t cold = left ? node.right : node.left;
    double incoming_zero = 1, incoming_one = 1;
    int found = 0;
    for (int i = 1; i <= depth; ++i) {
      if (path[i].feature == node.feature) {
        found = i;
        break;
      }
    }
    if (found) {
      incoming_zero = path[found].zero;
      incoming_one = path[found].one;
      unwind(path, depth, found);
      --depth;
    }
    const double* fractions = ensemble_.child_fractions.data() + 2 * (first_node_ + id);
    const double hot_zero = negligible_to_zero(incoming_zero * fractions[left ? 0 : 1]);
    const double cold_zero = negligible_to_zero(incoming_zero * fractions[left ? 1 : 0]);
    if (hot_zero != 0 || incoming_one != 0) recurse(hot, path, depth + 1, hot_zero, incoming_one, node.feature);
    if (cold_zero != 0) recurse(cold, path, depth + 1, cold_zero, 0.0, node.feature);
  }

  const TreeEnsemble& ensemble_;
  std::vector<Element> path_;
  std::size_t first_node_ = 0;
  const Node* nodes_ = nullptr;
  std::size_t tree_ = 0;
  const double* x_ = nullptr;
  double* phi_ = nullptr;
};

// Interaction values per leaf: for distinct path features a != b, the leaf's game
// v * prod_j (o_j if j in S else z_j) has Shapley interaction index
// (o_a - z_a)(o_b - z_b) * integral of prod_{j != a, b} F_j(t) dt, split in half.
class QuadratureInteractions : QuadraturePath {
 public:
  QuadratureInteractions(const TreeEnsemble& ensemble, const QuadratureRules& rules)
      : QuadraturePath(ensemble, rules),
        path_features_(rules.max_depth + 1),
        inverse_(static_cast<std::size_t>(rules.max_depth + 1) * rules.max_points) {}

  // Adds the off-diagonal interactions of tree t for row x to out (M * M * K).
  void add_tree(std::size_t t, const double* x, double* out) {
    start_tree(t, x);
    out_ = out;
    descend(0, 0, 0);
  }

 private:
  void descend(std::int32_t id, int depth, int n_path) {
    const int Q = points_;
    const double* products = products_.data() + static_cast<std::size_t>(depth) * Q;
    const Node& node = nodes_[id];
    if (node.left < 0) {
      leaf(id, products, n_path);
      return;
    }
    const bool left = goes_left(node, ensemble_.category_bits.data(), x_[node.feature]);
    const int f = node.feature;
    const double one_before = one_[f], zero_before = zero_[f];
    const bool new_feature =
        one_before == 1.0 && zero_before == 1.0 &&
        std::find(path_features_.begin(), path_features_.begin() + n_path, f) == path_features_.begin() + n_path;
    if (new_feature) path_features_[n_path] = f;
    double* child_products = products_.data() + static_cast<std::size_t>(depth + 1) * Q;
    const double* fractions = ensemble_.child_fractions.data() + 2 * (first_node_ + id);
    for (int side = 0; side < 2; ++side) {
      const std::int32_t child = side == 0 ? node.left : node.right;
      const double one = (side == 0) == left ? one_before : 0.0;
      const double zero = negligible_to_zero(zero_before * fractions[side]);
      if (one == 0.0 && zero == 0.0) continue;
      for (int q = 0; q < Q; ++q) {
        const double before = t_[q] * one_before + (1 - t_[q]) * zero_before;
        child_products[q] = products[q] / before * (t_[q] * one + (1 - t_[q]) * zero);
      }
      one_[f] = one;
      zero_[f] = zero;
      descend(child, depth + 1, n_path + (new_feature ? 1 : 0));
      one_[f] = one_before;
      zero_[f] = zero_before;
    }
  }

  void leaf(std::int32_t id, const double* products, int n_path) {
    const int Q = points_, K = ensemble_.n_outputs;
    const std::size_t M = static_cast<std::size_t>(ensemble_.n_features);
    const double* value = ensemble_.leaf_value(tree_, id);
    for (int a = 0; a < n_path; ++a) {
      const int f = path_features_[a];
      for (int q = 0; q < Q; ++q) inverse_[a * Q + q] = 1.0 / (t_[q] * one_[f] + (1 - t_[q]) * zero_[f]);
    }
    for (int a = 0; a < n_path; ++a) {
      const int fa = path_features_[a];
      const double diff_a = one_[fa] - zero_[fa];
      if (diff_a == 0) continue;
      for (int b = a + 1; b < n_path; ++b) {
        const int fb = path_features_[b];
        const double diff_b = one_[fb] - zero_[fb];
        if (diff_b == 0) continue;
        double integral = 0;
        for (int q = 0; q < Q; ++q) integral += w_[q] * products[q] * inverse_[a * Q + q] * inverse_[b * Q + q];
        const double scale = 0.5 * diff_a * diff_b * integral;
        double* ab = out_ + (fa * M + fb) * K;
        double* ba = out_ + (fb * M + fa) * K;
        for (int k = 0; k < K; ++k) {
          ab[k] += scale * value[k];
          ba[k] += scale * value[k];
        }
      }
    }
  }

  std::vector<int> path_features_;
  std::vector<double> inverse_;
  double* out_ = nullptr;
};

// Saabas values (see tree_shap.hpp): each split on the row's path credits its feature
// with the change of the subtree mean, E[child] - E[node].
class SaabasValues {
 public:
  SaabasValues(const TreeEnsemble& ensemble, const std::vector<double>& node_means)
      : ensemble_(ensemble), node_means_(node_means) {}

  void add_tree(std::size_t t, const double* x, double* phi) const {
    const Node* nodes = ensemble_.tree(t).data();
    const std::size_t K = static_cast<std::size_t>(ensemble_.n_outputs);
    const double* means = node_means_.data() + static_cast<std::size_t>(ensemble_.tree_offsets[t]) * K;
    std::int32_t id = 0;
    while (nodes[id].left >= 0) {
      const Node& node = nodes[id];
      const std::int32_t child =
          goes_left(node, ensemble_.category_bits.data(), x[node.feature]) ? node.left : node.right;
      double* out = phi + static_cast<std::size_t>(node.feature) * K;
      for (std::size_t k = 0; k < K; ++k) out[k] += means[child * K + k] - means[id * K + k];
      id = child;
    }
  }

 private:
  const TreeEnsemble& ensemble_;
  const std::vector<double>& node_means_;
};

// Every node's cover-weighted mean leaf (n_outputs per node, all trees), children before
// parents by an explicit post-order walk (any depth).
std::vector<double> subtree_means(const TreeEnsemble& ensemble) {
  const std::size_t K = static_cast<std::size_t>(ensemble.n_outputs);
  std::vector<double> means(ensemble.nodes.size() * K, 0.0);
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
    const Node* nodes = ensemble.tree(t).data();
    const std::size_t first = static_cast<std::size_t>(ensemble.tree_offsets[t]);
    const double* fractions = ensemble.child_fractions.data() + 2 * first;
    std::vector<std::pair<std::int32_t, bool>> stack{{0, false}};
    while (!stack.empty()) {
      const auto [id, children_done] = stack.back();
      stack.pop_back();
      const Node& node = nodes[id];
      double* mean = means.data() + (first + id) * K;
      if (node.left < 0) {
        std::copy_n(ensemble.leaf_value(t, id), K, mean);
      } else if (!children_done) {
        stack.emplace_back(id, true);
        stack.emplace_back(node.left, false);
        stack.emplace_back(node.right, false);
      } else {
        const double* left = means.data() + (first + node.left) * K;
        const double* right = means.data() + (first + node.right) * K;
        for (std::size_t k = 0; k < K; ++k)
          mean[k] = fractions[2 * std::ptrdiff_t{id}] * left[k] + fractions[2 * std::ptrdiff_t{id} + 1] * right[k];
      }
    }
  }
  return means;
}

// Adds the cover-weighted mean leaf of tree t to out (n_outputs), walking the tree with
// an explicit stack (any depth).
void add_expected_leaf(const TreeEnsemble& ensemble, std::size_t t, double* out) {
  const Node* nodes = ensemble.tree(t).data();
  const double* fractions = ensemble.child_fractions.data() + 2 * ensemble.tree_offsets[t];
  std::vector<std::pair<std::int32_t, double>> stack{{0, 1.0}};
  while (!stack.empty()) {
    const auto [id, weight] = stack.back();
    stack.pop_back();
    const Node& node = nodes[id];
    if (node.left < 0) {
      const double* value = ensemble.leaf_value(t, id);
      for (int k = 0; k < ensemble.n_outputs; ++k) out[k] += weight * value[k];
      continue;
    }
    stack.emplace_back(node.right, weight * fractions[2 * std::ptrdiff_t{id} + 1]);
    stack.emplace_back(node.left, weight * fractions[2 * std::ptrdiff_t{id}]);
  }
}

}  // namespace

namespace {

// P_n(x) and P_{n-1}(x) by the three-term recurrence.
std::pair<double, double> legendre_pair(int n, double x) {
  double previous = 1.0, current = x;
  for (int j = 2; j <= n; ++j) {
    const double next = ((2.0 * j - 1) * x * current - (j - 1.0) * previous) / j;
    previous = current;
    current = next;
  }
  return {current, n == 1 ? 1.0 : previous};
}

double legendre(int n, double x) { return legendre_pair(n, x).first; }

// P_n'(x) = n (x P_n(x) - P_{n-1}(x)) / (x^2 - 1).
double legendre_derivative(int n, double x) {
  const auto [p_n, p_previous] = legendre_pair(n, x);
  return n * (x * p_n - p_previous) / (x * x - 1.0);
}

}  // namespace

void gauss_legendre_unit(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  if (n < 1) throw InvalidArgument("gauss_legendre_unit: n must be positive");
  nodes.assign(n, 0.0);
  weights.assign(n, 0.0);
  const double pi = std::acos(-1.0);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Newton's method on the Legendre polynomial P_n from the Chebyshev-like guess.
    double x = std::cos(pi * (i + 0.75) / (n + 0.5));
    double derivative = legendre_derivative(n, x);
    for (int iteration = 0; iteration < 100; ++iteration) {
      const double step = legendre(n, x) / derivative;
      x -= step;
      derivative = legendre_derivative(n, x);
      if (std::fabs(step) < 1e-16) break;
    }
    const double w = 2.0 / ((1.0 - x * x) * derivative * derivative);
    // Map [-1, 1] to [0, 1].
    nodes[i] = (1.0 - x) / 2.0;
    nodes[n - 1 - i] = (1.0 + x) / 2.0;
    weights[i] = weights[n - 1 - i] = w / 2.0;
  }
}

std::vector<double> expected_value(const TreeEnsemble& ensemble) {
  check_finalized(ensemble);
  check_covers(ensemble);
  std::vector<double> out(ensemble.base_values);
  for (std::size_t t = 0; t < ensemble.n_trees(); ++t) add_expected_leaf(ensemble, t, out.data());
  return out;
}

void shap_values(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out, const ShapOptions& options,
                 const Progress& progress) {
  check_table(ensemble, X);
  check_depth(ensemble);
  check_covers(ensemble);
  const std::size_t per_row = static_cast<std::size_t>(ensemble.n_features) * ensemble.n_outputs;
  check_output(out, X.n_rows() * per_row);
  const QuadratureRules rules(ensemble);
  const std::size_t width = X.n_columns();
  auto run = [&](auto make_algorithm) {
    for_each_block(X, options.n_jobs, progress, make_algorithm,
                   [&](auto& algorithm, std::size_t first, std::size_t n, const double* rows) {
                     double* block = out.data() + first * per_row;
                     std::fill(block, block + n * per_row, 0.0);
                     // Tree by tree, so that each tree is read once per block.
                     for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
                       for (std::size_t i = 0; i < n; ++i) algorithm.add_tree(t, rows + i * width, block + i * per_row);
                     }
                   });
  };
  if (options.algorithm == ShapAlgorithm::treeshap) {
    run([&] { return ClassicTreeShap(ensemble, rules.max_depth); });
  } else if (options.algorithm == ShapAlgorithm::saabas) {
    const std::vector<double> means = subtree_means(ensemble);
    run([&] { return SaabasValues(ensemble, means); });
  } else {
    if (ensemble.n_outputs == 1) {
      run([&] { return QuadratureShap<1>(ensemble, rules); });
    } else {
      run([&] { return QuadratureShap<0>(ensemble, rules); });
    }
  }
}

void shap_interaction_values(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out,
                             const ShapOptions& options, const Progress& progress) {
  check_table(ensemble, X);
  check_depth(ensemble);
  check_covers(ensemble);
  const std::size_t M = static_cast<std::size_t>(ensemble.n_features);
  const std::size_t K = static_cast<std::size_t>(ensemble.n_outputs);
  const std::size_t per_row = M * M * K;
  check_output(out, X.n_rows() * per_row);
  const QuadratureRules rules(ensemble);
  struct State {
    QuadratureShap<0> values;
    QuadratureInteractions interactions;
    std::vector<double> phi;
  };
  auto make_state = [&] {
    return State{QuadratureShap<0>(ensemble, rules), QuadratureInteractions(ensemble, rules), {}};
  };
  const std::size_t width = X.n_columns();
  for_each_block(X, options.n_jobs, progress, make_state,
                 [&](State& state, std::size_t first, std::size_t n, const double* rows) {
                   double* block = out.data() + first * per_row;
                   std::fill(block, block + n * per_row, 0.0);
                   state.phi.assign(n * M * K, 0.0);
                   for (std::size_t t = 0; t < ensemble.n_trees(); ++t) {
                     for (std::size_t i = 0; i < n; ++i) {
                       state.values.add_tree(t, rows + i * width, state.phi.data() + i * M * K);
                       state.interactions.add_tree(t, rows + i * width, block + i * per_row);
                     }
                   }
                   for (std::size_t i = 0; i < n; ++i)
                     set_main_effects(block + i * per_row, state.phi.data() + i * M * K, M, K);
                 });
}

}  // namespace assay::explain
