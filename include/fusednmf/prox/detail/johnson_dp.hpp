#pragma once
// Weighted 1-D fused lasso by dynamic programming (Johnson 2013), in double precision.
//
// Solves  min_x  1/2 sum_i w_i (x_i - y_i)^2 + lambda sum_i |x_{i+1} - x_i|.
// The forward pass keeps the derivative of the message function as a piecewise-linear function:
// knots pos[l..r] with the change of slope (dslope) and intercept (dcept) at each knot. Adding
// data point k adds w_k (x - y_k); the min-convolution with lambda|.| clips the derivative to
// [-lambda, lambda], which moves the two outer knots inwards (tm_k, tp_k) and consumes the knots
// they pass: amortised O(1) per element. The backward pass clamps x_{k+1} into [tm_k, tp_k].
//
// The passes are also run from both ends towards a meeting element (johnson_dp_two_sided), on two
// threads: the input that Condat's walks cannot finish (ramps) is otherwise solved on one.
#include <cstddef>

#include "views.hpp"

namespace fusednmf::prox::detail {

/// Doubles of scratch space johnson_dp needs for n elements.
inline std::size_t johnson_dp_scratch_size(std::ptrdiff_t n) {
  return n > 1 ? static_cast<std::size_t>(8 * n) : 0;
}

/// The forward pass's state: the clip points of every element but the last, and the derivative
/// of the last element's message, its data term added but not clipped. Knot i changes the
/// derivative, left to right, by dslope[i] x + dcept[i]; (a_first, b_first) is the piece left of
/// every knot, (a_last, b_last) the piece right of them all, negated.
struct DpMessage {
  double* pos;
  double* dslope;
  double* dcept;
  double* tm;  // lower clip points, one per element but the last
  double* tp;  // upper clip points
  std::ptrdiff_t l, r;
  double a_first, b_first, a_last, b_last;

  /// Clips the derivative to [-lambda, lambda], moving the outer knots inwards: returns the new
  /// outer knots (where it crosses -lambda and lambda) in low and high.
  void clip(double lambda, double& low, double& high) {
    double a_lo = a_first, b_lo = b_first;
    std::ptrdiff_t lo = l;
    while (lo <= r && a_lo * pos[lo] + b_lo <= -lambda) {
      a_lo += dslope[lo];
      b_lo += dcept[lo];
      ++lo;
    }
    low = (-lambda - b_lo) / a_lo;
    l = lo - 1;
    pos[l] = low;

    double a_hi = a_last, b_hi = b_last;
    std::ptrdiff_t hi = r;
    while (hi >= l && -a_hi * pos[hi] - b_hi >= lambda) {
      a_hi += dslope[hi];
      b_hi += dcept[hi];
      --hi;
    }
    high = (lambda + b_hi) / (-a_hi);
    r = hi + 1;
    pos[r] = high;

    dslope[l] = a_lo;
    dcept[l] = b_lo + lambda;
    dslope[r] = a_hi;
    dcept[r] = b_hi + lambda;
    a_first = 0.0, b_first = -lambda;  // left of the knots the clipped derivative is -lambda,
    a_last = 0.0, b_last = -lambda;    // right of them +lambda (stored negated)
  }

