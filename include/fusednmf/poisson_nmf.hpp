#pragma once
// Poisson NMF: V ~ Poisson(W H). By default it is fitted by Lee & Seung's multiplicative updates
// for the Kullback-Leibler divergence, which never decrease the Poisson log-likelihood:
//   H <- H ⊙ (Wᵀ (V ⊘ WH)) ⊘ (Wᵀ 1),     W <- W ⊙ ((V ⊘ WH) Hᵀ) ⊘ (1 Hᵀ)
// PoissonSolver::CoordinateDescent fits by cyclic coordinate descent instead
// (detail/poisson_ccd.hpp, fit_coordinate_descent below).
// The log-likelihood is the full one, sum V log(WH) - WH - lgamma(V + 1), so values compare
// across ranks. Zeros in V contribute -WH (0 log 0 = 0); a zero in WH where V > 0 is floored
// at a tiny positive value instead of producing -inf or NaN.
//
// Missing entries (NaN, with MissingValues::Mask) are left out exactly: the mask M multiplies
// V ⊘ WH and the denominators, which become Wᵀ M and M Hᵀ, and the log-likelihood sums over the
// observed entries only. The updates then still never decrease it.
//
// How the multiplicative updates are computed: V is visited in fixed blocks of rows. One pass per half-update forms the
// block's WH, the ratio V ⊘ WH and its product with W or H, so the N x M matrices WH and the
// ratio are never stored whole. The log-likelihood of the current factors comes out of the H
// pass for free (sum WH = sum_r colsum(W)_r rowsum(H)_r needs no pass; lgamma(V + 1) is summed
// once), so each iteration costs two passes. Block partial sums are added in block order: the
// same seed gives the same bytes whatever the thread count.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "detail/parallel.hpp"
#include "detail/poisson_ccd.hpp"
#include "detail/poisson_sparse.hpp"
#include "detail/random.hpp"
#include "detail/row_blocks.hpp"
#include "held_out_cells.hpp"
#include "nmf_options.hpp"

namespace fusednmf {

/// How PoissonNMF fits: Lee & Seung's multiplicative updates, or cyclic coordinate descent with
/// Newton steps (detail/poisson_ccd.hpp), which reaches the same log-likelihood in far fewer sweeps.
enum class PoissonSolver { MultiplicativeUpdates, CoordinateDescent };

inline const char* to_string(PoissonSolver solver) {
  return solver == PoissonSolver::CoordinateDescent ? "ccd" : "mu";
}

/// Options of PoissonNMF. Shared fields (SolverOptions) default to rank 4, at most 2000
/// iterations, and a stop once the log-likelihood's relative change is below tolerance = 1e-7
/// (patience 1: once). time_limit bounds the fit's seconds as for NMF.
struct PoissonNMFOptions : SolverOptions {
  PoissonNMFOptions() : SolverOptions(/*rank=*/4, /*max_iterations=*/2000, /*tolerance=*/1e-7, /*patience=*/1) {}
  /// Coordinate descent reaches the log-likelihood of 1,000 multiplicative updates 5x sooner
  /// (benchmarks/README.md), but its fits reach exact zeros, which predict held-out counts
  /// badly: the rank choice by held-out deviance (modules/rank_choice.hpp) picks worse with it,
  /// so the multiplicative updates stay the default.
  PoissonSolver solver = PoissonSolver::MultiplicativeUpdates;
  int newton_steps = 1;       ///< CoordinateDescent: Newton steps per entry and sweep, >= 1
  /// Also stop once the KKT residual (PoissonNMFResult::kkt_residual, relative to the first
  /// iteration's) is at most this; 0: off. An iteration passes the stop test when the
  /// log-likelihood's change passes `tolerance` or the residual passes this; `patience`
  /// consecutive passes stop the fit. Set tolerance = 0 to stop on the KKT residual alone.
  double kkt_tolerance = 0;

