#pragma once
// Solver::HALS with missing entries (NaN in Y, NMFOptions::missing = MissingValues::Mask): the
// objective of hals.hpp with the data term over observed entries only,
//
//   1/2 Σ_i ω_i Σ_c M_ic (y_ic - w_i h_c)²,   M_ic = 1 where y_ic is observed,
//
// so a value under the mask changes nothing. The block updates stay exact, but the small
// products WᵀW and WᵀY no longer describe the data term, so this path keeps the masked residual
// E = M ∘ (Y - WH) (rows x m) and updates it after every block instead:
// - Column j of W: c_i = ω_i (d_i + α) with d_i = Σ_c M_ic h_jc², and
//   z_i = (Σ_c E_ic h_jc + w_ij d_i) / (d_i + α); the prox gets per-row weights (d_i + α) / (m + α)
//   (1 where the row is fully observed, so without a mask this is hals.hpp's update). Exact for
//   penalties that ignore row weights (the fused lasso's TV, NoRegularizer); an L1 term's weights
//   follow each row's observed curvature.
// - Row j of H on its sphere: minimise Σ_c (q_c/2 h_c² - a_c h_c) with q_c = Σ_i ω_i M_ic w_ij²,
//   a_c = Σ_i ω_i w_ij (E_ic + M_ic w_ij h_jc), over h >= 0, ||h||² = m. Its solution is
//   h_c = a_c₊ / (q_c + ν) for the ν that puts h on the sphere (found by bisection); the update
//   is kept only when it does not raise the block objective (the rare "hard case" of this
//   trust-region problem keeps the old row), so the objective still never increases.
// Each sweep passes once over each block (NMFOptions::inner_passes does not apply: every pass
// costs as much as one over Y here) and costs O(rows · m · k); E is recomputed from W and H at the start of each sweep so
// rounding in the incremental updates cannot accumulate.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "../nmf_options.hpp"
#include "../prox/fused_lasso_prox.hpp"
#include "engine_passes.hpp"
#include "hals.hpp"

namespace fusednmf::detail {

/// argmin over h >= 0, ||h||² = sphere of Σ_c (q_c/2 h_c² - a_c h_c); `current` is returned when
/// no candidate improves on it.
inline Eigen::RowVectorXd sphere_quadratic_minimum(const Eigen::RowVectorXd& q, const Eigen::RowVectorXd& a,
                                                   double sphere, const Eigen::RowVectorXd& current) {
  auto value = [&](const Eigen::RowVectorXd& h) { return (0.5 * q.cwiseProduct(h.cwiseAbs2()) - a.cwiseProduct(h)).sum(); };
  Eigen::RowVectorXd best = current;
  double best_value = value(current);
  auto consider = [&](const Eigen::RowVectorXd& h) {
    const double v = value(h);
    if (v < best_value) best = h, best_value = v;
  };
  const Eigen::Index m = q.size();
  double lowest_q = std::numeric_limits<double>::infinity();
  for (Eigen::Index c = 0; c < m; ++c)
    if (a(c) > 0) lowest_q = std::min(lowest_q, q(c));
  if (std::isfinite(lowest_q)) {
    auto h_of = [&](double nu) {
      Eigen::RowVectorXd h(m);
      for (Eigen::Index c = 0; c < m; ++c) h(c) = a(c) > 0 ? a(c) / (q(c) + nu) : 0.0;
      return h;
    };
    // ||h(ν)||² falls from +inf at ν = -lowest_q to 0 as ν grows: bracket, then bisect.
    double lo = -lowest_q, step = std::max(1.0, std::abs(lowest_q)), hi = lo + step;
    while (h_of(hi).squaredNorm() > sphere && step < 1e300) hi = lo + (step *= 2);
    for (int i = 0; i < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(hi)); ++i) {
      const double mid = 0.5 * (lo + hi);
      (h_of(mid).squaredNorm() > sphere ? lo : hi) = mid;
    }
    Eigen::RowVectorXd h = h_of(hi);
    const double norm = h.norm();
    if (norm > 0) consider(h * (std::sqrt(sphere) / norm));
  }
  for (Eigen::Index c = 0; c < m; ++c) {  // the vertices of the feasible set
    Eigen::RowVectorXd e = Eigen::RowVectorXd::Zero(m);
    e(c) = std::sqrt(sphere);
    consider(e);
  }
  return best;
}

