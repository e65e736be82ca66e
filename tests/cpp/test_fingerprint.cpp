#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "assay/assay.hpp"

using namespace assay;

namespace {

// A numeric and a categorical column, owning their data; rows can be taken in any order.
struct Data {
  std::vector<double> x;
  std::vector<std::int32_t> codes;
  std::vector<std::string> labels{"red", "green", "blue"};
  std::string x_name = "x";
  std::string c_name = "colour";

  static Data random(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
      d.x.push_back(i % 17 == 0 ? NAN : normal(rng));
      d.codes.push_back(i % 13 == 0 ? -1 : static_cast<std::int32_t>(rng() % 3));
    }
    return d;
  }

  Data rows(const std::vector<std::size_t>& order) const {
    Data d = *this;
    d.x.clear();
    d.codes.clear();
    for (std::size_t i : order) {
      d.x.push_back(x[i]);
      d.codes.push_back(codes[i]);
    }
    return d;
  }

  TableView view() const {
    return TableView({ColumnView::numeric(x_name, x), ColumnView::categorical(c_name, codes, labels)});
  }
  TableFingerprint fingerprint(int n_jobs = 1) const { return fingerprint_table(view(), n_jobs); }
};

std::vector<std::size_t> range(std::size_t begin, std::size_t end) {
  std::vector<std::size_t> out(end - begin);
  std::iota(out.begin(), out.end(), begin);
  return out;
}

}  // namespace

TEST(Fingerprint, DoesNotDependOnRowOrder) {
  const Data data = Data::random(10000, 1);
  std::vector<std::size_t> order = range(0, 10000);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(2));
  const TableFingerprint a = data.fingerprint();
  EXPECT_EQ(a, data.rows(order).fingerprint());
  EXPECT_EQ(a.rows, 10000);
  EXPECT_EQ(a.columns, 2);
  EXPECT_NE(a.sum, 0u);
  EXPECT_NE(a.exclusive_or, 0u);
}

TEST(Fingerprint, DoesNotDependOnColumnOrder) {
  const Data data = Data::random(100, 3);
  const TableView swapped(
      {ColumnView::categorical(data.c_name, data.codes, data.labels), ColumnView::numeric(data.x_name, data.x)});
  EXPECT_EQ(fingerprint_table(swapped), data.fingerprint());
}

TEST(Fingerprint, ChangesWithAValueALabelOrAName) {
  const Data data = Data::random(500, 4);
  const TableFingerprint base = data.fingerprint();
  Data value = data;
  value.x[7] = std::nextafter(value.x[7], 1e9);
  EXPECT_NE(value.fingerprint(), base);
  Data code = data;
  code.codes[8] = (code.codes[8] + 1) % 3;
  EXPECT_NE(code.fingerprint(), base);
  Data label = data;
  label.labels[1] = "Green";
  EXPECT_NE(label.fingerprint(), base);
  Data renamed = data;
  renamed.x_name = "x2";
  EXPECT_NE(renamed.fingerprint(), base);
  // A repeated row changes the sum even when two copies cancel in the xor.
  Data repeated = data.rows([] {
    std::vector<std::size_t> order = range(0, 500);
    order.push_back(0);
    order.push_back(0);
    return order;
  }());
  const TableFingerprint twice = repeated.fingerprint();
  EXPECT_EQ(twice.exclusive_or, base.exclusive_or);
  EXPECT_NE(twice.sum, base.sum);
}

TEST(Fingerprint, NumericAndCategoricalColumnsOfTheSameNameDiffer) {
  // A label whose hash equals a number's bits would otherwise collide; the kind is in the key.
  const std::vector<double> x{1.0, 2.0};
  const std::vector<std::int32_t> codes{0, 1};
  const std::vector<std::string> labels{"1", "2"};
  const TableView numeric({ColumnView::numeric("a", x)});
  const TableView categorical({ColumnView::categorical("a", codes, labels)});
  EXPECT_NE(fingerprint_table(numeric), fingerprint_table(categorical));
}

