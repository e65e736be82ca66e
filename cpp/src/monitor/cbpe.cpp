// CBPE per chunk: the Poisson-binomial pmfs of the true positives and the false negatives,
// the exact distribution of each confusion-matrix metric from them, ROC-AUC by drawing label
// vectors, NannyML's plug-in estimates, and the metrics realised on labelled chunks.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "assay/monitor/cbpe.hpp"

namespace assay::monitor {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A pmf entry below this at either end of the recursion's window is dropped: the mass lost
// is at most 2 n times it, below 1e-11 for any chunk that fits in memory.
constexpr double kNegligible = 1e-22;
// The mass each tail may hold when the final pmf is cut.
constexpr double kTailMass = 1e-15;
// The refined normal approximation is used only from this variance on (its error is O(1 / variance)).
constexpr double kApproximationMinVariance = 400.0;
constexpr std::size_t kMaxAucDraws = 1'000'000;

// Drops the tails of `pmf` holding less than kTailMass each.
void cut_tails(Pmf& pmf) {
  auto& m = pmf.mass;
  std::size_t first = 0;
  double low = 0.0;
  while (first + 1 < m.size() && low + m[first] < kTailMass) low += m[first++];
  std::size_t last = m.size();
  double high = 0.0;
  while (last - 1 > first && high + m[last - 1] < kTailMass) high += m[--last];
  m.erase(m.begin() + static_cast<std::ptrdiff_t>(last), m.end());
  m.erase(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(first));
  pmf.offset += static_cast<std::int64_t>(first);
}

Pmf exact_poisson_binomial(std::span<const double> p) {
  Pmf pmf{0, {1.0}};
  auto& m = pmf.mass;
  m.reserve(64);
  for (const double pj : p) {
    const double qj = 1.0 - pj;
    m.push_back(0.0);
    for (std::size_t k = m.size() - 1; k > 0; --k) m[k] = m[k] * qj + m[k - 1] * pj;
    m[0] *= qj;
    std::size_t lead = 0;
    while (lead + 1 < m.size() && m[lead] < kNegligible) ++lead;
    if (lead > 0) {
      m.erase(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(lead));
      pmf.offset += static_cast<std::int64_t>(lead);
    }
    while (m.size() > 1 && m.back() < kNegligible) m.pop_back();
  }
  return pmf;
}

double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// Volkova's refined normal approximation of the CDF at k (with the continuity correction).
Pmf refined_normal_poisson_binomial(std::span<const double> p, double mean, double variance) {
  double third = 0.0;
  for (const double pj : p) third += pj * (1.0 - pj) * (1.0 - 2.0 * pj);
  const double sd = std::sqrt(variance);
  const double skew = third / (variance * sd);
  const auto n = static_cast<double>(p.size());
  const double lo = std::max(0.0, std::floor(mean - 12.0 * sd));
  const double hi = std::min(n, std::ceil(mean + 12.0 * sd));
  auto cdf = [&](double k) {
    if (k < 0.0) return 0.0;
    if (k >= n) return 1.0;
    const double x = (k + 0.5 - mean) / sd;
    const double density = std::exp(-0.5 * x * x) * std::numbers::inv_sqrtpi / std::numbers::sqrt2;
    return std::clamp(standard_normal_cdf(x) + skew * (1.0 - x * x) * density / 6.0, 0.0, 1.0);
  };
  Pmf pmf{static_cast<std::int64_t>(lo), {}};
  pmf.mass.reserve(static_cast<std::size_t>(hi - lo) + 1);
  double total = 0.0;
  for (auto k = static_cast<std::int64_t>(lo); k <= static_cast<std::int64_t>(hi); ++k) {
    const auto at = static_cast<double>(k);
    pmf.mass.push_back(std::max(0.0, cdf(at) - cdf(at - 1.0)));
    total += pmf.mass.back();
  }
  for (double& v : pmf.mass) v /= total;
  return pmf;
}

// A metric as (a x + b y + c) / (d x + e y + f) of x = TP and y = FN: non-decreasing in x
// for every y, undefined where the denominator is 0.
struct Ratio {
  double a, b, c, d, e, f;
  double numerator(double x, double y) const { return a * x + b * y + c; }
  double denominator(double x, double y) const { return d * x + e * y + f; }
};

Ratio ratio_of(Metric metric, double n_pos, double n_neg) {
  switch (metric) {
    case Metric::accuracy:  // (TP + TN) / n
      return {1, -1, n_neg, 0, 0, n_pos + n_neg};
    case Metric::precision:  // TP / n_pos
      return {1, 0, 0, 0, 0, n_pos};
    case Metric::recall:  // TP / (TP + FN)
      return {1, 0, 0, 1, 1, 0};
    case Metric::f1:  // 2 TP / (2 TP + FP + FN) = 2 TP / (TP + n_pos + FN)
      return {2, 0, 0, 1, 1, n_pos};
    case Metric::specificity:  // TN / (TN + FP)
      return {0, -1, n_neg, -1, -1, n_pos + n_neg};
    case Metric::roc_auc:
      break;
  }
  throw InvalidArgument("metrics: ROC-AUC is not a ratio of confusion counts");
}

// The distribution of ratio(X, Y) for independent X, Y with the given pmfs.
class RatioDistribution {
 public:
  RatioDistribution(const Pmf& x, const Pmf& y, Ratio ratio) : x_(x), y_(y), ratio_(ratio) {
    x_cumulative_.resize(x.mass.size() + 1, 0.0);
    for (std::size_t i = 0; i < x.mass.size(); ++i) x_cumulative_[i + 1] = x_cumulative_[i] + x.mass[i];
    ranges_.resize(y.mass.size());
    for (std::size_t j = 0; j < y.mass.size(); ++j) {
      const double yv = static_cast<double>(y.offset) + static_cast<double>(j);
      std::size_t first = 0;
      std::size_t end = x.mass.size();
      // The denominator is >= 0 on feasible counts and linear in x: it is 0 at one end of the
      // range at most (or everywhere, when it does not depend on x).
      while (first < end && ratio.denominator(x_value(first), yv) == 0.0) ++first;
      while (end > first && ratio.denominator(x_value(end - 1), yv) == 0.0) --end;
      ranges_[j] = {first, end};
      defined_ += y.mass[j] * (x_cumulative_[end] - x_cumulative_[first]);
    }
  }

