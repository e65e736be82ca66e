#include "assay/fairness/resample.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"

namespace assay::fairness {

namespace {

// CounterRng as a standard uniform random bit generator, for std::binomial_distribution.
struct Bits {
  using result_type = std::uint64_t;
  CounterRng& rng;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return rng.next(); }
};

// Poisson(1) by inversion of its CDF.
class PoissonOne {
 public:
  PoissonOne() noexcept {
    double p = std::exp(-1.0), sum = 0;
    for (int k = 0; k < kMax; ++k) {
      sum += p;
      cdf_[k] = sum;
      p /= (k + 1);
    }
  }
  int operator()(CounterRng& rng) const {
    const double u = rng.uniform();
    int k = 0;
    while (k < kMax - 1 && u >= cdf_[k]) ++k;
    return k;
  }

 private:
  static constexpr int kMax = 24;
  double cdf_[kMax];
};

const PoissonOne kPoissonOne;

// Replicate groups are numbered b * n_groups + g in int32.
void require_replicate_groups(std::int32_t n_groups, int n_boot) {
  if (static_cast<std::uint64_t>(std::max(n_groups, 0)) * static_cast<std::uint64_t>(std::max(n_boot, 0)) >
      static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw ResourceLimit("n_boot: " + std::to_string(n_boot) + " replicates x " + std::to_string(n_groups) +
                        " groups exceed the 2^31 - 1 replicate groups one call can index; compute fewer replicates per "
                        "call (first_replicate streams them)");
  }
}

// The replicate statistics hold n_boot x cells counts and weights (16 bytes a cell).
void require_replicates(std::uint64_t cells, int n_boot) {
  require_fits(
      "n_boot", saturating_product({cells, static_cast<std::uint64_t>(std::max(n_boot, 0)), 16}),
      "statistics of " + std::to_string(n_boot) + " bootstrap replicates x " + std::to_string(cells) + " cells");
}

}  // namespace

void poisson_multiplicities(std::uint64_t seed, std::uint64_t replicate, std::span<std::uint8_t> times) {
  CounterRng rng(seed, replicate);
  for (auto& t : times) t = static_cast<std::uint8_t>(kPoissonOne(rng));
}

void for_each_replicate(int n_boot, int n_jobs, const Progress& progress,
                        const std::function<void(std::size_t)>& body) {
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  std::atomic<std::size_t> done{0};
  parallel_for(n_boot, resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    body(static_cast<std::size_t>(b));
    const std::size_t finished = ++done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(finished, static_cast<std::size_t>(n_boot));
  });
  if (progress.active()) progress.report(static_cast<std::size_t>(n_boot), static_cast<std::size_t>(n_boot));
}

ResampledRows resample_grouped_rows(std::span<const std::int64_t> order, std::span<const std::int64_t> group_offsets,
                                    std::size_t n_rows, std::uint64_t seed, std::uint64_t replicate) {
  if (group_offsets.empty() || group_offsets.front() != 0 ||
      group_offsets.back() != static_cast<std::int64_t>(order.size()) ||
      !std::is_sorted(group_offsets.begin(), group_offsets.end())) {
    throw InvalidArgument("group_offsets: must rise from 0 to the number of grouped rows");
  }
  std::vector<std::uint8_t> times(n_rows);
  poisson_multiplicities(seed, replicate, times);
  ResampledRows out;
  out.offsets.assign(group_offsets.size(), 0);
  out.rows.reserve(order.size() + order.size() / 8);
  for (std::size_t g = 0; g + 1 < group_offsets.size(); ++g) {
    for (auto r = group_offsets[g]; r < group_offsets[g + 1]; ++r) {
      const std::int64_t row = order[static_cast<std::size_t>(r)];
      if (row < 0 || static_cast<std::size_t>(row) >= n_rows)
        throw InvalidArgument("n_rows: smaller than a grouped row");
      out.rows.insert(out.rows.end(), times[static_cast<std::size_t>(row)], row);
    }
    out.offsets[g + 1] = static_cast<std::int64_t>(out.rows.size());
  }
  return out;
}

ConfusionStats bootstrap_counts(const ConfusionStats& stats, int n_boot, std::uint64_t seed, int n_jobs,
                                const Progress& progress, std::uint64_t first_replicate) {
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  if (stats.weighted) throw InvalidArgument("the count bootstrap needs unweighted statistics");
  const std::size_t cells = stats.counts.size();
  require_replicate_groups(stats.n_groups, n_boot);
  require_replicates(cells, n_boot);
  std::int64_t total = 0;
  for (const auto c : stats.counts) total += c;
  ConfusionStats out;
  out.n_groups = stats.n_groups * n_boot;
  out.n_classes = stats.n_classes;
  out.weighted = false;
  out.counts.assign(cells * static_cast<std::size_t>(n_boot), 0);
  out.weights.assign(out.counts.size(), 0.0);
  for_each_replicate(n_boot, n_jobs, progress, [&](std::size_t b) {
    CounterRng rng(seed, first_replicate + b);
    Bits bits{rng};
    std::int64_t rows_left = total, mass_left = total;
    std::int64_t* counts = &out.counts[b * cells];
    double* weights = &out.weights[b * cells];
    for (std::size_t c = 0; c < cells && rows_left > 0; ++c) {
      const std::int64_t mass = stats.counts[c];
      if (mass == 0) continue;
      std::int64_t drawn;
      if (mass == mass_left) {
        drawn = rows_left;
      } else {
        std::binomial_distribution<std::int64_t> binomial(rows_left, static_cast<double>(mass) / mass_left);
        drawn = binomial(bits);
      }
      counts[c] = drawn;
      weights[c] = static_cast<double>(drawn);
      rows_left -= drawn;
      mass_left -= mass;
    }
  });
  return out;
}

