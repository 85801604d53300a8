#pragma once
// Checks the parts of a bigWig file that libBigWig's bwOpen trusts before it parses them: the
// fixed header, the zoom headers, the total summary, the chromosome B+ tree and the header of
// the data's R-tree index. libBigWig 0.4.7 reads these without bounds checks: on a damaged file
// it writes past its arrays (a chromosome id beyond the list), recurses forever (a tree whose
// child points back), allocates absurd sizes, or leaves chromosome names null. Run first, this
// turns every such file into a clean error naming the file and the field, at the cost of reading
// a few kilobytes (the tree's nodes) per file.
// Layout: UCSC's bigWig format (Kent et al. 2010, Bioinformatics 26:2204), little-endian.
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "bigwig_format.hpp"

namespace fusednmf::detail {

inline constexpr std::uint32_t kBigWigMagic = 0x888FFC26;
inline constexpr std::uint32_t kChromTreeMagic = 0x78CA8C91;
inline constexpr std::uint32_t kRTreeMagic = 0x2468ACE0;
inline constexpr std::uint64_t kBigWigHeaderBytes = 64, kZoomHeaderBytes = 24, kTotalSummaryBytes = 40;
inline constexpr std::uint64_t kChromTreeHeaderBytes = 32, kRTreeHeaderBytes = 48;
/// Deeper than any real tree (a B+ tree of 2^32 chromosomes with 2 per node has depth 32).
inline constexpr int kMaxTreeDepth = 64;

class LayoutCheck {
 public:
  explicit LayoutCheck(const io::RawFile& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(file_.path() + ": damaged bigWig file: " + what);
  }
  /// `bytes` bytes at `offset` lie inside the file.
  void in_file(const std::string& field, std::uint64_t offset, std::uint64_t bytes) const {
    if (offset > file_.size() || bytes > file_.size() - offset)
      fail(field + " (" + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
           ") lies past the end of the file (" + std::to_string(file_.size()) + " bytes)");
  }
  std::vector<std::uint8_t> read(const std::string& field, std::uint64_t offset, std::uint64_t bytes) const {
    in_file(field, offset, bytes);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(bytes));
    if (bytes) file_.read(offset, out.data(), out.size());
    return out;
  }

 private:
  const io::RawFile& file_;
};

struct ChromTree {
  std::uint32_t block_size, key_size;
  std::uint64_t items;
  std::set<std::uint32_t> ids;   // every leaf's chromosome id, once each
  std::set<std::uint64_t> nodes;  // offsets visited: a loop is damage
};

