// SliceLine's level-wise enumeration on predicate bitmaps (see sliceline.hpp).
#include "assay/slices/sliceline.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <tuple>

#include "assay/common/error.hpp"
#include "assay/common/intervals.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"

namespace assay::slices {

namespace {

using Word = std::uint64_t;
constexpr std::size_t kBits = 64;
constexpr std::ptrdiff_t kGenerateBlock = 64;    // parent slices per generation task
constexpr std::ptrdiff_t kEvaluateBlock = 256;   // candidates per evaluation task
constexpr std::size_t kEvaluateChunk = 1 << 15;  // candidates between progress reports
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Stats {
  std::int64_t size = 0;
  double error_sum = 0, max_error = 0, square_sum = 0;
};

// The valid slices of one level: keys of `level` predicate ids each (ascending ids; the
// keys in lexicographic order), with their statistics.
struct LevelSlices {
  int level = 0;
  std::vector<std::uint32_t> keys;
  std::vector<Stats> stats;
  std::size_t size() const { return stats.size(); }
  const std::uint32_t* key(std::size_t i) const { return keys.data() + i * static_cast<std::size_t>(level); }
};

struct Ranked {
  int level;
  std::vector<std::uint32_t> key;
  Stats stats;
  double score;
};

// Best first: higher score, then fewer predicates, then smaller predicate ids.
bool better(const Ranked& a, const Ranked& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.level != b.level) return a.level < b.level;
  return a.key < b.key;
}

// The predicates with at least min_support rows and a positive error sum, ordered by
// (feature, value); each with its bitmap and level-1 statistics.
struct Predicates {
  std::vector<Predicate> predicate;
  std::vector<Stats> stats;
  std::vector<Word> bits;  // predicate-major, `words` per predicate
  std::size_t words = 0;
  std::int64_t one_hot_columns = 0;  // values present, over all features (the package's n)
  const Word* bitmap(std::uint32_t id) const { return bits.data() + id * words; }
};

void check_inputs(std::span<const Feature> features, std::span<const double> errors, const Options& o) {
  if (!(o.alpha > 0 && o.alpha <= 1)) throw InvalidArgument("alpha: must lie in (0, 1]");
  if (o.k < 1) throw InvalidArgument("k: must be >= 1");
  if (o.max_level < 1) throw InvalidArgument("max_level: must be >= 1");
  if (o.min_support < 1) throw InvalidArgument("min_support: must be >= 1 row");
  if (!(o.confidence_level > 0 && o.confidence_level < 1)) {
    throw InvalidArgument("confidence_level: must lie in (0, 1)");
  }
  if (features.empty()) throw InvalidArgument("features: no feature to slice by");
  if (errors.empty()) throw InvalidArgument("errors: no rows");
  for (const double e : errors) {
    if (!std::isfinite(e) || e < 0) throw InvalidArgument("errors: every error must be finite and >= 0");
  }
  std::uint64_t values = 0;
  for (const auto& f : features) {
    if (f.codes.size() != errors.size()) {
      throw InvalidArgument("features: '" + f.name + "' has " + std::to_string(f.codes.size()) + " rows, errors " +
                            std::to_string(errors.size()));
    }
    if (f.n_values < 0) throw InvalidArgument("features: '" + f.name + "' has a negative number of values");
    values = saturating_sum({values, static_cast<std::uint64_t>(f.n_values) + 1});
  }
  require_fits("features", saturating_product({values, sizeof(Stats) + sizeof(std::int64_t)}),
               "the statistics of every feature value");
}

// Level 1: one pass over each feature's codes (in row order), then a bitmap per predicate.
Predicates level_one(std::span<const Feature> features, std::span<const double> errors, const Options& o, int threads) {
  const auto n_features = static_cast<std::ptrdiff_t>(features.size());
  std::vector<std::vector<Stats>> per_value(features.size());
  std::vector<std::int64_t> present(features.size(), 0);
  parallel_for(n_features, threads, [&](std::ptrdiff_t j) {
    const auto& f = features[static_cast<std::size_t>(j)];
    auto& stats = per_value[static_cast<std::size_t>(j)];
    stats.assign(static_cast<std::size_t>(f.n_values) + 1, Stats{});  // slot 0: missing
    for (std::size_t r = 0; r < f.codes.size(); ++r) {
      const std::int32_t code = f.codes[r];
      if (code < -1 || code >= f.n_values) {
        throw InvalidArgument("features: '" + f.name + "' has the code " + std::to_string(code) +
                              " outside [-1, n_values)");
      }
      auto& s = stats[static_cast<std::size_t>(std::int64_t{code} + 1)];
      const double e = errors[r];
      ++s.size;
      s.error_sum += e;
      s.square_sum += e * e;
      s.max_error = std::max(s.max_error, e);
    }
    present[static_cast<std::size_t>(j)] =
        std::count_if(stats.begin(), stats.end(), [](const Stats& s) { return s.size > 0; });
  });
  Predicates p;
  p.words = n_blocks(errors.size(), kBits);
  // id_of[j][code + 1]: the predicate id of a value, or -1 when it is not a valid predicate.
  std::vector<std::vector<std::int64_t>> id_of(features.size());
  for (std::size_t j = 0; j < features.size(); ++j) {
    p.one_hot_columns += present[j];
    id_of[j].assign(per_value[j].size(), -1);
    for (std::size_t v = 0; v < per_value[j].size(); ++v) {
      const auto& s = per_value[j][v];
      if (s.size >= o.min_support && s.error_sum > 0) {
        id_of[j][v] = static_cast<std::int64_t>(p.predicate.size());
        p.predicate.push_back({static_cast<std::int32_t>(j), static_cast<std::int32_t>(v) - 1});
        p.stats.push_back(s);
      }
    }
  }
  if (p.predicate.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw ResourceLimit("min_support: more than 2^32 predicates hold min_support rows");
  }
  require_fits("min_support", saturating_product({p.predicate.size(), p.words, sizeof(Word)}),
               "a bitmap of the rows of each predicate with min_support rows");
  p.bits.assign(p.predicate.size() * p.words, 0);
  parallel_for(n_features, threads, [&](std::ptrdiff_t j) {
    const auto& f = features[static_cast<std::size_t>(j)];
    const auto& ids = id_of[static_cast<std::size_t>(j)];
    for (std::size_t r = 0; r < f.codes.size(); ++r) {
      const std::int64_t id = ids[static_cast<std::size_t>(std::int64_t{f.codes[r]} + 1)];
      if (id >= 0) p.bits[static_cast<std::size_t>(id) * p.words + r / kBits] |= Word{1} << (r % kBits);
    }
  });
  return p;
}

// Everything an evaluation needs about the errors.
struct ErrorData {
  std::span<const double> errors;
  bool binary = false;
  std::vector<Word> bits;  // rows with error 1, when binary
};

// The statistics of the rows in `prefix` (over its non-zero words) AND `last`, summed in row order.
Stats evaluate(const Word* prefix, const std::vector<std::uint32_t>& nonzero, const Word* last, const ErrorData& e) {
  Stats s;
  if (e.binary) {
    std::int64_t errors = 0;
    for (const std::uint32_t w : nonzero) {
      const Word x = prefix[w] & last[w];
      s.size += std::popcount(x);
      errors += std::popcount(x & e.bits[w]);
    }
    s.error_sum = s.square_sum = static_cast<double>(errors);
    s.max_error = errors > 0 ? 1.0 : 0.0;
    return s;
  }
  for (const std::uint32_t w : nonzero) {
    Word x = prefix[w] & last[w];
    s.size += std::popcount(x);
    while (x != 0) {
      const double v = e.errors[w * kBits + static_cast<std::size_t>(std::countr_zero(x))];
      s.error_sum += v;
      s.square_sum += v * v;
      s.max_error = std::max(s.max_error, v);
      x &= x - 1;
    }
  }
  return s;
}

// The statistics of `count` candidates (keys of `level` ids, lexicographic), in fixed blocks;
// a block recomputes the AND of the first level-1 predicates whenever that prefix changes.
void evaluate_candidates(const Predicates& p, const ErrorData& e, int level, const std::uint32_t* keys,
                         std::size_t count, Stats* out, int threads) {
  const auto n_tasks = static_cast<std::ptrdiff_t>(n_blocks(count, kEvaluateBlock));
  const auto width = static_cast<std::size_t>(level);
  parallel_for(n_tasks, threads, [&](std::ptrdiff_t task) {
    std::vector<Word> prefix(p.words);
    std::vector<std::uint32_t> nonzero;
    const std::uint32_t* current = nullptr;
    const auto begin = static_cast<std::size_t>(task * kEvaluateBlock);
    const auto end = std::min(count, begin + kEvaluateBlock);
    for (std::size_t c = begin; c < end; ++c) {
      const std::uint32_t* key = keys + c * width;
      if (current == nullptr || !std::equal(key, key + width - 1, current)) {
        std::copy_n(p.bitmap(key[0]), p.words, prefix.begin());
        for (std::size_t t = 1; t + 1 < width; ++t) {
          const Word* other = p.bitmap(key[t]);
          for (std::size_t w = 0; w < p.words; ++w) prefix[w] &= other[w];
        }
        nonzero.clear();
        for (std::size_t w = 0; w < p.words; ++w) {
          if (prefix[w] != 0) nonzero.push_back(static_cast<std::uint32_t>(w));
        }
        current = key;
      }
      out[c] = evaluate(prefix.data(), nonzero, p.bitmap(key[width - 1]), e);
    }
  });
}

// Candidate generation at `level` from the valid slices of level - 1 (see sliceline.hpp):
// each candidate once, as the join of its two parents that share the first level - 2 ids,
// in lexicographic order. `emit(key)` is called for each kept candidate of parent i.
class Generator {
 public:
  Generator(const LevelSlices& parents, const Predicates& p, const Options& o, double average_error, double bound_n,
            double threshold)
      : parents_(parents),
        p_(p),
        o_(o),
        average_error_(average_error),
        bound_n_(bound_n),
        threshold_(threshold),
        group_end_(parents.size()) {
    const auto width = static_cast<std::size_t>(parents.level);
    for (std::size_t i = parents.size(); i-- > 0;) {
      const bool same =
          i + 1 < parents.size() && std::equal(parents.key(i), parents.key(i) + width - 1, parents.key(i + 1));
      group_end_[i] = same ? group_end_[i + 1] : i + 1;
    }
  }

