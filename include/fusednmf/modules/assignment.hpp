#pragma once
// From fitted factors to gene modules: each gene's module, and the genes that moonlight.
//
// W and H of an NMF trade scale (W D, D⁻¹ H fit equally), so the rows of W are compared after
// putting each module's scale into it: share(i, r) = W_ir · rowsum(H)_r / Σ_r' W_ir' · rowsum(H)_r',
// the fraction of gene i's expected counts over all samples that comes from module r. Normalising
// the rows of W alone would make the answer depend on how the fit split the scale between W and H.
// A gene belongs to the module of its largest share, and moonlights in a second module when its
// second-largest share reaches a threshold.
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "matching.hpp"

namespace fusednmf::modules {

/// N x R shares (rows sum to one; a gene with no expected counts gets a row of zeros).
template <class DerivedW, class DerivedH>
Eigen::MatrixXd module_shares(const Eigen::MatrixBase<DerivedW>& W, const Eigen::MatrixBase<DerivedH>& H) {
  if (W.cols() != H.rows())
    throw std::invalid_argument("module_shares: W has " + std::to_string(W.cols()) + " columns but H has " +
                                std::to_string(H.rows()) + " rows");
  const Eigen::RowVectorXd module_totals = H.template cast<double>().rowwise().sum().transpose();
  Eigen::MatrixXd shares = W.template cast<double>().array().rowwise() * module_totals.array();
  for (Eigen::Index i = 0; i < shares.rows(); ++i) {
    const double total = shares.row(i).sum();
    if (total > 0.0) shares.row(i) /= total;
    else shares.row(i).setZero();
  }
  return shares;
}

struct GeneAssignment {
  int module = -1;         ///< largest share; -1 for a gene with no expected counts
  double share = 0.0;
  int second_module = -1;  ///< second-largest share (-1 with a single module)
  double second_share = 0.0;
  bool moonlighting = false;  ///< second_share >= threshold
};

inline std::vector<GeneAssignment> assign_genes(const Eigen::MatrixXd& shares, double moonlighting_threshold) {
  if (!(moonlighting_threshold > 0.0 && moonlighting_threshold <= 0.5))
    throw std::invalid_argument("assign_genes: the moonlighting threshold must be in (0, 0.5], got " +
                                std::to_string(moonlighting_threshold));
  std::vector<GeneAssignment> out(std::size_t(shares.rows()));
  for (Eigen::Index i = 0; i < shares.rows(); ++i) {
    GeneAssignment& g = out[std::size_t(i)];
    for (Eigen::Index r = 0; r < shares.cols(); ++r) {
      const double s = shares(i, r);
      if (s <= 0.0) continue;
      if (g.module < 0 || s > g.share) {
        g.second_module = g.module;
        g.second_share = g.share;
        g.module = int(r);
        g.share = s;
      } else if (g.second_module < 0 || s > g.second_share) {
        g.second_module = int(r);
        g.second_share = s;
      }
    }
    g.moonlighting = g.second_module >= 0 && g.second_share >= moonlighting_threshold;
  }
  return out;
}

/// Counts of values in `bins` equal-width bins over [0, 1] (1 falls in the last bin).
struct Histogram {
  std::vector<double> edges;        ///< bins + 1 edges
  std::vector<std::size_t> counts;  ///< bins counts
};

inline Histogram share_histogram(const Eigen::MatrixXd& shares, int bins) {
  if (bins < 1) throw std::invalid_argument("share_histogram: bins must be >= 1, got " + std::to_string(bins));
  Histogram h;
  for (int b = 0; b <= bins; ++b) h.edges.push_back(double(b) / bins);
  h.counts.assign(std::size_t(bins), 0);
  for (Eigen::Index i = 0; i < shares.size(); ++i) {
    const int b = std::clamp(int(shares(i) * bins), 0, bins - 1);
    ++h.counts[std::size_t(b)];
  }
  return h;
}

/// How well fitted assignments recover a planted truth, after matching fitted modules to true
/// ones by the largest total overlap of their genes.
struct Recovery {
  std::vector<int> true_module_of_fitted;  ///< per fitted module, the matched true module or -1
  /// Genes whose module matches the truth / all genes. A planted moonlighter counts as right
  /// when its module is either of its two (its larger share is a coin toss near 50/50).
  double accuracy = 0.0;
  std::size_t moonlighters = 0;            ///< genes planted in two modules
  std::size_t moonlighters_found = 0;      ///< called moonlighting with the right two modules
  std::size_t false_moonlighters = 0;      ///< called moonlighting but planted in one module
};

inline Recovery compare_to_truth(const std::vector<GeneAssignment>& fitted, int fitted_modules,
                                 const std::vector<int>& true_module, const std::vector<int>& true_second,
                                 int true_modules) {
  if (fitted.size() != true_module.size() || true_second.size() != true_module.size())
    throw std::invalid_argument("compare_to_truth: " + std::to_string(fitted.size()) + " fitted genes but " +
                                std::to_string(true_module.size()) + " in the truth");
  if (fitted_modules < 1 || true_modules < 1) throw std::invalid_argument("compare_to_truth: module counts must be >= 1");
  Eigen::MatrixXd overlap = Eigen::MatrixXd::Zero(fitted_modules, true_modules);
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    const int f = fitted[i].module, t = true_module[i];
    if (f >= fitted_modules || t >= true_modules)
      throw std::invalid_argument("compare_to_truth: gene " + std::to_string(i) + " names a module out of range");
    if (f >= 0 && t >= 0) overlap(f, t) += 1.0;
  }
  Recovery rec;
  rec.true_module_of_fitted = match_max_similarity(overlap);
  auto to_truth = [&](int f) { return f < 0 ? -1 : rec.true_module_of_fitted[std::size_t(f)]; };
  std::size_t correct = 0;
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    const GeneAssignment& g = fitted[i];
    const bool planted = true_second[i] >= 0;
    const int matched = to_truth(g.module);
    if (matched >= 0 && (matched == true_module[i] || (planted && matched == true_second[i]))) ++correct;
    rec.moonlighters += planted;
    if (!g.moonlighting) continue;
    if (!planted) {
      ++rec.false_moonlighters;
      continue;
    }
    const int a = to_truth(g.module), b = to_truth(g.second_module);
    if ((a == true_module[i] && b == true_second[i]) || (a == true_second[i] && b == true_module[i]))
      ++rec.moonlighters_found;
  }
  rec.accuracy = fitted.empty() ? 0.0 : double(correct) / double(fitted.size());
  return rec;
}

}  // namespace fusednmf::modules