ConfusionStats bootstrap_rows_confusion(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                        std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                        std::int32_t n_classes, std::span<const double> weights, int n_boot,
                                        std::uint64_t seed, int n_jobs, const Progress& progress,
                                        std::uint64_t first_replicate) {
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  // Validates every input once (the replicates then trust them).
  const Weights sample_weight = weights.empty() ? Weights{} : Weights{weights};
  const ConfusionStats whole =
      accumulate_confusion(row_group, n_groups, y_true, y_pred, n_classes, sample_weight, n_jobs);
  const std::size_t cells = whole.counts.size();
  require_replicate_groups(n_groups, n_boot);
  require_replicates(cells, n_boot);
  ConfusionStats out;
  out.n_groups = n_groups * n_boot;
  out.n_classes = n_classes;
  out.weighted = true;
  out.counts.assign(cells * static_cast<std::size_t>(n_boot), 0);
  out.weights.assign(out.counts.size(), 0.0);
  for_each_replicate(n_boot, n_jobs, progress, [&](std::size_t b) {
    std::vector<std::uint8_t> multiplicity(row_group.size());
    poisson_multiplicities(seed, first_replicate + b, multiplicity);
    std::int64_t* counts = &out.counts[b * cells];
    double* sums = &out.weights[b * cells];
    for (std::size_t i = 0; i < row_group.size(); ++i) {
      const int times = multiplicity[i];
      const std::int32_t g = row_group[i];
      if (times == 0 || g < 0) continue;
      const std::size_t c = whole.cell(g, y_true[i], y_pred[i]);
      counts[c] += times;
      sums[c] += times * (weights.empty() ? 1.0 : weights[i]);
    }
  });
  return out;
}

RegressionStats bootstrap_rows_regression(std::span<const std::int32_t> row_group, std::int32_t n_groups,
                                          std::span<const double> y_true, std::span<const double> y_pred,
                                          std::span<const double> weights, int n_boot, std::uint64_t seed, int n_jobs,
                                          const Progress& progress, std::uint64_t first_replicate) {
  if (n_boot < 1) throw InvalidArgument("n_boot must be a positive integer");
  // Validates the inputs once.
  require_replicate_groups(n_groups, n_boot);
  require_replicates(static_cast<std::uint64_t>(std::max(n_groups, 0)) * 4, n_boot);
  accumulate_regression(row_group, n_groups, y_true, y_pred, weights.empty() ? Weights{} : Weights{weights}, n_jobs);
  std::vector<RegressionStats> replicates(static_cast<std::size_t>(n_boot));
  for_each_replicate(n_boot, n_jobs, progress, [&](std::size_t b) {
    // The replicate's rows: row i repeated Poisson(1) times, as a weight multiplier.
    std::vector<std::uint8_t> multiplicity(row_group.size());
    poisson_multiplicities(seed, first_replicate + b, multiplicity);
    std::vector<double> multiplied(row_group.size());
    std::vector<std::int32_t> groups(row_group.begin(), row_group.end());
    for (std::size_t i = 0; i < row_group.size(); ++i) {
      const int times = multiplicity[i];
      multiplied[i] = times * (weights.empty() ? 1.0 : weights[i]);
      if (times == 0) groups[i] = -1;
    }
    replicates[b] = accumulate_regression(groups, n_groups, y_true, y_pred, Weights{multiplied}, 1);
  });
  RegressionStats out;
  out.n_groups = n_groups * n_boot;
  out.weighted = true;
  for (const auto& r : replicates) {
    out.count.insert(out.count.end(), r.count.begin(), r.count.end());
    out.weight.insert(out.weight.end(), r.weight.begin(), r.weight.end());
    out.mean_true.insert(out.mean_true.end(), r.mean_true.begin(), r.mean_true.end());
    out.m2_true.insert(out.m2_true.end(), r.m2_true.begin(), r.m2_true.end());
    out.sum_pred.insert(out.sum_pred.end(), r.sum_pred.begin(), r.sum_pred.end());
    out.sum_error.insert(out.sum_error.end(), r.sum_error.begin(), r.sum_error.end());
    out.sum_sq_error.insert(out.sum_sq_error.end(), r.sum_sq_error.begin(), r.sum_sq_error.end());
    out.sum_abs_error.insert(out.sum_abs_error.end(), r.sum_abs_error.begin(), r.sum_abs_error.end());
  }
  return out;
}

}  // namespace assay::fairness
