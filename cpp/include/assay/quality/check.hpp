#pragma once
// Data-quality checks: findings about a table, optionally with its target column and a
// reference table (the training data), and declarative per-column rules.
#include <cstdint>
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
};

// Thresholds of the built-in checks. A check reports a finding when its measured
// value reaches the threshold (>=), or falls below it for the *_below thresholds.
struct CheckOptions {
  double missing_warning = 0.05;  // missing rate
  double missing_error = 0.5;
  double near_constant = 0.95;            // share of non-missing rows holding the top value
  std::int64_t high_cardinality = 50;     // distinct categories
  double high_cardinality_ratio = 0.5;    // ... and distinct / non-missing rows
  double outlier_iqr_k = 1.5;             // Tukey fences: outside [Q1 - k IQR, Q3 + k IQR]
  double outlier_mad_z = 3.5;             // robust z = 0.6745 |x - median| / MAD (Iglewicz & Hoaglin 1993)
  double outlier_rate = 0.01;             // share of finite values flagged as outliers
  double imbalance_below = 0.1;           // minority class share of the target
  double leakage = 0.8;                   // predictive power of one feature for the target
  std::int64_t leakage_min_support = 10;  // smaller bins predict the overall majority / mean
  int leakage_bins = 20;
  std::int64_t max_examples = 5;  // example rows per finding
};

// The largest leakage_bins accepted (a ResourceLimit error beyond, before allocating).
inline constexpr int kMaxLeakageBins = 1 << 20;

// Throws InvalidArgument naming the field: rates and shares in [0, 1] (not NaN),
// missing_warning <= missing_error, outlier_iqr_k >= 0 and outlier_mad_z > 0 finite,
// high_cardinality, leakage_min_support and leakage_bins >= 1, max_examples >= 0;
// ResourceLimit for leakage_bins beyond kMaxLeakageBins.
void validate(const CheckOptions& options);

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

struct CheckResult {
  TableProfile profile;
  std::vector<Finding> findings;
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
