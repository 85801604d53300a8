#pragma once
// Planted gene modules for Poisson NMF (the second seed document's problem 1): N genes x M
// samples, V = Poisson(scale · W H).
//   W (N x R): every gene belongs to one module; a chosen fraction of "moonlighting" genes belong
//     to two. A gene's weight is Gamma(gene_alpha) (Dirichlet weights within a module once the
//     columns are normalised); a moonlighting gene's weight is split between its modules with a
//     share for the second drawn uniformly in [0.3, 0.5], so that it truly works in both. Every
//     column sums to one.
//   H (R x M): every column is Dirichlet(sample_alpha) and sums to one; smaller alpha gives
//     samples dominated by fewer modules.
//   scale = depth · N, so the mean count per cell is `depth` (sum of W H is M).
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../detail/random.hpp"

namespace fusednmf::modules {

struct SimulationOptions {
  Eigen::Index genes = 200;      ///< N
  Eigen::Index samples = 50;     ///< M
  Eigen::Index modules = 4;      ///< R >= 1 (>= 2 when moonlighting > 0)
  double moonlighting = 0.05;    ///< fraction of genes in two modules, in [0, 1]
  double sample_alpha = 1.0;     ///< Dirichlet parameter of H's columns, > 0
  double gene_alpha = 1.0;       ///< Gamma shape of the gene weights, > 0
  double depth = 100.0;          ///< mean count per cell, > 0
  std::uint64_t seed = 0;

  void validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument("SimulationOptions." + what); };
    if (genes < 1) fail("genes must be >= 1, got " + std::to_string(genes));
    if (samples < 1) fail("samples must be >= 1, got " + std::to_string(samples));
    if (modules < 1 || modules > genes)
      fail("modules must be in [1, genes], got " + std::to_string(modules));
    if (!(moonlighting >= 0.0 && moonlighting <= 1.0))
      fail("moonlighting must be in [0, 1], got " + std::to_string(moonlighting));
    if (moonlighting > 0.0 && modules < 2) fail("moonlighting genes need at least 2 modules");
    if (!(sample_alpha > 0.0) || !std::isfinite(sample_alpha))
      fail("sample_alpha must be finite and > 0, got " + std::to_string(sample_alpha));
    if (!(gene_alpha > 0.0) || !std::isfinite(gene_alpha))
      fail("gene_alpha must be finite and > 0, got " + std::to_string(gene_alpha));
    if (!(depth > 0.0) || !std::isfinite(depth)) fail("depth must be finite and > 0, got " + std::to_string(depth));
  }
};

/// The truth behind a simulated count matrix. Modules are numbered 0..R-1; `second_module` is -1
/// for genes that do not moonlight.
struct Simulation {
  Eigen::MatrixXd W, H, V;
  std::vector<int> module, second_module;
  double scale = 0.0;
};

inline Simulation simulate(const SimulationOptions& o) {
  o.validate();
  const Eigen::Index N = o.genes, M = o.samples, R = o.modules;
  detail::Random rng(o.seed);
  Simulation s;
  s.module.resize(std::size_t(N));
  s.second_module.assign(std::size_t(N), -1);
  // Balanced module sizes (every module has genes), in random order.
  for (Eigen::Index i = 0; i < N; ++i) s.module[std::size_t(i)] = int(i % R);
  rng.shuffle(s.module.begin(), s.module.end());
  std::vector<Eigen::Index> order(static_cast<std::size_t>(N));
  for (Eigen::Index i = 0; i < N; ++i) order[std::size_t(i)] = i;
  rng.shuffle(order.begin(), order.end());
  const auto moonlighters = static_cast<std::size_t>(std::llround(o.moonlighting * double(N)));

  s.W = Eigen::MatrixXd::Zero(N, R);
  for (Eigen::Index i = 0; i < N; ++i) s.W(i, s.module[std::size_t(i)]) = rng.gamma(o.gene_alpha);
  for (std::size_t j = 0; j < moonlighters; ++j) {
    const auto i = std::size_t(order[j]);
    const int first = s.module[i];
    int second = int(rng.below(std::uint64_t(R - 1)));
    if (second >= first) ++second;
    s.second_module[i] = second;
    const double total = s.W(Eigen::Index(i), first), share = 0.3 + 0.2 * rng.uniform();
    s.W(Eigen::Index(i), first) = (1.0 - share) * total;
    s.W(Eigen::Index(i), second) = share * total;
  }
  s.W.array().rowwise() /= s.W.colwise().sum().array();

  s.H.resize(R, M);
  for (Eigen::Index c = 0; c < M; ++c) {
    for (Eigen::Index r = 0; r < R; ++r) s.H(r, c) = rng.gamma(o.sample_alpha);
    const double total = s.H.col(c).sum();
    if (total > 0.0) s.H.col(c) /= total;
    else s.H.col(c).setConstant(1.0 / double(R));  // every draw underflowed (tiny alpha)
  }

  s.scale = o.depth * double(N);
  const Eigen::MatrixXd mean = s.scale * (s.W * s.H);
  s.V.resize(N, M);
  for (Eigen::Index c = 0; c < M; ++c)
    for (Eigen::Index r = 0; r < N; ++r) s.V(r, c) = double(rng.poisson(mean(r, c)));
  return s;
}

}  // namespace fusednmf::modules
