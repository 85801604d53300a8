#pragma once
// NumPy .npy files (format version 1.0), written atomically: the data goes to a temporary file
// beside the target, which is renamed over it only once complete, so a failed run never leaves a
// half-written file. Rows can be repeated on the fly (run-length segments expand while writing).
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "atomic_file.hpp"

namespace fusednmf::detail {

template <class Scalar>
constexpr const char* npy_descr() {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double> ||
                    std::is_same_v<Scalar, std::int64_t>,
                "npy: float, double or int64");
  if constexpr (std::is_same_v<Scalar, std::int64_t>) return "<i8";
  return std::is_same_v<Scalar, float> ? "<f4" : "<f8";
}

/// The .npy header of a rows x cols array: C order (row after row) or Fortran order (column after
/// column).
inline std::string npy_header(const char* descr, std::int64_t rows, std::int64_t cols, bool fortran_order = false) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': " + (fortran_order ? "True" : "False") + ", 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');
  std::string header("\x93NUMPY\x01\x00", 8);
  header.push_back(static_cast<char>(dict.size() & 0xff));
  header.push_back(static_cast<char>((dict.size() >> 8) & 0xff));
  return header + dict;
}

/// The .npy writers start the disk (TemporaryFile::start_writeback) on every this many bytes: a
/// W per base runs to gigabytes, and left to the commit's fsync the disk would only start at the
/// end (assign2 writing 600 MB of W: the run took 0.1 s less, see benchmarks/README.md, "Threads").
inline constexpr std::size_t kNpyWritebackBytes = std::size_t(32) << 20;

/// The first output row of each of `segments` rows repeated repeats[s] >= 0 times, and the total
/// at the end (segments + 1 entries); an empty `repeats` means once each. Throws
/// std::invalid_argument on a wrong count or a negative repeat.
template <class Repeats>
std::vector<std::int64_t> repeated_row_starts(std::int64_t segments, const Repeats& repeats) {
  const bool expand = repeats.size() != 0;
  if (expand && static_cast<std::int64_t>(repeats.size()) != segments)
    throw std::invalid_argument("write_npy: " + std::to_string(repeats.size()) + " repeats for " +
                                std::to_string(segments) + " rows");
  std::vector<std::int64_t> starts(static_cast<std::size_t>(segments) + 1, 0);
  for (std::int64_t s = 0; s < segments; ++s) {
    const std::int64_t count = expand ? static_cast<std::int64_t>(repeats[s]) : 1;
    if (count < 0) throw std::invalid_argument("write_npy: row " + std::to_string(s) + " repeated " + std::to_string(count) + " times");
    starts[std::size_t(s) + 1] = starts[std::size_t(s)] + count;
  }
  return starts;
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Writes `rows` (segments x k, any scalar) as a C-order .npy of OutScalar, repeating row s
/// repeats[s] >= 0 times (pass an empty vector for no repetition). Throws std::runtime_error naming the
/// path on any failure, leaving no file behind.
template <class OutScalar, class Derived, class Repeats = std::vector<std::int64_t>>
void write_npy(const std::filesystem::path& path, const Eigen::MatrixBase<Derived>& rows,
               const Repeats& repeats = {}) {
  const bool expand = repeats.size() != 0;
  const std::int64_t total = detail::repeated_row_starts(rows.rows(), repeats).back();
  AtomicFile file(path);
  auto& out = file.stream();
  const std::string header = detail::npy_header(detail::npy_descr<OutScalar>(), total, rows.cols());
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  // Stream the expansion through a buffer of about 1 MiB, starting the disk on every
  // detail::kNpyWritebackBytes.
  const std::size_t k = static_cast<std::size_t>(rows.cols());
  std::vector<OutScalar> row(k), buffer;
  buffer.reserve(std::max<std::size_t>(k, (1u << 20) / sizeof(OutScalar)));
  std::size_t unsent = 0;  // bytes written since the last writeback
  auto write_buffer = [&] {
    const std::size_t bytes = buffer.size() * sizeof(OutScalar);
    out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(bytes));
    buffer.clear();
    if ((unsent += bytes) >= detail::kNpyWritebackBytes) {
      file.start_writeback();
      unsent = 0;
    }
  };
  for (Eigen::Index s = 0; s < rows.rows(); ++s) {
    for (std::size_t j = 0; j < k; ++j) row[j] = static_cast<OutScalar>(rows(s, Eigen::Index(j)));
    const std::int64_t count = expand ? static_cast<std::int64_t>(repeats[s]) : 1;
    for (std::int64_t r = 0; r < count; ++r) {
      if (buffer.size() + k > buffer.capacity()) write_buffer();
      buffer.insert(buffer.end(), row.begin(), row.end());
    }
  }
  write_buffer();
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

/// Reads a 2-D little-endian float32/float64 .npy, C or Fortran order, into a double matrix (for
/// tests and tools).
inline Eigen::MatrixXd read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path.string() + " is not a .npy file");
  std::size_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (std::size_t(b[1]) << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (std::size_t(b[1]) << 8) | (std::size_t(b[2]) << 16) | (std::size_t(b[3]) << 24);
  }
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  const bool f4 = header.find("'<f4'") != std::string::npos, f8 = header.find("'<f8'") != std::string::npos;
  const bool fortran = header.find("'fortran_order': True") != std::string::npos;
  if (!(f4 || f8) || (!fortran && header.find("'fortran_order': False") == std::string::npos))
    throw std::runtime_error(path.string() + ": only <f4/<f8 arrays are supported");
  const auto open = header.find("'shape': ("), comma = header.find(',', open), close = header.find(')', open);
  if (open == std::string::npos || comma == std::string::npos || close == std::string::npos || comma > close)
    throw std::runtime_error(path.string() + ": expected a 2-D array");
  const long rows = std::stol(header.substr(open + 10, comma - open - 10));
  const long cols = std::stol(header.substr(comma + 1, close - comma - 1));
  // Fortran order is the transpose's C order: read it as cols x rows, row after row.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(fortran ? cols : rows, fortran ? rows : cols);
  if (f8) {
    in.read(reinterpret_cast<char*>(m.data()), static_cast<std::streamsize>(sizeof(double) * m.size()));
  } else {
    std::vector<float> tmp(static_cast<std::size_t>(m.size()));
    in.read(reinterpret_cast<char*>(tmp.data()), static_cast<std::streamsize>(sizeof(float) * tmp.size()));
    for (std::size_t i = 0; i < tmp.size(); ++i) m.data()[i] = tmp[i];
  }
  if (!in) throw std::runtime_error(path.string() + " is truncated");
  if (fortran) return m.transpose();
  return m;
}

}  // namespace fusednmf::io
