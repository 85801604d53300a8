#pragma once
// Regularizer policies for NMF<Regularizer>: the penalty on each column of W and its prox.
//
// The contract (checked by is_regularizer, with a readable static_assert in NMF):
//   using Scalar = float or double;             // the scalar type of the whole fit
//   void validate() const;                      // throws std::invalid_argument naming the field
//   void prox(Scalar* column, const Scalar* weights, std::ptrdiff_t n,
//             double data_scale, ProxWorkspace& ws) const;
//       // replaces z = column by argmin over x >= 0 of 1/2 Σ w_i (x_i - z_i)² + penalty(x, data_scale),
//       // exactly; weights = rows each entry stands for (nullptr: all 1)
//   double penalty(const Scalar* column, const Scalar* weights, std::ptrdiff_t n,
//                  double data_scale) const;
//       // what the column adds to the objective; proportional to data_scale (HALS solves the
//       // block problem c/2 Σ w (x - z)² + m·penalty(x, s) as prox with data_scale = s·m/c)
//
// Scale: W and H trade scale freely, so the engine keeps every row of H at unit RMS and W in the
// data's units, and passes data_scale = RMS of Y. Penalty weights are given relative to it:
// FusedLasso's lambda is lambda * data_scale in absolute terms, so lambda counts bases. A jump of
// height h (in RMS units of the data) between long runs survives the prox when the run it bounds
// is longer than about 2 * lambda / h bases, whatever the data's units, depth or track count.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "detail/lane_sums.hpp"
#include "prox/fused_lasso_prox.hpp"
#include "prox/variants.hpp"

namespace fusednmf {

/// Ridge only: the prox is the projection onto x >= 0.
template <class ScalarT = double>
struct NoRegularizer {
  using Scalar = ScalarT;
  void validate() const {}
  void prox(Scalar* column, const Scalar*, std::ptrdiff_t n, double, ProxWorkspace&) const {
    for (std::ptrdiff_t i = 0; i < n; ++i) column[i] = std::max(column[i], Scalar(0));
  }
  double penalty(const Scalar*, const Scalar*, std::ptrdiff_t, double) const { return 0.0; }
};

/// Fused lasso along the rows of each column of W (the assignment's smoothing), optionally
/// sparse (mu) — both relative to the data's RMS, see the header comment.
template <class ScalarT = double, class Variant = prox::Default>
struct FusedLasso {
  using Scalar = ScalarT;
  double lambda = 1000.0;  ///< total-variation weight, in bases (relative to the data's RMS)
  double mu = 0.0;         ///< L1 weight, in units of the data's RMS

  void validate() const { FusedLassoParams{lambda, mu, true}.validate(); }

  void prox(Scalar* column, const Scalar* weights, std::ptrdiff_t n, double data_scale,
            ProxWorkspace& ws) const {
    FusedLassoProx<Scalar, Variant> op(FusedLassoParams{lambda * data_scale, mu * data_scale, true});
    op.apply(column, weights, column, n, ws);
  }

  double penalty(const Scalar* column, const Scalar* weights, std::ptrdiff_t n,
                 double data_scale) const {
    // Each sum in four lanes (detail/lane_sums.hpp); the L1 pass only when it counts (mu > 0;
    // assign2's default is 0), so the default reads the column once.
    const double tv = n > 1 ? detail::sum_in_four_lanes(1, n, [=](std::ptrdiff_t i) {
      return std::abs(double(column[i]) - double(column[i - 1]));
    }) : 0.0;
    const double l1 = mu > 0 ? detail::weighted_abs_sum(column, weights, n) : 0.0;
    return data_scale * (lambda * tv + mu * l1);
  }
};

/// Whether a regularizer's prox costs far more than the rest of a column's update in a HALS
/// sweep (O(k) flops per row): the fused lasso's exact solve does (it is serial along each
/// chain, and costs several times the rest of the column's update). HALS then passes over W's
/// columns once per sweep instead of repeating them (detail::hals_auto_passes): repeats cost
/// about their own time again and saved no sweeps (benchmarks/README.md, "The defaults on a
/// whole chromosome"). A regularizer of your own may specialize this.
template <class R>
struct has_costly_prox : std::false_type {};

template <class ScalarT, class Variant>
struct has_costly_prox<FusedLasso<ScalarT, Variant>> : std::true_type {};

/// L1 sparsity on W: soft-thresholding by mu (relative to the data's RMS), clipped at 0.
template <class ScalarT = double>
struct L1Sparsity {
  using Scalar = ScalarT;
  double mu = 0.1;

  void validate() const {
    if (!(mu >= 0.0) || !std::isfinite(mu))
      throw std::invalid_argument("L1Sparsity.mu must be finite and >= 0, got " + std::to_string(mu));
  }
  void prox(Scalar* column, const Scalar*, std::ptrdiff_t n, double data_scale, ProxWorkspace&) const {
    const double t = mu * data_scale;
    for (std::ptrdiff_t i = 0; i < n; ++i) column[i] = static_cast<Scalar>(std::max(0.0, double(column[i]) - t));
  }
  double penalty(const Scalar* column, const Scalar* weights, std::ptrdiff_t n, double data_scale) const {
    return mu * data_scale * detail::weighted_abs_sum(column, weights, n);
  }
};

/// Whether a regularizer's prox acts on each entry alone (x_i from z_i and its weight): then a
/// HALS sweep updates W a block of rows at a time, every column and every pass while the block
/// is in cache (detail::update_w_by_row_blocks), instead of reading all of W once per column. A
/// regularizer of your own may specialize this.
template <class R>
struct has_separable_prox : std::false_type {};

template <class ScalarT>
struct has_separable_prox<NoRegularizer<ScalarT>> : std::true_type {};

template <class ScalarT>
struct has_separable_prox<L1Sparsity<ScalarT>> : std::true_type {};

/// Does R meet the regularizer contract above?
template <class R, class = void>
struct is_regularizer : std::false_type {};

template <class R>
struct is_regularizer<
    R, std::void_t<typename R::Scalar, decltype(std::declval<const R&>().validate()),
                   decltype(std::declval<const R&>().prox(
                       std::declval<typename R::Scalar*>(), std::declval<const typename R::Scalar*>(),
                       std::ptrdiff_t{}, double{}, std::declval<ProxWorkspace&>())),
                   decltype(double(std::declval<const R&>().penalty(
                       std::declval<const typename R::Scalar*>(),
                       std::declval<const typename R::Scalar*>(), std::ptrdiff_t{}, double{})))>>
    : std::bool_constant<std::is_same_v<typename R::Scalar, float> ||
                         std::is_same_v<typename R::Scalar, double>> {};

}  // namespace fusednmf
