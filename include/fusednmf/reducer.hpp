#pragma once
// How one factorization is split across processes (MPI ranks, or anything else that can sum).
//
// Each process holds some rows of Y (for instance some chromosomes). The ALS engine computes
// its per-process partial sums (||Y||², WᵀW, WᵀY, the penalties, the initial Gram matrix) and
// hands each to the Reducer, which must replace it in place by its sum over all processes. Every
// process then solves the same small systems and gets the same H. A Reducer must be called by
// every process the same number of times, in the same order, with the same counts (MPI_Allreduce
// with MPI_SUM does exactly this; see fusednmf/mpi/allreduce.hpp). An empty Reducer means one
// process holds everything.
#include <cstddef>
#include <exception>
#include <functional>
#include <stdexcept>

#include <Eigen/Core>

namespace fusednmf {

using Reducer = std::function<void(double* values, std::size_t count)>;

namespace detail {
inline void reduce_sum(const Reducer& reduce, Eigen::MatrixXd& values) {
  if (reduce && values.size() > 0) reduce(values.data(), static_cast<std::size_t>(values.size()));
}
inline void reduce_sum(const Reducer& reduce, double* values, std::size_t count) {
  if (reduce && count > 0) reduce(values, count);
}
}  // namespace detail

/// This process's place among those sharing one factorization (one process: rank 0 of 1).
struct ProcessGroup {
  int rank = 0, size = 1;
  Reducer reduce;  ///< sums over the processes; empty for one process
  bool root() const { return rank == 0; }

  /// Runs `work`, then lets every process learn whether any failed, so that none is left waiting
  /// in a collective call: the failing process rethrows its error, the others throw one that
  /// points to it. Every process must call this the same number of times.
  template <class Work>
  void fail_together(Work&& work) const {
    double failed = 0.0;
    std::exception_ptr error;
    try {
      work();
    } catch (...) {
      error = std::current_exception();
      failed = 1.0;
    }
    detail::reduce_sum(reduce, &failed, 1);
    if (error) std::rethrow_exception(error);
    if (failed > 0) throw std::runtime_error("stopped: another process (MPI rank) reported an error (see its message)");
  }
};

}  // namespace fusednmf
