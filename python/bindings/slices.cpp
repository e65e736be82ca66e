// Bindings of the slice-finding engine (assay/slices): SliceLine over coded features.
#include "assay/slices/binning.hpp"
#include "assay/slices/sliceline.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using namespace assay::slices;

// The result as a dict of arrays: the predicates of slice i are feature[offsets[i]:offsets[i+1]]
// and value[...] (-1: missing); one entry per slice in the other arrays.
py::dict slices_dict(Result&& r) {
  std::vector<std::int64_t> offsets{0}, size;
  std::vector<std::int32_t> feature, value;
  std::vector<double> error_sum, max_error, average_error, score, ci_low, ci_high, statistic, p_value, adjusted;
  for (const Slice& s : r.slices) {
    for (const Predicate& p : s.predicates) {
      feature.push_back(p.feature);
      value.push_back(p.value);
    }
    offsets.push_back(static_cast<std::int64_t>(feature.size()));
    size.push_back(s.size);
    error_sum.push_back(s.error_sum);
    max_error.push_back(s.max_error);
    average_error.push_back(s.average_error);
    score.push_back(s.score);
    ci_low.push_back(s.ci_low);
    ci_high.push_back(s.ci_high);
    statistic.push_back(s.statistic);
    p_value.push_back(s.p_value);
    adjusted.push_back(s.p_value_adjusted);
  }
  py::dict out;
  out["offsets"] = to_numpy(std::move(offsets));
  out["feature"] = to_numpy(std::move(feature));
  out["value"] = to_numpy(std::move(value));
  out["size"] = to_numpy(std::move(size));
  out["error_sum"] = to_numpy(std::move(error_sum));
  out["max_error"] = to_numpy(std::move(max_error));
  out["average_error"] = to_numpy(std::move(average_error));
  out["score"] = to_numpy(std::move(score));
  out["ci_low"] = to_numpy(std::move(ci_low));
  out["ci_high"] = to_numpy(std::move(ci_high));
  out["statistic"] = to_numpy(std::move(statistic));
  out["p_value"] = to_numpy(std::move(p_value));
  out["p_value_adjusted"] = to_numpy(std::move(adjusted));
  out["n_rows"] = r.n_rows;
  out["overall_error"] = r.average_error;
  out["binary_errors"] = r.binary_errors;
  out["n_tested"] = r.n_tested;
  py::list levels;
  for (const Level& l : r.levels) levels.append(py::make_tuple(l.candidates, l.valid));
  out["levels"] = levels;
  return out;
}

}  // namespace

void bind_slices(py::module_& m) {
  py::native_enum<Pruning>(m, "Pruning", "enum.Enum", "How SliceLine prunes candidate slices.")
      .value("exact", Pruning::exact)
      .value("sliceline", Pruning::sliceline)
      .finalize();
  py::native_enum<Binning>(m, "Binning", "enum.Enum", "How numeric features are binned.")
      .value("quantile", Binning::quantile)
      .value("uniform", Binning::uniform)
      .finalize();

  m.def(
      "bin_columns",
      [](const py::list& columns, int n_bins, Binning binning, int n_jobs) {
        std::vector<std::span<const double>> views;
        for (const py::handle column : columns) views.push_back(span_of<double>(column, "numeric column", "float64"));
        std::vector<BinnedColumn> binned;
        {
          py::gil_scoped_release release;
          binned = bin_columns(views, n_bins, binning, n_jobs);
        }
        py::list out;
        for (auto& b : binned)
          out.append(py::make_tuple(to_numpy(std::move(b.codes)), to_numpy(std::move(b.points)), b.distinct));
        return out;
      },
      py::arg("columns"), py::arg("n_bins"), py::arg("binning"), py::arg("n_jobs"));

  m.def(
      "find_slices",
      [](const py::list& features, const py::object& errors, double alpha, std::int32_t k, std::int32_t max_level,
         std::int64_t min_support, double confidence_level, Pruning pruning, int n_jobs, const py::object& progress) {
        std::vector<Feature> specs;
        for (const py::handle item : features) {
          const auto spec = item.cast<py::tuple>();
          Feature f;
          f.name = spec[0].cast<std::string>();
          f.codes = span_of<std::int32_t>(spec[1], "feature '" + f.name + "' codes", "int32");
          f.n_values = spec[2].cast<std::int32_t>();
          specs.push_back(std::move(f));
        }
        const auto e = span_of<double>(errors, "errors", "float64");
        Options o;
        o.alpha = alpha;
        o.k = k;
        o.max_level = max_level;
        o.min_support = min_support;
        o.confidence_level = confidence_level;
        o.pruning = pruning;
        o.n_jobs = n_jobs;
        const Progress report = make_progress(progress);
        Result result;
        {
          py::gil_scoped_release release;
          result = find_slices(specs, e, o, report);
        }
        return slices_dict(std::move(result));
      },
      py::arg("features"), py::arg("errors"), py::arg("alpha"), py::arg("k"), py::arg("max_level"),
      py::arg("min_support"), py::arg("confidence_level"), py::arg("pruning"), py::arg("n_jobs"), py::arg("progress"));

  m.def(
      "benjamini_hochberg",
      [](const Doubles& p_values) {
        const auto p = span_of(p_values);
        std::vector<double> adjusted;
        {
          py::gil_scoped_release release;
          adjusted = benjamini_hochberg(p);
        }
        return to_numpy(std::move(adjusted));
      },
      py::arg("p_values"));
}

}  // namespace assay::bindings
