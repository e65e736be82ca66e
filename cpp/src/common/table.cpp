#include "assay/common/table.hpp"

#include <unordered_set>

#include "assay/common/error.hpp"

namespace assay {

ColumnView ColumnView::numeric(std::string name, std::span<const double> values) {
  ColumnView view;
  view.name = std::move(name);
  view.kind = ColumnKind::numeric;
  view.values = values;
  return view;
}

ColumnView ColumnView::categorical(std::string name, std::span<const std::int32_t> codes,
                                   std::span<const std::string> labels) {
  ColumnView view;
  view.name = std::move(name);
  view.kind = ColumnKind::categorical;
  view.codes = codes;
  view.labels = labels;
  return view;
}

void validate_codes(const ColumnView& column) {
  const auto n_labels = static_cast<std::int64_t>(column.labels.size());
  for (std::size_t i = 0; i < column.codes.size(); ++i) {
    const std::int32_t code = column.codes[i];
    if (code < -1 || code >= n_labels) {
      throw InvalidArgument("column '" + column.name + "': category code " + std::to_string(code) + " at row " +
                            std::to_string(i) + " is outside [-1, " + std::to_string(n_labels) + ")");
    }
  }
}

TableView::TableView(std::vector<ColumnView> columns) : columns_(std::move(columns)) {
  std::unordered_set<std::string> names;
  for (std::size_t j = 0; j < columns_.size(); ++j) {
    const ColumnView& column = columns_[j];
    if (!names.insert(column.name).second) {
      throw InvalidArgument("column name '" + column.name + "' appears more than once");
    }
    if (j == 0) {
      n_rows_ = column.size();
    } else if (column.size() != n_rows_) {
      throw InvalidArgument("column '" + column.name + "' has " + std::to_string(column.size()) + " rows but column '" +
                            columns_[0].name + "' has " + std::to_string(n_rows_));
    }
    if (!column.is_numeric()) validate_codes(column);
  }
}

MatrixTable::MatrixTable(std::span<const double> row_major, std::size_t n_rows, std::size_t n_columns) {
  fill(row_major, n_rows, n_columns);
}

MatrixTable::MatrixTable(std::span<const float> row_major, std::size_t n_rows, std::size_t n_columns) {
  fill(row_major, n_rows, n_columns);
}

template <class T>
void MatrixTable::fill(std::span<const T> row_major, std::size_t n_rows, std::size_t n_columns) {
  const bool fits =
      n_columns == 0 ? row_major.empty() : row_major.size() % n_columns == 0 && row_major.size() / n_columns == n_rows;
  if (!fits) {
    throw InvalidArgument("matrix of " + std::to_string(row_major.size()) + " values is not " + std::to_string(n_rows) +
                          " x " + std::to_string(n_columns));
  }
  columns_.resize(row_major.size());
  for (std::size_t j = 0; j < n_columns; ++j) {
    for (std::size_t i = 0; i < n_rows; ++i) {
      columns_[j * n_rows + i] = static_cast<double>(row_major[i * n_columns + j]);
    }
  }
  std::vector<ColumnView> views;
  views.reserve(n_columns);
  for (std::size_t j = 0; j < n_columns; ++j) {
    const std::span<const double> column = std::span<const double>(columns_).subspan(j * n_rows, n_rows);
    views.push_back(ColumnView::numeric("x" + std::to_string(j), column));
  }
  view_ = TableView(std::move(views));
}

std::ptrdiff_t TableView::find(const std::string& name) const {
  for (std::size_t j = 0; j < columns_.size(); ++j) {
    if (columns_[j].name == name) return static_cast<std::ptrdiff_t>(j);
  }
  return -1;
}

}  // namespace assay
