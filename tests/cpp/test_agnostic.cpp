// Model-agnostic Shapley values: Gray-code designs, the exact sum and KernelSHAP on
// arbitrary set functions, masking and background means.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/explain/agnostic.hpp"
#include "assay/explain/background.hpp"
#include "assay/explain/native_model.hpp"
#include "assay/explain/sparse_regression.hpp"

namespace ex = assay::explain;

namespace {

// Shapley values of a set function given on bitmasks, by the definition.
std::vector<double> definition(const std::vector<double>& v, int M) {
  std::vector<double> phi(M, 0.0);
  std::vector<double> factorial(M + 1, 1.0);
  for (int i = 1; i <= M; ++i) factorial[i] = factorial[i - 1] * i;
  for (int i = 0; i < M; ++i) {
    for (std::uint32_t S = 0; S < (1u << M); ++S) {
      if (S >> i & 1) continue;
      const int s = std::popcount(S);
      phi[i] += factorial[s] * factorial[M - s - 1] / factorial[M] * (v[S | (1u << i)] - v[S]);
    }
  }
  return phi;
}

std::uint32_t bits_of(const ex::CoalitionDesign& d, std::size_t c) {
  std::uint32_t bits = 0;
  for (int j = 0; j < d.n_features; ++j) bits |= std::uint32_t{d.masks[c * d.n_features + j]} << j;
  return bits;
}

}  // namespace

TEST(Agnostic, GrayCodeVisitsEveryCoalitionOnceChangingOneFeature) {
  const auto design = ex::gray_code_coalitions(6);
  ASSERT_EQ(design.size(), 64u);
  std::vector<int> seen(64, 0);
  for (std::size_t c = 0; c < design.size(); ++c) {
    ++seen[bits_of(design, c)];
    if (c > 0) {
      EXPECT_EQ(std::popcount(bits_of(design, c) ^ bits_of(design, c - 1)), 1);
    }
  }
  for (int count : seen) EXPECT_EQ(count, 1);
  EXPECT_THROW(ex::gray_code_coalitions(31), assay::InvalidArgument);
}

TEST(Agnostic, ExactAndFullKernelEqualTheDefinitionOnRandomGames) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  for (int M : {2, 3, 7, 9}) {
    std::vector<double> v(1u << M);
    for (double& value : v) value = normal(rng);
    const auto truth = definition(v, M);
    const auto gray = ex::gray_code_coalitions(M);
    std::vector<double> gray_values(gray.size());
    for (std::size_t c = 0; c < gray.size(); ++c) gray_values[c] = v[bits_of(gray, c)];
    std::vector<double> exact(M);
    ex::exact_shapley_values(gray, gray_values, 1, 1, exact, 2);
    const auto kernel = ex::kernel_coalitions(M, (1 << M) - 2, 0);
    ASSERT_TRUE(kernel.exact);
    std::vector<double> kernel_values(kernel.size());
    for (std::size_t c = 0; c < kernel.size(); ++c) kernel_values[c] = v[bits_of(kernel, c)];
    std::vector<double> phi(M), errors(M);
    const std::vector<double> full{v.back()}, empty{v.front()};
    ex::kernel_shap_values(kernel, kernel_values, full, empty, 1, 1, phi, errors, 2);
    for (int i = 0; i < M; ++i) {
      EXPECT_NEAR(exact[i], truth[i], 1e-12) << "M=" << M << " i=" << i;
      EXPECT_NEAR(phi[i], truth[i], 1e-12) << "M=" << M << " i=" << i;
      EXPECT_EQ(errors[i], 0.0);
    }
  }
}

