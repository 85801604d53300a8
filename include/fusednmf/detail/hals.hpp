#pragma once
// Solver::HALS: block-coordinate descent on
//
//   F(W, H) = 1/2 ||Y - WH||²_ω + m Σ_j P(w_j) + α/2 Σ_j ||w_j||²_ω,   W >= 0, H >= 0,
//   subject to every row of H at unit RMS (||h_j||² = m),
//
// where ω are the rows' weights (run lengths), m the number of columns, P the regularizer's
// penalty (relative to the data's RMS, see regularizers.hpp) and α = l2 · m (the ridge relative
// to the Gram matrix's mean diagonal, as in ProjectedALS). The penalty is counted once per column
// of Y so that λ keeps its meaning in bases whatever the track count. The constraint on H is
// what makes the problem well posed: W and H trade scale freely, and without it the penalty on
// W would shrink to 0 while H grows.
//
// Each block is minimised exactly, so F never increases:
// - Column j of W, the rest fixed: c/2 Σ_i ω_i (x_i - z_i)² + m P(x) with c = ||h_j||² + α and
//   z = (Y h_jᵀ - Σ_{l≠j} w_l (HHᵀ)_lj) / c. That is the regularizer's weighted, non-negative prox
//   of z with its weights scaled by m / c: FusedLassoProx solves it exactly.
// - Row j of H, the rest fixed, on its sphere: minimise -<a, h> with a = (WᵀY)_j - Σ_{l≠j}
//   (WᵀW)_jl h_l, so h = √m a₊ / ||a₊|| (or √m e_c at the largest a_c when a <= 0).
//
// A sweep reads Y twice, like ProjectedALS: Y Hᵀ before the columns of W, WᵀW and WᵀY after.
// Between them the column loop costs O(rows · k²) and k prox calls. As in Gillis & Glineur's
// accelerated HALS, each block may be passed over several times per sweep (NMFOptions::
// inner_passes; 0 picks a count from the cost ratio and stops early once the block has settled):
// every pass is an exact block update, so the objective still never rises, while the passes
// over Y, the expensive part, are shared.
//
// Convergence is measured by the step: r² = Σ_j c_j ||Δw_j||²_ω + Σ_j (WᵀW)_jj ||Δh_j||², each
// block's change in the norm of its own curvature, zero exactly at a fixed point of the sweep
// (a point where no block can improve). With repeated passes, r counts the first pass of each
// block. The fit stops when r, relative to the first sweep's,
// stays below the tolerance.
//
// Dead factors: when a column of W comes out all zero, its factor carries nothing and its row of
// H is arbitrary (F does not depend on it). That row is then re-seeded on the column of Y with
// the largest residual ||y_c - W h_c||², so the next sweep gives the factor what the fit
// explains worst. A factor that dies again right after its re-seed is left at 0 (the
// regularizer rejects it) and counted in NMFResult::dead_factors.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "../nmf_options.hpp"
#include "../prox/fused_lasso_prox.hpp"
#include "../regularizers.hpp"
#include "engine_passes.hpp"
#include "lane_sums.hpp"
#include "sweep_threads.hpp"

namespace fusednmf::detail {

/// The ridge α of the HALS objective: l2 times the mean diagonal of HHᵀ, which is m for rows
/// of H at unit RMS.
inline double hals_ridge(double l2, Eigen::Index m) { return l2 * double(m); }

/// The bookkeeping of dead factors: a factor whose column of W is all zero is re-seeded once;
/// if it is dead again at the next sweep it is given up (left at 0) until it comes back.
class DeadFactors {
 public:
  explicit DeadFactors(Eigen::Index k) : reseeded_last_(std::size_t(k), 0), given_up_(std::size_t(k), 0) {}
  /// Factor j is dead now: true when it should be re-seeded (counted in result.reseeded).
  template <class Result>
  bool should_reseed(Eigen::Index j, Result& result) {
    if (given_up_[std::size_t(j)]) return false;
    if (reseeded_last_[std::size_t(j)]) {
      given_up_[std::size_t(j)] = 1;
      return false;
    }
    reseeded_last_[std::size_t(j)] = 1;
    ++result.reseeded;
    return true;
  }
  void alive(Eigen::Index j) { reseeded_last_[std::size_t(j)] = given_up_[std::size_t(j)] = 0; }
  int given_up_count() const { return int(std::count(given_up_.begin(), given_up_.end(), 1)); }

