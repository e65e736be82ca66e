// The one-call entry points for C++ programs (drift/simple.hpp, fairness/by_group.hpp,
// explain/simple.hpp) give exactly what the lower-level calls they compose give, and
// their errors name the argument.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

namespace dr = assay::drift;
namespace fa = assay::fairness;
namespace ex = assay::explain;

namespace {

std::vector<double> normal_sample(std::size_t n, double shift, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::vector<double> out(n);
  for (double& v : out) v = normal(rng);
  return out;
}

void expect_same(const dr::TestResult& a, const dr::TestResult& b) {
  EXPECT_EQ(a.statistic, b.statistic);
  EXPECT_EQ(a.pvalue, b.pvalue);
  EXPECT_EQ(a.method, b.method);
}

// Expects `call` to throw InvalidArgument whose message starts with `argument`.
void expect_names(const std::function<void()>& call, const std::string& argument) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one naming " << argument;
  } catch (const assay::InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find(argument), std::string::npos) << error.what();
  }
}

}  // namespace

TEST(SimpleDrift, UnsortedTestsEqualTheSortedOnes) {
  const std::vector<double> x = normal_sample(40, 0.0, 1), y = normal_sample(30, 0.5, 2);
  const auto sx = dr::SortedSample::sort(std::span<const double>(x), "x");
  const auto sy = dr::SortedSample::sort(std::span<const double>(y), "y");
  expect_same(dr::ks_2samp(x, y), dr::ks_2samp(sx, sy));
  expect_same(dr::ks_2samp(x, y, dr::PMethod::asymptotic), dr::ks_2samp(sx, sy, dr::PMethod::asymptotic));
  expect_same(dr::mann_whitney_u(x, y), dr::mann_whitney_u(sx, sy));
  expect_same(dr::cramer_von_mises_2samp(x, y), dr::cramer_von_mises_2samp(sx, sy));
  expect_same(dr::anderson_ksamp(x, y), dr::anderson_ksamp({std::cref(sx), std::cref(sy)}));
  expect_same(dr::epps_singleton_2samp(x, y), dr::epps_singleton_2samp(sx, sy));
  EXPECT_EQ(dr::wasserstein(x, y), dr::wasserstein(sx, sy));
  EXPECT_EQ(dr::energy_distance(x, y), dr::energy_distance(sx, sy));
  // The samples really are unsorted, and a known case: disjoint samples give D = 1.
  EXPECT_FALSE(std::is_sorted(x.begin(), x.end()));
  EXPECT_EQ(dr::ks_2samp(std::vector<double>{3, 1, 2}, std::vector<double>{6, 4, 5}).statistic, 1.0);
  EXPECT_DOUBLE_EQ(dr::wasserstein(std::vector<double>{2, 0}, std::vector<double>{3, 1}), 1.0);
}

TEST(SimpleDrift, NonFiniteValuesNameTheSample) {
  const std::vector<double> good{1, 2, 3, 4, 5}, bad{1, NAN, 3, 4, 5}, infinite{1, 2, INFINITY, 4, 5};
  expect_names([&] { dr::ks_2samp(bad, good); }, "x");
  expect_names([&] { dr::mann_whitney_u(good, bad); }, "y");
  expect_names([&] { dr::anderson_ksamp(good, infinite); }, "y");
  expect_names([&] { dr::energy_distance(infinite, good); }, "x");
}

