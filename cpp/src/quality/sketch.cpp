#include "assay/quality/sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
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

namespace {

// The counts, extremes and moments of a column's blocks, each block in cache once.
struct BlockStats {
  // negatives counts -inf too, as NumericSketch::negatives does.
  std::int64_t missing = 0, positive_infinities = 0, negative_infinities = 0, zeros = 0, negatives = 0;
  Moments moments;
  double smallest_positive = kInf, largest_negative = -kInf;
};

// Exact counts of a column's distinct finite values (by canonical bits, -0.0 as 0.0) while
// there are at most kExactValues of them: an open-addressing table in cache, one probe per
// value. A column with more distinct values leaves it after its first few thousand values.
class ExactCounter {
 public:
  static constexpr std::size_t kExactValues = kSketchExactValues;

  ExactCounter() : slots_(kSlots, Slot{kEmpty, 0}) {}
  // Counts the finite values among raw values, up to the first one that would pass
  // kExactValues; returns how many raw values it took (all of them while the counts are exact).
  std::size_t add(std::span<const double> values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double raw = values[i];
      if (!(std::abs(raw) <= std::numeric_limits<double>::max())) continue;  // NaN and infinities
      const auto bits = std::bit_cast<std::uint64_t>(raw + 0.0);             // -0.0 as 0.0
      std::size_t slot = slot_of(bits);
      while (slots_[slot].key != bits && slots_[slot].key != kEmpty) slot = (slot + 1) & (kSlots - 1);
      if (slots_[slot].key == kEmpty) {
        if (size_ == kExactValues) return i;
        slots_[slot].key = bits;
        ++size_;
      }
      ++slots_[slot].count;
    }
    return values.size();
  }
  // Calls visit(value, count) for each distinct value, in no particular order.
  template <class Visit>
  void for_each(Visit visit) const {
    for (std::size_t k = 0; k < kSlots; ++k) {
      if (slots_[k].key != kEmpty) visit(std::bit_cast<double>(slots_[k].key), slots_[k].count);
    }
  }
  // The distinct values ascending, with their counts.
  void runs(std::vector<double>& values, std::vector<std::int64_t>& counts) const {
    std::vector<std::pair<double, std::int64_t>> pairs;
    pairs.reserve(size_);
    for (std::size_t k = 0; k < kSlots; ++k) {
      if (slots_[k].key != kEmpty) pairs.emplace_back(std::bit_cast<double>(slots_[k].key), slots_[k].count);
    }
    std::sort(pairs.begin(), pairs.end());
    values.clear();
    counts.clear();
    for (const auto& [value, count] : pairs) {
      values.push_back(value);
      counts.push_back(count);
    }
  }

