#include <atomic>
#include <limits>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/poisson_nmf.hpp>

using namespace fusednmf;

namespace {

// V = Poisson(scale * W H) with R planted modules (each gene in one module).
Eigen::MatrixXd simulate(Eigen::Index N, Eigen::Index M, Eigen::Index R, double scale, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> gam(0.3, 1.0);
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(N, R), H(R, M);
  for (Eigen::Index i = 0; i < N; ++i) W(i, i % R) = 1.0;
  W.array().rowwise() /= W.colwise().sum().array();
  for (Eigen::Index c = 0; c < M; ++c) {
    for (Eigen::Index r = 0; r < R; ++r) H(r, c) = gam(rng) + 1e-9;
    H.col(c) /= H.col(c).sum();
  }
  Eigen::MatrixXd mean = scale * W * H, V(N, M);
  for (Eigen::Index i = 0; i < V.size(); ++i) V(i) = double(std::poisson_distribution<long>(mean(i))(rng));
  return V;
}

// The section notes' multiplicative updates as plain loops, with a mask M (1 observed, 0
// missing) multiplying V ⊘ WH and the denominators, from the engine's seeded start (its first
// draw, at the observed mean's level).
void naive_updates(const Eigen::MatrixXd& V0, const Eigen::MatrixXd& M, Eigen::Index R, std::uint64_t seed,
                   int iterations, Eigen::MatrixXd& W, Eigen::MatrixXd& H) {
  const Eigen::Index N = V0.rows(), C = V0.cols();
  detail::Random rng(seed);
  const double level = std::sqrt(V0.sum() / M.sum() / double(R));
  W.resize(N, R);
  H.resize(R, C);
  for (Eigen::Index i = 0; i < W.size(); ++i) W(i) = level * (0.5 + rng.uniform());
  for (Eigen::Index i = 0; i < H.size(); ++i) H(i) = level * (0.5 + rng.uniform());
  for (int it = 0; it < iterations; ++it) {
    Eigen::MatrixXd WH = W * H, Hn = H;
    for (Eigen::Index a = 0; a < R; ++a)
      for (Eigen::Index mu = 0; mu < C; ++mu) {
        double num = 0, den = 0;
        for (Eigen::Index i = 0; i < N; ++i) num += M(i, mu) * W(i, a) * V0(i, mu) / WH(i, mu), den += M(i, mu) * W(i, a);
        Hn(a, mu) = H(a, mu) * num / den;
      }
    H = Hn;
    WH = W * H;
    Eigen::MatrixXd Wn = W;
    for (Eigen::Index i = 0; i < N; ++i)
      for (Eigen::Index a = 0; a < R; ++a) {
        double num = 0, den = 0;
        for (Eigen::Index mu = 0; mu < C; ++mu) num += M(i, mu) * H(a, mu) * V0(i, mu) / WH(i, mu), den += M(i, mu) * H(a, mu);
        Wn(i, a) = W(i, a) * num / den;
      }
    W = Wn;
  }
}

// Hides a random share of V's cells (NaN); returns them.
std::vector<std::pair<int, int>> hide_cells(Eigen::MatrixXd& V, double share, unsigned seed) {
  std::mt19937_64 pick(seed);
  std::vector<std::pair<int, int>> cells;
  for (int i = 0; i < int(V.rows()); ++i)
    for (int c = 0; c < int(V.cols()); ++c)
      if (std::uniform_real_distribution<double>(0, 1)(pick) < share) {
        V(i, c) = std::numeric_limits<double>::quiet_NaN();
        cells.emplace_back(i, c);
      }
  return cells;
}

// Fits with 1 and with 2 threads, checks that the bytes agree, and returns the first fit.
PoissonNMFResult<double> fit_checking_threads(PoissonNMFOptions o, const Eigen::MatrixXd& V) {
  o.threads = 1;
  auto one = PoissonNMF<double>(o).fit(V);
  o.threads = 2;
  const auto two = PoissonNMF<double>(o).fit(V);
  CHECK(one.W == two.W);
  CHECK(one.H == two.H);
  CHECK(one.log_likelihood == two.log_likelihood);
  return one;
}

}  // namespace

