#include "assay/fairness/by_group.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/fairness/groups.hpp"

namespace assay::fairness {

namespace {

// The group column as level codes, and the labels that name them (codes name themselves
// when the groups came as codes).
struct GroupLevels {
  std::vector<std::int32_t> owned_codes;  // filled when the groups came as labels
  std::span<const std::int32_t> codes;
  std::int32_t n_levels = 0;
  std::vector<std::string> labels;

  std::string name(std::int32_t level) const {
    return labels.empty() ? std::to_string(level) : labels[static_cast<std::size_t>(level)];
  }
};

GroupLevels levels_from_codes(std::span<const std::int32_t> group) {
  GroupLevels levels;
  levels.codes = group;
  const std::int32_t largest = *std::max_element(group.begin(), group.end());
  if (largest == std::numeric_limits<std::int32_t>::max()) throw InvalidArgument("group: code 2147483647 is too large");
  levels.n_levels = std::max(largest, -1) + 1;
  return levels;
}

GroupLevels levels_from_labels(std::span<const std::string> group) {
  std::map<std::string, std::int32_t> code_of;  // sorted labels
  for (const std::string& label : group) code_of.emplace(label, 0);
  GroupLevels levels;
  for (auto& [label, code] : code_of) {
    code = static_cast<std::int32_t>(levels.labels.size());
    levels.labels.push_back(label);
  }
  levels.owned_codes.reserve(group.size());
  for (const std::string& label : group) levels.owned_codes.push_back(code_of.at(label));
  levels.codes = levels.owned_codes;  // a moved vector keeps its buffer, so the span stays valid
  levels.n_levels = static_cast<std::int32_t>(levels.labels.size());
  return levels;
}

void check_lengths(std::size_t n_true, std::size_t n_pred, std::size_t n_group) {
  if (n_true == 0) throw InvalidArgument("y_true: no rows");
  if (n_pred != n_true) {
    throw InvalidArgument("y_pred: " + std::to_string(n_pred) + " values but y_true has " + std::to_string(n_true));
  }
  if (n_group != n_true) {
    throw InvalidArgument("group: " + std::to_string(n_group) + " values but y_true has " + std::to_string(n_true));
  }
}

// The groups that occur (a missing code -1 is an error naming `group`).
GroupIndex index_groups(const GroupLevels& levels, int n_jobs) {
  const GroupFeature feature{"group", levels.codes, levels.n_levels};
  return build_group_index(std::span<const GroupFeature>(&feature, 1), MissingPolicy::error, /*observed=*/true, n_jobs);
}

// Everything but the metric values: the groups' names and rows.
MetricByGroup describe_groups(const GroupIndex& index, const GroupLevels& levels) {
  MetricByGroup result;
  for (std::int32_t g = 0; g < index.n_groups; ++g) {
    result.groups.push_back(levels.name(index.keys[0][static_cast<std::size_t>(g)]));
  }
  result.rows = index.group_rows;
  return result;
}

// Fills the values and the aggregates from per-group and overall values.
void finish(MetricByGroup& result, MetricValues by_group, const MetricValues& overall, Convention convention) {
  result.by_group = std::move(by_group.values);
  result.reasons = std::move(by_group.reasons);
  result.overall = overall.values.at(0);
  result.overall_reason = overall.reasons.at(0);
  const std::vector<std::int32_t> one_level(result.by_group.size(), 0);
  const Aggregates a =
      aggregate(result.by_group, one_level, 1, std::span<const double>(&result.overall, 1), convention);
  result.group_min = a.group_min[0];
  result.group_max = a.group_max[0];
  result.difference = a.difference_between[0];
  result.ratio = a.ratio_between[0];
  result.difference_to_overall = a.difference_to_overall[0];
  result.ratio_to_overall = a.ratio_to_overall[0];
}

std::int32_t class_count(std::span<const std::int32_t> y, const char* argument, std::int32_t at_least) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0) {
      throw InvalidArgument(std::string(argument) + ": class code " + std::to_string(y[i]) + " at row " +
                            std::to_string(i) + " is negative");
    }
    if (y[i] == std::numeric_limits<std::int32_t>::max()) {
      throw InvalidArgument(std::string(argument) + ": class code " + std::to_string(y[i]) + " is too large");
    }
    at_least = std::max(at_least, y[i] + 1);
  }
  return at_least;
}

MetricByGroup classification(ClassificationMetric metric, std::span<const std::int32_t> y_true,
                             std::span<const std::int32_t> y_pred, const GroupLevels& levels,
                             const ByGroupOptions& options) {
  const std::int32_t n_classes = class_count(y_pred, "y_pred", class_count(y_true, "y_true", 2));
  const GroupIndex index = index_groups(levels, options.n_jobs);
  const ConfusionStats stats = accumulate_confusion(index.row_group, index.n_groups, y_true, y_pred, n_classes,
                                                    options.sample_weight, options.n_jobs);
  MetricByGroup result = describe_groups(index, levels);
  // Every row is in a group (missing groups are refused), so the groups summed into one
  // are the overall statistics.
  const std::vector<std::int32_t> all_to_one(static_cast<std::size_t>(index.n_groups), 0);
  finish(result, classification_metric(stats, metric, options.positive_class, options.convention),
         classification_metric(sum_groups(stats, all_to_one, 1), metric, options.positive_class, options.convention),
         options.convention);
  return result;
}

MetricByGroup regression(RegressionMetric metric, std::span<const double> y_true, std::span<const double> y_pred,
                         const GroupLevels& levels, const ByGroupOptions& options) {
  const GroupIndex index = index_groups(levels, options.n_jobs);
  const RegressionStats stats =
      accumulate_regression(index.row_group, index.n_groups, y_true, y_pred, options.sample_weight, options.n_jobs);
  MetricByGroup result = describe_groups(index, levels);
  const std::vector<std::int32_t> all_to_one(static_cast<std::size_t>(index.n_groups), 0);  // as above
  finish(result, regression_metric(stats, metric, options.convention),
         regression_metric(sum_groups(stats, all_to_one, 1), metric, options.convention), options.convention);
  return result;
}

}  // namespace

MetricByGroup metric_by_group(ClassificationMetric metric, std::span<const std::int32_t> y_true,
                              std::span<const std::int32_t> y_pred, std::span<const std::int32_t> group,
                              const ByGroupOptions& options) {
  check_lengths(y_true.size(), y_pred.size(), group.size());
  return classification(metric, y_true, y_pred, levels_from_codes(group), options);
}

MetricByGroup metric_by_group(ClassificationMetric metric, std::span<const std::int32_t> y_true,
                              std::span<const std::int32_t> y_pred, std::span<const std::string> group,
                              const ByGroupOptions& options) {
  check_lengths(y_true.size(), y_pred.size(), group.size());
  return classification(metric, y_true, y_pred, levels_from_labels(group), options);
}

MetricByGroup metric_by_group(RegressionMetric metric, std::span<const double> y_true, std::span<const double> y_pred,
                              std::span<const std::int32_t> group, const ByGroupOptions& options) {
  check_lengths(y_true.size(), y_pred.size(), group.size());
  return regression(metric, y_true, y_pred, levels_from_codes(group), options);
}

MetricByGroup metric_by_group(RegressionMetric metric, std::span<const double> y_true, std::span<const double> y_pred,
                              std::span<const std::string> group, const ByGroupOptions& options) {
  check_lengths(y_true.size(), y_pred.size(), group.size());
  return regression(metric, y_true, y_pred, levels_from_labels(group), options);
}

}  // namespace assay::fairness
