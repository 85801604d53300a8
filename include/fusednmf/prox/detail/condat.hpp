#pragma once
// Weighted 1-D fused lasso by Condat's direct algorithm (2013), in double precision, with a
// guard that keeps it linear.
//
// The optimality certificate: the running sum of w_i (y_i - x_i) stays in [-lambda, lambda],
// hits +-lambda at each jump and ends at 0. The algorithm walks right from the start k0 of the
// current segment, carrying the running sum c that enters it (0, +lambda or -lambda). With
// A_j = c + sum_{k0..j} w_i y_i and W_j = sum_{k0..j} w_i, a constant value v keeps the running
// sum in the tube up to j exactly when (A_j - lambda) / W_j <= v <= (A_j + lambda) / W_j for
// every j so far. So the lowest and highest admissible values are a running maximum and a
// running minimum:
//     v_low = max_j (A_j - lambda) / W_j,    v_high = min_j (A_j + lambda) / W_j,
// and k_low / k_high are where they were last attained (where the running sum touches the
// tube). When the new bounds at j cross the old ones the segment must end: if even v_low is too
// high ((A_j + lambda) / W_j < v_low) the segment [k0, k_low] is final at v_low and the next one
// starts after it carrying +lambda; symmetrically for v_high. At the end the running sum must
// be 0, i.e. the value A / W, unless that leaves [v_low, v_high].
//
// This is Condat's algorithm with his running sums u_low = A_j - W_j v_low eliminated. Written
// this way the only loop-carried chains are the prefix sums and a max/min: Condat's form
// carries u -> v -> u through a subtraction, a multiply-add, a max and a second multiply-add
// (about 15 cycles per element), which made every input cost at least that. The jump tests are
// multiplied out (A + lambda < v_low W) so that they wait for no division: on noisy input a jump
// follows a few elements after a restart, and a test that waited for a division resolved its
// mispredicted branch late.
//
// On unit weights W_j is the segment's length, and 1 / W_j comes from a table: a division takes
// 13-15 cycles, and the next jump test waits for it (through v_low), so a mispredicted jump was
// found late; the table made the kernel 10-20 % faster with the same bits (1 / m either way).
// With the table the tests need no multiplying out either: they compare the bounds themselves,
// and W is no longer carried, which takes another 3-11 % off a call on one thread
// (benchmarks/README.md, "Fused-lasso prox", stop 35). A test on the bounds and one multiplied
// out can differ in the last bit of a tie; both are the same algorithm to rounding.
//
// Restarts re-read elements, which makes the algorithm quadratic on slow ramps. Each restart
// leaves everything left of k0 final, and the suffix is an ordinary fused lasso once the carried
// running sum c is folded into its first element (y_k0 += c / w_k0). So when the work passes a
// budget, the suffix is handed to the dynamic programme, which is linear on every input.
#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include "johnson_dp.hpp"
#include "views.hpp"
#include "weights.hpp"

