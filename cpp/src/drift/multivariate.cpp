// Multivariate drift detectors (see multivariate.hpp).
//
// Parallelism comes from parallel_for over fixed blocks (Eigen's own threading is off for
// the whole core, see CMakeLists.txt), so the sums are reduced in the same order for
// every n_jobs.
#include "assay/drift/multivariate.hpp"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "boosting.hpp"
#include "interrupt.hpp"

namespace assay::drift {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr std::size_t kBlock = 256;       // rows per kernel block
constexpr std::size_t kPcaBlock = 16384;  // rows per PCA pass block (one interrupt check each)
// Streams of the median-heuristic subsample, apart from the permutation streams.
constexpr std::uint64_t kSubsampleStream = 1ULL << 40;

// Values must be finite, and small enough that squared distances and sums of squares
// stay finite: |v| <= kMaxMagnitude (rescale larger columns).
constexpr double kMaxMagnitude = 1e150;

void require_finite(MatrixView m, const char* name) {
  for (std::size_t i = 0; i < m.rows * m.cols; ++i) {
    if (!std::isfinite(m.data[i]))
      throw InvalidArgument(std::string(name) + " holds NaN or infinite values (row " + std::to_string(i / m.cols) +
                            "); drop or impute them first");
    if (std::fabs(m.data[i]) > kMaxMagnitude)
      throw InvalidArgument(std::string(name) + " holds a value of magnitude above 1e150 (row " +
                            std::to_string(i / m.cols) + ", column " + std::to_string(i % m.cols) +
                            "); squared distances would overflow: rescale the column");
  }
}

Eigen::Map<const RowMatrix> as_eigen(MatrixView m) {
  return {m.data, static_cast<Eigen::Index>(m.rows), static_cast<Eigen::Index>(m.cols)};
}

double squared_distance(MatrixView x, std::size_t i, MatrixView y, std::size_t j) {
  double s = 0.0;
  for (std::size_t c = 0; c < x.cols; ++c) {
    const double diff = x(i, c) - y(j, c);
    s += diff * diff;
  }
  return s;
}

// numpy.median of a vector (average of the two middle values for an even count).
double median(std::vector<double>& values) {
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2) return upper;
  return (*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

}  // namespace

std::vector<std::uint32_t> mmd_permutation(std::size_t n_pooled, std::uint64_t seed, std::size_t p) {
  std::vector<std::uint32_t> order(n_pooled);
  std::iota(order.begin(), order.end(), 0u);
  CounterRng rng(seed, p);
  for (std::size_t i = n_pooled; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

double median_heuristic_bandwidth(MatrixView x, MatrixView y, std::uint64_t seed) {
  constexpr std::size_t kSubsample = 2000;
  std::vector<std::uint32_t> rows_x, rows_y;
  const bool subsample = static_cast<double>(x.rows) * static_cast<double>(y.rows) > 4e6;
  auto chosen = [&](std::size_t n, std::uint64_t stream) {
    std::vector<std::uint32_t> rows = mmd_permutation(n, seed, stream);
    rows.resize(std::min(n, kSubsample));
    return rows;
  };
  if (subsample) {
    rows_x = chosen(x.rows, kSubsampleStream);
    rows_y = chosen(y.rows, kSubsampleStream + 1);
  } else {
    rows_x.resize(x.rows);
    rows_y.resize(y.rows);
    std::iota(rows_x.begin(), rows_x.end(), 0u);
    std::iota(rows_y.begin(), rows_y.end(), 0u);
  }
  std::vector<double> distances;
  distances.reserve(rows_x.size() * rows_y.size());
  for (std::uint32_t i : rows_x)
    for (std::uint32_t j : rows_y) distances.push_back(squared_distance(x, i, y, j));
  const double sigma2 = median(distances) / 2;
  // Identical samples: any positive bandwidth gives MMD 0; use 1.
  return sigma2 > 0 ? std::sqrt(sigma2) : 1.0;
}

namespace {

// x and y rescaled column by column with the reference's (x's) mean and population
// standard deviation; a column constant in x is centred only.
std::pair<std::vector<double>, std::vector<double>> standardised_by_reference(MatrixView x, MatrixView y) {
  std::vector<double> mean(x.cols, 0.0), scale(x.cols, 0.0);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) mean[j] += x(i, j);
  for (double& m : mean) m /= static_cast<double>(x.rows);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) scale[j] += (x(i, j) - mean[j]) * (x(i, j) - mean[j]);
  for (double& s : scale) {
    s = std::sqrt(s / static_cast<double>(x.rows));
    if (!(s > 0)) s = 1.0;
  }
  auto rescaled = [&](MatrixView m) {
    std::vector<double> out(m.rows * m.cols);
    for (std::size_t i = 0; i < m.rows; ++i)
      for (std::size_t j = 0; j < m.cols; ++j) out[i * m.cols + j] = (m(i, j) - mean[j]) / scale[j];
    return out;
  };
  return {rescaled(x), rescaled(y)};
}

}  // namespace

MmdResult mmd_test(MatrixView x, MatrixView y, std::size_t n_permutations, std::uint64_t seed, double bandwidth,
                   int n_jobs, const Progress& progress, bool standardize) {
  if (x.cols != y.cols)
    throw InvalidArgument("reference and current have " + std::to_string(x.cols) + " and " + std::to_string(y.cols) +
                          " columns; they must have the same columns");
  if (x.rows < 2 || y.rows < 2) throw InvalidArgument("the MMD test needs at least 2 rows in each sample");
  if (x.cols == 0) throw InvalidArgument("the MMD test needs at least one column");
  require_finite(x, "reference");
  require_finite(y, "current");
  if (standardize) {
    const auto [xs, ys] = standardised_by_reference(x, y);
    return mmd_test({xs.data(), x.rows, x.cols}, {ys.data(), y.rows, y.cols}, n_permutations, seed, bandwidth, n_jobs,
                    progress, false);
  }
  const std::size_t nx = x.rows, ny = y.rows, n = nx + ny, d = x.cols;
  MmdResult result;
  result.bandwidth = (bandwidth > 0) ? bandwidth : median_heuristic_bandwidth(x, y, seed);
  const double gamma = 1.0 / (2 * result.bandwidth * result.bandwidth);
  const int threads = resolve_threads(n_jobs);

  RowMatrix pooled(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  pooled.topRows(static_cast<Eigen::Index>(nx)) = as_eigen(x);
  pooled.bottomRows(static_cast<Eigen::Index>(ny)) = as_eigen(y);
  const Eigen::VectorXd norms = pooled.rowwise().squaredNorm();

  // Membership: column 0 is the observed split, column p + 1 permutation p.
  const std::size_t n_columns = n_permutations + 1;
  Eigen::MatrixXd member = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n_columns));
  member.col(0).head(static_cast<Eigen::Index>(nx)).setOnes();
  parallel_for(static_cast<std::ptrdiff_t>(n_permutations), threads, [&](std::ptrdiff_t p) {
    const auto order = mmd_permutation(n, seed, static_cast<std::size_t>(p));
    for (std::size_t t = 0; t < nx; ++t) member(order[t], p + 1) = 1.0;
  });

