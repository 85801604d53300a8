#pragma once
// Preparing tracks for the factorization. preprocess() is the stage between reading
// (io/genome_reader.hpp) and the fit, in this order:
//
//   1. choose the smoothing window   auto_smoothing_window: gene scale for sparse calls, none for dense signal
//   2. smooth each chromosome         smooth_at_scales / box_smooth_bins (never across chromosomes)
//   3. merge equal neighbouring rows  merge_equal_rows (long empty stretches become one row again)
//   4. lay the chromosomes end to end GenomeSegments::concatenate (genome.hpp)
//   5. transform the values           apply_transform (a concave transform: sqrt, log1p, asinh)
//   6. scale every track to unit RMS  scale_to_unit_rms (so deep tracks do not dominate)
//
// Why smooth: sparse marks (a 200 bp call here and there inside a 30 kb gene) are dense only at
// the scale of genes. The fused lasso alone sees isolated blips and flattens them long before
// gene-scale structure appears, so the tracks are first box-smoothed at a gene-scale window and
// the fused lasso then cuts the smooth factors into segments. Binning itself happens while
// reading (io/binned_reader.hpp); average_into_bins does it for tracks already in memory.
//
// Missing entries are NaN (mask_intervals() sets them, e.g. for blacklisted regions): smoothing
// averages observed bins only and leaves a missing bin missing, merging treats two missing
// entries as equal, and the sparsity count, the transform and the scaling skip them, so a value
// under the mask reaches nothing.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "genome.hpp"
#include "reducer.hpp"
#include "segmented_matrix.hpp"

namespace fusednmf {

/// Averages rows into bins of `bin` bases (the last bin may be shorter). Weights: bases per bin.
/// Missing (NaN) entries are left out of their bin's average; a bin with no observed base in a
/// column is missing there.
template <class Scalar>
SegmentedMatrix<Scalar> average_into_bins(const SegmentedMatrix<Scalar>& Y, std::int64_t bin) {
  if (bin < 1) throw std::invalid_argument("average_into_bins: bin must be >= 1, got " + std::to_string(bin));
  const std::int64_t total = Y.expanded_rows();
  const std::int64_t nbins = (total + bin - 1) / bin;
  const bool any_missing = Y.values.array().isNaN().any();
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(nbins, Y.cols());
  Eigen::MatrixXd observed;  // bases with data per bin and column, only when some are missing
  if (any_missing) observed = Eigen::MatrixXd::Zero(nbins, Y.cols());
  std::int64_t pos = 0;
  for (Eigen::Index s = 0; s < Y.segments(); ++s) {
    std::int64_t left = static_cast<std::int64_t>(Y.lengths[s]);
    while (left > 0) {  // a segment may span many bins
      const std::int64_t b = pos / bin, take = std::min(left, (b + 1) * bin - pos);
      if (!any_missing) {
        sums.row(b) += double(take) * Y.values.row(s).template cast<double>();
      } else {
        for (Eigen::Index c = 0; c < Y.cols(); ++c)
          if (!std::isnan(Y.values(s, c))) {
            sums(b, c) += double(take) * double(Y.values(s, c));
            observed(b, c) += double(take);
          }
      }
      pos += take;
      left -= take;
    }
  }
  SegmentedMatrix<Scalar> out;
  out.values.resize(nbins, Y.cols());
  out.lengths.resize(nbins);
  for (std::int64_t b = 0; b < nbins; ++b) {
    const std::int64_t len = std::min(bin, total - b * bin);
    if (!any_missing) {
      out.values.row(b) = (sums.row(b) / double(len)).template cast<Scalar>();
    } else {
      for (Eigen::Index c = 0; c < Y.cols(); ++c)
        out.values(b, c) = observed(b, c) > 0 ? static_cast<Scalar>(sums(b, c) / observed(b, c))
                                              : std::numeric_limits<Scalar>::quiet_NaN();
    }
    out.lengths[b] = static_cast<Scalar>(len);
  }
  return out;
}

/// Centred moving average over `window` bins (odd; weighted by bin length, truncated at the ends).
template <class Scalar>
void box_smooth_bins(SegmentedMatrix<Scalar>& Y, std::int64_t window) {
  if (window < 1) throw std::invalid_argument("box_smooth_bins: window must be >= 1, got " + std::to_string(window));
  const std::int64_t n = Y.segments(), half = window / 2;
  if (half == 0 || n == 0) return;
  Eigen::VectorXd weight_prefix(n + 1);
  weight_prefix(0) = 0;
  for (std::int64_t i = 0; i < n; ++i) weight_prefix(i + 1) = weight_prefix(i) + double(Y.lengths[i]);
  for (Eigen::Index c = 0; c < Y.cols(); ++c) {
    const bool any_missing = Y.values.col(c).array().isNaN().any();
    Eigen::VectorXd prefix(n + 1), observed_prefix;  // running weighted sums, in double
    prefix(0) = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = double(Y.values(i, c));
      prefix(i + 1) = prefix(i) + (std::isnan(v) ? 0.0 : double(Y.lengths[i]) * v);
    }
    if (any_missing) {  // weights of the observed bins only
      observed_prefix.resize(n + 1);
      observed_prefix(0) = 0;
      for (std::int64_t i = 0; i < n; ++i)
        observed_prefix(i + 1) = observed_prefix(i) + (std::isnan(Y.values(i, c)) ? 0.0 : double(Y.lengths[i]));
    }
    const Eigen::VectorXd& weights = any_missing ? observed_prefix : weight_prefix;
    for (std::int64_t i = 0; i < n; ++i) {
      if (std::isnan(Y.values(i, c))) continue;  // stays missing
      const std::int64_t a = std::max<std::int64_t>(0, i - half), b = std::min(n, i + half + 1);
      Y.values(i, c) = static_cast<Scalar>((prefix(b) - prefix(a)) / (weights(b) - weights(a)));
    }
  }
}

