#pragma once
// Portable seeded random numbers: the standard distributions differ between library vendors,
// so draws are made from the raw 64-bit engine, which the standard specifies exactly, with
// published algorithms written out here. The same seed gives the same draws everywhere.
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>

namespace fusednmf::detail {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed ^ 0x9E3779B97F4A7C15ULL) {}
  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }  ///< [0, 1)
  double normal() {  ///< Box-Muller
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; the bias is below 2^-40 for
  /// the sizes used here).
  std::uint64_t below(std::uint64_t n) {
    return std::uint64_t((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  /// Fisher-Yates shuffle of [first, last).
  template <class It>
  void shuffle(It first, It last) {
    for (auto n = last - first; n > 1; --n) std::swap(first[n - 1], first[std::ptrdiff_t(below(std::uint64_t(n)))]);
  }
  /// Gamma(shape, 1), shape > 0: Marsaglia & Tsang (2000); shape < 1 by boosting to shape + 1.
  double gamma(double shape) {
    if (shape < 1.0) {
      double u = uniform();
      while (u <= 0.0) u = uniform();
      return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }
  /// Poisson(mean), mean >= 0: multiplication of uniforms below 10, Hörmann's transformed
  /// rejection (PTRS, 1993) above, as NumPy does.
  std::int64_t poisson(double mean) {
    if (mean <= 0.0) return 0;
    if (mean < 10.0) {
      const double limit = std::exp(-mean);
      std::int64_t k = 0;
      for (double product = uniform(); product > limit; product *= uniform()) ++k;
      return k;
    }
    const double log_mean = std::log(mean), b = 0.931 + 2.53 * std::sqrt(mean);
    const double a = -0.059 + 0.02483 * b, inverse_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
      const double u = uniform() - 0.5, v = uniform(), us = 0.5 - std::fabs(u);
      const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= v_r) return std::int64_t(k);
      if (k < 0.0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <=
          -mean + k * log_mean - std::lgamma(k + 1.0))
        return std::int64_t(k);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace fusednmf::detail