  void validate() const {
    validate_shared("PoissonNMFOptions");
    if (!(kkt_tolerance >= 0.0) || !std::isfinite(kkt_tolerance))
      throw std::invalid_argument("PoissonNMFOptions.kkt_tolerance must be finite and >= 0, got " +
                                  std::to_string(kkt_tolerance));
    if (newton_steps < 1)
      throw std::invalid_argument("PoissonNMFOptions.newton_steps must be >= 1, got " + std::to_string(newton_steps));
  }
};

template <class Scalar>
struct PoissonNMFResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> W;  ///< N x R
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> H;  ///< R x M
  std::vector<double> log_likelihood;                       ///< after each iteration
  /// After each iteration, how far the factors are from a stationary point of the negative
  /// log-likelihood over W, H >= 0 (0 there), relative to the first iteration's.
  /// CoordinateDescent: the norm of the projected gradient (its factors reach exact zeros).
  /// MultiplicativeUpdates: the norm of min(x, gradient) over the entries x of W and H (its
  /// factors approach 0 without reaching it, where the projected gradient would not vanish).
  /// H's part is taken at the factors after the iteration, W's at the start of its last update.
  std::vector<double> kkt_residual;
  int iterations = 0;
  Status status = Status::MaxIterations;
  double final_log_likelihood() const { return log_likelihood.empty() ? -INFINITY : log_likelihood.back(); }
};

namespace detail {
inline constexpr double kPoissonFloor = 1e-300;  // WH below this counts as this (never 0 or NaN)

}  // namespace detail

/// Full Poisson log-likelihood of V given the mean WH (a matrix or an expression such as W * H),
/// over the observed entries (a NaN in V is missing and left out).
template <class DerivedV, class DerivedM>
double poisson_log_likelihood(const Eigen::MatrixBase<DerivedV>& V, const Eigen::MatrixBase<DerivedM>& mean_expression) {
  if (V.rows() != mean_expression.rows() || V.cols() != mean_expression.cols())
    throw std::invalid_argument("poisson_log_likelihood: V and the mean differ in shape");
  // Evaluated once: indexing a product expression (W * H) would recompute it for every cell.
  const Eigen::MatrixXd mean = mean_expression.template cast<double>();
  double total = 0.0;
  for (Eigen::Index c = 0; c < V.cols(); ++c)
    for (Eigen::Index r = 0; r < V.rows(); ++r) {
      const double v = double(V(r, c)), mu = std::max(double(mean(r, c)), detail::kPoissonFloor);
      if (std::isnan(v)) continue;
      total += (v > 0 ? v * std::log(mu) : 0.0) - mu - std::lgamma(v + 1.0);
    }
  return total;
}

