#pragma once
// One long fused lasso on two cores, exactly: Condat's walk from the left over the first half
// and from the right over the second, side by side, then the stretch between what they left open.
//
// Why it is exact: a segment Condat's walk closes is forced by the elements read so far (see
// condat_walk), so the walk over the first half alone closes the same segments as a walk over the
// whole input does before it reads the second half: x[0, a) is final. The problem is symmetric
// under reversal, so a walk over the reversed second half makes x[b, n) final. What remains is
// the fused lasso of y[a, b) with each walk's carry folded into the element next to its final
// part (the running sum of w (y - x) is fixed where a final part ends, and that is all the rest
// of the problem sees of it). Folded into one element, the carry enters exactly as it would in
// one long walk, so the middle is an ordinary prox.
//
// The middle is short on noisy signal (one or two open segments, often a few elements) and long
// only where one flat stretch spans the split; a ramp sends both walks over their re-read budget
// at once, and the middle is then solved as one input: never more than one solve's work plus the
// two budgets. That input goes to the dynamic programme run from both ends (condat_guarded), so a
// ramp is on two threads too.
//
// The split is chosen by the length alone, never by the thread count, so that one thread and two
// give the same bytes.
#include <cstddef>
#include <type_traits>

#include "condat.hpp"
#include "condat_lanes.hpp"
#include "views.hpp"
#include "weights.hpp"

namespace fusednmf::prox::detail {

/// Inputs shorter than this are solved in one walk: the hand-over to a second thread costs more
/// than half of a short solve.
inline constexpr std::ptrdiff_t kSplitMinLength = std::ptrdiff_t(1) << 14;

/// Elements the two walks may read again per element reached before they stop and leave the rest
/// to the middle: twice Condat's own budget. The columns of W that HALS smooths re-read 2-4
/// times per element over long stretches (factors near zero, slow trends); at Condat's budget
/// of 2 both walks stopped within the first eighth of their halves and the middle, solved on one
/// thread, was most of the input (a 300,000-row fit: 3.1 s; at 4: 2.1 s, and 2.9 s on one
/// thread). A ramp still stops both walks within its first thousand elements.
inline constexpr double kSplitRereadBudget = 4.0;

/// Whether split_walk runs a walk of n elements in lanes: unit weights, input the lanes can
/// gather from, a machine with AVX-512, and a stretch long enough to pay.
template <class Input, class Weights>
bool uses_lanes([[maybe_unused]] std::ptrdiff_t n) {
  if constexpr (FUSEDNMF_PROX_LANES && std::is_same_v<Weights, UnitWeights> && LaneInput<Input>::value) {
    return n >= kLanesMinLength;
  } else {
    return false;
  }
}

/// One of the split's walks: in lanes when uses_lanes and the input jumps often, else
/// condat_walk; the same result either way. lane_records: condat_lanes_scratch_size(n) doubles
/// when uses_lanes.
///
/// The lanes pay where the scalar walk mispredicts, at its jumps: at a jump every three elements
/// (λ = 1 on the benchmark's signal) they take 0.7 of its time, at one in forty (λ = 10) 1.4 times
/// it (benchmarks/README.md, "Fused-lasso prox", stop 36). So the scalar walk first solves the
/// first kLanesProbeLength elements (its result there is final either way), and the lanes run
/// only when more than kLanesMinJumpShare of those elements end a segment. The choice depends on
/// the input alone, never on the thread count.
template <class Input, class Weights, class Out>
WalkEnd split_walk(Input y, Weights w, double lambda, Out x, std::ptrdiff_t n, [[maybe_unused]] double* lane_records) {
#if FUSEDNMF_PROX_LANES
  if constexpr (std::is_same_v<Weights, UnitWeights> && LaneInput<Input>::value) {
    if (uses_lanes<Input, Weights>(n)) {
      const WalkEnd head = condat_walk<true>(y, w, lambda, x, kLanesProbeLength, kSplitRereadBudget);
      std::ptrdiff_t jumps = 0;
      for (std::ptrdiff_t i = 1; i < head.first_open; ++i) jumps += x[i] != x[i - 1];
      if (head.first_open >= kLanesProbeLength / 2 && double(jumps) > kLanesMinJumpShare * double(head.first_open))
        return condat_walk_lanes(y, lambda, x, n, kSplitRereadBudget, lane_records);
    }
  }
#endif
  return condat_walk<true>(y, w, lambda, x, n, kSplitRereadBudget);
}

/// Solves the fused lasso of y[0, n) into x[0, n) in three parts (see the header comment).
/// y: a view with operator[] and reversed(n) (views.hpp), read where it lies: the right walk
/// reads the second half back to front. x: an ArrayOutput (views.hpp), written the same way; it
/// must not alias what y reads. middle, middle_out: n doubles each (used at the same indices as
/// y): the stretch between the walks is copied into middle, the carries folded in, solved into
/// middle_out and stored into x. middle_out may be x's own array when x stores values unchanged.
/// run_both(left, right) calls both, possibly at the same time: the walks, and the middle's two
/// sides if it falls back to the dynamic programme. scratch as for condat_guarded, for the middle.
template <class Input, class Weights, class Out, class ScratchFor, class RunBoth>
void condat_split(Input y, Weights w, double lambda, Out x, std::ptrdiff_t n, double* middle, double* middle_out,
                  ScratchFor&& scratch, RunBoth&& run_both) {
  const std::ptrdiff_t half = n / 2, second = n - half;
  WalkEnd left{0, 0.0}, right{0, 0.0};
  // The lanes' records (condat_lanes.hpp), one part of the scratch for each walk: the scratch is
  // only used again for the middle, after both walks.
  double* const lane_records = uses_lanes<Input, Weights>(half) ? scratch(n) : nullptr;
  run_both([&] { left = split_walk(y, w, lambda, x, half, lane_records); },
           [&] {
             right = split_walk(y.reversed(n), w.reversed(n), lambda, x.reversed(n), second,
                                lane_records ? lane_records + condat_lanes_scratch_size(half) : nullptr);
           });
  // The left walk writes only x[0, half) and the right walk only x[half, n), so they never
  // write the same element. A walk may have left stray stores past its final part (write_segment's
  // three, or the lanes' seven), inside its own half: in the middle, solved next. When the
  // middle is empty both final parts end at half, and there is no room for strays.
  const std::ptrdiff_t begin = left.first_open, end = n - right.first_open;
  if (begin == end) return;
  // The passes into and out of the middle run on its two halves when it is long (a ramp's middle
  // is all of the input). Each element is copied alone, so the bits are the same.
  auto on_middle = [&](auto&& pass) {
    if (end - begin < kSplitMinLength) return pass(begin, end);
    const std::ptrdiff_t cut = begin + (end - begin) / 2;
    run_both([&] { pass(begin, cut); }, [&] { pass(cut, end); });
  };
  on_middle([&](std::ptrdiff_t from, std::ptrdiff_t to) {
    for (std::ptrdiff_t i = from; i < to; ++i) middle[i] = y[i];
  });
  middle[begin] += left.carry / w[begin];
  middle[end - 1] += right.carry / w[end - 1];
  condat_guarded(middle + begin, w.shifted(begin), lambda, middle_out + begin, end - begin, scratch,
                 kCondatRereadBudget, run_both);
  on_middle([&](std::ptrdiff_t from, std::ptrdiff_t to) {
    for (std::ptrdiff_t i = from; i < to; ++i) x[i] = stored_value(x, middle_out[i]);
  });
}

}  // namespace fusednmf::prox::detail
