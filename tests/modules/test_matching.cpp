#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/modules/matching.hpp>

using namespace fusednmf;

namespace {

double best_by_brute_force(const Eigen::MatrixXd& s) {
  const int n = int(std::max(s.rows(), s.cols()));
  std::vector<int> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  double best = -1e300;
  do {
    double total = 0;
    for (int i = 0; i < s.rows(); ++i)
      if (perm[std::size_t(i)] < s.cols()) total += s(i, perm[std::size_t(i)]);
    best = std::max(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

}  // namespace

TEST_CASE("the Hungarian matching reaches the brute-force optimum", "[matching]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-1.0, 5.0);
  for (auto [rows, cols] : {std::pair{5, 5}, {3, 6}, {6, 3}, {1, 1}, {7, 7}}) {
    for (int trial = 0; trial < 20; ++trial) {
      Eigen::MatrixXd s(rows, cols);
      for (Eigen::Index i = 0; i < s.size(); ++i) s(i) = std::floor(u(rng));  // ties too
      const auto match = modules::match_max_similarity(s);
      REQUIRE(match.size() == std::size_t(rows));
      double total = 0;
      std::vector<int> used(std::size_t(cols), 0);
      int matched = 0;
      for (int i = 0; i < rows; ++i) {
        const int j = match[std::size_t(i)];
        if (j < 0) continue;
        REQUIRE(j < cols);
        CHECK(++used[std::size_t(j)] == 1);  // a column at most once
        total += s(i, j);
        ++matched;
      }
      CHECK(matched == std::min(rows, cols));
      CHECK(total == Approx(best_by_brute_force(s)));
    }
  }
}
