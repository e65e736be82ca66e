// Reliability of the fairness core (issue 19): undefined values never read as "no
// disparity", counts are validated, sizes are refused before allocating, serialised
// states never crash the decoder, and long work stops when its Progress asks.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/progress.hpp"
#include "assay/fairness/groups.hpp"
#include "assay/fairness/intervals.hpp"
#include "assay/fairness/metrics.hpp"
#include "assay/fairness/mitigation.hpp"
#include "assay/fairness/resample.hpp"
#include "assay/fairness/scores.hpp"
#include "assay/fairness/stats.hpp"

using namespace assay;
using namespace assay::fairness;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Rows {
  std::vector<std::int32_t> group, y, p;
  std::vector<double> w, score;
};

Rows make_rows(std::size_t n, std::int32_t groups, unsigned seed) {
  std::mt19937 gen(seed);
  Rows r;
  for (std::size_t i = 0; i < n; ++i) {
    r.group.push_back(static_cast<std::int32_t>(gen() % static_cast<unsigned>(groups)));
    r.y.push_back(static_cast<std::int32_t>(gen() % 2));
    r.p.push_back(static_cast<std::int32_t>(gen() % 2));
    r.w.push_back(static_cast<double>(gen() % 7) / 2.0);
    r.score.push_back(static_cast<double>(gen() % 100) / 99.0);
  }
  return r;
}

}  // namespace

TEST(FairnessReliability, StrictAggregatesAreNanWhenAGroupIsUndefined) {
  // Issue example: group a has no positives (TPR NaN), group b has TPR 0.5.
  const std::vector<double> tpr{kNaN, 0.5};
  const std::vector<std::int32_t> control{0, 0};
  const std::vector<double> overall{0.5};
  const Aggregates strict = aggregate(tpr, control, 1, overall, Convention::strict);
  for (const auto* v : {&strict.group_min, &strict.group_max, &strict.difference_between, &strict.difference_to_overall,
                        &strict.ratio_between, &strict.ratio_to_overall}) {
    EXPECT_TRUE(std::isnan((*v)[0]));
  }
  // fairlearn skips NaN values (pandas): one defined group, difference 0.
  const Aggregates skip = aggregate(tpr, control, 1, overall, Convention::fairlearn);
  EXPECT_EQ(skip.difference_between[0], 0.0);
  // A group left out (control -1, e.g. an empty intersection) does not count.
  const std::vector<std::int32_t> without_a{-1, 0};
  EXPECT_EQ(aggregate(tpr, without_a, 1, overall, Convention::strict).difference_between[0], 0.0);
  // Levels are independent: an undefined group of level 0 leaves level 1 alone.
  const std::vector<double> values{kNaN, 0.5, 0.2, 0.6};
  const std::vector<std::int32_t> levels{0, 0, 1, 1};
  const std::vector<double> overall2{0.5, 0.4};
  const Aggregates two = aggregate(values, levels, 2, overall2, Convention::strict);
  EXPECT_TRUE(std::isnan(two.difference_between[0]));
  EXPECT_DOUBLE_EQ(two.difference_between[1], 0.4);
  // An undefined overall makes only the to_overall aggregates NaN.
  const std::vector<double> no_overall{kNaN, 0.4};
  const Aggregates partial = aggregate(values, levels, 2, no_overall, Convention::strict);
  EXPECT_DOUBLE_EQ(partial.difference_between[1], 0.4);
  EXPECT_TRUE(std::isnan(aggregate(std::vector<double>{0.2, 0.6}, std::vector<std::int32_t>{0, 0}, 1,
                                   std::vector<double>{kNaN}, Convention::strict)
                             .difference_to_overall[0]));
}

TEST(FairnessReliability, IntervalsRejectInvalidCounts) {
  const double z = 1.96;
  EXPECT_THROW(wilson(kNaN, 10, z), InvalidArgument);
  EXPECT_THROW(wilson(12, 10, z), InvalidArgument);
  EXPECT_THROW(wilson(-1, 10, z), InvalidArgument);
  EXPECT_THROW(wilson(1, std::numeric_limits<double>::infinity(), z), InvalidArgument);
  EXPECT_THROW(wilson(1.5, 10, z), InvalidArgument);
  EXPECT_THROW(wilson(1, 10, kNaN), InvalidArgument);
  EXPECT_THROW(newcombe(13, 10, 5, 12, z), InvalidArgument);
  EXPECT_THROW(katz(-3, 10, 5, 12, z), InvalidArgument);
  try {
    newcombe(3, 10, 13, 12, z);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x2"), std::string::npos) << e.what();
  }
  // Valid but undefined: NaN.
  EXPECT_TRUE(std::isnan(wilson(0, 0, z).low));
  EXPECT_TRUE(std::isnan(newcombe(0, 0, 5, 12, z).high));
  EXPECT_TRUE(std::isnan(katz(0, 10, 5, 12, z).low));
  const Interval w = wilson(10, 10, z);
  EXPECT_LE(w.high, 1.0);
  EXPECT_GT(w.low, 0.6);
}

