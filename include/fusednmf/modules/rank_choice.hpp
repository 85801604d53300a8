#pragma once
// Choosing the number of modules R of Poisson NMF, by criteria that do not keep rewarding more
// modules on over-dispersed data the way the Poisson BIC does:
//
// - Masked cross-validation: each fold hides a random share of the cells (PoissonNMF with
//   MissingValues::Mask leaves them out exactly), and the fit is scored by the Poisson deviance
//   of the hidden cells, 2 Σ [v log(v / μ) - (v - μ)] per hidden cell. A rank that fits noise
//   predicts hidden cells worse. The rule: the smallest rank whose mean deviance over the folds
//   is within two standard errors of the lowest (RankChoiceOptions::cv_standard_errors says why
//   two, not the usual one).
// - Consensus over restarts (Brunet et al. 2004): each restart clusters the samples by the
//   argmax of their column of H; the consensus matrix is the share of restarts that put two
//   samples together. Its cophenetic correlation (of 1 - consensus with the average-linkage
//   tree's heights) and its dispersion (Kim & Park 2007: mean of 4 (c - 1/2)²) are 1 for a
//   perfectly stable clustering and fall when the rank splits samples arbitrarily.
// - The log-likelihood and BIC of the best restart, as scan_ranks reports them.
//
// All fits (ranks x (restarts + folds)) run side by side, one thread each; the result does not
// depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../detail/parallel.hpp"
#include "../detail/random.hpp"
#include "../poisson_nmf.hpp"

namespace fusednmf::modules {

enum class RankRule { CrossValidation, Cophenetic, BIC };

inline const char* to_string(RankRule rule) {
  switch (rule) {
    case RankRule::CrossValidation: return "cv";
    case RankRule::Cophenetic: return "cophenetic";
    case RankRule::BIC: return "bic";
  }
  return "?";
}

struct RankChoiceOptions {
  Eigen::Index min_rank = 2;
  Eigen::Index max_rank = 6;
  int restarts = 5;         ///< >= 1 (>= 2 for the consensus); seeds fit.seed, fit.seed + 1, ...
  int folds = 5;            ///< >= 2: the spread over folds is the standard error
  double held_out = 0.05;   ///< share of the cells each fold hides, in (0, 1 / folds]
  RankRule rule = RankRule::CrossValidation;
  /// The cross-validation rule's margin: the smallest rank whose held-out deviance is within this
  /// many standard errors of the lowest. Not 1 (the usual rule): on real tables, whose counts
  /// vary far more than a Poisson model allows, each added rank fits a little more of that
  /// excess, and the held-out deviance keeps falling by less than one standard error per rank
  /// (ALL/AML and medulloblastoma: README.md, "Why two standard errors"); one standard error picked
  /// 4 and 5 ranks for 3 and 2 classes, two pick 3 and 3. A planted rank stands tens of standard
  /// errors below the rank under it, so either margin finds it.
  double cv_standard_errors = 2.0;
  /// The consensus (and its cophenetic correlation and dispersion) is a samples x samples matrix,
  /// with several more of that size while its tree is built: above this many samples (cells of
  /// single-cell data) it is skipped, and those criteria are NaN.
  Eigen::Index max_consensus_samples = 10000;
  PoissonNMFOptions fit;    ///< every fit's options (rank, seed and missing are set per fit)

  void validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument("RankChoiceOptions." + what); };
    if (min_rank < 1 || max_rank < min_rank)
      fail("ranks: need 1 <= min_rank <= max_rank, got " + std::to_string(min_rank) + ".." + std::to_string(max_rank));
    if (restarts < 1) fail("restarts must be >= 1, got " + std::to_string(restarts));
    if (restarts < 2 && rule == RankRule::Cophenetic)
      fail("restarts must be >= 2 for the cophenetic rule (a consensus needs several fits), got " + std::to_string(restarts));
    if (folds < 2) fail("folds must be >= 2, got " + std::to_string(folds));
    if (!(cv_standard_errors >= 0) || !std::isfinite(cv_standard_errors))
      fail("cv_standard_errors must be finite and >= 0, got " + std::to_string(cv_standard_errors));
    if (!(held_out > 0) || held_out * folds > 1.0)
      fail("held_out must be in (0, 1 / folds], got " + std::to_string(held_out));
    fit.validate();
  }
};

