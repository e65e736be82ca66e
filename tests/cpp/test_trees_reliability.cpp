// Reliability of the tree explainers on any tree shape and any model file:
//  * a bounded, seeded property test ("shape fuzzer") that builds random valid
//    ensembles, degenerate shapes included (one-leaf trees, stumps, a feature split
//    twice on a path, unused features, empty category sets, every missing-value rule),
//    and checks every algorithm against brute-force Shapley values of its game, and
//    additivity; then random invalid ensembles, which finalize() must reject with
//    InvalidArgument;
//  * named regression cases of the shapes that once crashed or could (one-leaf trees in
//    the interventional pattern algorithm, trees deeper than 64 and than 2048, 10^6
//    nodes, all-missing routing, covers that do not add up);
//  * loader fuzzing: mutated XGBoost JSON / UBJSON and LightGBM text models load as a
//    valid ensemble or throw UnsupportedModel / ResourceLimit, never crash or hang;
//  * interrupts: the interventional core asks its Progress at a bounded amount of work.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/progress.hpp"
#include "assay/explain/agnostic.hpp"
#include "assay/explain/interventional.hpp"
#include "assay/explain/native_model.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"

namespace ex = assay::explain;

namespace {

// --- rows --------------------------------------------------------------------------------

struct Rows {
  std::vector<std::vector<double>> columns;
  std::vector<double> row_major;
  assay::TableView view;
  std::size_t n = 0;
  const double* row(std::size_t i) const { return row_major.data() + i * columns.size(); }
};

Rows make_rows(std::vector<std::vector<double>> columns) {
  Rows r;
  r.columns = std::move(columns);
  r.n = r.columns.empty() ? 0 : r.columns[0].size();
  std::vector<assay::ColumnView> views;
  views.reserve(r.columns.size());
  for (std::size_t j = 0; j < r.columns.size(); ++j) {
    views.push_back(assay::ColumnView::numeric("x" + std::to_string(j), r.columns[j]));
  }
  r.view = assay::TableView(std::move(views));
  for (std::size_t i = 0; i < r.n; ++i) {
    for (const auto& c : r.columns) r.row_major.push_back(c[i]);
  }
  return r;
}

// Integral values in [0, 40) (ties with thresholds, category codes), some NaN, some 1e-8
// (the missing sentinel of some trees), some 0 (LightGBM's zero rules), or all NaN.
Rows random_rows(std::mt19937_64& rng, std::size_t n, int M, bool all_missing = false) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<double>> columns(M);
  for (auto& column : columns) {
    for (std::size_t i = 0; i < n; ++i) {
      const double u = unit(rng);
      column.push_back(all_missing || u < 0.1 ? std::nan("")
                       : u < 0.15             ? 1e-8
                       : u < 0.2              ? 0.0
                                              : std::floor(unit(rng) * 40));
    }
  }
  return make_rows(std::move(columns));
}

// --- random valid ensembles -----------------------------------------------------------------

struct ShapeOptions {
  int max_depth = 4;
  double leaf_probability = 0.2;
  std::vector<std::int32_t> features;  // the features splits may use (others stay unused)
};

// Appends a random subtree (children's covers add up to their node's).
void grow(ex::TreeEnsemble& e, std::mt19937_64& rng, int depth, const ShapeOptions& shape, double cover,
          std::int64_t first) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto id = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes.emplace_back();
  e.nodes.back().cover = cover;
  for (int k = 0; k < e.n_outputs; ++k) e.leaf_values.push_back(0.0);
  if (depth >= shape.max_depth || (depth > 0 && unit(rng) < shape.leaf_probability)) {
    for (int k = 0; k < e.n_outputs; ++k)
      e.leaf_values[(first + id) * e.n_outputs + k] = std::round(unit(rng) * 8 - 4) / 2;
    return;
  }
  ex::Node node;
  node.cover = cover;
  node.feature = shape.features[rng() % shape.features.size()];
  node.default_left = unit(rng) < 0.5;
  const double kind = unit(rng);
  if (kind < 0.2) {
    node.categorical = true;
    node.categories_go_left = unit(rng) < 0.5;
    node.category_offset = static_cast<std::int32_t>(e.category_bits.size());
    node.category_words = static_cast<std::int32_t>(rng() % 3);  // 0: an empty set
    for (int w = 0; w < node.category_words; ++w) e.category_bits.push_back(static_cast<std::uint32_t>(rng()));
    if (unit(rng) < 0.2) node.missing = ex::MissingType::nan_or_value_default, node.missing_value = 1e-8f;
  } else {
    const double t = unit(rng);
    constexpr double kInf = std::numeric_limits<double>::infinity();
    node.threshold = t < 0.05 ? kInf : t < 0.1 ? -kInf : std::floor(unit(rng) * 40) + (unit(rng) < 0.5 ? 0.5 : 0.0);
    node.comparison = unit(rng) < 0.5 ? ex::Comparison::less_equal : ex::Comparison::less;
    node.float32_compare = unit(rng) < 0.3;
    const auto missing = rng() % 4;
    node.missing = static_cast<ex::MissingType>(missing);
    if (node.missing == ex::MissingType::nan_or_value_default) node.missing_value = 1e-8f;
  }
  double share = unit(rng);
  if (unit(rng) < 0.1) share = 0.0;
  if (unit(rng) < 0.05) share = 1.0;
  const double left_cover = cover * share, right_cover = share == 1.0 ? 0.0 : cover - left_cover;
  node.left = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes[first + id] = node;
  grow(e, rng, depth + 1, shape, left_cover, first);
  e.nodes[first + id].right = static_cast<std::int32_t>(e.nodes.size() - first);
  grow(e, rng, depth + 1, shape, right_cover, first);
}

ex::TreeEnsemble empty_ensemble(int M, int K) {
  ex::TreeEnsemble e;
  e.n_features = M;
  e.n_outputs = K;
  for (int k = 0; k < K; ++k) e.base_values.push_back(0.25 * (k + 1));
  return e;
}

void add_random_tree(ex::TreeEnsemble& e, std::mt19937_64& rng, const ShapeOptions& shape) {
  const auto first = static_cast<std::int64_t>(e.nodes.size());
  grow(e, rng, 0, shape, 100.0, first);
  e.tree_offsets.push_back(static_cast<std::int64_t>(e.nodes.size()));
}

