#include "assay/fairness/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "assay/common/bytes.hpp"
#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"

namespace assay::fairness {

namespace {

// Rows per block: at least 64k, and enough that a block's private accumulator (cells
// values) is small next to the rows it covers. Depends on n and the cell count only.
std::size_t block_rows(std::size_t cells) { return std::max<std::size_t>(std::size_t{1} << 16, 16 * cells); }

void check_rows(std::span<const std::int32_t> row_group, std::int32_t n_groups, std::size_t n_true, std::size_t n_pred,
                const Weights& weights) {
  const std::size_t n = row_group.size();
  if (n_groups < 0) throw InvalidArgument("n_groups must be non-negative");
  if (n_true != n) {
    throw InvalidArgument("y_true has " + std::to_string(n_true) + " rows but the group index has " +
                          std::to_string(n));
  }
  if (n_pred != n) {
    throw InvalidArgument("y_pred has " + std::to_string(n_pred) + " rows but y_true has " + std::to_string(n));
  }
  if (weights && weights->size() != n) {
    throw InvalidArgument("sample_weight has " + std::to_string(weights->size()) + " rows but y_true has " +
                          std::to_string(n));
  }
}

[[noreturn]] void bad_weight(std::size_t i, double w) {
  throw InvalidArgument("sample_weight: value " + std::to_string(w) + " at row " + std::to_string(i) +
                        " is not a finite non-negative number");
}

void check_group(std::int32_t g, std::int32_t n_groups, std::size_t i) {
  if (g < -1 || g >= n_groups) {
    throw InvalidArgument("group index: group " + std::to_string(g) + " at row " + std::to_string(i) +
                          " is out of range");
  }
}

// Sums that overflowed the double range (finite inputs, infinite sum) would make every
// metric of the group inf/inf = NaN or inf: refuse them with the argument to scale down.
void check_weight_sums(const std::vector<double>& sums) {
  for (const double s : sums) {
    if (!std::isfinite(s)) {
      throw InvalidArgument("sample_weight: the weight sums overflow the double range; scale the weights down");
    }
  }
}

void check_regression_sums(const RegressionStats& s) {
  check_weight_sums(s.weight);
  for (const auto* v : {&s.mean_true, &s.m2_true, &s.sum_pred, &s.sum_error, &s.sum_sq_error, &s.sum_abs_error}) {
    for (const double x : *v) {
      if (!std::isfinite(x)) {
        throw InvalidArgument(
            "y_true / y_pred: sums of (weighted) values or squared errors overflow the double range; scale the "
            "values (or the weights) down");
      }
    }
  }
}

// Row counts of a state never exceed this (2^62): far above any data, and their sums stay
// representable in int64 wherever counts are added up (groups, levels, merges).
constexpr std::int64_t kMaxRows = std::int64_t{1} << 62;

// Adds row counts, refusing totals above kMaxRows.
std::int64_t add_rows(std::int64_t a, std::int64_t b) {
  if (a < 0 || b < 0 || a > kMaxRows - b) {
    throw InvalidArgument("merge: the row counts exceed 2^62; these states cannot describe real data");
  }
  return a + b;
}

// Welford/West running statistics merged by Chan et al.'s pairwise formula.
void merge_moments(double& weight, double& mean, double& m2, double other_weight, double other_mean, double other_m2) {
  if (other_weight == 0.0) {
    m2 += other_m2;
    return;
  }
  if (weight == 0.0) {
    weight = other_weight;
    mean = other_mean;
    m2 += other_m2;
    return;
  }
  const double total = weight + other_weight;
  const double delta = other_mean - mean;
  mean += delta * (other_weight / total);
  m2 += other_m2 + delta * delta * (weight * other_weight / total);
  weight = total;
}

}  // namespace

ConfusionStats accumulate_confusion(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                    std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                    std::int32_t n_classes, const Weights& sample_weight, int n_jobs) {
  const std::span<const double> weights = sample_weight.value_or(std::span<const double>{});
  check_rows(row_group, n_groups, y_true.size(), y_pred.size(), sample_weight);
  if (n_classes < 1) throw InvalidArgument("n_classes must be at least 1");
  {
    const std::uint64_t cells =
        saturating_product({static_cast<std::uint64_t>(n_groups), static_cast<std::uint64_t>(n_classes),
                            static_cast<std::uint64_t>(n_classes)});
    // counts and weights, in the blocks and the result (at least two copies)
    const std::uint64_t blocks = std::max<std::uint64_t>(1, n_blocks(row_group.size(), block_rows(cells)));
    require_fits("n_groups", saturating_product({cells, 16, saturating_sum({blocks, 1})}),
                 "a confusion matrix per group (" + std::to_string(n_groups) + " groups, " + std::to_string(n_classes) +
                     " classes)");
  }
  ConfusionStats stats;
  stats.n_groups = n_groups;
  stats.n_classes = n_classes;
  stats.weighted = sample_weight.has_value();
  const std::size_t cells = static_cast<std::size_t>(n_groups) * n_classes * n_classes;
  const std::size_t n = row_group.size();
  const std::size_t rows_per_block = block_rows(cells);
  const std::size_t blocks = n_blocks(n, rows_per_block);
  std::vector<std::int64_t> block_counts(blocks * cells, 0);
  std::vector<double> block_weights(stats.weighted ? blocks * cells : 0, 0.0);
  parallel_for(static_cast<std::ptrdiff_t>(blocks), resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * rows_per_block, end = std::min(n, begin + rows_per_block);
    std::int64_t* counts = &block_counts[static_cast<std::size_t>(b) * cells];
    double* sums = stats.weighted ? &block_weights[static_cast<std::size_t>(b) * cells] : nullptr;
    for (std::size_t i = begin; i < end; ++i) {
      const std::int32_t g = row_group[i];
      check_group(g, n_groups, i);
      if (g < 0) continue;
      const std::int32_t t = y_true[i], p = y_pred[i];
      if (t < 0 || t >= n_classes) throw InvalidArgument("y_true: class code out of range at row " + std::to_string(i));
      if (p < 0 || p >= n_classes) throw InvalidArgument("y_pred: class code out of range at row " + std::to_string(i));
      const std::size_t c = stats.cell(g, t, p);
      ++counts[c];
      if (sums) {
        const double w = weights[i];
        if (!(w >= 0.0) || !std::isfinite(w)) bad_weight(i, w);
        sums[c] += w;
      }
    }
  });
  stats.counts.assign(cells, 0);
  stats.weights.assign(cells, 0.0);
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t c = 0; c < cells; ++c) {
      stats.counts[c] += block_counts[b * cells + c];
      if (stats.weighted) stats.weights[c] += block_weights[b * cells + c];
    }
  }
  if (!stats.weighted) {
    for (std::size_t c = 0; c < cells; ++c) stats.weights[c] = static_cast<double>(stats.counts[c]);
  } else {
    check_weight_sums(stats.weights);
  }
  return stats;
}

