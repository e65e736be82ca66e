#pragma once
// The mergeable state of the one-pass sketch-mode check (check() with ProfileOptions::exact
// false): what that check reads from the rows, kept so that the states of any split of a
// table into consecutive parts merge into the state of the whole table, and the check is
// then evaluated on the merged state (finish_check) without the rows.
//
// Per numeric column: the column's NumericSketch (quality/sketch.hpp) and the first
// max_examples rows of its missing and of its infinite values. Per categorical column: each
// label's count and first rows (the labels in code order, unobserved ones too, so that the
// merged order is the table's: the union in order of first appearance), the missing values'
// count and first rows, and with a classification target the count of every (label, class)
// pair for the leakage check. The target's classes with their counts (in order of first
// appearance; a numeric target's distinct integer values, up to the check's 20). Per rule:
// the count and first rows of the values below min, above max and outside the allowed
// numeric values. The table's order-independent fingerprint.
//
// Exact after any merges: everything but the numeric sketches, whose exact parts (counts,
// extremes) stay exact and whose estimates keep their stated bounds (see sketch.hpp). So
// finish_check on the merged state gives the findings and measures of check(exact = false)
// on the whole table: bitwise for the counts, missing values, infinities, constant columns,
// rules, the categorical checks (cardinality, label variants, unseen categories, leakage
// against a classification target) and the target checks; the profile's quantile and
// distinct-count estimates (hence the outlier shares and near-constant shares of numeric
// columns with more distinct values than tracked) within the sketches' bounds.
//
// What the state cannot give: the example rows of an outlier finding (the fences come
// from the merged quantile summary), which a second pass over the rows finds
// (outlier_fences, then first_rows_outside per part); and the leakage score of a
// categorical feature against a regression target (its leave-one-out bounds need the rows),
// reported as a `skipped` finding.
//
// Versioned bytes (magic "ACS", version 1): reading validates everything and throws
// CorruptedState, never reads out of bounds.
#include <cstdint>
#include <string>
#include <vector>

#include "assay/common/fingerprint.hpp"
#include "assay/common/table.hpp"
#include "assay/quality/check.hpp"
#include "assay/quality/sketch.hpp"

namespace assay::quality {

// A count and the first rows (0-based, ascending, at most max_examples) it counted.
struct RowTally {
  std::int64_t count = 0;
  std::vector<std::int64_t> rows;
};

struct LabelTally {
  std::string label;
  RowTally tally;
};

struct CategoricalCheckColumn {
  std::string name;
  RowTally missing;
  std::vector<LabelTally> labels;  // code order; first appearance after a merge
  // With a classification target: (labels.size() + 1) x classes counts, row-major, the last
  // row for the missing values; classes in CheckState::target order. Empty otherwise.
  std::vector<std::int64_t> class_counts;
};

struct NumericCheckColumn {
  NumericSketch sketch;
  RowTally missing, infinite;
};

// The target's classes: categorical labels, or a numeric target's integer values. A numeric
// target with a value that is not an integer, infinite, or with more than 20 distinct
// values is a regression target (no classes).
struct TargetState {
  bool present = false;
  bool categorical = false;
  bool regression = false;
  std::vector<std::string> labels;  // categorical: in order of first appearance
  std::vector<double> values;       // numeric: ascending
  std::vector<std::int64_t> counts;
};

// The rows that break a numeric rule's bounds (empty tallies for a rule without them).
struct RuleState {
  RowTally below, above, outside;
};

struct CheckState {
  std::int64_t rows = 0;
  std::int64_t max_examples = 5;
  std::string target_name;      // empty: no target
  std::uint64_t rules_key = 0;  // rules_key(rules) of the rules counted
  std::vector<std::string> column_order;
  std::vector<NumericCheckColumn> numeric;          // in table order
  std::vector<CategoricalCheckColumn> categorical;  // in table order
  TargetState target;
  std::vector<RuleState> rules;  // one per rule, in the rules' order
  TableFingerprint fingerprint;
  ProfileOptions profile_options;  // summary_capacity, tracked_values, hll_precision used
};

// A key of the rules (their columns and settings), so that states counted under other rules
// are not merged or finished with these.
std::uint64_t rules_key(const std::vector<ColumnRule>& rules);

// The state of `data` (one part of a table), validated as check() validates: `target` names
// a column (or is empty), the rules' kinds fit their columns. Only options.max_examples is
// read from `options` here; the thresholds are applied by finish_check. The state does not
// depend on n_jobs.
CheckState check_state(const TableView& data, const std::string& target, const std::vector<ColumnRule>& rules,
                       const CheckOptions& options = {}, const ProfileOptions& profile_options = {}, int n_jobs = 0);

// The state of the rows of `a` followed by the rows of `b`: the same columns, target, rules,
// max_examples and sketch sizes (InvalidArgument otherwise). Associative: any merge tree over
// consecutive parts gives the same state (the numeric sketches: the same bounds).
CheckState merge(const CheckState& a, const CheckState& b);

// An outlier finding's fences: its example rows are the first max_examples finite values of
// the column outside [low, high].
struct OutlierFence {
  std::string column;
  double low = 0, high = 0;
};

// The fences of the outlier findings finish_check reports, in its order of columns.
std::vector<OutlierFence> outlier_fences(const CheckState& state, const CheckOptions& options = {},
                                         const ProfileOptions& profile_options = {});

// The first `limit` rows of `column` (numeric) whose finite value lies outside [low, high].
std::vector<std::int64_t> first_rows_outside(const ColumnView& column, double low, double high, std::int64_t limit);
// The same for each fence, over the fence's column of `table` (InvalidArgument when absent):
// a part's second pass for the outlier findings' rows.
std::vector<std::vector<std::int64_t>> first_rows_outside(const TableView& table,
                                                          const std::vector<OutlierFence>& fences, std::int64_t limit);

// The check(exact = false) result of the table whose state is `data`, against `reference`'s
// state (a state of the reference table; null for none) and `rules` (those the state was
// counted under). `outlier_rows`, one list per fence of outlier_fences (or empty: the outlier
// findings then carry no example rows), gives the outlier findings' rows. Thresholds come
// from `options`, the histogram bins from profile_options.histogram_bins.
CheckResult finish_check(const CheckState& data, const CheckState* reference, const std::vector<ColumnRule>& rules,
                         const CheckOptions& options = {}, const ProfileOptions& profile_options = {},
                         const std::vector<std::vector<std::int64_t>>& outlier_rows = {});

std::string to_bytes(const CheckState& state);
CheckState check_state_from_bytes(const std::string& bytes);
// Checks a state built in memory as reading checks bytes (CorruptedState naming the field).
void validate(const CheckState& state);

}  // namespace assay::quality
