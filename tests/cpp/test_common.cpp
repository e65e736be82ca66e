#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "assay/assay.hpp"

using namespace assay;

TEST(Table, RejectsMismatchedLengthsAndDuplicateNames) {
  std::vector<double> a{1, 2, 3}, b{1, 2};
  EXPECT_THROW(TableView({ColumnView::numeric("a", a), ColumnView::numeric("b", b)}), InvalidArgument);
  EXPECT_THROW(TableView({ColumnView::numeric("a", a), ColumnView::numeric("a", a)}), InvalidArgument);
  TableView t({ColumnView::numeric("a", a)});
  EXPECT_EQ(t.n_rows(), 3u);
  EXPECT_EQ(t.find("a"), 0);
  EXPECT_EQ(t.find("zz"), -1);
}

TEST(Table, RejectsOutOfRangeCodes) {
  std::vector<std::int32_t> codes{0, 1, 2};
  std::vector<std::string> labels{"x", "y"};
  try {
    TableView t({ColumnView::categorical("c", codes, labels)});
    FAIL() << "expected an error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'c'"), std::string::npos);
  }
  std::vector<std::int32_t> negative{-2};
  EXPECT_THROW(TableView({ColumnView::categorical("c", negative, labels)}), InvalidArgument);
}

TEST(Table, MatrixTableHoldsTheColumnsOfARowMajorMatrix) {
  const std::vector<double> rows{1, 2, 3, 4, 5, 6};  // 2 rows x 3 columns
  const MatrixTable table(rows, 2, 3);
  ASSERT_EQ(table.view().n_columns(), 3u);
  EXPECT_EQ(table.view().n_rows(), 2u);
  EXPECT_EQ(table.view().column(1).name, "x1");
  EXPECT_EQ(std::vector<double>(table.view().column(0).values.begin(), table.view().column(0).values.end()),
            (std::vector<double>{1, 4}));
  EXPECT_EQ(std::vector<double>(table.view().column(2).values.begin(), table.view().column(2).values.end()),
            (std::vector<double>{3, 6}));
  // float32 values widen exactly; a move keeps the view on the moved buffer.
  const std::vector<float> narrow{0.1f, 0.2f};
  MatrixTable source(narrow, 1, 2);
  const MatrixTable moved(std::move(source));
  EXPECT_EQ(moved.view().column(1).values[0], static_cast<double>(0.2f));
  EXPECT_THROW(MatrixTable(rows, 4, 2), InvalidArgument);
  EXPECT_THROW(MatrixTable(rows, 1, 4), InvalidArgument);
  EXPECT_EQ(MatrixTable(std::span<const double>{}, 0, 2).view().n_rows(), 0u);
}

TEST(Parallel, RethrowsTheFirstErrorAndResolvesThreads) {
  EXPECT_GE(resolve_threads(0), 1);
  EXPECT_EQ(resolve_threads(3), 3);
  EXPECT_THROW(parallel_for(100, 2,
                            [](std::ptrdiff_t i) {
                              if (i == 37) throw InvalidArgument("boom");
                            }),
               InvalidArgument);
  std::vector<int> hits(1000, 0);
  parallel_for(1000, 2, [&](std::ptrdiff_t i) { hits[static_cast<std::size_t>(i)]++; });
  EXPECT_EQ(std::accumulate(hits.begin(), hits.end(), 0), 1000);
}

TEST(Rng, StreamDependsOnlyOnSeedAndBlock) {
  CounterRng a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
    EXPECT_NE(x, d.next());
  }
}

TEST(Rng, UniformAndBoundedDrawsAreInRangeAndUnbiased) {
  CounterRng rng(1, 0);
  std::vector<int> counts(7, 0);
  double sum = 0;
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    const auto k = rng.below(7);
    ASSERT_LT(k, 7u);
    counts[k]++;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.01);
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * std::sqrt(n / 7.0));
}