RegressionStats accumulate_regression(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                      std::span<const double> y_true, std::span<const double> y_pred,
                                      const Weights& sample_weight, int n_jobs) {
  const std::span<const double> weights = sample_weight.value_or(std::span<const double>{});
  check_rows(row_group, n_groups, y_true.size(), y_pred.size(), sample_weight);
  const std::size_t groups = static_cast<std::size_t>(n_groups);
  const std::size_t n = row_group.size();
  const std::size_t rows_per_block = block_rows(groups * 8);
  require_fits(
      "n_groups",
      saturating_product({static_cast<std::uint64_t>(groups), 64, saturating_sum({n_blocks(n, rows_per_block), 2})}),
      "regression sums per group (" + std::to_string(n_groups) + " groups)");
  const std::size_t blocks = n_blocks(n, rows_per_block);
  std::vector<RegressionStats> partial(blocks);
  parallel_for(static_cast<std::ptrdiff_t>(blocks), resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    RegressionStats& s = partial[static_cast<std::size_t>(b)];
    s.n_groups = n_groups;
    s.weighted = sample_weight.has_value();
    s.count.assign(groups, 0);
    for (auto* v :
         {&s.weight, &s.mean_true, &s.m2_true, &s.sum_pred, &s.sum_error, &s.sum_sq_error, &s.sum_abs_error}) {
      v->assign(groups, 0.0);
    }
    const std::size_t begin = static_cast<std::size_t>(b) * rows_per_block, end = std::min(n, begin + rows_per_block);
    for (std::size_t i = begin; i < end; ++i) {
      const std::int32_t g = row_group[i];
      check_group(g, n_groups, i);
      if (g < 0) continue;
      const double t = y_true[i], p = y_pred[i];
      if (!std::isfinite(t)) throw InvalidArgument("y_true: value at row " + std::to_string(i) + " is not finite");
      if (!std::isfinite(p)) throw InvalidArgument("y_pred: value at row " + std::to_string(i) + " is not finite");
      double w = 1.0;
      if (sample_weight) {
        w = weights[i];
        if (!(w >= 0.0) || !std::isfinite(w)) bad_weight(i, w);
      }
      const auto k = static_cast<std::size_t>(g);
      ++s.count[k];
      const double e = p - t;
      s.sum_pred[k] += w * p;
      s.sum_error[k] += w * e;
      s.sum_sq_error[k] += w * e * e;
      s.sum_abs_error[k] += w * std::abs(e);
      if (w > 0.0) {
        s.weight[k] += w;
        const double delta = t - s.mean_true[k];
        s.mean_true[k] += delta * (w / s.weight[k]);
        s.m2_true[k] += w * delta * (t - s.mean_true[k]);
      }
    }
  });
  RegressionStats stats;
  stats.n_groups = n_groups;
  stats.weighted = sample_weight.has_value();
  stats.count.assign(groups, 0);
  for (auto* v : {&stats.weight, &stats.mean_true, &stats.m2_true, &stats.sum_pred, &stats.sum_error,
                  &stats.sum_sq_error, &stats.sum_abs_error}) {
    v->assign(groups, 0.0);
  }
  for (const auto& block : partial) stats = merge(stats, block);
  check_regression_sums(stats);
  return stats;
}

