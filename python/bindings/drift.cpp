// Bindings of the drift engine (assay/drift): two-sample tests, distances, reports.
#include "assay/common/error.hpp"
#include "assay/drift/multivariate.hpp"
#include "assay/drift/report.hpp"
#include "assay/drift/univariate.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::span<const double> span_of(const Array& a) { return {a.data(), static_cast<std::size_t>(a.size())}; }

drift::MatrixView matrix_of(const Array& a, const char* argument) {
  if (a.ndim() != 2) throw InvalidArgument(std::string(argument) + " must be a 2-D array");
  return {a.data(), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
}

drift::PMethod parse_method(const std::string& method) {
  if (method == "auto") return drift::PMethod::automatic;
  if (method == "exact") return drift::PMethod::exact;
  if (method == "asymp" || method == "asymptotic") return drift::PMethod::asymptotic;
  throw InvalidArgument("method must be 'auto', 'exact' or 'asymptotic', got '" + method + "'");
}

py::tuple as_tuple(const drift::TestResult& r) { return py::make_tuple(r.statistic, r.pvalue, r.method, r.dof); }

std::vector<drift::ColumnRequest> to_requests(const py::list& requests) {
  std::vector<drift::ColumnRequest> out;
  for (const auto& item : requests) {
    const auto entry = item.cast<py::tuple>();
    drift::ColumnRequest request;
    request.column = entry[0].cast<std::string>();
    for (const auto& name : entry[1].cast<std::vector<std::string>>()) request.tests.push_back(drift::parse_test(name));
    request.thresholds = entry[2].cast<std::vector<double>>();
    for (const auto& [name, value] : entry[3].cast<std::map<std::string, double>>())
      request.test_thresholds[drift::parse_test(name)] = value;
    out.push_back(std::move(request));
  }
  return out;
}

// Runs a two-sample function on sorted copies of x and y (sorting without the GIL).
template <class Fn>
auto on_sorted(const Array& x, const Array& y, Fn&& fn, const char* x_name = "x", const char* y_name = "y") {
  py::gil_scoped_release release;
  const auto xs = drift::SortedSample::sort(span_of(x), x_name);
  const auto ys = drift::SortedSample::sort(span_of(y), y_name);
  return fn(xs, ys);
}

}  // namespace

