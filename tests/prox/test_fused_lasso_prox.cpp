#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/prox/fused_lasso_prox.hpp>

#include "support/prox_certificate.hpp"

using fusednmf::FusedLassoParams;
using fusednmf::FusedLassoProx;
using fusednmf::ProxWorkspace;
using fusednmf::testing::fused_lasso_certificate_violation;
namespace prox = fusednmf::prox;

namespace {

using Vec = std::vector<double>;

template <class Variant, class Scalar = double>
std::vector<Scalar> run(const std::vector<Scalar>& y, double lambda, const std::vector<Scalar>& w = {},
                        double mu = 0.0, bool nonneg = false) {
  FusedLassoProx<Scalar, Variant> op(FusedLassoParams{lambda, mu, nonneg});
  std::vector<Scalar> x(y.size());
  ProxWorkspace ws;
  op.apply(y.data(), w.empty() ? nullptr : w.data(), x.data(), static_cast<std::ptrdiff_t>(y.size()), ws);
  return x;
}

// Input families, each seeded.
Vec noisy_staircase(std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_int_distribution<int> len(1, 200);
  std::uniform_real_distribution<double> level(-5.0, 5.0);
  Vec y;
  while (y.size() < n) {
    double v = level(rng);
    for (int l = len(rng); l > 0 && y.size() < n; --l) y.push_back(v + noise(rng));
  }
  return y;
}
// Mostly 0, bursts of counts. At the default burst rate about half the elements repeat their
// neighbour, too few for the prox to solve on runs; at 0.001, about 7/8 do.
Vec genomic_like(std::size_t n, std::mt19937_64& rng, double burst_rate = 0.01) {
  std::bernoulli_distribution start_peak(burst_rate);
  std::uniform_int_distribution<int> len(5, 300);
  std::poisson_distribution<int> count(4.0);
  Vec y(n, 0.0);
  for (std::size_t i = 0; i < n;) {
    if (start_peak(rng)) {
      for (int l = len(rng); l > 0 && i < n; --l, ++i) y[i] = count(rng);
    } else {
      ++i;
    }
  }
  return y;
}
Vec ramp(std::size_t n, double slope, double noise_sd, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0.0, noise_sd > 0 ? noise_sd : 1.0);
  Vec y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = slope * double(i) + (noise_sd > 0 ? noise(rng) : 0.0);
  return y;
}
Vec random_weights(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(1, 50);
  Vec w(n);
  for (auto& v : w) v = len(rng);
  return w;
}
Vec ones(std::size_t n) { return Vec(n, 1.0); }

std::vector<Vec> families(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-3, 3);
  Vec white(n);
  for (auto& v : white) v = u(rng);
  Vec zigzag(n);  // adversarial: alternating signs
  for (std::size_t i = 0; i < n; ++i) zigzag[i] = (i % 2 ? 1.0 : -1.0) * (1.0 + 0.01 * double(i % 7));
  return {noisy_staircase(n, rng), genomic_like(n, rng), ramp(n, 1e-3, 0.0, rng),
          ramp(n, 1e-2, 0.05, rng), white, zigzag, Vec(n, 3.25)};
}

double max_abs_diff(const Vec& a, const Vec& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

}  // namespace

TEMPLATE_TEST_CASE("every variant meets the exact optimality certificate", "[prox]",
                   prox::DynamicProgramming, prox::Condat) {
  std::mt19937_64 rng(42);
  for (std::size_t n : {2u, 3u, 17u, 1000u, 20000u}) {
    for (double lambda : {0.01, 0.5, 3.0, 100.0}) {
      for (const Vec& y : families(n, rng)) {
        for (bool weighted : {false, true}) {
          Vec w = weighted ? random_weights(n, rng) : ones(n);
          Vec x = run<TestType>(y, lambda, weighted ? w : Vec{});
          double scale = lambda + 1.0;
          INFO("n=" << n << " lambda=" << lambda << " weighted=" << weighted);
          CHECK(fused_lasso_certificate_violation(y, w, x, lambda) <= 1e-8 * scale * std::sqrt(double(n)));
        }
      }
    }
  }
}

// Agreement to 1e-9 relative to the signal's magnitude: both codes are exact, and what is left
// is rounding that grows with the total weight of long flat runs (e.g. 1e-9 absolute on
// genomic-like counts of magnitude 10 with weights up to 50).
TEST_CASE("the variants agree to 1e-9 on random and adversarial families", "[prox]") {
  std::mt19937_64 rng(7);
  for (std::size_t n : {2u, 5u, 300u, 50000u}) {
    for (double lambda : {0.1, 1.0, 10.0, 100.0}) {
      int family = 0;
      for (const Vec& y : families(n, rng)) {
        Vec w = random_weights(n, rng);
        INFO("n=" << n << " lambda=" << lambda << " family=" << family++);
        double scale = 1.0;
        for (double v : y) scale = std::max(scale, std::abs(v));
        CHECK(max_abs_diff(run<prox::DynamicProgramming>(y, lambda), run<prox::Condat>(y, lambda)) <
              1e-9 * scale);
        CHECK(max_abs_diff(run<prox::DynamicProgramming>(y, lambda, w), run<prox::Condat>(y, lambda, w)) <
              1e-9 * scale);
      }
    }
  }
}

