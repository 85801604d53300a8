#pragma once
// Writing bigWig files with libBigWig, atomically (a temporary file beside the target, renamed
// over it only when complete). Like the reader, only code that links libBigWig includes this.
//
// write_factor_tracks() turns the columns of a factor matrix W on run-length segments into one
// bigWig per factor: each segment is one interval (equal neighbours merged), so a
// piecewise-constant factor stays small, and libBigWig adds zoom levels (summaries at coarser
// resolutions) so genome browsers open whole chromosomes quickly.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <bigWig.h>

#include <Eigen/Core>

#include "atomic_file.hpp"
#include "bigwig_file.hpp"
#include "output_set.hpp"

namespace fusednmf::io {

/// Runs of constant value on one chromosome: [start[i], end[i]) has value[i].
struct Runs {
  std::vector<std::uint32_t> start, end;
  std::vector<float> value;
  void add(std::uint32_t a, std::uint32_t b, float v) {  // merges with the previous run when equal
    if (!start.empty() && end.back() == a && value.back() == v) {
      end.back() = b;
      return;
    }
    start.push_back(a), end.push_back(b), value.push_back(v);
  }
};

/// Zoom levels libBigWig writes (each 4x coarser than the last); 10 reach whole-chromosome views.
inline constexpr int kBigWigZoomLevels = 10;

}  // namespace fusednmf::io