// A random ensemble of 1-4 trees over 1-5 features; shapes drawn per tree: a single
// leaf, a stump, or a random tree of depth up to 6, splitting on all features or a few.
ex::TreeEnsemble random_ensemble(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int M = 1 + static_cast<int>(rng() % 5), K = 1 + static_cast<int>(rng() % 2);
  auto e = empty_ensemble(M, K);
  const int n_trees = 1 + static_cast<int>(rng() % 4);
  const bool all_leaves = rng() % 10 == 0;
  for (int t = 0; t < n_trees; ++t) {
    ShapeOptions shape;
    const auto kind = rng() % 6;
    shape.max_depth = all_leaves || kind == 0 ? 0 : kind == 1 ? 1 : 2 + static_cast<int>(rng() % 5);
    shape.leaf_probability = rng() % 2 ? 0.15 : 0.35;
    for (std::int32_t f = 0; f < M; ++f) shape.features.push_back(f);
    if (rng() % 3 == 0) shape.features.resize(1 + rng() % M);  // unused features; repeats on paths
    add_random_tree(e, rng, shape);
  }
  e.finalize();
  return e;
}

// --- references from the definitions ----------------------------------------------------------

double leaf_of(const ex::TreeEnsemble& e, std::size_t t, const double* x, int k) {
  const ex::Node* nodes = e.tree(t).data();
  std::int32_t id = 0;
  while (nodes[id].left >= 0)
    id = ex::goes_left(nodes[id], e.category_bits.data(), x[nodes[id].feature]) ? nodes[id].left : nodes[id].right;
  return e.leaf_value(t, id)[k];
}

double predict(const ex::TreeEnsemble& e, const double* x, int k) {
  double total = e.base_values[k];
  for (std::size_t t = 0; t < e.n_trees(); ++t) total += leaf_of(e, t, x, k);
  return total;
}

// Path-dependent E(S): follow x on features in S, else average by covers.
double path_expectation(const ex::TreeEnsemble& e, std::size_t t, std::int32_t id, const double* x, unsigned S, int k) {
  const ex::Node* nodes = e.tree(t).data();
  const ex::Node& node = nodes[id];
  if (node.left < 0) return e.leaf_value(t, id)[k];
  if (S & (1u << node.feature)) {
    return path_expectation(e, t, ex::goes_left(node, e.category_bits.data(), x[node.feature]) ? node.left : node.right,
                            x, S, k);
  }
  const double wl = node.cover > 0 ? nodes[node.left].cover / node.cover : 0.5;
  const double wr = node.cover > 0 ? nodes[node.right].cover / node.cover : 0.5;
  return wl * path_expectation(e, t, node.left, x, S, k) + wr * path_expectation(e, t, node.right, x, S, k);
}

struct Game {
  virtual double operator()(unsigned S) const = 0;
  virtual ~Game() = default;
};

struct PathGame : Game {
  const ex::TreeEnsemble& e;
  const double* x;
  int k;
  PathGame(const ex::TreeEnsemble& e, const double* x, int k) : e(e), x(x), k(k) {}
  double operator()(unsigned S) const override {
    double total = e.base_values[k];
    for (std::size_t t = 0; t < e.n_trees(); ++t) total += path_expectation(e, t, 0, x, S, k);
    return total;
  }
};

struct InterventionalGame : Game {
  const ex::TreeEnsemble& e;
  const double* x;
  const Rows& background;
  const std::vector<double>& w;
  int k;
  InterventionalGame(const ex::TreeEnsemble& e, const double* x, const Rows& background, const std::vector<double>& w,
                     int k)
      : e(e), x(x), background(background), w(w), k(k) {}
  double operator()(unsigned S) const override {
    const int M = e.n_features;
    std::vector<double> hybrid(M);
    double total = 0, weight = 0;
    for (std::size_t b = 0; b < background.n; ++b) {
      for (int j = 0; j < M; ++j) hybrid[j] = (S & (1u << j)) ? x[j] : background.row(b)[j];
      total += w[b] * predict(e, hybrid.data(), k);
      weight += w[b];
    }
    return total / weight;
  }
};

std::vector<double> factorials(int M) {
  std::vector<double> f(M + 1, 1.0);
  for (int i = 1; i <= M; ++i) f[i] = f[i - 1] * i;
  return f;
}

std::vector<double> shapley(const Game& v, int M) {
  const auto f = factorials(M);
  std::vector<double> phi(M, 0.0);
  for (unsigned S = 0; S < (1u << M); ++S) {
    const int s = std::popcount(S);
    const double value = v(S);
    for (int i = 0; i < M; ++i) {
      if (S & (1u << i))
        phi[i] += f[s - 1] * f[M - s] / f[M] * value;
      else
        phi[i] -= f[s] * f[M - s - 1] / f[M] * value;
    }
  }
  return phi;
}

// Shapley interaction index of (i, j), split in half.
double interaction(const Game& v, int M, int i, int j) {
  const auto f = factorials(M);
  double total = 0;
  for (unsigned S = 0; S < (1u << M); ++S) {
    if (S & ((1u << i) | (1u << j))) continue;
    const int s = std::popcount(S);
    total += f[s] * f[M - s - 2] / (2 * f[M - 1]) *
             (v(S | (1u << i) | (1u << j)) - v(S | (1u << i)) - v(S | (1u << j)) + v(S));
  }
  return total;
}

// --- the checks of one ensemble -------------------------------------------------------------

constexpr double kTolerance = 1e-9;

