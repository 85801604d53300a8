#pragma once
// Condat's walk in the lanes of AVX-512 vectors: sixteen walks at once, each over its own stretch
// of the input, without branches; then a scalar walk stitches them together. Exact, and the same
// bits as one scalar walk.
//
// Why: on noisy input at small lambda (a jump every three elements) the scalar walk spends about
// half of its time on mispredicted jump tests, which no predictor can learn (benchmarks/README.md,
// "Fused-lasso prox", stops 35 and 36). In a lane a jump is a mask, not a branch: every step reads
// one element in each lane (a gather), and a lane that jumps records its segment (a compressed
// store) and restarts. One lane of this kind alone would wait on its own chain (gather, add,
// multiply, compare, next index) at every step; sixteen keep the core busy.
//
// Why it is exact. A lane starts at the first element of its stretch as if it were the start of
// the input (running sum 0), which is a guess: the true running sum entering there is anything in
// [-lambda, lambda]. But a walk's state after a jump is only (where the next segment starts, +-lambda),
// and from equal states two walks go on identically. So once a lane closes a segment exactly
// where the true walk closes one, in the same direction, the rest of its records are the true
// walk's own, bit for bit (the lane does the scalar walk's arithmetic in the same order). The lanes
// finish first; then, from lane 0's end (lane 0 starts where the input does, so it is true from its
// first element), condat_walk continues the true walk until it closes a segment that a later lane
// also closed (its restart hook), and the stitching goes on from that lane's end. On noisy input
// the lanes meet the true walk within a few elements of their start (measured: 1-250).
//
// A lane stops early, leaving the rest of its stretch to the stitching walk, where the scalar walk
// would leave the table loop (a segment of kReciprocalCount elements) and where its re-reads pass
// the same budget as the scalar walk's (slow ramps), so no input costs more than the scalar walk
// and a little. Unit weights only, input read through the views of views.hpp.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "condat.hpp"
#include "views.hpp"
#include "weights.hpp"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define FUSEDNMF_PROX_LANES 1
#else
#define FUSEDNMF_PROX_LANES 0
#endif

namespace fusednmf::prox::detail {

/// Walks shorter than this stay scalar: the lanes and the stitching pay only over long stretches.
inline constexpr std::ptrdiff_t kLanesMinLength = std::ptrdiff_t(1) << 14;

/// split_walk's probe: the scalar walk over this many first elements decides whether the lanes run.
inline constexpr std::ptrdiff_t kLanesProbeLength = 4096;
/// ... they run when more than this share of the probe's elements end a segment (break-even
/// measured between 0.1 and 0.2: benchmarks/README.md, "Fused-lasso prox", stop 36).
inline constexpr double kLanesMinJumpShare = 0.15;

/// Doubles of scratch condat_walk_lanes needs for n elements (the lanes' records).
inline std::size_t condat_lanes_scratch_size(std::ptrdiff_t n) { return 3 * (static_cast<std::size_t>(n) + 16); }

/// The inputs the lanes can gather from.
template <class Input>
struct LaneInput : std::false_type {};
template <class Scalar>
struct LaneInput<ShiftedInput<Scalar>> : std::true_type {};
template <class Scalar>
struct LaneInput<ReversedShiftedInput<Scalar>> : std::true_type {};

#if FUSEDNMF_PROX_LANES
namespace lanes {

inline constexpr int kGroups = 2;               // vectors of 8 lanes, interleaved
inline constexpr int kCount = 8 * kGroups;      // lanes
inline constexpr int kMeetingCandidates = 64;   // a lane's first records, where the stitching looks

inline __m512d gather(const double* base, __m512i index, __mmask8 active, double offset) {
  const __m512d v = _mm512_mask_i64gather_pd(_mm512_setzero_pd(), active, index, base, 8);
  return _mm512_sub_pd(v, _mm512_set1_pd(offset));
}
inline __m512d gather(const float* base, __m512i index, __mmask8 active, double offset) {
  const __m256 v = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), active, index, base, 4);
  return _mm512_sub_pd(_mm512_maskz_cvtps_pd(0xFF, v), _mm512_set1_pd(offset));  // maskz: GCC 12 warns on _mm512_undefined_pd
}
/// y[k] for 8 lanes, as the view computes it (masked-off lanes read nothing).
template <class Scalar>
__m512d load(const ShiftedInput<Scalar>& y, __m512i k, __mmask8 active) {
  return gather(y.y, k, active, y.offset);
}
template <class Scalar>
__m512d load(const ReversedShiftedInput<Scalar>& y, __m512i k, __mmask8 active) {
  return gather(y.last, _mm512_sub_epi64(_mm512_setzero_si512(), k), active, y.offset);
}

