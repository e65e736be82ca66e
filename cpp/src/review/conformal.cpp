// Split and Mondrian conformal prediction: scores, calibration, sets, intervals, routing.
#include "assay/review/conformal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "assay/common/sort.hpp"

namespace assay::review {

namespace {

constexpr std::int64_t kBlock = 4096;  // rows per parallel block
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Runs body(begin, end) over fixed blocks of rows.
template <class Body>
void for_row_blocks(std::int64_t n_rows, int n_jobs, Body&& body) {
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(static_cast<std::size_t>(n_rows), kBlock));
  parallel_for(blocks, resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::int64_t begin = b * kBlock;
    body(begin, std::min(n_rows, begin + kBlock));
  });
}

void check_probabilities(const Probabilities& p) {
  if (p.n_rows < 0 || p.n_classes < 1) throw InvalidArgument("probabilities: expected at least one class column");
  if (static_cast<std::uint64_t>(p.values.size()) !=
      saturating_product({static_cast<std::uint64_t>(p.n_rows), static_cast<std::uint64_t>(p.n_classes)})) {
    throw InvalidArgument("probabilities: the values do not fill n_rows x n_classes");
  }
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    const double v = p.values[i];
    if (!(v >= 0.0 && v <= 1.0)) {
      throw InvalidArgument("probabilities: value " + std::to_string(v) + " at row " +
                            std::to_string(static_cast<std::int64_t>(i) / p.n_classes) + ", column " +
                            std::to_string(static_cast<std::int64_t>(i) % p.n_classes) +
                            " is not a probability in [0, 1]");
    }
  }
}

void check_groups(std::span<const std::int32_t> groups, std::int64_t n_rows, std::int32_t n_groups) {
  if (groups.empty()) return;
  if (static_cast<std::int64_t>(groups.size()) != n_rows) {
    throw InvalidArgument("groups: " + std::to_string(groups.size()) + " entries for " + std::to_string(n_rows) +
                          " rows");
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] < 0 || groups[i] >= n_groups) {
      throw InvalidArgument("groups: index " + std::to_string(groups[i]) + " at row " + std::to_string(i) +
                            " is outside [0, " + std::to_string(n_groups) + ")");
    }
  }
}

void check_finite(std::span<const double> values, const char* argument) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidArgument(std::string(argument) + ": value " + std::to_string(values[i]) + " at row " +
                            std::to_string(i) + " is not finite");
    }
  }
}

void check_same_length(std::size_t a, std::size_t b, const char* name_a, const char* name_b) {
  if (a != b) {
    throw InvalidArgument(std::string(name_b) + ": " + std::to_string(b) + " rows, but " + name_a + " has " +
                          std::to_string(a));
  }
}

// The scores of every label of one row (see the header for the definitions). `order` is
// scratch space of n_classes entries.
void row_scores(const double* p, std::int64_t n_classes, ClassScore score, double u, std::int32_t* order, double* out) {
  if (score == ClassScore::lac) {
    for (std::int64_t c = 0; c < n_classes; ++c) out[c] = 1.0 - p[c];
    return;
  }
  std::iota(order, order + n_classes, 0);
  std::stable_sort(order, order + n_classes, [p](std::int32_t a, std::int32_t b) { return p[a] > p[b]; });
  double cumulative = 0.0;
  for (std::int64_t r = 0; r < n_classes; ++r) {
    const std::int32_t c = order[r];
    const double before = cumulative;
    cumulative += p[c];
    out[c] = score == ClassScore::aps ? cumulative : before + u * p[c];
  }
}

double row_uniform(ClassScore score, std::uint64_t seed, std::uint64_t stream) {
  return score == ClassScore::aps_randomized ? CounterRng(seed, stream).uniform() : 0.0;
}

std::int32_t group_of(std::span<const std::int32_t> groups, std::int64_t row) {
  return groups.empty() ? 0 : groups[static_cast<std::size_t>(row)];
}

void check_alpha(double alpha) {
  if (!(alpha > 0.0 && alpha < 1.0)) throw InvalidArgument("alpha: expected a number in (0, 1)");
}

// Fills rank / threshold / infinite from the sorted scores and offsets.
void set_thresholds(Calibration& c) {
  c.rank.assign(static_cast<std::size_t>(c.n_groups), 0);
  c.threshold.assign(static_cast<std::size_t>(c.n_groups), kInfinity);
  c.infinite.assign(static_cast<std::size_t>(c.n_groups), 1);
  for (std::int32_t g = 0; g < c.n_groups; ++g) {
    const std::int64_t n = c.group_size(g);
    const std::int64_t k = conformal_rank(n, c.alpha, c.rule);
    c.rank[g] = k;
    if (k <= n) {
      c.threshold[g] = c.sorted_scores[static_cast<std::size_t>(c.offsets[g] + k - 1)];
      c.infinite[g] = 0;
    }
  }
}

}  // namespace

