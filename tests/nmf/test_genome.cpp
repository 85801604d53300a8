#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/genome.hpp>

using namespace fusednmf;

TEST_CASE("GenomeSegments lays chromosomes end to end", "[genome]") {
  GenomeSegments<double> g;
  CHECK(g.chain_starts().empty());  // an empty genome has no cut (once an inverted range)
  SegmentedMatrix<double> a, b;
  a.values = Eigen::MatrixXd::Ones(3, 2);
  a.lengths = Eigen::VectorXd::Constant(3, 5.0);
  b.values = Eigen::MatrixXd::Zero(2, 2);
  b.lengths = Eigen::VectorXd::Constant(2, 7.0);
  g.append("chr1", 0, a);
  CHECK(g.chain_starts().empty());
  g.append("chr2", 100, b);
  CHECK(g.Y.segments() == 5);
  CHECK(g.Y.expanded_rows() == 29);
  CHECK(g.chain_starts() == std::vector<Eigen::Index>{3});
  CHECK(g.first_segment(1) == 3);
  CHECK(g.segment_count(1) == 2);
  CHECK(g.starts[1] == 100);
  SegmentedMatrix<double> wrong;
  wrong.values = Eigen::MatrixXd::Zero(1, 3);
  wrong.lengths = Eigen::VectorXd::Ones(1);
  CHECK_THROWS_WITH(g.append("chr3", 0, wrong), Catch::Matchers::Contains("chr3 has 3 tracks"));

  // concatenate() builds the same genome in one allocation, freeing the parts.
  std::vector<SegmentedMatrix<double>> parts{a, b};
  const auto once = GenomeSegments<double>::concatenate({"chr1", "chr2"}, {0, 100}, std::move(parts));
  CHECK(once.Y.values == g.Y.values);
  CHECK(once.Y.lengths == g.Y.lengths);
  CHECK(once.offsets == g.offsets);
  CHECK(once.names == g.names);
  CHECK(once.starts == g.starts);
  CHECK(parts[0].segments() == 0);
  std::vector<SegmentedMatrix<double>> mismatched{a, wrong};
  CHECK_THROWS_WITH(GenomeSegments<double>::concatenate({"chr1", "chr3"}, {0, 0}, std::move(mismatched)),
                    Catch::Matchers::Contains("chr3 has 3 tracks"));
}
