#include <algorithm>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/partition.hpp>

using namespace fusednmf;

TEST_CASE("chromosomes are shared out by segment count, and no process is left idle", "[partition]") {
  const std::vector<std::int64_t> counts{100, 900, 300, 300, 250, 50};
  const auto owner = balance_by_segments(counts, 2);
  std::int64_t load[2] = {0, 0};
  for (std::size_t c = 0; c < counts.size(); ++c) load[owner[c]] += counts[c];
  CHECK(std::max(load[0], load[1]) == 950);  // 900 + 50 | 300 + 300 + 250 + 100
  CHECK(balance_by_segments(counts, 6) == std::vector<int>{4, 0, 1, 2, 3, 5});
  CHECK(balance_by_segments(counts, 1) == std::vector<int>(6, 0));
  CHECK_THROWS_WITH(balance_by_segments(counts, 7), Catch::Matchers::Contains("a process would have no work"));
}