  template <class Emit>
  void candidates_of(std::size_t i, std::vector<std::uint32_t>& key, Emit&& emit) const {
    const auto width = static_cast<std::size_t>(parents_.level);  // level - 1
    key.resize(width + 1);
    const std::uint32_t* a = parents_.key(i);
    const std::int32_t feature_a = p_.predicate[a[width - 1]].feature;
    for (std::size_t j = i + 1; j < group_end_[i]; ++j) {
      const std::uint32_t last = parents_.key(j)[width - 1];
      if (p_.predicate[last].feature == feature_a) continue;  // two values of one feature
      std::copy_n(a, width, key.begin());
      key[width] = last;
      Stats bound = parents_.stats[i];
      take_min(bound, parents_.stats[j]);
      if (!other_parents(key, bound)) continue;
      const double ub = score_upper_bound(static_cast<double>(bound.size), bound.error_sum, bound.max_error,
                                          average_error_, bound_n_, static_cast<double>(o_.min_support), o_.alpha);
      if (ub > threshold_) emit(key);
    }
  }

 private:
  static void take_min(Stats& bound, const Stats& parent) {
    bound.size = std::min(bound.size, parent.size);
    bound.error_sum = std::min(bound.error_sum, parent.error_sum);
    bound.max_error = std::min(bound.max_error, parent.max_error);
  }

