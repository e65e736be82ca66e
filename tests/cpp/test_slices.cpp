#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::slices;

namespace {

struct Data {
  std::vector<std::vector<std::int32_t>> codes;
  std::vector<std::int32_t> n_values;
  std::vector<double> errors;
  std::vector<Feature> features() const {
    std::vector<Feature> out;
    out.reserve(codes.size());
    for (std::size_t j = 0; j < codes.size(); ++j) out.push_back({"f" + std::to_string(j), codes[j], n_values[j]});
    return out;
  }
};

// Random codes (with some missing), errors that are larger on one planted slice.
Data make_data(std::size_t n, const std::vector<std::int32_t>& cards, bool binary, unsigned seed) {
  std::mt19937_64 rng(seed);
  Data d;
  d.n_values = cards;
  for (const auto c : cards) {
    std::uniform_int_distribution<std::int32_t> pick(-1, c - 1);
    std::vector<std::int32_t> col(n);
    for (auto& v : col) v = pick(rng);
    d.codes.push_back(std::move(col));
  }
  std::uniform_real_distribution<double> u(0, 1);
  d.errors.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    const bool planted = d.codes[0][r] == 1 && d.codes[1][r] == 0;
    const double rate = planted ? 0.6 : 0.2;
    d.errors[r] = binary ? (u(rng) < rate ? 1.0 : 0.0) : u(rng) * rate * 2;
  }
  return d;
}

struct Found {
  std::vector<std::pair<std::int32_t, std::int32_t>> key;
  double score;
};

// Every slice of at most max_level predicates, scored directly from the rows.
std::vector<Found> brute_force(const Data& d, const Options& o) {
  const std::size_t n = d.errors.size(), m = d.codes.size();
  double total = 0;
  for (double e : d.errors) total += e;
  const double average = total / static_cast<double>(n);
  std::vector<Found> all;
  std::vector<std::pair<std::int32_t, std::int32_t>> key;
  std::function<void(std::size_t)> walk = [&](std::size_t from) {
    if (!key.empty()) {
      std::int64_t size = 0;
      double error = 0;
      for (std::size_t r = 0; r < n; ++r) {
        bool in = true;
        for (const auto& [f, v] : key) in = in && d.codes[static_cast<std::size_t>(f)][r] == v;
        if (in) {
          ++size;
          error += d.errors[r];
        }
      }
      const double error_sum = error;
      const double sc = score(error_sum, static_cast<double>(size), average, static_cast<double>(n), o.alpha);
      if (size >= o.min_support && sc > 0) all.push_back({key, sc});
    }
    if (key.size() == static_cast<std::size_t>(o.max_level)) return;
    for (std::size_t f = from; f < m; ++f) {
      for (std::int32_t v = -1; v < d.n_values[f]; ++v) {
        key.emplace_back(static_cast<std::int32_t>(f), v);
        walk(f + 1);
        key.pop_back();
      }
    }
  };
  walk(0);
  std::sort(all.begin(), all.end(), [](const Found& a, const Found& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.key.size() != b.key.size()) return a.key.size() < b.key.size();
    return a.key < b.key;
  });
  if (all.size() > static_cast<std::size_t>(o.k)) all.resize(static_cast<std::size_t>(o.k));
  return all;
}

void expect_same_top(const Result& r, const std::vector<Found>& expected) {
  ASSERT_EQ(r.slices.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& s = r.slices[i];
    ASSERT_EQ(s.predicates.size(), expected[i].key.size()) << "rank " << i;
    for (std::size_t t = 0; t < s.predicates.size(); ++t) {
      EXPECT_EQ(s.predicates[t].feature, expected[i].key[t].first);
      EXPECT_EQ(s.predicates[t].value, expected[i].key[t].second);
    }
    EXPECT_NEAR(s.score, expected[i].score, 1e-12 * std::max(1.0, std::abs(expected[i].score)));
  }
}

}  // namespace

TEST(Slices, TopKEqualsBruteForce) {
  for (const bool binary : {true, false}) {
    for (const unsigned seed : {1u, 2u}) {
      const Data d = make_data(400, {3, 2, 4, 3}, binary, seed);
      for (const std::int32_t level : {1, 2, 3, 4}) {
        for (const double alpha : {0.5, 0.95}) {
          Options o;
          o.alpha = alpha;
          o.k = 7;
          o.max_level = level;
          o.min_support = 12;
          o.n_jobs = 2;
          const auto features = d.features();
          expect_same_top(find_slices(features, d.errors, o), brute_force(d, o));
        }
      }
    }
  }
}

