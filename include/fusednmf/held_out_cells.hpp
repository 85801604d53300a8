#pragma once
// Cells of a sparse count matrix left out of a fit, as cross-validation holds them out. A sparse
// matrix cannot mark a cell missing with NaN the way a dense one does (most of its cells are not
// stored at all, and are 0 counts), so the cells are listed instead: by column for the updates of
// H and by row for those of W. PoissonNMF::fit(V, held_out) leaves them out of the likelihood and
// the updates exactly, as the mask does for dense V.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace fusednmf {

class HeldOutCells {
 public:
  HeldOutCells() = default;

  /// From (row, column) cells listed column by column, rows rising within a column, each once
  /// (the order in which a column-major walk over the cells meets them). Throws
  /// std::invalid_argument for a cell outside rows x cols or out of that order.
  HeldOutCells(Eigen::Index rows, Eigen::Index cols, const std::vector<std::pair<int, int>>& cells)
      : rows_(rows), cols_(cols) {
    column_start_.assign(std::size_t(cols) + 1, 0);
    row_start_.assign(std::size_t(rows) + 1, 0);
    row_of_.reserve(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const auto [r, c] = cells[k];
      if (r < 0 || r >= rows || c < 0 || c >= cols)
        throw std::invalid_argument("HeldOutCells: cell (" + std::to_string(r) + ", " + std::to_string(c) +
                                    ") is outside " + std::to_string(rows) + " x " + std::to_string(cols));
      if (k > 0 && (c < cells[k - 1].second || (c == cells[k - 1].second && r <= cells[k - 1].first)))
        throw std::invalid_argument("HeldOutCells: cells must be listed column by column, rows rising, each once");
      row_of_.push_back(r);
      ++column_start_[std::size_t(c) + 1];
      ++row_start_[std::size_t(r) + 1];
    }
    for (std::size_t c = 0; c < std::size_t(cols); ++c) column_start_[c + 1] += column_start_[c];
    for (std::size_t r = 0; r < std::size_t(rows); ++r) row_start_[r + 1] += row_start_[r];
    // By row: a counting sort of the same cells (columns rise within a row, as they were met).
    column_of_.resize(cells.size());
    std::vector<std::int64_t> next(row_start_.begin(), row_start_.end() - 1);
    for (const auto& [r, c] : cells) column_of_[std::size_t(next[std::size_t(r)]++)] = c;
  }

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  std::size_t count() const { return row_of_.size(); }

  /// The rows held out in column c: [first, last) of rows_by_column().
  std::int64_t column_begin(Eigen::Index c) const { return column_start_[std::size_t(c)]; }
  std::int64_t column_end(Eigen::Index c) const { return column_start_[std::size_t(c) + 1]; }
  const std::vector<int>& rows_by_column() const { return row_of_; }
  /// The columns held out in row r: [first, last) of columns_by_row().
  std::int64_t row_begin(Eigen::Index r) const { return row_start_[std::size_t(r)]; }
  std::int64_t row_end(Eigen::Index r) const { return row_start_[std::size_t(r) + 1]; }
  const std::vector<int>& columns_by_row() const { return column_of_; }

 private:
  Eigen::Index rows_ = 0, cols_ = 0;
  std::vector<std::int64_t> column_start_, row_start_;
  std::vector<int> row_of_, column_of_;
};

}  // namespace fusednmf
