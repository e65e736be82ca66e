#include "assay/fairness/scores.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/fairness/groups.hpp"
#include "assay/fairness/resample.hpp"

namespace assay::fairness {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_inputs(std::span<const std::int32_t> row_group, std::span<const double> scores,
                  std::span<const std::int32_t> labels, std::span<const double> weights, bool unit_interval) {
  const std::size_t n = row_group.size();
  if (scores.size() != n)
    throw InvalidArgument("y_score has " + std::to_string(scores.size()) + " rows but y_true has " + std::to_string(n));
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

// The rows of each group in ascending score order (stable), with what an exact AUC
// walk reads laid out contiguously in that order: the label, the sample weight and
// whether the row starts a block of tied scores. Built once; a walk then touches no
// other per-row array (the bootstrap's multiplicities aside).
struct SortedScores {
  std::vector<std::int64_t> rows, offsets;  // group g: positions [offsets[g], offsets[g + 1])
  std::vector<std::uint8_t> positive, starts_block;
  std::vector<double> weight;  // empty when unweighted
};

SortedScores sort_by_score_within_groups(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                         std::span<const double> scores, std::span<const std::int32_t> labels,
                                         std::span<const double> weights, int n_jobs) {
  GroupOrder order = sort_rows_by_group(row_group, n_groups);
  const int threads = resolve_threads(n_jobs);
  parallel_for(static_cast<std::ptrdiff_t>(n_groups), threads, [&](std::ptrdiff_t g) {
    const auto begin = order.order.begin() + order.offsets[static_cast<std::size_t>(g)];
    const auto end = order.order.begin() + order.offsets[static_cast<std::size_t>(g) + 1];
    std::stable_sort(begin, end, [&](std::int64_t a, std::int64_t b) { return scores[a] < scores[b]; });
  });
  SortedScores out{std::move(order.order), std::move(order.offsets), {}, {}, {}};
  const std::size_t n = out.rows.size();
  out.positive.resize(n);
  out.starts_block.resize(n);
  if (!weights.empty()) out.weight.resize(n);
  parallel_for(static_cast<std::ptrdiff_t>(n_groups), threads, [&](std::ptrdiff_t gi) {
    const auto g = static_cast<std::size_t>(gi);
    for (auto j = static_cast<std::size_t>(out.offsets[g]); j < static_cast<std::size_t>(out.offsets[g + 1]); ++j) {
      const auto row = static_cast<std::size_t>(out.rows[j]);
      out.positive[j] = labels[row] == 1;
      out.starts_block[j] = j == static_cast<std::size_t>(out.offsets[g]) ||
                            scores[row] != scores[static_cast<std::size_t>(out.rows[j - 1])];
      if (!weights.empty()) out.weight[j] = weights[row];
    }
  });
  return out;
}

// Exact AUC of group g of `sorted`, the row at sorted position j weighing
// weight[j] * times(row) (Mann-Whitney with ties): walking tie blocks upwards, each
// positive beats the negative weight below its block and ties half of the negative
// weight in it.
template <class Times>
void exact_auc(const SortedScores& sorted, std::size_t g, Times&& times, double& value, Undefined& reason) {
  value = kNaN;
  const auto begin = static_cast<std::size_t>(sorted.offsets[g]), end = static_cast<std::size_t>(sorted.offsets[g + 1]);
  if (begin == end) {
    reason = Undefined::empty_group;
    return;
  }
  const bool weighted = !sorted.weight.empty();
  double negative_below = 0, pairs = 0, positive_total = 0, positive_block = 0, negative_block = 0;
  for (std::size_t j = begin; j < end; ++j) {
    if (sorted.starts_block[j]) {
      pairs += positive_block * (negative_below + 0.5 * negative_block);
      negative_below += negative_block;
      positive_total += positive_block;
      positive_block = negative_block = 0;
    }
    const double w = (weighted ? sorted.weight[j] : 1.0) * times(sorted.rows[j]);
    (sorted.positive[j] ? positive_block : negative_block) += w;
  }
  pairs += positive_block * (negative_below + 0.5 * negative_block);
  negative_below += negative_block;
  positive_total += positive_block;
  if (positive_total == 0) {
    reason = Undefined::no_actual_positives;
  } else if (negative_below == 0) {
    reason = Undefined::no_actual_negatives;
  } else {
    reason = Undefined::none;
    value = pairs / (positive_total * negative_below);
  }
}

// The calibration bin of every row: bin k holds scores in (k / n_bins, (k + 1) / n_bins],
// the first bin also 0, with the interior edges k / n_bins as numpy.linspace computes them.
std::vector<std::int32_t> score_bins(std::span<const double> scores, std::int32_t n_bins) {
  const auto bins = static_cast<std::size_t>(n_bins);
  std::vector<double> edges(bins - 1);
  const double step = 1.0 / n_bins;
  for (std::size_t k = 1; k < bins; ++k) edges[k - 1] = static_cast<double>(k) * step;
  std::vector<std::int32_t> out(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    out[i] = static_cast<std::int32_t>(std::lower_bound(edges.begin(), edges.end(), scores[i]) - edges.begin());
  }
  return out;
}

// ECE and MCE of one group from its bins' weight, positive weight and score sums
// (NaN for a group without weight).
void calibration_errors(const double* weight, const double* positive, const double* score_sum, std::size_t bins,
                        double& ece, double& mce) {
  double total = 0;
  for (std::size_t k = 0; k < bins; ++k) total += weight[k];
  ece = mce = kNaN;
  if (total == 0) return;
  ece = mce = 0;
  for (std::size_t k = 0; k < bins; ++k) {
    if (weight[k] == 0) continue;
    const double gap = std::abs(positive[k] / weight[k] - score_sum[k] / weight[k]);
    ece += weight[k] / total * gap;
    mce = std::max(mce, gap);
  }
}

// Each row's control level (-1 for rows left out), from its group's.
std::vector<std::int32_t> row_levels(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                     std::span<const std::int32_t> group_level, std::int32_t n_levels) {
  if (group_level.size() != static_cast<std::size_t>(n_groups)) {
    throw InvalidArgument("group_level: one control level per group is required");
  }
  for (const std::int32_t level : group_level) {
    if (level < -1 || level >= n_levels) throw InvalidArgument("group_level: entry out of range");
  }
  std::vector<std::int32_t> out(row_group.size());
  for (std::size_t i = 0; i < row_group.size(); ++i) {
    const std::int32_t g = row_group[i];
    if (g < -1 || g >= n_groups) throw InvalidArgument("row_group: entry out of range");
    out[i] = g < 0 ? -1 : group_level[static_cast<std::size_t>(g)];
  }
  return out;
}

// n_groups x n_bins cells must fit the int32 ids of the accumulators and the memory
// limit (about 200 bytes per cell: confusion and regression sums, the result tables).
void check_calibration_size(std::int32_t n_groups, std::int32_t n_bins, std::uint64_t replicas) {
  if (n_bins < 1) throw InvalidArgument("n_bins must be a positive integer");
  const std::uint64_t cells =
      saturating_product({static_cast<std::uint64_t>(std::max(n_groups, 0)), static_cast<std::uint64_t>(n_bins)});
  if (cells > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw ResourceLimit("n_bins: " + std::to_string(n_groups) + " groups x " + std::to_string(n_bins) +
                        " bins exceed the 2^31 - 1 cells the calibration tables can index; use fewer bins");
  }
  require_fits("n_bins",
               saturating_product({saturating_sum({cells, static_cast<std::uint64_t>(n_bins)}), 200, replicas}),
               "calibration bins (" + std::to_string(n_groups) + " groups x " + std::to_string(n_bins) + " bins)");
}

}  // namespace

MetricValues roc_auc_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                              std::span<const double> scores, std::span<const std::int32_t> labels,
                              std::span<const double> weights, int n_jobs) {
  check_inputs(row_group, scores, labels, weights, false);
  const SortedScores sorted = sort_by_score_within_groups(row_group, n_groups, scores, labels, weights, n_jobs);
  const auto groups = static_cast<std::size_t>(n_groups);
  MetricValues out{std::vector<double>(groups, kNaN), std::vector<Undefined>(groups, Undefined::none)};
  auto once = [](std::int64_t) { return 1.0; };
  parallel_for(static_cast<std::ptrdiff_t>(groups), resolve_threads(n_jobs), [&](std::ptrdiff_t g) {
    exact_auc(sorted, static_cast<std::size_t>(g), once, out.values[static_cast<std::size_t>(g)],
              out.reasons[static_cast<std::size_t>(g)]);
  });
  return out;
}

