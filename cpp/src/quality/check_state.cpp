// The check state's key of rules, merge, validation and bytes (check_state.hpp); building
// and finishing a state live in check.cpp, next to the checks they share.
#include "assay/quality/check_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "assay/common/bytes.hpp"
#include "assay/common/error.hpp"
#include "assay/common/hash.hpp"

namespace assay::quality {

namespace {

constexpr const char* kMagic = "ACS1";

[[noreturn]] void corrupted(const std::string& why) { throw CorruptedState("check state: " + why); }

std::int64_t label_row_limit(const CheckState& s) { return std::max<std::int64_t>(s.max_examples, 1); }

void validate_tally(const RowTally& t, std::int64_t rows, std::int64_t limit, const std::string& what) {
  if (t.count < 0 || t.count > rows) corrupted(what + ": count out of range");
  const auto kept = static_cast<std::int64_t>(t.rows.size());
  if (kept > t.count || kept > limit || (kept < limit && kept != t.count)) {
    corrupted(what + ": the first rows do not fit the count and the limit");
  }
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (t.rows[i] < 0 || t.rows[i] >= rows || (i > 0 && t.rows[i] <= t.rows[i - 1])) {
      corrupted(what + ": example rows must ascend within the rows");
    }
  }
}

// The first rows of a followed by b (b's rows shifted by a's row count), at most `limit`.
RowTally merge_tally(const RowTally& a, const RowTally& b, std::int64_t offset, std::int64_t limit) {
  RowTally m;
  m.count = a.count + b.count;
  m.rows = a.rows;
  for (std::int64_t row : b.rows) {
    if (static_cast<std::int64_t>(m.rows.size()) >= limit) break;
    m.rows.push_back(row + offset);
  }
  return m;
}

TableSketch numeric_sketches(const CheckState& s) {
  TableSketch t;
  for (const NumericCheckColumn& c : s.numeric) {
    t.numeric.push_back(c.sketch);
    t.column_order.push_back(c.sketch.name);
  }
  return t;
}

std::size_t classes_of(const TargetState& t) { return t.present && !t.regression ? t.counts.size() : 0; }

void require(bool same, const std::string& what) {
  if (!same) throw InvalidArgument("cannot merge check states: " + what + " differ");
}

// An array as ByteReader::array reads it after read_array's length: the length, then the
// array (which repeats it).
template <class T>
void write_array(ByteWriter& w, const std::vector<T>& v) {
  w.value<std::uint64_t>(v.size());
  w.array(v);
}

void write_string(ByteWriter& w, const std::string& s) { write_array(w, std::vector<char>(s.begin(), s.end())); }

std::string read_string(ByteReader& r, const char* field) {
  const std::vector<char> chars = r.array<char>(r.value<std::uint64_t>(field), field);
  return {chars.begin(), chars.end()};
}

template <class T>
std::vector<T> read_array(ByteReader& r, const char* field) {
  return r.array<T>(r.value<std::uint64_t>(field), field);
}

void write_tally(ByteWriter& w, const RowTally& t) {
  w.value(t.count);
  write_array(w, t.rows);
}

RowTally read_tally(ByteReader& r) {
  RowTally t;
  t.count = r.value<std::int64_t>("tally count");
  t.rows = read_array<std::int64_t>(r, "tally rows");
  return t;
}

}  // namespace

std::uint64_t rules_key(const std::vector<ColumnRule>& rules) {
  std::string text;
  auto number = [&](double x) {
    char bytes[sizeof(double)];
    std::memcpy(bytes, &x, sizeof(double));
    text.append(bytes, sizeof(double));
  };
  for (const ColumnRule& rule : rules) {
    text += rule.column;
    text.push_back('\0');
    text.push_back(rule.nullable.has_value() ? static_cast<char>('0' + *rule.nullable) : '-');
    text.push_back(rule.unique.has_value() ? static_cast<char>('0' + *rule.unique) : '-');
    for (const std::optional<double>& x : {rule.min, rule.max, rule.max_missing}) {
      text.push_back(x.has_value() ? '+' : '-');
      if (x.has_value()) number(*x);
    }
    const std::vector<double> values = rule.allowed_values.value_or(std::vector<double>{});
    const std::vector<std::string> labels = rule.allowed_labels.value_or(std::vector<std::string>{});
    text.push_back(rule.allowed_values.has_value() ? '+' : '-');
    number(static_cast<double>(values.size()));
    for (double x : values) number(x);
    text.push_back(rule.allowed_labels.has_value() ? '+' : '-');
    number(static_cast<double>(labels.size()));
    for (const std::string& label : labels) {
      text += label;
      text.push_back('\0');
    }
  }
  return hash_string(text);
}