/// One rank's criteria.
struct RankCriteria {
  Eigen::Index rank = 0;
  double log_likelihood = 0;  ///< best over the restarts
  double bic = 0;             ///< of that restart
  double cv_deviance = 0;     ///< held-out Poisson deviance per hidden cell, mean over folds
  double cv_standard_error = 0;
  double cophenetic = 0;      ///< of the consensus matrix over restarts (NaN with one restart)
  double dispersion = 0;      ///< (NaN with one restart)
  /// The consensus matrix over the restarts (samples x samples: the share of restarts that put
  /// two samples in one module; empty with one restart), and its samples in the order of its
  /// average-linkage tree (1 - consensus), which shows the blocks when drawn.
  Eigen::MatrixXd consensus;
  std::vector<Eigen::Index> consensus_order;
  std::uint64_t best_seed = 0;
  PoissonNMFResult<double> fit;  ///< the best restart
};

struct RankChoice {
  std::vector<RankCriteria> table;
  std::size_t chosen = 0;  ///< index into table, by the rule
  RankRule rule = RankRule::CrossValidation;
  double cv_standard_errors = 2.0;  ///< the cross-validation rule's margin (RankChoiceOptions)
  /// The rule in words, for the report.
  std::string rule_text() const {
    switch (rule) {
      case RankRule::CrossValidation: {
        char margin[32];
        std::snprintf(margin, sizeof margin, "%g", cv_standard_errors);
        return std::string("the smallest rank whose held-out deviance is within ") + margin +
               (cv_standard_errors == 1.0 ? " standard error" : " standard errors") + " of the lowest";
      }
      case RankRule::Cophenetic:
        return "the largest rank before the cophenetic correlation drops the most (Brunet et al. 2004)";
      case RankRule::BIC: return "the lowest BIC";
    }
    return "?";
  }
};

}  // namespace fusednmf::modules

