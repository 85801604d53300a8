#pragma once
// The on-disk layout of bigWig data, read directly: the R-tree index that says which data blocks
// cover a region, and the sections (bedGraph, varStep, fixedStep) inside a decompressed block.
//
// Reading blocks ourselves, rather than through libBigWig's interval iterator, lets the reader
// fetch and decode many blocks of one file at once on different threads, inflate them with a
// faster library than zlib, and hand each interval straight to an accumulator without building
// interval lists. Every length and offset read from the file is checked against the file's or
// the block's size first, so a corrupt file gives an error naming the file, never a crash.
// Layout: UCSC's bigWig format (Kent et al. 2010, Bioinformatics 26:2204), little-endian.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace fusednmf::detail {
template <class T>
T load_field(const std::uint8_t* p) {  // an unaligned little-endian field
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace fusednmf::detail

namespace fusednmf::io {

/// A file opened for positioned reads: any number of threads may read() at once.
class RawFile {
 public:
  explicit RawFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      throw std::runtime_error(path + ": cannot stat (" + std::strerror(errno) + ")");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() { ::close(fd_); }

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }

  /// Reads exactly `count` bytes at `offset`; throws if the file is shorter (truncated).
  void read(std::uint64_t offset, void* out, std::size_t count) const {
    if (offset > size_ || count > size_ - offset)
      throw std::runtime_error(path_ + ": truncated (needs bytes " + std::to_string(offset) + ".." +
                               std::to_string(offset + count) + " of " + std::to_string(size_) + ")");
    auto* dst = static_cast<char*>(out);
    while (count > 0) {
      const ssize_t got = ::pread(fd_, dst, count, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::runtime_error(path_ + ": read failed at byte " + std::to_string(offset));
      dst += got, offset += std::uint64_t(got), count -= std::size_t(got);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// One data block of the full-resolution data: where it lies in the file and which bases of the
/// chromosome the index says it covers.
struct DataBlock {
  std::uint64_t offset = 0, size = 0;
  std::uint32_t start = 0, end = 0;  ///< on the chromosome asked for, [start, end)
};

/// The data blocks whose index range overlaps [start, end) of chromosome `chrom_id`, sorted by
/// start. `index_offset` is the header's fullIndexOffset. `chrom_length` clips index entries
/// that run on into the next chromosome.
inline std::vector<DataBlock> overlapping_blocks(const RawFile& file, std::uint64_t index_offset, std::uint32_t chrom_id,
                                                 std::uint32_t chrom_length, std::uint32_t start, std::uint32_t end) {
  constexpr std::uint32_t kIndexMagic = 0x2468ACE0;
  constexpr std::size_t kIndexHeader = 48, kNodeHeader = 4, kLeafItem = 32, kBranchItem = 24;
  auto corrupt = [&](const std::string& what) {
    return std::runtime_error(file.path() + ": corrupt index (" + what + ")");
  };
  std::uint8_t header[kIndexHeader];
  file.read(index_offset, header, sizeof header);
  if (fusednmf::detail::load_field<std::uint32_t>(header) != kIndexMagic) throw corrupt("bad magic number");
  const auto indexed_blocks = fusednmf::detail::load_field<std::uint64_t>(header + 8);
  // The data section lies between the header's fullDataOffset and the index: a block elsewhere,
  // or a node outside the index, is a damaged entry (a zeroed stretch of the index reads as
  // entries at offset 0), never data to skip.
  std::uint8_t data_offset_field[8];
  file.read(16, data_offset_field, sizeof data_offset_field);
  const auto data_offset = fusednmf::detail::load_field<std::uint64_t>(data_offset_field);

  // (chromosome, base) pairs compare lexicographically: an entry overlaps the query when it
  // starts before the query's end and ends after its start.
  auto before = [](std::uint32_t c1, std::uint32_t b1, std::uint32_t c2, std::uint32_t b2) {
    return c1 < c2 || (c1 == c2 && b1 < b2);
  };
  std::vector<DataBlock> blocks;
  std::vector<std::uint8_t> node;
  struct Pending {
    std::uint64_t offset;
    int depth;
  };
  std::vector<Pending> stack{{index_offset + kIndexHeader, 0}};
  std::size_t nodes_read = 0;
  while (!stack.empty()) {
    const Pending at = stack.back();
    stack.pop_back();
    // A tree of a few levels indexes any genome; more, or a node read over and over, is a loop.
    if (at.depth > 32 || ++nodes_read > (std::size_t(1) << 24)) throw corrupt("index tree loops or is too deep");
    std::uint8_t head[kNodeHeader];
    file.read(at.offset, head, sizeof head);
    const bool leaf = head[0] != 0;
    const std::uint16_t count = fusednmf::detail::load_field<std::uint16_t>(head + 2);
    // Only the root of an index of no blocks is empty: an empty node elsewhere would hide data,
    // which must not read as zeros.
    if (count == 0 && !(at.depth == 0 && indexed_blocks == 0)) throw corrupt("an empty node");
    node.resize(std::size_t(count) * (leaf ? kLeafItem : kBranchItem));
    file.read(at.offset + kNodeHeader, node.data(), node.size());
    for (std::uint16_t i = 0; i < count; ++i) {
      const std::uint8_t* item = node.data() + std::size_t(i) * (leaf ? kLeafItem : kBranchItem);
      const auto c0 = fusednmf::detail::load_field<std::uint32_t>(item), b0 = fusednmf::detail::load_field<std::uint32_t>(item + 4);
      const auto c1 = fusednmf::detail::load_field<std::uint32_t>(item + 8), b1 = fusednmf::detail::load_field<std::uint32_t>(item + 12);
      if (!before(c0, b0, c1, b1)) throw corrupt("an entry ends where it starts, or before");
      if (!before(c0, b0, chrom_id, end) || !before(chrom_id, start, c1, b1)) continue;
      const auto child = fusednmf::detail::load_field<std::uint64_t>(item + 16);
      if (!leaf) {
        if (child < index_offset + kIndexHeader || child >= file.size()) throw corrupt("a node outside the index");
        stack.push_back({child, at.depth + 1});
        continue;
      }
      const auto size = fusednmf::detail::load_field<std::uint64_t>(item + 24);
      if (child > file.size() || size > file.size() - child) throw corrupt("a data block lies past the end of the file");
      if (size == 0 || child < data_offset || child + size > index_offset)
        throw corrupt("a data block outside the data section");
      blocks.push_back({child, size, c0 < chrom_id ? 0u : b0, c1 > chrom_id ? chrom_length : b1});
    }
  }
  std::sort(blocks.begin(), blocks.end(), [](const DataBlock& a, const DataBlock& b) {
    return a.start != b.start ? a.start < b.start : a.offset < b.offset;
  });
  return blocks;
}

/// Calls on_interval(start, end, value) for every interval of the section in one decompressed
/// data block, in order, if the section is on chromosome `chrom_id` (a block holds one section).
/// Returns false, with `error` set, when the block is malformed: too short for its items, an
/// unknown section type, an interval that ends before it starts or runs past 2^32.
template <class OnInterval>
bool for_each_interval(const std::uint8_t* data, std::size_t size, std::uint32_t chrom_id, OnInterval&& on_interval,
                       std::string& error) {
  constexpr std::size_t kSectionHeader = 24;
  if (size < kSectionHeader) {
    error = "a data block of " + std::to_string(size) + " bytes is shorter than its header";
    return false;
  }
  const auto chrom = fusednmf::detail::load_field<std::uint32_t>(data), first = fusednmf::detail::load_field<std::uint32_t>(data + 4);
  const auto step = fusednmf::detail::load_field<std::uint32_t>(data + 12), span = fusednmf::detail::load_field<std::uint32_t>(data + 16);
  const std::uint8_t type = data[20];
  const auto count = fusednmf::detail::load_field<std::uint16_t>(data + 22);
  if (type < 1 || type > 3) {
    error = "unknown section type " + std::to_string(type);
    return false;
  }
  const std::size_t item_size = type == 1 ? 12 : type == 2 ? 8 : 4;
  if (kSectionHeader + std::size_t(count) * item_size > size) {
    error = "a data block of " + std::to_string(size) + " bytes claims " + std::to_string(count) + " items";
    return false;
  }
  if (chrom != chrom_id) return true;  // another chromosome's block: libBigWig skips these too
  const std::uint8_t* p = data + kSectionHeader;
  for (std::uint32_t i = 0; i < count; ++i, p += item_size) {
    std::uint64_t a, b;
    float value;
    if (type == 1) {  // bedGraph: start, end, value
      a = fusednmf::detail::load_field<std::uint32_t>(p), b = fusednmf::detail::load_field<std::uint32_t>(p + 4);
      value = fusednmf::detail::load_field<float>(p + 8);
    } else if (type == 2) {  // varStep: start, value; every item spans `span` bases
      a = fusednmf::detail::load_field<std::uint32_t>(p), b = a + span;
      value = fusednmf::detail::load_field<float>(p + 4);
    } else {  // fixedStep: value; items `step` apart from the section's start
      a = std::uint64_t(first) + std::uint64_t(i) * step, b = a + span;
      value = fusednmf::detail::load_field<float>(p);
    }
    if (b < a || b > 0xFFFFFFFFull) {
      error = "an interval [" + std::to_string(a) + ", " + std::to_string(b) + ") is not a valid range";
      return false;
    }
    on_interval(std::uint32_t(a), std::uint32_t(b), value);
  }
  return true;
}

}  // namespace fusednmf::io
