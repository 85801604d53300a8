#pragma once
// Fixed row blocks for the engine's passes over Y. Each block's partial sums are kept in double
// and added in block order, so results do not depend on the number of threads.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

namespace fusednmf::detail {

struct RowBlocks {
  static constexpr Eigen::Index block_rows = 8192;
  Eigen::Index rows;
  Eigen::Index count() const { return (rows + block_rows - 1) / block_rows; }
  Eigen::Index start(Eigen::Index b) const { return b * block_rows; }
  Eigen::Index size(Eigen::Index b) const { return std::min(block_rows, rows - start(b)); }
};

/// Sums per-block partial matrices in block order.
inline Eigen::MatrixXd sum_in_order(const std::vector<Eigen::MatrixXd>& partials) {
  Eigen::MatrixXd total = partials.front();
  for (std::size_t b = 1; b < partials.size(); ++b) total += partials[b];
  return total;
}

}  // namespace fusednmf::detail
