#include "assay/fairness/mitigation.hpp"

namespace assay::fairness {

std::vector<double> reweighing(const ConfusionStats& stats) {
  const auto groups = static_cast<std::size_t>(stats.n_groups);
  const auto classes = static_cast<std::size_t>(stats.n_classes);
  std::vector<double> cell(groups * classes, 0.0), group_weight(groups, 0.0), class_weight(classes, 0.0);
  double total = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t y = 0; y < classes; ++y) {
      double w = 0;
      for (std::size_t p = 0; p < classes; ++p) {
        w += stats.weights[stats.cell(static_cast<std::int32_t>(g), static_cast<std::int32_t>(y),
                                      static_cast<std::int32_t>(p))];
      }
      cell[g * classes + y] = w;
      group_weight[g] += w;
      class_weight[y] += w;
      total += w;
    }
  }
  std::vector<double> out(groups * classes, 0.0);
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t y = 0; y < classes; ++y) {
      const double w = cell[g * classes + y];
      if (w > 0) out[g * classes + y] = group_weight[g] * class_weight[y] / (total * w);
    }
  }
  return out;
}

}  // namespace assay::fairness

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/fairness/groups.hpp"

namespace assay::fairness {

namespace {

struct Counts {
  double tp, fp, tn, fn;
};

double rate_of(RateMetric metric, const Counts& c) {
  const double positives = c.tp + c.fn, negatives = c.fp + c.tn, n = positives + negatives;
  switch (metric) {
    case RateMetric::selection_rate:
      return (c.tp + c.fp) / n;
    case RateMetric::true_positive_rate:
      return c.tp / positives;
    case RateMetric::false_positive_rate:
      return c.fp / negatives;
    case RateMetric::true_negative_rate:
      return c.tn / negatives;
    case RateMetric::false_negative_rate:
      return c.fn / positives;
    case RateMetric::accuracy:
      return (c.tp + c.tn) / n;
    case RateMetric::balanced_accuracy:
      return 0.5 * c.tp / positives + 0.5 * c.tn / negatives;
  }
  return 0;
}

struct Point {
  double x, y, threshold;
  bool below;  // the rule is "score < threshold" (a flipped point)
};

// One group's hull interpolated on the grid: y, mixture weights and thresholds.
struct Curve {
  std::vector<double> y, p0, p1, threshold0, threshold1;
  std::vector<std::uint8_t> below0, below1;
};

Curve group_curve(std::vector<std::pair<double, int>>& rows, RateMetric constraint, RateMetric objective,
                  const std::vector<double>& grid, bool flip, std::int32_t group) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double n_positive = 0;
  for (const auto& r : rows) n_positive += r.second;
  const double n_negative = static_cast<double>(rows.size()) - n_positive;
  if (n_positive == 0 || n_negative == 0) {
    throw InvalidArgument("y_true: group " + std::to_string(group) +
                          " has only one class; per-group thresholds need positives and negatives");
  }
  std::vector<Point> points;
  double selected[2] = {0, 0};
  auto add = [&](double threshold) {
    const Counts c{selected[1], selected[0], n_negative - selected[0], n_positive - selected[1]};
    points.push_back({rate_of(constraint, c), rate_of(objective, c), threshold, false});
    if (flip) {  // positive below the threshold: the complement of the selection
      const Counts f{n_positive - selected[1], n_negative - selected[0], selected[0], selected[1]};
      points.push_back({rate_of(constraint, f), rate_of(objective, f), threshold, true});
    }
  };
  add(std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < rows.size();) {
    const double score = rows[i].first;
    while (i < rows.size() && rows[i].first == score) selected[rows[i++].second] += 1;
    const double next = i < rows.size() ? rows[i].first : -std::numeric_limits<double>::infinity();
    add((score + next) / 2);
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const Point& a, const Point& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  std::vector<Point> hull;
  for (const Point& r2 : points) {
    while (hull.size() >= 2) {
      const Point& r1 = hull[hull.size() - 1];
      const Point& r0 = hull[hull.size() - 2];
      if ((r1.y - r0.y) * (r2.x - r0.x) <= (r2.y - r0.y) * (r1.x - r0.x)) {
        hull.pop_back();
      } else {
        break;
      }
    }
    hull.push_back(r2);
  }
  // For each grid value: the hull index just left of it (x[i] < g <= x[i + 1]).
  Curve curve;
  const std::size_t m = grid.size();
  for (auto* v : {&curve.y, &curve.p0, &curve.p1, &curve.threshold0, &curve.threshold1}) v->resize(m);
  curve.below0.resize(m);
  curve.below1.resize(m);
  for (std::size_t k = 0; k < m; ++k) {
    const double g = grid[k];
    auto it = std::upper_bound(hull.begin(), hull.end(), g, [](double value, const Point& p) { return value < p.x; });
    std::ptrdiff_t i = (it - hull.begin()) - 1;
    if (k > 0 && i >= 0 && hull[static_cast<std::size_t>(i)].x == g) --i;
    i = std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(hull.size()) - 2);
    const Point& a = hull[static_cast<std::size_t>(i)];
    const Point& b = hull[static_cast<std::size_t>(i) + 1];
    const double p0 = (b.x - g) / (b.x - a.x);
    const double p1 = 1 - p0;
    curve.y[k] = p0 * a.y + p1 * b.y;
    curve.p0[k] = p0;
    curve.p1[k] = p1;
    curve.threshold0[k] = a.threshold;
    curve.threshold1[k] = b.threshold;
    curve.below0[k] = a.below;
    curve.below1[k] = b.below;
  }
  return curve;
}

// Validates the inputs and computes every group's interpolated hull.
struct Curves {
  std::vector<double> grid;
  std::vector<Curve> curves;
  std::vector<double> rows;  // per group
  double total = 0, positives = 0;
};

Curves group_curves(std::span<const std::int32_t> row_group, std::int32_t n_groups, std::span<const double> scores,
                    std::span<const std::int32_t> labels, RateMetric constraint, RateMetric objective,
                    const ThresholdOptions& options, int n_jobs) {
  const std::size_t n = row_group.size();
  const std::int32_t grid_size = options.grid_size;
  if (scores.size() != n || labels.size() != n) throw InvalidArgument("y_score and y_true: one value per row");
  if (grid_size < 1) throw InvalidArgument("grid_size must be a positive integer");
  if (!(options.tol >= 0) || !std::isfinite(options.tol)) throw InvalidArgument("tol must be a non-negative number");
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(scores[i])) throw InvalidArgument("y_score: NaN at row " + std::to_string(i));
    if (labels[i] != 0 && labels[i] != 1) throw InvalidArgument("y_true: labels must be coded 0 or 1");
  }
  const GroupOrder order = sort_rows_by_group(row_group, n_groups);
  {
    // Per grid point: the grid, the overall objective and y_min (24 bytes), and per
    // non-empty group its interpolated curve (5 doubles and 2 flags) plus, with tol, its
    // weighted objective: about 56 bytes.
    std::uint64_t present = 0;
    for (std::size_t g = 0; g + 1 < order.offsets.size(); ++g) present += order.offsets[g + 1] > order.offsets[g];
    const std::uint64_t per_point = saturating_sum({24, saturating_product({present, 56})});
    require_fits(
        "grid_size", saturating_product({static_cast<std::uint64_t>(grid_size) + 1, per_point}),
        "threshold curves on " + std::to_string(grid_size) + " grid points for " + std::to_string(present) + " groups");
  }
  Curves out;
  out.grid.resize(static_cast<std::size_t>(grid_size) + 1);
  // numpy.linspace(0, 1, grid_size + 1): k * step, the last value exactly 1.
  const double step = 1.0 / grid_size;
  for (std::size_t k = 0; k < out.grid.size(); ++k) out.grid[k] = static_cast<double>(k) * step;
  out.grid.back() = 1.0;
  const auto groups = static_cast<std::size_t>(n_groups);
  out.curves.resize(groups);
  out.rows.assign(groups, 0.0);
  parallel_for(static_cast<std::ptrdiff_t>(groups), resolve_threads(n_jobs), [&](std::ptrdiff_t gi) {
    const auto g = static_cast<std::size_t>(gi);
    std::vector<std::pair<double, int>> rows;
    for (auto r = order.offsets[g]; r < order.offsets[g + 1]; ++r) {
      const auto row = static_cast<std::size_t>(order.order[static_cast<std::size_t>(r)]);
      rows.emplace_back(scores[row], labels[row]);
    }
    out.rows[g] = static_cast<double>(rows.size());
    if (!rows.empty()) {
      out.curves[g] = group_curve(rows, constraint, objective, out.grid, options.flip, static_cast<std::int32_t>(gi));
    }
  });
  out.total = static_cast<double>(order.order.size());
  if (out.total == 0) throw InvalidArgument("y_true: no rows");
  for (const std::int64_t row : order.order) out.positives += labels[static_cast<std::size_t>(row)];
  return out;
}

