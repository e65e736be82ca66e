#include "assay/quality/check.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/common/finite_math.hpp"
#include "assay/common/hash.hpp"
#include "assay/common/intervals.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/sort.hpp"
#include "assay/quality/check_state.hpp"
#include "assay/quality/sketch.hpp"
#include "profile_detail.hpp"

namespace assay::quality {

void validate(const CheckOptions& o) {
  auto rate = [](const char* name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      std::ostringstream out;
      out << name << " must be a share in [0, 1], got " << value;
      throw InvalidArgument(out.str());
    }
  };
  rate("missing_warning", o.missing_warning);
  rate("missing_error", o.missing_error);
  rate("near_constant", o.near_constant);
  rate("high_cardinality_ratio", o.high_cardinality_ratio);
  rate("outlier_rate", o.outlier_rate);
  rate("imbalance_below", o.imbalance_below);
  rate("leakage", o.leakage);
  if (o.missing_warning > o.missing_error) {
    throw InvalidArgument("missing_warning (" + std::to_string(o.missing_warning) +
                          ") must not exceed missing_error (" + std::to_string(o.missing_error) + ")");
  }
  auto positive = [](const char* name, double value, bool zero_allowed) {
    if (!std::isfinite(value) || value < 0.0 || (!zero_allowed && value == 0.0)) {
      std::ostringstream out;
      out << name << " must be a finite number " << (zero_allowed ? ">= 0" : "> 0") << ", got " << value;
      throw InvalidArgument(out.str());
    }
  };
  positive("outlier_iqr_k", o.outlier_iqr_k, true);
  positive("outlier_mad_z", o.outlier_mad_z, false);
  auto at_least = [](const char* name, std::int64_t value, std::int64_t low) {
    if (value < low) {
      throw InvalidArgument(std::string(name) + " must be at least " + std::to_string(low) + ", got " +
                            std::to_string(value));
    }
  };
  at_least("high_cardinality", o.high_cardinality, 1);
  at_least("leakage_min_support", o.leakage_min_support, 1);
  at_least("leakage_bins", o.leakage_bins, 1);
  at_least("max_examples", o.max_examples, 0);
  if (!(o.leakage_confidence > 0.0 && o.leakage_confidence < 1.0)) {
    std::ostringstream out;
    out << "leakage_confidence must lie in (0, 1), got " << o.leakage_confidence;
    throw InvalidArgument(out.str());
  }
  if (o.outlier_method != OutlierMethod::iqr && o.outlier_method != OutlierMethod::mad) {
    throw InvalidArgument("outlier_method must be iqr or mad");
  }
  if (o.leakage_decision != LeakageDecision::bound && o.leakage_decision != LeakageDecision::point) {
    throw InvalidArgument("leakage_decision must be bound or point");
  }
  if (o.leakage_bins > kMaxLeakageBins) {
    throw ResourceLimit("leakage_bins = " + std::to_string(o.leakage_bins) + " is beyond the limit of " +
                        std::to_string(kMaxLeakageBins));
  }
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "unknown";
}

namespace {

std::string format_number(double x) {
  std::ostringstream out;
  out.precision(4);
  out << x;
  return out.str();
}

std::string percent(double share) { return format_number(100.0 * share) + "%"; }

// Value equality used for "identical rows": NaN equals NaN, -0.0 equals 0.0, and a
// category equals another of the same label.
bool cells_equal(const ColumnView& a, std::size_t i, const ColumnView& b, std::size_t k) {
  if (a.is_numeric()) {
    const double x = a.values[i], y = b.values[k];
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  const std::int32_t ca = a.codes[i], cb = b.codes[k];
  if (ca < 0 || cb < 0) return ca == cb;
  return &a == &b ? ca == cb : a.labels[static_cast<std::size_t>(ca)] == b.labels[static_cast<std::size_t>(cb)];
}

bool rows_equal(const TableView& ta, const std::vector<std::size_t>& ca, std::size_t i, const TableView& tb,
                const std::vector<std::size_t>& cb, std::size_t k) {
  for (std::size_t c = 0; c < ca.size(); ++c) {
    if (!cells_equal(ta.column(ca[c]), i, tb.column(cb[c]), k)) return false;
  }
  return true;
}

// The target recoded for the checks: classes (categorical, or numeric with few
// integer values) or a numeric value for regression.
struct Target {
  bool present = false;
  bool classification = false;
  std::vector<std::int32_t> classes;  // class index per row, -1 missing
  std::vector<std::int64_t> class_counts;
  std::vector<std::string> class_names;
  std::span<const double> values;  // regression
  std::int64_t valid = 0;
};

Target encode_target(const ColumnView& column) {
  Target t;
  t.present = true;
  if (!column.is_numeric()) {
    t.classification = true;
    std::vector<std::int32_t> remap(column.labels.size(), -1);
    t.classes.resize(column.codes.size());
    for (std::size_t i = 0; i < column.codes.size(); ++i) {
      const std::int32_t code = column.codes[i];
      if (code < 0) {
        t.classes[i] = -1;
        continue;
      }
      auto& slot = remap[static_cast<std::size_t>(code)];
      if (slot < 0) {
        slot = static_cast<std::int32_t>(t.class_counts.size());
        t.class_counts.push_back(0);
        t.class_names.push_back(column.labels[static_cast<std::size_t>(code)]);
      }
      t.classes[i] = slot;
      ++t.class_counts[static_cast<std::size_t>(slot)];
      ++t.valid;
    }
    return t;
  }
  // Numeric: classes when every finite value is an integer and there are few.
  std::map<double, std::int32_t> seen;
  bool integer_valued = true;
  for (double y : column.values) {
    if (std::isnan(y)) continue;
    if (!std::isfinite(y) || y != std::floor(y)) {
      integer_valued = false;
      break;
    }
    if (seen.emplace(y, 0).second && seen.size() > kMaxIntegerClasses) {
      integer_valued = false;
      break;
    }
  }
  if (!integer_valued) {
    t.values = column.values;
    for (double y : column.values) t.valid += std::isfinite(y);
    return t;
  }
  t.classification = true;
  for (auto& [value, index] : seen) {
    index = static_cast<std::int32_t>(t.class_names.size());
    t.class_names.push_back(format_number(value));
  }
  t.class_counts.assign(seen.size(), 0);
  t.classes.resize(column.values.size());
  for (std::size_t i = 0; i < column.values.size(); ++i) {
    const double y = column.values[i];
    if (std::isnan(y)) {
      t.classes[i] = -1;
    } else {
      t.classes[i] = seen[y];
      ++t.class_counts[static_cast<std::size_t>(t.classes[i])];
      ++t.valid;
    }
  }
  return t;
}

// The (class, count) runs of one bin, classes ascending.
struct ClassRun {
  std::size_t cls;
  std::int64_t count;
};

// Whether a class keeps the vote of `runs` when one of its rows is removed: its count
// minus one beats every class before it and ties or beats every class after it (the
// first of tied classes wins, as std::max_element).
std::vector<char> wins_without_one(const std::vector<ClassRun>& runs) {
  std::vector<char> wins(runs.size(), 0);
  std::int64_t before = -1;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    wins[r] = runs[r].count - 1 > before;
    before = std::max(before, runs[r].count);
  }
  std::int64_t after = -1;
  for (std::size_t r = runs.size(); r-- > 0;) {
    wins[r] = wins[r] && runs[r].count - 1 >= after;
    after = std::max(after, runs[r].count);
  }
  return wins;
}

// Correct predictions of one bin, in sample and leave-one-out (see LeakageScore).
struct BinTally {
  std::int64_t in_sample = 0, out_of_sample = 0;
};

BinTally tally_bin(const std::vector<ClassRun>& runs, std::size_t majority, const std::vector<char>& overall_wins,
                   std::int64_t min_support) {
  BinTally tally;
  std::int64_t support = 0, best = 0;
  for (const ClassRun& run : runs) {
    support += run.count;
    best = std::max(best, run.count);
    if (run.cls == majority) tally.in_sample = run.count;
  }
  if (support >= min_support) tally.in_sample = best;
  // Pooling is decided on all rows, as the bins are; a row alone in its bin has no other
  // row to learn from and gets the overall vote.
  if (support >= min_support && support >= 2) {
    const std::vector<char> wins = wins_without_one(runs);
    for (std::size_t r = 0; r < runs.size(); ++r) tally.out_of_sample += wins[r] ? runs[r].count : 0;
  } else {
    for (const ClassRun& run : runs) tally.out_of_sample += overall_wins[run.cls] ? run.count : 0;
  }
  return tally;
}

// The classification score from the bins' (class, count) runs: visit(add_bin) calls
// add_bin(runs) once per non-empty bin, runs with classes ascending.
template <class VisitBins>
LeakageScore classification_score_of_runs(const std::vector<std::int64_t>& class_counts, std::int64_t valid,
                                          VisitBins visit, std::int64_t min_support, double z) {
  LeakageScore score;
  const std::size_t k = class_counts.size();
  if (k < 2) return score;
  const auto majority =
      static_cast<std::size_t>(std::max_element(class_counts.begin(), class_counts.end()) - class_counts.begin());
  std::vector<ClassRun> all(k);
  for (std::size_t c = 0; c < k; ++c) all[c] = {c, class_counts[c]};
  const std::vector<char> overall_wins = wins_without_one(all);
  BinTally total;
  visit([&](const std::vector<ClassRun>& runs) {
    const BinTally t = tally_bin(runs, majority, overall_wins, min_support);
    total.in_sample += t.in_sample;
    total.out_of_sample += t.out_of_sample;
  });
  const auto n = static_cast<double>(valid);
  const double base = static_cast<double>(class_counts[majority]) / n;
  auto rescale = [base](double accuracy) { return (accuracy - base) / (1.0 - base); };
  score.point = rescale(static_cast<double>(total.in_sample) / n);
  score.out_of_sample = rescale(static_cast<double>(total.out_of_sample) / n);
  const Interval accuracy = wilson(static_cast<double>(total.out_of_sample), n, z);
  score.lower = rescale(accuracy.low);
  score.upper = rescale(accuracy.high);
  return score;
}

// The score from a dense n_bins x classes table of counts (row-major).
LeakageScore classification_score_of_table(const std::vector<std::int64_t>& class_counts, std::int64_t valid,
                                           const std::vector<std::int64_t>& counts, std::size_t n_bins,
                                           std::int64_t min_support, double z) {
  const std::size_t k = class_counts.size();
  return classification_score_of_runs(
      class_counts, valid,
      [&](auto&& add_bin) {
        std::vector<ClassRun> runs;
        for (std::size_t b = 0; b < n_bins; ++b) {
          runs.clear();
          for (std::size_t c = 0; c < k; ++c) {
            if (counts[b * k + c] > 0) runs.push_back({c, counts[b * k + c]});
          }
          if (!runs.empty()) add_bin(runs);
        }
      },
      min_support, z);
}

LeakageScore classification_score(const Target& target, const std::vector<std::int32_t>& bins, std::size_t n_bins,
                                  std::int64_t min_support, double z) {
  const std::size_t k = target.class_counts.size();
  if (k < 2) return {};
  // A dense bins x classes table when it is small; otherwise (many categories and many
  // classes, up to rows x rows cells) the (bin, class) pairs that occur, sorted.
  const bool dense = n_bins <= (std::size_t{1} << 22) / k || n_bins * k <= 8 * bins.size();
  if (dense) {
    std::vector<std::int64_t> counts(n_bins * k, 0);
    for (std::size_t i = 0; i < bins.size(); ++i) {
      if (target.classes[i] >= 0) ++counts[static_cast<std::size_t>(bins[i]) * k + target.classes[i]];
    }
    return classification_score_of_table(target.class_counts, target.valid, counts, n_bins, min_support, z);
  }
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(target.valid));
  for (std::size_t i = 0; i < bins.size(); ++i) {
    if (target.classes[i] >= 0) {
      keys.push_back(static_cast<std::uint64_t>(bins[i]) * k + static_cast<std::uint64_t>(target.classes[i]));
    }
  }
  sort_keys(keys);
  return classification_score_of_runs(
      target.class_counts, target.valid,
      [&](auto&& add_bin) {
        std::vector<ClassRun> runs;
        std::size_t i = 0;
        while (i < keys.size()) {  // one bin at a time
          const std::uint64_t bin = keys[i] / k;
          runs.clear();
          while (i < keys.size() && keys[i] / k == bin) {
            std::size_t j = i + 1;
            while (j < keys.size() && keys[j] == keys[i]) ++j;
            runs.push_back({static_cast<std::size_t>(keys[i] % k), static_cast<std::int64_t>(j - i)});
            i = j;
          }
          add_bin(runs);
        }
      },
      min_support, z);
}

