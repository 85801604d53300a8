#include <algorithm>
#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include <fusednmf/modules/rank_choice.hpp>
#include <fusednmf/modules/simulation.hpp>

#include "support/seeds.hpp"

using namespace fusednmf;
using Catch::Matchers::Contains;

namespace {

// Average linkage by the definition: every merge scans every pair for the closest (ties to the
// first pair), O(n³). detail::average_linkage must build the same tree.
detail::AverageLinkage reference_average_linkage(const Eigen::MatrixXd& distance) {
  const Eigen::Index n = distance.rows();
  detail::AverageLinkage tree;
  tree.heights = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXd d = distance;
  std::vector<std::vector<Eigen::Index>> members(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) members[std::size_t(i)] = {i};
  std::vector<char> active(static_cast<std::size_t>(n), 1);
  for (Eigen::Index merges = 0; merges + 1 < n; ++merges) {
    Eigen::Index a = -1, b = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i + 1; j < n; ++j)
        if (active[std::size_t(i)] && active[std::size_t(j)] && d(i, j) < best) best = d(i, j), a = i, b = j;
    for (Eigen::Index x : members[std::size_t(a)])
      for (Eigen::Index y : members[std::size_t(b)]) tree.heights(x, y) = tree.heights(y, x) = best;
    const double na = double(members[std::size_t(a)].size()), nb = double(members[std::size_t(b)].size());
    for (Eigen::Index k = 0; k < n; ++k)
      if (active[std::size_t(k)] && k != a && k != b) d(a, k) = d(k, a) = (na * d(a, k) + nb * d(b, k)) / (na + nb);
    members[std::size_t(a)].insert(members[std::size_t(a)].end(), members[std::size_t(b)].begin(),
                                   members[std::size_t(b)].end());
    active[std::size_t(b)] = 0;
  }
  for (Eigen::Index i = 0; i < n; ++i)
    if (active[std::size_t(i)]) tree.order = members[std::size_t(i)];
  return tree;
}

}  // namespace

TEST_CASE("average linkage builds the tree of its definition, ties included", "[modules][rank]") {
  detail::Random rng(5);
  for (int trial = 0; trial < 60; ++trial) {
    const Eigen::Index n = 2 + Eigen::Index(rng.uniform() * 40);
    // Consensus-like distances (multiples of 1/4: many ties) or continuous ones.
    const bool ties = trial % 2 == 0;
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i + 1; j < n; ++j)
        d(i, j) = d(j, i) = ties ? std::floor(rng.uniform() * 5) / 4 : rng.uniform();
    INFO("trial " << trial << ", n = " << n);
    const auto fast = detail::average_linkage(d);
    const auto reference = reference_average_linkage(d);
    CHECK(fast.heights == reference.heights);
    CHECK(fast.order == reference.order);
  }
}

TEST_CASE("held-out cross-validation picks the planted rank on the seed's simulated sets", "[modules][rank][statistical]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    modules::SimulationOptions simulation;  // 200 genes x 50 samples, R = 4, 5 % moonlighting
    simulation.seed = seed;
    const auto sim = modules::simulate(simulation);
    modules::RankChoiceOptions o;
    o.min_rank = 3;
    o.max_rank = 5;
    o.restarts = 2;
    o.fit.max_iterations = 600;  // enough for the held-out deviance to settle; keeps the sanitizer run short
    const auto choice = modules::choose_rank(sim.V, o);
    INFO("seed " << seed);
    REQUIRE(choice.table.size() == 3);
    CHECK(choice.table[choice.chosen].rank == 4);
    for (const auto& row : choice.table) {
      CHECK(row.cv_deviance > 0);
      CHECK(row.cv_standard_error >= 0);
      CHECK(row.cophenetic <= 1.0 + 1e-12);
      CHECK(row.dispersion <= 1.0 + 1e-12);
      CHECK(row.fit.W.rows() == 200);
      // The consensus: symmetric shares with 1 on the diagonal, and its order a permutation.
      REQUIRE(row.consensus.rows() == 50);
      CHECK(row.consensus.isApprox(row.consensus.transpose()));
      CHECK(row.consensus.diagonal().isOnes());
      CHECK(row.consensus.minCoeff() >= 0.0);
      CHECK(row.consensus.maxCoeff() <= 1.0);
      std::vector<Eigen::Index> sorted = row.consensus_order;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == Eigen::Index(i));
      CHECK(sorted.size() == 50);
    }
    // The likelihood keeps rising past the planted rank; the held-out deviance falls only up to it.
    CHECK(choice.table[2].log_likelihood > choice.table[1].log_likelihood);
    CHECK(choice.table[1].cv_deviance < 0.2 * choice.table[0].cv_deviance);
  }
}