template <class Scalar = double>
class PoissonNMF {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "PoissonNMF: Scalar must be float or double");

 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Result = PoissonNMFResult<Scalar>;

  explicit PoissonNMF(PoissonNMFOptions options = {}) : options_(std::move(options)) { options_.validate(); }

  /// V: N x M, non-negative and finite (counts, though whole numbers are not required).
  /// The updates run in double whatever Scalar is: in float, rounding of the factors makes the
  /// log-likelihood wobble once it is nearly converged (it is a small difference of large sums).
  Result fit(const Eigen::Ref<const Matrix>& V) const {
    const bool any_missing = check(V);
    PoissonNMFResult<double> fitted;
    if (any_missing) {  // 0 under the mask (so V ⊘ WH is 0 there too), and the mask beside it
      const auto missing = V.array().isNaN();
      const Eigen::MatrixXd observed = missing.select(0.0, V.template cast<double>());
      const Eigen::MatrixXd mask = missing.select(0.0, Eigen::MatrixXd::Ones(V.rows(), V.cols()));
      fitted = fit_double(observed, &mask);
    } else if constexpr (std::is_same_v<Scalar, double>) {
      fitted = fit_double(V, nullptr);
    } else {
      fitted = fit_double(V.template cast<double>(), nullptr);
    }
    return narrowed(std::move(fitted));
  }

  /// Sparse V (N x M): stored entries non-negative and finite, every other cell a 0 count
  /// (a sparse matrix cannot mark a cell missing). Fitted by the multiplicative updates over the
  /// stored entries only (detail/poisson_sparse.hpp): memory and time per iteration grow with
  /// the stored entries, not with N x M. The same updates as the dense fit from the same start,
  /// so both reach the same factors up to rounding. Throws std::invalid_argument for
  /// PoissonSolver::CoordinateDescent, which needs dense V.
  Result fit(const Eigen::SparseMatrix<Scalar>& V) const {
    return narrowed(fit_sparse(detail::SparseCounts(checked_sparse(V)), nullptr));
  }

  /// Sparse V with the cells of `held_out` left out of the likelihood and the updates, exactly
  /// (as NaN cells are for dense V with MissingValues::Mask): cross-validation's training fits.
  Result fit(const Eigen::SparseMatrix<Scalar>& V, const HeldOutCells& held_out) const {
    if (held_out.rows() != V.rows() || held_out.cols() != V.cols())
      throw std::invalid_argument("PoissonNMF: held-out cells of a " + std::to_string(held_out.rows()) + " x " +
                                  std::to_string(held_out.cols()) + " matrix for V of " + std::to_string(V.rows()) +
                                  " x " + std::to_string(V.cols()));
    if (held_out.count() == std::size_t(V.rows()) * std::size_t(V.cols()))
      throw std::invalid_argument("PoissonNMF: every cell of V is held out");
    return narrowed(fit_sparse(detail::SparseCounts(detail::without_held_out(checked_sparse(V), held_out)), &held_out));
  }

 private:
  // Sparse V in double, compressed, after the checks every sparse fit makes: the solver, the
  // shape, and stored values finite and non-negative.
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> checked_sparse(const Eigen::SparseMatrix<Scalar>& V) const {
    if (options_.solver != PoissonSolver::MultiplicativeUpdates)
      throw std::invalid_argument("PoissonNMF: sparse V is fitted by the multiplicative updates only "
                                  "(solver 'mu'); coordinate descent needs dense V");
    check_shape(V.rows(), V.cols());
    Eigen::SparseMatrix<double, Eigen::ColMajor, int> counts = V.template cast<double>();
    counts.makeCompressed();
    const double* values = counts.valuePtr();
    for (Eigen::Index c = 0; c < counts.outerSize(); ++c)
      for (int e = counts.outerIndexPtr()[c]; e < counts.outerIndexPtr()[c + 1]; ++e)
        if (!std::isfinite(values[e]) || values[e] < 0)
          throw std::invalid_argument("PoissonNMF: V(" + std::to_string(counts.innerIndexPtr()[e]) + ", " +
                                      std::to_string(c) + ") = " + std::to_string(values[e]) +
                                      (std::isfinite(values[e]) ? " is negative" : " is not finite"));
    return counts;
  }

  // The fit in double as a result in Scalar.
  static Result narrowed(PoissonNMFResult<double> fitted) {
    Result result;
    result.W = fitted.W.template cast<Scalar>();
    result.H = fitted.H.template cast<Scalar>();
    result.log_likelihood = std::move(fitted.log_likelihood);
    result.kkt_residual = std::move(fitted.kkt_residual);
    result.iterations = fitted.iterations;
    result.status = fitted.status;
    return result;
  }

  // V with 0 under the mask; mask: 1 observed, 0 missing (nullptr: everything observed).
  // Seeded positive start at the data's mean level, so WH starts near mean(V).
  void start(const Eigen::Ref<const Eigen::MatrixXd>& V, const Eigen::MatrixXd* mask, Eigen::MatrixXd& W,
             Eigen::MatrixXd& H) const {
    start(V.rows(), V.cols(), V.sum(), mask ? mask->sum() : double(V.size()), W, H);
  }
  // The same from V's shape, its total and the number of observed cells.
  void start(Eigen::Index N, Eigen::Index M, double total, double observed, Eigen::MatrixXd& W,
             Eigen::MatrixXd& H) const {
    const Eigen::Index R = options_.rank;
    W.resize(N, R);
    H.resize(R, M);
    detail::Random rng(options_.seed);
    const double level = std::sqrt(std::max(total / std::max(observed, 1.0), 1e-12) / double(R));
    for (Eigen::Index i = 0; i < W.size(); ++i) W(i) = level * (0.5 + rng.uniform());
    for (Eigen::Index i = 0; i < H.size(); ++i) H(i) = level * (0.5 + rng.uniform());
  }

  // When to stop one fit: after `patience` consecutive iterations whose log-likelihood changed
  // by at most tolerance (relative), or past the deadline (SolverOptions::time_limit).
  struct StopRule {
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    int calm = 0;
    double first_kkt = 1;  // the first iteration's KKT residual, the unit of the relative ones
  };

  StopRule stop_rule() const {
    StopRule rule;
    if (options_.time_limit > 0)
      rule.deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                             std::chrono::duration<double>(options_.time_limit));
    return rule;
  }

  // Records the log-likelihood and the KKT residual (absolute: made relative to the first
  // iteration's here) after an iteration; returns whether to stop (the status set).
  bool record(PoissonNMFResult<double>& result, StopRule& rule, int it, double ll, double previous,
              double kkt) const {
    result.log_likelihood.push_back(ll);
    result.iterations = it;
    if (it == 1) rule.first_kkt = std::max(kkt, detail::kPoissonFloor);
    const double relative_kkt = kkt / rule.first_kkt;
    result.kkt_residual.push_back(relative_kkt);
    if (options_.progress) {
      const double change = std::abs(ll - previous) / std::max(std::abs(previous), detail::kPoissonFloor);
      options_.progress(Progress{it, -ll, change, relative_kkt, 0});
    }
    if (!std::isfinite(ll) || !std::isfinite(kkt)) {
      result.status = Status::NumericalIssue;
      return true;
    }
    const bool settled = std::abs(ll - previous) <= options_.tolerance * std::abs(previous) ||
                         (options_.kkt_tolerance > 0 && relative_kkt <= options_.kkt_tolerance);
    rule.calm = settled ? rule.calm + 1 : 0;
    if (rule.calm >= options_.patience) {
      result.status = Status::Converged;
      return true;
    }
    if (rule.deadline != std::chrono::steady_clock::time_point::max() &&
        std::chrono::steady_clock::now() >= rule.deadline) {
      result.status = Status::TimeLimit;
      return true;
    }
    return it == options_.max_iterations;
  }

  PoissonNMFResult<double> fit_double(const Eigen::Ref<const Eigen::MatrixXd>& V, const Eigen::MatrixXd* mask) const {
    if (options_.solver == PoissonSolver::CoordinateDescent) return fit_coordinate_descent(V, mask);
    const Eigen::Index N = V.rows(), M = V.cols();
    const double floor = detail::kPoissonFloor;
    const int threads = detail::resolve_threads(options_.threads);
    const detail::RowBlocks blocks{N, kBlockRows};
    Eigen::MatrixXd W, H;
    start(V, mask, W, H);

    const auto block_count = std::size_t(blocks.count());
    std::vector<double> block_log_factorials(block_count, 0.0), block_v_log_mean(block_count, 0.0);
    std::vector<Eigen::MatrixXd> block_numerator(block_count);
    // With a mask: per block, the sum of WH over the observed entries and Wᵀ M (H's denominator).
    std::vector<double> block_mean_total(block_count, 0.0);
    std::vector<Eigen::MatrixXd> block_denominator(mask ? block_count : 0);
    std::vector<Eigen::MatrixXd> scratch(static_cast<std::size_t>(threads));  // a block of WH / ratio per thread
    detail::parallel_for(threads, long(blocks.count()), [&](long b) {
      const auto Vb = V.middleRows(blocks.start(b), blocks.size(b));
      double sum = 0.0;
      for (Eigen::Index c = 0; c < M; ++c)
        for (Eigen::Index r = 0; r < Vb.rows(); ++r) sum += std::lgamma(Vb(r, c) + 1.0);
      block_log_factorials[std::size_t(b)] = sum;
    });
    const double log_factorials = detail::sum_in_order(block_log_factorials);

    // The H pass: the log-likelihood of (W, H) and the numerator Wᵀ (V ⊘ WH), per block.
    auto h_pass = [&](long b) {
      const Eigen::Index s = blocks.start(b), n = blocks.size(b);
      const auto Vb = V.middleRows(s, n);
      const auto Wb = W.middleRows(s, n);
      Eigen::MatrixXd& ratio = scratch[std::size_t(detail::thread_index())];
      ratio.noalias() = Wb * H;
      ratio = ratio.cwiseMax(floor);
      if (mask) {
        const auto Mb = mask->middleRows(s, n);
        block_mean_total[std::size_t(b)] = (Mb.array() * ratio.array()).sum();
        block_denominator[std::size_t(b)].noalias() = Wb.transpose() * Mb;
      }
      block_v_log_mean[std::size_t(b)] = (Vb.array() * ratio.array().log()).sum();
      ratio = Vb.cwiseQuotient(ratio);
      block_numerator[std::size_t(b)].noalias() = Wb.transpose() * ratio;
    };
    // The W pass: rows of W depend only on their own rows of V, so no reduction but the block's
    // part of the KKT residual: the gradient of the negative log-likelihood in W is the
    // denominator less `grow`.
    Eigen::RowVectorXd h_rowsum, h_rowsum_inverse;
    std::vector<double> block_w_kkt(block_count, 0.0);
    auto w_pass = [&](long b) {
      const Eigen::Index s = blocks.start(b), n = blocks.size(b);
      const auto Vb = V.middleRows(s, n);
      auto Wb = W.middleRows(s, n);
      Eigen::MatrixXd& ratio = scratch[std::size_t(detail::thread_index())];
      ratio.noalias() = Wb * H;
      ratio = Vb.cwiseQuotient(ratio.cwiseMax(floor));
      Eigen::MatrixXd grow = ratio * H.transpose();
      if (mask) {
        const Eigen::MatrixXd denominator = mask->middleRows(s, n) * H.transpose();
        block_w_kkt[std::size_t(b)] = Wb.cwiseMin(denominator - grow).squaredNorm();
        Wb.array() *= grow.array() / denominator.array().max(floor);
      } else {
        block_w_kkt[std::size_t(b)] = Wb.cwiseMin((-grow).rowwise() + h_rowsum).squaredNorm();
        Wb.array() *= grow.array().rowwise() * h_rowsum_inverse.array();
      }
    };

    PoissonNMFResult<double> result;
    StopRule rule = stop_rule();
    double previous = 0.0;
    for (int it = 0;; ++it) {
      detail::parallel_for(threads, long(blocks.count()), h_pass);
      const double v_log_mean = detail::sum_in_order(block_v_log_mean);
      const Eigen::RowVectorXd w_colsum = W.colwise().sum();
      // The sum of WH over the observed entries.
      const double mean_total =
          mask ? detail::sum_in_order(block_mean_total) : w_colsum.dot(H.rowwise().sum().transpose());
      const double ll = v_log_mean - mean_total - log_factorials;
      // H's gradient is its denominator less the numerator.
      const Eigen::MatrixXd numerator = detail::sum_in_order(block_numerator);
      const Eigen::MatrixXd denominator =
          mask ? detail::sum_in_order(block_denominator) : Eigen::MatrixXd(w_colsum.transpose().replicate(1, M));
      if (it > 0) {  // ll belongs to the factors after iteration `it`
        const double kkt = H.cwiseMin(denominator - numerator).squaredNorm() + detail::sum_in_order(block_w_kkt);
        if (record(result, rule, it, ll, previous, std::sqrt(kkt))) break;
      }
      previous = ll;

      H.array() *= numerator.array() / denominator.array().max(floor);
      h_rowsum = H.rowwise().sum().transpose();
      h_rowsum_inverse = h_rowsum.cwiseMax(floor).cwiseInverse();
      detail::parallel_for(threads, long(blocks.count()), w_pass);
    }
    result.W = std::move(W);
    result.H = std::move(H);
    return result;
  }

  // The multiplicative updates on sparse V, in the dense fit's order: the H pass (which gives the
  // log-likelihood of the current factors), the H update, then the W pass. With held-out cells
  // (V already without their counts), the denominators and sum(WH) lose their terms.
  PoissonNMFResult<double> fit_sparse(const detail::SparseCounts& V, const HeldOutCells* held_out) const {
    const double floor = detail::kPoissonFloor;
    const int threads = detail::resolve_threads(options_.threads);
    const double observed = double(V.rows()) * double(V.cols()) - (held_out ? double(held_out->count()) : 0.0);
    Eigen::MatrixXd W, H;
    start(V.rows(), V.cols(), V.by_sample.sum(), observed, W, H);
    Eigen::MatrixXd Wt = W.transpose();
    Eigen::MatrixXd numerator, denominator, held_out_rows;
    PoissonNMFResult<double> result;
    StopRule rule = stop_rule();
    double previous = 0.0, w_kkt = 0.0;
    for (int it = 0;; ++it) {
      const double v_log_mean = detail::sparse_h_pass(V, Wt, H, numerator, floor, threads);
      const Eigen::VectorXd w_colsum = Wt.rowwise().sum();
      double mean_total = w_colsum.dot(H.rowwise().sum());  // sum(WH) over the observed cells
      if (held_out) {
        denominator = (-detail::held_out_column_sums(*held_out, Wt)).colwise() + w_colsum;  // Wᵀ M
        mean_total = (denominator.array() * H.array()).sum();
      } else {
        denominator = w_colsum.replicate(1, H.cols());
      }
      const double ll = v_log_mean - mean_total - V.log_factorials;
      if (it > 0) {  // ll belongs to the factors after iteration `it`; H's gradient is the denominator less the numerator
        const double kkt = H.cwiseMin(denominator - numerator).squaredNorm() + w_kkt;
        if (record(result, rule, it, ll, previous, std::sqrt(kkt))) break;
      }
      previous = ll;
      H.array() *= numerator.array() / denominator.array().max(floor);
      if (held_out) held_out_rows = detail::held_out_row_sums(*held_out, H);
      w_kkt = detail::sparse_w_pass(V, Wt, H, H.rowwise().sum(), held_out ? &held_out_rows : nullptr, floor, threads);
    }
    result.W = Wt.transpose();
    result.H = std::move(H);
    return result;
  }

  // Cyclic coordinate descent (detail/poisson_ccd.hpp): every row of W given H, then every column
  // of H given W, side by side in fixed blocks. The log-likelihood is summed per block of
  // samples after their update, in block order: the same bytes for any thread count.
  PoissonNMFResult<double> fit_coordinate_descent(const Eigen::Ref<const Eigen::MatrixXd>& V,
                                                  const Eigen::MatrixXd* mask) const {
    const Eigen::Index N = V.rows(), M = V.cols();
    const double floor = detail::kPoissonFloor;
    const int threads = detail::resolve_threads(options_.threads);
    Eigen::MatrixXd W, H;
    start(V, mask, W, H);
    const Eigen::MatrixXd Vt = V.transpose();  // samples x genes: a gene's counts down a column
    const Eigen::MatrixXd mask_t = mask ? Eigen::MatrixXd(mask->transpose()) : Eigen::MatrixXd();
    // Rows per block: about 16k cells, so that a block's counts, means and ratios stay in cache.
    auto block_rows = [](Eigen::Index cells_per_row) { return std::clamp<Eigen::Index>(16384 / cells_per_row, 1, 256); };
    // Genes are rows of V (and of W), samples its columns (rows of Hᵀ).
    const detail::RowBlocks genes{N, block_rows(M)}, samples{M, block_rows(N)};
    const Eigen::Index gene_blocks = genes.count(), sample_blocks = samples.count();
    struct Scratch {
      Eigen::MatrixXd mean, linear, rows;
      Eigen::VectorXd inverse;  // 1/μ of one row's cells
    };
    std::vector<Scratch> scratch(static_cast<std::size_t>(threads));
    std::vector<double> gene_kkt(std::size_t(gene_blocks), 0.0), sample_kkt(std::size_t(sample_blocks), 0.0);
    std::vector<double> sample_ll(std::size_t(sample_blocks), 0.0);

    double log_factorials = 0.0;  // 0 under the mask: lgamma(1) = 0
    for (Eigen::Index c = 0; c < M; ++c)
      for (Eigen::Index r = 0; r < N; ++r) log_factorials += std::lgamma(V(r, c) + 1.0);
    // Samples [first, first + count) given their means WH (genes x count), without lgamma(V + 1).
    auto log_likelihood_of = [&](Eigen::Index first, Eigen::Index count, const Eigen::MatrixXd& WH) {
      const auto Vb = V.middleCols(first, count);
      const auto mu = WH.array().max(floor);
      // v log μ is 0 where v = 0 (μ >= floor keeps the log finite), and without a select the
      // logarithms vectorise.
      double total = (Vb.array() * mu.log()).sum();
      total -= mask ? (mask->middleCols(first, count).array() * mu).sum() : mu.sum();
      return total;
    };
    double previous = -log_factorials;
    for (Eigen::Index b = 0; b < sample_blocks; ++b) {
      const Eigen::Index first = samples.start(b), count = samples.size(b);
      previous += log_likelihood_of(first, count, W * H.middleCols(first, count));
    }

    PoissonNMFResult<double> result;
    StopRule rule = stop_rule();
    for (int it = 1;; ++it) {
      // Rows of W given H, a block of genes at a time (their counts down the columns of Vᵀ).
      const Eigen::MatrixXd Ht = H.transpose();
      const Eigen::RowVectorXd h_rowsum = H.rowwise().sum().transpose();
      detail::parallel_for(threads, long(gene_blocks), [&](long b) {
        Scratch& x = scratch[std::size_t(detail::thread_index())];
        const Eigen::Index first = genes.start(b), count = genes.size(b);
        auto Wb = W.middleRows(first, count);
        x.mean.noalias() = Ht * Wb.transpose();
        if (mask) x.linear.noalias() = mask_t.middleCols(first, count).transpose() * Ht;
        else x.linear = h_rowsum.replicate(count, 1);
        gene_kkt[std::size_t(b)] =
            detail::poisson_ccd_block(Wb, Ht, Vt.middleCols(first, count), x.mean, x.linear, options_.newton_steps,
                                      x.inverse);
      });
      // Columns of H given W, a block of samples at a time (as rows of Hᵀ), and the
      // log-likelihood of (W, H) over those samples.
      const Eigen::RowVectorXd w_colsum = W.colwise().sum();
      detail::parallel_for(threads, long(sample_blocks), [&](long b) {
        Scratch& x = scratch[std::size_t(detail::thread_index())];
        const Eigen::Index first = samples.start(b), count = samples.size(b);
        x.rows = H.middleCols(first, count).transpose();
        x.mean.noalias() = W * H.middleCols(first, count);
        if (mask) x.linear.noalias() = mask->middleCols(first, count).transpose() * W;
        else x.linear = w_colsum.replicate(count, 1);
        sample_kkt[std::size_t(b)] =
            detail::poisson_ccd_block(x.rows, W, V.middleCols(first, count), x.mean, x.linear, options_.newton_steps,
                                      x.inverse);
        H.middleCols(first, count) = x.rows.transpose();
        // From the means kept up to date through the block's steps (recomputed from W and H at
        // every block's start, so rounding cannot build up over sweeps).
        sample_ll[std::size_t(b)] = log_likelihood_of(first, count, x.mean);
      });
      double ll = -log_factorials, kkt = 0.0;
      for (double x : sample_ll) ll += x;
      for (double x : gene_kkt) kkt += x;
      for (double x : sample_kkt) kkt += x;
      if (record(result, rule, it, ll, previous, std::sqrt(kkt))) break;
      previous = ll;
    }
    result.W = std::move(W);
    result.H = std::move(H);
    return result;
  }

  // Rows per block: small enough that a block of WH stays in cache and two threads share even
  // modest matrices, large enough that Eigen's products run at speed.
  static constexpr Eigen::Index kBlockRows = 512;

  // Throws on an empty V and on a rank above min(rows, cols).
  void check_shape(Eigen::Index rows, Eigen::Index cols) const {
    if (rows == 0 || cols == 0)
      throw std::invalid_argument("PoissonNMF: V is empty (" + std::to_string(rows) + " x " + std::to_string(cols) + ")");
    if (options_.rank > std::min(rows, cols))
      throw std::invalid_argument("PoissonNMF: rank " + std::to_string(options_.rank) + " exceeds min(rows, cols) of V");
  }

  // Throws on a negative or infinite entry, and on NaN unless NaN marks missing entries;
  // returns whether there is a NaN.
  bool check(const Eigen::Ref<const Matrix>& V) const {
    check_shape(V.rows(), V.cols());
    bool any_nan = false;
    for (Eigen::Index c = 0; c < V.cols(); ++c)
      for (Eigen::Index r = 0; r < V.rows(); ++r) {
        const Scalar v = V(r, c);
        if (std::isnan(v) && options_.missing == MissingValues::Mask) {
          any_nan = true;
          continue;
        }
        if (!std::isfinite(v) || v < 0)
          throw std::invalid_argument("PoissonNMF: V(" + std::to_string(r) + ", " + std::to_string(c) +
                                      ") = " + std::to_string(double(v)) +
                                      (std::isfinite(v) ? " is negative" : " is not finite"));
      }
    return any_nan;
  }

  PoissonNMFOptions options_;
};

