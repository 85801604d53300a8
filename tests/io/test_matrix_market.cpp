#include <filesystem>
#include <fstream>
#include <string>

#include <zlib.h>

#include <catch2/catch.hpp>

#include <fusednmf/io/matrix_market.hpp>

#include "support/temp_dir.hpp"

using namespace fusednmf;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void write_gzip(const fs::path& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), unsigned(text.size())) == int(text.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

const std::string kSmall =
    "%%MatrixMarket matrix coordinate integer general\n"
    "% written by a test\n"
    "%\n"
    "3 4 4\n"
    "1 1 5\n"
    "3 1 2\r\n"  // a Windows line end
    "2 3 7\n"
    "\n"
    "3 4 1\n";

Eigen::MatrixXd small_dense() {
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(3, 4);
  d(0, 0) = 5, d(2, 0) = 2, d(1, 2) = 7, d(2, 3) = 1;
  return d;
}

}  // namespace

TEST_CASE("Matrix Market: coordinate files read as sparse, plain or gzip-compressed", "[matrix_market]") {
  const testing::TempDir scratch("mtx_read");
  const fs::path& dir = scratch.path;
  write_text(dir / "m.mtx", kSmall);
  write_gzip(dir / "m.mtx.gz", kSmall);
  for (const char* name : {"m.mtx", "m.mtx.gz"}) {
    INFO(name);
    const Eigen::SparseMatrix<double> m = io::read_matrix_market(dir / name);
    CHECK(m.nonZeros() == 4);
    CHECK(Eigen::MatrixXd(m) == small_dense());
  }
  // A pattern matrix: every stored entry counts 1. Real values and a '+' sign read too.
  write_text(dir / "p.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 2\n2 1\n");
  CHECK(Eigen::MatrixXd(io::read_matrix_market(dir / "p.mtx")) == (Eigen::MatrixXd(2, 2) << 0, 1, 1, 0).finished());
  write_text(dir / "r.mtx", "%%MATRIXMARKET Matrix Coordinate Real General\n1 2 1\n1 2 +2.5\n");
  CHECK(io::read_matrix_market(dir / "r.mtx").coeff(0, 1) == 2.5);
  write_text(dir / "none.mtx", "%%MatrixMarket matrix coordinate integer general\n4 5 0\n");
  const auto none = io::read_matrix_market(dir / "none.mtx");
  CHECK(none.rows() == 4);
  CHECK(none.cols() == 5);
  CHECK(none.nonZeros() == 0);
}

