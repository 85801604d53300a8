#pragma once
// The small dense decompositions the NMF fits use, all in double on k x k, m x m or rows x (k + 10)
// matrices: the symmetric eigensolver (NNDSVD's start), a thin QR and an SVD (the randomized SVD
// start), and a Cholesky solve (projected ALS).
//
// Why they sit behind plain functions: Eigen's decompositions are compiled wherever they are
// used, and together they cost about 12 s of compile per file at -O3, in every file that fits an
// NMF. They are header-only by default (inline, from dense_linalg_impl.hpp). A program that
// compiles many such files may instead define FUSEDNMF_SEPARATE_LINALG in every one of them and
// include <fusednmf/detail/dense_linalg_impl.hpp> in exactly one .cpp, which then holds the only
// copy (the way Asio's ASIO_SEPARATE_COMPILATION works). This project's own programs and tests do
// that (CMakeLists.txt, fusednmf_dense_linalg); the installed-package test uses the default.
#include <Eigen/Core>

#ifdef FUSEDNMF_SEPARATE_LINALG
#define FUSEDNMF_LINALG_DECL
#else
#define FUSEDNMF_LINALG_DECL inline
#endif

namespace fusednmf::detail {

/// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.
struct SymmetricEigen {
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
};
FUSEDNMF_LINALG_DECL SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& G);

/// The thin Q of a Householder QR of Z (rows x cols, rows >= cols): orthonormal columns spanning
/// Z's.
FUSEDNMF_LINALG_DECL Eigen::MatrixXd orthonormal_columns(const Eigen::MatrixXd& Z);

/// Singular values (descending) and the thin right singular vectors of B, by Jacobi SVD.
struct RightSingular {
  Eigen::VectorXd values;
  Eigen::MatrixXd V;
};
FUSEDNMF_LINALG_DECL RightSingular right_singular(const Eigen::MatrixXd& B);

/// X = (G + ridge I)⁻¹ B by Cholesky, with ridge = l2 · mean diagonal of G (at least the smallest
/// positive double). False, and X untouched, when G + ridge I is not numerically positive definite.
FUSEDNMF_LINALG_DECL bool ridge_solve(Eigen::MatrixXd G, double l2, const Eigen::MatrixXd& B, Eigen::MatrixXd& X);

}  // namespace fusednmf::detail

#ifndef FUSEDNMF_SEPARATE_LINALG
#include "dense_linalg_impl.hpp"
#endif
