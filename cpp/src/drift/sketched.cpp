// Column drift from mergeable states (see sketched.hpp).
//
// Notation of the bounds below. The merged states of the reference x (n values) and the
// current sample y (m values) give bins k = 0..K-1 in ascending order: r_k values of x and
// c_k of y, all inside [a_k, b_k] (the smallest and largest value of the bin in either
// sample), with b_k < a_{k+1}. R_k = r_0 + ... + r_{k-1} and C_k likewise. F and G are the
// right-continuous empirical CDFs, F(t) = #{x_i <= t} / n, G(t) = #{y_j <= t} / m.
//   (1) For t in [b_k, a_{k+1}) (and t < a_0, t >= b_{K-1}) every value is known to lie on
//       one side of t: F(t) = R_{k+1} / n and G(t) = C_{k+1} / m exactly.
//   (2) For t in [a_k, b_k), only R_k / n <= F(t) <= R_{k+1} / n and C_k / m <= G(t) <=
//       C_{k+1} / m are known, so F(t) - G(t) lies in [R_k/n - C_{k+1}/m, R_{k+1}/n - C_k/m].
//       An atom (a_k = b_k) has no such t.
// Every bound follows from (1) and (2) and the statistic's definition.
#include "assay/drift/sketched.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <numeric>
#include <tuple>
#include <utility>

#include "assay/common/bytes.hpp"
#include "assay/common/error.hpp"
#include "assay/common/rng.hpp"
#include "column_result.hpp"

namespace assay::drift {

namespace {

constexpr char kMagic[] = "ADS2";
constexpr int kGridShift = 52 - kGridMantissaBits;

// A key that orders doubles as numbers (-0.0 is 0.0): the sign bit flipped for positive
// values, every bit for negative ones.
std::uint64_t order_key(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x == 0.0 ? 0.0 : x);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

std::uint64_t grid_key(double x) { return order_key(x) >> kGridShift; }

double canonical(double x) { return x == 0.0 ? 0.0 : x; }

void require_edges(std::span<const double> edges) {
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (!std::isfinite(edges[i])) throw InvalidArgument("edges: value " + std::to_string(i) + " is not finite");
    if (i > 0 && !(edges[i] > edges[i - 1]))
      throw InvalidArgument("edges: values must ascend strictly (position " + std::to_string(i) + ")");
  }
}

// Bins of one sample under construction, keyed.
struct BinBuilder {
  std::uint64_t count = 0;
  double low = 0.0, high = 0.0;
  void add(double v) {
    if (count == 0 || v < low) low = v;
    if (count == 0 || v > high) high = v;
    ++count;
  }
};

std::string short_label(std::uint64_t index) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%020llu", static_cast<unsigned long long>(index));
  return buffer;
}

void fail(const std::string& why) { throw CorruptedState("column sketch: " + why); }

// The number of edges <= v, knowing that it lies in [first, last] (std::upper_bound without
// a branch on the comparisons, whose mispredictions took most of the refined pass's time).
std::size_t edges_at_most(std::span<const double> edges, std::size_t first, std::size_t last, double v) {
  if (first == last) return first;
  const double* base = edges.data() + first;
  std::size_t length = last - first;  // the answer is in [base, base + length]
  while (length > 1) {
    const std::size_t half = length / 2;
    base = v < base[half] ? base : base + half;
    length -= half;
  }
  return static_cast<std::size_t>(base - edges.data()) + (v < *base ? 0 : 1);
}

// Grid keys to small indices, in an open-addressing table (linear probing from a
// multiplicative hash) that grows at half full: the per-value lookup of both passes of
// sketch_column (std::unordered_map's node lookups took most of their time). A grid key is
// below 2^(12 + kGridMantissaBits), so the all-ones word marks an empty slot.
class GridIndex {
 public:
  GridIndex() { resize(64); }
  // The index of `key`, or `next` after storing it there when the key is new.
  std::size_t find_or_insert(std::uint64_t key, std::size_t next) {
    std::size_t slot = probe(key);
    if (keys_[slot] == key) return indices_[slot];
    keys_[slot] = key;
    indices_[slot] = next;
    if (2 * ++size_ > keys_.size()) resize(2 * keys_.size());
    return next;
  }
  // The index of `key`, or `absent`.
  std::size_t find(std::uint64_t key, std::size_t absent) const {
    const std::size_t slot = probe(key);
    return keys_[slot] == key ? indices_[slot] : absent;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  std::size_t probe(std::uint64_t key) const {
    std::size_t slot = (key * 0x9e3779b97f4a7c15ULL) >> shift_;
    while (keys_[slot] != key && keys_[slot] != kEmpty) slot = (slot + 1) & (keys_.size() - 1);
    return slot;
  }
  void resize(std::size_t capacity) {  // a power of two
    std::vector<std::uint64_t> keys(capacity, kEmpty);
    std::vector<std::size_t> indices(capacity, 0);
    keys.swap(keys_);
    indices.swap(indices_);
    shift_ = 64 - std::countr_zero(capacity);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == kEmpty) continue;
      const std::size_t slot = probe(keys[k]);
      keys_[slot] = keys[k];
      indices_[slot] = indices[k];
    }
  }
  std::vector<std::uint64_t> keys_;
  std::vector<std::size_t> indices_;
  std::size_t size_ = 0;
  int shift_ = 0;
};

// The moments must be those of values inside the bins: their sums between the bins' lowest
// and highest (to a relative 1e-9, the precision they are compared at), and consistent.
void require_moments(const ColumnSketch& s) {
  if (!s.numeric) {
    if (s.moments != ExactMoments{}) fail("a categorical state holds sums of values");
    return;
  }
  if (!s.moments.consistent(s.size())) fail("the sums of the values and of their squares are inconsistent");
  long double low = 0, high = 0, magnitude = 0, squares_low = 0, squares_high = 0;
  for (std::size_t k = 0; k < s.counts.size(); ++k) {
    const long double c = s.counts[k], a = s.low[k], b = s.high[k];
    low += c * a;
    high += c * b;
    magnitude += c * std::max(std::fabs(a), std::fabs(b));
    squares_low += a > 0 ? c * a * a : (b < 0 ? c * b * b : 0.0L);
    squares_high += c * std::max(a * a, b * b);
  }
  const long double sum = s.moments.approximate_sum(), squares = s.moments.approximate_squares();
  if (sum < low - 1e-9L * magnitude || sum > high + 1e-9L * magnitude)
    fail("the sum of the values is outside the bins");
  if (squares < squares_low * (1 - 1e-9L) || squares > squares_high * (1 + 1e-9L))
    fail("the sum of the squares of the values is outside the bins");
}

}  // namespace

std::uint64_t ColumnSketch::size() const {
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  return total;
}

std::uint64_t edges_fingerprint(std::span<const double> edges) {
  std::uint64_t h = mix64(0x9e3779b97f4a7c15ULL ^ edges.size());
  for (const double e : edges) h = mix64(h ^ std::bit_cast<std::uint64_t>(canonical(e)));
  return h == 0 ? 1 : h;
}

