#pragma once
// Poisson NMF: V ~ Poisson(W H), fitted by Lee & Seung's multiplicative updates for the
// Kullback-Leibler divergence, which never decrease the Poisson log-likelihood:
//   H <- H ⊙ (Wᵀ (V ⊘ WH)) ⊘ (Wᵀ 1),     W <- W ⊙ ((V ⊘ WH) Hᵀ) ⊘ (1 Hᵀ)
// The log-likelihood is the full one, sum V log(WH) - WH - lgamma(V + 1), so values compare
// across ranks. Zeros in V contribute -WH (0 log 0 = 0); a zero in WH where V > 0 is floored
// at a tiny positive value instead of producing -inf or NaN.
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "detail/random.hpp"
#include "nmf_options.hpp"

namespace fusednmf {

struct PoissonNMFOptions {
  Eigen::Index rank = 4;      ///< R >= 1
  int max_iterations = 2000;  ///< >= 1
  double tolerance = 1e-7;    ///< stop when the log-likelihood's relative change is below this
  std::uint64_t seed = 0;
  std::function<void(int iteration, double log_likelihood)> progress;

  void validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument("PoissonNMFOptions." + what); };
    if (rank < 1) fail("rank must be >= 1, got " + std::to_string(rank));
    if (max_iterations < 1) fail("max_iterations must be >= 1, got " + std::to_string(max_iterations));
    if (!(tolerance >= 0.0) || !std::isfinite(tolerance))
      fail("tolerance must be finite and >= 0, got " + std::to_string(tolerance));
  }
};

template <class Scalar>
struct PoissonNMFResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> W;  ///< N x R
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> H;  ///< R x M
  std::vector<double> log_likelihood;                       ///< after each iteration
  int iterations = 0;
  Status status = Status::MaxIterations;
  double final_log_likelihood() const { return log_likelihood.empty() ? -INFINITY : log_likelihood.back(); }
};

namespace detail {
inline constexpr double kPoissonFloor = 1e-300;  // WH below this counts as this (never 0 or NaN)
}

/// Full Poisson log-likelihood of V given the mean WH.
template <class DerivedV, class DerivedM>
double poisson_log_likelihood(const Eigen::MatrixBase<DerivedV>& V, const Eigen::MatrixBase<DerivedM>& mean) {
  double total = 0.0;
  for (Eigen::Index c = 0; c < V.cols(); ++c)
    for (Eigen::Index r = 0; r < V.rows(); ++r) {
      const double v = double(V(r, c)), mu = std::max(double(mean(r, c)), detail::kPoissonFloor);
      total += (v > 0 ? v * std::log(mu) : 0.0) - mu - std::lgamma(v + 1.0);
    }
  return total;
}