std::int64_t conformal_rank(std::int64_t n, double alpha, RankRule rule) {
  check_alpha(alpha);
  if (n < 0) throw InvalidArgument("n: expected a count >= 0");
  const auto size = static_cast<double>(n);
  if (rule == RankRule::mapie) {
    const double level = std::ceil((size + 1.0) * (1.0 - alpha)) / size;
    return n == 0 || level > 1.0 ? n + 1 : static_cast<std::int64_t>(std::floor(level * (size - 1.0))) + 1;
  }
  if (rule == RankRule::crepes) {
    // The fewest calibration scores >= s that keep a label: the least c with (c + 1) / (n + 1) >= alpha'.
    const double alpha_float = 1.0 - (1.0 - alpha);
    auto c = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(alpha_float * (size + 1.0))) - 2);
    while (static_cast<double>(c + 1) / (size + 1.0) < alpha_float) ++c;
    return n - c + 1;
  }
  const double product = (size + 1.0) * (1.0 - alpha);
  const double below = std::floor(product);
  const auto k = static_cast<std::int64_t>(product - below <= 1e-9 * product ? below : std::ceil(product));
  return std::max<std::int64_t>(k, 1);
}

double Calibration::p_value(std::int32_t g, double score) const {
  const auto begin = sorted_scores.begin() + offsets[g];
  const auto end = sorted_scores.begin() + offsets[g + 1];
  const auto at_least = end - std::lower_bound(begin, end, score);
  return static_cast<double>(1 + at_least) / static_cast<double>(group_size(g) + 1);
}

std::vector<double> class_scores(const Probabilities& probabilities, std::span<const std::int32_t> labels,
                                 ClassScore score, std::uint64_t seed, int n_jobs) {
  check_probabilities(probabilities);
  const std::int64_t n = probabilities.n_rows, n_classes = probabilities.n_classes;
  check_same_length(static_cast<std::size_t>(n), labels.size(), "probabilities", "y");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= n_classes) {
      throw InvalidArgument("y: class index " + std::to_string(labels[i]) + " at row " + std::to_string(i) +
                            " is outside [0, " + std::to_string(n_classes) + ")");
    }
  }
  std::vector<double> out(static_cast<std::size_t>(n));
  for_row_blocks(n, n_jobs, [&](std::int64_t begin, std::int64_t end) {
    std::vector<std::int32_t> order(static_cast<std::size_t>(n_classes));
    std::vector<double> scores(static_cast<std::size_t>(n_classes));
    for (std::int64_t i = begin; i < end; ++i) {
      const double u = row_uniform(score, seed, 2 * static_cast<std::uint64_t>(i));
      row_scores(probabilities.values.data() + i * n_classes, n_classes, score, u, order.data(), scores.data());
      out[static_cast<std::size_t>(i)] = scores[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])];
    }
  });
  return out;
}

std::vector<double> residual_scores(std::span<const double> y, std::span<const double> prediction, int n_jobs) {
  check_same_length(y.size(), prediction.size(), "y", "y_pred");
  check_finite(y, "y");
  check_finite(prediction, "y_pred");
  std::vector<double> out(y.size());
  for_row_blocks(static_cast<std::int64_t>(y.size()), n_jobs, [&](std::int64_t begin, std::int64_t end) {
    for (auto i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end); ++i) {
      out[i] = std::abs(y[i] - prediction[i]);
    }
  });
  check_finite(out, "y - y_pred");
  return out;
}

std::vector<double> cqr_scores(std::span<const double> y, std::span<const double> lower, std::span<const double> upper,
                               int n_jobs) {
  check_same_length(y.size(), lower.size(), "y", "y_lower");
  check_same_length(y.size(), upper.size(), "y", "y_upper");
  check_finite(y, "y");
  check_finite(lower, "y_lower");
  check_finite(upper, "y_upper");
  std::vector<double> out(y.size());
  for_row_blocks(static_cast<std::int64_t>(y.size()), n_jobs, [&](std::int64_t begin, std::int64_t end) {
    for (auto i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end); ++i) {
      out[i] = std::max(lower[i] - y[i], y[i] - upper[i]);
    }
  });
  check_finite(out, "y_lower - y, y - y_upper");
  return out;
}

