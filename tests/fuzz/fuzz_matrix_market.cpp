// Fuzz target: a Matrix Market file (io/matrix_market.hpp), plain or gzip-compressed. A clean
// std::exception is the expected answer to a bad file; a crash or a sanitizer report is a bug,
// and so is a matrix that reads but breaks the reader's promises (sizes within
// kMaxMatrixMarketDimension, stored values finite, non-negative and at most kMaxCount).
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>

#include <fusednmf/io/matrix_market.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fusednmf;
  // A legal file may declare up to 2^27 rows and columns, whose index arrays take a while to
  // allocate and clear: correct, but it would spend the fuzzer's time. Plain inputs with a
  // number of more than 6 digits are skipped (gzip-compressed ones cannot declare much in a
  // few bytes either way).
  std::size_t digits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    digits = std::isdigit(data[i]) ? digits + 1 : 0;
    if (digits > 6) return 0;
  }
  static fuzz::InputFile input(".mtx");
  const auto& path = input.write(data, size);
  try {
    const Eigen::SparseMatrix<double> m = io::read_matrix_market(path);
    if (m.rows() > io::kMaxMatrixMarketDimension || m.cols() > io::kMaxMatrixMarketDimension) std::abort();
    for (Eigen::Index e = 0; e < m.nonZeros(); ++e) {
      const double v = m.valuePtr()[e];
      if (!(v >= 0) || !(v <= io::kMaxCount)) std::abort();
    }
  } catch (const std::exception&) {
  }
  return 0;
}
