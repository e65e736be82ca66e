#include "assay/quality/sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "assay/common/bytes.hpp"
#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/sort.hpp"
#include "profile_detail.hpp"

namespace assay::quality {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The stream inside a column keeps four times the state's points, so that the merges of
// its blocks cost a quarter of what one more compaction to the state's capacity costs.
std::size_t stream_capacity(const ProfileOptions& options) {
  return std::min(4 * options.summary_capacity, kMaxSummaryCapacity);
}

std::size_t frequent_capacity(const ProfileOptions& options) {
  return std::max<std::size_t>(options.tracked_values, 1);
}

// The runs of equal values of an ascending block.
void runs_of(std::span<const double> sorted, std::vector<double>& values, std::vector<std::int64_t>& counts) {
  values.clear();
  counts.clear();
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    values.push_back(sorted[i]);
    counts.push_back(static_cast<std::int64_t>(j - i));
    i = j;
  }
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, const std::string& name) {
  if (a > std::numeric_limits<std::int64_t>::max() - b) {
    throw InvalidArgument("cannot merge sketches of column '" + name + "': the row count overflows");
  }
  return a + b;
}

// The value table of Misra-Gries counters: the tracked_values largest counts (ties by value).
template <class Value>
ValueTable<Value> value_table(const FrequentValues<Value>& counters, std::size_t limit) {
  std::vector<std::size_t> order(counters.values().size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return counters.counts()[a] > counters.counts()[b]; });
  ValueTable<Value> table;
  table.count_error = counters.count_error();
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k < limit) {
      table.entries.push_back({counters.values()[order[k]], counters.counts()[order[k]]});
    } else {  // left out: its count bounds the unlisted values' too
      table.count_error += counters.counts()[order[k]];
      break;
    }
  }
  table.complete = table.count_error == 0;
  return table;
}

// Distinct values: exact while the counters hold every value, else the sketch's estimate
// within what the counts allow.
template <class Profile, class Value>
void set_distinct(Profile& p, const FrequentValues<Value>& counters, const HyperLogLog& sketch) {
  const auto listed = static_cast<std::int64_t>(counters.values().size());
  p.distinct_exact = counters.count_error() == 0;
  p.distinct = p.distinct_exact ? listed
                                : std::clamp<std::int64_t>(std::llround(sketch.estimate()),
                                                           std::max<std::int64_t>(listed, 1), p.count - p.missing);
}

[[noreturn]] void corrupted(const std::string& column, const std::string& problem) {
  throw CorruptedState("sketch state of column '" + column + "': " + problem);
}

void validate_counts(const std::string& name, std::int64_t count, std::int64_t missing) {
  if (count < 0 || missing < 0 || missing > count) corrupted(name, "counts must satisfy 0 <= missing <= count");
}

template <class Value>
void validate_counters(const std::string& name, const FrequentValues<Value>& f, std::int64_t present) {
  std::int64_t total = 0;
  for (std::int64_t c : f.counts()) {
    if (c <= 0 || c > present - total)
      corrupted(name, "value counters must be positive and add up to at most the rows");
    total += c;
  }
  if (f.count_error() < 0 || f.count_error() > present) corrupted(name, "count_error must be in [0, rows]");
  if (f.count_error() == 0 && total != present) corrupted(name, "exact value counters must add up to the rows");
}

void validate(const NumericSketch& s) {
  validate_counts(s.name, s.count, s.missing);
  const std::int64_t present = s.count - s.missing;
  if (s.infinities < 0 || s.infinities > present || s.zeros < 0 || s.negatives < 0 || s.zeros > present - s.negatives) {
    corrupted(s.name, "infinities, zeros and negatives must be within the non-missing rows");
  }
  const Moments& m = s.moments;
  if (m.n != present - s.infinities) corrupted(s.name, "the moments must count the finite values");
  int exponent = 0;
  if (!(m.scale > 0.0) || !std::isfinite(m.scale) || std::frexp(m.scale, &exponent) != 0.5) {
    corrupted(s.name, "scale must be a positive power of two");
  }
  if (m.n > 0 && (!std::isfinite(m.min) || !std::isfinite(m.max) || !std::isfinite(m.mean) || m.min > m.max ||
                  m.mean < m.min || m.mean > m.max || !(m.m2 >= 0.0) || !std::isfinite(m.m2) || !std::isfinite(m.sum) ||
                  !std::isfinite(m.sum_low))) {
    corrupted(s.name, "min <= mean <= max, m2 >= 0 and the sums must be finite");
  }
  if (s.summary.total_weight() != static_cast<double>(m.n)) {
    corrupted(s.name, "the quantile summary's weights must add up to the finite values");
  }
  for (double x : s.summary.values()) {
    if (!(x >= m.min && x <= m.max)) corrupted(s.name, "the quantile summary must lie in [min, max]");
  }
  for (double x : s.values.values()) {
    if (std::isnan(x)) corrupted(s.name, "the value counters hold a NaN");
  }
  validate_counters(s.name, s.values, present);
}

