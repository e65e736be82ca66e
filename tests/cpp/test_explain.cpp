// Tree explainers: loaders reject malformed models; both SHAP algorithms equal
// brute-force Shapley values of the path-dependent game on random small trees.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/explain/interventional.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"

namespace ex = assay::explain;

namespace {

// A random tree of depth <= max_depth over n_features features (repeated features on
// a path, categorical splits, zero covers, NaN default directions all occur).
void grow(ex::TreeEnsemble& e, std::mt19937_64& rng, int depth, int max_depth, std::int32_t n_features, double cover,
          std::int64_t first) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto id = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes.emplace_back();
  for (int k = 0; k < e.n_outputs; ++k) e.leaf_values.push_back(0.0);
  e.nodes.back().cover = cover;
  if (depth == max_depth || (depth > 0 && unit(rng) < 0.2)) {
    for (int k = 0; k < e.n_outputs; ++k) e.leaf_values[(first + id) * e.n_outputs + k] = unit(rng) * 4 - 2;
    return;
  }
  ex::Node node;
  node.cover = cover;
  node.feature = static_cast<std::int32_t>(rng() % n_features);
  node.default_left = unit(rng) < 0.5;
  if (unit(rng) < 0.25) {
    node.categorical = true;
    node.categories_go_left = unit(rng) < 0.5;
    node.category_offset = static_cast<std::int32_t>(e.category_bits.size());
    node.category_words = 2;
    e.category_bits.push_back(static_cast<std::uint32_t>(rng()));
    e.category_bits.push_back(static_cast<std::uint32_t>(rng()));
  } else {
    node.threshold = unit(rng) * 40;
  }
  // Occasionally a zero-cover child (or a zero-cover node); children's covers add up
  // to their node's, as the IR requires.
  double share = unit(rng);
  if (unit(rng) < 0.1) share = 0.0;
  if (unit(rng) < 0.05) share = 1.0;
  const double left_cover = cover * share;
  const double right_cover = share == 1.0 ? 0.0 : cover - left_cover;
  node.left = static_cast<std::int32_t>(e.nodes.size() - first);
  e.nodes[first + id] = node;
  grow(e, rng, depth + 1, max_depth, n_features, left_cover, first);
  e.nodes[first + id].right = static_cast<std::int32_t>(e.nodes.size() - first);
  grow(e, rng, depth + 1, max_depth, n_features, right_cover, first);
}

ex::TreeEnsemble random_ensemble(std::uint64_t seed, int n_trees, int max_depth, std::int32_t n_features,
                                 int n_outputs) {
  std::mt19937_64 rng(seed);
  ex::TreeEnsemble e;
  e.n_features = n_features;
  e.n_outputs = n_outputs;
  e.base_values.assign(n_outputs, 0.25);
  for (int t = 0; t < n_trees; ++t) {
    const auto first = static_cast<std::int64_t>(e.nodes.size());
    grow(e, rng, 0, 1 + static_cast<int>(rng() % max_depth), n_features, 100.0, first);
    e.tree_offsets.push_back(static_cast<std::int64_t>(e.nodes.size()));
  }
  e.finalize();
  return e;
}

// E(S) of the path-dependent game, straight from its definition.
double conditional_expectation(const ex::TreeEnsemble& e, std::size_t t, std::int32_t id, const double* x,
                               unsigned mask, int k) {
  const ex::Node* nodes = e.tree(t).data();
  const ex::Node& node = nodes[id];
  if (node.left < 0) return e.leaf_value(t, id)[k];
  if (mask & (1u << node.feature)) {
    return conditional_expectation(
        e, t, ex::goes_left(node, e.category_bits.data(), x[node.feature]) ? node.left : node.right, x, mask, k);
  }
  const double wl = node.cover > 0 ? nodes[node.left].cover / node.cover : 0.5;
  const double wr = node.cover > 0 ? nodes[node.right].cover / node.cover : 0.5;
  return wl * conditional_expectation(e, t, node.left, x, mask, k) +
         wr * conditional_expectation(e, t, node.right, x, mask, k);
}

double game(const ex::TreeEnsemble& e, const double* x, unsigned mask, int k) {
  double total = e.base_values[k];
  for (std::size_t t = 0; t < e.n_trees(); ++t) total += conditional_expectation(e, t, 0, x, mask, k);
  return total;
}