/// The rule of auto_smoothing_window.
struct SmoothingRule {
  double sparse_below = 0.25;         ///< tracks are sparse calls when the median one is non-zero in fewer bins,
  std::int64_t sparse_window = 5000;  ///< and then smoothed over this many bases
};

/// The smoothing window (bases) that suits the data: sparse calls (peaks, binarized marks: the
/// median track non-zero in under rule.sparse_below of the bins) are averaged over
/// rule.sparse_window, the scale of genes; dense continuous signal is left as is (returns bin). A
/// window proportional to the sparsity was tried and rejected: on one data set it swung from 2 to
/// 50 kb between regions, and r with it.
template <class Scalar>
std::int64_t auto_smoothing_window(const std::vector<const SegmentedMatrix<Scalar>*>& parts, std::int64_t bin,
                                   const SmoothingRule& rule = {}, const Reducer& reduce = {}) {
  // Non-zero bases per track, then all bases, over every part (chromosome): summed over
  // processes when the rows are split. A part with no columns (another process's) adds nothing.
  Eigen::Index cols = 0;
  for (const auto* part : parts) cols = std::max(cols, part->cols());
  std::vector<double> sums(std::size_t(cols) + 1, 0.0);
  for (const auto* part : parts) {
    for (Eigen::Index c = 0; c < part->cols(); ++c)
      for (Eigen::Index s = 0; s < part->segments(); ++s)
        if (part->values(s, c) != Scalar(0) && !std::isnan(part->values(s, c)))
          sums[std::size_t(c)] += double(part->lengths[s]);
    sums.back() += double(part->expanded_rows());
  }
  detail::reduce_sum(reduce, sums.data(), sums.size());
  std::vector<double> nonzero_fraction;
  for (Eigen::Index c = 0; c < cols; ++c) nonzero_fraction.push_back(sums[std::size_t(c)] / sums.back());
  if (nonzero_fraction.empty()) return bin;
  std::nth_element(nonzero_fraction.begin(), nonzero_fraction.begin() + long(nonzero_fraction.size() / 2),
                   nonzero_fraction.end());
  return nonzero_fraction[nonzero_fraction.size() / 2] < rule.sparse_below ? std::max(bin, rule.sparse_window) : bin;
}

/// The same for one matrix.
template <class Scalar>
std::int64_t auto_smoothing_window(const SegmentedMatrix<Scalar>& binned, std::int64_t bin,
                                   const SmoothingRule& rule = {}, const Reducer& reduce = {}) {
  return auto_smoothing_window<Scalar>({&binned}, bin, rule, reduce);
}

/// Every track smoothed at each window (bases; 0 or <= bin: as is), side by side: tracks x windows
/// columns, window-major. Several windows let factors mix fine and broad features.
template <class Scalar>
SegmentedMatrix<Scalar> smooth_at_scales(const SegmentedMatrix<Scalar>& Y, const std::vector<std::int64_t>& windows,
                                         std::int64_t bin) {
  if (windows.empty()) return Y;
  SegmentedMatrix<Scalar> out;
  out.lengths = Y.lengths;
  out.values.resize(Y.segments(), Y.cols() * Eigen::Index(windows.size()));
  for (std::size_t w = 0; w < windows.size(); ++w) {
    SegmentedMatrix<Scalar> copy = Y;
    if (windows[w] > bin) box_smooth_bins(copy, (windows[w] / std::max<std::int64_t>(bin, 1)) | 1);
    out.values.middleCols(Eigen::Index(w) * Y.cols(), Y.cols()) = copy.values;
  }
  return out;
}

