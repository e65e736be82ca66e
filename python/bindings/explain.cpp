// Bindings of the tree explainers (assay/explain): the tree-ensemble IR and its
// loaders, path-dependent SHAP values and interaction values.
#include <limits>
#include <string>
#include <vector>

#include "assay/explain/interventional.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

namespace ex = assay::explain;

template <class T>
CArray<T> node_array(const py::dict& tree, const char* key, std::size_t tree_index) {
  if (!tree.contains(key)) {
    throw InvalidArgument("model: tree " + std::to_string(tree_index) + " has no '" + key + "' array");
  }
  auto array = CArray<T>::ensure(tree[key]);
  if (!array) throw InvalidType("model: tree " + std::to_string(tree_index) + "'s '" + key + "' is not numeric");
  return array;
}

// Trees as dicts of numpy arrays (left, right, feature, threshold, cover, values,
// default_left, and optionally is_categorical, category_bits, categories_go_left)
// -> the IR.
ex::TreeEnsemble from_array_trees(const py::list& trees, std::int32_t n_features, std::int32_t n_outputs,
                                  const std::vector<double>& base_values, ex::Comparison comparison,
                                  bool float32_compare, ex::CoverKind cover_kind, const std::string& source) {
  ex::ArrayTreeOptions options;
  options.comparison = comparison;
  options.float32_compare = float32_compare;
  options.cover_kind = cover_kind;
  std::vector<py::object> keep_alive;
  std::vector<ex::ArrayTree> arrays;
  for (std::size_t t = 0; t < trees.size(); ++t) {
    const auto tree = trees[t].cast<py::dict>();
    auto left = node_array<std::int64_t>(tree, "left", t);
    auto right = node_array<std::int64_t>(tree, "right", t);
    auto feature = node_array<std::int64_t>(tree, "feature", t);
    auto threshold = node_array<double>(tree, "threshold", t);
    auto cover = node_array<double>(tree, "cover", t);
    auto values = node_array<double>(tree, "values", t);
    auto default_left = node_array<std::uint8_t>(tree, "default_left", t);
    ex::ArrayTree a{span_of(left),
                    span_of(right),
                    span_of(feature),
                    span_of(threshold),
                    span_of(cover),
                    span_of(values),
                    span_of(default_left),
                    {},
                    {},
                    {},
                    0};
    keep_alive.insert(keep_alive.end(), {left, right, feature, threshold, cover, values, default_left});
    if (tree.contains("is_categorical")) {
      auto is_categorical = node_array<std::uint8_t>(tree, "is_categorical", t);
      auto bits = node_array<std::uint32_t>(tree, "category_bits", t);
      if (bits.ndim() != 2) throw InvalidArgument("model: category_bits must be 2-D (nodes x words)");
      a.is_categorical = span_of(is_categorical);
      a.category_bits = span_of(bits);
      a.category_words = static_cast<std::int32_t>(bits.shape(1));
      keep_alive.insert(keep_alive.end(), {is_categorical, bits});
      if (tree.contains("categories_go_left")) {
        auto go_left = node_array<std::uint8_t>(tree, "categories_go_left", t);
        a.categories_go_left = span_of(go_left);
        keep_alive.push_back(go_left);
      }
    }
    arrays.push_back(a);
  }
  py::gil_scoped_release release;
  return ex::from_arrays(arrays, n_features, n_outputs, base_values, options, source);
}

std::span<const double> weights_of(const Doubles& weights, const char* argument = "weights") {
  if (weights.ndim() != 1) throw InvalidArgument(std::string(argument) + ": expected a 1-D array");
  return {weights.data(), static_cast<std::size_t>(weights.size())};
}

