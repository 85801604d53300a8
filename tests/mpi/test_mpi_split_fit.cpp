// Run under mpirun: every rank fits the chromosomes it owns (balanced by segment count) with an
// MPI all-reduce, and checks its rows of W, and H, against the single-process fit of the whole
// genome, which every rank also computes. Exit 0 only when every rank agrees to 1e-6.
//   mpirun -np 2 test_mpi_split_fit [chromosomes]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <mpi.h>

#include <fusednmf/genome.hpp>
#include <fusednmf/mpi/allreduce.hpp>
#include <fusednmf/mpi/session.hpp>
#include <fusednmf/nmf.hpp>
#include <fusednmf/partition.hpp>

#include "planted_genome.hpp"

using namespace fusednmf;

int main(int argc, char** argv) {
  const mpi::Session session(argc, argv);
  const int rank = session.rank(), size = session.size();
  const int chromosomes = argc > 1 ? std::atoi(argv[1]) : 5;
  int status = 0;
  try {
    std::vector<std::int64_t> counts;
    for (int c = 0; c < chromosomes; ++c) counts.push_back(200 + 150 * (c % 3));
    // Every rank reaches the same verdict from the same counts: no rank waits for a failed one.
    const std::vector<int> owner = balance_by_segments(counts, size);

    NMFOptions o;
    o.rank = 4;
    o.max_iterations = 20;
    o.tolerance = 0;
    o.threads = 1;
    NMF<FusedLasso<float>> nmf(o, FusedLasso<float>{30.0, 0.0});

    GenomeSegments<float> whole, mine;
    for (int c = 0; c < chromosomes; ++c) {
      const auto Y = testing::planted_chromosome(c, counts[std::size_t(c)], 16, 4, 7);
      whole.append("chr" + std::to_string(c + 1), 0, Y);
      if (owner[std::size_t(c)] == rank) mine.append("chr" + std::to_string(c + 1), 0, Y);
    }
    const auto single = nmf.fit(whole.Y, whole.chain_starts());
    const auto split = nmf.fit(mine.Y, mine.chain_starts(), mpi::allreduce_sum(MPI_COMM_WORLD));

    double worst = (split.H.cast<double>() - single.H.cast<double>()).norm() / single.H.cast<double>().norm();
    for (std::size_t i = 0; i < mine.chromosomes(); ++i) {
      std::size_t c = 0;
      while (whole.names[c] != mine.names[i]) ++c;
      const auto a = split.W.middleRows(mine.first_segment(i), mine.segment_count(i)).cast<double>();
      const auto b = single.W.middleRows(whole.first_segment(c), whole.segment_count(c)).cast<double>();
      worst = std::max(worst, (a - b).norm() / std::max(b.norm(), 1e-30));
    }
    MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0)
      std::printf("ranks %d, chromosomes %d: largest relative difference from the single-process fit %.3g\n", size,
                  chromosomes, worst);
    status = worst < 1e-6 ? 0 : 1;
  } catch (const std::exception& e) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
    status = 2;
  }
  return status;
}
