// The one-pass sketch mode of profiles (quality/sketch.hpp): its stated bounds on adversarial
// data, merges of any split, bytes, and thread-count invariance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::quality;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ProfileOptions sketch_options() {
  ProfileOptions o;
  o.exact = false;
  return o;
}

// Adversarial columns of n values (NaN and inf included in the last).
std::map<std::string, std::vector<double>> adversarial(std::size_t n) {
  std::map<std::string, std::vector<double>> data;
  std::mt19937_64 rng(7);
  std::vector<double> sorted(n), reverse(n), equal(n, 3.5), ties(n), two_point(n), mixed(n), cluster(n), spike(n);
  std::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    sorted[i] = static_cast<double>(i);
    reverse[i] = static_cast<double>(n - i);
    ties[i] = static_cast<double>(rng() % 7) * (rng() % 5 == 0 ? 1000.0 : 1.0);
    two_point[i] = (rng() % 10 < 3) ? -1e300 : 1e300;
    const auto r = rng() % 20;
    mixed[i] = r == 0 ? NAN : r == 1 ? kInf : r == 2 ? -kInf : static_cast<double>(rng() % 1000) / 7.0;
    // Distinct values packed into a sliver of a range that tiny and huge outliers stretch
    // (the value buckets are coarse there), and distinct values around one heavy value.
    cluster[i] = i == 0 ? 1e-300 : i == 1 ? -1e300 : 1.0 + static_cast<double>(rng() % 1'000'000) * 1e-12;
    spike[i] = rng() % 10 < 3 ? 5.0 : 5.0 + normal(rng);
  }
  data["cluster"] = cluster;
  data["spike"] = spike;
  data["sorted"] = sorted;
  data["reverse"] = reverse;
  data["equal"] = equal;
  data["ties"] = ties;
  data["two_point"] = two_point;
  data["mixed"] = mixed;
  return data;
}

std::vector<double> finite_sorted(const std::vector<double>& x) {
  std::vector<double> f;
  for (double v : x) {
    if (std::isfinite(v)) f.push_back(v);
  }
  std::sort(f.begin(), f.end());
  return f;
}

// Every quantile read from the summary lies within rank_error x n ranks of the exact one.
void expect_rank_bound(const QuantileSummary& summary, const std::vector<double>& sorted, const std::string& what) {
  const double n = static_cast<double>(sorted.size());
  const double slack = summary.rank_error() * n + 1.0;
  for (int k = 0; k <= 100; ++k) {
    const double p = k / 100.0;
    const double q = summary.quantile(p);
    const double below = static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), q) - sorted.begin());
    const double at_most = static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), q) - sorted.begin());
    const double h = p * (n - 1.0);
    EXPECT_LE(below, h + slack) << what << " p=" << p;
    EXPECT_GE(at_most, h - slack) << what << " p=" << p;
  }
}

// For every value: counted <= true <= counted + count_error; the bound is at most n / (k + 1).
template <class Value>
void expect_count_bound(const ValueTable<Value>& table, const std::map<Value, std::int64_t>& truth, std::int64_t n,
                        std::size_t k, const std::string& what) {
  EXPECT_LE(table.count_error, n / static_cast<std::int64_t>(k + 1)) << what;
  std::map<Value, std::int64_t> counted;
  for (const auto& e : table.entries) counted[e.value] = e.count;
  for (const auto& [value, count] : truth) {
    const std::int64_t c = counted.contains(value) ? counted[value] : 0;
    EXPECT_LE(c, count) << what;
    EXPECT_LE(count, c + table.count_error) << what;
  }
}

std::map<double, std::int64_t> value_counts(const std::vector<double>& x) {
  std::map<double, std::int64_t> counts;
  for (double v : x) {
    if (!std::isnan(v)) ++counts[v + 0.0];
  }
  return counts;
}

}  // namespace