// Every algorithm on (e, X, background, w): equal to brute force, additive, patterns equal
// to pairwise, the native coalition values equal to v(S).
void check_every_algorithm(const ex::TreeEnsemble& e, const Rows& X, const Rows& background,
                           const std::vector<double>& w, const std::string& label) {
  SCOPED_TRACE(label);
  const int M = e.n_features, K = e.n_outputs;
  const std::size_t n = X.n;
  const bool brute = M <= 6;
  // Path-dependent.
  const auto expected = ex::expected_value(e);
  for (auto algorithm : {ex::ShapAlgorithm::quadrature, ex::ShapAlgorithm::treeshap}) {
    std::vector<double> phi(n * M * K);
    ex::shap_values(e, X.view, phi, {algorithm, 1});
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < K; ++k) {
        double sum = expected[k];
        for (int j = 0; j < M; ++j) sum += phi[(i * M + j) * K + k];
        ASSERT_NEAR(sum, predict(e, X.row(i), k), kTolerance) << "path-dependent additivity, row " << i;
        if (!brute) continue;
        const auto reference = shapley(PathGame(e, X.row(i), k), M);
        for (int j = 0; j < M; ++j)
          ASSERT_NEAR(phi[(i * M + j) * K + k], reference[j], kTolerance) << "row " << i << " feature " << j;
      }
    }
  }
  {
    std::vector<double> phi(n * M * K), matrix(n * M * M * K);
    ex::shap_values(e, X.view, phi, {ex::ShapAlgorithm::quadrature, 1});
    ex::shap_interaction_values(e, X.view, matrix, {ex::ShapAlgorithm::quadrature, 2});
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < K; ++k) {
        for (int a = 0; a < M; ++a) {
          double row_sum = 0;
          for (int b = 0; b < M; ++b) row_sum += matrix[((i * M + a) * M + b) * K + k];
          ASSERT_NEAR(row_sum, phi[(i * M + a) * K + k], kTolerance);
          if (!brute) continue;
          for (int b = a + 1; b < M; ++b) {
            const double reference = interaction(PathGame(e, X.row(i), k), M, a, b);
            ASSERT_NEAR(matrix[((i * M + a) * M + b) * K + k], reference, kTolerance)
                << "path interaction " << a << "," << b;
          }
        }
      }
    }
  }
  // Interventional: every algorithm, values and interactions.
  const auto base = ex::interventional_expected_value(e, background.view, w, ex::OutputTransform::identity);
  for (auto algorithm : {ex::InterventionalAlgorithm::automatic, ex::InterventionalAlgorithm::patterns,
                         ex::InterventionalAlgorithm::pairwise}) {
    std::vector<double> phi(n * M * K), matrix(n * M * M * K);
    const ex::InterventionalOptions options{ex::OutputTransform::identity, 1, algorithm};
    ex::interventional_shap_values(e, X.view, background.view, w, phi, options);
    ex::interventional_interaction_values(e, X.view, background.view, w, matrix, options);
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = 0; k < K; ++k) {
        double sum = base[k];
        for (int j = 0; j < M; ++j) sum += phi[(i * M + j) * K + k];
        ASSERT_NEAR(sum, predict(e, X.row(i), k), kTolerance) << "interventional additivity, row " << i;
        if (!brute) continue;
        const InterventionalGame game(e, X.row(i), background, w, k);
        const auto reference = shapley(game, M);
        for (int a = 0; a < M; ++a) {
          ASSERT_NEAR(phi[(i * M + a) * K + k], reference[a], kTolerance)
              << "interventional row " << i << " feature " << a;
          for (int b = a + 1; b < M; ++b) {
            ASSERT_NEAR(matrix[((i * M + a) * M + b) * K + k], interaction(game, M, a, b), kTolerance)
                << "interventional interaction " << a << "," << b;
          }
        }
      }
    }
  }
  // The native model of the agnostic explainers: v(S) for every coalition.
  if (!brute) return;
  ex::CoalitionDesign design;
  design.n_features = M;
  for (unsigned S = 0; S < (1u << M); ++S) {
    for (int j = 0; j < M; ++j) design.masks.push_back((S >> j) & 1u);
    design.weights.push_back(1.0);
  }
  const std::size_t C = design.size();
  std::vector<double> leaves(n * C * K), walked(n * C * K);
  ex::tree_coalition_values(X.row_major, background.row_major, design, e, w, ex::Link::identity, leaves, 1);
  ex::native_coalition_values(X.row_major, background.row_major, design, ex::tree_ensemble_model(e), K, w,
                              ex::Link::identity, walked, 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (unsigned S = 0; S < C; ++S) {
      for (int k = 0; k < K; ++k) {
        const double reference = InterventionalGame(e, X.row(i), background, w, k)(S);
        ASSERT_NEAR(leaves[(i * C + S) * K + k], reference, kTolerance) << "native leaves, coalition " << S;
        ASSERT_NEAR(walked[(i * C + S) * K + k], reference, kTolerance) << "native walk, coalition " << S;
      }
    }
  }
}

void check_random(const ex::TreeEnsemble& e, std::uint64_t seed, const std::string& label, bool all_missing = false) {
  std::mt19937_64 rng(seed);
  const auto X = random_rows(rng, 3, e.n_features, all_missing);
  const auto background = random_rows(rng, 4, e.n_features, all_missing);
  const std::vector<double> w{1.0, 0.5, 0.0, 2.5};
  check_every_algorithm(e, X, background, w, label);
}

// A chain: every split has a leaf on its right; features cycle over M.
ex::TreeEnsemble chain(int depth, int M) {
  auto e = empty_ensemble(M, 1);
  for (int d = 0; d < depth; ++d) {
    ex::Node split;
    split.feature = d % M;
    split.threshold = 20 - d % 7;
    split.left = 2 * d + 2;
    split.right = 2 * d + 1;
    split.cover = depth - d + 1.0;
    ex::Node leaf;
    leaf.cover = 1.0;
    e.nodes.push_back(split);
    e.nodes.push_back(leaf);
    e.leaf_values.push_back(0.0);
    e.leaf_values.push_back((d % 5) - 2.0);
  }
  ex::Node last;
  last.cover = 1.0;
  e.nodes.push_back(last);
  e.leaf_values.push_back(1.5);
  e.tree_offsets.push_back(static_cast<std::int64_t>(e.nodes.size()));
  e.finalize();
  return e;
}

}  // namespace

// --- the shape fuzzer -------------------------------------------------------------------------

TEST(TreesReliability, RandomValidEnsemblesAgreeWithBruteForce) {
  for (std::uint64_t seed = 1; seed <= 250; ++seed) {
    const auto e = random_ensemble(seed);
    check_random(e, seed * 7919, "seed " + std::to_string(seed), seed % 17 == 0);
    if (HasFatalFailure()) return;
  }
}