TEST(Agnostic, SampledKernelIsAdditiveAndThreadInvariant) {
  const int M = 14;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal;
  std::vector<double> weight(M);
  for (double& w : weight) w = normal(rng);
  const auto design = ex::kernel_coalitions(M, 600, 3);
  EXPECT_FALSE(design.exact);
  EXPECT_LE(design.size(), 600u);
  EXPECT_EQ(design.n_groups, 16);
  // An additive game with a pairwise term: v(S) = sum_{i in S} w_i + [0, 1 in S].
  auto game = [&](std::uint32_t S) {
    double value = 0;
    for (int i = 0; i < M; ++i) value += (S >> i & 1) * weight[i];
    return value + ((S & 3u) == 3u ? 1.0 : 0.0);
  };
  std::vector<double> values(design.size());
  for (std::size_t c = 0; c < design.size(); ++c) values[c] = game(bits_of(design, c));
  const std::vector<double> full{game((1u << M) - 1)}, empty{0.0};
  std::vector<double> one(M), one_errors(M), two(M), two_errors(M);
  ex::kernel_shap_values(design, values, full, empty, 1, 1, one, one_errors, 1);
  ex::kernel_shap_values(design, values, full, empty, 1, 1, two, two_errors, 2);
  // A progress callback that asks to stop interrupts the solve.
  const assay::Progress stop([](std::size_t, std::size_t) { return false; });
  EXPECT_THROW(ex::kernel_shap_values(design, values, full, empty, 1, 1, two, two_errors, 2, stop), assay::Interrupted);
  double total = 0;
  for (int i = 0; i < M; ++i) {
    total += one[i];
    EXPECT_EQ(one[i], two[i]);
    EXPECT_EQ(one_errors[i], two_errors[i]);
    EXPECT_NEAR(one[i], weight[i] + (i < 2 ? 0.5 : 0.0), 0.2);
  }
  EXPECT_NEAR(total, full[0], 1e-12);
}

TEST(Agnostic, MaskedRowsAndBackgroundMeans) {
  const std::vector<double> X{1, 2, 3, 4, 5, 6};              // 2 rows x 3 features
  const std::vector<double> background{0, 0, 0, -1, -1, -1};  // 2 rows
  ex::CoalitionDesign design;
  design.n_features = 3;
  design.masks = {1, 0, 1, 0, 1, 0};  // {0, 2} and {1}
  design.weights = {1, 1};
  design.groups = {-1, -1};
  std::vector<double> out(3 * 2 * 3);  // items 1..3 of the 2 x 2 grid
  ex::fill_masked_rows(X, background, 3, design.masks, 1, 4, out, 2);
  const std::vector<double> expected{0, 2, 0, -1, 2,  -1,   // row 0, {1}
                                     4, 0, 6, 4,  -1, 6,    // row 1, {0, 2}
                                     0, 5, 0, -1, 5,  -1};  // row 1, {1}
  EXPECT_EQ(out, expected);
  EXPECT_THROW(ex::fill_masked_rows(X, background, 3, design.masks, 3, 5, out, 1), assay::InvalidArgument);

  const std::vector<double> outputs{0.2, 0.6, 0.5, 0.5};  // 2 items x 2 background rows
  std::vector<double> v(2);
  ex::coalition_values(outputs, 2, 2, 1, std::vector<double>{1.0, 3.0}, ex::Link::logit, v);
  EXPECT_NEAR(v[0], std::log(0.5 / 0.5), 1e-15);
  EXPECT_NEAR(v[1], 0.0, 1e-15);
  ex::coalition_values(outputs, 2, 2, 1, {}, ex::Link::identity, v);
  EXPECT_NEAR(v[0], 0.4, 1e-15);
  const std::vector<double> bad{0.2, NAN, 0.5, 0.5};
  EXPECT_THROW(ex::coalition_values(bad, 2, 2, 1, {}, ex::Link::identity, v), assay::InvalidArgument);
  const std::vector<double> out_of_range{1.0, 1.0, 0.5, 0.5};
  EXPECT_THROW(ex::coalition_values(out_of_range, 2, 2, 1, {}, ex::Link::logit, v), assay::InvalidArgument);
}