namespace fusednmf::detail {

/// The Poisson deviance of the cells where `hidden` is 1, per hidden cell.
inline double held_out_deviance(const Eigen::MatrixXd& V, const Eigen::MatrixXd& mean, const std::vector<char>& hidden) {
  double total = 0.0;
  std::size_t count = 0;
  for (Eigen::Index c = 0; c < V.cols(); ++c)
    for (Eigen::Index r = 0; r < V.rows(); ++r) {
      const std::size_t cell = std::size_t(c * V.rows() + r);
      if (!hidden[cell] || std::isnan(V(r, c))) continue;
      const double v = V(r, c), mu = std::max(mean(r, c), kPoissonFloor);
      total += 2.0 * ((v > 0 ? v * std::log(v / mu) : 0.0) - (v - mu));
      ++count;
    }
  return count ? total / double(count) : 0.0;
}

/// An average-linkage (UPGMA) tree of a symmetric distance matrix.
struct AverageLinkage {
  Eigen::MatrixXd heights;           ///< cophenetic distances: the height at which each pair first joins
  std::vector<Eigen::Index> order;   ///< the leaves left to right: every cluster of the tree is contiguous
};

/// Each merge joins the closest pair of clusters, ties going to the first pair (i < j, the lowest
/// i, then the lowest j). Each active cluster i keeps its closest cluster j > i, so a merge only
/// rescans the rows it made stale: about O(n²) in all (not the O(n³) of scanning every pair per
/// merge, which took minutes at 5,000 samples), with the same tree.
inline AverageLinkage average_linkage(const Eigen::MatrixXd& distance) {
  const Eigen::Index n = distance.rows();
  AverageLinkage tree;
  tree.heights = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXd cluster_distance = distance;
  std::vector<std::vector<Eigen::Index>> members(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) members[std::size_t(i)] = {i};
  std::vector<char> active(static_cast<std::size_t>(n), 1);
  // nearest[i]: the first active j > i at the least distance from i (-1: none).
  std::vector<Eigen::Index> nearest(static_cast<std::size_t>(n), -1);
  auto rescan = [&](Eigen::Index i) {
    Eigen::Index best_j = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index j = i + 1; j < n; ++j)
      if (active[std::size_t(j)] && cluster_distance(i, j) < best) best = cluster_distance(i, j), best_j = j;
    nearest[std::size_t(i)] = best_j;
  };
  for (Eigen::Index i = 0; i < n; ++i) rescan(i);
  for (Eigen::Index merges = 0; merges + 1 < n; ++merges) {
    Eigen::Index a = -1, b = -1;
    double best = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) {
      const Eigen::Index j = nearest[std::size_t(i)];
      if (active[std::size_t(i)] && j >= 0 && cluster_distance(i, j) < best) best = cluster_distance(i, j), a = i, b = j;
    }
    for (Eigen::Index x : members[std::size_t(a)])
      for (Eigen::Index y : members[std::size_t(b)]) tree.heights(x, y) = tree.heights(y, x) = best;
    const double size_a = double(members[std::size_t(a)].size()), size_b = double(members[std::size_t(b)].size());
    for (Eigen::Index k = 0; k < n; ++k)
      if (active[std::size_t(k)] && k != a && k != b)
        cluster_distance(a, k) = cluster_distance(k, a) =
            (size_a * cluster_distance(a, k) + size_b * cluster_distance(b, k)) / (size_a + size_b);
    // b's leaves after a's: concatenating the two keeps every cluster contiguous.
    auto& into = members[std::size_t(a)];
    into.insert(into.end(), members[std::size_t(b)].begin(), members[std::size_t(b)].end());
    active[std::size_t(b)] = 0;
    // Stale rows: a's own (its distances changed), and those whose nearest was a or b. A row
    // i < a whose nearest is another cluster keeps it unless a is now closer (or as close and
    // first). Rows past a hold no distance to a.
    rescan(a);
    for (Eigen::Index i = 0; i < a; ++i) {
      if (!active[std::size_t(i)]) continue;
      const Eigen::Index j = nearest[std::size_t(i)];
      if (j == a || j == b) {
        rescan(i);
      } else if (j < 0 || cluster_distance(i, a) < cluster_distance(i, j) ||
                 (cluster_distance(i, a) == cluster_distance(i, j) && a < j)) {
        nearest[std::size_t(i)] = a;
      }
    }
    for (Eigen::Index i = a + 1; i < b; ++i)
      if (active[std::size_t(i)] && nearest[std::size_t(i)] == b) rescan(i);
  }
  for (Eigen::Index i = 0; i < n; ++i)
    if (active[std::size_t(i)]) tree.order.insert(tree.order.end(), members[std::size_t(i)].begin(), members[std::size_t(i)].end());
  return tree;
}

/// The cophenetic distances of average_linkage.
inline Eigen::MatrixXd cophenetic_distances(const Eigen::MatrixXd& distance) { return average_linkage(distance).heights; }

/// Cophenetic correlation and dispersion of a consensus matrix, given the average-linkage tree
/// of 1 - consensus.
inline std::pair<double, double> consensus_stability(const Eigen::MatrixXd& consensus, const AverageLinkage& tree) {
  const Eigen::Index n = consensus.rows();
  const Eigen::MatrixXd distance = (1.0 - consensus.array()).matrix();
  const Eigen::MatrixXd& heights = tree.heights;
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, count = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double x = distance(i, j), y = heights(i, j);
      sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++count;
    }
  double cophenetic = 1.0;  // a constant distance (every pair always together or always apart)
  if (count > 0) {
    const double vx = sxx - sx * sx / count, vy = syy - sy * sy / count;
    if (vx > 1e-15 && vy > 1e-15) cophenetic = (sxy - sx * sy / count) / std::sqrt(vx * vy);
  }
  const double dispersion = 4.0 * (consensus.array() - 0.5).square().mean();
  return {cophenetic, dispersion};
}

inline std::pair<double, double> consensus_stability(const Eigen::MatrixXd& consensus) {
  return consensus_stability(consensus, average_linkage((1.0 - consensus.array()).matrix()));
}

}  // namespace fusednmf::detail

