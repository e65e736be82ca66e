#pragma once
// Sparse linear regression in Gram form: least-angle regression, the lasso path by LARS
// and the lasso by coordinate descent. KernelSHAP's feature selection (shap's `l1_reg`,
// see agnostic.hpp) runs them on its augmented regression; they are general, though.
//
// Every routine sees the problem min ||y - X b||^2 (plus penalties) only through
// G = X^T X (n_features x n_features, row-major), X^T y and, for the lasso, y^T y, with
// n_samples the number of rows of X (it scales the penalty). No intercept: centre X and
// y first for a model with one. The steps follow scikit-learn's `lars_path` and `Lasso`
// (which shap calls) closely enough that generic problems select the same features.
#include <cstdint>
#include <span>
#include <vector>

namespace assay::explain {

enum class LarsMethod {
  lar,    // least-angle regression: a feature never leaves the active set
  lasso,  // the lasso path: a coefficient that reaches 0 leaves the active set
};

// The piecewise linear path from b = 0, one point per step.
struct LarsPath {
  std::int32_t n_features = 0;
  std::vector<std::int32_t> active;  // the active features at the end, in order of entry
  std::vector<double> alphas;        // per point: max |X_j^T r| over the inactive j, / n_samples
  std::vector<double> coefs;         // points x n_features, row-major; the first row is 0
  std::size_t size() const { return alphas.size(); }
};

// Least-angle regression (Efron, Hastie, Johnstone & Tibshirani 2004, "Least angle
// regression", Ann. Statist. 32(2)): starting from b = 0, the feature most correlated
// with the residual enters; b moves along the direction equiangular to the active
// features until another feature is as correlated, which enters next. With
// LarsMethod::lasso a coefficient crossing zero leaves instead (section 3.1 there),
// which traces the lasso path. At most `max_iter` steps; the path also stops when
// every feature is active or the largest correlation per sample falls to float32's
// epsilon (about 1.2e-7), as scikit-learn's `lars_path` with alpha_min = 0.
// Throws InvalidArgument on mismatched sizes or a negative max_iter.
LarsPath lars_path(std::span<const double> gram, std::span<const double> xy, double n_samples, LarsMethod method,
                   std::int32_t max_iter);

// The lasso min (1 / (2 n_samples)) ||y - X b||^2 + alpha ||b||_1 by cyclic coordinate
// descent (Friedman, Hastie & Tibshirani 2010, "Regularization paths for generalized
// linear models via coordinate descent", J. Stat. Softw. 33(1)) from b = 0, with gap safe
// screening (Fercoq, Gramfort & Salmon 2015, "Mind the duality gap: safer rules for the
// lasso") and scikit-learn's stopping rule:
// after a sweep whose largest coefficient change is at most tol times the largest
// coefficient, stop if the duality gap is at most tol y^T y; at most max_iter sweeps.
// Throws InvalidArgument on mismatched sizes or alpha <= 0.
std::vector<double> lasso_coordinate_descent(std::span<const double> gram, std::span<const double> xy, double yy,
                                             double n_samples, double alpha, double tol = 1e-4,
                                             std::int32_t max_iter = 1000);

}  // namespace assay::explain