TEST_CASE("rank choice: the same result for any thread count, and clear errors", "[modules][rank]") {
  modules::SimulationOptions simulation;
  simulation.genes = 80;
  simulation.samples = 20;
  simulation.modules = 3;
  simulation.seed = 4;
  const auto sim = modules::simulate(simulation);
  modules::RankChoiceOptions o;
  o.min_rank = 2;
  o.max_rank = 4;
  o.restarts = 2;
  o.fit.max_iterations = 200;
  o.fit.threads = 1;
  const auto one = modules::choose_rank(sim.V, o);
  o.fit.threads = 2;
  const auto two = modules::choose_rank(sim.V, o);
  for (std::size_t i = 0; i < one.table.size(); ++i) {
    CHECK(one.table[i].cv_deviance == two.table[i].cv_deviance);
    CHECK(one.table[i].cophenetic == two.table[i].cophenetic);
    CHECK(one.table[i].fit.W == two.table[i].fit.W);
  }
  o.restarts = 1;
  o.rule = modules::RankRule::Cophenetic;
  CHECK_THROWS_WITH(modules::choose_rank(sim.V, o), Contains("restarts must be >= 2 for the cophenetic rule"));
  o.rule = modules::RankRule::BIC;
  CHECK(std::isnan(modules::choose_rank(sim.V, o).table[0].cophenetic));
  o.folds = 1;
  CHECK_THROWS_WITH(modules::choose_rank(sim.V, o), Contains("folds must be >= 2"));
  o.folds = 5;
  o.held_out = 0.5;
  CHECK_THROWS_WITH(modules::choose_rank(sim.V, o), Contains("held_out must be in (0, 1 / folds]"));
  o.held_out = 0.05;
  o.max_rank = 30;
  CHECK_THROWS_WITH(modules::choose_rank(sim.V, o), Contains("exceeds min(rows, cols) = 20"));
}

TEST_CASE("the cross-validation rule: the smallest rank within its margin of standard errors of the lowest", "[modules][rank]") {
  // Held-out deviances set by hand, the shape of an over-dispersed table: still falling at the
  // largest rank, by less than a standard error per rank. Folds spread by ±1 around each mean
  // give a standard error of sqrt(4/3)/2 = 0.577 over 4 folds.
  const std::vector<double> mean{131.0, 122.0, 121.4, 121.0, 120.6};  // ranks 2..6
  modules::RankChoiceOptions o;
  o.min_rank = 2;
  o.max_rank = 6;
  o.restarts = 1;
  o.folds = 4;
  o.held_out = 0.05;
  auto restart = [](const PoissonNMFOptions&) { return PoissonNMFResult<double>{}; };
  auto fold_deviance = [&](const PoissonNMFOptions& fit, int fold) {
    return mean[std::size_t(fit.rank - 2)] + (fold % 2 == 0 ? 1.0 : -1.0);
  };
  auto chosen_rank = [&](double margin) {
    o.cv_standard_errors = margin;
    const auto choice = detail::choose_rank_with(50, 20, 1000.0, o, nullptr, restart, fold_deviance);
    REQUIRE(choice.table.size() == 5);
    CHECK(choice.table[0].cv_standard_error == Approx(std::sqrt(4.0 / 3.0) / 2.0));
    return choice.table[choice.chosen].rank;
  };
  CHECK(chosen_rank(0.0) == 6);  // the lowest
  CHECK(chosen_rank(1.0) == 5);  // 121.0 <= 120.6 + 0.58, 121.4 is not
  CHECK(chosen_rank(2.0) == 4);  // 121.4 <= 120.6 + 1.15, 122.0 is not (the default margin)
  CHECK(chosen_rank(3.0) == 3);  // 122.0 <= 120.6 + 1.73
  CHECK(modules::RankChoiceOptions{}.cv_standard_errors == 2.0);
  o.cv_standard_errors = -1.0;
  CHECK_THROWS_WITH(detail::choose_rank_with(50, 20, 1000.0, o, nullptr, restart, fold_deviance),
                    Contains("cv_standard_errors must be finite and >= 0"));
}