 private:
  std::vector<char> reseeded_last_, given_up_;
};

/// The end of a sweep: the step's residual, relative to the first sweep's step, recorded by
/// IterationLog.
struct SweepLog {
  IterationLog log;
  double first_step = 0.0;

  template <class Result, class OnIteration>
  bool record(int it, double objective, double step2, Result& result, OnIteration&& on_iteration) {
    const double step = std::sqrt(step2);
    if (it == 1) first_step = std::max(step, std::numeric_limits<double>::min());
    return log.record(it, objective, step / first_step, result, on_iteration);
  }
};

/// ||y_c - W h_c||² (weighted) for every column c, from the small products.
template <class Scalar>
Eigen::VectorXd residual_per_column(const EngineProblem<Scalar>& problem, const Eigen::MatrixXd& WtW,
                                    const Eigen::MatrixXd& WtY, const Eigen::MatrixXd& H) {
  Eigen::VectorXd r(problem.m());
  for (Eigen::Index c = 0; c < problem.m(); ++c)
    r(c) = problem.track_norm2(c) - 2.0 * WtY.col(c).dot(H.col(c)) + H.col(c).dot(WtW * H.col(c));
  return r;
}

/// The start both HALS variants share: H's rows on their spheres (an all-zero row set constant
/// first), W = 0 (the first sweep builds it column by column).
template <class Matrix>
void start_hals(Eigen::MatrixXd& H, Matrix& W, Eigen::Index rows) {
  for (Eigen::Index j = 0; j < H.rows(); ++j)
    if (H.row(j).squaredNorm() == 0) H.row(j).setConstant(1.0);
  normalise_rows(H);
  W.setZero(rows, H.rows());
}

/// Rows per piece of prox_column's last pass: pieces of a chain, whatever the thread count, so
/// that the step adds up in the same order on any number of threads.
inline constexpr Eigen::Index kStepPieceRows = Eigen::Index(1) << 16;

/// Column j of W from its block problem, chain by chain: the prox of z (in place, so z ends as the
/// new column) with the rows' prox weights (nullptr: all 1) at `prox_scale`, then W_j = z. Adds
/// the column's penalty (m·P, with the rows' own weights) to `penalty_total` and its step,
/// step_scale · Σ prox weight · (new - previous)², to `step2`, in a fixed order.
///
/// The step is taken against W_j before it is overwritten, in the pass that copies z into it, on
/// pieces of kStepPieceRows rows side by side: a column of 10⁷ rows is read from memory, and as a
/// copy of the previous column and one serial pass per chain this cost a fifth of a sweep on
/// dense tracks (benchmarks/README.md, "The engine per sweep").
template <class Scalar, class Regularizer, class Matrix, class Vector>
void prox_column(const EngineProblem<Scalar>& problem, const Regularizer& regularizer, Matrix& W, Eigen::Index j,
                 Vector& z, const Scalar* prox_weights, double prox_scale, double step_scale,
                 std::vector<ProxWorkspace>& workspaces, double& penalty_total, double& step2) {
  const Eigen::Index nchains = problem.chain_count();
  const Scalar* row_weights = problem.data.weights;
  std::vector<double> chain_penalty(static_cast<std::size_t>(nchains));
  parallel_for(problem.threads, nchains, [&](Eigen::Index ch) {
    const Eigen::Index first = problem.chains[std::size_t(ch)], rows = problem.chains[std::size_t(ch) + 1] - first;
    Scalar* solved = z.data() + first;
    regularizer.prox(solved, prox_weights ? prox_weights + first : nullptr, rows, prox_scale,
                     workspaces[static_cast<std::size_t>(thread_index())]);
    chain_penalty[std::size_t(ch)] = double(problem.m()) * regularizer.penalty(solved, row_weights ? row_weights + first : nullptr,
                                                                               rows, problem.data_scale);
  });
  // The pieces: every chain cut every kStepPieceRows rows.
  std::vector<Eigen::Index> piece_start;
  for (Eigen::Index ch = 0; ch < nchains; ++ch)
    for (Eigen::Index i = problem.chains[std::size_t(ch)]; i < problem.chains[std::size_t(ch) + 1]; i += kStepPieceRows)
      piece_start.push_back(i);
  const Eigen::Index pieces = Eigen::Index(piece_start.size());
  std::vector<double> piece_step(piece_start.size());
  parallel_for(problem.threads, pieces, [&](Eigen::Index p) {
    const Eigen::Index begin = piece_start[std::size_t(p)];
    const Eigen::Index end = p + 1 < pieces ? piece_start[std::size_t(p) + 1] : problem.n();
    piece_step[std::size_t(p)] =
        step_scale * replace_and_measure_step(z.data() + begin, W.col(j).data() + begin,
                                              prox_weights ? prox_weights + begin : nullptr, end - begin);
  });
  for (double penalty : chain_penalty) penalty_total += penalty;
  for (double piece : piece_step) step2 += piece;
}

/// A repeated pass over a block stops once its step falls below this fraction (squared) of the
/// block's first pass (Gillis & Glineur's accelerated HALS use 0.1 on the step's norm).
inline constexpr double kInnerPassStop = 0.01;

/// Passes over W's columns per sweep when NMFOptions::inner_passes is 0. While W stays in cache
/// and the regularizer's prox is cheap the work is arithmetic: a pass over Y costs about
/// rows·m·k, one over the columns rows·k², so up to 1 + m/k repeats cost one more Y pass. A W
/// larger than the cache makes every column read all of W from memory (rows·k² values a pass,
/// more than Y's rows·m when k > m/k), and a costly prox (has_costly_prox) outweighs the passes
/// over Y: then one pass.
inline int hals_auto_passes(Eigen::Index m, Eigen::Index k, Eigen::Index rows = 0, std::size_t scalar_bytes = 4,
                            bool costly_prox = false) {
  constexpr double cache_bytes = 4.0 * 1024 * 1024;
  if (costly_prox || double(rows) * double(k) * double(scalar_bytes) > cache_bytes) return 1;
  return int(std::clamp<Eigen::Index>(1 + (m + k - 1) / k, 1, 10));
}

/// W's update in a sweep when the regularizer's prox is separable (has_separable_prox): each row
/// of W then depends on its own rows of R = Y Hᵀ and on G = HHᵀ alone, so every column's exact
/// update, and every repeated pass, runs on one block of rows while it is in cache (one column
/// at a time over all of W reads W from memory k times a pass), and the blocks run in parallel.
/// Each block repeats its passes until its own step falls below kInnerPassStop of its first
/// pass's, up to `passes`. Every pass is still an exact block update, so the objective never
/// rises. Adds the first passes' step to `step2` and the columns' penalty to `penalty_total`,
/// in block and column order (the same bytes whatever the thread count).
template <class Scalar, class Regularizer, class Matrix>
void update_w_by_row_blocks(const EngineProblem<Scalar>& problem, const Regularizer& regularizer, Matrix& W,
                            const Matrix& R, const Eigen::MatrixXd& G, double alpha, double sphere, int passes,
                            std::vector<ProxWorkspace>& workspaces, double& step2, double& penalty_total) {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index k = W.cols(), nblocks = problem.blocks.count();
  const Matrix Gs = G.template cast<Scalar>();
  const Scalar* weights = problem.data.weights;
  std::vector<double> block_step(static_cast<std::size_t>(nblocks), 0.0);
  parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
    const Eigen::Index start = problem.blocks.start(b), rows = problem.blocks.size(b);
    auto Wb = W.middleRows(start, rows);
    ProxWorkspace& workspace = workspaces[static_cast<std::size_t>(thread_index())];
    Vector z(rows);
    double first_pass = 0.0;
    for (int pass = 0; pass < passes; ++pass) {
      double pass_step = 0.0;
      for (Eigen::Index j = 0; j < k; ++j) {
        const double c = G(j, j) + alpha;  // > 0: every row of H lives on its sphere
        const auto inverse_c = static_cast<Scalar>(1.0 / c);
        z = (R.col(j).segment(start, rows) - Wb * Gs.col(j) + Wb.col(j) * Gs(j, j)) * inverse_c;
        const Scalar* block_weights = weights ? weights + start : nullptr;
        regularizer.prox(z.data(), block_weights, rows, problem.data_scale * sphere / c, workspace);
        pass_step += c * replace_and_measure_step(z.data(), Wb.col(j).data(), block_weights, rows);
      }
      if (pass == 0) first_pass = pass_step;
      else if (pass_step <= kInnerPassStop * first_pass) break;
    }
    block_step[std::size_t(b)] = first_pass;
  });
  for (double s : block_step) step2 += s;
  for (Eigen::Index j = 0; j < k; ++j)
    penalty_total += double(problem.m()) * regularizer.penalty(W.col(j).data(), weights, W.rows(), problem.data_scale);
}

