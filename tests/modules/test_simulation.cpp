#include <algorithm>
#include <cmath>
#include <numeric>

#include <catch2/catch.hpp>

#include <fusednmf/detail/random.hpp>
#include <fusednmf/modules/simulation.hpp>

using namespace fusednmf;

TEST_CASE("the portable samplers have the right mean and variance", "[random]") {
  detail::Random rng(7);
  const int n = 200000;
  for (double shape : {0.2, 1.0, 3.5}) {
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
      const double x = rng.gamma(shape);
      REQUIRE(x >= 0.0);
      sum += x, sq += x * x;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    CHECK(mean == Approx(shape).epsilon(0.02));
    CHECK(var == Approx(shape).epsilon(0.05));
  }
  for (double lambda : {0.3, 4.0, 9.9, 10.0, 55.0, 3000.0}) {
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
      const double x = double(rng.poisson(lambda));
      REQUIRE(x >= 0.0);
      sum += x, sq += x * x;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    CHECK(mean == Approx(lambda).epsilon(0.02));
    CHECK(var == Approx(lambda).epsilon(0.05));
  }
  // Poisson(55): the probability of exactly 55 matches the formula.
  int hits = 0;
  for (int i = 0; i < n; ++i) hits += rng.poisson(55.0) == 55;
  const double p55 = std::exp(55 * std::log(55.0) - 55 - std::lgamma(56.0));
  CHECK(double(hits) / n == Approx(p55).epsilon(0.05));
  for (int i = 0; i < 1000; ++i) CHECK(rng.below(7) < 7);
}

TEST_CASE("simulated modules follow the seed document's recipe", "[modules]") {
  modules::SimulationOptions o;
  o.genes = 300;
  o.samples = 40;
  o.modules = 5;
  o.moonlighting = 0.1;
  o.seed = 3;
  const auto s = modules::simulate(o);
  REQUIRE(s.W.rows() == 300);
  REQUIRE(s.H.cols() == 40);
  CHECK((s.W.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
  CHECK((s.H.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
  CHECK(s.W.minCoeff() >= 0.0);
  int moonlighters = 0;
  std::vector<int> sizes(5, 0);
  for (Eigen::Index i = 0; i < 300; ++i) {
    const int nonzero = int((s.W.row(i).array() > 0).count());
    const bool moon = s.second_module[std::size_t(i)] >= 0;
    CHECK(nonzero == (moon ? 2 : 1));
    CHECK(s.W(i, s.module[std::size_t(i)]) > 0);
    if (moon) CHECK(s.second_module[std::size_t(i)] != s.module[std::size_t(i)]);
    moonlighters += moon;
    ++sizes[std::size_t(s.module[std::size_t(i)])];
  }
  CHECK(moonlighters == 30);
  CHECK(*std::min_element(sizes.begin(), sizes.end()) == 60);  // balanced
  CHECK(s.scale == Approx(100.0 * 300));
  CHECK(s.V.mean() == Approx(100.0).epsilon(0.05));
  CHECK((s.V.array() == s.V.array().round()).all());
  CHECK(s.V.minCoeff() >= 0);

  const auto again = modules::simulate(o);
  CHECK(again.V == s.V);
  o.seed = 4;
  CHECK(modules::simulate(o).V != s.V);
}

TEST_CASE("bad simulation options throw naming the field", "[modules]") {
  using Catch::Matchers::Contains;
  modules::SimulationOptions o;
  o.modules = 1;
  CHECK_THROWS_WITH(modules::simulate(o), Contains("at least 2 modules"));
  o = {};
  o.moonlighting = 1.5;
  CHECK_THROWS_WITH(modules::simulate(o), Contains("moonlighting"));
  o = {};
  o.depth = 0;
  CHECK_THROWS_WITH(modules::simulate(o), Contains("depth"));
  o = {};
  o.modules = 500;
  CHECK_THROWS_WITH(modules::simulate(o), Contains("modules must be in [1, genes]"));
  o = {};
  o.sample_alpha = -1;
  CHECK_THROWS_WITH(modules::simulate(o), Contains("sample_alpha"));
}