namespace fusednmf::modules {

/// The consensus matrix of several fits' H: the share of fits whose argmax over each sample's
/// column puts two samples in the same module.
inline Eigen::MatrixXd sample_consensus(const std::vector<Eigen::MatrixXd>& Hs) {
  if (Hs.empty()) throw std::invalid_argument("sample_consensus: no fits");
  const Eigen::Index m = Hs.front().cols();
  Eigen::MatrixXd consensus = Eigen::MatrixXd::Zero(m, m);
  for (const auto& H : Hs) {
    std::vector<Eigen::Index> cluster(static_cast<std::size_t>(m));
    for (Eigen::Index c = 0; c < m; ++c) H.col(c).maxCoeff(&cluster[std::size_t(c)]);
    for (Eigen::Index i = 0; i < m; ++i)
      for (Eigen::Index j = 0; j < m; ++j) consensus(i, j) += cluster[std::size_t(i)] == cluster[std::size_t(j)] ? 1.0 : 0.0;
  }
  return consensus / double(Hs.size());
}

}  // namespace fusednmf::modules

namespace fusednmf::detail {

/// Cross-validation's folds: each cell of a rows x cols matrix, in column-major order, falls in
/// fold f with probability held_out each (in none with the rest), from a stream seeded by the
/// fit's seed. Dense and sparse counts draw the same folds from the same seed.
class FoldCells {
 public:
  explicit FoldCells(const modules::RankChoiceOptions& options)
      : seed_(options.fit.seed ^ 0xD1B54A32D192ED03ULL), held_out_(options.held_out), folds_(options.folds) {}
  /// Calls visit(cell, fold) for every cell in a fold, cells in column-major order.
  template <class Visit>
  void for_each(std::size_t cells, Visit&& visit) const {
    Random rng(seed_);
    for (std::size_t cell = 0; cell < cells; ++cell) {
      const double u = rng.uniform();
      if (u < held_out_ * folds_) visit(cell, int(u / held_out_));
    }
  }

