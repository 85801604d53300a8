#pragma once
// λ without an annotation: choose the fused lasso's weight by cross-validation on held-out
// entries of Y.
//
// Each fold hides random blocks of consecutive rows of one column each (a block of rows of one
// track), fits NMF<FusedLasso> on the rest with those entries masked (MissingValues::Mask, by
// imputation sweeps, MaskedSweep::Imputation: each costs what a sweep without a mask does, where
// exact masked updates cost several times more), and scores the squared error of W H on the
// hidden entries. Blocks, not single entries, so a hidden value cannot simply be read off its
// smoothed neighbours: it must come from the other tracks at the same rows through H. Over a
// grid of λ the rule is the usual one-standard-error rule: the largest λ (the smoothest
// factors) whose mean held-out error is within one standard error (over the folds) of the lowest.
// The grid is fitted from its smallest λ up, and stops once the error has risen past that bound
// (LambdaCVOptions::stop_after_rises): the λ beyond could only be chosen if the curve fell again.
// On a small region the blocks are drawn into folds several times and the errors averaged
// (LambdaCVOptions::repeats), so that the choice does not turn on one draw.
//
// The fits see a sample of the rows, not all of them: evenly spaced windows of consecutive rows
// (LambdaCVOptions::max_rows in windows of window_rows), each its own chain. λ is a length along
// the genome (bases), and the held-out error is a mean over entries, so the curve of a sample of
// long windows is the curve of the whole, while its cost stays bounded: without the cap a whole
// chromosome of dense tracks (1.25 M bins) spent over 40 minutes in these fits.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "detail/parallel.hpp"
#include "detail/random.hpp"
#include "nmf.hpp"
#include "reducer.hpp"
#include "regularizers.hpp"
#include "segmented_matrix.hpp"

namespace fusednmf {

struct LambdaCVOptions {
  std::vector<double> lambdas{10, 30, 100, 300, 1000, 3000, 10000};  ///< the grid, in bases
  int folds = 3;                 ///< >= 2: the spread over folds is the standard error
  /// Partitions of the blocks into folds, each fitted and scored (repeated cross-validation), or
  /// 0: as many as bring repeats x the sample's rows (summed over processes) up to
  /// auto_repeat_rows, at most max_auto_repeats. One partition of a few hundred rows hides few
  /// blocks, and which λ the one-standard-error rule takes then turns on the draw: on the 500-kb
  /// regions of binarized calls (300-700 segments) the seed alone moved λ from 1000 to 10000 and
  /// r by up to 0.7. Repeats give such a curve as many hidden blocks as one partition of
  /// auto_repeat_rows rows has, at no more than its cost.
  int repeats = 0;
  /// 2,500: 500 kb of 200-bp bins of dense signal, every bin its own segment (the assignment's
  /// smallest graded region), which keeps one partition: its time and its λ stay as they were.
  Eigen::Index auto_repeat_rows = 2500;
  int max_auto_repeats = 10;
  double held_out = 0.1;         ///< fraction of (block, column) pairs hidden in each fold
  Eigen::Index block_rows = 16;  ///< rows (segments) per hidden block
  std::uint64_t seed = 0;
  /// The fits' tolerance when it is looser than the caller's: the held-out error settles well
  /// before the factors do.
  double fit_tolerance = 1e-3;
  /// ...and their sweeps at most: the choice between λ values 3x apart is settled long before.
  int fit_max_iterations = 50;
  /// How the fits treat the held-out entries: imputation sweeps cost what unmasked ones do.
  MaskedSweep masked_sweep = MaskedSweep::Imputation;
  /// Rows (segments) the fits see at most, as evenly spaced windows of window_rows consecutive
  /// rows (0: every row). With a Reducer the cap holds for each process's rows.
  Eigen::Index max_rows = 10000;
  /// Rows per window: long next to the smoothing of the largest λ (10,000 bases are 50 bins of
  /// 200 bases), so that a window's edges weigh little.
  Eigen::Index window_rows = 2000;
  /// The grid is fitted in increasing λ, and stops once this many consecutive λ past the lowest
  /// error lie above the one-standard-error bound (0: every λ is fitted). Held-out error falls
  /// to one minimum and then rises with λ: on all 24 curves measured (the 15 tuning sets and
  /// generated dense tracks at k = 5, 10, 15, benchmarks/README.md) stopping after 2 chose the
  /// λ the whole grid chose, from 77 % of the grid (3 of 7 λ on 30 dense tracks x 10 Mb).
  int stop_after_rises = 2;