LeakageScore regression_score(const Target& target, const std::vector<std::int32_t>& bins, std::size_t n_bins,
                              std::int64_t min_support, double z) {
  LeakageScore score;
  // Sums of y / scale (a power of two), so that targets near the largest double do not
  // overflow the sums of squares; the scores are ratios and do not change.
  double max_abs = 0.0;
  for (double y : target.values) {
    if (std::isfinite(y)) max_abs = std::max(max_abs, std::abs(y));
  }
  const double inv = 1.0 / moment_scale(max_abs);
  std::vector<double> sum(n_bins, 0.0), sum_sq(n_bins, 0.0);
  std::vector<std::int64_t> count(n_bins, 0);
  double total = 0.0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double y = target.values[i] * inv;
    if (!std::isfinite(y)) continue;
    const auto b = static_cast<std::size_t>(bins[i]);
    sum[b] += y;
    sum_sq[b] += y * y;
    ++count[b];
    total += y;
  }
  const auto n = static_cast<double>(target.valid);
  const double mean = total / n;
  double sst = 0.0, sse = 0.0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double y = target.values[i] * inv;
    if (std::isfinite(y)) sst += (y - mean) * (y - mean);
  }
  if (!(sst > 0.0)) return score;
  for (std::size_t b = 0; b < n_bins; ++b) {
    if (count[b] == 0) continue;
    const double cb = static_cast<double>(count[b]);
    // Within-bin squared error around the bin mean, or around the overall mean for
    // pooled small bins.
    const double centre = count[b] >= min_support ? sum[b] / cb : mean;
    sse += std::max(0.0, sum_sq[b] - 2.0 * centre * sum[b] + cb * centre * centre);
  }
  score.point = std::max(0.0, 1.0 - sse / sst);
  // Leave-one-out residual of row i: from its bin mean without it, or from the overall
  // mean without it when the bin is pooled or holds no other row.
  auto loo_residual = [&](std::size_t i, double y) {
    const auto b = static_cast<std::size_t>(bins[i]);
    const double cb = static_cast<double>(count[b]);
    if (count[b] >= min_support && count[b] >= 2) return (y - sum[b] / cb) * (cb / (cb - 1.0));
    return (y - mean) * (n / (n - 1.0));
  };
  double press = 0.0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double y = target.values[i] * inv;
    if (std::isfinite(y)) press += loo_residual(i, y) * loo_residual(i, y);
  }
  const double ratio = press / sst;  // mean(a) / mean(d)
  score.out_of_sample = 1.0 - ratio;
  // se of the ratio by the delta method, on (a_i - R d_i) / mean(d) so that no fourth
  // power of y is formed.
  const double mean_d = sst / n;
  double spread = 0.0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double y = target.values[i] * inv;
    if (!std::isfinite(y)) continue;
    const double e = loo_residual(i, y), d = y - mean;
    const double t = (e * e - ratio * d * d) / mean_d;
    spread += t * t;
  }
  const double se = std::sqrt(spread / (n - 1.0) / n);
  score.lower = score.out_of_sample - z * se;
  score.upper = std::min(1.0, score.out_of_sample + z * se);
  return score;
}

// See LeakageScore; z is the normal quantile of the bounds' level.
LeakageScore score_leakage(const Target& target, const std::vector<std::int32_t>& bins, std::size_t n_bins,
                           std::int64_t min_support, double z) {
  if (target.valid < 2) return {};
  return target.classification ? classification_score(target, bins, n_bins, min_support, z)
                               : regression_score(target, bins, n_bins, min_support, z);
}

// Everything the column checks learn from one column.
struct ColumnReport {
  std::vector<Finding> findings;
  std::vector<Measure> measures;
};

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Measure measured(std::string check, std::string column, double value, std::string note = {}) {
  Measure m;
  m.check = std::move(check);
  m.column = std::move(column);
  m.value = value;
  m.note = std::move(note);
  return m;
}

double share_of(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : kUndefined;
}

std::vector<std::int64_t> first_rows(std::size_t n, std::int64_t limit, auto&& predicate) {
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < n && static_cast<std::int64_t>(rows.size()) < limit; ++i) {
    if (predicate(i)) rows.push_back(static_cast<std::int64_t>(i));
  }
  return rows;
}

// example_rows() gives the finding's rows: the first max_examples missing values.
template <class ExampleRows>
void check_missing(const std::string& name, std::int64_t count, std::int64_t missing, ExampleRows example_rows,
                   const CheckOptions& o, ColumnReport& report) {
  std::vector<Finding>& out = report.findings;
  report.measures.push_back(measured("missing", name, share_of(missing, count), count == 0 ? "no rows" : ""));
  if (count == 0 || missing == 0) return;
  const double rate = static_cast<double>(missing) / static_cast<double>(count);
  if (rate < o.missing_warning) return;
  const bool error = rate >= o.missing_error;
  Finding f{"missing",
            name,
            error ? Severity::error : Severity::warning,
            rate,
            error ? o.missing_error : o.missing_warning,
            percent(rate) + " of values are missing (" + std::to_string(missing) + " of " + std::to_string(count) + ")",
            {}};
  f.rows = example_rows();
  out.push_back(std::move(f));
}

std::vector<std::int64_t> first_missing_rows(const ColumnView& column, std::int64_t limit) {
  return first_rows(column.size(), limit, [&](std::size_t i) {
    return column.is_numeric() ? std::isnan(column.values[i]) : column.codes[i] < 0;
  });
}

template <class Value>
void check_constant(const std::string& name, std::int64_t non_missing, std::int64_t distinct,
                    const ValueTable<Value>& values, const CheckOptions& o, ColumnReport& report) {
  std::vector<Finding>& out = report.findings;
  if (non_missing == 0) {  // reported by the missing check
    for (const char* check : {"constant", "near_constant"}) {
      report.measures.push_back(measured(check, name, kUndefined, "no non-missing values"));
    }
    return;
  }
  report.measures.push_back(measured("constant", name, distinct <= 1 ? 1.0 : 0.0));
  // A sketch's table can be empty: no value then reaches count_error / non_missing of the rows.
  if (values.entries.empty()) {
    report.measures.push_back(measured("near_constant", name, kUndefined,
                                       "a one-pass estimate: no value holds more than " +
                                           percent(share_of(values.count_error, non_missing)) + " of the rows"));
    return;
  }
  const double share = share_of(values.entries.front().count, non_missing);
  // A sketch's count is a lower bound: the share is then at least this, at most this plus the bound.
  const std::string bound = values.count_error == 0
                                ? ""
                                : " (at least; a one-pass estimate, at most " +
                                      percent(std::min(1.0, share + static_cast<double>(values.count_error) /
                                                                        static_cast<double>(non_missing))) +
                                      ")";
  report.measures.push_back(
      measured("near_constant", name, share, values.count_error == 0 ? "" : "a lower bound" + bound));
  if (distinct <= 1) {
    out.push_back({"constant", name, Severity::warning, 1.0, 1.0, "every non-missing value is the same", {}});
    return;
  }
  if (share >= o.near_constant) {
    out.push_back({"near_constant",
                   name,
                   Severity::warning,
                   share,
                   o.near_constant,
                   percent(share) + " of non-missing values are the most frequent value" + bound,
                   {}});
  }
}