TEST(TreesReliability, RandomInvalidEnsemblesAreRejected) {
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    std::mt19937_64 rng(seed);
    auto e = empty_ensemble(3, 1 + static_cast<int>(seed % 2));
    ShapeOptions shape;
    shape.max_depth = 3;
    shape.leaf_probability = 0.0;
    shape.features = {0, 1, 2};
    add_random_tree(e, rng, shape);
    add_random_tree(e, rng, shape);
    ASSERT_NO_THROW(e.finalize());
    const std::int32_t n0 = static_cast<std::int32_t>(e.tree(0).size());
    ex::Node& root = e.nodes[0];
    ex::Node& leaf = e.nodes[e.tree_offsets[1] - 1];
    const int kind = static_cast<int>(seed % 20);
    switch (kind) {
      case 0:
        root.left = n0;
        break;  // child id out of range
      case 1:
        root.right = -2;
        break;  // a split with one child
      case 2:
        e.nodes[root.left].left = 0;
        e.nodes[root.left].right = root.right;
        break;  // a cycle
      case 3:
        root.right = root.left;
        break;  // a node reached twice
      case 4:
        root.categorical = false;
        root.threshold = std::nan("");
        break;
      case 5:
        root.categorical = true;
        root.category_offset = static_cast<std::int32_t>(e.category_bits.size()) + 5;
        root.category_words = 1;
        break;
      case 6:
        root.categorical = true;
        root.category_offset = 0;
        root.category_words = -1;
        break;
      case 7:
        root.feature = 3;
        break;  // feature out of range
      case 8:
        root.feature = -5;
        break;
      case 9:
        e.nodes[1].cover = -1;
        break;
      case 10:
        e.nodes[1].cover = std::nan("");
        break;
      case 11:
        e.leaf_values[(e.tree_offsets[1] - 1) * e.n_outputs] = INFINITY;
        break;
      case 12:
        e.tree_offsets = {0, static_cast<std::int64_t>(e.nodes.size()) + 4, static_cast<std::int64_t>(e.nodes.size())};
        break;
      case 13:
        e.tree_offsets.back() -= 1;
        break;
      case 14:
        e.tree_offsets.insert(e.tree_offsets.begin() + 1, 0);
        break;  // an empty tree
      case 15:
        e.leaf_values.pop_back();
        break;
      case 16:
        e.base_values[0] = std::nan("");
        break;
      case 17:
        e.n_outputs = 0;
        break;
      case 18:
        leaf.left = 1;
        leaf.right = -1;
        break;  // a leaf with one child
      default:  // 19: an unreachable node
        e.nodes.emplace_back();
        for (int k = 0; k < e.n_outputs; ++k) e.leaf_values.push_back(1.0);
        e.tree_offsets.back() += 1;
        break;
    }
    EXPECT_THROW(e.finalize(), assay::InvalidArgument) << "mutation " << kind;
    // A failed finalize leaves the ensemble unusable, never half-valid.
    const auto rows = random_rows(rng, 2, 3);
    std::vector<double> out(2 * 3 * 2 * 9);
    EXPECT_THROW(
        ex::shap_values(e, rows.view, std::span<double>(out.data(), std::size_t{6} * std::max(e.n_outputs, 1)), {}),
        assay::InvalidArgument)
        << "mutation " << kind;
    EXPECT_THROW(ex::tree_ensemble_model(e), assay::InvalidArgument) << "mutation " << kind;
  }
}

// --- named shapes -----------------------------------------------------------------------------

TEST(TreesReliability, OneLeafTrees) {
  std::mt19937_64 rng(5);
  // Every tree a single leaf (the interventional pattern algorithm crashed on it).
  auto leaves = empty_ensemble(4, 2);
  ShapeOptions single;
  single.max_depth = 0;
  single.features = {0};
  for (int t = 0; t < 3; ++t) add_random_tree(leaves, rng, single);
  leaves.finalize();
  check_random(leaves, 1, "every tree a leaf");
  // The first tree a leaf, then real trees.
  auto first = empty_ensemble(3, 1);
  add_random_tree(first, rng, single);
  ShapeOptions deep;
  deep.features = {0, 1, 2};
  add_random_tree(first, rng, deep);
  add_random_tree(first, rng, deep);
  first.finalize();
  check_random(first, 2, "first tree a leaf");
}

TEST(TreesReliability, StumpsRepeatedAndUnusedFeatures) {
  std::mt19937_64 rng(6);
  auto stumps = empty_ensemble(2, 1);
  ShapeOptions stump;
  stump.max_depth = 1;
  stump.features = {0, 1};
  for (int t = 0; t < 4; ++t) add_random_tree(stumps, rng, stump);
  stumps.finalize();
  check_random(stumps, 3, "stumps");
  // One feature split at every level of a depth-5 tree, five features unused.
  auto repeated = empty_ensemble(6, 1);
  ShapeOptions one_feature;
  one_feature.max_depth = 5;
  one_feature.leaf_probability = 0.0;
  one_feature.features = {2};
  add_random_tree(repeated, rng, one_feature);
  repeated.finalize();
  check_random(repeated, 4, "one feature, repeated");
  const auto X = random_rows(rng, 5, 6);
  std::vector<double> phi(5 * 6);
  ex::shap_values(repeated, X.view, phi, {});
  for (std::size_t i = 0; i < 5; ++i) {
    for (int j = 0; j < 6; ++j) {
      if (j != 2) {
        EXPECT_EQ(phi[i * 6 + j], 0.0);
      }
    }
  }
}

TEST(TreesReliability, AllMissingRoutingAndEmptyCategorySets) {
  std::mt19937_64 rng(8);
  auto e = empty_ensemble(3, 1);
  ShapeOptions shape;
  shape.max_depth = 4;
  shape.leaf_probability = 0.0;
  shape.features = {0, 1, 2};
  add_random_tree(e, rng, shape);
  // Every split categorical with an empty set: members go nowhere.
  for (ex::Node& node : e.nodes) {
    if (node.left < 0) continue;
    node.categorical = true;
    node.category_words = 0;
    node.category_offset = 0;
  }
  add_random_tree(e, rng, shape);
  e.finalize();
  check_random(e, 9, "empty category sets");
  check_random(e, 10, "all missing", true);
}

