#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include <fusednmf/io/npy.hpp>
#include <fusednmf/io/npy_columns.hpp>

namespace fs = std::filesystem;

namespace {
fs::path scratch_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("fusednmf_test_npy_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("write_npy round-trips, with and without row repeats", "[io]") {
  const fs::path dir = scratch_dir("roundtrip");
  Eigen::MatrixXd W(3, 2);
  W << 1, 2, 3, 4, 5.5, 6;
  fusednmf::io::write_npy<double>(dir / "w.npy", W);
  CHECK(fusednmf::io::read_npy(dir / "w.npy") == W);

  std::vector<std::int64_t> repeats{2, 1, 3};
  fusednmf::io::write_npy<float>(dir / "expanded.npy", W, repeats);
  Eigen::MatrixXd back = fusednmf::io::read_npy(dir / "expanded.npy");
  REQUIRE(back.rows() == 6);
  CHECK(back.row(0) == W.row(0));
  CHECK(back.row(1) == W.row(0));
  CHECK(back.row(2) == W.row(1));
  CHECK(back.row(5) == W.row(2));
  // The header is padded so that the data starts on a 64-byte boundary, as NumPy writes it.
  CHECK((fs::file_size(dir / "expanded.npy") - 6 * 2 * sizeof(float)) % 64 == 0);
  fs::remove_all(dir);
}

TEST_CASE("write_npy: an output past the writeback interval (32 MiB) round-trips", "[io]") {
  // Three rows, each repeated 1.5 M times: 36 MB of float32, so the disk is started on the file
  // (TemporaryFile::start_writeback) while the rest is still being written.
  const fs::path dir = scratch_dir("large");
  Eigen::MatrixXd W(3, 2);
  W << 0.5, 1, 2, 3, 4, 5;
  const std::int64_t each = 1500000;
  fusednmf::io::write_npy<float>(dir / "large.npy", W, std::vector<std::int64_t>{each, each, each});
  const Eigen::MatrixXd back = fusednmf::io::read_npy(dir / "large.npy");
  REQUIRE(back.rows() == 3 * each);
  for (Eigen::Index s = 0; s < 3; ++s) {
    CHECK(back.row(s * each) == W.row(s));
    CHECK(back.row(s * each + each - 1) == W.row(s));
    CHECK((back.middleRows(s * each, each).rowwise() - W.row(s)).cwiseAbs().maxCoeff() == 0.0);
  }
  fs::remove_all(dir);
}

TEST_CASE("write_npy and write_npy_columns fail cleanly: missing directory, directory target, bad repeats, no file left", "[io]") {
  using Catch::Matchers::Contains;
  auto both_writers = [](auto check) {
    check([](const fs::path& p, const auto&... a) { fusednmf::io::write_npy<float>(p, a...); });
    check([](const fs::path& p, const auto&... a) { fusednmf::io::write_npy_columns<float>(p, a...); });
  };
  both_writers([](auto write) {
    const fs::path dir = scratch_dir("errors");
    Eigen::MatrixXf W = Eigen::MatrixXf::Ones(2, 2);
    CHECK_THROWS_WITH(write(dir / "missing" / "w.npy", W), Contains("does not exist"));
    fs::create_directories(dir / "adir");
    CHECK_THROWS_WITH(write(dir / "adir", W), Contains("is a directory"));
    CHECK_THROWS_AS(write(dir / "w.npy", W, std::vector<std::int64_t>{1}), std::invalid_argument);
    CHECK_THROWS_WITH(write(dir / "w.npy", W, std::vector<std::int64_t>{2, -1}), Contains("row 1 repeated -1 times"));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    CHECK(entries == 1);  // only adir: no output and no temporary file
    fs::remove_all(dir);
  });
}

TEST_CASE("python's numpy reads what write_npy writes", "[io][python]") {
  const std::string python = FUSEDNMF_TEST_PYTHON;
  if (python.empty() || python.find("NOTFOUND") != std::string::npos ||
      std::system((python + " -c 'import numpy' 2>/dev/null").c_str()) != 0) {
    WARN("python3-numpy not installed: skipped");
    return;
  }
  const fs::path dir = scratch_dir("numpy");
  Eigen::MatrixXd W(2, 3);
  W << 1, 2, 3, 4, 5, 6;
  fusednmf::io::write_npy<float>(dir / "w.npy", W, std::vector<std::int64_t>{4, 1});
  const std::string cmd = python + " -c \"import numpy as np; w = np.load('" + (dir / "w.npy").string() +
                          "'); assert w.shape == (5, 3) and w.dtype == np.float32 and w[3, 2] == 3 and w[4, 0] == 4\"";
  CHECK(std::system(cmd.c_str()) == 0);
  // Fortran order, with a zero stretch left as a hole: the same array.
  Eigen::MatrixXd Z = W;
  Z(0, 1) = 0;
  fusednmf::io::write_npy_columns<float>(dir / "f.npy", Z, std::vector<std::int64_t>{20000, 1}, 2);
  const std::string fcmd = python + " -c \"import numpy as np; w = np.load('" + (dir / "f.npy").string() +
                           "'); assert w.shape == (20001, 3) and w.flags.f_contiguous and w[19999, 1] == 0 and w[19999, 2] == 3 and w[20000, 1] == 5 and (w[:20000, 0] == 1).all()\"";
  CHECK(std::system(fcmd.c_str()) == 0);
  fs::remove_all(dir);
}

namespace {
std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("write_npy_columns: Fortran order, zero stretches skipped, the same array as write_npy", "[io]") {
  using fusednmf::detail::kNpyHoleBytes;
  const fs::path dir = scratch_dir("columns");
  // Zero stretches long enough to be skipped (one segment, and several zero segments in a row),
  // one too short, a -0.0 (written: its bits are not zero), a row repeated 0 times, and columns
  // with no zero at all.
  const std::int64_t long_run = std::int64_t(kNpyHoleBytes / sizeof(float)) * 3 + 7;
  Eigen::MatrixXd W(7, 3);
  W << 0, 1, 2,  //
      0, 3, 0,   //
      5, 4, -0.0,  //
      0, 6, 7,   //
      8, 0, 9,   //
      0, 0, 0,   //
      1.5, 2, 0;
  const std::vector<std::int64_t> repeats{long_run, long_run, 3, 5, 0, 2 * long_run, 11};
  fusednmf::io::write_npy<float>(dir / "c.npy", W, repeats);
  for (int threads : {1, 2, 3}) {
    const fs::path f = dir / ("f" + std::to_string(threads) + ".npy");
    fusednmf::io::write_npy_columns<float>(f, W, repeats, threads);
    CHECK(fusednmf::io::read_npy(f) == fusednmf::io::read_npy(dir / "c.npy"));
    CHECK(fs::file_size(f) == fs::file_size(dir / "c.npy"));
    CHECK(file_bytes(f) == file_bytes(dir / "f1.npy"));  // the same bytes on any thread count
  }
  const std::string header = file_bytes(dir / "f1.npy").substr(0, 128);
  CHECK(header.find("'fortran_order': True") != std::string::npos);
  // The -0.0 kept its sign: third column, row long_run * 2 (the first of the segment repeated 3 times).
  const Eigen::MatrixXd back = fusednmf::io::read_npy(dir / "f2.npy");
  CHECK(std::signbit(back(2 * long_run, 2)));
  CHECK_FALSE(std::signbit(back(0, 2)));
  // No repeats: each row once; double output.
  fusednmf::io::write_npy_columns<double>(dir / "plain.npy", W);
  CHECK(fusednmf::io::read_npy(dir / "plain.npy") == W);
  fs::remove_all(dir);
}

TEST_CASE("write_npy_columns: columns longer than one piece, on several threads", "[io]") {
  // 2^21 elements a piece: 5 M rows x 2 columns make three pieces a column, six tasks.
  const fs::path dir = scratch_dir("columns_large");
  Eigen::MatrixXf W(4, 2);
  W << 0.5f, 0, 2, 3, 0, 0, 4, 5;
  const std::vector<std::int64_t> repeats{1500000, 1000001, 1200000, 1299999};
  fusednmf::io::write_npy_columns<float>(dir / "one.npy", W, repeats, 1);
  fusednmf::io::write_npy_columns<float>(dir / "two.npy", W, repeats, 2);
  CHECK(file_bytes(dir / "one.npy") == file_bytes(dir / "two.npy"));
  const Eigen::MatrixXd back = fusednmf::io::read_npy(dir / "two.npy");
  REQUIRE(back.rows() == 5000000);
  std::int64_t at = 0;
  for (Eigen::Index s = 0; s < W.rows(); ++s) {
    const Eigen::RowVectorXd row = W.row(s).cast<double>();
    CHECK((back.middleRows(at, repeats[std::size_t(s)]).rowwise() - row).cwiseAbs().maxCoeff() == 0.0);
    at += repeats[std::size_t(s)];
  }
  fs::remove_all(dir);
}
