#pragma once
// What every binding file shares: the conversions between numpy arrays and the core's
// spans and vectors, the tables that assay._frame prepares, progress / Ctrl-C support,
// and one bind_* function per engine, each filling its own submodule of assay._core.
//
// Option strings of the Python API cross the boundary as enums: each engine binds the
// core's option enums with py::native_enum (Python enum.Enum classes), their members
// named as the Python API spells the option, so that the Python layer, after checking
// a user's string, passes `Enum[name]` and no binding parses strings.
#include <pybind11/native_enum.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"

namespace assay::bindings {

namespace py = pybind11;

// A C-contiguous numpy array of T; a function taking one accepts any array-like and
// converts (copies) only when the dtype or the layout differ.
template <class T>
using CArray = py::array_t<T, py::array::c_style | py::array::forcecast>;
using Doubles = CArray<double>;

// The elements of a C-contiguous array, in memory order.
template <class T, int kFlags>
  requires((kFlags & py::array::c_style) != 0)
std::span<const T> span_of(const py::array_t<T, kFlags>& array) {
  return {array.data(), static_cast<std::size_t>(array.size())};
}

// The array `object` as a 1-D contiguous array of T, without conversion: another dtype is
// an InvalidType, another shape or layout an InvalidArgument, each naming `argument`.
// For arrays the Python layer has already prepared (`dtype_name` says which dtype).
template <class T>
py::array_t<T> prepared_1d(const py::handle& object, const std::string& argument, const char* dtype_name) {
  if (!py::isinstance<py::array_t<T>>(object)) {
    throw InvalidType(argument + ": expected a numpy array of " + dtype_name);
  }
  auto array = py::reinterpret_borrow<py::array_t<T>>(object);
  if (array.ndim() != 1) throw InvalidArgument(argument + ": expected a 1-D array");
  if (!(array.flags() & py::array::c_style)) throw InvalidArgument(argument + ": the array must be contiguous");
  return array;
}

// The elements of such a prepared array (the caller keeps `object` alive).
template <class T>
std::span<const T> span_of(const py::handle& object, const std::string& argument, const char* dtype_name) {
  const auto array = prepared_1d<T>(object, argument, dtype_name);
  return {array.data(), static_cast<std::size_t>(array.size())};
}

// Any array-like `value` as a C-contiguous array of T with `ndim` dimensions (converted
// when needed); not numeric is an InvalidType, another number of dimensions an
// InvalidArgument, each naming `argument`.
template <class T>
CArray<T> c_array(const py::handle& value, int ndim, const std::string& argument) {
  auto array = CArray<T>::ensure(value);
  if (!array) throw InvalidType(argument + ": expected a numeric array");
  if (array.ndim() != ndim) {
    throw InvalidArgument(argument + ": expected " + std::to_string(ndim) + " dimension" + (ndim == 1 ? "" : "s") +
                          ", got " + std::to_string(array.ndim()));
  }
  return array;
}

// A numpy array that takes over `values` without copying them (pass an lvalue to copy),
// shaped `shape` (1-D when empty; the shape's product must be values.size()).
template <class T>
py::array_t<T> to_numpy(std::vector<T> values, std::vector<py::ssize_t> shape = {}) {
  if (shape.empty()) shape.push_back(static_cast<py::ssize_t>(values.size()));
  auto* owner = new std::vector<T>(std::move(values));
  py::capsule free_owner(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(std::move(shape), owner->data(), free_owner);
}

// A mergeable state's versioned bytes on its class: to_bytes() = write(state), and the static
// from_bytes(data) = read(bytes), which raises CorruptedStateError on bytes that are not a
// state. Both run without the GIL.
template <class State, class Write, class Read>
void def_bytes(py::class_<State>& cls, Write write, Read read) {
  cls.def(
         "to_bytes",
         [write](const State& state) {
           std::string bytes;
           {
             py::gil_scoped_release release;
             bytes = write(state);
           }
           return py::bytes(bytes);
         },
         "The state as versioned bytes.")
      .def_static(
          "from_bytes",
          [read](const py::bytes& data) {
            const std::string raw = data;
            py::gil_scoped_release release;
            return read(raw);
          },
          py::arg("data"), "The state that to_bytes wrote; CorruptedStateError when the bytes are not one.");
}

// A table view plus what keeps its memory alive: the numpy arrays it points into and
// the label strings it owns.
struct Table {
  std::vector<py::object> keep_alive;
  std::vector<std::vector<std::string>> labels;
  TableView view;
};

// `columns` is a list of (name, float64 array) and (name, int32 codes, list of labels)
// tuples, as assay._frame.Frame.core_columns() builds them. Arrays must be 1-D and
// contiguous; a wrong dtype is a TypeError naming the column.
Table to_table(const py::list& columns);

// A Progress that calls `callback(done, total)` (when not None) under the GIL and
// stops the work when the user pressed Ctrl-C.
Progress make_progress(const py::object& callback);

// The top-level module: the error translation and what every engine uses.
void bind_common(py::module_& m);
// One submodule each: assay._core.quality, .drift, .fairness, .explain (tree explainers
// and the tree-ensemble IR), .agnostic (model-agnostic explainers), .slices, .review
// (conformal sets) and .monitor (CBPE).
void bind_quality(py::module_& m);
void bind_drift(py::module_& m);
void bind_fairness(py::module_& m);
void bind_explain(py::module_& m);
void bind_agnostic(py::module_& m);
void bind_slices(py::module_& m);
void bind_review(py::module_& m);
void bind_monitor(py::module_& m);

}  // namespace assay::bindings