TEST(TreesReliability, DeeperThan64) {
  const auto e = chain(100, 3);
  EXPECT_EQ(e.max_depth(), 100);
  check_random(e, 11, "chain of 100");
}

TEST(TreesReliability, DeeperThan2048IsAClearErrorForShapAndFineElsewhere) {
  const auto e = chain(3000, 2);
  std::mt19937_64 rng(12);
  const auto X = random_rows(rng, 2, 2);
  const auto background = random_rows(rng, 3, 2);
  std::vector<double> phi(4), matrix(8);
  EXPECT_THROW(ex::shap_values(e, X.view, phi, {}), assay::UnsupportedModel);
  EXPECT_THROW(ex::shap_values(e, X.view, phi, {ex::ShapAlgorithm::treeshap}), assay::UnsupportedModel);
  EXPECT_THROW(ex::shap_interaction_values(e, X.view, matrix, {}), assay::UnsupportedModel);
  EXPECT_THROW(ex::interventional_shap_values(e, X.view, background.view, {}, phi, {}), assay::UnsupportedModel);
  EXPECT_THROW(ex::interventional_interaction_values(e, X.view, background.view, {}, matrix, {}),
               assay::UnsupportedModel);
  // Predictions, expected values and the agnostic explainers' native model take any depth.
  std::vector<double> predictions(2);
  ex::predict(e, X.view, predictions, 1);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(predictions[i], predict(e, X.row(i), 0));
  EXPECT_TRUE(std::isfinite(ex::expected_value(e)[0]));
  ex::CoalitionDesign design;
  design.n_features = 2;
  design.masks = {0, 0, 1, 0, 0, 1, 1, 1};
  design.weights = {1, 1, 1, 1};
  std::vector<double> v(2 * 4);
  const std::vector<double> w{1, 1, 1};
  ex::tree_coalition_values(X.row_major, background.row_major, design, e, w, ex::Link::identity, v, 1);
  for (std::size_t i = 0; i < 2; ++i) {
    for (unsigned S = 0; S < 4; ++S) {
      EXPECT_NEAR(v[i * 4 + S], InterventionalGame(e, X.row(i), background, w, 0)(S), 1e-12);
    }
  }
}

TEST(TreesReliability, AMillionNodes) {
  // A complete tree of depth 19 (2^20 - 1 nodes) over 3 features.
  auto e = empty_ensemble(3, 1);
  const std::int32_t n = (1 << 20) - 1;
  e.nodes.resize(n);
  e.leaf_values.assign(n, 0.0);
  for (std::int32_t id = 0; id < n; ++id) {
    ex::Node& node = e.nodes[id];
    node.cover = static_cast<double>(1 << (19 - static_cast<int>(std::log2(id + 1.0) + 1e-9)));
    if (2 * id + 2 < n) {
      node.left = 2 * id + 1;
      node.right = 2 * id + 2;
      node.feature = id % 3;
      node.threshold = static_cast<double>((std::int64_t{id} * 7919) % 40);
    } else {
      e.leaf_values[id] = static_cast<double>(id % 7) - 3;
    }
  }
  e.tree_offsets.push_back(n);
  e.finalize();
  EXPECT_EQ(e.max_depth(), 19);
  std::mt19937_64 rng(13);
  const auto X = random_rows(rng, 2, 3);
  const auto background = random_rows(rng, 3, 3);
  const std::vector<double> w{1, 2, 3};
  std::vector<double> phi(6), by_pairs(6);
  const double expected = ex::expected_value(e)[0];
  ex::shap_values(e, X.view, phi, {});
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_NEAR(expected + phi[3 * i] + phi[3 * i + 1] + phi[3 * i + 2], predict(e, X.row(i), 0), 1e-8);
  ex::interventional_shap_values(e, X.view, background.view, w, phi,
                                 {ex::OutputTransform::identity, 1, ex::InterventionalAlgorithm::patterns});
  ex::interventional_shap_values(e, X.view, background.view, w, by_pairs,
                                 {ex::OutputTransform::identity, 1, ex::InterventionalAlgorithm::pairwise});
  const double base = ex::interventional_expected_value(e, background.view, w, ex::OutputTransform::identity)[0];
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(base + phi[3 * i] + phi[3 * i + 1] + phi[3 * i + 2], predict(e, X.row(i), 0), 1e-8);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(phi[3 * i + j], by_pairs[3 * i + j], 1e-9);
  }
}

TEST(TreesReliability, CoversThatDoNotAddUpAreRejectedByPathDependentValues) {
  for (double cover : {5e-324, 1.7e308, 31.0}) {
    auto e = empty_ensemble(1, 1);
    e.nodes.resize(3);
    e.nodes[0] = ex::Node{};
    e.nodes[0].left = 1;
    e.nodes[0].right = 2;
    e.nodes[0].feature = 0;
    e.nodes[0].threshold = 0.5;
    e.nodes[0].cover = cover;
    e.nodes[1].cover = 10;
    e.nodes[2].cover = 20;
    e.leaf_values = {0, 1, 2};
    e.tree_offsets.push_back(3);
    e.finalize();  // the interventional algorithms do not read covers
    EXPECT_FALSE(e.covers_add_up);
    EXPECT_THROW(e.check_covers(), assay::InvalidArgument);
    EXPECT_THROW(ex::expected_value(e), assay::InvalidArgument);
    const auto X = make_rows({{0.0, 1.0}});
    std::vector<double> phi(2);
    EXPECT_THROW(ex::shap_values(e, X.view, phi, {}), assay::InvalidArgument);
    ex::interventional_shap_values(e, X.view, X.view, {}, phi, {});
    EXPECT_TRUE(std::isfinite(phi[0]) && std::isfinite(phi[1]));
  }
}

