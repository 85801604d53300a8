#!/usr/bin/env bash
# Builds everything and runs the tests twice: an optimised build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer; then fuzzes every parser we own for a fixed
# number of mutations (libFuzzer, clang). This is README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

# The optimised tree is the one scripts/demo.sh builds in full; here only what the tests run
# (the target fusednmf_tested: every program, the Python module and the tests, not the benchmarks).
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs" --target fusednmf_tested
ctest --test-dir build --output-on-failure -j "$jobs"

# The sanitizer build needs no benchmarks; it runs every test, the CLI tests included. It is
# portable (no -march=native), which also keeps the warnings that GCC 12 cannot give on AVX-512
# code (see CMakeLists.txt) as errors in one of the two builds. Open MPI's own allocations would
# read as leaks, so the MPI test runs in the optimised build only (tests/nmf/test_chains.cpp
# checks the same split fit through an in-process all-reduce under the sanitizers).
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE= \
  -DFUSEDNMF_SANITIZE=ON -DFUSEDNMF_NATIVE=OFF -DFUSEDNMF_MPI=OFF -DFUSEDNMF_BUILD_BENCHMARKS=OFF
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"

# The fuzz targets (tests/fuzz/): bigWig files, count tables, BED files, each mutated
# FUSEDNMF_FUZZ_RUNS times from its seed corpus under ASan + UBSan. The other trees replay the
# corpora (regression cases included) once.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
  -DFUSEDNMF_FUZZ=ON -DFUSEDNMF_NATIVE=OFF
cmake --build build-fuzz -j "$jobs"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
