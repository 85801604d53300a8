#pragma once
// The fused-lasso (1-D total variation) proximal operator.
//
//   x* = argmin_x  1/2 sum_i w_i (x_i - y_i)^2 + lambda sum_i |x_{i+1} - x_i|
//                  [ + mu sum_i w_i |x_i| ]     (sparse fused lasso)
//                  [ subject to x >= 0 ]        (non-negative)
//
// Weights make run-length compression exact: a run of L equal values is one element of weight
// L, and the prox of the compressed vector expanded equals the prox of the expanded vector (a
// constant run in y stays constant in x*). The L1 term is weighted by w for the same reason.
//
// Both extras are exact compositions for 1-D TV: the solution is the TV solution z followed by
// soft-thresholding by mu and/or clipping at 0 (Friedman et al. 2007). The argument: on a fused
// group of z, shrinking every value by the same amount keeps the TV subgradients valid, and
// thresholding never creates a jump that z does not have.
//
// Numerics: the kernels run in double whatever Scalar is (float running sums lose accuracy with
// n), on y minus y[0] (prox(y + c) = prox(y) + c), so large values keep their precision.
//
// Speed: input with many repeated neighbours (genomic signal: long runs of 0) is solved on its
// runs, weighted, and expanded; exact for the same reason weights are.
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <memory>

#include <Eigen/Core>

#include "detail/condat.hpp"
#include "detail/johnson_dp.hpp"
#include "detail/weights.hpp"
#include "variants.hpp"

namespace fusednmf {

/// Parameters of the fused-lasso prox. validate() throws std::invalid_argument naming the field.
struct FusedLassoParams {
  double lambda = 1.0;       ///< weight of the total variation, >= 0
  double mu = 0.0;           ///< weight of the (w-weighted) L1 term, >= 0
  bool nonnegative = false;  ///< constrain x >= 0

  void validate() const {
    if (!(lambda >= 0.0) || !std::isfinite(lambda))
      throw std::invalid_argument("FusedLassoParams.lambda must be finite and >= 0, got " +
                                  std::to_string(lambda));
    if (!(mu >= 0.0) || !std::isfinite(mu))
      throw std::invalid_argument("FusedLassoParams.mu must be finite and >= 0, got " +
                                  std::to_string(mu));
  }
};

/// Scratch memory for the prox. Reuse one per thread: after the first call of a given size no
/// call allocates.
class ProxWorkspace {
 public:
  double* shifted_input(std::size_t n) { return input_.get(n); }
  double* output(std::size_t n) { return output_.get(n); }
  double* scratch(std::size_t n) { return scratch_.get(n); }
  double* run_values(std::size_t n) { return run_values_.get(n); }
  double* run_weights(std::size_t n) { return run_weights_.get(n); }
  double* run_output(std::size_t n) { return run_output_.get(n); }

 private:
  // Uninitialised on purpose: zero-filling fresh pages costs more than the prox itself.
  struct Buffer {
    std::unique_ptr<double[]> data;
    std::size_t size = 0;
    double* get(std::size_t n) {
      if (size < n) {
        data.reset(new double[n]);
        size = n;
      }
      return data.get();
    }
  };
  Buffer input_, output_, scratch_, run_values_, run_weights_, run_output_;
};

/// The operator. Scalar: float or double (input and output); Variant: a tag from prox/variants.hpp.
template <class Scalar = double, class Variant = prox::Default>
class FusedLassoProx {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "FusedLassoProx: Scalar must be float or double");
  static_assert(std::is_same_v<Variant, prox::DynamicProgramming> ||
                    std::is_same_v<Variant, prox::Condat>,
                "FusedLassoProx: Variant must be a tag from fusednmf/prox/variants.hpp");

 public:
  using scalar_type = Scalar;
  using variant_type = Variant;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  explicit FusedLassoProx(FusedLassoParams params = {}) : params_(params) { params_.validate(); }
  explicit FusedLassoProx(double lambda) : FusedLassoProx(FusedLassoParams{lambda, 0.0, false}) {}

  const FusedLassoParams& params() const { return params_; }

  /// Raw form: y, x of length n (x may alias y); weights of length n, or nullptr for all ones.
  void apply(const Scalar* y, const Scalar* weights, Scalar* x, std::ptrdiff_t n,
             ProxWorkspace& ws) const {
    if (n < 0) throw std::invalid_argument("FusedLassoProx: negative length");
    if (n == 0) return;
    if (weights) {
      solve(y, prox::detail::ArrayWeights<Scalar>{weights}, x, n, ws);
    } else {
      solve(y, prox::detail::UnitWeights{}, x, n, ws);
    }
  }

  /// Out of place (or in place: pass the same vector twice), unit weights.
  void operator()(const Eigen::Ref<const Vector>& y, Eigen::Ref<Vector> x, ProxWorkspace& ws) const {
    check_size(y.size(), x.size(), "x");
    apply(y.data(), nullptr, x.data(), y.size(), ws);
  }

  /// Weighted.
  void operator()(const Eigen::Ref<const Vector>& y, const Eigen::Ref<const Vector>& weights,
                  Eigen::Ref<Vector> x, ProxWorkspace& ws) const {
    check_size(y.size(), weights.size(), "weights");
    check_size(y.size(), x.size(), "x");
    apply(y.data(), weights.data(), x.data(), y.size(), ws);
  }

