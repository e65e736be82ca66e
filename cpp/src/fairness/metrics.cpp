#include "assay/fairness/metrics.hpp"

#include <cmath>
#include <limits>

#include "assay/common/error.hpp"

namespace assay::fairness {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A rate num/den: NaN (strict) or `fallback` (fairlearn) when den = 0.
void rate(double num, double den, Undefined reason, Convention convention, double fallback, double& value,
          Undefined& why) {
  if (den == 0.0) {
    why = reason;
    value = convention == Convention::fairlearn ? fallback : kNaN;
  } else {
    value = num / den;
  }
}

}  // namespace

std::string_view describe(Undefined reason) {
  switch (reason) {
    case Undefined::none:
      return "";
    case Undefined::empty_group:
      return "the group has no rows";
    case Undefined::zero_weight:
      return "the group's sample weights sum to zero";
    case Undefined::no_actual_positives:
      return "the group has no actual positives (TP + FN = 0)";
    case Undefined::no_actual_negatives:
      return "the group has no actual negatives (TN + FP = 0)";
    case Undefined::no_predicted_positives:
      return "the group has no predicted positives (TP + FP = 0)";
    case Undefined::no_positives_at_all:
      return "the group has no actual or predicted positives";
    case Undefined::single_row:
      return "R^2 needs at least two rows";
    case Undefined::constant_target:
      return "y_true is constant in the group (R^2 divides by zero)";
  }
  return "";
}

MetricValues classification_metric(const ConfusionStats& stats, ClassificationMetric metric,
                                   std::int32_t positive_class, Convention convention) {
  const std::int32_t k = stats.n_classes;
  if (positive_class < -1 || positive_class >= k) throw InvalidArgument("positive_class: out of range");
  const auto groups = static_cast<std::size_t>(stats.n_groups);
  MetricValues out{std::vector<double>(groups, kNaN), std::vector<Undefined>(groups, Undefined::none)};
  for (std::size_t g = 0; g < groups; ++g) {
    const auto gi = static_cast<std::int32_t>(g);
    std::int64_t rows = 0;
    double total = 0, tp = 0, fp = 0, fn = 0, tn = 0, diagonal = 0;
    for (std::int32_t t = 0; t < k; ++t) {
      for (std::int32_t p = 0; p < k; ++p) {
        const std::size_t c = stats.cell(gi, t, p);
        rows += stats.counts[c];
        const double w = stats.weights[c];
        total += w;
        if (t == p) diagonal += w;
        const bool actual = t == positive_class, predicted = p == positive_class;
        (actual ? (predicted ? tp : fn) : (predicted ? fp : tn)) += w;
      }
    }
    double& value = out.values[g];
    Undefined& why = out.reasons[g];
    if (rows == 0) {
      why = Undefined::empty_group;
      continue;
    }
    if (metric == ClassificationMetric::count) {
      value = static_cast<double>(rows);
      continue;
    }
    // Ratios over all rows are 0/0 when every weight is zero; fairlearn returns NaN
    // there too (numpy's division), so there is no fallback.
    switch (metric) {
      case ClassificationMetric::count:
        break;
      case ClassificationMetric::selection_rate:
        rate(tp + fp, total, Undefined::zero_weight, Convention::strict, 0, value, why);
        break;
      case ClassificationMetric::accuracy:
        rate(diagonal, total, Undefined::zero_weight, Convention::strict, 0, value, why);
        break;
      case ClassificationMetric::error_rate:
        rate(diagonal, total, Undefined::zero_weight, Convention::strict, 0, value, why);
        value = 1.0 - value;
        break;
      case ClassificationMetric::true_positive_rate:
        rate(tp, tp + fn, Undefined::no_actual_positives, convention, 0, value, why);
        break;
      case ClassificationMetric::false_negative_rate:
        rate(fn, tp + fn, Undefined::no_actual_positives, convention, 0, value, why);
        break;
      case ClassificationMetric::false_positive_rate:
        rate(fp, fp + tn, Undefined::no_actual_negatives, convention, 0, value, why);
        break;
      case ClassificationMetric::true_negative_rate:
        rate(tn, fp + tn, Undefined::no_actual_negatives, convention, 0, value, why);
        break;
      case ClassificationMetric::precision:
        rate(tp, tp + fp, Undefined::no_predicted_positives, convention, 0, value, why);
        break;
      case ClassificationMetric::f1:
        // scikit-learn: (1 + beta^2) TP / (beta^2 (TP + FN) + (TP + FP)) with beta = 1.
        rate(2.0 * tp, (tp + fn) + (tp + fp), Undefined::no_positives_at_all, convention, 0, value, why);
        break;
      case ClassificationMetric::balanced_accuracy: {
        // Mean recall over the classes with positive weight in y_true (scikit-learn
        // drops classes whose recall is 0/0).
        double sum = 0;
        int present = 0;
        for (std::int32_t t = 0; t < k; ++t) {
          double row = 0;
          for (std::int32_t p = 0; p < k; ++p) row += stats.weights[stats.cell(gi, t, p)];
          if (row > 0) {
            sum += stats.weights[stats.cell(gi, t, t)] / row;
            ++present;
          }
        }
        if (present == 0) {
          why = Undefined::zero_weight;
        } else {
          value = sum / present;
        }
        break;
      }
    }
  }
  return out;
}

