#pragma once
// Reference-vs-current histograms of numeric columns on shared bins: what a drift report
// draws for each column (the audit's model card), computed in one pass per sample.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/common/table.hpp"

namespace assay::drift {

struct PairedHistogram {
  // bins + 1 ascending edges; empty when neither sample has a finite value.
  std::vector<double> edges;
  std::vector<std::int64_t> reference;  // counts of finite values per bin
  std::vector<std::int64_t> current;
  std::int64_t reference_missing = 0;  // NaN values (infinities are in neither count)
  std::int64_t current_missing = 0;
};

// Counts of the finite values of both samples over `bins` equal-width bins spanning them,
// with numpy.histogram's rule: edges as numpy.histogram_bin_edges(both, bins) (min == max
// widens the range to [min - 0.5, max + 0.5]); every bin half-open [e_k, e_k+1) but the
// last, which is closed. Each value's bin is found against the edges themselves, so the
// counts agree with the edges shown. Throws InvalidArgument unless bins >= 1.
PairedHistogram paired_histogram(std::span<const double> reference, std::span<const double> current, int bins);

// The same for columns of two tables (numeric columns, matched by position: reference
// column k against current column k), columns in parallel on n_jobs threads. Throws
// InvalidArgument when the tables differ in column count or a column is not numeric.
std::vector<PairedHistogram> paired_histograms(const TableView& reference, const TableView& current, int bins,
                                               int n_jobs = 0);

}  // namespace assay::drift
