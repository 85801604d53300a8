#pragma once
// NMF<Regularizer>: alternating least squares with a ridge offset and a regularizer policy.
//
//   W <- max(0, Y Hᵀ (H Hᵀ + D)⁻¹);  W <- Regularizer.prox(W), column by column along the rows
//   H <- max(0, (Wᵀ W + D)⁻¹ Wᵀ Y);  rows of H rescaled to unit RMS
//
// The k x k systems are solved by Cholesky, never by an explicit inverse: M = (HHᵀ + D)⁻¹ H is
// one small solve, then W = Y Mᵀ is one product per row block. Each iteration reads Y twice
// (for W, then for WᵀW and WᵀY, fused in one pass); the objective comes from those small
// products, not from another pass: 1/2||Y - WH||² = 1/2(||Y||² - 2<WᵀY, H> + <WᵀW, HHᵀ>).
// The second pass uses detail/thin_products.hpp rather than Eigen's GEMM, which spends more on
// packing these tall, thin blocks than on multiplying them.
//
// Segmented input (SegmentedMatrix: unique rows and run lengths) is exact: W is constant on a
// segment, so WᵀW and WᵀY are sums weighted by the lengths, W's solve is per row anyway, and the
// weighted prox on segments equals the prox of the expanded column. Expand W with expand_rows()
// only when writing it out.
//
// Scale: every row of H is kept at unit RMS, so W carries the data's units and the regularizer's
// weights are relative to the data's RMS (see regularizers.hpp). Results do not depend on the
// number of threads: passes over Y use fixed row blocks whose partial sums are added in order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "detail/nmf_init.hpp"
#include "detail/parallel.hpp"
#include "detail/row_blocks.hpp"
#include "detail/thin_products.hpp"
#include "nmf_options.hpp"
#include "prox/fused_lasso_prox.hpp"
#include "reducer.hpp"
#include "regularizers.hpp"
#include "segmented_matrix.hpp"

namespace fusednmf {

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

  /// Dense Y: rows x m, non-negative and finite.
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
  static void check_data(const detail::DataView<Scalar>& data, Eigen::Index k, double expanded_rows) {
    const auto& Y = data.Y;
    if (Y.rows() == 0 || Y.cols() == 0)
      throw std::invalid_argument("NMF: Y is empty (" + std::to_string(Y.rows()) + " x " +
                                  std::to_string(Y.cols()) + ")");
    if (static_cast<double>(k) > expanded_rows)
      throw std::invalid_argument("NMF: rank " + std::to_string(k) + " exceeds the " +
                                  std::to_string(static_cast<long long>(expanded_rows)) + " rows of Y");
    for (Eigen::Index c = 0; c < Y.cols(); ++c)
      for (Eigen::Index r = 0; r < Y.rows(); ++r) {
        const Scalar v = Y(r, c);
        if (!std::isfinite(v) || v < 0)
          throw std::invalid_argument("NMF: Y(" + std::to_string(r) + ", " + std::to_string(c) +
                                      ") = " + std::to_string(static_cast<double>(v)) +
                                      (std::isfinite(v) ? " is negative" : " is not finite"));
      }
  }

  // Cholesky of G + ridge I with ridge = l2 * mean diagonal; false when not positive definite.
  bool factor(Eigen::MatrixXd G, Eigen::LLT<Eigen::MatrixXd>& llt) const {
    const double ridge = options_.l2 * G.trace() / static_cast<double>(G.rows());
    G.diagonal().array() += std::max(ridge, std::numeric_limits<double>::min());
    llt.compute(G);
    return llt.info() == Eigen::Success;
  }

