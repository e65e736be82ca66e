#pragma once
// The one pass that the rank- and CDF-based drift statistics share.
#include <cstddef>
#include <span>

namespace assay::drift {

// Calls visit(value, count_in_x, count_in_y) for every distinct value of the pooled
// sample in ascending order, walking both sorted samples once.
template <class Visit>
void for_each_distinct(std::span<const double> x, std::span<const double> y, Visit&& visit) {
  std::size_t i = 0, j = 0;
  const std::size_t nx = x.size(), ny = y.size();
  while (i < nx || j < ny) {
    const double value = (j >= ny || (i < nx && x[i] <= y[j])) ? x[i] : y[j];
    std::size_t cx = 0, cy = 0;
    while (i < nx && x[i] == value) ++i, ++cx;
    while (j < ny && y[j] == value) ++j, ++cy;
    visit(value, cx, cy);
  }
}

}  // namespace assay::drift
