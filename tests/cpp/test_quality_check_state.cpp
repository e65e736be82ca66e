// The mergeable state of the sketch-mode check (quality/check_state.hpp): merged states of
// any split equal check(exact = false) on the whole table; bytes round-trip and refuse
// corruption; merges refuse states of other columns, targets or rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;
using namespace assay::quality;

namespace {

// String values ("" missing) as codes and labels in order of first appearance, as pandas'
// factorize gives them.
struct Factorized {
  std::vector<std::int32_t> codes;
  std::vector<std::string> labels;
};

Factorized factorize(const std::vector<std::string>& values, std::size_t begin, std::size_t end) {
  Factorized f;
  for (std::size_t i = begin; i < end; ++i) {
    if (values[i].empty()) {
      f.codes.push_back(-1);
      continue;
    }
    auto it = std::find(f.labels.begin(), f.labels.end(), values[i]);
    if (it == f.labels.end()) {
      f.labels.push_back(values[i]);
      it = f.labels.end() - 1;
    }
    f.codes.push_back(static_cast<std::int32_t>(it - f.labels.begin()));
  }
  return f;
}

struct Data {
  std::vector<double> x, y;
  std::vector<std::string> plan, city, label;
};

Data make_data(std::size_t n) {
  Data d;
  std::mt19937_64 rng(11);
  const char* plans[] = {"basic", "pro", "Pro ", "team"};
  const char* cities[] = {"a", "b", "c", "new"};
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = rng() % 100;
    // Integers 0..39 and far values 500: the fences fall in the gap between them.
    d.x.push_back(r < 4 ? NAN : r == 4 ? INFINITY : r < 8 ? 500.0 : static_cast<double>(rng() % 40));
    d.y.push_back(static_cast<double>(rng() % 3));
    d.plan.emplace_back(r % 17 == 0 ? "" : plans[rng() % 4]);
    d.city.emplace_back(cities[rng() % (i < n / 2 ? 3 : 4)]);
    d.label.emplace_back(rng() % 5 == 0 ? "churn" : "stay");
  }
  return d;
}

struct Part {
  std::vector<double> x, y;
  Factorized plan, city, label;
  std::vector<ColumnView> columns() const {
    return {ColumnView::numeric("x", x), ColumnView::categorical("plan", plan.codes, plan.labels),
            ColumnView::numeric("y", y), ColumnView::categorical("city", city.codes, city.labels),
            ColumnView::categorical("label", label.codes, label.labels)};
  }
};

Part slice(const Data& d, std::size_t begin, std::size_t end) {
  Part p;
  p.x.assign(d.x.begin() + static_cast<std::ptrdiff_t>(begin), d.x.begin() + static_cast<std::ptrdiff_t>(end));
  p.y.assign(d.y.begin() + static_cast<std::ptrdiff_t>(begin), d.y.begin() + static_cast<std::ptrdiff_t>(end));
  p.plan = factorize(d.plan, begin, end);
  p.city = factorize(d.city, begin, end);
  p.label = factorize(d.label, begin, end);
  return p;
}

std::vector<ColumnRule> rules() {
  ColumnRule x;
  x.column = "x";
  x.min = 0.0;
  x.max = 30.0;
  x.nullable = false;
  ColumnRule plan;
  plan.column = "plan";
  plan.allowed_labels = std::vector<std::string>{"basic", "pro"};
  plan.max_missing = 0.01;
  ColumnRule absent;
  absent.column = "absent";
  absent.nullable = false;
  return {x, plan, absent};
}

ProfileOptions sketch_mode() {
  ProfileOptions o;
  o.exact = false;
  return o;
}

bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// The quantile-based values (outlier shares, their notes and the quartiles) are estimates of
// each run's own quantile summary: checked against their bounds, not for equality.
bool sketched(const std::string& check) { return check == "outliers_iqr"; }

