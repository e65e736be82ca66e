// Uses the installed assay core through the umbrella header alone, as a C++ user would: a
// quality check, a drift report and test, a metric by group and tree SHAP values of a model
// file, each through the one-call entry points and checked against a known answer. A
// public header the umbrella misses fails the build; a wrong number exits non-zero.
#include <assay/assay.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
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
  const std::vector<double> x{3.0, 1.0, 2.0}, y{6.0, 4.0, 5.0};
  const assay::drift::TestResult ks = assay::drift::ks_2samp(x, y);
  // The report of two tables: their shared column "x" (numeric, 6 distinct values), for
  // which 'auto' picks the same test.
  const assay::TableView reference({assay::ColumnView::numeric("x", x)});
  const assay::TableView current({assay::ColumnView::numeric("x", y)});
  const auto report = assay::drift::drift_report(reference, current);
  return ks.statistic == 1.0 && ks.pvalue > 0.0 && ks.pvalue < 1.0 && report.size() == 1 &&
         report[0].test == assay::drift::Test::ks && report[0].statistic == 1.0;
}

bool fairness_ok() {
  // Selection rates 1/2 (group "a") and 1 (group "b"): overall 3/4, difference 1/2, ratio 1/2.
  const std::vector<std::int32_t> y_true{0, 1, 1, 0}, y_pred{1, 0, 1, 1};
  const std::vector<std::string> group{"a", "a", "b", "b"};
  const auto rate =
      assay::fairness::metric_by_group(assay::fairness::ClassificationMetric::selection_rate, y_true, y_pred, group);
  return rate.groups == std::vector<std::string>{"a", "b"} && rate.by_group == std::vector<double>{0.5, 1.0} &&
         rate.overall == 0.75 && rate.difference == 0.5 && rate.ratio == 0.5;
}

bool explain_ok() {
  // A LightGBM stump on feature 0 (x <= 0.5: 1, else 3; equal counts) read from its file:
  // the expected value is 2 and a row with x = 0 gets the SHAP value 1 - 2 = -1.
  const auto path =
      std::filesystem::temp_directory_path() / ("assay_consumer_" + std::to_string(std::random_device{}()) + ".txt");
  std::ofstream(path) << "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=0\n"
                         "objective=regression\n\nTree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=0\n"
                         "threshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=1 3\n"
                         "leaf_count=1 1\ninternal_count=2\nis_linear=0\nshrinkage=1\n\nend of trees\n";
  const auto model = assay::explain::load_model(path);
  std::filesystem::remove(path);
  std::vector<double> column{0.0};
  const assay::TableView rows({assay::ColumnView::numeric("x0", column)});
  const std::vector<double> phi = assay::explain::shap_values(model, rows);
  return std::abs(assay::explain::expected_value(model).at(0) - 2.0) < 1e-12 && phi.size() == 1 &&
         std::abs(phi[0] + 1.0) < 1e-12;
}

}  // namespace

int main() {
  const bool quality = quality_ok(), drift = drift_ok(), fairness = fairness_ok(), explain = explain_ok();
  std::printf("consumer: quality %s, drift %s, fairness %s, explain %s\n", quality ? "ok" : "WRONG",
              drift ? "ok" : "WRONG", fairness ? "ok" : "WRONG", explain ? "ok" : "WRONG");
  return quality && drift && fairness && explain ? 0 : 1;
}
