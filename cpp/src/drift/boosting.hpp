#pragma once
// Gradient-boosted trees for the domain classifier (internal to the drift engine).
//
// Binary log-loss boosting with histogram splits, as in LightGBM (Ke et al. 2017) and
// scikit-learn's HistGradientBoostingClassifier: features are cut into at most
// `max_bins` bins once, every tree is grown level by level to `max_depth` on the
// gradients and hessians of the loss (Friedman 2001; second-order split gain and leaf
// values as in XGBoost, Chen & Guestrin 2016). Training is serial and sums in row
// order, so a model depends only on its rows.
#include <cstdint>
#include <span>
#include <vector>

#include "assay/drift/multivariate.hpp"
#include "interrupt.hpp"

namespace assay::drift::boosting {

// Bin index of every value, column-major (value of row i, feature j at j * rows + i).
// A feature with at most max_bins distinct values gets one bin per value; otherwise
// the cut points are the values at the max_bins-quantiles of the feature.
struct BinnedMatrix {
  std::vector<std::uint8_t> bins;
  std::vector<std::uint16_t> n_bins;  // per feature
  std::size_t rows = 0, cols = 0;
  std::uint8_t operator()(std::size_t i, std::size_t j) const { return bins[j * rows + i]; }
};
// Features are binned in parallel (each independently of the others).
// `poll` (optional) advances one unit per feature.
BinnedMatrix bin_features(MatrixView data, std::size_t max_bins, int n_jobs, StopPoll* poll = nullptr);

// Trains on the rows `train` (labels 0/1 per row of `data`) and returns the predicted
// probability of label 1 for the rows `test`.
std::vector<double> fit_predict(const BinnedMatrix& data, std::span<const std::uint8_t> labels,
                                std::span<const std::size_t> train, std::span<const std::size_t> test,
                                const DomainClassifierOptions& options, StopPoll* poll = nullptr);
// `poll` (optional) is polled after every node and advances one unit per tree.

}  // namespace assay::drift::boosting
