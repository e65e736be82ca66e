// The shared binding helpers and the top-level module assay._core (error translation,
// thread count, memory limit, label hash).
#include "common.hpp"

#include "assay/common/error.hpp"
#include "assay/common/hash.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"

namespace assay::bindings {

Table to_table(const py::list& columns) {
  Table table;
  table.labels.reserve(columns.size());
  std::vector<ColumnView> views;
  for (const py::handle item : columns) {
    const auto spec = item.cast<py::tuple>();
    const auto name = spec[0].cast<std::string>();
    if (spec.size() == 2) {
      auto values = prepared_1d<double>(spec[1], "column '" + name + "'", "float64");
      views.push_back(ColumnView::numeric(name, {values.data(), static_cast<std::size_t>(values.size())}));
      table.keep_alive.push_back(values);
    } else if (spec.size() == 3) {
      auto codes = prepared_1d<std::int32_t>(spec[1], "column '" + name + "'", "int32 codes");
      table.labels.push_back(spec[2].cast<std::vector<std::string>>());
      views.push_back(
          ColumnView::categorical(name, {codes.data(), static_cast<std::size_t>(codes.size())}, table.labels.back()));
      table.keep_alive.push_back(codes);
    } else {
      throw InvalidArgument("column '" + name + "': malformed column specification");
    }
  }
  table.view = TableView(std::move(views));
  return table;
}

Progress make_progress(const py::object& callback) {
  return Progress([callback](std::size_t done, std::size_t total) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      return false;
    }
    if (!callback.is_none()) callback(done, total);
    return true;
  });
}

void bind_common(py::module_& m) {
  // The core's errors become the classes of assay.errors (importing it here is safe: it
  // imports nothing from the package). The handles are leaked on purpose so that no Python
  // object is released after the interpreter has finalised.
  const auto errors = py::module_::import("assay.errors");
  static PyObject* const invalid_input = py::object(errors.attr("InvalidInputError")).release().ptr();
  static PyObject* const invalid_type = py::object(errors.attr("InvalidTypeError")).release().ptr();
  static PyObject* const resource_limit = py::object(errors.attr("ResourceLimitError")).release().ptr();
  static PyObject* const unsupported_model = py::object(errors.attr("UnsupportedModelError")).release().ptr();
  static PyObject* const corrupted_state = py::object(errors.attr("CorruptedStateError")).release().ptr();
  // pybind11 takes translators as void (*)(std::exception_ptr): the parameter is by value.
  py::register_exception_translator([](std::exception_ptr p) {  // NOLINT(performance-unnecessary-value-param)
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InvalidType& e) {
      PyErr_SetString(invalid_type, e.what());
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const ResourceLimit& e) {
      PyErr_SetString(resource_limit, e.what());
    } catch (const UnsupportedModel& e) {
      PyErr_SetString(unsupported_model, e.what());
    } catch (const CorruptedState& e) {
      PyErr_SetString(corrupted_state, e.what());
    } catch (const Error& e) {
      PyErr_SetString(invalid_input, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(resource_limit,
                      "out of memory: the inputs or the requested sizes are too large for this machine");
    }
  });
  m.def("resolve_threads", &resolve_threads, py::arg("n_jobs"),
        "Number of threads a call with this n_jobs uses (n_jobs <= 0: all cores).");
  m.def("memory_limit", &memory_limit,
        "The most bytes one call may allocate for sizes the caller chose (half the physical memory).");
  m.def("hash_string", &hash_string, py::arg("text"), "Stable 64-bit hash of a string (as the core hashes labels).");
}

}  // namespace assay::bindings