// Measures the share of finite values outside each rule's bounds, from the profile's
// quartiles and median; reports a finding for the rule options.outlier_method names.
// count_outside(lo, hi) counts the finite values below lo or above hi; a NaN `mad` means
// the MAD is not known (the one-pass sketch mode); `note` qualifies estimates.
// rows_outside(lo, hi) gives the finding's example rows.
template <class CountOutside, class RowsOutside>
void check_outliers(const std::string& name, const NumericProfile& p, double mad, CountOutside count_outside,
                    RowsOutside rows_outside, const std::string& note, const CheckOptions& o,
                    ColumnReport& column_report) {
  std::vector<Finding>& out = column_report.findings;
  std::vector<Measure>& measures = column_report.measures;
  const std::int64_t nf = p.finite();
  if (nf < 4) {
    for (const char* check : {"outliers_iqr", "outliers_mad"}) {
      measures.push_back(measured(check, name, kUndefined, "fewer than 4 finite values"));
    }
    return;
  }
  const char* reported = o.outlier_method == OutlierMethod::iqr ? "outliers_iqr" : "outliers_mad";
  auto report = [&](const char* check, double lo, double hi, const std::string& rule) {
    const std::int64_t outside = count_outside(lo, hi);
    const double share = static_cast<double>(outside) / static_cast<double>(nf);
    measures.push_back(measured(check, name, share, note.empty() ? "" : note.substr(2)));
    if (share < o.outlier_rate || std::strcmp(check, reported) != 0) return;
    Finding f{check,
              name,
              Severity::warning,
              share,
              o.outlier_rate,
              percent(share) + " of finite values (" + std::to_string(outside) + ") lie outside [" + format_number(lo) +
                  ", " + format_number(hi) + "] (" + rule + note + ")",
              {}};
    f.rows = rows_outside(lo, hi);
    out.push_back(std::move(f));
  };
  const double q1 = p.quantiles[2], median = p.quantiles[3], q3 = p.quantiles[4];
  // Fences from half distances, so that an IQR or MAD beyond the largest double (data
  // near +-1.8e308) still gives the right finite fence, or an infinite one when the true
  // fence lies beyond the doubles.
  const double half_iqr = half_difference(q1, q3);
  if (half_iqr > 0) {
    report("outliers_iqr", add_scaled_distance(q1, -o.outlier_iqr_k, half_iqr),
           add_scaled_distance(q3, o.outlier_iqr_k, half_iqr), "Tukey fences, k = " + format_number(o.outlier_iqr_k));
  } else {
    measures.push_back(measured("outliers_iqr", name, 0.0, "the interquartile range is 0: no fences"));
  }
  if (std::isnan(mad)) {
    measures.push_back(measured("outliers_mad", name, kUndefined,
                                "not in the one-pass sketch mode: the MAD needs the ordered column"));
  } else if (mad > 0) {
    // robust z = 0.6745 (x - median) / MAD exceeds the cut-off.
    const double reach = o.outlier_mad_z / 0.6745;
    report("outliers_mad", add_scaled_distance(median, -reach, mad * 0.5),
           add_scaled_distance(median, reach, mad * 0.5), "robust z-score above " + format_number(o.outlier_mad_z));
  } else {
    measures.push_back(measured("outliers_mad", name, 0.0, "the median absolute deviation is 0: no cut-off"));
  }
}

template <class ExampleRows>
void check_infinities(const std::string& name, const NumericProfile& p, ExampleRows example_rows,
                      ColumnReport& report) {
  report.measures.push_back(
      measured("infinite_values", name, share_of(p.infinities, p.count), p.count == 0 ? "no rows" : ""));
  if (p.infinities == 0) return;
  report.findings.push_back({"infinite_values", name, Severity::warning, static_cast<double>(p.infinities), 1.0,
                             std::to_string(p.infinities) + " infinite values", example_rows()});
}

// An info finding for a check the one-pass sketch mode does not run, with the reason.
Finding skipped(const std::string& check, const std::string& column, const std::string& reason) {
  return {"skipped",  column,     Severity::info,
          kUndefined, kUndefined, check + ": not run in the one-pass sketch mode (exact=False): " + reason,
          {}};
}

// Measures the feature's score; reports a finding unless the feature is `excluded`.
void report_leakage(const std::string& name, const LeakageScore& score, bool classification, const CheckOptions& o,
                    bool excluded, ColumnReport& report) {
  Measure m = measured("target_leakage", name, score.point,
                       std::isnan(score.point) ? "undefined: the target has one class or no variance" : "");
  m.lower = score.lower;
  m.upper = score.upper;
  report.measures.push_back(std::move(m));
  const double decided = o.leakage_decision == LeakageDecision::bound ? score.lower : score.point;
  if (excluded || !(decided >= o.leakage)) return;
  report.findings.push_back({"target_leakage",
                             name,
                             Severity::error,
                             score.point,
                             o.leakage,
                             "this column alone predicts the target: score " + format_number(score.point) + " (" +
                                 format_number(100.0 * o.leakage_confidence) + "% lower bound " +
                                 format_number(score.lower) + " out of sample; " +
                                 (classification ? "majority-class accuracy above baseline" : "R^2 of the bin means") +
                                 "): check that it is not derived from the target",
                             {},
                             score.lower,
                             score.upper});
}

void check_leakage(const std::string& name, const Target& target, const std::vector<std::int32_t>& bins,
                   std::size_t n_bins, const CheckOptions& o, bool excluded, ColumnReport& report) {
  const double z = normal_quantile(o.leakage_confidence);
  report_leakage(name, score_leakage(target, bins, n_bins, o.leakage_min_support, z), target.classification, o,
                 excluded, report);
}

// Bins of a numeric column for the leakage check: quantile bins, missing last.
std::vector<std::int32_t> numeric_bins(const ColumnView& column, const detail::SortedColumn& sorted,
                                       int n_quantile_bins, std::size_t& n_bins) {
  const detail::FiniteValues finite = sorted.finite();
  std::vector<double> edges;
  for (int k = 1; k < n_quantile_bins; ++k) {
    const double edge = detail::quantile(finite, static_cast<double>(k) / n_quantile_bins);
    if (!std::isnan(edge) && (edges.empty() || edge > edges.back())) edges.push_back(edge);
  }
  n_bins = edges.size() + 2;
  const auto missing_bin = static_cast<std::int32_t>(edges.size() + 1);
  std::vector<std::int32_t> bins(column.values.size());
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double x = column.values[i];
    bins[i] = std::isnan(x)
                  ? missing_bin
                  : static_cast<std::int32_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
  }
  return bins;
}

// Bins of a categorical column for the leakage check: one per label, missing last.
std::pair<std::vector<std::int32_t>, std::size_t> category_bins(const ColumnView& column) {
  std::vector<std::int32_t> bins(column.codes.begin(), column.codes.end());
  const auto missing_bin = static_cast<std::int32_t>(column.labels.size());
  for (auto& b : bins) b = b < 0 ? missing_bin : b;
  return {std::move(bins), column.labels.size() + 1};
}

std::string join_labels(const std::vector<std::string>& labels, std::size_t limit) {
  std::string text;
  for (std::size_t k = 0; k < labels.size() && k < limit; ++k) text += (k ? ", '" : "'") + labels[k] + "'";
  if (labels.size() > limit) text += ", ... (" + std::to_string(labels.size() - limit) + " more)";
  return text;
}