  double defined_mass() const { return defined_; }

  double mean() const {
    if (!(defined_ > 0.0)) return kNaN;
    double sum = 0.0;
    for (std::size_t j = 0; j < y_.mass.size(); ++j) {
      const double yv = static_cast<double>(y_.offset) + static_cast<double>(j);
      double inner = 0.0;
      for (std::size_t i = ranges_[j].first; i < ranges_[j].second; ++i) {
        const double xv = x_value(i);
        inner += x_.mass[i] * (ratio_.numerator(xv, yv) / ratio_.denominator(xv, yv));
      }
      sum += y_.mass[j] * inner;
    }
    return sum / defined_;
  }

  // The smallest value v the ratio takes with P(ratio <= v | defined) >= q.
  double quantile(double q) const {
    if (!(defined_ > 0.0)) return kNaN;
    const double target = q * defined_;
    const auto [at_zero, zero] = cdf(0.0);
    if (at_zero >= target) return zero;
    // Every metric lies in [0, 1]: halve the bracket (lo, hi], P(<= lo) < target <= P(<= hi),
    // until it holds one attained value, then return the largest attained value <= hi.
    double lo = 0.0;
    double hi = 1.0;
    for (int iteration = 0; iteration < 64 && hi - lo > 1e-15; ++iteration) {
      const double mid = 0.5 * (lo + hi);
      (cdf(mid).first >= target ? hi : lo) = mid;
    }
    return cdf(hi).second;
  }

 private:
  double x_value(std::size_t i) const { return static_cast<double>(x_.offset) + static_cast<double>(i); }

