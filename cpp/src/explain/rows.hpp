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

inline void check_finalized(const TreeEnsemble& ensemble) {
  if (ensemble.child_fractions.size() != 2 * ensemble.nodes.size() || ensemble.tree_offsets.empty() ||
      ensemble.tree_depths.size() != ensemble.n_trees() || ensemble.n_outputs < 1 ||
      ensemble.base_values.size() != static_cast<std::size_t>(ensemble.n_outputs) ||
      ensemble.leaf_values.size() != ensemble.nodes.size() * static_cast<std::size_t>(ensemble.n_outputs)) {
    throw InvalidArgument("model: the tree ensemble is not finalized (call finalize() after building it)");
  }
}

inline void check_table(const TreeEnsemble& ensemble, const TableView& X) {
  check_finalized(ensemble);
  if (X.n_columns() != static_cast<std::size_t>(ensemble.n_features)) {
    throw InvalidArgument("X has " + std::to_string(X.n_columns()) + " columns but the model uses " +
                          std::to_string(ensemble.n_features) + " features");
  }
}

// The path-dependent algorithms read covers, which must add up.
inline void check_covers(const TreeEnsemble& ensemble) {
  if (!ensemble.covers_add_up) ensemble.check_covers();
}

// The recursive tree walks of the SHAP algorithms need a bounded depth.
inline void check_depth(const TreeEnsemble& ensemble) {
  for (std::size_t t = 0; t < ensemble.tree_depths.size(); ++t) {
    if (ensemble.tree_depths[t] > kMaxExplainedDepth) {
      throw UnsupportedModel("model: tree " + std::to_string(t) + " is " + std::to_string(ensemble.tree_depths[t]) +
                             " splits deep; SHAP values of trees deeper than " + std::to_string(kMaxExplainedDepth) +
                             " are not supported (the model-agnostic explainers take any depth)");
    }
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

// Runs body(state, first_row, n, rows) over the rows of X in fixed blocks of up to
// kRowsPerBlock rows (`rows`: the block's n rows, row-major), with one
// state = make_state() per block, reporting progress (blocks done) from the calling
// thread. Blocks let an algorithm take each tree once per block, while it is in cache.
template <class MakeState, class Body>
void for_each_block(const TableView& X, int n_jobs, const Progress& progress, MakeState&& make_state, Body&& body) {
  const auto n_rows = static_cast<std::ptrdiff_t>(X.n_rows());
  const auto blocks = static_cast<std::ptrdiff_t>(n_blocks(X.n_rows(), kRowsPerBlock));
  const std::size_t width = X.n_columns();
  std::atomic<std::size_t> done{0};
  // One block (a few rows): no threads to start.
  parallel_for(blocks, blocks > 1 ? resolve_threads(n_jobs) : 1, [&](std::ptrdiff_t b) {
    const std::ptrdiff_t first = b * kRowsPerBlock;
    const std::ptrdiff_t n = std::min(n_rows, first + kRowsPerBlock) - first;
    std::vector<double> rows(static_cast<std::size_t>(n) * width);
    for (std::ptrdiff_t i = 0; i < n; ++i) gather_row(X, static_cast<std::size_t>(first + i), rows.data() + i * width);
    auto state = make_state();
    body(state, static_cast<std::size_t>(first), static_cast<std::size_t>(n), static_cast<const double*>(rows.data()));
    const std::size_t finished = ++done;
    if (progress.active() && omp_get_thread_num() == 0) progress.report(finished, static_cast<std::size_t>(blocks));
  });
  if (progress.active()) progress.report(static_cast<std::size_t>(blocks), static_cast<std::size_t>(blocks));
}

// for_each_block, one row at a time: body(state, row_index, row_values).
template <class MakeState, class Body>
void for_each_row(const TableView& X, int n_jobs, const Progress& progress, MakeState&& make_state, Body&& body) {
  const std::size_t width = X.n_columns();
  for_each_block(X, n_jobs, progress, make_state,
                 [&](auto& state, std::size_t first, std::size_t n, const double* rows) {
                   for (std::size_t i = 0; i < n; ++i) body(state, first + i, rows + i * width);
                 });
}

// Interrupt checks at a bounded amount of work, however long a block of rows takes (a
// pairwise walk over a large background can take seconds per block). Work loops call
// add(pending, units) with a counter of their own thread; every kUnitsPerCheck units
// the thread throws Interrupted once the call is stopping, and the calling thread
// (OpenMP's thread 0, the only one that reports) asks the caller's Progress again with
// the last (done, total) reported. Pass reporting() to for_each_block so that a stop
// asked at a block's report also stops the other threads.
class StopCheck {
 public:
  static constexpr std::size_t kUnitsPerCheck = std::size_t{1} << 14;

  StopCheck(const Progress& progress, std::size_t total) : progress_(progress), total_(total) {}
  StopCheck(const StopCheck&) = delete;
  StopCheck& operator=(const StopCheck&) = delete;
  StopCheck(StopCheck&&) = delete;
  StopCheck& operator=(StopCheck&&) = delete;
  ~StopCheck() = default;

  // A Progress forwarding to the caller's, for the loops of this call.
  Progress reporting() {
    if (!progress_.active()) return {};
    return Progress([this](std::size_t done, std::size_t total) {
      done_ = done;
      total_ = total;
      ask();
      return true;
    });
  }

  void add(std::size_t& pending, std::size_t units) {
    pending += units;
    if (pending < kUnitsPerCheck) return;
    pending = 0;
    if (stopping_.load(std::memory_order_relaxed)) throw Interrupted();
    if (progress_.active() && omp_get_thread_num() == 0) ask();
  }

 private:
  void ask() {
    try {
      progress_.report(done_, total_);
    } catch (...) {
      stopping_.store(true, std::memory_order_relaxed);
      throw;
    }
  }

  const Progress& progress_;
  std::size_t done_ = 0, total_;  // thread 0 only
  std::atomic<bool> stopping_{false};
};

inline void check_output(std::span<double> out, std::size_t expected) {
  if (out.size() != expected) throw InvalidArgument("out: expected " + std::to_string(expected) + " entries");
}

// The diagonal of an interaction matrix (M x M x K) from the SHAP values phi (M x K):
// Phi_ii = phi_i - sum_{j != i} Phi_ij, so that every row sums to phi_i.
inline void set_main_effects(double* matrix, const double* phi, std::size_t M, std::size_t K) {
  for (std::size_t a = 0; a < M; ++a) {
    for (std::size_t k = 0; k < K; ++k) {
      double off = 0;
      for (std::size_t b = 0; b < M; ++b) {
        if (b != a) off += matrix[(a * M + b) * K + k];
      }
      matrix[(a * M + a) * K + k] = phi[a * K + k] - off;
    }
  }
}

// All rows of a table as a row-major matrix.
inline std::vector<double> gather_rows(const TableView& X) {
  std::vector<double> rows(X.n_rows() * X.n_columns());
  for (std::size_t i = 0; i < X.n_rows(); ++i) gather_row(X, i, rows.data() + i * X.n_columns());
  return rows;
}

}  // namespace assay::explain::detail
