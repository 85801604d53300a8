#pragma once
// FUSEDNMF_ALWAYS_INLINE: placed after a lambda's parameter list, asks the compiler to inline
// every call of it.
//
// Why: a helper lambda that a kernel's loop calls from two places (Condat's walk restarts a
// segment from each jump direction) is past GCC's -O2 inlining limits. Left as a call, every
// variable it captures by reference (the walk's whole state) lives in memory instead of
// registers, and the walk ran 15-25 % slower at -O2 (CMake's RelWithDebInfo, Debian's package
// builds) than at -O3 (benchmarks/README.md, "Fused-lasso prox"). Clang inlines it either way.
#if defined(__GNUC__) || defined(__clang__)
#define FUSEDNMF_ALWAYS_INLINE __attribute__((always_inline))
#else
#define FUSEDNMF_ALWAYS_INLINE
#endif
