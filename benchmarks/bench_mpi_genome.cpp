// Seconds per ALS iteration of one genome-wide fit split over MPI ranks (each rank one thread
// unless told otherwise): 24 chromosomes of 82,000 segments x 30 tracks (about what 100 Mb of
// generated bigWig tracks compress to), k = 10, fused lasso. Each rank generates only the
// chromosomes it owns (balanced by segment count). Per-iteration time is the median gap between
// iterations on rank 0; compare `mpirun -np 1` with `mpirun -np 2` on the same machine.
//   mpirun -np 2 bench_mpi_genome [threads_per_rank] [segments_per_chromosome]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <mpi.h>

#include <fusednmf/genome.hpp>
#include <fusednmf/mpi/allreduce.hpp>
#include <fusednmf/mpi/session.hpp>
#include <fusednmf/nmf.hpp>
#include <fusednmf/partition.hpp>

#include "../tests/mpi/planted_genome.hpp"

using namespace fusednmf;

int main(int argc, char** argv) {
  const mpi::Session session(argc, argv);
  const int rank = session.rank(), size = session.size();
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const Eigen::Index per_chromosome = argc > 2 ? std::atol(argv[2]) : 82000;
  const int chromosomes = 24, tracks = 30;
  std::vector<std::int64_t> counts(chromosomes, per_chromosome);
  const auto owner = balance_by_segments(counts, size);
  GenomeSegments<float> mine;
  for (int c = 0; c < chromosomes; ++c)
    if (owner[std::size_t(c)] == rank)
      mine.append("chr" + std::to_string(c + 1), 0, testing::planted_chromosome(c, per_chromosome, tracks, 10, 3));

  NMFOptions o;
  o.rank = 10;
  o.max_iterations = 12;
  o.tolerance = 0;
  o.threads = threads;
  o.init = Init::Random;
  std::vector<double> stamps;
  o.progress = [&](const Progress&) {
    stamps.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  };
  NMF<FusedLasso<float>> nmf(o, FusedLasso<float>{100.0, 0.0});
  MPI_Barrier(MPI_COMM_WORLD);
  const auto fit = nmf.fit(mine.Y, mine.chain_starts(), mpi::allreduce_sum(MPI_COMM_WORLD));
  std::vector<double> gaps;
  for (std::size_t i = 1; i < stamps.size(); ++i) gaps.push_back(stamps[i] - stamps[i - 1]);
  std::sort(gaps.begin(), gaps.end());
  long long segments = mine.Y.segments(), total = 0;
  MPI_Reduce(&segments, &total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf("ranks %d x threads %d: %lld segments x %d tracks, k 10: %.1f ms per iteration (median of %zu), "
                "final objective %.6e\n",
                size, threads, total, tracks, 1000 * gaps[gaps.size() / 2], gaps.size(), fit.objective.back());
  return 0;
}