  // (P(ratio <= r and defined), the largest value <= r the ratio takes).
  std::pair<double, double> cdf(double r) const {
    double mass = 0.0;
    double largest = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < y_.mass.size(); ++j) {
      const double yv = static_cast<double>(y_.offset) + static_cast<double>(j);
      auto [first, end] = ranges_[j];
      // The number of x in [first, end) with ratio <= r (non-decreasing in x).
      std::size_t lo = first;
      std::size_t hi = end;
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        const double xv = x_value(mid);
        if (ratio_.numerator(xv, yv) / ratio_.denominator(xv, yv) <= r) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo > first) {
        mass += y_.mass[j] * (x_cumulative_[lo] - x_cumulative_[first]);
        const double xv = x_value(lo - 1);
        largest = std::max(largest, ratio_.numerator(xv, yv) / ratio_.denominator(xv, yv));
      }
    }
    return {mass, largest};
  }

  const Pmf& x_;
  const Pmf& y_;
  Ratio ratio_;
  std::vector<double> x_cumulative_;
  std::vector<std::pair<std::size_t, std::size_t>> ranges_;
  double defined_ = 0.0;
};

double divide_or_nan(double numerator, double denominator) {
  return denominator == 0.0 ? kNaN : numerator / denominator;
}

// NannyML's estimate_roc_auc on rows ordered by descending score, tied scores taken as one
// step: cumulative expected positives and negatives, rounded to 5 decimals as NannyML rounds
// them, normalised, and the trapezoid rule.
double plug_in_roc_auc(std::span<const std::size_t> descending, std::span<const double> probability,
                       std::span<const double> score) {
  auto round5 = [](double v) { return std::nearbyint(v * 1e5) / 1e5; };
  std::vector<double> tps{0.0};
  std::vector<double> fps{0.0};
  double cumulative = 0.0;
  for (std::size_t k = 0; k < descending.size(); ++k) {
    cumulative += probability[descending[k]];
    if (k + 1 < descending.size() && score[descending[k + 1]] == score[descending[k]]) continue;
    tps.push_back(round5(cumulative));
    fps.push_back(round5(static_cast<double>(k + 1) - cumulative));
  }
  const double tp_total = tps.back();
  const double fp_total = fps.back();
  if (tp_total == 0.0 || fp_total == 0.0) return kNaN;
  double area = 0.0;
  for (std::size_t k = 1; k < tps.size(); ++k) {
    area += (fps[k] / fp_total - fps[k - 1] / fp_total) * (tps[k] / tp_total + tps[k - 1] / tp_total) / 2.0;
  }
  return area;
}

// Mid-ranks (1-based, ties averaged) of the rows in ascending score order, given the order.
std::vector<double> mid_ranks(std::span<const std::size_t> ascending, std::span<const double> score) {
  std::vector<double> rank(ascending.size());
  std::size_t k = 0;
  while (k < ascending.size()) {
    std::size_t end = k + 1;
    while (end < ascending.size() && score[ascending[end]] == score[ascending[k]]) ++end;
    const double mid = 0.5 * (static_cast<double>(k + 1) + static_cast<double>(end));
    for (std::size_t i = k; i < end; ++i) rank[i] = mid;
    k = end;
  }
  return rank;
}

// ROC-AUC by the rank sum: (sum of the positives' mid-ranks - P (P + 1) / 2) / (P (n - P)).
double auc_from_rank_sum(double rank_sum, double positives, double n) {
  if (positives == 0.0 || positives == n) return kNaN;
  return (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * (n - positives));
}

// The `q` quantile of sorted values as in RatioDistribution::quantile.
double sorted_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const auto n = static_cast<double>(sorted.size());
  const double index = std::ceil(q * n - 1e-9) - 1.0;
  return sorted[static_cast<std::size_t>(std::clamp(index, 0.0, n - 1.0))];
}

// The rows of every chunk, in row order: rows[start[c], start[c + 1]).
struct ChunkRows {
  std::vector<std::size_t> start;
  std::vector<std::size_t> rows;
};

