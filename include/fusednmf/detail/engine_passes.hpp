#pragma once
// What both solvers of NMF<Regularizer> share: the problem as they see it (data, chains, the
// Reducer, fixed row blocks, ||Y||² and the data's RMS) and the passes over Y that produce the
// small matrices every update works from.
//
// Every pass goes through fixed row blocks whose partial sums are kept in double and added in
// block order, then summed over processes by the Reducer: results do not depend on the thread
// count, and a fit split across processes equals the fit on all rows.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "../nmf_options.hpp"
#include "../reducer.hpp"
#include "nmf_init.hpp"
#include "parallel.hpp"
#include "row_blocks.hpp"
#include "thin_products.hpp"

namespace fusednmf::detail {

/// The end of an iteration, as both solvers record it: the objective and the residual go into
/// the result and to the progress callback, and the fit stops (false, with the status set) on a
/// non-finite value or once the residual has stayed below `tolerance` for `patience` iterations
/// (from the second iteration on, or at once when the residual is exactly 0).
struct IterationLog {
  double tolerance;
  int patience;
  /// Past it, the fit stops after the iteration in progress (Status::TimeLimit); every process
  /// stops at the same iteration (the reducer sums who is past it).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const Reducer* reduce = nullptr;
  int calm = 0;
  double previous = std::numeric_limits<double>::quiet_NaN();

  /// The objective's change against the previous iteration's, relative (1 at the first).
  double relative_change(int it, double objective) const {
    return it == 1 ? 1.0 : std::abs(previous - objective) / std::max(std::abs(previous), 1e-300);
  }

  template <class Result, class OnIteration>
  bool record(int it, double objective, double residual, Result& result, OnIteration&& on_iteration) {
    if (!std::isfinite(objective) || !std::isfinite(residual)) {
      result.status = Status::NumericalIssue;
      return false;
    }
    const double change = relative_change(it, objective);
    result.objective.push_back(objective);
    result.residual.push_back(residual);
    result.iterations = it;
    on_iteration(Progress{it, objective, change, residual, 0});
    previous = objective;
    if (it > 1 || residual == 0) {
      calm = residual < tolerance ? calm + 1 : 0;
      if (calm >= patience) {
        result.status = Status::Converged;
        return false;
      }
    }
    if (deadline != std::chrono::steady_clock::time_point::max()) {
      double past = std::chrono::steady_clock::now() >= deadline ? 1.0 : 0.0;
      if (reduce) reduce_sum(*reduce, &past, 1);
      if (past > 0) {
        result.status = Status::TimeLimit;
        return false;
      }
    }
    return true;
  }
};

/// With the default thread count, one fit's loops run on several threads from this much work,
/// rows × k, per process, and on one below kTimedFitWork; between the two each HALS sweep runs on
/// one thread or on all, whichever is measured faster (sweep_threads.hpp).
/// Each sweep opens about k + 5 short loops and k prox calls, so a thread's share of a loop must
/// outweigh waking it, and, beside another program holding a core, the time slices it loses:
/// measured with 30 tracks, k = 10, on 2 cores (benchmarks/README.md, "Threads"). Since the prox
/// of a long column runs on two threads (prox/detail/split.hpp), two threads are 1.5x ahead
/// from 30,000 rows on an idle machine; with one core busy they lose up to 100,000 rows, break
/// even there, and are ahead from 300,000. A count given explicitly is used as given.
inline constexpr double kParallelFitWork = 3e6;
inline constexpr double kTimedFitWork = 3e5;

/// How one fit uses threads: `threads` for every loop, except that when timed > 1 each HALS
/// sweep runs on 1 or on `timed` threads (SweepThreads).
struct FitThreads {
  int threads = 1;
  int timed = 1;
};

/// `requested` when > 0; else, by the fit's work (see kParallelFitWork), every available core,
/// one, or a choice between the two made by timing sweeps.
inline FitThreads fit_threads(int requested, Eigen::Index rows, Eigen::Index k) {
  if (requested > 0) return {requested, 1};
  const double work = double(rows) * double(k);
  const int cores = resolve_threads(0);
  if (work >= kParallelFitWork) return {cores, 1};
  if (work >= kTimedFitWork && cores > 1) return {1, cores};
  return {1, 1};
}

template <class Scalar>
struct EngineProblem {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  EngineProblem(DataView<Scalar> view, std::vector<Eigen::Index> chain_offsets, Reducer reducer)
      : data(view), chains(std::move(chain_offsets)), reduce(std::move(reducer)) {}

  DataView<Scalar> data;
  std::vector<Eigen::Index> chains;  ///< segment offsets, first 0, last rows: chain c is [chains[c], chains[c+1])
  Reducer reduce;
  int threads = 1;
  int timed_threads = 1;  ///< > 1: HALS times its sweeps on 1 and on this many (FitThreads)
  RowBlocks blocks{0};
  double rows = 0;             ///< expanded rows over all processes
  double y_norm2 = 0;          ///< weighted ||Y||², all processes
  Eigen::VectorXd track_norm2;  ///< weighted ||Y_:c||² per column, all processes
  double data_scale = 0;       ///< RMS of Y: the unit of the regularizer's weights
  /// When the fit must stop (NMFOptions::time_limit); max(): never.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  /// The stopping rule of every solver on this problem.
  IterationLog iteration_log(const NMFOptions& options) const {
    return IterationLog{options.tolerance, options.patience, deadline, &reduce};
  }

