#pragma once
// Path-dependent SHAP values and interaction values of tree ensembles.
//
// The game explained (Lundberg, Erion & Lee 2018, "Consistent individualized feature
// attribution for tree ensembles"): for a row x and a coalition S of features,
// E(S) walks each tree from its root; at a split on a feature in S it follows x, at a
// split on a feature outside S it averages both children weighted by their covers,
// cover(child) / cover(node) (1/2 each when the node's cover is 0). The SHAP values
// are the Shapley values of S -> sum over trees of E(S), in the model's raw output.
//
// Two exact algorithms compute them:
//  * quadrature (default): each leaf's game is a product over the path's features of
//    (o_j if j in S else z_j), whose Shapley value is (o_i - z_i) times the integral
//    over t in [0, 1] of prod_{j != i} (t o_j + (1 - t) z_j) (the Beta-function form of
//    the Shapley weights, as in Quadrature-TreeSHAP, Wettenstein, Mitchell & Yu 2026).
//    The integrand is a polynomial of degree < depth, integrated exactly by a
//    Gauss-Legendre rule of ceil(depth / 2) points in float64; sums over leaves are
//    accumulated bottom-up, so a tree costs O(nodes x points) per row.
//  * treeshap: the classic TreeSHAP recursion (Algorithm 2 of the paper above), kept as
//    an independent reference.
// And one approximation (not Shapley values; shap's `approximate=True`, XGBoost's
// `approx_contribs`):
//  * saabas: Saabas's path attribution ("Interpreting random forests", 2014): along the
//    row's path each split credits its feature with E[child] - E[node], E the subtree's
//    cover-weighted mean leaf. Additive like the SHAP values, in O(depth) per tree.
#include <cstddef>
#include <span>
#include <vector>

#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/explain/tree_ensemble.hpp"

namespace assay::explain {

enum class ShapAlgorithm { quadrature, treeshap, saabas };

struct ShapOptions {
  ShapAlgorithm algorithm = ShapAlgorithm::quadrature;
  int n_jobs = 0;  // <= 0: all cores
};

// E(empty coalition) per output: base values plus each tree's cover-weighted mean leaf.
std::vector<double> expected_value(const TreeEnsemble& ensemble);

// SHAP values of every row of X (one column per model feature; categorical columns
// give their codes, -1 as missing). `out` has n_rows * n_features * n_outputs entries,
// laid out (row, feature, output).
void shap_values(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out, const ShapOptions& options,
                 const Progress& progress = {});

// SHAP interaction values (the Shapley interaction index split in half between (i, j)
// and (j, i); the diagonal holds the main effects phi_i - sum_{j != i} Phi_ij).
// `out` has n_rows * n_features * n_features * n_outputs entries, laid out
// (row, feature i, feature j, output).
void shap_interaction_values(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out,
                             const ShapOptions& options, const Progress& progress = {});

// Raw predictions of the rows of X (n_rows * n_outputs), by the same routing.
void predict(const TreeEnsemble& ensemble, const TableView& X, std::span<double> out, int n_jobs);

// Gauss-Legendre nodes and weights on [0, 1] (exact for polynomials of degree < 2n).
void gauss_legendre_unit(int n, std::vector<double>& nodes, std::vector<double>& weights);

}  // namespace assay::explain
