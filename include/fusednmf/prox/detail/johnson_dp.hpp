#pragma once
// Weighted 1-D fused lasso by dynamic programming (Johnson 2013), in double precision.
//
// Solves  min_x  1/2 sum_i w_i (x_i - y_i)^2 + lambda sum_i |x_{i+1} - x_i|.
// The forward pass keeps the derivative of the message function as a piecewise-linear function:
// knots pos[l..r] with the change of slope (dslope) and intercept (dcept) at each knot. Adding
// data point k adds w_k (x - y_k); the min-convolution with lambda|.| clips the derivative to
// [-lambda, lambda], which moves the two outer knots inwards (tm_k, tp_k) and consumes the knots
// they pass: amortised O(1) per element. The backward pass clamps x_{k+1} into [tm_k, tp_k].
#include <cstddef>

namespace fusednmf::prox::detail {

/// Doubles of scratch space johnson_dp needs for n elements.
inline std::size_t johnson_dp_scratch_size(std::ptrdiff_t n) {
  return n > 1 ? static_cast<std::size_t>(8 * n) : 0;
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
  double* pos = scratch;            // 2n knot positions
  double* dslope = pos + 2 * n;     // 2n
  double* dcept = dslope + 2 * n;   // 2n
  double* tm = dcept + 2 * n;       // n-1 lower clip points
  double* tp = tm + (n - 1);        // n-1 upper clip points

  double w0 = w[0];
  tm[0] = y[0] - lambda / w0;
  tp[0] = y[0] + lambda / w0;
  std::ptrdiff_t l = n - 1, r = n;
  pos[l] = tm[0];
  pos[r] = tp[0];
  dslope[l] = w0;
  dcept[l] = lambda - w0 * y[0];
  dslope[r] = -w0;
  dcept[r] = lambda + w0 * y[0];
  // Leftmost piece of the derivative, and the rightmost one stored negated.
  double w1 = w[1];
  double a_first = w1, b_first = -lambda - w1 * y[1];
  double a_last = -w1, b_last = -lambda + w1 * y[1];

  for (std::ptrdiff_t k = 1; k < n - 1; ++k) {
    double a_lo = a_first, b_lo = b_first;
    std::ptrdiff_t lo = l;
    while (lo <= r && a_lo * pos[lo] + b_lo <= -lambda) {
      a_lo += dslope[lo];
      b_lo += dcept[lo];
      ++lo;
    }
    tm[k] = (-lambda - b_lo) / a_lo;
    l = lo - 1;
    pos[l] = tm[k];

    double a_hi = a_last, b_hi = b_last;
    std::ptrdiff_t hi = r;
    while (hi >= l && -a_hi * pos[hi] - b_hi >= lambda) {
      a_hi += dslope[hi];
      b_hi += dcept[hi];
      --hi;
    }
    tp[k] = (lambda + b_hi) / (-a_hi);
    r = hi + 1;
    pos[r] = tp[k];

    dslope[l] = a_lo;
    dcept[l] = b_lo + lambda;
    dslope[r] = a_hi;
    dcept[r] = b_hi + lambda;

    double wk = w[k + 1];
    a_first = wk;
    b_first = -lambda - wk * y[k + 1];
    a_last = -wk;
    b_last = -lambda + wk * y[k + 1];
  }

  // The last element: where the derivative crosses zero.
  double a_lo = a_first, b_lo = b_first;
  for (std::ptrdiff_t lo = l; lo <= r && a_lo * pos[lo] + b_lo <= 0.0; ++lo) {
    a_lo += dslope[lo];
    b_lo += dcept[lo];
  }
  x[n - 1] = -b_lo / a_lo;
  for (std::ptrdiff_t k = n - 2; k >= 0; --k) {
    double next = x[k + 1];
    x[k] = next > tp[k] ? tp[k] : (next < tm[k] ? tm[k] : next);
  }
}

}  // namespace fusednmf::prox::detail
