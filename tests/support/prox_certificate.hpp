#pragma once
// The exact optimality certificate of the weighted fused lasso, for tests.
//
// x solves  min 1/2 sum w_i (x_i - y_i)^2 + lambda TV(x) + [extra separable convex terms]
// iff, with r_i = w_i (y_i - x_i) - g_i where g_i is a subgradient of the extra terms at x_i,
// the running sums S_j = r_0 + ... + r_j satisfy |S_j| <= lambda, S_j = -lambda * sign(x_{j+1} - x_j)
// wherever x jumps, and S_{n-1} = 0. Returns the largest violation (0 for an exact solution).
#include <algorithm>
#include <cmath>
#include <vector>

namespace fusednmf::testing {

inline double fused_lasso_certificate_violation(const std::vector<double>& y,
                                                const std::vector<double>& w,
                                                const std::vector<double>& x, double lambda,
                                                const std::vector<double>& g = {},
                                                double jump_tol = 1e-9) {
  const std::size_t n = y.size();
  double running = 0.0, worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    running += w[i] * (y[i] - x[i]) - (g.empty() ? 0.0 : g[i]);
    if (i + 1 < n) {
      const double jump = x[i + 1] - x[i];
      if (std::abs(jump) > jump_tol) {
        worst = std::max(worst, std::abs(running + lambda * (jump > 0 ? 1.0 : -1.0)));
      } else {
        worst = std::max(worst, std::abs(running) - lambda);
      }
    }
  }
  return std::max(worst, std::abs(running));
}

}  // namespace fusednmf::testing