TEST(Slices, ResultsDoNotDependOnThreads) {
  const Data d = make_data(3000, {5, 4, 6, 3, 7}, false, 11);
  const auto features = d.features();
  Options o;
  o.k = 20;
  o.min_support = 10;
  o.alpha = 0.97;
  o.n_jobs = 1;
  const Result one = find_slices(features, d.errors, o);
  o.n_jobs = 4;
  const Result four = find_slices(features, d.errors, o);
  ASSERT_EQ(one.slices.size(), four.slices.size());
  ASSERT_FALSE(one.slices.empty());
  for (std::size_t i = 0; i < one.slices.size(); ++i) {
    EXPECT_EQ(one.slices[i].score, four.slices[i].score);
    EXPECT_EQ(one.slices[i].error_sum, four.slices[i].error_sum);
    EXPECT_EQ(one.slices[i].p_value_adjusted, four.slices[i].p_value_adjusted);
  }
  EXPECT_EQ(one.n_tested, four.n_tested);
}

TEST(Slices, FindsThePlantedSliceWithItsStatistics) {
  const Data d = make_data(5000, {3, 2, 4}, true, 5);
  const auto features = d.features();
  Options o;
  o.k = 3;
  o.alpha = 0.95;
  const Result r = find_slices(features, d.errors, o);
  ASSERT_FALSE(r.slices.empty());
  const Slice& best = r.slices[0];
  ASSERT_EQ(best.predicates.size(), 2u);
  EXPECT_EQ(best.predicates[0].feature, 0);
  EXPECT_EQ(best.predicates[0].value, 1);
  EXPECT_EQ(best.predicates[1].feature, 1);
  EXPECT_EQ(best.predicates[1].value, 0);
  EXPECT_TRUE(r.binary_errors);
  EXPECT_LE(best.ci_low, best.average_error);
  EXPECT_GE(best.ci_high, best.average_error);
  EXPECT_LT(best.p_value, 1e-10);
  EXPECT_GE(best.p_value_adjusted, best.p_value);
  EXPECT_GT(r.n_tested, 0);
}

TEST(Slices, UpperBoundIsAtLeastEveryChildScore) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 2000; ++trial) {
    const double ss = 10 + std::floor(u(rng) * 500), sm = 0.1 + u(rng), se = sm * ss * u(rng) + 1e-3;
    const double alpha = 0.05 + 0.95 * u(rng), avg = 0.05 + u(rng) * 0.5, min_sup = 10;
    const double ub = score_upper_bound(ss, se, sm, avg, 1000, min_sup, alpha);
    for (int size = static_cast<int>(min_sup); size <= static_cast<int>(ss); ++size) {
      const double s = size;
      const double child_error = std::min(s * sm, se) * u(rng);
      EXPECT_LE(score(child_error, s, avg, 1000, alpha), ub + 1e-12);
    }
  }
}

TEST(Slices, BenjaminiHochbergMatchesTheDefinition) {
  const std::vector<double> p{0.01, 0.04, 0.03, std::numeric_limits<double>::quiet_NaN(), 0.5};
  const auto q = benjamini_hochberg(p);
  // m = 4 defined values, sorted 0.01, 0.03, 0.04, 0.5: 0.04, 0.053.., 0.053.., 0.5
  EXPECT_DOUBLE_EQ(q[0], 0.04);
  EXPECT_DOUBLE_EQ(q[1], 0.04 * 4 / 3);
  EXPECT_DOUBLE_EQ(q[2], 0.04 * 4 / 3);
  EXPECT_TRUE(std::isnan(q[3]));
  EXPECT_DOUBLE_EQ(q[4], 0.5);
}

TEST(Slices, ZeroErrorsGiveNoSlice) {
  const std::vector<std::int32_t> codes{0, 1, 0, 1};
  const std::vector<double> errors(4, 0.0);
  const std::vector<Feature> features{{"a", codes, 2}};
  const Result r = find_slices(features, errors, Options{});
  EXPECT_TRUE(r.slices.empty());
  EXPECT_EQ(r.average_error, 0.0);
}

