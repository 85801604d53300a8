#pragma once
// Reading bigWig tracks over one region at base resolution, as run-length segments: rows on
// which every track is constant, neighbours with equal rows merged.
//
// The segments come from a k-way merge of the files' interval streams: a cursor per file decodes
// its blocks one at a time, and the merge steps from one interval boundary (of any file) to the
// next, writing a row per step. Nothing per base is built, so memory is the segments plus a block
// per file. The region is cut into pieces merged on different threads; a cut that is not an
// interval boundary is joined again, so the segments are the same for any thread count.
// Only code that links libBigWig (for the headers) and zlib (or libdeflate) includes this.
//
// For bins of many bases, read_binned (binned_reader.hpp) is faster and smaller.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../detail/parallel.hpp"
#include "../segmented_matrix.hpp"
#include "bigwig_file.hpp"
#include "block_reader.hpp"

namespace fusednmf::detail {

/// One file's intervals over [from, to), block by block, as a sequence of value changes.
class IntervalCursor {
 public:
  IntervalCursor(const io::FileBlocks& file, const std::string& chrom, std::int64_t from, std::int64_t to)
      : file_(&file), decoder_(file, chrom), to_(to) {
    // The first block whose range, or an earlier block's, reaches `from`: every block before it
    // ends before `from` (ranges are checked against the intervals as they are decoded). A block
    // ending at `from` is read to see whether an interval ends there.
    next_block_ = std::size_t(std::lower_bound(file.reach.begin(), file.reach.end(), std::uint32_t(from)) -
                              file.reach.begin());
    while (fetch() && std::int64_t(buffer_[at_].end) <= from) {
      if (std::int64_t(buffer_[at_].end) == from) boundary_at_start_ = true;  // an interval ends at the cut
      ++at_;
    }
    if (has() && std::int64_t(buffer_[at_].start) == from) boundary_at_start_ = true;
  }

  /// The next interval not yet passed, or none: has() is false.
  bool has() { return fetch(); }
  const io::DecodedInterval& current() const { return buffer_[at_]; }
  void advance() { ++at_; }
  /// Whether an interval of this file starts or ends exactly where the cursor began.
  bool boundary_at_start() const { return boundary_at_start_; }

 private:
  // Makes buffer_[at_] valid if any interval before `to` is left.
  bool fetch() {
    while (at_ >= buffer_.size()) {
      if (next_block_ >= file_->blocks.size() || std::int64_t(file_->blocks[next_block_].start) >= to_) return false;
      buffer_.clear();
      at_ = 0;
      decoder_.decode(next_block_++, [&](std::uint32_t a, std::uint32_t e, float v) { buffer_.push_back({a, e, v}); });
    }
    return std::int64_t(buffer_[at_].start) < to_;
  }

  const io::FileBlocks* file_;
  io::BlockDecoder decoder_;
  std::int64_t to_;
  std::size_t next_block_ = 0, at_ = 0;
  std::vector<io::DecodedInterval> buffer_;
  bool boundary_at_start_ = false;
};

/// Raw segments of one piece of the region: rows (row-major, m values each) and lengths.
struct SegmentPiece {
  std::vector<float> rows;
  std::vector<std::int64_t> lengths;
  bool starts_at_boundary = true;  ///< some file's interval starts or ends at the piece's first base
  std::int64_t negatives = 0, nans = 0;
  std::string error;
};

}  // namespace fusednmf::detail

namespace fusednmf::io {

struct SegmentReadOptions {
  int threads = 0;              ///< 0: all cores
  bool missing_as_nan = false;  ///< bases without data and NaN values are missing (NaN) rather than 0
  /// The region is merged in pieces of this many bases, on different threads. The segments do not
  /// depend on it (cuts are joined again); it is an option so that tests can cut often.
  std::int64_t piece_bases = std::int64_t(1) << 22;