MetricValues regression_metric(const RegressionStats& stats, RegressionMetric metric, Convention convention) {
  const auto groups = static_cast<std::size_t>(stats.n_groups);
  MetricValues out{std::vector<double>(groups, kNaN), std::vector<Undefined>(groups, Undefined::none)};
  for (std::size_t g = 0; g < groups; ++g) {
    double& value = out.values[g];
    Undefined& why = out.reasons[g];
    if (stats.count[g] == 0) {
      why = Undefined::empty_group;
      continue;
    }
    const double w = stats.weight[g];
    const Convention plain = Convention::strict;  // means over all rows: 0/0 is NaN everywhere
    switch (metric) {
      case RegressionMetric::mean_prediction:
        rate(stats.sum_pred[g], w, Undefined::zero_weight, plain, 0, value, why);
        break;
      case RegressionMetric::mean_error:
        rate(stats.sum_error[g], w, Undefined::zero_weight, plain, 0, value, why);
        break;
      case RegressionMetric::mean_absolute_error:
        rate(stats.sum_abs_error[g], w, Undefined::zero_weight, plain, 0, value, why);
        break;
      case RegressionMetric::mean_squared_error:
        rate(stats.sum_sq_error[g], w, Undefined::zero_weight, plain, 0, value, why);
        break;
      case RegressionMetric::root_mean_squared_error:
        rate(stats.sum_sq_error[g], w, Undefined::zero_weight, plain, 0, value, why);
        value = std::sqrt(value);
        break;
      case RegressionMetric::r2:
        if (stats.count[g] < 2) {
          why = Undefined::single_row;  // scikit-learn returns NaN here as well
        } else if (w == 0.0) {
          why = Undefined::zero_weight;
        } else if (stats.m2_true[g] == 0.0) {
          why = Undefined::constant_target;
          // scikit-learn (force_finite=True): 1 for a perfect fit, else 0.
          if (convention == Convention::fairlearn) value = stats.sum_sq_error[g] == 0.0 ? 1.0 : 0.0;
        } else {
          value = 1.0 - stats.sum_sq_error[g] / stats.m2_true[g];
        }
        break;
    }
  }
  return out;
}

Aggregates aggregate(std::span<const double> values, std::span<const std::int32_t> control, std::int32_t n_levels,
                     std::span<const double> overall, Convention convention) {
  if (control.size() != values.size()) throw InvalidArgument("control: one entry per group value");
  if (n_levels < 0 || overall.size() != static_cast<std::size_t>(n_levels)) {
    throw InvalidArgument("overall: one value per control level");
  }
  const auto levels = static_cast<std::size_t>(n_levels);
  Aggregates a;
  for (auto* v : {&a.group_min, &a.group_max, &a.difference_between, &a.difference_to_overall, &a.ratio_between,
                  &a.ratio_to_overall}) {
    v->assign(levels, kNaN);
  }
  std::vector<std::uint8_t> undefined(convention == Convention::strict ? levels : 0, 0);
  for (std::size_t g = 0; g < values.size(); ++g) {
    const std::int32_t level = control[g];
    if (level < -1 || level >= n_levels) throw InvalidArgument("control: entry out of range");
    const double v = values[g];
    if (level < 0) continue;
    if (std::isnan(v)) {
      if (!undefined.empty()) undefined[static_cast<std::size_t>(level)] = 1;
      continue;
    }
    const auto k = static_cast<std::size_t>(level);
    if (std::isnan(a.group_min[k]) || v < a.group_min[k]) a.group_min[k] = v;
    if (std::isnan(a.group_max[k]) || v > a.group_max[k]) a.group_max[k] = v;
    const double gap = std::abs(v - overall[k]);
    if (!std::isnan(gap) && (std::isnan(a.difference_to_overall[k]) || gap > a.difference_to_overall[k])) {
      a.difference_to_overall[k] = gap;
    }
    double r = v / overall[k];
    if (r > 1) r = 1 / r;
    if (!std::isnan(r) && (std::isnan(a.ratio_to_overall[k]) || r < a.ratio_to_overall[k])) a.ratio_to_overall[k] = r;
  }
  for (std::size_t k = 0; k < levels; ++k) {
    a.difference_between[k] = a.group_max[k] - a.group_min[k];
    a.ratio_between[k] = a.group_min[k] / a.group_max[k];
    if (!undefined.empty() && undefined[k]) {
      for (auto* v : {&a.group_min, &a.group_max, &a.difference_between, &a.difference_to_overall, &a.ratio_between,
                      &a.ratio_to_overall}) {
        (*v)[k] = kNaN;
      }
    }
    if (!undefined.empty() && std::isnan(overall[k])) a.difference_to_overall[k] = a.ratio_to_overall[k] = kNaN;
  }
  return a;
}

}  // namespace assay::fairness