TEMPLATE_TEST_CASE("the log-likelihood never decreases, with either solver", "[poisson]", float, double) {
  Eigen::MatrixXd V = simulate(120, 30, 3, 20000, 1);
  for (PoissonSolver solver : {PoissonSolver::MultiplicativeUpdates, PoissonSolver::CoordinateDescent}) {
    INFO(to_string(solver));
    PoissonNMFOptions o;
    o.rank = 3;
    o.max_iterations = 300;
    o.tolerance = 0;
    o.solver = solver;
    auto r = PoissonNMF<TestType>(o).fit(V.cast<TestType>());
    // Coordinate descent may stop before 300: tolerance 0 stops when the likelihood stops changing.
    REQUIRE(r.log_likelihood.size() >= (solver == PoissonSolver::CoordinateDescent ? 20u : 300u));
    for (std::size_t i = 1; i < r.log_likelihood.size(); ++i)
      CHECK(r.log_likelihood[i] >= r.log_likelihood[i - 1] - 1e-9 * std::abs(r.log_likelihood[i - 1]));
    CHECK(r.W.minCoeff() >= 0);
  }
}

TEST_CASE("zeros in V give finite values, and the likelihood is the full Poisson one", "[poisson]") {
  Eigen::MatrixXd V = simulate(50, 20, 2, 500, 2);
  V.row(3).setZero();
  V.col(7).setZero();
  PoissonNMFOptions o;
  o.rank = 2;
  o.max_iterations = 200;
  auto r = PoissonNMF<double>(o).fit(V);
  CHECK(std::isfinite(r.final_log_likelihood()));
  CHECK(r.W.allFinite());
  CHECK(r.H.allFinite());
  // The full log-likelihood with lgamma, checked on one cell by hand.
  Eigen::MatrixXd v(1, 1), mu(1, 1);
  v << 3;
  mu << 2.5;
  CHECK(poisson_log_likelihood(v, mu) == Approx(3 * std::log(2.5) - 2.5 - std::log(6.0)));
  v << 0;
  mu << 0;  // 0 log 0 = 0: a zero cell with zero mean costs nothing
  CHECK(poisson_log_likelihood(v, mu) == Approx(0.0).margin(1e-200));
}

TEST_CASE("multiplicative updates agree with a naive triple-loop reference", "[poisson]") {
  Eigen::MatrixXd V = simulate(8, 6, 2, 50, 3);
  PoissonNMFOptions o;
  o.solver = PoissonSolver::MultiplicativeUpdates;
  o.rank = 2;
  o.max_iterations = 4;
  o.tolerance = 0;
  o.seed = 5;
  auto r = PoissonNMF<double>(o).fit(V);
  Eigen::MatrixXd W, H;
  naive_updates(V, Eigen::MatrixXd::Ones(8, 6), 2, 5, 4, W, H);
  CHECK((W - r.W).norm() / W.norm() < 1e-12);
  CHECK((H - r.H).norm() / H.norm() < 1e-12);
}

TEST_CASE("a rank scan finds the planted rank by BIC and likelihood rises with rank", "[poisson][statistical]") {
  Eigen::MatrixXd V = simulate(200, 50, 4, 50000, 4);
  RankScanOptions scan;
  scan.min_rank = 2;
  scan.max_rank = 6;
  scan.restarts = 3;
  scan.fit.max_iterations = 1500;
  auto table = scan_ranks<double>(V, scan);
  REQUIRE(table.size() == 5);
  std::size_t best = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i > 0) CHECK(table[i].log_likelihood >= table[i - 1].log_likelihood - 1.0);
    if (table[i].bic < table[best].bic) best = i;
  }
  CHECK(table[best].rank == 4);
}

TEST_CASE("bad input to Poisson NMF throws naming the problem", "[poisson]") {
  using Catch::Matchers::Contains;
  PoissonNMFOptions o;
  o.rank = 2;
  Eigen::MatrixXd V = Eigen::MatrixXd::Ones(5, 4);
  V(2, 3) = -1;
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(V), Contains("V(2, 3)") && Contains("negative"));
  V(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(V), Contains("not finite"));
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(Eigen::MatrixXd(0, 0)), Contains("empty"));
  o.rank = 5;
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(Eigen::MatrixXd::Ones(5, 4)), Contains("rank 5"));
  o.rank = 0;
  CHECK_THROWS_WITH(PoissonNMF<double>(o), Contains("rank"));
  RankScanOptions inverted;
  inverted.min_rank = 3;
  inverted.max_rank = 2;
  CHECK_THROWS_WITH(scan_ranks<double>(Eigen::MatrixXd::Ones(5, 4), inverted), Contains("min_rank"));
  RankScanOptions no_restarts;
  no_restarts.restarts = 0;
  CHECK_THROWS_WITH(scan_ranks<double>(Eigen::MatrixXd::Ones(5, 4), no_restarts), Contains("restarts"));
}

