#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <catch2/catch.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/segmented_matrix.hpp>

#include "../../examples/common/bigwig_writer.hpp"

namespace fs = std::filesystem;
using fusednmf::examples::Chromosome;
using fusednmf::examples::Runs;

namespace {

// Each test case runs in its own process under ctest, possibly at the same time: one directory
// per process.
struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("fusednmf_test_bigwig_" + std::to_string(::getpid()));
  std::vector<Chromosome> chroms{{"chr1", 10000}, {"chr2", 5000}, {"chrX", 3000}};
  Fixture() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    Runs a, b;  // on chr1
    a.add(100, 200, 1.f), a.add(200, 300, 2.f), a.add(500, 1000, 0.5f), a.add(1000, 1100, -3.f);
    b.add(150, 250, 4.f), b.add(900, 1200, std::numeric_limits<float>::quiet_NaN());
    fusednmf::examples::write_bigwig(dir / "a.bw", chroms, {a, {}, {}});
    fusednmf::examples::write_bigwig(dir / "b.bw", chroms, {b, {}, {}});
  }
  ~Fixture() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("read_region builds exact segments from every file's intervals", "[io][bigwig]") {
  Fixture f;
  fusednmf::io::RegionReport report;
  auto Y = fusednmf::io::read_region({f.dir / "a.bw", f.dir / "b.bw"}, "chr1", 50, 1500, 2, &report);
  Eigen::MatrixXf dense = fusednmf::expand_rows(Y.values, Y.lengths);
  REQUIRE(dense.rows() == 1450);
  auto at = [&](int base, int col) { return dense(base - 50, col); };
  CHECK(at(50, 0) == 0.f);   // before any interval
  CHECK(at(120, 0) == 1.f);
  CHECK(at(120, 1) == 0.f);
  CHECK(at(160, 1) == 4.f);
  CHECK(at(250, 0) == 2.f);
  CHECK(at(249, 1) == 4.f);
  CHECK(at(250, 1) == 0.f);
  CHECK(at(700, 0) == 0.5f);
  CHECK(at(1050, 0) == 0.f);  // negative, clipped
  CHECK(at(1000, 1) == 0.f);  // NaN, zeroed
  CHECK(report.negative_values_clipped == 100);
  CHECK(report.nan_values_zeroed == 300);
  // Segments are maximal: no two neighbours are equal.
  for (Eigen::Index s = 1; s < Y.segments(); ++s) CHECK(Y.values.row(s) != Y.values.row(s - 1));
}

TEST_CASE("read_region reads to the chromosome's end and rejects bad regions naming the file", "[io][bigwig]") {
  using Catch::Matchers::Contains;
  Fixture f;
  auto whole = fusednmf::io::read_region({f.dir / "a.bw"}, "chr2", 0, -1);
  CHECK(whole.expanded_rows() == 5000);
  CHECK(whole.segments() == 1);
  CHECK_THROWS_WITH(fusednmf::io::read_region({f.dir / "a.bw"}, "chr9", 0, 100),
                    Contains("a.bw") && Contains("chr9") && Contains("chr1"));
  CHECK_THROWS_WITH(fusednmf::io::read_region({f.dir / "a.bw"}, "chr1", 0, 20000), Contains("past the end"));
  CHECK_THROWS_WITH(fusednmf::io::read_region({f.dir / "a.bw"}, "chr1", 500, 500), Contains("greater than"));
  CHECK_THROWS_WITH(fusednmf::io::read_region({f.dir / "a.bw"}, "chr1", -1, 500), Contains("negative"));
  std::ofstream(f.dir / "fake.bw") << "this is not a bigWig file\n";
  CHECK_THROWS_WITH(fusednmf::io::read_region({f.dir / "a.bw", f.dir / "fake.bw"}, "chr1", 0, 100),
                    Contains("fake.bw") && Contains("not a readable bigWig"));
  CHECK_THROWS_WITH(fusednmf::io::read_region({}, "chr1", 0, 100), Contains("no bigWig"));
}

TEST_CASE("runs longer than 2^24 bases are split so float lengths stay exact", "[io][bigwig]") {
  fs::path dir = fs::temp_directory_path() / ("fusednmf_test_bigwig_long_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Runs r;
  r.add(0, 40000000, 1.f);
  fusednmf::examples::write_bigwig(dir / "long.bw", {{"chr1", 40000000}}, {r});
  auto Y = fusednmf::io::read_region({dir / "long.bw"}, "chr1", 0, -1);
  CHECK(Y.expanded_rows() == 40000000);
  for (Eigen::Index s = 0; s < Y.segments(); ++s) CHECK(Y.lengths[s] <= float(1 << 24));
  fs::remove_all(dir);
}