/// No work before a sweep.
struct NoSweepHook {
  template <class Matrix>
  void operator()(const Matrix&, const Eigen::MatrixXd&) const {}
};

/// One HALS fit from H (k x m); H's rows are first put at unit RMS. W starts at 0 (the first
/// sweep builds it column by column from H). before_sweep(W, H) runs at the start of every sweep
/// (the imputation of missing entries, nmf.hpp, refills Y there).
template <class Scalar, class Regularizer, class OnIteration, class BeforeSweep = NoSweepHook>
void run_hals(EngineProblem<Scalar>& problem, const NMFOptions& options, const Regularizer& regularizer,
              Eigen::MatrixXd& H, Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& W,
              NMFResult<Scalar>& result, OnIteration&& on_iteration, BeforeSweep before_sweep = {}) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index k = options.rank, n = problem.n(), m = problem.m();
  const auto& data = problem.data;
  const auto& blocks = problem.blocks;
  const Eigen::Index nblocks = blocks.count();
  const double sphere = double(m), alpha = hals_ridge(options.l2, m);

  start_hals(H, W, n);
  Matrix R(n, k);                    // Y Hᵀ
  // Column j's prox input; a separable prox works on blocks of W in cache instead.
  constexpr bool separable = has_separable_prox<Regularizer>::value;
  Vector z(separable ? 0 : n);
  // Each sweep's threads: problem.threads, or one or timed_threads by their measured speed; the
  // workspaces serve the most, and problem.threads is restored on the way out.
  const int fixed_threads = problem.threads;
  SweepThreads sweep_threads(fixed_threads, problem.timed_threads);
  std::vector<ProxWorkspace> workspaces = per_thread_workspaces(std::max(fixed_threads, problem.timed_threads));
  DeadFactors dead(k);

  // With a separable prox the passes run on blocks of W in cache (update_w_by_row_blocks), so W's size
  // does not count.
  const int w_passes = options.inner_passes > 0 ? options.inner_passes
                       : hals_auto_passes(m, k, separable ? 0 : n, sizeof(Scalar),
                                          has_costly_prox<Regularizer>::value);
  const int h_passes = options.inner_passes > 0 ? options.inner_passes : 10;
  SweepLog log{problem.iteration_log(options)};
  result.status = Status::MaxIterations;
  for (int it = 1; it <= options.max_iterations; ++it) {
    const auto sweep_start = std::chrono::steady_clock::now();
    problem.threads = sweep_threads.next();
    for (ProxWorkspace& workspace : workspaces) workspace.set_threads(problem.threads);
    before_sweep(W, H);
    // Y Hᵀ, block by block (each row of R depends on its row of Y alone).
    const Matrix Ht = H.transpose().template cast<Scalar>();
    parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
      R.middleRows(blocks.start(b), blocks.size(b)).noalias() =
          data.Y.middleRows(blocks.start(b), blocks.size(b)) * Ht;
    });
    const Eigen::MatrixXd G = H * H.transpose();
    const Matrix Gs = G.template cast<Scalar>();

    // The columns of W, each the exact minimiser with the others fixed: one pass, or several
    // while they still move (R and G stay valid, so a repeat costs no pass over Y).
    double step2 = 0.0, penalty_total = 0.0;  // step of the first pass; penalty of the last
    if constexpr (separable) {
      update_w_by_row_blocks(problem, regularizer, W, R, G, alpha, sphere, w_passes, workspaces, step2, penalty_total);
      reduce_sum(problem.reduce, &step2, 1);
    } else {
      for (int pass = 0; pass < w_passes; ++pass) {
        double pass_step2 = 0.0;
        penalty_total = 0.0;  // this process's rows
        for (Eigen::Index j = 0; j < k; ++j) {
          const double c = G(j, j) + alpha;  // > 0: every row of H lives on its sphere
          const auto inverse_c = static_cast<Scalar>(1.0 / c);
          parallel_for(problem.threads, nblocks, [&](Eigen::Index b) {
            const Eigen::Index start = blocks.start(b), rows = blocks.size(b);
            auto Wb = W.middleRows(start, rows);
            z.segment(start, rows) = (R.col(j).segment(start, rows) - Wb * Gs.col(j) +
                                      Wb.col(j) * Gs(j, j)) * inverse_c;
          });
          prox_column(problem, regularizer, W, j, z, data.weights, problem.data_scale * sphere / c, c, workspaces,
                      penalty_total, pass_step2);
        }
        reduce_sum(problem.reduce, &pass_step2, 1);  // every process takes the same number of passes
        if (pass == 0) step2 = pass_step2;
        else if (pass_step2 <= kInnerPassStop * step2) break;
      }
    }
    reduce_sum(problem.reduce, &penalty_total, 1);

    Eigen::MatrixXd WtW, WtY;
    problem.cross_products(W, WtW, WtY);
    // The rows of H on their spheres (the same on every process: WᵀW and WᵀY are totals); a
    // row whose column of W is 0 everywhere is re-seeded (in the first pass only).
    double h_step2 = 0.0;
    for (int pass = 0; pass < h_passes; ++pass) {
      double pass_step2 = 0.0;
      for (Eigen::Index j = 0; j < k; ++j) {
        if (WtW(j, j) <= 0) {
          if (pass == 0 && dead.should_reseed(j, result)) {
            Eigen::Index worst = 0;
            residual_per_column(problem, WtW, WtY, H).maxCoeff(&worst);
            H.row(j).setZero();
            H(j, worst) = std::sqrt(sphere);
          }
          continue;
        }
        if (pass == 0) dead.alive(j);
        Eigen::RowVectorXd a = WtY.row(j) - WtW.row(j) * H + WtW(j, j) * H.row(j);
        Eigen::RowVectorXd h = a.cwiseMax(0.0);
        const double norm = h.norm();
        if (norm > 0) {
          h *= std::sqrt(sphere) / norm;
        } else {  // a <= 0: the best unit direction is the largest (least negative) entry
          Eigen::Index best = 0;
          a.maxCoeff(&best);
          h.setZero();
          h(best) = std::sqrt(sphere);
        }
        pass_step2 += WtW(j, j) * (h - H.row(j)).squaredNorm();
        H.row(j) = h;
      }
      if (pass == 0) h_step2 = pass_step2;
      else if (pass_step2 <= kInnerPassStop * h_step2) break;
    }
    step2 += h_step2;

    const double objective = problem.data_term(WtW, WtY, H) + penalty_total + 0.5 * alpha * WtW.trace();
    sweep_threads.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - sweep_start).count());
    if (!log.record(it, objective, step2, result, on_iteration)) break;
  }
  problem.threads = fixed_threads;
  result.dead_factors = dead.given_up_count();
}

}  // namespace fusednmf::detail
