// The engine's hand-written Aᵀ B for tall, thin blocks against Eigen's product in double:
// every strip width and column remainder, row counts that are not a multiple of the SIMD width,
// several chunks, and accumulation into what is already there.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include <fusednmf/detail/thin_products.hpp>

namespace {

template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

template <class Scalar>
Matrix<Scalar> random_block(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 2.0);
  Matrix<Scalar> M(rows, cols);
  for (Eigen::Index c = 0; c < cols; ++c)
    for (Eigen::Index r = 0; r < rows; ++r) M(r, c) = static_cast<Scalar>(u(rng));
  return M;
}

template <class Scalar>
std::vector<const Scalar*> columns(const Matrix<Scalar>& M) {
  std::vector<const Scalar*> cols;
  for (Eigen::Index c = 0; c < M.cols(); ++c) cols.push_back(M.col(c).data());
  return cols;
}

}  // namespace

TEMPLATE_TEST_CASE("add_thin_product equals Eigen's AᵀB in double", "[nmf][kernel]", float, double) {
  std::mt19937_64 rng(11);
  const Eigen::Index chunk = fusednmf::detail::kThinProductChunkRows;
  for (Eigen::Index rows : {Eigen::Index(1), Eigen::Index(15), Eigen::Index(17), Eigen::Index(1000), chunk + 37}) {
    for (Eigen::Index ka : {1, 2, 3, 4, 5, 6, 7, 10, 11}) {
      for (Eigen::Index kb : {1, 2, 3, 4, 5, 30}) {
        const Matrix<TestType> A = random_block<TestType>(rows, ka, rng);
        const Matrix<TestType> B = random_block<TestType>(rows, kb, rng);
        const Eigen::MatrixXd start = Eigen::MatrixXd::Constant(ka, kb, 0.5);
        Eigen::MatrixXd out = start;
        const auto a = columns(A), b = columns(B);
        fusednmf::detail::add_thin_product(a.data(), ka, b.data(), kb, rows, out.data());
        const Eigen::MatrixXd expected = start + A.template cast<double>().transpose() * B.template cast<double>();
        const double tolerance = (std::is_same_v<TestType, float> ? 1e-5 : 1e-12) * double(rows);
        INFO("rows " << rows << ", ka " << ka << ", kb " << kb);
        CHECK((out - expected).cwiseAbs().maxCoeff() <= tolerance);
      }
    }
  }
}

TEST_CASE("add_thin_product reads blocks of column-major matrices in place", "[nmf][kernel]") {
  std::mt19937_64 rng(12);
  const Matrix<float> W = random_block<float>(300, 4, rng), Y = random_block<float>(300, 7, rng);
  const Eigen::Index start = 101, rows = 150;  // a middle block: columns have stride 300
  std::vector<const float*> a, b;
  for (Eigen::Index j = 0; j < W.cols(); ++j) a.push_back(W.col(j).data() + start);
  for (Eigen::Index c = 0; c < Y.cols(); ++c) b.push_back(Y.col(c).data() + start);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(4, 7);
  fusednmf::detail::add_thin_product(a.data(), 4, b.data(), 7, rows, out.data());
  const Eigen::MatrixXd expected = W.middleRows(start, rows).cast<double>().transpose() *
                                   Y.middleRows(start, rows).cast<double>();
  CHECK((out - expected).cwiseAbs().maxCoeff() <= 1e-3);
}
