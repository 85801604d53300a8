#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include <fusednmf/io/count_table.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace fusednmf;

namespace {

// One folder per test process, removed when the process ends.
const fs::path& scratch() {
  static const fusednmf::testing::TempDir dir("count_table");
  return dir.path;
}

fs::path write(const std::string& name, const std::string& text) {
  const fs::path p = scratch() / name;
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("count tables round-trip, TSV and CSV, with comments, blank lines and CRLF", "[io]") {
  io::CountTable t;
  t.genes = {"TP53", "BRCA1", "MYC"};
  t.samples = {"a", "b"};
  t.counts.resize(3, 2);
  t.counts << 0, 12, 3.5, 1e6, 7, 123456789;
  const fs::path p = scratch() / "table.tsv";
  io::write_count_table(p, t);
  const auto back = io::read_count_table(p);
  CHECK(back.genes == t.genes);
  CHECK(back.samples == t.samples);
  CHECK(back.counts == t.counts);

  const auto csv = io::read_count_table(
      write("t.csv", "# made by hand\r\ngene,s1,s2,s3\r\n\r\ng1,1,2,3\r\ng2, 4 ,+5,6e0\r\n"));
  CHECK(csv.samples == std::vector<std::string>{"s1", "s2", "s3"});
  REQUIRE(csv.counts.rows() == 2);
  CHECK(csv.counts(1, 0) == 4);
  CHECK(csv.counts(1, 1) == 5);
  CHECK(csv.counts(1, 2) == 6);
}

TEST_CASE("bad count tables name the file, the line and the sample", "[io]") {
  CHECK_THROWS_WITH(io::read_count_table(write("ragged.tsv", "g\ts1\ts2\na\t1\t2\nb\t1\n")),
                    Contains("ragged.tsv line 3") && Contains("expected 3 fields") && Contains("found 2"));
  CHECK_THROWS_WITH(io::read_count_table(write("word.tsv", "g\ts1\ts2\na\t1\tten\n")),
                    Contains("line 2, sample 's2': 'ten' is not a number"));
  CHECK_THROWS_WITH(io::read_count_table(write("neg.tsv", "g\ts1\na\t-3\n")), Contains("'-3' is negative"));
  CHECK_THROWS_WITH(io::read_count_table(write("nan.tsv", "g\ts1\na\tnan\n")), Contains("is a missing value"));
  CHECK_THROWS_WITH(io::read_count_table(write("inf.tsv", "g\ts1\na\tinf\n")), Contains("not finite"));
  CHECK_THROWS_WITH(io::read_count_table(write("blank.tsv", "g\ts1\na\t\n")), Contains("'' is a missing value"));
  CHECK_THROWS_WITH(io::read_count_table(write("empty.tsv", "")), Contains("empty"));
  CHECK_THROWS_WITH(io::read_count_table(write("header.tsv", "gene\ts1\n")), Contains("no gene rows"));
  CHECK_THROWS_WITH(io::read_count_table(write("one.tsv", "gene\n")), Contains("at least one sample"));
  CHECK_THROWS_WITH(io::read_count_table(write("noname.tsv", "g\ts1\n\t4\n")), Contains("gene name is empty"));
  CHECK_THROWS_WITH(io::read_count_table(scratch() / "missing.tsv"), Contains("cannot open"));
  CHECK_THROWS_WITH(io::read_count_table(write("huge.tsv", "g\ts1\na\t1e308\n")), Contains("'1e308' is above 2^53"));
  CHECK_THROWS_WITH(io::read_count_table(write("dup.tsv", "g\ts1\na\t1\nb\t2\na\t3\n")),
                    Contains("dup.tsv line 4") && Contains("gene 'a' is also on line 2"));
  CHECK_THROWS_WITH(io::read_count_table(write("dups.csv", "g,s1,s2,s1\na,1,2,3\n")), Contains("sample 's1' is named twice"));
  CHECK_THROWS_WITH(io::read_count_table(write("nul.tsv", std::string("g\ts1\na") + '\0' + "b\t1\n")), Contains("NUL byte"));
}

TEST_CASE("missing values (empty, NA, N/A, NaN) read as NaN when allowed, and are an error otherwise", "[io]") {
  const auto path = write("missing.tsv", "gene\ts1\ts2\ts3\na\t1\t\tNA\nb\tnan\tN/A\t4\nc\t2\t3\t5\n");
  CHECK_THROWS_WITH(io::read_count_table(path), Contains("line 2, sample 's2': '' is a missing value"));
  const auto table = io::read_count_table(path, true);
  REQUIRE(table.counts.rows() == 3);
  CHECK(table.counts(0, 0) == 1);
  CHECK(std::isnan(table.counts(0, 1)));
  CHECK(std::isnan(table.counts(0, 2)));
  CHECK(std::isnan(table.counts(1, 0)));
  CHECK(std::isnan(table.counts(1, 1)));
  CHECK(table.counts(1, 2) == 4);
  CHECK(table.counts.row(2).sum() == 10);
  // Still errors: words, infinities and negative numbers are not missing values.
  CHECK_THROWS_WITH(io::read_count_table(write("word.tsv", "g\ts1\na\tnone\n"), true), Contains("is not a number"));
  CHECK_THROWS_WITH(io::read_count_table(write("inf.tsv", "g\ts1\na\tinf\n"), true), Contains("is not finite"));
  CHECK_THROWS_WITH(io::read_count_table(write("neg.tsv", "g\ts1\na\t-1\n"), true), Contains("is negative"));
}