TEST(Fingerprint, CategoryCodesDoNotMatter) {
  const Data data = Data::random(300, 5);
  // The same labels in another order, the codes renumbered to match.
  Data recoded = data;
  recoded.labels = {"blue", "red", "green"};
  const std::int32_t new_code[] = {1, 2, 0};
  for (auto& c : recoded.codes) c = c < 0 ? -1 : new_code[c];
  EXPECT_EQ(recoded.fingerprint(), data.fingerprint());
  // Unused labels do not count either: the fingerprint is of the values.
  Data extra = data;
  extra.labels.emplace_back("purple");
  EXPECT_EQ(extra.fingerprint(), data.fingerprint());
}

TEST(Fingerprint, MergeOfTwoPartsIsTheWhole) {
  const Data data = Data::random(9001, 6);  // not a multiple of the block size
  const TableFingerprint whole = data.fingerprint();
  const TableFingerprint first = data.rows(range(0, 4321)).fingerprint();
  const TableFingerprint second = data.rows(range(4321, 9001)).fingerprint();
  EXPECT_EQ(merge(first, second), whole);
  EXPECT_EQ(merge(second, first), whole);
  const TableFingerprint empty = data.rows({}).fingerprint();
  EXPECT_EQ(merge(whole, empty), whole);
  const std::vector<double> x{1.0};
  EXPECT_THROW(merge(whole, fingerprint_table(TableView({ColumnView::numeric("x", x)}))), InvalidArgument);
}

TEST(Fingerprint, DoesNotDependOnThreads) {
  const Data data = Data::random(50000, 7);
  EXPECT_EQ(data.fingerprint(1), data.fingerprint(4));
  const FingerprintedRows rows = fingerprint_rows(data.view(), 4);
  EXPECT_EQ(rows.fingerprint, data.fingerprint(1));
  ASSERT_EQ(rows.hashes.size(), 50000u);
  std::uint64_t sum = 0;
  for (std::uint64_t h : rows.hashes) sum += h;
  EXPECT_EQ(sum, rows.fingerprint.sum);
}

TEST(Fingerprint, EmptyTable) {
  const TableFingerprint none = fingerprint_table(TableView());
  EXPECT_EQ(none, (TableFingerprint{0, 0, 0, 0}));
  const Data data = Data::random(0, 8);
  EXPECT_EQ(data.fingerprint(), (TableFingerprint{0, 0, 0, 2}));
}

TEST(Fingerprint, NaNAndNegativeZeroAreCanonical) {
  std::vector<double> a{0.0, std::nan(""), 1.5};
  std::vector<double> b{-0.0, -std::nan("7"), 1.5};
  const TableFingerprint fa = fingerprint_table(TableView({ColumnView::numeric("v", a)}));
  EXPECT_EQ(fa, fingerprint_table(TableView({ColumnView::numeric("v", b)})));
  b[2] = 1.25;
  EXPECT_NE(fa, fingerprint_table(TableView({ColumnView::numeric("v", b)})));
}

TEST(Fingerprint, QualityCheckReportsIt) {
  const Data data = Data::random(2000, 9);
  const quality::CheckResult result = quality::check(data.view(), "", nullptr, {}, {}, {}, 2);
  EXPECT_EQ(result.fingerprint, data.fingerprint());
}

TEST(Fingerprint, QualityCheckStillFindsDuplicates) {
  // Rows 0 and 3 equal, and so are 1 and 4 only when the categorical label is compared.
  const std::vector<double> x{1.0, 2.0, 3.0, 1.0, 2.0};
  const std::vector<std::int32_t> codes{0, 1, 0, 0, 2};
  const std::vector<std::string> labels{"a", "b", "c"};
  const TableView table({ColumnView::numeric("x", x), ColumnView::categorical("c", codes, labels)});
  const quality::CheckResult result = quality::check(table, "", nullptr, {}, {}, {}, 1);
  const auto it = std::find_if(result.findings.begin(), result.findings.end(),
                               [](const quality::Finding& f) { return f.check == "duplicate_rows"; });
  ASSERT_NE(it, result.findings.end());
  EXPECT_EQ(it->value, 1.0);
  EXPECT_EQ(it->rows, (std::vector<std::int64_t>{0, 3}));
}
