// Seconds per iteration (HALS sweep or projected-ALS iteration) of NMF<Regularizer> on Y of
// rows x 30 float32 with k = 10, dense and run-length segmented, ridge only and fused lasso; and
// the time each solver needs to reach the lowest data term projected ALS reaches in 200 iterations. Per-iteration time is the median gap between
// consecutive progress callbacks (initialisation excluded); and, per sweep, 1 against 2 threads
// as the rows grow (BM_sweep_threads). Also reports the peak RSS of the
// process (Y is allocated once and kept, so it includes Y).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include <fusednmf/nmf.hpp>

namespace {

constexpr Eigen::Index kTracks = 30, kRank = 10, kRun = 50;

// Piecewise-constant tracks: runs of 50 rows, sparse bursts, like binned ChIP-seq.
const fusednmf::SegmentedMatrix<float>& segmented(Eigen::Index rows) {
  static fusednmf::SegmentedMatrix<float> Y;
  if (Y.expanded_rows() != rows) {
    const Eigen::Index segs = rows / kRun;
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    Y.values.resize(segs, kTracks);
    for (Eigen::Index c = 0; c < kTracks; ++c)
      for (Eigen::Index s = 0; s < segs; ++s) Y.values(s, c) = u(rng) < 0.3f ? 4.f * u(rng) : 0.f;
    Y.lengths = Eigen::VectorXf::Constant(segs, float(kRun));
  }
  return Y;
}

const Eigen::MatrixXf& dense(Eigen::Index rows) {
  static Eigen::MatrixXf Y;
  if (Y.rows() != rows) {
    Y.resize(0, 0);
    Y = fusednmf::expand_rows(segmented(rows).values, segmented(rows).lengths);
  }
  return Y;
}

template <class Regularizer, bool Segmented, fusednmf::Solver S>
void BM_iteration(benchmark::State& state) {
  const Eigen::Index rows = state.range(0);
  fusednmf::NMFOptions o;
  o.solver = S;
  o.rank = kRank;
  o.max_iterations = 6;
  o.tolerance = 0;
  o.init = fusednmf::Init::Random;
  std::vector<double> stamps;
  o.progress = [&](const fusednmf::Progress&) {
    stamps.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  };
  Regularizer reg{};
  if constexpr (!std::is_same_v<Regularizer, fusednmf::NoRegularizer<float>>) reg.lambda = 100.0;
  fusednmf::NMF<Regularizer> nmf(o, reg);
  if constexpr (Segmented) segmented(rows); else dense(rows);
  for (auto _ : state) {
    stamps.clear();
    if constexpr (Segmented) {
      benchmark::DoNotOptimize(nmf.fit(segmented(rows)));
    } else {
      benchmark::DoNotOptimize(nmf.fit(dense(rows)));
    }
    std::vector<double> gaps;
    for (std::size_t i = 1; i < stamps.size(); ++i) gaps.push_back(stamps[i] - stamps[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + long(gaps.size() / 2), gaps.end());
    state.SetIterationTime(gaps[gaps.size() / 2]);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_GB"] = double(usage.ru_maxrss) / (1024.0 * 1024.0);
  state.counters["Y_float32_GB"] = double(rows) * kTracks * 4 / 1e9;
  state.counters["segments"] = double(segmented(rows).segments());
}

using fusednmf::FusedLasso;
using fusednmf::NoRegularizer;
using fusednmf::Solver;

// Seconds until the objective first reaches the lowest one projected ALS reaches in 200
// iterations (ridge only and l2 = 1e-9, so both solvers' objectives are the data term alone).
void BM_time_to_objective(benchmark::State& state) {
  const auto& Y = segmented(state.range(0));
  auto timed = [&](Solver solver, double target, double& best) {
    fusednmf::NMFOptions o;
    o.solver = solver;
    o.rank = kRank;
    o.l2 = 1e-9;
    o.max_iterations = 200;
    o.tolerance = 0;
    o.init = fusednmf::Init::NNDSVDa;
    const auto t0 = std::chrono::steady_clock::now();
    double reached = -1;
    best = std::numeric_limits<double>::infinity();
    o.progress = [&](const fusednmf::Progress& p) {
      best = std::min(best, p.objective);
      if (reached < 0 && p.objective <= target)
        reached = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    fusednmf::NMF<NoRegularizer<float>>(o).fit(Y);
    return reached;
  };
  for (auto _ : state) {
    double als_best = 0, hals_best = 0;
    const double als = timed(Solver::ProjectedALS, 0.0, als_best);  // never reached: runs all 200
    double als_time = timed(Solver::ProjectedALS, als_best, als_best);
    const double hals_time = timed(Solver::HALS, als_best, hals_best);
    (void)als;
    state.SetIterationTime(hals_time > 0 ? hals_time : 0.0);
    state.counters["als_seconds"] = als_time;
    state.counters["hals_seconds"] = hals_time;  // -1: not reached in 200 sweeps
    state.counters["als_best_objective"] = als_best;
    state.counters["hals_best_objective"] = hals_best;
  }
}

// Milliseconds per HALS sweep (fused lasso, λ 100) on `rows` dense-signal segments of 200 bases
// with 1 or 2 threads: where one fit's loops start to gain from a second thread, idle or beside a
// busy program (detail::kParallelFitWork; benchmarks/README.md, "Threads").
void BM_sweep_threads(benchmark::State& state) {
  const Eigen::Index rows = state.range(0);
  fusednmf::SegmentedMatrix<float> Y;
  Y.values.resize(rows, kTracks);
  Y.lengths = Eigen::VectorXf::Constant(rows, 200.f);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (Eigen::Index i = 0; i < Y.values.size(); ++i) Y.values(i) = u(rng) * float(1 + (i / 977) % 5);
  fusednmf::NMFOptions o;
  o.rank = kRank;
  o.max_iterations = 20;
  o.tolerance = 0;
  o.threads = int(state.range(1));
  const fusednmf::NMF<FusedLasso<float>> nmf(o, FusedLasso<float>{100.0, 0.0});
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto fit = nmf.fit(Y);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                           double(fit.iterations));
  }
}

}  // namespace

BENCHMARK(BM_sweep_threads)->ArgsProduct({{10000, 30000, 100000, 300000, 1000000}, {1, 2}})
    ->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// Segmented first: it does not need the dense matrix, so its peak RSS is its own.
#define FUSEDNMF_BENCH_ITERATION(REG, SEGMENTED, SOLVER) \
  BENCHMARK_TEMPLATE(BM_iteration, REG, SEGMENTED, SOLVER)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(2)
FUSEDNMF_BENCH_ITERATION(NoRegularizer<float>, true, Solver::HALS);
FUSEDNMF_BENCH_ITERATION(FusedLasso<float>, true, Solver::HALS);
FUSEDNMF_BENCH_ITERATION(NoRegularizer<float>, true, Solver::ProjectedALS);
FUSEDNMF_BENCH_ITERATION(FusedLasso<float>, true, Solver::ProjectedALS);
BENCHMARK(BM_time_to_objective)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
FUSEDNMF_BENCH_ITERATION(NoRegularizer<float>, false, Solver::HALS);
FUSEDNMF_BENCH_ITERATION(FusedLasso<float>, false, Solver::HALS);
FUSEDNMF_BENCH_ITERATION(NoRegularizer<float>, false, Solver::ProjectedALS);
FUSEDNMF_BENCH_ITERATION(FusedLasso<float>, false, Solver::ProjectedALS);
BENCHMARK_MAIN();