  // Upper-triangular block pairs (i <= j) of the symmetric kernel matrix.
  const std::size_t n_blocks_rows = n_blocks(n, kBlock);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < n_blocks_rows; ++i)
    for (std::size_t j = i; j < n_blocks_rows; ++j) pairs.emplace_back(i, j);
  // Per pair: x'Kx of every column (sum over both-in-x pairs), x'K1, and 1'K1.
  std::vector<Eigen::VectorXd> inner(pairs.size()), with_all(pairs.size());
  std::vector<double> total(pairs.size());
  std::atomic<std::size_t> done{0};
  parallel_for(static_cast<std::ptrdiff_t>(pairs.size()), threads, [&](std::ptrdiff_t task) {
    const auto [bi, bj] = pairs[task];
    const auto i0 = static_cast<Eigen::Index>(bi * kBlock), j0 = static_cast<Eigen::Index>(bj * kBlock);
    const auto ni = static_cast<Eigen::Index>(std::min(kBlock, n - bi * kBlock));
    const auto nj = static_cast<Eigen::Index>(std::min(kBlock, n - bj * kBlock));
    Eigen::MatrixXd kernel = -2.0 * (pooled.middleRows(i0, ni) * pooled.middleRows(j0, nj).transpose());
    for (Eigen::Index b = 0; b < nj; ++b)
      for (Eigen::Index a = 0; a < ni; ++a)
        kernel(a, b) = std::exp(-gamma * std::max(0.0, kernel(a, b) + norms(i0 + a) + norms(j0 + b)));
    const bool diagonal = bi == bj;
    if (diagonal) kernel.diagonal().setOnes();
    const double weight = diagonal ? 1.0 : 2.0;  // an off-diagonal block stands for itself and its transpose
    const auto member_i = member.middleRows(i0, ni), member_j = member.middleRows(j0, nj);
    const Eigen::MatrixXd kernel_member = kernel * member_j;  // ni x columns
    inner[task] = weight * member_i.cwiseProduct(kernel_member).colwise().sum().transpose();
    with_all[task] = member_i.transpose() * kernel.rowwise().sum();
    if (!diagonal) with_all[task] += member_j.transpose() * kernel.colwise().sum().transpose();
    total[task] = weight * kernel.sum();
    ++done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(done.load(), pairs.size());
  });
  progress.report(pairs.size(), pairs.size());

  Eigen::VectorXd xx = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n_columns));
  Eigen::VectorXd x_all = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n_columns));
  double all = 0.0;
  for (std::size_t t = 0; t < pairs.size(); ++t) {  // fixed order: same sums for every n_jobs
    xx += inner[t];
    x_all += with_all[t];
    all += total[t];
  }
  const double dx = static_cast<double>(nx), dy = static_cast<double>(ny);
  auto statistic = [&](Eigen::Index c) {
    const double kxx = xx(c), kxy = x_all(c) - kxx, kyy = all - kxx - 2 * kxy;
    // Unbiased: the diagonal (k(a, a) = 1) is left out of the within-sample sums.
    return (kxx - dx) / (dx * (dx - 1)) + (kyy - dy) / (dy * (dy - 1)) - 2 * kxy / (dx * dy);
  };
  result.statistic = statistic(0);
  result.permuted.resize(n_permutations);
  std::size_t at_least = 0;
  for (std::size_t p = 0; p < n_permutations; ++p) {
    result.permuted[p] = statistic(static_cast<Eigen::Index>(p + 1));
    if (result.permuted[p] >= result.statistic) ++at_least;
  }
  result.pvalue = static_cast<double>(1 + at_least) / static_cast<double>(1 + n_permutations);
  return result;
}

