#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::review;

TEST(Review, ConformalRankIsTheExactFiniteSampleRank) {
  // ceil((n + 1)(1 - alpha)), computed by hand.
  EXPECT_EQ(conformal_rank(9, 0.1), 9);    // 10 * 0.9 = 9 exactly
  EXPECT_EQ(conformal_rank(10, 0.1), 10);  // 11 * 0.9 = 9.9
  EXPECT_EQ(conformal_rank(19, 0.05), 19);
  EXPECT_EQ(conformal_rank(20, 0.05), 20);  // 21 * 0.95 = 19.95
  EXPECT_EQ(conformal_rank(8, 0.1), 9);     // 9 * 0.9 = 8.1 -> 9 > 8: infinite
  EXPECT_EQ(conformal_rank(0, 0.5), 1);
  EXPECT_EQ(conformal_rank(9, 0.7), 3);  // 10 * 0.3 = 3, although 10 * (1 - 0.7) is 3.0000000000000004 in binary
  // The anchors' floating-point rules: MAPIE takes ceil(3.0000000000000004) = 4; crepes keeps a
  // label whose p-value equals alpha, one more where alpha (n + 1) is an integer.
  EXPECT_EQ(conformal_rank(9, 0.7, RankRule::mapie), 4);
  EXPECT_EQ(conformal_rank(10, 0.1, RankRule::mapie), 10);
  EXPECT_EQ(conformal_rank(9, 0.1, RankRule::crepes), 10);
  EXPECT_EQ(conformal_rank(10, 0.1, RankRule::crepes), 10);
  EXPECT_EQ(conformal_rank(99, 0.1, RankRule::crepes), 91);
  EXPECT_EQ(conformal_rank(0, 0.1, RankRule::mapie), 1);
  EXPECT_THROW(conformal_rank(10, 0.0), InvalidArgument);
  EXPECT_THROW(conformal_rank(10, 1.0), InvalidArgument);
  EXPECT_THROW(conformal_rank(10, std::nan("")), InvalidArgument);
}

TEST(Review, MondrianCalibrationTakesEachGroupsOrderStatistic) {
  // group 0: scores 1..10 (rank ceil(11 * 0.8) = 9 -> 9); group 1: 3 scores (rank 4 > 3 -> infinite);
  // group 2: empty.
  std::vector<double> scores;
  std::vector<std::int32_t> groups;
  for (int i = 10; i >= 1; --i) {
    scores.push_back(i);
    groups.push_back(0);
  }
  for (double s : {0.5, 0.1, 0.3}) {
    scores.push_back(s);
    groups.push_back(1);
  }
  const auto c = calibrate(scores, groups, 3, 0.2, 2);
  EXPECT_EQ(c.rank[0], 9);
  EXPECT_EQ(c.threshold[0], 9.0);
  EXPECT_FALSE(c.infinite[0]);
  EXPECT_TRUE(c.infinite[1]);
  EXPECT_TRUE(std::isinf(c.threshold[1]));
  EXPECT_TRUE(c.infinite[2]);
  EXPECT_EQ(c.group_size(2), 0);
  EXPECT_EQ(c.sorted_scores[10], 0.1);
  EXPECT_DOUBLE_EQ(c.p_value(0, 9.0), 3.0 / 11.0);  // 9 and 10 are >= 9
  const auto again = calibration_from_sorted(c.sorted_scores, c.offsets, 0.2);
  EXPECT_EQ(again.threshold[0], 9.0);
  std::vector<double> unsorted{2, 1};
  std::vector<std::int64_t> offsets{0, 2};
  EXPECT_THROW(calibration_from_sorted(unsorted, offsets, 0.2), CorruptedState);
}

TEST(Review, ScoresFollowTheirDefinitions) {
  const std::vector<double> p{0.5, 0.2, 0.3};
  const Probabilities probs{p, 1, 3};
  const std::vector<std::int32_t> label{2};
  EXPECT_DOUBLE_EQ(class_scores(probs, label, ClassScore::lac, 0, 1)[0], 0.7);
  EXPECT_DOUBLE_EQ(class_scores(probs, label, ClassScore::aps, 0, 1)[0], 0.8);  // 0.5 + 0.3
  const double randomized = class_scores(probs, label, ClassScore::aps_randomized, 7, 1)[0];
  EXPECT_GE(randomized, 0.5);
  EXPECT_LE(randomized, 0.8);
  const std::vector<double> y{1, 5}, f{2, 2}, lo{0, 0}, hi{3, 3};
  EXPECT_EQ(residual_scores(y, f, 1), (std::vector<double>{1, 3}));
  EXPECT_EQ(cqr_scores(y, lo, hi, 1), (std::vector<double>{-1, 2}));
}

