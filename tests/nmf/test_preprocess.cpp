#include <catch2/catch.hpp>

#include <fusednmf/preprocess.hpp>

using namespace fusednmf;

namespace {
SegmentedMatrix<double> segments(std::initializer_list<double> values, std::initializer_list<double> lengths) {
  SegmentedMatrix<double> Y;
  Y.values = Eigen::Map<const Eigen::VectorXd>(values.begin(), Eigen::Index(values.size()));
  Y.lengths = Eigen::Map<const Eigen::VectorXd>(lengths.begin(), Eigen::Index(lengths.size()));
  return Y;
}
}  // namespace

TEST_CASE("average_into_bins averages expanded rows, the last bin may be short", "[preprocess]") {
  auto Y = segments({1, 4, 0}, {3, 3, 5});  // 1 1 1 4 4 4 0 0 0 0 0
  auto B = average_into_bins(Y, 4);         // [1 1 1 4] [4 4 0 0] [0 0 0]
  REQUIRE(B.segments() == 3);
  CHECK(B.values(0, 0) == Approx(7.0 / 4));
  CHECK(B.values(1, 0) == Approx(2.0));
  CHECK(B.values(2, 0) == Approx(0.0));
  CHECK(B.lengths[2] == 3);
  CHECK(B.expanded_rows() == Y.expanded_rows());
  CHECK_THROWS_AS(average_into_bins(Y, 0), std::invalid_argument);
}

TEST_CASE("box_smooth_bins is a weighted centred moving average, truncated at the ends", "[preprocess]") {
  auto Y = segments({0, 3, 0, 6}, {1, 1, 2, 1});
  box_smooth_bins(Y, 3);
  CHECK(Y.values(0, 0) == Approx((0 + 3) / 2.0));
  CHECK(Y.values(1, 0) == Approx((0 + 3 + 0) / 4.0));  // weights 1, 1, 2
  CHECK(Y.values(2, 0) == Approx((3 + 0 + 6) / 4.0));
  CHECK(Y.values(3, 0) == Approx((0 + 6) / 3.0));
}

TEST_CASE("smooth_at_scales stacks one smoothed copy per window; merge_equal_rows re-compresses", "[preprocess]") {
  auto Y = segments({0, 0, 5, 0, 0}, {10, 10, 10, 10, 10});
  auto S = smooth_at_scales(Y, {0, 30}, 10);
  REQUIRE(S.cols() == 2);
  CHECK(S.values.col(0) == Y.values.col(0));
  CHECK(S.values(1, 1) == Approx(5.0 / 3));
  auto M = merge_equal_rows(segments({1, 1, 2, 2, 2, 1}, {2, 3, 1, 1, 1, 4}));
  REQUIRE(M.segments() == 3);
  CHECK(M.lengths[0] == 5);
  CHECK(M.lengths[1] == 3);
  CHECK(M.expanded_rows() == 12);
}

TEST_CASE("auto_smoothing_window smooths sparse calls at gene scale and leaves dense signal", "[preprocess]") {
  SegmentedMatrix<double> sparse;  // 3 tracks, each non-zero in 1 of 20 bins
  sparse.values = Eigen::MatrixXd::Zero(20, 3);
  sparse.values.row(4).setOnes();
  sparse.lengths = Eigen::VectorXd::Constant(20, 200);
  CHECK(auto_smoothing_window(sparse, 200) == 5000);
  SegmentedMatrix<double> dense = sparse;  // non-zero in 19 of 20 bins
  dense.values.setOnes();
  dense.values.row(7).setZero();
  CHECK(auto_smoothing_window(dense, 200) == 200);
  // The median track decides: one dense track among sparse ones does not change the verdict.
  sparse.values.col(0).setOnes();
  CHECK(auto_smoothing_window(sparse, 200) == 5000);
}