ColumnSketch sketch_column(const ColumnView& column, std::span<const double> edges) {
  ColumnSketch out;
  if (!column.is_numeric()) {
    out.numeric = false;
    std::vector<std::uint64_t> counts(column.labels.size(), 0);
    for (const std::int32_t code : column.codes) {
      if (code < 0)
        ++out.missing;
      else if (static_cast<std::size_t>(code) >= counts.size())
        throw InvalidArgument("column '" + column.name + "': code " + std::to_string(code) + " has no label");
      else
        ++counts[static_cast<std::size_t>(code)];
    }
    // Labels ascending; a label listed twice (never by _frame) has its counts added.
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < counts.size(); ++c)
      if (counts[c] > 0) order.push_back(c);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return column.labels[a] < column.labels[b]; });
    for (const std::size_t c : order) {
      if (!out.categories.empty() && out.categories.back() == column.labels[c]) {
        out.counts.back() += counts[c];
        continue;
      }
      out.categories.push_back(column.labels[c]);
      out.counts.push_back(counts[c]);
    }
    return out;
  }
  require_edges(edges);
  out.binning = edges.empty() ? 0 : edges_fingerprint(edges);
  ExactMomentsAccumulator moments;
  std::vector<std::pair<std::uint64_t, BinBuilder>> bins;
  if (edges.empty()) {
    GridIndex index;
    for (const double v : column.values) {
      if (std::isnan(v)) {
        ++out.missing;
      } else if (std::isinf(v)) {
        ++out.infinite;
      } else {
        const std::uint64_t key = grid_key(v);
        const std::size_t k = index.find_or_insert(key, bins.size());
        if (k == bins.size()) bins.emplace_back(key, BinBuilder{});
        bins[k].second.add(canonical(v));
        moments.add(v);
      }
    }
    std::sort(bins.begin(), bins.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  } else {
    std::vector<BinBuilder> dense(edges.size() + 1);
    // The number of edges <= v, searched among the edges of v's grid cell (refined edges
    // start every non-empty cell, so that is where it ends), else among all edges.
    GridIndex index;
    std::vector<std::pair<std::size_t, std::size_t>> cells;  // each cell's edges, [first, end)
    for (std::size_t i = 0; i < edges.size();) {
      std::size_t end = i + 1;
      while (end < edges.size() && grid_key(edges[end]) == grid_key(edges[i])) ++end;
      index.find_or_insert(grid_key(edges[i]), cells.size());
      cells.emplace_back(i, end);
      i = end;
    }
    const std::pair<std::size_t, std::size_t> all_edges(0, edges.size());
    for (const double v : column.values) {
      if (std::isnan(v)) {
        ++out.missing;
      } else if (std::isinf(v)) {
        ++out.infinite;
      } else {
        const std::size_t cell = index.find(grid_key(v), cells.size());
        const auto [first, last] = cell == cells.size() ? all_edges : cells[cell];
        const std::size_t k = edges_at_most(edges, first, last, v);
        dense[k].add(canonical(v));
        moments.add(v);
      }
    }
    for (std::size_t k = 0; k < dense.size(); ++k)
      if (dense[k].count > 0) bins.emplace_back(k, dense[k]);
  }
  out.moments = moments.moments();
  for (const auto& [key, bin] : bins) {
    out.keys.push_back(key);
    out.counts.push_back(bin.count);
    out.low.push_back(bin.low);
    out.high.push_back(bin.high);
  }
  return out;
}

void validate(const ColumnSketch& s) {
  if (s.counts.size() != (s.numeric ? s.keys.size() : s.categories.size())) fail("counts do not match the bins");
  std::uint64_t total = s.missing;
  if (s.infinite > std::numeric_limits<std::uint64_t>::max() - total) fail("counts overflow");
  total += s.infinite;
  for (const std::uint64_t c : s.counts) {
    if (c == 0) fail("a bin or category has count 0");
    if (c > std::numeric_limits<std::uint64_t>::max() - total) fail("counts overflow");
    total += c;
  }
  if (total > (std::uint64_t{1} << 53)) fail("more than 2^53 values");
  if (!s.numeric) {
    if (s.binning != 0 || !s.keys.empty() || !s.low.empty() || !s.high.empty() || s.infinite != 0)
      fail("a categorical state holds numeric fields");
    for (std::size_t i = 1; i < s.categories.size(); ++i)
      if (!(s.categories[i - 1] < s.categories[i])) fail("categories do not ascend strictly");
    return;
  }
  if (!s.categories.empty()) fail("a numeric state holds categories");
  if (s.low.size() != s.keys.size() || s.high.size() != s.keys.size()) fail("bin extremes do not match the bins");
  for (std::size_t k = 0; k < s.keys.size(); ++k) {
    if (k > 0 && !(s.keys[k] > s.keys[k - 1])) fail("bin keys do not ascend strictly");
    if (!std::isfinite(s.low[k]) || !std::isfinite(s.high[k]) || !(s.low[k] <= s.high[k]))
      fail("bin " + std::to_string(k) + " has invalid extremes");
    if (k > 0 && !(s.low[k] > s.high[k - 1])) fail("bins overlap");
    if (s.binning == 0 && (grid_key(s.low[k]) != s.keys[k] || grid_key(s.high[k]) != s.keys[k]))
      fail("bin " + std::to_string(k) + " holds values outside its grid cell");
  }
  require_moments(s);
}

ColumnSketch merge(const ColumnSketch& a, const ColumnSketch& b) {
  validate(a);
  validate(b);
  if (a.numeric != b.numeric) throw InvalidArgument("cannot merge a numeric and a categorical column sketch");
  if (a.binning != b.binning) throw InvalidArgument("cannot merge column sketches on different bins");
  ColumnSketch out;
  out.numeric = a.numeric;
  out.binning = a.binning;
  out.missing = a.missing + b.missing;
  out.infinite = a.infinite + b.infinite;
  out.moments = a.moments;
  out.moments.merge(b.moments);
  std::size_t i = 0, j = 0;
  const std::size_t na = a.counts.size(), nb = b.counts.size();
  auto less = [&](std::size_t p, std::size_t q) {
    return a.numeric ? a.keys[p] < b.keys[q] : a.categories[p] < b.categories[q];
  };
  auto equal = [&](std::size_t p, std::size_t q) {
    return a.numeric ? a.keys[p] == b.keys[q] : a.categories[p] == b.categories[q];
  };
  auto take = [&](const ColumnSketch& s, std::size_t p) {
    if (s.numeric) {
      out.keys.push_back(s.keys[p]);
      out.low.push_back(s.low[p]);
      out.high.push_back(s.high[p]);
    } else {
      out.categories.push_back(s.categories[p]);
    }
    out.counts.push_back(s.counts[p]);
  };
  while (i < na || j < nb) {
    if (j >= nb || (i < na && less(i, j))) {
      take(a, i++);
    } else if (i >= na || !equal(i, j)) {
      take(b, j++);
    } else {
      take(a, i++);
      out.counts.back() += b.counts[j];
      if (out.numeric) {
        out.low.back() = std::min(out.low.back(), b.low[j]);
        out.high.back() = std::max(out.high.back(), b.high[j]);
      }
      ++j;
    }
  }
  validate(out);
  return out;
}

