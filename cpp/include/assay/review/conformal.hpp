#pragma once
// Split conformal prediction and the routing of uncertain cases to a person.
//
// Split conformal prediction (Papadopoulos et al. 2002; Lei et al., JASA 2018): given n
// calibration rows exchangeable with the rows to predict, and a nonconformity score s
// (large = the label fits badly), the threshold q is the k-th smallest calibration score
// with k = ceil((n + 1)(1 - alpha)); the prediction set {y : s(x, y) <= q} then holds the
// true label with probability at least 1 - alpha (over the calibration rows and the new
// row together). When k > n no finite threshold has that guarantee: q is +infinity and
// the set holds every label (the interval is the whole line); Calibration says so in
// `infinite`.
//
// Mondrian conformal prediction (Vovk et al. 2003) computes one threshold per group from
// the group's own calibration rows, so the guarantee holds within every group.
//
// Scores:
//   LAC (Sadinle, Lei & Wasserman 2019):   s(x, y) = 1 - p_y(x)
//   APS (Romano, Sesia & Candes 2020):      s(x, y) = the total probability of the labels
//                                           ranked at or above y (descending probability,
//                                           ties by label index)
//   APS randomised:                         the same minus (1 - U) p_y(x), U uniform on
//                                           [0, 1) from a counter RNG keyed by (seed, row)
//   absolute residual:                      s(x, y) = |y - f(x)|,  interval f(x) -/+ q
//   CQR (Romano, Patterson & Candes 2019):  s(x, y) = max(lo(x) - y, y - hi(x)),
//                                           interval [lo(x) - q, hi(x) + q]
//
// Every call is deterministic for any n_jobs: rows are independent, per-group work is
// a sort of the group's own scores, and the random draws are keyed by the row index.
#include <cstdint>
#include <span>
#include <vector>

namespace assay::review {

enum class ClassScore { lac, aps, aps_randomized };

// Which order statistic is the threshold.
//   exact:  k = ceil((n + 1)(1 - alpha)) in exact decimal arithmetic (see conformal_rank).
//   mapie:  MAPIE 1.6's computation in binary floating point: level = ceil((n + 1)(1 - alpha)) / n,
//           then numpy's quantile with method "lower", rank floor(level (n - 1)) + 1; one
//           more than exact where the product lands just above an integer (alpha = 0.7, n = 9).
//   crepes: crepes 0.9's non-smoothed sets {y : p(y) >= 1 - (1 - alpha)} with the p-value
//           (1 + #{scores >= s}) / (n + 1) in floating point: one more than exact where
//           alpha (n + 1) is an integer (it keeps a label whose p-value equals alpha).
enum class RankRule { exact, mapie, crepes };

// Class probabilities, row-major n_rows x n_classes, every entry finite in [0, 1].
struct Probabilities {
  std::span<const double> values;
  std::int64_t n_rows = 0;
  std::int64_t n_classes = 0;
};

// The rank k = ceil((n + 1)(1 - alpha)) (1-based) of the conformal threshold among n
// scores; k > n means the threshold is infinite. alpha is a decimal such as 0.1, whose
// binary value is not exact: a product within 1e-9 (relative) of an integer counts as
// that integer, so (9 + 1)(1 - 0.7) gives 3, not 4. Throws InvalidArgument for alpha
// outside (0, 1) or n < 0.
std::int64_t conformal_rank(std::int64_t n, double alpha, RankRule rule = RankRule::exact);

// Calibration scores of classification rows: the score of each row's true label.
// `labels` are class indices in [0, n_classes). Randomised APS draws U from
// CounterRng(seed, 2 * row).
std::vector<double> class_scores(const Probabilities& probabilities, std::span<const std::int32_t> labels,
                                 ClassScore score, std::uint64_t seed, int n_jobs);

// Calibration scores of regression rows: |y - prediction|, or with quantile predictions
// (CQR) max(lower - y, y - upper). Every value must be finite.
std::vector<double> residual_scores(std::span<const double> y, std::span<const double> prediction, int n_jobs);
std::vector<double> cqr_scores(std::span<const double> y, std::span<const double> lower, std::span<const double> upper,
                               int n_jobs);

// The fitted state: every group's calibration scores in ascending order and its
// threshold.
struct Calibration {
  double alpha = 0.1;
  RankRule rule = RankRule::exact;
  std::int32_t n_groups = 0;
  std::vector<std::int64_t> offsets;  // n_groups + 1: group g's scores are sorted_scores[offsets[g], offsets[g+1])
  std::vector<double> sorted_scores;
  std::vector<std::int64_t> rank;      // per group: ceil((n_g + 1)(1 - alpha)), 1-based
  std::vector<double> threshold;       // per group: the rank-th smallest score, +inf when rank > n_g
  std::vector<std::uint8_t> infinite;  // per group: rank > n_g (too few calibration rows)

