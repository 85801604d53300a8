#pragma once
// A planted genome for the MPI test and benchmark: chromosome c is generated from (seed, c)
// alone, so each rank makes only the chromosomes it owns.
#include <cstdint>
#include <random>

#include <fusednmf/segmented_matrix.hpp>

namespace fusednmf::testing {

inline SegmentedMatrix<float> planted_chromosome(int c, Eigen::Index segments, Eigen::Index tracks, int k,
                                                 std::uint64_t seed) {
  std::mt19937_64 rng(seed * 1000003u + std::uint64_t(c));
  std::uniform_real_distribution<float> u(0.f, 1.f);
  // k hidden programmes, each lighting up a few tracks; segments switch programmes in runs.
  Eigen::MatrixXf H = Eigen::MatrixXf::Zero(k, tracks);
  std::mt19937_64 shared(seed);  // the same H on every chromosome
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index t = 0; t < tracks; ++t) H(j, t) = (t % k == j ? 2.f : 0.f) + 0.2f * float(shared() % 100) / 100.f;
  SegmentedMatrix<float> Y;
  Y.values.resize(segments, tracks);
  Y.lengths.resize(segments);
  Eigen::RowVectorXf w = Eigen::RowVectorXf::Zero(k);
  for (Eigen::Index s = 0; s < segments; ++s) {
    if (s % 20 == 0) {
      w.setZero();
      w(Eigen::Index(u(rng) * float(k)) % k) = 1.f + 2.f * u(rng);
    }
    for (Eigen::Index t = 0; t < tracks; ++t) Y.values(s, t) = std::max(0.f, (w * H.col(t))(0) + 0.3f * (u(rng) - 0.5f));
    Y.lengths(s) = float(1 + (rng() % 100));
  }
  return Y;
}

}  // namespace fusednmf::testing