  void validate() const {
    if (threads < 0) throw std::invalid_argument("SegmentReadOptions: threads must be >= 0, got " + std::to_string(threads));
    if (piece_bases < 1)
      throw std::invalid_argument("SegmentReadOptions: piece_bases must be >= 1, got " + std::to_string(piece_bases));
  }
};

/// The region [start, end) of `chrom` (end < 0: to the chromosome's end) from every file, as
/// segments x files. Bases without data and NaN values read as 0, or as NaN (missing, for a
/// masked fit) with missing_as_nan; negative values are clipped to 0 (counted in the report).
/// Segments are at most kMaxExactSegmentLength long. Throws std::runtime_error naming the file
/// for unreadable or corrupt input, including overlapping or unordered intervals.
inline SegmentedMatrix<float> read_segments(const std::vector<std::filesystem::path>& files, const std::string& chrom,
                                            std::int64_t start, std::int64_t end, const SegmentReadOptions& options = {},
                                            RegionReport* report = nullptr) {
  options.validate();
  const int threads = options.threads;
  const bool missing_as_nan = options.missing_as_nan;
  const RegionBlocks region = open_region_blocks(files, chrom, start, end, threads);
  end = region.end;
  const std::size_t m = files.size();
  const int nthreads = fusednmf::detail::resolve_threads(threads);
  const float no_data = missing_as_nan ? std::numeric_limits<float>::quiet_NaN() : 0.f;

  // Pieces of a fixed size (not tied to the thread count): the cuts are joined again below.
  const std::int64_t piece_bases = options.piece_bases;
  const std::int64_t npieces = (end - start + piece_bases - 1) / piece_bases;
  std::vector<fusednmf::detail::SegmentPiece> pieces(static_cast<std::size_t>(npieces));
  fusednmf::detail::parallel_for(nthreads, static_cast<long>(npieces), [&](long k) {
    fusednmf::detail::SegmentPiece& piece = pieces[std::size_t(k)];
    const std::int64_t from = start + k * piece_bases, to = std::min(end, from + piece_bases);
    try {
      std::vector<fusednmf::detail::IntervalCursor> cursors;
      cursors.reserve(m);
      piece.starts_at_boundary = k == 0;
      for (std::size_t j = 0; j < m; ++j) {
        cursors.emplace_back(region.files[j], chrom, from, to);
        piece.starts_at_boundary = piece.starts_at_boundary || cursors.back().boundary_at_start();
      }
      std::vector<float> row(m);
      std::vector<std::int64_t> change(m);  // where each file's value next changes
      auto enter = [&](std::size_t j, std::int64_t p) {  // file j's value on [p, change[j])
        fusednmf::detail::IntervalCursor& c = cursors[j];
        if (!c.has()) {
          row[j] = no_data, change[j] = to;
          return;
        }
        const auto& iv = c.current();
        if (std::int64_t(iv.start) > p) {  // a gap before the next interval
          row[j] = no_data, change[j] = std::int64_t(iv.start);
          return;
        }
        const std::int64_t stop = std::min<std::int64_t>(iv.end, to);
        float v = iv.value;
        if (std::isnan(v)) {
          piece.nans += stop - p;
          v = no_data;
        } else if (v < 0.f) {
          piece.negatives += stop - p;
          v = 0.f;
        }
        row[j] = v, change[j] = stop;
      };
      // The next change of every file in a min-heap: a step costs log m, not m.
      using Event = std::pair<std::int64_t, std::size_t>;
      std::priority_queue<Event, std::vector<Event>, std::greater<Event>> next;
      for (std::size_t j = 0; j < m; ++j) enter(j, from), next.push({change[j], j});
      for (std::int64_t p = from; p < to;) {
        const std::int64_t q = next.top().first;
        piece.rows.insert(piece.rows.end(), row.begin(), row.end());
        piece.lengths.push_back(q - p);
        p = q;
        while (p < to && next.top().first == p) {
          const std::size_t j = next.top().second;
          next.pop();
          fusednmf::detail::IntervalCursor& c = cursors[j];
          if (c.has() && std::int64_t(c.current().end) <= p) c.advance();  // its interval ended here
          enter(j, p);
          next.push({change[j], j});
        }
      }
    } catch (const std::exception& e) {
      piece.error = e.what();
    }
  });
  for (const auto& piece : pieces)
    if (!piece.error.empty()) throw std::runtime_error(piece.error);
  // Each piece checks the order of its own intervals. Two blocks that only different pieces read
  // cannot overlap: the earlier one's range (which holds its intervals) ends by the cut, and the
  // later one starts after it.

  // Join the pieces: a cut that is no interval boundary continues the segment before it. Then
  // the run-length rule (fusednmf::detail::append_run) splits long runs and merges equal
  // neighbouring rows. Rows are referred to where the pieces hold them, and copied once, into
  // the output.
  using Run = fusednmf::detail::RowRun<const float*>;
  std::vector<Run> raw;
  for (const auto& piece : pieces)
    for (std::size_t i = 0; i < piece.lengths.size(); ++i) {
      if (i == 0 && !piece.starts_at_boundary && !raw.empty()) raw.back().length += piece.lengths[0];
      else raw.push_back({piece.rows.data() + i * m, piece.lengths[i]});
    }
  auto same = [&](const float* x, const float* y) {
    for (std::size_t j = 0; j < m; ++j)
      if (!same_value(x[j], y[j])) return false;
    return true;
  };
  std::vector<Run> merged;
  for (const Run& r : raw) fusednmf::detail::append_run(merged, r.row, r.length, same);
  std::vector<Run>().swap(raw);
  SegmentedMatrix<float> out;
  out.values.resize(static_cast<Eigen::Index>(merged.size()), static_cast<Eigen::Index>(m));
  out.lengths.resize(static_cast<Eigen::Index>(merged.size()));
  constexpr std::size_t kTile = 256;  // rows to column-major in tiles, so both sides stay in cache
  for (std::size_t i0 = 0; i0 < merged.size(); i0 += kTile) {
    const std::size_t i1 = std::min(merged.size(), i0 + kTile);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = i0; i < i1; ++i) out.values(Eigen::Index(i), Eigen::Index(j)) = merged[i].row[j];
    for (std::size_t i = i0; i < i1; ++i) out.lengths[Eigen::Index(i)] = static_cast<float>(merged[i].length);
  }
  if (report)
    for (const auto& piece : pieces)
      report->negative_values_clipped += piece.negatives, report->nan_values_zeroed += piece.nans;
  return out;
}

/// read_segments with positional options (threads, report, missing_as_nan).
inline SegmentedMatrix<float> read_region(const std::vector<std::filesystem::path>& files, const std::string& chrom,
                                          std::int64_t start, std::int64_t end, int threads = 0,
                                          RegionReport* report = nullptr, bool missing_as_nan = false) {
  SegmentReadOptions options;
  options.threads = threads;
  options.missing_as_nan = missing_as_nan;
  return read_segments(files, chrom, start, end, options, report);
}

}  // namespace fusednmf::io