std::string normalise_label(const std::string& label) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : label) {
    if (std::isspace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

bool is_high_cardinality(const CategoricalProfile& p, const CheckOptions& o) {
  const std::int64_t non_missing = p.count - p.missing;
  return non_missing > 0 && p.distinct >= o.high_cardinality &&
         static_cast<double>(p.distinct) / static_cast<double>(non_missing) >= o.high_cardinality_ratio;
}

// The labels of a categorical column that occur in it, in code order.
std::vector<std::string> observed_labels(const ColumnView& column) {
  std::vector<char> observed(column.labels.size(), 0);
  for (std::int32_t code : column.codes) {
    if (code >= 0) observed[static_cast<std::size_t>(code)] = 1;
  }
  std::vector<std::string> labels;
  for (std::size_t k = 0; k < column.labels.size(); ++k) {
    if (observed[k]) labels.push_back(column.labels[k]);
  }
  return labels;
}

// `labels`: the observed labels in code order.
void check_categorical(const std::string& name, const CategoricalProfile& p, const std::vector<std::string>& labels,
                       const CheckOptions& o, ColumnReport& report) {
  std::vector<Finding>& out = report.findings;
  const std::int64_t non_missing = p.count - p.missing;
  const bool many =
      non_missing > 0 && static_cast<double>(p.distinct) / static_cast<double>(non_missing) >= o.high_cardinality_ratio;
  report.measures.push_back(measured("high_cardinality", name, many ? static_cast<double>(p.distinct) : 0.0));
  if (is_high_cardinality(p, o)) {
    out.push_back({"high_cardinality",
                   name,
                   Severity::warning,
                   static_cast<double>(p.distinct),
                   static_cast<double>(o.high_cardinality),
                   std::to_string(p.distinct) + " distinct categories in " + std::to_string(non_missing) +
                       " non-missing rows: an identifier, or a column to encode differently",
                   {}});
  }
  const auto groups = label_variants(labels);
  report.measures.push_back(measured("label_variants", name, static_cast<double>(groups.size())));
  if (!groups.empty()) {
    std::string text;
    for (std::size_t g = 0; g < groups.size() && g < 3; ++g) text += (g ? "; " : "") + join_labels(groups[g], 5);
    if (groups.size() > 3) text += "; ...";
    out.push_back({"label_variants",
                   name,
                   Severity::warning,
                   static_cast<double>(groups.size()),
                   1.0,
                   std::to_string(groups.size()) + " group(s) of labels differ only in case or whitespace: " + text,
                   {}});
  }
}

}  // namespace

std::vector<std::vector<std::string>> label_variants(const std::vector<std::string>& labels) {
  std::unordered_map<std::string, std::size_t> group_of;
  std::vector<std::vector<std::string>> groups;
  for (const std::string& label : labels) {
    auto [it, inserted] = group_of.emplace(normalise_label(label), groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(label);
  }
  std::erase_if(groups, [](const auto& g) { return g.size() < 2; });
  return groups;
}

std::vector<std::vector<std::int64_t>> identical_row_groups(const TableView& table,
                                                            const std::vector<std::size_t>& columns, int n_jobs) {
  return identical_row_groups(table, columns, hash_rows(table, columns, n_jobs));
}

std::vector<std::vector<std::int64_t>> identical_row_groups(const TableView& table,
                                                            const std::vector<std::size_t>& columns,
                                                            const std::vector<std::uint64_t>& hashes) {
  // Most rows are usually unique: find the hashes that repeat from a sorted copy, then
  // group only the rows that carry one of them.
  std::vector<std::uint64_t> sorted = hashes;
  sort_keys(sorted);
  std::vector<std::uint64_t> repeated;
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i] == sorted[i - 1] && (repeated.empty() || repeated.back() != sorted[i])) repeated.push_back(sorted[i]);
  }
  std::vector<std::uint64_t> keys, rows;
  if (!repeated.empty()) {
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      if (std::binary_search(repeated.begin(), repeated.end(), hashes[i])) {
        keys.push_back(hashes[i]);
        rows.push_back(i);
      }
    }
  }
  sort_pairs(keys, rows);  // rows of equal hash stay ascending
  const std::size_t n = keys.size();
  std::vector<std::vector<std::int64_t>> groups;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && keys[j] == keys[i]) ++j;
    if (j - i > 1) {
      // Equal hashes: split the run into classes of truly equal rows.
      std::vector<std::vector<std::int64_t>> classes;
      for (std::size_t k = i; k < j; ++k) {
        auto it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) {
          return rows_equal(table, columns, static_cast<std::size_t>(c.front()), table, columns, rows[k]);
        });
        if (it == classes.end()) {
          classes.push_back({static_cast<std::int64_t>(rows[k])});
        } else {
          it->push_back(static_cast<std::int64_t>(rows[k]));
        }
      }
      for (auto& c : classes) {
        if (c.size() > 1) groups.push_back(std::move(c));
      }
    }
    i = j;
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return groups;
}

namespace {

std::vector<std::int64_t> example_rows(const std::vector<std::vector<std::int64_t>>& groups, std::int64_t limit) {
  std::vector<std::int64_t> rows;
  for (const auto& g : groups) {
    for (std::int64_t r : g) {
      if (static_cast<std::int64_t>(rows.size()) >= limit) return rows;
      rows.push_back(r);
    }
  }
  return rows;
}

void check_duplicates(const TableView& data, const std::vector<std::uint64_t>& row_hashes, const CheckOptions& o,
                      ColumnReport& out) {
  std::vector<std::size_t> all(data.n_columns());
  for (std::size_t j = 0; j < all.size(); ++j) all[j] = j;
  const auto groups = identical_row_groups(data, all, row_hashes);
  std::int64_t duplicates = 0;
  for (const auto& g : groups) duplicates += static_cast<std::int64_t>(g.size()) - 1;
  out.measures.push_back(measured("duplicate_rows", "", static_cast<double>(duplicates)));
  if (duplicates == 0) return;
  const double share = static_cast<double>(duplicates) / static_cast<double>(data.n_rows());
  out.findings.push_back({"duplicate_rows", "", Severity::warning, static_cast<double>(duplicates), 1.0,
                          std::to_string(duplicates) + " rows (" + percent(share) + ") repeat an earlier row, in " +
                              std::to_string(groups.size()) + " group(s)",
                          example_rows(groups, o.max_examples)});
}

void check_conflicts(const TableView& data, std::size_t target_index, const CheckOptions& o, int n_jobs,
                     ColumnReport& out) {
  std::vector<std::size_t> features;
  for (std::size_t j = 0; j < data.n_columns(); ++j) {
    if (j != target_index) features.push_back(j);
  }
  const ColumnView& target = data.column(target_index);
  if (features.empty()) {
    out.measures.push_back(measured("conflicting_labels", target.name, 0.0, "no feature columns"));
    return;
  }
  auto groups = identical_row_groups(data, features, n_jobs);
  std::erase_if(groups, [&](const auto& g) {
    return std::ranges::all_of(g, [&](std::int64_t r) {
      return cells_equal(target, static_cast<std::size_t>(g.front()), target, static_cast<std::size_t>(r));
    });
  });
  std::int64_t rows = 0;
  for (const auto& g : groups) rows += static_cast<std::int64_t>(g.size());
  out.measures.push_back(measured("conflicting_labels", target.name, static_cast<double>(rows)));
  if (groups.empty()) return;
  out.findings.push_back({"conflicting_labels", target.name, Severity::warning, static_cast<double>(rows), 1.0,
                          std::to_string(rows) + " rows in " + std::to_string(groups.size()) +
                              " group(s) have identical features but different targets",
                          example_rows(groups, o.max_examples)});
}

void check_overlap(const TableView& data, const TableView& reference, const std::string& target, const CheckOptions& o,
                   int n_jobs, ColumnReport& out) {
  std::vector<std::size_t> data_columns, reference_columns;
  for (std::size_t j = 0; j < data.n_columns(); ++j) {
    const ColumnView& column = data.column(j);
    if (column.name == target) continue;
    const std::ptrdiff_t r = reference.find(column.name);
    if (r < 0) continue;
    if (reference.column(static_cast<std::size_t>(r)).kind != column.kind) {
      throw InvalidArgument("column '" + column.name + "' is " + (column.is_numeric() ? "numeric" : "categorical") +
                            " in data but not in reference");
    }
    data_columns.push_back(j);
    reference_columns.push_back(static_cast<std::size_t>(r));
  }
  if (data_columns.empty() || reference.n_rows() == 0 || data.n_rows() == 0) {
    out.measures.push_back(
        measured("train_test_overlap", "", 0.0, data_columns.empty() ? "no shared columns" : "no rows to compare"));
    return;
  }
  const std::size_t m = reference.n_rows();
  std::vector<std::uint64_t> ref_keys = hash_rows(reference, reference_columns, n_jobs);
  std::vector<std::uint64_t> ref_rows(m);
  for (std::size_t i = 0; i < m; ++i) ref_rows[i] = i;
  sort_pairs(ref_keys, ref_rows);
  const std::vector<std::uint64_t> keys = hash_rows(data, data_columns, n_jobs);
  std::vector<char> shared(data.n_rows(), 0);
  constexpr std::size_t kBlock = 1 << 14;
  parallel_for(static_cast<std::ptrdiff_t>(n_blocks(data.n_rows(), kBlock)), resolve_threads(n_jobs),
               [&](std::ptrdiff_t b) {
                 const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
                 const std::size_t end = std::min(data.n_rows(), begin + kBlock);
                 for (std::size_t i = begin; i < end; ++i) {
                   auto it = std::lower_bound(ref_keys.begin(), ref_keys.end(), keys[i]);
                   for (; it != ref_keys.end() && *it == keys[i]; ++it) {
                     const std::size_t r = ref_rows[static_cast<std::size_t>(it - ref_keys.begin())];
                     if (rows_equal(data, data_columns, i, reference, reference_columns, r)) {
                       shared[i] = 1;
                       break;
                     }
                   }
                 }
               });
  std::int64_t count = 0;
  for (char s : shared) count += s;
  out.measures.push_back(measured("train_test_overlap", "", static_cast<double>(count)));
  if (count == 0) return;
  const double share = static_cast<double>(count) / static_cast<double>(data.n_rows());
  out.findings.push_back({"train_test_overlap", "", Severity::warning, static_cast<double>(count), 1.0,
                          std::to_string(count) + " rows (" + percent(share) +
                              ") also appear in the reference data (compared on " +
                              std::to_string(data_columns.size()) + " shared column(s))",
                          first_rows(data.n_rows(), o.max_examples, [&](std::size_t i) { return shared[i] != 0; })});
}

// The unseen-category check from the column's labels (code order), each label's rows and
// whether the reference knows it; example_rows(unseen) gives the rows of the unseen labels.
template <class ExampleRows>
void report_unseen(const std::string& name, std::span<const std::string> labels,
                   const std::vector<std::int64_t>& rows_per_label, const std::vector<char>& unseen,
                   ExampleRows example_rows, ColumnReport& out) {
  std::int64_t rows = 0;
  std::vector<std::string> listed;
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (unseen[k] && rows_per_label[k] > 0) {
      rows += rows_per_label[k];
      listed.push_back(labels[k]);
    }
  }
  out.measures.push_back(measured("unseen_categories", name, static_cast<double>(rows)));
  if (rows == 0) return;
  out.findings.push_back({"unseen_categories", name, Severity::warning, static_cast<double>(rows), 1.0,
                          std::to_string(listed.size()) + " categor" + (listed.size() == 1 ? "y" : "ies") +
                              " absent from the reference, in " + std::to_string(rows) +
                              " rows: " + join_labels(listed, 10),
                          example_rows(unseen)});
}

