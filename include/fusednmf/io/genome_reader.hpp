#pragma once
// Reading a genome's worth of tracks for one factorization: every chromosome asked for, read
// (into bins, or run-length segments at bin 1) and masked where a BED file excludes it, with the
// chromosomes shared out over the processes of a ProcessGroup.
//
// With several processes, chromosome c is first read by process c % size, which counts its rows;
// the counts decide who owns what (balance_by_segments), and the owners read what they lack. A
// bad file on any process stops all of them (ProcessGroup::fail_together). The step after this
// is preprocess() (preprocess.hpp). Only code that links libBigWig includes this header.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "../partition.hpp"
#include "../preprocess.hpp"
#include "../reducer.hpp"
#include "../segmented_matrix.hpp"
#include "bed.hpp"
#include "bigwig_reader.hpp"
#include "binned_reader.hpp"

namespace fusednmf::io {

struct GenomeReadOptions {
  std::int64_t start = 0, end = -1;  ///< the region of each chromosome (end < 0: to its end)
  std::int64_t bin = 200;            ///< bases per row; 1: run-length segments at base resolution
  int threads = 0;                   ///< 0: all cores
  bool missing_as_nan = false;       ///< bases without data and NaN values are missing rather than 0
  BedIntervals exclude;              ///< rows overlapping these are missing (masked out of a fit)
  /// Leave out chromosomes where no file has a value > 0 (whole-genome files list every
  /// chromosome in their header, often with data on a few): they are still listed in
  /// GenomeRead::without_signal, and count in no total.
  bool skip_without_signal = false;
  /// Called while a chromosome's blocks are decoded (bins only), from one reading thread.
  std::function<void(const std::string& chrom, const ReadProgress&)> progress;
};

/// What this process read, and totals over every process.
struct GenomeRead {
  std::vector<std::string> names;              ///< this process's chromosomes, in the order asked
  std::vector<SegmentedMatrix<float>> tracks;  ///< their rows x files, as read (and masked)
  RegionReport report;                         ///< this process's clipped negatives and NaNs
  // Totals over all processes:
  std::int64_t bases = 0;             ///< of every chromosome read
  std::int64_t rows = 0;              ///< bins (or segments) as read
  double missing_entries = 0;         ///< bases x tracks missing (NaN) after reading and masking
  std::int64_t excluded_bases = 0;    ///< bases under `exclude`
  bool any_signal = false;            ///< whether some value is > 0
  /// Chromosomes asked for where no file has a value > 0 (all processes, in the order asked):
  /// left out when GenomeReadOptions::skip_without_signal is set, else read as 0 (or missing).
  std::vector<std::string> without_signal;
};

/// Reads `chromosomes` of every file (see the header comment for how processes share them).
/// Throws std::runtime_error naming the file, flag or value.
inline GenomeRead read_genome(const std::vector<std::filesystem::path>& files,
                              const std::vector<std::string>& chromosomes, const GenomeReadOptions& options,
                              const ProcessGroup& group = {}) {
  GenomeRead out;
  const std::size_t n = chromosomes.size();
  std::vector<SegmentedMatrix<float>> read(n);
  std::vector<bool> have(n, false);
  std::vector<double> rows_read(n, 0.0), excluded(n, 0.0);
  auto read_chromosome = [&](std::size_t c) {
    SegmentedMatrix<float> part;
    if (options.bin > 1) {  // straight into bins, block by block
      BinnedReadOptions binned;
      binned.bin = options.bin;
      binned.threads = options.threads;
      binned.missing_as_nan = options.missing_as_nan;
      if (options.progress) binned.progress = [&](const ReadProgress& p) { options.progress(chromosomes[c], p); };
      part = read_binned(files, chromosomes[c], options.start, options.end, binned, &out.report);
    } else {
      SegmentReadOptions segments;
      segments.threads = options.threads;
      segments.missing_as_nan = options.missing_as_nan;
      part = read_segments(files, chromosomes[c], options.start, options.end, segments, &out.report);
    }
    rows_read[c] = double(part.segments());
    if (auto found = options.exclude.find(chromosomes[c]); found != options.exclude.end())
      excluded[c] = double(mask_intervals(part, options.start, found->second));  // missing, not zero
    read[c] = std::move(part);
    have[c] = true;
  };
  std::vector<int> owner(n, 0);
  if (group.size > 1) {
    std::vector<double> counts(n, 0.0);
    group.fail_together([&] {
      for (std::size_t c = 0; c < n; ++c)
        if (int(c % std::size_t(group.size)) == group.rank) {
          read_chromosome(c);
          counts[c] = double(read[c].segments());
        }
    });
    detail::reduce_sum(group.reduce, counts.data(), counts.size());
    owner = balance_by_segments(std::vector<std::int64_t>(counts.begin(), counts.end()), group.size);
  }
  group.fail_together([&] {
    for (std::size_t c = 0; c < n; ++c) {
      if (owner[c] != group.rank) read[c] = {};
      else if (!have[c]) read_chromosome(c);
    }
  });

  std::vector<double> signal(n, 0.0);  // 1 where some value is > 0 (NaN-safe), over every process
  for (std::size_t c = 0; c < n; ++c)
    if (owner[c] == group.rank) signal[c] = double((read[c].values.array() > 0.f).any());
  detail::reduce_sum(group.reduce, signal.data(), signal.size());
  for (std::size_t c = 0; c < n; ++c)
    if (signal[c] == 0) out.without_signal.push_back(chromosomes[c]);

  double totals[5] = {0, 0, 0, 0, 0};  // bases, rows, missing entries, excluded bases, any signal
  for (std::size_t c = 0; c < n; ++c) {
    if (owner[c] != group.rank || (options.skip_without_signal && signal[c] == 0)) continue;
    const SegmentedMatrix<float>& part = read[c];
    totals[0] += double(part.expanded_rows());
    totals[1] += rows_read[c];
    if (options.missing_as_nan || !options.exclude.empty())  // else nothing can be NaN
      for (Eigen::Index j = 0; j < part.cols(); ++j)
        for (Eigen::Index i = 0; i < part.segments(); ++i)
          if (std::isnan(part.values(i, j))) totals[2] += double(part.lengths[i]);
    totals[3] += excluded[c];
    totals[4] = std::max(totals[4], signal[c]);
    out.names.push_back(chromosomes[c]);
    out.tracks.push_back(std::move(read[c]));
  }
  detail::reduce_sum(group.reduce, totals, 5);
  out.bases = std::int64_t(totals[0]);
  out.rows = std::int64_t(totals[1]);
  out.missing_entries = totals[2];
  out.excluded_bases = std::int64_t(totals[3]);
  out.any_signal = totals[4] > 0;
  return out;
}

}  // namespace fusednmf::io
