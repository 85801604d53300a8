#pragma once
// Weighted 1-D fused lasso by Condat's direct algorithm (2013), in double precision, with a
// guard that keeps it linear.
//
// The algorithm walks right, keeping for the segment that starts at k0 the lowest and highest
// value it could take (v_low, v_high) and the running sums of weighted residuals those values
// give (u_low, u_high). The optimality certificate is that the running sum of w_i (y_i - x_i)
// stays in [-lambda, lambda], hits +-lambda at each jump and ends at 0. When a candidate leaves
// that tube the segment up to the last touching point is final: it is written out and the walk
// restarts just after it. Weights enter only through the running sums (w_i times the residual)
// and the segment's total weight, which replaces Condat's element count.
//
// Restarts re-read elements, which makes the algorithm quadratic on slow ramps. Each restart
// leaves everything left of k0 final, and the suffix is an ordinary fused lasso once the carried
// running sum c is folded into its first element (y_k0 += c / w_k0). So when the work passes a
// budget, the suffix is handed to the dynamic programme, which is linear on every input.
#include <algorithm>
#include <cstddef>

#include "johnson_dp.hpp"

namespace fusednmf::prox::detail {

/// Runs Condat's algorithm on y[0, n) writing x[0, n). y must be a private copy that does not
/// alias x: the fallback reads the unsolved suffix of y and folds the carry into y[k0].
/// scratch(len): returns johnson_dp_scratch_size(len) doubles; called only by the fallback.
/// Returns true when it finished without the fallback.
template <class Weights, class ScratchFor>
bool condat_guarded(double* y, Weights w, double lambda, double* x, std::ptrdiff_t n,
                    ScratchFor&& scratch, double reread_budget_per_element = 1.0) {
  if (n <= 0) return true;
  if (n == 1 || lambda == 0.0) {
    for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = y[i];
    return true;
  }
  // Work lost to restarts: elements read again after the walk jumps back to k0.
  const double budget = reread_budget_per_element * static_cast<double>(n) + 64.0;
  double reread = 0.0;

  std::ptrdiff_t k = 0, k0 = 0;              // current element, segment start
  std::ptrdiff_t k_low = 0, k_high = 0;      // last points where u_low / u_high touched the tube
  double w_seg = w[0];                       // total weight of [k0, k]
  double u_low = lambda, u_high = -lambda;
  double v_low = y[0] - lambda / w[0], v_high = y[0] + lambda / w[0];
  double carry = 0.0;                        // running sum entering the segment at k0

  // At a restart everything before k0 is final. Past the budget, hand the suffix to the DP.
  auto budget_exceeded = [&]() {
    reread += static_cast<double>(k - k0);
    if (reread <= budget) return false;
    y[k0] += carry / w[k0];
    johnson_dp(y + k0, w.shifted(k0), lambda, x + k0, n - k0, scratch(n - k0));
    return true;
  };

  for (;;) {
    if (k == n - 1) {
      // At the end the running sum must be 0: fix the candidate that violates it, or finish.
      if (u_low < 0.0) {
        do x[k0++] = v_low; while (k0 <= k_low);
        carry = lambda;
        if (budget_exceeded()) return false;
        k = k_low = k0;
        w_seg = w[k0];
        v_low = y[k0];
        u_low = lambda;
        u_high = lambda + w[k0] * (y[k0] - v_high);
        continue;
      }
      if (u_high > 0.0) {
        do x[k0++] = v_high; while (k0 <= k_high);
        carry = -lambda;
        if (budget_exceeded()) return false;
        k = k_high = k0;
        w_seg = w[k0];
        v_high = y[k0];
        u_high = -lambda;
        u_low = -lambda + w[k0] * (y[k0] - v_low);
        continue;
      }
      v_low += u_low / w_seg;
      do x[k0++] = v_low; while (k0 <= k);
      return true;
    }
    const double w_next = w[k + 1], y_next = y[k + 1];
    u_low += w_next * (y_next - v_low);
    if (u_low < -lambda) {
      // Even the lowest value is too high for y_next: jump down after k_low.
      do x[k0++] = v_low; while (k0 <= k_low);
      carry = lambda;
      if (budget_exceeded()) return false;
      k = k_low = k_high = k0;
      w_seg = w[k0];
      v_low = y[k0];
      v_high = v_low + 2.0 * lambda / w[k0];
      u_low = lambda;
      u_high = -lambda;
      continue;
    }
    u_high += w_next * (y_next - v_high);
    if (u_high > lambda) {
      do x[k0++] = v_high; while (k0 <= k_high);
      carry = -lambda;
      if (budget_exceeded()) return false;
      k = k_low = k_high = k0;
      w_seg = w[k0];
      v_high = y[k0];
      v_low = v_high - 2.0 * lambda / w[k0];
      u_low = lambda;
      u_high = -lambda;
      continue;
    }
    ++k;
    w_seg += w_next;
    // The low candidate rises so that its running sum sits on +lambda (and the high one falls
    // to -lambda). Written without branches: whether a candidate moves is a coin toss on noisy
    // input, and a mispredicted branch per element cost more than the rest of the step. The
    // reciprocal depends on the weights only, so its division stays off the chain through v.
    const double inv_w_seg = 1.0 / w_seg;
    k_low = u_low >= lambda ? k : k_low;
    k_high = u_high <= -lambda ? k : k_high;
    v_low += std::max(u_low - lambda, 0.0) * inv_w_seg;
    v_high += std::min(u_high + lambda, 0.0) * inv_w_seg;
    u_low = std::min(u_low, lambda);
    u_high = std::max(u_high, -lambda);
  }
}

}  // namespace fusednmf::prox::detail
