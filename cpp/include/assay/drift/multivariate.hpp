#pragma once
// Multivariate drift detectors: kernel maximum mean discrepancy with a permutation
// test, and PCA reconstruction error per chunk.
//
// Samples are row-major matrices (n rows x d features) of finite values of magnitude
// at most 1e150 (so that squared distances stay finite); others are InvalidArgument.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/common/progress.hpp"

namespace assay::drift {

// A row-major matrix view.
struct MatrixView {
  const double* data = nullptr;
  std::size_t rows = 0, cols = 0;
  double operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

struct MmdResult {
  double statistic = 0.0;        // unbiased MMD^2 (Gretton et al. 2012, eq. 3)
  double pvalue = 1.0;           // (1 + #{permuted >= observed}) / (1 + n_permutations)
  double bandwidth = 0.0;        // sigma of the kernel exp(-||a - b||^2 / (2 sigma^2))
  std::vector<double> permuted;  // the statistic under each permutation
};

// The permutation p (0-based) of the pooled rows [x; y] used by the test: a
// Fisher-Yates shuffle drawn from CounterRng(seed, p); its first n_x entries form the
// permuted x sample. Exposed so that other implementations can reproduce the test.
std::vector<std::uint32_t> mmd_permutation(std::size_t n_pooled, std::uint64_t seed, std::size_t p);

// Median heuristic: sigma^2 = median of ||x_i - y_j||^2 over all pairs, halved (as
// alibi-detect). Above 4 million pairs, the median is taken over the pairs of 2000
// rows of each sample chosen with CounterRng(seed, block).
double median_heuristic_bandwidth(MatrixView x, MatrixView y, std::uint64_t seed);

// RBF-kernel MMD^2 between x and y with a permutation p-value. `bandwidth` <= 0 or NaN
// uses the median heuristic. The kernel matrix is computed in blocks (never stored
// whole) and the statistic of all permutations is accumulated from each block with
// matrix products; memory is O((n_x + n_y) n_permutations). Throws InvalidArgument for
// fewer than 2 rows per sample, differing column counts or non-finite values.
// `standardize` first rescales every column of both samples with the reference's mean
// and population standard deviation (a column constant in the reference is centred
// only), so that no column weighs in the kernel by its units alone; the bandwidth (and
// the median heuristic) then applies to the standardised values.
MmdResult mmd_test(MatrixView x, MatrixView y, std::size_t n_permutations, std::uint64_t seed, double bandwidth,
                   int n_jobs, const Progress& progress = {}, bool standardize = false);

// PCA fitted on a reference (NannyML's data-reconstruction drift): standardise with the
// reference means and population standard deviations (constant columns are centred
// only), keep the fewest principal components (thin SVD) whose explained variance
// reaches `variance` (0 < variance <= 1), and measure each row's Euclidean
// reconstruction error in standardised units. The fit streams over blocks of 16,384
// rows (mean, standard deviation, Gram matrix of the standardised rows; memory
// O(d^2), at most kMaxPcaColumns columns, else ResourceLimit) and asks `progress`
// after each block; the axes are the eigenvectors of the d x d Gram matrix.
struct PcaModel {
  std::vector<double> mean, scale;
  std::vector<double> components;  // k x d, row-major
  std::size_t n_components = 0, n_features = 0;
  double explained_variance = 0.0;
};
inline constexpr std::size_t kMaxPcaColumns = 16384;
PcaModel fit_pca(MatrixView reference, double variance, const Progress& progress = {});
// Mean reconstruction error of the rows of each chunk: chunk_of_row[i] in
// [0, n_chunks) (or -1 to skip the row). Chunks without rows give NaN. `progress` counts
// blocks of 4,096 rows and is asked after each.
std::vector<double> reconstruction_error(const PcaModel& model, MatrixView data,
                                         std::span<const std::int64_t> chunk_of_row, std::int64_t n_chunks, int n_jobs,
                                         const Progress& progress = {});

// Domain-classifier drift: a classifier learns to tell current rows (label 1) from
// reference rows (label 0). Rows are split into `n_folds` stratified folds (each class
// shuffled with CounterRng(seed, class), position modulo n_folds); every row is scored
// by the model that did not see it. AUC near 0.5 means the samples cannot be told apart.
//
// logistic: an L2-regularised logistic regression on features standardised with the
// pooled mean and population standard deviation; it minimises sum(log-loss) +
// l2/2 ||w||^2 (intercept not penalised; scikit-learn's LogisticRegression with
// C = 1/l2) by Newton's method.
// gradient_boosting: n_trees regression trees on the log-loss gradients (learning
// rate, depth <= max_depth, >= min_samples_leaf rows per leaf, l2 on the leaf values as
// XGBoost's lambda), split on histograms of at most max_bins quantile bins per feature
// computed once from all rows (labels unused). Deterministic: the seed only sets the
// folds.
enum class DomainModel { logistic, gradient_boosting };
struct DomainClassifierOptions {
  DomainModel model = DomainModel::logistic;
  double l2 = 1.0;
  std::size_t n_trees = 100, max_depth = 3, max_bins = 255, min_samples_leaf = 20;
  double learning_rate = 0.1;
};
struct DomainClassifierResult {
  double auc = 0.0;                 // ROC AUC of the out-of-fold scores
  double lower = 0.0, upper = 0.0;  // 95% interval, Hanley & McNeil (1982) standard error
  std::vector<double> fold_auc;     // AUC within each fold
  std::vector<double> scores;       // out-of-fold P(current), reference rows first
  std::vector<std::int32_t> folds;  // fold of each pooled row
};
// Folds are fitted in parallel; results are the same for every n_jobs. Throws
// InvalidArgument for bad options, differing column counts, non-finite values or
// fewer than n_folds rows per sample. `progress` counts columns binned and trees grown
// (gradient boosting) or folds fitted (logistic) and is asked after every tree node,
// binned column and Newton step, so a stop request ends the call within one node's
// histogram (rows x columns) per thread.
DomainClassifierResult domain_classifier(MatrixView x, MatrixView y, std::size_t n_folds,
                                         const DomainClassifierOptions& options, std::uint64_t seed, int n_jobs,
                                         const Progress& progress = {});

// ROC AUC of scores for binary labels (1 = positive), ties counted one half.
double roc_auc(std::span<const double> scores, std::span<const std::uint8_t> labels);

}  // namespace assay::drift