  void validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument("LambdaCVOptions." + what); };
    if (lambdas.empty()) fail("lambdas is empty");
    for (double l : lambdas)
      if (!(l >= 0) || !std::isfinite(l)) fail("lambdas: " + std::to_string(l) + " is not a finite value >= 0");
    if (folds < 2) fail("folds must be >= 2, got " + std::to_string(folds));
    if (repeats < 0) fail("repeats must be >= 0, got " + std::to_string(repeats));
    if (max_auto_repeats < 1) fail("max_auto_repeats must be >= 1, got " + std::to_string(max_auto_repeats));
    if (auto_repeat_rows < 1) fail("auto_repeat_rows must be >= 1, got " + std::to_string(auto_repeat_rows));
    if (!(held_out > 0 && held_out < 0.5)) fail("held_out must be in (0, 0.5), got " + std::to_string(held_out));
    if (block_rows < 1) fail("block_rows must be >= 1, got " + std::to_string(block_rows));
    if (fit_max_iterations < 1) fail("fit_max_iterations must be >= 1, got " + std::to_string(fit_max_iterations));
    if (max_rows < 0) fail("max_rows must be >= 0, got " + std::to_string(max_rows));
    if (window_rows < 1) fail("window_rows must be >= 1, got " + std::to_string(window_rows));
    if (stop_after_rises < 0) fail("stop_after_rises must be >= 0, got " + std::to_string(stop_after_rises));
  }
};

/// Rows of Y sampled as evenly spaced windows, with the chains that cut them (see
/// LambdaCVOptions::max_rows).
template <class Scalar>
struct RowSample {
  SegmentedMatrix<Scalar> Y;
  std::vector<Eigen::Index> chain_starts;  ///< in the sample's rows: every window's start and every chain start inside one
};

/// The sample of `Y` the cross-validation fits: all of it (with its chains) when it has at most
/// max_rows rows (or max_rows is 0), else ceil(max_rows / window_rows) windows of window_rows
/// rows, window w centred in the w-th of as many equal strata of the rows.
template <class Scalar>
RowSample<Scalar> sample_rows(const SegmentedMatrix<Scalar>& Y, const std::vector<Eigen::Index>& chain_starts,
                              Eigen::Index max_rows, Eigen::Index window_rows) {
  const Eigen::Index n = Y.segments();
  if (max_rows == 0 || n <= max_rows) return {Y, chain_starts};
  const Eigen::Index window = std::min(window_rows, max_rows);
  const Eigen::Index windows = (max_rows + window - 1) / window;
  RowSample<Scalar> out;
  out.Y.values.resize(windows * window, Y.cols());
  out.Y.lengths.resize(windows * window);
  std::size_t next_chain = 0;  // chain_starts is increasing
  for (Eigen::Index w = 0; w < windows; ++w) {
    // Stratum w is [w·n/windows, (w+1)·n/windows), at least `window` rows long since n > max_rows.
    const Eigen::Index lo = w * n / windows, hi = (w + 1) * n / windows;
    const Eigen::Index first = lo + (hi - lo - window) / 2;
    out.Y.values.middleRows(w * window, window) = Y.values.middleRows(first, window);
    out.Y.lengths.segment(w * window, window) = Y.lengths.segment(first, window);
    if (w > 0) out.chain_starts.push_back(w * window);
    while (next_chain < chain_starts.size() && chain_starts[next_chain] <= first) ++next_chain;
    for (; next_chain < chain_starts.size() && chain_starts[next_chain] < first + window; ++next_chain)
      out.chain_starts.push_back(w * window + chain_starts[next_chain] - first);
  }
  return out;
}