ConfusionStats merge(const ConfusionStats& a, const ConfusionStats& b) {
  if (a.n_groups != b.n_groups || a.n_classes != b.n_classes || a.weighted != b.weighted) {
    throw InvalidArgument("cannot merge confusion statistics with different groups, classes or weighting");
  }
  ConfusionStats out = a;
  std::int64_t total = 0;
  for (std::size_t c = 0; c < out.counts.size(); ++c) {
    out.counts[c] = add_rows(out.counts[c], b.counts[c]);
    total = add_rows(total, out.counts[c]);
    out.weights[c] += b.weights[c];
  }
  check_weight_sums(out.weights);
  return out;
}

RegressionStats merge(const RegressionStats& a, const RegressionStats& b) {
  if (a.n_groups != b.n_groups || a.weighted != b.weighted) {
    throw InvalidArgument("cannot merge regression statistics with different groups or weighting");
  }
  RegressionStats out = a;
  std::int64_t total = 0;
  for (std::size_t g = 0; g < out.count.size(); ++g) {
    out.count[g] = add_rows(out.count[g], b.count[g]);
    total = add_rows(total, out.count[g]);
    merge_moments(out.weight[g], out.mean_true[g], out.m2_true[g], b.weight[g], b.mean_true[g], b.m2_true[g]);
    out.sum_pred[g] += b.sum_pred[g];
    out.sum_error[g] += b.sum_error[g];
    out.sum_sq_error[g] += b.sum_sq_error[g];
    out.sum_abs_error[g] += b.sum_abs_error[g];
  }
  check_regression_sums(out);
  return out;
}

