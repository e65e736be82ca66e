// Bindings of the model-agnostic explainers (assay/explain/agnostic.hpp): coalition
// designs, masked rows, background means, exact and KernelSHAP attributions.
#include <string>
#include <vector>

#include "assay/explain/agnostic.hpp"
#include "assay/explain/background.hpp"
#include "assay/explain/native_model.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

namespace ex = assay::explain;

// Values and standard errors of n rows x M features x K outputs, filled by the core.
struct AttributionArrays {
  Doubles values, errors;
  AttributionArrays(py::ssize_t n, py::ssize_t M, py::ssize_t K) : values({n, M, K}), errors({n, M, K}) {}
  std::span<double> values_span() { return {values.mutable_data(), static_cast<std::size_t>(values.size())}; }
  std::span<double> errors_span() { return {errors.mutable_data(), static_cast<std::size_t>(errors.size())}; }
};

// A design given as arrays (e.g. the coalitions and weights shap sampled).
ex::CoalitionDesign design_from_arrays(const py::handle& masks, const py::handle& weights) {
  const auto mask_array = c_array<double>(masks, 2, "masks");
  const auto weight_array = c_array<double>(weights, 1, "weights");
  if (weight_array.shape(0) != mask_array.shape(0)) throw InvalidArgument("weights: expected one weight per mask row");
  ex::CoalitionDesign design;
  design.n_features = static_cast<std::int32_t>(mask_array.shape(1));
  for (double value : span_of(mask_array)) {
    if (value != 0.0 && value != 1.0) throw InvalidArgument("masks: entries must be 0 or 1");
    design.masks.push_back(static_cast<std::uint8_t>(value));
  }
  design.weights.assign(weight_array.data(), weight_array.data() + weight_array.size());
  design.groups.assign(design.weights.size(), -1);
  design.exact = true;  // no jackknife groups: standard errors are reported as 0
  return design;
}

// Permutations as a C-contiguous (n_permutations, n_features) int32 array.
CArray<std::int32_t> permutation_array(const py::handle& value) {
  auto array = CArray<std::int32_t>::ensure(value);
  if (!array || array.ndim() != 2) throw InvalidArgument("permutations: expected a 2-D integer array");
  return array;
}

// The option enums, their members named as the Python API spells them.
void bind_options(py::module_& m) {
  py::native_enum<ex::Sampling>(m, "Sampling", "enum.Enum", "How KernelSHAP draws coalition sizes.")
      .value("kernel", ex::Sampling::kernel)
      .value("leverage", ex::Sampling::leverage)
      .finalize();
  py::native_enum<ex::Link>(m, "Link", "enum.Enum", "The link under which values are additive.")
      .value("identity", ex::Link::identity)
      .value("logit", ex::Link::logit)
      .finalize();
  // KernelSHAP's feature selection (shap's l1_reg, parsed by the Python layer).
  py::native_enum<ex::Selection>(m, "Selection", "enum.Enum", "Feature selection before KernelSHAP's regression.")
      .value("none", ex::Selection::none)
      .value("num_features", ex::Selection::num_features)
      .value("aic", ex::Selection::aic)
      .value("bic", ex::Selection::bic)
      .value("lasso", ex::Selection::lasso)
      .finalize();
}

}  // namespace

