#pragma once
// bigWig files through libBigWig: opening them, their chromosome lists, and checking a region
// against every file's header before anything is read. The data itself is decoded by
// block_reader.hpp. Only code that links libBigWig includes this header; the library core never
// does.
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
#include "bigwig_validate.hpp"

namespace fusednmf::io {

/// A chromosome as a bigWig header lists it: what the readers return and the writer takes.
struct Chromosome {
  std::string name;
  std::uint32_t length;
};

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
    validate_bigwig_layout(RawFile(path_));  // before libBigWig parses what it does not check
    handle_.reset(bwOpen(path_.c_str(), nullptr, "r"));
    if (!handle_ || !handle_->cl || !handle_->hdr)
      throw std::runtime_error(path_ + ": not a readable bigWig file (bad header or truncated)");
    for (int64_t i = 0; i < handle_->cl->nKeys; ++i)
      if (!handle_->cl->chrom[i])
        throw std::runtime_error(path_ + ": damaged bigWig file: chromosome " + std::to_string(i) + " has no name");
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

  /// The chromosome list of the header, in its order.
  std::vector<Chromosome> chromosomes() const {
    std::vector<Chromosome> out;
    const chromList_t* cl = handle_->cl;
    for (int64_t i = 0; i < cl->nKeys; ++i) out.push_back({cl->chrom[i], cl->len[i]});
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
inline std::vector<Chromosome> common_chromosomes(
    const std::vector<std::filesystem::path>& files, const std::vector<std::string>& names = {}) {
  if (files.empty()) throw std::runtime_error("no bigWig files to read");
  const BigWigFile first(files.front());
  std::vector<Chromosome> chroms;
  if (names.empty()) chroms = first.chromosomes();
  for (const auto& name : names) {
    const auto length = first.chrom_length(name);
    if (!length) throw std::runtime_error("chromosome '" + name + "' is not in " + first.path());
    chroms.push_back({name, *length});
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

}  // namespace fusednmf::io
