#pragma once
// Model-agnostic Shapley values: the pieces of KernelSHAP and of the exact explainer
// that do not need the model itself.
//
// The game explained (interventional / marginal, Lundberg & Lee 2017; Janzing et al.
// 2020): for a row x, background rows b with weights w_b (normalised to sum 1) and a
// link g (identity or logit),
//     v(S) = g( sum_b w_b f(x_S, b_notS) ),
// the model evaluated with the features in S taken from x and the others from b.
//
// A caller (the Python layer, or a C++ program with its own model) works in four steps:
//   1. a coalition design: `gray_code_coalitions` (all 2^M masks, for exact values) or
//      `kernel_coalitions` (KernelSHAP's enumeration/paired sampling with kernel weights);
//   2. `fill_masked_rows` writes the hybrid rows (x_S, b_notS) of a range of
//      (row, coalition) items, which the caller passes to its model in one batch;
//   3. `coalition_values` turns the model's outputs into v(S) (weighted background mean,
//      then the link);
//   4. `exact_shapley_values` or `kernel_shap_values` turn v(S) into attributions.
// Masks are row-major uint8 matrices (coalitions x features), 1 = feature from x.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/common/progress.hpp"

namespace assay::explain {

enum class Link { identity, logit };

// A set of coalitions with their regression weights.
struct CoalitionDesign {
  std::int32_t n_features = 0;
  std::vector<std::uint8_t> masks;  // n_coalitions x n_features
  std::vector<double> weights;      // one per coalition (KernelSHAP regression weights)
  // Jackknife group of each sampled coalition (a coalition and its complement share
  // one), -1 for coalitions enumerated deterministically. Standard errors come from
  // leaving out one group at a time.
  std::vector<std::int32_t> groups;
  std::int32_t n_groups = 0;
  bool exact = false;  // every coalition except the empty and full ones is present
  // Empty: every coalition is evaluated on every background row. Otherwise (a design
  // from kernel_coalitions_per_background) the background row each coalition is
  // evaluated on alone; each row's coalitions are contiguous and form its own design.
  std::vector<std::int32_t> background_of;