  std::int64_t group_size(std::int32_t g) const { return offsets[g + 1] - offsets[g]; }
  // The conformal p-value of a score in group g: (1 + #{calibration scores >= score}) / (n_g + 1).
  double p_value(std::int32_t g, double score) const;
};

// Sorts the scores by group in one pass (a counting sort by group, then each group's
// scores sorted) and takes each group's exact order statistic. `groups` holds a group
// index in [0, n_groups) per row, or is empty (one group). Groups without rows get an
// infinite threshold. Throws InvalidArgument on a non-finite score, a group index out of
// range, mismatched lengths, alpha outside (0, 1) or n_groups < 1; ResourceLimit when
// n_groups is absurd.
Calibration calibrate(std::span<const double> scores, std::span<const std::int32_t> groups, std::int32_t n_groups,
                      double alpha, int n_jobs, RankRule rule = RankRule::exact);

// Rebuilds a Calibration from its sorted scores (as stored), checking them.
Calibration calibration_from_sorted(std::span<const double> sorted_scores, std::span<const std::int64_t> offsets,
                                    double alpha, RankRule rule = RankRule::exact);

// Prediction sets of classification rows, and each row's risk: the conformal p-value of
// its runner-up label (the label with the second smallest score); a set with more than
// one label is one whose runner-up has a p-value above alpha (up to ties at the
// threshold). Randomised APS draws U from CounterRng(seed, 2 * row + 1).
struct SetPrediction {
  std::int64_t n_rows = 0, n_classes = 0;
  std::vector<std::uint8_t> member;  // row-major n_rows x n_classes: label in the set
  std::vector<std::int32_t> size;    // labels in each set
  std::vector<double> risk;          // p-value of the runner-up label (0 with one class)
};
SetPrediction predict_sets(const Calibration& calibration, const Probabilities& probabilities,
                           std::span<const std::int32_t> groups, ClassScore score, std::uint64_t seed, int n_jobs);

// Prediction intervals of regression rows: prediction -/+ q, or [lower - q, upper + q]
// when `upper` is not empty (CQR, `prediction` holding the lower quantile then).
struct IntervalPrediction {
  std::vector<double> lower, upper;
};
IntervalPrediction predict_intervals(const Calibration& calibration, std::span<const double> prediction,
                                     std::span<const double> upper, std::span<const std::int32_t> groups, int n_jobs);

// Which rows go to a person. A row is ambiguous when its set does not hold exactly one
// label (or its interval is wider than the tolerance). Without a budget (budget < 0)
// every ambiguous row goes to review. With a budget (a share of the rows in [0, 1]) at
// most floor(budget * n_rows) rows go: the ambiguous rows of highest risk, ties by row
// index; the ambiguous rows beyond the budget are decided automatically, without the
// set's guarantee, and counted as such.
struct Routing {
  std::vector<std::uint8_t> review;  // per row
  // Per group (n_groups entries):
  std::vector<std::int64_t> rows, reviewed, ambiguous, auto_ambiguous;
};
Routing route(std::span<const std::uint8_t> ambiguous, std::span<const double> risk,
              std::span<const std::int32_t> groups, std::int32_t n_groups, double budget);

}  // namespace assay::review