void bind_agnostic(py::module_& m) {
  bind_options(m);
  py::class_<ex::CoalitionDesign>(m, "CoalitionDesign")
      .def_property_readonly("n_features", [](const ex::CoalitionDesign& d) { return d.n_features; })
      .def_property_readonly("exact", [](const ex::CoalitionDesign& d) { return d.exact; })
      .def_property_readonly("n_groups", [](const ex::CoalitionDesign& d) { return d.n_groups; })
      .def("__len__", &ex::CoalitionDesign::size)
      .def_property_readonly("masks",
                             [](const ex::CoalitionDesign& d) {
                               return to_numpy(d.masks, {static_cast<py::ssize_t>(d.size()), d.n_features});
                             })
      .def_property_readonly(
          "weights",
          [](const ex::CoalitionDesign& d) { return to_numpy(d.weights, {static_cast<py::ssize_t>(d.size())}); })
      .def_property_readonly(
          "groups",
          [](const ex::CoalitionDesign& d) { return to_numpy(d.groups, {static_cast<py::ssize_t>(d.size())}); })
      .def_property_readonly("per_background", &ex::CoalitionDesign::per_background)
      .def_property_readonly("background_of", [](const ex::CoalitionDesign& d) {
        return to_numpy(d.background_of, {static_cast<py::ssize_t>(d.background_of.size())});
      });

  m.def("gray_code_design", &ex::gray_code_coalitions, py::arg("n_features"));
  m.def(
      "kernel_design",
      [](std::int32_t n_features, std::int64_t budget, std::uint64_t seed, std::int32_t n_groups,
         ex::Sampling sampling) {
        const Progress report = make_progress(py::none());  // Ctrl-C while a large design is drawn
        py::gil_scoped_release release;
        return ex::kernel_coalitions(n_features, budget, seed, n_groups, sampling, report);
      },
      py::arg("n_features"), py::arg("budget"), py::arg("seed"), py::arg("n_groups") = 16,
      py::arg("sampling") = ex::Sampling::kernel);
  m.def(
      "kernel_design_per_background",
      [](std::int32_t n_features, std::int64_t budget, std::uint64_t seed, std::int32_t n_background,
         ex::Sampling sampling) {
        const Progress report = make_progress(py::none());  // Ctrl-C while a large design is drawn
        py::gil_scoped_release release;
        return ex::kernel_coalitions_per_background(n_features, budget, seed, n_background, 16, sampling, report);
      },
      py::arg("n_features"), py::arg("budget"), py::arg("seed"), py::arg("n_background"),
      py::arg("sampling") = ex::Sampling::kernel);
  m.def("design_from_arrays", &design_from_arrays, py::arg("masks"), py::arg("weights"));

  m.def(
      "masked_rows",
      [](const py::handle& X, const py::handle& background, const ex::CoalitionDesign& design, std::int64_t item_begin,
         std::int64_t item_end, int n_jobs, const py::object& buffer) {
        const auto rows = c_array<double>(X, 2, "X");
        const auto bg = c_array<double>(background, 2, "data");
        const py::ssize_t M = design.n_features;
        if (rows.shape(1) != M || bg.shape(1) != M)
          throw InvalidArgument("X and data must have one column per feature");
        const py::ssize_t n_items = std::max<std::int64_t>(0, item_end - item_begin);
        const py::ssize_t rows_per_item = design.per_background() ? 1 : bg.shape(0);
        // Writing into the caller's buffer (reused across chunks) saves fresh pages per call.
        Doubles out;
        if (buffer.is_none()) {
          out = Doubles({n_items * rows_per_item, M});
        } else {
          if (!py::isinstance<Doubles>(buffer)) throw InvalidType("buffer: expected a float64 array");
          out = py::reinterpret_borrow<Doubles>(buffer);
          if (!(out.flags() & py::array::c_style) || !out.writeable() || out.ndim() != 2 ||
              out.shape(0) != n_items * rows_per_item || out.shape(1) != M) {
            throw InvalidArgument("buffer: expected a writeable C-contiguous array of the masked rows' shape");
          }
        }
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        {
          py::gil_scoped_release release;
          if (design.per_background()) {
            ex::fill_masked_rows_per_background(span_of(rows), span_of(bg), design, item_begin, item_end, target);
          } else {
            ex::fill_masked_rows(span_of(rows), span_of(bg), design.n_features, design.masks, item_begin, item_end,
                                 target, n_jobs);
          }
        }
        return out;
      },
      py::arg("X"), py::arg("background"), py::arg("design"), py::arg("item_begin"), py::arg("item_end"),
      py::arg("n_jobs") = 0, py::arg("buffer") = py::none());

  m.def(
      "coalition_values",
      [](const py::handle& outputs, std::int64_t n_items, std::int32_t n_background, const py::handle& weights,
         ex::Link link) {
        const auto f = c_array<double>(outputs, 2, "model output");
        const auto w = c_array<double>(weights, 1, "data_weights");
        const auto K = static_cast<std::int32_t>(f.shape(1));
        Doubles out({static_cast<py::ssize_t>(n_items), static_cast<py::ssize_t>(K)});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        {
          py::gil_scoped_release release;
          ex::coalition_values(span_of(f), n_items, n_background, K, span_of(w), link, target);
        }
        return out;
      },
      py::arg("outputs"), py::arg("n_items"), py::arg("n_background"), py::arg("weights"), py::arg("link"));

  m.def(
      "exact_values",
      [](const ex::CoalitionDesign& design, const py::handle& values, int n_jobs) {
        const auto v = c_array<double>(values, 3, "values");
        const py::ssize_t n = v.shape(0), K = v.shape(2);
        Doubles out({n, static_cast<py::ssize_t>(design.n_features), K});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        {
          py::gil_scoped_release release;
          ex::exact_shapley_values(design, span_of(v), n, static_cast<std::int32_t>(K), target, n_jobs);
        }
        return out;
      },
      py::arg("design"), py::arg("values"), py::arg("n_jobs") = 0);

  m.def(
      "kernel_values",
      [](const ex::CoalitionDesign& design, const py::handle& values, const py::handle& full, const py::handle& empty,
         int n_jobs, const py::object& progress, ex::Selection selection, std::int32_t num_features, double alpha) {
        const ex::L1Regularization l1_reg{selection, num_features, alpha};
        const auto v = c_array<double>(values, 3, "values");
        const auto f = c_array<double>(full, 2, "full");
        const auto e = c_array<double>(empty, 1, "empty");
        const py::ssize_t n = v.shape(0), K = v.shape(2);
        AttributionArrays result(n, design.n_features, K);
        const Progress report = make_progress(progress);  // checks Ctrl-C even without a callback
        {
          py::gil_scoped_release release;
          ex::kernel_shap_values(design, span_of(v), span_of(f), span_of(e), n, static_cast<std::int32_t>(K),
                                 result.values_span(), result.errors_span(), n_jobs, report, l1_reg);
        }
        return py::make_tuple(result.values, result.errors);
      },
      py::arg("design"), py::arg("values"), py::arg("full"), py::arg("empty"), py::arg("n_jobs") = 0,
      py::arg("progress") = py::none(), py::arg("selection") = ex::Selection::none, py::arg("num_features") = 0,
      py::arg("alpha") = 0.0);

  m.def(
      "kernel_values_per_background",
      [](const ex::CoalitionDesign& design, const py::handle& values, const py::handle& full,
         const py::handle& background_outputs, const py::handle& weights, int n_jobs) {
        const auto v = c_array<double>(values, 3, "values");
        const auto f = c_array<double>(full, 2, "full");
        const auto e = c_array<double>(background_outputs, 2, "background_outputs");
        const auto w = c_array<double>(weights, 1, "data_weights");
        const py::ssize_t n = v.shape(0), K = v.shape(2);
        AttributionArrays result(n, design.n_features, K);
        {
          py::gil_scoped_release release;
          ex::kernel_shap_values_per_background(design, span_of(v), span_of(f), span_of(e), span_of(w), n,
                                                static_cast<std::int32_t>(K), result.values_span(),
                                                result.errors_span(), n_jobs);
        }
        return py::make_tuple(result.values, result.errors);
      },
      py::arg("design"), py::arg("values"), py::arg("full"), py::arg("background_outputs"), py::arg("weights"),
      py::arg("n_jobs") = 0);

  m.def(
      "random_permutations",
      [](std::int32_t n_features, std::int64_t n_permutations, std::uint64_t seed) {
        auto permutations = ex::random_permutations(n_features, n_permutations, seed);
        return to_numpy(std::move(permutations), {static_cast<py::ssize_t>(n_permutations), n_features});
      },
      py::arg("n_features"), py::arg("n_permutations"), py::arg("seed"));

  m.def(
      "permutation_design",
      [](const py::handle& permutations) {
        const auto p = permutation_array(permutations);
        return ex::permutation_coalitions(span_of(p), static_cast<std::int32_t>(p.shape(1)));
      },
      py::arg("permutations"));

  m.def(
      "permutation_values",
      [](const py::handle& permutations, const py::handle& values, int n_jobs) {
        const auto p = permutation_array(permutations);
        const auto v = c_array<double>(values, 3, "values");
        const py::ssize_t n = v.shape(0), M = p.shape(1), K = v.shape(2);
        Doubles out({n, M, K});
        Doubles errors({n, M, K});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        std::span<double> error_target(errors.mutable_data(), static_cast<std::size_t>(errors.size()));
        {
          py::gil_scoped_release release;
          ex::permutation_shapley_values(span_of(p), static_cast<std::int32_t>(M), span_of(v), n,
                                         static_cast<std::int32_t>(K), target, error_target, n_jobs);
        }
        return py::make_tuple(out, errors);
      },
      py::arg("permutations"), py::arg("values"), py::arg("n_jobs") = 0);

  m.def(
      "linear_values",
      [](const py::handle& coef, const py::handle& X, const py::handle& mean, int n_jobs) {
        const auto c = c_array<double>(coef, 2, "coef");
        const auto rows = c_array<double>(X, 2, "X");
        const auto mu = c_array<double>(mean, 1, "mean");
        const py::ssize_t n = rows.shape(0), M = c.shape(1), K = c.shape(0);
        if (rows.shape(1) != M) throw InvalidArgument("X: expected one column per coefficient");
        Doubles out({n, M, K});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        {
          py::gil_scoped_release release;
          ex::linear_shap_values(span_of(c), span_of(rows), span_of(mu), static_cast<std::int32_t>(M),
                                 static_cast<std::int32_t>(K), target, n_jobs);
        }
        return out;
      },
      py::arg("coef"), py::arg("X"), py::arg("mean"), py::arg("n_jobs") = 0);

  m.def(
      "tree_values",
      [](const ex::TreeEnsemble& ensemble, const py::handle& X, const py::handle& background,
         const ex::CoalitionDesign& design, const py::handle& weights, ex::Link link, int n_jobs,
         const py::object& progress) {
        if (design.n_features != ensemble.n_features) {
          throw InvalidArgument("X: the model uses " + std::to_string(ensemble.n_features) + " features, got " +
                                std::to_string(design.n_features));
        }
        const auto rows = c_array<double>(X, 2, "X");
        const auto bg = c_array<double>(background, 2, "data");
        const auto w = c_array<double>(weights, 1, "data_weights");
        if (rows.shape(1) != ensemble.n_features || bg.shape(1) != ensemble.n_features) {
          throw InvalidArgument("X and data must have one column per feature of the model");
        }
        Doubles out(
            {rows.shape(0), static_cast<py::ssize_t>(design.size()), static_cast<py::ssize_t>(ensemble.n_outputs)});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        const Progress report = make_progress(progress);
        {
          py::gil_scoped_release release;
          ex::tree_coalition_values(span_of(rows), span_of(bg), design, ensemble, span_of(w), link, target, n_jobs,
                                    report);
        }
        return out;
      },
      py::arg("ensemble"), py::arg("X"), py::arg("background"), py::arg("design"), py::arg("weights"), py::arg("link"),
      py::arg("n_jobs") = 0, py::arg("progress") = py::none());

  m.def(
      "linear_model_values",
      [](const py::handle& coef, const py::handle& intercept, const py::handle& X, const py::handle& background,
         const ex::CoalitionDesign& design, const py::handle& weights, ex::Link link, int n_jobs) {
        const auto c = c_array<double>(coef, 2, "coef");
        const auto b = c_array<double>(intercept, 1, "intercept");
        const auto rows = c_array<double>(X, 2, "X");
        const auto bg = c_array<double>(background, 2, "data");
        const auto w = c_array<double>(weights, 1, "data_weights");
        if (c.shape(1) != design.n_features || rows.shape(1) != design.n_features || bg.shape(1) != design.n_features) {
          throw InvalidArgument("X and data must have one column per coefficient");
        }
        Doubles out({rows.shape(0), static_cast<py::ssize_t>(design.size()), b.shape(0)});
        std::span<double> target(out.mutable_data(), static_cast<std::size_t>(out.size()));
        {
          py::gil_scoped_release release;
          ex::linear_coalition_values(span_of(c), span_of(b), span_of(rows), span_of(bg), design, span_of(w), link,
                                      target, n_jobs);
        }
        return out;
      },
      py::arg("coef"), py::arg("intercept"), py::arg("X"), py::arg("background"), py::arg("design"), py::arg("weights"),
      py::arg("link"), py::arg("n_jobs") = 0);

  m.def(
      "kmeans",
      [](const py::handle& data, std::int32_t k, std::uint64_t seed, bool round_values, int n_jobs,
         const py::object& progress) {
        const auto rows = c_array<double>(data, 2, "data");
        const auto M = static_cast<std::int32_t>(rows.shape(1));
        const Progress report = make_progress(progress);  // checks Ctrl-C even without a callback
        ex::BackgroundSummary summary;
        {
          py::gil_scoped_release release;
          summary = ex::kmeans_summary(span_of(rows), M, k, seed, round_values, 100, n_jobs, report);
        }
        return py::make_tuple(to_numpy(std::move(summary.centers), {k, M}), to_numpy(std::move(summary.weights)));
      },
      py::arg("data"), py::arg("k"), py::arg("seed"), py::arg("round_values"), py::arg("n_jobs") = 0,
      py::arg("progress") = py::none());
}

}  // namespace assay::bindings