std::string to_bytes(const ColumnSketch& s) {
  validate(s);
  ByteWriter w(kMagic);
  w.value<std::uint8_t>(s.numeric ? 1 : 0);
  w.value<std::uint64_t>(s.binning);
  w.value<std::uint64_t>(s.missing);
  w.value<std::uint64_t>(s.infinite);
  w.value<std::uint64_t>(s.counts.size());
  w.array(s.counts);
  if (s.numeric) {
    w.array(s.keys);
    w.array(s.low);
    w.array(s.high);
    for (const auto* limbs : {&s.moments.sum, &s.moments.squares}) {
      const auto [first, kept] = trim_limbs(*limbs);
      w.value<std::uint64_t>(first);
      w.value<std::uint64_t>(kept.size());
      w.array(kept);
    }
  } else {
    std::vector<std::uint64_t> lengths;
    std::vector<char> chars;
    lengths.reserve(s.categories.size());
    for (const auto& label : s.categories) {
      lengths.push_back(label.size());
      chars.insert(chars.end(), label.begin(), label.end());
    }
    w.array(lengths);
    w.value<std::uint64_t>(chars.size());
    w.array(chars);
  }
  return w.take();
}

ColumnSketch column_sketch_from_bytes(const std::string& bytes) {
  ByteReader r(bytes, kMagic, "column sketch");
  ColumnSketch s;
  const auto kind = r.value<std::uint8_t>("kind");
  if (kind > 1) r.fail("kind byte " + std::to_string(kind) + " is neither 0 nor 1");
  s.numeric = kind == 1;
  s.binning = r.value<std::uint64_t>("binning");
  s.missing = r.value<std::uint64_t>("missing");
  s.infinite = r.value<std::uint64_t>("infinite");
  const auto n = r.value<std::uint64_t>("number of bins");
  if (n > bytes.size()) r.fail("the number of bins exceeds the bytes");
  s.counts = r.array<std::uint64_t>(n, "counts");
  if (s.numeric) {
    s.keys = r.array<std::uint64_t>(n, "keys");
    s.low = r.array<double>(n, "low");
    s.high = r.array<double>(n, "high");
    for (auto [limbs, size, field] : {std::tuple{&s.moments.sum, ExactMoments::kSumLimbs, "sum"},
                                      std::tuple{&s.moments.squares, ExactMoments::kSquareLimbs, "sum of squares"}}) {
      const auto first = r.value<std::uint64_t>(field);
      const auto n_kept = r.value<std::uint64_t>(field);
      if (n_kept > size) r.fail(std::string(field) + ": more limbs than it holds");
      if (!untrim_limbs(first, r.array<std::uint64_t>(n_kept, field), size, *limbs))
        r.fail(std::string(field) + ": limbs out of place or not trimmed");
    }
  } else {
    const auto lengths = r.array<std::uint64_t>(n, "label lengths");
    std::uint64_t total = 0;
    for (const std::uint64_t length : lengths) {
      if (length > bytes.size() - total) r.fail("label lengths exceed the bytes");
      total += length;
    }
    const auto n_chars = r.value<std::uint64_t>("label bytes");
    if (n_chars != total) r.fail("label bytes do not match the label lengths");
    const auto chars = r.array<char>(total, "labels");
    std::size_t at = 0;
    for (const std::uint64_t length : lengths) {
      s.categories.emplace_back(chars.data() + at, length);
      at += length;
    }
  }
  r.finish();
  try {
    validate(s);
  } catch (const CorruptedState& e) {
    r.fail(e.what());
  }
  return s;
}

AlignedBins align(const ColumnSketch& reference, const ColumnSketch& current) {
  validate(reference);
  validate(current);
  if (!reference.numeric || !current.numeric) throw InvalidArgument("align: both sketches must be numeric");
  if (reference.binning != current.binning)
    throw InvalidArgument("align: the reference and current sketches are on different bins");
  AlignedBins out;
  std::size_t i = 0, j = 0;
  const std::size_t nr = reference.keys.size(), nc = current.keys.size();
  while (i < nr || j < nc) {
    const bool has_r = i < nr && (j >= nc || reference.keys[i] <= current.keys[j]);
    const bool has_c = j < nc && (i >= nr || current.keys[j] <= reference.keys[i]);
    const double r = has_r ? static_cast<double>(reference.counts[i]) : 0.0;
    const double c = has_c ? static_cast<double>(current.counts[j]) : 0.0;
    double low = has_r ? reference.low[i] : current.low[j];
    double high = has_r ? reference.high[i] : current.high[j];
    if (has_c) {
      low = std::min(low, current.low[j]);
      high = std::max(high, current.high[j]);
    }
    out.low.push_back(low);
    out.high.push_back(high);
    out.reference.push_back(r);
    out.current.push_back(c);
    out.reference_low.push_back(has_r ? reference.low[i] : kNaN);
    out.reference_high.push_back(has_r ? reference.high[i] : kNaN);
    out.n_reference += r;
    out.n_current += c;
    if (has_r) ++i;
    if (has_c) ++j;
  }
  return out;
}

bool AlignedBins::all_atoms() const {
  for (std::size_t k = 0; k < low.size(); ++k)
    if (low[k] != high[k]) return false;
  return true;
}

bool needs_refinement(const ColumnSketch& reference, const ColumnSketch& current) {
  const AlignedBins bins = align(reference, current);
  for (std::size_t k = 0; k < bins.low.size(); ++k) {
    if (bins.low[k] == bins.high[k]) continue;
    const double share = std::max(bins.n_reference > 0 ? bins.reference[k] / bins.n_reference : 0.0,
                                  bins.n_current > 0 ? bins.current[k] / bins.n_current : 0.0);
    if (share * kRefineTarget > 1.0) return true;
  }
  return false;
}

std::vector<double> refined_edges(const ColumnSketch& reference, const ColumnSketch& current, bool with_sturges) {
  if (reference.binning != 0 || current.binning != 0) throw InvalidArgument("refined_edges: needs grid sketches");
  const AlignedBins bins = align(reference, current);
  std::vector<double> edges;
  auto push = [&](double e) {
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  };
  for (std::size_t k = 0; k < bins.low.size(); ++k) {
    const double low = bins.low[k], high = bins.high[k];
    push(low);
    if (low == high) continue;
    const double share = std::max(bins.n_reference > 0 ? bins.reference[k] / bins.n_reference : 0.0,
                                  bins.n_current > 0 ? bins.current[k] / bins.n_current : 0.0);
    if (share * kRefineTarget <= 1.0) continue;
    const auto pieces = static_cast<int>(std::min(std::ceil(share * kRefineTarget), kRefineTarget));
    const double width = high - low;
    for (int p = 1; p < pieces; ++p) {
      const double t = static_cast<double>(p) / static_cast<double>(pieces);
      const double e = std::isfinite(width) ? low + width * t : low * (1 - t) + high * t;
      if (e > low && e <= high) push(e);
    }
  }
  if (with_sturges && !reference.counts.empty() && !current.counts.empty() && bins.low.front() < bins.high.back()) {
    const std::vector<double> sturges = sturges_edges(reference, current);
    std::vector<double> all;
    all.reserve(edges.size() + sturges.size());
    std::merge(edges.begin(), edges.end(), sturges.begin(), sturges.end(), std::back_inserter(all));
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }
  return edges;
}

