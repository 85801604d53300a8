// Fuzz target: a count table (io/count_table.hpp), read both ways: with missing cells as errors
// and as NaN. A clean std::exception is the expected answer to a bad table; a crash or a
// sanitizer report is a bug, and so is a table that reads but breaks the reader's promises
// (names and values of matching sizes, counts finite, non-negative and below kMaxCount).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>

#include <fusednmf/io/count_table.hpp>

#include "fuzz_input.hpp"

namespace {

void check_promises(const fusednmf::io::CountTable& t, bool nan_allowed) {
  if (std::size_t(t.counts.rows()) != t.genes.size() || std::size_t(t.counts.cols()) != t.samples.size()) std::abort();
  for (Eigen::Index i = 0; i < t.counts.size(); ++i) {
    const double v = t.counts(i);
    if (std::isnan(v)) {
      if (!nan_allowed) std::abort();
      continue;
    }
    if (!(v >= 0) || !(v <= fusednmf::io::kMaxCount)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fusednmf;
  static fuzz::InputFile input(".tsv");
  const auto& path = input.write(data, size);
  for (bool missing_as_nan : {false, true}) {
    try {
      check_promises(io::read_count_table(path, missing_as_nan), missing_as_nan);
    } catch (const std::exception&) {
    }
  }
  return 0;
}
