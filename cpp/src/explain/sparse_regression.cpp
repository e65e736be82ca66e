// Least-angle regression, the lasso path by LARS and the lasso by coordinate descent,
// in Gram form. See sparse_regression.hpp.
#include "assay/explain/sparse_regression.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <ranges>
#include <string>

#include "assay/common/error.hpp"

namespace assay::explain {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

// scikit-learn's constants, kept so that its path and ours break alike: a guard added to
// divisors, the largest correlation per sample at which the path ends, and the floor of a
// Cholesky pivot.
constexpr double kDivisorGuard = std::numeric_limits<float>::min();
constexpr double kEndAlpha = std::numeric_limits<float>::epsilon();
constexpr double kPivotFloor = std::numeric_limits<double>::epsilon();
// A feature whose Cholesky pivot falls below this is (nearly) a combination of the
// active ones and never enters.
constexpr double kDegeneratePivot = 1e-7;

std::int64_t checked_size(std::span<const double> gram, std::span<const double> xy) {
  const auto M = static_cast<std::int64_t>(xy.size());
  if (static_cast<std::int64_t>(gram.size()) != M * M) {
    throw InvalidArgument("gram: expected " + std::to_string(M) + " x " + std::to_string(M) +
                          " values (one row and column per entry of xy)");
  }
  return M;
}

// The pivot of the Cholesky factor L (lower, of the active features' Gram matrix, k x k)
// extended by feature j, and the new row in `row`: L row = G[j, active], pivot =
// sqrt(|G[j, j] - |row|^2|), at least kPivotFloor.
double cholesky_row(const Eigen::MatrixXd& L, const ConstMatrixMap& G, const std::vector<std::int32_t>& active,
                    std::int32_t j, Eigen::VectorXd& row) {
  const auto k = static_cast<Eigen::Index>(active.size());
  row.resize(k);
  for (Eigen::Index a = 0; a < k; ++a) row[a] = G(j, active[a]);
  if (k > 0) L.topLeftCorner(k, k).triangularView<Eigen::Lower>().solveInPlace(row);
  return std::max(std::sqrt(std::abs(G(j, j) - row.squaredNorm())), kPivotFloor);
}

// (L L^T)^{-1} b for the k x k lower factor L.
template <class Vector>
Eigen::VectorXd cholesky_solve(const Eigen::MatrixXd& L, Eigen::Index k, const Vector& b) {
  Eigen::VectorXd x = b;
  L.topLeftCorner(k, k).triangularView<Eigen::Lower>().solveInPlace(x);
  L.topLeftCorner(k, k).transpose().triangularView<Eigen::Upper>().solveInPlace(x);
  return x;
}

}  // namespace