ChunkRows group_rows(std::span<const std::int64_t> chunk_of_row, std::int64_t n_chunks) {
  if (n_chunks < 0) throw InvalidArgument("n_chunks: must be >= 0, got " + std::to_string(n_chunks));
  require_fits("n_chunks", saturating_product({static_cast<std::uint64_t>(n_chunks), 8 * 8}), "the chunk tables");
  ChunkRows out;
  out.start.assign(static_cast<std::size_t>(n_chunks) + 1, 0);
  for (std::size_t i = 0; i < chunk_of_row.size(); ++i) {
    const auto c = chunk_of_row[i];
    if (c < -1 || c >= n_chunks) {
      throw InvalidArgument("chunk: row " + std::to_string(i) + " has chunk " + std::to_string(c) + ", outside [0, " +
                            std::to_string(n_chunks) + ")");
    }
    if (c >= 0) ++out.start[static_cast<std::size_t>(c) + 1];
  }
  std::partial_sum(out.start.begin(), out.start.end(), out.start.begin());
  out.rows.resize(out.start.back());
  std::vector<std::size_t> next(out.start.begin(), out.start.end() - 1);
  for (std::size_t i = 0; i < chunk_of_row.size(); ++i) {
    if (chunk_of_row[i] >= 0) out.rows[next[static_cast<std::size_t>(chunk_of_row[i])]++] = i;
  }
  return out;
}

void check_rows(std::size_t n, std::span<const double> score, std::span<const std::uint8_t> predicted,
                std::span<const std::int64_t> chunk_of_row) {
  auto same = [n](std::size_t size, const char* name) {
    if (size != n) {
      throw InvalidArgument(std::string(name) + ": expected one value per row (" + std::to_string(n) + "), got " +
                            std::to_string(size));
    }
  };
  same(score.size(), "y_score");
  same(predicted.size(), "y_pred");
  same(chunk_of_row.size(), "chunk");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(score[i])) throw InvalidArgument("y_score: not finite at row " + std::to_string(i));
    if (predicted[i] > 1) throw InvalidArgument("y_pred: must be 0 or 1, got " + std::to_string(predicted[i]));
  }
}

// The rows of one chunk sorted by score (ascending; ties in row order).
std::vector<std::size_t> by_score(std::span<const std::size_t> rows, std::span<const double> score) {
  std::vector<std::size_t> order(rows.begin(), rows.end());
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  return order;
}

}  // namespace

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::accuracy:
      return "accuracy";
    case Metric::precision:
      return "precision";
    case Metric::recall:
      return "recall";
    case Metric::f1:
      return "f1";
    case Metric::specificity:
      return "specificity";
    case Metric::roc_auc:
      return "roc_auc";
  }
  return "?";
}

Pmf poisson_binomial(std::span<const double> p, std::size_t exact_max_rows) {
  double mean = 0.0;
  double variance = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
      throw InvalidArgument("probability: must be in [0, 1], got " + std::to_string(p[i]) + " at row " +
                            std::to_string(i));
    }
    mean += p[i];
    variance += p[i] * (1.0 - p[i]);
  }
  Pmf pmf = (p.size() > exact_max_rows && variance >= kApproximationMinVariance)
                ? refined_normal_poisson_binomial(p, mean, variance)
                : exact_poisson_binomial(p);
  cut_tails(pmf);
  return pmf;
}

