#include "assay/slices/binning.hpp"

#include <algorithm>
#include <cmath>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"

namespace assay::slices {

namespace {

// numpy's lerp in quantile(method="linear"): exact at both ends of the interval.
double lerp(double a, double b, double t) { return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t; }

// The quantiles of `values` at i / n_bins, i = 1 .. n_bins-1. Unless `sorted`, the values are
// reordered by an nth_element per quantile on the part not yet placed.
std::vector<double> quantile_edges(std::vector<double>& values, int n_bins, bool sorted) {
  std::vector<double> edges;
  const double last = static_cast<double>(values.size() - 1);
  auto begin = values.begin();
  for (int i = 1; i < n_bins; ++i) {
    const double position = last * (static_cast<double>(i) / n_bins);
    const auto low = static_cast<std::size_t>(std::floor(position));
    const auto at = values.begin() + static_cast<std::ptrdiff_t>(low);
    if (!sorted) std::nth_element(begin, at, values.end());  // positions increase: the prefix stays
    begin = at;
    double value = *at;
    if (low + 1 < values.size() && position > static_cast<double>(low)) {
      const double next = sorted ? *(at + 1) : *std::min_element(at + 1, values.end());
      value = lerp(value, next, position - static_cast<double>(low));
    }
    edges.push_back(value);
  }
  return edges;
}

std::vector<double> uniform_edges(std::span<const double> finite, int n_bins) {
  const auto [low, high] = std::minmax_element(finite.begin(), finite.end());
  std::vector<double> edges;
  const double step = (*high - *low) / n_bins;
  for (int i = 1; i < n_bins; ++i) edges.push_back(*low + i * step);  // numpy.linspace's formula
  return edges;
}

constexpr int kScanLimit = 64;  // up to this many bins, distinct values and quantiles avoid a full sort

// The codes of the non-NaN values: their position among `points` (lower_bound when the points
// are the values, upper_bound when they are edges).
void assign_codes(std::span<const double> values, BinnedColumn& out) {
  const auto& p = out.points;
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    if (std::isnan(v)) continue;
    const auto at = out.distinct ? std::lower_bound(p.begin(), p.end(), v) : std::upper_bound(p.begin(), p.end(), v);
    out.codes[r] = static_cast<std::int32_t>(at - p.begin());
  }
}

// The distinct non-NaN values into `distinct` when there are at most n_bins of them (true; none
// for a column of NaN only), else false.
bool few_distinct(std::span<const double> values, int n_bins, std::vector<double>& distinct) {
  const auto limit = static_cast<std::size_t>(n_bins);
  distinct.clear();
  if (n_bins <= kScanLimit) {
    for (const double v : values) {
      if (std::isnan(v)) continue;
      const auto at = std::lower_bound(distinct.begin(), distinct.end(), v);
      if (at != distinct.end() && *at == v) continue;
      if (distinct.size() == limit) return false;
      distinct.insert(at, v);
    }
    return true;
  }
  for (const double v : values) {
    if (!std::isnan(v)) distinct.push_back(v);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return distinct.size() <= limit;
}

BinnedColumn bin_column(std::span<const double> values, int n_bins, Binning binning) {
  BinnedColumn out;
  out.codes.assign(values.size(), -1);
  out.distinct = few_distinct(values, n_bins, out.points);
  if (!out.distinct) {  // more than n_bins distinct values, so at least n_bins - 1 >= 1 finite ones
    std::vector<double> finite;
    finite.reserve(values.size());
    for (const double v : values) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    const bool sort_first = binning == Binning::quantile && n_bins > kScanLimit;
    if (sort_first) std::sort(finite.begin(), finite.end());
    out.points =
        binning == Binning::quantile ? quantile_edges(finite, n_bins, sort_first) : uniform_edges(finite, n_bins);
    std::sort(out.points.begin(), out.points.end());
    out.points.erase(std::unique(out.points.begin(), out.points.end()), out.points.end());
  }
  assign_codes(values, out);
  return out;
}

}  // namespace

std::vector<BinnedColumn> bin_columns(std::span<const std::span<const double>> columns, int n_bins, Binning binning,
                                      int n_jobs) {
  if (n_bins < 2 || n_bins > (1 << 20)) throw InvalidArgument("n_bins: must lie in [2, 2^20]");
  std::vector<BinnedColumn> out(columns.size());
  parallel_for(static_cast<std::ptrdiff_t>(columns.size()), resolve_threads(n_jobs), [&](std::ptrdiff_t j) {
    out[static_cast<std::size_t>(j)] = bin_column(columns[static_cast<std::size_t>(j)], n_bins, binning);
  });
  return out;
}

}  // namespace assay::slices