TEST(TreesReliability, TinyCoverFractionsGiveFiniteValues) {
  // Covers that add up but whose fractions multiply to below 1e-300 along a path.
  auto e = chain(60, 2);
  // Split 2d has cover 1e-6^d; its right leaf takes almost all of it.
  double c = 1.0;
  for (std::size_t id = 0; id + 1 < e.nodes.size(); id += 2) {
    e.nodes[id].cover = c;
    e.nodes[id + 1].cover = c * (1 - 1e-6);
    e.nodes[id + 2].cover = c * 1e-6;
    c *= 1e-6;
  }
  e.finalize();
  ASSERT_TRUE(e.covers_add_up);
  std::mt19937_64 rng(14);
  const auto X = random_rows(rng, 4, 2);
  for (auto algorithm : {ex::ShapAlgorithm::quadrature, ex::ShapAlgorithm::treeshap}) {
    std::vector<double> phi(8), matrix(16);
    ex::shap_values(e, X.view, phi, {algorithm, 1});
    ex::shap_interaction_values(e, X.view, matrix, {});
    for (double v : phi) EXPECT_TRUE(std::isfinite(v));
    for (double v : matrix) EXPECT_TRUE(std::isfinite(v));
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_NEAR(ex::expected_value(e)[0] + phi[2 * i] + phi[2 * i + 1], predict(e, X.row(i), 0), 1e-9);
    }
  }
}

TEST(TreesReliability, MissingSentinelIsMissingEverywhere) {
  // nan_or_value_default: a value equal to the sentinel routes as NaN does.
  ex::Node split;
  split.feature = 0;
  split.threshold = 0.5;
  split.default_left = false;
  split.missing = ex::MissingType::nan_or_value_default;
  split.missing_value = 1e-8f;
  split.float32_compare = true;
  split.comparison = ex::Comparison::less;
  EXPECT_FALSE(ex::goes_left(split, nullptr, 1e-8));
  EXPECT_FALSE(ex::goes_left(split, nullptr, std::nan("")));
  EXPECT_TRUE(ex::goes_left(split, nullptr, 2e-8));
  split.categorical = true;
  split.category_words = 0;
  split.default_left = true;
  EXPECT_TRUE(ex::goes_left(split, nullptr, 1e-8));
}

TEST(TreesReliability, HugeBackgroundWeightsAreScaledNotOverflowed) {
  std::mt19937_64 rng(15);
  auto e = empty_ensemble(3, 1);
  ShapeOptions shape;
  shape.features = {0, 1, 2};
  add_random_tree(e, rng, shape);
  e.finalize();
  const auto X = random_rows(rng, 3, 3);
  const auto background = random_rows(rng, 30, 3);
  const std::vector<double> huge(30, 1e308), ones(30, 1.0);
  const auto a = ex::interventional_expected_value(e, background.view, huge, ex::OutputTransform::identity);
  const auto b = ex::interventional_expected_value(e, background.view, ones, ex::OutputTransform::identity);
  EXPECT_NEAR(a[0], b[0], 1e-12);
  std::vector<double> phi_a(9), phi_b(9);
  ex::interventional_shap_values(e, X.view, background.view, huge, phi_a, {});
  ex::interventional_shap_values(e, X.view, background.view, ones, phi_b, {});
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(phi_a[i], phi_b[i], 1e-12);
  for (const std::vector<double>& bad :
       {std::vector<double>(30, 0.0), std::vector<double>(30, -1.0), std::vector<double>(30, std::nan("")),
        std::vector<double>(30, INFINITY), std::vector<double>(29, 1.0)}) {
    try {
      ex::interventional_expected_value(e, background.view, bad, ex::OutputTransform::identity);
      ADD_FAILURE() << "bad weights accepted";
    } catch (const assay::InvalidArgument& error) {
      EXPECT_NE(std::string(error.what()).find("data_weights"), std::string::npos) << error.what();
    }
  }
}

// --- interrupts -------------------------------------------------------------------------------

TEST(TreesReliability, PairwiseAsksForInterruptsAtBoundedWork) {
  std::mt19937_64 rng(16);
  auto e = empty_ensemble(4, 1);
  ShapeOptions shape;
  shape.max_depth = 4;
  shape.features = {0, 1, 2, 3};
  add_random_tree(e, rng, shape);
  add_random_tree(e, rng, shape);
  e.finalize();
  const auto X = random_rows(rng, 8, 4);  // one block of rows
  const auto background = random_rows(rng, 20000, 4);
  const ex::InterventionalOptions options{ex::OutputTransform::identity, 1, ex::InterventionalAlgorithm::pairwise};
  std::vector<double> phi(8 * 4);
  // Runs to the end: the Progress is asked once per 2^14 units of work (a background
  // row's decisions over the nodes; a pair walk), not only after each block of rows:
  // here 8 rows x 20,000 background rows x 2 trees pair walks in one block.
  std::size_t calls = 0;
  auto count = assay::Progress([&](std::size_t, std::size_t) {
    ++calls;
    return true;
  });
  ex::interventional_shap_values(e, X.view, background.view, {}, phi, options, count);
  const std::size_t n_total = calls;
  const std::size_t rows_per_check = (std::size_t{1} << 14) / e.nodes.size() + 1;
  EXPECT_GE(n_total, 20000 / rows_per_check + std::size_t{8} * 20000 * 2 / (std::size_t{1} << 14));
  // Asked to stop two questions before the end (during the pair walks): stops there, with
  // no question after the stop request.
  calls = 0;
  EXPECT_THROW(
      ex::interventional_shap_values(e, X.view, background.view, {}, phi, options,
                                     assay::Progress([&](std::size_t, std::size_t) { return ++calls < n_total - 2; })),
      assay::Interrupted);
  EXPECT_EQ(calls, n_total - 2);
  for (int n_jobs : {1, 2}) {
    const ex::InterventionalOptions threaded{ex::OutputTransform::identity, n_jobs,
                                             ex::InterventionalAlgorithm::pairwise};
    calls = 0;
    std::vector<double> matrix(8 * 16);
    EXPECT_THROW(
        ex::interventional_interaction_values(e, X.view, background.view, {}, matrix, threaded,
                                              assay::Progress([&](std::size_t, std::size_t) { return ++calls < 3; })),
        assay::Interrupted);
    EXPECT_EQ(calls, 3u);
  }
}

// --- loader fuzzing -------------------------------------------------------------------------

