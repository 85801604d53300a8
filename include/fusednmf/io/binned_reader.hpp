#pragma once
// Reading bigWig tracks straight into bins: the data blocks of every file are decoded on all
// threads at once and each interval is added to the bins it covers as it is decoded. Nothing
// per base and no interval list is ever built, so memory is the output (bins x tracks floats)
// plus a block buffer per thread, and a whole chromosome of dense tracks reads like a small
// region does. Only code that links libBigWig includes this (it reads headers through it), and
// zlib (or libdeflate, see inflate.hpp).
//
// Each bin's value is the exact average of its bases, summed in double in file order. Work is cut
// into tasks of a few consecutive blocks of one file; a bin that two tasks share (at their edge)
// gets the tasks' contributions one by one in file order afterwards, so the sums, and the output
// bytes, are the same whatever the number of threads.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../detail/parallel.hpp"
#include "../segmented_matrix.hpp"
#include "block_reader.hpp"

namespace fusednmf::io {

/// How far reading has got; passed to BinnedReadOptions::progress.
struct ReadProgress {
  std::size_t blocks_done = 0, blocks_total = 0;
  std::uint64_t bytes_inflated = 0;  ///< decompressed data so far
  double seconds = 0;                ///< since reading began
};

struct BinnedReadOptions {
  std::int64_t bin = 200;       ///< bases per output row (the last row of the region may be shorter)
  int threads = 0;              ///< 0: all cores
  bool missing_as_nan = false;  ///< bases without data and NaN values are missing (NaN) rather than 0
  /// Called about twice a second from one of the reading threads while blocks are decoded.
  std::function<void(const ReadProgress&)> progress;
  std::size_t blocks_per_task = 8;  ///< consecutive blocks of one file decoded by one task

  void validate() const {
    if (bin < 1) throw std::invalid_argument("BinnedReadOptions: bin must be >= 1, got " + std::to_string(bin));
    if (bin > kMaxExactSegmentLength)
      throw std::invalid_argument("BinnedReadOptions: bin must be <= 2^24, got " + std::to_string(bin));
    if (threads < 0) throw std::invalid_argument("BinnedReadOptions: threads must be >= 0, got " + std::to_string(threads));
    if (blocks_per_task < 1) throw std::invalid_argument("BinnedReadOptions: blocks_per_task must be >= 1");
  }
};

}  // namespace fusednmf::io