/// The segments the lanes closed, in the order they closed them, all lanes mixed: the first
/// element (bitwise-negated when the segment ended with a jump up), the last, the value.
struct Records {
  std::int64_t* first;
  std::int64_t* last;
  double* value;
  std::size_t count = 0;
};

/// The lanes' walks: lane c over [starts[c], starts[c + 1]) (starts[kCount] = n). Each ends
/// where it would read past its stretch, or stops early (see the header comment); its open
/// state (next segment start, carry) goes to open_k0[c], open_carry[c], and bit c of the
/// result is set when it stopped on the re-read budget.
template <class Input>
unsigned walk(Input y, double lambda, double reread_budget, const std::int64_t* starts, Records& records,
              std::int64_t* open_k0, double* open_carry) {
  const __m512d lam = _mm512_set1_pd(lambda), minus_lam = _mm512_set1_pd(-lambda);
  const __m512d two_lam = _mm512_set1_pd(2.0 * lambda), zero = _mm512_setzero_pd();
  const __m512d budget = _mm512_set1_pd(reread_budget), slack = _mm512_set1_pd(1024.0);
  const __m512i one = _mm512_set1_epi64(1), all_ones = _mm512_set1_epi64(-1);
  const __m512i table_limit = _mm512_set1_epi64(std::int64_t(kReciprocals.size()) - 1);
  const double* table = kReciprocals.data();

  __m512i k[kGroups], k0[kGroups], k_low[kGroups], k_high[kGroups], begin[kGroups], end[kGroups];
  __m512d level[kGroups], v_low[kGroups], v_high[kGroups], carry[kGroups], reread[kGroups];
  __mmask8 fresh[kGroups], active[kGroups], exhausted[kGroups];
  for (int g = 0; g < kGroups; ++g) {
    exhausted[g] = 0;
    begin[g] = k[g] = k0[g] = k_low[g] = k_high[g] = _mm512_loadu_si512(starts + 8 * g);
    end[g] = _mm512_loadu_si512(starts + 8 * g + 1);
    level[g] = v_low[g] = v_high[g] = carry[g] = reread[g] = zero;
    fresh[g] = 0xFF;  // every lane opens its first segment at its first element, carry 0
    active[g] = _mm512_cmp_epi64_mask(k[g], end[g], _MM_CMPINT_LT);
  }
  std::size_t count = 0;
  std::int64_t* const first_out = records.first;
  std::int64_t* const last_out = records.last;
  double* const value_out = records.value;
  for (;;) {
    __mmask8 any = 0;
    // Unrolled, so that each group's state stays in registers (an array indexed by a loop
    // variable went to the stack, a load and a store of every vector at every step).
#pragma GCC unroll 2
    for (int g = 0; g < kGroups; ++g) {
      const __mmask8 act = active[g];
      any |= act;
      if (!act) continue;
      const __m512d yk = load(y, k[g], act);
      const __mmask8 opening = fresh[g] & act;
      // A segment as long as the table: the scalar walk leaves the table loop there, so the lane
      // stops before this element and the stitching walk takes over.
      const __m512i before = _mm512_sub_epi64(k[g], k0[g]);  // length - 1
      const __mmask8 too_long = _mm512_mask_cmp_epi64_mask(act & ~opening, before, table_limit, _MM_CMPINT_GE);
      const __mmask8 taking = act & ~opening & ~too_long;
      // The table loop's step (condat_walk): the new bounds, the jump tests on them.
      const __m512d lev = _mm512_add_pd(level[g], yk);
      const __m512d inv = _mm512_mask_i64gather_pd(zero, taking, _mm512_add_epi64(before, one), table, 8);
      const __m512d low = _mm512_mul_pd(_mm512_sub_pd(lev, lam), inv);
      const __m512d high = _mm512_mul_pd(_mm512_add_pd(lev, lam), inv);
      const __mmask8 down = _mm512_mask_cmp_pd_mask(taking, high, v_low[g], _CMP_LT_OQ);
      const __mmask8 up = _mm512_mask_cmp_pd_mask(taking & ~down, low, v_high[g], _CMP_GT_OQ);
      const __mmask8 jump = down | up, go = taking & ~jump;
      k_low[g] = _mm512_mask_mov_epi64(k_low[g], _mm512_mask_cmp_pd_mask(go, low, v_low[g], _CMP_GE_OQ), k[g]);
      k_high[g] = _mm512_mask_mov_epi64(k_high[g], _mm512_mask_cmp_pd_mask(go, high, v_high[g], _CMP_LE_OQ), k[g]);
      // std::max(v_low, low) and std::min(v_high, high) exactly: vmaxpd / vminpd return their
      // second operand on equal zeros and on NaN, which is the old bound, as std::max returns it.
      v_low[g] = _mm512_mask_max_pd(v_low[g], go, low, v_low[g]);
      v_high[g] = _mm512_mask_min_pd(v_high[g], go, high, v_high[g]);
      level[g] = _mm512_mask_mov_pd(level[g], go, lev);

      // Jumps: record [k0, last] and restart after it; the restart's element is read next step.
      const __m512i last = _mm512_mask_mov_epi64(k_high[g], down, k_low[g]);
      const __m512d value = _mm512_mask_mov_pd(v_high[g], down, v_low[g]);
      const __m512i first = _mm512_mask_mov_epi64(_mm512_xor_si512(k0[g], all_ones), down, k0[g]);
      _mm512_storeu_si512(first_out + count, _mm512_maskz_compress_epi64(jump, first));
      _mm512_storeu_si512(last_out + count, _mm512_maskz_compress_epi64(jump, last));
      _mm512_storeu_pd(value_out + count, _mm512_maskz_compress_pd(jump, value));
      count += static_cast<std::size_t>(__builtin_popcount(jump));
      const __m512i next_k0 = _mm512_add_epi64(last, one);
      // The re-read budget, as condat_walk counts it: elements to read again per element reached.
      reread[g] = _mm512_mask_add_pd(reread[g], jump, reread[g], _mm512_cvtepi64_pd(_mm512_sub_epi64(k[g], next_k0)));
      const __m512d allowed = _mm512_fmadd_pd(budget, _mm512_cvtepi64_pd(_mm512_sub_epi64(k[g], begin[g])), slack);
      const __mmask8 spent = _mm512_mask_cmp_pd_mask(jump, reread[g], allowed, _CMP_GT_OQ);
      k0[g] = _mm512_mask_mov_epi64(k0[g], jump, next_k0);
      carry[g] = _mm512_mask_mov_pd(carry[g], jump, _mm512_mask_mov_pd(minus_lam, down, lam));

      // Opening lanes: element k starts a segment entered with the carry (0 at a lane's start).
      level[g] = _mm512_mask_mov_pd(level[g], opening, _mm512_add_pd(carry[g], yk));
      const __mmask8 after_down = _mm512_mask_cmp_pd_mask(opening, carry[g], zero, _CMP_GT_OQ);
      const __mmask8 after_up = _mm512_mask_cmp_pd_mask(opening, carry[g], zero, _CMP_LT_OQ);
      __m512d open_low = _mm512_mask_mov_pd(_mm512_sub_pd(yk, lam), after_down, yk);
      open_low = _mm512_mask_mov_pd(open_low, after_up, _mm512_sub_pd(yk, two_lam));
      __m512d open_high = _mm512_mask_mov_pd(_mm512_add_pd(yk, lam), after_down, _mm512_add_pd(yk, two_lam));
      open_high = _mm512_mask_mov_pd(open_high, after_up, yk);
      v_low[g] = _mm512_mask_mov_pd(v_low[g], opening, open_low);
      v_high[g] = _mm512_mask_mov_pd(v_high[g], opening, open_high);
      k_low[g] = _mm512_mask_mov_epi64(k_low[g], opening, k[g]);
      k_high[g] = _mm512_mask_mov_epi64(k_high[g], opening, k[g]);

      // The next element: k + 1, or the new segment's first after a jump.
      const __m512i next_k = _mm512_mask_mov_epi64(_mm512_add_epi64(k[g], one), jump, next_k0);
      k[g] = _mm512_mask_mov_epi64(k[g], act & ~too_long, next_k);
      fresh[g] = jump;
      exhausted[g] |= spent;
      active[g] = _mm512_mask_cmp_epi64_mask(act & ~too_long & ~spent, k[g], end[g], _MM_CMPINT_LT);
    }
    if (!any) break;
  }
  records.count = count;
  unsigned spent_lanes = 0;
  for (int g = 0; g < kGroups; ++g) {
    _mm512_storeu_si512(open_k0 + 8 * g, k0[g]);
    _mm512_storeu_pd(open_carry + 8 * g, carry[g]);
    spent_lanes |= unsigned(exhausted[g]) << (8 * g);
  }
  return spent_lanes;
}

}  // namespace lanes