PcaModel fit_pca(MatrixView reference, double variance, const Progress& progress) {
  if (!(variance > 0 && variance <= 1)) throw InvalidArgument("variance must be in (0, 1]");
  if (reference.rows < 2 || reference.cols == 0)
    throw InvalidArgument("PCA needs at least 2 reference rows and one column");
  if (reference.cols > kMaxPcaColumns)
    throw ResourceLimit("reference has " + std::to_string(reference.cols) + " columns; the PCA's " +
                        std::to_string(reference.cols) + " x " + std::to_string(reference.cols) +
                        " covariance matrix is limited to " + std::to_string(kMaxPcaColumns) + " columns");
  require_finite(reference, "reference");
  PcaModel model;
  const std::size_t rows = reference.rows;
  const auto n = static_cast<double>(rows);
  const auto d = static_cast<Eigen::Index>(reference.cols);
  model.n_features = reference.cols;
  const Eigen::Map<const RowMatrix> data = as_eigen(reference);
  // Three passes over row blocks, with an interrupt check after each block: the mean,
  // the population standard deviation, then the Gram matrix of the standardised rows
  // (its eigenvectors are the principal axes, its eigenvalues the squared singular
  // values of the standardised data).
  const std::size_t blocks = n_blocks(rows, kPcaBlock);
  StopPoll poll(progress, 3 * blocks);
  auto block_rows = [&](std::size_t b) {
    const std::size_t begin = b * kPcaBlock;
    return data.middleRows(static_cast<Eigen::Index>(begin),
                           static_cast<Eigen::Index>(std::min(kPcaBlock, rows - begin)));
  };
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(d);
  for (std::size_t b = 0; b < blocks; ++b) {
    mean += block_rows(b).colwise().sum();
    poll.advance(1);
  }
  mean /= n;
  Eigen::RowVectorXd scale = Eigen::RowVectorXd::Zero(d);
  for (std::size_t b = 0; b < blocks; ++b) {
    scale += (block_rows(b).rowwise() - mean).colwise().squaredNorm();
    poll.advance(1);
  }
  scale = (scale / n).cwiseSqrt();
  for (Eigen::Index c = 0; c < d; ++c)
    if (!(scale(c) > 0)) scale(c) = 1.0;  // a constant column: centred only
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(d, d);
  for (std::size_t b = 0; b < blocks; ++b) {
    const Eigen::MatrixXd z = (block_rows(b).rowwise() - mean).array().rowwise() / scale.array();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose());
    poll.advance(1);
  }
  gram = gram.selfadjointView<Eigen::Lower>();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
  if (eigen.info() != Eigen::Success)
    throw InvalidArgument("reference: the PCA's eigen decomposition did not converge");
  poll.poll();
  // Eigenvalues ascending: read them (and their vectors) from the end.
  const Eigen::VectorXd energy = eigen.eigenvalues().reverse().cwiseMax(0.0);
  const double sum = energy.sum();
  std::size_t k = 0;
  double cumulative = 0.0;
  // The fewest components whose explained variance exceeds `variance` (scikit-learn's
  // rule for a fractional n_components).
  while (k < static_cast<std::size_t>(energy.size())) {
    cumulative += sum > 0 ? energy(static_cast<Eigen::Index>(k)) / sum : 0.0;
    ++k;
    if (cumulative > variance) break;
  }
  model.n_components = std::max<std::size_t>(k, 1);
  model.explained_variance = sum > 0 ? cumulative : 0.0;
  model.mean.assign(mean.data(), mean.data() + d);
  model.scale.assign(scale.data(), scale.data() + d);
  model.components.resize(model.n_components * reference.cols);
  for (std::size_t c = 0; c < model.n_components; ++c)
    for (Eigen::Index f = 0; f < d; ++f)
      model.components[c * reference.cols + static_cast<std::size_t>(f)] =
          eigen.eigenvectors()(f, d - 1 - static_cast<Eigen::Index>(c));
  poll.finish();
  return model;
}