void expect_same_result(const CheckResult& a, const CheckResult& b) {
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (std::size_t k = 0; k < a.findings.size(); ++k) {
    const Finding &f = a.findings[k], &g = b.findings[k];
    if (sketched(f.check)) {
      EXPECT_EQ(f.check + f.column, g.check + g.column);
      continue;
    }
    EXPECT_EQ(f.check, g.check) << k;
    EXPECT_EQ(f.column, g.column) << k;
    EXPECT_EQ(f.severity, g.severity) << f.check;
    EXPECT_TRUE(same_number(f.value, g.value)) << f.check << " " << f.value << " " << g.value;
    EXPECT_TRUE(same_number(f.threshold, g.threshold)) << f.check;
    EXPECT_EQ(f.message, g.message);
    EXPECT_EQ(f.rows, g.rows) << f.check << " " << f.column;
    EXPECT_TRUE(same_number(f.lower, g.lower) && same_number(f.upper, g.upper)) << f.check;
  }
  ASSERT_EQ(a.measures.size(), b.measures.size());
  for (std::size_t k = 0; k < a.measures.size(); ++k) {
    const Measure &m = a.measures[k], &n = b.measures[k];
    EXPECT_EQ(m.check + m.column, n.check + n.column) << k;
    if (sketched(m.check)) continue;
    EXPECT_TRUE(same_number(m.value, n.value)) << m.check << " " << m.column << " " << m.value << " " << n.value;
    EXPECT_TRUE(same_number(m.lower, n.lower) && same_number(m.upper, n.upper)) << m.check;
    EXPECT_EQ(m.note, n.note) << m.check;
  }
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  ASSERT_EQ(a.profile.numeric.size(), b.profile.numeric.size());
  for (std::size_t j = 0; j < a.profile.numeric.size(); ++j) {
    EXPECT_EQ(a.profile.numeric[j].count, b.profile.numeric[j].count);
    EXPECT_EQ(a.profile.numeric[j].missing, b.profile.numeric[j].missing);
    EXPECT_EQ(a.profile.numeric[j].min, b.profile.numeric[j].min);
    EXPECT_EQ(a.profile.numeric[j].max, b.profile.numeric[j].max);
    EXPECT_EQ(a.profile.numeric[j].distinct, b.profile.numeric[j].distinct);
  }
  EXPECT_EQ(a.profile.exact, b.profile.exact);
}

// The state of the rows split at `cuts`, merged left to right, finished with a second pass
// for the outlier rows.
CheckResult by_parts(const Data& d, const std::vector<std::size_t>& cuts, const std::string& target,
                     const CheckState* reference, const CheckOptions& o = {}) {
  std::vector<Part> parts;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) parts.push_back(slice(d, cuts[k], cuts[k + 1]));
  std::vector<CheckState> states;
  states.reserve(parts.size());
  for (const Part& p : parts) states.push_back(check_state(TableView(p.columns()), target, rules(), o, sketch_mode()));
  // A tree of pairs, then the rest left to right: associativity.
  CheckState merged = states[0];
  for (std::size_t k = 1; k < states.size(); ++k) merged = merge(merged, states[k]);
  if (states.size() >= 4) {
    const CheckState right = merge(merge(states[1], states[2]), states[3]);
    CheckState tree = merge(states[0], right);
    for (std::size_t k = 4; k < states.size(); ++k) tree = merge(tree, states[k]);
    EXPECT_EQ(to_bytes(tree), to_bytes(merged));
  }
  const std::vector<OutlierFence> fences = outlier_fences(merged, o, sketch_mode());
  std::vector<std::vector<std::int64_t>> rows(fences.size());
  std::int64_t offset = 0;
  for (const Part& p : parts) {
    const auto found = first_rows_outside(TableView(p.columns()), fences, o.max_examples);
    for (std::size_t f = 0; f < fences.size(); ++f) {
      for (std::int64_t r : found[f]) {
        if (static_cast<std::int64_t>(rows[f].size()) < o.max_examples) rows[f].push_back(r + offset);
      }
    }
    offset += static_cast<std::int64_t>(p.x.size());
  }
  CheckResult result = finish_check(merged, reference, rules(), o, sketch_mode(), rows);
  // Each outlier share lies within its stated rank error of the exact share outside its fences.
  for (const OutlierFence& fence : fences) {
    const std::vector<double>& x = fence.column == "x" ? d.x : d.y;
    double outside = 0, finite = 0;
    for (double v : x) {
      finite += std::isfinite(v) ? 1 : 0;
      outside += std::isfinite(v) && (v < fence.low || v > fence.high) ? 1 : 0;
    }
    const auto& column = merged.numeric[fence.column == "x" ? 0 : 1].sketch;
    const double bound = 2.0 * column.summary.rank_error();
    auto finding = std::find_if(result.findings.begin(), result.findings.end(), [&](const Finding& f) {
      return f.check == "outliers_iqr" && f.column == fence.column;
    });
    EXPECT_NE(finding, result.findings.end());
    if (finding != result.findings.end()) {
      EXPECT_LE(std::abs(finding->value - outside / finite), bound + 1e-12);
    }
  }
  return result;
}

}  // namespace

