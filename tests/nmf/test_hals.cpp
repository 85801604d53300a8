// Solver::HALS: exact block updates, so the objective never rises; it stops on its residual;
// dead factors are re-seeded. Properties, not trajectories: they hold whatever the rounding.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/nmf.hpp>

#include "nmf/planted.hpp"

using namespace fusednmf;
using fusednmf::testing::is_monotone;
using fusednmf::testing::planted;

namespace {

template <class Scalar>
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// Random run lengths for the rows of `values`.
template <class Scalar>
SegmentedMatrix<Scalar> with_runs(const Mat<Scalar>& values, unsigned seed) {
  SegmentedMatrix<Scalar> seg;
  seg.values = values;
  seg.lengths.resize(values.rows());
  std::mt19937_64 rng(seed);
  for (Eigen::Index s = 0; s < values.rows(); ++s) seg.lengths[s] = Scalar(1 + rng() % 30);
  return seg;
}

// One shape of the monotonicity sweep.
struct Shape {
  const char* name;
  Eigen::Index n, m, k;
  int kind;  // 0 planted noisy, 1 rank-deficient, 2 an all-zero track, 3 a single row
};

template <class Scalar>
Mat<Scalar> make_data(const Shape& shape, unsigned seed) {
  if (shape.kind == 3) {
    Mat<Scalar> Y(1, shape.m);
    for (Eigen::Index c = 0; c < shape.m; ++c) Y(0, c) = Scalar(1 + c % 3);
    return Y;
  }
  auto p = planted(shape.n, shape.m, std::min<Eigen::Index>(shape.k, 4), 25, 0.4, seed);
  Mat<Scalar> Y = p.Y.cast<Scalar>();
  if (shape.kind == 1) {  // every column a multiple of two base columns: rank 2
    for (Eigen::Index c = 2; c < shape.m; ++c) Y.col(c) = Scalar(0.5 + 0.1 * double(c)) * Y.col(c % 2);
  }
  if (shape.kind == 2) Y.col(1).setZero();
  return Y;
}

template <class Scalar>
void check_monotone_everywhere() {
  const std::vector<Shape> shapes{{"planted", 600, 8, 4, 0},       {"k > m", 400, 5, 9, 0},
                                  {"rank-deficient", 500, 7, 5, 1}, {"all-zero track", 500, 6, 4, 2},
                                  {"single segment", 1, 6, 1, 3}};
  // Float keeps W in float: an exact block minimiser rounded to float can sit a hair above the
  // one before, by far less than this slack.
  const double slack = std::is_same_v<Scalar, float> ? 2e-5 : 1e-11;
  for (const auto& shape : shapes)
    for (unsigned seed = 1; seed <= 4; ++seed) {
      INFO(shape.name << ", seed " << seed);
      const Mat<Scalar> Y = make_data<Scalar>(shape, seed);
      NMFOptions o;
      o.rank = shape.k;
      o.max_iterations = 60;
      o.tolerance = 0;
      o.seed = seed;
      o.init = seed % 2 ? Init::Random : Init::NNDSVDa;
      const SegmentedMatrix<Scalar> seg = with_runs(Y, seed);
      for (double lambda : {0.0, 3.0, 50.0}) {
        INFO("lambda " << lambda);
        const NMF<FusedLasso<Scalar>> nmf(o, FusedLasso<Scalar>{lambda, seed % 3 == 0 ? 0.05 : 0.0});
        auto dense = nmf.fit(Y);
        CHECK(is_monotone(dense.objective, slack));
        CHECK(dense.status != Status::NumericalIssue);
        CHECK(dense.W.allFinite());
        CHECK(dense.W.minCoeff() >= 0);
        CHECK(dense.H.minCoeff() >= 0);
        auto segmented = nmf.fit(seg);
        const double half_y2 = 0.5 * (seg.values.template cast<double>().array().square().colwise() *
                                      seg.lengths.template cast<double>().array()).sum();
        CHECK(is_monotone(segmented.objective, slack, std::max(half_y2, segmented.objective.front())));
        // Several chains: cut the segmented rows in three (when there are enough).
        if (seg.segments() >= 3) {
          auto chained = nmf.fit(seg, {seg.segments() / 3, 2 * seg.segments() / 3});
          CHECK(is_monotone(chained.objective, slack, std::max(half_y2, chained.objective.front())));
        }
      }
      auto ridge = NMF<NoRegularizer<Scalar>>(o).fit(Y);
      CHECK(is_monotone(ridge.objective, slack));
      auto sparse = NMF<L1Sparsity<Scalar>>(o, L1Sparsity<Scalar>{0.1}).fit(Y);
      CHECK(is_monotone(sparse.objective, slack));
    }
}

}  // namespace