TEST(SimpleDrift, ReportChecksTheSharedColumnsWithTheAutoTest) {
  const std::vector<double> a_ref = normal_sample(200, 0.0, 3), a_cur = normal_sample(150, 1.0, 4);
  const std::vector<double> only_ref(200, 1.0), only_cur(150, 2.0);
  std::vector<std::int32_t> c_ref(200), c_cur(150);
  for (std::size_t i = 0; i < c_ref.size(); ++i) c_ref[i] = static_cast<std::int32_t>(i % 3);
  for (std::size_t i = 0; i < c_cur.size(); ++i) c_cur[i] = static_cast<std::int32_t>(i % 2);
  const std::vector<std::string> labels{"u", "v", "w"};
  const assay::TableView reference({assay::ColumnView::numeric("a", a_ref), assay::ColumnView::numeric("r", only_ref),
                                    assay::ColumnView::categorical("c", c_ref, labels)});
  const assay::TableView current({assay::ColumnView::categorical("c", c_cur, labels),
                                  assay::ColumnView::numeric("k", only_cur), assay::ColumnView::numeric("a", a_cur)});
  const auto simple = dr::drift_report(reference, current, 1, dr::Correction::holm);
  const auto full =
      dr::drift_report(reference, current, {dr::ColumnRequest{"c", {}, {}}, dr::ColumnRequest{"a", {}, {}}}, 1, {},
                       dr::Correction::holm);
  ASSERT_EQ(simple.size(), 2u);
  ASSERT_EQ(full.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(simple[i].column, full[i].column);
    EXPECT_EQ(simple[i].test, full[i].test);
    EXPECT_EQ(simple[i].score, full[i].score);
    EXPECT_EQ(simple[i].pvalue_adjusted, full[i].pvalue_adjusted);
    EXPECT_EQ(simple[i].drifted, full[i].drifted);
  }
  EXPECT_EQ(simple[0].column, "c");
  EXPECT_EQ(simple[1].test, dr::Test::ks);  // numeric, many distinct values, <= 1000 rows
  EXPECT_TRUE(simple[1].drifted);           // a shift of one standard deviation
  const assay::TableView unrelated({assay::ColumnView::numeric("k", only_cur)});
  expect_names([&] { dr::drift_report(reference, unrelated); }, "current");
}

namespace {

// Rows of three groups: codes 0, 1, 2 (labels "c", "a", "b" as strings).
struct GroupRows {
  std::vector<std::int32_t> y_true, y_pred, codes;
  std::vector<std::string> labels;
  std::vector<double> t, p, w;
};

GroupRows group_rows() {
  GroupRows rows;
  std::mt19937 rng(11);
  const std::vector<std::string> names{"c", "a", "b"};
  for (int i = 0; i < 90; ++i) {
    const auto g = static_cast<std::int32_t>(rng() % 3);
    rows.codes.push_back(g);
    rows.labels.push_back(names[static_cast<std::size_t>(g)]);
    rows.y_true.push_back(static_cast<std::int32_t>(rng() % 2));
    rows.y_pred.push_back(static_cast<std::int32_t>((rng() % 4 + static_cast<unsigned>(g)) / 3 % 2));
    rows.t.push_back(static_cast<double>(rng() % 100) / 10.0);
    rows.p.push_back(rows.t.back() + static_cast<double>(g) - 1.0 + static_cast<double>(rng() % 10) / 10.0);
    rows.w.push_back(static_cast<double>(rng() % 5) / 2.0 + 0.5);
  }
  return rows;
}

void expect_aggregates_of(const fa::MetricByGroup& r) {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity(), gap = 0,
         ratio = 1;
  for (const double v : r.by_group) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    gap = std::max(gap, std::abs(v - r.overall));
    const double q = v / r.overall;
    ratio = std::min(ratio, q > 1 ? 1 / q : q);
  }
  EXPECT_EQ(r.group_min, lo);
  EXPECT_EQ(r.group_max, hi);
  EXPECT_EQ(r.difference, hi - lo);
  EXPECT_EQ(r.ratio, lo / hi);
  EXPECT_EQ(r.difference_to_overall, gap);
  EXPECT_EQ(r.ratio_to_overall, ratio);
}

}  // namespace