TEST(Hash, EqualValuesHashEqually) {
  EXPECT_EQ(hash_double(0.0), hash_double(-0.0));
  EXPECT_EQ(hash_double(std::nan("1")), hash_double(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_NE(hash_double(1.0), hash_double(2.0));
  const std::string owned = "abc";
  EXPECT_EQ(hash_string("abc"), hash_string(owned));
  EXPECT_NE(hash_string("abc"), hash_string("abd"));
}

TEST(Hash, RowHashesUseLabelsNotCodesAndIgnoreThreadCount) {
  std::vector<std::int32_t> codes_a{0, 1, -1}, codes_b{1, 0, -1};
  std::vector<std::string> labels_a{"x", "y"}, labels_b{"y", "x"};
  std::vector<double> v{1.5, 2.5, NAN};
  TableView a({ColumnView::numeric("v", v), ColumnView::categorical("c", codes_a, labels_a)});
  TableView b({ColumnView::numeric("v", v), ColumnView::categorical("c", codes_b, labels_b)});
  std::vector<std::size_t> cols{0, 1};
  EXPECT_EQ(hash_rows(a, cols, 1), hash_rows(b, cols, 2));
}

TEST(HyperLogLog, EstimatesWithinStatedErrorAndMerges) {
  HyperLogLog a, b, both;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const auto h = mix64(i);
    (i % 2 ? a : b).add_hash(h);
    both.add_hash(h);
  }
  EXPECT_NEAR(both.estimate(), 100000, 100000 * 0.05);
  a.merge(b);
  EXPECT_EQ(a.registers(), both.registers());
  HyperLogLog small;
  for (std::uint64_t i = 0; i < 100; ++i) small.add_hash(mix64(i));
  EXPECT_NEAR(small.estimate(), 100, 3);
  EXPECT_THROW(HyperLogLog(3), InvalidArgument);
  EXPECT_THROW(a.merge(HyperLogLog(10)), InvalidArgument);
  EXPECT_THROW(HyperLogLog::from_registers(std::vector<std::uint8_t>(100)), InvalidArgument);
  auto copy = HyperLogLog::from_registers(a.registers());
  EXPECT_EQ(copy.estimate(), a.estimate());
}

TEST(Sort, HandlesTiesNarrowRangesAndOutliers) {
  std::mt19937_64 gen(9);
  std::uniform_int_distribution<int> small(0, 5);
  for (std::size_t n : {0u, 1u, 47u, 48u, 1000u, 70000u}) {
    std::vector<double> ties(n), narrow(n), outlier(n);
    for (std::size_t i = 0; i < n; ++i) {
      ties[i] = small(gen);
      narrow[i] = 50.0 + small(gen) * 1e-9;
      outlier[i] = i % 1000 == 0 ? 1e300 : static_cast<double>(gen() % 1000) / 7.0;
    }
    for (auto* v : {&ties, &narrow, &outlier}) {
      auto expected = *v;
      std::sort(expected.begin(), expected.end());
      sort_values(*v);
      EXPECT_EQ(*v, expected) << "n=" << n;
    }
  }
}

TEST(Sort, MatchesStdSort) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> normal(0, 1e3);
  std::vector<double> values(100000);
  for (auto& v : values) v = normal(gen);
  values[5] = std::numeric_limits<double>::infinity();
  values[6] = -std::numeric_limits<double>::infinity();
  values[7] = -0.0;
  values[8] = std::numeric_limits<double>::denorm_min();
  auto expected = values;
  std::sort(expected.begin(), expected.end());
  sort_values(values);
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(values[i]), std::bit_cast<std::uint64_t>(expected[i])) << i;
  }
}

// Both strategies of NonMissingSorter (counting for long columns with few distinct
// values, sorting otherwise) give the non-NaN values ascending with -0.0 as 0.0.
TEST(Sort, NonMissingSorterCountsOrSortsAlike) {
  std::mt19937_64 gen(11);
  NonMissingSorter sorter;  // reused across columns, as the engines do
  for (const std::size_t distinct :
       {std::size_t{3}, std::size_t{5000}, std::size_t{16384}, std::size_t{16385}, std::size_t{200000}}) {
    for (const std::size_t n : {std::size_t{10}, std::size_t{70000}}) {
      std::vector<double> column(n);
      const std::size_t half = distinct / 2;
      for (auto& x : column) x = static_cast<double>(gen() % distinct) - static_cast<double>(half);
      column[1] = std::numeric_limits<double>::quiet_NaN();
      column[2] = -0.0;
      column[3] = std::numeric_limits<double>::infinity();
      column[4] = -std::numeric_limits<double>::infinity();
      column[n - 1] = std::numeric_limits<double>::quiet_NaN();
      std::vector<double> expected;
      for (double x : column) {
        if (!std::isnan(x)) expected.push_back(x == 0.0 ? 0.0 : x);
      }
      std::sort(expected.begin(), expected.end());
      const OrderedValues sorted = sorter.sort(column);
      // Long columns of at most 2^14 distinct values are counted into runs.
      std::vector<double> distinct_values = expected;
      const auto observed = static_cast<std::size_t>(std::unique(distinct_values.begin(), distinct_values.end()) -
                                                     distinct_values.begin());
      EXPECT_EQ(sorted.by_runs, n >= 65536 && observed <= 16384) << "distinct=" << distinct << " n=" << n;
      ASSERT_EQ(sorted.size(), expected.size()) << "distinct=" << distinct << " n=" << n;
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(sorted[i]), std::bit_cast<std::uint64_t>(expected[i]))
            << "distinct=" << distinct << " n=" << n << " i=" << i;
      }
      for (const double x : {-1e300, -2.5, -1.0, 0.0, 1.0, 3.5, std::numeric_limits<double>::infinity()}) {
        const auto below =
            static_cast<std::size_t>(std::lower_bound(expected.begin(), expected.end(), x) - expected.begin());
        const auto at_most =
            static_cast<std::size_t>(std::upper_bound(expected.begin(), expected.end(), x) - expected.begin());
        ASSERT_EQ(sorted.count_below(x), below) << "distinct=" << distinct << " n=" << n << " x=" << x;
        ASSERT_EQ(sorted.count_at_most(x), at_most) << "distinct=" << distinct << " n=" << n << " x=" << x;
      }
    }
  }
  EXPECT_TRUE(sorter.sort(std::vector<double>{}).empty());
}