ChunkEstimates estimate_chunks(std::span<const double> probability, std::span<const double> score,
                               std::span<const std::uint8_t> predicted, std::span<const std::int64_t> chunk_of_row,
                               std::int64_t n_chunks, const EstimateOptions& options, int n_jobs) {
  check_rows(probability.size(), score, predicted, chunk_of_row);
  for (std::size_t i = 0; i < probability.size(); ++i) {
    if (!(probability[i] >= 0.0 && probability[i] <= 1.0)) {
      throw InvalidArgument("probability: must be in [0, 1] at row " + std::to_string(i));
    }
  }
  if (!(options.confidence_level > 0.0 && options.confidence_level < 1.0)) {
    throw InvalidArgument("confidence_level: must be in (0, 1), got " + std::to_string(options.confidence_level));
  }
  if (options.auc_draws < 1 || options.auc_draws > kMaxAucDraws) {
    throw InvalidArgument("auc_draws: must be in [1, " + std::to_string(kMaxAucDraws) + "], got " +
                          std::to_string(options.auc_draws));
  }
  const auto grouped = group_rows(chunk_of_row, n_chunks);
  const auto chunks = static_cast<std::size_t>(n_chunks);
  const std::size_t n_metrics = options.metrics.size();
  ChunkEstimates out;
  out.n_chunks = chunks;
  out.n_metrics = n_metrics;
  out.rows.resize(chunks);
  for (auto* field : {&out.estimate, &out.lower, &out.upper, &out.plug_in, &out.undefined_probability}) {
    field->assign(chunks * n_metrics, kNaN);
  }
  const double q_low = (1.0 - options.confidence_level) / 2.0;
  const double q_high = (1.0 + options.confidence_level) / 2.0;
  const bool wants_auc =
      std::find(options.metrics.begin(), options.metrics.end(), Metric::roc_auc) != options.metrics.end();

  parallel_for(static_cast<std::ptrdiff_t>(chunks), resolve_threads(n_jobs), [&](std::ptrdiff_t c) {
    const auto chunk = static_cast<std::size_t>(c);
    const std::span<const std::size_t> rows(grouped.rows.data() + grouped.start[chunk],
                                            grouped.start[chunk + 1] - grouped.start[chunk]);
    out.rows[chunk] = static_cast<std::int64_t>(rows.size());
    if (rows.empty()) return;
    std::vector<double> p_pos;
    std::vector<double> p_neg;
    for (const std::size_t i : rows) (predicted[i] ? p_pos : p_neg).push_back(probability[i]);
    const auto n_pos = static_cast<double>(p_pos.size());
    const auto n_neg = static_cast<double>(p_neg.size());
    const Pmf tp = poisson_binomial(p_pos, options.exact_max_rows);
    const Pmf fn = poisson_binomial(p_neg, options.exact_max_rows);
    const double expected_tp = std::accumulate(p_pos.begin(), p_pos.end(), 0.0);
    const double expected_fn = std::accumulate(p_neg.begin(), p_neg.end(), 0.0);
    const double expected_fp = n_pos - expected_tp;
    const double expected_tn = n_neg - expected_fn;

    std::vector<std::size_t> ascending;
    std::vector<double> rank;
    if (wants_auc) {
      ascending = by_score(rows, score);
      rank = mid_ranks(ascending, score);
    }
    for (std::size_t m = 0; m < n_metrics; ++m) {
      const std::size_t at = chunk * n_metrics + m;
      const Metric metric = options.metrics[m];
      switch (metric) {
        case Metric::accuracy:
          out.plug_in[at] = (expected_tp + expected_tn) / (n_pos + n_neg);
          break;
        case Metric::precision:
          out.plug_in[at] = divide_or_nan(expected_tp, expected_tp + expected_fp);
          break;
        case Metric::recall:
          out.plug_in[at] = divide_or_nan(expected_tp, expected_tp + expected_fn);
          break;
        case Metric::f1:
          out.plug_in[at] = divide_or_nan(expected_tp, expected_tp + 0.5 * (expected_fp + expected_fn));
          break;
        case Metric::specificity:
          out.plug_in[at] = divide_or_nan(expected_tn, expected_tn + expected_fp);
          break;
        case Metric::roc_auc: {
          const std::vector<std::size_t> descending(ascending.rbegin(), ascending.rend());
          out.plug_in[at] = plug_in_roc_auc(descending, probability, score);
          // Each label is drawn from 32 random bits, two per 64-bit draw: y = 1 when the bits,
          // as an integer below 2^32, fall below p 2^32 (P(y = 1) within 2^-32 of p).
          std::vector<double> threshold(ascending.size());
          for (std::size_t k = 0; k < ascending.size(); ++k) threshold[k] = probability[ascending[k]] * 0x1p32;
          std::vector<double> draws;
          draws.reserve(options.auc_draws);
          const auto n = static_cast<double>(rows.size());
          for (std::size_t b = 0; b < options.auc_draws; ++b) {
            CounterRng rng(options.seed, static_cast<std::uint64_t>(chunk) * kMaxAucDraws + b);
            double positives = 0.0;
            double rank_sum = 0.0;
            std::uint64_t bits = 0;
            for (std::size_t k = 0; k < ascending.size(); ++k) {
              bits = (k % 2 == 0) ? rng.next() : bits >> 32;
              // Branch-free: the draw is a coin flip the branch predictor cannot learn.
              const double positive = static_cast<double>(bits & 0xffffffffULL) < threshold[k] ? 1.0 : 0.0;
              positives += positive;
              rank_sum += positive * rank[k];
            }
            const double auc = auc_from_rank_sum(rank_sum, positives, n);
            if (!std::isnan(auc)) draws.push_back(auc);
          }
          out.undefined_probability[at] =
              1.0 - static_cast<double>(draws.size()) / static_cast<double>(options.auc_draws);
          if (!draws.empty()) {
            out.estimate[at] = std::accumulate(draws.begin(), draws.end(), 0.0) / static_cast<double>(draws.size());
            std::sort(draws.begin(), draws.end());
            out.lower[at] = sorted_quantile(draws, q_low);
            out.upper[at] = sorted_quantile(draws, q_high);
          }
          continue;
        }
      }
      const RatioDistribution distribution(tp, fn, ratio_of(metric, n_pos, n_neg));
      out.undefined_probability[at] = std::max(0.0, 1.0 - distribution.defined_mass());
      out.estimate[at] = distribution.mean();
      out.lower[at] = distribution.quantile(q_low);
      out.upper[at] = distribution.quantile(q_high);
    }
  });
  return out;
}

