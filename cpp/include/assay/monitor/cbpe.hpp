#pragma once
// Confidence-based performance estimation (CBPE) of a binary classifier on data without
// labels: once its scores are calibrated, P(y = 1 | score) = p_i, and the confusion counts of
// a chunk of rows are sums of independent Bernoulli(p_i) (NannyML's CBPE; Kivimaki, Bialek,
// Kuberski & Nurminen, "Performance estimation in binary classification using calibrated
// confidence", arXiv 2505.05295).
//
// With the predicted labels fixed, the true positives TP are a Poisson-binomial sum over the
// predicted positives and the false negatives FN one over the predicted negatives, the two
// independent; FP = n_pos - TP and TN = n_neg - FN. Every metric below is a function of
// (TP, FN), so its exact distribution, hence its expectation E[metric] and its quantiles,
// follows from the two Poisson-binomial pmfs. NannyML instead reports the plug-in ratio of
// expected counts (E[TP] / (E[TP] + E[FP]) for precision, ...), which differs from E[metric]
// for the ratio metrics and is biased on small chunks; both are returned.
//
// ROC-AUC has no tractable exact distribution (its denominator, the number of positives,
// depends on the same labels as its numerator): it is estimated from `auc_draws` label vectors
// drawn from the p_i by a counter-based generator keyed by (seed, chunk, draw), so that the
// result does not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace assay::monitor {

enum class Metric : std::uint8_t { accuracy, precision, recall, f1, specificity, roc_auc };
inline constexpr int kMetricCount = 6;

// The metric's name as the Python API spells it ("accuracy", ..., "roc_auc").
const char* metric_name(Metric metric);

// An isotonic (non-decreasing) map from score to P(y = 1): the pool-adjacent-violators fit
// of the labels on the scores, read as scikit-learn's IsotonicRegression(out_of_bounds="clip")
// does: linear interpolation between the knots (the ends of the fitted blocks; equal scores
// averaged first), constant beyond the first and last knot.
struct IsotonicCalibration {
  std::vector<double> knot_score;        // strictly increasing
  std::vector<double> knot_probability;  // non-decreasing, in [0, 1]

  double operator()(double score) const;
};

// Fits the calibration. `score` must be finite, `label` 0 or 1, both of one length >= 1.
IsotonicCalibration fit_isotonic(std::span<const double> score, std::span<const std::uint8_t> label);

// The calibrated probability of every score (finite scores only).
std::vector<double> calibrate(const IsotonicCalibration& calibration, std::span<const double> score, int n_jobs);

// Cross-fitted probabilities: rows are dealt into `n_folds` folds by a counter-based draw
// keyed by (seed, row); the probability of a row comes from the calibration fitted on the
// other folds, so that estimates on the reference are not in-sample. n_folds >= 2; every fold
// must leave rows to fit on.
std::vector<double> cross_fitted_probabilities(std::span<const double> score, std::span<const std::uint8_t> label,
                                               int n_folds, std::uint64_t seed, int n_jobs);

// The pmf of a sum of independent Bernoulli(p_i): P(X = offset + k) = mass[k], with the tails
// that hold less than 1e-15 of the mass each cut off (so `mass` sums to 1 within 2e-15).
struct Pmf {
  std::int64_t offset = 0;
  std::vector<double> mass;
};

// Exact by the recursive convolution X_{j} = X_{j-1} + Bernoulli(p_j) (O(n * width), where
// the width of the pmf's non-negligible part grows like sqrt of the variance), unless
// p.size() > exact_max_rows and the variance sum p(1-p) >= 400: then the refined normal
// approximation (Volkova 1996: Phi plus the skewness term), whose CDF error is O(1 / variance)
// (measured below 3e-5 at variance 400 in tests/cpp/test_monitor.cpp), at O(n) cost.
Pmf poisson_binomial(std::span<const double> p, std::size_t exact_max_rows);

struct EstimateOptions {
  std::vector<Metric> metrics;
  double confidence_level = 0.95;        // of the equal-tailed interval, in (0, 1)
  std::size_t exact_max_rows = 100'000;  // see poisson_binomial
  std::size_t auc_draws = 500;           // label vectors drawn for ROC-AUC, >= 1
  std::uint64_t seed = 0;
};

// Per chunk and metric, flat as [chunk * metrics.size() + metric].
//   estimate  E[metric | p] over the outcomes where the metric is defined (NaN when none is)
//   lower, upper  the (1 - level) / 2 and (1 + level) / 2 quantiles of that distribution
//   plug_in   NannyML's estimator: the metric of the expected confusion counts (ROC-AUC: the
//             trapezoid under the curve of expected counts, with the scores as the order)
//   undefined_probability  P(the metric is undefined), e.g. no actual positive for recall
struct ChunkEstimates {
  std::size_t n_chunks = 0;
  std::size_t n_metrics = 0;
  std::vector<std::int64_t> rows;  // per chunk
  std::vector<double> estimate, lower, upper, plug_in, undefined_probability;
};

// `probability` (calibrated, in [0, 1]), `score` (finite; orders rows for ROC-AUC) and
// `predicted` (0 or 1) have one value per row; chunk_of_row[i] in [0, n_chunks) or -1 to leave
// the row out. Chunks run in parallel; the result does not depend on n_jobs.
ChunkEstimates estimate_chunks(std::span<const double> probability, std::span<const double> score,
                               std::span<const std::uint8_t> predicted, std::span<const std::int64_t> chunk_of_row,
                               std::int64_t n_chunks, const EstimateOptions& options, int n_jobs);

// The metrics realised on labelled rows, per chunk, flat as above (NaN where undefined: no
// predicted positive for precision, no actual positive for recall, ...). ROC-AUC counts ties
// of the score as one half.
std::vector<double> realized_chunks(std::span<const std::uint8_t> label, std::span<const double> score,
                                    std::span<const std::uint8_t> predicted, std::span<const std::int64_t> chunk_of_row,
                                    std::int64_t n_chunks, std::span<const Metric> metrics, int n_jobs);

}  // namespace assay::monitor
