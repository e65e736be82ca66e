// Bindings of the drift engine (assay/drift): two-sample tests, distances, reports.
#include "assay/drift/histogram.hpp"
#include "assay/drift/multivariate.hpp"
#include "assay/drift/report.hpp"
#include "assay/drift/sketched.hpp"
#include "assay/drift/univariate.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using Array = Doubles;
using Int64s = CArray<std::int64_t>;

drift::MatrixView matrix_of(const Array& a, const char* argument) {
  if (a.ndim() != 2) throw InvalidArgument(std::string(argument) + " must be a 2-D array");
  return {a.data(), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
}

py::tuple as_tuple(const drift::TestResult& r) { return py::make_tuple(r.statistic, r.pvalue, r.method, r.dof); }

// (column, tests, thresholds, {test: threshold}) tuples -> the core's requests.
std::vector<drift::ColumnRequest> to_requests(const py::list& requests) {
  std::vector<drift::ColumnRequest> out;
  for (const auto& item : requests) {
    const auto entry = item.cast<py::tuple>();
    out.push_back({entry[0].cast<std::string>(), entry[1].cast<std::vector<drift::Test>>(),
                   entry[2].cast<std::vector<double>>(), entry[3].cast<std::map<drift::Test, double>>()});
  }
  return out;
}

// Runs a two-sample function on sorted copies of x and y (sorting without the GIL).
// The rank tests pass Infinities::ranked: they accept -inf and +inf, as scipy's.
template <class Fn>
auto on_sorted(const Array& x, const Array& y, Fn&& fn, const char* x_name = "x", const char* y_name = "y",
               drift::SortedSample::Infinities infinities = drift::SortedSample::Infinities::refused) {
  py::gil_scoped_release release;
  const auto xs = drift::SortedSample::sort(span_of(x), x_name, infinities);
  const auto ys = drift::SortedSample::sort(span_of(y), y_name, infinities);
  return fn(xs, ys);
}

constexpr auto kRanked = drift::SortedSample::Infinities::ranked;

}  // namespace