// Shapley values over all coalitions: phi_i = sum_S |S|!(M-|S|-1)!/M! [v(S+i) - v(S)].
std::vector<double> brute_force_shap(const ex::TreeEnsemble& e, const double* x, int k) {
  const int M = e.n_features;
  std::vector<double> factorial(M + 1, 1.0);
  for (int i = 1; i <= M; ++i) factorial[i] = factorial[i - 1] * i;
  std::vector<double> phi(M, 0.0);
  for (unsigned mask = 0; mask < (1u << M); ++mask) {
    const int size = __builtin_popcount(mask);
    const double value = game(e, x, mask, k);
    for (int i = 0; i < M; ++i) {
      if (mask & (1u << i)) {
        phi[i] += factorial[size - 1] * factorial[M - size] / factorial[M] * value;
      } else {
        phi[i] -= factorial[size] * factorial[M - size - 1] / factorial[M] * value;
      }
    }
  }
  return phi;
}

// Shapley interaction index split in half (off-diagonal).
double brute_force_interaction(const ex::TreeEnsemble& e, const double* x, int i, int j, int k) {
  const int M = e.n_features;
  std::vector<double> factorial(M + 1, 1.0);
  for (int a = 1; a <= M; ++a) factorial[a] = factorial[a - 1] * a;
  double total = 0;
  for (unsigned mask = 0; mask < (1u << M); ++mask) {
    if (mask & ((1u << i) | (1u << j))) continue;
    const int s = __builtin_popcount(mask);
    const double delta = game(e, x, mask | (1u << i) | (1u << j), k) - game(e, x, mask | (1u << i), k) -
                         game(e, x, mask | (1u << j), k) + game(e, x, mask, k);
    total += factorial[s] * factorial[M - s - 2] / (2 * factorial[M - 1]) * delta;
  }
  return total;
}

struct Columns {
  std::vector<std::vector<double>> data;
  assay::TableView view;
};

Columns random_rows(std::uint64_t seed, std::size_t n_rows, int n_features) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Columns c;
  c.data.resize(n_features);
  for (auto& column : c.data) {
    for (std::size_t i = 0; i < n_rows; ++i) {
      // Integral values in [0, 40) exercise categorical splits and ties with thresholds.
      const double u = unit(rng);
      column.push_back(u < 0.1 ? std::nan("") : std::floor(unit(rng) * 40));
    }
  }
  std::vector<assay::ColumnView> views;
  views.reserve(n_features);
  for (int j = 0; j < n_features; ++j) views.push_back(assay::ColumnView::numeric("x" + std::to_string(j), c.data[j]));
  c.view = assay::TableView(std::move(views));
  return c;
}

}  // namespace

TEST(ExplainGaussLegendre, IntegratesPolynomialsExactly) {
  std::vector<double> t, w;
  for (int n = 1; n <= 40; ++n) {
    ex::gauss_legendre_unit(n, t, w);
    for (int degree = 0; degree < 2 * n; ++degree) {
      double integral = 0;
      for (int q = 0; q < n; ++q) integral += w[q] * std::pow(t[q], degree);
      EXPECT_NEAR(integral, 1.0 / (degree + 1), 1e-14) << "n=" << n << " degree=" << degree;
    }
  }
}