void check_unseen(const ColumnView& column, const ColumnView& reference, const CheckOptions& o, ColumnReport& out) {
  std::unordered_set<std::string> known;
  std::vector<char> observed(reference.labels.size(), 0);
  for (std::int32_t code : reference.codes) {
    if (code >= 0) observed[static_cast<std::size_t>(code)] = 1;
  }
  for (std::size_t k = 0; k < reference.labels.size(); ++k) {
    if (observed[k]) known.insert(reference.labels[k]);
  }
  std::vector<char> unseen(column.labels.size(), 0);
  for (std::size_t k = 0; k < column.labels.size(); ++k) unseen[k] = !known.contains(column.labels[k]);
  std::vector<std::int64_t> rows_per_label(column.labels.size(), 0);
  for (std::int32_t code : column.codes) {
    if (code >= 0) ++rows_per_label[static_cast<std::size_t>(code)];
  }
  report_unseen(
      column.name, column.labels, rows_per_label, unseen,
      [&](const std::vector<char>& flags) {
        return first_rows(column.size(), o.max_examples, [&](std::size_t i) {
          const std::int32_t code = column.codes[i];
          return code >= 0 && flags[static_cast<std::size_t>(code)] != 0;
        });
      },
      out);
}

void check_target(const std::string& name, const Target& target, const CheckOptions& o, ColumnReport& report) {
  if (!target.classification || target.valid == 0) return;
  std::vector<Finding>& out = report.findings;
  report.measures.push_back(measured("single_class", name, static_cast<double>(target.class_counts.size())));
  if (target.class_counts.size() == 1) {
    report.measures.push_back(measured("class_imbalance", name, kUndefined, "the target has fewer than two classes"));
    out.push_back({"single_class",
                   name,
                   Severity::error,
                   1.0,
                   2.0,
                   "the target has a single class ('" + target.class_names[0] + "')",
                   {}});
    return;
  }
  const auto minority = std::min_element(target.class_counts.begin(), target.class_counts.end());
  const double share = static_cast<double>(*minority) / static_cast<double>(target.valid);
  report.measures.push_back(measured("class_imbalance", name, share));
  if (share >= o.imbalance_below) return;
  const std::string label = target.class_names[static_cast<std::size_t>(minority - target.class_counts.begin())];
  out.push_back({"class_imbalance",
                 name,
                 Severity::warning,
                 share,
                 o.imbalance_below,
                 "the rarest class '" + label + "' has " + percent(share) + " of the target's rows (" +
                     std::to_string(*minority) + ")",
                 {}});
}

// A count and its first `limit` rows, in one pass.
template <class Predicate>
RowTally tally_rows(std::size_t n, std::int64_t limit, Predicate predicate) {
  RowTally tally;
  for (std::size_t i = 0; i < n; ++i) {
    if (!predicate(i)) continue;
    ++tally.count;
    if (static_cast<std::int64_t>(tally.rows.size()) < limit) tally.rows.push_back(static_cast<std::int64_t>(i));
  }
  return tally;
}

// What the rules read of a column: its counts and the rows breaking each kind of rule.
struct RuleEvidence {
  std::int64_t count = 0, missing = 0, distinct = 0;
  bool distinct_exact = true;
  RowTally missing_rows;                // count unused: `missing`
  RuleState numeric;                    // below min, above max, outside the allowed values
  RowTally outside_labels;              // outside the allowed labels
  std::vector<std::string> bad_labels;  // those labels, in order of their first row
};

// InvalidArgument when the rule's settings do not fit the column's kind.
void require_rule_kind(const ColumnRule& rule, const std::string& name, bool numeric) {
  if ((rule.min.has_value() || rule.max.has_value() || rule.allowed_values.has_value()) && !numeric) {
    throw InvalidArgument("rules for column '" + name + "': min, max and numeric allowed values need a numeric column");
  }
  if (rule.allowed_labels.has_value() && numeric) {
    throw InvalidArgument("rules for column '" + name + "': allowed labels need a categorical column");
  }
}

// The rows of a numeric column below the rule's min, above its max and outside its values.
RuleState numeric_rule_state(const ColumnView& column, const ColumnRule& rule, std::int64_t limit) {
  RuleState state;
  if (rule.min.has_value()) {
    const double lo = *rule.min;
    state.below = tally_rows(column.size(), limit, [&](std::size_t i) { return column.values[i] < lo; });
  }
  if (rule.max.has_value()) {
    const double hi = *rule.max;
    state.above = tally_rows(column.size(), limit, [&](std::size_t i) { return column.values[i] > hi; });
  }
  if (rule.allowed_values.has_value()) {
    std::vector<double> allowed = *rule.allowed_values;
    std::sort(allowed.begin(), allowed.end());
    state.outside = tally_rows(column.size(), limit, [&](std::size_t i) {
      const double x = column.values[i];
      return !std::isnan(x) && !std::binary_search(allowed.begin(), allowed.end(), x);
    });
  }
  return state;
}

void report_rule(const std::string& name, const ColumnRule& rule, const RuleEvidence& e, std::vector<Finding>& out) {
  auto violation = [&](const char* check, double value, double threshold, std::string message,
                       const std::vector<std::int64_t>& rows) {
    out.push_back({check, name, Severity::error, value, threshold, std::move(message), rows});
  };
  if (rule.nullable.has_value() && !*rule.nullable && e.missing > 0) {
    violation("rule_nullable", static_cast<double>(e.missing), 0.0,
              std::to_string(e.missing) + " missing values in a column declared not nullable", e.missing_rows.rows);
  }
  if (rule.max_missing.has_value() && e.count > 0) {
    const double rate = static_cast<double>(e.missing) / static_cast<double>(e.count);
    if (rate > *rule.max_missing) {
      violation("rule_max_missing", rate, *rule.max_missing,
                "missing rate " + percent(rate) + " exceeds the allowed " + percent(*rule.max_missing),
                e.missing_rows.rows);
    }
  }
  const std::int64_t present = e.count - e.missing;
  if (rule.unique.has_value() && *rule.unique && !e.distinct_exact) {
    out.push_back(skipped("rule_unique", name, "the distinct count is an estimate"));
  } else if (rule.unique.has_value() && *rule.unique && e.distinct < present) {
    out.push_back({"rule_unique",
                   name,
                   Severity::error,
                   static_cast<double>(present - e.distinct),
                   0.0,
                   std::to_string(present - e.distinct) +
                       " non-missing values repeat an earlier value in a column declared unique",
                   {}});
  }
  if (rule.min.has_value() && e.numeric.below.count > 0) {
    const std::int64_t c = e.numeric.below.count;
    violation("rule_min", static_cast<double>(c), *rule.min,
              std::to_string(c) + " values below the minimum " + format_number(*rule.min), e.numeric.below.rows);
  }
  if (rule.max.has_value() && e.numeric.above.count > 0) {
    const std::int64_t c = e.numeric.above.count;
    violation("rule_max", static_cast<double>(c), *rule.max,
              std::to_string(c) + " values above the maximum " + format_number(*rule.max), e.numeric.above.rows);
  }
  if (rule.allowed_values.has_value() && e.numeric.outside.count > 0) {
    const std::int64_t c = e.numeric.outside.count;
    violation("rule_allowed", static_cast<double>(c), 0.0, std::to_string(c) + " values outside the allowed set",
              e.numeric.outside.rows);
  }
  if (rule.allowed_labels.has_value() && e.outside_labels.count > 0) {
    const std::int64_t c = e.outside_labels.count;
    violation("rule_allowed", static_cast<double>(c), 0.0,
              std::to_string(c) + " values outside the allowed set: " + join_labels(e.bad_labels, 10),
              e.outside_labels.rows);
  }
}

template <class Profile>
void take_counts(const Profile& p, RuleEvidence& e) {
  e.count = p.count, e.missing = p.missing, e.distinct = p.distinct, e.distinct_exact = p.distinct_exact;
}

void apply_rule(const TableView& data, const TableProfile& profile, const ColumnRule& rule, const CheckOptions& o,
                std::vector<Finding>& out) {
  const std::ptrdiff_t index = data.find(rule.column);
  if (index < 0) {
    out.push_back(
        {"rule_column", rule.column, Severity::error, 0.0, 1.0, "the column required by a rule is absent", {}});
    return;
  }
  const ColumnView& column = data.column(static_cast<std::size_t>(index));
  RuleEvidence e;
  if (column.is_numeric()) {
    take_counts(
        *std::find_if(profile.numeric.begin(), profile.numeric.end(), [&](auto& x) { return x.name == rule.column; }),
        e);
  } else {
    take_counts(*std::find_if(profile.categorical.begin(), profile.categorical.end(),
                              [&](auto& x) { return x.name == rule.column; }),
                e);
  }
  require_rule_kind(rule, column.name, column.is_numeric());
  e.missing_rows.rows = first_missing_rows(column, o.max_examples);
  if (column.is_numeric()) e.numeric = numeric_rule_state(column, rule, o.max_examples);
  if (rule.allowed_labels.has_value()) {
    const std::unordered_set<std::string> allowed(rule.allowed_labels->begin(), rule.allowed_labels->end());
    std::vector<char> ok(column.labels.size());
    for (std::size_t k = 0; k < ok.size(); ++k) ok[k] = allowed.contains(column.labels[k]);
    std::vector<char> listed(column.labels.size(), 0);
    e.outside_labels = tally_rows(column.size(), o.max_examples, [&](std::size_t i) {
      const std::int32_t code = column.codes[i];
      if (code < 0 || ok[static_cast<std::size_t>(code)]) return false;
      if (!listed[static_cast<std::size_t>(code)]) {
        listed[static_cast<std::size_t>(code)] = 1;
        e.bad_labels.push_back(column.labels[static_cast<std::size_t>(code)]);
      }
      return true;
    });
  }
  report_rule(column.name, rule, e, out);
}

}  // namespace

