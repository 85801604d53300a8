#pragma once
// MPI_Init / MPI_Finalize as a scope, with this process's rank and the number of ranks.
#include <mpi.h>

namespace fusednmf::mpi {

class Session {
 public:
  Session(int& argc, char**& argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { MPI_Finalize(); }
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace fusednmf::mpi