  /// Convenience: allocates the result and a workspace.
  Vector operator()(const Eigen::Ref<const Vector>& y) const {
    Vector x(y.size());
    ProxWorkspace ws;
    (*this)(y, x, ws);
    return x;
  }

 private:
  static void check_size(Eigen::Index n, Eigen::Index other, const char* what) {
    if (n != other)
      throw std::invalid_argument(std::string("FusedLassoProx: ") + what + " has length " +
                                  std::to_string(other) + " but y has length " + std::to_string(n));
  }

  template <class Weights>
  void solve(const Scalar* y, Weights w, Scalar* x, std::ptrdiff_t n, ProxWorkspace& ws) const {
    // One vectorisable pass copies y - y[0] into double and sums it and the weights; a sum that
    // is not finite, or a weight that is not positive, sends us to a slow pass that names the
    // culprit. Shifting by y[0] keeps large values (1e6 and up) from losing precision.
    const std::size_t un = static_cast<std::size_t>(n);
    const double offset = params_.lambda > 0.0 ? static_cast<double>(y[0]) : 0.0;
    double* shifted = ws.shifted_input(un);
    double sum = 0.0, min_weight = w[0], weight_sum = 0.0;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      shifted[i] = static_cast<double>(y[i]) - offset;
      sum += shifted[i];
      weight_sum += w[i];
      min_weight = std::min(min_weight, w[i]);
    }
    if (!std::isfinite(sum) || !std::isfinite(offset) || !std::isfinite(weight_sum) ||
        !(min_weight > 0.0))
      report_bad_input(y, w, n);

    double* out;
    if constexpr (std::is_same_v<Scalar, double>) {
      out = x;  // y has been copied, so writing x directly is safe even when x aliases y
    } else {
      out = ws.output(un);
    }
    if (params_.lambda == 0.0) {  // the identity, exactly
      std::copy(shifted, shifted + n, out);
    } else {
      // Genomic signal repeats itself (long runs of 0): when at least half the elements equal
      // their neighbour, solve on runs weighted by their total weight and expand. Exact, since
      // the prox of a constant run is constant (the segment/expansion equivalence).
      std::ptrdiff_t runs = 1;
      for (std::ptrdiff_t i = 1; i < n; ++i) runs += shifted[i] != shifted[i - 1];
      if (2 * runs <= n) {
        const std::size_t ur = static_cast<std::size_t>(runs);
        double* rv = ws.run_values(ur);
        double* rw = ws.run_weights(ur);
        std::ptrdiff_t r = 0;
        rv[0] = shifted[0];
        rw[0] = w[0];
        for (std::ptrdiff_t i = 1; i < n; ++i) {
          if (shifted[i] != shifted[i - 1]) rv[++r] = shifted[i], rw[r] = 0.0;
          rw[r] += w[i];
        }
        double* ro = ws.run_output(ur);
        run_kernel(rv, prox::detail::ArrayWeights<double>{rw}, ro, runs, ws);
        r = 0;
        out[0] = ro[0];
        for (std::ptrdiff_t i = 1; i < n; ++i) {
          r += shifted[i] != shifted[i - 1];
          out[i] = ro[r];
        }
      } else {
        run_kernel(shifted, w, out, n, ws);
      }
    }

    // Undo the shift, then the exact compositions: soft-threshold by mu, clip at 0.
    const double mu = params_.mu;
    if (mu == 0.0 && !params_.nonnegative) {
      for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = static_cast<Scalar>(out[i] + offset);
      return;
    }
    const double floor = params_.nonnegative ? 0.0 : -std::numeric_limits<double>::infinity();
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      double v = out[i] + offset;
      v = v > mu ? v - mu : (v < -mu ? v + mu : 0.0);
      x[i] = static_cast<Scalar>(std::max(v, floor));
    }
  }

  template <class Weights>
  void run_kernel(double* y, Weights w, double* out, std::ptrdiff_t n, ProxWorkspace& ws) const {
    if constexpr (std::is_same_v<Variant, prox::DynamicProgramming>) {
      prox::detail::johnson_dp(y, w, params_.lambda, out, n, ws.scratch(prox::detail::johnson_dp_scratch_size(n)));
    } else {
      prox::detail::condat_guarded(y, w, params_.lambda, out, n, [&ws](std::ptrdiff_t len) {
        return ws.scratch(prox::detail::johnson_dp_scratch_size(len));
      });
    }
  }

  template <class Weights>
  [[noreturn]] static void report_bad_input(const Scalar* y, Weights w, std::ptrdiff_t n) {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (!std::isfinite(static_cast<double>(y[i])))
        throw std::invalid_argument("FusedLassoProx: y[" + std::to_string(i) + "] is not finite");
      if (!(w[i] > 0.0) || !std::isfinite(w[i]))
        throw std::invalid_argument("FusedLassoProx: weight[" + std::to_string(i) +
                                    "] must be finite and > 0, got " + std::to_string(w[i]));
    }
    throw std::invalid_argument("FusedLassoProx: the sum of y or of the weights overflows double");
  }

  FusedLassoParams params_;
};

}  // namespace fusednmf
