#pragma once
// The passes of Poisson NMF's multiplicative updates on sparse counts (PoissonNMF::fit with a
// sparse V). V ⊘ WH is 0 wherever V is, so the numerators Wᵀ (V ⊘ WH) and (V ⊘ WH) Hᵀ need WH
// only at the stored entries: a pass costs O(stored entries x R) instead of O(N x M x R), and the
// N x M matrices WH and V ⊘ WH never exist, not even a block of them. The denominators (sums of
// W's columns and H's rows) and sum(WH) = colsum(W) · rowsum(H) need no pass.
//
// Held-out cells (HeldOutCells, for cross-validation) are left out exactly: their stored counts
// are dropped from V (without_held_out), and the denominators and sum(WH), which run over every
// cell, lose the held-out cells' terms (held_out_column_sums, held_out_row_sums): O(held-out x R).
//
// W is kept transposed (R x N, Wt) so that a gene's loadings are contiguous. Every entry of the
// numerators comes from one thread, and the partial sums of the log-likelihood are added in a
// fixed block order: the same bytes whatever the thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "../held_out_cells.hpp"
#include "parallel.hpp"
#include "row_blocks.hpp"

namespace fusednmf::detail {

/// Sparse counts stored twice: by sample (column-major) for the H pass, by gene (row-major) for
/// the W pass.
struct SparseCounts {
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> by_sample;
  Eigen::SparseMatrix<double, Eigen::RowMajor, int> by_gene;
  double log_factorials = 0;  ///< Σ lgamma(v + 1) over the stored entries (0 elsewhere)

  explicit SparseCounts(Eigen::SparseMatrix<double, Eigen::ColMajor, int> counts)
      : by_sample(std::move(counts)), by_gene(by_sample) {
    by_sample.makeCompressed();
    by_gene.makeCompressed();
    const double* values = by_sample.valuePtr();
    for (Eigen::Index e = 0; e < by_sample.nonZeros(); ++e) log_factorials += std::lgamma(values[e] + 1.0);
  }
  Eigen::Index rows() const { return by_sample.rows(); }
  Eigen::Index cols() const { return by_sample.cols(); }
};

/// Samples per block of the H pass (each block's Σ v log WH is one partial sum).
inline constexpr Eigen::Index kSparseSampleBlock = 64;

/// The H pass: numerator(:, c) = Σ_i v_ic / (WH)_ic · W(i, :)ᵀ for every sample c; returns
/// Σ v log (WH) over the stored entries, (WH) floored at `floor`.
inline double sparse_h_pass(const SparseCounts& V, const Eigen::MatrixXd& Wt, const Eigen::MatrixXd& H,
                            Eigen::MatrixXd& numerator, double floor, int threads) {
  const RowBlocks samples{V.cols(), kSparseSampleBlock};
  std::vector<double> v_log_mean(std::size_t(samples.count()), 0.0);
  numerator.setZero(H.rows(), H.cols());
  const int* outer = V.by_sample.outerIndexPtr();
  const int* inner = V.by_sample.innerIndexPtr();
  const double* values = V.by_sample.valuePtr();
  parallel_for(threads, long(samples.count()), [&](long b) {
    double partial = 0.0;
    for (Eigen::Index c = samples.start(b); c < samples.start(b) + samples.size(b); ++c) {
      auto h = H.col(c);
      auto out = numerator.col(c);
      for (int e = outer[c]; e < outer[c + 1]; ++e) {
        const auto w = Wt.col(inner[e]);
        const double mean = std::max(w.dot(h), floor), v = values[e];
        partial += v * std::log(mean);
        out.noalias() += (v / mean) * w;
      }
    }
    v_log_mean[std::size_t(b)] = partial;
  });
  return v_log_mean.empty() ? 0.0 : sum_in_order(v_log_mean);
}

/// V without the stored counts of held-out cells (both sorted by row within each column).
inline Eigen::SparseMatrix<double, Eigen::ColMajor, int> without_held_out(
    const Eigen::SparseMatrix<double, Eigen::ColMajor, int>& V, const HeldOutCells& held_out) {
  std::vector<Eigen::Triplet<double, int>> kept;
  kept.reserve(std::size_t(V.nonZeros()));
  const auto& hidden_rows = held_out.rows_by_column();
  for (Eigen::Index c = 0; c < V.outerSize(); ++c) {
    std::int64_t h = held_out.column_begin(c);
    for (Eigen::SparseMatrix<double, Eigen::ColMajor, int>::InnerIterator it(V, c); it; ++it) {
      while (h < held_out.column_end(c) && hidden_rows[std::size_t(h)] < it.row()) ++h;
      if (h < held_out.column_end(c) && hidden_rows[std::size_t(h)] == it.row()) continue;
      kept.emplace_back(int(it.row()), int(c), it.value());
    }
  }
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> out(V.rows(), V.cols());
  out.setFromTriplets(kept.begin(), kept.end());
  return out;
}

/// Column c: Σ of W's rows over the cells held out in column c (R x M); what Wᵀ M lacks of Wᵀ 1.
inline Eigen::MatrixXd held_out_column_sums(const HeldOutCells& held_out, const Eigen::MatrixXd& Wt) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(Wt.rows(), held_out.cols());
  const auto& rows = held_out.rows_by_column();
  for (Eigen::Index c = 0; c < held_out.cols(); ++c)
    for (std::int64_t h = held_out.column_begin(c); h < held_out.column_end(c); ++h)
      sums.col(c) += Wt.col(rows[std::size_t(h)]);
  return sums;
}

