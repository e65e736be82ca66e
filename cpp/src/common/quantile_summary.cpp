#include "assay/common/quantile_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "assay/common/error.hpp"
#include "assay/common/finite_math.hpp"

namespace assay {

QuantileSummary QuantileSummary::from_sorted(std::span<const double> sorted, std::size_t capacity) {
  return from_ranks(sorted.size(), [sorted](std::size_t rank) { return sorted[rank]; }, capacity);
}

QuantileSummary QuantileSummary::from_points(std::vector<double> values, std::vector<double> weights, double rank_error,
                                             std::size_t capacity) {
  if (values.size() != weights.size()) throw InvalidArgument("QuantileSummary: values and weights differ in length");
  if (capacity < 2) throw InvalidArgument("QuantileSummary capacity must be at least 2");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i]) || (i > 0 && values[i] < values[i - 1])) {
      throw InvalidArgument("QuantileSummary: values must be ascending and not NaN");
    }
    if (!(weights[i] > 0.0) || !std::isfinite(weights[i])) {
      throw InvalidArgument("QuantileSummary: weights must be positive and finite");
    }
  }
  if (!(rank_error >= 0.0 && rank_error <= 1.0)) throw InvalidArgument("QuantileSummary: rank_error must be in [0, 1]");
  QuantileSummary summary;
  summary.values_ = std::move(values);
  summary.weights_ = std::move(weights);
  summary.rank_error_ = rank_error;
  summary.capacity_ = capacity;
  summary.compact();
  return summary;
}

double QuantileSummary::total_weight() const {
  double total = 0.0;
  for (double w : weights_) total += w;
  return total;
}

QuantileSummary QuantileSummary::merged(const QuantileSummary& other) const {
  QuantileSummary result;
  result.capacity_ = std::min(capacity_, other.capacity_);
  result.values_.resize(values_.size() + other.values_.size());
  result.weights_.resize(result.values_.size());
  // Merge two ascending sequences, carrying weights along.
  std::size_t i = 0, j = 0, k = 0;
  while (i < values_.size() || j < other.values_.size()) {
    const bool take_left = j == other.values_.size() || (i < values_.size() && values_[i] <= other.values_[j]);
    result.values_[k] = take_left ? values_[i] : other.values_[j];
    result.weights_[k] = take_left ? weights_[i++] : other.weights_[j++];
    ++k;
  }
  // Rank errors are fractions of each side's weight; the union's error is their
  // weighted mean, to which compaction adds its own.
  const double wa = total_weight(), wb = other.total_weight();
  result.rank_error_ = wa + wb > 0 ? (rank_error_ * wa + other.rank_error_ * wb) / (wa + wb) : 0.0;
  result.compact();
  return result;
}

QuantileSummary QuantileSummary::compacted(std::size_t capacity) const {
  if (capacity < 2) throw InvalidArgument("QuantileSummary capacity must be at least 2");
  QuantileSummary result = *this;
  result.capacity_ = capacity;
  result.compact();
  return result;
}

void QuantileSummary::compact() {
  const std::size_t n = values_.size();
  if (n <= capacity_) return;
  const double total = total_weight();
  std::vector<double> values, weights;
  values.reserve(capacity_);
  weights.reserve(capacity_);
  // Walk the points in order and cut into `capacity` slices of equal weight; a slice
  // is represented by its median point. The first and last point are kept exactly.
  double cumulative = 0.0;
  std::size_t i = 0;
  for (std::size_t k = 0; k < capacity_ && i < n; ++k) {
    const double slice_end = total * static_cast<double>(k + 1) / static_cast<double>(capacity_);
    const double slice_start = cumulative;
    const std::size_t first = i;
    double slice_weight = 0.0;
    while (i < n && (cumulative + weights_[i] <= slice_end || i == first)) {
      cumulative += weights_[i];
      slice_weight += weights_[i];
      ++i;
    }
    if (k + 1 == capacity_) {  // the last slice takes whatever remains
      while (i < n) {
        cumulative += weights_[i];
        slice_weight += weights_[i];
        ++i;
      }
    }
    std::size_t pick = first;
    if (k + 1 == capacity_ || i == n) {
      pick = n - 1;
    } else if (k > 0) {
      double running = slice_start;
      const double middle = slice_start + slice_weight / 2;
      while (pick + 1 < i && running + weights_[pick] < middle) running += weights_[pick++];
    }
    values.push_back(values_[pick]);
    weights.push_back(slice_weight);
  }
  values_ = std::move(values);
  weights_ = std::move(weights);
  rank_error_ += 1.0 / static_cast<double>(capacity_);
}

double QuantileSummary::quantile(double p) const {
  if (values_.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (!(p >= 0.0 && p <= 1.0)) throw InvalidArgument("quantile: p must be in [0, 1]");
  // Position h = (W - 1) p on the 0-based weighted rank scale, as numpy's 'linear'
  // method; point i covers ranks [c_i, c_i + w_i - 1] where c_i is the weight before it.
  const double h = (total_weight() - 1.0) * p;
  double cumulative = 0.0;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const double last_rank = cumulative + weights_[i] - 1.0;
    if (h <= last_rank || i + 1 == values_.size()) return values_[i];
    if (h < last_rank + 1.0) {  // between this point's last rank and the next point
      const double t = h - last_rank;
      return lerp_finite(values_[i], values_[i + 1], t);  // also when the difference overflows
    }
    cumulative += weights_[i];
  }
  return values_.back();
}

double QuantileSummary::rank(double x) const {
  double below = 0.0;
  for (std::size_t i = 0; i < values_.size() && values_[i] <= x; ++i) below += weights_[i];
  return below;
}

}  // namespace assay