TEST_CASE("HALS never increases the objective, over seeds, shapes, regularizers and inputs", "[hals]") {
  SECTION("double") { check_monotone_everywhere<double>(); }
  SECTION("float") { check_monotone_everywhere<float>(); }
}

TEST_CASE("HALS agrees with a naive reference (plain formulas) on a tiny input", "[hals]") {
  auto p = planted(50, 5, 3, 6, 0.3, 4);
  p.Y.array() += 0.2;  // no row of H can starve
  NMFOptions o;
  o.rank = 3;
  o.max_iterations = 6;
  o.tolerance = 0;
  o.l2 = 0.01;
  o.init = Init::Random;
  o.seed = 9;
  o.inner_passes = 1;  // plain HALS: one pass over each block per sweep
  const double lambda = 0.5, mu = 0.02;
  using Reg = FusedLasso<double, prox::DynamicProgramming>;
  auto r = NMF<Reg>(o, Reg{lambda, mu}).fit(p.Y);
  REQUIRE(r.reseeded == 0);  // the reference has no re-seeding

  const double m = 5.0, alpha = o.l2 * m;
  const double scale = std::sqrt(p.Y.squaredNorm() / double(p.Y.size()));
  Eigen::MatrixXd H = detail::initial_h(detail::DataView<double>{p.Y, nullptr}, 3, Init::Random, 9, 1);
  for (int j = 0; j < 3; ++j) H.row(j) *= std::sqrt(m) / H.row(j).norm();
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(50, 3);
  for (int sweep = 0; sweep < 6; ++sweep) {
    const Eigen::MatrixXd G = H * H.transpose(), R = p.Y * H.transpose();
    for (int j = 0; j < 3; ++j) {
      const double c = G(j, j) + alpha;
      Eigen::VectorXd z = (R.col(j) - W * G.col(j) + W.col(j) * G(j, j)) / c;
      FusedLassoProx<double, prox::DynamicProgramming> op(
          FusedLassoParams{lambda * scale * m / c, mu * scale * m / c, true});
      W.col(j) = op(z);
    }
    const Eigen::MatrixXd WtW = W.transpose() * W, WtY = W.transpose() * p.Y;
    for (int j = 0; j < 3; ++j) {
      Eigen::RowVectorXd a = WtY.row(j) - WtW.row(j) * H + WtW(j, j) * H.row(j);
      a = a.cwiseMax(0.0);
      H.row(j) = std::sqrt(m) * a / a.norm();
    }
  }
  CHECK((W - r.W).norm() / W.norm() < 1e-9);
  CHECK((H - r.H).norm() / H.norm() < 1e-9);
  // The objective it reports is the one it minimises.
  double tv = 0;
  for (int j = 0; j < 3; ++j)
    for (int i = 1; i < 50; ++i) tv += std::abs(W(i, j) - W(i - 1, j));
  const double objective = 0.5 * (p.Y - W * H).squaredNorm() + m * scale * (lambda * tv + mu * W.sum()) +
                           0.5 * alpha * W.squaredNorm();
  CHECK(std::abs(r.objective.back() - objective) < 1e-9 * objective);
}

TEST_CASE("HALS stops on its residual, below the tolerance", "[hals]") {
  auto p = planted(3000, 10, 4, 60, 0.3, 11);
  for (double tolerance : {1e-3, 1e-5}) {
    NMFOptions o;
    o.rank = 4;
    o.max_iterations = 5000;
    o.tolerance = tolerance;
    o.patience = 1;
    auto r = NMF<FusedLasso<double>>(o, FusedLasso<double>{20.0, 0.0}).fit(p.Y);
    INFO("tolerance " << tolerance << ": " << r.iterations << " sweeps");
    CHECK(r.status == Status::Converged);
    CHECK(r.residual.back() < tolerance);
    CHECK(r.residual.size() == r.objective.size());
    CHECK(r.iterations < 5000);
  }
}