Calibration calibration_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                 std::span<const double> scores, std::span<const std::int32_t> labels,
                                 std::span<const double> weights, std::int32_t n_bins, int n_jobs) {
  check_calibration_size(n_groups, n_bins, 1);
  check_inputs(row_group, scores, labels, weights, true);
  const auto bins = static_cast<std::size_t>(n_bins);
  const auto groups = static_cast<std::size_t>(n_groups);
  std::vector<std::int32_t> bin_group = score_bins(scores, n_bins);
  for (std::size_t i = 0; i < row_group.size(); ++i) {
    const std::int32_t g = row_group[i];
    if (g < -1 || g >= n_groups) throw InvalidArgument("row_group: entry out of range");
    bin_group[i] = g < 0 ? -1 : g * n_bins + bin_group[i];
  }
  // Per (group, bin) cell: a 2 x 2 confusion of (label, label) gives weight and
  // positive weight; the score sums come from the regression accumulator's prediction sums.
  const Weights sample_weight = weights.empty() ? Weights{} : Weights{weights};
  const ConfusionStats cells =
      accumulate_confusion(bin_group, n_groups * n_bins, labels, labels, 2, sample_weight, n_jobs);
  const RegressionStats sums =
      accumulate_regression(bin_group, n_groups * n_bins, scores, scores, sample_weight, n_jobs);
  Calibration out;
  out.n_groups = n_groups;
  out.n_bins = n_bins;
  out.weight.assign(groups * bins, 0.0);
  out.mean_score.assign(groups * bins, kNaN);
  out.positive_rate.assign(groups * bins, kNaN);
  out.ece.assign(groups, kNaN);
  out.mce.assign(groups, kNaN);
  std::vector<double> positive(groups * bins, 0.0);
  for (std::size_t c = 0; c < groups * bins; ++c) {
    const auto ci = static_cast<std::int32_t>(c);
    positive[c] = cells.weights[cells.cell(ci, 1, 1)];
    const double w = cells.weights[cells.cell(ci, 0, 0)] + positive[c];
    out.weight[c] = w;
    if (w > 0) {
      out.mean_score[c] = sums.sum_pred[c] / w;
      out.positive_rate[c] = positive[c] / w;
    }
  }
  for (std::size_t g = 0; g < groups; ++g) {
    calibration_errors(&out.weight[g * bins], &positive[g * bins], &sums.sum_pred[g * bins], bins, out.ece[g],
                       out.mce[g]);
  }
  return out;
}

