// Column drift from merged sketches (drift/sketched.hpp): the stated bounds hold against the
// exact tests on adversarial samples, merges do not depend on the split, bytes are validated.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::drift;
using DriftTest = assay::drift::Test;

namespace {

ColumnSketch sketch_of(const std::vector<double>& values, const std::vector<double>& edges = {}) {
  return sketch_column(ColumnView::numeric("x", values), edges);
}

// The state of `values` cut into `parts` pieces, merged left to right.
ColumnSketch sketch_in_parts(const std::vector<double>& values, std::size_t parts,
                             const std::vector<double>& edges = {}) {
  ColumnSketch merged = sketch_of({}, edges);
  const std::size_t n = values.size();
  for (std::size_t p = 0; p < parts; ++p) {
    const std::vector<double> piece(values.begin() + static_cast<std::ptrdiff_t>(p * n / parts),
                                    values.begin() + static_cast<std::ptrdiff_t>((p + 1) * n / parts));
    merged = merge(merged, sketch_of(piece, edges));
  }
  return merged;
}

struct Pair {
  std::string name;
  std::vector<double> x, y;
};

std::vector<Pair> adversarial() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<Pair> out;
  auto draw = [&](std::size_t n, double shift, double scale) {
    std::vector<double> v(n);
    for (double& x : v) x = shift + scale * normal(rng);
    return v;
  };
  out.push_back({"normal", draw(3000, 0, 1), draw(2000, 0.2, 1)});
  out.push_back({"far from zero", draw(3000, 1e6, 1), draw(2500, 1e6 + 0.1, 1)});
  std::vector<double> sorted = draw(4000, 5, 2);
  std::sort(sorted.begin(), sorted.end());
  out.push_back({"sorted", sorted, draw(300, 5, 3)});
  out.push_back({"all equal", std::vector<double>(500, 3.5), std::vector<double>(700, 3.5)});
  std::vector<double> two(1000), two_c(900);
  for (std::size_t i = 0; i < two.size(); ++i) two[i] = i % 3 == 0 ? -1.0 : 2.0;
  for (std::size_t i = 0; i < two_c.size(); ++i) two_c[i] = i % 2 == 0 ? -1.0 : 2.0;
  out.push_back({"two points", two, two_c});
  std::vector<double> ties = draw(3000, 0, 3), ties_c = draw(2000, 1, 3);
  for (double& v : ties) v = std::round(v * 20) / 20;  // heavy ties inside grid cells
  for (double& v : ties_c) v = std::round(v * 20) / 20;
  out.push_back({"heavy ties", ties, ties_c});
  out.push_back({"very different sizes", draw(5000, 0, 1), draw(12, 0.5, 1)});
  std::vector<double> close(2000), close_c(2000);
  for (std::size_t i = 0; i < close.size(); ++i) close[i] = 1.0 + static_cast<double>(i % 7) * 1e-9;
  for (std::size_t i = 0; i < close_c.size(); ++i) close_c[i] = 1.0 + static_cast<double>(i % 5) * 1e-9;
  out.push_back({"distinct values in one cell", close, close_c});
  return out;
}

// The merged states of both samples, refined as the Dask call does.
std::pair<ColumnSketch, ColumnSketch> states(const Pair& p, std::size_t parts) {
  ColumnSketch r = sketch_in_parts(p.x, parts), c = sketch_in_parts(p.y, parts);
  if (needs_refinement(r, c)) {
    const std::vector<double> edges = refined_edges(r, c);
    r = sketch_in_parts(p.x, parts, edges);
    c = sketch_in_parts(p.y, parts, edges);
  }
  return {r, c};
}

void expect_within(double exact, double estimate, double bound, const std::string& what) {
  EXPECT_LE(std::fabs(exact - estimate), bound + 1e-12 * std::fabs(exact)) << what;
}

void expect_inside(double exact, double low, double high, const std::string& what) {
  EXPECT_GE(exact, low - 1e-12) << what;
  EXPECT_LE(exact, high + 1e-12) << what;
}

}  // namespace