TEST_CASE("dead factors are re-seeded, and a factor the penalty rejects is counted", "[hals]") {
  auto p = planted(2000, 8, 3, 50, 0.2, 12);
  NMFOptions o;
  o.rank = 6;  // more factors than the data has
  o.max_iterations = 200;
  o.init = Init::NNDSVD;  // leaves zeros that can starve a factor
  // A penalty that flattens everything kills every factor: each is re-seeded once, then given up.
  auto flat = NMF<FusedLasso<double>>(o, FusedLasso<double>{0.0, 1e6}).fit(p.Y);
  CHECK(flat.reseeded == 6);
  CHECK(flat.dead_factors == 6);
  CHECK(flat.W.isZero(0));
  CHECK(flat.status == Status::Converged);
  // Without a penalty nothing can reject a factor: every one carries signal at the end.
  auto fit = NMF<NoRegularizer<double>>(o).fit(p.Y);
  CHECK(fit.dead_factors == 0);
  for (Eigen::Index j = 0; j < 6; ++j) CHECK(fit.W.col(j).maxCoeff() > 0);
  CHECK(is_monotone(fit.objective, 1e-11));
  // With one: a factor is either alive or counted as given up.
  auto smooth = NMF<FusedLasso<double>>(o, FusedLasso<double>{5.0, 0.0}).fit(p.Y);
  Eigen::Index alive = 0;
  for (Eigen::Index j = 0; j < 6; ++j) alive += smooth.W.col(j).maxCoeff() > 0;
  CHECK(alive + smooth.dead_factors == 6);
  CHECK(smooth.reseeded >= smooth.dead_factors);
  CHECK(is_monotone(smooth.objective, 1e-11));
}

TEST_CASE("restarts keep the best objective, and the same bytes for any thread count", "[hals]") {
  auto p = planted(8000, 9, 4, 80, 0.5, 13);
  Eigen::MatrixXf Y = p.Y.cast<float>();
  NMFOptions o;
  o.rank = 4;
  o.restarts = 3;
  o.max_iterations = 40;
  o.threads = 1;
  auto a = NMF<FusedLasso<float>>(o).fit(Y);
  o.threads = 2;
  auto b = NMF<FusedLasso<float>>(o).fit(Y);
  REQUIRE(a.restart_objectives.size() == 3);
  CHECK(a.objective.back() == *std::min_element(a.restart_objectives.begin(), a.restart_objectives.end()));
  CHECK(a.restart_objectives == b.restart_objectives);
  CHECK(a.W == b.W);
  CHECK(a.H == b.H);
  // Each restart on its own is the fit with that start.
  o.restarts = 1;
  auto first = NMF<FusedLasso<float>>(o).fit(Y);
  CHECK(first.objective.back() == a.restart_objectives[0]);
}

TEST_CASE("a fit between the thread thresholds times its sweeps on one thread and on all, with the "
          "bytes of one thread", "[hals]") {
  // rows x k inside [kTimedFitWork, kParallelFitWork): with the default threads each sweep runs on
  // one thread or on every core, by their measured speed (on a one-core machine, always one).
  const Eigen::Index rows = 60000, k = 5;
  REQUIRE(double(rows * k) >= fusednmf::detail::kTimedFitWork);
  REQUIRE(double(rows * k) < fusednmf::detail::kParallelFitWork);
  auto p = planted(rows, 8, k, 200, 0.3, 41);
  const Eigen::MatrixXf Y = p.Y.cast<float>();
  NMFOptions o;
  o.rank = k;
  o.max_iterations = 40;  // past the first probe of the slower choice (sweep 19) and the second
  o.tolerance = 0;
  o.threads = 1;
  const FusedLasso<float> smooth{50.0, 0.0};
  const auto one = NMF<FusedLasso<float>>(o, smooth).fit(Y);
  o.threads = 0;
  const auto timed = NMF<FusedLasso<float>>(o, smooth).fit(Y);
  CHECK(timed.W == one.W);
  CHECK(timed.H == one.H);
  CHECK(timed.objective == one.objective);
}