TEST(FairnessReliability, SaturatingSizes) {
  EXPECT_EQ(saturating_product({1u << 20, 1u << 20, 16}), std::uint64_t{1} << 44);
  EXPECT_EQ(saturating_product({std::uint64_t{1} << 40, std::uint64_t{1} << 40}),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(saturating_product({0, std::numeric_limits<std::uint64_t>::max(), 7}), 0u);
  EXPECT_EQ(saturating_sum({std::numeric_limits<std::uint64_t>::max(), 1}), std::numeric_limits<std::uint64_t>::max());
  EXPECT_GE(memory_limit(), std::uint64_t{1} << 28);
  EXPECT_THROW(require_fits("x", std::numeric_limits<std::uint64_t>::max(), "everything"), ResourceLimit);
  EXPECT_NO_THROW(require_fits("x", 1024, "a little"));
}

TEST(FairnessReliability, SizesAreRefusedBeforeAllocating) {
  const Rows r = make_rows(200, 2, 1);
  // calibration: 2 groups x 10^9 bins.
  try {
    calibration_by_group(r.group, 2, r.score, r.y, {}, 1000000000, 1);
    FAIL();
  } catch (const ResourceLimit& e) {
    EXPECT_NE(std::string(e.what()).find("n_bins"), std::string::npos) << e.what();
  }
  EXPECT_THROW(calibration_by_group(r.group, 2, r.score, r.y, {}, std::numeric_limits<std::int32_t>::max(), 1),
               ResourceLimit);
  // threshold grid: 2 * 10^9 points.
  const ThresholdOptions options{2000000000, false, 0.0};
  try {
    optimize_thresholds(r.group, 2, r.score, r.y, RateMetric::selection_rate, RateMetric::accuracy, options, 1);
    FAIL();
  } catch (const ResourceLimit& e) {
    EXPECT_NE(std::string(e.what()).find("grid_size"), std::string::npos) << e.what();
  }
  // Cartesian product of three features of 10^4, 10^4 and 10^2 levels.
  std::vector<std::int32_t> a(3, 0), b(3, 0), c(3, 0);
  std::vector<GroupFeature> features{{"a", a, 10000}, {"b", b, 10000}, {"c", c, 100}};
  EXPECT_THROW(build_group_index(features, MissingPolicy::error, false, 1), ResourceLimit);
  EXPECT_EQ(build_group_index(features, MissingPolicy::error, true, 1).n_groups, 1);
  // Accumulators over absurd group counts.
  const std::vector<std::int32_t> none;
  EXPECT_THROW(
      accumulate_confusion(none, std::numeric_limits<std::int32_t>::max(), none, none, 1 << 15, std::nullopt, 1),
      ResourceLimit);
  // Replicates: n_boot x groups beyond what one call can hold.
  const ConfusionStats s = accumulate_confusion(r.group, 2, r.y, r.p, 2, std::nullopt, 1);
  EXPECT_THROW(bootstrap_counts(s, std::numeric_limits<int>::max(), 1, 1), ResourceLimit);
}

TEST(FairnessReliability, ReplicatesDoNotDependOnBlocks) {
  const Rows r = make_rows(500, 3, 2);
  const ConfusionStats s = accumulate_confusion(r.group, 3, r.y, r.p, 2, std::nullopt, 1);
  const ConfusionStats whole = bootstrap_counts(s, 10, 42, 2);
  const ConfusionStats head = bootstrap_counts(s, 4, 42, 1, {}, 0);
  const ConfusionStats tail = bootstrap_counts(s, 6, 42, 1, {}, 4);
  std::vector<std::int64_t> joined = head.counts;
  joined.insert(joined.end(), tail.counts.begin(), tail.counts.end());
  EXPECT_EQ(joined, whole.counts);

  const ConfusionStats rows_whole = bootstrap_rows_confusion(r.group, 3, r.y, r.p, 2, r.w, 5, 9, 2);
  const ConfusionStats rows_tail = bootstrap_rows_confusion(r.group, 3, r.y, r.p, 2, r.w, 2, 9, 1, {}, 3);
  EXPECT_EQ(std::vector<double>(rows_whole.weights.begin() + 3 * 12, rows_whole.weights.end()), rows_tail.weights);

  const std::vector<std::int32_t> level{0, 0, 0};
  const ReplicateValues auc = bootstrap_roc_auc(r.group, 3, level, 1, r.score, r.y, r.w, 6, 5, 2);
  const ReplicateValues auc_tail = bootstrap_roc_auc(r.group, 3, level, 1, r.score, r.y, r.w, 2, 5, 1, {}, 4);
  EXPECT_EQ(std::vector<double>(auc.by_group.begin() + 4 * 3, auc.by_group.end()), auc_tail.by_group);
}

TEST(FairnessReliability, ProgressStopsTheBootstrapAfterBoundedWork) {
  // Serial, so the count is exact: the callback asks to stop at its first report, which
  // comes after the first replicate.
  std::atomic<int> bodies{0};
  int reports = 0;
  const Progress stop([&](std::size_t, std::size_t) { return ++reports < 1; });
  EXPECT_THROW(for_each_replicate(1000000, 1, stop, [&](std::size_t) { ++bodies; }), Interrupted);
  EXPECT_EQ(bodies.load(), 1);
  EXPECT_EQ(reports, 1);

  const Rows r = make_rows(300, 40, 3);
  const ConfusionStats s = accumulate_confusion(r.group, 40, r.y, r.p, 2, std::nullopt, 1);
  int calls = 0;
  const Progress stop_counts([&](std::size_t done, std::size_t) {
    ++calls;
    return done < 3;
  });
  EXPECT_THROW(bootstrap_counts(s, 10000, 7, 1, stop_counts), Interrupted);
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_THROW(bootstrap_rows_confusion(r.group, 40, r.y, r.p, 2, {}, 10000, 7, 1, stop_counts), Interrupted);
  EXPECT_EQ(calls, 3);
}

TEST(FairnessReliability, CorruptedBytesNeverCrash) {
  const Rows r = make_rows(300, 3, 4);
  const ConfusionStats c = accumulate_confusion(r.group, 3, r.y, r.p, 2, r.w, 1);
  std::vector<double> t(r.score), p(r.score);
  for (auto& v : p) v *= 2;
  const RegressionStats g = accumulate_regression(r.group, 3, t, p, std::nullopt, 1);
  const std::string confusion = to_bytes(c), regression = to_bytes(g);
  // Named corruptions.
  EXPECT_THROW(confusion_from_bytes(""), CorruptedState);
  EXPECT_THROW(confusion_from_bytes("AFC9" + confusion.substr(4)), CorruptedState);
  EXPECT_THROW(confusion_from_bytes(confusion.substr(0, confusion.size() - 1)), CorruptedState);
  EXPECT_THROW(confusion_from_bytes(confusion + "x"), CorruptedState);
  EXPECT_THROW(confusion_from_bytes(regression), CorruptedState);
  {
    // A count header claiming 2^61 cells, with matching sizes, must not allocate them.
    std::string huge = confusion;
    const std::int32_t groups = std::numeric_limits<std::int32_t>::max(), classes = 1 << 15;
    std::memcpy(&huge[4], &groups, 4);
    std::memcpy(&huge[8], &classes, 4);
    const std::uint64_t cells = static_cast<std::uint64_t>(groups) * classes * classes;
    std::memcpy(&huge[13], &cells, 8);
    EXPECT_THROW(confusion_from_bytes(huge), CorruptedState);
  }
  // Random flips and truncations: decode or CorruptedState, nothing else. A decoded state
  // merged with itself may be refused (sums that overflow), never crash.
  std::mt19937 gen(11);
  int rejected = 0;
  for (const std::string* original : {&confusion, &regression}) {
    const bool is_confusion = original == &confusion;
    for (int trial = 0; trial < 3000; ++trial) {
      std::string mutated = *original;
      const int edits = 1 + static_cast<int>(gen() % 4);
      for (int e = 0; e < edits && !mutated.empty(); ++e) {
        const std::size_t at = gen() % mutated.size();
        switch (gen() % 3) {
          case 0:
            mutated[at] = static_cast<char>(mutated[at] ^ (1 << (gen() % 8)));
            break;
          case 1:
            mutated.resize(at);
            break;
          default:
            mutated[at] = static_cast<char>(gen());
            break;
        }
      }
      try {
        if (is_confusion) {
          const ConfusionStats back = confusion_from_bytes(mutated);
          classification_metric(back, ClassificationMetric::selection_rate, back.n_classes > 1 ? 1 : -1,
                                Convention::strict);
          try {
            merge(back, back);
          } catch (const InvalidArgument& error) {
            EXPECT_NE(std::string(error.what()), "");  // a refusal says why
          }
        } else {
          const RegressionStats back = regression_from_bytes(mutated);
          regression_metric(back, RegressionMetric::r2, Convention::strict);
          try {
            merge(back, back);
          } catch (const InvalidArgument& error) {
            EXPECT_NE(std::string(error.what()), "");  // a refusal says why
          }
        }
      } catch (const CorruptedState&) {
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 0);  // truncations alone guarantee some
}