namespace fusednmf::detail {

/// Writes the file at `temp`; throws naming `target` (removing `temp`) on failure.
inline void write_bigwig_file(const std::filesystem::path& temp, const std::filesystem::path& target,
                              const std::vector<io::Chromosome>& chroms, const std::vector<io::Runs>& runs) {
  io::ensure_bigwig_initialised();
  bigWigFile_t* fp = bwOpen(temp.c_str(), nullptr, "w");
  if (!fp) throw std::runtime_error("cannot create " + temp.string());
  auto fail = [&](const std::string& what) {
    bwClose(fp);
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw std::runtime_error(target.string() + ": " + what);
  };
  if (bwCreateHdr(fp, io::kBigWigZoomLevels)) fail("cannot create the header");
  std::vector<const char*> names;
  std::vector<std::uint32_t> lengths;
  for (const auto& c : chroms) names.push_back(c.name.c_str()), lengths.push_back(c.length);
  fp->cl = bwCreateChromList(names.data(), lengths.data(), static_cast<int64_t>(chroms.size()));
  if (!fp->cl || bwWriteHdr(fp)) fail("cannot write the header");
  for (std::size_t c = 0; c < chroms.size() && c < runs.size(); ++c) {
    const io::Runs& r = runs[c];
    if (r.start.empty()) continue;
    std::vector<const char*> chrom_of(1, names[c]);
    // libBigWig wants the first interval of a chromosome added with its name, the rest appended.
    if (bwAddIntervals(fp, chrom_of.data(), &r.start[0], &r.end[0], &r.value[0], 1)) fail("cannot add intervals");
    if (r.start.size() > 1 &&
        bwAppendIntervals(fp, &r.start[1], &r.end[1], &r.value[1], static_cast<std::uint32_t>(r.start.size() - 1)))
      fail("cannot append intervals");
  }
  bwClose(fp);  // writes the index and the zoom levels
  // bwClose reports no failure (on a full disk libBigWig only prints "output is likely
  // truncated"), so the file must read back before it may be renamed into place.
  bigWigFile_t* written = bwOpen(temp.c_str(), nullptr, "r");  // reads the header, chromosomes and index
  if (!written) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw std::runtime_error(target.string() + ": the written file does not read back (disk full?)");
  }
  bwClose(written);
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Writes a bigWig whose header lists `chroms` (in order) and whose data is runs[i] on chroms[i]
/// (an empty Runs leaves that chromosome without data).
inline void write_bigwig(const std::filesystem::path& path, const std::vector<Chromosome>& chroms,
                         const std::vector<Runs>& runs) {
  ensure_writable_target(path);
  TemporaryFile temp(path);
  detail::write_bigwig_file(temp.path(), path, chroms, runs);
  temp.commit();
}

/// Where one factor's track goes: `dir`/`prefix`.factorJ.bw, J = 1..k.
inline std::filesystem::path factor_track_path(const std::filesystem::path& dir, const std::string& prefix,
                                               Eigen::Index factor) {
  return dir / (prefix + ".factor" + std::to_string(factor + 1) + ".bw");
}

/// Rows [first_row, first_row + rows) of W lie on `chrom` from base `start` on.
struct TrackSpan {
  std::string chrom;
  std::int64_t start;
  Eigen::Index first_row, rows;
};

/// Writes column j of W (segments x k; row s covers lengths[s] bases) as `dir`/`prefix`.factor{j+1}.bw,
/// the rows of each span on its chromosome, with `chroms` as the header (the input files'
/// chromosomes, so the tracks line up with them in a browser). All k files appear together or
/// none does: they are written to temporary names first and renamed at the end; with `into`,
/// they are staged in that set and appear when it is committed, with the rest of the set.
/// Returns the paths.
template <class DerivedW, class Lengths>
std::vector<std::filesystem::path> write_factor_tracks(const std::filesystem::path& dir, const std::string& prefix,
                                                       const std::vector<Chromosome>& chroms,
                                                       const std::vector<TrackSpan>& spans,
                                                       const Eigen::MatrixBase<DerivedW>& W, const Lengths& lengths,
                                                       OutputSet* into = nullptr) {
  if (Eigen::Index(lengths.size()) != W.rows())
    throw std::invalid_argument("write_factor_tracks: " + std::to_string(lengths.size()) + " lengths for " +
                                std::to_string(W.rows()) + " rows of W");
  std::vector<std::size_t> chrom_of;
  for (const TrackSpan& span : spans) {
    std::size_t index = chroms.size();
    for (std::size_t c = 0; c < chroms.size(); ++c)
      if (chroms[c].name == span.chrom) index = c;
    if (index == chroms.size())
      throw std::invalid_argument("write_factor_tracks: chromosome '" + span.chrom + "' is not in the header");
    if (span.first_row < 0 || span.rows < 0 || span.first_row + span.rows > W.rows())
      throw std::invalid_argument("write_factor_tracks: the rows of " + span.chrom + " are outside W");
    std::int64_t total = 0;
    for (Eigen::Index s = span.first_row; s < span.first_row + span.rows; ++s) total += std::int64_t(lengths[s]);
    if (span.start < 0 || span.start + total > std::int64_t(chroms[index].length))
      throw std::invalid_argument("write_factor_tracks: the region " + span.chrom + ":" + std::to_string(span.start) +
                                  "-" + std::to_string(span.start + total) + " runs past the chromosome's end");
    chrom_of.push_back(index);
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw std::runtime_error("directory " + dir.string() + " does not exist");

  std::vector<std::filesystem::path> targets;
  OutputSet own;  // without `into`: the k files as a set of their own, removed unless committed
  OutputSet& set = into ? *into : own;
  for (Eigen::Index j = 0; j < W.cols(); ++j) {
    targets.push_back(factor_track_path(dir, prefix, j));
    const std::filesystem::path path = set.stage(targets.back());  // checks the target first
    std::vector<Runs> runs(chroms.size());
    for (std::size_t i = 0; i < spans.size(); ++i) {
      std::int64_t position = spans[i].start;
      for (Eigen::Index s = spans[i].first_row; s < spans[i].first_row + spans[i].rows; ++s) {
        const std::int64_t next = position + std::int64_t(lengths[s]);
        if (next > position)
          runs[chrom_of[i]].add(std::uint32_t(position), std::uint32_t(next), static_cast<float>(W(s, j)));
        position = next;
      }
    }
    detail::write_bigwig_file(path, targets.back(), chroms, runs);
  }
  if (!into) own.commit();
  return targets;
}

/// One region: all rows of W on `chrom` from base `start`.
template <class DerivedW, class Lengths>
std::vector<std::filesystem::path> write_factor_tracks(const std::filesystem::path& dir, const std::string& prefix,
                                                       const std::vector<Chromosome>& chroms,
                                                       const std::string& chrom, std::int64_t start,
                                                       const Eigen::MatrixBase<DerivedW>& W, const Lengths& lengths) {
  return write_factor_tracks(dir, prefix, chroms, {TrackSpan{chrom, start, 0, W.rows()}}, W, lengths);
}

}  // namespace fusednmf::io