  // The parents without key[t] for t < level - 2 (the two others are the joined ones): all
  // must be valid, and they tighten the bound.
  bool other_parents(const std::vector<std::uint32_t>& key, Stats& bound) const {
    const auto width = static_cast<std::size_t>(parents_.level);
    std::vector<std::uint32_t> parent(width);
    for (std::size_t t = 0; t + 1 < width; ++t) {
      std::copy_n(key.begin(), t, parent.begin());
      std::copy(key.begin() + static_cast<std::ptrdiff_t>(t) + 1, key.end(),
                parent.begin() + static_cast<std::ptrdiff_t>(t));
      const std::size_t found = find(parent);
      if (found == parents_.size()) return false;
      take_min(bound, parents_.stats[found]);
    }
    return true;
  }

  std::size_t find(const std::vector<std::uint32_t>& key) const {
    const auto width = static_cast<std::size_t>(parents_.level);
    std::size_t low = 0, high = parents_.size();
    while (low < high) {
      const std::size_t mid = low + (high - low) / 2;
      const std::uint32_t* k = parents_.key(mid);
      if (std::lexicographical_compare(k, k + width, key.begin(), key.end())) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    if (low < parents_.size() && std::equal(key.begin(), key.end(), parents_.key(low))) return low;
    return parents_.size();
  }

  const LevelSlices& parents_;
  const Predicates& p_;
  const Options& o_;
  double average_error_, bound_n_, threshold_;
  std::vector<std::size_t> group_end_;  // one past the last parent sharing i's first level - 2 ids
};

// Candidates of the next level, generated in two passes (count, then fill at fixed offsets).
std::vector<std::uint32_t> generate(const Generator& generator, std::size_t n_parents, int level, int threads) {
  const auto n_tasks = static_cast<std::ptrdiff_t>(n_blocks(n_parents, kGenerateBlock));
  std::vector<std::size_t> counts(static_cast<std::size_t>(n_tasks), 0);
  auto block = [&](std::ptrdiff_t task, auto&& emit) {
    std::vector<std::uint32_t> key;
    const auto begin = static_cast<std::size_t>(task * kGenerateBlock);
    const auto end = std::min(n_parents, begin + kGenerateBlock);
    for (std::size_t i = begin; i < end; ++i) generator.candidates_of(i, key, emit);
  };
  parallel_for(n_tasks, threads, [&](std::ptrdiff_t task) {
    block(task, [&](const std::vector<std::uint32_t>&) { ++counts[static_cast<std::size_t>(task)]; });
  });
  std::vector<std::size_t> offsets(counts.size() + 1, 0);
  for (std::size_t t = 0; t < counts.size(); ++t) offsets[t + 1] = offsets[t] + counts[t];
  const std::size_t total = offsets.back();
  const auto width = static_cast<std::size_t>(level);
  require_fits("max_level", saturating_product({total, width * sizeof(std::uint32_t) + sizeof(Stats) + 8}),
               "the candidate slices of level " + std::to_string(level));
  std::vector<std::uint32_t> keys(total * width);
  parallel_for(n_tasks, threads, [&](std::ptrdiff_t task) {
    std::size_t at = offsets[static_cast<std::size_t>(task)];
    block(task, [&](const std::vector<std::uint32_t>& key) {
      std::copy(key.begin(), key.end(), keys.begin() + static_cast<std::ptrdiff_t>(at * width));
      ++at;
    });
  });
  return keys;
}

struct Totals {
  double n = 0, error_sum = 0, square_sum = 0;
};

// One-sided Welch z-test of "slice mean error > mean error of the other rows".
std::pair<double, double> welch_z(const Stats& s, const Totals& t) {
  const double n1 = static_cast<double>(s.size), n2 = t.n - n1;
  if (n1 < 2 || n2 < 2) return {kNaN, kNaN};
  const double m1 = s.error_sum / n1, m2 = (t.error_sum - s.error_sum) / n2;
  const double v1 = std::max(0.0, (s.square_sum - s.error_sum * m1) / (n1 - 1));
  const double rest_squares = t.square_sum - s.square_sum, rest_sum = t.error_sum - s.error_sum;
  const double v2 = std::max(0.0, (rest_squares - rest_sum * m2) / (n2 - 1));
  const double se = std::sqrt(v1 / n1 + v2 / n2);
  const double diff = m1 - m2;
  if (se == 0) {
    if (diff == 0) return {kNaN, kNaN};
    return diff > 0 ? std::pair{std::numeric_limits<double>::infinity(), 0.0}
                    : std::pair{-std::numeric_limits<double>::infinity(), 1.0};
  }
  const double z = diff / se;
  return {z, 0.5 * std::erfc(z / std::numbers::sqrt2)};
}

Slice describe(const Ranked& r, const Predicates& p, const ErrorData& e, const Totals& t, double z) {
  Slice s;
  for (const std::uint32_t id : r.key) s.predicates.push_back(p.predicate[id]);
  s.size = r.stats.size;
  s.error_sum = r.stats.error_sum;
  s.max_error = r.stats.max_error;
  s.average_error = r.stats.error_sum / static_cast<double>(r.stats.size);
  s.score = r.score;
  if (e.binary) {
    const Interval ci = wilson(r.stats.error_sum, static_cast<double>(r.stats.size), z);
    s.ci_low = ci.low;
    s.ci_high = ci.high;
  } else if (r.stats.size >= 2) {
    const double n = static_cast<double>(r.stats.size);
    const double variance = std::max(0.0, (r.stats.square_sum - r.stats.error_sum * s.average_error) / (n - 1));
    const double half = z * std::sqrt(variance / n);
    s.ci_low = std::max(0.0, s.average_error - half);
    s.ci_high = s.average_error + half;
  } else {
    s.ci_low = s.ci_high = kNaN;
  }
  std::tie(s.statistic, s.p_value) = welch_z(r.stats, t);
  return s;
}

}  // namespace

Result find_slices(std::span<const Feature> features, std::span<const double> errors, const Options& o,
                   const Progress& progress) {
  check_inputs(features, errors, o);
  const int threads = resolve_threads(o.n_jobs);
  Result result;
  result.n_rows = static_cast<std::int64_t>(errors.size());
  Totals totals{static_cast<double>(errors.size()), 0, 0};
  ErrorData e{errors, true, {}};
  for (const double v : errors) {
    totals.error_sum += v;
    totals.square_sum += v * v;
    e.binary = e.binary && (v == 0 || v == 1);
  }
  result.average_error = totals.error_sum / totals.n;
  result.binary_errors = e.binary;
  if (totals.error_sum == 0) return result;  // no slice has a positive score

  const Predicates p = level_one(features, errors, o, threads);
  if (e.binary) {
    e.bits.assign(p.words, 0);
    for (std::size_t r = 0; r < errors.size(); ++r) {
      if (errors[r] == 1) e.bits[r / kBits] |= Word{1} << (r % kBits);
    }
  }
  const double n = totals.n;
  const double bound_n = o.pruning == Pruning::exact ? n : static_cast<double>(p.one_hot_columns);
  const int last_level = std::min<int>(o.max_level, static_cast<int>(features.size()));
  const std::size_t k = static_cast<std::size_t>(o.k);

  std::vector<Ranked> top;
  // p-values of every evaluated slice with min_support rows and a positive error sum
  std::vector<double> tested;
  // Adds the slices of one level (keys of `level` ids, lexicographic, with statistics) to the
  // tested family and the top K; returns the valid ones (positive error sum) for the next level.
  auto absorb = [&](int level, const std::vector<std::uint32_t>& keys, const std::vector<Stats>& stats) {
    const auto width = static_cast<std::size_t>(level);
    LevelSlices valid;
    valid.level = level;
    std::vector<Ranked> ranked;
    for (std::size_t c = 0; c < stats.size(); ++c) {
      const Stats& s = stats[c];
      if (s.size < o.min_support || s.error_sum <= 0) continue;
      tested.push_back(welch_z(s, totals).second);
      valid.keys.insert(valid.keys.end(), keys.begin() + static_cast<std::ptrdiff_t>(c * width),
                        keys.begin() + static_cast<std::ptrdiff_t>((c + 1) * width));
      valid.stats.push_back(s);
      const double sc = score(s.error_sum, static_cast<double>(s.size), result.average_error, n, o.alpha);
      if (sc > 0 && (top.size() < k || sc >= top.back().score)) {
        ranked.push_back({level,
                          {keys.begin() + static_cast<std::ptrdiff_t>(c * width),
                           keys.begin() + static_cast<std::ptrdiff_t>((c + 1) * width)},
                          s,
                          sc});
      }
    }
    if (!ranked.empty()) {
      top.insert(top.end(), std::make_move_iterator(ranked.begin()), std::make_move_iterator(ranked.end()));
      const std::size_t keep = std::min(k, top.size());
      std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(keep), top.end(), better);
      top.resize(keep);
    }
    result.levels.push_back({static_cast<std::int64_t>(stats.size()), static_cast<std::int64_t>(valid.size())});
    return valid;
  };

