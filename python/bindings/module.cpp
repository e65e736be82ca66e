// The compiled module assay._core: what is common at the top, one submodule per engine,
// each filled by the bind_* function of its own file.
#include "common.hpp"

namespace {

namespace py = pybind11;

// A submodule, also entered in sys.modules so that `import assay._core.drift` works as for
// a package (mypy's stubtest imports the stub package's modules that way).
py::module_ engine_module(py::module_& parent, const char* name, const char* doc) {
  auto module = parent.def_submodule(name, doc);
  py::module_::import("sys").attr("modules")[module.attr("__name__")] = module;
  return module;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  namespace bindings = assay::bindings;
  m.doc() = "assay's compiled core (private: use the assay package)";
  m.attr("__version__") = ASSAY_VERSION;
  bindings::bind_common(m);
  auto quality = engine_module(m, "quality", "data-quality engine: profiles, sketches, checks");
  bindings::bind_quality(quality);
  auto drift = engine_module(m, "drift", "drift engine: two-sample tests, distances, reports, multivariate drift");
  bindings::bind_drift(drift);
  auto fairness = engine_module(m, "fairness", "fairness engine: group index, accumulators, metrics, uncertainty");
  bindings::bind_fairness(fairness);
  auto explain = engine_module(m, "explain", "tree explainers: the tree-ensemble IR, its loaders, SHAP values");
  bindings::bind_explain(explain);
  auto agnostic = engine_module(m, "agnostic", "model-agnostic explainers: coalition designs, Shapley estimators");
  bindings::bind_agnostic(agnostic);
  auto slices = engine_module(m, "slices", "slice finding: SliceLine over coded features");
  bindings::bind_slices(slices);
  auto review = engine_module(m, "review", "review engine: conformal sets and intervals, routing to a person");
  bindings::bind_review(review);
  auto monitor = engine_module(m, "monitor", "monitor engine: performance estimation without labels (CBPE)");
  bindings::bind_monitor(monitor);
}