namespace {

// Replicate values of every group and level, NaN until computed.
ReplicateValues nan_replicates(std::size_t groups, std::size_t levels, int n_boot) {
  require_fits(
      "n_boot",
      saturating_product({saturating_sum({groups, levels}), static_cast<std::uint64_t>(std::max(n_boot, 0)), 8}),
      "replicate values (" + std::to_string(n_boot) + " replicates x " + std::to_string(groups + levels) +
          " groups and levels)");
  ReplicateValues out;
  out.by_group.assign(groups * static_cast<std::size_t>(n_boot), kNaN);
  out.by_level.assign(levels * static_cast<std::size_t>(n_boot), kNaN);
  return out;
}

// How many times each row is drawn in replicate b.
std::vector<std::uint8_t> replicate_multiplicities(std::uint64_t seed, std::size_t b, std::size_t n_rows) {
  std::vector<std::uint8_t> times(n_rows);
  poisson_multiplicities(seed, b, times);
  return times;
}

}  // namespace

ReplicateValues bootstrap_roc_auc(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                  std::span<const std::int32_t> group_level, std::int32_t n_levels,
                                  std::span<const double> scores, std::span<const std::int32_t> labels,
                                  std::span<const double> weights, int n_boot, std::uint64_t seed, int n_jobs,
                                  const Progress& progress, std::uint64_t first_replicate) {
  check_inputs(row_group, scores, labels, weights, false);
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  const std::vector<std::int32_t> row_level = row_levels(row_group, n_groups, group_level, n_levels);
  // Sorted once; every replicate walks these orders with its own weights.
  const SortedScores by_group = sort_by_score_within_groups(row_group, n_groups, scores, labels, weights, n_jobs);
  const SortedScores by_level = sort_by_score_within_groups(row_level, n_levels, scores, labels, weights, n_jobs);
  const auto groups = static_cast<std::size_t>(n_groups), levels = static_cast<std::size_t>(n_levels);
  ReplicateValues out = nan_replicates(groups, levels, n_boot);
  for_each_replicate(n_boot, n_jobs, progress, [&](std::size_t b) {
    const std::vector<std::uint8_t> times = replicate_multiplicities(seed, first_replicate + b, row_group.size());
    auto times_of = [&](std::int64_t row) { return static_cast<double>(times[static_cast<std::size_t>(row)]); };
    Undefined reason;
    for (std::size_t g = 0; g < groups; ++g) exact_auc(by_group, g, times_of, out.by_group[b * groups + g], reason);
    for (std::size_t k = 0; k < levels; ++k) exact_auc(by_level, k, times_of, out.by_level[b * levels + k], reason);
  });
  return out;
}