namespace {

double share(double count, double total) { return count / total; }

// The scale in which integrals over values are summed (as univariate.cpp's distances do):
// the largest magnitude of any value, 1 when all are 0.
double value_scale(const AlignedBins& b) {
  if (b.low.empty()) return 1.0;
  const double s = std::max(std::fabs(b.low.front()), std::fabs(b.high.back()));
  return s > 0 ? s : 1.0;
}

// |v| over v in [lo, hi]: its smallest and largest value.
std::pair<double, double> magnitude_range(long double lo, long double hi) {
  const long double smallest = lo > 0 ? lo : (hi < 0 ? -hi : 0.0L);
  return {static_cast<double>(smallest), static_cast<double>(std::max(std::fabs(lo), std::fabs(hi)))};
}

Interval widened(Interval v) {
  const double slack = kRoundingSlack * std::max(std::fabs(v.low), std::fabs(v.high));
  return {v.low - slack, v.high + slack};
}

void require_samples(const AlignedBins& b) {
  if (!(b.n_reference > 0) || !(b.n_current > 0)) throw InvalidArgument("both samples need values");
}

}  // namespace

// KS: D = sup_t |F(t) - G(t)|. By (1) the differences at t = b_k are exact, so D is at
// least their largest magnitude L. By (2), on [a_k, b_k) the difference is at most
// R_{k+1}/n - C_k/m and at least R_k/n - C_{k+1}/m, so D <= max(L, those magnitudes over
// non-atom bins). Both ends are reached by some placement of the values inside the bins.
Interval ks_statistic_interval(const AlignedBins& b) {
  require_samples(b);
  const double n = b.n_reference, m = b.n_current;
  double R = 0, C = 0, lower = 0, upper = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const double next_r = R + b.reference[k], next_c = C + b.current[k];
    if (b.low[k] < b.high[k]) upper = std::max({upper, share(next_r, n) - share(C, m), share(next_c, m) - share(R, n)});
    lower = std::max(lower, std::fabs(share(next_r, n) - share(next_c, m)));
    R = next_r;
    C = next_c;
  }
  return {lower, std::max(lower, upper)};
}

namespace {

// integral of |F - G|^p (p = 1 or 2) over the values, in units of the value scale: exact on
// the gaps between bins by (1); on a non-atom bin of width w, by (2), between w d^p and
// w e^p where d and e are the smallest and largest |v| over the interval (2) gives.
Interval cdf_integral(const AlignedBins& b, int p, double scale) {
  const long double n = b.n_reference, m = b.n_current;
  long double R = 0, C = 0, lower = 0, upper = 0, largest = 0;  // largest: of |F - G| anywhere
  auto power = [p](long double v) { return p == 1 ? v : v * v; };
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const long double next_r = R + b.reference[k], next_c = C + b.current[k];
    if (b.low[k] < b.high[k]) {
      const long double width = static_cast<long double>(b.high[k] / scale) - b.low[k] / scale;
      const auto [d, e] = magnitude_range(R / n - next_c / m, next_r / n - C / m);
      lower += width * power(d);
      upper += width * power(e);
      largest = std::max<long double>(largest, e);
    }
    if (k + 1 < b.low.size()) {
      const long double gap = static_cast<long double>(b.low[k + 1] / scale) - b.high[k] / scale;
      largest = std::max(largest, std::fabs(next_r / n - next_c / m));
      const long double exact = power(std::fabs(next_r / n - next_c / m)) * gap;
      lower += exact;
      upper += exact;
    }
    R = next_r;
    C = next_c;
  }
  // Both this sum and the exact computation round each width (in units of the scale) by
  // about eps and weigh it by |F - G|^p: an absolute slack of 4 eps |F - G|^p per bin and per
  // value covers them.
  const long double slack =
      4 * std::numeric_limits<double>::epsilon() * (static_cast<long double>(b.low.size()) + n + m) * power(largest);
  return {static_cast<double>(std::max(0.0L, lower - slack)), static_cast<double>(upper + slack)};
}

}  // namespace

// Wasserstein-1 = integral |F - G| dt (scipy's definition), bounded bin by bin as above.
Interval wasserstein_interval(const AlignedBins& b) {
  require_samples(b);
  const double scale = value_scale(b);
  const Interval scaled = cdf_integral(b, 1, scale);
  return {scaled.low * scale, scaled.high * scale};
}

// Energy distance = sqrt(2 integral (F - G)^2 dt) (scipy's), a monotone function of the
// integral bounded as above.
Interval energy_distance_interval(const AlignedBins& b) {
  require_samples(b);
  const double scale = value_scale(b);
  const Interval scaled = cdf_integral(b, 2, scale);
  return {std::sqrt(2 * scaled.low) * std::sqrt(scale), std::sqrt(2 * scaled.high) * std::sqrt(scale)};
}

// Population std of x. Write x_i = c_i + e_i with c_i the midpoint of x's own extremes in
// its bin and |e_i| <= h_i their half difference. With P the centring projection,
// sqrt(n) std(x) = |P x| and, by the triangle inequality, | |P x| - |P c| | <= |P e| <=
// |e| <= sqrt(sum_i h_i^2): std(x) lies within sqrt(sum r_k h_k^2 / n) of std(c).
Interval reference_std_interval(const AlignedBins& b) {
  if (!(b.n_reference > 0)) throw InvalidArgument("the reference sample needs values");
  const double scale = value_scale(b);
  const long double n = b.n_reference;
  long double sum = 0, spread = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    if (b.reference[k] == 0) continue;
    sum +=
        b.reference[k] * (static_cast<long double>(b.reference_low[k] / scale / 2) + b.reference_high[k] / scale / 2);
  }
  const long double mean = sum / n;
  long double squares = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    if (b.reference[k] == 0) continue;
    const long double centre =
        static_cast<long double>(b.reference_low[k] / scale / 2) + b.reference_high[k] / scale / 2;
    const long double half = static_cast<long double>(b.reference_high[k] / scale / 2) - b.reference_low[k] / scale / 2;
    squares += b.reference[k] * (centre - mean) * (centre - mean);
    spread += b.reference[k] * half * half;
  }
  const long double centre_std = std::sqrt(squares / n), error = std::sqrt(spread / n);
  return {static_cast<double>(std::max(0.0L, centre_std - error) * scale),
          static_cast<double>((centre_std + error) * scale)};
}