TEST_CASE("Poisson NMF gives the same bytes whatever the thread count", "[poisson]") {
  Eigen::MatrixXd V = simulate(3000, 20, 3, 30000, 6);  // several row blocks
  PoissonNMFOptions o;
  o.rank = 3;
  o.max_iterations = 30;
  o.tolerance = 0;
  const auto one = fit_checking_threads(o, V);
  // The streamed log-likelihood equals the direct formula on the final factors.
  CHECK(one.final_log_likelihood() == Approx(poisson_log_likelihood(V, one.W * one.H)).epsilon(1e-10));
}

TEST_CASE("a rank scan runs its fits side by side, with the same result as one at a time", "[poisson]") {
  Eigen::MatrixXd V = simulate(600, 12, 3, 20000, 8);
  RankScanOptions scan;
  scan.min_rank = 2;
  scan.max_rank = 4;
  scan.restarts = 3;
  scan.fit.max_iterations = 50;
  scan.fit.tolerance = 0;
  scan.fit.threads = 1;
  int calls_one = 0;
  const auto one = scan_ranks<double>(V, scan, [&](Eigen::Index, std::uint64_t, double) { ++calls_one; });
  scan.fit.threads = 3;
  std::atomic<int> calls_three{0};
  const auto three = scan_ranks<double>(V, scan, [&](Eigen::Index, std::uint64_t, double) { ++calls_three; });
  CHECK(calls_one == 9);
  CHECK(calls_three.load() == 9);
  REQUIRE(one.size() == three.size());
  for (std::size_t r = 0; r < one.size(); ++r) {
    CHECK(one[r].rank == three[r].rank);
    CHECK(one[r].best_seed == three[r].best_seed);
    CHECK(one[r].log_likelihood == three[r].log_likelihood);
    CHECK(one[r].fit.W == three[r].fit.W);
  }
}

TEST_CASE("masked Poisson NMF: exact masked updates, a rising observed likelihood, hidden counts predicted", "[poisson][missing]") {
  Eigen::MatrixXd V = simulate(8, 6, 2, 50, 3);
  Eigen::MatrixXd holes = V;
  holes(1, 2) = holes(5, 0) = holes(7, 5) = std::numeric_limits<double>::quiet_NaN();
  PoissonNMFOptions o;
  o.solver = PoissonSolver::MultiplicativeUpdates;
  o.rank = 2;
  o.max_iterations = 4;
  o.tolerance = 0;
  o.seed = 5;
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(holes), Catch::Matchers::Contains("not finite"));
  o.missing = MissingValues::Mask;
  auto r = PoissonNMF<double>(o).fit(holes);
  const Eigen::MatrixXd M = holes.array().isNaN().select(0.0, Eigen::MatrixXd::Ones(8, 6));
  Eigen::MatrixXd W, H;
  naive_updates(holes.array().isNaN().select(0.0, holes), M, 2, 5, 4, W, H);
  CHECK((W - r.W).norm() / W.norm() < 1e-12);
  CHECK((H - r.H).norm() / H.norm() < 1e-12);
  // The last reported likelihood is the one of the returned factors, over the observed entries.
  CHECK(std::abs(r.log_likelihood.back() - poisson_log_likelihood(holes, r.W * r.H)) <=
        1e-9 * std::abs(r.log_likelihood.back()));

  // Larger: 10 % hidden. The observed likelihood never decreases, and the hidden counts are
  // predicted from the rest far better than by the mean.
  Eigen::MatrixXd big = simulate(300, 40, 3, 40000, 7), hidden = big;
  const auto cells = hide_cells(hidden, 0.1, 11);
  o.rank = 3;
  o.max_iterations = 400;
  for (int threads : {1, 2}) {
    o.threads = threads;
    auto fit = PoissonNMF<double>(o).fit(hidden);
    for (std::size_t i = 1; i < fit.log_likelihood.size(); ++i)
      CHECK(fit.log_likelihood[i] >= fit.log_likelihood[i - 1] - 1e-9 * std::abs(fit.log_likelihood[i - 1]));
    const Eigen::MatrixXd mean = fit.W * fit.H;
    double err = 0, err_mean = 0;
    const double overall = big.mean();
    for (auto [i, c] : cells) {
      err += std::abs(mean(i, c) - big(i, c));
      err_mean += std::abs(overall - big(i, c));
    }
    CHECK(err < 0.3 * err_mean);
  }
  // A mask with nothing missing is the plain fit.
  o.max_iterations = 20;
  auto plain = PoissonNMF<double>(o).fit(big);
  o.missing = MissingValues::Reject;
  auto reject = PoissonNMF<double>(o).fit(big);
  CHECK(plain.W == reject.W);
  CHECK(plain.H == reject.H);
}