struct LambdaCVCurve {
  std::vector<double> lambdas;         ///< the λ fitted, increasing (see LambdaCVOptions::stop_after_rises)
  std::vector<double> mean_error;      ///< held-out squared error per hidden entry (weighted), mean over folds and repeats
  std::vector<double> standard_error;  ///< of one partition's mean over its folds (see cross_validate_lambda)
  int repeats = 1;                     ///< partitions into folds that were fitted
  std::size_t best = 0;                ///< index of the lowest mean error
  std::size_t chosen = 0;              ///< the one-standard-error choice
  std::vector<double> not_fitted;      ///< the larger λ of the grid, left out once the error had risen
  double lambda() const { return lambdas[chosen]; }
};

namespace detail {

/// What the queue of cross-validation fits tells an observer (lambda_cv_fit.hpp), with its
/// lock held: after each λ is summarised, once when the curve is final (chosen and not_fitted
/// set), or once when a fit failed and the exception is on its way to the caller.
struct CurveEvent {
  enum Kind { Summarised, Ended, Failed } kind;
  const LambdaCVCurve& curve;
  /// The curve ends at its next λ if that λ's error is above the bound too, and the choice is
  /// then `provisional`: the fits of that λ can only confirm it.
  bool ends_on_next_rise = false;
  std::size_t provisional = 0;
  bool side_by_side = false;  ///< the fits run on more than one thread (no Reducer)
};
/// Its answer: work for the same thread once the lock is released (empty: none).
using CurveObserver = std::function<std::function<void()>(const CurveEvent&)>;

/// The lowest mean error on the curve so far plus its standard error.
inline double one_standard_error_bound(const LambdaCVCurve& curve) {
  return curve.mean_error[curve.best] + curve.standard_error[curve.best];
}

/// The one-standard-error choice on the curve so far: the largest λ whose mean error is within one
/// standard error of the lowest.
inline std::size_t one_standard_error_choice(const LambdaCVCurve& curve) {
  const double bound = one_standard_error_bound(curve);
  std::size_t chosen = curve.best;
  for (std::size_t l = 0; l < curve.lambdas.size(); ++l)
    if (curve.mean_error[l] <= bound && curve.lambdas[l] > curve.lambdas[chosen]) chosen = l;
  return chosen;
}

}  // namespace detail

