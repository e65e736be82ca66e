#pragma once
// Interventional (marginal) SHAP values and interaction values of tree ensembles.
//
// The game explained (Lundberg et al. 2020, "From local explanations to global
// understanding with explainable AI for trees"; Janzing et al. 2020): for a row x and
// a background set of rows r with weights w_r,
//     v(S) = sum_r w_r f(x_S, r_notS) / sum_r w_r,
// the model evaluated with the features in S taken from x and the others from r.
// For one reference r and one leaf, the leaf is reached iff S contains the features A
// on whose splits only x takes the leaf's way and avoids the features B where only r
// does; that game's Shapley values are closed forms in |A| and |B|, so each tree is
// walked once per (row, reference) pair, following both rows where they differ.
// Cost: rows x background x (leaves reachable by the hybrids) per tree, parallel over
// rows (the pairwise algorithm).
//
// Those closed forms depend on the pair only through each row's "pattern" at the leaf
// (which of the path's features it passes the leaf's way), so the pattern algorithm
// reduces the background to a histogram of patterns per leaf and tabulates the
// attributions per row pattern: cost (rows + background) x nodes + 3^u u per leaf with
// u distinct path features (see interventional.cpp). Trees are assigned to one or the
// other by a cost estimate (pattern algorithm only for u <= 16); both are exact.
//
// Output transforms (shap's convention, Lundberg et al. 2020): with a transform T, each
// reference's attributions are rescaled by (T(f(x)) - T(f(r))) / (f(x) - f(r)), so they
// add up to T(f(x)) - mean_r T(f(r)). This is additive but not the Shapley value of the
// transformed game. T is the logistic function, or a loss of the row's label y.
#include <span>

#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/explain/tree_ensemble.hpp"

namespace assay::explain {

// logistic_log_loss: T(m, y) = log(1 + e^m) - y m (the log-loss of a logistic model);
// squared_loss: T(m, y) = (m - y)^2. Both need one label y per row explained.
enum class OutputTransform { identity, logistic, logistic_log_loss, squared_loss };

// automatic: per tree, whichever of the two algorithms a cost estimate finds cheaper.
enum class InterventionalAlgorithm { automatic, patterns, pairwise };

struct InterventionalOptions {
  OutputTransform transform = OutputTransform::identity;
  int n_jobs = 0;
  InterventionalAlgorithm algorithm = InterventionalAlgorithm::automatic;
  // One per row explained, for the losses only.
  std::span<const double> labels{};  // NOLINT(readability-redundant-member-init): -Wmissing-field-initializers
};

// `weights` is empty (uniform) or one non-negative weight per background row, not all
// zero. `out` is laid out (row, feature, output).
void interventional_shap_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                std::span<const double> weights, std::span<double> out,
                                const InterventionalOptions& options, const Progress& progress = {});

// Interaction values (Shapley interaction index split in half; diagonal = main
// effects), laid out (row, feature i, feature j, output). Raw output only (identity
// transform). The pattern algorithm extends: a pair's interaction terms also depend
// only on the two rows' patterns (table entries of |U|^2 values).
void interventional_interaction_values(const TreeEnsemble& ensemble, const TableView& X, const TableView& background,
                                       std::span<const double> weights, std::span<double> out,
                                       const InterventionalOptions& options, const Progress& progress = {});

// The expected value of the explanation: the weighted mean over the background of
// T(f(r)), per output; for a loss, per label in `labels` (one output only).
std::vector<double> interventional_expected_value(const TreeEnsemble& ensemble, const TableView& background,
                                                  std::span<const double> weights, OutputTransform transform,
                                                  std::span<const double> labels = {});

}  // namespace assay::explain