TEST(DriftSketch, BoundsHoldOnAdversarialSamples) {
  for (const Pair& p : adversarial()) {
    const auto [r, c] = states(p, 5);
    const SortedSample x = SortedSample::sort(p.x, "x"), y = SortedSample::sort(p.y, "y");
    const AlignedBins bins = align(r, c);
    const Interval ks = ks_statistic_interval(bins);
    expect_inside(ks_2samp(x, y).statistic, ks.low, ks.high, p.name + " ks");
    const Interval w = wasserstein_interval(bins);
    const double exact_w = wasserstein(x, y);
    expect_inside(exact_w, w.low - 1e-9 * exact_w, w.high + 1e-9 * exact_w, p.name + " wasserstein");
    const Interval e = energy_distance_interval(bins);
    const double exact_e = energy_distance(x, y);
    expect_inside(exact_e, e.low - 1e-9 * exact_e, e.high + 1e-9 * exact_e, p.name + " energy");
    const Interval u = mann_whitney_u_interval(bins);
    expect_inside(mann_whitney_u(x, y).statistic, u.low, u.high, p.name + " U");
    const Interval cvm = cramer_von_mises_u_interval(bins);
    const double n = static_cast<double>(x.size()), m = static_cast<double>(y.size());
    const double t = cramer_von_mises_2samp(x, y).statistic;
    const double exact_u = (t + (4 * n * m - 1) / (6 * (n + m))) * n * m * (n + m);
    expect_inside(exact_u, cvm.low - 1e-9 * exact_u, cvm.high + 1e-9 * exact_u, p.name + " CvM U");
    for (const DriftTest test : {DriftTest::ks, DriftTest::wasserstein, DriftTest::energy_distance, DriftTest::mannw,
                                 DriftTest::mannwhitneyu, DriftTest::cramer_von_mises}) {
      if (!sketch_supports(test, r, c)) continue;
      const ColumnDrift exact = compare_columns("x", prepare_column(ColumnView::numeric("x", p.x)),
                                                prepare_column(ColumnView::numeric("x", p.y)), test, kNaN);
      const ColumnDrift sketched = compare_sketches("x", r, c, test, kNaN);
      const std::string what = p.name + " " + test_name(test);
      EXPECT_FALSE(sketched.exact) << what;
      EXPECT_EQ(sketched.n_reference, exact.n_reference) << what;
      expect_within(exact.statistic, sketched.statistic, sketched.statistic_bound, what);
      if (test_gives_pvalue(test)) {
        expect_inside(exact.pvalue, sketched.pvalue_low, sketched.pvalue_high, what + " p-value");
        expect_inside(sketched.pvalue, sketched.pvalue_low, sketched.pvalue_high, what + " point p-value");
      }
    }
  }
}

TEST(DriftSketch, AtomsAreExact) {
  // Every bin holds one value: the intervals are points, the count tests equal the exact ones.
  const Pair p = adversarial()[4];  // two points
  const auto [r, c] = states(p, 3);
  const AlignedBins bins = align(r, c);
  EXPECT_TRUE(bins.all_atoms());
  const Interval ks = ks_statistic_interval(bins);
  EXPECT_EQ(ks.low, ks.high);
  const Interval u = mann_whitney_u_interval(bins);
  EXPECT_EQ(u.low, u.high);
  for (const DriftTest test :
       {DriftTest::chisquare, DriftTest::z, DriftTest::jensenshannon, DriftTest::psi, DriftTest::g_test}) {
    ASSERT_TRUE(sketch_supports(test, r, c)) << test_name(test);
    const ColumnDrift exact = compare_columns("x", prepare_column(ColumnView::numeric("x", p.x)),
                                              prepare_column(ColumnView::numeric("x", p.y)), test, kNaN);
    const ColumnDrift sketched = compare_sketches("x", r, c, test, kNaN);
    EXPECT_TRUE(sketched.exact);
    EXPECT_EQ(sketched.statistic, exact.statistic) << test_name(test);
    EXPECT_TRUE(sketched.pvalue == exact.pvalue || (std::isnan(sketched.pvalue) && std::isnan(exact.pvalue)));
    EXPECT_EQ(sketched.method, exact.method);
  }
  EXPECT_EQ(resolve_sketch_test("x", r, c), DriftTest::z);
}

TEST(DriftSketch, MergeDoesNotDependOnTheSplit) {
  for (const Pair& p : adversarial()) {
    const std::string one = to_bytes(states(p, 1).first);
    EXPECT_EQ(to_bytes(states(p, 3).first), one) << p.name;
    EXPECT_EQ(to_bytes(states(p, 17).first), one) << p.name;
    std::vector<double> shuffled = p.x;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(3));
    Pair q = p;
    q.x = shuffled;
    EXPECT_EQ(to_bytes(states(q, 7).first), one) << p.name;
  }
}

