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

namespace assay {

class QuantileSummary {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;

  QuantileSummary() = default;
  // From ascending, NaN-free values. Exact (rank_error 0) when size <= capacity.
  static QuantileSummary from_sorted(std::span<const double> sorted, std::size_t capacity = kDefaultCapacity);
  // From stored points; throws InvalidArgument unless values ascend and weights are positive.
  static QuantileSummary from_points(std::vector<double> values, std::vector<double> weights,
                                     double rank_error, std::size_t capacity = kDefaultCapacity);

  QuantileSummary merged(const QuantileSummary& other) const;
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

}  // namespace assay