void validate(const CategoricalSketch& s) {
  validate_counts(s.name, s.count, s.missing);
  validate_counters(s.name, s.values, s.count - s.missing);
}

// -- bytes ------------------------------------------------------------------------------

constexpr const char* kMagic = "ATS1";

void write_string(ByteWriter& w, const std::string& s) {
  w.value<std::uint64_t>(s.size());
  w.array(std::vector<char>(s.begin(), s.end()));
}

std::string read_string(ByteReader& r, const char* field) {
  const auto size = r.value<std::uint64_t>(field);
  const std::vector<char> chars = r.array<char>(size, field);
  return {chars.begin(), chars.end()};
}

template <class T>
std::vector<T> read_array(ByteReader& r, const char* field) {
  return r.array<T>(r.value<std::uint64_t>(field), field);
}

template <class T>
void write_array(ByteWriter& w, const std::vector<T>& v) {
  w.value<std::uint64_t>(v.size());
  w.array(v);
}

void write_hll(ByteWriter& w, const HyperLogLog& h) { write_array(w, h.registers()); }

HyperLogLog read_hll(ByteReader& r) { return HyperLogLog::from_registers(read_array<std::uint8_t>(r, "registers")); }

template <class Value>
void write_counters(ByteWriter& w, const FrequentValues<Value>& f) {
  w.value<std::uint64_t>(f.capacity());
  w.value<std::int64_t>(f.count_error());
  if constexpr (std::is_same_v<Value, std::string>) {
    w.value<std::uint64_t>(f.values().size());
    for (const std::string& label : f.values()) write_string(w, label);
  } else {
    write_array(w, f.values());
  }
  write_array(w, f.counts());
}

template <class Value>
FrequentValues<Value> read_counters(ByteReader& r) {
  const auto capacity = r.value<std::uint64_t>("counter capacity");
  const auto count_error = r.value<std::int64_t>("count_error");
  std::vector<Value> values;
  if constexpr (std::is_same_v<Value, std::string>) {
    const auto n = r.value<std::uint64_t>("counter labels");
    for (std::uint64_t k = 0; k < n; ++k) values.push_back(read_string(r, "counter label"));
  } else {
    values = read_array<double>(r, "counter values");
  }
  std::vector<std::int64_t> counts = r.array<std::int64_t>(r.value<std::uint64_t>("counts"), "counts");
  if (counts.size() != values.size()) r.fail("the value counters' values and counts differ in length");
  return FrequentValues<Value>::from_counters(std::move(values), std::move(counts), count_error, capacity);
}

}  // namespace

