// Google Benchmark of FusedLassoProx: every variant, float and double, over signal families, n and
// lambda, with a copy of n scalars as the floor in the same run. Each iteration takes the next
// input from a pool of distinct signals: one repeated input lets the branch predictor learn it.
// Reports ns_per_el (lower is better).
#include <algorithm>
#include <cstring>
#include <vector>

#include <benchmark/benchmark.h>

#include <fusednmf/prox/fused_lasso_prox.hpp>

#include "signal_families.hpp"

namespace {

using fusednmf::bench::Family;

template <class Scalar>
const std::vector<std::vector<Scalar>>& pool(Family f, std::size_t n) {
  // Built once per (family, n) and kept: generating 10^7 samples costs far more than solving.
  static std::vector<std::pair<std::pair<int, std::size_t>, std::vector<std::vector<Scalar>>>> cache;
  for (auto& [key, p] : cache)
    if (key.first == int(f) && key.second == n) return p;
  std::size_t count = n >= 5000000 ? 3 : 8;
  std::vector<std::vector<Scalar>> p;
  for (std::size_t s = 0; s < count; ++s) p.push_back(fusednmf::bench::make_signal<Scalar>(f, n, 1000 + s));
  cache.emplace_back(std::make_pair(int(f), n), std::move(p));
  return cache.back().second;
}

void set_rate(benchmark::State& state, std::size_t n) {
  state.counters["ns_per_el"] = benchmark::Counter(
      double(state.iterations()) * double(n) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class Scalar, class Variant, int kThreads = 1>
void BM_prox(benchmark::State& state) {
  const auto family = static_cast<Family>(state.range(0));
  const auto n = static_cast<std::size_t>(state.range(1));
  const double lambda = double(state.range(2)) / 10.0;
  const auto& inputs = pool<Scalar>(family, n);
  fusednmf::FusedLassoProx<Scalar, Variant> op(lambda);
  fusednmf::ProxWorkspace ws;
  ws.set_threads(kThreads);
  std::vector<Scalar> x(n);
  op.apply(inputs[0].data(), nullptr, x.data(), std::ptrdiff_t(n), ws);  // size the workspace
  std::size_t next = 0;
  for (auto _ : state) {
    op.apply(inputs[next].data(), nullptr, x.data(), std::ptrdiff_t(n), ws);
    benchmark::DoNotOptimize(x.data());
    next = (next + 1) % inputs.size();
  }
  set_rate(state, n);
  state.SetLabel(fusednmf::bench::family_name(family));
}

template <class Scalar>
void BM_copy_floor(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(1));
  const auto& inputs = pool<Scalar>(Family::Staircase, n);
  std::vector<Scalar> x(n);
  std::size_t next = 0;
  for (auto _ : state) {
    std::memcpy(x.data(), inputs[next].data(), n * sizeof(Scalar));
    benchmark::DoNotOptimize(x.data());
    next = (next + 1) % inputs.size();
  }
  set_rate(state, n);
}

// Arguments: family, n, 10*lambda. The full lambda grid at n = 10^6, the n sweep at lambda = 1.
void grid(benchmark::internal::Benchmark* b) {
  for (int f = 0; f < 4; ++f) {
    for (int lambda10 : {1, 10, 100, 1000}) b->Args({f, 1000000, lambda10});
    for (long n : {1000L, 10000L, 100000L, 10000000L}) b->Args({f, n, 10});
  }
  b->ArgNames({"family", "n", "lambda_x10"})->Unit(benchmark::kMillisecond);
}
void sizes(benchmark::internal::Benchmark* b) {
  for (long n : {1000L, 1000000L, 10000000L}) b->Args({0, n, 0});
  b->ArgNames({"family", "n", "unused"})->Unit(benchmark::kMillisecond);
}

}  // namespace

namespace prox = fusednmf::prox;
BENCHMARK_TEMPLATE(BM_copy_floor, double)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_copy_floor, float)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_prox, double, prox::Condat)->Apply(grid);
// The same on two threads (an input of 2^14 elements or more is solved as two halves side by side).
BENCHMARK_TEMPLATE(BM_prox, double, prox::Condat, 2)->Apply(grid)->UseRealTime();
BENCHMARK_TEMPLATE(BM_prox, double, prox::DynamicProgramming)->Apply(grid);
BENCHMARK_TEMPLATE(BM_prox, float, prox::Condat)->Apply(grid);
BENCHMARK_TEMPLATE(BM_prox, float, prox::DynamicProgramming)->Apply(grid);
BENCHMARK_MAIN();
