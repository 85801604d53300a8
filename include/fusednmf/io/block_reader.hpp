#pragma once
// The data blocks of a region in every file, and decoding one block into its intervals with the
// checks that keep corrupt input from changing a result: each file's intervals must come in
// order without overlapping (the format requires it, and no per-base value would be right
// otherwise), inside the range the index gives their block. Shared by read_binned
// (binned_reader.hpp) and read_region (bigwig_reader.hpp); any number of threads may decode
// blocks of the same file at once.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../detail/parallel.hpp"
#include "bigwig_file.hpp"
#include "bigwig_format.hpp"
#include "inflate.hpp"

namespace fusednmf::io {

/// One interval as decoded, in bases of the chromosome.
struct DecodedInterval {
  std::uint32_t start, end;
  float value;
};

/// One file's blocks over the region, and what decoding them needs.
struct FileBlocks {
  std::unique_ptr<RawFile> raw;
  std::vector<DataBlock> blocks;    ///< sorted by start
  std::vector<std::uint32_t> reach; ///< the largest end among blocks[0..i]: where a position's blocks begin
  std::uint32_t chrom_id = 0;
  std::uint32_t block_size = 0;     ///< largest inflated block; 0: stored uncompressed
  const std::string& path() const { return raw->path(); }
};

/// Every file's blocks over the region [start, end) of `chrom`.
struct RegionBlocks {
  std::vector<FileBlocks> files;
  std::int64_t end = 0;  ///< resolved (end < 0 asked for the chromosome's end)
};

/// Checks the region on every header (open_region), then walks each file's index, in parallel.
/// Throws std::runtime_error naming the file.
inline RegionBlocks open_region_blocks(const std::vector<std::filesystem::path>& files, const std::string& chrom,
                                       std::int64_t start, std::int64_t end, int threads) {
  RegionFiles region = open_region(files, chrom, start, end, threads);
  RegionBlocks out;
  out.end = region.end;
  out.files.resize(files.size());
  std::vector<std::string> errors(files.size());
  fusednmf::detail::parallel_for(fusednmf::detail::resolve_threads(threads), static_cast<long>(files.size()),
                                 [&](long j) {
    try {
      const BigWigFile& f = *region.files[std::size_t(j)];
      FileBlocks& d = out.files[std::size_t(j)];
      d.chrom_id = *f.chrom_id(chrom);
      d.block_size = f.uncompressed_block_size();
      d.raw = std::make_unique<RawFile>(f.path());
      d.blocks = overlapping_blocks(*d.raw, f.index_offset(), d.chrom_id, *f.chrom_length(chrom),
                                    std::uint32_t(start), std::uint32_t(region.end));
      std::uint32_t reach = 0;
      for (const auto& b : d.blocks) d.reach.push_back(reach = std::max(reach, b.end));
    } catch (const std::exception& e) {
      errors[std::size_t(j)] = e.what();
    }
  });
  for (auto& e : errors)
    if (!e.empty()) throw std::runtime_error(e);
  return out;
}

/// Deflate's largest expansion, bytes out per byte in (zlib's technical notes: 1032:1).
inline constexpr std::uint64_t kMaxInflateRatio = 1032;

/// Decodes blocks with this thread's buffers and inflater, checking the order of the intervals
/// it passes on. One per stream of intervals (a task, or one file's cursor); not thread-safe.
class BlockDecoder {
 public:
  BlockDecoder(const FileBlocks& file, std::string chrom) : file_(&file), chrom_(std::move(chrom)) {}

  /// Calls on_interval(start, end, value) for each non-empty interval of block `b`, in order.
  /// Throws std::runtime_error naming the file when the block is corrupt or its intervals
  /// overlap, are out of order, or leave the block's index range.
  template <class OnInterval>
  void decode(std::size_t b, OnInterval&& on_interval) {
    const DataBlock& block = file_->blocks[b];
    // Sizes come from the file: a damaged one must not make us allocate what it cannot hold.
    if (block.size > (std::uint64_t(1) << 30) || block.offset > file_->raw->size() ||
        block.size > file_->raw->size() - block.offset)
      fail("corrupt index (a data block of " + std::to_string(block.size) + " bytes at byte " +
           std::to_string(block.offset) + ", in a file of " + std::to_string(file_->raw->size()) + ")");
    packed_.resize(block.size);
    file_->raw->read(block.offset, packed_.data(), packed_.size());
    const std::uint8_t* bytes = packed_.data();
    std::size_t size = packed_.size();
    if (file_->block_size > 0) {  // compressed
      // The header's buffer size, but never more than deflate can expand this block to (at most
      // 1032 bytes out per byte in): a damaged header once asked for 3.4 GB here.
      unpacked_.resize(std::min<std::uint64_t>(file_->block_size, kMaxInflateRatio * std::uint64_t(block.size) + 64));
      const std::ptrdiff_t got = inflater_.inflate(packed_.data(), packed_.size(), unpacked_.data(), unpacked_.size());
      if (got < 0) fail("corrupt data block at byte " + std::to_string(block.offset) + " (it does not decompress)");
      bytes = unpacked_.data(), size = std::size_t(got);
    }
    inflated_ += size;
    std::string problem;
    const bool ok = for_each_interval(bytes, size, file_->chrom_id, [&](std::uint32_t a, std::uint32_t e, float v) {
      if (a == e || !problem.empty()) return;  // empty: covers no base
      if (a < previous_end_) {
        problem = "intervals overlap or are out of order at " + chrom_ + ":" + std::to_string(a) +
                  " (the bigWig format needs sorted, non-overlapping intervals)";
        return;
      }
      if (a < block.start || e > block.end) {
        problem = "the interval " + chrom_ + ":" + std::to_string(a) + "-" + std::to_string(e) +
                  " lies outside the range the index gives its block";
        return;
      }
      if (!any_) first_start_ = a, any_ = true;
      previous_end_ = e;
      on_interval(a, e, v);
    }, problem);
    if (!ok || !problem.empty()) fail(problem + " (data block at byte " + std::to_string(block.offset) + ")");
  }

  bool any() const { return any_; }
  std::uint64_t first_start() const { return first_start_; }  ///< of the intervals decoded so far
  std::uint64_t last_end() const { return previous_end_; }
  std::uint64_t inflated_bytes() const { return inflated_; }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(file_->path() + ": " + what); }

  const FileBlocks* file_;
  std::string chrom_;
  std::vector<std::uint8_t> packed_, unpacked_;
  Inflater inflater_;
  std::uint64_t previous_end_ = 0, first_start_ = 0, inflated_ = 0;
  bool any_ = false;
};

/// The error for intervals of one file that overlap across two streams (tasks) of it.
inline std::runtime_error overlap_across_blocks(const std::string& path, const std::string& chrom, std::uint64_t at) {
  return std::runtime_error(path + ": intervals overlap or are out of order at " + chrom + ":" + std::to_string(at) +
                            " (the bigWig format needs sorted, non-overlapping intervals)");
}

}  // namespace fusednmf::io