// U of x = #{(i, j): x_i > y_j} + #{(i, j): x_i = y_j} / 2. Pairs in different bins are
// ordered by the bins: x in bin k exceeds the C_k values of y in earlier bins. Pairs within
// an atom are ties (1/2 each); pairs within another bin count between 0 and 1 each.
Interval mann_whitney_u_interval(const AlignedBins& b) {
  require_samples(b);
  long double C = 0, known = 0, open = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const long double r = b.reference[k], c = b.current[k];
    known += r * C;
    if (b.low[k] == b.high[k])
      known += r * c / 2;
    else
      open += r * c;
    C += c;
  }
  return {static_cast<double>(known), static_cast<double>(known + open)};
}

// Tie term sum (t^3 - t) over the pooled distinct values. An atom is one value with
// t = r_k + c_k. A non-atom bin of s values holds at least two distinct values; f(t) =
// t^3 - t is convex with f(0) = f(1) = 0, hence superadditive on whole numbers, so its sum
// over a split of s into at least two groups is at most f(s - 1) + f(1) = f(s - 1), and at
// least 0.
Interval mann_whitney_tie_term_interval(const AlignedBins& b) {
  long double known = 0, open = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const long double t = b.reference[k] + b.current[k];
    if (b.low[k] == b.high[k])
      known += t * t * t - t;
    else
      open += (t - 1) * (t - 1) * (t - 1) - (t - 1);
  }
  return {static_cast<double>(known), static_cast<double>(known + open)};
}

// Cramer-von Mises (Anderson 1962, scipy's average ranks): U = n sum_i (r_i - i)^2 +
// m sum_j (s_j - j)^2 with r_i the pooled average rank of the i-th smallest x. U is a sum
// over bins of terms that depend only on the order of the values inside the bin and on
// R_k, C_k. For x_i in bin k, r_i - i = C_k + a_i + d_i: a_i counts the y of the bin below
// x_i (a tied y counts 1/2), d_i = (g + 1)/2 - q for the q-th of the g values of x tied
// with x_i (d sums to 0 over a tie group, inside which a_i is constant); for y_j likewise
// s_j - j = R_k + b_j + e_j. Every pair of the bin adds 1 to a or to b (1/2 to each when
// tied), so with A = sum a_i: sum b_j = r c - A, and 0 <= a_i <= c, 0 <= b_j <= r. Then
//   n sum (C + a_i + d_i)^2 + m sum (R + b_j + e_j)^2
//     = n r C^2 + m c R^2 + 2 m R r c + (2 n C - 2 m R) A + n sum a_i^2 + m sum b_j^2
//       + n sum d_i^2 + m sum e_j^2,
// with A^2 / r <= sum a_i^2 <= c A (Cauchy-Schwarz; a_i <= c), (rc - A)^2 / c <= sum b_j^2
// <= r (rc - A), and 0 <= sum d_i^2 <= r (r^2 - 1) / 12 (one tie group of all r values
// is the largest), 0 <= sum e_j^2 <= c (c^2 - 1) / 12. The upper bound is linear in A
// (its maximum at A = 0 or rc), the lower bound a convex quadratic in A (its minimum at the
// stationary point clamped to [0, rc]). The coefficient 2 n C - 2 m R = 2nm (C/m - R/n) is
// the CDF difference, which keeps the bound tight where the samples agree. An atom is one
// tie group: a_i = c/2, b_j = r/2, d and e are the group's offsets, all known.
Interval cramer_von_mises_u_interval(const AlignedBins& b) {
  require_samples(b);
  const long double n = b.n_reference, m = b.n_current;
  long double R = 0, C = 0, low = 0, high = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const long double r = b.reference[k], c = b.current[k], pairs = r * c;
    const long double base = n * r * C * C + m * c * R * R + 2 * m * R * pairs;
    const long double slope = 2 * n * C - 2 * m * R;
    const long double groups_x = r > 0 ? r * (r * r - 1) / 12 : 0, groups_y = c > 0 ? c * (c * c - 1) / 12 : 0;
    if (b.low[k] == b.high[k]) {
      const long double exact = base + slope * pairs / 2 + n * r * (c / 2) * (c / 2) + m * c * (r / 2) * (r / 2) +
                                n * groups_x + m * groups_y;
      low += exact;
      high += exact;
    } else {
      const long double upper_at_zero = m * r * pairs, upper_at_all = slope * pairs + n * c * pairs;
      high += base + std::max(upper_at_zero, upper_at_all) + n * groups_x + m * groups_y;
      if (pairs == 0) {
        low += base;
      } else {
        auto g = [&](long double a) { return slope * a + n * a * a / r + m * (pairs - a) * (pairs - a) / c; };
        const long double stationary = (2 * m * r - slope) / (2 * n / r + 2 * m / c);
        low += base + g(std::clamp(stationary, 0.0L, pairs));
      }
    }
    R += r;
    C += c;
  }
  return {static_cast<double>(low), static_cast<double>(high)};
}

namespace {

// The area under the upper concave hull of the points (x, f(x)) over ascending x.
template <class F>
long double concave_hull_area(std::initializer_list<long double> xs, F f) {
  std::vector<std::pair<long double, long double>> hull;
  for (const long double x : xs) {
    if (!hull.empty() && hull.back().first == x) continue;
    const std::pair<long double, long double> p{x, f(x)};
    while (hull.size() >= 2) {
      const auto& [x0, y0] = hull[hull.size() - 2];
      const auto& [x1, y1] = hull.back();
      if ((x1 - x0) * (p.second - y0) - (y1 - y0) * (p.first - x0) < 0) break;  // (x1, y1) above the chord
      hull.pop_back();
    }
    hull.push_back(p);
  }
  long double area = 0;
  for (std::size_t i = 1; i < hull.size(); ++i)
    area += (hull[i].first - hull[i - 1].first) * (hull[i].second + hull[i - 1].second) / 2;
  return area;
}

}  // namespace

