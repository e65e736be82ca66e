// Bindings of the tree explainers (assay/explain): the tree-ensemble IR and its
// loaders, path-dependent SHAP values and interaction values.
#include <limits>
#include <string>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/explain/interventional.hpp"
#include "assay/explain/tree_ensemble.hpp"
#include "assay/explain/tree_shap.hpp"
#include "common.hpp"

namespace assay::bindings {

namespace {

namespace ex = assay::explain;

template <class T>
py::array_t<T, py::array::c_style | py::array::forcecast> node_array(const py::dict& tree, const char* key,
                                                                     std::size_t tree_index) {
  if (!tree.contains(key)) {
    throw InvalidArgument("model: tree " + std::to_string(tree_index) + " has no '" + key + "' array");
  }
  auto array = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(tree[key]);
  if (!array) throw InvalidType("model: tree " + std::to_string(tree_index) + "'s '" + key + "' is not numeric");
  return array;
}

template <class T>
std::span<const T> span_of(const py::array_t<T, py::array::c_style | py::array::forcecast>& array) {
  return {array.data(), static_cast<std::size_t>(array.size())};
}

// Trees as dicts of numpy arrays (left, right, feature, threshold, cover, values,
// default_left, and optionally is_categorical, category_bits, categories_go_left)
// -> the IR.
ex::TreeEnsemble from_array_trees(const py::list& trees, std::int32_t n_features, std::int32_t n_outputs,
                                  const std::vector<double>& base_values, const std::string& comparison,
                                  bool float32_compare, const std::string& cover_kind, const std::string& source) {
  ex::ArrayTreeOptions options;
  if (comparison == "<=") options.comparison = ex::Comparison::less_equal;
  else if (comparison == "<") options.comparison = ex::Comparison::less;
  else throw InvalidArgument("comparison must be '<=' or '<'");
  options.float32_compare = float32_compare;
  options.cover_kind = cover_kind == "hessian" ? ex::CoverKind::hessian : ex::CoverKind::count;
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
    ex::ArrayTree a{span_of(left), span_of(right), span_of(feature), span_of(threshold),
                    span_of(cover), span_of(values), span_of(default_left), {}, {}, {}, 0};
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

ex::ShapAlgorithm algorithm_of(const std::string& name) {
  if (name == "quadrature") return ex::ShapAlgorithm::quadrature;
  if (name == "treeshap") return ex::ShapAlgorithm::treeshap;
  throw InvalidArgument("algorithm must be 'quadrature' or 'treeshap', got '" + name + "'");
}

ex::OutputTransform transform_of(const std::string& name) {
  if (name == "identity") return ex::OutputTransform::identity;
  if (name == "logistic") return ex::OutputTransform::logistic;
  if (name == "logistic_log_loss") return ex::OutputTransform::logistic_log_loss;
  if (name == "squared_loss") return ex::OutputTransform::squared_loss;
  throw InvalidArgument("transform must be 'identity', 'logistic', 'logistic_log_loss' or 'squared_loss', got '" +
                        name + "'");
}

ex::InterventionalAlgorithm interventional_algorithm_of(const std::string& name) {
  if (name == "auto") return ex::InterventionalAlgorithm::automatic;
  if (name == "patterns") return ex::InterventionalAlgorithm::patterns;
  if (name == "pairwise") return ex::InterventionalAlgorithm::pairwise;
  throw InvalidArgument("algorithm must be 'auto', 'patterns' or 'pairwise', got '" + name + "'");
}

std::span<const double> weights_of(const py::array_t<double, py::array::c_style | py::array::forcecast>& weights,
                                   const char* argument = "weights") {
  if (weights.ndim() != 1) throw InvalidArgument(std::string(argument) + ": expected a 1-D array");
  return {weights.data(), static_cast<std::size_t>(weights.size())};
}

}  // namespace

void bind_explain(py::module_& m) {
  py::class_<ex::TreeEnsemble>(m, "TreeEnsemble", "assay's tree-ensemble IR (see assay/explain/tree_ensemble.hpp)")
      .def_readonly("n_features", &ex::TreeEnsemble::n_features)
      .def_readonly("n_outputs", &ex::TreeEnsemble::n_outputs)
      .def_readonly("base_values", &ex::TreeEnsemble::base_values)
      .def_readonly("source", &ex::TreeEnsemble::source)
      .def_readonly("objective", &ex::TreeEnsemble::objective)
      .def_property_readonly("n_trees", &ex::TreeEnsemble::n_trees)
      .def_property_readonly("n_nodes", [](const ex::TreeEnsemble& e) { return e.nodes.size(); })
      .def_property_readonly("max_depth", &ex::TreeEnsemble::max_depth)
      .def_property_readonly("cover_kind", [](const ex::TreeEnsemble& e) {
        return e.cover_kind == ex::CoverKind::hessian ? "hessian" : "count";
      });

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
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, const std::string& algorithm, int n_jobs,
         const py::object& progress) {
        Table table = to_table(columns);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        py::array_t<double> out({n, static_cast<py::ssize_t>(ensemble.n_features),
                                 static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::ShapOptions options{algorithm_of(algorithm), n_jobs};
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::shap_values(ensemble, table.view, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("algorithm") = "quadrature", py::arg("n_jobs") = 0,
      py::arg("progress") = py::none());

  // The lean entry for a 2-D float32 / float64 numpy array (the one-row latency path):
  // its columns are copied into float64 columns here, skipping the Python input layer.
  m.def(
      "tree_shap_values_matrix",
      [](const ex::TreeEnsemble& ensemble, const py::array& X, const std::string& algorithm, int n_jobs) {
        if (X.ndim() != 2) throw InvalidArgument("X: expected a 2-D array");
        const auto n = X.shape(0), M = X.shape(1);
        if (M != ensemble.n_features) {
          throw InvalidArgument("X has " + std::to_string(M) + " columns but the model uses " +
                                std::to_string(ensemble.n_features) + " features");
        }
        std::vector<double> columns(static_cast<std::size_t>(n * M));
        auto copy = [&](auto typed) {
          const auto view = typed.template unchecked<2>();
          for (py::ssize_t j = 0; j < M; ++j) {
            for (py::ssize_t i = 0; i < n; ++i) columns[j * n + i] = static_cast<double>(view(i, j));
          }
        };
        if (py::isinstance<py::array_t<double>>(X)) copy(py::array_t<double>(X));
        else if (py::isinstance<py::array_t<float>>(X)) copy(py::array_t<float>(X));
        else throw InvalidType("X: expected a float32 or float64 array");
        std::vector<ColumnView> views;
        views.reserve(static_cast<std::size_t>(M));
        for (py::ssize_t j = 0; j < M; ++j) {
          views.push_back(ColumnView::numeric("x" + std::to_string(j), {columns.data() + j * n, static_cast<std::size_t>(n)}));
        }
        const TableView table(std::move(views));
        py::array_t<double> out({n, M, static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::ShapOptions options{algorithm_of(algorithm), n_jobs};
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::shap_values(ensemble, table, view, options);
        return out;
      },
      py::arg("ensemble"), py::arg("X"), py::arg("algorithm") = "quadrature", py::arg("n_jobs") = 0);

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
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, const py::list& background,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& weights, const std::string& transform,
         int n_jobs, const py::object& progress, const std::string& algorithm,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& labels) {
        Table table = to_table(columns);
        Table reference = to_table(background);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        py::array_t<double> out({n, static_cast<py::ssize_t>(ensemble.n_features),
                                 static_cast<py::ssize_t>(ensemble.n_outputs)});
        const ex::InterventionalOptions options{transform_of(transform), n_jobs, interventional_algorithm_of(algorithm),
                                                weights_of(labels, "y")};
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        const auto w = weights_of(weights);
        py::gil_scoped_release release;
        ex::interventional_shap_values(ensemble, table.view, reference.view, w, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("background"), py::arg("weights"),
      py::arg("transform") = "identity", py::arg("n_jobs") = 0, py::arg("progress") = py::none(),
      py::arg("algorithm") = "auto", py::arg("labels") = py::array_t<double>(0));

  m.def(
      "interventional_interaction_values",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, const py::list& background,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& weights, int n_jobs,
         const py::object& progress, const std::string& algorithm) {
        Table table = to_table(columns);
        Table reference = to_table(background);
        const auto n = static_cast<py::ssize_t>(table.view.n_rows());
        const auto M = static_cast<py::ssize_t>(ensemble.n_features);
        py::array_t<double> out({n, M, M, static_cast<py::ssize_t>(ensemble.n_outputs)});
        const Progress report = make_progress(progress);
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        const auto w = weights_of(weights);
        py::gil_scoped_release release;
        const ex::InterventionalOptions options{ex::OutputTransform::identity, n_jobs,
                                                interventional_algorithm_of(algorithm)};
        ex::interventional_interaction_values(ensemble, table.view, reference.view, w, view, options, report);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("background"), py::arg("weights"), py::arg("n_jobs") = 0,
      py::arg("progress") = py::none(), py::arg("algorithm") = "auto");

  m.def(
      "interventional_expected_value",
      [](const ex::TreeEnsemble& ensemble, const py::list& background,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& weights, const std::string& transform,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& labels) {
        Table reference = to_table(background);
        const auto w = weights_of(weights);
        const auto t = transform_of(transform);
        const auto y = weights_of(labels, "y");
        py::gil_scoped_release release;
        return ex::interventional_expected_value(ensemble, reference.view, w, t, y);
      },
      py::arg("ensemble"), py::arg("background"), py::arg("weights"), py::arg("transform") = "identity",
      py::arg("labels") = py::array_t<double>(0));

  m.def(
      "tree_predict",
      [](const ex::TreeEnsemble& ensemble, const py::list& columns, int n_jobs) {
        Table table = to_table(columns);
        py::array_t<double> out({static_cast<py::ssize_t>(table.view.n_rows()),
                                 static_cast<py::ssize_t>(ensemble.n_outputs)});
        std::span<double> view(out.mutable_data(), static_cast<std::size_t>(out.size()));
        py::gil_scoped_release release;
        ex::predict(ensemble, table.view, view, n_jobs);
        return out;
      },
      py::arg("ensemble"), py::arg("columns"), py::arg("n_jobs") = 0);
}

}  // namespace assay::bindings
