#pragma once
// What the two KernelSHAP solvers share (agnostic.cpp without feature selection,
// kernel_selection.cpp with it): the coalitions ordered by jackknife group, and the test
// that a factorised normal matrix is usable.
#include <Eigen/Dense>

#include <cstdint>
#include <vector>

#include "assay/explain/agnostic.hpp"

namespace assay::explain::detail {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The design's coalitions with the enumerated ones first, then group by group, so that
// each group's part of a sum over coalitions is a contiguous block: slot 0 holds the
// enumerated coalitions, slot g + 1 those of jackknife group g.
struct GroupSlots {
  std::int32_t n_groups = 0;        // 0 for an exact design
  std::vector<std::int64_t> order;  // coalition index at each position
  std::vector<std::int64_t> start;  // n_groups + 2 positions: slot s is [start[s], start[s + 1])
  std::int64_t begin(std::int32_t slot) const { return start[slot]; }
  std::int64_t length(std::int32_t slot) const { return start[slot + 1] - start[slot]; }
};

// Throws InvalidArgument when a coalition's group lies outside the design's groups.
GroupSlots group_slots(const CoalitionDesign& design);

// An LDLT factorisation is usable when no pivot vanishes relative to the largest.
inline bool regular(const Eigen::LDLT<Matrix>& solver) {
  if (solver.info() != Eigen::Success) return false;
  const Eigen::VectorXd pivots = solver.vectorD().cwiseAbs();
  return pivots.minCoeff() > 1e-12 * pivots.maxCoeff() && solver.rcond() > 1e-13;
}

// Throws InvalidArgument naming l1_reg when its settings are out of range.
void check_l1_regularization(const L1Regularization& l1_reg);

// kernel_shap_values with l1_reg.selection != none, for M >= 2 and inputs whose sizes
// kernel_shap_values has checked.
void kernel_shap_values_selected(const CoalitionDesign& design, std::span<const double> values,
                                 std::span<const double> full, std::span<const double> empty, std::int64_t n_rows,
                                 std::int32_t n_outputs, std::span<double> out, std::span<double> standard_errors,
                                 int n_jobs, const Progress& progress, const L1Regularization& l1_reg);

}  // namespace assay::explain::detail
