#pragma once
// NMF<Regularizer>: Y ≈ W H with W, H >= 0, a ridge offset and a regularizer on the columns of W
// (the fused lasso smooths each factor along the genome).
//
// Two solvers (NMFOptions::solver):
// - Solver::HALS (default, detail/hals.hpp): block-coordinate descent, each column of W and row
//   of H the exact minimiser of the objective with the rest fixed, so the objective never
//   increases; it stops on the sweep's step residual. Rows of H are constrained to unit RMS.
// - Solver::ProjectedALS (detail/projected_als.hpp): the assignment's clipped least squares
//   followed by the prox; cheap per iteration but not a descent method.
//
// Segmented input (SegmentedMatrix: unique rows and run lengths) is exact: W is constant on a
// segment, so WᵀW and WᵀY are sums weighted by the lengths, W's updates are per row anyway, and
// the weighted prox on segments equals the prox of the expanded column. Expand W with
// expand_rows() only when writing it out.
//
// Scale: every row of H is at unit RMS, so W carries the data's units and the regularizer's
// weights are relative to the data's RMS (see regularizers.hpp). Results do not depend on the
// number of threads: passes over Y use fixed row blocks whose partial sums are added in order
// (detail/engine_passes.hpp). Restarts (NMFOptions::restarts) run one after another from
// different starts and the lowest final objective wins.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "detail/engine_passes.hpp"
#include "detail/hals.hpp"
#include "detail/masked_hals.hpp"
#include "detail/nmf_init.hpp"
#include "detail/parallel.hpp"
#include "detail/projected_als.hpp"
#include "detail/random.hpp"
#include "nmf_options.hpp"
#include "prox/fused_lasso_prox.hpp"
#include "reducer.hpp"
#include "regularizers.hpp"
#include "segmented_matrix.hpp"

namespace fusednmf {

/// The share of Y's (weighted) sum of squares that W H explains, 1 - ||Y - WH||² / ||Y||², over
/// the observed (non-NaN) entries and, with a Reducer, over every process's rows: near 1 for a
/// good fit, near 0 when the factors carry nothing (a penalty or ridge so strong that it
/// flattens W to 0, for instance). 1 for an all-zero Y.
template <class Scalar, class MatrixW, class MatrixH>
double explained_fraction(const SegmentedMatrix<Scalar>& Y, const MatrixW& W, const MatrixH& H,
                          const Reducer& reduce = {}) {
  if (W.rows() != Y.segments() || H.cols() != Y.cols() || W.cols() != H.rows())
    throw std::invalid_argument("explained_fraction: W (" + std::to_string(W.rows()) + " x " + std::to_string(W.cols()) +
                                ") and H (" + std::to_string(H.rows()) + " x " + std::to_string(H.cols()) +
                                ") do not fit Y (" + std::to_string(Y.segments()) + " x " + std::to_string(Y.cols()) + ")");
  double sums[2] = {0.0, 0.0};  // residual, total
  const Eigen::MatrixXd Hd = H.template cast<double>();
  for (Eigen::Index i = 0; i < Y.segments(); ++i) {
    const Eigen::RowVectorXd fitted = W.row(i).template cast<double>() * Hd;
    for (Eigen::Index c = 0; c < Y.cols(); ++c) {
      const double y = double(Y.values(i, c));
      if (std::isnan(y)) continue;
      sums[0] += double(Y.lengths[i]) * (y - fitted(c)) * (y - fitted(c));
      sums[1] += double(Y.lengths[i]) * y * y;
    }
  }
  detail::reduce_sum(reduce, sums, 2);
  return sums[1] > 0 ? 1.0 - sums[0] / sums[1] : 1.0;
}

template <class Regularizer = FusedLasso<double>>
class NMF {
  static_assert(is_regularizer<Regularizer>::value,
                "NMF<Regularizer>: Regularizer must define Scalar (float or double), validate(), "
                "prox(Scalar*, const Scalar*, std::ptrdiff_t, double, ProxWorkspace&) and "
                "penalty(const Scalar*, const Scalar*, std::ptrdiff_t, double) as documented in "
                "fusednmf/regularizers.hpp");

 public:
  using Scalar = typename Regularizer::Scalar;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Result = NMFResult<Scalar>;

  explicit NMF(NMFOptions options = {}, Regularizer regularizer = {})
      : options_(std::move(options)), regularizer_(regularizer) {
    options_.validate();
    regularizer_.validate();
  }

