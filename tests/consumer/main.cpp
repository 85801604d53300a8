// A downstream program on the installed headers alone: the prox, and the dense decompositions
// that the library compiles inline by default (detail/dense_linalg.hpp; this project's own
// targets compile them once instead), so that the header-only default is checked to link.
#include <cmath>

#include <fusednmf/fusednmf.hpp>

int main() {
  Eigen::VectorXd y(4);
  y << 0, 0, 10, 10;
  Eigen::VectorXd x = fusednmf::FusedLassoProx<double>(1.0)(y);
  bool ok = x(0) > 0.4 && x(0) < 0.6 && FUSEDNMF_VERSION_MAJOR == 0;

  Eigen::MatrixXd Z(3, 2);
  Z << 1, 0, 0, 2, 0, 0;
  const Eigen::MatrixXd G = Z.transpose() * Z;  // diag(1, 4)
  ok = ok && std::abs(fusednmf::detail::symmetric_eigen(G).values(1) - 4.0) < 1e-12;
  ok = ok && std::abs(fusednmf::detail::right_singular(Z).values(0) - 2.0) < 1e-12;
  const Eigen::MatrixXd Q = fusednmf::detail::orthonormal_columns(Z);
  ok = ok && (Q.transpose() * Q - Eigen::MatrixXd::Identity(2, 2)).norm() < 1e-12;
  Eigen::MatrixXd X;
  ok = ok && fusednmf::detail::ridge_solve(G, 0.0, G, X) && (X - Eigen::MatrixXd::Identity(2, 2)).norm() < 1e-9;
  return ok ? 0 : 1;
}
