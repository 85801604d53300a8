// Seconds per multiplicative-update iteration of PoissonNMF (KL), the same count matrix as the
// scikit-learn peer (benchmarks/peer_poisson.py) reads: the count table named by the environment
// variable FUSEDNMF_COUNTS, or, without it, a simulated 20,000 x 100 table with 10 modules.
// Per-iteration time is the median gap between consecutive progress callbacks (the once-only
// lgamma sum and the start are excluded), rank 10.
//
// BM_time_to_target: seconds from the start of a fit until its log-likelihood reaches what 1,000
// multiplicative updates reach from the same start (the common target), for the
// multiplicative updates and for coordinate descent; the peer's side is 1,000 of scikit-learn's
// multiplicative updates (peer_poisson.py --target-iterations 1000).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include <benchmark/benchmark.h>

#include <Eigen/SparseCore>

#include <fusednmf/io/count_table.hpp>
#include <fusednmf/modules/simulation.hpp>
#include <fusednmf/poisson_nmf.hpp>

namespace {

const Eigen::MatrixXd& counts() {
  static const Eigen::MatrixXd V = [] {
    if (const char* path = std::getenv("FUSEDNMF_COUNTS")) return fusednmf::io::read_count_table(path).counts;
    fusednmf::modules::SimulationOptions o;
    o.genes = 20000;
    o.samples = 100;
    o.modules = 10;
    o.seed = 1;
    return fusednmf::modules::simulate(o).V;
  }();
  return V;
}

template <class Scalar>
void BM_kl_iteration(benchmark::State& state) {
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> V = counts().cast<Scalar>();
  fusednmf::PoissonNMFOptions o;
  o.rank = state.range(0);
  o.max_iterations = 21;
  o.tolerance = 0;
  o.threads = int(state.range(1));
  std::vector<double> stamps;
  o.progress = [&](const fusednmf::Progress&) {
    stamps.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  };
  for (auto _ : state) {
    stamps.clear();
    benchmark::DoNotOptimize(fusednmf::PoissonNMF<Scalar>(o).fit(V));
    std::vector<double> gaps;
    for (std::size_t i = 1; i < stamps.size(); ++i) gaps.push_back(stamps[i] - stamps[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + long(gaps.size() / 2), gaps.end());
    state.SetIterationTime(gaps[gaps.size() / 2]);
  }
  state.counters["rows"] = double(V.rows());
  state.counters["cols"] = double(V.cols());
}

// The log-likelihood after 1,000 multiplicative updates from seed 0, rank 10.
double target_log_likelihood() {
  static const double target = [] {
    fusednmf::PoissonNMFOptions o;
    o.rank = 10;
    o.max_iterations = 1000;
    o.tolerance = 0;
    return fusednmf::PoissonNMF<double>(o).fit(counts()).final_log_likelihood();
  }();
  return target;
}

struct TargetReached {};

void BM_time_to_target(benchmark::State& state) {
  const double target = target_log_likelihood();
  fusednmf::PoissonNMFOptions o;
  o.rank = 10;
  o.max_iterations = 100000;
  o.tolerance = 0;
  o.solver = state.range(0) ? fusednmf::PoissonSolver::CoordinateDescent : fusednmf::PoissonSolver::MultiplicativeUpdates;
  o.threads = int(state.range(1));
  int sweeps = 0;
  o.progress = [&](const fusednmf::Progress& p) {
    sweeps = p.iteration;
    if (-p.objective >= target) throw TargetReached{};  // stops the fit where the target is met
  };
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      benchmark::DoNotOptimize(fusednmf::PoissonNMF<double>(o).fit(counts()));
      state.SkipWithError("the fit stopped before reaching the target");
    } catch (const TargetReached&) {
    }
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetLabel(fusednmf::to_string(o.solver));
  state.counters["sweeps"] = sweeps;
  state.counters["target_ll"] = target;
}

// 30,000 genes x 5,000 samples, about 5 % of the cells non-zero (a low depth, as in single-cell counts).
const Eigen::SparseMatrix<double>& sparse_counts() {
  static const Eigen::SparseMatrix<double> V = [] {
    fusednmf::modules::SimulationOptions o;
    o.genes = 30000;
    o.samples = 5000;
    o.modules = 10;
    o.depth = 0.06;
    o.seed = 1;
    return Eigen::SparseMatrix<double>(fusednmf::modules::simulate(o).V.sparseView());
  }();
  return V;
}

void BM_sparse_iteration(benchmark::State& state) {
  const bool dense = state.range(0) != 0;
  const Eigen::SparseMatrix<double>& V = sparse_counts();
  const Eigen::MatrixXd V_dense = dense ? Eigen::MatrixXd(V) : Eigen::MatrixXd();
  fusednmf::PoissonNMFOptions o;
  o.rank = 10;
  o.max_iterations = 6;
  o.tolerance = 0;
  std::vector<double> stamps;
  o.progress = [&](const fusednmf::Progress&) {
    stamps.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  };
  for (auto _ : state) {
    stamps.clear();
    if (dense) benchmark::DoNotOptimize(fusednmf::PoissonNMF<double>(o).fit(V_dense));
    else benchmark::DoNotOptimize(fusednmf::PoissonNMF<double>(o).fit(V));
    std::vector<double> gaps;
    for (std::size_t i = 1; i < stamps.size(); ++i) gaps.push_back(stamps[i] - stamps[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + long(gaps.size() / 2), gaps.end());
    state.SetIterationTime(gaps[gaps.size() / 2]);
  }
  // The counts as the fit holds them: dense N x M doubles, or sparse twice (by sample and by
  // gene: a value and an index per stored entry, an offset per column or row).
  const double nnz = double(V.nonZeros());
  const double bytes = dense ? 8.0 * double(V.rows()) * double(V.cols())
                             : 2 * 12.0 * nnz + 4.0 * double(V.rows() + V.cols() + 2);
  state.counters["matrix_MB"] = bytes / 1e6;
  state.counters["nonzero_share"] = nnz / (double(V.rows()) * double(V.cols()));
  state.SetLabel(dense ? "dense" : "sparse");
}

}  // namespace

// Arg: 0 sparse, 1 dense.
BENCHMARK(BM_sparse_iteration)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// Args: solver (0: multiplicative updates, 1: coordinate descent), threads (0: all).
BENCHMARK(BM_time_to_target)->Args({0, 0})->Args({1, 0})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// Args: rank, threads (0: all).
BENCHMARK_TEMPLATE(BM_kl_iteration, double)->Args({10, 0})->Args({10, 1})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_TEMPLATE(BM_kl_iteration, float)->Args({10, 0})->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_MAIN();
