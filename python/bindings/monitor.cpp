// Bindings of the monitor engine (assay/monitor): isotonic calibration, the Poisson-binomial
// pmf, and the per-chunk CBPE estimates and realised metrics.
#include "assay/monitor/cbpe.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using Bytes = CArray<std::uint8_t>;
using Int64s = CArray<std::int64_t>;

// A flat [chunk * n_metrics + metric] vector as a (n_chunks, n_metrics) array.
py::array_t<double> by_chunk(std::vector<double> values, std::size_t n_chunks, std::size_t n_metrics) {
  return to_numpy(std::move(values), {static_cast<py::ssize_t>(n_chunks), static_cast<py::ssize_t>(n_metrics)});
}

}  // namespace

void bind_monitor(py::module_& m) {
  py::native_enum<monitor::Metric> metrics(m, "Metric", "enum.Enum", "A binary-classification metric.");
  for (int k = 0; k < monitor::kMetricCount; ++k) {
    const auto metric = static_cast<monitor::Metric>(k);
    metrics.value(monitor::metric_name(metric), metric);
  }
  metrics.finalize();

  py::class_<monitor::IsotonicCalibration>(m, "IsotonicCalibration")
      .def_property_readonly("knot_score", [](const monitor::IsotonicCalibration& c) { return to_numpy(c.knot_score); })
      .def_property_readonly("knot_probability",
                             [](const monitor::IsotonicCalibration& c) { return to_numpy(c.knot_probability); });

  m.def(
      "fit_isotonic",
      [](const Doubles& score, const Bytes& label) {
        py::gil_scoped_release release;
        return monitor::fit_isotonic(span_of(score), span_of(label));
      },
      py::arg("score"), py::arg("label"));
  m.def(
      "calibrate",
      [](const monitor::IsotonicCalibration& calibration, const Doubles& score, int n_jobs) {
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = monitor::calibrate(calibration, span_of(score), n_jobs);
        }
        return to_numpy(std::move(out));
      },
      py::arg("calibration"), py::arg("score"), py::arg("n_jobs"));
  m.def(
      "cross_fitted_probabilities",
      [](const Doubles& score, const Bytes& label, int n_folds, std::uint64_t seed, int n_jobs) {
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = monitor::cross_fitted_probabilities(span_of(score), span_of(label), n_folds, seed, n_jobs);
        }
        return to_numpy(std::move(out));
      },
      py::arg("score"), py::arg("label"), py::arg("n_folds"), py::arg("seed"), py::arg("n_jobs"));
  m.def(
      "poisson_binomial",
      [](const Doubles& p, std::size_t exact_max_rows) {
        monitor::Pmf pmf;
        {
          py::gil_scoped_release release;
          pmf = monitor::poisson_binomial(span_of(p), exact_max_rows);
        }
        return py::make_tuple(pmf.offset, to_numpy(std::move(pmf.mass)));
      },
      py::arg("p"), py::arg("exact_max_rows"), "(offset, mass): P(X = offset + k) = mass[k].");
  m.def(
      "estimate_chunks",
      [](const Doubles& probability, const Doubles& score, const Bytes& predicted, const Int64s& chunk_of_row,
         std::int64_t n_chunks, std::vector<monitor::Metric> metric_list, double confidence_level,
         std::size_t exact_max_rows, std::size_t auc_draws, std::uint64_t seed, int n_jobs) {
        monitor::EstimateOptions options{std::move(metric_list), confidence_level, exact_max_rows, auc_draws, seed};
        monitor::ChunkEstimates r;
        {
          py::gil_scoped_release release;
          r = monitor::estimate_chunks(span_of(probability), span_of(score), span_of(predicted), span_of(chunk_of_row),
                                       n_chunks, options, n_jobs);
        }
        py::dict out;
        out["rows"] = to_numpy(std::move(r.rows));
        out["estimate"] = by_chunk(std::move(r.estimate), r.n_chunks, r.n_metrics);
        out["lower"] = by_chunk(std::move(r.lower), r.n_chunks, r.n_metrics);
        out["upper"] = by_chunk(std::move(r.upper), r.n_chunks, r.n_metrics);
        out["plug_in"] = by_chunk(std::move(r.plug_in), r.n_chunks, r.n_metrics);
        out["undefined_probability"] = by_chunk(std::move(r.undefined_probability), r.n_chunks, r.n_metrics);
        return out;
      },
      py::arg("probability"), py::arg("score"), py::arg("predicted"), py::arg("chunk_of_row"), py::arg("n_chunks"),
      py::arg("metrics"), py::arg("confidence_level"), py::arg("exact_max_rows"), py::arg("auc_draws"), py::arg("seed"),
      py::arg("n_jobs"));
  m.def(
      "realized_chunks",
      [](const Bytes& label, const Doubles& score, const Bytes& predicted, const Int64s& chunk_of_row,
         std::int64_t n_chunks, const std::vector<monitor::Metric>& metric_list, int n_jobs) {
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = monitor::realized_chunks(span_of(label), span_of(score), span_of(predicted), span_of(chunk_of_row),
                                         n_chunks, metric_list, n_jobs);
        }
        return by_chunk(std::move(out), static_cast<std::size_t>(std::max<std::int64_t>(n_chunks, 0)),
                        metric_list.size());
      },
      py::arg("label"), py::arg("score"), py::arg("predicted"), py::arg("chunk_of_row"), py::arg("n_chunks"),
      py::arg("metrics"), py::arg("n_jobs"));
}

}  // namespace assay::bindings