inline void check_chrom_node(const LayoutCheck& check, ChromTree& tree, std::uint64_t offset, int depth) {
  if (depth > kMaxTreeDepth) check.fail("chromosome tree deeper than " + std::to_string(kMaxTreeDepth) + " levels");
  if (!tree.nodes.insert(offset).second)
    check.fail("chromosome tree node at " + std::to_string(offset) + " is reached twice (a loop)");
  const auto head = check.read("chromosome tree node", offset, 4);
  const bool leaf = head[0] != 0;
  const std::uint16_t count = load_field<std::uint16_t>(head.data() + 2);
  if (count == 0 || count > tree.block_size)
    check.fail("chromosome tree node at " + std::to_string(offset) + " has " + std::to_string(count) +
               " items (block size " + std::to_string(tree.block_size) + ")");
  const std::uint64_t item_bytes = std::uint64_t(tree.key_size) + 8;
  const auto items = check.read("chromosome tree node", offset + 4, item_bytes * count);
  for (std::uint16_t i = 0; i < count; ++i) {
    const std::uint8_t* item = items.data() + i * item_bytes;
    if (item[0] == 0) check.fail("chromosome tree: an empty chromosome name");
    if (leaf) {
      const auto id = load_field<std::uint32_t>(item + tree.key_size);
      if (id >= tree.items)
        check.fail("chromosome tree: chromosome id " + std::to_string(id) + " of " + std::to_string(tree.items) +
                   " chromosomes");
      if (!tree.ids.insert(id).second) check.fail("chromosome tree: chromosome id " + std::to_string(id) + " twice");
      if (load_field<std::uint32_t>(item + tree.key_size + 4) == 0)
        check.fail("chromosome tree: chromosome id " + std::to_string(id) + " has length 0");
    } else {
      check_chrom_node(check, tree, load_field<std::uint64_t>(item + tree.key_size), depth + 1);
    }
  }
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Throws std::runtime_error "FILE: damaged bigWig file: WHAT" unless the header, zoom headers,
/// total summary, chromosome tree and index header are consistent and inside the file.
inline void validate_bigwig_layout(const RawFile& file) {
  using fusednmf::detail::load_field;
  const fusednmf::detail::LayoutCheck check(file);
  if (file.size() < fusednmf::detail::kBigWigHeaderBytes)
    throw std::runtime_error(file.path() + ": not a readable bigWig file (" + std::to_string(file.size()) + " bytes, shorter than a header)");
  const auto header = check.read("header", 0, fusednmf::detail::kBigWigHeaderBytes);
  const auto magic = load_field<std::uint32_t>(header.data());
  if (magic != fusednmf::detail::kBigWigMagic) {
    if (magic == 0x26FC8F88) throw std::runtime_error(file.path() + ": a big-endian bigWig file, which is not supported");
    throw std::runtime_error(file.path() + ": not a readable bigWig file (no bigWig signature)");
  }
  const auto version = load_field<std::uint16_t>(header.data() + 4);
  const auto zoom_levels = load_field<std::uint16_t>(header.data() + 6);
  const auto chrom_tree = load_field<std::uint64_t>(header.data() + 8);
  const auto full_data = load_field<std::uint64_t>(header.data() + 16);
  const auto full_index = load_field<std::uint64_t>(header.data() + 24);
  const auto auto_sql = load_field<std::uint64_t>(header.data() + 36);
  const auto total_summary = load_field<std::uint64_t>(header.data() + 44);
  const auto extension = load_field<std::uint64_t>(header.data() + 56);
  if (version == 0) check.fail("version 0");
  check.in_file("zoom headers", fusednmf::detail::kBigWigHeaderBytes, std::uint64_t(zoom_levels) * fusednmf::detail::kZoomHeaderBytes);
  if (auto_sql) check.in_file("autoSql offset", auto_sql, 1);
  if (total_summary) check.in_file("total summary", total_summary, fusednmf::detail::kTotalSummaryBytes);
  if (extension) check.in_file("extension header", extension, 4);
  check.in_file("full data offset", full_data, 4);
  if (zoom_levels) {
    const auto zooms = check.read("zoom headers", fusednmf::detail::kBigWigHeaderBytes,
                                  std::uint64_t(zoom_levels) * fusednmf::detail::kZoomHeaderBytes);
    for (std::uint16_t z = 0; z < zoom_levels; ++z) {
      const std::uint8_t* zoom = zooms.data() + z * fusednmf::detail::kZoomHeaderBytes;
      check.in_file("zoom level " + std::to_string(z) + " data", load_field<std::uint64_t>(zoom + 8), 4);
      check.in_file("zoom level " + std::to_string(z) + " index", load_field<std::uint64_t>(zoom + 16),
                    fusednmf::detail::kRTreeHeaderBytes);
    }
  }

  const auto tree_header = check.read("chromosome tree header", chrom_tree, fusednmf::detail::kChromTreeHeaderBytes);
  if (load_field<std::uint32_t>(tree_header.data()) != fusednmf::detail::kChromTreeMagic)
    check.fail("no chromosome tree at offset " + std::to_string(chrom_tree));
  fusednmf::detail::ChromTree tree{load_field<std::uint32_t>(tree_header.data() + 4), load_field<std::uint32_t>(tree_header.data() + 8),
                         load_field<std::uint64_t>(tree_header.data() + 16), {}, {}};
  const auto value_size = load_field<std::uint32_t>(tree_header.data() + 12);
  if (tree.block_size == 0) check.fail("chromosome tree block size 0");
  if (tree.key_size == 0 || tree.key_size > 255)
    check.fail("chromosome name size " + std::to_string(tree.key_size) + " (1 to 255)");
  if (value_size != 8) check.fail("chromosome tree value size " + std::to_string(value_size) + " (8)");
  // Every chromosome needs a leaf item in the file: a count beyond that is damage, not a genome.
  if (tree.items == 0 || tree.items > file.size() / (std::uint64_t(tree.key_size) + 8))
    check.fail("chromosome count " + std::to_string(tree.items));
  fusednmf::detail::check_chrom_node(check, tree, chrom_tree + fusednmf::detail::kChromTreeHeaderBytes, 0);
  if (tree.ids.size() != tree.items)
    check.fail("chromosome tree lists " + std::to_string(tree.ids.size()) + " of its " + std::to_string(tree.items) +
               " chromosomes");

  const auto index_header = check.read("index header", full_index, fusednmf::detail::kRTreeHeaderBytes);
  if (load_field<std::uint32_t>(index_header.data()) != fusednmf::detail::kRTreeMagic)
    check.fail("no data index at offset " + std::to_string(full_index));
}

}  // namespace fusednmf::io
