#pragma once
// Models the core evaluates itself, so that the model-agnostic explainers run with no
// call back into the caller's language: tree ensembles (the IR's raw output, the
// margin) and linear models (coef x + intercept, optionally through the logistic
// function). `native_coalition_values` is `fill_masked_rows` + model + `coalition_values`
// of agnostic.hpp fused per block of items, in parallel.
#include <cstdint>
#include <functional>
#include <span>

#include "assay/common/progress.hpp"
#include "assay/explain/agnostic.hpp"
#include "assay/explain/tree_ensemble.hpp"

namespace assay::explain {

// Writes the model's n_outputs outputs for each row of `rows` (n x M row-major) to
// `out` (n x n_outputs). Must be safe to call from several threads at once.
using NativeModel = std::function<void(std::span<const double> rows, std::span<double> out)>;

// The ensemble's raw output: base values plus the leaf values of every tree.
NativeModel tree_ensemble_model(const TreeEnsemble& ensemble);

// coef is n_outputs x M: outputs coef x + intercept.
NativeModel linear_model(std::span<const double> coef, std::span<const double> intercept, std::int32_t n_features);

// v(S) for every row of X and coalition of the design (out: n_rows x n_coalitions x
// n_outputs), as agnostic.hpp's steps 2 and 3 with the model evaluated in the core.
void native_coalition_values(std::span<const double> X, std::span<const double> background,
                             const CoalitionDesign& design, const NativeModel& model, std::int32_t n_outputs,
                             std::span<const double> weights, Link link, std::span<double> out, int n_jobs = 0);

// The same v(S) for a tree ensemble without walking every masked row. The ensemble's
// output is a sum over leaves; a leaf L whose path tests the features U (each possibly
// several times) is reached by the hybrid row (x_S, b_notS) iff x satisfies the path's
// conditions on every feature of S n U and b those on every feature of U \ S. With a_L
// the features of U whose conditions x satisfies,
//     sum_b w_b [b reaches L] = [S n U within a_L] * H_L(U \ S),
// where H_L(Q) is the background weight of the rows satisfying the conditions of every
// feature in Q: a histogram of the rows' satisfied patterns followed by a superset-sum
// (zeta) transform over the 2^|U| subsets, computed once per call. Per explained row a
// tree with no more patterns 2^|F_t| of its features F_t than coalitions is tabulated
// over those patterns (each coalition then reads one entry); the other trees are summed
// leaf by leaf per coalition. Equal to native_coalition_values up to rounding. When a
// leaf tests more than 16 distinct features, the tables would not fit, or the trees have
// more leaves than walking the background costs, it falls back to
// native_coalition_values. Reports progress (rows done) from the calling thread.
void tree_coalition_values(std::span<const double> X, std::span<const double> background, const CoalitionDesign& design,
                           const TreeEnsemble& ensemble, std::span<const double> weights, Link link,
                           std::span<double> out, int n_jobs = 0, const Progress& progress = {});

// The same v(S) for a linear model without masked rows: the background mean of
// coef (x_S, b_notS) + intercept is coef (x_S, mean_notS) + intercept, so each
// coalition costs M operations per output. Throws InvalidArgument on a non-finite output.
void linear_coalition_values(std::span<const double> coef, std::span<const double> intercept, std::span<const double> X,
                             std::span<const double> background, const CoalitionDesign& design,
                             std::span<const double> weights, Link link, std::span<double> out, int n_jobs = 0);

}  // namespace assay::explain