TEST(Agnostic, SingularOrTooSmallDesignsAreErrors) {
  EXPECT_THROW(ex::kernel_coalitions(5, 1, 0), assay::InvalidArgument);
  EXPECT_THROW(ex::kernel_coalitions(0, 10, 0), assay::InvalidArgument);
  ex::CoalitionDesign design;
  design.n_features = 4;
  design.masks = {1, 0, 0, 0, 0, 1, 1, 1};
  design.weights = {1, 1};
  design.groups = {-1, -1};
  std::vector<double> values(2), phi(4), errors(4);
  const std::vector<double> full{1.0}, empty{0.0};
  EXPECT_THROW(ex::kernel_shap_values(design, values, full, empty, 1, 1, phi, errors), assay::InvalidArgument);
}

TEST(Agnostic, OneAntitheticPermutationIsExactForPairwiseGames) {
  const int M = 6;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::vector<double> main(M), pair(M * M);
  for (double& a : main) a = normal(rng);
  for (double& b : pair) b = normal(rng);
  auto game = [&](std::uint32_t S) {  // interactions of order <= 2 only
    double value = 0;
    for (int i = 0; i < M; ++i) {
      if (!(S >> i & 1)) continue;
      value += main[i];
      for (int j = i + 1; j < M; ++j) value += (S >> j & 1) * pair[i * M + j];
    }
    return value;
  };
  std::vector<double> v(1u << M);
  for (std::uint32_t S = 0; S < v.size(); ++S) v[S] = game(S);
  const auto truth = definition(v, M);
  const auto permutations = ex::random_permutations(M, 1, 11);
  const auto design = ex::permutation_coalitions(permutations, M);
  ASSERT_EQ(design.size(), 2u * M + 1);
  std::vector<double> values(design.size());
  for (std::size_t c = 0; c < design.size(); ++c) values[c] = v[bits_of(design, c)];
  std::vector<double> phi(M), errors(M);
  ex::permutation_shapley_values(permutations, M, values, 1, 1, phi, errors, 2);
  for (int i = 0; i < M; ++i) {
    EXPECT_NEAR(phi[i], truth[i], 1e-12);
    EXPECT_TRUE(std::isnan(errors[i]));
  }
  const std::vector<std::int32_t> broken{0, 1, 1, 3, 4, 5};
  EXPECT_THROW(ex::permutation_coalitions(broken, M), assay::InvalidArgument);
}

TEST(Agnostic, NativeLinearModelAndClosedForm) {
  const std::int32_t M = 3;
  const std::vector<double> coef{1.0, -2.0, 0.5}, intercept{0.25};
  const std::vector<double> X{1, 2, 3, -1, 0, 4}, background{0, 0, 0, 2, 2, 2};
  const auto model = ex::linear_model(coef, intercept, M);
  const auto design = ex::gray_code_coalitions(M);
  std::vector<double> values(2 * design.size()), walked(2 * design.size());
  ex::linear_coalition_values(coef, intercept, X, background, design, {}, ex::Link::identity, values, 2);
  ex::native_coalition_values(X, background, design, model, 1, {}, ex::Link::identity, walked, 2);
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], walked[i], 1e-12);
  std::vector<double> phi(2 * M), closed(2 * M);
  ex::exact_shapley_values(design, values, 2, 1, phi, 1);
  const std::vector<double> mean{1, 1, 1};
  ex::linear_shap_values(coef, X, mean, M, 1, closed, 2);
  for (int i = 0; i < 2 * M; ++i) EXPECT_NEAR(phi[i], closed[i], 1e-12);
  EXPECT_NEAR(closed[0], 1.0 * (1 - 1), 1e-15);
  EXPECT_NEAR(closed[1], -2.0 * (2 - 1), 1e-15);
}

