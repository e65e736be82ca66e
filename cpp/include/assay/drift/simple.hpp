#pragma once
// One-call drift checks for C++ programs: the two-sample tests on unsorted samples, and a
// drift report of two tables with the 'auto' test of every shared column.
//
// Thin wrappers: each sorts its samples (SortedSample::sort, which refuses NaN and
// infinite values naming `x` or `y`) and calls the SortedSample function of
// univariate.hpp, or builds the column requests and calls drift_report of report.hpp.
// Statistics, p-values, rules and errors are those functions'; see their comments.
#include <span>
#include <vector>

#include "assay/common/table.hpp"
#include "assay/drift/report.hpp"
#include "assay/drift/univariate.hpp"

namespace assay::drift {

// --- two-sample tests and distances on unsorted finite samples ---------------------
KsResult ks_2samp(std::span<const double> x, std::span<const double> y, PMethod method = PMethod::automatic,
                  Alternative alternative = Alternative::two_sided);
TestResult mann_whitney_u(std::span<const double> x, std::span<const double> y, PMethod method = PMethod::automatic,
                          Alternative alternative = Alternative::two_sided, bool continuity = true);
TestResult cramer_von_mises_2samp(std::span<const double> x, std::span<const double> y,
                                  PMethod method = PMethod::automatic);
// The k-sample Anderson-Darling test with k = 2.
AndersonResult anderson_ksamp(std::span<const double> x, std::span<const double> y, bool midrank = true);
TestResult epps_singleton_2samp(std::span<const double> x, std::span<const double> y);
double wasserstein(std::span<const double> x, std::span<const double> y);
double energy_distance(std::span<const double> x, std::span<const double> y);

// --- a drift report in one call ----------------------------------------------------
// Every column of `current` that `reference` also has (same name), in the order of
// `current`, checked with its 'auto' test (auto_test) at the test's default threshold;
// the other arguments as drift_report's. Throws InvalidArgument naming `current` when no
// column of `current` is in `reference`.
std::vector<ColumnDrift> drift_report(const TableView& reference, const TableView& current, int n_jobs = 0,
                                      Correction correction = Correction::none);

}  // namespace assay::drift