/// Marks as missing (NaN in every column) each segment that overlaps one of `intervals` (sorted,
/// disjoint, in bases; the segments start at base `start`). Returns the bases so marked.
template <class Scalar>
std::int64_t mask_intervals(SegmentedMatrix<Scalar>& Y, std::int64_t start,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& intervals) {
  std::int64_t masked = 0, pos = start;
  std::size_t next = 0;
  for (Eigen::Index s = 0; s < Y.segments(); ++s) {
    const std::int64_t end = pos + static_cast<std::int64_t>(Y.lengths[s]);
    while (next < intervals.size() && intervals[next].second <= pos) ++next;
    if (next < intervals.size() && intervals[next].first < end) {
      Y.values.row(s).setConstant(std::numeric_limits<Scalar>::quiet_NaN());
      masked += end - pos;
    }
    pos = end;
  }
  return masked;
}

enum class Transform { None, Sqrt, Log1p, Asinh };

inline const char* to_string(Transform t) {
  switch (t) {
    case Transform::None: return "none";
    case Transform::Sqrt: return "sqrt";
    case Transform::Log1p: return "log1p";
    case Transform::Asinh: return "asinh";
  }
  return "?";
}

/// Applies `t` to every value (NaN stays NaN).
template <class Scalar>
void apply_transform(SegmentedMatrix<Scalar>& Y, Transform t) {
  if (t == Transform::Log1p) Y.values = Y.values.array().log1p();
  if (t == Transform::Asinh) Y.values = Y.values.array().unaryExpr([](Scalar v) { return std::asinh(v); });
  if (t == Transform::Sqrt) Y.values = Y.values.array().sqrt();
}

/// Divides every track by its RMS over its observed (non-NaN) bases, summed over the processes
/// that share the rows; a track that is 0 everywhere is left as is.
template <class Scalar>
void scale_to_unit_rms(SegmentedMatrix<Scalar>& Y, const Reducer& reduce = {}) {
  const Eigen::Index m = Y.cols();
  std::vector<double> sums(2 * std::size_t(m), 0.0);  // per track: sum of squares, observed bases
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < Y.segments(); ++i) {
      const double v = Y.values(i, j);
      if (std::isnan(v)) continue;
      sums[std::size_t(j)] += double(Y.lengths[i]) * v * v;
      sums[std::size_t(m + j)] += double(Y.lengths[i]);
    }
  detail::reduce_sum(reduce, sums.data(), sums.size());
  for (Eigen::Index j = 0; j < m; ++j) {
    const double observed = sums[std::size_t(m + j)];
    const double ms = observed > 0 ? sums[std::size_t(j)] / observed : 0.0;
    if (ms > 0) Y.values.col(j) /= static_cast<Scalar>(std::sqrt(ms));
  }
}

struct PreprocessOptions {
  std::int64_t bin = 200;              ///< bases per row of the tracks as read (windows are in bases)
  std::vector<std::int64_t> windows;   ///< smoothing windows in bases (0: none); empty: chosen by auto_window
  SmoothingRule auto_window;           ///< auto_smoothing_window's rule
  Transform transform = Transform::Sqrt;
  bool unit_rms = true;                ///< scale every track to unit RMS
};

/// The tracks ready for the fit, and the windows they were smoothed at.
template <class Scalar>
struct Preprocessed {
  GenomeSegments<Scalar> genome;
  std::vector<std::int64_t> windows;
};

/// Steps 1-6 of the header comment on chromosomes `names` (each starting at base `start` of
/// its chromosome), consuming `tracks`. With several processes each passes its own chromosomes
/// and `reduce`; the window and the scaling then use every process's rows.
template <class Scalar>
Preprocessed<Scalar> preprocess(const std::vector<std::string>& names, std::int64_t start,
                                std::vector<SegmentedMatrix<Scalar>>&& tracks, const PreprocessOptions& options,
                                const Reducer& reduce = {}) {
  Preprocessed<Scalar> out;
  out.windows = options.windows;
  if (out.windows.empty()) {
    std::vector<const SegmentedMatrix<Scalar>*> parts;
    for (const auto& t : tracks) parts.push_back(&t);
    out.windows.push_back(auto_smoothing_window(parts, std::max<std::int64_t>(options.bin, 1), options.auto_window, reduce));
  }
  for (auto& t : tracks) t = merge_equal_rows(smooth_at_scales(t, out.windows, options.bin));
  out.genome = GenomeSegments<Scalar>::concatenate(names, std::vector<std::int64_t>(names.size(), start), std::move(tracks));
  apply_transform(out.genome.Y, options.transform);
  if (options.unit_rms) scale_to_unit_rms(out.genome.Y, reduce);
  return out;
}

}  // namespace fusednmf