 private:
  static constexpr std::size_t kSlots = 2 * kExactValues;         // a power of two, at most half full
  static constexpr std::uint64_t kEmpty = 0x7ff8dead0000beefULL;  // a NaN: no finite value's bits
  static std::size_t slot_of(std::uint64_t bits) {
    const std::uint64_t h = bits * 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>((h ^ (h >> 31)) >> (64 - std::countr_zero(kSlots)));
  }
  struct Slot {  // key and count side by side: one cache line per probe
    std::uint64_t key;
    std::int64_t count;
  };
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

constexpr double kLargest = std::numeric_limits<double>::max();
constexpr std::size_t kMagnitudeBuckets = std::size_t{1} << 15;  // per sign
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

// For each raw value its magnitude bucket's slot (see MagnitudeBuckets; zeros, infinities
// and NaN go to the spare slot 2 kMagnitudeBuckets) and its HyperLogLog register and rank
// (HyperLogLog::add_hash of hash_double; rank 0, which changes no register, for infinities and
// NaN), branch-free so that the loops vectorise.
[[gnu::target_clones("arch=x86-64-v4", "default")]]
void bucket_and_rank(const double* __restrict x, std::size_t n, const std::uint64_t* __restrict shift, int precision,
                     std::uint32_t* __restrict slots, std::uint32_t* __restrict registers,
                     std::uint8_t* __restrict ranks) {
  const std::uint64_t negative_shift = shift[0], positive_shift = shift[1];
  constexpr std::uint64_t kExponentBits = 0x7ff0000000000000ULL, kSpare = 2 * kMagnitudeBuckets;
  const auto p = static_cast<std::uint64_t>(precision);
  for (std::size_t i = 0; i < n; ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(x[i]);
    const std::uint64_t magnitude = bits & ~kSignBit;
    const bool positive = (bits & kSignBit) == 0;
    const std::uint64_t k = (magnitude >> (positive ? positive_shift : negative_shift)) % kMagnitudeBuckets;
    // Finite: exponent bits not all set; counted: finite and not zero.
    const bool finite = (magnitude & kExponentBits) != kExponentBits;
    slots[i] = static_cast<std::uint32_t>(finite && magnitude != 0 ? k + (positive ? kMagnitudeBuckets : 0) : kSpare);
    const std::uint64_t hash = hash_double(x[i]);
    const std::uint64_t rest = hash << p;
    registers[i] = static_cast<std::uint32_t>(hash >> (64 - p));
    const std::uint64_t rank = rest == 0 ? 64 - p + 1 : static_cast<std::uint64_t>(std::countl_zero(rest)) + 1;
    ranks[i] = static_cast<std::uint8_t>(finite ? rank : 0);
  }
}

// Counts of a column's finite non-zero values in buckets of their magnitude bits: the bits of
// a positive double order like the double, so a bucket is an interval of values. Negative and
// positive values have kBuckets buckets each: bucket k holds the magnitudes whose bits shifted
// right by the side's shift are k, the shift the least for which the magnitudes seen so far
// span fewer than kBuckets buckets, stored at k mod kBuckets (so that a new extreme within
// the span moves nothing). Widening the span past kBuckets only coarsens (adding pairs of
// buckets exactly), so the final counts are those of the least shift over the column's range:
// they do not depend on the order of the values or where blocks start.
class MagnitudeBuckets {
 public:
  static constexpr std::size_t kBuckets = kMagnitudeBuckets;

  MagnitudeBuckets() : counts_(2 * kBuckets + 1, 0) {}  // and a spare slot for values not counted
  // Makes the side (0 negative, 1 positive) span magnitudes [low, high] too.
  void cover(std::size_t side, double low, double high) {
    if (!(low <= high)) return;  // nothing on this side
    const auto lo = std::bit_cast<std::uint64_t>(low), hi = std::bit_cast<std::uint64_t>(high);
    Side& d = sides_[side];
    const std::uint64_t new_low = d.used ? std::min(d.low, lo) : lo, new_high = d.used ? std::max(d.high, hi) : hi;
    std::uint64_t shift = d.shift;
    while ((new_high >> shift) - (new_low >> shift) >= kBuckets) ++shift;
    if (d.used && shift != d.shift) {
      std::vector<std::int64_t> coarser(kBuckets, 0);
      std::int64_t* counts = counts_.data() + side * kBuckets;
      for (std::size_t j = 0; j < kBuckets; ++j) {
        const std::uint64_t k = (d.low >> d.shift) + j;  // the buckets in order from the lowest
        coarser[(k >> (shift - d.shift)) % kBuckets] += counts[k % kBuckets];
      }
      std::copy(coarser.begin(), coarser.end(), counts);
    }
    d = {new_low, new_high, shift, true};
  }
  // The slot of a finite non-zero x inside the covered range: [0, kBuckets) negative,
  // [kBuckets, 2 kBuckets) positive.
  std::size_t slot(double x) const {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const std::size_t side = (bits >> 63) ^ 1;
    return side * kBuckets + static_cast<std::size_t>(((bits & ~kSignBit) >> sides_[side].shift) % kBuckets);
  }
  // The slot of a side's j-th bucket from its smallest magnitude.
  std::size_t slot(std::size_t side, std::size_t j) const {
    return side * kBuckets + static_cast<std::size_t>(((sides_[side].low >> sides_[side].shift) + j) % kBuckets);
  }
  void add(double x, std::int64_t count) { counts_[slot(x)] += count; }
  // Counts the finite non-zero values among raw values (inside the covered range), and adds
  // every finite value to the registers of a HyperLogLog of that precision.
  void add(std::span<const double> values, std::vector<std::uint8_t>& registers, int precision) {
    constexpr std::size_t kBatch = 512;
    std::array<std::uint32_t, kBatch> slots{}, register_of{};
    std::array<std::uint8_t, kBatch> ranks{};
    const std::uint64_t shift[2] = {sides_[0].shift, sides_[1].shift};
    for (std::size_t start = 0; start < values.size(); start += kBatch) {
      const std::size_t length = std::min(kBatch, values.size() - start);
      bucket_and_rank(values.data() + start, length, shift, precision, slots.data(), register_of.data(), ranks.data());
      for (std::size_t i = 0; i < length; ++i) {
        ++counts_[slots[i]];
        std::uint8_t& r = registers[register_of[i]];
        r = std::max(r, ranks[i]);
      }
    }
  }
  std::span<const std::int64_t> counts() const { return {counts_.data(), 2 * kBuckets}; }
  // The largest value a side's j-th bucket from its smallest magnitude can hold, within the
  // covered range.
  double largest_value(std::size_t side, std::size_t j) const {
    const Side& d = sides_[side];
    const std::uint64_t k = (d.low >> d.shift) + j;
    if (side == 0) return -std::bit_cast<double>(std::max(k << d.shift, d.low));
    return std::bit_cast<double>(std::min((k << d.shift) | ((std::uint64_t{1} << d.shift) - 1), d.high));
  }