TEST_CASE("coordinate descent: a rising likelihood, a vanishing KKT residual, MU's optimum in fewer sweeps", "[poisson][ccd]") {
  Eigen::MatrixXd V = simulate(300, 40, 4, 40000, 12);
  PoissonNMFOptions o;
  o.rank = 4;
  o.tolerance = 0;
  o.max_iterations = 1000;
  o.solver = PoissonSolver::MultiplicativeUpdates;
  const auto mu = PoissonNMF<double>(o).fit(V);
  o.solver = PoissonSolver::CoordinateDescent;
  o.max_iterations = 200;
  const auto cd = PoissonNMF<double>(o).fit(V);  // may stop early: tolerance 0 stops when nothing changes
  REQUIRE(cd.log_likelihood.size() >= 20);
  REQUIRE(cd.kkt_residual.size() == cd.log_likelihood.size());
  for (std::size_t i = 1; i < cd.log_likelihood.size(); ++i)
    CHECK(cd.log_likelihood[i] >= cd.log_likelihood[i - 1] - 1e-9 * std::abs(cd.log_likelihood[i - 1]));
  // A certificate of the stationary point reached: the projected gradient has all but vanished.
  CHECK(cd.kkt_residual.back() < 1e-4);
  // A fifth of the sweeps reach at least the likelihood of 1,000 multiplicative updates.
  CHECK(cd.final_log_likelihood() >= mu.final_log_likelihood() - 1e-9 * std::abs(mu.final_log_likelihood()));
  CHECK(cd.W.minCoeff() >= 0);
  CHECK(cd.H.minCoeff() >= 0);
  // The reported likelihood is the one of the returned factors.
  CHECK(cd.final_log_likelihood() == Approx(poisson_log_likelihood(V, cd.W * cd.H)).epsilon(1e-10));
  // Scaled counts on the simulated scale of the tests above: the solver stops by the tolerance.
  o.tolerance = 1e-9;
  o.max_iterations = 5000;
  const auto stopped = PoissonNMF<double>(o).fit(V);
  CHECK(stopped.status == Status::Converged);
}

TEST_CASE("coordinate descent: the same bytes for any thread count, masked cells left out", "[poisson][ccd][missing]") {
  Eigen::MatrixXd V = simulate(700, 30, 3, 30000, 13), hidden = V;
  const auto cells = hide_cells(hidden, 0.08, 3);
  PoissonNMFOptions o;
  o.rank = 3;
  o.max_iterations = 60;
  o.tolerance = 0;
  o.solver = PoissonSolver::CoordinateDescent;
  o.missing = MissingValues::Mask;
  const auto one = fit_checking_threads(o, hidden);
  for (std::size_t i = 1; i < one.log_likelihood.size(); ++i)
    CHECK(one.log_likelihood[i] >= one.log_likelihood[i - 1] - 1e-9 * std::abs(one.log_likelihood[i - 1]));
  CHECK(one.final_log_likelihood() == Approx(poisson_log_likelihood(hidden, one.W * one.H)).epsilon(1e-10));
  // The hidden counts are predicted from the rest far better than by the mean.
  const Eigen::MatrixXd mean = one.W * one.H;
  double err = 0, err_mean = 0;
  for (auto [i, c] : cells) {
    err += std::abs(mean(i, c) - V(i, c));
    err_mean += std::abs(V.mean() - V(i, c));
  }
  CHECK(err < 0.3 * err_mean);
  o.newton_steps = 0;
  CHECK_THROWS_WITH(PoissonNMF<double>(o), Catch::Matchers::Contains("newton_steps"));
}

