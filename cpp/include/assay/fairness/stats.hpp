#pragma once
// Sufficient statistics per group, accumulated in one pass over the rows. Every
// built-in fairness metric is a function of these.
//
// Classification: a K x K confusion matrix per group (K = 2 for binary labels, class 1
// positive), as row counts and as weight sums. Regression: per group, the weight sum,
// a weighted mean and sum of squared deviations of y (West 1979, so that R^2 does not
// lose precision), and weighted sums of the prediction, the error (y_pred - y), its
// square and its absolute value.
//
// Accumulators merge (merge(a, b) equals accumulating the concatenated rows, up to
// floating-point rounding of weight sums) and serialise to bytes, so counts from data
// chunks combine into the same result. Row blocks are fixed (they depend on the number
// of rows and groups only) and reduced in block order, so results are identical for
// every n_jobs.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace assay::fairness {

struct ConfusionStats {
  std::int32_t n_groups = 0;
  std::int32_t n_classes = 2;
  bool weighted = false;
  std::vector<std::int64_t> counts;  // [group][true class][predicted class]
  std::vector<double> weights;       // same layout; equals counts when not weighted

  std::size_t cell(std::int32_t group, std::int32_t y_true, std::int32_t y_pred) const {
    return (static_cast<std::size_t>(group) * static_cast<std::size_t>(n_classes) + static_cast<std::size_t>(y_true)) *
               static_cast<std::size_t>(n_classes) +
           static_cast<std::size_t>(y_pred);
  }
};

struct RegressionStats {
  std::int32_t n_groups = 0;
  bool weighted = false;
  std::vector<std::int64_t> count;
  std::vector<double> weight;         // sum of weights
  std::vector<double> mean_true;      // weighted mean of y
  std::vector<double> m2_true;        // weighted sum of squared deviations of y from its mean
  std::vector<double> sum_pred;       // sum of w * y_pred
  std::vector<double> sum_error;      // sum of w * (y_pred - y)
  std::vector<double> sum_sq_error;   // sum of w * (y_pred - y)^2
  std::vector<double> sum_abs_error;  // sum of w * |y_pred - y|
};

// row_group[i] in [-1, n_groups): -1 rows are skipped. y_true / y_pred are class codes
// in [0, n_classes). `sample_weight` is nullopt (unweighted: every row weighs 1) or one
// finite, non-negative weight per row. Throws InvalidArgument naming the argument on
// bad input.
using Weights = std::optional<std::span<const double>>;
ConfusionStats accumulate_confusion(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                    std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                    std::int32_t n_classes, const Weights& sample_weight, int n_jobs);

// y_true and y_pred must be finite.
RegressionStats accumulate_regression(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                      std::span<const double> y_true, std::span<const double> y_pred,
                                      const Weights& sample_weight, int n_jobs);

// Statistics of the rows of a and b together (same groups, classes and weighting).
ConfusionStats merge(const ConfusionStats& a, const ConfusionStats& b);
RegressionStats merge(const RegressionStats& a, const RegressionStats& b);

// Sums groups into targets: target[g] in [-1, n_targets), -1 groups are left out.
ConfusionStats sum_groups(const ConfusionStats& stats, std::span<const std::int32_t> target, std::int32_t n_targets);
RegressionStats sum_groups(const RegressionStats& stats, std::span<const std::int32_t> target, std::int32_t n_targets);

// A portable little-endian byte string and back (throws InvalidArgument on bytes that
// are not a serialised accumulator of that kind).
std::string to_bytes(const ConfusionStats& stats);
std::string to_bytes(const RegressionStats& stats);
ConfusionStats confusion_from_bytes(const std::string& bytes);
RegressionStats regression_from_bytes(const std::string& bytes);

}  // namespace assay::fairness
