#pragma once
// Built-in metrics per group, as functions of the sufficient statistics, and the
// aggregates fairlearn defines over groups.
//
// Two conventions for values that are undefined (a rate whose denominator is zero):
//  - strict (the default): NaN, with the reason recorded per group;
//  - fairlearn: what fairlearn and scikit-learn return, e.g. a true-positive rate of 0
//    for a group without positives (scikit-learn's confusion_matrix(normalize="true")
//    replaces 0/0 by 0), and precision, recall and F1 of 0 on empty denominators
//    (zero_division="warn").
// Groups without rows are NaN under both conventions.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assay/fairness/stats.hpp"

namespace assay::fairness {

enum class Convention { strict, fairlearn };

enum class ClassificationMetric {
  count,                // rows (unweighted, as fairlearn's count)
  selection_rate,       // P(y_pred = positive)
  true_positive_rate,   // TP / (TP + FN), also recall
  false_positive_rate,  // FP / (FP + TN)
  true_negative_rate,   // TN / (TN + FP)
  false_negative_rate,  // FN / (FN + TP)
  precision,            // TP / (TP + FP)
  f1,                   // 2 TP / (2 TP + FP + FN)
  accuracy,             // sum of the diagonal / total (any number of classes)
  error_rate,           // 1 - accuracy
  balanced_accuracy,    // mean recall over the classes present in y_true (any number of classes)
};

enum class RegressionMetric {
  mean_prediction,  // weighted mean of y_pred
  mean_error,       // weighted mean of y_pred - y_true
  mean_absolute_error,
  mean_squared_error,
  root_mean_squared_error,
  r2,  // 1 - SS_res / SS_tot
};

// Why a value is NaN (strict convention) or was replaced (fairlearn convention).
enum class Undefined : std::uint8_t {
  none,
  empty_group,             // the group has no rows
  zero_weight,             // the group's weights sum to zero
  no_actual_positives,     // TP + FN = 0
  no_actual_negatives,     // TN + FP = 0
  no_predicted_positives,  // TP + FP = 0
  no_positives_at_all,     // TP + FP + FN = 0 (F1)
  single_row,              // R^2 needs two rows
  constant_target,         // R^2: y_true is constant in the group
};

std::string_view describe(Undefined reason);

struct MetricValues {
  std::vector<double> values;
  std::vector<Undefined> reasons;
};

// One value per group of `stats`. `positive_class` is the class code counted as
// positive by the binary metrics (-1: the positive label does not occur, so nothing is
// positive); accuracy, error rate and balanced accuracy use all classes.
MetricValues classification_metric(const ConfusionStats& stats, ClassificationMetric metric,
                                   std::int32_t positive_class, Convention convention);
MetricValues regression_metric(const RegressionStats& stats, RegressionMetric metric, Convention convention);

// Aggregates of one metric over groups, per control level (a single level when there
// are no control features):
//   group_min / group_max
//   difference_between = group_max - group_min
//   difference_to_overall = max over groups of |value - overall|
//   ratio_between = group_min / group_max
//   ratio_to_overall = min over groups of r(value / overall), r(x) = 1/x if x > 1 else x
// All divisions are IEEE (x/0 = inf, 0/0 = NaN), as fairlearn's.
//
// Undefined (NaN) group values:
//  - Convention::fairlearn skips them, as pandas does (a level whose groups are all NaN
//    gets NaN). This reproduces fairlearn's numbers.
//  - Convention::strict: a comparison over groups is only known when every compared
//    group's value is, so a NaN value of an included group makes all six aggregates of
//    its level NaN (a group without a defined rate must never make a disparity read as
//    "no disparity"). Leave groups out (control -1) to exclude them, e.g. empty groups.
struct Aggregates {
  std::vector<double> group_min, group_max, difference_between, difference_to_overall, ratio_between, ratio_to_overall;
};
// values[g] belongs to control level control[g] (in [0, n_levels), or -1 to leave the
// group out); overall[k] is the metric over all rows of level k.
Aggregates aggregate(std::span<const double> values, std::span<const std::int32_t> control, std::int32_t n_levels,
                     std::span<const double> overall, Convention convention = Convention::strict);

}  // namespace assay::fairness