ConfusionStats sum_groups(const ConfusionStats& stats, std::span<const std::int32_t> target, std::int32_t n_targets) {
  if (target.size() != static_cast<std::size_t>(stats.n_groups)) throw InvalidArgument("target: one entry per group");
  ConfusionStats out;
  out.n_groups = n_targets;
  out.n_classes = stats.n_classes;
  out.weighted = stats.weighted;
  const std::size_t per_group = static_cast<std::size_t>(stats.n_classes) * stats.n_classes;
  out.counts.assign(static_cast<std::size_t>(n_targets) * per_group, 0);
  out.weights.assign(out.counts.size(), 0.0);
  for (std::size_t g = 0; g < target.size(); ++g) {
    const std::int32_t t = target[g];
    if (t < -1 || t >= n_targets) throw InvalidArgument("target: entry out of range");
    if (t < 0) continue;
    for (std::size_t c = 0; c < per_group; ++c) {
      out.counts[static_cast<std::size_t>(t) * per_group + c] += stats.counts[g * per_group + c];
      out.weights[static_cast<std::size_t>(t) * per_group + c] += stats.weights[g * per_group + c];
    }
  }
  return out;
}

RegressionStats sum_groups(const RegressionStats& stats, std::span<const std::int32_t> target, std::int32_t n_targets) {
  if (target.size() != static_cast<std::size_t>(stats.n_groups)) throw InvalidArgument("target: one entry per group");
  RegressionStats out;
  out.n_groups = n_targets;
  out.weighted = stats.weighted;
  const auto n = static_cast<std::size_t>(n_targets);
  out.count.assign(n, 0);
  for (auto* v : {&out.weight, &out.mean_true, &out.m2_true, &out.sum_pred, &out.sum_error, &out.sum_sq_error,
                  &out.sum_abs_error}) {
    v->assign(n, 0.0);
  }
  for (std::size_t g = 0; g < target.size(); ++g) {
    const std::int32_t t = target[g];
    if (t < -1 || t >= n_targets) throw InvalidArgument("target: entry out of range");
    if (t < 0) continue;
    const auto k = static_cast<std::size_t>(t);
    out.count[k] += stats.count[g];
    merge_moments(out.weight[k], out.mean_true[k], out.m2_true[k], stats.weight[g], stats.mean_true[g],
                  stats.m2_true[g]);
    out.sum_pred[k] += stats.sum_pred[g];
    out.sum_error[k] += stats.sum_error[g];
    out.sum_sq_error[k] += stats.sum_sq_error[g];
    out.sum_abs_error[k] += stats.sum_abs_error[g];
  }
  return out;
}

std::string to_bytes(const ConfusionStats& stats) {
  ByteWriter w("AFC1");
  w.value<std::int32_t>(stats.n_groups);
  w.value<std::int32_t>(stats.n_classes);
  w.value<std::uint8_t>(stats.weighted ? 1 : 0);
  w.array(stats.counts);
  w.array(stats.weights);
  return w.take();
}

std::string to_bytes(const RegressionStats& stats) {
  ByteWriter w("AFR1");
  w.value<std::int32_t>(stats.n_groups);
  w.value<std::uint8_t>(stats.weighted ? 1 : 0);
  w.array(stats.count);
  for (const auto* v : {&stats.weight, &stats.mean_true, &stats.m2_true, &stats.sum_pred, &stats.sum_error,
                        &stats.sum_sq_error, &stats.sum_abs_error}) {
    w.array(*v);
  }
  return w.take();
}

