// validate_bigwig_layout: every damaged header, zoom header, chromosome tree or index header is
// a clean error naming the file before libBigWig parses it; random damage there never crashes
// (the sanitizer build checks memory), and a read that succeeds gives the clean file's values
// unless the damage changed chr1's declared length.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/bigwig_validate.hpp>
#include <fusednmf/io/bigwig_writer.hpp>
#include <fusednmf/io/binned_reader.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace fusednmf;
using Catch::Matchers::Contains;

using fusednmf::testing::TempDir;

namespace {

// Five chromosomes (a tree with several items), signal on two, zoom levels as assign2 writes them.
std::string clean_file_bytes(const fs::path& path) {
  std::vector<io::Chromosome> chroms{{"chr1", 40000}, {"chr2", 30000}, {"chr3", 20000}, {"chrX", 10000}, {"chrM", 500}};
  std::vector<io::Runs> runs(chroms.size());
  for (std::uint32_t i = 0; i < 2000; ++i) runs[0].add(i * 20, i * 20 + 20, float(i % 17));
  for (std::uint32_t i = 0; i < 500; ++i) runs[3].add(i * 20, i * 20 + 15, 1.5f);
  io::write_bigwig(path, chroms, runs);
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

template <class T>
T field(const std::string& bytes, std::size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof v);
  return v;
}

template <class T>
std::string with_field(std::string bytes, std::size_t at, T value) {
  std::memcpy(&bytes[at], &value, sizeof value);
  return bytes;
}

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("a clean bigWig passes the layout check and reads", "[io][validate]") {
  TempDir dir("validate");
  const fs::path path = dir.path / "clean.bw";
  clean_file_bytes(path);
  CHECK_NOTHROW(io::validate_bigwig_layout(io::RawFile(path.string())));
  const io::BigWigFile file(path);
  CHECK(file.chromosomes().size() == 5);
  CHECK(io::read_binned({path}, "chr1", 0, -1).values.sum() > 0);
}

TEST_CASE("each kind of damage before the data is an error naming the file and the field", "[io][validate]") {
  TempDir dir("validate");
  const fs::path path = dir.path / "damaged.bw";
  const std::string good = clean_file_bytes(path);
  const auto tree = std::size_t(field<std::uint64_t>(good, 8));
  const auto key_size = field<std::uint32_t>(good, tree + 8);
  const std::size_t first_leaf_item = tree + 32 + 4;  // a small tree is one leaf node
  REQUIRE(good[tree + 32] == 1);                      // ...which this one is
  const std::size_t second_leaf_item = first_leaf_item + key_size + 8;
  const std::uint64_t past_end = good.size() + 100;
  const std::vector<std::pair<std::string, std::string>> cases{
      {with_field<std::uint32_t>(good, 0, 0x12345678), "not a readable bigWig file"},
      {with_field<std::uint16_t>(good, 6, 65535), "zoom headers"},
      {with_field<std::uint64_t>(good, 8, past_end), "chromosome tree header"},
      {with_field<std::uint64_t>(good, 24, past_end), "index header"},
      {with_field<std::uint64_t>(good, 44, past_end), "total summary"},
      {with_field<std::uint64_t>(good, 64 + 16, past_end), "zoom level 0 index"},
      {with_field<std::uint32_t>(good, tree, 0), "no chromosome tree"},
      {with_field<std::uint32_t>(good, tree + 8, 0), "chromosome name size 0"},
      {with_field<std::uint64_t>(good, tree + 16, std::uint64_t(1) << 60), "chromosome count"},
      {with_field<std::uint64_t>(good, tree + 16, 7), "lists 5 of its 7 chromosomes"},
      {with_field<std::uint16_t>(good, tree + 34, 999), "items"},
      {with_field<std::uint32_t>(good, first_leaf_item + key_size, 4000), "chromosome id 4000"},
      {with_field<std::uint32_t>(good, second_leaf_item + key_size, field<std::uint32_t>(good, first_leaf_item + key_size)), "twice"},
      {with_field<std::uint8_t>(good, first_leaf_item, 0), "empty chromosome name"},
      {with_field<std::uint32_t>(good, std::size_t(field<std::uint64_t>(good, 24)), 0), "no data index"},
      {good.substr(0, 40), "not a readable bigWig file"},
  };
  for (const auto& [bytes, message] : cases) {
    INFO(message);
    write(path, bytes);
    CHECK_THROWS_WITH(io::BigWigFile(path), Contains("damaged.bw") && Contains(message));
  }
  // A tree node pointing back at itself: a loop, not endless recursion.
  std::string looped = with_field<std::uint8_t>(good, tree + 32, 0);  // the leaf read as a branch...
  for (std::uint16_t i = 0; i < field<std::uint16_t>(good, tree + 34); ++i)  // ...whose children are itself
    looped = with_field<std::uint64_t>(looped, first_leaf_item + i * (key_size + 8) + key_size, std::uint64_t(tree + 32));
  write(path, looped);
  CHECK_THROWS_WITH(io::BigWigFile(path), Contains("damaged.bw") && Contains("loop"));
  // A zeroed stretch of the index's nodes reads as entries at offset 0: damage, not missing data
  // (fuzz_bigwig.py found it read as zeros).
  std::string zeroed = good;
  const auto index = std::size_t(field<std::uint64_t>(good, 24));
  std::fill(zeroed.begin() + std::ptrdiff_t(index + 48 + 4), zeroed.begin() + std::ptrdiff_t(std::min(good.size(), index + 48 + 4 + 4096)), '\0');
  write(path, zeroed);
  CHECK_THROWS_WITH(io::read_binned({path}, "chr1", 0, -1, {}), Contains("damaged.bw") && Contains("corrupt index"));
}

TEST_CASE("a header asking for a huge decompression buffer reads the same values, within bounds", "[io][validate][corrupt]") {
  // The header's uncompressed buffer size (byte 52) once made the reader allocate 3.4 GB
  // (fuzz_bigwig, corpus/bigwig/oom_huge_uncompressed_buffer.bw); a block's buffer is now bounded
  // by what deflate can expand the block to.
  TempDir dir("validate");
  const fs::path clean = dir.path / "clean.bw", damaged = dir.path / "damaged.bw";
  const std::string good = clean_file_bytes(clean);
  REQUIRE(field<std::uint32_t>(good, 52) > 0);  // compressed, as write_bigwig writes
  write(damaged, with_field<std::uint32_t>(good, 52, 0xF0000000u));
  const auto expected = io::read_binned({clean}, "chr1", 0, -1);
  CHECK(io::read_binned({damaged}, "chr1", 0, -1).values == expected.values);
  const SegmentedMatrix<float> segments = io::read_region({damaged}, "chr1", 0, -1);
  CHECK(segments.values == io::read_region({clean}, "chr1", 0, -1).values);
}

TEST_CASE("random damage to the header, zoom headers, chromosome tree and index never crashes", "[io][validate][corrupt]") {
  TempDir dir("validate");
  const fs::path clean = dir.path / "clean.bw", path = dir.path / "mutated.bw";
  const std::string good = clean_file_bytes(clean);
  const auto expected = io::read_binned({clean}, "chr1", 0, -1, {});
  const auto data = std::size_t(field<std::uint64_t>(good, 16));  // everything before the data
  const auto index = std::size_t(field<std::uint64_t>(good, 24));
  REQUIRE(data < good.size());
  std::mt19937_64 rng(20261202);
  const std::uint64_t specials[] = {0, ~std::uint64_t(0), std::uint64_t(1) << 63, 0xFFFFFFFFull, good.size(), 1};
  int failed = 0, same = 0;
  for (int k = 0; k < 1500; ++k) {
    std::string bytes = good;
    // ...the index header and its first nodes...
    const std::size_t at = k % 4 == 3 ? index + rng() % 48 : k % 4 == 2 ? index + 48 + rng() % 1024 : rng() % data;
    switch (k % 3) {
      case 0: bytes[at] = char(bytes[at] ^ (1 + int(rng() % 255))); break;
      case 1: {
        const std::uint64_t v = specials[rng() % 6];
        std::memcpy(&bytes[at], &v, std::min<std::size_t>(rng() % 2 ? 8 : 4, bytes.size() - at));
        break;
      }
      default: bytes.resize(at); break;
    }
    write(path, bytes);
    try {
      const auto values = io::read_binned({path}, "chr1", 0, -1, {});
      // Read without an error: only when the damage changed nothing that is read, or changed
      // chr1's declared length (which a valid file may have, and which shows in W's shape).
      const bool same_shape = values.values.rows() == expected.values.rows() && values.values.cols() == expected.values.cols();
      if ((same_shape && values.values == expected.values) || io::BigWigFile(path).chrom_length("chr1") != 40000u) ++same;
      else FAIL_CHECK("mutation " << k << " at byte " << at << " (index at " << index << ", data at " << data << ", kind " << k % 3 << ") changed the values silently: " << values.values.rows() << " rows, sum " << values.values.sum() << " against " << expected.values.rows() << ", " << expected.values.sum());
    } catch (const std::exception& e) {
      ++failed;
      CHECK_THAT(std::string(e.what()), Contains("mutated.bw"));
    }
  }
  CHECK(failed > 500);
  CHECK(failed + same == 1500);
}