template <class Scalar = double>
class PoissonNMF {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "PoissonNMF: Scalar must be float or double");

 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Result = PoissonNMFResult<Scalar>;

  explicit PoissonNMF(PoissonNMFOptions options = {}) : options_(std::move(options)) { options_.validate(); }

  /// V: N x M, non-negative and finite (counts, though whole numbers are not required).
  Result fit(const Eigen::Ref<const Matrix>& V) const {
    check(V);
    const Eigen::Index N = V.rows(), M = V.cols(), R = options_.rank;
    // Seeded positive start at the data's mean level, so WH starts near mean(V).
    detail::Random rng(options_.seed);
    const double level = std::sqrt(std::max(double(V.mean()), 1e-12) / double(R));
    Eigen::MatrixXd W(N, R), H(R, M);
    for (Eigen::Index i = 0; i < W.size(); ++i) W(i) = level * (0.5 + rng.uniform());
    for (Eigen::Index i = 0; i < H.size(); ++i) H(i) = level * (0.5 + rng.uniform());
    const Eigen::MatrixXd Vd = V.template cast<double>();
    Eigen::MatrixXd WH = W * H, ratio(N, M);
    auto update_ratio = [&]() {
      ratio = Vd.array() / WH.array().max(detail::kPoissonFloor);
    };

    Result result;
    double previous = poisson_log_likelihood(Vd, WH);
    for (int it = 1; it <= options_.max_iterations; ++it) {
      update_ratio();
      Eigen::VectorXd w_colsum = W.colwise().sum().transpose();
      H.array() *= (W.transpose() * ratio).array().colwise() / w_colsum.array().max(detail::kPoissonFloor);
      WH.noalias() = W * H;
      update_ratio();
      Eigen::VectorXd h_rowsum = H.rowwise().sum();
      W.array() *= (ratio * H.transpose()).array().rowwise() /
                   h_rowsum.transpose().array().max(detail::kPoissonFloor);
      WH.noalias() = W * H;
      const double ll = poisson_log_likelihood(Vd, WH);
      result.log_likelihood.push_back(ll);
      result.iterations = it;
      if (options_.progress) options_.progress(it, ll);
      if (!std::isfinite(ll)) {
        result.status = Status::NumericalIssue;
        break;
      }
      if (std::abs(ll - previous) <= options_.tolerance * std::abs(previous)) {
        result.status = Status::Converged;
        break;
      }
      previous = ll;
    }
    result.W = W.template cast<Scalar>();
    result.H = H.template cast<Scalar>();
    return result;
  }

 private:
  void check(const Eigen::Ref<const Matrix>& V) const {
    if (V.rows() == 0 || V.cols() == 0)
      throw std::invalid_argument("PoissonNMF: V is empty (" + std::to_string(V.rows()) + " x " +
                                  std::to_string(V.cols()) + ")");
    if (options_.rank > std::min(V.rows(), V.cols()))
      throw std::invalid_argument("PoissonNMF: rank " + std::to_string(options_.rank) +
                                  " exceeds min(rows, cols) of V");
    for (Eigen::Index c = 0; c < V.cols(); ++c)
      for (Eigen::Index r = 0; r < V.rows(); ++r) {
        const Scalar v = V(r, c);
        if (!std::isfinite(v) || v < 0)
          throw std::invalid_argument("PoissonNMF: V(" + std::to_string(r) + ", " + std::to_string(c) +
                                      ") = " + std::to_string(double(v)) +
                                      (std::isfinite(v) ? " is negative" : " is not finite"));
      }
  }

  PoissonNMFOptions options_;
};

/// One row of a rank scan.
struct RankFit {
  Eigen::Index rank;
  double log_likelihood;  ///< best over the restarts
  double bic;             ///< -2 log L + R (N + M) log(N M): lower is better
  std::uint64_t best_seed;
};

/// Fits every rank in [min_rank, max_rank] with `restarts` seeds each (seed, seed+1, ...) and
/// keeps the best log-likelihood of each rank.
template <class Scalar>
std::vector<RankFit> scan_ranks(const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>& V,
                                Eigen::Index min_rank, Eigen::Index max_rank, int restarts,
                                PoissonNMFOptions options = {}) {
  if (min_rank < 1 || max_rank < min_rank)
    throw std::invalid_argument("scan_ranks: need 1 <= min_rank <= max_rank, got " + std::to_string(min_rank) +
                                ".." + std::to_string(max_rank));
  if (restarts < 1) throw std::invalid_argument("scan_ranks: restarts must be >= 1, got " + std::to_string(restarts));
  std::vector<RankFit> table;
  const std::uint64_t base_seed = options.seed;
  const double cells = double(V.rows()) * double(V.cols());
  for (Eigen::Index r = min_rank; r <= max_rank; ++r) {
    RankFit best{r, -std::numeric_limits<double>::infinity(), 0.0, base_seed};
    for (int s = 0; s < restarts; ++s) {
      options.rank = r;
      options.seed = base_seed + std::uint64_t(s);
      const double ll = PoissonNMF<Scalar>(options).fit(V).final_log_likelihood();
      if (ll > best.log_likelihood) best = {r, ll, 0.0, options.seed};
    }
    best.bic = -2.0 * best.log_likelihood + double(r) * double(V.rows() + V.cols()) * std::log(cells);
    table.push_back(best);
  }
  return table;
}

}  // namespace fusednmf
