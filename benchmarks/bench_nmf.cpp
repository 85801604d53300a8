// Seconds per ALS iteration of NMF<Regularizer> on Y of rows x 30 float32 with k = 10, dense and
// run-length segmented, ridge only and fused lasso. Per-iteration time is the median gap between
// consecutive progress callbacks (initialisation excluded). Also reports the peak RSS of the
// process (Y is allocated once and kept, so it includes Y).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
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

template <class Regularizer, bool Segmented>
void BM_als_iteration(benchmark::State& state) {
  const Eigen::Index rows = state.range(0);
  fusednmf::NMFOptions o;
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

}  // namespace

// Segmented first: it does not need the dense matrix, so its peak RSS is its own.
BENCHMARK_TEMPLATE(BM_als_iteration, NoRegularizer<float>, true)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_TEMPLATE(BM_als_iteration, FusedLasso<float>, true)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_TEMPLATE(BM_als_iteration, NoRegularizer<float>, false)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_TEMPLATE(BM_als_iteration, FusedLasso<float>, false)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_MAIN();