/// One HALS fit with missing entries. `mask` (rows x m): 1 observed, 0 missing; data.Y holds 0
/// under the mask.
template <class Scalar, class Regularizer, class OnIteration>
void run_masked_hals(const EngineProblem<Scalar>& problem, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& mask,
                     const NMFOptions& options, const Regularizer& regularizer, Eigen::MatrixXd& H,
                     Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& W, NMFResult<Scalar>& result,
                     OnIteration&& on_iteration) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index k = options.rank, n = problem.n(), m = problem.m(), nblocks = problem.blocks.count();
  const double sphere = double(m), alpha = hals_ridge(options.l2, m);
  const auto& data = problem.data;
  auto weight = [&](Eigen::Index i) { return data.weight(i); };

  start_hals(H, W, n);
  Matrix E(n, m);                                   // M ∘ (Y - WH)
  Vector z(n), previous_column(n), prox_weights(n);
  std::vector<ProxWorkspace> workspaces = per_thread_workspaces(problem.threads);
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(nblocks));
  DeadFactors dead(k);
  // Per-block sums of per-column statistics, added in block order, then over processes.
  auto column_sums = [&](auto&& per_block, Eigen::Index rows_out, Eigen::Index cols_out) {
    parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
      partial[std::size_t(b)].setZero(rows_out, cols_out);
      per_block(problem.blocks.start(b), problem.blocks.size(b), partial[std::size_t(b)]);
    });
    Eigen::MatrixXd total = nblocks ? sum_in_order(partial) : Eigen::MatrixXd::Zero(rows_out, cols_out);
    reduce_sum(problem.reduce, total);
    return total;
  };

  SweepLog log{problem.iteration_log(options)};
  result.status = Status::MaxIterations;
  for (int it = 1; it <= options.max_iterations; ++it) {
    const Matrix Hs = H.template cast<Scalar>();
    parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
      const Eigen::Index start = problem.blocks.start(b), rows = problem.blocks.size(b);
      E.middleRows(start, rows) = (data.Y.middleRows(start, rows) - W.middleRows(start, rows) * Hs)
                                      .cwiseProduct(mask.middleRows(start, rows));
    });
    double step2 = 0.0, penalty_total = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> h = Hs.row(j).transpose(), h2 = h.cwiseAbs2();
      parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
        const Eigen::Index start = problem.blocks.start(b), rows = problem.blocks.size(b);
        const Vector d = mask.middleRows(start, rows) * h2;
        const Vector g = E.middleRows(start, rows) * h;
        previous_column.segment(start, rows) = W.col(j).segment(start, rows);
        for (Eigen::Index i = 0; i < rows; ++i) {
          const double curvature = double(d(i)) + alpha;
          z(start + i) = Scalar((double(g(i)) + double(W(start + i, j)) * double(d(i))) / curvature);
          prox_weights(start + i) = Scalar(weight(start + i) * curvature / (sphere + alpha));
        }
      });
      const double prox_scale = problem.data_scale * sphere / (sphere + alpha);
      prox_column(problem, regularizer, W, j, z, prox_weights.data(), prox_scale, sphere + alpha, workspaces,
                  penalty_total, step2);
      parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {  // E -= M ∘ (Δw_j h_j)
        const Eigen::Index start = problem.blocks.start(b), rows = problem.blocks.size(b);
        const Vector delta = W.col(j).segment(start, rows) - previous_column.segment(start, rows);
        E.middleRows(start, rows) -= (delta * h.transpose()).cwiseProduct(mask.middleRows(start, rows));
      });
    }
    reduce_sum(problem.reduce, &penalty_total, 1);
    reduce_sum(problem.reduce, &step2, 1);

    // The rows of H, each on its sphere; q and a are totals over every process.
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::RowVectorXd hj = H.row(j);
      const Eigen::MatrixXd qa = column_sums(
          [&](Eigen::Index start, Eigen::Index rows, Eigen::MatrixXd& out) {
            for (Eigen::Index i = start; i < start + rows; ++i) {
              const double w = double(W(i, j)), ww = weight(i) * w;
              if (w == 0) continue;
              for (Eigen::Index c = 0; c < m; ++c) {
                const double observed = double(mask(i, c));
                out(0, c) += ww * w * observed;
                out(1, c) += ww * (double(E(i, c)) + observed * w * hj(c));
              }
            }
          },
          2, m);
      const Eigen::RowVectorXd q = qa.row(0), a = qa.row(1);
      Eigen::RowVectorXd h;
      if (q.maxCoeff() <= 0) {  // w_j is 0: the factor is dead
        if (!dead.should_reseed(j, result)) continue;
        const Eigen::MatrixXd residual = column_sums(
            [&](Eigen::Index start, Eigen::Index rows, Eigen::MatrixXd& out) {
              for (Eigen::Index i = start; i < start + rows; ++i)
                out.row(0) += weight(i) * E.row(i).template cast<double>().cwiseAbs2();
            },
            1, m);
        Eigen::Index worst = 0;
        residual.row(0).maxCoeff(&worst);
        h = Eigen::RowVectorXd::Zero(m);
        h(worst) = std::sqrt(sphere);
      } else {
        dead.alive(j);
        h = sphere_quadratic_minimum(q, a, sphere, hj);
        step2 += q.cwiseProduct((h - hj).cwiseAbs2()).sum();
      }
      const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> dh = (h - hj).template cast<Scalar>();
      parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {  // E -= M ∘ (w_j Δh_j)
        const Eigen::Index start = problem.blocks.start(b), rows = problem.blocks.size(b);
        E.middleRows(start, rows) -= (W.col(j).segment(start, rows) * dh).cwiseProduct(mask.middleRows(start, rows));
      });
      H.row(j) = h;
    }

    const Eigen::MatrixXd totals = column_sums(
        [&](Eigen::Index start, Eigen::Index rows, Eigen::MatrixXd& out) {
          for (Eigen::Index i = start; i < start + rows; ++i) {
            out(0, 0) += weight(i) * E.row(i).template cast<double>().squaredNorm();
            out(1, 0) += weight(i) * W.row(i).template cast<double>().squaredNorm();
          }
        },
        2, 1);
    const double objective = 0.5 * totals(0, 0) + penalty_total + 0.5 * alpha * totals(1, 0);
    if (!log.record(it, objective, step2, result, on_iteration)) break;
  }
  result.dead_factors = dead.given_up_count();
}

}  // namespace fusednmf::detail
