#include "assay/fairness/scores.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/fairness/groups.hpp"

namespace assay::fairness {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_inputs(std::span<const std::int32_t> row_group, std::span<const double> scores,
                  std::span<const std::int32_t> labels, std::span<const double> weights, bool unit_interval) {
  const std::size_t n = row_group.size();
  if (scores.size() != n) throw InvalidArgument("y_score has " + std::to_string(scores.size()) + " rows but y_true has " + std::to_string(n));
  if (labels.size() != n) throw InvalidArgument("y_true: length differs from the group index");
  if (!weights.empty() && weights.size() != n) throw InvalidArgument("sample_weight: length differs from y_true");
  for (std::size_t i = 0; i < n; ++i) {
    const double s = scores[i];
    if (!std::isfinite(s) || (unit_interval && (s < 0 || s > 1))) {
      throw InvalidArgument("y_score: value " + std::to_string(s) + " at row " + std::to_string(i) +
                            (unit_interval ? " is not a probability in [0, 1]" : " is not finite"));
    }
    if (labels[i] != 0 && labels[i] != 1) throw InvalidArgument("y_true: labels must be coded 0 or 1");
    if (!weights.empty() && !(weights[i] >= 0 && std::isfinite(weights[i]))) {
      throw InvalidArgument("sample_weight: weights must be finite and non-negative");
    }
  }
}

}  // namespace

MetricValues roc_auc_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                              std::span<const double> scores, std::span<const std::int32_t> labels,
                              std::span<const double> weights, int n_jobs) {
  check_inputs(row_group, scores, labels, weights, false);
  const GroupOrder order = sort_rows_by_group(row_group, n_groups);
  const auto groups = static_cast<std::size_t>(n_groups);
  MetricValues out{std::vector<double>(groups, kNaN), std::vector<Undefined>(groups, Undefined::none)};
  parallel_for(static_cast<std::ptrdiff_t>(groups), resolve_threads(n_jobs), [&](std::ptrdiff_t gi) {
    const auto g = static_cast<std::size_t>(gi);
    const auto begin = order.order.begin() + order.offsets[g], end = order.order.begin() + order.offsets[g + 1];
    if (begin == end) {
      out.reasons[g] = Undefined::empty_group;
      return;
    }
    std::vector<std::int64_t> rows(begin, end);
    std::stable_sort(rows.begin(), rows.end(), [&](std::int64_t a, std::int64_t b) { return scores[a] < scores[b]; });
    // Walk tie blocks in ascending score: each positive beats the negative weight below
    // its block and ties half of the negative weight in it.
    double negative_below = 0, pairs = 0, positive_total = 0;
    for (std::size_t i = 0; i < rows.size();) {
      std::size_t j = i;
      double positive_block = 0, negative_block = 0;
      while (j < rows.size() && scores[rows[j]] == scores[rows[i]]) {
        const double w = weights.empty() ? 1.0 : weights[rows[j]];
        (labels[rows[j]] == 1 ? positive_block : negative_block) += w;
        ++j;
      }
      pairs += positive_block * (negative_below + 0.5 * negative_block);
      negative_below += negative_block;
      positive_total += positive_block;
      i = j;
    }
    if (positive_total == 0) {
      out.reasons[g] = Undefined::no_actual_positives;
    } else if (negative_below == 0) {
      out.reasons[g] = Undefined::no_actual_negatives;
    } else {
      out.values[g] = pairs / (positive_total * negative_below);
    }
  });
  return out;
}

Calibration calibration_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                 std::span<const double> scores, std::span<const std::int32_t> labels,
                                 std::span<const double> weights, std::int32_t n_bins, int n_jobs) {
  if (n_bins < 1) throw InvalidArgument("n_bins must be a positive integer");
  check_inputs(row_group, scores, labels, weights, true);
  const auto bins = static_cast<std::size_t>(n_bins);
  const auto groups = static_cast<std::size_t>(n_groups);
  // Interior edges k / n_bins as numpy.linspace computes them.
  std::vector<double> edges(bins - 1);
  const double step = 1.0 / n_bins;
  for (std::size_t k = 1; k < bins; ++k) edges[k - 1] = static_cast<double>(k) * step;
  std::vector<std::int32_t> bin_group(row_group.size());
  std::vector<double> bin_score(row_group.size());
  for (std::size_t i = 0; i < row_group.size(); ++i) {
    const std::int32_t g = row_group[i];
    if (g < -1 || g >= n_groups) throw InvalidArgument("row_group: entry out of range");
    const auto bin = static_cast<std::int32_t>(std::lower_bound(edges.begin(), edges.end(), scores[i]) - edges.begin());
    bin_group[i] = g < 0 ? -1 : g * n_bins + bin;
  }
  // Per (group, bin) cell: a 2 x 2 confusion of (label, label) gives weight and
  // positive weight; the score sums come from the regression accumulator's prediction sums.
  const Weights sample_weight = weights.empty() ? Weights{} : Weights{weights};
  const ConfusionStats cells = accumulate_confusion(bin_group, n_groups * n_bins, labels, labels, 2, sample_weight, n_jobs);
  const RegressionStats sums = accumulate_regression(bin_group, n_groups * n_bins, scores, scores, sample_weight, n_jobs);
  Calibration out;
  out.n_groups = n_groups;
  out.n_bins = n_bins;
  out.weight.assign(groups * bins, 0.0);
  out.mean_score.assign(groups * bins, kNaN);
  out.positive_rate.assign(groups * bins, kNaN);
  out.ece.assign(groups, kNaN);
  out.mce.assign(groups, kNaN);
  for (std::size_t g = 0; g < groups; ++g) {
    double total = 0;
    for (std::size_t k = 0; k < bins; ++k) {
      const std::size_t c = g * bins + k;
      const auto ci = static_cast<std::int32_t>(c);
      const double w = cells.weights[cells.cell(ci, 0, 0)] + cells.weights[cells.cell(ci, 1, 1)];
      out.weight[c] = w;
      total += w;
      if (w > 0) {
        out.mean_score[c] = sums.sum_pred[c] / w;
        out.positive_rate[c] = cells.weights[cells.cell(ci, 1, 1)] / w;
      }
    }
    if (total == 0) continue;
    double ece = 0, mce = 0;
    for (std::size_t k = 0; k < bins; ++k) {
      const std::size_t c = g * bins + k;
      if (out.weight[c] == 0) continue;
      const double gap = std::abs(out.positive_rate[c] - out.mean_score[c]);
      ece += out.weight[c] / total * gap;
      mce = std::max(mce, gap);
    }
    out.ece[g] = ece;
    out.mce[g] = mce;
  }
  return out;
}

}  // namespace assay::fairness
