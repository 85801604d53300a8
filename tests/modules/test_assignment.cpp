#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>

#include <catch2/catch.hpp>

#include <fusednmf/modules/assignment.hpp>
#include <fusednmf/modules/simulation.hpp>
#include <fusednmf/poisson_nmf.hpp>

using namespace fusednmf;

TEST_CASE("module shares do not depend on how W and H split the scale", "[modules]") {
  Eigen::MatrixXd W(3, 2), H(2, 4);
  W << 1, 0, 2, 2, 0, 3;
  H << 1, 1, 1, 1, 2, 2, 2, 2;  // module 2 has twice the total
  const Eigen::MatrixXd shares = modules::module_shares(W, H);
  CHECK(shares(0, 0) == Approx(1.0));
  CHECK(shares(1, 0) == Approx(1.0 / 3.0));  // 2*4 vs 2*8
  CHECK(shares(1, 1) == Approx(2.0 / 3.0));
  Eigen::Vector2d d(5.0, 0.1);
  const Eigen::MatrixXd rescaled = modules::module_shares(W * d.asDiagonal(), d.cwiseInverse().asDiagonal() * H);
  CHECK((rescaled - shares).cwiseAbs().maxCoeff() < 1e-12);

  const auto genes = modules::assign_genes(shares, 0.3);
  CHECK(genes[0].module == 0);
  CHECK_FALSE(genes[0].moonlighting);
  CHECK(genes[1].module == 1);
  CHECK(genes[1].second_module == 0);
  CHECK(genes[1].moonlighting);
  CHECK(genes[2].module == 1);
  const auto hist = modules::share_histogram(shares, 10);
  CHECK(std::accumulate(hist.counts.begin(), hist.counts.end(), std::size_t(0)) == 6);
  CHECK(hist.counts[9] == 2);  // the two shares of exactly 1
  CHECK_THROWS_AS(modules::assign_genes(shares, 0.7), std::invalid_argument);
  CHECK_THROWS_AS(modules::module_shares(W, Eigen::MatrixXd::Ones(3, 4)), std::invalid_argument);
}

TEST_CASE("recovery is scored after matching module labels", "[modules]") {
  // Truth: genes 0-2 in module 0, 3-5 in module 1, gene 6 moonlights in 0 and 1. The fit uses
  // swapped labels, so matching must undo the swap.
  std::vector<int> truth{0, 0, 0, 1, 1, 1, 0}, second{-1, -1, -1, -1, -1, -1, 1};
  std::vector<modules::GeneAssignment> fit(7);
  for (int i = 0; i < 7; ++i) fit[std::size_t(i)].module = truth[std::size_t(i)] == 0 ? 1 : 0;
  fit[6].second_module = 0;
  fit[6].moonlighting = true;
  fit[2].module = 0;  // one mistake
  fit[4].second_module = 1;
  fit[4].moonlighting = true;  // one false call
  const auto rec = modules::compare_to_truth(fit, 2, truth, second, 2);
  CHECK(rec.true_module_of_fitted == std::vector<int>{1, 0});
  CHECK(rec.accuracy == Approx(6.0 / 7.0));
  CHECK(rec.moonlighters == 1);
  CHECK(rec.moonlighters_found == 1);
  CHECK(rec.false_moonlighters == 1);
}

TEST_CASE("planted modules and moonlighting genes are recovered (N=200, M=50, R=4, 5%)", "[modules][statistical]") {
  modules::SimulationOptions o;  // the defaults are the set
  REQUIRE(o.genes == 200);
  REQUIRE(o.samples == 50);
  REQUIRE(o.modules == 4);
  REQUIRE(o.moonlighting == 0.05);
  for (std::uint64_t seed : {1, 2}) {
    o.seed = seed;
    const auto sim = modules::simulate(o);
    RankScanOptions scan_options;
    scan_options.min_rank = 3;
    scan_options.max_rank = 6;
    scan_options.restarts = 3;
    scan_options.fit.seed = 100;
    const auto scan = scan_ranks<double>(sim.V, scan_options);
    const auto& best = best_by_bic(scan);
    CHECK(best.rank == 4);
    for (std::size_t i = 1; i < scan.size(); ++i) CHECK(scan[i].log_likelihood >= scan[i - 1].log_likelihood - 1.0);
    const auto genes = modules::assign_genes(modules::module_shares(best.fit.W, best.fit.H), 0.2);
    const auto rec = modules::compare_to_truth(genes, int(best.rank), sim.module, sim.second_module, 4);
    INFO("seed " << seed << ": accuracy " << rec.accuracy << ", found " << rec.moonlighters_found << " of "
                 << rec.moonlighters << ", false " << rec.false_moonlighters);
    CHECK(rec.accuracy >= 0.95);
    CHECK(rec.moonlighters == 10);
    CHECK(double(rec.moonlighters_found) >= 0.8 * double(rec.moonlighters));
    CHECK(rec.false_moonlighters <= 2);
  }
}