LarsPath lars_path(std::span<const double> gram, std::span<const double> xy, double n_samples, LarsMethod method,
                   std::int32_t max_iter) {
  const std::int64_t M = checked_size(gram, xy);
  if (max_iter < 0) throw InvalidArgument("max_iter: must be non-negative, got " + std::to_string(max_iter));
  if (!(n_samples > 0)) throw InvalidArgument("n_samples: must be positive");
  const ConstMatrixMap G(gram.data(), M, M);
  LarsPath path;
  path.n_features = static_cast<std::int32_t>(M);
  std::vector<std::int32_t>& active = path.active;
  // The inactive features and their correlations X_j^T r with the residual r, in the
  // order scikit-learn keeps them (which decides exact ties).
  std::vector<std::int32_t> inactive(M);
  std::iota(inactive.begin(), inactive.end(), 0);
  std::vector<double> correlation(xy.begin(), xy.end());
  std::vector<double> signs;  // sign of each active feature's correlation
  Eigen::MatrixXd L(M, M);    // Cholesky factor of G[active, active], in order of entry
  Eigen::VectorXd coef = Eigen::VectorXd::Zero(M), row;
  path.coefs.assign(M, 0.0);
  bool dropped = false;  // the last step ended where a coefficient reached 0
  std::int32_t n_iter = 0;
  while (true) {
    std::size_t best = 0;
    double C = 0.0;
    for (std::size_t i = 0; i < inactive.size(); ++i) {
      if (std::abs(correlation[i]) > C) best = i, C = std::abs(correlation[i]);
    }
    path.alphas.resize(n_iter + 1);
    path.alphas[n_iter] = C / n_samples;
    if (path.alphas[n_iter] <= kEndAlpha || n_iter >= max_iter || static_cast<std::int64_t>(active.size()) >= M) break;
    // After a coefficient reached zero no feature enters in the next step (with lar the
    // coefficient's sign is flipped instead, as scikit-learn does).
    if (!dropped) {
      const std::int32_t j = inactive[best];
      const auto k = static_cast<Eigen::Index>(active.size());
      const double pivot = cholesky_row(L, G, active, j, row);
      if (pivot < kDegeneratePivot) {
        correlation[best] = 0.0;
        continue;
      }
      L.row(k).head(k) = row.transpose();
      L(k, k) = pivot;
      active.push_back(j);
      signs.push_back(correlation[best] > 0 ? 1.0 : -1.0);
      std::swap(inactive[best], inactive[0]);
      std::swap(correlation[best], correlation[0]);
      inactive.erase(inactive.begin());
      correlation.erase(correlation.begin());
    }
    // On the lasso path the largest correlation only decreases; once rounding makes it
    // grow, the residual is too small for the path to go on.
    if (method == LarsMethod::lasso && n_iter > 0 && path.alphas[n_iter - 1] < path.alphas[n_iter]) break;
    // The equiangular direction: direction = A (G_AA)^{-1} signs with A normalising it to
    // unit length in sample space (Efron et al. 2004, eq. 2.5).
    const auto k = static_cast<Eigen::Index>(active.size());
    const Eigen::Map<const Eigen::VectorXd> sign_vector(signs.data(), k);
    Eigen::VectorXd direction = cholesky_solve(L, k, sign_vector);
    double A;
    if (k == 1 && direction[0] == 0.0) {
      direction[0] = 1.0;
      A = 1.0;
    } else {
      A = 1.0 / std::sqrt(direction.dot(sign_vector));
      Eigen::MatrixXd regularised = L.topLeftCorner(k, k);
      for (int attempt = 0; !std::isfinite(A); ++attempt) {  // lift the pivots until it is positive definite
        regularised.diagonal().array() += std::ldexp(kPivotFloor, attempt);
        direction = cholesky_solve(regularised, k, sign_vector);
        const double length2 = direction.dot(sign_vector);
        A = 1.0 / std::sqrt(length2 > kPivotFloor ? length2 : kPivotFloor);  // also when NaN
      }
      direction *= A;
    }
    // Step length: until an inactive feature's correlation ties the active ones'
    // (eq. 2.13), or the least squares fit of the active set, whichever comes first.
    // scikit-learn rounds a_j to 15 decimals; so do we.
    std::vector<double> along(inactive.size());
    double gamma = C / A;
    for (std::size_t i = 0; i < inactive.size(); ++i) {
      double a = 0.0;
      for (Eigen::Index t = 0; t < k; ++t) a += G(inactive[i], active[t]) * direction[t];
      along[i] = std::rint(a * 1e15) / 1e15;
      for (const double candidate : {(C - correlation[i]) / (A - along[i] + kDivisorGuard),
                                     (C + correlation[i]) / (A + along[i] + kDivisorGuard)}) {
        if (candidate > 0 && candidate < gamma) gamma = candidate;
      }
    }
    // A coefficient reaching zero first (the lasso modification, section 3.1).
    double to_zero = std::numeric_limits<double>::max();
    Eigen::VectorXd zero_at(k);
    for (Eigen::Index t = 0; t < k; ++t) {
      zero_at[t] = -coef[active[t]] / (direction[t] + kDivisorGuard);
      if (zero_at[t] > 0 && zero_at[t] < to_zero) to_zero = zero_at[t];
    }
    std::vector<Eigen::Index> leaving;  // descending positions in `active`
    dropped = to_zero < gamma;
    if (dropped) {
      for (Eigen::Index t = k - 1; t >= 0; --t) {
        if (zero_at[t] == to_zero) {
          leaving.push_back(t);
          signs[t] = -signs[t];
        }
      }
      if (method == LarsMethod::lasso) gamma = to_zero;
    }
    ++n_iter;
    Eigen::VectorXd next = Eigen::VectorXd::Zero(M);
    for (Eigen::Index t = 0; t < k; ++t) next[active[t]] = coef[active[t]] + gamma * direction[t];
    for (std::size_t i = 0; i < inactive.size(); ++i) correlation[i] -= gamma * along[i];
    if (dropped && method == LarsMethod::lasso) {
      // The features leave with coefficient exactly 0 (scikit-learn keeps the rounding
      // residue of the step here) and rejoin the inactive ones at the front.
      std::vector<std::int32_t> left;
      for (const Eigen::Index t : leaving) {
        left.push_back(active[t]);
        next[active[t]] = 0.0;
        active.erase(active.begin() + t);
        signs.erase(signs.begin() + t);
      }
      for (const std::int32_t j : std::views::reverse(left)) {
        inactive.insert(inactive.begin(), j);
        correlation.insert(correlation.begin(), xy[j] - G.row(j).dot(next));
      }
      std::vector<std::int32_t> kept;
      for (const std::int32_t j : active) {  // refactor the smaller active set
        const auto t = static_cast<Eigen::Index>(kept.size());
        const double pivot = cholesky_row(L, G, kept, j, row);
        L.row(t).head(t) = row.transpose();
        L(t, t) = pivot;
        kept.push_back(j);
      }
    }
    coef = next;
    path.coefs.insert(path.coefs.end(), coef.data(), coef.data() + M);
  }
  return path;
}

