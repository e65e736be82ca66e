#pragma once
// The binning of numeric features for slice finding (assay.slices's stated rule).
//
// NaN is missing (code -1). A column with at most n_bins distinct non-NaN values gets one code
// per value (codes in ascending value order). Otherwise the inner edges are
//   quantile: the quantiles of the finite values at 1/n_bins, ..., (n_bins-1)/n_bins, with
//             numpy's default ("linear") interpolation, made distinct;
//   uniform:  min + i (max - min) / n_bins for i = 1 .. n_bins-1 over the finite values,
//             computed as numpy.linspace does, made distinct;
// and a value's code is the number of inner edges <= it (bins [e_i, e_i+1), the first below
// e_1, the last from e_last on; -inf and +inf fall in the end bins).
#include <cstdint>
#include <span>
#include <vector>

namespace assay::slices {

enum class Binning { quantile, uniform };

struct BinnedColumn {
  std::vector<std::int32_t> codes;  // per row, -1 missing
  std::vector<double> points;       // the distinct values, or the inner edges
  bool distinct = false;            // points are the values (not edges)
};

// n_bins in [2, 2^20]; InvalidArgument otherwise. Each column runs on one thread; columns in
// parallel (results do not depend on n_jobs).
std::vector<BinnedColumn> bin_columns(std::span<const std::span<const double>> columns, int n_bins, Binning binning,
                                      int n_jobs);

}  // namespace assay::slices
