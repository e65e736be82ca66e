// Bindings of the fairness engine (assay/fairness): group index, accumulators,
// metrics and aggregates. Arrays cross without copies where dtype and layout allow;
// the GIL is released around every core call.
#include "assay/fairness/groups.hpp"
#include "assay/fairness/inequality.hpp"
#include "assay/fairness/intervals.hpp"
#include "assay/fairness/metrics.hpp"
#include "assay/fairness/mitigation.hpp"
#include "assay/fairness/resample.hpp"
#include "assay/fairness/scores.hpp"
#include "assay/fairness/stats.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using namespace assay::fairness;

py::array_t<double> cube(const std::vector<double>& v, const ConfusionStats& s) {
  return to_numpy(v, {s.n_groups, s.n_classes, s.n_classes});
}

py::tuple metric_result(MetricValues&& result) {
  std::vector<std::uint8_t> reasons(result.reasons.size());
  for (std::size_t i = 0; i < reasons.size(); ++i) reasons[i] = static_cast<std::uint8_t>(result.reasons[i]);
  return py::make_tuple(to_numpy(std::move(result.values)), to_numpy(std::move(reasons)));
}

Weights optional_weights(const py::object& weights) {
  if (weights.is_none()) return std::nullopt;
  return span_of<double>(weights, "sample_weight", "float64");
}

// The resampling and score kernels take an empty span for "unweighted".
std::span<const double> weights_or_empty(const py::object& weights) {
  return optional_weights(weights).value_or(std::span<const double>{});
}

// The option enums, their members named as the Python API spells them.
void bind_options(py::module_& m) {
  py::native_enum<MissingPolicy>(m, "MissingPolicy", "enum.Enum", "What a missing sensitive feature value does.")
      .value("error", MissingPolicy::error)
      .value("own_group", MissingPolicy::own_group)
      .value("drop", MissingPolicy::drop)
      .finalize();
  py::native_enum<Convention>(m, "Convention", "enum.Enum", "What an undefined metric gives (NaN or fairlearn's 0).")
      .value("strict", Convention::strict)
      .value("fairlearn", Convention::fairlearn)
      .finalize();
  py::native_enum<ClassificationMetric>(m, "ClassificationMetric", "enum.Enum", "A metric of a confusion matrix.")
      .value("count", ClassificationMetric::count)
      .value("selection_rate", ClassificationMetric::selection_rate)
      .value("true_positive_rate", ClassificationMetric::true_positive_rate)
      .value("false_positive_rate", ClassificationMetric::false_positive_rate)
      .value("true_negative_rate", ClassificationMetric::true_negative_rate)
      .value("false_negative_rate", ClassificationMetric::false_negative_rate)
      .value("precision", ClassificationMetric::precision)
      .value("f1", ClassificationMetric::f1)
      .value("accuracy", ClassificationMetric::accuracy)
      .value("error_rate", ClassificationMetric::error_rate)
      .value("balanced_accuracy", ClassificationMetric::balanced_accuracy)
      .finalize();
  py::native_enum<RegressionMetric>(m, "RegressionMetric", "enum.Enum", "A metric of regression residuals.")
      .value("mean_prediction", RegressionMetric::mean_prediction)
      .value("mean_error", RegressionMetric::mean_error)
      .value("mean_absolute_error", RegressionMetric::mean_absolute_error)
      .value("mean_squared_error", RegressionMetric::mean_squared_error)
      .value("root_mean_squared_error", RegressionMetric::root_mean_squared_error)
      .value("r2", RegressionMetric::r2)
      .finalize();
  // Named as fairlearn's ThresholdOptimizer spells constraints and objectives.
  py::native_enum<RateMetric>(m, "RateMetric", "enum.Enum", "A rate the threshold optimizer equalises or maximises.")
      .value("selection_rate", RateMetric::selection_rate)
      .value("true_positive_rate", RateMetric::true_positive_rate)
      .value("false_positive_rate", RateMetric::false_positive_rate)
      .value("true_negative_rate", RateMetric::true_negative_rate)
      .value("false_negative_rate", RateMetric::false_negative_rate)
      .value("accuracy_score", RateMetric::accuracy)
      .value("balanced_accuracy_score", RateMetric::balanced_accuracy)
      .finalize();
}

