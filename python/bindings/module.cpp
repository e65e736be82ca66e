// The compiled module assay._core: one bind_* function per engine.
#include "common.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "assay's compiled core (private: use the assay package)";
  m.attr("__version__") = ASSAY_VERSION;
  assay::bindings::bind_common(m);
  assay::bindings::bind_quality(m);
  assay::bindings::bind_drift(m);
  assay::bindings::bind_fairness(m);
  assay::bindings::bind_explain(m);
  assay::bindings::bind_agnostic(m);
}
