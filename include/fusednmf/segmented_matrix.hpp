#pragma once
// Run-length compressed rows. bigWig signal is piecewise constant, so consecutive rows of Y
// (one per base) are often identical: a segment is one unique row and the number of rows it
// stands for. Every step of the ALS engine is exact on segments with those lengths as weights.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <vector>

#include <Eigen/Core>

namespace fusednmf {

/// Longest segment whose length a float lengths vector holds exactly (2^24): readers split
/// longer runs, and merging never grows a segment past it.
inline constexpr std::int64_t kMaxExactSegmentLength = std::int64_t(1) << 24;

template <class Scalar>
struct SegmentedMatrix {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Matrix values;   ///< segments x columns: the value of each column on each segment
  Vector lengths;  ///< rows each segment stands for (> 0); float holds lengths up to 2^24 exactly

  Eigen::Index segments() const { return values.rows(); }
  Eigen::Index cols() const { return values.cols(); }
  /// Rows of the expanded matrix.
  std::int64_t expanded_rows() const {
    std::int64_t total = 0;
    for (Eigen::Index s = 0; s < lengths.size(); ++s) total += static_cast<std::int64_t>(lengths[s]);
    return total;
  }

  /// Throws std::invalid_argument naming the problem.
  void validate() const {
    if (lengths.size() != values.rows())
      throw std::invalid_argument("SegmentedMatrix: " + std::to_string(lengths.size()) +
                                  " lengths for " + std::to_string(values.rows()) + " segments");
    for (Eigen::Index s = 0; s < lengths.size(); ++s)
      if (!(lengths[s] >= 1) || lengths[s] != std::floor(lengths[s]))
        throw std::invalid_argument("SegmentedMatrix: length of segment " + std::to_string(s) +
                                    " must be a positive whole number, got " +
                                    std::to_string(static_cast<double>(lengths[s])));
  }
};

/// Two entries are the same value, two missing (NaN) ones counting as equal: the equality of
/// run-length merging.
template <class Scalar>
bool same_value(Scalar x, Scalar y) {
  return x == y || (std::isnan(x) && std::isnan(y));
}

/// Rows a and b hold the same values (same_value).
template <class Scalar>
bool same_row(const SegmentedMatrix<Scalar>& Y, Eigen::Index a, Eigen::Index b) {
  for (Eigen::Index c = 0; c < Y.cols(); ++c)
    if (!same_value(Y.values(a, c), Y.values(b, c))) return false;
  return true;
}

namespace detail {

/// A run of equal rows: a handle to the row (an index, a pointer) and how many rows it stands for.
template <class RowHandle>
struct RowRun {
  RowHandle row;
  std::int64_t length;
};

/// The library's one run-length rule. Appends `length` rows equal to `row`: they join the last
/// run when `same(last.row, row)` and the joined run stays within kMaxExactSegmentLength (so a
/// float lengths vector holds it exactly); a longer stretch is cut into runs of that length.
template <class RowHandle, class Same>
void append_run(std::vector<RowRun<RowHandle>>& runs, RowHandle row, std::int64_t length, Same&& same) {
  for (std::int64_t left = length; left > 0;) {
    const std::int64_t take = std::min(left, kMaxExactSegmentLength);
    if (!runs.empty() && runs.back().length + take <= kMaxExactSegmentLength && same(runs.back().row, row))
      runs.back().length += take;
    else
      runs.push_back({row, take});
    left -= take;
  }
}

}  // namespace detail

/// Merges consecutive equal rows (two missing entries counting as equal) into one segment of
/// their total length, by detail::append_run (after binning, long empty stretches become one
/// row again).
template <class Scalar>
SegmentedMatrix<Scalar> merge_equal_rows(const SegmentedMatrix<Scalar>& Y) {
  std::vector<detail::RowRun<Eigen::Index>> runs;
  auto same = [&](Eigen::Index a, Eigen::Index b) { return same_row(Y, a, b); };
  for (Eigen::Index s = 0; s < Y.segments(); ++s)
    detail::append_run(runs, s, static_cast<std::int64_t>(Y.lengths[s]), same);
  SegmentedMatrix<Scalar> out;
  out.values.resize(Eigen::Index(runs.size()), Y.cols());
  out.lengths.resize(Eigen::Index(runs.size()));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    out.values.row(Eigen::Index(i)) = Y.values.row(runs[i].row);
    out.lengths[Eigen::Index(i)] = static_cast<Scalar>(runs[i].length);
  }
  return out;
}

/// The run-length form of a dense matrix (one row per base): merge_equal_rows of its rows.
template <class Derived>
SegmentedMatrix<typename Derived::Scalar> compress_rows(const Eigen::MatrixBase<Derived>& dense) {
  SegmentedMatrix<typename Derived::Scalar> rows;
  rows.values = dense;
  rows.lengths.setOnes(dense.rows());
  return merge_equal_rows(rows);
}

/// Expands per-segment rows (e.g. the factor W of a segmented fit) back to one row per base.
template <class Derived, class LengthVector>
Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> expand_rows(
    const Eigen::MatrixBase<Derived>& per_segment, const LengthVector& lengths) {
  const auto segments = static_cast<Eigen::Index>(lengths.size());
  if (per_segment.rows() != segments)
    throw std::invalid_argument("expand_rows: " + std::to_string(per_segment.rows()) + " rows but " +
                                std::to_string(lengths.size()) + " lengths");
  Eigen::Index total = 0;
  for (Eigen::Index s = 0; s < segments; ++s) total += static_cast<Eigen::Index>(lengths[s]);
  Eigen::Matrix<typename Derived::Scalar, Eigen::Dynamic, Eigen::Dynamic> out(total, per_segment.cols());
  for (Eigen::Index c = 0; c < per_segment.cols(); ++c) {
    Eigen::Index row = 0;
    for (Eigen::Index s = 0; s < segments; ++s) {
      const auto len = static_cast<Eigen::Index>(lengths[s]);
      out.col(c).segment(row, len).setConstant(per_segment(s, c));
      row += len;
    }
  }
  return out;
}

}  // namespace fusednmf
