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
// Speed: input with few runs of repeated neighbours (genomic signal: long runs of 0) is solved on
// its runs, weighted, and expanded; exact for the same reason weights are. A long input is solved
// as two halves side by side (prox/detail/split.hpp), read where it lies and, out of place,
// finished straight into x (prox/detail/views.hpp): besides the walks, one pass that checks it.
// On a machine with AVX-512 a half that jumps often (small lambda on noisy signal) is walked in
// sixteen vector lanes and stitched (prox/detail/condat_lanes.hpp), with the same bits.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <memory>
#include <vector>

#include <Eigen/Core>

#include "detail/condat.hpp"
#include "detail/johnson_dp.hpp"
#include "detail/split.hpp"
#include "detail/views.hpp"
#include "detail/weights.hpp"
#include "../detail/lane_sums.hpp"
#include "../detail/parallel.hpp"
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

/// Scratch memory for the prox, and how many threads one call may use. Reuse one per thread:
/// after the first call of a given size no call allocates.
class ProxWorkspace {
 public:
  /// Threads one call may use (default 1; 0: every core this process may use). An input of
  /// prox::detail::kSplitMinLength elements or more is always solved as two halves and the stretch
  /// between them (prox/detail/split.hpp); with 2 threads the halves run side by side. The result
  /// is the same, to the bit, for every thread count.
  void set_threads(int threads) { threads_ = detail::resolve_threads(threads); }
  int threads() const { return threads_; }

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
  int threads_ = 1;
};