Calibration calibrate(std::span<const double> scores, std::span<const std::int32_t> groups, std::int32_t n_groups,
                      double alpha, int n_jobs, RankRule rule) {
  check_alpha(alpha);
  if (n_groups < 1) throw InvalidArgument("n_groups: expected at least one group");
  require_fits("n_groups", saturating_product({static_cast<std::uint64_t>(n_groups) + 1, 4 * sizeof(std::int64_t)}),
               "the per-group thresholds");
  const auto n = static_cast<std::int64_t>(scores.size());
  check_finite(scores, "scores");
  check_groups(groups, n, n_groups);

  Calibration c;
  c.alpha = alpha;
  c.rule = rule;
  c.n_groups = n_groups;
  c.offsets.assign(static_cast<std::size_t>(n_groups) + 1, 0);
  for (std::int64_t i = 0; i < n; ++i) ++c.offsets[static_cast<std::size_t>(group_of(groups, i)) + 1];
  std::partial_sum(c.offsets.begin(), c.offsets.end(), c.offsets.begin());
  c.sorted_scores.resize(static_cast<std::size_t>(n));
  std::vector<std::int64_t> next(c.offsets.begin(), c.offsets.end() - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    c.sorted_scores[static_cast<std::size_t>(next[static_cast<std::size_t>(group_of(groups, i))]++)] =
        scores[static_cast<std::size_t>(i)];
  }
  parallel_for(n_groups, resolve_threads(n_jobs), [&](std::ptrdiff_t g) {
    sort_values(std::span<double>(c.sorted_scores)
                    .subspan(static_cast<std::size_t>(c.offsets[g]),
                             static_cast<std::size_t>(c.group_size(static_cast<std::int32_t>(g)))));
  });
  set_thresholds(c);
  return c;
}

Calibration calibration_from_sorted(std::span<const double> sorted_scores, std::span<const std::int64_t> offsets,
                                    double alpha, RankRule rule) {
  check_alpha(alpha);
  if (offsets.size() < 2 || offsets.size() - 1 > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw CorruptedState("offsets: expected n_groups + 1 >= 2 entries");
  }
  if (offsets.front() != 0 || offsets.back() != static_cast<std::int64_t>(sorted_scores.size()) ||
      !std::is_sorted(offsets.begin(), offsets.end())) {
    throw CorruptedState("offsets: expected non-decreasing offsets from 0 to the number of scores");
  }
  check_finite(sorted_scores, "sorted_scores");
  Calibration c;
  c.alpha = alpha;
  c.rule = rule;
  c.n_groups = static_cast<std::int32_t>(offsets.size() - 1);
  c.offsets.assign(offsets.begin(), offsets.end());
  c.sorted_scores.assign(sorted_scores.begin(), sorted_scores.end());
  for (std::int32_t g = 0; g < c.n_groups; ++g) {
    if (!std::is_sorted(c.sorted_scores.begin() + c.offsets[g], c.sorted_scores.begin() + c.offsets[g + 1])) {
      throw CorruptedState("sorted_scores: the scores of group " + std::to_string(g) + " are not in ascending order");
    }
  }
  set_thresholds(c);
  return c;
}

SetPrediction predict_sets(const Calibration& calibration, const Probabilities& probabilities,
                           std::span<const std::int32_t> groups, ClassScore score, std::uint64_t seed, int n_jobs) {
  check_probabilities(probabilities);
  const std::int64_t n = probabilities.n_rows, n_classes = probabilities.n_classes;
  check_groups(groups, n, calibration.n_groups);
  SetPrediction out;
  out.n_rows = n;
  out.n_classes = n_classes;
  out.member.assign(probabilities.values.size(), 0);
  out.size.assign(static_cast<std::size_t>(n), 0);
  out.risk.assign(static_cast<std::size_t>(n), 0.0);
  for_row_blocks(n, n_jobs, [&](std::int64_t begin, std::int64_t end) {
    std::vector<std::int32_t> order(static_cast<std::size_t>(n_classes));
    std::vector<double> scores(static_cast<std::size_t>(n_classes));
    for (std::int64_t i = begin; i < end; ++i) {
      const std::int32_t g = group_of(groups, i);
      const double q = calibration.threshold[static_cast<std::size_t>(g)];
      const double u = row_uniform(score, seed, 2 * static_cast<std::uint64_t>(i) + 1);
      row_scores(probabilities.values.data() + i * n_classes, n_classes, score, u, order.data(), scores.data());
      std::int32_t size = 0;
      std::int64_t best = -1, second = -1;  // labels of the smallest and second smallest score
      for (std::int64_t c = 0; c < n_classes; ++c) {
        const double s = scores[static_cast<std::size_t>(c)];
        const bool in_set = calibration.infinite[static_cast<std::size_t>(g)] != 0 || s <= q;
        out.member[static_cast<std::size_t>(i * n_classes + c)] = in_set ? 1 : 0;
        size += in_set ? 1 : 0;
        if (best < 0 || s < scores[static_cast<std::size_t>(best)]) {
          second = best;
          best = c;
        } else if (second < 0 || s < scores[static_cast<std::size_t>(second)]) {
          second = c;
        }
      }
      out.size[static_cast<std::size_t>(i)] = size;
      if (second >= 0)
        out.risk[static_cast<std::size_t>(i)] = calibration.p_value(g, scores[static_cast<std::size_t>(second)]);
    }
  });
  return out;
}