void validate(const CheckState& s) {
  if (s.rows < 0) corrupted("rows must be non-negative");
  if (s.max_examples < 0) corrupted("max_examples must be non-negative");
  try {
    validate(s.profile_options);
    validate(numeric_sketches(s));
  } catch (const InvalidArgument& error) {
    corrupted(error.what());
  }
  std::unordered_set<std::string> names;
  std::size_t numeric = 0, categorical = 0;
  for (const std::string& name : s.column_order) {
    if (!names.insert(name).second) corrupted("column '" + name + "' is listed twice");
    if (numeric < s.numeric.size() && s.numeric[numeric].sketch.name == name) {
      ++numeric;
    } else if (categorical < s.categorical.size() && s.categorical[categorical].name == name) {
      ++categorical;
    } else {
      corrupted("column '" + name + "' has no state in table order");
    }
  }
  if (numeric != s.numeric.size() || categorical != s.categorical.size()) {
    corrupted("more column states than columns");
  }
  const TargetState& t = s.target;
  if (t.present != !s.target_name.empty()) corrupted("the target's name and state disagree");
  if (t.present) {
    auto it = std::find_if(s.categorical.begin(), s.categorical.end(),
                           [&](const CategoricalCheckColumn& c) { return c.name == s.target_name; });
    if (!names.contains(s.target_name) || t.categorical != (it != s.categorical.end())) {
      corrupted("the target '" + s.target_name + "' is not a column of its kind");
    }
    const std::size_t k = t.categorical ? t.labels.size() : t.values.size();
    if (t.counts.size() != k || (t.categorical ? !t.values.empty() : !t.labels.empty()) || (t.regression && k != 0) ||
        (!t.categorical && k > kMaxIntegerClasses)) {
      corrupted("the target's classes do not fit their counts");
    }
    std::int64_t total = 0;
    for (std::int64_t c : t.counts) {
      if (c <= 0 || c > s.rows - total) corrupted("target class counts out of range");
      total += c;
    }
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      const double v = t.values[i];
      if (!std::isfinite(v) || v != std::floor(v) || (i > 0 && !(t.values[i - 1] < v))) {
        corrupted("a numeric target's classes must be ascending integers");
      }
    }
    std::unordered_set<std::string> labels(t.labels.begin(), t.labels.end());
    if (labels.size() != t.labels.size()) corrupted("the target's labels repeat");
  } else if (t.categorical || t.regression || !t.labels.empty() || !t.values.empty() || !t.counts.empty()) {
    corrupted("a target state without a target");
  }
  for (const NumericCheckColumn& c : s.numeric) {
    const std::string& name = c.sketch.name;
    if (c.sketch.count != s.rows) corrupted("column '" + name + "': the sketch's rows differ from the table's");
    validate_tally(c.missing, s.rows, s.max_examples, "column '" + name + "' missing");
    validate_tally(c.infinite, s.rows, s.max_examples, "column '" + name + "' infinite");
    if (c.missing.count != c.sketch.missing || c.infinite.count != c.sketch.infinities) {
      corrupted("column '" + name + "': the counts differ from the sketch's");
    }
  }
  const std::size_t k = classes_of(t);
  for (const CategoricalCheckColumn& c : s.categorical) {
    const std::string what = "column '" + c.name + "'";
    validate_tally(c.missing, s.rows, s.max_examples, what + " missing");
    std::int64_t total = c.missing.count;
    std::unordered_set<std::string> labels;
    for (const LabelTally& l : c.labels) {
      if (!labels.insert(l.label).second) corrupted(what + ": label '" + l.label + "' is listed twice");
      validate_tally(l.tally, s.rows, label_row_limit(s), what + " label");
      if (l.tally.count > s.rows - total) corrupted(what + ": label counts exceed the rows");
      total += l.tally.count;
    }
    if (total != s.rows) corrupted(what + ": label and missing counts do not add up to the rows");
    const std::size_t expected = k > 0 && c.name != s.target_name ? (c.labels.size() + 1) * k : 0;
    if (c.class_counts.size() != expected) corrupted(what + ": the leakage counts do not fit labels x classes");
    std::vector<std::int64_t> per_class(k, 0);
    for (std::size_t cell = 0; cell < c.class_counts.size(); ++cell) {
      const std::int64_t n = c.class_counts[cell];
      if (n < 0 || n > t.counts[cell % k] - per_class[cell % k]) corrupted(what + ": leakage counts out of range");
      per_class[cell % k] += n;
    }
    if (expected > 0 && per_class != t.counts) corrupted(what + ": leakage counts differ from the target's");
  }
  for (const RuleState& r : s.rules) {
    for (const RowTally* tally : {&r.below, &r.above, &r.outside}) {
      validate_tally(*tally, s.rows, s.max_examples, "rule");
    }
  }
  if (s.fingerprint.rows != s.rows || s.fingerprint.columns != static_cast<std::int64_t>(s.column_order.size())) {
    corrupted("the fingerprint's rows or columns differ from the table's");
  }
}

