#pragma once
// A mergeable weighted quantile summary.
//
// It holds at most `capacity` (value, weight) points in ascending order. Built from a
// sorted sample it keeps evenly spaced order statistics; merging two summaries unions
// their points and compacts them back to the capacity by weighted rank. Each
// compaction can misplace a rank by at most total_weight / capacity, and the summary
// carries the accumulated bound in `rank_error` (a fraction of the total weight), so a
// quantile read from it is within rank_error of the exact quantile's rank.
#include <cstddef>
#include <span>
#include <vector>

#include "assay/common/error.hpp"

namespace assay {

class QuantileSummary {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;

  QuantileSummary() = default;
  // From ascending, NaN-free values. Exact (rank_error 0) when size <= capacity.
  static QuantileSummary from_sorted(std::span<const double> sorted, std::size_t capacity = kDefaultCapacity);
  // The same summary from n ascending, NaN-free values read by rank through
  // value_at(rank), for values not held in one array (runs of equal values).
  template <class ValueAt>
  static QuantileSummary from_ranks(std::size_t n, ValueAt value_at, std::size_t capacity = kDefaultCapacity);
  // From stored points; throws InvalidArgument unless values ascend and weights are positive.
  static QuantileSummary from_points(std::vector<double> values, std::vector<double> weights, double rank_error,
                                     std::size_t capacity = kDefaultCapacity);

  QuantileSummary merged(const QuantileSummary& other) const;
  // The same points compacted to at most `capacity` (rank_error grows by 1 / capacity when
  // points are dropped).
  QuantileSummary compacted(std::size_t capacity) const;
  // The p-quantile (p in [0, 1]) with linear interpolation between points, matching
  // numpy's 'linear' method when the summary is exact. NaN when empty.
  double quantile(double p) const;
  // Number of weighted points at or below x (the empirical CDF times total weight).
  double rank(double x) const;

  double total_weight() const;
  double rank_error() const { return rank_error_; }
  const std::vector<double>& values() const { return values_; }
  const std::vector<double>& weights() const { return weights_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void compact();
  std::vector<double> values_;
  std::vector<double> weights_;
  double rank_error_ = 0.0;
  std::size_t capacity_ = kDefaultCapacity;
};

template <class ValueAt>
QuantileSummary QuantileSummary::from_ranks(std::size_t n, ValueAt value_at, std::size_t capacity) {
  if (capacity < 2) throw InvalidArgument("QuantileSummary capacity must be at least 2");
  QuantileSummary summary;
  summary.capacity_ = capacity;
  if (n <= capacity) {
    summary.values_.resize(n);
    for (std::size_t i = 0; i < n; ++i) summary.values_[i] = value_at(i);
    summary.weights_.assign(n, 1.0);
    return summary;
  }
  // Points at the centres of `capacity` equal slices of the ranks, each standing for
  // its slice's weight; the extremes are kept exactly.
  summary.values_.reserve(capacity);
  summary.weights_.reserve(capacity);
  std::size_t start = 0;
  for (std::size_t k = 0; k < capacity; ++k) {
    const std::size_t end = (k + 1) * n / capacity;
    const std::size_t pick = k == 0 ? 0 : (k + 1 == capacity ? n - 1 : (start + end - 1) / 2);
    summary.values_.push_back(value_at(pick));
    summary.weights_.push_back(static_cast<double>(end - start));
    start = end;
  }
  summary.rank_error_ = 1.0 / static_cast<double>(capacity);
  return summary;
}

}  // namespace assay
