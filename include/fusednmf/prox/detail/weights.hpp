#pragma once
#include <cstddef>

namespace fusednmf::prox::detail {

// Weight accessors for the kernels: one type for "all ones" so that the unweighted case pays
// nothing, one for an array. `shifted(k)` views the weights of a suffix; `reversed(n)` views
// the first n back to front (element i is weight n - 1 - i), for the split's right walk.
struct UnitWeights {
  double operator[](std::ptrdiff_t) const { return 1.0; }
  UnitWeights shifted(std::ptrdiff_t) const { return {}; }
  UnitWeights reversed(std::ptrdiff_t) const { return {}; }
};

template <class Scalar>
struct ReversedArrayWeights {
  const Scalar* last;
  double operator[](std::ptrdiff_t i) const { return static_cast<double>(last[-i]); }
};

template <class Scalar>
struct ArrayWeights {
  const Scalar* w;
  double operator[](std::ptrdiff_t i) const { return static_cast<double>(w[i]); }
  ArrayWeights shifted(std::ptrdiff_t k) const { return {w + k}; }
  ReversedArrayWeights<Scalar> reversed(std::ptrdiff_t n) const { return {w + (n - 1)}; }
};

}  // namespace fusednmf::prox::detail