NumericSketch sketch_numeric(const ColumnView& column, const ProfileOptions& options) {
  validate(options);
  if (!column.is_numeric()) throw InvalidType("column '" + column.name + "' is not numeric");
  NumericSketch s;
  s.name = column.name;
  s.count = static_cast<std::int64_t>(column.values.size());
  s.distinct = HyperLogLog(options.hll_precision);
  s.values = FrequentValues<double>(frequent_capacity(options));
  QuantileStream stream(stream_capacity(options));
  std::vector<double> block(std::min(kSketchBlock, column.values.size()));
  std::vector<double> run_values;
  std::vector<std::int64_t> run_counts;
  const std::size_t n = column.values.size();
  for (std::size_t start = 0; start < n; start += kSketchBlock) {
    const std::size_t end = std::min(n, start + kSketchBlock);
    std::size_t m = 0;
    for (std::size_t i = start; i < end; ++i) {
      const double x = column.values[i];
      block[m] = x + 0.0;  // -0.0 becomes 0.0, so that equal values are bitwise equal
      m += std::isnan(x) ? 0 : 1;
    }
    s.missing += static_cast<std::int64_t>(end - start - m);
    // Ordering a block in cache, not the column: the one pass stays one pass.
    const std::span<double> sorted(block.data(), m);
    sort_values(sorted);
    const auto below = [&](double x) {
      return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
    };
    const auto at_most = [&](double x) {
      return static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
    };
    const std::size_t finite_begin = at_most(-kInf), finite_end = below(kInf);
    const std::size_t below_zero = below(0.0), at_most_zero = at_most(0.0);
    s.infinities += static_cast<std::int64_t>(m - (finite_end - finite_begin));
    s.negatives += static_cast<std::int64_t>(below_zero);
    s.zeros += static_cast<std::int64_t>(at_most_zero - below_zero);
    const std::span<const double> finite(sorted.data() + finite_begin, finite_end - finite_begin);
    s.moments = detail::merge_moments(s.moments, detail::sorted_moments(finite.data(), finite.size()));
    stream.add_sorted(finite);
    runs_of(sorted, run_values, run_counts);
    s.distinct.add_doubles(run_values);
    s.values.add(run_values, run_counts);
  }
  s.summary = stream.summary(options.summary_capacity);
  return s;
}

CategoricalSketch sketch_categorical(const ColumnView& column, const ProfileOptions& options) {
  validate(options);
  if (column.is_numeric()) throw InvalidType("column '" + column.name + "' is not categorical");
  validate_codes(column);
  CategoricalSketch s;
  s.name = column.name;
  s.count = static_cast<std::int64_t>(column.codes.size());
  s.distinct = HyperLogLog(options.hll_precision);
  std::vector<std::int64_t> counts(column.labels.size(), 0);
  for (std::int32_t code : column.codes) {
    if (code < 0) {
      ++s.missing;
    } else {
      ++counts[static_cast<std::size_t>(code)];
    }
  }
  // The observed labels ascending, equal labels pooled.
  std::vector<std::size_t> order(counts.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return column.labels[a] < column.labels[b]; });
  std::vector<std::string> labels;
  std::vector<std::int64_t> label_counts;
  for (std::size_t k : order) {
    if (counts[k] == 0) continue;
    if (!labels.empty() && labels.back() == column.labels[k]) {
      label_counts.back() += counts[k];
    } else {
      labels.push_back(column.labels[k]);
      label_counts.push_back(counts[k]);
      s.distinct.add_hash(hash_string(labels.back()));
    }
  }
  s.values = FrequentValues<std::string>(frequent_capacity(options));
  s.values.add(labels, label_counts);
  return s;
}

TableSketch sketch_table(const TableView& table, const ProfileOptions& options, int n_jobs) {
  validate(options);
  TableSketch result;
  std::vector<std::size_t> numeric, categorical;
  for (std::size_t j = 0; j < table.n_columns(); ++j) {
    result.column_order.push_back(table.column(j).name);
    (table.column(j).is_numeric() ? numeric : categorical).push_back(j);
  }
  result.numeric.resize(numeric.size());
  result.categorical.resize(categorical.size());
  parallel_for(static_cast<std::ptrdiff_t>(numeric.size() + categorical.size()), resolve_threads(n_jobs),
               [&](std::ptrdiff_t t) {
                 const auto k = static_cast<std::size_t>(t);
                 if (k < numeric.size()) {
                   result.numeric[k] = sketch_numeric(table.column(numeric[k]), options);
                 } else {
                   const std::size_t c = k - numeric.size();
                   result.categorical[c] = sketch_categorical(table.column(categorical[c]), options);
                 }
               });
  return result;
}

