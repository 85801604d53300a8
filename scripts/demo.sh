#!/usr/bin/env bash
# README's first command (after install-deps.sh): builds an optimised tree and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
# The fused-lasso prox on 10^6-element genomic-like signal, every variant, float and double.
build/benchmarks/bench_prox --benchmark_filter='BM_prox<.*>/family:1/n:1000000/lambda_x10:10$' \
  --benchmark_min_time=0.2