  std::vector<std::uint32_t> ids(p.predicate.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::uint32_t>(i);
  LevelSlices parents = absorb(1, ids, p.stats);
  progress.report(1, static_cast<std::size_t>(last_level));
  for (int level = 2; level <= last_level && parents.size() > 1; ++level) {
    double threshold = 0;
    if (o.pruning == Pruning::exact) {
      if (top.size() == k) threshold = top.back().score;
    } else if (!top.empty()) {
      threshold = std::max(0.0, top.back().score);
    }
    const Generator generator(parents, p, o, result.average_error, bound_n, threshold);
    const std::vector<std::uint32_t> keys = generate(generator, parents.size(), level, threads);
    const auto width = static_cast<std::size_t>(level);
    const std::size_t count = keys.size() / width;
    std::vector<Stats> stats(count);
    for (std::size_t begin = 0; begin < count; begin += kEvaluateChunk) {
      const std::size_t chunk = std::min(kEvaluateChunk, count - begin);
      evaluate_candidates(p, e, level, keys.data() + begin * width, chunk, stats.data() + begin, threads);
      progress.report(static_cast<std::size_t>(level - 1), static_cast<std::size_t>(last_level));
    }
    parents = absorb(level, keys, stats);
    progress.report(static_cast<std::size_t>(level), static_cast<std::size_t>(last_level));
  }

  require_fits("max_level", saturating_product({tested.size(), 3 * sizeof(double)}),
               "the Benjamini-Hochberg adjustment of the tested slices");
  result.n_tested =
      static_cast<std::int64_t>(std::count_if(tested.begin(), tested.end(), [](double v) { return !std::isnan(v); }));
  // The adjusted p-value of a value depends on the value only (ties share it), so the top
  // slices' values are looked up among the sorted family.
  std::vector<double> family(tested);
  family.erase(std::remove_if(family.begin(), family.end(), [](double v) { return std::isnan(v); }), family.end());
  std::sort(family.begin(), family.end());
  const std::vector<double> adjusted = benjamini_hochberg(family);
  const double z = normal_quantile(0.5 + o.confidence_level / 2);
  for (const Ranked& r : top) {
    Slice s = describe(r, p, e, totals, z);
    s.p_value_adjusted = kNaN;
    if (!std::isnan(s.p_value)) {
      const auto at = std::upper_bound(family.begin(), family.end(), s.p_value) - family.begin() - 1;
      s.p_value_adjusted = adjusted[static_cast<std::size_t>(at)];
    }
    result.slices.push_back(std::move(s));
  }
  return result;
}

}  // namespace assay::slices