std::vector<double> lasso_coordinate_descent(std::span<const double> gram, std::span<const double> xy, double yy,
                                             double n_samples, double alpha, double tol, std::int32_t max_iter) {
  const std::int64_t M = checked_size(gram, xy);
  if (!(alpha > 0) || !std::isfinite(alpha)) throw InvalidArgument("alpha: must be a positive finite number");
  if (!(n_samples > 0)) throw InvalidArgument("n_samples: must be positive");
  const ConstMatrixMap G(gram.data(), M, M);
  // In units of the objective times n_samples: 1/2 ||y - X b||^2 + penalty ||b||_1.
  const double penalty = alpha * n_samples;
  std::vector<double> b(M, 0.0), gram_b(M, 0.0), xtr(M);
  auto move = [&](std::int64_t j, double value) {  // b_j = value, keeping gram_b = G b
    const double change = value - b[j];
    if (change == 0.0) return;
    for (std::int64_t i = 0; i < M; ++i) gram_b[i] += change * G(j, i);
    b[j] = value;
  };
  // The duality gap at b with the dual point r scaled into the feasible set
  // ||X^T theta||_inf <= penalty (Fercoq et al. 2015); also sets xtr = X^T r.
  double dual_norm = 0.0;
  auto duality_gap = [&] {
    double b_xy = 0.0, b_gram_b = 0.0, l1 = 0.0;
    dual_norm = 0.0;
    for (std::int64_t j = 0; j < M; ++j) {
      xtr[j] = xy[j] - gram_b[j];
      dual_norm = std::max(dual_norm, std::abs(xtr[j]));
      b_xy += b[j] * xy[j];
      b_gram_b += b[j] * gram_b[j];
      l1 += std::abs(b[j]);
    }
    const double residual2 = yy - 2.0 * b_xy + b_gram_b, residual_y = yy - b_xy;
    const double scale = dual_norm > penalty ? penalty / dual_norm : 1.0;
    const double primal = 0.5 * residual2 + penalty * l1;
    const double dual = -0.5 * scale * scale * residual2 + scale * residual_y;
    return primal - dual;
  };
  const double gap_tol = tol * yy;
  double gap = duality_gap();
  if (gap <= gap_tol) return b;
  // Gap safe screening: feature j is 0 at the optimum when its distance to the
  // boundary of the dual feasible set exceeds the radius sqrt(2 gap) / penalty.
  std::vector<std::uint8_t> excluded(M, 0);
  std::vector<std::int64_t> working;
  auto screen = [&] {
    working.clear();
    for (std::int64_t j = 0; j < M; ++j) {
      if (excluded[j]) continue;
      const double norm2 = G(j, j);
      const double distance =
          norm2 > 0 ? (1.0 - std::abs(xtr[j]) / std::max(penalty, dual_norm)) / std::sqrt(norm2) : 0.0;
      if (norm2 > 0 && distance <= std::sqrt(2.0 * gap) / penalty) {
        working.push_back(j);
      } else {
        move(j, 0.0);
        excluded[j] = 1;
      }
    }
  };
  screen();
  for (std::int32_t sweep = 0; sweep < max_iter; ++sweep) {
    double largest = 0.0, largest_change = 0.0;
    for (const std::int64_t j : working) {
      const double previous = b[j];
      const double z = xy[j] - gram_b[j] + previous * G(j, j);  // X_j^T (r + b_j X_j)
      const double soft = std::max(std::abs(z) - penalty, 0.0);
      move(j, (z > 0 ? soft : -soft) / G(j, j));
      largest_change = std::max(largest_change, std::abs(b[j] - previous));
      largest = std::max(largest, std::abs(b[j]));
    }
    if (largest == 0.0 || largest_change / largest <= tol || sweep == max_iter - 1) {
      gap = duality_gap();
      if (gap <= gap_tol) break;
      screen();
    }
  }
  return b;
}

}  // namespace assay::explain