/// One row of a rank scan: the best of the restarts at one rank.
template <class Scalar>
struct RankFit {
  Eigen::Index rank;
  double log_likelihood;  ///< best over the restarts
  double bic;             ///< -2 log L + R (N + M) log(observed cells): lower is better
  std::uint64_t best_seed;
  PoissonNMFResult<Scalar> fit;  ///< the restart that reached log_likelihood
};

/// What scan_ranks fits: every rank in [min_rank, max_rank], `restarts` seeds each.
struct RankScanOptions {
  Eigen::Index min_rank = 2;
  Eigen::Index max_rank = 6;
  int restarts = 5;  ///< seeds fit.seed, fit.seed + 1, ...
  PoissonNMFOptions fit;  ///< every fit's options (its rank and seed are set per fit)

  void validate() const {
    if (min_rank < 1 || max_rank < min_rank)
      throw std::invalid_argument("scan_ranks: need 1 <= min_rank <= max_rank, got " + std::to_string(min_rank) +
                                  ".." + std::to_string(max_rank));
    if (restarts < 1) throw std::invalid_argument("scan_ranks: restarts must be >= 1, got " + std::to_string(restarts));
  }
};

/// Fits every rank of the scan with its restarts and keeps the best log-likelihood of each rank
/// (the fits run side by side on scan.fit.threads; the result does not depend on it).
/// `on_fit(rank, seed, log_likelihood)`, if given, is called after every fit (for progress
/// lines), one call at a time, in the order the fits end; scan.fit.progress, called from inside
/// the fits, must be safe to call from several threads.
template <class Scalar>
std::vector<RankFit<Scalar>> scan_ranks(
    const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>& V, const RankScanOptions& scan,
    const std::function<void(Eigen::Index, std::uint64_t, double)>& on_fit = {}) {
  scan.validate();
  const Eigen::Index min_rank = scan.min_rank, max_rank = scan.max_rank;
  const int restarts = scan.restarts;
  const PoissonNMFOptions& options = scan.fit;
  std::vector<RankFit<Scalar>> table;
  const std::uint64_t base_seed = options.seed;
  const double cells = double(V.size() - V.array().isNaN().count());  // the observed ones
  // Every (rank, restart) fit on a thread of its own: whole fits in parallel, with no barrier
  // between them, keep the threads busy where the fits' own short parallel loops wait on each
  // other (and on a busy neighbour). A single fit keeps the threads for its loops.
  const long ranks = long(max_rank - min_rank + 1), fits = ranks * restarts;
  const int threads = detail::resolve_threads(options.threads);
  PoissonNMFOptions each = options;
  if (fits > 1) each.threads = 1;  // a fit's result does not depend on its thread count
  std::vector<PoissonNMFResult<Scalar>> results(static_cast<std::size_t>(fits));
  std::mutex report;  // on_fit is called from one thread at a time, in the order the fits end
  detail::parallel_for(fits > 1 ? threads : 1, fits, [&](long f) {
    PoissonNMFOptions o = each;
    o.rank = min_rank + f / restarts;
    o.seed = base_seed + std::uint64_t(f % restarts);
    results[std::size_t(f)] = PoissonNMF<Scalar>(o).fit(V);
    if (on_fit) {
      std::lock_guard<std::mutex> lock(report);
      on_fit(o.rank, o.seed, results[std::size_t(f)].final_log_likelihood());
    }
  });
  for (long r = 0; r < ranks; ++r) {
    RankFit<Scalar> best{min_rank + r, -std::numeric_limits<double>::infinity(), 0.0, base_seed, {}};
    for (int s = 0; s < restarts; ++s) {  // the first seed wins a tie, whatever finished first
      auto& fit = results[std::size_t(r * restarts + s)];
      const double ll = fit.final_log_likelihood();
      if (ll > best.log_likelihood) best = {min_rank + r, ll, 0.0, base_seed + std::uint64_t(s), std::move(fit)};
    }
    best.bic = -2.0 * best.log_likelihood + double(best.rank) * double(V.rows() + V.cols()) * std::log(cells);
    table.push_back(std::move(best));
  }
  return table;
}

/// The entry of a rank scan with the lowest BIC.
template <class Scalar>
const RankFit<Scalar>& best_by_bic(const std::vector<RankFit<Scalar>>& table) {
  if (table.empty()) throw std::invalid_argument("best_by_bic: the rank scan is empty");
  return *std::min_element(table.begin(), table.end(),
                           [](const auto& a, const auto& b) { return a.bic < b.bic; });
}

}  // namespace fusednmf
