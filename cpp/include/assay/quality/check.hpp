#pragma once
// Data-quality checks: findings about a table, optionally with its target column and a
// reference table (the training data), and declarative per-column rules.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "assay/common/fingerprint.hpp"
#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/quality/profile.hpp"

namespace assay::quality {

enum class Severity { info, warning, error };

struct Finding {
  std::string check;
  std::string column;  // empty for table-level findings
  Severity severity = Severity::warning;
  double value = 0;      // what was measured
  double threshold = 0;  // what it was compared against
  std::string message;
  std::vector<std::int64_t> rows;  // example row indices (0-based)
  // Confidence bounds when the check has them (target_leakage: of the out-of-sample
  // score, see LeakageScore), else NaN.
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
};

// Which rule the outlier check reports findings by (both shares are always measured, see
// Measure): Tukey's fences (iqr) or the robust z-score (mad). One rule, so that a skewed
// column gives one outlier finding, not two.
enum class OutlierMethod { iqr, mad };

// How the leakage check decides: on the lower confidence bound of the out-of-sample score
// (bound), or on the in-sample score (point).
enum class LeakageDecision { bound, point };

// Thresholds of the built-in checks. A check reports a finding when its measured
// value reaches the threshold (>=), or falls below it for the *_below thresholds.
struct CheckOptions {
  double missing_warning = 0.05;  // missing rate
  double missing_error = 0.5;
  double near_constant = 0.95;          // share of non-missing rows holding the top value
  std::int64_t high_cardinality = 50;   // distinct categories
  double high_cardinality_ratio = 0.5;  // ... and distinct / non-missing rows
  double outlier_iqr_k = 1.5;           // Tukey fences: outside [Q1 - k IQR, Q3 + k IQR]
  double outlier_mad_z = 3.5;           // robust z = 0.6745 |x - median| / MAD (Iglewicz & Hoaglin 1993)
  double outlier_rate = 0.01;           // share of finite values flagged as outliers
  OutlierMethod outlier_method = OutlierMethod::iqr;
  double imbalance_below = 0.1;           // minority class share of the target
  double leakage = 0.8;                   // predictive power of one feature for the target
  std::int64_t leakage_min_support = 10;  // smaller bins predict the overall majority / mean
  int leakage_bins = 20;
  LeakageDecision leakage_decision = LeakageDecision::bound;
  double leakage_confidence = 0.95;          // level of each one-sided bound of the score
  std::vector<std::string> leakage_exclude;  // columns the leakage check does not test
  std::int64_t max_examples = 5;             // example rows per finding
};

// The largest leakage_bins accepted (a ResourceLimit error beyond, before allocating).
inline constexpr int kMaxLeakageBins = 1 << 20;

// The most distinct values a numeric target of finite integers may hold and still be read
// as classes (more, or any non-integer, make it a regression target).
inline constexpr std::size_t kMaxIntegerClasses = 20;

// Throws InvalidArgument naming the field: rates and shares in [0, 1] (not NaN),
// missing_warning <= missing_error, outlier_iqr_k >= 0 and outlier_mad_z > 0 finite,
// high_cardinality, leakage_min_support and leakage_bins >= 1, max_examples >= 0,
// leakage_confidence in (0, 1), leakage_decision one of the enum's values;
// ResourceLimit for leakage_bins beyond kMaxLeakageBins. (check() also rejects a
// leakage_exclude name that is not a column of the data.)
void validate(const CheckOptions& options);

// The target-leakage score of one feature: how well the feature, cut into bins (numeric:
// leakage_bins quantile bins, missing values in a bin of their own; categorical: one bin
// per label and one for missing), predicts the target alone. Classification: the accuracy
// of predicting each bin's majority class (ties to the class seen first), rescaled so that
// 0 is the overall majority's accuracy and 1 is perfect; regression: R^2 of the bin means.
// Bins with fewer than leakage_min_support rows are pooled and predicted by the overall
// majority / mean, so that identifier-like features do not look predictive.
//  - point: in-sample (regression: the correlation ratio eta^2, clipped at 0).
//  - out_of_sample: the same predictor refit without each row in turn (leave-one-out),
//    with the bins and which of them are pooled fixed from all rows (a row alone in its
//    bin is predicted by the overall majority / mean of the others), in closed form from
//    the per-(bin, class) counts / bin sums. Classes: a row of class c in a bin b that is
//    not pooled is predicted correctly iff c still wins b's vote without that row (in a
//    pooled bin: the overall vote without that row), with the same tie rule.
//    Regression: the residual of y_i is (y_i - mean_b) n_b / (n_b - 1) (the PRESS shortcut
//    e_i / (1 - h_ii) of a linear smoother with h_ii = 1 / n_b; Allen 1974), and the score
//    is 1 - PRESS / SST.
//  - lower, upper: one-sided bounds at leakage_confidence of the out-of-sample score.
//    Classes: the Wilson score bounds (Wilson 1927) of the leave-one-out accuracy, taking
//    the n leave-one-out outcomes as Bernoulli trials, rescaled as the score. Regression:
//    out_of_sample -+ z se, with se from the delta method for the ratio of the means of
//    the squared residuals a_i and squared deviations d_i (R = mean(a) / mean(d), se(R) =
//    sd(a_i - R d_i) / (sqrt(n) mean(d)); Casella & Berger 2002, section 5.5.4); upper
//    capped at 1. Leave-one-out outcomes are not independent (Bengio & Grandvalet 2004),
//    so the bounds are approximate.
// The target holds classes when it is categorical or numeric with at most 20 distinct
// integer values, else it is a regression target. NaN scores when the target has fewer than two valid values, one
// class, or no variance.
struct LeakageScore {
  double point = std::numeric_limits<double>::quiet_NaN();
  double out_of_sample = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
};

// The score of `feature` for `target` (rows with a missing target are left out), with the
// options' leakage_bins, leakage_min_support and leakage_confidence. Throws InvalidArgument
// when the columns differ in length, a code is out of range, or the options are invalid.
LeakageScore leakage_score(const ColumnView& feature, const ColumnView& target, const CheckOptions& options = {});

// The leakage score of every column of `table` but the target `target_name`, in table
// order, computed over the columns on n_jobs threads (the same numbers for any n_jobs):
// what the check compares with its threshold, for every feature, flagged or not (an
// audit's gates test each one). Throws InvalidArgument when `target_name` is not a column.
std::vector<std::pair<std::string, LeakageScore>> leakage_scores(const TableView& table, const std::string& target_name,
                                                                 const CheckOptions& options = {}, int n_jobs = 0);

// A declarative rule for one column; unset fields are not checked.
struct ColumnRule {
  std::string column;
  std::optional<bool> nullable;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<std::vector<std::string>> allowed_labels;  // categorical columns
  std::optional<std::vector<double>> allowed_values;       // numeric columns
  std::optional<bool> unique;
  std::optional<double> max_missing;  // fraction in [0, 1]
};

// One check's measured value for one column (or the table, column empty), whether or not
// it reached the check's threshold: what an audit's gates compare, for every column. The
// value is the quantity the check's Finding carries (a rate, a share or a count); NaN with
// a note when it is undefined for the column. Per column:
//   missing (rate), constant (1 or 0), near_constant (share of the top value),
//   infinite_values (share; numeric), outliers_iqr and outliers_mad (share of finite
//   values; numeric features), high_cardinality (distinct categories when they are at least
//   high_cardinality_ratio of the non-missing rows, else 0; categorical), label_variants
//   (groups; categorical), target_leakage (in-sample score, with the one-sided bounds of
//   the out-of-sample score; every feature when there is a target, excluded ones too),
//   unseen_categories (rows; categorical columns also categorical in the reference, except
//   identifier-like ones).
// For the table: duplicate_rows (rows), and with a target conflicting_labels (rows),
// single_class and class_imbalance (classification targets: classes, minority share), and
// with a reference train_test_overlap (rows). Rules are reported as findings only.
struct Measure {
  std::string check;
  std::string column;
  double value = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::string note;
};

struct CheckResult {
  TableProfile profile;
  std::vector<Finding> findings;
  // Every check's value for every column it applies to, columns in table order, then the
  // table's checks.
  std::vector<Measure> measures;
  // The checked table's content fingerprint, folded from the row hashes that the
  // duplicate-rows check groups rows by (one hashing pass for both).
  TableFingerprint fingerprint;
};

// Runs every built-in check that the inputs allow, then the rules. `target` names a
// column of `data` (empty: none); `reference`, when given, is compared by column name.
CheckResult check(const TableView& data, const std::string& target, const TableView* reference,
                  const std::vector<ColumnRule>& rules, const CheckOptions& options = {},
                  const ProfileOptions& profile_options = {}, int n_jobs = 0, const Progress& progress = {});

// Groups of rows equal on the given columns (NaN equals NaN, -0.0 equals 0.0); only
// groups of two or more rows, each ascending, groups ordered by their first row.
std::vector<std::vector<std::int64_t>> identical_row_groups(const TableView& table,
                                                            const std::vector<std::size_t>& columns, int n_jobs = 0);
// The same from row hashes already computed over those columns (any column order or keys:
// equal rows must only hash equally).
std::vector<std::vector<std::int64_t>> identical_row_groups(const TableView& table,
                                                            const std::vector<std::size_t>& columns,
                                                            const std::vector<std::uint64_t>& hashes);

// Labels that differ only in letter case or surrounding / repeated whitespace, grouped
// (each group has two or more labels, in their original order).
std::vector<std::vector<std::string>> label_variants(const std::vector<std::string>& labels);

const char* severity_name(Severity severity);

}  // namespace assay::quality
