#pragma once
// Seeded input families shared by the benchmarks: noisy staircases, sparse non-negative
// genomic-like counts, ramps and ramps with small noise.
#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace fusednmf::bench {

enum class Family { Staircase, Genomic, Ramp, NoisyRamp };

inline const char* family_name(Family f) {
  switch (f) {
    case Family::Staircase: return "staircase";
    case Family::Genomic: return "genomic";
    case Family::Ramp: return "ramp";
    case Family::NoisyRamp: return "noisy_ramp";
  }
  return "?";
}

template <class Scalar>
std::vector<Scalar> make_signal(Family f, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Scalar> y(n);
  std::normal_distribution<double> noise(0.0, 1.0);
  switch (f) {
    case Family::Staircase: {  // plateaus of 1..200 samples, levels in [-5, 5], unit noise
      std::uniform_int_distribution<int> len(1, 200);
      std::uniform_real_distribution<double> level(-5.0, 5.0);
      for (std::size_t i = 0; i < n;) {
        double v = level(rng);
        for (int l = len(rng); l > 0 && i < n; --l, ++i) y[i] = Scalar(v + noise(rng));
      }
      break;
    }
    case Family::Genomic: {  // mostly zero, 1% chance of a 5..300 bp burst of Poisson(4) counts
      std::bernoulli_distribution peak(0.01);
      std::uniform_int_distribution<int> len(5, 300);
      std::poisson_distribution<int> count(4.0);
      for (std::size_t i = 0; i < n;) {
        if (peak(rng)) {
          for (int l = len(rng); l > 0 && i < n; --l, ++i) y[i] = Scalar(count(rng));
        } else {
          y[i++] = 0;
        }
      }
      break;
    }
    case Family::Ramp:
      for (std::size_t i = 0; i < n; ++i) y[i] = Scalar(1e-3 * double(i));
      break;
    case Family::NoisyRamp:
      for (std::size_t i = 0; i < n; ++i) y[i] = Scalar(1e-3 * double(i) + 0.01 * noise(rng));
      break;
  }
  return y;
}

}  // namespace fusednmf::bench
