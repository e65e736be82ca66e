// Bindings of the review engine (assay/review): conformal scores, calibration, sets,
// intervals and routing. The Python layer (assay.review) checks and prepares the arrays.
#include <utility>

#include "assay/review/conformal.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

using review::Calibration;

review::Probabilities probabilities_of(const CArray<double>& array) {
  return {span_of(array), static_cast<std::int64_t>(array.shape(0)), static_cast<std::int64_t>(array.shape(1))};
}

}  // namespace

void bind_review(py::module_& m) {
  py::native_enum<review::ClassScore>(m, "ClassScore", "enum.Enum", "A nonconformity score of classification.")
      .value("lac", review::ClassScore::lac)
      .value("aps", review::ClassScore::aps)
      .value("aps_randomized", review::ClassScore::aps_randomized)
      .finalize();

  py::native_enum<review::RankRule>(m, "RankRule", "enum.Enum", "Which order statistic is the threshold.")
      .value("exact", review::RankRule::exact)
      .value("mapie", review::RankRule::mapie)
      .value("crepes", review::RankRule::crepes)
      .finalize();

  py::class_<Calibration>(m, "Calibration")
      .def_readonly("alpha", &Calibration::alpha)
      .def_readonly("rule", &Calibration::rule)
      .def_readonly("n_groups", &Calibration::n_groups)
      .def_property_readonly("offsets", [](const Calibration& c) { return to_numpy(c.offsets); })
      .def_property_readonly("sorted_scores", [](const Calibration& c) { return to_numpy(c.sorted_scores); })
      .def_property_readonly("rank", [](const Calibration& c) { return to_numpy(c.rank); })
      .def_property_readonly("threshold", [](const Calibration& c) { return to_numpy(c.threshold); })
      .def_property_readonly("infinite",
                             [](const Calibration& c) { return to_numpy(c.infinite).attr("astype")("bool"); })
      .def_static(
          "from_sorted",
          [](const py::object& sorted_scores, const py::object& offsets, double alpha, review::RankRule rule) {
            const auto scores = c_array<double>(sorted_scores, 1, "sorted_scores");
            const auto bounds = c_array<std::int64_t>(offsets, 1, "offsets");
            py::gil_scoped_release release;
            return review::calibration_from_sorted(span_of(scores), span_of(bounds), alpha, rule);
          },
          py::arg("sorted_scores"), py::arg("offsets"), py::arg("alpha"), py::arg("rule"));

  m.def("conformal_rank", &review::conformal_rank, py::arg("n"), py::arg("alpha"), py::arg("rule"));
  m.def(
      "class_scores",
      [](const py::object& probabilities, const py::object& labels, review::ClassScore score, std::uint64_t seed,
         int n_jobs) {
        const auto p = c_array<double>(probabilities, 2, "probabilities");
        const auto y = c_array<std::int32_t>(labels, 1, "labels");
        py::gil_scoped_release release;
        auto out = review::class_scores(probabilities_of(p), span_of(y), score, seed, n_jobs);
        py::gil_scoped_acquire gil;
        return to_numpy(std::move(out));
      },
      py::arg("probabilities"), py::arg("labels"), py::arg("score"), py::arg("seed"), py::arg("n_jobs"));
  m.def(
      "residual_scores",
      [](const py::object& y, const py::object& prediction, int n_jobs) {
        const auto target = c_array<double>(y, 1, "y");
        const auto predicted = c_array<double>(prediction, 1, "prediction");
        py::gil_scoped_release release;
        auto out = review::residual_scores(span_of(target), span_of(predicted), n_jobs);
        py::gil_scoped_acquire gil;
        return to_numpy(std::move(out));
      },
      py::arg("y"), py::arg("prediction"), py::arg("n_jobs"));
  m.def(
      "cqr_scores",
      [](const py::object& y, const py::object& lower, const py::object& upper, int n_jobs) {
        const auto target = c_array<double>(y, 1, "y");
        const auto lo = c_array<double>(lower, 1, "lower");
        const auto hi = c_array<double>(upper, 1, "upper");
        py::gil_scoped_release release;
        auto out = review::cqr_scores(span_of(target), span_of(lo), span_of(hi), n_jobs);
        py::gil_scoped_acquire gil;
        return to_numpy(std::move(out));
      },
      py::arg("y"), py::arg("lower"), py::arg("upper"), py::arg("n_jobs"));
  m.def(
      "calibrate",
      [](const py::object& scores, const py::object& groups, std::int32_t n_groups, double alpha, int n_jobs,
         review::RankRule rule) {
        const auto s = c_array<double>(scores, 1, "scores");
        const auto g = c_array<std::int32_t>(groups, 1, "groups");
        py::gil_scoped_release release;
        return review::calibrate(span_of(s), span_of(g), n_groups, alpha, n_jobs, rule);
      },
      py::arg("scores"), py::arg("groups"), py::arg("n_groups"), py::arg("alpha"), py::arg("n_jobs"), py::arg("rule"));
  m.def(
      "predict_sets",
      [](const Calibration& calibration, const py::object& probabilities, const py::object& groups,
         review::ClassScore score, std::uint64_t seed, int n_jobs) {
        const auto p = c_array<double>(probabilities, 2, "probabilities");
        const auto g = c_array<std::int32_t>(groups, 1, "groups");
        py::gil_scoped_release release;
        auto out = review::predict_sets(calibration, probabilities_of(p), span_of(g), score, seed, n_jobs);
        py::gil_scoped_acquire gil;
        auto member = to_numpy(std::move(out.member), {out.n_rows, out.n_classes}).attr("astype")("bool");
        return py::make_tuple(member, to_numpy(std::move(out.size)), to_numpy(std::move(out.risk)));
      },
      py::arg("calibration"), py::arg("probabilities"), py::arg("groups"), py::arg("score"), py::arg("seed"),
      py::arg("n_jobs"));
  m.def(
      "predict_intervals",
      [](const Calibration& calibration, const py::object& prediction, const py::object& upper,
         const py::object& groups, int n_jobs) {
        const auto f = c_array<double>(prediction, 1, "prediction");
        const auto hi = c_array<double>(upper, 1, "upper");
        const auto g = c_array<std::int32_t>(groups, 1, "groups");
        py::gil_scoped_release release;
        auto out = review::predict_intervals(calibration, span_of(f), span_of(hi), span_of(g), n_jobs);
        py::gil_scoped_acquire gil;
        return py::make_tuple(to_numpy(std::move(out.lower)), to_numpy(std::move(out.upper)));
      },
      py::arg("calibration"), py::arg("prediction"), py::arg("upper"), py::arg("groups"), py::arg("n_jobs"));
  m.def(
      "route",
      [](const py::object& ambiguous, const py::object& risk, const py::object& groups, std::int32_t n_groups,
         double budget) {
        const auto a = c_array<std::uint8_t>(ambiguous, 1, "ambiguous");
        const auto r = c_array<double>(risk, 1, "risk");
        const auto g = c_array<std::int32_t>(groups, 1, "groups");
        py::gil_scoped_release release;
        auto out = review::route(span_of(a), span_of(r), span_of(g), n_groups, budget);
        py::gil_scoped_acquire gil;
        py::dict result;
        result["review"] = to_numpy(std::move(out.review)).attr("astype")("bool");
        result["rows"] = to_numpy(std::move(out.rows));
        result["reviewed"] = to_numpy(std::move(out.reviewed));
        result["ambiguous"] = to_numpy(std::move(out.ambiguous));
        result["auto_ambiguous"] = to_numpy(std::move(out.auto_ambiguous));
        return result;
      },
      py::arg("ambiguous"), py::arg("risk"), py::arg("groups"), py::arg("n_groups"), py::arg("budget"));
}

}  // namespace assay::bindings
