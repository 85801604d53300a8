#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include <fusednmf/io/npy.hpp>

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

TEST_CASE("write_npy fails cleanly: missing directory, directory target, no temp file left", "[io]") {
  using Catch::Matchers::Contains;
  const fs::path dir = scratch_dir("errors");
  Eigen::MatrixXf W = Eigen::MatrixXf::Ones(2, 2);
  CHECK_THROWS_WITH(fusednmf::io::write_npy<float>(dir / "missing" / "w.npy", W), Contains("does not exist"));
  fs::create_directories(dir / "adir");
  CHECK_THROWS_WITH(fusednmf::io::write_npy<float>(dir / "adir", W), Contains("is a directory"));
  CHECK_THROWS_AS(fusednmf::io::write_npy<float>(dir / "w.npy", W, std::vector<std::int64_t>{1}), std::invalid_argument);
  CHECK_THROWS_WITH(fusednmf::io::write_npy<float>(dir / "w.npy", W, std::vector<std::int64_t>{2, -1}), Contains("row 1 repeated -1 times"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);  // only adir: no output and no temporary file
  fs::remove_all(dir);
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
  fs::remove_all(dir);
}
