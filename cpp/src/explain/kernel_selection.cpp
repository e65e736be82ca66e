// KernelSHAP with shap's L1 feature selection (`l1_reg`, see agnostic.hpp): for each row
// and output, select features on shap's augmented regression, then solve the constrained
// weighted least squares on the selected features, with the jackknife over groups of
// coalitions for the standard errors (selection held fixed).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/explain/sparse_regression.hpp"
#include "kernel_solver.hpp"

namespace assay::explain::detail {

namespace {

// scikit-learn's LassoLarsIC: at most this many LARS steps.
constexpr std::int32_t kInformationCriterionSteps = 500;

std::string_view method_name(Selection selection) {
  switch (selection) {
    case Selection::num_features:
      return "num_features";
    case Selection::aic:
      return "aic";
    case Selection::bic:
      return "bic";
    case Selection::lasso:
      return "a Lasso alpha";
    case Selection::none:
      break;
  }
  return "none";
}

// shap's augmented regression (agnostic.hpp), the part shared by every row and output:
// the design matrix, centred for the methods with an intercept and scaled to unit
// column standard deviations for the information criteria.
struct AugmentedProblem {
  std::int64_t n_samples = 0;                      // 2C
  Eigen::VectorXd top, bottom;                     // per coalition: sqrt(w (M - s)) and sqrt(w s)
  Eigen::MatrixXd X;                               // 2C x M
  Matrix gram;                                     // X^T X
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr;  // of X, for the information criteria's residuals
};

AugmentedProblem augmented_problem(const Matrix& Z, const Eigen::VectorXd& weights, Selection selection) {
  const Eigen::Index C = Z.rows(), M = Z.cols();
  AugmentedProblem problem;
  problem.n_samples = 2 * C;
  problem.top.resize(C);
  problem.bottom.resize(C);
  problem.X.resize(2 * C, M);
  for (Eigen::Index c = 0; c < C; ++c) {
    const double size = Z.row(c).sum();
    problem.top[c] = std::sqrt(weights[c] * (M - size));
    problem.bottom[c] = std::sqrt(weights[c] * size);
    problem.X.row(c) = problem.top[c] * Z.row(c);
    problem.X.row(C + c) = problem.bottom[c] * (Z.row(c).array() - 1.0);
  }
  if (selection != Selection::num_features) {  // an intercept: centre the columns
    problem.X.rowwise() -= problem.X.colwise().mean();
  }
  if (selection == Selection::aic || selection == Selection::bic) {
    for (Eigen::Index j = 0; j < M; ++j) {  // as StandardScaler: population standard deviation, 1 if ~0
      const double scale = std::sqrt(problem.X.col(j).squaredNorm() / double(2 * C));
      if (scale >= 10 * std::numeric_limits<double>::epsilon()) problem.X.col(j) /= scale;
    }
    problem.qr.compute(problem.X);
  }
  problem.gram = problem.X.transpose() * problem.X;
  return problem;
}

// The selected features for one row and output, in shap's order (LARS: order of entry;
// otherwise ascending), from X^T y of the augmented target y (centred where the method
// has an intercept), with y^T y (lasso) or Q^T y (information criteria).
std::vector<std::int32_t> select_features(const AugmentedProblem& problem, const L1Regularization& l1_reg,
                                          std::span<const double> xy, double yy, const Eigen::VectorXd& qty) {
  const auto M = static_cast<std::int64_t>(xy.size());
  const auto n = static_cast<double>(problem.n_samples);
  const std::span<const double> gram(problem.gram.data(), static_cast<std::size_t>(M * M));
  auto non_zero = [M](const double* coef) {
    std::vector<std::int32_t> selected;
    for (std::int32_t j = 0; j < M; ++j) {
      if (coef[j] != 0.0) selected.push_back(j);
    }
    return selected;
  };
  if (l1_reg.selection == Selection::num_features) {
    return lars_path(gram, xy, n, LarsMethod::lar, l1_reg.num_features).active;
  }
  if (l1_reg.selection == Selection::lasso) {
    return non_zero(lasso_coordinate_descent(gram, xy, yy, n, l1_reg.alpha).data());
  }
  // Information criteria along the lasso path. With the pivoted QR factors X P = Q R
  // (rank r), the residual sum of squares of coefficients b is |(Q^T y)_{1..M} - R P^T b|^2
  // plus |(Q^T y)_{M+1..n}|^2, and the least squares residual is |(Q^T y)_{r+1..n}|^2: no
  // difference of large numbers is formed, and a rank-deficient X is handled.
  const LarsPath path = lars_path(gram, xy, n, LarsMethod::lasso, kInformationCriterionSteps);
  const Eigen::Index rank = problem.qr.rank();
  const double least_squares_rss = qty.tail(problem.n_samples - rank).squaredNorm();
  const double outside_rss = qty.tail(problem.n_samples - M).squaredNorm();
  const double noise_variance = least_squares_rss / (n - double(M) - 1.0);
  const double penalty = l1_reg.selection == Selection::aic ? 2.0 : std::log(n);
  const auto R = problem.qr.matrixQR().topRows(M).triangularView<Eigen::Upper>();
  const auto& P = problem.qr.colsPermutation();
  std::size_t best = 0;
  double best_value = std::numeric_limits<double>::infinity();
  for (std::size_t point = 0; point < path.size(); ++point) {
    const Eigen::Map<const Eigen::VectorXd> coef(path.coefs.data() + point * M, M);
    const double rss = outside_rss + (qty.head(M) - R * (P.transpose() * coef)).squaredNorm();
    double value;
    if (noise_variance > 0) {
      const auto df = static_cast<double>((coef.array().abs() > std::numeric_limits<double>::epsilon()).count());
      value = n * std::log(2.0 * std::numbers::pi * noise_variance) + rss / noise_variance + penalty * df;
    } else {  // an exact least squares fit: the criterion's limit is the smallest residual
      value = rss;
    }
    if (value < best_value) best = point, best_value = value;
  }
  return non_zero(path.coefs.data() + best * M);
}

// The constrained least squares on the selected features with normal matrix G = Z^T W Z and
// h = Z^T W y: eliminating the last selected feature (as shap), with z' = z_T - z_last and
// y' = y - z_last delta, the normal equations are built from G and h. phi (M entries) is 0
// off the selection. Returns false when the equations are singular.
bool solve_selected(const Matrix& G, const Eigen::Ref<const Eigen::VectorXd>& h, double delta,
                    const std::vector<std::int32_t>& selected, Eigen::VectorXd& phi) {
  phi.setZero();
  const auto k = static_cast<Eigen::Index>(selected.size());
  if (k == 0) return true;
  const std::int32_t last = selected.back();
  if (k == 1) {
    phi[last] = delta;
    return true;
  }
  Matrix normal(k - 1, k - 1);
  Eigen::VectorXd rhs(k - 1);
  for (Eigen::Index a = 0; a < k - 1; ++a) {
    const std::int32_t i = selected[a];
    for (Eigen::Index b = 0; b < k - 1; ++b) {
      const std::int32_t j = selected[b];
      normal(a, b) = G(i, j) - G(i, last) - G(last, j) + G(last, last);
    }
    rhs[a] = h[i] - h[last] - delta * (G(i, last) - G(last, last));
  }
  const Eigen::LDLT<Matrix> solver(normal);
  if (!regular(solver)) return false;
  const Eigen::VectorXd beta = solver.solve(rhs);
  for (Eigen::Index a = 0; a < k - 1; ++a) phi[selected[a]] = beta[a];
  phi[last] = delta - beta.sum();
  return true;
}

}  // namespace

void check_l1_regularization(const L1Regularization& l1_reg) {
  if (l1_reg.selection == Selection::num_features && l1_reg.num_features < 1) {
    throw InvalidArgument("l1_reg: num_features(k) needs k >= 1, got " + std::to_string(l1_reg.num_features));
  }
  if (l1_reg.selection == Selection::lasso && !(l1_reg.alpha > 0 && std::isfinite(l1_reg.alpha))) {
    throw InvalidArgument("l1_reg: a Lasso alpha must be a positive finite number, got " +
                          std::to_string(l1_reg.alpha));
  }
}

void kernel_shap_values_selected(const CoalitionDesign& design, std::span<const double> values,
                                 std::span<const double> full, std::span<const double> empty, std::int64_t n_rows,
                                 std::int32_t n_outputs, std::span<double> out, std::span<double> standard_errors,
                                 int n_jobs, const Progress& progress, const L1Regularization& l1_reg) {
  const std::int64_t M = design.n_features, K = n_outputs;
  const auto C = static_cast<std::int64_t>(design.size());
  const Selection selection = l1_reg.selection;
  if ((selection == Selection::aic || selection == Selection::bic) && 2 * C <= M + 1) {
    throw InvalidArgument("l1_reg: '" + std::string(method_name(selection)) +
                          "' estimates the noise variance by least squares on " + "2 x " + std::to_string(C) +
                          " augmented rows, which needs more than " + std::to_string(M + 1) +
                          " (features + 1); raise nsamples or use num_features(k)");
  }
  if (C == 0) throw InvalidArgument("nsamples: no coalitions to select features from; raise nsamples");
  // A non-finite target would silently end every selection with nothing selected.
  for (const auto& [input, name] : {std::pair{values, "values"}, std::pair{full, "full"}, std::pair{empty, "empty"}}) {
    if (!std::all_of(input.begin(), input.end(), [](double v) { return std::isfinite(v); })) {
      throw InvalidArgument(std::string(name) + ": l1_reg needs finite values of v(S)");
    }
  }
  const GroupSlots slots = group_slots(design);
  const std::int32_t G = slots.n_groups;
  // The coalitions in slot order: indicators Z, weights, and Z^T W per slot.
  Matrix Z(C, M);
  Eigen::VectorXd weights(C);
  for (std::int64_t p = 0; p < C; ++p) {
    const std::int64_t c = slots.order[p];
    for (std::int64_t j = 0; j < M; ++j) Z(p, j) = design.masks[c * M + j];
    weights[p] = design.weights[c];
    if (!(weights[p] >= 0)) throw InvalidArgument("design: l1_reg needs non-negative coalition weights");
  }
  const Matrix weighted_transpose = (weights.asDiagonal() * Z).transpose();
  auto slot_product = [&](std::int32_t slot, const Matrix& right) {
    const std::int64_t start = slots.begin(slot), length = slots.length(slot);
    return Matrix(weighted_transpose.middleCols(start, length) * right.middleRows(start, length));
  };
  // Normal matrices Z^T W Z: all coalitions, and each jackknife replicate (group g left
  // out, the other sampled groups scaled by G / (G - 1) to keep their kernel mass).
  const double scale = G > 1 ? double(G) / (G - 1) : 0.0;
  // Z^T W R split by slot: the enumerated coalitions, each jackknife group, and the total.
  struct SlotProducts {
    Matrix enumerated;
    std::vector<Matrix> groups;
    Matrix total;
  };
  auto slot_products = [&](const Matrix& right) {
    SlotProducts products{slot_product(0, right), {}, {}};
    products.total = products.enumerated;
    for (std::int32_t g = 0; g < G; ++g) {
      products.groups.push_back(slot_product(g + 1, right));
      products.total += products.groups.back();
    }
    return products;
  };
  const SlotProducts gram = slot_products(Z);
  std::vector<Matrix> gram_without;
  if (G > 1) gram_without.reserve(G);
  for (std::int32_t g = 0; g < G && G > 1; ++g) {
    gram_without.emplace_back(gram.enumerated + scale * (gram.total - gram.enumerated - gram.groups[g]));
  }
  const AugmentedProblem problem = augmented_problem(Z, weights, selection);
  const bool centred = selection != Selection::num_features;

  constexpr std::int64_t kRowsPerBlock = 8;
  std::atomic<std::size_t> rows_done{0};
  parallel_for(
      static_cast<std::ptrdiff_t>(n_blocks(n_rows, kRowsPerBlock)), resolve_threads(n_jobs), [&](std::ptrdiff_t block) {
        const std::int64_t row_begin = block * kRowsPerBlock, row_end = std::min(n_rows, row_begin + kRowsPerBlock);
        const std::int64_t width = (row_end - row_begin) * K;
        // Targets y_S = v(S) - v0 (slot order), one column per (row, output), and delta.
        Matrix target(C, width);
        Eigen::VectorXd delta(width);
        for (std::int64_t r = row_begin; r < row_end; ++r) {
          for (std::int64_t k = 0; k < K; ++k) {
            const std::int64_t col = (r - row_begin) * K + k;
            delta[col] = full[r * K + k] - empty[k];
            for (std::int64_t p = 0; p < C; ++p) target(p, col) = values[(r * C + slots.order[p]) * K + k] - empty[k];
          }
        }
        // The augmented targets and their products with the augmented design.
        Eigen::MatrixXd augmented(2 * C, width);
        for (std::int64_t col = 0; col < width; ++col) {
          augmented.col(col).head(C) = problem.top.cwiseProduct(target.col(col));
          augmented.col(col).tail(C) = problem.bottom.cwiseProduct((target.col(col).array() - delta[col]).matrix());
        }
        if (centred) augmented.rowwise() -= augmented.colwise().mean();
        const Eigen::MatrixXd xy = problem.X.transpose() * augmented;
        Eigen::MatrixXd qty;
        if (selection == Selection::aic || selection == Selection::bic)
          qty = problem.qr.householderQ().adjoint() * augmented;
        // h = Z^T W y per slot.
        const SlotProducts h = slot_products(target);
        Eigen::VectorXd phi(M), replicate(M), h_without(M);
        Eigen::MatrixXd replicates(M, G);
        for (std::int64_t col = 0; col < width; ++col) {
          const Eigen::VectorXd xy_col = xy.col(col);
          const Eigen::VectorXd qty_col = qty.size() ? Eigen::VectorXd(qty.col(col)) : Eigen::VectorXd();
          const std::vector<std::int32_t> selected = select_features(
              problem, l1_reg, {xy_col.data(), static_cast<std::size_t>(M)}, augmented.col(col).squaredNorm(), qty_col);
          if (!solve_selected(gram.total, h.total.col(col), delta[col], selected, phi)) {
            throw InvalidArgument("nsamples: the " + std::to_string(C) +
                                  " coalitions do not determine the values of the " + std::to_string(selected.size()) +
                                  " features l1_reg selected (singular least squares); raise nsamples");
          }
          // Jackknife with the selection held fixed.
          bool replicates_ok = G > 1;
          for (std::int32_t g = 0; g < G && replicates_ok; ++g) {
            h_without =
                h.enumerated.col(col) + scale * (h.total.col(col) - h.enumerated.col(col) - h.groups[g].col(col));
            replicates_ok = solve_selected(gram_without[g], h_without, delta[col], selected, replicate);
            replicates.col(g) = replicate;
          }
          Eigen::VectorXd spread = Eigen::VectorXd::Zero(M);
          if (replicates_ok) {
            const Eigen::VectorXd mean = replicates.rowwise().mean();
            spread = (replicates.colwise() - mean).cwiseAbs2().rowwise().sum() * (double(G - 1) / G);
          }
          const bool unknown_error = !design.exact && !replicates_ok;
          const std::int64_t r = row_begin + col / K, k = col % K;
          for (std::int64_t j = 0; j < M; ++j) {
            out[(r * M + j) * K + k] = phi[j];
            standard_errors[(r * M + j) * K + k] = std::sqrt(spread[j]);
          }
          if (unknown_error) {
            for (const std::int32_t j : selected)
              standard_errors[(r * M + j) * K + k] = std::numeric_limits<double>::quiet_NaN();
          }
        }
        const std::size_t solved = rows_done += static_cast<std::size_t>(row_end - row_begin);
        if (progress.active() && omp_get_thread_num() == 0) progress.report(solved, static_cast<std::size_t>(n_rows));
      });
}

}  // namespace assay::explain::detail