  // chains: segment offsets, first 0, last n; chain c is rows [chains[c], chains[c + 1]).
  Result run(const detail::DataView<Scalar>& data, double expanded_rows, const std::vector<Eigen::Index>& chains,
             const Reducer& reduce) const {
    const Eigen::Index k = options_.rank, n = data.Y.rows(), m = data.Y.cols();
    double global_rows = expanded_rows;
    detail::reduce_sum(reduce, &global_rows, 1);
    check_data(data, k, global_rows);
    const int threads = detail::resolve_threads(options_.threads);
    const detail::RowBlocks blocks{n};
    const Eigen::Index nblocks = blocks.count();

    // ||Y||² (weighted) and the data's RMS, the scale the regularizer's weights refer to.
    double y_norm2 = 0.0;
    {
      std::vector<double> partial(nblocks, 0.0);
      detail::parallel_for(threads, nblocks, [&](Eigen::Index b) {
        for (Eigen::Index i = blocks.start(b); i < blocks.start(b) + blocks.size(b); ++i)
          partial[b] += data.weight(i) * data.Y.row(i).template cast<double>().squaredNorm();
      });
      for (double p : partial) y_norm2 += p;
      detail::reduce_sum(reduce, &y_norm2, 1);
    }
    const double data_scale = std::sqrt(y_norm2 / (global_rows * static_cast<double>(m)));

    Result result;
    Eigen::MatrixXd H = detail::initial_h(data, k, options_.init, options_.seed, threads, reduce);
    Eigen::VectorXd h_scale = normalise_rows(H);
    result.W.resize(n, k);
    Matrix& W = result.W;
    std::vector<ProxWorkspace> workspaces(static_cast<std::size_t>(threads));
    const auto nchains = static_cast<Eigen::Index>(chains.size()) - 1;
    std::vector<double> penalty(static_cast<std::size_t>(k * nchains));
    std::vector<Eigen::MatrixXd> gram_partial(nblocks), cross_partial(nblocks);

    double previous = std::numeric_limits<double>::quiet_NaN();
    int calm = 0;
    result.status = Status::MaxIterations;
    for (int it = 1; it <= options_.max_iterations; ++it) {
      // W <- max(0, Y Mᵀ) with M = (HHᵀ + D)⁻¹ H.
      Eigen::LLT<Eigen::MatrixXd> llt;
      if (!factor(H * H.transpose(), llt)) {
        result.status = Status::NumericalIssue;
        break;
      }
      const Matrix Mt = llt.solve(H).transpose().template cast<Scalar>();  // m x k
      detail::parallel_for(threads, nblocks, [&](Eigen::Index b) {
        auto Wb = W.middleRows(blocks.start(b), blocks.size(b));
        Wb.noalias() = data.Y.middleRows(blocks.start(b), blocks.size(b)) * Mt;
        Wb = Wb.cwiseMax(Scalar(0));
      });
      // The regularizer, one column of one chain at a time, and its penalty.
      detail::parallel_for(threads, k * nchains, [&](Eigen::Index item) {
        const Eigen::Index j = item / nchains, c = item % nchains;
        const Eigen::Index first = chains[std::size_t(c)], rows = chains[std::size_t(c) + 1] - first;
        Scalar* column = W.col(j).data() + first;
        const Scalar* weights = data.weights ? data.weights + first : nullptr;
        regularizer_.prox(column, weights, rows, data_scale,
                          workspaces[static_cast<std::size_t>(detail::thread_index())]);
        penalty[static_cast<std::size_t>(item)] = regularizer_.penalty(column, weights, rows, data_scale);
      });
      double penalty_total = 0.0;  // in a fixed order
      for (double p : penalty) penalty_total += p;
      detail::reduce_sum(reduce, &penalty_total, 1);
      // WᵀW and WᵀY (weighted) in one pass.
      detail::parallel_for(threads, nblocks, [&](Eigen::Index b) {
        const Eigen::Index start = blocks.start(b), rows = blocks.size(b);
        Matrix weighted;  // Wᵀ diag(w): the block of W with its rows scaled by their weights
        if (data.weights) {
          weighted = W.middleRows(start, rows);
          for (Eigen::Index i = 0; i < rows; ++i) weighted.row(i) *= data.weights[start + i];
        }
        std::vector<const Scalar*> w_cols(static_cast<std::size_t>(k)), lhs_cols(static_cast<std::size_t>(k)),
            y_cols(static_cast<std::size_t>(m));
        for (Eigen::Index j = 0; j < k; ++j) {
          w_cols[std::size_t(j)] = W.col(j).data() + start;
          lhs_cols[std::size_t(j)] = data.weights ? weighted.col(j).data() : w_cols[std::size_t(j)];
        }
        for (Eigen::Index c = 0; c < m; ++c) y_cols[std::size_t(c)] = data.Y.col(c).data() + start;
        gram_partial[b].setZero(k, k);
        cross_partial[b].setZero(k, m);
        detail::add_thin_product(lhs_cols.data(), k, w_cols.data(), k, rows, gram_partial[b].data());
        detail::add_thin_product(lhs_cols.data(), k, y_cols.data(), m, rows, cross_partial[b].data());
      });
      Eigen::MatrixXd WtW = detail::sum_in_order(gram_partial);
      Eigen::MatrixXd WtY = detail::sum_in_order(cross_partial);
      detail::reduce_sum(reduce, WtW);
      detail::reduce_sum(reduce, WtY);

      // H <- max(0, (WᵀW + D)⁻¹ WᵀY).
      if (!factor(WtW, llt)) {
        result.status = Status::NumericalIssue;
        break;
      }
      H = llt.solve(WtY).cwiseMax(0.0);

      double objective = 0.5 * (y_norm2 - 2.0 * WtY.cwiseProduct(H).sum() +
                                WtW.cwiseProduct(H * H.transpose()).sum());
      objective += penalty_total;
      h_scale = normalise_rows(H);
      result.objective.push_back(objective);
      result.iterations = it;
      if (!std::isfinite(objective)) {
        result.status = Status::NumericalIssue;
        break;
      }
      const double change = std::abs(previous - objective) / std::max(std::abs(previous), 1e-300);
      if (options_.progress) options_.progress(Progress{it, objective, it == 1 ? 1.0 : change});
      calm = (it > 1 && change < options_.tolerance) ? calm + 1 : 0;
      previous = objective;
      if (calm >= options_.patience) {
        result.status = Status::Converged;
        break;
      }
    }
    // H's rows were rescaled after the last solve: carry that scale into W so that WH fits Y.
    for (Eigen::Index j = 0; j < k; ++j) W.col(j) *= static_cast<Scalar>(h_scale(j));
    result.H = H.template cast<Scalar>();
    return result;
  }

  // Scales each non-zero row of H to unit RMS; returns the factors divided out.
  static Eigen::VectorXd normalise_rows(Eigen::MatrixXd& H) {
    Eigen::VectorXd scale(H.rows());
    for (Eigen::Index j = 0; j < H.rows(); ++j) {
      const double rms = H.row(j).norm() / std::sqrt(static_cast<double>(H.cols()));
      scale(j) = rms > 0 ? rms : 1.0;
      H.row(j) /= scale(j);
    }
    return scale;
  }

  NMFOptions options_;
  Regularizer regularizer_;
};

}  // namespace fusednmf
