// Uses the installed assay core through the umbrella header alone, as a C++ user would: a
// quality check, a drift test, a fairness interval and tree SHAP values, each checked
// against a known answer. A public header the umbrella misses fails the build; a wrong
// number exits non-zero.
#include <assay/assay.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

namespace {

bool quality_ok() {
  std::vector<double> x{1.0, 2.0, 3.0, 4.0, NAN, 4.0};
  std::vector<std::int32_t> codes{0, 1, 1, -1, 0, 1};
  std::vector<std::string> labels{"a", "b"};
  assay::TableView table({assay::ColumnView::numeric("x", x), assay::ColumnView::categorical("c", codes, labels)});
  const auto result = assay::quality::check(table, "", nullptr, {});
  const auto& p = result.profile.numeric.at(0);
  const bool profile_ok = p.count == 6 && p.missing == 1 && p.distinct == 4 && p.min == 1.0 && p.max == 4.0 &&
                          std::abs(p.mean - 2.8) < 1e-12 && result.profile.categorical.at(0).missing == 1;
  bool has_missing_finding = false;
  for (const auto& f : result.findings) has_missing_finding |= f.check == "missing" && f.column == "x";
  try {
    assay::TableView bad({assay::ColumnView::numeric("x", x), assay::ColumnView::numeric("x", x)});
    return false;  // repeated column names must be refused
  } catch (const assay::InvalidArgument&) {
  }
  return profile_ok && has_missing_finding;
}

bool drift_ok() {
  // Samples that do not overlap: the Kolmogorov-Smirnov statistic is 1.
  const auto x = assay::drift::SortedSample::sort(std::vector<double>{3.0, 1.0, 2.0}, "x");
  const auto y = assay::drift::SortedSample::sort(std::vector<double>{6.0, 4.0, 5.0}, "y");
  const assay::drift::TestResult ks = assay::drift::ks_2samp(x, y);
  return ks.statistic == 1.0 && ks.pvalue > 0.0 && ks.pvalue < 1.0;
}

bool fairness_ok() {
  // The Wilson interval of 5 successes in 10 trials is symmetric about 1/2.
  const assay::fairness::Interval interval = assay::fairness::wilson(5, 10, 1.96);
  return interval.low > 0.0 && interval.high < 1.0 && std::abs(interval.low + interval.high - 1.0) < 1e-12;
}

bool explain_ok() {
  // One stump on feature 0 (x <= 0.5: 1, else 3; equal covers): the expected value is 2
  // and a row with x = 0 gets the SHAP value 1 - 2 = -1.
  const std::vector<std::int64_t> left{1, -1, -1}, right{2, -1, -1}, feature{0, -1, -1};
  const std::vector<double> threshold{0.5, 0.0, 0.0}, cover{2.0, 1.0, 1.0}, values{0.0, 1.0, 3.0};
  const std::vector<std::uint8_t> default_left{1, 0, 0};
  assay::explain::ArrayTree tree;
  tree.left = left;
  tree.right = right;
  tree.feature = feature;
  tree.threshold = threshold;
  tree.cover = cover;
  tree.values = values;
  tree.default_left = default_left;
  const std::vector<double> base{0.0};
  const auto ensemble = assay::explain::from_arrays({tree}, 1, 1, base, {}, "consumer");
  std::vector<double> column{0.0};
  const assay::TableView rows({assay::ColumnView::numeric("x0", column)});
  std::vector<double> phi(1);
  assay::explain::shap_values(ensemble, rows, phi, {});
  return std::abs(assay::explain::expected_value(ensemble).at(0) - 2.0) < 1e-12 && std::abs(phi[0] + 1.0) < 1e-12;
}

}  // namespace

int main() {
  const bool quality = quality_ok(), drift = drift_ok(), fairness = fairness_ok(), explain = explain_ok();
  std::printf("consumer: quality %s, drift %s, fairness %s, explain %s\n", quality ? "ok" : "WRONG",
              drift ? "ok" : "WRONG", fairness ? "ok" : "WRONG", explain ? "ok" : "WRONG");
  return quality && drift && fairness && explain ? 0 : 1;
}
