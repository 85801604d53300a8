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

TEST_CASE("smooth_at_scales stacks one smoothed copy per window, and merge_equal_rows re-compresses", "[preprocess]") {
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

TEST_CASE("preprocess runs window, smoothing, merging, layout, transform and scaling in that order", "[preprocess]") {
  auto chromosome = [](Eigen::Index rows, int seed) {  // sparse calls: a few non-zero bins
    SegmentedMatrix<float> t;
    t.values = Eigen::MatrixXf::Zero(rows, 3);
    for (Eigen::Index i = seed; i < rows; i += 17) t.values(i, i % 3) = float(1 + i % 5);
    t.lengths = Eigen::VectorXf::Constant(rows, 200.f);
    return t;
  };
  const std::vector<SegmentedMatrix<float>> input{chromosome(300, 2), chromosome(120, 5)};
  PreprocessOptions options;  // auto window, sqrt, unit RMS
  auto got = preprocess<float>({"chr1", "chr2"}, 1000, std::vector<SegmentedMatrix<float>>(input), options);
  REQUIRE(got.windows == std::vector<std::int64_t>{5000});  // sparse: gene scale

  std::vector<SegmentedMatrix<float>> by_hand;
  for (const auto& t : input) by_hand.push_back(merge_equal_rows(smooth_at_scales(t, {5000}, 200)));
  auto genome = GenomeSegments<float>::concatenate({"chr1", "chr2"}, {1000, 1000}, std::move(by_hand));
  apply_transform(genome.Y, Transform::Sqrt);
  scale_to_unit_rms(genome.Y);
  CHECK(got.genome.Y.values == genome.Y.values);
  CHECK(got.genome.Y.lengths == genome.Y.lengths);
  CHECK(got.genome.offsets == genome.offsets);
  CHECK(got.genome.starts == std::vector<std::int64_t>{1000, 1000});
  for (Eigen::Index j = 0; j < 3; ++j) {  // unit RMS, weighted by bases
    const double ms = (got.genome.Y.values.col(j).cast<double>().array().square() *
                       got.genome.Y.lengths.cast<double>().array()).sum() / double(got.genome.Y.expanded_rows());
    CHECK(ms == Approx(1.0).epsilon(1e-5));
  }

  // Given windows and no transform or scaling: the smoothed rows as they are.
  options.windows = {0};
  options.transform = Transform::None;
  options.unit_rms = false;
  auto plain = preprocess<float>({"chr1"}, 0, std::vector<SegmentedMatrix<float>>{input[0]}, options);
  CHECK(plain.genome.Y.values == merge_equal_rows(input[0]).values);
}

TEST_CASE("transforms leave missing entries missing, and scaling skips them", "[preprocess][missing]") {
  SegmentedMatrix<double> Y;
  Y.values.resize(3, 2);
  Y.values << 4, 1, std::nan(""), 3, 0, 2;
  Y.lengths = Eigen::VectorXd::Constant(3, 10.0);
  for (Transform t : {Transform::Sqrt, Transform::Log1p, Transform::Asinh, Transform::None}) {
    SegmentedMatrix<double> copy = Y;
    apply_transform(copy, t);
    CAPTURE(to_string(t));
    CHECK(std::isnan(copy.values(1, 0)));
    CHECK(copy.values(2, 0) == 0.0);
  }
  apply_transform(Y, Transform::Sqrt);
  CHECK(Y.values(0, 0) == 2.0);
  scale_to_unit_rms(Y);
  CHECK(Y.values(0, 0) == Approx(std::sqrt(2.0)));  // RMS over the two observed rows: sqrt(4 / 2)
  CHECK(std::isnan(Y.values(1, 0)));
}

TEST_CASE("fail_together: the failing process rethrows, the others learn of it", "[reducer]") {
  ProcessGroup alone;
  CHECK_THROWS_WITH(alone.fail_together([] { throw std::runtime_error("bad file x.bw"); }), "bad file x.bw");
  CHECK_NOTHROW(alone.fail_together([] {}));
  ProcessGroup other_failed;  // a reducer that adds the failure of one other process
  other_failed.size = 2;
  other_failed.reduce = [](double* values, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) values[i] += 1.0;
  };
  CHECK_THROWS_WITH(other_failed.fail_together([] {}), Catch::Matchers::Contains("another process"));
}
