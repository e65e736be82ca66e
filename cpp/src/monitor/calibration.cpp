// Isotonic calibration by pool-adjacent-violators, read as scikit-learn's IsotonicRegression
// reads its fit (so that NannyML's calibrated probabilities are reproduced), and its
// cross-fitted form.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/finite_math.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "assay/monitor/cbpe.hpp"

namespace assay::monitor {

namespace {

void check_inputs(std::span<const double> score, std::span<const std::uint8_t> label) {
  if (score.size() != label.size()) {
    throw InvalidArgument("y_score and y_true: lengths differ (" + std::to_string(score.size()) + " and " +
                          std::to_string(label.size()) + ")");
  }
  if (score.empty()) throw InvalidArgument("y_score: no rows to calibrate on");
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (!std::isfinite(score[i])) throw InvalidArgument("y_score: not finite at row " + std::to_string(i));
    if (label[i] > 1)
      throw InvalidArgument("y_true: must be 0 or 1, got " + std::to_string(label[i]) + " at row " + std::to_string(i));
  }
}

// A run of equal fitted values: the positives and rows it pools, over sorted positions
// [first, last] of the distinct scores.
struct Block {
  double positives;
  double rows;
  std::size_t first, last;
  double mean() const { return positives / rows; }
};

// Pools the last block with its predecessors while they violate the order (equal means pool
// too, as scikit-learn does): the pool-adjacent-violators step, O(n) over the whole fit.
void pool_violators(std::vector<Block>& blocks) {
  while (blocks.size() >= 2 && blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
    const Block top = blocks.back();
    blocks.pop_back();
    blocks.back().positives += top.positives;
    blocks.back().rows += top.rows;
    blocks.back().last = top.last;
  }
}

}  // namespace

double IsotonicCalibration::operator()(double score) const {
  const auto m = knot_score.size();
  if (m == 1) return knot_probability[0];
  const double s = std::clamp(score, knot_score.front(), knot_score.back());
  // scipy's interp1d(kind="linear") on the knots, formula for formula, so that the values
  // are those of scikit-learn to the last bit (but for the clamp below).
  auto hi = static_cast<std::size_t>(std::lower_bound(knot_score.begin(), knot_score.end(), s) - knot_score.begin());
  hi = std::clamp<std::size_t>(hi, 1, m - 1);
  const std::size_t lo = hi - 1;
  const double width = knot_score[hi] - knot_score[lo];
  if (!std::isfinite(width)) {  // knots beyond +-DBL_MAX / 2: the same line from half-distances
    const double t = half_difference(knot_score[lo], s) / half_difference(knot_score[lo], knot_score[hi]);
    return std::min(knot_probability[lo] + t * (knot_probability[hi] - knot_probability[lo]), knot_probability[hi]);
  }
  const double slope = (knot_probability[hi] - knot_probability[lo]) / width;
  // Rounding may overshoot the upper knot by an ulp: clamped, so probabilities stay in [0, 1].
  return std::min(slope * (s - knot_score[lo]) + knot_probability[lo], knot_probability[hi]);
}

IsotonicCalibration fit_isotonic(std::span<const double> score, std::span<const std::uint8_t> label) {
  check_inputs(score, label);
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return score[a] < score[b] || (score[a] == score[b] && label[a] < label[b]);
  });
  // Distinct scores (scikit-learn pools scores closer than 1e-15 to the first of a run).
  constexpr double kSameScore = 1e-15;
  std::vector<double> distinct;
  std::vector<Block> blocks;
  for (const std::size_t i : order) {
    if (distinct.empty() || score[i] - distinct.back() >= kSameScore) {
      distinct.push_back(score[i]);
      const std::size_t at = distinct.size() - 1;
      pool_violators(blocks);  // the previous distinct score's block is complete
      blocks.push_back({0.0, 0.0, at, at});
    }
    blocks.back().positives += label[i];
    blocks.back().rows += 1.0;
  }
  pool_violators(blocks);
  // The knots: the first and the last distinct score of every block.
  IsotonicCalibration fit;
  for (const Block& block : blocks) {
    fit.knot_score.push_back(distinct[block.first]);
    fit.knot_probability.push_back(block.mean());
    if (block.last != block.first) {
      fit.knot_score.push_back(distinct[block.last]);
      fit.knot_probability.push_back(block.mean());
    }
  }
  return fit;
}

std::vector<double> calibrate(const IsotonicCalibration& calibration, std::span<const double> score, int n_jobs) {
  if (calibration.knot_score.empty() || calibration.knot_score.size() != calibration.knot_probability.size()) {
    throw InvalidArgument("calibration: no knots");
  }
  std::vector<double> out(score.size());
  constexpr std::size_t kBlock = 1 << 16;
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(score.size(), kBlock));
  parallel_for(blocks, resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    const std::size_t end = std::min(score.size(), (static_cast<std::size_t>(b) + 1) * kBlock);
    for (std::size_t i = static_cast<std::size_t>(b) * kBlock; i < end; ++i) {
      if (!std::isfinite(score[i])) throw InvalidArgument("y_score: not finite at row " + std::to_string(i));
      out[i] = calibration(score[i]);
    }
  });
  return out;
}

std::vector<double> cross_fitted_probabilities(std::span<const double> score, std::span<const std::uint8_t> label,
                                               int n_folds, std::uint64_t seed, int n_jobs) {
  check_inputs(score, label);
  if (n_folds < 2) throw InvalidArgument("n_folds: must be at least 2, got " + std::to_string(n_folds));
  if (static_cast<std::size_t>(n_folds) > score.size()) {
    throw InvalidArgument("n_folds: " + std::to_string(n_folds) + " folds need at least as many reference rows, got " +
                          std::to_string(score.size()));
  }
  std::vector<int> fold(score.size());
  std::vector<std::size_t> fold_rows(static_cast<std::size_t>(n_folds), 0);
  for (std::size_t i = 0; i < score.size(); ++i) {
    CounterRng rng(seed, i);
    fold[i] = static_cast<int>(rng.below(static_cast<std::uint64_t>(n_folds)));
    ++fold_rows[static_cast<std::size_t>(fold[i])];
  }
  for (int k = 0; k < n_folds; ++k) {
    if (fold_rows[static_cast<std::size_t>(k)] == score.size()) {
      throw InvalidArgument("n_folds: fold " + std::to_string(k) + " holds every reference row; use more rows");
    }
  }
  std::vector<double> out(score.size());
  const int threads = resolve_threads(n_jobs);
  parallel_for(n_folds, threads, [&](std::ptrdiff_t k) {
    std::vector<double> fit_score;
    std::vector<std::uint8_t> fit_label;
    fit_score.reserve(score.size() - fold_rows[static_cast<std::size_t>(k)]);
    fit_label.reserve(fit_score.capacity());
    for (std::size_t i = 0; i < score.size(); ++i) {
      if (fold[i] != k) {
        fit_score.push_back(score[i]);
        fit_label.push_back(label[i]);
      }
    }
    const auto calibration = fit_isotonic(fit_score, fit_label);
    for (std::size_t i = 0; i < score.size(); ++i) {
      if (fold[i] == k) out[i] = calibration(score[i]);
    }
  });
  return out;
}

}  // namespace assay::monitor