TEST(Agnostic, KmeansSummaryIsWeightedAndRounded) {
  std::vector<double> data;
  for (int i = 0; i < 40; ++i) {
    data.push_back(i < 20 ? -5.0 + 0.01 * i : 5.0 + 0.01 * i);
    data.push_back(i % 3);
  }
  const auto one = ex::kmeans_summary(data, 2, 2, 7, true, 100, 1);
  const auto two = ex::kmeans_summary(data, 2, 2, 7, true, 100, 2);
  EXPECT_EQ(one.centers, two.centers);
  EXPECT_EQ(one.weights, two.weights);
  EXPECT_NEAR(one.weights[0], 0.5, 1e-12);
  EXPECT_NEAR(one.weights[1], 0.5, 1e-12);
  for (std::size_t c = 0; c < 2; ++c) {
    bool found = false;
    for (std::size_t i = 0; i < 40; ++i) found = found || data[2 * i] == one.centers[2 * c];
    EXPECT_TRUE(found);
  }
  EXPECT_THROW(ex::kmeans_summary(data, 2, 41, 0, true), assay::InvalidArgument);
  std::vector<double> with_nan = data;
  with_nan[3] = NAN;
  EXPECT_THROW(ex::kmeans_summary(with_nan, 2, 2, 0, true), assay::InvalidArgument);
}

TEST(Agnostic, TreeTablesEqualWalkingEveryMaskedRow) {
  // Tree 0 splits on feature 0 then 2; tree 1 is a stump on feature 1.
  const std::vector<std::int64_t> left0{1, -1, 3, -1, -1}, right0{2, -1, 4, -1, -1}, feature0{0, -1, 2, -1, -1};
  const std::vector<double> threshold0{0.0, 0, 0.5, 0, 0}, cover0{4, 2, 2, 1, 1}, values0{0, -1.0, 0, 2.0, 3.5};
  const std::vector<std::uint8_t> default0{1, 1, 1, 1, 1};
  const std::vector<std::int64_t> left1{1, -1, -1}, right1{2, -1, -1}, feature1{1, -1, -1};
  const std::vector<double> threshold1{-0.2, 0, 0}, cover1{2, 1, 1}, values1{0, 0.25, -0.75};
  const std::vector<std::uint8_t> default1{0, 0, 0};
  std::vector<ex::ArrayTree> trees{{left0, right0, feature0, threshold0, cover0, values0, default0, {}, {}, {}, 0},
                                   {left1, right1, feature1, threshold1, cover1, values1, default1, {}, {}, {}, 0}};
  const std::vector<double> base{0.5};
  const auto ensemble = ex::from_arrays(trees, 4, 1, base, {}, "test");
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<double> X(3 * 4), background(5 * 4), weights{1, 2, 0.5, 1, 3};
  for (double& v : X) v = normal(rng);
  for (double& v : background) v = normal(rng);
  X[5] = NAN;  // a missing value takes the default child in both evaluations
  const auto design = ex::gray_code_coalitions(4);
  std::vector<double> tabulated(3 * design.size()), walked(3 * design.size());
  ex::tree_coalition_values(X, background, design, ensemble, weights, ex::Link::identity, tabulated, 2);
  ex::native_coalition_values(X, background, design, ex::tree_ensemble_model(ensemble), 1, weights, ex::Link::identity,
                              walked, 1);
  for (std::size_t i = 0; i < walked.size(); ++i) EXPECT_NEAR(tabulated[i], walked[i], 1e-12) << i;
}