  Eigen::Index n() const { return data.Y.rows(); }
  Eigen::Index m() const { return data.Y.cols(); }
  Eigen::Index chain_count() const { return Eigen::Index(chains.size()) - 1; }

  /// Fills the norms, the total rows and the scale (one pass over Y).
  void measure() {
    blocks = RowBlocks{n()};
    measure_norms();
    reduce_sum(reduce, &rows, 1);
    data_scale = std::sqrt(y_norm2 / (rows * double(m())));
  }

  /// The norms alone, again after Y's values changed (one pass over Y, all processes).
  void measure_norms() {
    std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(blocks.count()));
    parallel_for(threads, blocks.count(), [&](Eigen::Index b) {
      Eigen::VectorXd sums = Eigen::VectorXd::Zero(m());
      for (Eigen::Index i = blocks.start(b); i < blocks.start(b) + blocks.size(b); ++i)
        sums += data.weight(i) * data.Y.row(i).transpose().template cast<double>().cwiseAbs2();
      partial[std::size_t(b)] = sums;
    });
    Eigen::MatrixXd totals = partial.empty() ? Eigen::MatrixXd::Zero(m(), 1) : sum_in_order(partial);
    reduce_sum(reduce, totals);
    track_norm2 = totals.col(0);
    y_norm2 = track_norm2.sum();
  }

  /// WᵀW (k x k) and WᵀY (k x m), weighted by the rows' weights, in one pass; all processes.
  void cross_products(const Matrix& W, Eigen::MatrixXd& WtW, Eigen::MatrixXd& WtY) const {
    const Eigen::Index k = W.cols(), nblocks = blocks.count();
    std::vector<Eigen::MatrixXd> gram_partial(static_cast<std::size_t>(nblocks)), cross_partial(static_cast<std::size_t>(nblocks));
    parallel_for(threads, nblocks, [&](Eigen::Index b) {
      const Eigen::Index start = blocks.start(b), rows_b = blocks.size(b);
      Matrix weighted;  // the block of W with its rows scaled by their weights
      if (data.weights) {
        weighted = W.middleRows(start, rows_b);
        for (Eigen::Index i = 0; i < rows_b; ++i) weighted.row(i) *= data.weights[start + i];
      }
      std::vector<const Scalar*> w_cols(static_cast<std::size_t>(k)), lhs_cols(static_cast<std::size_t>(k)), y_cols(static_cast<std::size_t>(m()));
      for (Eigen::Index j = 0; j < k; ++j) {
        w_cols[std::size_t(j)] = W.col(j).data() + start;
        lhs_cols[std::size_t(j)] = data.weights ? weighted.col(j).data() : w_cols[std::size_t(j)];
      }
      for (Eigen::Index c = 0; c < m(); ++c) y_cols[std::size_t(c)] = data.Y.col(c).data() + start;
      gram_partial[std::size_t(b)].setZero(k, k);
      cross_partial[std::size_t(b)].setZero(k, m());
      add_thin_product(lhs_cols.data(), k, w_cols.data(), k, rows_b, gram_partial[std::size_t(b)].data());
      add_thin_product(lhs_cols.data(), k, y_cols.data(), m(), rows_b, cross_partial[std::size_t(b)].data());
    });
    WtW = nblocks ? sum_in_order(gram_partial) : Eigen::MatrixXd::Zero(k, k);
    WtY = nblocks ? sum_in_order(cross_partial) : Eigen::MatrixXd::Zero(k, m());
    reduce_sum(reduce, WtW);
    reduce_sum(reduce, WtY);
  }

  /// 1/2 ||Y - WH||² (weighted) from the small products alone:
  /// 1/2 (||Y||² - 2 <WᵀY, H> + <WᵀW, HHᵀ>).
  double data_term(const Eigen::MatrixXd& WtW, const Eigen::MatrixXd& WtY, const Eigen::MatrixXd& H) const {
    return 0.5 * (y_norm2 - 2.0 * WtY.cwiseProduct(H).sum() + WtW.cwiseProduct(H * H.transpose()).sum());
  }
};

/// Scales each non-zero row of H to unit RMS; returns the factors divided out.
inline Eigen::VectorXd normalise_rows(Eigen::MatrixXd& H) {
  Eigen::VectorXd scale(H.rows());
  for (Eigen::Index j = 0; j < H.rows(); ++j) {
    const double rms = H.row(j).norm() / std::sqrt(static_cast<double>(H.cols()));
    scale(j) = rms > 0 ? rms : 1.0;
    H.row(j) /= scale(j);
  }
  return scale;
}


}  // namespace fusednmf::detail