TEST(Slices, RejectsBadInputNamingIt) {
  const std::vector<std::int32_t> codes{0, 1, 0, 1}, bad_codes{0, 2, 0, 1}, short_codes{0, 1};
  const std::vector<double> errors{0.1, 0.2, 0.3, 0.4};
  const std::vector<Feature> ok{{"a", codes, 2}};
  auto message = [&](auto&& call) {
    try {
      call();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::vector<double> nan_errors{0.1, std::nan(""), 0.3, 0.4}, negative{0.1, -1, 0.3, 0.4};
  EXPECT_NE(message([&] { find_slices(ok, nan_errors, Options{}); }).find("errors"), std::string::npos);
  EXPECT_NE(message([&] { find_slices(ok, negative, Options{}); }).find("errors"), std::string::npos);
  const std::vector<Feature> out_of_range{{"a", bad_codes, 2}};
  EXPECT_NE(message([&] { find_slices(out_of_range, errors, Options{}); }).find("'a'"), std::string::npos);
  const std::vector<Feature> short_feature{{"b", short_codes, 2}};
  EXPECT_NE(message([&] { find_slices(short_feature, errors, Options{}); }).find("'b'"), std::string::npos);
  Options o;
  o.alpha = 0;
  EXPECT_NE(message([&] { find_slices(ok, errors, o); }).find("alpha"), std::string::npos);
  o = Options{};
  o.k = 0;
  EXPECT_NE(message([&] { find_slices(ok, errors, o); }).find('k'), std::string::npos);
  o = Options{};
  o.min_support = 0;
  EXPECT_NE(message([&] { find_slices(ok, errors, o); }).find("min_support"), std::string::npos);
  EXPECT_THROW(find_slices(std::vector<Feature>{}, errors, Options{}), InvalidArgument);
  const std::vector<Feature> huge{{"h", codes, std::numeric_limits<std::int32_t>::max()}};
  o = Options{};
  o.min_support = 1;
  // 2^31 declared values need 80 GiB of statistics slots: refused before allocation when
  // that is more than half the memory.
  if (memory_limit() < (std::uint64_t{80} << 30)) {
    EXPECT_THROW(find_slices(huge, errors, o), ResourceLimit);
  }
}

TEST(Slices, BinningFollowsTheStatedRule) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<double> ramp(101);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(100 - i);  // 100 .. 0
  ramp[5] = nan;
  ramp[6] = inf;
  const std::vector<double> few{2, 1, nan, 2, -inf};
  const std::vector<std::span<const double>> columns{ramp, few};
  for (const int jobs : {1, 2}) {
    const auto quantile = bin_columns(columns, 4, Binning::quantile, jobs);
    // The 99 finite values 0..100 without 94 and 95: quartiles at sorted positions 24.5, 49, 73.5.
    ASSERT_FALSE(quantile[0].distinct);
    EXPECT_EQ(quantile[0].points, (std::vector<double>{24.5, 49.0, 73.5}));
    EXPECT_EQ(quantile[0].codes[5], -1);        // NaN: missing
    EXPECT_EQ(quantile[0].codes[6], 3);         // +inf: the last bin
    EXPECT_EQ(quantile[0].codes[100 - 49], 2);  // 49 >= the edge 49: bins are [e_i, e_i+1)
    EXPECT_EQ(quantile[0].codes[100 - 24], 0);
    ASSERT_TRUE(quantile[1].distinct);
    EXPECT_EQ(quantile[1].points, (std::vector<double>{-inf, 1, 2}));
    EXPECT_EQ(quantile[1].codes, (std::vector<std::int32_t>{2, 1, -1, 2, 0}));
  }
  const auto uniform = bin_columns(columns, 4, Binning::uniform, 1);
  EXPECT_EQ(uniform[0].points, (std::vector<double>{25, 50, 75}));
  // Many bins take the sorting path: the same edges as the selection path would give.
  const auto many = bin_columns(std::vector<std::span<const double>>{ramp}, 80, Binning::quantile, 1);
  EXPECT_EQ(many[0].points.size(), 79u);
  EXPECT_THROW(bin_columns(columns, 1, Binning::quantile, 1), InvalidArgument);
  // Empty and all-NaN columns: no value, every row missing.
  const std::vector<double> all_nan{nan, nan}, empty;
  const auto degenerate = bin_columns(std::vector<std::span<const double>>{all_nan, empty}, 4, Binning::quantile, 1);
  EXPECT_TRUE(degenerate[0].points.empty());
  EXPECT_EQ(degenerate[0].codes, (std::vector<std::int32_t>{-1, -1}));
  EXPECT_TRUE(degenerate[1].codes.empty());
}