TEMPLATE_TEST_CASE("edge cases: n = 0, 1, 2, lambda = 0, huge lambda, constants, staircases", "[prox]",
                   prox::DynamicProgramming, prox::Condat) {
  CHECK(run<TestType>(Vec{}, 1.0).empty());
  CHECK(run<TestType>(Vec{4.5}, 10.0) == Vec{4.5});
  // n = 2: the two values move towards each other by lambda/w each, or meet at the weighted mean.
  Vec two = run<TestType>(Vec{0.0, 10.0}, 1.0);
  CHECK(two[0] == Approx(1.0));
  CHECK(two[1] == Approx(9.0));
  Vec met = run<TestType>(Vec{0.0, 10.0}, 100.0, Vec{1.0, 4.0});
  CHECK(met[0] == Approx(8.0));
  CHECK(met[1] == Approx(8.0));

  std::mt19937_64 rng(3);
  Vec y = noisy_staircase(500, rng);
  CHECK(run<TestType>(y, 0.0) == y);  // lambda = 0 is the identity

  Vec w = random_weights(500, rng);
  double wsum = 0, wy = 0;
  for (std::size_t i = 0; i < y.size(); ++i) wsum += w[i], wy += w[i] * y[i];
  // lambda far above what any jump could pay for: every value is the weighted mean.
  for (double v : run<TestType>(y, 1e6, w)) CHECK(v == Approx(wy / wsum).margin(1e-9));

  for (double v : run<TestType>(Vec(100, -2.5), 3.0)) CHECK(v == Approx(-2.5));

  // A clean staircase with steps much larger than lambda keeps its steps, each shrunk by the
  // exact amount lambda * (1/len_left + 1/len_right) split over the two plateaus.
  Vec stairs;
  for (int s = 0; s < 4; ++s) stairs.insert(stairs.end(), 50, 10.0 * s);
  Vec x = run<TestType>(stairs, 5.0);
  CHECK(x[0] == Approx(0.1));      // first plateau: +lambda/50
  CHECK(x[60] == Approx(10.0));    // inner plateaus: pulled both ways, unchanged
  CHECK(x[199] == Approx(29.9));   // last plateau: -lambda/50
}

TEST_CASE("weighted prox on run-length segments equals the prox of the expanded vector", "[prox]") {
  std::mt19937_64 rng(11);
  for (double lambda : {0.3, 4.0, 60.0}) {
    for (const Vec& seg : families(400, rng)) {
      Vec len = random_weights(seg.size(), rng);
      Vec expanded;
      for (std::size_t i = 0; i < seg.size(); ++i) expanded.insert(expanded.end(), std::size_t(len[i]), seg[i]);
      Vec x_seg = run<prox::Default>(seg, lambda, len);
      Vec x_full = run<prox::Default>(expanded, lambda);
      std::size_t pos = 0;
      double worst = 0;
      for (std::size_t i = 0; i < seg.size(); ++i)
        for (int l = 0; l < int(len[i]); ++l) worst = std::max(worst, std::abs(x_full[pos++] - x_seg[i]));
      CHECK(worst < 1e-9);
      // With the L1 term and the non-negativity constraint too.
      Vec xs = run<prox::Default>(seg, lambda, len, 0.4, true);
      Vec xf = run<prox::Default>(expanded, lambda, {}, 0.4, true);
      pos = 0;
      worst = 0;
      for (std::size_t i = 0; i < seg.size(); ++i)
        for (int l = 0; l < int(len[i]); ++l) worst = std::max(worst, std::abs(xf[pos++] - xs[i]));
      CHECK(worst < 1e-9);
    }
  }
}

