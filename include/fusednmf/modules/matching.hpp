#pragma once
// Matching of fitted modules to reference modules: the assignment of rows to columns with the
// largest total similarity (Kuhn-Munkres / Hungarian algorithm with potentials, O(n^3)), for
// rectangular matrices too. Module counts are small (tens), so exactness costs nothing.
#include <algorithm>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace fusednmf::modules {

/// For each row of `similarity` (rows x cols, finite), the column it is matched to, or -1 when
/// there are more rows than columns and the row is left out. Maximises the sum of matched entries.
inline std::vector<int> match_max_similarity(const Eigen::MatrixXd& similarity) {
  const int rows = int(similarity.rows()), cols = int(similarity.cols());
  const int n = std::max(rows, cols);
  std::vector<int> match(std::size_t(rows), -1);
  if (n == 0) return match;
  // Minimise cost = max - similarity on the matrix padded to n x n with cost max (similarity 0
  // is not special: padding uses the largest cost so real pairs are preferred only by value).
  const double top = similarity.size() ? similarity.maxCoeff() : 0.0;
  auto cost = [&](int i, int j) { return (i < rows && j < cols) ? top - similarity(i, j) : top; };
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based arrays, index 0 is the virtual start column.
  std::vector<double> u(std::size_t(n) + 1, 0.0), v(std::size_t(n) + 1, 0.0);
  std::vector<int> owner(std::size_t(n) + 1, 0), way(std::size_t(n) + 1, 0);
  for (int i = 1; i <= n; ++i) {
    owner[0] = i;
    int j0 = 0;
    std::vector<double> min_reduced(std::size_t(n) + 1, inf);
    std::vector<char> used(std::size_t(n) + 1, 0);
    do {
      used[std::size_t(j0)] = 1;
      const int i0 = owner[std::size_t(j0)];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= n; ++j) {
        if (used[std::size_t(j)]) continue;
        const double reduced = cost(i0 - 1, j - 1) - u[std::size_t(i0)] - v[std::size_t(j)];
        if (reduced < min_reduced[std::size_t(j)]) {
          min_reduced[std::size_t(j)] = reduced;
          way[std::size_t(j)] = j0;
        }
        if (min_reduced[std::size_t(j)] < delta) {
          delta = min_reduced[std::size_t(j)];
          j1 = j;
        }
      }
      for (int j = 0; j <= n; ++j) {
        if (used[std::size_t(j)]) {
          u[std::size_t(owner[std::size_t(j)])] += delta;
          v[std::size_t(j)] -= delta;
        } else {
          min_reduced[std::size_t(j)] -= delta;
        }
      }
      j0 = j1;
    } while (owner[std::size_t(j0)] != 0);
    do {  // flip the augmenting path
      const int j1 = way[std::size_t(j0)];
      owner[std::size_t(j0)] = owner[std::size_t(j1)];
      j0 = j1;
    } while (j0 != 0);
  }
  for (int j = 1; j <= n; ++j) {
    const int i = owner[std::size_t(j)] - 1;
    if (i >= 0 && i < rows && j - 1 < cols) match[std::size_t(i)] = j - 1;
  }
  return match;
}

}  // namespace fusednmf::modules