py::dict threshold_rules(ThresholdRules&& rules) {
  py::dict out;
  out["x_best"] = rules.x_best;
  out["constant"] = rules.constant;
  out["p_ignore"] = to_numpy(std::move(rules.p_ignore));
  out["p0"] = to_numpy(std::move(rules.p0));
  out["threshold0"] = to_numpy(std::move(rules.threshold0));
  out["p1"] = to_numpy(std::move(rules.p1));
  out["threshold1"] = to_numpy(std::move(rules.threshold1));
  out["below0"] = to_numpy(std::move(rules.below0)).attr("astype")("bool");
  out["below1"] = to_numpy(std::move(rules.below1)).attr("astype")("bool");
  out["x_group"] = to_numpy(std::move(rules.x_group));
  out["objective"] = to_numpy(std::move(rules.objective));
  return out;
}

}  // namespace

void bind_fairness(py::module_& m) {
  bind_options(m);

  m.def(
      "build_group_index",
      [](const py::list& features, MissingPolicy missing, bool observed, int n_jobs) {
        std::vector<GroupFeature> specs;
        std::vector<py::object> keep_alive;
        for (const py::handle item : features) {
          const auto spec = item.cast<py::tuple>();
          GroupFeature feature;
          feature.name = spec[0].cast<std::string>();
          feature.codes = span_of<std::int32_t>(spec[1], "sensitive feature codes", "int32");
          feature.n_levels = spec[2].cast<std::int32_t>();
          keep_alive.push_back(spec[1].cast<py::object>());
          specs.push_back(std::move(feature));
        }
        GroupIndex index;
        {
          py::gil_scoped_release release;
          index = build_group_index(specs, missing, observed, n_jobs);
        }
        py::list keys;
        for (auto& key : index.keys) keys.append(to_numpy(std::move(key)));
        py::dict out;
        out["n_groups"] = index.n_groups;
        out["row_group"] = to_numpy(std::move(index.row_group));
        out["keys"] = keys;
        out["group_rows"] = to_numpy(std::move(index.group_rows));
        out["missing_rows"] = to_numpy(std::move(index.missing_rows));
        out["dropped_rows"] = index.dropped_rows;
        return out;
      },
      py::arg("features"), py::arg("missing"), py::arg("observed"), py::arg("n_jobs"));

  m.def(
      "sort_rows_by_group",
      [](const py::object& row_group, std::int32_t n_groups) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        GroupOrder order;
        {
          py::gil_scoped_release release;
          order = sort_rows_by_group(rows, n_groups);
        }
        return py::make_tuple(to_numpy(std::move(order.order)), to_numpy(std::move(order.offsets)));
      },
      py::arg("row_group"), py::arg("n_groups"));

  py::class_<ConfusionStats> confusion_stats_class(m, "ConfusionStats");
  confusion_stats_class.def_readonly("n_groups", &ConfusionStats::n_groups)
      .def_readonly("n_classes", &ConfusionStats::n_classes)
      .def_readonly("weighted", &ConfusionStats::weighted)
      .def_property_readonly(
          "counts", [](const ConfusionStats& s) { return to_numpy(s.counts, {s.n_groups, s.n_classes, s.n_classes}); })
      .def_property_readonly("weights", [](const ConfusionStats& s) { return cube(s.weights, s); })
      .def(
          "merge", [](const ConfusionStats& a, const ConfusionStats& b) { return merge(a, b); }, py::arg("other"))
      .def(
          "sum_groups",
          [](const ConfusionStats& s, const py::object& target, std::int32_t n_targets) {
            return sum_groups(s, span_of<std::int32_t>(target, "target", "int32"), n_targets);
          },
          py::arg("target"), py::arg("n_targets"));
  def_bytes(
      confusion_stats_class, [](const ConfusionStats& s) { return to_bytes(s); },
      [](const std::string& raw) { return confusion_from_bytes(raw); });

  py::class_<RegressionStats> regression_stats_class(m, "RegressionStats");
  regression_stats_class.def_readonly("n_groups", &RegressionStats::n_groups)
      .def_readonly("weighted", &RegressionStats::weighted)
      .def_property_readonly("count", [](const RegressionStats& s) { return to_numpy(s.count); })
      .def_property_readonly("weight", [](const RegressionStats& s) { return to_numpy(s.weight); })
      .def_property_readonly("mean_true", [](const RegressionStats& s) { return to_numpy(s.mean_true); })
      .def_property_readonly("m2_true", [](const RegressionStats& s) { return to_numpy(s.m2_true); })
      .def_property_readonly("sum_pred", [](const RegressionStats& s) { return to_numpy(s.sum_pred); })
      .def_property_readonly("sum_error", [](const RegressionStats& s) { return to_numpy(s.sum_error); })
      .def_property_readonly("sum_sq_error", [](const RegressionStats& s) { return to_numpy(s.sum_sq_error); })
      .def_property_readonly("sum_abs_error", [](const RegressionStats& s) { return to_numpy(s.sum_abs_error); })
      .def(
          "merge", [](const RegressionStats& a, const RegressionStats& b) { return merge(a, b); }, py::arg("other"))
      .def(
          "sum_groups",
          [](const RegressionStats& s, const py::object& target, std::int32_t n_targets) {
            return sum_groups(s, span_of<std::int32_t>(target, "target", "int32"), n_targets);
          },
          py::arg("target"), py::arg("n_targets"));
  def_bytes(
      regression_stats_class, [](const RegressionStats& s) { return to_bytes(s); },
      [](const std::string& raw) { return regression_from_bytes(raw); });

  m.def(
      "accumulate_confusion",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& y_true, const py::object& y_pred,
         std::int32_t n_classes, const py::object& weights, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto t = span_of<std::int32_t>(y_true, "y_true codes", "int32");
        const auto p = span_of<std::int32_t>(y_pred, "y_pred codes", "int32");
        const auto w = optional_weights(weights);
        py::gil_scoped_release release;
        return accumulate_confusion(rows, n_groups, t, p, n_classes, w, n_jobs);
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_true"), py::arg("y_pred"), py::arg("n_classes"),
      py::arg("sample_weight"), py::arg("n_jobs"));

  m.def(
      "accumulate_regression",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& y_true, const py::object& y_pred,
         const py::object& weights, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto t = span_of<double>(y_true, "y_true", "float64");
        const auto p = span_of<double>(y_pred, "y_pred", "float64");
        const auto w = optional_weights(weights);
        py::gil_scoped_release release;
        return accumulate_regression(rows, n_groups, t, p, w, n_jobs);
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_true"), py::arg("y_pred"), py::arg("sample_weight"),
      py::arg("n_jobs"));

  m.def(
      "classification_metric",
      [](const ConfusionStats& stats, ClassificationMetric metric, std::int32_t positive_class, Convention convention) {
        MetricValues values;
        {
          py::gil_scoped_release release;
          values = classification_metric(stats, metric, positive_class, convention);
        }
        return metric_result(std::move(values));
      },
      py::arg("stats"), py::arg("metric"), py::arg("positive_class"), py::arg("convention"));

  m.def(
      "regression_metric",
      [](const RegressionStats& stats, RegressionMetric metric, Convention convention) {
        MetricValues values;
        {
          py::gil_scoped_release release;
          values = regression_metric(stats, metric, convention);
        }
        return metric_result(std::move(values));
      },
      py::arg("stats"), py::arg("metric"), py::arg("convention"));

  m.def(
      "aggregate",
      [](const py::object& values, const py::object& control, std::int32_t n_levels, const py::object& overall,
         Convention convention) {
        const auto v = span_of<double>(values, "values", "float64");
        const auto c = span_of<std::int32_t>(control, "control", "int32");
        const auto o = span_of<double>(overall, "overall", "float64");
        Aggregates a;
        {
          py::gil_scoped_release release;
          a = aggregate(v, c, n_levels, o, convention);
        }
        py::dict out;
        out["group_min"] = to_numpy(std::move(a.group_min));
        out["group_max"] = to_numpy(std::move(a.group_max));
        out["difference_between_groups"] = to_numpy(std::move(a.difference_between));
        out["difference_to_overall"] = to_numpy(std::move(a.difference_to_overall));
        out["ratio_between_groups"] = to_numpy(std::move(a.ratio_between));
        out["ratio_to_overall"] = to_numpy(std::move(a.ratio_to_overall));
        return out;
      },
      py::arg("values"), py::arg("control"), py::arg("n_levels"), py::arg("overall"),
      py::arg("convention") = Convention::strict);

  m.def(
      "bootstrap_counts",
      [](const ConfusionStats& stats, int n_boot, std::uint64_t seed, int n_jobs, const py::object& progress,
         std::uint64_t first_replicate) {
        const Progress report = make_progress(progress);
        py::gil_scoped_release release;
        return bootstrap_counts(stats, n_boot, seed, n_jobs, report, first_replicate);
      },
      py::arg("stats"), py::arg("n_boot"), py::arg("seed"), py::arg("n_jobs"), py::arg("progress"),
      py::arg("first_replicate") = 0);

  m.def(
      "bootstrap_rows_confusion",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& y_true, const py::object& y_pred,
         std::int32_t n_classes, const py::object& weights, int n_boot, std::uint64_t seed, int n_jobs,
         const py::object& progress, std::uint64_t first_replicate) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto t = span_of<std::int32_t>(y_true, "y_true codes", "int32");
        const auto p = span_of<std::int32_t>(y_pred, "y_pred codes", "int32");
        const auto w = weights_or_empty(weights);
        const Progress report = make_progress(progress);
        py::gil_scoped_release release;
        return bootstrap_rows_confusion(rows, n_groups, t, p, n_classes, w, n_boot, seed, n_jobs, report,
                                        first_replicate);
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_true"), py::arg("y_pred"), py::arg("n_classes"),
      py::arg("sample_weight"), py::arg("n_boot"), py::arg("seed"), py::arg("n_jobs"), py::arg("progress"),
      py::arg("first_replicate") = 0);

  m.def(
      "bootstrap_rows_regression",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& y_true, const py::object& y_pred,
         const py::object& weights, int n_boot, std::uint64_t seed, int n_jobs, const py::object& progress,
         std::uint64_t first_replicate) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto t = span_of<double>(y_true, "y_true", "float64");
        const auto p = span_of<double>(y_pred, "y_pred", "float64");
        const auto w = weights_or_empty(weights);
        const Progress report = make_progress(progress);
        py::gil_scoped_release release;
        return bootstrap_rows_regression(rows, n_groups, t, p, w, n_boot, seed, n_jobs, report, first_replicate);
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_true"), py::arg("y_pred"), py::arg("sample_weight"),
      py::arg("n_boot"), py::arg("seed"), py::arg("n_jobs"), py::arg("progress"), py::arg("first_replicate") = 0);

  m.def("normal_quantile", &normal_quantile, py::arg("p"));

  // Intervals for arrays of counts: (low, high) arrays.
  m.def(
      "wilson",
      [](const py::object& x, const py::object& n, double z) {
        const auto xs = span_of<double>(x, "successes", "float64");
        const auto ns = span_of<double>(n, "trials", "float64");
        if (xs.size() != ns.size()) throw InvalidArgument("successes and trials differ in length");
        std::vector<double> low(xs.size()), high(xs.size());
        for (std::size_t i = 0; i < xs.size(); ++i) {
          const Interval interval = wilson(xs[i], ns[i], z);
          low[i] = interval.low;
          high[i] = interval.high;
        }
        return py::make_tuple(to_numpy(std::move(low)), to_numpy(std::move(high)));
      },
      py::arg("successes"), py::arg("trials"), py::arg("z"));

  for (const char* name : {"newcombe", "katz"}) {
    const bool is_newcombe = std::string(name) == "newcombe";
    m.def(
        name,
        [is_newcombe](const py::object& x1, const py::object& n1, const py::object& x2, const py::object& n2,
                      double z) {
          const auto a = span_of<double>(x1, "x1", "float64"), b = span_of<double>(n1, "n1", "float64");
          const auto c = span_of<double>(x2, "x2", "float64"), d = span_of<double>(n2, "n2", "float64");
          if (a.size() != b.size() || a.size() != c.size() || a.size() != d.size()) {
            throw InvalidArgument("counts differ in length");
          }
          std::vector<double> low(a.size()), high(a.size());
          for (std::size_t i = 0; i < a.size(); ++i) {
            const Interval interval =
                is_newcombe ? newcombe(a[i], b[i], c[i], d[i], z) : katz(a[i], b[i], c[i], d[i], z);
            low[i] = interval.low;
            high[i] = interval.high;
          }
          return py::make_tuple(to_numpy(std::move(low)), to_numpy(std::move(high)));
        },
        py::arg("x1"), py::arg("n1"), py::arg("x2"), py::arg("n2"), py::arg("z"));
  }

  m.def(
      "generalized_entropy",
      [](const py::object& values, const py::object& weights, double alpha) {
        return generalized_entropy(span_of<double>(values, "values", "float64"),
                                   span_of<double>(weights, "weights", "float64"), alpha);
      },
      py::arg("values"), py::arg("weights"), py::arg("alpha"));

  m.def(
      "smoothed_edf",
      [](const py::object& positives, const py::object& rows, double concentration) {
        return smoothed_edf(span_of<double>(positives, "positives", "float64"),
                            span_of<double>(rows, "rows", "float64"), concentration);
      },
      py::arg("positives"), py::arg("rows"), py::arg("concentration"));

  m.def(
      "roc_auc_by_group",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& scores, const py::object& labels,
         const py::object& weights, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto s = span_of<double>(scores, "y_score", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const auto w = weights_or_empty(weights);
        MetricValues values;
        {
          py::gil_scoped_release release;
          values = roc_auc_by_group(rows, n_groups, s, y, w, n_jobs);
        }
        return metric_result(std::move(values));
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_score"), py::arg("y_true"), py::arg("sample_weight"),
      py::arg("n_jobs"));

  m.def(
      "calibration_by_group",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& scores, const py::object& labels,
         const py::object& weights, std::int32_t n_bins, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto s = span_of<double>(scores, "y_prob", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const auto w = weights_or_empty(weights);
        Calibration c;
        {
          py::gil_scoped_release release;
          c = calibration_by_group(rows, n_groups, s, y, w, n_bins, n_jobs);
        }
        py::dict out;
        out["weight"] = to_numpy(std::move(c.weight), {c.n_groups, c.n_bins});
        out["mean_score"] = to_numpy(std::move(c.mean_score), {c.n_groups, c.n_bins});
        out["positive_rate"] = to_numpy(std::move(c.positive_rate), {c.n_groups, c.n_bins});
        out["ece"] = to_numpy(std::move(c.ece));
        out["mce"] = to_numpy(std::move(c.mce));
        return out;
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_prob"), py::arg("y_true"), py::arg("sample_weight"),
      py::arg("n_bins"), py::arg("n_jobs"));

  // Score metrics under the Poisson row bootstrap: (by_group (n_boot, n_groups), by_level (n_boot, n_levels)).
  m.def(
      "bootstrap_roc_auc",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& group_level, std::int32_t n_levels,
         const py::object& scores, const py::object& labels, const py::object& weights, int n_boot, std::uint64_t seed,
         int n_jobs, const py::object& progress, std::uint64_t first_replicate) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto levels = span_of<std::int32_t>(group_level, "group_level", "int32");
        const auto s = span_of<double>(scores, "y_score", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const auto w = weights_or_empty(weights);
        const Progress report = make_progress(progress);
        ReplicateValues values;
        {
          py::gil_scoped_release release;
          values = bootstrap_roc_auc(rows, n_groups, levels, n_levels, s, y, w, n_boot, seed, n_jobs, report,
                                     first_replicate);
        }
        return py::make_tuple(to_numpy(std::move(values.by_group), {n_boot, n_groups}),
                              to_numpy(std::move(values.by_level), {n_boot, n_levels}));
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("group_level"), py::arg("n_levels"), py::arg("y_score"),
      py::arg("y_true"), py::arg("sample_weight"), py::arg("n_boot"), py::arg("seed"), py::arg("n_jobs"),
      py::arg("progress"), py::arg("first_replicate") = 0);
  m.def(
      "bootstrap_calibration_error",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& group_level, std::int32_t n_levels,
         const py::object& scores, const py::object& labels, const py::object& weights, std::int32_t n_bins, int n_boot,
         std::uint64_t seed, int n_jobs, const py::object& progress, std::uint64_t first_replicate) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto levels = span_of<std::int32_t>(group_level, "group_level", "int32");
        const auto s = span_of<double>(scores, "y_prob", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const auto w = weights_or_empty(weights);
        const Progress report = make_progress(progress);
        ReplicateValues values;
        {
          py::gil_scoped_release release;
          values = bootstrap_calibration_error(rows, n_groups, levels, n_levels, s, y, w, n_bins, n_boot, seed, n_jobs,
                                               report, first_replicate);
        }
        return py::make_tuple(to_numpy(std::move(values.by_group), {n_boot, n_groups}),
                              to_numpy(std::move(values.by_level), {n_boot, n_levels}));
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("group_level"), py::arg("n_levels"), py::arg("y_prob"),
      py::arg("y_true"), py::arg("sample_weight"), py::arg("n_bins"), py::arg("n_boot"), py::arg("seed"),
      py::arg("n_jobs"), py::arg("progress"), py::arg("first_replicate") = 0);

  m.def(
      "resample_grouped_rows",
      [](const py::object& order, const py::object& offsets, std::size_t n_rows, std::uint64_t seed,
         std::uint64_t replicate) {
        const auto o = span_of<std::int64_t>(order, "order", "int64");
        const auto f = span_of<std::int64_t>(offsets, "offsets", "int64");
        ResampledRows rows;
        {
          py::gil_scoped_release release;
          rows = resample_grouped_rows(o, f, n_rows, seed, replicate);
        }
        return py::make_tuple(to_numpy(std::move(rows.rows)), to_numpy(std::move(rows.offsets)));
      },
      py::arg("order"), py::arg("offsets"), py::arg("n_rows"), py::arg("seed"), py::arg("replicate"));

  m.def(
      "reweighing",
      [](const ConfusionStats& stats) { return to_numpy(reweighing(stats), {stats.n_groups, stats.n_classes}); },
      py::arg("stats"));

  // fairlearn's ThresholdOptimizer: one rate equalised across groups, or equalized odds.
  m.def(
      "optimize_thresholds",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& scores, const py::object& labels,
         RateMetric constraint, RateMetric objective, std::int32_t grid_size, bool flip, double tol, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto s = span_of<double>(scores, "y_score", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const ThresholdOptions options{grid_size, flip, tol};
        ThresholdRules rules;
        {
          py::gil_scoped_release release;
          rules = optimize_thresholds(rows, n_groups, s, y, constraint, objective, options, n_jobs);
        }
        return threshold_rules(std::move(rules));
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_score"), py::arg("y_true"), py::arg("constraint"),
      py::arg("objective"), py::arg("grid_size"), py::arg("flip"), py::arg("tol"), py::arg("n_jobs"));
  m.def(
      "optimize_equalized_odds",
      [](const py::object& row_group, std::int32_t n_groups, const py::object& scores, const py::object& labels,
         RateMetric objective, std::int32_t grid_size, bool flip, double tol, int n_jobs) {
        const auto rows = span_of<std::int32_t>(row_group, "row_group", "int32");
        const auto s = span_of<double>(scores, "y_score", "float64");
        const auto y = span_of<std::int32_t>(labels, "y_true codes", "int32");
        const ThresholdOptions options{grid_size, flip, tol};
        ThresholdRules rules;
        {
          py::gil_scoped_release release;
          rules = optimize_equalized_odds(rows, n_groups, s, y, objective, options, n_jobs);
        }
        return threshold_rules(std::move(rules));
      },
      py::arg("row_group"), py::arg("n_groups"), py::arg("y_score"), py::arg("y_true"), py::arg("objective"),
      py::arg("grid_size"), py::arg("flip"), py::arg("tol"), py::arg("n_jobs"));

  py::list reasons;
  for (int r = 0; r <= static_cast<int>(Undefined::constant_target); ++r) {
    reasons.append(describe(static_cast<Undefined>(r)));
  }
  m.attr("UNDEFINED_REASONS") = reasons;
}

}  // namespace assay::bindings
