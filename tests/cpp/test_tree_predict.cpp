// explain::predict against the node-by-node walk of goes_left: every split semantics
// (<= and <, float32 rounding, the four missing-value rules, sentinels, categorical
// splits, infinite thresholds), trees shallow and deep, one and several outputs, and
// values chosen to sit on and next to the thresholds. The predictions must be bitwise
// equal: the laid-out trees decide every split as goes_left does and the sums keep the
// tree order.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "assay/common/table.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"

namespace ex = assay::explain;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct SplitKinds {
  bool mixed_missing = true;  // all four missing-value rules, else NaN to the default side only
  bool categorical = true;
  int n_sentinels = 2;  // distinct XGBoost `missing` sentinels (more than 8 views are possible)
};

double random_threshold(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double u = unit(rng);
  if (u < 0.03) return kInf;
  if (u < 0.06) return -kInf;
  if (u < 0.15) return 0.0;
  if (u < 0.3) return std::floor(unit(rng) * 20) - 10;  // integral: ties with integral values
  if (u < 0.45) return static_cast<double>(static_cast<float>(unit(rng) * 20 - 10));  // a float32 value
  return unit(rng) * 20 - 10;
}

void grow(ex::TreeEnsemble& e, std::mt19937_64& rng, int depth, int max_depth, const SplitKinds& kinds,
          std::int64_t first) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto id = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes.emplace_back();
  e.nodes.back().cover = 1.0;
  for (int k = 0; k < e.n_outputs; ++k) e.leaf_values.push_back(0.0);
  if (depth == max_depth || (depth > 0 && unit(rng) < 0.15)) {
    for (int k = 0; k < e.n_outputs; ++k) e.leaf_values[(first + id) * e.n_outputs + k] = unit(rng) * 4 - 2;
    return;
  }
  ex::Node node;
  node.cover = 1.0;
  node.feature = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(e.n_features));
  node.default_left = unit(rng) < 0.5;
  node.float32_compare = unit(rng) < 0.5;
  node.comparison = unit(rng) < 0.5 ? ex::Comparison::less : ex::Comparison::less_equal;
  if (kinds.mixed_missing) {
    node.missing = static_cast<ex::MissingType>(rng() % 4);
    node.missing_value =
        static_cast<float>(static_cast<int>(rng() % static_cast<std::uint64_t>(kinds.n_sentinels)) - 1);
  }
  if (kinds.categorical && unit(rng) < 0.1) {
    node.categorical = true;
    node.categories_go_left = unit(rng) < 0.5;
    node.category_offset = static_cast<std::int32_t>(e.category_bits.size());
    node.category_words = 1;
    e.category_bits.push_back(static_cast<std::uint32_t>(rng()));
  } else {
    node.threshold = random_threshold(rng);
  }
  node.left = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes[first + id] = node;
  grow(e, rng, depth + 1, max_depth, kinds, first);
  e.nodes[first + id].right = static_cast<std::int32_t>(e.nodes.size() - first);
  grow(e, rng, depth + 1, max_depth, kinds, first);
}

ex::TreeEnsemble random_ensemble(std::uint64_t seed, int n_trees, int max_depth, std::int32_t n_features, int n_outputs,
                                 const SplitKinds& kinds) {
  std::mt19937_64 rng(seed);
  ex::TreeEnsemble e;
  e.n_features = n_features;
  e.n_outputs = n_outputs;
  for (int k = 0; k < n_outputs; ++k) e.base_values.push_back(0.5 * k - 0.25);
  for (int t = 0; t < n_trees; ++t) {
    const auto first = static_cast<std::int64_t>(e.nodes.size());
    grow(e, rng, 0, static_cast<int>(rng() % static_cast<std::uint64_t>(max_depth + 1)), kinds, first);
    e.tree_offsets.push_back(static_cast<std::int64_t>(e.nodes.size()));
  }
  e.finalize();
  return e;
}

// Values on, next to and far from the thresholds: integers, float32 values and their
// neighbours, zeros and LightGBM's near-zeros, sentinels, NaN, infinities, 1e308.
std::vector<std::vector<double>> random_columns(std::uint64_t seed, std::size_t n_rows, int n_features) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<double>> columns(static_cast<std::size_t>(n_features));
  for (auto& column : columns) {
    for (std::size_t i = 0; i < n_rows; ++i) {
      const double u = unit(rng);
      double x = unit(rng) * 24 - 12;
      if (u < 0.08) {
        x = std::nan("");
      } else if (u < 0.12) {
        x = unit(rng) < 0.5 ? kInf : -kInf;
      } else if (u < 0.16) {
        x = unit(rng) < 0.5 ? 1e308 : -1e308;
      } else if (u < 0.24) {
        x = unit(rng) < 0.5 ? 0.0 : (unit(rng) < 0.5 ? 1e-36 : -1e-40);
      } else if (u < 0.44) {
        x = std::floor(x);  // integral: the categories and integral thresholds
      } else if (u < 0.6) {
        x = static_cast<double>(static_cast<float>(x));
        if (unit(rng) < 0.5) x = std::nextafter(x, unit(rng) < 0.5 ? kInf : -kInf);  // rounds back in float32
      }
      column.push_back(x);
    }
  }
  return columns;
}

