#pragma once
// Column and table views: the one way data enters the core.
//
// A view points into memory owned by the caller and never modifies it. Numeric
// columns are float64 with NaN as missing; categorical columns are int32 codes with
// -1 as missing, plus the category labels (code i names labels[i]).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace assay {

enum class ColumnKind { numeric, categorical };

struct ColumnView {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  std::span<const double> values;       // numeric columns
  std::span<const std::int32_t> codes;  // categorical columns
  std::span<const std::string> labels;  // categorical columns: one label per code

  static ColumnView numeric(std::string name, std::span<const double> values);
  static ColumnView categorical(std::string name, std::span<const std::int32_t> codes,
                                std::span<const std::string> labels);

  std::size_t size() const { return kind == ColumnKind::numeric ? values.size() : codes.size(); }
  bool is_numeric() const { return kind == ColumnKind::numeric; }
};

// Named columns of one length.
class TableView {
 public:
  TableView() = default;
  // Throws InvalidArgument when the columns differ in length, names repeat, or a
  // categorical column holds a code outside [-1, labels.size()).
  explicit TableView(std::vector<ColumnView> columns);

  std::size_t n_rows() const { return n_rows_; }
  std::size_t n_columns() const { return columns_.size(); }
  const ColumnView& column(std::size_t j) const { return columns_[j]; }
  const std::vector<ColumnView>& columns() const { return columns_; }
  // Index of the column with this name, or -1.
  std::ptrdiff_t find(const std::string& name) const;

 private:
  std::vector<ColumnView> columns_;
  std::size_t n_rows_ = 0;
};

// Throws InvalidArgument unless every code lies in [-1, n_labels).
void validate_codes(const ColumnView& column);

// A numeric table that owns its values, made from a row-major n_rows x n_columns matrix of
// float32 or float64: the values are copied column after column into one float64 buffer
// (the layout a TableView reads) and the columns are named x0, x1, ... Movable but not
// copyable: the view points into the buffer. Throws InvalidArgument when the matrix does
// not hold n_rows * n_columns values.
class MatrixTable {
 public:
  MatrixTable(std::span<const double> row_major, std::size_t n_rows, std::size_t n_columns);
  MatrixTable(std::span<const float> row_major, std::size_t n_rows, std::size_t n_columns);
  MatrixTable(const MatrixTable&) = delete;
  MatrixTable& operator=(const MatrixTable&) = delete;
  MatrixTable(MatrixTable&&) = default;
  MatrixTable& operator=(MatrixTable&&) = default;
  ~MatrixTable() = default;

  const TableView& view() const { return view_; }

 private:
  template <class T>
  void fill(std::span<const T> row_major, std::size_t n_rows, std::size_t n_columns);

  std::vector<double> columns_;
  TableView view_;
};

}  // namespace assay