TEST(DriftSketch, CategoricalCountsEqualTheExactTests) {
  const std::vector<std::string> labels = {"b", "a", "c"};
  const std::vector<std::int32_t> x = {0, 1, 1, 2, -1, 0, 0, 1, 2, 2, 2, 0}, y = {1, 1, 1, 0, 2, -1, -1, 1};
  const ColumnView cx = ColumnView::categorical("k", x, labels), cy = ColumnView::categorical("k", y, labels);
  const ColumnSketch r = sketch_column(cx), c = sketch_column(cy);
  for (const DriftTest test : {DriftTest::chisquare, DriftTest::psi, DriftTest::jensenshannon, DriftTest::z,
                               DriftTest::tvd, DriftTest::g_test}) {
    const ColumnDrift exact = compare_columns("k", prepare_column(cx), prepare_column(cy), test, kNaN);
    const ColumnDrift sketched = compare_sketches("k", r, c, test, kNaN);
    EXPECT_TRUE(sketched.exact);
    EXPECT_TRUE(sketched.statistic == exact.statistic ||
                (std::isnan(sketched.statistic) && std::isnan(exact.statistic)))
        << test_name(test);
    EXPECT_EQ(sketched.missing_reference, 1U);
    EXPECT_EQ(sketched.note, exact.note);
  }
}

TEST(DriftSketch, BytesRoundTripAndCorruption) {
  const std::vector<std::string> labels = {"b", "a"};
  const std::vector<std::int32_t> codes = {0, 1, -1, 1};
  for (const ColumnSketch& s :
       {sketch_of({1.0, 2.5, -3.0, std::nan(""), 1e300}), sketch_column(ColumnView::categorical("k", codes, labels))}) {
    const std::string bytes = to_bytes(s);
    EXPECT_EQ(to_bytes(column_sketch_from_bytes(bytes)), bytes);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut)
      EXPECT_THROW(column_sketch_from_bytes(bytes.substr(0, cut)), CorruptedState) << cut;
    // The exact sums' middle limbs (the last bytes) can change without a trace, as a low bit
    // of a count can: the share refused is counted over the other bytes.
    const std::size_t sums =
        s.numeric ? 8 * (6 + trim_limbs(s.moments.sum).second.size() + trim_limbs(s.moments.squares).second.size()) : 0;
    std::size_t refused = 0, refused_sums = 0;
    for (std::size_t at = 0; at < bytes.size(); ++at) {
      std::string flipped = bytes;
      flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
      try {
        validate(column_sketch_from_bytes(flipped));  // a valid state, or...
      } catch (const CorruptedState&) {
        ++(at + sums >= bytes.size() ? refused_sums : refused);  // ...a clear error, never a crash
      }
    }
    EXPECT_GT(refused, (bytes.size() - sums) / 2);
    if (s.numeric) {
      EXPECT_GT(refused_sums, 16U);  // the limbs' positions and counts, the top limbs
    }
  }
  EXPECT_THROW(merge(sketch_of({1.0}), sketch_of({1.0}, {0.0, 2.0})), InvalidArgument);
}

TEST(DriftSketch, SturgesBinsGiveTheExactDistances) {
  for (const Pair& p : adversarial()) {
    const ColumnSketch r = sketch_in_parts(p.x, 4), c = sketch_in_parts(p.y, 4);
    const PreparedColumn px = prepare_column(ColumnView::numeric("x", p.x));
    const PreparedColumn py = prepare_column(ColumnView::numeric("x", p.y));
    const std::vector<double> edges = refined_edges(r, c, true);
    const ColumnSketch sr = sketch_in_parts(p.x, 3, edges), sc = sketch_in_parts(p.y, 5, edges);
    for (const DriftTest test :
         {DriftTest::psi, DriftTest::kl_div, DriftTest::jensenshannon, DriftTest::hellinger, DriftTest::tvd}) {
      const ColumnDrift exact = compare_columns("x", px, py, test, kNaN);
      const std::string what = p.name + " " + test_name(test);
      // Sturges bins for a reference of more than 20 distinct values; else one bin per value
      // (then the Sturges states answer only when every bin holds one value).
      if (exact.method == "sturges") {
        ASSERT_TRUE(sketch_supports(test, sr, sc)) << what;
      }
      if (!sketch_supports(test, sr, sc)) continue;
      const ColumnDrift sketched = compare_sketches("x", sr, sc, test, kNaN);
      EXPECT_TRUE(sketched.exact) << what;
      EXPECT_EQ(sketched.statistic, exact.statistic) << what;
      EXPECT_EQ(sketched.method, exact.method) << what;
      EXPECT_EQ(sketched.drifted, exact.drifted) << what;
    }
  }
}