TEST_CASE("Matrix Market: every malformed file is an error naming the file and line", "[matrix_market]") {
  const testing::TempDir scratch("mtx_errors");
  const fs::path& dir = scratch.path;
  const std::string banner = "%%MatrixMarket matrix coordinate integer general\n";
  struct Case {
    const char* text_after_banner;
    const char* message;
  };
  const Case cases[] = {
      {"3 4\n", "line 2: the size line needs 3 numbers"},
      {"3 x 1\n1 1 1\n", "line 2: columns 'x' is not a whole number"},
      {"0 4 0\n", "line 2: rows 0 is outside 1.."},
      {"3 4 13\n", "entries '13' must be a whole number in 0..12"},
      {"3 4 2\n1 1 1\n4 1 1\n", "line 4: row 4 is outside 1..3"},
      {"3 4 2\n1 1 1\n1 0 1\n", "line 4: column 0 is outside 1..4"},
      {"3 4 1\n1 1 -2\n", "line 3: value '-2' is negative"},
      {"3 4 1\n1 1 nan\n", "line 3: value 'nan' is not finite"},
      {"3 4 1\n1 1 five\n", "line 3: value 'five' is not a number"},
      {"3 4 1\n1 1 1e308\n", "above 2^53"},
      {"3 4 1\n1 1\n", "line 3: expected 3 fields (row column value), found 2"},
      {"3 4 3\n1 1 1\n2 2 2\n", "ends after 2 of the 3 entries"},
      {"3 4 1\n1 1 1\n2 2 2\n", "line 4: more entries than the 1"},
      {"3 4 3\n2 2 1\n1 1 1\n2 2 4\n", "line 5: entry (2, 2) is also on line 3"},
      {"% only comments\n", "has no size line"},
      {"999999999999 1 0\n", "rows 999999999999 is outside 1..134217728"},
  };
  for (const Case& c : cases) {
    INFO(c.text_after_banner);
    write_text(dir / "bad.mtx", banner + c.text_after_banner);
    CHECK_THROWS_WITH(io::read_matrix_market(dir / "bad.mtx"), Contains("bad.mtx") && Contains(c.message));
  }
  const Case banners[] = {
      {"", "is empty"},
      {"3 4 1\n1 1 1\n", "line 1: not a Matrix Market file"},
      {"%%MatrixMarket matrix array integer general\n2 2\n1\n2\n3\n4\n", "only sparse 'coordinate' matrices"},
      {"%%MatrixMarket matrix coordinate complex general\n", "field 'complex'"},
      {"%%MatrixMarket matrix coordinate integer symmetric\n", "symmetry 'symmetric'"},
      {"%%MatrixMarket vector coordinate integer general\n", "expected '%%MatrixMarket matrix coordinate"},
  };
  for (const Case& c : banners) {
    INFO(c.text_after_banner);
    write_text(dir / "bad.mtx", c.text_after_banner);
    CHECK_THROWS_WITH(io::read_matrix_market(dir / "bad.mtx"), Contains("bad.mtx") && Contains(c.message));
  }
  // A gzip file cut short is an error too, never a matrix with fewer entries.
  write_gzip(dir / "whole.mtx.gz", kSmall);
  std::string bytes;
  {
    std::ifstream in(dir / "whole.mtx.gz", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  write_text(dir / "cut.mtx.gz", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH(io::read_matrix_market(dir / "cut.mtx.gz"), Contains("cut.mtx.gz"));
  CHECK_THROWS_WITH(io::read_matrix_market(dir / "missing.mtx"), Contains("cannot open") && Contains("missing.mtx"));
}

TEST_CASE("10x folders: matrix, features and barcodes read together, their sizes checked", "[matrix_market]") {
  const testing::TempDir scratch("mtx_tenx");
  const fs::path& dir = scratch.path;
  write_gzip(dir / "matrix.mtx.gz", kSmall);
  write_gzip(dir / "features.tsv.gz",
             "ENSG01\tTP53\tGene Expression\nENSG02\tMYC\tGene Expression\nENSG03\tGATA1\tGene Expression\n");
  write_text(dir / "barcodes.tsv", "AAAC-1\nAAAG-1\nAACT-1\nAAGT-1\n");
  io::SparseCountTable t = io::read_10x_folder(dir);
  CHECK(t.genes == std::vector<std::string>{"TP53", "MYC", "GATA1"});
  CHECK(t.samples == std::vector<std::string>{"AAAC-1", "AAAG-1", "AACT-1", "AAGT-1"});
  CHECK(Eigen::MatrixXd(t.counts) == small_dense());

  // Symbols that repeat: genes are named by their ids instead.
  write_gzip(dir / "features.tsv.gz", "ENSG01\tTP53\nENSG02\tTP53\nENSG03\tGATA1\n");
  CHECK(io::read_10x_folder(dir).genes == std::vector<std::string>{"ENSG01", "ENSG02", "ENSG03"});

  // A list of another length than the matrix's.
  write_text(dir / "barcodes.tsv", "AAAC-1\nAAAG-1\n");
  CHECK_THROWS_WITH(io::read_10x_folder(dir), Contains("barcodes.tsv lists 2 barcodes but") && Contains("has 4"));
  fs::remove(dir / "barcodes.tsv");
  CHECK_THROWS_WITH(io::read_10x_folder(dir), Contains("no barcodes.tsv"));
  CHECK_THROWS_WITH(io::read_10x_folder(dir / "nope"), Contains("is not a folder"));
}
