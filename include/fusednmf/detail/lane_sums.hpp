#pragma once
// Sums over long columns in four running sums ("lanes"), in a fixed order.
//
// Why: a single running sum in double waits for its previous add (about 4 cycles) at every
// element, and the compiler may not reorder it (that would change the result). Over a column of
// 10⁷ rows that wait made a pass that only reads and adds cost as much as a product with the
// column. Four sums let four adds run at once, and let the compiler put them in one vector.
//
// The order is part of the result, so it is fixed here for every caller: element i of a range
// [begin, end) goes to lane (i - begin) mod 4 while whole groups of four remain, the tail to lane
// 0, and the total is (lane 0 + lane 1) + (lane 2 + lane 3). The same input gives the same bytes
// on every machine and thread count.
#include <cmath>
#include <cstddef>

namespace fusednmf::detail {

/// Σ term(i) over [begin, end) in four lanes, in the order of the header comment.
template <class Term>
double sum_in_four_lanes(std::ptrdiff_t begin, std::ptrdiff_t end, Term&& term) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  // Counted from 0 with the groups' end known first: GCC 12 reads `i + 4 <= end` after some
  // inlinings as a loop that may overflow, and warns (-Waggressive-loop-optimizations).
  const std::ptrdiff_t count = end > begin ? end - begin : 0, whole = count - count % 4;
  for (std::ptrdiff_t j = 0; j < whole; j += 4) {
    s0 += term(begin + j);
    s1 += term(begin + j + 1);
    s2 += term(begin + j + 2);
    s3 += term(begin + j + 3);
  }
  for (std::ptrdiff_t j = whole; j < count; ++j) s0 += term(begin + j);
  return (s0 + s1) + (s2 + s3);
}

/// Replaces column[0, n) by next[0, n) (which must not overlap) and returns the weighted squared
/// step Σ w_i (next_i - column_i)² in double, summed in four lanes (weights nullptr: all 1). One
/// pass over both, so the step of a block update costs no read of its own.
template <class Scalar, class Weight>
double replace_and_measure_step(const Scalar* __restrict next, Scalar* __restrict column,
                                const Weight* __restrict weights, std::ptrdiff_t n) {
  // Separate loops with and without weights, so that neither tests for them per element.
  if (weights) {
    return sum_in_four_lanes(0, n, [=](std::ptrdiff_t i) {
      const double d = double(next[i]) - double(column[i]);
      column[i] = next[i];
      return double(weights[i]) * d * d;
    });
  }
  return sum_in_four_lanes(0, n, [=](std::ptrdiff_t i) {
    const double d = double(next[i]) - double(column[i]);
    column[i] = next[i];
    return d * d;
  });
}

/// Σ w_i |x_i| in double, summed in four lanes (weights nullptr: all 1).
template <class Scalar, class Weight>
double weighted_abs_sum(const Scalar* x, const Weight* weights, std::ptrdiff_t n) {
  if (weights) return sum_in_four_lanes(0, n, [=](std::ptrdiff_t i) { return double(weights[i]) * std::abs(double(x[i])); });
  return sum_in_four_lanes(0, n, [=](std::ptrdiff_t i) { return std::abs(double(x[i])); });
}

}  // namespace fusednmf::detail