/// Workspaces for a loop on `threads` threads, one per thread_index(). Each may use all the
/// threads: a call made outside a parallel loop (one chain of W) splits over them, and a call
/// inside one runs on its own thread (the pool runs nested loops serially), with the same bytes.
inline std::vector<ProxWorkspace> per_thread_workspaces(int threads) {
  std::vector<ProxWorkspace> workspaces(static_cast<std::size_t>(std::max(threads, 1)));
  for (ProxWorkspace& workspace : workspaces) workspace.set_threads(threads);
  return workspaces;
}

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

  /// Raw form: y, x of length n (x may alias y); weights of length n, or nullptr for all ones
  /// (x must not overlap them: the kernels read the weights while they write x).
  void apply(const Scalar* y, const Scalar* weights, Scalar* x, std::ptrdiff_t n,
             ProxWorkspace& ws) const {
    if (n < 0) throw std::invalid_argument("FusedLassoProx: negative length");
    if (n == 0) return;
    if (weights && overlaps(x, weights, n))
      throw std::invalid_argument("FusedLassoProx: the output overlaps the weights; write it elsewhere");
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
    if (params_.lambda > 0.0 && solve_on_runs(y, w, x, n, ws)) return;

    // A long input for Condat's split is read where it lies (prox/detail/views.hpp); any other
    // is first copied into double less y[0]. Shifting by y[0] keeps large values (1e6 and up)
    // from losing precision. Either way one vectorisable pass checks the input first, so that a
    // bad one throws before x (which may alias y) is written: it sums y - y[0] and the weights,
    // and a sum that is not finite, or a weight that is not positive, sends us to a slow pass
    // that names the culprit.
    const std::size_t un = static_cast<std::size_t>(n);
    const double offset = params_.lambda > 0.0 ? static_cast<double>(y[0]) : 0.0;
    const bool walks_read_y = std::is_same_v<Variant, prox::Condat> && params_.lambda > 0.0 &&
                              n >= prox::detail::kSplitMinLength;
    double* shifted = walks_read_y ? nullptr : ws.shifted_input(un);
    double sums[2] = {0.0, 0.0}, weight_sums[2] = {0.0, 0.0}, min_weights[2] = {w[0], w[0]};
    on_halves(ws, n, [&](int half, std::ptrdiff_t begin, std::ptrdiff_t end) {
      // Four running sums: one would wait for its previous add at every element.
      sums[half] = shifted ? detail::sum_in_four_lanes(begin, end, [&](std::ptrdiff_t i) {
        return shifted[i] = static_cast<double>(y[i]) - offset;
      })
                           : detail::sum_in_four_lanes(begin, end, [&](std::ptrdiff_t i) {
                               return static_cast<double>(y[i]) - offset;
                             });
      if constexpr (!std::is_same_v<Weights, prox::detail::UnitWeights>) {
        double min_weight = w[begin];
        weight_sums[half] = detail::sum_in_four_lanes(begin, end, [&](std::ptrdiff_t i) {
          min_weight = std::min(min_weight, w[i]);
          return w[i];
        });
        min_weights[half] = min_weight;
      }
    });
    // Only checked, never used in the result: the order of summation changes nothing.
    if (!std::isfinite(sums[0] + sums[1]) || !std::isfinite(offset) ||
        !std::isfinite(weight_sums[0] + weight_sums[1]) || !(std::min(min_weights[0], min_weights[1]) > 0.0))
      report_bad_input(y, w, n);

    const Composition finish{params_, offset};
    const prox::detail::ShiftedInput<Scalar> input{y, offset};
    if (walks_read_y && !overlaps(x, y, n)) {
      // The walks store finished values straight into x: no pass after them.
      split_kernel(input, w, prox::detail::ArrayOutput<Scalar, Composition>{x, finish}, n, ws.shifted_input(un),
                   ws.output(un), n, ws);
      return;
    }
    // Otherwise the kernel writes double: into x itself when Scalar is double and y was copied.
    double* out;
    if constexpr (std::is_same_v<Scalar, double>) {
      out = walks_read_y ? ws.output(un) : x;
    } else {
      out = ws.output(un);
    }
    if (params_.lambda == 0.0) {  // the identity, exactly
      std::copy(shifted, shifted + n, out);
    } else if (walks_read_y) {
      split_kernel(input, w, prox::detail::ArrayOutput<double>{out, {}}, n, ws.shifted_input(un), out, n, ws);
    } else {
      run_kernel(shifted, w, out, n, n, ws);
    }
    on_halves(ws, n, [&](int, std::ptrdiff_t begin, std::ptrdiff_t end) {
      for (std::ptrdiff_t i = begin; i < end; ++i) x[i] = finish(out[i]);
    });
  }

  static bool overlaps(const Scalar* a, const Scalar* b, std::ptrdiff_t n) {
    const auto first = reinterpret_cast<std::uintptr_t>(a), second = reinterpret_cast<std::uintptr_t>(b);
    const auto bytes = static_cast<std::uintptr_t>(n) * sizeof(Scalar);
    return first < second + bytes && second < first + bytes;
  }

  // The passes before and after the kernel on the same two halves as the split kernel, side by
  // side when the workspace allows threads: body(half, begin, end) for [0, n / 2) and [n / 2, n),
  // or body(0, 0, n) below prox::detail::kSplitMinLength. Each element is computed alone.
  template <class Body>
  static void on_halves(const ProxWorkspace& ws, std::ptrdiff_t n, Body&& body) {
    if (n < prox::detail::kSplitMinLength || ws.threads() < 2) return body(0, 0, n);
    const std::ptrdiff_t half = n / 2;
    side_by_side(ws)([&] { body(0, 0, half); }, [&] { body(1, half, n); });
  }

  // Undoing the shift, then the exact compositions: soft-threshold by mu, clip at 0.
  struct Composition {
    const FusedLassoParams& params;
    double offset;
    Scalar operator()(double tv_value) const {
      double v = tv_value + offset;
      if (params.mu > 0.0) v = v > params.mu ? v - params.mu : (v < -params.mu ? v + params.mu : 0.0);
      if (params.nonnegative) v = std::max(v, 0.0);
      return static_cast<Scalar>(v);
    }
  };

  // The bits of a value, as an unsigned integer of its size.
  static auto bits(Scalar v) {
    std::conditional_t<sizeof(Scalar) == 4, std::uint32_t, std::uint64_t> u;
    std::memcpy(&u, &v, sizeof u);
    return u;
  }

  // Genomic signal repeats itself (long runs of 0; W of run-length data is constant on runs):
  // when fewer than a quarter of the elements start a run, solve on the runs, weighted by their
  // total weight, and expand. Exact, since the prox of a constant run is constant (the
  // segment/expansion equivalence). Straight from y, so that a column of 10⁷ floats costs a read
  // and a write besides the kernel on its runs.
  //
  // Why a quarter: the kernel walks a stretch of equal elements at a few ns each and without
  // mispredicted jumps, while a run costs the weighted kernel as much as a hard element, so the
  // passes that find and expand the runs pay only when runs are few. Measured on 10⁶ elements,
  // both ways (benchmarks/README.md, "Fused-lasso prox"): noisy runs of length 4 (3/4 repeats)
  // cost the same both ways, length 8 is 1.3× faster on runs; counts in bursts between stretches
  // of 0 break even at 7/8 repeats, and the benchmark's genomic-like family (half the elements
  // repeat) is 1.3× faster without runs. An input with too many runs is recognised on its first
  // eighth. Returns false, having written nothing, when there are too many runs or the input is
  // bad (the general path names it).
  //
  // On two threads (ws.threads() >= 2, n >= kSplitMinLength) the passes run on two pieces of y,
  // cut where a run starts at or after n/2 so that no run has parts in both: the runs are
  // counted first (a vectorised pass), so that each piece knows where its runs go, then each
  // piece writes its runs, and later expands them. The runs, and so the result, are the bytes of
  // the one-thread pass.
  template <class Weights>
  bool solve_on_runs(const Scalar* y, Weights w, Scalar* x, std::ptrdiff_t n, ProxWorkspace& ws) const {
    const std::ptrdiff_t max_runs = n / 4, probe = n / 8;
    if (max_runs < 1) return false;
    const std::size_t capacity = static_cast<std::size_t>(max_runs);
    const double offset = static_cast<double>(y[0]);  // distinct floats stay distinct in double
    RunPieces pieces;
    // On two threads the runs are counted before they are written, which makes the decisions
    // below; on one, the pass that writes them makes them on the way.
    const bool counted = n >= prox::detail::kSplitMinLength && ws.threads() >= 2;
    if (counted) {
      // The same decisions as the one-thread pass makes on the way: too many runs in the first
      // eighth, or max_runs runs.
      if (probe > 0 && 4 * count_boundaries(y, 1, probe + 1) > probe) return false;
      std::ptrdiff_t cut = n / 2;
      while (cut < n && bits(y[cut]) == bits(y[cut - 1])) ++cut;
      std::ptrdiff_t counts[2] = {0, 0};
      detail::parallel_for(ws.threads(), 2, [&](long piece) {
        counts[piece] = piece == 0 ? count_boundaries(y, 1, cut) : count_boundaries(y, cut + 1, n);
      });
      const std::ptrdiff_t boundaries = counts[0] + (cut < n ? 1 : 0) + counts[1];
      if (boundaries >= max_runs) return false;
      pieces.count = cut < n ? 2 : 1;
      pieces.first_element[1] = cut, pieces.first_run[1] = counts[0] + 1;
      pieces.last_run[0] = counts[0], pieces.last_run[1] = boundaries;
    }
    pieces.first_element[pieces.count] = n;
    double* values = ws.run_values(capacity);
    double* weights = ws.run_weights(capacity);
    // Each piece's runs, with its sums for the input check.
    double weighted_sums[2] = {0.0, 0.0}, weight_sums[2] = {0.0, 0.0};
    bool weights_positive[2] = {true, true};
    bool kept = true;
    pieces.run(ws, [&](int piece, std::ptrdiff_t begin, std::ptrdiff_t end, std::ptrdiff_t first_run) {
      const std::ptrdiff_t last = write_runs(y, w, begin, end, first_run, offset, values, weights,
                                             counted ? n : max_runs, counted ? 0 : probe, weights_positive[piece]);
      if (last < 0) {
        kept = false;
        return;
      }
      if (!counted) pieces.last_run[0] = last;
      double weighted_sum = 0.0, weight_sum = 0.0;
      for (std::ptrdiff_t r = first_run; r <= last; ++r) weighted_sum += values[r] * weights[r], weight_sum += weights[r];
      weighted_sums[piece] = weighted_sum, weight_sums[piece] = weight_sum;
    });
    if (!kept) return false;
    const std::ptrdiff_t runs = pieces.last_run[pieces.count - 1] + 1;
    if (!weights_positive[0] || !weights_positive[1] || !std::isfinite(offset) ||
        !std::isfinite(weighted_sums[0] + weighted_sums[1]) || !std::isfinite(weight_sums[0] + weight_sums[1]))
      return false;

    double* solved = ws.run_output(capacity);
    run_kernel(values, prox::detail::ArrayWeights<double>{weights}, solved, runs, n, ws);
    const Composition finish{params_, offset};
    // Expand by finding the runs again. y[i] is read before x[i] is written, so x may alias y;
    // a piece reads y only inside itself (its first element starts a run).
    pieces.run(ws, [&](int piece, std::ptrdiff_t begin, std::ptrdiff_t end, std::ptrdiff_t first_run) {
      for (std::ptrdiff_t r = first_run; r <= pieces.last_run[piece]; ++r) values[r] = static_cast<double>(finish(solved[r]));
      auto previous = bits(y[begin]);
      std::ptrdiff_t r = first_run;
      x[begin] = static_cast<Scalar>(values[r]);
      for (std::ptrdiff_t i = begin + 1; i < end; ++i) {
        const auto current = bits(y[i]);
        r += current != previous;
        previous = current;
        x[i] = static_cast<Scalar>(values[r]);
      }
    });
    return true;
  }

  // How solve_on_runs shares out y: `count` pieces (1 or 2), piece p is elements
  // [first_element[p], first_element[p + 1]) and runs [first_run[p], last_run[p]].
  struct RunPieces {
    int count = 1;
    std::ptrdiff_t first_element[3] = {0, 0, 0};
    std::ptrdiff_t first_run[2] = {0, 0};
    std::ptrdiff_t last_run[2] = {0, 0};
    template <class Body>
    void run(const ProxWorkspace& ws, Body&& body) const {
      auto piece = [&](long p) { body(int(p), first_element[p], first_element[p + 1], first_run[p]); };
      if (count == 1) return piece(0);
      detail::parallel_for(ws.threads(), 2, piece);
    }
  };

  // The elements i in [begin, end) (begin >= 1) that start a run: bits(y[i]) != bits(y[i - 1]).
  static std::ptrdiff_t count_boundaries(const Scalar* y, std::ptrdiff_t begin, std::ptrdiff_t end) {
    std::ptrdiff_t count = 0;
    for (std::ptrdiff_t i = begin; i < end; ++i) count += bits(y[i]) != bits(y[i - 1]);
    return count;
  }

  // Writes the runs of y[begin, end) (y[begin] starts a run) from index first_run on: each run's
  // value less `offset`, and its total weight. Returns the last run's index, or -1 when it gives
  // up: on reaching `limit` runs, or at element `probe` (> 0) with more than a quarter of the
  // elements so far starting a run. weights_positive is cleared by a weight that is not > 0 (NaN too).
  //
  // Without branches on whether an element starts a run (a coin toss inside noisy bursts): runs
  // are told apart by their bits (an integer compare; -0 and +0 make two runs, which is still
  // exact, and NaN lands in a run's value, caught by the caller's sums), and every element
  // writes its run's value and weight so far, which the run's next element overwrites.
  template <class Weights>
  static std::ptrdiff_t write_runs(const Scalar* y, Weights w, std::ptrdiff_t begin, std::ptrdiff_t end,
                                   std::ptrdiff_t first_run, double offset, double* values, double* weights,
                                   std::ptrdiff_t limit, std::ptrdiff_t probe, bool& weights_positive) {
    std::ptrdiff_t r = first_run;
    values[r] = static_cast<double>(y[begin]) - offset;
    if constexpr (std::is_same_v<Weights, prox::detail::UnitWeights>) {
      // A run's weight is its length: record each run's last index (every element overwrites
      // it) and take differences afterwards, which keeps a 4-cycle multiply-add chain through
      // the running weight out of the loop.
      weights[r] = static_cast<double>(begin);
      for (std::ptrdiff_t i = begin + 1; i < end; ++i) {
        r += bits(y[i]) != bits(y[i - 1]);
        if (r == limit || (i == probe && 4 * r > probe)) return -1;  // too many runs
        values[r] = static_cast<double>(y[i]) - offset;
        weights[r] = static_cast<double>(i);
      }
      for (std::ptrdiff_t run = r; run > first_run; --run) weights[run] -= weights[run - 1];
      weights[first_run] -= static_cast<double>(begin) - 1.0;
    } else {
      double run_weight = w[begin];
      bool positive = w[begin] > 0.0;
      weights[r] = run_weight;
      for (std::ptrdiff_t i = begin + 1; i < end; ++i) {
        positive &= w[i] > 0.0;
        const bool fresh = bits(y[i]) != bits(y[i - 1]);
        r += fresh;
        if (r == limit || (i == probe && 4 * r > probe)) return -1;  // too many runs
        run_weight = run_weight * static_cast<double>(!fresh) + w[i];
        values[r] = static_cast<double>(y[i]) - offset;
        weights[r] = run_weight;
      }
      weights_positive = weights_positive && positive;
    }
    return r;
  }

  // The kernel on y, a private copy in double that it may change (Condat's fallback and the
  // split's middle fold a carry into it).
  //
  // capacity: the length of the caller's y. The scratch is requested at that size, not at this
  // kernel's length (the runs, or the suffix Condat hands to its fallback, both of which vary
  // with the input), so that a reused workspace never grows and touches fresh pages because a
  // later input has more runs or falls back earlier than the one before. Pages of the buffer
  // that a call does not use are never touched.
  template <class Weights>
  void run_kernel(double* y, Weights w, double* out, std::ptrdiff_t n, std::ptrdiff_t capacity,
                  ProxWorkspace& ws) const {
    if constexpr (std::is_same_v<Variant, prox::DynamicProgramming>) {
      // From both ends on a long input, its two sides side by side (the same bits on any number
      // of threads: the meeting point depends on n alone).
      if (n >= prox::detail::kTwoSidedMinLength && params_.lambda > 0.0) {
        prox::detail::johnson_dp_two_sided(y, w, params_.lambda, out, n, scratch_for(ws, capacity)(n),
                                           side_by_side(ws));
      } else {
        prox::detail::johnson_dp(y, w, params_.lambda, out, n, scratch_for(ws, capacity)(n));
      }
    } else if (n < prox::detail::kSplitMinLength) {
      prox::detail::condat_guarded(y, w, params_.lambda, out, n, scratch_for(ws, capacity));
    } else {
      // y is private, so it holds the middle too.
      split_kernel(prox::detail::ShiftedInput<double>{y, 0.0}, w, prox::detail::ArrayOutput<double>{out, {}}, n, y,
                   out, capacity, ws);
    }
  }

  // The kernels' scratch(length): the dynamic programme's buffer, sized by the caller's length
  // (capacity), never by the kernel's, as run_kernel explains.
  static auto scratch_for(ProxWorkspace& ws, std::ptrdiff_t capacity) {
    return [&ws, capacity](std::ptrdiff_t) { return ws.scratch(prox::detail::johnson_dp_scratch_size(capacity)); };
  }

  // Condat's split (prox/detail/split.hpp) on views of the input and the output, the halves side
  // by side when the workspace has two threads. middle, middle_out: as for condat_split (the
  // input itself holds the middle when it is a private copy). capacity as for run_kernel.
  template <class Input, class Weights, class Out>
  void split_kernel(Input y, Weights w, Out out, std::ptrdiff_t n, double* middle, double* middle_out,
                    std::ptrdiff_t capacity, ProxWorkspace& ws) const {
    prox::detail::condat_split(y, w, params_.lambda, out, n, middle, middle_out, scratch_for(ws, capacity),
                               side_by_side(ws));
  }

  // run_both(left, right) for the kernels: both at once when the workspace has two threads.
  static auto side_by_side(const ProxWorkspace& ws) {
    return [threads = ws.threads()](auto&& left, auto&& right) {
      detail::parallel_for(threads, 2, [&](long half) { half == 0 ? left() : right(); });
    };
  }

  template <class Weights>
  [[noreturn]] static void report_bad_input(const Scalar* y, Weights w, std::ptrdiff_t n) {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (!std::isfinite(static_cast<double>(y[i])))
        throw std::invalid_argument("FusedLassoProx: y[" + std::to_string(i) + "] = " +
                                    std::to_string(static_cast<double>(y[i])) + " is not finite");
      if (!(w[i] > 0.0) || !std::isfinite(w[i]))
        throw std::invalid_argument("FusedLassoProx: weights[" + std::to_string(i) + "] = " + std::to_string(w[i]) +
                                    (std::isfinite(w[i]) ? " is not > 0" : " is not finite"));
    }
    throw std::invalid_argument("FusedLassoProx: the sum of y or of the weights overflows double");
  }

  FusedLassoParams params_;
};

}  // namespace fusednmf
