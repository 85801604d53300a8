#pragma once
// A factor matrix as a Fortran-order (column-major) .npy: each column contiguous in the file, so
// that threads write columns side by side and long stretches of zeros are skipped, not written.
//
// Why: a W per base runs to gigabytes (assign2 on 10 Mb with k = 15: 600 MB), and a smoothed,
// non-negative factor is often exactly 0 over long stretches (55 % of W on GM12878 chr11). In
// column order those stretches are whole pages of the file; left unwritten they read as zeros
// (NumPy, any reader: the file's length is set first) and take no disk on file systems with
// holes, so the disk writes half as much. In C order a page holds rows of every factor at once,
// and almost none is all zero. np.load returns the same array either way (Fortran-contiguous).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../detail/parallel.hpp"
#include "atomic_file.hpp"
#include "npy.hpp"

namespace fusednmf::detail {

/// Zero stretches at least this long are skipped rather than written: 4 file-system blocks, so
/// most skips leave whole blocks unallocated, and few enough skips that each costs one extra
/// write call.
inline constexpr std::size_t kNpyHoleBytes = std::size_t(16) << 10;
/// A column is written in pieces of this many elements, one task each, so that a few columns
/// still spread over every thread.
inline constexpr std::int64_t kNpyPieceElements = std::int64_t(1) << 21;
/// Written in chunks of 1 MiB: a buffer that stays in the core's cache while the kernel copies
/// it (chunks of 8 MiB made the copy 1.5x slower).
inline constexpr std::size_t kNpyChunkBytes = std::size_t(1) << 20;

/// +0.0 only (and integer 0): a -0.0 differs in its bits and is written.
template <class Scalar>
bool all_bits_zero(Scalar v) {
  if constexpr (std::is_floating_point_v<Scalar>) return v == Scalar(0) && !std::signbit(v);
  return v == Scalar(0);
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Writes `rows` (segments x k, any scalar) into `file` as a Fortran-order .npy of OutScalar,
/// repeating row s repeats[s] >= 0 times (empty: once each), on up to `threads` threads
/// (0: every core this process may use). Stretches of +0 of at least kNpyHoleBytes are left
/// unwritten (holes). The bytes are the same for any thread count. Does not commit `file`:
/// the caller puts it in place (TemporaryFile::commit, or an OutputSet). Throws naming the
/// target on failure.
template <class OutScalar, class Derived, class Repeats = std::vector<std::int64_t>>
void write_npy_columns(const TemporaryFile& file, const Eigen::MatrixBase<Derived>& rows, const Repeats& repeats = {},
                       int threads = 0) {
  const std::vector<std::int64_t> starts = detail::repeated_row_starts(rows.rows(), repeats);
  const std::int64_t total = starts.back(), k = rows.cols();
  const std::string header = detail::npy_header(detail::npy_descr<OutScalar>(), total, k, /*fortran_order=*/true);
  const std::uint64_t data_offset = header.size();
  file.write_at(header.data(), header.size(), 0);
  file.resize(data_offset + std::uint64_t(total) * std::uint64_t(k) * sizeof(OutScalar));
  if (total == 0 || k == 0) return;

  const std::int64_t pieces = (total + detail::kNpyPieceElements - 1) / detail::kNpyPieceElements;
  threads = int(std::min<std::int64_t>(detail::resolve_threads(threads), k * pieces));
  std::vector<std::vector<OutScalar>> buffers(static_cast<std::size_t>(threads));
  // Start the disk on every detail::kNpyWritebackBytes written, so that the commit's fsync
  // finds little left.
  std::atomic<std::uint64_t> unsent{0};
  const std::int64_t hole_elements = std::int64_t(detail::kNpyHoleBytes / sizeof(OutScalar));
  const std::size_t chunk_elements = detail::kNpyChunkBytes / sizeof(OutScalar);

  detail::parallel_for(threads, long(k * pieces), [&](long task) {
    const Eigen::Index j = Eigen::Index(task / pieces);
    const std::int64_t first = (task % pieces) * detail::kNpyPieceElements;
    const std::int64_t last = std::min(total, first + detail::kNpyPieceElements);
    std::vector<OutScalar>& buffer = buffers[std::size_t(detail::thread_index())];
    buffer.clear();
    buffer.reserve(chunk_elements);
    std::int64_t buffered_from = first;  // the output row of buffer[0]
    auto flush = [&] {
      if (buffer.empty()) return;
      const std::uint64_t bytes = buffer.size() * sizeof(OutScalar);
      file.write_at(buffer.data(), bytes,
                    data_offset + (std::uint64_t(j) * std::uint64_t(total) + std::uint64_t(buffered_from)) * sizeof(OutScalar));
      buffered_from += std::int64_t(buffer.size());
      buffer.clear();
      if (unsent.fetch_add(bytes) + bytes >= detail::kNpyWritebackBytes) {
        unsent.store(0);
        file.start_writeback();
      }
    };
    auto value = [&](std::size_t s) { return static_cast<OutScalar>(rows(Eigen::Index(s), j)); };
    // The segment holding output row `first`: the last whose start is <= first.
    std::size_t s = std::size_t(std::upper_bound(starts.begin(), starts.end(), first) - starts.begin()) - 1;
    for (std::int64_t at = first; at < last;) {
      const OutScalar v = value(s);
      std::int64_t end = std::min(starts[s + 1], last);
      ++s;
      if (detail::all_bits_zero(v)) {  // the whole zero stretch, over as many segments as it lasts
        while (end < last && detail::all_bits_zero(value(s))) end = std::min(starts[++s], last);
        if (end - at >= hole_elements) {
          flush();
          buffered_from = at = end;
          continue;
        }
      }
      while (at < end) {
        const std::int64_t room = std::int64_t(chunk_elements) - std::int64_t(buffer.size());
        const std::int64_t n = std::min(room, end - at);
        buffer.insert(buffer.end(), std::size_t(n), v);
        at += n;
        if (n == room) flush();
      }
    }
    flush();
  });
}

/// write_npy_columns into a new file at `path`, put in place only once complete (see
/// atomic_file.hpp): a failure leaves no file behind.
template <class OutScalar, class Derived, class Repeats = std::vector<std::int64_t>>
void write_npy_columns(const std::filesystem::path& path, const Eigen::MatrixBase<Derived>& rows,
                       const Repeats& repeats = {}, int threads = 0) {
  ensure_writable_target(path);
  TemporaryFile file(path);
  write_npy_columns<OutScalar>(file, rows, repeats, threads);
  file.commit();
}

}  // namespace fusednmf::io