 private:
  struct Side {
    std::uint64_t low = 0, high = 0, shift = 0;
    bool used = false;
  };
  std::vector<std::int64_t> counts_;
  Side sides_[2];
};

// The counts and extremes of n raw values, in eight independent lanes without branches so
// that the loop vectorises.
struct RawCounts {
  std::int64_t missing = 0, positive_infinities = 0, negative_infinities = 0, zeros = 0, negatives = 0;
  double low = kInf, high = -kInf, smallest_positive = kInf, largest_negative = -kInf;
};

[[gnu::target_clones("arch=x86-64-v4", "default")]]
RawCounts count_block(const double* __restrict x, std::size_t n) {
  constexpr std::size_t kLanes = 8;
  std::int64_t missing[kLanes] = {}, positive_inf[kLanes] = {}, negative_inf[kLanes] = {}, zeros[kLanes] = {},
               negatives[kLanes] = {};
  double low[kLanes], high[kLanes], smallest_positive[kLanes], largest_negative[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) {
    low[l] = smallest_positive[l] = kInf;
    high[l] = largest_negative[l] = -kInf;
  }
  auto add = [&](std::size_t l, double v) {
    missing[l] += v != v ? 1 : 0;
    positive_inf[l] += v == kInf ? 1 : 0;
    negative_inf[l] += v == -kInf ? 1 : 0;
    zeros[l] += v == 0.0 ? 1 : 0;
    negatives[l] += v < 0.0 ? 1 : 0;  // -inf included
    low[l] = v < low[l] && v >= -kLargest ? v : low[l];
    high[l] = v > high[l] && v <= kLargest ? v : high[l];
    smallest_positive[l] = v > 0.0 && v < smallest_positive[l] ? v : smallest_positive[l];
    largest_negative[l] = v < 0.0 && v > largest_negative[l] ? v : largest_negative[l];
  };
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (std::size_t l = 0; l < kLanes; ++l) add(l, x[i + l]);
  }
  for (std::size_t l = 0; i < n; ++i, ++l) add(l, x[i]);
  RawCounts c;
  for (std::size_t l = 0; l < kLanes; ++l) {
    c.missing += missing[l];
    c.positive_infinities += positive_inf[l];
    c.negative_infinities += negative_inf[l];
    c.zeros += zeros[l];
    c.negatives += negatives[l];
    c.low = std::min(c.low, low[l]);
    c.high = std::max(c.high, high[l]);
    c.smallest_positive = std::min(c.smallest_positive, smallest_positive[l]);
    c.largest_negative = std::max(c.largest_negative, largest_negative[l]);
  }
  c.low += 0.0;  // -0.0 as 0.0
  c.high += 0.0;
  return c;
}

// Adds the counts, extremes and moments of one block of raw values; returns its counts.
RawCounts add_block_stats(const double* x, std::size_t n, BlockStats& stats) {
  const RawCounts c = count_block(x, n);
  stats.missing += c.missing;
  stats.positive_infinities += c.positive_infinities;
  stats.negative_infinities += c.negative_infinities;
  stats.zeros += c.zeros;
  stats.negatives += c.negatives;
  stats.smallest_positive = std::min(stats.smallest_positive, c.smallest_positive);
  stats.largest_negative = std::max(stats.largest_negative, c.largest_negative);
  const std::int64_t finite = static_cast<std::int64_t>(n) - c.missing - c.positive_infinities - c.negative_infinities;
  stats.moments = detail::merge_moments(stats.moments, detail::finite_moments(x, n, finite, c.low, c.high));
  return c;
}