// The option enums, their members named as the Python API spells them.
void bind_options(py::module_& m) {
  py::native_enum<ex::ShapAlgorithm>(m, "ShapAlgorithm", "enum.Enum", "Path-dependent TreeSHAP algorithm.")
      .value("quadrature", ex::ShapAlgorithm::quadrature)
      .value("treeshap", ex::ShapAlgorithm::treeshap)
      .value("saabas", ex::ShapAlgorithm::saabas)
      .finalize();
  py::native_enum<ex::InterventionalAlgorithm>(m, "InterventionalAlgorithm", "enum.Enum",
                                               "Interventional TreeSHAP algorithm.")
      .value("auto", ex::InterventionalAlgorithm::automatic)
      .value("patterns", ex::InterventionalAlgorithm::patterns)
      .value("pairwise", ex::InterventionalAlgorithm::pairwise)
      .finalize();
  py::native_enum<ex::OutputTransform>(m, "OutputTransform", "enum.Enum",
                                       "The model output that interventional values explain.")
      .value("identity", ex::OutputTransform::identity)
      .value("logistic", ex::OutputTransform::logistic)
      .value("logistic_log_loss", ex::OutputTransform::logistic_log_loss)
      .value("squared_loss", ex::OutputTransform::squared_loss)
      .finalize();
  py::native_enum<ex::Comparison>(m, "Comparison", "enum.Enum",
                                  "How a split compares: x <= threshold or x < threshold.")
      .value("less_equal", ex::Comparison::less_equal)
      .value("less", ex::Comparison::less)
      .finalize();
  py::native_enum<ex::CoverKind>(m, "CoverKind", "enum.Enum", "What a node's cover counts: rows or hessian weight.")
      .value("count", ex::CoverKind::count)
      .value("hessian", ex::CoverKind::hessian)
      .finalize();
}

}  // namespace