// The rules of every group at its grid index best[g].
ThresholdRules rules_at(const Curves& c, const std::vector<std::size_t>& best) {
  ThresholdRules rules;
  const std::size_t groups = c.curves.size();
  for (auto* v : {&rules.x_group, &rules.p0, &rules.p1, &rules.threshold0, &rules.threshold1, &rules.p_ignore}) {
    v->assign(groups, 0.0);
  }
  rules.below0.assign(groups, 0);
  rules.below1.assign(groups, 0);
  for (std::size_t g = 0; g < groups; ++g) {
    const Curve& curve = c.curves[g];
    if (curve.y.empty()) continue;
    const std::size_t k = best[g];
    rules.x_group[g] = c.grid[k];
    rules.p0[g] = curve.p0[k];
    rules.p1[g] = curve.p1[k];
    rules.threshold0[g] = curve.threshold0[k];
    rules.threshold1[g] = curve.threshold1[k];
    rules.below0[g] = curve.below0[k];
    rules.below1[g] = curve.below1[k];
  }
  return rules;
}

// fairlearn's relaxed constraint: per group a grid index, all within a window of x
// spanning at most tol, maximising the sum of the groups' weighted objectives. For each
// window end, every group's deque holds the window's indices whose weighted y is not
// beaten by a later index (so its front is the window's best, the latest on ties).
std::vector<std::size_t> best_within_tolerance(const Curves& c, double tol) {
  std::vector<std::size_t> present;
  for (std::size_t g = 0; g < c.curves.size(); ++g) {
    if (!c.curves[g].y.empty()) present.push_back(g);
  }
  const std::size_t m = c.grid.size();
  std::vector<std::vector<double>> weighted(present.size(), std::vector<double>(m));
  for (std::size_t k = 0; k < present.size(); ++k) {
    const double share = c.rows[present[k]] / c.total;
    for (std::size_t i = 0; i < m; ++i) weighted[k][i] = c.curves[present[k]].y[i] * share;
  }
  std::vector<std::deque<std::size_t>> best(present.size());
  std::vector<std::size_t> chosen(present.size(), 0), current(present.size());
  double max_objective = -std::numeric_limits<double>::infinity();
  double min_violation = std::numeric_limits<double>::infinity();
  std::size_t start = 0;
  for (std::size_t end = 0; end < m; ++end) {
    for (std::size_t k = 0; k < present.size(); ++k) {
      while (!best[k].empty() && weighted[k][best[k].back()] <= weighted[k][end]) best[k].pop_back();
      best[k].push_back(end);
    }
    while (c.grid[end] - c.grid[start] > tol) {
      for (auto& queue : best) {
        if (!queue.empty() && queue.front() == start) queue.pop_front();
      }
      ++start;
    }
    double objective = 0, low = std::numeric_limits<double>::infinity(), high = -low;
    for (std::size_t k = 0; k < present.size(); ++k) {
      current[k] = best[k].front();
      objective += weighted[k][current[k]];
      low = std::min(low, c.grid[current[k]]);
      high = std::max(high, c.grid[current[k]]);
    }
    const double violation = high - low;
    if (objective > max_objective || (objective == max_objective && violation <= min_violation)) {
      max_objective = objective;
      chosen = current;
      min_violation = violation;
    }
  }
  std::vector<std::size_t> out(c.curves.size(), 0);
  for (std::size_t k = 0; k < present.size(); ++k) out[present[k]] = chosen[k];
  return out;
}

}  // namespace

