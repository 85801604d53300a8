#pragma once
// Starting points for H (k x m). Every pass over Y goes through fixed row blocks with
// weighted sums, so segmented input gives the same start as its expansion.
#include <algorithm>
#include <stdexcept>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "../nmf_options.hpp"
#include "../reducer.hpp"
#include "dense_linalg.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "row_blocks.hpp"

namespace fusednmf::detail {

/// Read-only view of the data: rows x m values and optional row weights (run lengths).
template <class Scalar>
struct DataView {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  Eigen::Ref<const Matrix> Y;
  const Scalar* weights;  // nullptr: every row counts once
  double weight(Eigen::Index i) const { return weights ? double(weights[i]) : 1.0; }
};

/// Yᵀ diag(w) Y, m x m, in double.
template <class Scalar>
Eigen::MatrixXd weighted_gram(const DataView<Scalar>& data, int threads, const Reducer& reduce) {
  const RowBlocks blocks{data.Y.rows()};
  std::vector<Eigen::MatrixXd> partial(blocks.count());
  parallel_for(threads, blocks.count(), [&](Eigen::Index b) {
    Eigen::MatrixXd Yb = data.Y.middleRows(blocks.start(b), blocks.size(b)).template cast<double>();
    Eigen::MatrixXd Ywb = Yb;
    if (data.weights)
      for (Eigen::Index i = 0; i < Yb.rows(); ++i) Ywb.row(i) *= data.weight(blocks.start(b) + i);
    partial[b] = Ywb.transpose() * Yb;
  });
  Eigen::MatrixXd gram = partial.empty() ? Eigen::MatrixXd::Zero(data.Y.cols(), data.Y.cols()) : sum_in_order(partial);
  reduce_sum(reduce, gram);
  return gram;
}

/// Rows of H that no singular pair can fill (k > rank): seeded random, at the average level.
inline void pad_rows(Eigen::MatrixXd& H, Eigen::Index from, Random& rng) {
  double level = from > 0 ? std::max(H.topRows(from).mean(), 1e-12) : 1.0;
  for (Eigen::Index j = from; j < H.rows(); ++j)
    for (Eigen::Index c = 0; c < H.cols(); ++c) H(j, c) = level * (0.5 + rng.uniform());
}

/// NNDSVD / NNDSVDa from the exact SVD of Y through its m x m Gram matrix.
template <class Scalar>
Eigen::MatrixXd init_nndsvd(const DataView<Scalar>& data, Eigen::Index k, bool fill_average,
                            Random& rng, int threads, const Reducer& reduce) {
  const Eigen::Index m = data.Y.cols();
  const SymmetricEigen eig = symmetric_eigen(weighted_gram(data, threads, reduce));
  // Ascending: the leading pairs are at the end.
  const double top = std::max(eig.values(m - 1), 0.0);
  Eigen::Index r = 0;
  while (r < std::min(k, m) && eig.values(m - 1 - r) > 1e-12 * top && top > 0) ++r;
  Eigen::MatrixXd V(m, r);
  Eigen::VectorXd sigma(r);
  for (Eigen::Index j = 0; j < r; ++j) {
    V.col(j) = eig.vectors.col(m - 1 - j);
    sigma(j) = std::sqrt(eig.values(m - 1 - j));
  }
  // Norms of the positive and negative parts of each left vector u_j = Y v_j / sigma_j.
  const RowBlocks blocks{data.Y.rows()};
  std::vector<Eigen::MatrixXd> partial(blocks.count());
  parallel_for(threads, blocks.count(), [&](Eigen::Index b) {
    Eigen::MatrixXd U = data.Y.middleRows(blocks.start(b), blocks.size(b)).template cast<double>() * V;
    partial[b] = Eigen::MatrixXd::Zero(2, r);
    for (Eigen::Index i = 0; i < U.rows(); ++i) {
      const double w = data.weight(blocks.start(b) + i);
      for (Eigen::Index j = 0; j < r; ++j) {
        const double u = U(i, j);
        partial[b](u > 0 ? 0 : 1, j) += w * u * u;
      }
    }
  });
  Eigen::MatrixXd unorm = (r > 0 && !partial.empty()) ? sum_in_order(partial) : Eigen::MatrixXd::Zero(2, r);
  reduce_sum(reduce, unorm);

  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(k, m);
  for (Eigen::Index j = 0; j < r; ++j) {
    Eigen::VectorXd vp = V.col(j).cwiseMax(0.0), vn = (-V.col(j)).cwiseMax(0.0);
    const double up = std::sqrt(unorm(0, j)), un = std::sqrt(unorm(1, j));
    const double mp = up * vp.norm(), mn = un * vn.norm();
    const Eigen::VectorXd& v = mp >= mn ? vp : vn;
    const double mass = std::max(mp, mn), vnorm = v.norm();
    if (vnorm > 0) H.row(j) = (std::sqrt(sigma(j) * mass) / vnorm) * v.transpose();
  }
  pad_rows(H, r, rng);
  if (fill_average) {
    const double average = H.mean();
    H = (H.array() > 0).select(H, average);
  }
  return H;
}

/// H from singular pairs (values descending, right vectors as V's columns): row j is σ_j times
/// v_j signed so that its largest loading is positive, negatives clipped; rows no pair fills
/// are padded; every entry at least 1e-6 of the largest, since a row of H with exact zeros (all
/// of it, after the clipping) would give its column of W nothing to fit there, and the factor
/// could start dead.
inline Eigen::MatrixXd clipped_singular_rows(const Eigen::VectorXd& values, const Eigen::MatrixXd& V, Eigen::Index k,
                                             Random& rng) {
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(k, V.rows());
  const Eigen::Index r = std::min<Eigen::Index>(k, values.size());
  Eigen::Index filled = 0;
  for (Eigen::Index j = 0; j < r && values(j) > 1e-12 * values(0); ++j) {
    Eigen::VectorXd v = V.col(j);
    Eigen::Index big;
    v.cwiseAbs().maxCoeff(&big);
    if (v(big) < 0) v = -v;
    H.row(j) = values(j) * v.cwiseMax(0.0).transpose();
    filled = j + 1;
  }
  pad_rows(H, filled, rng);
  const double floor = 1e-6 * std::max(H.maxCoeff(), 1e-300);
  return H.array().max(floor).matrix();
}

/// Init::ClippedSVD: clipped_singular_rows of the exact SVD, from the Gram matrix's eigenpairs.
template <class Scalar>
Eigen::MatrixXd init_clipped_svd(const DataView<Scalar>& data, Eigen::Index k, Random& rng, int threads,
                                 const Reducer& reduce) {
  const SymmetricEigen eig = symmetric_eigen(weighted_gram(data, threads, reduce));
  // Ascending eigenvalues: the leading pairs are at the end. Rounding can leave a null
  // direction's eigenvalue slightly negative: it counts as 0.
  const Eigen::VectorXd values = eig.values.reverse().cwiseMax(0.0).cwiseSqrt();
  return clipped_singular_rows(values, eig.vectors.rowwise().reverse(), k, rng);
}

/// Halko, Martinsson & Tropp: Gaussian sketch with oversampling 10 and 2 power iterations on
/// diag(sqrt w) Y, then the SVD of the small projection. Needs rows x (k + 10) scratch.
template <class Scalar>
Eigen::MatrixXd init_randomized_svd(const DataView<Scalar>& data, Eigen::Index k, Random& rng) {
  const Eigen::Index n = data.Y.rows(), m = data.Y.cols();
  const Eigen::Index l = std::min(k + 10, m);
  Eigen::VectorXd sqrt_w(n);
  for (Eigen::Index i = 0; i < n; ++i) sqrt_w(i) = std::sqrt(data.weight(i));
  auto apply = [&](const Eigen::MatrixXd& right) -> Eigen::MatrixXd {  // diag(sqrt w) Y right
    Eigen::MatrixXd Z = data.Y.template cast<double>() * right;
    return sqrt_w.asDiagonal() * Z;
  };
  Eigen::MatrixXd omega(m, l);
  for (Eigen::Index i = 0; i < omega.size(); ++i) omega(i) = rng.normal();
  Eigen::MatrixXd Q = orthonormal_columns(apply(omega));
  for (int power = 0; power < 2; ++power) {
    Eigen::MatrixXd YtQ = data.Y.template cast<double>().transpose() * (sqrt_w.asDiagonal() * Q);
    Q = orthonormal_columns(apply(YtQ));
  }
  Eigen::MatrixXd B = (sqrt_w.asDiagonal() * Q).transpose() * data.Y.template cast<double>();  // l x m
  const RightSingular svd = right_singular(B);
  return clipped_singular_rows(svd.values, svd.V, k, rng);
}

template <class Scalar>
Eigen::MatrixXd initial_h(const DataView<Scalar>& data, Eigen::Index k, Init init, std::uint64_t seed,
                          int threads, const Reducer& reduce = {}) {
  Random rng(seed);
  switch (init) {
    case Init::Random: {
      Eigen::MatrixXd H(k, data.Y.cols());
      for (Eigen::Index i = 0; i < H.size(); ++i) H(i) = rng.uniform();
      return H;
    }
    case Init::RandomizedSVD:
      if (reduce)
        throw std::invalid_argument("NMF: init rsvd cannot be split across processes; use nndsvda, nndsvd or random");
      return init_randomized_svd(data, k, rng);
    case Init::NNDSVD: return init_nndsvd(data, k, false, rng, threads, reduce);
    case Init::NNDSVDa: return init_nndsvd(data, k, true, rng, threads, reduce);
    case Init::ClippedSVD: return init_clipped_svd(data, k, rng, threads, reduce);
  }
  return {};
}

}  // namespace fusednmf::detail
