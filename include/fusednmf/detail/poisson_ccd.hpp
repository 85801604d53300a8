#pragma once
// Cyclic coordinate descent for Poisson (KL) NMF, after Hsieh & Dhillon (KDD 2011): one entry of
// W (or H) at a time, the others fixed, by Newton steps on its one-variable problem
//
//   f(s) = Σ_j m_j [μ_j + s h_j] - v_j log(μ_j + s h_j),   w <- max(0, w + s)
//
// (μ the current row of WH, h the factor's row of H, m the mask). f is convex and its curvature
// falls as s grows, so a Newton step up never passes the minimum, and one down may; the next
// sweep's steps follow it back. A step down goes at most half way to where the mean of some count
// would reach 0 (f is infinite there).
//
// The rows of W are independent given H (and the columns of H given W), so the entry r of every
// row of a block is updated at once: each row's gradient and curvature in one vectorised pass
// over its cells (one division per cell), then a rank-one update of μ, all on a block small
// enough to stay in cache. The result is the entry-by-entry one (only the order of the sums
// differs). The passes are fused per row, with no block-sized temporaries for 1/μ and V ⊘ μ:
// that is faster than two matrix-vector products over such temporaries (benchmarks/README.md).
//
// Only poisson_nmf.hpp includes this.
#include <algorithm>
#include <cmath>

#include <Eigen/Core>

namespace fusednmf::detail {

/// Newton steps on the rows of a block of one factor. F (rows x R): the block's rows (rows of
/// W, or columns of H transposed); O (n x R): the other factor, its column r the weights of
/// entry r over the n cells; V (n x rows): the counts of each row down a column, 0 where
/// missing; mean (n x rows): the current μ = O Fᵀ, kept up to date; linear (rows x R): Σ_j m_j O_jr
/// per row (the constant part of each gradient); inverse_column: scratch for 1/μ of one row's
/// cells (resized to n). Returns the sum of the squared projected
/// gradients before each entry's first step (this block's share of the KKT residual).
template <class BlockF, class BlockV>
double poisson_ccd_block(BlockF&& F, const Eigen::MatrixXd& O, const BlockV& V, Eigen::MatrixXd& mean,
                         const Eigen::MatrixXd& linear, int newton_steps, Eigen::VectorXd& inverse_column) {
  constexpr double floor = 1e-300;
  const Eigen::Index rows = F.rows(), R = F.cols(), n = O.rows();
  double kkt = 0.0;
  Eigen::VectorXd s(rows), h_squared(n);
  inverse_column.resize(n);
  for (Eigen::Index r = 0; r < R; ++r) {
    const auto h = O.col(r);
    h_squared = h.cwiseAbs2();
    for (int step = 0; step < newton_steps; ++step) {
      bool any_move = false;
      for (Eigen::Index i = 0; i < rows; ++i) {
        // One division per cell: 1/μ, then Σ_j v_j/μ_j h_j and Σ_j v_j/μ_j² h_j² from it, each
        // one vectorised pass over the row's cells (no block-sized temporaries).
        inverse_column = mean.col(i).array().max(floor).inverse();
        const double weighted = (V.col(i).array() * inverse_column.array() * h.array()).sum();
        // (v/μ)/μ in that order: where μ is at the floor, v is 0 and so is v/μ, while 1/μ² would
        // overflow to infinity (and 0 · ∞ is NaN).
        const double curvature =
            (V.col(i).array() * inverse_column.array() * inverse_column.array() * h_squared.array()).sum();
        const double w = F(i, r), gradient = linear(i, r) - weighted;
        if (step == 0) {  // the projected gradient: 0 at an optimal entry
          const double projected = w > 0 ? gradient : std::min(gradient, 0.0);
          kkt += projected * projected;
        }
        double step_i = curvature > 0 ? -gradient / curvature
                                      : (gradient > 0 ? -w : 0.0);  // no counts: f is linear
        step_i = std::max(step_i, -w);                                // w stays >= 0
        // At most half way down to where the mean of some count would reach 0. μ_j >= w h_j
        // (the other entries add to it), so a step of less than w / 2 down is always within.
        if (step_i < -0.5 * w) {
          double room = INFINITY;
          for (Eigen::Index j = 0; j < n; ++j)
            if (V(j, i) > 0 && h[j] > 0) room = std::min(room, std::max(mean(j, i), 0.0) / h[j]);
          step_i = std::max(step_i, -0.5 * room);
        }
        if (!(std::abs(step_i) > 1e-12 * w) || !std::isfinite(step_i)) step_i = 0.0;
        s[i] = step_i;
        any_move |= step_i != 0;
      }
      if (!any_move) break;
      mean.noalias() += h * s.transpose();
      F.col(r) += s;
    }
  }
  return kkt;
}

}  // namespace fusednmf::detail
