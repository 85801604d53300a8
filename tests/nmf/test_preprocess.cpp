#include <catch2/catch.hpp>

#include <fusednmf/nmf.hpp>
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
  // Over several chromosomes the counts add up: 1 non-zero bin of 20 plus 19 of 20 is dense.
  sparse.values.col(0).setZero();
  CHECK(auto_smoothing_window<double>({&sparse, &dense}, 200) == 200);
  CHECK(auto_smoothing_window<double>({&sparse, &sparse}, 200) == 5000);
  const SegmentedMatrix<double> elsewhere;  // another process's chromosome: no columns here
  CHECK(auto_smoothing_window<double>({&elsewhere, &dense}, 200) == 200);
}

TEST_CASE("masked intervals: values under the mask reach nothing, through smoothing, merging and the fit", "[preprocess][missing]") {
  SegmentedMatrix<float> a;
  a.values.resize(400, 3);
  a.lengths = Eigen::VectorXf::Constant(400, 200.f);
  for (Eigen::Index i = 0; i < 400; ++i)
    for (Eigen::Index c = 0; c < 3; ++c) a.values(i, c) = float(((i / 25 + c) % 3) + 0.1 * double(c));
  SegmentedMatrix<float> b = a;  // the same, except under the excluded intervals
  b.values.middleRows(100, 20).setConstant(50.f);
  b.values.middleRows(300, 5).setConstant(7.f);
  const std::vector<std::pair<std::int64_t, std::int64_t>> excluded{{1000 + 100 * 200, 1000 + 120 * 200},
                                                                   {1000 + 300 * 200 + 1, 1000 + 305 * 200}};
  CHECK(mask_intervals(a, 1000, excluded) == 25 * 200);
  CHECK(mask_intervals(b, 1000, excluded) == 25 * 200);
  box_smooth_bins(a, 11);
  box_smooth_bins(b, 11);
  const auto same = [](const Eigen::MatrixXf& x, const Eigen::MatrixXf& y) {
    return x.rows() == y.rows() && ((x.array() == y.array()) || (x.array().isNaN() && y.array().isNaN())).all();
  };
  CHECK(same(a.values, b.values));
  CHECK(a.values.col(0).array().isNaN().count() == 25);
  const auto ma = merge_equal_rows(a), mb = merge_equal_rows(b);
  CHECK(ma.segments() < a.segments());  // missing rows merge with each other
  CHECK(same(ma.values, mb.values));
  NMFOptions o;
  o.rank = 2;
  o.missing = MissingValues::Mask;
  o.max_iterations = 50;
  const auto fa = NMF<FusedLasso<float>>(o, FusedLasso<float>{200.0, 0.0}).fit(ma);
  const auto fb = NMF<FusedLasso<float>>(o, FusedLasso<float>{200.0, 0.0}).fit(mb);
  CHECK(fa.W == fb.W);
  CHECK(fa.H == fb.H);
  CHECK(fa.W.allFinite());
  // The sparsity rule counts observed non-zero bins only.
  CHECK(auto_smoothing_window(a, 200) == 200);
}
