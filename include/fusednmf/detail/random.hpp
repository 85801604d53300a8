#pragma once
// Portable seeded random numbers: the standard distributions differ between library vendors,
// so draws are made from the raw 64-bit engine, which the standard specifies exactly.
#include <cmath>
#include <cstdint>
#include <random>

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

 private:
  std::mt19937_64 engine_;
};

}  // namespace fusednmf::detail