void bind_drift(py::module_& m) {
  py::class_<drift::ColumnDrift>(m, "ColumnDrift")
      .def_readonly("column", &drift::ColumnDrift::column)
      .def_property_readonly("test", [](const drift::ColumnDrift& d) { return drift::test_name(d.test); })
      .def_readonly("statistic", &drift::ColumnDrift::statistic)
      .def_readonly("pvalue", &drift::ColumnDrift::pvalue)
      .def_readonly("score", &drift::ColumnDrift::score)
      .def_readonly("pvalue_adjusted", &drift::ColumnDrift::pvalue_adjusted)
      .def_readonly("threshold", &drift::ColumnDrift::threshold)
      .def_readonly("drifted", &drift::ColumnDrift::drifted)
      .def_readonly("method", &drift::ColumnDrift::method)
      .def_readonly("n_reference", &drift::ColumnDrift::n_reference)
      .def_readonly("n_current", &drift::ColumnDrift::n_current)
      .def_readonly("missing_reference", &drift::ColumnDrift::missing_reference)
      .def_readonly("missing_current", &drift::ColumnDrift::missing_current)
      .def_readonly("infinite_reference", &drift::ColumnDrift::infinite_reference)
      .def_readonly("infinite_current", &drift::ColumnDrift::infinite_current)
      .def_readonly("note", &drift::ColumnDrift::note);

  m.def("drift_test_info", [](const std::string& name) {
    const drift::Test test = drift::parse_test(name);
    return py::make_tuple(drift::test_gives_pvalue(test), drift::test_accepts_numeric(test),
                          drift::test_accepts_categorical(test), drift::default_threshold(test));
  });

  m.def(
      "ks_2samp",
      [](const Array& x, const Array& y, const std::string& method) {
        const auto how = parse_method(method);
        return as_tuple(on_sorted(
            x, y, [&](const auto& a, const auto& b) { return drift::ks_2samp(a, b, how); }, "data1", "data2"));
      },
      py::arg("x"), py::arg("y"), py::arg("method"));
  m.def(
      "mannwhitneyu",
      [](const Array& x, const Array& y, const std::string& method) {
        const auto how = parse_method(method);
        return as_tuple(on_sorted(x, y, [&](const auto& a, const auto& b) { return drift::mann_whitney_u(a, b, how); }));
      },
      py::arg("x"), py::arg("y"), py::arg("method"));
  m.def(
      "cramervonmises_2samp",
      [](const Array& x, const Array& y, const std::string& method) {
        const auto how = parse_method(method);
        return as_tuple(
            on_sorted(x, y, [&](const auto& a, const auto& b) { return drift::cramer_von_mises_2samp(a, b, how); }));
      },
      py::arg("x"), py::arg("y"), py::arg("method"));
  m.def(
      "epps_singleton_2samp",
      [](const Array& x, const Array& y) {
        return as_tuple(
            on_sorted(x, y, [](const auto& a, const auto& b) { return drift::epps_singleton_2samp(a, b); }));
      },
      py::arg("x"), py::arg("y"));
  m.def(
      "anderson_ksamp",
      [](const std::vector<Array>& samples) {
        drift::TestResult result;
        {
          py::gil_scoped_release release;
          std::vector<drift::SortedSample> sorted;
          for (std::size_t i = 0; i < samples.size(); ++i)
            sorted.push_back(drift::SortedSample::sort(span_of(samples[i]), "samples[" + std::to_string(i) + "]"));
          result = drift::anderson_ksamp(
              std::vector<std::reference_wrapper<const drift::SortedSample>>(sorted.begin(), sorted.end()));
        }
        return as_tuple(result);
      },
      py::arg("samples"));
  m.def(
      "cdf_distance",
      [](const Array& x, const Array& y, const std::optional<Array>& wx, const std::optional<Array>& wy, int p) {
        py::gil_scoped_release release;
        if (wx && wy)  // weighted: the core sorts values with their weights
          return p == 1 ? drift::wasserstein(span_of(x), span_of(y), span_of(*wx), span_of(*wy))
                        : drift::energy_distance(span_of(x), span_of(y), span_of(*wx), span_of(*wy));
        const auto xs = drift::SortedSample::sort(span_of(x), "u_values");
        const auto ys = drift::SortedSample::sort(span_of(y), "v_values");
        return p == 1 ? drift::wasserstein(xs, ys) : drift::energy_distance(xs, ys);
      },
      py::arg("x"), py::arg("y"), py::arg("x_weights"), py::arg("y_weights"), py::arg("p"));
  m.def(
      "chi2_contingency",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& observed, bool correction,
         bool log_likelihood) {
        if (observed.ndim() != 2) throw InvalidArgument("observed must be a 2-D table of counts");
        return as_tuple(drift::chi2_contingency(span_of(observed), static_cast<std::size_t>(observed.shape(0)),
                                                static_cast<std::size_t>(observed.shape(1)), correction,
                                                log_likelihood));
      },
      py::arg("observed"), py::arg("correction"), py::arg("log_likelihood"));
  m.def(
      "chisquare",
      [](const Array& reference_counts, const Array& current_counts, bool log_likelihood) {
        return as_tuple(drift::chisquare_goodness_of_fit(span_of(reference_counts), span_of(current_counts),
                                                         log_likelihood));
      },
      py::arg("reference_counts"), py::arg("current_counts"), py::arg("log_likelihood"));
  m.def("fisher_exact", [](std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) {
    return as_tuple(drift::fisher_exact(a, b, c, d));
  });
  m.def("two_proportion_z", [](double k1, double n1, double k2, double n2) {
    return as_tuple(drift::two_proportion_z(k1, n1, k2, n2));
  });
  m.def(
      "normalized_wasserstein",
      [](const Array& reference, const Array& current) {
        return on_sorted(
            reference, current, [](const auto& a, const auto& b) { return drift::normalized_wasserstein(a, b); },
            "reference", "current");
      },
      py::arg("reference"), py::arg("current"));
  m.def(
      "distribution_distance",
      [](const std::string& name, const Array& p, const Array& q) {
        const auto a = span_of(p), b = span_of(q);
        if (name == "psi") return drift::population_stability_index(a, b, true);
        if (name == "kl_div") return drift::kl_divergence(a, b);
        if (name == "jensenshannon") return drift::jensen_shannon(a, b);
        if (name == "hellinger") return drift::hellinger(a, b);
        if (name == "tvd") return drift::total_variation(a, b);
        throw InvalidArgument("unknown distance '" + name + "'");
      },
      py::arg("name"), py::arg("p"), py::arg("q"));

  m.def(
      "drift_report",
      [](const py::list& reference, const py::list& current, const py::list& requests, int n_jobs,
         const py::object& progress, const std::string& correction) {
        Table ref = to_table(reference), cur = to_table(current);
        const auto parsed = to_requests(requests);
        const drift::Correction parsed_correction = drift::parse_correction(correction);
        const Progress report_progress = make_progress(progress);
        py::gil_scoped_release release;
        return drift::drift_report(ref.view, cur.view, parsed, n_jobs, report_progress, parsed_correction);
      },
      py::arg("reference"), py::arg("current"), py::arg("requests"), py::arg("n_jobs"), py::arg("progress"),
      py::arg("correction") = "none");
  m.def(
      "adjust_pvalues",
      [](const Array& pvalues, const std::string& method) {
        const drift::Correction correction = drift::parse_correction(method);
        std::vector<double> adjusted;
        {
          py::gil_scoped_release release;
          adjusted = drift::adjust_pvalues(span_of(pvalues), correction);
        }
        return py::array_t<double>(adjusted.size(), adjusted.data());
      },
      py::arg("pvalues"), py::arg("method"));
  m.def(
      "drift_over_time",
      [](const py::list& reference, const py::list& current,
         const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& chunk_of_row, std::int64_t n_chunks,
         const py::list& requests, int n_jobs, const py::object& progress, const std::string& correction) {
        Table ref = to_table(reference), cur = to_table(current);
        const auto parsed = to_requests(requests);
        const drift::Correction parsed_correction = drift::parse_correction(correction);
        const Progress report_progress = make_progress(progress);
        const std::span<const std::int64_t> chunks(chunk_of_row.data(), static_cast<std::size_t>(chunk_of_row.size()));
        std::vector<drift::ChunkDrift> results;
        {
          py::gil_scoped_release release;
          results = drift::drift_over_time(ref.view, cur.view, chunks, n_chunks, parsed, n_jobs, report_progress, parsed_correction);
        }
        py::list out;
        for (auto& r : results) out.append(py::make_tuple(r.chunk, std::move(r.drift)));
        return out;
      },
      py::arg("reference"), py::arg("current"), py::arg("chunk_of_row"), py::arg("n_chunks"), py::arg("requests"),
      py::arg("n_jobs"), py::arg("progress"), py::arg("correction") = "none");

  m.def(
      "mmd_test",
      [](const Array& x, const Array& y, std::size_t n_permutations, std::uint64_t seed, double bandwidth, int n_jobs,
         const py::object& progress) {
        const auto xm = matrix_of(x, "reference"), ym = matrix_of(y, "current");
        const Progress test_progress = make_progress(progress);
        drift::MmdResult result;
        {
          py::gil_scoped_release release;
          result = drift::mmd_test(xm, ym, n_permutations, seed, bandwidth, n_jobs, test_progress);
        }
        return py::make_tuple(result.statistic, result.pvalue, result.bandwidth,
                              py::array_t<double>(result.permuted.size(), result.permuted.data()));
      },
      py::arg("x"), py::arg("y"), py::arg("n_permutations"), py::arg("seed"), py::arg("bandwidth"), py::arg("n_jobs"),
      py::arg("progress"));
  m.def(
      "mmd_permutation",
      [](std::size_t n_pooled, std::uint64_t seed, std::size_t p) {
        const auto order = drift::mmd_permutation(n_pooled, seed, p);
        return py::array_t<std::uint32_t>(order.size(), order.data());
      },
      py::arg("n_pooled"), py::arg("seed"), py::arg("p"));
  m.def(
      "median_heuristic_bandwidth",
      [](const Array& x, const Array& y, std::uint64_t seed) {
        return drift::median_heuristic_bandwidth(matrix_of(x, "reference"), matrix_of(y, "current"), seed);
      },
      py::arg("x"), py::arg("y"), py::arg("seed"));

  m.def(
      "domain_classifier",
      [](const Array& x, const Array& y, std::size_t n_folds, const std::string& classifier, double l2,
         std::size_t n_trees, std::size_t max_depth, double learning_rate, std::uint64_t seed, int n_jobs,
         const py::object& progress) {
        const auto xm = matrix_of(x, "reference"), ym = matrix_of(y, "current");
        const Progress fit_progress = make_progress(progress);
        if (classifier != "logistic" && classifier != "gbt")
          throw InvalidArgument("classifier must be 'logistic' or 'gbt', got '" + classifier + "'");
        drift::DomainClassifierOptions options;
        options.model = classifier == "gbt" ? drift::DomainModel::gradient_boosting : drift::DomainModel::logistic;
        options.l2 = l2;
        options.n_trees = n_trees;
        options.max_depth = max_depth;
        options.learning_rate = learning_rate;
        drift::DomainClassifierResult r;
        {
          py::gil_scoped_release release;
          r = drift::domain_classifier(xm, ym, n_folds, options, seed, n_jobs, fit_progress);
        }
        return py::make_tuple(r.auc, r.lower, r.upper, r.fold_auc,
                              py::array_t<double>(r.scores.size(), r.scores.data()),
                              py::array_t<std::int32_t>(r.folds.size(), r.folds.data()));
      },
      py::arg("x"), py::arg("y"), py::arg("n_folds"), py::arg("classifier"), py::arg("l2"), py::arg("n_trees"),
      py::arg("max_depth"), py::arg("learning_rate"), py::arg("seed"), py::arg("n_jobs"), py::arg("progress") = py::none());

  py::class_<drift::PcaModel>(m, "PcaModel")
      .def_readonly("mean", &drift::PcaModel::mean)
      .def_readonly("scale", &drift::PcaModel::scale)
      .def_property_readonly("components",
                             [](const drift::PcaModel& model) {
                               py::array_t<double> out({model.n_components, model.n_features});
                               std::copy(model.components.begin(), model.components.end(), out.mutable_data());
                               return out;
                             })
      .def_readonly("n_components", &drift::PcaModel::n_components)
      .def_readonly("explained_variance", &drift::PcaModel::explained_variance);
  m.def(
      "fit_pca",
      [](const Array& reference, double variance, const py::object& progress) {
        const auto view = matrix_of(reference, "reference");
        const Progress fit_progress = make_progress(progress);
        py::gil_scoped_release release;
        return drift::fit_pca(view, variance, fit_progress);
      },
      py::arg("reference"), py::arg("variance"), py::arg("progress") = py::none());
  m.def(
      "reconstruction_error",
      [](const drift::PcaModel& model, const Array& data,
         const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& chunk_of_row, std::int64_t n_chunks,
         int n_jobs, const py::object& progress) {
        const auto view = matrix_of(data, "data");
        const std::span<const std::int64_t> chunks(chunk_of_row.data(), static_cast<std::size_t>(chunk_of_row.size()));
        const Progress error_progress = make_progress(progress);
        py::gil_scoped_release release;
        return drift::reconstruction_error(model, view, chunks, n_chunks, n_jobs, error_progress);
      },
      py::arg("model"), py::arg("data"), py::arg("chunk_of_row"), py::arg("n_chunks"), py::arg("n_jobs"),
      py::arg("progress") = py::none());
}

}  // namespace assay::bindings
