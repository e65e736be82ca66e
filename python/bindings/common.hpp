#pragma once
// Shared by the binding files: turning the columns that assay._frame prepares into
// core table views (without copying numeric data), and progress / Ctrl-C support.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"

namespace assay::bindings {

namespace py = pybind11;

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

void bind_common(py::module_& m);
void bind_quality(py::module_& m);
void bind_drift(py::module_& m);
void bind_fairness(py::module_& m);
void bind_explain(py::module_& m);
void bind_agnostic(py::module_& m);

}  // namespace assay::bindings