TEST(ExplainShap, BothAlgorithmsMatchBruteForceShapley) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const int n_features = 2 + static_cast<int>(seed % 6);
    const int n_outputs = 1 + static_cast<int>(seed % 2);
    const auto e = random_ensemble(seed, 3, 1 + static_cast<int>(seed % 8), n_features, n_outputs);
    const auto rows = random_rows(seed + 1000, 6, n_features);
    const std::size_t per_row = static_cast<std::size_t>(n_features) * n_outputs;
    std::vector<double> quadrature(rows.view.n_rows() * per_row), classic(quadrature.size());
    ex::shap_values(e, rows.view, quadrature, {ex::ShapAlgorithm::quadrature, 1});
    ex::shap_values(e, rows.view, classic, {ex::ShapAlgorithm::treeshap, 2});
    const auto expected = ex::expected_value(e);
    for (std::size_t i = 0; i < rows.view.n_rows(); ++i) {
      std::vector<double> x(n_features);
      for (int j = 0; j < n_features; ++j) x[j] = rows.data[j][i];
      for (int k = 0; k < n_outputs; ++k) {
        const auto oracle = brute_force_shap(e, x.data(), k);
        const double full = game(e, x.data(), (1u << n_features) - 1, k);
        EXPECT_NEAR(game(e, x.data(), 0, k), expected[k], 1e-12);
        double total = expected[k];
        for (int j = 0; j < n_features; ++j) {
          const double scale = std::max(1.0, std::fabs(oracle[j]));
          const std::size_t at = i * per_row + static_cast<std::size_t>(j) * n_outputs + k;
          EXPECT_NEAR(quadrature[at], oracle[j], 1e-12 * scale) << "seed " << seed;
          EXPECT_NEAR(classic[at], oracle[j], 1e-12 * scale) << "seed " << seed;
          total += quadrature[at];
        }
        EXPECT_NEAR(total, full, 1e-12 * std::max(1.0, std::fabs(full)));
      }
    }
  }
}

TEST(ExplainShap, InteractionsMatchBruteForce) {
  for (std::uint64_t seed = 50; seed < 70; ++seed) {
    const int n_features = 2 + static_cast<int>(seed % 5);
    const auto e = random_ensemble(seed, 2, 1 + static_cast<int>(seed % 7), n_features, 1);
    const auto rows = random_rows(seed + 7, 4, n_features);
    const std::size_t M = n_features;
    std::vector<double> out(rows.view.n_rows() * M * M), phi(rows.view.n_rows() * M);
    ex::shap_interaction_values(e, rows.view, out, {ex::ShapAlgorithm::quadrature, 2});
    ex::shap_values(e, rows.view, phi, {});
    for (std::size_t r = 0; r < rows.view.n_rows(); ++r) {
      std::vector<double> x(M);
      for (std::size_t j = 0; j < M; ++j) x[j] = rows.data[j][r];
      for (std::size_t i = 0; i < M; ++i) {
        double row_sum = 0;
        for (std::size_t j = 0; j < M; ++j) {
          const double value = out[(r * M + i) * M + j];
          row_sum += value;
          if (i != j) {
            EXPECT_NEAR(value, brute_force_interaction(e, x.data(), i, j, 0), 1e-12) << "seed " << seed;
          }
        }
        EXPECT_NEAR(row_sum, phi[r * M + i], 1e-12);
      }
    }
  }
}

TEST(ExplainShap, IdenticalForAnyThreadCount) {
  const auto e = random_ensemble(99, 20, 8, 6, 2);
  const auto rows = random_rows(5, 300, 6);
  std::vector<double> one(300 * 12), two(300 * 12);
  ex::shap_values(e, rows.view, one, {ex::ShapAlgorithm::quadrature, 1});
  ex::shap_values(e, rows.view, two, {ex::ShapAlgorithm::quadrature, 2});
  EXPECT_EQ(one, two);
}

TEST(ExplainShap, RejectsWrongColumnCount) {
  const auto e = random_ensemble(3, 2, 3, 4, 1);
  const auto rows = random_rows(1, 3, 3);
  std::vector<double> out(3 * 4);
  EXPECT_THROW(ex::shap_values(e, rows.view, out, {}), assay::InvalidArgument);
}

TEST(ExplainLoaders, RejectMalformedXGBoost) {
  for (const char* text : {"", "{", "[1,2", "{\"learner\": 1}", "{\"learner\": {}}", "nul", R"({"a":"\u12"})",
                           "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"0.5\"},"
                           "\"objective\":{\"name\":\"reg:squarederror\"},\"gradient_booster\":{\"name\":\"gbtree\","
                           "\"model\":{\"trees\":[{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],"
                           "\"right_children\":[2,-1,-1],\"split_indices\":[7,0,0],\"split_conditions\":[0.5,1,2],"
                           "\"default_left\":[1,0,0],\"sum_hessian\":[2,1,1]}],\"tree_info\":[0]}}}}"}) {
    EXPECT_THROW(ex::load_xgboost_json(text), assay::InvalidArgument) << text;
  }
  std::string deep(100000, '[');
  EXPECT_THROW(ex::load_xgboost_json(deep), assay::InvalidArgument);
}