TEST(Agnostic, LeafDecompositionEqualsWalkingEveryMaskedRow) {
  // Random complete trees of depth 4 over 6 features: features repeat along paths, and
  // trees read up to 6 features, so a small design sums leaves per coalition while a
  // large one tabulates trees; two outputs; some missing values.
  constexpr std::int32_t M = 6, kDepth = 4, kNodes = (1 << (kDepth + 1)) - 1, kTrees = 5, K = 2;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<std::vector<std::int64_t>> left(kTrees), right(kTrees), feature(kTrees);
  std::vector<std::vector<double>> threshold(kTrees), cover(kTrees), values(kTrees);
  std::vector<std::vector<std::uint8_t>> default_left(kTrees);
  std::vector<ex::ArrayTree> trees;
  for (std::int32_t t = 0; t < kTrees; ++t) {
    for (std::int32_t node = 0; node < kNodes; ++node) {
      const bool split = node < (1 << kDepth) - 1;
      left[t].push_back(split ? 2 * node + 1 : -1);
      right[t].push_back(split ? 2 * node + 2 : -1);
      feature[t].push_back(split ? static_cast<std::int64_t>(rng() % (t == 0 ? 2 : M)) : -1);
      threshold[t].push_back(0.5 * normal(rng));
      cover[t].push_back(1.0);
      for (std::int32_t k = 0; k < K; ++k) values[t].push_back(split ? 0.0 : normal(rng));
      default_left[t].push_back(static_cast<std::uint8_t>(rng() % 2));
    }
    trees.push_back({left[t], right[t], feature[t], threshold[t], cover[t], values[t], default_left[t], {}, {}, {}, 0});
  }
  const std::vector<double> base{0.5, -1.0};
  const auto ensemble = ex::from_arrays(trees, M, K, base, {}, "test");
  // 40 background rows: more than a tree's 16 leaves, so the leaves pay off over walking.
  std::vector<double> X(4 * M), background(40 * M), weights(40);
  for (double& v : X) v = normal(rng);
  for (double& v : background) v = normal(rng);
  for (double& w : weights) w = 0.25 + (rng() % 8) / 2.0;
  X[3] = NAN;
  background[8] = NAN;
  for (const auto& design :
       {ex::gray_code_coalitions(M), ex::kernel_coalitions(M, 10, 3), ex::kernel_coalitions(M, 40, 3)}) {
    std::vector<double> decomposed(4 * design.size() * K), walked(decomposed.size());
    ex::tree_coalition_values(X, background, design, ensemble, weights, ex::Link::identity, decomposed, 2);
    ex::native_coalition_values(X, background, design, ex::tree_ensemble_model(ensemble), K, weights,
                                ex::Link::identity, walked, 1);
    for (std::size_t i = 0; i < walked.size(); ++i)
      EXPECT_NEAR(decomposed[i], walked[i], 1e-12) << design.size() << " " << i;
  }
}

namespace {

// A regression problem in Gram form: X (n x M, uniform entries with pairwise correlated
// columns when `correlated`) and y = X b + noise, from a portable generator.
struct GramProblem {
  int n, M;
  std::vector<double> X, y, gram, xy;
  double yy = 0.0;
};

GramProblem gram_problem(int n, int M, std::uint64_t seed, bool correlated) {
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return double(rng() >> 11) * 0x1.0p-53 - 0.5; };
  GramProblem p{n,
                M,
                std::vector<double>(static_cast<std::size_t>(n) * M),
                std::vector<double>(n),
                std::vector<double>(static_cast<std::size_t>(M) * M),
                std::vector<double>(M)};
  for (int i = 0; i < n; ++i) {
    const double common = uniform();
    for (int j = 0; j < M; ++j) p.X[i * M + j] = uniform() + (correlated ? 2.0 * common : 0.0);
    for (int j = 0; j < M; ++j) p.y[i] += (j % 3 == 0 ? 1.0 : -0.5 * j / M) * p.X[i * M + j];
    p.y[i] += 0.3 * uniform();
  }
  for (int a = 0; a < M; ++a) {
    for (int i = 0; i < n; ++i) p.xy[a] += p.X[i * M + a] * p.y[i];
    for (int b = 0; b < M; ++b) {
      for (int i = 0; i < n; ++i) p.gram[a * M + b] += p.X[i * M + a] * p.X[i * M + b];
    }
  }
  for (double v : p.y) p.yy += v * v;
  return p;
}

// X^T (y - X b) from the Gram form.
std::vector<double> correlations(const GramProblem& p, const double* b) {
  std::vector<double> c(p.xy);
  for (int a = 0; a < p.M; ++a) {
    for (int j = 0; j < p.M; ++j) c[a] -= p.gram[a * p.M + j] * b[j];
  }
  return c;
}

}  // namespace