TEST_CASE("Poisson NMF shares NMF's options: progress as Progress, patience, a time limit, one validation", "[poisson][options]") {
  using Catch::Matchers::Contains;
  const Eigen::MatrixXd V = simulate(80, 20, 3, 5000, 7);
  for (PoissonSolver solver : {PoissonSolver::MultiplicativeUpdates, PoissonSolver::CoordinateDescent}) {
    INFO(to_string(solver));
    PoissonNMFOptions o;
    o.rank = 3;
    o.solver = solver;
    o.max_iterations = 50;
    o.tolerance = 0;
    std::vector<Progress> seen;
    o.progress = [&](const Progress& p) { seen.push_back(p); };
    const auto r = PoissonNMF<double>(o).fit(V);
    // One report per iteration, in order, whose objective is the negative log-likelihood.
    REQUIRE(seen.size() == r.log_likelihood.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].iteration == int(i) + 1);
      CHECK(seen[i].objective == -r.log_likelihood[i]);
      CHECK(seen[i].relative_change >= 0);
      if (i > 0)
        CHECK(seen[i].relative_change ==
              Approx(std::abs(r.log_likelihood[i] - r.log_likelihood[i - 1]) / std::abs(r.log_likelihood[i - 1])));
      CHECK(seen[i].residual == r.kkt_residual[i]);
    }

    // A tolerance every change passes (the log-likelihood is <= 0 and rises, so no change
    // exceeds |previous|) stops after exactly `patience` iterations.
    o.progress = nullptr;
    o.tolerance = 2.0;
    for (int patience : {1, 3}) {
      o.patience = patience;
      const auto p = PoissonNMF<double>(o).fit(V);
      CHECK(p.status == Status::Converged);
      CHECK(p.iterations == patience);
    }

    // A time limit that has passed by the end of the first iteration stops there.
    o.tolerance = 0;
    o.patience = 1;
    o.max_iterations = 100000;
    o.time_limit = 1e-9;
    const auto t = PoissonNMF<double>(o).fit(V);
    CHECK(t.status == Status::TimeLimit);
    CHECK(t.iterations == 1);
  }
  // The shared fields are checked by one validation, naming the options struct and the field.
  PoissonNMFOptions bad;
  bad.patience = 0;
  CHECK_THROWS_WITH(PoissonNMF<double>(bad), Contains("PoissonNMFOptions.patience"));
  bad.patience = 1;
  bad.time_limit = -1;
  CHECK_THROWS_WITH(PoissonNMF<double>(bad), Contains("PoissonNMFOptions.time_limit"));
  NMFOptions nmf_bad;
  nmf_bad.time_limit = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(nmf_bad.validate(), Contains("NMFOptions.time_limit"));
}

TEMPLATE_TEST_CASE("sparse V: the dense fit's updates over the stored entries only", "[poisson][sparse]", float, double) {
  // Mostly zeros: a low mean, so that most cells are empty, as in single-cell counts.
  const Eigen::MatrixXd dense = simulate(150, 40, 3, 60, 11);
  REQUIRE((dense.array() == 0).count() > dense.size() / 2);
  const Eigen::SparseMatrix<double> sparse = dense.sparseView();
  PoissonNMFOptions o;
  o.rank = 3;
  o.max_iterations = 60;
  o.tolerance = 0;
  const auto from_dense = PoissonNMF<double>(o).fit(dense);
  const auto from_sparse = PoissonNMF<TestType>(o).fit(Eigen::SparseMatrix<TestType>(sparse.cast<TestType>()));
  // The same start and the same updates: the same factors and log-likelihoods up to rounding.
  REQUIRE(from_sparse.log_likelihood.size() == from_dense.log_likelihood.size());
  for (std::size_t i = 0; i < from_dense.log_likelihood.size(); ++i)
    CHECK(from_sparse.log_likelihood[i] == Approx(from_dense.log_likelihood[i]).epsilon(1e-9));
  const double factor_tolerance = std::is_same_v<TestType, float> ? 1e-5 : 1e-8;
  CHECK((from_sparse.W.template cast<double>() - from_dense.W).norm() <= factor_tolerance * from_dense.W.norm());
  CHECK((from_sparse.H.template cast<double>() - from_dense.H).norm() <= factor_tolerance * from_dense.H.norm());
  // The likelihood never decreases, and it is the full Poisson one of the returned factors.
  for (std::size_t i = 1; i < from_sparse.log_likelihood.size(); ++i)
    CHECK(from_sparse.log_likelihood[i] >=
          from_sparse.log_likelihood[i - 1] - 1e-9 * std::abs(from_sparse.log_likelihood[i - 1]));
  const Eigen::MatrixXd W = from_sparse.W.template cast<double>(), H = from_sparse.H.template cast<double>();
  CHECK(poisson_log_likelihood(dense, W * H) == Approx(from_sparse.log_likelihood.back()).epsilon(1e-6));
}

