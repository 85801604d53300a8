#pragma once
// Options and results of the ALS engine NMF<Regularizer>.
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace fusednmf {

/// How H is started (W follows from H by the first solve).
enum class Init {
  Random,         ///< seeded uniform entries
  RandomizedSVD,  ///< Halko et al.: Gaussian sketch, power iterations, SVD of the small projection
  NNDSVD,         ///< Boutsidis & Gallopoulos: non-negative parts of the leading singular pairs
  NNDSVDa,        ///< NNDSVD with zeros filled by the average entry (no factor starts stuck at 0)
};

inline const char* to_string(Init init) {
  switch (init) {
    case Init::Random: return "random";
    case Init::RandomizedSVD: return "rsvd";
    case Init::NNDSVD: return "nndsvd";
    case Init::NNDSVDa: return "nndsvda";
  }
  return "?";
}

/// What one iteration reports to the optional progress callback.
struct Progress {
  int iteration;     ///< 1-based
  double objective;  ///< data term + penalties after the iteration
  double relative_change;
};

struct NMFOptions {
  Eigen::Index rank = 10;     ///< k, 1 <= k <= rows; k may exceed the number of columns
  int max_iterations = 100;   ///< >= 1
  double tolerance = 1e-4;    ///< stop when the objective's relative change stays below this...
  int patience = 2;           ///< ...for this many consecutive iterations (>= 1)
  /// Ridge D = l2 * (mean diagonal of the Gram matrix) * I in both solves: relative, so it means
  /// the same whatever the data's scale and row count. Must be > 0 when rank may exceed the data's rank.
  double l2 = 1e-3;
  std::uint64_t seed = 0;     ///< same seed + same thread count = same bytes
  Init init = Init::NNDSVDa;
  int threads = 0;            ///< 0: OpenMP's default
  std::function<void(const Progress&)> progress;  ///< called after every iteration if set

  void validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument("NMFOptions." + what); };
    if (rank < 1) fail("rank must be >= 1, got " + std::to_string(rank));
    if (max_iterations < 1) fail("max_iterations must be >= 1, got " + std::to_string(max_iterations));
    if (!(tolerance >= 0.0) || !std::isfinite(tolerance))
      fail("tolerance must be finite and >= 0, got " + std::to_string(tolerance));
    if (patience < 1) fail("patience must be >= 1, got " + std::to_string(patience));
    if (!(l2 >= 0.0) || !std::isfinite(l2)) fail("l2 must be finite and >= 0, got " + std::to_string(l2));
    if (threads < 0) fail("threads must be >= 0, got " + std::to_string(threads));
  }
};

enum class Status { Converged, MaxIterations, NumericalIssue };

inline const char* to_string(Status s) {
  switch (s) {
    case Status::Converged: return "converged";
    case Status::MaxIterations: return "reached max iterations";
    case Status::NumericalIssue: return "numerical issue";
  }
  return "?";
}

template <class Scalar>
struct NMFResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> W;  ///< rows x k (segments x k for segmented input)
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> H;  ///< k x columns, rows at unit RMS
  std::vector<double> objective;  ///< after each iteration: 1/2 ||Y - WH||^2 + penalties
  int iterations = 0;
  Status status = Status::MaxIterations;
};

}  // namespace fusednmf