TEST_CASE("consensus: a stable clustering scores 1, an arbitrary one less, and UPGMA heights", "[modules][rank]") {
  // Two fits that agree: samples {0, 1} and {2, 3}.
  Eigen::MatrixXd H(2, 4);
  H << 1, 1, 0, 0, 0, 0, 1, 1;
  const Eigen::MatrixXd stable = modules::sample_consensus({H, H});
  CHECK(stable(0, 1) == 1.0);
  CHECK(stable(0, 2) == 0.0);
  auto [cophenetic, dispersion] = detail::consensus_stability(stable);
  CHECK(cophenetic == Approx(1.0));
  CHECK(dispersion == Approx(1.0));
  // A second fit that splits them differently: consensus 1/2 on some pairs.
  Eigen::MatrixXd other(2, 4);
  other << 1, 0, 1, 0, 0, 1, 0, 1;
  const Eigen::MatrixXd mixed = modules::sample_consensus({H, other});
  CHECK(mixed(0, 1) == 0.5);
  CHECK(detail::consensus_stability(mixed).second < 1.0);
  // Average linkage on a line of points 0, 1, 5: {0, 1} join at 1, then 5 at (5 + 4) / 2.
  Eigen::MatrixXd d(3, 3);
  d << 0, 1, 5, 1, 0, 4, 5, 4, 0;
  const Eigen::MatrixXd heights = detail::cophenetic_distances(d);
  CHECK(heights(0, 1) == 1.0);
  CHECK(heights(0, 2) == 4.5);
  CHECK(heights(1, 2) == 4.5);
}

TEST_CASE("average linkage orders the leaves so that every cluster is contiguous", "[modules][rank]") {
  // Samples 0 and 2 always together, 1 and 3 always together, 4 alone with 1 and 3 half the time.
  Eigen::MatrixXd consensus(5, 5);
  consensus << 1, 0, 1, 0, 0,
               0, 1, 0, 1, 0.5,
               1, 0, 1, 0, 0,
               0, 1, 0, 1, 0.5,
               0, 0.5, 0, 0.5, 1;
  const auto tree = detail::average_linkage((1.0 - consensus.array()).matrix());
  REQUIRE(tree.order.size() == 5);
  std::vector<Eigen::Index> position(5, -1);
  for (std::size_t p = 0; p < tree.order.size(); ++p) position[std::size_t(tree.order[p])] = Eigen::Index(p);
  for (Eigen::Index p : position) CHECK(p >= 0);  // a permutation
  CHECK(std::abs(position[0] - position[2]) == 1);
  CHECK(std::abs(position[1] - position[3]) == 1);
  // {1, 3, 4} is a cluster of the tree: its positions are three neighbours.
  const auto [lo, hi] = std::minmax({position[1], position[3], position[4]});
  CHECK(hi - lo == 2);
  CHECK(tree.heights(1, 4) == 0.5);  // 4 joins {1, 3} at the mean of its distances, 0.5 and 0.5
}

TEST_CASE("the held-out deviance is 0 for a perfect mean and counts only hidden, observed cells", "[modules][rank]") {
  Eigen::MatrixXd V(2, 2), mean(2, 2);
  V << 3, 0, 5, std::numeric_limits<double>::quiet_NaN();
  mean << 3, 1, 4, 2;
  const std::vector<char> all{1, 1, 1, 1}, first{1, 0, 0, 0};
  CHECK(detail::held_out_deviance(V, mean, first) == 0.0);
  // Hidden and observed: (3, 3), (5, 4) [column-major: cells 0 and 1], (0, 1) [cell 2]; cell 3 is NaN.
  const double expected = (0.0 + 2 * (5 * std::log(5.0 / 4.0) - 1.0) + 2 * (0.0 - (0.0 - 1.0))) / 3.0;
  CHECK(detail::held_out_deviance(V, mean, all) == Approx(expected));
}

