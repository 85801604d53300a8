#pragma once
// The MPI side of a split fit (optional: only code that links MPI includes this; CMake target
// fusednmf::mpi). allreduce_sum(comm) is the Reducer that NMF::fit hands its partial sums to:
// MPI_Allreduce with MPI_SUM, so every rank gets the totals and solves the same H. Per
// iteration that is 2 + k (k + m) doubles, whatever the number of rows.
#include <climits>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <mpi.h>

#include "../reducer.hpp"

namespace fusednmf::mpi {

inline Reducer allreduce_sum(MPI_Comm comm) {
  return [comm](double* values, std::size_t count) {
    if (count > std::size_t(INT_MAX)) throw std::length_error("allreduce_sum: too many values for one MPI call");
    const int rc = MPI_Allreduce(MPI_IN_PLACE, values, int(count), MPI_DOUBLE, MPI_SUM, comm);
    if (rc != MPI_SUCCESS) throw std::runtime_error("MPI_Allreduce failed with code " + std::to_string(rc));
  };
}

}  // namespace fusednmf::mpi