 private:
  std::uint64_t seed_;
  double held_out_;
  int folds_;
};

/// What choose_rank runs for each rank: `restart(options)` fits all the counts (options.seed set
/// per restart), `fold(options, f)` fits without fold f's cells and returns their held-out
/// deviance per cell. Fits run side by side on the options' threads, one thread each.
template <class FitAll, class FitFold>
modules::RankChoice choose_rank_with(Eigen::Index rows, Eigen::Index cols, double observed_cells,
                                     const modules::RankChoiceOptions& options,
                                     const std::function<void(Eigen::Index, const char*, int)>& on_fit,
                                     FitAll&& restart, FitFold&& fold_deviance) {
  using modules::RankChoice;
  using modules::RankCriteria;
  using modules::RankRule;
  options.validate();
  if (options.max_rank > std::min(rows, cols))
    throw std::invalid_argument("choose_rank: rank " + std::to_string(options.max_rank) + " exceeds min(rows, cols) = " +
                                std::to_string(std::min(rows, cols)));
  const bool consensus = options.restarts >= 2 && cols <= options.max_consensus_samples;
  if (options.rule == RankRule::Cophenetic && !consensus)
    throw std::invalid_argument("choose_rank: the cophenetic rule needs the consensus, which is computed for at most " +
                                std::to_string(options.max_consensus_samples) + " samples (max_consensus_samples), not " +
                                std::to_string(cols));
  const Eigen::Index ranks = options.max_rank - options.min_rank + 1;
  const int per_rank = options.restarts + options.folds;
  std::vector<PoissonNMFResult<double>> fits(std::size_t(ranks * per_rank));
  std::vector<double> deviance(std::size_t(ranks * options.folds), 0.0);
  std::mutex report;
  const int threads = resolve_threads(options.fit.threads);
  parallel_for(threads, long(ranks * per_rank), [&](long f) {
    const Eigen::Index rank = options.min_rank + f / per_rank;
    const int slot = int(f % per_rank);
    PoissonNMFOptions o = options.fit;
    o.rank = rank;
    o.threads = 1;  // fits side by side; a fit's result does not depend on its thread count
    o.progress = nullptr;
    o.missing = MissingValues::Mask;
    if (slot < options.restarts) {
      o.seed = options.fit.seed + std::uint64_t(slot);
      fits[std::size_t(f)] = restart(o);
    } else {
      const int fold = slot - options.restarts;
      o.seed = options.fit.seed;
      deviance[std::size_t((f / per_rank) * options.folds + fold)] = fold_deviance(o, fold);
    }
    if (on_fit) {
      std::lock_guard<std::mutex> lock(report);
      on_fit(rank, slot < options.restarts ? "restart" : "fold", slot < options.restarts ? slot : slot - options.restarts);
    }
  });

  RankChoice choice;
  choice.rule = options.rule;
  choice.cv_standard_errors = options.cv_standard_errors;
  const double cells = observed_cells;
  for (Eigen::Index r = 0; r < ranks; ++r) {
    RankCriteria row;
    row.rank = options.min_rank + r;
    row.log_likelihood = -std::numeric_limits<double>::infinity();
    std::vector<Eigen::MatrixXd> Hs;
    for (int s = 0; s < options.restarts; ++s) {  // the first seed wins a tie
      auto& fit = fits[std::size_t(r * per_rank + s)];
      Hs.push_back(fit.H);
      if (fit.final_log_likelihood() > row.log_likelihood) {
        row.log_likelihood = fit.final_log_likelihood();
        row.best_seed = options.fit.seed + std::uint64_t(s);
        row.fit = std::move(fit);
      }
    }
    row.bic = -2.0 * row.log_likelihood + double(row.rank) * double(rows + cols) * std::log(cells);
    double sum = 0, sum2 = 0;
    for (int f = 0; f < options.folds; ++f) {
      const double d = deviance[std::size_t(r * options.folds + f)];
      sum += d, sum2 += d * d;
    }
    row.cv_deviance = sum / options.folds;
    const double variance = std::max(0.0, sum2 / options.folds - row.cv_deviance * row.cv_deviance) *
                            options.folds / (options.folds - 1.0);
    row.cv_standard_error = std::sqrt(variance / options.folds);
    if (consensus) {
      row.consensus = modules::sample_consensus(Hs);
      detail::AverageLinkage tree = detail::average_linkage((1.0 - row.consensus.array()).matrix());
      std::tie(row.cophenetic, row.dispersion) = detail::consensus_stability(row.consensus, tree);
      row.consensus_order = std::move(tree.order);
    } else {
      row.cophenetic = row.dispersion = std::numeric_limits<double>::quiet_NaN();
    }
    choice.table.push_back(std::move(row));
  }

  const auto& t = choice.table;
  switch (options.rule) {
    case RankRule::CrossValidation: {
      std::size_t best = 0;
      for (std::size_t i = 1; i < t.size(); ++i)
        if (t[i].cv_deviance < t[best].cv_deviance) best = i;
      const double bound = t[best].cv_deviance + options.cv_standard_errors * t[best].cv_standard_error;
      choice.chosen = best;
      for (std::size_t i = 0; i < best; ++i)
        if (t[i].cv_deviance <= bound) {
          choice.chosen = i;
          break;
        }
      break;
    }
    case RankRule::Cophenetic: {  // the rank before the largest drop (the last rank if none drops)
      choice.chosen = t.size() - 1;
      double largest_drop = 0;
      for (std::size_t i = 0; i + 1 < t.size(); ++i)
        if (t[i].cophenetic - t[i + 1].cophenetic > largest_drop)
          largest_drop = t[i].cophenetic - t[i + 1].cophenetic, choice.chosen = i;
      break;
    }
    case RankRule::BIC:
      choice.chosen = std::size_t(std::min_element(t.begin(), t.end(), [](const auto& a, const auto& b) {
                                    return a.bic < b.bic;
                                  }) - t.begin());
      break;
  }
  return choice;
}

/// The held-out deviance per cell of sparse V's cells in `held_out` under the mean W H.
inline double held_out_deviance(const Eigen::SparseMatrix<double>& V, const Eigen::MatrixXd& W, const Eigen::MatrixXd& H,
                                const HeldOutCells& held_out) {
  double total = 0.0;
  const auto& rows = held_out.rows_by_column();
  for (Eigen::Index c = 0; c < V.outerSize(); ++c) {
    Eigen::SparseMatrix<double>::InnerIterator stored(V, c);
    for (std::int64_t h = held_out.column_begin(c); h < held_out.column_end(c); ++h) {
      const int r = rows[std::size_t(h)];
      while (stored && stored.row() < r) ++stored;
      const double v = stored && stored.row() == r ? stored.value() : 0.0;
      const double mu = std::max(W.row(r).dot(H.col(c)), kPoissonFloor);
      total += 2.0 * ((v > 0 ? v * std::log(v / mu) : 0.0) - (v - mu));
    }
  }
  return held_out.count() ? total / double(held_out.count()) : 0.0;
}

}  // namespace fusednmf::detail

