#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include <catch2/catch.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/preprocess.hpp>
#include <fusednmf/segmented_matrix.hpp>

#include <fusednmf/io/bigwig_writer.hpp>

namespace fs = std::filesystem;
using fusednmf::io::Chromosome;
using fusednmf::io::Runs;

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
    fusednmf::io::write_bigwig(dir / "a.bw", chroms, {a, {}, {}});
    fusednmf::io::write_bigwig(dir / "b.bw", chroms, {b, {}, {}});
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
  fusednmf::io::write_bigwig(dir / "long.bw", {{"chr1", 40000000}}, {r});
  auto Y = fusednmf::io::read_region({dir / "long.bw"}, "chr1", 0, -1);
  CHECK(Y.expanded_rows() == 40000000);
  for (Eigen::Index s = 0; s < Y.segments(); ++s) CHECK(Y.lengths[s] <= float(1 << 24));
  fs::remove_all(dir);
}

TEST_CASE("factor tracks read back as W over the region, with zoom levels, all or none", "[io][bigwig]") {
  Fixture f;
  // W on 40 segments of random lengths (some equal neighbours, which merge into one interval).
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> len(1, 100);
  std::uniform_real_distribution<double> val(0.0, 2.0);
  const Eigen::Index segments = 40, k = 3;
  Eigen::MatrixXd W(segments, k);
  std::vector<std::int64_t> lengths;
  std::int64_t total = 0;
  for (Eigen::Index s = 0; s < segments; ++s) {
    for (Eigen::Index j = 0; j < k; ++j) W(s, j) = (s % 7 == 3) ? W(s - 1, j) : val(rng);
    lengths.push_back(len(rng));
    total += lengths.back();
  }
  const fs::path out = f.dir / "factors";
  fs::create_directories(out);
  const auto paths = fusednmf::io::write_factor_tracks(out, "run", f.chroms, "chr2", 200, W, lengths);
  REQUIRE(paths.size() == 3);
  CHECK(paths[2] == out / "run.factor3.bw");
  const Eigen::MatrixXd expected = fusednmf::expand_rows(W, lengths);
  for (Eigen::Index j = 0; j < k; ++j) {
    auto back = fusednmf::io::read_region({paths[std::size_t(j)]}, "chr2", 200, 200 + total, 1);
    const Eigen::MatrixXf dense = fusednmf::expand_rows(back.values, back.lengths);
    REQUIRE(dense.rows() == total);
    CHECK((dense.col(0) - expected.col(j).cast<float>()).cwiseAbs().maxCoeff() == 0.f);  // float-exact
    CHECK(fusednmf::io::BigWigFile(paths[std::size_t(j)]).chromosomes().size() == 3);   // the inputs' header
    bigWigFile_t* fp = bwOpen(paths[std::size_t(j)].c_str(), nullptr, "r");
    REQUIRE(fp);
    CHECK(fp->hdr->nLevels > 0);  // zoom levels for browsers
    bwClose(fp);
  }
  // Nothing outside the region.
  auto before = fusednmf::io::read_region({paths[0]}, "chr2", 0, 200, 1);
  CHECK(before.values.maxCoeff() == 0.f);
  // Staged in an output set: nothing at the final names until the set is committed, then the
  // same tracks.
  const fs::path staged_dir = f.dir / "staged";
  fs::create_directories(staged_dir);
  fusednmf::io::OutputSet set;
  const auto staged = fusednmf::io::write_factor_tracks(staged_dir, "run", f.chroms, {fusednmf::io::TrackSpan{"chr2", 200, 0, segments}},
                                                        W, lengths, &set);
  REQUIRE(staged.size() == 3);
  CHECK_FALSE(fs::exists(staged[0]));
  set.commit();
  for (std::size_t j = 0; j < staged.size(); ++j)
    CHECK(fusednmf::io::read_region({staged[j]}, "chr2", 200, 200 + total, 1).values ==
          fusednmf::io::read_region({paths[j]}, "chr2", 200, 200 + total, 1).values);

  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(fusednmf::io::write_factor_tracks(f.dir / "nope", "run", f.chroms, "chr2", 0, W, lengths),
                    Contains("does not exist"));
  CHECK_THROWS_WITH(fusednmf::io::write_factor_tracks(out, "run", f.chroms, "chr9", 0, W, lengths),
                    Contains("'chr9' is not in the header"));
  CHECK_THROWS_WITH(fusednmf::io::write_factor_tracks(out, "run", f.chroms, "chr2", 4990, W, lengths),
                    Contains("past the chromosome's end"));
  // A clash (factor 2's name is taken by a directory) leaves no new file and no temporary.
  const fs::path clash = f.dir / "clash";
  fs::create_directories(clash / "x.factor2.bw");
  CHECK_THROWS_WITH(fusednmf::io::write_factor_tracks(clash, "x", f.chroms, "chr2", 0, W, lengths),
                    Contains("x.factor2.bw is a directory"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(clash)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE_METHOD(Fixture, "with missing_as_nan, bases without data and NaN values are missing, not 0", "[io][missing]") {
  const auto Y = fusednmf::io::read_region({dir / "a.bw", dir / "b.bw"}, "chr1", 0, 2000, 1, nullptr, true);
  const Eigen::MatrixXf dense = fusednmf::expand_rows(Y.values, Y.lengths);
  REQUIRE(dense.rows() == 2000);
  CHECK(std::isnan(dense(50, 0)));     // before a's first interval
  CHECK(dense(150, 0) == 1.f);
  CHECK(std::isnan(dense(400, 0)));    // a's gap
  CHECK(dense(1050, 0) == 0.f);        // negative: clipped, still data
  CHECK(std::isnan(dense(950, 1)));    // b's NaN interval
  CHECK(dense(200, 1) == 4.f);
  CHECK(std::isnan(dense(1500, 1)));
  // Bins average their observed bases only; a bin without any is missing.
  const auto binned = fusednmf::average_into_bins(Y, 200);
  CHECK(binned.values(0, 0) == Approx(1.0));          // bases 100-199 observed, all 1
  CHECK(binned.values(1, 0) == Approx(2.0));          // 200-299 observed
  CHECK(binned.values(2, 0) == Approx(0.5));          // 400-599: a has data from 500 only
  CHECK(std::isnan(binned.values(7, 1)));             // 1400-1599: b has none
  // The default still reads them as 0.
  const auto zeros = fusednmf::io::read_region({dir / "a.bw", dir / "b.bw"}, "chr1", 0, 2000, 1);
  CHECK_FALSE(zeros.values.array().isNaN().any());
}