TEST(SparseRegression, LeastAngleRegressionIsEquiangularAndEndsAtLeastSquares) {
  const auto p = gram_problem(40, 6, 1, false);
  const auto path = ex::lars_path(p.gram, p.xy, p.n, ex::LarsMethod::lar, 100);
  ASSERT_EQ(path.active.size(), 6u);
  ASSERT_EQ(path.size(), 7u);  // one step per feature, then the step to the least squares fit
  for (std::size_t point = 1; point < path.size(); ++point) {
    const auto c = correlations(p, path.coefs.data() + point * p.M);
    const double C = path.alphas[point] * p.n;
    EXPECT_LT(path.alphas[point], path.alphas[point - 1]);
    // The features active before this point's step tie at the largest correlation C
    // (Efron et al. 2004); the others lie below it.
    for (std::size_t a = 0; a < path.active.size(); ++a) {
      const double correlation = std::abs(c[path.active[a]]);
      if (a < point) {
        EXPECT_NEAR(correlation, point + 1 < path.size() ? C : 0.0, 1e-10 * path.alphas[0] * p.n) << point;
      } else {
        EXPECT_LE(correlation, C * (1 + 1e-12));
      }
    }
  }
  for (double c : correlations(p, path.coefs.data() + 6 * std::ptrdiff_t{p.M}))
    EXPECT_NEAR(c, 0.0, 1e-10);  // least squares
  const auto three = ex::lars_path(p.gram, p.xy, p.n, ex::LarsMethod::lar, 3);
  EXPECT_EQ(std::vector<std::int32_t>(path.active.begin(), path.active.begin() + 3), three.active);
  EXPECT_THROW(ex::lars_path(p.gram, std::vector<double>(5), p.n, ex::LarsMethod::lar, 3), assay::InvalidArgument);
}

TEST(SparseRegression, LassoPathByLarsMeetsTheOptimalityConditionsAndCoordinateDescent) {
  int paths_with_drops = 0;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const auto p = gram_problem(30, 8, seed, true);
    const auto path = ex::lars_path(p.gram, p.xy, p.n, ex::LarsMethod::lasso, 500);
    int previous_non_zero = 0;
    for (std::size_t point = 1; point < path.size(); ++point) {
      const double* b = path.coefs.data() + point * p.M;
      const auto c = correlations(p, b);
      const double penalty = path.alphas[point] * p.n;
      // Lasso optimality at penalty n alpha: X_j^T r = penalty sign(b_j) where b_j != 0, |X_j^T r| <= penalty
      // elsewhere.
      int non_zero = 0;
      for (int j = 0; j < p.M; ++j) {
        if (b[j] != 0.0) {
          ++non_zero;
          EXPECT_NEAR(c[j], b[j] > 0 ? penalty : -penalty, 1e-9) << seed << " " << point;
        } else {
          EXPECT_LE(std::abs(c[j]), penalty + 1e-9);
        }
      }
      paths_with_drops += non_zero < previous_non_zero;
      previous_non_zero = non_zero;
    }
    // Between two points the path is linear in alpha; coordinate descent at that alpha agrees.
    const std::size_t point = path.size() / 2;
    const double alpha = 0.5 * (path.alphas[point] + path.alphas[point + 1]);
    const auto lasso = ex::lasso_coordinate_descent(p.gram, p.xy, p.yy, p.n, alpha, 1e-14, 100000);
    for (int j = 0; j < p.M; ++j) {
      const double interpolated = 0.5 * (path.coefs[point * p.M + j] + path.coefs[(point + 1) * p.M + j]);
      EXPECT_NEAR(lasso[j], interpolated, 1e-7) << seed << " " << j;
    }
  }
  EXPECT_GT(paths_with_drops, 0);  // the correlated problems exercise features leaving the path
  const auto p = gram_problem(30, 8, 0, true);
  EXPECT_THROW(ex::lasso_coordinate_descent(p.gram, p.xy, p.yy, p.n, 0.0), assay::InvalidArgument);
  // A penalty above max |X^T y| / n: every coefficient is 0.
  double largest = 0;
  for (double v : p.xy) largest = std::max(largest, std::abs(v));
  for (double b : ex::lasso_coordinate_descent(p.gram, p.xy, p.yy, p.n, 1.01 * largest / p.n)) EXPECT_EQ(b, 0.0);
}