ThresholdRules optimize_thresholds(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                   std::span<const double> scores, std::span<const std::int32_t> labels,
                                   RateMetric constraint, RateMetric objective, const ThresholdOptions& options,
                                   int n_jobs) {
  const Curves c = group_curves(row_group, n_groups, scores, labels, constraint, objective, options, n_jobs);
  if (options.tol > 0) {
    ThresholdRules rules = rules_at(c, best_within_tolerance(c, options.tol));
    rules.x_best = std::numeric_limits<double>::quiet_NaN();
    return rules;
  }
  std::vector<double> overall(c.grid.size(), 0.0);
  for (std::size_t g = 0; g < c.curves.size(); ++g) {
    if (c.curves[g].y.empty()) continue;
    const double share = c.rows[g] / c.total;
    for (std::size_t k = 0; k < c.grid.size(); ++k) overall[k] += share * c.curves[g].y[k];
  }
  const auto best = static_cast<std::size_t>(std::max_element(overall.begin(), overall.end()) - overall.begin());
  ThresholdRules rules = rules_at(c, std::vector<std::size_t>(c.curves.size(), best));
  rules.x_best = c.grid[best];
  rules.objective = std::move(overall);
  return rules;
}

ThresholdRules optimize_equalized_odds(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                       std::span<const double> scores, std::span<const std::int32_t> labels,
                                       RateMetric objective, const ThresholdOptions& options, int n_jobs) {
  if (objective != RateMetric::accuracy && objective != RateMetric::balanced_accuracy) {
    throw InvalidArgument("objective: equalized odds supports accuracy_score and balanced_accuracy_score only");
  }
  if (options.tol != 0) throw InvalidArgument("tol: relaxed constraints are not supported for equalized odds");
  const Curves c = group_curves(row_group, n_groups, scores, labels, RateMetric::false_positive_rate,
                                RateMetric::true_positive_rate, options, n_jobs);
  const std::size_t m = c.grid.size();
  std::vector<double> y_min(m, std::numeric_limits<double>::infinity()), overall(m);
  for (const Curve& curve : c.curves) {
    if (curve.y.empty()) continue;
    for (std::size_t k = 0; k < m; ++k) y_min[k] = std::min(y_min[k], curve.y[k]);
  }
  const double positives = c.positives, negatives = c.total - c.positives;
  for (std::size_t k = 0; k < m; ++k) {
    const Counts counts{positives * y_min[k], negatives * c.grid[k], negatives * (1.0 - c.grid[k]),
                        positives * (1.0 - y_min[k])};
    const double n = counts.tp + counts.tn + counts.fp + counts.fn;
    const double value = objective == RateMetric::accuracy
                             ? (counts.tp + counts.tn) / n
                             : 0.5 * counts.tp / (counts.tp + counts.fn) + 0.5 * counts.tn / (counts.tn + counts.fp);
    overall[k] = std::nearbyint(value * 1e15) / 1e15;  // numpy.around(value, 15), as fairlearn
  }
  const auto best = static_cast<std::size_t>(std::max_element(overall.begin(), overall.end()) - overall.begin());
  ThresholdRules rules = rules_at(c, std::vector<std::size_t>(c.curves.size(), best));
  rules.x_best = c.grid[best];
  rules.constant = rules.x_best;
  const double y_best = y_min[best];
  for (std::size_t g = 0; g < c.curves.size(); ++g) {
    if (c.curves[g].y.empty()) continue;
    const double y = c.curves[g].y[best];
    rules.p_ignore[g] = y == rules.x_best ? 0.0 : (y - y_best) / (y - rules.x_best);
  }
  rules.objective = std::move(overall);
  return rules;
}

}  // namespace assay::fairness
