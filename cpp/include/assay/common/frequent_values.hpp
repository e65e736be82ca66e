#pragma once
// Frequent values (heavy hitters) in bounded memory: the Misra-Gries summary (Misra & Gries
// 1982, "Finding repeated elements"), mergeable as in Agarwal, Cormode, Huang, Phillips, Wei
// & Yi 2012, "Mergeable summaries".
//
// At most `capacity` counters (value, count). Adding or merging sums the counters; when more
// than `capacity` remain, the (capacity + 1)-th largest count c is subtracted from every
// counter and those that reach zero are dropped. The summary carries `count_error`, the sum of
// the subtracted c: for every value v (listed or not, an unlisted value counting 0),
//     true count(v) - count_error <= counted(v) <= true count(v),
// and count_error <= (n - sum of counters) / (capacity + 1) <= n / (capacity + 1) for n
// values added, whatever the order of the adds and merges (each subtraction of c removes at
// least (capacity + 1) c from the counters). count_error == 0 means every count is exact and
// every distinct value is listed.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "assay/common/error.hpp"

namespace assay {

template <class Value>
class FrequentValues {
 public:
  explicit FrequentValues(std::size_t capacity = 64) : capacity_(capacity) {
    if (capacity < 1) throw InvalidArgument("FrequentValues: capacity must be at least 1");
  }
  // From stored counters (values strictly ascending, counts positive, at most capacity of
  // them); throws InvalidArgument otherwise.
  static FrequentValues from_counters(std::vector<Value> values, std::vector<std::int64_t> counts,
                                      std::int64_t count_error, std::size_t capacity) {
    FrequentValues f(capacity);
    if (values.size() != counts.size() || values.size() > capacity) {
      throw InvalidArgument("FrequentValues: values and counts must have one length, at most the capacity");
    }
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (counts[k] <= 0 || (k > 0 && !(values[k - 1] < values[k]))) {
        throw InvalidArgument("FrequentValues: values must ascend strictly and counts be positive");
      }
    }
    if (count_error < 0) throw InvalidArgument("FrequentValues: count_error must be non-negative");
    f.values_ = std::move(values);
    f.counts_ = std::move(counts);
    f.count_error_ = count_error;
    return f;
  }

  // Adds runs of values: `values` strictly ascending, each seen counts[k] > 0 times. More runs
  // than counters are first reduced to a summary of their own (the merge of two summaries, the
  // bound unchanged), so that a block of mostly distinct values costs one pass over its runs.
  void add(std::span<const Value> values, std::span<const std::int64_t> counts) {
    if (values.size() <= capacity_) {
      combine(values, counts);
    } else {
      const std::int64_t c = largest_after(counts, capacity_);
      std::vector<Value> kept_values;
      std::vector<std::int64_t> kept_counts;
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (counts[k] > c) {
          kept_values.push_back(values[k]);
          kept_counts.push_back(counts[k] - c);
        }
      }
      count_error_ += c;
      combine(std::span<const Value>(kept_values), std::span<const std::int64_t>(kept_counts));
    }
    prune();
  }
  // The summary of both inputs' values; the capacity is the smaller of the two.
  void merge(const FrequentValues& other) {
    capacity_ = std::min(capacity_, other.capacity_);
    combine(std::span<const Value>(other.values_), std::span<const std::int64_t>(other.counts_));
    count_error_ += other.count_error_;
    prune();
  }

  // Counters ascending by value.
  const std::vector<Value>& values() const { return values_; }
  const std::vector<std::int64_t>& counts() const { return counts_; }
  std::int64_t count_error() const { return count_error_; }
  std::size_t capacity() const { return capacity_; }

 private:
  // Sums the counters with ascending runs (a merge of two ascending lists).
  void combine(std::span<const Value> values, std::span<const std::int64_t> counts) {
    std::vector<Value> merged_values;
    std::vector<std::int64_t> merged_counts;
    merged_values.reserve(values_.size() + values.size());
    merged_counts.reserve(values_.size() + values.size());
    std::size_t i = 0, j = 0;
    while (i < values_.size() || j < values.size()) {
      if (j == values.size() || (i < values_.size() && values_[i] < values[j])) {
        merged_values.push_back(std::move(values_[i]));
        merged_counts.push_back(counts_[i++]);
      } else if (i == values_.size() || values[j] < values_[i]) {
        merged_values.push_back(values[j]);
        merged_counts.push_back(counts[j++]);
      } else {
        merged_values.push_back(std::move(values_[i]));
        merged_counts.push_back(counts_[i++] + counts[j++]);
      }
    }
    values_ = std::move(merged_values);
    counts_ = std::move(merged_counts);
  }
  // The (rank + 1)-th largest of counts (more than rank of them); 1 at once when every count is 1.
  static std::int64_t largest_after(std::span<const std::int64_t> counts, std::size_t rank) {
    if (*std::max_element(counts.begin(), counts.end()) == 1) return 1;
    std::vector<std::int64_t> order(counts.begin(), counts.end());
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(rank), order.end(), std::greater<>());
    return order[rank];
  }
  void prune() {
    if (values_.size() <= capacity_) return;
    const std::int64_t c = largest_after(counts_, capacity_);  // the (capacity + 1)-th largest count
    std::size_t kept = 0;
    for (std::size_t k = 0; k < values_.size(); ++k) {
      if (counts_[k] > c) {
        if (kept != k) values_[kept] = std::move(values_[k]);
        counts_[kept++] = counts_[k] - c;
      }
    }
    values_.resize(kept);
    counts_.resize(kept);
    count_error_ += c;
  }

  std::size_t capacity_;
  std::vector<Value> values_;
  std::vector<std::int64_t> counts_;
  std::int64_t count_error_ = 0;
};

}  // namespace assay
