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
#include <functional>

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

}  // namespace fusednmf