namespace {

template <class Sketch>
void merge_shared(const Sketch& a, const Sketch& b, Sketch& m) {
  validate(a);
  validate(b);
  if (a.name != b.name) {
    throw InvalidArgument("cannot merge sketches of different columns '" + a.name + "' and '" + b.name + "'");
  }
  if (a.distinct.precision() != b.distinct.precision()) {
    throw InvalidArgument("cannot merge sketches of column '" + a.name + "': distinct-count sketches of precision " +
                          std::to_string(a.distinct.precision()) + " and " + std::to_string(b.distinct.precision()));
  }
  m.name = a.name;
  m.count = checked_add(a.count, b.count, a.name);
  m.missing = a.missing + b.missing;
  m.distinct = a.distinct;
  m.distinct.merge(b.distinct);
  m.values = a.values;
  m.values.merge(b.values);
}

}  // namespace

NumericSketch merge(const NumericSketch& a, const NumericSketch& b) {
  NumericSketch m;
  merge_shared(a, b, m);
  m.infinities = a.infinities + b.infinities;
  m.zeros = a.zeros + b.zeros;
  m.negatives = a.negatives + b.negatives;
  m.moments = detail::merge_moments(a.moments, b.moments);
  if (a.moments.n == 0 || b.moments.n == 0) {
    m.summary = a.moments.n == 0 ? b.summary : a.summary;
  } else {
    m.summary = a.summary.merged(b.summary);
  }
  return m;
}

CategoricalSketch merge(const CategoricalSketch& a, const CategoricalSketch& b) {
  CategoricalSketch m;
  merge_shared(a, b, m);
  return m;
}

namespace {

template <class Sketch>
const Sketch& same_column(const std::vector<Sketch>& sketches, const std::string& name, const char* kind) {
  auto it = std::find_if(sketches.begin(), sketches.end(), [&](const Sketch& s) { return s.name == name; });
  if (it == sketches.end()) {
    throw InvalidArgument("cannot merge sketches: column '" + name + "' is " + kind + " in one sketch only");
  }
  return *it;
}

}  // namespace

TableSketch merge(const TableSketch& a, const TableSketch& b) {
  validate(a);
  validate(b);
  std::vector<std::string> na = a.column_order, nb = b.column_order;
  std::sort(na.begin(), na.end());
  std::sort(nb.begin(), nb.end());
  if (na != nb) throw InvalidArgument("cannot merge sketches of different columns");
  TableSketch m;
  m.column_order = a.column_order;
  for (const NumericSketch& s : a.numeric) m.numeric.push_back(merge(s, same_column(b.numeric, s.name, "numeric")));
  for (const CategoricalSketch& s : a.categorical) {
    m.categorical.push_back(merge(s, same_column(b.categorical, s.name, "categorical")));
  }
  return m;
}

NumericProfile to_profile(const NumericSketch& s, const ProfileOptions& options) {
  validate(options);
  NumericProfile p;
  p.name = s.name;
  p.count = s.count;
  p.missing = s.missing;
  p.infinities = s.infinities;
  p.zeros = s.zeros;
  p.negatives = s.negatives;
  detail::set_moments(p, s.moments);
  if (s.moments.n == 0) p.m2 = 0.0;
  p.summary = s.summary;
  p.quantiles_exact = p.histogram_exact = s.summary.rank_error() == 0.0;
  for (double q : kProfileQuantiles) p.quantiles.push_back(s.summary.quantile(q));
  detail::fill_histogram_from_summary(p, options.histogram_bins);
  p.distinct_sketch = s.distinct;
  p.values = value_table(s.values, options.tracked_values);
  set_distinct(p, s.values, s.distinct);
  return p;
}

CategoricalProfile to_profile(const CategoricalSketch& s, const ProfileOptions& options) {
  validate(options);
  CategoricalProfile p;
  p.name = s.name;
  p.count = s.count;
  p.missing = s.missing;
  p.distinct_sketch = s.distinct;
  p.values = value_table(s.values, options.tracked_values);
  set_distinct(p, s.values, s.distinct);
  return p;
}

TableProfile to_profile(const TableSketch& sketch, const ProfileOptions& options) {
  validate(options);
  detail::check_histogram_budget(options, sketch.numeric.size());
  TableProfile p;
  p.exact = false;
  p.column_order = sketch.column_order;
  for (const NumericSketch& s : sketch.numeric) p.numeric.push_back(to_profile(s, options));
  for (const CategoricalSketch& s : sketch.categorical) p.categorical.push_back(to_profile(s, options));
  return p;
}