/// Row i: Σ of H's columns over the cells held out in row i (R x N); what M Hᵀ lacks of 1 Hᵀ.
inline Eigen::MatrixXd held_out_row_sums(const HeldOutCells& held_out, const Eigen::MatrixXd& H) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(H.rows(), held_out.rows());
  const auto& cols = held_out.columns_by_row();
  for (Eigen::Index i = 0; i < held_out.rows(); ++i)
    for (std::int64_t h = held_out.row_begin(i); h < held_out.row_end(i); ++h) sums.col(i) += H.col(cols[std::size_t(h)]);
  return sums;
}

/// The W pass: Wt(:, i) ⊙= g_i ⊘ d_i for every gene i, g_i = Σ_c v_ic / (WH)_ic · H(:, c) and
/// d_i = h_rowsum, less held_out_row_sums(:, i) when cells are held out.
/// Returns W's part of the KKT residual before the update, Σ_i ||min(w_i, d_i - g_i)||²
/// (d_i - g_i is the gradient of the negative log-likelihood in w_i).
inline double sparse_w_pass(const SparseCounts& V, Eigen::MatrixXd& Wt, const Eigen::MatrixXd& H,
                            const Eigen::VectorXd& h_rowsum, const Eigen::MatrixXd* held_out_row_sums, double floor,
                            int threads) {
  const RowBlocks genes{V.rows(), 256};
  const Eigen::VectorXd h_rowsum_inverse = h_rowsum.cwiseMax(floor).cwiseInverse();
  std::vector<double> kkt(std::size_t(genes.count()), 0.0);
  const int* outer = V.by_gene.outerIndexPtr();
  const int* inner = V.by_gene.innerIndexPtr();
  const double* values = V.by_gene.valuePtr();
  parallel_for(threads, long(genes.count()), [&](long b) {
    Eigen::VectorXd grow(H.rows());
    double partial = 0.0;
    for (Eigen::Index i = genes.start(b); i < genes.start(b) + genes.size(b); ++i) {
      auto w = Wt.col(i);
      grow.setZero();
      for (int e = outer[i]; e < outer[i + 1]; ++e) {
        const auto h = H.col(inner[e]);
        grow.noalias() += (values[e] / std::max(w.dot(h), floor)) * h;
      }
      if (held_out_row_sums) {
        const Eigen::VectorXd denominator = h_rowsum - held_out_row_sums->col(i);
        partial += w.cwiseMin(denominator - grow).squaredNorm();
        w.array() *= grow.array() / denominator.array().max(floor);
      } else {
        partial += w.cwiseMin(h_rowsum - grow).squaredNorm();
        w.array() *= grow.array() * h_rowsum_inverse.array();
      }
    }
    kkt[std::size_t(b)] = partial;
  });
  return kkt.empty() ? 0.0 : sum_in_order(kkt);
}

}  // namespace fusednmf::detail
