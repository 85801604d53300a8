#pragma once
// Definitions of dense_linalg.hpp's functions: included by it (inline) unless
// FUSEDNMF_SEPARATE_LINALG is defined, in which case exactly one .cpp of the program includes
// this header (see dense_linalg.hpp).
#include <algorithm>
#include <limits>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "dense_linalg.hpp"

namespace fusednmf::detail {

FUSEDNMF_LINALG_DECL SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& G) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G);
  return {eig.eigenvalues(), eig.eigenvectors()};
}

FUSEDNMF_LINALG_DECL Eigen::MatrixXd orthonormal_columns(const Eigen::MatrixXd& Z) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(Z);
  return qr.householderQ() * Eigen::MatrixXd::Identity(Z.rows(), Z.cols());
}

FUSEDNMF_LINALG_DECL RightSingular right_singular(const Eigen::MatrixXd& B) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(B, Eigen::ComputeThinV);
  return {svd.singularValues(), svd.matrixV()};
}

FUSEDNMF_LINALG_DECL bool ridge_solve(Eigen::MatrixXd G, double l2, const Eigen::MatrixXd& B, Eigen::MatrixXd& X) {
  const double ridge = l2 * G.trace() / static_cast<double>(G.rows());
  G.diagonal().array() += std::max(ridge, std::numeric_limits<double>::min());
  Eigen::LLT<Eigen::MatrixXd> llt(G);
  if (llt.info() != Eigen::Success || !llt.matrixLLT().allFinite()) return false;
  X = llt.solve(B);
  return true;
}

}  // namespace fusednmf::detail