LeakageScore leakage_score(const ColumnView& feature, const ColumnView& target, const CheckOptions& o) {
  validate(o);
  if (feature.size() != target.size()) {
    throw InvalidArgument("feature '" + feature.name + "' has " + std::to_string(feature.size()) +
                          " rows but target '" + target.name + "' has " + std::to_string(target.size()));
  }
  if (!feature.is_numeric()) validate_codes(feature);
  if (!target.is_numeric()) validate_codes(target);
  const Target encoded = encode_target(target);
  const double z = normal_quantile(o.leakage_confidence);
  if (feature.is_numeric()) {
    NonMissingSorter sorter;
    const detail::SortedColumn sorted = detail::sort_column(feature, sorter);
    std::size_t n_bins = 0;
    const auto bins = numeric_bins(feature, sorted, o.leakage_bins, n_bins);
    return score_leakage(encoded, bins, n_bins, o.leakage_min_support, z);
  }
  const auto [bins, n_bins] = category_bins(feature);
  return score_leakage(encoded, bins, n_bins, o.leakage_min_support, z);
}

std::vector<std::pair<std::string, LeakageScore>> leakage_scores(const TableView& table, const std::string& target_name,
                                                                 const CheckOptions& o, int n_jobs) {
  validate(o);
  const std::ptrdiff_t target = table.find(target_name);
  if (target < 0) throw InvalidArgument("target '" + target_name + "' is not a column of the table");
  std::vector<std::pair<std::string, LeakageScore>> scores;
  for (std::size_t j = 0; j < table.n_columns(); ++j) {
    if (static_cast<std::ptrdiff_t>(j) != target) scores.emplace_back(table.column(j).name, LeakageScore{});
  }
  const ColumnView& target_column = table.column(static_cast<std::size_t>(target));
  parallel_for(static_cast<std::ptrdiff_t>(scores.size()), resolve_threads(n_jobs), [&](std::ptrdiff_t i) {
    auto& [name, score] = scores[static_cast<std::size_t>(i)];
    score = leakage_score(table.column(static_cast<std::size_t>(table.find(name))), target_column, o);
  });
  return scores;
}

CheckResult check(const TableView& data, const std::string& target_name, const TableView* reference,
                  const std::vector<ColumnRule>& rules, const CheckOptions& o, const ProfileOptions& profile_options,
                  int n_jobs, const Progress& progress) {
  validate(o);
  validate(profile_options);
  std::size_t numeric_columns = 0;
  for (std::size_t j = 0; j < data.n_columns(); ++j) numeric_columns += data.column(j).is_numeric() ? 1 : 0;
  detail::check_histogram_budget(profile_options, numeric_columns);
  CheckResult result;
  std::ptrdiff_t target_index = -1;
  Target target;
  if (!target_name.empty()) {
    target_index = data.find(target_name);
    if (target_index < 0) throw InvalidArgument("target column '" + target_name + "' is not in the data");
    target = encode_target(data.column(static_cast<std::size_t>(target_index)));
  }
  std::vector<char> leakage_excluded(data.n_columns(), 0);
  for (const std::string& name : o.leakage_exclude) {
    const std::ptrdiff_t j = data.find(name);
    if (j < 0) throw InvalidArgument("leakage_exclude: no column '" + name + "' in the data");
    leakage_excluded[static_cast<std::size_t>(j)] = 1;
  }

  // Per column, in parallel: profile, then the checks that read the sorted column (in the
  // one-pass sketch mode: the checks a column's sketch answers).
  const bool sketch = !profile_options.exact;
  std::atomic<std::size_t> leakage_not_run{0};
  const std::size_t n_columns = data.n_columns();
  std::vector<ColumnReport> reports(n_columns);
  std::vector<NumericProfile> numeric(n_columns);
  std::vector<CategoricalProfile> categorical(n_columns);
  std::atomic<std::size_t> done{0};
  const int threads = resolve_threads(n_jobs);
  std::vector<NonMissingSorter> sorters(static_cast<std::size_t>(threads));
  parallel_for(static_cast<std::ptrdiff_t>(n_columns), threads, [&](std::ptrdiff_t j) {
    const ColumnView& column = data.column(static_cast<std::size_t>(j));
    ColumnReport& report = reports[static_cast<std::size_t>(j)];
    const bool is_target = j == target_index;
    const bool test_leakage = target.present && !is_target;
    const bool excluded = leakage_excluded[static_cast<std::size_t>(j)] != 0;
    if (sketch && test_leakage && !excluded && column.is_numeric()) ++leakage_not_run;
    auto missing_rows = [&] { return first_missing_rows(column, o.max_examples); };
    auto infinite_rows = [&] {
      return first_rows(column.size(), o.max_examples, [&](std::size_t i) { return std::isinf(column.values[i]); });
    };
    auto rows_outside = [&](double lo, double hi) { return first_rows_outside(column, lo, hi, o.max_examples); };
    if (column.is_numeric() && sketch) {
      // One pass: the profile from the column's sketch, the outlier share from its quantile summary.
      NumericProfile& p = numeric[static_cast<std::size_t>(j)] =
          to_profile(sketch_numeric(column, profile_options), profile_options);
      check_missing(column.name, p.count, p.missing, missing_rows, o, report);
      check_constant(column.name, p.count - p.missing, p.distinct, p.values, o, report);
      check_infinities(column.name, p, infinite_rows, report);
      if (!is_target) {
        const QuantileSummary& summary = p.summary;
        const std::string note = "; a one-pass estimate: the quartiles and the share are within " +
                                 percent(2.0 * summary.rank_error()) + " of the finite values in rank";
        check_outliers(
            column.name, p, kUndefined,
            [&](double lo, double hi) {
              return std::llround(summary.rank(std::nextafter(lo, -kInf)) + summary.total_weight() - summary.rank(hi));
            },
            rows_outside, note, o, report);
      }
      if (test_leakage) {
        report.measures.push_back(measured("target_leakage", column.name, kUndefined,
                                           "not in the one-pass sketch mode: quantile bins need the ordered column"));
      }
    } else if (column.is_numeric()) {
      const detail::SortedColumn sorted =
          detail::sort_column(column, sorters[static_cast<std::size_t>(omp_get_thread_num())]);
      NumericProfile& p = numeric[static_cast<std::size_t>(j)] =
          detail::profile_sorted(column, sorted, profile_options);
      check_missing(column.name, p.count, p.missing, missing_rows, o, report);
      check_constant(column.name, p.count - p.missing, p.distinct, p.values, o, report);
      check_infinities(column.name, p, infinite_rows, report);
      if (!is_target) {
        const detail::FiniteValues finite = sorted.finite();
        check_outliers(
            column.name, p, detail::mad(finite, p.quantiles[3]),
            [&](double lo, double hi) {
              return static_cast<std::int64_t>(finite.count_below(lo) + (finite.size() - finite.count_at_most(hi)));
            },
            rows_outside, "", o, report);
      }
      if (test_leakage) {
        std::size_t n_bins = 0;
        const auto bins = numeric_bins(column, sorted, o.leakage_bins, n_bins);
        check_leakage(column.name, target, bins, n_bins, o, excluded, report);
      }
    } else {
      CategoricalProfile& p = categorical[static_cast<std::size_t>(j)] =
          detail::profile_valid_codes(column, profile_options);
      check_missing(column.name, p.count, p.missing, missing_rows, o, report);
      check_constant(column.name, p.count - p.missing, p.distinct, p.values, o, report);
      check_categorical(column.name, p, observed_labels(column), o, report);
      if (test_leakage) {
        const auto [bins, n_bins] = category_bins(column);
        check_leakage(column.name, target, bins, n_bins, o, excluded, report);
      }
      // Identifier-like columns are new in every batch by nature: no unseen-category finding.
      if (reference != nullptr && !is_high_cardinality(p, o)) {
        const std::ptrdiff_t r = reference->find(column.name);
        if (r >= 0 && !reference->column(static_cast<std::size_t>(r)).is_numeric()) {
          check_unseen(column, reference->column(static_cast<std::size_t>(r)), o, report);
        }
      }
    }
    const std::size_t finished = ++done;
    if (omp_get_thread_num() == 0) progress.report(finished, n_columns + 1);
  });
  for (std::size_t j = 0; j < n_columns; ++j) {
    result.profile.column_order.push_back(data.column(j).name);
    if (data.column(j).is_numeric()) {
      result.profile.numeric.push_back(std::move(numeric[j]));
    } else {
      result.profile.categorical.push_back(std::move(categorical[j]));
    }
    for (auto& f : reports[j].findings) result.findings.push_back(std::move(f));
    for (auto& m : reports[j].measures) result.measures.push_back(std::move(m));
  }
  // The table's checks, gathered as one more report and appended after the columns'.
  ColumnReport table_report;
  result.profile.exact = !sketch;
  if (sketch) {
    // The fingerprint is a sum over rows: one pass. Grouping equal rows is not.
    result.fingerprint = fingerprint_table(data, n_jobs);
    std::size_t outlier_columns = 0;
    for (std::size_t j = 0; j < n_columns; ++j) {
      outlier_columns += data.column(j).is_numeric() && static_cast<std::ptrdiff_t>(j) != target_index;
    }
    if (outlier_columns > 0) {
      table_report.findings.push_back(
          skipped("outliers_mad", "", "the median absolute deviation needs the ordered column"));
    }
    if (leakage_not_run > 0) {
      table_report.findings.push_back(skipped("target_leakage", "",
                                              "not for the " + std::to_string(leakage_not_run.load()) +
                                                  " numeric column(s): their quantile bins need the ordered column"));
    }
    table_report.findings.push_back(skipped("duplicate_rows", "", "finding equal rows needs every row's hash at once"));
    table_report.measures.push_back(measured("duplicate_rows", "", kUndefined, "not in the one-pass sketch mode"));
  } else {
    // The fingerprint's row hashes cover every column, so they also find the duplicate rows.
    const FingerprintedRows rows = fingerprint_rows(data, n_jobs);
    result.fingerprint = rows.fingerprint;
    if (data.n_rows() > 1 && n_columns > 0) {
      check_duplicates(data, rows.hashes, o, table_report);
    } else {
      table_report.measures.push_back(measured("duplicate_rows", "", 0.0, "fewer than two rows"));
    }
  }
  if (target.present) {
    check_target(target_name, target, o, table_report);
    if (sketch) {
      table_report.findings.push_back(
          skipped("conflicting_labels", target_name, "grouping equal feature rows needs every row's hash at once"));
      table_report.measures.push_back(
          measured("conflicting_labels", target_name, kUndefined, "not in the one-pass sketch mode"));
    } else if (data.n_rows() > 1) {
      check_conflicts(data, static_cast<std::size_t>(target_index), o, n_jobs, table_report);
    } else {
      table_report.measures.push_back(measured("conflicting_labels", target_name, 0.0, "fewer than two rows"));
    }
  }
  if (reference != nullptr && sketch) {
    table_report.findings.push_back(
        skipped("train_test_overlap", "", "matching rows with the reference needs every row's hash at once"));
    table_report.measures.push_back(measured("train_test_overlap", "", kUndefined, "not in the one-pass sketch mode"));
  } else if (reference != nullptr) {
    check_overlap(data, *reference, target_name, o, n_jobs, table_report);
  }
  for (auto& f : table_report.findings) result.findings.push_back(std::move(f));
  for (auto& m : table_report.measures) result.measures.push_back(std::move(m));
  for (const ColumnRule& rule : rules) apply_rule(data, result.profile, rule, o, result.findings);
  progress.report(n_columns + 1, n_columns + 1);
  return result;
}

