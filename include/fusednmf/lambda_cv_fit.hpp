#pragma once
// λ by cross-validation, then the fit of all rows at that λ, started beside the curve's last fits.
//
// Why: the held-out curve (lambda_cv.hpp) is fitted λ by λ and stops once stop_after_rises λ in
// a row lie above the one-standard-error bound. Once one more such λ would end it, the choice is
// settled unless that λ's error falls back within the bound: its fold fits can only confirm it.
// On more than one thread the fit of all rows at that choice then starts at once, on the thread
// that summarised the curve, beside those fold fits, instead of after them. On two cores this hides
// most of a fit that is too small to gain from two threads of its own (GM12878 chr11:1-11 Mb,
// 11,844 segments: benchmarks/README.md, "Threads"). Beside the fold fits its loops run on its own
// thread alone, so only a fit that small starts early (detail::kBesideFitWork); a larger one runs
// after the curve on all threads. If the curve goes on instead (that λ's error is within the
// bound, or lower), the fit stops at its next sweep, another may start when the curve again needs
// one more rise, and if none is at the chosen λ when the curve ends, the fit runs after it, as it
// always does on one thread or with a Reducer.
//
// The result is the same bytes either way: a fit does not depend on when it runs or on its thread
// count (beside the queue its loops run on its own thread). Its progress is held back until the
// curve is final, so that a caller sees the curve first and then every sweep of the fit, in order.
#include <exception>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "lambda_cv.hpp"

