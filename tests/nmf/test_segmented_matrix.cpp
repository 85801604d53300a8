// Run-length rows (segmented_matrix.hpp): compress_rows and expand_rows are inverses, the
// lengths count every row, and validate() names what is wrong.
#include <limits>
#include <random>

#include <catch2/catch.hpp>

#include <fusednmf/segmented_matrix.hpp>

using namespace fusednmf;

TEST_CASE("compress_rows merges equal consecutive rows, and expand_rows restores them", "[segments]") {
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::Index n = 1 + Eigen::Index(rng() % 300), m = 1 + Eigen::Index(rng() % 5);
    Eigen::MatrixXf dense(n, m);
    for (Eigen::Index i = 0; i < n; ++i)
      dense.row(i) = (i > 0 && rng() % 3 != 0) ? Eigen::RowVectorXf(dense.row(i - 1))
                                               : Eigen::RowVectorXf::Constant(m, float(rng() % 4));
    const SegmentedMatrix<float> seg = compress_rows(dense);
    REQUIRE_NOTHROW(seg.validate());
    CHECK(seg.expanded_rows() == n);
    for (Eigen::Index s = 1; s < seg.segments(); ++s) CHECK(seg.values.row(s) != seg.values.row(s - 1));
    CHECK(expand_rows(seg.values, seg.lengths) == dense);
  }
}

TEST_CASE("an empty matrix has no segments", "[segments]") {
  const SegmentedMatrix<double> seg = compress_rows(Eigen::MatrixXd(0, 3));
  CHECK(seg.segments() == 0);
  CHECK(seg.expanded_rows() == 0);
}

TEST_CASE("validate() and expand_rows() name what is wrong", "[segments]") {
  SegmentedMatrix<double> seg;
  seg.values = Eigen::MatrixXd::Ones(3, 2);
  seg.lengths = Eigen::VectorXd::Ones(2);
  CHECK_THROWS_WITH(seg.validate(), Catch::Matchers::Contains("2 lengths for 3 segments"));
  seg.lengths = Eigen::VectorXd::Ones(3);
  seg.lengths[1] = 1.5;
  CHECK_THROWS_WITH(seg.validate(), Catch::Matchers::Contains("segment 1"));
  seg.lengths[1] = 0;
  CHECK_THROWS_WITH(seg.validate(), Catch::Matchers::Contains("positive whole number"));
  CHECK_THROWS_WITH(expand_rows(seg.values, Eigen::VectorXd::Ones(4)), Catch::Matchers::Contains("3 rows but 4 lengths"));
}

TEST_CASE("one run-length rule: missing entries merge, and no segment grows past 2^24", "[segments]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd dense(4, 2);
  dense << 1, nan, 1, nan, 2, 3, 2, 3;
  const auto seg = compress_rows(dense);
  REQUIRE(seg.segments() == 2);
  CHECK(seg.lengths[0] == 2);
  SegmentedMatrix<float> long_runs;
  long_runs.values = Eigen::MatrixXf::Ones(3, 1);
  long_runs.lengths = Eigen::VectorXf::Constant(3, float(kMaxExactSegmentLength / 2));
  const auto merged = merge_equal_rows(long_runs);
  REQUIRE(merged.segments() == 2);
  CHECK(double(merged.lengths[0]) == double(kMaxExactSegmentLength));
  CHECK(double(merged.lengths[1]) == double(kMaxExactSegmentLength / 2));
  CHECK(merged.expanded_rows() == long_runs.expanded_rows());
}
