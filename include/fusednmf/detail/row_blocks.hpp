#pragma once
// Fixed row blocks for the engine's passes over Y. Each block's partial sums are kept in double
// and added in block order, so results do not depend on the number of threads.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

namespace fusednmf::detail {

/// Rows per block of the NMF engine's passes: enough that Eigen's products over a block of Y
/// run at speed and few partial sums are kept.
inline constexpr Eigen::Index kEngineBlockRows = 8192;

/// Rows [0, rows) cut into blocks of block_rows (the last one shorter).
struct RowBlocks {
  Eigen::Index rows;
  Eigen::Index block_rows = kEngineBlockRows;
  Eigen::Index count() const { return (rows + block_rows - 1) / block_rows; }
  Eigen::Index start(Eigen::Index b) const { return b * block_rows; }
  Eigen::Index size(Eigen::Index b) const { return std::min(block_rows, rows - start(b)); }
};

/// Sums per-block partial sums (matrices or numbers) in block order; `partials` is not empty.
template <class Partial>
Partial sum_in_order(const std::vector<Partial>& partials) {
  Partial total = partials.front();
  for (std::size_t b = 1; b < partials.size(); ++b) total += partials[b];
  return total;
}

}  // namespace fusednmf::detail
