// Profiles and checks a small table through the installed assay core and verifies the
// numbers; exits non-zero on any mismatch.
#include <assay/assay.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  std::vector<double> x{1.0, 2.0, 3.0, 4.0, NAN, 4.0};
  std::vector<std::int32_t> codes{0, 1, 1, -1, 0, 1};
  std::vector<std::string> labels{"a", "b"};
  assay::TableView table({assay::ColumnView::numeric("x", x), assay::ColumnView::categorical("c", codes, labels)});

  const auto result = assay::quality::check(table, "", nullptr, {});
  const auto& p = result.profile.numeric.at(0);
  const bool ok = p.count == 6 && p.missing == 1 && p.distinct == 4 && p.min == 1.0 && p.max == 4.0 &&
                  std::abs(p.mean - 2.8) < 1e-12 && result.profile.categorical.at(0).missing == 1;
  bool has_missing_finding = false;
  for (const auto& f : result.findings) has_missing_finding |= f.check == "missing" && f.column == "x";
  try {
    assay::TableView bad({assay::ColumnView::numeric("x", x), assay::ColumnView::numeric("x", x)});
    std::puts("consumer: expected an error for repeated column names");
    return 1;
  } catch (const assay::InvalidArgument&) {
  }
  std::printf("consumer: profile %s, %zu findings\n", ok && has_missing_finding ? "ok" : "WRONG", result.findings.size());
  return ok && has_missing_finding ? 0 : 1;
}