  const NMFOptions& options() const { return options_; }
  const Regularizer& regularizer() const { return regularizer_; }

  /// Dense Y: rows x m, non-negative and finite (NaN marks a missing entry when
  /// options.missing is MissingValues::Mask).
  Result fit(const Eigen::Ref<const Matrix>& Y) const {
    return run(detail::DataView<Scalar>{Y, nullptr}, static_cast<double>(Y.rows()), {0, Y.rows()}, {});
  }

  /// Run-length compressed Y; the result's W has one row per segment.
  Result fit(const SegmentedMatrix<Scalar>& Y) const { return fit(Y, {}, {}); }

  /// Several chains in one segmented Y (e.g. chromosomes laid end to end): the regularizer's
  /// chain is cut before every segment index in `chain_starts` (increasing, within (0, segments)),
  /// so nothing is smoothed across a boundary, while H is shared by all rows. With a Reducer
  /// (see reducer.hpp) this process holds only its share of the rows and every partial sum is
  /// combined with the other processes'; the fit is then the one on all rows together.
  Result fit(const SegmentedMatrix<Scalar>& Y, const std::vector<Eigen::Index>& chain_starts,
             const Reducer& reduce = {}) const {
    Y.validate();
    std::vector<Eigen::Index> chains{0};
    for (Eigen::Index start : chain_starts) {
      if (start <= chains.back() || start >= Y.segments())
        throw std::invalid_argument("NMF: chain start " + std::to_string(start) +
                                    " is not increasing within (0, " + std::to_string(Y.segments()) + ")");
      chains.push_back(start);
    }
    chains.push_back(Y.segments());
    return run(detail::DataView<Scalar>{Y.values, Y.lengths.data()}, static_cast<double>(Y.expanded_rows()),
               chains, reduce);
  }

 private:
  // Throws on a negative or infinite entry, and on NaN unless NaN may mark missing entries;
  // returns whether there is a NaN.
  static bool check_values(const detail::DataView<Scalar>& data, bool nan_is_missing) {
    const auto& Y = data.Y;
    bool any_nan = false;
    if (Y.rows() == 0 || Y.cols() == 0)
      throw std::invalid_argument("NMF: Y is empty (" + std::to_string(Y.rows()) + " x " +
                                  std::to_string(Y.cols()) + ")");
    for (Eigen::Index c = 0; c < Y.cols(); ++c)
      for (Eigen::Index r = 0; r < Y.rows(); ++r) {
        const Scalar v = Y(r, c);
        if (std::isnan(v) && nan_is_missing) {
          any_nan = true;
          continue;
        }
        if (!std::isfinite(v) || v < 0)
          throw std::invalid_argument("NMF: Y(" + std::to_string(r) + ", " + std::to_string(c) +
                                      ") = " + std::to_string(static_cast<double>(v)) +
                                      (std::isfinite(v) ? " is negative" : " is not finite"));
      }
    return any_nan;
  }

  static void check_rank(Eigen::Index k, double rows) {
    if (static_cast<double>(k) > rows)
      throw std::invalid_argument("NMF: rank " + std::to_string(k) + " exceeds the " +
                                  std::to_string(static_cast<long long>(rows)) + " rows of Y");
  }

  // chains: segment offsets, first 0, last n; chain c is rows [chains[c], chains[c + 1]).
  Result run(const detail::DataView<Scalar>& data, double expanded_rows, std::vector<Eigen::Index> chains,
             const Reducer& reduce) const {
    // Missing entries: fit on a copy with 0 under the mask and the mask beside it.
    Matrix observed_values, mask;
    double any_missing = check_values(data, options_.missing == MissingValues::Mask) ? 1.0 : 0.0;
    if (options_.missing == MissingValues::Mask) detail::reduce_sum(reduce, &any_missing, 1);
    if (any_missing > 0) {
      if (options_.solver != Solver::HALS)
        throw std::invalid_argument("NMF: missing entries (NaN) need Solver::HALS");
      const auto missing = data.Y.array().isNaN();
      mask = missing.select(Matrix::Zero(data.Y.rows(), data.Y.cols()), Matrix::Ones(data.Y.rows(), data.Y.cols()));
      observed_values = missing.select(Matrix::Zero(data.Y.rows(), data.Y.cols()), data.Y);
    }
    detail::EngineProblem<Scalar> problem{
        any_missing > 0 ? detail::DataView<Scalar>{observed_values, data.weights} : data, std::move(chains), reduce};
    const detail::FitThreads fit_threads = detail::fit_threads(options_.threads, problem.n(), options_.rank);
    problem.threads = fit_threads.threads;
    problem.timed_threads = fit_threads.timed;
    if (options_.time_limit > 0)
      problem.deadline = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(options_.time_limit));
    problem.rows = expanded_rows;
    problem.measure();  // ||Y||², the data's scale and the total rows, over all processes
    check_rank(options_.rank, problem.rows);
    if (any_missing > 0) {  // the scale of the observed entries alone
      Eigen::MatrixXd observed(1, 1);
      observed(0, 0) = 0;
      for (Eigen::Index i = 0; i < mask.rows(); ++i) observed(0, 0) += data.weight(i) * double(mask.row(i).sum());
      detail::reduce_sum(reduce, observed);
      problem.data_scale = observed(0, 0) > 0 ? std::sqrt(problem.y_norm2 / observed(0, 0)) : 0.0;
    }