TEST_CASE("sparse counts: the same folds, fits and rank as the dense table", "[modules][rank][sparse]") {
  modules::SimulationOptions simulation;  // 200 genes x 50 samples, R = 4
  simulation.depth = 1;                   // a low depth: most cells are 0
  simulation.seed = 4;
  const auto sim = modules::simulate(simulation);
  REQUIRE((sim.V.array() == 0).count() > sim.V.size() / 2);
  modules::RankChoiceOptions o;
  o.min_rank = 2;
  o.max_rank = testing::kSanitizerBuild ? 3 : 5;  // the same paths, half the fits (seeds.hpp)
  o.restarts = 2;
  o.fit.max_iterations = 200;
  o.fit.tolerance = 0;
  const auto dense = modules::choose_rank(sim.V, o);
  const Eigen::SparseMatrix<double> V = sim.V.sparseView();
  const auto sparse = modules::choose_rank(V, o);
  REQUIRE(sparse.table.size() == dense.table.size());
  for (std::size_t i = 0; i < dense.table.size(); ++i) {
    INFO("rank " << dense.table[i].rank);
    CHECK(sparse.table[i].log_likelihood == Approx(dense.table[i].log_likelihood).epsilon(1e-7));
    CHECK(sparse.table[i].cv_deviance == Approx(dense.table[i].cv_deviance).epsilon(1e-6));
    CHECK(sparse.table[i].cv_standard_error == Approx(dense.table[i].cv_standard_error).epsilon(1e-4).margin(1e-9));
    CHECK(sparse.table[i].consensus == dense.table[i].consensus);
  }
  CHECK(sparse.chosen == dense.chosen);
}

TEST_CASE("held-out cells of a sparse fit are left out exactly", "[modules][rank][sparse]") {
  modules::SimulationOptions simulation;
  simulation.genes = 60;
  simulation.samples = 20;
  simulation.modules = 3;
  simulation.depth = 3;
  const auto sim = modules::simulate(simulation);
  // Hide every cell of rows 0-4 in columns 0-9 (stored counts and zeros alike).
  std::vector<std::pair<int, int>> cells;
  for (int c = 0; c < 10; ++c)
    for (int r = 0; r < 5; ++r) cells.emplace_back(r, c);
  const HeldOutCells held_out(sim.V.rows(), sim.V.cols(), cells);
  Eigen::MatrixXd masked = sim.V;
  for (const auto& [r, c] : cells) masked(r, c) = std::numeric_limits<double>::quiet_NaN();
  PoissonNMFOptions o;
  o.rank = 3;
  o.max_iterations = 150;
  o.tolerance = 0;
  o.missing = MissingValues::Mask;
  const auto from_mask = PoissonNMF<double>(o).fit(masked);
  const auto from_cells = PoissonNMF<double>(o).fit(Eigen::SparseMatrix<double>(sim.V.sparseView()), held_out);
  REQUIRE(from_cells.log_likelihood.size() == from_mask.log_likelihood.size());
  for (std::size_t i = 0; i < from_mask.log_likelihood.size(); ++i)
    CHECK(from_cells.log_likelihood[i] == Approx(from_mask.log_likelihood[i]).epsilon(1e-9));
  CHECK((from_cells.W - from_mask.W).norm() <= 1e-8 * from_mask.W.norm());
  // Cells out of order, or outside the matrix, are refused.
  CHECK_THROWS_WITH(HeldOutCells(3, 3, {{1, 0}, {0, 0}}), Contains("column by column"));
  CHECK_THROWS_WITH(HeldOutCells(3, 3, {{3, 0}}), Contains("outside 3 x 3"));
  CHECK_THROWS_WITH(PoissonNMF<double>(o).fit(Eigen::SparseMatrix<double>(4, 4), held_out), Contains("held-out cells"));
}