IntervalPrediction predict_intervals(const Calibration& calibration, std::span<const double> prediction,
                                     std::span<const double> upper, std::span<const std::int32_t> groups, int n_jobs) {
  const bool cqr = !upper.empty();
  check_finite(prediction, cqr ? "y_lower" : "y_pred");
  if (cqr) {
    check_same_length(prediction.size(), upper.size(), "y_lower", "y_upper");
    check_finite(upper, "y_upper");
  }
  check_groups(groups, static_cast<std::int64_t>(prediction.size()), calibration.n_groups);
  IntervalPrediction out;
  out.lower.resize(prediction.size());
  out.upper.resize(prediction.size());
  for_row_blocks(static_cast<std::int64_t>(prediction.size()), n_jobs, [&](std::int64_t begin, std::int64_t end) {
    for (auto i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end); ++i) {
      const double q = calibration.threshold[static_cast<std::size_t>(group_of(groups, static_cast<std::int64_t>(i)))];
      out.lower[i] = prediction[i] - q;
      out.upper[i] = (cqr ? upper[i] : prediction[i]) + q;
    }
  });
  return out;
}

Routing route(std::span<const std::uint8_t> ambiguous, std::span<const double> risk,
              std::span<const std::int32_t> groups, std::int32_t n_groups, double budget) {
  const auto n = static_cast<std::int64_t>(ambiguous.size());
  check_same_length(ambiguous.size(), risk.size(), "ambiguous", "risk");
  if (n_groups < 1) throw InvalidArgument("n_groups: expected at least one group");
  check_groups(groups, n, n_groups);
  if (!(budget < 0.0 || budget <= 1.0)) throw InvalidArgument("budget: expected a share of the rows in [0, 1]");
  for (std::size_t i = 0; i < risk.size(); ++i) {
    if (std::isnan(risk[i])) throw InvalidArgument("risk: NaN at row " + std::to_string(i));
  }
  Routing out;
  out.review.assign(ambiguous.begin(), ambiguous.end());
  if (budget >= 0.0) {
    std::vector<std::int64_t> candidates;
    for (std::int64_t i = 0; i < n; ++i) {
      if (ambiguous[static_cast<std::size_t>(i)] != 0) candidates.push_back(i);
    }
    const auto capacity = static_cast<std::int64_t>(std::floor(budget * static_cast<double>(n) + 1e-9));
    if (static_cast<std::int64_t>(candidates.size()) > capacity) {
      const auto riskier = [&](std::int64_t a, std::int64_t b) {
        const double ra = risk[static_cast<std::size_t>(a)], rb = risk[static_cast<std::size_t>(b)];
        return ra != rb ? ra > rb : a < b;
      };
      std::nth_element(candidates.begin(), candidates.begin() + capacity, candidates.end(), riskier);
      for (auto it = candidates.begin() + capacity; it != candidates.end(); ++it)
        out.review[static_cast<std::size_t>(*it)] = 0;
    }
  }
  const auto groups_size = static_cast<std::size_t>(n_groups);
  out.rows.assign(groups_size, 0);
  out.reviewed.assign(groups_size, 0);
  out.ambiguous.assign(groups_size, 0);
  out.auto_ambiguous.assign(groups_size, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::size_t>(group_of(groups, i));
    const auto k = static_cast<std::size_t>(i);
    ++out.rows[g];
    out.reviewed[g] += out.review[k];
    out.ambiguous[g] += ambiguous[k] != 0 ? 1 : 0;
    out.auto_ambiguous[g] += (ambiguous[k] != 0 && out.review[k] == 0) ? 1 : 0;
  }
  return out;
}

}  // namespace assay::review
