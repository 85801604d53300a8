// The inflaters of io/inflate.hpp: every one this build has gives zlib's bytes, and each refuses
// a damaged stream or one that does not fit, rather than returning garbage.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

#include <catch2/catch.hpp>

#include <fusednmf/detail/random.hpp>
#include <fusednmf/io/inflate.hpp>

using namespace fusednmf;

namespace {

// Bytes that compress somewhere between not at all and very well: runs of a repeated byte
// broken by random ones, like the records of a bigWig data block.
std::vector<std::uint8_t> block_like(std::size_t size, double random_share, std::uint64_t seed) {
  detail::Random rng(seed);
  std::vector<std::uint8_t> bytes(size);
  std::uint8_t current = 0;
  for (auto& b : bytes) {
    if (rng.uniform() < random_share) current = std::uint8_t(rng.uniform() * 256);
    b = current;
  }
  return bytes;
}

std::vector<std::uint8_t> zlib_compress(const std::vector<std::uint8_t>& plain, int level) {
  uLongf size = compressBound(uLong(plain.size()));
  std::vector<std::uint8_t> packed(size);
  REQUIRE(compress2(packed.data(), &size, plain.data(), uLong(plain.size()), level) == Z_OK);
  packed.resize(size);
  return packed;
}

template <class Inflater>
void check_inflater() {
  INFO(Inflater::name);
  Inflater inflater;
  std::uint64_t seed = 1;
  for (std::size_t size : {std::size_t(1), std::size_t(1000), std::size_t(65536)})
    for (double random_share : {0.0, 0.05, 1.0})
      for (int level : {1, 6, 9}) {
        const auto plain = block_like(size, random_share, seed++);
        auto packed = zlib_compress(plain, level);
        std::vector<std::uint8_t> out(size + 16);
        REQUIRE(inflater.inflate(packed.data(), packed.size(), out.data(), out.size()) == std::ptrdiff_t(size));
        CHECK(std::equal(plain.begin(), plain.end(), out.begin()));
        // Too little room, a stream cut short, a damaged checksum: refused.
        if (size > 1) CHECK(inflater.inflate(packed.data(), packed.size(), out.data(), size - 1) == -1);
        CHECK(inflater.inflate(packed.data(), packed.size() / 2, out.data(), out.size()) == -1);
        packed.back() ^= 0x5a;
        CHECK(inflater.inflate(packed.data(), packed.size(), out.data(), out.size()) == -1);
      }
  const std::vector<std::uint8_t> garbage = block_like(200, 1.0, 99);
  std::vector<std::uint8_t> out(1000);
  CHECK(inflater.inflate(garbage.data(), garbage.size(), out.data(), out.size()) == -1);
}

}  // namespace

TEST_CASE("every inflater gives zlib's bytes and refuses damaged or oversized streams", "[io][inflate]") {
  check_inflater<io::ZlibInflater>();
#ifdef FUSEDNMF_WITH_LIBDEFLATE
  check_inflater<io::LibdeflateInflater>();
#endif
#ifdef FUSEDNMF_WITH_ISAL
  check_inflater<io::IsalInflater>();
#endif
  CHECK(std::string(io::Inflater::name).size() > 0);
}