TEST(Agnostic, FeatureSelectionKeepsAtMostKFeaturesAndEfficiency) {
  const int M = 10;
  const auto design = ex::kernel_coalitions(M, 300, 2);
  // Three games (rows): additive with pairwise terms, at different scales.
  std::mt19937_64 rng(4);
  std::normal_distribution<double> normal;
  std::vector<double> weight(3 * M);
  for (double& w : weight) w = normal(rng);
  auto game = [&](int row, std::uint32_t S) {
    double value = (S & 3u) == 3u ? 0.7 : 0.0;
    for (int i = 0; i < M; ++i) value += (S >> i & 1) * weight[row * M + i];
    return value * (row + 1);
  };
  const std::int64_t C = static_cast<std::int64_t>(design.size());
  std::vector<double> values(3 * C), full(3), empty{0.0};
  for (int row = 0; row < 3; ++row) {
    for (std::int64_t c = 0; c < C; ++c) values[row * C + c] = game(row, bits_of(design, c));
    full[row] = game(row, (1u << M) - 1);
  }
  for (const ex::L1Regularization l1 :
       {ex::L1Regularization{ex::Selection::num_features, 4, 0.0}, ex::L1Regularization{ex::Selection::aic, 0, 0.0},
        ex::L1Regularization{ex::Selection::lasso, 0, 1e-3}}) {
    std::vector<double> one(3 * M), one_errors(3 * M), two(3 * M), two_errors(3 * M);
    ex::kernel_shap_values(design, values, full, empty, 3, 1, one, one_errors, 1, {}, l1);
    ex::kernel_shap_values(design, values, full, empty, 3, 1, two, two_errors, 2, {}, l1);
    EXPECT_EQ(one, two);
    EXPECT_EQ(one_errors, two_errors);
    for (int row = 0; row < 3; ++row) {
      double total = 0;
      int selected = 0;
      for (int i = 0; i < M; ++i) {
        total += one[row * M + i];
        selected += one[row * M + i] != 0.0;
        if (one[row * M + i] == 0.0)
          EXPECT_EQ(one_errors[row * M + i], 0.0);
        else
          EXPECT_GT(one_errors[row * M + i], 0.0);
      }
      if (l1.selection == ex::Selection::num_features) {
        EXPECT_EQ(selected, 4);
      }
      EXPECT_GT(selected, 0);
      EXPECT_NEAR(total, full[row], 1e-12);
    }
  }
  // An additive game on three features, all coalitions: four LARS steps find those three
  // (the fourth step ends at their exact fit) and their exact values.
  const auto exact = ex::kernel_coalitions(M, (1 << M) - 2, 0);
  std::vector<double> sparse_values(exact.size()), phi(M), errors(M);
  const std::vector<double> contribution{0, 1.5, 0, 0, -2.0, 0, 0, 0.5, 0, 0};
  for (std::size_t c = 0; c < exact.size(); ++c) {
    for (int i = 0; i < M; ++i) sparse_values[c] += (bits_of(exact, c) >> i & 1) * contribution[i];
  }
  ex::kernel_shap_values(exact, sparse_values, std::vector<double>{0.0}, empty, 1, 1, phi, errors, 1, {},
                         {ex::Selection::num_features, 4, 0.0});
  for (int i = 0; i < M; ++i) EXPECT_NEAR(phi[i], contribution[i], 1e-12) << i;
}

TEST(Agnostic, FeatureSelectionSettingsAreChecked) {
  const auto design = ex::kernel_coalitions(4, 14, 0);
  std::vector<double> values(design.size()), phi(4), errors(4);
  const std::vector<double> full{1.0}, empty{0.0};
  auto solve = [&](const ex::CoalitionDesign& d, ex::L1Regularization l1) {
    ex::kernel_shap_values(d, values, full, empty, 1, 1, phi, errors, 1, {}, l1);
  };
  EXPECT_THROW(solve(design, {ex::Selection::num_features, 0, 0.0}), assay::InvalidArgument);
  EXPECT_THROW(solve(design, {ex::Selection::lasso, 0, -1.0}), assay::InvalidArgument);
  EXPECT_THROW(solve(design, {ex::Selection::lasso, 0, NAN}), assay::InvalidArgument);
  solve(design, {ex::Selection::aic, 0, 0.0});  // 28 augmented rows > 5
  ex::CoalitionDesign two;                      // 4 augmented rows: too few for the noise variance of 4 features
  two.n_features = 4;
  two.masks = {1, 0, 0, 0, 0, 1, 1, 1};
  two.weights = {1, 1};
  two.groups = {-1, -1};
  values.assign(2, 0.5);
  EXPECT_THROW(solve(two, {ex::Selection::bic, 0, 0.0}), assay::InvalidArgument);
}

