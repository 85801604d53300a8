#pragma once
// Planted factorizations for the engine tests.
#include <cmath>
#include <random>
#include <vector>

#include <Eigen/Core>

namespace fusednmf::testing {

struct Planted {
  Eigen::MatrixXd W, H, Y;
};

/// W: n x k piecewise constant along the rows (runs of `run` rows, each run on in 1-2 factors),
/// H: k x m with one dominant track per factor. Y = W H (+ noise, clipped at 0).
inline Planted planted(Eigen::Index n, Eigen::Index m, Eigen::Index k, Eigen::Index run, double noise,
                       unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g(0.0, 1.0);
  Planted p;
  p.W = Eigen::MatrixXd::Zero(n, k);
  for (Eigen::Index start = 0; start < n; start += run) {
    const Eigen::Index len = std::min(run, n - start);
    const Eigen::Index a = Eigen::Index(u(rng) * double(k)) % k;
    p.W.col(a).segment(start, len).setConstant(1.0 + 2.0 * u(rng));
    if (u(rng) < 0.3) {
      const Eigen::Index b = (a + 1) % k;
      p.W.col(b).segment(start, len).setConstant(0.5 + u(rng));
    }
  }
  p.H = Eigen::MatrixXd::Zero(k, m);
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index c = 0; c < m; ++c) p.H(j, c) = (c % k == j ? 2.0 : 0.0) + 0.3 * u(rng);
  p.Y = p.W * p.H;
  if (noise > 0)
    for (Eigen::Index i = 0; i < p.Y.size(); ++i) p.Y(i) = std::max(0.0, p.Y(i) + noise * g(rng));
  return p;
}

/// Non-increasing up to rounding: every value at most the one before plus slack * scale (by
/// default the first value). The engine computes the objective as 1/2(||Y||² - 2<WᵀY, H> +
/// <WᵀW, HHᵀ>), whose rounding is relative to ||Y||², so a near-perfect fit needs that scale.
inline bool is_monotone(const std::vector<double>& values, double slack, double scale = -1) {
  if (scale < 0) scale = values.empty() ? 0.0 : std::abs(values.front());
  for (std::size_t t = 1; t < values.size(); ++t)
    if (values[t] > values[t - 1] + slack * scale) return false;
  return true;
}

/// For each planted column, the best |Pearson r| with any recovered column; averaged.
inline double mean_best_correlation(const Eigen::MatrixXd& truth, const Eigen::MatrixXd& found) {
  double total = 0;
  for (Eigen::Index a = 0; a < truth.cols(); ++a) {
    double best = 0;
    Eigen::VectorXd t = truth.col(a).array() - truth.col(a).mean();
    for (Eigen::Index b = 0; b < found.cols(); ++b) {
      Eigen::VectorXd f = found.col(b).array() - found.col(b).mean();
      const double d = t.norm() * f.norm();
      if (d > 0) best = std::max(best, t.dot(f) / d);
    }
    total += best;
  }
  return total / double(truth.cols());
}

}  // namespace fusednmf::testing