namespace {

constexpr std::string_view kXGBoostJson =
    "{\"learner\":{\"attributes\":{},\"learner_model_param\":{\"num_feature\":\"3\",\"base_score\":\"[5E-1,5E-1,5E-1]"
    "\","
    "\"num_class\":\"3\",\"num_target\":\"1\"},\"objective\":{\"name\":\"multi:softprob\"},"
    "\"gradient_booster\":{\"name\":\"gbtree\",\"model\":{\"trees\":["
    "{\"tree_param\":{\"num_nodes\":\"5\",\"size_leaf_vector\":\"1\"},\"left_children\":[1,3,-1,-1,-1],"
    "\"right_children\":[2,4,-1,-1,-1],\"split_indices\":[0,2,0,0,0],\"split_conditions\":[0.5,1.5E0,-0.2,0.3,0.1],"
    "\"default_left\":[1,0,0,0,0],\"sum_hessian\":[4,3,1,2,1]},"
    "{\"tree_param\":{\"num_nodes\":\"1\"},\"left_children\":[-1],\"right_children\":[-1],\"split_indices\":[0],"
    "\"split_conditions\":[0.25],\"default_left\":[0],\"sum_hessian\":[4]},"
    "{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1],"
    "\"split_indices\":[1,0,0],\"split_conditions\":[0,1,2],\"default_left\":[1,0,0],\"sum_hessian\":[2,1,1],"
    "\"split_type\":[1,0,0],\"categories\":[3,40],\"categories_nodes\":[0],\"categories_segments\":[0],"
    "\"categories_sizes\":[2]}],\"tree_info\":[0,1,2]}}}}";

constexpr std::string_view kLightGBMText =
    "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=2\n"
    "objective=binary sigmoid:1\nfeature_names=a b c\n\n"
    "Tree=0\nnum_leaves=3\nnum_cat=1\nsplit_feature=1 0\nsplit_gain=1 1\nthreshold=0 0.5\ndecision_type=1 10\n"
    "left_child=-1 -2\nright_child=1 -3\nleaf_value=1 2 3\nleaf_weight=1 1 1\nleaf_count=3 5 2\n"
    "internal_value=0 0\ninternal_weight=0 0\ninternal_count=10 7\ncat_boundaries=0 2\ncat_threshold=5 1\n"
    "is_linear=0\nshrinkage=1\n\n"
    "Tree=1\nnum_leaves=2\nnum_cat=0\nsplit_feature=2\nthreshold=1.0000000000000001e-35\ndecision_type=6\n"
    "left_child=-1\nright_child=-2\nleaf_value=-0.5 0.5\nleaf_count=4 6\ninternal_count=10\nis_linear=0\n"
    "shrinkage=0.1\n\n"
    "Tree=2\nnum_leaves=1\nleaf_value=0.125\nis_linear=0\nshrinkage=1\n\nend of trees\n\nfeature_importances:\n";

// A minimal UBJSON writer for the XGBoost document: objects, typed arrays, strings.
struct Ubj {
  static std::string int32(std::int64_t v) {
    std::string out = "l";
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
    return out;
  }
  static std::string key(const std::string& k) { return "U" + std::string(1, static_cast<char>(k.size())) + k; }
  static std::string str(const std::string& text) { return "S" + key(text); }
  static std::string object(const std::vector<std::pair<std::string, std::string>>& members) {
    std::string out = "{";
    for (const auto& [k, v] : members) out += key(k) + v;
    return out + "}";
  }
  static std::string floats(const std::vector<float>& values) {
    std::string out = "[$d#" + int32(static_cast<std::int64_t>(values.size()));
    for (float v : values) {
      const auto bits = std::bit_cast<std::uint32_t>(v);
      for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xFF));
    }
    return out;
  }
  static std::string ints(const std::vector<std::int64_t>& values) {
    std::string out = "[$l#" + int32(static_cast<std::int64_t>(values.size()));
    for (auto v : values) out += int32(v).substr(1);
    return out;
  }
};

std::string xgboost_ubjson() {
  using U = Ubj;
  const std::string first = U::object({{"tree_param", U::object({{"num_nodes", U::str("5")}})},
                                       {"left_children", U::ints({1, 3, -1, -1, -1})},
                                       {"right_children", U::ints({2, 4, -1, -1, -1})},
                                       {"split_indices", U::ints({0, 2, 0, 0, 0})},
                                       {"split_conditions", U::floats({0.5f, 1.5f, -0.2f, 0.3f, 0.1f})},
                                       {"default_left", "[$U#" + U::int32(5) + std::string("\x01\x00\x00\x00\x00", 5)},
                                       {"sum_hessian", U::floats({4, 3, 1, 2, 1})}});
  const std::string second = U::object({{"tree_param", U::object({{"num_nodes", U::str("3")}})},
                                        {"left_children", U::ints({1, -1, -1})},
                                        {"right_children", U::ints({2, -1, -1})},
                                        {"split_indices", U::ints({1, 0, 0})},
                                        {"split_conditions", U::floats({0, 1, 2})},
                                        {"default_left", "[$U#" + U::int32(3) + std::string("\x01\x00\x00", 3)},
                                        {"sum_hessian", U::floats({2, 1, 1})},
                                        {"split_type", U::ints({1, 0, 0})},
                                        {"categories", U::ints({3, 40})},
                                        {"categories_nodes", U::ints({0})},
                                        {"categories_segments", U::ints({0})},
                                        {"categories_sizes", U::ints({2})}});
  return U::object(
      {{"learner",
        U::object(
            {{"learner_model_param",
              U::object({{"num_feature", U::str("3")}, {"base_score", U::str("5E-1")}, {"num_class", U::str("2")}})},
             {"objective", U::object({{"name", U::str("multi:softprob")}})},
             {"gradient_booster",
              U::object({{"name", U::str("gbtree")},
                         {"model", U::object({{"trees", "[" + first + second + "]"},
                                              {"tree_info", "[" + U::int32(0) + U::int32(1) + "]"}})}})}})}});
}