    Result best;
    for (int restart = 0; restart < options_.restarts; ++restart) {
      Result result = run_once(problem, mask, observed_values, restart);
      const bool out_of_time = result.status == Status::TimeLimit;
      const double final_objective =
          result.objective.empty() ? std::numeric_limits<double>::infinity() : result.objective.back();
      const bool better = restart == 0 || (result.status != Status::NumericalIssue &&
                                           (best.status == Status::NumericalIssue ||
                                            final_objective < best.objective.back()));
      std::vector<double> finals = std::move(best.restart_objectives);
      finals.push_back(final_objective);
      if (better) {
        best = std::move(result);
        best.restart = restart;
      }
      best.restart_objectives = std::move(finals);
      if (out_of_time) break;  // no restart starts past the time limit
    }
    return best;
  }

  // One fit: restart 0 starts from options_.init with options_.seed, restart r >= 1 from random
  // H with a seed drawn from (seed, r), so restarts never repeat a start.
  // With MaskedSweep::Imputation, `observed` (the data problem views, 0 under the mask) takes
  // W H under the mask before every sweep.
  Result run_once(detail::EngineProblem<Scalar>& problem, const Matrix& mask, Matrix& observed, int restart) const {
    Init init = options_.init;
    std::uint64_t seed = options_.seed;
    if (restart > 0) {
      init = Init::Random;
      detail::Random mix(options_.seed + 0x632BE59BD9B4E019ULL * std::uint64_t(restart));
      seed = std::uint64_t(mix.uniform() * 0x1.0p53);
    }
    const bool impute_missing = mask.size() > 0 && options_.masked_sweep == MaskedSweep::Imputation;
    auto impute = [&](const Matrix& W, const Eigen::MatrixXd& H_now) {
      const Matrix Hs = H_now.template cast<Scalar>();
      detail::parallel_for(problem.threads, problem.blocks.count(), [&](Eigen::Index b) {
        for (Eigen::Index i = problem.blocks.start(b); i < problem.blocks.start(b) + problem.blocks.size(b); ++i)
          for (Eigen::Index c = 0; c < observed.cols(); ++c)
            if (mask(i, c) == Scalar(0)) observed(i, c) = W.row(i).dot(Hs.col(c));
      });
      problem.measure_norms();
    };
    if (impute_missing && restart > 0) {  // every restart starts from 0 under the mask, as the first
      observed = observed.cwiseProduct(mask);
      problem.measure_norms();
    }

    Result result;
    Eigen::MatrixXd H =
        detail::initial_h(problem.data, options_.rank, init, seed, problem.threads, problem.reduce);
    auto report = [&](Progress p) {
      p.restart = restart;
      if (options_.progress) options_.progress(p);
    };
    if (impute_missing)
      detail::run_hals(problem, options_, regularizer_, H, result.W, result, report, impute);
    else if (mask.size() > 0)
      detail::run_masked_hals(problem, mask, options_, regularizer_, H, result.W, result, report);
    else if (options_.solver == Solver::HALS)
      detail::run_hals(problem, options_, regularizer_, H, result.W, result, report);
    else detail::run_projected_als(problem, options_, regularizer_, H, result.W, result, report);
    result.H = H.template cast<Scalar>();
    return result;
  }

  NMFOptions options_;
  Regularizer regularizer_;
};

}  // namespace fusednmf