TEST(SimpleFairness, ClassificationByGroupEqualsTheEngineSteps) {
  const GroupRows rows = group_rows();
  fa::ByGroupOptions options;
  options.sample_weight = fa::Weights{rows.w};
  const auto r =
      fa::metric_by_group(fa::ClassificationMetric::selection_rate, rows.y_true, rows.y_pred, rows.codes, options);
  // The same by hand: weighted share of predicted positives per group and overall.
  std::vector<double> positive(3, 0), total(3, 0);
  std::vector<std::int64_t> count(3, 0);
  for (std::size_t i = 0; i < rows.codes.size(); ++i) {
    const auto g = static_cast<std::size_t>(rows.codes[i]);
    positive[g] += rows.y_pred[i] == 1 ? rows.w[i] : 0.0;
    total[g] += rows.w[i];
    ++count[g];
  }
  ASSERT_EQ(r.groups, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(r.rows, count);
  for (std::size_t g = 0; g < 3; ++g) EXPECT_NEAR(r.by_group[g], positive[g] / total[g], 1e-12);
  EXPECT_NEAR(r.overall, (positive[0] + positive[1] + positive[2]) / (total[0] + total[1] + total[2]), 1e-12);
  EXPECT_GT(r.difference, 0.0);
  expect_aggregates_of(r);

  // The engine's steps, as the Python MetricFrame runs them.
  const fa::GroupFeature feature{"group", rows.codes, 3};
  const fa::GroupIndex index =
      fa::build_group_index(std::span<const fa::GroupFeature>(&feature, 1), fa::MissingPolicy::error, true, 1);
  for (const auto metric : {fa::ClassificationMetric::true_positive_rate, fa::ClassificationMetric::accuracy,
                            fa::ClassificationMetric::f1}) {
    const auto stats = fa::accumulate_confusion(index.row_group, index.n_groups, rows.y_true, rows.y_pred, 2, {}, 1);
    const auto values = fa::classification_metric(stats, metric, 1, fa::Convention::strict);
    const std::vector<std::int32_t> zeros(rows.codes.size(), 0);
    const auto all = fa::accumulate_confusion(zeros, 1, rows.y_true, rows.y_pred, 2, {}, 1);
    const double overall = fa::classification_metric(all, metric, 1, fa::Convention::strict).values[0];
    const auto simple = fa::metric_by_group(metric, rows.y_true, rows.y_pred, rows.codes);
    EXPECT_EQ(simple.by_group, values.values);
    EXPECT_NEAR(simple.overall, overall, 1e-15);
    expect_aggregates_of(simple);
  }
  // Labels instead of codes: groups in label order ("a" is code 1), the same values.
  const auto labelled =
      fa::metric_by_group(fa::ClassificationMetric::selection_rate, rows.y_true, rows.y_pred, rows.labels, options);
  ASSERT_EQ(labelled.groups, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(labelled.by_group, (std::vector<double>{r.by_group[1], r.by_group[2], r.by_group[0]}));
  EXPECT_EQ(labelled.overall, r.overall);
  EXPECT_EQ(labelled.difference, r.difference);
}

TEST(SimpleFairness, RegressionByGroupAndUndefinedValues) {
  const GroupRows rows = group_rows();
  const auto r = fa::metric_by_group(fa::RegressionMetric::mean_absolute_error, rows.t, rows.p, rows.codes);
  std::vector<double> sum(3, 0), n(3, 0);
  for (std::size_t i = 0; i < rows.t.size(); ++i) {
    const auto g = static_cast<std::size_t>(rows.codes[i]);
    sum[g] += std::abs(rows.p[i] - rows.t[i]);
    n[g] += 1;
  }
  for (std::size_t g = 0; g < 3; ++g) EXPECT_NEAR(r.by_group[g], sum[g] / n[g], 1e-12);
  EXPECT_NEAR(r.overall, (sum[0] + sum[1] + sum[2]) / 90.0, 1e-12);
  expect_aggregates_of(r);

  // A group of one row has no R^2: NaN with its reason, and (strict) NaN aggregates;
  // the fairlearn convention skips it.
  const std::vector<double> t{1, 2, 3, 4, 5}, p{1.1, 2.2, 2.9, 4.2, 7};
  const std::vector<std::int32_t> g{0, 0, 0, 0, 1};
  const auto strict = fa::metric_by_group(fa::RegressionMetric::r2, t, p, g);
  EXPECT_TRUE(std::isnan(strict.by_group[1]));
  EXPECT_EQ(strict.reasons[1], fa::Undefined::single_row);
  EXPECT_TRUE(std::isnan(strict.difference));
  fa::ByGroupOptions fairlearn;
  fairlearn.convention = fa::Convention::fairlearn;
  const auto skipping = fa::metric_by_group(fa::RegressionMetric::r2, t, p, g, fairlearn);
  EXPECT_EQ(skipping.group_min, skipping.by_group[0]);
  EXPECT_EQ(skipping.difference, 0.0);
}

TEST(SimpleFairness, ErrorsNameTheArgument) {
  const std::vector<std::int32_t> y{0, 1, 1, 0}, short_y{0, 1, 1}, negative{0, -2, 1, 0}, g{0, 1, 0, 1},
      missing{0, -1, 0, 1};
  const auto metric = fa::ClassificationMetric::accuracy;
  expect_names([&] { fa::metric_by_group(metric, y, short_y, g); }, "y_pred");
  expect_names([&] { fa::metric_by_group(metric, y, y, short_y); }, "group");
  expect_names([&] { fa::metric_by_group(metric, negative, y, g); }, "y_true");
  expect_names([&] { fa::metric_by_group(metric, y, y, missing); }, "group");
  expect_names([&] { fa::metric_by_group(metric, std::vector<std::int32_t>{}, std::vector<std::int32_t>{}, g); },
               "y_true");
  const std::vector<double> t{1, 2, NAN, 4}, w{1, 1, -1, 1};
  expect_names([&] { fa::metric_by_group(fa::RegressionMetric::r2, t, std::vector<double>{1, 2, 3, 4}, g); }, "y_true");
  fa::ByGroupOptions options;
  options.sample_weight = fa::Weights{w};
  expect_names([&] { fa::metric_by_group(metric, y, y, g, options); }, "sample_weight");
}

namespace {

constexpr std::string_view kLightGBMText =
    "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=1\nobjective=regression\n\n"
    "Tree=0\nnum_leaves=3\nnum_cat=0\nsplit_feature=1 0\nthreshold=0.5 2.5\ndecision_type=2 2\nleft_child=-1 -2\n"
    "right_child=1 -3\nleaf_value=1 2 3\nleaf_count=3 5 2\ninternal_count=10 7\nis_linear=0\nshrinkage=1\n\n"
    "end of trees\n";

constexpr std::string_view kXGBoostJson =
    "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"5E-1\",\"num_class\":\"0\"},"
    "\"objective\":{\"name\":\"reg:squarederror\"},\"gradient_booster\":{\"name\":\"gbtree\","
    "\"model\":{\"trees\":[{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],"
    "\"right_children\":[2,-1,-1],\"split_indices\":[1,0,0],\"split_conditions\":[0.5,1,2],"
    "\"default_left\":[1,0,0],\"sum_hessian\":[2,1,1]}],\"tree_info\":[0]}}}}";

// A file under the test's temporary directory holding `text`.
std::filesystem::path write_file(const std::string& name, std::string_view text) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST(SimpleExplain, LoadsModelFilesByExtension) {
  const auto lightgbm = ex::load_model(write_file("assay_simple_model.TXT", kLightGBMText));
  const auto direct = ex::load_lightgbm_text(kLightGBMText);
  EXPECT_EQ(lightgbm.source, direct.source);
  EXPECT_EQ(ex::expected_value(lightgbm), ex::expected_value(direct));
  EXPECT_NEAR(ex::expected_value(lightgbm)[0], (3 * 1.0 + 5 * 2.0 + 2 * 3.0) / 10, 1e-15);
  const auto xgboost = ex::load_model(write_file("assay_simple_model.json", kXGBoostJson));
  EXPECT_EQ(xgboost.source, ex::load_xgboost_json(kXGBoostJson).source);
  EXPECT_NEAR(ex::expected_value(xgboost)[0], 0.5 + 1.5, 1e-15);

  expect_names([] { ex::load_model(write_file("assay_simple_model.bin", kLightGBMText)); }, "path");
  expect_names([] { ex::load_model(write_file("assay_simple_model", kLightGBMText)); }, "path");
  expect_names([] { ex::load_model(std::filesystem::path(::testing::TempDir()) / "assay_no_such_model.json"); },
               "path");
  expect_names([] { ex::load_model(::testing::TempDir()); }, "path");  // a directory
  // A file whose content is not the model its extension says: the loader's error.
  EXPECT_THROW(ex::load_model(write_file("assay_simple_wrong.json", kLightGBMText)), assay::UnsupportedModel);
  EXPECT_THROW(ex::load_model(write_file("assay_simple_wrong.ubj", kXGBoostJson)), assay::UnsupportedModel);
}

TEST(SimpleExplain, ShapValuesAsAVectorEqualTheSpanCall) {
  const auto model = ex::load_model(write_file("assay_simple_shap.txt", kLightGBMText));
  const std::vector<double> f0{0, 1, 3, NAN, 2}, f1{0, 1, 0.2, 7, NAN};
  const assay::TableView X({assay::ColumnView::numeric("x0", f0), assay::ColumnView::numeric("x1", f1)});
  const std::vector<double> phi = ex::shap_values(model, X);
  std::vector<double> expected(10);
  ex::shap_values(model, X, expected, {});
  EXPECT_EQ(phi, expected);
  // Local accuracy: each row's values sum to its prediction minus the expected value.
  std::vector<double> prediction(5);
  ex::predict(model, X, prediction, 1);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(phi[2 * i] + phi[2 * i + 1], prediction[i] - ex::expected_value(model)[0], 1e-12) << i;
  }
  const assay::TableView one_column({assay::ColumnView::numeric("x0", f0)});
  EXPECT_THROW(ex::shap_values(model, one_column), assay::InvalidArgument);
}
