// Fuzz target: a BED file (io/bed.hpp). A clean std::exception is the expected answer to a bad
// file; a crash or a sanitizer report is a bug, and so is a result that breaks read_bed's promise
// (per chromosome: intervals with start <= end, sorted, overlaps merged).
#include <cstdint>
#include <cstdlib>
#include <exception>

#include <fusednmf/io/bed.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fusednmf;
  static fuzz::InputFile input(".bed");
  const auto& path = input.write(data, size);
  try {
    const io::BedIntervals bed = io::read_bed(path);
    for (const auto& [chrom, intervals] : bed)
      for (std::size_t i = 0; i < intervals.size(); ++i) {
        if (intervals[i].second < intervals[i].first) std::abort();
        if (i > 0 && intervals[i].first < intervals[i - 1].second) std::abort();
      }
  } catch (const std::exception&) {
  }
  return 0;
}