ReplicateValues bootstrap_calibration_error(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                            std::span<const std::int32_t> group_level, std::int32_t n_levels,
                                            std::span<const double> scores, std::span<const std::int32_t> labels,
                                            std::span<const double> weights, std::int32_t n_bins, int n_boot,
                                            std::uint64_t seed, int n_jobs, const Progress& progress,
                                            std::uint64_t first_replicate) {
  check_calibration_size(n_groups, n_bins, static_cast<std::uint64_t>(std::max(resolve_threads(n_jobs), 1)));
  check_inputs(row_group, scores, labels, weights, true);
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  row_levels(row_group, n_groups, group_level, n_levels);  // validates the levels
  const std::vector<std::int32_t> bin = score_bins(scores, n_bins);
  const auto groups = static_cast<std::size_t>(n_groups), levels = static_cast<std::size_t>(n_levels);
  const auto bins = static_cast<std::size_t>(n_bins);
  ReplicateValues out = nan_replicates(groups, levels, n_boot);
  for_each_replicate(n_boot, n_jobs, progress, [&](std::size_t b) {
    const std::vector<std::uint8_t> times = replicate_multiplicities(seed, first_replicate + b, row_group.size());
    // Cells [group][bin] of weight, positive weight and weighted score sum.
    std::vector<double> weight(groups * bins, 0.0), positive(groups * bins, 0.0), score_sum(groups * bins, 0.0);
    for (std::size_t i = 0; i < row_group.size(); ++i) {
      if (times[i] == 0 || row_group[i] < 0) continue;
      const double w = weights.empty() ? static_cast<double>(times[i]) : times[i] * weights[i];
      const std::size_t c = static_cast<std::size_t>(row_group[i]) * bins + static_cast<std::size_t>(bin[i]);
      weight[c] += w;
      if (labels[i] == 1) positive[c] += w;
      score_sum[c] += w * scores[i];
    }
    double mce;
    for (std::size_t g = 0; g < groups; ++g) {
      calibration_errors(&weight[g * bins], &positive[g * bins], &score_sum[g * bins], bins,
                         out.by_group[b * groups + g], mce);
    }
    std::vector<double> level_weight(levels * bins, 0.0), level_positive(levels * bins, 0.0),
        level_score(levels * bins, 0.0);
    for (std::size_t g = 0; g < groups; ++g) {
      if (group_level[g] < 0) continue;
      const std::size_t to = static_cast<std::size_t>(group_level[g]) * bins;
      for (std::size_t k = 0; k < bins; ++k) {
        level_weight[to + k] += weight[g * bins + k];
        level_positive[to + k] += positive[g * bins + k];
        level_score[to + k] += score_sum[g * bins + k];
      }
    }
    for (std::size_t k = 0; k < levels; ++k) {
      calibration_errors(&level_weight[k * bins], &level_positive[k * bins], &level_score[k * bins], bins,
                         out.by_level[b * levels + k], mce);
    }
  });
  return out;
}

}  // namespace assay::fairness