// Anderson-Darling (Scholz & Stephens 1987, eq. 7 with midranks, as anderson_ksamp and
// scipy's default compute it). With two samples the two samples' terms of A2akN are equal up
// to sign, and A2akN = (N - 1) / (N n m) S with N = n + m and S a sum over the pooled distinct
// values z: S = sum_z l D^2 / den, where u0 and u1 = u0 + l are the pooled counts below z and
// up to z, D = m Mx - n My with Mx (My) the count of x (y) below z plus half of those at z,
// and den = B (N - B) - N l / 4 = u0 (N - u1) + l (N - l) / 4 with B = (u0 + u1) / 2.
//
// An atom is one distinct value with every quantity known: its term is exact. A non-atom bin
// k (P = R_k + C_k values before it, t = r_k + c_k in it, Q = N - P - t after it) holds at
// least two distinct values, each a "group" of l <= t - 1 values starting after q0 of the
// bin's values (u0 = P + q0). Write d(q) = m X(q) - n Y(q) for the counts X, Y of x and y
// among the first P + q pooled values: d moves by +m or -n per value, d(0) = D_s = m R_k -
// n C_k and d(t) = D_e, and a group's D is (d(q0) + d(q1)) / 2 with q1 = q0 + l. Any path
// from D_s to D_e with r_k steps up and c_k down stays between lo(q) = max(D_s - n q,
// D_e - m (t - q)) (convex, its kink at q = c_k) and up(q) = min(D_s + m q, D_e + n (t - q))
// (concave, its kink at q = r_k). The sum is between A / den_max and B / den_min, where:
//   - den >= den_min = P Q + (N - 1) / 4 (u0 >= P, N - u1 >= Q, and l (N - l) is concave with
//     its minimum over 1 <= l <= t - 1 at l = 1), and den <= den_max = max B (N - B) - N / 4
//     over B in [P + 1/2, P + t - 1/2];
//   - B bounds sum l D^2: |D| <= (E(q0) + E(q1)) / 2 with E = max(up, -lo) >= 0, and
//     ((E0 + E1) / 2)^2 <= (E0^2 + E1^2) / 2, so sum l D^2 is at most the trapezoid sum of E^2
//     over the groups' ends, the integral of E^2's linear interpolant there. E^2 is convex
//     between the kinks (E is the larger of two linear functions there), so every such
//     interpolant lies below E^2's least concave majorant on [0, t], the upper hull of E^2 at
//     q = 0, r_k, c_k, t: B is that hull's area;
//   - A bounds sum l D^2 from below: D >= (lo(q0) + lo(q1)) / 2 >= the mean a_g of lo over the
//     group (lo is convex), so by Cauchy-Schwarz sum l D^2 >= sum l max(0, a_g)^2 >=
//     max(0, integral of lo over [0, t])^2 / t; likewise with up when D < 0: A is the larger.
// The first upper bound is loose in the tails, where den grows along the bin from about N / 4,
// so two more follow the growth:
//   U2, from the bin's start: |d(q)| <= |D_s| + K q with K = max(m, n), so |D| <= K y + beta
//   with y = P + (q0 + q1) / 2 (the group's midpoint) and beta = |D_s| - K P; and den >= u0 Q
//   + l (N - t) / 4 >= (N - t) / 4 x c y with c = min(4 Q / (N - t), 2). A group's term is
//   then at most 4 / ((N - t) c) x l g(y) with g(y) = (K y + beta)^2 / y, convex for y > 0,
//   so l g(y) <= the integral of g over the group's span (Hermite-Hadamard) and the bin's
//   sum is at most 4 / ((N - t) c) times the integral of g from P to P + t:
//   K^2 ((P + t)^2 - P^2) / 2 + 2 K beta t + beta^2 ln(1 + t / P) (beta = 0 when P = 0);
//   U3, the same from the bin's end (|D_e|, Q and c = min(4 P / (N - t), 2)).
// The upper bound is the smallest of the three (U2 and U3 need c > 0).
Interval anderson_darling_a2kn_interval(const AlignedBins& b) {
  require_samples(b);
  const long double n = b.n_reference, m = b.n_current, N = n + m, K = std::max(n, m);
  std::size_t values = 0;  // distinct values known to exist
  for (std::size_t k = 0; k < b.low.size(); ++k) values += b.low[k] == b.high[k] ? 1 : 2;
  if (values < 2) throw InvalidArgument("the Anderson-Darling test needs more than one distinct value");
  // The integral of (K y + beta)^2 / y from `from` to from + t.
  auto growth = [&](long double from, long double t, long double beta) {
    const long double logs = beta == 0 ? 0.0L : beta * beta * std::log1p(t / from);
    return K * K * ((from + t) * (from + t) - from * from) / 2 + 2 * K * beta * t + logs;
  };
  long double R = 0, C = 0, low = 0, high = 0;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const long double r = b.reference[k], c = b.current[k], t = r + c, P = R + C, Q = N - P - t;
    const long double start = m * R - n * C;
    if (b.low[k] == b.high[k]) {
      const long double D = m * (R + r / 2) - n * (C + c / 2);
      const long double exact = t * D * D / (P * Q + t * (N - t) / 4);
      low += exact;
      high += exact;
    } else {
      const long double end = start + m * r - n * c;
      const long double widest = std::clamp(N / 2, P + 0.5L, P + t - 0.5L);
      const long double den_max = widest * (N - widest) - N / 4, den_min = P * Q + (N - 1) / 4;
      const long double lowest = start - n * c, highest = start + m * r;  // lo(c), up(r)
      const long double area_lo = c * (start + lowest) / 2 + r * (lowest + end) / 2;
      const long double area_up = r * (start + highest) / 2 + c * (highest + end) / 2;
      const long double below = std::max({0.0L, area_lo, -area_up});
      low += below * below / t / den_max;
      auto envelope = [&](long double q) {
        const long double up = std::min(start + m * q, end + n * (t - q));
        const long double lo = std::max(start - n * q, end - m * (t - q));
        const long double e = std::max(up, -lo);
        return e * e;
      };
      long double upper = concave_hull_area({0.0L, std::min(r, c), std::max(r, c), t}, envelope) / den_min;
      if (t < N) {
        const long double from_start = std::min(4 * Q / (N - t), 2.0L), from_end = std::min(4 * P / (N - t), 2.0L);
        if (from_start > 0)
          upper = std::min(upper, 4 / ((N - t) * from_start) * growth(P, t, std::fabs(start) - K * P));
        if (from_end > 0) upper = std::min(upper, 4 / ((N - t) * from_end) * growth(Q, t, std::fabs(end) - K * Q));
      }
      high += upper;
    }
    R += r;
    C += c;
  }
  const long double scale = (N - 1) / (N * n * m);
  return {static_cast<double>(low * scale), static_cast<double>(high * scale)};
}

namespace {

bool is_rank_test(Test test) {
  return test == Test::ks || test == Test::wasserstein || test == Test::energy_distance || test == Test::ed ||
         test == Test::mannw || test == Test::mannwhitneyu || test == Test::cramer_von_mises || test == Test::anderson;
}

bool is_binned_distance(Test test) {
  return test == Test::psi || test == Test::jensenshannon || test == Test::kl_div || test == Test::hellinger ||
         test == Test::tvd;
}

// Whether the sketches tell which p-value method mann_whitney_u picks: the asymptotic one
// when both samples exceed 8 values or some value is certainly tied; the exact one when no
// value can be tied (every atom holds one value, every other bin two).
struct MannWhitneyTies {
  bool known = true, ties = false;
};
MannWhitneyTies mann_whitney_ties(const AlignedBins& b) {
  bool certain = false, possible = false;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    const double t = b.reference[k] + b.current[k];
    if (b.low[k] == b.high[k] && t > 1) certain = true;
    if (b.low[k] != b.high[k] && t > 2) possible = true;
  }
  if (b.n_reference > 8 && b.n_current > 8) return {true, true};
  if (certain) return {true, true};
  return {!possible, false};
}