namespace {

// The exact Anderson-Darling result, and the sketched one from `r` and `c`: the exact
// statistic within the stated bound, its p-value in the interval; exact and equal when every
// bin is an atom.
void expect_anderson_holds(const Pair& p, const ColumnSketch& r, const ColumnSketch& c, const std::string& what) {
  const ColumnDrift exact = compare_columns("x", prepare_column(ColumnView::numeric("x", p.x)),
                                            prepare_column(ColumnView::numeric("x", p.y)), DriftTest::anderson, kNaN);
  ASSERT_TRUE(sketch_supports(DriftTest::anderson, r, c)) << what;
  const ColumnDrift sketched = compare_sketches("x", r, c, DriftTest::anderson, kNaN);
  if (std::isnan(exact.statistic)) {  // one distinct value
    EXPECT_TRUE(std::isnan(sketched.statistic)) << what;
    EXPECT_EQ(sketched.note, exact.note) << what;
    return;
  }
  if (align(r, c).all_atoms()) {
    EXPECT_TRUE(sketched.exact) << what;
    EXPECT_EQ(sketched.statistic, exact.statistic) << what;
    EXPECT_EQ(sketched.pvalue, exact.pvalue) << what;
    EXPECT_EQ(sketched.method, exact.method) << what;
    return;
  }
  EXPECT_FALSE(sketched.exact) << what;
  expect_within(exact.statistic, sketched.statistic, sketched.statistic_bound, what);
  expect_inside(exact.pvalue, sketched.pvalue_low, sketched.pvalue_high, what + " p-value");
  expect_inside(sketched.pvalue, sketched.pvalue_low, sketched.pvalue_high, what + " point p-value");
}

}  // namespace

TEST(DriftSketch, AndersonDarlingBoundHolds) {
  std::vector<Pair> pairs = adversarial();
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::cauchy_distribution<double> cauchy(0.0, 1.0);
  // One grid cell holds every value (the first and last bins are the heaviest), heavy tails,
  // and a sample inside the other's tail.
  std::vector<double> cell(3000), cell_c(2000), heavy(3000), heavy_c(2500), tail(2000), tail_c(300);
  for (double& v : cell) v = 1000 + uniform(rng);
  for (double& v : cell_c) v = 1000 + uniform(rng) * uniform(rng);
  for (double& v : heavy) v = cauchy(rng);
  for (double& v : heavy_c) v = 2 * cauchy(rng);
  for (double& v : tail) v = uniform(rng);
  for (double& v : tail_c) v = 0.99 + 0.01 * uniform(rng);
  pairs.push_back({"one grid cell", cell, cell_c});
  pairs.push_back({"heavy tails", heavy, heavy_c});
  pairs.push_back({"in the other's tail", tail, tail_c});
  for (const Pair& p : pairs) {
    const auto [r, c] = states(p, 5);
    expect_anderson_holds(p, r, c, p.name + " refined");
    // The grid states alone: coarse bins, the bounds at their widest.
    expect_anderson_holds(p, sketch_in_parts(p.x, 3), sketch_in_parts(p.y, 2), p.name + " grid");
    const AlignedBins bins = align(r, c);
    if (bins.low.size() > 1 || !bins.all_atoms()) {
      const Interval a = anderson_darling_a2kn_interval(bins);
      EXPECT_LE(a.low, a.high) << p.name;
    }
  }
}

TEST(DriftSketch, AndersonDarlingBoundHoldsOnGeneratedData) {
  // Small samples of few distinct values on a coarse grid: many ties inside non-atom bins.
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 2 + rng() % 40, m = 2 + rng() % 40;
    const double spread = 1.0 + static_cast<double>(rng() % 6), offset = static_cast<double>(rng() % 3);
    std::uniform_int_distribution<int> level(0, static_cast<int>(spread));
    Pair p{"trial " + std::to_string(trial), std::vector<double>(n), std::vector<double>(m)};
    for (double& v : p.x) v = 1 + level(rng) * 1e-3;
    for (double& v : p.y) v = 1 + (level(rng) + offset) * 1e-3;
    expect_anderson_holds(p, sketch_in_parts(p.x, 2), sketch_in_parts(p.y, 3), p.name);
  }
}