TEST(QualitySketch, BoundsHoldOnAdversarialColumns) {
  const std::size_t n = 100'000;  // 7 blocks: three levels of merges
  for (const auto& [name, x] : adversarial(n)) {
    const auto sketch = sketch_numeric(ColumnView::numeric(name, x), sketch_options());
    const auto p = to_profile(sketch, sketch_options());
    const auto f = finite_sorted(x);
    EXPECT_LT(sketch.summary.rank_error(), 0.005) << name;
    expect_rank_bound(sketch.summary, f, name);
    expect_count_bound(p.values, value_counts(x), p.count - p.missing, 64, name);
    // Exact parts: counts and extremes.
    EXPECT_EQ(p.missing,
              static_cast<std::int64_t>(std::count_if(x.begin(), x.end(), [](double v) { return std::isnan(v); })));
    EXPECT_EQ(p.finite(), static_cast<std::int64_t>(f.size())) << name;
    EXPECT_EQ(p.min, f.front()) << name;
    EXPECT_EQ(p.max, f.back()) << name;
    // Columns of few distinct values are counted exactly, the others summarised.
    const auto distinct = static_cast<double>(value_counts(x).size());
    const auto exact = profile_numeric(ColumnView::numeric(name, x));
    EXPECT_EQ(p.quantiles_exact, distinct <= static_cast<double>(kSketchExactValues)) << name;
    if (p.quantiles_exact) {
      EXPECT_EQ(p.quantiles, exact.quantiles) << name;
    }
    if (p.distinct_exact) {
      EXPECT_EQ(p.distinct, static_cast<std::int64_t>(distinct)) << name;
    } else {  // four standard errors of HyperLogLog at precision 12
      EXPECT_NEAR(static_cast<double>(p.distinct), distinct, distinct * 4 * 1.04 / 64.0) << name;
    }
    // The moments match the exact profile up to rounding.
    EXPECT_NEAR(p.mean, exact.mean, 1e-12 * std::max(1.0, std::abs(exact.max - exact.min))) << name;
    EXPECT_NEAR(p.std_dev(), exact.std_dev(), 1e-9 * std::max(1e-300, exact.std_dev())) << name;
  }
}