std::size_t reference_distinct(const AlignedBins& b) {
  std::size_t n = 0;
  for (const double r : b.reference)
    if (r > 0) ++n;
  return n;
}

// Prepared columns of categories standing for the distinct values of atoms, labelled so
// that labels sort as the values do.
std::pair<PreparedColumn, PreparedColumn> atoms_as_categories(const AlignedBins& b, const ColumnSketch& reference,
                                                              const ColumnSketch& current) {
  std::pair<PreparedColumn, PreparedColumn> out;
  auto& [ref, cur] = out;
  ref.numeric = cur.numeric = false;
  for (std::size_t k = 0; k < b.low.size(); ++k) {
    if (b.reference[k] > 0) {
      ref.categories.push_back(short_label(k));
      ref.category_counts.push_back(b.reference[k]);
    }
    if (b.current[k] > 0) {
      cur.categories.push_back(short_label(k));
      cur.category_counts.push_back(b.current[k]);
    }
  }
  ref.missing = reference.missing;
  ref.infinite = reference.infinite;
  cur.missing = current.missing;
  cur.infinite = current.infinite;
  return out;
}

PreparedColumn categories_of(const ColumnSketch& s) {
  PreparedColumn out;
  out.numeric = false;
  out.categories = s.categories;
  out.category_counts.assign(s.counts.begin(), s.counts.end());
  out.missing = s.missing;
  return out;
}

void require_same_kind(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current) {
  if (reference.numeric != current.numeric)
    throw InvalidType("column '" + name + "' is " + (reference.numeric ? "numeric" : "categorical") +
                      " in the reference but " + (current.numeric ? "numeric" : "categorical") +
                      " in the current data");
}

// The p-value interval and point of a p-value monotone in one statistic.
template <class PValue>
void monotone_pvalue(ColumnDrift& out, Interval statistic, PValue pvalue) {
  const double a = pvalue(statistic.low), b = pvalue(statistic.high);
  out.pvalue = pvalue(out.statistic);
  out.pvalue_low = std::min(a, b);
  out.pvalue_high = std::max(a, b);
}

void set_statistic(ColumnDrift& out, Interval statistic) {
  const Interval wide = widened(statistic);
  out.statistic = statistic.low / 2 + statistic.high / 2;
  out.statistic_bound = wide.high / 2 - wide.low / 2;
}

void rank_test(ColumnDrift& out, const AlignedBins& bins) {
  const std::size_t n = static_cast<std::size_t>(bins.n_reference), m = static_cast<std::size_t>(bins.n_current);
  switch (out.test) {
    case Test::ks: {
      const Interval d = ks_statistic_interval(bins);
      set_statistic(out, d);
      const Interval wide = widened(d);
      monotone_pvalue(out, {std::max(0.0, wide.low), std::min(1.0, wide.high)}, [&](double v) {
        const TestResult r = ks_2samp_from_statistic(v, n, m);
        out.method = r.method;
        return r.pvalue;
      });
      out.method = ks_2samp_from_statistic(out.statistic, n, m).method;
      return;
    }
    case Test::cramer_von_mises: {
      const Interval u = widened(cramer_von_mises_u_interval(bins));
      const TestResult low = cramer_von_mises_from_u(u.low, n, m), high = cramer_von_mises_from_u(u.high, n, m);
      const TestResult mid = cramer_von_mises_from_u(u.low / 2 + u.high / 2, n, m);
      out.statistic = mid.statistic;
      out.statistic_bound = high.statistic / 2 - low.statistic / 2;
      out.pvalue = mid.pvalue;
      // The asymptotic p-value sums scipy's series of the limit distribution until a term
      // is below 1e-7, so it is monotone in T only to about that: 1e-6 more each side.
      const double series = mid.method == "asymptotic" ? 1e-6 : 0.0;
      out.pvalue_low = std::max(0.0, std::min(low.pvalue, high.pvalue) - series);
      out.pvalue_high = std::min(1.0, std::max(low.pvalue, high.pvalue) + series);
      out.method = mid.method;
      return;
    }
    case Test::mannw:
    case Test::mannwhitneyu: {
      const Alternative alternative = out.test == Test::mannw ? Alternative::less : Alternative::two_sided;
      const MannWhitneyTies ties = mann_whitney_ties(bins);
      // The tie term is a sum of whole numbers (exact in long double while t^3 < 2^64).
      const Interval u = widened(mann_whitney_u_interval(bins));
      const Interval tie = mann_whitney_tie_term_interval(bins);
      const double centre = static_cast<double>(n) * static_cast<double>(m) / 2;
      set_statistic(out, mann_whitney_u_interval(bins));
      const double tie_mid = tie.low / 2 + tie.high / 2;
      const TestResult mid =
          mann_whitney_u_from_statistic(out.statistic, n, m, tie_mid, ties.ties, PMethod::automatic, alternative);
      out.pvalue = mid.pvalue;
      out.method = mid.method;
      // p is monotone in U on each side of the centre and in the tie term (through sigma):
      // its extremes over the box are among these corners.
      out.pvalue_low = 1.0;
      out.pvalue_high = 0.0;
      for (const double u1 : {u.low, u.high, std::clamp(centre, u.low, u.high)})
        for (const double t : {tie.low, tie.high}) {
          const double p =
              mann_whitney_u_from_statistic(u1, n, m, std::max(0.0, t), ties.ties, PMethod::automatic, alternative)
                  .pvalue;
          out.pvalue_low = std::min(out.pvalue_low, p);
          out.pvalue_high = std::max(out.pvalue_high, p);
        }
      return;
    }
    case Test::anderson: {
      if (bins.all_atoms()) {  // every distinct value and its counts known: the exact result
        const AndersonResult exact = anderson_ksamp_counts(bins.reference, bins.current);
        out.exact = true;
        out.statistic = exact.statistic;
        out.pvalue = exact.pvalue;
        out.method = exact.method;
        return;
      }
      // The statistic increases with A2akN and the p-value does not (univariate.hpp).
      const Interval a = widened(anderson_darling_a2kn_interval(bins));
      const double sizes[2] = {bins.n_reference, bins.n_current};
      const double ends[3] = {a.low, a.high, a.low / 2 + a.high / 2};
      const std::vector<AndersonResult> results = anderson_ksamp_from_a2kn(ends, sizes);
      const AndersonResult &low = results[0], &high = results[1], &mid = results[2];
      out.statistic = mid.statistic;
      out.statistic_bound = high.statistic / 2 - low.statistic / 2;
      out.pvalue = mid.pvalue;
      out.pvalue_low = high.pvalue;
      out.pvalue_high = low.pvalue;
      out.method = mid.method;
      return;
    }
    case Test::wasserstein: {
      // Evidently's normalised Wasserstein: W1 / max(std of the reference, 0.001).
      const Interval w = wasserstein_interval(bins), s = reference_std_interval(bins);
      set_statistic(out, {w.low / std::max(s.high, 0.001), w.high / std::max(s.low, 0.001)});
      return;
    }
    case Test::energy_distance:
    case Test::ed:
      set_statistic(out, energy_distance_interval(bins));
      return;
    default:
      throw InvalidArgument(std::string("test '") + test_name(out.test) + "' has no sketched form");
  }
}

}  // namespace

