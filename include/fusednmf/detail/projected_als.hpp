#pragma once
// Solver::ProjectedALS, the assignment's algorithm:
//
//   W <- max(0, Y Hᵀ (H Hᵀ + D)⁻¹);  W <- Regularizer.prox(W), column by column along the rows
//   H <- max(0, (Wᵀ W + D)⁻¹ Wᵀ Y);  rows of H rescaled to unit RMS
//
// The k x k systems are solved by Cholesky, never by an explicit inverse: M = (HHᵀ + D)⁻¹ H is
// one small solve, then W = Y Mᵀ is one product per row block. Each iteration reads Y twice
// (for W, then for WᵀW and WᵀY, fused in one pass); the objective comes from those small
// products (EngineProblem::data_term), not from another pass. Clipping a least-squares solution
// is not a projection onto the solution set, so this is not a descent method: the objective can
// rise, and on dense signal it can swing between iterations (Solver::HALS cannot).
#include <vector>

#include <Eigen/Core>

#include "../nmf_options.hpp"
#include "../prox/fused_lasso_prox.hpp"
#include "dense_linalg.hpp"
#include "engine_passes.hpp"

namespace fusednmf::detail {

/// One projected-ALS fit from H (k x m, rows at unit RMS). W is written in full before it is
/// returned, also when the first solve fails (then it is 0 and the status says why).
template <class Scalar, class Regularizer, class OnIteration>
void run_projected_als(const EngineProblem<Scalar>& problem, const NMFOptions& options,
                       const Regularizer& regularizer, Eigen::MatrixXd& H,
                       Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& W, NMFResult<Scalar>& result,
                       OnIteration&& on_iteration) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index k = options.rank, nchains = problem.chain_count();
  const auto& data = problem.data;
  const auto& blocks = problem.blocks;
  W.setZero(problem.n(), k);
  Eigen::VectorXd h_scale = normalise_rows(H);
  std::vector<ProxWorkspace> workspaces = per_thread_workspaces(problem.threads);
  std::vector<double> penalty(static_cast<std::size_t>(k * nchains));
  IterationLog log = problem.iteration_log(options);
  result.status = Status::MaxIterations;
  for (int it = 1; it <= options.max_iterations; ++it) {
    // W <- max(0, Y Mᵀ) with M = (HHᵀ + D)⁻¹ H.
    Eigen::MatrixXd M;  // k x m
    if (!ridge_solve(H * H.transpose(), options.l2, H, M)) {
      result.status = Status::NumericalIssue;
      break;
    }
    const Matrix Mt = M.transpose().template cast<Scalar>();  // m x k
    parallel_for(problem.threads, blocks.count(), [&](Eigen::Index b) {
      auto Wb = W.middleRows(blocks.start(b), blocks.size(b));
      Wb.noalias() = data.Y.middleRows(blocks.start(b), blocks.size(b)) * Mt;
      Wb = Wb.cwiseMax(Scalar(0));
    });
    // The regularizer, one column of one chain at a time, and its penalty.
    parallel_for(problem.threads, k * nchains, [&](Eigen::Index item) {
      const Eigen::Index j = item / nchains, c = item % nchains;
      const Eigen::Index first = problem.chains[std::size_t(c)], rows = problem.chains[std::size_t(c) + 1] - first;
      Scalar* column = W.col(j).data() + first;
      const Scalar* weights = data.weights ? data.weights + first : nullptr;
      regularizer.prox(column, weights, rows, problem.data_scale,
                       workspaces[static_cast<std::size_t>(thread_index())]);
      penalty[static_cast<std::size_t>(item)] = regularizer.penalty(column, weights, rows, problem.data_scale);
    });
    double penalty_total = 0.0;  // in a fixed order
    for (double p : penalty) penalty_total += p;
    reduce_sum(problem.reduce, &penalty_total, 1);
    Eigen::MatrixXd WtW, WtY;
    problem.cross_products(W, WtW, WtY);

    // H <- max(0, (WᵀW + D)⁻¹ WᵀY).
    if (!ridge_solve(WtW, options.l2, WtY, H)) {
      result.status = Status::NumericalIssue;
      break;
    }
    H = H.cwiseMax(0.0);
    const double objective = problem.data_term(WtW, WtY, H) + penalty_total;
    h_scale = normalise_rows(H);
    if (!log.record(it, objective, log.relative_change(it, objective), result, on_iteration)) break;
  }
  // H's rows were rescaled after the last solve: carry that scale into W so that WH fits Y.
  for (Eigen::Index j = 0; j < k; ++j) W.col(j) *= static_cast<Scalar>(h_scale(j));
}

}  // namespace fusednmf::detail
