#pragma once
// One metric by group in one call, with its aggregates: what fairlearn's MetricFrame
// gives for one metric and one sensitive feature, for C++ programs.
//
// A composition of the engine's steps, nothing more: build_group_index (groups.hpp) turns
// the group vector into group ids (the groups that occur, in order of their code or
// label), accumulate_confusion / accumulate_regression (stats.hpp) take one pass over the
// rows, sum_groups gives the overall statistics without a second pass, and
// classification_metric / regression_metric and aggregate (metrics.hpp) compute the values.
// Definitions, conventions and NaN rules are those of metrics.hpp.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "assay/fairness/metrics.hpp"
#include "assay/fairness/stats.hpp"

namespace assay::fairness {

struct ByGroupOptions {
  // nullopt: every row weighs 1
  Weights sample_weight{};  // NOLINT(readability-redundant-member-init): -Wmissing-field-initializers
  Convention convention = Convention::strict;  // see metrics.hpp
  std::int32_t positive_class = 1;             // classification: the class code counted as positive
  int n_jobs = 0;                              // <= 0: all cores
};

struct MetricByGroup {
  std::vector<std::string> groups;  // one name per group: its label, or its code as text
  std::vector<double> by_group;     // the metric per group
  std::vector<Undefined> reasons;   // why a value of by_group is NaN (strict) or replaced (fairlearn)
  std::vector<std::int64_t> rows;   // rows per group
  double overall = std::numeric_limits<double>::quiet_NaN();  // the metric over all rows
  Undefined overall_reason = Undefined::none;
  // The aggregates over the groups (aggregate() of metrics.hpp, one control level):
  // difference = group_max - group_min, ratio = group_min / group_max,
  // difference_to_overall = max |value - overall|, ratio_to_overall = min r(value / overall)
  // with r(x) = 1/x if x > 1 else x.
  double group_min = std::numeric_limits<double>::quiet_NaN();
  double group_max = std::numeric_limits<double>::quiet_NaN();
  double difference = std::numeric_limits<double>::quiet_NaN();
  double ratio = std::numeric_limits<double>::quiet_NaN();
  double difference_to_overall = std::numeric_limits<double>::quiet_NaN();
  double ratio_to_overall = std::numeric_limits<double>::quiet_NaN();
};

// Classification: y_true and y_pred are class codes >= 0 (the number of classes is the
// largest code + 1, at least 2). `group` is one group per row, as codes >= 0 (named by
// their text) or as labels (groups in sorted label order). Throws InvalidArgument naming
// y_true, y_pred, group or sample_weight on bad input (mismatched lengths, negative
// codes, no rows, a missing code -1 in group).
MetricByGroup metric_by_group(ClassificationMetric metric, std::span<const std::int32_t> y_true,
                              std::span<const std::int32_t> y_pred, std::span<const std::int32_t> group,
                              const ByGroupOptions& options = {});
MetricByGroup metric_by_group(ClassificationMetric metric, std::span<const std::int32_t> y_true,
                              std::span<const std::int32_t> y_pred, std::span<const std::string> group,
                              const ByGroupOptions& options = {});
// Regression: finite y_true and y_pred; `group` as above.
MetricByGroup metric_by_group(RegressionMetric metric, std::span<const double> y_true, std::span<const double> y_pred,
                              std::span<const std::int32_t> group, const ByGroupOptions& options = {});
MetricByGroup metric_by_group(RegressionMetric metric, std::span<const double> y_true, std::span<const double> y_pred,
                              std::span<const std::string> group, const ByGroupOptions& options = {});

}  // namespace assay::fairness