std::vector<double> sturges_edges(const ColumnSketch& reference, const ColumnSketch& current) {
  validate(reference);
  validate(current);
  if (!reference.numeric || !current.numeric) throw InvalidArgument("sturges_edges: both sketches must be numeric");
  if (reference.counts.empty() || current.counts.empty())
    throw InvalidArgument("sturges_edges: both samples need values");
  const double first = std::min(reference.low.front(), current.low.front());
  const double last = std::max(reference.high.back(), current.high.back());
  if (!(first < last)) throw InvalidArgument("sturges_edges: the samples hold one value");
  return sturges_edges(first, last, static_cast<double>(reference.size() + current.size()));
}

namespace {

// The Sturges bin (evidently_bins: edges[i] <= v < edges[i + 1], the last bin closed) of v.
std::size_t sturges_bin(const std::vector<double>& edges, double v) {
  const auto above = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
  return std::clamp<std::size_t>(above, 1, edges.size() - 1) - 1;
}

// Whether the states tell evidently_bins' Sturges counts exactly: no bin of either sample
// has values in two Sturges bins (true when the pass's edges include sturges_edges), and
// the reference certainly has more than 20 distinct values (a bin whose extremes differ
// holds at least two), which is when evidently_bins uses Sturges bins.
bool sturges_resolvable(const ColumnSketch& reference, const ColumnSketch& current) {
  if (reference.counts.empty() || current.counts.empty()) return false;
  const double first = std::min(reference.low.front(), current.low.front());
  const double last = std::max(reference.high.back(), current.high.back());
  if (!(first < last)) return false;
  const std::vector<double> edges = sturges_edges(reference, current);
  for (const ColumnSketch* s : {&reference, &current})
    for (std::size_t k = 0; k < s->counts.size(); ++k)
      if (sturges_bin(edges, s->low[k]) != sturges_bin(edges, s->high[k])) return false;
  std::size_t distinct = 0;
  for (std::size_t k = 0; k < reference.counts.size(); ++k) distinct += reference.low[k] == reference.high[k] ? 1 : 2;
  return distinct > 20;
}

// evidently_bins' Sturges proportions (counts / sample size) from resolvable states.
BinnedProportions sturges_proportions(const ColumnSketch& reference, const ColumnSketch& current) {
  const std::vector<double> edges = sturges_edges(reference, current);
  const std::size_t n_bins = edges.size() - 1;
  BinnedProportions out;
  out.binning = "sturges";
  auto proportions = [&](const ColumnSketch& s) {
    std::vector<std::uint64_t> counts(n_bins, 0);
    for (std::size_t k = 0; k < s.counts.size(); ++k) counts[sturges_bin(edges, s.low[k])] += s.counts[k];
    std::vector<double> p(n_bins);
    const auto size = static_cast<double>(s.size());
    for (std::size_t i = 0; i < n_bins; ++i) p[i] = static_cast<double>(counts[i]) / size;
    return p;
  };
  out.reference = proportions(reference);
  out.current = proportions(current);
  return out;
}

}  // namespace

bool sketch_supports(Test test, const ColumnSketch& reference, const ColumnSketch& current) {
  // Categories (or kinds that differ): compare_columns' rules, and errors, apply.
  if (!reference.numeric || !current.numeric) return true;
  if (is_binned_distance(test) && sturges_resolvable(reference, current)) return true;
  const AlignedBins bins = align(reference, current);
  if (test == Test::mannw || test == Test::mannwhitneyu) return mann_whitney_ties(bins).known;
  if (is_rank_test(test) || test == Test::t_test) return true;
  if (!bins.all_atoms() || !test_accepts_categorical(test)) return false;
  return !is_binned_distance(test) || reference_distinct(bins) <= 20;
}

Test resolve_sketch_test(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current) {
  if (!reference.numeric || !current.numeric) {
    require_same_kind(name, reference, current);
    const PreparedColumn r = categories_of(reference), c = categories_of(current);
    std::vector<std::string> all = r.categories;
    all.insert(all.end(), c.categories.begin(), c.categories.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return auto_test(false, reference.size(), all.size());
  }
  const AlignedBins bins = align(reference, current);
  std::size_t atoms = 0, open = 0;
  for (std::size_t k = 0; k < bins.low.size(); ++k) (bins.low[k] == bins.high[k] ? atoms : open) += 1;
  const std::size_t at_least = atoms + 2 * open;
  if (open > 0 && at_least <= 5)
    throw InvalidArgument(
        "the 'auto' test depends on whether the column has more than 5 distinct values, which the "
        "sketches cannot tell (at least " +
        std::to_string(at_least) + ")");
  return auto_test(true, reference.size(), at_least);
}

namespace {

// A numeric column's result before its statistic: compare_columns' checks of the test and
// the threshold (on empty samples, which compute nothing), then the sketches' counts.
ColumnDrift numeric_result(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current,
                           Test test, double threshold) {
  ColumnDrift out = compare_columns(name, PreparedColumn{}, PreparedColumn{}, test, threshold);
  set_sample_counts(out, reference, current);
  out.note.clear();
  return out;
}

}  // namespace

ColumnDrift compare_sketches(const std::string& name, const ColumnSketch& reference, const ColumnSketch& current,
                             Test test, double threshold) {
  validate(reference);
  validate(current);
  require_same_kind(name, reference, current);
  if (!reference.numeric)
    return compare_columns(name, categories_of(reference), categories_of(current), test, threshold);
  if (!sketch_supports(test, reference, current))
    throw InvalidArgument(std::string("test '") + test_name(test) + "' on column '" + name +
                          "' cannot be computed from sketches");
  if (is_binned_distance(test) && sturges_resolvable(reference, current)) {
    ColumnDrift out = numeric_result(name, reference, current, test, threshold);
    out.method = "sturges";
    out.statistic = binned_distance(test, sturges_proportions(reference, current));
    set_verdict(out);
    return out;
  }
  if (test == Test::t_test) {
    ColumnDrift out = numeric_result(name, reference, current, test, threshold);
    compute_and_judge(out, [&](ColumnDrift& result) {
      const TestResult t = ttest_ind_from_moments(reference.moments, reference.size(), current.moments, current.size());
      result.statistic = t.statistic;
      result.pvalue = t.pvalue;
      result.method = t.method;
    });
    return out;
  }
  const AlignedBins bins = align(reference, current);
  if (!is_rank_test(test)) {
    const auto [ref, cur] = atoms_as_categories(bins, reference, current);
    return compare_columns(name, ref, cur, test, threshold);
  }
  ColumnDrift out = numeric_result(name, reference, current, test, threshold);
  out.exact = false;
  compute_and_judge(out, [&](ColumnDrift& result) { rank_test(result, bins); });
  return out;
}

}  // namespace assay::drift