assay::TableView view_of(const std::vector<std::vector<double>>& columns) {
  std::vector<assay::ColumnView> views;
  views.reserve(columns.size());
  for (std::size_t j = 0; j < columns.size(); ++j)
    views.push_back(assay::ColumnView::numeric("x" + std::to_string(j), columns[j]));
  return assay::TableView(std::move(views));
}

// The reference: every row walks every tree node by node, outputs summed in tree order.
std::vector<double> walk_nodes(const ex::TreeEnsemble& e, const std::vector<std::vector<double>>& columns) {
  const std::size_t n_rows = columns.empty() ? 0 : columns[0].size();
  const auto K = static_cast<std::size_t>(e.n_outputs);
  std::vector<double> out(n_rows * K);
  std::vector<double> x(columns.size());
  for (std::size_t i = 0; i < n_rows; ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) x[j] = columns[j][i];
    for (std::size_t k = 0; k < K; ++k) out[i * K + k] = e.base_values[k];
    for (std::size_t t = 0; t < e.n_trees(); ++t) {
      const ex::Node* nodes = e.tree(t).data();
      std::int32_t id = 0;
      while (nodes[id].left >= 0) {
        const ex::Node& node = nodes[id];
        id = ex::goes_left(node, e.category_bits.data(), x[static_cast<std::size_t>(node.feature)]) ? node.left
                                                                                                    : node.right;
      }
      for (std::size_t k = 0; k < K; ++k) out[i * K + k] += e.leaf_value(t, id)[k];
    }
  }
  return out;
}

void expect_bitwise_equal(const std::vector<double>& actual, const std::vector<double>& expected,
                          const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(actual[i]), std::bit_cast<std::uint64_t>(expected[i]))
        << what << ": entry " << i << " is " << actual[i] << ", the node walk gives " << expected[i];
  }
}

void check_against_node_walk(const ex::TreeEnsemble& e, std::uint64_t seed, std::size_t n_rows,
                             const std::string& what) {
  const auto columns = random_columns(seed, n_rows, e.n_features);
  const auto table = view_of(columns);
  const auto expected = walk_nodes(e, columns);
  for (const int n_jobs : {1, 2, 3}) {
    std::vector<double> out(n_rows * static_cast<std::size_t>(e.n_outputs));
    ex::predict(e, table, out, n_jobs);
    expect_bitwise_equal(out, expected, what + ", n_jobs " + std::to_string(n_jobs));
  }
}

}  // namespace

TEST(TreePredict, EqualsTheNodeWalkForEverySplitSemantics) {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const int n_outputs = seed % 3 == 0 ? 3 : 1;
    const auto e = random_ensemble(seed, 25, 7, 6, n_outputs, SplitKinds{});
    // 517 rows: several blocks of rows and a partial lockstep group at the end.
    check_against_node_walk(e, seed + 100, 517, "seed " + std::to_string(seed));
  }
}

TEST(TreePredict, NumericTreesWithOnePreparationEqualTheNodeWalk) {
  // XGBoost's case: float32 comparisons with `<`, NaN to the default side, no categories.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    auto e = random_ensemble(seed, 40, 6, 8, 1, SplitKinds{false, false, 1});
    for (auto& node : e.nodes) {
      node.float32_compare = true;
      node.comparison = ex::Comparison::less;
    }
    check_against_node_walk(e, seed, 300, "seed " + std::to_string(seed));
  }
}

TEST(TreePredict, DeepTreesAndManySentinelsKeepTheNodeWalkWhereNeeded) {
  // Depths up to 15 (beyond the layout's 12) and up to 12 sentinels (beyond its 8 views):
  // some trees are laid out, others walked node by node, in one sum.
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto e = random_ensemble(seed, 12, 15, 5, 2, SplitKinds{true, true, 12});
    check_against_node_walk(e, seed + 7, 200, "seed " + std::to_string(seed));
  }
}

TEST(TreePredict, SingleLeafTreesAndEmptyTables) {
  ex::TreeEnsemble e;
  e.n_features = 2;
  e.n_outputs = 1;
  e.base_values = {0.5};
  e.nodes.emplace_back();
  e.leaf_values = {1.25};
  e.tree_offsets.push_back(1);
  e.finalize();
  check_against_node_walk(e, 1, 20, "single leaf");
  check_against_node_walk(e, 1, 0, "no rows");
}

TEST(TreePredict, WideRowsInSmallerBlocksEqualTheNodeWalk) {
  // 30,000 features: a block holds a few rows only (its row copies stay within a few MiB).
  const auto e = random_ensemble(3, 20, 6, 30000, 1, SplitKinds{});
  check_against_node_walk(e, 4, 37, "30,000 features");
}