  std::size_t size() const { return weights.size(); }
  bool per_background() const { return !background_of.empty(); }
};

// All 2^M coalitions in Gray-code order (consecutive masks differ in one feature),
// starting with the empty set. Weights are unused (left empty). M <= 30.
CoalitionDesign gray_code_coalitions(std::int32_t n_features);

// KernelSHAP's design for M features and a budget of `budget` coalitions (excluding
// the empty and full sets, which enter as the efficiency constraint). When all 2^M - 2
// coalitions fit, they are all enumerated with the Shapley kernel weights
//     pi(S) = (M - 1) / (C(M, |S|) |S| (M - |S|))
// and the solution is exact. Otherwise, as shap's KernelExplainer: the subset sizes
// whose coalitions (and their complements) all fit are enumerated from both ends
// (sizes 1 and M-1 first); the other sizes are sampled, a size with probability
// proportional to its kernel mass and then a uniform subset of that size, always
// together with its complement (paired sampling, Covert & Lee 2021), until the budget
// holds that many distinct coalitions. Each sampled coalition is weighted by its
// kernel weight over the probability that its pair was drawn at least once in the
// draws made (the "c-kernel" of Olsen & Jullum 2024, "Improving the sampling strategy
// in KernelSHAP"), not by its number of draws; the sampled weights are then scaled to
// the kernel mass of the sampled sizes. Random numbers come from CounterRng(seed,
// block) over fixed blocks of draws. `budget` >= 2 (or M = 1).
//
// With Sampling::leverage, the sampled sizes are drawn uniformly instead (every size
// equally likely, i.e. coalitions with probability proportional to their leverage
// score 1 / C(M, |S|); Musco & Witter 2025, "Provably accurate Shapley value
// estimation via leverage score sampling"); the weights follow the same rule with
// these sampling probabilities.
enum class Sampling { kernel, leverage };

//
// Throws ResourceLimit when the design cannot fit in physical memory or its draw count
// overflows int64, before drawing. Reports (coalitions so far, budget) to `progress` every
// 2^16 coalitions added, from the calling thread, so that a caller can interrupt it.
CoalitionDesign kernel_coalitions(std::int32_t n_features, std::int64_t budget, std::uint64_t seed,
                                  std::int32_t n_groups = 16, Sampling sampling = Sampling::kernel,
                                  const Progress& progress = {});

// One independent KernelSHAP design per background row b = 0..n_background-1, each from
// kernel_coalitions with its own seed (derived from `seed` and b), concatenated. With
// the identity link, v(S) is the mean over background rows of the games
// v_b(S) = f(x_S, b_notS), so the Shapley values are the mean of the games' values; each
// game is estimated from its own coalitions, evaluated on its background row only. The
// model is called as often as for one shared design (budget x n_background), but the
// sampling errors of the games are independent and average out.
CoalitionDesign kernel_coalitions_per_background(std::int32_t n_features, std::int64_t budget, std::uint64_t seed,
                                                 std::int32_t n_background, std::int32_t n_groups = 16,
                                                 Sampling sampling = Sampling::kernel, const Progress& progress = {});

// The hybrid row of each item [item_begin, item_end) of the (row, coalition) grid of a
// per-background design: x on the coalition's features, its background row elsewhere
// (one row per item).
void fill_masked_rows_per_background(std::span<const double> X, std::span<const double> background,
                                     const CoalitionDesign& design, std::int64_t item_begin, std::int64_t item_end,
                                     std::span<double> out);

// Writes the hybrid rows for items [item_begin, item_end) of the (row, coalition) grid,
// item = row * n_coalitions + coalition: for each item, `n_background` rows equal to
// the background with the coalition's features replaced by the row's values. X is
// n_rows x M and background n_background x M, row-major; `out` holds
// (item_end - item_begin) * n_background * M values.
void fill_masked_rows(std::span<const double> X, std::span<const double> background, std::int32_t n_features,
                      std::span<const std::uint8_t> masks, std::int64_t item_begin, std::int64_t item_end,
                      std::span<double> out, int n_jobs = 0);

// v for n_items items from the model's outputs on their hybrid rows: outputs is
// (n_items * n_background) x n_outputs row-major; `weights` is empty (uniform) or one
// non-negative weight per background row. out[item * n_outputs + k] = g(sum_b w_b f).
// Throws InvalidArgument when an output is not finite, or when a mean lies outside
// (0, 1) with the logit link.
void coalition_values(std::span<const double> outputs, std::int64_t n_items, std::int32_t n_background,
                      std::int32_t n_outputs, std::span<const double> weights, Link link, std::span<double> out);

// g(mean) for the link; throws InvalidArgument when the logit link gets a mean outside (0, 1).
double apply_link(double mean, Link link);

// Exact Shapley values from v over all 2^M coalitions in the order of
// gray_code_coalitions: values is n_rows x 2^M x n_outputs; out is
// n_rows x M x n_outputs. phi_i = sum_S c(|S|) (v(S+i) - v(S)), accumulated mask by mask
// as phi_i += c(|S|-1) v(S) for i in S, phi_i -= c(|S|) v(S) for i not in S, with
// c(s) = s! (M-s-1)! / M!.
void exact_shapley_values(const CoalitionDesign& design, std::span<const double> values, std::int64_t n_rows,
                          std::int32_t n_outputs, std::span<double> out, int n_jobs = 0);

// Optional feature selection before the KernelSHAP regression, as shap's `l1_reg`
// (shap 0.51, `KernelExplainer.solve`). For each row and output it runs on shap's
// augmented problem: every coalition S (size s, weight w_S, indicator z_S) gives two rows,
//     sqrt(w_S (M - s)) z_S        with target sqrt(w_S (M - s)) y_S and
//     sqrt(w_S s) (z_S - 1)        with target sqrt(w_S s) (y_S - delta),
// where y_S = v(S) - v0 and delta = v(N) - v0 (2C rows for C coalitions). Then
//   num_features: least-angle regression (sparse_regression.hpp) for at most
//                 `num_features` steps, no intercept (scikit-learn's `lars_path(max_iter=k)`);
//                 the features active at its end are selected;
//   aic, bic:     the lasso path by LARS with an intercept on the columns scaled to unit
//                 standard deviation; the point of the path minimising
//                 n log(2 pi sigma^2) + RSS / sigma^2 + c df (c = 2 for AIC, log n for BIC;
//                 df = the number of non-zero coefficients, the lasso's degrees of freedom by
//                 Zou, Hastie & Tibshirani 2007; sigma^2 = the residual variance of the
//                 ordinary least squares fit, n - M - 1 degrees of freedom) gives the
//                 selection (scikit-learn's `LassoLarsIC` after `StandardScaler(with_mean=False)`);
//                 needs 2C > M + 1;
//   lasso:        the lasso with an intercept and penalty `alpha` by coordinate descent
//                 (scikit-learn's `Lasso(alpha)`, tolerance 1e-4); its non-zero
//                 coefficients give the selection.
// The regression below then runs on the selected features only (the others get exactly
// 0; none selected gives all 0, as shap). Standard errors are the jackknife with the
// selection held fixed: 0 for the unselected features.
enum class Selection { none, num_features, aic, bic, lasso };

struct L1Regularization {
  Selection selection = Selection::none;
  std::int32_t num_features = 0;  // Selection::num_features: at most this many features (>= 1)
  double alpha = 0.0;             // Selection::lasso: the penalty (> 0)
};

// KernelSHAP: for each row and output, the weighted least squares
//     min sum_S w_S (v(S) - v0 - sum_{i in S} phi_i)^2  subject to  sum_i phi_i = v(N) - v0,
// solved by eliminating the last feature (as shap does): phi_{M-1} = delta - sum of the
// others. values is n_rows x n_coalitions x n_outputs (v of the design's coalitions),
// full is n_rows x n_outputs (v(N)), empty is n_outputs (v0). out and standard_errors
// are n_rows x M x n_outputs. Standard errors are the delete-one-group jackknife over
// the design's groups (0 for an exact design; NaN when leaving a group out makes the
// equations singular). Throws InvalidArgument when the design
// does not determine the values (singular normal equations: budget too small).
// Reports progress (rows solved) from the calling thread, so a caller can interrupt it.
// `l1_reg` selects features first (see L1Regularization); InvalidArgument names `l1_reg`
// when its settings are invalid or the design is too small for them.
void kernel_shap_values(const CoalitionDesign& design, std::span<const double> values, std::span<const double> full,
                        std::span<const double> empty, std::int64_t n_rows, std::int32_t n_outputs,
                        std::span<double> out, std::span<double> standard_errors, int n_jobs = 0,
                        const Progress& progress = {}, const L1Regularization& l1_reg = {});

// KernelSHAP over a per-background design: values is n_rows x n_coalitions x n_outputs
// (the model's output on each item's single hybrid row, identity link), full is
// n_rows x n_outputs (f(x)), background_outputs n_background x n_outputs (f(b) =
// v_b(empty)), weights the background weights (empty: equal). Each background row's
// game is solved by kernel_shap_values on its coalitions; the values are the weighted
// mean over background rows, the standard errors sqrt(sum w_b^2 se_b^2) / sum w_b.
// Throws InvalidArgument on a non-finite model output.
void kernel_shap_values_per_background(const CoalitionDesign& design, std::span<const double> values,
                                       std::span<const double> full, std::span<const double> background_outputs,
                                       std::span<const double> weights, std::int64_t n_rows, std::int32_t n_outputs,
                                       std::span<double> out, std::span<double> standard_errors, int n_jobs = 0);

// n_permutations random permutations of 0..M-1 (row-major, n_permutations x M); the
// k-th is a uniform shuffle drawn from CounterRng(seed, k).
std::vector<std::int32_t> random_permutations(std::int32_t n_features, std::int64_t n_permutations, std::uint64_t seed);

// The coalitions an antithetic permutation estimator evaluates (as shap's
// PermutationExplainer): per permutation pi, 2M + 1 masks: the empty set, then the
// features of pi switched on one by one up to the full set, then switched off in the
// same order back to the empty set. Throws InvalidArgument unless every row of
// `permutations` is a permutation of 0..M-1.
CoalitionDesign permutation_coalitions(std::span<const std::int32_t> permutations, std::int32_t n_features);

// Shapley values from v over a permutation design (values: n_rows x K(2M+1) x n_outputs):
// each permutation adds v(pi(1..j)) - v(pi(1..j-1)) (forward) and
// v(N - pi(1..j-1)) - v(N - pi(1..j)) (backward, the reversed permutation) to
// feature pi(j); the estimate is the mean over the 2K passes. Both passes telescope, so
// the values add up to v(N) - v(empty) exactly. Standard errors: the standard deviation
// of the K per-permutation estimates over sqrt(K) (NaN for K = 1).
void permutation_shapley_values(std::span<const std::int32_t> permutations, std::int32_t n_features,
                                std::span<const double> values, std::int64_t n_rows, std::int32_t n_outputs,
                                std::span<double> out, std::span<double> standard_errors, int n_jobs = 0);

// Interventional SHAP values of a linear model f(x) = coef x + intercept with
// independent features (Lundberg & Lee 2017): phi_i = coef_i (x_i - mean_i). coef is
// n_outputs x M, X n_rows x M, mean M (the weighted background mean); out
// n_rows x M x n_outputs. Missing (NaN) entries of X give NaN values.
void linear_shap_values(std::span<const double> coef, std::span<const double> X, std::span<const double> mean,
                        std::int32_t n_features, std::int32_t n_outputs, std::span<double> out, int n_jobs = 0);

}  // namespace assay::explain
