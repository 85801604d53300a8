#pragma once
// Aᵀ B for tall, thin blocks: a few thousand rows, a few to a hundred columns. This is the
// engine's second pass over Y (WᵀW and WᵀY, k x k and k x m). Eigen's GEMM packs both operands
// of every block before multiplying, which at these shapes costs more than the arithmetic (the
// pass is 2.5 times faster here: benchmarks/README.md, "The ALS engine per iteration"). Here a tile of J columns of A by C columns of B keeps its J·C dot
// products in SIMD registers over a chunk of rows, then adds them to the result in double.
//
// Columns are passed as pointers, so that blocks of column-major matrices (W's rows
// [start, start + rows) with stride n) need no copy. GCC's and Clang's vector extensions give the
// SIMD code without intrinsics: 64-byte vectors become AVX-512, two AVX2 or four SSE2 registers,
// whatever the target has. Other compilers get the plain loop.
#include <algorithm>
#include <cstring>

#include <Eigen/Core>

namespace fusednmf::detail {

/// Rows per chunk: each float lane sums chunk / 16 products before they are added in double
/// (256 here, the same rounding as a float dot product of 256 terms), and the horizontal sums
/// cost little next to a chunk's arithmetic (they took as long as the products at 256 rows).
inline constexpr Eigen::Index kThinProductChunkRows = 4096;

#if defined(__GNUC__)
template <class Scalar>
struct SimdLanes {
  typedef Scalar type __attribute__((vector_size(64)));
};

// out(j, c) += Σ_i a[j][i] · b[c][i] for j < J, c < C, over `rows` rows; out has leading dimension ld.
template <int J, int C, class Scalar>
void add_dot_tile(const Scalar* const* a, const Scalar* const* b, Eigen::Index rows, double* out, Eigen::Index ld) {
  using Lanes = typename SimdLanes<Scalar>::type;
  constexpr int kLanes = sizeof(Lanes) / sizeof(Scalar);
  Lanes acc[J][C];
  for (int j = 0; j < J; ++j)
    for (int c = 0; c < C; ++c) acc[j][c] = Lanes{};
  Eigen::Index i = 0;
  for (; i + kLanes <= rows; i += kLanes) {
    Lanes av[J], bv[C];
    for (int j = 0; j < J; ++j) std::memcpy(&av[j], a[j] + i, sizeof(Lanes));  // unaligned loads
    for (int c = 0; c < C; ++c) std::memcpy(&bv[c], b[c] + i, sizeof(Lanes));
    for (int j = 0; j < J; ++j)
      for (int c = 0; c < C; ++c) acc[j][c] += av[j] * bv[c];
  }
  for (int j = 0; j < J; ++j)
    for (int c = 0; c < C; ++c) {
      double sum = 0.0;
      for (int l = 0; l < kLanes; ++l) sum += static_cast<double>(acc[j][c][l]);
      for (Eigen::Index r = i; r < rows; ++r) sum += static_cast<double>(a[j][r]) * static_cast<double>(b[c][r]);
      out[j + c * ld] += sum;
    }
}
#else
template <int J, int C, class Scalar>
void add_dot_tile(const Scalar* const* a, const Scalar* const* b, Eigen::Index rows, double* out, Eigen::Index ld) {
  for (int j = 0; j < J; ++j)
    for (int c = 0; c < C; ++c) {
      Scalar sum = 0;
      for (Eigen::Index r = 0; r < rows; ++r) sum += a[j][r] * b[c][r];
      out[j + c * ld] += static_cast<double>(sum);
    }
}
#endif

// One strip of J columns of A against every column of B, C = 4 at a time (J·C + J + C registers
// stay within the 32 vector registers of AVX-512 for J ≤ 5).
template <int J, class Scalar>
void add_dot_strip(const Scalar* const* a, const Scalar* const* b, Eigen::Index kb, Eigen::Index rows, double* out,
                   Eigen::Index ld) {
  Eigen::Index c = 0;
  for (; c + 4 <= kb; c += 4) add_dot_tile<J, 4>(a, b + c, rows, out + c * ld, ld);
  switch (kb - c) {
    case 3: add_dot_tile<J, 3>(a, b + c, rows, out + c * ld, ld); break;
    case 2: add_dot_tile<J, 2>(a, b + c, rows, out + c * ld, ld); break;
    case 1: add_dot_tile<J, 1>(a, b + c, rows, out + c * ld, ld); break;
    default: break;
  }
}

/// out += Aᵀ B, where A has columns a[0..ka) and B columns b[0..kb), each `rows` long and
/// contiguous; out is ka x kb, column-major, in double.
template <class Scalar>
void add_thin_product(const Scalar* const* a, Eigen::Index ka, const Scalar* const* b, Eigen::Index kb,
                      Eigen::Index rows, double* out) {
  constexpr Eigen::Index kMaxStrip = 5;
  const Eigen::Index strips = (ka + kMaxStrip - 1) / kMaxStrip;
  if (strips == 0) return;
  const Eigen::Index strip = (ka + strips - 1) / strips;  // balanced: k = 10 is two strips of 5
  const Scalar* a_chunk[kMaxStrip];
  for (Eigen::Index r0 = 0; r0 < rows; r0 += kThinProductChunkRows) {
    const Eigen::Index len = std::min(kThinProductChunkRows, rows - r0);
    for (Eigen::Index j = 0; j < ka; j += strip) {
      const Eigen::Index width = std::min(strip, ka - j);
      for (Eigen::Index t = 0; t < width; ++t) a_chunk[t] = a[j + t] + r0;
      // B's column pointers move with the chunk too; kept on the stack for up to 256 columns.
      constexpr Eigen::Index kStackColumns = 256;
      const Scalar* b_stack[kStackColumns];
      for (Eigen::Index c0 = 0; c0 < kb; c0 += kStackColumns) {
        const Eigen::Index cols = std::min(kStackColumns, kb - c0);
        for (Eigen::Index c = 0; c < cols; ++c) b_stack[c] = b[c0 + c] + r0;
        double* o = out + j + c0 * ka;
        switch (width) {
          case 5: add_dot_strip<5>(a_chunk, b_stack, cols, len, o, ka); break;
          case 4: add_dot_strip<4>(a_chunk, b_stack, cols, len, o, ka); break;
          case 3: add_dot_strip<3>(a_chunk, b_stack, cols, len, o, ka); break;
          case 2: add_dot_strip<2>(a_chunk, b_stack, cols, len, o, ka); break;
          default: add_dot_strip<1>(a_chunk, b_stack, cols, len, o, ka); break;
        }
      }
    }
  }
}

}  // namespace fusednmf::detail