TEST_CASE("sparse V: the same bytes for any thread count, and bad entries refused", "[poisson][sparse]") {
  using Catch::Matchers::Contains;
  const Eigen::SparseMatrix<double> V = Eigen::MatrixXd(simulate(300, 200, 4, 400, 5)).sparseView();
  PoissonNMFOptions o;
  o.rank = 4;
  o.max_iterations = 30;
  o.tolerance = 0;
  o.threads = 1;
  const auto one = PoissonNMF<double>(o).fit(V);
  o.threads = 3;
  const auto three = PoissonNMF<double>(o).fit(V);
  CHECK(one.W == three.W);
  CHECK(one.H == three.H);
  CHECK(one.log_likelihood == three.log_likelihood);

  Eigen::SparseMatrix<double> bad = V;
  bad.coeffRef(7, 3) = -1;
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(bad), Contains("V(7, 3)") && Contains("negative"));
  bad.coeffRef(7, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(bad), Contains("V(7, 3)") && Contains("not finite"));
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(Eigen::SparseMatrix<double>(0, 4)), Contains("empty"));
  o.solver = PoissonSolver::CoordinateDescent;
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(V), Contains("coordinate descent needs dense V"));
}

TEST_CASE("every Poisson solver reports a KKT residual that vanishes, and can stop on it", "[poisson][kkt]") {
  const Eigen::MatrixXd V = simulate(100, 30, 3, 3000, 13);
  const Eigen::SparseMatrix<double> sparse = V.sparseView();
  struct Path {
    const char* name;
    PoissonSolver solver;
    bool sparse;
  };
  for (const Path& path : {Path{"mu", PoissonSolver::MultiplicativeUpdates, false},
                           Path{"mu, sparse", PoissonSolver::MultiplicativeUpdates, true},
                           Path{"ccd", PoissonSolver::CoordinateDescent, false}}) {
    INFO(path.name);
    PoissonNMFOptions o;
    o.rank = 3;
    o.solver = path.solver;
    o.tolerance = 0;
    o.max_iterations = 3000;
    auto fit = [&] { return path.sparse ? PoissonNMF<double>(o).fit(sparse) : PoissonNMF<double>(o).fit(V); };
    // Run long: the residual is relative to the first iteration's, finite, and ends far below it.
    o.max_iterations = 1500;
    const auto long_run = fit();
    REQUIRE(long_run.kkt_residual.size() == long_run.log_likelihood.size());
    CHECK(long_run.kkt_residual.front() == 1.0);
    for (double r : long_run.kkt_residual) CHECK((std::isfinite(r) && r >= 0));
    CHECK(long_run.kkt_residual.back() < 1e-2);
    // A KKT tolerance stops the fit as soon as the residual reaches it (patience 1), with the
    // tolerance on the log-likelihood off.
    o.max_iterations = 3000;
    o.kkt_tolerance = 1e-2;
    const auto stopped = fit();
    CHECK(stopped.status == Status::Converged);
    CHECK(stopped.kkt_residual.back() <= 1e-2);
    for (std::size_t i = 0; i + 1 < stopped.kkt_residual.size(); ++i) CHECK(stopped.kkt_residual[i] > 1e-2);
  }
  PoissonNMFOptions bad;
  bad.kkt_tolerance = -1;
  CHECK_THROWS_WITH(PoissonNMF<double>(bad), Catch::Matchers::Contains("PoissonNMFOptions.kkt_tolerance"));
}
