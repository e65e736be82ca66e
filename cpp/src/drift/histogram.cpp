#include "assay/drift/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"

namespace assay::drift {

namespace {

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  std::int64_t missing = 0;
};

Range scan(std::span<const double> values) {
  Range r;
  for (const double x : values) {
    if (std::isnan(x)) {
      ++r.missing;
    } else if (std::isfinite(x)) {
      r.low = std::min(r.low, x);
      r.high = std::max(r.high, x);
    }
  }
  return r;
}

// numpy.linspace(low, high, bins + 1): low + k * step with the last edge exactly high. A
// span beyond the largest double is stepped in halves so that every edge stays finite.
std::vector<double> equal_width_edges(double low, double high, int bins) {
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  const double span = high - low;
  if (std::isfinite(span)) {
    const double step = span / bins;
    for (int k = 0; k < bins; ++k) edges[static_cast<std::size_t>(k)] = low + k * step;
  } else {
    const double half_step = (high * 0.5 - low * 0.5) / bins;
    for (int k = 0; k < bins; ++k) edges[static_cast<std::size_t>(k)] = low + k * half_step + k * half_step;
  }
  edges.back() = high;
  return edges;
}

std::vector<std::int64_t> count(std::span<const double> values, const std::vector<double>& edges) {
  const std::size_t bins = edges.size() - 1;
  std::vector<std::int64_t> counts(bins, 0);
  const double low = edges.front(), high = edges.back();
  // numpy's rule for equal-width bins: the bin from the value's offset times bins / span,
  // then moved by one where rounding put it beside the bin its edges give (bins are
  // [e_k, e_k+1), the last closed). A span beyond the largest double searches the edges.
  const double scale = static_cast<double>(bins) / (high - low);
  const bool arithmetic = std::isfinite(scale) && scale > 0;
  for (const double x : values) {
    if (!(x >= low && x <= high)) continue;  // NaN, infinities (the edges span every finite value)
    std::size_t k = 0;
    if (arithmetic) {
      k = std::min(static_cast<std::size_t>((x - low) * scale), bins - 1);
      if (x < edges[k]) {
        --k;
      } else if (k + 1 < bins && x >= edges[k + 1]) {
        ++k;
      }
    } else {
      const auto inner_begin = edges.begin() + 1, inner_end = edges.end() - 1;
      k = static_cast<std::size_t>(std::upper_bound(inner_begin, inner_end, x) - inner_begin);
    }
    ++counts[k];
  }
  return counts;
}

}  // namespace

PairedHistogram paired_histogram(std::span<const double> reference, std::span<const double> current, int bins) {
  if (bins < 1) throw InvalidArgument("bins must be at least 1, got " + std::to_string(bins));
  const Range a = scan(reference), b = scan(current);
  PairedHistogram h;
  h.reference_missing = a.missing;
  h.current_missing = b.missing;
  double low = std::min(a.low, b.low), high = std::max(a.high, b.high);
  if (low > high) return h;  // no finite value in either sample
  if (low == high) {
    low -= 0.5;
    high += 0.5;
  }
  h.edges = equal_width_edges(low, high, bins);
  h.reference = count(reference, h.edges);
  h.current = count(current, h.edges);
  return h;
}

std::vector<PairedHistogram> paired_histograms(const TableView& reference, const TableView& current, int bins,
                                               int n_jobs) {
  if (bins < 1) throw InvalidArgument("bins must be at least 1, got " + std::to_string(bins));
  if (reference.n_columns() != current.n_columns()) {
    throw InvalidArgument("reference has " + std::to_string(reference.n_columns()) + " columns but current has " +
                          std::to_string(current.n_columns()));
  }
  for (std::size_t j = 0; j < reference.n_columns(); ++j) {
    for (const TableView* table : {&reference, &current}) {
      if (!table->column(j).is_numeric()) {
        throw InvalidArgument("column '" + table->column(j).name + "' is not numeric: histograms need numbers");
      }
    }
  }
  std::vector<PairedHistogram> out(reference.n_columns());
  parallel_for(static_cast<std::ptrdiff_t>(out.size()), resolve_threads(n_jobs), [&](std::ptrdiff_t j) {
    const auto k = static_cast<std::size_t>(j);
    out[k] = paired_histogram(reference.column(k).values, current.column(k).values, bins);
  });
  return out;
}

}  // namespace assay::drift