void bind_drift(py::module_& m) {
  py::native_enum<drift::PMethod>(m, "PMethod", "enum.Enum", "How a test computes its p-value.")
      .value("auto", drift::PMethod::automatic)
      .value("exact", drift::PMethod::exact)
      .value("asymptotic", drift::PMethod::asymptotic)
      .finalize();
  py::native_enum<drift::Alternative>(m, "Alternative", "enum.Enum", "The alternative hypothesis of a test.")
      .value("two_sided", drift::Alternative::two_sided)
      .value("less", drift::Alternative::less)
      .value("greater", drift::Alternative::greater)
      .finalize();
  // The column tests, named by the core's keys (Evidently's).
  py::native_enum<drift::Test> tests(m, "Test", "enum.Enum", "A column-drift test.");
  for (int t = 0; t <= static_cast<int>(drift::kLastTest); ++t) {
    tests.value(drift::test_name(static_cast<drift::Test>(t)), static_cast<drift::Test>(t));
  }
  tests.finalize();
  py::native_enum<drift::Correction>(m, "Correction", "enum.Enum", "Multiple-testing correction of the p-values.")
      .value("none", drift::Correction::none)
      .value("bonferroni", drift::Correction::bonferroni)
      .value("holm", drift::Correction::holm)
      .value("fdr_bh", drift::Correction::fdr_bh)
      .finalize();
  py::native_enum<drift::DomainModel>(m, "DomainModel", "enum.Enum", "The domain classifier's model.")
      .value("logistic", drift::DomainModel::logistic)
      .value("gbt", drift::DomainModel::gradient_boosting)
      .finalize();

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
      .def_readonly("note", &drift::ColumnDrift::note)
      .def_readonly("exact", &drift::ColumnDrift::exact)
      .def_readonly("statistic_bound", &drift::ColumnDrift::statistic_bound)
      .def_readonly("pvalue_low", &drift::ColumnDrift::pvalue_low)
      .def_readonly("pvalue_high", &drift::ColumnDrift::pvalue_high);

  py::class_<drift::ColumnSketch> column_sketch_class(m, "ColumnSketch");
  column_sketch_class.def_readonly("numeric", &drift::ColumnSketch::numeric)
      .def_readonly("missing", &drift::ColumnSketch::missing)
      .def_readonly("infinite", &drift::ColumnSketch::infinite)
      .def_readonly("binning", &drift::ColumnSketch::binning)
      .def_property_readonly("size", &drift::ColumnSketch::size)
      .def_property_readonly("n_bins", [](const drift::ColumnSketch& s) { return s.counts.size(); })
      .def_property_readonly("counts", [](const drift::ColumnSketch& s) { return to_numpy(s.counts); })
      .def_property_readonly("low", [](const drift::ColumnSketch& s) { return to_numpy(s.low); })
      .def_property_readonly("high", [](const drift::ColumnSketch& s) { return to_numpy(s.high); })
      .def_readonly("categories", &drift::ColumnSketch::categories)
      .def(
          "merge", [](const drift::ColumnSketch& a, const drift::ColumnSketch& b) { return drift::merge(a, b); },
          py::arg("other"));
  def_bytes(
      column_sketch_class, [](const drift::ColumnSketch& s) { return drift::to_bytes(s); },
      [](const std::string& raw) { return drift::column_sketch_from_bytes(raw); });
  m.def(
      "sketch_column",
      [](const py::list& column, const std::optional<Array>& edges) {
        Table table = to_table(column);
        if (table.view.n_columns() != 1) throw InvalidArgument("sketch_column takes one column");
        py::gil_scoped_release release;
        return drift::sketch_column(table.view.column(0), edges ? span_of(*edges) : std::span<const double>{});
      },
      py::arg("column"), py::arg("edges") = py::none(),
      "The ColumnSketch of one core column ([(name, values)] or [(name, codes, labels)]), on the grid or on edges.");
  m.def("needs_refinement", &drift::needs_refinement, py::arg("reference"), py::arg("current"));
  m.def(
      "refined_edges",
      [](const drift::ColumnSketch& reference, const drift::ColumnSketch& current, bool with_sturges) {
        return to_numpy(drift::refined_edges(reference, current, with_sturges));
      },
      py::arg("reference"), py::arg("current"), py::arg("with_sturges") = false);
  m.def(
      "sturges_edges",
      [](const drift::ColumnSketch& reference, const drift::ColumnSketch& current) {
        return to_numpy(drift::sturges_edges(reference, current));
      },
      py::arg("reference"), py::arg("current"));
  m.def("sketch_supports", &drift::sketch_supports, py::arg("test"), py::arg("reference"), py::arg("current"));
  m.def("resolve_sketch_test", &drift::resolve_sketch_test, py::arg("name"), py::arg("reference"), py::arg("current"));
  m.def("compare_sketches", &drift::compare_sketches, py::arg("name"), py::arg("reference"), py::arg("current"),
        py::arg("test"), py::arg("threshold"));
  m.def(
      "sketch_intervals",
      [](const drift::ColumnSketch& reference, const drift::ColumnSketch& current) {
        const drift::AlignedBins bins = drift::align(reference, current);
        auto pair = [](Interval v) { return py::make_tuple(v.low, v.high); };
        py::dict out;
        out["ks"] = pair(drift::ks_statistic_interval(bins));
        out["wasserstein"] = pair(drift::wasserstein_interval(bins));
        out["energy_distance"] = pair(drift::energy_distance_interval(bins));
        out["reference_std"] = pair(drift::reference_std_interval(bins));
        out["mann_whitney_u"] = pair(drift::mann_whitney_u_interval(bins));
        out["tie_term"] = pair(drift::mann_whitney_tie_term_interval(bins));
        out["cramer_von_mises_u"] = pair(drift::cramer_von_mises_u_interval(bins));
        try {  // one distinct value: no Anderson-Darling statistic
          out["anderson_a2kn"] = pair(drift::anderson_darling_a2kn_interval(bins));
        } catch (const InvalidArgument&) {
          out["anderson_a2kn"] = py::make_tuple(drift::kNaN, drift::kNaN);
        }
        return out;
      },
      py::arg("reference"), py::arg("current"),
      "The intervals (low, high) that hold the exact statistics, from merged numeric sketches.");

  m.def(
      "test_info",
      [](drift::Test test) {
        return py::make_tuple(drift::test_gives_pvalue(test), drift::test_accepts_numeric(test),
                              drift::test_accepts_categorical(test), drift::default_threshold(test));
      },
      py::arg("test"), "(gives a p-value, accepts numeric columns, accepts categorical columns, default threshold).");

  m.def(
      "ks_2samp",
      [](const Array& x, const Array& y, drift::PMethod how, drift::Alternative alternative) {
        const drift::KsResult r = on_sorted(
            x, y, [&](const auto& a, const auto& b) { return drift::ks_2samp(a, b, how, alternative); }, "data1",
            "data2", kRanked);
        return py::make_tuple(r.statistic, r.pvalue, r.method, r.dof, r.location, r.sign);
      },
      py::arg("x"), py::arg("y"), py::arg("method"), py::arg("alternative"));
  m.def(
      "mannwhitneyu",
      [](const Array& x, const Array& y, drift::PMethod how, drift::Alternative alternative, bool continuity) {
        return as_tuple(on_sorted(
            x, y,
            [&](const auto& a, const auto& b) { return drift::mann_whitney_u(a, b, how, alternative, continuity); },
            "x", "y", kRanked));
      },
      py::arg("x"), py::arg("y"), py::arg("method"), py::arg("alternative"), py::arg("use_continuity"));
  m.def(
      "cramervonmises_2samp",
      [](const Array& x, const Array& y, drift::PMethod how) {
        return as_tuple(on_sorted(
            x, y, [&](const auto& a, const auto& b) { return drift::cramer_von_mises_2samp(a, b, how); }, "x", "y",
            kRanked));
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
      [](const std::vector<Array>& samples, bool midrank) {
        drift::AndersonResult result;
        {
          py::gil_scoped_release release;
          std::vector<drift::SortedSample> sorted;
          sorted.reserve(samples.size());
          for (std::size_t i = 0; i < samples.size(); ++i)
            sorted.push_back(
                drift::SortedSample::sort(span_of(samples[i]), "samples[" + std::to_string(i) + "]", kRanked));
          result = drift::anderson_ksamp(
              std::vector<std::reference_wrapper<const drift::SortedSample>>(sorted.begin(), sorted.end()), midrank);
        }
        return py::make_tuple(as_tuple(result), to_numpy(std::move(result.critical_values)));
      },
      py::arg("samples"), py::arg("midrank"));
  m.def(
      "cdf_distance",
      [](const Array& x, const Array& y, const std::optional<Array>& wx, const std::optional<Array>& wy, int p) {
        py::gil_scoped_release release;
        if (wx && wy)  // weighted: the core sorts values with their weights
          return p == 1 ? drift::wasserstein(span_of(x), span_of(y), span_of(*wx), span_of(*wy))
                        : drift::energy_distance(span_of(x), span_of(y), span_of(*wx), span_of(*wy));
        const auto xs = drift::SortedSample::sort(span_of(x), "u_values", kRanked);
        const auto ys = drift::SortedSample::sort(span_of(y), "v_values", kRanked);
        return p == 1 ? drift::wasserstein(xs, ys) : drift::energy_distance(xs, ys);
      },
      py::arg("x"), py::arg("y"), py::arg("x_weights"), py::arg("y_weights"), py::arg("p"));
  m.def(
      "chi2_contingency",
      [](const Array& observed, bool correction, double lambda) {
        if (observed.ndim() != 2) throw InvalidArgument("observed must be a 2-D table of counts");
        auto r = drift::chi2_contingency(span_of(observed), static_cast<std::size_t>(observed.shape(0)),
                                         static_cast<std::size_t>(observed.shape(1)), correction, lambda);
        return py::make_tuple(as_tuple(r), to_numpy(std::move(r.expected), {observed.shape(0), observed.shape(1)}));
      },
      py::arg("observed"), py::arg("correction"), py::arg("lambda_"));
  m.def(
      "chisquare",
      [](const Array& reference_counts, const Array& current_counts, double lambda, double ddof) {
        return as_tuple(
            drift::chisquare_goodness_of_fit(span_of(reference_counts), span_of(current_counts), lambda, ddof));
      },
      py::arg("reference_counts"), py::arg("current_counts"), py::arg("lambda_"), py::arg("ddof"));
  m.def(
      "fisher_exact",
      [](std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d, drift::Alternative alternative) {
        return as_tuple(drift::fisher_exact(a, b, c, d, alternative));
      },
      py::arg("a"), py::arg("b"), py::arg("c"), py::arg("d"), py::arg("alternative"));
  m.def(
      "two_proportion_z",
      [](double k1, double n1, double k2, double n2) { return as_tuple(drift::two_proportion_z(k1, n1, k2, n2)); },
      py::arg("k1"), py::arg("n1"), py::arg("k2"), py::arg("n2"));
  m.def(
      "normalized_wasserstein",
      [](const Array& reference, const Array& current) {
        return on_sorted(
            reference, current, [](const auto& a, const auto& b) { return drift::normalized_wasserstein(a, b); },
            "reference", "current");
      },
      py::arg("reference"), py::arg("current"));
  // Distances between two weight vectors (the core normalises them).
  m.def(
      "psi",
      [](const Array& p, const Array& q) { return drift::population_stability_index(span_of(p), span_of(q), true); },
      py::arg("p"), py::arg("q"));
  m.def(
      "kl_divergence",
      [](const Array& p, const Array& q, std::optional<double> base) {
        return drift::kl_divergence(span_of(p), span_of(q), base);
      },
      py::arg("p"), py::arg("q"), py::arg("base"));
  m.def(
      "shannon_entropy",
      [](const Array& p, std::optional<double> base) { return drift::shannon_entropy(span_of(p), base); }, py::arg("p"),
      py::arg("base"));
  m.def(
      "jensenshannon",
      [](const Array& p, const Array& q, std::optional<double> base) {
        return drift::jensen_shannon(span_of(p), span_of(q), base);
      },
      py::arg("p"), py::arg("q"), py::arg("base"));
  m.def(
      "hellinger", [](const Array& p, const Array& q) { return drift::hellinger(span_of(p), span_of(q)); },
      py::arg("p"), py::arg("q"));
  m.def(
      "total_variation", [](const Array& p, const Array& q) { return drift::total_variation(span_of(p), span_of(q)); },
      py::arg("p"), py::arg("q"));

  m.def(
      "report",
      [](const py::list& reference, const py::list& current, const py::list& requests, int n_jobs,
         const py::object& progress, drift::Correction correction) {
        Table ref = to_table(reference), cur = to_table(current);
        const auto parsed = to_requests(requests);
        const Progress report_progress = make_progress(progress);
        py::gil_scoped_release release;
        return drift::drift_report(ref.view, cur.view, parsed, n_jobs, report_progress, correction);
      },
      py::arg("reference"), py::arg("current"), py::arg("requests"), py::arg("n_jobs"), py::arg("progress"),
      py::arg("correction") = drift::Correction::none);
  py::class_<drift::PairedHistogram>(m, "PairedHistogram")
      .def_property_readonly("edges", [](const drift::PairedHistogram& h) { return to_numpy(h.edges); })
      .def_property_readonly("reference", [](const drift::PairedHistogram& h) { return to_numpy(h.reference); })
      .def_property_readonly("current", [](const drift::PairedHistogram& h) { return to_numpy(h.current); })
      .def_readonly("reference_missing", &drift::PairedHistogram::reference_missing)
      .def_readonly("current_missing", &drift::PairedHistogram::current_missing);
  m.def(
      "paired_histograms",
      [](const py::list& reference, const py::list& current, int bins, int n_jobs) {
        Table ref = to_table(reference), cur = to_table(current);
        py::gil_scoped_release release;
        return drift::paired_histograms(ref.view, cur.view, bins, n_jobs);
      },
      py::arg("reference"), py::arg("current"), py::arg("bins"), py::arg("n_jobs"));
  m.def(
      "adjust_pvalues",
      [](const Array& pvalues, drift::Correction method) {
        std::vector<double> adjusted;
        {
          py::gil_scoped_release release;
          adjusted = drift::adjust_pvalues(span_of(pvalues), method);
        }
        return to_numpy(std::move(adjusted));
      },
      py::arg("pvalues"), py::arg("method"));
  m.def(
      "over_time",
      [](const py::list& reference, const py::list& current, const Int64s& chunk_of_row, std::int64_t n_chunks,
         const py::list& requests, int n_jobs, const py::object& progress, drift::Correction correction) {
        Table ref = to_table(reference), cur = to_table(current);
        const auto parsed = to_requests(requests);
        const Progress report_progress = make_progress(progress);
        std::vector<drift::ChunkDrift> results;
        {
          py::gil_scoped_release release;
          results = drift::drift_over_time(ref.view, cur.view, span_of(chunk_of_row), n_chunks, parsed, n_jobs,
                                           report_progress, correction);
        }
        py::list out;
        for (auto& r : results) out.append(py::make_tuple(r.chunk, std::move(r.drift)));
        return out;
      },
      py::arg("reference"), py::arg("current"), py::arg("chunk_of_row"), py::arg("n_chunks"), py::arg("requests"),
      py::arg("n_jobs"), py::arg("progress"), py::arg("correction") = drift::Correction::none);

  m.def(
      "mmd_test",
      [](const Array& x, const Array& y, std::size_t n_permutations, std::uint64_t seed, double bandwidth, int n_jobs,
         const py::object& progress, bool standardize) {
        const auto xm = matrix_of(x, "reference"), ym = matrix_of(y, "current");
        const Progress test_progress = make_progress(progress);
        drift::MmdResult result;
        {
          py::gil_scoped_release release;
          result = drift::mmd_test(xm, ym, n_permutations, seed, bandwidth, n_jobs, test_progress, standardize);
        }
        return py::make_tuple(result.statistic, result.pvalue, result.bandwidth, to_numpy(std::move(result.permuted)));
      },
      py::arg("x"), py::arg("y"), py::arg("n_permutations"), py::arg("seed"), py::arg("bandwidth"), py::arg("n_jobs"),
      py::arg("progress"), py::arg("standardize") = false);
  m.def(
      "mmd_permutation",
      [](std::size_t n_pooled, std::uint64_t seed, std::size_t p) {
        return to_numpy(drift::mmd_permutation(n_pooled, seed, p));
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
      [](const Array& x, const Array& y, std::size_t n_folds, drift::DomainModel classifier, double l2,
         std::size_t n_trees, std::size_t max_depth, double learning_rate, std::uint64_t seed, int n_jobs,
         const py::object& progress) {
        const auto xm = matrix_of(x, "reference"), ym = matrix_of(y, "current");
        const Progress fit_progress = make_progress(progress);
        drift::DomainClassifierOptions options;
        options.model = classifier;
        options.l2 = l2;
        options.n_trees = n_trees;
        options.max_depth = max_depth;
        options.learning_rate = learning_rate;
        drift::DomainClassifierResult r;
        {
          py::gil_scoped_release release;
          r = drift::domain_classifier(xm, ym, n_folds, options, seed, n_jobs, fit_progress);
        }
        return py::make_tuple(r.auc, r.lower, r.upper, r.fold_auc, to_numpy(std::move(r.scores)),
                              to_numpy(std::move(r.folds)));
      },
      py::arg("x"), py::arg("y"), py::arg("n_folds"), py::arg("classifier"), py::arg("l2"), py::arg("n_trees"),
      py::arg("max_depth"), py::arg("learning_rate"), py::arg("seed"), py::arg("n_jobs"),
      py::arg("progress") = py::none());

  py::class_<drift::PcaModel>(m, "PcaModel")
      .def_readonly("mean", &drift::PcaModel::mean)
      .def_readonly("scale", &drift::PcaModel::scale)
      .def_property_readonly("components",
                             [](const drift::PcaModel& model) {
                               return to_numpy(model.components, {static_cast<py::ssize_t>(model.n_components),
                                                                  static_cast<py::ssize_t>(model.n_features)});
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
      [](const drift::PcaModel& model, const Array& data, const Int64s& chunk_of_row, std::int64_t n_chunks, int n_jobs,
         const py::object& progress) {
        const auto view = matrix_of(data, "data");
        const Progress error_progress = make_progress(progress);
        py::gil_scoped_release release;
        return drift::reconstruction_error(model, view, span_of(chunk_of_row), n_chunks, n_jobs, error_progress);
      },
      py::arg("model"), py::arg("data"), py::arg("chunk_of_row"), py::arg("n_chunks"), py::arg("n_jobs"),
      py::arg("progress") = py::none());
}

}  // namespace assay::bindings