/// condat_walk<true>(y, UnitWeights{}, lambda, x, n, reread_budget) with the same result, in the
/// lanes (see the header comment). scratch: condat_lanes_scratch_size(n) doubles. Where the
/// re-reads pass the budget the walk may stop at another element than the scalar walk, which is
/// as exact (everything before first_open is final either way). Like the scalar walk, it may
/// leave stray values in x[first_open, n) for the caller to overwrite.
template <class Input, class Out>
WalkEnd condat_walk_lanes(Input y, double lambda, Out x, std::ptrdiff_t n, double reread_budget, double* scratch) {
  using lanes::kCount;
  std::int64_t starts[kCount + 1];
  for (int c = 0; c <= kCount; ++c) starts[c] = static_cast<std::int64_t>(n * c / kCount);
  lanes::Records records{reinterpret_cast<std::int64_t*>(scratch), reinterpret_cast<std::int64_t*>(scratch) + (n + 16),
                         scratch + 2 * (n + 16)};
  std::int64_t open_k0[kCount];
  double open_carry[kCount];
  const unsigned spent = lanes::walk(y, lambda, reread_budget, starts, records, open_k0, open_carry);

  // Write every record, and keep each lane's first ones for the stitching. A segment is written
  // with kStrayStores unconditional stores first, like write_segment (a loop over a short segment
  // mispredicts its exit at almost every record); the stores past a segment land in the lane's
  // next segment, written later, in its open end, written by the stitching walk or left past
  // first_open, or, from a lane's last segment, in the next lane's first kStrayStores - 1
  // elements, which are written again below from that lane's first records.
  constexpr int kStrayStores = 8;
  struct Candidate {
    std::int64_t first, last;
    double value;
    bool down;
  };
  Candidate candidates[kCount][lanes::kMeetingCandidates];
  int candidate_count[kCount] = {};
  int filling = kCount;  // lanes with fewer than kMeetingCandidates candidates
  const double lane_scale = double(kCount) / double(n);
  auto write = [&](std::ptrdiff_t first, std::ptrdiff_t last, double value) {
    if (first + kStrayStores <= n) {
      const auto stored = stored_value(x, value);
      for (int s = 0; s < kStrayStores; ++s) x[first + s] = stored;
      if (last < first + kStrayStores) return;
      first += kStrayStores;
    }
    write_segment_exactly(x, first, last, value);
  };
  for (std::size_t r = 0; r < records.count; ++r) {
    std::int64_t first, last;
    std::memcpy(&first, records.first + r, sizeof first);
    std::memcpy(&last, records.last + r, sizeof last);
    const bool down = first >= 0;
    if (!down) first = ~first;
    write(first, last, records.value[r]);
    if (filling > 0) {
      int c = std::min(kCount - 1, static_cast<int>(double(first) * lane_scale));
      while (starts[c] > first) --c;
      while (starts[c + 1] <= first) ++c;
      if (candidate_count[c] < lanes::kMeetingCandidates) {
        candidates[c][candidate_count[c]++] = {first, last, records.value[r], down};
        if (candidate_count[c] == lanes::kMeetingCandidates) --filling;
      }
    }
  }
  for (int c = 1; c < kCount; ++c) {
    for (int q = 0; q < std::min(kStrayStores - 1, candidate_count[c]); ++q) {
      std::ptrdiff_t first = candidates[c][q].first;
      write_segment_exactly(x, first, candidates[c][q].last, candidates[c][q].value);
    }
  }

  // Stitch: the true walk from lane 0's end until it closes a segment some later lane closed too.
  // A lane that stopped on its re-read budget ends the walk there, as the scalar walk would have
  // (lane 0 is the scalar walk itself: a ramp stops where it stopped before).
  int lane = 0;
  for (;;) {
    if (lane == kCount - 1 || (spent >> lane & 1u)) return {open_k0[lane], open_carry[lane]};
    int target = lane + 1, next = 0, met = -1;
    auto meets_a_lane = [&](std::ptrdiff_t next_k0, double entering) {
      const std::int64_t last = next_k0 - 1;
      if (last < starts[target]) return false;
      while (starts[target + 1] <= last) {
        if (++target == kCount) return false;
        next = 0;
      }
      while (next < candidate_count[target] && candidates[target][next].last < last) ++next;
      if (next == candidate_count[target] || candidates[target][next].last != last ||
          candidates[target][next].down != (entering > 0.0))
        return false;
      met = target;
      return true;
    };
    const WalkEnd end = condat_walk<true>(y, UnitWeights{}, lambda, x, n, reread_budget,
                                          WalkStart{open_k0[lane], open_carry[lane]}, meets_a_lane);
    if (!end.stopped) return end;
    lane = met;
  }
}
#endif

}  // namespace fusednmf::prox::detail