TEST_CASE("sparse and non-negative compositions are exact (certificate with subgradients)", "[prox]") {
  std::mt19937_64 rng(5);
  for (double lambda : {0.2, 2.0, 20.0}) {
    for (double mu : {0.0, 0.3, 2.0}) {
      for (bool nonneg : {false, true}) {
        for (const Vec& y : families(3000, rng)) {
          Vec w = random_weights(y.size(), rng);
          Vec z = run<prox::Default>(y, lambda, w);  // plain TV solution
          Vec x = run<prox::Default>(y, lambda, w, mu, nonneg);
          // Subgradient of mu*sum w|x| + indicator(x >= 0) at x, built from z. Valid iff it lies in
          // the subdifferential, which the checks below verify.
          Vec g(y.size());
          bool valid = true;
          for (std::size_t i = 0; i < y.size(); ++i) {
            g[i] = w[i] * (z[i] - x[i]);  // what the shrink/clip moved, as a force
            if (x[i] > 0) valid &= std::abs(g[i] - mu * w[i]) < 1e-9;
            else if (x[i] < 0) valid &= !nonneg && std::abs(g[i] + mu * w[i]) < 1e-9;
            else valid &= nonneg ? g[i] <= mu * w[i] + 1e-9 : std::abs(g[i]) <= mu * w[i] + 1e-9;
          }
          INFO("lambda=" << lambda << " mu=" << mu << " nonneg=" << nonneg);
          CHECK(valid);
          // r_i = w(y - x) - g = w(y - z): the TV certificate must hold for x's jumps.
          CHECK(fused_lasso_certificate_violation(y, w, x, lambda, g) < 1e-7);
          if (nonneg) CHECK(*std::min_element(x.begin(), x.end()) >= 0.0);
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("float keeps double running sums and an offset for large values", "[prox]",
                   prox::DynamicProgramming, prox::Condat) {
  std::mt19937_64 rng(9);
  const std::size_t n = 1000000;
  Vec yd = noisy_staircase(n, rng);
  for (auto& v : yd) v = static_cast<float>(v);
  std::vector<float> yf(yd.begin(), yd.end());
  Vec ref = run<TestType>(yd, 2.0);
  std::vector<float> xf = run<TestType, float>(yf, 2.0);
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(double(xf[i]) - ref[i]));
  CHECK(worst < 1e-5);  // float rounding of the output only, not accumulated error

  // Large values: 1e6 + small signal. The offset keeps precision in double too.
  Vec big(n);
  for (std::size_t i = 0; i < n; ++i) big[i] = 1e6 + yd[i];
  Vec xbig = run<TestType>(big, 2.0);
  worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(xbig[i] - 1e6 - ref[i]));
  CHECK(worst < 1e-7);
}

TEST_CASE("in place equals out of place, and a reused workspace gives the same result", "[prox]") {
  std::mt19937_64 rng(13);
  Vec y = genomic_like(5000, rng);
  FusedLassoProx<double> op(2.0);
  ProxWorkspace ws;
  Eigen::VectorXd ye = Eigen::Map<Eigen::VectorXd>(y.data(), Eigen::Index(y.size()));
  Eigen::VectorXd out(ye.size());
  op(ye, out, ws);
  Eigen::VectorXd inplace = ye;
  op(inplace, inplace, ws);
  CHECK((out - inplace).cwiseAbs().maxCoeff() == 0.0);
  // A column of a matrix works through Eigen::Ref without a copy.
  Eigen::MatrixXd m(ye.size(), 2);
  m.col(1) = ye;
  op(m.col(1), m.col(1), ws);
  CHECK((m.col(1) - out).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("the ramp that makes plain Condat quadratic is solved exactly by the guard", "[prox]") {
  std::mt19937_64 rng(1);
  Vec y = ramp(200000, 1e-3, 0.0, rng);
  Vec x = run<prox::Condat>(y, 100.0);
  CHECK(fused_lasso_certificate_violation(y, ones(y.size()), x, 100.0) < 1e-6);
  CHECK(max_abs_diff(x, run<prox::DynamicProgramming>(y, 100.0)) < 1e-9);
}

TEST_CASE("the guard hands ramps to the dynamic programme and keeps staircases in Condat", "[prox]") {
  // The kernel reports whether it finished without the fallback. A ramp re-reads without bound
  // and must be handed over; a staircase with long plateaus and a large lambda re-reads about
  // 1.4 elements per element, under the budget, and must not be (that is where Condat is fast).
  namespace detail = fusednmf::prox::detail;
  std::mt19937_64 rng(4);
  const std::size_t n = 100000;
  auto kernel = [](Vec y, double lambda, Vec& x) {
    Vec scratch;
    x.assign(y.size(), 0.0);
    return detail::condat_guarded(y.data(), detail::UnitWeights{}, lambda, x.data(),
                                  static_cast<std::ptrdiff_t>(y.size()), [&](std::ptrdiff_t len) {
                                    scratch.resize(detail::johnson_dp_scratch_size(len));
                                    return scratch.data();
                                  });
  };
  Vec x;
  const Vec ramp_input = ramp(n, 1e-3, 0.0, rng);
  CHECK_FALSE(kernel(ramp_input, 100.0, x));
  CHECK(fused_lasso_certificate_violation(ramp_input, ones(n), x, 100.0) < 1e-6);
  for (double lambda : {1.0, 10.0, 100.0}) {
    const Vec stairs = noisy_staircase(n, rng);
    CHECK(kernel(stairs, lambda, x));
    CHECK(fused_lasso_certificate_violation(stairs, ones(n), x, lambda) < 1e-6);
  }
}

TEST_CASE("segments longer than the table of reciprocals are exact, in one walk and in the split", "[prox]") {
  // On unit weights the walk takes 1 / length from a table while the segment is shorter than it
  // and divides after that, with its jump tests in another form: a segment that grows past the
  // table crosses from one loop to the other. Noisy plateaus of 5,000-9,000 elements and a lambda
  // that keeps each one a segment.
  namespace detail = fusednmf::prox::detail;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.3);
  auto plateaus = [&](std::initializer_list<std::pair<double, int>> steps) {
    Vec y;
    for (auto [level, length] : steps)
      for (int i = 0; i < length; ++i) y.push_back(level + noise(rng));
    return y;
  };
  auto longest_segment = [](const Vec& x) {
    std::size_t longest = 1, current = 1;
    for (std::size_t i = 1; i < x.size(); ++i) longest = std::max(longest, current = x[i] == x[i - 1] ? current + 1 : 1);
    return longest;
  };
  const Vec one_walk = plateaus({{0.0, 5000}, {4.0, 7000}});                  // below the split
  const Vec split = plateaus({{0.0, 6000}, {4.0, 9000}, {1.0, 5000}, {-2.0, 6000}});  // two walks
  REQUIRE(one_walk.size() < std::size_t(detail::kSplitMinLength));
  REQUIRE(split.size() >= std::size_t(detail::kSplitMinLength));
  for (const Vec* y : {&one_walk, &split}) {
    for (double lambda : {30.0, 300.0}) {
      INFO("n=" << y->size() << " lambda=" << lambda);
      const Vec x = run<prox::Condat>(*y, lambda);
      CHECK(longest_segment(x) > std::size_t(detail::kReciprocalCount));
      CHECK(fused_lasso_certificate_violation(*y, ones(y->size()), x, lambda) < 1e-6);
      CHECK(max_abs_diff(x, run<prox::DynamicProgramming>(*y, lambda)) < 1e-9);
    }
  }
  // White noise under a large lambda: segments of thousands of elements that end wherever the
  // noise puts them, so some reach the table's last entry exactly.
  std::uniform_real_distribution<double> uniform(-3.0, 3.0);
  for (std::size_t n : {12000u, 20000u}) {
    Vec white(n);
    for (double& v : white) v = uniform(rng);
    for (double lambda : {100.0, 150.0}) {
      INFO("white noise, n=" << n << " lambda=" << lambda);
      const Vec x = run<prox::Condat>(white, lambda);
      CHECK(fused_lasso_certificate_violation(white, ones(n), x, lambda) < 1e-6);
      CHECK(max_abs_diff(x, run<prox::DynamicProgramming>(white, lambda)) < 1e-9);
    }
  }
  // Without the guard's fallback: the long segments are the walk's own.
  Vec x(one_walk.size()), y = one_walk, scratch;
  CHECK(detail::condat_guarded(y.data(), detail::UnitWeights{}, 30.0, x.data(), std::ptrdiff_t(y.size()),
                               [&](std::ptrdiff_t len) {
                                 scratch.resize(detail::johnson_dp_scratch_size(len));
                                 return scratch.data();
                               }));
  CHECK(longest_segment(x) > std::size_t(detail::kReciprocalCount));
}

TEST_CASE("the dynamic programme run from both ends equals the one-sided one, on one thread or two", "[prox]") {
  // johnson_dp_two_sided meets at x_m, where the two sides' derivatives sum to zero, then
  // backtracks both ways. Every length from the smallest it takes, weighted and not, and long
  // inputs of every family; its two sides in turn and on two threads give the same bits.
  namespace detail = fusednmf::prox::detail;
  std::mt19937_64 rng(29);
  auto in_threads = [](auto&& left, auto&& right) {
    std::thread other(right);
    left();
    other.join();
  };
  auto check = [&](const Vec& y, const Vec& w, double lambda) {
    const std::ptrdiff_t n = std::ptrdiff_t(y.size());
    Vec one_sided(y.size()), in_turn(y.size()), threaded(y.size()), scratch(detail::johnson_dp_scratch_size(n));
    detail::johnson_dp(y.data(), detail::ArrayWeights<double>{w.data()}, lambda, one_sided.data(), n, scratch.data());
    detail::johnson_dp_two_sided(y.data(), detail::ArrayWeights<double>{w.data()}, lambda, in_turn.data(), n,
                                 scratch.data(), detail::InTurn{});
    detail::johnson_dp_two_sided(y.data(), detail::ArrayWeights<double>{w.data()}, lambda, threaded.data(), n,
                                 scratch.data(), in_threads);
    double scale = 1.0;
    for (double v : y) scale = std::max(scale, std::abs(v));
    INFO("n=" << n << " lambda=" << lambda);
    CHECK(max_abs_diff(in_turn, one_sided) < 1e-9 * scale);
    CHECK(threaded == in_turn);
    CHECK(fused_lasso_certificate_violation(y, w, in_turn, lambda) <= 1e-8 * (lambda + 1.0) * std::sqrt(double(n)));
  };
  std::normal_distribution<double> noise(0.0, 2.0);
  for (std::size_t n = 4; n <= 40; ++n) {
    for (int draw = 0; draw < 20; ++draw) {
      Vec y(n);
      for (double& v : y) v = noise(rng);
      check(y, draw % 2 ? random_weights(n, rng) : ones(n), std::exp(noise(rng)));
    }
  }
  for (const Vec& y : families(50001, rng))
    for (double lambda : {1.0, 100.0}) check(y, ones(y.size()), lambda), check(y, random_weights(y.size(), rng), lambda);
  // The DynamicProgramming variant runs it on long inputs, with the workspace's threads.
  const Vec y = ramp(50001, 1e-2, 0.05, rng);
  FusedLassoProx<double, prox::DynamicProgramming> op(1.0);
  std::vector<Vec> results;
  for (int threads : {1, 2}) {
    ProxWorkspace ws;
    ws.set_threads(threads);
    Vec x(y.size());
    op.apply(y.data(), nullptr, x.data(), std::ptrdiff_t(y.size()), ws);
    results.push_back(x);
  }
  CHECK(results[1] == results[0]);
  CHECK(fused_lasso_certificate_violation(y, ones(y.size()), results[0], 1.0) <= 1e-8 * 2.0 * std::sqrt(50001.0));
}

TEST_CASE("the split solve (two walks and the stretch between them) is exact at every length", "[prox]") {
  // condat_split on short inputs, where the middle is often empty or one element and both walks
  // may run out of input: against the dynamic programme, the right half run before the left.
  namespace detail = fusednmf::prox::detail;
  std::mt19937_64 rng(21);
  double worst = 0.0;
  for (int trial = 0; trial < 4000; ++trial) {
    const std::size_t n = 2 + rng() % 80;
    const double lambda = std::vector<double>{0.05, 0.5, 2.0, 20.0}[rng() % 4];
    const Vec y = families(n, rng)[rng() % 7];
    const Vec w = random_weights(n, rng);
    const bool weighted = rng() % 2 == 1;
    // The walks read y where it lies, less an offset; the middle is copied into its own buffer.
    const double offset = y[0];
    // The output adds the offset back as it stores, and the middle is solved in its own buffer.
    Vec x(n), middle(n), middle_out(n), scratch(detail::johnson_dp_scratch_size(std::ptrdiff_t(n)));
    auto scratch_for = [&](std::ptrdiff_t) { return scratch.data(); };
    auto right_first = [](auto&& left, auto&& right) { right(), left(); };
    const detail::ShiftedInput<double> input{y.data(), offset};
    auto add_offset = [offset](double v) { return v + offset; };
    const detail::ArrayOutput<double, decltype(add_offset)> output{x.data(), add_offset};
    if (weighted) {
      detail::condat_split(input, detail::ArrayWeights<double>{w.data()}, lambda, output, std::ptrdiff_t(n),
                           middle.data(), middle_out.data(), scratch_for, right_first);
    } else {
      detail::condat_split(input, detail::UnitWeights{}, lambda, output, std::ptrdiff_t(n), middle.data(),
                           middle_out.data(), scratch_for, right_first);
    }
    const Vec expected = weighted ? run<prox::DynamicProgramming>(y, lambda, w) : run<prox::DynamicProgramming>(y, lambda);
    double scale = 1.0;
    for (double v : y) scale = std::max(scale, std::abs(v));
    worst = std::max(worst, max_abs_diff(x, expected) / scale);
  }
  CHECK(worst < 1e-12);
}

TEMPLATE_TEST_CASE("a long input gives the same bits on one thread and on several", "[prox]", float, double) {
  // From kSplitMinLength on, the operator solves two halves and the stretch between them; the
  // split depends on the length only. Families include a plateau across the split (a long
  // middle) and ramps (both walks over budget), and an odd length.
  std::mt19937_64 rng(34);
  const std::size_t n = std::size_t(fusednmf::prox::detail::kSplitMinLength) * 3 + 1;
  std::vector<Vec> inputs = families(n, rng);
  Vec plateau = noisy_staircase(n, rng);
  for (std::size_t i = n / 3; i < 2 * n / 3; ++i) plateau[i] = 4.0;
  inputs.push_back(plateau);
  for (const Vec& input : inputs) {
    for (bool weighted : {false, true}) {
      for (double lambda : {0.5, 30.0}) {
        const std::vector<TestType> y(input.begin(), input.end());
        const Vec w64 = random_weights(n, rng);
        const std::vector<TestType> w = weighted ? std::vector<TestType>(w64.begin(), w64.end()) : std::vector<TestType>{};
        FusedLassoProx<TestType> op(lambda);
        std::vector<std::vector<TestType>> results;
        for (int threads : {1, 2, 0}) {
          ProxWorkspace ws;
          ws.set_threads(threads);
          std::vector<TestType> x(n);
          op.apply(y.data(), weighted ? w.data() : nullptr, x.data(), std::ptrdiff_t(n), ws);
          results.push_back(x);
        }
        INFO("weighted=" << weighted << " lambda=" << lambda);
        CHECK(results[1] == results[0]);
        CHECK(results[2] == results[0]);
        if constexpr (std::is_same_v<TestType, double>) {  // float's accuracy: the float test above
          CHECK(fused_lasso_certificate_violation(y, weighted ? w : ones(n), results[0], lambda) <=
                1e-8 * (lambda + 1.0) * std::sqrt(double(n)));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("a long input gives the same bits out of place, in place and overlapping, with the "
                   "compositions", "[prox]", float, double) {
  // Out of place, the split's walks read y where it lies and store finished values (offset,
  // soft-threshold, clip, float) straight into x; in place or overlapping they cannot, and a
  // pass finishes a double solution into x. Both must give the same bits, for every weight and
  // composition, on one thread and two.
  std::mt19937_64 rng(37);
  const std::size_t n = std::size_t(fusednmf::prox::detail::kSplitMinLength) * 3 + 5;
  Vec plateau = noisy_staircase(n, rng);
  for (std::size_t i = n / 3; i < 2 * n / 3; ++i) plateau[i] = 4.0;  // a long middle
  for (const Vec& input : {noisy_staircase(n, rng), ramp(n, 1e-3, 0.0, rng), plateau}) {
    for (const FusedLassoParams& params : {FusedLassoParams{2.0, 0.0, false}, FusedLassoParams{2.0, 0.5, true}}) {
      for (bool weighted : {false, true}) {
        for (int threads : {1, 2}) {
          INFO("mu=" << params.mu << " weighted=" << weighted << " threads=" << threads);
          const std::vector<TestType> y(input.begin(), input.end());
          const Vec w64 = random_weights(n, rng);
          const std::vector<TestType> w(w64.begin(), w64.end());
          const TestType* weights = weighted ? w.data() : nullptr;
          const FusedLassoProx<TestType> op(params);
          ProxWorkspace ws;
          ws.set_threads(threads);
          std::vector<TestType> out_of_place(n), in_place = y, shifted(n + 1);
          op.apply(y.data(), weights, out_of_place.data(), std::ptrdiff_t(n), ws);
          op.apply(in_place.data(), weights, in_place.data(), std::ptrdiff_t(n), ws);
          // x one element past y: every element of x but the last is also one of y.
          std::copy(y.begin(), y.end(), shifted.begin());
          op.apply(shifted.data(), weights, shifted.data() + 1, std::ptrdiff_t(n), ws);
          CHECK(in_place == out_of_place);
          CHECK(std::equal(out_of_place.begin(), out_of_place.end(), shifted.begin() + 1));
          if (params.nonnegative) {
            CHECK(*std::min_element(out_of_place.begin(), out_of_place.end()) >= TestType(0));
          }
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("an input solved on its runs gives the same bits on one thread and two, in place "
                   "too, wherever its two pieces are cut", "[prox]", float, double) {
  // On two threads the runs are found in two pieces of y, cut where a run starts at or after
  // n/2: a long run across the middle moves the cut, and one run over the whole second half
  // leaves a single piece.
  std::mt19937_64 rng(35);
  const std::size_t n = std::size_t(fusednmf::prox::detail::kSplitMinLength) * 2 + 7;
  const double sparse = 0.001;  // few enough runs to be solved on them
  Vec moved = genomic_like(n, rng, sparse);
  std::fill(moved.begin() + std::ptrdiff_t(n / 2 - 1000), moved.begin() + std::ptrdiff_t(n / 2 + 9000), 0.0);
  Vec one_piece = genomic_like(n, rng, sparse);
  std::fill(one_piece.begin() + std::ptrdiff_t(n / 2 - 3), one_piece.end(), 2.0);
  Vec starts_at_middle = genomic_like(n, rng, sparse);
  starts_at_middle[n / 2] = 7.5;  // a run starts exactly at n/2
  starts_at_middle[n / 2 - 1] = 0.25;
  for (const Vec& input : {moved, one_piece, starts_at_middle, genomic_like(n, rng, sparse)}) {
    for (bool weighted : {false, true}) {
      const std::vector<TestType> y(input.begin(), input.end());
      const Vec w64 = random_weights(n, rng);
      const std::vector<TestType> w(w64.begin(), w64.end());
      const TestType* weights = weighted ? w.data() : nullptr;
      FusedLassoProx<TestType> op(3.0);
      ProxWorkspace one, two;
      one.set_threads(1);
      two.set_threads(2);
      std::vector<TestType> x1(n), x2(n), in_place = y;
      op.apply(y.data(), weights, x1.data(), std::ptrdiff_t(n), one);
      op.apply(y.data(), weights, x2.data(), std::ptrdiff_t(n), two);
      op.apply(in_place.data(), weights, in_place.data(), std::ptrdiff_t(n), two);
      INFO("weighted=" << weighted);
      CHECK(one.run_output(0) != nullptr);  // allocated only when the runs were solved
      CHECK(x2 == x1);
      CHECK(in_place == x1);
      if constexpr (std::is_same_v<TestType, double>) {
        CHECK(fused_lasso_certificate_violation(y, weighted ? w : ones(n), x1, 3.0) <= 1e-8 * 4.0 * std::sqrt(double(n)));
      }
    }
  }
}

TEST_CASE("an input is solved on its runs only when fewer than a quarter of its elements start one", "[prox]") {
  // The runs path pays only for few runs (the comment on solve_on_runs). Whether a call took it
  // shows in the workspace: the buffer for the runs' solution is allocated on that path only.
  std::mt19937_64 rng(36);
  const std::size_t n = 40000;
  auto noisy_runs = [&](std::size_t length) {  // every run a fresh noisy value
    std::normal_distribution<double> noise(0.0, 1.0);
    Vec y(n);
    double level = 0.0;
    for (std::size_t i = 0; i < n; ++i) y[i] = i % length == 0 ? (level = noise(rng)) : level;
    return y;
  };
  struct Case {
    const char* name;
    Vec y;
    bool on_runs;
  };
  const Case cases[] = {{"genomic-like, half repeats", genomic_like(n, rng), false},
                        {"genomic-like, sparse bursts", genomic_like(n, rng, 0.001), true},
                        {"runs of 2", noisy_runs(2), false},
                        {"runs of 8", noisy_runs(8), true},
                        {"no repeats", noisy_staircase(n, rng), false}};
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      INFO(c.name << ", threads " << threads);
      ProxWorkspace ws;
      ws.set_threads(threads);
      Vec x(n);
      FusedLassoProx<double>(2.0).apply(c.y.data(), nullptr, x.data(), std::ptrdiff_t(n), ws);
      CHECK((ws.run_output(0) != nullptr) == c.on_runs);
      CHECK(fused_lasso_certificate_violation(c.y, ones(n), x, 2.0) <= 1e-8 * 3.0 * std::sqrt(double(n)));
    }
  }
}

TEMPLATE_TEST_CASE("a reused workspace keeps its buffers across inputs of one length", "[prox]",
                   prox::Condat, prox::DynamicProgramming) {
  // The dynamic programme's scratch is needed for a suffix (Condat's fallback) or for the runs
  // (the run path), both of which vary with the input. Growing it on a later call would cost
  // fresh pages (640 MB at n = 10^7): it must be sized once per length. A buffer that grows is
  // reallocated while the old one is alive, so its address changes.
  std::mt19937_64 rng(8);
  const std::size_t n = 20000;
  FusedLassoProx<double, TestType> op(1.0);
  ProxWorkspace ws;
  Vec x(n);
  auto solve = [&](const Vec& y) { op.apply(y.data(), nullptr, x.data(), std::ptrdiff_t(n), ws); };
  solve(genomic_like(n, rng, 0.001));  // first use of each path; the fallback's scratch is lazy
  solve(ramp(n, 1e-2, 0.05, rng));
  const double* scratch = ws.scratch(1);
  for (int i = 0; i < 8; ++i) {
    solve(ramp(n, 1e-2, 0.05, rng));
    solve(genomic_like(n, rng, 0.001));
  }
  CHECK(ws.scratch(1) == scratch);
}

TEST_CASE("bad input throws std::invalid_argument naming the problem", "[prox]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(FusedLassoProx<double>(-1.0), Contains("lambda"));
  CHECK_THROWS_WITH(FusedLassoProx<double>(std::nan("")), Contains("lambda"));
  CHECK_THROWS_WITH(FusedLassoProx<double>(FusedLassoParams{1.0, -0.5, false}), Contains("mu"));
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(run<prox::Default>(Vec{1, std::nan(""), 3}, 1.0), Contains("y[1]"));
  CHECK_THROWS_WITH(run<prox::Default>(Vec{1, 2, inf}, 1.0), Contains("y[2]"));
  CHECK_THROWS_WITH(run<prox::Default>(Vec{1, 2, 3}, 1.0, Vec{1, 0, 1}), Contains("weights[1] = 0.000000 is not > 0"));
  CHECK_THROWS_WITH(run<prox::Default>(Vec{1, 2, 3}, 1.0, Vec{1, 1, -2}), Contains("weights[2] = -2.000000 is not > 0"));
  CHECK_THROWS_WITH(run<prox::Default>(Vec{1, 2, 3}, 1.0, Vec{std::nan(""), 1, 1}), Contains("weights[0] = nan is not finite"));
  {  // the output written over the weights, which the kernels read while they write it
    Vec y{1, 2, 3}, w{1, 1, 1};
    ProxWorkspace ws;
    CHECK_THROWS_WITH(FusedLassoProx<double>(1.0).apply(y.data(), w.data(), w.data(), 3, ws), Contains("overlaps the weights"));
    CHECK(w == Vec{1, 1, 1});
  }
  FusedLassoProx<double> op(1.0);
  ProxWorkspace ws;
  Eigen::VectorXd y(3), x(4);
  y << 1, 2, 3;
  CHECK_THROWS_WITH(op(y, x, ws), Contains("length"));
  CHECK_THROWS_AS(op(y, Eigen::VectorXd(2), x.head(3), ws), std::invalid_argument);
}

TEST_CASE("the walk in AVX-512 lanes gives the scalar walk's bits, forward and back to front", "[prox]") {
  // condat_walk_lanes against condat_walk<true> on the views the split uses: the same final
  // elements, the same open end, the same bits, on inputs where the lanes meet the true walk at
  // once (noise at small lambda), late or never (a constant: no jumps; plateaus longer than the
  // table, where a lane stops), and where a lane stops on its re-read budget (ramps). Skipped
  // (one passing check) on a build without AVX-512: the scalar walk is then the only one.
  namespace detail = fusednmf::prox::detail;
#if FUSEDNMF_PROX_LANES
  std::mt19937_64 rng(36);
  std::normal_distribution<double> noise(0.0, 0.3);
  Vec plateaus;
  for (double level : {0.0, 4.0, 1.0, -2.0, 3.0, 0.5})
    for (int i = 0; i < 6000; ++i) plateaus.push_back(level + noise(rng));
  int compared = 0, nonempty = 0;
  for (std::size_t n : {std::size_t(detail::kLanesMinLength), std::size_t(50001)}) {
    std::vector<Vec> inputs = families(n, rng);
    Vec cut = plateaus;
    cut.resize(n, 0.25);
    inputs.push_back(cut);
    for (std::size_t f = 0; f < inputs.size(); ++f) {
      const Vec& y = inputs[f];
      const std::vector<float> yf(y.begin(), y.end());
      for (double lambda : {0.1, 1.0, 3.0, 30.0}) {
        INFO("n=" << n << " family=" << f << " lambda=" << lambda);
        const auto m = std::ptrdiff_t(n);
        Vec records(detail::condat_lanes_scratch_size(m));
        auto both = [&](auto input, auto output_of, auto& x_scalar, auto& x_lanes) {
          const auto scalar = detail::condat_walk<true>(input, detail::UnitWeights{}, lambda, output_of(x_scalar), m,
                                                        detail::kSplitRereadBudget);
          const auto lanes =
              detail::condat_walk_lanes(input, lambda, output_of(x_lanes), m, detail::kSplitRereadBudget, records.data());
          // Where a lane stops on its budget the walks may end at different elements, both exact.
          const std::ptrdiff_t final_part = std::min(scalar.first_open, lanes.first_open);
          if (f != 2 && f != 3) {  // not the ramps
            CHECK(lanes.first_open == scalar.first_open);
            CHECK(lanes.carry == scalar.carry);
          }
          nonempty += final_part > 0;  // 0 where one open segment spans the input (a constant)
          bool same = true;
          for (std::ptrdiff_t i = 0; i < final_part; ++i) same = same && output_of(x_lanes)[i] == output_of(x_scalar)[i];
          CHECK(same);
          ++compared;
        };
        const double offset = y[0];
        Vec xs(n), xl(n);
        both(detail::ShiftedInput<double>{y.data(), offset}, [](Vec& x) { return detail::ArrayOutput<double>{x.data(), {}}; },
             xs, xl);
        both(detail::ShiftedInput<double>{y.data(), offset}.reversed(m),
             [m](Vec& x) { return detail::ArrayOutput<double>{x.data(), {}}.reversed(m); }, xs, xl);
        std::vector<float> fs(n), fl(n);
        const auto to_float = [](double v) { return static_cast<float>(v); };
        both(detail::ShiftedInput<float>{yf.data(), double(yf[0])},
             [&](std::vector<float>& x) { return detail::ArrayOutput<float, decltype(to_float)>{x.data(), to_float}; },
             fs, fl);
      }
    }
  }
  CHECK(compared == 2 * 8 * 4 * 3);
  CHECK(nonempty > compared * 3 / 4);
#else
  CHECK(detail::kLanesMinLength > 0);
#endif
}

TEST_CASE("a long noisy input solved in lanes meets the certificate and keeps its bits on any thread count",
          "[prox]") {
  // Through FusedLassoProx: at lambda 0.3-1 the split's walks jump often enough to run in lanes
  // (on a build with AVX-512), and their result must be exact and the same on one thread and two.
  std::mt19937_64 rng(37);
  for (std::size_t n : {70000u, 200001u}) {
    const std::vector<Vec> inputs = {noisy_staircase(n, rng), genomic_like(n, rng)};
    for (const Vec& y : inputs) {
      for (double lambda : {0.3, 1.0}) {
        INFO("n=" << n << " lambda=" << lambda);
        FusedLassoProx<double, prox::Condat> op(lambda);
        Vec one(n), two(n);
        ProxWorkspace ws1, ws2;
        ws2.set_threads(2);
        op.apply(y.data(), nullptr, one.data(), std::ptrdiff_t(n), ws1);
        op.apply(y.data(), nullptr, two.data(), std::ptrdiff_t(n), ws2);
        CHECK(one == two);
        CHECK(fused_lasso_certificate_violation(y, ones(n), one, lambda) < 1e-6);
        CHECK(max_abs_diff(one, run<prox::DynamicProgramming>(y, lambda)) < 1e-9);
      }
    }
  }
}