ConfusionStats confusion_from_bytes(const std::string& bytes) {
  ByteReader r(bytes, "AFC1", "confusion accumulator");
  ConfusionStats s;
  s.n_groups = r.value<std::int32_t>("the group count");
  s.n_classes = r.value<std::int32_t>("the class count");
  const auto weighted = r.value<std::uint8_t>("the weighted flag");
  if (weighted > 1) r.fail("the weighted flag is " + std::to_string(weighted) + ", not 0 or 1");
  s.weighted = weighted == 1;
  if (s.n_groups < 0) r.fail("negative group count " + std::to_string(s.n_groups));
  if (s.n_classes < 1 || s.n_classes > (1 << 15))
    r.fail("class count " + std::to_string(s.n_classes) + " out of range");
  const std::size_t cells = static_cast<std::size_t>(s.n_groups) * static_cast<std::size_t>(s.n_classes) *
                            static_cast<std::size_t>(s.n_classes);
  s.counts = r.array<std::int64_t>(cells, "the counts");
  s.weights = r.array<double>(cells, "the weights");
  r.finish();
  std::int64_t total = 0;
  for (std::size_t c = 0; c < cells; ++c) {
    if (s.counts[c] < 0) r.fail("a negative count");
    if (s.counts[c] > kMaxRows - total) r.fail("row counts summing beyond 2^62");
    total += s.counts[c];
    if (!(s.weights[c] >= 0) || !std::isfinite(s.weights[c])) r.fail("a weight that is negative, NaN or infinite");
    if (!s.weighted && s.weights[c] != static_cast<double>(s.counts[c])) {
      r.fail("unweighted statistics whose weights differ from their counts");
    }
    if (s.counts[c] == 0 && s.weights[c] != 0) r.fail("weight in a cell without rows");
  }
  return s;
}

RegressionStats regression_from_bytes(const std::string& bytes) {
  ByteReader r(bytes, "AFR1", "regression accumulator");
  RegressionStats s;
  s.n_groups = r.value<std::int32_t>("the group count");
  const auto weighted = r.value<std::uint8_t>("the weighted flag");
  if (weighted > 1) r.fail("the weighted flag is " + std::to_string(weighted) + ", not 0 or 1");
  s.weighted = weighted == 1;
  if (s.n_groups < 0) r.fail("negative group count " + std::to_string(s.n_groups));
  const auto n = static_cast<std::size_t>(s.n_groups);
  s.count = r.array<std::int64_t>(n, "the row counts");
  static const char* const names[] = {
      "the weights",    "the means of y_true",    "the squared deviations", "the sums of y_pred",
      "the error sums", "the squared error sums", "the absolute error sums"};
  std::size_t field = 0;
  for (auto* v : {&s.weight, &s.mean_true, &s.m2_true, &s.sum_pred, &s.sum_error, &s.sum_sq_error, &s.sum_abs_error}) {
    *v = r.array<double>(n, names[field++]);
  }
  r.finish();
  std::int64_t total = 0;
  for (std::size_t g = 0; g < n; ++g) {
    if (s.count[g] < 0) r.fail("a negative row count");
    if (s.count[g] > kMaxRows - total) r.fail("row counts summing beyond 2^62");
    total += s.count[g];
    if (!(s.weight[g] >= 0) || !std::isfinite(s.weight[g])) r.fail("a weight sum that is negative, NaN or infinite");
    if (!std::isfinite(s.mean_true[g]) || !(s.m2_true[g] >= 0) || std::isnan(s.m2_true[g])) {
      r.fail("a mean or squared deviation of y_true that is not finite or negative");
    }
    if (std::isnan(s.sum_pred[g]) || std::isnan(s.sum_error[g]) || std::isnan(s.sum_sq_error[g]) ||
        std::isnan(s.sum_abs_error[g]) || s.sum_sq_error[g] < 0 || s.sum_abs_error[g] < 0) {
      r.fail("a sum that is NaN, or a negative sum of squared or absolute errors");
    }
    if (s.count[g] == 0 && (s.weight[g] != 0 || s.sum_sq_error[g] != 0 || s.sum_abs_error[g] != 0)) {
      r.fail("sums in a group without rows");
    }
    if (!s.weighted && s.weight[g] != static_cast<double>(s.count[g])) {
      r.fail("unweighted statistics whose weight sums differ from their row counts");
    }
  }
  return s;
}

}  // namespace assay::fairness
