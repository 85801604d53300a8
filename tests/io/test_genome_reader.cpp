// io::read_genome: every chromosome asked for, read into bins (or segments at bin 1), masked
// where a BED file excludes it, and shared out over the processes of a ProcessGroup.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/io/bigwig_writer.hpp>
#include <fusednmf/io/genome_reader.hpp>

#include "support/in_process_allreduce.hpp"
#include "support/temp_dir.hpp"

namespace {

// Two tracks on three chromosomes: signal on chr1 and chrX, none on chr2.
struct GenomeFiles {
  fusednmf::testing::TempDir scratch{"genome_reader"};
  std::vector<fusednmf::io::Chromosome> chroms{{"chr1", 10000}, {"chr2", 5000}, {"chrX", 3000}};
  std::vector<std::filesystem::path> files{scratch.path / "a.bw", scratch.path / "b.bw"};
  GenomeFiles() {
    fusednmf::io::Runs a1, a3, b1;
    a1.add(100, 700, 2.f), a1.add(4000, 4500, 1.f);
    a3.add(0, 3000, 0.5f);
    b1.add(650, 900, 3.f);
    fusednmf::io::write_bigwig(files[0], chroms, {a1, {}, a3});
    fusednmf::io::write_bigwig(files[1], chroms, {b1, {}, {}});
  }
};

}  // namespace

TEST_CASE("read_genome reads every chromosome asked for, in bins or segments, with its totals", "[io][genome]") {
  const GenomeFiles g;
  fusednmf::io::GenomeReadOptions o;
  o.bin = 100;
  o.threads = 1;
  const auto read = fusednmf::io::read_genome(g.files, {"chrX", "chr1", "chr2"}, o);
  CHECK(read.names == std::vector<std::string>{"chrX", "chr1", "chr2"});  // the order asked
  REQUIRE(read.tracks.size() == 3);
  CHECK(read.tracks[0].expanded_rows() == 3000);
  CHECK(read.tracks[1].expanded_rows() == 10000);
  CHECK(read.tracks[2].expanded_rows() == 5000);
  CHECK(read.bases == 18000);
  CHECK(read.any_signal);
  CHECK(read.without_signal == std::vector<std::string>{"chr2"});
  // Bin [600, 700) of chr1: file a is 2 throughout, file b covers 650-700 with 3 (the rest empty: 0).
  const auto& chr1 = read.tracks[1];
  Eigen::Index row = 0;
  for (std::int64_t base = 0; base < 600; base += std::int64_t(chr1.lengths[row++])) {}
  CHECK(chr1.values(row, 0) == 2.f);
  CHECK(chr1.values(row, 1) == Approx(1.5f));

  // Leave out chromosomes without signal; at bin 1, run-length segments of the same bases.
  o.skip_without_signal = true;
  o.bin = 1;
  const auto segments = fusednmf::io::read_genome(g.files, {"chr1", "chr2", "chrX"}, o);
  CHECK(segments.names == std::vector<std::string>{"chr1", "chrX"});
  CHECK(segments.bases == 13000);
  CHECK(segments.tracks[1].segments() == 1);  // chrX: one value over the whole chromosome

  // An excluded interval is missing (NaN), not 0, and counted.
  o.bin = 100;
  o.skip_without_signal = false;
  o.exclude["chr1"] = {{4000, 4200}};
  const auto masked = fusednmf::io::read_genome(g.files, {"chr1"}, o);
  CHECK(masked.excluded_bases == 200);
  CHECK(masked.missing_entries == 2 * 200);  // bases x tracks
  CHECK_THROWS_WITH(fusednmf::io::read_genome(g.files, {"chr9"}, o), Catch::Matchers::Contains("chr9"));
}

TEST_CASE("read_genome shares chromosomes over processes, with the totals of all of them", "[io][genome]") {
  const GenomeFiles g;
  fusednmf::io::GenomeReadOptions o;
  o.bin = 100;
  o.threads = 1;
  const std::vector<std::string> asked{"chr1", "chr2", "chrX"};
  const auto alone = fusednmf::io::read_genome(g.files, asked, o);
  fusednmf::testing::InProcessAllReduce allreduce(2);
  std::vector<fusednmf::io::GenomeRead> parts(2);
  std::vector<std::thread> processes;
  for (int rank = 0; rank < 2; ++rank)
    processes.emplace_back([&, rank] {
      const fusednmf::ProcessGroup group{rank, 2, allreduce.for_party(rank)};
      parts[std::size_t(rank)] = fusednmf::io::read_genome(g.files, asked, o, group);
    });
  for (auto& p : processes) p.join();
  // Every chromosome is read by exactly one process, the same as read alone; the totals are all of them.
  std::vector<std::string> names;
  for (const auto& part : parts) {
    CHECK_FALSE(part.names.empty());  // no process is left without work
    CHECK(part.bases == alone.bases);
    CHECK(part.rows == alone.rows);
    CHECK(part.without_signal == alone.without_signal);
    for (std::size_t c = 0; c < part.names.size(); ++c) {
      names.push_back(part.names[c]);
      const auto at = std::size_t(std::find(asked.begin(), asked.end(), part.names[c]) - asked.begin());
      CHECK(part.tracks[c].values == alone.tracks[at].values);
      CHECK(part.tracks[c].lengths == alone.tracks[at].lengths);
    }
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"chr1", "chr2", "chrX"});
}
