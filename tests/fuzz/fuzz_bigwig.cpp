// Fuzz target: a bigWig file through everything that parses one. The layout check
// (io/bigwig_validate.hpp) runs first inside BigWigFile, then libBigWig opens it, then both readers
// decode the first chromosome's blocks (io/block_reader.hpp). A clean std::exception is the
// expected answer to a damaged file; a crash, a sanitizer report or a hang is a bug.
#include <algorithm>
#include <cstdint>
#include <exception>

#include <fusednmf/io/bigwig_file.hpp>
#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/binned_reader.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fusednmf;
  static fuzz::InputFile input(".bw");
  const auto& path = input.write(data, size);
  try {
    const io::BigWigFile file(path);
    const auto chromosomes = file.chromosomes();
    if (chromosomes.empty()) return 0;
    const auto& [name, length] = chromosomes.front();
    // At most 1 Mb: a damaged length must not make a run slow, only the parsing is of interest.
    const std::int64_t end = std::min<std::int64_t>(length, 1 << 20);
    if (end <= 0) return 0;
    io::SegmentReadOptions segments;
    segments.threads = 1;
    segments.piece_bases = 1 << 16;  // several pieces: the joins are parsed too
    (void)io::read_segments({path}, name, 0, end, segments);
    io::BinnedReadOptions bins;
    bins.threads = 1;
    bins.missing_as_nan = true;
    (void)io::read_binned({path}, name, 0, end, bins);
  } catch (const std::exception&) {
  }
  return 0;
}