// -- the mergeable state of the sketch-mode check (check_state.hpp) ----------------------

std::vector<std::int64_t> first_rows_outside(const ColumnView& column, double low, double high, std::int64_t limit) {
  if (!column.is_numeric()) throw InvalidType("column '" + column.name + "' is not numeric");
  return first_rows(column.size(), limit, [&](std::size_t i) {
    const double x = column.values[i];
    return std::isfinite(x) && (x < low || x > high);
  });
}

std::vector<std::vector<std::int64_t>> first_rows_outside(const TableView& table,
                                                          const std::vector<OutlierFence>& fences, std::int64_t limit) {
  std::vector<std::vector<std::int64_t>> rows;
  for (const OutlierFence& fence : fences) {
    const std::ptrdiff_t j = table.find(fence.column);
    if (j < 0) throw InvalidArgument("fences: no column '" + fence.column + "' in the table");
    rows.push_back(first_rows_outside(table.column(static_cast<std::size_t>(j)), fence.low, fence.high, limit));
  }
  return rows;
}

CheckState check_state(const TableView& data, const std::string& target_name, const std::vector<ColumnRule>& rules,
                       const CheckOptions& o, const ProfileOptions& profile_options, int n_jobs) {
  validate(o);
  validate(profile_options);
  CheckState state;
  state.rows = static_cast<std::int64_t>(data.n_rows());
  state.max_examples = o.max_examples;
  state.target_name = target_name;
  state.rules_key = rules_key(rules);
  state.profile_options = profile_options;
  state.profile_options.exact = false;
  for (const std::string& name : o.leakage_exclude) {
    if (data.find(name) < 0) throw InvalidArgument("leakage_exclude: no column '" + name + "' in the data");
  }
  // Labels keep at least their first row, which orders the labels outside an allowed set.
  const std::int64_t label_rows = std::max<std::int64_t>(o.max_examples, 1);
  Target target;
  if (!target_name.empty()) {
    const std::ptrdiff_t t = data.find(target_name);
    if (t < 0) throw InvalidArgument("target column '" + target_name + "' is not in the data");
    const ColumnView& column = data.column(static_cast<std::size_t>(t));
    target = encode_target(column);
    TargetState& ts = state.target;
    ts.present = true;
    ts.categorical = !column.is_numeric();
    ts.regression = !target.classification;
    if (target.classification) {
      ts.counts = target.class_counts;
      if (ts.categorical) {
        ts.labels = target.class_names;
      } else {
        ts.values.assign(target.class_counts.size(), 0.0);
        for (std::size_t i = 0; i < target.classes.size(); ++i) {
          if (target.classes[i] >= 0) ts.values[static_cast<std::size_t>(target.classes[i])] = column.values[i];
        }
      }
    }
  }
  const std::size_t n_columns = data.n_columns();
  std::vector<std::size_t> numeric_index, categorical_index;
  for (std::size_t j = 0; j < n_columns; ++j) {
    state.column_order.push_back(data.column(j).name);
    (data.column(j).is_numeric() ? numeric_index : categorical_index).push_back(j);
  }
  state.numeric.resize(numeric_index.size());
  state.categorical.resize(categorical_index.size());
  const std::size_t k = target.classification ? target.class_counts.size() : 0;
  parallel_for(static_cast<std::ptrdiff_t>(n_columns), resolve_threads(n_jobs), [&](std::ptrdiff_t t) {
    const auto u = static_cast<std::size_t>(t);
    if (u < numeric_index.size()) {
      const ColumnView& column = data.column(numeric_index[u]);
      NumericCheckColumn& c = state.numeric[u];
      c.sketch = sketch_numeric(column, state.profile_options);
      c.missing =
          tally_rows(column.size(), o.max_examples, [&](std::size_t i) { return std::isnan(column.values[i]); });
      c.infinite =
          tally_rows(column.size(), o.max_examples, [&](std::size_t i) { return std::isinf(column.values[i]); });
      return;
    }
    const ColumnView& column = data.column(categorical_index[u - numeric_index.size()]);
    CategoricalCheckColumn& c = state.categorical[u - numeric_index.size()];
    c.name = column.name;
    c.labels.resize(column.labels.size());
    for (std::size_t l = 0; l < column.labels.size(); ++l) c.labels[l].label = column.labels[l];
    for (std::size_t i = 0; i < column.size(); ++i) {
      const std::int32_t code = column.codes[i];
      RowTally& tally = code < 0 ? c.missing : c.labels[static_cast<std::size_t>(code)].tally;
      ++tally.count;
      const std::int64_t limit = code < 0 ? o.max_examples : label_rows;
      if (static_cast<std::int64_t>(tally.rows.size()) < limit) tally.rows.push_back(static_cast<std::int64_t>(i));
    }
    if (k > 0 && column.name != target_name) {
      c.class_counts.assign((column.labels.size() + 1) * k, 0);
      const std::size_t missing_bin = column.labels.size();
      for (std::size_t i = 0; i < column.size(); ++i) {
        if (target.classes[i] < 0) continue;
        const std::size_t bin = column.codes[i] < 0 ? missing_bin : static_cast<std::size_t>(column.codes[i]);
        ++c.class_counts[bin * k + static_cast<std::size_t>(target.classes[i])];
      }
    }
  });
  for (const ColumnRule& rule : rules) {
    RuleState& r = state.rules.emplace_back();
    const std::ptrdiff_t j = data.find(rule.column);
    if (j < 0) continue;
    const ColumnView& column = data.column(static_cast<std::size_t>(j));
    require_rule_kind(rule, column.name, column.is_numeric());
    if (column.is_numeric()) r = numeric_rule_state(column, rule, o.max_examples);
  }
  state.fingerprint = fingerprint_table(data, n_jobs);
  return state;
}

