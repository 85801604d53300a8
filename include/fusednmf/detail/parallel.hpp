#pragma once
// OpenMP without -Wunknown-pragmas when a consumer builds without it: the pragmas vanish and the
// loops run serially, with the same results.
#ifdef _OPENMP
#include <omp.h>
#define FUSEDNMF_PRAGMA(text) _Pragma(#text)
#else
#define FUSEDNMF_PRAGMA(text)
#endif

namespace fusednmf::detail {

/// Threads to use: the requested count, or OpenMP's default when 0.
inline int resolve_threads(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

inline int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Runs body(i) for i in [0, count) on `threads` threads. Inside, Eigen's own products stay
/// serial: omp_set_num_threads in a parallel region sets only that region's implicit tasks'
/// thread count (no global state), so Eigen neither nests threads nor picks a blocking that
/// depends on the thread count. With results stored per index, the output is the same
/// whatever `threads` is.
template <class Body>
void parallel_for(int threads, long count, Body&& body) {
  // No more threads than items: idle OpenMP threads spin, which costs dearly when several
  // programs share the cores. (A region of one thread still keeps Eigen's products serial.)
  if (count <= 0) return;
  if (count < threads) threads = int(count);
  FUSEDNMF_PRAGMA(omp parallel num_threads(threads))
  {
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    FUSEDNMF_PRAGMA(omp for schedule(dynamic, 1))
    for (long i = 0; i < count; ++i) body(i);
  }
}

}  // namespace fusednmf::detail