TEST(DriftSketch, AndersonDarlingPValueDoesNotIncreaseWithTheStatistic) {
  // What the p-value interval of the sketched test relies on, for two samples.
  for (const double sizes_n : {5.0, 40.0, 1e4}) {
    const double sizes[2] = {sizes_n, 2 * sizes_n + 1};
    std::vector<double> a2kn(12000);
    for (std::size_t step = 0; step < a2kn.size(); ++step) a2kn[step] = static_cast<double>(step) * 0.001;
    double previous = 1.0, last_statistic = -std::numeric_limits<double>::infinity();
    for (const AndersonResult& r : anderson_ksamp_from_a2kn(a2kn, sizes)) {
      EXPECT_GT(r.statistic, last_statistic);
      EXPECT_LE(r.pvalue, previous) << r.statistic;
      previous = r.pvalue;
      last_statistic = r.statistic;
    }
  }
}

TEST(DriftSketch, TTestFromMergedMomentsEqualsTheExactTest) {
  for (const Pair& p : adversarial()) {
    const ColumnDrift exact = compare_columns("x", prepare_column(ColumnView::numeric("x", p.x)),
                                              prepare_column(ColumnView::numeric("x", p.y)), DriftTest::t_test, kNaN);
    for (const std::size_t parts : {1U, 3U, 17U}) {
      const auto [r, c] = states(p, parts);
      ASSERT_TRUE(sketch_supports(DriftTest::t_test, r, c));
      const ColumnDrift sketched = compare_sketches("x", r, c, DriftTest::t_test, kNaN);
      const std::string what = p.name + " in " + std::to_string(parts);
      EXPECT_TRUE(sketched.exact) << what;
      EXPECT_TRUE(sketched.statistic == exact.statistic ||
                  (std::isnan(sketched.statistic) && std::isnan(exact.statistic)))
          << what;
      EXPECT_TRUE(sketched.pvalue == exact.pvalue || (std::isnan(sketched.pvalue) && std::isnan(exact.pvalue))) << what;
      EXPECT_EQ(sketched.note, exact.note) << what;
    }
  }
}

TEST(DriftSketch, CorruptedMomentsAreRefused) {
  ColumnSketch s = sketch_of({1.0, 2.0, 3.0});
  s.moments.sum[20] = 1;  // a sum far outside the bins
  EXPECT_THROW(validate(s), CorruptedState);
  s = sketch_of({1.0, 2.0, 3.0});
  s.moments.squares.back() = std::uint64_t{1} << 63;  // a negative sum of squares
  EXPECT_THROW(validate(s), CorruptedState);
  s = sketch_of({1.0, 2.0, 3.0});
  s.moments.add(1.0);  // moments of four values in a state of three
  EXPECT_THROW(validate(s), CorruptedState);
}

// Any strictly ascending edges (several per grid cell, cells without edges, values beyond
// every edge): each value's bin is the number of edges <= it, as std::upper_bound counts.
TEST(DriftSketch, BinsOnGivenEdgesMatchAPlainSearch) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::vector<double> values(20000);
  for (double& v : values) v = normal(rng);
  values[0] = -1e300;
  values[1] = 1e300;
  values[2] = 0.0;
  values[3] = -0.0;
  for (const std::size_t n_edges : {1, 2, 7, 300, 5000}) {
    std::vector<double> edges(n_edges);
    for (double& e : edges) e = std::round(normal(rng) * 64) / 64;  // ties among draws, then made unique
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    const ColumnSketch sketch = sketch_of(values, edges);
    std::vector<std::uint64_t> expected(edges.size() + 1, 0);
    for (const double v : values)
      ++expected[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin())];
    std::vector<std::uint64_t> got(edges.size() + 1, 0);
    for (std::size_t k = 0; k < sketch.keys.size(); ++k) got[sketch.keys[k]] = sketch.counts[k];
    EXPECT_EQ(got, expected) << n_edges << " edges";
  }
}