namespace fusednmf::modules {

/// Fits every rank with its restarts and its cross-validation folds and picks a rank by
/// `options.rule`. V: genes x samples (NaN: missing when options.fit.missing is Mask).
/// `on_fit(rank, what, index)`, if given, is called after every fit (what: "restart" or "fold"),
/// one call at a time.
inline RankChoice choose_rank(const Eigen::MatrixXd& V, const RankChoiceOptions& options,
                              const std::function<void(Eigen::Index, const char*, int)>& on_fit = {}) {
  options.validate();
  // Each cell's fold (or none): the same hidden cells for every rank, so ranks compare on them.
  std::vector<int> fold_of(std::size_t(V.size()), -1);
  detail::FoldCells(options).for_each(fold_of.size(), [&](std::size_t cell, int fold) { fold_of[cell] = fold; });
  auto restart = [&](const PoissonNMFOptions& o) { return PoissonNMF<double>(o).fit(V); };
  auto fold_deviance = [&](const PoissonNMFOptions& o, int fold) {
    Eigen::MatrixXd training = V;
    std::vector<char> hidden(std::size_t(V.size()), 0);
    for (std::size_t cell = 0; cell < hidden.size(); ++cell)
      if (fold_of[cell] == fold) hidden[cell] = 1, training(Eigen::Index(cell)) = std::numeric_limits<double>::quiet_NaN();
    const auto fit = PoissonNMF<double>(o).fit(training);
    return detail::held_out_deviance(V, fit.W * fit.H, hidden);
  };
  return detail::choose_rank_with(V.rows(), V.cols(), double(V.size() - V.array().isNaN().count()), options, on_fit,
                                  restart, fold_deviance);
}

/// The same for sparse counts (every cell not stored is a 0 count): the fits run on the stored
/// entries only (PoissonNMF's sparse multiplicative updates, options.fit.solver must be MU), and
/// each fold's cells, drawn as for dense V from the same seed, are listed (HeldOutCells) when
/// its fits run, so memory follows the stored entries and one fold's cells.
inline RankChoice choose_rank(const Eigen::SparseMatrix<double>& V, const RankChoiceOptions& options,
                              const std::function<void(Eigen::Index, const char*, int)>& on_fit = {}) {
  options.validate();
  const std::size_t rows = std::size_t(V.rows());
  auto restart = [&](const PoissonNMFOptions& o) { return PoissonNMF<double>(o).fit(V); };
  auto fold_deviance = [&](const PoissonNMFOptions& o, int fold) {
    std::vector<std::pair<int, int>> cells;
    detail::FoldCells(options).for_each(rows * std::size_t(V.cols()), [&](std::size_t cell, int f) {
      if (f == fold) cells.emplace_back(int(cell % rows), int(cell / rows));
    });
    const HeldOutCells held_out(V.rows(), V.cols(), cells);
    std::vector<std::pair<int, int>>().swap(cells);
    const auto fit = PoissonNMF<double>(o).fit(V, held_out);
    return detail::held_out_deviance(V, fit.W, fit.H, held_out);
  };
  return detail::choose_rank_with(V.rows(), V.cols(), double(V.rows()) * double(V.cols()), options, on_fit, restart,
                                  fold_deviance);
}

}  // namespace fusednmf::modules