// The quantile summary and value counters of a column with more distinct values than
// ExactCounter holds, from its magnitude buckets and, when some buckets are heavy (hold more
// than `threshold` values, or more than (the light values) / (tracked values + 1)), one more
// pass that orders the values of the heavy buckets.
// Summary points: a light bucket's count at the largest value it can hold (a quantile read
// there is within that count of ranks of the exact one), a heavy bucket's values exactly, and
// the zeros exactly. The counters hold the exact runs of the heavy buckets, zeros and
// infinities; a value of a light bucket occurs at most that bucket's count times, which the
// counters' count_error starts at, within the Misra-Gries bound.
void sketch_from_buckets(std::span<const double> column, const BlockStats& stats, const MagnitudeBuckets& buckets,
                         const ProfileOptions& options, NumericSketch& s) {
  const std::span<const std::int64_t> counts = buckets.counts();
  std::vector<std::int64_t> heap;  // the non-empty buckets' counts, largest first out
  for (std::int64_t c : counts) {
    if (c > 0) heap.push_back(c);
  }
  std::make_heap(heap.begin(), heap.end());
  const auto k = static_cast<std::int64_t>(frequent_capacity(options));
  const std::int64_t finite = s.moments.n;
  // Half the rank error that the summary's capacity allows.
  const std::int64_t threshold =
      std::max<std::int64_t>(1, finite / static_cast<std::int64_t>(2 * options.summary_capacity));
  std::int64_t light = finite - s.zeros;  // the values of light buckets
  // Buckets with more values than the largest light one are heavy.
  std::int64_t largest_light = 0;
  bool any_heavy = false;
  while (!heap.empty()) {
    const std::int64_t c = heap.front();
    if (c <= threshold && c <= light / (k + 1)) {
      largest_light = c;
      break;
    }
    light -= c;
    any_heavy = true;
    std::pop_heap(heap.begin(), heap.end());
    heap.pop_back();
  }
  std::vector<double> heavy;
  if (any_heavy) {
    for (std::size_t start = 0; start < column.size(); start += kSketchBlock) {
      const std::size_t end = std::min(column.size(), start + kSketchBlock);
      for (std::size_t i = start; i < end; ++i) {
        const double x = column[i];
        if (x != 0.0 && std::isfinite(x) && counts[buckets.slot(x)] > largest_light) heavy.push_back(x);
      }
    }
    sort_values(heavy);
  }
  std::vector<double> run_values;
  std::vector<std::int64_t> run_counts;
  runs_of(heavy, run_values, run_counts);

  // Summary points in ascending order: negative buckets from the largest magnitude down,
  // the zeros, positive buckets up.
  std::vector<double> values, weights;
  std::size_t next_run = 0;
  auto add_bucket = [&](std::size_t side, std::size_t j) {
    const std::int64_t count = counts[buckets.slot(side, j)];
    if (count == 0) return;
    if (count <= largest_light) {
      values.push_back(buckets.largest_value(side, j));
      weights.push_back(static_cast<double>(count));
      return;
    }
    for (std::int64_t taken = 0; taken < count; taken += run_counts[next_run++]) {
      values.push_back(run_values[next_run]);
      weights.push_back(static_cast<double>(run_counts[next_run]));
    }
  };
  for (std::size_t j = MagnitudeBuckets::kBuckets; j-- > 0;) add_bucket(0, j);
  const std::size_t negative_runs = next_run;
  if (s.zeros > 0) {
    values.push_back(0.0);
    weights.push_back(static_cast<double>(s.zeros));
  }
  for (std::size_t j = 0; j < MagnitudeBuckets::kBuckets; ++j) add_bucket(1, j);
  const double rank_error = finite > 0 ? static_cast<double>(largest_light) / static_cast<double>(finite) : 0.0;
  s.summary = QuantileSummary::from_points(std::move(values), std::move(weights), std::min(rank_error, 1.0),
                                           options.summary_capacity);

  // The exact runs, ascending: -inf, heavy negatives, 0, heavy positives, +inf.
  std::vector<double> exact_values;
  std::vector<std::int64_t> exact_counts;
  auto add_run = [&](double value, std::int64_t count) {
    if (count == 0) return;
    exact_values.push_back(value);
    exact_counts.push_back(count);
  };
  add_run(-kInf, stats.negative_infinities);
  for (std::size_t r = 0; r < negative_runs; ++r) add_run(run_values[r], run_counts[r]);
  add_run(0.0, s.zeros);
  for (std::size_t r = negative_runs; r < run_values.size(); ++r) add_run(run_values[r], run_counts[r]);
  add_run(kInf, stats.positive_infinities);
  s.values = FrequentValues<double>::from_counters({}, {}, largest_light, frequent_capacity(options));
  s.values.add(exact_values, exact_counts);
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
  const std::span<const double> values = column.values;
  const std::size_t n = values.size();
  // One pass in blocks: counts, extremes, moments, and the exact counts while they fit; after
  // that the magnitude buckets and the distinct-count sketch.
  BlockStats stats;
  ExactCounter exact;
  std::unique_ptr<MagnitudeBuckets> buckets;
  std::vector<std::uint8_t> registers;  // HyperLogLog registers of the values after the exact counts
  std::vector<double> run_values;
  std::vector<std::int64_t> run_counts;
  auto cover = [&](double smallest_positive, double high, double low, double largest_negative) {
    buckets->cover(1, smallest_positive, high);
    buckets->cover(0, -largest_negative, -low);
  };
  for (std::size_t start = 0; start < n; start += kSketchBlock) {
    const std::span<const double> block = values.subspan(start, std::min(kSketchBlock, n - start));
    const RawCounts c = add_block_stats(block.data(), block.size(), stats);
    std::size_t taken = 0;
    if (!buckets) {
      taken = exact.add(block);
      if (taken == block.size()) continue;
      // Too many distinct values: the counts so far move into the buckets and the sketch.
      buckets = std::make_unique<MagnitudeBuckets>();
      registers.assign(std::size_t{1} << options.hll_precision, 0);
      cover(stats.smallest_positive, stats.moments.max, stats.moments.min, stats.largest_negative);
      exact.for_each([&](double value, std::int64_t count) {
        if (value != 0.0) buckets->add(value, count);
        s.distinct.add_hash(hash_double(value));
      });
    } else {
      cover(c.smallest_positive, c.high, c.low, c.largest_negative);
    }
    const std::span<const double> rest = block.subspan(taken);
    buckets->add(rest, registers, options.hll_precision);
  }
  s.missing = stats.missing;
  s.infinities = stats.positive_infinities + stats.negative_infinities;
  s.zeros = stats.zeros;
  s.negatives = stats.negatives;
  s.moments = stats.moments;
  if (buckets) {
    s.distinct.merge(HyperLogLog::from_registers(std::move(registers)));
    sketch_from_buckets(values, stats, *buckets, options, s);
    if (stats.negative_infinities > 0) s.distinct.add_hash(hash_double(-kInf));
    if (stats.positive_infinities > 0) s.distinct.add_hash(hash_double(kInf));
    return s;
  }
  // Few distinct values: every part of the state from their exact counts.
  exact.runs(run_values, run_counts);
  s.summary = QuantileSummary::from_points(run_values, std::vector<double>(run_counts.begin(), run_counts.end()), 0.0,
                                           options.summary_capacity);
  for (double x : run_values) s.distinct.add_hash(hash_double(x));
  auto add_infinity = [&](double x, std::int64_t count, bool first) {
    if (count == 0) return;
    run_values.insert(first ? run_values.begin() : run_values.end(), x);
    run_counts.insert(first ? run_counts.begin() : run_counts.end(), count);
    s.distinct.add_hash(hash_double(x));
  };
  add_infinity(-kInf, stats.negative_infinities, true);
  add_infinity(kInf, stats.positive_infinities, false);
  s.values.add(run_values, run_counts);
  return s;
}

namespace {

CategoricalSketch sketch_valid_codes(const ColumnView& column, const ProfileOptions& options) {
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

}  // namespace

CategoricalSketch sketch_categorical(const ColumnView& column, const ProfileOptions& options) {
  validate(options);
  if (column.is_numeric()) throw InvalidType("column '" + column.name + "' is not categorical");
  validate_codes(column);
  return sketch_valid_codes(column, options);
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
                   result.categorical[c] =
                       sketch_valid_codes(table.column(categorical[c]), options);  // TableView validated them
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