CheckState merge(const CheckState& a, const CheckState& b) {
  validate(a);
  validate(b);
  require(a.column_order == b.column_order, "the columns");
  require(a.numeric.size() == b.numeric.size(), "the columns' kinds");
  require(a.target_name == b.target_name, "the targets");
  require(a.target.categorical == b.target.categorical, "the target's kinds");
  require(a.rules_key == b.rules_key && a.rules.size() == b.rules.size(), "the rules");
  require(a.max_examples == b.max_examples, "max_examples");
  const ProfileOptions &pa = a.profile_options, &pb = b.profile_options;
  require(pa.tracked_values == pb.tracked_values && pa.summary_capacity == pb.summary_capacity &&
              pa.hll_precision == pb.hll_precision,
          "the sketch sizes");
  if (a.rows > std::numeric_limits<std::int64_t>::max() - b.rows) {
    throw InvalidArgument("cannot merge check states: the row count overflows");
  }
  CheckState m;
  m.rows = a.rows + b.rows;
  m.max_examples = a.max_examples;
  m.target_name = a.target_name;
  m.rules_key = a.rules_key;
  m.column_order = a.column_order;
  m.profile_options = a.profile_options;
  const std::int64_t limit = a.max_examples, offset = a.rows;
  for (std::size_t j = 0; j < a.numeric.size(); ++j) {
    const NumericCheckColumn &ca = a.numeric[j], &cb = b.numeric[j];
    NumericCheckColumn& c = m.numeric.emplace_back();
    c.sketch = merge(ca.sketch, cb.sketch);
    c.missing = merge_tally(ca.missing, cb.missing, offset, limit);
    c.infinite = merge_tally(ca.infinite, cb.infinite, offset, limit);
  }
  // The target's classes: a's, then b's new ones (categorical: order of first appearance);
  // a numeric target's values ascending. class_a[i] / class_b[i]: merged index of a side's class i.
  TargetState& t = m.target;
  t.present = a.target.present;
  t.categorical = a.target.categorical;
  t.regression = a.target.regression || b.target.regression;
  std::vector<std::size_t> class_a, class_b;
  if (t.present && !t.regression && t.categorical) {
    std::unordered_map<std::string, std::size_t> index;
    for (const TargetState* side : {&a.target, &b.target}) {
      std::vector<std::size_t>& map = side == &a.target ? class_a : class_b;
      for (std::size_t i = 0; i < side->labels.size(); ++i) {
        auto [it, added] = index.emplace(side->labels[i], t.labels.size());
        if (added) {
          t.labels.push_back(side->labels[i]);
          t.counts.push_back(0);
        }
        t.counts[it->second] += side->counts[i];
        map.push_back(it->second);
      }
    }
  } else if (t.present && !t.regression) {
    std::vector<double> values = a.target.values;
    values.insert(values.end(), b.target.values.begin(), b.target.values.end());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (values.size() > kMaxIntegerClasses) {
      t.regression = true;
    } else {
      t.values = values;
      t.counts.assign(values.size(), 0);
      for (const TargetState* side : {&a.target, &b.target}) {
        std::vector<std::size_t>& map = side == &a.target ? class_a : class_b;
        for (std::size_t i = 0; i < side->values.size(); ++i) {
          const auto at = static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), side->values[i]) -
                                                   values.begin());
          t.counts[at] += side->counts[i];
          map.push_back(at);
        }
      }
    }
  }
  const std::size_t k = classes_of(t);
  const std::int64_t label_limit = label_row_limit(a);
  for (std::size_t j = 0; j < a.categorical.size(); ++j) {
    const CategoricalCheckColumn &ca = a.categorical[j], &cb = b.categorical[j];
    CategoricalCheckColumn& c = m.categorical.emplace_back();
    c.name = ca.name;
    c.missing = merge_tally(ca.missing, cb.missing, offset, limit);
    c.labels = ca.labels;
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t l = 0; l < ca.labels.size(); ++l) index.emplace(ca.labels[l].label, l);
    std::vector<std::size_t> label_b(cb.labels.size());
    for (std::size_t l = 0; l < cb.labels.size(); ++l) {
      auto [it, added] = index.emplace(cb.labels[l].label, c.labels.size());
      if (added) c.labels.push_back({cb.labels[l].label, {}});
      LabelTally& target = c.labels[it->second];
      target.tally = merge_tally(target.tally, cb.labels[l].tally, offset, label_limit);
      label_b[l] = it->second;
    }
    if (k == 0 || c.name == m.target_name) continue;
    const std::size_t n_bins = c.labels.size() + 1;
    c.class_counts.assign(n_bins * k, 0);
    auto add = [&](const CategoricalCheckColumn& side, const std::vector<std::size_t>& classes, auto&& bin_of) {
      const std::size_t ks = classes.size();
      for (std::size_t cell = 0; cell < side.class_counts.size(); ++cell) {
        c.class_counts[bin_of(cell / ks) * k + classes[cell % ks]] += side.class_counts[cell];
      }
    };
    add(ca, class_a, [&](std::size_t bin) { return bin == ca.labels.size() ? n_bins - 1 : bin; });
    add(cb, class_b, [&](std::size_t bin) { return bin == cb.labels.size() ? n_bins - 1 : label_b[bin]; });
  }
  for (std::size_t r = 0; r < a.rules.size(); ++r) {
    RuleState& rule = m.rules.emplace_back();
    rule.below = merge_tally(a.rules[r].below, b.rules[r].below, offset, limit);
    rule.above = merge_tally(a.rules[r].above, b.rules[r].above, offset, limit);
    rule.outside = merge_tally(a.rules[r].outside, b.rules[r].outside, offset, limit);
  }
  m.fingerprint = merge(a.fingerprint, b.fingerprint);
  return m;
}