void bind_explain(py::module_& m) {
  bind_options(m);
  py::class_<ex::TreeEnsemble>(m, "TreeEnsemble", "assay's tree-ensemble IR (see assay/explain/tree_ensemble.hpp)")
      .def_readonly("n_features", &ex::TreeEnsemble::n_features)
      .def_readonly("n_outputs", &ex::TreeEnsemble::n_outputs)
      .def_readonly("base_values", &ex::TreeEnsemble::base_values)
      .def_readonly("source", &ex::TreeEnsemble::source)
      .def_readonly("objective", &ex::TreeEnsemble::objective)
      .def_property_readonly("n_trees", &ex::TreeEnsemble::n_trees)
      .def_property_readonly("n_nodes", [](const ex::TreeEnsemble& e) { return e.nodes.size(); })
      .def_property_readonly("max_depth", &ex::TreeEnsemble::max_depth)
      .def_readonly("cover_kind", &ex::TreeEnsemble::cover_kind);

  m.def("tree_ensemble_from_arrays", &from_array_trees, py::arg("trees"), py::arg("n_features"), py::arg("n_outputs"),
        py::arg("base_values"), py::arg("comparison"), py::arg("float32_compare"), py::arg("cover_kind"),
        py::arg("source"));
  m.def(
      "load_xgboost_json",
      [](const py::bytes& raw, double missing) {
        std::string text = raw;
        py::gil_scoped_release release;
        return ex::load_xgboost_json(text, missing);
      },
      py::arg("raw"), py::arg("missing") = std::numeric_limits<double>::quiet_NaN());
  m.def(
      "load_xgboost_ubjson",
      [](const py::bytes& raw, double missing) {
        std::string bytes = raw;
        py::gil_scoped_release release;
        return ex::load_xgboost_ubjson(bytes, missing);
      },
      py::arg("raw"), py::arg("missing") = std::numeric_limits<double>::quiet_NaN());
  m.def(
      "load_lightgbm_text",
      [](const std::string& text) {
        py::gil_scoped_release release;
        return ex::load_lightgbm_text(text);
      },
      py::arg("text"));
  m.def("tree_expected_value", &ex::expected_value, py::arg("ensemble"));

  m.def(
      "tree_shap_values",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, ex::ShapAlgorithm algorithm, int n_jobs,
         const py::object& progress) {
        Table table = to_table(columns);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        py::array_t<double> out(
            {n, static_cast<py::ssize_t>(ensemble.n_features), static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::ShapOptions options{algorithm, n_jobs};
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::shap_values(ensemble, table.view, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("algorithm") = ex::ShapAlgorithm::quadrature,
      py::arg("n_jobs") = 0, py::arg("progress") = py::none());

  // The lean entry for a 2-D float32 / float64 numpy array (the one-row latency path),
  // skipping the Python input layer: the core copies its columns into float64 columns.
  m.def(
      "tree_shap_values_matrix",
      [](const ex::TreeEnsemble& ensemble, const py::array& X, ex::ShapAlgorithm algorithm, int n_jobs) {
        if (X.ndim() != 2) throw InvalidArgument("X: expected a 2-D array");
        const auto n = X.shape(0), M = X.shape(1);
        if (M != ensemble.n_features) {
          throw InvalidArgument("X has " + std::to_string(M) + " columns but the model uses " +
                                std::to_string(ensemble.n_features) + " features");
        }
        // CArray<T>::ensure views X when it is C-contiguous and copies it otherwise.
        const auto n_rows = static_cast<std::size_t>(n), n_columns = static_cast<std::size_t>(M);
        auto columns_of = [&]() -> MatrixTable {
          if (py::isinstance<py::array_t<double>>(X)) return {span_of(CArray<double>::ensure(X)), n_rows, n_columns};
          if (py::isinstance<py::array_t<float>>(X)) return {span_of(CArray<float>::ensure(X)), n_rows, n_columns};
          throw InvalidType("X: expected a float32 or float64 array");
        };
        const MatrixTable table = columns_of();
        py::array_t<double> out({n, M, static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::ShapOptions options{algorithm, n_jobs};
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::shap_values(ensemble, table.view(), view, options);
        return out;
      },
      py::arg("ensemble"), py::arg("X"), py::arg("algorithm") = ex::ShapAlgorithm::quadrature, py::arg("n_jobs") = 0);

  m.def(
      "tree_shap_interaction_values",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, int n_jobs, const py::object& progress) {
        Table table = to_table(columns);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        const auto M = static_cast<py::ssize_t>(ensemble.n_features);
        py::array_t<double> out({n, M, M, static_cast<py::ssize_t>(ensemble.n_outputs)});
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::shap_interaction_values(ensemble, table.view, view, {ex::ShapAlgorithm::quadrature, n_jobs}, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("n_jobs") = 0, py::arg("progress") = py::none());

  m.def(
      "interventional_shap_values",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, const py::list& background, const Doubles& weights,
         ex::OutputTransform transform, int n_jobs, const py::object& progress, ex::InterventionalAlgorithm algorithm,
         const Doubles& labels) {
        Table table = to_table(columns);
        Table reference = to_table(background);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        py::array_t<double> out(
            {n, static_cast<py::ssize_t>(ensemble.n_features), static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::InterventionalOptions options{transform, n_jobs, algorithm, weights_of(labels, "y")};
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        const auto w = weights_of(weights);
        py::gil_scoped_release release;
        ex::interventional_shap_values(ensemble, table.view, reference.view, w, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("background"), py::arg("weights"),
      py::arg("transform") = ex::OutputTransform::identity, py::arg("n_jobs") = 0, py::arg("progress") = py::none(),
      py::arg("algorithm") = ex::InterventionalAlgorithm::automatic, py::arg("labels") = py::array_t<double>(0));

  m.def(
      "interventional_interaction_values",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, const py::list& background, const Doubles& weights,
         int n_jobs, const py::object& progress, ex::InterventionalAlgorithm algorithm) {
        Table table = to_table(columns);
        Table reference = to_table(background);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        const auto M = static_cast<py::ssize_t>(ensemble.n_features);
        py::array_t<double> out({n, M, M, static_cast<py::ssize_t>(ensemble.n_outputs)});
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        const auto w = weights_of(weights);
        py::gil_scoped_release release;
        const ex::InterventionalOptions options{ex::OutputTransform::identity, n_jobs, algorithm};
        ex::interventional_interaction_values(ensemble, table.view, reference.view, w, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("background"), py::arg("weights"), py::arg("n_jobs") = 0,
      py::arg("progress") = py::none(), py::arg("algorithm") = ex::InterventionalAlgorithm::automatic);

  m.def(
      "interventional_expected_value",
      [](const ex::TreeEnsemble& ensemble, const py::list& background, const Doubles& weights,
         ex::OutputTransform transform, const Doubles& labels) {
        Table reference = to_table(background);
        const auto w = weights_of(weights);
        const auto y = weights_of(labels, "y");
        py::gil_scoped_release release;
        return ex::interventional_expected_value(ensemble, reference.view, w, transform, y);
      },
      py::arg("ensemble"), py::arg("background"), py::arg("weights"),
      py::arg("transform") = ex::OutputTransform::identity, py::arg("labels") = py::array_t<double>(0));

  m.def(
      "tree_predict",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, int n_jobs) {
        Table table = to_table(columns);
        py::array_t<double> out(
            {static_cast<py::ssize_t>(table.view.n_rows()), static_cast<py::ssize_t>(ensemble.n_outputs)});
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::predict(ensemble, table.view, view, n_jobs);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("n_jobs") = 0);
}

}  // namespace assay::bindings
