// cross_validate_lambda: the curve is well formed, the one-standard-error rule holds, a noisy
// piecewise-constant signal prefers smoothing to none, and errors surface as exceptions.
#include <catch2/catch.hpp>

#include <fusednmf/lambda_cv.hpp>

#include "nmf/planted.hpp"

using namespace fusednmf;

TEST_CASE("λ by cross-validation: a well-formed curve and the one-standard-error choice", "[cv]") {
  auto p = testing::planted(3000, 8, 3, 150, 0.8, 21);  // long runs, heavy noise
  const SegmentedMatrix<double> Y = compress_rows(p.Y);
  NMFOptions o;
  o.rank = 3;
  LambdaCVOptions cv;
  cv.lambdas = {0, 1, 10, 100};
  const LambdaCVCurve curve = cross_validate_lambda(Y, {}, o, cv);
  REQUIRE(curve.mean_error.size() == 4);
  REQUIRE(curve.standard_error.size() == 4);
  for (std::size_t l = 0; l < 4; ++l) {
    CHECK(std::isfinite(curve.mean_error[l]));
    CHECK(curve.mean_error[l] >= curve.mean_error[curve.best]);
  }
  CHECK(curve.lambdas[curve.chosen] >= curve.lambdas[curve.best]);
  CHECK(curve.mean_error[curve.chosen] <= curve.mean_error[curve.best] + curve.standard_error[curve.best]);
  // Noise on long runs: smoothing predicts hidden blocks better than none.
  CHECK(curve.mean_error[0] > curve.mean_error[curve.best]);
  CHECK(curve.lambda() > 0);
  // The same seed, the same curve, whatever the thread count.
  o.threads = 1;
  const LambdaCVCurve serial = cross_validate_lambda(Y, {}, o, cv);
  CHECK(serial.mean_error == curve.mean_error);
  // Asked for projected ALS (which has no masked form), the held-out fits still run, with HALS.
  o.solver = Solver::ProjectedALS;
  CHECK(cross_validate_lambda(Y, {}, o, cv).mean_error == curve.mean_error);
}

TEST_CASE("λ by cross-validation: bad input throws, also from the parallel fits", "[cv]") {
  SegmentedMatrix<double> Y;
  Y.values = Eigen::MatrixXd::Ones(3, 2);
  Y.lengths = Eigen::VectorXd::Ones(3);
  NMFOptions o;
  o.rank = 5;  // more than the 3 rows
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, o, LambdaCVOptions{}), Catch::Matchers::Contains("rank 5"));
  LambdaCVOptions bad;
  bad.folds = 1;
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, NMFOptions{}, bad), Catch::Matchers::Contains("folds"));
  bad = LambdaCVOptions{};
  bad.lambdas = {-1};
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, NMFOptions{}, bad), Catch::Matchers::Contains("lambdas"));
}