std::vector<double> reconstruction_error(const PcaModel& model, MatrixView data,
                                         std::span<const std::int64_t> chunk_of_row, std::int64_t n_chunks, int n_jobs,
                                         const Progress& progress) {
  if (data.cols != model.n_features)
    throw InvalidArgument("data has " + std::to_string(data.cols) + " columns but the PCA was fitted on " +
                          std::to_string(model.n_features));
  if (chunk_of_row.size() != data.rows) throw InvalidArgument("chunk labels must have one entry per row");
  if (n_chunks < 1) throw InvalidArgument("there must be at least one chunk");
  require_finite(data, "data");
  const std::size_t d = model.n_features, k = model.n_components;
  const std::size_t row_blocks = n_blocks(data.rows, 4096);
  std::vector<std::vector<double>> sums(row_blocks, std::vector<double>(static_cast<std::size_t>(n_chunks), 0.0));
  std::vector<std::vector<std::size_t>> counts(row_blocks,
                                               std::vector<std::size_t>(static_cast<std::size_t>(n_chunks), 0));
  StopPoll poll(progress, row_blocks);
  parallel_for(static_cast<std::ptrdiff_t>(row_blocks), resolve_threads(n_jobs), [&](std::ptrdiff_t block) {
    std::vector<double> z(d), scores(k);
    const std::size_t begin = static_cast<std::size_t>(block) * 4096, end = std::min(data.rows, begin + 4096);
    for (std::size_t i = begin; i < end; ++i) {
      const std::int64_t chunk = chunk_of_row[i];
      if (chunk < 0) continue;
      if (chunk >= n_chunks) throw InvalidArgument("chunk label outside [-1, n_chunks)");
      for (std::size_t f = 0; f < d; ++f) z[f] = (data(i, f) - model.mean[f]) / model.scale[f];
      for (std::size_t c = 0; c < k; ++c) {
        double s = 0.0;
        for (std::size_t f = 0; f < d; ++f) s += model.components[c * d + f] * z[f];
        scores[c] = s;
      }
      double error = 0.0;
      for (std::size_t f = 0; f < d; ++f) {
        double reconstructed = 0.0;
        for (std::size_t c = 0; c < k; ++c) reconstructed += model.components[c * d + f] * scores[c];
        error += (z[f] - reconstructed) * (z[f] - reconstructed);
      }
      sums[block][static_cast<std::size_t>(chunk)] += std::sqrt(error);
      ++counts[block][static_cast<std::size_t>(chunk)];
    }
    poll.advance(1);
  });
  poll.finish();
  std::vector<double> mean(static_cast<std::size_t>(n_chunks), 0.0);
  std::vector<std::size_t> rows(static_cast<std::size_t>(n_chunks), 0);
  for (std::size_t b = 0; b < row_blocks; ++b)
    for (std::size_t c = 0; c < mean.size(); ++c) {
      mean[c] += sums[b][c];
      rows[c] += counts[b][c];
    }
  for (std::size_t c = 0; c < mean.size(); ++c)
    mean[c] = rows[c] ? mean[c] / static_cast<double>(rows[c]) : std::numeric_limits<double>::quiet_NaN();
  return mean;
}

}  // namespace assay::drift

