#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include <fusednmf/io/bed.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {
// Files in one folder per test process, removed when the process ends.
fs::path write_file(const std::string& name, const std::string& text) {
  static const fusednmf::testing::TempDir dir("bed");
  std::ofstream(dir.path / name) << text;
  return dir.path / name;
}
}  // namespace

TEST_CASE("BED files: intervals sorted and merged, comments and headers skipped", "[io][bed]") {
  const auto path = write_file("ok.bed", "track name=x\n# c\nchr2\t50\t60\tname\t0\t+\nchr1\t30\t40\r\n\nchr1\t10\t35\nchr1\t45\t46\n");
  const auto bed = fusednmf::io::read_bed(path);
  REQUIRE(bed.at("chr1").size() == 2);
  CHECK(bed.at("chr1")[0] == std::pair<std::int64_t, std::int64_t>{10, 40});
  CHECK(bed.at("chr1")[1] == std::pair<std::int64_t, std::int64_t>{45, 46});
  CHECK(bed.at("chr2").size() == 1);
}

TEST_CASE("BED files: errors name the file and line", "[io][bed]") {
  CHECK_THROWS_WITH(fusednmf::io::read_bed("/nonexistent/x.bed"), Contains("cannot open BED file /nonexistent/x.bed"));
  CHECK_THROWS_WITH(fusednmf::io::read_bed(write_file("a.bed", "chr1\t10\t5\n")), Contains("a.bed:1: end 5 is not after start 10"));
  CHECK_THROWS_WITH(fusednmf::io::read_bed(write_file("b.bed", "chr1\t10\t20\nchr1\t-3\t5\n")), Contains("b.bed:2: start '-3'"));
  CHECK_THROWS_WITH(fusednmf::io::read_bed(write_file("c.bed", "chr1\t10\n")), Contains("c.bed:1: end ''"));
}