namespace fusednmf::prox::detail {

/// Elements read again after restarts, per element reached, before the dynamic programme takes
/// over. Staircases with long plateaus and a large lambda re-read little and are faster here than
/// in the programme; ramps re-read without bound (benchmarks/README.md, "Fused-lasso prox").
inline constexpr double kCondatRereadBudget = 2.0;

/// Segment lengths below this have their reciprocal in kReciprocals (32 KB): the short segments
/// of noisy input, where the division's wait costs most, and the plateaus of staircases.
inline constexpr std::ptrdiff_t kReciprocalCount = 4096;

/// kReciprocals[m] = 1.0 / m, correctly rounded like the division it replaces (entry 0 unused).
inline constexpr std::array<double, kReciprocalCount> kReciprocals = [] {
  std::array<double, kReciprocalCount> table{};
  for (std::ptrdiff_t m = 1; m < kReciprocalCount; ++m) table[std::size_t(m)] = 1.0 / static_cast<double>(m);
  return table;
}();

/// Writes the final segment [k0, last] = value and moves k0 past it. Most segments of noisy
/// input are one to four elements long, and a loop over them mispredicts its exit at almost
/// every jump; four unconditional stores do not. Stores past `last` land on elements that are
/// not final yet and are written again later.
template <class Out>
void write_segment(Out x, std::ptrdiff_t& k0, std::ptrdiff_t last, std::ptrdiff_t n, double segment_value) {
  const auto value = stored_value(x, segment_value);
  if (k0 + 4 <= n) {
    x[k0] = value;
    x[k0 + 1] = value;
    x[k0 + 2] = value;
    x[k0 + 3] = value;
    if (last < k0 + 4) {
      k0 = last + 1;
      return;
    }
    k0 += 4;
  }
  do x[k0++] = value; while (k0 <= last);
}

/// Writes [k0, last] = value and moves k0 past it, storing nothing past `last`: where the
/// values after the segment are already written (the lanes of condat_lanes.hpp).
template <class Out>
void write_segment_exactly(Out x, std::ptrdiff_t& k0, std::ptrdiff_t last, double segment_value) {
  const auto value = stored_value(x, segment_value);
  for (; k0 <= last; ++k0) x[k0] = value;
}

/// Where a walk stopped: x[0, first_open) is final, and the rest of the solution is the fused
/// lasso of y[first_open, n) with carry / w[first_open] added to its first element.
struct WalkEnd {
  std::ptrdiff_t first_open;
  double carry;
  bool stopped = false;  ///< the restart hook stopped the walk (x[0, first_open) exactly, no strays)
};

/// Where a walk starts: element k0, entered with running sum carry. The start of an input has
/// carry 0; a walk resumed where another stopped after a jump has carry +lambda (after a jump
/// down) or -lambda (up), and sets up the segment's bounds exactly as the restart after that
/// jump would, so that it continues with the same bits.
struct WalkStart {
  std::ptrdiff_t k0 = 0;
  double carry = 0.0;
};

/// The default restart hook: never stops a walk.
struct NeverStop {
  constexpr bool operator()(std::ptrdiff_t, double) const { return false; }
};

/// Condat's walk over y[0, n), writing the final segments into x[0, n) (and nothing past n).
/// y and x are read and written by index only: plain arrays, or the views of views.hpp (the
/// input where it lies, less an offset; a half read and written back to front).
/// kOpenEnd = false: y is the whole input; the walk ends with first_open = n, or earlier when
/// the re-reads pass the budget. kOpenEnd = true: y is a prefix of a longer input; the walk
/// stops where it would read y[n], and x[0, first_open) is final whatever follows, since every
/// segment was closed by a jump the elements read so far force; x[first_open, n) may hold up to
/// three stray values (write_segment's stores), for the caller to overwrite.
/// Needs n >= 1 and lambda > 0.
/// start: where to begin (start.k0 < n; see WalkStart); the elements before it are not read.
/// on_restart(k0, carry): called at every jump with the segment that would open next; true
/// stops the walk there. With a hook other than NeverStop the walk stores no stray values past
/// a segment: the lanes of condat_lanes.hpp use it to stop a walk where it meets a lane's own
/// walk, whose values follow.
template <bool kOpenEnd, class Input, class Weights, class Out, class OnRestart = NeverStop>
WalkEnd condat_walk(Input y, Weights w, double lambda, Out x, std::ptrdiff_t n,
                    double reread_budget_per_element, WalkStart start = {}, OnRestart&& on_restart = {}) {
  // The budget grows with the elements reached, so input that re-reads fast from the start
  // (a ramp) is handed over early instead of after 2n wasted reads; the slack lets short
  // inputs and a slow start finish here. Total re-reads stay below budget * n + slack.
  const double slack = 1024.0;
  double reread = 0.0;
  const std::ptrdiff_t first = start.k0;

  std::ptrdiff_t k0 = first, k = first;    // segment start, current element
  std::ptrdiff_t k_low = first, k_high = first;  // where v_low / v_high were last attained
  double carry = start.carry;              // running sum entering the segment at k0
  double weight = w[first];                // W: total weight of [k0, k]
  double level = carry + weight * y[first];  // A: carry plus the weighted sum of [k0, k]
  // The bounds of a one-element segment: y +- lambda / w entered with 0; after a jump down
  // (carry +lambda) [y, y + 2 lambda / w], after a jump up [y - 2 lambda / w, y], as the restarts
  // below set them.
  double v_low, v_high;
  if (carry > 0.0) {
    v_low = y[first];
    v_high = v_low + 2.0 * lambda / weight;
  } else if (carry < 0.0) {
    v_high = y[first];
    v_low = v_high - 2.0 * lambda / weight;
  } else {
    v_low = y[first] - lambda / weight;
    v_high = y[first] + lambda / weight;
  }

  // Writes [k0, last] = value and opens the segment after it, entered with running sum
  // `entering`, up to its bounds (which depend on the direction). True when the re-reads have
  // passed the budget, leaving k0 and carry for the caller.
  bool hooked = false;  // on_restart stopped the walk
  auto start_next_segment = [&](std::ptrdiff_t last, double value, double entering) {
    if constexpr (std::is_same_v<std::decay_t<OnRestart>, NeverStop>) {
      write_segment(x, k0, last, n, value);
    } else {
      // No stray stores: the walk may stop at this restart or a later one, right before values
      // that are already written.
      write_segment_exactly(x, k0, last, value);
    }
    carry = entering;
    if (on_restart(k0, carry)) {
      hooked = true;
      return true;
    }
    reread += static_cast<double>(k - k0);
    if (reread > reread_budget_per_element * static_cast<double>(k - first) + slack) return true;
    if constexpr (kOpenEnd) {
      if (k0 == n) return true;  // everything read is final; the next segment starts at y[n]
    }
    weight = w[k0];
    level = carry + weight * y[k0];
    k_low = k_high = k0;
    return false;
  };

  for (;;) {
    k = k0 + 1;
    if constexpr (std::is_same_v<Weights, UnitWeights>) {
      // While the segment's length k - k0 + 1 has an entry in the table: 1 / length from it, and
      // the jump tests on the new bounds themselves (high < v_low is A + lambda < v_low W divided
      // by W). Nothing here waits for a division, and W is not carried: this loop is the
      // kernel's time on noisy input, and it is bound by how many instructions an element costs,
      // not by latency.
      const std::ptrdiff_t last_entry = std::ptrdiff_t(kReciprocals.size()) - 1;
      for (const std::ptrdiff_t table_end = std::min(n, k0 + last_entry); k < table_end; ++k) {
        level += y[k];
        const double inv_length = kReciprocals[std::size_t(k - k0 + 1)];
        const double low = (level - lambda) * inv_length, high = (level + lambda) * inv_length;
        if (high < v_low) goto jump_down;
        if (low > v_high) goto jump_up;
        // Whether a bound moves is a coin toss on noisy input: no branches here.
        k_low = low >= v_low ? k : k_low;
        k_high = high <= v_high ? k : k_high;
        v_low = std::max(v_low, low);
        v_high = std::min(v_high, high);
      }
      weight = static_cast<double>(k - k0);  // the length of [k0, k), exactly
    }
    for (; k < n; ++k) {
      const double w_k = w[k];
      level += w_k * y[k];
      weight += w_k;
      if (level + lambda < v_low * weight) goto jump_down;
      if (level - lambda > v_high * weight) goto jump_up;
      const double inv_weight = 1.0 / weight;
      const double low = (level - lambda) * inv_weight, high = (level + lambda) * inv_weight;
      k_low = low >= v_low ? k : k_low;
      k_high = high <= v_high ? k : k_high;
      v_low = std::max(v_low, low);
      v_high = std::min(v_high, high);
    }
    if constexpr (kOpenEnd) {
      return {k0, carry};
    } else {
      // At the end the running sum must be 0: the value level / weight, if it is admissible.
      if (level < v_low * weight) goto jump_down;
      if (level > v_high * weight) goto jump_up;
      const auto mean = stored_value(x, level / weight);
      for (; k0 < n; ++k0) x[k0] = mean;
      return {n, 0.0};
    }

  jump_down:  // [k0, k_low] is final at v_low; the next segment enters at +lambda
    if (start_next_segment(k_low, v_low, lambda)) return {k0, carry, hooked};
    // The new segment's bounds, set without a division on the way to the next jump test.
    v_low = y[k0];
    v_high = v_low + 2.0 * lambda / weight;
    continue;

  jump_up:  // [k0, k_high] is final at v_high; the next segment enters at -lambda
    if (start_next_segment(k_high, v_high, -lambda)) return {k0, carry, hooked};
    v_high = y[k0];
    v_low = v_high - 2.0 * lambda / weight;
  }
}

/// A suffix handed to the dynamic programme is solved from both ends (johnson_dp_two_sided) from
/// this length on: on two threads that halves the time of the input Condat cannot finish (ramps),
/// which is otherwise the one part of a long prox left on one thread.
inline constexpr std::ptrdiff_t kTwoSidedMinLength = std::ptrdiff_t(1) << 14;

/// run_both for a caller without threads: one call, then the other.
struct InTurn {
  template <class Left, class Right>
  void operator()(Left&& left, Right&& right) const {
    left();
    right();
  }
};

/// Runs Condat's algorithm on y[0, n) writing x[0, n). y must be a private copy that does not
/// alias x: the fallback reads the unsolved suffix of y and folds the carry into y[k0].
/// scratch(len): returns at least johnson_dp_scratch_size(len) doubles; called only by the
/// fallback. run_both(left, right): calls both, possibly at the same time (the fallback's two
/// sides); the result is the same either way.
/// Returns true when it finished without the fallback.
template <class Weights, class ScratchFor, class RunBoth = InTurn>
bool condat_guarded(double* y, Weights w, double lambda, double* x, std::ptrdiff_t n,
                    ScratchFor&& scratch, double reread_budget_per_element = kCondatRereadBudget,
                    RunBoth&& run_both = {}) {
  if (n <= 0) return true;
  if (n == 1 || lambda == 0.0) {
    for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = y[i];
    return true;
  }
  const WalkEnd end = condat_walk<false>(y, w, lambda, x, n, reread_budget_per_element);
  if (end.first_open == n) return true;
  // Past the budget: everything before k0 is final, the suffix goes to the linear programme.
  const std::ptrdiff_t k0 = end.first_open;
  y[k0] += end.carry / w[k0];
  if (n - k0 >= kTwoSidedMinLength) {
    johnson_dp_two_sided(y + k0, w.shifted(k0), lambda, x + k0, n - k0, scratch(n - k0), run_both);
  } else {
    johnson_dp(y + k0, w.shifted(k0), lambda, x + k0, n - k0, scratch(n - k0));
  }
  return false;
}

}  // namespace fusednmf::prox::detail