TEST(QualitySketch, RowOrderDoesNotChangeTheEstimates) {
  // The value buckets, exact counts and HyperLogLog registers do not depend on the order of the
  // rows (nor on where the blocks start), so neither do the summary and the counters.
  std::mt19937_64 rng(13);
  for (auto& [name, x] : adversarial(50'000)) {
    const auto a = sketch_numeric(ColumnView::numeric(name, x), sketch_options());
    std::shuffle(x.begin(), x.end(), rng);
    const auto b = sketch_numeric(ColumnView::numeric(name, x), sketch_options());
    EXPECT_EQ(a.summary.values(), b.summary.values()) << name;
    EXPECT_EQ(a.summary.weights(), b.summary.weights()) << name;
    EXPECT_EQ(a.summary.rank_error(), b.summary.rank_error()) << name;
    EXPECT_EQ(a.values.values(), b.values.values()) << name;
    EXPECT_EQ(a.values.counts(), b.values.counts()) << name;
    EXPECT_EQ(a.values.count_error(), b.values.count_error()) << name;
    EXPECT_EQ(a.distinct.registers(), b.distinct.registers()) << name;
    EXPECT_EQ(a.moments.min, b.moments.min) << name;
    EXPECT_EQ(a.moments.max, b.moments.max) << name;
  }
}

TEST(QualitySketch, SmallColumnsAreExact) {
  const std::vector<double> x{3.0, -1.0, 0.0, NAN, kInf, 2.0, 2.0, -0.0, -kInf};
  const auto s = to_profile(sketch_numeric(ColumnView::numeric("x", x), sketch_options()), sketch_options());
  const auto e = profile_numeric(ColumnView::numeric("x", x));
  EXPECT_TRUE(s.quantiles_exact && s.distinct_exact && s.values.complete && s.histogram_exact);
  EXPECT_EQ(s.quantiles, e.quantiles);
  EXPECT_EQ(s.distinct, e.distinct);
  EXPECT_EQ(s.zeros, e.zeros);
  EXPECT_EQ(s.negatives, e.negatives);
  EXPECT_EQ(s.histogram_counts, e.histogram_counts);
  ASSERT_EQ(s.values.entries.size(), e.values.entries.size());
  for (std::size_t k = 0; k < s.values.entries.size(); ++k) {
    EXPECT_EQ(s.values.entries[k].value, e.values.entries[k].value);
    EXPECT_EQ(s.values.entries[k].count, e.values.entries[k].count);
  }
}

TEST(QualitySketch, HeavyHittersOfAStream) {
  // Two heavy values hidden in a stream of distinct ones, first sorted then shuffled.
  std::vector<double> x;
  x.reserve(40'000);
  for (int i = 0; i < 40'000; ++i) x.push_back(i % 4 == 0 ? -5.0 : (i % 9 == 0 ? 7.0 : i + 100.0));
  for (bool shuffle : {false, true}) {
    if (shuffle) std::shuffle(x.begin(), x.end(), std::mt19937_64(3));
    ProfileOptions o = sketch_options();
    o.tracked_values = 8;
    const auto p = to_profile(sketch_numeric(ColumnView::numeric("x", x), o), o);
    expect_count_bound(p.values, value_counts(x), p.count, 8, "stream");
    ASSERT_GE(p.values.entries.size(), 2u);
    EXPECT_EQ(p.values.entries[0].value, -5.0);
    EXPECT_EQ(p.values.entries[1].value, 7.0);
  }
}

TEST(QualitySketch, MergeOfAnySplitKeepsTheBounds) {
  const std::size_t n = 30'000;
  std::mt19937_64 rng(11);
  for (const auto& [name, x] : adversarial(n)) {
    const auto whole = sketch_numeric(ColumnView::numeric(name, x), sketch_options());
    // Random cut points (empty parts included), parts merged in a shuffled order.
    std::vector<std::size_t> cuts{0, n, 0, n / 3, n / 3};
    for (int k = 0; k < 5; ++k) cuts.push_back(rng() % n);
    std::sort(cuts.begin(), cuts.end());
    std::vector<NumericSketch> parts;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      const std::span<const double> part(x.data() + cuts[k], cuts[k + 1] - cuts[k]);
      parts.push_back(sketch_numeric(ColumnView::numeric(name, part), sketch_options()));
    }
    std::shuffle(parts.begin(), parts.end(), rng);
    NumericSketch merged = parts[0];
    for (std::size_t k = 1; k < parts.size(); ++k) merged = merge(merged, parts[k]);
    EXPECT_EQ(merged.count, whole.count);
    EXPECT_EQ(merged.missing, whole.missing);
    EXPECT_EQ(merged.infinities, whole.infinities);
    EXPECT_EQ(merged.zeros, whole.zeros);
    EXPECT_EQ(merged.negatives, whole.negatives);
    EXPECT_EQ(merged.moments.n, whole.moments.n);
    EXPECT_EQ(merged.moments.min, whole.moments.min);
    EXPECT_EQ(merged.moments.max, whole.moments.max);
    EXPECT_EQ(merged.distinct.registers(), whole.distinct.registers());  // HyperLogLog merges exactly
    const double spread = std::max(1.0, whole.moments.max - whole.moments.min);
    EXPECT_NEAR(merged.moments.mean, whole.moments.mean, 1e-12 * spread) << name;
    EXPECT_NEAR(merged.moments.m2, whole.moments.m2, 1e-9 * std::max(1e-300, whole.moments.m2)) << name;
    expect_rank_bound(merged.summary, finite_sorted(x), name + " merged");
    const auto p = to_profile(merged, sketch_options());
    expect_count_bound(p.values, value_counts(x), p.count - p.missing, 64, name + " merged");
  }
}

TEST(QualitySketch, CategoricalMergeKeepsTheCountBound) {
  std::vector<std::string> labels;
  labels.reserve(300);
  for (int k = 0; k < 300; ++k) labels.push_back("v" + std::to_string(k));
  std::mt19937_64 rng(5);
  std::vector<std::int32_t> codes(20'000);
  std::map<std::string, std::int64_t> truth;
  for (auto& c : codes) {
    c = rng() % 3 == 0 ? 0 : static_cast<std::int32_t>(rng() % 300);
    ++truth[labels[static_cast<std::size_t>(c)]];
  }
  ProfileOptions o = sketch_options();
  o.tracked_values = 16;
  const std::span<const std::int32_t> all(codes);
  auto a = sketch_categorical(ColumnView::categorical("c", all.subspan(0, 7'000), labels), o);
  auto b = sketch_categorical(ColumnView::categorical("c", all.subspan(7'000), labels), o);
  const auto p = to_profile(merge(a, b), o);
  expect_count_bound(p.values, truth, 20'000, 16, "categorical");
  EXPECT_EQ(p.values.entries.front().value, "v0");
  EXPECT_FALSE(p.distinct_exact);
  EXPECT_NEAR(static_cast<double>(p.distinct), 300.0, 300.0 * 0.1);
}

TEST(QualitySketch, BytesRoundTripAndCorruption) {
  const auto data = adversarial(5'000);
  std::vector<ColumnView> views;
  views.reserve(data.size());
  for (const auto& [name, x] : data) views.push_back(ColumnView::numeric(name, x));
  const std::vector<std::string> labels{"a", "b", "c"};
  const std::vector<std::int32_t> codes{0, 1, -1, 2, 2, 0};
  std::vector<std::int32_t> long_codes(5'000);
  for (std::size_t i = 0; i < long_codes.size(); ++i) long_codes[i] = codes[i % codes.size()];
  views.push_back(ColumnView::categorical("cat", long_codes, labels));
  const TableView table(views);
  const TableSketch sketch = sketch_table(table, sketch_options());
  const std::string bytes = to_bytes(sketch);
  EXPECT_EQ(to_bytes(table_sketch_from_bytes(bytes)), bytes);
  // n_jobs invariance: the same bytes on one thread and on two.
  EXPECT_EQ(to_bytes(sketch_table(table, sketch_options(), 1)), bytes);
  EXPECT_EQ(to_bytes(sketch_table(table, sketch_options(), 2)), bytes);
  // Every truncation, and a flipped byte anywhere, is a CorruptedState or a valid state.
  for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 16) {
    EXPECT_THROW(table_sketch_from_bytes(bytes.substr(0, cut)), CorruptedState) << cut;
  }
  for (std::size_t at = 0; at < bytes.size(); at += 1 + at / 32) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    try {
      const TableSketch read = table_sketch_from_bytes(bad);
      validate(read);
    } catch (const CorruptedState& error) {
      EXPECT_NE(std::string(error.what()), "");  // refused by name, never a crash
    }
  }
  std::string version = bytes;
  version[3] = '9';
  EXPECT_THROW(table_sketch_from_bytes(version), CorruptedState);
  EXPECT_THROW(table_sketch_from_bytes(bytes + "x"), CorruptedState);
}

TEST(QualitySketch, ProfileAndCheckSayWhichModeMadeThem) {
  std::vector<double> x(10'000), y(10'000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = i % 50 == 0 ? 1e6 : static_cast<double>(i % 47);
    y[i] = 1.0;
  }
  y[3] = 2.0;
  const std::vector<ColumnView> views{ColumnView::numeric("x", x), ColumnView::numeric("y", y)};
  const TableView table(views);
  EXPECT_FALSE(profile_table(table, sketch_options()).exact);
  EXPECT_TRUE(profile_table(table).exact);
  const CheckResult r = check(table, "", nullptr, {}, {}, sketch_options());
  EXPECT_FALSE(r.profile.exact);
  auto has = [&](const std::string& check, const std::string& text) {
    return std::any_of(r.findings.begin(), r.findings.end(),
                       [&](const Finding& f) { return f.check == check && f.message.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("skipped", "duplicate_rows"));
  EXPECT_TRUE(has("skipped", "outliers_mad"));
  EXPECT_TRUE(has("outliers_iqr", "one-pass estimate"));
  EXPECT_TRUE(has("near_constant", ""));
  EXPECT_FALSE(has("duplicate_rows", ""));
  // The exact check on the same data finds the same IQR outliers (2% of the rows).
  const CheckResult e = check(table, "", nullptr, {}, {}, {});
  const auto share = [](const CheckResult& c) {
    for (const Finding& f : c.findings) {
      if (f.check == "outliers_iqr") return f.value;
    }
    return -1.0;
  };
  EXPECT_NEAR(share(r), share(e), 2 * r.profile.numeric[0].summary.rank_error());
}