// One seeded mutation: byte flips, characters of the format's alphabet, truncation,
// inserted or deleted bytes, a duplicated segment.
std::string mutate(std::string_view seed_text, std::mt19937_64& rng, bool binary) {
  std::string text(seed_text);
  const char alphabet[] = "0123456789-+.,[]{}\":= \neE$#lUSdi-1";
  const int n_mutations = 1 + static_cast<int>(rng() % 3);
  for (int m = 0; m < n_mutations && !text.empty(); ++m) {
    const std::size_t at = rng() % text.size();
    switch (rng() % 6) {
      case 0:
        text[at] = static_cast<char>(rng() % 256);
        break;
      case 1:
        text[at] = binary ? static_cast<char>(rng() % 256) : alphabet[rng() % (sizeof alphabet - 1)];
        break;
      case 2:
        text.resize(at);
        break;
      case 3:
        text.insert(at, 1 + rng() % 4,
                    static_cast<char>(binary ? rng() % 256 : alphabet[rng() % (sizeof alphabet - 1)]));
        break;
      case 4:
        text.erase(at, 1 + rng() % 8);
        break;
      default: {  // 5: a copy of a piece
        const std::size_t length = std::min<std::size_t>(text.size() - at, 1 + rng() % 16);
        text.insert(rng() % text.size(), text.substr(at, length));
        break;
      }
    }
  }
  return text;
}

bool printable(const char* message) {
  for (const char* p = message; *p; ++p) {
    if (static_cast<unsigned char>(*p) < 0x20 || static_cast<unsigned char>(*p) >= 0x7f) return false;
  }
  return true;
}

// Loads every mutation: a valid ensemble (then explained: values or an assay::Error) or
// UnsupportedModel / ResourceLimit with a printable message; anything else fails.
template <class Load>
int fuzz_loader(std::string_view seed_text, bool binary, std::uint64_t seed, int trials, Load&& load) {
  std::mt19937_64 rng(seed);
  int loaded = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const std::string text = mutate(seed_text, rng, binary);
    try {
      const auto e = load(text);
      ++loaded;
      if (e.n_features < 1 || e.n_features > 8 || e.n_outputs > 4 || e.nodes.size() > 10000) continue;
      const int M = e.n_features, K = e.n_outputs;
      const auto X = random_rows(rng, 2, M);
      std::vector<double> phi(2 * static_cast<std::size_t>(M) * K), matrix(2 * static_cast<std::size_t>(M) * M * K);
      try {
        ex::shap_values(e, X.view, phi, {ex::ShapAlgorithm::quadrature, 1});
        ex::shap_interaction_values(e, X.view, matrix, {});
        for (double v : phi) EXPECT_TRUE(std::isfinite(v)) << "trial " << trial;
      } catch (const assay::InvalidArgument& error) {  // covers that do not add up, depth
        EXPECT_TRUE(printable(error.what()));
      }
      ex::interventional_shap_values(e, X.view, X.view, {}, phi, {});
      ex::interventional_interaction_values(e, X.view, X.view, {}, matrix, {});
      for (double v : phi) EXPECT_TRUE(std::isfinite(v)) << "trial " << trial;
    } catch (const assay::UnsupportedModel& error) {
      EXPECT_TRUE(printable(error.what())) << error.what();
    } catch (const assay::ResourceLimit& error) {
      EXPECT_TRUE(printable(error.what())) << error.what();
    } catch (const std::exception& error) {
      ADD_FAILURE() << "trial " << trial << ": " << typeid(error).name() << ": " << error.what();
    }
  }
  return loaded;
}

}  // namespace

TEST(TreesReliability, LoadersOfMutatedModelsLoadOrThrowUnsupportedModel) {
  ASSERT_NO_THROW(ex::load_xgboost_json(kXGBoostJson));
  ASSERT_NO_THROW(ex::load_lightgbm_text(kLightGBMText));
  const std::string ubjson = xgboost_ubjson();
  ASSERT_NO_THROW(ex::load_xgboost_ubjson(ubjson));
  EXPECT_GT(fuzz_loader(kXGBoostJson, false, 21, 700, [](const std::string& t) { return ex::load_xgboost_json(t); }),
            0);
  EXPECT_GT(
      fuzz_loader(kXGBoostJson, false, 22, 100, [](const std::string& t) { return ex::load_xgboost_json(t, 1e-8); }),
      0);
  EXPECT_GT(fuzz_loader(ubjson, true, 23, 700, [](const std::string& t) { return ex::load_xgboost_ubjson(t); }), 0);
  EXPECT_GT(fuzz_loader(kLightGBMText, false, 24, 700, [](const std::string& t) { return ex::load_lightgbm_text(t); }),
            0);
}

TEST(TreesReliability, MalformedModelFilesAreUnsupportedModelWithPrintableMessages) {
  for (const std::string& bytes :
       {std::string("\xff"), std::string("\xff\xfe\x00", 3), std::string("{U\x03\xe9\xe9\xe9"), std::string(""),
        std::string("[$Z#L\x7f\xff\xff\xff\xff\xff\xff\xff", 12)}) {
    try {
      ex::load_xgboost_ubjson(bytes);
      ADD_FAILURE() << "accepted";
    } catch (const assay::UnsupportedModel& error) {
      EXPECT_TRUE(printable(error.what())) << error.what();
      EXPECT_EQ(std::string(error.what()).rfind("XGBoost model: ", 0), 0u) << error.what();
    }
  }
  EXPECT_THROW(ex::load_xgboost_json("{\"learner\": 1}"), assay::UnsupportedModel);
  EXPECT_THROW(ex::load_lightgbm_text("tree\n\xff\n"), assay::UnsupportedModel);
  // A LightGBM model whose internal_count does not match its leaves' counts (1.8e308 is
  // beyond the float range: an infinite cover).
  for (const char* count : {"5e-324", "1.8e308", "1e9"}) {
    std::string text(kLightGBMText);
    text.replace(text.find("internal_count=10\n"), 18, std::string("internal_count=") + count + "\n");
    try {
      ex::load_lightgbm_text(text);
      ADD_FAILURE() << count;
    } catch (const assay::UnsupportedModel& error) {
      EXPECT_NE(std::string(error.what()).find("cover"), std::string::npos) << error.what();
    }
  }
  // An objective name that is not text stays printable.
  std::string json(kXGBoostJson);
  json.replace(json.find("multi:softprob"), 14, "multi:soft\xe9prob");
  EXPECT_TRUE(printable(ex::load_xgboost_json(json).objective.c_str()));
}