std::vector<double> realized_chunks(std::span<const std::uint8_t> label, std::span<const double> score,
                                    std::span<const std::uint8_t> predicted, std::span<const std::int64_t> chunk_of_row,
                                    std::int64_t n_chunks, std::span<const Metric> metrics, int n_jobs) {
  check_rows(label.size(), score, predicted, chunk_of_row);
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] > 1) {
      throw InvalidArgument("y_true: must be 0 or 1, got " + std::to_string(label[i]) + " at row " + std::to_string(i));
    }
  }
  const auto grouped = group_rows(chunk_of_row, n_chunks);
  const auto chunks = static_cast<std::size_t>(n_chunks);
  std::vector<double> out(chunks * metrics.size(), kNaN);
  parallel_for(static_cast<std::ptrdiff_t>(chunks), resolve_threads(n_jobs), [&](std::ptrdiff_t c) {
    const auto chunk = static_cast<std::size_t>(c);
    const std::span<const std::size_t> rows(grouped.rows.data() + grouped.start[chunk],
                                            grouped.start[chunk + 1] - grouped.start[chunk]);
    if (rows.empty()) return;
    double tp = 0, fp = 0, fn = 0, tn = 0;
    for (const std::size_t i : rows) {
      if (predicted[i]) {
        (label[i] ? tp : fp) += 1.0;
      } else {
        (label[i] ? fn : tn) += 1.0;
      }
    }
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      double& value = out[chunk * metrics.size() + m];
      switch (metrics[m]) {
        case Metric::accuracy:
          value = (tp + tn) / static_cast<double>(rows.size());
          break;
        case Metric::precision:
          value = divide_or_nan(tp, tp + fp);
          break;
        case Metric::recall:
          value = divide_or_nan(tp, tp + fn);
          break;
        case Metric::f1:
          value = divide_or_nan(2.0 * tp, 2.0 * tp + fp + fn);
          break;
        case Metric::specificity:
          value = divide_or_nan(tn, tn + fp);
          break;
        case Metric::roc_auc: {
          const auto ascending = by_score(rows, score);
          const auto rank = mid_ranks(ascending, score);
          double rank_sum = 0.0;
          for (std::size_t k = 0; k < ascending.size(); ++k) rank_sum += label[ascending[k]] ? rank[k] : 0.0;
          value = auc_from_rank_sum(rank_sum, tp + fn, static_cast<double>(rows.size()));
          break;
        }
      }
    }
  });
  return out;
}

}  // namespace assay::monitor