std::string to_bytes(const CheckState& s) {
  ByteWriter w(kMagic);
  w.value(s.rows);
  w.value(s.max_examples);
  write_string(w, s.target_name);
  w.value(s.rules_key);
  w.value<std::int32_t>(s.profile_options.histogram_bins);
  w.value<std::uint64_t>(s.profile_options.tracked_values);
  w.value<std::uint64_t>(s.profile_options.summary_capacity);
  w.value<std::int32_t>(s.profile_options.hll_precision);
  w.value<std::uint64_t>(s.column_order.size());
  for (const std::string& name : s.column_order) write_string(w, name);
  write_string(w, to_bytes(numeric_sketches(s)));
  for (const NumericCheckColumn& c : s.numeric) {
    write_tally(w, c.missing);
    write_tally(w, c.infinite);
  }
  w.value<std::uint64_t>(s.categorical.size());
  for (const CategoricalCheckColumn& c : s.categorical) {
    write_string(w, c.name);
    write_tally(w, c.missing);
    w.value<std::uint64_t>(c.labels.size());
    for (const LabelTally& l : c.labels) {
      write_string(w, l.label);
      write_tally(w, l.tally);
    }
    write_array(w, c.class_counts);
  }
  const TargetState& t = s.target;
  for (bool flag : {t.present, t.categorical, t.regression}) w.value<std::uint8_t>(flag ? 1 : 0);
  w.value<std::uint64_t>(t.labels.size());
  for (const std::string& label : t.labels) write_string(w, label);
  write_array(w, t.values);
  write_array(w, t.counts);
  w.value<std::uint64_t>(s.rules.size());
  for (const RuleState& r : s.rules) {
    write_tally(w, r.below);
    write_tally(w, r.above);
    write_tally(w, r.outside);
  }
  w.value(s.fingerprint.sum);
  w.value(s.fingerprint.exclusive_or);
  w.value(s.fingerprint.rows);
  w.value(s.fingerprint.columns);
  return w.take();
}

