#pragma once
// Reading bigWig tracks over one region into run-length segments, with libBigWig.
// Only code that links libBigWig includes this header; the library core never does.
//
// Each file's intervals over [start, end) are fetched once (bigWig stores runs, not bases); the
// union of all files' interval boundaries cuts the region into segments on which every track is
// constant, and neighbouring segments whose rows are equal are merged. Memory is bounded by the
// region (a byte per base for the boundaries, plus the intervals), never by the file's size, so
// whole-genome files work the same as per-chromosome cuts.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <bigWig.h>

#include "../detail/parallel.hpp"
#include "atomic_file.hpp"
#include "../preprocess.hpp"
#include "../segmented_matrix.hpp"

namespace fusednmf::io {

/// libBigWig needs one global initialisation per process; done once, on first use.
inline void ensure_bigwig_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (bwInit(1 << 17) != 0) throw std::runtime_error("libBigWig failed to initialise");
  });
}

/// One open bigWig file (read-only, RAII).
class BigWigFile {
 public:
  explicit BigWigFile(const std::filesystem::path& path) : path_(path.string()) {
    ensure_bigwig_initialised();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw std::runtime_error(path_ + ": not a regular file");
    handle_.reset(bwOpen(path_.c_str(), nullptr, "r"));
    if (!handle_ || !handle_->cl)
      throw std::runtime_error(path_ + ": not a readable bigWig file (bad header or truncated)");
  }

  const std::string& path() const { return path_; }

  std::optional<std::uint32_t> chrom_length(const std::string& chrom) const {
    const chromList_t* cl = handle_->cl;
    for (int64_t i = 0; i < cl->nKeys; ++i)
      if (chrom == cl->chrom[i]) return cl->len[i];
    return std::nullopt;
  }

  /// The chromosome's id in the file's data blocks and index (its place in the chromosome list).
  std::optional<std::uint32_t> chrom_id(const std::string& chrom) const {
    const chromList_t* cl = handle_->cl;
    for (int64_t i = 0; i < cl->nKeys; ++i)
      if (chrom == cl->chrom[i]) return static_cast<std::uint32_t>(i);
    return std::nullopt;
  }
  /// Where the full-resolution data's R-tree index starts.
  std::uint64_t index_offset() const { return handle_->hdr->indexOffset; }
  /// The largest decompressed data block; 0 when the blocks are stored uncompressed.
  std::uint32_t uncompressed_block_size() const { return handle_->hdr->bufSize; }

  std::vector<std::pair<std::string, std::uint32_t>> chromosomes() const {
    std::vector<std::pair<std::string, std::uint32_t>> out;
    const chromList_t* cl = handle_->cl;
    for (int64_t i = 0; i < cl->nKeys; ++i) out.emplace_back(cl->chrom[i], cl->len[i]);
    return out;
  }

  struct Interval {
    std::uint32_t start, end;
    float value;
  };

  /// Intervals overlapping [start, end), clipped to it, in order. Throws if the data is corrupt.
  std::vector<Interval> intervals(const std::string& chrom, std::uint32_t start, std::uint32_t end) const {
    std::vector<Interval> out;
    // Iterate a few hundred index blocks at a time, so memory stays bounded for huge regions.
    bwOverlapIterator_t* it = bwOverlappingIntervalsIterator(handle_.get(), chrom.c_str(), start, end, 256);
    if (!it) throw std::runtime_error(path_ + ": cannot read intervals on " + chrom + " (corrupt or truncated?)");
    while (it->data) {
      const bwOverlappingIntervals_t* o = it->intervals;
      for (std::uint32_t i = 0; o && i < o->l; ++i) {
        const std::uint32_t a = std::max(o->start[i], start), b = std::min(o->end[i], end);
        if (a < b) out.push_back({a, b, o->value[i]});
      }
      it = bwIteratorNext(it);
      if (!it) throw std::runtime_error(path_ + ": reading intervals on " + chrom + " failed (truncated?)");
    }
    bwIteratorDestroy(it);
    std::sort(out.begin(), out.end(), [](const Interval& x, const Interval& y) { return x.start < y.start; });
    return out;
  }

 private:
  struct Closer {
    void operator()(bigWigFile_t* f) const {
      if (f) bwClose(f);
    }
  };
  std::string path_;
  std::unique_ptr<bigWigFile_t, Closer> handle_;
};