TEST(Sort, PairsAreStable) {
  std::vector<std::uint64_t> keys(5000), payload(5000);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i] = mix64(i % 97);
    payload[i] = i;
  }
  sort_pairs(keys, payload);
  for (std::size_t i = 1; i < keys.size(); ++i) {
    ASSERT_LE(keys[i - 1], keys[i]);
    if (keys[i - 1] == keys[i]) {
      ASSERT_LT(payload[i - 1], payload[i]);
    }
  }
}

TEST(QuantileSummary, ExactWhenSmallAndBoundedAfterMerges) {
  std::vector<double> small{1, 2, 3, 4};
  auto s = QuantileSummary::from_sorted(small);
  EXPECT_EQ(s.rank_error(), 0.0);
  EXPECT_DOUBLE_EQ(s.quantile(0.5), 2.5);
  EXPECT_DOUBLE_EQ(s.quantile(0.0), 1.0);
  EXPECT_DOUBLE_EQ(s.quantile(1.0), 4.0);

  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> all;
  QuantileSummary merged;
  for (int part = 0; part < 8; ++part) {
    std::vector<double> chunk(20000);
    for (auto& x : chunk) x = u(gen);
    std::sort(chunk.begin(), chunk.end());
    auto piece = QuantileSummary::from_sorted(chunk, 256);
    merged = part == 0 ? piece : merged.merged(piece);
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_DOUBLE_EQ(merged.total_weight(), static_cast<double>(all.size()));
  for (double p : {0.01, 0.1, 0.5, 0.9, 0.99}) {
    const double q = merged.quantile(p);
    const double rank = static_cast<double>(std::lower_bound(all.begin(), all.end(), q) - all.begin()) / all.size();
    EXPECT_NEAR(rank, p, merged.rank_error() + 1e-9) << "p=" << p;
  }
  EXPECT_THROW(QuantileSummary::from_points({2, 1}, {1, 1}, 0), InvalidArgument);
  EXPECT_THROW(QuantileSummary::from_points({1, 2}, {1, 0}, 0), InvalidArgument);
}

TEST(Progress, StopsWhenTheCallbackSaysSo) {
  Progress quiet;
  EXPECT_NO_THROW(quiet.report(1, 2));
  Progress stop([](std::size_t done, std::size_t) { return done < 3; });
  EXPECT_NO_THROW(stop.report(2, 5));
  EXPECT_THROW(stop.report(3, 5), Interrupted);
}

TEST(ExactMoments, SumsDoNotDependOnOrderOrGrouping) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> values = {1e300, -1e300, 5e-324, -1e-310, 0.1, -0.0, 1e-200, 3.0};
  for (int i = 0; i < 3000; ++i) values.push_back(1e6 + normal(rng));
  ExactMoments whole;
  for (const double v : values) whole.add(v);
  EXPECT_TRUE(whole.consistent(values.size()));
  std::shuffle(values.begin(), values.end(), rng);
  ExactMoments left, right;
  for (std::size_t i = 0; i < values.size(); ++i) (i % 3 == 0 ? left : right).add(values[i]);
  right.merge(left);
  EXPECT_EQ(right, whole);
  ExactMomentsAccumulator fast;  // the per-exponent buckets give the same limbs
  for (const double v : values) fast.add(v);
  EXPECT_EQ(fast.moments(), whole);
  EXPECT_FALSE(whole.consistent(0));
}

TEST(ExactMoments, ReadsRoundOnce) {
  // Values whose moments a double cannot sum exactly in any order.
  const std::vector<double> x = {1e16, 1.0, -1e16, 3.0, 0.5}, y = {2.0, 2.0, 2.5};
  ExactMoments mx, my;
  for (const double v : x) mx.add(v);
  for (const double v : y) my.add(v);
  // mean(x) = 4.5 / 5; squared deviations 2e32 + 10.25 - 4.05 (a double sum loses the 10.25).
  EXPECT_EQ(ExactMoments::mean_difference(mx, 5, my, 3), (3 * 4.5 - 5 * 6.5) / 5 / 3);
  EXPECT_NEAR(mx.squared_deviations(5), 2e32, 2e32 * 1e-15);
  EXPECT_EQ(my.squared_deviations(3), (3 * 14.25 - 6.5 * 6.5) / 3);
  EXPECT_EQ(ExactMoments().squared_deviations(0), 0.0);
  EXPECT_EQ(static_cast<double>(mx.approximate_sum()), 4.5);
}