TEST(ExplainLoaders, ReadsASmallXGBoostModel) {
  const char* text =
      "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"5E-1\",\"num_class\":\"0\"},"
      "\"objective\":{\"name\":\"binary:logistic\"},\"gradient_booster\":{\"name\":\"gbtree\","
      "\"model\":{\"trees\":[{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],"
      "\"right_children\":[2,-1,-1],\"split_indices\":[1,0,0],\"split_conditions\":[0.5,1,2],"
      "\"default_left\":[1,0,0],\"sum_hessian\":[2,1,1]}],\"tree_info\":[0]}}}}";
  const auto e = ex::load_xgboost_json(text);
  EXPECT_EQ(e.n_features, 2);
  EXPECT_EQ(e.n_trees(), 1u);
  EXPECT_NEAR(e.base_values[0], 0.0, 1e-15);  // logit(0.5)
  EXPECT_NEAR(ex::expected_value(e)[0], 1.5, 1e-15);
}

TEST(ExplainLoaders, RejectMalformedLightGBM) {
  const std::string good =
      "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=1\nobjective=regression\n\n"
      "Tree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=1\nthreshold=0.5\ndecision_type=2\nleft_child=-1\n"
      "right_child=-2\nleaf_value=1 2\nleaf_count=3 5\ninternal_count=8\nis_linear=0\nshrinkage=1\n\nend of trees\n";
  const auto e = ex::load_lightgbm_text(good);
  EXPECT_NEAR(ex::expected_value(e)[0], (3 * 1.0 + 5 * 2.0) / 8, 1e-15);
  // Every truncation and a few corruptions give an error, never a crash.
  for (std::size_t cut = 0; cut + 1 < good.size(); cut += 7) {
    EXPECT_THROW(ex::load_lightgbm_text(good.substr(0, cut)), assay::InvalidArgument) << cut;
  }
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"split_feature=1", "split_feature=9"},
                                                                                 {"left_child=-1", "left_child=-7"},
                                                                                 {"leaf_value=1 2", "leaf_value=1"},
                                                                                 {"decision_type=2", "decision_type=1"},
                                                                                 {"is_linear=0", "is_linear=1"},
                                                                                 {"threshold=0.5", "threshold=x"}}) {
    std::string bad = good;
    bad.replace(bad.find(from), from.size(), to);
    EXPECT_THROW(ex::load_lightgbm_text(bad), assay::InvalidArgument) << to;
  }
}

namespace {

// A small XGBoost model with a categorical root split (JSON).
constexpr std::string_view kSmallXGBoostJson =
    "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"5E-1\"},"
    "\"objective\":{\"name\":\"reg:squarederror\"},\"gradient_booster\":{\"name\":\"gbtree\","
    "\"model\":{\"trees\":[{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],"
    "\"right_children\":[2,-1,-1],\"split_indices\":[1,0,0],\"split_conditions\":[0.5,1,2],"
    "\"default_left\":[1,0,0],\"sum_hessian\":[2,1,1],\"split_type\":[1,0,0],\"categories\":[3,40],"
    "\"categories_nodes\":[0],\"categories_segments\":[0],\"categories_sizes\":[2]}],\"tree_info\":[0]}}}}";

}  // namespace

TEST(ExplainLoaders, MutatedModelsNeverCrash) {
  // Random byte changes to small valid models: each load either succeeds with a valid
  // ensemble (which the explainers then accept) or throws InvalidArgument.
  const std::string xgboost(kSmallXGBoostJson);
  const std::string lightgbm =
      "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=1\nobjective=regression\n\n"
      "Tree=0\nnum_leaves=3\nnum_cat=1\nsplit_feature=1 0\nthreshold=0 0.5\ndecision_type=1 2\nleft_child=-1 -2\n"
      "right_child=1 -3\nleaf_value=1 2 3\nleaf_count=3 5 2\ninternal_count=10 7\ncat_boundaries=0 2\n"
      "cat_threshold=5 1\nis_linear=0\nshrinkage=1\n\nend of trees\n";
  ASSERT_NO_THROW(ex::load_xgboost_json(xgboost));
  ASSERT_NO_THROW(ex::load_lightgbm_text(lightgbm));
  const auto rows = random_rows(3, 4, 2);
  std::vector<double> out(8);
  std::mt19937_64 rng(7);
  int loaded = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const bool json = trial % 2 == 0;
    std::string text = json ? xgboost : lightgbm;
    const char alphabet[] = "0123456789-.,[]{}\":= \nabcE";
    for (int m = 0; m < 1 + trial % 3; ++m) {
      text[rng() % text.size()] =
          trial % 5 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % (sizeof alphabet - 1)];
    }
    try {
      const auto e = json ? ex::load_xgboost_json(text) : ex::load_lightgbm_text(text);
      ++loaded;
      if (e.n_features == 2 && e.n_outputs == 1) ex::shap_values(e, rows.view, out, {ex::ShapAlgorithm::quadrature, 1});
    } catch (const assay::InvalidArgument&) {
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
}