namespace {

// finish_check, with the outlier findings' rows from rows_outside(column, lo, hi).
template <class RowsOutside>
CheckResult finish(const CheckState& s, const CheckState* reference, const std::vector<ColumnRule>& rules,
                   const CheckOptions& o, const ProfileOptions& profile_options, RowsOutside rows_outside) {
  validate(o);
  validate(profile_options);
  validate(s);
  if (reference != nullptr) validate(*reference);
  if (rules.size() != s.rules.size() || rules_key(rules) != s.rules_key) {
    throw InvalidArgument("rules: not the rules the check state was counted under");
  }
  if (o.max_examples > s.max_examples) {
    throw InvalidArgument("max_examples: " + std::to_string(o.max_examples) + " is more than the " +
                          std::to_string(s.max_examples) + " example rows the check state kept");
  }
  for (const std::string& name : o.leakage_exclude) {
    if (std::find(s.column_order.begin(), s.column_order.end(), name) == s.column_order.end()) {
      throw InvalidArgument("leakage_exclude: no column '" + name + "' in the data");
    }
  }
  ProfileOptions po = s.profile_options;
  po.histogram_bins = profile_options.histogram_bins;
  detail::check_histogram_budget(po, s.numeric.size());
  auto examples = [&](std::vector<std::int64_t> rows) {
    if (static_cast<std::int64_t>(rows.size()) > o.max_examples) rows.resize(static_cast<std::size_t>(o.max_examples));
    return rows;
  };
  Target target;
  const TargetState& ts = s.target;
  if (ts.present) {
    target.present = true;
    target.classification = !ts.regression;
    target.class_counts = ts.counts;
    if (ts.categorical) {
      target.class_names = ts.labels;
    } else {
      for (double v : ts.values) target.class_names.push_back(format_number(v));
    }
    for (std::int64_t c : ts.counts) target.valid += c;
  }
  const double z = normal_quantile(o.leakage_confidence);
  CheckResult result;
  result.profile.exact = false;
  result.profile.column_order = s.column_order;
  std::size_t leakage_not_run = 0, leakage_regression = 0, outlier_columns = 0;
  std::size_t next_numeric = 0, next_categorical = 0;
  std::vector<std::int64_t> label_counts;
  for (const std::string& name : s.column_order) {
    ColumnReport report;
    const bool is_target = ts.present && name == s.target_name;
    const bool test_leakage = ts.present && !is_target;
    const bool excluded =
        std::find(o.leakage_exclude.begin(), o.leakage_exclude.end(), name) != o.leakage_exclude.end();
    const bool numeric = next_numeric < s.numeric.size() && s.numeric[next_numeric].sketch.name == name;
    if (numeric) {
      const NumericCheckColumn& c = s.numeric[next_numeric++];
      NumericProfile p = to_profile(c.sketch, po);
      check_missing(name, p.count, p.missing, [&] { return examples(c.missing.rows); }, o, report);
      check_constant(name, p.count - p.missing, p.distinct, p.values, o, report);
      check_infinities(name, p, [&] { return examples(c.infinite.rows); }, report);
      if (!is_target) {
        ++outlier_columns;
        const QuantileSummary& summary = p.summary;
        const std::string note = "; a one-pass estimate: the quartiles and the share are within " +
                                 percent(2.0 * summary.rank_error()) + " of the finite values in rank";
        check_outliers(
            name, p, kUndefined,
            [&](double lo, double hi) {
              return std::llround(summary.rank(std::nextafter(lo, -kInf)) + summary.total_weight() - summary.rank(hi));
            },
            [&](double lo, double hi) { return examples(rows_outside(name, lo, hi)); }, note, o, report);
      }
      if (test_leakage) {
        leakage_not_run += excluded ? 0 : 1;
        report.measures.push_back(measured("target_leakage", name, kUndefined,
                                           "not in the one-pass sketch mode: quantile bins need the ordered column"));
      }
      result.profile.numeric.push_back(std::move(p));
    } else {
      const CategoricalCheckColumn& c = s.categorical[next_categorical++];
      std::vector<std::string> labels, observed;
      label_counts.clear();
      for (const LabelTally& l : c.labels) {
        labels.push_back(l.label);
        label_counts.push_back(l.tally.count);
        if (l.tally.count > 0) observed.push_back(l.label);
      }
      const std::int64_t rows =
          c.missing.count + std::accumulate(label_counts.begin(), label_counts.end(), std::int64_t{0});
      CategoricalProfile p = detail::profile_of_counts(name, rows, c.missing.count, labels, label_counts, po);
      check_missing(name, p.count, p.missing, [&] { return examples(c.missing.rows); }, o, report);
      check_constant(name, p.count - p.missing, p.distinct, p.values, o, report);
      check_categorical(name, p, observed, o, report);
      if (test_leakage && target.classification) {
        const LeakageScore score =
            target.valid < 2 ? LeakageScore{}
                             : classification_score_of_table(target.class_counts, target.valid, c.class_counts,
                                                             labels.size() + 1, o.leakage_min_support, z);
        report_leakage(name, score, true, o, excluded, report);
      } else if (test_leakage) {
        leakage_regression += excluded ? 0 : 1;
        report.measures.push_back(measured("target_leakage", name, kUndefined,
                                           "not from merged partition states: the leave-one-out bounds against a "
                                           "regression target need the rows"));
      }
      if (reference != nullptr && !is_high_cardinality(p, o)) {
        auto it = std::find_if(reference->categorical.begin(), reference->categorical.end(),
                               [&](const CategoricalCheckColumn& r) { return r.name == name; });
        if (it != reference->categorical.end()) {
          std::unordered_set<std::string> known;
          for (const LabelTally& l : it->labels) {
            if (l.tally.count > 0) known.insert(l.label);
          }
          std::vector<char> unseen(labels.size());
          for (std::size_t l = 0; l < labels.size(); ++l) unseen[l] = !known.contains(labels[l]);
          report_unseen(
              name, labels, label_counts, unseen,
              [&](const std::vector<char>& flags) {
                std::vector<std::int64_t> found;
                for (std::size_t l = 0; l < labels.size(); ++l) {
                  if (flags[l]) found.insert(found.end(), c.labels[l].tally.rows.begin(), c.labels[l].tally.rows.end());
                }
                std::sort(found.begin(), found.end());
                return examples(std::move(found));
              },
              report);
        }
      }
      result.profile.categorical.push_back(std::move(p));
    }
    for (auto& f : report.findings) result.findings.push_back(std::move(f));
    for (auto& m : report.measures) result.measures.push_back(std::move(m));
  }
  ColumnReport table_report;
  result.fingerprint = s.fingerprint;
  if (outlier_columns > 0) {
    table_report.findings.push_back(
        skipped("outliers_mad", "", "the median absolute deviation needs the ordered column"));
  }
  if (leakage_not_run > 0) {
    table_report.findings.push_back(skipped("target_leakage", "",
                                            "not for the " + std::to_string(leakage_not_run) +
                                                " numeric column(s): their quantile bins need the ordered column"));
  }
  if (leakage_regression > 0) {
    table_report.findings.push_back(skipped(
        "target_leakage", "",
        "not for the " + std::to_string(leakage_regression) +
            " categorical column(s) from merged partition states: against a regression target the leave-one-out "
            "bounds need the rows"));
  }
  table_report.findings.push_back(skipped("duplicate_rows", "", "finding equal rows needs every row's hash at once"));
  table_report.measures.push_back(measured("duplicate_rows", "", kUndefined, "not in the one-pass sketch mode"));
  if (ts.present) {
    check_target(s.target_name, target, o, table_report);
    table_report.findings.push_back(
        skipped("conflicting_labels", s.target_name, "grouping equal feature rows needs every row's hash at once"));
    table_report.measures.push_back(
        measured("conflicting_labels", s.target_name, kUndefined, "not in the one-pass sketch mode"));
  }
  if (reference != nullptr) {
    table_report.findings.push_back(
        skipped("train_test_overlap", "", "matching rows with the reference needs every row's hash at once"));
    table_report.measures.push_back(measured("train_test_overlap", "", kUndefined, "not in the one-pass sketch mode"));
  }
  for (auto& f : table_report.findings) result.findings.push_back(std::move(f));
  for (auto& m : table_report.measures) result.measures.push_back(std::move(m));
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const ColumnRule& rule = rules[r];
    auto column = std::find(s.column_order.begin(), s.column_order.end(), rule.column);
    if (column == s.column_order.end()) {
      result.findings.push_back(
          {"rule_column", rule.column, Severity::error, 0.0, 1.0, "the column required by a rule is absent", {}});
      continue;
    }
    RuleEvidence e;
    auto numeric_profile = std::find_if(result.profile.numeric.begin(), result.profile.numeric.end(),
                                        [&](const NumericProfile& p) { return p.name == rule.column; });
    const bool is_numeric = numeric_profile != result.profile.numeric.end();
    require_rule_kind(rule, rule.column, is_numeric);
    if (is_numeric) {
      take_counts(*numeric_profile, e);
      const auto& c = *std::find_if(s.numeric.begin(), s.numeric.end(),
                                    [&](const NumericCheckColumn& x) { return x.sketch.name == rule.column; });
      e.missing_rows.rows = examples(c.missing.rows);
      e.numeric = s.rules[r];
      for (RowTally* t : {&e.numeric.below, &e.numeric.above, &e.numeric.outside}) t->rows = examples(t->rows);
    } else {
      take_counts(*std::find_if(result.profile.categorical.begin(), result.profile.categorical.end(),
                                [&](const CategoricalProfile& p) { return p.name == rule.column; }),
                  e);
      const auto& c = *std::find_if(s.categorical.begin(), s.categorical.end(),
                                    [&](const CategoricalCheckColumn& x) { return x.name == rule.column; });
      e.missing_rows.rows = examples(c.missing.rows);
      if (rule.allowed_labels.has_value()) {
        const std::unordered_set<std::string> allowed(rule.allowed_labels->begin(), rule.allowed_labels->end());
        std::vector<std::pair<std::int64_t, std::string>> bad;  // (first row, label)
        std::vector<std::int64_t> found;
        for (const LabelTally& l : c.labels) {
          if (l.tally.count == 0 || allowed.contains(l.label)) continue;
          e.outside_labels.count += l.tally.count;
          bad.emplace_back(l.tally.rows.front(), l.label);
          found.insert(found.end(), l.tally.rows.begin(), l.tally.rows.end());
        }
        std::sort(bad.begin(), bad.end());
        for (auto& b : bad) e.bad_labels.push_back(std::move(b.second));
        std::sort(found.begin(), found.end());
        e.outside_labels.rows = examples(std::move(found));
      }
    }
    report_rule(rule.column, rule, e, result.findings);
  }
  return result;
}

}  // namespace

std::vector<OutlierFence> outlier_fences(const CheckState& state, const CheckOptions& options,
                                         const ProfileOptions& profile_options) {
  std::vector<OutlierFence> fences;
  std::vector<ColumnRule> rules;
  // The rules do not move the fences; finish with placeholders of the counted rules' number.
  CheckState without_rules = state;
  without_rules.rules.clear();
  without_rules.rules_key = rules_key(rules);
  finish(without_rules, nullptr, rules, options, profile_options, [&](const std::string& column, double lo, double hi) {
    fences.push_back({column, lo, hi});
    return std::vector<std::int64_t>{};
  });
  return fences;
}

CheckResult finish_check(const CheckState& data, const CheckState* reference, const std::vector<ColumnRule>& rules,
                         const CheckOptions& options, const ProfileOptions& profile_options,
                         const std::vector<std::vector<std::int64_t>>& outlier_rows) {
  std::size_t next_fence = 0;
  CheckResult result =
      finish(data, reference, rules, options, profile_options, [&](const std::string&, double, double) {
        const std::size_t k = next_fence++;
        return k < outlier_rows.size() ? outlier_rows[k] : std::vector<std::int64_t>{};
      });
  if (!outlier_rows.empty() && outlier_rows.size() != next_fence) {
    throw InvalidArgument("outlier_rows: " + std::to_string(outlier_rows.size()) + " lists for " +
                          std::to_string(next_fence) + " outlier findings");
  }
  return result;
}

}  // namespace assay::quality
