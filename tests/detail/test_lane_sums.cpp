// The four-lane sums (detail/lane_sums.hpp): their order is part of the result, so it is checked
// against the order the header documents, to the bit; the step pass copies exactly and measures
// the step; weights of 1 give the same bytes as no weights.
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "fusednmf/detail/lane_sums.hpp"

using fusednmf::detail::replace_and_measure_step;
using fusednmf::detail::sum_in_four_lanes;
using fusednmf::detail::weighted_abs_sum;

namespace {

/// The documented order, written out: lane (i - begin) mod 4 over whole groups of four, the
/// tail in lane 0, then (lane 0 + lane 1) + (lane 2 + lane 3).
double documented_order(const std::vector<double>& terms, std::ptrdiff_t begin, std::ptrdiff_t end) {
  double lane[4] = {0, 0, 0, 0};
  const std::ptrdiff_t whole = begin + (end - begin) / 4 * 4;
  for (std::ptrdiff_t i = begin; i < whole; ++i) lane[(i - begin) % 4] += terms[std::size_t(i)];
  for (std::ptrdiff_t i = whole; i < end; ++i) lane[0] += terms[std::size_t(i)];
  return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

std::vector<float> random_floats(std::size_t n, unsigned seed, float low, float high) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(low, high);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace

TEST_CASE("sum_in_four_lanes adds in the documented order, to the bit", "[lane_sums]") {
  // Terms of very different sizes, so that another order would round differently.
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> terms(1003);
  for (std::size_t i = 0; i < terms.size(); ++i) terms[i] = u(rng) * std::pow(10.0, double(i % 17) - 8.0);
  for (std::ptrdiff_t begin : {0, 1, 5}) {
    for (std::ptrdiff_t end : {begin, begin + 1, begin + 3, begin + 4, begin + 9, std::ptrdiff_t(terms.size())}) {
      const double sum = sum_in_four_lanes(begin, end, [&](std::ptrdiff_t i) { return terms[std::size_t(i)]; });
      CHECK(sum == documented_order(terms, begin, end));
    }
  }
}

TEST_CASE("replace_and_measure_step copies the new column and returns its weighted squared step", "[lane_sums]") {
  for (std::size_t n : {0u, 1u, 3u, 4u, 7u, 1000u}) {
    const std::vector<float> next = random_floats(n, 1, 0.f, 5.f), previous = random_floats(n, 2, 0.f, 5.f),
                             weights = random_floats(n, 3, 1.f, 200.f);
    std::vector<double> terms(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double d = double(next[i]) - double(previous[i]);
      terms[i] = double(weights[i]) * d * d;
    }
    std::vector<float> column = previous;
    const double step = replace_and_measure_step(next.data(), column.data(), weights.data(), std::ptrdiff_t(n));
    CHECK(column == next);
    CHECK(step == Approx(documented_order(terms, 0, std::ptrdiff_t(n))).epsilon(1e-14).margin(1e-300));

    // No weights is weights of 1, to the bit.
    const std::vector<float> ones(n, 1.f);
    std::vector<float> unweighted = previous, weighted_by_ones = previous;
    const float* no_weights = nullptr;
    CHECK(replace_and_measure_step(next.data(), unweighted.data(), no_weights, std::ptrdiff_t(n)) ==
          replace_and_measure_step(next.data(), weighted_by_ones.data(), ones.data(), std::ptrdiff_t(n)));
  }
}

TEST_CASE("weighted_abs_sum is the weighted L1 norm", "[lane_sums]") {
  const std::vector<float> x = random_floats(999, 4, -3.f, 3.f), w = random_floats(999, 5, 1.f, 10.f);
  double expected = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) expected += double(w[i]) * std::abs(double(x[i]));
  CHECK(weighted_abs_sum(x.data(), w.data(), std::ptrdiff_t(x.size())) == Approx(expected).epsilon(1e-13));
  const float* no_weights = nullptr;
  double unweighted = 0.0;
  for (float v : x) unweighted += std::abs(double(v));
  CHECK(weighted_abs_sum(x.data(), no_weights, std::ptrdiff_t(x.size())) == Approx(unweighted).epsilon(1e-13));
  CHECK(weighted_abs_sum(x.data(), no_weights, 0) == 0.0);
}
