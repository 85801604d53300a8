// The regularizer contract (regularizers.hpp): each prox is the minimiser of its penalty plus the
// weighted squared distance, checked against perturbations; penalties follow their formulas;
// validate() rejects bad weights; the traits say what they claim.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/regularizers.hpp>

using namespace fusednmf;

namespace {

// 1/2 Σ w_i (x_i - z_i)² / scale + penalty(x): what prox(z) minimises with prox weights w
// (the penalty is at data_scale, as the engine calls it).
template <class R>
double prox_objective(const R& r, const std::vector<double>& x, const std::vector<double>& z,
                      const std::vector<double>& w, double data_scale) {
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) d += 0.5 * w[i] * (x[i] - z[i]) * (x[i] - z[i]);
  return d + r.penalty(x.data(), w.data(), std::ptrdiff_t(x.size()), data_scale);
}

template <class R>
void check_prox_is_a_minimiser(const R& r, bool weighted) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 1.0);
  ProxWorkspace ws;
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 5 + std::size_t(trial) * 7;
    std::vector<double> z(n), w(n, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      z[i] = (i < n / 2 ? 2.0 : 0.5) + noise(rng);
      if (weighted) w[i] = 1.0 + double(i % 4);
    }
    std::vector<double> x = z;
    r.prox(x.data(), weighted ? w.data() : nullptr, std::ptrdiff_t(n), 1.0, ws);
    for (double v : x) REQUIRE(v >= 0.0);
    const double best = prox_objective(r, x, z, w, 1.0);
    for (int p = 0; p < 50; ++p) {  // no nearby feasible point does better
      std::vector<double> y = x;
      for (auto& v : y) v = std::max(0.0, v + 0.05 * noise(rng));
      CHECK(prox_objective(r, y, z, w, 1.0) >= best - 1e-9 * (1.0 + std::abs(best)));
    }
  }
}

}  // namespace

TEST_CASE("each prox minimises its penalty plus the weighted distance, at x >= 0", "[regularizers]") {
  SECTION("NoRegularizer: the projection onto x >= 0") { check_prox_is_a_minimiser(NoRegularizer<double>{}, false); }
  SECTION("FusedLasso, plain and weighted") {
    check_prox_is_a_minimiser(FusedLasso<double>{0.7, 0.0}, false);
    check_prox_is_a_minimiser(FusedLasso<double>{0.7, 0.2}, true);
  }
  SECTION("L1Sparsity") { check_prox_is_a_minimiser(L1Sparsity<double>{0.3}, false); }
}

TEST_CASE("penalties follow their formulas, in units of the data's scale", "[regularizers]") {
  const std::vector<double> x{1.0, 3.0, 3.0, 0.0};
  const std::vector<double> w{1.0, 2.0, 1.0, 1.0};
  // TV = 2 + 0 + 3 = 5; weighted L1 = 1 + 6 + 3 + 0 = 10.
  CHECK(FusedLasso<double>{2.0, 0.5}.penalty(x.data(), w.data(), 4, 3.0) == Approx(3.0 * (2.0 * 5 + 0.5 * 10)));
  CHECK(L1Sparsity<double>{0.5}.penalty(x.data(), nullptr, 4, 2.0) == Approx(2.0 * 0.5 * 7));
  CHECK(NoRegularizer<double>{}.penalty(x.data(), w.data(), 4, 2.0) == 0.0);
}

TEST_CASE("validate() rejects negative or non-finite weights, naming the field", "[regularizers]") {
  CHECK_THROWS_AS((FusedLasso<double>{-1.0, 0.0}.validate()), std::invalid_argument);
  CHECK_THROWS_AS((FusedLasso<double>{1.0, std::nan("")}.validate()), std::invalid_argument);
  CHECK_THROWS_WITH(L1Sparsity<double>{-0.1}.validate(), Catch::Matchers::Contains("mu"));
  CHECK_NOTHROW(FusedLasso<float>{0.0, 0.0}.validate());
}

TEST_CASE("the traits: every regularizer meets the contract, only the fused lasso's prox is costly", "[regularizers]") {
  STATIC_REQUIRE(is_regularizer<NoRegularizer<float>>::value);
  STATIC_REQUIRE(is_regularizer<FusedLasso<double>>::value);
  STATIC_REQUIRE(is_regularizer<L1Sparsity<double>>::value);
  STATIC_REQUIRE_FALSE(is_regularizer<int>::value);
  STATIC_REQUIRE(has_costly_prox<FusedLasso<float>>::value);
  STATIC_REQUIRE_FALSE(has_costly_prox<NoRegularizer<double>>::value);
  STATIC_REQUIRE_FALSE(has_costly_prox<L1Sparsity<double>>::value);
}