/// The chromosomes `names` (empty: every chromosome the first file lists, in its order) with
/// their lengths, after checking that all files agree: a chromosome missing from some file, or
/// with different lengths, is an error naming the files (the factorization needs one row per
/// base, the same in every track).
inline std::vector<std::pair<std::string, std::uint32_t>> common_chromosomes(
    const std::vector<std::filesystem::path>& files, const std::vector<std::string>& names = {}) {
  if (files.empty()) throw std::runtime_error("no bigWig files to read");
  const BigWigFile first(files.front());
  std::vector<std::pair<std::string, std::uint32_t>> chroms;
  if (names.empty()) chroms = first.chromosomes();
  for (const auto& name : names) {
    const auto length = first.chrom_length(name);
    if (!length) throw std::runtime_error("chromosome '" + name + "' is not in " + first.path());
    chroms.emplace_back(name, *length);
  }
  for (std::size_t j = 1; j < files.size(); ++j) {
    const BigWigFile other(files[j]);
    for (const auto& [name, length] : chroms) {
      const auto there = other.chrom_length(name);
      if (!there)
        throw std::runtime_error("chromosome '" + name + "' of " + first.path() + " is not in " + other.path());
      if (*there != length)
        throw std::runtime_error("chromosome '" + name + "' has " + std::to_string(length) + " bases in " +
                                 first.path() + " but " + std::to_string(*there) + " in " + other.path());
    }
  }
  return chroms;
}

/// What reading a region found, for the caller to report.
struct RegionReport {
  std::int64_t negative_values_clipped = 0;  ///< bases x tracks
  std::int64_t nan_values_zeroed = 0;        ///< bases x tracks (as 0, or left NaN with missing_as_nan)
};

/// Every file of a region, open, with the region checked against their headers.
struct RegionFiles {
  std::vector<std::optional<BigWigFile>> files;
  std::int64_t end = 0;  ///< the region's end, resolved (end < 0 asked for the chromosome's end)
};

/// Opens every file (in parallel) and checks [start, end) of `chrom` on the headers, so bad input
/// fails before any data is read: the chromosome must be in every file and end within it.
/// Throws std::runtime_error naming the file.
inline RegionFiles open_region(const std::vector<std::filesystem::path>& files, const std::string& chrom,
                               std::int64_t start, std::int64_t end, int threads) {
  if (files.empty()) throw std::runtime_error("no bigWig files to read");
  if (start < 0) throw std::runtime_error("start " + std::to_string(start) + " is negative");
  const std::size_t m = files.size();
  RegionFiles out;
  out.files.resize(m);
  std::vector<std::string> errors(m);
  std::vector<std::int64_t> lengths(m, 0);
  fusednmf::detail::parallel_for(fusednmf::detail::resolve_threads(threads), static_cast<long>(m), [&](long j) {
    try {
      const BigWigFile& f = out.files[j].emplace(files[j]);
      auto len = f.chrom_length(chrom);
      if (!len) {
        std::string known;
        for (auto& [name, l] : f.chromosomes()) known += (known.empty() ? "" : ", ") + name;
        if (known.size() > 200) known = known.substr(0, 200) + "...";
        errors[j] = f.path() + ": chromosome '" + chrom + "' is not in this file (it has: " + known + ")";
      } else {
        lengths[j] = *len;
      }
    } catch (const std::exception& e) {
      errors[j] = e.what();
    }
  });
  for (auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);
  const std::int64_t chrom_len = *std::min_element(lengths.begin(), lengths.end());
  if (end < 0) end = chrom_len;
  for (std::size_t j = 0; j < m; ++j)
    if (end > lengths[j])
      throw std::runtime_error(files[j].string() + ": end " + std::to_string(end) + " is past the end of " +
                               chrom + " (" + std::to_string(lengths[j]) + " bases)");
  if (end <= start)
    throw std::runtime_error("end " + std::to_string(end) + " must be greater than start " + std::to_string(start));
  out.end = end;
  return out;
}