void validate(const TableSketch& sketch) {
  std::vector<std::string> names;
  for (const NumericSketch& s : sketch.numeric) {
    validate(s);
    names.push_back(s.name);
  }
  for (const CategoricalSketch& s : sketch.categorical) {
    validate(s);
    names.push_back(s.name);
  }
  std::vector<std::string> order = sketch.column_order;
  std::sort(names.begin(), names.end());
  std::sort(order.begin(), order.end());
  if (names != order || std::adjacent_find(names.begin(), names.end()) != names.end()) {
    throw CorruptedState("sketch state: column_order must list each sketched column once");
  }
}

std::string to_bytes(const TableSketch& sketch) {
  ByteWriter w(kMagic);
  w.value<std::uint64_t>(sketch.numeric.size());
  for (const NumericSketch& s : sketch.numeric) {
    write_string(w, s.name);
    for (std::int64_t c : {s.count, s.missing, s.infinities, s.zeros, s.negatives}) w.value(c);
    const Moments& m = s.moments;
    w.value(m.n);
    for (double x : {m.min, m.max, m.mean, m.m2, m.scale, m.sum, m.sum_low}) w.value(x);
    w.value<std::uint64_t>(s.summary.capacity());
    w.value(s.summary.rank_error());
    write_array(w, s.summary.values());
    write_array(w, s.summary.weights());
    write_hll(w, s.distinct);
    write_counters(w, s.values);
  }
  w.value<std::uint64_t>(sketch.categorical.size());
  for (const CategoricalSketch& s : sketch.categorical) {
    write_string(w, s.name);
    w.value(s.count);
    w.value(s.missing);
    write_hll(w, s.distinct);
    write_counters(w, s.values);
  }
  w.value<std::uint64_t>(sketch.column_order.size());
  for (const std::string& name : sketch.column_order) write_string(w, name);
  return w.take();
}

TableSketch table_sketch_from_bytes(const std::string& bytes) {
  ByteReader r(bytes, kMagic, "profile sketch");
  TableSketch sketch;
  try {
    const auto n_numeric = r.value<std::uint64_t>("numeric columns");
    for (std::uint64_t k = 0; k < n_numeric; ++k) {
      NumericSketch s;
      s.name = read_string(r, "column name");
      for (std::int64_t* c : {&s.count, &s.missing, &s.infinities, &s.zeros, &s.negatives}) {
        *c = r.value<std::int64_t>("counts");
      }
      Moments& m = s.moments;
      m.n = r.value<std::int64_t>("moments");
      for (double* x : {&m.min, &m.max, &m.mean, &m.m2, &m.scale, &m.sum, &m.sum_low}) *x = r.value<double>("moments");
      const auto capacity = r.value<std::uint64_t>("summary capacity");
      const auto rank_error = r.value<double>("summary rank_error");
      std::vector<double> values = read_array<double>(r, "summary values");
      std::vector<double> weights = read_array<double>(r, "summary weights");
      if (capacity < 2 || capacity > kMaxSummaryCapacity || values.size() > capacity) {
        r.fail("summary capacity out of range");
      }
      s.summary = QuantileSummary::from_points(std::move(values), std::move(weights), rank_error, capacity);
      s.distinct = read_hll(r);
      s.values = read_counters<double>(r);
      sketch.numeric.push_back(std::move(s));
    }
    const auto n_categorical = r.value<std::uint64_t>("categorical columns");
    for (std::uint64_t k = 0; k < n_categorical; ++k) {
      CategoricalSketch s;
      s.name = read_string(r, "column name");
      s.count = r.value<std::int64_t>("count");
      s.missing = r.value<std::int64_t>("missing");
      s.distinct = read_hll(r);
      s.values = read_counters<std::string>(r);
      sketch.categorical.push_back(std::move(s));
    }
    const auto n_order = r.value<std::uint64_t>("column order");
    for (std::uint64_t k = 0; k < n_order; ++k) sketch.column_order.push_back(read_string(r, "column order"));
    r.finish();
  } catch (const InvalidArgument& error) {  // a component refused the stored fields
    r.fail(error.what());
  }
  validate(sketch);
  return sketch;
}

}  // namespace assay::quality