namespace {

// A little UBJSON writer (big-endian, as XGBoost writes: typed arrays with counts).
std::string ubj_int32(std::int64_t v) {
  std::string out = "l";
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
  return out;
}
std::string ubj_key(const std::string& key) { return "U" + std::string(1, static_cast<char>(key.size())) + key; }
std::string ubj_string(const std::string& text) { return "S" + ubj_key(text); }
std::string ubj_object(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "{";
  for (const auto& [key, value] : members) out += ubj_key(key) + value;  // keys: a length, no marker
  return out + "}";
}
std::string ubj_floats(const std::vector<float>& values) {
  std::string out = "[$d#" + ubj_int32(static_cast<std::int64_t>(values.size()));
  for (float v : values) {
    const auto bits = std::bit_cast<std::uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xFF));
  }
  return out;
}
std::string ubj_ints(const std::vector<std::int64_t>& values) {
  std::string out = "[$l#" + ubj_int32(static_cast<std::int64_t>(values.size()));
  for (auto v : values) out += ubj_int32(v).substr(1);
  return out;
}

std::string small_xgboost_ubjson() {
  const std::string tree = ubj_object({{"tree_param", ubj_object({{"num_nodes", ubj_string("3")}})},
                                       {"left_children", ubj_ints({1, -1, -1})},
                                       {"right_children", ubj_ints({2, -1, -1})},
                                       {"split_indices", ubj_ints({1, 0, 0})},
                                       {"split_conditions", ubj_floats({0.5f, 1, 2})},
                                       {"default_left", "[$U#" + ubj_int32(3) + std::string("\x01\x00\x00", 3)},
                                       {"sum_hessian", ubj_floats({2, 1, 1})},
                                       {"split_type", ubj_ints({1, 0, 0})},
                                       {"categories", ubj_ints({3, 40})},
                                       {"categories_nodes", ubj_ints({0})},
                                       {"categories_segments", ubj_ints({0})},
                                       {"categories_sizes", ubj_ints({2})}});
  return ubj_object(
      {{"learner", ubj_object({{"learner_model_param",
                                ubj_object({{"num_feature", ubj_string("2")}, {"base_score", ubj_string("5E-1")}})},
                               {"objective", ubj_object({{"name", ubj_string("reg:squarederror")}})},
                               {"gradient_booster",
                                ubj_object({{"name", ubj_string("gbtree")},
                                            {"model", ubj_object({{"trees", "[" + tree + "]"},
                                                                  {"tree_info", "[" + ubj_int32(0) + "]"}})}})}})}});
}

}  // namespace