/// Cross-validates λ for NMF<FusedLasso<Scalar>> with `options` (the fits use them, restarts
/// included, with Solver::HALS whatever options.solver says: held-out entries are masked) on a
/// sample of segmented Y's rows (sample_rows) with optional chains and Reducer (see NMF::fit).
/// Results depend on the seed and, with a Reducer, on how the rows are shared out. `observer`
/// (detail) is how fit_at_cross_validated_lambda starts the fit at the chosen λ beside the curve's last fits.
template <class Scalar>
LambdaCVCurve cross_validate_lambda(const SegmentedMatrix<Scalar>& all_rows, const std::vector<Eigen::Index>& all_chain_starts,
                                    NMFOptions options, const LambdaCVOptions& cv, const Reducer& reduce = {},
                                    const detail::CurveObserver& observer = {}) {
  cv.validate();
  all_rows.validate();
  const RowSample<Scalar> sample = sample_rows(all_rows, all_chain_starts, cv.max_rows, cv.window_rows);
  const SegmentedMatrix<Scalar>& Y = sample.Y;
  const std::vector<Eigen::Index>& chain_starts = sample.chain_starts;
  options.missing = MissingValues::Mask;
  options.solver = Solver::HALS;  // the held-out entries are masked, which only HALS can fit
  options.masked_sweep = cv.masked_sweep;
  options.progress = nullptr;
  options.time_limit = 0;  // the sample bounds the fits' cost; a time limit would make the curve machine-dependent
  options.tolerance = std::max(options.tolerance, cv.fit_tolerance);
  options.max_iterations = std::min(options.max_iterations, cv.fit_max_iterations);
  const Eigen::Index n = Y.segments(), m = Y.cols();
  const Eigen::Index nblocks = (n + cv.block_rows - 1) / cv.block_rows;
  LambdaCVCurve curve;
  curve.repeats = cv.repeats;
  if (curve.repeats == 0) {  // from every process's rows, so that all run the same fits
    double rows = double(n);
    detail::reduce_sum(reduce, &rows, 1);
    const double to_reach = std::floor(double(cv.auto_repeat_rows) / std::max(rows, 1.0));
    curve.repeats = int(std::clamp(to_reach, 1.0, double(cv.max_auto_repeats)));
  }
  // The fits of one λ: fold f of repeat r is fit r * folds + f.
  const int fits_per_lambda = cv.folds * curve.repeats;
  // In each repeat every (block, column) pair gets a fold, or none (kept in every fit of that
  // repeat); the draws continue from one repeat to the next, so the first is the same for any count.
  const std::size_t pairs = static_cast<std::size_t>(nblocks * m);
  std::vector<int> fold_of(pairs * std::size_t(curve.repeats), -1);
  detail::Random rng(cv.seed ^ 0xC2B2AE3D27D4EB4FULL);
  for (auto& f : fold_of) {
    const double u = rng.uniform();
    if (u < cv.held_out * cv.folds) f = int(u / cv.held_out);
  }
  auto hidden_in = [&](int fit, Eigen::Index b, Eigen::Index c) {
    return fold_of[std::size_t(fit / cv.folds) * pairs + std::size_t(b * m + c)] == fit % cv.folds;
  };
  // The grid in increasing λ, the order the early stop walks it in.
  std::vector<double> grid = cv.lambdas;
  std::sort(grid.begin(), grid.end());
  const std::size_t n_lambda = grid.size();
  // The training data of each fit: Y with its fold's blocks hidden (NaN).
  std::vector<SegmentedMatrix<Scalar>> train(static_cast<std::size_t>(fits_per_lambda), Y);
  for (int fit = 0; fit < fits_per_lambda; ++fit)
    for (Eigen::Index b = 0; b < nblocks; ++b)
      for (Eigen::Index c = 0; c < m; ++c)
        if (hidden_in(fit, b, c))
          train[std::size_t(fit)].values.col(c).segment(b * cv.block_rows, std::min(cv.block_rows, n - b * cv.block_rows))
              .setConstant(std::numeric_limits<Scalar>::quiet_NaN());
  Eigen::MatrixXd error(static_cast<Eigen::Index>(n_lambda), fits_per_lambda);
  // One fit per (λ, repeat, fold): its held-out error.
  auto score = [&](std::size_t l, int fold_fit, const NMFOptions& fit_options) {
    const auto fit = NMF<FusedLasso<Scalar>>(fit_options, FusedLasso<Scalar>{grid[l], 0.0})
                         .fit(train[std::size_t(fold_fit)], chain_starts, reduce);
    double sums[2] = {0.0, 0.0};  // weighted squared error, weighted count
    for (Eigen::Index b = 0; b < nblocks; ++b)
      for (Eigen::Index c = 0; c < m; ++c) {
        if (!hidden_in(fold_fit, b, c)) continue;
        for (Eigen::Index i = b * cv.block_rows; i < std::min(n, (b + 1) * cv.block_rows); ++i) {
          if (std::isnan(Y.values(i, c))) continue;  // missing in Y itself
          const double d = double(Y.values(i, c)) - double(fit.W.row(i).dot(fit.H.col(c)));
          sums[0] += double(Y.lengths[i]) * d * d;
          sums[1] += double(Y.lengths[i]);
        }
      }
    detail::reduce_sum(reduce, sums, 2);
    error(Eigen::Index(l), fold_fit) = sums[1] > 0 ? sums[0] / sums[1] : 0.0;
  };
  // The mean is over every fold of every repeat. The standard error is that of one partition's
  // mean over its `folds` folds, the spread estimated from all the fits: the rule's margin is then
  // the same for any number of repeats (dividing by all the fits would shrink it as repeats grow,
  // though repeats over the same rows are not independent), and only its noise falls.
  auto summarise = [&](std::size_t l) {
    const Eigen::RowVectorXd e = error.row(Eigen::Index(l));
    const double mean = e.mean();
    const double var = (e.array() - mean).square().sum() / double(fits_per_lambda - 1);
    curve.lambdas.push_back(grid[l]);
    curve.mean_error.push_back(mean);
    curve.standard_error.push_back(std::sqrt(var / double(cv.folds)));
    if (mean < curve.mean_error[curve.best]) curve.best = l;
  };
  // Whether the curve so far ends in cv.stop_after_rises λ past its lowest error, all above the
  // one-standard-error bound: none of them can be chosen, and neither can a larger λ unless
  // the curve falls again. With `one_more`, whether it would, were the next λ above the bound too.
  auto risen = [&](bool one_more = false) {
    const std::size_t fitted = curve.lambdas.size() + (one_more ? 1 : 0);
    if (cv.stop_after_rises == 0 || fitted < curve.best + 1 + std::size_t(cv.stop_after_rises)) return false;
    const double bound = detail::one_standard_error_bound(curve);
    for (std::size_t l = fitted - std::size_t(cv.stop_after_rises); l < curve.lambdas.size(); ++l)
      if (curve.mean_error[l] <= bound) return false;
    return true;
  };
  // The (λ, fold) fits in one queue, λ by λ in increasing order, each fit on one thread and the
  // threads taking the next fit as they finish: 3 folds on 2 threads leave no thread idle at the
  // end of a λ. A λ is summarised once all its folds and every smaller λ's are done, in grid
  // order, so that where the curve stops depends on the curve alone, never on the thread count
  // or on which fit finished first. From then on no larger λ's fit starts, and one in progress
  // stops at its next sweep (its progress callback throws, caught here): at most one fit per
  // thread is cut short. A fit's bytes do not depend on its thread count, and any other
  // exception from a fit reaches the caller through parallel_for. With a Reducer the fits run in
  // grid order on every process, which all reach the same decisions (the errors are summed).
  const int threads = reduce ? 1 : detail::resolve_threads(options.threads);
  struct NoLongerNeeded {};
  std::mutex curve_mutex;
  std::vector<int> folds_done(n_lambda, 0);
  std::size_t summarised = 0;                      // λ summarised so far, in grid order
  std::atomic<std::size_t> fit_below{n_lambda};    // no fit of a λ index from here on is needed
  bool ended = false;
  auto event = [&](detail::CurveEvent::Kind kind) -> std::function<void()> {
    if (!observer) return {};
    const bool next = kind == detail::CurveEvent::Summarised && summarised < n_lambda && risen(true);
    return observer(detail::CurveEvent{kind, curve, next, next ? detail::one_standard_error_choice(curve) : 0,
                                       threads > 1});
  };
  auto run_fit = [&](long f) {
    const std::size_t l = std::size_t(f / fits_per_lambda);
    if (l >= fit_below.load()) return;
    NMFOptions fit_options = options;
    if (!reduce) {
      fit_options.threads = 1;
      fit_options.progress = [&fit_below, l](const Progress&) {
        if (l >= fit_below.load(std::memory_order_relaxed)) throw NoLongerNeeded{};
      };
    }
    try {
      score(l, int(f % fits_per_lambda), fit_options);
    } catch (const NoLongerNeeded&) {
      return;
    } catch (...) {
      std::lock_guard<std::mutex> lock(curve_mutex);
      event(detail::CurveEvent::Failed);
      throw;
    }
    std::function<void()> then;
    {
      std::lock_guard<std::mutex> lock(curve_mutex);
      ++folds_done[l];
      const std::size_t before = summarised;
      while (summarised < fit_below.load() && folds_done[summarised] == fits_per_lambda) {
        summarise(summarised++);
        if (risen()) fit_below.store(summarised);
      }
      if (!ended && summarised == fit_below.load()) {  // the last λ, or the curve has risen
        ended = true;
        curve.not_fitted.assign(grid.begin() + std::ptrdiff_t(curve.lambdas.size()), grid.end());
        curve.chosen = detail::one_standard_error_choice(curve);
        then = event(detail::CurveEvent::Ended);
      } else if (summarised > before) {
        then = event(detail::CurveEvent::Summarised);
      }
    }
    if (then) then();
  };
  const long fits = long(n_lambda) * fits_per_lambda;
  if (reduce) {
    for (long f = 0; f < fits; ++f) run_fit(f);
  } else {
    detail::parallel_for(threads, fits, run_fit);
  }
  return curve;
}

}  // namespace fusednmf
