#include <fusednmf/fusednmf.hpp>

int main() {
  Eigen::VectorXd y(4);
  y << 0, 0, 10, 10;
  Eigen::VectorXd x = fusednmf::FusedLassoProx<double>(1.0)(y);
  return (x(0) > 0.4 && x(0) < 0.6 && FUSEDNMF_VERSION_MAJOR == 0) ? 0 : 1;
}