namespace fusednmf {

namespace detail {
/// The largest fit, rows × k, begun beside the curve's last fold fits. Beside them its loops run
/// on one thread; after the curve they would run on all (kParallelFitWork), or on as many as its
/// timed sweeps find faster (kTimedFitWork). Measured on 2 cores (benchmarks/README.md, "The
/// fit beside the curve only while it is small"): at 5·10⁵ (30 dense tracks × 10 Mb in 200 bp bins,
/// k = 10) beginning it beside saved 0.1 s of 1.2; at 2·10⁶ it cost more than it saved.
inline constexpr double kBesideFitWork = 1e6;

/// Whether a fit of `segments` rows at rank k may begin beside the curve's last fold fits.
inline bool fits_beside_curve(Eigen::Index segments, Eigen::Index k) {
  return double(segments) * double(k) < kBesideFitWork;
}
}  // namespace detail

template <class Scalar>
struct LambdaCVFit {
  LambdaCVCurve curve;
  NMFResult<Scalar> result;          ///< NMF<FusedLasso<Scalar>> of all rows at curve.lambda()
  bool fitted_beside_curve = false;  ///< whether that fit began before the curve was final
};

struct LambdaCVFitHooks {
  /// Called once, as soon as the curve is final (on whichever thread finished it), before any
  /// progress of the fit.
  std::function<void(const LambdaCVCurve&)> on_curve;
  /// Called on the fit's options right before a fit starts (to give it what is left of a time
  /// budget, say); again if a fit begun beside the curve is abandoned and another starts.
  std::function<void(NMFOptions&)> before_fit;
};

/// cross_validate_lambda(Y, chain_starts, options, cv, reduce), then
/// NMF<FusedLasso<Scalar>>(options, {curve.lambda(), 0}).fit(Y, chain_starts, reduce), with
/// options.progress receiving the fit's sweeps after hooks.on_curve. See the header comment for
/// when the fit starts early. Throws what either throws.
template <class Scalar>
LambdaCVFit<Scalar> fit_at_cross_validated_lambda(const SegmentedMatrix<Scalar>& Y,
                                                  const std::vector<Eigen::Index>& chain_starts,
                                                  const NMFOptions& options, const LambdaCVOptions& cv,
                                                  const Reducer& reduce = {}, const LambdaCVFitHooks& hooks = {}) {
  const std::function<void(const Progress&)> progress = options.progress;
  auto fit_at = [&](double lambda, NMFOptions fit_options, const Reducer& fit_reduce) {
    if (hooks.before_fit) hooks.before_fit(fit_options);
    return NMF<FusedLasso<Scalar>>(fit_options, FusedLasso<Scalar>{lambda, 0.0}).fit(Y, chain_starts, fit_reduce);
  };

  // The fit begun beside the curve, if any: at most one at a time.
  struct Beside {
    std::mutex mutex;  // taken inside the queue's lock, never around it
    bool running = false, done = false;
    bool cancelled = false;  // stop at the next sweep
    bool confirmed = false;  // the curve ended at its λ: progress goes straight to the caller
    std::size_t lambda_index = 0;
    NMFResult<Scalar> result;
    std::exception_ptr error;
    std::vector<Progress> held;  // its sweeps until the curve is final
  } beside;
  struct Abandoned {};

  auto run_beside = [&](double lambda) {
    NMFOptions fit_options = options;
    fit_options.progress = [&](const Progress& p) {
      std::lock_guard<std::mutex> lock(beside.mutex);
      if (beside.cancelled) throw Abandoned{};
      if (!beside.confirmed) beside.held.push_back(p);
      else if (progress) progress(p);
    };
    NMFResult<Scalar> result;
    std::exception_ptr error;
    bool abandoned = false;
    try {
      result = fit_at(lambda, fit_options, {});
    } catch (const Abandoned&) {
      abandoned = true;
    } catch (...) {
      error = std::current_exception();  // the caller's only if the curve chooses this λ
    }
    std::lock_guard<std::mutex> lock(beside.mutex);
    beside.running = false;
    if (abandoned || beside.cancelled) {
      beside.cancelled = false;
      return;
    }
    beside.done = true;
    beside.result = std::move(result);
    beside.error = error;
  };

  // Beside the queue the fit's loops run on its own thread alone. That pays for a fit too small
  // to gain much from threads of its own; a larger one runs after the curve, on all threads
  // (see kBesideFitWork).
  const bool small_enough_to_fit_beside = detail::fits_beside_curve(Y.segments(), options.rank);

  const detail::CurveObserver observer = [&](const detail::CurveEvent& event) -> std::function<void()> {
    std::lock_guard<std::mutex> lock(beside.mutex);
    switch (event.kind) {
      case detail::CurveEvent::Failed:
        if (beside.running) beside.cancelled = true;
        return {};
      case detail::CurveEvent::Ended:
        if ((beside.running || beside.done) && beside.lambda_index == event.curve.chosen) {
          beside.confirmed = true;
          try {
            if (hooks.on_curve) hooks.on_curve(event.curve);
            if (progress)
              for (const Progress& p : beside.held) progress(p);
          } catch (...) {
            beside.cancelled = beside.running;
            throw;
          }
          beside.held.clear();
        } else {
          if (beside.running) beside.cancelled = true;
          if (hooks.on_curve) hooks.on_curve(event.curve);
        }
        return {};
      case detail::CurveEvent::Summarised:
        break;
    }
    if (!event.side_by_side || !small_enough_to_fit_beside) return {};
    if (beside.running) {  // still the choice if the next λ rises?
      if (!event.ends_on_next_rise || beside.lambda_index != event.provisional) beside.cancelled = true;
      return {};
    }
    if (!event.ends_on_next_rise || (beside.done && beside.lambda_index == event.provisional)) return {};
    beside.running = true, beside.done = false, beside.cancelled = false;
    beside.error = nullptr;
    beside.held.clear();
    beside.lambda_index = event.provisional;
    const double lambda = event.curve.lambdas[event.provisional];
    return [&run_beside, lambda] { run_beside(lambda); };
  };

  LambdaCVFit<Scalar> out;
  out.curve = cross_validate_lambda(Y, chain_starts, options, cv, reduce, observer);
  if (beside.done && beside.confirmed) {
    if (beside.error) std::rethrow_exception(beside.error);
    out.result = std::move(beside.result);
    out.fitted_beside_curve = true;
  } else {
    out.result = fit_at(out.curve.lambda(), options, reduce);
  }
  return out;
}

}  // namespace fusednmf