TEST(QualityCheckState, MergedPartsEqualTheSketchModeCheck) {
  const Data d = make_data(3000);
  const Data ref = make_data(400);
  const Part whole = slice(d, 0, d.x.size());
  Part reference = slice(ref, 0, 200);  // cities a, b, c only
  const TableView reference_table(reference.columns());
  const CheckState reference_state = check_state(reference_table, "", {}, {}, sketch_mode());
  for (const std::string target : {"label", "y", ""}) {
    const CheckResult single =
        check(TableView(whole.columns()), target, &reference_table, rules(), {}, sketch_mode(), 1);
    ASSERT_FALSE(single.findings.empty());
    for (const std::vector<std::size_t>& cuts : std::vector<std::vector<std::size_t>>{
             {0, 3000}, {0, 1000, 2000, 3000}, {0, 0, 17, 17, 1500, 2999, 3000}, {0, 1, 2, 3, 4, 5, 3000}}) {
      SCOPED_TRACE(target + " in " + std::to_string(cuts.size() - 1) + " parts");
      expect_same_result(by_parts(d, cuts, target, &reference_state), single);
    }
  }
}

TEST(QualityCheckState, ThreadsDoNotChangeTheState) {
  const Data d = make_data(5000);
  const Part p = slice(d, 0, d.x.size());
  const TableView table(p.columns());
  EXPECT_EQ(to_bytes(check_state(table, "label", rules(), {}, sketch_mode(), 1)),
            to_bytes(check_state(table, "label", rules(), {}, sketch_mode(), 4)));
}

TEST(QualityCheckState, BytesRoundTripAndRefuseCorruption) {
  const Data d = make_data(60);
  const Part p = slice(d, 0, d.x.size());
  CheckOptions o;
  o.max_examples = 2;
  const CheckState state = check_state(TableView(p.columns()), "label", rules(), o, sketch_mode());
  const std::string bytes = to_bytes(state);
  EXPECT_EQ(to_bytes(check_state_from_bytes(bytes)), bytes);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_THROW(check_state_from_bytes(bytes.substr(0, cut)), CorruptedState) << cut;
  }
  EXPECT_THROW(check_state_from_bytes(bytes + "x"), CorruptedState);
  std::size_t refused = 0;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    try {
      validate(check_state_from_bytes(flipped));  // a valid state, or...
    } catch (const CorruptedState&) {
      ++refused;  // ...a clear error, never a crash
    }
  }
  EXPECT_GT(refused, bytes.size() / 2);
}

TEST(QualityCheckState, MergeAndFinishRefuseOtherStates) {
  const Data d = make_data(100);
  const Part p = slice(d, 0, d.x.size());
  const TableView table(p.columns());
  const CheckState a = check_state(table, "label", rules(), {}, sketch_mode());
  EXPECT_THROW(merge(a, check_state(table, "y", rules(), {}, sketch_mode())), InvalidArgument);
  EXPECT_THROW(merge(a, check_state(table, "label", {}, {}, sketch_mode())), InvalidArgument);
  CheckOptions more;
  more.max_examples = 9;
  EXPECT_THROW(merge(a, check_state(table, "label", rules(), more, sketch_mode())), InvalidArgument);
  EXPECT_THROW(finish_check(a, nullptr, {}, {}, sketch_mode()), InvalidArgument);
  EXPECT_THROW(finish_check(a, nullptr, rules(), more, sketch_mode()), InvalidArgument);
  EXPECT_THROW(finish_check(a, nullptr, rules(), {}, sketch_mode(), {{1}, {2}, {3}}), InvalidArgument);
  EXPECT_THROW(check_state(table, "absent", {}, {}, sketch_mode()), InvalidArgument);
  ColumnRule wrong;
  wrong.column = "plan";
  wrong.min = 1.0;
  EXPECT_THROW(check_state(table, "", {wrong}, {}, sketch_mode()), InvalidArgument);
}