TEST_CASE("a time limit stops the fit after the sweep in progress, and starts no further restart", "[hals]") {
  auto p = planted(2000, 8, 3, 50, 0.3, 14);
  NMFOptions o;
  o.rank = 3;
  o.tolerance = 0;  // never converges: only the limit can stop it before max_iterations
  o.max_iterations = 1000000;
  o.restarts = 3;
  o.time_limit = 1e-9;  // past at the end of the first sweep
  for (Solver solver : {Solver::HALS, Solver::ProjectedALS}) {
    o.solver = solver;
    auto r = NMF<FusedLasso<double>>(o, FusedLasso<double>{5.0, 0.0}).fit(p.Y);
    INFO(to_string(solver));
    CHECK(r.status == Status::TimeLimit);
    CHECK(r.iterations == 1);
    CHECK(r.restart_objectives.size() == 1);
    CHECK(r.W.allFinite());
    CHECK(std::string(to_string(r.status)) == "reached the time limit");
  }
  // No limit (0): the same fit runs to max_iterations.
  o.solver = Solver::HALS;
  o.time_limit = 0;
  o.max_iterations = 5;
  o.restarts = 1;
  CHECK(NMF<FusedLasso<double>>(o, FusedLasso<double>{5.0, 0.0}).fit(p.Y).status == Status::MaxIterations);
  for (double bad : {-1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    o.time_limit = bad;
    CHECK_THROWS_WITH(NMF<FusedLasso<double>>(o), Catch::Matchers::Contains("time_limit"));
  }
}

TEST_CASE("HALS repeats cheap blocks within a sweep, and passes once over a costly prox", "[hals]") {
  CHECK(detail::hals_auto_passes(30, 10, 50000, 4) == 4);
  CHECK(detail::hals_auto_passes(30, 10, 50000, 4, has_costly_prox<FusedLasso<float>>::value) == 1);
  CHECK(detail::hals_auto_passes(30, 10, 10000000, 4) == 1);  // W far larger than the cache
  CHECK(detail::hals_auto_passes(30, 10, 0, 4) == 4);  // a separable prox: W passes run on blocks in cache
  CHECK(has_costly_prox<FusedLasso<double, prox::DynamicProgramming>>::value);
  CHECK_FALSE(has_costly_prox<NoRegularizer<float>>::value);
  CHECK_FALSE(has_costly_prox<L1Sparsity<double>>::value);
}

TEST_CASE("projected ALS: a failed first solve returns a written W and says so", "[nmf]") {
  auto p = planted(200, 3, 3, 10, 0.0, 14);
  NMFOptions o;
  o.rank = 8;  // more factors than tracks and no ridge: HHᵀ is singular
  o.l2 = 0;
  o.solver = Solver::ProjectedALS;
  o.init = Init::NNDSVD;
  auto r = NMF<NoRegularizer<double>>(o).fit(p.Y);
  CHECK(r.status == Status::NumericalIssue);
  CHECK(r.W.rows() == 200);
  CHECK(r.W.allFinite());
  // HALS needs no solve: the same problem runs.
  o.solver = Solver::HALS;
  auto h = NMF<NoRegularizer<double>>(o).fit(p.Y);
  CHECK(h.status != Status::NumericalIssue);
  CHECK(is_monotone(h.objective, 1e-11));
}

TEST_CASE("missing entries (NaN) are left out of the objective", "[hals][missing]") {
  auto p = planted(1500, 8, 3, 30, 0.0, 15);
  p.Y.array() += 0.1;
  Eigen::MatrixXd holes = p.Y;
  std::mt19937_64 rng(16);
  std::vector<std::pair<Eigen::Index, Eigen::Index>> hidden;
  for (Eigen::Index i = 0; i < holes.rows(); ++i)
    for (Eigen::Index c = 0; c < holes.cols(); ++c)
      if (rng() % 5 == 0) {
        holes(i, c) = std::numeric_limits<double>::quiet_NaN();
        hidden.emplace_back(i, c);
      }
  for (Eigen::Index c = 0; c < holes.cols(); ++c) holes(7, c) = std::numeric_limits<double>::quiet_NaN();  // a whole row
  NMFOptions o;
  o.rank = 3;
  o.max_iterations = 2000;
  o.tolerance = 1e-7;
  o.l2 = 1e-9;
  o.restarts = 3;
  // Rejected unless asked for.
  CHECK_THROWS_WITH(NMF<NoRegularizer<double>>(o).fit(holes), Catch::Matchers::Contains("not finite"));
  o.missing = MissingValues::Mask;
  auto r = NMF<NoRegularizer<double>>(o).fit(holes);
  CHECK(is_monotone(r.objective, 1e-11));
  CHECK(r.W.allFinite());
  // Noise-free low-rank data: the hidden entries are predicted from the rest...
  const Eigen::MatrixXd fit = r.W * r.H;
  double err = 0, zeroed = 0, total = 0;
  for (auto [i, c] : hidden) {
    err += std::pow(fit(i, c) - p.Y(i, c), 2);
    total += std::pow(p.Y(i, c), 2);
  }
  INFO("hidden error " << err / total << ", status " << to_string(r.status) << " after " << r.iterations);
  CHECK(err < 1e-2 * total);
  // ...while reading them as 0 cannot.
  Eigen::MatrixXd zeros = holes.array().isNaN().select(0.0, holes);
  auto z = NMF<NoRegularizer<double>>(o).fit(zeros);
  const Eigen::MatrixXd zfit = z.W * z.H;
  for (auto [i, c] : hidden) zeroed += std::pow(zfit(i, c) - p.Y(i, c), 2);
  INFO("zeroed " << zeroed / total);
  CHECK(zeroed > 20 * err);

  // The reported objective is the masked one.
  const Eigen::MatrixXd observed = holes.array().isNaN().select(0.0, (holes - fit).array());
  const double expected = 0.5 * observed.squaredNorm() + 0.5 * o.l2 * 8 * r.W.squaredNorm();
  CHECK(std::abs(r.objective.back() - expected) < 1e-8 * p.Y.squaredNorm());

  // With the fused lasso, on segments, in float: still monotone.
  SegmentedMatrix<float> seg = with_runs<float>(holes.cast<float>(), 17);
  auto smooth = NMF<FusedLasso<float>>(o, FusedLasso<float>{20.0, 0.0}).fit(seg, {700});
  const double half_y2 = 0.5 * (p.Y.array().square()).sum() * 30;
  CHECK(is_monotone(smooth.objective, 2e-5, half_y2));
  // Projected ALS has no masked form.
  o.solver = Solver::ProjectedALS;
  CHECK_THROWS_WITH(NMF<NoRegularizer<double>>(o).fit(holes), Catch::Matchers::Contains("HALS"));
}

TEST_CASE("a mask with nothing missing is the unmasked fit", "[hals][missing]") {
  auto p = planted(800, 6, 3, 20, 0.3, 18);
  NMFOptions o;
  o.rank = 3;
  o.max_iterations = 30;
  o.tolerance = 0;
  o.inner_passes = 1;  // the masked solver passes once over each block
  const FusedLasso<double> reg{10.0, 0.0};
  auto plain = NMF<FusedLasso<double>>(o, reg).fit(p.Y);
  // One NaN forces the masked path; put it where a fully observed copy has the same row.
  Eigen::MatrixXd Y = p.Y;
  o.missing = MissingValues::Mask;
  auto masked_path = NMF<FusedLasso<double>>(o, reg).fit(Y);  // no NaN: the plain path
  CHECK(masked_path.W == plain.W);
  // The masked solver itself on a full mask, through detail (the public path takes the plain one).
  detail::EngineProblem<double> problem{detail::DataView<double>{p.Y, nullptr}, {0, p.Y.rows()}, {}};
  problem.rows = double(p.Y.rows());
  problem.measure();
  Eigen::MatrixXd H = detail::initial_h(problem.data, 3, o.init, o.seed, 1);
  Eigen::MatrixXd W;
  NMFResult<double> result;
  const Eigen::MatrixXd ones = Eigen::MatrixXd::Ones(p.Y.rows(), p.Y.cols());
  detail::run_masked_hals(problem, ones, o, reg, H, W, result, [](const Progress&) {});
  CHECK((W - plain.W).norm() < 1e-8 * plain.W.norm());
  CHECK(std::abs(result.objective.back() - plain.objective.back()) < 1e-9 * plain.objective.back());
}

TEST_CASE("imputation sweeps: a majorizer that never rises, and the hidden entries predicted", "[hals][missing]") {
  auto p = planted(1500, 8, 3, 30, 0.0, 25);
  p.Y.array() += 0.1;
  Eigen::MatrixXd holes = p.Y;
  std::mt19937_64 rng(26);
  std::vector<std::pair<Eigen::Index, Eigen::Index>> hidden;
  for (Eigen::Index i = 0; i < holes.rows(); ++i)
    for (Eigen::Index c = 0; c < holes.cols(); ++c)
      if (rng() % 10 == 0) {
        holes(i, c) = std::numeric_limits<double>::quiet_NaN();
        hidden.emplace_back(i, c);
      }
  NMFOptions o;
  o.rank = 3;
  o.max_iterations = 3000;
  o.tolerance = 1e-7;
  o.l2 = 1e-9;
  o.restarts = 2;  // the second restart starts again from 0 under the mask
  o.missing = MissingValues::Mask;
  o.masked_sweep = MaskedSweep::Imputation;
  auto r = NMF<NoRegularizer<double>>(o).fit(holes);
  CHECK(is_monotone(r.objective, 1e-11));
  REQUIRE(r.W.allFinite());
  // The majorizer bounds the observed objective from above.
  const Eigen::MatrixXd fit = r.W * r.H;
  const Eigen::MatrixXd observed = holes.array().isNaN().select(0.0, (holes - fit).array());
  const double masked_objective = 0.5 * observed.squaredNorm() + 0.5 * o.l2 * 8 * r.W.squaredNorm();
  CHECK(masked_objective <= r.objective.back() * (1 + 1e-12));
  // Noise-free low-rank data: the hidden entries are predicted from the rest.
  double err = 0, total = 0;
  for (auto [i, c] : hidden) {
    err += std::pow(fit(i, c) - p.Y(i, c), 2);
    total += std::pow(p.Y(i, c), 2);
  }
  INFO("hidden error " << err / total << ", status " << to_string(r.status) << " after " << r.iterations);
  CHECK(err < 1e-2 * total);

  // With the fused lasso, on segments, in float, in chains: monotone, and the same bytes on
  // any thread count.
  SegmentedMatrix<float> seg = with_runs<float>(holes.cast<float>(), 27);
  o.max_iterations = 80;
  o.tolerance = 0;
  o.restarts = 1;
  o.threads = 1;
  const NMF<FusedLasso<float>> smooth_one(o, FusedLasso<float>{20.0, 0.0});
  auto one = smooth_one.fit(seg, {700});
  const double half_y2 = 0.5 * (p.Y.array().square()).sum() * 30;
  CHECK(is_monotone(one.objective, 2e-5, half_y2));
  o.threads = 2;
  auto two = NMF<FusedLasso<float>>(o, FusedLasso<float>{20.0, 0.0}).fit(seg, {700});
  CHECK(two.W == one.W);
  CHECK(two.objective == one.objective);
}

TEST_CASE("explained_fraction: near 1 for a good fit, near 0 when a penalty flattens W", "[hals]") {
  auto p = planted(600, 6, 3, 20, 0.05, 31);
  const SegmentedMatrix<double> Y = with_runs<double>(p.Y, 32);
  NMFOptions o;
  o.rank = 3;
  const auto good = NMF<NoRegularizer<double>>(o).fit(Y);
  CHECK(explained_fraction(Y, good.W, good.H) > 0.9);
  o.l2 = 1e30;  // a ridge that flattens everything
  const auto flat = NMF<NoRegularizer<double>>(o).fit(Y);
  CHECK(explained_fraction(Y, flat.W, flat.H) < 0.01);
  CHECK_THROWS_WITH(explained_fraction(Y, good.W.topRows(5), good.H), Catch::Matchers::Contains("do not fit Y"));
}

TEST_CASE("a separable prox updates W a block of rows at a time: plain HALS over several blocks, "
          "monotone with repeated passes, the same bytes for any thread count", "[hals]") {
  CHECK(has_separable_prox<NoRegularizer<float>>::value);
  CHECK(has_separable_prox<L1Sparsity<double>>::value);
  CHECK_FALSE(has_separable_prox<FusedLasso<double>>::value);
  // 20,000 rows: three of the engine's row blocks.
  auto p = planted(20000, 6, 3, 100, 0.3, 21);
  p.Y.array() += 0.1;
  NMFOptions o;
  o.rank = 3;
  o.max_iterations = 4;
  o.tolerance = 0;
  o.l2 = 0.01;
  o.init = Init::Random;
  o.seed = 5;
  o.inner_passes = 1;
  const double mu = 0.05;
  auto r = NMF<L1Sparsity<double>>(o, L1Sparsity<double>{mu}).fit(p.Y);
  REQUIRE(r.reseeded == 0);
  const double m = 6.0, alpha = o.l2 * m;
  const double scale = std::sqrt(p.Y.squaredNorm() / double(p.Y.size()));
  Eigen::MatrixXd H = detail::initial_h(detail::DataView<double>{p.Y, nullptr}, 3, Init::Random, 5, 1);
  for (int j = 0; j < 3; ++j) H.row(j) *= std::sqrt(m) / H.row(j).norm();
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(20000, 3);
  for (int sweep = 0; sweep < 4; ++sweep) {
    const Eigen::MatrixXd G = H * H.transpose(), R = p.Y * H.transpose();
    for (int j = 0; j < 3; ++j) {
      const double c = G(j, j) + alpha;
      const Eigen::VectorXd z = (R.col(j) - W * G.col(j) + W.col(j) * G(j, j)) / c;
      W.col(j) = (z.array() - mu * scale * m / c).cwiseMax(0.0).matrix();
    }
    const Eigen::MatrixXd WtW = W.transpose() * W, WtY = W.transpose() * p.Y;
    for (int j = 0; j < 3; ++j) {
      Eigen::RowVectorXd a = (WtY.row(j) - WtW.row(j) * H + WtW(j, j) * H.row(j)).cwiseMax(0.0);
      H.row(j) = std::sqrt(m) * a / a.norm();
    }
  }
  CHECK((W - r.W).norm() / W.norm() < 1e-9);
  CHECK((H - r.H).norm() / H.norm() < 1e-9);

  // Repeated passes (the default), weighted rows and chains: monotone, and one thread or two
  // give the same bytes.
  SegmentedMatrix<float> seg;
  seg.values = p.Y.cast<float>();
  seg.lengths = Eigen::VectorXf::Ones(20000);
  for (Eigen::Index i = 0; i < 20000; i += 7) seg.lengths[i] = float(1 + i % 5);
  o.inner_passes = 0;
  o.max_iterations = 30;
  const double half_y2 = 0.5 * (seg.values.cast<double>().array().square().colwise() *
                                seg.lengths.cast<double>().array()).sum();
  NMFResult<float> first_ridge, first_sparse;
  for (int threads : {1, 2}) {
    o.threads = threads;
    auto ridge = NMF<NoRegularizer<float>>(o).fit(seg, {5000, 12000});
    auto sparse = NMF<L1Sparsity<float>>(o, L1Sparsity<float>{0.02}).fit(seg);
    CHECK(is_monotone(ridge.objective, 2e-5, half_y2));
    CHECK(is_monotone(sparse.objective, 2e-5, half_y2));
    if (threads == 1) {
      first_ridge = ridge;
      first_sparse = sparse;
    } else {
      CHECK(ridge.W == first_ridge.W);
      CHECK(ridge.H == first_ridge.H);
      CHECK(sparse.W == first_sparse.W);
    }
  }
}

TEST_CASE("a column's step adds up over pieces of rows in one order: the same residuals on any thread "
          "count, across chains and pieces", "[hals]") {
  // More rows than two of prox_column's pieces (kStepPieceRows), in two chains, one cut inside a
  // piece: the last pass runs on several pieces, side by side on two threads.
  const Eigen::Index rows = 2 * fusednmf::detail::kStepPieceRows + 9000;
  auto p = planted(rows, 4, 2, 500, 0.3, 57);
  const Eigen::MatrixXf Y = p.Y.cast<float>();
  NMFOptions o;
  o.rank = 2;
  o.max_iterations = 6;
  o.tolerance = 0;
  SegmentedMatrix<float> segmented;
  segmented.values = Y;
  segmented.lengths = Eigen::VectorXf::Ones(rows);
  const std::vector<Eigen::Index> chains{fusednmf::detail::kStepPieceRows + 1234};
  o.threads = 1;
  const auto a = NMF<FusedLasso<float>>(o, FusedLasso<float>{20.0, 0.0}).fit(segmented, chains, {});
  o.threads = 2;
  const auto b = NMF<FusedLasso<float>>(o, FusedLasso<float>{20.0, 0.0}).fit(segmented, chains, {});
  REQUIRE(a.residual.size() == 6);
  CHECK(a.residual == b.residual);
  CHECK(a.objective == b.objective);
  CHECK(a.W == b.W);
  for (double r : a.residual) CHECK((std::isfinite(r) && r > 0));
  CHECK(is_monotone(a.objective, 1e-6));
}