TEST(Review, SetsIntervalsAndRouting) {
  const std::vector<double> cal{0.1, 0.2, 0.3, 0.4};
  const auto c = calibrate(cal, {}, 1, 0.2, 1);  // rank ceil(5 * 0.8) = 4 -> 0.4
  ASSERT_EQ(c.threshold[0], 0.4);
  const std::vector<double> p{0.9, 0.1, 0.65, 0.35};  // LAC scores 0.1, 0.9 | 0.35, 0.65
  const auto sets = predict_sets(c, {p, 2, 2}, {}, ClassScore::lac, 0, 1);
  EXPECT_EQ(sets.member, (std::vector<std::uint8_t>{1, 0, 1, 0}));
  EXPECT_EQ(sets.size, (std::vector<std::int32_t>{1, 1}));
  EXPECT_DOUBLE_EQ(sets.risk[0], 1.0 / 5.0);  // no calibration score >= 0.9
  const std::vector<double> f{1.0};
  const auto interval = predict_intervals(c, f, {}, {}, 1);
  EXPECT_DOUBLE_EQ(interval.lower[0], 0.6);
  EXPECT_DOUBLE_EQ(interval.upper[0], 1.4);

  const std::vector<std::uint8_t> ambiguous{1, 0, 1, 1};
  const std::vector<double> risk{0.5, 0.9, 0.7, 0.7};
  const std::vector<std::int32_t> groups{0, 0, 1, 1};
  const auto all = route(ambiguous, risk, groups, 2, -1.0);
  EXPECT_EQ(all.review, ambiguous);
  const auto capped = route(ambiguous, risk, groups, 2, 0.5);  // 2 rows: the riskiest ambiguous, ties by row
  EXPECT_EQ(capped.review, (std::vector<std::uint8_t>{0, 0, 1, 1}));
  EXPECT_EQ(capped.auto_ambiguous, (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(capped.reviewed, (std::vector<std::int64_t>{0, 2}));
  EXPECT_THROW(route(ambiguous, risk, groups, 2, 1.5), InvalidArgument);
}

TEST(Review, RejectsBadInput) {
  const std::vector<double> bad{0.5, 1.5};
  const std::vector<std::int32_t> label{0};
  EXPECT_THROW(class_scores({bad, 1, 2}, label, ClassScore::lac, 0, 1), InvalidArgument);
  const std::vector<double> p{0.5, 0.5};
  const std::vector<std::int32_t> out_of_range{2};
  EXPECT_THROW(class_scores({p, 1, 2}, out_of_range, ClassScore::lac, 0, 1), InvalidArgument);
  const std::vector<double> scores{0.1, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW(calibrate(scores, {}, 1, 0.1, 1), InvalidArgument);
  const std::vector<double> ok{0.1, 0.2};
  const std::vector<std::int32_t> groups{0, 3};
  EXPECT_THROW(calibrate(ok, groups, 2, 0.1, 1), InvalidArgument);
  EXPECT_THROW(calibrate(ok, {}, 0, 0.1, 1), InvalidArgument);
  EXPECT_THROW(calibrate(ok, {}, 1, 1.5, 1), InvalidArgument);
  const std::vector<double> huge{1e308}, minus{-1e308};
  EXPECT_THROW(residual_scores(huge, minus, 1), InvalidArgument);  // the residual overflows
}

TEST(Review, ResultsDoNotDependOnThreadsAndCoverageIsNominal) {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const std::int64_t n = 20000, k = 4;
  std::vector<double> probs(static_cast<std::size_t>(n * k));
  std::vector<std::int32_t> labels(n), groups(n);
  for (std::int64_t i = 0; i < n; ++i) {
    double total = 0;
    for (std::int64_t c = 0; c < k; ++c) total += (probs[i * k + c] = unif(gen) + 1e-3);
    for (std::int64_t c = 0; c < k; ++c) probs[i * k + c] /= total;
    double u = unif(gen), acc = 0;  // labels drawn from the probabilities: calibrated model
    labels[i] = static_cast<std::int32_t>(k - 1);
    for (std::int64_t c = 0; c < k; ++c) {
      acc += probs[i * k + c];
      if (u < acc) {
        labels[i] = static_cast<std::int32_t>(c);
        break;
      }
    }
    groups[i] = static_cast<std::int32_t>(i % 7);
  }
  const std::int64_t half = n / 2;
  const Probabilities cal{std::span(probs).first(half * k), half, k};
  const Probabilities test{std::span(probs).subspan(half * k), n - half, k};
  for (auto score : {ClassScore::lac, ClassScore::aps, ClassScore::aps_randomized}) {
    const auto s1 = class_scores(cal, std::span(labels).first(half), score, 11, 1);
    const auto s4 = class_scores(cal, std::span(labels).first(half), score, 11, 4);
    ASSERT_EQ(s1, s4);
    const auto c1 = calibrate(s1, std::span(groups).first(half), 7, 0.1, 1);
    const auto c4 = calibrate(s4, std::span(groups).first(half), 7, 0.1, 3);
    ASSERT_EQ(c1.threshold, c4.threshold);
    const auto p1 = predict_sets(c1, test, std::span(groups).subspan(half), score, 11, 1);
    const auto p4 = predict_sets(c4, test, std::span(groups).subspan(half), score, 11, 4);
    ASSERT_EQ(p1.member, p4.member);
    ASSERT_EQ(p1.risk, p4.risk);
    std::int64_t covered = 0;
    for (std::int64_t i = 0; i < n - half; ++i) covered += p1.member[i * k + labels[half + i]];
    const double coverage = static_cast<double>(covered) / static_cast<double>(n - half);
    EXPECT_NEAR(coverage, 0.9, 0.02);  // about 7 binomial standard errors (0.003 each) plus 1 / (n_g + 1)
  }
}