/// The region [start, end) of `chrom` (end < 0: to the chromosome's end) from every file, as
/// segments x files. Bases without data and NaN values read as 0, or as NaN (missing, for a
/// masked fit) with `missing_as_nan`; negative values are clipped to 0 (counted in the report).
/// Files are read in parallel. Throws std::runtime_error naming the file.
inline SegmentedMatrix<float> read_region(const std::vector<std::filesystem::path>& files,
                                          const std::string& chrom, std::int64_t start, std::int64_t end,
                                          int threads = 0, RegionReport* report = nullptr,
                                          bool missing_as_nan = false) {
  RegionFiles region = open_region(files, chrom, start, end, threads);
  end = region.end;
  auto& handles = region.files;
  const std::size_t m = files.size();
  std::vector<std::vector<BigWigFile::Interval>> per_file(m);
  std::vector<std::string> errors(m);
  const int nthreads = fusednmf::detail::resolve_threads(threads);

  fusednmf::detail::parallel_for(nthreads, static_cast<long>(m), [&](long j) {
    try {
      per_file[j] = handles[j]->intervals(chrom, std::uint32_t(start), std::uint32_t(end));
      handles[j].reset();
    } catch (const std::exception& e) {
      errors[j] = e.what();
    }
  });
  for (auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);

  // Boundaries: a byte per base of the region (plus one), set where any track may change.
  const std::int64_t n = end - start;
  std::vector<unsigned char> boundary(static_cast<std::size_t>(n) + 1, 0);
  boundary[0] = boundary[static_cast<std::size_t>(n)] = 1;
  for (const auto& intervals : per_file)
    for (const auto& iv : intervals) boundary[iv.start - start] = boundary[iv.end - start] = 1;
  std::vector<std::int64_t> seg_start;
  for (std::int64_t p = 0; p < n; ++p)
    if (boundary[static_cast<std::size_t>(p)]) seg_start.push_back(p);
  boundary.clear();
  boundary.shrink_to_fit();
  seg_start.push_back(n);
  const std::size_t S = seg_start.size() - 1;

  const float no_data = missing_as_nan ? std::numeric_limits<float>::quiet_NaN() : 0.f;
  Eigen::MatrixXf values =
      Eigen::MatrixXf::Constant(static_cast<Eigen::Index>(S), static_cast<Eigen::Index>(m), no_data);
  std::vector<std::int64_t> negatives(m, 0), nans(m, 0);
  fusednmf::detail::parallel_for(nthreads, static_cast<long>(m), [&](long j) {
    std::size_t s = 0;
    for (const auto& iv : per_file[j]) {
      const std::int64_t a = iv.start - start, b = iv.end - start;
      while (seg_start[s] < a) ++s;
      float v = iv.value;
      if (std::isnan(v)) {
        nans[j] += b - a;
        v = no_data;
      } else if (v < 0.f) {
        negatives[j] += b - a;
        v = 0.f;
      }
      for (; seg_start[s] < b; ++s) values(static_cast<Eigen::Index>(s), j) = v;
    }
    std::vector<BigWigFile::Interval>().swap(per_file[j]);
  });

  // Float lengths are exact only up to kMaxExactSegmentLength, so longer runs (a 30 Mb empty arm)
  // are cut into pieces of at most that; then neighbouring equal rows are merged.
  constexpr std::int64_t max_run = kMaxExactSegmentLength;
  std::vector<Eigen::Index> source;
  std::vector<std::int64_t> len;
  for (std::size_t s = 0; s < S; ++s)
    for (std::int64_t l = seg_start[s + 1] - seg_start[s]; l > 0; l -= max_run) {
      source.push_back(static_cast<Eigen::Index>(s));
      len.push_back(std::min(l, max_run));
    }
  SegmentedMatrix<float> split;
  split.values.resize(static_cast<Eigen::Index>(source.size()), static_cast<Eigen::Index>(m));
  split.lengths.resize(static_cast<Eigen::Index>(source.size()));
  for (std::size_t i = 0; i < source.size(); ++i) {
    split.values.row(static_cast<Eigen::Index>(i)) = values.row(source[i]);
    split.lengths[static_cast<Eigen::Index>(i)] = static_cast<float>(len[i]);
  }
  values.resize(0, 0);
  SegmentedMatrix<float> out = merge_equal_rows(split);
  if (report) {
    for (std::size_t j = 0; j < m; ++j) {
      report->negative_values_clipped += negatives[j];
      report->nan_values_zeroed += nans[j];
    }
  }
  return out;
}

}  // namespace fusednmf::io