CheckState check_state_from_bytes(const std::string& bytes) {
  ByteReader r(bytes, kMagic, "check state");
  CheckState s;
  s.rows = r.value<std::int64_t>("rows");
  s.max_examples = r.value<std::int64_t>("max_examples");
  s.target_name = read_string(r, "target");
  s.rules_key = r.value<std::uint64_t>("rules key");
  s.profile_options.histogram_bins = r.value<std::int32_t>("histogram_bins");
  s.profile_options.tracked_values = r.value<std::uint64_t>("tracked_values");
  s.profile_options.summary_capacity = r.value<std::uint64_t>("summary_capacity");
  s.profile_options.hll_precision = r.value<std::int32_t>("hll_precision");
  s.profile_options.exact = false;
  const auto n_columns = r.value<std::uint64_t>("columns");
  for (std::uint64_t j = 0; j < n_columns; ++j) s.column_order.push_back(read_string(r, "column name"));
  const TableSketch sketches = table_sketch_from_bytes(read_string(r, "numeric sketches"));
  for (const NumericSketch& sketch : sketches.numeric) {
    NumericCheckColumn& c = s.numeric.emplace_back();
    c.sketch = sketch;
    c.missing = read_tally(r);
    c.infinite = read_tally(r);
  }
  const auto n_categorical = r.value<std::uint64_t>("categorical columns");
  for (std::uint64_t j = 0; j < n_categorical; ++j) {
    CategoricalCheckColumn& c = s.categorical.emplace_back();
    c.name = read_string(r, "column name");
    c.missing = read_tally(r);
    const auto n_labels = r.value<std::uint64_t>("labels");
    for (std::uint64_t l = 0; l < n_labels; ++l) {
      LabelTally& label = c.labels.emplace_back();
      label.label = read_string(r, "label");
      label.tally = read_tally(r);
    }
    c.class_counts = read_array<std::int64_t>(r, "leakage counts");
  }
  TargetState& t = s.target;
  for (bool* flag : {&t.present, &t.categorical, &t.regression}) {
    const auto byte = r.value<std::uint8_t>("target flags");
    if (byte > 1) r.fail("a target flag is neither 0 nor 1");
    *flag = byte == 1;
  }
  const auto n_labels = r.value<std::uint64_t>("target labels");
  for (std::uint64_t l = 0; l < n_labels; ++l) t.labels.push_back(read_string(r, "target label"));
  t.values = read_array<double>(r, "target values");
  t.counts = read_array<std::int64_t>(r, "target counts");
  const auto n_rules = r.value<std::uint64_t>("rules");
  for (std::uint64_t k = 0; k < n_rules; ++k) {
    RuleState& rule = s.rules.emplace_back();
    rule.below = read_tally(r);
    rule.above = read_tally(r);
    rule.outside = read_tally(r);
  }
  s.fingerprint.sum = r.value<std::uint64_t>("fingerprint");
  s.fingerprint.exclusive_or = r.value<std::uint64_t>("fingerprint");
  s.fingerprint.rows = r.value<std::int64_t>("fingerprint");
  s.fingerprint.columns = r.value<std::int64_t>("fingerprint");
  r.finish();
  validate(s);
  return s;
}

}  // namespace assay::quality
