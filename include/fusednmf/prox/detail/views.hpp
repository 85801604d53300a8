#pragma once
// Views that let Condat's walks read the caller's input where it lies, read and write a half back
// to front, and store finished values, instead of copying: a long prox is a few passes over
// memory besides the walks, and the passes (the input copied into double less its offset, the
// second half reversed and its solution reversed back, the offset added back) were a third of its
// time on two threads (benchmarks/README.md, "Fused-lasso prox"). A view computes each element as
// the pass did, so the bits are the same.
#include <cstddef>

namespace fusednmf::prox::detail {

template <class Scalar>
struct ReversedShiftedInput {
  const Scalar* last;
  double offset;
  double operator[](std::ptrdiff_t i) const { return static_cast<double>(last[-i]) - offset; }
};

/// y[i] - offset in double (the kernels' input; offset 0 for an array already shifted).
template <class Scalar>
struct ShiftedInput {
  const Scalar* y;
  double offset;
  double operator[](std::ptrdiff_t i) const { return static_cast<double>(y[i]) - offset; }
  /// Element i is y[n - 1 - i] - offset.
  ReversedShiftedInput<Scalar> reversed(std::ptrdiff_t n) const { return {y + (n - 1), offset}; }
};

/// The kernels' double solution as it is stored: unchanged, or finished on the way (the caller's
/// offset added back, the compositions, the conversion to float), once per segment instead of
/// in a pass of its own.
struct Unchanged {
  double operator()(double value) const { return value; }
};

template <class Scalar, class Convert>
struct ReversedArrayOutput {
  Scalar* last;
  Convert convert;
  Scalar& operator[](std::ptrdiff_t i) const { return last[-i]; }
};

/// Element i is x[i]; values are stored as convert(value).
template <class Scalar, class Convert = Unchanged>
struct ArrayOutput {
  Scalar* x;
  Convert convert;
  Scalar& operator[](std::ptrdiff_t i) const { return x[i]; }
  /// Element i is x[n - 1 - i].
  ReversedArrayOutput<Scalar, Convert> reversed(std::ptrdiff_t n) const { return {x + (n - 1), convert}; }
};

/// What a kernel stores for the double value: the value itself into a plain array, or what
/// the view converts it to.
inline double stored_value(double*, double value) { return value; }
template <class Out>
auto stored_value(const Out& x, double value) {
  return x.convert(value);
}

}  // namespace fusednmf::prox::detail
