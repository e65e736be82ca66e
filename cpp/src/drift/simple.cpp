#include "assay/drift/simple.hpp"

#include <functional>
#include <string>

#include "assay/common/error.hpp"

namespace assay::drift {

KsResult ks_2samp(std::span<const double> x, std::span<const double> y, PMethod method, Alternative alternative) {
  return ks_2samp(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"), method, alternative);
}

TestResult mann_whitney_u(std::span<const double> x, std::span<const double> y, PMethod method, Alternative alternative,
                          bool continuity) {
  return mann_whitney_u(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"), method, alternative, continuity);
}

TestResult cramer_von_mises_2samp(std::span<const double> x, std::span<const double> y, PMethod method) {
  return cramer_von_mises_2samp(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"), method);
}

AndersonResult anderson_ksamp(std::span<const double> x, std::span<const double> y, bool midrank) {
  const SortedSample sorted_x = SortedSample::sort(x, "x"), sorted_y = SortedSample::sort(y, "y");
  return anderson_ksamp({std::cref(sorted_x), std::cref(sorted_y)}, midrank);
}

TestResult epps_singleton_2samp(std::span<const double> x, std::span<const double> y) {
  return epps_singleton_2samp(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"));
}

double wasserstein(std::span<const double> x, std::span<const double> y) {
  return wasserstein(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"));
}

double energy_distance(std::span<const double> x, std::span<const double> y) {
  return energy_distance(SortedSample::sort(x, "x"), SortedSample::sort(y, "y"));
}

std::vector<ColumnDrift> drift_report(const TableView& reference, const TableView& current, int n_jobs,
                                      Correction correction) {
  // An empty test list is the 'auto' test; NaN thresholds take the test's default.
  std::vector<ColumnRequest> requests;
  for (const ColumnView& column : current.columns()) {
    if (reference.find(column.name) >= 0) requests.push_back(ColumnRequest{column.name, {}, {}});
  }
  if (requests.empty()) throw InvalidArgument("current: none of its columns is in reference");
  return drift_report(reference, current, requests, n_jobs, {}, correction);
}

}  // namespace assay::drift