namespace fusednmf::detail {

/// One task: blocks [first, last) of one file, and which of the bins they touch are its own.
struct BinTask {
  std::size_t file = 0, first = 0, last = 0;
  std::int64_t own_begin = 0, own_end = 0;  ///< bins no other task of the file can touch
  struct Share {                            ///< a piece of an interval in a bin shared with another task
    std::int64_t bin;
    double sum, bases;
  };
  std::vector<Share> shared;
  std::uint64_t first_start = 0, last_end = 0;  ///< of the task's intervals (ordering check across tasks)
  bool any = false;
  std::int64_t negatives = 0, nans = 0;
  std::string error;
};

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// The region [start, end) of `chrom` (end < 0: to the chromosome's end) from every file, as
/// bins of `options.bin` bases x files. Each value is the average over the bin's bases; bases
/// without data and NaN values count as 0, or, with missing_as_nan, are left out of the average
/// (a bin with none observed is NaN). Negative values are clipped to 0 and counted in `report`.
/// Throws std::runtime_error naming the file for unreadable or corrupt input, including
/// intervals that overlap or are out of order (the format forbids both, and no average would be
/// right for them).
inline SegmentedMatrix<float> read_binned(const std::vector<std::filesystem::path>& files, const std::string& chrom,
                                          std::int64_t start, std::int64_t end, const BinnedReadOptions& options = {},
                                          RegionReport* report = nullptr) {
  options.validate();
  const RegionBlocks region = open_region_blocks(files, chrom, start, end, options.threads);
  end = region.end;
  const std::int64_t bin = options.bin, n = end - start, nbins = (n + bin - 1) / bin;
  const std::size_t m = files.size();
  const int threads = fusednmf::detail::resolve_threads(options.threads);
  const auto t0 = std::chrono::steady_clock::now();
  const auto& data = region.files;

  // Tasks, and the bins each owns: those no other task's blocks of the same file reach.
  auto bin_of = [&](std::int64_t base) { return (std::clamp(base, start, end - 1) - start) / bin; };
  std::vector<fusednmf::detail::BinTask> tasks;
  std::size_t blocks_total = 0;
  for (std::size_t j = 0; j < m; ++j) {
    const auto& blocks = data[j].blocks;
    blocks_total += blocks.size();
    const std::size_t first_task = tasks.size();
    std::int64_t reach = -1;  // the last bin any earlier task of this file touches
    for (std::size_t b = 0; b < blocks.size(); b += options.blocks_per_task) {
      fusednmf::detail::BinTask t;
      t.file = j, t.first = b, t.last = std::min(blocks.size(), b + options.blocks_per_task);
      std::uint32_t hi = 0;
      for (std::size_t i = t.first; i < t.last; ++i) hi = std::max(hi, blocks[i].end);
      const std::int64_t lo_bin = bin_of(blocks[t.first].start), hi_bin = bin_of(std::int64_t(hi) - 1);
      t.own_begin = std::max(lo_bin, reach + 1);
      t.own_end = hi_bin + 1;
      reach = std::max(reach, hi_bin);
      tasks.push_back(std::move(t));
    }
    for (std::size_t i = first_task; i + 1 < tasks.size(); ++i)  // blocks sorted by start: the next task starts first
      tasks[i].own_end = std::min(tasks[i].own_end, bin_of(data[j].blocks[tasks[i + 1].first].start));
  }

  const float no_data = options.missing_as_nan ? std::numeric_limits<float>::quiet_NaN() : 0.f;
  SegmentedMatrix<float> out;
  out.values = Eigen::MatrixXf::Constant(nbins, static_cast<Eigen::Index>(m), no_data);
  out.lengths = Eigen::VectorXf::Constant(nbins, static_cast<float>(bin));
  if (nbins > 0) out.lengths[nbins - 1] = static_cast<float>(n - (nbins - 1) * bin);
  // A bin's value from the sum of value x bases over its observed bases.
  auto average = [&](std::int64_t b, double sum, double bases) -> float {
    if (options.missing_as_nan) return bases > 0 ? static_cast<float>(sum / bases) : no_data;
    return static_cast<float>(sum / double(out.lengths[b]));
  };

  std::atomic<std::size_t> blocks_done{0};
  std::atomic<std::uint64_t> bytes_inflated{0};
  auto last_report = t0;
  fusednmf::detail::parallel_for(threads, static_cast<long>(tasks.size()), [&](long k) {
    fusednmf::detail::BinTask& t = tasks[std::size_t(k)];
    const std::size_t j = t.file;
    std::int64_t current = -1;  // the own bin being summed
    double sum = 0, bases = 0;
    auto flush = [&] {
      if (current >= 0) out.values(current, Eigen::Index(j)) = average(current, sum, bases);
      current = -1, sum = 0, bases = 0;
    };
    auto add = [&](std::int64_t b, double piece_sum, double piece_bases) {
      if (b < t.own_begin || b >= t.own_end) {
        t.shared.push_back({b, piece_sum, piece_bases});
        return;
      }
      if (b != current) flush(), current = b;
      sum += piece_sum, bases += piece_bases;
    };
    auto on_interval = [&](std::uint32_t a, std::uint32_t e, float v) {
      const std::int64_t lo = std::max<std::int64_t>(a, start), hi = std::min<std::int64_t>(e, end);
      if (lo >= hi) return;
      double value = v;
      if (std::isnan(v)) {
        t.nans += hi - lo;
        if (options.missing_as_nan) return;  // not observed
        value = 0;
      } else if (v < 0.f) {
        t.negatives += hi - lo;
        value = 0;
      }
      for (std::int64_t p = lo; p < hi;) {  // an interval may span many bins
        const std::int64_t b = (p - start) / bin, stop = std::min(hi, start + (b + 1) * bin);
        add(b, value * double(stop - p), double(stop - p));
        p = stop;
      }
    };
    try {
      BlockDecoder decoder(data[j], chrom);
      for (std::size_t i = t.first; i < t.last; ++i) {
        const std::uint64_t before = decoder.inflated_bytes();
        decoder.decode(i, on_interval);
        bytes_inflated += decoder.inflated_bytes() - before;
        ++blocks_done;
      }
      flush();
      t.any = decoder.any(), t.first_start = decoder.first_start(), t.last_end = decoder.last_end();
    } catch (const std::exception& e) {
      t.error = e.what();
    }
    if (options.progress && fusednmf::detail::thread_index() == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::milliseconds(500)) {
        last_report = now;
        options.progress({blocks_done.load(), blocks_total, bytes_inflated.load(),
                          std::chrono::duration<double>(now - t0).count()});
      }
    }
  });
  for (const auto& t : tasks)
    if (!t.error.empty()) throw std::runtime_error(t.error);

  // Order across tasks, then the shared bins: each task's pieces in file order.
  std::vector<std::pair<std::int64_t, std::pair<double, double>>> pending;
  for (std::size_t k = 0; k < tasks.size();) {
    const std::size_t j = tasks[k].file;
    pending.clear();
    std::uint64_t reached = 0;
    for (; k < tasks.size() && tasks[k].file == j; ++k) {
      const auto& t = tasks[k];
      if (t.any && t.first_start < reached) throw overlap_across_blocks(data[j].path(), chrom, t.first_start);
      if (t.any) reached = t.last_end;
      for (const auto& s : t.shared) pending.push_back({s.bin, {s.sum, s.bases}});
    }
    std::stable_sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < pending.size();) {
      const std::int64_t b = pending[i].first;
      double sum = 0, bases = 0;
      for (; i < pending.size() && pending[i].first == b; ++i) sum += pending[i].second.first, bases += pending[i].second.second;
      out.values(b, Eigen::Index(j)) = average(b, sum, bases);
    }
  }
  if (options.progress)
    options.progress({blocks_total, blocks_total, bytes_inflated.load(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
  if (report)
    for (const auto& t : tasks) report->negative_values_clipped += t.negatives, report->nan_values_zeroed += t.nans;
  return out;
}

}  // namespace fusednmf::io