TEST(ExplainLoaders, UbjsonGivesTheSameModelAsJson) {
  const auto from_json = ex::load_xgboost_json(kSmallXGBoostJson);
  const std::string ubjson = small_xgboost_ubjson();
  const auto from_ubjson = ex::load_xgboost_ubjson(ubjson);
  const auto rows = random_rows(5, 50, 2);
  std::vector<double> a(100), b(100);
  ex::shap_values(from_json, rows.view, a, {ex::ShapAlgorithm::quadrature, 1});
  ex::shap_values(from_ubjson, rows.view, b, {ex::ShapAlgorithm::quadrature, 1});
  EXPECT_EQ(a, b);
  EXPECT_EQ(ex::expected_value(from_json), ex::expected_value(from_ubjson));
  // Every truncation, huge or negative counts, unknown markers and deep nesting: errors.
  for (std::size_t cut = 0; cut < ubjson.size(); ++cut) {
    EXPECT_THROW(ex::load_xgboost_ubjson(ubjson.substr(0, cut)), assay::InvalidArgument) << cut;
  }
  for (const std::string& bad : {std::string("[$d#") + ubj_int32(1 << 30) + "abcd", std::string("[#") + ubj_int32(-1),
                                 std::string("[$Z#L\x7f\xff\xff\xff\xff\xff\xff\xff", 12), std::string("Q"),
                                 std::string("{Ux"), std::string(100000, '[')}) {
    EXPECT_THROW(ex::load_xgboost_ubjson(bad), assay::InvalidArgument);
  }
  // Random byte changes: an error or a valid ensemble, never a crash.
  std::mt19937_64 rng(11);
  std::vector<double> out(100);
  int loaded = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = ubjson;
    for (int m = 0; m < 1 + trial % 3; ++m) bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    try {
      const auto e = ex::load_xgboost_ubjson(bytes);
      ++loaded;
      if (e.n_features == 2 && e.n_outputs == 1) ex::shap_values(e, rows.view, out, {ex::ShapAlgorithm::quadrature, 1});
    } catch (const assay::InvalidArgument&) {
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
}

TEST(ExplainLoaders, ArraysThatAreNotTreesAreRejected) {
  const std::vector<std::int64_t> left{1, 0, -1}, right{2, 2, -1}, feature{0, 0, -1};
  const std::vector<double> threshold{0, 0, 0}, cover{1, 1, 1}, values{0, 0, 1};
  const std::vector<std::uint8_t> default_left{1, 1, 1};
  ex::ArrayTree tree{left, right, feature, threshold, cover, values, default_left, {}, {}, {}, 0};
  const std::vector<double> base{0.0};
  EXPECT_THROW(ex::from_arrays({tree}, 1, 1, base, {}, "test"), assay::InvalidArgument);  // a cycle
  const std::vector<std::int64_t> far{5, -1, -1};
  tree.left = far;
  EXPECT_THROW(ex::from_arrays({tree}, 1, 1, base, {}, "test"), assay::InvalidArgument);  // out of range
}

namespace {

// Interventional game: v(S) = sum_r w_r f(x_S, r_notS).
double interventional_game(const ex::TreeEnsemble& e, const double* x, const Columns& background,
                           const std::vector<double>& w, unsigned mask, int k) {
  const int M = e.n_features;
  std::vector<double> hybrid(M);
  double total = 0, weight_sum = 0;
  for (std::size_t b = 0; b < background.view.n_rows(); ++b) {
    for (int j = 0; j < M; ++j) hybrid[j] = (mask & (1u << j)) ? x[j] : background.data[j][b];
    total += w[b] * game(e, hybrid.data(), (1u << M) - 1, k);
    weight_sum += w[b];
  }
  return total / weight_sum;
}

}  // namespace

TEST(ExplainInterventional, MatchesBruteForceWithWeights) {
  for (std::uint64_t seed = 200; seed < 215; ++seed) {
    const int M = 2 + static_cast<int>(seed % 5);
    const auto e = random_ensemble(seed, 3, 1 + static_cast<int>(seed % 7), M, 1);
    const auto rows = random_rows(seed + 1, 3, M);
    const auto background = random_rows(seed + 2, 5, M);
    const std::vector<double> w{1.0, 0.5, 2.0, 0.0, 1.5};
    const auto m = static_cast<std::size_t>(M);
    std::vector<double> phi(3 * m), by_patterns(3 * m), interactions(3 * m * m);
    ex::interventional_shap_values(e, rows.view, background.view, w, phi,
                                   {ex::OutputTransform::identity, 2, ex::InterventionalAlgorithm::pairwise});
    ex::interventional_shap_values(e, rows.view, background.view, w, by_patterns,
                                   {ex::OutputTransform::identity, 2, ex::InterventionalAlgorithm::patterns});
    ex::interventional_interaction_values(e, rows.view, background.view, w, interactions,
                                          {ex::OutputTransform::identity, 1, ex::InterventionalAlgorithm::pairwise});
    std::vector<double> interactions_by_patterns(3 * m * m);
    ex::interventional_interaction_values(e, rows.view, background.view, w, interactions_by_patterns,
                                          {ex::OutputTransform::identity, 2, ex::InterventionalAlgorithm::patterns});
    const double expected = ex::interventional_expected_value(e, background.view, w, ex::OutputTransform::identity)[0];
    std::vector<double> factorial(M + 1, 1.0);
    for (int a = 1; a <= M; ++a) factorial[a] = factorial[a - 1] * a;
    for (std::size_t i = 0; i < 3; ++i) {
      std::vector<double> x(M);
      for (int j = 0; j < M; ++j) x[j] = rows.data[j][i];
      EXPECT_NEAR(interventional_game(e, x.data(), background, w, 0, 0), expected, 1e-12);
      for (int f = 0; f < M; ++f) {
        double oracle = 0;
        for (unsigned mask = 0; mask < (1u << M); ++mask) {
          if (mask & (1u << f)) continue;
          const int s = __builtin_popcount(mask);
          oracle += factorial[s] * factorial[M - s - 1] / factorial[M] *
                    (interventional_game(e, x.data(), background, w, mask | (1u << f), 0) -
                     interventional_game(e, x.data(), background, w, mask, 0));
        }
        EXPECT_NEAR(phi[i * M + f], oracle, 1e-12) << "seed " << seed;
        EXPECT_NEAR(by_patterns[i * M + f], oracle, 1e-12) << "seed " << seed;
        for (int g = 0; g < M; ++g) {
          if (g == f) continue;
          double pair = 0;
          for (unsigned mask = 0; mask < (1u << M); ++mask) {
            if (mask & ((1u << f) | (1u << g))) continue;
            const int s = __builtin_popcount(mask);
            const double delta = interventional_game(e, x.data(), background, w, mask | (1u << f) | (1u << g), 0) -
                                 interventional_game(e, x.data(), background, w, mask | (1u << f), 0) -
                                 interventional_game(e, x.data(), background, w, mask | (1u << g), 0) +
                                 interventional_game(e, x.data(), background, w, mask, 0);
            pair += factorial[s] * factorial[M - s - 2] / (2 * factorial[M - 1]) * delta;
          }
          EXPECT_NEAR(interactions[(i * M + f) * M + g], pair, 1e-12) << "seed " << seed;
          EXPECT_NEAR(interactions_by_patterns[(i * M + f) * M + g], pair, 1e-12) << "seed " << seed;
        }
        double row_sum = 0;
        for (int g = 0; g < M; ++g) row_sum += interactions[(i * M + f) * M + g];
        EXPECT_NEAR(row_sum, phi[i * M + f], 1e-12);
        EXPECT_NEAR(interactions_by_patterns[(i * M + f) * M + f], interactions[(i * M + f) * M + f], 1e-12);
      }
    }
  }
}

TEST(ExplainInterventional, PatternsEqualPairwiseAndDoNotDependOnThreads) {
  // Deeper trees, several outputs, weights with zeros, and the automatic choice.
  for (std::uint64_t seed = 400; seed < 406; ++seed) {
    const int M = 6;
    const auto e = random_ensemble(seed, 6, 9, M, 2);
    const auto rows = random_rows(seed + 1, 70, M);
    const auto background = random_rows(seed + 2, 40, M);
    std::vector<double> w(40);
    for (std::size_t b = 0; b < w.size(); ++b) w[b] = (b % 7 == 3) ? 0.0 : 0.5 + static_cast<double>(b % 5);
    const std::size_t size = 70 * M * 2;
    std::vector<double> pairwise(size), patterns(size), patterns_serial(size), automatic(size);
    using A = ex::InterventionalAlgorithm;
    ex::interventional_shap_values(e, rows.view, background.view, w, pairwise,
                                   {ex::OutputTransform::identity, 2, A::pairwise});
    ex::interventional_shap_values(e, rows.view, background.view, w, patterns,
                                   {ex::OutputTransform::identity, 2, A::patterns});
    ex::interventional_shap_values(e, rows.view, background.view, w, patterns_serial,
                                   {ex::OutputTransform::identity, 1, A::patterns});
    ex::interventional_shap_values(e, rows.view, background.view, w, automatic,
                                   {ex::OutputTransform::identity, 3, A::automatic});
    for (std::size_t i = 0; i < size; ++i) {
      EXPECT_NEAR(patterns[i], pairwise[i], 1e-12) << "seed " << seed;
      EXPECT_NEAR(automatic[i], pairwise[i], 1e-12) << "seed " << seed;
      EXPECT_EQ(patterns[i], patterns_serial[i]);
    }
    // Interaction values, on the first 10 rows.
    const auto head = random_rows(seed + 1, 10, M);
    const std::size_t matrix_size = 10 * M * M * 2;
    std::vector<double> by_pairs(matrix_size), by_patterns(matrix_size), by_patterns_serial(matrix_size);
    ex::interventional_interaction_values(e, head.view, background.view, w, by_pairs,
                                          {ex::OutputTransform::identity, 2, A::pairwise});
    ex::interventional_interaction_values(e, head.view, background.view, w, by_patterns,
                                          {ex::OutputTransform::identity, 2, A::patterns});
    ex::interventional_interaction_values(e, head.view, background.view, w, by_patterns_serial,
                                          {ex::OutputTransform::identity, 1, A::patterns});
    for (std::size_t i = 0; i < matrix_size; ++i) {
      EXPECT_NEAR(by_patterns[i], by_pairs[i], 1e-12) << "seed " << seed;
      EXPECT_EQ(by_patterns[i], by_patterns_serial[i]);
    }
  }
}

TEST(ExplainInterventional, LogisticRescalingIsAdditive) {
  const auto e = random_ensemble(31, 5, 4, 4, 1);
  const auto rows = random_rows(1, 10, 4);
  const auto background = random_rows(2, 7, 4);
  std::vector<double> phi(40), margin(10);
  ex::interventional_shap_values(e, rows.view, background.view, {}, phi, {ex::OutputTransform::logistic, 1});
  ex::predict(e, rows.view, margin, 1);
  const double expected = ex::interventional_expected_value(e, background.view, {}, ex::OutputTransform::logistic)[0];
  for (int i = 0; i < 10; ++i) {
    double total = expected;
    for (int j = 0; j < 4; ++j) total += phi[i * 4 + j];
    EXPECT_NEAR(total, 1 / (1 + std::exp(-margin[i])), 1e-12);
  }
}

TEST(ExplainInterventional, LossesAreAdditive) {
  const auto e = random_ensemble(32, 5, 4, 4, 1);
  const auto rows = random_rows(3, 10, 4);
  const auto background = random_rows(4, 7, 4);
  const std::vector<double> w{1, 2, 0.5, 0, 1, 1, 3};
  std::vector<double> phi(40), margin(10), labels(10);
  for (int i = 0; i < 10; ++i) labels[i] = i % 3 == 0 ? 1.0 : 0.0;
  ex::predict(e, rows.view, margin, 1);
  for (const auto transform : {ex::OutputTransform::logistic_log_loss, ex::OutputTransform::squared_loss}) {
    ex::InterventionalOptions options{transform, 2};
    options.labels = labels;
    ex::interventional_shap_values(e, rows.view, background.view, w, phi, options);
    const auto expected = ex::interventional_expected_value(e, background.view, w, transform, labels);
    for (int i = 0; i < 10; ++i) {
      double total = expected[i];
      for (int j = 0; j < 4; ++j) total += phi[i * 4 + j];
      const double m = margin[i], y = labels[i];
      const double loss =
          transform == ex::OutputTransform::squared_loss ? (m - y) * (m - y) : std::log1p(std::exp(m)) - y * m;
      EXPECT_NEAR(total, loss, 1e-12);
    }
    options.labels = std::span<const double>(labels).first(9);
    EXPECT_THROW(ex::interventional_shap_values(e, rows.view, background.view, w, phi, options),
                 assay::InvalidArgument);
  }
}

TEST(ExplainInterventional, RejectsBadWeights) {
  const auto e = random_ensemble(3, 2, 3, 3, 1);
  const auto rows = random_rows(1, 2, 3);
  const auto background = random_rows(2, 3, 3);
  std::vector<double> phi(6);
  for (const auto& w : std::vector<std::vector<double>>{{1, 2}, {0, 0, 0}, {1, -1, 1}, {1, std::nan(""), 1}}) {
    EXPECT_THROW(ex::interventional_shap_values(e, rows.view, background.view, w, phi, {}), assay::InvalidArgument);
  }
}