namespace assay::drift {

double roc_auc(std::span<const double> scores, std::span<const std::uint8_t> labels) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney form: AUC = (rank sum of positives - n1 (n1 + 1) / 2) / (n0 n1), midranks for ties.
  double rank_sum = 0.0, positives = 0.0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t t = i; t < j; ++t)
      if (labels[order[t]]) {
        rank_sum += midrank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

namespace {

// Newton's method for sum(log-loss) + l2/2 ||w||^2 with an unpenalised intercept
// (the last coefficient). Converges in a handful of steps on standardised features.
Eigen::VectorXd fit_logistic(const Eigen::MatrixXd& features, const Eigen::VectorXd& labels, double l2,
                             StopPoll& poll) {
  const Eigen::Index n = features.rows(), d = features.cols();
  Eigen::MatrixXd design(n, d + 1);
  design << features, Eigen::VectorXd::Ones(n);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(d + 1);
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(d + 1, l2);
  penalty(d) = 0.0;
  for (int iteration = 0; iteration < 100; ++iteration) {
    const Eigen::VectorXd p = (1.0 + (-(design * beta)).array().exp()).inverse().matrix();
    const Eigen::VectorXd gradient = design.transpose() * (p - labels) + penalty.cwiseProduct(beta);
    const Eigen::VectorXd weights = (p.array() * (1.0 - p.array())).max(1e-12).matrix();
    Eigen::MatrixXd hessian = design.transpose() * weights.asDiagonal() * design;
    hessian.diagonal() += penalty;
    hessian.diagonal().array() += 1e-12;  // keeps the system definite when a feature is constant
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    beta -= step;
    poll.poll();
    if (step.lpNorm<Eigen::Infinity>() < 1e-12 * (1 + beta.lpNorm<Eigen::Infinity>())) break;
  }
  return beta;
}

}  // namespace

namespace {

void check_options(const DomainClassifierOptions& options) {
  if (!(options.l2 >= 0) || std::isinf(options.l2)) throw InvalidArgument("l2 must be a finite number >= 0");
  if (options.model == DomainModel::gradient_boosting) {
    if (options.n_trees < 1) throw InvalidArgument("n_trees must be at least 1");
    if (options.max_depth < 1) throw InvalidArgument("max_depth must be at least 1");
    if (options.max_bins < 2 || options.max_bins > 256) throw InvalidArgument("max_bins must be in [2, 256]");
    if (!(options.learning_rate > 0) || std::isinf(options.learning_rate))
      throw InvalidArgument("learning_rate must be a finite number > 0");
  }
}

// Out-of-fold P(current) of every pooled row from the chosen model.
void score_folds(MatrixView x, MatrixView y, const DomainClassifierOptions& options, std::size_t n_folds, int n_jobs,
                 DomainClassifierResult& result, const Progress& progress) {
  const std::size_t nx = x.rows, n = x.rows + y.rows;
  std::vector<std::uint8_t> labels(n, 0);
  std::fill(labels.begin() + static_cast<std::ptrdiff_t>(nx), labels.end(), 1);
  auto split = [&](std::ptrdiff_t fold) {
    std::vector<std::size_t> train, test;
    for (std::size_t i = 0; i < n; ++i) (result.folds[i] == fold ? test : train).push_back(i);
    return std::pair{train, test};
  };
  const int threads = resolve_threads(n_jobs);
  if (options.model == DomainModel::gradient_boosting) {
    std::vector<double> pooled_values(n * x.cols);
    std::copy(x.data, x.data + nx * x.cols, pooled_values.begin());
    std::copy(y.data, y.data + y.rows * y.cols, pooled_values.begin() + static_cast<std::ptrdiff_t>(nx * x.cols));
    // Progress: one unit per column binned and per tree grown.
    StopPoll poll(progress, x.cols + n_folds * options.n_trees);
    const auto binned = boosting::bin_features({pooled_values.data(), n, x.cols}, options.max_bins, n_jobs, &poll);
    parallel_for(static_cast<std::ptrdiff_t>(n_folds), threads, [&](std::ptrdiff_t fold) {
      const auto [train, test] = split(fold);
      const auto probabilities = boosting::fit_predict(binned, labels, train, test, options, &poll);
      for (std::size_t k = 0; k < test.size(); ++k) result.scores[test[k]] = probabilities[k];
    });
    poll.finish();
    return;
  }
  Eigen::MatrixXd pooled(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(x.cols));
  pooled.topRows(static_cast<Eigen::Index>(nx)) = as_eigen(x);
  pooled.bottomRows(static_cast<Eigen::Index>(y.rows)) = as_eigen(y);
  const Eigen::RowVectorXd mean = pooled.colwise().mean();
  pooled.rowwise() -= mean;
  Eigen::RowVectorXd scale = (pooled.colwise().squaredNorm() / static_cast<double>(n)).cwiseSqrt();
  for (Eigen::Index c = 0; c < scale.size(); ++c)
    if (!(scale(c) > 0)) scale(c) = 1.0;
  pooled.array().rowwise() /= scale.array();
  const Eigen::VectorXd targets =
      Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1>>(labels.data(), static_cast<Eigen::Index>(n))
          .cast<double>();
  StopPoll poll(progress, n_folds);  // one unit per fold; a check after every Newton step
  parallel_for(static_cast<std::ptrdiff_t>(n_folds), threads, [&](std::ptrdiff_t fold) {
    const auto [train, test] = split(fold);
    const std::vector<Eigen::Index> rows(train.begin(), train.end());
    const Eigen::VectorXd beta = fit_logistic(pooled(rows, Eigen::all), targets(rows), options.l2, poll);
    const Eigen::Index d = pooled.cols();
    for (const std::size_t i : test) {
      const double margin = pooled.row(static_cast<Eigen::Index>(i)).dot(beta.head(d)) + beta(d);
      result.scores[i] = 1.0 / (1.0 + std::exp(-margin));
    }
    poll.advance(1);
  });
  poll.finish();
}

}  // namespace

DomainClassifierResult domain_classifier(MatrixView x, MatrixView y, std::size_t n_folds,
                                         const DomainClassifierOptions& options, std::uint64_t seed, int n_jobs,
                                         const Progress& progress) {
  if (x.cols != y.cols)
    throw InvalidArgument("reference and current have " + std::to_string(x.cols) + " and " + std::to_string(y.cols) +
                          " columns; they must have the same columns");
  if (n_folds < 2) throw InvalidArgument("n_folds must be at least 2");
  if (x.rows < n_folds || y.rows < n_folds)
    throw InvalidArgument("each sample needs at least n_folds = " + std::to_string(n_folds) + " rows");
  check_options(options);
  if (x.cols == 0) throw InvalidArgument("the domain classifier needs at least one column");
  require_finite(x, "reference");
  require_finite(y, "current");
  const std::size_t nx = x.rows, n = x.rows + y.rows;

  DomainClassifierResult result;
  result.folds.resize(n);
  for (std::uint64_t cls = 0; cls < 2; ++cls) {  // stratified folds
    const std::size_t begin = cls == 0 ? 0 : nx, size = cls == 0 ? nx : y.rows;
    const auto order = mmd_permutation(size, seed, cls);
    for (std::size_t position = 0; position < size; ++position)
      result.folds[begin + order[position]] = static_cast<std::int32_t>(position % n_folds);
  }
  result.scores.assign(n, 0.0);
  score_folds(x, y, options, n_folds, n_jobs, result, progress);
  std::vector<std::uint8_t> is_current(n, 0);
  std::fill(is_current.begin() + static_cast<std::ptrdiff_t>(nx), is_current.end(), 1);
  result.auc = roc_auc(result.scores, is_current);
  for (std::size_t fold = 0; fold < n_folds; ++fold) {
    std::vector<double> s;
    std::vector<std::uint8_t> l;
    for (std::size_t i = 0; i < n; ++i)
      if (result.folds[i] == static_cast<std::int32_t>(fold)) {
        s.push_back(result.scores[i]);
        l.push_back(is_current[i]);
      }
    result.fold_auc.push_back(roc_auc(s, l));
  }
  // Hanley & McNeil (1982): standard error of an AUC from n1 positives and n0 negatives.
  const double a = result.auc, n1 = static_cast<double>(y.rows), n0 = static_cast<double>(nx);
  const double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  const double se = std::sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n0 * n1));
  result.lower = std::max(0.0, a - 1.959963984540054 * se);
  result.upper = std::min(1.0, a + 1.959963984540054 * se);
  return result;
}

}  // namespace assay::drift
