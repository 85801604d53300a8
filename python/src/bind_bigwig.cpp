// fusednmf.read_bigwig: the library's bigWig readers (io/binned_reader.hpp, io/bigwig_reader.hpp)
// on a list of files, returning the matrix and the [start, end) of each of its rows.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/binned_reader.hpp>

#include "bindings.hpp"

namespace fusednmf::python {
namespace {

py::tuple read_bigwig(const std::vector<std::string>& paths, const std::string& chrom, std::int64_t start,
                      std::optional<std::int64_t> end, std::optional<std::int64_t> bin, int threads,
                      bool missing_as_nan) {
  const std::vector<std::filesystem::path> files(paths.begin(), paths.end());
  SegmentedMatrix<float> read;
  {
    py::gil_scoped_release unlocked;
    try {
      if (bin) {
        io::BinnedReadOptions options;
        options.bin = *bin;
        options.threads = threads;
        options.missing_as_nan = missing_as_nan;
        read = io::read_binned(files, chrom, start, end.value_or(-1), options);
      } else {
        io::SegmentReadOptions options;
        options.threads = threads;
        options.missing_as_nan = missing_as_nan;
        read = io::read_segments(files, chrom, start, end.value_or(-1), options);
      }
    } catch (const std::invalid_argument&) {
      throw;  // a bad option: ValueError
    } catch (const std::runtime_error& e) {
      throw FileError(e.what());  // unreadable, corrupt, or not holding the region: OSError
    }
  }
  const py::ssize_t rows = read.segments(), cols = read.cols();
  py::array_t<float> values({rows, cols});  // C order, as NumPy users expect
  auto v = values.mutable_unchecked<2>();
  for (py::ssize_t r = 0; r < rows; ++r)
    for (py::ssize_t c = 0; c < cols; ++c) v(r, c) = read.values(r, c);
  py::array_t<std::int64_t> edges(rows + 1);
  auto e = edges.mutable_unchecked<1>();
  e(0) = start;
  for (py::ssize_t r = 0; r < rows; ++r) e(r + 1) = e(r) + static_cast<std::int64_t>(read.lengths[r]);
  return py::make_tuple(std::move(values), std::move(edges));
}

}  // namespace

void bind_bigwig(py::module_& module) {
  module.def("read_bigwig", &read_bigwig, py::arg("files"), py::arg("chrom"), py::arg("start") = 0,
             py::arg("end") = py::none(), py::arg("bin") = 200, py::arg("threads") = 0,
             py::arg("missing_as_nan") = false,
             R"doc(Reads [start, end) of `chrom` from bigWig files into a matrix: a row per bin, a column per file.

Returns (values, edges): values is float32, rows x files; row r covers bases
[edges[r], edges[r + 1]). Each value is the exact average over the bin's bases (the last bin
may be shorter). bin=None gives run-length segments instead: maximal runs of bases where no
file's value changes. end=None reads to the chromosome's end. Bases without data and NaN
values count as 0, or with missing_as_nan=True are left out (a bin with none observed is NaN).
Negative values are clipped to 0. Unreadable or corrupt files, or files without the region,
raise OSError naming the file; bad arguments raise ValueError. The GIL is released while reading.)doc");
}

}  // namespace fusednmf::python