// Per-background designs: one block of coalitions per background row, rows written from
// that row only, and with every coalition the mean of the rows' exact values.
TEST(Agnostic, PerBackgroundDesignsWriteOneRowPerItemAndAverageTheGames) {
  const std::int32_t M = 3, B = 2;
  const ex::CoalitionDesign design = ex::kernel_coalitions_per_background(M, 6, 1, B);
  ASSERT_TRUE(design.per_background() && design.exact);
  ASSERT_EQ(design.size(), 12u);  // 2^3 - 2 coalitions for each background row
  for (std::size_t c = 0; c < design.size(); ++c) EXPECT_EQ(design.background_of[c], c < 6 ? 0 : 1);
  const std::vector<double> x = {1, 2, 3}, background = {10, 20, 30, 40, 50, 60};
  std::vector<double> rows(design.size() * M);
  ex::fill_masked_rows_per_background(x, background, design, 0, static_cast<std::int64_t>(design.size()), rows);
  for (std::size_t c = 0; c < design.size(); ++c) {
    for (std::int32_t j = 0; j < M; ++j) {
      const double expected = design.masks[c * M + j] ? x[j] : background[design.background_of[c] * M + j];
      EXPECT_EQ(rows[c * M + j], expected);
    }
  }
  // f(z) = z0 * z1 + z2: its per-row games are solved exactly and averaged with the weights.
  auto f = [](const double* z) { return z[0] * z[1] + z[2]; };
  std::vector<double> values(design.size()), background_outputs(B);
  for (std::size_t c = 0; c < design.size(); ++c) values[c] = f(rows.data() + c * M);
  for (std::int32_t b = 0; b < B; ++b) background_outputs[b] = f(background.data() + std::ptrdiff_t{b} * M);
  const std::vector<double> full = {f(x.data())}, weights = {1.0, 3.0};
  std::vector<double> out(M), errors(M);
  ex::kernel_shap_values_per_background(design, values, full, background_outputs, weights, 1, 1, out, errors);
  // Exact values of each game: phi_0 = (x0 - b0)(x1 + b1) / 2, phi_1 = (x1 - b1)(x0 + b0) / 2,
  // phi_2 = x2 - b2.
  std::vector<double> expected(M, 0.0);
  for (std::int32_t b = 0; b < B; ++b) {
    const double* row = background.data() + std::ptrdiff_t{b} * M;
    const double share = weights[b] / 4.0;
    expected[0] += share * (x[0] - row[0]) * (x[1] + row[1]) / 2;
    expected[1] += share * (x[1] - row[1]) * (x[0] + row[0]) / 2;
    expected[2] += share * (x[2] - row[2]);
  }
  for (std::int32_t j = 0; j < M; ++j) {
    EXPECT_NEAR(out[j], expected[j], 1e-9);
    EXPECT_EQ(errors[j], 0.0);
  }
  values[3] = std::nan("");
  EXPECT_THROW(
      ex::kernel_shap_values_per_background(design, values, full, background_outputs, weights, 1, 1, out, errors),
      assay::InvalidArgument);
  values[3] = 1.0;
  const std::vector<double> one_background_output = {background_outputs[0]};
  EXPECT_THROW(
      ex::kernel_shap_values_per_background(design, values, full, one_background_output, {}, 1, 1, out, errors),
      assay::InvalidArgument);
  const ex::CoalitionDesign shared = ex::kernel_coalitions(M, 6, 1);
  EXPECT_THROW(ex::fill_masked_rows_per_background(x, background, shared, 0, 1, rows), assay::InvalidArgument);
}
