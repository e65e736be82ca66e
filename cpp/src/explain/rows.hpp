#pragma once
// Row access shared by the explainer algorithms: rows of a TableView gathered into
// doubles, processed in fixed blocks (so results do not depend on the thread count).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/explain/tree_ensemble.hpp"

namespace assay::explain::detail {

constexpr std::ptrdiff_t kRowsPerBlock = 32;

inline void check_table(const TreeEnsemble& ensemble, const TableView& X) {
  if (X.n_columns() != static_cast<std::size_t>(ensemble.n_features)) {
    throw InvalidArgument("X has " + std::to_string(X.n_columns()) + " columns but the model uses " +
                          std::to_string(ensemble.n_features) + " features");
  }
}

// Row i of X as doubles: numeric values, or categorical codes with NaN for -1.
inline void gather_row(const TableView& X, std::size_t i, double* row) {
  for (std::size_t j = 0; j < X.n_columns(); ++j) {
    const ColumnView& column = X.column(j);
    if (column.is_numeric()) {
      row[j] = column.values[i];
    } else {
      const std::int32_t code = column.codes[i];
      row[j] = code < 0 ? std::nan("") : static_cast<double>(code);
    }
  }
}

// Runs body(state, row_index, row_values) over the rows of X in fixed blocks, with one
// state = make_state() per block, reporting progress (blocks done) from the calling
// thread.
template <class MakeState, class Body>
void for_each_row(const TableView& X, int n_jobs, const Progress& progress, MakeState&& make_state, Body&& body) {
  const auto n_rows = static_cast<std::ptrdiff_t>(X.n_rows());
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(X.n_rows(), kRowsPerBlock));
  std::atomic<std::size_t> done{0};
  const int threads = resolve_threads(n_jobs);
  parallel_for(blocks, threads, [&](std::ptrdiff_t b) {
    std::vector<double> row(X.n_columns());
    auto state = make_state();
    const std::ptrdiff_t end = std::min(n_rows, (b + 1) * kRowsPerBlock);
    for (std::ptrdiff_t i = b * kRowsPerBlock; i < end; ++i) {
      gather_row(X, static_cast<std::size_t>(i), row.data());
      body(state, static_cast<std::size_t>(i), row.data());
    }
    const std::size_t finished = ++done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(finished, static_cast<std::size_t>(blocks));
  });
  if (progress.active()) progress.report(static_cast<std::size_t>(blocks), static_cast<std::size_t>(blocks));
}

inline void check_output(std::span<double> out, std::size_t expected) {
  if (out.size() != expected) throw InvalidArgument("out: expected " + std::to_string(expected) + " entries");
}

// All rows of a table as a row-major matrix.
inline std::vector<double> gather_rows(const TableView& X) {
  std::vector<double> rows(X.n_rows() * X.n_columns());
  for (std::size_t i = 0; i < X.n_rows(); ++i) gather_row(X, i, rows.data() + i * X.n_columns());
  return rows;
}

}  // namespace assay::explain::detail
