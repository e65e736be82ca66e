#pragma once
// Filling one column's drift result (internal to the drift engine): shared by compare_columns
// (report.cpp) and compare_sketches (sketched.cpp), so that exact and sketched results count,
// note and judge alike.
#include <cmath>
#include <string>
#include <utility>

#include "assay/common/error.hpp"
#include "assay/drift/report.hpp"

namespace assay::drift {

// The values of each sample that take part in the test, and the missing and infinite ones
// dropped; Sample is a PreparedColumn or a ColumnSketch.
template <class Sample>
void set_sample_counts(ColumnDrift& out, const Sample& reference, const Sample& current) {
  out.n_reference = reference.size();
  out.n_current = current.size();
  out.missing_reference = reference.missing;
  out.missing_current = current.missing;
  out.infinite_reference = reference.infinite;
  out.infinite_current = current.infinite;
}

// The score (the p-value, or the distance of a test without one), the p-value before any
// correction, a note when the score is undefined, and whether the column drifted.
inline void set_verdict(ColumnDrift& out) {
  out.score = test_gives_pvalue(out.test) ? out.pvalue : out.statistic;
  out.pvalue_adjusted = out.pvalue;
  if (std::isnan(out.score) && out.note.empty()) out.note = "the test is undefined for these samples";
  out.drifted = is_drift(out.test, out.score, out.threshold);
}

// Runs compute(out) when both samples hold values (set_sample_counts first), else notes the
// empty one; a degenerate sample's InvalidArgument (a test that needs two distinct values,
// say) leaves the statistic and p-values NaN, its message the note. Then set_verdict.
template <class Compute>
void compute_and_judge(ColumnDrift& out, Compute&& compute) {
  if (out.n_reference == 0 || out.n_current == 0) {
    out.note = std::string("no values left in the ") + (out.n_reference == 0 ? "reference" : "current") +
               " sample after dropping missing and infinite ones";
  } else {
    try {
      std::forward<Compute>(compute)(out);
    } catch (const InvalidArgument& degenerate) {
      out.statistic = out.pvalue = out.pvalue_low = out.pvalue_high = kNaN;
      out.note = degenerate.what();
    }
  }
  set_verdict(out);
}

}  // namespace assay::drift