  /// Adds the data term w (x - y) of the next element.
  void add_data(double w, double y, double lambda) {
    a_first = w;
    b_first = -lambda - w * y;
    a_last = -w;
    b_last = -lambda + w * y;
  }
};

/// The forward pass over y[0, n) (n >= 2): y and w read by index (plain arrays or views).
/// scratch: johnson_dp_scratch_size(n) doubles.
template <class Input, class Weights>
DpMessage johnson_dp_forward(Input y, Weights w, double lambda, std::ptrdiff_t n, double* scratch) {
  DpMessage m;
  m.pos = scratch;                // 2n knot positions
  m.dslope = m.pos + 2 * n;       // 2n
  m.dcept = m.dslope + 2 * n;     // 2n
  m.tm = m.dcept + 2 * n;         // n-1 lower clip points
  m.tp = m.tm + (n - 1);          // n-1 upper clip points

  const double w0 = w[0], y0 = y[0];
  m.tm[0] = y0 - lambda / w0;
  m.tp[0] = y0 + lambda / w0;
  m.l = n - 1, m.r = n;
  m.pos[m.l] = m.tm[0];
  m.pos[m.r] = m.tp[0];
  m.dslope[m.l] = w0;
  m.dcept[m.l] = lambda - w0 * y0;
  m.dslope[m.r] = -w0;
  m.dcept[m.r] = lambda + w0 * y0;
  m.add_data(w[1], y[1], lambda);
  for (std::ptrdiff_t k = 1; k < n - 1; ++k) {
    m.clip(lambda, m.tm[k], m.tp[k]);
    m.add_data(w[k + 1], y[k + 1], lambda);
  }
  return m;
}

/// x[k] = clamp(x[k + 1], tm[k], tp[k]) for k = last - 1 down to 0, x[last] given.
template <class Out>
void johnson_dp_backtrack(const double* tm, const double* tp, Out x, std::ptrdiff_t last) {
  for (std::ptrdiff_t k = last - 1; k >= 0; --k) {
    const double next = x[k + 1];
    x[k] = next > tp[k] ? tp[k] : (next < tm[k] ? tm[k] : next);
  }
}

/// y, x: n doubles (x may alias y); scratch: johnson_dp_scratch_size(n) doubles.
template <class Weights>
void johnson_dp(const double* y, Weights w, double lambda, double* x, std::ptrdiff_t n,
                double* scratch) {
  if (n <= 0) return;
  if (n == 1 || lambda == 0.0) {
    for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = y[i];
    return;
  }
  const DpMessage m = johnson_dp_forward(y, w, lambda, n, scratch);
  // The last element: where the derivative crosses zero.
  double a_lo = m.a_first, b_lo = m.b_first;
  for (std::ptrdiff_t lo = m.l; lo <= m.r && a_lo * m.pos[lo] + b_lo <= 0.0; ++lo) {
    a_lo += m.dslope[lo];
    b_lo += m.dcept[lo];
  }
  x[n - 1] = -b_lo / a_lo;
  johnson_dp_backtrack(m.tm, m.tp, x, n - 1);
}

/// The same problem solved from both ends: the forward pass over y[0, m] and one over y[m + 1, n)
/// back to front, side by side (run_both(left, right) calls both, possibly at the same time),
/// meet at m = (n - 1) / 2. x_m is where the sum of the left message's derivative and the right one's,
/// clipped, crosses zero (the two messages are the whole problem seen from x_m); then both
/// backtracks run from x_m, side by side. The split depends on n alone, so the bits do not
/// depend on whether run_both runs its calls at the same time. Exact like johnson_dp; the two
/// can differ by rounding.
/// y, x: n doubles (x may alias y); n >= 4 (each pass needs two elements); scratch:
/// johnson_dp_scratch_size(n) doubles.
template <class Weights, class RunBoth>
void johnson_dp_two_sided(const double* y, Weights w, double lambda, double* x, std::ptrdiff_t n,
                          double* scratch, RunBoth&& run_both) {
  const std::ptrdiff_t m = (n - 1) / 2, right_length = n - m - 1;
  DpMessage left{}, right{};
  run_both([&] { left = johnson_dp_forward(y, w, lambda, m + 1, scratch); },
           [&] {
             right = johnson_dp_forward(ShiftedInput<double>{y, 0.0}.reversed(n), w.reversed(n), lambda,
                                        right_length, scratch + johnson_dp_scratch_size(m + 1));
           });
  // What the right side contributes at x_m: its derivative clipped, as the left pass would clip it.
  double right_low, right_high;
  right.clip(lambda, right_low, right_high);
  // Walk the two sets of knots in order until the sum turns positive.
  double a = left.a_first + right.a_first, b = left.b_first + right.b_first;
  for (std::ptrdiff_t i = left.l, j = right.l; i <= left.r || j <= right.r;) {
    const bool from_left = i <= left.r && (j > right.r || left.pos[i] <= right.pos[j]);
    if (a * (from_left ? left.pos[i] : right.pos[j]) + b > 0.0) break;
    if (from_left) {
      a += left.dslope[i], b += left.dcept[i], ++i;
    } else {
      a += right.dslope[j], b += right.dcept[j], ++j;
    }
  }
  const double x_m = -b / a;
  x[m] = x_m;
  run_both([&] { johnson_dp_backtrack(left.tm, left.tp, x, m); },
           [&] {
             const auto back_to_front = ArrayOutput<double>{x, {}}.reversed(n);
             back_to_front[right_length - 1] = x_m > right_high ? right_high : (x_m < right_low ? right_low : x_m);
             johnson_dp_backtrack(right.tm, right.tp, back_to_front, right_length - 1);
           });
}

}  // namespace fusednmf::prox::detail
